/*
 * test_lock.c — the write lock of a folder (two processes never edit the
 * same files at once), the sweep of temporary files a killed commit left,
 * and the all-or-nothing commit of several hives (bf_hive_commit_group),
 * including the completion of a group interrupted while renaming.
 */
#include "common/files.h"
#include "common/oracle.h"

#include "bootfix/hive.h"
#include "io/io.h"

#include "common/runner.h"
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void mkdir_tmp(char *dir, size_t sz)
{
    snprintf(dir, sz, "/tmp/bootfix-lock-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* A small hive at dir/name with value Software\Vendor\Version = 1. */
static void make_hive(const char *dir, const char *name, char *path, size_t sz)
{
    snprintf(path, sz, "%s/%s", dir, name);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_new(5, "ROOT", &h, &e), BF_OK);
    bf_node n;
    int created;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "Software\\Vendor", &n, &created, &e), BF_OK);
    ck_assert_int_eq(bf_node_set_value(h, n, "Version", 4, "\1\0\0\0", 4, &e), BF_OK);
    bf_commit_opts o = {.out_path = path};
    ck_assert_msg(bf_hive_commit(h, &o, &e) == BF_OK, "%s", e.msg);
    bf_hive_close(h);
}

/* Software\Vendor\Version of the hive at path (0 when absent). */
static uint32_t version_of(const char *path)
{
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_msg(bf_hive_open(path, 0, &h, &e) == BF_OK, "%s", e.msg);
    bf_node n;
    uint32_t v = 0;
    if (bf_node_lookup(h, bf_hive_root(h), "Software\\Vendor", &n, &e) == BF_OK) {
        bf_value val;
        uint8_t *d = NULL;
        size_t l = 0;
        if (bf_node_get_value(h, n, "Version", &val, &e) == BF_OK &&
            bf_value_data(h, val, NULL, &d, &l, &e) == BF_OK && l == 4)
            memcpy(&v, d, 4);
        free(d);
    }
    bf_hive_close(h);
    return v;
}

static void count_problem(void *ctx, uint64_t off, const char *problem)
{
    (void)off;
    (*(int *)ctx)++;
    (void)problem;
}

/* A written hive: our checker finds nothing, and libregf and hivex read the
 * same keys and values as bootfix. */
static void assert_read_back(const char *path)
{
    size_t len;
    uint8_t *b = test_slurp(path, &len);
    ck_assert_ptr_nonnull(b);
    int problems = 0;
    bf_error e = {0};
    ck_assert_msg(bf_check_image(b, len, count_problem, &problems, &e) == 0 && problems == 0, "%s: %d problems",
                  path, problems);
    free(b);
    char why[ORACLE_ERRSZ], diff[1024];
    oracle_walk *ours = oracle_walk_bootfix(path, 0, why, NULL);
    ck_assert_msg(ours != NULL, "%s: %s", path, why);
    oracle_walk *(*readers[2])(const char *, char *) = {oracle_walk_libregf, oracle_walk_hivex};
    for (int i = 0; i < 2; i++) {
        oracle_walk *w = readers[i](path, why);
        ck_assert_msg(w != NULL, "%s: %s", path, why);
        ck_assert_msg(oracle_compare(ours, w, ORACLE_CMP_DATA, diff, sizeof diff) == 0, "%s: %s", path, diff);
        oracle_walk_free(w);
    }
    oracle_walk_free(ours);
}

static void set_version(bf_hive *h, uint32_t v)
{
    bf_error e = {0};
    bf_node n;
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "Software\\Vendor", &n, &e), BF_OK);
    ck_assert_int_eq(bf_node_set_value(h, n, "Version", 4, &v, 4, &e), BF_OK);
}

/* A child process holds `path` open for writing until *release_fd closes. */
static pid_t hold_open(const char *path, int *release_fd)
{
    int go[2], ready[2];
    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(ready), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(go[1]);
        close(ready[0]);
        bf_hive *h = NULL;
        bf_error e = {0};
        char r = bf_hive_open(path, BF_OPEN_WRITE, &h, &e) == BF_OK ? 'y' : 'n';
        if (write(ready[1], &r, 1) != 1)
            _exit(3);
        char c;
        while (read(go[0], &c, 1) > 0)
            ;
        bf_hive_close(h);
        _exit(0);
    }
    close(go[0]);
    close(ready[1]);
    char r = 0;
    ck_assert_int_eq(read(ready[0], &r, 1), 1);
    close(ready[0]);
    ck_assert_int_eq(r, 'y');
    *release_fd = go[1];
    return pid;
}

