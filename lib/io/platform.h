/*
 * platform.h — what the operating system provides to libbootfix, beyond the
 * file operations of io.h.  Included by io.h; the engine includes io.h only.
 *
 * Each function here, and each file operation of io.h that touches the
 * system, is implemented twice: lib/io/posix/ (Linux and other POSIX
 * systems) and lib/io/win32/ (Windows, built with mingw-w64).  The Makefile
 * compiles one of the two; nothing outside lib/io/posix and lib/io/win32
 * tests _WIN32.
 *
 * Paths are UTF-8 strings everywhere in libbootfix.  The Windows layer
 * turns each into a wide-character path (CreateFileW and friends): '/'
 * becomes '\', a relative path is made absolute, and the result gets the
 * \\?\ prefix (\\?\UNC\ for \\server\share paths) so that paths longer
 * than MAX_PATH work.  Paths already in \\?\ or \\.\ form are kept.
 *
 * Error values are errno values on both platforms.  The Windows layer maps
 * its error codes: ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION become
 * EBUSY (bf_io_strerror explains it: the file is in use, likely a hive
 * loaded by the running system), ERROR_ACCESS_DENIED EACCES,
 * ERROR_FILE_NOT_FOUND/ERROR_PATH_NOT_FOUND ENOENT, ERROR_WRITE_PROTECT
 * EROFS, disk full ENOSPC, ERROR_FILE_EXISTS/ERROR_ALREADY_EXISTS EEXIST,
 * ERROR_DIRECTORY ENOTDIR, ERROR_NOT_SAME_DEVICE EXDEV, others EIO.
 */
#ifndef BOOTFIX_IO_PLATFORM_H
#define BOOTFIX_IO_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* ---- paths ---------------------------------------------------------------------------- */

/* The separator this platform puts between path components: '/' or '\\'.
 * Both are accepted in input on Windows; only '/' on POSIX. */
extern const char bf_io_sep;
/* 1 when `c` separates path components here. */
int bf_io_is_sep(char c);
/* 1 where drive letters ("F:") name volumes (Windows), else 0. */
int bf_io_has_drive_letters(void);
/* 1 where the system itself ignores the case of file names (Windows: an
 * exact-spelling lookup succeeds for any spelling), else 0. */
int bf_io_names_ignore_case(void);
/* The absolute form of an existing path, malloc'd; NULL with errno set.
 * POSIX: realpath(3) (symbolic links resolved).  Windows: GetFullPathNameW
 * on the path, '/' as '\'; a bare drive "F:" is its root "F:\"; the result
 * has no \\?\ prefix unless the input had one. */
char *bf_io_absolute(const char *path);

/* ---- what a path is ------------------------------------------------------------------- */

enum bf_io_kind {
    BF_IO_MISSING = 0, /* (never returned: ENOENT instead) */
    BF_IO_FILE,        /* a regular file */
    BF_IO_DIR,         /* a folder */
    BF_IO_BLOCKDEV,    /* a block device (POSIX) */
    BF_IO_LINK,        /* a symbolic link or other reparse point, not followed */
    BF_IO_OTHER        /* a FIFO, socket, character device... */
};

typedef struct bf_io_info {
    int kind;           /* enum bf_io_kind */
    uint64_t size;      /* bytes (regular files) */
    int64_t mtime_ns;   /* last modification, ns since 1970 */
    int mode;           /* permission bits: st_mode & 07777; Windows 0644, or
                           0444 for a read-only file, 0755 for a folder */
    unsigned dev_major; /* a block device's number (POSIX), else 0 */
    unsigned dev_minor;
} bf_io_info;

/* Describe `path`.  follow=1 follows symbolic links (stat), follow=0 does
 * not (lstat: a link gives BF_IO_LINK).  0 or errno (ENOENT, ENOTDIR...).
 * Not counted by the fault-injection seam. */
int bf_io_info_of(const char *path, int follow, bf_io_info *out);
/* Whether files can be created in the folder `dir` (access(W_OK); Windows:
 * the folder exists and is not read-only, on a volume that is not
 * write-protected).  0 or errno (EACCES, EROFS, ENOENT). */
int bf_io_can_write(const char *dir);

/* ---- folders and stdio ---------------------------------------------------------------- */

