/*
 * test_bcd_replay.c — bootfix's bcdedit against stores real bcdedit wrote.
 *
 * 1. ntloader: corpus/bcd/text/ntloader_utils_bcd.bat is the exact script
 *    that produced corpus/bcd/ntloader_utils_bcd.bin with real bcdedit on a
 *    Windows runner.  The test expands the script's variables, runs every
 *    bcdedit line through bf_bcdedit() from /createstore on, and compares the
 *    whole resulting hive (every key, value, type and byte, read by hivex)
 *    with the real one.  `partition=C:` needs to know which partition C: was;
 *    the runner's C: (MBR signature 0x43da9ab1, offset 0x1f500000, read from
 *    the real store) is given as the drive map.
 * 2. bitpixie: corpus/bcd/bitpixie_Boot_BCD.bin was changed by real bcdedit
 *    with text/bitpixie_script_copy_and_mod_BCD.bat.  The test removes what
 *    the script's {default}-targeted and softreboot commands wrote, replays
 *    those commands, and expects the store to read back exactly as real
 *    bcdedit left it — so the writes land on the object {default} names and
 *    carry the same bytes.
 */
#include "bootfix/bcd.h"
#include "common/corpus.h"
#include "common/files.h"
#include "common/oracle.h"

#include "common/runner.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/bootfix-bcdreplay.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* ---- a tiny cmd.exe: variables and argument splitting --------------------------- */

#define MAXVARS 32
struct vars {
    char *name[MAXVARS];
    char *val[MAXVARS];
    int n;
};

static void vars_set(struct vars *v, const char *name, const char *val)
{
    for (int i = 0; i < v->n; i++)
        if (strcasecmp(v->name[i], name) == 0) {
            free(v->val[i]);
            v->val[i] = strdup(val);
            return;
        }
    ck_assert_int_lt(v->n, MAXVARS);
    v->name[v->n] = strdup(name);
    v->val[v->n] = strdup(val);
    v->n++;
}

static void vars_free(struct vars *v)
{
    for (int i = 0; i < v->n; i++) {
        free(v->name[i]);
        free(v->val[i]);
    }
}

/* %name% expansion, malloc'd */
static char *expand(const struct vars *v, const char *line)
{
    size_t cap = strlen(line) * 4 + 4096, n = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    for (const char *p = line; *p;) {
        const char *end = *p == '%' ? strchr(p + 1, '%') : NULL;
        const char *val = NULL;
        if (end) {
            for (int i = 0; i < v->n; i++)
                if (strlen(v->name[i]) == (size_t)(end - p - 1) &&
                    strncasecmp(v->name[i], p + 1, (size_t)(end - p - 1)) == 0)
                    val = v->val[i];
        }
        if (val) {
            size_t l = strlen(val);
            ck_assert_uint_lt(n + l, cap);
            memcpy(out + n, val, l);
            n += l;
            p = end + 1;
        } else {
            ck_assert_uint_lt(n + 1, cap);
            out[n++] = *p++;
        }
    }
    out[n] = 0;
    return out;
}

/* Split like the Microsoft C runtime (CommandLineToArgvW rules for quotes and
 * backslashes).  Returns the number of words; words malloc'd. */
static int split_args(const char *s, char **words, int max)
{
    int n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        ck_assert_int_lt(n, max);
        char *w = malloc(strlen(s) + 1);
        ck_assert_ptr_nonnull(w);
        size_t k = 0;
        int inq = 0;
        while (*s && (inq || (*s != ' ' && *s != '\t'))) {
            if (*s == '\\') {
                size_t bs = 0;
                while (s[bs] == '\\')
                    bs++;
                if (s[bs] == '"') {
                    for (size_t i = 0; i < bs / 2; i++)
                        w[k++] = '\\';
                    if (bs % 2) {
                        w[k++] = '"';
                        s += bs + 1;
                    } else {
                        s += bs; /* the quote toggles below */
                    }
                } else {
                    for (size_t i = 0; i < bs; i++)
                        w[k++] = '\\';
                    s += bs;
                }
            } else if (*s == '"') {
                inq = !inq;
                s++;
            } else {
                w[k++] = *s++;
            }
        }
        w[k] = 0;
        words[n++] = w;
    }
    return n;
}

static void free_words(char **w, int n)
{
    for (int i = 0; i < n; i++)
        free(w[i]);
}

/* Run bf_bcdedit on words[0..n) and insist on success. */
static void run_bcdedit(const bf_bcdedit_opts *o, char **words, int n, const char *line)
{
    bf_error err = {0};
    char *out = NULL;
    int rc = bf_bcdedit(n, (const char *const *)words, o, &out, &err);
    ck_assert_msg(rc == BF_OK, "bcdedit %s: %s", line, err.msg);
    free(out);
}

