/*
 * bootfix/bcd.h — BCD (Boot Configuration Data) stores on top of the hive layer.
 *
 * A BCD store is a registry hive with an `Objects` key; each object is a key
 * named by its lowercase GUID with `Description\Type` (REG_DWORD object type)
 * and `Elements\xxxxxxxx\Element` values.  This header gives:
 *   - opening a store (dirty stores have their logs replayed, as for hives),
 *   - identifiers: GUIDs and the bcdedit aliases ({bootmgr}, {default}, ...),
 *   - the element database (codes, bcdedit names per object type, enums),
 *   - reading elements leniently where Windows is lenient and strictly where
 *     it is strict, writing them exactly as bcdedit does,
 *   - device elements decoded to and encoded from bcdedit's text forms,
 *   - `/enum` output in bcdedit's layout and a bcdedit command interpreter.
 *
 * Facts and their sources: ../shared/reference/bcd-elements.md.
 * Strings are UTF-8.  Every function returns BF_OK or an enum bf_status code
 * with `err` filled; nothing here prints.
 */
#ifndef BOOTFIX_BCD_H
#define BOOTFIX_BCD_H

#include "bootfix/hive.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- GUIDs ------------------------------------------------------------------ */

/* A GUID by fields, as printed "{d1-d2-d3-d4[0..1]-d4[2..7]}". */
typedef struct bf_guid {
    uint32_t d1;
    uint16_t d2, d3;
    uint8_t d4[8];
} bf_guid;

#define BF_GUID_TEXT 39 /* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" + NUL */

/* Parse "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces required, hex digits
 * in either case, nothing before or after).  0 on success, -1 otherwise. */
int bf_guid_parse(const char *s, bf_guid *g);
/* Lowercase with braces, as bcdedit stores and prints GUIDs. */
void bf_guid_format(const bf_guid *g, char out[BF_GUID_TEXT]);
/* Windows memory layout (d1..d3 little-endian, then d4), as in device data. */
void bf_guid_to_bytes(const bf_guid *g, uint8_t out[16]);
void bf_guid_from_bytes(const uint8_t in[16], bf_guid *g);
int bf_guid_equal(const bf_guid *a, const bf_guid *b);
int bf_guid_is_null(const bf_guid *g);
/* A new random (version 4) GUID, for /create and /copy. */
int bf_guid_random(bf_guid *g, bf_error *err);

/* ---- element types (the 8-hex-digit key names) -------------------------------- */

enum bf_bcd_format {
    BF_BCD_FMT_DEVICE = 1,
    BF_BCD_FMT_STRING = 2,
    BF_BCD_FMT_OBJECT = 3,
    BF_BCD_FMT_OBJECTLIST = 4,
    BF_BCD_FMT_INTEGER = 5,
    BF_BCD_FMT_BOOLEAN = 6,
    BF_BCD_FMT_INTEGERLIST = 7
};
#define BF_BCD_CLASS(code) ((uint32_t)(code) >> 28)
#define BF_BCD_FORMAT(code) (((uint32_t)(code) >> 24) & 0xFu)

/* "device", "string", "GUID", "GUID list", "integer", "boolean",
 * "integer list"; NULL for other numbers. */
const char *bf_bcd_format_name(unsigned fmt);

/* Where a bcdedit element name applies (class-2 codes mean different things
 * per application type, so names are looked up per object type). */
enum bf_bcd_scope {
    BF_BCD_SC_LIBRARY = 1u << 0,     /* class 1: every object */
    BF_BCD_SC_BOOTMGR = 1u << 1,     /* {fwbootmgr}, {bootmgr} (app types 1, 2) */
    BF_BCD_SC_OSLOADER = 1u << 2,    /* app type 3, and inherit objects for it */
    BF_BCD_SC_RESUME = 1u << 3,      /* app type 4 */
    BF_BCD_SC_MEMDIAG = 1u << 4,     /* app type 5 */
    BF_BCD_SC_NTLDR = 1u << 5,       /* app types 6 (ntldr) and 7 (setupldr) */
    BF_BCD_SC_STARTUP = 1u << 6,     /* app type 9 */
    BF_BCD_SC_BOOTAPP = 1u << 7,     /* app type 10 */
    BF_BCD_SC_DEVICE = 1u << 8,      /* class 3: device objects 0x30000000 */
    BF_BCD_SC_TEMPLATE = 1u << 9,    /* class 4: every object */
    BF_BCD_SC_APPLICATION = 1u << 10 /* "Application" section: any application object */
};

