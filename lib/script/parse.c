/*
 * parse.c — a whole article script to checked commands, before anything
 * runs.
 *
 * Accepted lines (command names case-insensitive, "reg.exe" and
 * "bcdedit.exe" too, any number of leading '@'):
 *   reg load HKLM\NAME PATH            reg unload HKLM\NAME
 *   reg add KEY [/v NAME | /ve] [/t TYPE] [/s SEP] [/d DATA] [/f]
 *   reg delete KEY [/v NAME | /ve | /va] [/f]
 *   bcdedit /store PATH ...            (checked by bf_bcdedit_check)
 *   REM ..., :: ..., blank lines, echo TEXT, echo off / echo on
 * Everything else is refused with its line number.  KEY must be under
 * HKLM\NAME loaded by an earlier line and not yet unloaded; PATH must be an
 * absolute path with a drive letter, without "." or ".." components, and
 * every drive letter must be mapped onto a directory.
 */
#include "io/io.h"
#include "script/internal.h"

#include "hive/regfile_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOADED 64

struct loaded {
    char *name;  /* NAME of HKLM\NAME */
    size_t file;
    size_t line;
};

struct pstate {
    const char *name;          /* script name for messages */
    const bf_script_opts *o;
    sc_script *s;
    size_t lineno;
    const char *text;          /* the current line, trimmed (NUL-terminated copy) */
    struct loaded loaded[MAX_LOADED];
    size_t nloaded;
    size_t letter_line[26];    /* first line using each drive letter, 0 = unused */
};

/* ---- messages ----------------------------------------------------------------------------- */

