/*
 * test_regdata — reg.exe spelling of types and data (bf_reg_type_parse,
 * bf_reg_data_parse, bf_reg_data_format).
 */
#include "common/runner.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bootfix/hive.h"

static void expect_bytes(uint32_t type, const char *text, const char *sep, const void *want,
                         size_t wlen)
{
    uint8_t *d = NULL;
    size_t len = 99;
    bf_error e = {0};
    int rc = bf_reg_data_parse(type, text, sep, &d, &len, &e);
    ck_assert_msg(rc == BF_OK, "parse type %u '%s': rc %d %s", type, text ? text : "(null)", rc,
                  e.msg);
    ck_assert_ptr_nonnull(d);
    ck_assert_msg(len == wlen, "type %u '%s': len %zu, want %zu", type, text ? text : "(null)",
                  len, wlen);
    ck_assert_msg(memcmp(d, want, wlen) == 0, "type %u '%s': bytes differ", type,
                  text ? text : "(null)");
    free(d);
}

static void expect_fail(uint32_t type, const char *text, const char *sep, const char *msgpart)
{
    uint8_t *d = (uint8_t *)1;
    size_t len = 0;
    bf_error e = {0};
    int rc = bf_reg_data_parse(type, text, sep, &d, &len, &e);
    ck_assert_msg(rc == BF_ERR_INVALID, "type %u '%s' should fail, rc %d", type, text, rc);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(e.msg, msgpart), "message '%s' lacks '%s'", e.msg, msgpart);
}

static void expect_format(uint32_t type, const void *data, size_t len, const char *want)
{
    char *s = bf_reg_data_format(type, data, len);
    ck_assert_ptr_nonnull(s);
    ck_assert_msg(strcmp(s, want) == 0, "format type %u: got '%s', want '%s'", type, s, want);
    free(s);
}

START_TEST(type_names)
{
    static const struct {
        const char *n;
        uint32_t t;
    } ok[] = {{"REG_SZ", 1},          {"reg_sz", 1},
              {"REG_EXPAND_SZ", 2},   {"REG_BINARY", 3},
              {"REG_DWORD", 4},       {"REG_DWORD_LITTLE_ENDIAN", 4},
              {"REG_DWORD_BIG_ENDIAN", 5}, {"REG_LINK", 6},
              {"REG_MULTI_SZ", 7},    {"Reg_Multi_Sz", 7},
              {"REG_FULL_RESOURCE_DESCRIPTOR", 9}, {"REG_QWORD", 11},
              {"REG_NONE", 0},        {"0x20", 0x20},
              {"4294967295", 0xFFFFFFFFu}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint32_t t = 12345;
        bf_error e = {0};
        ck_assert_int_eq(bf_reg_type_parse(ok[i].n, &t, &e), BF_OK);
        ck_assert_uint_eq(t, ok[i].t);
    }
    const char *bad[] = {"REG_", "SZ", "REG_SZX", "", "4294967296", "0xg"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t t;
        bf_error e = {0};
        ck_assert_int_eq(bf_reg_type_parse(bad[i], &t, &e), BF_ERR_INVALID);
        ck_assert_ptr_nonnull(strstr(e.msg, "unknown registry type"));
    }
}
END_TEST

START_TEST(strings)
{
    expect_bytes(BF_REG_SZ, "ab", NULL, "a\0b\0\0\0", 6);
    expect_bytes(BF_REG_SZ, "", NULL, "\0\0", 2);
    expect_bytes(BF_REG_SZ, NULL, NULL, "\0\0", 2);
    expect_bytes(BF_REG_EXPAND_SZ, "%P%", NULL, "%\0P\0%\0\0\0", 8);
    /* no escapes in /d: a backslash is a backslash */
    expect_bytes(BF_REG_SZ, "a\\0", NULL, "a\0\\\0" "0\0\0\0", 8);
    /* UTF-8 é (U+00E9) and U+1F600 (surrogate pair) */
    expect_bytes(BF_REG_SZ, "\xc3\xa9\xf0\x9f\x98\x80", NULL, "\xe9\0\x3d\xd8\x00\xde\0\0", 8);
    expect_fail(BF_REG_SZ, "\xc3", NULL, "UTF-8");
}
END_TEST