typedef struct bf_io_dir bf_io_dir;
/* List a folder.  0 or errno (ENOMEM when out of memory). */
int bf_io_dir_open(const char *path, bf_io_dir **out);
/* The next name (UTF-8, valid until the next call), without "." and "..";
 * NULL at the end or on an error. */
const char *bf_io_dir_next(bf_io_dir *d);
/* NULL is ignored. */
void bf_io_dir_close(bf_io_dir *d);
/* fopen(3) on a UTF-8 path (Windows: _wfopen).  Not counted. */
FILE *bf_io_fopen(const char *path, const char *mode);

/* ---- volumes and disks ---------------------------------------------------------------- */

typedef struct bf_io_volume {
    int readonly;       /* mounted read-only / write-protected */
    int space_known;    /* the two sizes below are filled */
    uint64_t free_bytes;  /* available to this user */
    uint64_t total_bytes;
} bf_io_volume;
/* The volume holding `path`.  0 or errno. */
int bf_io_volume_of(const char *path, bf_io_volume *v);

/* Another volume of the physical disk that holds a given path. */
typedef struct bf_io_sibling {
    char *root;   /* a folder its files can be opened under: its drive
                     letter "E:\" when it has one, else "\\?\Volume{GUID}\" */
    char *name;   /* for messages: "E:" or "\\?\Volume{GUID}\" (+ label) */
    uint64_t size; /* bytes, 0 when unknown */
} bf_io_sibling;
/* The other volumes of the disk holding `path` (Windows: FindFirstVolumeW,
 * IOCTL_STORAGE_GET_DEVICE_NUMBER of each, GetVolumePathNamesForVolumeNameW
 * for its drive letter), in the order the system lists them, the volume of
 * `path` itself left out.  *disk names the disk ("PhysicalDrive0"), NULL
 * when not known.  POSIX: always 0 siblings and *disk NULL (on Linux,
 * lib/target/siblings.c finds them in mountinfo and sysfs).  0 or errno;
 * free with bf_io_siblings_free. */
int bf_io_disk_siblings(const char *path, char **disk, bf_io_sibling **out, size_t *n);
void bf_io_siblings_free(bf_io_sibling *s, size_t n);

/* The Windows folder of the running system ("C:\Windows"), malloc'd, or
 * NULL where this platform is not Windows. */
char *bf_io_running_windows_dir(void);
/* Whether two existing paths are the same file or folder (same volume and
 * file id; POSIX: same st_dev and st_ino): 1, 0, or 0 when either cannot be
 * opened. */
int bf_io_same_file(const char *a, const char *b);

/* ---- time, process, random -------------------------------------------------------------- */

/* The time now: seconds since 1970 and nanoseconds (UTC). */
void bf_io_clock(int64_t *sec, long *nsec);
/* Broken-down UTC time of `sec` (gmtime_r / gmtime_s).  0, or -1. */
int bf_io_gmtime(int64_t sec, struct tm *out);
/* This process's id. */
long bf_io_pid(void);

/* ---- run-time libraries (the optional libregf cross-check) --------------------------- */

/* Load the first of `names` that loads (dlopen RTLD_NOW|RTLD_LOCAL /
 * LoadLibraryW); NULL when none.  Never unloaded. */
void *bf_io_lib_open(const char *const *names, size_t n);
/* A function of a loaded library, or NULL. */
void (*bf_io_lib_sym(void *lib, const char *name))(void);

/* ---- errors ---------------------------------------------------------------------------- */

/* strerror(e), except where the platform can say more: on Windows EBUSY
 * comes from a sharing violation and reads "the file is in use by another
 * program (sharing violation): a hive loaded by the running system cannot be
 * opened; is this the live C: drive?". */
const char *bf_io_strerror(int e);

/* ---- the console (for the CLI) --------------------------------------------------------- */

/* The program's arguments as UTF-8.  POSIX: argv as given.  Windows: the
 * wide command line (GetCommandLineW, CommandLineToArgvW) converted, so that
 * names outside the ANSI code page arrive intact.  0, or ENOMEM.  The
 * strings live until the process ends. */
int bf_io_utf8_args(int *argc, char ***argv);
/* Make the console show UTF-8 output as text (Windows: SetConsoleOutputCP
 * (CP_UTF8) when stdout or stderr is a console; stdout and stderr in binary
 * mode so that "\n" is written as is).  POSIX: nothing. */
void bf_io_console_init(void);
/* `f` is a terminal / console. */
int bf_io_is_terminal(FILE *f);

#endif