static void compare_stores(const char *ours, const char *theirs)
{
    char e1[ORACLE_ERRSZ] = "", e2[ORACLE_ERRSZ] = "", diff[2048] = "";
    oracle_walk *a = oracle_walk_hivex(ours, e1);
    oracle_walk *b = oracle_walk_hivex(theirs, e2);
    ck_assert_msg(a != NULL, "hivex cannot read %s: %s", ours, e1);
    ck_assert_msg(b != NULL, "hivex cannot read %s: %s", theirs, e2);
    int d = oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof diff);
    ck_assert_msg(d == 0, "%s differs from %s: %s", ours, theirs, diff);
    printf("  %zu keys and %zu values equal, byte for byte (hivex)\n", a->nkeys, a->nvalues);
    oracle_walk_free(a);
    oracle_walk_free(b);

    /* libregf must read ours too, and our checker must find nothing */
    oracle_walk *c = oracle_walk_libregf(ours, e1);
    ck_assert_msg(c != NULL, "libregf cannot read %s: %s", ours, e1);
    oracle_walk_free(c);
    size_t len = 0;
    uint8_t *img = test_slurp(ours, &len);
    int problems = 0;
    bf_error err = {0};
    ck_assert_int_eq(bf_check_image(img, len, NULL, NULL, &err), BF_OK);
    (void)problems;
    free(img);
}

START_TEST(ntloader_script_replay)
{
    char *bat = corpus_path("bcd/text/ntloader_utils_bcd.bat");
    char *real = corpus_path("bcd/ntloader_utils_bcd.bin");
    if (!bat || !real) {
        corpus_skip_note("bcd/text/ntloader_utils_bcd.bat replay");
        free(bat);
        free(real);
        return;
    }
    make_tmpdir();
    char store[512];
    snprintf(store, sizeof store, "%s/bcd", tmpdir);

    bf_bcd_drive c = {.letter = 'C'};
    bf_error err = {0};
    ck_assert_int_eq(bf_bcd_partition_parse("mbr:43da9ab1:0x1f500000", &c.part, &err), BF_OK);
    bf_bcdedit_opts o = {0};
    o.drives.drives = &c;
    o.drives.count = 1;
    o.commit.no_libregf = 0;

    size_t len = 0;
    char *text = (char *)test_slurp(bat, &len);
    ck_assert_ptr_nonnull(text);
    struct vars v = {0};
    int ncommands = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        while (*line == ' ')
            line++;
        if (strncasecmp(line, "set ", 4) == 0) {
            char *eq = strchr(line + 4, '=');
            ck_assert_ptr_nonnull(eq);
            *eq = 0;
            vars_set(&v, line + 4, eq + 1);
            continue;
        }
        if (strncasecmp(line, "bcdedit ", 8) != 0)
            continue; /* rd, md, cd, REM, blank */
        char *x = expand(&v, line + 8);
        char *words[64];
        int n = split_args(x, words, 64);
        /* the script's store is the relative file "bcd"; ours lives in tmpdir */
        for (int i = 0; i < n; i++)
            if (strcmp(words[i], "bcd") == 0) {
                free(words[i]);
                words[i] = strdup(store);
            }
        run_bcdedit(&o, words, n, x);
        ncommands++;
        free_words(words, n);
        free(x);
    }
    vars_free(&v);
    free(text);
    printf("ntloader: replayed %d bcdedit commands from %s\n", ncommands, bat);
    ck_assert_int_ge(ncommands, 50);
    compare_stores(store, real);
    test_rm_tree(tmpdir);
    free(bat);
    free(real);
}
END_TEST

/* bitpixie ------------------------------------------------------------------------ */

/* The object the script created with `/create /d "softreboot" /application
 * startup`: type 0x10400009 with that description. */
static void find_softreboot(const char *path, char out[BF_GUID_TEXT])
{
    bf_bcd *s = NULL;
    bf_error err = {0};
    ck_assert_msg(bf_bcd_open(path, 0, &s, &err) == BF_OK, "%s", err.msg);
    bf_bcd_object *objs = NULL;
    size_t n = 0;
    ck_assert_int_eq(bf_bcd_objects(s, &objs, &n, &err), BF_OK);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (objs[i].type != 0x10400009u)
            continue;
        bf_bcd_elem e = {0};
        if (bf_bcd_element_get(s, &objs[i].id, 0x12000004u, &e, &err) == BF_OK && e.valid &&
            strcmp(e.string, "softreboot") == 0) {
            bf_guid_format(&objs[i].id, out);
            found++;
        }
        bf_bcd_elem_free(&e);
    }
    free(objs);
    bf_bcd_close(s);
    ck_assert_int_eq(found, 1);
}

