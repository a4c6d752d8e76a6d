/*
 * cmd_recipe.c — the recipe commands (enable-dump, serial-console on|off,
 * safeboot on|off, debug-boot on|off), `undo` and `recipes`.  Options come
 * from the recipe tables (bootfix/recipe.h); the target is the last word.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 32

/* A parameter of any mode of recipe `name` (their flags agree). */
static const bf_recipe_param *find_param(const char *name, const char *pname)
{
    size_t n, i, k;
    const bf_recipe *all = bf_recipe_list(&n);
    for (i = 0; i < n; i++) {
        if (strcmp(all[i].name, name) != 0)
            continue;
        for (k = 0; k < all[i].nparams; k++)
            if (strcmp(all[i].params[k].name, pname) == 0)
                return &all[i].params[k];
    }
    return NULL;
}

static int has_modes(const char *name)
{
    return bf_recipe_find(name, "on") != NULL;
}

static void fill_opts(bf_run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dry_run = g_opt.dry_run;
    o->force = g_opt.force;
    o->no_backup = g_opt.no_backup;
    o->backup_dir = g_opt.backup_dir;
}

static int check_no_backup(const char *topic)
{
    if (g_opt.no_backup && !g_opt.force)
        return cli_usage_error(topic, "--no-backup is refused unless --force is given too: "
                                      "a failed repair could not be rolled back by hand");
    return EXIT_OK;
}

int cmd_recipe(int argc, char **argv)
{
    const char *name = argv[0];
    const char *pos[8];
    int npos = 0, i, st;
    bf_recipe_arg args[MAX_ARGS];
    size_t nargs = 0, k, posparam = 0;
    const bf_recipe *r;
    const char *mode = NULL;
    bf_target *t;
    bf_run_opts o;
    bf_run_result res;
    bf_error err;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return cli_help(stdout, name), EXIT_OK;
        if (strncmp(a, "--", 2) == 0 && a[2]) {
            char pname[64];
            const char *eq = strchr(a, '=');
            const bf_recipe_param *p;
            int r2 = cli_global_long(argc, argv, &i, name);
            if (r2 < 0)
                return EXIT_USAGE;
            if (r2 > 0) {
                i--;
                continue;
            }
            snprintf(pname, sizeof pname, "%.*s", eq ? (int)(eq - a - 2) : (int)strlen(a + 2),
                     a + 2);
            p = find_param(name, pname);
            if (!p || (p->flags & BF_PARAM_POSITIONAL))
                return cli_usage_error(name, "unknown option '%s'", a);
            if (nargs >= MAX_ARGS)
                return cli_usage_error(name, "too many options");
            args[nargs].name = p->name;
            if (p->flags & BF_PARAM_SWITCH) {
                if (eq)
                    return cli_usage_error(name, "%s takes no value", pname);
                args[nargs].value = "1";
            } else if (eq) {
                args[nargs].value = eq + 1;
            } else if (i + 1 < argc) {
                args[nargs].value = argv[++i];
            } else {
                return cli_usage_error(name, "--%s needs a value (%s)", pname, p->help);
            }
            nargs++;
            continue;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "-v") == 0) {
            *(a[1] == 'q' ? &g_opt.quiet : &g_opt.verbose) = 1;
            continue;
        }
        if (a[0] == '-' && a[1])
            return cli_usage_error(name, "unknown option '%s'", a);
        if (npos >= 8)
            return cli_usage_error(name, "too many arguments");
        pos[npos++] = a;
    }
    if (has_modes(name)) {
        if (npos < 1 || (strcmp(pos[0], "on") != 0 && strcmp(pos[0], "off") != 0))
            return cli_usage_error(name, "%s needs on or off first (e.g. bootfix %s on /mnt/f)",
                                   name, name);
        mode = pos[0];
    }
    r = bf_recipe_find(name, mode);
    if (!r)
        return cli_usage_error(NULL, "unknown command '%s'", name);
    if (npos < (mode ? 2 : 1))
        return cli_usage_error(name, "no target given: the directory where the Windows volume "
                                     "is mounted (e.g. /mnt/f)");
    /* words between the mode and the target fill positional parameters */
    for (i = mode ? 1 : 0; i < npos - 1; i++) {
        while (posparam < r->nparams && !(r->params[posparam].flags & BF_PARAM_POSITIONAL))
            posparam++;
        if (posparam >= r->nparams || nargs >= MAX_ARGS)
            return cli_usage_error(name, "unexpected argument '%s' (the target comes last)",
                                   pos[i]);
        args[nargs].name = r->params[posparam].name;
        args[nargs++].value = pos[i];
        posparam++;
    }
    for (k = 0; k < nargs; k++)
        if (!find_param(name, args[k].name))
            return cli_usage_error(name, "unknown option '--%s'", args[k].name);
    if ((st = check_no_backup(name)) != EXIT_OK)
        return st;
    t = cli_open_target(pos[npos - 1]);
    if (!t)
        return EXIT_ERR;
    fill_opts(&o);
    o.args = args;
    o.nargs = nargs;
    memset(&err, 0, sizeof err);
    memset(&res, 0, sizeof res);
    st = bf_recipe_run(r, t, &o, &res, &err) == BF_OK ? EXIT_OK : EXIT_ERR;
    cli_print_run(&res, st, &err);
    bf_run_result_free(&res);
    bf_target_close(t);
    return st;
}

