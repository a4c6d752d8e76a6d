/*
 * test_upcase.c — bf_upcase() must be Windows' RtlUpcaseUnicodeChar.
 *
 * The expectations are facts about Windows' table (see lib/hive/upcase.c)
 * plus a few values observed in real hives of the corpus: lh hashes that
 * Windows stored for non-ASCII key names and sibling pairs that Windows
 * stored in this order.  They are fixed here so the test needs no corpus.
 */
#include "common/runner.h"
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bootfix/hive.h"

#define WINDOWS_UPCASE_COUNT 973 /* documented in lib/hive/upcase.c */

struct map { uint16_t c, up; };

static void expect_map(const struct map *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(bf_upcase(m[i].c) == m[i].up,
                      "bf_upcase(U+%04X) = U+%04X, expected U+%04X",
                      (unsigned)m[i].c, (unsigned)bf_upcase(m[i].c), (unsigned)m[i].up);
}

#define EXPECT_MAP(arr) expect_map((arr), sizeof(arr) / sizeof((arr)[0]))

/* ---- single code units ---------------------------------------------------------- */

START_TEST(test_ascii)
{
    for (unsigned c = 0; c < 0x80; c++) {
        uint16_t want = (c >= 'a' && c <= 'z') ? (uint16_t)(c - 0x20) : (uint16_t)c;
        ck_assert_msg(bf_upcase((uint16_t)c) == want, "ASCII 0x%02X -> 0x%04X", c,
                      (unsigned)bf_upcase((uint16_t)c));
    }
    ck_assert_uint_eq(bf_upcase('a'), 'A');
    ck_assert_uint_eq(bf_upcase('z'), 'Z');
    ck_assert_uint_eq(bf_upcase('_'), '_');
    ck_assert_uint_eq(bf_upcase('{'), '{');
    ck_assert_uint_eq(bf_upcase('`'), '`');
}
END_TEST

START_TEST(test_latin1)
{
    for (unsigned c = 0x80; c < 0x100; c++) {
        uint16_t want = (uint16_t)c;
        if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
            want = (uint16_t)(c - 0x20);
        if (c == 0xFF)
            want = 0x0178; /* ÿ -> Ÿ leaves Latin-1 */
        ck_assert_msg(bf_upcase((uint16_t)c) == want, "U+%04X -> U+%04X, expected U+%04X", c,
                      (unsigned)bf_upcase((uint16_t)c), (unsigned)want);
    }
}
END_TEST

