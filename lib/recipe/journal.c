/*
 * journal.c — the journal file format; finding the newest journal.
 *
 * A journal records every change one run made, so that `bootfix undo` can
 * revert it exactly.  Format version 1: plain UTF-8 text, one record per
 * line ("\n"; a "\r" before it is accepted), fields separated by one TAB:
 *
 *   # bootfix journal: revert with `bootfix undo /mnt/f`
 *   bootfix-journal	1
 *   recipe	enable-dump
 *   created	2026-11-21T10:05:02Z
 *   target	/mnt/f
 *   reverts	PATH                   (only in the journal of an undo)
 *   undone	TIME by PATH           (only once the journal was reverted)
 *   file	0	SYSTEM	1	/mnt/f/Windows/System32/config/SYSTEM	/mnt/f/bootfix-backup/X/SYSTEM
 *   value	0	ControlSet001\Control\CrashControl	AutoReboot	REG_DWORD:01000000	-
 *   key+	0	ControlSet001\Services\new
 *   key-	0	ControlSet001\Services\old
 *   end	3
 *
 *   file   index (0, 1, ... in order), label, committed (0/1), path, backup
 *          ("-": no copy was made)
 *   value  file index, key path, value name ("" = default value), old state,
 *          new state; a state is "-" (absent) or TYPE:HEX, TYPE a name
 *          REG_SZ ... REG_QWORD or 0xHHHHHHHH, HEX the data bytes
 *   key+   a key created (its values follow as value records)
 *   key-   a key deleted (after the records of its values and subkeys)
 *   end    the number of entries: a journal without it is truncated
 *
 * Every text field is escaped: '%', TAB, LF, CR, other control characters,
 * DEL and bytes that are not valid UTF-8 as %XX; a field that is exactly "-"
 * is written %2D (a lone "-" means "none").  Lines starting with '#' and
 * empty lines are ignored.  The header records come first, then the files,
 * then the entries, then end.  Anything else is refused with the file name
 * and the line number.
 *
 * Limits: a journal file of at most 1 GiB, a line of at most 17 MiB, value
 * data of at most 4 MiB per state (Windows itself keeps values under 1 MB),
 * at most 64 files.  bf_journal_write refuses (BF_ERR_LIMIT) what the
 * reader would refuse.
 */
#include "recipe/internal.h"
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define J_VERSION 1
#define J_MAX_FILE (1024u * 1024u * 1024u)
#define J_MAX_LINE (17u * 1024u * 1024u)
#define J_MAX_DATA (4u * 1024u * 1024u)
#define J_MAX_FILES 64u
#define J_MAX_FIELDS 8

/* ---- building -------------------------------------------------------------------------- */

/* Capacity of an array grown only by the functions below: the smallest
 * power of two >= max(n, 16). */
static int grow_for_one(void **arr, size_t n, size_t elem)
{
    if (n >= 16 && (n & (n - 1)) != 0)
        return 0;
    if (n > 0 && n < 16)
        return 0;
    size_t cap = n ? n * 2 : 16;
    if (cap > ((size_t)-1) / elem)
        return -1;
    void *p = bf_realloc(*arr, cap * elem);
    if (!p)
        return -1;
    *arr = p;
    return 0;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n, int *oom)
{
    uint8_t *d = bf_malloc(n ? n : 1);
    if (!d) {
        *oom = 1;
        return NULL;
    }
    if (n)
        memcpy(d, p, n);
    return d;
}

static char *dup_str(const char *s, int *oom)
{
    char *d = bf_strdup(s ? s : "");
    if (!d)
        *oom = 1;
    return d;
}

static void entry_free(bf_journal_entry *e)
{
    free(e->key);
    free(e->value);
    free(e->old_data);
    free(e->new_data);
}

