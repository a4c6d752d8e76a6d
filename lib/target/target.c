/*
 * Opening a target: the Windows volume of a broken machine, mounted at a
 * directory.  Finds the Windows directory, the SYSTEM and SOFTWARE hives,
 * the drive letter Windows ran from, the BCD store (siblings.c), the
 * hibernation state, whether the volume is read-only, and its free space.
 * Nothing here writes.
 */
#include "io/io.h"
#include "target/internal.h"
#include "hive/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SYSTEM_REL[] = "Windows\\System32\\config\\SYSTEM";
static const char CURRENT_VERSION[] = "Microsoft\\Windows NT\\CurrentVersion";

const char *bf_hiber_state_name(int state)
{
    switch (state) {
    case BF_HIBER_NO_FILE: return "no hiberfil.sys";
    case BF_HIBER_CLEAN: return "hiberfil.sys holds no image";
    case BF_HIBER_IMAGE:
        return "hibernated or Fast Startup image (hiberfil.sys holds a resumable image)";
    case BF_HIBER_UNREADABLE: return "hiberfil.sys cannot be read";
    default: return "unknown hibernation state";
    }
}

const char *bf_firmware_name(int fw)
{
    switch (fw) {
    case BF_FW_BIOS: return "BIOS";
    case BF_FW_UEFI: return "UEFI";
    default: return "unknown";
    }
}

void bf_target_close(bf_target *t)
{
    if (!t)
        return;
    free(t->spec);
    free(t->root);
    free(t->windows_dir);
    free(t->system_path);
    free(t->software_path);
    free(t->bcd_path);
    free(t->bcd_hint);
    free(t->device);
    free(t->disk);
    free(t->hiberfil_path);
    free(t);
}

/* "F:", "f:\" or "F:/": a drive letter. */
static int is_drive_spec(const char *s)
{
    return isalpha((unsigned char)s[0]) && s[1] == ':' &&
           (s[2] == '\0' || ((s[2] == '\\' || s[2] == '/') && s[3] == '\0'));
}

static int check_spec(const char *spec, bf_error *err)
{
    if (!*spec)
        return bf_fail(err, BF_ERR_INVALID, "empty target: give the directory where the Windows "
                                            "volume is mounted");
    if (is_drive_spec(spec) && !bf_io_has_drive_letters())
        return bf_fail(err, BF_ERR_INVALID,
                       "target %s is a drive letter: on Linux the target is the directory where "
                       "the Windows volume is mounted (for example /mnt/f); drive letters are for "
                       "the Windows build of bootfix", spec);
    bf_io_info in;
    int e = bf_io_info_of(spec, 1, &in);
    if (e) {
        if (e == ENOENT || e == ENOTDIR)
            return bf_fail(err, BF_ERR_NOT_FOUND, "target %s does not exist%s", spec,
                           is_drive_spec(spec) ? " (no volume has that drive letter)" : "");
        return bf_fail_sys(err, e, "target %s", spec);
    }
    if (in.kind != BF_IO_DIR)
        return bf_fail(err, BF_ERR_NOT_FOUND,
                       "target %s is not a directory: give the directory where the Windows "
                       "volume is mounted", spec);
    return BF_OK;
}

/* A file named by an option: it must exist. */
static int option_file(const char *opt, const char *path, char **out, bf_error *err)
{
    bf_io_info in;
    int e = bf_io_info_of(path, 1, &in);
    if (e)
        return e == ENOENT ? bf_fail(err, BF_ERR_NOT_FOUND, "%s %s: no such file", opt, path)
                           : bf_fail_sys(err, e, "%s %s", opt, path);
    if (in.kind != BF_IO_FILE)
        return bf_fail(err, BF_ERR_INVALID, "%s %s is not a file", opt, path);
    *out = bf_strdup(path);
    return *out ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
}

