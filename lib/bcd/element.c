/* BCD elements: decoding stored values (lenient where Windows is, strict
 * where it is), listing, inheritance, and writing them as bcdedit does.
 * Facts: ../shared/reference/bcd-elements.md §4, §4.1, §7. */
#include "io/io.h"
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUID_SZ_BYTES 78 /* "{guid}" + NUL in UTF-16 */
/* bounds of the inheritance walk (objects visited, list entries pending) */
#define BCD_INHERIT_MAX_VISITS 256u
#define BCD_INHERIT_MAX_PENDING 4096u

/* ---- decoding ------------------------------------------------------------------------ */

static int problem(bf_bcd_elem *e, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(2, 3)
#endif
    ;
/* Mark e invalid with a reason; returns BF_OK (bad data is not an error). */
static int problem(bf_bcd_elem *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->problem, sizeof e->problem, fmt, ap);
    va_end(ap);
    e->valid = 0;
    return BF_OK;
}

static const char *type_name(uint32_t t, char *buf, size_t len)
{
    const char *n = bf_reg_type_name(t);
    if (n)
        return n;
    snprintf(buf, len, "type %u", (unsigned)t);
    return buf;
}

/* registry type the format implies (ROS BiConvertElementFormatToValueType) */
static uint32_t format_reg_type(unsigned fmt)
{
    if (fmt == BF_BCD_FMT_STRING || fmt == BF_BCD_FMT_OBJECT)
        return BF_REG_SZ;
    if (fmt == BF_BCD_FMT_OBJECTLIST)
        return BF_REG_MULTI_SZ;
    return BF_REG_BINARY;
}

static const char *format_label(unsigned fmt)
{
    const char *n = bf_bcd_format_name(fmt);
    return n ? n : "unknown-format";
}

/* UTF-16 units before the first NUL (or all of them). */
static size_t units_to_nul(const uint8_t *p, size_t units)
{
    size_t i = 0;
    while (i < units && rd16(p + 2 * i) != 0)
        i++;
    return i;
}

/* A GUID in braces held as `units` UTF-16 units at p. */
static int guid_from_utf16(const uint8_t *p, size_t units, bf_guid *g)
{
    char t[BF_GUID_TEXT];
    if (units != 38)
        return -1;
    for (size_t i = 0; i < 38; i++) {
        uint16_t c = rd16(p + 2 * i);
        if (c == 0 || c > 0x7E)
            return -1;
        t[i] = (char)c;
    }
    t[38] = 0;
    return bf_guid_parse(t, g);
}

static int nomem(bf_error *err) { return bf_fail(err, BF_ERR_NOMEM, "out of memory"); }

static int decode_string(bf_bcd_elem *e, bf_error *err)
{
    if (e->raw_len == 0 || e->raw_len % 2)
        return problem(e, "string data is %zu bytes; it must be a non-zero even number",
                       e->raw_len);
    size_t n = units_to_nul(e->raw, e->raw_len / 2), outlen;
    e->string = bf_utf16le_to_utf8(e->raw, 2 * n, &outlen);
    return e->string ? BF_OK : nomem(err);
}

static int decode_object(bf_bcd_elem *e, bf_error *err)
{
    if (e->raw_len == 0 || e->raw_len % 2)
        return problem(e, "GUID data is %zu bytes; it must be a non-zero even number",
                       e->raw_len);
    bf_guid g;
    size_t n = units_to_nul(e->raw, e->raw_len / 2);
    if (guid_from_utf16(e->raw, n, &g))
        return problem(e, "the text is not a GUID in braces");
    e->guids = bf_malloc(sizeof *e->guids);
    if (!e->guids)
        return nomem(err);
    e->guids[0] = g;
    e->nguids = 1;
    return BF_OK;
}

/* REG_MULTI_SZ: strings until the first empty one or the end of the data. */
static int decode_objectlist(bf_bcd_elem *e, bf_error *err)
{
    if (e->raw_len == 0 || e->raw_len % 2)
        return problem(e, "GUID list data is %zu bytes; it must be a non-zero even number",
                       e->raw_len);
    size_t units = e->raw_len / 2, at = 0, cap = units / 39 + 1;
    e->guids = bf_malloc(cap * sizeof *e->guids);
    if (!e->guids)
        return nomem(err);
    while (at < units) {
        size_t n = units_to_nul(e->raw + 2 * at, units - at);
        if (n == 0)
            break;
        if (e->nguids >= cap || guid_from_utf16(e->raw + 2 * at, n, &e->guids[e->nguids]))
            return problem(e, "item %zu of the list is not a GUID in braces", e->nguids + 1);
        e->nguids++;
        at += n + 1;
    }
    return BF_OK;
}

