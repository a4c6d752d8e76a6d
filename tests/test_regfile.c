/*
 * test_regfile — .reg export and import (bf_regfile_export, bf_regfile_import).
 *
 * Golden texts for regedit's exact layout (escaping, dword:, hex(N):, the
 * 80-column wrapping of hex data), lossless export -> import round trips
 * (edge-case hive and the corpus SYSTEM hive), both encodings and
 * REGEDIT4 on import, and errors that name the line and leave the hive
 * byte-for-byte unchanged.
 */
#include "common/runner.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bootfix/hive.h"
#include "common/corpus.h"
#include "common/oracle.h"

#define PFX "HKEY_LOCAL_MACHINE\\TEST"

/* ---- helpers -------------------------------------------------------------------- */

static bf_hive *new_hive(void)
{
    bf_hive *h = NULL;
    bf_error e = {0};
    int rc = bf_hive_new(5, "ROOT", &h, &e);
    ck_assert_msg(rc == BF_OK, "bf_hive_new: %s", e.msg);
    return h;
}

static bf_node mkkey(bf_hive *h, const char *path)
{
    bf_node n;
    bf_error e = {0};
    int created;
    int rc = bf_node_create_path(h, bf_hive_root(h), path, &n, &created, &e);
    ck_assert_msg(rc == BF_OK, "create %s: %s", path, e.msg);
    return n;
}

static void setv(bf_hive *h, bf_node n, const char *name, uint32_t type, const void *d, size_t len)
{
    bf_error e = {0};
    int rc = bf_node_set_value(h, n, name, type, d, len, &e);
    ck_assert_msg(rc == BF_OK, "set %s: %s", name, e.msg);
}

/* Canonical walk of a hive through the public API (classes not included:
 * .reg cannot hold them). */
static oracle_walk *api_walk(bf_hive *h, const char *label)
{
    oracle_walk *w = oracle_walk_new("api", label);
    ck_assert_ptr_nonnull(w);
    struct it {
        bf_node n;
        char *path;
    } *st = malloc(sizeof *st * 16);
    size_t sn = 0, sc = 16;
    bf_error e = {0};
    st[sn++] = (struct it){bf_hive_root(h), strdup("")};
    while (sn) {
        struct it cur = st[--sn];
        bf_node *kids = NULL;
        bf_value *vals = NULL;
        size_t nk = 0, nv = 0;
        ck_assert_int_eq(bf_node_children(h, cur.n, &kids, &nk, &e), BF_OK);
        ck_assert_int_eq(bf_node_values(h, cur.n, &vals, &nv, &e), BF_OK);
        ck_assert_int_eq(oracle_add_key(w, cur.path, NULL, (uint32_t)nk, (uint32_t)nv), 0);
        for (size_t i = 0; i < nv; i++) {
            char *name;
            uint8_t *d;
            size_t len;
            uint32_t type;
            ck_assert_int_eq(bf_value_name(h, vals[i], &name, &e), BF_OK);
            ck_assert_int_eq(bf_value_data(h, vals[i], &type, &d, &len, &e), BF_OK);
            ck_assert_int_eq(oracle_add_value(w, cur.path, name, type, d, len), 0);
            free(name);
            free(d);
        }
        if (sn + nk > sc) {
            while (sn + nk > sc)
                sc *= 2;
            st = realloc(st, sizeof *st * sc);
            ck_assert_ptr_nonnull(st);
        }
        for (size_t i = 0; i < nk; i++) {
            char *name;
            ck_assert_int_eq(bf_node_name(h, kids[i], &name, &e), BF_OK);
            st[sn++] = (struct it){kids[i], oracle_join(cur.path, name)};
            free(name);
        }
        free(kids);
        free(vals);
        free(cur.path);
    }
    free(st);
    oracle_walk_sort(w);
    return w;
}

static void assert_same_content(bf_hive *a, bf_hive *b)
{
    oracle_walk *wa = api_walk(a, "original"), *wb = api_walk(b, "imported");
    char diff[2048];
    int d = oracle_compare(wa, wb, ORACLE_CMP_DATA, diff, sizeof diff);
    ck_assert_msg(d == 0, "content differs: %s", diff);
    ck_assert_uint_eq(wa->n, wb->n);
    oracle_walk_free(wa);
    oracle_walk_free(wb);
}

static char *export_utf8(bf_hive *h, bf_node start, const char *prefix)
{
    uint8_t *out = NULL;
    size_t len = 0;
    bf_error e = {0};
    int rc = bf_regfile_export(h, start, prefix, BF_REGFILE_UTF8, &out, &len, &e);
    ck_assert_msg(rc == BF_OK, "export: %s", e.msg);
    char *s = malloc(len + 1);
    memcpy(s, out, len);
    s[len] = 0;
    ck_assert_uint_eq(strlen(s), len);
    free(out);
    return s;
}

static int import_text(bf_hive *h, const char *prefix, const void *text, size_t len,
                       bf_regfile_stats *st, bf_error *e)
{
    memset(e, 0, sizeof *e);
    return bf_regfile_import(h, prefix, text, len, "t.reg", st, e);
}

