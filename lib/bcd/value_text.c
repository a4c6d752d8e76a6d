/*
 * Element values as bcdedit's text: parsing what `/set` accepts into the
 * bytes bcdedit stores, and formatting stored elements the way `/enum`
 * prints them.  Facts: ../shared/reference/bcd-elements.md §4.1, §5, §6.
 *
 * Parsing choices (bcdedit's own wording where it is known):
 *   booleans   1/ON/YES/TRUE, 0/OFF/NO/FALSE in any case (bcdedit /? FORMATS);
 *   integers   decimal, or 0x-hex (Microsoft's truncatememory example uses
 *              0x40000000), or an enumeration name of the element in any case;
 *              "The integer data is not valid as specified." is bcdedit's
 *              message for a bad integer (seen in user reports);
 *   the boolean message "The boolean data is not valid as specified." is
 *   modelled on it (bcdedit's exact text not found).
 */
#include "io/io.h"
#include "internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID_LINE_FMT "(invalid: %s)"

/* ---- small helpers ------------------------------------------------------------------ */


/* "timeout" or "custom:25000004" for messages */
static const char *elem_label(uint32_t code, uint32_t objtype, char *buf, size_t len)
{
    const char *n = bf_bcd_element_display_name(code, objtype, buf, len);
    if (!n) {
        snprintf(buf, len, "custom:%08x", (unsigned)code);
        n = buf;
    }
    return n;
}

/* Unsigned 64-bit decimal or 0x-hex number, the whole string.  0 or -1
 * (*overflow set when the digits are fine but the value is too big). */
static int parse_u64(const char *s, uint64_t *out, int *overflow)
{
    uint64_t v = 0;
    unsigned base = 10;
    *overflow = 0;
    if (!s || !*s) return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!*s) return -1;
    }
    for (; *s; s++) {
        unsigned d;
        int c = (unsigned char)*s;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -1;
        if (v > (UINT64_MAX - d) / base) *overflow = 1;
        v = v * base + d;
    }
    if (*overflow) return -1;
    *out = v;
    return 0;
}

/* ", "-separated enumeration names into buf */
static void enum_names(const bf_bcd_element_def *def, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (unsigned i = 0; def && i < def->nenums && used < len; i++) {
        int r = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", def->enums[i].name);
        if (r < 0) break;
        used += (size_t)r;
    }
}

/* ---- parse ---------------------------------------------------------------------------- */

static int out_bytes(const void *src, size_t n, uint32_t type, uint32_t *reg_type, uint8_t **data,
                     size_t *len, bf_error *err)
{
    uint8_t *p = bf_malloc(n ? n : 1);
    if (!p) return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    if (n) memcpy(p, src, n);
    *data = p;
    *len = n;
    *reg_type = type;
    return BF_OK;
}

static int parse_boolean(const char *v, uint32_t code, uint32_t objtype, uint32_t *reg_type,
                         uint8_t **data, size_t *len, bf_error *err)
{
    static const char *const yes[] = {"1", "on", "yes", "true"};
    static const char *const no[] = {"0", "off", "no", "false"};
    char nb[32];
    for (size_t i = 0; i < 4; i++) {
        uint8_t b = 0xFF;
        if (bf_ascii_ieq(v, yes[i])) b = 1;
        if (bf_ascii_ieq(v, no[i])) b = 0;
        if (b != 0xFF) return out_bytes(&b, 1, BF_REG_BINARY, reg_type, data, len, err);
    }
    return bf_fail(err, BF_ERR_INVALID,
                   "The boolean data is not valid as specified: '%s' for element %08x (%s); "
                   "use 1, ON, YES, TRUE or 0, OFF, NO, FALSE",
                   v, (unsigned)code, elem_label(code, objtype, nb, sizeof nb));
}

/* One integer: a number, or (when `def` has them) an enumeration name. */
static int parse_integer_value(const char *v, uint32_t code, uint32_t objtype,
                               const bf_bcd_element_def *def, uint64_t *out, bf_error *err)
{
    int overflow = 0;
    char nb[32], names[512];
    /* names first: debugtype's "1394" is the name of value 1 */
    for (unsigned i = 0; def && i < def->nenums; i++) {
        if (def->enums[i].name && bf_ascii_ieq(v, def->enums[i].name)) {
            *out = def->enums[i].value;
            return BF_OK;
        }
    }
    if (parse_u64(v, out, &overflow) == 0) return BF_OK;
    elem_label(code, objtype, nb, sizeof nb);
    if (overflow)
        return bf_fail(err, BF_ERR_INVALID,
                       "The integer data is not valid as specified: '%s' for element %08x (%s) "
                       "is out of range (the largest value is 18446744073709551615 = "
                       "0xffffffffffffffff)",
                       v, (unsigned)code, nb);
    enum_names(def, names, sizeof names);
    if (names[0])
        return bf_fail(err, BF_ERR_INVALID,
                       "The integer data is not valid as specified: '%s' for element %08x (%s); "
                       "use a decimal or 0x-hex number or one of: %s",
                       v, (unsigned)code, nb, names);
    return bf_fail(err, BF_ERR_INVALID,
                   "The integer data is not valid as specified: '%s' for element %08x (%s); use "
                   "a decimal or 0x-hex number",
                   v, (unsigned)code, nb);
}