int rc_journal_add(bf_journal *j, size_t file, int op, const char *key, const char *value,
                   int old_present, uint32_t old_type, const uint8_t *old_data, size_t old_len,
                   int new_present, uint32_t new_type, const uint8_t *new_data, size_t new_len,
                   bf_error *err)
{
    if (grow_for_one((void **)&j->entries, j->nentries, sizeof *j->entries) < 0)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for the journal");
    bf_journal_entry *e = &j->entries[j->nentries];
    memset(e, 0, sizeof *e);
    int oom = 0;
    e->file = file;
    e->op = op;
    e->key = dup_str(key, &oom);
    e->value = dup_str(value, &oom);
    e->old_present = old_present ? 1 : 0;
    e->new_present = new_present ? 1 : 0;
    if (old_present) {
        e->old_type = old_type;
        e->old_data = dup_bytes(old_data, old_len, &oom);
        e->old_len = old_len;
    }
    if (new_present) {
        e->new_type = new_type;
        e->new_data = dup_bytes(new_data, new_len, &oom);
        e->new_len = new_len;
    }
    if (oom) {
        entry_free(e);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for the journal");
    }
    j->nentries++;
    return BF_OK;
}

int rc_journal_add_file(bf_journal *j, const char *label, const char *path, const char *backup,
                        size_t *index, bf_error *err)
{
    if (grow_for_one((void **)&j->files, j->nfiles, sizeof *j->files) < 0)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for the journal");
    bf_journal_file *f = &j->files[j->nfiles];
    memset(f, 0, sizeof *f);
    int oom = 0;
    f->label = dup_str(label, &oom);
    f->path = dup_str(path, &oom);
    f->backup = backup ? dup_str(backup, &oom) : NULL;
    if (oom) {
        free(f->label);
        free(f->path);
        free(f->backup);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for the journal");
    }
    if (index)
        *index = j->nfiles;
    j->nfiles++;
    return BF_OK;
}

void bf_journal_free(bf_journal *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->nfiles; i++) {
        free(j->files[i].label);
        free(j->files[i].path);
        free(j->files[i].backup);
    }
    for (size_t i = 0; i < j->nentries; i++)
        entry_free(&j->entries[i]);
    free(j->files);
    free(j->entries);
    free(j->path);
    free(j->recipe);
    free(j->created);
    free(j->target);
    free(j->reverts);
    free(j->undone);
    memset(j, 0, sizeof *j);
}

/* ---- writing ------------------------------------------------------------------------------ */

static int must_escape(uint8_t c)
{
    return c == '%' || c < 0x20 || c == 0x7F;
}

static void put_escaped(rf_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const uint8_t *p = (const uint8_t *)(s ? s : "");
    size_t n = strlen((const char *)p);
    if (n == 1 && p[0] == '-') {
        rf_puts(b, "%2D");
        return;
    }
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        int32_t cp = rf_utf8_next(p, n, &i);
        if (cp < 0 || (cp < 0x80 && must_escape(p[start]))) {
            for (size_t k = start; k < i; k++) {
                rf_putc(b, '%');
                rf_putc(b, (uint8_t)hex[p[k] >> 4]);
                rf_putc(b, (uint8_t)hex[p[k] & 15]);
            }
        } else {
            rf_put(b, p + start, i - start);
        }
    }
}

static void put_state(rf_buf *b, int present, uint32_t type, const uint8_t *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (!present) {
        rf_putc(b, '-');
        return;
    }
    const char *name = bf_reg_type_name(type);
    if (name)
        rf_puts(b, name);
    else
        rf_printf(b, "0x%08X", (unsigned)type);
    rf_putc(b, ':');
    if (rf_reserve(b, len * 2) < 0)
        return;
    for (size_t i = 0; i < len; i++) {
        b->p[b->len++] = (uint8_t)hex[data[i] >> 4];
        b->p[b->len++] = (uint8_t)hex[data[i] & 15];
    }
}

static const char *op_word(int op)
{
    switch (op) {
    case BF_J_KEY_ADD:
        return "key+";
    case BF_J_KEY_DEL:
        return "key-";
    case BF_J_VALUE:
        return "value";
    default:
        return NULL;
    }
}

