/*
 * Where the BCD store of a target is: --bcd, the target volume itself, or
 * another partition of the same disk: on Linux one that is mounted
 * somewhere (below), on Windows any volume of the same disk, with or
 * without a drive letter (bf_io_disk_siblings, lib/io/win32/system.c).
 *
 * Linux: *
 * The target's mount comes from mountinfo (proc(5)): the line whose mount
 * point is the longest prefix of the target's real path gives the device
 * number MAJ:MIN and the mount source.  /sys/dev/block/MAJ:MIN links to the
 * partition's folder under /sys/devices; a partition folder holds a
 * `partition` file and sits in its disk's folder, beside the other
 * partitions.  Each of those is looked up in mountinfo again (by device
 * number or by /dev name) and, when mounted, searched for the store.
 */
#include "io/io.h"
#include "target/internal.h"
#include "hive/internal.h"
#include "hive/regfile_util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TG_MAX_MOUNTS 100000u /* lines read from one mountinfo */
#define TG_MAX_SIBLINGS 256u  /* partitions looked at on one disk */

static const char BIOS_REL[] = "Boot\\BCD";
static const char UEFI_REL[] = "EFI\\Microsoft\\Boot\\BCD";

/* ---- mountinfo ---------------------------------------------------------------------------- */

/* Decode the octal escapes (\040 space, \011 tab, \012 newline, \134
 * backslash) the kernel writes in mountinfo paths, in place. */
static void decode_octal(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

static void mount_free(struct tg_mount *mt)
{
    free(mt->root);
    free(mt->point);
    free(mt->opts);
    free(mt->fstype);
    free(mt->source);
    free(mt->super_opts);
}

void tg_mounts_free(struct tg_mounts *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        mount_free(&m->v[i]);
    free(m->v);
    m->v = NULL;
    m->n = 0;
}

static char *dup_decoded(const char *s)
{
    char *p = bf_strdup(s);
    if (p)
        decode_octal(p);
    return p;
}

/* Parse one line; 1 parsed, 0 malformed (skipped), -1 out of memory. */
static int parse_mount_line(char *line, struct tg_mount *mt)
{
    char *f[64];
    size_t n = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok && n < 64; tok = strtok(NULL, " \t\r\n"))
        f[n++] = tok;
    if (n < 9)
        return 0;
    size_t dash = 6;
    while (dash < n && strcmp(f[dash], "-") != 0)
        dash++;
    if (dash + 2 >= n)
        return 0;
    unsigned maj, min;
    char extra;
    if (sscanf(f[2], "%u:%u%c", &maj, &min, &extra) != 2)
        return 0;
    memset(mt, 0, sizeof *mt);
    mt->major = maj;
    mt->minor = min;
    mt->root = dup_decoded(f[3]);
    mt->point = dup_decoded(f[4]);
    mt->opts = bf_strdup(f[5]);
    mt->fstype = dup_decoded(f[dash + 1]);
    mt->source = dup_decoded(f[dash + 2]);
    mt->super_opts = bf_strdup(dash + 3 < n ? f[dash + 3] : "");
    if (!mt->root || !mt->point || !mt->opts || !mt->fstype || !mt->source || !mt->super_opts) {
        mount_free(mt);
        return -1;
    }
    return 1;
}

/* One line of `f` into *line (grown as needed, '\n' kept): 1, 0 at the end,
 * -1 when out of memory. */
static int read_whole_line(FILE *f, char **line, size_t *cap)
{
    size_t n = 0;
    for (;;) {
        if (*cap - n < 2) {
            size_t nc = *cap ? *cap * 2 : 256;
            char *g = bf_realloc(*line, nc);
            if (!g)
                return -1;
            *line = g;
            *cap = nc;
        }
        if (!fgets(*line + n, (int)(*cap - n > INT_MAX ? INT_MAX : *cap - n), f))
            return n > 0;
        n += strlen(*line + n);
        if (n > 0 && (*line)[n - 1] == '\n')
            return 1;
    }
}

