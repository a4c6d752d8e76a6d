/*
 * Device elements (format 1): bcdedit device syntax to the bytes bcdedit
 * stores.  Layout: ../shared/reference/bcd-elements.md §4.2; the byte
 * layouts below reproduce real bcdedit-written values (ntloader_utils_bcd,
 * win10iso_boot_bcd, winefi and windeploy stores of the corpus).
 */
#include "io/io.h"
#include "internal.h"
#include "device_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH_UNITS 32767u

/* The device a ramdisk or vhd file lives on (or a partition= device). */
typedef struct target {
    int boot;
    bf_bcd_partition part;
} target;

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Case-insensitive keyword at the start of s; *rest gets what follows. */
static int keyword(const char *s, const char *kw, const char **rest)
{
    size_t i = 0;
    for (; kw[i]; i++)
        if (lower((unsigned char)s[i]) != kw[i]) return 0;
    if (rest) *rest = s + i;
    return 1;
}

static int lookup_drive(const char *text, char letter, const bf_bcd_drive_map *map,
                        bf_bcd_partition *p, bf_error *err)
{
    int up = lower((unsigned char)letter) - 'a' + 'A';
    if (map && map->drives)
        for (size_t i = 0; i < map->count; i++)
            if (lower((unsigned char)map->drives[i].letter) - 'a' + 'A' == up) {
                *p = map->drives[i].part;
                return BF_OK;
            }
    return bf_fail(err, BF_ERR_INVALID,
                   "device \"%s\": an offline tool cannot know which partition drive %c: is "
                   "(drive letters exist only in the running Windows); name the partition as "
                   "gpt:{disk-guid}:{partition-guid} or mbr:SIGNATURE:OFFSET (e.g. "
                   "partition=mbr:43da9ab1:0x100000), or map the letter (bootfix bcdedit --drive %c:=gpt:... or "
                   "%c:=mbr:...)",
                   text, up, up, up);
}

/* s[0..n) is "boot", "X:" or a gpt:/mbr: identity. */
static int parse_target(const char *text, const char *s, size_t n, int allow_boot,
                        const bf_bcd_drive_map *map, target *t, bf_error *err)
{
    memset(t, 0, sizeof *t);
    if (allow_boot && n == 4 && keyword(s, "boot", NULL)) {
        t->boot = 1;
        return BF_OK;
    }
    if (n == 2 && s[1] == ':' && lower((unsigned char)s[0]) >= 'a' &&
        lower((unsigned char)s[0]) <= 'z')
        return lookup_drive(text, s[0], map, &t->part, err);
    if (n >= 4 && (keyword(s, "gpt:", NULL) || keyword(s, "mbr:", NULL))) {
        char *id = bf_malloc(n + 1);
        if (!id) return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        memcpy(id, s, n);
        id[n] = 0;
        bf_error e2;
        int rc = bf_bcd_partition_parse(id, &t->part, &e2);
        free(id);
        if (rc) return bf_fail(err, rc, "device \"%s\": %s", text, e2.msg);
        return BF_OK;
    }
    return bf_fail(err, BF_ERR_INVALID,
                   "device \"%s\": \"%.*s\" is not a device this tool can name offline; use %sa "
                   "drive letter from the drive map (C:), gpt:{disk-guid}:{partition-guid} or "
                   "mbr:SIGNATURE:OFFSET",
                   text, (int)(n > 200 ? 200 : n), s, allow_boot ? "boot, " : "");
}

static void put_header(uint8_t *d, uint32_t type, uint32_t flags, size_t size)
{
    wr32(d, type);
    wr32(d + 4, flags);
    wr32(d + 8, (uint32_t)size);
    wr32(d + 12, 0);
}

/* A boot or partition descriptor, TARGET_SIZE bytes (zeroed by the caller). */
static void put_target(uint8_t *d, const target *t)
{
    if (t->boot) {
        put_header(d, DT_BOOT, 0, TARGET_SIZE);
        return;
    }
    put_header(d, DT_PARTITION, 0, TARGET_SIZE);
    if (t->part.style == BF_BCD_PART_GPT) {
        bf_guid_to_bytes(&t->part.part, d + PART_ID);
        wr32(d + PART_STYLE, 0);
        bf_guid_to_bytes(&t->part.disk, d + PART_DISK);
    } else {
        wr64(d + PART_ID, t->part.mbr_offset);
        wr32(d + PART_STYLE, 1);
        wr32(d + PART_DISK, t->part.mbr_signature);
    }
}

/* UTF-16 units of a path (no NUL); empty allowed only when `may_be_empty`. */
static int path_units(const char *text, const char *path, int may_be_empty, uint16_t **u,
                      size_t *n, bf_error *err)
{
    if (!*path && !may_be_empty)
        return bf_fail(err, BF_ERR_INVALID, "device \"%s\": the file path is missing", text);
    bf_error e2;
    int rc = bf_utf8_to_utf16(path, u, n, &e2);
    if (rc) return bf_fail(err, rc, "device \"%s\": %s", text, e2.msg);
    if (*n > MAX_PATH_UNITS) {
        free(*u);
        *u = NULL;
        return bf_fail(err, BF_ERR_LIMIT, "device \"%s\": the path is longer than %u characters",
                       text, MAX_PATH_UNITS);
    }
    return BF_OK;
}

