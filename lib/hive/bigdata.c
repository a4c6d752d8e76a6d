/* Value data storage: inline (<= 4 bytes), one cell, or big data (db record
 * with 16344-byte segments) for more than 16344 bytes in hives >= 1.4. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

#define BF_MAX_VALUE_DATA BF_LIMIT_VALUE_SIZE       /* bootfix's limit: 256 MiB */
#define BF_MAX_VALUE_DATA_13 BF_LIMIT_VALUE_SIZE_13 /* 1 MB in the standard (1.3) format [S7] */

/* Most data bytes one value may hold in this hive's format version. */
static uint32_t max_value_data(const bf_hive *h) { return h->minor == 3 ? BF_MAX_VALUE_DATA_13 : BF_MAX_VALUE_DATA; }

static int is_big(const bf_hive *h, uint32_t size) { return h->minor >= 4 && size > REGF_BIG_SEGMENT; }

/* Assemble the big data (db) record at `off` for `size` bytes into *scratch. */
static int big_data_gather(bf_hive *h, uint32_t off, const uint8_t *c, uint32_t clen, uint32_t size,
                           uint8_t **scratch, size_t *scratch_cap, bf_error *err)
{
    if (clen < 8 || memcmp(c, "db", 2) != 0)
        return bf_fail(err, BF_ERR_FORMAT,
                       "%s: offset 0x%llx: value data of %u bytes in a version 1.%u hive must be a big data "
                       "(db) record", h->path, (unsigned long long)off + REGF_BASE_BLOCK, size, h->minor);
    uint32_t nseg = rd16(c + 2), list = rd32(c + 4);
    uint32_t want = (size + REGF_BIG_SEGMENT - 1) / REGF_BIG_SEGMENT;
    uint32_t llen;
    const uint8_t *lp = bf_cell(h, list, &llen, "big data segment list", err);
    if (!lp)
        return err ? err->code : BF_ERR_FORMAT;
    if (nseg < want || (uint64_t)nseg * 4 > llen)
        return bf_fail(err, BF_ERR_FORMAT,
                       "%s: offset 0x%llx: big data record has %u segments (list of %u bytes) for %u bytes",
                       h->path, (unsigned long long)off + REGF_BASE_BLOCK, nseg, llen, size);
    if (*scratch_cap < size) {
        uint8_t *d = bf_realloc(*scratch, size);
        if (!d)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory for %u bytes of value data", size);
        *scratch = d;
        *scratch_cap = size;
    }
    uint32_t done = 0;
    for (uint32_t i = 0; i < want; i++) {
        uint32_t seg = rd32(lp + 4 * i), slen;
        const uint8_t *sp = bf_cell(h, seg, &slen, "big data segment", err);
        uint32_t chunk = size - done < REGF_BIG_SEGMENT ? size - done : REGF_BIG_SEGMENT;
        if (!sp)
            return err ? err->code : BF_ERR_FORMAT;
        if (slen < chunk)
            return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: big data segment of %u bytes is too short",
                           h->path, (unsigned long long)seg + REGF_BASE_BLOCK, slen);
        memcpy(*scratch + done, sp, chunk);
        done += chunk;
    }
    return BF_OK;
}

int bf_data_view(bf_hive *h, const uint8_t *vk, const uint8_t **ptr, size_t *len, uint8_t **scratch,
                 size_t *scratch_cap, bf_error *err)
{
    static const uint8_t none[1];
    uint32_t size = rd32(vk + VK_DATASIZE), off = rd32(vk + VK_DATA);
    *ptr = none;
    *len = 0;
    if (size & REGF_INLINE_BIT) {
        uint32_t n = size & ~REGF_INLINE_BIT;
        if (n > 4)
            return bf_fail(err, BF_ERR_FORMAT, "%s: value with inline data of %u bytes (at most 4 fit)", h->path, n);
        *ptr = vk + VK_DATA;
        *len = n;
        return BF_OK;
    }
    if (size == 0)
        return BF_OK;
    if (size > max_value_data(h))
        return bf_fail(err, BF_ERR_LIMIT,
                       "%s: offset 0x%llx: value of %u bytes: more than the limit of %u bytes for a version 1.%u hive",
                       h->path, (unsigned long long)(vk - h->img) + VK_DATASIZE, size, max_value_data(h), h->minor);
    uint32_t clen;
    const uint8_t *c = bf_cell(h, off, &clen, "value data", err);
    if (!c)
        return err ? err->code : BF_ERR_FORMAT;
    if (!is_big(h, size)) {
        if (clen < size)
            return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: value data of %u bytes does not fit its cell (%u)",
                           h->path, (unsigned long long)off + REGF_BASE_BLOCK, size, clen);
        *ptr = c;
    } else {
        int rc = big_data_gather(h, off, c, clen, size, scratch, scratch_cap, err);
        if (rc)
            return rc;
        *ptr = *scratch;
    }
    *len = size;
    return BF_OK;
}