/* Scopes whose element names apply in an object of this type. */
unsigned bf_bcd_scope_of_type(uint32_t objtype);

typedef struct bf_bcd_enum_name {
    uint64_t value;
    const char *name; /* as bcdedit prints it: "OptIn", "Minimal", "1024x768" */
} bf_bcd_enum_name;

enum bf_bcd_def_flags {
    BF_BCD_DEF_HEX = 1u << 0 /* integers printed as 0x... (allowedinmemorysettings) */
};

typedef struct bf_bcd_element_def {
    uint32_t code;
    const char *name; /* bcdedit name; NULL where bcdedit prints custom:xxxxxxxx */
    unsigned scope;   /* enum bf_bcd_scope bits */
    const bf_bcd_enum_name *enums; /* integer enumeration, or NULL */
    unsigned nenums;
    unsigned flags; /* enum bf_bcd_def_flags */
} bf_bcd_element_def;

/* The whole table (generated from the reference by tools/gen-bcd-elements.py). */
const bf_bcd_element_def *bf_bcd_element_table(size_t *count);
/* The definition of `code` that applies in an object of `objtype`, or NULL. */
const bf_bcd_element_def *bf_bcd_element_by_code(uint32_t code, uint32_t objtype);
/* Case-insensitive bcdedit name in an object of `objtype`, or NULL.  Also
 * accepts "custom:XXXXXXXX" (returns NULL; use bf_bcd_element_parse_name). */
const bf_bcd_element_def *bf_bcd_element_by_name(const char *name, uint32_t objtype);
/* Name or "custom:XXXXXXXX" to a code for `objtype`.  BF_ERR_NOT_FOUND with
 * bcdedit's message when the name does not apply to that object type. */
int bf_bcd_element_parse_name(const char *name, uint32_t objtype, uint32_t *code, bf_error *err);
/* Name bcdedit prints for `code` in `objtype`: the table name, or
 * "custom:xxxxxxxx" (lowercase).  Written into buf (>= 24 bytes). */
const char *bf_bcd_element_display_name(uint32_t code, uint32_t objtype, char *buf, size_t len);

/* ---- partitions and drive letters --------------------------------------------- */

/* Identity of a partition as a BCD device stores it. */
typedef struct bf_bcd_partition {
    int style;              /* BF_BCD_PART_GPT or BF_BCD_PART_MBR */
    bf_guid disk, part;     /* GPT: disk GUID, unique partition GUID */
    uint32_t mbr_signature; /* MBR: disk signature */
    uint64_t mbr_offset;    /* MBR: partition start in bytes */
} bf_bcd_partition;
enum { BF_BCD_PART_GPT = 0, BF_BCD_PART_MBR = 1 };

/* "gpt:{disk-guid}:{partition-guid}" or "mbr:SIGNATURE:OFFSET" (signature 8
 * hex digits, offset in bytes, decimal or 0x-hex).  The same text is what
 * bf_bcd_partition_format writes. */
int bf_bcd_partition_parse(const char *s, bf_bcd_partition *p, bf_error *err);
void bf_bcd_partition_format(const bf_bcd_partition *p, char *out, size_t len);

/* Drive letters an offline tool cannot know: the caller says which partition
 * "C:" is (e.g. from --drive C:=gpt:{..}:{..}, or from the mounted target). */
typedef struct bf_bcd_drive {
    char letter; /* 'A'..'Z' */
    bf_bcd_partition part;
} bf_bcd_drive;
typedef struct bf_bcd_drive_map {
    const bf_bcd_drive *drives;
    size_t count;
} bf_bcd_drive_map;

/* ---- device elements (format 1) ------------------------------------------------ */

/* Resolves a locate device's element reference: returns the string value of
 * element `code` of the object being shown (own or inherited), or NULL. */
typedef const char *(*bf_bcd_locate_cb)(void *ctx, uint32_t code);

enum bf_bcd_text_flags {
    BF_BCD_VERBOSE = 1u << 0 /* /v: GUIDs instead of aliases */
};

