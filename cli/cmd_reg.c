/*
 * cmd_reg.c — `bootfix reg add|delete|export|import` and the reg.exe-style
 * argument parser shared with `reg query` (reg_query.c).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

int reg_parse(int argc, char **argv, const char *topic, unsigned allow, int npos_min,
              int npos_max, struct reg_args *a)
{
    int i = 1, nopos = 0;
    memset(a, 0, sizeof *a);
    a->minor = 5;
    a->root = "ROOT";
    while (i < argc) {
        const char *s = argv[i];
        unsigned bit = 0;
        int r, is_switch;
        /* the first positional is FILE, which may well start with '/' */
        if (nopos)
            is_switch = 0;
        else if (a->npos == 0)
            is_switch = s[0] == '-' && s[1] != '\0';
        else
            is_switch = cli_looks_like_switch(s);
        if (is_switch) {
            if (strcmp(s, "--") == 0) {
                nopos = 1;
                i++;
                continue;
            }
            if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0 || strcmp(s, "/?") == 0) {
                cli_help(stdout, topic);
                return -2;
            }
            if (strcmp(s, "-q") == 0) {
                g_opt.quiet = 1;
                i++;
                continue;
            }
            r = cli_global_long(argc, argv, &i, topic);
            if (r < 0)
                return -1;
            if (r > 0)
                continue;
            if (cli_is_switch(s, "v"))
                bit = RS_V;
            else if (cli_is_switch(s, "ve"))
                bit = RS_VE;
            else if (cli_is_switch(s, "va"))
                bit = RS_VA;
            else if (cli_is_switch(s, "s"))
                bit = (allow & RS_SEP) ? RS_SEP : RS_S;
            else if (cli_is_switch(s, "t"))
                bit = RS_T;
            else if (cli_is_switch(s, "d"))
                bit = RS_D;
            else if (cli_is_switch(s, "f"))
                bit = RS_F;
            else if (cli_is_switch(s, "y"))
                bit = RS_Y;
            else if (strcmp(s, "--utf8") == 0)
                bit = RS_UTF8;
            else if (strcmp(s, "--new") == 0 || strcmp(s, "--version") == 0 ||
                     strcmp(s, "--root") == 0)
                bit = RS_NEW;
            if (!bit || !(allow & bit)) {
                cli_usage_error(topic, "unknown or misplaced switch '%s'", s);
                return -1;
            }
            if (bit == RS_NEW) {
                if (strcmp(s, "--new") == 0) {
                    a->seen |= RS_NEW;
                    i++;
                    continue;
                }
                if (i + 1 >= argc || !argv[i + 1][0]) {
                    cli_usage_error(topic, "%s needs an argument", s);
                    return -1;
                }
                if (strcmp(s, "--version") == 0) {
                    if (!(a->minor = cli_parse_version(argv[i + 1]))) {
                        cli_usage_error(topic, "--version needs 1.3, 1.4, 1.5 or 1.6");
                        return -1;
                    }
                } else {
                    a->root = argv[i + 1];
                }
                i += 2;
                continue;
            }
            if (a->seen & bit) {
                cli_usage_error(topic, "switch '%s' given twice", s);
                return -1;
            }
            a->seen |= bit;
            if (bit == RS_V || bit == RS_T || bit == RS_D || bit == RS_SEP) {
                const char *arg;
                if (i + 1 >= argc) {
                    cli_usage_error(topic, "switch '%s' needs an argument", s);
                    return -1;
                }
                arg = argv[i + 1];
                if (bit == RS_V)
                    a->value = arg;
                else if (bit == RS_T)
                    a->type = arg;
                else if (bit == RS_D)
                    a->data = arg;
                else
                    a->sep = arg;
                i += 2;
                continue;
            }
            i++;
            continue;
        }
        if (a->npos >= npos_max) {
            cli_usage_error(topic, "unexpected argument '%s'", s);
            return -1;
        }
        a->pos[a->npos++] = s;
        i++;
    }
    if (a->npos < npos_min) {
        cli_usage_error(topic, a->npos == 0 ? "no hive file given" : "missing arguments");
        return -1;
    }
    if (!a->pos[0][0]) {
        cli_usage_error(topic, "empty hive file name");
        return -1;
    }
    if (((a->seen & RS_V) != 0) + ((a->seen & RS_VE) != 0) + ((a->seen & RS_VA) != 0) > 1) {
        cli_usage_error(topic, "/v, /ve and /va exclude each other");
        return -1;
    }
    if (a->seen & RS_VE)
        a->value = "";
    if ((a->seen & (RS_T | RS_D | RS_SEP)) && !(a->seen & (RS_V | RS_VE))) {
        cli_usage_error(topic, "/t, /d and /s need /v NAME or /ve");
        return -1;
    }
    return 0;
}

