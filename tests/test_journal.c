/*
 * test_journal.c — journals, write sessions and undo (lib/recipe: journal.c,
 * hivediff.c, txn.c, undo.c).
 *
 *   - the journal file format: a round trip of names with tabs, newlines,
 *     '%', "-", unicode and the empty default-value name, every byte value
 *     as data, unknown type numbers; malformed journals refused with
 *     BF_ERR_FORMAT naming the file and line;
 *   - bf_journal_find_latest: newest by folder name, skipping undone journals
 *     and undos unless `any`, by recipe;
 *   - bf_journal_diff on hives built in memory: values added, changed,
 *     deleted, type changes, subtrees added and deleted (children first),
 *     case-only differences ignored, sorted order, deep nesting, big data;
 *   - rc_txn_commit: two files edited -> a backup folder with byte-identical
 *     copies (and logs), a journal, committed files whose hivex walks differ
 *     from the originals by exactly the intended records; no change -> no
 *     folder; an unwritable folder -> refused before any write; duplicate
 *     base names; --backup-dir; --no-backup;
 *   - bf_undo: the hivex walk after undo equals the original; a second undo
 *     finds nothing; a conflict is refused (nothing written) and forced;
 *     a dry run writes nothing; a corpus SYSTEM hive round trip.
 */
#include "common/corpus.h"
#include "common/files.h"
#include "common/oracle.h"

#include "bootfix/recipe.h"
#include "recipe/internal.h"
#include "io/io.h"

#include "common/runner.h"
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------------------- */

static void tmpdir(char *dir, size_t sz)
{
    snprintf(dir, sz, "/tmp/bootfix-journal-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static char *pjoin(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int same_bytes(const char *a, const char *b)
{
    size_t la, lb;
    uint8_t *da = test_slurp(a, &la), *db = test_slurp(b, &lb);
    int same = da && db && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return same;
}

static bf_error E;

#define OK(call) ck_assert_msg((call) == BF_OK, "%s: %s", #call, E.msg)

static bf_hive *new_hive(unsigned minor)
{
    bf_hive *h;
    OK(bf_hive_new(minor, "ROOT", &h, &E));
    return h;
}

static bf_node mkpath(bf_hive *h, const char *path)
{
    bf_node n;
    int created;
    OK(bf_node_create_path(h, bf_hive_root(h), path, &n, &created, &E));
    return n;
}

static void set_dw(bf_hive *h, const char *path, const char *name, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    OK(bf_node_set_value(h, mkpath(h, path), name, BF_REG_DWORD, b, 4, &E));
}

static void set_raw(bf_hive *h, const char *path, const char *name, uint32_t type, const void *d,
                    size_t n)
{
    OK(bf_node_set_value(h, mkpath(h, path), name, type, d, n, &E));
}

static void set_sz(bf_hive *h, const char *path, const char *name, const char *s)
{
    uint8_t buf[512];
    size_t n = 0;
    for (; *s && n + 4 < sizeof buf; s++) {
        buf[n++] = (uint8_t)*s;
        buf[n++] = 0;
    }
    buf[n++] = 0;
    buf[n++] = 0;
    set_raw(h, path, name, BF_REG_SZ, buf, n);
}

static void del_value(bf_hive *h, const char *path, const char *name)
{
    bf_node n;
    OK(bf_node_lookup(h, bf_hive_root(h), path, &n, &E));
    OK(bf_node_delete_value(h, n, name, &E));
}

static void del_key(bf_hive *h, const char *path)
{
    bf_node n;
    OK(bf_node_lookup(h, bf_hive_root(h), path, &n, &E));
    OK(bf_node_delete(h, n, &E));
}

static void save_hive(bf_hive *h, const char *path)
{
    uint8_t *b;
    size_t n;
    OK(bf_hive_serialize(h, &b, &n, &E));
    test_put_file(path, b, n);
    free(b);
}

static bf_hive *open_w(const char *path)
{
    bf_hive *h;
    OK(bf_hive_open(path, BF_OPEN_WRITE, &h, &E));
    return h;
}

static uint32_t get_dw(const char *file, const char *path, const char *name, int *present)
{
    bf_hive *h;
    OK(bf_hive_open(file, 0, &h, &E));
    bf_node n;
    bf_value v;
    uint32_t r = 0;
    *present = 0;
    if (bf_node_lookup(h, bf_hive_root(h), path, &n, &E) == BF_OK &&
        bf_node_get_value(h, n, name, &v, &E) == BF_OK) {
        uint8_t *d;
        size_t len;
        uint32_t t;
        OK(bf_value_data(h, v, &t, &d, &len, &E));
        ck_assert_uint_eq(len, 4);
        r = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
        free(d);
        *present = 1;
    }
    bf_hive_close(h);
    return r;
}

static oracle_walk *walk(const char *path)
{
    char why[ORACLE_ERRSZ];
    oracle_walk *w = oracle_walk_hivex(path, why);
    ck_assert_msg(w != NULL, "hivex walk of %s: %s", path, why);
    return w;
}

static void assert_walks_equal(const oracle_walk *a, const oracle_walk *b)
{
    char diff[2048];
    ck_assert_msg(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof diff) == 0, "walks differ: %s", diff);
}

/* Records of a not in b and of b not in a. */
static int rec_cmp(const oracle_rec *x, const oracle_rec *y)
{
    int c;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    if ((c = strcmp(x->path, y->path)))
        return c;
    if (x->kind == ORACLE_VALUE) {
        if ((c = strcmp(x->name, y->name)))
            return c;
        if (x->type != y->type)
            return x->type < y->type ? -1 : 1;
        if (x->len != y->len)
            return x->len < y->len ? -1 : 1;
        return x->len ? memcmp(x->data, y->data, x->len) : 0;
    }
    if (x->nsubkeys != y->nsubkeys)
        return x->nsubkeys < y->nsubkeys ? -1 : 1;
    if (x->nvalues != y->nvalues)
        return x->nvalues < y->nvalues ? -1 : 1;
    return 0;
}

static int rec_qcmp(const void *a, const void *b)
{
    return rec_cmp(*(const oracle_rec *const *)a, *(const oracle_rec *const *)b);
}

static const oracle_rec **sorted_recs(const oracle_walk *w)
{
    const oracle_rec **v = malloc((w->n + 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < w->n; i++)
        v[i] = &w->recs[i];
    qsort(v, w->n, sizeof *v, rec_qcmp);
    return v;
}

/* Count the records only in a and only in b; `want_b` (may be NULL) lists
 * "path|name" of value records that must be among those only in b. */
static void walk_delta(const oracle_walk *a, const oracle_walk *b, size_t *only_a, size_t *only_b)
{
    const oracle_rec **va = sorted_recs(a), **vb = sorted_recs(b);
    size_t i = 0, k = 0;
    *only_a = *only_b = 0;
    while (i < a->n || k < b->n) {
        int c = i == a->n ? 1 : k == b->n ? -1 : rec_cmp(va[i], vb[k]);
        if (c < 0) {
            ++*only_a;
            i++;
        } else if (c > 0) {
            ++*only_b;
            k++;
        } else {
            i++;
            k++;
        }
    }
    free(va);
    free(vb);
}

static int walk_has_value(const oracle_walk *w, const char *path, const char *name, uint32_t type,
                          const void *data, size_t len)
{
    for (size_t i = 0; i < w->n; i++) {
        const oracle_rec *r = &w->recs[i];
        if (r->kind == ORACLE_VALUE && !strcmp(r->path, path) && !strcmp(r->name, name) &&
            r->type == type && r->len == len && (len == 0 || !memcmp(r->data, data, len)))
            return 1;
    }
    return 0;
}

static int walk_has_path(const oracle_walk *w, const char *path, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->recs[i].path, path) && (name ? w->recs[i].kind == ORACLE_VALUE && !strcmp(w->recs[i].name, name)
                                                   : w->recs[i].kind == ORACLE_KEY))
            return 1;
    return 0;
}

