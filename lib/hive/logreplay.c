/*
 * Transaction-log replay for dirty hives (in memory).
 *
 * Rules: ../shared/reference/regf-writer-rules.md §3.1, §14, §15 and
 * regf-spec-suhanov.md "Format of transaction log files", "Dirty state of a
 * hive", "Multiple transaction log files".
 *
 * A log file starts with a 512-byte copy of the base block (file type 1 or 2:
 * old format, 6: new format).  It is usable only when that copy has the
 * "regf" signature, a correct checksum and Sequence1 == Sequence2.
 *
 * New format (HvLE entries from offset 512): with a valid primary base block,
 * logs are applied in the order of their base-block sequence numbers, the
 * first one starting at its own Sequence1 (not below the primary's
 * Sequence2), each following one continuing at N + 1; every log stops at the
 * first bad entry (signature, size, hashes, hive-bins size) or sequence gap.
 * With an invalid primary base block only the log with the latest entries is
 * used and the base block is taken from it.  Bins that replay wrote or grew
 * and that are not valid afterwards become empty 4 KiB bins.
 *
 * Old format (DIRT vector + 512-byte pages): one log is applied.  A log is
 * applicable when its base-block timestamp equals the primary's (with an
 * invalid primary base block: that field or the first bin's copy of it).  .LOG1 is
 * used, .LOG2 instead when it is applicable and its timestamp is newer
 * (Windows 8 rule), .LOG (single-log scheme) when neither is.  The bins as
 * they will be after replay are verified from the start; replay stops at the
 * first invalid bin (pages from there on are not applied).
 *
 * Every offset and size read from a log is checked against the log length and
 * the hive-bins size before use; every loop is bounded by the log length.
 */
#include "io/io.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#define LOG_SECTOR 512u
#define LOG_ENTRY_HDR 40u
#define LOG_MAX_LOGS 8 /* res->used has 8 slots */

enum { FMT_NONE = 0, FMT_OLD = 1, FMT_NEW = 6 };

typedef struct log_info {
    size_t idx; /* index into logs[] */
    const char *name;
    const uint8_t *d;
    size_t len;
    int fmt;    /* FMT_* when the base block copy is usable, else FMT_NONE */
    uint32_t seq; /* Sequence1 (== Sequence2) of the base block copy */
    uint64_t ts;
    uint32_t hbins;
    /* old format: dirty vector */
    uint32_t nbits;      /* bitmap length in bits (hive-bins size / 512) */
    size_t pages_off;    /* log offset of the first dirty page */
    uint32_t *dirty;     /* bit indexes of the dirty pages, ascending */
    size_t ndirty;
    char why[200];       /* why this log is not usable / where it stopped */
} log_info;

typedef struct hvle {
    size_t off; /* log offset of the entry */
    uint32_t size, flags, seq, hbins, npages;
} hvle;

/* ---- small helpers ------------------------------------------------------------------ */

static const char *nm(const char *s) { return s && *s ? s : "(unnamed)"; }

static void note(char *buf, size_t sz, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;
static void note(char *buf, size_t sz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sz, fmt, ap);
    va_end(ap);
}

static void bump_max(bf_replay_result *res, uint32_t seq)
{
    if (seq > res->max_seq)
        res->max_seq = seq;
}

static void mark_used(bf_replay_result *res, size_t idx)
{
    for (size_t i = 0; i < LOG_MAX_LOGS; i++) {
        if (res->used[i] == (int)idx)
            return;
        if (res->used[i] < 0) {
            res->used[i] = (int)idx;
            if (i + 1 < LOG_MAX_LOGS)
                res->used[i + 1] = -1;
            return;
        }
    }
}

/* Primary base block usable as is: signature, checksum and the fixed fields.
 * Sequence numbers are not part of this (a valid dirty base block). */
