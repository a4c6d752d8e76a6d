/*
 * Device elements (format 1): checking the bytes and showing them as bcdedit
 * text.  Layout: ../shared/reference/bcd-elements.md §4.2.
 *
 * Descriptors nest (ramdisk -> partition, locate -> vhd -> partition); every
 * nested descriptor must lie inside its parent, and nesting is limited to
 * DEV_MAX_DEPTH levels, so no crafted value can drive a deep recursion.
 */
#include "internal.h"
#include "device_layout.h"
#include "hive/regfile_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- checking ------------------------------------------------------------------------- */

static int why_fail(char *why, size_t wl, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;

static int why_fail(char *why, size_t wl, const char *fmt, ...)
{
    if (why && wl) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, wl, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int check_desc(const uint8_t *b, size_t off, size_t size, int depth, char *why,
                      size_t wl);

/* A descriptor nested at `off` with `avail` bytes left in its parent. */
static int check_nested(const uint8_t *b, size_t off, size_t avail, int depth, char *why,
                        size_t wl)
{
    if (avail < DEV_HDR)
        return why_fail(why, wl,
                        "nested device at offset 0x%zx: only %zu bytes left in its parent, "
                        "less than a 16-byte descriptor header",
                        off, avail);
    uint32_t size = rd32(b + off + D_SIZE);
    if (size < DEV_HDR || size > avail)
        return why_fail(why, wl,
                        "nested device at offset 0x%zx: size 0x%x is outside its parent "
                        "(0x10..0x%zx bytes available)",
                        off, (unsigned)size, avail);
    return check_desc(b, off, size, depth + 1, why, wl);
}

static int need(size_t size, size_t min, size_t off, const char *what, char *why, size_t wl)
{
    if (size >= min) return 0;
    return why_fail(why, wl, "%s device at offset 0x%zx: size 0x%zx is too small (needs 0x%zx)",
                    what, off, size, min);
}

static int check_desc(const uint8_t *b, size_t off, size_t size, int depth, char *why,
                      size_t wl)
{
    if (depth > DEV_MAX_DEPTH)
        return why_fail(why, wl, "device at offset 0x%zx: nested more than %d levels deep", off,
                        DEV_MAX_DEPTH);
    uint32_t type = rd32(b + off);
    if (type == DT_DISK) {
        if (need(size, D_LOCAL_TYPE + 4, off, "local", why, wl)) return -1;
        uint32_t lt = rd32(b + off + D_LOCAL_TYPE);
        size_t nest = lt == LT_RAMDISK ? RD_NESTED : lt == LT_VHD ? VHD_NESTED : 0;
        if (!nest) return 0;
        if (need(size, nest + DEV_HDR, off, lt == LT_RAMDISK ? "ramdisk" : "vhd", why, wl))
            return -1;
        return check_nested(b, off + nest, size - nest, depth, why, wl);
    }
    if (type == DT_PARTITION) return need(size, PART_SIZE, off, "partition", why, wl);
    if (type == DT_LOCATE) {
        if (need(size, LOC_PATH, off, "locate", why, wl)) return -1;
        uint32_t parent = rd32(b + off + LOC_PARENT);
        if (!parent) return 0;
        if (parent < LOC_PATH || parent > size)
            return why_fail(why, wl,
                            "locate device at offset 0x%zx: parent offset 0x%x is outside the "
                            "device (0x%x..0x%zx)",
                            off, (unsigned)parent, LOC_PATH, size);
        return check_nested(b, off + parent, size - parent, depth, why, wl);
    }
    return 0; /* boot and other types: no nested data */
}

int bf_bcd_device_check(const uint8_t *data, size_t len, char *why, size_t whylen)
{
    if (why && whylen) why[0] = 0;
    if (!data && len) return why_fail(why, whylen, "no device data");
    if (len < DEV_OPTIONS + DEV_HDR)
        return why_fail(why, whylen,
                        "device data is %zu bytes, less than the 32 bytes of options GUID and "
                        "descriptor header",
                        len);
    uint64_t size = rd32(data + DEV_OPTIONS + D_SIZE);
    if (size + DEV_OPTIONS != len)
        return why_fail(why, whylen,
                        "device data is %zu bytes but the descriptor size at offset 0x18 says "
                        "0x%llx (+16 = %llu bytes)",
                        len, (unsigned long long)size, (unsigned long long)(size + DEV_OPTIONS));
    return check_desc(data, DEV_OPTIONS, (size_t)size, 0, why, whylen);
}

/* ---- text ---------------------------------------------------------------------------------- */

typedef struct dctx {
    const uint8_t *b;
    const bf_bcd_drive_map *map;
    unsigned flags;
    bf_bcd_locate_cb cb;
    void *cbctx;
} dctx;

/* UTF-16LE text in [start, end), up to the first NUL. */
static void put_path(rf_buf *s, const uint8_t *b, size_t start, size_t end)
{
    size_t n = 0;
    while (start + 2 * n + 2 <= end && rd16(b + start + 2 * n)) n++;
    if (!n) return;
    size_t olen;
    char *u = bf_utf16le_to_utf8(b + start, 2 * n, &olen);
    if (!u) {
        s->oom = 1;
        return;
    }
    rf_put(s, u, olen);
    free(u);
}

static int same_partition(const bf_bcd_partition *a, const bf_bcd_partition *b)
{
    if (a->style != b->style) return 0;
    if (a->style == BF_BCD_PART_GPT)
        return bf_guid_equal(&a->disk, &b->disk) && bf_guid_equal(&a->part, &b->part);
    return a->mbr_signature == b->mbr_signature && a->mbr_offset == b->mbr_offset;
}

static char drive_of(const bf_bcd_drive_map *map, const bf_bcd_partition *p)
{
    if (!map || !map->drives) return 0;
    for (size_t i = 0; i < map->count; i++)
        if (same_partition(&map->drives[i].part, p)) {
            char c = map->drives[i].letter;
            return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
        }
    return 0;
}

/* Partition identity of a type-6 descriptor; -1 when not a disk partition
 * this code knows (another partition style or parent disk type). */
static int read_partition(const uint8_t *d, bf_bcd_partition *p)
{
    memset(p, 0, sizeof *p);
    if (rd32(d + PART_DISK_TYPE) != 0) return -1;
    uint32_t style = rd32(d + PART_STYLE);
    if (style == 0) {
        p->style = BF_BCD_PART_GPT;
        bf_guid_from_bytes(d + PART_ID, &p->part);
        bf_guid_from_bytes(d + PART_DISK, &p->disk);
        return 0;
    }
    if (style == 1) {
        p->style = BF_BCD_PART_MBR;
        p->mbr_offset = rd64(d + PART_ID);
        p->mbr_signature = rd32(d + PART_DISK);
        return 0;
    }
    return -1;
}

static void put_unknown_type(rf_buf *s, uint32_t type)
{
    char t[48];
    snprintf(t, sizeof t, "unknown (device type %u)", (unsigned)type);
    rf_puts(s, t);
}

static void desc_text(const dctx *c, size_t off, size_t size, int depth, int nested, rf_buf *s);

static void put_partition(const dctx *c, size_t off, int nested, rf_buf *s)
{
    bf_bcd_partition p;
    if (read_partition(c->b + off, &p)) {
        put_unknown_type(s, DT_PARTITION);
        return;
    }
    char letter = drive_of(c->map, &p);
    char id[128];
    if (letter) {
        snprintf(id, sizeof id, "%s%c:", nested ? "" : "partition=", letter);
        rf_puts(s, id);
        return;
    }
    bf_bcd_partition_format(&p, id, sizeof id);
    if (nested) {
        rf_puts(s, id);
        return;
    }
    rf_puts(s, "unknown (");
    rf_puts(s, id);
    rf_puts(s, ")");
}

/* "[PARENT]PATH" of a ramdisk or vhd: nested device at off+nest, path after it. */
static void put_file(const dctx *c, size_t off, size_t size, size_t nest, int depth, rf_buf *s)
{
    size_t noff = off + nest;
    size_t nsize = rd32(c->b + noff + D_SIZE);
    rf_puts(s, "[");
    desc_text(c, noff, nsize, depth + 1, 1, s);
    rf_puts(s, "]");
    put_path(s, c->b, noff + nsize, off + size);
}

static void put_options(const dctx *c, rf_buf *s)
{
    bf_guid g;
    bf_guid_from_bytes(c->b, &g);
    if (bf_guid_is_null(&g)) return;
    const char *alias = (c->flags & BF_BCD_VERBOSE) ? NULL : bf_bcd_alias_name(&g);
    char t[BF_GUID_TEXT];
    if (!alias) {
        bf_guid_format(&g, t);
        alias = t;
    }
    rf_puts(s, ",");
    rf_puts(s, alias);
}

static void put_local(const dctx *c, size_t off, size_t size, int depth, int nested, rf_buf *s)
{
    uint32_t lt = rd32(c->b + off + D_LOCAL_TYPE);
    if (lt == LT_RAMDISK) {
        rf_puts(s, "ramdisk=");
        put_file(c, off, size, RD_NESTED, depth, s);
        if (!nested) put_options(c, s);
    } else if (lt == LT_VHD) {
        rf_puts(s, "vhd=");
        put_file(c, off, size, VHD_NESTED, depth, s);
    } else {
        put_unknown_type(s, DT_DISK);
    }
}

static void put_locate(const dctx *c, size_t off, size_t size, int depth, rf_buf *s)
{
    uint32_t parent = rd32(c->b + off + LOC_PARENT);
    if (parent) {
        size_t poff = off + parent;
        if (rd32(c->b + poff) == DT_DISK && rd32(c->b + poff + D_SIZE) >= D_LOCAL_TYPE + 4 &&
            rd32(c->b + poff + D_LOCAL_TYPE) == LT_VHD) {
            desc_text(c, poff, rd32(c->b + poff + D_SIZE), depth + 1, 1, s);
            return;
        }
    }
    rf_puts(s, "locate=");
    size_t before = s->len;
    put_path(s, c->b, off + LOC_PATH, off + (parent ? parent : size));
    if (s->len != before || s->oom) return;
    const char *v = c->cb ? c->cb(c->cbctx, rd32(c->b + off + LOC_ELEMENT)) : NULL;
    rf_puts(s, v && *v ? v : "unknown");
}

/* Text of the descriptor at off (already checked).  `nested`: inside the
 * brackets of a ramdisk or vhd, where partitions are "C:" or an identity. */
static void desc_text(const dctx *c, size_t off, size_t size, int depth, int nested, rf_buf *s)
{
    uint32_t type = rd32(c->b + off);
    if (depth > DEV_MAX_DEPTH) {
        put_unknown_type(s, type);
        return;
    }
    switch (type) {
    case DT_BOOT: rf_puts(s, "boot"); break;
    case DT_PARTITION: put_partition(c, off, nested, s); break;
    case DT_DISK: put_local(c, off, size, depth, nested, s); break;
    case DT_LOCATE: put_locate(c, off, size, depth, s); break;
    default: put_unknown_type(s, type); break;
    }
}

int bf_bcd_device_to_text(const uint8_t *data, size_t len, const bf_bcd_drive_map *map,
                          unsigned flags, bf_bcd_locate_cb cb, void *ctx, char **text,
                          bf_error *err)
{
    if (!text) return bf_fail(err, BF_ERR_INVALID, "device: no output pointer");
    *text = NULL;
    char why[256];
    if (bf_bcd_device_check(data, len, why, sizeof why))
        return bf_fail(err, BF_ERR_FORMAT, "device data invalid: %s", why);
    dctx c = {data, map, flags, cb, ctx};
    rf_buf s = {0};
    desc_text(&c, DEV_OPTIONS, len - DEV_OPTIONS, 0, 0, &s);
    *text = rf_take_str(&s);
    if (!*text)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory formatting a device");
    return BF_OK;
}
