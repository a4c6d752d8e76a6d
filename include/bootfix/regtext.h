/*
 * bootfix/regtext.h — reg.exe and regedit text forms of registry data
 * (part of the hive layer; included by bootfix/hive.h).
 *
 *  - reg.exe spelling of types and data: `/t REG_DWORD /d 2`,
 *    `REG_MULTI_SZ` with `\0` separators, `REG_BINARY` as hex digits.
 *  - .reg files as regedit writes and reads them ("Windows Registry Editor
 *    Version 5.00" and "REGEDIT4"), UTF-16LE with BOM or UTF-8.
 */
#ifndef BOOTFIX_REGTEXT_H
#define BOOTFIX_REGTEXT_H

#include "bootfix/hive.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "REG_SZ" ... "REG_QWORD" (case-insensitive) to a type number. */
int bf_reg_type_parse(const char *name, uint32_t *type, bf_error *err);

/* reg.exe /d text to value bytes for `type`:
 *  REG_SZ/REG_EXPAND_SZ: UTF-16LE with terminating NUL;
 *  REG_MULTI_SZ: items split on `sep` (NULL means the two characters "\0"),
 *    each UTF-16LE + NUL, plus the final NUL;
 *  REG_DWORD/REG_DWORD_BIG_ENDIAN/REG_QWORD: decimal or 0x hex, range-checked;
 *  REG_BINARY, REG_NONE and other numbers: hex digits, two per byte.
 * `text` NULL means "no /d": empty data of that type as reg.exe writes it. */
int bf_reg_data_parse(uint32_t type, const char *text, const char *sep, uint8_t **data,
                      size_t *len, bf_error *err);

/* Data as `reg query` prints it (malloc'd UTF-8): strings as text,
 * MULTI_SZ items joined by "\0", DWORD/QWORD as 0x%x, others as uppercase hex. */
char *bf_reg_data_format(uint32_t type, const uint8_t *data, size_t len);

/* ---- .reg files ------------------------------------------------------------------ */

enum bf_regfile_encoding {
    BF_REGFILE_UTF16 = 0, /* regedit's export: UTF-16LE with BOM, CRLF, "Version 5.00" */
    BF_REGFILE_UTF8 = 1   /* same text in UTF-8 without BOM */
};

/* Export the subtree at `start` as a .reg document.  Key paths are written
 * as `prefix` + "\" + path below the hive root (prefix such as
 * "HKEY_LOCAL_MACHINE\SYSTEM"); when start is not the root its own path is
 * included.  *out is malloc'd. */
int bf_regfile_export(bf_hive *h, bf_node start, const char *prefix, int encoding,
                      uint8_t **out, size_t *len, bf_error *err);

typedef struct bf_regfile_stats {
    unsigned keys_created, keys_deleted, values_set, values_deleted;
} bf_regfile_stats;

/* Apply a .reg document to the hive.  Every key in the document must start
 * with `prefix` (case-insensitive), which is removed; with prefix NULL the
 * first two components (e.g. "HKEY_LOCAL_MACHINE\SYSTEM") are removed and
 * must be the same throughout.  The whole document is parsed and validated
 * before the hive is changed; errors name `name`, the line and the reason. */
int bf_regfile_import(bf_hive *h, const char *prefix, const uint8_t *text, size_t len,
                      const char *name, bf_regfile_stats *stats, bf_error *err);

#ifdef __cplusplus
}
#endif
#endif