static int primary_bb_valid(const uint8_t *bb, char *why, size_t whysz)
{
    if (memcmp(bb, "regf", 4) != 0) {
        note(why, whysz, "no 'regf' signature at offset 0x0");
        return 0;
    }
    uint32_t ck = bf_bb_checksum(bb);
    if (ck != rd32(bb + BB_CHECKSUM)) {
        note(why, whysz, "base block checksum at offset 0x1fc is 0x%08x, computed 0x%08x",
             rd32(bb + BB_CHECKSUM), ck);
        return 0;
    }
    if (rd32(bb + BB_MAJOR) != 1 || rd32(bb + BB_TYPE) != 0 || rd32(bb + BB_FORMAT) != 1) {
        note(why, whysz, "base block version/type/format fields are wrong (%u / %u / %u)",
             rd32(bb + BB_MAJOR), rd32(bb + BB_TYPE), rd32(bb + BB_FORMAT));
        return 0;
    }
    uint32_t hb = rd32(bb + BB_HBINS_SIZE);
    if (hb == 0 || hb % REGF_BIN_ALIGN != 0 || hb > BF_MAX_HIVE_SIZE) {
        note(why, whysz, "hive bins size 0x%x at offset 0x28 is not a multiple of 4096", hb);
        return 0;
    }
    return 1;
}

/* Grow the image so that it holds 4096 + hbins bytes (new bytes zeroed). */
static int grow_image(uint8_t **img, size_t *img_len, uint32_t hbins, const char *pname, bf_error *err)
{
    size_t need = (size_t)REGF_BASE_BLOCK + hbins;
    if (need <= *img_len)
        return BF_OK;
    uint8_t *p = bf_realloc(*img, need);
    if (!p)
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory growing the hive to %zu bytes for log replay",
                       pname, need);
    memset(p + *img_len, 0, need - *img_len);
    *img = p;
    *img_len = need;
    return BF_OK;
}

/* ---- log base block ------------------------------------------------------------------ */

static void log_inspect(log_info *L, bf_replay_result *res)
{
    const uint8_t *d = L->d;
    L->fmt = FMT_NONE;
    if (!d || L->len == 0) {
        note(L->why, sizeof L->why, "%s: empty", nm(L->name));
        return;
    }
    if (L->len < LOG_SECTOR) {
        note(L->why, sizeof L->why, "%s: %zu bytes, too short for a log (512-byte base block)", nm(L->name),
             L->len);
        return;
    }
    if (memcmp(d, "regf", 4) != 0) {
        note(L->why, sizeof L->why, "%s: offset 0x0: no 'regf' signature", nm(L->name));
        return;
    }
    /* any sequence number in a log header counts for max_seq */
    bump_max(res, rd32(d + BB_SEQ1));
    bump_max(res, rd32(d + BB_SEQ2));

    uint32_t ck = bf_bb_checksum(d);
    if (ck != rd32(d + BB_CHECKSUM)) {
        note(L->why, sizeof L->why, "%s: offset 0x1fc: base block checksum 0x%08x, computed 0x%08x (log invalid)",
             nm(L->name), rd32(d + BB_CHECKSUM), ck);
        return;
    }
    uint32_t s1 = rd32(d + BB_SEQ1), s2 = rd32(d + BB_SEQ2);
    if (s1 != s2) {
        note(L->why, sizeof L->why, "%s: offset 0x4: sequence numbers %u/%u differ (log write was interrupted)",
             nm(L->name), s1, s2);
        return;
    }
    uint32_t type = rd32(d + BB_TYPE);
    if (type != 1 && type != 2 && type != 6) {
        note(L->why, sizeof L->why, "%s: offset 0x1c: file type %u is not a transaction log (1, 2 or 6)",
             nm(L->name), type);
        return;
    }
    if (rd32(d + BB_MAJOR) != 1 || rd32(d + BB_FORMAT) != 1) {
        note(L->why, sizeof L->why, "%s: base block major version %u / format %u (expected 1 / 1)", nm(L->name),
             rd32(d + BB_MAJOR), rd32(d + BB_FORMAT));
        return;
    }
    uint32_t hb = rd32(d + BB_HBINS_SIZE);
    if (hb == 0 || hb % REGF_BIN_ALIGN != 0 || hb > BF_MAX_HIVE_SIZE) {
        note(L->why, sizeof L->why, "%s: offset 0x28: hive bins size 0x%x is not a multiple of 4096",
             nm(L->name), hb);
        return;
    }
    L->seq = s1;
    L->ts = rd64(d + BB_TIMESTAMP);
    L->hbins = hb;
    L->fmt = type == 6 ? FMT_NEW : FMT_OLD;
    L->why[0] = '\0';
}

