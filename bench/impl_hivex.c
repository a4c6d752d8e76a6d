/*
 * bench/impl_hivex.c — the libhivex implementation of the bench workloads
 * (bench/bench.h): full walk, key-path lookups, and the CrashControl edit
 * committed to a new file.  Everything hivex hands back is freed here.
 */
#include "bench.h"

#include <errno.h>
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A growable stack of node handles (the walk is iterative: hives can be
 * hundreds of levels deep). */
typedef struct node_stack {
    hive_node_h *v;
    size_t n, cap;
} node_stack;

static int stack_push(node_stack *s, hive_node_h node)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        hive_node_h *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = node;
    return 0;
}

static int fail(const char *what, const char *file)
{
    fprintf(stderr, "hivex: %s (%s): %s\n", what, file, strerror(errno));
    return -1;
}

/* Prints "hivex: what (file, key\value): errno message", returns -1. */
static int fail_at(const char *what, const char *file, const char *key,
                   const char *value)
{
    fprintf(stderr, "hivex: %s (%s, %s%s%s): %s\n", what, file, key,
            value ? "\\" : "", value ? value : "", strerror(errno));
    return -1;
}

/* One value of the key named `key_name`: name, type and data. */
static int tally_value(hive_h *h, hive_value_h val, bench_tally *t,
                       const char *file, const char *key_name)
{
    char *name = hivex_value_key(h, val);
    if (!name)
        return fail_at("value name", file, key_name, NULL);
    hive_type type;
    size_t len;
    char *data = hivex_value_value(h, val, &type, &len);
    if (!data) {
        fail_at("value data", file, key_name, *name ? name : "(default)");
        free(name);
        return -1;
    }
    t->values++;
    t->name_bytes += strlen(name);
    t->types += (uint32_t)type;  /* e.g. 0xFFFF0011: no sign extension */
    t->data_bytes += len;
    t->data_sum += bench_data_sum(data, len);
    free(data);
    free(name);
    return 0;
}

/* One key: its name and all its values into the tally. */
static int tally_key(hive_h *h, hive_node_h node, bench_tally *t,
                     const char *file)
{
    char *name = hivex_node_name(h, node);
    if (!name)
        return fail("key name", file);
    t->keys++;
    t->name_bytes += strlen(name);

    hive_value_h *vals = hivex_node_values(h, node);
    int rc = vals ? 0 : fail_at("key values", file, name, NULL);
    for (size_t i = 0; vals && vals[i] && rc == 0; i++)
        rc = tally_value(h, vals[i], t, file, name);
    free(vals);
    free(name);
    return rc;
}

/* Pushes every child of `node` on the stack. */
static int push_children(hive_h *h, hive_node_h node, node_stack *s,
                         const char *file)
{
    hive_node_h *kids = hivex_node_children(h, node);
    if (!kids)
        return fail("key children", file);
    int rc = 0;
    for (size_t i = 0; kids[i] && rc == 0; i++)
        if (stack_push(s, kids[i]) < 0)
            rc = fail("out of memory", file);
    free(kids);
    return rc;
}

static int walk_tree(hive_h *h, bench_tally *t, const char *file)
{
    node_stack s = {0};
    hive_node_h root = hivex_root(h);
    int rc = root ? stack_push(&s, root) : fail("root", file);
    while (rc == 0 && s.n > 0) {
        hive_node_h node = s.v[--s.n];
        rc = tally_key(h, node, t, file);
        if (rc == 0)
            rc = push_children(h, node, &s, file);
    }
    free(s.v);
    return rc;
}

int walk_hivex(const char *hive, bench_tally *t)
{
    bench_start();
    hive_h *h = hivex_open(hive, 0);
    if (!h)
        return fail("open", hive);
    int rc = walk_tree(h, t, hive);
    if (hivex_close(h) != 0 && rc == 0)
        rc = fail("close", hive);
    bench_stop();
    return rc;
}

/* Follows the '\'-separated `path` from the root; `buf` holds a copy of
 * it (at least strlen(path) + 1 bytes).  Returns 1 found, 0 not, -1 error. */
