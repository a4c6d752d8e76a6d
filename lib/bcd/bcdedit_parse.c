/*
 * bcdedit_parse.c — bf_bcdedit: bcdedit's command line (switches '/x' or
 * '-x', case-insensitive), the store it names, and the one transaction per
 * command: open, run, commit once for a write, close.
 */
#include "io/io.h"
#include "bcd/bcdedit_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output --------------------------------------------------------------------------- */

int be_prefix(bf_error *err, const char *prefix)
{
    char tmp[2 * sizeof err->msg];
    if (!err)
        return BF_ERR_INVALID;
    snprintf(tmp, sizeof tmp, "%s%s%s", prefix, err->msg[0] ? " " : "", err->msg);
    memcpy(err->msg, tmp, sizeof err->msg - 1);
    err->msg[sizeof err->msg - 1] = '\0';
    return err->code;
}


int be_is_id(const char *w)
{
    return w[0] == '{';
}

int be_number(const char *s, uint64_t *v)
{
    uint64_t x = 0;
    int base = 10, digits = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && isxdigit((unsigned char)*s))
            d = tolower((unsigned char)*s) - 'a' + 10;
        else
            return -1;
        if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return -1;
        x = x * (uint64_t)base + (uint64_t)d;
        digits++;
    }
    if (!digits)
        return -1;
    *v = x;
    return 0;
}

int be_object(struct be_ctx *c, const char *id, bf_guid *g, uint32_t *type, bf_error *err)
{
    int rc;
    if (!id) {
        rc = bf_bcd_resolve(c->s, "{current}", g, err);
        if (rc)
            return be_prefix(err, "No identifier was given, so bcdedit would use {current}:");
    } else {
        rc = bf_bcd_resolve(c->s, id, g, err);
        if (rc)
            return rc;
    }
    return bf_bcd_object_type(c->s, g, type, err);
}

/* ---- switches ------------------------------------------------------------------------- */

enum sw_kind { SW_CMD, SW_MOD, SW_MOD_ARG, SW_MOD_OPTARG, SW_STORE };

static const struct sw {
    const char *name;
    enum sw_kind kind;
    unsigned id; /* enum be_cmd or enum be_mod */
} switches[] = {
    {"store", SW_STORE, 0},
    {"enum", SW_CMD, BE_ENUM},
    {"set", SW_CMD, BE_SET},
    {"deletevalue", SW_CMD, BE_DELETEVALUE},
    {"default", SW_CMD, BE_DEFAULT},
    {"displayorder", SW_CMD, BE_DISPLAYORDER},
    {"toolsdisplayorder", SW_CMD, BE_TOOLSORDER},
    {"bootsequence", SW_CMD, BE_BOOTSEQUENCE},
    {"timeout", SW_CMD, BE_TIMEOUT},
    {"ems", SW_CMD, BE_EMS},
    {"bootems", SW_CMD, BE_BOOTEMS},
    {"emssettings", SW_CMD, BE_EMSSETTINGS},
    {"dbgsettings", SW_CMD, BE_DBGSETTINGS},
    {"create", SW_CMD, BE_CREATE},
    {"copy", SW_CMD, BE_COPY},
    {"delete", SW_CMD, BE_DELETE},
    {"createstore", SW_CMD, BE_CREATESTORE},
    {"export", SW_CMD, BE_EXPORT},
    {"import", SW_CMD, BE_IMPORT},
    {"?", SW_CMD, BE_HELP},
    {"v", SW_MOD, BM_V},
    {"d", SW_MOD_ARG, BM_D},
    {"application", SW_MOD_ARG, BM_APPLICATION},
    {"inherit", SW_MOD_OPTARG, BM_INHERIT},
    {"device", SW_MOD, BM_DEVICE},
    {"f", SW_MOD, BM_F},
    {"cleanup", SW_MOD, BM_CLEANUP},
    {"nocleanup", SW_MOD, BM_NOCLEANUP},
    {"addlast", SW_MOD, BM_ADDLAST},
    {"addfirst", SW_MOD, BM_ADDFIRST},
    {"remove", SW_MOD, BM_REMOVE},
    {"clean", SW_MOD, BM_CLEAN},
    {"start", SW_MOD_ARG, BM_START},
    {"noumex", SW_MOD, BM_NOUMEX},
};

static const struct sw *find_switch(const char *w)
{
    size_t i;
    if (!w || (w[0] != '/' && w[0] != '-') || !w[1])
        return NULL;
    for (i = 0; i < sizeof switches / sizeof switches[0]; i++)
        if (bf_ascii_ieq(w + 1, switches[i].name))
            return &switches[i];
    return NULL;
}