int tg_mounts_load(const char *path, struct tg_mounts *m, bf_error *err)
{
    m->v = NULL;
    m->n = 0;
    FILE *f = bf_io_fopen(path, "r");
    if (!f)
        return BF_OK; /* no /proc: nothing known about mounts */
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    int rc = BF_OK, got_line;
    while ((got_line = read_whole_line(f, &line, &cap)) > 0 && m->n < TG_MAX_MOUNTS) {
        if (m->n == alloc) {
            size_t na = alloc ? alloc * 2 : 32;
            struct tg_mount *nv = bf_realloc(m->v, na * sizeof *nv);
            if (!nv) {
                rc = bf_fail(err, BF_ERR_NOMEM, "out of memory reading %s", path);
                break;
            }
            m->v = nv;
            alloc = na;
        }
        int got = parse_mount_line(line, &m->v[m->n]);
        if (got < 0) {
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
        m->n += (size_t)got;
    }
    if (got_line < 0 && rc == BF_OK)
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory reading %s", path);
    free(line);
    fclose(f);
    if (rc != BF_OK)
        tg_mounts_free(m);
    return rc;
}

static size_t prefix_len(const char *point, const char *path)
{
    size_t n = strlen(point);
    while (n > 1 && point[n - 1] == '/')
        n--;
    if (n == 1 && point[0] == '/')
        return path[0] == '/' ? 1 : 0;
    if (strncmp(point, path, n) != 0 || (path[n] != '\0' && path[n] != '/'))
        return 0;
    return n;
}

const struct tg_mount *tg_mount_containing(const struct tg_mounts *m, const char *abs_path)
{
    const struct tg_mount *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; m && i < m->n; i++) {
        size_t len = prefix_len(m->v[i].point, abs_path);
        if (len > 0 && len >= best_len) {
            best = &m->v[i];
            best_len = len;
        }
    }
    return best;
}

static int has_option(const char *opts, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *p = opts; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, opt, n))
            return 1;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

int tg_mount_is_ro(const struct tg_mount *mt)
{
    return mt && (has_option(mt->opts, "ro") || has_option(mt->super_opts, "ro"));
}

int tg_firmware_of_path(const char *path)
{
    char prev[16] = "", comp[16] = "";
    const char *p = path;
    for (;;) {
        while (*p == '/' || *p == '\\')
            p++;
        size_t len = strcspn(p, "/\\");
        if (len == 0)
            break;
        memcpy(prev, comp, sizeof prev);
        comp[0] = '\0';
        if (len < sizeof comp) {
            memcpy(comp, p, len);
            comp[len] = '\0';
        }
        if (tg_name_eq_ci(comp, "EFI"))
            return BF_FW_UEFI;
        p += len;
    }
    /* a store directly in a Boot folder: \Boot\BCD of System Reserved */
    return tg_name_eq_ci(prev, "Boot") ? BF_FW_BIOS : BF_FW_UNKNOWN;
}

/* "no BCD store at ROOT\Boot\BCD or ROOT\EFI\Microsoft\Boot\BCD (in any
 * case)", with this platform's separator. */
static void put_store_paths(rf_buf *b, const char *root)
{
    size_t n = strlen(root);
    const char *sep = n && bf_io_is_sep(root[n - 1]) ? "" : (bf_io_sep == '/' ? "/" : "\\");
    const char *s = bf_io_sep == '/' ? "/" : "\\";
    rf_printf(b, "no BCD store at %s%sBoot%sBCD or %s%sEFI%sMicrosoft%sBoot%sBCD (in any case)", root, sep,
              s, root, sep, s, s, s);
}

/* ---- the store on one volume ---------------------------------------------------------------- */

/* Look for \Boot\BCD then \EFI\Microsoft\Boot\BCD under `dir`: 1 found
 * (bcd_path and firmware set), 0 not there, or an error. */
