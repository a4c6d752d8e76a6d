/*
 * Import a .reg document (regedit's "Windows Registry Editor Version 5.00"
 * or "REGEDIT4") into a hive.
 *
 * Encodings: UTF-16LE with BOM; UTF-8 with or without BOM.  A file without
 * BOM that starts with "REGEDIT4" is ANSI and decoded as Windows-1252 (what
 * regedit does on a Western-European system); in REGEDIT4 documents the
 * bytes of hex(2): and hex(7): are such ANSI characters and are widened to
 * UTF-16LE, as regedit does.  Other hex data is stored as written.
 *
 * Lines: CRLF or LF; blank lines and ';' comments are skipped; [KEY],
 * [-KEY] (delete the key and its subtree; a missing key is not an error),
 * "name"=... and @=... with "string", dword:, hex:, hex(N): or - (delete the
 * value).  Hex data continues on the next line when a line ends with '\'.
 * A physical or logical (continued) line may hold at most RF_MAX_LINE bytes
 * (BF_LIMIT_REG_LINE)
 * of UTF-8 text; longer lines are refused (BF_ERR_LIMIT).  A value line
 * after a [-KEY] line, before the next [KEY], is an error (regedit would
 * silently drop it).
 *
 * The document is decoded, parsed and validated completely (key name
 * lengths, depth, value name lengths, prefix) into a list of operations
 * before the hive is touched; the operations are then applied through the
 * public API.  Only an out-of-memory / hive-full failure while applying can
 * leave a partial import.
 */
#include "io/io.h"
#include "internal.h"
#include "regfile_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RF_MAX_LINE BF_LIMIT_REG_LINE /* UTF-8 bytes per line, continuations joined */

enum { OP_KEY, OP_DELKEY, OP_SET, OP_DELVAL };

typedef struct rf_op {
    int kind;
    unsigned line;
    char *path; /* OP_KEY / OP_DELKEY: path below the root ("" = root) */
    char *name; /* OP_SET / OP_DELVAL */
    uint32_t type;
    uint8_t *data;
    size_t len;
} rf_op;

typedef struct parser {
    const char *fname;
    char *text; /* decoded UTF-8; each line NUL-terminated in place */
    size_t tlen, pos;
    unsigned line; /* number of the line last read */
    int v4;        /* REGEDIT4 */
    const char *prefix;
    size_t prefix_len;
    char *auto_prefix; /* prefix NULL: the first key's two leading components */
    int cur;           /* 0: no key yet, 1: in a key, 2: after [-KEY] */
    rf_op *ops;
    size_t nops, cap;
    bf_error *err;
} parser;

static const char HDR5[] = "Windows Registry Editor Version 5.00";
static const char HDR4[] = "REGEDIT4";

static int perr(parser *P, int code, unsigned line, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(4, 5)
#endif
    ;
static int perr(parser *P, int code, unsigned line, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bf_fail(P->err, code, "%s: line %u: %s", P->fname, line, msg);
}

/* ---- decoding ---------------------------------------------------------------- */

static int decode(parser *P, const uint8_t *in, size_t n)
{
    rf_buf o = {0};
    unsigned line = 1;
    rf_reserve(&o, n + n / 2 + 1);
    if (n >= 2 && in[0] == 0xFE && in[1] == 0xFF) {
        rf_free(&o);
        return bf_fail(P->err, BF_ERR_UNSUPPORTED,
                       "%s: UTF-16 big-endian .reg files are not supported", P->fname);
    } else if (n >= 2 && in[0] == 0xFF && in[1] == 0xFE) {
        if (n % 2) {
            rf_free(&o);
            return bf_fail(P->err, BF_ERR_FORMAT,
                           "%s: UTF-16 document has an odd number of bytes (%zu)", P->fname, n);
        }
        const uint8_t *p = in + 2;
        size_t nu = (n - 2) / 2, i = 0;
        while (i < nu) {
            int32_t cp = rf_utf16_next(p, nu, &i);
            if (cp <= 0) {
                rf_free(&o);
                return perr(P, BF_ERR_FORMAT, line, "%s in UTF-16 text",
                            cp < 0 ? "unpaired surrogate" : "NUL character");
            }
            if (cp == '\n')
                line++;
            rf_put_utf8(&o, (uint32_t)cp);
        }
    } else if (n >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF) {
        in += 3;
        n -= 3;
        goto utf8;
    } else if (n >= sizeof HDR4 - 1 && memcmp(in, HDR4, sizeof HDR4 - 1) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (!in[i]) {
                rf_free(&o);
                return perr(P, BF_ERR_FORMAT, line, "NUL byte in text");
            }
            if (in[i] == '\n')
                line++;
            rf_put_utf8(&o, rf_cp1252(in[i]));
        }
    } else {
    utf8:;
        size_t i = 0;
        while (i < n) {
            size_t at = i;
            int32_t cp = rf_utf8_next(in, n, &i);
            if (cp <= 0) {
                rf_free(&o);
                return perr(P, BF_ERR_FORMAT, line, "%s at byte offset %zu",
                            cp < 0 ? "invalid UTF-8" : "NUL byte", at);
            }
            if (cp == '\n')
                line++;
        }
        rf_put(&o, in, n);
    }
    if (rf_reserve(&o, 1) < 0) {
        rf_free(&o);
        return bf_fail(P->err, BF_ERR_NOMEM, "%s: out of memory", P->fname);
    }
    o.p[o.len] = 0;
    P->text = (char *)o.p;
    P->tlen = o.len;
    return BF_OK;
}

