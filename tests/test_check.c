/*
 * test_check.c — the structural checker (lib/hive/check.c).
 *
 * 1. A tiny valid hive is built by hand (base block, one bin, root key with
 *    two subkeys in an lh list, a security record, two values) and then one
 *    rule at a time is broken: each case must produce exactly the expected
 *    problem(s).
 * 2. Every primary hive of the corpus that the reference validation found
 *    clean must check with 0 problems; every deliberately malformed or dirty
 *    one must produce problems or a refusal; files that are not hives must be
 *    refused.  Nothing may crash (the tests run under ASan/UBSan).
 * 3. Random corruptions of the small hive must never crash.
 */
#include "common/corpus.h"
#include "hive/internal.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- collecting problems ------------------------------------------------------------- */

typedef struct problems {
    int n;
    char first[8][512];
    uint64_t off[8];
} problems;

static void collect(void *ctx, uint64_t off, const char *msg)
{
    problems *p = ctx;
    if (p->n < 8) {
        snprintf(p->first[p->n], sizeof p->first[0], "%s", msg);
        p->off[p->n] = off;
    }
    p->n++;
}

static int run_check(const uint8_t *img, size_t len, problems *p, bf_error *err)
{
    memset(p, 0, sizeof *p);
    memset(err, 0, sizeof *err);
    return bf_check_image(img, len, collect, p, err);
}

static int has_problem(const problems *p, const char *needle)
{
    for (int i = 0; i < p->n && i < 8; i++)
        if (strstr(p->first[i], needle))
            return 1;
    return 0;
}

static void dump_problems(const char *what, const problems *p)
{
    for (int i = 0; i < p->n && i < 8; i++)
        fprintf(stderr, "  %s: 0x%llx: %s\n", what, (unsigned long long)p->off[i], p->first[i]);
}

/* ---- a tiny hive built by hand --------------------------------------------------------- */

#define IMG_CAP (4096u + 65536u)

typedef struct tiny {
    uint8_t img[IMG_CAP];
    uint32_t hb_size;          /* bytes of hive bins so far (incl. the open bin) */
    uint32_t bin_start, pos;   /* open bin and next free byte (cell indexes) */
    /* cells of the basic hive */
    uint32_t root, sk, lh, alpha, beta, vl, vk_bin, data, vk_dw, spare, freec;
} tiny;

static uint8_t *at(tiny *t, uint32_t cell) { return t->img + 4096 + cell; }
/* data of a cell (after its size field) */
static uint8_t *cd(tiny *t, uint32_t cell) { return at(t, cell) + 4; }

static void bin_close(tiny *t)
{
    uint32_t end = t->hb_size;
    if (t->pos < end) {
        wr32(at(t, t->pos), end - t->pos); /* free remainder */
        t->freec = t->pos;
        t->pos = end;
    }
}

static void bin_open(tiny *t, uint32_t size)
{
    if (t->hb_size)
        bin_close(t);
    t->bin_start = t->hb_size;
    ck_assert_uint_le(4096u + t->hb_size + size, IMG_CAP);
    memcpy(at(t, t->bin_start), "hbin", 4);
    wr32(at(t, t->bin_start) + 4, t->bin_start);
    wr32(at(t, t->bin_start) + 8, size);
    t->hb_size += size;
    t->pos = t->bin_start + 32;
}

static uint32_t cell_new(tiny *t, uint32_t datalen)
{
    uint32_t size = (datalen + 4 + 7) & ~7u, off = t->pos;
    ck_assert_uint_le(off + size, t->hb_size);
    wr32(at(t, off), 0u - size);
    t->pos += size;
    return off;
}

static uint32_t hash_ascii(const char *s)
{
    uint32_t h = 0;
    for (; *s; s++)
        h = 37 * h + (uint32_t)((*s >= 'a' && *s <= 'z') ? *s - 32 : *s);
    return h;
}

static void fix_csum(tiny *t)
{
    uint32_t x = 0;
    for (int i = 0; i < 127; i++)
        x ^= rd32(t->img + 4 * i);
    if (x == 0xFFFFFFFFu)
        x = 0xFFFFFFFEu;
    if (x == 0)
        x = 1;
    wr32(t->img + 508, x);
}

