/*
 * Internal declarations shared by the modules of lib/hive/.
 * Not installed.  Offsets and rules: ../shared/reference/regf-writer-rules.md.
 */
#ifndef BOOTFIX_HIVE_INTERNAL_H
#define BOOTFIX_HIVE_INTERNAL_H

#include "bootfix/hive.h"
#include "compiler.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* ---- format constants ------------------------------------------------------ */

#define REGF_BASE_BLOCK 4096u /* base block size; hive bins start here */
#define REGF_BIN_ALIGN 4096u
#define REGF_BIN_HDR 32u
#define REGF_NIL 0xFFFFFFFFu
#define REGF_BIG_SEGMENT 16344u      /* bytes per big-data segment */
#define REGF_BIG_SEGMENT_CELL 16352u /* cell size Windows gives each segment */
#define REGF_INLINE_BIT 0x80000000u

/* base block field offsets */
#define BB_SIG 0
#define BB_SEQ1 4
#define BB_SEQ2 8
#define BB_TIMESTAMP 12
#define BB_MAJOR 20
#define BB_MINOR 24
#define BB_TYPE 28
#define BB_FORMAT 32
#define BB_ROOT 36
#define BB_HBINS_SIZE 40
#define BB_CLUSTER 44
#define BB_NAME 48
#define BB_FLAGS 144
#define BB_CHECKSUM 508

/* nk field offsets (relative to cell data, i.e. after the size field) */
#define NK_FLAGS 2
#define NK_TIMESTAMP 4
#define NK_ACCESS 12
#define NK_PARENT 16
#define NK_NSUBKEYS 20
#define NK_NVSUBKEYS 24
#define NK_SUBKEYS 28
#define NK_VSUBKEYS 32
#define NK_NVALUES 36
#define NK_VALUES 40
#define NK_SK 44
#define NK_CLASS 48
#define NK_MAXNAME 52
#define NK_MAXCLASS 56
#define NK_MAXVALNAME 60
#define NK_MAXVALDATA 64
#define NK_WORKVAR 68
#define NK_NAMELEN 72
#define NK_CLASSLEN 74
#define NK_NAME 76

#define NK_F_VOLATILE 0x0001u
#define NK_F_HIVE_EXIT 0x0002u
#define NK_F_HIVE_ENTRY 0x0004u
#define NK_F_NO_DELETE 0x0008u
#define NK_F_SYMLINK 0x0010u
#define NK_F_COMP_NAME 0x0020u

/* vk field offsets */
#define VK_NAMELEN 2
#define VK_DATASIZE 4
#define VK_DATA 8
#define VK_TYPE 12
#define VK_FLAGS 16
#define VK_SPARE 18
#define VK_NAME 20
#define VK_F_COMP_NAME 0x0001u

/* sk field offsets */
#define SK_FLINK 4
#define SK_BLINK 8
#define SK_REFCOUNT 12
#define SK_DESCLEN 16
#define SK_DESC 20

/* Limits: the public BF_LIMIT_* of bootfix/hive.h under their older names. */
#define BF_MAX_KEY_NAME BF_LIMIT_KEY_NAME     /* characters per key name */
#define BF_MAX_VALUE_NAME BF_LIMIT_VALUE_NAME /* characters per value name */
#define BF_MAX_DEPTH BF_LIMIT_KEY_DEPTH       /* levels of keys, the root included */
#define BF_MAX_LIST_WALK BF_LIMIT_SUBKEYS     /* entries followed in one subkey list */
#define BF_MAX_HIVE_SIZE (BF_LIMIT_HIVE_SIZE - REGF_BASE_BLOCK) /* bytes of hive bins */

/* Subkey list thresholds (ReactOS cmindex.c, modelled on NT). */
#define BF_LEAF_MAX 1012u /* entries per leaf before splitting under an ri */

/* ---- little-endian access ---------------------------------------------------- */

/* ASCII letters lowercased, other bytes unchanged (no locale): how names,
 * switches and aliases compare in reg.exe and bcdedit spelling. */
