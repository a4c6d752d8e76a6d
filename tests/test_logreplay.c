/*
 * test_logreplay — transaction-log replay (lib/hive/logreplay.c), Marvin32
 * (lib/hive/marvin32.c) and finding logs beside a hive (lib/hive/logfiles.c).
 *
 * Corpus tests replay the 10 dirty hive + log sets listed in
 * <corpus>/hives/recovered-by-yarp/README.md and compare the key/value content
 * (walked with hivex) with the file yarp recovered; they print
 * "SKIPPED: ... corpus not found" when the corpus is absent.  Crafted logs in
 * memory check that damaged logs are refused or ignored without crashing.
 */
#include "hive/internal.h"

#include "common/corpus.h"
#include "common/files.h"
#include "common/oracle.h"

#include "common/runner.h"
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------------------------- */

/* <corpus>/hives/<rel>, or NULL when the corpus is absent. */
static char *hive_path(const char *rel)
{
    const char *dir = corpus_dir();
    if (!dir)
        return NULL;
    size_t n = strlen(dir) + strlen(rel) + 16;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/hives/%s", dir, rel);
    return p;
}

static int image_clean(const uint8_t *img, size_t len)
{
    return len >= REGF_BASE_BLOCK && memcmp(img, "regf", 4) == 0 && rd32(img + BB_SEQ1) == rd32(img + BB_SEQ2) &&
           bf_bb_checksum(img) == rd32(img + BB_CHECKSUM) && rd32(img + BB_TYPE) == 0 &&
           (uint64_t)REGF_BASE_BLOCK + rd32(img + BB_HBINS_SIZE) <= len;
}

/* A primary hive and its logs, loaded through bf_logs_find. */
typedef struct hive_set {
    char *path;
    uint8_t *img;
    size_t len;
    char *log_paths[3];
    uint8_t *log_data[3];
    bf_log_buf logs[3];
} hive_set;

static void set_load(hive_set *s, const char *primary)
{
    memset(s, 0, sizeof *s);
    s->path = hive_path(primary);
    ck_assert_ptr_nonnull(s->path);
    s->img = test_slurp(s->path, &s->len);
    ck_assert_msg(s->img != NULL, "cannot read %s", s->path);
    bf_logs_find(s->path, s->log_paths);
    for (int i = 0; i < 3; i++) {
        s->logs[i].name = s->log_paths[i] ? s->log_paths[i] : "";
        if (s->log_paths[i]) {
            s->log_data[i] = test_slurp(s->log_paths[i], &s->logs[i].len);
            ck_assert_msg(s->log_data[i] != NULL, "cannot read %s", s->log_paths[i]);
            s->logs[i].data = s->log_data[i];
        }
    }
}

static void set_free(hive_set *s)
{
    free(s->path);
    free(s->img);
    for (int i = 0; i < 3; i++) {
        free(s->log_paths[i]);
        free(s->log_data[i]);
    }
}

static char *write_temp(const uint8_t *d, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    char *p = malloc(4096);
    ck_assert_ptr_nonnull(p);
    snprintf(p, 4096, "%s/bf_logreplay_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(p);
    ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, d + off, len - off);
        ck_assert_msg(w > 0, "write: %s", strerror(errno));
        off += (size_t)w;
    }
    close(fd);
    return p;
}

/* ---- Marvin32 --------------------------------------------------------------------------- */

START_TEST(marvin32_published_vectors)
{
    /* Published test vectors (seed 0x004FB61A001BDBCC) used by several
     * independent Marvin32 implementations; cover every tail length. */
    static const struct {
        const char *data;
        size_t len;
        uint64_t seed, want;
    } v[] = {
        {"", 0, 0x004FB61A001BDBCCull, 0x30ED35C100CD3C7Dull},
        {"\xaf", 1, 0x004FB61A001BDBCCull, 0x48E73FC77D75DDC1ull},
        {"\xe7\x0f", 2, 0x004FB61A001BDBCCull, 0xB5F6E1FC485DBFF8ull},
        {"\x37\xf4\x95", 3, 0x004FB61A001BDBCCull, 0xF0B07C789B8CF7E8ull},
        {"\x86\x42\xdc\x59", 4, 0x004FB61A001BDBCCull, 0x7008F2E87E9CF556ull},
        {"\x15\x3f\xb7\x98\x26", 5, 0x004FB61A001BDBCCull, 0xE6C08C6DA2AFA997ull},
        {"\x09\x32\xe6\x24\x6c\x47", 6, 0x004FB61A001BDBCCull, 0x6F04BF1A5EA24060ull},
        {"\xab\x42\x7e\xa8\xd1\x0f\xc7", 7, 0x004FB61A001BDBCCull, 0xE11847E4F0678C41ull},
        {"abc", 3, 0xD53CD9CECD0893B7ull, 0x22C74339492769BFull},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint64_t got = bf_marvin32((const uint8_t *)v[i].data, v[i].len, v[i].seed);
        ck_assert_msg(got == v[i].want, "vector %zu: got 0x%016llx, want 0x%016llx", i, (unsigned long long)got,
                      (unsigned long long)v[i].want);
    }
}
END_TEST

