/* GUIDs: text form, Windows byte layout, random generation. */
#include "internal.h"

#include "io/io.h"

#include <stdio.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* exactly `n` hex digits at p into *v */
static int hexn(const char *p, int n, uint64_t *v)
{
    uint64_t x = 0;
    for (int i = 0; i < n; i++) {
        int d = hexval((unsigned char)p[i]);
        if (d < 0) return -1;
        x = (x << 4) | (uint64_t)d;
    }
    *v = x;
    return 0;
}

/* 36 characters "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
static int parse36(const char *p, bf_guid *g)
{
    static const int dash[] = {8, 13, 18, 23};
    for (int i = 0; i < 4; i++)
        if (p[dash[i]] != '-') return -1;
    uint64_t a, b, c, d, e;
    if (hexn(p, 8, &a) || hexn(p + 9, 4, &b) || hexn(p + 14, 4, &c) || hexn(p + 19, 4, &d) ||
        hexn(p + 24, 12, &e))
        return -1;
    g->d1 = (uint32_t)a;
    g->d2 = (uint16_t)b;
    g->d3 = (uint16_t)c;
    g->d4[0] = (uint8_t)(d >> 8);
    g->d4[1] = (uint8_t)d;
    for (int i = 0; i < 6; i++) g->d4[2 + i] = (uint8_t)(e >> (8 * (5 - i)));
    return 0;
}

int bf_guid_parse(const char *s, bf_guid *g)
{
    if (!s || strlen(s) != 38 || s[0] != '{' || s[37] != '}') return -1;
    bf_guid t;
    if (parse36(s + 1, &t)) return -1;
    *g = t;
    return 0;
}

int bcd_guid_parse_loose(const char *s, size_t len, bf_guid *g)
{
    bf_guid t;
    if (len == 38 && s[0] == '{' && s[37] == '}') {
        if (parse36(s + 1, &t)) return -1;
    } else if (len == 36) {
        if (parse36(s, &t)) return -1;
    } else {
        return -1;
    }
    *g = t;
    return 0;
}

void bf_guid_format(const bf_guid *g, char out[BF_GUID_TEXT])
{
    snprintf(out, BF_GUID_TEXT, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
             (unsigned)g->d1, (unsigned)g->d2, (unsigned)g->d3, g->d4[0], g->d4[1], g->d4[2],
             g->d4[3], g->d4[4], g->d4[5], g->d4[6], g->d4[7]);
}

void bf_guid_to_bytes(const bf_guid *g, uint8_t out[16])
{
    wr32(out, g->d1);
    wr16(out + 4, g->d2);
    wr16(out + 6, g->d3);
    memcpy(out + 8, g->d4, 8);
}

void bf_guid_from_bytes(const uint8_t in[16], bf_guid *g)
{
    g->d1 = rd32(in);
    g->d2 = rd16(in + 4);
    g->d3 = rd16(in + 6);
    memcpy(g->d4, in + 8, 8);
}

int bf_guid_equal(const bf_guid *a, const bf_guid *b)
{
    return a->d1 == b->d1 && a->d2 == b->d2 && a->d3 == b->d3 && memcmp(a->d4, b->d4, 8) == 0;
}

int bf_guid_is_null(const bf_guid *g)
{
    static const bf_guid zero;
    return bf_guid_equal(g, &zero);
}

int bf_guid_random(bf_guid *g, bf_error *err)
{
    uint8_t b[16];
    int rc = bf_io_random(b, sizeof b);
    if (rc) return bf_fail_sys(err, rc, "cannot get random bytes for a new GUID");
    b[7] = (uint8_t)((b[7] & 0x0F) | 0x40); /* version 4 (high nibble of d3) */
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    bf_guid_from_bytes(b, g);
    return BF_OK;
}
