/*
 * test_commit.c — the commit protocol of bf_hive_commit.
 *
 *   - fault injection (lib/io/io.h, bf_io_fail_at): for N = 1, 2, ... the
 *     N-th I/O operation of a commit fails (EIO, ENOSPC, EROFS, EACCES in
 *     turn) until the commit succeeds.  On every failure the original file is
 *     byte-identical, no temporary file is left, the message names the file
 *     and the failing step, a backup (if made) equals the original, and the
 *     hive can still be committed afterwards.  A failure of only the final
 *     directory flush leaves the new file in place (documented: the rename
 *     happened; only its durability is in doubt) — asserted as such;
 *   - commit refuses when the file changed on disk after it was opened;
 *   - commit to out_path leaves the original untouched;
 *   - a dirty hive with logs: the written file's sequence numbers are above
 *     every sequence number in its logs, the logs are left untouched, and the
 *     file reopens clean with the replayed data and the edit;
 *   - a read-only open refuses to edit or commit (BF_ERR_READONLY).
 */
#include "common/corpus.h"
#include "common/files.h"
#include "common/oracle.h"

#include "bootfix/hive.h"
#include "hive/internal.h"
#include "io/io.h"

#include "common/runner.h"
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char g_diff[4096];

/* ---- helpers -------------------------------------------------------------- */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Name of a temporary file left in dir, or NULL (static buffer). */
static const char *leftover_tmp(const char *dir)
{
    static char found[512];
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    const char *r = NULL;
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, ".bootfix-tmp-")) {
            snprintf(found, sizeof(found), "%s", de->d_name);
            r = found;
        }
    closedir(d);
    return r;
}

static void mkdir_tmp(char *dir, size_t sz)
{
    snprintf(dir, sz, "/tmp/bootfix-commit-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void first_problem(void *ctx, uint64_t off, const char *problem)
{
    char *s = ctx;
    if (!*s)
        snprintf(s, 512, "offset 0x%llx: %s", (unsigned long long)off, problem);
}

/* The file is a clean, valid hive. */
static void assert_valid(const char *path)
{
    size_t len;
    uint8_t *b = test_slurp(path, &len);
    ck_assert_msg(b != NULL, "cannot read %s", path);
    char first[512] = "";
    bf_error e = {0};
    int p = bf_check_image(b, len, first_problem, first, &e);
    ck_assert_msg(p == 0, "%s: %d problems (first: %s) %s", path, p, first, p < 0 ? e.msg : "");
    ck_assert_msg(rd32(b + 4) == rd32(b + 8), "%s: seq1 %u != seq2 %u", path, rd32(b + 4), rd32(b + 8));
    free(b);
}

/* The edit made by make_edit() is in the file at path (1) or not (0). */
static int has_edit(const char *path)
{
    bf_hive *h = NULL;
    bf_error e = {0};
    int rc = bf_hive_open(path, 0, &h, &e);
    ck_assert_msg(rc == BF_OK, "%s: %s", path, e.msg);
    bf_node n;
    int found = bf_node_lookup(h, bf_hive_root(h), "BootfixCommitTest\\Sub", &n, &e) == BF_OK;
    if (found) {
        bf_value v;
        uint8_t *d = NULL;
        size_t l = 0;
        ck_assert_int_eq(bf_node_get_value(h, n, "Edited", &v, &e), BF_OK);
        ck_assert_int_eq(bf_value_data(h, v, NULL, &d, &l, &e), BF_OK);
        ck_assert_uint_eq(l, 40000);
        for (size_t i = 0; i < l; i++)
            ck_assert_uint_eq(d[i], (uint8_t)(i * 7));
        free(d);
    }
    bf_hive_close(h);
    return found;
}

static void make_edit(bf_hive *h)
{
    bf_error e = {0};
    bf_node n;
    int created;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "BootfixCommitTest\\Sub", &n, &created, &e),
                     BF_OK);
    uint8_t *d = malloc(40000);
    for (size_t i = 0; i < 40000; i++)
        d[i] = (uint8_t)(i * 7);
    ck_assert_int_eq(bf_node_set_value(h, n, "Edited", 3, d, 40000, &e), BF_OK);
    free(d);
}

