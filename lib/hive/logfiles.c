/*
 * Find the transaction logs beside a primary hive file: <name>.LOG,
 * <name>.LOG1 and <name>.LOG2, matching the whole file name without regard to
 * ASCII case (Windows file names are case-insensitive, and copies made on
 * other systems keep whatever case they got, e.g. transactions_NTUSER.DAT
 * beside transactions_ntuser.dat.log1).  Empty files are returned too: an
 * empty log is normal and replay ignores it.
 */
#include "io/io.h"
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

static const char *const log_suffix[3] = {".LOG", ".LOG1", ".LOG2"};

/* a equals base followed by suffix, ignoring ASCII case */
static int name_matches(const char *a, const char *base, size_t blen, const char *suffix)
{
    size_t i;
    for (i = 0; i < blen; i++)
        if (!a[i] || tolower((unsigned char)a[i]) != tolower((unsigned char)base[i]))
            return 0;
    for (size_t j = 0; suffix[j]; j++, i++)
        if (!a[i] || tolower((unsigned char)a[i]) != tolower((unsigned char)suffix[j]))
            return 0;
    return a[i] == '\0';
}

/* Score of a candidate: an exact-case base name first, then the smallest name
 * (deterministic when a case-sensitive directory holds several variants). */
static int better(const char *cand, const char *cur, const char *base, size_t blen)
{
    if (!cur)
        return 1;
    int ce = strncmp(cand, base, blen) == 0, ue = strncmp(cur, base, blen) == 0;
    if (ce != ue)
        return ce;
    return strcmp(cand, cur) < 0;
}

int bf_logs_find(const char *path, char *paths[3])
{
    for (int i = 0; i < 3; i++)
        paths[i] = NULL;
    if (!path || !*path)
        return 0;

    size_t len = strlen(path), cut = len;
    while (cut > 0 && !bf_io_is_sep(path[cut - 1]))
        cut--;
    const char *base = path + cut; /* file name */
    size_t blen = len - cut;
    if (blen == 0)
        return 0;

    /* directory: the prefix up to and including the last separator, or "." */
    char *dir = bf_malloc(cut + 2);
    if (!dir)
        return ENOMEM;
    if (cut > 0) {
        memcpy(dir, path, cut);
        dir[cut] = '\0';
    } else {
        strcpy(dir, ".");
    }

    bf_io_dir *dh;
    int e = bf_io_dir_open(dir, &dh);
    if (e) {
        free(dir);
        return e == ENOMEM ? ENOMEM : 0; /* an unlistable folder: no logs */
    }
    char *best[3] = {NULL, NULL, NULL}; /* full paths */
    int oom = 0;
    const char *n;
    while ((n = bf_io_dir_next(dh)) != NULL) {
        size_t nlen = strlen(n);
        for (int i = 0; i < 3; i++) {
            if (!name_matches(n, base, blen, log_suffix[i]) ||
                (best[i] && !better(n, best[i] + cut, base, blen)))
                continue;
            char *full = bf_malloc(cut + nlen + 1);
            if (!full) {
                oom = 1;
                continue;
            }
            memcpy(full, path, cut);
            memcpy(full + cut, n, nlen + 1);
            bf_io_info in;
            /* only regular files (not a directory that happens to match) */
            if (bf_io_info_of(full, 1, &in) != 0 || in.kind != BF_IO_FILE) {
                free(full);
                continue;
            }
            free(best[i]);
            best[i] = full;
        }
    }
    bf_io_dir_close(dh);
    free(dir);
    if (oom) { /* a log that was not listed could hold the newest data */
        for (int i = 0; i < 3; i++)
            free(best[i]);
        return ENOMEM;
    }
    for (int i = 0; i < 3; i++)
        paths[i] = best[i];
    return 0;
}
