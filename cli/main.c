/*
 * main.c — entry point of the bootfix CLI: global options and dispatch.
 */
#include "cli.h"
#include "io/io.h"

#include <string.h>

static int cmd_help(int argc, char **argv)
{
    char topic[64];
    if (argc < 2)
        return cli_help(stdout, NULL), EXIT_OK;
    if (argc > 3)
        return cli_usage_error(NULL, "help takes at most a command and a subcommand");
    if (argc == 3)
        snprintf(topic, sizeof topic, "%.30s %.30s", argv[1], argv[2]);
    else
        snprintf(topic, sizeof topic, "%.60s", argv[1]);
    if (cli_help(stdout, topic) != 0)
        return cli_usage_error(NULL, "no help for '%s'", topic);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    int i = 1;
    const char *cmd;

    /* Windows: UTF-8 arguments from the wide command line, and a console
       that shows UTF-8 output (both nothing on POSIX) */
    if (bf_io_utf8_args(&argc, &argv) != 0) {
        fprintf(stderr, "bootfix: out of memory reading the command line\n");
        return EXIT_ERR;
    }
    bf_io_console_init();

    while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
        const char *a = argv[i];
        int r;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help(stdout, NULL);
            return EXIT_OK;
        }
        if (strcmp(a, "--version") == 0) {
            printf("bootfix %s\n", BOOTFIX_VERSION);
            return EXIT_OK;
        }
        if (strcmp(a, "-q") == 0) {
            g_opt.quiet = 1;
            i++;
            continue;
        }
        if (strcmp(a, "-v") == 0) {
            g_opt.verbose = 1;
            i++;
            continue;
        }
        r = cli_global_long(argc, argv, &i, NULL);
        if (r < 0)
            return EXIT_USAGE;
        if (r == 0)
            return cli_usage_error(NULL, "unknown option '%s'", a);
    }
    if (i >= argc)
        return cli_usage_error(NULL, "no command given");
    cmd = argv[i];
    if (strcmp(cmd, "hive") == 0)
        return cmd_hive(argc - i, argv + i);
    if (strcmp(cmd, "reg") == 0)
        return cmd_reg(argc - i, argv + i);
    if (strcmp(cmd, "bcdedit") == 0)
        return cmd_bcdedit(argc - i, argv + i);
    if (strcmp(cmd, "help") == 0)
        return cmd_help(argc - i, argv + i);
    if (strcmp(cmd, "find-dump") == 0)
        return cmd_find_dump(argc - i, argv + i);
    if (strcmp(cmd, "script") == 0)
        return cmd_script(argc - i, argv + i);
    if (strcmp(cmd, "status") == 0)
        return cmd_status(argc - i, argv + i);
    if (strcmp(cmd, "undo") == 0)
        return cmd_undo(argc - i, argv + i);
    if (strcmp(cmd, "recipes") == 0)
        return cmd_recipes(argc - i, argv + i);
    if (bf_recipe_find(cmd, NULL) || bf_recipe_find(cmd, "on"))
        return cmd_recipe(argc - i, argv + i);
    return cli_usage_error(NULL, "unknown command '%s'", cmd);
}
