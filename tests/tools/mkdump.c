/*
 * mkdump.c — write a synthetic Windows kernel crash dump for the CLI tests.
 *
 *   mkdump OUT [--bits 64|32] [--bugcheck CODE] [--p1 V] [--p2 V] [--p3 V] [--p4 V]
 *              [--type N] [--time FILETIME] [--cpus N] [--machine M]
 *              [--major N] [--minor N] [--size BYTES] [--pagefile] [--file-size BYTES]
 *
 * The header (0x2000 bytes for 64-bit "PAGEDU64", 0x1000 for 32-bit
 * "PAGEDUMP") is first filled with the "PAGE" pattern, as Windows does for
 * fields it does not set; then only the fields given (and the signature and
 * the four bugcheck parameters, 0 unless given) are written.  --size is the
 * whole dump in bytes and is written to RequiredDumpSpace; the bytes after
 * the header follow a fixed pattern so a copy can be compared.  --pagefile
 * writes a page file holding that dump at offset 0, followed by other page
 * file bytes up to --file-size (default: twice the dump plus 12345 bytes).
 * DumpType 5/6 get an FDMP/SDMP bitmap header at 0x2000 when --size leaves
 * room for it (--no-bitmap omits it).  Numbers are decimal or 0x hex.
 * Offsets: ../../shared/reference/crash-dumps.md §1-§3.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int parse_num(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    *out = strtoull(s, &end, 0);
    return *end ? -1 : 0;
}

static int usage(const char *msg)
{
    fprintf(stderr, "mkdump: %s\nusage: mkdump OUT [--bits 64|32] [--bugcheck C] [--p1..--p4 V] "
                    "[--type N] [--time FT] [--cpus N] [--machine M] [--major N] [--minor N] "
                    "[--size BYTES] [--pagefile] [--file-size BYTES] [--no-bitmap]\n", msg);
    return 2;
}

/* Byte at offset `off` of the dump body / of the rest of the page file. */
static uint8_t body_byte(uint64_t off) { return (uint8_t)((off * 131u + (off >> 12) * 7u + 29u) & 0xFF); }
static uint8_t tail_byte(uint64_t off) { return (uint8_t)(0xA5 ^ (off & 0xFF)); }

struct opts {
    const char *out;
    int bits, pagefile, no_bitmap;
    uint64_t bugcheck, p[4], type, time, cpus, machine, major, minor, size, file_size;
    int set_type, set_time, set_cpus, set_machine, set_major, set_minor, set_size, set_bugcheck;
};

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const char *const names[] = {"--bugcheck", "--p1", "--p2", "--p3", "--p4", "--type",
                                        "--time", "--cpus", "--machine", "--major", "--minor",
                                        "--size", "--file-size", "--bits"};
    memset(o, 0, sizeof *o);
    o->bits = 64;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--pagefile") == 0) {
            o->pagefile = 1;
            continue;
        }
        if (strcmp(a, "--no-bitmap") == 0) {
            o->no_bitmap = 1;
            continue;
        }
        if (a[0] != '-') {
            if (o->out)
                return usage("more than one output file");
            o->out = a;
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof names / sizeof names[0]; k++)
            if (strcmp(a, names[k]) == 0)
                break;
        if (k == sizeof names / sizeof names[0])
            return usage("unknown option");
        uint64_t v;
        if (i + 1 >= argc || parse_num(argv[++i], &v))
            return usage("option needs a number");
        switch (k) {
        case 0: o->bugcheck = v; o->set_bugcheck = 1; break;
        case 1: case 2: case 3: case 4: o->p[k - 1] = v; break;
        case 5: o->type = v; o->set_type = 1; break;
        case 6: o->time = v; o->set_time = 1; break;
        case 7: o->cpus = v; o->set_cpus = 1; break;
        case 8: o->machine = v; o->set_machine = 1; break;
        case 9: o->major = v; o->set_major = 1; break;
        case 10: o->minor = v; o->set_minor = 1; break;
        case 11: o->size = v; o->set_size = 1; break;
        case 12: o->file_size = v; break;
        case 13:
            if (v != 64 && v != 32)
                return usage("--bits is 64 or 32");
            o->bits = (int)v;
            break;
        }
    }
    if (!o->out)
        return usage("no output file");
    return 0;
}

static void fill_header(uint8_t *h, size_t hsize, const struct opts *o)
{
    for (size_t i = 0; i + 4 <= hsize; i += 4)
        memcpy(h + i, "PAGE", 4);
    int b64 = o->bits == 64;
    memcpy(h, b64 ? "PAGEDU64" : "PAGEDUMP", 8);
    if (o->set_major)
        put32(h + 0x08, (uint32_t)o->major);
    if (o->set_minor)
        put32(h + 0x0C, (uint32_t)o->minor);
    if (o->set_machine)
        put32(h + (b64 ? 0x30 : 0x20), (uint32_t)o->machine);
    if (o->set_cpus)
        put32(h + (b64 ? 0x34 : 0x24), (uint32_t)o->cpus);
    if (o->set_bugcheck)
        put32(h + (b64 ? 0x38 : 0x28), (uint32_t)o->bugcheck);
    for (int i = 0; i < 4; i++) {
        if (b64)
            put64(h + 0x40 + 8 * i, o->p[i]);
        else
            put32(h + 0x2C + 4 * i, (uint32_t)o->p[i]);
    }
    if (o->set_type)
        put32(h + (b64 ? 0xF98 : 0xF88), (uint32_t)o->type);
    if (o->set_size)
        put64(h + 0xFA0, o->size);
    if (o->set_time)
        put64(h + (b64 ? 0xFA8 : 0xFC0), o->time);
}

int main(int argc, char **argv)
{
    struct opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    size_t hsize = o.bits == 64 ? 0x2000 : 0x1000;
    uint64_t size = o.set_size ? o.size : hsize;
    if (size < 8)
        return usage("--size must be at least 8");
    uint64_t fsize = size;
    if (o.pagefile)
        fsize = o.file_size ? o.file_size : 2 * size + 12345;
    if (fsize < size)
        return usage("--file-size is smaller than the dump");

    uint8_t *h = malloc(hsize);
    if (!h)
        return 1;
    fill_header(h, hsize, &o);
    FILE *f = fopen(o.out, "wb");
    if (!f) {
        perror(o.out);
        free(h);
        return 1;
    }
    /* the header (as much of it as --size holds), then the body */
    size_t first = size < hsize ? (size_t)size : hsize;
    int ok = fwrite(h, 1, first, f) == first;
    uint8_t bm[0x40];
    uint64_t off = first;
    if (ok && o.bits == 64 && (o.type == 5 || o.type == 6) && !o.no_bitmap && size >= hsize + 0x40) {
        memset(bm, 0, sizeof bm);
        memcpy(bm, o.type == 5 ? "FDMP" : "SDMP", 4);
        memcpy(bm + 4, "DUMP", 4);
        put64(bm + 0x20, hsize + 0x1000); /* FirstPage */
        ok = fwrite(bm, 1, sizeof bm, f) == sizeof bm;
        off += sizeof bm;
    }
    for (; ok && off < size; off++)
        ok = fputc(body_byte(off), f) != EOF;
    for (; ok && off < fsize; off++)
        ok = fputc(tail_byte(off), f) != EOF;
    if (fclose(f) != 0)
        ok = 0;
    free(h);
    if (!ok) {
        perror(o.out);
        return 1;
    }
    return 0;
}
