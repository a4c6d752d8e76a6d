/*
 * test_oracles.c — self-test of the independent-reader oracles:
 *   - the canonical walk order and oracle_compare (synthetic walks, no corpus);
 *   - libregf and hivex agree on every corpus hive both of them read
 *     (structure, and data where libregf is exact);
 *   - the documented libregf quirks are still what we work around;
 *   - a deliberate change to a real walk is reported.
 */
#include "common/corpus.h"
#include "common/oracle.h"

#include "common/runner.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char diff[4096];

static oracle_walk *synthetic(int reversed)
{
    oracle_walk *w = oracle_walk_new(reversed ? "synthB" : "synthA", "synthetic");
    ck_assert_ptr_nonnull(w);
    static const uint8_t d1[] = {1, 0, 0, 0}, d2[] = {'a', 0, 'b', 0, 0, 0};
    if (!reversed) {
        ck_assert_int_eq(oracle_add_key(w, "", NULL, 2, 1), 0);
        ck_assert_int_eq(oracle_add_value(w, "", "", 3, d1, 0), 0);
        ck_assert_int_eq(oracle_add_key(w, "A", "cls", 1, 2), 0);
        ck_assert_int_eq(oracle_add_value(w, "A", "x", 4, d1, 4), 0);
        ck_assert_int_eq(oracle_add_value(w, "A", "y", 1, d2, 6), 0);
        ck_assert_int_eq(oracle_add_key(w, "A\\B", NULL, 0, 0), 0);
        ck_assert_int_eq(oracle_add_key(w, "AB", NULL, 0, 0), 0);
    } else {
        ck_assert_int_eq(oracle_add_key(w, "AB", NULL, 0, 0), 0);
        ck_assert_int_eq(oracle_add_key(w, "A\\B", NULL, 0, 0), 0);
        ck_assert_int_eq(oracle_add_value(w, "A", "y", 1, d2, 6), 0);
        ck_assert_int_eq(oracle_add_value(w, "A", "x", 4, d1, 4), 0);
        ck_assert_int_eq(oracle_add_key(w, "A", "cls", 1, 2), 0);
        ck_assert_int_eq(oracle_add_value(w, "", "", 3, d1, 0), 0);
        ck_assert_int_eq(oracle_add_key(w, "", NULL, 2, 1), 0);
    }
    oracle_walk_sort(w);
    return w;
}

START_TEST(test_order_is_canonical)
{
    oracle_walk *a = synthetic(0), *b = synthetic(1);
    ck_assert_uint_eq(a->n, 7);
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_DATA | ORACLE_CMP_CLASS, diff, sizeof(diff)),
                     0);
    /* documented order: "" < "" values < "A" < "A" values < "A\B" < "AB" */
    ck_assert_str_eq(a->recs[0].path, "");
    ck_assert_int_eq(a->recs[0].kind, ORACLE_KEY);
    ck_assert_int_eq(a->recs[1].kind, ORACLE_VALUE);
    ck_assert_str_eq(a->recs[2].path, "A");
    ck_assert_str_eq(a->recs[3].name, "x");
    ck_assert_str_eq(a->recs[4].name, "y");
    ck_assert_str_eq(a->recs[5].path, "A\\B");
    ck_assert_str_eq(a->recs[6].path, "AB");
    oracle_walk_free(a);
    oracle_walk_free(b);
}
END_TEST

START_TEST(test_compare_reports_each_field)
{
    oracle_walk *a = synthetic(0), *b = synthetic(0);

    /* data byte: invisible to a structure comparison, reported with data */
    b->recs[3].data[0] ^= 0xFF;
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 0);
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "data bytes") && strstr(diff, "\"x\""), "diff: %s", diff);
    b->recs[3].data[0] ^= 0xFF;

    /* data length */
    b->recs[4].len = 4;
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "data length"), "diff: %s", diff);
    b->recs[4].len = 6;

    /* type */
    b->recs[3].type = 11;
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "value type"), "diff: %s", diff);
    b->recs[3].type = 4;

    /* subkey and value counts */
    b->recs[2].nsubkeys = 5;
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "number of subkeys") && strstr(diff, "\"A\""), "diff: %s", diff);
    b->recs[2].nsubkeys = 1;
    b->recs[0].nvalues = 0;
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "number of values"), "diff: %s", diff);
    b->recs[0].nvalues = 1;

    /* class: only when asked */
    free(b->recs[2].cls);
    b->recs[2].cls = NULL;
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 0);
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_CLASS, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "class name"), "diff: %s", diff);
    /* ...and never against a walk that cannot know classes (hivex) */
    b->class_known = 0;
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_CLASS, diff, sizeof(diff)), 0);

    /* names and paths */
    b->recs[4].name[0] = 'z';
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "value name"), "diff: %s", diff);
    b->recs[4].name[0] = 'y';
    b->recs[6].path[1] = 'C';
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "path") && strstr(diff, "record 6"), "diff: %s", diff);
    b->recs[6].path[1] = 'B';
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof(diff)), 0);

    /* a missing record */
    ck_assert_int_eq(oracle_add_key(b, "ZZ", NULL, 0, 0), 0);
    oracle_walk_sort(b);
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "\"ZZ\"") && strstr(diff, "first extra"), "diff: %s", diff);

    oracle_walk_free(a);
    oracle_walk_free(b);
}
END_TEST