static int check_for_write(const char *path, const bf_journal *j, bf_error *err)
{
    if (j->nfiles > J_MAX_FILES)
        return bf_fail(err, BF_ERR_LIMIT, "%s: journal of %zu files (at most %u)", path, j->nfiles,
                       J_MAX_FILES);
    for (size_t i = 0; i < j->nfiles; i++) {
        const char *l = j->files[i].label;
        if (!l || !*l || strlen(l) > 15 || !j->files[i].path || !*j->files[i].path)
            return bf_fail(err, BF_ERR_INVALID, "%s: journal file %zu has no label or path", path, i);
    }
    for (size_t i = 0; i < j->nentries; i++) {
        const bf_journal_entry *e = &j->entries[i];
        if (e->file >= j->nfiles || !op_word(e->op))
            return bf_fail(err, BF_ERR_INVALID, "%s: journal entry %zu: bad file index or operation",
                           path, i);
        if (e->op == BF_J_VALUE && ((e->old_present && e->old_len > J_MAX_DATA) ||
                                    (e->new_present && e->new_len > J_MAX_DATA)))
            return bf_fail(err, BF_ERR_LIMIT,
                           "%s: value %s of %s holds more than %u bytes, more than a journal records",
                           path, e->value ? e->value : "", e->key ? e->key : "", J_MAX_DATA);
    }
    return BF_OK;
}

/* The journal as text (malloc'd), or NULL when out of memory. */
static char *journal_text(const bf_journal *j, const char *path, size_t *len)
{
    rf_buf b = {0};
    rf_puts(&b, "# bootfix journal: revert with `bootfix undo ");
    if (j->target && *j->target) {
        put_escaped(&b, j->target);
    } else {
        rf_puts(&b, "--journal ");
        put_escaped(&b, path);
    }
    rf_puts(&b, "`\n");
    rf_printf(&b, "bootfix-journal\t%d\n", J_VERSION);
    const char *hdr[5][2] = {{"recipe", j->recipe},
                             {"created", j->created},
                             {"target", j->target},
                             {"reverts", j->reverts},
                             {"undone", j->undone}};
    for (int i = 0; i < 5; i++) {
        if (!hdr[i][1] && i >= 3)
            continue;
        rf_puts(&b, hdr[i][0]);
        rf_putc(&b, '\t');
        put_escaped(&b, hdr[i][1] ? hdr[i][1] : "");
        rf_putc(&b, '\n');
    }
    for (size_t i = 0; i < j->nfiles; i++) {
        const bf_journal_file *f = &j->files[i];
        rf_printf(&b, "file\t%zu\t", i);
        put_escaped(&b, f->label);
        rf_printf(&b, "\t%d\t", f->committed ? 1 : 0);
        put_escaped(&b, f->path);
        rf_putc(&b, '\t');
        if (f->backup)
            put_escaped(&b, f->backup);
        else
            rf_putc(&b, '-');
        rf_putc(&b, '\n');
    }
    for (size_t i = 0; i < j->nentries; i++) {
        const bf_journal_entry *e = &j->entries[i];
        rf_printf(&b, "%s\t%zu\t", op_word(e->op), e->file);
        put_escaped(&b, e->key);
        if (e->op == BF_J_VALUE) {
            rf_putc(&b, '\t');
            put_escaped(&b, e->value);
            rf_putc(&b, '\t');
            put_state(&b, e->old_present, e->old_type, e->old_data, e->old_len);
            rf_putc(&b, '\t');
            put_state(&b, e->new_present, e->new_type, e->new_data, e->new_len);
        }
        rf_putc(&b, '\n');
    }
    rf_printf(&b, "end\t%zu\n", j->nentries);
    if (b.oom) {
        rf_free(&b);
        return NULL;
    }
    *len = b.len;
    return rf_take_str(&b);
}

