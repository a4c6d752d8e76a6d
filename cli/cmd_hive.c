/*
 * cmd_hive.c — `bootfix hive info|check|recover|new`.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct hive_args {
    const char *file;
    const char *out;     /* recover -o */
    const char *root;    /* new --root */
    unsigned minor;      /* new --version */
    int no_logs;         /* info/check --no-logs */
};

/* "1.3" .. "1.6" to the minor version; 0 when not one of them. */
unsigned cli_parse_version(const char *s)
{
    if (s && s[0] == '1' && s[1] == '.' && s[2] >= '3' && s[2] <= '6' && s[3] == '\0')
        return (unsigned)(s[2] - '0');
    return 0;
}

/* allow: which subcommand-specific options are accepted */
enum { OPT_NOLOGS = 1, OPT_OUT = 2, OPT_NEW = 4 };

static int parse_hive_args(int argc, char **argv, const char *topic, unsigned allow,
                           struct hive_args *a)
{
    int i = 1, nopos = 0;
    memset(a, 0, sizeof *a);
    a->minor = 5;
    a->root = "ROOT";
    while (i < argc) {
        const char *s = argv[i];
        int r;
        if (!nopos && s[0] == '-' && s[1] != '\0') {
            if (strcmp(s, "--") == 0) {
                nopos = 1;
                i++;
                continue;
            }
            if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
                cli_help(stdout, topic);
                return -2;
            }
            if (strcmp(s, "-q") == 0) {
                g_opt.quiet = 1;
                i++;
                continue;
            }
            if (strcmp(s, "-v") == 0) {
                g_opt.verbose = 1;
                i++;
                continue;
            }
            r = cli_global_long(argc, argv, &i, topic);
            if (r < 0)
                return -1;
            if (r > 0)
                continue;
            if ((allow & OPT_NOLOGS) && strcmp(s, "--no-logs") == 0) {
                a->no_logs = 1;
                i++;
                continue;
            }
            if ((allow & OPT_OUT) && (strcmp(s, "-o") == 0 || strcmp(s, "--output") == 0)) {
                if (i + 1 >= argc || !argv[i + 1][0]) {
                    cli_usage_error(topic, "%s needs a file name", s);
                    return -1;
                }
                a->out = argv[i + 1];
                i += 2;
                continue;
            }
            if ((allow & OPT_NEW) && strcmp(s, "--version") == 0) {
                if (i + 1 >= argc || !(a->minor = cli_parse_version(argv[i + 1]))) {
                    cli_usage_error(topic, "--version needs 1.3, 1.4, 1.5 or 1.6");
                    return -1;
                }
                i += 2;
                continue;
            }
            if ((allow & OPT_NEW) && strcmp(s, "--root") == 0) {
                if (i + 1 >= argc || !argv[i + 1][0]) {
                    cli_usage_error(topic, "--root needs a key name");
                    return -1;
                }
                a->root = argv[i + 1];
                i += 2;
                continue;
            }
            cli_usage_error(topic, "unknown option '%s'", s);
            return -1;
        }
        if (a->file) {
            cli_usage_error(topic, "unexpected argument '%s'", s);
            return -1;
        }
        if (!s[0]) {
            cli_usage_error(topic, "empty file name");
            return -1;
        }
        a->file = s;
        i++;
    }
    if (!a->file) {
        cli_usage_error(topic, "no hive file given");
        return -1;
    }
    return 0;
}

static void print_logs(const char *const paths[3], const char *none)
{
    int i, any = 0;
    for (i = 0; i < 3; i++)
        if (paths[i]) {
            printf("%s%s", any ? ", " : "", paths[i]);
            any = 1;
        }
    printf("%s\n", any ? "" : none);
}

/* ---- info ---------------------------------------------------------------------- */

