/*
 * bootfix/hive.h — read and write Windows registry hive files (regf).
 *
 * A hive is loaded whole into memory.  If the file is dirty, its transaction
 * logs (.LOG, .LOG1, .LOG2 beside it) are replayed in memory first.  Edits
 * change only the in-memory image; bf_hive_commit() writes a complete new
 * file atomically (temporary file, flush, verify, rename, flush directory).
 *
 * Strings are UTF-8 at this API and UTF-16 inside the hive.  Key and value
 * names compare case-insensitively with Windows' uppercase table.
 *
 * Every function that can fail returns BF_OK (0) or a negative bf_status and,
 * when `err` is not NULL, fills it with a message naming the file, the offset
 * or key, and what is wrong.
 */
#ifndef BOOTFIX_HIVE_H
#define BOOTFIX_HIVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bf_hive bf_hive;
typedef uint32_t bf_node;  /* cell index of a key (nk) record */
typedef uint32_t bf_value; /* cell index of a value (vk) record */
#define BF_NONE 0xFFFFFFFFu

enum bf_status {
    BF_OK = 0,
    BF_ERR_IO = -1,          /* a system call failed (sys_errno says which) */
    BF_ERR_FORMAT = -2,      /* not a hive, or a structure is corrupt */
    BF_ERR_UNSUPPORTED = -3, /* a valid hive feature this library refuses */
    BF_ERR_NOT_FOUND = -4,
    BF_ERR_EXISTS = -5,
    BF_ERR_INVALID = -6,  /* bad argument */
    BF_ERR_NOMEM = -7,
    BF_ERR_READONLY = -8, /* opened without BF_OPEN_WRITE */
    BF_ERR_DIRTY = -9,    /* dirty hive whose logs cannot be replayed */
    BF_ERR_VERIFY = -10,  /* the file written failed verification */
    BF_ERR_LIMIT = -11,   /* a documented size limit would be exceeded */
    BF_ERR_LOCKED = -12   /* another process is writing the same files */
};

typedef struct bf_error {
    int code;      /* enum bf_status */
    int sys_errno; /* errno of the failing call for BF_ERR_IO, else 0 */
    char msg[768];
} bf_error;

/* ---- limits -------------------------------------------------------------
 * The largest things bootfix reads or writes.  Going past one fails with
 * BF_ERR_LIMIT and a message naming the file, the key (or the offset, when
 * reading) and the limit: when writing (adding a key or value, setting data,
 * importing a .reg line, parsing a script) and when reading a file that
 * already exceeds it (nothing is silently truncated).  [MS] is Microsoft
 * Learn, "Registry element size limits"; the corpus figures are the largest
 * seen in 142 real hives (5,000 subkeys, 1,942 values, 24 levels, 270 KB). */
#define BF_LIMIT_HIVE_SIZE 0x80000000u /* bytes per hive file: stable cell indexes have 31 bits (2 GiB) */
#define BF_LIMIT_KEY_DEPTH 512         /* levels of keys, the root is level 1: [MS] "512 levels deep" */
#define BF_LIMIT_KEY_NAME 255          /* UTF-16 code units per key name: [MS] */
#define BF_LIMIT_VALUE_NAME 16383      /* UTF-16 code units per value name: [MS] */
#define BF_LIMIT_SUBKEYS 1000000u      /* subkeys of one key: bootfix's bound (the format allows more) */
#define BF_LIMIT_VALUES 1000000u       /* values of one key (a single list cell): bootfix's bound */
#define BF_LIMIT_VALUE_SIZE (256u << 20) /* data bytes per value, formats 1.4-1.6: [MS] "available memory" */
#define BF_LIMIT_VALUE_SIZE_13 (1u << 20) /* data bytes per value, format 1.3: [MS] "1 MB (standard format)" */
#define BF_LIMIT_REG_LINE (4u << 20)   /* UTF-8 bytes per .reg logical line (continuations joined): bootfix's;
                                          room for the hex text of a 1 MB value, as `reg export` writes it */
