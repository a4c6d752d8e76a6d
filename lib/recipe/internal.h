/*
 * Internal declarations shared by the modules of lib/recipe/ and lib/script/.
 * Not installed.
 *
 *   result.c    building a bf_run_result (changes, found, warnings) and the
 *               text of registry values and journal entries
 *   txn.c       one write session: backups, journal, atomic commits, read-back
 *   journal.c   the journal file format; finding the newest journal
 *   hivediff.c  differences between two states of a hive (journal entries)
 *   undo.c      bf_undo
 *   engine.c    bf_recipe_run: plans a recipe's steps and applies them
 *   recipes.c   the recipe tables
 *   status.c    bf_status_collect
 */
#ifndef BOOTFIX_RECIPE_INTERNAL_H
#define BOOTFIX_RECIPE_INTERNAL_H

#include "bootfix/recipe.h"
#include "hive/internal.h" /* bf_fail, bf_fail_sys */
#include "hive/regfile_util.h"

#define RC_BACKUP_DIRNAME "bootfix-backup"
#define RC_JOURNAL_NAME "journal.txt"
#define RC_MAX_FILES 8

/* ---- result.c ------------------------------------------------------------------------ */

/* Append a change (strings copied; any may be NULL).  0, or BF_ERR_NOMEM. */
int rc_add_change(bf_run_result *res, int kind, int state, const char *file, const char *where,
                  const char *name, const char *old_text, const char *new_text,
                  const char *note, bf_error *err);
/* Append a printf-formatted line to res->found / res->warnings / res->written. */
int rc_add_found(bf_run_result *res, bf_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;
int rc_add_warning(bf_run_result *res, bf_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;
int rc_add_written(bf_run_result *res, const char *path, bf_error *err);

/* A registry value as one line: "REG_DWORD 0x2 (2)", "REG_EXPAND_SZ
 * %SystemRoot%\MEMORY.DMP", "REG_BINARY 01 02"; "absent" when !present.
 * malloc'd (NULL when out of memory). */
char *rc_reg_text(int present, uint32_t type, const uint8_t *data, size_t len);

/* A journal entry as a change: registry values and keys as such; in a BCD
 * store (`store` not NULL), Objects\{id}\Elements\xxxxxxxx\Element as the
 * element's bcdedit name and value text.  `reverse`: old and new swapped
 * (for undo).  state: enum bf_change_state. */
int rc_change_from_entry(bf_run_result *res, const bf_journal *j, const bf_journal_entry *e,
                         bf_bcd *store, int reverse, int state, const char *note, bf_error *err);

/* An element's value as bcdedit shows it ("Yes", "Minimal", "10"), list
 * items joined with ", "; "absent" when !present.  flags: BF_BCD_VERBOSE
 * shows GUIDs instead of aliases.  malloc'd. */
char *rc_bcd_text(bf_bcd *s, const bf_guid *g, uint32_t objtype, uint32_t code, int present,
                  uint32_t type, const uint8_t *data, size_t len, unsigned flags);

/* "20261121T100502.123456Z" (UTC now, microseconds); buf >= 24 bytes. */
void rc_utc_stamp(char *buf, size_t len);
/* "2026-11-21T10:05:02Z" (UTC now); buf >= 21 bytes. */
void rc_utc_iso(char *buf, size_t len);

/* ---- txn.c ---------------------------------------------------------------------------- */

/* One file written by a run. */
struct rc_file {
    char label[16];  /* "SYSTEM", "SOFTWARE", "BCD" */
    char *path;      /* the file (malloc'd) */
    bf_hive *before; /* the state before the run (opened by rc_txn_add; owned) */
    bf_hive *after;  /* the edited image (opened by the caller; NOT closed by the txn) */
};

struct rc_txn {
    const char *title;       /* "enable-dump", "safeboot on", "undo", "script a.cmd" */
    const char *backup_root; /* folder holding the backup folders
                                (<target>/bootfix-backup), used when o->backup_dir is NULL */
    const bf_target *t;      /* may be NULL; for the writability check */
    const bf_run_opts *o;
    const char *reverts;     /* undo: the journal being reverted, else NULL */
    bf_journal *reverted;    /* undo: that journal, marked "undone by" the new journal
                                in the same commit (unmarked again if the commit fails) */
    struct rc_file files[RC_MAX_FILES];
    size_t nfiles;
};

/* Register a file the run edits.  `after` is the caller's writable handle;
 * the before-state is opened here from `path` with `open_flags` minus
 * BF_OPEN_WRITE (so that the same logs are replayed).  0 or an error. */
int rc_txn_add(struct rc_txn *x, const char *label, const char *path, bf_hive *after,
               unsigned open_flags, bf_error *err);

/* Write every registered file whose image differs from its before-state:
 *   1. bf_target_check_writable on the files and the backup folder;
 *   2. create the backup folder (<backup_root>/<UTC stamp>-<title>, made
 *      unique, or o->backup_dir) and copy each file and its .LOG/.LOG1/.LOG2
 *      into it (unless o->no_backup);
 *   3. journal = bf_journal_diff of each file; write it ("committed" 0);
 *   4. bf_hive_commit each file; mark it committed in the journal;
 *   5. re-open each written file and check that its differences from the
 *      before-state are exactly the journal's entries (BF_ERR_VERIFY if not).
 * Fills res->backup_dir, res->journal_path, res->written.  Writes nothing
 * and returns BF_OK when no file differs.  On failure the message names the
 * step and file; files committed before the failure are listed in it. */
int rc_txn_commit(struct rc_txn *x, bf_run_result *res, bf_error *err);
/* Close the before-states and free paths (not the caller's handles). */
void rc_txn_free(struct rc_txn *x);

/* Copy a file byte for byte into a new file (never overwriting); 0 or an error. */
int rc_copy_file(const char *from, const char *to, bf_error *err);

/* ---- journal.c ------------------------------------------------------------------------- */

/* Append an entry (copies the strings and data).  0 or BF_ERR_NOMEM. */
int rc_journal_add(bf_journal *j, size_t file, int op, const char *key, const char *value,
                   int old_present, uint32_t old_type, const uint8_t *old_data, size_t old_len,
                   int new_present, uint32_t new_type, const uint8_t *new_data, size_t new_len,
                   bf_error *err);
/* Append a file; *index gets its position. */
int rc_journal_add_file(bf_journal *j, const char *label, const char *path, const char *backup,
                        size_t *index, bf_error *err);

/* ---- engine / status shared reading helpers (engine.c) ------------------------------------ */

/* Names of the ControlSetNNN keys of a SYSTEM hive (sorted), and the number
 * Select\Current names (0 when absent).  *names malloc'd array of malloc'd. */
int rc_control_sets(bf_hive *h, char ***names, size_t *count, uint32_t *current, bf_error *err);
void rc_strv_free(char **v, size_t n);

#endif
