/*
 * test_limits — the documented maximums of bootfix/hive.h (BF_LIMIT_*).
 *
 * For each limit: going exactly to it works, one past it fails with
 * BF_ERR_LIMIT and a message naming the file, the key (or the offset when
 * reading) and the limit.  Both directions are covered: writing (adding a
 * key or value, setting data, importing a .reg line, parsing a script) and
 * reading a file that already exceeds the limit.
 *
 * Limits too expensive to reach honestly are reached through a crafted
 * count: a 2 GiB hive is a sparse file or a base block that claims it; a
 * million subkeys or values is a key whose count field (or a value list
 * cell full of copies of one entry) says so.  Those cases are noted where
 * they are made.
 */
#include "common/runner.h"

#include "bootfix/hive.h"
#include "bootfix/recipe.h"
#include "hive/internal.h"
#include "script/internal.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PFX "HKEY_LOCAL_MACHINE\\TEST"

/* ---- helpers ---------------------------------------------------------------------------------- */

static bf_hive *new_hive(unsigned minor)
{
    bf_hive *h;
    bf_error e;
    ck_assert_msg(bf_hive_new(minor, "ROOT", &h, &e) == BF_OK, "bf_hive_new: %s", e.msg);
    return h;
}

static void expect_limit(int rc, const bf_error *e, const char *what1, const char *what2)
{
    ck_assert_msg(rc == BF_ERR_LIMIT, "rc %d, want BF_ERR_LIMIT (%s)", rc, e->msg);
    ck_assert_int_eq(e->code, BF_ERR_LIMIT);
    ck_assert_msg(strstr(e->msg, what1), "message lacks '%s': %s", what1, e->msg);
    if (what2)
        ck_assert_msg(strstr(e->msg, what2), "message lacks '%s': %s", what2, e->msg);
}

/* nk record of key n inside a serialized image */
static uint8_t *img_nk(uint8_t *img, bf_node n) { return img + REGF_BASE_BLOCK + n + 4; }

static bf_hive *reopen(const uint8_t *img, size_t len, unsigned flags, int *rc, bf_error *e)
{
    bf_hive *h = NULL;
    *rc = bf_hive_open_mem("crafted.hiv", img, len, NULL, 0, flags | BF_OPEN_NO_LOGS, &h, e);
    return h;
}

typedef struct problems {
    char text[16384];
    int n;
} problems;

static void add_problem(void *ctx, uint64_t off, const char *problem)
{
    problems *p = ctx;
    size_t used = strlen(p->text);
    p->n++;
    snprintf(p->text + used, sizeof p->text - used, "0x%llx: %s\n", (unsigned long long)off, problem);
}

static char *repeat(const char *unit, size_t times, const char *sep)
{
    size_t ul = strlen(unit), sl = strlen(sep);
    char *s = malloc(times * (ul + sl) + 1);
    ck_assert_ptr_nonnull(s);
    char *p = s;
    for (size_t i = 0; i < times; i++) {
        memcpy(p, unit, ul);
        p += ul;
        if (i + 1 < times) {
            memcpy(p, sep, sl);
            p += sl;
        }
    }
    *p = 0;
    return s;
}

/* ---- hive size ---------------------------------------------------------------------------------- */

