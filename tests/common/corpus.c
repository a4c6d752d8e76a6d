/*
 * corpus.c — locate the shared hive corpus and parse its MANIFEST.tsv.
 */
#include "common/corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[4096];
static char g_searched[8192];
static int g_done;

static int has_manifest(const char *dir)
{
    char p[4200];
    struct stat st;
    int r = snprintf(p, sizeof(p), "%s/hives/MANIFEST.tsv", dir);
    if (r < 0 || (size_t)r >= sizeof(p))
        return 0;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int try_dir(const char *dir)
{
    size_t used = strlen(g_searched);
    snprintf(g_searched + used, sizeof(g_searched) - used, "%s%s", used ? ", " : "", dir);
    if (!has_manifest(dir))
        return 0;
    int r = snprintf(g_dir, sizeof(g_dir), "%s", dir);
    if (r < 0 || (size_t)r >= sizeof(g_dir)) {
        g_dir[0] = 0;
        return 0;
    }
    return 1;
}

const char *corpus_dir(void)
{
    if (!g_done) {
        const char *env = getenv("BOOTFIX_CORPUS");
        const char *src = getenv("BOOTFIX_SRC");
        char buf[4200];
        g_done = 1;
        g_dir[0] = 0;
        g_searched[0] = 0;
        if (env && *env) {
            /* An explicit setting is the only place looked at. */
            try_dir(env);
        } else {
            int found = 0;
            if (src && *src) {
                snprintf(buf, sizeof(buf), "%s/../shared/corpus", src);
                found = try_dir(buf);
            }
            if (!found)
                try_dir("../shared/corpus");
        }
    }
    return g_dir[0] ? g_dir : NULL;
}

const char *corpus_searched(void)
{
    corpus_dir();
    return g_searched;
}

void corpus_skip_note(const char *what)
{
    printf("SKIPPED: %s: corpus not found at %s (set BOOTFIX_CORPUS)\n", what,
           corpus_searched());
    fflush(stdout);
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

void corpus_manifest_free(corpus_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        corpus_entry *e = &m->e[i];
        free(e->relpath);
        free(e->path);
        free(e->role);
        free(e->version);
        free(e->state);
        free(e->log_format);
        free(e->structural_check);
        free(e->kind);
    }
    free(m->e);
    free(m->dir);
    free(m);
}

#define NCOLS 10
static const char *const k_cols[NCOLS] = {"path",    "size", "role",       "version",
                                          "state",   "seq1", "seq2",       "log_format",
                                          "structural_check", "kind"};

/* Split one line (no newline) at tabs into up to NCOLS fields. */
static int split(const char *line, size_t len, const char **f, size_t *fl)
{
    size_t nf = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == '\t') {
            if (nf == NCOLS)
                return -1;
            f[nf] = line + start;
            fl[nf] = i - start;
            nf++;
            start = i + 1;
        }
    }
    for (size_t i = nf; i < NCOLS; i++) {
        f[i] = "";
        fl[i] = 0;
    }
    return (int)nf;
}