static int hive_info(int argc, char **argv)
{
    struct hive_args a;
    bf_hive *h = NULL;
    bf_hive_info in;
    bf_error err;
    char ts[40], *rootname = NULL;
    uint64_t rts = 0;
    int r = parse_hive_args(argc, argv, "hive info", OPT_NOLOGS, &a);
    const char *dirty_note = NULL;
    bf_error dirty_err;
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    memset(&err, 0, sizeof err);
    r = bf_hive_open(a.file, a.no_logs ? BF_OPEN_NO_LOGS : 0, &h, &err);
    if (r == BF_ERR_DIRTY && !a.no_logs) {
        /* logs unusable: show the file as it is */
        dirty_err = err;
        dirty_note = dirty_err.msg;
        memset(&err, 0, sizeof err);
        r = bf_hive_open(a.file, BF_OPEN_NO_LOGS, &h, &err);
    }
    if (r != BF_OK)
        return cli_fail(&err);
    bf_hive_get_info(h, &in);
    bf_node_name(h, bf_hive_root(h), &rootname, NULL);
    bf_node_timestamp(h, bf_hive_root(h), &rts, NULL);

    printf("File:                %s\n", a.file);
    printf("Format version:      %u.%u\n", (unsigned)in.major, (unsigned)in.minor);
    printf("Sequence numbers:    %lu, %lu\n", (unsigned long)in.seq1, (unsigned long)in.seq2);
    printf("Dirty:               %s\n",
           in.dirty ? (in.seq1 != in.seq2 ? "yes (sequence numbers differ)"
                                          : "yes (base block checksum is wrong)")
                    : "no");
    printf("Base block checksum: %s\n", in.checksum_ok ? "ok" : "WRONG");
    cli_filetime_iso(in.timestamp, ts, sizeof ts);
    printf("Last written:        %s\n", ts);
    printf("Embedded file name:  %s\n", in.embedded_name[0] ? in.embedded_name : "(empty)");
    printf("File type:           %lu%s\n", (unsigned long)in.file_type,
           in.file_type == 0 ? " (primary)" : "");
    printf("Flags:               0x%08lx\n", (unsigned long)in.flags);
    printf("Root key:            %s (cell 0x%lx)\n", rootname ? rootname : "?",
           (unsigned long)in.root);
    cli_filetime_iso(rts, ts, sizeof ts);
    printf("Root key written:    %s\n", ts);
    printf("File size:           %" PRIu64 " bytes\n", (uint64_t)in.file_size);
    printf("Hive bins:           %lu bin%s, %lu bytes\n", (unsigned long)in.nbins, in.nbins == 1 ? "" : "s",
           (unsigned long)in.hbins_size);
    printf("Logs found:          ");
    if (a.no_logs)
        printf("(not looked for: --no-logs)\n");
    else
        print_logs(in.log_paths, "none");
    printf("Logs replayed:       ");
    if (in.replayed) {
        printf("yes, %u entr%s from ", in.log_entries, in.log_entries == 1 ? "y" : "ies");
        print_logs(in.log_used, "?");
        printf("Highest log seq:     %lu\n", (unsigned long)in.log_max_seq);
        printf("Base block from log: %s\n", in.base_block_recovered ? "yes" : "no");
        printf("Note:                replayed in memory only; 'bootfix hive recover' writes it\n");
    } else if (in.log_problem[0]) {
        printf("no: %s\n", in.log_problem);
    } else {
        printf("no\n");
    }
    if (dirty_note)
        printf("Logs unusable:       %s\n", dirty_note);
    free(rootname);
    bf_hive_close(h);
    return EXIT_OK;
}

/* ---- check --------------------------------------------------------------------- */

struct check_ctx {
    unsigned n;
    const char *label;
};

static void check_cb(void *ctx, uint64_t off, const char *problem)
{
    struct check_ctx *c = ctx;
    c->n++;
    if (off)
        printf("  %soffset 0x%08" PRIx64 ": %s\n", c->label, off, problem);
    else
        printf("  %s%s\n", c->label, problem);
}

static int hive_check(int argc, char **argv)
{
    struct hive_args a;
    uint8_t *img = NULL;
    size_t len = 0;
    bf_error err;
    bf_hive *h = NULL;
    bf_hive_info in;
    struct check_ctx raw = {0, ""}, rec = {0, "(after log replay) "};
    int r = parse_hive_args(argc, argv, "hive check", OPT_NOLOGS, &a), n;
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    memset(&err, 0, sizeof err);
    if (cli_read_file(a.file, &img, &len, &err) != BF_OK) {
        cli_fail(&err);
        return EXIT_USAGE;
    }
    /* The file's own bytes.  Unless --no-logs, count them quietly first: when
     * logs are replayed the verdict comes from the image Windows would load. */
    n = bf_check_image(img, len, a.no_logs ? check_cb : NULL, &raw, &err);
    if (n < 0) {
        free(img);
        cli_failf("%s: %s", a.file, err.msg[0] ? err.msg : bf_strerror(err.code));
        return EXIT_USAGE;
    }
    if (!a.no_logs) {
        memset(&err, 0, sizeof err);
        if (bf_hive_open(a.file, 0, &h, &err) != BF_OK) {
            bf_error e2;
            memset(&e2, 0, sizeof e2);
            if (n > 0)
                bf_check_image(img, len, check_cb, &raw, &e2);
            free(img);
            printf("  cannot be opened: %s\n", err.msg);
            printf("%s: %d problem%s found\n", a.file, n + 1, n + 1 == 1 ? "" : "s");
            return EXIT_ERR;
        }
        bf_hive_get_info(h, &in);
        if (in.replayed) {
            free(img);
            cli_note("%s: dirty; checking the image after replaying %u log entr%s from ",
                     a.file, in.log_entries, in.log_entries == 1 ? "y" : "ies");
            if (!g_opt.quiet)
                print_logs(in.log_used, "?");
            if (g_opt.verbose && n > 0)
                printf("  (the file alone, before replay, has %d problem%s)\n", n,
                       n == 1 ? "" : "s");
            memset(&err, 0, sizeof err);
            r = bf_hive_check(h, check_cb, &rec, &err);
            bf_hive_close(h);
            if (r < 0)
                return cli_fail(&err);
            if (r > 0) {
                printf("%s: %d problem%s found (after log replay)\n", a.file, r,
                       r == 1 ? "" : "s");
                return EXIT_ERR;
            }
            cli_note("%s: no problems found (after log replay)\n", a.file);
            return EXIT_OK;
        }
        bf_hive_close(h);
        if (n > 0) {
            memset(&err, 0, sizeof err);
            bf_check_image(img, len, check_cb, &raw, &err);
            if (in.dirty && in.log_problem[0])
                printf("  its logs cannot be applied: %s\n", in.log_problem);
        } else if (in.dirty) {
            if (in.log_problem[0])
                cli_note("%s: warning: dirty, and its logs cannot be applied: %s\n", a.file, in.log_problem);
            else
                cli_note("%s: warning: dirty, but no usable logs were found beside it\n", a.file);
        }
    }
    free(img);
    if (n > 0) {
        printf("%s: %d problem%s found\n", a.file, n, n == 1 ? "" : "s");
        return EXIT_ERR;
    }
    cli_note("%s: no problems found\n", a.file);
    return EXIT_OK;
}