/* ---- new format: HvLE entries ---------------------------------------------------------- */

/* Parse and verify the entry at log offset `off`.  1 when it is a complete
 * entry with correct hashes and page references inside both the entry and its
 * hive-bins size; 0 otherwise (why says what is wrong, empty at a clean end). */
static int hvle_parse(const log_info *L, size_t off, hvle *e, char *why, size_t whysz)
{
    const uint8_t *d = L->d;
    why[0] = '\0';
    if (off >= L->len || L->len - off < LOG_ENTRY_HDR)
        return 0; /* end of file */
    const uint8_t *p = d + off;
    if (memcmp(p, "HvLE", 4) != 0)
        return 0; /* end of entries (padding / zeroes) */
    e->off = off;
    e->size = rd32(p + 4);
    e->flags = rd32(p + 8);
    e->seq = rd32(p + 12);
    e->hbins = rd32(p + 16);
    e->npages = rd32(p + 20);
    if (e->size < LOG_SECTOR || e->size % LOG_SECTOR != 0 || e->size > L->len - off) {
        note(why, whysz, "%s: offset 0x%zx: log entry size 0x%x is not a multiple of 512 inside the file",
             nm(L->name), off, e->size);
        return 0;
    }
    if (e->hbins == 0 || e->hbins % REGF_BIN_ALIGN != 0 || e->hbins > BF_MAX_HIVE_SIZE) {
        note(why, whysz, "%s: offset 0x%zx: log entry hive bins size 0x%x is not a multiple of 4096",
             nm(L->name), off + 16, e->hbins);
        return 0;
    }
    if (e->npages > (e->size - LOG_ENTRY_HDR) / 8u) {
        note(why, whysz, "%s: offset 0x%zx: log entry claims %u dirty pages, more than fit in 0x%x bytes",
             nm(L->name), off + 20, e->npages, e->size);
        return 0;
    }
    uint64_t h1 = bf_marvin32(p + LOG_ENTRY_HDR, e->size - LOG_ENTRY_HDR, BF_MARVIN32_SEED);
    if (h1 != rd64(p + 24)) {
        note(why, whysz, "%s: offset 0x%zx: log entry (sequence %u) Hash-1 0x%016llx, computed 0x%016llx",
             nm(L->name), off + 24, e->seq, (unsigned long long)rd64(p + 24), (unsigned long long)h1);
        return 0;
    }
    uint64_t h2 = bf_marvin32(p, 32, BF_MARVIN32_SEED);
    if (h2 != rd64(p + 32)) {
        note(why, whysz, "%s: offset 0x%zx: log entry (sequence %u) Hash-2 0x%016llx, computed 0x%016llx",
             nm(L->name), off + 32, e->seq, (unsigned long long)rd64(p + 32), (unsigned long long)h2);
        return 0;
    }
    /* page references: inside the hive bins and their data inside the entry */
    uint64_t data = LOG_ENTRY_HDR + 8ull * e->npages;
    for (uint32_t i = 0; i < e->npages; i++) {
        uint32_t poff = rd32(p + LOG_ENTRY_HDR + 8u * i);
        uint32_t psz = rd32(p + LOG_ENTRY_HDR + 8u * i + 4);
        if ((uint64_t)poff + psz > e->hbins) {
            note(why, whysz,
                 "%s: offset 0x%zx: dirty page %u (hive offset 0x%x, 0x%x bytes) is outside the hive bins "
                 "size 0x%x", nm(L->name), off + LOG_ENTRY_HDR + 8u * i, i, poff, psz, e->hbins);
            return 0;
        }
        data += psz;
        if (data > e->size) {
            note(why, whysz, "%s: offset 0x%zx: dirty pages of the log entry (sequence %u) run past its size 0x%x",
                 nm(L->name), off, e->seq, e->size);
            return 0;
        }
    }
    return 1;
}

