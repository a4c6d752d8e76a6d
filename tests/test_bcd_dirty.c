/*
 * test_bcd_dirty.c — bf_bcd_open on a DIRTY store replays its transaction log.
 *
 * The test plays Windows 8.1+: a committed store S0 (bytes P0, sequence
 * numbers N/N) is edited in memory (image P1, not committed); the edit is
 * "flushed" the way the kernel does it — a new-format log BCD.LOG1 (512-byte
 * base-block copy, file type 6, sequence N/N, then one HvLE entry with
 * sequence N carrying every 4 KiB page of the hive bins that differs between
 * P0 and P1, Marvin32 Hash-1/Hash-2) and the primary left as P0 with
 * Sequence1 = Sequence2 + 1 (N+1/N, checksum recomputed).
 *
 *   1. bf_bcd_open(path, 0) replays the log: the elements read are P1's
 *      (compared with the values the test set), not P0's.
 *   2. A writable open + one more element + bf_bcd_commit in place writes a
 *      clean file (Sequence1 == Sequence2 > N, no structural problem) that
 *      hivex reads as P1's content plus that element.
 *   3. The same log with one byte of page data flipped (Hash-1 wrong): a
 *      read-only open gives the primary as it is (replayed = 0, P0's
 *      elements, the log among info.log_paths); a writable open is refused
 *      with BF_ERR_DIRTY naming BCD.LOG1 and Hash-1, unless
 *      BF_OPEN_FORCE_DIRTY.
 */
#include "bootfix/bcd.h"
#include "common/files.h"
#include "common/oracle.h"
#include "hive/internal.h" /* bf_marvin32, BF_MARVIN32_SEED, rd32/wr32, bf_bb_checksum */

#include "common/runner.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BB 4096u
#define PAGE 4096u

static const char *BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}";
static const char *LOADER = "{3c1a2d7e-5b6f-4a10-9c2d-0123456789ab}";

#define E_DESCRIPTION 0x12000004u
#define E_LOADOPTIONS 0x12000030u
#define E_TESTSIGNING 0x16000049u
#define E_SYSTEMROOT 0x22000002u
#define E_DEFAULT 0x23000003u
#define E_DISPLAYORDER 0x24000001u
#define E_TIMEOUT 0x25000004u
#define E_NX 0x25000020u
#define E_DISPLAYBOOTMENU 0x26000020u

#define LOADOPTS_LEN 3000 /* 6 KB of UTF-16: does not fit the first bin, so P1 grows */

static char tmpdir[256];
static char store_path[320], log1_path[320], exp_path[320];
static char loadopts[LOADOPTS_LEN + 1];

static bf_guid gid(const char *s)
{
    bf_guid g;
    ck_assert_int_eq(bf_guid_parse(s, &g), 0);
    return g;
}

/* The directory is made and removed in the runner's own process (unchecked
 * fixture), so a failing test cannot leave it behind; each test starts with
 * it empty. */
static void dir_setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/bootfix-bcddirty.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(store_path, sizeof store_path, "%s/BCD", tmpdir);
    snprintf(log1_path, sizeof log1_path, "%s/BCD.LOG1", tmpdir);
    snprintf(exp_path, sizeof exp_path, "%s/expected.hiv", tmpdir);
    for (int i = 0; i < LOADOPTS_LEN; i++)
        loadopts[i] = (char)('A' + i % 26);
    loadopts[LOADOPTS_LEN] = '\0';
}

static void dir_teardown(void)
{
    test_rm_tree(tmpdir);
}

static void test_setup(void)
{
    unlink(store_path);
    unlink(log1_path);
    unlink(exp_path);
}