/* A small hive made by bf_hive_new, written to path; its bytes returned. */
static uint8_t *make_small_hive(const char *path, size_t *len)
{
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_new(5, "ROOT", &h, &e), BF_OK);
    bf_node n;
    int created;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "Software\\Vendor", &n, &created, &e), BF_OK);
    ck_assert_int_eq(bf_node_set_value(h, n, "Version", 1, "1\0.\0" "0\0\0", 8, &e), BF_OK);
    bf_commit_opts o = {.out_path = path};
    int rc = bf_hive_commit(h, &o, &e);
    ck_assert_msg(rc == BF_OK, "writing %s: %s", path, e.msg);
    bf_hive_close(h);
    uint8_t *b = test_slurp(path, len);
    ck_assert_ptr_nonnull(b);
    return b;
}

/* ---- fault injection --------------------------------------------------------- */

/* Failure kinds, in the order a commit with a backup performs them. */
static const struct {
    const char *name;
    const char *must[2]; /* substrings of the message */
} k_steps[] = {
    {"backup read", {"cannot read it for the backup", NULL}},
    {"backup create", {"backup", "(create)"}},
    {"backup copy", {"backup", "(copy)"}}, /* streamed: a chunk read or written */
    {"backup flush", {"backup", "(flush)"}},
    {"backup naming", {"backup", "(naming)"}},
    {"temp create", {"create of temporary file", NULL}},
    {"temp write", {"write of temporary file", NULL}},
    {"temp flush", {"flush of temporary file", NULL}},
    {"read back", {"re-reading temporary file", NULL}},
    {"rename", {"renaming", NULL}},
    {"dir flush", {"flushing its directory failed", NULL}},
};
#define NSTEPS (sizeof(k_steps) / sizeof(k_steps[0]))

static int step_of(const char *msg)
{
    for (size_t i = 0; i < NSTEPS; i++)
        if (strstr(msg, k_steps[i].must[0]) && (!k_steps[i].must[1] || strstr(msg, k_steps[i].must[1])))
            return (int)i;
    return -1;
}

