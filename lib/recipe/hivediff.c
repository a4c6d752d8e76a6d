/*
 * hivediff.c — the differences between two states of one hive, as journal
 * entries.
 *
 * Both trees are walked from the root at once with an explicit stack; the
 * subkeys (and values) of a key are matched by name as Windows compares
 * names (code units through its uppercase table), in that sorted order, so
 * the entries come out in one deterministic order:
 *
 *   key in both      its changed values (added, deleted, other type or
 *                    data), then its subkeys in order
 *   key only after   BF_J_KEY_ADD, its values (old absent), its subkeys
 *   key only before  its values (new absent), its subkeys, then BF_J_KEY_DEL
 *
 * Every key is visited once, so the cost is linear in the size of both
 * hives.  A tree deeper than BF_MAX_DEPTH, or with more keys than its bins
 * can hold (a cycle in a corrupt file), is refused.
 */
#include "io/io.h"
#include "recipe/internal.h"

#include <stdlib.h>
#include <string.h>

#define NK_MIN_CELL 80u /* size field + fixed nk fields, rounded to 8 */

typedef struct dnamed {
    uint32_t off; /* bf_node or bf_value */
    bf_name nm;
} dnamed;

typedef struct dframe {
    bf_node b, a; /* BF_NONE on the side where the key is absent */
    char *path;
    int depth;
    int post; /* emit BF_J_KEY_DEL of path (after the subtree) */
} dframe;

typedef struct dwalk {
    bf_hive *hb, *ha;
    size_t file;
    bf_journal *j;
    bf_error *err;
    dframe *st;
    size_t n, cap;
    size_t visits_b, visits_a, max_b, max_a;
} dwalk;

static int cmp_named(const void *x, const void *y)
{
    const dnamed *a = x, *b = y;
    return bf_name_cmp(a->nm, b->nm);
}

static int push(dwalk *w, bf_node b, bf_node a, char *path, int depth, int post)
{
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 64;
        dframe *g = bf_realloc(w->st, nc * sizeof *g);
        if (!g) {
            free(path);
            return bf_fail(w->err, BF_ERR_NOMEM, "out of memory comparing hives");
        }
        w->st = g;
        w->cap = nc;
    }
    dframe *f = &w->st[w->n++];
    f->b = b;
    f->a = a;
    f->path = path;
    f->depth = depth;
    f->post = post;
    return BF_OK;
}

static char *join_path(const char *parent, bf_name nm)
{
    char *name = bf_name_to_utf8(nm);
    if (!name)
        return NULL;
    size_t lp = strlen(parent), ln = strlen(name);
    char *s = bf_malloc(lp + ln + 2);
    if (s) {
        if (lp) {
            memcpy(s, parent, lp);
            s[lp] = '\\';
            memcpy(s + lp + 1, name, ln + 1);
        } else {
            memcpy(s, name, ln + 1);
        }
    }
    free(name);
    return s;
}

/* Subkeys of n (none for BF_NONE) with their names, sorted. */
static int named_children(bf_hive *h, bf_node n, dnamed **out, size_t *count, bf_error *err)
{
    *out = NULL;
    *count = 0;
    if (n == BF_NONE)
        return BF_OK;
    bf_node *kids;
    size_t nk;
    int rc = bf_node_children(h, n, &kids, &nk, err);
    if (rc)
        return rc;
    dnamed *v = bf_malloc((nk ? nk : 1) * sizeof *v);
    if (!v) {
        free(kids);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory comparing hives");
    }
    for (size_t i = 0; i < nk; i++) {
        const uint8_t *nkrec = bf_nk(h, kids[i], NULL, err);
        if (!nkrec) {
            free(kids);
            free(v);
            return err ? err->code : BF_ERR_FORMAT;
        }
        v[i].off = kids[i];
        v[i].nm = bf_nk_name(nkrec);
    }
    free(kids);
    qsort(v, nk, sizeof *v, cmp_named);
    *out = v;
    *count = nk;
    return BF_OK;
}

static int named_values(bf_hive *h, bf_node n, dnamed **out, size_t *count, bf_error *err)
{
    *out = NULL;
    *count = 0;
    if (n == BF_NONE)
        return BF_OK;
    bf_value *vals;
    size_t nv;
    int rc = bf_node_values(h, n, &vals, &nv, err);
    if (rc)
        return rc;
    dnamed *v = bf_malloc((nv ? nv : 1) * sizeof *v);
    if (!v) {
        free(vals);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory comparing hives");
    }
    for (size_t i = 0; i < nv; i++) {
        const uint8_t *vk = bf_vk(h, vals[i], NULL, err);
        if (!vk) {
            free(vals);
            free(v);
            return err ? err->code : BF_ERR_FORMAT;
        }
        v[i].off = vals[i];
        v[i].nm = bf_vk_name(vk);
    }
    free(vals);
    qsort(v, nv, sizeof *v, cmp_named);
    *out = v;
    *count = nv;
    return BF_OK;
}

/* One value entry: vb / va are BF_NONE on the side where it is absent. */
static int value_entry(dwalk *w, const char *path, const dnamed *vb, const dnamed *va)
{
    uint8_t *db = NULL, *da = NULL;
    size_t lb = 0, la = 0;
    uint32_t tb = 0, ta = 0;
    int rc = BF_OK;
    if (vb && (rc = bf_value_data(w->hb, vb->off, &tb, &db, &lb, w->err)))
        return rc;
    if (va && (rc = bf_value_data(w->ha, va->off, &ta, &da, &la, w->err))) {
        free(db);
        return rc;
    }
    int same = vb && va && tb == ta && lb == la && (lb == 0 || memcmp(db, da, lb) == 0);
    if (!same) {
        char *name = bf_name_to_utf8(va ? va->nm : vb->nm);
        if (!name)
            rc = bf_fail(w->err, BF_ERR_NOMEM, "out of memory comparing hives");
        else
            rc = rc_journal_add(w->j, w->file, BF_J_VALUE, path, name, vb != NULL, tb, db, lb,
                                va != NULL, ta, da, la, w->err);
        free(name);
    }
    free(db);
    free(da);
    return rc;
}

