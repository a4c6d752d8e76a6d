/*
 * check.c — structural check of a regf image, independent of the reader.
 *
 * Works on the raw bytes of a whole hive file (base block first) with its own
 * bounded parsing and reports every violation of the rules Windows' loader and
 * its registry check (HvpVerifyHiveHeader / CmCheckRegistry, as re-implemented
 * by ReactOS) enforce; see ../shared/reference/regf-writer-rules.md §2, §4–§12.
 *
 * Deliberately NOT reported (Windows writes them itself): a root key without
 * the HIVE_ENTRY flag (offreg output), "largest name/class/data" fields smaller
 * or larger than the truth, stale volatile subkey counts/offsets, reference
 * counts of security records higher than the number of their users, and
 * allocated cells nothing refers to.
 *
 * Every offset is checked against the image before it is read.  The key tree
 * is walked with an explicit stack of at most BF_MAX_DEPTH frames, a bitmap
 * marks the keys already reached (cycles, keys listed twice), and lists are
 * bounded by their cell sizes and BF_MAX_LIST_WALK.
 */
#include "io/io.h"
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#define CK_MAX_REPORTED 1000
#define CK_MAX_BAD_RANGES 64
#define CK_PATH_MAX 600

/* ---- context ----------------------------------------------------------------- */

typedef struct ck_kid {
    uint32_t off;
    bf_name name;
} ck_kid;

typedef struct ck_frame {
    uint32_t off;
    bf_name name;
    ck_kid *kids;
    size_t nkids, next;
} ck_frame;

typedef struct ck_range {
    uint32_t lo, hi;
} ck_range;

typedef struct ck {
    const uint8_t *img;
    const uint8_t *hb; /* hive-bins data (img + 4096) */
    uint32_t limit;    /* bytes of hive-bins data that can be looked at */
    unsigned minor;
    uint32_t hdr;   /* cell header bytes: 4 (8 in version 1.1) */
    uint32_t align; /* cell alignment: 8 (16 in version 1.1) */

    /* one bit per 8 bytes of hive-bins data */
    uint8_t *start; /* a cell (free or allocated) starts here */
    uint8_t *alloc; /* an allocated cell starts here */
    uint8_t *seen;  /* a key reached by the tree walk */
    uint8_t *ring;  /* a security record on the walked sk list */
    uint32_t ncells;

    ck_range bad[CK_MAX_BAD_RANGES]; /* hive-bins bytes that could not be read */
    size_t nbad;

    bf_check_cb cb;
    void *cbctx;
    unsigned long problems;
    int nomem;

    ck_frame stack[BF_MAX_DEPTH];
    size_t depth;

    uint32_t *skrefs; /* sk offset of every key, in walk order */
    size_t nsk, skcap;
} ck;

static inline int bit_get(const uint8_t *m, uint32_t off) { return (m[off >> 6] >> ((off >> 3) & 7)) & 1; }
static inline void bit_set(uint8_t *m, uint32_t off) { m[off >> 6] |= (uint8_t)(1u << ((off >> 3) & 7)); }

#if defined(__GNUC__)
BF_PRINTF(3, 4)
#endif
static void report(ck *c, uint64_t file_off, const char *fmt, ...)
{
    char msg[1400];
    va_list ap;

    c->problems++;
    if (c->problems > CK_MAX_REPORTED || !c->cb)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->cb(c->cbctx, file_off, msg);
    if (c->problems == CK_MAX_REPORTED)
        c->cb(c->cbctx, 0, "1000 problems reported: further problems are counted but not described");
}

/* File offset of a cell index. */
static inline uint64_t fo(uint32_t cell) { return (uint64_t)cell + REGF_BASE_BLOCK; }

/* ---- names for messages ------------------------------------------------------------ */

