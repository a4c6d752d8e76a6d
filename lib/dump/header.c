/*
 * header.c — decode the header of a Windows kernel crash dump (PAGEDU64 /
 * PAGEDUMP) from the first bytes of a file.  Every read is bounds-checked
 * against the bytes given; fields beyond them, and fields holding the
 * "PAGE" fill pattern, read as 0.
 */
#include "dump/internal.h"
#include "hive/internal.h"

#include <stdio.h>
#include <string.h>

/* u32 at off, 0 when beyond len or equal to the fill pattern */
static uint32_t field32(const uint8_t *buf, size_t len, size_t off)
{
    if (off > len || len - off < 4)
        return 0;
    uint32_t v = rd32(buf + off);
    return v == DMP_UNSET ? 0 : v;
}

/* u64 at off, 0 when beyond len or "PAGEPAGE" (both halves unset) */
static uint64_t field64(const uint8_t *buf, size_t len, size_t off)
{
    if (off > len || len - off < 8)
        return 0;
    if (rd32(buf + off) == DMP_UNSET && rd32(buf + off + 4) == DMP_UNSET)
        return 0;
    return rd64(buf + off);
}

static const char *dump_type_name(uint32_t t)
{
    static const char *const names[] = {
        "unknown", "full", "kernel", "header only", "small (triage)",
        "bitmap full", "bitmap kernel", "automatic",
    };
    return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

static const char *machine_name(uint32_t m)
{
    switch (m) {
    case 0x8664: return "x64";
    case 0x014C: return "x86";
    case 0xAA64: return "ARM64";
    case 0x01C4: return "ARM";
    default: return NULL;
    }
}

/* Printable description of the first bytes, for "not a dump" messages. */
static void describe_start(const uint8_t *buf, size_t len, char *out, size_t outlen)
{
    size_t n = len < 8 ? len : 8, i, zeros = 0;
    char text[9], hex[3 * 8 + 1];
    for (i = 0; i < n; i++) {
        text[i] = (buf[i] >= 0x20 && buf[i] < 0x7F) ? (char)buf[i] : '.';
        snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", buf[i]);
        zeros += buf[i] == 0;
    }
    text[n] = '\0';
    hex[n ? 3 * n - 1 : 0] = '\0';
    if (n == 0)
        snprintf(out, outlen, "it is empty");
    else if (zeros == n)
        snprintf(out, outlen, "it starts with %zu zero bytes", n);
    else
        snprintf(out, outlen, "it starts with \"%s\" (%s)", text, hex);
}

static void decode64(const uint8_t *b, size_t len, bf_dump_info *o)
{
    o->kind = BF_DUMP_KERNEL64;
    o->major = field32(b, len, D64_MAJOR);
    o->minor = field32(b, len, D64_MINOR);
    o->machine = field32(b, len, D64_MACHINE);
    o->processors = field32(b, len, D64_NPROC);
    o->bugcheck = field32(b, len, D64_BUGCHECK);
    for (int i = 0; i < 4; i++)
        o->param[i] = field64(b, len, D64_PARAM1 + 8 * (size_t)i);
    o->dump_type = field32(b, len, D64_DUMPTYPE);
    o->required_space = field64(b, len, D64_REQUIRED);
    o->crash_time = field64(b, len, D64_TIME);
}

static void decode32(const uint8_t *b, size_t len, bf_dump_info *o)
{
    o->kind = BF_DUMP_KERNEL32;
    o->major = field32(b, len, D32_MAJOR);
    o->minor = field32(b, len, D32_MINOR);
    o->machine = field32(b, len, D32_MACHINE);
    o->processors = field32(b, len, D32_NPROC);
    o->bugcheck = field32(b, len, D32_BUGCHECK);
    for (int i = 0; i < 4; i++)
        o->param[i] = field32(b, len, D32_PARAM1 + 4 * (size_t)i);
    o->dump_type = field32(b, len, D32_DUMPTYPE);
    o->required_space = field64(b, len, D32_REQUIRED);
    o->crash_time = field64(b, len, D32_TIME);
}

/* DumpType 5/6 (64-bit): a bitmap header "SDMP"/"FDMP" + "DUMP" at 0x2000. */
static void check_bitmap(const uint8_t *b, size_t len, bf_dump_info *o)
{
    if (o->kind != BF_DUMP_KERNEL64 || (o->dump_type != 5 && o->dump_type != 6))
        return;
    if (len < DMP_BITMAP_OFF + 8)
        return; /* not read: nothing to say */
    const uint8_t *p = b + DMP_BITMAP_OFF;
    const char *want = o->dump_type == 5 ? "FDMP" : "SDMP";
    int sdmp = memcmp(p, "SDMP", 4) == 0, fdmp = memcmp(p, "FDMP", 4) == 0;
    if ((!sdmp && !fdmp) || memcmp(p + 4, "DUMP", 4) != 0)
        snprintf(o->problem, sizeof o->problem,
                 "DumpType %u (%s) but no %sDUMP bitmap header at offset 0x2000",
                 o->dump_type, o->dump_type_name, want);
    else if (memcmp(p, want, 4) != 0)
        snprintf(o->problem, sizeof o->problem,
                 "DumpType %u (%s) but the bitmap header at offset 0x2000 is %.4s, not %s",
                 o->dump_type, o->dump_type_name, (const char *)p, want);
}

int bf_dump_decode(const uint8_t *buf, size_t len, bf_dump_info *out, bf_error *err)
{
    char what[96];
    if (!out)
        return bf_fail(err, BF_ERR_INVALID, "bf_dump_decode: no output");
    memset(out, 0, sizeof *out);
    out->dump_type_name = "unknown";
    if (!buf)
        len = 0;
    if (len >= 4 && memcmp(buf, "MDMP", 4) == 0) {
        out->kind = BF_DUMP_USER;
        snprintf(out->problem, sizeof out->problem,
                 "user-mode minidump, not a kernel crash dump");
        return BF_OK;
    }
    if (len >= 8 && memcmp(buf, "PAGEDU64", 8) == 0) {
        decode64(buf, len, out);
    } else if (len >= 8 && memcmp(buf, "PAGEDUMP", 8) == 0) {
        decode32(buf, len, out);
    } else {
        describe_start(buf, len, what, sizeof what);
        if (len < 8 && len > 0 &&
            (memcmp(buf, "PAGEDU64", len) == 0 || memcmp(buf, "PAGEDUMP", len) == 0))
            return bf_fail(err, BF_ERR_FORMAT,
                           "not a crash dump: only %zu bytes, too short for a dump header", len);
        return bf_fail(err, BF_ERR_FORMAT,
                       "not a crash dump: no PAGEDU64/PAGEDUMP/MDMP signature (%s)", what);
    }
    out->dump_type_name = dump_type_name(out->dump_type);
    out->bugcheck_name = bf_bugcheck_name(out->bugcheck);
    out->machine_name = machine_name(out->machine);
    bf_dump_note_params(out);
    size_t hsize = out->kind == BF_DUMP_KERNEL64 ? BF_DUMP_HEADER64_SIZE : BF_DUMP_HEADER32_SIZE;
    if (len < hsize)
        snprintf(out->problem, sizeof out->problem,
                 "header truncated: %zu of 0x%zx bytes read; later fields are missing", len,
                 hsize);
    else
        check_bitmap(buf, len, out);
    return BF_OK;
}
