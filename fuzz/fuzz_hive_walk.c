/* fuzz_hive_walk — open arbitrary bytes as a hive (read-only), walk every
 * key, name, class, value and data iteratively, then run the checker. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bf_hive *h = NULL;
    bf_error err;
    bf_hive_info info;
    if (bf_hive_open_mem("fuzz", data, size, NULL, 0, 0, &h, &err) != 0)
        return 0;
    (void)bf_hive_get_info(h, &info);
    walk_tree(h);
    (void)bf_hive_check(h, NULL, NULL, &err);
    bf_hive_close(h);
    return 0;
}