int bf_journal_write(const char *path, const bf_journal *j, bf_error *err)
{
    int rc = check_for_write(path, j, err);
    if (rc)
        return rc;
    size_t len = 0;
    char *text = journal_text(j, path, &len);
    if (!text)
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory writing the journal", path);
    size_t plen = strlen(path);
    char *tmp = bf_malloc(plen + 32);
    if (!tmp) {
        free(text);
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", path);
    }
    snprintf(tmp, plen + 32, "%s.tmp%ld", path, bf_io_pid());
    const char *step = "create";
    int e = bf_io_write_new(tmp, (const uint8_t *)text, len, 0644, &step);
    if (e == EEXIST) { /* left over from a run that crashed */
        bf_io_unlink(tmp);
        e = bf_io_write_new(tmp, (const uint8_t *)text, len, 0644, &step);
    }
    free(text);
    if (e) {
        rc = bf_fail_sys(err, e, "%s: journal not written (%s of %s failed)", path, step, tmp);
        free(tmp);
        return rc;
    }
    e = bf_io_rename(tmp, path);
    if (e) {
        bf_io_unlink(tmp);
        rc = bf_fail_sys(err, e, "%s: journal not written (rename of %s failed)", path, tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    e = bf_io_flush_dir(path);
    if (e)
        return bf_fail_sys(err, e, "%s: journal written, but flushing its directory failed", path);
    return BF_OK;
}

/* ---- reading --------------------------------------------------------------------------------- */

typedef struct jparse {
    const char *file;
    size_t line;
    bf_error *err;
} jparse;

#define JFAIL(P, ...) jfail((P), __VA_ARGS__)

static int jfail(jparse *p, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(2, 3)
#endif
    ;

static int jfail(jparse *p, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return bf_fail(p->err, BF_ERR_FORMAT, "%s: line %zu: %s", p->file, p->line, what);
}

/* Decode an escaped field in place (it only shrinks).  *s set to NULL for
 * "-" when `dash_is_none`.  Refuses bad escapes and NUL. */
static int unescape(jparse *p, char *f, const char *what, int dash_is_none, char **out)
{
    if (dash_is_none && strcmp(f, "-") == 0) {
        *out = NULL;
        return BF_OK;
    }
    char *w = f;
    for (const char *r = f; *r;) {
        if (*r != '%') {
            *w++ = *r++;
            continue;
        }
        int hi = rf_hexval((unsigned char)r[1]);
        int lo = hi < 0 ? -1 : rf_hexval((unsigned char)r[2]);
        if (hi < 0 || lo < 0)
            return JFAIL(p, "%s: '%%' not followed by two hex digits", what);
        if (hi == 0 && lo == 0)
            return JFAIL(p, "%s: %%00 (a NUL character) is not allowed", what);
        *w++ = (char)(hi * 16 + lo);
        r += 3;
    }
    *w = 0;
    *out = f;
    return BF_OK;
}

static int parse_size(jparse *p, const char *s, const char *what, size_t max, size_t *out)
{
    size_t v = 0;
    if (!*s)
        return JFAIL(p, "%s is empty", what);
    if (s[0] == '0' && s[1])
        return JFAIL(p, "%s \"%s\" has a leading zero", what, s);
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return JFAIL(p, "%s is not a decimal number", what);
        v = v * 10 + (size_t)(*s - '0');
        if (v > max)
            return JFAIL(p, "%s is above %zu", what, max);
    }
    *out = v;
    return BF_OK;
}

static int parse_type(jparse *p, const char *s, size_t n, const char *what, uint32_t *type)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (n > 10)
            return JFAIL(p, "%s: type number too long", what);
        uint32_t v = 0;
        for (size_t i = 2; i < n; i++) {
            int d = rf_hexval((unsigned char)s[i]);
            if (d < 0)
                return JFAIL(p, "%s: bad type number", what);
            v = v * 16 + (uint32_t)d;
        }
        *type = v;
        return BF_OK;
    }
    for (uint32_t t = 0; t < 64; t++) {
        const char *name = bf_reg_type_name(t);
        if (name && strlen(name) == n && memcmp(name, s, n) == 0) {
            *type = t;
            return BF_OK;
        }
    }
    return JFAIL(p, "%s: unknown value type \"%.*s\"", what, (int)(n > 40 ? 40 : n), s);
}

