/*
 * Helpers shared by regdata.c, regfile_export.c, regfile_import.c and the
 * text output of lib/bcd: a growable byte buffer and strict UTF-8 /
 * UTF-16LE / Windows-1252 codecs.
 * Not installed.
 */
#ifndef BOOTFIX_REGFILE_UTIL_H
#define BOOTFIX_REGFILE_UTIL_H

#include "compiler.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rf_buf {
    uint8_t *p;
    size_t len, cap;
    int oom; /* set once an allocation failed; later puts are ignored */
} rf_buf;

int rf_reserve(rf_buf *b, size_t extra); /* 0, or -1 (and oom set) */
void rf_put(rf_buf *b, const void *p, size_t n);
void rf_putc(rf_buf *b, uint8_t c);
void rf_puts(rf_buf *b, const char *s);
void rf_printf(rf_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(2, 3)
#endif
    ;
void rf_put_u16(rf_buf *b, uint16_t u); /* little-endian */
void rf_put_utf8(rf_buf *b, uint32_t cp);
void rf_put_utf16(rf_buf *b, uint32_t cp); /* one code point as UTF-16LE */
/* Terminate with a NUL (not counted in len) and hand the buffer over. */
char *rf_take_str(rf_buf *b);
void rf_free(rf_buf *b);

/* Decode one UTF-8 code point of s[*i..n): returns it and advances *i, or
 * returns -1 (and advances *i by one byte) for an invalid sequence
 * (overlong, surrogate, above U+10FFFF, truncated). */
int32_t rf_utf8_next(const uint8_t *s, size_t n, size_t *i);
/* Decode one code point of UTF-16 units p[*i..n) (little-endian bytes):
 * -1 for an unpaired surrogate (advancing one unit). */
int32_t rf_utf16_next(const uint8_t *p, size_t nunits, size_t *i);
/* UTF-8 text to UTF-16LE appended to b; -1 when s is not valid UTF-8. */
int rf_utf8_to_utf16le(rf_buf *b, const char *s, size_t n);
/* Number of UTF-16 units of valid UTF-8 text (invalid bytes count as 1). */
size_t rf_utf16_units(const char *s, size_t n);
/* Windows-1252 byte to Unicode (undefined bytes map to the same number,
 * as MultiByteToWideChar does). */
uint32_t rf_cp1252(uint8_t c);

int rf_hexval(int c); /* 0..15 or -1 */

#endif