/* Check a device element's bytes the way Windows does (total length ==
 * descriptor size + 16, nested descriptors inside their parents).  0 when
 * valid; otherwise -1 and a reason in `why`. */
int bf_bcd_device_check(const uint8_t *data, size_t len, char *why, size_t whylen);
/* bcdedit text of a device: "boot", "partition=C:" (via the drive map), for
 * a partition not in the map "unknown (gpt:{..}:{..})" / "unknown (mbr:..)",
 * "ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}", "vhd=[C:]\x.vhd",
 * "locate=\Windows" (via `cb`), "locate=unknown".  malloc'd into *text. */
int bf_bcd_device_to_text(const uint8_t *data, size_t len, const bf_bcd_drive_map *map,
                          unsigned flags, bf_bcd_locate_cb cb, void *ctx, char **text,
                          bf_error *err);
/* Encode bcdedit device syntax for element `code` (the locate element of a
 * vhd device depends on it): "boot", "partition=X:" (needs X in the map),
 * "partition=gpt:..."/"partition=mbr:...", "ramdisk=[PARENT]PATH,{options}",
 * "vhd=[PARENT]PATH", "locate", "locate=PATH".  PARENT is "boot", "X:", or a
 * gpt:/mbr: identity.  Option GUIDs may be aliases ({ramdiskoptions}). */
int bf_bcd_device_from_text(const char *text, uint32_t code, const bf_bcd_drive_map *map,
                            uint8_t **data, size_t *len, bf_error *err);

/* ---- identifiers ------------------------------------------------------------------ */

/* The alias bcdedit prints for a well-known GUID ("{bootmgr}"), or NULL.
 * {default} and {current} are not returned (they depend on the store). */
const char *bf_bcd_alias_name(const bf_guid *g);
/* A well-known alias, case-insensitive, to its GUID (including the virtual
 * {default} and {current}).  *objtype (may be NULL) gets the object type
 * `/create ALIAS` makes, or 0 for virtual aliases.  0, or -1 if unknown. */
int bf_bcd_alias_lookup(const char *alias, bf_guid *g, uint32_t *objtype);

typedef struct bf_bcd bf_bcd;

/* An identifier as typed (a GUID or an alias) to the object GUID: {default}
 * resolves through {bootmgr} element 0x23000003; {current} is refused
 * (BF_ERR_UNSUPPORTED) with an explanation that it names the running system. */
int bf_bcd_resolve(bf_bcd *s, const char *id, bf_guid *out, bf_error *err);

/* Heading bcdedit prints above an object ("Windows Boot Manager",
 * "Firmware Application (101fffff)", "Device options"...). */
const char *bf_bcd_heading(uint32_t objtype, const bf_guid *id, char *buf, size_t len);

/* `/create /application NAME`: osloader, resume, bootsector, startup,
 * bootapp (and firmware? no).  `/create /inherit [NAME]`: NULL or "" for
 * 0x20100000, an application name for 0x202000xx, "device" for 0x20300000.
 * `/create /device`: 0x30000000.  0, or -1 for unknown names. */
int bf_bcd_type_for_application(const char *name, uint32_t *objtype);
int bf_bcd_type_for_inherit(const char *name, uint32_t *objtype);

/* ---- stores ------------------------------------------------------------------------ */

/* Open a store file (flags as bf_hive_open: BF_OPEN_WRITE, ...).  A dirty
 * store has its logs replayed.  BF_ERR_FORMAT when the hive has no Objects key. */
int bf_bcd_open(const char *path, unsigned flags, bf_bcd **out, bf_error *err);
int bf_bcd_open_mem(const char *name, const void *data, size_t len, unsigned flags,
                    bf_bcd **out, bf_error *err);
/* A new empty store in memory, as `bcdedit /createstore` makes it: hive 1.3,
 * Description\KeyName = "BCD00000001", empty Objects. */
int bf_bcd_new(bf_bcd **out, bf_error *err);
/* `/createstore PATH`: write a new empty store; BF_ERR_EXISTS if PATH exists. */
int bf_bcd_createstore(const char *path, bf_error *err);
bf_hive *bf_bcd_hive(bf_bcd *s);
/* Atomic commit of the underlying hive (bf_hive_commit). */
int bf_bcd_commit(bf_bcd *s, const bf_commit_opts *opts, bf_error *err);
void bf_bcd_close(bf_bcd *s);