/* Next physical line as a C string (CR before LF removed); NULL at the end. */
static char *next_line(parser *P, int *toolong)
{
    *toolong = 0;
    if (P->pos >= P->tlen)
        return NULL;
    char *s = P->text + P->pos;
    char *nl = memchr(s, '\n', P->tlen - P->pos);
    size_t n = nl ? (size_t)(nl - s) : P->tlen - P->pos;
    P->pos += n + (nl ? 1 : 0);
    P->line++;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    s[n] = 0;
    if (n > RF_MAX_LINE)
        *toolong = 1;
    return s;
}

/* ---- small lexing helpers -------------------------------------------------------- */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static void rtrim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
}

static int rest_ok(const char *p)
{
    p = skip_ws(p);
    return *p == 0 || *p == ';';
}

static int ci_starts(const char *s, const char *lit)
{
    for (; *lit; s++, lit++) {
        int c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != *lit)
            return 0;
    }
    return 1;
}

/* Case-insensitive (Windows upcase) match of prefix `pre` (pl bytes) at the
 * start of s (n bytes): bytes of s consumed, or -1. */
static long ci_prefix(const char *s, size_t n, const char *pre, size_t pl)
{
    size_t i = 0, j = 0;
    while (j < pl) {
        if (i >= n)
            return -1;
        int32_t a = rf_utf8_next((const uint8_t *)s, n, &i);
        int32_t b = rf_utf8_next((const uint8_t *)pre, pl, &j);
        if (a < 0 || b < 0)
            return -1;
        if (a != b) {
            if (a > 0xFFFF || b > 0xFFFF || bf_upcase((uint16_t)a) != bf_upcase((uint16_t)b))
                return -1;
        }
    }
    return (long)i;
}

/* Parse a quoted string at p (just after the opening quote); \\ and \"
 * are escapes, any other backslash is kept.  Returns the char after the
 * closing quote, or NULL when unterminated; the text goes to b. */
static const char *parse_quoted(const char *p, rf_buf *b)
{
    for (;;) {
        if (*p == 0)
            return NULL;
        if (*p == '"')
            return p + 1;
        if (*p == '\\' && (p[1] == '\\' || p[1] == '"')) {
            rf_putc(b, (uint8_t)p[1]);
            p += 2;
            continue;
        }
        rf_putc(b, (uint8_t)*p++);
    }
}

static int add_op(parser *P, rf_op op)
{
    if (P->nops == P->cap) {
        size_t nc = P->cap ? 2 * P->cap : 64;
        rf_op *n = bf_realloc(P->ops, nc * sizeof *n);
        if (!n)
            return -1;
        P->ops = n;
        P->cap = nc;
    }
    P->ops[P->nops++] = op;
    return 0;
}

static void free_ops(parser *P)
{
    for (size_t i = 0; i < P->nops; i++) {
        free(P->ops[i].path);
        free(P->ops[i].name);
        free(P->ops[i].data);
    }
    free(P->ops);
    P->ops = NULL;
    P->nops = P->cap = 0;
}