START_TEST(marvin32_matches_real_log_entries)
{
    static const char *const logs[] = {
        "yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive.LOG1",
        "yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive.LOG2",
        "regipy/regipy_tests/data/transactions_ntuser.dat.log1",
        "DFIRArtifactMuseum/Windows/Amcache/Win11/RathbunVM/Amcache.hve.LOG2",
    };
    if (!corpus_dir()) {
        corpus_skip_note("marvin32_matches_real_log_entries");
        return;
    }
    unsigned checked = 0;
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        char *p = hive_path(logs[i]);
        size_t len;
        uint8_t *d = test_slurp(p, &len);
        ck_assert_msg(d != NULL, "cannot read %s", p);
        /* every entry of the log (stops at the first non-entry) */
        size_t off = 512;
        unsigned n = 0;
        while (off + 40 <= len && memcmp(d + off, "HvLE", 4) == 0) {
            uint32_t size = rd32(d + off + 4);
            if (size < 512 || size > len - off)
                break;
            uint64_t h1 = bf_marvin32(d + off + 40, size - 40, BF_MARVIN32_SEED);
            uint64_t h2 = bf_marvin32(d + off, 32, BF_MARVIN32_SEED);
            if (n == 0) {
                /* the first entry of a log is always genuine */
                ck_assert_msg(h1 == rd64(d + off + 24), "%s: first entry Hash-1 0x%016llx, computed 0x%016llx", p,
                              (unsigned long long)rd64(d + off + 24), (unsigned long long)h1);
                ck_assert_msg(h2 == rd64(d + off + 32), "%s: first entry Hash-2 0x%016llx, computed 0x%016llx", p,
                              (unsigned long long)rd64(d + off + 32), (unsigned long long)h2);
            }
            if (h1 == rd64(d + off + 24) && h2 == rd64(d + off + 32))
                checked++;
            n++;
            off += size;
        }
        ck_assert_uint_gt(n, 0);
        free(d);
        free(p);
    }
    printf("marvin32: %u real log entries with matching Hash-1 and Hash-2\n", checked);
    ck_assert_uint_ge(checked, 4);
}
END_TEST

/* ---- the yarp-recovered sets ---------------------------------------------------------------- */