int bf_data_read(bf_hive *h, const uint8_t *vk, uint8_t **data, size_t *len, bf_error *err)
{
    uint8_t *scratch = NULL;
    size_t cap = 0;
    const uint8_t *p;
    *data = NULL;
    *len = 0;
    int rc = bf_data_view(h, vk, &p, len, &scratch, &cap, err);
    if (rc) {
        free(scratch);
        return rc;
    }
    if (scratch) { /* big data: already a copy of its own */
        *data = scratch;
        return BF_OK;
    }
    size_t n = *len;
    uint8_t *d = bf_malloc(n > 4 ? n : 4);
    if (!d) {
        *len = 0;
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for %zu bytes of value data", n);
    }
    memcpy(d, p, n);
    *data = d;
    return BF_OK;
}

int bf_data_write(bf_hive *h, const void *data, size_t len, uint32_t *size_field, uint32_t *data_field,
                  bf_error *err)
{
    if (len <= 4) {
        uint8_t b[4] = {0, 0, 0, 0};
        if (len)
            memcpy(b, data, len);
        *size_field = (uint32_t)len | REGF_INLINE_BIT;
        *data_field = rd32(b);
        return BF_OK;
    }
    if (len > max_value_data(h))
        return bf_fail(err, BF_ERR_LIMIT, "%s: %zu bytes of value data: the limit is %u bytes in a version 1.%u hive",
                       h->path, len, max_value_data(h), h->minor);
    uint32_t size = (uint32_t)len, off;
    int rc;
    if (!is_big(h, size)) {
        rc = bf_cell_alloc(h, size, &off, err);
        if (rc)
            return rc;
        memcpy(bf_at(h, off) + 4, data, size);
    } else {
        uint32_t nseg = (size + REGF_BIG_SEGMENT - 1) / REGF_BIG_SEGMENT, list, db;
        rc = bf_cell_alloc(h, nseg * 4, &list, err);
        if (rc)
            return rc;
        for (uint32_t i = 0; i < nseg; i++) {
            uint32_t seg, chunk = size - i * REGF_BIG_SEGMENT;
            if (chunk > REGF_BIG_SEGMENT)
                chunk = REGF_BIG_SEGMENT;
            /* Windows allocates every segment, the last one too, at 16344 bytes */
            rc = bf_cell_alloc(h, REGF_BIG_SEGMENT, &seg, err);
            if (rc) {
                for (uint32_t j = 0; j < i; j++)
                    bf_cell_free(h, rd32(bf_at(h, list) + 4 + 4 * j));
                bf_cell_free(h, list);
                return rc;
            }
            memcpy(bf_at(h, seg) + 4, (const uint8_t *)data + (size_t)i * REGF_BIG_SEGMENT, chunk);
            wr32(bf_at(h, list) + 4 + 4 * i, seg);
        }
        rc = bf_cell_alloc(h, 8, &db, err);
        if (rc) {
            for (uint32_t j = 0; j < nseg; j++)
                bf_cell_free(h, rd32(bf_at(h, list) + 4 + 4 * j));
            bf_cell_free(h, list);
            return rc;
        }
        uint8_t *p = bf_at(h, db) + 4;
        memcpy(p, "db", 2);
        wr16(p + 2, (uint16_t)nseg);
        wr32(p + 4, list);
        off = db;
    }
    *size_field = size;
    *data_field = off;
    return BF_OK;
}

void bf_data_free(bf_hive *h, uint32_t size_field, uint32_t data_field)
{
    if ((size_field & REGF_INLINE_BIT) || size_field == 0 || data_field == REGF_NIL)
        return;
    uint32_t clen;
    const uint8_t *c = bf_cell(h, data_field, &clen, "value data", NULL);
    if (!c)
        return;
    if (is_big(h, size_field) && clen >= 8 && memcmp(c, "db", 2) == 0) {
        uint32_t nseg = rd16(c + 2), list = rd32(c + 4), llen;
        const uint8_t *lp = bf_cell(h, list, &llen, "big data segment list", NULL);
        if (lp) {
            for (uint32_t i = 0; i < nseg && (uint64_t)i * 4 + 4 <= llen; i++)
                bf_cell_free(h, rd32(bf_at(h, list) + 4 + 4 * i));
            bf_cell_free(h, list);
        }
    }
    bf_cell_free(h, data_field);
}
