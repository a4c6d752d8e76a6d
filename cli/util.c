/*
 * util.c — helpers of the bootfix CLI: messages, option spelling, files,
 * time stamps, backup names, key paths and the commit step.
 */
#include "cli.h"
#include "io/io.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cli_opts g_opt;

int cli_fail(const bf_error *err)
{
    fflush(stdout);
    if (err && err->msg[0])
        fprintf(stderr, "bootfix: %s\n", err->msg);
    else if (err)
        fprintf(stderr, "bootfix: %s\n", bf_strerror(err->code));
    else
        fprintf(stderr, "bootfix: unknown error\n");
    return EXIT_ERR;
}

int cli_failf(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("bootfix: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_ERR;
}

void cli_note(const char *fmt, ...)
{
    va_list ap;
    if (g_opt.quiet)
        return;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* --NAME VALUE or --NAME=VALUE: 1 and *val set when argv[*i] is that
 * option (*i left on its last word), 0 when not, -1 on a usage error. */
static int long_with_arg(int argc, char **argv, int *i, const char *name, const char *what,
                         const char *topic, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
    } else if (a[n] == '\0') {
        if (*i + 1 >= argc) {
            cli_usage_error(topic, "%s needs %s", name, what);
            return -1;
        }
        *val = argv[++*i];
    } else {
        return 0;
    }
    if (!(*val)[0]) {
        cli_usage_error(topic, "%s needs a non-empty %s", name, what);
        return -1;
    }
    return 1;
}

int cli_global_long(int argc, char **argv, int *i, const char *topic)
{
    static const struct {
        const char *name, *what;
        const char **slot;
    } with_arg[] = {
        {"--root-name", "key path (e.g. HKLM\\SYSTEM)", &g_opt.root_name},
        {"--backup-dir", "directory", &g_opt.backup_dir},
        {"--bcd", "BCD store path", &g_opt.bcd_path},
        {"--system", "SYSTEM hive path", &g_opt.system_path},
    };
    const char *a = argv[*i];
    size_t k;
    if (strcmp(a, "--force") == 0) {
        g_opt.force = 1;
    } else if (strcmp(a, "--no-backup") == 0) {
        g_opt.no_backup = 1;
    } else if (strcmp(a, "--quiet") == 0) {
        g_opt.quiet = 1;
    } else if (strcmp(a, "--verbose") == 0) {
        g_opt.verbose = 1;
    } else if (strcmp(a, "--dry-run") == 0) {
        g_opt.dry_run = 1;
    } else if (strcmp(a, "--json") == 0) {
        g_opt.json = 1;
    } else {
        for (k = 0; k < sizeof with_arg / sizeof with_arg[0]; k++) {
            int r = long_with_arg(argc, argv, i, with_arg[k].name, with_arg[k].what, topic,
                                  with_arg[k].slot);
            if (r != 0)
                return r < 0 ? -1 : (++*i, 1);
        }
        return 0;
    }
    ++*i;
    return 1;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int cli_is_switch(const char *arg, const char *name)
{
    if (!arg || (arg[0] != '/' && arg[0] != '-'))
        return 0;
    return ieq(arg + 1, name);
}

int cli_looks_like_switch(const char *arg)
{
    if (arg[0] == '-')
        return arg[1] != '\0'; /* "-" alone is stdin/stdout */
    if (arg[0] == '/')
        return strchr(arg + 1, '/') == NULL && strlen(arg) <= 4;
    return 0;
}

int cli_file_exists(const char *path)
{
    bf_io_info in;
    return bf_io_info_of(path, 1, &in) == 0;
}

int cli_read_file(const char *path, uint8_t **buf, size_t *len, bf_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : bf_io_fopen(path, "rb");
    uint8_t *b = NULL;
    size_t cap = 0, n = 0;
    *buf = NULL;
    *len = 0;
    if (!f) {
        int e = errno;
        err->code = BF_ERR_IO;
        err->sys_errno = e;
        snprintf(err->msg, sizeof err->msg, "%s: cannot open: %s", path, bf_io_strerror(e));
        return BF_ERR_IO;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb;
            if (ncap < cap || !(nb = realloc(b, ncap))) {
                free(b);
                if (f != stdin)
                    fclose(f);
                err->code = BF_ERR_NOMEM;
                err->sys_errno = 0;
                snprintf(err->msg, sizeof err->msg, "%s: out of memory reading the file", path);
                return BF_ERR_NOMEM;
            }
            b = nb;
            cap = ncap;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        free(b);
        if (f != stdin)
            fclose(f);
        err->code = BF_ERR_IO;
        err->sys_errno = e;
        snprintf(err->msg, sizeof err->msg, "%s: read error: %s", path, bf_io_strerror(e));
        return BF_ERR_IO;
    }
    if (f != stdin)
        fclose(f);
    *buf = b;
    *len = n;
    return BF_OK;
}

int cli_write_file(const char *path, const uint8_t *buf, size_t len, bf_error *err)
{
    int to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : bf_io_fopen(path, "wb");
    int bad;
    if (!f) {
        int e = errno;
        err->code = BF_ERR_IO;
        err->sys_errno = e;
        snprintf(err->msg, sizeof err->msg, "%s: cannot create: %s", path, bf_io_strerror(e));
        return BF_ERR_IO;
    }
    bad = len && fwrite(buf, 1, len, f) != len;
    bad |= fflush(f) != 0;
    if (!to_stdout)
        bad |= fclose(f) != 0;
    if (bad) {
        int e = errno;
        err->code = BF_ERR_IO;
        err->sys_errno = e;
        snprintf(err->msg, sizeof err->msg, "%s: write error: %s", path, bf_io_strerror(e));
        if (!to_stdout)
            bf_io_unlink(path);
        return BF_ERR_IO;
    }
    return BF_OK;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (eras of 400 years). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    yoe = z - era * 146097;                                 /* [0, 146096] */
    yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365; /* [0, 399] */
    doy = (z - era * 146097) - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    mp = (5 * doy + 2) / 153;                               /* [0, 11] */
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void unix_to_parts(int64_t t, int64_t *y, unsigned *mo, unsigned *d, unsigned *h,
                          unsigned *mi, unsigned *s)
{
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, y, mo, d);
    *h = (unsigned)(rem / 3600);
    *mi = (unsigned)(rem % 3600 / 60);
    *s = (unsigned)(rem % 60);
}

void cli_filetime_iso(uint64_t ft, char *out, size_t outlen)
{
    int64_t y, t;
    unsigned mo, d, h, mi, s;
    if (ft == 0) {
        snprintf(out, outlen, "(not set)");
        return;
    }
    /* FILETIME: 100 ns units since 1601-01-01 UTC */
    t = (int64_t)(ft / 10000000u) - INT64_C(11644473600);
    unix_to_parts(t, &y, &mo, &d, &h, &mi, &s);
    snprintf(out, outlen, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, mo, d, h, mi, s);
}

char *cli_backup_path(const char *path)
{
    int64_t y;
    unsigned mo, d, h, mi, s;
    char stamp[40];
    size_t n = strlen(path) + sizeof stamp + 32;
    char *p = malloc(n);
    int k;
    if (!p)
        return NULL;
    unix_to_parts((int64_t)time(NULL), &y, &mo, &d, &h, &mi, &s);
    snprintf(stamp, sizeof stamp, "%04" PRId64 "%02u%02uT%02u%02u%02uZ", y, mo, d, h, mi, s);
    snprintf(p, n, "%s.bootfix-%s.bak", path, stamp);
    for (k = 2; cli_file_exists(p) && k < 1000; k++)
        snprintf(p, n, "%s.bootfix-%s-%d.bak", path, stamp, k);
    return p;
}

unsigned cli_open_flags(unsigned extra)
{
    return extra | (g_opt.force && (extra & BF_OPEN_WRITE) ? BF_OPEN_FORCE_DIRTY : 0u);
}

int cli_commit(bf_hive *h, const char *path, const char *out_path, int backup)
{
    bf_commit_opts o;
    bf_error err;
    char *bak = NULL;
    memset(&o, 0, sizeof o);
    memset(&err, 0, sizeof err);
    o.out_path = out_path;
    if (backup && !g_opt.no_backup) {
        bak = cli_backup_path(path);
        if (!bak)
            return cli_failf("out of memory");
        o.backup_path = bak;
    }
    if (bf_hive_commit(h, &o, &err) != BF_OK) {
        free(bak);
        return cli_fail(&err);
    }
    if (bak)
        cli_note("Backup of the original: %s\n", bak);
    if (g_opt.verbose)
        printf("Wrote %s\n", out_path ? out_path : path);
    free(bak);
    return EXIT_OK;
}

static const struct {
    const char *abbr, *full;
} roots[] = {
    {"HKLM", "HKEY_LOCAL_MACHINE"}, {"HKCU", "HKEY_CURRENT_USER"},
    {"HKU", "HKEY_USERS"},          {"HKCR", "HKEY_CLASSES_ROOT"},
    {"HKCC", "HKEY_CURRENT_CONFIG"},
};

/* Full name of a root given as its first path component (length n). */
static const char *root_full(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        const char *c[2] = {roots[i].abbr, roots[i].full};
        int j;
        for (j = 0; j < 2; j++) {
            size_t k;
            if (strlen(c[j]) != n)
                continue;
            for (k = 0; k < n && toupper((unsigned char)s[k]) == c[j][k]; k++)
                ;
            if (k == n)
                return roots[i].full;
        }
    }
    return NULL;
}

char *cli_root_prefix(const char *file)
{
    const char *base, *full, *sl;
    char *p;
    size_t n, i;
    if (g_opt.root_name) {
        const char *r = g_opt.root_name;
        while (*r == '\\')
            r++;
        sl = strchr(r, '\\');
        if (!sl) { /* bare NAME */
            n = strlen(r) + 32;
            if (!(p = malloc(n)))
                return NULL;
            snprintf(p, n, "HKEY_LOCAL_MACHINE\\%s", r);
        } else if ((full = root_full(r, (size_t)(sl - r))) != NULL) {
            n = strlen(full) + strlen(sl) + 1;
            if (!(p = malloc(n)))
                return NULL;
            snprintf(p, n, "%s%s", full, sl);
        } else {
            p = strdup(r);
        }
        if (p) /* no trailing separators */
            for (n = strlen(p); n > 0 && p[n - 1] == '\\'; n--)
                p[n - 1] = '\0';
        return p;
    }
    base = file;
    for (i = 0; file[i]; i++)
        if (file[i] == '/' || file[i] == '\\')
            base = file + i + 1;
    n = strlen(base) + 32;
    if (!(p = malloc(n)))
        return NULL;
    snprintf(p, n, "HKEY_LOCAL_MACHINE\\%s", base[0] ? base : "HIVE");
    for (i = 19; p[i]; i++)
        p[i] = (char)toupper((unsigned char)p[i]);
    return p;
}

char *cli_key_relative(const char *key)
{
    const char *k = key, *sl;
    char *p;
    size_t n;
    while (*k == '\\')
        k++;
    sl = strchr(k, '\\');
    if (root_full(k, sl ? (size_t)(sl - k) : strlen(k))) {
        /* ROOT\HIVENAME\rest: drop the first two components */
        if (!sl)
            k += strlen(k);
        else {
            k = sl + 1;
            sl = strchr(k, '\\');
            k = sl ? sl + 1 : k + strlen(k);
        }
    }
    while (*k == '\\')
        k++;
    p = strdup(k);
    if (p)
        for (n = strlen(p); n > 0 && p[n - 1] == '\\'; n--)
            p[n - 1] = '\0';
    return p;
}

char *cli_join_key(const char *prefix, const char *rel)
{
    size_t n = strlen(prefix) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        return NULL;
    if (rel[0])
        snprintf(p, n, "%s\\%s", prefix, rel);
    else
        snprintf(p, n, "%s", prefix);
    return p;
}