/* Optional lookup: BF_OK with *out NULL when missing. */
static int find_optional(const char *dir, const char *rel, char **out, bf_error *err)
{
    *out = NULL;
    bf_error e;
    int rc = bf_path_find_ci(dir, rel, out, &e);
    if (rc == BF_OK || rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (err)
        *err = e;
    return rc;
}

static int find_hives(bf_target *t, const bf_target_opts *opts, bf_error *err)
{
    int rc = find_optional(t->root, "Windows", &t->windows_dir, err);
    if (rc != BF_OK)
        return rc;
    if (opts && opts->system_path)
        rc = option_file("--system", opts->system_path, &t->system_path, err);
    else if ((rc = tg_find_file_ci(t->root, SYSTEM_REL, &t->system_path, err)) == 0)
        rc = bf_fail(err, BF_ERR_NOT_FOUND,
                     "no Windows installation on %s: looked for %s (in any case); is this the OS "
                     "volume? give --system PATH otherwise", t->root, SYSTEM_REL);
    else if (rc > 0)
        rc = BF_OK;
    if (rc != BF_OK)
        return rc;
    if (opts && opts->software_path)
        return option_file("--software", opts->software_path, &t->software_path, err);
    /* SOFTWARE beside SYSTEM */
    char *dir = bf_io_dir_of(t->system_path);
    if (!dir)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    rc = tg_find_file_ci(dir, "SOFTWARE", &t->software_path, err);
    free(dir);
    return rc < 0 ? rc : BF_OK;
}

/* The drive letter of SystemRoot in SOFTWARE ("C:\Windows"); 'C' when
 * SOFTWARE is missing or unreadable. */
static char read_system_drive(const char *software)
{
    char drive = 'C';
    bf_hive *h = NULL;
    bf_error e;
    if (!software || bf_hive_open(software, 0, &h, &e) != BF_OK)
        return drive;
    bf_node n;
    bf_value v;
    uint32_t type = 0;
    uint8_t *data = NULL;
    size_t len = 0;
    if (bf_node_lookup(h, bf_hive_root(h), CURRENT_VERSION, &n, &e) == BF_OK &&
        bf_node_get_value(h, n, "SystemRoot", &v, &e) == BF_OK &&
        bf_value_data(h, v, &type, &data, &len, &e) == BF_OK &&
        (type == BF_REG_SZ || type == BF_REG_EXPAND_SZ) && len >= 4 && data[1] == 0 &&
        data[2] == ':' && data[3] == 0 && isalpha(data[0]))
        drive = (char)toupper(data[0]);
    free(data);
    bf_hive_close(h);
    return drive;
}

/* ---- hibernation ------------------------------------------------------------------------------ */

static int is_image_sig(const char s[4])
{
    static const char *const sigs[] = {"HIBR", "hibr", "WAKE", "wake", "RSTR", "rstr"};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (!memcmp(s, sigs[i], 4))
            return 1;
    return 0;
}

static int find_hibernation(bf_target *t, bf_error *err)
{
    t->hiber_state = BF_HIBER_NO_FILE;
    t->hiber_sig[0] = '\0';
    int rc = tg_find_file_ci(t->root, "hiberfil.sys", &t->hiberfil_path, err);
    if (rc <= 0)
        return rc;
    FILE *f = bf_io_fopen(t->hiberfil_path, "rb");
    if (!f) {
        t->hiber_state = BF_HIBER_UNREADABLE;
        return BF_OK;
    }
    unsigned char sig[4] = {0};
    size_t got = fread(sig, 1, sizeof sig, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        t->hiber_state = BF_HIBER_UNREADABLE;
        return BF_OK;
    }
    if (got < 4) {
        t->hiber_state = BF_HIBER_CLEAN;
        return BF_OK;
    }
    int zero = !sig[0] && !sig[1] && !sig[2] && !sig[3];
    if (!zero) {
        for (size_t i = 0; i < 4; i++)
            t->hiber_sig[i] = (sig[i] >= 0x20 && sig[i] < 0x7F) ? (char)sig[i] : '.';
        t->hiber_sig[4] = '\0';
    }
    t->hiber_state = is_image_sig((const char *)sig) ? BF_HIBER_IMAGE : BF_HIBER_CLEAN;
    return BF_OK;
}

/* ---- volume ---------------------------------------------------------------------------------- */

static void read_volume(bf_target *t, const struct tg_mounts *m)
{
    t->readonly = tg_mount_is_ro(tg_mount_containing(m, t->root));
    bf_io_volume v;
    if (bf_io_volume_of(t->root, &v) == 0) {
        if (v.readonly)
            t->readonly = 1;
        t->free_bytes = v.free_bytes;
        t->total_bytes = v.total_bytes;
        t->free_known = v.space_known;
    }
}

static int open_target(bf_target *t, const bf_target_opts *opts, bf_error *err)
{
    int rc = find_hives(t, opts, err);
    if (rc != BF_OK)
        return rc;
    t->system_drive = read_system_drive(t->software_path);
    char *running = bf_io_running_windows_dir();
    t->live = running && t->windows_dir && bf_io_same_file(running, t->windows_dir);
    free(running);
    struct tg_mounts m = {0};
    /* mountinfo (Linux) describes '/' paths only */
    const char *mi = opts && opts->mountinfo_path ? opts->mountinfo_path : "/proc/self/mountinfo";
    if (t->root[0] == '/' && (rc = tg_mounts_load(mi, &m, err)) != BF_OK)
        return rc;
    rc = tg_locate_bcd(t, opts, &m, err);
    if (rc == BF_OK)
        rc = find_hibernation(t, err);
    if (rc == BF_OK)
        read_volume(t, &m);
    tg_mounts_free(&m);
    return rc;
}

int bf_target_open(const char *spec, const bf_target_opts *opts, bf_target **out, bf_error *err)
{
    if (!spec || !out)
        return bf_fail(err, BF_ERR_INVALID, "bf_target_open: NULL argument");
    *out = NULL;
    int rc = check_spec(spec, err);
    if (rc != BF_OK)
        return rc;
    bf_target *t = bf_calloc(1, sizeof *t);
    if (!t || !(t->spec = bf_strdup(spec))) {
        free(t);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory opening target %s", spec);
    }
    t->system_drive = 'C';
    t->root = bf_io_absolute(spec);
    if (!t->root) {
        rc = bf_fail_sys(err, errno, "target %s: cannot resolve its absolute path", spec);
        bf_target_close(t);
        return rc;
    }
    rc = open_target(t, opts, err);
    if (rc != BF_OK) {
        bf_target_close(t);
        return rc;
    }
    *out = t;
    return BF_OK;
}
