/* Key and value names: UTF-8 at the API, Latin-1 ("compressed") or UTF-16LE
 * in the hive; comparison, lh hashes and lf hints by Windows' uppercase. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

int bf_name_cmp(bf_name a, bf_name b)
{
    size_t na = bf_name_units(a), nb = bf_name_units(b), n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        uint16_t ca = bf_upcase(bf_name_unit(a, i)), cb = bf_upcase(bf_name_unit(b, i));
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

uint32_t bf_name_lh_hash(bf_name n)
{
    uint32_t h = 0;
    size_t units = bf_name_units(n);
    for (size_t i = 0; i < units; i++)
        h = h * 37u + bf_upcase(bf_name_unit(n, i));
    return h;
}

void bf_name_lf_hint(bf_name n, uint8_t hint[4])
{
    /* First 4 characters as extended ASCII; a name whose first characters do
     * not all fit in a byte gets a zero hint (regf spec, "Fast leaf"). */
    size_t units = bf_name_units(n);
    memset(hint, 0, 4);
    for (size_t i = 0; i < 4 && i < units; i++) {
        uint16_t c = bf_name_unit(n, i);
        if (c > 0xFF) {
            memset(hint, 0, 4);
            return;
        }
        hint[i] = (uint8_t)c;
    }
}

/* Decode one UTF-8 sequence; returns bytes used or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    int n;
    uint32_t c, min;
    if ((s[0] & 0xE0) == 0xC0) { n = 1; c = s[0] & 0x1F; min = 0x80; }
    else if ((s[0] & 0xF0) == 0xE0) { n = 2; c = s[0] & 0x0F; min = 0x800; }
    else if ((s[0] & 0xF8) == 0xF0) { n = 3; c = s[0] & 0x07; min = 0x10000; }
    else return 0;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    /* Surrogate code points are accepted (WTF-8): a name holding an unpaired
     * UTF-16 surrogate reads back as one and can be looked up again. */
    if (c < min || c > 0x10FFFF)
        return 0;
    *cp = c;
    return (size_t)n + 1;
}

int bf_utf8_to_utf16(const char *s, uint16_t **units, size_t *n, bf_error *err)
{
    size_t len = strlen(s);
    uint16_t *u = bf_malloc((len + 1) * sizeof *u);
    if (!u)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t used = utf8_decode((const unsigned char *)s + i, &cp);
        if (!used) {
            free(u);
            return bf_fail(err, BF_ERR_INVALID, "name \"%s\": invalid UTF-8 at byte %zu", s, i);
        }
        i += used;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            u[k++] = (uint16_t)(0xD800 + (cp >> 10));
            u[k++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            u[k++] = (uint16_t)cp;
        }
    }
    *units = u;
    *n = k;
    return BF_OK;
}

int bf_name_from_utf8(const char *s, uint8_t **bytes, size_t *len, int *comp, bf_error *err)
{
    uint16_t *u;
    size_t n;
    int rc = bf_utf8_to_utf16(s, &u, &n, err);
    if (rc)
        return rc;
    int c = 1;
    for (size_t i = 0; i < n; i++)
        if (u[i] > 0xFF)
            c = 0;
    uint8_t *b = bf_malloc(n * 2 + 1);
    if (!b) {
        free(u);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (c)
            b[i] = (uint8_t)u[i];
        else
            wr16(b + 2 * i, u[i]);
    }
    free(u);
    *bytes = b;
    *len = c ? n : n * 2;
    *comp = c;
    return BF_OK;
}

static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Convert `n` UTF-16 (or Latin-1) code units to UTF-8 in `o` (room for
 * 3 * n + 1 bytes); returns the length.  An unpaired surrogate becomes its
 * own 3-byte sequence (WTF-8) rather than U+FFFD, so that distinct names
 * stay distinct and convert back to the same units. */
size_t bf_units_to_utf8_buf(const uint8_t *p, size_t n, int comp, char *o)
{
    size_t k = 0;
    if (comp) { /* Latin-1: one byte below 0x80, else two */
        for (size_t i = 0; i < n; i++) {
            uint64_t w;
            if (i + 8 <= n && (memcpy(&w, p + i, 8), (w & 0x8080808080808080ull) == 0)) {
                memcpy(o + k, &w, 8); /* eight ASCII characters at once */
                k += 8;
                i += 7;
                continue;
            }
            uint8_t c = p[i];
            if (c < 0x80) {
                o[k++] = (char)c;
            } else {
                o[k++] = (char)(0xC0 | (c >> 6));
                o[k++] = (char)(0x80 | (c & 0x3F));
            }
        }
        o[k] = 0;
        return k;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t c = rd16(p + 2 * i);
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n) {
            uint32_t d = rd16(p + 2 * (i + 1));
            if (d >= 0xDC00 && d < 0xE000) {
                c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                i++;
            }
        }
        k += utf8_put(o + k, c);
    }
    o[k] = 0;
    return k;
}

static char *units_to_utf8(const uint8_t *p, size_t n, int comp, size_t *outlen)
{
    char *o = bf_malloc(n * 3 + 1);
    if (!o)
        return NULL;
    size_t k = bf_units_to_utf8_buf(p, n, comp, o);
    if (outlen)
        *outlen = k;
    return o;
}

char *bf_name_to_utf8(bf_name n) { return units_to_utf8(n.p, bf_name_units(n), n.comp, NULL); }

char *bf_utf16le_to_utf8(const uint8_t *p, size_t len, size_t *outlen)
{
    return units_to_utf8(p, len / 2, 0, outlen);
}
