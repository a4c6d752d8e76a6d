/*
 * bootfix/recipe.h — named repairs as tables of changes, with backups, a
 * journal and undo; the status of a target; article scripts.
 *
 * A recipe is data: a list of steps (set or delete a registry value in
 * every control set, set or delete a BCD element of {bootmgr} or of the
 * entry that boots, ...).  One engine plans every recipe against the
 * current state (old -> new, or "already set"), and, unless it is a dry
 * run, checks that the files can be written, copies them and their logs
 * into a backup folder, records a journal of every change, commits each
 * file atomically and reads it back.  `bf_undo` reverts a journal.
 *
 * The product specification of every recipe: ../shared/reference/recipes.md.
 */
#ifndef BOOTFIX_RECIPE_H
#define BOOTFIX_RECIPE_H

#include "bootfix/bcd.h"
#include "bootfix/hive.h"
#include "bootfix/target.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- recipes as data ------------------------------------------------------------ */

enum bf_step_op {
    BF_STEP_REG_SET = 1,     /* value `value` of `key` := `type` + `data` (reg.exe /d text) */
    BF_STEP_REG_DELETE,      /* delete value `value` of `key` */
    BF_STEP_REG_RESTORE,     /* back to what the newest journal of `restore_from`
                                recorded as the old state; without one, `data`
                                (if not NULL), else leave it */
    BF_STEP_BCD_SET,         /* element `element` of `object` := `data` (bcdedit text) */
    BF_STEP_BCD_DELETE,      /* delete the element (its whole Elements\xxxxxxxx key) */
    BF_STEP_BCD_RESTORE,     /* as BF_STEP_REG_RESTORE, for an element */
    BF_STEP_BCD_ENSURE_OBJECT, /* create `object` with type `objtype` if missing */
    BF_STEP_BCD_LIST_ADD     /* add the id `data` to the list element `element` of
                                `object`, only when that list exists and lacks it */
};

typedef struct bf_recipe_step {
    unsigned op;          /* enum bf_step_op */
    const char *when;     /* NULL: always; "NAME": parameter NAME is given;
                             "!NAME": it is not; "NAME=WORD": it is WORD */
    /* registry steps */
    const char *hive;     /* "SYSTEM" or "SOFTWARE" */
    const char *key;      /* under the hive root; "{controlset}\..." means every
                             existing ControlSetNNN (none is ever created) */
    const char *value;    /* value name */
    uint32_t type;        /* enum bf_reg_type for REG_SET */
    /* BCD steps */
    const char *object;   /* "{bootmgr}", "{emssettings}", "{globalsettings}", or
                             "{entry}": --entry, else the store's {default} */
    const char *element;  /* bcdedit element name ("ems", "timeout") */
    uint32_t objtype;     /* BCD_ENSURE_OBJECT */
    /* both */
    const char *data;     /* value text; "$NAME" is parameter NAME's data */
    const char *restore_from; /* RESTORE: "serial-console on" */
} bf_recipe_step;

typedef struct bf_recipe_choice {
    const char *word; /* what the user types: "kernel" */
    const char *data; /* what "$NAME" becomes: "2" */
} bf_recipe_choice;

enum bf_param_flags {
    BF_PARAM_SWITCH = 1u << 0,     /* --no-autoreboot: takes no argument; data "1" */
    BF_PARAM_POSITIONAL = 1u << 1, /* a word before the target (safeboot's mode) */
    BF_PARAM_NUMBER = 1u << 2,     /* a decimal number */
    BF_PARAM_BCD_ID = 1u << 3      /* a BCD identifier ({guid} or alias) */
};

typedef struct bf_recipe_param {
    const char *name;     /* "type" is given as --type WORD */
    const char *def;      /* default word, or NULL: not given */
    const bf_recipe_choice *choices; /* NULL: any text (data = the text) */
    size_t nchoices;
    unsigned flags;       /* enum bf_param_flags */
    const char *requires; /* another parameter this one needs ("dedicated-dump-file") */
    const char *help;     /* one line */
    uint64_t min, max;    /* BF_PARAM_NUMBER range */
} bf_recipe_param;

enum bf_recipe_needs {
    BF_NEEDS_SYSTEM = 1u << 0,
    BF_NEEDS_BCD = 1u << 1
};

enum bf_recipe_checks {
    /* page file configuration and free space against a memory dump */
    BF_CHECK_DUMP_SPACE = 1u << 0
};