static void fault_walk(const char *label, const uint8_t *orig, size_t olen)
{
    static const int errs[] = {EIO, ENOSPC, EROFS, EACCES};
    int seen[NSTEPS] = {0};
    int last_step = -1;
    unsigned long n;
    char order[1024] = "";
    for (n = 1; n < 200; n++) {
        char dir[256], path[512], backup[512], backup2[512];
        mkdir_tmp(dir, sizeof(dir));
        snprintf(path, sizeof(path), "%s/hive", dir);
        snprintf(backup, sizeof(backup), "%s/hive.bak", dir);
        snprintf(backup2, sizeof(backup2), "%s/hive.bak2", dir);
        test_put_file(path, orig, olen);
        bf_hive *h = NULL;
        bf_error e = {0};
        ck_assert_int_eq(bf_hive_open(path, BF_OPEN_WRITE, &h, &e), BF_OK);
        make_edit(h);
        int errnum = errs[n % 4];
        bf_commit_opts o = {.backup_path = backup};
        bf_io_fail_at(n, errnum);
        int rc = bf_hive_commit(h, &o, &e);
        unsigned long ran = bf_io_fail_at(0, 0);
        if (rc == BF_OK) {
            /* fewer than n operations: nothing was made to fail */
            ck_assert_msg(ran < n, "%s: commit succeeded although operation %lu of %lu failed", label, n,
                          ran);
            ck_assert_msg(!test_file_equals(path, orig, olen) && has_edit(path), "%s: commit succeeded but %s is "
                          "not the new hive", label, path);
            assert_valid(path);
            ck_assert_msg(test_file_equals(backup, orig, olen), "%s: backup differs from the original", label);
            ck_assert_ptr_null(leftover_tmp(dir));
            bf_hive_close(h);
            test_rm_tree(dir);
            break;
        }
        ck_assert_msg(rc == BF_ERR_IO, "%s: operation %lu failing (%s) gave %d, want BF_ERR_IO: %s", label,
                      n, strerror(errnum), rc, e.msg);
        ck_assert_msg(e.sys_errno == errnum, "%s: operation %lu: sys_errno %d, want %d (%s)", label, n,
                      e.sys_errno, errnum, e.msg);
        ck_assert_msg(strstr(e.msg, path) != NULL, "%s: message does not name %s: %s", label, path, e.msg);
        ck_assert_msg(strstr(e.msg, strerror(errnum)) != NULL, "%s: message lacks \"%s\": %s", label,
                      strerror(errnum), e.msg);
        int step = step_of(e.msg);
        ck_assert_msg(step >= 0, "%s: operation %lu: message names no known step: %s", label, n, e.msg);
        ck_assert_msg(step >= last_step, "%s: operation %lu fails at \"%s\" after \"%s\" was seen", label, n,
                      k_steps[step].name, k_steps[last_step].name);
        last_step = step;
        if (!seen[step]++)
            snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%s@%lu", order[0] ? ", " : "",
                     k_steps[step].name, n);
        const char *tmp = leftover_tmp(dir);
        ck_assert_msg(tmp == NULL, "%s: operation %lu failing left %s in %s (%s)", label, n, tmp, dir, e.msg);
        if (exists(backup))
            ck_assert_msg(test_file_equals(backup, orig, olen), "%s: operation %lu: backup differs from the original",
                          label, n);
        if (!strcmp(k_steps[step].name, "dir flush")) {
            /* the rename happened: the new file is in place and valid */
            ck_assert_msg(has_edit(path), "%s: after a failed directory flush %s is not the new hive", label,
                          path);
            assert_valid(path);
            ck_assert_msg(strstr(e.msg, "written") != NULL, "%s: message should say the file was written: %s",
                          label, e.msg);
        } else {
            ck_assert_msg(test_file_equals(path, orig, olen), "%s: operation %lu failing (%s) changed %s: %s", label,
                          n, k_steps[step].name, path, e.msg);
            ck_assert_msg(!has_edit(path), "%s: edit visible after a failed commit", label);
        }
        /* the hive is still usable: the same commit now succeeds (after a
         * failed directory flush: see test_retry_after_dir_flush_failure) */
        if (!strcmp(k_steps[step].name, "dir flush")) {
            bf_hive_close(h);
            test_rm_tree(dir);
            continue;
        }
        bf_commit_opts o2 = {.backup_path = backup2};
        rc = bf_hive_commit(h, &o2, &e);
        ck_assert_msg(rc == BF_OK, "%s: commit after failure at operation %lu: %s", label, n, e.msg);
        ck_assert_msg(has_edit(path), "%s: retried commit did not write the edit", label);
        assert_valid(path);
        ck_assert_msg(test_file_equals(backup2, orig, olen), "%s: retry backup differs from the original", label);
        ck_assert_ptr_null(leftover_tmp(dir));
        bf_hive_close(h);
        test_rm_tree(dir);
    }
    ck_assert_msg(n < 200, "%s: commit never succeeded", label);
    for (size_t i = 0; i < NSTEPS; i++)
        ck_assert_msg(seen[i], "%s: no injected failure hit step \"%s\" (seen: %s)", label, k_steps[i].name,
                      order);
    printf("commit faults: %s: %lu I/O operations per commit, each made to fail once; steps: %s\n", label,
           n - 1, order);
}

