/* Reader unit tests: a small hive built with the public API, then one field
 * at a time corrupted so that each bound the reader checks is broken.  Every
 * case must give a clear error naming the offset, never a crash. */
#include "bootfix/hive.h"
#include "hive/internal.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static uint8_t *img;
static size_t img_len;
static uint32_t root, sub, val_small, val_big;

/* Build: root -> "Sub" (value "Small"=DWORD, value "Big" 20000 bytes) + "Other" */
static void build(unsigned minor)
{
    bf_hive *h;
    bf_error e;
    ck_assert_int_eq(bf_hive_new(minor, "ROOT", &h, &e), BF_OK);
    root = bf_hive_root(h);
    ck_assert_int_eq(bf_node_add(h, root, "Sub", &sub, &e), BF_OK);
    bf_node other;
    ck_assert_int_eq(bf_node_add(h, root, "Other", &other, &e), BF_OK);
    uint32_t d = 0x11223344;
    ck_assert_int_eq(bf_node_set_value(h, sub, "Small", BF_REG_DWORD, &d, 4, &e), BF_OK);
    uint8_t *big = malloc(20000);
    for (int i = 0; i < 20000; i++)
        big[i] = (uint8_t)i;
    ck_assert_int_eq(bf_node_set_value(h, sub, "Big", BF_REG_BINARY, big, 20000, &e), BF_OK);
    free(big);
    ck_assert_int_eq(bf_node_get_value(h, sub, "small", &val_small, &e), BF_OK);
    ck_assert_int_eq(bf_node_get_value(h, sub, "BIG", &val_big, &e), BF_OK);
    free(img);
    ck_assert_int_eq(bf_hive_serialize(h, &img, &img_len, &e), BF_OK);
    bf_hive_close(h);
}

/* Open the (possibly corrupted) image and walk everything; returns the
 * first error code (0 if all reads worked) and leaves its message in e. */
static int open_and_walk(bf_error *e)
{
    bf_hive *h;
    int rc = bf_hive_open_mem("crafted", img, img_len, NULL, 0, BF_OPEN_NO_LOGS, &h, e);
    if (rc)
        return rc;
    bf_node stack[64];
    int sp = 0;
    stack[sp++] = bf_hive_root(h);
    while (sp > 0 && rc == 0) {
        bf_node n = stack[--sp];
        char *name;
        if ((rc = bf_node_name(h, n, &name, e)) != 0)
            break;
        free(name);
        bf_value *vals;
        size_t nv;
        if ((rc = bf_node_values(h, n, &vals, &nv, e)) != 0)
            break;
        for (size_t i = 0; i < nv && rc == 0; i++) {
            uint8_t *d;
            size_t l;
            if ((rc = bf_value_name(h, vals[i], &name, e)) == 0)
                free(name);
            if (rc == 0 && (rc = bf_value_data(h, vals[i], NULL, &d, &l, e)) == 0)
                free(d);
        }
        free(vals);
        bf_node *kids;
        size_t nk;
        if (rc == 0 && (rc = bf_node_children(h, n, &kids, &nk, e)) == 0) {
            for (size_t i = 0; i < nk && sp < 64; i++)
                stack[sp++] = kids[i];
            free(kids);
        }
    }
    bf_hive_close(h);
    return rc;
}

static uint8_t *cell(uint32_t off) { return img + REGF_BASE_BLOCK + off + 4; }

static void expect_error(const char *needle)
{
    bf_error e;
    memset(&e, 0, sizeof e);
    int rc = open_and_walk(&e);
    ck_assert_msg(rc < 0, "expected an error containing '%s'", needle);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "error '%s' does not contain '%s'", e.msg, needle);
    ck_assert_msg(strstr(e.msg, "crafted") != NULL, "error '%s' does not name the file", e.msg);
}

START_TEST(valid_image_reads)
{
    build(5);
    bf_error e;
    ck_assert_int_eq(open_and_walk(&e), BF_OK);
    ck_assert_int_eq(bf_check_image(img, img_len, NULL, NULL, &e), 0);
}
END_TEST

START_TEST(bad_signature)
{
    build(5);
    img[0] = 'x';
    expect_error("no 'regf' signature");
}
END_TEST

START_TEST(short_file)
{
    build(5);
    img_len = 100;
    expect_error("too short");
}
END_TEST

START_TEST(hbins_beyond_file)
{
    build(5);
    wr32(img + BB_HBINS_SIZE, 0x100000);
    expect_error("truncated");
}
END_TEST

START_TEST(hbins_not_multiple)
{
    build(5);
    wr32(img + BB_HBINS_SIZE, 4095);
    expect_error("multiple of 4096");
}
END_TEST

START_TEST(unsupported_version)
{
    build(5);
    wr32(img + BB_MINOR, 1);
    expect_error("1.1 is not supported");
}
END_TEST

START_TEST(log_file_type)
{
    build(5);
    wr32(img + BB_TYPE, 6);
    expect_error("transaction log");
}
END_TEST

