/* fuzz_hive_walk — open arbitrary bytes as a hive (read-only), walk every
 * key, name, class, value and data iteratively, then again with
 * bf_hive_walk (touching every byte it hands over), then run the checker. */
#include "bootfix/hive.h"

#include <stdint.h>
#include <stdlib.h>

#define WALK_MAX_DEPTH 512
#define WALK_MAX_KEYS 20000

typedef struct walk_item {
    bf_node node;
    unsigned depth;
} walk_item;

static void walk_values(bf_hive *h, bf_node n)
{
    bf_error err;
    bf_value *vals = NULL;
    size_t count = 0;
    if (bf_node_values(h, n, &vals, &count, &err) != 0)
        return;
    for (size_t i = 0; i < count; i++) {
        char *name = NULL;
        uint8_t *data = NULL;
        size_t len = 0;
        uint32_t type = 0;
        if (bf_value_name(h, vals[i], &name, &err) == 0)
            free(name);
        (void)bf_value_type(h, vals[i], &type, &err);
        if (bf_value_data(h, vals[i], &type, &data, &len, &err) == 0)
            free(data);
    }
    free(vals);
}

static void walk_key_fields(bf_hive *h, bf_node n)
{
    bf_error err;
    char *s = NULL;
    uint64_t ft = 0;
    bf_node parent = BF_NONE;
    if (bf_node_name(h, n, &s, &err) == 0)
        free(s);
    s = NULL;
    if (bf_node_class(h, n, &s, &err) == 0)
        free(s);
    (void)bf_node_timestamp(h, n, &ft, &err);
    (void)bf_node_parent(h, n, &parent, &err);
    walk_values(h, n);
}

static void walk_tree(bf_hive *h)
{
    walk_item *stack = malloc(sizeof(*stack) * WALK_MAX_KEYS);
    size_t top = 0, visited = 0;
    if (!stack)
        return;
    stack[top++] = (walk_item){ bf_hive_root(h), 0 };
    while (top > 0 && visited < WALK_MAX_KEYS) {
        walk_item it = stack[--top];
        bf_node *kids = NULL;
        size_t nkids = 0;
        bf_error err;
        visited++;
        walk_key_fields(h, it.node);
        if (it.depth >= WALK_MAX_DEPTH)
            continue;
        if (bf_node_children(h, it.node, &kids, &nkids, &err) != 0)
            continue;
        for (size_t i = 0; i < nkids && top < WALK_MAX_KEYS; i++)
            stack[top++] = (walk_item){ kids[i], it.depth + 1 };
        free(kids);
    }
    free(stack);
}

/* bf_hive_walk's callback: read every byte it is given (the sanitizers
 * catch a pointer past its data); stop after WALK_MAX_KEYS keys. */
static int visit_key(void *ctx, const bf_walk_key *k)
{
    unsigned *sum = ctx;
    for (size_t i = 0; i < k->name_len; i++)
        *sum += (unsigned char)k->name[i];
    for (size_t v = 0; v < k->nvalues; v++) {
        for (size_t i = 0; i < k->values[v].name_len; i++)
            *sum += (unsigned char)k->values[v].name[i];
        for (size_t i = 0; i < k->values[v].len; i++)
            *sum += k->values[v].data[i];
    }
    return ++sum[1] >= WALK_MAX_KEYS ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bf_hive *h = NULL;
    bf_error err;
    bf_hive_info info;
    if (bf_hive_open_mem("fuzz", data, size, NULL, 0, 0, &h, &err) != 0)
        return 0;
    (void)bf_hive_get_info(h, &info);
    walk_tree(h);
    unsigned sum[2] = {0, 0};
    (void)bf_hive_walk(h, bf_hive_root(h), visit_key, sum, &err);
    (void)bf_hive_check(h, NULL, NULL, &err);
    bf_hive_close(h);
    return 0;
}
