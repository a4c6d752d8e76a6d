/*
 * cli.h — declarations shared by the files of the bootfix command-line tool.
 *
 * The CLI only parses arguments and prints; every hive operation goes through
 * the public API in include/bootfix/hive.h and include/bootfix/regtext.h.
 */
#ifndef BOOTFIX_CLI_H
#define BOOTFIX_CLI_H

#include "compiler.h"
#include "bootfix/hive.h"
#include "bootfix/target.h"
#include "bootfix/recipe.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef BOOTFIX_VERSION
#define BOOTFIX_VERSION "0.1.0"
#endif

/* exit statuses */
#define EXIT_OK 0
#define EXIT_ERR 1
#define EXIT_USAGE 2

/* Options accepted before the command (and, in long form, after it). */
struct cli_opts {
    int quiet;             /* -q, --quiet */
    int verbose;           /* -v (before the command), --verbose */
    int force;             /* --force: BF_OPEN_FORCE_DIRTY, overwrite outputs */
    int no_backup;         /* --no-backup */
    const char *root_name; /* --root-name: key path printed for the hive root */
    int dry_run;            /* --dry-run: plan only */
    int json;               /* --json: one JSON document on stdout */
    const char *backup_dir; /* --backup-dir DIR */
    const char *bcd_path;   /* --bcd PATH */
    const char *system_path;/* --system PATH */
};
extern struct cli_opts g_opt;

/* ---- help.c ------------------------------------------------------------------- */

/* Usage of "hive", "reg", "hive info", "reg add"...; topic NULL: everything.
 * Returns 0, or -1 when the topic is unknown. */
