/*
 * Export a subtree as a .reg document in regedit's format
 * ("Windows Registry Editor Version 5.00").
 *
 * Layout, as regedit writes it:
 *   header line, blank line; then per key (pre-order, subkeys in stored
 *   order): "[path]", one line per value, a blank line.  CRLF line ends.
 *   @=...            default value;  "name"=...  with \ and " escaped
 *   "text"           REG_SZ holding exactly one terminating NUL
 *   dword:%08x       REG_DWORD of exactly 4 bytes
 *   hex:  hex(N):    everything else; bytes "xx" joined by ','.  After a
 *                    byte and its comma, when the line holds >= 77
 *                    characters (counting from the value name's opening
 *                    quote or '@'), ",\" ends the line and the next starts
 *                    with two spaces.
 *
 * To stay lossless, REG_SZ data that the "text" form would not reproduce
 * byte for byte (odd length, no NUL or embedded NULs, unpaired surrogates,
 * CR or LF) is written as hex(1):.  Names holding CR or LF cannot be
 * written at all (BF_ERR_UNSUPPORTED).  Class names and security
 * descriptors have no .reg form and are not exported.
 */
#include "io/io.h"
#include "internal.h"
#include "regfile_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEX_WRAP_COL 77

typedef struct exp_item {
    bf_node n;
    unsigned depth;
    char *path; /* full path written between the brackets */
} exp_item;

/* Open-addressing set of visited nodes: a key reached twice is an error. */
typedef struct node_set {
    uint32_t *slot; /* node + 1; 0 = empty */
    size_t cap, n;
} node_set;

static int set_add(node_set *s, uint32_t v)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 1024;
        uint32_t *ns = bf_calloc(ncap, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i])
                continue;
            size_t k = (s->slot[i] * 2654435761u) & (ncap - 1);
            while (ns[k])
                k = (k + 1) & (ncap - 1);
            ns[k] = s->slot[i];
        }
        free(s->slot);
        s->slot = ns;
        s->cap = ncap;
    }
    uint32_t key = v + 1;
    size_t k = (key * 2654435761u) & (s->cap - 1);
    while (s->slot[k]) {
        if (s->slot[k] == key)
            return 0;
        k = (k + 1) & (s->cap - 1);
    }
    s->slot[k] = key;
    s->n++;
    return 1;
}

static int has_crlf(const char *s) { return strchr(s, '\r') || strchr(s, '\n'); }

/* "text" with \ and " escaped. */
static void put_escaped(rf_buf *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            rf_putc(o, '\\');
        rf_putc(o, (uint8_t)*s);
    }
}

/* REG_SZ data that "text" reproduces exactly: UTF-16 with exactly one
 * terminating NUL, no unpaired surrogate, no CR/LF. */
static int sz_as_text(const uint8_t *d, size_t len)
{
    if (len < 2 || len % 2)
        return 0;
    size_t n = len / 2 - 1;
    if (d[2 * n] || d[2 * n + 1])
        return 0;
    size_t i = 0;
    while (i < n) {
        int32_t cp = rf_utf16_next(d, n, &i);
        if (cp <= 0 || cp == '\r' || cp == '\n')
            return 0;
    }
    return 1;
}

static void put_hex_data(rf_buf *o, uint32_t type, const uint8_t *d, size_t len, size_t col)
{
    static const char hexd[] = "0123456789abcdef";
    char tmp[24];
    if (type == BF_REG_BINARY)
        snprintf(tmp, sizeof tmp, "hex:");
    else
        snprintf(tmp, sizeof tmp, "hex(%x):", (unsigned)type);
    rf_puts(o, tmp);
    col += strlen(tmp);
    if (rf_reserve(o, len * 3 + (len / 20 + 1) * 5) < 0)
        return;
    for (size_t i = 0; i < len; i++) {
        rf_putc(o, (uint8_t)hexd[d[i] >> 4]);
        rf_putc(o, (uint8_t)hexd[d[i] & 15]);
        if (i + 1 == len)
            break;
        rf_putc(o, ',');
        col += 3;
        if (col >= HEX_WRAP_COL) {
            rf_puts(o, "\\\r\n  ");
            col = 2;
        }
    }
}

