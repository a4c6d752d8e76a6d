/*
 * corpus.h — locate the shared hive corpus and read hives/MANIFEST.tsv.
 *
 * The corpus is never copied into the project.  It is found at
 *   $BOOTFIX_CORPUS                        if set, else
 *   $BOOTFIX_SRC/../shared/corpus          (make check sets BOOTFIX_SRC), else
 *   ../shared/corpus                       (relative to the current directory)
 * and counts as present when <dir>/hives/MANIFEST.tsv is readable.
 */
#ifndef BOOTFIX_TESTS_CORPUS_H
#define BOOTFIX_TESTS_CORPUS_H

#include <stddef.h>
#include <stdint.h>

/* One MANIFEST.tsv row.  Empty columns are "" (never NULL). */
typedef struct corpus_entry {
    char *relpath;          /* column path, relative to <corpus>/hives */
    char *path;             /* <corpus>/hives/<relpath> */
    uint64_t size;
    char *role;             /* primary, log, empty, not-regf */
    char *version;          /* "1.3", "1.5", ... */
    char *state;            /* clean, dirty, bad-checksum */
    uint32_t seq1, seq2;
    char *log_format;
    char *structural_check; /* "ok", "" (not walked) or anomaly names */
    char *kind;
} corpus_entry;

typedef struct corpus_manifest {
    char *dir; /* corpus directory as found */
    corpus_entry *e;
    size_t n;
} corpus_manifest;

/* Corpus directory (static storage), or NULL when absent. */
const char *corpus_dir(void);
/* The places looked at, for messages (static storage). */
const char *corpus_searched(void);

/* Parse <corpus>/hives/MANIFEST.tsv.  NULL when the corpus is absent (errbuf
 * gets "") or the manifest is malformed (errbuf says where). */
corpus_manifest *corpus_manifest_load(char *errbuf, size_t errsz);
void corpus_manifest_free(corpus_manifest *m);

int corpus_is_primary(const corpus_entry *e);
size_t corpus_count_primary(const corpus_manifest *m);
/* First entry whose relpath equals `relpath`, or NULL. */
const corpus_entry *corpus_find(const corpus_manifest *m, const char *relpath);

/* "<corpus>/<rel>" (malloc'd) when the corpus is present and that file is
 * readable, else NULL. */
char *corpus_path(const char *rel);

/* Print "SKIPPED: <what>: corpus not found at <places>" to stdout. */
void corpus_skip_note(const char *what);

#endif