static void put_units(uint8_t *p, const uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n; i++) wr16(p + 2 * i, u[i]);
    wr16(p + 2 * n, 0);
}

static int alloc_out(size_t len, uint8_t **data, size_t *outlen, bf_error *err)
{
    *data = bf_calloc(1, len);
    if (!*data) return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    *outlen = len;
    return BF_OK;
}

/* Element whose value names the file a locate device looks for: the path
 * element of the device element's class (as bcdedit writes it). */
static int locate_element(const char *text, uint32_t code, uint32_t *el, bf_error *err)
{
    uint32_t cls = BF_BCD_CLASS(code);
    if (cls == 1 || cls == 2) {
        *el = (cls << 28) | 0x02000002u;
        return BF_OK;
    }
    return bf_fail(err, BF_ERR_INVALID,
                   "device \"%s\" for element %08x: locate and vhd devices refer to the path "
                   "element of an application (class 1 or 2 elements such as device and osdevice)",
                   text, (unsigned)code);
}

static int encode_boot(uint8_t **data, size_t *len, bf_error *err)
{
    int rc = alloc_out(DEV_OPTIONS + TARGET_SIZE, data, len, err);
    if (rc) return rc;
    target t = {1, {0}};
    put_target(*data + DEV_OPTIONS, &t);
    return BF_OK;
}

static int encode_partition(const char *text, const char *v, const bf_bcd_drive_map *map,
                            uint8_t **data, size_t *len, bf_error *err)
{
    target t;
    int rc = parse_target(text, v, strlen(v), 0, map, &t, err);
    if (rc) return rc;
    rc = alloc_out(DEV_OPTIONS + TARGET_SIZE, data, len, err);
    if (rc) return rc;
    put_target(*data + DEV_OPTIONS, &t);
    return BF_OK;
}

/* "[PARENT]REST": the parent and where REST starts. */
static int parse_bracket(const char *text, const char *v, const bf_bcd_drive_map *map,
                         target *t, const char **rest, bf_error *err)
{
    const char *close = v[0] == '[' ? strchr(v, ']') : NULL;
    if (!close)
        return bf_fail(err, BF_ERR_INVALID,
                       "device \"%s\": expected [PARENT]PATH, with PARENT boot, a drive (C:), "
                       "gpt:{disk-guid}:{partition-guid} or mbr:SIGNATURE:OFFSET",
                       text);
    int rc = parse_target(text, v + 1, (size_t)(close - v - 1), 1, map, t, err);
    if (rc) return rc;
    *rest = close + 1;
    return BF_OK;
}

/* ",{options}" at the end of a ramdisk path: a GUID or an alias. */
static int split_options(const char *text, const char *rest, size_t *pathlen, bf_guid *opt,
                         bf_error *err)
{
    memset(opt, 0, sizeof *opt);
    *pathlen = strlen(rest);
    const char *comma = strrchr(rest, ',');
    if (!comma || comma[1] != '{') return BF_OK;
    const char *o = comma + 1;
    if (bf_guid_parse(o, opt) && bf_bcd_alias_lookup(o, opt, NULL))
        return bf_fail(err, BF_ERR_INVALID,
                       "device \"%s\": \"%s\" is neither a GUID nor a known alias such as "
                       "{ramdiskoptions}",
                       text, o);
    *pathlen = (size_t)(comma - rest);
    return BF_OK;
}

static int encode_ramdisk(const char *text, const char *v, const bf_bcd_drive_map *map,
                          uint8_t **data, size_t *len, bf_error *err)
{
    target t;
    const char *rest;
    int rc = parse_bracket(text, v, map, &t, &rest, err);
    if (rc) return rc;
    bf_guid opt;
    size_t plen;
    rc = split_options(text, rest, &plen, &opt, err);
    if (rc) return rc;
    char *path = bf_malloc(plen + 1);
    if (!path) return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    memcpy(path, rest, plen);
    path[plen] = 0;
    uint16_t *u;
    size_t n;
    rc = path_units(text, path, 0, &u, &n, err);
    free(path);
    if (rc) return rc;
    size_t size = RD_NESTED + TARGET_SIZE + 2 * (n + 1);
    rc = alloc_out(DEV_OPTIONS + size, data, len, err);
    if (rc) {
        free(u);
        return rc;
    }
    uint8_t *b = *data, *d = b + DEV_OPTIONS;
    bf_guid_to_bytes(&opt, b);
    put_header(d, DT_DISK, 1, size);
    wr32(d + D_LOCAL_TYPE, LT_RAMDISK);
    wr32(d + RD_FILE_VERSION, 1);
    wr32(d + RD_FILE_LEN, (uint32_t)(size - RD_FILE_VERSION));
    wr32(d + RD_FILE_TYPE, 5);
    put_target(d + RD_NESTED, &t);
    put_units(d + RD_NESTED + TARGET_SIZE, u, n);
    free(u);
    return BF_OK;
}

