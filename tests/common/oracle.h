/*
 * oracle.h — independent readers used as test oracles.
 *
 * A "walk" is a canonical, reader-neutral list of everything a hive holds:
 * one record per key and one per value.  The same hive walked by libregf,
 * hivex and bootfix must give equal walks.
 *
 *   key record:   path    full path from the root, names joined by '\'
 *                         (root = "", e.g. "ControlSet001\Control"), UTF-8
 *                 cls     class name (UTF-8) or NULL when the key has none
 *                 nsubkeys, nvalues
 *   value record: path    path of the key holding it
 *                 name    value name, UTF-8, "" for the default value
 *                 type    type number as stored
 *                 data    data bytes as stored (len bytes)
 *
 * Order: records are sorted by a total order over all their fields, so two
 * walks holding the same multiset of records are identical whatever order
 * a reader returned subkeys and values in:
 *   1. path, compared bytewise on the UTF-8, component by component ('\'
 *      sorts before every other byte, so "A" < "A\B" < "AB");
 *   2. keys before values;
 *   3. value name (bytewise), type, data length, data bytes;
 *   4. nsubkeys, nvalues, class (NULL first).
 * No case folding: names are compared exactly as stored.  A name holding a
 * '\' (never valid in Windows) makes paths ambiguous; that only affects the
 * order, not whether equal walks compare equal.
 *
 * Walks use an explicit stack and refuse (with an error) a key reached twice
 * (a cycle or a shared subkey), depth > ORACLE_MAX_DEPTH, or more than
 * ORACLE_MAX_RECORDS records, so crafted files cannot loop or exhaust memory.
 *
 * What each oracle can be trusted for (measured on the corpus, see
 * test_oracles.c):
 *   libregf 20201007 — tree, key names, value names, types, classes.  Its
 *     value-data API is NOT exact (walks carry data_exact = ORACLE_DATA_LIBREGF):
 *     - inline data of 1-3 bytes (data size with bit 31 set): it returns the
 *       LAST len bytes of the 4-byte data field instead of the first len;
 *     - REG_SZ / REG_EXPAND_SZ (types 1, 2): it cuts the data after the first
 *       UTF-16 NUL and pads an odd size to even, so lengths and bytes differ
 *       from what is stored (e.g. 13 stored bytes come back as 14).
 *     Every other value (all other types, 0 or >= 4 bytes, including
 *     REG_MULTI_SZ and big data) matched hivex byte for byte on the corpus,
 *     so oracle_compare checks libregf data only there.
 *     Its own compressed-name decoding uses Windows-1252 (0x9F -> U+0178);
 *     oracle_libregf.c decodes compressed names itself as ISO 8859-1.
 *   hivex 1.3.x — tree, names, types and the raw data bytes.  It has no
 *     class-name API (class_known = 0) and refuses some files outright.
 */
#ifndef BOOTFIX_TESTS_ORACLE_H
#define BOOTFIX_TESTS_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#define ORACLE_MAX_DEPTH 512
#define ORACLE_MAX_RECORDS 20000000u
#define ORACLE_ERRSZ 1024

enum oracle_data_trust {
    ORACLE_DATA_NONE = 0,   /* data never compared */
    ORACLE_DATA_EXACT = 1,  /* raw stored bytes */
    ORACLE_DATA_LIBREGF = 2 /* exact except types 1, 2 and 1-3 byte data */
};

enum oracle_kind { ORACLE_KEY = 0, ORACLE_VALUE = 1 };

typedef struct oracle_rec {
    int kind;          /* enum oracle_kind */
    char *path;        /* key path (of the key itself, or of the value's key) */
    char *name;        /* value name ("" = default); NULL for keys */
    char *cls;         /* keys: class name or NULL */
    uint32_t nsubkeys; /* keys */
    uint32_t nvalues;  /* keys */
    uint32_t type;     /* values */
    uint8_t *data;     /* values: malloc'd (may be NULL when len == 0) */
    size_t len;        /* values */
} oracle_rec;

typedef struct oracle_walk {
    const char *source; /* "libregf", "hivex", "bootfix" */
    char *file;         /* path walked */
    oracle_rec *recs;
    size_t n, cap;
    size_t nkeys, nvalues;
    int class_known;    /* 1 when cls is meaningful */
    int data_exact;     /* ORACLE_DATA_* */
    int corrupted;      /* libregf: the file/keys/values were flagged corrupted */
} oracle_walk;

/* Each returns a sorted walk, or NULL with errbuf (ORACLE_ERRSZ bytes, may
 * be NULL) holding the reason. */
oracle_walk *oracle_walk_libregf(const char *path, char *errbuf);
oracle_walk *oracle_walk_hivex(const char *path, char *errbuf);
/* bootfix: bf_hive_open(path, flags).  When the failure came from a bootfix
 * call, *bf_code (if not NULL) gets its bf_status and errbuf its bf_error.msg;
 * when the walker itself refused (cycle, depth) *bf_code is 0. */
oracle_walk *oracle_walk_bootfix(const char *path, unsigned open_flags, char *errbuf,
                                 int *bf_code);

void oracle_walk_free(oracle_walk *w);

/* ---- building and comparing (used by the walkers and by tests) ---------- */

oracle_walk *oracle_walk_new(const char *source, const char *file);
/* Append records; strings and data are copied.  Return 0, or -1 when out of
 * memory or over ORACLE_MAX_RECORDS. */
int oracle_add_key(oracle_walk *w, const char *path, const char *cls, uint32_t nsubkeys,
                   uint32_t nvalues);
int oracle_add_value(oracle_walk *w, const char *path, const char *name, uint32_t type,
                     const void *data, size_t len);
void oracle_walk_sort(oracle_walk *w);
/* "parent\child" (or "child" when parent is ""), malloc'd; NULL on ENOMEM. */
char *oracle_join(const char *parent, const char *child);

/* Comparison flags. */
#define ORACLE_CMP_STRUCTURE 0u      /* paths, names, types, counts */
#define ORACLE_CMP_DATA (1u << 0)    /* also value data bytes */
#define ORACLE_CMP_CLASS (1u << 1)   /* also class names */
/* ORACLE_CMP_CLASS is dropped when either walk has class_known = 0;
 * ORACLE_CMP_DATA is dropped when either has ORACLE_DATA_NONE and restricted
 * to the values libregf reads exactly when either has ORACLE_DATA_LIBREGF. */

/* 0 when equal under `flags`; otherwise 1 and diffbuf describes the first
 * difference (record index, path, field, both sides). */
int oracle_compare(const oracle_walk *a, const oracle_walk *b, unsigned flags, char *diffbuf,
                   size_t diffsz);

/* Set of cell offsets already visited (cycle detection). */
typedef struct oracle_seen {
    uint64_t *slots; /* offset + 1; 0 = empty */
    size_t cap, n;
} oracle_seen;
/* 1 when added, 0 when already present, -1 when out of memory. */
int oracle_seen_add(oracle_seen *s, uint32_t off);
void oracle_seen_free(oracle_seen *s);

/* One-line description of record i, for messages. */
void oracle_rec_describe(const oracle_rec *r, char *buf, size_t sz);

#endif
