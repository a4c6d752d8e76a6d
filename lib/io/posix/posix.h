/* Shared by the files of lib/io/posix only. */
#ifndef BOOTFIX_IO_POSIX_H
#define BOOTFIX_IO_POSIX_H

#include <stdint.h>

/* Open a regular file for reading (counts as READ).  0 and *fd, *size; or
 * errno (EISDIR, EINVAL when not a regular file). */
int px_open_regular(const char *path, int *fd, uint64_t *size);

#endif