static void get_value(bf_hive *h, const char *key, const char *name, uint32_t *type,
                      uint8_t **d, size_t *len)
{
    bf_node n;
    bf_value v;
    bf_error e = {0};
    ck_assert_msg(bf_node_lookup(h, bf_hive_root(h), key, &n, &e) == BF_OK, "lookup %s: %s", key,
                  e.msg);
    ck_assert_msg(bf_node_get_value(h, n, name, &v, &e) == BF_OK, "value %s: %s", name, e.msg);
    ck_assert_int_eq(bf_value_data(h, v, type, d, len, &e), BF_OK);
}

static void expect_value(bf_hive *h, const char *key, const char *name, uint32_t wtype,
                         const void *want, size_t wlen)
{
    uint32_t type;
    uint8_t *d;
    size_t len;
    get_value(h, key, name, &type, &d, &len);
    ck_assert_msg(type == wtype, "%s\\%s: type %u want %u", key, name, type, wtype);
    ck_assert_msg(len == wlen && memcmp(d, want, wlen) == 0, "%s\\%s: data differs (len %zu/%zu)",
                  key, name, len, wlen);
    free(d);
}

static int key_exists(bf_hive *h, const char *path)
{
    bf_node n;
    bf_error e = {0};
    return bf_node_lookup(h, bf_hive_root(h), path, &n, &e) == BF_OK;
}

/* The image bf_hive_serialize gives, without the fields it sets afresh on
 * every call (write timestamp in the base block and first bin, checksum). */
static void serialize(bf_hive *h, uint8_t **buf, size_t *len)
{
    bf_error e = {0};
    ck_assert_msg(bf_hive_serialize(h, buf, len, &e) == BF_OK, "serialize: %s", e.msg);
    ck_assert_uint_ge(*len, 4096 + 32);
    memset(*buf + 12, 0, 8);
    memset(*buf + 508, 0, 4);
    memset(*buf + 4096 + 20, 0, 8);
}

/* UTF-8 (ASCII or BMP) text to UTF-16LE with BOM. */
static uint8_t *to_utf16(const char *s, size_t *len)
{
    size_t n = strlen(s);
    uint8_t *o = malloc(2 * n + 2);
    size_t k = 0;
    o[k++] = 0xFF;
    o[k++] = 0xFE;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        if (c < 0x80) {
            cp = c;
            i++;
        } else if ((c & 0xE0) == 0xC0) {
            cp = (uint32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3F);
            i += 2;
        } else {
            cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
            i += 3;
        }
        o[k++] = (uint8_t)cp;
        o[k++] = (uint8_t)(cp >> 8);
    }
    *len = k;
    return o;
}

/* ---- golden export texts --------------------------------------------------------------- */