/* Every verified entry's sequence number counts for max_seq. */
static void hvle_scan_max(const log_info *L, bf_replay_result *res)
{
    hvle e;
    char why[8];
    if (!L->d || L->len < LOG_SECTOR || memcmp(L->d, "regf", 4) != 0 || rd32(L->d + BB_TYPE) != 6)
        return;
    /* entries are 512-aligned; a bad one ends the walk (bounded by len/512) */
    for (size_t off = LOG_SECTOR; hvle_parse(L, off, &e, why, 1); off += e.size)
        bump_max(res, e.seq);
}

/* Last sequence number of the run of contiguous verified entries starting with
 * sequence `first` at offset 512, or 0 entries (*n = 0). */
static uint32_t hvle_chain_end(const log_info *L, uint32_t first, unsigned *n)
{
    hvle e;
    char why[8];
    uint32_t expect = first, last = 0;
    *n = 0;
    for (size_t off = LOG_SECTOR; hvle_parse(L, off, &e, why, 1); off += e.size) {
        if (e.seq != expect)
            break;
        last = e.seq;
        (*n)++;
        if (expect == UINT32_MAX)
            break;
        expect++;
    }
    return last;
}

typedef struct replay_state {
    uint8_t **img;
    size_t *img_len;
    const char *pname;
    uint32_t hbins;     /* current hive-bins size */
    uint32_t last_seq;
    uint32_t flags1;    /* base-block flag 0x1 from the last entry */
    int have_last;
    uint8_t *touched;   /* bit per 4 KiB block written or grown by replay */
    size_t touched_bits;
} replay_state;

static int touched_mark(replay_state *st, uint64_t from, uint64_t to, bf_error *err)
{
    if (to <= from)
        return BF_OK;
    size_t need = (size_t)((to + REGF_BIN_ALIGN - 1) / REGF_BIN_ALIGN);
    if (need > st->touched_bits) {
        size_t nbytes = (need + 7) / 8, old = (st->touched_bits + 7) / 8;
        uint8_t *t = bf_realloc(st->touched, nbytes);
        if (!t)
            return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory during log replay", st->pname);
        memset(t + old, 0, nbytes - old);
        st->touched = t;
        st->touched_bits = nbytes * 8;
    }
    for (uint64_t b = from / REGF_BIN_ALIGN; b < (to + REGF_BIN_ALIGN - 1) / REGF_BIN_ALIGN; b++)
        st->touched[b / 8] |= (uint8_t)(1u << (b % 8));
    return BF_OK;
}

static int touched_get(const replay_state *st, uint32_t pos)
{
    size_t b = pos / REGF_BIN_ALIGN;
    return b < st->touched_bits && (st->touched[b / 8] >> (b % 8)) & 1;
}

/* Apply one verified entry. */
static int hvle_apply(replay_state *st, const log_info *L, const hvle *e, bf_error *err)
{
    int rc = grow_image(st->img, st->img_len, e->hbins, st->pname, err);
    if (rc)
        return rc;
    if (e->hbins > st->hbins && (rc = touched_mark(st, st->hbins, e->hbins, err)))
        return rc;
    const uint8_t *p = L->d + e->off;
    uint8_t *dst = *st->img + REGF_BASE_BLOCK;
    size_t data = LOG_ENTRY_HDR + 8u * (size_t)e->npages;
    for (uint32_t i = 0; i < e->npages; i++) {
        uint32_t poff = rd32(p + LOG_ENTRY_HDR + 8u * i);
        uint32_t psz = rd32(p + LOG_ENTRY_HDR + 8u * i + 4);
        /* checked by hvle_parse: poff + psz <= hbins <= image, data + psz <= size */
        memcpy(dst + poff, p + data, psz);
        data += psz;
        if ((rc = touched_mark(st, poff, (uint64_t)poff + psz, err)))
            return rc;
    }
    st->hbins = e->hbins;
    st->last_seq = e->seq;
    st->flags1 = e->flags & 1u;
    st->have_last = 1;
    return BF_OK;
}

/* Apply the entries of L starting with sequence `expect`.  Returns BF_OK and
 * *applied; L->why records where and why it stopped (if not at a clean end). */