START_TEST(hive_size_header_at_and_over_limit)
{
    bf_hive *h = new_hive(5);
    uint8_t *img;
    size_t len;
    bf_error e;
    int rc;
    ck_assert_int_eq(bf_hive_serialize(h, &img, &len, &e), BF_OK);
    bf_hive_close(h);
    /* a base block claiming exactly the largest hive bins passes the limit
     * and is then refused as truncated: the boundary is exact */
    wr32(img + BB_HBINS_SIZE, BF_LIMIT_HIVE_SIZE - REGF_BASE_BLOCK);
    wr32(img + BB_CHECKSUM, bf_bb_checksum(img));
    h = reopen(img, len, 0, &rc, &e);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(rc, BF_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
    /* one bin more: over the limit */
    wr32(img + BB_HBINS_SIZE, BF_LIMIT_HIVE_SIZE - REGF_BASE_BLOCK + REGF_BIN_ALIGN);
    wr32(img + BB_CHECKSUM, bf_bb_checksum(img));
    h = reopen(img, len, 0, &rc, &e);
    ck_assert_ptr_null(h);
    expect_limit(rc, &e, "crafted.hiv: offset 0x28", "2 GiB");
    free(img);
}
END_TEST

START_TEST(hive_size_file_over_limit_refused_before_reading)
{
    char dir[] = "/tmp/bf_limits_XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/SYSTEM", dir);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "regf", 4), 4);
    /* sparse: nothing of it is read (reading 2 GiB would be the bug) */
    if (ftruncate(fd, (off_t)BF_LIMIT_HIVE_SIZE + 1) != 0) {
        printf("SKIPPED: hive_size_file_over_limit (cannot make a sparse 2 GiB file here)\n");
    } else {
        bf_hive *h = NULL;
        bf_error e;
        int rc = bf_hive_open(path, 0, &h, &e);
        ck_assert_ptr_null(h);
        expect_limit(rc, &e, path, "2147483649 bytes");
        ck_assert_ptr_nonnull(strstr(e.msg, "2147483648"));
    }
    close(fd);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(hive_size_growth_over_limit)
{
    /* growing a hive to 2 GiB is too expensive for a unit test: ask the
     * allocator for the largest cell it accepts, whose bin would take the
     * hive bins one bin past the limit; nothing is allocated */
    bf_hive *h = new_hive(5);
    bf_error e;
    uint32_t off;
    int rc = bf_cell_alloc(h, BF_LIMIT_HIVE_SIZE - REGF_BASE_BLOCK - 64, &off, &e);
    expect_limit(rc, &e, "(new hive)", "grow beyond 2147479552 bytes");
    ck_assert_uint_eq(bf_hbins_size(h), REGF_BIN_ALIGN);
    bf_hive_close(h);
}
END_TEST

/* ---- key depth ---------------------------------------------------------------------------------- */

/* "a\a\...": n components */
static char *deep_path(size_t n) { return repeat("a", n, "\\"); }

START_TEST(key_depth_write)
{
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_node deepest, x;
    int created;
    /* the root is level 1: 511 keys below it reach level 512 */
    char *p = deep_path(BF_LIMIT_KEY_DEPTH - 1);
    ck_assert_msg(bf_node_create_path(h, bf_hive_root(h), p, &deepest, &created, &e) == BF_OK, "%s", e.msg);
    ck_assert_int_eq(created, BF_LIMIT_KEY_DEPTH - 1);
    problems pr = {"", 0};
    ck_assert_int_eq(bf_hive_check(h, add_problem, &pr, &e), 0);
    /* one more level: refused, by both ways of adding keys */
    int rc = bf_node_add(h, deepest, "b", &x, &e);
    expect_limit(rc, &e, "(new hive): cannot add key \"b\" under \"...\\a\\a", "at most 512 levels deep");
    rc = bf_node_create_path(h, deepest, "b", &x, &created, &e);
    expect_limit(rc, &e, "would be 513 levels deep", "the limit is 512");
    ck_assert_int_eq(created, 0);
    free(p);
    /* a path too deep from the start creates nothing at all */
    p = deep_path(BF_LIMIT_KEY_DEPTH);
    p[0] = 'z';
    rc = bf_node_create_path(h, bf_hive_root(h), p, &x, &created, &e);
    expect_limit(rc, &e, "(new hive): key path", "the limit is 512");
    ck_assert_int_eq(created, 0);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "z", &x, &e), BF_ERR_NOT_FOUND);
    free(p);
    bf_hive_close(h);
}
END_TEST

START_TEST(key_depth_read)
{
    /* a file with keys at levels 513 and 514: the 511-deep chain of
     * key_depth_write, and X\Y\Z moved under its deepest key by rewriting
     * the list pointers (the writer itself refuses to make it) */
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_node deepest, xk, yk, zk;
    int created, rc;
    char *p = deep_path(BF_LIMIT_KEY_DEPTH - 1);
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), p, &deepest, &created, &e), BF_OK);
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "X\\Y\\Z", &zk, &created, &e), BF_OK);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "X", &xk, &e), BF_OK);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "X\\Y", &yk, &e), BF_OK);
    uint8_t *img;
    size_t len;
    ck_assert_int_eq(bf_hive_serialize(h, &img, &len, &e), BF_OK);
    bf_hive_close(h);
    uint8_t *d = img_nk(img, deepest), *x = img_nk(img, xk), *y = img_nk(img, yk);
    wr32(d + NK_NSUBKEYS, 1);
    wr32(d + NK_SUBKEYS, rd32(x + NK_SUBKEYS));
    wr32(d + NK_MAXNAME, 2);
    wr32(x + NK_NSUBKEYS, 0);
    wr32(x + NK_SUBKEYS, REGF_NIL);
    wr32(x + NK_MAXNAME, 0);
    wr32(y + NK_PARENT, deepest);

    /* the checker names the key that is too deep */
    problems pr = {"", 0};
    ck_assert_int_gt(bf_check_image(img, len, add_problem, &pr, &e), 0);
    ck_assert_msg(strstr(pr.text, "deeper than 512 levels"), "%s", pr.text);
    /* reading: Y (level 513) cannot be looked up; its parent still can */
    h = reopen(img, len, 0, &rc, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    char *py = malloc(strlen(p) + 3);
    sprintf(py, "%s\\Y", p);
    bf_node n;
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), p, &n, &e), BF_OK);
    ck_assert_uint_eq(n, deepest);
    expect_limit(bf_node_lookup(h, bf_hive_root(h), py, &n, &e), &e, "crafted.hiv: key", "deeper than 512 levels");
    bf_hive_close(h);
    /* and such a file is never opened for writing */
    h = reopen(img, len, BF_OPEN_WRITE, &rc, &e);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(rc, BF_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "1 structural problem"), "%s", e.msg);
    (void)zk;
    free(py);
    free(p);
    free(img);
}
END_TEST