START_TEST(bin_bad_offset)
{
    build(5);
    wr32(img + REGF_BASE_BLOCK + 4, 0x1000);
    expect_error("hive bin says it is at");
}
END_TEST

START_TEST(bin_bad_size)
{
    build(5);
    wr32(img + REGF_BASE_BLOCK + 8, 0x1234);
    expect_error("hive bin size");
}
END_TEST

START_TEST(cell_size_zero)
{
    build(5);
    wr32(img + REGF_BASE_BLOCK + REGF_BIN_HDR, 0);
    expect_error("cell size 0 is invalid");
}
END_TEST

START_TEST(cell_size_crosses_bin)
{
    build(5);
    wr32(img + REGF_BASE_BLOCK + REGF_BIN_HDR, (uint32_t)-(int32_t)0x10000);
    expect_error("is invalid");
}
END_TEST

START_TEST(root_out_of_range)
{
    build(5);
    wr32(img + BB_ROOT, 0x7FFFFFF0);
    expect_error("root cell");
}
END_TEST

START_TEST(root_not_cell_start)
{
    build(5);
    wr32(img + BB_ROOT, root + 8);
    expect_error("not the start of a cell");
}
END_TEST

START_TEST(name_length_too_long)
{
    build(5);
    wr16(cell(sub) + NK_NAMELEN, 0x7000);
    expect_error("does not fit its cell");
}
END_TEST

START_TEST(subkey_list_points_to_free_cell)
{
    build(5);
    /* free the list cell under the root's feet */
    uint32_t list = rd32(cell(root) + NK_SUBKEYS);
    int32_t sz = (int32_t)rd32(img + REGF_BASE_BLOCK + list);
    wr32(img + REGF_BASE_BLOCK + list, (uint32_t)-sz);
    expect_error("free, not allocated");
}
END_TEST

START_TEST(subkey_count_too_large)
{
    build(5);
    uint32_t list = rd32(cell(root) + NK_SUBKEYS);
    wr16(cell(list) + 2, 0xFFFF);
    expect_error("does not fit its cell");
}
END_TEST

START_TEST(subkey_count_mismatch)
{
    build(5);
    wr32(cell(root) + NK_NSUBKEYS, 3);
    expect_error("says it has 3 subkeys");
}
END_TEST

START_TEST(bad_list_signature)
{
    build(5);
    uint32_t list = rd32(cell(root) + NK_SUBKEYS);
    memcpy(cell(list), "zz", 2);
    expect_error("expected a subkey list");
}
END_TEST

START_TEST(ri_pointing_to_ri)
{
    build(5);
    uint32_t list = rd32(cell(root) + NK_SUBKEYS);
    /* turn the leaf into an ri pointing at itself */
    memcpy(cell(list), "ri", 2);
    wr16(cell(list) + 2, 1);
    wr32(cell(list) + 4, list);
    expect_error("index root points to another index root");
}
END_TEST

START_TEST(lh_in_13_hive)
{
    build(3);
    uint32_t list = rd32(cell(root) + NK_SUBKEYS);
    ck_assert(memcmp(cell(list), "lf", 2) == 0);
    memcpy(cell(list), "lh", 2);
    expect_error("not allowed in a version 1.3 hive");
}
END_TEST

START_TEST(wrong_parent)
{
    build(5);
    wr32(cell(sub) + NK_PARENT, sub);
    expect_error("parent field says");
}
END_TEST

START_TEST(self_cycle_through_root)
{
    build(5);
    /* make the root list itself: the parent check must stop it */
    uint32_t list = rd32(cell(root) + NK_SUBKEYS);
    wr32(cell(list) + 4, root);
    wr32(cell(root) + NK_PARENT, root);
    expect_error("parent field says");
}
END_TEST

START_TEST(value_list_too_long)
{
    build(5);
    wr32(cell(sub) + NK_NVALUES, 100000);
    expect_error("value list of 100000 entries");
}
END_TEST

START_TEST(value_not_vk)
{
    build(5);
    memcpy(cell(val_small), "xx", 2);
    expect_error("expected a 'vk' record");
}
END_TEST

START_TEST(inline_data_too_long)
{
    build(5);
    wr32(cell(val_small) + VK_DATASIZE, REGF_INLINE_BIT | 9);
    expect_error("inline data of 9 bytes");
}
END_TEST

START_TEST(data_larger_than_cell)
{
    build(3); /* 1.3: big values are single cells */
    wr32(cell(val_big) + VK_DATASIZE, 30000);
    expect_error("does not fit its cell");
}
END_TEST

START_TEST(big_data_not_db)
{
    build(5);
    uint32_t db = rd32(cell(val_big) + VK_DATA);
    memcpy(cell(db), "xx", 2);
    expect_error("must be a big data (db) record");
}
END_TEST

START_TEST(big_data_too_few_segments)
{
    build(5);
    uint32_t db = rd32(cell(val_big) + VK_DATA);
    wr16(cell(db) + 2, 1);
    expect_error("segments");
}
END_TEST

