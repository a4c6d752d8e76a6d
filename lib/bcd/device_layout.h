/*
 * Byte layout of BCD device elements (format 1), shared by device_decode.c
 * and device_encode.c.  Source: ../shared/reference/bcd-elements.md §4.2,
 * confirmed on bcdedit-written values of the corpus (ntloader_utils_bcd,
 * win10iso_boot_bcd, winefi, windeploy).
 *
 * An element is a 16-byte options GUID followed by a device descriptor:
 *   +0x00 u32 device type, +0x04 u32 flags, +0x08 u32 size (of the
 *   descriptor, header included), +0x0C u32 reserved, +0x10 body.
 * Offsets below are relative to the start of a descriptor.
 */
#ifndef BOOTFIX_BCD_DEVICE_LAYOUT_H
#define BOOTFIX_BCD_DEVICE_LAYOUT_H

#define DEV_MAX_DEPTH 8    /* nesting levels accepted (vhd -> local -> partition) */
#define DEV_OPTIONS 0x10   /* bytes of the options GUID before the descriptor */
#define DEV_HDR 0x10       /* descriptor header */
#define TARGET_SIZE 0x48   /* boot and partition descriptors */

/* device types (+0x00) and local device types (+0x10 of a type-0 device) */
enum { DT_DISK = 0, DT_LEGACY_PARTITION = 2, DT_BOOT = 5, DT_PARTITION = 6, DT_LOCATE = 8 };
enum { LT_RAMDISK = 3, LT_VHD = 6 };

#define D_SIZE 0x08
#define D_LOCAL_TYPE 0x10

/* ramdisk: local device with a file descriptor, a nested device, the path */
#define RD_FILE_VERSION 0x28 /* 1 */
#define RD_FILE_LEN 0x2C     /* descriptor size - 0x28 */
#define RD_FILE_TYPE 0x30    /* 5 */
#define RD_NESTED 0x34

/* virtual disk nested in a locate device */
#define VHD_LEN1 0x30         /* size - 0x28 */
#define VHD_TYPE1 0x38        /* 5 */
#define VHD_FILE_VERSION 0x3C /* 1 */
#define VHD_FILE_LEN 0x40     /* size - 0x3C */
#define VHD_FILE_TYPE 0x44    /* 5 */
#define VHD_NESTED 0x48

/* locate */
#define LOC_KIND 0x10    /* 0: file named by an element; 1: custom path (UNVERIFIED) */
#define LOC_ELEMENT 0x14 /* element whose value names the file */
#define LOC_PARENT 0x18  /* offset of a nested device, 0 = none */
#define LOC_PATH 0x1C    /* custom path (UTF-16, "" when none) */

/* partition */
#define PART_ID 0x10 /* GPT partition GUID / MBR offset in bytes */
#define PART_DISK_TYPE 0x20
#define PART_STYLE 0x24
#define PART_DISK 0x28 /* GPT disk GUID / MBR signature */
#define PART_SIZE 0x48

#endif
