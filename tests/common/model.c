/*
 * model.c — the expected tree of a hive under test; see model.h.
 * Test helper: running out of memory aborts.
 */
#include "common/model.h"

#include "bootfix/hive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "model: out of memory\n");
        abort();
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xrealloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

/* UTF-8 to upcased UTF-16 code units (invalid bytes become U+FFFD). */
static uint16_t *fold_name(const char *s, size_t *n)
{
    size_t len = strlen(s), k = 0;
    uint16_t *u = xrealloc(NULL, (len * 2 + 1) * sizeof(*u));
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t c = p[i], need = 0;
        if (c < 0x80)
            need = 0;
        else if ((c & 0xE0) == 0xC0)
            need = 1, c &= 0x1F;
        else if ((c & 0xF0) == 0xE0)
            need = 2, c &= 0x0F;
        else if ((c & 0xF8) == 0xF0)
            need = 3, c &= 0x07;
        else
            need = 99;
        if (need == 99) {
            u[k++] = 0xFFFD;
            i++;
            continue;
        }
        int bad = 0;
        for (uint32_t j = 1; j <= need; j++) {
            if (i + j >= len || (p[i + j] & 0xC0) != 0x80) {
                bad = 1;
                break;
            }
            c = (c << 6) | (p[i + j] & 0x3F);
        }
        if (bad) {
            u[k++] = 0xFFFD;
            i++;
            continue;
        }
        i += need + 1;
        if (c >= 0x10000) {
            c -= 0x10000;
            u[k++] = (uint16_t)(0xD800 + (c >> 10));
            u[k++] = (uint16_t)(0xDC00 + (c & 0x3FF));
        } else {
            u[k++] = (uint16_t)c;
        }
    }
    for (size_t j = 0; j < k; j++)
        u[j] = bf_upcase(u[j]);
    *n = k;
    return u;
}