static int parse_integers(const char *const *vals, size_t n, int list, uint32_t code,
                          uint32_t objtype, uint32_t *reg_type, uint8_t **data, size_t *len,
                          bf_error *err)
{
    const bf_bcd_element_def *def = list ? NULL : bf_bcd_element_by_code(code, objtype);
    uint8_t *p = bf_malloc(n * 8);
    if (!p) return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        int rc = parse_integer_value(vals[i], code, objtype, def, &v, err);
        if (rc != BF_OK) {
            free(p);
            return rc;
        }
        wr64(p + 8 * i, v);
    }
    *data = p;
    *len = n * 8;
    *reg_type = BF_REG_BINARY;
    return BF_OK;
}

/* UTF-8 text as UTF-16LE + NUL */
static int parse_string(const char *v, uint32_t *reg_type, uint8_t **data, size_t *len,
                        bf_error *err)
{
    uint16_t *u = NULL;
    size_t n = 0;
    int rc = bf_utf8_to_utf16(v, &u, &n, err);
    if (rc != BF_OK) return rc;
    uint8_t *p = bf_malloc(2 * n + 2);
    if (!p) {
        free(u);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) wr16(p + 2 * i, u[i]);
    wr16(p + 2 * n, 0);
    free(u);
    *data = p;
    *len = 2 * n + 2;
    *reg_type = BF_REG_SZ;
    return BF_OK;
}

/* An identifier (GUID or alias) to a GUID.  Without a store only GUIDs and
 * the non-virtual aliases can be resolved. */
static int parse_id(bf_bcd *s, const char *v, uint32_t code, uint32_t objtype, bf_guid *g,
                    bf_error *err)
{
    char nb[32];
    if (s) {
        bf_error e2 = {0};
        int rc = bf_bcd_resolve(s, v, g, &e2);
        if (rc == BF_OK) return BF_OK;
        return bf_fail(err, rc, "element %08x (%s): %s", (unsigned)code,
                       elem_label(code, objtype, nb, sizeof nb), e2.msg);
    }
    uint32_t t = 0;
    if (bf_guid_parse(v, g) == 0) return BF_OK;
    if (bf_bcd_alias_lookup(v, g, &t) == 0 && t != 0) return BF_OK;
    return bf_fail(err, BF_ERR_INVALID,
                   "The identifier is not valid as specified: '%s' for element %08x (%s); use "
                   "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} or a well-known alias",
                   v, (unsigned)code, elem_label(code, objtype, nb, sizeof nb));
}

/* n GUIDs as REG_SZ (n == 1, object) or REG_MULTI_SZ */
static int parse_ids(bf_bcd *s, const char *const *vals, size_t n, int list, uint32_t code,
                     uint32_t objtype, uint32_t *reg_type, uint8_t **data, size_t *len,
                     bf_error *err)
{
    size_t total = 78 * n + (list ? 2 : 0);
    uint8_t *p = bf_malloc(total);
    if (!p) return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        bf_guid g;
        char t[BF_GUID_TEXT];
        int rc = parse_id(s, vals[i], code, objtype, &g, err);
        if (rc != BF_OK) {
            free(p);
            return rc;
        }
        bf_guid_format(&g, t);
        for (size_t k = 0; k < 38; k++) wr16(p + 78 * i + 2 * k, (uint8_t)t[k]);
        wr16(p + 78 * i + 76, 0);
    }
    if (list) wr16(p + 78 * n, 0);
    *data = p;
    *len = total;
    *reg_type = list ? BF_REG_MULTI_SZ : BF_REG_SZ;
    return BF_OK;
}

