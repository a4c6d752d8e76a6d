/*
 * bcdedit_internal.h — shared by the files of the bcdedit interpreter
 * (bcdedit_parse.c: command line and transaction; bcdedit_cmds.c: element
 * and {bootmgr} commands; bcdedit_settings.c: EMS and debugger settings;
 * bcdedit_objects.c: entry and store commands).  Not installed.
 */
#ifndef BOOTFIX_BCDEDIT_INTERNAL_H
#define BOOTFIX_BCDEDIT_INTERNAL_H

#include "bcd/internal.h"
#include "hive/regfile_util.h"

/* bcdedit's own wording, used at the start of error messages */
#define BE_MSG_OK "The operation completed successfully."
#define BE_MSG_SET "An error has occurred setting the element data."
#define BE_MSG_DELETE "An error has occurred deleting the element data."
#define BE_MSG_NOTAPPLY \
    "The element data type specified is not recognized, or does not apply to the specified entry."
#define BE_MSG_BADID "The specified entry identifier is not valid."
#define BE_MSG_PARAM "The parameter is incorrect."

/* commands */
enum be_cmd {
    BE_NONE = 0,
    BE_ENUM,
    BE_SET,
    BE_DELETEVALUE,
    BE_DEFAULT,
    BE_DISPLAYORDER,
    BE_TOOLSORDER,
    BE_BOOTSEQUENCE,
    BE_TIMEOUT,
    BE_EMS,
    BE_BOOTEMS,
    BE_EMSSETTINGS,
    BE_DBGSETTINGS,
    BE_CREATE,
    BE_COPY,
    BE_DELETE,
    BE_CREATESTORE,
    BE_EXPORT,
    BE_IMPORT,
    BE_HELP
};

/* modifier switches (bits) */
enum be_mod {
    BM_V = 1u << 0,
    BM_D = 1u << 1,
    BM_APPLICATION = 1u << 2,
    BM_INHERIT = 1u << 3,
    BM_DEVICE = 1u << 4,
    BM_F = 1u << 5,
    BM_CLEANUP = 1u << 6,
    BM_NOCLEANUP = 1u << 7,
    BM_ADDLAST = 1u << 8,
    BM_ADDFIRST = 1u << 9,
    BM_REMOVE = 1u << 10,
    BM_CLEAN = 1u << 11,
    BM_START = 1u << 12,
    BM_NOUMEX = 1u << 13
};

/* the parsed command line */
struct be_args {
    enum be_cmd cmd;
    const char *cmd_word;  /* as typed, for messages */
    const char *store;     /* /store FILE */
    const char **pos;      /* positional words after the command */
    size_t npos;
    unsigned mods;         /* enum be_mod bits given */
    const char *d;         /* /d DESCRIPTION */
    const char *app;       /* /application TYPE */
    const char *inherit;   /* /inherit [TYPE]: NULL when no TYPE */
    const char *start;     /* /start POLICY */
};

struct be_ctx {
    const bf_bcdedit_opts *opts;
    const struct be_args *a;
    bf_bcd *s;
    rf_buf out; /* what bcdedit prints (rf_printf) */
};

/* ---- bcdedit_parse.c ---------------------------------------------------------------- */

/* Put `prefix` (and a space) in front of err->msg; returns err->code. */
int be_prefix(bf_error *err, const char *prefix);
/* "{...}"-looking word: an identifier rather than an element name. */
int be_is_id(const char *w);
/* Resolve an identifier to an existing object: GUID and type. `id` NULL
 * means the omitted identifier, i.e. {current}. */
int be_object(struct be_ctx *c, const char *id, bf_guid *g, uint32_t *type, bf_error *err);
/* Decimal (or 0x hex) unsigned number, whole word. 0 or -1. */
int be_number(const char *s, uint64_t *v);

/* ---- bcdedit_cmds.c ----------------------------------------------------------------- */

int be_cmd_enum(struct be_ctx *c, bf_error *err);
/* Encode `vals` (bcdedit VALUE syntax) for `code` of an object of `objtype`
 * and write the element. */
int be_set_text(struct be_ctx *c, const bf_guid *g, uint32_t objtype, uint32_t code,
                const char *const *vals, size_t n, bf_error *err);
/* "The operation completed successfully." */
void be_ok(struct be_ctx *c);
int be_cmd_set(struct be_ctx *c, bf_error *err);
int be_cmd_deletevalue(struct be_ctx *c, bf_error *err);
int be_cmd_default(struct be_ctx *c, bf_error *err);
int be_cmd_order(struct be_ctx *c, uint32_t code, bf_error *err);
int be_cmd_timeout(struct be_ctx *c, bf_error *err);
/* Edit an object list: mode 0 set (ids as given), BM_ADDFIRST, BM_ADDLAST,
 * BM_REMOVE (one id).  An emptied list is deleted. */
int be_list_edit(struct be_ctx *c, const bf_guid *obj, uint32_t code, const bf_guid *ids, size_t n,
                 unsigned mode, bf_error *err);
/* Remove `id` from the list `code` of `obj` when present (no error when the
 * object or the list is absent; an unreadable list is left alone). */
int be_list_drop(struct be_ctx *c, const bf_guid *obj, uint32_t code, const bf_guid *id,
                 bf_error *err);

/* ---- bcdedit_settings.c -------------------------------------------------------------- */

int be_cmd_ems(struct be_ctx *c, int boot, bf_error *err);
int be_cmd_emssettings(struct be_ctx *c, bf_error *err);
int be_cmd_dbgsettings(struct be_ctx *c, bf_error *err);

/* ---- bcdedit_objects.c -------------------------------------------------------------- */

int be_cmd_create(struct be_ctx *c, bf_error *err);
int be_cmd_copy(struct be_ctx *c, bf_error *err);
int be_cmd_delete(struct be_ctx *c, bf_error *err);
int be_cmd_export(struct be_ctx *c, bf_error *err);
int be_cmd_import(struct be_ctx *c, bf_error *err);

#endif