#define BF_LIMIT_SCRIPT_SIZE (16u << 20) /* bytes per script: bootfix's bound (cmd.exe has none) */
#define BF_LIMIT_SCRIPT_LINE 8191      /* UTF-16 units per script line: cmd.exe's command-line maximum */

/* Registry value types (winnt.h numbering). Unknown numbers are kept. */
enum bf_reg_type {
    BF_REG_NONE = 0,
    BF_REG_SZ = 1,
    BF_REG_EXPAND_SZ = 2,
    BF_REG_BINARY = 3,
    BF_REG_DWORD = 4,
    BF_REG_DWORD_BIG_ENDIAN = 5,
    BF_REG_LINK = 6,
    BF_REG_MULTI_SZ = 7,
    BF_REG_RESOURCE_LIST = 8,
    BF_REG_FULL_RESOURCE_DESCRIPTOR = 9,
    BF_REG_RESOURCE_REQUIREMENTS_LIST = 10,
    BF_REG_QWORD = 11
};

/* ---- opening ---------------------------------------------------------- */

enum bf_open_flags {
    BF_OPEN_WRITE = 1u << 0,   /* allow edits and commit */
    BF_OPEN_NO_LOGS = 1u << 1, /* do not look for or replay logs */
    /* allow BF_OPEN_WRITE on a dirty hive whose logs are missing: the data
     * Windows kept only in those logs is lost.  For --force only. */
    BF_OPEN_FORCE_DIRTY = 1u << 2
};

int bf_hive_open(const char *path, unsigned flags, bf_hive **out, bf_error *err);

/* Open a hive held in memory (copied).  `name` is used in messages.  Logs are
 * passed explicitly (NULL/0 when there are none). */
typedef struct bf_log_buf {
    const char *name;
    const uint8_t *data;
    size_t len;
} bf_log_buf;
int bf_hive_open_mem(const char *name, const void *data, size_t len,
                     const bf_log_buf *logs, size_t nlogs, unsigned flags,
                     bf_hive **out, bf_error *err);

/* A new, empty hive: base block, one 4 KiB bin and a root key named
 * `root_name` (for example "ROOT" or "NewStoreRoot").  `minor` is the format
 * version 3, 4, 5 or 6 (1.3 for BCD stores, 1.5 for SYSTEM/SOFTWARE). */
int bf_hive_new(unsigned minor, const char *root_name, bf_hive **out, bf_error *err);

void bf_hive_close(bf_hive *h);

typedef struct bf_hive_info {
    uint32_t major, minor;
    uint32_t seq1, seq2;      /* as found in the file, before any replay */
    uint64_t timestamp;       /* base block last-written FILETIME */
    uint32_t file_type;       /* 0 for a primary file */
    uint32_t file_format;     /* 1 */
    uint32_t flags;           /* base block flags (offset 144) */
    uint32_t root;            /* root key cell index */
    uint32_t hbins_size;      /* sum of bin sizes (after replay) */
    uint64_t file_size;       /* bytes in the file as opened */
    uint32_t nbins;
    int checksum_ok;          /* base block checksum as found */
    int dirty;                /* as found: seq1 != seq2 or bad checksum */
    int replayed;             /* logs were applied in memory */
    int base_block_recovered; /* the base block came from a log */
    unsigned log_entries;     /* log entries (new format) or pages applied */
    uint32_t log_max_seq;     /* highest sequence number seen in any log */
    const char *log_paths[3]; /* logs found beside the file (NULL if none) */
    const char *log_used[3];  /* logs whose data was applied, in order */
    char embedded_name[128];  /* base block file name field, UTF-8 */
    int modified;             /* in-memory image differs from the file */
    char log_problem[512];    /* dirty but not replayed: why no log could be applied */
} bf_hive_info;

int bf_hive_get_info(const bf_hive *h, bf_hive_info *info);
const char *bf_hive_path(const bf_hive *h);

/* ---- reading ------------------------------------------------------------ */

bf_node bf_hive_root(const bf_hive *h);