static void finish(tiny *t)
{
    bin_close(t);
    wr32(t->img + BB_HBINS_SIZE, t->hb_size);
    fix_csum(t);
}

static size_t tlen(const tiny *t) { return 4096u + t->hb_size; }

static uint32_t nk_new(tiny *t, const char *name, uint32_t parent, uint16_t flags)
{
    uint32_t n = (uint32_t)strlen(name), off = cell_new(t, NK_NAME + n);
    uint8_t *d = cd(t, off);
    memcpy(d, "nk", 2);
    wr16(d + NK_FLAGS, flags);
    wr64(d + NK_TIMESTAMP, 0x01D0000000000000ull);
    wr32(d + NK_PARENT, parent);
    wr32(d + NK_SUBKEYS, REGF_NIL);
    wr32(d + NK_VSUBKEYS, REGF_NIL);
    wr32(d + NK_VALUES, REGF_NIL);
    wr32(d + NK_CLASS, REGF_NIL);
    wr16(d + NK_NAMELEN, (uint16_t)n);
    memcpy(d + NK_NAME, name, n);
    return off;
}

static uint32_t vk_new(tiny *t, const char *name, uint32_t type, uint32_t size, uint32_t data)
{
    uint32_t n = (uint32_t)strlen(name), off = cell_new(t, VK_NAME + n);
    uint8_t *d = cd(t, off);
    memcpy(d, "vk", 2);
    wr16(d + VK_NAMELEN, (uint16_t)n);
    wr32(d + VK_DATASIZE, size);
    wr32(d + VK_DATA, data);
    wr32(d + VK_TYPE, type);
    wr16(d + VK_FLAGS, VK_F_COMP_NAME);
    memcpy(d + VK_NAME, name, n);
    return off;
}

/* Base block + one 4 KiB bin: \ROOT { Alpha, beta } with values Val (8
 * bytes, REG_BINARY) and Dw (inline REG_DWORD), one sk used by all three keys,
 * and a spare lh listing the root (unused unless a case links it). */