static int hvle_apply_log(replay_state *st, log_info *L, uint32_t expect, unsigned *applied, bf_error *err)
{
    hvle e;
    *applied = 0;
    L->why[0] = '\0';
    for (size_t off = LOG_SECTOR;; off += e.size) {
        if (!hvle_parse(L, off, &e, L->why, sizeof L->why))
            break; /* end, or why says which entry is bad */
        if (e.seq != expect) {
            if (*applied == 0)
                note(L->why, sizeof L->why, "%s: offset 0x%zx: first log entry has sequence %u, expected %u",
                     nm(L->name), off, e.seq, expect);
            break; /* a gap or older remnants: stop after the previous entry */
        }
        int rc = hvle_apply(st, L, &e, err);
        if (rc)
            return rc;
        (*applied)++;
        if (expect == UINT32_MAX)
            break;
        expect++;
    }
    return BF_OK;
}

/* Invalid bins written or grown by replay become empty 4 KiB bins (as Windows
 * does); the walk stops at an invalid bin that replay did not touch. */
static void fix_dummy_bins(replay_state *st)
{
    uint8_t *hb = *st->img + REGF_BASE_BLOCK;
    uint32_t pos = 0;
    while (pos < st->hbins && (size_t)REGF_BASE_BLOCK + pos + REGF_BIN_ALIGN <= *st->img_len) {
        uint8_t *h = hb + pos;
        uint32_t size = rd32(h + 8);
        int ok = memcmp(h, "hbin", 4) == 0 && rd32(h + 4) == pos && size >= REGF_BIN_ALIGN &&
                 size % REGF_BIN_ALIGN == 0 && size <= st->hbins - pos;
        if (ok) {
            pos += size;
            continue;
        }
        if (!touched_get(st, pos))
            return; /* a problem of the primary file: left for the checker to report */
        memset(h, 0, REGF_BIN_ALIGN);
        memcpy(h, "hbin", 4);
        wr32(h + 4, pos);
        wr32(h + 8, REGF_BIN_ALIGN);
        wr32(h + REGF_BIN_HDR, REGF_BIN_ALIGN - REGF_BIN_HDR); /* one free cell */
        pos += REGF_BIN_ALIGN;
    }
}

static void finish_base_block(uint8_t *img, uint32_t seq, uint32_t hbins)
{
    wr32(img + BB_SEQ1, seq);
    wr32(img + BB_SEQ2, seq);
    wr32(img + BB_TYPE, 0);
    wr32(img + BB_HBINS_SIZE, hbins);
    wr32(img + BB_CHECKSUM, bf_bb_checksum(img));
}

/* New-format replay.  Returns BF_OK with res->replayed set when entries were
 * applied (or the base block was recovered); BF_OK with replayed = 0 when
 * nothing was applicable (reasons in the logs' why). */
