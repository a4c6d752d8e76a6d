/*
 * cmd_dump.c — `bootfix find-dump [--extract DIR] TARGET`: list the crash
 * dumps of an offline Windows volume, decode their headers, say why none
 * was found, and optionally copy them out (bootfix/dump.h).
 */
#include "cli.h"
#include "bootfix/dump.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TOPIC "find-dump"

/* What --extract did with one dump. */
typedef struct extracted {
    char *path;  /* the copy, or NULL */
    char *error; /* why it failed, or NULL */
} extracted;

static const char *crash_setting_meaning(int v)
{
    switch (v) {
    case -1: return "not set";
    case 0: return "none: no dump is written";
    case 1: return "complete (or active, with FilterPages)";
    case 2: return "kernel";
    case 3: return "small (minidump)";
    case 7: return "automatic";
    default: return "unknown value";
    }
}

static const char *source_name(int src)
{
    switch (src) {
    case BF_DUMP_SRC_DUMPFILE: return "DumpFile";
    case BF_DUMP_SRC_MINIDUMP: return "MinidumpDir";
    case BF_DUMP_SRC_DEDICATED: return "DedicatedDumpFile";
    case BF_DUMP_SRC_PAGEFILE: return "page file";
    default: return "unknown";
    }
}

static const char *source_key(int src)
{
    switch (src) {
    case BF_DUMP_SRC_DUMPFILE: return "dumpfile";
    case BF_DUMP_SRC_MINIDUMP: return "minidump";
    case BF_DUMP_SRC_DEDICATED: return "dedicated";
    case BF_DUMP_SRC_PAGEFILE: return "pagefile";
    default: return "unknown";
    }
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case BF_DUMP_KERNEL64: return "64-bit kernel crash dump (PAGEDU64)";
    case BF_DUMP_KERNEL32: return "32-bit kernel crash dump (PAGEDUMP)";
    case BF_DUMP_USER: return "user-mode minidump (MDMP)";
    default: return "not a dump";
    }
}

static const char *kind_key(int kind)
{
    switch (kind) {
    case BF_DUMP_KERNEL64: return "kernel64";
    case BF_DUMP_KERNEL32: return "kernel32";
    case BF_DUMP_USER: return "user";
    default: return "none";
    }
}

static void unix_iso(int64_t secs, char *out, size_t n)
{
    uint64_t ft = secs > -INT64_C(11644473600)
                      ? (uint64_t)(secs + INT64_C(11644473600)) * 10000000u
                      : 0;
    cli_filetime_iso(ft ? ft : 1, out, n);
}

static void param_hex(const bf_dump_found *f, int i, char *out, size_t n)
{
    if (f->info.kind == BF_DUMP_KERNEL32)
        snprintf(out, n, "0x%08" PRIx32, (uint32_t)f->info.param[i]);
    else
        snprintf(out, n, "0x%016" PRIx64, f->info.param[i]);
}

static void human_size(uint64_t b, char *out, size_t n)
{
    if (b >= (uint64_t)1 << 30)
        snprintf(out, n, "%" PRIu64 " bytes (%.1f GiB)", b, (double)b / 1073741824.0);
    else if (b >= (uint64_t)1 << 20)
        snprintf(out, n, "%" PRIu64 " bytes (%.1f MiB)", b, (double)b / 1048576.0);
    else
        snprintf(out, n, "%" PRIu64 " bytes", b);
}

/* ---- text ------------------------------------------------------------------------------------ */

static void print_setting(const char *name, const char *value, const char *dflt)
{
    if (value)
        printf("  %-20s %s\n", name, value);
    else if (dflt)
        printf("  %-20s (not set: default %s)\n", name, dflt);
    else
        printf("  %-20s (not set)\n", name);
}

