/*
 * lock.c — the write lock of a folder, so that two bootfix processes never
 * edit the same files at once (io.c's bf_io_sweep_tmp relies on it).
 *
 * POSIX: flock(2) on the folder itself, so nothing is created on the target
 * and the kernel drops the lock when the process dies, even by SIGKILL.
 * (lib/io/win32/lock.c: a lock file in the folder, opened with no sharing
 * and deleted when its handle closes.)
 */
#include "io/io.h"
#include "io/posix/oflags.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/file.h>

struct bf_io_lock {
    char *dir;
    int fd;
    dev_t dev;
    ino_t ino;
    pid_t pid; /* a forked child does not own its parent's locks */
    unsigned refs;
    struct bf_io_lock *next;
};

/* The locks this process holds (a run opens a handful of files at most). */
static struct bf_io_lock *held;

/* The lock this process already holds on the folder `l` identifies. */
static struct bf_io_lock *find_held(const struct bf_io_lock *l)
{
    for (struct bf_io_lock *o = held; o; o = o->next)
        if (o->dev == l->dev && o->ino == l->ino && o->pid == l->pid)
            return o;
    return NULL;
}

static int take(struct bf_io_lock *l)
{
    l->fd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (l->fd < 0)
        return errno;
    struct stat st;
    if (fstat(l->fd, &st) != 0) {
        int e = errno;
        close(l->fd);
        return e;
    }
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    l->pid = getpid();
    if (find_held(l)) {
        close(l->fd);
        return -1; /* already ours */
    }
    while (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        int e = errno == EAGAIN ? EWOULDBLOCK : errno;
        close(l->fd);
        /* a file system without flock support cannot be locked; that is not
           a reason to refuse the repair */
        return e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS ? -2 : e;
    }
    return 0;
}

static void release(struct bf_io_lock *l)
{
    if (l->fd >= 0)
        close(l->fd); /* drops the flock */
}

int bf_io_lock_dir_of(const char *path, bf_io_lock **out)
{
    *out = NULL;
    struct bf_io_lock *l = bf_calloc(1, sizeof *l);
    if (!l)
        return ENOMEM;
    if (!(l->dir = bf_io_dir_of(path))) {
        free(l);
        return ENOMEM;
    }
    int e = take(l);
    struct bf_io_lock *same = e == -1 ? find_held(l) : NULL;
    if (same) {
        free(l->dir);
        free(l);
        same->refs++;
        *out = same;
        return 0;
    }
    if (e == -2) { /* unlockable file system: an unshared, fd-less entry */
        l->fd = -1;
        e = 0;
    }
    if (e > 0) {
        free(l->dir);
        free(l);
        return e;
    }
    l->refs = 1;
    l->next = held;
    held = l;
    *out = l;
    return 0;
}

void bf_io_unlock(bf_io_lock *l)
{
    if (!l || --l->refs > 0)
        return;
    for (struct bf_io_lock **p = &held; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            break;
        }
    release(l);
    free(l->dir);
    free(l);
}

const char *bf_io_lock_dir(const bf_io_lock *l) { return l ? l->dir : ""; }