static int fold_eq(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

int model_name_eq(const char *a, const char *b)
{
    size_t na, nb;
    uint16_t *fa = fold_name(a, &na), *fb = fold_name(b, &nb);
    int eq = fold_eq(fa, na, fb, nb);
    free(fa);
    free(fb);
    return eq;
}

static model_key *key_new(model *m, model_key *parent, const char *name)
{
    model_key *k = xrealloc(NULL, sizeof(*k));
    memset(k, 0, sizeof(*k));
    k->name = xstrdup(name);
    k->fold = fold_name(name, &k->nfold);
    k->parent = parent;
    if (m->nall == m->capall) {
        m->capall = m->capall ? m->capall * 2 : 256;
        m->all = xrealloc(m->all, m->capall * sizeof(*m->all));
    }
    k->idx = m->nall;
    m->all[m->nall++] = k;
    if (parent) {
        if (parent->nkids == parent->capkids) {
            parent->capkids = parent->capkids ? parent->capkids * 2 : 4;
            parent->kids = xrealloc(parent->kids, parent->capkids * sizeof(*parent->kids));
        }
        parent->kids[parent->nkids++] = k;
    }
    return k;
}

static void val_clear(model_val *v)
{
    free(v->name);
    free(v->fold);
    free(v->data);
}

/* Free one key's own storage and drop it from m->all. */
static void key_destroy(model *m, model_key *k)
{
    size_t i = k->idx;
    m->all[i] = m->all[--m->nall];
    m->all[i]->idx = i;
    for (size_t j = 0; j < k->nvals; j++)
        val_clear(&k->vals[j]);
    free(k->vals);
    free(k->kids);
    free(k->name);
    free(k->fold);
    free(k->cls);
    free(k);
}

model *model_new(void)
{
    model *m = xrealloc(NULL, sizeof(*m));
    memset(m, 0, sizeof(*m));
    m->root = key_new(m, NULL, "");
    return m;
}

void model_free(model *m)
{
    if (!m)
        return;
    while (m->nall)
        key_destroy(m, m->all[m->nall - 1]);
    free(m->all);
    free(m);
}

model_key *model_child(const model_key *k, const char *name)
{
    size_t n;
    uint16_t *f = fold_name(name, &n);
    model_key *found = NULL;
    for (size_t i = 0; i < k->nkids && !found; i++)
        if (fold_eq(f, n, k->kids[i]->fold, k->kids[i]->nfold))
            found = k->kids[i];
    free(f);
    return found;
}

model_key *model_add_child(model *m, model_key *k, const char *name)
{
    return key_new(m, k, name);
}

size_t model_subtree_keys(const model_key *k)
{
    size_t n = 0, sp = 0, cap = 64;
    const model_key **st = xrealloc(NULL, cap * sizeof(*st));
    st[sp++] = k;
    while (sp) {
        const model_key *c = st[--sp];
        n++;
        if (sp + c->nkids > cap) {
            cap = (sp + c->nkids) * 2;
            st = xrealloc(st, cap * sizeof(*st));
        }
        for (size_t i = 0; i < c->nkids; i++)
            st[sp++] = c->kids[i];
    }
    free(st);
    return n;
}

void model_delete_key(model *m, model_key *k)
{
    model_key *p = k->parent;
    if (!p)
        return;
    for (size_t i = 0; i < p->nkids; i++)
        if (p->kids[i] == k) {
            p->kids[i] = p->kids[--p->nkids];
            break;
        }
    size_t sp = 0, cap = 64;
    model_key **st = xrealloc(NULL, cap * sizeof(*st));
    st[sp++] = k;
    while (sp) {
        model_key *c = st[--sp];
        if (sp + c->nkids > cap) {
            cap = (sp + c->nkids) * 2;
            st = xrealloc(st, cap * sizeof(*st));
        }
        for (size_t i = 0; i < c->nkids; i++)
            st[sp++] = c->kids[i];
        key_destroy(m, c);
    }
    free(st);
}

model_val *model_get_value(const model_key *k, const char *name)
{
    size_t n;
    uint16_t *f = fold_name(name, &n);
    model_val *found = NULL;
    for (size_t i = 0; i < k->nvals && !found; i++)
        if (fold_eq(f, n, k->vals[i].fold, k->vals[i].nfold))
            found = &k->vals[i];
    free(f);
    return found;
}

model_val *model_set_value(model_key *k, const char *name, uint32_t type, const void *data,
                           size_t len)
{
    model_val *v = model_get_value(k, name);
    if (!v) {
        if (k->nvals == k->capvals) {
            k->capvals = k->capvals ? k->capvals * 2 : 4;
            k->vals = xrealloc(k->vals, k->capvals * sizeof(*k->vals));
        }
        v = &k->vals[k->nvals++];
        memset(v, 0, sizeof(*v));
        v->name = xstrdup(name);
        v->fold = fold_name(name, &v->nfold);
    }
    free(v->data);
    v->data = xrealloc(NULL, len);
    if (len)
        memcpy(v->data, data, len);
    v->len = len;
    v->type = type;
    return v;
}

int model_delete_value(model_key *k, const char *name)
{
    model_val *v = model_get_value(k, name);
    if (!v)
        return -1;
    val_clear(v);
    *v = k->vals[--k->nvals];
    return 0;
}

char *model_path(const model_key *k)
{
    size_t len = 0;
    for (const model_key *c = k; c->parent; c = c->parent)
        len += strlen(c->name) + 1;
    if (len)
        len--; /* no separator before the first name */
    char *p = xrealloc(NULL, len + 1);
    p[len] = 0;
    size_t pos = len;
    for (const model_key *c = k; c->parent; c = c->parent) {
        size_t n = strlen(c->name);
        pos -= n;
        memcpy(p + pos, c->name, n);
        if (pos)
            p[--pos] = '\\';
    }
    return p;
}

model *model_from_walk(const oracle_walk *w, char *errbuf)
{
    model *m = model_new();
    /* Records are in depth-first order (path compared component-wise), so
     * the parent of a key is on the stack of its ancestors. */
    size_t sp = 0, cap = 64;
    model_key **st = xrealloc(NULL, cap * sizeof(*st));
    char **sp_path = xrealloc(NULL, cap * sizeof(*sp_path));
    model_key *cur = NULL;
    const char *cur_path = NULL;
    for (size_t i = 0; i < w->n; i++) {
        const oracle_rec *r = &w->recs[i];
        if (r->kind == ORACLE_KEY) {
            if (r->path[0] == 0) {
                if (cur) {
                    snprintf(errbuf, ORACLE_ERRSZ, "model: two root records");
                    goto fail;
                }
                m->root->cls = r->cls ? xstrdup(r->cls) : NULL;
                cur = m->root;
                cur_path = r->path;
                sp = 0;
                st[sp] = cur;
                sp_path[sp++] = r->path;
                continue;
            }
            size_t plen = strlen(r->path);
            while (sp > 0) {
                const char *pp = sp_path[sp - 1];
                size_t pl = strlen(pp);
                if (pl == 0 || (pl < plen && memcmp(pp, r->path, pl) == 0 && r->path[pl] == '\\'))
                    break;
                sp--;
            }
            if (sp == 0) {
                snprintf(errbuf, ORACLE_ERRSZ, "model: key \"%s\" before the root", r->path);
                goto fail;
            }
            size_t pl = strlen(sp_path[sp - 1]);
            const char *name = r->path + (pl ? pl + 1 : 0);
            if (strchr(name, '\\')) {
                snprintf(errbuf, ORACLE_ERRSZ, "model: key \"%s\" has no parent record (or a '\\' in a name)",
                         r->path);
                goto fail;
            }
            cur = key_new(m, st[sp - 1], name);
            cur->cls = r->cls ? xstrdup(r->cls) : NULL;
            cur_path = r->path;
            if (sp == cap) {
                cap *= 2;
                st = xrealloc(st, cap * sizeof(*st));
                sp_path = xrealloc(sp_path, cap * sizeof(*sp_path));
            }
            st[sp] = cur;
            sp_path[sp++] = r->path;
        } else {
            if (!cur || strcmp(cur_path, r->path) != 0) {
                snprintf(errbuf, ORACLE_ERRSZ, "model: value \"%s\" of \"%s\" without its key record",
                         r->name, r->path);
                goto fail;
            }
            model_set_value(cur, r->name, r->type, r->data, r->len);
        }
    }
    free(st);
    free(sp_path);
    return m;
fail:
    free(st);
    free(sp_path);
    model_free(m);
    return NULL;
}

oracle_walk *model_walk(const model *m, const char *label)
{
    oracle_walk *w = oracle_walk_new("model", label);
    if (!w)
        return NULL;
    for (size_t i = 0; i < m->nall; i++) {
        const model_key *k = m->all[i];
        char *path = model_path(k);
        int rc = oracle_add_key(w, path, k->cls, (uint32_t)k->nkids, (uint32_t)k->nvals);
        for (size_t j = 0; j < k->nvals && rc == 0; j++)
            rc = oracle_add_value(w, path, k->vals[j].name, k->vals[j].type, k->vals[j].data,
                                  k->vals[j].len);
        free(path);
        if (rc) {
            oracle_walk_free(w);
            return NULL;
        }
    }
    oracle_walk_sort(w);
    return w;
}