/* which modifiers each command takes, and how many positional words */
static const struct cmd_rule {
    enum be_cmd cmd;
    unsigned mods;
    size_t pmin, pmax;
    int writes;
} rules[] = {
    {BE_ENUM, BM_V, 0, 1, 0},
    {BE_SET, BM_V | BM_ADDLAST | BM_ADDFIRST | BM_REMOVE, 2, (size_t)-1, 1},
    {BE_DELETEVALUE, BM_V, 1, 2, 1},
    {BE_DEFAULT, BM_V, 1, 1, 1},
    {BE_DISPLAYORDER, BM_V | BM_ADDLAST | BM_ADDFIRST | BM_REMOVE, 1, (size_t)-1, 1},
    {BE_TOOLSORDER, BM_V | BM_ADDLAST | BM_ADDFIRST | BM_REMOVE, 1, (size_t)-1, 1},
    {BE_BOOTSEQUENCE, BM_V | BM_ADDLAST | BM_ADDFIRST | BM_REMOVE, 1, (size_t)-1, 1},
    {BE_TIMEOUT, BM_V, 1, 1, 1},
    {BE_EMS, BM_V, 1, 2, 1},
    {BE_BOOTEMS, BM_V, 1, 2, 1},
    {BE_EMSSETTINGS, BM_V, 1, 2, 1},
    {BE_DBGSETTINGS, BM_V | BM_START | BM_NOUMEX, 0, 4, 1},
    {BE_CREATE, BM_V | BM_D | BM_APPLICATION | BM_INHERIT | BM_DEVICE, 0, 1, 1},
    {BE_COPY, BM_V | BM_D, 1, 1, 1},
    {BE_DELETE, BM_V | BM_F | BM_CLEANUP | BM_NOCLEANUP, 1, 1, 1},
    {BE_CREATESTORE, BM_V, 1, 1, 0},
    {BE_EXPORT, BM_V, 1, 1, 0},
    {BE_IMPORT, BM_V | BM_CLEAN, 1, 1, 1},
    {BE_HELP, (unsigned)-1, 0, (size_t)-1, 0},
};

static const struct cmd_rule *rule_of(enum be_cmd cmd)
{
    size_t i;
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].cmd == cmd)
            return &rules[i];
    return NULL;
}

static int usage(bf_error *err, const char *fmt, const char *word)
{
    char what[160];
    snprintf(what, sizeof what, fmt, word ? word : "");
    return bf_fail(err, BF_ERR_INVALID, "%s %s (see \"bootfix help bcdedit\")", BE_MSG_PARAM, what);
}

/* Set a modifier; each at most once. */
static int take_mod(struct be_args *a, const struct sw *sw, const char *word, const char *arg,
                    bf_error *err)
{
    if (a->mods & sw->id)
        return usage(err, "The switch %s is given twice.", word);
    a->mods |= sw->id;
    switch (sw->id) {
    case BM_D: a->d = arg; break;
    case BM_APPLICATION: a->app = arg; break;
    case BM_INHERIT: a->inherit = arg; break;
    case BM_START: a->start = arg; break;
    default: break;
    }
    return BF_OK;
}

static int parse_args(int argc, const char *const *argv, struct be_args *a, bf_error *err)
{
    int i;
    memset(a, 0, sizeof *a);
    if (argc < 0 || (argc > 0 && !argv))
        return bf_fail(err, BF_ERR_INVALID, "bcdedit: no argument vector");
    a->pos = bf_calloc((size_t)argc + 1, sizeof *a->pos);
    if (!a->pos)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    for (i = 0; i < argc; i++) {
        const char *w = argv[i];
        const struct sw *sw;
        if (!w)
            return bf_fail(err, BF_ERR_INVALID, "bcdedit: argument %d is missing", i + 1);
        sw = find_switch(w);
        if (!sw) {
            if (a->cmd == BE_NONE) {
                if (w[0] == '/' || w[0] == '-')
                    return usage(err, "The command %s is not known to bcdedit.", w);
                return usage(err, "'%s' comes before any command (such as /set or /enum).", w);
            }
            a->pos[a->npos++] = w;
            continue;
        }
        switch (sw->kind) {
        case SW_STORE:
            if (a->store)
                return usage(err, "The switch %s is given twice.", w);
            if (i + 1 >= argc || !argv[i + 1] || !argv[i + 1][0])
                return usage(err, "%s needs a file name.", w);
            a->store = argv[++i];
            break;
        case SW_CMD:
            if (a->cmd != BE_NONE)
                return usage(err, "Only one command may be given; %s is a second one.", w);
            a->cmd = (enum be_cmd)sw->id;
            a->cmd_word = w;
            break;
        case SW_MOD:
            if (take_mod(a, sw, w, NULL, err))
                return err ? err->code : BF_ERR_INVALID;
            break;
        case SW_MOD_ARG:
            if (i + 1 >= argc || !argv[i + 1] || find_switch(argv[i + 1]))
                return usage(err, "%s needs a value.", w);
            if (take_mod(a, sw, w, argv[i + 1], err))
                return err ? err->code : BF_ERR_INVALID;
            i++;
            break;
        case SW_MOD_OPTARG: {
            const char *arg = NULL;
            if (i + 1 < argc && argv[i + 1] && argv[i + 1][0] && !find_switch(argv[i + 1]) &&
                !be_is_id(argv[i + 1]))
                arg = argv[++i];
            if (take_mod(a, sw, w, arg, err))
                return err ? err->code : BF_ERR_INVALID;
            break;
        }
        }
    }
    if (a->cmd == BE_NONE) {
        /* "bcdedit /store X" alone (or with /v) is "/enum active" */
        a->cmd = BE_ENUM;
        a->cmd_word = "/enum";
    }
    return BF_OK;
}

