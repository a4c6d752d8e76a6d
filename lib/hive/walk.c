/* Walking a whole tree with one callback per key (bf_hive_walk): keys on an
 * explicit stack, names and big data in buffers reused from key to key, so
 * that reading a hive costs no allocation per key or value. */
#include "io/io.h"
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>

static inline void prefetch_cell(const bf_hive *h, uint32_t off) { BF_PREFETCH_CELL(h, off); }

typedef struct pending {
    bf_node node, parent;
    unsigned depth;
} pending;

typedef struct walker {
    bf_hive *h;
    bf_error *err;
    pending *stack; /* keys still to visit, the next one last */
    size_t n, cap;
    bf_node *kids; /* subkeys of the key just visited */
    size_t nkids, kids_cap;
    uint8_t *seen; /* bit per 8 bytes of hive bins: key already listed */
    char *keyname; /* room for the longest name: 3 * 65535 + 1 bytes */
    char *names;   /* value names of the current key, NUL-separated */
    size_t names_len, names_cap;
    bf_walk_value *vals;
    struct value_at {
        size_t name, big; /* offsets in names and big (SIZE_MAX: not big data) */
    } *at;
    size_t vals_cap, at_cap;
    uint8_t *big; /* big data of the current key, one after the other */
    size_t big_len, big_cap;
    unsigned level0;  /* level of the start key (the root is 1) */
    uint8_t *scratch; /* one big data value, assembled */
    size_t scratch_cap;
} walker;

static int grow(void **p, size_t *cap, size_t need, size_t elem, bf_error *err)
{
    if (need <= *cap)
        return BF_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *np = bf_realloc(*p, c * elem);
    if (!np)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    *p = np;
    *cap = c;
    return BF_OK;
}

/* Mark key `n` as listed; BF_ERR_FORMAT if it already was. */
static int mark_seen(walker *w, bf_node n, bf_node parent)
{
    uint32_t bit = n / 8;
    if (w->seen[bit / 8] & (1u << (bit % 8)))
        return bf_fail(w->err, BF_ERR_FORMAT, "%s: offset 0x%llx: key listed twice (again under key 0x%x)",
                       w->h->path, (unsigned long long)n + REGF_BASE_BLOCK, parent);
    w->seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
    return BF_OK;
}

/* One value: its name into w->names and big data into w->big, kept as
 * offsets (w->at) until the buffers stop growing. */
static int add_value(walker *w, bf_value v, size_t i)
{
    bf_hive *h = w->h;
    const uint8_t *vk = bf_vk(h, v, NULL, w->err);
    if (!vk)
        return w->err ? w->err->code : BF_ERR_FORMAT;
    bf_name nm = bf_vk_name(vk);
    size_t units = bf_name_units(nm);
    int rc = grow((void **)&w->names, &w->names_cap, w->names_len + 3 * units + 1, 1, w->err);
    if (rc)
        return rc;
    bf_walk_value *out = &w->vals[i];
    out->value = v;
    out->type = rd32(vk + VK_TYPE);
    out->name_len = bf_units_to_utf8_buf(nm.p, units, nm.comp, w->names + w->names_len);
    w->at[i].name = w->names_len;
    w->names_len += out->name_len + 1;
    w->at[i].big = SIZE_MAX;
    rc = bf_data_view(h, vk, &out->data, &out->len, &w->scratch, &w->scratch_cap, w->err);
    if (rc || out->data != w->scratch || out->len == 0)
        return rc;
    rc = grow((void **)&w->big, &w->big_cap, w->big_len + out->len, 1, w->err);
    if (rc)
        return rc;
    memcpy(w->big + w->big_len, out->data, out->len);
    w->at[i].big = w->big_len;
    w->big_len += out->len;
    return BF_OK;
}

/* All values of key n into w->vals; *count of them. */
static int values_of(walker *w, bf_node n, size_t *count)
{
    const uint8_t *list;
    uint32_t c;
    *count = 0;
    w->names_len = 0;
    w->big_len = 0;
    int rc = bf_value_list(w->h, n, &list, &c, w->err);
    if (rc || c == 0)
        return rc;
    /* the values' cells, then their data cells, asked for before use */
    for (uint32_t i = 0; i < c; i++)
        prefetch_cell(w->h, rd32(list + 4 * i));
    for (uint32_t i = 0; i < c; i++) {
        uint32_t v = rd32(list + 4 * i);
        if (v < bf_hbins_size(w->h) - 4 - VK_NAME) {
            const uint8_t *vk = bf_at(w->h, v) + 4;
            uint32_t size = rd32(vk + VK_DATASIZE);
            if (!(size & REGF_INLINE_BIT) && size > 4)
                prefetch_cell(w->h, rd32(vk + VK_DATA));
        }
    }
    rc = grow((void **)&w->vals, &w->vals_cap, c, sizeof *w->vals, w->err);
    if (rc == BF_OK)
        rc = grow((void **)&w->at, &w->at_cap, c, sizeof *w->at, w->err);
    for (uint32_t i = 0; i < c && rc == BF_OK; i++)
        rc = add_value(w, rd32(list + 4 * i), i);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < c; i++) {
        w->vals[i].name = w->names + w->at[i].name;
        if (w->at[i].big != SIZE_MAX)
            w->vals[i].data = w->big + w->at[i].big;
    }
    *count = c;
    return BF_OK;
}

