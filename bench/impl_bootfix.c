/* bench/impl_bootfix.c — the workloads of bench.h with libbootfix. */
#include "bench.h"
#include "bootfix/hive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fail(const char *what, const bf_error *err)
{
    fprintf(stderr, "bootfix: %s: %s\n", what, err ? err->msg : "");
    return -1;
}

/* Explicit stack of keys still to visit (hives may be 512 levels deep). */
typedef struct node_stack {
    bf_node *v;
    size_t n, cap;
} node_stack;

static int push(node_stack *s, const bf_node *nodes, size_t n)
{
    if (s->n + n > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->n + n)
            cap *= 2;
        bf_node *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = cap;
    }
    memcpy(s->v + s->n, nodes, n * sizeof *nodes);
    s->n += n;
    return 0;
}

static int walk_values(bf_hive *h, bf_node k, bench_tally *t, bf_error *err)
{
    bf_value *vals;
    size_t nv;
    if (bf_node_values(h, k, &vals, &nv, err))
        return -1;
    for (size_t i = 0; i < nv; i++) {
        char *name;
        uint8_t *data;
        size_t len;
        uint32_t type;
        if (bf_value_name(h, vals[i], &name, err)) {
            free(vals);
            return -1;
        }
        t->name_bytes += strlen(name);
        free(name);
        if (bf_value_data(h, vals[i], &type, &data, &len, err)) {
            free(vals);
            return -1;
        }
        t->values++;
        t->types += type;
        t->data_bytes += len;
        t->data_sum += bench_data_sum(data, len);
        free(data);
    }
    free(vals);
    return 0;
}

static int walk_open_hive(bf_hive *h, bench_tally *t, bf_error *err)
{
    node_stack s = {0};
    bf_node root = bf_hive_root(h);
    int rc = push(&s, &root, 1);
    while (rc == 0 && s.n) {
        bf_node k = s.v[--s.n];
        char *name;
        if (bf_node_name(h, k, &name, err)) {
            rc = -1;
            break;
        }
        t->keys++;
        t->name_bytes += strlen(name);
        free(name);
        if (walk_values(h, k, t, err)) {
            rc = -1;
            break;
        }
        bf_node *kids;
        size_t nk;
        if (bf_node_children(h, k, &kids, &nk, err)) {
            rc = -1;
            break;
        }
        rc = push(&s, kids, nk);
        free(kids);
    }
    free(s.v);
    return rc;
}

int walk_bootfix(const char *hive, bench_tally *t)
{
    bf_error err;
    bf_hive *h;
    bench_start();
    if (bf_hive_open(hive, BF_OPEN_NO_LOGS, &h, &err))
        return fail("open", &err);
    int rc = walk_open_hive(h, t, &err);
    bf_hive_close(h);
    bench_stop();
    return rc ? fail("walk", &err) : 0;
}

typedef struct visit_ctx {
    bench_tally *t;
} visit_ctx;

static int visit_key(void *vctx, const bf_walk_key *k)
{
    bench_tally *t = ((visit_ctx *)vctx)->t;
    t->keys++;
    t->name_bytes += k->name_len;
    for (size_t i = 0; i < k->nvalues; i++) {
        const bf_walk_value *v = &k->values[i];
        t->values++;
        t->name_bytes += v->name_len;
        t->types += v->type;
        t->data_bytes += v->len;
        t->data_sum += bench_data_sum(v->data, v->len);
    }
    return 0;
}

int walk_bootfix_visit(const char *hive, bench_tally *t)
{
    bf_error err;
    bf_hive *h;
    bench_start();
    if (bf_hive_open(hive, BF_OPEN_NO_LOGS, &h, &err))
        return fail("open", &err);
    visit_ctx c = {t};
    int rc = bf_hive_walk(h, bf_hive_root(h), visit_key, &c, &err);
    bf_hive_close(h);
    bench_stop();
    return rc ? fail("walk", &err) : 0;
}

int lookup_bootfix(const char *hive, char *const *paths, size_t n, bench_tally *t)
{
    bf_error err;
    bf_hive *h;
    if (bf_hive_open(hive, BF_OPEN_NO_LOGS, &h, &err))
        return fail("open", &err);
    bf_node root = bf_hive_root(h);
    bench_start();
    for (size_t i = 0; i < n; i++) {
        bf_node k;
        if (bf_node_lookup(h, root, paths[i], &k, NULL) == BF_OK)
            t->found++;
    }
    bench_stop();
    bf_hive_close(h);
    return 0;
}

static int set_dump_values(bf_hive *h, bf_node cc, bench_tally *t, bf_error *err)
{
    static const char dumpfile[] = "%SystemRoot%\\MEMORY.DMP";
    uint8_t u16[2 * sizeof dumpfile];
    for (size_t i = 0; i < sizeof dumpfile; i++) {
        u16[2 * i] = (uint8_t)dumpfile[i];
        u16[2 * i + 1] = 0;
    }
    uint8_t one[4] = {1, 0, 0, 0};
    if (bf_node_set_value(h, cc, "CrashDumpEnabled", BF_REG_DWORD, one, 4, err) ||
        bf_node_set_value(h, cc, "DumpFile", BF_REG_EXPAND_SZ, u16, sizeof u16, err) ||
        bf_node_set_value(h, cc, "NMICrashDump", BF_REG_DWORD, one, 4, err))
        return -1;
    t->values += 3;
    return 0;
}