/* ---- key lines ------------------------------------------------------------------- */

static int parse_key(parser *P, char *s)
{
    unsigned line = P->line;
    rtrim(s);
    size_t n = strlen(s);
    if (n < 2 || s[n - 1] != ']')
        return perr(P, BF_ERR_FORMAT, line, "key line does not end with ']'");
    s[n - 1] = 0;
    char *path = s + 1;
    int del = 0;
    if (*path == '-') {
        del = 1;
        path++;
    }
    size_t plen = strlen(path);
    size_t skip;
    if (P->prefix) {
        long m = ci_prefix(path, plen, P->prefix, P->prefix_len);
        if (m < 0 || ((size_t)m < plen && path[m] != '\\'))
            return perr(P, BF_ERR_INVALID, line, "key '%s' is not under '%.*s'", path,
                        (int)P->prefix_len, P->prefix);
        skip = (size_t)m + ((size_t)m < plen ? 1 : 0);
    } else {
        char *b1 = strchr(path, '\\');
        if (!b1 || b1 == path)
            return perr(P, BF_ERR_INVALID, line,
                        "key '%s' needs two leading components such as "
                        "HKEY_LOCAL_MACHINE\\SYSTEM",
                        path);
        char *b2 = strchr(b1 + 1, '\\');
        size_t two = b2 ? (size_t)(b2 - path) : plen;
        if (two == (size_t)(b1 - path) + 1)
            return perr(P, BF_ERR_INVALID, line, "key '%s': empty second component", path);
        if (!P->auto_prefix) {
            P->auto_prefix = bf_malloc(two + 1);
            if (!P->auto_prefix)
                return bf_fail(P->err, BF_ERR_NOMEM, "%s: out of memory", P->fname);
            memcpy(P->auto_prefix, path, two);
            P->auto_prefix[two] = 0;
        } else {
            size_t al = strlen(P->auto_prefix);
            long m = ci_prefix(path, two, P->auto_prefix, al);
            if (m < 0 || (size_t)m != two)
                return perr(P, BF_ERR_INVALID, line,
                            "key '%s' does not start with '%s' like the keys before it", path,
                            P->auto_prefix);
        }
        skip = two + (two < plen ? 1 : 0);
    }
    char *rel = path + skip;
    size_t rl = strlen(rel);
    if (rl > 0 && rel[rl - 1] == '\\')
        rel[--rl] = 0;
    /* validate the components */
    unsigned depth = 1; /* the root is level 1 */
    for (char *c = rel; rl > 0;) {
        char *e = strchr(c, '\\');
        size_t cl = e ? (size_t)(e - c) : strlen(c);
        if (cl == 0)
            return perr(P, BF_ERR_INVALID, line, "key '%s' has an empty name component", path);
        size_t units = rf_utf16_units(c, cl);
        if (units > BF_LIMIT_KEY_NAME)
            return perr(P, BF_ERR_LIMIT, line, "key name '%.*s' is %zu characters (max %d)",
                        (int)(cl > 64 ? 64 : cl), c, units, BF_LIMIT_KEY_NAME);
        if (++depth > BF_LIMIT_KEY_DEPTH)
            return perr(P, BF_ERR_LIMIT, line,
                        "key '%.200s' is more than %d levels deep, the limit (the root is level 1)", path,
                        BF_LIMIT_KEY_DEPTH);
        if (!e)
            break;
        c = e + 1;
    }
    if (del && rl == 0)
        return perr(P, BF_ERR_INVALID, line, "[-%s] would delete the hive's root key", path);
    rf_op op = {del ? OP_DELKEY : OP_KEY, line, bf_malloc(rl + 1), NULL, 0, NULL, 0};
    if (op.path)
        memcpy(op.path, rel, rl + 1);
    if (!op.path || add_op(P, op) < 0) {
        free(op.path);
        return bf_fail(P->err, BF_ERR_NOMEM, "%s: out of memory", P->fname);
    }
    P->cur = del ? 2 : 1;
    return BF_OK;
}

/* ---- value lines ----------------------------------------------------------------- */