START_TEST(multi)
{
    expect_bytes(BF_REG_MULTI_SZ, "a\\0bc", NULL, "a\0\0\0b\0c\0\0\0\0\0", 12);
    /* trailing separator as in the reg add example "fax\0mail\0" */
    expect_bytes(BF_REG_MULTI_SZ, "a\\0bc\\0", NULL, "a\0\0\0b\0c\0\0\0\0\0", 12);
    expect_bytes(BF_REG_MULTI_SZ, "x", NULL, "x\0\0\0\0\0", 6);
    expect_bytes(BF_REG_MULTI_SZ, "", NULL, "\0\0", 2);
    expect_bytes(BF_REG_MULTI_SZ, NULL, NULL, "\0\0", 2);
    /* custom separator */
    expect_bytes(BF_REG_MULTI_SZ, "a#b#c", "#", "a\0\0\0b\0\0\0c\0\0\0\0\0", 14);
    expect_bytes(BF_REG_MULTI_SZ, "a\\0b", "#", "a\0\\\0" "0\0b\0\0\0\0\0", 12);
    expect_fail(BF_REG_MULTI_SZ, "a\\0\\0b", NULL, "empty string");
    expect_fail(BF_REG_MULTI_SZ, "a##b", "#", "empty string");
    expect_fail(BF_REG_MULTI_SZ, "a", "", "separator");
}
END_TEST

