/*
 * `bcdedit /enum` text.  Layout as in the real outputs under
 * ../shared/corpus/bcd/text/ (reference §6):
 *
 *   <empty line>                      before every object, so the text starts
 *   Windows Boot Manager              with an empty line (bcdedit prints one
 *   --------------------              before the first heading, see the ws2012
 *   identifier              {bootmgr} capture) and objects are separated by one
 *   device                  ...       empty line; the last element line ends
 *   displayorder            {default} the text
 *                           {...}     list items continue indented 24 spaces
 *
 * Names are left-justified in 24 columns; a name of 24 or more characters
 * (none is known) is followed by a single space.  Class-4 (template)
 * elements are shown only with /v (Chappell: hidden by bcdedit /enum, shown
 * with /v since Windows 7).
 */
#include "internal.h"
#include "hive/regfile_util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_COLUMN 24

/* ---- growing text buffer ---------------------------------------------------------- */

static void sb_chars(rf_buf *b, char c, size_t n)
{
    char buf[64];
    memset(buf, c, sizeof buf);
    while (n) {
        size_t k = n < sizeof buf ? n : sizeof buf;
        rf_put(b, buf, k);
        n -= k;
    }
}

/* "name" padded to the value column, then the first value line. */
static void sb_name(rf_buf *b, const char *name)
{
    size_t len = strlen(name);
    rf_puts(b, name);
    sb_chars(b, ' ', len < NAME_COLUMN ? NAME_COLUMN - len : 1);
}

/* name + value lines (continuations indented); no lines prints the name only */
static void sb_entry(rf_buf *b, const char *name, char **lines, size_t n)
{
    sb_name(b, name);
    for (size_t i = 0; i < n; i++) {
        if (i) sb_chars(b, ' ', NAME_COLUMN);
        rf_puts(b, lines[i]);
        rf_puts(b, "\n");
    }
    if (n == 0) rf_puts(b, "\n");
}

/* ---- one object ---------------------------------------------------------------------- */

static int cmp_code(const void *a, const void *b)
{
    uint32_t x = ((const bf_bcd_elem *)a)->code, y = ((const bf_bcd_elem *)b)->code;
    return x < y ? -1 : x > y;
}

static int put_identifier(rf_buf *b, bf_bcd *s, const bf_bcd_object *o, unsigned flags,
                          bf_error *err)
{
    bf_bcd_elem e;
    char **lines = NULL;
    size_t n = 0;
    memset(&e, 0, sizeof e);
    e.code = BF_BCD_FMT_OBJECT << 24; /* an OBJECT value holding the object's own GUID */
    e.reg_type = BF_REG_SZ;
    e.valid = 1;
    e.guids = (bf_guid *)&o->id;
    e.nguids = 1;
    int rc = bf_bcd_value_format(s, &o->id, o->type, &e, flags, NULL, &lines, &n, err);
    if (rc != BF_OK) return rc;
    sb_entry(b, "identifier", lines, n);
    bf_bcd_lines_free(lines, n);
    return BF_OK;
}

static int put_object(rf_buf *b, bf_bcd *s, const bf_bcd_object *o, unsigned flags,
                      const bf_bcd_drive_map *map, bf_error *err)
{
    char hb[128], nb[40];
    const char *heading = bf_bcd_heading(o->type, &o->id, hb, sizeof hb);
    bf_bcd_elem *els = NULL;
    size_t nel = 0;
    if (!heading) heading = "";
    rf_puts(b, "\n");
    rf_puts(b, heading);
    rf_puts(b, "\n");
    sb_chars(b, '-', strlen(heading));
    rf_puts(b, "\n");
    int rc = put_identifier(b, s, o, flags, err);
    if (rc != BF_OK) return rc;
    rc = bf_bcd_elements(s, &o->id, &els, &nel, err);
    if (rc != BF_OK) return rc;
    if (nel > 1) qsort(els, nel, sizeof *els, cmp_code);
    for (size_t i = 0; i < nel && rc == BF_OK; i++) {
        char **lines = NULL;
        size_t n = 0;
        const char *name;
        if (BF_BCD_CLASS(els[i].code) == 4 && !(flags & BF_BCD_VERBOSE)) continue;
        name = bf_bcd_element_display_name(els[i].code, o->type, nb, sizeof nb);
        if (!name) {
            snprintf(nb, sizeof nb, "custom:%08x", (unsigned)els[i].code);
            name = nb;
        }
        rc = bf_bcd_value_format(s, &o->id, o->type, &els[i], flags, map, &lines, &n, err);
        if (rc == BF_OK) sb_entry(b, name, lines, n);
        bf_bcd_lines_free(lines, n);
    }
    bf_bcd_elems_free(els, nel);
    return rc;
}

/* ---- selection ----------------------------------------------------------------------- */


typedef int (*type_pred)(uint32_t type);

