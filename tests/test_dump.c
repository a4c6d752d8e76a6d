/*
 * test_dump.c — the dump layer (lib/dump/): header decoding, names,
 * bf_dump_find on temporary volumes, bf_dump_extract.
 *
 * 1. 64- and 32-bit headers built in memory (filled with "PAGE" like
 *    Windows, then the fields set): every field decoded; "PAGE" fields read
 *    as 0; every truncation 0..0x2000 (exact-size heap buffers, so ASan
 *    sees any over-read) gives FORMAT or a partial header; MDMP; random
 *    bytes; the bitmap header check of DumpType 5/6; parameter notes.
 * 2. Names of bugcheck codes and NTSTATUS values.
 * 3. bf_dump_find on volumes made in a temporary directory: a SYSTEM hive
 *    built with the hive API, MEMORY.DMP, Minidump\*.dmp, a page file with
 *    a dump at offset 0; and the reasons (page file on D:, dumps disabled,
 *    no page file, Select\Current naming a missing control set).
 * 4. bf_dump_extract: exact bytes, progress calls, refusal to overwrite,
 *    a source shorter than the dump.
 * 5. Fault injection (lib/io/io.h): every I/O operation of an extraction
 *    failing with ENOSPC, EIO, EACCES and EROFS, and every allocation
 *    failing: an error naming the file, nothing partial left behind; every
 *    I/O operation of bf_dump_find failing: an error or a reason naming the
 *    file, never a silent "no dump"; every allocation of bf_dump_find.
 */
#include "bootfix/dump.h"
#include "common/corpus.h"
#include "common/files.h"
#include "common/runner.h"
#include "io/io.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- building headers ------------------------------------------------------------------ */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void fill_page(uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i += 4)
        memcpy(b + i, "PAGE", 4);
}

typedef struct hdr {
    uint32_t major, minor, machine, cpus, bugcheck, type;
    uint64_t p[4], required, time;
} hdr;

static const hdr H64 = {0xF, 19041, 0x8664, 8, 0x5A, 2,
                        {0x1, 0xFFFFF80012345678ull, 0x0, 0xFFFFFFFFC0000428ull},
                        0x12345678ull, 0x01D9A1B2C3D4E5F6ull};
static const hdr H32 = {0xF, 7601, 0x14C, 2, 0x7E, 1,
                        {0xC0000005u, 0x8A123456u, 0x9C001234u, 0x9C000ABCu},
                        0x40000000ull, 0x01CB0000DEADBEEFull};

/* A 64-bit header of `size` bytes (>= 0x2000). */
static uint8_t *mk64(const hdr *h, size_t size)
{
    uint8_t *b = malloc(size);
    ck_assert_ptr_nonnull(b);
    fill_page(b, size);
    memcpy(b, "PAGEDU64", 8);
    put32(b + 0x08, h->major);
    put32(b + 0x0C, h->minor);
    put32(b + 0x30, h->machine);
    put32(b + 0x34, h->cpus);
    put32(b + 0x38, h->bugcheck);
    for (int i = 0; i < 4; i++)
        put64(b + 0x40 + 8 * i, h->p[i]);
    put32(b + 0xF98, h->type);
    put64(b + 0xFA0, h->required);
    put64(b + 0xFA8, h->time);
    return b;
}

static uint8_t *mk32(const hdr *h, size_t size)
{
    uint8_t *b = malloc(size);
    ck_assert_ptr_nonnull(b);
    fill_page(b, size);
    memcpy(b, "PAGEDUMP", 8);
    put32(b + 0x08, h->major);
    put32(b + 0x0C, h->minor);
    put32(b + 0x20, h->machine);
    put32(b + 0x24, h->cpus);
    put32(b + 0x28, h->bugcheck);
    for (int i = 0; i < 4; i++)
        put32(b + 0x2C + 4 * i, (uint32_t)h->p[i]);
    put32(b + 0xF88, h->type);
    put64(b + 0xFA0, h->required);
    put64(b + 0xFC0, h->time);
    return b;
}

/* ---- 1. decoding ----------------------------------------------------------------------------- */

START_TEST(decode_64_every_field)
{
    uint8_t *b = mk64(&H64, BF_DUMP_HEADER64_SIZE);
    bf_dump_info d;
    bf_error err;
    ck_assert_int_eq(bf_dump_decode(b, BF_DUMP_HEADER64_SIZE, &d, &err), BF_OK);
    ck_assert_int_eq(d.kind, BF_DUMP_KERNEL64);
    ck_assert_uint_eq(d.dump_type, 2);
    ck_assert_str_eq(d.dump_type_name, "kernel");
    ck_assert_uint_eq(d.bugcheck, 0x5A);
    ck_assert_str_eq(d.bugcheck_name, "CRITICAL_SERVICE_FAILED");
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(d.param[i], H64.p[i]);
    ck_assert_str_eq(d.param_note, "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH");
    ck_assert_uint_eq(d.crash_time, H64.time);
    ck_assert_uint_eq(d.processors, 8);
    ck_assert_uint_eq(d.machine, 0x8664);
    ck_assert_str_eq(d.machine_name, "x64");
    ck_assert_uint_eq(d.major, 0xF);
    ck_assert_uint_eq(d.minor, 19041);
    ck_assert_uint_eq(d.required_space, 0x12345678ull);
    ck_assert_str_eq(d.problem, "");
    free(b);
}
END_TEST

