/*
 * oracle_walk.c — the canonical walk: building, sorting, comparing.
 * See oracle.h for the record format and the order.
 */
#include "common/oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* internal: data compared only where libregf is exact */
#define ORACLE_CMP_DATA_LIBREGF (1u << 8)

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

oracle_walk *oracle_walk_new(const char *source, const char *file)
{
    oracle_walk *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->source = source;
    w->file = dupstr(file ? file : "");
    if (!w->file) {
        free(w);
        return NULL;
    }
    w->class_known = 1;
    w->data_exact = ORACLE_DATA_EXACT;
    return w;
}

void oracle_walk_free(oracle_walk *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->recs[i].path);
        free(w->recs[i].name);
        free(w->recs[i].cls);
        free(w->recs[i].data);
    }
    free(w->recs);
    free(w->file);
    free(w);
}

static oracle_rec *grow(oracle_walk *w)
{
    if (w->n >= ORACLE_MAX_RECORDS)
        return NULL;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 256;
        oracle_rec *r = realloc(w->recs, nc * sizeof(*r));
        if (!r)
            return NULL;
        w->recs = r;
        w->cap = nc;
    }
    oracle_rec *r = &w->recs[w->n];
    memset(r, 0, sizeof(*r));
    return r;
}

int oracle_add_key(oracle_walk *w, const char *path, const char *cls, uint32_t nsubkeys,
                   uint32_t nvalues)
{
    oracle_rec *r = grow(w);
    if (!r)
        return -1;
    r->kind = ORACLE_KEY;
    r->path = dupstr(path);
    r->cls = cls ? dupstr(cls) : NULL;
    if (!r->path || (cls && !r->cls)) {
        free(r->path);
        free(r->cls);
        return -1;
    }
    r->nsubkeys = nsubkeys;
    r->nvalues = nvalues;
    w->n++;
    w->nkeys++;
    return 0;
}

int oracle_add_value(oracle_walk *w, const char *path, const char *name, uint32_t type,
                     const void *data, size_t len)
{
    oracle_rec *r = grow(w);
    if (!r)
        return -1;
    r->kind = ORACLE_VALUE;
    r->path = dupstr(path);
    r->name = dupstr(name ? name : "");
    r->data = len ? malloc(len) : NULL;
    if (!r->path || !r->name || (len && !r->data)) {
        free(r->path);
        free(r->name);
        free(r->data);
        return -1;
    }
    if (len)
        memcpy(r->data, data, len);
    r->type = type;
    r->len = len;
    w->n++;
    w->nvalues++;
    return 0;
}

char *oracle_join(const char *parent, const char *child)
{
    size_t pl = strlen(parent), cl = strlen(child);
    char *s = malloc(pl + cl + 2);
    if (!s)
        return NULL;
    if (pl) {
        memcpy(s, parent, pl);
        s[pl++] = '\\';
    }
    memcpy(s + pl, child, cl + 1);
    return s;
}

/* Path order: bytewise, with '\' below every other byte. */
static int path_cmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (;; p++, q++) {
        int x = *p ? (*p == '\\' ? 1 : *p + 1) : 0;
        int y = *q ? (*q == '\\' ? 1 : *q + 1) : 0;
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            return 0;
    }
}

static int u32cmp(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b;
}

static int rec_cmp(const oracle_rec *a, const oracle_rec *b)
{
    int c = path_cmp(a->path, b->path);
    if (c)
        return c;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->kind == ORACLE_VALUE) {
        c = strcmp(a->name, b->name);
        if (c)
            return c < 0 ? -1 : 1;
        if ((c = u32cmp(a->type, b->type)))
            return c;
        if (a->len != b->len)
            return a->len < b->len ? -1 : 1;
        if (a->len && (c = memcmp(a->data, b->data, a->len)))
            return c < 0 ? -1 : 1;
        return 0;
    }
    if ((c = u32cmp(a->nsubkeys, b->nsubkeys)) || (c = u32cmp(a->nvalues, b->nvalues)))
        return c;
    if (!a->cls || !b->cls)
        return (a->cls != NULL) - (b->cls != NULL);
    c = strcmp(a->cls, b->cls);
    return c < 0 ? -1 : c > 0;
}

static int rec_qcmp(const void *a, const void *b)
{
    return rec_cmp(a, b);
}

void oracle_walk_sort(oracle_walk *w)
{
    if (w->n > 1)
        qsort(w->recs, w->n, sizeof(*w->recs), rec_qcmp);
}

/* Printable, bounded rendering of a UTF-8 string (control bytes escaped). */
static void show(const char *s, char *out, size_t sz)
{
    size_t o = 0;
    if (!s) {
        snprintf(out, sz, "(none)");
        return;
    }
    if (sz < 8) {
        if (sz)
            out[0] = 0;
        return;
    }
    out[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 6 < sz; p++) {
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t)snprintf(out + o, sz - o, "\\x%02x", *p);
        else
            out[o++] = (char)*p;
    }
    if (o + 1 < sz)
        out[o++] = '"';
    out[o] = 0;
}

static void hexdump(const uint8_t *d, size_t len, char *out, size_t sz)
{
    size_t o = 0, i;
    out[0] = 0;
    for (i = 0; i < len && i < 24 && o + 3 < sz; i++)
        o += (size_t)snprintf(out + o, sz - o, "%02x", d[i]);
    if (i < len && o + 4 < sz)
        snprintf(out + o, sz - o, "...");
}