static int find_path(hive_h *h, hive_node_h root, const char *path, char *buf)
{
    hive_node_h node = root;
    strcpy(buf, path);
    char *part = buf;
    for (;;) {
        char *sep = strchr(part, '\\');
        if (sep)
            *sep = '\0';
        errno = 0;
        node = hivex_node_get_child(h, node, part);
        if (!node)
            return errno ? -1 : 0;
        if (!sep)
            return 1;
        part = sep + 1;
    }
}

int lookup_hivex(const char *hive, char *const *paths, size_t n, bench_tally *t)
{
    hive_h *h = hivex_open(hive, 0);
    if (!h)
        return fail("open", hive);
    size_t longest = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(paths[i]) > longest)
            longest = strlen(paths[i]);
    char *buf = malloc(longest + 1);
    hive_node_h root = hivex_root(h);
    int rc = !buf ? fail("out of memory", hive) : !root ? fail("root", hive) : 0;

    bench_start();
    for (size_t i = 0; i < n && rc == 0; i++) {
        int r = find_path(h, root, paths[i], buf);
        if (r < 0) {
            fprintf(stderr, "hivex: lookup (%s, %s): %s\n", hive, paths[i],
                    strerror(errno));
            rc = -1;
        }
        t->found += r == 1;
    }
    bench_stop();

    free(buf);
    hivex_close(h);
    return rc;
}

/* Sets the three dump values in `cc` (a CrashControl key). */
static int set_dump_values(hive_h *h, hive_node_h cc, const char *file)
{
    static const char dump_file[] = "%SystemRoot%\\MEMORY.DMP";
    char utf16[2 * sizeof dump_file];           /* terminating NUL included */
    for (size_t i = 0; i < sizeof dump_file; i++) {
        utf16[2 * i] = dump_file[i];
        utf16[2 * i + 1] = 0;
    }
    char one[4] = {1, 0, 0, 0};                 /* REG_DWORD 1, little-endian */
    hive_set_value vals[3] = {
        {"CrashDumpEnabled", hive_t_REG_DWORD, sizeof one, one},
        {"DumpFile", hive_t_REG_EXPAND_SZ, sizeof utf16, utf16},
        {"NMICrashDump", hive_t_REG_DWORD, sizeof one, one},
    };
    for (int i = 0; i < 3; i++)
        if (hivex_node_set_value(h, cc, &vals[i], 0) != 0)
            return fail("set value in CrashControl", file);
    return 0;
}

/* Control\CrashControl under a control set, or 0 if it is missing. */
static hive_node_h crash_control_of(hive_h *h, hive_node_h set)
{
    hive_node_h control = hivex_node_get_child(h, set, "Control");
    return control ? hivex_node_get_child(h, control, "CrashControl") : 0;
}

static int edit_control_sets(hive_h *h, bench_tally *t, const char *file)
{
    hive_node_h root = hivex_root(h);
    hive_node_h *kids = root ? hivex_node_children(h, root) : NULL;
    if (!kids)
        return fail("root children", file);
    int rc = 0;
    for (size_t i = 0; kids[i] && rc == 0; i++) {
        char *name = hivex_node_name(h, kids[i]);
        if (!name) {
            rc = fail("key name", file);
            break;
        }
        int is_set = bench_is_control_set(name);
        free(name);
        hive_node_h cc = is_set ? crash_control_of(h, kids[i]) : 0;
        if (!cc)
            continue;
        rc = set_dump_values(h, cc, file);
        if (rc == 0)
            t->values += 3;
    }
    free(kids);
    return rc;
}

int edit_hivex(const char *in, const char *out, bench_tally *t)
{
    bench_start();
    hive_h *h = hivex_open(in, HIVEX_OPEN_WRITE);
    if (!h)
        return fail("open", in);
    int rc = edit_control_sets(h, t, in);
    if (rc == 0 && hivex_commit(h, out, 0) != 0)
        rc = fail("commit", out);
    hivex_close(h);
    bench_stop();

    struct stat st;
    if (rc == 0 && stat(out, &st) != 0)
        rc = fail("stat", out);
    if (rc == 0)
        t->bytes = (uint64_t)st.st_size;
    return rc;
}
