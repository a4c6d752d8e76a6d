/* The base block: the first 4096 bytes of a primary hive file. */
#include "internal.h"
#include "io/io.h"

#include <time.h>

uint32_t bf_bb_checksum(const uint8_t *bb)
{
    uint32_t x = 0;
    for (unsigned i = 0; i < BB_CHECKSUM; i += 4)
        x ^= rd32(bb + i);
    if (x == 0xFFFFFFFFu)
        x = 0xFFFFFFFEu;
    else if (x == 0)
        x = 1;
    return x;
}

int bf_bb_validate(const uint8_t *bb, size_t file_len, const char *name, bf_error *err)
{
    if (file_len < REGF_BASE_BLOCK)
        return bf_fail(err, BF_ERR_FORMAT, "%s: %zu bytes: too short for a hive (the base block alone is 4096 bytes)",
                       name, file_len);
    if (memcmp(bb, "regf", 4) != 0)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x0: no 'regf' signature: not a registry hive", name);
    uint32_t major = rd32(bb + BB_MAJOR), minor = rd32(bb + BB_MINOR);
    if (major != 1)
        return bf_fail(err, BF_ERR_UNSUPPORTED, "%s: offset 0x14: major version %u (only 1 exists)", name, major);
    if (minor < 3 || minor > 6)
        return bf_fail(err, BF_ERR_UNSUPPORTED,
                       "%s: offset 0x18: format version 1.%u is not supported (1.3 to 1.6 are; "
                       "1.1/1.2 are Windows NT 3.x hives)", name, minor);
    uint32_t type = rd32(bb + BB_TYPE);
    if (type != 0)
        return bf_fail(err, BF_ERR_FORMAT,
                       "%s: offset 0x1c: file type %u: this is a transaction log, not a primary hive", name, type);
    if (rd32(bb + BB_FORMAT) != 1)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x20: file format %u (expected 1)", name,
                       rd32(bb + BB_FORMAT));
    uint32_t hbins = rd32(bb + BB_HBINS_SIZE);
    if (hbins == 0 || hbins % REGF_BIN_ALIGN != 0 || hbins > BF_MAX_HIVE_SIZE)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x28: hive bins size 0x%x is not a non-zero multiple of 4096",
                       name, hbins);
    if ((uint64_t)hbins + REGF_BASE_BLOCK > file_len)
        return bf_fail(err, BF_ERR_FORMAT,
                       "%s: offset 0x28: base block says 0x%x bytes of hive bins but the file has only 0x%zx "
                       "after the base block (truncated file)", name, hbins, file_len - REGF_BASE_BLOCK);
    if (rd32(bb + BB_ROOT) >= hbins)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x24: root cell 0x%x is outside the hive bins (0x%x bytes)",
                       name, rd32(bb + BB_ROOT), hbins);
    return BF_OK;
}

uint64_t bf_filetime_now(void)
{
    int64_t sec;
    long nsec;
    bf_io_clock(&sec, &nsec);
    if (sec < 0)
        return 0;
    /* 100 ns intervals since 1601-01-01 */
    return ((uint64_t)sec + 11644473600ull) * 10000000ull + (uint64_t)nsec / 100u;
}