static int decode_binary(bf_bcd_elem *e, unsigned fmt)
{
    size_t len = e->raw_len;
    if (fmt == BF_BCD_FMT_BOOLEAN) {
        if (len != 1)
            return problem(e, "boolean data is %zu bytes; it must be exactly 1", len);
        e->integer = e->raw[0] != 0;
    } else if (fmt == BF_BCD_FMT_INTEGER) {
        if (len == 0)
            return problem(e, "integer data is empty");
        if (len > 8)
            return problem(e, "integer data is %zu bytes, more than 8", len);
        for (size_t i = 0; i < len; i++)
            e->integer |= (uint64_t)e->raw[i] << (8 * i);
    } else if (fmt == BF_BCD_FMT_DEVICE) {
        char why[160];
        if (bf_bcd_device_check(e->raw, len, why, sizeof why))
            return problem(e, "device data is not valid: %s", why);
    }
    return BF_OK;
}

static int decode_intlist(bf_bcd_elem *e, bf_error *err)
{
    size_t len = e->raw_len;
    if (len == 0 || len % 8)
        return problem(e, "integer list data is %zu bytes; it must be a non-zero multiple of 8",
                       len);
    e->ints = bf_malloc(len);
    if (!e->ints)
        return nomem(err);
    e->nints = len / 8;
    for (size_t i = 0; i < e->nints; i++)
        e->ints[i] = rd64(e->raw + 8 * i);
    return BF_OK;
}

int bcd_elem_decode(uint32_t code, uint32_t reg_type, const uint8_t *data, size_t len,
                    bf_bcd_elem *e, bf_error *err)
{
    memset(e, 0, sizeof *e);
    e->code = code;
    e->reg_type = reg_type;
    e->raw = bf_malloc(len ? len : 1);
    if (!e->raw)
        return nomem(err);
    if (len)
        memcpy(e->raw, data, len);
    e->raw_len = len;
    e->valid = 1;

    unsigned fmt = BF_BCD_FORMAT(code);
    uint32_t want = format_reg_type(fmt);
    if (reg_type != want) {
        char a[16], b[16];
        problem(e, "stored as %s, but a %s element must be %s", type_name(reg_type, a, sizeof a),
                format_label(fmt), type_name(want, b, sizeof b));
        return BF_OK;
    }
    int rc = BF_OK;
    switch (fmt) {
    case BF_BCD_FMT_STRING: rc = decode_string(e, err); break;
    case BF_BCD_FMT_OBJECT: rc = decode_object(e, err); break;
    case BF_BCD_FMT_OBJECTLIST: rc = decode_objectlist(e, err); break;
    case BF_BCD_FMT_INTEGERLIST: rc = decode_intlist(e, err); break;
    default: rc = decode_binary(e, fmt); break; /* unknown formats: raw bytes only */
    }
    if (rc)
        bf_bcd_elem_free(e);
    return rc;
}

void bf_bcd_elem_free(bf_bcd_elem *e)
{
    if (!e)
        return;
    free(e->raw);
    free(e->string);
    free(e->guids);
    free(e->ints);
    e->raw = NULL;
    e->string = NULL;
    e->guids = NULL;
    e->ints = NULL;
    e->raw_len = e->nguids = e->nints = 0;
}

void bf_bcd_elems_free(bf_bcd_elem *els, size_t n)
{
    if (!els)
        return;
    for (size_t i = 0; i < n; i++)
        bf_bcd_elem_free(&els[i]);
    free(els);
}

/* ---- element keys -------------------------------------------------------------------- */

/* Key name to element type the way wcstoul(name, NULL, 16) reads it with a
 * 32-bit ULONG: leading white space, a sign, an optional 0x, hex digits up
 * to the first other character; overflow gives 0xFFFFFFFF.  0 and
 * 0xFFFFFFFF mean "not an element" (ReactOS BiEnumerateElements). */