static void build(tiny *t, unsigned minor)
{
    uint8_t *d;

    memset(t, 0, sizeof *t);
    memcpy(t->img, "regf", 4);
    wr32(t->img + BB_SEQ1, 7);
    wr32(t->img + BB_SEQ2, 7);
    wr32(t->img + BB_MAJOR, 1);
    wr32(t->img + BB_MINOR, minor);
    wr32(t->img + BB_FORMAT, 1);
    wr32(t->img + BB_CLUSTER, 1);
    bin_open(t, 4096);

    t->root = nk_new(t, "ROOT", 0, NK_F_HIVE_ENTRY | NK_F_NO_DELETE | NK_F_COMP_NAME);
    wr32(t->img + BB_ROOT, t->root);

    t->sk = cell_new(t, SK_DESC + 20);
    d = cd(t, t->sk);
    memcpy(d, "sk", 2);
    wr32(d + SK_FLINK, t->sk);
    wr32(d + SK_BLINK, t->sk);
    wr32(d + SK_REFCOUNT, 3);
    wr32(d + SK_DESCLEN, 20);
    d[SK_DESC] = 1;                      /* revision */
    wr16(d + SK_DESC + 2, 0x8000);       /* SE_SELF_RELATIVE */

    t->lh = cell_new(t, 4 + 2 * 8);
    t->alpha = nk_new(t, "Alpha", t->root, NK_F_COMP_NAME);
    t->beta = nk_new(t, "beta", t->root, NK_F_COMP_NAME);
    d = cd(t, t->lh);
    memcpy(d, "lh", 2);
    wr16(d + 2, 2);
    wr32(d + 4, t->alpha);
    wr32(d + 8, hash_ascii("Alpha"));
    wr32(d + 12, t->beta);
    wr32(d + 16, hash_ascii("beta"));

    t->vl = cell_new(t, 8);
    t->data = cell_new(t, 8);
    memcpy(cd(t, t->data), "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    t->vk_bin = vk_new(t, "Val", BF_REG_BINARY, 8, t->data);
    t->vk_dw = vk_new(t, "Dw", BF_REG_DWORD, 0x80000004u, 0x12345678u);
    wr32(cd(t, t->vl), t->vk_bin);
    wr32(cd(t, t->vl) + 4, t->vk_dw);

    t->spare = cell_new(t, 4 + 8);
    d = cd(t, t->spare);
    memcpy(d, "lh", 2);
    wr16(d + 2, 1);
    wr32(d + 4, t->root);
    wr32(d + 8, hash_ascii("ROOT"));

    d = cd(t, t->root);
    wr32(d + NK_NSUBKEYS, 2);
    wr32(d + NK_SUBKEYS, t->lh);
    wr32(d + NK_NVALUES, 2);
    wr32(d + NK_VALUES, t->vl);
    wr32(d + NK_MAXNAME, 10);
    wr32(d + NK_MAXVALNAME, 6);
    wr32(d + NK_MAXVALDATA, 8);
    wr32(d + NK_SK, t->sk);
    wr32(cd(t, t->alpha) + NK_SK, t->sk);
    wr32(cd(t, t->beta) + NK_SK, t->sk);
    finish(t);
}

static tiny T; /* large: keep off the stack */

/* Run the checker on T and require exactly `want` problems, the first
 * containing `needle`. */
static void expect(int want, const char *needle)
{
    problems p;
    bf_error err;
    int r = run_check(T.img, tlen(&T), &p, &err);
    if (r != want || (needle && !has_problem(&p, needle)))
        dump_problems("unexpected", &p);
    ck_assert_int_eq(r, want);
    ck_assert_int_eq(p.n, want);
    if (needle)
        ck_assert_msg(has_problem(&p, needle), "no problem mentions '%s'", needle);
}

/* ---- crafted cases ------------------------------------------------------------------ */

START_TEST(valid_tiny_hive)
{
    build(&T, 5);
    expect(0, NULL);
    build(&T, 3); /* 1.3 hive: lh is not allowed there */
    memcpy(cd(&T, T.lh), "lf", 2);
    memcpy(cd(&T, T.lh) + 8, "Alph", 4);
    memcpy(cd(&T, T.lh) + 16, "beta", 4);
    memcpy(cd(&T, T.spare), "li", 2);
    fix_csum(&T);
    expect(0, NULL);
}
END_TEST

START_TEST(base_block_rules)
{
    problems p;
    bf_error err;
    uint8_t small[100];

    build(&T, 5);
    wr32(T.img + 508, rd32(T.img + 508) ^ 0x10);
    expect(1, "checksum");

    build(&T, 5);
    wr32(T.img + BB_SEQ2, 8);
    fix_csum(&T);
    expect(1, "dirty");

    build(&T, 5);
    wr32(T.img + BB_TYPE, 6);
    fix_csum(&T);
    expect(1, "transaction log");

    build(&T, 5);
    wr32(T.img + BB_MAJOR, 2);
    fix_csum(&T);
    expect(1, "major version");

    build(&T, 5);
    wr32(T.img + BB_MINOR, 9);
    fix_csum(&T);
    expect(1, "minor version");

    build(&T, 5);
    wr32(T.img + BB_FORMAT, 2);
    fix_csum(&T);
    expect(1, "file format");

    build(&T, 5);
    wr32(T.img + BB_CLUSTER, 8);
    fix_csum(&T);
    expect(1, "clustering");

    build(&T, 5);
    wr32(T.img + BB_HBINS_SIZE, 0x2000); /* more than the file holds */
    fix_csum(&T);
    expect(1, "truncated");

    build(&T, 5);
    wr32(T.img + BB_HBINS_SIZE, 0x1800);
    fix_csum(&T);
    expect(1, "multiple of 4096");

    /* not a hive at all: refused */
    build(&T, 5);
    T.img[0] = 'R';
    ck_assert_int_eq(run_check(T.img, tlen(&T), &p, &err), BF_ERR_FORMAT);
    ck_assert_int_eq(p.n, 0);
    ck_assert(strstr(err.msg, "regf") != NULL);
    memcpy(small, "regf", 4);
    ck_assert_int_eq(run_check(small, sizeof small, &p, &err), BF_ERR_FORMAT);
    ck_assert(strstr(err.msg, "4096") != NULL);
    ck_assert_int_eq(run_check(small, 0, &p, &err), BF_ERR_FORMAT);
}
END_TEST

START_TEST(bin_and_cell_rules)
{
    build(&T, 5);
    wr32(at(&T, 0) + 4, 0x1000);
    expect(1, "offset field 0x1000");

    build(&T, 5);
    memcpy(at(&T, 0), "hbim", 4);
    fix_csum(&T);
    {
        problems p;
        bf_error err;
        int r = run_check(T.img, tlen(&T), &p, &err);
        ck_assert_int_gt(r, 0);
        ck_assert(has_problem(&p, "no hive bin"));
    }

    /* the trailing free cell: size not a multiple of 8 */
    build(&T, 5);
    wr32(at(&T, T.freec), rd32(at(&T, T.freec)) - 4);
    expect(1, "not a multiple of 8");

    /* an allocated cell running past its bin */
    build(&T, 5);
    wr32(at(&T, T.freec), 0u - (rd32(at(&T, T.freec)) + 8));
    expect(1, "crosses the end of its bin");

    /* bins add up to less than the base block says */
    build(&T, 5);
    wr32(T.img + BB_HBINS_SIZE, 0x1000);
    bin_open(&T, 4096);
    bin_close(&T);
    /* file is now 2 bins, base block says 1: fine (slack after the bins) */
    expect(0, NULL);
    wr32(T.img + BB_HBINS_SIZE, 0x2000);
    wr32(at(&T, 0x1000) + 8, 0x800);
    fix_csum(&T);
    expect(1, "size 0x800");
}
END_TEST

START_TEST(reference_rules)
{
    build(&T, 5);
    wr32(cd(&T, T.vk_bin) + VK_DATA, T.freec);
    expect(1, "free (unallocated) cell");

    build(&T, 5);
    wr32(cd(&T, T.vk_bin) + VK_DATA, T.data + 8);
    expect(1, "middle of a cell");

    build(&T, 5);
    wr32(cd(&T, T.root) + NK_VALUES, 0x7000);
    expect(1, "outside the hive bins");

    build(&T, 5);
    wr32(cd(&T, T.root) + NK_VALUES, T.vl + 4);
    expect(1, "not aligned");

    build(&T, 5);
    wr32(cd(&T, T.vl) + 4, T.alpha); /* value list entry pointing to a key */
    expect(1, "'nk' record, not a 'vk' record");

    build(&T, 5);
    wr32(cd(&T, T.root) + NK_SK, T.lh);
    expect(1, "not a 'sk' record");

    build(&T, 5);
    wr32(cd(&T, T.root) + NK_NVALUES, 4); /* list cell holds only 3 */
    expect(1, "too small");

    build(&T, 5);
    wr32(cd(&T, T.lh) + 4, T.vk_bin); /* subkey list entry pointing to a value */
    expect(1, "not a 'nk' record");

    build(&T, 5);
    wr32(cd(&T, T.root) + NK_SUBKEYS, T.vl);
    expect(1, "not a subkey list");

    build(&T, 5);
    wr32(cd(&T, T.vk_bin) + VK_DATASIZE, 100); /* data cell holds 12 */
    expect(1, "too small");

    build(&T, 5);
    wr16(cd(&T, T.alpha) + NK_CLASSLEN, 8);
    expect(1, "no class name cell");
    wr32(cd(&T, T.alpha) + NK_CLASS, T.data);
    expect(0, NULL);
    wr16(cd(&T, T.alpha) + NK_CLASSLEN, 40);
    expect(1, "class name (40 bytes)");

    build(&T, 5);
    wr32(cd(&T, T.root) + NK_SK, REGF_NIL);
    expect(1, "security record 0xffffffff is NIL");
}
END_TEST

START_TEST(subkey_list_rules)
{
    build(&T, 5); /* order */
    wr32(cd(&T, T.lh) + 4, T.beta);
    wr32(cd(&T, T.lh) + 8, hash_ascii("beta"));
    wr32(cd(&T, T.lh) + 12, T.alpha);
    wr32(cd(&T, T.lh) + 16, hash_ascii("Alpha"));
    expect(1, "not sorted: 'beta' before 'Alpha'");

    build(&T, 5); /* duplicates (case-insensitive) */
    memcpy(cd(&T, T.beta) + NK_NAME, "ALPHA", 5);
    wr16(cd(&T, T.beta) + NK_NAMELEN, 5);
    wr32(cd(&T, T.lh) + 16, hash_ascii("ALPHA"));
    expect(1, "same name: 'Alpha' and 'ALPHA'");

    build(&T, 5); /* lh hash */
    wr32(cd(&T, T.lh) + 16, hash_ascii("beta") + 1);
    expect(1, "hash");

    build(&T, 5); /* lf hint */
    memcpy(cd(&T, T.lh), "lf", 2);
    memcpy(cd(&T, T.lh) + 8, "Alph", 4);
    memcpy(cd(&T, T.lh) + 16, "beta", 4);
    expect(0, NULL);
    memcpy(cd(&T, T.lh) + 16, "bet\0", 4);
    expect(1, "name hint");

    build(&T, 5); /* count */
    wr32(cd(&T, T.root) + NK_NSUBKEYS, 3);
    expect(1, "subkey count 3");

    build(&T, 5);
    wr32(cd(&T, T.root) + NK_SUBKEYS, REGF_NIL);
    expect(1, "no subkey list");

    build(&T, 5); /* leaf count larger than its cell */
    wr16(cd(&T, T.lh) + 2, 40);
    wr32(cd(&T, T.root) + NK_NSUBKEYS, 40);
    expect(2, "do not fit");

    build(&T, 5); /* list types by version */
    wr32(T.img + BB_MINOR, 3);
    fix_csum(&T);
    expect(1, "hash leaf (lh) in a version 1.3 hive");
    build(&T, 2);
    memcpy(cd(&T, T.lh), "lf", 2);
    memcpy(cd(&T, T.lh) + 8, "Alph", 4);
    memcpy(cd(&T, T.lh) + 16, "beta", 4);
    fix_csum(&T);
    expect(1, "fast leaf (lf) in a version 1.2 hive");

    build(&T, 5); /* ri over the lh: valid */
    memcpy(cd(&T, T.spare), "ri", 2);
    wr16(cd(&T, T.spare) + 2, 1);
    wr32(cd(&T, T.spare) + 4, T.lh);
    wr32(cd(&T, T.root) + NK_SUBKEYS, T.spare);
    expect(0, NULL);
    wr16(cd(&T, T.spare) + 2, 2); /* second entry: the ri itself */
    wr32(cd(&T, T.spare) + 8, T.spare);
    expect(1, "another index root");

    build(&T, 5); /* key name length 0 */
    wr16(cd(&T, T.alpha) + NK_NAMELEN, 0);
    expect(1, "empty name");

    build(&T, 5); /* name larger than its cell */
    wr16(cd(&T, T.alpha) + NK_NAMELEN, 200);
    expect(1, "does not fit in its cell");

    build(&T, 5); /* a key count of 0 makes Windows ignore the list offset */
    wr32(cd(&T, T.beta) + NK_SUBKEYS, T.vl);
    expect(0, NULL);
}
END_TEST

START_TEST(tree_rules)
{
    build(&T, 5); /* parent field */
    wr32(cd(&T, T.alpha) + NK_PARENT, T.beta);
    expect(1, "parent field");

    build(&T, 5); /* cycle: beta lists the root */
    wr32(cd(&T, T.beta) + NK_NSUBKEYS, 1);
    wr32(cd(&T, T.beta) + NK_SUBKEYS, T.spare);
    expect(1, "reached a second time");

    build(&T, 5); /* a key listed under two parents: beta lists Alpha too */
    memcpy(cd(&T, T.spare), "li", 2);
    wr32(cd(&T, T.spare) + 4, T.alpha);
    wr32(cd(&T, T.beta) + NK_NSUBKEYS, 1);
    wr32(cd(&T, T.beta) + NK_SUBKEYS, T.spare);
    expect(1, "\\beta\\Alpha (0x");

    build(&T, 5); /* root not an nk */
    wr32(T.img + BB_ROOT, T.sk);
    fix_csum(&T);
    expect(1, "root key");

    build(&T, 5); /* no HIVE_ENTRY on the root (offreg output): not a problem */
    wr16(cd(&T, T.root) + NK_FLAGS, NK_F_COMP_NAME);
    expect(0, NULL);

    build(&T, 5); /* stale volatile subkey count/list and small maxima: not problems */
    wr32(cd(&T, T.root) + NK_NVSUBKEYS, 3);
    wr32(cd(&T, T.root) + NK_VSUBKEYS, 0x80001234u);
    wr32(cd(&T, T.root) + NK_MAXNAME, 1);
    wr32(cd(&T, T.root) + NK_MAXVALDATA, 0);
    expect(0, NULL);
}
END_TEST

START_TEST(security_rules)
{
    build(&T, 5);
    wr32(cd(&T, T.sk) + SK_REFCOUNT, 2);
    expect(1, "reference count 2 is lower than the 3 keys");

    build(&T, 5);
    wr32(cd(&T, T.sk) + SK_REFCOUNT, 50); /* higher: Windows leaves that */
    expect(0, NULL);

    build(&T, 5);
    wr32(cd(&T, T.sk) + SK_FLINK, T.root);
    expect(1, "forward link");

    build(&T, 5);
    wr32(cd(&T, T.sk) + SK_BLINK, T.lh);
    expect(1, "backward link");

    build(&T, 5);
    wr32(cd(&T, T.sk) + SK_DESCLEN, 200);
    expect(3, "descriptor (200 bytes) does not fit"); /* reported for each of the 3 keys */
}
END_TEST

START_TEST(value_rules)
{
    build(&T, 5);
    wr32(cd(&T, T.vk_dw) + VK_DATASIZE, 0x80000008u);
    expect(1, "inline data size 8");

    build(&T, 5);
    wr32(cd(&T, T.vk_bin) + VK_DATASIZE, 3);
    expect(1, "instead of inline");

    build(&T, 5);
    wr32(cd(&T, T.vk_bin) + VK_DATASIZE, 0);
    expect(1, "data size 0 but data offset");
    wr32(cd(&T, T.vk_bin) + VK_DATA, REGF_NIL);
    expect(0, NULL);

    build(&T, 5); /* empty data the way Windows writes it */
    wr32(cd(&T, T.vk_bin) + VK_DATASIZE, 0x80000000u);
    wr32(cd(&T, T.vk_bin) + VK_DATA, 0);
    expect(0, NULL);

    build(&T, 5);
    wr16(cd(&T, T.vk_bin) + VK_NAMELEN, 100);
    expect(1, "does not fit in its cell");

    build(&T, 5); /* no value list although the key has values */
    wr32(cd(&T, T.root) + NK_VALUES, REGF_NIL);
    expect(1, "value list 0xffffffff (2 values) is NIL");
}
END_TEST

/* A value of `size` bytes stored in a single cell, or as db. */
START_TEST(big_data_rules)
{
    const uint32_t size = 20000;
    uint32_t cell, db, list, s0, s1;

    /* minor 5: a single cell is wrong */
    build(&T, 5);
    bin_open(&T, 24576);
    cell = cell_new(&T, size);
    finish(&T);
    wr32(cd(&T, T.vk_bin) + VK_DATASIZE, size);
    wr32(cd(&T, T.vk_bin) + VK_DATA, cell);
    expect(1, "must be big data");
    /* minor 3: a single cell is right */
    wr32(T.img + BB_MINOR, 3);
    memcpy(cd(&T, T.lh), "lf", 2);
    memcpy(cd(&T, T.lh) + 8, "Alph", 4);
    memcpy(cd(&T, T.lh) + 16, "beta", 4);
    memcpy(cd(&T, T.spare), "li", 2);
    fix_csum(&T);
    expect(0, NULL);

    /* minor 5 as db with 2 segments of 16352-byte cells */
    build(&T, 5);
    bin_open(&T, 4096);
    db = cell_new(&T, 8);
    list = cell_new(&T, 8);
    bin_open(&T, 16384);
    s0 = cell_new(&T, 16348);
    bin_open(&T, 16384);
    s1 = cell_new(&T, 16348);
    finish(&T);
    memcpy(cd(&T, db), "db", 2);
    wr16(cd(&T, db) + 2, 2);
    wr32(cd(&T, db) + 4, list);
    wr32(cd(&T, list), s0);
    wr32(cd(&T, list) + 4, s1);
    wr32(cd(&T, T.vk_bin) + VK_DATASIZE, size);
    wr32(cd(&T, T.vk_bin) + VK_DATA, db);
    expect(0, NULL);
    wr16(cd(&T, db) + 2, 3); /* third entry: a valid cell, 0 bytes needed */
    wr32(cd(&T, list) + 8, s1);
    expect(1, "big data has 3 segments, 20000 bytes need 2");
    wr16(cd(&T, db) + 2, 2);
    wr32(cd(&T, list) + 4, T.data); /* a 12-byte cell as the last segment */
    expect(1, "big data segment 1");
}
END_TEST

/* Deterministic random corruption of the small hive: must never crash. */
START_TEST(random_corruption)
{
    static tiny base;
    uint32_t seed = 12345;
    problems p;
    bf_error err;
    int positives = 0;

    build(&base, 5);
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = tlen(&base);
        memcpy(T.img, base.img, len);
        T.hb_size = base.hb_size;
        int nmut = 1 + (int)(seed % 4);
        for (int k = 0; k < nmut; k++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t pos = 4096 + (seed >> 8) % (uint32_t)(len - 4096);
            if (iter % 16 == 0)
                pos = (seed >> 8) % (uint32_t)len; /* sometimes the base block */
            seed = seed * 1103515245u + 12345u;
            T.img[pos] = (uint8_t)(seed >> 16);
        }
        if (iter % 7 == 0) {
            seed = seed * 1103515245u + 12345u;
            len = (seed >> 4) % (len + 1);
        }
        if (iter % 3)
            fix_csum(&T);
        int r = run_check(T.img, len, &p, &err);
        ck_assert(r >= 0 || err.msg[0] != '\0');
        if (r > 0)
            positives++;
    }
    ck_assert_int_gt(positives, 500);
}
END_TEST