START_TEST(golden_export)
{
    bf_hive *h = new_hive();
    bf_node root = bf_hive_root(h);
    setv(h, root, "", BF_REG_SZ, "r\0o\0o\0t\0\0\0", 10);
    bf_node sw = mkkey(h, "Software");
    setv(h, sw, "Str", BF_REG_SZ, "a\0\"\0b\0\\\0c\0\0\0", 12);
    setv(h, sw, "Dw", BF_REG_DWORD, "\x78\x56\x34\x12", 4);
    setv(h, sw, "Bin", BF_REG_BINARY, "\x01\x02\xff", 3);
    setv(h, sw, "Q", BF_REG_QWORD, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
    setv(h, sw, "Multi", BF_REG_MULTI_SZ, "a\0\0\0b\0\0\0\0\0", 10);
    setv(h, sw, "None", BF_REG_NONE, "", 0);
    setv(h, sw, "Odd", BF_REG_SZ, "A\0B", 3);
    setv(h, sw, "Empty", BF_REG_SZ, "\0\0", 2);
    setv(h, sw, "NoNul", BF_REG_SZ, "", 0);
    setv(h, sw, "Wrong", BF_REG_DWORD, "\x01\x02", 2);
    setv(h, sw, "Big", 0xFFFF0012u, "\xaa", 1);
    setv(h, sw, "q\"uote\\", BF_REG_SZ, "x\0\0\0", 4);
    setv(h, sw, "Embedded", BF_REG_SZ, "a\0\0\0b\0\0\0", 8);
    setv(h, sw, "Lines", BF_REG_SZ, "a\0\r\0\n\0\0\0", 8);
    setv(h, sw, "Exp", BF_REG_EXPAND_SZ, "%\0\0\0", 4);
    mkkey(h, "Software\\zeta");
    mkkey(h, "Software\\Alpha");
    mkkey(h, "Other");

    const char *want =
        "Windows Registry Editor Version 5.00\r\n"
        "\r\n"
        "[" PFX "]\r\n"
        "@=\"root\"\r\n"
        "\r\n"
        "[" PFX "\\Other]\r\n"
        "\r\n"
        "[" PFX "\\Software]\r\n"
        "\"Str\"=\"a\\\"b\\\\c\"\r\n"
        "\"Dw\"=dword:12345678\r\n"
        "\"Bin\"=hex:01,02,ff\r\n"
        "\"Q\"=hex(b):08,07,06,05,04,03,02,01\r\n"
        "\"Multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
        "\"None\"=hex(0):\r\n"
        "\"Odd\"=hex(1):41,00,42\r\n"
        "\"Empty\"=\"\"\r\n"
        "\"NoNul\"=hex(1):\r\n"
        "\"Wrong\"=hex(4):01,02\r\n"
        "\"Big\"=hex(ffff0012):aa\r\n"
        "\"q\\\"uote\\\\\"=\"x\"\r\n"
        "\"Embedded\"=hex(1):61,00,00,00,62,00,00,00\r\n"
        "\"Lines\"=hex(1):61,00,0d,00,0a,00,00,00\r\n"
        "\"Exp\"=hex(2):25,00,00,00\r\n"
        "\r\n"
        "[" PFX "\\Software\\Alpha]\r\n"
        "\r\n"
        "[" PFX "\\Software\\zeta]\r\n"
        "\r\n";
    char *got = export_utf8(h, root, PFX);
    ck_assert_str_eq(got, want);
    free(got);

    /* UTF-16: BOM + the same text */
    uint8_t *out;
    size_t len, wlen;
    bf_error e = {0};
    ck_assert_int_eq(bf_regfile_export(h, root, PFX, BF_REGFILE_UTF16, &out, &len, &e), BF_OK);
    uint8_t *w16 = to_utf16(want, &wlen);
    ck_assert_uint_eq(len, wlen);
    ck_assert_int_eq(memcmp(out, w16, len), 0);
    free(out);
    free(w16);

    /* a subtree: its own path is included */
    got = export_utf8(h, sw, "HKEY_LOCAL_MACHINE\\X\\");
    ck_assert_ptr_nonnull(strstr(got, "\r\n\r\n[HKEY_LOCAL_MACHINE\\X\\Software]\r\n\"Str\""));
    ck_assert_ptr_null(strstr(got, "Other"));
    ck_assert_ptr_nonnull(strstr(got, "[HKEY_LOCAL_MACHINE\\X\\Software\\zeta]\r\n\r\n"));
    free(got);
    bf_hive_close(h);
}
END_TEST

START_TEST(golden_wrapping)
{
    /* Bytes and layout of a real regedit export of DigitalProductId. */
    static const uint8_t dpi[] = {
        0xa4, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x30, 0x30, 0x33, 0x37, 0x31, 0x2d,
        0x4f, 0x45, 0x4d, 0x2d, 0x38, 0x39, 0x39, 0x32, 0x36, 0x37, 0x31, 0x2d, 0x30, 0x30,
        0x34, 0x33, 0x37, 0x00, 0xb2, 0x00, 0x00, 0x00, 0x58, 0x31, 0x35, 0x2d, 0x33, 0x37,
        0x33, 0x37, 0x37};
    bf_hive *h = new_hive();
    bf_node k = mkkey(h, "K");
    setv(h, k, "DigitalProductId", BF_REG_BINARY, dpi, sizeof dpi);
    uint8_t z[200];
    for (size_t i = 0; i < sizeof z; i++)
        z[i] = (uint8_t)i;
    setv(h, k, "", BF_REG_NONE, z, 49);
    char longname[100];
    memset(longname, 'n', 80);
    longname[80] = 0;
    setv(h, k, longname, BF_REG_MULTI_SZ, z, 4);
    char *got = export_utf8(h, k, "HKLM");
    const char *want_dpi =
        "\"DigitalProductId\"=hex:a4,00,00,00,03,00,00,00,30,30,33,37,31,2d,4f,45,4d,2d,\\\r\n"
        "  38,39,39,32,36,37,31,2d,30,30,34,33,37,00,b2,00,00,00,58,31,35,2d,33,37,33,\\\r\n"
        "  37,37\r\n";
    ck_assert_msg(strstr(got, want_dpi), "DigitalProductId layout differs:\n%s", got);
    /* "@=hex(0):" is 9 columns: 23 bytes reach column 78 */
    const char *want_def =
        "@=hex(0):00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,\\\r\n"
        "  17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28,29,2a,2b,2c,2d,2e,2f,\\\r\n"
        "  30\r\n";
    ck_assert_msg(strstr(got, want_def), "default value layout differs:\n%s", got);
    /* a name longer than the line: one byte per line until done */
    char want_long[300];
    snprintf(want_long, sizeof want_long, "\"%s\"=hex(7):00,\\\r\n  01,02,03\r\n", longname);
    ck_assert_msg(strstr(got, want_long), "long-name layout differs:\n%s", got);
    /* no line is longer than 80 characters except that long name's */
    for (char *l = got; *l;) {
        char *e = strstr(l, "\r\n");
        ck_assert_ptr_nonnull(e);
        if (strncmp(l, "\"nnnn", 5) != 0)
            ck_assert_msg(e - l <= 80, "line longer than 80: %.*s", (int)(e - l), l);
        l = e + 2;
    }
    free(got);
    bf_hive_close(h);
}
END_TEST

/* ---- round trips --------------------------------------------------------------- */

static bf_hive *edge_hive(void)
{
    bf_hive *h = new_hive();
    bf_node root = bf_hive_root(h);
    setv(h, root, "", BF_REG_DWORD, "\1\0\0\0", 4);
    bf_node a = mkkey(h, "A");
    setv(h, a, "odd", BF_REG_SZ, "abc", 3);
    setv(h, a, "odd1", BF_REG_SZ, "a", 1);
    setv(h, a, "empty_sz", BF_REG_SZ, "", 0);
    setv(h, a, "empty_bin", BF_REG_BINARY, "", 0);
    setv(h, a, "empty_dw", BF_REG_DWORD, "", 0);
    setv(h, a, "empty_multi", BF_REG_MULTI_SZ, "", 0);
    setv(h, a, "none", BF_REG_NONE, "\x01\x02", 2);
    setv(h, a, "unknown", 0x12345678u, "\xde\xad", 2);
    setv(h, a, "qword", BF_REG_QWORD, "\1\2\3\4\5\6\7\x8", 8);
    setv(h, a, "qword_short", BF_REG_QWORD, "\1", 1);
    setv(h, a, "dw_long", BF_REG_DWORD, "\1\2\3\4\5", 5);
    setv(h, a, "be", BF_REG_DWORD_BIG_ENDIAN, "\1\2\3\4", 4);
    setv(h, a, "link", BF_REG_LINK, "\\\0R\0", 4);
    setv(h, a, "embedded_nul", BF_REG_SZ, "a\0\0\0b\0\0\0", 8);
    setv(h, a, "two_nuls", BF_REG_SZ, "a\0\0\0\0\0", 6);
    setv(h, a, "lone_surrogate", BF_REG_SZ, "\x00\xd8" "a\0\0\0", 6);
    setv(h, a, "crlf", BF_REG_SZ, "a\0\r\0\n\0b\0\0\0", 10);
    setv(h, a, "tab", BF_REG_SZ, "\t\0;\0\0\0", 6);
    setv(h, a, "quotes\"and\\back\\\\slashes", BF_REG_SZ, "\"\0\\\0\"\0\0\0", 8);
    setv(h, a, "@", BF_REG_SZ, "at\0", 3);
    setv(h, a, ";not a comment", BF_REG_SZ, "x\0\0\0", 4);
    setv(h, a, " spaced = name ", BF_REG_SZ, " \0=\0 \0\0\0", 8);
    setv(h, a, "na\xc3\xafve \xe2\x9c\x93 \xf0\x9f\x98\x80", BF_REG_SZ,
         "\xe9\0\x13\x27\x3d\xd8\x00\xde\0\0", 10);
    setv(h, a, "ends with backslash", BF_REG_SZ, "C\0:\0\\\0\0\0", 8);
    setv(h, a, "expand", BF_REG_EXPAND_SZ, "%\0S\0%\0\0\0", 8);
    setv(h, a, "multi", BF_REG_MULTI_SZ, "a\0\0\0b\0\0\0\0\0", 10);
    static uint8_t big[40000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    setv(h, a, "big", BF_REG_BINARY, big, sizeof big);
    setv(h, a, "big_sz_odd", BF_REG_SZ, big, 20001);
    mkkey(h, "A\\B\\C\\D");
    bf_node u = mkkey(h, "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
    setv(h, u, "k", BF_REG_SZ, "\x65\x66\0\0", 4);
    mkkey(h, "brackets [x] and ]");
    mkkey(h, "-dash");
    mkkey(h, " space ");
    mkkey(h, "semi;colon");
    mkkey(h, "quote\"key");
    char longk[256];
    memset(longk, 'k', 255);
    longk[255] = 0;
    mkkey(h, longk);
    return h;
}

static void roundtrip(int enc, const char *import_prefix)
{
    bf_hive *h = edge_hive();
    uint8_t *out;
    size_t len;
    bf_error e = {0};
    ck_assert_int_eq(bf_regfile_export(h, bf_hive_root(h), PFX, enc, &out, &len, &e), BF_OK);
    bf_hive *g = new_hive();
    bf_regfile_stats st;
    int rc = import_text(g, import_prefix, out, len, &st, &e);
    ck_assert_msg(rc == BF_OK, "import: %s", e.msg);
    assert_same_content(h, g);
    ck_assert_uint_eq(st.keys_deleted, 0);
    ck_assert_uint_eq(st.values_deleted, 0);
    ck_assert_uint_eq(st.keys_created, 11); /* A, A\B, A\B\C, A\B\C\D + 7 others */
    ck_assert_uint_eq(st.values_set, 30);

    /* re-export of the imported hive gives the same bytes */
    uint8_t *out2;
    size_t len2;
    ck_assert_int_eq(bf_regfile_export(g, bf_hive_root(g), PFX, enc, &out2, &len2, &e), BF_OK);
    ck_assert_uint_eq(len, len2);
    ck_assert_int_eq(memcmp(out, out2, len), 0);

    /* importing again changes nothing */
    ck_assert_int_eq(import_text(g, import_prefix, out, len, &st, &e), BF_OK);
    ck_assert_uint_eq(st.keys_created, 0);
    assert_same_content(h, g);
    free(out);
    free(out2);
    bf_hive_close(h);
    bf_hive_close(g);
}

START_TEST(roundtrip_utf16) { roundtrip(BF_REGFILE_UTF16, PFX); }
END_TEST
START_TEST(roundtrip_utf8) { roundtrip(BF_REGFILE_UTF8, "hkey_local_machine\\test\\"); }
END_TEST
START_TEST(roundtrip_auto_prefix) { roundtrip(BF_REGFILE_UTF16, NULL); }
END_TEST

START_TEST(export_refuses_crlf_names)
{
    bf_hive *h = new_hive();
    setv(h, bf_hive_root(h), "a\nb", BF_REG_SZ, "\0\0", 2);
    uint8_t *out = NULL;
    size_t len;
    bf_error e = {0};
    ck_assert_int_eq(bf_regfile_export(h, bf_hive_root(h), PFX, BF_REGFILE_UTF8, &out, &len, &e),
                     BF_ERR_UNSUPPORTED);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(e.msg, "line break"));
    ck_assert_int_eq(bf_regfile_export(h, bf_hive_root(h), NULL, BF_REGFILE_UTF8, &out, &len, &e),
                     BF_ERR_INVALID);
    bf_hive_close(h);
}
END_TEST

/* ---- import ---------------------------------------------------------------------------- */

static const char *doc5 =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "; a comment\r\n"
    "[HKEY_LOCAL_MACHINE\\TEST\\K]\r\n"
    "@=\"def\"\r\n"
    "\"s\"=\"caf\xc3\xa9 \\\"q\\\" C:\\\\\"\r\n"
    "  \"dw\" = dword:0000ABCD ; trailing comment\r\n"
    "\"h\"=hex:01,02,\\\r\n"
    "  03,\\\r\n"
    "  04\r\n"
    "\"e\"=hex(2):25,00,00,00\r\n"
    "\"t\"=HEX(FFFF0012):aa,B,c\r\n"
    "\"gone\"=\"x\"\r\n"
    "\"gone\"=-\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\TEST\\K\\Sub\\Deeper]\r\n"
    "[HKEY_LOCAL_MACHINE\\TEST\\Del]\r\n"
    "\"v\"=dword:1\r\n"
    "[-HKEY_LOCAL_MACHINE\\TEST\\Del]\r\n"
    "[-HKEY_LOCAL_MACHINE\\TEST\\NotThere]\r\n"
    "[HKEY_LOCAL_MACHINE\\TEST]\r\n"
    "@=-\r\n"
    "\"x\"=-\r\n";

static void check_doc5(bf_hive *h, const bf_regfile_stats *st)
{
    expect_value(h, "K", "", BF_REG_SZ, "d\0e\0f\0\0\0", 8);
    expect_value(h, "K", "s", BF_REG_SZ, "c\0a\0f\0\xe9\0 \0\"\0q\0\"\0 \0C\0:\0\\\0\0\0", 26);
    expect_value(h, "K", "dw", BF_REG_DWORD, "\xcd\xab\0\0", 4);
    expect_value(h, "K", "h", BF_REG_BINARY, "\1\2\3\4", 4);
    expect_value(h, "K", "e", BF_REG_EXPAND_SZ, "%\0\0\0", 4);
    expect_value(h, "K", "t", 0xFFFF0012u, "\xaa\x0b\x0c", 3);
    ck_assert(key_exists(h, "K\\Sub\\Deeper"));
    ck_assert(!key_exists(h, "Del"));
    bf_node k;
    bf_value v;
    bf_error e = {0};
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "K", &k, &e), BF_OK);
    ck_assert_int_eq(bf_node_get_value(h, k, "gone", &v, &e), BF_ERR_NOT_FOUND);
    ck_assert_int_eq(bf_node_get_value(h, bf_hive_root(h), "", &v, &e), BF_ERR_NOT_FOUND);
    ck_assert_uint_eq(st->keys_created, 4); /* K, Sub, Deeper, Del */
    ck_assert_uint_eq(st->keys_deleted, 1);
    ck_assert_uint_eq(st->values_set, 8);
    ck_assert_uint_eq(st->values_deleted, 2); /* gone, root default */
}