START_TEST(test_faults_small)
{
    char dir[256], path[512];
    mkdir_tmp(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/src", dir);
    size_t len;
    uint8_t *orig = make_small_hive(path, &len);
    test_rm_tree(dir);
    fault_walk("new 1.5 hive", orig, len);
    free(orig);
}
END_TEST

/* A hive over 1 MiB: its writes take several chunks, each can fail. */
START_TEST(test_faults_big)
{
    const char *cd = corpus_dir();
    if (!cd) {
        corpus_skip_note("commit faults on a multi-megabyte hive");
        return;
    }
    char src[1024];
    snprintf(src, sizeof(src), "%s/hives/bcc-dfa-sample-data/registry/SYSTEM", cd);
    size_t len;
    uint8_t *orig = test_slurp(src, &len);
    if (!orig) {
        printf("SKIPPED: %s not in the corpus\n", src);
        return;
    }
    fault_walk("SYSTEM (XP, 3.4 MB)", orig, len);
    free(orig);
}
END_TEST

/* After "written, but flushing its directory failed" the file on disk is
 * the one bootfix wrote; the open hive must know that, so that committing
 * again (or further edits and a commit) works instead of being refused as
 * "changed on disk". */
START_TEST(test_retry_after_dir_flush_failure)
{
    char dir[256], path[512];
    mkdir_tmp(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/hive", dir);
    size_t len;
    uint8_t *orig = make_small_hive(path, &len);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_open(path, BF_OPEN_WRITE, &h, &e), BF_OK);
    make_edit(h);
    /* without a backup: read-back 2, temp create/write/flush 3, rename 1 */
    unsigned long n;
    int rc = BF_OK;
    for (n = 1; n < 50; n++) {
        bf_io_fail_at(n, EIO);
        rc = bf_hive_commit(h, NULL, &e);
        bf_io_fail_at(0, 0);
        if (rc == BF_OK || strstr(e.msg, "flushing its directory"))
            break;
    }
    ck_assert_msg(rc != BF_OK, "no directory-flush failure could be injected");
    ck_assert(has_edit(path));
    bf_node node;
    int created;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "After", &node, &created, &e), BF_OK);
    rc = bf_hive_commit(h, NULL, &e);
    ck_assert_msg(rc == BF_OK, "commit after a failed directory flush (operation %lu) is refused: %d %s", n, rc,
                  e.msg);
    assert_valid(path);
    bf_hive_close(h);
    free(orig);
    test_rm_tree(dir);
}
END_TEST

/* ---- the other rules ------------------------------------------------------------- */

START_TEST(test_changed_on_disk)
{
    char dir[256], path[512];
    mkdir_tmp(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/hive", dir);
    size_t len;
    uint8_t *orig = make_small_hive(path, &len);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_open(path, BF_OPEN_WRITE, &h, &e), BF_OK);
    make_edit(h);
    /* someone else writes the file (same bytes, one changed) */
    orig[4096 + 40] ^= 1;
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    test_put_file(path, orig, len);
    int rc = bf_hive_commit(h, NULL, &e);
    ck_assert_msg(rc == BF_ERR_IO, "commit over a changed file gave %d: %s", rc, e.msg);
    ck_assert_msg(strstr(e.msg, "changed on disk") && strstr(e.msg, path), "message: %s", e.msg);
    ck_assert_msg(test_file_equals(path, orig, len), "the changed file was overwritten");
    ck_assert_ptr_null(leftover_tmp(dir));
    /* only the size changed, same mtime is unlikely but the size is checked too */
    bf_hive_close(h);
    free(orig);
    test_rm_tree(dir);
}
END_TEST

START_TEST(test_out_path)
{
    char dir[256], dir2[256], path[512], out[512];
    mkdir_tmp(dir, sizeof(dir));
    mkdir_tmp(dir2, sizeof(dir2));
    snprintf(path, sizeof(path), "%s/hive", dir);
    snprintf(out, sizeof(out), "%s/out.hiv", dir2);
    size_t len;
    uint8_t *orig = make_small_hive(path, &len);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_open(path, BF_OPEN_WRITE, &h, &e), BF_OK);
    make_edit(h);
    bf_commit_opts o = {.out_path = out};
    ck_assert_msg(bf_hive_commit(h, &o, &e) == BF_OK, "%s", e.msg);
    ck_assert_msg(test_file_equals(path, orig, len), "commit to out_path changed the original");
    ck_assert(has_edit(out));
    ck_assert(!has_edit(path));
    assert_valid(out);
    ck_assert_ptr_null(leftover_tmp(dir));
    ck_assert_ptr_null(leftover_tmp(dir2));
    /* an existing out_path is replaced */
    ck_assert_msg(bf_hive_commit(h, &o, &e) == BF_OK, "%s", e.msg);
    ck_assert(has_edit(out));
    /* the original can still be committed in place afterwards */
    ck_assert_msg(bf_hive_commit(h, NULL, &e) == BF_OK, "%s", e.msg);
    ck_assert(has_edit(path));
    bf_hive_close(h);
    /* an in-memory hive needs an out_path */
    ck_assert_int_eq(bf_hive_new(3, "R", &h, &e), BF_OK);
    ck_assert_int_eq(bf_hive_commit(h, NULL, &e), BF_ERR_INVALID);
    bf_hive_close(h);
    free(orig);
    test_rm_tree(dir);
    test_rm_tree(dir2);
}
END_TEST