/* ---- corpus --------------------------------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        b = malloc((size_t)n + 1);
        if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
            free(b);
            b = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return b;
}

/* structural_check column only lists anomalies Windows itself leaves */
static int benign(const char *sc)
{
    char buf[512], *tok, *save = NULL;

    if (strcmp(sc, "ok") == 0)
        return 1;
    if (!*sc)
        return 0;
    snprintf(buf, sizeof buf, "%s", sc);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (strcmp(tok, "volatile_count_on_disk") != 0 && strncmp(tok, "maxsubkeylen_", 13) != 0 &&
            strcmp(tok, "root_no_HIVE_ENTRY_flag") != 0)
            return 0;
    return 1;
}

/* primaries without a structural_check entry that are known to be broken */
static int known_bad(const char *path)
{
    static const char *const bad[] = {"EricZimmerman-Registry/Registry.Test/Hives/SAMBadHBinHeader",
                                      "yarp/hives_for_tests/TruncatedHive",
                                      "yarp/hives_for_tests/TruncatedDirtyHive",
                                      "regipy/regipy_tests/data/corrupted_system_hive",
                                      "libregf/tests/data/hive_bins_list.1",
                                      "libregf/tests/data/file_header.1",
                                      NULL};
    for (int i = 0; bad[i]; i++)
        if (strcmp(path, bad[i]) == 0)
            return 1;
    return 0;
}

