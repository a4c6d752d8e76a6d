/* wpath.h — helpers shared by the Windows platform layer (lib/io/win32):
 * UTF-8 paths turned into wide-character \\?\ paths for the W functions,
 * wide strings turned back into UTF-8, Windows error codes turned into
 * errno values, and opening an existing regular file for reading.
 * Internal to lib/io/win32; the engine never sees these. */
#ifndef BOOTFIX_IO_WIN32_WPATH_H
#define BOOTFIX_IO_WIN32_WPATH_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include <windows.h>

/* The longest path the W functions accept, in wide characters. */
#define BF_W_MAX_PATH 32768

/* UTF-8 -> wide string, nothing else changed (malloc'd with bf_malloc).
 * 0, EILSEQ (not UTF-8), ENAMETOOLONG, ENOMEM or EINVAL (NULL). */
int bf_w_from_utf8(const char *s, wchar_t **out);
/* Wide string -> UTF-8 (malloc'd with bf_malloc); NULL with errno set. */
char *bf_w_to_utf8(const wchar_t *w);
/* A UTF-8 path as the W functions want it: '/' as '\', made absolute,
 * a drive "F:" (or "\\?\F:") as its root, with the \\?\ prefix
 * (\\?\UNC\server\share\... for \\server\share\...).  Other paths already
 * \\?\ or \\.\ are kept.  0 or errno (ENOENT for "", EILSEQ, ENOMEM...). */
int bf_w_path(const char *path, wchar_t **out);
/* The same without the \\?\ prefix added (what bf_io_absolute shows). */
int bf_w_full_path(const char *path, wchar_t **out);
/* `a` + `b` (either may be empty), malloc'd with bf_malloc, or NULL. */
wchar_t *bf_w_concat(const wchar_t *a, const wchar_t *b);
/* 1 when `w` starts with \\?\ or \\.\ (kept as given). */
int bf_w_is_verbatim(const wchar_t *w);

/* A volume root "\\?\F:\" as "F:\" (the form the volume functions are
 * documented to take); other roots as they are. */
const wchar_t *bf_w_plain_root(const wchar_t *root);

/* A Windows error code as an errno value (see lib/io/platform.h). */
int bf_w_errno(DWORD err);
/* bf_w_errno(GetLastError()). */
int bf_w_last_errno(void);

/* MoveFileExW(from, to, flags) on UTF-8 paths (always with
 * MOVEFILE_WRITE_THROUGH: the new name is durable when it returns).  Not
 * counted.  0 or errno (EEXIST when `to` exists and flags do not allow
 * replacing it). */
int bf_w_move(const char *from, const char *to, DWORD flags);

/* FILETIME (100 ns units since 1601) -> ns since 1970. */
int64_t bf_w_filetime_ns(FILETIME ft);

/* Open an existing regular file for reading (sharing read, write and delete,
 * so a file being read can still be replaced); its size in *size.  EISDIR
 * for a folder, EINVAL for a device.  Not counted.  0 or errno. */
int bf_w_open_regular(const char *path, HANDLE *h, uint64_t *size);
/* Read the rest of an open file into allocated memory (`hint` bytes
 * expected; more or fewer are fine).  With `counted`, one READ of the
 * fault-injection seam is counted once the buffer is allocated (as
 * bf_io_read_file does); else nothing is.  0 or errno; the handle stays
 * open. */
int bf_w_read_all(HANDLE h, uint64_t hint, int counted, uint8_t **data, size_t *len);
/* Create `path` for writing, exclusively (CREATE_NEW, so never through a
 * symbolic link; shared for delete so it can be renamed while open); *w is
 * its wide path (for DeleteFileW), malloc'd.  Not counted.  0 or errno
 * (EEXIST). */
int bf_w_create_new(const char *path, HANDLE *h, wchar_t **w);
/* Open `path`, read it whole (bf_w_read_all) and close it: one OPEN of the
 * fault-injection seam is counted, and the read too with `count_read`.
 * 0 or errno. */
int bf_w_read_path(const char *path, int count_read, uint8_t **data, size_t *len);

#endif