/* "-" or TYPE:HEX.  *data malloc'd when present. */
static int parse_state(jparse *p, const char *s, const char *what, int *present, uint32_t *type,
                       uint8_t **data, size_t *len)
{
    *present = 0;
    *data = NULL;
    *len = 0;
    *type = 0;
    if (strcmp(s, "-") == 0)
        return BF_OK;
    const char *colon = strchr(s, ':');
    if (!colon)
        return JFAIL(p, "%s: expected \"-\" or TYPE:HEX", what);
    int rc = parse_type(p, s, (size_t)(colon - s), what, type);
    if (rc)
        return rc;
    const char *hex = colon + 1;
    size_t n = strlen(hex);
    if (n % 2)
        return JFAIL(p, "%s: odd number of hex digits", what);
    if (n / 2 > J_MAX_DATA)
        return JFAIL(p, "%s: more than %u bytes of data", what, J_MAX_DATA);
    uint8_t *d = bf_malloc(n / 2 ? n / 2 : 1);
    if (!d)
        return bf_fail(p->err, BF_ERR_NOMEM, "%s: line %zu: out of memory", p->file, p->line);
    for (size_t i = 0; i < n; i += 2) {
        int hi = rf_hexval((unsigned char)hex[i]), lo = rf_hexval((unsigned char)hex[i + 1]);
        if (hi < 0 || lo < 0) {
            free(d);
            return JFAIL(p, "%s: bad hex digit at data position %zu", what, i + (hi < 0 ? 0 : 1));
        }
        d[i / 2] = (uint8_t)(hi * 16 + lo);
    }
    *present = 1;
    *data = d;
    *len = n / 2;
    return BF_OK;
}

/* Check the raw line: valid UTF-8, no control characters but TAB. */
static int check_line_text(jparse *p, const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        int32_t cp = rf_utf8_next(s, n, &i);
        if (cp < 0)
            return JFAIL(p, "not UTF-8 (byte 0x%02X at column %zu)", s[at], at + 1);
        if ((cp < 0x20 && cp != '\t') || cp == 0x7F)
            return JFAIL(p, "control character 0x%02X at column %zu", (unsigned)cp, at + 1);
    }
    return BF_OK;
}

static size_t split_fields(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *s = line;
    for (;;) {
        if (n == max)
            return max + 1;
        f[n++] = s;
        char *t = strchr(s, '\t');
        if (!t)
            return n;
        *t = 0;
        s = t + 1;
    }
}

enum { SEC_HEADER, SEC_FILES, SEC_ENTRIES, SEC_END };

typedef struct jstate {
    int have_version;
    int section;
    int seen[5];
    size_t end_count;
} jstate;

static int set_header(jparse *p, jstate *st, bf_journal *j, char **f, size_t nf)
{
    static const char *const names[5] = {"recipe", "created", "target", "reverts", "undone"};
    char **slots[5] = {&j->recipe, &j->created, &j->target, &j->reverts, &j->undone};
    for (int i = 0; i < 5; i++) {
        if (strcmp(f[0], names[i]) != 0)
            continue;
        if (st->section != SEC_HEADER)
            return JFAIL(p, "header record \"%s\" after the file records", names[i]);
        if (st->seen[i])
            return JFAIL(p, "second \"%s\" record", names[i]);
        if (nf != 2)
            return JFAIL(p, "\"%s\" needs exactly 1 field, found %zu", names[i], nf - 1);
        char *v;
        int rc = unescape(p, f[1], names[i], 0, &v);
        if (rc)
            return rc;
        *slots[i] = bf_strdup(v);
        if (!*slots[i])
            return bf_fail(p->err, BF_ERR_NOMEM, "%s: out of memory", p->file);
        st->seen[i] = 1;
        return 1;
    }
    return 0;
}