START_TEST(corpus)
{
    char ebuf[512];
    corpus_manifest *m = corpus_manifest_load(ebuf, sizeof ebuf);
    int n_clean = 0, n_bad = 0, n_refused = 0, n_other = 0, n_logs = 0, failures = 0;

    if (!m) {
        ck_assert_msg(ebuf[0] == '\0', "MANIFEST.tsv: %s", ebuf);
        corpus_skip_note("corpus hive checks");
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        const corpus_entry *e = &m->e[i];
        const char *role = e->role, *state = e->state, *sc = e->structural_check;
        size_t len = 0;
        uint8_t *img = slurp(e->path, &len);
        problems pr;
        bf_error err;
        int r;

        ck_assert_msg(img != NULL, "cannot read %s", e->path);
        r = run_check(img, len, &pr, &err);
        free(img);

        if (strcmp(role, "primary") == 0 && strcmp(state, "clean") == 0 && benign(sc)) {
            n_clean++;
            if (r != 0) {
                failures++;
                printf("FAIL (should be valid): %s -> %d\n", e->relpath, r);
                dump_problems(e->relpath, &pr);
            }
        } else if (strcmp(role, "primary") == 0 && (strcmp(state, "clean") != 0 || *sc || known_bad(e->relpath))) {
            n_bad++;
            if (r == 0) {
                failures++;
                printf("FAIL (should report problems): %s [%s, %s] -> 0\n", e->relpath, state, sc);
            }
        } else if (strcmp(role, "not-regf") == 0 || strcmp(role, "empty") == 0) {
            n_refused++;
            if (r >= 0) {
                failures++;
                printf("FAIL (should be refused): %s -> %d\n", e->relpath, r);
            }
        } else if (strcmp(role, "log") == 0) {
            n_logs++;
            if (r == 0) {
                failures++;
                printf("FAIL (a log is not a primary): %s -> 0\n", e->relpath);
            }
        } else {
            n_other++;
            printf("note: %s [%s %s, not validated by the reference] -> %d problems\n", e->relpath, role, state, r);
        }
    }
    corpus_manifest_free(m);
    printf("corpus: %d valid primaries checked (0 problems expected), %d malformed or dirty primaries "
           "(problems expected), %d non-hives refused, %d logs, %d others; %d failures\n",
           n_clean, n_bad, n_refused, n_logs, n_other, failures);
    ck_assert_int_gt(n_clean, 50);
    ck_assert_int_eq(failures, 0);
}
END_TEST