static int check_rule(const struct be_args *a, const struct cmd_rule *r, bf_error *err)
{
    size_t i;
    unsigned extra = a->mods & ~r->mods;
    if (extra)
        for (i = 0; i < sizeof switches / sizeof switches[0]; i++)
            if (switches[i].kind != SW_CMD && switches[i].kind != SW_STORE &&
                (extra & switches[i].id)) {
                char w[64];
                snprintf(w, sizeof w, "/%s", switches[i].name);
                return bf_fail(err, BF_ERR_INVALID, "%s The switch %s cannot be used with %s (see "
                               "\"bootfix help bcdedit\")", BE_MSG_PARAM, w, a->cmd_word);
            }
    if (a->npos < r->pmin)
        return bf_fail(err, BF_ERR_INVALID, "%s %s needs more arguments (see \"bootfix help bcdedit\")",
                       BE_MSG_PARAM, a->cmd_word);
    if (a->npos > r->pmax)
        return bf_fail(err, BF_ERR_INVALID, "%s %s: unexpected argument '%.100s' (see \"bootfix help "
                       "bcdedit\")", BE_MSG_PARAM, a->cmd_word, a->pos[r->pmax]);
    if ((a->mods & BM_CLEANUP) && (a->mods & BM_NOCLEANUP))
        return usage(err, "/cleanup and /nocleanup exclude each other.%s", NULL);
    i = !!(a->mods & BM_ADDLAST) + !!(a->mods & BM_ADDFIRST) + !!(a->mods & BM_REMOVE);
    if (i > 1)
        return usage(err, "Only one of /addfirst, /addlast and /remove may be given.%s", NULL);
    return BF_OK;
}

/* ---- the transaction ---------------------------------------------------------------------- */

static int run(struct be_ctx *c, bf_error *err)
{
    switch (c->a->cmd) {
    case BE_ENUM: return be_cmd_enum(c, err);
    case BE_SET: return be_cmd_set(c, err);
    case BE_DELETEVALUE: return be_cmd_deletevalue(c, err);
    case BE_DEFAULT: return be_cmd_default(c, err);
    case BE_DISPLAYORDER: return be_cmd_order(c, BCD_EL_DISPLAYORDER, err);
    case BE_TOOLSORDER: return be_cmd_order(c, BCD_EL_TOOLSORDER, err);
    case BE_BOOTSEQUENCE: return be_cmd_order(c, BCD_EL_BOOTSEQUENCE, err);
    case BE_TIMEOUT: return be_cmd_timeout(c, err);
    case BE_EMS: return be_cmd_ems(c, 0, err);
    case BE_BOOTEMS: return be_cmd_ems(c, 1, err);
    case BE_EMSSETTINGS: return be_cmd_emssettings(c, err);
    case BE_DBGSETTINGS: return be_cmd_dbgsettings(c, err);
    case BE_CREATE: return be_cmd_create(c, err);
    case BE_COPY: return be_cmd_copy(c, err);
    case BE_DELETE: return be_cmd_delete(c, err);
    case BE_EXPORT: return be_cmd_export(c, err);
    case BE_IMPORT: return be_cmd_import(c, err);
    default: return bf_fail(err, BF_ERR_INVALID, "bcdedit: command not handled");
    }
}

/* /dbgsettings without arguments only shows; every other rule.writes command writes */
static int is_write(const struct be_args *a, const struct cmd_rule *r)
{
    if (a->cmd == BE_DBGSETTINGS)
        return a->npos > 0 || (a->mods & (BM_START | BM_NOUMEX));
    return r->writes;
}