START_TEST(import_utf8_and_utf16)
{
    for (int variant = 0; variant < 4; variant++) {
        bf_hive *h = new_hive();
        setv(h, bf_hive_root(h), "", BF_REG_SZ, "\0\0", 2);
        bf_regfile_stats st;
        bf_error e = {0};
        size_t len = strlen(doc5);
        uint8_t *buf = NULL;
        const void *text = doc5;
        if (variant == 1) { /* UTF-8 with BOM */
            buf = malloc(len + 3);
            memcpy(buf, "\xef\xbb\xbf", 3);
            memcpy(buf + 3, doc5, len);
            text = buf;
            len += 3;
        } else if (variant == 2) { /* UTF-16LE with BOM */
            buf = to_utf16(doc5, &len);
            text = buf;
        } else if (variant == 3) { /* LF line ends */
            buf = malloc(len + 1);
            size_t k = 0;
            for (size_t i = 0; i < len; i++)
                if (doc5[i] != '\r')
                    buf[k++] = (uint8_t)doc5[i];
            text = buf;
            len = k;
        }
        int rc = import_text(h, PFX, text, len, &st, &e);
        ck_assert_msg(rc == BF_OK, "variant %d: %s", variant, e.msg);
        check_doc5(h, &st);
        free(buf);
        bf_hive_close(h);
    }
}
END_TEST