START_TEST(key_depth_reg_import)
{
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_regfile_stats st;
    char *p = deep_path(BF_LIMIT_KEY_DEPTH - 1);
    char *doc = malloc(strlen(p) + 100);
    sprintf(doc, "REGEDIT4\n[" PFX "\\%s]\n", p);
    int rc = bf_regfile_import(h, PFX, (const uint8_t *)doc, strlen(doc), "t.reg", &st, &e);
    ck_assert_msg(rc == BF_OK, "%s", e.msg);
    sprintf(doc, "REGEDIT4\n[" PFX "\\%s\\b]\n", p);
    rc = bf_regfile_import(h, PFX, (const uint8_t *)doc, strlen(doc), "t.reg", &st, &e);
    expect_limit(rc, &e, "t.reg: line 2: key", "more than 512 levels deep");
    free(doc);
    free(p);
    bf_hive_close(h);
}
END_TEST

/* ---- key and value names ------------------------------------------------------------------------ */

START_TEST(key_name_write_and_read)
{
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_node parent, k;
    char name[BF_LIMIT_KEY_NAME + 2];
    ck_assert_int_eq(bf_node_add(h, bf_hive_root(h), "Parent", &parent, &e), BF_OK);
    memset(name, 'k', BF_LIMIT_KEY_NAME);
    name[BF_LIMIT_KEY_NAME] = 0;
    ck_assert_msg(bf_node_add(h, parent, name, &k, &e) == BF_OK, "%s", e.msg);
    name[BF_LIMIT_KEY_NAME] = 'k';
    name[BF_LIMIT_KEY_NAME + 1] = 0;
    expect_limit(bf_node_add(h, parent, name, NULL, &e), &e, "under \"\\Parent\" is 256 characters",
                 "the limit is 255");
    /* UTF-16 units count, not bytes: 255 x U+00E9 (2 UTF-8 bytes each) fits */
    char *wide = repeat("\xc3\xa9", BF_LIMIT_KEY_NAME, "");
    ck_assert_msg(bf_node_add(h, parent, wide, NULL, &e) == BF_OK, "%s", e.msg);
    free(wide);

    /* reading: a 256-character name (the length field grown into the cell's
     * zeroed padding) is reported by the checker, which refuses to write */
    uint8_t *img;
    size_t len;
    ck_assert_int_eq(bf_hive_serialize(h, &img, &len, &e), BF_OK);
    bf_hive_close(h);
    wr16(img_nk(img, k) + NK_NAMELEN, BF_LIMIT_KEY_NAME + 1);
    problems pr = {"", 0};
    ck_assert_int_gt(bf_check_image(img, len, add_problem, &pr, &e), 0);
    ck_assert_msg(strstr(pr.text, "name longer than 255 characters"), "%s", pr.text);
    int rc;
    h = reopen(img, len, BF_OPEN_WRITE, &rc, &e);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(rc, BF_ERR_FORMAT);
    free(img);
}
END_TEST