static int diff_values(dwalk *w, const dframe *f)
{
    dnamed *vb, *va;
    size_t nb, na;
    int rc = named_values(w->hb, f->b, &vb, &nb, w->err);
    if (rc)
        return rc;
    if ((rc = named_values(w->ha, f->a, &va, &na, w->err))) {
        free(vb);
        return rc;
    }
    size_t i = 0, k = 0;
    while (rc == BF_OK && (i < nb || k < na)) {
        int c = i == nb ? 1 : k == na ? -1 : bf_name_cmp(vb[i].nm, va[k].nm);
        if (c < 0)
            rc = value_entry(w, f->path, &vb[i++], NULL);
        else if (c > 0)
            rc = value_entry(w, f->path, NULL, &va[k++]);
        else
            rc = value_entry(w, f->path, &vb[i++], &va[k++]);
    }
    free(vb);
    free(va);
    return rc;
}

/* Push the subkey pairs of a frame so that they pop in sorted order. */
static int push_children(dwalk *w, const dframe *f)
{
    dnamed *kb, *ka;
    size_t nb, na;
    int rc = named_children(w->hb, f->b, &kb, &nb, w->err);
    if (rc)
        return rc;
    if ((rc = named_children(w->ha, f->a, &ka, &na, w->err))) {
        free(kb);
        return rc;
    }
    if ((nb || na) && f->depth + 1 > BF_MAX_DEPTH) {
        rc = bf_fail(w->err, BF_ERR_FORMAT, "%s: key %s: subkeys deeper than %d levels",
                     bf_hive_path(nb ? w->hb : w->ha), f->path, BF_MAX_DEPTH);
        goto out;
    }
    /* merge from the end: the stack pops the last pushed first */
    size_t i = nb, k = na;
    while (i > 0 || k > 0) {
        /* the larger name of the two list ends goes first */
        int c = i == 0 ? -1 : k == 0 ? 1 : bf_name_cmp(kb[i - 1].nm, ka[k - 1].nm);
        const dnamed *pb = NULL, *pa = NULL;
        if (c > 0) {
            pb = &kb[--i];
        } else if (c < 0) {
            pa = &ka[--k];
        } else {
            pb = &kb[--i];
            pa = &ka[--k];
        }
        char *path = join_path(f->path, pa ? pa->nm : pb->nm);
        if (!path) {
            rc = bf_fail(w->err, BF_ERR_NOMEM, "out of memory comparing hives");
            goto out;
        }
        if ((rc = push(w, pb ? pb->off : BF_NONE, pa ? pa->off : BF_NONE, path, f->depth + 1, 0)))
            goto out;
    }
out:
    free(kb);
    free(ka);
    return rc;
}

static int count_visit(dwalk *w, const dframe *f)
{
    if (f->b != BF_NONE && ++w->visits_b > w->max_b)
        return bf_fail(w->err, BF_ERR_FORMAT, "%s: more keys than the hive can hold (a key list loops, at %s)",
                       bf_hive_path(w->hb), f->path);
    if (f->a != BF_NONE && ++w->visits_a > w->max_a)
        return bf_fail(w->err, BF_ERR_FORMAT, "%s: more keys than the hive can hold (a key list loops, at %s)",
                       bf_hive_path(w->ha), f->path);
    return BF_OK;
}

static int step(dwalk *w, dframe *f)
{
    int rc;
    if (f->post)
        return rc_journal_add(w->j, w->file, BF_J_KEY_DEL, f->path, "", 0, 0, NULL, 0, 0, 0, NULL, 0,
                              w->err);
    if ((rc = count_visit(w, f)))
        return rc;
    if (f->b == BF_NONE &&
        (rc = rc_journal_add(w->j, w->file, BF_J_KEY_ADD, f->path, "", 0, 0, NULL, 0, 0, 0, NULL, 0,
                             w->err)))
        return rc;
    if ((rc = diff_values(w, f)))
        return rc;
    if (f->a == BF_NONE) {
        char *again = bf_strdup(f->path);
        if (!again)
            return bf_fail(w->err, BF_ERR_NOMEM, "out of memory comparing hives");
        if ((rc = push(w, f->b, BF_NONE, again, f->depth, 1)))
            return rc;
    }
    return push_children(w, f);
}

int bf_journal_diff(bf_hive *before, bf_hive *after, size_t file, bf_journal *j, bf_error *err)
{
    dwalk w;
    memset(&w, 0, sizeof w);
    w.hb = before;
    w.ha = after;
    w.file = file;
    w.j = j;
    w.err = err;
    w.max_b = bf_hbins_size(before) / NK_MIN_CELL + 1;
    w.max_a = bf_hbins_size(after) / NK_MIN_CELL + 1;
    char *root = bf_strdup("");
    if (!root)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory comparing hives");
    int rc = push(&w, bf_hive_root(before), bf_hive_root(after), root, 0, 0);
    while (rc == BF_OK && w.n > 0) {
        dframe f = w.st[--w.n];
        rc = step(&w, &f);
        free(f.path);
    }
    for (size_t i = 0; i < w.n; i++)
        free(w.st[i].path);
    free(w.st);
    return rc;
}
