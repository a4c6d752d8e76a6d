/* Subkey lists: li, lf and lh leaves and ri index roots.  Reading is bounded
 * (an ri may point only to leaves); writing keeps entries sorted by Windows'
 * uppercase order with correct lf hints and lh hashes, uses the leaf type of
 * the hive's version, and splits full leaves under an ri. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

enum { L_LI, L_LF, L_LH, L_RI, L_BAD };

static int list_kind(const uint8_t *p)
{
    if (p[0] == 'l' && p[1] == 'i') return L_LI;
    if (p[0] == 'l' && p[1] == 'f') return L_LF;
    if (p[0] == 'l' && p[1] == 'h') return L_LH;
    if (p[0] == 'r' && p[1] == 'i') return L_RI;
    return L_BAD;
}
static unsigned entry_size(int kind) { return (kind == L_LF || kind == L_LH) ? 8 : 4; }
static unsigned leaf_max(int kind) { return kind == L_LF ? 506 : BF_LEAF_MAX; }

/* Validated list cell: kind, count and entry pointer. */
static uint8_t *list_cell(bf_hive *h, uint32_t off, int *kind, uint32_t *count, bf_error *err)
{
    uint32_t len;
    uint8_t *p = bf_cell(h, off, &len, "subkey list", err);
    if (!p)
        return NULL;
    if (len < 4 || (*kind = list_kind(p)) == L_BAD) {
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: expected a subkey list (li, lf, lh or ri)", h->path,
                (unsigned long long)off + REGF_BASE_BLOCK + 4);
        return NULL;
    }
    *count = rd16(p + 2);
    if (4 + (uint64_t)*count * entry_size(*kind) > len) {
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: subkey list of %u entries does not fit its cell (%u bytes)",
                h->path, (unsigned long long)off + REGF_BASE_BLOCK + 4, *count, len);
        return NULL;
    }
    if ((*kind == L_LH && h->minor < 5) || (*kind == L_LF && h->minor < 3)) {
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: an '%c%c' list is not allowed in a version 1.%u hive",
                h->path, (unsigned long long)off + REGF_BASE_BLOCK + 4, p[0], p[1], h->minor);
        return NULL;
    }
    return p;
}

static inline uint32_t entry_nk(const uint8_t *p, int kind, uint32_t i) { return rd32(p + 4 + i * entry_size(kind)); }

int bf_sklist_walk(bf_hive *h, uint32_t list_off, bf_sk_visit fn, void *ctx, bf_error *err)
{
    int kind;
    uint32_t count;
    const uint8_t *p = list_cell(h, list_off, &kind, &count, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    uint32_t nleaves = kind == L_RI ? count : 1;
    for (uint32_t l = 0; l < nleaves; l++) {
        uint32_t leaf_off = kind == L_RI ? rd32(p + 4 + 4 * l) : list_off;
        int lk;
        uint32_t lc;
        const uint8_t *lp = list_cell(h, leaf_off, &lk, &lc, err);
        if (!lp)
            return err ? err->code : BF_ERR_FORMAT;
        if (lk == L_RI)
            return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: an index root points to another index root",
                           h->path, (unsigned long long)leaf_off + REGF_BASE_BLOCK + 4);
        for (uint32_t i = 0; i < lc; i++) {
            /* the keys a few entries on, asked for ahead of use (each is
               usually a cache miss of its own in a big hive) */
            if (i + 8 < lc)
                BF_PREFETCH_CELL(h, entry_nk(lp, lk, i + 8));
            int rc = fn(ctx, entry_nk(lp, lk, i));
            if (rc)
                return rc;
        }
        /* re-fetch: the callback may not move cells, but keep p valid anyway */
        p = bf_at(h, list_off) + 4;
    }
    return BF_OK;
}

/* Compare `name` with the name of the key at nk_off. */
static int cmp_entry(bf_hive *h, bf_name name, uint32_t nk_off, int *out, bf_error *err)
{
    const uint8_t *nk = bf_nk(h, nk_off, NULL, err);
    if (!nk)
        return err ? err->code : BF_ERR_FORMAT;
    *out = bf_name_cmp(name, bf_nk_name(nk));
    return BF_OK;
}

