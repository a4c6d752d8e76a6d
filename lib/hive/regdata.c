/*
 * reg.exe spelling of registry types and data (`reg add /t /d /s`, and the
 * text `reg query` prints).
 */
#include "internal.h"
#include "regfile_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    uint32_t type;
} type_names[] = {
    {"REG_NONE", BF_REG_NONE},
    {"REG_SZ", BF_REG_SZ},
    {"REG_EXPAND_SZ", BF_REG_EXPAND_SZ},
    {"REG_BINARY", BF_REG_BINARY},
    {"REG_DWORD", BF_REG_DWORD},
    {"REG_DWORD_LITTLE_ENDIAN", BF_REG_DWORD},
    {"REG_DWORD_BIG_ENDIAN", BF_REG_DWORD_BIG_ENDIAN},
    {"REG_LINK", BF_REG_LINK},
    {"REG_MULTI_SZ", BF_REG_MULTI_SZ},
    {"REG_RESOURCE_LIST", BF_REG_RESOURCE_LIST},
    {"REG_FULL_RESOURCE_DESCRIPTOR", BF_REG_FULL_RESOURCE_DESCRIPTOR},
    {"REG_RESOURCE_REQUIREMENTS_LIST", BF_REG_RESOURCE_REQUIREMENTS_LIST},
    {"REG_QWORD", BF_REG_QWORD},
    {"REG_QWORD_LITTLE_ENDIAN", BF_REG_QWORD},
};

/* Unsigned decimal or 0x hex, no sign, no spaces; 0 ok, -1 syntax, -2 > max. */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    for (; *s; s++) {
        int d = base == 16 ? rf_hexval((unsigned char)*s)
                           : (*s >= '0' && *s <= '9' ? *s - '0' : -1);
        if (d < 0)
            return -1;
        if (v > (max - (uint64_t)d) / base)
            return -2;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return 0;
}

int bf_reg_type_parse(const char *name, uint32_t *type, bf_error *err)
{
    if (!name || !type)
        return bf_fail(err, BF_ERR_INVALID, "registry type: no type given");
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (bf_ascii_ieq(name, type_names[i].name)) {
            *type = type_names[i].type;
            return BF_OK;
        }
    }
    /* Extension: a type number (decimal or 0x hex) for types reg.exe cannot name. */
    uint64_t v;
    if (name[0] >= '0' && name[0] <= '9' && parse_uint(name, 0xFFFFFFFFu, &v) == 0) {
        *type = (uint32_t)v;
        return BF_OK;
    }
    return bf_fail(err, BF_ERR_INVALID,
                   "unknown registry type '%s' (expected REG_SZ, REG_MULTI_SZ, REG_EXPAND_SZ, "
                   "REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_QWORD, REG_BINARY, REG_NONE, REG_LINK, "
                   "... or a type number)",
                   name);
}

static int finish(rf_buf *b, uint8_t **data, size_t *len, bf_error *err)
{
    if (rf_reserve(b, 1) < 0) {
        rf_free(b);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory building value data");
    }
    *data = b->p;
    *len = b->len;
    return BF_OK;
}

static int parse_string(const char *text, rf_buf *b, const char *tname, bf_error *err)
{
    if (rf_utf8_to_utf16le(b, text, strlen(text)) < 0)
        return bf_fail(err, BF_ERR_INVALID, "%s data is not valid UTF-8", tname);
    rf_put_u16(b, 0);
    return BF_OK;
}

static int parse_multi(const char *text, const char *sep, rf_buf *b, bf_error *err)
{
    size_t slen = strlen(sep);
    if (slen == 0)
        return bf_fail(err, BF_ERR_INVALID, "REG_MULTI_SZ separator is empty");
    const char *p = text;
    size_t tlen = strlen(text);
    const char *end = text + tlen;
    /* One trailing separator ends the list (reg add /d "fax\0mail\0"). */
    if (tlen >= slen && memcmp(end - slen, sep, slen) == 0)
        end -= slen;
    if (tlen > 0) {
        for (;;) {
            const char *q = p;
            while (q < end && !((size_t)(end - q) >= slen && memcmp(q, sep, slen) == 0))
                q++;
            if (q == p)
                return bf_fail(err, BF_ERR_INVALID,
                               "REG_MULTI_SZ data holds an empty string at offset %zu "
                               "(two separators in a row)",
                               (size_t)(p - text));
            if (rf_utf8_to_utf16le(b, p, (size_t)(q - p)) < 0)
                return bf_fail(err, BF_ERR_INVALID, "REG_MULTI_SZ data is not valid UTF-8");
            rf_put_u16(b, 0);
            if (q >= end)
                break;
            p = q + slen;
        }
    }
    rf_put_u16(b, 0);
    return BF_OK;
}

static int parse_hex(const char *text, rf_buf *b, uint32_t type, bf_error *err)
{
    size_t n = strlen(text);
    if (n % 2)
        return bf_fail(err, BF_ERR_INVALID,
                       "type %u data: odd number of hex digits (%zu); two digits per byte",
                       type, n);
    for (size_t i = 0; i < n; i += 2) {
        int hi = rf_hexval((unsigned char)text[i]), lo = rf_hexval((unsigned char)text[i + 1]);
        if (hi < 0 || lo < 0)
            return bf_fail(err, BF_ERR_INVALID, "type %u data: '%c' at position %zu is not a hex digit",
                           type, hi < 0 ? text[i] : text[i + 1], hi < 0 ? i : i + 1);
        rf_putc(b, (uint8_t)(hi << 4 | lo));
    }
    return BF_OK;
}