/* ---- objects ------------------------------------------------------------------------ */

typedef struct bf_bcd_object {
    bf_guid id;
    uint32_t type; /* Description\Type; 0 when missing or not a REG_DWORD */
} bf_bcd_object;

/* Every object, in bcdedit's /enum all order: by type, then by GUID text.
 * Keys under Objects whose names are not GUIDs are skipped. *objs malloc'd. */
int bf_bcd_objects(bf_bcd *s, bf_bcd_object **objs, size_t *count, bf_error *err);
/* BF_ERR_NOT_FOUND (naming the GUID) when the object does not exist. */
int bf_bcd_object_type(bf_bcd *s, const bf_guid *id, uint32_t *type, bf_error *err);
/* Create an object with `type`.  id NULL: a new random GUID.  *out (may be
 * NULL) gets the GUID.  BF_ERR_EXISTS when it exists. */
int bf_bcd_object_create(bf_bcd *s, const bf_guid *id, uint32_t type, bf_guid *out,
                         bf_error *err);
int bf_bcd_object_delete(bf_bcd *s, const bf_guid *id, bf_error *err);
/* `/copy`: a new object (random GUID) with the same type and elements. */
int bf_bcd_object_copy(bf_bcd *s, const bf_guid *src, bf_guid *out, bf_error *err);

/* ---- elements ---------------------------------------------------------------------- */

/* One element as stored, and decoded when the stored data is readable. */
typedef struct bf_bcd_elem {
    uint32_t code;
    uint32_t reg_type; /* as stored */
    uint8_t *raw;      /* bytes as stored (malloc'd) */
    size_t raw_len;
    int valid;         /* 1 when Windows would read it with this format */
    char problem[192]; /* why not, when !valid */
    /* decoded, when valid: */
    uint64_t integer;  /* INTEGER (1..8 bytes, zero-extended), BOOLEAN (0/1) */
    char *string;      /* STRING: text up to the first NUL */
    bf_guid *guids;    /* OBJECT: 1, OBJECTLIST: n */
    size_t nguids;
    uint64_t *ints;    /* INTEGERLIST */
    size_t nints;
    /* DEVICE: raw holds the descriptor; see bf_bcd_device_to_text */
} bf_bcd_elem;

void bf_bcd_elem_free(bf_bcd_elem *e);               /* frees members, not e */
void bf_bcd_elems_free(bf_bcd_elem *els, size_t n);  /* members and the array */

/* The object's own elements in stored (= numeric) order; keys under
 * Elements whose names are not hex element types, or have no Element
 * value, are skipped. */
int bf_bcd_elements(bf_bcd *s, const bf_guid *obj, bf_bcd_elem **els, size_t *count,
                    bf_error *err);
/* One own element; BF_ERR_NOT_FOUND when absent. */
int bf_bcd_element_get(bf_bcd *s, const bf_guid *obj, uint32_t code, bf_bcd_elem *out,
                       bf_error *err);
/* The effective element: own first, then the `inherit` lists (0x14000006),
 * depth first in list order, each object at most once; missing inherited
 * objects are skipped.  *from (may be NULL) gets the object it came from. */
int bf_bcd_element_effective(bf_bcd *s, const bf_guid *obj, uint32_t code, bf_bcd_elem *out,
                             bf_guid *from, bf_error *err);

/* Write an element as bcdedit does: `Elements\xxxxxxxx` (lowercase) with
 * value `Element` of the format's registry type; an existing value of the
 * wrong type or size is replaced.  `reg_type`/`data` must already be what
 * the format requires (booleans 1 byte, integers 8 bytes, objects "{guid}"
 * REG_SZ, lists REG_MULTI_SZ, devices passing bf_bcd_device_check) — else
 * BF_ERR_INVALID.  The object must exist (BF_ERR_NOT_FOUND). */
int bf_bcd_element_set(bf_bcd *s, const bf_guid *obj, uint32_t code, uint32_t reg_type,
                       const void *data, size_t len, bf_error *err);
