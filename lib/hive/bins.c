/* Hive bins and cells: scanning the bin chain, the cell-start map, and
 * validated access to allocated cells. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

static inline void map_set(bf_hive *h, uint32_t off) { h->cellmap[off >> 6] |= (uint8_t)(1u << ((off >> 3) & 7)); }

int bf_bins_scan(bf_hive *h, bf_error *err)
{
    uint32_t total = bf_hbins_size(h);
    free(h->cellmap);
    free(h->bins);
    free(h->freel);
    h->bins = NULL;
    h->freel = NULL;
    h->nbins = h->bins_cap = h->nfree = h->free_cap = 0;
    h->cellmap_len = total / 64 + 1;
    h->cellmap = bf_calloc(h->cellmap_len, 1);
    if (!h->cellmap)
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory for the cell map", h->path);

    for (uint32_t off = 0; off < total;) {
        const uint8_t *b = bf_at(h, off);
        uint64_t fo = (uint64_t)off + REGF_BASE_BLOCK;
        if (total - off < REGF_BIN_HDR || memcmp(b, "hbin", 4) != 0)
            return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: expected a hive bin ('hbin' signature)",
                           h->path, (unsigned long long)fo);
        uint32_t boff = rd32(b + 4), bsize = rd32(b + 8);
        if (boff != off)
            return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: hive bin says it is at 0x%x but it is at 0x%x",
                           h->path, (unsigned long long)fo, boff, off);
        if (bsize < REGF_BIN_ALIGN || bsize % REGF_BIN_ALIGN != 0 || bsize > total - off)
            return bf_fail(err, BF_ERR_FORMAT,
                           "%s: offset 0x%llx: hive bin size 0x%x is not a multiple of 4096 within the hive bins "
                           "(0x%x bytes)", h->path, (unsigned long long)fo, bsize, total);
        if (bf_bins_reserve(h) != BF_OK)
            return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
        h->bins[h->nbins++] = (bf_bin){off, bsize};

        uint32_t end = off + bsize;
        for (uint32_t c = off + REGF_BIN_HDR; c < end;) {
            int32_t sz = (int32_t)rd32(bf_at(h, c));
            uint32_t asz = sz < 0 ? (uint32_t)0 - (uint32_t)sz : (uint32_t)sz;
            if (asz < 8 || asz % 8 != 0 || asz > end - c)
                return bf_fail(err, BF_ERR_FORMAT,
                               "%s: offset 0x%llx: cell size %d is invalid (must be a multiple of 8, at least 8, "
                               "and end within its bin at 0x%llx)", h->path,
                               (unsigned long long)c + REGF_BASE_BLOCK, sz,
                               (unsigned long long)end + REGF_BASE_BLOCK);
            map_set(h, c);
            if (sz > 0 && bf_free_insert(h, h->nfree, c, asz) != BF_OK)
                return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
            c += asz;
        }
        off = end;
    }
    return BF_OK;
}

int bf_bins_reserve(bf_hive *h)
{
    if (h->nbins < h->bins_cap)
        return BF_OK;
    size_t cap = h->bins_cap ? h->bins_cap * 2 : 64;
    bf_bin *nb = bf_realloc(h->bins, cap * sizeof *nb);
    if (!nb)
        return BF_ERR_NOMEM;
    h->bins = nb;
    h->bins_cap = cap;
    return BF_OK;
}

const bf_bin *bf_bin_find(const bf_hive *h, uint32_t off)
{
    size_t lo = 0, hi = h->nbins;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const bf_bin *b = &h->bins[mid];
        if (off < b->off)
            hi = mid;
        else if (off - b->off >= b->size)
            lo = mid + 1;
        else
            return b;
    }
    return NULL;
}

void bf_cell_mark(bf_hive *h, uint32_t off, int start)
{
    if (start)
        map_set(h, off);
    else
        h->cellmap[off >> 6] &= (uint8_t)~(1u << ((off >> 3) & 7));
}

uint8_t *bf_cell_fail(bf_hive *h, uint32_t off, const char *what, bf_error *err)
{
    if (off == REGF_NIL || !bf_cell_is_start(h, off))
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: %s: cell index 0x%x is not the start of a cell", h->path,
                (unsigned long long)off + REGF_BASE_BLOCK, what, off);
    else
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: %s: cell 0x%x is free, not allocated", h->path,
                (unsigned long long)off + REGF_BASE_BLOCK, what, off);
    return NULL;
}

uint8_t *bf_cell_sig(bf_hive *h, uint32_t off, const char *sig, uint32_t minlen, uint32_t *len,
                     const char *what, bf_error *err)
{
    uint32_t l;
    uint8_t *p = bf_cell(h, off, &l, what, err);
    if (!p)
        return NULL;
    if (l < minlen || l < 2 || memcmp(p, sig, 2) != 0) {
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: %s: expected a '%s' record of at least %u bytes", h->path,
                (unsigned long long)off + REGF_BASE_BLOCK, what, sig, minlen);
        return NULL;
    }
    if (len)
        *len = l;
    return p;
}