static void print_settings_text(const bf_target *t, const bf_dump_search *s)
{
    printf("Target: %s\n", t->root);
    printf("Control set: %s\n", s->control_set);
    if (s->crash_dump_enabled >= 0)
        printf("  %-20s %d (%s)\n", "CrashDumpEnabled", s->crash_dump_enabled,
               crash_setting_meaning(s->crash_dump_enabled));
    else
        printf("  %-20s (not set)\n", "CrashDumpEnabled");
    print_setting("DumpFile", s->dump_file, "%SystemRoot%\\MEMORY.DMP");
    print_setting("MinidumpDir", s->minidump_dir, "%SystemRoot%\\Minidump");
    print_setting("DedicatedDumpFile", s->dedicated_dump_file, NULL);
    if (!s->npaging_files)
        printf("  %-20s (none)\n", "PagingFiles");
    for (size_t i = 0; i < s->npaging_files; i++)
        printf("  %-20s %s\n", i ? "" : "PagingFiles", s->paging_files[i]);
}

static void print_dump_text(const bf_target *t, size_t idx, const bf_dump_found *f,
                            const extracted *x)
{
    const bf_dump_info *d = &f->info;
    char buf[64], p[4][24];
    printf("\nDump %zu: %s\n", idx + 1, f->path);
    printf("  %-16s %s (%s)\n", "found as", source_name(f->source), f->winpath);
    human_size(f->size, buf, sizeof buf);
    printf("  %-16s %s\n", "size", buf);
    if (f->source == BF_DUMP_SRC_PAGEFILE) {
        human_size(f->dump_bytes, buf, sizeof buf);
        printf("  %-16s %s at the start of the page file\n", "dump size", buf);
    }
    unix_iso(f->mtime, buf, sizeof buf);
    printf("  %-16s %s\n", "modified", buf);
    printf("  %-16s %s\n", "kind", kind_name(d->kind));
    printf("  %-16s %" PRIu32 " (%s)\n", "dump type", d->dump_type, d->dump_type_name);
    printf("  %-16s 0x%08" PRIX32 " %s\n", "bugcheck", d->bugcheck,
           d->bugcheck_name ? d->bugcheck_name : "(unknown code)");
    for (int i = 0; i < 4; i++)
        param_hex(f, i, p[i], sizeof p[i]);
    printf("  %-16s %s %s %s %s\n", "parameters", p[0], p[1], p[2], p[3]);
    if (d->param_note[0])
        printf("  %-16s %s\n", "note", d->param_note);
    cli_filetime_iso(d->crash_time, buf, sizeof buf);
    printf("  %-16s %s\n", "crash time", buf);
    printf("  %-16s %" PRIu32 "\n", "processors", d->processors);
    if (d->machine)
        printf("  %-16s 0x%04" PRIX32 " (%s)\n", "machine", d->machine,
               d->machine_name ? d->machine_name : "unknown");
    else
        printf("  %-16s (not set)\n", "machine");
    printf("  %-16s %" PRIu32 " (major version 0x%" PRIX32 "%s)\n", "build", d->minor, d->major,
           d->major == 0xF ? ", free build" : d->major == 0xC ? ", checked build" : "");
    if (d->problem[0])
        printf("  %-16s %s\n", "problem", d->problem);
    if (x && x->path)
        printf("  %-16s %s\n", "copied to", x->path);
    else if (x && x->error)
        printf("  %-16s %s\n", "copy failed", x->error);
    else if (f->source == BF_DUMP_SRC_PAGEFILE && !g_opt.quiet)
        printf("  This dump is still inside the page file: Windows copies it out only when\n"
               "  it boots again.  Copy it now with: bootfix find-dump --extract DIR %s\n",
               t->spec);
}