START_TEST(decode_32_every_field)
{
    uint8_t *b = mk32(&H32, BF_DUMP_HEADER32_SIZE);
    bf_dump_info d;
    bf_error err;
    ck_assert_int_eq(bf_dump_decode(b, BF_DUMP_HEADER32_SIZE, &d, &err), BF_OK);
    ck_assert_int_eq(d.kind, BF_DUMP_KERNEL32);
    ck_assert_uint_eq(d.dump_type, 1);
    ck_assert_str_eq(d.dump_type_name, "full");
    ck_assert_uint_eq(d.bugcheck, 0x7E);
    ck_assert_str_eq(d.bugcheck_name, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED");
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(d.param[i], (uint32_t)H32.p[i]); /* zero-extended */
    ck_assert_str_eq(d.param_note, "parameter 1: 0xC0000005 STATUS_ACCESS_VIOLATION");
    ck_assert_uint_eq(d.crash_time, H32.time);
    ck_assert_uint_eq(d.processors, 2);
    ck_assert_uint_eq(d.machine, 0x14C);
    ck_assert_str_eq(d.machine_name, "x86");
    ck_assert_uint_eq(d.major, 0xF);
    ck_assert_uint_eq(d.minor, 7601);
    ck_assert_uint_eq(d.required_space, 0x40000000ull);
    ck_assert_str_eq(d.problem, "");
    free(b);
}
END_TEST

START_TEST(decode_dump_type_names)
{
    static const char *const want[] = {"unknown", "full", "kernel", "header only",
                                       "small (triage)", "bitmap full", "bitmap kernel",
                                       "automatic", "unknown"};
    hdr h = H64;
    for (uint32_t t = 0; t <= 8; t++) {
        h.type = t;
        uint8_t *b = mk64(&h, BF_DUMP_HEADER64_SIZE);
        bf_dump_info d;
        ck_assert_int_eq(bf_dump_decode(b, BF_DUMP_HEADER64_SIZE, &d, NULL), BF_OK);
        ck_assert_uint_eq(d.dump_type, t);
        ck_assert_str_eq(d.dump_type_name, want[t]);
        free(b);
    }
}
END_TEST

/* Only the signature set: every other field is "PAGE" and reads as 0. */
START_TEST(decode_page_fields_unset)
{
    for (int bits = 32; bits <= 64; bits += 32) {
        size_t n = bits == 64 ? BF_DUMP_HEADER64_SIZE : BF_DUMP_HEADER32_SIZE;
        uint8_t *b = malloc(n);
        fill_page(b, n);
        memcpy(b, bits == 64 ? "PAGEDU64" : "PAGEDUMP", 8);
        bf_dump_info d;
        ck_assert_int_eq(bf_dump_decode(b, n, &d, NULL), BF_OK);
        ck_assert_int_eq(d.kind, bits == 64 ? BF_DUMP_KERNEL64 : BF_DUMP_KERNEL32);
        ck_assert_uint_eq(d.bugcheck, 0);
        ck_assert_ptr_null(d.bugcheck_name);
        for (int i = 0; i < 4; i++)
            ck_assert_uint_eq(d.param[i], 0);
        ck_assert_uint_eq(d.dump_type, 0);
        ck_assert_str_eq(d.dump_type_name, "unknown");
        ck_assert_uint_eq(d.crash_time, 0);
        ck_assert_uint_eq(d.processors, 0);
        ck_assert_uint_eq(d.machine, 0);
        ck_assert_ptr_null(d.machine_name);
        ck_assert_uint_eq(d.major, 0);
        ck_assert_uint_eq(d.minor, 0);
        ck_assert_uint_eq(d.required_space, 0);
        ck_assert_str_eq(d.param_note, "");
        ck_assert_str_eq(d.problem, "");
        free(b);
    }
}
END_TEST

/* Every prefix of a header: FORMAT below 8 bytes, else a partial header
 * whose fields are set exactly when they lie inside the prefix. */
START_TEST(decode_every_truncation)
{
    for (int bits = 32; bits <= 64; bits += 32) {
        size_t hs = bits == 64 ? BF_DUMP_HEADER64_SIZE : BF_DUMP_HEADER32_SIZE;
        uint8_t *full = bits == 64 ? mk64(&H64, hs) : mk32(&H32, hs);
        const hdr *h = bits == 64 ? &H64 : &H32;
        size_t off_bug = bits == 64 ? 0x38 : 0x28, off_type = bits == 64 ? 0xF98 : 0xF88;
        size_t off_time = bits == 64 ? 0xFA8 : 0xFC0, off_p4 = bits == 64 ? 0x58 : 0x38;
        size_t psz = bits == 64 ? 8 : 4;
        for (size_t len = 0; len <= BF_DUMP_HEADER64_SIZE; len++) {
            uint8_t *b = malloc(len ? len : 1);
            memcpy(b, full, len < hs ? len : hs);
            if (len > hs)
                fill_page(b + hs, len - hs);
            bf_dump_info d;
            bf_error err;
            memset(&err, 0, sizeof err);
            int rc = bf_dump_decode(b, len, &d, &err);
            if (len < 8) {
                ck_assert_int_eq(rc, BF_ERR_FORMAT);
                ck_assert_msg(strstr(err.msg, "not a crash dump"), "len %zu: %s", len, err.msg);
            } else {
                ck_assert_int_eq(rc, BF_OK);
                ck_assert_uint_eq(d.bugcheck, len >= off_bug + 4 ? h->bugcheck : 0);
                ck_assert_uint_eq(d.param[3], len >= off_p4 + psz ? (bits == 64 ? h->p[3] : (uint32_t)h->p[3]) : 0);
                ck_assert_uint_eq(d.dump_type, len >= off_type + 4 ? h->type : 0);
                ck_assert_uint_eq(d.crash_time, len >= off_time + 8 ? h->time : 0);
                if (len < hs)
                    ck_assert_msg(strstr(d.problem, "truncated"), "len %zu: problem '%s'", len,
                                  d.problem);
                else
                    ck_assert_str_eq(d.problem, "");
            }
            free(b);
        }
        free(full);
    }
}
END_TEST

START_TEST(decode_user_minidump)
{
    uint8_t b[32] = "MDMP\x93\xa7\x00\x00";
    bf_dump_info d;
    ck_assert_int_eq(bf_dump_decode(b, sizeof b, &d, NULL), BF_OK);
    ck_assert_int_eq(d.kind, BF_DUMP_USER);
    ck_assert_str_eq(d.problem, "user-mode minidump, not a kernel crash dump");
    ck_assert_uint_eq(d.bugcheck, 0);
}
END_TEST

START_TEST(decode_not_a_dump)
{
    bf_dump_info d;
    bf_error err;
    uint8_t zeros[64] = {0};
    ck_assert_int_eq(bf_dump_decode(zeros, sizeof zeros, &d, &err), BF_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "zero bytes"));
    ck_assert_int_eq(d.kind, BF_DUMP_NONE);
    const uint8_t regf[] = "regf\x01\x00\x00\x00";
    ck_assert_int_eq(bf_dump_decode(regf, 8, &d, &err), BF_ERR_FORMAT);
    ck_assert_msg(strstr(err.msg, "\"regf....\"") && strstr(err.msg, "72 65 67 66"), "%s",
                  err.msg);
    ck_assert_int_eq(bf_dump_decode(NULL, 0, &d, &err), BF_ERR_FORMAT);
    ck_assert_int_eq(bf_dump_decode((const uint8_t *)"PAGEDU6", 7, &d, &err), BF_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "too short"));
    ck_assert_int_eq(bf_dump_decode(zeros, 8, NULL, &err), BF_ERR_INVALID);
}
END_TEST

START_TEST(decode_random_bytes)
{
    srand(12345);
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(rand() % (BF_DUMP_HEADER64_SIZE + 0x100));
        uint8_t *b = malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++)
            b[i] = (uint8_t)rand();
        int sig = round % 3; /* 0: random start, 1: PAGEDU64, 2: PAGEDUMP */
        if (sig && len >= 8)
            memcpy(b, sig == 1 ? "PAGEDU64" : "PAGEDUMP", 8);
        bf_dump_info d;
        bf_error err;
        int rc = bf_dump_decode(b, len, &d, &err);
        if (sig && len >= 8) {
            ck_assert_int_eq(rc, BF_OK);
            ck_assert_ptr_nonnull(d.dump_type_name);
            ck_assert_uint_lt(strlen(d.param_note), sizeof d.param_note);
        } else if (!(len >= 4 && memcmp(b, "MDMP", 4) == 0)) {
            ck_assert_int_eq(rc, BF_ERR_FORMAT);
        }
        free(b);
    }
}
END_TEST

static bf_dump_info decode_bitmap(uint32_t type, const char *sig, size_t len)
{
    hdr h = H64;
    h.type = type;
    uint8_t *b = mk64(&h, len);
    if (sig && len >= 0x2008)
        memcpy(b + 0x2000, sig, 8);
    bf_dump_info d;
    ck_assert_int_eq(bf_dump_decode(b, len, &d, NULL), BF_OK);
    free(b);
    return d;
}