/* Hex bytes of one physical piece (1 or 2 digits each, commas between). */
static int hex_piece(parser *P, const char *p, rf_buf *d, int *need_sep)
{
    for (;;) {
        p = skip_ws(p);
        if (*p == 0)
            return BF_OK;
        if (*p == ',') {
            if (!*need_sep)
                return perr(P, BF_ERR_FORMAT, P->line, "hex data: empty byte between commas");
            *need_sep = 0;
            p++;
            continue;
        }
        if (*need_sep)
            return perr(P, BF_ERR_FORMAT, P->line, "hex data: expected ',' before '%.8s'", p);
        size_t tl = 0, nhex = 0;
        while (p[tl] && p[tl] != ',' && p[tl] != ' ' && p[tl] != '\t') {
            if (rf_hexval((unsigned char)p[tl]) >= 0)
                nhex++;
            tl++;
        }
        int shown = tl > 16 ? 16 : (int)tl;
        if (nhex != tl)
            return perr(P, BF_ERR_FORMAT, P->line, "hex data: '%.*s' is not a hex byte", shown, p);
        if (tl > 2)
            return perr(P, BF_ERR_FORMAT, P->line,
                        "hex data: '%.*s' has more than two hex digits", shown, p);
        int v = rf_hexval((unsigned char)p[0]);
        if (tl == 2)
            v = v << 4 | rf_hexval((unsigned char)p[1]);
        rf_putc(d, (uint8_t)v);
        p += tl;
        *need_sep = 1;
    }
}

static int parse_hex_data(parser *P, char *p, rf_buf *d)
{
    unsigned first = P->line;
    size_t total = 0;
    int need_sep = 0;
    for (;;) {
        char *semi = strchr(p, ';');
        if (semi)
            *semi = 0;
        rtrim(p);
        size_t n = strlen(p);
        int cont = n > 0 && p[n - 1] == '\\';
        if (cont)
            p[--n] = 0;
        total += n;
        if (total > RF_MAX_LINE)
            return perr(P, BF_ERR_LIMIT, first,
                        "hex data continued over several lines is longer than %u bytes, the limit",
                        RF_MAX_LINE);
        int rc = hex_piece(P, p, d, &need_sep);
        if (rc != BF_OK)
            return rc;
        if (!cont)
            return BF_OK;
        /* a line break acts as a separator when the comma was left out */
        need_sep = 0;
        int toolong;
        char *nx = next_line(P, &toolong);
        if (!nx)
            return perr(P, BF_ERR_FORMAT, P->line, "hex data continues past the end of the file");
        if (toolong)
            return perr(P, BF_ERR_LIMIT, P->line, "line longer than %u bytes, the limit", RF_MAX_LINE);
        p = (char *)skip_ws(nx);
    }
}

