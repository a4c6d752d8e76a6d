/* The cell allocator.  Free cells are kept in an array sorted by offset;
 * allocation is best fit, then a new bin at the end of the hive.  Freed
 * cells are coalesced with free neighbours in the same bin, as Windows
 * does, so that space is reused before the hive grows. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

static size_t free_index(const bf_hive *h, uint32_t off)
{
    size_t lo = 0, hi = h->nfree;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->freel[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int bf_free_insert(bf_hive *h, size_t at, uint32_t off, uint32_t size)
{
    if (h->nfree == h->free_cap) {
        size_t cap = h->free_cap ? h->free_cap * 2 : 256;
        bf_free_cell *nf = bf_realloc(h->freel, cap * sizeof *nf);
        if (!nf)
            return BF_ERR_NOMEM;
        h->freel = nf;
        h->free_cap = cap;
    }
    memmove(&h->freel[at + 1], &h->freel[at], (h->nfree - at) * sizeof *h->freel);
    h->freel[at] = (bf_free_cell){off, size};
    h->nfree++;
    return BF_OK;
}

static void free_remove(bf_hive *h, size_t at)
{
    memmove(&h->freel[at], &h->freel[at + 1], (h->nfree - at - 1) * sizeof *h->freel);
    h->nfree--;
}

static void set_size(bf_hive *h, uint32_t off, int32_t size) { wr32(bf_at(h, off), (uint32_t)size); }

/* Append a bin big enough for a cell of `need` bytes; returns its first cell. */
static int add_bin(bf_hive *h, uint32_t need, uint32_t *cell, bf_error *err)
{
    uint32_t old = bf_hbins_size(h);
    uint64_t bsize = ((uint64_t)need + REGF_BIN_HDR + REGF_BIN_ALIGN - 1) / REGF_BIN_ALIGN * REGF_BIN_ALIGN;
    if ((uint64_t)old + bsize > BF_MAX_HIVE_SIZE)
        return bf_fail(err, BF_ERR_LIMIT, "%s: the hive would grow beyond %u bytes", h->path,
                       (unsigned)BF_MAX_HIVE_SIZE);
    size_t nlen = h->img_len + (size_t)bsize;
    uint8_t *ni = bf_realloc(h->img, nlen);
    if (!ni)
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory growing the hive", h->path);
    uint8_t *cm = bf_realloc(h->cellmap, (old + bsize) / 64 + 1);
    if (!cm) {
        h->img = ni;
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory growing the hive", h->path);
    }
    memset(cm + h->cellmap_len, 0, (old + bsize) / 64 + 1 - h->cellmap_len);
    h->cellmap = cm;
    h->cellmap_len = (old + bsize) / 64 + 1;
    if (bf_bins_reserve(h) != BF_OK) {
        h->img = ni;
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
    }
    h->img = ni;
    h->img_len = nlen;
    uint8_t *b = bf_at(h, old);
    memset(b, 0, (size_t)bsize);
    memcpy(b, "hbin", 4);
    wr32(b + 4, old);
    wr32(b + 8, (uint32_t)bsize);
    h->bins[h->nbins++] = (bf_bin){old, (uint32_t)bsize};
    wr32(h->img + BB_HBINS_SIZE, bf_hbins_size(h));

    uint32_t c = old + REGF_BIN_HDR, avail = (uint32_t)bsize - REGF_BIN_HDR;
    set_size(h, c, (int32_t)avail);
    bf_cell_mark(h, c, 1);
    int rc = bf_free_insert(h, h->nfree, c, avail);
    if (rc)
        return bf_fail(err, rc, "%s: out of memory", h->path);
    *cell = c;
    return BF_OK;
}

int bf_cell_alloc(bf_hive *h, uint32_t len, uint32_t *off, bf_error *err)
{
    if (len > BF_MAX_HIVE_SIZE - 64)
        return bf_fail(err, BF_ERR_LIMIT, "%s: a cell of %u bytes is too large", h->path, len);
    uint32_t need = (len + 4 + 7) & ~7u;
    if (need < 8)
        need = 8;
    size_t best = h->nfree;
    for (size_t i = 0; i < h->nfree; i++) {
        if (h->freel[i].size >= need && (best == h->nfree || h->freel[i].size < h->freel[best].size)) {
            best = i;
            if (h->freel[i].size == need)
                break;
        }
    }
    if (best == h->nfree) {
        uint32_t c;
        int rc = add_bin(h, need, &c, err);
        if (rc)
            return rc;
        best = h->nfree - 1;
    }
    uint32_t c = h->freel[best].off, have = h->freel[best].size;
    if (have - need >= 8) {
        h->freel[best].off = c + need;
        h->freel[best].size = have - need;
        set_size(h, c + need, (int32_t)(have - need));
        bf_cell_mark(h, c + need, 1);
    } else {
        need = have;
        free_remove(h, best);
    }
    set_size(h, c, -(int32_t)need);
    memset(bf_at(h, c) + 4, 0, need - 4);
    h->modified = 1;
    *off = c;
    return BF_OK;
}

void bf_cell_free(bf_hive *h, uint32_t off)
{
    if (!bf_cell_is_start(h, off))
        return;
    int32_t sz = (int32_t)rd32(bf_at(h, off));
    if (sz >= 0)
        return; /* already free */
    const bf_bin *bin = bf_bin_find(h, off);
    if (!bin)
        return;
    uint32_t size = (uint32_t)0 - (uint32_t)sz, bin_end = bin->off + bin->size;
    size_t at = free_index(h, off);
    /* merge with the following cell if it is free */
    if (at < h->nfree && h->freel[at].off == off + size && off + size < bin_end) {
        bf_cell_mark(h, h->freel[at].off, 0);
        size += h->freel[at].size;
        free_remove(h, at);
    }
    /* merge with the preceding free cell in the same bin */
    if (at > 0 && h->freel[at - 1].off + h->freel[at - 1].size == off && h->freel[at - 1].off >= bin->off) {
        bf_cell_mark(h, off, 0);
        h->freel[at - 1].size += size;
        set_size(h, h->freel[at - 1].off, (int32_t)h->freel[at - 1].size);
    } else {
        set_size(h, off, (int32_t)size);
        if (bf_free_insert(h, at, off, size) != BF_OK)
            return; /* out of memory: the cell is free on disk, just not reusable now */
    }
    h->modified = 1;
}