typedef struct bf_recipe {
    const char *name;     /* "serial-console" */
    const char *mode;     /* "on", "off", or NULL for recipes without one */
    const char *summary;  /* one line for `bootfix recipes` */
    const char *source;   /* the article section it implements */
    const bf_recipe_param *params;
    size_t nparams;
    const bf_recipe_step *steps;
    size_t nsteps;
    unsigned needs;       /* enum bf_recipe_needs */
    unsigned checks;      /* enum bf_recipe_checks: reported, never changed */
    const char *next;     /* what to do next, printed after applying */
} bf_recipe;

/* Every recipe, in the order `bootfix recipes` lists them. */
const bf_recipe *bf_recipe_list(size_t *count);
/* By name and mode (mode NULL for recipes without one); NULL if unknown. */
const bf_recipe *bf_recipe_find(const char *name, const char *mode);
/* "serial-console on" / "enable-dump", written into buf. */
const char *bf_recipe_title(const bf_recipe *r, char *buf, size_t len);

/* ---- running ----------------------------------------------------------------------- */

typedef struct bf_recipe_arg {
    const char *name;  /* parameter name ("type"); a positional one by its name too */
    const char *value; /* word as typed ("kernel"); "1" for switches */
} bf_recipe_arg;

typedef struct bf_run_opts {
    const bf_recipe_arg *args;
    size_t nargs;
    int dry_run;            /* plan only: nothing is written */
    int force;              /* write to a hibernated target, a dirty hive whose logs
                               are lost, over conflicts in undo; allow no_backup */
    int no_backup;          /* no copies of the files (the journal is still kept) */
    const char *backup_dir; /* NULL: <target>/bootfix-backup/<UTC>-<recipe>/ */
    int no_libregf;         /* skip the libregf cross-check of written files */
} bf_run_opts;

enum bf_change_kind {
    BF_CHANGE_REG_VALUE = 1,
    BF_CHANGE_BCD_ELEMENT = 2,
    BF_CHANGE_BCD_OBJECT = 3,
    BF_CHANGE_KEY = 4         /* a key created or deleted (scripts, undo) */
};

enum bf_change_state {
    BF_CHANGE_CHANGED = 1,  /* changed (or, in a dry run, would be) */
    BF_CHANGE_ALREADY = 2,  /* already had the wanted state: not rewritten */
    BF_CHANGE_LEFT = 3,     /* deliberately left as is: see note */
    BF_CHANGE_CONFLICT = 4  /* undo: changed since by something else */
};

typedef struct bf_change {
    int kind;        /* enum bf_change_kind */
    int state;       /* enum bf_change_state */
    char *file;      /* "SYSTEM", "BCD" (label of the file) */
    char *where;     /* "ControlSet001\Control\CrashControl", "{bootmgr}",
                        "{default} {e9f8...}" */
    char *name;      /* value or element name */
    char *old_text;  /* "absent", "REG_DWORD 0x2 (2)", "Yes" */
    char *new_text;
    char *note;      /* why LEFT or CONFLICT, else NULL */
} bf_change;

typedef struct bf_run_result {
    char *title;            /* "enable-dump", "safeboot on", "undo", "script x.cmd" */
    bf_change *changes;
    size_t nchanges;
    size_t nchanged;        /* changes in state CHANGED */
    char **found;           /* what was found: "SYSTEM hive: PATH (regf 1.5, clean)" */
    size_t nfound;
    char **warnings;        /* things the user must know: "the page file is on D: ..." */
    size_t nwarnings;
    char **written;         /* files written */
    size_t nwritten;
    char *backup_dir;       /* NULL when nothing was written */
    char *journal_path;     /* NULL when nothing was written */
    char *output;           /* script: what the commands printed; else NULL */
    const char *next;       /* what to do next (recipe table), or NULL */
    int dry_run;
} bf_run_result;

/* Plan and (unless dry_run) apply a recipe.  `res` is filled as far as the
 * run got, also on failure (what was found, the plan).  On failure nothing
 * was written, or the message says exactly which file was written. */
int bf_recipe_run(const bf_recipe *r, bf_target *t, const bf_run_opts *o, bf_run_result *res,
                  bf_error *err);
void bf_run_result_free(bf_run_result *res);

/* Revert a journal: `journal` NULL means the newest one of the target that
 * has not been undone.  Each value and element goes back to its recorded
 * old state (absent ones are deleted).  A value changed since by something
 * else is a conflict: refused (nothing written) unless o->force.  The undo
 * itself is backed up and journaled; the reverted journal is marked undone. */
