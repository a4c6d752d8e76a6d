/* Whole files mapped read-only into memory (POSIX mmap): how read-only
 * hive opens see a file without copying it.  For what mmap refuses, the
 * file is read into allocated memory instead (lib/io/win32/map.c always
 * reads: a mapped view would keep the file from being replaced); the
 * caller frees either with bf_io_unmap().  Behind the fault-injection seam
 * (counts as one READ). */
#include "io/io.h"
#include "io/posix/oflags.h"
#include "io/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#ifndef MAP_POPULATE
#define MAP_POPULATE 0 /* Linux's: map every page at once; elsewhere page by page */
#endif

int bf_io_map_file(const char *path, size_t writable, uint8_t **data, size_t *len, int *mapped)
{
    *data = NULL;
    *len = 0;
    *mapped = 0;
    int fd;
    uint64_t fsize;
    int e = px_open_regular(path, &fd, &fsize);
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
    return bf_io_read_file(path, data, len);
}

void bf_io_unmap(uint8_t *data, size_t len, int mapped)
{
    if (mapped) {
        if (data)
            munmap(data, len);
        return;
    }
    free(data);
}