/* vhd=[PARENT]PATH: a locate device (element reference, no custom path)
 * whose parent is a virtual-disk local device holding the file's device. */
static int encode_vhd(const char *text, const char *v, uint32_t code,
                      const bf_bcd_drive_map *map, uint8_t **data, size_t *len, bf_error *err)
{
    uint32_t el = 0;
    int rc = locate_element(text, code, &el, err);
    if (rc) return rc;
    target t;
    const char *rest;
    rc = parse_bracket(text, v, map, &t, &rest, err);
    if (rc) return rc;
    uint16_t *u;
    size_t n;
    rc = path_units(text, rest, 0, &u, &n, err);
    if (rc) return rc;
    size_t vsize = VHD_NESTED + TARGET_SIZE + 2 * (n + 1);
    size_t lsize = LOC_PATH + 2 + vsize;
    rc = alloc_out(DEV_OPTIONS + lsize, data, len, err);
    if (rc) {
        free(u);
        return rc;
    }
    uint8_t *d = *data + DEV_OPTIONS, *vd = d + LOC_PATH + 2;
    put_header(d, DT_LOCATE, 0, lsize);
    wr32(d + LOC_KIND, 0);
    wr32(d + LOC_ELEMENT, el);
    wr32(d + LOC_PARENT, LOC_PATH + 2);
    put_header(vd, DT_DISK, 0, vsize);
    wr32(vd + D_LOCAL_TYPE, LT_VHD);
    wr32(vd + VHD_LEN1, (uint32_t)(vsize - 0x28));
    wr32(vd + VHD_TYPE1, 5);
    wr32(vd + VHD_FILE_VERSION, 1);
    wr32(vd + VHD_FILE_LEN, (uint32_t)(vsize - VHD_FILE_VERSION));
    wr32(vd + VHD_FILE_TYPE, 5);
    put_target(vd + VHD_NESTED, &t);
    put_units(vd + VHD_NESTED + TARGET_SIZE, u, n);
    free(u);
    return BF_OK;
}

/* "locate" (path from the element) or "locate=PATH" (custom path). */
static int encode_locate(const char *text, const char *path, uint32_t code, uint8_t **data,
                         size_t *len, bf_error *err)
{
    uint32_t el = 0;
    int rc;
    if (!*path) {
        rc = locate_element(text, code, &el, err);
        if (rc) return rc;
    }
    uint16_t *u;
    size_t n;
    rc = path_units(text, path, 1, &u, &n, err);
    if (rc) return rc;
    size_t size = LOC_PATH + 2 * (n + 1);
    rc = alloc_out(DEV_OPTIONS + size, data, len, err);
    if (rc) {
        free(u);
        return rc;
    }
    uint8_t *d = *data + DEV_OPTIONS;
    put_header(d, DT_LOCATE, 0, size);
    wr32(d + LOC_KIND, n ? 1 : 0);
    wr32(d + LOC_ELEMENT, el);
    wr32(d + LOC_PARENT, 0);
    put_units(d + LOC_PATH, u, n);
    free(u);
    return BF_OK;
}

int bf_bcd_device_from_text(const char *text, uint32_t code, const bf_bcd_drive_map *map,
                            uint8_t **data, size_t *len, bf_error *err)
{
    if (!text || !data || !len) return bf_fail(err, BF_ERR_INVALID, "device: missing argument");
    *data = NULL;
    *len = 0;
    const char *v;
    if (keyword(text, "boot", &v) && !*v) return encode_boot(data, len, err);
    if (keyword(text, "partition=", &v)) return encode_partition(text, v, map, data, len, err);
    if (keyword(text, "ramdisk=", &v)) return encode_ramdisk(text, v, map, data, len, err);
    if (keyword(text, "vhd=", &v)) return encode_vhd(text, v, code, map, data, len, err);
    if (keyword(text, "locate", &v) && !*v) return encode_locate(text, "", code, data, len, err);
    if (keyword(text, "locate=", &v)) return encode_locate(text, v, code, data, len, err);
    if (keyword(text, "unknown", NULL))
        return bf_fail(err, BF_ERR_INVALID,
                       "device \"%s\": \"unknown\" is how a device that cannot be named is "
                       "shown; it cannot be written back",
                       text);
    return bf_fail(err, BF_ERR_INVALID,
                   "device \"%s\": expected boot, partition=X:, partition=gpt:{disk}:{part}, "
                   "partition=mbr:SIGNATURE:OFFSET, ramdisk=[PARENT]PATH,{options}, "
                   "vhd=[PARENT]PATH, locate or locate=PATH",
                   text);
}
