/*
 * reg_query.c — `bootfix reg query FILE KEY [/v NAME | /ve] [/s]`, printed
 * the way reg.exe prints it:
 *
 *   (blank line)
 *   HKEY_LOCAL_MACHINE\SYSTEM\Select
 *       Current    REG_DWORD    0x1
 *   (blank line)
 *   HKEY_LOCAL_MACHINE\SYSTEM\Select\Subkey
 *
 * /s walks the tree with an explicit stack (no recursion), depth-limited.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define QUERY_MAX_DEPTH 512 /* Windows' limit on key nesting */

static int print_value(bf_hive *h, bf_value v, int *printed, bf_error *err)
{
    char *name = NULL, *text = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    uint32_t type = 0;
    const char *tn;
    char tbuf[24];
    int r = bf_value_name(h, v, &name, err);
    if (r == BF_OK)
        r = bf_value_data(h, v, &type, &data, &len, err);
    if (r == BF_OK) {
        text = bf_reg_data_format(type, data, len);
        if (!text) {
            err->code = BF_ERR_NOMEM;
            snprintf(err->msg, sizeof err->msg, "out of memory formatting value data");
            r = BF_ERR_NOMEM;
        }
    }
    if (r == BF_OK) {
        tn = bf_reg_type_name(type);
        if (!tn) {
            snprintf(tbuf, sizeof tbuf, "REG_0x%lX", (unsigned long)type);
            tn = tbuf;
        }
        printf("    %s    %s    %s\n", name[0] ? name : "(Default)", tn, text);
        if (printed)
            ++*printed;
    }
    free(name);
    free(data);
    free(text);
    return r;
}

/* All values of n; *count gets how many were printed. */
static int print_values(bf_hive *h, bf_node n, int *count, bf_error *err)
{
    bf_value *vals = NULL;
    size_t nv = 0, i;
    int r = bf_node_values(h, n, &vals, &nv, err);
    for (i = 0; r == BF_OK && i < nv; i++)
        r = print_value(h, vals[i], count, err);
    free(vals);
    return r;
}

struct qitem {
    bf_node node;
    char *path; /* full path as printed */
    unsigned depth;
};

struct qstack {
    struct qitem *v;
    size_t n, cap;
};

static int qpush(struct qstack *s, bf_node node, char *path, unsigned depth)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        struct qitem *nv = realloc(s->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = ncap;
    }
    s->v[s->n].node = node;
    s->v[s->n].path = path;
    s->v[s->n].depth = depth;
    s->n++;
    return 0;
}

/* Push the subkeys of `n` (in reverse, so they pop in stored order), or with
 * `print` set just print their paths. */
static int children(bf_hive *h, bf_node n, const char *path, unsigned depth, struct qstack *s,
                    int print, bf_error *err)
{
    bf_node *kids = NULL;
    size_t nk = 0, i;
    int r = bf_node_children(h, n, &kids, &nk, err);
    for (i = 0; r == BF_OK && i < nk; i++) {
        size_t k = print ? i : nk - 1 - i;
        char *name = NULL, *full;
        r = bf_node_name(h, kids[k], &name, err);
        if (r != BF_OK)
            break;
        full = cli_join_key(path, name);
        free(name);
        if (!full) {
            r = BF_ERR_NOMEM;
            err->code = r;
            snprintf(err->msg, sizeof err->msg, "out of memory");
            break;
        }
        if (print) {
            printf("%s\n", full);
            free(full);
        } else if (qpush(s, kids[k], full, depth + 1) != 0) {
            free(full);
            r = BF_ERR_NOMEM;
            err->code = r;
            snprintf(err->msg, sizeof err->msg, "out of memory");
        }
    }
    free(kids);
    return r;
}

static int query_recursive(bf_hive *h, bf_node start, const char *path, const char *want,
                           bf_error *err)
{
    struct qstack s = {NULL, 0, 0};
    int r = BF_OK, matches = 0;
    char *p0 = cli_join_key(path, "");
    if (!p0 || qpush(&s, start, p0, 0) != 0) {
        free(p0);
        err->code = BF_ERR_NOMEM;
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return BF_ERR_NOMEM;
    }
    printf("\n");
    while (s.n > 0 && r == BF_OK) {
        struct qitem it = s.v[--s.n];
        if (it.depth > QUERY_MAX_DEPTH) {
            err->code = BF_ERR_FORMAT;
            snprintf(err->msg, sizeof err->msg,
                     "%s: keys nested deeper than %d levels below %s (a loop in the hive?)",
                     bf_hive_path(h), QUERY_MAX_DEPTH, path);
            r = BF_ERR_FORMAT;
            free(it.path);
            break;
        }
        if (want) {
            bf_value v;
            int g = bf_node_get_value(h, it.node, want, &v, err);
            if (g == BF_OK) {
                printf("%s\n", it.path);
                r = print_value(h, v, &matches, err);
                printf("\n");
            } else if (g != BF_ERR_NOT_FOUND) {
                r = g;
            } else {
                memset(err, 0, sizeof *err);
            }
        } else {
            int nv = 0;
            printf("%s\n", it.path);
            r = print_values(h, it.node, &nv, err);
            printf("\n");
        }
        if (r == BF_OK)
            r = children(h, it.node, it.path, it.depth, &s, 0, err);
        free(it.path);
    }
    while (s.n > 0)
        free(s.v[--s.n].path);
    free(s.v);
    if (r == BF_OK && want)
        printf("End of search: %d match(es) found.\n", matches);
    return r;
}

int cmd_reg_query(int argc, char **argv)
{
    struct reg_args a;
    bf_hive *h = NULL;
    bf_error err;
    char *rel = NULL, *prefix = NULL, *path = NULL;
    bf_node n;
    int rc = EXIT_ERR, r, nv = 0;
    r = reg_parse(argc, argv, "reg query", RS_V | RS_VE | RS_S, 2, 2, &a);
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    memset(&err, 0, sizeof err);
    if (!(rel = cli_key_relative(a.pos[1])) || !(prefix = cli_root_prefix(a.pos[0])) ||
        !(path = cli_join_key(prefix, rel))) {
        cli_failf("out of memory");
        goto out;
    }
    if (bf_hive_open(a.pos[0], 0, &h, &err) != BF_OK ||
        bf_node_lookup(h, bf_hive_root(h), rel, &n, &err) != BF_OK) {
        cli_fail(&err);
        goto out;
    }
    fflush(stdout);
    if (a.seen & RS_S) {
        r = query_recursive(h, n, path, a.value, &err);
    } else if (a.value) {
        bf_value v;
        r = bf_node_get_value(h, n, a.value, &v, &err);
        if (r == BF_ERR_NOT_FOUND && a.value[0]) {
            cli_failf("value %s not found in %s", a.value, a.pos[1]);
            goto out;
        }
        printf("\n%s\n", path);
        if (r == BF_ERR_NOT_FOUND) {
            printf("    (Default)    REG_SZ    (value not set)\n");
            r = BF_OK;
        } else if (r == BF_OK) {
            r = print_value(h, v, NULL, &err);
        }
        printf("\n");
    } else {
        printf("\n%s\n", path);
        r = print_values(h, n, &nv, &err);
        if (r == BF_OK && nv > 0)
            printf("\n");
        if (r == BF_OK)
            r = children(h, n, path, 0, NULL, 1, &err);
    }
    if (r != BF_OK) {
        fflush(stdout);
        cli_fail(&err);
        goto out;
    }
    rc = EXIT_OK;
out:
    bf_hive_close(h);
    free(path);
    free(prefix);
    free(rel);
    return rc;
}
