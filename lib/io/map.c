/* Whole files mapped read-only into memory (POSIX mmap): how read-only
 * hive opens see a file without copying it.  Elsewhere (Windows), and for
 * what mmap refuses, the file is read into allocated memory instead; the
 * caller frees either with bf_io_unmap().  Behind the fault-injection seam
 * (counts as one READ). */
#include "io/io.h"
#include "io/oflags.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#if !defined(_WIN32)
#include <sys/mman.h>
#define BF_HAVE_MMAP 1
#ifndef MAP_POPULATE
#define MAP_POPULATE 0 /* Linux's: map every page at once; elsewhere page by page */
#endif
#endif

int bf_io_map_file(const char *path, size_t writable, uint8_t **data, size_t *len, int *mapped)
{
    *data = NULL;
    *len = 0;
    *mapped = 0;
#ifndef BF_HAVE_MMAP
    (void)writable;
#else
    int fd;
    uint64_t fsize;
    int e = bf_io_open_regular(path, &fd, &fsize);
    if (e)
        return e;
    if (fsize > 0 && fsize <= (uint64_t)SIZE_MAX) {
        /* read-only and populated at once (one call maps every page); the
           first `writable` bytes (a hive's header, which a check finalizes
           in memory) may be changed, in this process's copy only */
        size_t len_ = (size_t)fsize;
        void *p = mmap(NULL, len_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        long page = sysconf(_SC_PAGESIZE);
        size_t w = page > 0 ? (writable + (size_t)page - 1) / (size_t)page * (size_t)page : len_;
        if (p != MAP_FAILED && mprotect(p, w < len_ ? w : len_, PROT_READ | PROT_WRITE) != 0) {
            munmap(p, len_);
            p = MAP_FAILED;
        }
        if (p != MAP_FAILED) {
            close(fd);
            *data = p;
            *len = len_;
            *mapped = 1;
            return 0;
        }
    }
    close(fd);
#endif
    return bf_io_read_file(path, data, len);
}

void bf_io_unmap(uint8_t *data, size_t len, int mapped)
{
#ifdef BF_HAVE_MMAP
    if (mapped) {
        if (data)
            munmap(data, len);
        return;
    }
#else
    (void)len;
    (void)mapped;
#endif
    free(data);
}