/* Open FILE for writing; prints the error.  Returns NULL on failure. */
static bf_hive *open_write(const char *file)
{
    bf_hive *h = NULL;
    bf_error err;
    int r;
    memset(&err, 0, sizeof err);
    r = bf_hive_open(file, cli_open_flags(BF_OPEN_WRITE), &h, &err);
    if (r != BF_OK) {
        cli_fail(&err);
        if (r == BF_ERR_DIRTY && !g_opt.force)
            fprintf(stderr, "bootfix: 'bootfix --force ...' writes it anyway, without the data "
                            "that only its logs held\n");
        return NULL;
    }
    if (g_opt.verbose) {
        bf_hive_info in;
        bf_hive_get_info(h, &in);
        if (in.replayed)
            printf("Replayed %u log entr%s in memory; the file written includes them\n",
                   in.log_entries, in.log_entries == 1 ? "y" : "ies");
    }
    return h;
}

static const char *shown_name(const char *v) { return v[0] ? v : "(Default)"; }

/* ---- add ----------------------------------------------------------------------- */

static int reg_add(int argc, char **argv)
{
    struct reg_args a;
    bf_hive *h = NULL;
    bf_error err;
    uint32_t type = BF_REG_SZ;
    uint8_t *data = NULL;
    size_t len = 0;
    char *rel = NULL;
    bf_node n;
    bf_value old;
    int created = 0, rc = EXIT_ERR, r;
    r = reg_parse(argc, argv, "reg add", RS_V | RS_VE | RS_T | RS_D | RS_SEP | RS_F, 2, 2, &a);
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    memset(&err, 0, sizeof err);
    if (a.type && bf_reg_type_parse(a.type, &type, &err) != BF_OK) {
        cli_usage_error("reg add", "%s", err.msg);
        return EXIT_USAGE;
    }
    if (a.value) {
        /* check the data before the hive is touched */
        if (bf_reg_data_parse(type, a.data, a.sep, &data, &len, &err) != BF_OK)
            return cli_fail(&err);
    }
    if (!(rel = cli_key_relative(a.pos[1])))
        goto oom;
    if (!(h = open_write(a.pos[0])))
        goto out;
    r = bf_node_create_path(h, bf_hive_root(h), rel, &n, &created, &err);
    if (r != BF_OK) {
        cli_fail(&err);
        goto out;
    }
    if (a.value) {
        r = bf_node_get_value(h, n, a.value, &old, &err);
        if (r == BF_OK && !(a.seen & RS_F)) {
            cli_failf("value %s already exists in %s; add /f to overwrite it",
                      shown_name(a.value), a.pos[1]);
            goto out;
        }
        if (r != BF_OK && r != BF_ERR_NOT_FOUND) {
            cli_fail(&err);
            goto out;
        }
        memset(&err, 0, sizeof err);
        if (bf_node_set_value(h, n, a.value, type, data, len, &err) != BF_OK) {
            cli_fail(&err);
            goto out;
        }
    } else if (!created) {
        cli_note("Key %s already exists; nothing to change\n", a.pos[1]);
        rc = EXIT_OK;
        goto out;
    }
    rc = cli_commit(h, a.pos[0], NULL, 1);
    if (rc == EXIT_OK) {
        if (g_opt.verbose && created)
            printf("Created %d key%s\n", created, created == 1 ? "" : "s");
        cli_note("The operation completed successfully.\n");
    }
    goto out;
oom:
    cli_failf("out of memory");
out:
    bf_hive_close(h);
    free(rel);
    free(data);
    return rc;
}