static uint32_t parse_code(const char *s)
{
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2]))
        s += 2;
    uint64_t v = 0;
    int over = 0;
    for (; isxdigit((unsigned char)*s); s++) {
        int d = *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
        v = (v << 4) | (uint64_t)d;
        if (v > 0xFFFFFFFFu)
            over = 1, v &= 0xFFFFFFFFu;
    }
    if (over)
        return 0xFFFFFFFFu;
    return neg ? (uint32_t)(0u - (uint32_t)v) : (uint32_t)v;
}

static int code_ok(uint32_t c) { return c != 0 && c != 0xFFFFFFFFu; }

/* "{guid}: element 25000004 (timeout)" for messages. */
static void elem_label(bf_bcd *s, const bf_guid *obj, uint32_t code, char *buf, size_t len)
{
    char t[BF_GUID_TEXT];
    uint32_t type = 0;
    bf_guid_format(obj, t);
    bf_bcd_object_type(s, obj, &type, NULL);
    const bf_bcd_element_def *d = bf_bcd_element_by_code(code, type);
    if (d && d->name)
        snprintf(buf, len, "%s: element %08x (%s)", t, (unsigned)code, d->name);
    else
        snprintf(buf, len, "%s: element %08x", t, (unsigned)code);
}

/* The Elements key of an object; *found = 0 when it has none. */
static int elements_key(bf_bcd *s, const bf_guid *obj, bf_node *ek, int *found, bf_error *err)
{
    bf_node on;
    int rc = bcd_object_node(s, obj, &on, err);
    if (rc)
        return rc;
    rc = bf_node_child(s->h, on, BCD_ELEMENTS_KEY, ek, err);
    *found = rc == 0;
    return rc == BF_ERR_NOT_FOUND ? BF_OK : rc;
}

/* Read and decode the Element value of key k.  BF_ERR_NOT_FOUND (without a
 * message) when the key has no Element value. */
static int read_element(bf_bcd *s, bf_node k, uint32_t code, bf_bcd_elem *out, bf_error *err)
{
    bf_value v;
    bf_error e2;
    memset(&e2, 0, sizeof e2);
    int rc = bf_node_get_value(s->h, k, BCD_ELEMENT_VALUE, &v, &e2);
    if (rc == BF_ERR_NOT_FOUND)
        return rc; /* without a message */
    if (rc) {
        if (err)
            *err = e2;
        return rc;
    }
    uint32_t type;
    uint8_t *d;
    size_t len;
    if ((rc = bf_value_data(s->h, v, &type, &d, &len, err)) != 0)
        return rc;
    rc = bcd_elem_decode(code, type, d, len, out, err);
    free(d);
    return rc;
}

typedef struct elem_key {
    bf_node k;
    uint32_t code;
    size_t order;
} elem_key;