static inline int bf_ascii_lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }
static inline int bf_ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (bf_ascii_lower((unsigned char)*a) != bf_ascii_lower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32); }
static inline void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

/* Ask for the memory at p to be brought into the cache ahead of use (a
 * hint, never a fault): reading a big hive is a chain of cache misses, and
 * asking for several at once overlaps them. */
#if defined(__GNUC__)
#define BF_PREFETCH(p) __builtin_prefetch(p)
#else
#define BF_PREFETCH(p) ((void)(p))
#endif
/* The cell at cell index off, when it lies within the hive bins. */
#define BF_PREFETCH_CELL(h, off) ((off) < bf_hbins_size(h) ? BF_PREFETCH(bf_at((h), (off))) : (void)0)

/* ---- errors (error.c) ---------------------------------------------------------- */

/* Fill err (if not NULL) with "fmt..." and return code. */
int bf_fail(bf_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;
/* Like bf_fail for a failed system call: appends strerror(errnum). */
int bf_fail_sys(bf_error *err, int errnum, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;

/* ---- base block (baseblock.c) ----------------------------------------------------- */

uint32_t bf_bb_checksum(const uint8_t *bb);
/* Validate a primary base block (signature, versions, type, format, cluster);
 * returns BF_OK or BF_ERR_FORMAT / BF_ERR_UNSUPPORTED naming `name`. */
int bf_bb_validate(const uint8_t *bb, size_t file_len, const char *name, bf_error *err);
uint64_t bf_filetime_now(void);

/* ---- Windows uppercase and name helpers (upcase.c, names.c) ------------------------- */

/* name in a hive record: bytes, length, compressed (Latin-1) or UTF-16LE */
typedef struct bf_name {
    const uint8_t *p;
    size_t len; /* bytes */
    int comp;
} bf_name;

static inline size_t bf_name_units(bf_name n) { return n.comp ? n.len : n.len / 2; }
static inline uint16_t bf_name_unit(bf_name n, size_t i)
{
    return n.comp ? n.p[i] : rd16(n.p + 2 * i);
}
/* Compare by Windows uppercase code units (a proper prefix sorts first). */
int bf_name_cmp(bf_name a, bf_name b);
/* lh hash: H = 37*H + upcase(c) over code units. */
uint32_t bf_name_lh_hash(bf_name n);
/* lf hint: first 4 characters as bytes (see reference §7). */
void bf_name_lf_hint(bf_name n, uint8_t hint[4]);

/* UTF-8 <-> UTF-16 for names.  bf_utf8_to_name encodes compressed when every
 * unit is <= 0xFF (as Windows does); the caller frees out->p (cast). */
int bf_utf8_to_utf16(const char *s, uint16_t **units, size_t *n, bf_error *err);
int bf_name_from_utf8(const char *s, uint8_t **bytes, size_t *len, int *comp, bf_error *err);
char *bf_name_to_utf8(bf_name n); /* malloc'd; unpaired surrogates as WTF-8 */
/* The same into o (room for 3 * n + 1 bytes, n code units); returns the length. */
size_t bf_units_to_utf8_buf(const uint8_t *p, size_t n, int comp, char *o);
/* UTF-16LE byte buffer to UTF-8 (stops at len; NULs kept). */
char *bf_utf16le_to_utf8(const uint8_t *p, size_t len, size_t *outlen);

/* ---- the in-memory hive (hive.c, bins.c, alloc.c) ---------------------------------- */

typedef struct bf_bin {
    uint32_t off;  /* cell-index offset of the bin header */
    uint32_t size; /* bytes */
} bf_bin;

typedef struct bf_free_cell {
    uint32_t off;  /* cell index */
    uint32_t size; /* bytes, including the size field */
} bf_free_cell;

struct bf_hive {
    char *path;    /* file opened, or a name for in-memory hives */
    uint8_t *img;  /* base block + hive bins (img_len = 4096 + hbins_size) */
    size_t img_len;
    int img_mapped; /* img is the file mapped (read-only opens), map_len bytes */
    size_t map_len;
    uint8_t *tail; /* bytes after the last bin in the original file */
    size_t tail_len;
    size_t tail_off;     /* file offset where tail starts */
    int64_t disk_mtime;  /* of the file when opened: commit refuses if it changed */
    uint64_t file_size;
    unsigned minor;
    unsigned open_flags;
    int writable;
    int modified;

    bf_bin *bins; /* sorted by offset */
    size_t nbins, bins_cap;

    uint8_t *cellmap; /* bit per 8 bytes of hive-bins data: a cell starts here */
    size_t cellmap_len;

    bf_free_cell *freel; /* free cells sorted by offset */
    size_t nfree, free_cap;

    bf_hive_info info;
    char *log_path_store[3];
    uint32_t log_max_seq;
    struct bf_io_lock *lock; /* the folder's write lock, held while open for writing */

    /* keys changed since the hive was opened (bf_nk_touch): what the
     * post-write libregf cross-check reads back; touched_all when there
     * are too many to list, or the list could not grow (then every key). */
    uint32_t *touched;
    size_t ntouched, touched_cap;
    int touched_all;
};

/* Pointer to the hive-bins data at cell index `off`. */
static inline uint8_t *bf_at(const bf_hive *h, uint32_t off) { return h->img + REGF_BASE_BLOCK + off; }
static inline uint32_t bf_hbins_size(const bf_hive *h) { return (uint32_t)(h->img_len - REGF_BASE_BLOCK); }

/* Scan bins and cells of the image: fills bins, cellmap and free list.
 * Returns BF_ERR_FORMAT with the file offset of the first problem. */
int bf_bins_scan(bf_hive *h, bf_error *err);
void bf_cell_mark(bf_hive *h, uint32_t off, int start);
/* Room for one more entry in h->bins (BF_ERR_NOMEM otherwise). */
int bf_bins_reserve(bf_hive *h);
/* Insert a free cell at index `at` of the sorted free list (BF_ERR_NOMEM). */
int bf_free_insert(bf_hive *h, size_t at, uint32_t off, uint32_t size);
/* Bin that contains cell index off, or NULL. */
const bf_bin *bf_bin_find(const bf_hive *h, uint32_t off);

/* Is a cell (free or allocated) starting at `off`? */
static inline int bf_cell_is_start(const bf_hive *h, uint32_t off)
{
    return off % 8 == 0 && off < bf_hbins_size(h) && ((h->cellmap[off >> 6] >> ((off >> 3) & 7)) & 1);
}

/* The error of bf_cell for `off` (bins.c); returns NULL. */
uint8_t *bf_cell_fail(bf_hive *h, uint32_t off, const char *what, bf_error *err);

/* Cell access.  bf_cell returns the cell data (after the 4-byte size) of the
 * allocated cell starting at `off`, with its usable length in *len; NULL and
 * an error naming the offset and `what` if `off` is not such a cell. */
static inline uint8_t *bf_cell(bf_hive *h, uint32_t off, uint32_t *len, const char *what, bf_error *err)
{
    if (off == REGF_NIL || !bf_cell_is_start(h, off) || (int32_t)rd32(bf_at(h, off)) >= 0) {
        if (len)
            *len = 0;
        bf_cell_fail(h, off, what, err);
        return NULL;
    }
    if (len)
        *len = (uint32_t)0 - rd32(bf_at(h, off)) - 4;
    return bf_at(h, off) + 4;
}
/* Same, and the cell data must start with the 2-byte signature `sig`. */
uint8_t *bf_cell_sig(bf_hive *h, uint32_t off, const char *sig, uint32_t minlen, uint32_t *len,
                     const char *what, bf_error *err);

/* Allocator: a cell whose usable data length is >= len (size field + data,
 * rounded up to 8).  Reuses free cells (best fit), else appends a bin.  New
 * cell data is zeroed.  Returns BF_OK and *off. */
int bf_cell_alloc(bf_hive *h, uint32_t len, uint32_t *off, bf_error *err);
/* Free an allocated cell, coalescing with free neighbours in its bin. */
void bf_cell_free(bf_hive *h, uint32_t off);

/* Header of the image: called by serialize before writing. */
void bf_bb_finalize(bf_hive *h);
void bf_hive_refresh_info(bf_hive *h);
/* BF_OK, or BF_ERR_READONLY when the hive was not opened for writing. */
int bf_hive_writable(const bf_hive *h, bf_error *err);
/* bf_check_cb that keeps the first problem in a char[512] ctx. */
void bf_check_first_problem(void *ctx, uint64_t off, const char *problem);

/* ---- records (key.c, value.c, sklist.c, security.c, bigdata.c) ---------------------- */

/* Validated nk: returns data pointer or NULL (err filled). */
uint8_t *bf_nk(bf_hive *h, bf_node n, uint32_t *len, bf_error *err);
uint8_t *bf_vk(bf_hive *h, bf_value v, uint32_t *len, bf_error *err);
bf_name bf_nk_name(const uint8_t *nk);
bf_name bf_vk_name(const uint8_t *vk);
/* Set key n's last-written time to now and remember it as changed. */
void bf_nk_touch(bf_hive *h, bf_node n);
/* Remember key n as changed (for the libregf cross-check) without touching it. */
void bf_nk_changed(bf_hive *h, bf_node n);
#define BF_TOUCHED_MAX 4096 /* changed keys listed; beyond, the cross-check reads every key */
/* Fill a new, zeroed nk record: no subkeys, values or class. */
void bf_nk_init(uint8_t *nk, uint16_t flags, uint32_t parent, uint32_t sk, const uint8_t *name, size_t namelen);

/* Every key of the subtree at n (key.c): n first, each key before its
 * subkeys; *keys is malloc'd.  Validates every list on the way. */
int bf_subtree_keys(bf_hive *h, bf_node n, bf_node **keys, size_t *count, bf_error *err);
/* The subkeys of n appended to *v (len used, cap allocated; grown with
 * bf_realloc), validated as bf_node_children does (key.c). */
int bf_node_children_into(bf_hive *h, bf_node n, bf_node **v, size_t *len, size_t *cap, bf_error *err);
/* The value list of key n: pointer to `count` entries (NULL when empty),
 * the count within the limit and the list within its cell (value.c). */
int bf_value_list(bf_hive *h, bf_node n, const uint8_t **list, uint32_t *count, bf_error *err);

/* Path of key n for messages (key.c): "\A\B" below the root, "\" for the
 * root; cut at the front ("...\B") to fit `cap` (>= 8) bytes.  Returns a
 * pointer into buf; never fails (an unreadable name shows as "?"). */
const char *bf_key_path_str(bf_hive *h, bf_node n, char *buf, size_t cap);
/* Level of key n (key.c): the root is 1, its subkeys 2, ...  Stops counting
 * past BF_LIMIT_KEY_DEPTH + 1; BF_ERR_FORMAT when a parent is not a key. */
int bf_key_level(bf_hive *h, bf_node n, unsigned *level, bf_error *err);
/* BF_ERR_LIMIT naming the key when `have` (the key's current number of
 * subkeys or values) leaves no room for one more (key.c). */
int bf_limit_room(bf_hive *h, bf_node n, uint32_t have, uint32_t limit, const char *what, bf_error *err);

/* Subkey list walking (sklist.c).  Calls fn for each entry in order; fn
 * returns non-zero to stop (that value is returned).  Bounded: cycles and
 * ri-under-ri are reported as BF_ERR_FORMAT. */
typedef int (*bf_sk_visit)(void *ctx, uint32_t nk_off);
int bf_sklist_walk(bf_hive *h, uint32_t list_off, bf_sk_visit fn, void *ctx, bf_error *err);
/* Binary search for `name` among the subkeys of `parent`. */
int bf_sklist_find(bf_hive *h, uint32_t list_off, bf_name name, uint32_t *nk_off, bf_error *err);
/* Insert / remove an nk in the parent's subkey list (copy-on-write); updates
 * the parent's list offset and count. */
int bf_sklist_insert(bf_hive *h, bf_node parent, uint32_t child_nk, bf_error *err);
int bf_sklist_remove(bf_hive *h, bf_node parent, uint32_t child_nk, bf_error *err);

/* Security records (security.c). */
int bf_sk_ref(bf_hive *h, uint32_t sk_off, bf_error *err);
int bf_sk_unref(bf_hive *h, uint32_t sk_off, bf_error *err);

/* Value data (bigdata.c for > 16344 bytes in hives >= 1.4). */
int bf_data_read(bf_hive *h, const uint8_t *vk, uint8_t **data, size_t *len, bf_error *err);
/* The same without a copy: *ptr points into the image (inline data or one
 * cell) or, for big data, into *scratch, which grows (bf_realloc) to hold
 * it; the caller frees *scratch.  *ptr is valid until the image changes. */
int bf_data_view(bf_hive *h, const uint8_t *vk, const uint8_t **ptr, size_t *len, uint8_t **scratch,
                 size_t *scratch_cap, bf_error *err);
int bf_data_write(bf_hive *h, const void *data, size_t len, uint32_t *size_field,
                  uint32_t *data_field, bf_error *err);
void bf_data_free(bf_hive *h, uint32_t size_field, uint32_t data_field);

/* ---- log replay (logreplay.c, marvin32.c) ---------------------------------------------- */

uint64_t bf_marvin32(const uint8_t *data, size_t len, uint64_t seed);
#define BF_MARVIN32_SEED 0x82EF4D887A4E55C5ull

typedef struct bf_replay_result {
    int replayed;             /* something was applied */
    int base_block_recovered; /* primary base block came from a log */
    unsigned entries;         /* log entries (new format) or dirty pages (old) applied */
    uint32_t max_seq;         /* highest sequence number seen in any log header/entry */
    int used[8];              /* indexes into logs[], in application order, -1 ends */
} bf_replay_result;

/* Replay transaction logs over a primary image.
 * *img / *img_len: the primary file's bytes (malloc'd; may be realloc'd to
 * grow).  On success *img holds a clean image (seq1 == seq2, checksum
 * correct, file type 0) whose hive-bins size covers every applied page.
 * A clean primary is returned unchanged (replayed = 0), but max_seq is still
 * computed.  Returns BF_ERR_DIRTY with a clear message when the hive is dirty
 * and nothing applicable is found, or the base block is bad and no log can
 * restore it. */
int bf_log_replay(uint8_t **img, size_t *img_len, const char *primary_name,
                  const bf_log_buf *logs, size_t nlogs, bf_replay_result *res, bf_error *err);

/* Find <path>.LOG, .LOG1, .LOG2 beside path, matching the file name
 * case-insensitively.  paths[i] malloc'd or NULL.  0, or ENOMEM (then
 * every paths[i] is NULL: a missed log could hold the newest data). */
int bf_logs_find(const char *path, char *paths[3]);

/* ---- commit verification (verify_libregf.c) ------------------------------------------- */

/* Read the file at `path` with libregf (loaded at run time, if installed):
 * every key changed since opening (h->touched) must read back with our
 * subkey count and values; with h->touched_all, libregf walks the whole
 * tree and its key and value counts must equal ours.  BF_ERR_UNSUPPORTED
 * when libregf is not available; BF_ERR_VERIFY when it disagrees. */
int bf_verify_libregf(bf_hive *h, const char *path, bf_error *err);

/* ---- checker (check.c) ---------------------------------------------------------------- */

/* Checks a whole image; see bf_check_image. */
int bf_check_run(const uint8_t *img, size_t len, bf_check_cb cb, void *ctx, bf_error *err);

#endif
