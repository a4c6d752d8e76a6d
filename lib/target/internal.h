/*
 * Internal declarations shared by the modules of lib/target/.
 * Not installed.
 */
#ifndef BOOTFIX_TARGET_INTERNAL_H
#define BOOTFIX_TARGET_INTERNAL_H

#include "bootfix/target.h"

#include <stddef.h>

/* ---- pathci.c ------------------------------------------------------------------------ */

/* Two file names equal ignoring case as NTFS compares them: UTF-8 decoded,
 * each UTF-16 unit through Windows' uppercase table; invalid bytes compare
 * only with themselves. */
int tg_name_eq_ci(const char *a, const char *b);
/* Like bf_path_find_ci, but the result must be a regular file: 1 (with *out)
 * when it is, 0 when it is missing or not a file, or a negative error. */
int tg_find_file_ci(const char *dir, const char *rel, char **out, bf_error *err);

/* ---- siblings.c: mounts and block devices (Linux) ----------------------------------------- */

/* One line of /proc/self/mountinfo (see proc(5)); strings decoded (\040...). */
struct tg_mount {
    unsigned major, minor;
    char *root;       /* the directory of the file system mounted here */
    char *point;      /* the mount point */
    char *opts;       /* per-mount options ("rw,relatime") */
    char *fstype;
    char *source;     /* "/dev/sdc2" */
    char *super_opts; /* per-superblock options */
};

struct tg_mounts {
    struct tg_mount *v;
    size_t n;
};

/* Read a mountinfo file.  A file that cannot be opened gives an empty table
 * (not an error: there may be no /proc); malformed lines are skipped. */
int tg_mounts_load(const char *path, struct tg_mounts *m, bf_error *err);
void tg_mounts_free(struct tg_mounts *m);
/* The mount whose mount point is the longest prefix of `abs_path` (the last
 * such line when a mount point is mounted over), or NULL. */
const struct tg_mount *tg_mount_containing(const struct tg_mounts *m, const char *abs_path);
/* The mount is read-only ("ro" in its per-mount or superblock options). */
int tg_mount_is_ro(const struct tg_mount *mt);

/* Fill t->device, t->disk and the BCD fields (bcd_path, bcd_origin,
 * firmware, bcd_hint) following the order of bootfix/target.h. */
int tg_locate_bcd(bf_target *t, const bf_target_opts *opts, const struct tg_mounts *m,
                  bf_error *err);

/* Firmware implied by where a store lies: an "EFI" component means UEFI, a
 * "Boot" component directly holding it means BIOS, else unknown. */
int tg_firmware_of_path(const char *path);

#endif