/* Binary search in one leaf: position of name (found) or insertion point. */
static int leaf_search(bf_hive *h, uint32_t leaf_off, bf_name name, uint32_t *pos, int *found, bf_error *err)
{
    int kind;
    uint32_t count;
    const uint8_t *p = list_cell(h, leaf_off, &kind, &count, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    if (kind == L_RI)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: an index root points to another index root", h->path,
                       (unsigned long long)leaf_off + REGF_BASE_BLOCK + 4);
    uint32_t lo = 0, hi = count;
    *found = 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = 0;
        int rc = cmp_entry(h, name, entry_nk(bf_at(h, leaf_off) + 4, kind, mid), &c, err);
        if (rc)
            return rc;
        if (c == 0) {
            *pos = mid;
            *found = 1;
            return BF_OK;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *pos = lo;
    return BF_OK;
}

/* For an ri: the leaf that holds (or should hold) name. */
static int ri_pick(bf_hive *h, uint32_t ri_off, bf_name name, uint32_t *leaf_idx, bf_error *err)
{
    int kind;
    uint32_t count;
    const uint8_t *p = list_cell(h, ri_off, &kind, &count, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    if (count == 0)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: empty index root", h->path,
                       (unsigned long long)ri_off + REGF_BASE_BLOCK + 4);
    for (uint32_t l = 0; l < count; l++) {
        uint32_t leaf = rd32(bf_at(h, ri_off) + 4 + 4 + 4 * l);
        int lk;
        uint32_t lc;
        const uint8_t *lp = list_cell(h, leaf, &lk, &lc, err);
        if (!lp)
            return err ? err->code : BF_ERR_FORMAT;
        if (lk == L_RI)
            return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: an index root points to another index root",
                           h->path, (unsigned long long)leaf + REGF_BASE_BLOCK + 4);
        if (lc == 0)
            continue;
        int c = 0;
        int rc = cmp_entry(h, name, entry_nk(lp, lk, lc - 1), &c, err);
        if (rc)
            return rc;
        if (c <= 0) {
            *leaf_idx = l;
            return BF_OK;
        }
    }
    *leaf_idx = count - 1;
    return BF_OK;
}

int bf_sklist_find(bf_hive *h, uint32_t list_off, bf_name name, uint32_t *nk_off, bf_error *err)
{
    int kind;
    uint32_t count;
    if (!list_cell(h, list_off, &kind, &count, err))
        return err ? err->code : BF_ERR_FORMAT;
    uint32_t leaf = list_off;
    if (kind == L_RI) {
        uint32_t idx;
        int rc = ri_pick(h, list_off, name, &idx, err);
        if (rc)
            return rc;
        leaf = rd32(bf_at(h, list_off) + 4 + 4 + 4 * idx);
    }
    uint32_t pos;
    int found;
    int rc = leaf_search(h, leaf, name, &pos, &found, err);
    if (rc)
        return rc;
    if (!found)
        return BF_ERR_NOT_FOUND;
    int lk;
    uint32_t lc;
    const uint8_t *lp = list_cell(h, leaf, &lk, &lc, err);
    *nk_off = entry_nk(lp, lk, pos);
    return BF_OK;
}

/* ---- writing ---------------------------------------------------------------------- */

static void make_entry(bf_hive *h, int kind, uint32_t nk_off, uint8_t out[8])
{
    wr32(out, nk_off);
    if (kind == L_LF || kind == L_LH) {
        bf_name n = bf_nk_name(bf_at(h, nk_off) + 4);
        if (kind == L_LH)
            wr32(out + 4, bf_name_lh_hash(n));
        else
            bf_name_lf_hint(n, out + 4);
    }
}

static const char *kind_sig(int kind) { return kind == L_LI ? "li" : kind == L_LF ? "lf" : kind == L_LH ? "lh" : "ri"; }

/* Allocate a list cell of `kind` holding `count` raw entries from `src`. */
static int new_list(bf_hive *h, int kind, const uint8_t *src, uint32_t count, uint32_t *off, bf_error *err)
{
    uint32_t es = entry_size(kind);
    int rc = bf_cell_alloc(h, 4 + count * es, off, err);
    if (rc)
        return rc;
    uint8_t *p = bf_at(h, *off) + 4;
    memcpy(p, kind_sig(kind), 2);
    wr16(p + 2, (uint16_t)count);
    memcpy(p + 4, src, (size_t)count * es);
    return BF_OK;
}