START_TEST(big_data_segment_out_of_range)
{
    build(5);
    uint32_t db = rd32(cell(val_big) + VK_DATA);
    uint32_t list = rd32(cell(db) + 4);
    wr32(cell(list), 0x7FFFFFF8);
    expect_error("not the start of a cell");
}
END_TEST

START_TEST(class_too_long)
{
    build(5);
    bf_hive *h;
    bf_error e;
    ck_assert_int_eq(bf_hive_open_mem("crafted", img, img_len, NULL, 0, 0, &h, &e), BF_OK);
    char *cls = (char *)"x";
    ck_assert_int_eq(bf_node_class(h, sub, &cls, &e), BF_OK);
    ck_assert_ptr_null(cls);
    bf_hive_close(h);
    /* a class name longer than the cell it points to */
    wr32(cell(sub) + NK_CLASS, root);
    wr16(cell(sub) + NK_CLASSLEN, 0xFFFF);
    ck_assert_int_eq(bf_hive_open_mem("crafted", img, img_len, NULL, 0, 0, &h, &e), BF_OK);
    ck_assert_int_eq(bf_node_class(h, sub, &cls, &e), BF_ERR_FORMAT);
    ck_assert(strstr(e.msg, "class name") != NULL);
    bf_hive_close(h);
}
END_TEST

START_TEST(lookup_case_insensitive_and_missing)
{
    build(5);
    bf_hive *h;
    bf_error e;
    ck_assert_int_eq(bf_hive_open_mem("crafted", img, img_len, NULL, 0, 0, &h, &e), BF_OK);
    bf_node n;
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "\\sUB", &n, &e), BF_OK);
    ck_assert_uint_eq(n, sub);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "", &n, &e), BF_OK);
    ck_assert_uint_eq(n, bf_hive_root(h));
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "Sub\\Missing", &n, &e), BF_ERR_NOT_FOUND);
    ck_assert_msg(strstr(e.msg, "Sub\\Missing") != NULL, "%s", e.msg);
    /* read-only: writes are refused */
    ck_assert_int_eq(bf_node_add(h, sub, "New", &n, &e), BF_ERR_READONLY);
    bf_hive_close(h);
}
END_TEST

START_TEST(unpaired_surrogate_names_round_trip)
{
    /* U+D800 alone, then 'x': written as WTF-8 at the API */
    static const char lone[] = "\xED\xA0\x80x", other[] = "\xED\xA0\x81x";
    bf_hive *h;
    bf_error e;
    ck_assert_int_eq(bf_hive_new(5, "ROOT", &h, &e), BF_OK);
    bf_node a, b, found;
    ck_assert_int_eq(bf_node_add(h, bf_hive_root(h), lone, &a, &e), BF_OK);
    ck_assert_int_eq(bf_node_add(h, bf_hive_root(h), other, &b, &e), BF_OK);
    ck_assert_uint_ne(a, b);
    const uint8_t *nk = bf_at(h, a) + 4;
    ck_assert_uint_eq(rd16(nk + NK_NAMELEN), 4);
    ck_assert_uint_eq(rd16(nk + NK_NAME), 0xD800);
    char *name;
    ck_assert_int_eq(bf_node_name(h, a, &name, &e), BF_OK);
    ck_assert_str_eq(name, lone);
    free(name);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), lone, &found, &e), BF_OK);
    ck_assert_uint_eq(found, a);
    /* an empty path component is refused, a leading or trailing '\' is not */
    int created = -1;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "P\\\\Q", &found, &created, &e), BF_ERR_INVALID);
    ck_assert(strstr(e.msg, "empty component") != NULL);
    ck_assert_int_eq(created, 0);
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "\\P\\Q\\", &found, &created, &e), BF_OK);
    ck_assert_int_eq(created, 2);
    /* a name over 255 characters deep in the path: nothing is created */
    char longpath[400] = "NewTop\\";
    memset(longpath + 7, 'x', 300);
    longpath[307] = 0;
    ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), longpath, &found, &created, &e), BF_ERR_LIMIT);
    ck_assert_int_eq(created, 0);
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "NewTop", &found, &e), BF_ERR_NOT_FOUND);
    bf_hive_close(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("crafted");
    TTest const *tests[] = {
        valid_image_reads, bad_signature, short_file, hbins_beyond_file, hbins_not_multiple,
        unsupported_version, log_file_type, bin_bad_offset, bin_bad_size, cell_size_zero,
        cell_size_crosses_bin, root_out_of_range, root_not_cell_start, name_length_too_long,
        subkey_list_points_to_free_cell, subkey_count_too_large, subkey_count_mismatch, bad_list_signature,
        ri_pointing_to_ri, lh_in_13_hive, wrong_parent, self_cycle_through_root, value_list_too_long,
        value_not_vk, inline_data_too_long, data_larger_than_cell, big_data_not_db,
        big_data_too_few_segments, big_data_segment_out_of_range, class_too_long,
        lookup_case_insensitive_and_missing, unpaired_surrogate_names_round_trip};
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    free(img);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
