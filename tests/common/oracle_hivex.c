/*
 * oracle_hivex.c — walk a hive with hivex (1.3.x).
 *
 * Trusted for the tree, names, types and the raw data bytes (hivex returns
 * inline data, single-cell data and big-data segments byte for byte).  It
 * has no class-name API, so the walk has class_known = 0.  hivex refuses
 * some files outright (bad checksum, truncated bins, ...): the walk then
 * fails with hivex's errno text.
 */
#include "common/oracle.h"

#include <errno.h>
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hx_item {
    hive_node_h node;
    char *path;
    unsigned depth;
};

static void hx_err(char *errbuf, const char *path, const char *what, int errnum)
{
    if (errbuf)
        snprintf(errbuf, ORACLE_ERRSZ, "hivex: %s: %s%s%s", path, what, errnum ? ": " : "",
                 errnum ? strerror(errnum) : "");
}

static int hx_values(oracle_walk *w, hive_h *h, hive_node_h node, const char *path,
                     size_t *nval, char *errbuf)
{
    char what[600];
    errno = 0;
    hive_value_h *vals = hivex_node_values(h, node);
    if (!vals) {
        snprintf(what, sizeof(what), "key \"%s\": value list unreadable", path);
        hx_err(errbuf, w->file, what, errno);
        return -1;
    }
    size_t n = 0;
    while (vals[n])
        n++;
    *nval = n;
    for (size_t i = 0; i < n; i++) {
        hive_type t = 0;
        size_t len = 0;
        errno = 0;
        char *name = hivex_value_key(h, vals[i]);
        if (!name) {
            snprintf(what, sizeof(what), "key \"%s\": name of value %zu unreadable", path, i);
            hx_err(errbuf, w->file, what, errno);
            free(vals);
            return -1;
        }
        errno = 0;
        char *data = hivex_value_value(h, vals[i], &t, &len);
        if (!data) {
            snprintf(what, sizeof(what), "key \"%s\": data of value \"%s\" unreadable", path,
                     name);
            hx_err(errbuf, w->file, what, errno);
            free(name);
            free(vals);
            return -1;
        }
        int r = oracle_add_value(w, path, name, (uint32_t)t, data, len);
        free(name);
        free(data);
        if (r != 0) {
            hx_err(errbuf, w->file, "out of memory or too many records", 0);
            free(vals);
            return -1;
        }
    }
    free(vals);
    return 0;
}

oracle_walk *oracle_walk_hivex(const char *path, char *errbuf)
{
    struct hx_item *stack = NULL;
    size_t sp = 0, scap = 0;
    oracle_seen seen = {0};
    char what[600];
    hive_h *h = NULL;
    oracle_walk *w = oracle_walk_new("hivex", path);
    if (!w) {
        hx_err(errbuf, path, "out of memory", 0);
        return NULL;
    }
    w->class_known = 0;
    errno = 0;
    h = hivex_open(path, 0);
    if (!h) {
        hx_err(errbuf, path, "open refused", errno);
        goto fail;
    }
    errno = 0;
    hive_node_h root = hivex_root(h);
    if (!root) {
        hx_err(errbuf, path, "no root key", errno);
        goto fail;
    }
    stack = malloc(sizeof(*stack) * 64);
    if (!stack)
        goto nomem;
    scap = 64;
    stack[sp++] = (struct hx_item){root, calloc(1, 1), 0};
    if (!stack[0].path)
        goto nomem;

    while (sp) {
        struct hx_item it = stack[--sp];
        hive_node_h *kids = NULL;
        size_t nsub = 0, nval = 0, rec;
        int failed = 0;
        if (oracle_seen_add(&seen, (uint32_t)it.node) != 1) {
            snprintf(what, sizeof(what),
                     "key \"%s\" at offset 0x%zx reached twice (cycle or shared subkey)",
                     it.path, (size_t)it.node);
            hx_err(errbuf, path, what, 0);
            failed = 1;
        } else if (it.depth > ORACLE_MAX_DEPTH) {
            snprintf(what, sizeof(what), "key \"%s\": deeper than %d", it.path,
                     ORACLE_MAX_DEPTH);
            hx_err(errbuf, path, what, 0);
            failed = 1;
        }
        if (!failed) {
            errno = 0;
            kids = hivex_node_children(h, it.node);
            if (!kids) {
                snprintf(what, sizeof(what), "key \"%s\": subkey list unreadable", it.path);
                hx_err(errbuf, path, what, errno);
                failed = 1;
            }
        }
        if (!failed) {
            while (kids[nsub])
                nsub++;
            rec = w->n;
            if (oracle_add_key(w, it.path, NULL, (uint32_t)nsub, 0) != 0) {
                hx_err(errbuf, path, "out of memory or too many records", 0);
                failed = 1;
            } else if (hx_values(w, h, it.node, it.path, &nval, errbuf) != 0) {
                failed = 1;
            } else {
                w->recs[rec].nvalues = (uint32_t)nval;
            }
        }
        for (size_t i = 0; !failed && i < nsub; i++) {
            errno = 0;
            char *name = hivex_node_name(h, kids[i]);
            if (!name) {
                snprintf(what, sizeof(what), "key \"%s\": name of subkey %zu unreadable",
                         it.path, i);
                hx_err(errbuf, path, what, errno);
                failed = 1;
                break;
            }
            char *cp = oracle_join(it.path, name);
            free(name);
            if (sp == scap) {
                struct hx_item *ns = realloc(stack, sizeof(*stack) * scap * 2);
                if (ns) {
                    stack = ns;
                    scap *= 2;
                }
            }
            if (!cp || sp == scap) {
                free(cp);
                hx_err(errbuf, path, "out of memory", 0);
                failed = 1;
                break;
            }
            stack[sp++] = (struct hx_item){kids[i], cp, it.depth + 1};
        }
        free(kids);
        free(it.path);
        if (failed)
            goto fail;
    }
    free(stack);
    oracle_seen_free(&seen);
    hivex_close(h);
    oracle_walk_sort(w);
    return w;

nomem:
    hx_err(errbuf, path, "out of memory", 0);
fail:
    while (sp)
        free(stack[--sp].path);
    free(stack);
    oracle_seen_free(&seen);
    if (h)
        hivex_close(h);
    oracle_walk_free(w);
    return NULL;
}
