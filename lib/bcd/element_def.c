/*
 * The element database: bcdedit names per object type, "custom:XXXXXXXX",
 * and the scopes that decide which of the re-used class-2 codes applies.
 * The table itself is generated (element_table.c, tools/gen-bcd-elements.py).
 * Facts: ../shared/reference/bcd-elements.md §1, §2, §5.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define CUSTOM_PREFIX "custom:"
#define CUSTOM_PREFIX_LEN 7

const char *bf_bcd_format_name(unsigned fmt)
{
    switch (fmt) {
    case BF_BCD_FMT_DEVICE: return "device";
    case BF_BCD_FMT_STRING: return "string";
    case BF_BCD_FMT_OBJECT: return "GUID";
    case BF_BCD_FMT_OBJECTLIST: return "GUID list";
    case BF_BCD_FMT_INTEGER: return "integer";
    case BF_BCD_FMT_BOOLEAN: return "boolean";
    case BF_BCD_FMT_INTEGERLIST: return "integer list";
    default: return NULL;
    }
}

/* Scope of an application type number (bits 19..0), 0 when none. */
static unsigned scope_of_apptype(uint32_t apptype)
{
    switch (apptype) {
    case 1:
    case 2: return BF_BCD_SC_BOOTMGR;
    case 3: return BF_BCD_SC_OSLOADER;
    case 4: return BF_BCD_SC_RESUME;
    case 5: return BF_BCD_SC_MEMDIAG;
    case 6:
    case 7: return BF_BCD_SC_NTLDR;
    case 9: return BF_BCD_SC_STARTUP;
    case 10: return BF_BCD_SC_BOOTAPP;
    default: return 0;
    }
}

unsigned bf_bcd_scope_of_type(uint32_t objtype)
{
    unsigned sc = BF_BCD_SC_LIBRARY | BF_BCD_SC_TEMPLATE;
    uint32_t kind = objtype >> 28;
    uint32_t cls = (objtype >> 20) & 0xFu;
    uint32_t apptype = objtype & 0xFFFFFu;

    if (kind == 1) {
        sc |= BF_BCD_SC_APPLICATION | scope_of_apptype(apptype);
    } else if (kind == 2) {
        if (cls == 2) sc |= scope_of_apptype(apptype);
        else if (cls == 3) sc |= BF_BCD_SC_DEVICE;
    } else if (kind == 3) {
        sc |= BF_BCD_SC_DEVICE;
    }
    return sc;
}

const bf_bcd_element_def *bf_bcd_element_table(size_t *count)
{
    if (count) *count = bcd_element_ndefs;
    return bcd_element_defs;
}

const bf_bcd_element_def *bf_bcd_element_by_code(uint32_t code, uint32_t objtype)
{
    unsigned sc = bf_bcd_scope_of_type(objtype);
    for (size_t i = 0; i < bcd_element_ndefs; i++) {
        const bf_bcd_element_def *d = &bcd_element_defs[i];
        if (d->code == code && (d->scope & sc)) return d;
    }
    return NULL;
}



static int has_custom_prefix(const char *name)
{
    for (size_t i = 0; i < CUSTOM_PREFIX_LEN; i++)
        if (bf_ascii_lower((unsigned char)name[i]) != CUSTOM_PREFIX[i]) return 0;
    return 1;
}

