/*
 * test_corpus_read.c — bootfix reads every primary hive of the corpus exactly
 * as two independent readers do, or refuses it with a clear error.
 *
 * For each primary hive in hives/MANIFEST.tsv:
 *   - bootfix walks it (dirty hives opened with BF_OPEN_NO_LOGS, so the
 *     comparison is against the primary file as it is: libregf and hivex do
 *     not replay logs);
 *   - if bootfix reads it, its walk must equal libregf's (tree, names, types,
 *     classes, and data where libregf is exact) and hivex's (tree, names,
 *     types, raw data bytes), for whichever of the two read the file;
 *   - if bootfix refuses it, the error must carry a message naming the file;
 *     refusing a hive libregf reads fully is a failure unless the hive is in
 *     k_allowed_refusals below, with the reason;
 *   - bootfix handing back a key graph with a cycle (found by the walker, not
 *     reported by bootfix) is a failure.
 * Every problem is collected and reported at the end, and a summary line is
 * printed.
 */
#include "common/corpus.h"
#include "common/oracle.h"

#include "bootfix/hive.h"

#include "common/runner.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hives libregf reads that bootfix may refuse, each with the reason. */
static const struct {
    const char *relpath;
    const char *reason;
} k_allowed_refusals[] = {
    {"yarp/hives_for_tests/DeletedDataHiveTruncated",
     "value list cell too small for the key's value count (hivex refuses it too)"},
    {"yarp/hives_for_tests/InvalidParentHive", "subkeys whose parent field is wrong"},
    {"yarp/hives_for_tests/CompHive", "lf hint does not match the subkey name"},
    {"yarp/hives_for_tests/WrongOrderHive",
     "subkey list not sorted (lookups by binary search would miss keys)"},
    {"yarp/hives_for_tests/DuplicateSubkeysHive",
     "subkey list holds the same name twice (not sorted strictly)"},
};

static const char *allowed_reason(const char *relpath)
{
    for (size_t i = 0; i < sizeof(k_allowed_refusals) / sizeof(k_allowed_refusals[0]); i++)
        if (strcmp(k_allowed_refusals[i].relpath, relpath) == 0)
            return k_allowed_refusals[i].reason;
    return NULL;
}

/* Growing text buffer for the failure report. */
struct report {
    char *s;
    size_t len, cap;
    size_t count;
};

static void report_add(struct report *r, const char *fmt, const char *a, const char *b)
{
    char line[6000];
    int n = snprintf(line, sizeof(line), fmt, a, b);
    if (n < 0)
        return;
    size_t l = strlen(line);
    if (r->len + l + 2 > r->cap) {
        size_t nc = (r->cap + l + 2) * 2;
        char *ns = realloc(r->s, nc);
        if (!ns)
            return;
        r->s = ns;
        r->cap = nc;
    }
    memcpy(r->s + r->len, line, l);
    r->len += l;
    r->s[r->len++] = '\n';
    r->s[r->len] = 0;
    r->count++;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

START_TEST(test_every_primary_hive)
{
    char eb[512];
    corpus_manifest *m = corpus_manifest_load(eb, sizeof(eb));
    if (!m) {
        ck_assert_msg(eb[0] == 0, "manifest: %s", eb);
        corpus_skip_note("corpus read of every primary hive");
        return;
    }
    struct report fails = {0};
    size_t total = 0, matched_both = 0, matched_one = 0, bootfix_only = 0, refused = 0;
    char refused_list[8192] = "";
    char el[ORACLE_ERRSZ], eh[ORACLE_ERRSZ], eb2[ORACLE_ERRSZ], diff[4096], msg[6000];

    for (size_t i = 0; i < m->n; i++) {
        const corpus_entry *e = &m->e[i];
        if (!corpus_is_primary(e))
            continue;
        total++;
        unsigned flags = strcmp(e->state, "dirty") == 0 ? BF_OPEN_NO_LOGS : 0;
        int bcode = 0;
        oracle_walk *l = oracle_walk_libregf(e->path, el);
        oracle_walk *h = oracle_walk_hivex(e->path, eh);
        oracle_walk *b = oracle_walk_bootfix(e->path, flags, eb2, &bcode);

        if (b) {
            int bad = 0;
            if (l && oracle_compare(b, l, ORACLE_CMP_STRUCTURE | ORACLE_CMP_CLASS |
                                              ORACLE_CMP_DATA,
                                    diff, sizeof(diff))) {
                report_add(&fails, "%s: bootfix and libregf differ: %s", e->relpath, diff);
                bad = 1;
            }
            if (h && oracle_compare(b, h, ORACLE_CMP_STRUCTURE | ORACLE_CMP_DATA, diff,
                                    sizeof(diff))) {
                report_add(&fails, "%s: bootfix and hivex differ: %s", e->relpath, diff);
                bad = 1;
            }
            if (!bad) {
                if (l && h) {
                    matched_both++;
                    printf("  ok       %s (%zu keys, %zu values)\n", e->relpath, b->nkeys,
                           b->nvalues);
                } else if (l || h) {
                    matched_one++;
                    printf("  ok       %s (%zu keys, %zu values; matched %s only, %s)\n",
                           e->relpath, b->nkeys, b->nvalues, l ? "libregf" : "hivex",
                           l ? eh : el);
                } else {
                    bootfix_only++;
                    printf("  read     %s (%zu keys, %zu values; neither oracle reads it)\n",
                           e->relpath, b->nkeys, b->nvalues);
                }
            }
        } else if (bcode == 0) {
            /* the walker, not bootfix, found the problem */
            report_add(&fails, "%s: %s", e->relpath, eb2);
        } else {
            const char *why = allowed_reason(e->relpath);
            if (eb2[0] == 0 || !strstr(eb2, base_name(e->path))) {
                snprintf(msg, sizeof(msg), "error %d with a message not naming the file: \"%s\"",
                         bcode, eb2);
                report_add(&fails, "%s: %s", e->relpath, msg);
            } else if (l && !why) {
                snprintf(msg, sizeof(msg), "%zu keys, %zu values; bootfix: %s", l->nkeys,
                         l->nvalues, eb2);
                report_add(&fails, "%s: refused by bootfix but libregf reads it fully (%s)",
                           e->relpath, msg);
            } else {
                refused++;
                printf("  refused  %s: %s%s%s%s\n", e->relpath, eb2, why ? " [allowed: " : "",
                       why ? why : "", why ? "]" : "");
                size_t rl = strlen(refused_list);
                snprintf(refused_list + rl, sizeof(refused_list) - rl, "%s%s",
                         rl ? ", " : "", base_name(e->relpath));
            }
        }
        oracle_walk_free(l);
        oracle_walk_free(h);
        oracle_walk_free(b);
    }
    printf("corpus read: %zu of %zu primary hives opened and matched libregf+hivex, "
           "%zu matched the one oracle that reads them, %zu read by bootfix only, "
           "%zu refused with an error: %s; %zu failures\n",
           matched_both, total, matched_one, bootfix_only, refused,
           refused ? refused_list : "none", fails.count);
    fflush(stdout);
    corpus_manifest_free(m);
    ck_assert_uint_gt(total, 0);
    if (fails.count) {
        fputs(fails.s, stdout);
        fflush(stdout);
    }
    ck_assert_msg(fails.count == 0, "%zu of %zu primary hives failed (listed above); first: %.1500s",
                  fails.count, total, fails.s ? fails.s : "");
    free(fails.s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("corpus_read");
    TCase *tc = tcase_create("every primary hive");
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, test_every_primary_hive);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