/* ---- recover ------------------------------------------------------------------- */

static int hive_recover(int argc, char **argv)
{
    struct hive_args a;
    bf_hive *h = NULL;
    bf_hive_info in, after;
    bf_error err;
    const char *target;
    int r = parse_hive_args(argc, argv, "hive recover", OPT_OUT, &a);
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    if (a.out && !g_opt.force && cli_file_exists(a.out))
        return cli_failf("%s exists; use --force to overwrite it", a.out);
    memset(&err, 0, sizeof err);
    r = bf_hive_open(a.file, cli_open_flags(BF_OPEN_WRITE), &h, &err);
    if (r != BF_OK) {
        cli_fail(&err);
        if (r == BF_ERR_DIRTY && !g_opt.force)
            fprintf(stderr, "bootfix: with --force the file is written without the data that "
                            "only its logs held\n");
        return EXIT_ERR;
    }
    bf_hive_get_info(h, &in);
    if (!in.dirty && !in.replayed && !a.out) {
        cli_note("%s is clean (sequence numbers %lu, %lu); nothing to do\n", a.file,
                 (unsigned long)in.seq1, (unsigned long)in.seq2);
        bf_hive_close(h);
        return EXIT_OK;
    }
    if (in.replayed) {
        cli_note("Replayed %u log entr%s from ", in.log_entries,
                 in.log_entries == 1 ? "y" : "ies");
        if (!g_opt.quiet)
            print_logs(in.log_used, "?");
        cli_note("Sequence numbers were %lu, %lu; highest in the logs %lu%s\n",
                 (unsigned long)in.seq1, (unsigned long)in.seq2,
                 (unsigned long)in.log_max_seq,
                 in.base_block_recovered ? "; base block taken from a log" : "");
    } else if (in.dirty) {
        cli_note("%s is dirty and no log could be applied (--force): writing it as it is\n",
                 a.file);
    } else {
        cli_note("%s is clean; writing a copy\n", a.file);
    }
    r = cli_commit(h, a.file, a.out, a.out == NULL);
    bf_hive_close(h);
    if (r != EXIT_OK)
        return r;
    target = a.out ? a.out : a.file;
    h = NULL;
    memset(&err, 0, sizeof err);
    if (bf_hive_open(target, BF_OPEN_NO_LOGS, &h, &err) == BF_OK) {
        bf_hive_get_info(h, &after);
        cli_note("Wrote %s: clean, sequence numbers %lu, %lu\n", target,
                 (unsigned long)after.seq1, (unsigned long)after.seq2);
        bf_hive_close(h);
    } else {
        return cli_fail(&err);
    }
    return EXIT_OK;
}

/* ---- new ----------------------------------------------------------------------- */

static int hive_new(int argc, char **argv)
{
    struct hive_args a;
    bf_hive *h = NULL;
    bf_error err;
    int r = parse_hive_args(argc, argv, "hive new", OPT_NEW, &a);
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    if (!g_opt.force && cli_file_exists(a.file))
        return cli_failf("%s exists; use --force to replace it", a.file);
    memset(&err, 0, sizeof err);
    if (bf_hive_new(a.minor, a.root, &h, &err) != BF_OK)
        return cli_fail(&err);
    r = cli_commit(h, a.file, a.file, 0);
    bf_hive_close(h);
    if (r == EXIT_OK)
        cli_note("Created %s: empty hive, format 1.%u, root key %s\n", a.file, a.minor, a.root);
    return r;
}

int cmd_hive(int argc, char **argv)
{
    const char *sub;
    if (argc < 2)
        return cli_usage_error("hive", "hive needs a subcommand: info, check, recover or new");
    sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        cli_help(stdout, "hive");
        return EXIT_OK;
    }
    if (strcmp(sub, "info") == 0)
        return hive_info(argc - 1, argv + 1);
    if (strcmp(sub, "check") == 0)
        return hive_check(argc - 1, argv + 1);
    if (strcmp(sub, "recover") == 0)
        return hive_recover(argc - 1, argv + 1);
    if (strcmp(sub, "new") == 0)
        return hive_new(argc - 1, argv + 1);
    return cli_usage_error("hive", "unknown hive subcommand '%s'", sub);
}
