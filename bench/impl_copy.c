/*
 * bench/impl_copy.c — the lower bound of the edit workload (bench/bench.h):
 * read `in`, write it to the new file `out` in 1 MiB chunks, fsync, close.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { CHUNK = 1 << 20 };

static int fail(const char *what, const char *file)
{
    fprintf(stderr, "copy: %s (%s): %s\n", what, file, strerror(errno));
    return -1;
}

/* Writes all `len` bytes of `p`, through short writes and EINTR. */
static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Copies `in` to `out` until end of file; *copied counts bytes written. */
static int copy_fd(int in, int out, const char *in_name, const char *out_name,
                   uint64_t *copied)
{
    static unsigned char buf[CHUNK];
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return fail("read", in_name);
        if (r == 0)
            return 0;
        if (write_all(out, buf, (size_t)r) < 0)
            return fail("write", out_name);
        *copied += (uint64_t)r;
    }
}

int copy_flush(const char *in, const char *out, bench_tally *t)
{
    bench_start();
    int fin = open(in, O_RDONLY);
    if (fin < 0)
        return fail("open", in);
    int fout = open(out, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fout < 0) {
        close(fin);
        return fail("create", out);
    }
    uint64_t copied = 0;
    int rc = copy_fd(fin, fout, in, out, &copied);
    if (rc == 0 && fsync(fout) != 0)
        rc = fail("fsync", out);
    if (close(fout) != 0 && rc == 0)
        rc = fail("close", out);
    close(fin);
    bench_stop();
    t->bytes = copied;
    return rc;
}