int bf_bcdedit_check(int argc, const char *const *argv, const char **store, int *writes,
                     bf_error *err)
{
    struct be_args a;
    int rc;

    if (store)
        *store = NULL;
    if (writes)
        *writes = 0;
    rc = parse_args(argc, argv, &a, err);
    if (rc == BF_OK && a.cmd == BE_HELP)
        rc = bf_fail(err, BF_ERR_INVALID, "bcdedit's help is not built in: see \"bootfix help "
                     "bcdedit\" and bootfix(1)");
    if (rc == BF_OK)
        rc = check_rule(&a, rule_of(a.cmd), err);
    if (rc == BF_OK) {
        if (store)
            *store = a.store;
        if (writes)
            *writes = a.cmd == BE_CREATESTORE || is_write(&a, rule_of(a.cmd));
    }
    free(a.pos);
    return rc;
}

int bf_bcdedit_store(bf_bcd *s, int argc, const char *const *argv, const bf_bcdedit_opts *opts,
                     char **out, bf_error *err)
{
    static const bf_bcdedit_opts none;
    struct be_args a;
    struct be_ctx c;
    int rc;

    if (!out || !s)
        return bf_fail(err, BF_ERR_INVALID, "bcdedit: no store or no output pointer");
    *out = NULL;
    memset(&c, 0, sizeof c);
    rc = parse_args(argc, argv, &a, err);
    if (rc) {
        free(a.pos); /* parse_args allocates it before it can fail */
        return rc;
    }
    if (a.cmd == BE_HELP || a.cmd == BE_CREATESTORE || a.cmd == BE_EXPORT || a.cmd == BE_IMPORT)
        rc = bf_fail(err, BF_ERR_UNSUPPORTED, "%s works on whole store files: it cannot run on a "
                     "store that is being edited", a.cmd_word);
    if (rc == BF_OK)
        rc = check_rule(&a, rule_of(a.cmd), err);
    if (rc == BF_OK) {
        c.opts = opts ? opts : &none;
        c.a = &a;
        c.s = s;
        rc = run(&c, err);
    }
    free(a.pos);
    if (rc == BF_OK) {
        *out = rf_take_str(&c.out);
        return *out ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory for the output");
    }
    rf_free(&c.out);
    return rc;
}

int bf_bcdedit(int argc, const char *const *argv, const bf_bcdedit_opts *opts, char **out,
               bf_error *err)
{
    static const bf_bcdedit_opts none;
    struct be_args a;
    struct be_ctx c;
    const struct cmd_rule *r;
    int rc, write;
    unsigned flags;

    if (out)
        *out = NULL;
    if (!out)
        return bf_fail(err, BF_ERR_INVALID, "bcdedit: no output pointer");
    if (!opts)
        opts = &none;
    memset(&c, 0, sizeof c);
    rc = parse_args(argc, argv, &a, err);
    if (rc)
        goto done;
    if (a.cmd == BE_HELP) {
        rc = bf_fail(err, BF_ERR_INVALID, "bcdedit's help is not built in: see \"bootfix help bcdedit\" "
                     "and bootfix(1)");
        goto done;
    }
    r = rule_of(a.cmd);
    if ((rc = check_rule(&a, r, err)) != 0)
        goto done;
    c.opts = opts;
    c.a = &a;
    if (a.cmd == BE_CREATESTORE) {
        if (a.store) {
            rc = usage(err, "/createstore FILE makes a new store and takes no /store.%s", NULL);
            goto done;
        }
        rc = bf_bcd_createstore(a.pos[0], err);
        if (rc == BF_OK)
            rf_printf(&c.out, "%s\n", BE_MSG_OK);
        goto done;
    }
    if (!a.store) {
        rc = bf_fail(err, BF_ERR_INVALID, "bootfix bcdedit needs /store FILE: an offline tool has no "
                     "system store to fall back on.  Give the BCD file (\\Boot\\BCD or "
                     "\\EFI\\Microsoft\\Boot\\BCD); the bootfix recipe commands find the store "
                     "themselves.");
        goto done;
    }
    write = is_write(&a, r);
    flags = opts->open_flags & ~(unsigned)BF_OPEN_WRITE;
    if (write || a.cmd == BE_EXPORT)
        flags |= BF_OPEN_WRITE;
    rc = bf_bcd_open(a.store, flags, &c.s, err);
    if (rc)
        goto done;
    rc = run(&c, err);
    /* the output first: once the store is written, nothing may fail */
    if (rc == BF_OK) {
        *out = rf_take_str(&c.out);
        if (!*out)
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory for the output; the store was not written");
    }
    if (rc == BF_OK && write && (rc = bf_bcd_commit(c.s, &opts->commit, err)) != BF_OK) {
        free(*out); /* the message says what was written */
        *out = NULL;
    }
done:
    if (c.s)
        bf_bcd_close(c.s);
    free(a.pos);
    if (rc == BF_OK && !*out) { /* /createstore */
        *out = rf_take_str(&c.out);
        if (!*out)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory for the output");
    }
    if (rc != BF_OK)
        rf_free(&c.out);
    return rc;
}