static int line_fail(struct pstate *ps, bf_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(4, 5)
#endif
    ;

static int line_fail(struct pstate *ps, bf_error *err, int code, const char *fmt, ...)
{
    char reason[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return bf_fail(err, code, "%s line %zu: '%.200s%s': %s", ps->name, ps->lineno, ps->text,
                   strlen(ps->text) > 200 ? "..." : "", reason);
}

/* Prefix an error that a helper (lexer, bcdedit, regtext) left in err. */
static int line_wrap(struct pstate *ps, bf_error *err)
{
    char reason[sizeof err->msg];
    snprintf(reason, sizeof reason, "%s", err->msg);
    return line_fail(ps, err, err->code ? err->code : BF_ERR_INVALID, "%s", reason);
}

/* ---- commands list -------------------------------------------------------------------------- */

static sc_cmd *cmd_new(struct pstate *ps, int kind, bf_error *err)
{
    sc_script *s = ps->s;
    sc_cmd *c;
    if (s->ncmds == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        sc_cmd *v = bf_realloc(s->cmds, cap * sizeof *v);
        if (!v) {
            bf_fail(err, BF_ERR_NOMEM, "out of memory for the commands of %s", ps->name);
            return NULL;
        }
        s->cmds = v;
        s->cap = cap;
    }
    c = &s->cmds[s->ncmds];
    memset(c, 0, sizeof *c);
    c->text = bf_strdup(ps->text);
    if (!c->text) {
        bf_fail(err, BF_ERR_NOMEM, "out of memory for the commands of %s", ps->name);
        return NULL;
    }
    c->kind = kind;
    c->line = ps->lineno;
    s->ncmds++;
    return c;
}

static void cmd_free(sc_cmd *c)
{
    free(c->text);
    sc_words_free(&c->words);
    free(c->key);
    free(c->value);
    free(c->data);
    free(c->echo);
}

void sc_script_free(sc_script *s)
{
    size_t i;
    for (i = 0; i < s->ncmds; i++)
        cmd_free(&s->cmds[i]);
    free(s->cmds);
    for (i = 0; i < s->nfiles; i++) {
        free(s->files[i].winpath);
        free(s->files[i].rel);
    }
    memset(s, 0, sizeof *s);
}

/* ---- paths ------------------------------------------------------------------------------------ */

static int is_sep(char c)
{
    return c == '\\' || c == '/';
}

static int is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* "F:\windows\system32\config\SYSTEM" to 'F' and "windows\system32\config\SYSTEM". */
static int parse_winpath(struct pstate *ps, const char *p, char *letter, char **rel,
                         bf_error *err)
{
    rf_buf b = {0};
    const char *q;

    if (is_sep(p[0]) && is_sep(p[1]))
        return line_fail(ps, err, BF_ERR_INVALID, "'%.200s': network and device paths are not "
                         "supported: name the file with a drive letter (F:\\...) and map the "
                         "letter with --map F:=DIR", p);
    if (!is_letter(p[0]) || p[1] != ':')
        return line_fail(ps, err, BF_ERR_INVALID, "'%.200s' is not an absolute path with a drive "
                         "letter (F:\\...): bootfix maps drive letters onto directories with "
                         "--map L:=DIR", p);
    if (!is_sep(p[2]))
        return line_fail(ps, err, BF_ERR_INVALID, "'%.200s' is relative to the current directory "
                         "of drive %c: write it as %c:\\...", p, upper(p[0]), upper(p[0]));
    q = p + 3;
    while (*q) {
        const char *e = q;
        size_t n;
        while (*e && !is_sep(*e))
            e++;
        n = (size_t)(e - q);
        if ((n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' && q[1] == '.')) {
            rf_free(&b);
            return line_fail(ps, err, BF_ERR_INVALID, "'%.200s': \".\" and \"..\" components are "
                             "refused (a path must stay inside the directory its drive letter is "
                             "mapped to)", p);
        }
        if (n && memchr(q, ':', n)) {
            rf_free(&b);
            return line_fail(ps, err, BF_ERR_INVALID, "'%.200s': a ':' inside the path (an "
                             "alternate data stream?) is not supported", p);
        }
        if (n) {
            if (b.len)
                rf_putc(&b, '\\');
            rf_put(&b, q, n);
        }
        q = *e ? e + 1 : e;
    }
    if (b.oom) {
        rf_free(&b);
        return line_fail(ps, err, BF_ERR_NOMEM, "'%.200s': out of memory", p);
    }
    if (b.len == 0) {
        rf_free(&b);
        return line_fail(ps, err, BF_ERR_INVALID, "'%.200s' names a whole drive, not a file", p);
    }
    *rel = rf_take_str(&b);
    if (!*rel)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for a path");
    *letter = upper(p[0]);
    if (!ps->letter_line[*letter - 'A'])
        ps->letter_line[*letter - 'A'] = ps->lineno;
    return BF_OK;
}

/* The file index for a path, registering it on first use.  `bcd`: used by
 * bcdedit (the same file may also be loaded with reg load). */
static int file_for(struct pstate *ps, const char *winpath, int bcd, size_t *index,
                    bf_error *err)
{
    sc_script *s = ps->s;
    sc_file *f;
    char letter = 0, *rel = NULL;
    size_t i;
    int rc = parse_winpath(ps, winpath, &letter, &rel, err);
    if (rc != BF_OK)
        return rc;
    for (i = 0; i < s->nfiles; i++)
        if (s->files[i].letter == letter && sc_ieq(s->files[i].rel, rel)) {
            free(rel);
            if (bcd)
                s->files[i].is_bcd = 1;
            *index = i;
            return BF_OK;
        }
    if (s->nfiles >= SC_MAX_FILES) {
        free(rel);
        return line_fail(ps, err, BF_ERR_LIMIT, "a script may edit at most %d files",
                         SC_MAX_FILES);
    }
    f = &s->files[s->nfiles];
    memset(f, 0, sizeof *f);
    f->winpath = bf_strdup(winpath);
    if (!f->winpath) {
        free(rel);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for a path");
    }
    f->rel = rel;
    f->letter = letter;
    f->is_bcd = bcd;
    f->first_line = ps->lineno;
    *index = s->nfiles++;
    return BF_OK;
}

/* ---- registry keys ---------------------------------------------------------------------------- */

static int is_switch(const char *w, const char *name)
{
    return (w[0] == '/' || w[0] == '-') && sc_ieq(w + 1, name);
}

static int looks_like_switch(const char *w)
{
    return (w[0] == '/' || w[0] == '-') && w[1] != '\0';
}

static int loaded_find(struct pstate *ps, const char *name)
{
    size_t i;
    for (i = 0; i < ps->nloaded; i++)
        if (sc_ieq(ps->loaded[i].name, name))
            return (int)i;
    return -1;
}

static int is_machine_hive(const char *name)
{
    static const char *const names[] = {"SYSTEM", "SOFTWARE", "SAM", "SECURITY", "HARDWARE",
                                        "BCD00000000", "COMPONENTS", "DRIVERS"};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (sc_ieq(name, names[i]))
            return 1;
    return 0;
}

/* KEY = HKLM\NAME[\rest]: *hive gets NAME, *rel the rest ("" for none);
 * both malloc'd. */
static int split_key(struct pstate *ps, const char *key, char **hive, char **rel, bf_error *err)
{
    const char *p1, *p2, *end;
    size_t rootlen, namelen, i;
    char root[32];

    *hive = *rel = NULL;
    if (is_sep(key[0]) && is_sep(key[1]))
        return line_fail(ps, err, BF_ERR_INVALID, "'%.200s': keys of other computers are not "
                         "supported", key);
    p1 = strchr(key, '\\');
    rootlen = p1 ? (size_t)(p1 - key) : strlen(key);
    if (rootlen >= sizeof root)
        rootlen = sizeof root - 1;
    memcpy(root, key, rootlen);
    root[rootlen] = '\0';
    if (!sc_ieq(root, "HKLM") && !sc_ieq(root, "HKEY_LOCAL_MACHINE")) {
        if ((root[0] == 'H' || root[0] == 'h') && (root[1] == 'K' || root[1] == 'k'))
            return line_fail(ps, err, BF_ERR_INVALID, "'%.200s' is under %s: only keys under "
                             "HKLM\\NAME, with NAME loaded by reg load, can be changed offline",
                             key, root);
        return line_fail(ps, err, BF_ERR_INVALID, "'%.200s' is not a registry key (HKLM\\NAME\\...)",
                         key);
    }
    if (!p1 || p1[1] == '\0')
        return line_fail(ps, err, BF_ERR_INVALID, "'%.200s' names HKLM itself: give "
                         "HKLM\\NAME\\..., with NAME loaded by reg load", key);
    p1++;
    p2 = strchr(p1, '\\');
    namelen = p2 ? (size_t)(p2 - p1) : strlen(p1);
    if (namelen == 0)
        return line_fail(ps, err, BF_ERR_INVALID, "'%.200s': empty key name after HKLM", key);
    end = p2 ? p2 + strlen(p2) : p1 + namelen;
    while (p2 && end > p2 && end[-1] == '\\')
        end--; /* trailing backslashes, as reg.exe ignores them */
    for (i = 0; p2 && p2 + i + 1 < end; i++)
        if (p2[i] == '\\' && p2[i + 1] == '\\')
            return line_fail(ps, err, BF_ERR_INVALID, "'%.200s': empty key name (two "
                             "backslashes)", key);
    *hive = sc_strndup(p1, namelen);
    if (p2 && end > p2 + 1)
        *rel = sc_strndup(p2 + 1, (size_t)(end - p2 - 1));
    else
        *rel = bf_strdup("");
    if (!*hive || !*rel) {
        free(*hive);
        free(*rel);
        *hive = *rel = NULL;
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for a key");
    }
    return BF_OK;
}

/* KEY of reg add / reg delete: its hive must be loaded. */
static int key_in_loaded(struct pstate *ps, sc_cmd *c, const char *key, bf_error *err)
{
    char *hive = NULL, *rel = NULL;
    int rc = split_key(ps, key, &hive, &rel, err), i;
    if (rc != BF_OK)
        return rc;
    i = loaded_find(ps, hive);
    if (i < 0) {
        if (is_machine_hive(hive))
            rc = line_fail(ps, err, BF_ERR_INVALID, "HKLM\\%s is the running machine's own hive, "
                           "not the broken disk's: load the broken system's hive under another "
                           "name first (reg load HKLM\\BROKEN%s F:\\Windows\\System32\\config\\%s)",
                           hive, hive, hive);
        else
            rc = line_fail(ps, err, BF_ERR_INVALID, "HKLM\\%s is not loaded: no 'reg load "
                           "HKLM\\%s PATH' line before this one (or it was unloaded)", hive, hive);
        free(hive);
        free(rel);
        return rc;
    }
    free(hive);
    c->file = ps->loaded[i].file;
    c->key = rel;
    return BF_OK;
}

/* ---- reg ------------------------------------------------------------------------------------ */

static int parse_reg_load(struct pstate *ps, sc_cmd *c, bf_error *err)
{
    const sc_words *w = &c->words;
    char *hive = NULL, *rel = NULL;
    size_t file, i;
    int rc, at;

    if (w->n != 4)
        return line_fail(ps, err, BF_ERR_INVALID, "reg load takes a key and a file: reg load "
                         "HKLM\\NAME F:\\Windows\\System32\\config\\SYSTEM");
    if ((rc = split_key(ps, w->v[2], &hive, &rel, err)) != BF_OK)
        return rc;
    if (rel[0]) {
        rc = line_fail(ps, err, BF_ERR_INVALID, "reg load needs HKLM\\NAME, one name below HKLM, "
                       "not '%.200s'", w->v[2]);
        goto out;
    }
    if ((at = loaded_find(ps, hive)) >= 0) {
        rc = line_fail(ps, err, BF_ERR_INVALID, "HKLM\\%s is already loaded (line %zu)", hive,
                       ps->loaded[at].line);
        goto out;
    }
    if (is_machine_hive(hive)) {
        rc = line_fail(ps, err, BF_ERR_INVALID, "HKLM\\%s is the running machine's own hive: "
                       "load the broken system's hive under another name (HKLM\\BROKEN%s)", hive,
                       hive);
        goto out;
    }
    if ((rc = file_for(ps, w->v[3], 0, &file, err)) != BF_OK)
        goto out;
    for (i = 0; i < ps->nloaded; i++)
        if (ps->loaded[i].file == file) {
            rc = line_fail(ps, err, BF_ERR_INVALID, "%.200s is already loaded as HKLM\\%s "
                           "(line %zu)", w->v[3], ps->loaded[i].name, ps->loaded[i].line);
            goto out;
        }
    if (ps->nloaded >= MAX_LOADED) {
        rc = line_fail(ps, err, BF_ERR_LIMIT, "more than %d hives loaded at once", MAX_LOADED);
        goto out;
    }
    ps->loaded[ps->nloaded].name = hive;
    ps->loaded[ps->nloaded].file = file;
    ps->loaded[ps->nloaded].line = ps->lineno;
    ps->nloaded++;
    hive = NULL;
    c->file = file;
out:
    free(hive);
    free(rel);
    return rc;
}

static int parse_reg_unload(struct pstate *ps, sc_cmd *c, bf_error *err)
{
    const sc_words *w = &c->words;
    char *hive = NULL, *rel = NULL;
    int rc, at;

    if (w->n != 3)
        return line_fail(ps, err, BF_ERR_INVALID, "reg unload takes one key: reg unload HKLM\\NAME");
    if ((rc = split_key(ps, w->v[2], &hive, &rel, err)) != BF_OK)
        return rc;
    at = loaded_find(ps, hive);
    if (rel[0])
        rc = line_fail(ps, err, BF_ERR_INVALID, "reg unload needs HKLM\\NAME, not '%.200s'",
                       w->v[2]);
    else if (at < 0)
        rc = line_fail(ps, err, BF_ERR_INVALID, "HKLM\\%s is not loaded", hive);
    if (rc == BF_OK) {
        c->file = ps->loaded[at].file;
        free(ps->loaded[at].name);
        ps->loaded[at] = ps->loaded[--ps->nloaded];
    }
    free(hive);
    free(rel);
    return rc;
}

struct reg_opts {
    const char *v, *t, *s, *d;
    int ve, va, f;
};

/* The switches after KEY; `allow` is a string of the letters accepted. */
static int parse_reg_switches(struct pstate *ps, const sc_words *w, int add, struct reg_opts *r,
                              bf_error *err)
{
    static const char *const with_arg[] = {"v", "t", "s", "d"};
    size_t i, k;

    memset(r, 0, sizeof *r);
    for (i = 3; i < w->n; i++) {
        const char *a = w->v[i];
        const char **slot = NULL;
        int *flag = NULL;
        for (k = 0; k < 4; k++)
            if (is_switch(a, with_arg[k]) && (add || k == 0))
                slot = k == 0 ? &r->v : k == 1 ? &r->t : k == 2 ? &r->s : &r->d;
        if (is_switch(a, "ve"))
            flag = &r->ve;
        else if (is_switch(a, "va") && !add)
            flag = &r->va;
        else if (is_switch(a, "f"))
            flag = &r->f;
        if (!slot && !flag) {
            if (looks_like_switch(a))
                return line_fail(ps, err, BF_ERR_INVALID, "reg %s: unknown switch '%.100s' "
                                 "(bootfix runs %s)", add ? "add" : "delete", a,
                                 add ? "/v, /ve, /t, /s, /d and /f" : "/v, /ve, /va and /f");
            return line_fail(ps, err, BF_ERR_INVALID, "reg %s: unexpected word '%.100s' (a value "
                             "with spaces needs quotes)", add ? "add" : "delete", a);
        }
        if (flag) {
            if (*flag)
                return line_fail(ps, err, BF_ERR_INVALID, "%s is given twice", a);
            *flag = 1;
            continue;
        }
        if (*slot)
            return line_fail(ps, err, BF_ERR_INVALID, "%s is given twice", a);
        if (i + 1 >= w->n)
            return line_fail(ps, err, BF_ERR_INVALID, "%s needs an argument", a);
        *slot = w->v[++i];
    }
    if (!!r->v + r->ve + r->va > 1)
        return line_fail(ps, err, BF_ERR_INVALID, "only one of /v, /ve%s may be given",
                         add ? "" : " and /va");
    return BF_OK;
}

static int parse_reg_add(struct pstate *ps, sc_cmd *c, bf_error *err)
{
    const sc_words *w = &c->words;
    struct reg_opts r;
    int rc;

    if (w->n < 3)
        return line_fail(ps, err, BF_ERR_INVALID, "reg add needs a key");
    if ((rc = parse_reg_switches(ps, w, 1, &r, err)) != BF_OK)
        return rc;
    if ((rc = key_in_loaded(ps, c, w->v[2], err)) != BF_OK)
        return rc;
    if (!r.v && !r.ve) {
        if (r.t || r.d || r.s)
            return line_fail(ps, err, BF_ERR_INVALID, "/t, /s and /d need /v NAME or /ve");
        return BF_OK; /* creates the key */
    }
    c->value = bf_strdup(r.v ? r.v : "");
    if (!c->value)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    c->type = BF_REG_SZ;
    if (r.t && bf_reg_type_parse(r.t, &c->type, err) != BF_OK)
        return line_wrap(ps, err);
    if (r.s && c->type != BF_REG_MULTI_SZ)
        return line_fail(ps, err, BF_ERR_INVALID, "/s (the separator of REG_MULTI_SZ items) is "
                         "only for /t REG_MULTI_SZ");
    if (r.s && strlen(r.s) != 1)
        return line_fail(ps, err, BF_ERR_INVALID, "/s needs one character, not '%.20s'", r.s);
    if (bf_reg_data_parse(c->type, r.d, r.s, &c->data, &c->len, err) != BF_OK)
        return line_wrap(ps, err);
    return BF_OK;
}

static int parse_reg_delete(struct pstate *ps, sc_cmd *c, bf_error *err)
{
    const sc_words *w = &c->words;
    struct reg_opts r;
    int rc;

    if (w->n < 3)
        return line_fail(ps, err, BF_ERR_INVALID, "reg delete needs a key");
    if ((rc = parse_reg_switches(ps, w, 0, &r, err)) != BF_OK)
        return rc;
    if ((rc = key_in_loaded(ps, c, w->v[2], err)) != BF_OK)
        return rc;
    if (r.v || r.ve) {
        c->del = SC_DEL_VALUE;
        c->value = bf_strdup(r.v ? r.v : "");
        if (!c->value)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    } else if (r.va) {
        c->del = SC_DEL_ALL;
    } else {
        c->del = SC_DEL_KEY;
        if (!c->key[0])
            return line_fail(ps, err, BF_ERR_INVALID, "the root key of a loaded hive cannot be "
                             "deleted");
    }
    return BF_OK;
}

static int parse_reg(struct pstate *ps, sc_cmd *c, bf_error *err)
{
    const char *sub = c->words.n > 1 ? c->words.v[1] : "";
    if (sc_ieq(sub, "load"))
        return c->kind = SC_REG_LOAD, parse_reg_load(ps, c, err);
    if (sc_ieq(sub, "unload"))
        return c->kind = SC_REG_UNLOAD, parse_reg_unload(ps, c, err);
    if (sc_ieq(sub, "add"))
        return c->kind = SC_REG_ADD, parse_reg_add(ps, c, err);
    if (sc_ieq(sub, "delete"))
        return c->kind = SC_REG_DELETE, parse_reg_delete(ps, c, err);
    return line_fail(ps, err, BF_ERR_INVALID, "reg %.40s is not supported in scripts (bootfix "
                     "runs reg load, add, delete and unload)", sub[0] ? sub : "without a verb");
}

/* ---- bcdedit ------------------------------------------------------------------------------------ */

static int parse_bcdedit(struct pstate *ps, sc_cmd *c, bf_error *err)
{
    static const char *const whole_file[] = {"createstore", "export", "import"};
    const sc_words *w = &c->words;
    const char *store = NULL;
    size_t i, k;
    int writes = 0;

    for (i = 1; i < w->n; i++) {
        for (k = 0; k < sizeof whole_file / sizeof whole_file[0]; k++)
            if (is_switch(w->v[i], whole_file[k]))
                return line_fail(ps, err, BF_ERR_INVALID, "bcdedit %s works on whole store "
                                 "files and is not run in scripts", w->v[i]);
        if (sc_ieq(w->v[i], "{current}"))
            return line_fail(ps, err, BF_ERR_INVALID, "{current} names the running system's boot "
                             "entry, which does not exist offline: use {default} or the "
                             "entry's GUID");
    }
    if (bf_bcdedit_check((int)w->n - 1, (const char *const *)w->v + 1, &store, &writes, err) !=
        BF_OK)
        return line_wrap(ps, err);
    if (!store)
        return line_fail(ps, err, BF_ERR_INVALID, "bcdedit without /store would edit the running "
                         "machine's store: give /store F:\\boot\\bcd (the broken disk's store)");
    return file_for(ps, store, 1, &c->file, err);
}

/* ---- one line ------------------------------------------------------------------------------------ */

static int word_is(const char *p, size_t n, const char *w)
{
    size_t k = strlen(w);
    char buf[16];
    if (n != k || k >= sizeof buf)
        return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return sc_ieq(buf, w);
}

/* `echo TEXT`, `echo.TEXT`, `echo off`: *handled when the line is one. */
static int parse_echo(struct pstate *ps, const char *p, size_t n, int *handled, bf_error *err)
{
    size_t k = 0;
    sc_cmd *c;
    char *text = NULL;
    const char *rest;
    size_t restlen;

    *handled = 0;
    while (k < n && p[k] != ' ' && p[k] != '\t' && p[k] != '.')
        k++;
    if (!word_is(p, k, "echo"))
        return BF_OK;
    *handled = 1;
    rest = k < n ? p + k + 1 : p + n; /* the one separator is not printed */
    restlen = (size_t)(p + n - rest);
    if (p[k] != '.' && (restlen == 0 || word_is(rest, restlen, "off") ||
                        word_is(rest, restlen, "on")))
        return BF_OK;
    if (sc_cmd_pass(rest, restlen, &text, err) != BF_OK)
        return line_wrap(ps, err);
    c = cmd_new(ps, SC_ECHO, err);
    if (!c) {
        free(text);
        return err ? err->code : BF_ERR_NOMEM;
    }
    c->echo = text;
    return BF_OK;
}

static int parse_command(struct pstate *ps, const char *p, size_t n, bf_error *err)
{
    sc_cmd *c;
    const char *prog;
    int handled, rc;

    if ((rc = parse_echo(ps, p, n, &handled, err)) != BF_OK || handled)
        return rc;
    c = cmd_new(ps, 0, err);
    if (!c)
        return err ? err->code : BF_ERR_NOMEM;
    if (sc_lex(p, n, &c->words, err) != BF_OK)
        return line_wrap(ps, err);
    prog = c->words.n ? c->words.v[0] : "";
    if (sc_ieq(prog, "reg") || sc_ieq(prog, "reg.exe"))
        return parse_reg(ps, c, err);
    if (sc_ieq(prog, "bcdedit") || sc_ieq(prog, "bcdedit.exe")) {
        c->kind = SC_BCDEDIT;
        return parse_bcdedit(ps, c, err);
    }
    return line_fail(ps, err, BF_ERR_INVALID, "not a command bootfix can run (it runs reg "
                     "load/add/delete/unload, bcdedit /store, REM and blank lines)");
}

static int utf8_ok(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n)
        if (rf_utf8_next((const uint8_t *)p, n, &i) < 0)
            return 0;
    return 1;
}

/* One physical line p[0..n) (no line end). */
static int parse_line(struct pstate *ps, const char *p, size_t n, bf_error *err)
{
    char *trimmed;
    size_t a = 0, z = n, k;
    int rc;

    while (a < z && (p[a] == ' ' || p[a] == '\t' || p[a] == '@'))
        a++;
    while (z > a && (p[z - 1] == ' ' || p[z - 1] == '\t'))
        z--;
    trimmed = sc_strndup(p + a, z - a);
    if (!trimmed)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    ps->text = trimmed;
    rc = BF_OK;
    if (memchr(p, '\0', n))
        rc = line_fail(ps, err, BF_ERR_INVALID, "the line holds a NUL byte (is the script "
                       "UTF-16? save it as UTF-8)");
    else if (!utf8_ok(p, n))
        rc = line_fail(ps, err, BF_ERR_INVALID, "not UTF-8 text (save the script as UTF-8)");
    if (rc != BF_OK || a == z)
        goto out;
    if (z - a >= 2 && p[a] == ':' && p[a + 1] == ':')
        goto out;
    for (k = a; k < z && p[k] != ' ' && p[k] != '\t'; k++)
        ;
    if (word_is(p + a, k - a, "rem"))
        goto out;
    rc = parse_command(ps, p + a, n - a, err);
out:
    ps->text = "";
    free(trimmed);
    return rc;
}

/* ---- drive letters ---------------------------------------------------------------------------- */

static const char *map_lookup(const bf_script_opts *o, char letter)
{
    size_t i;
    for (i = 0; o && i < o->nmaps; i++)
        if (upper(o->maps[i].letter) == letter)
            return o->maps[i].dir;
    return NULL;
}

static int check_maps(const char *name, const bf_script_opts *o, bf_error *err)
{
    size_t i, k;
    for (i = 0; o && i < o->nmaps; i++) {
        char l = upper(o->maps[i].letter);
        if (l < 'A' || l > 'Z')
            return bf_fail(err, BF_ERR_INVALID, "%s: --map needs a drive letter A-Z", name);
        if (!o->maps[i].dir || !o->maps[i].dir[0])
            return bf_fail(err, BF_ERR_INVALID, "%s: --map %c: has no directory", name, l);
        for (k = 0; k < i; k++)
            if (upper(o->maps[k].letter) == l)
                return bf_fail(err, BF_ERR_INVALID, "%s: --map %c: is given twice", name, l);
    }
    return BF_OK;
}

/* Every drive letter the script uses gets a directory. */
static int map_letters(struct pstate *ps, bf_error *err)
{
    const bf_script_opts *o = ps->o;
    const char *dirs[26] = {0};
    char list[26 * 4 + 1] = "";
    size_t nunmapped = 0, i;
    int last = -1;

    for (i = 0; i < 26; i++) {
        if (!ps->letter_line[i])
            continue;
        dirs[i] = map_lookup(o, (char)('A' + i));
        if (!dirs[i]) {
            nunmapped++;
            last = (int)i;
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%c:",
                     list[0] ? ", " : "", (char)('A' + i));
        }
    }
    if (nunmapped == 1 && o && o->target && o->target->root) {
        dirs[last] = o->target->root;
    } else if (nunmapped > 1 && o && o->target) {
        return bf_fail(err, BF_ERR_INVALID, "%s uses the drive letters %s: say which directory "
                       "each one is with --map L:=DIR (one of them may be left for the target)",
                       ps->name, list);
    } else if (nunmapped) {
        for (i = 0; i < 26; i++)
            if (ps->letter_line[i] && !dirs[i])
                break;
        return bf_fail(err, BF_ERR_INVALID, "%s line %zu: drive %c: is not mapped: use --map "
                       "%c:=DIR (the directory where that volume is mounted)%s%s", ps->name,
                       ps->letter_line[i], (char)('A' + i), (char)('A' + i),
                       nunmapped > 1 ? "; letters without --map: " : "",
                       nunmapped > 1 ? list : "");
    }
    for (i = 0; i < ps->s->nfiles; i++)
        ps->s->files[i].dir = dirs[ps->s->files[i].letter - 'A'];
    return BF_OK;
}

/* ---- the whole script ---------------------------------------------------------------------------- */

/* Length of a UTF-8 line in UTF-16 code units, as cmd.exe counts a command
 * line (invalid UTF-8 is refused later, by the lexer). */
static size_t line_units(const char *s, size_t n)
{
    size_t units = 0, i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            units += c >= 0xF0 ? 2 : 1; /* a 4-byte sequence is a surrogate pair */
    }
    return units;
}