int bf_reg_data_parse(uint32_t type, const char *text, const char *sep, uint8_t **data,
                      size_t *len, bf_error *err)
{
    if (!data || !len)
        return bf_fail(err, BF_ERR_INVALID, "reg data: no output");
    *data = NULL;
    *len = 0;
    rf_buf b = {0};
    int rc = BF_OK;
    const char *t = text ? text : "";
    const char *tname = bf_reg_type_name(type);
    switch (type) {
    case BF_REG_SZ:
    case BF_REG_EXPAND_SZ:
        rc = parse_string(t, &b, tname ? tname : "REG_SZ", err);
        break;
    case BF_REG_MULTI_SZ:
        rc = parse_multi(t, sep ? sep : "\\0", &b, err);
        break;
    case BF_REG_DWORD:
    case BF_REG_DWORD_BIG_ENDIAN:
    case BF_REG_QWORD: {
        uint64_t max = type == BF_REG_QWORD ? UINT64_MAX : 0xFFFFFFFFu;
        uint64_t v = 0;
        if (*t) {
            int r = parse_uint(t, max, &v);
            if (r == -1) {
                rc = bf_fail(err, BF_ERR_INVALID,
                             "%s data '%s' is not a number (decimal, or hex with 0x)",
                             tname, t);
                break;
            }
            if (r == -2) {
                rc = bf_fail(err, BF_ERR_INVALID, "%s data '%s' is out of range (max %s)", tname,
                             t, type == BF_REG_QWORD ? "0xffffffffffffffff" : "0xffffffff");
                break;
            }
        }
        uint8_t tmp[8];
        if (type == BF_REG_QWORD) {
            wr64(tmp, v);
            rf_put(&b, tmp, 8);
        } else if (type == BF_REG_DWORD) {
            wr32(tmp, (uint32_t)v);
            rf_put(&b, tmp, 4);
        } else {
            tmp[0] = (uint8_t)(v >> 24);
            tmp[1] = (uint8_t)(v >> 16);
            tmp[2] = (uint8_t)(v >> 8);
            tmp[3] = (uint8_t)v;
            rf_put(&b, tmp, 4);
        }
        break;
    }
    default:
        rc = parse_hex(t, &b, type, err);
        break;
    }
    if (rc != BF_OK) {
        rf_free(&b);
        return rc;
    }
    if (b.oom) {
        rf_free(&b);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory building value data");
    }
    return finish(&b, data, len, err);
}

/* UTF-16LE units p[0..n) to UTF-8 (unpaired surrogates as U+FFFD). */
static void put_units(rf_buf *b, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        int32_t cp = rf_utf16_next(p, n, &i);
        rf_put_utf8(b, cp < 0 ? 0xFFFDu : (uint32_t)cp);
    }
}

static size_t unit_at(const uint8_t *p, size_t i) { return (size_t)p[2 * i] | ((size_t)p[2 * i + 1] << 8); }

char *bf_reg_data_format(uint32_t type, const uint8_t *data, size_t len)
{
    rf_buf b = {0};
    char tmp[32];
    size_t units = len / 2;
    if (!data)
        len = units = 0;
    switch (type) {
    case BF_REG_SZ:
    case BF_REG_EXPAND_SZ: {
        size_t n = 0;
        while (n < units && unit_at(data, n) != 0)
            n++;
        put_units(&b, data, n);
        break;
    }
    case BF_REG_MULTI_SZ: {
        size_t i = 0;
        int first = 1;
        while (i < units) {
            size_t j = i;
            while (j < units && unit_at(data, j) != 0)
                j++;
            if (j == i) /* empty string: end of the list */
                break;
            if (!first)
                rf_puts(&b, "\\0");
            put_units(&b, data + 2 * i, j - i);
            first = 0;
            i = j + 1;
        }
        break;
    }
    case BF_REG_DWORD:
    case BF_REG_DWORD_BIG_ENDIAN:
    case BF_REG_QWORD:
        if (type == BF_REG_QWORD && len == 8) {
            snprintf(tmp, sizeof tmp, "0x%llx", (unsigned long long)rd64(data));
            rf_puts(&b, tmp);
            break;
        }
        if (type != BF_REG_QWORD && len == 4) {
            uint32_t v = type == BF_REG_DWORD ? rd32(data)
                                              : ((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
                                                 (uint32_t)data[2] << 8 | data[3]);
            snprintf(tmp, sizeof tmp, "0x%x", v);
            rf_puts(&b, tmp);
            break;
        }
        /* wrong size: show the bytes */
        /* fall through */
    default: {
        static const char hexd[] = "0123456789ABCDEF";
        if (rf_reserve(&b, 2 * len) < 0)
            break;
        for (size_t i = 0; i < len; i++) {
            rf_putc(&b, (uint8_t)hexd[data[i] >> 4]);
            rf_putc(&b, (uint8_t)hexd[data[i] & 15]);
        }
        break;
    }
    }
    if (b.oom) {
        rf_free(&b);
        return NULL;
    }
    return rf_take_str(&b);
}