const bf_bcd_element_def *bf_bcd_element_by_name(const char *name, uint32_t objtype)
{
    if (!name || !*name) return NULL;
    unsigned sc = bf_bcd_scope_of_type(objtype);
    for (size_t i = 0; i < bcd_element_ndefs; i++) {
        const bf_bcd_element_def *d = &bcd_element_defs[i];
        if (d->name && (d->scope & sc) && bf_ascii_ieq(d->name, name)) return d;
    }
    return NULL;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = bf_ascii_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* "custom:XXXXXXXX": exactly 8 hex digits after the prefix. */
static int parse_custom(const char *name, uint32_t *code, bf_error *err)
{
    const char *p = name + CUSTOM_PREFIX_LEN;
    uint32_t v = 0;
    size_t n = 0;
    for (; p[n]; n++) {
        int d = hexval((unsigned char)p[n]);
        if (d < 0 || n >= 8) break;
        v = (v << 4) | (uint32_t)d;
    }
    if (n != 8 || p[n])
        return bf_fail(err, BF_ERR_INVALID,
                       "'%s': a custom element type is custom: followed by exactly 8 hex "
                       "digits (e.g. custom:26000010)",
                       name);
    unsigned cls = BF_BCD_CLASS(v), fmt = BF_BCD_FORMAT(v);
    if (cls < 1 || cls > 5)
        return bf_fail(err, BF_ERR_INVALID,
                       "'%s': element class %u is not one of 1 (library), 2 (application), "
                       "3 (device), 4 (template), 5 (OEM)",
                       name, cls);
    if (!bf_bcd_format_name(fmt))
        return bf_fail(err, BF_ERR_INVALID,
                       "'%s': element format %u is not one of 1 (device) .. 7 (integer list)",
                       name, fmt);
    *code = v;
    return BF_OK;
}

/* What kind of entry a scope bit stands for, for the error message. */
static const char *scope_words(unsigned bit)
{
    switch (bit) {
    case BF_BCD_SC_BOOTMGR: return "boot manager";
    case BF_BCD_SC_OSLOADER: return "Windows Boot Loader";
    case BF_BCD_SC_RESUME: return "Resume from Hibernate";
    case BF_BCD_SC_MEMDIAG: return "Windows Memory Tester";
    case BF_BCD_SC_NTLDR: return "legacy OS loader";
    case BF_BCD_SC_STARTUP: return "startup application";
    case BF_BCD_SC_BOOTAPP: return "boot application";
    case BF_BCD_SC_DEVICE: return "device options";
    case BF_BCD_SC_APPLICATION: return "application";
    default: return NULL; /* library and template names apply everywhere */
    }
}

static const char *article(const char *word)
{
    return strchr("aeiouAEIOU", word[0]) ? "an" : "a";
}

static int not_found(const char *name, uint32_t objtype, bf_error *err)
{
    static const char MSG[] = "The element data type specified is not recognized, or does not "
                              "apply to the specified entry.";
    unsigned where = 0;
    for (size_t i = 0; i < bcd_element_ndefs; i++) {
        const bf_bcd_element_def *d = &bcd_element_defs[i];
        if (d->name && bf_ascii_ieq(d->name, name)) where |= d->scope;
    }
    if (!where) return bf_fail(err, BF_ERR_NOT_FOUND, "%s ('%s' is not an element name)", MSG, name);

    char entry[96];
    bf_bcd_heading(objtype, NULL, entry, sizeof entry);
    char typed[128];
    if (strchr(entry, '('))
        snprintf(typed, sizeof typed, "%s", entry);
    else
        snprintf(typed, sizeof typed, "%s (%08x)", entry, (unsigned)objtype);

    /* every kind of entry the name applies to: "a boot manager or Windows Boot Loader" */
    char kinds[200] = "";
    size_t used = 0;
    for (unsigned bit = 1; bit <= BF_BCD_SC_APPLICATION; bit <<= 1) {
        const char *w = scope_words(bit);
        if (!(where & bit) || !w || used >= sizeof kinds) continue;
        int n = used ? snprintf(kinds + used, sizeof kinds - used, " or %s", w)
                     : snprintf(kinds, sizeof kinds, "%s %s", article(w), w);
        if (n < 0) break;
        used += (size_t)n;
    }
    return bf_fail(err, BF_ERR_NOT_FOUND, "%s ('%s' is %s setting; this entry is %s %s)", MSG,
                   name, kinds, article(typed), typed);
}

int bf_bcd_element_parse_name(const char *name, uint32_t objtype, uint32_t *code, bf_error *err)
{
    if (!name || !*name)
        return bf_fail(err, BF_ERR_INVALID, "no element name given");
    uint32_t v = 0;
    if (strlen(name) >= CUSTOM_PREFIX_LEN && has_custom_prefix(name)) {
        int rc = parse_custom(name, &v, err);
        if (rc) return rc;
    } else {
        const bf_bcd_element_def *d = bf_bcd_element_by_name(name, objtype);
        if (!d) return not_found(name, objtype, err);
        v = d->code;
    }
    if (code) *code = v;
    return BF_OK;
}

const char *bf_bcd_element_display_name(uint32_t code, uint32_t objtype, char *buf, size_t len)
{
    const bf_bcd_element_def *d = bf_bcd_element_by_code(code, objtype);
    if (!buf || len == 0) return d ? d->name : NULL;
    if (d && d->name)
        snprintf(buf, len, "%s", d->name);
    else
        snprintf(buf, len, CUSTOM_PREFIX "%08x", (unsigned)code);
    return buf;
}