START_TEST(test_second_writer_refused)
{
    char dir[64], a[128], b[128];
    mkdir_tmp(dir, sizeof dir);
    make_hive(dir, "SYSTEM", a, sizeof a);
    make_hive(dir, "SOFTWARE", b, sizeof b);
    int rel;
    pid_t pid = hold_open(a, &rel);
    bf_hive *h = NULL;
    bf_error e = {0};
    /* any file of the locked folder, for writing: refused, with the reason */
    ck_assert_int_eq(bf_hive_open(b, BF_OPEN_WRITE, &h, &e), BF_ERR_LOCKED);
    ck_assert_ptr_null(h);
    ck_assert_msg(strstr(e.msg, b) && strstr(e.msg, "another bootfix run"), "%s", e.msg);
    /* reading is not blocked */
    ck_assert_int_eq(bf_hive_open(a, 0, &h, &e), BF_OK);
    bf_hive_close(h);
    /* the holder ends: the lock is free again */
    close(rel);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_int_eq(bf_hive_open(b, BF_OPEN_WRITE, &h, &e), BF_OK);
    bf_hive_close(h);
    test_rm_tree(dir);
}
END_TEST

START_TEST(test_lock_dies_with_process)
{
    char dir[64], a[128];
    mkdir_tmp(dir, sizeof dir);
    make_hive(dir, "SYSTEM", a, sizeof a);
    int rel;
    pid_t pid = hold_open(a, &rel);
    kill(pid, SIGKILL);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    close(rel);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_msg(bf_hive_open(a, BF_OPEN_WRITE, &h, &e) == BF_OK, "%s", e.msg);
    bf_hive_close(h);
    test_rm_tree(dir);
}
END_TEST

START_TEST(test_same_process_twice)
{
    char dir[64], a[128], b[128];
    mkdir_tmp(dir, sizeof dir);
    make_hive(dir, "SYSTEM", a, sizeof a);
    make_hive(dir, "SOFTWARE", b, sizeof b);
    bf_hive *h1 = NULL, *h2 = NULL, *h3 = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_open(a, BF_OPEN_WRITE, &h1, &e), BF_OK);
    ck_assert_int_eq(bf_hive_open(b, BF_OPEN_WRITE, &h2, &e), BF_OK);
    bf_hive_close(h1);
    /* still held through h2: another process is refused */
    pid_t pid = fork();
    if (pid == 0) {
        bf_hive *x = NULL;
        bf_error ee = {0};
        _exit(bf_hive_open(a, BF_OPEN_WRITE, &x, &ee) == BF_ERR_LOCKED ? 0 : 1);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "second process was not refused");
    ck_assert_int_eq(bf_hive_open(a, BF_OPEN_WRITE, &h3, &e), BF_OK);
    bf_hive_close(h2);
    bf_hive_close(h3);
    test_rm_tree(dir);
}
END_TEST