int bf_bcd_value_parse(bf_bcd *s, uint32_t objtype, uint32_t code, const char *const *vals,
                       size_t nvals, const bf_bcd_drive_map *map, uint32_t *reg_type,
                       uint8_t **data, size_t *len, bf_error *err)
{
    unsigned fmt = BF_BCD_FORMAT(code);
    int list = fmt == BF_BCD_FMT_OBJECTLIST || fmt == BF_BCD_FMT_INTEGERLIST;
    char nb[32];
    if (!reg_type || !data || !len || (nvals && !vals))
        return bf_fail(err, BF_ERR_INVALID, "bf_bcd_value_parse: NULL argument");
    *data = NULL;
    *len = 0;
    elem_label(code, objtype, nb, sizeof nb);
    if (nvals == 0)
        return bf_fail(err, BF_ERR_INVALID, "element %08x (%s): no value given",
                       (unsigned)code, nb);
    for (size_t i = 0; i < nvals; i++)
        if (!vals[i])
            return bf_fail(err, BF_ERR_INVALID, "element %08x (%s): value %zu is NULL",
                           (unsigned)code, nb, i + 1);
    if (!list && nvals != 1)
        return bf_fail(err, BF_ERR_INVALID,
                       "element %08x (%s) is a %s and takes one value, not %zu", (unsigned)code,
                       nb, bf_bcd_format_name(fmt) ? bf_bcd_format_name(fmt) : "value", nvals);
    switch (fmt) {
    case BF_BCD_FMT_BOOLEAN:
        return parse_boolean(vals[0], code, objtype, reg_type, data, len, err);
    case BF_BCD_FMT_INTEGER:
    case BF_BCD_FMT_INTEGERLIST:
        return parse_integers(vals, nvals, list, code, objtype, reg_type, data, len, err);
    case BF_BCD_FMT_STRING:
        return parse_string(vals[0], reg_type, data, len, err);
    case BF_BCD_FMT_OBJECT:
    case BF_BCD_FMT_OBJECTLIST:
        return parse_ids(s, vals, nvals, list, code, objtype, reg_type, data, len, err);
    case BF_BCD_FMT_DEVICE: {
        int rc = bf_bcd_device_from_text(vals[0], code, map, data, len, err);
        if (rc == BF_OK) *reg_type = BF_REG_BINARY;
        return rc;
    }
    default:
        return bf_fail(err, BF_ERR_INVALID,
                       "element %08x (%s): format %u is not one bcdedit can set", (unsigned)code,
                       nb, fmt);
    }
}

/* ---- format ---------------------------------------------------------------------------- */

typedef struct lines {
    char **v;
    size_t n, cap;
} lines;

static int lines_add(lines *l, char *s, bf_error *err)
{
    if (!s) return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 4;
        char **nv = bf_realloc(l->v, nc * sizeof *nv);
        if (!nv) {
            free(s);
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        }
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = s;
    return BF_OK;
}