static int put_value(bf_hive *h, bf_value v, const char *keypath, rf_buf *o, bf_error *err)
{
    char *name = NULL;
    uint8_t *d = NULL;
    size_t len = 0;
    uint32_t type = 0;
    int rc = bf_value_name(h, v, &name, err);
    if (rc != BF_OK)
        return rc;
    rc = bf_value_data(h, v, &type, &d, &len, err);
    if (rc != BF_OK) {
        free(name);
        return rc;
    }
    size_t col;
    if (!name[0]) {
        rf_puts(o, "@=");
        col = 2;
    } else {
        if (has_crlf(name)) {
            rc = bf_fail(err, BF_ERR_UNSUPPORTED,
                         "key %s: value name holding a line break cannot be written to a .reg file",
                         keypath);
            goto out;
        }
        size_t start = o->len;
        rf_putc(o, '"');
        put_escaped(o, name);
        rf_puts(o, "\"=");
        col = o->oom ? 0 : rf_utf16_units((const char *)o->p + start, o->len - start);
    }
    if (type == BF_REG_SZ && sz_as_text(d, len)) {
        rf_buf s = {0};
        size_t i = 0, n = len / 2 - 1;
        while (i < n)
            rf_put_utf8(&s, (uint32_t)rf_utf16_next(d, n, &i));
        rf_putc(o, '"');
        if (s.len) {
            char *t = rf_take_str(&s);
            if (t)
                put_escaped(o, t);
            else
                o->oom = 1;
            free(t);
        }
        rf_putc(o, '"');
    } else if (type == BF_REG_DWORD && len == 4) {
        char tmp[24];
        snprintf(tmp, sizeof tmp, "dword:%08x", (unsigned)rd32(d));
        rf_puts(o, tmp);
    } else {
        put_hex_data(o, type, d, len, col);
    }
    rf_puts(o, "\r\n");
out:
    free(name);
    free(d);
    return rc;
}