static int replay_new(uint8_t **img, size_t *img_len, const char *pname, int bb_ok, log_info *logs, size_t n,
                      bf_replay_result *res, bf_error *err)
{
    replay_state st = {img, img_len, pname, 0, 0, 0, 0, NULL, 0};
    log_info *order[LOG_MAX_LOGS];
    size_t k = 0;
    int rc = BF_OK;

    for (size_t i = 0; i < n && k < LOG_MAX_LOGS; i++)
        if (logs[i].fmt == FMT_NEW)
            order[k++] = &logs[i];
    if (k == 0)
        return BF_OK;

    if (!bb_ok) {
        /* only the log with the latest entries; base block from it */
        log_info *best = NULL;
        uint32_t best_end = 0;
        for (size_t i = 0; i < k; i++) {
            unsigned cnt;
            uint32_t end = hvle_chain_end(order[i], order[i]->seq, &cnt);
            if (cnt == 0)
                end = order[i]->seq;
            if (!best || end > best_end) {
                best = order[i];
                best_end = end;
            }
        }
        memcpy(*img, best->d, LOG_SECTOR);
        wr32(*img + BB_TYPE, 0);
        res->base_block_recovered = 1;
        st.hbins = best->hbins;
        if ((rc = grow_image(img, img_len, st.hbins, pname, err)))
            return rc;
        st.flags1 = rd32(*img + BB_FLAGS) & 1u;
        unsigned applied;
        if ((rc = hvle_apply_log(&st, best, best->seq, &applied, err)))
            goto out;
        res->entries += applied;
        mark_used(res, best->idx);
        if (!st.have_last)
            st.last_seq = best->seq;
        res->replayed = 1;
    } else {
        uint32_t pseq2 = rd32(*img + BB_SEQ2);
        st.hbins = rd32(*img + BB_HBINS_SIZE);
        st.flags1 = rd32(*img + BB_FLAGS) & 1u;
        /* earlier entries first: by base-block sequence number, then .LOG, .LOG1, .LOG2 */
        for (size_t i = 1; i < k; i++)
            for (size_t j = i; j > 0 && order[j]->seq < order[j - 1]->seq; j--) {
                log_info *t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (size_t i = 0; i < k; i++) {
            log_info *L = order[i];
            uint32_t expect;
            if (!st.have_last) {
                if (L->seq < pseq2) {
                    note(L->why, sizeof L->why,
                         "%s: log sequence %u is older than the primary's %u (already reconciled)", nm(L->name),
                         L->seq, pseq2);
                    continue;
                }
                expect = L->seq;
            } else {
                if (st.last_seq == UINT32_MAX)
                    break;
                expect = st.last_seq + 1;
                if (L->seq != expect) {
                    note(L->why, sizeof L->why, "%s: log starts at sequence %u, expected %u to continue",
                         nm(L->name), L->seq, expect);
                    continue;
                }
            }
            unsigned applied;
            if ((rc = hvle_apply_log(&st, L, expect, &applied, err)))
                goto out;
            if (applied) {
                res->entries += applied;
                mark_used(res, L->idx);
            }
        }
        if (!st.have_last)
            goto out; /* nothing applicable */
        res->replayed = 1;
    }

    fix_dummy_bins(&st);
    uint32_t fl = rd32(*img + BB_FLAGS);
    wr32(*img + BB_FLAGS, (fl & ~1u) | st.flags1);
    finish_base_block(*img, st.last_seq, st.hbins);
out:
    free(st.touched);
    return rc;
}

/* ---- old format: DIRT vector and 512-byte pages ------------------------------------------ */

/* Check the dirty vector and that every dirty page is in the file; fills
 * L->dirty.  0 when the log cannot be used (why filled), -1 out of memory. */
static int old_inspect(log_info *L)
{
    L->nbits = L->hbins / LOG_SECTOR;
    size_t bytes = ((size_t)L->nbits + 7) / 8;
    if (L->len < LOG_SECTOR + 4 || memcmp(L->d + LOG_SECTOR, "DIRT", 4) != 0) {
        note(L->why, sizeof L->why, "%s: offset 0x200: no 'DIRT' dirty vector signature", nm(L->name));
        return 0;
    }
    if (L->len - LOG_SECTOR - 4 < bytes) {
        note(L->why, sizeof L->why, "%s: offset 0x204: dirty vector of %zu bytes runs past the end of the log",
             nm(L->name), bytes);
        return 0;
    }
    size_t start = LOG_SECTOR + 4 + bytes;
    start = (start + LOG_SECTOR - 1) / LOG_SECTOR * LOG_SECTOR;
    const uint8_t *bm = L->d + LOG_SECTOR + 4;
    size_t cnt = 0;
    for (uint32_t i = 0; i < L->nbits; i++)
        cnt += (bm[i / 8] >> (i % 8)) & 1u;
    if (start > L->len || (L->len - start) / LOG_SECTOR < cnt) {
        note(L->why, sizeof L->why,
             "%s: dirty vector marks %zu pages but the log holds only %zu after offset 0x%zx (truncated log)",
             nm(L->name), cnt, start <= L->len ? (L->len - start) / LOG_SECTOR : 0, start);
        return 0;
    }
    L->dirty = bf_malloc((cnt ? cnt : 1) * sizeof *L->dirty);
    if (!L->dirty)
        return -1;
    L->ndirty = 0;
    for (uint32_t i = 0; i < L->nbits; i++)
        if ((bm[i / 8] >> (i % 8)) & 1u)
            L->dirty[L->ndirty++] = i;
    L->pages_off = start;
    return 1;
}

/* Log data of 512-byte page `page` if it is dirty, else NULL. */
static const uint8_t *old_page(const log_info *L, uint32_t page)
{
    size_t lo = 0, hi = L->ndirty;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (L->dirty[mid] < page)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < L->ndirty && L->dirty[lo] == page)
        return L->d + L->pages_off + (size_t)LOG_SECTOR * lo;
    return NULL;
}