static int is_bootmgr(uint32_t t) { return t == BCD_TYPE_BOOTMGR; }
static int is_osloader(uint32_t t) { return t == BCD_TYPE_OSLOADER; }
static int is_resume(uint32_t t) { return t == BCD_TYPE_RESUME; }
static int is_memdiag(uint32_t t) { return t == BCD_TYPE_MEMDIAG; }
static int is_ntldr(uint32_t t) { return t == BCD_TYPE_NTLDR; }
static int is_firmware(uint32_t t) { return t == BCD_TYPE_FWBOOTMGR || t == BCD_TYPE_FWAPP; }
/* "boot environment applications": Windows boot applications (image type 2) */
static int is_bootapp(uint32_t t) { return (t & 0xFFF00000u) == 0x10200000u; }
static int is_inherit(uint32_t t) { return BF_BCD_CLASS(t) == 2; }
static int is_device(uint32_t t) { return BF_BCD_CLASS(t) == 3; }
static int is_any(uint32_t t) { (void)t; return 1; }

static const struct {
    const char *word;
    type_pred pred;
} g_words[] = {
    {"all", is_any},         {"bootmgr", is_bootmgr}, {"osloader", is_osloader},
    {"resume", is_resume},   {"memdiag", is_memdiag}, {"ntldr", is_ntldr},
    {"firmware", is_firmware}, {"bootapp", is_bootapp}, {"inherit", is_inherit},
    {"device", is_device},
};

static int enum_pred(bf_bcd *s, type_pred pred, unsigned flags, const bf_bcd_drive_map *map,
                     rf_buf *b, bf_error *err)
{
    bf_bcd_object *objs = NULL;
    size_t n = 0;
    int rc = bf_bcd_objects(s, &objs, &n, err);
    for (size_t i = 0; rc == BF_OK && i < n; i++)
        if (pred(objs[i].type)) rc = put_object(b, s, &objs[i], flags, map, err);
    free(objs);
    return rc;
}

static int enum_one(bf_bcd *s, const bf_guid *id, unsigned flags, const bf_bcd_drive_map *map,
                    rf_buf *b, bf_error *err)
{
    bf_bcd_object o;
    o.id = *id;
    int rc = bf_bcd_object_type(s, id, &o.type, err);
    if (rc != BF_OK) return rc;
    return put_object(b, s, &o, flags, map, err);
}

/* {bootmgr}, then the entries of its displayorder that exist, in that order. */
static int enum_active(bf_bcd *s, unsigned flags, const bf_bcd_drive_map *map, rf_buf *b,
                       bf_error *err)
{
    bf_bcd_elem order;
    bf_error e2 = {0};
    uint32_t t;
    int rc;
    if (bf_bcd_object_type(s, &BCD_GUID_BOOTMGR, &t, &e2) != BF_OK) return BF_OK;
    rc = enum_one(s, &BCD_GUID_BOOTMGR, flags, map, b, err);
    if (rc != BF_OK) return rc;
    memset(&order, 0, sizeof order);
    if (bf_bcd_element_get(s, &BCD_GUID_BOOTMGR, BCD_EL_DISPLAYORDER, &order, &e2) != BF_OK)
        return BF_OK;
    for (size_t i = 0; rc == BF_OK && order.valid && i < order.nguids; i++) {
        if (bf_bcd_object_type(s, &order.guids[i], &t, &e2) != BF_OK) continue;
        rc = enum_one(s, &order.guids[i], flags, map, b, err);
    }
    bf_bcd_elem_free(&order);
    return rc;
}

static int enum_select(bf_bcd *s, const char *what, unsigned flags, const bf_bcd_drive_map *map,
                       rf_buf *b, bf_error *err)
{
    if (!what || bf_ascii_ieq(what, "active")) return enum_active(s, flags, map, b, err);
    for (size_t i = 0; i < sizeof g_words / sizeof g_words[0]; i++)
        if (bf_ascii_ieq(what, g_words[i].word)) return enum_pred(s, g_words[i].pred, flags, map, b, err);
    if (what[0] == '{') {
        bf_guid g;
        int rc = bf_bcd_resolve(s, what, &g, err);
        if (rc != BF_OK) return rc;
        return enum_one(s, &g, flags, map, b, err);
    }
    return bf_fail(err, BF_ERR_INVALID,
                   "The specified entry type is invalid: '%s' (use ACTIVE, ALL, BOOTMGR, "
                   "OSLOADER, RESUME, MEMDIAG, NTLDR, FIRMWARE, BOOTAPP, INHERIT, DEVICE or an "
                   "identifier)",
                   what);
}

int bf_bcd_enum(bf_bcd *s, const char *what, unsigned flags, const bf_bcd_drive_map *map,
                char **text, bf_error *err)
{
    rf_buf b = {0};
    if (!s || !text) return bf_fail(err, BF_ERR_INVALID, "bf_bcd_enum: NULL argument");
    *text = NULL;
    int rc = enum_select(s, what, flags, map, &b, err);
    if (rc != BF_OK) {
        rf_free(&b);
        return rc;
    }
    *text = rf_take_str(&b);
    return *text ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
}