#define OK(call)                                                                  \
    do {                                                                          \
        memset(&e_, 0, sizeof e_);                                                \
        int rc_ = (call);                                                         \
        ck_assert_msg(rc_ == BF_OK, "%s failed: %d %s", #call, rc_, e_.msg);      \
    } while (0)
/* OK() needs a bf_error e_ in scope, which the call must use */

/* ---- expected element sets --------------------------------------------------------- */

enum kind { K_INT, K_BOOL, K_STR, K_OBJ, K_LIST };

typedef struct exp_el {
    uint32_t code;
    int kind;
    uint64_t integer;
    const char *str;  /* K_STR; K_OBJ / K_LIST: GUID text (K_LIST: one GUID) */
} exp_el;

/* The object's own elements must be exactly `want` (in numeric order). */
static void check_elements(bf_bcd *s, const char *obj, const exp_el *want, size_t nwant,
                           const char *stage)
{
    bf_guid g = gid(obj);
    bf_bcd_elem *els = NULL;
    size_t n = 0;
    bf_error e;
    int rc = bf_bcd_elements(s, &g, &els, &n, &e);
    ck_assert_msg(rc == BF_OK, "%s: elements of %s: %s", stage, obj, e.msg);
    ck_assert_msg(n == nwant, "%s: %s has %zu elements, expected %zu", stage, obj, n, nwant);
    for (size_t i = 0; i < n; i++) {
        const bf_bcd_elem *x = &els[i];
        const exp_el *w = &want[i];
        ck_assert_msg(x->code == w->code, "%s: %s element %zu is %08x, expected %08x", stage, obj, i,
                      x->code, w->code);
        ck_assert_msg(x->valid, "%s: %s element %08x invalid: %s", stage, obj, x->code, x->problem);
        switch (w->kind) {
        case K_INT:
            ck_assert_uint_eq(x->reg_type, BF_REG_BINARY);
            ck_assert_uint_eq(x->raw_len, 8);
            ck_assert_msg(x->integer == w->integer, "%s: %s %08x = %llu, expected %llu", stage, obj,
                          x->code, (unsigned long long)x->integer, (unsigned long long)w->integer);
            break;
        case K_BOOL:
            ck_assert_uint_eq(x->reg_type, BF_REG_BINARY);
            ck_assert_uint_eq(x->raw_len, 1);
            ck_assert_msg(x->integer == w->integer, "%s: %s %08x = %llu, expected %llu", stage, obj,
                          x->code, (unsigned long long)x->integer, (unsigned long long)w->integer);
            break;
        case K_STR:
            ck_assert_uint_eq(x->reg_type, BF_REG_SZ);
            ck_assert_ptr_nonnull(x->string);
            ck_assert_msg(strcmp(x->string, w->str) == 0, "%s: %s %08x = \"%.60s\", expected \"%.60s\"",
                          stage, obj, x->code, x->string, w->str);
            ck_assert_uint_eq(x->raw_len, 2 * strlen(w->str) + 2);
            break;
        case K_OBJ:
        case K_LIST: {
            ck_assert_uint_eq(x->reg_type, w->kind == K_OBJ ? BF_REG_SZ : BF_REG_MULTI_SZ);
            ck_assert_uint_eq(x->nguids, 1);
            bf_guid wg = gid(w->str);
            ck_assert_msg(bf_guid_equal(&x->guids[0], &wg), "%s: %s %08x names another object", stage,
                          obj, x->code);
            break;
        }
        default:
            ck_abort();
        }
    }
    bf_bcd_elems_free(els, n);
}

/* S0 */
static const exp_el p0_bootmgr[] = {
    {E_DESCRIPTION, K_STR, 0, "Windows Boot Manager"},
    {E_DEFAULT, K_OBJ, 0, "{3c1a2d7e-5b6f-4a10-9c2d-0123456789ab}"},
    {E_DISPLAYORDER, K_LIST, 0, "{3c1a2d7e-5b6f-4a10-9c2d-0123456789ab}"},
    {E_TIMEOUT, K_INT, 30, NULL},
};
static const exp_el p0_loader[] = {
    {E_DESCRIPTION, K_STR, 0, "Windows 10"},
    {E_SYSTEMROOT, K_STR, 0, "\\Windows"},
    {E_NX, K_INT, 1, NULL},
};

/* P1 = S0 + timeout 5, testsigning yes, long loadoptions, nx deleted */
static const exp_el p1_bootmgr[] = {
    {E_DESCRIPTION, K_STR, 0, "Windows Boot Manager"},
    {E_DEFAULT, K_OBJ, 0, "{3c1a2d7e-5b6f-4a10-9c2d-0123456789ab}"},
    {E_DISPLAYORDER, K_LIST, 0, "{3c1a2d7e-5b6f-4a10-9c2d-0123456789ab}"},
    {E_TIMEOUT, K_INT, 5, NULL},
};
static exp_el p1_loader[] = {
    {E_DESCRIPTION, K_STR, 0, "Windows 10"},
    {E_LOADOPTIONS, K_STR, 0, NULL /* loadopts, set at run time */},
    {E_TESTSIGNING, K_BOOL, 1, NULL},
    {E_SYSTEMROOT, K_STR, 0, "\\Windows"},
};
/* after step 5: P1 + displaybootmenu yes */
static const exp_el p2_bootmgr[] = {
    {E_DESCRIPTION, K_STR, 0, "Windows Boot Manager"},
    {E_DEFAULT, K_OBJ, 0, "{3c1a2d7e-5b6f-4a10-9c2d-0123456789ab}"},
    {E_DISPLAYORDER, K_LIST, 0, "{3c1a2d7e-5b6f-4a10-9c2d-0123456789ab}"},
    {E_TIMEOUT, K_INT, 5, NULL},
    {E_DISPLAYBOOTMENU, K_BOOL, 1, NULL},
};

#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* ---- building the store, the edit and the log ------------------------------------------ */

/* Step 1: S0 committed to store_path; returns its bytes. */
static uint8_t *build_s0(size_t *len)
{
    bf_bcd *s;
    bf_error e_;
    bf_guid bm = gid(BOOTMGR), ld = gid(LOADER);
    OK(bf_bcd_new(&s, &e_));
    OK(bf_bcd_object_create(s, &bm, 0x10100002u, NULL, &e_));
    OK(bf_bcd_object_create(s, &ld, 0x10200003u, NULL, &e_));
    OK(bf_bcd_set_string(s, &bm, E_DESCRIPTION, "Windows Boot Manager", &e_));
    OK(bf_bcd_set_objects(s, &bm, E_DEFAULT, &ld, 1, &e_));
    OK(bf_bcd_set_objects(s, &bm, E_DISPLAYORDER, &ld, 1, &e_));
    OK(bf_bcd_set_integer(s, &bm, E_TIMEOUT, 30, &e_));
    OK(bf_bcd_set_string(s, &ld, E_DESCRIPTION, "Windows 10", &e_));
    OK(bf_bcd_set_string(s, &ld, E_SYSTEMROOT, "\\Windows", &e_));
    OK(bf_bcd_set_integer(s, &ld, E_NX, 1, &e_));
    bf_commit_opts o = {store_path, NULL, 0};
    OK(bf_bcd_commit(s, &o, &e_));
    bf_bcd_close(s);
    uint8_t *p = test_slurp(store_path, len);
    ck_assert_ptr_nonnull(p);
    return p;
}

/* Step 2: the edit, serialized but not committed. */
static uint8_t *build_p1(size_t *len)
{
    bf_bcd *s;
    bf_error e_;
    bf_guid bm = gid(BOOTMGR), ld = gid(LOADER);
    OK(bf_bcd_open(store_path, BF_OPEN_WRITE, &s, &e_));
    OK(bf_bcd_set_integer(s, &bm, E_TIMEOUT, 5, &e_));
    OK(bf_bcd_set_boolean(s, &ld, E_TESTSIGNING, 1, &e_));
    OK(bf_bcd_set_string(s, &ld, E_LOADOPTIONS, loadopts, &e_));
    OK(bf_bcd_element_delete(s, &ld, E_NX, &e_));
    uint8_t *p;
    OK(bf_hive_serialize(bf_bcd_hive(s), &p, len, &e_));
    bf_bcd_close(s);
    return p;
}

/* The new-format log for P0 -> P1 with sequence `seq`.  *len gets its size. */
static uint8_t *build_log(const uint8_t *p0, size_t p0_len, const uint8_t *p1, size_t p1_len,
                          uint32_t seq, size_t *len, uint32_t *npages_out)
{
    uint32_t hb0 = rd32(p0 + BB_HBINS_SIZE), hb1 = rd32(p1 + BB_HBINS_SIZE);
    ck_assert_uint_eq(p0_len, BB + hb0);
    ck_assert_uint_eq(p1_len, BB + hb1);
    ck_assert_uint_ge(hb1, hb0);
    uint32_t npages = 0;
    for (uint32_t off = 0; off < hb1; off += PAGE)
        if (off >= hb0 || memcmp(p0 + BB + off, p1 + BB + off, PAGE) != 0)
            npages++;
    ck_assert_uint_gt(npages, 0);
    size_t tight = 40 + 8u * npages + (size_t)PAGE * npages;
    size_t esize = (tight + 511) / 512 * 512;
    *len = 512 + esize;
    uint8_t *log = calloc(1, *len);
    ck_assert_ptr_nonnull(log);

    /* base block copy: P1's first 512 bytes, type 6, sequence seq/seq */
    memcpy(log, p1, 512);
    wr32(log + BB_SEQ1, seq);
    wr32(log + BB_SEQ2, seq);
    wr32(log + BB_TYPE, 6);
    wr32(log + BB_CHECKSUM, bf_bb_checksum(log));

    uint8_t *ent = log + 512;
    memcpy(ent, "HvLE", 4);
    wr32(ent + 4, (uint32_t)esize);
    wr32(ent + 8, rd32(p1 + BB_FLAGS) & 1u);
    wr32(ent + 12, seq);
    wr32(ent + 16, hb1);
    wr32(ent + 20, npages);
    uint32_t i = 0;
    uint8_t *data = ent + 40 + 8u * npages;
    for (uint32_t off = 0; off < hb1; off += PAGE) {
        if (off < hb0 && memcmp(p0 + BB + off, p1 + BB + off, PAGE) == 0)
            continue;
        wr32(ent + 40 + 8u * i, off);
        wr32(ent + 44 + 8u * i, PAGE);
        memcpy(data + (size_t)PAGE * i, p1 + BB + off, PAGE);
        i++;
    }
    wr64(ent + 24, bf_marvin32(ent + 40, esize - 40, BF_MARVIN32_SEED));
    wr64(ent + 32, bf_marvin32(ent, 32, BF_MARVIN32_SEED));
    if (npages_out)
        *npages_out = npages;
    return log;
}

/* P0 as an interrupted Windows write leaves it: Sequence1 = Sequence2 + 1. */
static void write_dirty_primary(const uint8_t *p0, size_t len)
{
    uint8_t *d = malloc(len);
    ck_assert_ptr_nonnull(d);
    memcpy(d, p0, len);
    uint32_t s2 = rd32(d + BB_SEQ2);
    wr32(d + BB_SEQ1, s2 + 1);
    wr32(d + BB_CHECKSUM, bf_bb_checksum(d));
    test_put_file(store_path, d, len);
    free(d);
}

/* Steps 1-3; returns the images (caller frees) and N. */
static void make_dirty_store(uint8_t **p0, size_t *p0_len, uint8_t **p1, size_t *p1_len,
                             uint32_t *seq, int corrupt)
{
    *p0 = build_s0(p0_len);
    uint32_t s1 = rd32(*p0 + BB_SEQ1), s2 = rd32(*p0 + BB_SEQ2);
    ck_assert_uint_eq(s1, s2); /* committed clean */
    *seq = s2;
    *p1 = build_p1(p1_len);
    /* replay keeps the primary's base block: the root cell must not move */
    ck_assert_uint_eq(rd32(*p0 + BB_ROOT), rd32(*p1 + BB_ROOT));
    /* the edit grew the hive: the log entry's hive-bins size covers it */
    ck_assert_uint_gt(rd32(*p1 + BB_HBINS_SIZE), rd32(*p0 + BB_HBINS_SIZE));

    size_t llen;
    uint32_t npages;
    uint8_t *log = build_log(*p0, *p0_len, *p1, *p1_len, *seq, &llen, &npages);
    if (corrupt) {
        /* one byte of the first page's data (after the references) */
        log[512 + 40 + 8u * npages + 100] ^= 0x5a;
    }
    test_put_file(log1_path, log, llen);
    free(log);
    write_dirty_primary(*p0, *p0_len);
}

/* ---- hivex helpers ------------------------------------------------------------------------ */

static const oracle_rec *hx_element(const oracle_walk *w, const char *obj, uint32_t code)
{
    char path[128];
    snprintf(path, sizeof path, "Objects\\%s\\Elements\\%08x", obj, code);
    for (size_t i = 0; i < w->n; i++) {
        const oracle_rec *r = &w->recs[i];
        if (r->kind == ORACLE_VALUE && strcmp(r->path, path) == 0 && strcmp(r->name, "Element") == 0)
            return r;
    }
    return NULL;
}

static uint64_t le64(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i > 0; i--)
        v = v << 8 | p[i - 1];
    return v;
}

