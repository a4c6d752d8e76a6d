/* Whole-file helpers shared by the tests. */
#include "common/files.h"

#include <check.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint8_t *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

void test_put_file(const char *path, const uint8_t *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(b, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void rm_tree(const char *path, int depth)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    char p[4096];

    if (depth > 64 || lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    chmod(path, 0755);
    d = opendir(path);
    while (d && (de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", path, de->d_name);
        rm_tree(p, depth + 1);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

void test_rm_tree(const char *path) { rm_tree(path, 0); }

void test_mkdirs(const char *base, const char *rel)
{
    char p[4096];
    size_t i;
    snprintf(p, sizeof p, "%s/%s", base, rel);
    for (i = strlen(base) + 1; i < strlen(p); i++)
        if (p[i] == '/') {
            p[i] = '\0';
            mkdir(p, 0755);
            p[i] = '/';
        }
    mkdir(p, 0755);
}

int test_file_equals(const char *path, const uint8_t *b, size_t len)
{
    size_t l;
    uint8_t *d = test_slurp(path, &l);
    int same = d && l == len && memcmp(d, b, len) == 0;
    free(d);
    return same;
}