/* ---- the journal format ------------------------------------------------------------------ */

static void fill_nasty(bf_journal *j)
{
    memset(j, 0, sizeof *j);
    j->recipe = strdup("serial-console on");
    j->created = strdup("2026-11-21T10:00:00Z");
    j->target = strdup("/mnt/with space/tab\there");
    j->reverts = strdup("/x/%41/journal.txt");
    j->undone = strdup("2026-11-22T00:00:00Z by /y/journal.txt");
    OK(rc_journal_add_file(j, "SYSTEM", "/mnt/a b/Windows/System32/config/SYSTEM", NULL, NULL, &E));
    OK(rc_journal_add_file(j, "BCD", "/boot/-\n%", "-", NULL, &E));
    j->files[1].committed = 1;
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    const char *names[] = {"", "tab\there", "nl\nand\rcr", "100%", "-", "ünïcödé ✓ 𝄞", "%2D", " lead",
                           "#hash", "a\\b", "\x7f\x01"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        OK(rc_journal_add(j, i % 2, BF_J_VALUE, names[(i + 3) % 11], names[i], (int)(i % 3 != 0), (uint32_t)i,
                          all, i * 20, (int)(i % 3 != 1), 0x12345678u + (uint32_t)i, all + i, 256 - i, &E));
    OK(rc_journal_add(j, 0, BF_J_KEY_ADD, "Key\twith\ttabs", "", 0, 0, NULL, 0, 0, 0, NULL, 0, &E));
    OK(rc_journal_add(j, 1, BF_J_KEY_DEL, "Objects\\{x}\\Elements\\25000080", "", 0, 0, NULL, 0, 0, 0, NULL, 0, &E));
    OK(rc_journal_add(j, 0, BF_J_VALUE, "K", "empty", 1, BF_REG_SZ, NULL, 0, 1, BF_REG_SZ, all, 0, &E));
    for (int i = 0; i < 40; i++) /* past the growth steps */
        OK(rc_journal_add(j, 0, BF_J_VALUE, "Many", "v", 0, 0, NULL, 0, 1, BF_REG_DWORD, all + i, 4, &E));
}

static int streq_null(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static void assert_journals_equal(const bf_journal *a, const bf_journal *b)
{
    ck_assert(streq_null(a->recipe, b->recipe));
    ck_assert(streq_null(a->created, b->created));
    ck_assert(streq_null(a->target, b->target));
    ck_assert(streq_null(a->reverts, b->reverts));
    ck_assert(streq_null(a->undone, b->undone));
    ck_assert_uint_eq(a->nfiles, b->nfiles);
    for (size_t i = 0; i < a->nfiles; i++) {
        ck_assert_str_eq(a->files[i].label, b->files[i].label);
        ck_assert_str_eq(a->files[i].path, b->files[i].path);
        ck_assert(streq_null(a->files[i].backup, b->files[i].backup));
        ck_assert_int_eq(a->files[i].committed, b->files[i].committed);
    }
    ck_assert_uint_eq(a->nentries, b->nentries);
    for (size_t i = 0; i < a->nentries; i++) {
        const bf_journal_entry *x = &a->entries[i], *y = &b->entries[i];
        ck_assert_uint_eq(x->file, y->file);
        ck_assert_int_eq(x->op, y->op);
        ck_assert_str_eq(x->key, y->key);
        ck_assert_str_eq(x->value, y->value);
        ck_assert_int_eq(x->old_present, y->old_present);
        ck_assert_int_eq(x->new_present, y->new_present);
        if (x->old_present) {
            ck_assert_uint_eq(x->old_type, y->old_type);
            ck_assert_uint_eq(x->old_len, y->old_len);
            ck_assert(x->old_len == 0 || !memcmp(x->old_data, y->old_data, x->old_len));
        }
        if (x->new_present) {
            ck_assert_uint_eq(x->new_type, y->new_type);
            ck_assert_uint_eq(x->new_len, y->new_len);
            ck_assert(x->new_len == 0 || !memcmp(x->new_data, y->new_data, x->new_len));
        }
    }
}

START_TEST(test_format_round_trip)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    char *p = pjoin(dir, "journal.txt");
    bf_journal j, r;
    fill_nasty(&j);
    OK(bf_journal_write(p, &j, &E));
    OK(bf_journal_read(p, &r, &E));
    assert_journals_equal(&j, &r);
    ck_assert_str_eq(r.path, p);

    /* the text: a comment first, one record per line, fields without raw
     * control characters, valid for a second write byte for byte */
    size_t len;
    uint8_t *text = test_slurp(p, &len);
    ck_assert_ptr_nonnull(text);
    const char *c = "# bootfix journal: revert with `bootfix undo ";
    ck_assert(len > strlen(c) && !memcmp(text, c, strlen(c)));
    ck_assert_ptr_nonnull(strstr((char *)text, "\nbootfix-journal\t1\n"));
    ck_assert_ptr_nonnull(strstr((char *)text, "value\t0\tK\tempty\tREG_SZ:\tREG_SZ:\n"));
    ck_assert_ptr_nonnull(strstr((char *)text, "\tnl%0Aand%0Dcr\t"));
    ck_assert_ptr_nonnull(strstr((char *)text, "\t100%25\t"));
    ck_assert_ptr_nonnull(strstr((char *)text, "\t%2D\t"));
    ck_assert_ptr_nonnull(strstr((char *)text, "ünïcödé ✓ 𝄞"));
    ck_assert_ptr_nonnull(strstr((char *)text, "REG_DWORD:00010203"));
    ck_assert_ptr_nonnull(strstr((char *)text, "0x1234567A:"));
    ck_assert_ptr_nonnull(strstr((char *)text, "\nend\t54\n"));
    for (size_t i = 0; i < len; i++)
        ck_assert(text[i] == '\n' || text[i] == '\t' || text[i] >= 0x20);
    unlink(p);
    OK(bf_journal_write(p, &r, &E));
    char *p2 = pjoin(dir, "again.txt");
    OK(bf_journal_write(p2, &r, &E));
    ck_assert(same_bytes(p, p2)); /* the comment names the target, not the path */
    size_t len2;
    uint8_t *text2 = test_slurp(p2, &len2);
    ck_assert(len2 == len && !memcmp(text, text2, len));
    free(text);
    free(text2);

    /* CRLF line ends are accepted */
    bf_journal_free(&r);
    bf_journal_free(&j);
    memset(&j, 0, sizeof j);
    const char *crlf = "# c\r\nbootfix-journal\t1\r\nrecipe\tx\r\ncreated\tt\r\ntarget\t\r\n"
                       "file\t0\tSYSTEM\t1\t/a\t-\r\nvalue\t0\tK\t\t-\tREG_NONE:\r\nend\t1\r\n";
    test_put_file(p2, (const uint8_t *)crlf, strlen(crlf));
    OK(bf_journal_read(p2, &r, &E));
    ck_assert_uint_eq(r.nentries, 1);
    ck_assert_str_eq(r.entries[0].value, "");
    ck_assert_str_eq(r.target, "");
    ck_assert_ptr_null(r.files[0].backup);
    ck_assert_int_eq(r.entries[0].new_present, 1);
    ck_assert_uint_eq(r.entries[0].new_len, 0);
    bf_journal_free(&r);
    free(p);
    free(p2);
    test_rm_tree(dir);
}
END_TEST

static const struct {
    const char *body; /* after the header */
    unsigned line;    /* expected line number */
    const char *what; /* in the message */
} g_bad[] = {
    {"@bootfix-journal\t2\n", 2, "version 2"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nvalue\t0\tK\tV\t-\tREG_DWORD:0g000000\nend\t1\n", 7, "hex digit"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nvalue\t0\tK\tV\t-\tREG_DWORD:000\nend\t1\n", 7, "odd number"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nvalue\t1\tK\tV\t-\tREG_DWORD:00000000\nend\t1\n", 7, "out of range"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey+\t0\tK\n", 8, "truncated"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey+\t0\tK\nend\t2\n", 8, "end record says"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey+\t0\tK%4\nend\t1\n", 7, "two hex digits"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey+\t0\tK%zz\nend\t1\n", 7, "two hex digits"},
    {"frobnicate\t1\nend\t0\n", 6, "unknown record"},
    {"file\t1\tSYSTEM\t1\t/a\t-\nend\t0\n", 6, "expected"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nrecipe\tagain\nend\t0\n", 7, "after the file"},
    {"recipe\ty\nend\t0\n", 6, "second"},
    {"file\t0\tSYSTEM\t1\t/a\nend\t0\n", 6, "5 fields"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nvalue\t0\tK\tV\t-\t-\nend\t1\n", 7, "both absent"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nvalue\t0\tK\tV\t-\tREG_FOO:00\nend\t1\n", 7, "unknown value type"},
    {"file\t0\tSYSTEM\t2\t/a\t-\nend\t0\n", 6, "committed"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey+\t0\tK%00\nend\t1\n", 7, "NUL"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey+\t0\tK\xff\nend\t1\n", 7, "UTF-8"},
    {"end\t0\nkey+\t0\tK\n", 7, "after the end"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey+\t0\tK\nend\t1", 8, "line end"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey+\t00\tK\nend\t1\n", 7, "leading zero"},
    {"file\t0\t\t1\t/a\t-\nend\t0\n", 6, "label"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nkey-\t0\t\nend\t1\n", 7, "root key"},
    {"file\t0\tSYSTEM\t1\t/a\t-\nvalue\t0\tK\tV\t-\t0x1:00\t\nend\t1\n", 7, "fields"},
};

START_TEST(test_format_malformed)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    char *p = pjoin(dir, "journal.txt");
    const char *head = "# bootfix journal\nbootfix-journal\t1\nrecipe\tx\ncreated\tt\ntarget\t/t\n";
    for (size_t i = 0; i < sizeof g_bad / sizeof *g_bad; i++) {
        char text[1024];
        if (g_bad[i].body[0] == '@') /* replaces the version line */
            snprintf(text, sizeof text, "# c\n%s", g_bad[i].body + 1);
        else
            snprintf(text, sizeof text, "%s%s", head, g_bad[i].body);
        test_put_file(p, (const uint8_t *)text, strlen(text));
        bf_journal j;
        memset(&E, 0, sizeof E);
        int rc = bf_journal_read(p, &j, &E);
        ck_assert_msg(rc == BF_ERR_FORMAT, "case %zu: rc %d (%s)", i, rc, E.msg);
        char want[128];
        snprintf(want, sizeof want, "%s: line %u: ", p, g_bad[i].line);
        ck_assert_msg(strstr(E.msg, want) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, E.msg, want);
        ck_assert_msg(strstr(E.msg, g_bad[i].what) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, E.msg,
                      g_bad[i].what);
        ck_assert_ptr_null(j.entries);
        ck_assert_ptr_null(j.recipe);
    }
    /* missing header records and an empty file */
    const char *nohdr = "bootfix-journal\t1\ncreated\tt\ntarget\t/t\nend\t0\n";
    test_put_file(p, (const uint8_t *)nohdr, strlen(nohdr));
    bf_journal j;
    ck_assert_int_eq(bf_journal_read(p, &j, &E), BF_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(E.msg, "no \"recipe\" record"));
    test_put_file(p, (const uint8_t *)"", 0);
    ck_assert_int_eq(bf_journal_read(p, &j, &E), BF_ERR_FORMAT);
    ck_assert_int_eq(bf_journal_read("/nonexistent/journal.txt", &j, &E), BF_ERR_NOT_FOUND);
    printf("journal format: %zu malformed journals refused with their line numbers\n",
           sizeof g_bad / sizeof *g_bad);
    free(p);
    test_rm_tree(dir);
}
END_TEST

static void put_journal(const char *root, const char *folder, const char *recipe, const char *undone)
{
    char *d = pjoin(root, folder);
    mkdir(d, 0755);
    char *p = pjoin(d, "journal.txt");
    bf_journal j;
    memset(&j, 0, sizeof j);
    j.recipe = strdup(recipe);
    j.created = strdup("2026-01-01T00:00:00Z");
    j.target = strdup("/t");
    j.undone = undone ? strdup(undone) : NULL;
    OK(bf_journal_write(p, &j, &E));
    bf_journal_free(&j);
    free(p);
    free(d);
}

START_TEST(test_find_latest)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    char *path;
    ck_assert_int_eq(bf_journal_find_latest(dir, NULL, 0, &path, &E), BF_ERR_NOT_FOUND);
    put_journal(dir, "20260101T000000Z-a", "a", NULL);
    put_journal(dir, "20260102T000000Z-b", "b", "2026 by x");
    put_journal(dir, "20260103T000000Z-undo", "undo", NULL);
    char *empty = pjoin(dir, "20260104T000000Z-x"); /* a folder without a journal */
    mkdir(empty, 0755);
    OK(bf_journal_find_latest(dir, NULL, 0, &path, &E));
    ck_assert_ptr_nonnull(strstr(path, "20260101T000000Z-a/journal.txt"));
    free(path);
    OK(bf_journal_find_latest(dir, NULL, 1, &path, &E));
    ck_assert_ptr_nonnull(strstr(path, "20260103T000000Z-undo/journal.txt"));
    free(path);
    ck_assert_int_eq(bf_journal_find_latest(dir, "b", 0, &path, &E), BF_ERR_NOT_FOUND);
    ck_assert_ptr_null(path);
    OK(bf_journal_find_latest(dir, "b", 1, &path, &E));
    ck_assert_ptr_nonnull(strstr(path, "-b/journal.txt"));
    free(path);
    OK(bf_journal_find_latest(dir, "a", 0, &path, &E));
    ck_assert_ptr_nonnull(strstr(path, "-a/journal.txt"));
    free(path);
    /* a newer malformed journal is an error, not skipped silently */
    char *bad = pjoin(empty, "journal.txt");
    test_put_file(bad, (const uint8_t *)"junk\n", 5);
    ck_assert_int_eq(bf_journal_find_latest(dir, NULL, 0, &path, &E), BF_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(E.msg, "line 1"));
    char *missing = pjoin(dir, "nope");
    ck_assert_int_eq(bf_journal_find_latest(missing, NULL, 0, &path, &E), BF_ERR_NOT_FOUND);
    free(missing);
    free(bad);
    free(empty);
    test_rm_tree(dir);
}
END_TEST

/* ---- bf_journal_diff ---------------------------------------------------------------------------- */

static void diff(bf_hive *a, bf_hive *b, bf_journal *j)
{
    memset(j, 0, sizeof *j);
    OK(rc_journal_add_file(j, "SYSTEM", "/x", NULL, NULL, &E));
    OK(bf_journal_diff(a, b, 0, j, &E));
}

static void expect(const bf_journal *j, size_t i, int op, const char *key, const char *value, int oldp,
                   int newp)
{
    ck_assert_msg(i < j->nentries, "entry %zu missing (%zu entries)", i, j->nentries);
    const bf_journal_entry *e = &j->entries[i];
    ck_assert_msg(e->op == op && !strcmp(e->key, key) && (!value || !strcmp(e->value, value)),
                  "entry %zu: op %d key %s value %s; want op %d key %s value %s", i, e->op, e->key,
                  e->value, op, key, value ? value : "*");
    if (op == BF_J_VALUE) {
        ck_assert_int_eq(e->old_present, oldp);
        ck_assert_int_eq(e->new_present, newp);
    }
}

START_TEST(test_diff_values)
{
    bf_hive *a = new_hive(5), *b = new_hive(5);
    uint8_t bin[3] = {1, 2, 3};
    for (int k = 0; k < 2; k++) {
        bf_hive *h = k ? b : a;
        set_dw(h, "K", "Same", 7);
        set_raw(h, "K", "TypeOnly", k ? BF_REG_NONE : BF_REG_BINARY, bin, 3);
        set_sz(h, "Other\\Deeper", "", "same default");
    }
    set_dw(a, "K", "A", 1);
    set_dw(b, "K", "A", 2);
    set_sz(a, "K", "b", "x");
    set_dw(b, "K", "D", 4);
    set_sz(b, "", "", "root default"); /* a value on the root key */
    bf_journal j;
    diff(a, b, &j);
    ck_assert_uint_eq(j.nentries, 5);
    expect(&j, 0, BF_J_VALUE, "", "", 0, 1);
    expect(&j, 1, BF_J_VALUE, "K", "A", 1, 1);
    expect(&j, 2, BF_J_VALUE, "K", "b", 1, 0);
    expect(&j, 3, BF_J_VALUE, "K", "D", 0, 1);
    expect(&j, 4, BF_J_VALUE, "K", "TypeOnly", 1, 1);
    ck_assert_uint_eq(j.entries[1].old_type, BF_REG_DWORD);
    ck_assert_uint_eq(j.entries[1].old_data[0], 1);
    ck_assert_uint_eq(j.entries[1].new_data[0], 2);
    ck_assert_uint_eq(j.entries[4].old_type, BF_REG_BINARY);
    ck_assert_uint_eq(j.entries[4].new_type, BF_REG_NONE);
    ck_assert_uint_eq(j.entries[2].old_type, BF_REG_SZ);
    ck_assert_uint_eq(j.entries[2].old_len, 4);
    bf_journal_free(&j);
    /* the reverse diff mirrors it */
    diff(b, a, &j);
    ck_assert_uint_eq(j.nentries, 5);
    expect(&j, 0, BF_J_VALUE, "", "", 1, 0);
    expect(&j, 2, BF_J_VALUE, "K", "b", 0, 1);
    bf_journal_free(&j);
    /* identical hives: nothing */
    diff(a, a, &j);
    ck_assert_uint_eq(j.nentries, 0);
    bf_journal_free(&j);
    bf_hive_close(a);
    bf_hive_close(b);
}
END_TEST

START_TEST(test_diff_subtrees)
{
    bf_hive *a = new_hive(5), *b = new_hive(5);
    for (int k = 0; k < 2; k++) {
        bf_hive *h = k ? b : a;
        set_dw(h, "Top\\Keep", "v", 1);
    }
    /* added: Top\New with a value and a subkey Sub with a value */
    set_dw(b, "Top\\New", "nv", 1);
    set_dw(b, "Top\\New\\Sub", "sv", 2);
    mkpath(b, "Top\\New\\Empty");
    /* deleted: Top\Old with a value and Old\Sub with a value */
    set_dw(a, "Top\\Old", "ov", 1);
    set_dw(a, "Top\\Old\\Sub", "osv", 2);
    bf_journal j;
    diff(a, b, &j);
    ck_assert_uint_eq(j.nentries, 9);
    expect(&j, 0, BF_J_KEY_ADD, "Top\\New", NULL, 0, 0);
    expect(&j, 1, BF_J_VALUE, "Top\\New", "nv", 0, 1);
    expect(&j, 2, BF_J_KEY_ADD, "Top\\New\\Empty", NULL, 0, 0);
    expect(&j, 3, BF_J_KEY_ADD, "Top\\New\\Sub", NULL, 0, 0);
    expect(&j, 4, BF_J_VALUE, "Top\\New\\Sub", "sv", 0, 1);
    expect(&j, 5, BF_J_VALUE, "Top\\Old", "ov", 1, 0);
    expect(&j, 6, BF_J_VALUE, "Top\\Old\\Sub", "osv", 1, 0);
    expect(&j, 7, BF_J_KEY_DEL, "Top\\Old\\Sub", NULL, 0, 0);
    expect(&j, 8, BF_J_KEY_DEL, "Top\\Old", NULL, 0, 0);
    bf_journal_free(&j);
    bf_hive_close(a);
    bf_hive_close(b);
}
END_TEST

START_TEST(test_diff_case_and_order)
{
    bf_hive *a = new_hive(5), *b = new_hive(5);
    set_dw(a, "Services\\Serial", "Start", 3);
    set_dw(b, "SERVICES\\serial", "START", 3); /* same key and value, other case */
    set_dw(a, "Services\\Ümlaut", "Wert", 1);
    set_dw(b, "services\\üMLAUT", "wERT", 1);
    /* siblings added in scrambled order come out sorted by uppercase name */
    const char *names[] = {"zeta", "Alpha", "mid", "BETA", "_under", "Mid2"};
    for (size_t i = 0; i < 6; i++) {
        char p[64];
        snprintf(p, sizeof p, "Services\\%s", names[i]);
        mkpath(b, p);
    }
    bf_journal j;
    diff(a, b, &j);
    ck_assert_uint_eq(j.nentries, 6);
    const char *want[] = {"ALPHA", "BETA", "MID", "MID2", "ZETA", "_UNDER"};
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(j.entries[i].op, BF_J_KEY_ADD);
        ck_assert_msg(strncmp(j.entries[i].key, "SERVICES\\", 9) == 0, "%s", j.entries[i].key);
        const char *n = j.entries[i].key + 9;
        ck_assert_msg(strcasecmp(n, want[i]) == 0, "entry %zu is %s, want %s", i, n, want[i]);
    }
    bf_journal_free(&j);
    bf_hive_close(a);
    bf_hive_close(b);
}
END_TEST

START_TEST(test_diff_deep_and_big)
{
    bf_hive *a = new_hive(5), *b = new_hive(5);
    char path[8192] = "";
    size_t depth = 400;
    for (size_t i = 0; i < depth; i++)
        strcat(path, i ? "\\d" : "d");
    set_dw(a, path, "leaf", 1);
    set_dw(b, path, "leaf", 1);
    strcat(path, "\\x\\y\\z");
    set_dw(b, path, "new", 5);
    /* big data (more than one 16344-byte segment) */
    size_t n = 40000;
    uint8_t *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (uint8_t)(i * 7);
    set_raw(a, "Big", "blob", BF_REG_BINARY, big, n);
    big[n - 1] ^= 0xFF;
    set_raw(b, "Big", "blob", BF_REG_BINARY, big, n);
    bf_journal j;
    diff(a, b, &j);
    ck_assert_uint_eq(j.nentries, 5);
    expect(&j, 0, BF_J_VALUE, "Big", "blob", 1, 1);
    ck_assert_uint_eq(j.entries[0].new_len, n);
    ck_assert(!memcmp(j.entries[0].new_data, big, n));
    ck_assert_uint_eq(j.entries[0].old_data[n - 1], (uint8_t)((n - 1) * 7));
    ck_assert_int_eq(j.entries[1].op, BF_J_KEY_ADD);
    ck_assert_int_eq(j.entries[3].op, BF_J_KEY_ADD);
    size_t kl = strlen(j.entries[1].key);
    ck_assert(kl > 2 && !strcmp(j.entries[1].key + kl - 2, "\\x"));
    ck_assert_uint_eq(strlen(j.entries[4].key), strlen(path));
    ck_assert_str_eq(j.entries[4].key, path);
    expect(&j, 4, BF_J_VALUE, path, "new", 0, 1);
    bf_journal_free(&j);
    free(big);
    bf_hive_close(a);
    bf_hive_close(b);
}
END_TEST

/* ---- write sessions ---------------------------------------------------------------------------- */

/* A fixture: <dir>/Windows/System32/config/SYSTEM (+ a SYSTEM.LOG1) and
 * <dir>/Boot/BCD, with a target whose root is <dir>. */
typedef struct fixture {
    char dir[64];
    char *sys, *log1, *bcd, *backup_root;
    bf_target t;
} fixture;

static void fixture_make(fixture *f)
{
    memset(f, 0, sizeof *f);
    tmpdir(f->dir, sizeof f->dir);
    char *w = pjoin(f->dir, "Windows");
    char *s32 = pjoin(w, "System32");
    char *cfg = pjoin(s32, "config");
    char *boot = pjoin(f->dir, "Boot");
    ck_assert_int_eq(mkdir(w, 0755) | mkdir(s32, 0755) | mkdir(cfg, 0755) | mkdir(boot, 0755), 0);
    f->sys = pjoin(cfg, "SYSTEM");
    f->log1 = pjoin(cfg, "SYSTEM.LOG1");
    f->bcd = pjoin(boot, "BCD");
    f->backup_root = pjoin(f->dir, RC_BACKUP_DIRNAME);
    bf_hive *h = new_hive(5);
    set_dw(h, "Select", "Current", 1);
    set_dw(h, "ControlSet001\\Control\\CrashControl", "CrashDumpEnabled", 7);
    set_dw(h, "ControlSet001\\Control\\CrashControl", "AutoReboot", 1);
    set_sz(h, "ControlSet001\\Services\\Old", "ImagePath", "old.sys");
    set_dw(h, "ControlSet001\\Services\\Old\\Parameters", "X", 9);
    save_hive(h, f->sys);
    bf_hive_close(h);
    test_put_file(f->log1, (const uint8_t *)"not really a log", 16);
    h = new_hive(3);
    set_sz(h, "Description", "KeyName", "BCD00000001");
    set_dw(h, "Objects\\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\\Elements\\16000020", "Element", 1);
    set_dw(h, "Objects\\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\\Elements\\25000004", "Element", 30);
    save_hive(h, f->bcd);
    bf_hive_close(h);
    f->t.root = f->dir;
    f->t.system_path = f->sys;
    f->t.bcd_path = f->bcd;
    free(w);
    free(s32);
    free(cfg);
    free(boot);
}

static void fixture_free(fixture *f)
{
    test_rm_tree(f->dir);
    free(f->sys);
    free(f->log1);
    free(f->bcd);
    free(f->backup_root);
}

static unsigned long g_inject; /* fail the N-th I/O operation of the txn (0: none) */

/* Edit both files as a recipe would and commit them through a txn. */
static int run_txn(fixture *f, const bf_run_opts *o, int edit, bf_run_result *res, bf_error *err)
{
    bf_hive *s = open_w(f->sys), *b = open_w(f->bcd);
    if (edit) {
        set_dw(s, "ControlSet001\\Control\\CrashControl", "CrashDumpEnabled", 2); /* changed */
        set_dw(s, "ControlSet001\\Control\\CrashControl", "AlwaysKeepMemoryDump", 1); /* added */
        del_key(s, "ControlSet001\\Services\\Old"); /* subtree deleted */
        set_dw(s, "ControlSet001\\Services\\New\\Parameters", "P", 3); /* subtree added */
        del_value(b, "Objects\\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\\Elements\\25000004", "Element");
    } else {
        set_dw(s, "Select", "Current", 1); /* rewritten with the same data */
    }
    struct rc_txn x;
    memset(&x, 0, sizeof x);
    x.title = "serial-console on";
    x.backup_root = f->backup_root;
    x.t = &f->t;
    x.o = o;
    if (g_inject)
        bf_io_fail_at(g_inject, EIO);
    int rc = rc_txn_add(&x, "SYSTEM", f->sys, s, 0, err);
    if (rc == BF_OK)
        rc = rc_txn_add(&x, "BCD", f->bcd, b, 0, err);
    if (rc == BF_OK)
        rc = rc_txn_commit(&x, res, err);
    rc_txn_free(&x);
    bf_hive_close(s);
    bf_hive_close(b);
    return rc;
}

static char *copy_of(const char *path, const char *dir, const char *name)
{
    char *p = pjoin(dir, name);
    size_t n;
    uint8_t *d = test_slurp(path, &n);
    ck_assert_ptr_nonnull(d);
    test_put_file(p, d, n);
    free(d);
    return p;
}

START_TEST(test_txn_two_files)
{
    fixture f;
    fixture_make(&f);
    char keep[64];
    tmpdir(keep, sizeof keep);
    char *sys0 = copy_of(f.sys, keep, "SYSTEM"), *bcd0 = copy_of(f.bcd, keep, "BCD");
    oracle_walk *ws0 = walk(f.sys), *wb0 = walk(f.bcd);

    bf_run_opts o;
    memset(&o, 0, sizeof o);
    bf_run_result res;
    memset(&res, 0, sizeof res);
    OK(run_txn(&f, &o, 1, &res, &E));

    /* the backup folder */
    ck_assert_ptr_nonnull(res.backup_dir);
    ck_assert_msg(strncmp(res.backup_dir, f.backup_root, strlen(f.backup_root)) == 0, "%s", res.backup_dir);
    size_t bl = strlen(res.backup_dir);
    ck_assert_msg(bl > 18 && !strcmp(res.backup_dir + bl - 18, "-serial-console-on"), "%s", res.backup_dir);
    char *bs = pjoin(res.backup_dir, "SYSTEM"), *blog = pjoin(res.backup_dir, "SYSTEM.LOG1"),
         *bb = pjoin(res.backup_dir, "BCD");
    ck_assert(same_bytes(bs, sys0));
    ck_assert(same_bytes(bb, bcd0));
    ck_assert(same_bytes(blog, f.log1));
    ck_assert_uint_eq(count_entries(res.backup_dir), 4); /* SYSTEM, SYSTEM.LOG1, BCD, journal */
    ck_assert_uint_eq(res.nwritten, 2);
    ck_assert_str_eq(res.written[0], f.sys);
    ck_assert_str_eq(res.written[1], f.bcd);

    /* the journal */
    bf_journal j;
    ck_assert_ptr_nonnull(res.journal_path);
    OK(bf_journal_read(res.journal_path, &j, &E));
    ck_assert_str_eq(j.recipe, "serial-console on");
    ck_assert_str_eq(j.target, f.dir);
    ck_assert_ptr_null(j.reverts);
    ck_assert_ptr_null(j.undone);
    ck_assert_uint_eq(j.nfiles, 2);
    ck_assert_str_eq(j.files[0].label, "SYSTEM");
    ck_assert_str_eq(j.files[0].backup, bs);
    ck_assert_str_eq(j.files[1].backup, bb);
    ck_assert(j.files[0].committed && j.files[1].committed);
    /* SYSTEM: 2 values, New (2 keys added, 1 value), Old (2 values and 2 keys
     * deleted); BCD: 1 value */
    ck_assert_uint_eq(j.nentries, 10);
    ck_assert_uint_eq(j.entries[8].file, 0);
    ck_assert_int_eq(j.entries[8].op, BF_J_KEY_DEL);
    ck_assert_str_eq(j.entries[8].key, "ControlSet001\\Services\\Old");
    ck_assert_uint_eq(j.entries[9].file, 1);
    ck_assert_int_eq(j.entries[9].op, BF_J_VALUE);
    ck_assert_int_eq(j.entries[9].new_present, 0);
    bf_journal_free(&j);

    /* the files as hivex reads them: exactly the intended changes */
    oracle_walk *ws1 = walk(f.sys), *wb1 = walk(f.bcd);
    size_t only0, only1;
    walk_delta(ws0, ws1, &only0, &only1);
    /* before only: CrashDumpEnabled=7, CrashControl key (2 values), Old, its
     * value, Old\Parameters, its value = 6; after only: CrashDumpEnabled=2,
     * AlwaysKeepMemoryDump, CrashControl key (3 values), New, New\Parameters,
     * P = 6 (Services has one subkey before and after) */
    ck_assert_uint_eq(only0, 6);
    ck_assert_uint_eq(only1, 6);
    uint8_t two[4] = {2, 0, 0, 0}, one[4] = {1, 0, 0, 0}, three[4] = {3, 0, 0, 0};
    ck_assert(walk_has_value(ws1, "ControlSet001\\Control\\CrashControl", "CrashDumpEnabled", 4, two, 4));
    ck_assert(walk_has_value(ws1, "ControlSet001\\Control\\CrashControl", "AlwaysKeepMemoryDump", 4, one, 4));
    ck_assert(walk_has_value(ws1, "ControlSet001\\Services\\New\\Parameters", "P", 4, three, 4));
    ck_assert(!walk_has_path(ws1, "ControlSet001\\Services\\Old", NULL));
    walk_delta(wb0, wb1, &only0, &only1);
    ck_assert_uint_eq(only0, 2); /* the value and its key's value count */
    ck_assert_uint_eq(only1, 1);
    /* libregf agrees with hivex on the structure */
    char why[ORACLE_ERRSZ], d[1024];
    oracle_walk *wl = oracle_walk_libregf(f.sys, why);
    ck_assert_msg(wl != NULL, "%s", why);
    ck_assert_msg(oracle_compare(ws1, wl, ORACLE_CMP_DATA, d, sizeof d) == 0, "%s", d);
    oracle_walk_free(wl);

    oracle_walk_free(ws0);
    oracle_walk_free(wb0);
    oracle_walk_free(ws1);
    oracle_walk_free(wb1);
    bf_run_result_free(&res);
    free(bs);
    free(blog);
    free(bb);
    free(sys0);
    free(bcd0);
    test_rm_tree(keep);
    fixture_free(&f);
}
END_TEST

/* The N-th I/O operation of a txn fails, for N = 1, 2, ... until it
 * succeeds: both files are byte-identical to their originals (and the
 * message says nothing was written), never one without the other. */
START_TEST(test_txn_faults)
{
    unsigned long n, tolerated = 0;
    int done = 0;
    for (n = 1; n < 400 && !done; n++) {
        fixture f;
        fixture_make(&f);
        char keep[64];
        tmpdir(keep, sizeof keep);
        char *sys0 = copy_of(f.sys, keep, "SYSTEM"), *bcd0 = copy_of(f.bcd, keep, "BCD");
        bf_run_opts o;
        memset(&o, 0, sizeof o);
        bf_run_result res;
        memset(&res, 0, sizeof res);
        memset(&E, 0, sizeof E);
        g_inject = n;
        int rc = run_txn(&f, &o, 1, &res, &E);
        g_inject = 0;
        unsigned long ran = bf_io_fail_at(0, 0);
        if (rc == BF_OK) {
            /* done, or the failed operation was one that may fail (reading
             * the logs of a clean hive, flushing a new folder's parent) */
            done = ran < n;
            bf_journal j;
            OK(bf_journal_read(res.journal_path, &j, &E));
            ck_assert_uint_eq(j.nentries, 10);
            ck_assert(j.files[0].committed && j.files[1].committed);
            bf_journal_free(&j);
            ck_assert(!same_bytes(f.sys, sys0) && !same_bytes(f.bcd, bcd0));
            tolerated += !done;
        } else {
            ck_assert_msg(E.msg[0] != 0, "operation %lu: empty message", n);
            /* all or nothing: both files as they were, or (a flush failed
               after the renames could not be undone) both written */
            int s_same = same_bytes(f.sys, sys0), b_same = same_bytes(f.bcd, bcd0);
            ck_assert_msg(s_same == b_same, "op %lu: one file written, the other not: %s", n, E.msg);
            if (!s_same)
                ck_assert_msg(strstr(E.msg, f.sys) && strstr(E.msg, f.bcd), "op %lu: %s", n, E.msg);
        }
        bf_run_result_free(&res);
        free(sys0);
        free(bcd0);
        test_rm_tree(keep);
        fixture_free(&f);
    }
    ck_assert(done);
    printf("txn faults: each of the first %lu I/O operations failed in turn (%lu failures tolerated)\n",
           n - 2, tolerated);
}
END_TEST

START_TEST(test_txn_no_change)
{
    fixture f;
    fixture_make(&f);
    char keep[64];
    tmpdir(keep, sizeof keep);
    char *sys0 = copy_of(f.sys, keep, "SYSTEM");
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    bf_run_result res;
    memset(&res, 0, sizeof res);
    OK(run_txn(&f, &o, 0, &res, &E));
    ck_assert_ptr_null(res.backup_dir);
    ck_assert_ptr_null(res.journal_path);
    ck_assert_uint_eq(res.nwritten, 0);
    ck_assert(!exists(f.backup_root));
    ck_assert(same_bytes(f.sys, sys0));
    /* a dry run with changes writes nothing either */
    o.dry_run = 1;
    OK(run_txn(&f, &o, 1, &res, &E));
    ck_assert(!exists(f.backup_root));
    ck_assert(same_bytes(f.sys, sys0));
    bf_run_result_free(&res);
    free(sys0);
    test_rm_tree(keep);
    fixture_free(&f);
}
END_TEST

START_TEST(test_txn_readonly)
{
    if (geteuid() == 0) {
        printf("SKIPPED: read-only folder refusal (running as root: permissions do not apply)\n");
        return;
    }
    fixture f;
    fixture_make(&f);
    char keep[64];
    tmpdir(keep, sizeof keep);
    char *sys0 = copy_of(f.sys, keep, "SYSTEM"), *bcd0 = copy_of(f.bcd, keep, "BCD");
    char *boot = pjoin(f.dir, "Boot");
    ck_assert_int_eq(chmod(boot, 0555), 0);
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    bf_run_result res;
    memset(&res, 0, sizeof res);
    int rc = run_txn(&f, &o, 1, &res, &E);
    chmod(boot, 0755);
    ck_assert_int_eq(rc, BF_ERR_READONLY);
    ck_assert_msg(strstr(E.msg, "Boot") != NULL, "%s", E.msg);
    ck_assert(same_bytes(f.sys, sys0));
    ck_assert(same_bytes(f.bcd, bcd0));
    ck_assert(!exists(f.backup_root));
    ck_assert_uint_eq(res.nwritten, 0);
    bf_run_result_free(&res);
    free(boot);
    free(sys0);
    free(bcd0);
    test_rm_tree(keep);
    fixture_free(&f);
}
END_TEST

START_TEST(test_txn_options)
{
    fixture f;
    fixture_make(&f);
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    bf_run_result res;
    memset(&res, 0, sizeof res);

    /* --backup-dir: created (with parents) when missing */
    char *bdir = pjoin(f.dir, "mine/nested");
    o.backup_dir = bdir;
    OK(run_txn(&f, &o, 1, &res, &E));
    ck_assert_str_eq(res.backup_dir, bdir);
    char *jp = pjoin(bdir, "journal.txt");
    ck_assert(exists(jp));
    ck_assert(!exists(f.backup_root));
    bf_run_result_free(&res);

    /* --no-backup needs --force; with it: a folder with only the journal */
    memset(&o, 0, sizeof o);
    o.no_backup = 1;
    memset(&res, 0, sizeof res);
    bf_hive *s = open_w(f.sys);
    set_dw(s, "Select", "Current", 2);
    struct rc_txn x;
    memset(&x, 0, sizeof x);
    x.title = "t";
    x.backup_root = f.backup_root;
    x.t = &f.t;
    x.o = &o;
    OK(rc_txn_add(&x, "SYSTEM", f.sys, s, 0, &E));
    ck_assert_int_eq(rc_txn_commit(&x, &res, &E), BF_ERR_INVALID);
    ck_assert(!exists(f.backup_root));
    o.force = 1;
    OK(rc_txn_commit(&x, &res, &E));
    rc_txn_free(&x);
    bf_hive_close(s);
    ck_assert_uint_eq(count_entries(res.backup_dir), 1);
    bf_journal j;
    OK(bf_journal_read(res.journal_path, &j, &E));
    ck_assert_ptr_null(j.files[0].backup);
    ck_assert_uint_eq(j.nentries, 1);
    bf_journal_free(&j);
    bf_run_result_free(&res);
    free(jp);
    free(bdir);
    fixture_free(&f);
}
END_TEST

START_TEST(test_txn_backup_dir_taken)
{
    fixture f;
    fixture_make(&f);
    char keep[64];
    tmpdir(keep, sizeof keep);
    char *sys0 = copy_of(f.sys, keep, "SYSTEM");
    char *bdir = pjoin(f.dir, "taken");
    mkdir(bdir, 0755);
    char *jp = pjoin(bdir, "journal.txt");
    test_put_file(jp, (const uint8_t *)"x\n", 2);
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    o.backup_dir = bdir;
    bf_run_result res;
    memset(&res, 0, sizeof res);
    ck_assert_int_eq(run_txn(&f, &o, 1, &res, &E), BF_ERR_EXISTS);
    ck_assert_ptr_nonnull(strstr(E.msg, bdir));
    ck_assert(same_bytes(f.sys, sys0));
    ck_assert_uint_eq(count_entries(bdir), 1);
    bf_run_result_free(&res);
    free(jp);
    free(bdir);
    free(sys0);
    test_rm_tree(keep);
    fixture_free(&f);
}
END_TEST

START_TEST(test_txn_same_base_name)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    char *d1 = pjoin(dir, "a"), *d2 = pjoin(dir, "b");
    mkdir(d1, 0755);
    mkdir(d2, 0755);
    char *p1 = pjoin(d1, "BCD"), *p2 = pjoin(d2, "bcd");
    bf_hive *h = new_hive(3);
    set_dw(h, "K", "v", 1);
    save_hive(h, p1);
    save_hive(h, p2);
    bf_hive_close(h);
    bf_hive *h1 = open_w(p1), *h2 = open_w(p2);
    set_dw(h1, "K", "v", 2);
    set_dw(h2, "K", "v", 3);
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    bf_run_result res;
    memset(&res, 0, sizeof res);
    struct rc_txn x;
    memset(&x, 0, sizeof x);
    x.title = "script fix.cmd";
    char *root = pjoin(dir, "bk");
    x.backup_root = root;
    x.o = &o;
    OK(rc_txn_add(&x, "BCD", p1, h1, 0, &E));
    ck_assert_int_eq(rc_txn_add(&x, "BCD2", p1, h2, 0, &E), BF_ERR_EXISTS);
    OK(rc_txn_add(&x, "BCD2", p2, h2, 0, &E));
    OK(rc_txn_commit(&x, &res, &E));
    rc_txn_free(&x);
    bf_hive_close(h1);
    bf_hive_close(h2);
    ck_assert_uint_eq(count_entries(res.backup_dir), 3);
    bf_journal j;
    OK(bf_journal_read(res.journal_path, &j, &E));
    ck_assert_str_ne(j.files[0].backup, j.files[1].backup);
    ck_assert(exists(j.files[0].backup) && exists(j.files[1].backup));
    ck_assert_str_eq(j.target, "");
    bf_journal_free(&j);
    size_t bl = strlen(res.backup_dir);
    ck_assert(bl > 15 && !strcmp(res.backup_dir + bl - 15, "-script-fix.cmd"));
    /* undo through the journal alone (no target) */
    bf_run_result_free(&res);
    memset(&res, 0, sizeof res);
    bf_run_result r2;
    memset(&r2, 0, sizeof r2);
    OK(bf_journal_find_latest(root, NULL, 0, &res.journal_path, &E));
    OK(bf_undo(NULL, res.journal_path, &o, &r2, &E));
    int present;
    ck_assert_uint_eq(get_dw(p1, "K", "v", &present), 1);
    ck_assert_uint_eq(get_dw(p2, "K", "v", &present), 1);
    ck_assert_uint_eq(count_entries(root), 2);
    bf_run_result_free(&r2);
    bf_run_result_free(&res);
    free(root);
    free(p1);
    free(p2);
    free(d1);
    free(d2);
    test_rm_tree(dir);
}
END_TEST

