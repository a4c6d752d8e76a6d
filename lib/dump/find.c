/*
 * find.c — find the crash dumps of an offline Windows volume.
 *
 * Reads the control set Select\Current names in the SYSTEM hive (logs
 * replayed in memory), then looks at: CrashControl\DumpFile (MEMORY.DMP),
 * every *.dmp in CrashControl\MinidumpDir, CrashControl\DedicatedDumpFile,
 * and the start of every page file (Memory Management\PagingFiles and
 * ExistingPageFiles), where a dump sits when Windows wrote it but never
 * booted again to copy it out.  Only the first DMP_PROBE_BYTES of each file
 * are read.  Nothing is written.
 */
#include "io/io.h"
#include "dump/internal.h"
#include "hive/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DUMP_FILE "%SystemRoot%\\MEMORY.DMP"
#define DEFAULT_MINIDUMP_DIR "%SystemRoot%\\Minidump"
#define MAX_MINIDUMPS 100000u /* directory entries looked at */

typedef struct finder {
    const bf_target *t;
    bf_hive *h;
    bf_dump_search *s;
    size_t found_cap, reasons_cap;
    char **checked; /* resolved paths already looked at */
    size_t nchecked, checked_cap;
    char **pagewin; /* page file paths named by the registry, normalized */
    size_t npagewin, pagewin_cap;
} finder;

/* ---- small helpers ---------------------------------------------------------------------- */

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *p = bf_realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* Hand a local error to the caller; returns its code. */
static int pass_error(bf_error *err, const bf_error *e)
{
    if (err)
        *err = *e;
    return e->code;
}