START_TEST(decode_bitmap_header)
{
    bf_dump_info d = decode_bitmap(5, "FDMPDUMP", 0x2040);
    ck_assert_str_eq(d.problem, "");
    ck_assert_str_eq(d.dump_type_name, "bitmap full");
    d = decode_bitmap(6, "SDMPDUMP", 0x2040);
    ck_assert_str_eq(d.problem, "");
    ck_assert_str_eq(d.dump_type_name, "bitmap kernel");
    d = decode_bitmap(6, NULL, 0x2040); /* "PAGE" where the bitmap header should be */
    ck_assert_msg(strstr(d.problem, "no SDMPDUMP bitmap header at offset 0x2000"), "%s", d.problem);
    d = decode_bitmap(5, "SDMPDUMP", 0x2040);
    ck_assert_msg(strstr(d.problem, "is SDMP, not FDMP"), "%s", d.problem);
    d = decode_bitmap(5, "FDMPXXXX", 0x2040);
    ck_assert_msg(strstr(d.problem, "no FDMPDUMP"), "%s", d.problem);
    d = decode_bitmap(6, NULL, 0x2000); /* not read: nothing to say */
    ck_assert_str_eq(d.problem, "");
    d = decode_bitmap(2, NULL, 0x2040); /* not a bitmap dump: not checked */
    ck_assert_str_eq(d.problem, "");
}
END_TEST

static const char *note_of(int bits, uint32_t bugcheck, int param, uint64_t v)
{
    static bf_dump_info d;
    hdr h = bits == 64 ? H64 : H32;
    h.bugcheck = bugcheck;
    memset(h.p, 0, sizeof h.p);
    h.p[param] = v;
    uint8_t *b = bits == 64 ? mk64(&h, 0x2000) : mk32(&h, 0x1000);
    ck_assert_int_eq(bf_dump_decode(b, bits == 64 ? 0x2000 : 0x1000, &d, NULL), BF_OK);
    free(b);
    return d.param_note;
}

START_TEST(param_notes)
{
    ck_assert_str_eq(note_of(64, 0x5A, 3, 0xFFFFFFFFC0000428ull),
                     "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH");
    ck_assert_str_eq(note_of(64, 0x5A, 3, 0xC0000428ull),
                     "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH");
    ck_assert_str_eq(note_of(64, 0x5A, 2, 0xFFFFFFFFC0000428ull), ""); /* wrong parameter */
    ck_assert_str_eq(note_of(64, 0xC000021A, 1, 0xFFFFFFFFC0000005ull),
                     "parameter 2: 0xC0000005 STATUS_ACCESS_VIOLATION");
    ck_assert_str_eq(note_of(64, 0x7B, 0, 0xFFFFFFFFC0000034ull),
                     "parameter 1: 0xC0000034 STATUS_OBJECT_NAME_NOT_FOUND");
    ck_assert_str_eq(note_of(64, 0x7B, 0, 0xFFFFA80012345678ull), ""); /* a device object */
    ck_assert_str_eq(note_of(64, 0x1E, 0, 0xFFFFFFFF80000003ull),
                     "parameter 1: 0x80000003 STATUS_BREAKPOINT");
    ck_assert_str_eq(note_of(64, 0x3B, 0, 0xC0000005ull),
                     "parameter 1: 0xC0000005 STATUS_ACCESS_VIOLATION");
    ck_assert_str_eq(note_of(64, 0x8E, 0, 0x12345678C0000005ull), ""); /* not sign-extended */
    ck_assert_str_eq(note_of(64, 0x7E, 0, 0xFFFFFFFFC0DEDBADull), ""); /* unknown status */
    ck_assert_str_eq(note_of(64, 0x0A, 0, 0xFFFFFFFFC0000005ull), ""); /* not an NTSTATUS parameter */
    ck_assert_str_eq(note_of(32, 0x7E, 0, 0xC000001Du),
                     "parameter 1: 0xC000001D STATUS_ILLEGAL_INSTRUCTION");
    ck_assert_str_eq(note_of(32, 0x5A, 3, 0xC0000428u),
                     "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH");
}
END_TEST

/* ---- 2. names ------------------------------------------------------------------------------------ */