START_TEST(test_libregf_partial_data_rule)
{
    /* ORACLE_DATA_LIBREGF: types 1/2 and 1-3 byte data are not compared */
    oracle_walk *a = synthetic(0), *b = synthetic(0);
    b->data_exact = ORACLE_DATA_LIBREGF;
    b->recs[4].len = 4; /* REG_SZ "y": libregf normalises strings */
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof(diff)), 0);
    b->recs[3].data[1] = 9; /* REG_DWORD "x", 4 bytes: compared */
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "data bytes"), "diff: %s", diff);
    oracle_walk_free(a);
    oracle_walk_free(b);
}
END_TEST

/* ---- corpus ------------------------------------------------------------------ */

static corpus_manifest *load_or_skip(const char *what)
{
    char eb[512];
    corpus_manifest *m = corpus_manifest_load(eb, sizeof(eb));
    if (!m) {
        ck_assert_msg(eb[0] == 0, "manifest: %s", eb);
        corpus_skip_note(what);
    }
    return m;
}

static char *hive_path(const corpus_manifest *m, const char *rel)
{
    const corpus_entry *e = corpus_find(m, rel);
    ck_assert_msg(e != NULL, "%s not in MANIFEST.tsv", rel);
    return e->path;
}

START_TEST(test_manifest_parsed)
{
    corpus_manifest *m = load_or_skip("manifest parsing");
    if (!m)
        return;
    ck_assert_uint_gt(m->n, 100);
    size_t np = corpus_count_primary(m);
    ck_assert_uint_gt(np, 100);
    const corpus_entry *e = corpus_find(m, "hivex/images/minimal");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->role, "primary");
    ck_assert_str_eq(e->version, "1.5");
    ck_assert_str_eq(e->state, "clean");
    ck_assert_str_eq(e->structural_check, "ok");
    ck_assert_uint_eq(e->size, 8192);
    for (size_t i = 0; i < m->n; i++)
        if (corpus_is_primary(&m->e[i]))
            ck_assert_msg(m->e[i].version[0] != 0, "%s: no version", m->e[i].relpath);
    printf("manifest: %zu files, %zu primary hives\n", m->n, np);
    corpus_manifest_free(m);
}
END_TEST

START_TEST(test_libregf_hivex_agree)
{
    corpus_manifest *m = load_or_skip("libregf/hivex agreement");
    if (!m)
        return;
    size_t both = 0, only_l = 0, only_h = 0, none = 0, nprim = 0;
    size_t keys = 0, vals = 0;
    for (size_t i = 0; i < m->n; i++) {
        const corpus_entry *e = &m->e[i];
        if (!corpus_is_primary(e))
            continue;
        nprim++;
        char el[ORACLE_ERRSZ], eh[ORACLE_ERRSZ];
        oracle_walk *l = oracle_walk_libregf(e->path, el);
        oracle_walk *h = oracle_walk_hivex(e->path, eh);
        if (l && h) {
            both++;
            keys += h->nkeys;
            vals += h->nvalues;
            int d = oracle_compare(l, h, ORACLE_CMP_STRUCTURE | ORACLE_CMP_DATA, diff,
                                   sizeof(diff));
            ck_assert_msg(d == 0, "%s: libregf and hivex disagree: %s", e->relpath, diff);
        } else if (l) {
            only_l++;
            printf("  only libregf reads %s (%s)\n", e->relpath, eh);
        } else if (h) {
            only_h++;
            printf("  only hivex reads %s (%s)\n", e->relpath, el);
        } else {
            none++;
        }
        oracle_walk_free(l);
        oracle_walk_free(h);
    }
    printf("oracles: %zu primary hives: %zu read by both and identical (%zu keys, %zu values), "
           "%zu only by libregf, %zu only by hivex, %zu by neither\n",
           nprim, both, keys, vals, only_l, only_h, none);
    ck_assert_uint_gt(both, 100);
    corpus_manifest_free(m);
}
END_TEST

