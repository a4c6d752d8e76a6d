/* What a POSIX system provides beyond files (platform.h): volumes, time,
 * process id, run-time libraries, error texts and the console.  Where a
 * question only has an answer on Windows (the running Windows folder, the
 * volumes of a disk without a mount point) the answer here is "none"; on
 * Linux, lib/target/siblings.c finds a disk's partitions in mountinfo and
 * sysfs instead. */
#include "io/io.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

int bf_io_volume_of(const char *path, bf_io_volume *v)
{
    memset(v, 0, sizeof *v);
    struct statvfs vf;
    if (statvfs(path, &vf) != 0)
        return errno;
    uint64_t unit = vf.f_frsize ? vf.f_frsize : vf.f_bsize;
    v->readonly = (vf.f_flag & ST_RDONLY) != 0;
    v->free_bytes = (uint64_t)vf.f_bavail * unit;
    v->total_bytes = (uint64_t)vf.f_blocks * unit;
    v->space_known = 1;
    return 0;
}

int bf_io_disk_siblings(const char *path, char **disk, bf_io_sibling **out, size_t *n)
{
    (void)path;
    *disk = NULL;
    *out = NULL;
    *n = 0;
    return 0;
}

void bf_io_siblings_free(bf_io_sibling *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].root);
        free(s[i].name);
    }
    free(s);
}

char *bf_io_running_windows_dir(void) { return NULL; }

int bf_io_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void bf_io_clock(int64_t *sec, long *nsec)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        ts.tv_sec = time(NULL);
        ts.tv_nsec = 0;
    }
    *sec = (int64_t)ts.tv_sec;
    *nsec = ts.tv_nsec;
}

int bf_io_gmtime(int64_t sec, struct tm *out)
{
    time_t t = (time_t)sec;
    return gmtime_r(&t, out) ? 0 : -1;
}

long bf_io_pid(void) { return (long)getpid(); }

void *bf_io_lib_open(const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        void *lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (lib)
            return lib;
    }
    return NULL;
}

void (*bf_io_lib_sym(void *lib, const char *name))(void)
{
    void *p = dlsym(lib, name);
    void (*fn)(void);
    /* a function pointer from dlsym's data pointer: the POSIX idiom */
    memcpy(&fn, &p, sizeof fn);
    return fn;
}

const char *bf_io_strerror(int e) { return strerror(e); }

int bf_io_utf8_args(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

void bf_io_console_init(void) {}

int bf_io_is_terminal(FILE *f) { return isatty(fileno(f)); }