static int add_file_record(jparse *p, jstate *st, bf_journal *j, char **f, size_t nf)
{
    if (st->section == SEC_ENTRIES)
        return JFAIL(p, "file record after the entries");
    if (nf != 6)
        return JFAIL(p, "\"file\" needs 5 fields (index, label, committed, path, backup), found %zu",
                     nf - 1);
    size_t idx;
    int rc = parse_size(p, f[1], "file index", J_MAX_FILES, &idx);
    if (rc)
        return rc;
    if (idx != j->nfiles)
        return JFAIL(p, "file index %zu where %zu was expected", idx, j->nfiles);
    if (idx >= J_MAX_FILES)
        return JFAIL(p, "more than %u files", J_MAX_FILES);
    char *label, *path, *backup;
    if ((rc = unescape(p, f[2], "file label", 0, &label)) ||
        (rc = unescape(p, f[4], "file path", 0, &path)) ||
        (rc = unescape(p, f[5], "backup path", 1, &backup)))
        return rc;
    if (!*label || strlen(label) > 15)
        return JFAIL(p, "file label must be 1 to 15 bytes");
    if (!*path)
        return JFAIL(p, "empty file path");
    if (backup && !*backup)
        return JFAIL(p, "empty backup path (\"-\" means none)");
    if (strcmp(f[3], "0") != 0 && strcmp(f[3], "1") != 0)
        return JFAIL(p, "committed must be 0 or 1, not \"%s\"", f[3]);
    rc = rc_journal_add_file(j, label, path, backup, NULL, p->err);
    if (rc)
        return rc;
    j->files[idx].committed = f[3][0] == '1';
    st->section = SEC_FILES;
    return BF_OK;
}

static int add_entry_record(jparse *p, jstate *st, bf_journal *j, int op, char **f, size_t nf)
{
    size_t want = op == BF_J_VALUE ? 6 : 3;
    if (nf != want)
        return JFAIL(p, "\"%s\" needs %zu fields, found %zu", f[0], want - 1, nf - 1);
    size_t idx;
    int rc = parse_size(p, f[1], "file index", (size_t)1 << 30, &idx);
    if (rc)
        return rc;
    if (idx >= j->nfiles)
        return JFAIL(p, "file index %zu out of range (%zu file%s recorded above)", idx, j->nfiles,
                     j->nfiles == 1 ? "" : "s");
    char *key, *value = NULL;
    if ((rc = unescape(p, f[2], "key path", 0, &key)))
        return rc;
    if (op != BF_J_VALUE) {
        if (!*key)
            return JFAIL(p, "\"%s\" of the root key", f[0]);
        rc = rc_journal_add(j, idx, op, key, "", 0, 0, NULL, 0, 0, 0, NULL, 0, p->err);
    } else {
        if ((rc = unescape(p, f[3], "value name", 0, &value)))
            return rc;
        int op_, np;
        uint32_t ot, nt;
        uint8_t *od, *nd;
        size_t ol, nl;
        if ((rc = parse_state(p, f[4], "old state", &op_, &ot, &od, &ol)))
            return rc;
        if ((rc = parse_state(p, f[5], "new state", &np, &nt, &nd, &nl))) {
            free(od);
            return rc;
        }
        if (!op_ && !np)
            rc = JFAIL(p, "value both absent before and after");
        else
            rc = rc_journal_add(j, idx, op, key, value, op_, ot, od, ol, np, nt, nd, nl, p->err);
        free(od);
        free(nd);
    }
    if (rc)
        return rc;
    st->section = SEC_ENTRIES;
    return BF_OK;
}

