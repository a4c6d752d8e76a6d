/*
 * bootfix/target.h — find a Windows volume's hives and BCD store.
 *
 * A target is the Windows volume of a broken machine's OS disk: a directory
 * where it is mounted (Linux: "/mnt/f") or a drive letter (Windows: "F:").
 * Windows paths are case-insensitive but an NTFS volume mounted on Linux is
 * not, so every path is found component by component, ignoring case.
 *
 * The BCD store is looked for, in order: --bcd; \Boot\BCD and
 * \EFI\Microsoft\Boot\BCD on the target; then (Linux) on the mounted file
 * systems of the other partitions of the target's disk (the System Reserved
 * or EFI system partition).  When the store is on a partition that is not
 * mounted, `bcd_hint` says which one to mount.
 *
 * Nothing here writes.  Every function returns BF_OK or an enum bf_status
 * code with `err` filled (see bootfix/hive.h).
 */
#ifndef BOOTFIX_TARGET_H
#define BOOTFIX_TARGET_H

#include "bootfix/hive.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bf_target_opts {
    const char *bcd_path;      /* --bcd: the store, no discovery */
    const char *system_path;   /* --system: the SYSTEM hive */
    const char *software_path; /* the SOFTWARE hive (default: beside SYSTEM) */
    /* Where the system describes mounts and block devices; NULL means
     * "/proc/self/mountinfo" and "/sys".  Tests point them at fakes. */
    const char *mountinfo_path;
    const char *sysfs_root;
} bf_target_opts;

enum bf_firmware {
    BF_FW_UNKNOWN = 0,
    BF_FW_BIOS = 1, /* store at \Boot\BCD (System Reserved or the OS volume) */
    BF_FW_UEFI = 2  /* store at \EFI\Microsoft\Boot\BCD (EFI system partition) */
};

enum bf_bcd_origin {
    BF_BCD_NOT_FOUND = 0,
    BF_BCD_FROM_OPTION = 1,  /* --bcd */
    BF_BCD_ON_TARGET = 2,    /* on the target volume itself */
    BF_BCD_ON_SIBLING = 3    /* on another mounted partition of the same disk */
};

enum bf_hiber_state {
    BF_HIBER_NO_FILE = 0, /* no hiberfil.sys */
    BF_HIBER_CLEAN = 1,   /* hiberfil.sys without a hibernation image (zeroed header) */
    BF_HIBER_IMAGE = 2,   /* a resumable image: hibernated, or Fast Startup */
    BF_HIBER_UNREADABLE = 3
};

typedef struct bf_target {
    char *spec;           /* as given */
    char *root;           /* absolute directory of the volume */
    char *windows_dir;    /* the Windows directory as found (any case), or NULL */
    char *system_path;    /* SYSTEM hive, or NULL */
    char *software_path;  /* SOFTWARE hive, or NULL */
    char system_drive;    /* drive letter Windows ran from ('C' unless SOFTWARE says otherwise) */

    char *bcd_path;       /* the store, or NULL */
    int bcd_origin;       /* enum bf_bcd_origin */
    int firmware;         /* enum bf_firmware, from where the store was found */
    char *bcd_hint;       /* when not found: where to look / what to mount, or NULL */

    char *device;         /* block device holding the target (/dev/sdc2), or NULL */
    char *disk;           /* its whole disk (/dev/sdc), or NULL */

    char *hiberfil_path;  /* hiberfil.sys as found, or NULL */
    int hiber_state;      /* enum bf_hiber_state */
    char hiber_sig[5];    /* first 4 bytes of hiberfil.sys, printable, "" if none */

    int readonly;         /* the volume is mounted read-only */
    int free_known;       /* free_bytes/total_bytes are valid */
    uint64_t free_bytes, total_bytes;

    int live;             /* Windows only: the target's Windows folder is the one the
                             running system booted from; every write is refused */
} bf_target;

/* Open a target: a directory where the volume is mounted, or on Windows
 * also a drive letter ("F:"), a UNC path or a \\?\ path.  Fails
 * (BF_ERR_NOT_FOUND) when `spec` is not a directory,
 * or when neither a Windows directory with System32\config\SYSTEM nor
 * --system is there; the message names what was looked for.  A missing BCD
 * store is not an error here (see bcd_hint); recipes that need it fail. */
int bf_target_open(const char *spec, const bf_target_opts *opts, bf_target **out, bf_error *err);
void bf_target_close(bf_target *t);

/* Find `rel` ("Windows\System32\config\SYSTEM"; '\' or '/' separators)
 * under `dir`, ignoring case in every component.  "." and ".." components
 * and absolute paths are refused (BF_ERR_INVALID).  *out is malloc'd.
 * BF_ERR_NOT_FOUND names the first component that is missing. */
int bf_path_find_ci(const char *dir, const char *rel, char **out, bf_error *err);

/* A Windows path as the broken system saw it ("%SystemRoot%\MEMORY.DMP",
 * "C:\pagefile.sys", "\??\C:\pagefile.sys", "System32\x" relative to
 * %SystemRoot%) to a path under the target.  BF_ERR_NOT_FOUND when the
 * file does not exist; BF_ERR_UNSUPPORTED when it is on another drive
 * letter than the system drive (the message names the letter: for example
 * the temporary D: disk of an Azure VM). */
int bf_target_resolve(const bf_target *t, const char *winpath, char **out, bf_error *err);

/* Refuse (BF_ERR_INVALID) a target that is the running system (t->live),
 * whatever the paths.  Then refuse (BF_ERR_READONLY, naming the path and
 * the reason) unless every
 * file in `paths` can be replaced: the volume is not read-only, and the
 * directory holding each file is writable.  `dirs` (may be NULL) are
 * directories that will be created or written (a backup folder): their
 * nearest existing parent must be writable. */
int bf_target_check_writable(const bf_target *t, const char *const *paths, size_t npaths,
                             const char *const *dirs, size_t ndirs, bf_error *err);

/* "hibernated (hiberfil.sys starts with HIBR)" or similar, for messages. */
const char *bf_hiber_state_name(int state);
const char *bf_firmware_name(int fw); /* "BIOS", "UEFI", "unknown" */

#ifdef __cplusplus
}
#endif

#endif
