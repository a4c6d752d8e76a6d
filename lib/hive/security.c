/* Key security records (sk): reference counting and the circular list. */
#include "internal.h"

static uint8_t *sk_cell(bf_hive *h, uint32_t off, bf_error *err)
{
    uint32_t len;
    uint8_t *p = bf_cell_sig(h, off, "sk", SK_DESC, &len, "security record", err);
    if (p && (uint64_t)SK_DESC + rd32(p + SK_DESCLEN) > len) {
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: security descriptor of %u bytes does not fit its cell",
                h->path, (unsigned long long)off + REGF_BASE_BLOCK + 4, rd32(p + SK_DESCLEN));
        return NULL;
    }
    return p;
}

int bf_sk_ref(bf_hive *h, uint32_t sk_off, bf_error *err)
{
    uint8_t *p = sk_cell(h, sk_off, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    uint32_t rc = rd32(p + SK_REFCOUNT);
    if (rc == 0xFFFFFFFFu)
        return bf_fail(err, BF_ERR_LIMIT, "%s: security record 0x%x reference count overflow", h->path, sk_off);
    wr32(p + SK_REFCOUNT, rc + 1);
    h->modified = 1;
    return BF_OK;
}

int bf_sk_unref(bf_hive *h, uint32_t sk_off, bf_error *err)
{
    uint8_t *p = sk_cell(h, sk_off, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    uint32_t rc = rd32(p + SK_REFCOUNT);
    h->modified = 1;
    if (rc > 1) {
        wr32(p + SK_REFCOUNT, rc - 1);
        return BF_OK;
    }
    /* last reference: unlink from the list and free */
    uint32_t fl = rd32(p + SK_FLINK), bl = rd32(p + SK_BLINK);
    if (fl == sk_off || bl == sk_off) {
        /* the only security record of the hive: keep it (a hive needs one) */
        wr32(p + SK_REFCOUNT, 0);
        return BF_OK;
    }
    uint8_t *fp = sk_cell(h, fl, err), *bp = sk_cell(h, bl, err);
    if (!fp || !bp)
        return err ? err->code : BF_ERR_FORMAT;
    wr32(bp + SK_FLINK, fl);
    wr32(fp + SK_BLINK, bl);
    bf_cell_free(h, sk_off);
    return BF_OK;
}