/* ---- tests ----------------------------------------------------------------------------------- */

START_TEST(test_dirty_store_replayed)
{
    uint8_t *p0, *p1;
    size_t p0_len, p1_len;
    uint32_t seq;
    p1_loader[1].str = loadopts;
    make_dirty_store(&p0, &p0_len, &p1, &p1_len, &seq, 0);

    /* the primary alone (no logs) still holds S0: the edit lives only in the log */
    bf_bcd *s;
    bf_error e_;
    OK(bf_bcd_open(store_path, BF_OPEN_NO_LOGS, &s, &e_));
    check_elements(s, BOOTMGR, p0_bootmgr, N_(p0_bootmgr), "primary without logs");
    check_elements(s, LOADER, p0_loader, N_(p0_loader), "primary without logs");
    bf_bcd_close(s);

    /* step 4: a read-only open replays the log */
    OK(bf_bcd_open(store_path, 0, &s, &e_));
    bf_hive_info in;
    ck_assert_int_eq(bf_hive_get_info(bf_bcd_hive(s), &in), 0);
    ck_assert_int_eq(in.dirty, 1);
    ck_assert_uint_eq(in.seq1, seq + 1);
    ck_assert_uint_eq(in.seq2, seq);
    ck_assert_int_eq(in.replayed, 1);
    ck_assert_int_eq(in.base_block_recovered, 0);
    ck_assert_uint_eq(in.log_entries, 1);
    ck_assert_uint_eq(in.log_max_seq, seq);
    ck_assert_uint_eq(in.hbins_size, rd32(p1 + BB_HBINS_SIZE));
    ck_assert_ptr_nonnull(in.log_used[0]);
    ck_assert_str_eq(in.log_used[0], log1_path);
    ck_assert_ptr_null(in.log_used[1]);
    check_elements(s, BOOTMGR, p1_bootmgr, N_(p1_bootmgr), "replayed (read-only)");
    check_elements(s, LOADER, p1_loader, N_(p1_loader), "replayed (read-only)");
    /* the replayed image is structurally sound */
    ck_assert_int_eq(bf_hive_check(bf_bcd_hive(s), NULL, NULL, &e_), 0);
    /* and equals P1 in its hive bins */
    uint8_t *img;
    size_t ilen;
    OK(bf_hive_serialize(bf_bcd_hive(s), &img, &ilen, &e_));
    ck_assert_uint_eq(ilen, p1_len);
    /* (serializing stamps the first bin's copy of the timestamp, bin offset 20) */
    memcpy(img + BB + 20, p1 + BB + 20, 8);
    for (size_t i = BB; i < p1_len; i++)
        ck_assert_msg(img[i] == p1[i], "replayed hive bins differ from P1 at file offset 0x%zx", i);
    free(img);
    bf_bcd_close(s);

    /* step 5: writable open, one more element, commit in place */
    bf_guid bm = gid(BOOTMGR);
    OK(bf_bcd_open(store_path, BF_OPEN_WRITE, &s, &e_));
    ck_assert_int_eq(bf_hive_get_info(bf_bcd_hive(s), &in), 0);
    ck_assert_int_eq(in.replayed, 1);
    OK(bf_bcd_set_boolean(s, &bm, E_DISPLAYBOOTMENU, 1, &e_));
    bf_commit_opts o = {NULL, NULL, 0};
    OK(bf_bcd_commit(s, &o, &e_));
    bf_bcd_close(s);

    size_t flen;
    uint8_t *f = test_slurp(store_path, &flen);
    ck_assert_ptr_nonnull(f);
    uint32_t fs1 = rd32(f + BB_SEQ1), fs2 = rd32(f + BB_SEQ2);
    ck_assert_uint_eq(fs1, fs2);
    ck_assert_msg(fs1 > seq + 1, "committed sequence %u not above the log's %u and the dirty primary's %u",
                  fs1, seq, seq + 1);
    ck_assert_uint_eq(rd32(f + BB_CHECKSUM), bf_bb_checksum(f));
    ck_assert_uint_eq(rd32(f + BB_TYPE), 0);
    int problems = bf_check_image(f, flen, NULL, NULL, &e_);
    ck_assert_msg(problems == 0, "committed store: %d problems (%s)", problems, e_.msg);
    free(f);

    /* reopened: clean, the (left over) log is ignored, step-2 content + the element */
    OK(bf_bcd_open(store_path, 0, &s, &e_));
    ck_assert_int_eq(bf_hive_get_info(bf_bcd_hive(s), &in), 0);
    ck_assert_int_eq(in.dirty, 0);
    ck_assert_int_eq(in.replayed, 0);
    check_elements(s, BOOTMGR, p2_bootmgr, N_(p2_bootmgr), "committed");
    check_elements(s, LOADER, p1_loader, N_(p1_loader), "committed");
    bf_bcd_close(s);

    /* hivex: the file holds exactly P1's content plus displaybootmenu */
    char errbuf[ORACLE_ERRSZ];
    oracle_walk *got = oracle_walk_hivex(store_path, errbuf);
    ck_assert_msg(got != NULL, "hivex: %s", errbuf);
    /* expected: P1 (never replayed, never dirty) + the element, written elsewhere */
    OK(bf_bcd_open_mem("P1", p1, p1_len, BF_OPEN_WRITE, &s, &e_));
    OK(bf_bcd_set_boolean(s, &bm, E_DISPLAYBOOTMENU, 1, &e_));
    OK(bf_hive_serialize(bf_bcd_hive(s), &img, &ilen, &e_));
    bf_bcd_close(s);
    test_put_file(exp_path, img, ilen);
    free(img);
    oracle_walk *want = oracle_walk_hivex(exp_path, errbuf);
    ck_assert_msg(want != NULL, "hivex (expected): %s", errbuf);
    char diff[1024];
    ck_assert_msg(oracle_compare(want, got, ORACLE_CMP_DATA | ORACLE_CMP_CLASS, diff, sizeof diff) == 0,
                  "hivex walk of the committed store differs from P1 + displaybootmenu: %s", diff);
    /* and the changes themselves, read by hivex alone */
    const oracle_rec *r = hx_element(got, BOOTMGR, E_TIMEOUT);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->type, BF_REG_BINARY);
    ck_assert_uint_eq(r->len, 8);
    ck_assert_uint_eq(le64(r->data, 8), 5);
    r = hx_element(got, BOOTMGR, E_DISPLAYBOOTMENU);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->len, 1);
    ck_assert_uint_eq(r->data[0], 1);
    r = hx_element(got, LOADER, E_TESTSIGNING);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->len, 1);
    ck_assert_uint_eq(r->data[0], 1);
    r = hx_element(got, LOADER, E_LOADOPTIONS);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->type, BF_REG_SZ);
    ck_assert_uint_eq(r->len, 2u * LOADOPTS_LEN + 2);
    for (size_t i = 0; i < LOADOPTS_LEN; i++)
        ck_assert_msg(r->data[2 * i] == (uint8_t)loadopts[i] && r->data[2 * i + 1] == 0,
                      "loadoptions character %zu", i);
    ck_assert_ptr_null(hx_element(got, LOADER, E_NX));
    oracle_walk_free(want);
    oracle_walk_free(got);
    free(p0);
    free(p1);
}
END_TEST