/* ---- undo ------------------------------------------------------------------------------------------- */

START_TEST(test_undo_restores)
{
    fixture f;
    fixture_make(&f);
    oracle_walk *ws0 = walk(f.sys), *wb0 = walk(f.bcd);
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    bf_run_result res;
    memset(&res, 0, sizeof res);
    OK(run_txn(&f, &o, 1, &res, &E));
    char *first = strdup(res.journal_path);
    bf_run_result_free(&res);

    memset(&res, 0, sizeof res);
    OK(bf_undo(&f.t, NULL, &o, &res, &E));
    ck_assert_str_eq(res.title, "undo");
    ck_assert_uint_eq(res.nfound, 1);
    ck_assert_ptr_nonnull(strstr(res.found[0], first));
    ck_assert_ptr_nonnull(strstr(res.found[0], "recipe serial-console on"));
    ck_assert_uint_eq(res.nchanges, 10);
    ck_assert_uint_eq(res.nchanged, 10);
    ck_assert_uint_eq(res.nwritten, 2);
    oracle_walk *ws2 = walk(f.sys), *wb2 = walk(f.bcd);
    assert_walks_equal(ws0, ws2);
    assert_walks_equal(wb0, wb2);

    /* the undo's own journal, and the reverted one marked undone */
    bf_journal j;
    OK(bf_journal_read(res.journal_path, &j, &E));
    ck_assert_str_eq(j.recipe, "undo");
    ck_assert_str_eq(j.reverts, first);
    ck_assert_uint_eq(j.nentries, 10);
    bf_journal_free(&j);
    OK(bf_journal_read(first, &j, &E));
    ck_assert_ptr_nonnull(j.undone);
    ck_assert_ptr_nonnull(strstr(j.undone, res.journal_path));
    bf_journal_free(&j);
    bf_run_result_free(&res);

    /* nothing left to undo */
    memset(&res, 0, sizeof res);
    ck_assert_int_eq(bf_undo(&f.t, NULL, &o, &res, &E), BF_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(E.msg, "nothing to undo"));
    bf_run_result_free(&res);
    /* the reverted journal named explicitly: refused */
    memset(&res, 0, sizeof res);
    ck_assert_int_eq(bf_undo(&f.t, first, &o, &res, &E), BF_ERR_EXISTS);
    ck_assert_ptr_nonnull(strstr(E.msg, "already undone"));
    bf_run_result_free(&res);

    oracle_walk_free(ws0);
    oracle_walk_free(wb0);
    oracle_walk_free(ws2);
    oracle_walk_free(wb2);
    free(first);
    fixture_free(&f);
}
END_TEST