static int store_on_volume(bf_target *t, const char *dir, int origin, bf_error *err)
{
    static const struct { const char *rel; int fw; } where[] = {
        {BIOS_REL, BF_FW_BIOS}, {UEFI_REL, BF_FW_UEFI}};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char *p = NULL;
        int got = tg_find_file_ci(dir, where[i].rel, &p, err);
        if (got < 0)
            return got;
        if (got) {
            t->bcd_path = p;
            t->firmware = where[i].fw;
            t->bcd_origin = origin;
            return 1;
        }
    }
    return 0;
}

/* ---- block devices (sysfs) ------------------------------------------------------------------- */

struct sibling {
    char name[64];
    unsigned major, minor;
    int have_dev;
    uint64_t sectors;
    long partno;
    const struct tg_mount *mnt;
};

/* The first line of a small sysfs file, trimmed; 0 or -1. */
static int read_line(const char *dir, const char *file, char *buf, size_t size)
{
    char *p = bf_io_path_join(dir, file);
    if (!p)
        return -1;
    FILE *f = bf_io_fopen(p, "r");
    free(p);
    if (!f)
        return -1;
    char *got = fgets(buf, (int)size, f);
    fclose(f);
    if (!got)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int is_partition_dir(const char *dir)
{
    char buf[32];
    return read_line(dir, "partition", buf, sizeof buf) == 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static char *dev_name(const char *sysdir)
{
    const char *b = base_name(sysdir);
    char *p = bf_malloc(strlen(b) + 6);
    if (p)
        sprintf(p, "/dev/%s", b);
    return p;
}

/* The sysfs folder of block device MAJ:MIN (malloc'd), or NULL. */
static char *sysfs_dev_dir(const char *sysfs, unsigned maj, unsigned min)
{
    char link[PATH_MAX];
    int n = snprintf(link, sizeof link, "%s/dev/block/%u:%u", sysfs, maj, min);
    if (n < 0 || (size_t)n >= sizeof link)
        return NULL;
    return bf_io_absolute(link);
}

/* The sysfs folder of the device mounted at `mt`: by its MAJ:MIN, else (a
 * FUSE mount has an anonymous device number) by its /dev source. */
static char *device_dir_of_mount(const char *sysfs, const struct tg_mount *mt)
{
    char *d = sysfs_dev_dir(sysfs, mt->major, mt->minor);
    if (d || strncmp(mt->source, "/dev/", 5) != 0)
        return d;
    bf_io_info in;
    if (bf_io_info_of(mt->source, 1, &in) != 0 || in.kind != BF_IO_BLOCKDEV)
        return NULL;
    return sysfs_dev_dir(sysfs, in.dev_major, in.dev_minor);
}

static int sibling_cmp(const void *a, const void *b)
{
    const struct sibling *x = a, *y = b;
    if (x->partno != y->partno)
        return x->partno < y->partno ? -1 : 1;
    return strcmp(x->name, y->name);
}

static const struct tg_mount *mount_of_device(const struct tg_mounts *m, const struct sibling *s)
{
    char dev[80];
    snprintf(dev, sizeof dev, "/dev/%s", s->name);
    for (size_t i = 0; i < m->n; i++) {
        const struct tg_mount *mt = &m->v[i];
        if ((s->have_dev && mt->major == s->major && mt->minor == s->minor) ||
            !strcmp(mt->source, dev))
            return mt;
    }
    return NULL;
}

/* The other partitions of the disk folder `diskdir`, sorted by number. */
static int list_siblings(const char *diskdir, const char *self, const struct tg_mounts *m,
                         struct sibling **out, size_t *count, bf_error *err)
{
    *out = NULL;
    *count = 0;
    bf_io_dir *d;
    int e = bf_io_dir_open(diskdir, &d);
    if (e)
        return e == ENOMEM ? bf_fail(err, BF_ERR_NOMEM, "out of memory listing %s", diskdir) : BF_OK;
    struct sibling *v = bf_calloc(TG_MAX_SIBLINGS, sizeof *v);
    if (!v) {
        bf_io_dir_close(d);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory listing %s", diskdir);
    }
    size_t n = 0;
    const char *dname;
    while ((dname = bf_io_dir_next(d)) != NULL && n < TG_MAX_SIBLINGS) {
        if (dname[0] == '.' || !strcmp(dname, self) || strlen(dname) >= sizeof v[n].name)
            continue;
        char *sub = bf_io_path_join(diskdir, dname);
        if (!sub)
            continue;
        char buf[64];
        if (is_partition_dir(sub)) {
            struct sibling *s = &v[n];
            memset(s, 0, sizeof *s);
            memcpy(s->name, dname, strlen(dname) + 1); /* length checked above */
            if (read_line(sub, "partition", buf, sizeof buf) == 0)
                s->partno = strtol(buf, NULL, 10);
            if (read_line(sub, "dev", buf, sizeof buf) == 0 &&
                sscanf(buf, "%u:%u", &s->major, &s->minor) == 2)
                s->have_dev = 1;
            if (read_line(sub, "size", buf, sizeof buf) == 0)
                s->sectors = strtoull(buf, NULL, 10);
            s->mnt = mount_of_device(m, s);
            n++;
        }
        free(sub);
    }
    bf_io_dir_close(d);
    qsort(v, n, sizeof *v, sibling_cmp);
    *out = v;
    *count = n;
    return BF_OK;
}

static void put_size(rf_buf *b, uint64_t sectors)
{
    uint64_t bytes = sectors * 512u;
    if (bytes >= (10ull << 30))
        rf_printf(b, "%llu GiB", (unsigned long long)(bytes >> 30));
    else if (bytes >= (1ull << 20))
        rf_printf(b, "%llu MiB", (unsigned long long)(bytes >> 20));
    else
        rf_printf(b, "%llu KiB", (unsigned long long)(bytes >> 10));
}

/* The hint when the disk is known and no store was found. */
static char *hint_for_disk(const bf_target *t, const struct sibling *s, size_t n)
{
    rf_buf b = {0};
    put_store_paths(&b, t->root);
    size_t unmounted = 0;
    for (size_t i = 0; i < n; i++)
        unmounted += s[i].mnt == NULL;
    if (unmounted == 0) {
        rf_printf(&b, " nor on the other partitions of %s", t->disk);
        size_t shown = 0;
        for (size_t i = 0; i < n; i++)
            rf_printf(&b, "%s/dev/%s on %s", shown++ ? ", " : " (", s[i].name, s[i].mnt->point);
        rf_printf(&b, "%s; give --bcd PATH", shown ? ")" : ": it has no other partition");
        return rf_take_str(&b);
    }
    rf_puts(&b, ". ");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].mnt)
            continue;
        rf_printf(&b, "%s/dev/%s (", k++ ? "; " : "", s[i].name);
        put_size(&b, s[i].sectors);
        rf_printf(&b, ") is not mounted: it may be the EFI system or System Reserved partition "
                      "holding the BCD store; mount it (mount /dev/%s /mnt/esp)",
                  s[i].name);
    }
    rf_puts(&b, " or give --bcd PATH");
    return rf_take_str(&b);
}