START_TEST(test_bad_hash_not_replayed)
{
    uint8_t *p0, *p1;
    size_t p0_len, p1_len;
    uint32_t seq;
    make_dirty_store(&p0, &p0_len, &p1, &p1_len, &seq, 1);

    /* read-only: the primary as it is, never P1's content */
    bf_bcd *s = NULL;
    bf_error e;
    memset(&e, 0, sizeof e);
    int rc = bf_bcd_open(store_path, 0, &s, &e);
    ck_assert_msg(rc == BF_OK, "read-only open of a dirty store with a bad log: %d %s", rc, e.msg);
    bf_hive_info in;
    ck_assert_int_eq(bf_hive_get_info(bf_bcd_hive(s), &in), 0);
    ck_assert_int_eq(in.dirty, 1);
    ck_assert_int_eq(in.replayed, 0);
    ck_assert_uint_eq(in.log_entries, 0);
    ck_assert_ptr_null(in.log_used[0]);
    int named = 0;
    for (int i = 0; i < 3; i++)
        if (in.log_paths[i] && strcmp(in.log_paths[i], log1_path) == 0)
            named = 1;
    ck_assert_msg(named, "info.log_paths does not name %s", log1_path);
    check_elements(s, BOOTMGR, p0_bootmgr, N_(p0_bootmgr), "bad log (read-only)");
    check_elements(s, LOADER, p0_loader, N_(p0_loader), "bad log (read-only)");
    bf_bcd_close(s);

    /* writable: refused, naming the log and the bad hash */
    s = NULL;
    memset(&e, 0, sizeof e);
    rc = bf_bcd_open(store_path, BF_OPEN_WRITE, &s, &e);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(e.code, BF_ERR_DIRTY);
    ck_assert_msg(strstr(e.msg, "BCD.LOG1") && strstr(e.msg, "Hash-1"),
                  "message does not name the log and Hash-1: %s", e.msg);

    /* the file was not touched */
    size_t flen;
    uint8_t *f = test_slurp(store_path, &flen);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(flen, p0_len);
    ck_assert_uint_eq(rd32(f + BB_SEQ1), seq + 1);
    ck_assert_uint_eq(rd32(f + BB_SEQ2), seq);
    free(f);

    /* writable with BF_OPEN_FORCE_DIRTY: allowed, content is the primary's */
    memset(&e, 0, sizeof e);
    rc = bf_bcd_open(store_path, BF_OPEN_WRITE | BF_OPEN_FORCE_DIRTY, &s, &e);
    ck_assert_msg(rc == BF_OK, "forced writable open: %d %s", rc, e.msg);
    ck_assert_int_eq(bf_hive_get_info(bf_bcd_hive(s), &in), 0);
    ck_assert_int_eq(in.replayed, 0);
    check_elements(s, BOOTMGR, p0_bootmgr, N_(p0_bootmgr), "bad log (forced)");
    check_elements(s, LOADER, p0_loader, N_(p0_loader), "bad log (forced)");
    bf_bcd_close(s);
    free(p0);
    free(p1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("bcd_dirty");
    TCase *tc = tcase_create("replay");
    tcase_add_unchecked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_checked_fixture(tc, test_setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dirty_store_replayed);
    tcase_add_test(tc, test_bad_hash_not_replayed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(suite());
}