START_TEST(test_readonly)
{
    char dir[256], path[512];
    mkdir_tmp(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/hive", dir);
    size_t len;
    uint8_t *orig = make_small_hive(path, &len);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_open(path, 0, &h, &e), BF_OK);
    bf_node n;
    int created;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "X", &n, &created, &e), BF_ERR_READONLY);
    ck_assert_int_eq(bf_node_set_value(h, bf_hive_root(h), "v", 4, "abcd", 4, &e), BF_ERR_READONLY);
    ck_assert_int_eq(bf_node_delete_value(h, bf_hive_root(h), "v", &e), BF_ERR_READONLY);
    ck_assert_int_eq(bf_hive_commit(h, NULL, &e), BF_ERR_READONLY);
    ck_assert_msg(strstr(e.msg, path) != NULL, "message: %s", e.msg);
    bf_commit_opts o = {.out_path = "/tmp/bootfix-never-written"};
    ck_assert_int_eq(bf_hive_commit(h, &o, &e), BF_ERR_READONLY);
    ck_assert(!exists(o.out_path));
    ck_assert(test_file_equals(path, orig, len));
    bf_hive_close(h);
    free(orig);
    test_rm_tree(dir);
}
END_TEST

/* Highest sequence number in a log file: base block and HvLE entries. */
static uint32_t log_max_seq(const uint8_t *b, size_t len)
{
    uint32_t m = 0;
    if (len < 512)
        return 0;
    m = rd32(b + 4) > rd32(b + 8) ? rd32(b + 4) : rd32(b + 8);
    size_t off = 512;
    while (off + 40 <= len && memcmp(b + off, "HvLE", 4) == 0) {
        uint32_t sz = rd32(b + off + 4), seq = rd32(b + off + 12);
        if (seq > m)
            m = seq;
        if (sz < 40 || sz % 512 || off + sz > len)
            break;
        off += sz;
    }
    return m;
}