/* Names are returned in malloc'd UTF-8 strings the caller frees. */
int bf_node_name(bf_hive *h, bf_node n, char **name, bf_error *err);
/* Class name, or *cls = NULL when the key has none. */
int bf_node_class(bf_hive *h, bf_node n, char **cls, bf_error *err);
int bf_node_timestamp(bf_hive *h, bf_node n, uint64_t *filetime, bf_error *err);
int bf_node_parent(bf_hive *h, bf_node n, bf_node *parent, bf_error *err);

/* Subkeys in stored (sorted) order; *kids is malloc'd (NULL when empty). */
int bf_node_children(bf_hive *h, bf_node n, bf_node **kids, size_t *count, bf_error *err);
int bf_node_child(bf_hive *h, bf_node parent, const char *name, bf_node *out, bf_error *err);
/* Path of subkeys separated by '\' (a leading '\' is ignored; "" is start). */
int bf_node_lookup(bf_hive *h, bf_node start, const char *path, bf_node *out, bf_error *err);

/* Values in stored order; *vals is malloc'd (NULL when empty). */
int bf_node_values(bf_hive *h, bf_node n, bf_value **vals, size_t *count, bf_error *err);
/* name "" is the default value. */
int bf_node_get_value(bf_hive *h, bf_node n, const char *name, bf_value *out, bf_error *err);
int bf_value_name(bf_hive *h, bf_value v, char **name, bf_error *err);
int bf_value_type(bf_hive *h, bf_value v, uint32_t *type, bf_error *err);
/* Raw data bytes exactly as stored (inline, single cell or big data). *data
 * is malloc'd (a valid pointer even for 0 bytes); *type may be NULL. */
int bf_value_data(bf_hive *h, bf_value v, uint32_t *type, uint8_t **data, size_t *len,
                  bf_error *err);

/* A string value as UTF-8 lines: REG_SZ and REG_EXPAND_SZ give one line,
 * cut at the first NUL (possibly empty); REG_MULTI_SZ gives one line per
 * non-empty item.  *type (may be NULL) gets the stored type.
 * BF_ERR_NOT_FOUND when the value is absent, BF_ERR_INVALID when it is
 * another type.  *lines is malloc'd (free with bf_strings_free). */
int bf_node_get_strings(bf_hive *h, bf_node n, const char *name, uint32_t *type, char ***lines,
                        size_t *count, bf_error *err);
void bf_strings_free(char **lines, size_t count);

/* ---- walking a whole tree ------------------------------------------------- */

/* One value as bf_hive_walk shows it.  The pointers are valid only during
 * the callback (they point into the image or into the walk's buffers). */
typedef struct bf_walk_value {
    bf_value value;
    const char *name;    /* UTF-8, NUL-terminated; "" for the default value */
    size_t name_len;     /* bytes, without the final NUL: the whole name, even
                            when it holds U+0000 (then more than strlen) */
    uint32_t type;
    const uint8_t *data; /* the data bytes exactly as stored */
    size_t len;
} bf_walk_value;

/* One key with all its values, as bf_hive_walk shows it. */
typedef struct bf_walk_key {
    bf_node node;
    bf_node parent;   /* BF_NONE for the start key */
    unsigned depth;   /* 0 for the start key, 1 for its subkeys, ... */
    const char *name; /* UTF-8, NUL-terminated */
    size_t name_len;  /* the whole name, as for values */
    uint64_t timestamp; /* last-written FILETIME */
    uint32_t nsubkeys;
    const bf_walk_value *values; /* in stored order */
    size_t nvalues;
} bf_walk_key;

/* Return 0 to go on, BF_WALK_SKIP to skip the key's subkeys, or a negative
 * number to stop the walk (bf_hive_walk then returns it). */
#define BF_WALK_SKIP 1
typedef int (*bf_walk_fn)(void *ctx, const bf_walk_key *key);

/* Visit `start` and every key below it, depth first, each key before its
 * subkeys and subkeys in stored (sorted) order, with one call per key that
 * carries its name and all its values with their data: the fast way to
 * read a whole hive (no allocation per key or value).  The structure is
 * checked as by the functions above; a key listed twice is an error. */