static int parse_value(parser *P, char *s)
{
    unsigned line = P->line;
    rf_buf nb = {0}, d = {0};
    rf_op op = {OP_SET, line, NULL, NULL, 0, NULL, 0};
    const char *p;
    int rc = BF_OK;
    if (*s == '@') {
        p = s + 1;
    } else {
        p = parse_quoted(s + 1, &nb);
        if (!p) {
            rc = perr(P, BF_ERR_FORMAT, line, "value name has no closing '\"'");
            goto fail;
        }
    }
    p = skip_ws(p);
    if (*p != '=') {
        rc = perr(P, BF_ERR_FORMAT, line, "expected '=' after the value name");
        goto fail;
    }
    p = skip_ws(p + 1);
    if (P->cur == 0) {
        rc = perr(P, BF_ERR_FORMAT, line, "value line before any [KEY] line");
        goto fail;
    }
    if (P->cur == 2) {
        rc = perr(P, BF_ERR_FORMAT, line,
                  "value line after a [-KEY] deletion: there is no key to hold it");
        goto fail;
    }
    op.name = rf_take_str(&nb);
    if (!op.name) {
        rc = bf_fail(P->err, BF_ERR_NOMEM, "%s: out of memory", P->fname);
        goto fail;
    }
    {
        size_t units = rf_utf16_units(op.name, strlen(op.name));
        if (units > BF_LIMIT_VALUE_NAME) {
            rc = perr(P, BF_ERR_LIMIT, line, "value name is %zu characters (max %d)", units,
                      BF_LIMIT_VALUE_NAME);
            goto fail;
        }
    }
    if (*p == '-') {
        if (!rest_ok(p + 1)) {
            rc = perr(P, BF_ERR_FORMAT, line, "unexpected text after '=-'");
            goto fail;
        }
        op.kind = OP_DELVAL;
    } else if (*p == '"') {
        rf_buf sb = {0};
        const char *e = parse_quoted(p + 1, &sb);
        if (!e) {
            rf_free(&sb);
            rc = perr(P, BF_ERR_FORMAT, line, "string data has no closing '\"'");
            goto fail;
        }
        if (!rest_ok(e)) {
            rf_free(&sb);
            rc = perr(P, BF_ERR_FORMAT, line, "unexpected text after the closing '\"'");
            goto fail;
        }
        rf_utf8_to_utf16le(&d, sb.p ? (const char *)sb.p : "", sb.len); /* already valid */
        rf_put_u16(&d, 0);
        rf_free(&sb);
        op.type = BF_REG_SZ;
    } else if (ci_starts(p, "dword:")) {
        const char *q = p + 6;
        uint32_t v = 0;
        int nd = 0;
        while (rf_hexval((unsigned char)*q) >= 0) {
            if (++nd > 8) {
                rc = perr(P, BF_ERR_FORMAT, line, "dword: takes at most 8 hex digits");
                goto fail;
            }
            v = v << 4 | (uint32_t)rf_hexval((unsigned char)*q++);
        }
        if (nd == 0 || !rest_ok(q)) {
            rc = perr(P, BF_ERR_FORMAT, line, "dword: must be followed by 1 to 8 hex digits");
            goto fail;
        }
        uint8_t t[4];
        wr32(t, v);
        rf_put(&d, t, 4);
        op.type = BF_REG_DWORD;
    } else if (ci_starts(p, "hex")) {
        const char *q = p + 3;
        uint32_t type = BF_REG_BINARY;
        if (*q == '(') {
            q++;
            int nd = 0;
            type = 0;
            while (rf_hexval((unsigned char)*q) >= 0) {
                if (++nd > 8) {
                    rc = perr(P, BF_ERR_FORMAT, line, "hex(N): type takes at most 8 hex digits");
                    goto fail;
                }
                type = type << 4 | (uint32_t)rf_hexval((unsigned char)*q++);
            }
            if (nd == 0 || *q != ')') {
                rc = perr(P, BF_ERR_FORMAT, line, "hex(N): needs a hex type number and ')'");
                goto fail;
            }
            q++;
        }
        if (*q != ':') {
            rc = perr(P, BF_ERR_FORMAT, line, "expected ':' after hex / hex(N)");
            goto fail;
        }
        rc = parse_hex_data(P, (char *)q + 1, &d);
        if (rc != BF_OK)
            goto fail;
        if (P->v4 && (type == BF_REG_EXPAND_SZ || type == BF_REG_MULTI_SZ)) {
            rf_buf w = {0};
            rf_reserve(&w, 2 * d.len + 1);
            for (size_t i = 0; i < d.len; i++)
                rf_put_utf16(&w, rf_cp1252(d.p[i]));
            rf_free(&d);
            d = w;
        }
        op.type = type;
    } else {
        rc = perr(P, BF_ERR_FORMAT, line,
                  "unknown data format '%.16s' (expected \"string\", dword:, hex:, hex(N): or -)",
                  p);
        goto fail;
    }
    if (d.oom || rf_reserve(&d, 1) < 0) {
        rc = bf_fail(P->err, BF_ERR_NOMEM, "%s: out of memory", P->fname);
        goto fail;
    }
    if (op.kind == OP_SET) {
        op.data = d.p;
        op.len = d.len;
        d.p = NULL;
    }
    rf_free(&d);
    if (add_op(P, op) < 0) {
        free(op.name);
        free(op.data);
        return bf_fail(P->err, BF_ERR_NOMEM, "%s: out of memory", P->fname);
    }
    return BF_OK;
fail:
    rf_free(&nb);
    rf_free(&d);
    free(op.name);
    return rc;
}

/* ---- the document ------------------------------------------------------------------ */