int sc_parse(const char *name, const char *text, size_t len, const bf_script_opts *o,
             sc_script *s, bf_error *err)
{
    struct pstate ps;
    size_t pos = 0, i;
    int rc = BF_OK;

    memset(s, 0, sizeof *s);
    memset(&ps, 0, sizeof ps);
    ps.name = name ? name : "script";
    ps.o = o;
    ps.s = s;
    ps.text = "";
    if (len > BF_LIMIT_SCRIPT_SIZE)
        return bf_fail(err, BF_ERR_LIMIT, "%s: %zu bytes: scripts are limited to %u MiB",
                       ps.name, len, BF_LIMIT_SCRIPT_SIZE >> 20);
    if ((rc = check_maps(ps.name, o, err)) != BF_OK)
        return rc;
    if (len >= 2 && (((uint8_t)text[0] == 0xFF && (uint8_t)text[1] == 0xFE) ||
                     ((uint8_t)text[0] == 0xFE && (uint8_t)text[1] == 0xFF)))
        return bf_fail(err, BF_ERR_INVALID, "%s is UTF-16 text: save it as UTF-8 (or ANSI)",
                       ps.name);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len && rc == BF_OK) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;
        ps.lineno++;
        if (ps.lineno > SC_MAX_LINES) {
            rc = bf_fail(err, BF_ERR_LIMIT, "%s: more than %u lines", ps.name, SC_MAX_LINES);
            break;
        }
        if (n && text[pos + n - 1] == '\r')
            n--;
        if (line_units(text + pos, n) > BF_LIMIT_SCRIPT_LINE)
            rc = bf_fail(err, BF_ERR_LIMIT,
                         "%s line %zu: %zu characters: lines are limited to %d characters (as in cmd.exe)",
                         ps.name, ps.lineno, line_units(text + pos, n), BF_LIMIT_SCRIPT_LINE);
        else
            rc = parse_line(&ps, text + pos, n, err);
        pos = end + 1;
    }
    if (rc == BF_OK)
        rc = map_letters(&ps, err);
    for (i = 0; i < ps.nloaded; i++)
        free(ps.loaded[i].name);
    if (rc != BF_OK)
        sc_script_free(s);
    return rc;
}