static int old_replay(uint8_t **img, size_t *img_len, const char *pname, int bb_ok, log_info *L,
                      bf_replay_result *res, bf_error *err)
{
    uint32_t hb = L->hbins;
    /* verify the bins as they will be after replay (log page where dirty,
     * else the primary's bytes); stop at the first invalid one */
    uint32_t pos = 0, limit = hb;
    while (pos < hb) {
        const uint8_t *h = old_page(L, pos / LOG_SECTOR);
        if (!h && (size_t)REGF_BASE_BLOCK + pos + REGF_BIN_HDR <= *img_len)
            h = *img + REGF_BASE_BLOCK + pos;
        uint32_t size = h ? rd32(h + 8) : 0;
        if (!h || memcmp(h, "hbin", 4) != 0 || rd32(h + 4) != pos || size < REGF_BIN_ALIGN ||
            size % REGF_BIN_ALIGN != 0 || size > hb - pos) {
            limit = pos;
            note(L->why, sizeof L->why,
                 "%s: hive bin at file offset 0x%x is invalid after applying the log: replay stops there",
                 nm(L->name), REGF_BASE_BLOCK + pos);
            break;
        }
        pos += size;
    }
    size_t napply = 0;
    while (napply < L->ndirty && (uint64_t)L->dirty[napply] * LOG_SECTOR < limit)
        napply++;
    if (napply == 0 && L->ndirty > 0)
        return BF_OK; /* nothing usable: the caller refuses with L->why */

    int rc = grow_image(img, img_len, hb, pname, err);
    if (rc)
        return rc;
    uint8_t *bins = *img + REGF_BASE_BLOCK;
    for (size_t i = 0; i < napply; i++)
        memcpy(bins + (size_t)L->dirty[i] * LOG_SECTOR, L->d + L->pages_off + (size_t)LOG_SECTOR * i, LOG_SECTOR);
    if (!bb_ok) {
        memcpy(*img, L->d, LOG_SECTOR);
        res->base_block_recovered = 1;
    }
    uint32_t seq = rd32(*img + BB_SEQ1);
    if (rd32(*img + BB_SEQ2) > seq)
        seq = rd32(*img + BB_SEQ2);
    if (L->seq > seq)
        seq = L->seq;
    finish_base_block(*img, seq, hb);
    res->entries += (unsigned)napply;
    res->replayed = 1;
    mark_used(res, L->idx);
    return BF_OK;
}

/* Choose the old-format log (see the file comment) and apply it. */
static int replay_old(uint8_t **img, size_t *img_len, const char *pname, int bb_ok, log_info *logs, size_t n,
                      bf_replay_result *res, bf_error *err)
{
    uint64_t pts = rd64(*img + BB_TIMESTAMP);
    /* the first bin's copy of the timestamp */
    uint64_t bin_ts = *img_len >= REGF_BASE_BLOCK + REGF_BIN_HDR ? rd64(*img + REGF_BASE_BLOCK + 20) : 0;
    int ok[LOG_MAX_LOGS] = {0};

    for (size_t i = 0; i < n && i < LOG_MAX_LOGS; i++) {
        log_info *L = &logs[i];
        if (L->fmt != FMT_OLD)
            continue;
        int r = old_inspect(L);
        if (r < 0)
            return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory during log replay", pname);
        if (!r)
            continue;
        if (bb_ok ? L->ts != pts : (L->ts != pts && L->ts != bin_ts)) {
            note(L->why, sizeof L->why,
                 "%s: log timestamp 0x%016llx does not match the primary's 0x%016llx (stale log)", nm(L->name),
                 (unsigned long long)L->ts, (unsigned long long)(bb_ok ? pts : bin_ts));
            continue;
        }
        ok[i] = 1;
    }
    /* .LOG1 normally; .LOG2 when it holds a newer copy; .LOG (single-log scheme) last */
    int pick = -1;
    if (n > 1 && ok[1])
        pick = 1;
    if (n > 2 && ok[2] && (pick < 0 || logs[2].ts > logs[1].ts))
        pick = 2;
    if (pick < 0 && n > 0 && ok[0])
        pick = 0;
    for (size_t i = 3; pick < 0 && i < n && i < LOG_MAX_LOGS; i++)
        if (ok[i])
            pick = (int)i;
    if (pick < 0)
        return BF_OK;
    return old_replay(img, img_len, pname, bb_ok, &logs[pick], res, err);
}