static void put_utf8(char *buf, size_t sz, size_t *pos, uint32_t cp)
{
    char t[4];
    size_t n, i;

    if (cp < 0x20 || cp == 0x7F) {
        t[0] = '?';
        n = 1;
    } else if (cp < 0x80) {
        t[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (*pos + n + 4 >= sz) { /* keep room for "..." and NUL */
        if (*pos + 4 <= sz && (*pos < 3 || memcmp(buf + *pos - 3, "...", 3) != 0)) {
            memcpy(buf + *pos, "...", 3);
            *pos += 3;
        }
        buf[*pos] = '\0';
        return;
    }
    for (i = 0; i < n; i++)
        buf[(*pos)++] = t[i];
    buf[*pos] = '\0';
}

static void put_name(char *buf, size_t sz, size_t *pos, bf_name nm)
{
    size_t i, n = bf_name_units(nm);

    for (i = 0; i < n && *pos + 8 < sz; i++) {
        uint32_t u = bf_name_unit(nm, i);
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
            uint32_t l = bf_name_unit(nm, i + 1);
            if (l >= 0xDC00 && l <= 0xDFFF) {
                put_utf8(buf, sz, pos, 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00));
                i++;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            u = 0xFFFD;
        put_utf8(buf, sz, pos, u);
    }
    if (i < n)
        put_utf8(buf, sz, pos, 0x2026); /* … */
}

/* Quoted name, for short messages. */
static const char *qname(char *buf, size_t sz, bf_name nm)
{
    size_t pos = 0;
    buf[0] = '\0';
    put_name(buf, sz, &pos, nm);
    return buf;
}

/* Path of the key on top of the stack ("\" for the root), plus `extra` (a
 * child) when not NULL. */
static const char *key_path(const ck *c, char *buf, size_t sz, const bf_name *extra)
{
    size_t pos = 0, i;

    buf[0] = '\0';
    for (i = 1; i < c->depth; i++) {
        put_utf8(buf, sz, &pos, '\\');
        put_name(buf, sz, &pos, c->stack[i].name);
    }
    if (extra) {
        put_utf8(buf, sz, &pos, '\\');
        put_name(buf, sz, &pos, *extra);
    }
    if (pos == 0)
        put_utf8(buf, sz, &pos, '\\');
    return buf;
}

/* ---- cell references ------------------------------------------------------------ */

enum { R_OK, R_NIL, R_OUT, R_ALIGN, R_BADBIN, R_MID, R_FREE, R_SHORT };

static const char *rdesc(int r)
{
    switch (r) {
    case R_NIL: return "is NIL";
    case R_OUT: return "lies outside the hive bins";
    case R_ALIGN: return "is not aligned to a cell boundary";
    case R_BADBIN: return "lies in a hive bin that could not be read";
    case R_MID: return "points into the middle of a cell, not to its start";
    case R_FREE: return "points to a free (unallocated) cell";
    case R_SHORT: return "points to a cell too small for the record";
    default: return "is valid";
    }
}

static uint32_t cell_size(const ck *c, uint32_t off)
{
    uint32_t raw = rd32(c->hb + off);
    return (raw & 0x80000000u) ? 0u - raw : raw;
}

/* Ask for the cell at `off` (and the start map's byte for it) ahead of use:
 * checking a big hive is a chain of cache misses. */
static inline void prefetch(const ck *c, uint32_t off)
{
    if (off < c->limit) {
        BF_PREFETCH(c->hb + off);
        BF_PREFETCH(c->start + (off >> 6));
    }
}

/* The value list and subkey list of the key whose (already validated) nk
 * record is at `off`. */
static inline void prefetch_lists(const ck *c, uint32_t off)
{
    if (off < c->limit && c->limit - off >= c->hdr + NK_VALUES + 4) {
        const uint8_t *nk = c->hb + off + c->hdr;
        prefetch(c, rd32(nk + NK_VALUES));
        prefetch(c, rd32(nk + NK_SUBKEYS));
    }
}

/* Data of the allocated cell starting at `off`, at least `need` bytes long. */
static int ref(const ck *c, uint32_t off, uint64_t need, const uint8_t **data, uint32_t *len)
{
    size_t i;
    uint32_t dl;

    if (off == REGF_NIL)
        return R_NIL;
    if (off >= c->limit)
        return R_OUT;
    if (off % c->align)
        return R_ALIGN;
    if (!bit_get(c->start, off)) {
        for (i = 0; i < c->nbad; i++)
            if (off >= c->bad[i].lo && off < c->bad[i].hi)
                return R_BADBIN;
        return R_MID;
    }
    if (!bit_get(c->alloc, off))
        return R_FREE;
    dl = cell_size(c, off) - c->hdr;
    if (need > dl)
        return R_SHORT;
    *data = c->hb + off + c->hdr;
    *len = dl;
    return R_OK;
}

/* An allocated cell whose data starts with the 2-byte signature `sig`. */
static int ref_sig(const ck *c, uint32_t off, const char *sig, uint64_t need, const uint8_t **data,
                   uint32_t *len, char *why, size_t whysz)
{
    int r = ref(c, off, need < 2 ? 2 : need, data, len);
    if (r == R_SHORT && ref(c, off, 2, data, len) == R_OK && memcmp(*data, sig, 2) != 0)
        r = -1;
    if (r == R_OK && memcmp(*data, sig, 2) != 0)
        r = -1;
    if (r == -1) {
        char s[3] = {(char)(*data)[0], (char)(*data)[1], 0};
        if ((unsigned char)s[0] < 0x20 || (unsigned char)s[0] > 0x7E || (unsigned char)s[1] < 0x20 ||
            (unsigned char)s[1] > 0x7E)
            snprintf(why, whysz, "points to a cell that is not a '%s' record (starts %02x %02x)", sig,
                     (*data)[0], (*data)[1]);
        else
            snprintf(why, whysz, "points to a '%s' record, not a '%s' record", s, sig);
        return -1;
    }
    if (r != R_OK)
        snprintf(why, whysz, "%s", rdesc(r));
    return r;
}

/* ---- base block ------------------------------------------------------------------ */

static void check_base_block(ck *c, size_t len, uint32_t *declared)
{
    const uint8_t *bb = c->img;
    uint32_t seq1 = rd32(bb + BB_SEQ1), seq2 = rd32(bb + BB_SEQ2);
    uint32_t major = rd32(bb + BB_MAJOR), minor = rd32(bb + BB_MINOR);
    uint32_t type = rd32(bb + BB_TYPE), csum = rd32(bb + BB_CHECKSUM), want = bf_bb_checksum(bb);
    uint32_t hsize = rd32(bb + BB_HBINS_SIZE);
    uint64_t avail = (uint64_t)len - REGF_BASE_BLOCK;

    if (seq1 != seq2)
        report(c, BB_SEQ1,
               "base block: hive is dirty (sequence numbers %u and %u differ); its transaction logs "
               "hold data not yet in this file",
               seq1, seq2);
    if (csum != want)
        report(c, BB_CHECKSUM, "base block: checksum 0x%08x is wrong (should be 0x%08x); Windows would "
                               "treat the hive as dirty and recover the base block from a log",
               csum, want);
    if (major != 1)
        report(c, BB_MAJOR, "base block: major version %u is not 1", major);
    if (minor < 1 || minor > 6)
        report(c, BB_MINOR, "base block: minor version %u is not a supported version (1.1 to 1.6)", minor);
    if (type != 0)
        report(c, BB_TYPE, "base block: file type %u is not 0 (primary file)%s", type,
               type == 1 || type == 2 || type == 6 ? "; this is a transaction log" : "");
    if (rd32(bb + BB_FORMAT) != 1)
        report(c, BB_FORMAT, "base block: file format %u is not 1 (direct memory load)", rd32(bb + BB_FORMAT));
    if (rd32(bb + BB_CLUSTER) != 1)
        report(c, BB_CLUSTER, "base block: clustering factor %u is not 1", rd32(bb + BB_CLUSTER));

    c->minor = minor < 1 ? 1 : minor > 6 ? 6 : minor;
    c->hdr = c->minor == 1 ? 8 : 4;
    c->align = c->minor == 1 ? 16 : 8;

    if (avail > BF_MAX_HIVE_SIZE)
        avail = BF_MAX_HIVE_SIZE;
    *declared = hsize;
    if (hsize == 0 || hsize % REGF_BIN_ALIGN) {
        report(c, BB_HBINS_SIZE, "base block: hive-bins size 0x%x is not a non-zero multiple of 4096", hsize);
        c->limit = (uint32_t)(avail & ~(uint64_t)(REGF_BIN_ALIGN - 1));
        *declared = 0;
    } else if (hsize > avail) {
        report(c, BB_HBINS_SIZE,
               "base block: hive-bins size 0x%x runs past the end of the file (file truncated: only "
               "0x%llx bytes of hive bins present)",
               hsize, (unsigned long long)avail);
        c->limit = (uint32_t)(avail & ~(uint64_t)(REGF_BIN_ALIGN - 1));
    } else {
        c->limit = hsize;
    }
}

/* ---- hive bins and cells ------------------------------------------------------------- */

static void mark_bad(ck *c, uint32_t lo, uint32_t hi)
{
    if (c->nbad < CK_MAX_BAD_RANGES) {
        c->bad[c->nbad].lo = lo;
        c->bad[c->nbad].hi = hi;
        c->nbad++;
    } else {
        c->bad[CK_MAX_BAD_RANGES - 1].hi = hi; /* widen the last range */
    }
}

/* Next position after `pos` where a bin header with the right offset field
 * starts, or c->limit. */
static uint32_t resync(const ck *c, uint32_t pos)
{
    uint32_t p;
    for (p = pos + REGF_BIN_ALIGN; p < c->limit && c->limit - p >= REGF_BIN_HDR; p += REGF_BIN_ALIGN)
        if (memcmp(c->hb + p, "hbin", 4) == 0 && rd32(c->hb + p + 4) == p)
            return p;
    return c->limit;
}

static void scan_cells(ck *c, uint32_t bin, uint32_t end)
{
    uint32_t p = bin + REGF_BIN_HDR;

    while (p < end) {
        uint32_t raw, sz;
        if (end - p < 4) {
            report(c, fo(p), "cell at file offset 0x%llx: fewer than 4 bytes left before the end of its bin",
                   (unsigned long long)fo(p));
            mark_bad(c, p, end);
            return;
        }
        raw = rd32(c->hb + p);
        sz = (raw & 0x80000000u) ? 0u - raw : raw;
        if (sz < 8 || sz % c->align || sz > end - p) {
            report(c, fo(p),
                   "cell at file offset 0x%llx: size field %d is invalid (%s); the rest of the bin at "
                   "0x%llx cannot be read",
                   (unsigned long long)fo(p), (int32_t)raw,
                   sz < 8 ? "smaller than 8"
                   : sz % c->align ? (c->align == 8 ? "not a multiple of 8" : "not a multiple of 16")
                                   : "crosses the end of its bin",
                   (unsigned long long)fo(bin));
            mark_bad(c, p, end);
            return;
        }
        bit_set(c->start, p);
        if (raw & 0x80000000u) {
            bit_set(c->alloc, p);
            c->ncells++;
        }
        p += sz;
    }
}

static void scan_bins(ck *c, uint32_t declared)
{
    uint32_t pos = 0;

    while (pos < c->limit) {
        const uint8_t *b = c->hb + pos;
        uint32_t off, size;

        if (c->limit - pos < REGF_BIN_HDR || memcmp(b, "hbin", 4) != 0) {
            uint32_t next = resync(c, pos);
            report(c, fo(pos),
                   "no hive bin at file offset 0x%llx (no 'hbin' signature); bytes up to 0x%llx cannot be read",
                   (unsigned long long)fo(pos), (unsigned long long)fo(next));
            mark_bad(c, pos, next);
            pos = next;
            continue;
        }
        off = rd32(b + 4);
        size = rd32(b + 8);
        if (off != pos)
            report(c, fo(pos) + 4, "hive bin at file offset 0x%llx: offset field 0x%x should be 0x%x",
                   (unsigned long long)fo(pos), off, pos);
        if (size < REGF_BIN_ALIGN || size % REGF_BIN_ALIGN || size > c->limit - pos) {
            uint32_t next = resync(c, pos);
            report(c, fo(pos) + 8, "hive bin at file offset 0x%llx: size 0x%x is %s", (unsigned long long)fo(pos),
                   size,
                   size < REGF_BIN_ALIGN || size % REGF_BIN_ALIGN ? "not a non-zero multiple of 4096"
                                                                  : "beyond the end of the hive bins");
            mark_bad(c, pos, next);
            pos = next;
            continue;
        }
        scan_cells(c, pos, pos + size);
        pos += size;
    }
    if (declared && pos != declared && declared <= c->limit)
        report(c, BB_HBINS_SIZE, "hive bins add up to 0x%x bytes, base block says 0x%x", pos, declared);
}

/* ---- security records -------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int sk_ok(const ck *c, uint32_t off, const uint8_t **d, uint32_t *len, char *why, size_t whysz)
{
    int r = ref_sig(c, off, "sk", SK_DESC, d, len, why, whysz);
    if (r != R_OK)
        return r;
    if ((uint64_t)SK_DESC + rd32(*d + SK_DESCLEN) > *len) {
        snprintf(why, whysz, "points to a security record whose descriptor (%u bytes) does not fit in its cell",
                 rd32(*d + SK_DESCLEN));
        return -1;
    }
    return R_OK;
}

static void check_security(ck *c)
{
    size_t i, j;
    uint32_t start, cur, steps;
    const uint8_t *d, *nd;
    uint32_t len, nlen;
    char why[200];

    if (c->nsk == 0)
        return;
    qsort(c->skrefs, c->nsk, sizeof *c->skrefs, cmp_u32);

    /* walk the circular list from the first security record in use */
    start = c->skrefs[0];
    cur = start;
    for (steps = 0; steps <= c->ncells; steps++) {
        uint32_t next;
        if (sk_ok(c, cur, &d, &len, why, sizeof why) != R_OK)
            break; /* reported by the key using it, or as the previous flink */
        bit_set(c->ring, cur);
        next = rd32(d + SK_FLINK);
        if (sk_ok(c, next, &nd, &nlen, why, sizeof why) != R_OK) {
            report(c, fo(cur) + c->hdr + SK_FLINK, "security record 0x%x: forward link 0x%x %s", cur, next, why);
            break;
        }
        if (rd32(nd + SK_BLINK) != cur)
            report(c, fo(next) + c->hdr + SK_BLINK,
                   "security record 0x%x: backward link 0x%x, but the record before it in the list is 0x%x", next,
                   rd32(nd + SK_BLINK), cur);
        if (next == start)
            break;
        if (bit_get(c->ring, next)) {
            report(c, fo(cur) + c->hdr + SK_FLINK,
                   "security record list does not return to its start 0x%x (record 0x%x links back to 0x%x)",
                   start, cur, next);
            break;
        }
        cur = next;
    }

    for (i = 0; i < c->nsk; i = j) {
        uint32_t s = c->skrefs[i], rc;
        for (j = i + 1; j < c->nsk && c->skrefs[j] == s; j++)
            ;
        if (sk_ok(c, s, &d, &len, why, sizeof why) != R_OK)
            continue; /* already reported for each key */
        rc = rd32(d + SK_REFCOUNT);
        if (rc < j - i)
            report(c, fo(s) + c->hdr + SK_REFCOUNT,
                   "security record 0x%x: reference count %u is lower than the %llu keys using it", s, rc,
                   (unsigned long long)(j - i));
        if (!bit_get(c->ring, s))
            report(c, fo(s), "security record 0x%x (used by %llu keys) is not on the list of security records",
                   s, (unsigned long long)(j - i));
    }
}

/* ---- keys ----------------------------------------------------------------------- */

/* A usable key node: signature, name length and name inside the cell. */
static int nk_load(const ck *c, uint32_t off, const uint8_t **nk, uint32_t *len, bf_name *name, char *why,
                   size_t whysz)
{
    uint32_t nl;
    int r = ref_sig(c, off, "nk", NK_NAME, nk, len, why, whysz);

    if (r != R_OK)
        return r;
    nl = rd16(*nk + NK_NAMELEN);
    if (nl == 0) {
        snprintf(why, whysz, "points to a key with an empty name (name length 0)");
        return -1;
    }
    if ((uint64_t)NK_NAME + nl > *len) {
        snprintf(why, whysz, "points to a key whose name (%u bytes) does not fit in its cell (%u bytes)", nl,
                 *len);
        return -1;
    }
    name->p = *nk + NK_NAME;
    name->len = nl;
    name->comp = c->minor > 1 && (rd16(*nk + NK_FLAGS) & NK_F_COMP_NAME);
    if (!name->comp && (nl & 1)) {
        snprintf(why, whysz, "points to a key whose UTF-16 name has an odd length (%u bytes)", nl);
        return -1;
    }
    return R_OK;
}

static int kids_push(ck *c, ck_frame *f, size_t *cap, uint32_t off, bf_name name)
{
    if (f->nkids == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        ck_kid *k = bf_realloc(f->kids, ncap * sizeof *k);
        if (!k) {
            c->nomem = 1;
            return -1;
        }
        f->kids = k;
        *cap = ncap;
    }
    f->kids[f->nkids].off = off;
    f->kids[f->nkids].name = name;
    f->nkids++;
    return 0;
}

/* Entries of one leaf (li/lf/lh) into f->kids.  Returns entries listed. */
static uint32_t add_leaf(ck *c, ck_frame *f, size_t *cap, uint32_t leaf, const uint8_t *d, uint32_t len,
                         uint64_t *total)
{
    char path[CK_PATH_MAX], why[200], q[200];
    int li = d[1] == 'i', lh = d[1] == 'h';
    uint32_t es = li ? 4 : 8, n = rd16(d + 2), i;

    if (!li && !lh && c->minor < 3)
        report(c, fo(leaf), "subkey list of key %s: fast leaf (lf) in a version 1.%u hive (needs 1.3)",
               key_path(c, path, sizeof path, NULL), c->minor);
    if (lh && c->minor < 5)
        report(c, fo(leaf), "subkey list of key %s: hash leaf (lh) in a version 1.%u hive (needs 1.5)",
               key_path(c, path, sizeof path, NULL), c->minor);
    if (4 + (uint64_t)n * es > len) {
        report(c, fo(leaf), "subkey list of key %s: %u entries do not fit in the %u-byte cell",
               key_path(c, path, sizeof path, NULL), n, len);
        n = (len - 4) / es;
    }
    for (i = 0; i < n && *total < BF_MAX_LIST_WALK; i++, (*total)++) {
        const uint8_t *e = d + 4 + (size_t)i * es, *nk;
        uint32_t off = rd32(e), nlen;
        bf_name nm;

        if (i + 8 < n)
            prefetch(c, rd32(e + 8 * es)); /* each key is a cache miss of its own in a big hive */
        if (nk_load(c, off, &nk, &nlen, &nm, why, sizeof why) != R_OK) {
            report(c, fo(leaf), "subkey list of key %s: entry %u (0x%x) %s", key_path(c, path, sizeof path, NULL),
                   i, off, why);
            continue;
        }
        if (lh && rd32(e + 4) != bf_name_lh_hash(nm))
            report(c, fo(leaf), "subkey list of key %s: hash 0x%08x of entry '%s' is wrong (should be 0x%08x)",
                   key_path(c, path, sizeof path, NULL), rd32(e + 4), qname(q, sizeof q, nm), bf_name_lh_hash(nm));
        if (!li && !lh) {
            uint8_t hint[4];
            bf_name_lf_hint(nm, hint);
            if (memcmp(hint, e + 4, 4) != 0)
                report(c, fo(leaf),
                       "subkey list of key %s: name hint %02x %02x %02x %02x of entry '%s' is wrong (should be "
                       "%02x %02x %02x %02x)",
                       key_path(c, path, sizeof path, NULL), e[4], e[5], e[6], e[7], qname(q, sizeof q, nm),
                       hint[0], hint[1], hint[2], hint[3]);
        }
        if (kids_push(c, f, cap, off, nm) != 0)
            return i;
    }
    return n;
}

/* Subkey list(s) of the key on top of the stack into its kids array, with
 * the count, order, parent and reached-once checks. */
static void collect_kids(ck *c, ck_frame *f, const uint8_t *nk)
{
    char path[CK_PATH_MAX], q1[200], q2[200];
    uint32_t n = rd32(nk + NK_NSUBKEYS), lo = rd32(nk + NK_SUBKEYS), len, i;
    uint64_t total = 0;
    size_t cap = 0, k, w;
    const uint8_t *d;
    int r;

    if (lo == REGF_NIL) {
        if (n)
            report(c, fo(f->off), "key %s: %u subkeys but no subkey list", key_path(c, path, sizeof path, NULL), n);
        return;
    }
    if (n == 0)
        return; /* Windows ignores the list offset of a key without subkeys */
    r = ref(c, lo, 4, &d, &len);
    if (r != R_OK) {
        report(c, fo(f->off), "key %s: subkey list 0x%x %s", key_path(c, path, sizeof path, NULL), lo, rdesc(r));
        return;
    }
    if (d[0] == 'r' && d[1] == 'i') {
        uint32_t cnt = rd16(d + 2);
        if (4 + (uint64_t)cnt * 4 > len) {
            report(c, fo(lo), "index root of key %s: %u entries do not fit in the %u-byte cell",
                   key_path(c, path, sizeof path, NULL), cnt, len);
            cnt = (len - 4) / 4;
        }
        for (i = 0; i < cnt && !c->nomem; i++) {
            uint32_t leaf = rd32(d + 4 + 4 * i), llen;
            const uint8_t *ld;
            r = ref(c, leaf, 4, &ld, &llen);
            if (r != R_OK) {
                report(c, fo(lo), "index root of key %s: entry %u (0x%x) %s", key_path(c, path, sizeof path, NULL),
                       i, leaf, rdesc(r));
            } else if (ld[0] == 'r' && ld[1] == 'i') {
                report(c, fo(lo), "index root of key %s: entry %u (0x%x) points to another index root",
                       key_path(c, path, sizeof path, NULL), i, leaf);
            } else if (ld[0] == 'l' && (ld[1] == 'i' || ld[1] == 'f' || ld[1] == 'h')) {
                add_leaf(c, f, &cap, leaf, ld, llen, &total);
            } else {
                report(c, fo(lo), "index root of key %s: entry %u (0x%x) is not a subkey list (starts %02x %02x)",
                       key_path(c, path, sizeof path, NULL), i, leaf, ld[0], ld[1]);
            }
        }
    } else if (d[0] == 'l' && (d[1] == 'i' || d[1] == 'f' || d[1] == 'h')) {
        add_leaf(c, f, &cap, lo, d, len, &total);
    } else {
        report(c, fo(f->off), "key %s: subkey list 0x%x is not a subkey list (starts %02x %02x)",
               key_path(c, path, sizeof path, NULL), lo, d[0], d[1]);
        return;
    }
    if (c->nomem)
        return;
    if (total != n)
        report(c, fo(f->off) + c->hdr + NK_NSUBKEYS, "key %s: subkey count %u, but its subkey list holds %llu entries",
               key_path(c, path, sizeof path, NULL), n, (unsigned long long)total);

    for (k = 1; k < f->nkids; k++) {
        int cmp = bf_name_cmp(f->kids[k - 1].name, f->kids[k].name);
        if (cmp == 0)
            report(c, fo(lo), "subkey list of key %s has two subkeys with the same name: '%s' and '%s'",
                   key_path(c, path, sizeof path, NULL), qname(q1, sizeof q1, f->kids[k - 1].name),
                   qname(q2, sizeof q2, f->kids[k].name));
        else if (cmp > 0)
            report(c, fo(lo), "subkey list of key %s not sorted: '%s' before '%s'",
                   key_path(c, path, sizeof path, NULL), qname(q1, sizeof q1, f->kids[k - 1].name),
                   qname(q2, sizeof q2, f->kids[k].name));
    }

    for (k = 0, w = 0; k < f->nkids; k++) {
        ck_kid *kid = &f->kids[k];
        uint32_t parent = rd32(c->hb + kid->off + c->hdr + NK_PARENT);
        if (bit_get(c->seen, kid->off)) {
            report(c, fo(kid->off), "key %s (0x%x) is reached a second time (a cycle, or a key listed twice)",
                   key_path(c, path, sizeof path, &kid->name), kid->off);
            continue;
        }
        bit_set(c->seen, kid->off);
        if (parent != f->off)
            report(c, fo(kid->off) + c->hdr + NK_PARENT, "key %s: parent field 0x%x, but it is listed under 0x%x",
                   key_path(c, path, sizeof path, &kid->name), parent, f->off);
        f->kids[w++] = *kid;
    }
    f->nkids = w;
}

/* "value 'NAME' of key PATH", built only when a problem is reported. */
static const char *value_desc(const ck *c, bf_name nm, char *buf, size_t sz)
{
    char path[CK_PATH_MAX], q[200];
    snprintf(buf, sz, "value '%s' of key %s", nm.len ? qname(q, sizeof q, nm) : "(default)",
             key_path(c, path, sizeof path, NULL));
    return buf;
}

#define VDESC value_desc(c, nm, what, sizeof what)

static void check_data(ck *c, uint32_t vk_off, const uint8_t *vk, bf_name nm)
{
    char what[CK_PATH_MAX + 300];
    uint32_t raw = rd32(vk + VK_DATASIZE), doff = rd32(vk + VK_DATA), size, len, i;
    const uint8_t *d;
    char why[200];
    int r;

    if (raw & REGF_INLINE_BIT) {
        size = raw & ~REGF_INLINE_BIT;
        if (size > 4)
            report(c, fo(vk_off) + c->hdr + VK_DATASIZE, "%s: inline data size %u is larger than 4", VDESC, size);
        return;
    }
    size = raw;
    if (size == 0) {
        if (doff != REGF_NIL)
            report(c, fo(vk_off) + c->hdr + VK_DATA, "%s: data size 0 but data offset 0x%x is not NIL", VDESC, doff);
        return;
    }
    if (size <= 4)
        report(c, fo(vk_off) + c->hdr + VK_DATASIZE, "%s: %u bytes of data stored in a cell instead of inline",
               VDESC, size);
    if (c->minor >= 4 && size > REGF_BIG_SEGMENT) {
        uint32_t n, want = (uint32_t)(((uint64_t)size + REGF_BIG_SEGMENT - 1) / REGF_BIG_SEGMENT), sl;
        uint32_t seglen;
        const uint8_t *s;
        r = ref_sig(c, doff, "db", 8, &d, &len, why, sizeof why);
        if (r != R_OK) {
            report(c, fo(vk_off) + c->hdr + VK_DATA,
                   "%s: %u bytes of data in a version 1.%u hive must be big data (db): data offset 0x%x %s", VDESC,
                   size, c->minor, doff, why);
            return;
        }
        n = rd16(d + 2);
        sl = rd32(d + 4);
        if (n != want)
            report(c, fo(doff), "%s: big data has %u segments, %u bytes need %u", VDESC, n, size, want);
        r = ref(c, sl, (uint64_t)n * 4, &s, &seglen);
        if (r != R_OK) {
            report(c, fo(doff) + c->hdr + 4, "%s: big data segment list 0x%x %s", VDESC, sl, rdesc(r));
            return;
        }
        for (i = 0; i < n; i++) {
            uint32_t so = rd32(s + 4 * i), sn, slen;
            uint64_t done = (uint64_t)i * REGF_BIG_SEGMENT;
            const uint8_t *sd;
            sn = i + 1 < n ? REGF_BIG_SEGMENT : (done < size ? (uint32_t)(size - done) : 0);
            if (sn > REGF_BIG_SEGMENT)
                sn = REGF_BIG_SEGMENT;
            r = ref(c, so, sn, &sd, &slen);
            if (r != R_OK)
                report(c, fo(sl), "%s: big data segment %u (0x%x) %s", VDESC, i, so, rdesc(r));
        }
        return;
    }
    r = ref(c, doff, size, &d, &len);
    if (r != R_OK)
        report(c, fo(vk_off) + c->hdr + VK_DATA, "%s: data (%u bytes) at 0x%x %s", VDESC, size, doff, rdesc(r));
}

static void check_values(ck *c, const ck_frame *f, const uint8_t *nk)
{
    char path[CK_PATH_MAX], why[200];
    uint32_t n = rd32(nk + NK_NVALUES), lo = rd32(nk + NK_VALUES), len, i;
    const uint8_t *l;
    int r;

    if (n == 0)
        return;
    r = ref(c, lo, (uint64_t)n * 4, &l, &len);
    if (r != R_OK) {
        report(c, fo(f->off) + c->hdr + NK_VALUES, "key %s: value list 0x%x (%u values) %s",
               key_path(c, path, sizeof path, NULL), lo, n, rdesc(r));
        return;
    }
    for (i = 0; i < n && i < 64; i++) /* the values' cells, asked for together */
        prefetch(c, rd32(l + 4 * i));
    for (i = 0; i < n; i++) {
        uint32_t vo = rd32(l + 4 * i), vlen, nl;
        const uint8_t *vk;
        bf_name nm;
        r = ref_sig(c, vo, "vk", VK_NAME, &vk, &vlen, why, sizeof why);
        if (r != R_OK) {
            report(c, fo(lo), "key %s: value list entry %u (0x%x) %s", key_path(c, path, sizeof path, NULL), i, vo,
                   why);
            continue;
        }
        nl = rd16(vk + VK_NAMELEN);
        if ((uint64_t)VK_NAME + nl > vlen) {
            report(c, fo(vo), "key %s: value %u: name (%u bytes) does not fit in its cell (%u bytes)",
                   key_path(c, path, sizeof path, NULL), i, nl, vlen);
            continue;
        }
        nm.p = vk + VK_NAME;
        nm.len = nl;
        nm.comp = c->minor > 1 && (rd16(vk + VK_FLAGS) & VK_F_COMP_NAME);
        if (!nm.comp && (nl & 1))
            report(c, fo(vo), "key %s: value %u: UTF-16 name has an odd length (%u bytes)",
                   key_path(c, path, sizeof path, NULL), i, nl);
        if (bf_name_units(nm) > BF_MAX_VALUE_NAME)
            report(c, fo(vo), "key %s: value %u: name longer than %d characters", key_path(c, path, sizeof path, NULL),
                   i, BF_MAX_VALUE_NAME);
        check_data(c, vo, vk, nm);
    }
}

/* Checks of the key on top of the stack (already loaded by nk_load), then
 * collects its subkeys. */
static void check_key(ck *c, ck_frame *f, const uint8_t *nk)
{
    char path[CK_PATH_MAX], why[200];
    uint32_t sk = rd32(nk + NK_SK), clen = rd16(nk + NK_CLASSLEN), coff = rd32(nk + NK_CLASS), len;
    const uint8_t *d;
    int r;

    if (bf_name_units(f->name) > BF_MAX_KEY_NAME)
        report(c, fo(f->off), "key %s: name longer than %d characters", key_path(c, path, sizeof path, NULL),
               BF_MAX_KEY_NAME);
    if (sk_ok(c, sk, &d, &len, why, sizeof why) != R_OK) {
        report(c, fo(f->off) + c->hdr + NK_SK, "key %s: security record 0x%x %s",
               key_path(c, path, sizeof path, NULL), sk, why);
    } else {
        if (c->nsk == c->skcap) {
            size_t ncap = c->skcap ? c->skcap * 2 : 256;
            uint32_t *p = bf_realloc(c->skrefs, ncap * sizeof *p);
            if (!p) {
                c->nomem = 1;
                return;
            }
            c->skrefs = p;
            c->skcap = ncap;
        }
        c->skrefs[c->nsk++] = sk;
    }
    if (clen > 0) {
        if (coff == REGF_NIL) {
            report(c, fo(f->off) + c->hdr + NK_CLASSLEN, "key %s: class name length %u but no class name cell",
                   key_path(c, path, sizeof path, NULL), clen);
        } else {
            r = ref(c, coff, clen, &d, &len);
            if (r != R_OK)
                report(c, fo(f->off) + c->hdr + NK_CLASS, "key %s: class name (%u bytes) at 0x%x %s",
                       key_path(c, path, sizeof path, NULL), clen, coff, rdesc(r));
        }
    }
    check_values(c, f, nk);
    collect_kids(c, f, nk);
}

static void walk_tree(ck *c)
{
    char why[200], path[CK_PATH_MAX];
    uint32_t root = rd32(c->img + BB_ROOT), len;
    const uint8_t *nk;
    bf_name nm;

    if (nk_load(c, root, &nk, &len, &nm, why, sizeof why) != R_OK) {
        report(c, BB_ROOT, "base block: root key 0x%x %s", root, why);
        return;
    }
    bit_set(c->seen, root);
    c->depth = 1;
    memset(&c->stack[0], 0, sizeof c->stack[0]);
    c->stack[0].off = root;
    c->stack[0].name = nm;
    check_key(c, &c->stack[0], nk);

    while (c->depth > 0 && !c->nomem) {
        ck_frame *f = &c->stack[c->depth - 1], *nf;
        ck_kid kid;

        if (f->next >= f->nkids) {
            free(f->kids);
            f->kids = NULL;
            c->depth--;
            continue;
        }
        kid = f->kids[f->next++];
        if (f->next < f->nkids) /* the next key's lists, asked for while this one is checked */
            prefetch_lists(c, f->kids[f->next].off);
        if (c->depth >= BF_MAX_DEPTH) {
            report(c, fo(kid.off), "key %s is deeper than %d levels", key_path(c, path, sizeof path, &kid.name),
                   BF_MAX_DEPTH);
            continue;
        }
        nk = c->hb + kid.off + c->hdr; /* validated when collected */
        nf = &c->stack[c->depth++];
        memset(nf, 0, sizeof *nf);
        nf->off = kid.off;
        nf->name = kid.name;
        check_key(c, nf, nk);
    }
    while (c->depth > 0) { /* after running out of memory */
        free(c->stack[c->depth - 1].kids);
        c->stack[--c->depth].kids = NULL;
    }
}

/* ---- entry points ------------------------------------------------------------------- */

int bf_check_run(const uint8_t *img, size_t len, bf_check_cb cb, void *ctx, bf_error *err)
{
    ck *c;
    uint32_t declared;
    size_t maplen;
    int ret;

    if (!img && len)
        return bf_fail(err, BF_ERR_INVALID, "hive check: no image");
    if (len < 4 || memcmp(img, "regf", 4) != 0)
        return bf_fail(err, BF_ERR_FORMAT, "not a registry hive: no 'regf' signature at offset 0");
    if (len < REGF_BASE_BLOCK)
        return bf_fail(err, BF_ERR_FORMAT, "not a registry hive: %llu bytes, shorter than the 4096-byte base block",
                       (unsigned long long)len);
    c = bf_calloc(1, sizeof *c);
    if (!c)
        return bf_fail(err, BF_ERR_NOMEM, "hive check: out of memory");
    c->img = img;
    c->hb = img + REGF_BASE_BLOCK;
    c->cb = cb;
    c->cbctx = ctx;
    check_base_block(c, len, &declared);

    maplen = (size_t)c->limit / 64 + 1;
    c->start = bf_calloc(maplen, 1);
    c->alloc = bf_calloc(maplen, 1);
    c->seen = bf_calloc(maplen, 1);
    c->ring = bf_calloc(maplen, 1);
    if (c->start && c->alloc && c->seen && c->ring) {
        scan_bins(c, declared);
        walk_tree(c);
        if (!c->nomem)
            check_security(c);
    } else {
        c->nomem = 1;
    }
    ret = c->problems > INT_MAX ? INT_MAX : (int)c->problems;
    if (c->nomem)
        ret = bf_fail(err, BF_ERR_NOMEM, "hive check: out of memory");
    free(c->start);
    free(c->alloc);
    free(c->seen);
    free(c->ring);
    free(c->skrefs);
    free(c);
    return ret;
}

int bf_check_image(const uint8_t *img, size_t len, bf_check_cb cb, void *ctx, bf_error *err)
{
    return bf_check_run(img, len, cb, ctx, err);
}
