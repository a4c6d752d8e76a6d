/*
 * cmd_status.c — `bootfix status TARGET`: everything the recipes touch, on
 * one screen (sections of name: value lines) or as one JSON document.
 */
#include "cli.h"

#include <string.h>

static void print_json(const bf_target *t, const bf_status_item *it, size_t n)
{
    cli_json j;
    size_t i;
    const char *open = NULL;
    cli_json_begin(&j, stdout);
    cli_json_object(&j, NULL);
    cli_json_str(&j, "target", t->root);
    cli_json_object(&j, "sections");
    for (i = 0; i < n; i++) {
        if (!open || strcmp(open, it[i].section) != 0) {
            if (open)
                cli_json_end_object(&j);
            cli_json_object(&j, it[i].section);
            open = it[i].section;
        }
        cli_json_str(&j, it[i].name, it[i].value);
    }
    if (open)
        cli_json_end_object(&j);
    cli_json_end_object(&j);
    cli_json_end_object(&j);
}

static void print_text(const bf_status_item *it, size_t n)
{
    size_t i;
    const char *open = NULL;
    for (i = 0; i < n; i++) {
        if (!open || strcmp(open, it[i].section) != 0) {
            printf("%s%s:\n", open ? "\n" : "", it[i].section);
            open = it[i].section;
        }
        printf("  %-24s %s\n", it[i].name, it[i].value);
    }
}

int cmd_status(int argc, char **argv)
{
    const char *spec = NULL;
    bf_target *t;
    bf_status_item *items = NULL;
    size_t n = 0;
    bf_error err;
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = cli_global_long(argc, argv, &i, "status");
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0) {
            i--;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return cli_help(stdout, "status"), EXIT_OK;
        if (a[0] == '-' && a[1])
            return cli_usage_error("status", "unknown option '%s'", a);
        if (spec)
            return cli_usage_error("status", "unexpected argument '%s'", a);
        spec = a;
    }
    if (!spec)
        return cli_usage_error("status", "no target given (e.g. bootfix status /mnt/f)");
    t = cli_open_target(spec);
    if (!t)
        return EXIT_ERR;
    if (bf_status_collect(t, &items, &n, &err) != BF_OK) {
        bf_target_close(t);
        return cli_fail(&err);
    }
    if (g_opt.json)
        print_json(t, items, n);
    else
        print_text(items, n);
    bf_status_free(items, n);
    bf_target_close(t);
    return EXIT_OK;
}