static void print_text(const bf_target *t, const bf_dump_search *s, const extracted *x)
{
    if (!g_opt.quiet)
        print_settings_text(t, s);
    for (size_t i = 0; i < s->nfound; i++)
        print_dump_text(t, i, &s->found[i], x ? &x[i] : NULL);
    if (!s->nfound)
        printf("%sNo crash dump found.\n", g_opt.quiet ? "" : "\n");
    if (s->nreasons && (!g_opt.quiet || !s->nfound)) {
        printf("\n%s\n", s->nfound ? "Notes:" : "Why:");
        for (size_t i = 0; i < s->nreasons; i++)
            printf("  - %s\n", s->reasons[i]);
    }
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static void json_opt_str(cli_json *j, const char *key, const char *v)
{
    if (v)
        cli_json_str(j, key, v);
    else
        cli_json_null(j, key);
}

static void print_dump_json(cli_json *j, const bf_dump_found *f, const extracted *x)
{
    const bf_dump_info *d = &f->info;
    char buf[64];
    cli_json_object(j, NULL);
    cli_json_str(j, "source", source_key(f->source));
    cli_json_str(j, "path", f->path);
    cli_json_str(j, "winpath", f->winpath);
    cli_json_uint(j, "size", f->size);
    cli_json_uint(j, "dump_bytes", f->dump_bytes);
    cli_json_bool(j, "in_page_file", f->source == BF_DUMP_SRC_PAGEFILE);
    unix_iso(f->mtime, buf, sizeof buf);
    cli_json_str(j, "modified", buf);
    cli_json_int(j, "modified_unix", f->mtime);
    cli_json_str(j, "kind", kind_key(d->kind));
    cli_json_uint(j, "dump_type", d->dump_type);
    cli_json_str(j, "dump_type_name", d->dump_type_name);
    cli_json_uint(j, "bugcheck", d->bugcheck);
    snprintf(buf, sizeof buf, "0x%08" PRIX32, d->bugcheck);
    cli_json_str(j, "bugcheck_hex", buf);
    json_opt_str(j, "bugcheck_name", d->bugcheck_name);
    cli_json_array(j, "parameters");
    for (int i = 0; i < 4; i++)
        cli_json_uint(j, NULL, d->param[i]);
    cli_json_end_array(j);
    cli_json_array(j, "parameters_hex");
    for (int i = 0; i < 4; i++) {
        param_hex(f, i, buf, sizeof buf);
        cli_json_str(j, NULL, buf);
    }
    cli_json_end_array(j);
    json_opt_str(j, "param_note", d->param_note[0] ? d->param_note : NULL);
    if (d->crash_time) {
        cli_filetime_iso(d->crash_time, buf, sizeof buf);
        cli_json_str(j, "crash_time", buf);
    } else {
        cli_json_null(j, "crash_time");
    }
    cli_json_uint(j, "crash_time_filetime", d->crash_time);
    cli_json_uint(j, "processors", d->processors);
    cli_json_uint(j, "machine", d->machine);
    json_opt_str(j, "machine_name", d->machine_name);
    cli_json_uint(j, "major_version", d->major);
    cli_json_uint(j, "build", d->minor);
    cli_json_uint(j, "required_space", d->required_space);
    json_opt_str(j, "problem", d->problem[0] ? d->problem : NULL);
    if (x) {
        json_opt_str(j, "extracted", x->path);
        if (x->error)
            cli_json_str(j, "extract_error", x->error);
    }
    cli_json_end_object(j);
}

static void print_json(const bf_target *t, const bf_dump_search *s, const extracted *x)
{
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_json_object(&j, NULL);
    cli_json_str(&j, "target", t->root);
    cli_json_str(&j, "control_set", s->control_set);
    cli_json_object(&j, "settings");
    if (s->crash_dump_enabled >= 0)
        cli_json_int(&j, "CrashDumpEnabled", s->crash_dump_enabled);
    else
        cli_json_null(&j, "CrashDumpEnabled");
    cli_json_str(&j, "CrashDumpEnabled_meaning", crash_setting_meaning(s->crash_dump_enabled));
    json_opt_str(&j, "DumpFile", s->dump_file);
    json_opt_str(&j, "MinidumpDir", s->minidump_dir);
    json_opt_str(&j, "DedicatedDumpFile", s->dedicated_dump_file);
    cli_json_array(&j, "PagingFiles");
    for (size_t i = 0; i < s->npaging_files; i++)
        cli_json_str(&j, NULL, s->paging_files[i]);
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    cli_json_array(&j, "dumps");
    for (size_t i = 0; i < s->nfound; i++)
        print_dump_json(&j, &s->found[i], x ? &x[i] : NULL);
    cli_json_end_array(&j);
    cli_json_array(&j, "reasons");
    for (size_t i = 0; i < s->nreasons; i++)
        cli_json_str(&j, NULL, s->reasons[i]);
    cli_json_end_array(&j);
    cli_json_end_object(&j);
}

/* ---- extraction ------------------------------------------------------------------------------ */

/* Copy every dump; returns the number of failures. */
static int extract_all(const bf_dump_search *s, const char *dir, extracted *x)
{
    int failed = 0;
    for (size_t i = 0; i < s->nfound; i++) {
        const bf_dump_found *f = &s->found[i];
        const char *name = strrchr(f->path, '/');
        char label[300];
        bf_error err;
        snprintf(label, sizeof label, "copying %s", name ? name + 1 : f->path);
        if (bf_dump_extract(f, dir, cli_progress, label, &x[i].path, &err) != BF_OK) {
            x[i].error = strdup(err.msg);
            failed++;
            if (!g_opt.json)
                fprintf(stderr, "bootfix: %s\n", err.msg);
        }
    }
    return failed;
}

static void free_extracted(extracted *x, size_t n)
{
    if (!x)
        return;
    for (size_t i = 0; i < n; i++) {
        free(x[i].path);
        free(x[i].error);
    }
    free(x);
}

/* ---- the command ------------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, const char **spec, const char **dir)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = cli_global_long(argc, argv, &i, TOPIC);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0) {
            i--;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help(stdout, TOPIC);
            return -1;
        }
        if (strcmp(a, "-q") == 0) {
            g_opt.quiet = 1;
        } else if (strcmp(a, "-v") == 0) {
            g_opt.verbose = 1;
        } else if (strncmp(a, "--extract=", 10) == 0) {
            *dir = a + 10;
            if (!**dir)
                return cli_usage_error(TOPIC, "--extract needs a directory");
        } else if (strcmp(a, "--extract") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0])
                return cli_usage_error(TOPIC, "--extract needs a directory (e.g. --extract /tmp/dumps)");
            *dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error(TOPIC, "unknown option '%s'", a);
        } else if (*spec) {
            return cli_usage_error(TOPIC, "unexpected argument '%s' (one target only)", a);
        } else {
            *spec = a;
        }
    }
    if (!*spec)
        return cli_usage_error(TOPIC, "no target given (e.g. bootfix find-dump /mnt/f)");
    return EXIT_OK;
}

int cmd_find_dump(int argc, char **argv)
{
    const char *spec = NULL, *dir = NULL;
    bf_dump_search s;
    bf_error err;
    extracted *x = NULL;
    int rc = parse_args(argc, argv, &spec, &dir);
    if (rc < 0)
        return EXIT_OK; /* help printed */
    if (rc != EXIT_OK)
        return rc;
    bf_target *t = cli_open_target(spec);
    if (!t)
        return EXIT_ERR;
    if (bf_dump_find(t, &s, &err) != BF_OK) {
        bf_target_close(t);
        return cli_fail(&err);
    }
    int failed = 0;
    if (dir && s.nfound) {
        x = calloc(s.nfound, sizeof *x);
        if (!x) {
            bf_dump_search_free(&s);
            bf_target_close(t);
            return cli_failf("out of memory");
        }
        failed = extract_all(&s, dir, x);
    }
    if (g_opt.json)
        print_json(t, &s, x);
    else
        print_text(t, &s, x);
    free_extracted(x, s.nfound);
    bf_dump_search_free(&s);
    bf_target_close(t);
    return failed ? EXIT_ERR : EXIT_OK;
}
