/*
 * test_script.c — `bootfix script`: article command blocks (lib/script/).
 *
 *   - lexer: quotes group and are removed, "" inside quotes, ^ escapes,
 *     %SystemRoot% kept literally; refused: < > | & outside quotes, \",
 *     an unclosed quote, a trailing ^;
 *   - parser: every accepted form (reg load/add/delete/unload with each
 *     switch, bcdedit /store, REM, rem, ::, echo, @, blank lines, CRLF, BOM,
 *     reg.exe / bcdedit.exe, any case) and every refusal with its line
 *     number; drive letter mapping (--map, the target, several letters);
 *   - runner on a generated volume (SYSTEM hive with ControlSet001 made with
 *     the hive API, BCD store made with bcdedit commands): the "Enable dump
 *     log and Serial Console" block of troubleshoot-rdp-safe-mode.md, every
 *     value read back with hivex and libregf and every element with the BCD
 *     API; reg delete forms; a bad line N and a run-time failure leave the
 *     files byte-identical; a dry run writes nothing; a missing store or
 *     hive is reported with the line and a --map hint.
 */
#include "common/files.h"
#include "common/oracle.h"
#include "common/runner.h"

#include "bootfix/bcd.h"
#include "bootfix/recipe.h"
#include "bootfix/target.h"
#include "script/internal.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOADER "{11111111-2222-3333-4444-555555555555}"
#define BOOTMGR "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
#define EMSSETTINGS "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}"

/* ---- helpers ------------------------------------------------------------------------------ */

static const bf_drive_map_entry F_MAP[] = {{'F', "/nonexistent/f"}};

static bf_script_opts opts_f(void)
{
    bf_script_opts o;
    memset(&o, 0, sizeof o);
    o.maps = F_MAP;
    o.nmaps = 1;
    return o;
}

static int parse_text(const char *text, const bf_script_opts *o, sc_script *s, bf_error *err)
{
    memset(err, 0, sizeof *err);
    return sc_parse("t.cmd", text, strlen(text), o, s, err);
}

/* The script must be refused with `code` and a message holding "line N" and `what`. */
static void refused(const char *text, int code, size_t line, const char *what)
{
    bf_script_opts o = opts_f();
    sc_script s;
    bf_error err;
    char want[64];
    int rc = parse_text(text, &o, &s, &err);
    ck_assert_msg(rc == code, "script accepted or wrong code %d (want %d): %s\n---\n%s", rc, code,
                  err.msg, text);
    snprintf(want, sizeof want, "t.cmd line %zu: ", line);
    ck_assert_msg(strstr(err.msg, want), "message lacks '%s': %s", want, err.msg);
    ck_assert_msg(strstr(err.msg, what), "message lacks '%s': %s", what, err.msg);
}

static void lex_ok(const char *line, size_t n, const char *const *want)
{
    sc_words w;
    bf_error err;
    size_t i;
    memset(&err, 0, sizeof err);
    ck_assert_msg(sc_lex(line, strlen(line), &w, &err) == BF_OK, "%s: %s", line, err.msg);
    ck_assert_msg(w.n == n, "%s: %zu words, want %zu", line, w.n, n);
    for (i = 0; i < n; i++)
        ck_assert_msg(strcmp(w.v[i], want[i]) == 0, "%s: word %zu is [%s], want [%s]", line, i,
                      w.v[i], want[i]);
    sc_words_free(&w);
}

static void lex_bad(const char *line, const char *what)
{
    sc_words w;
    bf_error err;
    memset(&err, 0, sizeof err);
    ck_assert_msg(sc_lex(line, strlen(line), &w, &err) == BF_ERR_INVALID, "accepted: %s", line);
    ck_assert_msg(strstr(err.msg, what), "%s: message lacks '%s': %s", line, what, err.msg);
}

/* UTF-16LE + NUL of an ASCII string */
static size_t utf16z(const char *s, uint8_t *out)
{
    size_t i, n = strlen(s);
    for (i = 0; i < n; i++) {
        out[2 * i] = (uint8_t)s[i];
        out[2 * i + 1] = 0;
    }
    out[2 * n] = out[2 * n + 1] = 0;
    return 2 * n + 2;
}

/* ---- lexer -------------------------------------------------------------------------------- */

START_TEST(lex_words)
{
    static const char *const w1[] = {"reg", "add",
                                     "HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl",
                                     "/v", "DumpFile", "/d", "%SystemRoot%\\MEMORY.DMP", "/f"};
    static const char *const w2[] = {"a", "b c", "d"};
    static const char *const w3[] = {"ab", "", "x\\y\\z"};
    static const char *const w4[] = {"say", "a \"q\" b"};
    static const char *const w5[] = {"a&b", "<x>", "c|d", "e^f"};
    static const char *const w6[] = {"bcdedit", "/store", "F:\\boot\\bcd", "/set", "{bootmgr}",
                                     "timeout", "5"};
    lex_ok("reg add \"HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl\" /v DumpFile "
           "/d \"%SystemRoot%\\MEMORY.DMP\" /f", 8, w1);
    lex_ok("  a \t\"b c\"   d  ", 3, w2);
    lex_ok("\"a\"b \"\" x\\y\\z", 3, w3);
    lex_ok("say \"a \"\"q\"\" b\"", 2, w4);
    lex_ok("a^&b ^<x^> \"c|d\" \"e^f\"", 4, w5);
    lex_ok("bcdedit /store F:\\boot\\bcd /set {bootmgr} timeout 5", 7, w6);
}
END_TEST

START_TEST(lex_refusals)
{
    lex_bad("reg add HKLM\\X > out.txt", "output redirection");
    lex_bad("reg load HKLM\\<broken-system> F:\\x", "placeholder");
    lex_bad("bcdedit /store F:\\boot\\bcd /enum | find x", "pipe");
    lex_bad("reg add HKLM\\X & del x", "command separator");
    lex_bad("reg load HKLM\\B \"F:\\dir\\\"", "backslash stands right before a quote");
    lex_bad("reg add \"HKLM\\X /f", "quote is not closed");
    lex_bad("reg add HKLM\\X ^", "'^' ends the line");
}
END_TEST