static int push_kids(walker *w, bf_node parent, unsigned depth)
{
    int rc = grow((void **)&w->stack, &w->cap, w->n + w->nkids, sizeof *w->stack, w->err);
    if (rc)
        return rc;
    for (size_t i = w->nkids; i-- > 0;) {
        rc = mark_seen(w, w->kids[i], parent);
        if (rc)
            return rc;
        w->stack[w->n++] = (pending){w->kids[i], parent, depth};
    }
    return BF_OK;
}

/* Key n's record, if it looks like one (for prefetching only: NULL when
 * not, nothing is trusted beyond the bounds). */
static const uint8_t *nk_peek(const bf_hive *h, uint32_t n)
{
    return n < bf_hbins_size(h) - 4 - NK_NAME ? bf_at(h, n) + 4 : NULL;
}

/* A pipeline over the keys to visit next (the top of the stack): the
 * third one's record, the second one's lists, the next one's values are
 * asked for, each fetched one step before it is needed. */
static void prefetch_next(const walker *w)
{
    const bf_hive *h = w->h;
    if (w->n >= 3)
        prefetch_cell(h, w->stack[w->n - 3].node);
    const uint8_t *nk = w->n >= 2 ? nk_peek(h, w->stack[w->n - 2].node) : NULL;
    if (nk) {
        if (rd32(nk + NK_NVALUES))
            prefetch_cell(h, rd32(nk + NK_VALUES));
        if (rd32(nk + NK_NSUBKEYS))
            prefetch_cell(h, rd32(nk + NK_SUBKEYS));
    }
    nk = w->n >= 1 ? nk_peek(h, w->stack[w->n - 1].node) : NULL;
    uint32_t nv = nk ? rd32(nk + NK_NVALUES) : 0, list = nk ? rd32(nk + NK_VALUES) : REGF_NIL;
    if (nv && list < bf_hbins_size(h) - 4) {
        uint32_t room = (bf_hbins_size(h) - 4 - list) / 4;
        for (uint32_t i = 0; i < nv && i < 16 && i < room; i++)
            prefetch_cell(h, rd32(bf_at(h, list) + 4 + 4 * i));
    }
}

static int visit(walker *w, pending p, bf_walk_fn fn, void *ctx)
{
    bf_hive *h = w->h;
    const uint8_t *nk = bf_nk(h, p.node, NULL, w->err);
    if (!nk)
        return w->err ? w->err->code : BF_ERR_FORMAT;
    bf_walk_key k;
    bf_name nm = bf_nk_name(nk);
    k.node = p.node;
    k.parent = p.parent;
    k.depth = p.depth;
    k.name = w->keyname;
    k.name_len = bf_units_to_utf8_buf(nm.p, bf_name_units(nm), nm.comp, w->keyname);
    k.timestamp = rd64(nk + NK_TIMESTAMP);
    k.nsubkeys = rd32(nk + NK_NSUBKEYS);
    int rc = values_of(w, p.node, &k.nvalues);
    if (rc)
        return rc;
    k.values = w->vals;
    rc = fn(ctx, &k);
    if (rc < 0)
        return rc;
    if (rc == BF_WALK_SKIP || k.nsubkeys == 0) {
        prefetch_next(w);
        return BF_OK;
    }
    if (w->level0 + p.depth + 1 > BF_LIMIT_KEY_DEPTH) { /* the subkeys' level */
        char path[256];
        return bf_fail(w->err, BF_ERR_LIMIT, "%s: key \"%s\" has subkeys deeper than %d levels, the limit", h->path,
                       bf_key_path_str(h, p.node, path, sizeof path), BF_LIMIT_KEY_DEPTH);
    }
    w->nkids = 0;
    rc = bf_node_children_into(h, p.node, &w->kids, &w->nkids, &w->kids_cap, w->err);
    if (rc)
        return rc;
    rc = push_kids(w, p.node, p.depth + 1);
    prefetch_next(w);
    return rc;
}

static void walker_free(walker *w)
{
    free(w->stack);
    free(w->kids);
    free(w->seen);
    free(w->keyname);
    free(w->names);
    free(w->vals);
    free(w->at);
    free(w->big);
    free(w->scratch);
}

int bf_hive_walk(bf_hive *h, bf_node start, bf_walk_fn fn, void *ctx, bf_error *err)
{
    if (!fn)
        return bf_fail(err, BF_ERR_INVALID, "bf_hive_walk: no callback");
    walker w;
    memset(&w, 0, sizeof w);
    w.h = h;
    w.err = err;
    w.seen = bf_calloc(bf_hbins_size(h) / 64 + 1, 1);
    w.keyname = bf_malloc(3 * 65535 + 1);
    int rc = (!w.seen || !w.keyname) ? bf_fail(err, BF_ERR_NOMEM, "out of memory") : BF_OK;
    if (rc == BF_OK && !bf_nk(h, start, NULL, err))
        rc = err ? err->code : BF_ERR_FORMAT;
    if (rc == BF_OK)
        rc = bf_key_level(h, start, &w.level0, err);
    if (rc == BF_OK)
        rc = grow((void **)&w.stack, &w.cap, 1, sizeof *w.stack, err);
    if (rc == BF_OK && (rc = mark_seen(&w, start, BF_NONE)) == BF_OK)
        w.stack[w.n++] = (pending){start, BF_NONE, 0};
    while (rc == BF_OK && w.n)
        rc = visit(&w, w.stack[--w.n], fn, ctx);
    walker_free(&w);
    return rc;
}