static const struct replay_case {
    const char *primary;
    const char *recovered; /* in recovered-by-yarp/ */
    int used[3];           /* expected log order (0 .LOG, 1 .LOG1, 2 .LOG2), -1 ends */
    unsigned entries;      /* entries (new format) or 512-byte pages (old) applied */
    int bb_recovered;
} cases[] = {
    {"yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive", "yarp_hives_for_tests_NewDirtyHive1_NewDirtyHive",
     {1, 2, -1}, 4, 0},
    {"yarp/hives_for_tests/OldDirtyHive/OldDirtyHive", "yarp_hives_for_tests_OldDirtyHive_OldDirtyHive",
     {1, -1, -1}, 64, 0},
    {"yarp/hives_for_tests/BadBaseBlockHive/BadBaseBlockHive",
     "yarp_hives_for_tests_BadBaseBlockHive_BadBaseBlockHive", {1, -1, -1}, 64, 1},
    {"regipy/regipy_tests/data/SYSTEM_B", "regipy_regipy_tests_data_SYSTEM_B", {1, 2, -1}, 24, 0},
    {"regipy/regipy_tests/data/UsrClass.dat", "regipy_regipy_tests_data_UsrClass.dat", {1, 2, -1}, 14, 0},
    {"regipy/regipy_tests/data/transactions_NTUSER.DAT", "regipy_regipy_tests_data_transactions_NTUSER.DAT",
     {1, -1, -1}, 23, 0},
    {"DFIRArtifactMuseum/Windows/Amcache/Win10/APTSimulatorVM/Amcache.hve",
     "DFIRArtifactMuseum_Windows_Amcache_Win10_APTSimulatorVM_Amcache.hve", {1, 2, -1}, 4, 0},
    {"DFIRArtifactMuseum/Windows/Amcache/Win10/RathbunVM/Amcache.hve",
     "DFIRArtifactMuseum_Windows_Amcache_Win10_RathbunVM_Amcache.hve", {1, 2, -1}, 6, 0},
    {"DFIRArtifactMuseum/Windows/Amcache/Win11/RathbunVM/Amcache.hve",
     "DFIRArtifactMuseum_Windows_Amcache_Win11_RathbunVM_Amcache.hve", {2, 1, -1}, 9, 0},
    {"DFIRArtifactMuseum/Windows/Amcache/Server2022/APTSimulatorVM/Amcache.hve",
     "DFIRArtifactMuseum_Windows_Amcache_Server2022_APTSimulatorVM_Amcache.hve", {1, 2, -1}, 7, 0},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

START_TEST(replay_matches_yarp)
{
    const struct replay_case *c = &cases[_i];
    if (!corpus_dir()) {
        corpus_skip_note(c->primary);
        return;
    }
    hive_set s;
    set_load(&s, c->primary);
    uint32_t seq1_before = rd32(s.img + BB_SEQ1), seq2_before = rd32(s.img + BB_SEQ2);
    int dirty_before = seq1_before != seq2_before || bf_bb_checksum(s.img) != rd32(s.img + BB_CHECKSUM);
    ck_assert_msg(dirty_before, "%s is expected to be dirty", c->primary);

    bf_replay_result res;
    bf_error err = {0};
    int rc = bf_log_replay(&s.img, &s.len, c->primary, s.logs, 3, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s: replay failed (%d): %s", c->primary, rc, err.msg);
    ck_assert_int_eq(res.replayed, 1);
    ck_assert_int_eq(res.base_block_recovered, c->bb_recovered);
    ck_assert_msg(image_clean(s.img, s.len), "%s: replayed image is not clean", c->primary);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(res.used[i] == c->used[i], "%s: used[%d] = %d, expected %d", c->primary, i, res.used[i],
                      c->used[i]);
    ck_assert_msg(res.entries == c->entries, "%s: %u entries/pages applied, expected %u", c->primary, res.entries,
                  c->entries);
    ck_assert_uint_ge(res.max_seq, rd32(s.img + BB_SEQ1));

    /* yarp's recovered file: same sequence number and hive-bins size ... */
    char rel[512];
    snprintf(rel, sizeof rel, "recovered-by-yarp/%s", c->recovered);
    char *rpath = hive_path(rel);
    size_t rlen;
    uint8_t *rimg = test_slurp(rpath, &rlen);
    ck_assert_msg(rimg != NULL, "cannot read %s", rpath);
    ck_assert_uint_eq(rd32(s.img + BB_SEQ1), rd32(rimg + BB_SEQ1));
    ck_assert_uint_eq(rd32(s.img + BB_HBINS_SIZE), rd32(rimg + BB_HBINS_SIZE));

    /* ... and the same key/value content, walked by hivex */
    char *tmp = write_temp(s.img, s.len);
    char e1[ORACLE_ERRSZ] = "", e2[ORACLE_ERRSZ] = "";
    oracle_walk *mine = oracle_walk_hivex(tmp, e1);
    oracle_walk *theirs = oracle_walk_hivex(rpath, e2);
    unlink(tmp);
    ck_assert_msg(mine != NULL, "%s: hivex cannot walk the replayed image: %s", c->primary, e1);
    ck_assert_msg(theirs != NULL, "%s: hivex cannot walk yarp's file: %s", rpath, e2);
    char diff[2048] = "";
    int d = oracle_compare(mine, theirs, ORACLE_CMP_DATA, diff, sizeof diff);
    ck_assert_msg(d == 0, "%s: content differs from yarp's recovery: %s", c->primary, diff);
    ck_assert_uint_gt(mine->nkeys, 0);
    int newfmt = rd32(s.logs[res.used[0]].data + BB_TYPE) == 6;
    printf("replay %-70s seq %u/%u -> %u, %u %s from", c->primary, seq1_before, seq2_before,
           rd32(s.img + BB_SEQ1), res.entries, newfmt ? "log entries" : "512-byte pages");
    for (int i = 0; i < 8 && res.used[i] >= 0; i++)
        printf(" %s", strrchr(s.log_paths[res.used[i]], '/') + 1);
    printf("; content equal to yarp (%zu keys, %zu values)\n", mine->nkeys, mine->nvalues);
    fflush(stdout);

    oracle_walk_free(mine);
    oracle_walk_free(theirs);
    free(tmp);
    free(rimg);
    free(rpath);
    set_free(&s);
}
END_TEST

/* ---- refusals -------------------------------------------------------------------------------- */

START_TEST(bad_log_hives_refused)
{
    static const char *const bad[] = {
        "yarp/hives_for_tests/BadLogHive1/BadLogHive", /* LOG1 base block checksum wrong */
        "yarp/hives_for_tests/BadLogHive2/BadLogHive", /* LOG1 dirty vector signature wrong */
        "yarp/hives_for_tests/BadLogHive3/BadLogHive", /* both new-format logs: checksum wrong */
    };
    static const char *const expect_in_msg[] = {"checksum", "DIRT", "checksum"};
    if (!corpus_dir()) {
        corpus_skip_note("bad_log_hives_refused");
        return;
    }
    for (size_t i = 0; i < 3; i++) {
        hive_set s;
        set_load(&s, bad[i]);
        uint8_t *copy = malloc(s.len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, s.img, s.len);
        size_t len0 = s.len;
        bf_replay_result res;
        bf_error err = {0};
        int rc = bf_log_replay(&s.img, &s.len, bad[i], s.logs, 3, &res, &err);
        ck_assert_msg(rc == BF_ERR_DIRTY, "%s: expected BF_ERR_DIRTY, got %d (%s)", bad[i], rc, err.msg);
        ck_assert_int_eq(err.code, BF_ERR_DIRTY);
        ck_assert_msg(strstr(err.msg, expect_in_msg[i]) != NULL, "%s: message does not explain: %s", bad[i],
                      err.msg);
        ck_assert_int_eq(res.replayed, 0);
        ck_assert_int_eq(res.used[0], -1);
        ck_assert_uint_eq(s.len, len0);
        ck_assert_msg(memcmp(s.img, copy, len0) == 0, "%s: image changed although refused", bad[i]);
        printf("refused %s: %s\n", bad[i], err.msg);
        free(copy);
        set_free(&s);
    }
}
END_TEST

START_TEST(dirty_without_logs_refused)
{
    if (!corpus_dir()) {
        corpus_skip_note("dirty_without_logs_refused");
        return;
    }
    hive_set s;
    set_load(&s, "yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive");
    bf_error err = {0};
    bf_replay_result res;
    int rc = bf_log_replay(&s.img, &s.len, "NewDirtyHive", NULL, 0, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_ptr_nonnull(strstr(err.msg, "no transaction logs found"));
    /* logs present but empty */
    bf_log_buf empty[3] = {{"a.LOG", NULL, 0}, {"a.LOG1", (const uint8_t *)"", 0}, {"a.LOG2", NULL, 0}};
    rc = bf_log_replay(&s.img, &s.len, "NewDirtyHive", empty, 3, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
    set_free(&s);
}
END_TEST

START_TEST(clean_hive_unchanged)
{
    if (!corpus_dir()) {
        corpus_skip_note("clean_hive_unchanged");
        return;
    }
    /* Windows' own recovery of NewDirtyHive1 (clean, 6/6) beside the logs of
     * the dirty original (entries up to sequence 5). */
    hive_set s, l;
    set_load(&s, "yarp/hives_for_tests/NewDirtyHive1/RecoveredHive_Windows10");
    set_load(&l, "yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive");
    ck_assert(image_clean(s.img, s.len));
    uint8_t *copy = malloc(s.len);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, s.img, s.len);
    size_t len0 = s.len;
    uint8_t *ptr0 = s.img;
    bf_replay_result res;
    bf_error err = {0};
    int rc = bf_log_replay(&s.img, &s.len, "RecoveredHive_Windows10", l.logs, 3, &res, &err);
    ck_assert_int_eq(rc, BF_OK);
    ck_assert_int_eq(res.replayed, 0);
    ck_assert_uint_eq(res.entries, 0);
    ck_assert_int_eq(res.used[0], -1);
    ck_assert_ptr_eq(s.img, ptr0);
    ck_assert_uint_eq(s.len, len0);
    ck_assert(memcmp(s.img, copy, len0) == 0);
    ck_assert_uint_eq(res.max_seq, 5); /* highest log entry / log header sequence */
    free(copy);
    set_free(&s);
    set_free(&l);
}
END_TEST

START_TEST(invalid_base_block_uses_latest_log)
{
    if (!corpus_dir()) {
        corpus_skip_note("invalid_base_block_uses_latest_log");
        return;
    }
    hive_set s;
    set_load(&s, "yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive");
    s.img[BB_CHECKSUM] ^= 0x55; /* base block now invalid */
    bf_replay_result res;
    bf_error err = {0};
    int rc = bf_log_replay(&s.img, &s.len, "NewDirtyHive(bad checksum)", s.logs, 3, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_int_eq(res.base_block_recovered, 1);
    ck_assert_int_eq(res.used[0], 2); /* LOG2 has the latest entries (3..5) */
    ck_assert_int_eq(res.used[1], -1);
    ck_assert_uint_eq(res.entries, 3);
    ck_assert(image_clean(s.img, s.len));
    ck_assert_uint_eq(rd32(s.img + BB_SEQ1), 5);
    set_free(&s);
}
END_TEST

START_TEST(same_bins_as_windows_recovery)
{
    if (!corpus_dir()) {
        corpus_skip_note("same_bins_as_windows_recovery");
        return;
    }
    /* NewDirtyHive1 as recovered by Windows 10 itself: the hive bins must be
     * byte-identical to ours (Windows then wrote its own base block). */
    hive_set s;
    set_load(&s, "yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive");
    bf_replay_result res;
    bf_error err = {0};
    ck_assert_int_eq(bf_log_replay(&s.img, &s.len, "NewDirtyHive", s.logs, 3, &res, &err), BF_OK);
    char *wpath = hive_path("yarp/hives_for_tests/NewDirtyHive1/RecoveredHive_Windows10");
    size_t wlen;
    uint8_t *win = test_slurp(wpath, &wlen);
    ck_assert_ptr_nonnull(win);
    uint32_t hb = rd32(s.img + BB_HBINS_SIZE);
    ck_assert_uint_eq(hb, rd32(win + BB_HBINS_SIZE));
    ck_assert_uint_ge(wlen, REGF_BASE_BLOCK + hb);
    ck_assert_msg(memcmp(s.img + REGF_BASE_BLOCK, win + REGF_BASE_BLOCK, hb) == 0,
                  "replayed hive bins differ from Windows 10's recovery");
    free(win);
    free(wpath);
    set_free(&s);

    /* NewDirtyHive2: LOG1 (sequence 2) is older than the primary (4/3): only
     * LOG2 applies, up to sequence 5 (as yarp's test_dirty_new2 expects). */
    set_load(&s, "yarp/hives_for_tests/NewDirtyHive2/NewDirtyHive");
    ck_assert_int_eq(bf_log_replay(&s.img, &s.len, "NewDirtyHive2", s.logs, 3, &res, &err), BF_OK);
    ck_assert_int_eq(res.used[0], 2);
    ck_assert_int_eq(res.used[1], -1);
    ck_assert_uint_eq(res.entries, 3);
    ck_assert_uint_eq(rd32(s.img + BB_SEQ1), 5);
    ck_assert(image_clean(s.img, s.len));
    set_free(&s);
}
END_TEST

/* ---- crafted hives and logs in memory ----------------------------------------------------------- */

#define T_HBINS 8192u

/* A minimal primary: base block + two 4 KiB bins, each one free cell. */
static uint8_t *mk_primary(uint32_t seq1, uint32_t seq2, size_t *len)
{
    *len = REGF_BASE_BLOCK + T_HBINS;
    uint8_t *p = calloc(1, *len);
    ck_assert_ptr_nonnull(p);
    memcpy(p, "regf", 4);
    wr32(p + BB_SEQ1, seq1);
    wr32(p + BB_SEQ2, seq2);
    wr64(p + BB_TIMESTAMP, 0x01D000000000ABCDull);
    wr32(p + BB_MAJOR, 1);
    wr32(p + BB_MINOR, 5);
    wr32(p + BB_FORMAT, 1);
    wr32(p + BB_ROOT, 0x20);
    wr32(p + BB_HBINS_SIZE, T_HBINS);
    wr32(p + BB_CLUSTER, 1);
    wr32(p + BB_CHECKSUM, bf_bb_checksum(p));
    for (uint32_t b = 0; b < T_HBINS; b += 4096) {
        uint8_t *h = p + REGF_BASE_BLOCK + b;
        memcpy(h, "hbin", 4);
        wr32(h + 4, b);
        wr32(h + 8, 4096);
        wr32(h + 32, 4096 - 32);
    }
    return p;
}

static void mk_log_header(uint8_t *log, const uint8_t *primary, uint32_t type, uint32_t seq, uint32_t hbins)
{
    memcpy(log, primary, 512);
    wr32(log + BB_SEQ1, seq);
    wr32(log + BB_SEQ2, seq);
    wr32(log + BB_TYPE, type);
    wr32(log + BB_HBINS_SIZE, hbins);
    wr32(log + BB_CHECKSUM, bf_bb_checksum(log));
}

/* Append an HvLE entry with one page (hive offset poff, 4096 bytes filled
 * with `fill`, except a valid bin header when poff is a bin start). */
static size_t add_entry(uint8_t *log, size_t off, uint32_t seq, uint32_t hbins, uint32_t poff, uint8_t fill)
{
    uint32_t size = 512 + 4096; /* 40 + 8 header bytes padded to 512, then the page */
    uint8_t *e = log + off;
    memset(e, 0, size);
    memcpy(e, "HvLE", 4);
    wr32(e + 4, size);
    wr32(e + 12, seq);
    wr32(e + 16, hbins);
    wr32(e + 20, 1);
    wr32(e + 40, poff);
    wr32(e + 44, 4096);
    uint8_t *page = e + 48;
    memset(page, fill, 4096);
    memcpy(page, "hbin", 4);
    wr32(page + 4, poff);
    wr32(page + 8, 4096);
    wr32(page + 32, 4096 - 32);
    memset(page + 36, fill, 16);
    wr64(e + 24, bf_marvin32(e + 40, size - 40, BF_MARVIN32_SEED));
    wr64(e + 32, bf_marvin32(e, 32, BF_MARVIN32_SEED));
    return off + size;
}

/* Log: entries seq 10, 11 (grows to 12 KiB, new bin at 8192), 12. */
static uint8_t *mk_new_log(const uint8_t *primary, size_t *len)
{
    *len = 512 + 3 * (512 + 4096) + 1024;
    uint8_t *log = calloc(1, *len);
    ck_assert_ptr_nonnull(log);
    mk_log_header(log, primary, 6, 10, T_HBINS);
    size_t off = 512;
    off = add_entry(log, off, 10, T_HBINS, 0, 0xA1);
    off = add_entry(log, off, 11, T_HBINS + 4096, T_HBINS, 0xB2);
    add_entry(log, off, 12, T_HBINS + 4096, 4096, 0xC3);
    return log;
}

START_TEST(crafted_new_log_applies)
{
    size_t plen, llen;
    uint8_t *p = mk_primary(10, 9, &plen);
    uint8_t *log = mk_new_log(p, &llen);
    bf_log_buf logs[3] = {{"t.LOG", NULL, 0}, {"t.LOG1", log, llen}, {"t.LOG2", NULL, 0}};
    bf_replay_result res;
    bf_error err = {0};
    int rc = bf_log_replay(&p, &plen, "t", logs, 3, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.entries, 3);
    ck_assert_uint_eq(res.max_seq, 12);
    ck_assert_int_eq(res.used[0], 1);
    ck_assert_uint_eq(plen, REGF_BASE_BLOCK + T_HBINS + 4096);
    ck_assert(image_clean(p, plen));
    ck_assert_uint_eq(rd32(p + BB_SEQ1), 12);
    ck_assert_uint_eq(rd32(p + BB_HBINS_SIZE), T_HBINS + 4096);
    ck_assert_uint_eq(p[REGF_BASE_BLOCK + 36], 0xA1);
    ck_assert_uint_eq(p[REGF_BASE_BLOCK + 4096 + 36], 0xC3);
    ck_assert_uint_eq(p[REGF_BASE_BLOCK + T_HBINS + 36], 0xB2);

    /* a gap (entry 11 renumbered 13, hashes valid) stops after entry 10 */
    free(p);
    p = mk_primary(10, 9, &plen);
    wr32(log + 512 + 4608 + 12, 13);
    wr64(log + 512 + 4608 + 32, bf_marvin32(log + 512 + 4608, 32, BF_MARVIN32_SEED));
    rc = bf_log_replay(&p, &plen, "t", logs, 3, &res, &err);
    ck_assert_int_eq(rc, BF_OK);
    ck_assert_uint_eq(res.entries, 1);
    ck_assert_uint_eq(rd32(p + BB_SEQ1), 10);
    ck_assert_uint_eq(plen, REGF_BASE_BLOCK + T_HBINS);
    ck_assert(image_clean(p, plen));

    /* log older than the primary (log sequence 10 < primary's Sequence2 11) */
    free(p);
    p = mk_primary(12, 11, &plen);
    rc = bf_log_replay(&p, &plen, "t", logs, 3, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_ptr_nonnull(strstr(err.msg, "older"));
    free(p);
    free(log);
}
END_TEST

START_TEST(crafted_two_logs_order)
{
    /* LOG2 holds 10..11, LOG1 holds 12: LOG2 first, then LOG1 */
    size_t plen;
    uint8_t *p = mk_primary(10, 9, &plen);
    size_t l1len = 512 + 4608, l2len = 512 + 2 * 4608;
    uint8_t *l1 = calloc(1, l1len), *l2 = calloc(1, l2len);
    ck_assert(l1 && l2);
    mk_log_header(l2, p, 6, 10, T_HBINS);
    add_entry(l2, add_entry(l2, 512, 10, T_HBINS, 0, 0x11), 11, T_HBINS, 4096, 0x22);
    mk_log_header(l1, p, 6, 12, T_HBINS);
    add_entry(l1, 512, 12, T_HBINS, 0, 0x33);
    bf_log_buf logs[3] = {{"t.LOG", NULL, 0}, {"t.LOG1", l1, l1len}, {"t.LOG2", l2, l2len}};
    bf_replay_result res;
    bf_error err = {0};
    int rc = bf_log_replay(&p, &plen, "t", logs, 3, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.entries, 3);
    ck_assert_int_eq(res.used[0], 2);
    ck_assert_int_eq(res.used[1], 1);
    ck_assert_int_eq(res.used[2], -1);
    ck_assert_uint_eq(p[REGF_BASE_BLOCK + 36], 0x33); /* LOG1's entry 12 applied last */
    ck_assert_uint_eq(p[REGF_BASE_BLOCK + 4096 + 36], 0x22);
    ck_assert_uint_eq(rd32(p + BB_SEQ1), 12);
    free(p);
    free(l1);
    free(l2);
}
END_TEST

/* Old format: DIRT vector with the second bin (pages 8..15) dirty. */
static uint8_t *mk_old_log(const uint8_t *primary, size_t *len, uint8_t fill)
{
    *len = 1024 + 8 * 512;
    uint8_t *log = calloc(1, *len);
    ck_assert_ptr_nonnull(log);
    mk_log_header(log, primary, 1, rd32(primary + BB_SEQ1), T_HBINS);
    memcpy(log + 512, "DIRT", 4);
    log[516 + 1] = 0xFF; /* bits 8..15 */
    uint8_t *pg = log + 1024;
    memset(pg, fill, 8 * 512);
    memcpy(pg, "hbin", 4);
    wr32(pg + 4, 4096);
    wr32(pg + 8, 4096);
    return log;
}

START_TEST(crafted_old_log)
{
    size_t plen, llen;
    uint8_t *p = mk_primary(7, 6, &plen);
    uint8_t *log = mk_old_log(p, &llen, 0x5A);
    bf_log_buf logs[3] = {{"o.LOG", NULL, 0}, {"o.LOG1", log, llen}, {"o.LOG2", NULL, 0}};
    bf_replay_result res;
    bf_error err = {0};
    int rc = bf_log_replay(&p, &plen, "o", logs, 3, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.entries, 8);
    ck_assert(image_clean(p, plen));
    ck_assert_uint_eq(rd32(p + BB_SEQ1), 7);
    ck_assert_uint_eq(p[REGF_BASE_BLOCK + 4096 + 100], 0x5A);

    /* timestamp mismatch: stale log, refused */
    free(p);
    p = mk_primary(7, 6, &plen);
    wr64(log + BB_TIMESTAMP, 1);
    wr32(log + BB_CHECKSUM, bf_bb_checksum(log));
    rc = bf_log_replay(&p, &plen, "o", logs, 3, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_ptr_nonnull(strstr(err.msg, "timestamp"));

    /* truncated: the vector marks 8 pages, the file holds 7 */
    free(log);
    log = mk_old_log(p, &llen, 0x5A);
    logs[1].data = log;
    logs[1].len = llen - 512;
    rc = bf_log_replay(&p, &plen, "o", logs, 3, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));

    /* dirty bin with a broken header: replay stops there, nothing applied */
    logs[1].len = llen;
    memcpy(log + 1024, "XXXX", 4);
    rc = bf_log_replay(&p, &plen, "o", logs, 3, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_ptr_nonnull(strstr(err.msg, "invalid"));

    /* bad primary base block: recovered from the log copy */
    free(log);
    log = mk_old_log(p, &llen, 0x77);
    logs[1].data = log;
    p[BB_CHECKSUM] ^= 1;
    memset(p + 48, 'Z', 16); /* damage inside the checksummed area */
    rc = bf_log_replay(&p, &plen, "o", logs, 3, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_int_eq(res.base_block_recovered, 1);
    ck_assert(image_clean(p, plen));
    ck_assert_uint_ne(p[48], 'Z');
    free(p);
    free(log);
}
END_TEST

/* Simple deterministic generator for fuzzing. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

static void replay_must_not_crash(const uint8_t *p0, size_t plen0, const uint8_t *log, size_t llen, int slot)
{
    size_t plen = plen0;
    uint8_t *p = malloc(plen);
    ck_assert_ptr_nonnull(p);
    memcpy(p, p0, plen);
    bf_log_buf logs[3] = {{"f.LOG", NULL, 0}, {"f.LOG1", NULL, 0}, {"f.LOG2", NULL, 0}};
    logs[slot].data = log;
    logs[slot].len = llen;
    bf_replay_result res;
    bf_error err = {0};
    int rc = bf_log_replay(&p, &plen, "f", logs, 3, &res, &err);
    ck_assert_msg(rc == BF_OK || rc == BF_ERR_DIRTY, "unexpected result %d: %s", rc, err.msg);
    if (rc == BF_OK) {
        ck_assert(image_clean(p, plen));
    } else {
        ck_assert(err.msg[0] != '\0');
        ck_assert_uint_eq(plen, plen0);
    }
    free(p);
}

START_TEST(crafted_truncated_and_garbage_logs)
{
    size_t plen, nlen, olen;
    uint8_t *p = mk_primary(10, 9, &plen);
    uint8_t *nlog = mk_new_log(p, &nlen);
    uint8_t *olog = mk_old_log(p, &olen, 0x42);
    unsigned runs = 0;

    /* every truncation length (new and old format) */
    for (size_t cut = 0; cut <= nlen; cut += (cut < 1200 ? 1 : 37), runs++)
        replay_must_not_crash(p, plen, nlog, cut, 1);
    for (size_t cut = 0; cut <= olen; cut += (cut < 1200 ? 1 : 29), runs++)
        replay_must_not_crash(p, plen, olog, cut, 2);

    /* random byte corruption, with hashes recomputed half of the time so that
     * the damage reaches the page references and sizes */
    uint8_t *buf = malloc(nlen > olen ? nlen : olen);
    ck_assert_ptr_nonnull(buf);
    for (int iter = 0; iter < 3000; iter++, runs++) {
        int old = iter % 3 == 0;
        const uint8_t *src = old ? olog : nlog;
        size_t len = old ? olen : nlen;
        memcpy(buf, src, len);
        int nflip = 1 + (int)(rnd() % 8);
        for (int k = 0; k < nflip; k++) {
            size_t at = rnd() % (iter % 2 ? 64 : len);
            if (iter % 2)
                at += 512 + (rnd() % 3) * 4608; /* entry headers / DIRT area */
            if (at < len)
                buf[at] = (uint8_t)rnd();
        }
        if (!old && iter % 4 == 1) {
            for (size_t off = 512; off + 4608 <= len; off += 4608) {
                /* keep growth small: a (valid) huge hive-bins size would make
                 * replay allocate up to 2 GiB */
                if (rd32(buf + off + 16) > (16u << 20))
                    wr32(buf + off + 16, T_HBINS);
                uint32_t sz = rd32(buf + off + 4);
                if (sz >= 40 && sz <= len - off)
                    wr64(buf + off + 24, bf_marvin32(buf + off + 40, sz - 40, BF_MARVIN32_SEED));
                wr64(buf + off + 32, bf_marvin32(buf + off, 32, BF_MARVIN32_SEED));
            }
        }
        if (iter % 5 == 0)
            wr32(buf + BB_CHECKSUM, bf_bb_checksum(buf));
        replay_must_not_crash(p, plen, buf, len, (int)(rnd() % 3));
    }
    /* pure garbage, with and without a valid-looking header */
    for (int iter = 0; iter < 200; iter++, runs++) {
        size_t len = 512 + rnd() % 8192;
        uint8_t *g = malloc(len);
        ck_assert_ptr_nonnull(g);
        for (size_t k = 0; k < len; k++)
            g[k] = (uint8_t)rnd();
        if (iter % 2) {
            mk_log_header(g, p, iter % 4 == 1 ? 6 : 1, 10, (rnd() % 4) * 4096);
            memcpy(g + 512, iter % 4 == 1 ? "HvLE" : "DIRT", 4);
        }
        replay_must_not_crash(p, plen, g, len, 1);
        free(g);
    }
    printf("crafted logs: %u replays of truncated/corrupted/garbage logs, none crashed\n", runs);
    free(buf);
    free(p);
    free(nlog);
    free(olog);
}
END_TEST

START_TEST(crafted_entry_page_outside_hive)
{
    size_t plen, llen;
    uint8_t *p = mk_primary(10, 9, &plen);
    uint8_t *log = mk_new_log(p, &llen);
    /* first entry's page at hive offset 0x7FFFF000 with hbins 8 KiB: refused */
    uint8_t *e = log + 512;
    wr32(e + 40, 0x7FFFF000u);
    wr64(e + 24, bf_marvin32(e + 40, 4608 - 40, BF_MARVIN32_SEED));
    wr64(e + 32, bf_marvin32(e, 32, BF_MARVIN32_SEED));
    bf_log_buf logs[2] = {{"t.LOG", NULL, 0}, {"t.LOG1", log, llen}};
    bf_replay_result res;
    bf_error err = {0};
    int rc = bf_log_replay(&p, &plen, "t", logs, 2, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_ptr_nonnull(strstr(err.msg, "outside"));
    /* huge page count */
    wr32(e + 40, 0);
    wr32(e + 20, 0xFFFFFFFFu);
    wr64(e + 32, bf_marvin32(e, 32, BF_MARVIN32_SEED));
    rc = bf_log_replay(&p, &plen, "t", logs, 2, &res, &err);
    ck_assert_int_eq(rc, BF_ERR_DIRTY);
    ck_assert_uint_eq(plen, REGF_BASE_BLOCK + T_HBINS);
    free(p);
    free(log);
}
END_TEST

/* ---- bf_logs_find -------------------------------------------------------------------------------- */

static void touch(const char *dir, const char *name, const char *content)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    fclose(f);
}

START_TEST(logs_find_case_insensitive)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bf_logsfind_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    touch(dir, "Hive", "x");
    touch(dir, "hive.log1", "");   /* empty logs are returned too */
    touch(dir, "HIVE.Log2", "abc");
    touch(dir, "Hive.LOG3", "");   /* not a log name */
    touch(dir, "Hive.LOG1.bak", "");
    touch(dir, "OtherHive.LOG", "");
    char sub[600];
    snprintf(sub, sizeof sub, "%s/Hive.LOG", dir); /* a directory: ignored */
    ck_assert_int_eq(mkdir(sub, 0700), 0);

    char path[600], *paths[3];
    snprintf(path, sizeof path, "%s/Hive", dir);
    bf_logs_find(path, paths);
    ck_assert_ptr_null(paths[0]);
    ck_assert_ptr_nonnull(paths[1]);
    ck_assert_ptr_nonnull(paths[2]);
    char want[700];
    snprintf(want, sizeof want, "%s/hive.log1", dir);
    ck_assert_str_eq(paths[1], want);
    snprintf(want, sizeof want, "%s/HIVE.Log2", dir);
    ck_assert_str_eq(paths[2], want);
    for (int i = 0; i < 3; i++)
        free(paths[i]);

    /* exact-case file name preferred when several case variants exist */
    touch(dir, "Hive.LOG1", "");
    bf_logs_find(path, paths);
    snprintf(want, sizeof want, "%s/Hive.LOG1", dir);
    ck_assert_str_eq(paths[1], want);
    for (int i = 0; i < 3; i++)
        free(paths[i]);

    /* relative path (no directory part) */
    char cwd[1024];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(dir), 0);
    bf_logs_find("hive", paths);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_ptr_nonnull(paths[1]);
    ck_assert_ptr_nonnull(paths[2]);
    ck_assert_ptr_null(strchr(paths[1], '/'));
    for (int i = 0; i < 3; i++)
        free(paths[i]);

    /* no such directory / empty name */
    bf_logs_find("/nonexistent-dir-bootfix/Hive", paths);
    ck_assert(!paths[0] && !paths[1] && !paths[2]);
    bf_logs_find("", paths);
    ck_assert(!paths[0] && !paths[1] && !paths[2]);
    test_rm_tree(dir);
}
END_TEST

START_TEST(logs_find_corpus_lowercase_logs)
{
    if (!corpus_dir()) {
        corpus_skip_note("logs_find_corpus_lowercase_logs");
        return;
    }
    char *p = hive_path("regipy/regipy_tests/data/transactions_NTUSER.DAT");
    char *paths[3];
    bf_logs_find(p, paths);
    ck_assert_ptr_null(paths[0]);
    ck_assert_ptr_nonnull(paths[1]);
    ck_assert_ptr_nonnull(paths[2]);
    ck_assert_str_eq(strrchr(paths[1], '/') + 1, "transactions_ntuser.dat.log1");
    ck_assert_str_eq(strrchr(paths[2], '/') + 1, "transactions_ntuser.dat.log2");
    for (int i = 0; i < 3; i++)
        free(paths[i]);
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("logreplay");
    TCase *tc = tcase_create("marvin32");
    tcase_add_test(tc, marvin32_published_vectors);
    tcase_add_test(tc, marvin32_matches_real_log_entries);
    suite_add_tcase(s, tc);

    tc = tcase_create("corpus");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, replay_matches_yarp, 0, NCASES);
    tcase_add_test(tc, bad_log_hives_refused);
    tcase_add_test(tc, dirty_without_logs_refused);
    tcase_add_test(tc, clean_hive_unchanged);
    tcase_add_test(tc, invalid_base_block_uses_latest_log);
    tcase_add_test(tc, same_bins_as_windows_recovery);
    tcase_add_test(tc, logs_find_corpus_lowercase_logs);
    suite_add_tcase(s, tc);

    tc = tcase_create("crafted");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, crafted_new_log_applies);
    tcase_add_test(tc, crafted_two_logs_order);
    tcase_add_test(tc, crafted_old_log);
    tcase_add_test(tc, crafted_truncated_and_garbage_logs);
    tcase_add_test(tc, crafted_entry_page_outside_hive);
    tcase_add_test(tc, logs_find_case_insensitive);
    suite_add_tcase(s, tc);

    return test_run_suite(s);
}