START_TEST(import_regedit4)
{
    /* ANSI (Windows-1252): e9 = é, 80 = €; hex(2)/hex(7) bytes are ANSI too */
    const char *doc = "REGEDIT4\r\n\r\n"
                      "[HKEY_LOCAL_MACHINE\\TEST\\K]\r\n"
                      "\"s\"=\"caf\xe9 \x80\"\r\n"
                      "\"caf\xe9\"=dword:00000001\r\n"
                      "\"e\"=hex(2):25,50,41,54,48,25,00\r\n"
                      "\"m\"=hex(7):61,00,e9,80,00,00\r\n"
                      "\"b\"=hex:e9,80\r\n"
                      "\"one\"=hex(1):e9\r\n";
    bf_hive *h = new_hive();
    bf_regfile_stats st;
    bf_error e = {0};
    int rc = import_text(h, PFX, doc, strlen(doc), &st, &e);
    ck_assert_msg(rc == BF_OK, "%s", e.msg);
    expect_value(h, "K", "s", BF_REG_SZ, "c\0a\0f\0\xe9\0 \0\xac\x20\0\0", 14);
    expect_value(h, "K", "caf\xc3\xa9", BF_REG_DWORD, "\1\0\0\0", 4);
    expect_value(h, "K", "e", BF_REG_EXPAND_SZ, "%\0P\0A\0T\0H\0%\0\0\0", 14);
    expect_value(h, "K", "m", BF_REG_MULTI_SZ, "a\0\0\0\xe9\0\xac\x20\0\0\0\0", 12);
    expect_value(h, "K", "b", BF_REG_BINARY, "\xe9\x80", 2);
    expect_value(h, "K", "one", BF_REG_SZ, "\xe9", 1);
    ck_assert_uint_eq(st.values_set, 6);
    bf_hive_close(h);

    /* the same REGEDIT4 text as UTF-16 */
    const char *doc16 = "REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\TEST\\K]\r\n\"m\"=hex(7):61,00,00\r\n";
    size_t len;
    uint8_t *u = to_utf16(doc16, &len);
    h = new_hive();
    ck_assert_int_eq(import_text(h, PFX, u, len, &st, &e), BF_OK);
    expect_value(h, "K", "m", BF_REG_MULTI_SZ, "a\0\0\0\0\0", 6);
    free(u);
    bf_hive_close(h);
}
END_TEST