START_TEST(test_undo_conflict)
{
    fixture f;
    fixture_make(&f);
    oracle_walk *ws0 = walk(f.sys);
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    bf_run_result res;
    memset(&res, 0, sizeof res);
    OK(run_txn(&f, &o, 1, &res, &E));
    bf_run_result_free(&res);
    /* something else changes a value the run set, and adds a value to a key it created */
    bf_hive *h = open_w(f.sys);
    set_dw(h, "ControlSet001\\Control\\CrashControl", "CrashDumpEnabled", 3);
    set_dw(h, "ControlSet001\\Services\\New", "Other", 1);
    bf_commit_opts co = {NULL, NULL, 0};
    OK(bf_hive_commit(h, &co, &E));
    bf_hive_close(h);
    char keep[64];
    tmpdir(keep, sizeof keep);
    char *sys1 = copy_of(f.sys, keep, "SYSTEM"), *bcd1 = copy_of(f.bcd, keep, "BCD");
    size_t folders = count_entries(f.backup_root);

    memset(&res, 0, sizeof res);
    ck_assert_int_eq(bf_undo(&f.t, NULL, &o, &res, &E), BF_ERR_EXISTS);
    ck_assert_msg(strstr(E.msg, "CrashDumpEnabled") && strstr(E.msg, "nothing was written"), "%s", E.msg);
    ck_assert(same_bytes(f.sys, sys1));
    ck_assert(same_bytes(f.bcd, bcd1));
    ck_assert_uint_eq(count_entries(f.backup_root), folders);
    size_t nconf = 0;
    for (size_t i = 0; i < res.nchanges; i++)
        if (res.changes[i].state == BF_CHANGE_CONFLICT) {
            nconf++;
            ck_assert_ptr_nonnull(strstr(res.changes[i].note, "changed since"));
        }
    ck_assert_uint_eq(nconf, 1);
    bf_run_result_free(&res);

    /* forced: back to the recorded old state; the key with foreign content is left */
    o.force = 1;
    memset(&res, 0, sizeof res);
    OK(bf_undo(&f.t, NULL, &o, &res, &E));
    int present;
    ck_assert_uint_eq(get_dw(f.sys, "ControlSet001\\Control\\CrashControl", "CrashDumpEnabled", &present), 7);
    ck_assert(present);
    size_t left = 0;
    for (size_t i = 0; i < res.nchanges; i++)
        if (res.changes[i].state == BF_CHANGE_LEFT)
            left++;
    ck_assert_uint_eq(left, 1);
    get_dw(f.sys, "ControlSet001\\Services\\New", "Other", &present);
    ck_assert(present);
    oracle_walk *ws2 = walk(f.sys);
    ck_assert(walk_has_path(ws2, "ControlSet001\\Services\\Old\\Parameters", "X"));
    ck_assert(!walk_has_path(ws2, "ControlSet001\\Services\\New\\Parameters", NULL));
    oracle_walk_free(ws2);
    bf_run_result_free(&res);
    oracle_walk_free(ws0);
    free(sys1);
    free(bcd1);
    test_rm_tree(keep);
    fixture_free(&f);
}
END_TEST