static int parse_record(jparse *p, jstate *st, bf_journal *j, char *line)
{
    char *f[J_MAX_FIELDS];
    size_t nf = split_fields(line, f, J_MAX_FIELDS);
    if (nf > J_MAX_FIELDS)
        return JFAIL(p, "more than %d fields", J_MAX_FIELDS);
    if (st->section == SEC_END)
        return JFAIL(p, "record \"%.20s\" after the end record", f[0]);
    if (!st->have_version) {
        if (strcmp(f[0], "bootfix-journal") != 0 || nf != 2)
            return JFAIL(p, "not a bootfix journal (the first record must be \"bootfix-journal<TAB>1\")");
        size_t v;
        int rc = parse_size(p, f[1], "format version", 1000000, &v);
        if (rc)
            return rc;
        if (v != J_VERSION)
            return JFAIL(p, "journal format version %zu is not supported (this bootfix reads version %d)",
                         v, J_VERSION);
        st->have_version = 1;
        return BF_OK;
    }
    int rc = set_header(p, st, j, f, nf);
    if (rc)
        return rc < 0 ? rc : BF_OK;
    if (strcmp(f[0], "file") == 0)
        return add_file_record(p, st, j, f, nf);
    if (strcmp(f[0], "value") == 0)
        return add_entry_record(p, st, j, BF_J_VALUE, f, nf);
    if (strcmp(f[0], "key+") == 0)
        return add_entry_record(p, st, j, BF_J_KEY_ADD, f, nf);
    if (strcmp(f[0], "key-") == 0)
        return add_entry_record(p, st, j, BF_J_KEY_DEL, f, nf);
    if (strcmp(f[0], "end") == 0) {
        if (nf != 2)
            return JFAIL(p, "\"end\" needs 1 field");
        size_t n;
        if ((rc = parse_size(p, f[1], "entry count", (size_t)-1 / 2, &n)))
            return rc;
        if (n != j->nentries)
            return JFAIL(p, "end record says %zu entries, the journal holds %zu", n, j->nentries);
        st->section = SEC_END;
        return BF_OK;
    }
    return JFAIL(p, "unknown record \"%.40s\"", f[0]);
}

static int parse_text(jparse *p, char *text, size_t len, bf_journal *j)
{
    jstate st;
    memset(&st, 0, sizeof st);
    size_t pos = 0;
    p->line = 0;
    while (pos < len) {
        p->line++;
        char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        char *line = text + pos;
        pos = nl ? end + 1 : len;
        if (!nl)
            return JFAIL(p, "the last line has no line end (truncated?)");
        if (n > J_MAX_LINE)
            return JFAIL(p, "line longer than %u bytes", J_MAX_LINE);
        if (n && line[n - 1] == '\r')
            n--;
        line[n] = 0;
        if (memchr(line, 0, n))
            return JFAIL(p, "NUL byte in the line");
        if (n == 0 || line[0] == '#')
            continue;
        int rc = check_line_text(p, (const uint8_t *)line, n);
        if (rc)
            return rc;
        if ((rc = parse_record(p, &st, j, line)))
            return rc;
    }
    p->line++;
    if (!st.have_version)
        return JFAIL(p, "not a bootfix journal (empty)");
    static const char *const required[3] = {"recipe", "created", "target"};
    for (int i = 0; i < 3; i++)
        if (!st.seen[i])
            return JFAIL(p, "no \"%s\" record", required[i]);
    if (st.section != SEC_END)
        return JFAIL(p, "no \"end\" record: the journal is truncated");
    return BF_OK;
}