static const struct {
    const char *doc;
    int code;
    const char *want; /* substring of the message */
} bad_docs[] = {
    {"Windows Registry Editor Version 4.00\r\n", BF_ERR_FORMAT, "t.reg: line 1: expected the header"},
    {"", BF_ERR_FORMAT, "t.reg: line 1: empty document"},
    {"REGEDIT4\r\n\"a\"=\"b\"\r\n", BF_ERR_FORMAT, "t.reg: line 2: value line before any [KEY]"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST\\K\n", BF_ERR_FORMAT, "t.reg: line 2: key line does not end with ']'"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\OTHER\\K]\n", BF_ERR_INVALID, "t.reg: line 2: key 'HKEY_LOCAL_MACHINE\\OTHER\\K' is not under"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TESTING]\n", BF_ERR_INVALID, "line 2: key 'HKEY_LOCAL_MACHINE\\TESTING' is not under"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST\\a\\\\b]\n", BF_ERR_INVALID, "line 2: key 'HKEY_LOCAL_MACHINE\\TEST\\a\\\\b' has an empty name"},
    {"REGEDIT4\n[-HKEY_LOCAL_MACHINE\\TEST]\n", BF_ERR_INVALID, "line 2: [-HKEY_LOCAL_MACHINE\\TEST] would delete the hive's root"},
    {"REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=dword:123456789\n", BF_ERR_FORMAT, "t.reg: line 4: dword: takes at most 8 hex digits"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=dword:\n", BF_ERR_FORMAT, "line 3: dword: must be followed"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=dword:12x\n", BF_ERR_FORMAT, "line 3: dword: must be followed"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex:0g\n", BF_ERR_FORMAT, "line 3: hex data: '0g' is not a hex byte"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex:001\n", BF_ERR_FORMAT, "line 3: hex data: '001' has more than two"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex:00,,01\n", BF_ERR_FORMAT, "line 3: hex data: empty byte"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex:00 01\n", BF_ERR_FORMAT, "line 3: hex data: expected ','"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex:00,\\\n  01,\\\n  zz\n", BF_ERR_FORMAT, "t.reg: line 5: hex data: 'zz'"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex:00,\\\n", BF_ERR_FORMAT, "line 3: hex data continues past the end"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex(12345678a):00\n", BF_ERR_FORMAT, "line 3: hex(N): type takes at most 8"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex(2:00\n", BF_ERR_FORMAT, "line 3: hex(N): needs"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex 00\n", BF_ERR_FORMAT, "line 3: expected ':' after hex"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=\"unterminated\n", BF_ERR_FORMAT, "line 3: string data has no closing"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=\"x\" y\n", BF_ERR_FORMAT, "line 3: unexpected text after the closing"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a=\"x\"\n", BF_ERR_FORMAT, "line 3: expected '=' after the value name"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\n", BF_ERR_FORMAT, "line 3: value name has no closing"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=qword:1\n", BF_ERR_FORMAT, "line 3: unknown data format 'qword:1'"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=- x\n", BF_ERR_FORMAT, "line 3: unexpected text after '=-'"},
    {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\ngarbage\n", BF_ERR_FORMAT, "t.reg: line 3: unrecognised line"},
    {"REGEDIT4\n[-HKEY_LOCAL_MACHINE\\TEST\\K]\n\"a\"=\"b\"\n", BF_ERR_FORMAT, "line 3: value line after a [-KEY]"},
    {"REGEDIT4\n\n\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=\"\xff\"\n", BF_ERR_FORMAT, "NO-MATCH-REGEDIT4-IS-ANSI"},
    {"Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=\"\xff\"\n", BF_ERR_FORMAT, "t.reg: line 4: invalid UTF-8"},
};

START_TEST(import_errors_name_line_and_change_nothing)
{
    bf_hive *h = new_hive();
    bf_node k = mkkey(h, "K");
    setv(h, k, "keep", BF_REG_SZ, "k\0\0\0", 4);
    mkkey(h, "K\\Sub");
    uint8_t *before, *after;
    size_t blen, alen;
    serialize(h, &before, &blen);
    for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
        /* each bad document also starts with valid edits that must not be applied */
        char doc[4096];
        const char *d = bad_docs[i].doc;
        bf_regfile_stats st;
        bf_error e = {0};
        int rc = import_text(h, PFX, d, strlen(d), &st, &e);
        if (strstr(bad_docs[i].want, "NO-MATCH")) {
            /* REGEDIT4 without BOM is ANSI: \xff is ÿ, not an error */
            ck_assert_msg(rc == BF_OK, "doc %zu: %s", i, e.msg);
            expect_value(h, "", "a", BF_REG_SZ, "\xff\0\0\0", 4);
            bf_node r = bf_hive_root(h);
            ck_assert_int_eq(bf_node_delete_value(h, r, "a", &e), BF_OK);
            free(before); /* a legitimate change: new reference image */
            serialize(h, &before, &blen);
            continue;
        }
        ck_assert_msg(rc == bad_docs[i].code, "doc %zu: rc %d want %d (%s)", i, rc,
                      bad_docs[i].code, e.msg);
        ck_assert_msg(strstr(e.msg, bad_docs[i].want), "doc %zu: message '%s' lacks '%s'", i,
                      e.msg, bad_docs[i].want);
        /* with edits in front */
        const char *body = strchr(d, '\n');
        if (body && !strstr(bad_docs[i].want, "line 1:") && !strstr(bad_docs[i].want, "before any")) {
            snprintf(doc, sizeof doc,
                     "%.*s[HKEY_LOCAL_MACHINE\\TEST\\New]\n\"n\"=\"v\"\n"
                     "[-HKEY_LOCAL_MACHINE\\TEST\\K\\Sub]\n[HKEY_LOCAL_MACHINE\\TEST\\K]\n"
                     "\"keep\"=-\n%s",
                     (int)(body + 1 - d), d, body + 1);
            rc = import_text(h, PFX, doc, strlen(doc), &st, &e);
            ck_assert_msg(rc != BF_OK, "doc %zu with edits: accepted", i);
        }
        serialize(h, &after, &alen);
        ck_assert_msg(alen == blen && memcmp(before, after, blen) == 0,
                      "doc %zu: the hive changed", i);
        free(after);
    }
    free(before);
    bf_hive_close(h);
}
END_TEST