/* Fill t->device and t->disk; *diskdir and *self name the sysfs folders
 * when the target is a partition (both NULL otherwise). */
static int find_device(bf_target *t, const char *sysfs, const struct tg_mount *mt, char **diskdir,
                       char **self, bf_error *err)
{
    *diskdir = NULL;
    *self = NULL;
    char *dir = device_dir_of_mount(sysfs, mt);
    if (!dir) {
        if (!strncmp(mt->source, "/dev/", 5) && !(t->device = bf_strdup(mt->source)))
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        return BF_OK;
    }
    t->device = dev_name(dir);
    if (!t->device) {
        free(dir);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    if (!is_partition_dir(dir)) {
        free(dir);
        return BF_OK;
    }
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) {
        free(dir);
        return BF_OK;
    }
    *self = bf_strdup(slash + 1);
    *slash = '\0';
    t->disk = dev_name(dir);
    if (!*self || !t->disk) {
        free(dir);
        free(*self);
        *self = NULL;
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    *diskdir = dir;
    return BF_OK;
}

/* Search the mounted siblings; on no store, set the hint. */
static int search_siblings(bf_target *t, const char *diskdir, const char *self,
                           const struct tg_mounts *m, bf_error *err)
{
    struct sibling *s = NULL;
    size_t n = 0;
    int rc = list_siblings(diskdir, self, m, &s, &n, err);
    if (rc != BF_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (!s[i].mnt)
            continue;
        int got = store_on_volume(t, s[i].mnt->point, BF_BCD_ON_SIBLING, err);
        if (got != 0) {
            free(s);
            return got < 0 ? got : BF_OK;
        }
    }
    t->bcd_hint = hint_for_disk(t, s, n);
    free(s);
    return t->bcd_hint ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
}


static char *hint_no_disk(const bf_target *t)
{
    rf_buf b = {0};
    put_store_paths(&b, t->root);
    rf_printf(&b,
              ", and the disk holding %s could not be determined to look at its other partitions: "
              "mount its System Reserved or EFI system partition and give --bcd PATH",
              t->root);
    return rf_take_str(&b);
}

/* Windows: the volumes of the target's disk (with or without a drive
 * letter); on no store, the hint names those looked at. */
static int search_disk_volumes(bf_target *t, const bf_io_sibling *v, size_t n, bf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int got = store_on_volume(t, v[i].root, BF_BCD_ON_SIBLING, err);
        if (got != 0)
            return got < 0 ? got : BF_OK;
    }
    rf_buf b = {0};
    put_store_paths(&b, t->root);
    rf_printf(&b, " nor on the other volumes of %s", t->disk);
    for (size_t i = 0; i < n; i++)
        rf_printf(&b, "%s%s", i ? ", " : " (", v[i].name);
    rf_printf(&b, "%s: give --bcd PATH", n ? ")" : ": it has no other volume");
    t->bcd_hint = rf_take_str(&b);
    return t->bcd_hint ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
}