static int add_reason(finder *f, bf_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    BF_PRINTF(3, 4)
#endif
    ;

static int add_reason(finder *f, bf_error *err, const char *fmt, ...)
{
    va_list ap;
    char tmp[1];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return bf_fail(err, BF_ERR_INVALID, "bad reason format");
    char *r = bf_malloc((size_t)n + 1);
    if (!r || grow((void **)&f->s->reasons, &f->reasons_cap, f->s->nreasons + 1, sizeof(char *))) {
        free(r);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    va_start(ap, fmt);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    va_end(ap);
    f->s->reasons[f->s->nreasons++] = r;
    return BF_OK;
}

/* Remember a resolved path; 1 when it was already looked at, <0 on ENOMEM. */
static int seen_before(finder *f, const char *path, bf_error *err)
{
    for (size_t i = 0; i < f->nchecked; i++)
        if (strcmp(f->checked[i], path) == 0)
            return 1;
    char *d = bf_strdup(path);
    if (!d || grow((void **)&f->checked, &f->checked_cap, f->nchecked + 1, sizeof(char *))) {
        free(d);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    f->checked[f->nchecked++] = d;
    return 0;
}

/* ---- registry values ---------------------------------------------------------------------- */

/* Raw data of value `name` of key n: 1 found, 0 absent (or n is BF_NONE). */
static int get_raw(finder *f, bf_node n, const char *name, uint32_t *type, uint8_t **data,
                   size_t *len, bf_error *err)
{
    bf_value v;
    bf_error e;
    if (n == BF_NONE)
        return 0;
    int rc = bf_node_get_value(f->h, n, name, &v, &e);
    if (rc == BF_ERR_NOT_FOUND)
        return 0;
    if (rc == BF_OK)
        rc = bf_value_data(f->h, v, type, data, len, &e);
    if (rc != BF_OK) {
        if (err)
            *err = e;
        return rc;
    }
    return 1;
}

static int get_dword(finder *f, bf_node n, const char *name, uint32_t *out, bf_error *err)
{
    uint32_t type;
    uint8_t *d;
    size_t len;
    int rc = get_raw(f, n, name, &type, &d, &len, err);
    if (rc <= 0)
        return rc;
    rc = 0;
    if (len >= 4 && (type == BF_REG_DWORD || type == BF_REG_BINARY || type == BF_REG_QWORD)) {
        *out = rd32(d);
        rc = 1;
    }
    free(d);
    return rc;
}

/* The value's lines (bf_node_get_strings): 1 found, 0 absent or not a
 * string, or a negative status. */
static int get_lines(finder *f, bf_node n, const char *name, uint32_t *type, char ***lines,
                     size_t *count, bf_error *err)
{
    bf_error e;
    int rc;
    if (n == BF_NONE)
        return 0;
    rc = bf_node_get_strings(f->h, n, name, type, lines, count, &e);
    if (rc == BF_ERR_NOT_FOUND || rc == BF_ERR_INVALID)
        return 0;
    if (rc != BF_OK) {
        if (err)
            *err = e;
        return rc;
    }
    return 1;
}

/* REG_SZ / REG_EXPAND_SZ as UTF-8, cut at the first NUL.  1 found, 0 absent
 * (or not a string, or empty). */
static int get_string(finder *f, bf_node n, const char *name, char **out, bf_error *err)
{
    uint32_t type = 0;
    char **lines = NULL;
    size_t count = 0;
    int rc = get_lines(f, n, name, &type, &lines, &count, err);
    if (rc <= 0)
        return rc;
    rc = 0;
    if (type != BF_REG_MULTI_SZ && count == 1 && lines[0][0]) {
        *out = lines[0];
        lines[0] = NULL;
        rc = 1;
    }
    bf_strings_free(lines, count);
    return rc;
}

/* REG_MULTI_SZ lines (empty ones dropped), or the one line of a REG_SZ.
 * *out malloc'd (NULL when none). */
static int get_multi(finder *f, bf_node n, const char *name, char ***out, size_t *count,
                     bf_error *err)
{
    *out = NULL;
    *count = 0;
    int rc = get_lines(f, n, name, NULL, out, count, err);
    if (rc == 1 && *count == 1 && !(*out)[0][0]) { /* an empty REG_SZ */
        bf_strings_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return rc;
}

/* ---- the control set ------------------------------------------------------------------------ */

/* "ControlSetNNN" (any case) → NNN, else -1 */
static int control_set_number(const char *name)
{
    static const char pfx[] = "controlset";
    size_t i;
    for (i = 0; pfx[i]; i++)
        if (tolower((unsigned char)name[i]) != pfx[i])
            return -1;
    if (strlen(name + i) != 3)
        return -1;
    for (size_t k = i; k < i + 3; k++)
        if (!isdigit((unsigned char)name[k]))
            return -1;
    return atoi(name + i);
}

/* The lowest ControlSetNNN under the root: its number, or -1. */
static int lowest_control_set(finder *f, bf_error *err, int *best)
{
    bf_node *kids;
    size_t n;
    *best = -1;
    int rc = bf_node_children(f->h, bf_hive_root(f->h), &kids, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        char *name;
        rc = bf_node_name(f->h, kids[i], &name, err);
        if (rc)
            break;
        int num = control_set_number(name);
        free(name);
        if (num > 0 && (*best < 0 || num < *best))
            *best = num;
    }
    free(kids);
    return rc;
}

/* A key under `from`: BF_OK; BF_ERR_NOT_FOUND when absent or unreadable
 * (it then counts as absent); BF_ERR_NOMEM (err set) when memory ran out. */
static int find_key(finder *f, bf_node from, const char *path, bf_node *out, bf_error *err)
{
    bf_error e;
    int rc = bf_node_lookup(f->h, from, path, out, &e);
    if (rc == BF_OK)
        return BF_OK;
    *out = BF_NONE;
    return rc == BF_ERR_NOMEM ? pass_error(err, &e) : BF_ERR_NOT_FOUND;
}

static int pick_control_set(finder *f, bf_node *cs, bf_error *err)
{
    bf_node root = bf_hive_root(f->h), sel = BF_NONE;
    uint32_t cur = 0;
    char name[32];
    int have = 0, rc;
    if ((rc = find_key(f, root, "Select", &sel, err)) == BF_ERR_NOMEM)
        return rc;
    if (rc == BF_OK) {
        rc = get_dword(f, sel, "Current", &cur, err);
        if (rc < 0)
            return rc;
        have = rc == 1 && cur >= 1 && cur <= 999;
    }
    if (have) {
        snprintf(name, sizeof name, "ControlSet%03u", (unsigned)cur);
        if ((rc = find_key(f, root, name, cs, err)) == BF_ERR_NOMEM)
            return rc;
        if (rc == BF_OK)
            return (f->s->control_set = bf_strdup(name)) ? BF_OK
                                                      : bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    int best;
    rc = lowest_control_set(f, err, &best);
    if (rc)
        return rc;
    if (best < 0)
        return bf_fail(err, BF_ERR_NOT_FOUND,
                       "%s: no ControlSetNNN key at the root (is this a SYSTEM hive?)",
                       bf_hive_path(f->h));
    char fallback[32];
    snprintf(fallback, sizeof fallback, "ControlSet%03d", best);
    rc = bf_node_child(f->h, root, fallback, cs, err);
    if (rc)
        return rc;
    if (!(f->s->control_set = bf_strdup(fallback)))
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    if (have)
        return add_reason(f, err, "Select\\Current names %s, which does not exist; the settings "
                          "were read from %s, the lowest control set", name, fallback);
    return add_reason(f, err, "SYSTEM has no usable Select\\Current value; the settings were "
                      "read from %s, the lowest control set", fallback);
}

/* ---- looking at one file ------------------------------------------------------------------------ */

/* First bytes, size and mtime of a regular file.  0 or an errno value. */
static int probe_file(const char *path, uint8_t *buf, size_t *got, uint64_t *size,
                      int64_t *mtime)
{
    bf_io_file *fh;
    uint64_t ssize;
    int64_t ns;
    *got = 0;
    int e = bf_io_open_read(path, &fh);
    if (e)
        return e;
    if ((e = bf_io_size(fh, size)) == 0 && (e = bf_io_stat(path, &ssize, &ns)) == 0) {
        /* seconds, rounded down also before 1970 */
        *mtime = ns / 1000000000 - (ns % 1000000000 < 0);
        while (*got < DMP_PROBE_BYTES) {
            size_t r;
            if ((e = bf_io_pread(fh, buf + *got, DMP_PROBE_BYTES - *got, *got, &r)) != 0 || !r)
                break;
            *got += r;
        }
    }
    bf_io_close(fh);
    return e;
}

static int add_found(finder *f, int source, const char *path, const char *winpath,
                     uint64_t size, int64_t mtime, const bf_dump_info *info, uint64_t dump_bytes,
                     bf_error *err)
{
    bf_dump_search *s = f->s;
    if (grow((void **)&s->found, &f->found_cap, s->nfound + 1, sizeof *s->found))
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    bf_dump_found *d = &s->found[s->nfound];
    memset(d, 0, sizeof *d);
    d->path = bf_strdup(path);
    d->winpath = bf_strdup(winpath);
    if (!d->path || !d->winpath) {
        free(d->path);
        free(d->winpath);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    d->source = source;
    d->size = size;
    d->mtime = mtime;
    d->info = *info;
    d->dump_bytes = dump_bytes;
    s->nfound++;
    return BF_OK;
}

/* Look at a file that should be a dump (DumpFile, minidump, DedicatedDumpFile). */
static int check_dump_file(finder *f, int source, const char *path, const char *winpath,
                           bf_error *err)
{
    uint8_t buf[DMP_PROBE_BYTES];
    size_t got = 0;
    uint64_t size = 0;
    int64_t mtime = 0;
    int rc = seen_before(f, path, err);
    if (rc)
        return rc < 0 ? rc : BF_OK;
    int e = probe_file(path, buf, &got, &size, &mtime);
    if (e == ENOMEM)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory reading %s", path);
    if (e)
        return add_reason(f, err, "%s (%s) cannot be read: %s", winpath, path, bf_io_strerror(e));
    bf_dump_info info;
    bf_error de;
    if (bf_dump_decode(buf, got, &info, &de) != BF_OK)
        return add_reason(f, err, "%s (%s) is %s", winpath, path, de.msg);
    if (info.kind == BF_DUMP_USER)
        return add_reason(f, err, "%s (%s) is a user-mode minidump, not a kernel crash dump",
                          winpath, path);
    return add_found(f, source, path, winpath, size, mtime, &info, size, err);
}

/* Look at the start of a page file; only a dump header counts. */
static int check_page_file(finder *f, const char *path, const char *winpath, bf_error *err)
{
    uint8_t buf[DMP_PROBE_BYTES];
    size_t got = 0;
    uint64_t size = 0;
    int64_t mtime = 0;
    int rc = seen_before(f, path, err);
    if (rc)
        return rc < 0 ? rc : BF_OK;
    int e = probe_file(path, buf, &got, &size, &mtime);
    if (e == ENOMEM)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory reading %s", path);
    if (e)
        return add_reason(f, err, "the page file %s (%s) cannot be read: %s", winpath, path,
                          bf_io_strerror(e));
    if (got < 8 || (memcmp(buf, "PAGEDU64", 8) != 0 && memcmp(buf, "PAGEDUMP", 8) != 0))
        return BF_OK; /* an ordinary page file */
    bf_dump_info info;
    if (bf_dump_decode(buf, got, &info, NULL) != BF_OK)
        return BF_OK;
    uint64_t bytes = info.required_space && info.required_space < size ? info.required_space
                                                                        : size;
    return add_found(f, BF_DUMP_SRC_PAGEFILE, path, winpath, size, mtime, &info, bytes, err);
}

/* bf_target_resolve with the reasons for the common failures.  *out NULL
 * (and BF_OK) when the file is not there to look at. */
static int resolve(finder *f, const char *what, const char *winpath, char **out, bf_error *err)
{
    bf_error e;
    *out = NULL;
    int rc = bf_target_resolve(f->t, winpath, out, &e);
    if (rc == BF_OK)
        return BF_OK;
    *out = NULL;
    if (rc == BF_ERR_NOMEM)
        return pass_error(err, &e);
    if (rc == BF_ERR_NOT_FOUND)
        return add_reason(f, err, "%s %s does not exist on the target", what, winpath);
    if (rc == BF_ERR_UNSUPPORTED)
        return add_reason(f, err, "%s cannot be looked at: %s", what, e.msg);
    return add_reason(f, err, "%s %s cannot be looked at: %s", what, winpath, e.msg);
}

/* ---- the sources ---------------------------------------------------------------------------------- */

static int look_dump_file(finder *f, bf_error *err)
{
    const char *win = f->s->dump_file ? f->s->dump_file : DEFAULT_DUMP_FILE;
    char *path;
    int rc = resolve(f, "the dump file", win, &path, err);
    if (rc || !path)
        return rc;
    rc = check_dump_file(f, BF_DUMP_SRC_DUMPFILE, path, win, err);
    free(path);
    return rc;
}

static int has_dmp_ext(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && bf_ascii_ieq(name + n - 4, ".dmp");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The *.dmp names of a directory, sorted.  0 or errno. */
static int list_dmp(const char *dir, char ***names, size_t *count)
{
    bf_io_dir *d;
    const char *name;
    size_t cap = 0, seen = 0;
    *names = NULL;
    *count = 0;
    int e = bf_io_dir_open(dir, &d);
    if (e)
        return e;
    while ((name = bf_io_dir_next(d)) != NULL && seen++ < MAX_MINIDUMPS) {
        if (!has_dmp_ext(name))
            continue;
        char *n = bf_strdup(name);
        if (!n || grow((void **)names, &cap, *count + 1, sizeof(char *))) {
            free(n);
            bf_io_dir_close(d);
            free_list(*names, *count);
            *names = NULL;
            *count = 0;
            return ENOMEM;
        }
        (*names)[(*count)++] = n;
    }
    bf_io_dir_close(d);
    if (*count)
        qsort(*names, *count, sizeof(char *), cmp_str);
    return 0;
}

static char *join(const char *a, char sep, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = bf_malloc(la + lb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    p[la] = sep;
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

static int look_minidumps(finder *f, bf_error *err)
{
    const char *win = f->s->minidump_dir ? f->s->minidump_dir : DEFAULT_MINIDUMP_DIR;
    char *dir = NULL, **names = NULL;
    size_t n = 0;
    bf_error e;
    int rc = bf_target_resolve(f->t, win, &dir, &e);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK; /* no minidump was ever written */
    if (rc == BF_ERR_NOMEM)
        return pass_error(err, &e);
    if (rc != BF_OK)
        return add_reason(f, err, "the minidump folder %s cannot be looked at: %s", win, e.msg);
    int en = list_dmp(dir, &names, &n);
    if (en == ENOMEM)
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
    else if (en)
        rc = add_reason(f, err, "the minidump folder %s (%s) cannot be read: %s", win, dir,
                        bf_io_strerror(en));
    for (size_t i = 0; rc == BF_OK && i < n; i++) {
        char *path = join(dir, bf_io_sep, names[i]), *wp = join(win, '\\', names[i]);
        if (!path || !wp)
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
        else
            rc = check_dump_file(f, BF_DUMP_SRC_MINIDUMP, path, wp, err);
        free(path);
        free(wp);
    }
    free_list(names, n);
    free(dir);
    return rc;
}

static int look_dedicated(finder *f, bf_error *err)
{
    char *path;
    if (!f->s->dedicated_dump_file)
        return BF_OK;
    int rc = resolve(f, "the DedicatedDumpFile", f->s->dedicated_dump_file, &path, err);
    if (rc || !path)
        return rc;
    rc = check_dump_file(f, BF_DUMP_SRC_DEDICATED, path, f->s->dedicated_dump_file, err);
    free(path);
    return rc;
}

/* A PagingFiles line or ExistingPageFiles entry to the Windows path of the
 * file: first word, "\??\" dropped, "?:" (any drive) made the system drive.
 * malloc'd; NULL when the line is empty (or out of memory: *oom set). */
static char *page_file_path(const finder *f, const char *line, int *oom)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (strncmp(line, "\\??\\", 4) == 0)
        line += 4;
    size_t n = strcspn(line, " \t");
    if (n == 0)
        return NULL;
    char *p = bf_malloc(n + 1);
    if (!p) {
        *oom = 1;
        return NULL;
    }
    memcpy(p, line, n);
    p[n] = '\0';
    if (n >= 2 && p[0] == '?' && p[1] == ':')
        p[0] = f->t->system_drive ? f->t->system_drive : 'C';
    return p;
}

static int look_page_file(finder *f, const char *line, bf_error *err)
{
    int oom = 0;
    char *win = page_file_path(f, line, &oom), *path = NULL;
    if (!win)
        return oom ? bf_fail(err, BF_ERR_NOMEM, "out of memory") : BF_OK;
    for (size_t i = 0; i < f->npagewin; i++)
        if (bf_ascii_ieq(f->pagewin[i], win)) {
            free(win);
            return BF_OK; /* named twice (PagingFiles and ExistingPageFiles) */
        }
    if (grow((void **)&f->pagewin, &f->pagewin_cap, f->npagewin + 1, sizeof(char *))) {
        free(win);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    f->pagewin[f->npagewin++] = win;
    bf_error e;
    int rc = bf_target_resolve(f->t, win, &path, &e);
    if (rc == BF_OK) {
        rc = check_page_file(f, path, win, err);
        free(path);
        return rc;
    }
    if (rc == BF_ERR_NOMEM)
        return pass_error(err, &e);
    if (rc == BF_ERR_UNSUPPORTED) {
        char drive = (char)toupper((unsigned char)win[0]);
        char sys = f->t->system_drive ? f->t->system_drive : 'C';
        return add_reason(f, err, "the page file %s is on drive %c:, not on the system drive "
                          "%c: (on an Azure VM %c: is usually the temporary disk, which is lost "
                          "on redeploy and does not hold a dump written before), so a dump "
                          "written into it cannot be recovered from this disk",
                          win, drive, sys, drive);
    }
    if (rc == BF_ERR_NOT_FOUND)
        return add_reason(f, err, "the page file %s does not exist on the target", win);
    return add_reason(f, err, "the page file %s cannot be looked at: %s", win, e.msg);
}

static int look_page_files(finder *f, bf_node mm, bf_error *err)
{
    char **existing = NULL;
    size_t nexisting = 0;
    int rc = BF_OK;
    for (size_t i = 0; rc == BF_OK && i < f->s->npaging_files; i++)
        rc = look_page_file(f, f->s->paging_files[i], err);
    if (rc == BF_OK)
        rc = get_multi(f, mm, "ExistingPageFiles", &existing, &nexisting, err);
    if (rc < 0)
        return rc;
    rc = BF_OK;
    for (size_t i = 0; rc == BF_OK && i < nexisting; i++)
        rc = look_page_file(f, existing[i], err);
    free_list(existing, nexisting);
    return rc;
}

/* ---- settings and the general reasons ---------------------------------------------------------------- */

static int read_settings(finder *f, bf_node cs, bf_node *mm, bf_error *err)
{
    bf_node cc = BF_NONE;
    uint32_t v;
    bf_dump_search *s = f->s;
    *mm = BF_NONE;
    int rc = find_key(f, cs, "Control\\CrashControl", &cc, err);
    if (rc == BF_ERR_NOMEM ||
        (rc = find_key(f, cs, "Control\\Session Manager\\Memory Management", mm, err)) ==
            BF_ERR_NOMEM)
        return rc;
    rc = get_dword(f, cc, "CrashDumpEnabled", &v, err);
    if (rc < 0)
        return rc;
    s->crash_dump_enabled = rc == 1 ? (int)(v > 0x7FFFFFFFu ? 0x7FFFFFFF : v) : -1;
    if ((rc = get_string(f, cc, "DumpFile", &s->dump_file, err)) < 0 ||
        (rc = get_string(f, cc, "MinidumpDir", &s->minidump_dir, err)) < 0 ||
        (rc = get_string(f, cc, "DedicatedDumpFile", &s->dedicated_dump_file, err)) < 0 ||
        (rc = get_multi(f, *mm, "PagingFiles", &s->paging_files, &s->npaging_files, err)) < 0)
        return rc;
    return BF_OK;
}

static int general_reasons(finder *f, bf_error *err)
{
    bf_dump_search *s = f->s;
    int rc = BF_OK;
    if (s->crash_dump_enabled == 0)
        rc = add_reason(f, err, "dumps are disabled: CrashDumpEnabled is 0 in "
                        "%s\\Control\\CrashControl", s->control_set);
    else if (s->crash_dump_enabled < 0)
        rc = add_reason(f, err, "CrashDumpEnabled is not set in %s\\Control\\CrashControl, "
                        "so Windows may not write a dump", s->control_set);
    if (rc == BF_OK && s->npaging_files == 0 && !s->dedicated_dump_file)
        rc = add_reason(f, err, "no page file is configured (Memory Management\\PagingFiles is "
                        "empty or absent) and no DedicatedDumpFile is set: Windows needs one of "
                        "them to write a kernel or complete dump");
    return rc;
}

static int final_reason(finder *f, bf_error *err)
{
    if (f->s->nfound)
        return BF_OK;
    return add_reason(f, err, "no crash dump was found: run `bootfix enable-dump %s`, start the "
                      "VM and reproduce the crash (if it hangs instead, trigger a dump with an "
                      "NMI from the serial console), then look again",
                      f->t->spec ? f->t->spec : "TARGET");
}

/* ---- entry points ------------------------------------------------------------------------------------- */

static int open_system(finder *f, bf_error *err)
{
    bf_error e;
    int rc = bf_hive_open(f->t->system_path, 0, &f->h, &e);
    if (rc == BF_ERR_DIRTY) {
        rc = bf_hive_open(f->t->system_path, BF_OPEN_NO_LOGS, &f->h, err);
        if (rc == BF_OK)
            rc = add_reason(f, err, "the SYSTEM hive is dirty and its logs cannot be replayed "
                            "(%s); the settings were read from the primary file and may be "
                            "out of date", e.msg);
        return rc;
    }
    if (rc != BF_OK)
        return pass_error(err, &e);
    bf_hive_info info;
    if (bf_hive_get_info(f->h, &info) == BF_OK && info.dirty && !info.replayed)
        return add_reason(f, err, "the SYSTEM hive is dirty and its logs cannot be replayed "
                          "(none found beside it); the settings were read from the primary file "
                          "and may be out of date");
    return BF_OK;
}

int bf_dump_find(const bf_target *t, bf_dump_search *out, bf_error *err)
{
    finder f;
    bf_node cs, mm;
    if (!out)
        return bf_fail(err, BF_ERR_INVALID, "bf_dump_find: no output");
    memset(out, 0, sizeof *out);
    out->crash_dump_enabled = -1;
    if (!t || !t->system_path)
        return bf_fail(err, BF_ERR_NOT_FOUND, "the target has no SYSTEM hive to read the dump "
                       "settings from");
    memset(&f, 0, sizeof f);
    f.t = t;
    f.s = out;
    int rc = open_system(&f, err);
    if (rc == BF_OK)
        rc = pick_control_set(&f, &cs, err);
    if (rc == BF_OK)
        rc = read_settings(&f, cs, &mm, err);
    if (rc == BF_OK)
        rc = general_reasons(&f, err);
    if (rc == BF_OK)
        rc = look_dump_file(&f, err);
    if (rc == BF_OK)
        rc = look_minidumps(&f, err);
    if (rc == BF_OK)
        rc = look_dedicated(&f, err);
    if (rc == BF_OK)
        rc = look_page_files(&f, mm, err);
    if (rc == BF_OK)
        rc = final_reason(&f, err);
    if (f.h)
        bf_hive_close(f.h);
    free_list(f.checked, f.nchecked);
    free_list(f.pagewin, f.npagewin);
    if (rc != BF_OK) {
        bf_dump_search_free(out);
        out->crash_dump_enabled = -1;
    }
    return rc;
}

void bf_dump_search_free(bf_dump_search *s)
{
    if (!s)
        return;
    free(s->control_set);
    free(s->dump_file);
    free(s->minidump_dir);
    free(s->dedicated_dump_file);
    free_list(s->paging_files, s->npaging_files);
    for (size_t i = 0; i < s->nfound; i++) {
        free(s->found[i].path);
        free(s->found[i].winpath);
    }
    free(s->found);
    free_list(s->reasons, s->nreasons);
    memset(s, 0, sizeof *s);
}