START_TEST(test_undo_dry_run)
{
    fixture f;
    fixture_make(&f);
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    bf_run_result res;
    memset(&res, 0, sizeof res);
    OK(run_txn(&f, &o, 1, &res, &E));
    char keep[64];
    tmpdir(keep, sizeof keep);
    char *sys1 = copy_of(f.sys, keep, "SYSTEM"), *bcd1 = copy_of(f.bcd, keep, "BCD"),
         *j1 = copy_of(res.journal_path, keep, "journal.txt");
    char *jpath = strdup(res.journal_path);
    bf_run_result_free(&res);
    size_t folders = count_entries(f.backup_root);
    o.dry_run = 1;
    memset(&res, 0, sizeof res);
    OK(bf_undo(&f.t, NULL, &o, &res, &E));
    ck_assert_int_eq(res.dry_run, 1);
    ck_assert_uint_eq(res.nchanged, 10);
    ck_assert_uint_eq(res.nwritten, 0);
    ck_assert_ptr_null(res.journal_path);
    ck_assert(same_bytes(f.sys, sys1));
    ck_assert(same_bytes(f.bcd, bcd1));
    ck_assert(same_bytes(jpath, j1));
    ck_assert_uint_eq(count_entries(f.backup_root), folders);
    bf_run_result_free(&res);
    free(jpath);
    free(sys1);
    free(bcd1);
    free(j1);
    test_rm_tree(keep);
    fixture_free(&f);
}
END_TEST