START_TEST(timing_largest_system)
{
    const char *dir = corpus_dir();
    char full[8192];
    size_t len = 0;
    uint8_t *img;
    problems pr;
    bf_error err;
    struct timespec t0, t1;
    int r;

    if (!dir) {
        corpus_skip_note("timing of the check of the largest SYSTEM hive");
        return;
    }
    snprintf(full, sizeof full, "%s/hives/regipy/regipy_tests/data/SYSTEM", dir);
    img = slurp(full, &len);
    ck_assert_ptr_nonnull(img);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = run_check(img, len, &pr, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    free(img);
    printf("check of regipy SYSTEM (%zu bytes): %d problems in %.1f ms\n", len, r,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    ck_assert_int_eq(r, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("crafted");
    TCase *tcc = tcase_create("corpus");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, valid_tiny_hive);
    tcase_add_test(tc, base_block_rules);
    tcase_add_test(tc, bin_and_cell_rules);
    tcase_add_test(tc, reference_rules);
    tcase_add_test(tc, subkey_list_rules);
    tcase_add_test(tc, tree_rules);
    tcase_add_test(tc, security_rules);
    tcase_add_test(tc, value_rules);
    tcase_add_test(tc, big_data_rules);
    tcase_add_test(tc, random_corruption);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tcase_add_test(tcc, corpus);
    tcase_add_test(tcc, timing_largest_system);
    tcase_set_timeout(tcc, 600);
    suite_add_tcase(s, tcc);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