static int elem_key_cmp(const void *a, const void *b)
{
    const elem_key *x = a, *y = b;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Keys under Elements whose names parse to element types, by type. */
static int element_keys(bf_bcd *s, const bf_guid *obj, elem_key **keys, size_t *count,
                        bf_error *err)
{
    bf_node ek, *kids = NULL;
    size_t nk = 0, n = 0;
    int found, rc = elements_key(s, obj, &ek, &found, err);
    *keys = NULL;
    *count = 0;
    if (rc || !found)
        return rc;
    if ((rc = bf_node_children(s->h, ek, &kids, &nk, err)) != 0)
        return rc;
    elem_key *tab = bf_malloc((nk ? nk : 1) * sizeof *tab);
    if (!tab) {
        free(kids);
        return nomem(err);
    }
    for (size_t i = 0; i < nk && !rc; i++) {
        char *name;
        if ((rc = bf_node_name(s->h, kids[i], &name, err)) != 0)
            break;
        uint32_t c = parse_code(name);
        free(name);
        if (code_ok(c))
            tab[n++] = (elem_key){kids[i], c, i};
    }
    free(kids);
    if (rc) {
        free(tab);
        return rc;
    }
    qsort(tab, n, sizeof *tab, elem_key_cmp);
    *keys = tab;
    *count = n;
    return BF_OK;
}

int bf_bcd_elements(bf_bcd *s, const bf_guid *obj, bf_bcd_elem **els, size_t *count,
                    bf_error *err)
{
    elem_key *keys;
    size_t nk, n = 0;
    *els = NULL;
    *count = 0;
    int rc = element_keys(s, obj, &keys, &nk, err);
    if (rc)
        return rc;
    bf_bcd_elem *out = bf_calloc(nk ? nk : 1, sizeof *out);
    if (!out) {
        free(keys);
        return nomem(err);
    }
    for (size_t i = 0; i < nk; i++) {
        rc = read_element(s, keys[i].k, keys[i].code, &out[n], err);
        if (rc == BF_ERR_NOT_FOUND) {
            rc = BF_OK;
            continue;
        }
        if (rc)
            break;
        n++;
    }
    free(keys);
    if (rc) {
        bf_bcd_elems_free(out, n);
        return rc;
    }
    *els = out;
    *count = n;
    return BF_OK;
}

/* Own element: the key named by the code (any case) first, then any other
 * key whose name wcstoul reads as the code. */
static int own_element(bf_bcd *s, const bf_guid *obj, uint32_t code, bf_bcd_elem *out,
                       bf_error *err)
{
    elem_key *keys;
    size_t nk;
    int rc = element_keys(s, obj, &keys, &nk, err);
    if (rc)
        return rc;
    rc = BF_ERR_NOT_FOUND;
    for (size_t i = 0; i < nk && rc == BF_ERR_NOT_FOUND; i++)
        if (keys[i].code == code)
            rc = read_element(s, keys[i].k, code, out, err);
    free(keys);
    return rc;
}

int bf_bcd_element_get(bf_bcd *s, const bf_guid *obj, uint32_t code, bf_bcd_elem *out,
                       bf_error *err)
{
    int rc = own_element(s, obj, code, out, err);
    if (rc == BF_ERR_NOT_FOUND) {
        char l[128];
        elem_label(s, obj, code, l, sizeof l);
        return bf_fail(err, BF_ERR_NOT_FOUND, "%s: not set in this object", l);
    }
    return rc;
}

/* ---- inheritance --------------------------------------------------------------------- */

typedef struct walk {
    bf_guid *stack, *seen;
    size_t nstack, nseen;
} walk;

static int seen_before(const walk *w, const bf_guid *g)
{
    for (size_t i = 0; i < w->nseen; i++)
        if (bf_guid_equal(&w->seen[i], g))
            return 1;
    return 0;
}

/* Push an object's inherit list, last first, so the first is visited next. */
static int push_inherits(bf_bcd *s, walk *w, const bf_guid *obj, bf_error *err)
{
    bf_bcd_elem e;
    int rc = own_element(s, obj, BCD_EL_INHERIT, &e, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc)
        return rc;
    for (size_t i = e.valid ? e.nguids : 0; i-- > 0;) {
        if (seen_before(w, &e.guids[i]))
            continue;
        if (w->nstack >= BCD_INHERIT_MAX_PENDING) {
            bf_bcd_elem_free(&e);
            return bf_fail(err, BF_ERR_LIMIT,
                           "inherit lists: more than %u objects pending; the chain is too long",
                           BCD_INHERIT_MAX_PENDING);
        }
        w->stack[w->nstack++] = e.guids[i];
    }
    bf_bcd_elem_free(&e);
    return BF_OK;
}

static int walk_inherits(bf_bcd *s, walk *w, uint32_t code, bf_bcd_elem *out, bf_guid *from,
                         bf_error *err)
{
    while (w->nstack) {
        bf_guid g = w->stack[--w->nstack];
        if (seen_before(w, &g))
            continue;
        if (w->nseen >= BCD_INHERIT_MAX_VISITS)
            return bf_fail(err, BF_ERR_LIMIT,
                           "inherit lists: more than %u objects visited; the chain is too long",
                           BCD_INHERIT_MAX_VISITS);
        w->seen[w->nseen++] = g;
        bf_node n;
        int rc = bcd_object_node(s, &g, &n, err);
        if (rc == BF_ERR_NOT_FOUND)
            continue; /* missing inherited objects are skipped */
        if (rc)
            return rc;
        rc = own_element(s, &g, code, out, err);
        if (rc == 0) {
            if (from)
                *from = g;
            return BF_OK;
        }
        if (rc != BF_ERR_NOT_FOUND)
            return rc;
        if ((rc = push_inherits(s, w, &g, err)) != 0)
            return rc;
    }
    return BF_ERR_NOT_FOUND;
}

int bf_bcd_element_effective(bf_bcd *s, const bf_guid *obj, uint32_t code, bf_bcd_elem *out,
                             bf_guid *from, bf_error *err)
{
    bf_node n;
    int rc = bcd_object_node(s, obj, &n, err);
    if (rc)
        return rc;
    walk w = {0};
    w.stack = bf_malloc(BCD_INHERIT_MAX_PENDING * sizeof *w.stack);
    w.seen = bf_malloc(BCD_INHERIT_MAX_VISITS * sizeof *w.seen);
    if (!w.stack || !w.seen) {
        free(w.stack);
        free(w.seen);
        return nomem(err);
    }
    w.stack[w.nstack++] = *obj;
    rc = walk_inherits(s, &w, code, out, from, err);
    free(w.stack);
    free(w.seen);
    if (rc == BF_ERR_NOT_FOUND) {
        char l[128];
        elem_label(s, obj, code, l, sizeof l);
        return bf_fail(err, BF_ERR_NOT_FOUND, "%s: not set in this object or the objects it "
                       "inherits from", l);
    }
    return rc;
}

/* ---- writing ------------------------------------------------------------------------- */

/* NULL when the bytes are what bcdedit writes for the format, else why not. */
static const char *check_string(const uint8_t *d, size_t len)
{
    if (len < 2 || len % 2)
        return "a string must be an even number of bytes, at least 2";
    if (rd16(d + len - 2) != 0)
        return "a string must end with a NUL character";
    if (units_to_nul(d, len / 2) != len / 2 - 1)
        return "a string must not contain a NUL character before its end";
    return NULL;
}

static const char *check_objects(const uint8_t *d, size_t len, unsigned fmt)
{
    bf_guid g;
    if (fmt == BF_BCD_FMT_OBJECT) {
        if (len != GUID_SZ_BYTES || rd16(d + 76) != 0 || guid_from_utf16(d, 38, &g))
            return "a GUID element must be \"{guid}\" and a NUL (78 bytes)";
        return NULL;
    }
    if (len < GUID_SZ_BYTES + 2 || (len - 2) % GUID_SZ_BYTES || rd16(d + len - 2) != 0)
        return "a GUID list must be n \"{guid}\" strings and a final NUL (78*n+2 bytes, n >= 1)";
    for (size_t at = 0; at + 2 < len; at += GUID_SZ_BYTES)
        if (rd16(d + at + 76) != 0 || guid_from_utf16(d + at, 38, &g))
            return "an item of the GUID list is not \"{guid}\" and a NUL";
    return NULL;
}

static const char *check_binary(const uint8_t *d, size_t len, unsigned fmt, char *why,
                                size_t whylen)
{
    switch (fmt) {
    case BF_BCD_FMT_BOOLEAN:
        return len == 1 && d[0] <= 1 ? NULL : "a boolean must be 1 byte, 0 or 1";
    case BF_BCD_FMT_INTEGER:
        return len == 8 ? NULL : "an integer must be 8 bytes";
    case BF_BCD_FMT_INTEGERLIST:
        return len >= 8 && len % 8 == 0 ? NULL : "an integer list must be 8*n bytes, n >= 1";
    case BF_BCD_FMT_DEVICE:
        return bf_bcd_device_check(d, len, why, whylen) ? why : NULL;
    default:
        return "the element type has no known format";
    }
}

static int check_for_set(bf_bcd *s, const bf_guid *obj, uint32_t code, uint32_t reg_type,
                         const uint8_t *d, size_t len, bf_error *err)
{
    unsigned fmt = BF_BCD_FORMAT(code);
    uint32_t want = format_reg_type(fmt);
    char why[160], l[128], a[16], b[16];
    const char *bad = NULL;
    if (!code_ok(code) || BF_BCD_CLASS(code) == 0)
        bad = "not a valid element type";
    else if (!bf_bcd_format_name(fmt))
        bad = "the element type has no known format";
    else if (reg_type != want) {
        snprintf(why, sizeof why, "%s data given, but a %s element is %s",
                 type_name(reg_type, a, sizeof a), format_label(fmt),
                 type_name(want, b, sizeof b));
        bad = why;
    } else if (len && !d)
        bad = "no data";
    else if (fmt == BF_BCD_FMT_STRING)
        bad = check_string(d, len);
    else if (fmt == BF_BCD_FMT_OBJECT || fmt == BF_BCD_FMT_OBJECTLIST)
        bad = check_objects(d, len, fmt);
    else
        bad = check_binary(d, len, fmt, why, sizeof why);
    if (!bad)
        return BF_OK;
    elem_label(s, obj, code, l, sizeof l);
    return bf_fail(err, BF_ERR_INVALID, "%s: cannot write %zu bytes: %s", l, len, bad);
}

/* Delete every key under Elements that wcstoul reads as `code`, except `keep`. */
static int delete_code_keys(bf_bcd *s, const bf_guid *obj, uint32_t code, bf_node keep,
                            size_t *deleted, bf_error *err)
{
    elem_key *keys;
    size_t nk;
    int rc = element_keys(s, obj, &keys, &nk, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < nk && !rc; i++)
        if (keys[i].code == code && keys[i].k != keep) {
            rc = bf_node_delete(s->h, keys[i].k, err);
            if (!rc && deleted)
                (*deleted)++;
        }
    free(keys);
    return rc;
}

int bf_bcd_element_set(bf_bcd *s, const bf_guid *obj, uint32_t code, uint32_t reg_type,
                       const void *data, size_t len, bf_error *err)
{
    bf_node on, ek, k;
    int rc = bf_hive_writable(s->h, err);
    if (rc || (rc = bcd_object_node(s, obj, &on, err)) != 0 ||
        (rc = check_for_set(s, obj, code, reg_type, data, len, err)) != 0)
        return rc;
    char name[9];
    snprintf(name, sizeof name, "%08x", (unsigned)code);
    rc = bf_node_child(s->h, on, BCD_ELEMENTS_KEY, &ek, err);
    if (rc == BF_ERR_NOT_FOUND)
        rc = bf_node_add(s->h, on, BCD_ELEMENTS_KEY, &ek, err);
    if (rc)
        return rc;
    rc = bf_node_add(s->h, ek, name, &k, err); /* an existing key, any case, is reused */
    if (rc == BF_ERR_EXISTS)
        rc = BF_OK;
    if (rc || (rc = bf_node_set_value(s->h, k, BCD_ELEMENT_VALUE, reg_type, data, len, err)) != 0)
        return rc;
    /* other spellings of the same type ("0x25000004") would shadow or
     * duplicate the value just written */
    return delete_code_keys(s, obj, code, k, NULL, err);
}

static int need_format(bf_bcd *s, const bf_guid *obj, uint32_t code, unsigned fmt, unsigned alt,
                       bf_error *err)
{
    unsigned f = BF_BCD_FORMAT(code);
    if (f == fmt || f == alt)
        return BF_OK;
    char l[128];
    elem_label(s, obj, code, l, sizeof l);
    return bf_fail(err, BF_ERR_INVALID, "%s: is a %s element, not a %s", l, format_label(f),
                   format_label(fmt));
}

int bf_bcd_set_integer(bf_bcd *s, const bf_guid *obj, uint32_t code, uint64_t v, bf_error *err)
{
    uint8_t b[8];
    int rc = need_format(s, obj, code, BF_BCD_FMT_INTEGER, BF_BCD_FMT_INTEGER, err);
    if (rc)
        return rc;
    wr64(b, v);
    return bf_bcd_element_set(s, obj, code, BF_REG_BINARY, b, 8, err);
}

int bf_bcd_set_boolean(bf_bcd *s, const bf_guid *obj, uint32_t code, int v, bf_error *err)
{
    uint8_t b = v ? 1 : 0;
    int rc = need_format(s, obj, code, BF_BCD_FMT_BOOLEAN, BF_BCD_FMT_BOOLEAN, err);
    if (rc)
        return rc;
    return bf_bcd_element_set(s, obj, code, BF_REG_BINARY, &b, 1, err);
}

int bf_bcd_set_string(bf_bcd *s, const bf_guid *obj, uint32_t code, const char *v,
                      bf_error *err)
{
    int rc = need_format(s, obj, code, BF_BCD_FMT_STRING, BF_BCD_FMT_STRING, err);
    if (rc)
        return rc;
    uint16_t *u;
    size_t n;
    if ((rc = bf_utf8_to_utf16(v ? v : "", &u, &n, err)) != 0)
        return rc;
    uint8_t *b = bf_malloc(2 * n + 2);
    if (!b) {
        free(u);
        return nomem(err);
    }
    for (size_t i = 0; i < n; i++)
        wr16(b + 2 * i, u[i]);
    wr16(b + 2 * n, 0);
    free(u);
    rc = bf_bcd_element_set(s, obj, code, BF_REG_SZ, b, 2 * n + 2, err);
    free(b);
    return rc;
}

/* "{guid}" UTF-16LE with its NUL at p (78 bytes). */
static void put_guid_sz(uint8_t *p, const bf_guid *g)
{
    char t[BF_GUID_TEXT];
    bf_guid_format(g, t);
    for (size_t i = 0; i < 38; i++)
        wr16(p + 2 * i, (uint8_t)t[i]);
    wr16(p + 76, 0);
}

int bf_bcd_set_objects(bf_bcd *s, const bf_guid *obj, uint32_t code, const bf_guid *ids,
                       size_t n, bf_error *err)
{
    unsigned f = BF_BCD_FORMAT(code);
    int rc = need_format(s, obj, code, BF_BCD_FMT_OBJECT, BF_BCD_FMT_OBJECTLIST, err);
    if (rc)
        return rc;
    char l[128];
    if ((f == BF_BCD_FMT_OBJECT && n != 1) || n == 0 || n > 100000) {
        elem_label(s, obj, code, l, sizeof l);
        return bf_fail(err, BF_ERR_INVALID, "%s: %zu GUIDs given; %s", l, n,
                       f == BF_BCD_FMT_OBJECT ? "a GUID element holds exactly one"
                                              : "a GUID list holds 1 or more");
    }
    int multi = f == BF_BCD_FMT_OBJECTLIST;
    size_t len = GUID_SZ_BYTES * n + (multi ? 2 : 0);
    uint8_t *b = bf_malloc(len);
    if (!b)
        return nomem(err);
    for (size_t i = 0; i < n; i++)
        put_guid_sz(b + GUID_SZ_BYTES * i, &ids[i]);
    if (multi)
        wr16(b + len - 2, 0);
    rc = bf_bcd_element_set(s, obj, code, multi ? BF_REG_MULTI_SZ : BF_REG_SZ, b, len, err);
    free(b);
    return rc;
}

int bf_bcd_set_integers(bf_bcd *s, const bf_guid *obj, uint32_t code, const uint64_t *v,
                        size_t n, bf_error *err)
{
    int rc = need_format(s, obj, code, BF_BCD_FMT_INTEGERLIST, BF_BCD_FMT_INTEGERLIST, err);
    if (rc)
        return rc;
    if (n == 0 || n > 1000000) {
        char l[128];
        elem_label(s, obj, code, l, sizeof l);
        return bf_fail(err, BF_ERR_INVALID, "%s: %zu integers given; a list holds 1 or more", l,
                       n);
    }
    uint8_t *b = bf_malloc(8 * n);
    if (!b)
        return nomem(err);
    for (size_t i = 0; i < n; i++)
        wr64(b + 8 * i, v[i]);
    rc = bf_bcd_element_set(s, obj, code, BF_REG_BINARY, b, 8 * n, err);
    free(b);
    return rc;
}

int bf_bcd_element_delete(bf_bcd *s, const bf_guid *obj, uint32_t code, bf_error *err)
{
    bf_node on;
    size_t deleted = 0;
    int rc = bf_hive_writable(s->h, err);
    if (rc || (rc = bcd_object_node(s, obj, &on, err)) != 0 ||
        (rc = delete_code_keys(s, obj, code, BF_NONE, &deleted, err)) != 0)
        return rc;
    if (deleted)
        return BF_OK;
    char l[128];
    elem_label(s, obj, code, l, sizeof l);
    return bf_fail(err, BF_ERR_NOT_FOUND, "%s: not set in this object", l);
}
