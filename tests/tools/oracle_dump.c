/*
 * tests/tools/oracle_dump.c — oracle_dump FILE: every key and value of a hive
 * as canonical sorted text, read with two independent readers (libregf and
 * hivex, through tests/common/oracle.h).  Shell tests diff these dumps.
 *
 * The two walks must agree (tree, names, types; data wherever libregf reads
 * it exactly, see oracle.h); otherwise the difference is printed on stderr
 * and the exit status is 1.  Output, one line per record, in the walks'
 * order (sorted, so equal hives give equal dumps whatever the cell layout):
 *
 *   K <path>                                  a key ("\" for the root)
 *   V <path>\t<name>\t<type>\t<hex data>      a value
 *
 * <path> is the key path from the root (names joined by '\', the root's own
 * name left out), <name> the value name ("" for the default value), <type>
 * REG_xxx for types 0-11 and 0xXXXXXXXX otherwise, <hex data> the stored
 * bytes in lowercase hex (hivex's, which are exact).  Bytes below 0x20 and
 * 0x7F in names are written as \xNN so a line cannot be split.
 *
 * Exit status: 0 dumped, 1 a reader failed or the readers disagree, 2 usage.
 */
#include "common/oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const TYPE_NAMES[] = {
    "REG_NONE",
    "REG_SZ",
    "REG_EXPAND_SZ",
    "REG_BINARY",
    "REG_DWORD",
    "REG_DWORD_BIG_ENDIAN",
    "REG_LINK",
    "REG_MULTI_SZ",
    "REG_RESOURCE_LIST",
    "REG_FULL_RESOURCE_DESCRIPTOR",
    "REG_RESOURCE_REQUIREMENTS_LIST",
    "REG_QWORD",
};

static void put_name(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
}

static void put_path(FILE *out, const char *path)
{
    if (path[0] == '\0')
        fputc('\\', out);
    else
        put_name(out, path);
}

static void put_type(FILE *out, uint32_t type)
{
    if (type < sizeof TYPE_NAMES / sizeof TYPE_NAMES[0])
        fputs(TYPE_NAMES[type], out);
    else
        fprintf(out, "0x%08x", (unsigned)type);
}

static void put_record(FILE *out, const oracle_rec *r)
{
    if (r->kind == ORACLE_KEY) {
        fputs("K ", out);
        put_path(out, r->path);
        fputc('\n', out);
        return;
    }
    fputs("V ", out);
    put_path(out, r->path);
    fputc('\t', out);
    put_name(out, r->name ? r->name : "");
    fputc('\t', out);
    put_type(out, r->type);
    fputc('\t', out);
    for (size_t i = 0; i < r->len; i++)
        fprintf(out, "%02x", r->data[i]);
    fputc('\n', out);
}

static oracle_walk *walk_or_complain(const char *what, oracle_walk *(*fn)(const char *, char *),
                                     const char *file)
{
    char err[ORACLE_ERRSZ] = "";
    oracle_walk *w = fn(file, err);
    if (!w)
        fprintf(stderr, "oracle_dump: %s cannot read %s: %s\n", what, file, err);
    return w;
}

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '\0' || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: oracle_dump HIVE-FILE\n");
        return 2;
    }
    const char *file = argv[1];
    oracle_walk *lr = walk_or_complain("libregf", oracle_walk_libregf, file);
    oracle_walk *hx = walk_or_complain("hivex", oracle_walk_hivex, file);
    int status = 1;
    if (lr && hx) {
        char diff[2048] = "";
        if (lr->corrupted)
            fprintf(stderr, "oracle_dump: libregf flags %s as corrupted\n", file);
        else if (oracle_compare(lr, hx, ORACLE_CMP_DATA, diff, sizeof diff) != 0)
            fprintf(stderr, "oracle_dump: libregf and hivex disagree on %s: %s\n", file, diff);
        else
            status = 0;
    }
    if (status == 0) {
        for (size_t i = 0; i < hx->n; i++)
            put_record(stdout, &hx->recs[i]);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            perror("oracle_dump: stdout");
            status = 1;
        }
    }
    oracle_walk_free(lr);
    oracle_walk_free(hx);
    return status;
}