/* ---- delete -------------------------------------------------------------------- */

static int reg_delete(int argc, char **argv)
{
    struct reg_args a;
    bf_hive *h = NULL;
    bf_error err;
    char *rel = NULL;
    bf_node n;
    bf_value v;
    bf_value *vals = NULL;
    size_t nv = 0, i;
    int rc = EXIT_ERR, r;
    r = reg_parse(argc, argv, "reg delete", RS_V | RS_VE | RS_VA | RS_F, 2, 2, &a);
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    memset(&err, 0, sizeof err);
    if (!(rel = cli_key_relative(a.pos[1])))
        return cli_failf("out of memory");
    if (!(a.seen & (RS_V | RS_VE | RS_VA)) && !rel[0]) {
        free(rel);
        return cli_failf("the root key of a hive cannot be deleted");
    }
    if (!(h = open_write(a.pos[0])))
        goto out;
    if (bf_node_lookup(h, bf_hive_root(h), rel, &n, &err) != BF_OK) {
        cli_fail(&err);
        goto out;
    }
    if (a.value && bf_node_get_value(h, n, a.value, &v, &err) != BF_OK) {
        cli_fail(&err);
        goto out;
    }
    if (!(a.seen & RS_F)) {
        if (a.value)
            cli_failf("add /f to delete value %s of %s (bootfix does not ask)",
                      shown_name(a.value), a.pos[1]);
        else if (a.seen & RS_VA)
            cli_failf("add /f to delete all values of %s (bootfix does not ask)", a.pos[1]);
        else
            cli_failf("add /f to delete key %s and everything under it (bootfix does not ask)",
                      a.pos[1]);
        goto out;
    }
    if (a.value) {
        r = bf_node_delete_value(h, n, a.value, &err);
    } else if (a.seen & RS_VA) {
        r = bf_node_values(h, n, &vals, &nv, &err);
        /* collect the names first: deleting changes the value list */
        for (i = 0; r == BF_OK && i < nv; i++) {
            char *name = NULL;
            r = bf_value_name(h, vals[nv - 1 - i], &name, &err);
            if (r == BF_OK)
                r = bf_node_delete_value(h, n, name, &err);
            free(name);
        }
    } else {
        r = bf_node_delete(h, n, &err);
    }
    if (r != BF_OK) {
        cli_fail(&err);
        goto out;
    }
    rc = cli_commit(h, a.pos[0], NULL, 1);
    if (rc == EXIT_OK)
        cli_note("The operation completed successfully.\n");
out:
    free(vals);
    bf_hive_close(h);
    free(rel);
    return rc;
}

/* ---- export -------------------------------------------------------------------- */

static int reg_export(int argc, char **argv)
{
    struct reg_args a;
    bf_hive *h = NULL;
    bf_error err;
    char *rel = NULL, *prefix = NULL;
    const char *out;
    uint8_t *text = NULL;
    size_t len = 0;
    bf_node n;
    int rc = EXIT_ERR, r;
    r = reg_parse(argc, argv, "reg export", RS_UTF8 | RS_Y, 2, 3, &a);
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    out = a.pos[a.npos - 1];
    if (!out[0])
        return cli_usage_error("reg export", "empty output file name");
    if (strcmp(out, "-") != 0 && !(a.seen & RS_Y) && !g_opt.force && cli_file_exists(out))
        return cli_failf("%s exists; add /y to overwrite it", out);
    memset(&err, 0, sizeof err);
    if (!(rel = cli_key_relative(a.npos == 3 ? a.pos[1] : "")) ||
        !(prefix = cli_root_prefix(a.pos[0]))) {
        cli_failf("out of memory");
        goto out;
    }
    if (bf_hive_open(a.pos[0], 0, &h, &err) != BF_OK) {
        cli_fail(&err);
        goto out;
    }
    if (bf_node_lookup(h, bf_hive_root(h), rel, &n, &err) != BF_OK ||
        bf_regfile_export(h, n, prefix, (a.seen & RS_UTF8) ? BF_REGFILE_UTF8 : BF_REGFILE_UTF16,
                          &text, &len, &err) != BF_OK ||
        cli_write_file(out, text, len, &err) != BF_OK) {
        cli_fail(&err);
        goto out;
    }
    if (strcmp(out, "-") != 0)
        cli_note("Exported %s to %s\n", rel[0] ? a.pos[1] : a.pos[0], out);
    rc = EXIT_OK;
out:
    free(text);
    bf_hive_close(h);
    free(prefix);
    free(rel);
    return rc;
}