START_TEST(test_libregf_quirks_pinned)
{
    corpus_manifest *m = load_or_skip("libregf quirks");
    if (!m)
        return;
    char el[ORACLE_ERRSZ], eh[ORACLE_ERRSZ];
    /* 1. inline data of 3 bytes: libregf returns the last 3 of the 4 bytes */
    const char *p = hive_path(m, "hivex/images/rlenvalue_test_hive");
    oracle_walk *l = oracle_walk_libregf(p, el), *h = oracle_walk_hivex(p, eh);
    ck_assert_msg(l && h, "%s / %s", el, eh);
    const oracle_rec *rl = NULL, *rh = NULL;
    for (size_t i = 0; i < l->n; i++)
        if (l->recs[i].kind == ORACLE_VALUE && !strcmp(l->recs[i].name, "3Bytes")) {
            rl = &l->recs[i];
            rh = &h->recs[i];
        }
    ck_assert_ptr_nonnull(rl);
    ck_assert_str_eq(rh->name, "3Bytes");
    ck_assert_uint_eq(rh->len, 3);
    ck_assert_int_eq(memcmp(rh->data, "012", 3), 0);
    ck_assert_uint_eq(rl->len, 3);
    ck_assert_msg(memcmp(rl->data, "012", 3) != 0,
                  "libregf now returns 1-3 byte inline data correctly: ORACLE_DATA_LIBREGF "
                  "could be relaxed");
    /* the walks still compare equal because that value is exempt */
    ck_assert_int_eq(oracle_compare(l, h, ORACLE_CMP_DATA, diff, sizeof(diff)), 0);
    l->data_exact = ORACLE_DATA_EXACT;
    ck_assert_int_eq(oracle_compare(l, h, ORACLE_CMP_DATA, diff, sizeof(diff)), 1);
    oracle_walk_free(l);
    oracle_walk_free(h);

    /* 2. compressed name byte 0x9F is U+009F (hivex, Windows), not U+0178 */
    p = hive_path(m, "yarp/hives_for_tests/CompHive");
    l = oracle_walk_libregf(p, el);
    h = oracle_walk_hivex(p, eh);
    ck_assert_msg(l && h, "%s / %s", el, eh);
    ck_assert_int_eq(oracle_compare(l, h, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 0);
    int found = 0;
    for (size_t i = 0; i < l->n; i++)
        found += strcmp(l->recs[i].path, "\xC2\x9F") == 0;
    ck_assert_int_eq(found, 1);
    oracle_walk_free(l);
    oracle_walk_free(h);
    corpus_manifest_free(m);
}
END_TEST

START_TEST(test_cycle_refused)
{
    corpus_manifest *m = load_or_skip("cycle detection");
    if (!m)
        return;
    char el[ORACLE_ERRSZ], eh[ORACLE_ERRSZ];
    const char *p = hive_path(m, "yarp/hives_for_tests/BadSubkeyHive");
    oracle_walk *l = oracle_walk_libregf(p, el), *h = oracle_walk_hivex(p, eh);
    ck_assert_ptr_null(l);
    ck_assert_ptr_null(h);
    ck_assert_msg(strstr(el, "reached twice") && strstr(el, "BadSubkeyHive"), "%s", el);
    ck_assert_msg(strstr(eh, "reached twice") && strstr(eh, "BadSubkeyHive"), "%s", eh);
    corpus_manifest_free(m);
}
END_TEST

START_TEST(test_deliberate_change_detected)
{
    corpus_manifest *m = load_or_skip("deliberate change on a real hive");
    if (!m)
        return;
    char eh[ORACLE_ERRSZ];
    const char *p = hive_path(m, "python-registry/tests/reg_samples/UNICODE_TESTS");
    oracle_walk *a = oracle_walk_hivex(p, eh), *b = oracle_walk_hivex(p, eh);
    ck_assert_msg(a && b, "%s", eh);
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof(diff)), 0);
    size_t i = 0;
    while (i < b->n && !(b->recs[i].kind == ORACLE_VALUE && b->recs[i].len > 0))
        i++;
    ck_assert_uint_lt(i, b->n);
    b->recs[i].data[b->recs[i].len - 1] ^= 0x01;
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_STRUCTURE, diff, sizeof(diff)), 0);
    ck_assert_int_eq(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof(diff)), 1);
    ck_assert_msg(strstr(diff, "data bytes") && strstr(diff, b->recs[i].name), "diff: %s",
                  diff);
    printf("deliberate change reported as: %s\n", diff);
    oracle_walk_free(a);
    oracle_walk_free(b);
    corpus_manifest_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("oracles");
    TCase *tc = tcase_create("synthetic");
    tcase_add_test(tc, test_order_is_canonical);
    tcase_add_test(tc, test_compare_reports_each_field);
    tcase_add_test(tc, test_libregf_partial_data_rule);
    suite_add_tcase(s, tc);
    tc = tcase_create("corpus");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, test_manifest_parsed);
    tcase_add_test(tc, test_libregf_hivex_agree);
    tcase_add_test(tc, test_libregf_quirks_pinned);
    tcase_add_test(tc, test_cycle_refused);
    tcase_add_test(tc, test_deliberate_change_detected);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
