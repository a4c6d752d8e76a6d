/*
 * test_io.c — the system-neutral half of the I/O seam (lib/io/io.c) and
 * the POSIX platform layer under it (lib/io/posix): path strings, folder
 * creation (including every failure of it), folder listing, what a path
 * is, volumes.  The Windows layer is exercised by `make check-windows`.
 */
#include "io/io.h"

#include "common/runner.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[64];

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/bootfix-io-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ck_assert_int_eq(system(cmd), 0);
}

static char *at(const char *rel)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, rel);
    return buf[k];
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

START_TEST(test_path_strings)
{
    char *s = bf_io_path_join("/mnt/f", "Windows");
    ck_assert_str_eq(s, "/mnt/f/Windows");
    free(s);
    s = bf_io_path_join("/mnt/f/", "Windows"); /* no doubled separator */
    ck_assert_str_eq(s, "/mnt/f/Windows");
    free(s);
    s = bf_io_path_join("/", "x");
    ck_assert_str_eq(s, "/x");
    free(s);
    s = bf_io_path_join("", "x"); /* nothing to join: the name itself */
    ck_assert_str_eq(s, "x");
    free(s);
    ck_assert_str_eq(bf_io_base_name("/a/b/SYSTEM"), "SYSTEM");
    ck_assert_str_eq(bf_io_base_name("F:\\Windows\\SYSTEM"), "SYSTEM");
    s = bf_io_dir_of("/a/b/SYSTEM");
    ck_assert_str_eq(s, "/a/b");
    free(s);
    s = bf_io_dir_of("SYSTEM");
    ck_assert_str_eq(s, ".");
    free(s);
    s = bf_io_dir_of("/SYSTEM");
    ck_assert_str_eq(s, "/");
    free(s);
    ck_assert_int_eq(bf_io_sep, '/');
    ck_assert(bf_io_is_sep('/') && !bf_io_is_sep('\\'));
    ck_assert_int_eq(bf_io_has_drive_letters(), 0);
}
END_TEST