START_TEST(import_error_encodings_and_limits)
{
    bf_hive *h = new_hive();
    bf_error e = {0};
    bf_regfile_stats st;
    /* unpaired surrogate in UTF-16, line 3 */
    const uint8_t u16[] = {0xFF, 0xFE, 'R', 0, 'E', 0, 'G', 0, 'E', 0, 'D', 0, 'I', 0, 'T', 0,
                           '4', 0, '\r', 0, '\n', 0, '\n', 0, '"', 0, 0x00, 0xD8, '"', 0};
    ck_assert_int_eq(import_text(h, PFX, u16, sizeof u16, &st, &e), BF_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(e.msg, "t.reg: line 3: unpaired surrogate"));
    ck_assert_int_eq(import_text(h, PFX, u16, sizeof u16 - 1, &st, &e), BF_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(e.msg, "odd number of bytes"));
    ck_assert_int_eq(import_text(h, PFX, "\xfe\xff\0R", 4, &st, &e), BF_ERR_UNSUPPORTED);
    const char nul[] = "REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\0\n";
    ck_assert_int_eq(import_text(h, PFX, nul, sizeof nul - 1, &st, &e), BF_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(e.msg, "t.reg: line 3: NUL"));

    /* a line over the limit */
    size_t n = BF_LIMIT_REG_LINE + 100;
    char *big = malloc(2 * n + 200);
    int k = sprintf(big, "REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=\"");
    memset(big + k, 'x', n);
    strcpy(big + k + n, "\"\n");
    ck_assert_int_eq(import_text(h, PFX, big, strlen(big), &st, &e), BF_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(e.msg, "t.reg: line 3: line longer than"));
    /* hex data continued past the limit */
    k = sprintf(big, "REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex:");
    size_t p = (size_t)k;
    while (p < 2 * n) { /* 15 of every 19 bytes count: > 1.5 times the limit */
        memcpy(big + p, "00,01,02,03,04,\\\n  ", 19);
        p += 19;
    }
    strcpy(big + p, "05\n");
    ck_assert_int_eq(import_text(h, PFX, big, strlen(big), &st, &e), BF_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(e.msg, "t.reg: line 3: hex data continued"));
    /* just under the limit works: 300 KB of data in one value */
    k = sprintf(big, "REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"a\"=hex:");
    p = (size_t)k;
    for (int i = 0; i < 20000; i++) {
        memcpy(big + p, "00,01,02,03,04,\\\n  ", 19);
        p += 19;
    }
    strcpy(big + p, "05\n");
    ck_assert_int_eq(import_text(h, PFX, big, strlen(big), &st, &e), BF_OK);
    uint32_t type;
    uint8_t *d;
    size_t len;
    get_value(h, "", "a", &type, &d, &len);
    ck_assert_uint_eq(len, 100001);
    ck_assert_uint_eq(type, BF_REG_BINARY);
    free(d);
    free(big);

    /* key and value name limits */
    char doc[20000 + 100];
    char name[300];
    memset(name, 'n', 256);
    name[256] = 0;
    snprintf(doc, sizeof doc, "REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST\\%s]\n", name);
    ck_assert_int_eq(import_text(h, PFX, doc, strlen(doc), &st, &e), BF_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(e.msg, "line 2: key name"));
    k = sprintf(doc, "REGEDIT4\n[HKEY_LOCAL_MACHINE\\TEST]\n\"");
    memset(doc + k, 'v', 16384);
    strcpy(doc + k + 16384, "\"=\"\"\n");
    ck_assert_int_eq(import_text(h, PFX, doc, strlen(doc), &st, &e), BF_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(e.msg, "line 3: value name is 16384 characters"));
    bf_hive_close(h);
}
END_TEST