/* Copy the entries of leaf `leaf_off` with `entry` inserted at `pos` into new
 * cells: one leaf, or two when it would exceed the leaf maximum.  out[] gets
 * the new leaf offsets (1 or 2). */
static int leaf_with_insert(bf_hive *h, uint32_t leaf_off, uint32_t pos, uint32_t child, uint32_t out[2],
                            unsigned *nout, bf_error *err)
{
    int kind;
    uint32_t count;
    const uint8_t *p = list_cell(h, leaf_off, &kind, &count, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    uint32_t es = entry_size(kind), n = count + 1;
    uint8_t *tmp = bf_malloc((size_t)n * es);
    if (!tmp)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    uint8_t e[8];
    make_entry(h, kind, child, e);
    memcpy(tmp, p + 4, (size_t)pos * es);
    memcpy(tmp + (size_t)pos * es, e, es);
    memcpy(tmp + (size_t)(pos + 1) * es, p + 4 + (size_t)pos * es, (size_t)(count - pos) * es);
    int rc;
    if (n <= leaf_max(kind)) {
        *nout = 1;
        rc = new_list(h, kind, tmp, n, &out[0], err);
    } else {
        uint32_t half = n / 2;
        *nout = 2;
        rc = new_list(h, kind, tmp, half, &out[0], err);
        if (!rc) {
            rc = new_list(h, kind, tmp + (size_t)half * es, n - half, &out[1], err);
            if (rc)
                bf_cell_free(h, out[0]);
        }
    }
    free(tmp);
    return rc;
}

static void raise_u16_field(uint8_t *p, uint32_t v)
{
    /* nk+52: low 16 bits are the largest subkey name length; keep the flags above */
    uint32_t cur = rd32(p);
    if ((cur & 0xFFFF) < v)
        wr32(p, (cur & 0xFFFF0000u) | (v & 0xFFFF));
}

int bf_sklist_insert(bf_hive *h, bf_node parent, uint32_t child, bf_error *err)
{
    const uint8_t *pp = bf_nk(h, parent, NULL, err);
    const uint8_t *cp = bf_nk(h, child, NULL, err);
    if (!pp || !cp)
        return err ? err->code : BF_ERR_FORMAT;
    bf_name cname = bf_nk_name(cp);
    /* the name must not move while we allocate: copy it */
    uint8_t namebuf[2 * 512];
    if (cname.len > sizeof namebuf)
        return bf_fail(err, BF_ERR_LIMIT, "%s: key name too long", h->path);
    memcpy(namebuf, cname.p, cname.len);
    cname.p = namebuf;
    uint32_t name_u16 = (uint32_t)(cname.comp ? cname.len * 2 : cname.len);
    uint32_t nsub = rd32(pp + NK_NSUBKEYS), list = rd32(pp + NK_SUBKEYS);
    uint32_t newlist = REGF_NIL;
    int rc;

    if (nsub == 0) {
        int kind = h->minor >= 5 ? L_LH : h->minor >= 3 ? L_LF : L_LI;
        uint8_t e[8];
        make_entry(h, kind, child, e);
        rc = new_list(h, kind, e, 1, &newlist, err);
        if (rc)
            return rc;
        list = REGF_NIL; /* a stale list of a key without subkeys is not ours to free */
    } else {
        int kind;
        uint32_t count;
        if (!list_cell(h, list, &kind, &count, err))
            return err ? err->code : BF_ERR_FORMAT;
        uint32_t leaf = list, leaf_idx = 0;
        if (kind == L_RI) {
            rc = ri_pick(h, list, cname, &leaf_idx, err);
            if (rc)
                return rc;
            leaf = rd32(bf_at(h, list) + 4 + 4 + 4 * leaf_idx);
        }
        uint32_t pos;
        int found;
        rc = leaf_search(h, leaf, cname, &pos, &found, err);
        if (rc)
            return rc;
        if (found)
            return bf_fail(err, BF_ERR_EXISTS, "%s: a subkey of that name already exists", h->path);
        uint32_t leaves[2];
        unsigned nl = 0;
        rc = leaf_with_insert(h, leaf, pos, child, leaves, &nl, err);
        if (rc)
            return rc;
        if (kind != L_RI && nl == 1) {
            newlist = leaves[0];
        } else {
            /* build a new ri: the old ri's leaves with `leaf` replaced */
            uint32_t ricount = kind == L_RI ? count : 1;
            uint32_t n = ricount - 1 + nl;
            if (n > 0xFFFF) {
                for (unsigned i = 0; i < nl; i++)
                    bf_cell_free(h, leaves[i]);
                return bf_fail(err, BF_ERR_LIMIT, "%s: too many subkeys under one key", h->path);
            }
            uint8_t *tmp = bf_malloc((size_t)n * 4);
            if (!tmp)
                return bf_fail(err, BF_ERR_NOMEM, "out of memory");
            uint32_t k = 0;
            for (uint32_t i = 0; i < ricount; i++) {
                if (i == leaf_idx) {
                    for (unsigned j = 0; j < nl; j++)
                        wr32(tmp + 4 * k++, leaves[j]);
                } else {
                    wr32(tmp + 4 * k++, rd32(bf_at(h, list) + 4 + 4 + 4 * i));
                }
            }
            rc = new_list(h, L_RI, tmp, n, &newlist, err);
            free(tmp);
            if (rc) {
                for (unsigned i = 0; i < nl; i++)
                    bf_cell_free(h, leaves[i]);
                return rc;
            }
            if (kind == L_RI)
                bf_cell_free(h, leaf);
        }
    }
    if (list != REGF_NIL)
        bf_cell_free(h, list);
    uint8_t *p = bf_at(h, parent) + 4;
    wr32(p + NK_NSUBKEYS, nsub + 1);
    wr32(p + NK_SUBKEYS, newlist);
    raise_u16_field(p + NK_MAXNAME, name_u16);
    uint16_t child_cls = rd16(bf_at(h, child) + 4 + NK_CLASSLEN);
    if (rd32(p + NK_MAXCLASS) < child_cls)
        wr32(p + NK_MAXCLASS, child_cls);
    h->modified = 1;
    return BF_OK;
}

int bf_sklist_remove(bf_hive *h, bf_node parent, uint32_t child, bf_error *err)
{
    const uint8_t *pp = bf_nk(h, parent, NULL, err);
    if (!pp)
        return err ? err->code : BF_ERR_FORMAT;
    uint32_t nsub = rd32(pp + NK_NSUBKEYS), list = rd32(pp + NK_SUBKEYS);
    int kind;
    uint32_t count;
    if (nsub == 0 || !list_cell(h, list, &kind, &count, err))
        return bf_fail(err, BF_ERR_NOT_FOUND, "%s: key 0x%x is not a subkey of key 0x%x", h->path, child, parent);
    uint32_t nleaves = kind == L_RI ? count : 1;
    for (uint32_t l = 0; l < nleaves; l++) {
        uint32_t leaf = kind == L_RI ? rd32(bf_at(h, list) + 4 + 4 + 4 * l) : list;
        int lk;
        uint32_t lc;
        uint8_t *lp = list_cell(h, leaf, &lk, &lc, err);
        if (!lp)
            return err ? err->code : BF_ERR_FORMAT;
        uint32_t es = entry_size(lk);
        for (uint32_t i = 0; i < lc; i++) {
            if (entry_nk(lp, lk, i) != child)
                continue;
            memmove(lp + 4 + i * es, lp + 4 + (i + 1) * es, (size_t)(lc - i - 1) * es);
            memset(lp + 4 + (lc - 1) * es, 0, es);
            wr16(lp + 2, (uint16_t)(lc - 1));
            uint32_t newlist = list;
            if (lc == 1) {
                bf_cell_free(h, leaf);
                if (kind != L_RI) {
                    newlist = REGF_NIL;
                } else {
                    uint8_t *rp = bf_at(h, list) + 4;
                    memmove(rp + 4 + 4 * l, rp + 4 + 4 * (l + 1), (size_t)(count - l - 1) * 4);
                    wr16(rp + 2, (uint16_t)(count - 1));
                    if (count == 1) {
                        bf_cell_free(h, list);
                        newlist = REGF_NIL;
                    }
                }
            }
            uint8_t *p = bf_at(h, parent) + 4;
            wr32(p + NK_NSUBKEYS, nsub - 1);
            wr32(p + NK_SUBKEYS, newlist);
            h->modified = 1;
            return BF_OK;
        }
    }
    return bf_fail(err, BF_ERR_NOT_FOUND, "%s: key 0x%x is not in the subkey list of key 0x%x", h->path, child,
                   parent);
}