int bf_undo(bf_target *t, const char *journal, const bf_run_opts *o, bf_run_result *res,
            bf_error *err);

/* ---- journals ------------------------------------------------------------------------ */

enum bf_journal_op {
    BF_J_KEY_ADD = 1, /* a key was created */
    BF_J_KEY_DEL = 2, /* a key was deleted (after its values and subkeys) */
    BF_J_VALUE = 3    /* a value changed: old and new state */
};

typedef struct bf_journal_file {
    char *label;  /* "SYSTEM", "BCD" */
    char *path;   /* the file written */
    char *backup; /* its copy in the backup folder, or NULL (--no-backup) */
    int committed;/* the new file is in place */
} bf_journal_file;

typedef struct bf_journal_entry {
    size_t file;  /* index into files */
    int op;       /* enum bf_journal_op */
    char *key;    /* path under the hive root ("ControlSet001\Control\CrashControl") */
    char *value;  /* value name for BF_J_VALUE ("" = default value) */
    int old_present, new_present;
    uint32_t old_type, new_type;
    uint8_t *old_data, *new_data;
    size_t old_len, new_len;
} bf_journal_entry;

typedef struct bf_journal {
    char *path;      /* where it was read from / written to */
    char *recipe;    /* "enable-dump", "serial-console on", "undo", "script NAME" */
    char *created;   /* "2026-11-21T10:00:00Z" */
    char *target;    /* target root */
    char *reverts;   /* for an undo: the journal it reverted, else NULL */
    char *undone;    /* set when reverted: time and the undo's journal */
    bf_journal_file *files;
    size_t nfiles;
    bf_journal_entry *entries;
    size_t nentries;
} bf_journal;

int bf_journal_read(const char *path, bf_journal *j, bf_error *err);
/* Atomic (temporary file, flush, rename). */
int bf_journal_write(const char *path, const bf_journal *j, bf_error *err);
void bf_journal_free(bf_journal *j);
/* The newest journal under `backup_root` (a bootfix-backup folder): by
 * folder name (UTC time stamps sort), skipping undone ones and undos unless
 * `any`; when `recipe` is not NULL, only journals of that recipe.
 * BF_ERR_NOT_FOUND when there is none. */
int bf_journal_find_latest(const char *backup_root, const char *recipe, int any, char **path,
                           bf_error *err);
/* Append to `j` the differences between two states of one hive file:
 * keys created and deleted, values changed (with old and new state). */
int bf_journal_diff(bf_hive *before, bf_hive *after, size_t file, bf_journal *j, bf_error *err);

/* ---- status ------------------------------------------------------------------------------ */

typedef struct bf_status_item {
    char *section;       /* "windows", "system hive", "control set ControlSet001",
                            "page files", "bcd", "default entry", "hibernation", "journal" */
    char *name;          /* "CrashDumpEnabled" */
    char *value;         /* "2 (kernel)"; "absent" */
} bf_status_item;

/* Everything the recipes touch, as (section, name, value) lines in display
 * order.  Parts that cannot be read become items saying why; only a
 * target that cannot be read at all is an error. */
int bf_status_collect(bf_target *t, bf_status_item **items, size_t *count, bf_error *err);
void bf_status_free(bf_status_item *items, size_t count);

/* ---- article scripts ------------------------------------------------------------------------ */

typedef struct bf_drive_map_entry {
    char letter;     /* 'F' */
    const char *dir; /* "/mnt/f" */
} bf_drive_map_entry;

typedef struct bf_script_opts {
    const bf_drive_map_entry *maps; /* --map F:=/mnt/f */
    size_t nmaps;
    bf_target *target;   /* may be NULL: with one drive letter in the script and no
                            --map, that letter is the target; backups go to the target */
    bf_run_opts run;     /* dry_run, force, no_backup, backup_dir */
} bf_script_opts;

/* Run a command block of an article as written: `reg load HKLM\NAME PATH`,
 * `reg add ...`, `reg delete ...`, `reg unload HKLM\NAME`, `bcdedit /store
 * PATH ...`, `REM`, `::` and blank lines.  Every line is parsed first; any
 * other line is refused with its line number before anything is written.
 * Paths with drive letters are mapped onto the directories of `o->maps`.
 * All edits of one file are committed once, with backups and a journal, as
 * a recipe is.  `name` is used in messages. */
int bf_script_run(const char *name, const char *text, size_t len, const bf_script_opts *o,
                  bf_run_result *res, bf_error *err);

#ifdef __cplusplus
}
#endif

#endif