START_TEST(test_sweep_on_write_open)
{
    char dir[64], a[128], tmp[256], other[256], victim[256], link[256];
    mkdir_tmp(dir, sizeof dir);
    make_hive(dir, "SYSTEM", a, sizeof a);
    snprintf(tmp, sizeof tmp, "%s/.SYSTEM.bootfix-tmp-4242-1", dir);
    snprintf(other, sizeof other, "%s/.SOFTWARE.bootfix-tmp-4242-1", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(link, sizeof link, "%s/.SYSTEM.bootfix-tmp-4242-2", dir);
    char baktmp[256], bak[256];
    snprintf(baktmp, sizeof baktmp, "%s/.SYSTEM.bootfix-20261121T000000Z.bak.bootfix-tmp-4242-3", dir);
    snprintf(bak, sizeof bak, "%s/SYSTEM.bootfix-20261121T000000Z.bak", dir);
    test_put_file(baktmp, (const uint8_t *)"partial backup", 14);
    test_put_file(bak, (const uint8_t *)"a complete backup", 17);
    test_put_file(tmp, (const uint8_t *)"partial", 7);
    test_put_file(other, (const uint8_t *)"other", 5);
    test_put_file(victim, (const uint8_t *)"keep", 4);
    ck_assert_int_eq(symlink(victim, link), 0);
    bf_hive *h = NULL;
    bf_error e = {0};
    /* a read-only open removes nothing */
    ck_assert_int_eq(bf_hive_open(a, 0, &h, &e), BF_OK);
    bf_hive_close(h);
    ck_assert(exists(tmp) && exists(link));
    /* a write open removes this file's leftovers only (a planted link is
       removed as a link; what it points to is untouched) */
    ck_assert_int_eq(bf_hive_open(a, BF_OPEN_WRITE, &h, &e), BF_OK);
    ck_assert(!exists(tmp) && !exists(link) && !exists(baktmp));
    ck_assert(exists(other) && exists(bak));
    size_t l;
    uint8_t *d = test_slurp(victim, &l);
    ck_assert(d && l == 4 && memcmp(d, "keep", 4) == 0);
    free(d);
    /* and the commit then works */
    set_version(h, 9);
    ck_assert_msg(bf_hive_commit(h, NULL, &e) == BF_OK, "%s", e.msg);
    bf_hive_close(h);
    ck_assert_uint_eq(version_of(a), 9);
    test_rm_tree(dir);
}
END_TEST

/* ---- group commits ------------------------------------------------------------------ */

struct pair {
    char dir[64], sub[128], a[160], b[160];
    uint8_t *a0, *b0;
    size_t a0len, b0len;
};

static void pair_make(struct pair *p)
{
    mkdir_tmp(p->dir, sizeof p->dir);
    snprintf(p->sub, sizeof p->sub, "%s/Boot", p->dir);
    ck_assert_int_eq(mkdir(p->sub, 0755), 0);
    make_hive(p->dir, "SYSTEM", p->a, sizeof p->a);
    make_hive(p->sub, "BCD", p->b, sizeof p->b);
    p->a0 = test_slurp(p->a, &p->a0len);
    p->b0 = test_slurp(p->b, &p->b0len);
}

static void pair_free(struct pair *p)
{
    free(p->a0);
    free(p->b0);
    test_rm_tree(p->dir);
}

/* A file named like bootfix's temporary files or commit records in dir. */
static int leftovers(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep 'bootfix-'", dir);
    return system(cmd) == 0;
}

/* The N-th I/O operation (and allocation) of a two-file group commit fails,
 * for every N: both files as they were, or both written; never one. */
START_TEST(test_group_faults)
{
    unsigned long points = 0;
    for (int alloc = 0; alloc < 2; alloc++) {
        for (unsigned long n = 1;; n++) {
            struct pair p;
            pair_make(&p);
            bf_hive *hs[2] = {NULL, NULL};
            bf_error e = {0};
            ck_assert_int_eq(bf_hive_open(p.a, BF_OPEN_WRITE, &hs[0], &e), BF_OK);
            ck_assert_int_eq(bf_hive_open(p.b, BF_OPEN_WRITE, &hs[1], &e), BF_OK);
            set_version(hs[0], 7);
            set_version(hs[1], 8);
            size_t written = 99;
            if (alloc)
                bf_io_fail_alloc_at(n);
            else
                bf_io_fail_at(n, n % 2 ? ENOSPC : EIO);
            int rc = bf_hive_commit_group(hs, 2, NULL, NULL, 1, &written, &e);
            unsigned long ran = alloc ? bf_io_fail_alloc_at(0) : bf_io_fail_at(0, 0);
            bf_hive_close(hs[0]);
            bf_hive_close(hs[1]);
            int a_new = version_of(p.a) == 7, b_new = version_of(p.b) == 8;
            const char *kind = alloc ? "alloc" : "io";
            if (rc == BF_OK) {
                ck_assert(a_new && b_new);
                ck_assert_uint_eq(written, 2);
                assert_read_back(p.a);
                assert_read_back(p.b);
            } else {
                points++;
                ck_assert_msg(a_new == b_new, "%s %lu: one file written: %s", kind, n, e.msg);
                ck_assert_msg(!a_new && test_file_equals(p.a, p.a0, p.a0len) && test_file_equals(p.b, p.b0, p.b0len),
                              "%s %lu: files changed after a failure: %s", kind, n, e.msg);
                ck_assert_uint_eq(written, 0);
                if (alloc)
                    ck_assert_msg(strstr(e.msg, "out of memory") || strstr(e.msg, strerror(ENOMEM)),
                                  "%s %lu: %s", kind, n, e.msg);
                else
                    ck_assert_msg(strstr(e.msg, strerror(n % 2 ? ENOSPC : EIO)), "%s %lu: %s", kind, n, e.msg);
            }
            ck_assert_msg(!leftovers(p.dir) && !leftovers(p.sub), "%s %lu: files left behind", kind, n);
            pair_free(&p);
            if (rc == BF_OK && ran < n)
                break;
            ck_assert_uint_lt(n, 100000);
        }
    }
    printf("group commit: %lu injected failures, each left both files as they were\n", points);
}
END_TEST

/* A group interrupted after its first rename (both records and the second
 * temporary file are there), while its second record was being written
 * (torn: no rename happened), or after both records but before the first
 * rename (unrenamed). */
enum cut { AFTER_FIRST_RENAME, TORN, UNRENAMED };
static void interrupted_group(struct pair *p, enum cut cut)
{
    bf_hive *ha = NULL, *hb = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_open(p->a, BF_OPEN_WRITE, &ha, &e), BF_OK);
    ck_assert_int_eq(bf_hive_open(p->b, BF_OPEN_WRITE, &hb, &e), BF_OK);
    set_version(ha, 7);
    set_version(hb, 8);
    uint8_t *ia, *ib;
    size_t la, lb;
    ck_assert_int_eq(bf_hive_serialize(ha, &ia, &la, &e), BF_OK);
    ck_assert_int_eq(bf_hive_serialize(hb, &ib, &lb, &e), BF_OK);
    bf_hive_close(ha);
    bf_hive_close(hb);
    char ta[256], tb[256], ra[256], rb[256], text[1024];
    snprintf(ta, sizeof ta, "%s/.SYSTEM.bootfix-tmp-77-1", p->dir);
    snprintf(tb, sizeof tb, "%s/.BCD.bootfix-tmp-77-2", p->sub);
    snprintf(ra, sizeof ra, "%s/.SYSTEM.bootfix-group", p->dir);
    snprintf(rb, sizeof rb, "%s/.BCD.bootfix-group", p->sub);
    test_put_file(ta, ia, la);
    test_put_file(tb, ib, lb);
    int n = snprintf(text, sizeof text, "%s\t%s\n%s\t%s\n", p->a, ta, p->b, tb);
    test_put_file(ra, (const uint8_t *)text, (size_t)n);
    test_put_file(rb, (const uint8_t *)text, cut == TORN ? (size_t)n - 3 : (size_t)n);
    if (cut == AFTER_FIRST_RENAME)
        ck_assert_int_eq(rename(ta, p->a), 0); /* the first rename happened */
    free(ia);
    free(ib);
}