START_TEST(bugcheck_names)
{
    static const struct { uint32_t c; const char *n; } t[] = {
        {0x0A, "IRQL_NOT_LESS_OR_EQUAL"}, {0x19, "BAD_POOL_HEADER"},
        {0x1A, "MEMORY_MANAGEMENT"}, {0x1E, "KMODE_EXCEPTION_NOT_HANDLED"},
        {0x3B, "SYSTEM_SERVICE_EXCEPTION"}, {0x4C, "FATAL_UNHANDLED_HARD_ERROR"},
        {0x50, "PAGE_FAULT_IN_NONPAGED_AREA"}, {0x51, "REGISTRY_ERROR"},
        {0x5A, "CRITICAL_SERVICE_FAILED"}, {0x67, "CONFIG_INITIALIZATION_FAILED"},
        {0x6B, "PROCESS1_INITIALIZATION_FAILED"}, {0x74, "BAD_SYSTEM_CONFIG_INFO"},
        {0x77, "KERNEL_STACK_INPAGE_ERROR"}, {0x7A, "KERNEL_DATA_INPAGE_ERROR"},
        {0x7B, "INACCESSIBLE_BOOT_DEVICE"}, {0x7E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"},
        {0x7F, "UNEXPECTED_KERNEL_MODE_TRAP"}, {0x80, "NMI_HARDWARE_FAILURE"},
        {0x8E, "KERNEL_MODE_EXCEPTION_NOT_HANDLED"}, {0x9F, "DRIVER_POWER_STATE_FAILURE"},
        {0xC2, "BAD_POOL_CALLER"}, {0xC4, "DRIVER_VERIFIER_DETECTED_VIOLATION"},
        {0xD1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL"}, {0xE2, "MANUALLY_INITIATED_CRASH"},
        {0xED, "UNMOUNTABLE_BOOT_VOLUME"}, {0xEF, "CRITICAL_PROCESS_DIED"},
        {0xF4, "CRITICAL_OBJECT_TERMINATION"}, {0x101, "CLOCK_WATCHDOG_TIMEOUT"},
        {0x109, "CRITICAL_STRUCTURE_CORRUPTION"}, {0x124, "WHEA_UNCORRECTABLE_ERROR"},
        {0x133, "DPC_WATCHDOG_VIOLATION"}, {0x139, "KERNEL_SECURITY_CHECK_FAILURE"},
        {0x13A, "KERNEL_MODE_HEAP_CORRUPTION"}, {0x154, "UNEXPECTED_STORE_EXCEPTION"},
        {0x161, "LIVE_SYSTEM_DUMP"}, {0xC000021A, "STATUS_SYSTEM_PROCESS_TERMINATED"},
        {0xC0000218, "STATUS_CANNOT_LOAD_REGISTRY_FILE"}, {0x1000007E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *n = bf_bugcheck_name(t[i].c);
        ck_assert_msg(n && strcmp(n, t[i].n) == 0, "0x%X: %s", t[i].c, n ? n : "(null)");
    }
    ck_assert_ptr_null(bf_bugcheck_name(0));
    ck_assert_ptr_null(bf_bugcheck_name(0x12345));
    ck_assert_ptr_null(bf_bugcheck_name(0xFFFFFFFFu));
}
END_TEST

START_TEST(ntstatus_names)
{
    static const struct { uint32_t c; const char *n; } t[] = {
        {0xC0000428, "STATUS_INVALID_IMAGE_HASH"}, {0xC0000005, "STATUS_ACCESS_VIOLATION"},
        {0xC000000E, "STATUS_NO_SUCH_DEVICE"}, {0xC000000F, "STATUS_NO_SUCH_FILE"},
        {0xC0000034, "STATUS_OBJECT_NAME_NOT_FOUND"}, {0xC0000225, "STATUS_NOT_FOUND"},
        {0xC0000218, "STATUS_CANNOT_LOAD_REGISTRY_FILE"},
        {0xC000021A, "STATUS_SYSTEM_PROCESS_TERMINATED"}, {0xC0000001, "STATUS_UNSUCCESSFUL"},
        {0xC0000102, "STATUS_FILE_CORRUPT_ERROR"}, {0xC0000022, "STATUS_ACCESS_DENIED"},
        {0xC000009A, "STATUS_INSUFFICIENT_RESOURCES"}, {0xC0000185, "STATUS_IO_DEVICE_ERROR"},
        {0xC000014C, "STATUS_REGISTRY_CORRUPT"}, {0xC0000409, "STATUS_STACK_BUFFER_OVERRUN"},
        {0x80000003, "STATUS_BREAKPOINT"}, {0, "STATUS_SUCCESS"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *n = bf_ntstatus_name(t[i].c);
        ck_assert_msg(n && strcmp(n, t[i].n) == 0, "0x%08X: %s", t[i].c, n ? n : "(null)");
    }
    ck_assert_ptr_null(bf_ntstatus_name(0xC0DEDBAD));
    ck_assert_ptr_null(bf_ntstatus_name(0x5A));
}
END_TEST

/* ---- 3. volumes ---------------------------------------------------------------------------------- */

static char g_tmp[256];

static void setup_tmp(void)
{
    snprintf(g_tmp, sizeof g_tmp, "%s/bootfix-dump-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_tmp));
}

static void teardown_tmp(void) { test_rm_tree(g_tmp); }

static char *tpath(const char *rel)
{
    static char buf[8][1024];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 1024, "%s/%s", g_tmp, rel);
    return p;
}

/* UTF-16LE of an ASCII string list: each string and its NUL, plus a final
 * NUL when `multi`. */
static size_t utf16(const char *const *s, size_t n, int multi, uint8_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        for (const char *c = s[i]; ; c++) {
            out[k++] = (uint8_t)*c;
            out[k++] = 0;
            if (!*c)
                break;
        }
    }
    if (multi) {
        out[k++] = 0;
        out[k++] = 0;
    }
    return k;
}

typedef struct sysdef {
    int select;               /* Select\Current (0: no Select key) */
    int sets[4];              /* control set numbers to create (0 ends) */
    int crash_enabled;        /* -1: value absent; -2: no CrashControl key */
    const char *dump_file;    /* NULL: absent */
    const char *minidump_dir; /* NULL: absent */
    const char *dedicated;
    const char *paging[3];    /* PagingFiles lines (NULL ends); all NULL: value absent */
    const char *existing[3];  /* ExistingPageFiles */
} sysdef;

static void set_sz(bf_hive *h, bf_node n, const char *name, uint32_t type, const char *v)
{
    uint8_t buf[1024];
    bf_error err;
    size_t len = utf16(&v, 1, 0, buf);
    ck_assert_msg(bf_node_set_value(h, n, name, type, buf, len, &err) == BF_OK, "%s", err.msg);
}

static void set_multi(bf_hive *h, bf_node n, const char *name, const char *const *v)
{
    uint8_t buf[2048];
    bf_error err;
    size_t cnt = 0;
    while (cnt < 3 && v[cnt])
        cnt++;
    if (!cnt)
        return;
    size_t len = utf16(v, cnt, 1, buf);
    ck_assert_msg(bf_node_set_value(h, n, name, BF_REG_MULTI_SZ, buf, len, &err) == BF_OK, "%s",
                  err.msg);
}

static void set_dword(bf_hive *h, bf_node n, const char *name, uint32_t v)
{
    uint8_t b[4];
    bf_error err;
    put32(b, v);
    ck_assert_msg(bf_node_set_value(h, n, name, BF_REG_DWORD, b, 4, &err) == BF_OK, "%s", err.msg);
}

/* A volume at g_tmp/vol with Windows/System32/config/SYSTEM as described. */
static void make_volume(const sysdef *def)
{
    bf_hive *h;
    bf_error err;
    bf_node n;
    char key[128];
    test_mkdirs(g_tmp, "vol/Windows/System32/config");
    ck_assert_int_eq(bf_hive_new(5, "ROOT", &h, &err), BF_OK);
    bf_node root = bf_hive_root(h);
    if (def->select) {
        ck_assert_int_eq(bf_node_create_path(h, root, "Select", &n, NULL, &err), BF_OK);
        set_dword(h, n, "Current", (uint32_t)def->select);
        set_dword(h, n, "Default", (uint32_t)def->select);
    }
    for (int i = 0; i < 4 && def->sets[i]; i++) {
        snprintf(key, sizeof key, "ControlSet%03d\\Control\\CrashControl", def->sets[i]);
        ck_assert_int_eq(bf_node_create_path(h, root, key, &n, NULL, &err), BF_OK);
        if (def->crash_enabled == -2) {
            ck_assert_int_eq(bf_node_delete(h, n, &err), BF_OK);
        } else {
            if (def->crash_enabled >= 0)
                set_dword(h, n, "CrashDumpEnabled", (uint32_t)def->crash_enabled);
            if (def->dump_file)
                set_sz(h, n, "DumpFile", BF_REG_EXPAND_SZ, def->dump_file);
            if (def->minidump_dir)
                set_sz(h, n, "MinidumpDir", BF_REG_EXPAND_SZ, def->minidump_dir);
            if (def->dedicated)
                set_sz(h, n, "DedicatedDumpFile", BF_REG_SZ, def->dedicated);
        }
        snprintf(key, sizeof key, "ControlSet%03d\\Control\\Session Manager\\Memory Management",
                 def->sets[i]);
        ck_assert_int_eq(bf_node_create_path(h, root, key, &n, NULL, &err), BF_OK);
        set_multi(h, n, "PagingFiles", def->paging);
        set_multi(h, n, "ExistingPageFiles", def->existing);
    }
    bf_commit_opts co = {tpath("vol/Windows/System32/config/SYSTEM"), NULL, 1};
    ck_assert_msg(bf_hive_commit(h, &co, &err) == BF_OK, "%s", err.msg);
    bf_hive_close(h);
}

/* A dump file: a 64-bit (or 32-bit) header, then pattern bytes up to `size`;
 * `file_size` > size continues with other bytes (a page file). */
static void write_dump(const char *rel, int bits, uint32_t bugcheck, uint64_t size,
                       uint64_t file_size)
{
    hdr h = bits == 64 ? H64 : H32;
    h.bugcheck = bugcheck;
    h.required = size;
    size_t hs = bits == 64 ? 0x2000 : 0x1000;
    uint8_t *b = bits == 64 ? mk64(&h, hs) : mk32(&h, hs);
    uint8_t *all = malloc(file_size);
    memcpy(all, b, hs < file_size ? hs : file_size);
    for (uint64_t i = hs; i < file_size; i++)
        all[i] = i < size ? (uint8_t)(i * 31 + 7) : (uint8_t)0xEE;
    test_put_file(tpath(rel), all, file_size);
    free(all);
    free(b);
}

static bf_target *open_vol(void)
{
    bf_target *t;
    bf_error err;
    bf_target_opts o;
    memset(&o, 0, sizeof o);
    test_put_file(tpath("mountinfo"), (const uint8_t *)"", 0);
    o.mountinfo_path = tpath("mountinfo");
    o.sysfs_root = tpath("nosys");
    ck_assert_msg(bf_target_open(tpath("vol"), &o, &t, &err) == BF_OK, "%s", err.msg);
    return t;
}

static int has_reason(const bf_dump_search *s, const char *needle)
{
    for (size_t i = 0; i < s->nreasons; i++)
        if (strstr(s->reasons[i], needle))
            return 1;
    return 0;
}

static void print_reasons(const bf_dump_search *s)
{
    for (size_t i = 0; i < s->nreasons; i++)
        fprintf(stderr, "  reason: %s\n", s->reasons[i]);
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The full set: MEMORY.DMP, two minidumps and a non-dump, a page file dump. */
static bf_target *full_volume(void)
{
    sysdef def = {.select = 1, .sets = {1, 2}, .crash_enabled = 7,
                  .minidump_dir = "%SystemRoot%\\Minidump",
                  .paging = {"?:\\pagefile.sys"},
                  .existing = {"\\??\\C:\\pagefile.sys"}};
    make_volume(&def);
    test_mkdirs(g_tmp, "vol/Windows/Minidump");
    write_dump("vol/Windows/memory.dmp", 64, 0x5A, 0x3000, 0x3000);
    write_dump("vol/Windows/Minidump/b.dmp", 64, 0xD1, 0x2100, 0x2100);
    write_dump("vol/Windows/Minidump/a.DMP", 32, 0x7E, 0x1800, 0x1800);
    test_put_file(tpath("vol/Windows/Minidump/c.dmp"), (const uint8_t *)"hello, not a dump", 17);
    test_put_file(tpath("vol/Windows/Minidump/notes.txt"), (const uint8_t *)"PAGEDU64", 8);
    write_dump("vol/pagefile.sys", 64, 0xEF, 0x5000, 0x9000);
    return open_vol();
}

START_TEST(find_everything)
{
    bf_target *t = full_volume();
    bf_dump_search s;
    bf_error err;
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s", err.msg);
    print_reasons(&s);
    ck_assert_str_eq(s.control_set, "ControlSet001");
    ck_assert_int_eq(s.crash_dump_enabled, 7);
    ck_assert_ptr_null(s.dump_file); /* absent: the default was used */
    ck_assert_str_eq(s.minidump_dir, "%SystemRoot%\\Minidump");
    ck_assert_ptr_null(s.dedicated_dump_file);
    ck_assert_uint_eq(s.npaging_files, 1);
    ck_assert_str_eq(s.paging_files[0], "?:\\pagefile.sys");
    ck_assert_uint_eq(s.nfound, 4);

    ck_assert_int_eq(s.found[0].source, BF_DUMP_SRC_DUMPFILE);
    ck_assert_str_eq(base(s.found[0].path), "memory.dmp");
    ck_assert_str_eq(s.found[0].winpath, "%SystemRoot%\\MEMORY.DMP");
    ck_assert_uint_eq(s.found[0].size, 0x3000);
    ck_assert_uint_eq(s.found[0].dump_bytes, 0x3000);
    ck_assert_uint_eq(s.found[0].info.bugcheck, 0x5A);
    ck_assert_str_eq(s.found[0].info.param_note, "parameter 4: 0xC0000428 STATUS_INVALID_IMAGE_HASH");
    ck_assert_int_gt(s.found[0].mtime, 1000000000);

    ck_assert_int_eq(s.found[1].source, BF_DUMP_SRC_MINIDUMP);
    ck_assert_str_eq(base(s.found[1].path), "a.DMP");
    ck_assert_str_eq(s.found[1].winpath, "%SystemRoot%\\Minidump\\a.DMP");
    ck_assert_int_eq(s.found[1].info.kind, BF_DUMP_KERNEL32);
    ck_assert_uint_eq(s.found[1].info.bugcheck, 0x7E);
    ck_assert_int_eq(s.found[2].source, BF_DUMP_SRC_MINIDUMP);
    ck_assert_str_eq(base(s.found[2].path), "b.dmp");
    ck_assert_uint_eq(s.found[2].info.bugcheck, 0xD1);

    ck_assert_int_eq(s.found[3].source, BF_DUMP_SRC_PAGEFILE);
    ck_assert_str_eq(base(s.found[3].path), "pagefile.sys");
    ck_assert_str_eq(s.found[3].winpath, "C:\\pagefile.sys");
    ck_assert_uint_eq(s.found[3].size, 0x9000);
    ck_assert_uint_eq(s.found[3].dump_bytes, 0x5000);
    ck_assert_uint_eq(s.found[3].info.bugcheck, 0xEF);

    ck_assert(has_reason(&s, "c.dmp"));
    ck_assert(has_reason(&s, "not a crash dump"));
    ck_assert(!has_reason(&s, "no crash dump was found"));
    ck_assert(!has_reason(&s, "notes.txt"));
    bf_dump_search_free(&s);
    ck_assert_ptr_null(s.found);
    bf_target_close(t);
}
END_TEST

/* Page file on D:, nothing on disk: the reasons say why. */
START_TEST(find_pagefile_on_d)
{
    sysdef def = {.select = 1, .sets = {1}, .crash_enabled = 2,
                  .paging = {"D:\\pagefile.sys 0 0"}};
    make_volume(&def);
    bf_target *t = open_vol();
    bf_dump_search s;
    bf_error err;
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s", err.msg);
    print_reasons(&s);
    ck_assert_uint_eq(s.nfound, 0);
    ck_assert_int_eq(s.crash_dump_enabled, 2);
    ck_assert_str_eq(s.paging_files[0], "D:\\pagefile.sys 0 0");
    ck_assert(has_reason(&s, "the page file D:\\pagefile.sys is on drive D:"));
    ck_assert(has_reason(&s, "temporary disk"));
    ck_assert(has_reason(&s, "%SystemRoot%\\MEMORY.DMP does not exist"));
    ck_assert(has_reason(&s, "no crash dump was found"));
    ck_assert(has_reason(&s, "bootfix enable-dump"));
    ck_assert(has_reason(&s, "NMI"));
    ck_assert(!has_reason(&s, "disabled"));
    ck_assert(!has_reason(&s, "no page file is configured"));
    bf_dump_search_free(&s);
    bf_target_close(t);
}
END_TEST

START_TEST(find_disabled_no_pagefile)
{
    sysdef def = {.select = 1, .sets = {1}, .crash_enabled = 0};
    make_volume(&def);
    bf_target *t = open_vol();
    bf_dump_search s;
    bf_error err;
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s", err.msg);
    print_reasons(&s);
    ck_assert_int_eq(s.crash_dump_enabled, 0);
    ck_assert_uint_eq(s.npaging_files, 0);
    ck_assert(has_reason(&s, "dumps are disabled: CrashDumpEnabled is 0"));
    ck_assert(has_reason(&s, "no page file is configured"));
    ck_assert(has_reason(&s, "no crash dump was found"));
    bf_dump_search_free(&s);
    bf_target_close(t);
}
END_TEST

/* No CrashControl key; Select\Current names a missing set; a page file
 * without a dump; a DedicatedDumpFile that holds a dump. */
START_TEST(find_fallbacks)
{
    sysdef def = {.select = 3, .sets = {2, 1}, .crash_enabled = -2,
                  .paging = {"C:\\pagefile.sys"}};
    make_volume(&def);
    uint8_t zeros[4096] = {0};
    test_put_file(tpath("vol/pagefile.sys"), zeros, sizeof zeros);
    bf_target *t = open_vol();
    bf_dump_search s;
    bf_error err;
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s", err.msg);
    print_reasons(&s);
    ck_assert_str_eq(s.control_set, "ControlSet001");
    ck_assert_int_eq(s.crash_dump_enabled, -1);
    ck_assert(has_reason(&s, "Select\\Current names ControlSet003, which does not exist"));
    ck_assert(has_reason(&s, "CrashDumpEnabled is not set"));
    ck_assert_uint_eq(s.nfound, 0); /* the page file holds no dump */
    bf_dump_search_free(&s);
    bf_target_close(t);
}
END_TEST

START_TEST(find_dedicated)
{
    sysdef def = {.select = 1, .sets = {1}, .crash_enabled = 1,
                  .dump_file = "C:\\dumps\\full.dmp", .dedicated = "C:\\dd.sys"};
    make_volume(&def);
    test_mkdirs(g_tmp, "vol/dumps");
    write_dump("vol/DD.SYS", 64, 0x124, 0x2000, 0x2000);
    bf_target *t = open_vol();
    bf_dump_search s;
    bf_error err;
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s", err.msg);
    print_reasons(&s);
    ck_assert_str_eq(s.dump_file, "C:\\dumps\\full.dmp");
    ck_assert_str_eq(s.dedicated_dump_file, "C:\\dd.sys");
    ck_assert_uint_eq(s.nfound, 1);
    ck_assert_int_eq(s.found[0].source, BF_DUMP_SRC_DEDICATED);
    ck_assert_str_eq(s.found[0].info.bugcheck_name, "WHEA_UNCORRECTABLE_ERROR");
    ck_assert(has_reason(&s, "C:\\dumps\\full.dmp does not exist"));
    ck_assert(!has_reason(&s, "no page file is configured")); /* the dedicated file counts */
    bf_dump_search_free(&s);
    bf_target_close(t);
}
END_TEST

START_TEST(find_no_system)
{
    bf_target t;
    bf_dump_search s;
    bf_error err;
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(bf_dump_find(&t, &s, &err), BF_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "SYSTEM"));
    ck_assert_uint_eq(s.nfound, 0);
}
END_TEST

/* Real SYSTEM hives of the corpus: Windows 7 (two control sets), Windows
 * 10, a dirty one whose logs must be replayed (copied with its logs), and
 * the same without its logs: read from the primary file, with a reason. */
static const char *const corpus_systems[][3] = {
    {"hives/regipy/regipy_tests/data/SYSTEM", NULL, NULL},
    {"hives/dissect.regf/tests/_data/SYSTEM", NULL, NULL},
    {"hives/regipy/regipy_tests/data/SYSTEM_B", "hives/regipy/regipy_tests/data/SYSTEM_B.LOG1",
     "hives/regipy/regipy_tests/data/SYSTEM_B.LOG2"},
    {"hives/regipy/regipy_tests/data/SYSTEM_B", NULL, NULL}, /* dirty, logs missing */
};

static void copy_corpus(const char *rel, const char *dest)
{
    char *src = corpus_path(rel);
    size_t len;
    ck_assert_msg(src != NULL, "%s missing from the corpus", rel);
    uint8_t *b = test_slurp(src, &len);
    ck_assert_ptr_nonnull(b);
    test_put_file(tpath(dest), b, len);
    free(b);
    free(src);
}

START_TEST(find_corpus_system)
{
    char *probe = corpus_path(corpus_systems[_i][0]);
    if (!probe) {
        corpus_skip_note("find-dump on a real SYSTEM hive");
        return;
    }
    free(probe);
    test_mkdirs(g_tmp, "vol/Windows/System32/config");
    copy_corpus(corpus_systems[_i][0], "vol/Windows/System32/config/SYSTEM");
    if (corpus_systems[_i][1]) {
        copy_corpus(corpus_systems[_i][1], "vol/Windows/System32/config/SYSTEM.LOG1");
        copy_corpus(corpus_systems[_i][2], "vol/Windows/System32/config/SYSTEM.LOG2");
    }
    bf_target *t = open_vol();
    bf_dump_search s;
    bf_error err;
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s: %s", corpus_systems[_i][0], err.msg);
    fprintf(stderr, "%s: %s, CrashDumpEnabled %d\n", corpus_systems[_i][0], s.control_set,
            s.crash_dump_enabled);
    print_reasons(&s);
    ck_assert_ptr_nonnull(s.control_set);
    ck_assert_int_eq(strncmp(s.control_set, "ControlSet00", 12), 0);
    ck_assert(!has_reason(&s, "Select\\Current")); /* real hives have a valid Select */
    if (_i == 3)
        ck_assert(has_reason(&s, "the SYSTEM hive is dirty and its logs cannot be replayed"));
    else
        ck_assert(!has_reason(&s, "dirty")); /* clean, or logs replayed */
    ck_assert_uint_eq(s.nfound, 0);
    ck_assert(has_reason(&s, "no crash dump was found"));
    bf_dump_search_free(&s);
    bf_target_close(t);
}
END_TEST

/* ---- 4. extraction --------------------------------------------------------------------------------- */

typedef struct progress {
    int calls;
    uint64_t last_done, last_total;
    int monotonic;
} progress;

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    if (p->calls && done < p->last_done)
        p->monotonic = 0;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

START_TEST(extract_files)
{
    bf_target *t = full_volume();
    /* a dump larger than two copy buffers */
    write_dump("vol/Windows/memory.dmp", 64, 0x5A, 2621440 + 123, 2621440 + 123);
    bf_dump_search s;
    bf_error err;
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s", err.msg);
    ck_assert_uint_eq(s.nfound, 4);
    char *out = NULL;
    progress p = {0, 0, 0, 1};
    const char *dir = tpath("out/sub");
    ck_assert_msg(bf_dump_extract(&s.found[0], dir, on_progress, &p, &out, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_str_eq(base(out), "memory.dmp");
    ck_assert_int_eq(p.calls, 3);
    ck_assert(p.monotonic);
    ck_assert_uint_eq(p.last_done, 2621440 + 123);
    ck_assert_uint_eq(p.last_total, 2621440 + 123);
    size_t la, lb;
    uint8_t *a = test_slurp(s.found[0].path, &la), *b = test_slurp(out, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert(memcmp(a, b, la) == 0);
    free(a);
    free(b);
    free(out);

    /* the page file: dump_bytes of it, as pagefile-MEMORY.DMP */
    p = (progress){0, 0, 0, 1};
    ck_assert_msg(bf_dump_extract(&s.found[3], dir, on_progress, &p, &out, &err) == BF_OK, "%s",
                  err.msg);
    ck_assert_str_eq(base(out), "pagefile-MEMORY.DMP");
    ck_assert_int_eq(p.calls, 1);
    a = test_slurp(s.found[3].path, &la);
    b = test_slurp(out, &lb);
    ck_assert_uint_eq(lb, 0x5000);
    ck_assert(memcmp(a, b, lb) == 0);
    free(a);
    free(b);
    free(out);
    ck_assert_uint_eq(count_entries(dir), 2);

    /* never overwrites: the copy there stays as it is */
    struct stat st0, st1;
    ck_assert_int_eq(stat(tpath("out/sub/pagefile-MEMORY.DMP"), &st0), 0);
    out = (char *)"sentinel";
    ck_assert_int_eq(bf_dump_extract(&s.found[3], dir, NULL, NULL, &out, &err), BF_ERR_EXISTS);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(err.msg, "pagefile-MEMORY.DMP") && strstr(err.msg, "already exists"), "%s",
                  err.msg);
    ck_assert_int_eq(stat(tpath("out/sub/pagefile-MEMORY.DMP"), &st1), 0);
    ck_assert_uint_eq(st0.st_size, st1.st_size);
    ck_assert_uint_eq(count_entries(dir), 2);

    /* a source shorter than the dump: an error, nothing left behind */
    bf_dump_found f = s.found[1];
    f.dump_bytes = f.size + 4096;
    ck_assert_int_eq(bf_dump_extract(&f, dir, NULL, NULL, NULL, &err), BF_ERR_IO);
    ck_assert_msg(strstr(err.msg, "ended at"), "%s", err.msg);
    ck_assert_uint_eq(count_entries(dir), 2);

    /* a directory path that is a file */
    ck_assert_int_eq(bf_dump_extract(&s.found[1], tpath("out/sub/pagefile-MEMORY.DMP"), NULL, NULL,
                                     NULL, &err), BF_ERR_EXISTS);
    ck_assert_int_eq(bf_dump_extract(NULL, dir, NULL, NULL, NULL, &err), BF_ERR_INVALID);
    bf_dump_search_free(&s);
    bf_target_close(t);
}
END_TEST

/* ---- 5. fault injection (lib/io/io.h) -------------------------------------------------------------- */

static const int inject_errnos[] = {ENOSPC, EIO, EACCES, EROFS};

/* The size of the dump the fault-injection tests copy: three copy buffers. */
#define FI_DUMP_BYTES (2621440 + 123)


/* What a failed extraction into `dir` (under `parent`) may leave: nothing
 * but empty created directories, or the complete copy `name` when the
 * failure came after it got its name (and then the message says it was
 * written).  Returns 1 when the complete copy is there. */
static int assert_nothing_partial(const char *parent, const char *dir, const char *name,
                                  const uint8_t *want, size_t wlen, const char *msg)
{
    size_t n = count_entries(parent);
    ck_assert_msg(n <= 1, "%s: %zu entries after a failed extraction (%s)", parent, n, msg);
    n = count_entries(dir);
    if (n == 0)
        return 0;
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    uint8_t *got = test_slurp(path, &len);
    ck_assert_msg(n == 1 && got, "%s: %zu entries, not only %s, after: %s", dir, n, name, msg);
    ck_assert_msg(len == wlen && memcmp(got, want, wlen) == 0,
                  "%s is left incomplete (%zu of %zu bytes) after: %s", path, len, wlen, msg);
    ck_assert_msg(strstr(msg, "written"), "the copy is complete but the message does not say "
                  "so: %s", msg);
    free(got);
    return 1;
}

/* A found MEMORY.DMP of FI_DUMP_BYTES; its bytes into *src. */
static bf_target *fi_volume(bf_dump_search *s, uint8_t **src, size_t *slen)
{
    bf_error err;
    bf_target *t = full_volume();
    write_dump("vol/Windows/memory.dmp", 64, 0x5A, FI_DUMP_BYTES, FI_DUMP_BYTES);
    ck_assert_msg(bf_dump_find(t, s, &err) == BF_OK, "%s", err.msg);
    ck_assert_str_eq(base(s->found[0].path), "memory.dmp");
    *src = test_slurp(s->found[0].path, slen);
    ck_assert_ptr_nonnull(*src);
    ck_assert_uint_eq(*slen, FI_DUMP_BYTES);
    test_mkdirs(g_tmp, "fi");
    return t;
}

/* Extract found[0] into fi/TAG/out (two directories to create); the
 * directory and its parent through *dir, *parent. */
static int fi_extract(const bf_dump_found *f, const char *tag, const char **parent,
                      const char **dir, char **out, bf_error *err)
{
    char rel[64];
    snprintf(rel, sizeof rel, "fi/%s", tag);
    *parent = tpath(rel);
    snprintf(rel, sizeof rel, "fi/%s/out", tag);
    *dir = tpath(rel);
    *out = NULL;
    return bf_dump_extract(f, *dir, NULL, NULL, out, err);
}

/* Every I/O operation of an extraction fails in turn, with each errno: an
 * error naming the file and the system's text for it, and no partial or
 * temporary file left (or, past the point of no return, the whole copy). */
START_TEST(extract_io_faults)
{
    bf_dump_search s;
    bf_error err;
    uint8_t *src;
    size_t slen;
    const char *parent, *dir;
    char *out, tag[32];
    bf_target *t = fi_volume(&s, &src, &slen);
    const char *sp = s.found[0].path;

    bf_io_fail_at(0, 0);
    ck_assert_msg(fi_extract(&s.found[0], "count", &parent, &dir, &out, &err) == BF_OK, "%s",
                  err.msg);
    unsigned long ops = bf_io_fail_at(0, 0);
    free(out);
    /* mkdir and its folder flush twice, open, create, 3 x (read, write),
     * flush, link, directory flush */
    ck_assert_uint_ge(ops, 13);
    unsigned long points = 0, complete = 0;
    for (unsigned long n = 1; n <= ops; n++) {
        for (size_t k = 0; k < sizeof inject_errnos / sizeof *inject_errnos; k++) {
            int e = inject_errnos[k];
            snprintf(tag, sizeof tag, "%lu-%d", n, e);
            bf_io_fail_at(n, e);
            int rc = fi_extract(&s.found[0], tag, &parent, &dir, &out, &err);
            unsigned long ran = bf_io_fail_at(0, 0);
            ck_assert_msg(ran >= n, "op %lu: only %lu ran", n, ran);
            ck_assert_msg(rc != BF_OK, "op %lu failing with %s went unnoticed", n, strerror(e));
            ck_assert_ptr_null(out);
            ck_assert_msg(strstr(err.msg, strerror(e)), "op %lu (%s): %s", n, strerror(e),
                          err.msg);
            ck_assert_msg(strstr(err.msg, sp) || strstr(err.msg, parent),
                          "op %lu: the message names no file: %s", n, err.msg);
            complete += (unsigned long)assert_nothing_partial(parent, dir, "memory.dmp", src,
                                                              slen, err.msg);
            points++;
        }
    }
    /* only the last operation (the directory flush) is past the point of no return */
    ck_assert_uint_eq(complete, sizeof inject_errnos / sizeof *inject_errnos);
    fprintf(stderr, "extract_io_faults: %lu operations, %lu injections, %lu after the copy "
            "was complete\n", ops, points, complete);
    free(src);
    bf_dump_search_free(&s);
    bf_target_close(t);
}
END_TEST

/* Every allocation of an extraction fails in turn: "out of memory", the
 * file named, nothing partial left. */
START_TEST(extract_alloc_faults)
{
    bf_dump_search s;
    bf_error err;
    uint8_t *src;
    size_t slen;
    const char *parent, *dir;
    char *out, tag[32];
    bf_target *t = fi_volume(&s, &src, &slen);
    const char *sp = s.found[0].path;

    bf_io_fail_alloc_at(0);
    ck_assert_msg(fi_extract(&s.found[0], "count", &parent, &dir, &out, &err) == BF_OK, "%s",
                  err.msg);
    unsigned long allocs = bf_io_fail_alloc_at(0);
    free(out);
    ck_assert_uint_ge(allocs, 5); /* 2 paths, 2 handles, the buffer */
    unsigned long complete = 0;
    for (unsigned long n = 1; n <= allocs; n++) {
        snprintf(tag, sizeof tag, "m%lu", n);
        bf_io_fail_alloc_at(n);
        int rc = fi_extract(&s.found[0], tag, &parent, &dir, &out, &err);
        unsigned long ran = bf_io_fail_alloc_at(0);
        ck_assert_msg(ran >= n, "allocation %lu: only %lu ran", n, ran);
        ck_assert_msg(rc == BF_ERR_NOMEM, "allocation %lu: %d %s", n, rc, err.msg);
        ck_assert_ptr_null(out);
        ck_assert_msg(strstr(err.msg, "out of memory"), "allocation %lu: %s", n, err.msg);
        ck_assert_msg(strstr(err.msg, sp) || strstr(err.msg, parent),
                      "allocation %lu: the message names no file: %s", n, err.msg);
        complete += (unsigned long)assert_nothing_partial(parent, dir, "memory.dmp", src, slen,
                                                          err.msg);
    }
    fprintf(stderr, "extract_alloc_faults: %lu allocations, each failed once, %lu after the "
            "copy was complete\n", allocs, complete);
    free(src);
    bf_dump_search_free(&s);
    bf_target_close(t);
}
END_TEST

/* The names of the four dumps of full_volume(). */
static const char *const fi_dumps[] = {"memory.dmp", "a.DMP", "b.dmp", "pagefile.sys"};

static int found_named(const bf_dump_search *s, const char *name)
{
    for (size_t i = 0; i < s->nfound; i++)
        if (strcmp(base(s->found[i].path), name) == 0)
            return 1;
    return 0;
}

/* A reason naming `name` and saying `why`. */
static int reason_with(const bf_dump_search *s, const char *name, const char *why)
{
    for (size_t i = 0; i < s->nreasons; i++)
        if (strstr(s->reasons[i], name) && strstr(s->reasons[i], why))
            return 1;
    return 0;
}

/* Every I/O operation of bf_dump_find fails in turn (reading the SYSTEM
 * hive, probing each dump and the page file): either find fails naming the
 * file, or each dump it could not read has a reason naming it with the
 * system's text; never a silent "no dump". */
START_TEST(find_io_faults)
{
    bf_target *t = full_volume();
    bf_dump_search s;
    bf_error err;
    bf_io_fail_at(0, 0);
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s", err.msg);
    unsigned long ops = bf_io_fail_at(0, 0);
    ck_assert_uint_eq(s.nfound, 4);
    bf_dump_search_free(&s);
    ck_assert_uint_ge(ops, 6); /* SYSTEM, MEMORY.DMP, 3 minidumps, the page file */
    unsigned long points = 0, failed = 0, lost = 0;
    for (unsigned long n = 1; n <= ops; n++) {
        for (size_t k = 0; k < sizeof inject_errnos / sizeof *inject_errnos; k++) {
            int e = inject_errnos[k];
            const char *why = strerror(e);
            bf_io_fail_at(n, e);
            int rc = bf_dump_find(t, &s, &err);
            unsigned long ran = bf_io_fail_at(0, 0);
            ck_assert_msg(ran >= n, "op %lu: only %lu ran", n, ran);
            points++;
            if (rc != BF_OK) {
                ck_assert_msg(strstr(err.msg, why) && strstr(err.msg, g_tmp),
                              "op %lu (%s): %s", n, why, err.msg);
                ck_assert_uint_eq(s.nfound, 0);
                failed++;
                continue;
            }
            int said = 0;
            for (size_t i = 0; i < s.nreasons; i++)
                said += strstr(s.reasons[i], why) && strstr(s.reasons[i], g_tmp);
            if (!said)
                print_reasons(&s);
            ck_assert_msg(said == 1, "op %lu failing with %s: %d reasons say so", n, why, said);
            for (size_t d = 0; d < sizeof fi_dumps / sizeof *fi_dumps; d++) {
                if (found_named(&s, fi_dumps[d]))
                    continue;
                ck_assert_msg(reason_with(&s, fi_dumps[d], why), "op %lu: %s is neither found "
                              "nor said to be unreadable", n, fi_dumps[d]);
                lost++;
            }
            ck_assert(!has_reason(&s, "no crash dump was found"));
            bf_dump_search_free(&s);
        }
    }
    fprintf(stderr, "find_io_faults: %lu operations, %lu injections: %lu failed the search, "
            "%lu lost one dump with a reason\n", ops, points, failed, lost);
    bf_target_close(t);
}
END_TEST

/* Every allocation of bf_dump_find fails in turn: out of memory, no leak
 * (LeakSanitizer), nothing half-filled. */
START_TEST(find_alloc_faults)
{
    bf_target *t = full_volume();
    bf_dump_search s;
    bf_error err;
    bf_io_fail_alloc_at(0);
    ck_assert_msg(bf_dump_find(t, &s, &err) == BF_OK, "%s", err.msg);
    unsigned long allocs = bf_io_fail_alloc_at(0);
    bf_dump_search_free(&s);
    unsigned long unnoticed = 0, lost = 0;
    for (unsigned long n = 1; n <= allocs; n++) {
        bf_io_fail_alloc_at(n);
        int rc = bf_dump_find(t, &s, &err);
        unsigned long ran = bf_io_fail_alloc_at(0);
        ck_assert_msg(ran >= n, "allocation %lu: only %lu ran", n, ran);
        if (rc == BF_OK) {
            /* Known: a few callers take a failed allocation for "absent" and
             * go on with less (bf_logs_find, bf_hive_refresh_info, and
             * bf_node_child/bf_node_lookup results in find.c's
             * pick_control_set and read_settings); counted, not failed,
             * until they pass BF_ERR_NOMEM on.  What is found must still be
             * real. */
            for (size_t i = 0; i < s.nfound; i++) {
                size_t d = 0;
                while (d < 4 && strcmp(base(s.found[i].path), fi_dumps[d]) != 0)
                    d++;
                ck_assert_msg(d < 4 && s.found[i].size > 0, "allocation %lu: found %s", n,
                              s.found[i].path);
            }
            unnoticed++;
            lost += 4 - s.nfound;
            bf_dump_search_free(&s);
            continue;
        }
        /* the hive layer reports a failed read buffer as an I/O error with
         * the system's text for ENOMEM */
        ck_assert_msg(rc == BF_ERR_NOMEM ? strstr(err.msg, "out of memory") != NULL
                                         : strstr(err.msg, strerror(ENOMEM)) != NULL,
                      "allocation %lu: %d %s", n, rc, err.msg);
        ck_assert_uint_eq(s.nfound, 0);
        ck_assert_ptr_null(s.reasons);
    }
    fprintf(stderr, "find_alloc_faults: %lu allocations, each failed once; %lu went unnoticed, "
            "%lu dumps lost by them\n", allocs, unnoticed, lost);
    bf_target_close(t);
}
END_TEST

static Suite *dump_suite(void)
{
    Suite *s = suite_create("dump");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, decode_64_every_field);
    tcase_add_test(tc, decode_32_every_field);
    tcase_add_test(tc, decode_dump_type_names);
    tcase_add_test(tc, decode_page_fields_unset);
    tcase_add_test(tc, decode_every_truncation);
    tcase_add_test(tc, decode_user_minidump);
    tcase_add_test(tc, decode_not_a_dump);
    tcase_add_test(tc, decode_random_bytes);
    tcase_add_test(tc, decode_bitmap_header);
    tcase_add_test(tc, param_notes);
    tcase_add_test(tc, bugcheck_names);
    tcase_add_test(tc, ntstatus_names);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("find");
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_add_test(tc, find_everything);
    tcase_add_test(tc, find_pagefile_on_d);
    tcase_add_test(tc, find_disabled_no_pagefile);
    tcase_add_test(tc, find_fallbacks);
    tcase_add_test(tc, find_dedicated);
    tcase_add_test(tc, find_no_system);
    tcase_add_loop_test(tc, find_corpus_system, 0,
                        (int)(sizeof corpus_systems / sizeof corpus_systems[0]));
    tcase_add_test(tc, extract_files);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("faults");
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_add_test(tc, extract_io_faults);
    tcase_add_test(tc, extract_alloc_faults);
    tcase_add_test(tc, find_io_faults);
    tcase_add_test(tc, find_alloc_faults);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return test_run_suite(dump_suite()); }
