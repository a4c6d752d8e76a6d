/*
 * result.c — building a bf_run_result: changes, what was found, warnings,
 * files written; the one-line text of registry values and journal entries.
 */
#include "io/io.h"
#include "recipe/internal.h"
#include "bcd/internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *dup_or_null(const char *s, int *oom)
{
    char *d;
    if (!s)
        return NULL;
    d = bf_strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

int rc_add_change(bf_run_result *res, int kind, int state, const char *file, const char *where,
                  const char *name, const char *old_text, const char *new_text,
                  const char *note, bf_error *err)
{
    bf_change *grown, *c;
    int oom = 0;

    grown = bf_realloc(res->changes, (res->nchanges + 1) * sizeof *grown);
    if (!grown)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for the list of changes");
    res->changes = grown;
    c = &res->changes[res->nchanges];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->state = state;
    c->file = dup_or_null(file, &oom);
    c->where = dup_or_null(where, &oom);
    c->name = dup_or_null(name, &oom);
    c->old_text = dup_or_null(old_text, &oom);
    c->new_text = dup_or_null(new_text, &oom);
    c->note = dup_or_null(note, &oom);
    res->nchanges++;
    if (state == BF_CHANGE_CHANGED)
        res->nchanged++;
    return oom ? bf_fail(err, BF_ERR_NOMEM, "out of memory for the list of changes") : BF_OK;
}

static int add_line(char ***v, size_t *n, bf_error *err, const char *fmt, va_list ap)
{
    char buf[2048];
    char **grown;
    vsnprintf(buf, sizeof buf, fmt, ap);
    grown = bf_realloc(*v, (*n + 1) * sizeof *grown);
    if (!grown)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    *v = grown;
    grown[*n] = bf_strdup(buf);
    if (!grown[*n])
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    ++*n;
    return BF_OK;
}

int rc_add_found(bf_run_result *res, bf_error *err, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = add_line(&res->found, &res->nfound, err, fmt, ap);
    va_end(ap);
    return rc;
}

int rc_add_warning(bf_run_result *res, bf_error *err, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = add_line(&res->warnings, &res->nwarnings, err, fmt, ap);
    va_end(ap);
    return rc;
}

static int add_literal(char ***v, size_t *n, bf_error *err, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = add_line(v, n, err, fmt, ap);
    va_end(ap);
    return rc;
}

int rc_add_written(bf_run_result *res, const char *path, bf_error *err)
{
    return add_literal(&res->written, &res->nwritten, err, "%s", path);
}

static void free_strv(char **v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void bf_run_result_free(bf_run_result *res)
{
    size_t i;
    if (!res)
        return;
    for (i = 0; i < res->nchanges; i++) {
        bf_change *c = &res->changes[i];
        free(c->file);
        free(c->where);
        free(c->name);
        free(c->old_text);
        free(c->new_text);
        free(c->note);
    }
    free(res->changes);
    free_strv(res->found, res->nfound);
    free_strv(res->warnings, res->nwarnings);
    free_strv(res->written, res->nwritten);
    free(res->title);
    free(res->backup_dir);
    free(res->journal_path);
    free(res->output);
    memset(res, 0, sizeof *res);
}

/* ---- value text ------------------------------------------------------------------------- */

char *rc_reg_text(int present, uint32_t type, const uint8_t *data, size_t len)
{
    const char *tn = bf_reg_type_name(type);
    char tbuf[24];
    char *body, *out;
    size_t n;

    if (!present)
        return bf_strdup("absent");
    if (!tn) {
        snprintf(tbuf, sizeof tbuf, "REG_0x%" PRIx32, type);
        tn = tbuf;
    }
    body = bf_reg_data_format(type, data, len);
    if (!body)
        return NULL;
    n = strlen(tn) + strlen(body) + 48;
    out = bf_malloc(n);
    if (out) {
        if (type == BF_REG_DWORD && len == 4)
            snprintf(out, n, "%s %s (%" PRIu32 ")", tn, body, rd32(data));
        else if (type == BF_REG_QWORD && len == 8)
            snprintf(out, n, "%s %s (%" PRIu64 ")", tn, body, rd64(data));
        else if (len == 0 && (type == BF_REG_BINARY || type == BF_REG_NONE))
            snprintf(out, n, "%s (no data)", tn);
        else
            snprintf(out, n, "%s %s", tn, body);
    }
    free(body);
    return out;
}

/* "Objects\{guid}" or "Objects\{guid}\Elements\xxxxxxxx": the GUID, and the
 * element code (0 when the path is the object itself).  0 on a match. */
static int bcd_path(const char *key, bf_guid *g, uint32_t *code, int *is_object)
{
    const char *p;
    char guid[BF_GUID_TEXT];
    if (strncmp(key, "Objects\\", 8) != 0 || strlen(key) < 8 + 38)
        return -1;
    memcpy(guid, key + 8, 38);
    guid[38] = '\0';
    if (bf_guid_parse(guid, g) != 0)
        return -1;
    p = key + 8 + 38;
    *code = 0;
    *is_object = *p == '\0';
    if (*is_object)
        return 0;
    if (bf_ascii_ieq(p, "\\Description") || strncmp(p, "\\Description\\", 13) == 0 ||
        bf_ascii_ieq(p, "\\Elements"))
        return 0; /* the object's own keys: shown as the object, code 0 */
    if (strncmp(p, "\\Elements\\", 10) != 0 || strlen(p + 10) != 8)
        return 1;
    {
        char *end;
        unsigned long v = strtoul(p + 10, &end, 16);
        if (*end)
            return 1;
        *code = (uint32_t)v;
    }
    return 0;
}

char *rc_bcd_text(bf_bcd *s, const bf_guid *g, uint32_t objtype, uint32_t code, int present,
                  uint32_t type, const uint8_t *data, size_t len, unsigned flags)
{
    bf_bcd_elem e;
    bf_error err;
    char **lines = NULL;
    size_t n = 0, i, total = 8;
    char *out;

    if (!present)
        return bf_strdup("absent");
    memset(&e, 0, sizeof e);
    if (bcd_elem_decode(code, type, data, len, &e, &err) != BF_OK)
        return rc_reg_text(1, type, data, len);
    if (bf_bcd_value_format(s, g, objtype, &e, flags, NULL, &lines, &n, &err) != BF_OK) {
        bf_bcd_elem_free(&e);
        return rc_reg_text(1, type, data, len);
    }
    bf_bcd_elem_free(&e);
    for (i = 0; i < n; i++)
        total += strlen(lines[i]) + 2;
    out = bf_malloc(total);
    if (out) {
        out[0] = '\0';
        for (i = 0; i < n; i++) {
            if (i)
                strcat(out, ", ");
            strcat(out, lines[i]);
        }
        if (n == 0)
            strcpy(out, "(empty)");
    }
    bf_bcd_lines_free(lines, n);
    return out;
}

static void object_label(const bf_guid *g, char *buf, size_t len)
{
    const char *alias = bf_bcd_alias_name(g);
    if (alias)
        snprintf(buf, len, "%s", alias);
    else
        bf_guid_format(g, buf);
}

static int bcd_entry_change(bf_run_result *res, const bf_journal *j, const bf_journal_entry *e,
                            bf_bcd *s, int reverse, int state, const char *note, bf_error *err)
{
    bf_guid g;
    uint32_t code, objtype = 0;
    int is_object, rc;
    char where[64], namebuf[32];
    const char *name;
    char *o, *n;
    int op = e->op;
    const char *label = j->files[e->file].label;

    rc = bcd_path(e->key, &g, &code, &is_object);
    if (rc != 0)
        return 1; /* not an element path: caller shows it as a registry change */
    object_label(&g, where, sizeof where);
    if (is_object) {
        int created = (op == BF_J_KEY_ADD) != !!reverse;
        if (op == BF_J_VALUE)
            return 1;
        return rc_add_change(res, BF_CHANGE_BCD_OBJECT, state, label, where, "object",
                             created ? "absent" : "present", created ? "created" : "deleted",
                             note, err);
    }
    if (code == 0)
        return 0; /* Description, Elements and their values: part of the object line */
    if (op != BF_J_VALUE)
        return 0;
    if (!bf_ascii_ieq(e->value, BCD_ELEMENT_VALUE))
        return 1;
    if (s)
        (void)bf_bcd_object_type(s, &g, &objtype, NULL);
    name = bf_bcd_element_display_name(code, objtype, namebuf, sizeof namebuf);
    o = rc_bcd_text(s, &g, objtype, code, e->old_present, e->old_type, e->old_data, e->old_len, 0);
    n = rc_bcd_text(s, &g, objtype, code, e->new_present, e->new_type, e->new_data, e->new_len, 0);
    if (!o || !n) {
        free(o);
        free(n);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    rc = rc_add_change(res, BF_CHANGE_BCD_ELEMENT, state, label, where, name, reverse ? n : o,
                       reverse ? o : n, note, err);
    free(o);
    free(n);
    return rc;
}

int rc_change_from_entry(bf_run_result *res, const bf_journal *j, const bf_journal_entry *e,
                         bf_bcd *store, int reverse, int state, const char *note, bf_error *err)
{
    const char *label;
    char *o, *n;
    int rc;

    if (e->file >= j->nfiles)
        return bf_fail(err, BF_ERR_INVALID, "journal entry names file %zu of %zu", e->file,
                       j->nfiles);
    label = j->files[e->file].label;
    if (label && bf_ascii_ieq(label, "BCD")) {
        rc = bcd_entry_change(res, j, e, store, reverse, state, note, err);
        if (rc <= 0)
            return rc;
    }
    if (e->op != BF_J_VALUE) {
        int created = (e->op == BF_J_KEY_ADD) != !!reverse;
        return rc_add_change(res, BF_CHANGE_KEY, state, label, e->key, "", created ? "absent" : "key",
                             created ? "key created" : "absent", note, err);
    }
    o = rc_reg_text(e->old_present, e->old_type, e->old_data, e->old_len);
    n = rc_reg_text(e->new_present, e->new_type, e->new_data, e->new_len);
    if (!o || !n) {
        free(o);
        free(n);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    rc = rc_add_change(res, BF_CHANGE_REG_VALUE, state, label, e->key,
                       e->value[0] ? e->value : "(Default)", reverse ? n : o, reverse ? o : n,
                       note, err);
    free(o);
    free(n);
    return rc;
}

/* ---- time stamps -------------------------------------------------------------------------- */

static void utc_now(struct tm *tm, long *nsec)
{
    int64_t sec;
    bf_io_clock(&sec, nsec);
    if (bf_io_gmtime(sec, tm) != 0)
        memset(tm, 0, sizeof *tm);
}

void rc_utc_stamp(char *buf, size_t len)
{
    /* microseconds, so that folders of runs in the same second still sort
     * in the order they were made */
    struct tm tm;
    long nsec;
    char sec[24];
    utc_now(&tm, &nsec);
    strftime(sec, sizeof sec, "%Y%m%dT%H%M%S", &tm);
    snprintf(buf, len, "%s.%06ldZ", sec, nsec / 1000);
}

void rc_utc_iso(char *buf, size_t len)
{
    struct tm tm;
    long nsec;
    utc_now(&tm, &nsec);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
