/*
 * cmd_bcdedit.c — `bootfix bcdedit /store FILE <bcdedit arguments>`: runs one
 * bcdedit command line through bf_bcdedit.  bootfix's own options are long
 * options (--drive, --force, --no-backup, --quiet); every other word,
 * including '-x' switches, belongs to bcdedit.
 */
#include "cli.h"

#include "bootfix/bcd.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DRIVES 26

/* "X:=gpt:{disk}:{part}" or "X:=mbr:SIG:OFFSET" */
static int parse_drive(const char *s, bf_bcd_drive *drives, size_t *n)
{
    bf_error err;
    bf_bcd_drive d;
    size_t i;
    memset(&err, 0, sizeof err);
    memset(&d, 0, sizeof d);
    if (!isalpha((unsigned char)s[0]) || s[1] != ':' || s[2] != '=')
        return cli_usage_error("bcdedit", "--drive needs X:=gpt:{disk}:{partition} or "
                               "X:=mbr:SIGNATURE:OFFSET, not '%s'", s);
    d.letter = (char)toupper((unsigned char)s[0]);
    if (bf_bcd_partition_parse(s + 3, &d.part, &err) != BF_OK)
        return cli_usage_error("bcdedit", "--drive %s: %s", s, err.msg);
    for (i = 0; i < *n; i++)
        if (drives[i].letter == d.letter)
            return cli_usage_error("bcdedit", "--drive %c: is given twice", d.letter);
    drives[(*n)++] = d;
    return 0;
}

/* the FILE of /store FILE (bcdedit spelling), for the backup name */
static const char *store_of(int argc, char **argv)
{
    int i;
    for (i = 0; i + 1 < argc; i++)
        if (cli_is_switch(argv[i], "store"))
            return argv[i + 1];
    return NULL;
}

int cmd_bcdedit(int argc, char **argv)
{
    bf_bcd_drive drives[MAX_DRIVES];
    size_t ndrives = 0;
    const char **words;
    int nwords = 0, i, rc;
    bf_bcdedit_opts o;
    bf_error err;
    char *out = NULL, *bak = NULL;
    const char *store;

    words = calloc((size_t)argc + 1, sizeof *words);
    if (!words)
        return cli_failf("out of memory");
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            free(words);
            cli_help(stdout, "bcdedit");
            return EXIT_OK;
        }
        if (strncmp(a, "--drive=", 8) == 0 || strcmp(a, "--drive") == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                free(words);
                return cli_usage_error("bcdedit", "--drive needs X:=gpt:{disk}:{partition} or "
                                       "X:=mbr:SIGNATURE:OFFSET");
            }
            if (ndrives >= MAX_DRIVES) {
                free(words);
                return cli_usage_error("bcdedit", "more than %d --drive options", MAX_DRIVES);
            }
            if (parse_drive(v, drives, &ndrives) != 0) {
                free(words);
                return EXIT_USAGE;
            }
            continue;
        }
        if (a[0] == '-' && a[1] == '-') {
            int r = cli_global_long(argc, argv, &i, "bcdedit");
            if (r < 0) {
                free(words);
                return EXIT_USAGE;
            }
            if (r > 0) {
                i--; /* cli_global_long moved past the option */
                continue;
            }
            free(words);
            return cli_usage_error("bcdedit", "unknown option '%s'", a);
        }
        words[nwords++] = a;
    }
    if (nwords == 0) {
        free(words);
        return cli_usage_error("bcdedit", "no bcdedit arguments given (e.g. /store BCD /enum)");
    }

    memset(&o, 0, sizeof o);
    memset(&err, 0, sizeof err);
    o.drives.drives = drives;
    o.drives.count = ndrives;
    o.open_flags = g_opt.force ? BF_OPEN_FORCE_DIRTY : 0;
    store = store_of(nwords, (char **)words);
    if (store && !g_opt.no_backup) {
        bak = cli_backup_path(store);
        if (!bak) {
            free(words);
            return cli_failf("out of memory");
        }
        o.commit.backup_path = bak;
    }
    rc = bf_bcdedit(nwords, words, &o, &out, &err);
    free(words);
    if (rc != BF_OK) {
        free(bak);
        return cli_fail(&err);
    }
    fputs(out, stdout);
    free(out);
    if (bak && cli_file_exists(bak))
        cli_note("Backup of the original: %s\n", bak);
    free(bak);
    return EXIT_OK;
}