START_TEST(numbers)
{
    expect_bytes(BF_REG_DWORD, "2", NULL, "\2\0\0\0", 4);
    expect_bytes(BF_REG_DWORD, "0x10", NULL, "\x10\0\0\0", 4);
    expect_bytes(BF_REG_DWORD, "0XffFFffFF", NULL, "\xff\xff\xff\xff", 4);
    expect_bytes(BF_REG_DWORD, "4294967295", NULL, "\xff\xff\xff\xff", 4);
    expect_bytes(BF_REG_DWORD, NULL, NULL, "\0\0\0\0", 4);
    expect_bytes(BF_REG_DWORD_BIG_ENDIAN, "0x01020304", NULL, "\1\2\3\4", 4);
    expect_bytes(BF_REG_QWORD, "0x0102030405060708", NULL, "\x8\x7\x6\x5\x4\x3\x2\x1", 8);
    expect_bytes(BF_REG_QWORD, "18446744073709551615", NULL, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    expect_bytes(BF_REG_QWORD, NULL, NULL, "\0\0\0\0\0\0\0\0", 8);
    expect_fail(BF_REG_DWORD, "4294967296", NULL, "out of range");
    expect_fail(BF_REG_DWORD, "0x100000000", NULL, "out of range");
    expect_fail(BF_REG_DWORD_BIG_ENDIAN, "0x100000000", NULL, "out of range");
    expect_fail(BF_REG_QWORD, "18446744073709551616", NULL, "out of range");
    expect_fail(BF_REG_QWORD, "0x10000000000000000", NULL, "out of range");
    expect_fail(BF_REG_DWORD, "-1", NULL, "not a number");
    expect_fail(BF_REG_DWORD, "12a", NULL, "not a number");
    expect_fail(BF_REG_DWORD, "0x", NULL, "not a number");
    expect_fail(BF_REG_DWORD, " 1", NULL, "not a number");
}
END_TEST

START_TEST(binary)
{
    expect_bytes(BF_REG_BINARY, "fe340EAD", NULL, "\xfe\x34\x0e\xad", 4);
    expect_bytes(BF_REG_BINARY, "", NULL, "", 0);
    expect_bytes(BF_REG_BINARY, NULL, NULL, "", 0);
    expect_bytes(BF_REG_NONE, "00ff", NULL, "\0\xff", 2);
    expect_bytes(0x1234, "ab", NULL, "\xab", 1);
    expect_bytes(BF_REG_LINK, "41", NULL, "A", 1);
    expect_fail(BF_REG_BINARY, "abc", NULL, "odd number");
    expect_fail(BF_REG_BINARY, "zz", NULL, "not a hex digit");
    expect_fail(BF_REG_NONE, "0g", NULL, "not a hex digit");
}
END_TEST

START_TEST(format)
{
    expect_format(BF_REG_SZ, "a\0b\0\0\0", 6, "ab");
    expect_format(BF_REG_SZ, "a\0b\0", 4, "ab");          /* no terminator */
    expect_format(BF_REG_SZ, "a\0\0\0b\0\0\0", 8, "a");   /* stops at the first NUL */
    expect_format(BF_REG_SZ, "a\0b", 3, "a");             /* odd byte ignored */
    expect_format(BF_REG_SZ, "", 0, "");
    expect_format(BF_REG_EXPAND_SZ, "\xe9\0\0\0", 4, "\xc3\xa9");
    expect_format(BF_REG_MULTI_SZ, "a\0\0\0b\0c\0\0\0\0\0", 12, "a\\0bc");
    expect_format(BF_REG_MULTI_SZ, "\0\0", 2, "");
    expect_format(BF_REG_DWORD, "\xef\xbe\xad\xde", 4, "0xdeadbeef");
    expect_format(BF_REG_DWORD, "\0\0\0\0", 4, "0x0");
    expect_format(BF_REG_DWORD, "\1\2", 2, "0102"); /* wrong size: bytes */
    expect_format(BF_REG_DWORD_BIG_ENDIAN, "\1\2\3\4", 4, "0x1020304");
    expect_format(BF_REG_QWORD, "\x8\x7\x6\x5\x4\x3\x2\x1", 8, "0x102030405060708");
    expect_format(BF_REG_BINARY, "\xfe\x34\x0e\xad", 4, "FE340EAD");
    expect_format(BF_REG_BINARY, "", 0, "");
    expect_format(BF_REG_NONE, "\xab", 1, "AB");
    expect_format(0x99, "\x01", 1, "01");
}
END_TEST

START_TEST(parse_format_roundtrip)
{
    static const struct {
        uint32_t t;
        const char *text;
    } c[] = {{BF_REG_SZ, "hello w\xc3\xb6rld"}, {BF_REG_MULTI_SZ, "one\\0two\\0three"},
             {BF_REG_DWORD, "0x7fffffff"},        {BF_REG_QWORD, "0xffffffffffffffff"},
             {BF_REG_BINARY, "00112233AABBCCDD"},   {BF_REG_DWORD_BIG_ENDIAN, "0x12345678"}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint8_t *d;
        size_t len;
        bf_error e = {0};
        ck_assert_int_eq(bf_reg_data_parse(c[i].t, c[i].text, NULL, &d, &len, &e), BF_OK);
        char *s = bf_reg_data_format(c[i].t, d, len);
        ck_assert_str_eq(s, c[i].text);
        free(s);
        free(d);
    }
}
END_TEST


/* bf_node_get_strings: SZ cut at the first NUL, MULTI_SZ items without the
 * empty ones, other types refused, absent values NOT_FOUND. */
START_TEST(value_strings)
{
    static const uint8_t sz[] = {'a', 0, 'b', 0, 0, 0, 'x', 0, 0, 0};
    static const uint8_t multi[] = {'C', 0, 0, 0, 0, 0, 'D', 0, ':', 0, 0, 0, 0, 0};
    static const uint8_t dword[] = {1, 0, 0, 0};
    bf_hive *h;
    bf_error err;
    char **lines;
    size_t n;
    uint32_t type;
    bf_node root;

    ck_assert_int_eq(bf_hive_new(5, "ROOT", &h, &err), BF_OK);
    root = bf_hive_root(h);
    ck_assert_int_eq(bf_node_set_value(h, root, "sz", BF_REG_SZ, sz, sizeof sz, &err), BF_OK);
    ck_assert_int_eq(bf_node_set_value(h, root, "empty", BF_REG_EXPAND_SZ, sz, 0, &err), BF_OK);
    ck_assert_int_eq(bf_node_set_value(h, root, "m", BF_REG_MULTI_SZ, multi, sizeof multi, &err),
                     BF_OK);
    ck_assert_int_eq(bf_node_set_value(h, root, "d", BF_REG_DWORD, dword, 4, &err), BF_OK);

    ck_assert_int_eq(bf_node_get_strings(h, root, "sz", &type, &lines, &n, &err), BF_OK);
    ck_assert_uint_eq(type, BF_REG_SZ);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(lines[0], "ab");
    bf_strings_free(lines, n);
    ck_assert_int_eq(bf_node_get_strings(h, root, "empty", NULL, &lines, &n, &err), BF_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(lines[0], "");
    bf_strings_free(lines, n);
    ck_assert_int_eq(bf_node_get_strings(h, root, "M", &type, &lines, &n, &err), BF_OK);
    ck_assert_uint_eq(type, BF_REG_MULTI_SZ);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(lines[0], "C");
    ck_assert_str_eq(lines[1], "D:");
    bf_strings_free(lines, n);
    ck_assert_int_eq(bf_node_get_strings(h, root, "d", NULL, &lines, &n, &err), BF_ERR_INVALID);
    ck_assert_ptr_null(lines);
    ck_assert_int_eq(bf_node_get_strings(h, root, "nope", NULL, &lines, &n, &err),
                     BF_ERR_NOT_FOUND);
    bf_hive_close(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("regdata");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, type_names);
    tcase_add_test(tc, strings);
    tcase_add_test(tc, multi);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, binary);
    tcase_add_test(tc, format);
    tcase_add_test(tc, parse_format_roundtrip);
    tcase_add_test(tc, value_strings);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
