/* The one I/O seam of libbootfix: every file operation goes through here so
 * that tests can make the N-th operation fail (fault injection), and every
 * call into the operating system is behind it (platform.h).
 *
 *   io.c       allocation, the fault-injection counters, path strings,
 *              bf_io_replace, bf_io_mkdirs, bf_io_copy_new (system-neutral)
 *   posix/     the file operations below and platform.h, for POSIX
 *   win32/     the same for Windows (wide-character \\?\ paths, MoveFileExW)
 *
 * Both platform layers count the same operations at the same points, so a
 * fault-injection test fails the same step on either. */
#ifndef BOOTFIX_IO_H
#define BOOTFIX_IO_H

#include <stddef.h>
#include <stdint.h>

#include "io/platform.h"

/* Operations that can be made to fail. */
enum bf_io_op { BF_IO_OPEN, BF_IO_READ, BF_IO_WRITE, BF_IO_FLUSH, BF_IO_RENAME, BF_IO_DIRFLUSH, BF_IO_ALLOC };

/* Make the `nth` (1-based) I/O operation from now fail with `errnum`
 * (0 disables).  Returns how many operations ran since the last call.
 * I/O operations: opening a file for reading, each read of a whole file,
 * each write chunk, flush, rename, directory flush, directory creation. */
unsigned long bf_io_fail_at(unsigned long nth, int errnum);
/* Make the `nth` (1-based) allocation from now fail (0 disables).  Returns
 * how many allocations ran since the last call. */
unsigned long bf_io_fail_alloc_at(unsigned long nth);

/* Every allocation of libbootfix goes through these (free() as usual). */
void *bf_malloc(size_t n);
void *bf_calloc(size_t n, size_t size);
void *bf_realloc(void *p, size_t n);
char *bf_strdup(const char *s);

/* Read a whole file (malloc'd).  Returns 0 or an errno value. */
int bf_io_read_file(const char *path, uint8_t **data, size_t *len);
/* Create `path` exclusively (never following a symlink) and write `len`
 * bytes, then flush.  On failure the file is removed.  Returns 0 or errno;
 * *step names the failing step ("create", "write", "flush", "close"). */
int bf_io_write_new(const char *path, const uint8_t *data, size_t len, int mode, const char **step);
/* The same for data in pieces, written one after the other. */
typedef struct bf_io_piece {
    const uint8_t *data;
    size_t len;
} bf_io_piece;
int bf_io_write_new_pieces(const char *path, const bf_io_piece *pieces, size_t npieces, int mode,
                           const char **step);
int bf_io_rename(const char *from, const char *to);
/* The last component of `path` ('/' or '\\' separated). */
const char *bf_io_base_name(const char *path);
/* The folder holding `path`, or "." when it has none (malloc'd). */
char *bf_io_dir_of(const char *path);
/* A hidden name beside `path`: "DIR/.NAME" + suffix (malloc'd). */
char *bf_io_sibling_name(const char *path, const char *suffix);
/* A temporary name beside `path`: ".NAME.bootfix-tmp-PID-N" (malloc'd). */
char *bf_io_tmp_name(const char *path);
/* Replace `path` by these bytes atomically: a temporary file beside it,
 * flushed, renamed over it, directory flushed.  0 or errno; *step names
 * the failing step.  Used to put original bytes back (rollback). */
int bf_io_replace(const char *path, const uint8_t *data, size_t len, int mode, const char **step);
/* Create one directory (mode 0755 on POSIX); 0 or errno (EEXIST when it exists). */
int bf_io_mkdir(const char *path);
/* Create `path` and its missing parents (mkdir -p), flushing the folder
 * that holds each one created.  0, or errno (ENOTDIR when a part exists
 * and is not a directory). */
int bf_io_mkdirs(const char *path);
int bf_io_unlink(const char *path);
/* Remove an empty folder; 0 or errno.  Not counted. */
int bf_io_rmdir(const char *path);
/* Flush the directory holding `path` so a rename is durable. */
int bf_io_flush_dir(const char *path);
/* `path` is a folder (symbolic links followed): 1 or 0. */
int bf_io_is_dir(const char *path);
/* Mode bits of an existing file (0644 when unknown). */
int bf_io_file_mode(const char *path);
/* Size and modification time, to notice a file changed under us. */
int bf_io_stat(const char *path, uint64_t *size, int64_t *mtime_ns);
/* dir + separator + name, malloc'd (NULL when out of memory); no separator
 * is added when dir already ends with one ("F:\\" + "Windows"), and an
 * empty dir gives name itself. */