START_TEST(test_dirty_with_logs)
{
    const char *cd = corpus_dir();
    if (!cd) {
        corpus_skip_note("commit of a dirty hive with logs");
        return;
    }
    static const char *const names[] = {"NewDirtyHive", "NewDirtyHive.LOG1", "NewDirtyHive.LOG2"};
    char dir[256], path[3][512];
    uint8_t *data[3];
    size_t len[3];
    mkdir_tmp(dir, sizeof(dir));
    for (int i = 0; i < 3; i++) {
        char src[1024];
        snprintf(src, sizeof(src), "%s/hives/yarp/hives_for_tests/NewDirtyHive1/%s", cd, names[i]);
        data[i] = test_slurp(src, &len[i]);
        ck_assert_msg(data[i] != NULL, "%s missing from the corpus", src);
        snprintf(path[i], sizeof(path[i]), "%s/%s", dir, names[i]);
        test_put_file(path[i], data[i], len[i]);
    }
    ck_assert_msg(rd32(data[0] + 4) != rd32(data[0] + 8), "the corpus hive is expected dirty");
    uint32_t maxseq = rd32(data[0] + 4) > rd32(data[0] + 8) ? rd32(data[0] + 4) : rd32(data[0] + 8);
    for (int i = 1; i < 3; i++) {
        uint32_t s = log_max_seq(data[i], len[i]);
        if (s > maxseq)
            maxseq = s;
    }
    bf_hive *h = NULL;
    bf_error e = {0};
    int rc = bf_hive_open(path[0], BF_OPEN_WRITE, &h, &e);
    ck_assert_msg(rc == BF_OK, "open of the dirty hive with its logs failed (log replay?): %d %s", rc, e.msg);
    bf_hive_info info;
    ck_assert_int_eq(bf_hive_get_info(h, &info), BF_OK);
    ck_assert_msg(info.dirty && info.replayed, "dirty %d replayed %d", info.dirty, info.replayed);
    ck_assert_msg(info.log_max_seq == maxseq, "library saw log sequence %u, the logs hold up to %u",
                  info.log_max_seq, maxseq);
    /* the replayed tree, as bootfix reads it in memory, plus the edit */
    make_edit(h);
    rc = bf_hive_commit(h, NULL, &e);
    ck_assert_msg(rc == BF_OK, "commit of the replayed hive: %s", e.msg);
    bf_hive_close(h);

    size_t nl;
    uint8_t *nb = test_slurp(path[0], &nl);
    ck_assert_ptr_nonnull(nb);
    uint32_t s1 = rd32(nb + 4), s2 = rd32(nb + 8);
    ck_assert_msg(s1 == s2 && s1 > maxseq, "written seq1 %u seq2 %u, logs/primary up to %u", s1, s2, maxseq);
    free(nb);
    assert_valid(path[0]);
    for (int i = 1; i < 3; i++)
        ck_assert_msg(test_file_equals(path[i], data[i], len[i]), "%s was changed by the commit", names[i]);
    ck_assert_ptr_null(leftover_tmp(dir));
    ck_assert(has_edit(path[0]));

    /* reopened: clean, the logs are not applied again, and hivex agrees */
    ck_assert_int_eq(bf_hive_open(path[0], 0, &h, &e), BF_OK);
    ck_assert_int_eq(bf_hive_get_info(h, &info), BF_OK);
    ck_assert_msg(!info.dirty && !info.replayed, "reopened: dirty %d replayed %d", info.dirty, info.replayed);
    bf_hive_close(h);
    char why[ORACLE_ERRSZ];
    int code;
    oracle_walk *a = oracle_walk_bootfix(path[0], 0, why, &code);
    ck_assert_msg(a != NULL, "%s", why);
    oracle_walk *b = oracle_walk_bootfix(path[0], BF_OPEN_NO_LOGS, why, &code);
    ck_assert_msg(b != NULL, "%s", why);
    ck_assert_msg(oracle_compare(a, b, ORACLE_CMP_DATA | ORACLE_CMP_CLASS, g_diff, sizeof(g_diff)) == 0,
                  "the logs still change the committed hive: %s", g_diff);
    oracle_walk *x = oracle_walk_hivex(path[0], why);
    ck_assert_msg(x != NULL, "hivex: %s", why);
    ck_assert_msg(oracle_compare(a, x, ORACLE_CMP_DATA, g_diff, sizeof(g_diff)) == 0, "hivex: %s", g_diff);
    printf("commit of dirty hive: primary seq %u/%u, logs up to %u, written seq %u/%u, %zu keys %zu values\n",
           rd32(data[0] + 4), rd32(data[0] + 8), maxseq, s1, s2, a->nkeys, a->nvalues);
    oracle_walk_free(a);
    oracle_walk_free(b);
    oracle_walk_free(x);
    for (int i = 0; i < 3; i++)
        free(data[i]);
    test_rm_tree(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("commit");
    TCase *tc = tcase_create("commit");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_faults_small);
    tcase_add_test(tc, test_faults_big);
    tcase_add_test(tc, test_retry_after_dir_flush_failure);
    tcase_add_test(tc, test_changed_on_disk);
    tcase_add_test(tc, test_out_path);
    tcase_add_test(tc, test_readonly);
    tcase_add_test(tc, test_dirty_with_logs);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
