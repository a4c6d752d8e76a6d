/* fuzz_hive_edit — a short edit script (create path, set value, delete
 * value, delete key, move around) applied to the input opened as a
 * writable hive, or, when the input is not a hive, to a fresh hive with
 * the input as the script.  The serialized result must re-open and pass
 * bf_hive_check whenever the hive passed it before the edits. */
#include "bootfix/hive.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EDIT_MAX_OPS 48
#define EDIT_SCRIPT_TAIL 96
#define EDIT_BIG_LEN 20000 /* above the 16344-byte single-cell limit: big data */

static const char *const edit_names[] = {
    "A", "b", "Services", "Control", "x\\y\\z", "\xd0\x9a\xd0\xbb\xd1\x8e\xd1\x87",
    "CurrentControlSet", "Select", "", "(Default)", "a b", "Z"
};
#define EDIT_NNAMES (sizeof(edit_names) / sizeof(edit_names[0]))

typedef struct script {
    const uint8_t *p;
    size_t left;
} script;

static unsigned next_byte(script *s)
{
    if (s->left == 0)
        return 0;
    s->left--;
    return *s->p++;
}

static const char *next_name(script *s)
{
    return edit_names[next_byte(s) % EDIT_NNAMES];
}

static void op_set_value(bf_hive *h, bf_node cur, script *s)
{
    static uint8_t big[EDIT_BIG_LEN];
    bf_error err;
    const char *name = next_name(s);
    unsigned tb = next_byte(s);
    uint32_t type = tb & 0x0f;
    size_t len = next_byte(s);
    const void *data;
    if (tb & 0x80) {
        memset(big, (int)len, sizeof(big));
        data = big;
        len = sizeof(big);
    } else {
        if (len > s->left)
            len = s->left;
        data = s->p;
        s->p += len;
        s->left -= len;
    }
    (void)bf_node_set_value(h, cur, name, type, data, len, &err);
}

static bf_node op_create_path(bf_hive *h, bf_node cur, script *s)
{
    bf_error err;
    bf_node out = BF_NONE;
    int created = 0;
    char path[256];
    unsigned depth = 1 + next_byte(s) % 3;
    path[0] = '\0';
    for (unsigned i = 0; i < depth; i++) {
        if (i)
            strcat(path, "\\");
        strcat(path, next_name(s));
    }
    if (bf_node_create_path(h, cur, path, &out, &created, &err) == 0 && out != BF_NONE)
        return out;
    return cur;
}

static bf_node op_descend(bf_hive *h, bf_node cur, script *s)
{
    bf_error err;
    bf_node *kids = NULL, next = cur;
    size_t n = 0;
    unsigned idx = next_byte(s);
    if (bf_node_children(h, cur, &kids, &n, &err) == 0) {
        if (n > 0)
            next = kids[idx % n];
        free(kids);
    }
    return next;
}

static bf_node op_delete_key(bf_hive *h, bf_node cur)
{
    bf_error err;
    bf_node parent = BF_NONE;
    if (cur == bf_hive_root(h))
        return cur;
    if (bf_node_parent(h, cur, &parent, &err) != 0 || parent == BF_NONE)
        return bf_hive_root(h);
    if (bf_node_delete(h, cur, &err) != 0)
        return cur;
    return parent;
}

static void run_script(bf_hive *h, script *s)
{
    bf_node cur = bf_hive_root(h);
    bf_error err;
    for (unsigned i = 0; i < EDIT_MAX_OPS && s->left > 0; i++) {
        switch (next_byte(s) % 6) {
        case 0: cur = op_create_path(h, cur, s); break;
        case 1: op_set_value(h, cur, s); break;
        case 2: (void)bf_node_delete_value(h, cur, next_name(s), &err); break;
        case 3: cur = op_delete_key(h, cur); break;
        case 4: cur = op_descend(h, cur, s); break;
        default: {
            bf_node parent = BF_NONE;
            if (bf_node_parent(h, cur, &parent, &err) == 0 && parent != BF_NONE)
                cur = parent;
            else
                cur = bf_hive_root(h);
        }
        }
    }
}

static void verify_serialized(bf_hive *h)
{
    bf_error err;
    uint8_t *buf = NULL;
    size_t len = 0;
    bf_hive *again = NULL;
    if (bf_hive_serialize(h, &buf, &len, &err) != 0)
        return; /* refusing to serialize (e.g. a size limit) is allowed */
    if (bf_hive_open_mem("fuzz-serialized", buf, len, NULL, 0, 0, &again, &err) != 0)
        abort(); /* what we serialize must open */
    if (bf_hive_check(again, NULL, NULL, &err) != 0)
        abort(); /* and be structurally valid */
    bf_hive_close(again);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bf_hive *h = NULL;
    bf_error err;
    script s;
    if (bf_hive_open_mem("fuzz", data, size, NULL, 0, BF_OPEN_WRITE, &h, &err) == 0) {
        /* the script is the tail of the hive bytes */
        size_t n = size < EDIT_SCRIPT_TAIL ? size : EDIT_SCRIPT_TAIL;
        s = (script){ data + size - n, n };
        if (bf_hive_check(h, NULL, NULL, &err) != 0) {
            run_script(h, &s); /* corrupt input: only "no crash" is required */
            bf_hive_close(h);
            return 0;
        }
    } else {
        if (bf_hive_new(5, "ROOT", &h, &err) != 0)
            abort();
        s = (script){ data, size };
    }
    run_script(h, &s);
    verify_serialized(h);
    bf_hive_close(h);
    return 0;
}
