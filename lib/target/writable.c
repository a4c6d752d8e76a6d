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
#include <sys/stat.h>
#include <unistd.h>
#ifndef _WIN32
#include <sys/statvfs.h>
#endif

#ifdef _WIN32
#include <io.h>
#define W_OK 2
#define access _access
#endif

static int volume_readonly(const bf_target *t)
{
    if (t->readonly)
        return 1;
#ifndef _WIN32
    struct statvfs vf;
    if (t->root && statvfs(t->root, &vf) == 0 && (vf.f_flag & ST_RDONLY))
        return 1;
#endif
    return 0;
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

/* The folder holding `path` (malloc'd): "." when it has none. */
static char *parent_of(const char *path)
{
    char *d = bf_strdup(path);
    if (!d)
        return NULL;
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/')
        d[--n] = '\0';
    char *slash = strrchr(d, '/');
    if (!slash)
        strcpy(d, ".");
    else if (slash == d)
        d[1] = '\0';
    else
        *slash = '\0';
    return d;
}

/* Refuse unless folder `dir` exists and can be written; `what` and `path`
 * say why it is checked. */
static int check_dir_writable(const char *dir, const char *what, const char *path, bf_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return bf_fail(err, BF_ERR_READONLY, "cannot write %s %s: its folder %s is missing (%s)",
                       what, path, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return bf_fail(err, BF_ERR_READONLY, "cannot write %s %s: %s is not a folder", what,
                       path, dir);
    if (access(dir, W_OK) == 0)
        return BF_OK;
    int e = errno;
    if (e == EROFS)
        return bf_fail(err, BF_ERR_READONLY,
                       "cannot write %s %s: %s is on a file system mounted read-only; remount "
                       "it read-write (mount -o remount,rw MOUNTPOINT)", what, path, dir);
    return bf_fail(err, BF_ERR_READONLY, "cannot write %s %s: folder %s is not writable (%s)",
                   what, path, dir, strerror(e));
}

static int check_file(const char *path, bf_error *err)
{
    char *dir = parent_of(path);
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
    struct stat st;
    for (int depth = 0; stat(cur, &st) != 0 && depth < 4096; depth++) {
        if (errno != ENOENT && errno != ENOTDIR) {
            int rc = bf_fail(err, BF_ERR_READONLY, "cannot create folder %s: %s: %s", dir, cur,
                             strerror(errno));
            free(cur);
            return rc;
        }
        char *up = parent_of(cur);
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