int bf_hive_walk(bf_hive *h, bf_node start, bf_walk_fn fn, void *ctx, bf_error *err);

/* ---- writing (needs BF_OPEN_WRITE or bf_hive_new) ----------------------- */

/* Add a subkey; BF_ERR_EXISTS (with *out set) when it already exists. */
int bf_node_add(bf_hive *h, bf_node parent, const char *name, bf_node *out, bf_error *err);
/* Create every missing key along `path`; *created counts the new keys. */
int bf_node_create_path(bf_hive *h, bf_node start, const char *path, bf_node *out,
                        int *created, bf_error *err);
/* Delete a key and everything under it (not the root). */
int bf_node_delete(bf_hive *h, bf_node n, bf_error *err);
/* Create or replace a value; any type number is accepted and kept. */
int bf_node_set_value(bf_hive *h, bf_node n, const char *name, uint32_t type,
                      const void *data, size_t len, bf_error *err);
int bf_node_delete_value(bf_hive *h, bf_node n, const char *name, bf_error *err);

/* ---- committing ---------------------------------------------------------- */

typedef struct bf_commit_opts {
    const char *out_path;    /* NULL: replace the opened file */
    const char *backup_path; /* if set: copy of the original, made first */
    int no_libregf;          /* skip the libregf cross-check even if present */
} bf_commit_opts;

/* Write the image atomically: a temporary file in the target directory,
 * flushed, re-read and checked (our checker, and libregf when it can be
 * loaded), renamed over the target, directory flushed.  On any failure the
 * target is unchanged and the temporary file removed, except when only the
 * final directory flush fails: then the new file is in place (BF_ERR_IO,
 * "written, but flushing its directory failed") and may not be durable.  The written hive is
 * clean, with sequence numbers above every sequence number in its logs. */
int bf_hive_commit(bf_hive *h, const bf_commit_opts *opts, bf_error *err);

/* Commit several hives (each opened from its file) all or nothing: every
 * file is written to a verified temporary file first; a commit record
 * beside each file names all of them while they are renamed in place; a
 * failed rename puts the files already renamed back.  kept/kept_len: each
 * file's current bytes, read by the caller (used for putting back; not
 * freed), or NULL to have them read here.  *written: how many files hold
 * the new bytes afterwards (0 or n, unless putting back failed, which the
 * message says).  If the process dies while renaming, the next
 * bf_hive_open(BF_OPEN_WRITE) of any of the files completes the commit. */
int bf_hive_commit_group(bf_hive *const *hives, size_t n, uint8_t *const *kept, const size_t *kept_len,
                         int no_libregf, size_t *written, bf_error *err);
/* Complete a group commit interrupted while renaming, if `path` has a
 * commit record (bf_hive_open does this under the folder's write lock). */
int bf_hive_recover_group(const char *path, bf_error *err);

/* The bytes bf_hive_commit would write (malloc'd). */
int bf_hive_serialize(bf_hive *h, uint8_t **buf, size_t *len, bf_error *err);

/* ---- checking ------------------------------------------------------------ */

/* One problem: file offset (0 when not tied to one) and a description. */
typedef void (*bf_check_cb)(void *ctx, uint64_t file_offset, const char *problem);

/* Structural check of a hive image (a whole file's bytes, base block first).
 * Returns the number of problems (0 = valid), or a negative bf_status when
 * the bytes are not a readable hive at all (with err filled). */
int bf_check_image(const uint8_t *img, size_t len, bf_check_cb cb, void *ctx, bf_error *err);
/* The same on the in-memory image of an open hive (after replay/edits). */
int bf_hive_check(bf_hive *h, bf_check_cb cb, void *ctx, bf_error *err);

/* ---- helpers --------------------------------------------------------------- */

const char *bf_strerror(int code);
/* "REG_DWORD" etc.; NULL for unknown numbers. */
const char *bf_reg_type_name(uint32_t type);
/* Windows' RtlUpcaseUnicodeChar for one UTF-16 code unit. */
uint16_t bf_upcase(uint16_t c);

#ifdef __cplusplus
}
#endif

#include "bootfix/regtext.h"
#endif
