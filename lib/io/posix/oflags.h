/* open(2) flags that some POSIX systems lack (O_NOFOLLOW, O_CLOEXEC,
 * O_DIRECTORY...): where missing they mean nothing.  lib/io/posix only. */
#ifndef BOOTFIX_IO_OFLAGS_H
#define BOOTFIX_IO_OFLAGS_H

#include <fcntl.h>

#ifndef O_BINARY
#define O_BINARY 0
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0 /* only keeps open() of a FIFO from hanging */
#endif

#endif