static int lines_addf(lines *l, bf_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;
static int lines_addf(lines *l, bf_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return bf_fail(err, BF_ERR_INVALID, "bad format");
    char *s = bf_malloc((size_t)n + 1);
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return lines_add(l, s, err);
}

void bf_bcd_lines_free(char **l, size_t n)
{
    if (!l) return;
    for (size_t i = 0; i < n; i++) free(l[i]);
    free(l);
}

/* The GUID {bootmgr}'s `default` element names, when there is one. */
static int default_guid(bf_bcd *s, bf_guid *g)
{
    bf_bcd_elem el;
    bf_error e2 = {0};
    int found = 0;
    if (!s) return 0;
    memset(&el, 0, sizeof el);
    if (bf_bcd_element_get(s, &BCD_GUID_BOOTMGR, BCD_EL_DEFAULT, &el, &e2) != BF_OK) return 0;
    if (el.valid && el.nguids == 1 && el.guids) {
        *g = el.guids[0];
        found = 1;
    }
    bf_bcd_elem_free(&el);
    return found;
}

/* How bcdedit names a GUID: the raw GUID with /v; otherwise {default} for
 * the boot manager's default entry, a well-known alias, or the raw GUID. */
static int format_id(const bf_guid *g, unsigned flags, int have_def, const bf_guid *def,
                     lines *l, bf_error *err)
{
    char t[BF_GUID_TEXT];
    if (!(flags & BF_BCD_VERBOSE)) {
        const char *alias;
        if (have_def && bf_guid_equal(g, def)) return lines_addf(l, err, "{default}");
        alias = bf_bcd_alias_name(g);
        if (alias) return lines_addf(l, err, "%s", alias);
    }
    bf_guid_format(g, t);
    return lines_addf(l, err, "%s", t);
}

static int format_integer(uint64_t v, const bf_bcd_element_def *def, int use_enums, lines *l,
                          bf_error *err)
{
    for (unsigned i = 0; use_enums && def && i < def->nenums; i++)
        if (def->enums[i].value == v && def->enums[i].name)
            return lines_addf(l, err, "%s", def->enums[i].name);
    if (def && (def->flags & BF_BCD_DEF_HEX))
        return lines_addf(l, err, "0x%llx", (unsigned long long)v);
    return lines_addf(l, err, "%llu", (unsigned long long)v);
}

/* Locate devices name an element of the object shown (own or inherited). */
typedef struct locate_ctx {
    bf_bcd *s;
    const bf_guid *obj;
    lines keep; /* strings handed out, freed after bf_bcd_device_to_text */
} locate_ctx;

static const char *locate_string(void *vctx, uint32_t code)
{
    locate_ctx *c = vctx;
    bf_bcd_elem el;
    bf_error e2 = {0};
    const char *res = NULL;
    if (!c || !c->s || !c->obj) return NULL;
    memset(&el, 0, sizeof el);
    if (bf_bcd_element_effective(c->s, c->obj, code, &el, NULL, &e2) != BF_OK) return NULL;
    if (el.valid && el.string) {
        char *copy = bf_strdup(el.string);
        if (copy && lines_add(&c->keep, copy, &e2) == BF_OK) res = copy;
    }
    bf_bcd_elem_free(&el);
    return res;
}

static int format_device(bf_bcd *s, const bf_guid *obj, const bf_bcd_elem *e, unsigned flags,
                         const bf_bcd_drive_map *map, lines *l, bf_error *err)
{
    locate_ctx c = {s, obj, {NULL, 0, 0}};
    char *text = NULL;
    bf_error e2 = {0};
    int rc = bf_bcd_device_to_text(e->raw, e->raw_len, map, flags, locate_string, &c, &text, &e2);
    bf_bcd_lines_free(c.keep.v, c.keep.n);
    if (rc == BF_ERR_NOMEM) return bf_fail(err, rc, "%s", e2.msg);
    if (rc != BF_OK) {
        free(text);
        return lines_addf(l, err, INVALID_LINE_FMT, e2.msg);
    }
    return lines_add(l, text, err);
}

static int format_valid(bf_bcd *s, const bf_guid *obj, uint32_t objtype, const bf_bcd_elem *e,
                        unsigned flags, const bf_bcd_drive_map *map, lines *l, bf_error *err)
{
    const bf_bcd_element_def *def = bf_bcd_element_by_code(e->code, objtype);
    unsigned fmt = BF_BCD_FORMAT(e->code);
    int rc = BF_OK;
    switch (fmt) {
    case BF_BCD_FMT_BOOLEAN:
        return lines_addf(l, err, "%s", e->integer ? "Yes" : "No");
    case BF_BCD_FMT_INTEGER:
        return format_integer(e->integer, def, 1, l, err);
    case BF_BCD_FMT_INTEGERLIST:
        for (size_t i = 0; rc == BF_OK && i < e->nints; i++)
            rc = format_integer(e->ints[i], def, 0, l, err);
        return rc;
    case BF_BCD_FMT_STRING:
        return lines_addf(l, err, "%s", e->string ? e->string : "");
    case BF_BCD_FMT_OBJECT:
    case BF_BCD_FMT_OBJECTLIST: {
        bf_guid dg;
        int have_def = !(flags & BF_BCD_VERBOSE) && default_guid(s, &dg);
        for (size_t i = 0; rc == BF_OK && i < e->nguids && e->guids; i++)
            rc = format_id(&e->guids[i], flags, have_def, &dg, l, err);
        return rc;
    }
    case BF_BCD_FMT_DEVICE:
        return format_device(s, obj, e, flags, map, l, err);
    default:
        return lines_addf(l, err, "(invalid: format %u is unknown)", fmt);
    }
}

int bf_bcd_value_format(bf_bcd *s, const bf_guid *obj, uint32_t objtype, const bf_bcd_elem *e,
                        unsigned flags, const bf_bcd_drive_map *map, char ***out,
                        size_t *nlines, bf_error *err)
{
    lines l = {NULL, 0, 0};
    int rc;
    if (!e || !out || !nlines)
        return bf_fail(err, BF_ERR_INVALID, "bf_bcd_value_format: NULL argument");
    *out = NULL;
    *nlines = 0;
    if (!e->valid)
        rc = lines_addf(&l, err, INVALID_LINE_FMT, e->problem[0] ? e->problem : "unreadable data");
    else
        rc = format_valid(s, obj, objtype, e, flags, map, &l, err);
    if (rc != BF_OK) {
        bf_bcd_lines_free(l.v, l.n);
        return rc;
    }
    *out = l.v;
    *nlines = l.n;
    return BF_OK;
}
