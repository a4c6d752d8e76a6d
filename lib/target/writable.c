/*
 * Before any write: can every file be replaced and every backup folder be
 * created?  A file is replaced by renaming a new file over it, so what must
 * be writable is the folder holding it.  A folder to create needs its
 * nearest existing parent to be writable.
 */
#include "io/io.h"
#include "target/internal.h"
#include "hive/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int volume_readonly(const bf_target *t)
{
    if (t->readonly)
        return 1;
    bf_io_volume v;
    return t->root && bf_io_volume_of(t->root, &v) == 0 && v.readonly;
}

static int refuse_readonly_volume(const bf_target *t, bf_error *err)
{
    const char *root = t->root ? t->root : "?";
    return bf_fail(err, BF_ERR_READONLY,
                   "target %s is mounted read-only: remount it read-write (mount -o remount,rw "
                   "%s) and run again%s",
                   root, root,
                   t->hiber_state == BF_HIBER_IMAGE
                       ? "; Windows left a hibernation or Fast Startup image, so ntfs-3g mounts "
                         "it read-only: boot Windows and shut it down fully, or use --force "
                         "knowing the image will be discarded"
                       : "");
}

/* Refuse unless folder `dir` exists and can be written; `what` and `path`
 * say why it is checked. */
static int check_dir_writable(const char *dir, const char *what, const char *path, bf_error *err)
{
    bf_io_info in;
    int e = bf_io_info_of(dir, 1, &in);
    if (e)
        return bf_fail(err, BF_ERR_READONLY, "cannot write %s %s: its folder %s is missing (%s)",
                       what, path, dir, bf_io_strerror(e));
    if (in.kind != BF_IO_DIR)
        return bf_fail(err, BF_ERR_READONLY, "cannot write %s %s: %s is not a folder", what,
                       path, dir);
    if ((e = bf_io_can_write(dir)) == 0)
        return BF_OK;
    if (e == EROFS)
        return bf_fail(err, BF_ERR_READONLY,
                       "cannot write %s %s: %s is on a read-only file system; %s", what, path, dir,
                       bf_io_has_drive_letters()
                           ? "make the volume writable (diskpart: attributes volume clear readonly)"
                           : "remount it read-write (mount -o remount,rw MOUNTPOINT)");
    return bf_fail(err, BF_ERR_READONLY, "cannot write %s %s: folder %s is not writable (%s)",
                   what, path, dir, bf_io_strerror(e));
}

static int check_file(const char *path, bf_error *err)
{
    char *dir = bf_io_dir_of(path);
    if (!dir)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    int rc = check_dir_writable(dir, "file", path, err);
    free(dir);
    return rc;
}

/* The nearest existing ancestor of `dir` (itself included) must be a
 * writable folder. */
static int check_new_dir(const char *dir, bf_error *err)
{
    char *cur = bf_strdup(dir);
    if (!cur)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    bf_io_info in;
    int e;
    for (int depth = 0; (e = bf_io_info_of(cur, 1, &in)) != 0 && depth < 4096; depth++) {
        if (e != ENOENT && e != ENOTDIR) {
            int rc = bf_fail(err, BF_ERR_READONLY, "cannot create folder %s: %s: %s", dir, cur,
                             bf_io_strerror(e));
            free(cur);
            return rc;
        }
        char *up = bf_io_dir_of(cur);
        if (!up) {
            free(cur);
            return bf_fail(err, BF_ERR_NOMEM, "out of memory");
        }
        int same = !strcmp(up, cur);
        free(cur);
        cur = up;
        if (same)
            break;
    }
    int rc = check_dir_writable(cur, "folder", dir, err);
    free(cur);
    return rc;
}

int bf_target_check_writable(const bf_target *t, const char *const *paths, size_t npaths,
                             const char *const *dirs, size_t ndirs, bf_error *err)
{
    if (t && t->live)
        return bf_fail(err, BF_ERR_INVALID,
                       "target %s is the running system: %s is the Windows folder this machine "
                       "booted from, and its hives are in use; bootfix repairs the disk of a "
                       "machine that does not boot, attached to another machine or started from "
                       "WinPE (the broken disk is then another letter, often D: or F:); nothing "
                       "was written", t->spec, t->windows_dir ? t->windows_dir : "?");
    if (t && volume_readonly(t))
        return refuse_readonly_volume(t, err);
    for (size_t i = 0; i < npaths; i++) {
        if (!paths || !paths[i])
            return bf_fail(err, BF_ERR_INVALID, "bf_target_check_writable: NULL path");
        int rc = check_file(paths[i], err);
        if (rc != BF_OK)
            return rc;
    }
    for (size_t i = 0; i < ndirs; i++) {
        if (!dirs || !dirs[i])
            return bf_fail(err, BF_ERR_INVALID, "bf_target_check_writable: NULL folder");
        int rc = check_new_dir(dirs[i], err);
        if (rc != BF_OK)
            return rc;
    }
    return BF_OK;
}