int cmd_undo(int argc, char **argv)
{
    const char *journal = NULL, *spec = NULL;
    int i, st;
    bf_target *t;
    bf_run_opts o;
    bf_run_result res;
    bf_error err;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r2;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return cli_help(stdout, "undo"), EXIT_OK;
        if (strcmp(a, "--journal") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("undo", "--journal needs the journal file");
            journal = argv[++i];
            continue;
        }
        if (strncmp(a, "--journal=", 10) == 0) {
            journal = a + 10;
            continue;
        }
        r2 = cli_global_long(argc, argv, &i, "undo");
        if (r2 < 0)
            return EXIT_USAGE;
        if (r2 > 0) {
            i--;
            continue;
        }
        if (strcmp(a, "-q") == 0) {
            g_opt.quiet = 1;
            continue;
        }
        if (a[0] == '-' && a[1])
            return cli_usage_error("undo", "unknown option '%s'", a);
        if (spec)
            return cli_usage_error("undo", "unexpected argument '%s'", a);
        spec = a;
    }
    if (!spec)
        return cli_usage_error("undo", "no target given (e.g. bootfix undo /mnt/f)");
    if ((st = check_no_backup("undo")) != EXIT_OK)
        return st;
    t = cli_open_target(spec);
    if (!t)
        return EXIT_ERR;
    fill_opts(&o);
    memset(&err, 0, sizeof err);
    memset(&res, 0, sizeof res);
    st = bf_undo(t, journal, &o, &res, &err) == BF_OK ? EXIT_OK : EXIT_ERR;
    cli_print_run(&res, st, &err);
    bf_run_result_free(&res);
    bf_target_close(t);
    return st;
}

static void usage_line(const bf_recipe *r, char *buf, size_t len)
{
    size_t k, used;
    used = (size_t)snprintf(buf, len, "%s%s%s", r->name, r->mode ? " " : "",
                            r->mode ? r->mode : "");
    for (k = 0; k < r->nparams && used < len; k++) {
        const bf_recipe_param *p = &r->params[k];
        if (p->flags & BF_PARAM_POSITIONAL)
            used += (size_t)snprintf(buf + used, len - used, " [%s]", p->name);
        else if (p->flags & BF_PARAM_SWITCH)
            used += (size_t)snprintf(buf + used, len - used, " [--%s]", p->name);
        else
            used += (size_t)snprintf(buf + used, len - used, " [--%s X]", p->name);
    }
    if (used < len)
        snprintf(buf + used, len - used, " TARGET");
}

int cmd_recipes(int argc, char **argv)
{
    size_t n, i;
    const bf_recipe *all = bf_recipe_list(&n);
    char buf[512], title[64];
    int k;

    for (k = 1; k < argc; k++) {
        int r2;
        if (strcmp(argv[k], "-v") == 0 || strcmp(argv[k], "-q") == 0) {
            *(argv[k][1] == 'v' ? &g_opt.verbose : &g_opt.quiet) = 1;
            continue;
        }
        r2 = cli_global_long(argc, argv, &k, "recipes");
        if (r2 <= 0)
            return r2 < 0 ? EXIT_USAGE : cli_usage_error("recipes", "unexpected argument '%s'",
                                                         argv[k]);
        k--;
    }
    if (g_opt.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_array(&j, NULL);
        for (i = 0; i < n; i++) {
            usage_line(&all[i], buf, sizeof buf);
            cli_json_object(&j, NULL);
            cli_json_str(&j, "name", bf_recipe_title(&all[i], title, sizeof title));
            cli_json_str(&j, "usage", buf);
            cli_json_str(&j, "summary", all[i].summary);
            cli_json_str(&j, "source", all[i].source);
            cli_json_end_object(&j);
        }
        cli_json_end_array(&j);
        return EXIT_OK;
    }
    for (i = 0; i < n; i++)
        printf("%-19s %s\n", bf_recipe_title(&all[i], title, sizeof title), all[i].summary);
    printf("%-19s %s\n", "find-dump", "list the crash dumps of the target and decode them");
    printf("%-19s %s\n", "status", "everything the recipes touch, on one screen");
    printf("%-19s %s\n", "undo", "revert the newest journal of the target exactly");
    printf("%-19s %s\n", "script", "run an article's reg/bcdedit command block as written");
    if (g_opt.verbose) {
        printf("\nUsage:\n");
        for (i = 0; i < n; i++) {
            usage_line(&all[i], buf, sizeof buf);
            printf("  bootfix %s\n", buf);
        }
    }
    return EXIT_OK;
}