/* ---- parser: accepted forms ------------------------------------------------------------------- */

START_TEST(parse_accepted)
{
    static const char text[] =
        "\xEF\xBB\xBF@echo off\r\n"                                            /* 1 */
        "REM Enable dump log\r\n"                                              /* 2 */
        ":: a comment with <placeholders> & \"odd quotes\r\n"                  /* 3 */
        "rem\r\n"                                                              /* 4 */
        "\r\n"                                                                 /* 5 */
        "   \t\r\n"                                                            /* 6 */
        "REG LOAD HKLM\\BROKENSYSTEM F:\\windows\\system32\\config\\SYSTEM\r\n" /* 7 */
        "reg.exe add \"HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl\" /v "
        "CrashDumpEnabled /t REG_DWORD /d 1 /f\r\n"                            /* 8 */
        "Reg Add \"HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl\" /v DumpFile "
        "/t REG_EXPAND_SZ /d \"%SystemRoot%\\MEMORY.DMP\" /f\n"               /* 9 */
        "reg add HKEY_LOCAL_MACHINE\\brokensystem\\New\\Key\\\n"               /* 10 */
        "reg add HKLM\\BROKENSYSTEM\\K /ve /d \"default data\"\n"              /* 11 */
        "reg add HKLM\\BROKENSYSTEM\\K -v Multi -t reg_multi_sz -s , -d a,b\n" /* 12 */
        "reg add HKLM\\BROKENSYSTEM\\K /v Bin /t REG_BINARY /d 0102ff /f\n"    /* 13 */
        "reg delete HKLM\\BROKENSYSTEM\\K /v Bin /f\n"                         /* 14 */
        "reg delete HKLM\\BROKENSYSTEM\\K /ve\n"                               /* 15 */
        "reg delete HKLM\\BROKENSYSTEM\\K /va /f\n"                            /* 16 */
        "reg delete HKLM\\BROKENSYSTEM\\New /f\n"                              /* 17 */
        "@bcdedit.exe /store F:\\boot\\bcd /set {bootmgr} timeout 5\n"         /* 18 */
        "BCDEDIT /STORE \"F:\\Boot\\BCD\" /ems {default} ON\n"                 /* 19 */
        "echo Done: 100%\n"                                                    /* 20 */
        "echo.\n"                                                              /* 21 */
        "reg unload HKLM\\BROKENSYSTEM\n"                                      /* 22 */
        "reg load HKLM\\BROKENSYSTEM F:\\Windows\\System32\\config\\system\n"  /* 23: same file */
        "reg unload HKLM\\BROKENSYSTEM";                                       /* 24, no newline */
    bf_script_opts o = opts_f();
    sc_script s;
    bf_error err;
    uint8_t want[128];
    size_t n;
    const sc_cmd *c;

    ck_assert_msg(parse_text(text, &o, &s, &err) == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(s.ncmds, 18);
    ck_assert_uint_eq(s.nfiles, 2);
    ck_assert(!s.files[0].is_bcd);
    ck_assert_int_eq(s.files[0].letter, 'F');
    ck_assert_str_eq(s.files[0].rel, "windows\\system32\\config\\SYSTEM");
    ck_assert_str_eq(s.files[0].dir, "/nonexistent/f");
    ck_assert(s.files[1].is_bcd);
    ck_assert_str_eq(s.files[1].rel, "boot\\bcd");

    c = &s.cmds[0];
    ck_assert_int_eq(c->kind, SC_REG_LOAD);
    ck_assert_uint_eq(c->line, 7);
    c = &s.cmds[1];
    ck_assert_int_eq(c->kind, SC_REG_ADD);
    ck_assert_uint_eq(c->line, 8);
    ck_assert_str_eq(c->key, "ControlSet001\\Control\\CrashControl");
    ck_assert_str_eq(c->value, "CrashDumpEnabled");
    ck_assert_uint_eq(c->type, BF_REG_DWORD);
    ck_assert_uint_eq(c->len, 4);
    ck_assert(c->data[0] == 1 && c->data[1] == 0 && c->data[2] == 0 && c->data[3] == 0);
    c = &s.cmds[2];
    ck_assert_uint_eq(c->type, BF_REG_EXPAND_SZ);
    n = utf16z("%SystemRoot%\\MEMORY.DMP", want);
    ck_assert_uint_eq(c->len, n);
    ck_assert(memcmp(c->data, want, n) == 0);
    c = &s.cmds[3]; /* key only, trailing backslash dropped */
    ck_assert_str_eq(c->key, "New\\Key");
    ck_assert_ptr_null(c->value);
    c = &s.cmds[4];
    ck_assert_str_eq(c->value, "");
    ck_assert_uint_eq(c->type, BF_REG_SZ);
    n = utf16z("default data", want);
    ck_assert_uint_eq(c->len, n);
    c = &s.cmds[5];
    ck_assert_uint_eq(c->type, BF_REG_MULTI_SZ);
    ck_assert_uint_eq(c->len, 10); /* a\0 b\0 \0 */
    c = &s.cmds[6];
    ck_assert_uint_eq(c->len, 3);
    ck_assert(c->data[2] == 0xff);
    ck_assert_int_eq(s.cmds[7].kind, SC_REG_DELETE);
    ck_assert_int_eq(s.cmds[7].del, SC_DEL_VALUE);
    ck_assert_str_eq(s.cmds[7].value, "Bin");
    ck_assert_int_eq(s.cmds[8].del, SC_DEL_VALUE);
    ck_assert_str_eq(s.cmds[8].value, "");
    ck_assert_int_eq(s.cmds[9].del, SC_DEL_ALL);
    ck_assert_int_eq(s.cmds[10].del, SC_DEL_KEY);
    ck_assert_str_eq(s.cmds[10].key, "New");
    c = &s.cmds[11];
    ck_assert_int_eq(c->kind, SC_BCDEDIT);
    ck_assert_uint_eq(c->line, 18);
    ck_assert_uint_eq(c->file, 1);
    ck_assert_str_eq(c->words.v[0], "bcdedit.exe");
    ck_assert_uint_eq(c->words.n, 7);
    ck_assert_uint_eq(s.cmds[12].file, 1); /* same store, other spelling */
    ck_assert_int_eq(s.cmds[13].kind, SC_ECHO);
    ck_assert_str_eq(s.cmds[13].echo, "Done: 100%");
    ck_assert_str_eq(s.cmds[14].echo, "");
    ck_assert_int_eq(s.cmds[15].kind, SC_REG_UNLOAD);
    ck_assert_int_eq(s.cmds[16].kind, SC_REG_LOAD);
    ck_assert_uint_eq(s.cmds[16].file, 0); /* the same file, other case */
    sc_script_free(&s);
}
END_TEST

/* ---- parser: refusals ---------------------------------------------------------------------------- */

#define LOAD "reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\n"

START_TEST(parse_refusals)
{
    char *big;
    size_t i;

    refused("REM ok\ndir C:\\\n", BF_ERR_INVALID, 2,
            "not a command bootfix can run (it runs reg load/add/delete/unload, bcdedit /store, "
            "REM and blank lines)");
    refused("\n\nnotepad.exe x\n", BF_ERR_INVALID, 3, "not a command bootfix can run");
    refused(":label\n", BF_ERR_INVALID, 1, "not a command");
    refused("F:\\bin\\reg.exe add HKLM\\B\\X\n", BF_ERR_INVALID, 1, "not a command");
    refused("reg add HKLM\\B\\X /v A /d 1\n", BF_ERR_INVALID, 1, "HKLM\\B is not loaded");
    refused(LOAD "reg unload HKLM\\B\nreg add HKLM\\B\\X /v A /d 1\n", BF_ERR_INVALID, 3,
            "not loaded");
    refused(LOAD "reg add HKLM\\OTHER\\X /v A /d 1\n", BF_ERR_INVALID, 2, "HKLM\\OTHER is not loaded");
    refused(LOAD "reg add HKLM\\SYSTEM\\X /v A /d 1\n", BF_ERR_INVALID, 2, "running machine's own");
    refused(LOAD "reg add HKCU\\Software\\X /v A /d 1\n", BF_ERR_INVALID, 2, "under HKCU");
    refused(LOAD LOAD, BF_ERR_INVALID, 2, "already loaded (line 1)");
    refused(LOAD "reg load HKLM\\C F:\\Windows\\System32\\Config\\system\n", BF_ERR_INVALID, 2,
            "already loaded as HKLM\\B");
    refused("reg load HKLM\\SYSTEM F:\\windows\\system32\\config\\SYSTEM\n", BF_ERR_INVALID, 1,
            "running machine's own");
    refused("reg load HKLM\\B\\C F:\\x\n", BF_ERR_INVALID, 1, "one name below HKLM");
    refused("reg load HKLM\\B windows\\system32\\config\\SYSTEM\n", BF_ERR_INVALID, 1,
            "not an absolute path with a drive letter");
    refused("reg load HKLM\\B F:windows\\SYSTEM\n", BF_ERR_INVALID, 1, "relative to the current");
    refused("reg load HKLM\\B \\\\server\\share\\SYSTEM\n", BF_ERR_INVALID, 1, "network");
    refused("reg load HKLM\\B F:\\windows\\..\\..\\etc\\SYSTEM\n", BF_ERR_INVALID, 1, "\"..\"");
    refused("bcdedit /store F:\\boot\\..\\bcd /enum\n", BF_ERR_INVALID, 1, "\"..\"");
    refused("reg load HKLM\\B F:\\\n", BF_ERR_INVALID, 1, "whole drive");
    refused("reg load HKLM\\B\n", BF_ERR_INVALID, 1, "reg load takes a key and a file");
    refused(LOAD "reg unload HKLM\\C\n", BF_ERR_INVALID, 2, "HKLM\\C is not loaded");
    refused(LOAD "REM\nreg add HKLM\\B\\X /v A /t REG_FOO /d 1\n", BF_ERR_INVALID, 3, "REG_FOO");
    refused(LOAD "reg add HKLM\\B\\X /v A /t REG_DWORD /d abc /f\n", BF_ERR_INVALID, 2, "abc");
    refused(LOAD "reg add HKLM\\B\\X /v A /t REG_DWORD /d 4294967296\n", BF_ERR_INVALID, 2, "");
    refused(LOAD "reg add HKLM\\B\\X /v A /t REG_BINARY /d 0g\n", BF_ERR_INVALID, 2, "");
    refused(LOAD "reg add HKLM\\B\\X /v A /ve\n", BF_ERR_INVALID, 2, "only one of /v, /ve");
    refused(LOAD "reg add HKLM\\B\\X /d 1\n", BF_ERR_INVALID, 2, "need /v NAME or /ve");
    refused(LOAD "reg add HKLM\\B\\X /v A /s , /d 1\n", BF_ERR_INVALID, 2, "only for /t REG_MULTI_SZ");
    refused(LOAD "reg add HKLM\\B\\X /v A /reg:64\n", BF_ERR_INVALID, 2, "unknown switch '/reg:64'");
    refused(LOAD "reg add HKLM\\B\\X /v A /d 1 extra\n", BF_ERR_INVALID, 2, "unexpected word 'extra'");
    refused(LOAD "reg add HKLM\\B\\X /v\n", BF_ERR_INVALID, 2, "/v needs an argument");
    refused(LOAD "reg add HKLM\\B\\X /f /f\n", BF_ERR_INVALID, 2, "given twice");
    refused(LOAD "reg add HKLM\\B\\\\X /f\n", BF_ERR_INVALID, 2, "two backslashes");
    refused(LOAD "reg delete HKLM\\B /f\n", BF_ERR_INVALID, 2, "root key");
    refused(LOAD "reg delete HKLM\\B\\X /v A /va\n", BF_ERR_INVALID, 2, "only one of");
    refused(LOAD "reg delete HKLM\\B\\X /t REG_SZ\n", BF_ERR_INVALID, 2, "unknown switch");
    refused(LOAD "reg query HKLM\\B\\X\n", BF_ERR_INVALID, 2, "reg query is not supported");
    refused("reg\n", BF_ERR_INVALID, 1, "not supported");
    refused("bcdedit /set {bootmgr} timeout 5\n", BF_ERR_INVALID, 1, "without /store");
    refused("bcdedit /store F:\\boot\\bcd /deletevalue {current} safeboot\n", BF_ERR_INVALID, 1,
            "{current}");
    refused("bcdedit /createstore F:\\boot\\bcd2\n", BF_ERR_INVALID, 1, "whole store files");
    refused("bcdedit /store F:\\boot\\bcd /export F:\\x\n", BF_ERR_INVALID, 1, "whole store files");
    refused("bcdedit /store F:\\boot\\bcd /frobnicate\n", BF_ERR_INVALID, 1, "");
    refused("bcdedit /store F:\\boot\\bcd /set {bootmgr}\n", BF_ERR_INVALID, 1, "");
    refused("REM\nbcdedit /store F:\\boot\\bcd /ems {<BOOT LOADER IDENTIFIER>} ON\n", BF_ERR_INVALID,
            2, "placeholder");
    refused(LOAD "reg add \"HKLM\\B\\X\\\" /f\n", BF_ERR_INVALID, 2, "backslash");
    refused("reg load HKLM\\B G:\\windows\\system32\\config\\SYSTEM\n", BF_ERR_INVALID, 1,
            "drive G: is not mapped: use --map G:=DIR");
    refused("echo hello > F:\\x.txt\n", BF_ERR_INVALID, 1, "redirection");
    refused("REM\nREM\nreg add \xff\xfe\n", BF_ERR_INVALID, 3, "UTF-8");

    /* limits */
    big = malloc(SC_MAX_LINE + 64);
    ck_assert_ptr_nonnull(big);
    strcpy(big, "REM ok\nREM ");
    memset(big + strlen(big), 'x', SC_MAX_LINE);
    big[11 + SC_MAX_LINE] = '\0';
    refused(big, BF_ERR_LIMIT, 2, "limited to 8191 characters");
    free(big);
    big = malloc(SC_MAX_LINES + 2);
    ck_assert_ptr_nonnull(big);
    for (i = 0; i < SC_MAX_LINES + 1; i++)
        big[i] = '\n';
    big[SC_MAX_LINES + 1] = '\0';
    {
        bf_script_opts o = opts_f();
        sc_script s;
        bf_error err;
        ck_assert_int_eq(parse_text(big, &o, &s, &err), BF_ERR_LIMIT);
        ck_assert(strstr(err.msg, "more than 100000 lines"));
        ck_assert_int_eq(sc_parse("t.cmd", "x", SC_MAX_TEXT + 1, &o, &s, &err), BF_ERR_LIMIT);
        ck_assert(strstr(err.msg, "16 MiB"));
        ck_assert_int_eq(sc_parse("t.cmd", "\xff\xfer\0e\0m\0", 8, &o, &s, &err), BF_ERR_INVALID);
        ck_assert(strstr(err.msg, "UTF-16"));
    }
    free(big);
}
END_TEST

START_TEST(parse_mapping)
{
    static const char two[] = "reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\n"
                              "bcdedit /store S:\\EFI\\Microsoft\\Boot\\BCD /enum\n";
    static const bf_drive_map_entry s_map[] = {{'s', "/mnt/esp"}};
    static const bf_drive_map_entry both[] = {{'F', "/mnt/f"}, {'S', "/mnt/esp"}};
    static const bf_drive_map_entry dup[] = {{'F', "/a"}, {'f', "/b"}};
    bf_target t;
    bf_script_opts o;
    sc_script s;
    bf_error err;

    memset(&t, 0, sizeof t);
    t.root = (char *)"/mnt/target";
    memset(&o, 0, sizeof o);

    /* no map, no target */
    ck_assert_int_eq(parse_text(two, &o, &s, &err), BF_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "t.cmd line 1: drive F: is not mapped: use --map F:=DIR"), "%s",
                  err.msg);
    ck_assert_msg(strstr(err.msg, "F:, S:"), "%s", err.msg);
    /* a target and two letters without --map */
    o.target = &t;
    ck_assert_int_eq(parse_text(two, &o, &s, &err), BF_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "drive letters F:, S:") && strstr(err.msg, "--map L:=DIR"), "%s",
                  err.msg);
    /* a target and one letter: the target */
    ck_assert_int_eq(parse_text("reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\n", &o, &s,
                                &err), BF_OK);
    ck_assert_str_eq(s.files[0].dir, "/mnt/target");
    sc_script_free(&s);
    /* a target, S: mapped: F: is the target */
    o.maps = s_map;
    o.nmaps = 1;
    ck_assert_int_eq(parse_text(two, &o, &s, &err), BF_OK);
    ck_assert_str_eq(s.files[0].dir, "/mnt/target");
    ck_assert_str_eq(s.files[1].dir, "/mnt/esp");
    sc_script_free(&s);
    /* both mapped, no target */
    o.target = NULL;
    o.maps = both;
    o.nmaps = 2;
    ck_assert_int_eq(parse_text(two, &o, &s, &err), BF_OK);
    ck_assert_str_eq(s.files[0].dir, "/mnt/f");
    ck_assert_str_eq(s.files[1].dir, "/mnt/esp");
    sc_script_free(&s);
    /* a letter mapped twice */
    o.maps = dup;
    ck_assert_int_eq(parse_text(two, &o, &s, &err), BF_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "given twice"), "%s", err.msg);
}
END_TEST