START_TEST(value_name_write_and_read)
{
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_node k;
    uint32_t d = 1;
    char *name = malloc(BF_LIMIT_VALUE_NAME + 2);
    ck_assert_int_eq(bf_node_add(h, bf_hive_root(h), "K", &k, &e), BF_OK);
    memset(name, 'v', BF_LIMIT_VALUE_NAME);
    name[BF_LIMIT_VALUE_NAME] = 0;
    ck_assert_msg(bf_node_set_value(h, k, name, BF_REG_DWORD, &d, 4, &e) == BF_OK, "%s", e.msg);
    name[BF_LIMIT_VALUE_NAME] = 'v';
    name[BF_LIMIT_VALUE_NAME + 1] = 0;
    expect_limit(bf_node_set_value(h, k, name, BF_REG_DWORD, &d, 4, &e), &e, "(new hive): key \"\\K\": value name",
                 "is 16384 characters: the limit is 16383");
    /* reading: the checker reports a 16384-character name */
    bf_value v;
    name[BF_LIMIT_VALUE_NAME] = 0;
    ck_assert_int_eq(bf_node_get_value(h, k, name, &v, &e), BF_OK);
    uint8_t *img;
    size_t len;
    ck_assert_int_eq(bf_hive_serialize(h, &img, &len, &e), BF_OK);
    bf_hive_close(h);
    uint8_t *vk = img + REGF_BASE_BLOCK + v + 4;
    uint32_t cell = (uint32_t)-(int32_t)rd32(vk - 4);
    ck_assert_uint_ge(cell, 4 + VK_NAME + BF_LIMIT_VALUE_NAME + 1); /* room in the padding */
    wr16(vk + VK_NAMELEN, BF_LIMIT_VALUE_NAME + 1);
    problems pr = {"", 0};
    ck_assert_int_gt(bf_check_image(img, len, add_problem, &pr, &e), 0);
    ck_assert_msg(strstr(pr.text, "name longer than 16383 characters"), "%s", pr.text);
    free(img);
    free(name);
}
END_TEST

/* ---- subkeys per key ---------------------------------------------------------------------------- */

START_TEST(subkeys_write)
{
    /* a million real subkeys is too slow for a unit test: the key's count
     * field is set to one below the limit in the live image (the count is
     * what the check reads) */
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_node k;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "Big\\c1", NULL, NULL, &e), BF_OK);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "Big", &k, &e), BF_OK);
    wr32(bf_at(h, k) + 4 + NK_NSUBKEYS, BF_LIMIT_SUBKEYS - 1);
    ck_assert_msg(bf_node_add(h, k, "c2", NULL, &e) == BF_OK, "%s", e.msg);
    ck_assert_uint_eq(rd32(bf_at(h, k) + 4 + NK_NSUBKEYS), BF_LIMIT_SUBKEYS);
    /* an existing name is still reported as existing, not as the limit */
    ck_assert_int_eq(bf_node_add(h, k, "C1", NULL, &e), BF_ERR_EXISTS);
    expect_limit(bf_node_add(h, k, "c3", NULL, &e), &e, "(new hive): key \"\\Big\" already has 1000000 subkeys",
                 "the limit is 1000000 per key");
    expect_limit(bf_node_create_path(h, bf_hive_root(h), "Big\\c4\\d", NULL, NULL, &e), &e, "\\Big",
                 "1000000 subkeys");
    ck_assert_int_eq(bf_node_lookup(h, k, "c3", &k, &e), BF_ERR_NOT_FOUND);
    bf_hive_close(h);
}
END_TEST