int bf_journal_read(const char *path, bf_journal *j, bf_error *err)
{
    memset(j, 0, sizeof *j);
    uint64_t size;
    int64_t mtime;
    int e = bf_io_stat(path, &size, &mtime);
    if (e)
        return e == ENOENT ? bf_fail(err, BF_ERR_NOT_FOUND, "%s: no such journal", path)
                           : bf_fail_sys(err, e, "%s: cannot read the journal", path);
    if (size > J_MAX_FILE)
        return bf_fail(err, BF_ERR_LIMIT, "%s: journal larger than %u bytes", path, J_MAX_FILE);
    uint8_t *data;
    size_t len;
    e = bf_io_read_file(path, &data, &len);
    if (e)
        return bf_fail_sys(err, e, "%s: cannot read the journal", path);
    if (len > J_MAX_FILE) {
        free(data);
        return bf_fail(err, BF_ERR_LIMIT, "%s: journal larger than %u bytes", path, J_MAX_FILE);
    }
    /* room for a terminating NUL when the last line has no line end */
    uint8_t *text = bf_realloc(data, len + 1);
    if (!text) {
        free(data);
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", path);
    }
    text[len] = 0;
    jparse p = {path, 0, err};
    int rc = parse_text(&p, (char *)text, len, j);
    free(text);
    if (rc == BF_OK && !(j->path = bf_strdup(path)))
        rc = bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", path);
    if (rc)
        bf_journal_free(j);
    return rc;
}

/* ---- finding the newest ------------------------------------------------------------------------- */

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int cmp_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

static int list_folders(const char *root, char ***names, size_t *count, bf_error *err)
{
    *names = NULL;
    *count = 0;
    bf_io_dir *d;
    int e = bf_io_dir_open(root, &d);
    if (e) {
        if (e == ENOENT || e == ENOTDIR)
            return bf_fail(err, BF_ERR_NOT_FOUND, "no journal under %s (no such folder)", root);
        if (e == ENOMEM)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory listing %s", root);
        return bf_fail_sys(err, e, "%s: cannot list the backup folders", root);
    }
    size_t n = 0, cap = 0;
    char **v = NULL;
    const char *name;
    int rc = BF_OK;
    while ((name = bf_io_dir_next(d)) != NULL) {
        if (name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **g = bf_realloc(v, nc * sizeof *g);
            if (!g) {
                rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
                break;
            }
            v = g;
            cap = nc;
        }
        if (!(v[n] = bf_strdup(name))) {
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
            break;
        }
        n++;
    }
    bf_io_dir_close(d);
    if (rc) {
        free_names(v, n);
        return rc;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_desc);
    *names = v;
    *count = n;
    return BF_OK;
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *s = bf_malloc(n);
    if (s)
        snprintf(s, n, "%s%c%s%c%s", a, bf_io_sep, b, bf_io_sep, c);
    return s;
}

int bf_journal_find_latest(const char *backup_root, const char *recipe, int any, char **path,
                           bf_error *err)
{
    *path = NULL;
    char **names;
    size_t n;
    int rc = list_folders(backup_root, &names, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !*path; i++) {
        char *jp = join3(backup_root, names[i], RC_JOURNAL_NAME);
        if (!jp) {
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
            break;
        }
        uint64_t size;
        int64_t mtime;
        if (bf_io_stat(jp, &size, &mtime) != 0) { /* a folder without a journal */
            free(jp);
            continue;
        }
        bf_journal j;
        rc = bf_journal_read(jp, &j, err);
        if (rc) {
            if (err) {
                char why[sizeof err->msg];
                snprintf(why, sizeof why, "%s", err->msg);
                bf_fail(err, rc, "%s (move that folder out of %s to ignore it)", why, backup_root);
            }
            free(jp);
            break;
        }
        int skip = !any && (j.undone || strcmp(j.recipe, "undo") == 0);
        if (recipe && strcmp(j.recipe, recipe) != 0)
            skip = 1;
        bf_journal_free(&j);
        if (skip)
            free(jp);
        else
            *path = jp;
    }
    free_names(names, n);
    if (rc)
        return rc;
    if (!*path)
        return bf_fail(err, BF_ERR_NOT_FOUND, "no journal%s%s%s under %s", recipe ? " of \"" : "",
                       recipe ? recipe : "", recipe ? "\"" : "", backup_root);
    return BF_OK;
}