START_TEST(test_group_completed_after_kill)
{
    struct pair p;
    pair_make(&p);
    interrupted_group(&p, AFTER_FIRST_RENAME);
    ck_assert_uint_eq(version_of(p.a), 7); /* in between: SYSTEM new, BCD old */
    ck_assert_uint_eq(version_of(p.b), 1);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_msg(bf_hive_open(p.b, BF_OPEN_WRITE, &h, &e) == BF_OK, "%s", e.msg);
    bf_hive_close(h);
    ck_assert_uint_eq(version_of(p.a), 7);
    ck_assert_uint_eq(version_of(p.b), 8);
    assert_read_back(p.a);
    assert_read_back(p.b);
    ck_assert(!leftovers(p.dir) && !leftovers(p.sub));
    pair_free(&p);
}
END_TEST

START_TEST(test_group_torn_record_discarded)
{
    struct pair p;
    pair_make(&p);
    interrupted_group(&p, TORN);
    bf_hive *h = NULL;
    bf_error e = {0};
    /* opened through either file: no rename had happened, none may */
    ck_assert_msg(bf_hive_open(p.b, BF_OPEN_WRITE, &h, &e) == BF_OK, "%s", e.msg);
    bf_hive_close(h);
    ck_assert_msg(bf_hive_open(p.a, BF_OPEN_WRITE, &h, &e) == BF_OK, "%s", e.msg);
    bf_hive_close(h);
    ck_assert(test_file_equals(p.a, p.a0, p.a0len) && test_file_equals(p.b, p.b0, p.b0len));
    ck_assert(!leftovers(p.dir) && !leftovers(p.sub));
    pair_free(&p);
}
END_TEST

/* Both records written, killed before the first rename: the files were
 * never changed, and opening either member must leave them so (the next
 * run, e.g. an undo of the killed run's journal, sees the old files). */
START_TEST(test_group_unrenamed_discarded)
{
    struct pair p;
    pair_make(&p);
    interrupted_group(&p, UNRENAMED);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_msg(bf_hive_open(p.a, BF_OPEN_WRITE, &h, &e) == BF_OK, "%s", e.msg);
    bf_hive_close(h);
    ck_assert(test_file_equals(p.a, p.a0, p.a0len) && test_file_equals(p.b, p.b0, p.b0len));
    ck_assert_msg(bf_hive_open(p.b, BF_OPEN_WRITE, &h, &e) == BF_OK, "%s", e.msg);
    bf_hive_close(h);
    ck_assert(test_file_equals(p.a, p.a0, p.a0len) && test_file_equals(p.b, p.b0, p.b0len));
    ck_assert(!leftovers(p.dir) && !leftovers(p.sub));
    pair_free(&p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lock");
    TCase *tc = tcase_create("lock");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_second_writer_refused);
    tcase_add_test(tc, test_lock_dies_with_process);
    tcase_add_test(tc, test_same_process_twice);
    tcase_add_test(tc, test_sweep_on_write_open);
    tcase_add_test(tc, test_group_faults);
    tcase_add_test(tc, test_group_completed_after_kill);
    tcase_add_test(tc, test_group_torn_record_discarded);
    tcase_add_test(tc, test_group_unrenamed_discarded);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
