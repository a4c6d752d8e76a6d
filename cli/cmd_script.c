/*
 * cmd_script.c — `bootfix script [--map L:=DIR]... FILE [TARGET]`: runs an
 * article's command block (reg load/add/delete/unload, bcdedit /store ...)
 * through bf_script_run, with drive letters mapped onto directories.
 * Global options (--dry-run, --json, --force, --no-backup, --backup-dir,
 * --quiet) may also follow the command.
 */
#include "cli.h"

#include "bootfix/recipe.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MAPS 26

/* "F:=/mnt/f" */
static int parse_map(const char *s, bf_drive_map_entry *maps, size_t *n)
{
    char l;
    size_t i;
    if (!s || !(((s[0] | 0x20) >= 'a') && ((s[0] | 0x20) <= 'z')) || s[1] != ':' || s[2] != '=' ||
        !s[3])
        return cli_usage_error("script", "--map needs L:=DIR (e.g. --map F:=/mnt/f), not '%s'",
                               s ? s : "");
    l = (char)(s[0] & ~0x20);
    for (i = 0; i < *n; i++)
        if (maps[i].letter == l)
            return cli_usage_error("script", "--map %c: is given twice", l);
    if (*n >= MAX_MAPS)
        return cli_usage_error("script", "too many --map options");
    maps[*n].letter = l;
    maps[*n].dir = s + 3;
    (*n)++;
    return 0;
}

int cmd_script(int argc, char **argv)
{
    bf_drive_map_entry maps[MAX_MAPS];
    size_t nmaps = 0;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, i, rc, status;
    bf_script_opts o;
    bf_run_result res;
    bf_error err;
    bf_target *t = NULL;
    uint8_t *text = NULL;
    size_t len = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help(stdout, "script");
            return EXIT_OK;
        }
        if (strcmp(a, "--map") == 0 || strncmp(a, "--map=", 6) == 0) {
            const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (parse_map(v, maps, &nmaps) != 0)
                return EXIT_USAGE;
            continue;
        }
        if (a[0] == '-' && a[1] == '-') {
            int r = cli_global_long(argc, argv, &i, "script");
            if (r < 0)
                return EXIT_USAGE;
            if (r > 0) {
                i--; /* cli_global_long moved past the option */
                continue;
            }
            return cli_usage_error("script", "unknown option '%s'", a);
        }
        if (npos >= 2)
            return cli_usage_error("script", "unexpected argument '%s' (script takes FILE and "
                                   "an optional TARGET)", a);
        pos[npos++] = a;
    }
    if (npos == 0)
        return cli_usage_error("script", "no script FILE given");

    memset(&err, 0, sizeof err);
    if (cli_read_file(pos[0], &text, &len, &err) != BF_OK)
        return cli_fail(&err);
    if (pos[1]) {
        t = cli_open_target(pos[1]);
        if (!t) {
            free(text);
            return EXIT_ERR;
        }
    }
    memset(&o, 0, sizeof o);
    o.maps = maps;
    o.nmaps = nmaps;
    o.target = t;
    o.run.dry_run = g_opt.dry_run;
    o.run.force = g_opt.force;
    o.run.no_backup = g_opt.no_backup;
    o.run.backup_dir = g_opt.backup_dir;
    memset(&res, 0, sizeof res);
    rc = bf_script_run(strcmp(pos[0], "-") == 0 ? "(stdin)" : pos[0], (const char *)text, len,
                       &o, &res, &err);
    status = cli_print_run(&res, rc, &err) == BF_OK ? EXIT_OK : EXIT_ERR;
    bf_run_result_free(&res);
    if (t)
        bf_target_close(t);
    free(text);
    return status;
}
