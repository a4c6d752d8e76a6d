/*
 * bootfix/dump.h — Windows kernel crash dumps on an offline volume.
 *
 * Decodes the header of a kernel crash dump (PAGEDU64: 64-bit, PAGEDUMP:
 * 32-bit), names bugcheck codes and common NTSTATUS parameters, and finds
 * the dumps of a target: the CrashControl DumpFile, the minidump folder,
 * DedicatedDumpFile, and a dump Windows wrote into pagefile.sys but never
 * copied out because the machine did not boot again.
 *
 * Layout and facts: ../shared/reference/crash-dumps.md.  Nothing here
 * writes except bf_dump_extract, which creates one new file.
 */
#ifndef BOOTFIX_DUMP_H
#define BOOTFIX_DUMP_H

#include "bootfix/hive.h"
#include "bootfix/target.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BF_DUMP_HEADER64_SIZE 0x2000u
#define BF_DUMP_HEADER32_SIZE 0x1000u

enum bf_dump_kind {
    BF_DUMP_NONE = 0,     /* not a dump */
    BF_DUMP_KERNEL64 = 1, /* "PAGEDU64" */
    BF_DUMP_KERNEL32 = 2, /* "PAGEDUMP" */
    BF_DUMP_USER = 3      /* "MDMP": a user-mode minidump, not a crash dump */
};

typedef struct bf_dump_info {
    int kind;                  /* enum bf_dump_kind */
    uint32_t dump_type;        /* header DumpType (0..7) */
    const char *dump_type_name;/* "full", "kernel", "header only", "small (triage)",
                                  "bitmap full", "bitmap kernel", "automatic", "unknown" */
    uint32_t bugcheck;
    const char *bugcheck_name; /* "CRITICAL_SERVICE_FAILED", or NULL when unknown */
    uint64_t param[4];         /* zero-extended for 32-bit dumps */
    char param_note[160];      /* known meaning of a parameter, "" if none:
                                  "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH" */
    uint64_t crash_time;       /* FILETIME, 0 when not set */
    uint32_t processors;
    uint32_t machine;          /* IMAGE_FILE_MACHINE_*: 0x8664, 0x14c, 0xaa64 */
    const char *machine_name;  /* "x64", "x86", "ARM64", NULL */
    uint32_t major, minor;     /* MajorVersion (0xF free build), MinorVersion (build number) */
    uint64_t required_space;   /* RequiredDumpSpace: bytes of the whole dump, 0 if not set */
    char problem[160];         /* "" or what is inconsistent (e.g. bitmap header missing) */
} bf_dump_info;

/* Decode a dump header from the first bytes of a file (`len` may be less
 * than the header size; fields beyond `len` stay 0).  BF_ERR_FORMAT when
 * the bytes are not a dump (the message says what the first bytes are). */
int bf_dump_decode(const uint8_t *buf, size_t len, bf_dump_info *out, bf_error *err);

/* Name of a bugcheck code ("IRQL_NOT_LESS_OR_EQUAL"), NULL when unknown. */
const char *bf_bugcheck_name(uint32_t code);
/* Name of a well-known NTSTATUS ("STATUS_INVALID_IMAGE_HASH"), NULL when unknown. */
const char *bf_ntstatus_name(uint32_t status);

enum bf_dump_source {
    BF_DUMP_SRC_DUMPFILE = 1,  /* CrashControl\DumpFile (MEMORY.DMP) */
    BF_DUMP_SRC_MINIDUMP = 2,  /* a file in CrashControl\MinidumpDir */
    BF_DUMP_SRC_DEDICATED = 3, /* CrashControl\DedicatedDumpFile */
    BF_DUMP_SRC_PAGEFILE = 4   /* a dump at the start of a page file */
};

typedef struct bf_dump_found {
    int source;          /* enum bf_dump_source */
    char *path;          /* file on the target */
    char *winpath;       /* as the registry names it ("%SystemRoot%\MEMORY.DMP") */
    uint64_t size;       /* file size */
    int64_t mtime;       /* modification time, seconds since 1970 */
    bf_dump_info info;
    uint64_t dump_bytes; /* bytes of the dump itself (for a page file: from the header) */
} bf_dump_found;

typedef struct bf_dump_search {
    char *control_set;        /* "ControlSet001": the one Select\Current names */
    /* the settings read (NULL when the value is absent) */
    int crash_dump_enabled;   /* -1 when absent */
    char *dump_file;
    char *minidump_dir;
    char *dedicated_dump_file;
    char **paging_files;      /* Memory Management\PagingFiles lines */
    size_t npaging_files;
    bf_dump_found *found;
    size_t nfound;
    /* When nothing is found (or to explain a gap): one sentence each, e.g.
     * "dumps are disabled: CrashDumpEnabled is 0", "the page file is on D:,
     * the temporary disk of an Azure VM, which does not survive ...". */
    char **reasons;
    size_t nreasons;
} bf_dump_search;

/* Look for every dump of the target, reading the SYSTEM hive (its logs
 * replayed in memory when dirty).  Files that are present but are not
 * dumps are not listed; unreadable ones add a reason. */
int bf_dump_find(const bf_target *t, bf_dump_search *out, bf_error *err);
void bf_dump_search_free(bf_dump_search *s);

/* Called during long copies; `total` is 0 when unknown. */
typedef void (*bf_progress_cb)(void *ctx, uint64_t done, uint64_t total);

/* Copy a found dump into `dir` (created if missing) as a new file: the
 * file's name for MEMORY.DMP/minidumps, "pagefile-MEMORY.DMP" for a page
 * file dump (dump_bytes of it).  Never overwrites (BF_ERR_EXISTS).  The
 * copy is written to a temporary name, flushed and renamed.  *out_path
 * (may be NULL) gets the new file (malloc'd). */
int bf_dump_extract(const bf_dump_found *f, const char *dir, bf_progress_cb cb, void *ctx,
                    char **out_path, bf_error *err);

#ifdef __cplusplus
}
#endif

#endif