/* Characters that Unicode (and Python's str.upper) change but Windows does not. */
START_TEST(test_windows_exceptions)
{
    static const uint16_t same[] = {
        0x00DF, /* ß  (no single-unit uppercase; not "SS", not U+1E9E) */
        0x00B5, /* µ  micro sign (-> U+039C would not round-trip) */
        0x0131, /* ı  dotless i */
        0x017F, /* ſ  long s */
        0x03C2, /* ς  final sigma */
        0x01C5, 0x01C8, 0x01CB, 0x01F2, /* titlecase digraphs ǅ ǈ ǋ ǲ */
        0x0345, /* combining ypogegrammeni */
        0x03D0, 0x03D1, 0x03D5, 0x03D6, 0x03F0, 0x03F1, 0x03F5, /* Greek symbol variants */
        0x1E9B, /* ẛ long s with dot */
        0x1FBE, /* Greek prosgegrammeni */
        0x1E9E, /* ẞ capital sharp s is already upper */
        /* lowercase letters whose uppercase Unicode added after 5.1 */
        0x0252, /* ɒ -> Ɒ U+2C70 (5.2) */
        0x0265, /* ɥ -> Ɥ U+A78D (6.0) */
        0x10D0, /* Georgian ა -> Ა U+1C90 (11.0) */
        0xAB70, /* Cherokee small ꭰ (8.0) */
        0xA794, /* ꞔ (7.0) */
        0x2D27, /* Georgian ⴧ (6.1) */
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        ck_assert_msg(bf_upcase(same[i]) == same[i], "U+%04X must stay unchanged, got U+%04X",
                      (unsigned)same[i], (unsigned)bf_upcase(same[i]));
}
END_TEST

START_TEST(test_greek_cyrillic_misc)
{
    static const struct map m[] = {
        {0x03B1, 0x0391}, {0x03C9, 0x03A9}, {0x03C3, 0x03A3}, /* α ω σ */
        {0x03AC, 0x0386}, {0x03AD, 0x0388}, {0x03CC, 0x038C}, {0x03CE, 0x038F},
        {0x1F70, 0x1FBA}, {0x1FE5, 0x1FEC},
        {0x1F80, 0x1F88}, {0x1FB3, 0x1FBC}, /* ypogegrammeni -> single-unit capital */
        {0x0391, 0x0391}, {0x1F88, 0x1F88},
        {0x0430, 0x0410}, {0x044F, 0x042F}, {0x0450, 0x0400}, {0x0451, 0x0401}, /* а я ѐ ё */
        {0x0463, 0x0462}, {0x04CF, 0x04C0}, {0x0410, 0x0410},
        {0x0561, 0x0531}, {0x0586, 0x0556}, /* Armenian */
        {0x01C6, 0x01C4}, {0x01C9, 0x01C7}, {0x01CC, 0x01CA}, {0x01F3, 0x01F1},
        {0x1E01, 0x1E00}, {0x1E95, 0x1E94},
        {0x0250, 0x2C6F}, {0x0251, 0x2C6D}, {0x026B, 0x2C62}, {0x1D7D, 0x2C63}, /* Unicode 5.0/5.1 */
        {0x2C30, 0x2C00}, {0x2D00, 0x10A0}, {0xA641, 0xA640}, /* Glagolitic, Georgian, Cyrillic ext */
        {0x2170, 0x2160}, {0x24D0, 0x24B6}, {0x2184, 0x2183}, {0x214E, 0x2132},
        {0xFF41, 0xFF21}, {0xFF5A, 0xFF3A}, {0xFF21, 0xFF21}, /* full-width ａ ｚ Ａ */
        {0xFFFF, 0xFFFF}, {0xE000, 0xE000}, {0xF00D, 0xF00D}, {0x0000, 0x0000},
    };
    EXPECT_MAP(m);
}
END_TEST

START_TEST(test_surrogates_unchanged)
{
    for (unsigned c = 0xD800; c <= 0xDFFF; c++)
        ck_assert_msg(bf_upcase((uint16_t)c) == c, "surrogate U+%04X changed to U+%04X", c,
                      (unsigned)bf_upcase((uint16_t)c));
}
END_TEST

START_TEST(test_idempotent_and_count)
{
    unsigned count = 0;
    for (unsigned c = 0; c <= 0xFFFF; c++) {
        uint16_t u = bf_upcase((uint16_t)c);
        ck_assert_msg(bf_upcase(u) == u, "not idempotent at U+%04X: U+%04X -> U+%04X", c,
                      (unsigned)u, (unsigned)bf_upcase(u));
        if (u != c)
            count++;
    }
    ck_assert_uint_eq(count, WINDOWS_UPCASE_COUNT);
}
END_TEST

/* Windows' table is a bijection between its 973 lowercase and 973 uppercase
 * units: no two units map to the same uppercase except a unit onto itself. */
START_TEST(test_no_merges)
{
    uint16_t *owner = calloc(0x10000, sizeof(*owner));
    ck_assert_ptr_nonnull(owner);
    for (unsigned c = 0; c <= 0xFFFF; c++) {
        uint16_t u = bf_upcase((uint16_t)c);
        if (u == c)
            continue;
        ck_assert_msg(owner[u] == 0, "U+%04X and U+%04X both map to U+%04X", (unsigned)owner[u],
                      c, (unsigned)u);
        owner[u] = (uint16_t)c;
    }
    free(owner);
}
END_TEST

/* ---- names as Windows stored them (corpus facts) ------------------------------------- */

static uint32_t lh_hash(const uint16_t *s, size_t n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++)
        h = 37u * h + bf_upcase(s[i]);
    return h;
}