START_TEST(bitpixie_default_commands)
{
    char *bat = corpus_path("bcd/text/bitpixie_script_copy_and_mod_BCD.bat");
    char *real = corpus_path("bcd/bitpixie_Boot_BCD.bin");
    if (!bat || !real) {
        corpus_skip_note("bcd/bitpixie_Boot_BCD.bin commands");
        free(bat);
        free(real);
        return;
    }
    make_tmpdir();
    char store[512];
    snprintf(store, sizeof store, "%s/BCD_modded", tmpdir);
    size_t len = 0;
    uint8_t *img = test_slurp(real, &len);
    test_put_file(store, img, len);
    free(img);

    char reboot[BF_GUID_TEXT];
    find_softreboot(real, reboot);

    /* The commands, as the script has them with {%REBOOT_GUID%} filled in. */
    size_t blen = 0;
    char *script = (char *)test_slurp(bat, &blen);
    static const char *const cmds[] = {
        "/set {%REBOOT_GUID%} path \"\\shimx64.efi\"",
        "/set {%REBOOT_GUID%} device boot",
        "/set {%REBOOT_GUID%} pxesoftreboot yes",
        "/set {default} recoveryenabled yes",
        "/set {default} recoverysequence {%REBOOT_GUID%}",
        "/set {default} path \"\\\\\"",
        "/set {default} winpe yes",
        "/displayorder {%REBOOT_GUID%} /addlast",
    };
    /* undo each of them first (with bootfix), so the replay has work to do */
    static const char *const undo[] = {
        "/deletevalue {%REBOOT_GUID%} path",
        "/deletevalue {%REBOOT_GUID%} device",
        "/deletevalue {%REBOOT_GUID%} pxesoftreboot",
        "/deletevalue {default} recoveryenabled",
        "/deletevalue {default} recoverysequence",
        "/deletevalue {default} path",
        "/deletevalue {default} winpe",
        "/displayorder {%REBOOT_GUID%} /remove",
    };
    struct vars v = {0};
    vars_set(&v, "REBOOT_GUID", reboot + 1);
    v.val[0][strlen(v.val[0]) - 1] = 0; /* the script's variable has no braces */
    bf_bcdedit_opts o = {0};
    for (int pass = 0; pass < 2; pass++) {
        const char *const *list = pass == 0 ? undo : cmds;
        for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
            if (pass == 1) {
                char want[256];
                snprintf(want, sizeof want, "bcdedit /store BCD_modded %s", cmds[i]);
                ck_assert_msg(strstr(script, want) != NULL, "the script has no line '%s'", want);
            }
            char line[1024];
            snprintf(line, sizeof line, "/store \"%s\" %s", store, list[i]);
            char *x = expand(&v, line);
            char *words[16];
            int n = split_args(x, words, 16);
            run_bcdedit(&o, words, n, x);
            free_words(words, n);
            free(x);
        }
        if (pass == 0) {
            /* the store must now differ from the real one */
            char e1[ORACLE_ERRSZ], e2[ORACLE_ERRSZ], diff[512];
            oracle_walk *a = oracle_walk_hivex(store, e1), *b = oracle_walk_hivex(real, e2);
            ck_assert_ptr_nonnull(a);
            ck_assert_ptr_nonnull(b);
            ck_assert_int_ne(oracle_compare(a, b, ORACLE_CMP_DATA, diff, sizeof diff), 0);
            oracle_walk_free(a);
            oracle_walk_free(b);
        }
    }
    vars_free(&v);
    free(script);
    printf("bitpixie: 8 commands (softreboot object %s) replayed onto the store\n", reboot);
    compare_stores(store, real);

    /* /create ... /application startup makes the same kind of object */
    {
        char line[1024];
        snprintf(line, sizeof line, "/store \"%s\" /create /d \"softreboot\" /application startup",
                 store);
        char *words[16];
        int n = split_args(line, words, 16);
        bf_error err = {0};
        char *out = NULL;
        ck_assert_msg(bf_bcdedit(n, (const char *const *)words, &o, &out, &err) == BF_OK, "%s",
                      err.msg);
        ck_assert_ptr_nonnull(strstr(out, "was successfully created"));
        free(out);
        free_words(words, n);
    }
    test_rm_tree(tmpdir);
    free(bat);
    free(real);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bcd_replay");
    TCase *tc = tcase_create("replay");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ntloader_script_replay);
    tcase_add_test(tc, bitpixie_default_commands);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
