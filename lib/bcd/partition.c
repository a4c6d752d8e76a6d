/* Partition identities as text: "gpt:{disk}:{partition}" and "mbr:SIG:OFFSET". */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int has_prefix_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (lower((unsigned char)*s) != *prefix) return 0;
    return 1;
}

static int hexdigit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* "gpt:" already skipped: "{disk}:{part}" (braces optional). */
static int parse_gpt(const char *text, const char *s, bf_bcd_partition *p, bf_error *err)
{
    const char *colon = strchr(s, ':');
    if (!colon)
        return bf_fail(err, BF_ERR_INVALID,
                       "partition \"%s\": expected gpt:{disk-guid}:{partition-guid}", text);
    bf_guid disk, part;
    if (bcd_guid_parse_loose(s, (size_t)(colon - s), &disk))
        return bf_fail(err, BF_ERR_INVALID, "partition \"%s\": the disk GUID \"%.*s\" is not a GUID",
                       text, (int)(colon - s), s);
    const char *ps = colon + 1;
    if (bcd_guid_parse_loose(ps, strlen(ps), &part))
        return bf_fail(err, BF_ERR_INVALID,
                       "partition \"%s\": the partition GUID \"%s\" is not a GUID", text, ps);
    memset(p, 0, sizeof *p);
    p->style = BF_BCD_PART_GPT;
    p->disk = disk;
    p->part = part;
    return BF_OK;
}

/* Offset in bytes: decimal or 0x-hex, whole string, no overflow. */
static int parse_offset(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s) return -1;
    for (; *s; s++) {
        int d = base == 16 ? hexdigit((unsigned char)*s)
                           : (*s >= '0' && *s <= '9' ? *s - '0' : -1);
        if (d < 0) return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / base) return -1;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* "mbr:" already skipped: "SIGNATURE:OFFSET". */
static int parse_mbr(const char *text, const char *s, bf_bcd_partition *p, bf_error *err)
{
    uint32_t sig = 0;
    for (int i = 0; i < 8; i++) {
        int d = hexdigit((unsigned char)s[i]);
        if (d < 0)
            return bf_fail(err, BF_ERR_INVALID,
                           "partition \"%s\": the disk signature must be exactly 8 hex digits "
                           "(mbr:SIGNATURE:OFFSET, e.g. mbr:43da9ab1:0x100000)",
                           text);
        sig = (sig << 4) | (uint32_t)d;
    }
    if (s[8] != ':')
        return bf_fail(err, BF_ERR_INVALID,
                       "partition \"%s\": expected mbr:SIGNATURE:OFFSET with an 8-hex-digit "
                       "signature, e.g. mbr:43da9ab1:0x100000",
                       text);
    uint64_t off;
    if (parse_offset(s + 9, &off))
        return bf_fail(err, BF_ERR_INVALID,
                       "partition \"%s\": the offset \"%s\" is not a byte offset (decimal or 0x-hex)",
                       text, s + 9);
    memset(p, 0, sizeof *p);
    p->style = BF_BCD_PART_MBR;
    p->mbr_signature = sig;
    p->mbr_offset = off;
    return BF_OK;
}

int bf_bcd_partition_parse(const char *s, bf_bcd_partition *p, bf_error *err)
{
    if (!s || !p) return bf_fail(err, BF_ERR_INVALID, "partition identity: no text");
    if (has_prefix_ci(s, "gpt:")) return parse_gpt(s, s + 4, p, err);
    if (has_prefix_ci(s, "mbr:")) return parse_mbr(s, s + 4, p, err);
    return bf_fail(err, BF_ERR_INVALID,
                   "partition \"%s\": expected gpt:{disk-guid}:{partition-guid} or "
                   "mbr:SIGNATURE:OFFSET",
                   s);
}

void bf_bcd_partition_format(const bf_bcd_partition *p, char *out, size_t len)
{
    if (!out || !len) return;
    if (p->style == BF_BCD_PART_GPT) {
        char d[BF_GUID_TEXT], q[BF_GUID_TEXT];
        bf_guid_format(&p->disk, d);
        bf_guid_format(&p->part, q);
        snprintf(out, len, "gpt:%s:%s", d, q);
    } else {
        snprintf(out, len, "mbr:%08" PRIx32 ":0x%" PRIx64, p->mbr_signature, p->mbr_offset);
    }
}
