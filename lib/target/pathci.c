/*
 * Case-insensitive paths on a Windows volume, and Windows paths (as the
 * broken system wrote them in its registry) mapped onto the target.
 *
 * An NTFS volume mounted on Linux is case-sensitive; Windows is not.  Every
 * component is therefore looked up ignoring case, the way NTFS compares
 * names: UTF-16 code units through the uppercase table (bf_upcase).  When
 * several entries match, the one spelled exactly as asked wins, else the
 * first in byte order, so the answer never depends on readdir order.
 */
#include "io/io.h"
#include "target/internal.h"
#include "hive/internal.h"
#include "hive/regfile_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next character of a name, folded: an uppercase UTF-16 unit, a code
 * point above the BMP as it is (NTFS upcases units, surrogates map to
 * themselves), or an invalid byte as a value no character has. */
static uint32_t fold_next(const char *s, size_t n, size_t *i)
{
    size_t at = *i;
    int32_t cp = rf_utf8_next((const uint8_t *)s, n, i);
    if (cp < 0)
        return 0x110000u + (uint8_t)s[at];
    if (cp < 0x10000)
        return bf_upcase((uint16_t)cp);
    return (uint32_t)cp;
}

int tg_name_eq_ci(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), i = 0, j = 0;
    while (i < na && j < nb) {
        if (fold_next(a, na, &i) != fold_next(b, nb, &j))
            return 0;
    }
    return i == na && j == nb;
}

static int is_sep(char c) { return c == '/' || c == '\\'; }

static int is_drive_prefix(const char *s)
{
    return isalpha((unsigned char)s[0]) && s[1] == ':';
}

/* Find one component `comp` in directory `cur`: the exact spelling if it
 * exists, else the byte-wise smallest entry equal ignoring case.  *name is
 * malloc'd.  1 found, 0 missing, or a negative error. */
static int find_component(const char *cur, const char *comp, char **name, bf_error *err)
{
    char *exact = bf_io_path_join(cur, comp);
    if (!exact)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory looking for %s in %s", comp, cur);
    bf_io_info in;
    /* where the system ignores case itself, the exact lookup would succeed
       for any spelling: the listing gives the name as it is on the volume */
    int have = !bf_io_names_ignore_case() && bf_io_info_of(exact, 0, &in) == 0;
    free(exact);
    if (have) {
        *name = bf_strdup(comp);
        return *name ? 1 : bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    bf_io_dir *d;
    int e = bf_io_dir_open(cur, &d);
    if (e) {
        if (e == ENOENT || e == ENOTDIR)
            return 0;
        if (e == ENOMEM)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory listing %s", cur);
        return bf_fail_sys(err, e, "cannot list %s (looking for \"%s\")", cur, comp);
    }
    char *best = NULL;
    const char *dname;
    while ((dname = bf_io_dir_next(d)) != NULL) {
        if (!tg_name_eq_ci(dname, comp))
            continue;
        if (best && strcmp(dname, best) >= 0)
            continue;
        char *c = bf_strdup(dname);
        if (!c) {
            free(best);
            bf_io_dir_close(d);
            return bf_fail(err, BF_ERR_NOMEM, "out of memory listing %s", cur);
        }
        free(best);
        best = c;
    }
    bf_io_dir_close(d);
    *name = best;
    return best ? 1 : 0;
}

/* Refuse what could leave `dir`: absolute paths, drive letters, "." and "..". */
static int check_relative(const char *rel, bf_error *err)
{
    if (is_sep(rel[0]))
        return bf_fail(err, BF_ERR_INVALID,
                       "path \"%s\" is absolute: expected a path relative to the volume", rel);
    if (is_drive_prefix(rel))
        return bf_fail(err, BF_ERR_INVALID,
                       "path \"%s\" starts with a drive letter: expected a path relative to "
                       "the volume", rel);
    const char *p = rel;
    while (*p) {
        while (is_sep(*p))
            p++;
        size_t len = strcspn(p, "/\\");
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return bf_fail(err, BF_ERR_INVALID,
                           "path \"%s\" has a \"%.*s\" component: refused, it could leave "
                           "the volume", rel, (int)len, p);
        p += len;
    }
    return BF_OK;
}

static int not_found(bf_error *err, const char *dir, const char *rel, const char *cur,
                     const char *comp)
{
    return bf_fail(err, BF_ERR_NOT_FOUND, "%s not found under %s: no \"%s\" (in any case) in %s",
                   rel, dir, comp, cur);
}

int bf_path_find_ci(const char *dir, const char *rel, char **out, bf_error *err)
{
    if (!dir || !rel || !out)
        return bf_fail(err, BF_ERR_INVALID, "bf_path_find_ci: NULL argument");
    *out = NULL;
    int rc = check_relative(rel, err);
    if (rc != BF_OK)
        return rc;
    char *cur = bf_strdup(dir);
    char *comp = bf_malloc(strlen(rel) + 1);
    if (!cur || !comp) {
        free(cur);
        free(comp);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory looking for %s", rel);
    }
    const char *p = rel;
    rc = BF_OK;
    while (*p) {
        while (is_sep(*p))
            p++;
        size_t len = strcspn(p, "/\\");
        if (len == 0)
            break;
        memcpy(comp, p, len);
        comp[len] = '\0';
        p += len;
        char *name = NULL;
        int found = find_component(cur, comp, &name, err);
        if (found < 0) {
            rc = found;
            break;
        }
        if (!found) {
            rc = not_found(err, dir, rel, cur, comp);
            break;
        }
        char *next = bf_io_path_join(cur, name);
        free(name);
        if (!next) {
            rc = bf_fail(err, BF_ERR_NOMEM, "out of memory looking for %s", rel);
            break;
        }
        free(cur);
        cur = next;
        while (is_sep(*p))
            p++;
        if (*p && !bf_io_is_dir(cur)) {
            rc = bf_fail(err, BF_ERR_NOT_FOUND, "%s not found under %s: %s is not a directory",
                         rel, dir, cur);
            break;
        }
    }
    free(comp);
    if (rc != BF_OK) {
        free(cur);
        return rc;
    }
    *out = cur;
    return BF_OK;
}

int tg_find_file_ci(const char *dir, const char *rel, char **out, bf_error *err)
{
    char *p = NULL;
    bf_error e;
    int rc = bf_path_find_ci(dir, rel, &p, &e);
    if (rc == BF_ERR_NOT_FOUND)
        return 0;
    if (rc != BF_OK) {
        if (err)
            *err = e;
        return rc;
    }
    bf_io_info in;
    if (bf_io_info_of(p, 1, &in) != 0 || in.kind != BF_IO_FILE) {
        free(p);
        return 0;
    }
    *out = p;
    return 1;
}

/* ---- Windows paths ----------------------------------------------------------------------- */

/* `s` starts with `prefix` ignoring ASCII case. */
static int has_prefix_ci(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < n; i++)
        if (!s[i] || tolower((unsigned char)s[i]) != tolower((unsigned char)prefix[i]))
            return 0;
    return 1;
}