/* ---- entry point ---------------------------------------------------------------------------- */

int bf_log_replay(uint8_t **img, size_t *img_len, const char *primary_name, const bf_log_buf *logs, size_t nlogs,
                  bf_replay_result *res, bf_error *err)
{
    const char *pname = nm(primary_name);
    bf_replay_result dummy;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof *res);
    for (size_t i = 0; i < LOG_MAX_LOGS; i++)
        res->used[i] = -1;
    if (!img || !*img || !img_len || (nlogs && !logs))
        return bf_fail(err, BF_ERR_INVALID, "%s: bf_log_replay: missing image or log array", pname);
    if (*img_len < REGF_BASE_BLOCK)
        return bf_fail(err, BF_ERR_FORMAT, "%s: %zu bytes: too short for a hive (the base block alone is 4096 bytes)",
                       pname, *img_len);
    if (nlogs > LOG_MAX_LOGS)
        nlogs = LOG_MAX_LOGS;

    log_info L[LOG_MAX_LOGS];
    memset(L, 0, sizeof L);
    for (size_t i = 0; i < nlogs; i++) {
        L[i].idx = i;
        L[i].name = logs[i].name;
        L[i].d = logs[i].data;
        L[i].len = logs[i].data ? logs[i].len : 0;
        log_inspect(&L[i], res);
        hvle_scan_max(&L[i], res);
    }

    uint8_t *bb = *img;
    uint32_t s1 = rd32(bb + BB_SEQ1), s2 = rd32(bb + BB_SEQ2);
    int ck_ok = bf_bb_checksum(bb) == rd32(bb + BB_CHECKSUM);
    int rc = BF_OK;
    if (s1 == s2 && ck_ok && memcmp(bb, "regf", 4) == 0)
        goto done; /* clean: logs are ignored */

    char pwhy[160];
    int bb_ok = primary_bb_valid(bb, pwhy, sizeof pwhy);

    if ((rc = replay_new(img, img_len, pname, bb_ok, L, nlogs, res, err)))
        goto done;
    if (!res->replayed && (rc = replay_old(img, img_len, pname, bb_ok, L, nlogs, res, err)))
        goto done;
    if (res->replayed)
        goto done;

    /* nothing applicable: say what is wrong with each log */
    char list[600];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < nlogs && used < sizeof list; i++) {
        if (L[i].len == 0 && !(L[i].name && *L[i].name))
            continue; /* a log that does not exist */
        const char *w = L[i].why[0] ? L[i].why : NULL;
        char tmp[240];
        if (!w) {
            note(tmp, sizeof tmp, "%s: no applicable log entries", nm(L[i].name));
            w = tmp;
        }
        int m = snprintf(list + used, sizeof list - used, "%s%s", used ? "; " : "", w);
        if (m < 0)
            break;
        used += (size_t)m;
    }
    const char *sep = used ? ": " : " (no transaction logs found)";
    if (!bb_ok)
        rc = bf_fail(err, BF_ERR_DIRTY, "%s: base block is invalid (%s) and no transaction log can restore it%s%s",
                     pname, pwhy, sep, list);
    else
        rc = bf_fail(err, BF_ERR_DIRTY,
                     "%s: dirty hive (sequence numbers %u/%u) and no transaction log can be applied%s%s; "
                     "the data Windows kept only in its logs would be lost", pname, s1, s2, sep, list);

done:
    for (size_t i = 0; i < nlogs; i++)
        free(L[i].dirty);
    return rc;
}