corpus_manifest *corpus_manifest_load(char *errbuf, size_t errsz)
{
    const char *dir = corpus_dir();
    char path[4200];
    FILE *fp = NULL;
    char *text = NULL;
    size_t tlen = 0, cap = 0;
    corpus_manifest *m = NULL;
    if (errbuf && errsz)
        errbuf[0] = 0;
    if (!dir)
        return NULL;
    int pr = snprintf(path, sizeof(path), "%s/hives/MANIFEST.tsv", dir);
    if (pr < 0 || (size_t)pr >= sizeof(path))
        return NULL;
    fp = fopen(path, "rb");
    if (!fp) {
        if (errbuf)
            snprintf(errbuf, errsz, "%s: cannot open", path);
        return NULL;
    }
    for (;;) {
        if (tlen + 4096 + 1 > cap) {
            size_t nc = cap ? cap * 2 : 65536;
            char *nt = realloc(text, nc);
            if (!nt)
                goto nomem;
            text = nt;
            cap = nc;
        }
        size_t r = fread(text + tlen, 1, 4096, fp);
        tlen += r;
        if (r < 4096)
            break;
    }
    fclose(fp);
    fp = NULL;
    text[tlen] = 0;

    m = calloc(1, sizeof(*m));
    if (!m || !(m->dir = dupn(dir, strlen(dir))))
        goto nomem;
    size_t lineno = 0, ecap = 0;
    for (size_t pos = 0; pos < tlen;) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', tlen - pos);
        size_t len = nl ? (size_t)(nl - line) : tlen - pos;
        pos += len + (nl ? 1 : 0);
        lineno++;
        if (len && line[len - 1] == '\r')
            len--;
        if (!len)
            continue;
        const char *f[NCOLS];
        size_t fl[NCOLS];
        int nf = split(line, len, f, fl);
        if (lineno == 1) {
            for (int i = 0; i < NCOLS; i++)
                if (nf != NCOLS || fl[i] != strlen(k_cols[i]) ||
                    memcmp(f[i], k_cols[i], fl[i]) != 0) {
                    if (errbuf)
                        snprintf(errbuf, errsz, "%s: line 1: unexpected header (column %d)",
                                 path, i + 1);
                    goto fail;
                }
            continue;
        }
        if (nf < 3) {
            if (errbuf)
                snprintf(errbuf, errsz, "%s: line %zu: %d columns", path, lineno, nf);
            goto fail;
        }
        if (m->n == ecap) {
            size_t nc = ecap ? ecap * 2 : 256;
            corpus_entry *ne = realloc(m->e, nc * sizeof(*ne));
            if (!ne)
                goto nomem;
            m->e = ne;
            ecap = nc;
        }
        corpus_entry *e = &m->e[m->n];
        memset(e, 0, sizeof(*e));
        m->n++;
        char num[32];
        e->relpath = dupn(f[0], fl[0]);
        e->role = dupn(f[2], fl[2]);
        e->version = dupn(f[3], fl[3]);
        e->state = dupn(f[4], fl[4]);
        e->log_format = dupn(f[7], fl[7]);
        e->structural_check = dupn(f[8], fl[8]);
        e->kind = dupn(f[9], fl[9]);
        if (!e->relpath || !e->role || !e->version || !e->state || !e->log_format ||
            !e->structural_check || !e->kind)
            goto nomem;
        size_t plen = strlen(dir) + fl[0] + 16;
        e->path = malloc(plen);
        if (!e->path)
            goto nomem;
        snprintf(e->path, plen, "%s/hives/%s", dir, e->relpath);
        snprintf(num, sizeof(num), "%.*s", (int)(fl[1] < 31 ? fl[1] : 31), f[1]);
        e->size = strtoull(num, NULL, 10);
        snprintf(num, sizeof(num), "%.*s", (int)(fl[5] < 31 ? fl[5] : 31), f[5]);
        e->seq1 = (uint32_t)strtoul(num, NULL, 10);
        snprintf(num, sizeof(num), "%.*s", (int)(fl[6] < 31 ? fl[6] : 31), f[6]);
        e->seq2 = (uint32_t)strtoul(num, NULL, 10);
    }
    free(text);
    return m;

nomem:
    if (errbuf)
        snprintf(errbuf, errsz, "%s: out of memory", path);
fail:
    if (fp)
        fclose(fp);
    free(text);
    corpus_manifest_free(m);
    return NULL;
}

int corpus_is_primary(const corpus_entry *e)
{
    return strcmp(e->role, "primary") == 0;
}

size_t corpus_count_primary(const corpus_manifest *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        n += corpus_is_primary(&m->e[i]);
    return n;
}

const corpus_entry *corpus_find(const corpus_manifest *m, const char *relpath)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->e[i].relpath, relpath) == 0)
            return &m->e[i];
    return NULL;
}

char *corpus_path(const char *rel)
{
    const char *dir = corpus_dir();
    if (!dir)
        return NULL;
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        return NULL;
    snprintf(p, n, "%s/%s", dir, rel);
    if (access(p, R_OK) != 0) {
        free(p);
        return NULL;
    }
    return p;
}