char *bf_io_path_join(const char *dir, const char *name);
/* `len` bytes from the system's random source (new GUIDs).  0 or errno. */
int bf_io_random(void *buf, size_t len);

/* ---- write locks (lock.c) ---------------------------------------------------------- */
/* An exclusive lock on the folder holding `path`, held by this process until
 * bf_io_unlock: two processes cannot both hold it (flock on the folder; on
 * Windows a share-nothing, delete-on-close lock file in it).  Locks of one
 * process on one folder are counted, so a run may open several files of one
 * folder.  It is released when the process ends, however it ends.
 * 0, EWOULDBLOCK when another process holds it, or another errno. */
typedef struct bf_io_lock bf_io_lock;
int bf_io_lock_dir_of(const char *path, bf_io_lock **out);
void bf_io_unlock(bf_io_lock *l);
/* The folder a lock is on (for messages). */
const char *bf_io_lock_dir(const bf_io_lock *l);
/* Remove temporary files an interrupted commit of `path` left beside it
 * (".NAME.bootfix-tmp-*"); only safe while holding the folder's lock.
 * Returns how many were removed. */
unsigned bf_io_sweep_tmp(const char *path);
/* The prefix of those temporary names for `path`'s base name NAME:
 * ".NAME.bootfix-tmp-" (what commit.c creates). */
#define BF_IO_TMP_TAG ".bootfix-tmp-"

/* Count one I/O operation; an errno when it is the one to fail (for the
 * platform layers, lib/io/posix and lib/io/win32). */
int bf_io_injected(void);

/* ---- whole files mapped (map.c) ------------------------------------------------------ */
/* The file's bytes in memory without a copy where the system can map files
 * (*mapped = 1: a private mapping, read-only except its first `writable`
 * bytes, whose changes never reach the file), else read into allocated
 * memory (*mapped = 0).  Counts as READ.  0 or errno. */
int bf_io_map_file(const char *path, size_t writable, uint8_t **data, size_t *len, int *mapped);
/* Release what bf_io_map_file gave (NULL is ignored). */
void bf_io_unmap(uint8_t *data, size_t len, int mapped);

/* ---- streaming (large files: dumps, page files) ------------------------------------- */
typedef struct bf_io_file bf_io_file;
/* Open an existing regular file for reading (counts as OPEN).  0 or errno. */
int bf_io_open_read(const char *path, bf_io_file **out);
/* Create a new file exclusively, never following a symlink (counts as OPEN).
 * 0 or errno (EEXIST when it exists). */
int bf_io_create(const char *path, int mode, bf_io_file **out);
/* Read up to len bytes at offset off; *got is 0 only at the end (counts as READ). */
int bf_io_pread(bf_io_file *f, void *buf, size_t len, uint64_t off, size_t *got);
/* Append len bytes, all of them or an error (counts as WRITE). */
int bf_io_write(bf_io_file *f, const void *buf, size_t len);
int bf_io_size(bf_io_file *f, uint64_t *size);
/* Flush to the device (counts as FLUSH). */
int bf_io_flush(bf_io_file *f);
/* Close and free; 0 or errno of close().  NULL is ignored. */
int bf_io_close(bf_io_file *f);
/* Give the file `from` the new name `to`, never replacing an existing `to`
 * (link(2); on Windows a rename, which refuses an existing target).
 * Counts as RENAME.  0 or errno (EEXIST). */
int bf_io_link_new(const char *from, const char *to);
/* Copy the file `from` to the new file `to` (created as bf_io_create does),
 * 1 MiB at a time, then flush.  0 or errno; *step names what failed:
 * "open" (the source), "create", "copy" (a piece read or written), "flush",
 * "close"; `to` is removed on failure. */
int bf_io_copy_new(const char *from, const char *to, int mode, const char **step);

#endif