int cli_help(FILE *f, const char *topic);
/* "bootfix: <message>" and a pointer to the help of `topic`; returns EXIT_USAGE. */
int cli_usage_error(const char *topic, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(2, 3)
#endif
    ;

/* ---- util.c -------------------------------------------------------------------- */

/* "bootfix: <err->msg>" on stderr; returns EXIT_ERR. */
int cli_fail(const bf_error *err);
/* "bootfix: <formatted message>" on stderr; returns EXIT_ERR. */
int cli_failf(const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(1, 2)
#endif
    ;
/* Messages that -q silences (stdout). */
void cli_note(const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(1, 2)
#endif
    ;

/* Consume a global long option at argv[*i] (--force, --no-backup, --quiet,
 * --verbose, --root-name NAME, --root-name=NAME).  Returns 1 when consumed
 * (*i advanced past any argument), 0 when argv[*i] is not one, -1 on a
 * usage error (already reported, with `topic` for the help pointer). */
int cli_global_long(int argc, char **argv, int *i, const char *topic);

/* reg.exe switch: "/name" or "-name", case-insensitive. */
int cli_is_switch(const char *arg, const char *name);
/* Looks like a switch (starts with '-', or '/' with no other '/' and short). */
int cli_looks_like_switch(const char *arg);

int cli_file_exists(const char *path);
/* Whole file ("-" = stdin) into a malloc'd buffer. */
int cli_read_file(const char *path, uint8_t **buf, size_t *len, bf_error *err);
/* Write a buffer to path ("-" = stdout). */
int cli_write_file(const char *path, const uint8_t *buf, size_t len, bf_error *err);

/* FILETIME to "YYYY-MM-DDTHH:MM:SSZ" (out >= 32 bytes); 0 gives "(not set)". */
void cli_filetime_iso(uint64_t ft, char *out, size_t outlen);
/* Backup path beside `path`: PATH.bootfix-YYYYMMDDTHHMMSSZ.bak, made unique
 * with -2, -3... if taken.  malloc'd, NULL when out of memory. */
char *cli_backup_path(const char *path);

/* Flags for bf_hive_open from the global options plus `extra`. */
unsigned cli_open_flags(unsigned extra);
/* Commit `h`: to out_path (NULL = in place), with a backup beside `path`
 * when `backup` and not --no-backup.  Prints where the backup went. */
int cli_commit(bf_hive *h, const char *path, const char *out_path, int backup);

/* Key path printed for the hive root: --root-name as given (a bare NAME
 * becomes HKEY_LOCAL_MACHINE\NAME, HKLM\ etc. are spelled out), else
 * "HKEY_LOCAL_MACHINE\" + FILE's base name uppercased.  malloc'd. */
char *cli_root_prefix(const char *file);
/* KEY as typed, made relative to the hive root: a leading root such as
 * "HKLM\SYSTEM\" or "HKEY_LOCAL_MACHINE\SYSTEM\" is removed, leading and
 * trailing '\' are removed.  malloc'd. */
char *cli_key_relative(const char *key);
/* prefix + "\" + rel (or prefix alone when rel is empty).  malloc'd. */
char *cli_join_key(const char *prefix, const char *rel);

/* "1.3" .. "1.6" to the minor version number; 0 for anything else (cmd_hive.c). */
unsigned cli_parse_version(const char *s);

/* ---- reg argument parsing (cmd_reg.c) ------------------------------------------- */

enum reg_switch {
    RS_V = 1u << 0,     /* /v NAME */
    RS_VE = 1u << 1,    /* /ve */
    RS_VA = 1u << 2,    /* /va */
    RS_S = 1u << 3,     /* /s (query: recursive) */
    RS_SEP = 1u << 4,   /* /s SEP (add: separator) */
    RS_T = 1u << 5,     /* /t TYPE */
    RS_D = 1u << 6,     /* /d DATA */
    RS_F = 1u << 7,     /* /f */
    RS_Y = 1u << 8,     /* /y */
    RS_UTF8 = 1u << 9,  /* --utf8 */
    RS_NEW = 1u << 10   /* --new, --version V, --root NAME */
};

struct reg_args {
    const char *pos[4]; /* positional arguments in order */
    int npos;
    unsigned seen;      /* enum reg_switch bits given */
    const char *value;  /* /v NAME ("" with /ve) */
    const char *type;   /* /t */
    const char *data;   /* /d */
    const char *sep;    /* /s SEP */
    unsigned minor;     /* --version (default 5) */
    const char *root;   /* --root (default ROOT) */
};

/* Parse argv[1..] of a reg subcommand (argv[0] is its name).  `allow` is the
 * set of enum reg_switch accepted; npos_min..npos_max positionals.  Returns 0,
 * -1 after a usage error was printed, -2 when help was printed. */
int reg_parse(int argc, char **argv, const char *topic, unsigned allow, int npos_min,
              int npos_max, struct reg_args *a);

/* ---- json.c: the --json writer ------------------------------------------------- */

#define CLI_JSON_MAXDEPTH 16
typedef struct cli_json {
    FILE *f;
    int depth;
    int count[CLI_JSON_MAXDEPTH + 1]; /* items written at each depth */
} cli_json;

/* Usage: cli_json_begin(&j, stdout); cli_json_object(&j, NULL); ...
 * cli_json_str(&j, "key", "v"); cli_json_array(&j, "list"); cli_json_str(&j,
 * NULL, "item"); cli_json_end_array(&j); cli_json_end_object(&j).  Keys are
 * NULL inside arrays.  A NULL string value is written as null. */
void cli_json_begin(cli_json *j, FILE *f);
void cli_json_object(cli_json *j, const char *key);
void cli_json_array(cli_json *j, const char *key);
void cli_json_end_object(cli_json *j);
void cli_json_end_array(cli_json *j);
void cli_json_str(cli_json *j, const char *key, const char *v);
void cli_json_uint(cli_json *j, const char *key, uint64_t v);
void cli_json_int(cli_json *j, const char *key, int64_t v);
void cli_json_bool(cli_json *j, const char *key, int v);
void cli_json_null(cli_json *j, const char *key);
/* A JSON string literal with escapes. */
void cli_json_string_raw(FILE *f, const char *s);

/* ---- target.c: the target argument ------------------------------------------------- */

/* Open the target TARGET (with --bcd/--system).  On failure prints the
 * error and returns NULL. */
bf_target *cli_open_target(const char *spec);
/* Progress on stderr for long copies, only when stderr is a terminal and
 * not -q: "copying ... 45% (1.2 GiB of 2.7 GiB)". ctx is a label string. */
void cli_progress(void *ctx, uint64_t done, uint64_t total);

/* ---- commands ------------------------------------------------------------------ */

int cmd_hive(int argc, char **argv); /* argv[0] is "hive" */
int cmd_reg(int argc, char **argv);  /* argv[0] is "reg" */
int cmd_reg_query(int argc, char **argv); /* argv[0] is "query" (reg_query.c) */
int cmd_bcdedit(int argc, char **argv); /* argv[0] is "bcdedit" (cmd_bcdedit.c) */
int cmd_find_dump(int argc, char **argv); /* argv[0] is "find-dump" (cmd_dump.c) */
int cmd_script(int argc, char **argv);    /* argv[0] is "script" (cmd_script.c) */
int cmd_recipe(int argc, char **argv);    /* enable-dump, serial-console, ... (cmd_recipe.c) */
int cmd_status(int argc, char **argv);    /* argv[0] is "status" (cmd_status.c) */
int cmd_undo(int argc, char **argv);      /* argv[0] is "undo" (cmd_recipe.c) */
int cmd_recipes(int argc, char **argv);   /* argv[0] is "recipes" (cmd_recipe.c) */
/* Print a bf_run_result as text or (--json) JSON (run_output.c); returns
 * `status` unchanged, after printing `err` on failure. */
int cli_print_run(const bf_run_result *res, int status, const bf_error *err);

#endif