static char *join_path(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = bf_malloc(la + lb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    s[la] = '\\';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

/* Path of `start` below the root ("" for the root), malloc'd. */
static int start_path(bf_hive *h, bf_node start, char **out, bf_error *err)
{
    bf_node root = bf_hive_root(h);
    char *names[BF_MAX_DEPTH];
    size_t depth = 0;
    int rc = BF_OK;
    bf_node n = start;
    while (n != root) {
        if (depth == BF_MAX_DEPTH) {
            rc = bf_fail(err, BF_ERR_FORMAT, "%s: key 0x%x is more than %d levels below the root",
                         bf_hive_path(h), start, BF_MAX_DEPTH);
            goto out;
        }
        rc = bf_node_name(h, n, &names[depth], err);
        if (rc != BF_OK)
            goto out;
        depth++;
        bf_node parent;
        rc = bf_node_parent(h, n, &parent, err);
        if (rc != BF_OK)
            goto out;
        n = parent;
    }
    rf_buf b = {0};
    for (size_t i = depth; i-- > 0;) {
        rf_puts(&b, names[i]);
        if (i)
            rf_putc(&b, '\\');
    }
    *out = rf_take_str(&b);
    if (!*out)
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
out:
    for (size_t i = 0; i < depth; i++)
        free(names[i]);
    return rc;
}

int bf_regfile_export(bf_hive *h, bf_node start, const char *prefix, int encoding,
                      uint8_t **out, size_t *len, bf_error *err)
{
    if (!h || !out || !len || !prefix || !prefix[0])
        return bf_fail(err, BF_ERR_INVALID, "regfile export: missing hive, prefix or output");
    if (encoding != BF_REGFILE_UTF16 && encoding != BF_REGFILE_UTF8)
        return bf_fail(err, BF_ERR_INVALID, "regfile export: unknown encoding %d", encoding);
    if (has_crlf(prefix))
        return bf_fail(err, BF_ERR_INVALID, "regfile export: prefix holds a line break");
    *out = NULL;
    *len = 0;

    rf_buf o = {0};
    exp_item *stack = NULL;
    size_t sn = 0, scap = 0;
    node_set seen = {0};
    char *rel = NULL;
    int rc = start_path(h, start, &rel, err);
    if (rc != BF_OK)
        return rc;
    size_t plen = strlen(prefix);
    while (plen > 0 && prefix[plen - 1] == '\\')
        plen--;
    rf_buf pb = {0};
    rf_put(&pb, prefix, plen);
    if (rel[0]) {
        rf_putc(&pb, '\\');
        rf_puts(&pb, rel);
    }
    free(rel);
    char *top = rf_take_str(&pb);
    if (!top)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");

    scap = 64;
    stack = bf_malloc(scap * sizeof *stack);
    if (!stack) {
        free(top);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    stack[sn++] = (exp_item){start, 0, top};
    rf_puts(&o, "Windows Registry Editor Version 5.00\r\n\r\n");

    while (sn > 0 && rc == BF_OK) {
        exp_item it = stack[--sn];
        bf_node *kids = NULL;
        bf_value *vals = NULL;
        size_t nkids = 0, nvals = 0;
        int r = set_add(&seen, it.n);
        if (r < 0) {
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
        } else if (r == 0) {
            rc = bf_fail(err, BF_ERR_FORMAT, "%s: key %s (cell 0x%x) is reached twice in the key tree",
                         bf_hive_path(h), it.path, it.n);
        } else if (it.depth > BF_MAX_DEPTH) {
            rc = bf_fail(err, BF_ERR_FORMAT, "%s: key %s is more than %d levels deep",
                         bf_hive_path(h), it.path, BF_MAX_DEPTH);
        }
        if (rc == BF_OK && has_crlf(it.path))
            rc = bf_fail(err, BF_ERR_UNSUPPORTED,
                         "key %s: a key name holding a line break cannot be written to a .reg file",
                         it.path);
        if (rc == BF_OK) {
            rf_putc(&o, '[');
            rf_puts(&o, it.path);
            rf_puts(&o, "]\r\n");
            rc = bf_node_values(h, it.n, &vals, &nvals, err);
        }
        for (size_t i = 0; rc == BF_OK && i < nvals; i++)
            rc = put_value(h, vals[i], it.path, &o, err);
        if (rc == BF_OK) {
            rf_puts(&o, "\r\n");
            rc = bf_node_children(h, it.n, &kids, &nkids, err);
        }
        if (rc == BF_OK && nkids > 0 && nkids > scap - sn) {
            size_t ncap = scap;
            while (ncap - sn < nkids)
                ncap *= 2;
            exp_item *ns = bf_realloc(stack, ncap * sizeof *ns);
            if (!ns)
                rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
            else {
                stack = ns;
                scap = ncap;
            }
        }
        /* push in reverse so the first subkey is exported next */
        for (size_t i = nkids; rc == BF_OK && i-- > 0;) {
            char *nm = NULL;
            rc = bf_node_name(h, kids[i], &nm, err);
            if (rc != BF_OK)
                break;
            if (strchr(nm, '\\')) {
                rc = bf_fail(err, BF_ERR_UNSUPPORTED, "key %s: subkey name '%s' holds a backslash",
                             it.path, nm);
                free(nm);
                break;
            }
            char *p = join_path(it.path, nm);
            free(nm);
            if (!p) {
                rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
                break;
            }
            stack[sn++] = (exp_item){kids[i], it.depth + 1, p};
        }
        free(kids);
        free(vals);
        free(it.path);
        if (rc == BF_OK && o.oom)
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory building the .reg text");
    }
    while (sn > 0)
        free(stack[--sn].path);
    free(stack);
    free(seen.slot);
    if (rc != BF_OK) {
        rf_free(&o);
        return rc;
    }

    if (encoding == BF_REGFILE_UTF8) {
        if (rf_reserve(&o, 1) < 0) {
            rf_free(&o);
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        }
        *out = o.p;
        *len = o.len;
        return BF_OK;
    }
    rf_buf w = {0};
    rf_reserve(&w, 2 * o.len + 2);
    rf_put_u16(&w, 0xFEFF);
    size_t i = 0;
    while (i < o.len) {
        int32_t cp = rf_utf8_next(o.p, o.len, &i);
        rf_put_utf16(&w, cp < 0 ? 0xFFFDu : (uint32_t)cp);
    }
    rf_free(&o);
    if (w.oom) {
        rf_free(&w);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    *out = w.p;
    *len = w.len;
    return BF_OK;
}