START_TEST(test_undo_corpus_system)
{
    char *src = corpus_path("hives/regipy/regipy_tests/data/SYSTEM");
    if (!src) {
        corpus_skip_note("txn and undo on a real SYSTEM hive");
        return;
    }
    fixture f;
    fixture_make(&f);
    size_t n;
    uint8_t *d = test_slurp(src, &n);
    ck_assert_ptr_nonnull(d);
    test_put_file(f.sys, d, n);
    free(d);
    unlink(f.log1);
    oracle_walk *w0 = walk(f.sys);

    bf_hive *h = open_w(f.sys);
    set_dw(h, "ControlSet001\\Control\\CrashControl", "CrashDumpEnabled", 7);
    set_dw(h, "ControlSet001\\Control\\CrashControl", "NMICrashDump", 1);
    set_sz(h, "ControlSet001\\Services\\bootfix-test\\Parameters", "Path", "x");
    del_value(h, "ControlSet001\\Control\\CrashControl", "AutoReboot");
    struct rc_txn x;
    bf_run_opts o;
    memset(&o, 0, sizeof o);
    memset(&x, 0, sizeof x);
    x.title = "enable-dump";
    x.backup_root = f.backup_root;
    x.t = &f.t;
    x.o = &o;
    bf_run_result res;
    memset(&res, 0, sizeof res);
    OK(rc_txn_add(&x, "SYSTEM", f.sys, h, 0, &E));
    OK(rc_txn_commit(&x, &res, &E));
    rc_txn_free(&x);
    bf_hive_close(h);
    oracle_walk *w1 = walk(f.sys);
    size_t a, b;
    walk_delta(w0, w1, &a, &b);
    /* before: CrashDumpEnabled, AutoReboot, Services key; after:
     * CrashDumpEnabled, NMICrashDump, Services key (one more subkey),
     * bootfix-test, its Parameters, Path (CrashControl keeps its value count) */
    ck_assert_uint_eq(a, 3);
    ck_assert_uint_eq(b, 6);
    bf_run_result_free(&res);

    memset(&res, 0, sizeof res);
    OK(bf_undo(&f.t, NULL, &o, &res, &E));
    oracle_walk *w2 = walk(f.sys);
    assert_walks_equal(w0, w2);
    char why[ORACLE_ERRSZ];
    oracle_walk *l0 = oracle_walk_libregf(src, why), *l2 = oracle_walk_libregf(f.sys, why);
    ck_assert_ptr_nonnull(l0);
    ck_assert_ptr_nonnull(l2);
    assert_walks_equal(l0, l2);
    printf("corpus SYSTEM: %zu records restored exactly by undo\n", w2->n);
    oracle_walk_free(l0);
    oracle_walk_free(l2);
    bf_run_result_free(&res);
    oracle_walk_free(w0);
    oracle_walk_free(w1);
    oracle_walk_free(w2);
    free(src);
    fixture_free(&f);
}
END_TEST

static Suite *journal_suite(void)
{
    Suite *s = suite_create("journal");
    TCase *tc = tcase_create("journal");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_format_round_trip);
    tcase_add_test(tc, test_format_malformed);
    tcase_add_test(tc, test_find_latest);
    tcase_add_test(tc, test_diff_values);
    tcase_add_test(tc, test_diff_subtrees);
    tcase_add_test(tc, test_diff_case_and_order);
    tcase_add_test(tc, test_diff_deep_and_big);
    tcase_add_test(tc, test_txn_two_files);
    tcase_add_test(tc, test_txn_faults);
    tcase_add_test(tc, test_txn_no_change);
    tcase_add_test(tc, test_txn_readonly);
    tcase_add_test(tc, test_txn_options);
    tcase_add_test(tc, test_txn_backup_dir_taken);
    tcase_add_test(tc, test_txn_same_base_name);
    tcase_add_test(tc, test_undo_restores);
    tcase_add_test(tc, test_undo_conflict);
    tcase_add_test(tc, test_undo_dry_run);
    tcase_add_test(tc, test_undo_corpus_system);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(journal_suite());
}