/* ---- runner ---------------------------------------------------------------------------------------- */

struct vol {
    char dir[64];
    char system[128];
    char bcd[128];
};

static void bcd_cmd(bf_bcd *s, const char *const *argv, int argc)
{
    bf_error err;
    char *out = NULL;
    memset(&err, 0, sizeof err);
    ck_assert_msg(bf_bcdedit_store(s, argc, argv, NULL, &out, &err) == BF_OK, "%s: %s", argv[0],
                  err.msg);
    free(out);
}

/* <dir>/Windows/System32/config/SYSTEM and <dir>/Boot/BCD */
static void make_volume(struct vol *v)
{
    static const char *const c1[] = {"/create", BOOTMGR, "/d", "Windows Boot Manager"};
    static const char *const c2[] = {"/create", LOADER, "/d", "Windows Server", "/application",
                                     "osloader"};
    static const char *const c3[] = {"/default", LOADER};
    static const char *const c4[] = {"/displayorder", LOADER, "/addlast"};
    bf_hive *h;
    bf_bcd *s;
    bf_node n;
    bf_error err;
    bf_commit_opts co;
    uint32_t one = 1;
    int created;

    snprintf(v->dir, sizeof v->dir, "/tmp/bf_script_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(v->dir));
    test_mkdirs(v->dir, "Windows/System32/config");
    test_mkdirs(v->dir, "Boot");
    snprintf(v->system, sizeof v->system, "%s/Windows/System32/config/SYSTEM", v->dir);
    snprintf(v->bcd, sizeof v->bcd, "%s/Boot/BCD", v->dir);
    memset(&err, 0, sizeof err);
    memset(&co, 0, sizeof co);

    ck_assert(bf_hive_new(5, "ROOT", &h, &err) == BF_OK);
    ck_assert(bf_node_create_path(h, bf_hive_root(h), "ControlSet001\\Control\\CrashControl", &n,
                                  &created, &err) == BF_OK);
    ck_assert(bf_node_set_value(h, n, "LogEvent", BF_REG_DWORD, &one, 4, &err) == BF_OK);
    ck_assert(bf_node_create_path(h, bf_hive_root(h), "Select", &n, &created, &err) == BF_OK);
    ck_assert(bf_node_set_value(h, n, "Current", BF_REG_DWORD, &one, 4, &err) == BF_OK);
    co.out_path = v->system;
    ck_assert_msg(bf_hive_commit(h, &co, &err) == BF_OK, "%s", err.msg);
    bf_hive_close(h);

    ck_assert(bf_bcd_new(&s, &err) == BF_OK);
    bcd_cmd(s, c1, 4);
    bcd_cmd(s, c2, 6);
    bcd_cmd(s, c3, 2);
    bcd_cmd(s, c4, 3);
    co.out_path = v->bcd;
    ck_assert_msg(bf_bcd_commit(s, &co, &err) == BF_OK, "%s", err.msg);
    bf_bcd_close(s);
}

static int exists(const char *dir, const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    return access(p, F_OK) == 0;
}

/* The "Enable dump log and Serial Console" block of troubleshoot-rdp-safe-mode.md
 * (azure-recipes-sources.md §2.2) with the placeholder replaced by {default} and
 * "(same for ControlSet002)" written out. */
static const char ARTICLE[] =
    "reg load HKLM\\BROKENSYSTEM F:\\windows\\system32\\config\\SYSTEM\r\n"
    "bcdedit /store F:\\boot\\bcd /set {bootmgr} displaybootmenu yes\r\n"
    "bcdedit /store F:\\boot\\bcd /set {bootmgr} timeout 5\r\n"
    "bcdedit /store F:\\boot\\bcd /set {bootmgr} bootems yes\r\n"
    "bcdedit /store F:\\boot\\bcd /ems {default} ON\r\n"
    "bcdedit /store F:\\boot\\bcd /emssettings EMSPORT:1 EMSBAUDRATE:115200\r\n"
    "REG ADD \"HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl\" /v CrashDumpEnabled "
    "/t REG_DWORD /d 1 /f\r\n"
    "REG ADD \"HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl\" /v DumpFile /t "
    "REG_EXPAND_SZ /d \"%SystemRoot%\\MEMORY.DMP\" /f\r\n"
    "REG ADD \"HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl\" /v NMICrashDump /t "
    "REG_DWORD /d 1 /f\r\n"
    "REG ADD \"HKLM\\BROKENSYSTEM\\ControlSet002\\Control\\CrashControl\" /v CrashDumpEnabled "
    "/t REG_DWORD /d 1 /f\r\n"
    "REG ADD \"HKLM\\BROKENSYSTEM\\ControlSet002\\Control\\CrashControl\" /v DumpFile /t "
    "REG_EXPAND_SZ /d \"%SystemRoot%\\MEMORY.DMP\" /f\r\n"
    "REG ADD \"HKLM\\BROKENSYSTEM\\ControlSet002\\Control\\CrashControl\" /v NMICrashDump /t "
    "REG_DWORD /d 1 /f\r\n"
    "reg unload HKLM\\BROKENSYSTEM\r\n";

static int run_script(const struct vol *v, const char *text, int dry, bf_run_result *res,
                      bf_error *err)
{
    bf_drive_map_entry m[1];
    bf_script_opts o;
    m[0].letter = 'F';
    m[0].dir = v->dir;
    memset(&o, 0, sizeof o);
    o.maps = m;
    o.nmaps = 1;
    o.run.dry_run = dry;
    o.run.no_libregf = 0;
    memset(err, 0, sizeof *err);
    return bf_script_run("article.cmd", text, strlen(text), &o, res, err);
}

/* Find a value in a walk. */
static const oracle_rec *find_value(const oracle_walk *w, const char *path, const char *name)
{
    size_t i;
    for (i = 0; i < w->n; i++)
        if (w->recs[i].kind == ORACLE_VALUE && strcmp(w->recs[i].path, path) == 0 &&
            strcmp(w->recs[i].name, name) == 0)
            return &w->recs[i];
    return NULL;
}

static void check_dword(const oracle_walk *w, const char *path, const char *name, uint32_t v)
{
    const oracle_rec *r = find_value(w, path, name);
    ck_assert_msg(r, "%s: no value %s\\%s", w->source, path, name);
    ck_assert_uint_eq(r->type, BF_REG_DWORD);
    ck_assert_uint_eq(r->len, 4);
    ck_assert_uint_eq((uint32_t)r->data[0] | ((uint32_t)r->data[1] << 8) |
                      ((uint32_t)r->data[2] << 16) | ((uint32_t)r->data[3] << 24), v);
}

static void check_crashcontrol(const oracle_walk *w, const char *cs)
{
    char path[128];
    uint8_t want[128];
    size_t n = utf16z("%SystemRoot%\\MEMORY.DMP", want);
    const oracle_rec *r;
    snprintf(path, sizeof path, "%s\\Control\\CrashControl", cs);
    check_dword(w, path, "CrashDumpEnabled", 1);
    check_dword(w, path, "NMICrashDump", 1);
    r = find_value(w, path, "DumpFile");
    ck_assert_msg(r, "no DumpFile in %s", path);
    ck_assert_uint_eq(r->type, BF_REG_EXPAND_SZ);
    ck_assert_uint_eq(r->len, n);
    ck_assert(memcmp(r->data, want, n) == 0);
}

static uint64_t elem_int(bf_bcd *s, const char *obj, uint32_t code)
{
    bf_guid g;
    bf_bcd_elem e;
    bf_error err;
    uint64_t v;
    memset(&err, 0, sizeof err);
    ck_assert(bf_guid_parse(obj, &g) == 0);
    ck_assert_msg(bf_bcd_element_get(s, &g, code, &e, &err) == BF_OK, "%s %08x: %s", obj, code,
                  err.msg);
    ck_assert_msg(e.valid, "%s %08x: %s", obj, code, e.problem);
    v = e.integer;
    bf_bcd_elem_free(&e);
    return v;
}

/* The article only adds and changes: no change may be a deletion. */
static void no_deletions(const bf_run_result *res)
{
    size_t i;
    for (i = 0; i < res->nchanges; i++) {
        const bf_change *c = &res->changes[i];
        ck_assert_msg(!c->new_text || strcmp(c->new_text, "absent") != 0,
                      "change %zu deletes %s %s %s (was %s)", i, c->file, c->where,
                      c->name ? c->name : "", c->old_text ? c->old_text : "");
    }
}

static int has_change(const bf_run_result *res, const char *name)
{
    size_t i;
    for (i = 0; i < res->nchanges; i++)
        if (res->changes[i].name && strcmp(res->changes[i].name, name) == 0)
            return 1;
    return 0;
}

START_TEST(run_article)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    oracle_walk *hw, *lw;
    char ebuf[ORACLE_ERRSZ], diff[1024];
    bf_bcd *s;
    int rc;

    make_volume(&v);
    rc = run_script(&v, ARTICLE, 0, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_str_eq(res.title, "script article.cmd");
    ck_assert_ptr_nonnull(res.output);
    ck_assert_msg(strstr(res.output, "The operation completed successfully."), "%s", res.output);
    ck_assert_uint_eq(res.nwritten, 2);
    ck_assert_ptr_nonnull(res.journal_path);
    ck_assert_msg(access(res.journal_path, R_OK) == 0, "%s", res.journal_path);
    ck_assert(exists(v.dir, "bootfix-backup"));
    ck_assert_uint_ge(res.nfound, 2);
    ck_assert_uint_ge(res.nchanged, 6 + 6);
    ck_assert(has_change(&res, "CrashDumpEnabled"));
    ck_assert(has_change(&res, "DumpFile"));
    no_deletions(&res);
    bf_run_result_free(&res);

    hw = oracle_walk_hivex(v.system, ebuf);
    ck_assert_msg(hw, "hivex: %s", ebuf);
    lw = oracle_walk_libregf(v.system, ebuf);
    ck_assert_msg(lw, "libregf: %s", ebuf);
    check_crashcontrol(hw, "ControlSet001");
    check_crashcontrol(hw, "ControlSet002"); /* created, as reg.exe does */
    check_dword(hw, "ControlSet001\\Control\\CrashControl", "LogEvent", 1);
    check_dword(lw, "ControlSet001\\Control\\CrashControl", "CrashDumpEnabled", 1);
    check_dword(lw, "ControlSet002\\Control\\CrashControl", "NMICrashDump", 1);
    ck_assert_msg(oracle_compare(hw, lw, ORACLE_CMP_DATA, diff, sizeof diff) == 0, "%s", diff);
    oracle_walk_free(hw);
    oracle_walk_free(lw);

    memset(&err, 0, sizeof err);
    ck_assert_msg(bf_bcd_open(v.bcd, 0, &s, &err) == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(elem_int(s, BOOTMGR, 0x26000020), 1);  /* displaybootmenu */
    ck_assert_uint_eq(elem_int(s, BOOTMGR, 0x25000004), 5);  /* timeout */
    ck_assert_uint_eq(elem_int(s, BOOTMGR, 0x16000020), 1);  /* bootems */
    ck_assert_uint_eq(elem_int(s, LOADER, 0x260000B0), 1);   /* ems */
    ck_assert_uint_eq(elem_int(s, EMSSETTINGS, 0x15000022), 1);      /* emsport */
    ck_assert_uint_eq(elem_int(s, EMSSETTINGS, 0x15000023), 115200); /* emsbaudrate */
    bf_bcd_close(s);

    /* again: everything is in place, nothing is written */
    rc = run_script(&v, ARTICLE, 0, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.nwritten, 0);
    ck_assert_uint_eq(res.nchanged, 0);
    bf_run_result_free(&res);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(run_with_target)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    bf_target *t = NULL;
    bf_script_opts o;
    oracle_walk *hw;
    char ebuf[ORACLE_ERRSZ];
    int rc;

    make_volume(&v);
    memset(&err, 0, sizeof err);
    ck_assert_msg(bf_target_open(v.dir, NULL, &t, &err) == BF_OK, "%s", err.msg);
    memset(&o, 0, sizeof o);
    o.target = t; /* the script's only letter, F:, is the target */
    rc = bf_script_run("a.cmd", ARTICLE, strlen(ARTICLE), &o, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.nwritten, 2);
    ck_assert(exists(v.dir, "bootfix-backup"));
    bf_run_result_free(&res);
    bf_target_close(t);
    hw = oracle_walk_hivex(v.system, ebuf);
    ck_assert_msg(hw, "hivex: %s", ebuf);
    check_crashcontrol(hw, "ControlSet002");
    oracle_walk_free(hw);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(run_reg_delete)
{
    static const char text[] =
        "reg load HKLM\\B F:\\Windows\\System32\\config\\SYSTEM\n"
        "reg add HKLM\\B\\T\\Sub\\Deep /v X /t REG_QWORD /d 0x10\n"
        "reg add HKLM\\B\\T /v A /d a\n"
        "reg add HKLM\\B\\T /v B /t REG_MULTI_SZ /d x\\0y\n"
        "reg add HKLM\\B\\T /ve /d dflt\n"
        "reg add HKLM\\B\\U /v A /d a\n"
        "reg add HKLM\\B\\U /v B /d b\n"
        "reg add HKLM\\B\\U /v C /d c\n"
        "reg delete HKLM\\B\\T /v A /f\n"
        "reg delete HKLM\\B\\T /ve /f\n"
        "reg delete HKLM\\B\\U /va /f\n"
        "reg delete HKLM\\B\\T\\Sub /f\n"
        "reg delete HKLM\\B\\ControlSet001\\Control\\CrashControl /v LogEvent\n"
        "reg unload HKLM\\B\n";
    struct vol v;
    bf_run_result res;
    bf_error err;
    oracle_walk *hw;
    char ebuf[ORACLE_ERRSZ];
    size_t i, tvals = 0, uvals = 0;
    int tsub = 0, u = 0;

    make_volume(&v);
    ck_assert_msg(run_script(&v, text, 0, &res, &err) == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.nwritten, 1);
    bf_run_result_free(&res);
    hw = oracle_walk_hivex(v.system, ebuf);
    ck_assert_msg(hw, "hivex: %s", ebuf);
    for (i = 0; i < hw->n; i++) {
        const oracle_rec *r = &hw->recs[i];
        if (r->kind == ORACLE_VALUE && strcmp(r->path, "T") == 0)
            tvals++;
        if (r->kind == ORACLE_VALUE && strcmp(r->path, "U") == 0)
            uvals++;
        if (r->kind == ORACLE_KEY && strncmp(r->path, "T\\", 2) == 0)
            tsub++;
        if (r->kind == ORACLE_KEY && strcmp(r->path, "U") == 0)
            u++;
    }
    ck_assert_uint_eq(tvals, 1); /* only B is left */
    ck_assert_ptr_nonnull(find_value(hw, "T", "B"));
    ck_assert_uint_eq(uvals, 0);
    ck_assert_int_eq(u, 1); /* /va keeps the key */
    ck_assert_int_eq(tsub, 0);
    ck_assert_ptr_null(find_value(hw, "ControlSet001\\Control\\CrashControl", "LogEvent"));
    oracle_walk_free(hw);
    test_rm_tree(v.dir);
}
END_TEST

/* The script fails; both files must be byte-identical and no backup made. */
static void expect_untouched(const char *text, int code, const char *what)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    uint8_t *s0, *b0, *s1, *b1;
    size_t sl0, bl0, sl1, bl1;
    int rc;

    make_volume(&v);
    s0 = test_slurp(v.system, &sl0);
    b0 = test_slurp(v.bcd, &bl0);
    ck_assert(s0 && b0);
    rc = run_script(&v, text, 0, &res, &err);
    ck_assert_msg(rc == code, "rc %d (want %d): %s", rc, code, err.msg);
    ck_assert_msg(strstr(err.msg, what), "message lacks '%s': %s", what, err.msg);
    ck_assert_uint_eq(res.nwritten, 0);
    ck_assert_ptr_null(res.journal_path);
    bf_run_result_free(&res);
    s1 = test_slurp(v.system, &sl1);
    b1 = test_slurp(v.bcd, &bl1);
    ck_assert(s1 && b1);
    ck_assert(sl0 == sl1 && memcmp(s0, s1, sl0) == 0);
    ck_assert(bl0 == bl1 && memcmp(b0, b1, bl0) == 0);
    ck_assert(!exists(v.dir, "bootfix-backup"));
    free(s0);
    free(b0);
    free(s1);
    free(b1);
    test_rm_tree(v.dir);
}

START_TEST(run_bad_line)
{
    char *text = malloc(sizeof ARTICLE + 64);
    ck_assert_ptr_nonnull(text);
    /* line 14, after every valid line of the article */
    snprintf(text, sizeof ARTICLE + 64, "%sdel F:\\windows\\system32\\config\\SYSTEM\r\n", ARTICLE);
    expect_untouched(text, BF_ERR_INVALID, "article.cmd line 14: 'del ");
    free(text);
}
END_TEST

START_TEST(run_time_failure)
{
    static const char missing_object[] =
        "reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\n"
        "reg add HKLM\\B\\ControlSet001\\Control\\CrashControl /v CrashDumpEnabled /t REG_DWORD "
        "/d 2 /f\n"
        "bcdedit /store F:\\boot\\bcd /set {bootmgr} timeout 7\n"
        "bcdedit /store F:\\boot\\bcd /set {aaaaaaaa-2222-3333-4444-555555555555} description x\n"
        "reg unload HKLM\\B\n";
    static const char missing_key[] =
        "reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\n"
        "reg add HKLM\\B\\X /v A /d 1\n"
        "reg delete HKLM\\B\\NoSuchKey /f\n";
    static const char missing_value[] =
        "reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM\n"
        "reg delete HKLM\\B\\ControlSet001\\Control\\CrashControl /v NoSuchValue /f\n";
    expect_untouched(missing_object, BF_ERR_NOT_FOUND, "article.cmd line 4: ");
    expect_untouched(missing_key, BF_ERR_NOT_FOUND, "line 3: 'reg delete HKLM\\B\\NoSuchKey /f': "
                     "the key does not exist");
    expect_untouched(missing_value, BF_ERR_NOT_FOUND, "has no value 'NoSuchValue'");
    expect_untouched("reg load HKLM\\B F:\\windows\\system32\\config\\SYSTEM.hiv\n",
                     BF_ERR_NOT_FOUND, "would create an empty hive");
    expect_untouched("bcdedit /store F:\\EFI\\Microsoft\\Boot\\BCD /enum\n", BF_ERR_NOT_FOUND,
                     "--map F:=DIR");
}
END_TEST

START_TEST(run_dry)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    uint8_t *s0, *b0, *s1, *b1;
    size_t sl0, bl0, sl1, bl1;
    int rc;

    make_volume(&v);
    s0 = test_slurp(v.system, &sl0);
    b0 = test_slurp(v.bcd, &bl0);
    rc = run_script(&v, ARTICLE, 1, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert(res.dry_run);
    ck_assert_uint_eq(res.nwritten, 0);
    ck_assert_ptr_null(res.journal_path);
    ck_assert_ptr_null(res.backup_dir);
    ck_assert_uint_ge(res.nchanges, 12);
    ck_assert(has_change(&res, "CrashDumpEnabled"));
    ck_assert(has_change(&res, "NMICrashDump"));
    ck_assert(has_change(&res, "emsbaudrate"));
    no_deletions(&res);
    ck_assert_ptr_nonnull(res.output);
    bf_run_result_free(&res);
    s1 = test_slurp(v.system, &sl1);
    b1 = test_slurp(v.bcd, &bl1);
    ck_assert(sl0 == sl1 && memcmp(s0, s1, sl0) == 0);
    ck_assert(bl0 == bl1 && memcmp(b0, b1, bl0) == 0);
    ck_assert(!exists(v.dir, "bootfix-backup"));
    free(s0);
    free(b0);
    free(s1);
    free(b1);
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(run_echo_output)
{
    static const char text[] =
        "@echo off\n"
        "echo Before\n"
        "bcdedit /store F:\\boot\\bcd /enum {bootmgr}\n"
        "echo After\n";
    struct vol v;
    bf_run_result res;
    bf_error err;
    const char *a, *b, *m;

    make_volume(&v);
    ck_assert_msg(run_script(&v, text, 0, &res, &err) == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.nwritten, 0); /* /enum changes nothing */
    a = strstr(res.output, "Before\n");
    m = strstr(res.output, "Windows Boot Manager");
    b = strstr(res.output, "After\n");
    ck_assert_msg(a && m && b && a < m && m < b, "%s", res.output);
    bf_run_result_free(&res);
    ck_assert(!exists(v.dir, "bootfix-backup"));
    test_rm_tree(v.dir);
}
END_TEST

START_TEST(run_hibernated)
{
    struct vol v;
    bf_run_result res;
    bf_error err;
    bf_target t;
    bf_script_opts o;
    uint8_t *s0, *s1;
    size_t l0, l1;
    int rc;

    make_volume(&v);
    memset(&t, 0, sizeof t);
    t.root = v.dir;
    t.hiber_state = BF_HIBER_IMAGE;
    snprintf(t.hiber_sig, sizeof t.hiber_sig, "HIBR");
    memset(&o, 0, sizeof o);
    o.target = &t;
    s0 = test_slurp(v.system, &l0);
    rc = bf_script_run("a.cmd", ARTICLE, strlen(ARTICLE), &o, &res, &err);
    ck_assert_msg(rc == BF_ERR_UNSUPPORTED, "rc %d: %s", rc, err.msg);
    ck_assert_msg(strstr(err.msg, "hibernated") && strstr(err.msg, "--force"), "%s", err.msg);
    bf_run_result_free(&res);
    s1 = test_slurp(v.system, &l1);
    ck_assert(l0 == l1 && memcmp(s0, s1, l0) == 0);
    free(s1);
    /* a dry run warns; --force writes */
    o.run.dry_run = 1;
    ck_assert_int_eq(bf_script_run("a.cmd", ARTICLE, strlen(ARTICLE), &o, &res, &err), BF_OK);
    ck_assert_uint_ge(res.nwarnings, 1);
    bf_run_result_free(&res);
    o.run.dry_run = 0;
    o.run.force = 1;
    rc = bf_script_run("a.cmd", ARTICLE, strlen(ARTICLE), &o, &res, &err);
    ck_assert_msg(rc == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(res.nwritten, 2);
    bf_run_result_free(&res);
    free(s0);
    test_rm_tree(v.dir);
}
END_TEST

static Suite *script_suite(void)
{
    Suite *s = suite_create("script");
    TCase *p = tcase_create("parse");
    TCase *r = tcase_create("run");
    tcase_add_test(p, lex_words);
    tcase_add_test(p, lex_refusals);
    tcase_add_test(p, parse_accepted);
    tcase_add_test(p, parse_refusals);
    tcase_add_test(p, parse_mapping);
    tcase_set_timeout(r, 120);
    tcase_add_test(r, run_article);
    tcase_add_test(r, run_with_target);
    tcase_add_test(r, run_reg_delete);
    tcase_add_test(r, run_bad_line);
    tcase_add_test(r, run_time_failure);
    tcase_add_test(r, run_dry);
    tcase_add_test(r, run_echo_output);
    tcase_add_test(r, run_hibernated);
    suite_add_tcase(s, p);
    suite_add_tcase(s, r);
    return s;
}

int main(void)
{
    return test_run_suite(script_suite());
}