static int name_cmp(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++) {
        uint16_t x = bf_upcase(a[i]), y = bf_upcase(b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

struct uname { uint16_t u[16]; size_t n; };

#define U(...) { { __VA_ARGS__ }, sizeof((uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t) }

/* lh hashes stored in real hives (dfir-toolkit / nt-hive testhive, hivex
 * images/special) for names with non-ASCII units. */
START_TEST(test_corpus_lh_hashes)
{
    static const struct { struct uname name; uint32_t hash; } h[] = {
        /* "äöü": 0x4e7ce if ä/ö/ü were left alone */
        { U(0x00E4, 0x00F6, 0x00FC), 0x000437EEu },
        /* "abcd_äöüß": ß stays 0xDF */
        { U('a', 'b', 'c', 'd', '_', 0x00E4, 0x00F6, 0x00FC, 0x00DF), 0xCD87D55Eu },
        /* Deseret 𐐐 and 𐐸: surrogates are not case-folded */
        { U(0xD801, 0xDC10), 0x00201435u },
        { U(0xD801, 0xDC38), 0x0020145Du },
        { U(0xFF21), 0x0000FF21u },
        { U('w', 'e', 'i', 'r', 'd', 0x2122), 0x6F86A4D5u },
    };
    for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
        ck_assert_msg(lh_hash(h[i].name.u, h[i].name.n) == h[i].hash,
                      "lh hash #%zu = 0x%08x, Windows stored 0x%08x", i,
                      (unsigned)lh_hash(h[i].name.u, h[i].name.n), (unsigned)h[i].hash);
}
END_TEST

/* Adjacent siblings in subkey lists of real hives (strictly ascending). */
START_TEST(test_corpus_sibling_order)
{
    static const struct { struct uname a, b; } p[] = {
        /* yarp UpcaseHive: ß is not "SS" */
        { U('S', 'S', '3'), U(0x00DF, '2') },
        /* testhive: äöü < 𐐐 < 𐐸 < Ａ */
        { U(0x00E4, 0x00F6, 0x00FC), U(0xD801, 0xDC10) },
        { U(0xD801, 0xDC10), U(0xD801, 0xDC38) },
        { U(0xD801, 0xDC38), U(0xFF21) },
        /* yarp CompHive: compressed 0x9F before Ÿ */
        { U(0x009F), U(0x0178) },
        /* hivex images/special */
        { U('a', 'b', 'c', 'd', '_', 0x00E4, 0x00F6, 0x00FC, 0x00DF), U('w', 'e', 'i', 'r', 'd', 0x2122) },
        /* notatin win7_ntuser.dat */
        { U('.', 't', 'x', 't'), U('.', 't', 'x', 't', 0xF00D) },
        { U('.', 't', 'x', 't', 0xF00D), U('.', 'u', 'f', 'd') },
        /* yarp TwoOwnersHive: "Новый раздел #1" < "#2" */
        { U(0x041D, 0x043E, 0x0432, 0x044B, 0x0439, ' ', 0x0440, 0x0430, 0x0437, 0x0434,
            0x0435, 0x043B, ' ', '#', '1'),
          U(0x041D, 0x043E, 0x0432, 0x044B, 0x0439, ' ', 0x0440, 0x0430, 0x0437, 0x0434,
            0x0435, 0x043B, ' ', '#', '2') },
        /* yarp WrongOrderHive, the correctly ordered part: а < б < г */
        { U(0x0430), U(0x0431) },
        { U(0x0431), U(0x0433) },
    };
    for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
        ck_assert_msg(name_cmp(p[i].a.u, p[i].a.n, p[i].b.u, p[i].b.n) < 0,
                      "corpus sibling pair #%zu not ascending", i);

    /* the deliberately broken pair in WrongOrderHive really is out of order */
    static const uint16_t ge[] = {0x0433}, ve[] = {0x0432};
    ck_assert_int_gt(name_cmp(ge, 1, ve, 1), 0);
}
END_TEST

START_TEST(test_name_equality)
{
    /* offreg merged full-width Ａ/ａ but kept 𐐐/𐐸 distinct */
    static const uint16_t fa[] = {0xFF41}, fA[] = {0xFF21};
    static const uint16_t d1[] = {0xD801, 0xDC10}, d2[] = {0xD801, 0xDC38};
    ck_assert_int_eq(name_cmp(fa, 1, fA, 1), 0);
    ck_assert_int_ne(name_cmp(d1, 2, d2, 2), 0);
    /* upper-casing puts '_' (0x5F) after the letters 'A'..'Z'; lower-casing
     * would wrongly put it before 'a'..'z' (hivex RHBZ#1648520) */
    static const uint16_t us[] = {'a', '_'}, ab[] = {'a', 'b'};
    ck_assert_int_gt(name_cmp(us, 2, ab, 2), 0);
    /* a proper prefix sorts first */
    ck_assert_int_lt(name_cmp(ab, 1, ab, 2), 0);
}
END_TEST

static Suite *upcase_suite(void)
{
    Suite *s = suite_create("upcase");
    TCase *t = tcase_create("table");
    tcase_add_test(t, test_ascii);
    tcase_add_test(t, test_latin1);
    tcase_add_test(t, test_windows_exceptions);
    tcase_add_test(t, test_greek_cyrillic_misc);
    tcase_add_test(t, test_surrogates_unchanged);
    tcase_add_test(t, test_idempotent_and_count);
    tcase_add_test(t, test_no_merges);
    suite_add_tcase(s, t);
    TCase *c = tcase_create("corpus_facts");
    tcase_add_test(c, test_corpus_lh_hashes);
    tcase_add_test(c, test_corpus_sibling_order);
    tcase_add_test(c, test_name_equality);
    suite_add_tcase(s, c);
    return s;
}

int main(void)
{
    return test_run_suite(upcase_suite());
}