/* Typed setters (the code's format must match, else BF_ERR_INVALID). */
int bf_bcd_set_integer(bf_bcd *s, const bf_guid *obj, uint32_t code, uint64_t v, bf_error *err);
int bf_bcd_set_boolean(bf_bcd *s, const bf_guid *obj, uint32_t code, int v, bf_error *err);
int bf_bcd_set_string(bf_bcd *s, const bf_guid *obj, uint32_t code, const char *v,
                      bf_error *err);
/* OBJECT (n must be 1) or OBJECTLIST. */
int bf_bcd_set_objects(bf_bcd *s, const bf_guid *obj, uint32_t code, const bf_guid *ids,
                       size_t n, bf_error *err);
int bf_bcd_set_integers(bf_bcd *s, const bf_guid *obj, uint32_t code, const uint64_t *v,
                        size_t n, bf_error *err);
/* Delete `Elements\xxxxxxxx`; BF_ERR_NOT_FOUND when absent. */
int bf_bcd_element_delete(bf_bcd *s, const bf_guid *obj, uint32_t code, bf_error *err);

/* ---- values as text ------------------------------------------------------------------ */

/* bcdedit VALUE syntax for `code` in an object of `objtype`, encoded as
 * bcdedit stores it (registry type and bytes, *data malloc'd).  Booleans:
 * yes/no/on/off/true/false/1/0; integers: decimal or an enumeration name
 * (case-insensitive); objects: GUID or alias; lists: one id per argument
 * (`nvals` words in `vals`); strings as given; devices via
 * bf_bcd_device_from_text. */
int bf_bcd_value_parse(bf_bcd *s, uint32_t objtype, uint32_t code, const char *const *vals,
                       size_t nvals, const bf_bcd_drive_map *map, uint32_t *reg_type,
                       uint8_t **data, size_t *len, bf_error *err);
/* Display lines of an element as bcdedit prints them (lists: one line per
 * item; invalid data: a line saying why).  `obj` is the object shown (for
 * locate devices and {default}).  *lines malloc'd; free with bf_bcd_lines_free. */
int bf_bcd_value_format(bf_bcd *s, const bf_guid *obj, uint32_t objtype, const bf_bcd_elem *e,
                        unsigned flags, const bf_bcd_drive_map *map, char ***lines,
                        size_t *nlines, bf_error *err);
void bf_bcd_lines_free(char **lines, size_t n);

/* `/enum WHAT [/v]` text (malloc'd).  WHAT: NULL or "active" (boot manager
 * and the displayorder entries), "all", "bootmgr", "osloader", "resume",
 * "memdiag", "ntldr", "firmware", "bootapp", "inherit", "device", or an
 * identifier.  flags: BF_BCD_VERBOSE. */
int bf_bcd_enum(bf_bcd *s, const char *what, unsigned flags, const bf_bcd_drive_map *map,
                char **text, bf_error *err);

/* ---- bcdedit command interpreter ------------------------------------------------------ */

typedef struct bf_bcdedit_opts {
    bf_bcd_drive_map drives; /* what X: means in partition=X: etc. */
    bf_commit_opts commit;   /* backup path etc. for the store's commit */
    unsigned open_flags;     /* extra bf_hive_open flags (BF_OPEN_FORCE_DIRTY) */
} bf_bcdedit_opts;

/* Run one bcdedit command line (the words after "bcdedit", e.g. {"/store",
 * "BCD", "/set", "{default}", "safeboot", "minimal"}).  A write is one
 * transaction: the store is committed atomically once, or not at all.
 * *out (malloc'd, may be "") gets what bcdedit prints on success. */
int bf_bcdedit(int argc, const char *const *argv, const bf_bcdedit_opts *opts, char **out,
               bf_error *err);

/* Parse and check a command line without running it: *store (may be NULL)
 * gets the /store argument (a pointer into argv, or NULL), *writes (may be
 * NULL) whether the command would change a store. */
int bf_bcdedit_check(int argc, const char *const *argv, const char **store, int *writes,
                     bf_error *err);
/* Run one command on a store the caller opened (writable for a write
 * command); /store in argv is ignored and nothing is committed: the caller
 * commits.  /createstore, /export and /import are refused here. */
int bf_bcdedit_store(bf_bcd *s, int argc, const char *const *argv, const bf_bcdedit_opts *opts,
                     char **out, bf_error *err);

#ifdef __cplusplus
}
#endif

#endif