void oracle_rec_describe(const oracle_rec *r, char *buf, size_t sz)
{
    char p[300], n[200], c[200], h[80];
    show(r->path, p, sizeof(p));
    if (r->kind == ORACLE_KEY) {
        show(r->cls, c, sizeof(c));
        snprintf(buf, sz, "key %s (%u subkeys, %u values, class %s)", p, r->nsubkeys,
                 r->nvalues, c);
    } else {
        show(r->name, n, sizeof(n));
        hexdump(r->data, r->len, h, sizeof(h));
        snprintf(buf, sz, "value %s in key %s (type %u, %zu bytes: %s)", n, p, r->type, r->len,
                 h);
    }
}

static int field_diff(const oracle_rec *a, const oracle_rec *b, unsigned flags, const char **what)
{
    if (path_cmp(a->path, b->path)) {
        *what = "path";
        return 1;
    }
    if (a->kind != b->kind) {
        *what = "record kind";
        return 1;
    }
    if (a->kind == ORACLE_KEY) {
        if (a->nsubkeys != b->nsubkeys) {
            *what = "number of subkeys";
            return 1;
        }
        if (a->nvalues != b->nvalues) {
            *what = "number of values";
            return 1;
        }
        if ((flags & ORACLE_CMP_CLASS) &&
            ((!a->cls) != (!b->cls) || (a->cls && strcmp(a->cls, b->cls)))) {
            *what = "class name";
            return 1;
        }
        return 0;
    }
    if (strcmp(a->name, b->name)) {
        *what = "value name";
        return 1;
    }
    if (a->type != b->type) {
        *what = "value type";
        return 1;
    }
    if (flags & ORACLE_CMP_DATA_LIBREGF) {
        /* libregf is exact for all but REG_SZ/REG_EXPAND_SZ and 1-3 bytes */
        if (a->type == 1 || a->type == 2)
            return 0;
        if (a->len != b->len) {
            *what = "data length";
            return 1;
        }
        if (a->len >= 4 && memcmp(a->data, b->data, a->len)) {
            *what = "data bytes";
            return 1;
        }
    } else if (flags & ORACLE_CMP_DATA) {
        if (a->len != b->len) {
            *what = "data length";
            return 1;
        }
        if (a->len && memcmp(a->data, b->data, a->len)) {
            *what = "data bytes";
            return 1;
        }
    }
    return 0;
}

int oracle_compare(const oracle_walk *a, const oracle_walk *b, unsigned flags, char *diffbuf,
                   size_t diffsz)
{
    char da[700], db[700];
    const char *what = NULL;
    if (a->data_exact == ORACLE_DATA_NONE || b->data_exact == ORACLE_DATA_NONE)
        flags &= ~ORACLE_CMP_DATA;
    if ((flags & ORACLE_CMP_DATA) &&
        (a->data_exact == ORACLE_DATA_LIBREGF || b->data_exact == ORACLE_DATA_LIBREGF))
        flags = (flags & ~ORACLE_CMP_DATA) | ORACLE_CMP_DATA_LIBREGF;
    if (!a->class_known || !b->class_known)
        flags &= ~ORACLE_CMP_CLASS;
    if (diffbuf && diffsz)
        diffbuf[0] = 0;
    /* Data and class come last in the sort order, so records that differ
     * only in fields not compared here still line up pairwise. */
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        if (field_diff(&a->recs[i], &b->recs[i], flags, &what)) {
            oracle_rec_describe(&a->recs[i], da, sizeof(da));
            oracle_rec_describe(&b->recs[i], db, sizeof(db));
            char at[96] = "";
            const oracle_rec *x = &a->recs[i], *y = &b->recs[i];
            if (x->kind == ORACLE_VALUE && y->kind == ORACLE_VALUE && x->len && y->len) {
                size_t k = 0, m = x->len < y->len ? x->len : y->len;
                while (k < m && x->data[k] == y->data[k])
                    k++;
                if (k < m)
                    snprintf(at, sizeof(at), "\n  first differing byte at offset %zu: %02x vs %02x",
                             k, x->data[k], y->data[k]);
            }
            if (diffbuf)
                snprintf(diffbuf, diffsz, "record %zu differs in %s:\n  %s: %s\n  %s: %s%s", i,
                         what, a->source, da, b->source, db, at);
            return 1;
        }
    }
    if (a->n != b->n) {
        const oracle_walk *l = a->n > b->n ? a : b;
        oracle_rec_describe(&l->recs[n], da, sizeof(da));
        if (diffbuf)
            snprintf(diffbuf, diffsz,
                     "%s has %zu records (%zu keys, %zu values), %s has %zu (%zu keys, %zu "
                     "values); first extra in %s: %s",
                     a->source, a->n, a->nkeys, a->nvalues, b->source, b->n, b->nkeys,
                     b->nvalues, l->source, da);
        return 1;
    }
    return 0;
}

static size_t seen_hash(uint64_t k, size_t cap)
{
    k *= 0x9E3779B97F4A7C15ull;
    return (size_t)(k >> 20) & (cap - 1);
}

int oracle_seen_add(oracle_seen *s, uint32_t off)
{
    uint64_t k = (uint64_t)off + 1;
    if ((s->n + 1) * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        uint64_t *ns = calloc(nc, sizeof(*ns));
        if (!ns)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i])
                continue;
            size_t j = seen_hash(s->slots[i], nc);
            while (ns[j])
                j = (j + 1) & (nc - 1);
            ns[j] = s->slots[i];
        }
        free(s->slots);
        s->slots = ns;
        s->cap = nc;
    }
    size_t j = seen_hash(k, s->cap);
    while (s->slots[j]) {
        if (s->slots[j] == k)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = k;
    s->n++;
    return 1;
}

void oracle_seen_free(oracle_seen *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->n = 0;
}