/* Nested, doubled and trailing separators; existing parts kept. */
START_TEST(test_mkdirs_shapes)
{
    ck_assert_int_eq(bf_io_mkdirs(at("a/b/c")), 0);
    ck_assert(is_dir(at("a/b/c")));
    ck_assert_int_eq(bf_io_mkdirs(at("x//y///")), 0);
    ck_assert(is_dir(at("x/y")));
    ck_assert_int_eq(bf_io_mkdirs(at("a/b/c")), 0); /* all there already */
    ck_assert_int_eq(bf_io_mkdirs(at("a/b/d/e")), 0);
    ck_assert(is_dir(at("a/b/d/e")));
    FILE *f = fopen(at("file"), "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(bf_io_mkdirs(at("file/sub")), ENOTDIR);
    ck_assert_int_eq(bf_io_mkdirs(at("file")), ENOTDIR);
}
END_TEST

/* Each counted operation of creating three folders fails in turn: the
 * error comes back, and a retry afterwards completes the path. */
START_TEST(test_mkdirs_faults)
{
    bf_io_fail_at(0, 0);
    ck_assert_int_eq(bf_io_mkdirs(at("count/p/q")), 0);
    unsigned long ops = bf_io_fail_at(0, 0);
    ck_assert_uint_eq(ops, 6); /* mkdir and a folder flush, three times */
    for (unsigned long n = 1; n <= ops; n++) {
        char rel[32];
        snprintf(rel, sizeof rel, "f%lu/p/q", n);
        bf_io_fail_at(n, EIO);
        ck_assert_int_eq(bf_io_mkdirs(at(rel)), EIO);
        bf_io_fail_at(0, 0);
        ck_assert_int_eq(bf_io_mkdirs(at(rel)), 0);
        ck_assert(is_dir(at(rel)));
    }
    for (unsigned long n = 1;; n++) {
        bf_io_fail_alloc_at(n);
        char rel[32];
        snprintf(rel, sizeof rel, "m%lu/p", n);
        int e = bf_io_mkdirs(at(rel));
        bf_io_fail_alloc_at(0);
        if (e == 0)
            break;
        ck_assert_int_eq(e, ENOMEM);
        ck_assert_uint_lt(n, 100);
    }
}
END_TEST

START_TEST(test_dir_listing)
{
    ck_assert_int_eq(bf_io_mkdirs(at("d/sub")), 0);
    FILE *f = fopen(at("d/one"), "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    bf_io_dir *d = NULL;
    ck_assert_int_eq(bf_io_dir_open(at("d"), &d), 0);
    int one = 0, sub = 0, other = 0;
    const char *n;
    while ((n = bf_io_dir_next(d)) != NULL) {
        if (!strcmp(n, "one"))
            one++;
        else if (!strcmp(n, "sub"))
            sub++;
        else
            other++; /* "." and ".." must not be listed */
    }
    bf_io_dir_close(d);
    ck_assert(one == 1 && sub == 1 && other == 0);
    ck_assert_int_eq(bf_io_dir_open(at("missing"), &d), ENOENT);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(bf_io_dir_open(at("d/one"), &d), ENOTDIR);
    bf_io_dir_close(NULL);
}
END_TEST

START_TEST(test_info_kinds)
{
    bf_io_info in;
    ck_assert_int_eq(bf_io_mkdirs(at("k")), 0);
    FILE *f = fopen(at("k/file"), "w");
    ck_assert_ptr_nonnull(f);
    fputs("12345", f);
    fclose(f);
    ck_assert_int_eq(symlink("file", at("k/link")), 0);
    ck_assert_int_eq(bf_io_info_of(at("k/file"), 1, &in), 0);
    ck_assert_int_eq(in.kind, BF_IO_FILE);
    ck_assert_uint_eq(in.size, 5);
    ck_assert_int_gt(in.mtime_ns, 0);
    ck_assert_int_eq(bf_io_info_of(at("k"), 1, &in), 0);
    ck_assert_int_eq(in.kind, BF_IO_DIR);
    ck_assert_int_eq(bf_io_info_of(at("k/link"), 0, &in), 0);
    ck_assert_int_eq(in.kind, BF_IO_LINK);
    ck_assert_int_eq(bf_io_info_of(at("k/link"), 1, &in), 0);
    ck_assert_int_eq(in.kind, BF_IO_FILE);
    ck_assert_int_eq(bf_io_info_of(at("k/none"), 1, &in), ENOENT);
    ck_assert_int_eq(bf_io_info_of("/dev/null", 1, &in), 0);
    ck_assert_int_eq(in.kind, BF_IO_OTHER);
    ck_assert_int_eq(bf_io_can_write(at("k")), 0);
    ck_assert_int_eq(bf_io_can_write(at("k/none")), ENOENT);
    ck_assert_int_eq(bf_io_same_file(at("k/file"), at("k/link")), 1);
    ck_assert_int_eq(bf_io_same_file(at("k/file"), at("k")), 0);
    char *abs = bf_io_absolute(at("k/./link"));
    ck_assert_ptr_nonnull(abs);
    ck_assert_str_eq(bf_io_base_name(abs), "file"); /* links resolved */
    free(abs);
    bf_io_volume v;
    ck_assert_int_eq(bf_io_volume_of(tmp, &v), 0);
    ck_assert(v.space_known && v.total_bytes >= v.free_bytes && v.total_bytes > 0);
    ck_assert_ptr_null(bf_io_running_windows_dir());
    char *disk = (char *)"x";
    bf_io_sibling *s = (bf_io_sibling *)&disk;
    size_t ns = 7;
    ck_assert_int_eq(bf_io_disk_siblings(tmp, &disk, &s, &ns), 0);
    ck_assert(disk == NULL && s == NULL && ns == 0);
}
END_TEST

/* Only ".NAME.bootfix-...bootfix-tmp-..." files beside NAME are swept,
 * never a folder, a commit record or another file's temporary file. */
START_TEST(test_sweep_only_own_tmp)
{
    static const char *const files[] = {".SYSTEM.bootfix-tmp-1-1", ".SYSTEM.bootfix-x.bak.bootfix-tmp-2-2",
                                        ".SYSTEM.bootfix-commit", ".SOFTWARE.bootfix-tmp-1-1", "SYSTEM"};
    ck_assert_int_eq(bf_io_mkdirs(at("s")), 0);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char rel[96];
        snprintf(rel, sizeof rel, "s/%s", files[i]);
        FILE *f = fopen(at(rel), "w");
        ck_assert_ptr_nonnull(f);
        fclose(f);
    }
    ck_assert_int_eq(bf_io_mkdirs(at("s/.SYSTEM.bootfix-tmp-dir")), 0);
    ck_assert_uint_eq(bf_io_sweep_tmp(at("s/SYSTEM")), 2);
    ck_assert_int_ne(access(at("s/.SYSTEM.bootfix-tmp-1-1"), F_OK), 0);
    ck_assert_int_ne(access(at("s/.SYSTEM.bootfix-x.bak.bootfix-tmp-2-2"), F_OK), 0);
    ck_assert_int_eq(access(at("s/.SYSTEM.bootfix-commit"), F_OK), 0);
    ck_assert_int_eq(access(at("s/.SOFTWARE.bootfix-tmp-1-1"), F_OK), 0);
    ck_assert(is_dir(at("s/.SYSTEM.bootfix-tmp-dir")));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("io");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_path_strings);
    tcase_add_test(tc, test_mkdirs_shapes);
    tcase_add_test(tc, test_mkdirs_faults);
    tcase_add_test(tc, test_dir_listing);
    tcase_add_test(tc, test_info_kinds);
    tcase_add_test(tc, test_sweep_only_own_tmp);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