static int bcd_from_option(bf_target *t, const char *path, bf_error *err)
{
    bf_io_info in;
    int e = bf_io_info_of(path, 1, &in);
    if (e)
        return e == ENOENT ? bf_fail(err, BF_ERR_NOT_FOUND, "--bcd %s: no such file", path)
                           : bf_fail_sys(err, e, "--bcd %s", path);
    if (in.kind != BF_IO_FILE)
        return bf_fail(err, BF_ERR_INVALID, "--bcd %s is not a file (expected the BCD store)",
                       path);
    t->bcd_path = bf_strdup(path);
    if (!t->bcd_path)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    t->bcd_origin = BF_BCD_FROM_OPTION;
    t->firmware = tg_firmware_of_path(path);
    return BF_OK;
}

int tg_locate_bcd(bf_target *t, const bf_target_opts *opts, const struct tg_mounts *m,
                  bf_error *err)
{
    const struct tg_mount *mt = tg_mount_containing(m, t->root);
    char *diskdir = NULL, *self = NULL;
    bf_io_sibling *vols = NULL;
    size_t nvols = 0;
    int rc = BF_OK;
    const char *sysfs = opts && opts->sysfs_root ? opts->sysfs_root : "/sys";
    if (mt && (rc = find_device(t, sysfs, mt, &diskdir, &self, err)) != BF_OK)
        return rc;
    if (!mt && bf_io_disk_siblings(t->root, &t->disk, &vols, &nvols) == ENOMEM)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory listing the volumes of the disk of %s",
                       t->root);
    if (opts && opts->bcd_path)
        rc = bcd_from_option(t, opts->bcd_path, err);
    else if ((rc = store_on_volume(t, t->root, BF_BCD_ON_TARGET, err)) > 0)
        rc = BF_OK;
    else if (rc == 0 && diskdir)
        rc = search_siblings(t, diskdir, self, m, err);
    else if (rc == 0 && t->disk)
        rc = search_disk_volumes(t, vols, nvols, err);
    else if (rc == 0 && !(t->bcd_hint = hint_no_disk(t)))
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
    bf_io_siblings_free(vols, nvols);
    free(diskdir);
    free(self);
    return rc;
}
