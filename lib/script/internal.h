/*
 * Internal declarations of lib/script/ (bf_script_run).  Not installed.
 *
 *   lex.c    one line of a .cmd file to words, as cmd.exe and then the
 *            programs' C runtime split it
 *   parse.c  the whole script to a list of checked commands, before
 *            anything runs; drive letters mapped onto directories
 *   run.c    bf_script_run: open each file once, apply every command in
 *            memory, commit once through the recipe layer's transaction
 *
 * Decisions (documented here and in bootfix(1)):
 *   - `%NAME%` is never expanded: the articles mean `%SystemRoot%` in
 *     `/d "%SystemRoot%\MEMORY.DMP"` literally (REG_EXPAND_SZ data), and on
 *     the repair machine cmd.exe's expansion would name the wrong system.
 *   - `<`, `>`, `|` and `&` outside quotes are refused: cmd.exe would treat
 *     them as redirections or command separators, and in the articles they
 *     are placeholders ("<broken-system>") that still need replacing.
 *   - A backslash directly before a quote is refused: the programs' C
 *     runtime reads `\"` as a literal quote, which is never what a path
 *     like "C:\dir\" means.
 *   - reg add and reg delete never prompt: without /f reg.exe would ask
 *     before overwriting or deleting; running the script is the answer.
 *   - `echo TEXT` lines are printed in order with the commands' output;
 *     `echo off` / `echo on` / `@echo off` are accepted and do nothing.
 *   - With a target and exactly one drive letter left without --map, that
 *     letter is the target's volume.
 */
#ifndef BOOTFIX_SCRIPT_INTERNAL_H
#define BOOTFIX_SCRIPT_INTERNAL_H

#include "bootfix/recipe.h"
#include "hive/internal.h"

#include <stddef.h>
#include <stdint.h>

#define SC_MAX_LINE BF_LIMIT_SCRIPT_LINE     /* characters per line (cmd.exe) */
#define SC_MAX_TEXT BF_LIMIT_SCRIPT_SIZE     /* bytes per script */
#define SC_MAX_LINES 100000u
#define SC_MAX_FILES 8                       /* hives and stores per script (RC_MAX_FILES) */

/* ---- lex.c ------------------------------------------------------------------------------ */

/* The words of one command line (malloc'd strings). */
typedef struct sc_words {
    char **v;
    size_t n, cap;
} sc_words;

/* cmd.exe's pass over a line: `^` outside quotes escapes the next
 * character (and is removed); quotes are kept; `<`, `>`, `|`, `&` outside
 * quotes, and a `^` ending the line, are refused.  *out malloc'd.
 * Errors (BF_ERR_INVALID) describe the problem without the line number. */
int sc_cmd_pass(const char *line, size_t len, char **out, bf_error *err);
/* The C runtime's split of a cmd-passed line into words: blanks separate
 * outside quotes, quotes group and are removed, `""` inside quotes is one
 * quote; a backslash run before a quote is refused (see above). */
int sc_split_words(const char *s, sc_words *w, bf_error *err);
/* Both passes. */
int sc_lex(const char *line, size_t len, sc_words *w, bf_error *err);
void sc_words_free(sc_words *w);

/* The first n bytes of s as a new string (strndup is not in mingw-w64). */
char *sc_strndup(const char *s, size_t n);
/* ASCII case-insensitive equality (command names, switches, hive names). */
int sc_ieq(const char *a, const char *b);

/* ---- parse.c ----------------------------------------------------------------------------- */

enum sc_kind {
    SC_REG_LOAD = 1,
    SC_REG_UNLOAD,
    SC_REG_ADD,
    SC_REG_DELETE,
    SC_BCDEDIT,
    SC_ECHO
};

enum sc_delete_what {
    SC_DEL_KEY = 0,    /* the key and its subtree */
    SC_DEL_VALUE = 1,  /* /v NAME or /ve */
    SC_DEL_ALL = 2     /* /va: every value of the key */
};

/* One hive file or store named by the script. */
typedef struct sc_file {
    int is_bcd;
    char letter;     /* 'F' */
    char *winpath;   /* as written: "F:\windows\system32\config\SYSTEM" */
    char *rel;       /* below the drive: "windows\system32\config\SYSTEM" */
    const char *dir; /* the directory the letter is mapped to (not owned) */
    size_t first_line;
} sc_file;

typedef struct sc_cmd {
    int kind;          /* enum sc_kind */
    size_t line;       /* 1-based */
    char *text;        /* the line as written, trimmed (for messages) */
    sc_words words;    /* the words of the command (after "reg"/"bcdedit") */
    size_t file;       /* index into files (reg commands on a hive, bcdedit) */
    /* reg */
    char *key;         /* below the hive root ("" = root) */
    char *value;       /* value name ("" = default value), NULL for none */
    int del;           /* enum sc_delete_what */
    uint32_t type;     /* reg add */
    uint8_t *data;
    size_t len;
    /* echo */
    char *echo;        /* text printed, NULL for echo off/on */
} sc_cmd;

typedef struct sc_script {
    sc_cmd *cmds;
    size_t ncmds, cap;
    sc_file files[SC_MAX_FILES];
    size_t nfiles;
} sc_script;

/* Parse and check the whole script.  Drive letters are mapped with o->maps
 * (and o->target, see above).  Errors: BF_ERR_INVALID / BF_ERR_LIMIT with
 * "NAME line N: 'text': reason", or a message naming unmapped letters. */
int sc_parse(const char *name, const char *text, size_t len, const bf_script_opts *o,
             sc_script *s, bf_error *err);
void sc_script_free(sc_script *s);

#endif