START_TEST(import_auto_prefix)
{
    bf_hive *h = new_hive();
    bf_error e = {0};
    bf_regfile_stats st;
    const char *ok = "REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM]\n\"r\"=dword:1\n"
                     "[hkey_local_machine\\system\\A\\B]\n";
    ck_assert_int_eq(import_text(h, NULL, ok, strlen(ok), &st, &e), BF_OK);
    ck_assert(key_exists(h, "A\\B"));
    expect_value(h, "", "r", BF_REG_DWORD, "\1\0\0\0", 4);
    const char *mixed = "REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM\\X]\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Y]\n";
    ck_assert_int_eq(import_text(h, NULL, mixed, strlen(mixed), &st, &e), BF_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(e.msg, "t.reg: line 3: key 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Y' does not start with 'HKEY_LOCAL_MACHINE\\SYSTEM'"));
    ck_assert(!key_exists(h, "X"));
    const char *one = "REGEDIT4\n[HKEY_LOCAL_MACHINE]\n";
    ck_assert_int_eq(import_text(h, NULL, one, strlen(one), &st, &e), BF_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(e.msg, "line 2: key 'HKEY_LOCAL_MACHINE' needs two"));
    bf_hive_close(h);
}
END_TEST

/* ---- corpus ------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(corpus_system_roundtrip)
{
    const char *dir = corpus_dir();
    if (!dir) {
        corpus_skip_note("test_regfile corpus_system_roundtrip");
        return;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/hives/regipy/regipy_tests/data/SYSTEM", dir);
    bf_hive *h = NULL;
    bf_error e = {0};
    int rc = bf_hive_open(path, 0, &h, &e);
    ck_assert_msg(rc == BF_OK, "open %s: %s", path, e.msg);
    bf_hive_info info;
    ck_assert_int_eq(bf_hive_get_info(h, &info), BF_OK);

    double t0 = now_s();
    uint8_t *out;
    size_t len;
    rc = bf_regfile_export(h, bf_hive_root(h), "HKEY_LOCAL_MACHINE\\SYSTEM", BF_REGFILE_UTF16,
                           &out, &len, &e);
    double t1 = now_s();
    ck_assert_msg(rc == BF_OK, "export: %s", e.msg);

    bf_hive *g = NULL;
    ck_assert_int_eq(bf_hive_new(info.minor, "ROOT", &g, &e), BF_OK);
    bf_regfile_stats st;
    rc = bf_regfile_import(g, "HKEY_LOCAL_MACHINE\\SYSTEM", out, len, "SYSTEM.reg", &st, &e);
    double t2 = now_s();
    ck_assert_msg(rc == BF_OK, "import: %s", e.msg);
    printf("regfile: SYSTEM (%llu bytes): export %.3f s -> %zu bytes UTF-16; import %.3f s "
           "(%u keys created, %u values set)\n",
           (unsigned long long)info.file_size, t1 - t0, len, t2 - t1, st.keys_created,
           st.values_set);
    assert_same_content(h, g);
    free(out);
    bf_hive_close(g);
    bf_hive_close(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("regfile");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, golden_export);
    tcase_add_test(tc, golden_wrapping);
    tcase_add_test(tc, roundtrip_utf16);
    tcase_add_test(tc, roundtrip_utf8);
    tcase_add_test(tc, roundtrip_auto_prefix);
    tcase_add_test(tc, export_refuses_crlf_names);
    tcase_add_test(tc, import_utf8_and_utf16);
    tcase_add_test(tc, import_regedit4);
    tcase_add_test(tc, import_errors_name_line_and_change_nothing);
    tcase_add_test(tc, import_error_encodings_and_limits);
    tcase_add_test(tc, import_auto_prefix);
    suite_add_tcase(s, tc);
    TCase *tcc = tcase_create("corpus");
    tcase_set_timeout(tcc, 900);
    tcase_add_test(tcc, corpus_system_roundtrip);
    suite_add_tcase(s, tcc);
    return test_run_suite(s);
}
