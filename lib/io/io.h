/* The one I/O seam of libbootfix: every file operation goes through here so
 * that tests can make the N-th operation fail (fault injection). */
#ifndef BOOTFIX_IO_H
#define BOOTFIX_IO_H

#include <stddef.h>
#include <stdint.h>

/* Operations that can be made to fail. */
enum bf_io_op { BF_IO_OPEN, BF_IO_READ, BF_IO_WRITE, BF_IO_FLUSH, BF_IO_RENAME, BF_IO_DIRFLUSH, BF_IO_ALLOC };

/* Make the `nth` (1-based) I/O operation from now fail with `errnum`
 * (0 disables).  Returns how many operations ran since the last call. */
unsigned long bf_io_fail_at(unsigned long nth, int errnum);

/* Read a whole file (malloc'd).  Returns 0 or an errno value. */
int bf_io_read_file(const char *path, uint8_t **data, size_t *len);
/* Create `path` exclusively (never following a symlink) and write `len`
 * bytes, then flush.  On failure the file is removed.  Returns 0 or errno;
 * *step names the failing step ("create", "write", "flush", "close"). */
int bf_io_write_new(const char *path, const uint8_t *data, size_t len, int mode, const char **step);
int bf_io_rename(const char *from, const char *to);
int bf_io_unlink(const char *path);
/* Flush the directory holding `path` so a rename is durable. */
int bf_io_flush_dir(const char *path);
/* Mode bits of an existing file (0644 when unknown). */
int bf_io_file_mode(const char *path);
/* Size and modification time, to notice a file changed under us. */
int bf_io_stat(const char *path, uint64_t *size, int64_t *mtime_ns);
/* dir + "/" + name, malloc'd (NULL when out of memory). */
char *bf_io_path_join(const char *dir, const char *name);
/* `len` bytes from the system's random source (new GUIDs).  0 or errno. */
int bf_io_random(void *buf, size_t len);

#endif
