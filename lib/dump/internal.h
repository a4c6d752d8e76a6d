/*
 * Internal declarations shared by the modules of lib/dump/.  Not installed.
 * Layout facts: ../shared/reference/crash-dumps.md.
 */
#ifndef BOOTFIX_DUMP_INTERNAL_H
#define BOOTFIX_DUMP_INTERNAL_H

#include "bootfix/dump.h"

#include <stddef.h>
#include <stdint.h>

/* The 4-byte fill pattern "PAGE" read little-endian: a field not set. */
#define DMP_UNSET 0x45474150u

/* Bytes bf_dump_find reads from the start of a candidate: the 64-bit header
 * and the start of a bitmap header after it. */
#define DMP_PROBE_BYTES (BF_DUMP_HEADER64_SIZE + 0x40u)

/* 64-bit header (DUMP_HEADER64) field offsets */
#define D64_MAJOR 0x008
#define D64_MINOR 0x00C
#define D64_MACHINE 0x030
#define D64_NPROC 0x034
#define D64_BUGCHECK 0x038
#define D64_PARAM1 0x040 /* four u64 */
#define D64_DUMPTYPE 0xF98
#define D64_REQUIRED 0xFA0
#define D64_TIME 0xFA8

/* 32-bit header (DUMP_HEADER32) field offsets (Volatility's) */
#define D32_MAJOR 0x008
#define D32_MINOR 0x00C
#define D32_MACHINE 0x020
#define D32_NPROC 0x024
#define D32_BUGCHECK 0x028
#define D32_PARAM1 0x02C /* four u32 */
#define D32_DUMPTYPE 0xF88
#define D32_REQUIRED 0xFA0
#define D32_TIME 0xFC0

/* Bitmap dump header after the 64-bit header (DumpType 5/6). */
#define DMP_BITMAP_OFF 0x2000u

/* "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH" into info->param_note
 * when the bugcheck has a parameter known to be an NTSTATUS. */
void bf_dump_note_params(bf_dump_info *info);

#endif