START_TEST(subkeys_read)
{
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_node k, *kids;
    size_t n;
    int rc;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "Big\\c1", NULL, NULL, &e), BF_OK);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "Big", &k, &e), BF_OK);
    uint8_t *img;
    size_t len;
    ck_assert_int_eq(bf_hive_serialize(h, &img, &len, &e), BF_OK);
    bf_hive_close(h);
    /* a count at the limit is no limit error (here: a plain mismatch) */
    wr32(img_nk(img, k) + NK_NSUBKEYS, BF_LIMIT_SUBKEYS);
    h = reopen(img, len, 0, &rc, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq(bf_node_children(h, k, &kids, &n, &e), BF_ERR_FORMAT);
    bf_hive_close(h);
    /* one over: a clear limit error naming the offset and the key */
    wr32(img_nk(img, k) + NK_NSUBKEYS, BF_LIMIT_SUBKEYS + 1);
    h = reopen(img, len, 0, &rc, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    char want[64];
    snprintf(want, sizeof want, "crafted.hiv: offset 0x%x", REGF_BASE_BLOCK + k + 4 + NK_NSUBKEYS);
    expect_limit(bf_node_children(h, k, &kids, &n, &e), &e, want, "key \"\\Big\" says it has 1000001 subkeys");
    ck_assert_ptr_nonnull(strstr(e.msg, "limit of 1000000"));
    ck_assert_ptr_null(kids);
    bf_hive_close(h);
    free(img);
}
END_TEST

/* ---- values per key ----------------------------------------------------------------------------- */

START_TEST(values_write)
{
    /* setting a million values one by one is quadratic (each new value
     * copies the list): the key's list is replaced by one cell holding
     * BF_LIMIT_VALUES - 1 copies of value "a" */
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_node k;
    bf_value va;
    uint32_t d = 7, list;
    ck_assert_int_eq(bf_node_add(h, bf_hive_root(h), "Many", &k, &e), BF_OK);
    ck_assert_int_eq(bf_node_set_value(h, k, "a", BF_REG_DWORD, &d, 4, &e), BF_OK);
    ck_assert_int_eq(bf_node_get_value(h, k, "a", &va, &e), BF_OK);
    ck_assert_int_eq(bf_cell_alloc(h, 4 * (BF_LIMIT_VALUES - 1), &list, &e), BF_OK);
    for (uint32_t i = 0; i < BF_LIMIT_VALUES - 1; i++)
        wr32(bf_at(h, list) + 4 + 4 * i, va);
    uint8_t *nk = bf_at(h, k) + 4;
    bf_cell_free(h, rd32(nk + NK_VALUES));
    wr32(nk + NK_VALUES, list);
    wr32(nk + NK_NVALUES, BF_LIMIT_VALUES - 1);

    ck_assert_msg(bf_node_set_value(h, k, "b", BF_REG_DWORD, &d, 4, &e) == BF_OK, "%s", e.msg);
    ck_assert_uint_eq(rd32(bf_at(h, k) + 4 + NK_NVALUES), BF_LIMIT_VALUES);
    /* replacing an existing value adds nothing: allowed at the limit */
    ck_assert_msg(bf_node_set_value(h, k, "B", BF_REG_DWORD, &d, 4, &e) == BF_OK, "%s", e.msg);
    uint32_t hb = bf_hbins_size(h);
    expect_limit(bf_node_set_value(h, k, "c", BF_REG_SZ, "c\0", 4, &e), &e,
                 "(new hive): key \"\\Many\" already has 1000000 values", "the limit is 1000000 per key");
    ck_assert_uint_eq(bf_hbins_size(h), hb); /* nothing allocated */
    ck_assert_uint_eq(rd32(bf_at(h, k) + 4 + NK_NVALUES), BF_LIMIT_VALUES);
    bf_hive_close(h);
}
END_TEST

START_TEST(values_read)
{
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_node k;
    bf_value *vals;
    size_t n;
    uint32_t d = 7;
    int rc;
    ck_assert_int_eq(bf_node_add(h, bf_hive_root(h), "Many", &k, &e), BF_OK);
    ck_assert_int_eq(bf_node_set_value(h, k, "a", BF_REG_DWORD, &d, 4, &e), BF_OK);
    uint8_t *img;
    size_t len;
    ck_assert_int_eq(bf_hive_serialize(h, &img, &len, &e), BF_OK);
    bf_hive_close(h);
    /* at the limit: no limit error (the list cell is simply too small) */
    wr32(img_nk(img, k) + NK_NVALUES, BF_LIMIT_VALUES);
    h = reopen(img, len, 0, &rc, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq(bf_node_values(h, k, &vals, &n, &e), BF_ERR_FORMAT);
    bf_hive_close(h);
    wr32(img_nk(img, k) + NK_NVALUES, BF_LIMIT_VALUES + 1);
    h = reopen(img, len, 0, &rc, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    char want[64];
    snprintf(want, sizeof want, "crafted.hiv: offset 0x%x", REGF_BASE_BLOCK + k + 4 + NK_NVALUES);
    expect_limit(bf_node_values(h, k, &vals, &n, &e), &e, want, "key \"\\Many\" says it has 1000001 values");
    bf_value v;
    expect_limit(bf_node_get_value(h, k, "a", &v, &e), &e, want, "limit of 1000000");
    bf_hive_close(h);
    free(img);
}
END_TEST

/* ---- value size ----------------------------------------------------------------------------------- */

START_TEST(value_size_write)
{
    bf_error e;
    uint8_t *big = calloc(1, BF_LIMIT_VALUE_SIZE_13 + 1);
    ck_assert_ptr_nonnull(big);
    /* format 1.3 (BCD stores): 1 MB exactly, not one byte more */
    bf_hive *h = new_hive(3);
    bf_node k;
    ck_assert_int_eq(bf_node_add(h, bf_hive_root(h), "K", &k, &e), BF_OK);
    ck_assert_msg(bf_node_set_value(h, k, "v", BF_REG_BINARY, big, BF_LIMIT_VALUE_SIZE_13, &e) == BF_OK, "%s",
                  e.msg);
    expect_limit(bf_node_set_value(h, k, "w", BF_REG_BINARY, big, BF_LIMIT_VALUE_SIZE_13 + 1, &e), &e,
                 "(new hive): key \"\\K\": value w: 1048577 bytes", "limit is 1048576 bytes in a version 1.3 hive");
    expect_limit(bf_node_set_value(h, bf_hive_root(h), "", BF_REG_BINARY, big, BF_LIMIT_VALUE_SIZE_13 + 1, &e),
                 &e, "key \"\\\": value (default)", "1048576");
    bf_hive_close(h);
    /* format 1.5: the 1.3 limit does not apply */
    h = new_hive(5);
    ck_assert_msg(bf_node_set_value(h, bf_hive_root(h), "v", BF_REG_BINARY, big, BF_LIMIT_VALUE_SIZE_13 + 1, &e) ==
                      BF_OK, "%s", e.msg);
    free(big);
    /* 256 MiB exactly would copy 256 MiB into the hive: too expensive here;
     * one byte more is refused before the data is read (calloc'd pages that
     * are never touched cost nothing) */
    big = calloc(1, (size_t)BF_LIMIT_VALUE_SIZE + 1);
    ck_assert_ptr_nonnull(big);
    expect_limit(bf_node_set_value(h, bf_hive_root(h), "huge", BF_REG_BINARY, big, (size_t)BF_LIMIT_VALUE_SIZE + 1,
                                   &e),
                 &e, "value huge: 268435457 bytes", "the limit is 268435456 bytes");
    free(big);
    bf_hive_close(h);
}
END_TEST

START_TEST(value_size_read)
{
    static const unsigned minors[] = {3, 5};
    for (size_t m = 0; m < 2; m++) {
        bf_hive *h = new_hive(minors[m]);
        bf_error e;
        bf_value v;
        uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8}, *got;
        size_t got_len;
        int rc;
        uint32_t limit = minors[m] == 3 ? BF_LIMIT_VALUE_SIZE_13 : BF_LIMIT_VALUE_SIZE;
        ck_assert_int_eq(bf_node_set_value(h, bf_hive_root(h), "v", BF_REG_BINARY, data, 8, &e), BF_OK);
        ck_assert_int_eq(bf_node_get_value(h, bf_hive_root(h), "v", &v, &e), BF_OK);
        uint8_t *img;
        size_t len;
        ck_assert_int_eq(bf_hive_serialize(h, &img, &len, &e), BF_OK);
        bf_hive_close(h);
        uint8_t *vk = img + REGF_BASE_BLOCK + v + 4;
        if (minors[m] == 3) {
            /* at the limit: not a limit error (the 8-byte cell is too small) */
            wr32(vk + VK_DATASIZE, limit);
            h = reopen(img, len, 0, &rc, &e);
            ck_assert_msg(h != NULL, "%s", e.msg);
            ck_assert_int_eq(bf_value_data(h, v, NULL, &got, &got_len, &e), BF_ERR_FORMAT);
            ck_assert_ptr_nonnull(strstr(e.msg, "does not fit its cell"));
            bf_hive_close(h);
        }
        /* over: refused before anything is allocated for it */
        wr32(vk + VK_DATASIZE, limit + 1);
        h = reopen(img, len, 0, &rc, &e);
        ck_assert_msg(h != NULL, "%s", e.msg);
        char want[64], lim[64];
        snprintf(want, sizeof want, "crafted.hiv: offset 0x%x: value of %u bytes",
                 REGF_BASE_BLOCK + v + 4 + VK_DATASIZE, limit + 1);
        snprintf(lim, sizeof lim, "limit of %u bytes for a version 1.%u hive", limit, minors[m]);
        expect_limit(bf_value_data(h, v, NULL, &got, &got_len, &e), &e, want, lim);
        bf_hive_close(h);
        free(img);
    }
}
END_TEST

/* ---- .reg lines ------------------------------------------------------------------------------------ */

/* A REGEDIT4 document whose line 3 is "a"="xxx..." of exactly `linelen` bytes. */
static char *reg_doc_with_line(size_t linelen, size_t *len)
{
    const char *head = "REGEDIT4\r\n[" PFX "]\r\n\"a\"=\"";
    size_t hl = strlen(head), pre = strlen("\"a\"=\"");
    char *doc = malloc(hl + linelen + 8);
    ck_assert_ptr_nonnull(doc);
    memcpy(doc, head, hl);
    size_t nx = linelen - pre - 1; /* the closing quote */
    memset(doc + hl, 'x', nx);
    memcpy(doc + hl + nx, "\"\r\n", 4);
    *len = hl + nx + 3;
    return doc;
}

START_TEST(reg_line)
{
    bf_hive *h = new_hive(5);
    bf_error e;
    bf_regfile_stats st;
    size_t len;
    /* exactly BF_LIMIT_REG_LINE bytes (the CR LF is not counted) */
    char *doc = reg_doc_with_line(BF_LIMIT_REG_LINE, &len);
    int rc = bf_regfile_import(h, PFX, (const uint8_t *)doc, len, "t.reg", &st, &e);
    ck_assert_msg(rc == BF_OK, "%s", e.msg);
    bf_value v;
    uint8_t *d;
    size_t dl;
    ck_assert_int_eq(bf_node_get_value(h, bf_hive_root(h), "a", &v, &e), BF_OK);
    ck_assert_int_eq(bf_value_data(h, v, NULL, &d, &dl, &e), BF_OK);
    ck_assert_uint_eq(dl, 2 * (BF_LIMIT_REG_LINE - 6 + 1)); /* UTF-16 and the NUL */
    free(d);
    free(doc);
    doc = reg_doc_with_line(BF_LIMIT_REG_LINE + 1, &len);
    rc = bf_regfile_import(h, PFX, (const uint8_t *)doc, len, "t.reg", &st, &e);
    expect_limit(rc, &e, "t.reg: line 3: line longer than 4194304 bytes", "the limit");
    free(doc);

    /* a logical line of hex data continued over many physical lines */
    size_t cap = 2 * BF_LIMIT_REG_LINE + 4096, p;
    doc = malloc(cap);
    p = (size_t)sprintf(doc, "REGEDIT4\n[" PFX "]\n\"b\"=hex:");
    for (size_t i = 0; i < BF_LIMIT_REG_LINE / 15 - 100; i++) {
        memcpy(doc + p, "00,01,02,03,04,\\\n  ", 19);
        p += 19;
    }
    strcpy(doc + p, "05\n");
    rc = bf_regfile_import(h, PFX, (const uint8_t *)doc, strlen(doc), "t.reg", &st, &e);
    ck_assert_msg(rc == BF_OK, "%s", e.msg);
    p = (size_t)sprintf(doc, "REGEDIT4\n[" PFX "]\n\"b\"=hex:");
    for (size_t i = 0; i < BF_LIMIT_REG_LINE / 15 + 1; i++) {
        memcpy(doc + p, "00,01,02,03,04,\\\n  ", 19);
        p += 19;
    }
    strcpy(doc + p, "05\n");
    rc = bf_regfile_import(h, PFX, (const uint8_t *)doc, strlen(doc), "t.reg", &st, &e);
    expect_limit(rc, &e, "t.reg: line 3: hex data continued", "longer than 4194304 bytes, the limit");
    free(doc);
    bf_hive_close(h);
}
END_TEST

/* ---- scripts ------------------------------------------------------------------------------------- */

static int parse_script(const char *text, size_t len, bf_error *e)
{
    bf_script_opts o;
    sc_script s;
    memset(&o, 0, sizeof o);
    memset(e, 0, sizeof *e);
    int rc = sc_parse("t.cmd", text, len, &o, &s, e);
    if (rc == BF_OK)
        sc_script_free(&s);
    return rc;
}

/* "REM ok\nREM " + `count` copies of `unit` + `tail`: line 2 is the long one. */
static char *script_line(const char *unit, size_t count, const char *tail)
{
    char *body = repeat(unit, count, "");
    char *s = malloc(strlen(body) + strlen(tail) + 16);
    sprintf(s, "REM ok\nREM %s%s\n", body, tail);
    free(body);
    return s;
}

START_TEST(script_line_length)
{
    bf_error e;
    /* "REM " + 8187 = 8191 characters */
    char *s = script_line("x", BF_LIMIT_SCRIPT_LINE - 4, "");
    ck_assert_msg(parse_script(s, strlen(s), &e) == BF_OK, "%s", e.msg);
    free(s);
    s = script_line("x", BF_LIMIT_SCRIPT_LINE - 3, "");
    expect_limit(parse_script(s, strlen(s), &e), &e, "t.cmd line 2: 8192 characters",
                 "limited to 8191 characters");
    free(s);
    /* characters, not bytes: U+00E9 is 2 bytes and one character ... */
    s = script_line("\xc3\xa9", BF_LIMIT_SCRIPT_LINE - 4, "");
    ck_assert_msg(parse_script(s, strlen(s), &e) == BF_OK, "%s", e.msg);
    free(s);
    s = script_line("\xc3\xa9", BF_LIMIT_SCRIPT_LINE - 3, "");
    expect_limit(parse_script(s, strlen(s), &e), &e, "t.cmd line 2: 8192 characters", "8191");
    free(s);
    /* ... and U+1F600 is two UTF-16 units, as cmd.exe counts them */
    s = script_line("\xf0\x9f\x98\x80", (BF_LIMIT_SCRIPT_LINE - 5) / 2, "x");
    ck_assert_msg(parse_script(s, strlen(s), &e) == BF_OK, "%s", e.msg);
    free(s);
    s = script_line("\xf0\x9f\x98\x80", (BF_LIMIT_SCRIPT_LINE - 5) / 2, "xx");
    expect_limit(parse_script(s, strlen(s), &e), &e, "t.cmd line 2: 8192 characters", "8191");
    free(s);
    /* a CR before the LF is not part of the line */
    s = script_line("x", BF_LIMIT_SCRIPT_LINE - 4, "\r");
    ck_assert_msg(parse_script(s, strlen(s), &e) == BF_OK, "%s", e.msg);
    free(s);
}
END_TEST

START_TEST(script_size)
{
    bf_error e;
    size_t n = BF_LIMIT_SCRIPT_SIZE;
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    /* REM lines of 8000 bytes, the last one shorter, n bytes in all */
    size_t p = 0;
    while (p < n) {
        size_t line = n - p < 8001 ? n - p : 8001;
        if (line < 5) { /* too short for "REM": blank lines */
            memset(s + p, '\n', line);
        } else {
            memcpy(s + p, "REM ", 4);
            memset(s + p + 4, 'x', line - 5);
            s[p + line - 1] = '\n';
        }
        p += line;
    }
    s[n] = 'x';
    ck_assert_msg(parse_script(s, n, &e) == BF_OK, "%s", e.msg);
    expect_limit(parse_script(s, n + 1, &e), &e, "t.cmd: 16777217 bytes", "limited to 16 MiB");
    free(s);
}
END_TEST

/* ---- the constants ----------------------------------------------------------------------------- */

START_TEST(private_names_follow_public_limits)
{
    ck_assert_int_eq(BF_MAX_KEY_NAME, BF_LIMIT_KEY_NAME);
    ck_assert_int_eq(BF_MAX_VALUE_NAME, BF_LIMIT_VALUE_NAME);
    ck_assert_int_eq(BF_MAX_DEPTH, BF_LIMIT_KEY_DEPTH);
    ck_assert_uint_eq(BF_MAX_HIVE_SIZE + REGF_BASE_BLOCK, BF_LIMIT_HIVE_SIZE);
    ck_assert_uint_eq(BF_MAX_LIST_WALK, BF_LIMIT_SUBKEYS);
    /* the values Microsoft documents */
    ck_assert_int_eq(BF_LIMIT_KEY_NAME, 255);
    ck_assert_int_eq(BF_LIMIT_VALUE_NAME, 16383);
    ck_assert_int_eq(BF_LIMIT_KEY_DEPTH, 512);
    ck_assert_uint_eq(BF_LIMIT_VALUE_SIZE_13, 1048576);
    ck_assert_int_eq(BF_LIMIT_SCRIPT_LINE, 8191);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, private_names_follow_public_limits);
    tcase_add_test(tc, hive_size_header_at_and_over_limit);
    tcase_add_test(tc, hive_size_file_over_limit_refused_before_reading);
    tcase_add_test(tc, hive_size_growth_over_limit);
    tcase_add_test(tc, key_depth_write);
    tcase_add_test(tc, key_depth_read);
    tcase_add_test(tc, key_depth_reg_import);
    tcase_add_test(tc, key_name_write_and_read);
    tcase_add_test(tc, value_name_write_and_read);
    tcase_add_test(tc, subkeys_write);
    tcase_add_test(tc, subkeys_read);
    tcase_add_test(tc, values_write);
    tcase_add_test(tc, values_read);
    tcase_add_test(tc, value_size_write);
    tcase_add_test(tc, value_size_read);
    tcase_add_test(tc, reg_line);
    tcase_add_test(tc, script_line_length);
    tcase_add_test(tc, script_size);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