/* A "%VAR%" at the start of `w`: the folder it stands for, and *rest after it. */
static int expand_variable(const bf_target *t, const char *w, const char **base, const char **rest,
                           bf_error *err)
{
    const char *end = strchr(w + 1, '%');
    if (!end)
        return bf_fail(err, BF_ERR_INVALID, "%s: unterminated environment variable", w);
    size_t len = (size_t)(end - w) + 1;
    if (len == 12 && has_prefix_ci(w, "%SystemRoot%"))
        *base = t->windows_dir;
    else if (len == 8 && has_prefix_ci(w, "%windir%"))
        *base = t->windows_dir;
    else if (len == 13 && has_prefix_ci(w, "%SystemDrive%"))
        *base = t->root;
    else
        return bf_fail(err, BF_ERR_UNSUPPORTED,
                       "%s: environment variable %.*s has no meaning offline (only "
                       "%%SystemRoot%%, %%windir%% and %%SystemDrive%% are known)",
                       w, (int)len, w);
    *rest = end + 1;
    if (**rest && !is_sep(**rest))
        return bf_fail(err, BF_ERR_INVALID, "%s: expected a separator after %.*s", w, (int)len, w);
    return BF_OK;
}

static int other_drive(const bf_target *t, const char *winpath, char letter, bf_error *err)
{
    char up = (char)toupper((unsigned char)letter);
    return bf_fail(err, BF_ERR_UNSUPPORTED,
                   "%s is on drive %c:, not on the system drive %c: of this target (on Azure, D: "
                   "is the temporary disk: it is not part of the OS disk and its content is lost "
                   "when the VM is deallocated)",
                   winpath, up, t->system_drive ? t->system_drive : 'C');
}

/* Split a Windows path into the folder of the target it starts from and
 * the part relative to it. */
static int split_winpath(const bf_target *t, const char *winpath, const char **base,
                         const char **rest, bf_error *err)
{
    const char *w = winpath;
    if (w[0] == '%')
        return expand_variable(t, w, base, rest, err);
    if (has_prefix_ci(w, "\\??\\") || has_prefix_ci(w, "\\\\?\\") || has_prefix_ci(w, "\\\\.\\")) {
        w += 4;
        if (!is_drive_prefix(w))
            return bf_fail(err, BF_ERR_UNSUPPORTED,
                           "%s: only paths on a drive letter can be mapped onto the target",
                           winpath);
    }
    if (is_drive_prefix(w)) {
        char sys = t->system_drive ? t->system_drive : 'C';
        if (toupper((unsigned char)w[0]) != toupper((unsigned char)sys))
            return other_drive(t, winpath, w[0], err);
        *base = t->root;
        *rest = w + 2;
        return BF_OK;
    }
    if (has_prefix_ci(w, "\\SystemRoot") && (w[11] == '\0' || is_sep(w[11]))) {
        *base = t->windows_dir;
        *rest = w + 11;
        return BF_OK;
    }
    if (is_sep(w[0]) && is_sep(w[1]))
        return bf_fail(err, BF_ERR_UNSUPPORTED,
                       "%s is a network path: it cannot be mapped onto the target", winpath);
    if (is_sep(w[0])) { /* rooted on the drive Windows ran from */
        *base = t->root;
        *rest = w;
        return BF_OK;
    }
    *base = t->windows_dir; /* relative paths are relative to %SystemRoot% */
    *rest = w;
    return BF_OK;
}

int bf_target_resolve(const bf_target *t, const char *winpath, char **out, bf_error *err)
{
    if (!t || !winpath || !out)
        return bf_fail(err, BF_ERR_INVALID, "bf_target_resolve: NULL argument");
    *out = NULL;
    if (!*winpath)
        return bf_fail(err, BF_ERR_INVALID, "empty Windows path");
    const char *base = NULL, *rest = NULL;
    int rc = split_winpath(t, winpath, &base, &rest, err);
    if (rc != BF_OK)
        return rc;
    if (!base)
        return bf_fail(err, BF_ERR_NOT_FOUND,
                       "%s: the target %s has no Windows directory to map it to", winpath,
                       t->root ? t->root : "?");
    while (is_sep(*rest))
        rest++;
    rc = bf_path_find_ci(base, rest, out, err);
    if (rc == BF_ERR_NOT_FOUND && err) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        bf_fail(err, BF_ERR_NOT_FOUND, "%s does not exist on the target (%s)", winpath, inner);
    }
    return rc;
}
