/*
 * Buffer and text-encoding helpers for the reg.exe / .reg file modules.
 */
#include "io/io.h"
#include "regfile_util.h"

#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int rf_reserve(rf_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra <= b->cap - b->len)
        return 0;
    size_t need = b->len + extra;
    if (need < b->len) {
        b->oom = 1;
        return -1;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need + 1) {
        if (cap > SIZE_MAX / 2) {
            cap = need + 1;
            break;
        }
        cap *= 2;
    }
    uint8_t *np = bf_realloc(b->p, cap);
    if (!np) {
        b->oom = 1;
        return -1;
    }
    b->p = np;
    b->cap = cap;
    return 0;
}

void rf_put(rf_buf *b, const void *p, size_t n)
{
    if (n == 0 || rf_reserve(b, n) < 0)
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void rf_putc(rf_buf *b, uint8_t c)
{
    if (b->len < b->cap && !b->oom) {
        b->p[b->len++] = c;
        return;
    }
    rf_put(b, &c, 1);
}

void rf_puts(rf_buf *b, const char *s) { rf_put(b, s, strlen(s)); }

void rf_printf(rf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (rf_reserve(b, (size_t)n + 1) < 0) /* vsnprintf writes a NUL too */
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rf_put_u16(rf_buf *b, uint16_t u)
{
    uint8_t t[2] = {(uint8_t)u, (uint8_t)(u >> 8)};
    rf_put(b, t, 2);
}

void rf_put_utf8(rf_buf *b, uint32_t cp)
{
    uint8_t t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (uint8_t)(0xC0 | (cp >> 6));
        t[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (uint8_t)(0xE0 | (cp >> 12));
        t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (uint8_t)(0xF0 | (cp >> 18));
        t[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    rf_put(b, t, n);
}

void rf_put_utf16(rf_buf *b, uint32_t cp)
{
    if (cp >= 0x10000) {
        cp -= 0x10000;
        rf_put_u16(b, (uint16_t)(0xD800 | (cp >> 10)));
        rf_put_u16(b, (uint16_t)(0xDC00 | (cp & 0x3FF)));
    } else {
        rf_put_u16(b, (uint16_t)cp);
    }
}

char *rf_take_str(rf_buf *b)
{
    if (rf_reserve(b, 1) < 0) {
        rf_free(b);
        return NULL;
    }
    b->p[b->len] = 0;
    char *s = (char *)b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return s;
}

void rf_free(rf_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

int32_t rf_utf8_next(const uint8_t *s, size_t n, size_t *i)
{
    size_t k = *i;
    uint8_t c = s[k];
    uint32_t cp, min;
    size_t extra;
    if (c < 0x80) {
        *i = k + 1;
        return c;
    } else if ((c & 0xE0) == 0xC0) {
        cp = c & 0x1F;
        extra = 1;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        cp = c & 0x0F;
        extra = 2;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        cp = c & 0x07;
        extra = 3;
        min = 0x10000;
    } else {
        *i = k + 1;
        return -1;
    }
    if (extra > n - k - 1) {
        *i = k + 1;
        return -1;
    }
    for (size_t j = 1; j <= extra; j++) {
        if ((s[k + j] & 0xC0) != 0x80) {
            *i = k + 1;
            return -1;
        }
        cp = (cp << 6) | (s[k + j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *i = k + 1;
        return -1;
    }
    *i = k + 1 + extra;
    return (int32_t)cp;
}

int32_t rf_utf16_next(const uint8_t *p, size_t nunits, size_t *i)
{
    size_t k = *i;
    uint32_t u = (uint32_t)p[2 * k] | ((uint32_t)p[2 * k + 1] << 8);
    *i = k + 1;
    if (u < 0xD800 || u > 0xDFFF)
        return (int32_t)u;
    if (u >= 0xDC00 || k + 1 >= nunits)
        return -1;
    uint32_t l = (uint32_t)p[2 * k + 2] | ((uint32_t)p[2 * k + 3] << 8);
    if (l < 0xDC00 || l > 0xDFFF)
        return -1;
    *i = k + 2;
    return (int32_t)(0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00));
}

int rf_utf8_to_utf16le(rf_buf *b, const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0;
    if (rf_reserve(b, 2 * n) < 0)
        return 0; /* oom is reported by the caller via b->oom */
    while (i < n) {
        int32_t cp = rf_utf8_next(u, n, &i);
        if (cp < 0)
            return -1;
        rf_put_utf16(b, (uint32_t)cp);
    }
    return 0;
}

size_t rf_utf16_units(const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0, units = 0;
    while (i < n) {
        int32_t cp = rf_utf8_next(u, n, &i);
        units += cp >= 0x10000 ? 2 : 1;
    }
    return units;
}

uint32_t rf_cp1252(uint8_t c)
{
    static const uint16_t hi[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
    if (c >= 0x80 && c < 0xA0)
        return hi[c - 0x80];
    return c;
}

int rf_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