static int edit_open_hive(bf_hive *h, bench_tally *t, bf_error *err)
{
    bf_node *kids;
    size_t nk;
    if (bf_node_children(h, bf_hive_root(h), &kids, &nk, err))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < nk && rc == 0; i++) {
        char *name;
        if (bf_node_name(h, kids[i], &name, err)) {
            rc = -1;
            break;
        }
        bf_node cc;
        if (bench_is_control_set(name) && bf_node_lookup(h, kids[i], "Control\\CrashControl", &cc, NULL) == BF_OK)
            rc = set_dump_values(h, cc, t, err);
        free(name);
    }
    free(kids);
    return rc;
}

int edit_bootfix(const char *in, const char *out, bench_tally *t)
{
    bf_error err;
    bf_hive *h;
    bench_start();
    if (bf_hive_open(in, BF_OPEN_WRITE | BF_OPEN_NO_LOGS, &h, &err))
        return fail("open", &err);
    int rc = edit_open_hive(h, t, &err);
    bf_commit_opts opts = {out, NULL, 0};
    if (rc == 0 && bf_hive_commit(h, &opts, &err) != BF_OK)
        rc = -1;
    bf_hive_close(h);
    bench_stop();
    if (rc)
        return fail(in, &err);
    struct stat st;
    if (stat(out, &st) != 0) {
        fprintf(stderr, "bootfix: %s: %s\n", out, strerror(errno));
        return -1;
    }
    t->bytes = (uint64_t)st.st_size;
    return 0;
}

int replay_bootfix(const char *hive, bench_tally *t)
{
    bf_error err;
    bf_hive *h;
    bench_start();
    if (bf_hive_open(hive, 0, &h, &err))
        return fail("open", &err);
    bf_hive_info info;
    bf_hive_get_info(h, &info);
    int rc = walk_open_hive(h, t, &err);
    bf_hive_close(h);
    bench_stop();
    if (rc)
        return fail("walk", &err);
    if (!info.replayed) {
        fprintf(stderr, "bootfix: %s: no log was replayed (%s)\n", hive, info.log_problem);
        return -1;
    }
    t->found = info.log_entries;
    return 0;
}

/* ---- paths for the lookup workload ---- */

typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static int add_path(path_list *l, char *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = p;
    return 0;
}

/* Every key's path below the root, breadth first (parents first). */
static int collect_paths(bf_hive *h, path_list *paths, bf_error *err)
{
    node_stack keys = {0};
    bf_node root = bf_hive_root(h);
    if (push(&keys, &root, 1))
        return -1;
    path_list names = {0};
    if (add_path(&names, strdup("")))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < keys.n && rc == 0; i++) {
        bf_node *kids;
        size_t nk;
        if (bf_node_children(h, keys.v[i], &kids, &nk, err)) {
            rc = -1;
            break;
        }
        for (size_t j = 0; j < nk && rc == 0; j++) {
            char *name;
            if (bf_node_name(h, kids[j], &name, err)) {
                rc = -1;
                break;
            }
            const char *parent = names.v[i];
            size_t len = strlen(parent) + 1 + strlen(name) + 1;
            char *p = malloc(len);
            if (!p) {
                free(name);
                rc = -1;
                break;
            }
            snprintf(p, len, "%s%s%s", parent, *parent ? "\\" : "", name);
            free(name);
            rc = push(&keys, &kids[j], 1) || add_path(&names, p) || add_path(paths, p) ? -1 : 0;
        }
        free(kids);
    }
    free(keys.v);
    free(names.v); /* the strings belong to paths (except "") */
    return rc;
}

int paths_bootfix(const char *hive, size_t n, uint64_t seed, const char *out)
{
    bf_error err;
    bf_hive *h;
    if (bf_hive_open(hive, BF_OPEN_NO_LOGS, &h, &err))
        return fail("open", &err);
    path_list all = {0};
    int rc = collect_paths(h, &all, &err);
    bf_hive_close(h);
    if (rc || all.n == 0)
        return fail("paths", &err);
    FILE *f = fopen(out, "w");
    if (!f) {
        fprintf(stderr, "bootfix: %s: %s\n", out, strerror(errno));
        return -1;
    }
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++) {
        const char *p = all.v[bench_rand(&st) % all.n];
        for (const char *c = p; *c; c++) {
            int ch = (unsigned char)*c;
            if (((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) && (bench_rand(&st) & 1))
                ch ^= 0x20;
            fputc(ch, f);
        }
        fputc('\n', f);
    }
    for (size_t i = 0; i < all.n; i++)
        free(all.v[i]);
    free(all.v);
    return fclose(f) == 0 ? 0 : -1;
}