static int parse_doc(parser *P)
{
    int toolong;
    char *s = next_line(P, &toolong);
    if (!s)
        return perr(P, BF_ERR_FORMAT, 1, "empty document (expected \"%s\")", HDR5);
    if (toolong)
        return perr(P, BF_ERR_LIMIT, P->line, "line longer than %u bytes, the limit", RF_MAX_LINE);
    rtrim(s);
    if (strcmp(s, HDR5) == 0)
        P->v4 = 0;
    else if (strcmp(s, HDR4) == 0)
        P->v4 = 1;
    else
        return perr(P, BF_ERR_FORMAT, 1, "expected the header \"%s\" or \"%s\"", HDR5, HDR4);
    while ((s = next_line(P, &toolong)) != NULL) {
        if (toolong)
            return perr(P, BF_ERR_LIMIT, P->line, "line longer than %u bytes, the limit", RF_MAX_LINE);
        char *t = (char *)skip_ws(s);
        int rc = BF_OK;
        if (*t == 0 || *t == ';')
            continue;
        if (*t == '[')
            rc = parse_key(P, t);
        else if (*t == '"' || *t == '@')
            rc = parse_value(P, t);
        else {
            rtrim(t);
            if (strcmp(t, P->v4 ? HDR4 : HDR5) == 0) /* concatenated exports */
                continue;
            rc = perr(P, BF_ERR_FORMAT, P->line,
                      "unrecognised line (expected [KEY], [-KEY], \"name\"=..., @=... or ;comment)");
        }
        if (rc != BF_OK)
            return rc;
    }
    return BF_OK;
}

static int apply(parser *P, bf_hive *h, bf_regfile_stats *st)
{
    bf_node root = bf_hive_root(h), cur = root;
    bf_error e;
    int rc = BF_OK;
    for (size_t i = 0; i < P->nops && rc == BF_OK; i++) {
        rf_op *op = &P->ops[i];
        memset(&e, 0, sizeof e);
        switch (op->kind) {
        case OP_KEY: {
            int created = 0;
            if (!op->path[0]) {
                cur = root;
                break;
            }
            rc = bf_node_create_path(h, root, op->path, &cur, &created, &e);
            if (rc == BF_OK)
                st->keys_created += (unsigned)created;
            break;
        }
        case OP_DELKEY: {
            bf_node n;
            rc = bf_node_lookup(h, root, op->path, &n, &e);
            if (rc == BF_ERR_NOT_FOUND) {
                rc = BF_OK;
                break;
            }
            if (rc == BF_OK)
                rc = bf_node_delete(h, n, &e);
            if (rc == BF_OK)
                st->keys_deleted++;
            break;
        }
        case OP_SET:
            rc = bf_node_set_value(h, cur, op->name, op->type, op->data, op->len, &e);
            if (rc == BF_OK)
                st->values_set++;
            break;
        case OP_DELVAL: {
            bf_value v;
            rc = bf_node_get_value(h, cur, op->name, &v, &e);
            if (rc == BF_ERR_NOT_FOUND) {
                rc = BF_OK;
                break;
            }
            if (rc == BF_OK)
                rc = bf_node_delete_value(h, cur, op->name, &e);
            if (rc == BF_OK)
                st->values_deleted++;
            break;
        }
        }
        if (rc != BF_OK)
            bf_fail(P->err, rc, "%s: line %u: %s%s", P->fname, op->line, e.msg,
                    i > 0 ? " (the lines before it were applied)" : "");
    }
    return rc;
}

int bf_regfile_import(bf_hive *h, const char *prefix, const uint8_t *text, size_t len,
                      const char *name, bf_regfile_stats *stats, bf_error *err)
{
    bf_regfile_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    if (!name)
        name = "<.reg>";
    if (!h || (!text && len))
        return bf_fail(err, BF_ERR_INVALID, "%s: regfile import: no hive or no text", name);
    parser P;
    memset(&P, 0, sizeof P);
    P.fname = name;
    P.err = err;
    if (prefix) {
        size_t pl = strlen(prefix);
        while (pl > 0 && prefix[pl - 1] == '\\')
            pl--;
        if (pl == 0)
            return bf_fail(err, BF_ERR_INVALID, "%s: regfile import: empty key prefix", name);
        P.prefix = prefix;
        P.prefix_len = pl;
    }
    int rc = decode(&P, text ? text : (const uint8_t *)"", len);
    if (rc == BF_OK)
        rc = parse_doc(&P);
    if (rc == BF_OK)
        rc = apply(&P, h, stats);
    free_ops(&P);
    free(P.text);
    free(P.auto_prefix);
    return rc;
}
