/*
 * oracle_bootfix.c — the same canonical walk through bootfix's public API,
 * so it can be compared with the libregf and hivex walks.
 */
#include "common/oracle.h"

#include "bootfix/hive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bx_item {
    bf_node node;
    char *path;
    unsigned depth;
};

/* Failure inside a bootfix call: keep its code and message. */
static void bx_fail(char *errbuf, int *bf_code, const bf_error *e, int rc)
{
    if (bf_code)
        *bf_code = rc ? rc : BF_ERR_INVALID;
    if (errbuf)
        snprintf(errbuf, ORACLE_ERRSZ, "%s", e->msg);
}

/* Failure found by the walker itself. */
static void bx_walker(char *errbuf, int *bf_code, const char *path, const char *what)
{
    if (bf_code)
        *bf_code = 0;
    if (errbuf)
        snprintf(errbuf, ORACLE_ERRSZ, "bootfix walk: %s: %s", path, what);
}

static int bx_values(oracle_walk *w, bf_hive *h, bf_node n, const char *kpath, uint32_t *nval,
                     char *errbuf, int *bf_code)
{
    bf_error e;
    bf_value *vals = NULL;
    size_t count = 0;
    int rc;
    memset(&e, 0, sizeof(e));
    if ((rc = bf_node_values(h, n, &vals, &count, &e)) != BF_OK) {
        bx_fail(errbuf, bf_code, &e, rc);
        return -1;
    }
    *nval = (uint32_t)count;
    for (size_t i = 0; i < count; i++) {
        char *name = NULL;
        uint8_t *data = NULL;
        size_t len = 0;
        uint32_t type = 0;
        if ((rc = bf_value_name(h, vals[i], &name, &e)) != BF_OK ||
            (rc = bf_value_data(h, vals[i], &type, &data, &len, &e)) != BF_OK) {
            free(name);
            free(vals);
            bx_fail(errbuf, bf_code, &e, rc);
            return -1;
        }
        rc = oracle_add_value(w, kpath, name ? name : "", type, data, len);
        free(name);
        free(data);
        if (rc != 0) {
            free(vals);
            bx_walker(errbuf, bf_code, w->file, "out of memory or too many records");
            return -1;
        }
    }
    free(vals);
    return 0;
}

oracle_walk *oracle_walk_bootfix(const char *path, unsigned open_flags, char *errbuf,
                                 int *bf_code)
{
    bf_hive *h = NULL;
    bf_error e;
    struct bx_item *stack = NULL;
    size_t sp = 0, scap = 0;
    oracle_seen seen = {0};
    char what[600];
    int rc;
    oracle_walk *w = oracle_walk_new("bootfix", path);
    memset(&e, 0, sizeof(e));
    if (bf_code)
        *bf_code = 0;
    if (!w) {
        bx_walker(errbuf, bf_code, path, "out of memory");
        return NULL;
    }
    if ((rc = bf_hive_open(path, open_flags, &h, &e)) != BF_OK) {
        bx_fail(errbuf, bf_code, &e, rc);
        goto fail;
    }
    bf_node root = bf_hive_root(h);
    if (root == BF_NONE) {
        bx_walker(errbuf, bf_code, path, "bf_hive_root returned BF_NONE after a successful open");
        goto fail;
    }
    stack = malloc(sizeof(*stack) * 64);
    if (!stack)
        goto nomem;
    scap = 64;
    stack[sp++] = (struct bx_item){root, calloc(1, 1), 0};
    if (!stack[0].path)
        goto nomem;

    while (sp) {
        struct bx_item it = stack[--sp];
        bf_node *kids = NULL;
        size_t nkids = 0, rec;
        uint32_t nval = 0;
        char *cls = NULL;
        int failed = 0;
        if (oracle_seen_add(&seen, it.node) != 1) {
            snprintf(what, sizeof(what),
                     "key \"%s\" (cell 0x%x) reached twice: bootfix returned a cycle or "
                     "shared subkey without an error",
                     it.path, it.node);
            bx_walker(errbuf, bf_code, path, what);
            failed = 1;
        } else if (it.depth > ORACLE_MAX_DEPTH) {
            snprintf(what, sizeof(what), "key \"%s\": deeper than %d", it.path,
                     ORACLE_MAX_DEPTH);
            bx_walker(errbuf, bf_code, path, what);
            failed = 1;
        } else if ((rc = bf_node_class(h, it.node, &cls, &e)) != BF_OK ||
                   (rc = bf_node_children(h, it.node, &kids, &nkids, &e)) != BF_OK) {
            bx_fail(errbuf, bf_code, &e, rc);
            failed = 1;
        }
        if (!failed) {
            rec = w->n;
            if (oracle_add_key(w, it.path, cls, (uint32_t)nkids, 0) != 0) {
                bx_walker(errbuf, bf_code, path, "out of memory or too many records");
                failed = 1;
            } else if (bx_values(w, h, it.node, it.path, &nval, errbuf, bf_code) != 0) {
                failed = 1;
            } else {
                w->recs[rec].nvalues = nval;
            }
        }
        free(cls);
        for (size_t i = 0; !failed && i < nkids; i++) {
            char *name = NULL;
            if ((rc = bf_node_name(h, kids[i], &name, &e)) != BF_OK) {
                bx_fail(errbuf, bf_code, &e, rc);
                failed = 1;
                break;
            }
            char *cp = oracle_join(it.path, name ? name : "");
            free(name);
            if (sp == scap) {
                struct bx_item *ns = realloc(stack, sizeof(*stack) * scap * 2);
                if (ns) {
                    stack = ns;
                    scap *= 2;
                }
            }
            if (!cp || sp == scap) {
                free(cp);
                bx_walker(errbuf, bf_code, path, "out of memory");
                failed = 1;
                break;
            }
            stack[sp++] = (struct bx_item){kids[i], cp, it.depth + 1};
        }
        free(kids);
        free(it.path);
        if (failed)
            goto fail;
    }
    free(stack);
    oracle_seen_free(&seen);
    bf_hive_close(h);
    oracle_walk_sort(w);
    return w;

nomem:
    bx_walker(errbuf, bf_code, path, "out of memory");
fail:
    while (sp)
        free(stack[--sp].path);
    free(stack);
    oracle_seen_free(&seen);
    if (h)
        bf_hive_close(h);
    oracle_walk_free(w);
    return NULL;
}