/* ---- import -------------------------------------------------------------------- */

static int reg_import(int argc, char **argv)
{
    struct reg_args a;
    bf_hive *h = NULL;
    bf_error err;
    uint8_t *text = NULL;
    size_t len = 0;
    char *prefix = NULL;
    bf_regfile_stats st;
    int rc = EXIT_ERR, r, newhive;
    r = reg_parse(argc, argv, "reg import", RS_NEW, 2, 2, &a);
    if (r)
        return r == -2 ? EXIT_OK : EXIT_USAGE;
    newhive = (a.seen & RS_NEW) != 0;
    if (!newhive && (a.minor != 5 || strcmp(a.root, "ROOT") != 0))
        return cli_usage_error("reg import", "--version and --root need --new");
    if (newhive && !g_opt.force && cli_file_exists(a.pos[0]))
        return cli_failf("%s exists; --new creates a new hive (--force replaces it)", a.pos[0]);
    memset(&err, 0, sizeof err);
    memset(&st, 0, sizeof st);
    if (cli_read_file(a.pos[1], &text, &len, &err) != BF_OK)
        return cli_fail(&err);
    if (g_opt.root_name && !(prefix = cli_root_prefix(a.pos[0]))) {
        cli_failf("out of memory");
        goto out;
    }
    if (newhive)
        r = bf_hive_new(a.minor, a.root, &h, &err);
    else
        r = (h = open_write(a.pos[0])) ? BF_OK : BF_ERR_IO;
    if (r != BF_OK) {
        if (newhive)
            cli_fail(&err);
        goto out;
    }
    if (bf_regfile_import(h, prefix, text, len, a.pos[1], &st, &err) != BF_OK) {
        cli_fail(&err);
        goto out;
    }
    rc = newhive ? cli_commit(h, a.pos[0], a.pos[0], 0) : cli_commit(h, a.pos[0], NULL, 1);
    if (rc == EXIT_OK)
        cli_note("Imported %s: %u key%s created, %u deleted, %u value%s set, %u deleted\n",
                 a.pos[1], st.keys_created, st.keys_created == 1 ? "" : "s", st.keys_deleted,
                 st.values_set, st.values_set == 1 ? "" : "s", st.values_deleted);
out:
    bf_hive_close(h);
    free(prefix);
    free(text);
    return rc;
}

static int sub_is(const char *arg, const char *name)
{
    /* "query", "QUERY", "Query": cli_is_switch compares case-insensitively */
    char buf[16];
    if (strlen(arg) + 2 > sizeof buf)
        return 0;
    buf[0] = '-';
    strcpy(buf + 1, arg);
    return cli_is_switch(buf, name);
}

int cmd_reg(int argc, char **argv)
{
    const char *sub;
    if (argc < 2)
        return cli_usage_error("reg", "reg needs a subcommand: query, add, delete, export or "
                                      "import");
    sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0 ||
        strcmp(sub, "/?") == 0) {
        cli_help(stdout, "reg");
        return EXIT_OK;
    }
    /* reg.exe accepts its operations in any case */
    if (sub_is(sub, "query"))
        return cmd_reg_query(argc - 1, argv + 1);
    if (sub_is(sub, "add"))
        return reg_add(argc - 1, argv + 1);
    if (sub_is(sub, "delete"))
        return reg_delete(argc - 1, argv + 1);
    if (sub_is(sub, "export"))
        return reg_export(argc - 1, argv + 1);
    if (sub_is(sub, "import"))
        return reg_import(argc - 1, argv + 1);
    return cli_usage_error("reg", "unknown reg subcommand '%s'", sub);
}
