/*
 * test_write_model.c — model-based test of the hive writer.
 *
 * Seeded random sequences of edits (create key paths, delete keys, set and
 * delete values of every type and many sizes, names beyond ASCII and names
 * differing only in case, a key with thousands of subkeys) are applied both
 * to a hive and to an in-memory model of the tree it should hold
 * (common/model.h).  Every K operations the hive is committed and the file
 * written is checked:
 *   - libregf, hivex and bootfix (bf_hive_open) read exactly the model's tree
 *     (structure and classes; data bytes with hivex and bootfix, and with
 *     libregf where it is exact, see oracle.h);
 *   - bf_check_image reports 0 problems;
 *   - the base block is clean (seq1 == seq2, checksum right), the hive-bins
 *     size equals the sum of the bins and the file holds them all;
 *   - format rules on the bytes: data <= 4 bytes inline, > 16344 bytes in a
 *     hive >= 1.4 as a db record of ceil(n / 16344) segments, a 1.3 hive
 *     has no db or lh cell.
 * Hives: new ones (bf_hive_new 1.3 and 1.5) and copies of real hives from the
 * corpus (their model starts from the walk of the original, so everything
 * not touched must read as before).
 *
 *   BOOTFIX_SEED=<n>        seed (printed; default 42 when CI is set, else from time and pid)
 *   BOOTFIX_WRITE_ITER=<n>  random operations per small hive, half that on big
 *                          ones (default 400)
 */
#include "common/corpus.h"
#include "common/files.h"
#include "common/model.h"
#include "common/oracle.h"

#include "bootfix/hive.h"
#include "hive/internal.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEG 16344u

static uint64_t g_seed;
static unsigned long g_iter = 400;
static int g_full_upcase; /* bf_upcase folds beyond ASCII */
static unsigned long g_ops, g_commits, g_rawchecks;
static char g_hives[1024];
static char g_diff[4096];

/* ---- small helpers --------------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rnd(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

static uint32_t rndu(rng *r, uint32_t n) { return n ? (uint32_t)(rnd(r) % n) : 0; }

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* UTF-8 decode / encode of one code point (input is valid UTF-8 here). */
static uint32_t u8_get(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = 0;
    if (c >= 0xF0)
        c &= 0x07, n = 3;
    else if (c >= 0xE0)
        c &= 0x0F, n = 2;
    else if (c >= 0xC0)
        c &= 0x1F, n = 1;
    for (int i = 1; i <= n; i++)
        c = (c << 6) | (s[i] & 0x3F);
    *p = s + n + 1;
    return c;
}

static size_t u8_put(char *o, uint32_t c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* The same name with letters' case flipped at random (ASCII always; Latin-1
 * and Greek when bf_upcase folds them, so the variant must still match). */
static char *case_variant(rng *r, const char *s)
{
    char *o = malloc(strlen(s) + 1);
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c = u8_get(&p);
        if (rndu(r, 2)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                c ^= 0x20;
            else if (g_full_upcase && c >= 0xC0 && c <= 0xFE && c != 0xD7 && c != 0xF7 && c != 0xDF)
                c ^= 0x20;
            else if (g_full_upcase && c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
                c += 0x20;
            else if (g_full_upcase && c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2)
                c -= 0x20;
        }
        k += u8_put(o + k, c);
    }
    o[k] = 0;
    return o;
}

static const char *const k_bases[] = {
    "Key",        "Ünïcödé",   "Σύστημα",   "键",       "😀Emoji", "CaseTest",
    "ab",         "{4D36E972}", "Ωμέγα",     "ÀÉÎÕÜ",    "Services",              "x y.z-",
};

static char *gen_name(rng *r)
{
    char b[128];
    snprintf(b, sizeof(b), "%s%u", k_bases[rndu(r, sizeof(k_bases) / sizeof(k_bases[0]))],
             rndu(r, 40));
    return strdup(b);
}

static const uint32_t k_types[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x12345678u, 0xFFFF0010u};
static const size_t k_sizes[] = {0,     1,     3,     4,         5,          8,     16343,
                                 16344, 16345, SEG * 2, SEG * 2 + 1, 300000};

static uint8_t *rand_data(rng *r, size_t len)
{
    uint8_t *d = malloc(len ? len : 1);
    for (size_t i = 0; i < len; i++)
        d[i] = (uint8_t)rnd(r);
    return d;
}

/* ---- one hive under test ----------------------------------------------------- */

typedef struct run {
    const char *label;
    char dir[256];
    char file[512];
    unsigned minor;
    int in_memory; /* made by bf_hive_new and never reopened: commit needs out_path */
    int use_hivex, use_libregf;
    int heavy; /* a big hive: the independent readers only at the last commit */
    bf_hive *h;
    model *m;
    rng r;
    unsigned long ops, commits, rawchecks;
    double t0, t_commit, t_verify;
} run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bf_node lookup(run *R, const model_key *k)
{
    char *path = model_path(k);
    char *q = rndu(&R->r, 2) ? case_variant(&R->r, path) : strdup(path);
    bf_node n = BF_NONE;
    bf_error e = {0};
    int rc = bf_node_lookup(R->h, bf_hive_root(R->h), q, &n, &e);
    ck_assert_msg(rc == BF_OK, "%s: lookup of \"%s\" (model \"%s\") failed: %d %s", R->label, q, path,
                  rc, e.msg);
    free(q);
    free(path);
    return n;
}

static model_key *pick_key(run *R) { return R->m->all[rndu(&R->r, (uint32_t)R->m->nall)]; }

/* Set a value in hive and model, and read it straight back. */
static void set_value(run *R, model_key *k, bf_node n, const char *name, uint32_t type, size_t len)
{
    uint8_t *d = rand_data(&R->r, len);
    bf_error e = {0};
    int rc = bf_node_set_value(R->h, n, name, type, d, len, &e);
    ck_assert_msg(rc == BF_OK, "%s: set value \"%s\" (%zu bytes, type 0x%x) failed: %d %s", R->label,
                  name, len, type, rc, e.msg);
    model_val *mv = model_set_value(k, name, type, d, len);
    mv->written = 1;
    bf_value v;
    rc = bf_node_get_value(R->h, n, name, &v, &e);
    ck_assert_msg(rc == BF_OK, "%s: value \"%s\" not found after set: %s", R->label, name, e.msg);
    uint8_t *back = NULL;
    size_t blen = 0;
    uint32_t t = 0;
    char *stored = NULL;
    ck_assert_int_eq(bf_value_data(R->h, v, &t, &back, &blen, &e), BF_OK);
    ck_assert_int_eq(bf_value_name(R->h, v, &stored, &e), BF_OK);
    ck_assert_msg(blen == len && t == type && (len == 0 || memcmp(back, d, len) == 0),
                  "%s: value \"%s\" reads back %zu bytes type 0x%x, set %zu type 0x%x", R->label, name,
                  blen, t, len, type);
    ck_assert_msg(strcmp(stored, mv->name) == 0, "%s: value set as \"%s\" is named \"%s\", model \"%s\"",
                  R->label, name, stored, mv->name);
    free(stored);
    free(back);
    free(d);
}

static void op_create(run *R)
{
    model_key *k = pick_key(R);
    bf_node n = lookup(R, k);
    unsigned ncomp = 1 + rndu(&R->r, 3);
    char *comps[3];
    char rel[1024] = "";
    const model_key *cur = k;
    for (unsigned i = 0; i < ncomp; i++) {
        if (cur && cur->nkids && rndu(&R->r, 3) == 0) {
            const model_key *c = cur->kids[rndu(&R->r, (uint32_t)cur->nkids)];
            comps[i] = case_variant(&R->r, c->name);
            cur = c;
        } else {
            comps[i] = gen_name(&R->r);
            cur = cur ? model_child(cur, comps[i]) : NULL;
        }
        if (i)
            strcat(rel, "\\");
        strcat(rel, comps[i]);
    }
    bf_node out = BF_NONE;
    int created = -1;
    bf_error e = {0};
    int rc = bf_node_create_path(R->h, n, rel, &out, &created, &e);
    ck_assert_msg(rc == BF_OK, "%s: create path \"%s\" failed: %d %s", R->label, rel, rc, e.msg);
    int want = 0;
    model_key *c = k;
    for (unsigned i = 0; i < ncomp; i++) {
        model_key *nx = model_child(c, comps[i]);
        if (!nx) {
            nx = model_add_child(R->m, c, comps[i]);
            want++;
        }
        c = nx;
        free(comps[i]);
    }
    ck_assert_msg(created == want, "%s: create path \"%s\": %d keys created, model says %d", R->label,
                  rel, created, want);
    char *nm = NULL;
    ck_assert_int_eq(bf_node_name(R->h, out, &nm, &e), BF_OK);
    ck_assert_msg(strcmp(nm, c->name) == 0, "%s: create path \"%s\" ends at \"%s\", model \"%s\"",
                  R->label, rel, nm, c->name);
    free(nm);
}

static void op_delete_key(run *R)
{
    for (int tries = 0; tries < 12; tries++) {
        model_key *k = pick_key(R);
        if (!k->parent || model_subtree_keys(k) > 300)
            continue;
        bf_node n = lookup(R, k);
        bf_error e = {0};
        char *path = model_path(k);
        int rc = bf_node_delete(R->h, n, &e);
        ck_assert_msg(rc == BF_OK, "%s: delete key \"%s\" failed: %d %s", R->label, path, rc, e.msg);
        model_delete_key(R->m, k);
        bf_node gone;
        rc = bf_node_lookup(R->h, bf_hive_root(R->h), path, &gone, &e);
        ck_assert_msg(rc == BF_ERR_NOT_FOUND, "%s: deleted key \"%s\" still found (rc %d)", R->label,
                      path, rc);
        free(path);
        return;
    }
}

static size_t pick_size(run *R)
{
    uint32_t x = rndu(&R->r, 100);
    if (x < 35)
        return rndu(&R->r, 200);
    size_t s = k_sizes[rndu(&R->r, sizeof(k_sizes) / sizeof(k_sizes[0]))];
    if (s == 300000 && rndu(&R->r, 3))
        s = 16345; /* keep the big ones to about one in 36 */
    return s;
}

static void op_set_value(run *R)
{
    model_key *k = pick_key(R);
    bf_node n = lookup(R, k);
    char *name;
    uint32_t x = rndu(&R->r, 10);
    if (x < 3 && k->nvals)
        name = case_variant(&R->r, k->vals[rndu(&R->r, (uint32_t)k->nvals)].name);
    else if (x == 3)
        name = strdup("");
    else
        name = gen_name(&R->r);
    set_value(R, k, n, name, k_types[rndu(&R->r, sizeof(k_types) / sizeof(k_types[0]))], pick_size(R));
    free(name);
}

static void op_delete_value(run *R)
{
    model_key *k = NULL;
    for (int tries = 0; tries < 20 && !k; tries++) {
        k = pick_key(R);
        if (!k->nvals)
            k = NULL;
    }
    if (!k)
        return;
    bf_node n = lookup(R, k);
    bf_error e = {0};
    if (rndu(&R->r, 8) == 0) {
        char *name = gen_name(&R->r);
        if (!model_get_value(k, name)) {
            int rc = bf_node_delete_value(R->h, n, name, &e);
            ck_assert_msg(rc == BF_ERR_NOT_FOUND, "%s: deleting missing value \"%s\" gave %d", R->label,
                          name, rc);
        }
        free(name);
        return;
    }
    char *name = case_variant(&R->r, k->vals[rndu(&R->r, (uint32_t)k->nvals)].name);
    int rc = bf_node_delete_value(R->h, n, name, &e);
    ck_assert_msg(rc == BF_OK, "%s: delete value \"%s\" failed: %d %s", R->label, name, rc, e.msg);
    ck_assert_int_eq(model_delete_value(k, name), 0);
    bf_value v;
    ck_assert_int_eq(bf_node_get_value(R->h, n, name, &v, &e), BF_ERR_NOT_FOUND);
    free(name);
}

/* ---- checking a written file ------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Base block, bins, and (1.3) no db / lh cell. */
static void check_layout(run *R, const uint8_t *b, size_t len)
{
    ck_assert_msg(len >= 4096 && memcmp(b, "regf", 4) == 0, "%s: not a regf file", R->file);
    ck_assert_msg(rd32(b + 4) == rd32(b + 8), "%s: written file is dirty: seq1 %u seq2 %u", R->file,
                  rd32(b + 4), rd32(b + 8));
    uint32_t x = 0;
    for (int i = 0; i < 127; i++)
        x ^= rd32(b + 4 * i);
    if (x == 0)
        x = 1;
    else if (x == 0xFFFFFFFFu)
        x = 0xFFFFFFFEu;
    ck_assert_msg(rd32(b + 508) == x, "%s: base block checksum 0x%x, should be 0x%x", R->file,
                  rd32(b + 508), x);
    ck_assert_uint_eq(rd32(b + 20), 1);
    ck_assert_msg(rd32(b + 24) == R->minor, "%s: minor version %u, expected %u", R->file, rd32(b + 24),
                  R->minor);
    ck_assert_uint_eq(rd32(b + 28), 0);
    uint32_t hbins = rd32(b + 40);
    ck_assert_msg((uint64_t)4096 + hbins <= len, "%s: hive-bins size %u but the file has %zu bytes",
                  R->file, hbins, len);
    uint32_t *dataoffs = NULL, *sigcells = NULL;
    size_t nd = 0, capd = 0, ns = 0, caps = 0;
    uint64_t sum = 0;
    size_t off = 4096;
    while (off < 4096 + (size_t)hbins) {
        ck_assert_msg(memcmp(b + off, "hbin", 4) == 0, "%s: offset 0x%zx: no hbin signature", R->file,
                      off);
        ck_assert_msg(rd32(b + off + 4) == off - 4096, "%s: offset 0x%zx: bin offset field 0x%x",
                      R->file, off, rd32(b + off + 4));
        uint32_t bsz = rd32(b + off + 8);
        ck_assert_msg(bsz >= 4096 && bsz % 4096 == 0 && off + bsz <= 4096 + (size_t)hbins,
                      "%s: offset 0x%zx: bin size 0x%x", R->file, off, bsz);
        sum += bsz;
        size_t c = off + 32;
        while (c < off + bsz) {
            int32_t sz = (int32_t)rd32(b + c);
            uint32_t asz = sz < 0 ? (uint32_t)-(int64_t)sz : (uint32_t)sz;
            ck_assert_msg(asz >= 8 && asz % 8 == 0 && c + asz <= off + bsz,
                          "%s: offset 0x%zx: cell size %d", R->file, c, sz);
            if (sz < 0) {
                const uint8_t *d = b + c + 4;
                if (asz >= 4 + 20 && memcmp(d, "vk", 2) == 0) {
                    uint32_t ds = rd32(d + 4);
                    if (!(ds & 0x80000000u) && ds) {
                        if (nd == capd)
                            dataoffs = realloc(dataoffs, (capd = capd ? capd * 2 : 1024) * 4);
                        dataoffs[nd++] = rd32(d + 8);
                    }
                }
                if (memcmp(d, "db", 2) == 0 || memcmp(d, "lh", 2) == 0) {
                    if (ns == caps)
                        sigcells = realloc(sigcells, (caps = caps ? caps * 2 : 64) * 4);
                    sigcells[ns++] = (uint32_t)(c - 4096);
                }
            }
            c += asz;
        }
        off += bsz;
    }
    ck_assert_msg(sum == hbins, "%s: bins add up to %llu bytes, base block says %u", R->file,
                  (unsigned long long)sum, hbins);
    if (R->minor == 3) {
        if (nd)
            qsort(dataoffs, nd, 4, cmp_u32);
        for (size_t i = 0; i < ns; i++) {
            /* a value's data may start with these bytes by chance */
            int is_data = nd && bsearch(&sigcells[i], dataoffs, nd, 4, cmp_u32) != NULL;
            ck_assert_msg(is_data, "%s: version 1.3 hive has a %.2s cell at offset 0x%x", R->file,
                          (const char *)b + 4096 + sigcells[i] + 4, sigcells[i] + 4096);
        }
    }
    free(dataoffs);
    free(sigcells);
}

/* Allocated cell at cell index off: data pointer and usable length. */
static const uint8_t *cell_at(run *R, const uint8_t *b, size_t len, uint32_t off, uint32_t *clen)
{
    ck_assert_msg((uint64_t)4096 + off + 8 <= len, "%s: cell 0x%x outside the file", R->file, off);
    int32_t sz = (int32_t)rd32(b + 4096 + off);
    ck_assert_msg(sz < 0 && (uint64_t)4096 + off + (uint32_t)-(int64_t)sz <= len,
                  "%s: cell 0x%x is not an allocated cell (size %d)", R->file, off, sz);
    *clen = (uint32_t)-(int64_t)sz - 4;
    return b + 4096 + off + 4;
}

/* The raw records of the values this test wrote. */
static void check_written_values(run *R, const uint8_t *b, size_t len)
{
    bf_hive *h = NULL;
    bf_error e = {0};
    int rc = bf_hive_open(R->file, 0, &h, &e);
    ck_assert_msg(rc == BF_OK, "%s: reopen failed: %s", R->file, e.msg);
    for (size_t i = 0; i < R->m->nall; i++) {
        const model_key *k = R->m->all[i];
        bf_node n = BF_NONE;
        int found = 0;
        for (size_t j = 0; j < k->nvals; j++) {
            const model_val *mv = &k->vals[j];
            if (!mv->written)
                continue;
            if (!found) {
                char *path = model_path(k);
                ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), path, &n, &e), BF_OK);
                free(path);
                found = 1;
            }
            bf_value v;
            ck_assert_int_eq(bf_node_get_value(h, n, mv->name, &v, &e), BF_OK);
            uint32_t vlen;
            const uint8_t *vk = cell_at(R, b, len, v, &vlen);
            ck_assert_msg(vlen >= 20 && memcmp(vk, "vk", 2) == 0, "%s: value cell 0x%x is not vk",
                          R->file, v);
            uint32_t ds = rd32(vk + 4), dp = rd32(vk + 8);
            ck_assert_uint_eq(rd32(vk + 12), mv->type);
            if (mv->len <= 4) {
                ck_assert_msg(ds == (0x80000000u | (uint32_t)mv->len),
                              "%s: value \"%s\" of %zu bytes: size field 0x%08x, not inline", R->file,
                              mv->name, mv->len, ds);
                ck_assert_msg(mv->len == 0 || memcmp(vk + 8, mv->data, mv->len) == 0,
                              "%s: inline data of \"%s\" differs", R->file, mv->name);
            } else {
                ck_assert_msg(ds == mv->len, "%s: value \"%s\" of %zu bytes: size field 0x%08x",
                              R->file, mv->name, mv->len, ds);
                uint32_t dlen;
                const uint8_t *d = cell_at(R, b, len, dp, &dlen);
                if (R->minor >= 4 && mv->len > SEG) {
                    uint32_t nseg = (uint32_t)((mv->len + SEG - 1) / SEG), llen;
                    ck_assert_msg(dlen >= 8 && memcmp(d, "db", 2) == 0,
                                  "%s: value \"%s\" of %zu bytes in a 1.%u hive is not a db record",
                                  R->file, mv->name, mv->len, R->minor);
                    ck_assert_msg(d[2] + 256u * d[3] == nseg, "%s: db of \"%s\": %u segments, want %u",
                                  R->file, mv->name, d[2] + 256u * d[3], nseg);
                    const uint8_t *list = cell_at(R, b, len, rd32(d + 4), &llen);
                    ck_assert_uint_ge(llen, nseg * 4);
                    for (uint32_t s = 0; s < nseg; s++) {
                        uint32_t slen;
                        size_t chunk = mv->len - (size_t)s * SEG;
                        if (chunk > SEG)
                            chunk = SEG;
                        const uint8_t *sd = cell_at(R, b, len, rd32(list + 4 * s), &slen);
                        ck_assert_uint_ge(slen, chunk);
                        ck_assert_msg(memcmp(sd, mv->data + (size_t)s * SEG, chunk) == 0,
                                      "%s: segment %u of \"%s\" differs", R->file, s, mv->name);
                    }
                } else {
                    ck_assert_msg(dlen >= mv->len && memcmp(d, mv->data, mv->len) == 0,
                                  "%s: data cell of \"%s\" (%zu bytes) is short or differs", R->file,
                                  mv->name, mv->len);
                }
            }
            R->rawchecks++;
        }
    }
    bf_hive_close(h);
}

static void first_problem(void *ctx, uint64_t off, const char *problem)
{
    char *s = ctx;
    if (!*s)
        snprintf(s, 512, "offset 0x%llx: %s", (unsigned long long)off, problem);
}

static void compare_with(run *R, const oracle_walk *want, oracle_walk *got, const char *who,
                         const char *why, unsigned flags)
{
    ck_assert_msg(got != NULL, "%s: after commit %lu, %s cannot read %s: %s", R->label, R->commits, who,
                  R->file, why);
    int d = oracle_compare(want, got, flags, g_diff, sizeof(g_diff));
    ck_assert_msg(d == 0, "%s: after commit %lu (%lu ops, seed %llu), %s reads %s differently from the "
                  "model: %s", R->label, R->commits, R->ops, (unsigned long long)g_seed, who, R->file,
                  g_diff);
    oracle_walk_free(got);
}

static void verify_file(run *R, int full)
{
    size_t len;
    uint8_t *b = test_slurp(R->file, &len);
    ck_assert_msg(b != NULL, "%s: cannot read %s", R->label, R->file);
    check_layout(R, b, len);
    char first[512] = "";
    bf_error e = {0};
    int problems = bf_check_image(b, len, first_problem, first, &e);
    ck_assert_msg(problems == 0, "%s: bf_check_image on %s: %d problems (first: %s) %s", R->label,
                  R->file, problems, first, problems < 0 ? e.msg : "");

    oracle_walk *want = model_walk(R->m, "model");
    ck_assert_ptr_nonnull(want);
    char why[ORACLE_ERRSZ] = "";
    int code = 0;
    compare_with(R, want, oracle_walk_bootfix(R->file, 0, why, &code), "bootfix", why,
                 ORACLE_CMP_DATA | ORACLE_CMP_CLASS);
    if (R->use_hivex && full)
        compare_with(R, want, oracle_walk_hivex(R->file, why), "hivex", why, ORACLE_CMP_DATA);
    if (R->use_libregf && full)
        compare_with(R, want, oracle_walk_libregf(R->file, why), "libregf", why,
                     ORACLE_CMP_DATA | ORACLE_CMP_CLASS);
    oracle_walk_free(want);
    check_written_values(R, b, len);
    free(b);
}

static void commit(run *R, int last)
{
    bf_commit_opts o = {0};
    if (R->in_memory)
        o.out_path = R->file;
    bf_error e = {0};
    double t = now_s();
    int rc = bf_hive_commit(R->h, &o, &e);
    R->t_commit += now_s() - t;
    t = now_s();
    ck_assert_msg(rc == BF_OK, "%s: commit %lu after %lu ops (seed %llu) failed: %d %s", R->label,
                  R->commits + 1, R->ops, (unsigned long long)g_seed, rc, e.msg);
    R->commits++;
    verify_file(R, !R->heavy || last);
    R->t_verify += now_s() - t;
    if (R->commits % 2 == 0) {
        /* continue on the file as written */
        bf_hive_close(R->h);
        R->h = NULL;
        rc = bf_hive_open(R->file, BF_OPEN_WRITE, &R->h, &e);
        ck_assert_msg(rc == BF_OK, "%s: reopening %s for writing failed: %s", R->label, R->file, e.msg);
        R->in_memory = 0;
    }
}

/* ---- fixed coverage, bulk subkeys, random sequence ---------------------------- */

static void coverage(run *R)
{
    bf_error e = {0};
    bf_node n;
    int created;
    const char *base = "BootfixWriteTest\\Ünïcödé\\Σύστημα\\键\\\xF0\x9F\x98\x80";
    ck_assert_int_eq(bf_node_create_path(R->h, bf_hive_root(R->h), base, &n, &created, &e), BF_OK);
    ck_assert_int_eq(created, 5);
    model_key *k = R->m->root;
    const char *comps[] = {"BootfixWriteTest", "Ünïcödé", "Σύστημα", "键", "\xF0\x9F\x98\x80"};
    for (int i = 0; i < 5; i++) {
        ck_assert_ptr_null(model_child(k, comps[i]));
        k = model_add_child(R->m, k, comps[i]);
    }
    /* every size of interest, with every type */
    size_t ns = sizeof(k_sizes) / sizeof(k_sizes[0]), nt = sizeof(k_types) / sizeof(k_types[0]);
    for (size_t i = 0; i < ns; i++) {
        char name[64];
        snprintf(name, sizeof(name), "size%zu", k_sizes[i]);
        set_value(R, k, n, name, k_types[i % nt], k_sizes[i]);
    }
    for (size_t t = 0; t < nt; t++) {
        char name[64];
        snprintf(name, sizeof(name), "type%zx", (size_t)k_types[t]);
        set_value(R, k, n, name, k_types[t], 2 + t * 3);
    }
    set_value(R, k, n, "", 1, 10);
    set_value(R, k, n, "Värde Σ 键 \xF0\x9F\x98\x80", 4, 4);
    /* names differing only in case hit the existing value */
    set_value(R, k, n, "MixedCase", 3, 7);
    set_value(R, k, n, "mIXEDcASE", 3, 20000);
    ck_assert_ptr_nonnull(model_get_value(k, "MIXEDCASE"));
    /* ... and key, also beyond ASCII (Windows' table folds these) */
    if (g_full_upcase) {
        bf_node n2;
        ck_assert_int_eq(bf_node_create_path(R->h, bf_hive_root(R->h),
                                             "bootfixwritetest\\ÜNÏCÖDÉ\\ΣΎΣΤΗΜΑ", &n2, &created, &e),
                         BF_OK);
        ck_assert_msg(created == 0, "%s: \"ÜNÏCÖDÉ\\ΣΎΣΤΗΜΑ\" did not match \"Ünïcödé\\Σύστημα\" "
                      "case-insensitively (%d keys created)", R->label, created);
        set_value(R, k, n, "ünïcödé", 4, 4);
        set_value(R, k, n, "ÜNÏCÖDÉ", 4, 5);
        ck_assert_uint_eq(k->nvals, ns + nt + 4);
    }
    /* replacing and deleting */
    set_value(R, k, n, "size300000", 3, 5);
    set_value(R, k, n, "size5", 3, 300000);
    ck_assert_int_eq(bf_node_delete_value(R->h, n, "SIZE16344", &e), BF_OK);
    ck_assert_int_eq(model_delete_value(k, "size16344"), 0);
    ck_assert_int_eq(bf_node_delete_value(R->h, n, "size16344", &e), BF_ERR_NOT_FOUND);
    /* existing key: BF_ERR_EXISTS from bf_node_add */
    bf_node again;
    ck_assert_int_eq(bf_node_add(R->h, bf_hive_root(R->h), "BOOTFIXWRITETEST", &again, &e),
                     BF_ERR_EXISTS);
    /* the root cannot be deleted */
    ck_assert_int_ne(bf_node_delete(R->h, bf_hive_root(R->h), &e), BF_OK);
    /* data size limits: 1 MB in 1.3 hives */
    uint8_t *big = rand_data(&R->r, (1u << 20) + 1);
    int rc = bf_node_set_value(R->h, n, "toobig", 3, big, (1u << 20) + 1, &e);
    if (R->minor == 3) {
        ck_assert_msg(rc == BF_ERR_LIMIT, "%s: 1 MB + 1 in a 1.3 hive: rc %d, want BF_ERR_LIMIT",
                      R->label, rc);
        ck_assert_msg(strstr(e.msg, "1 MB") != NULL, "message: %s", e.msg);
        rc = bf_node_set_value(R->h, n, "exactly1MB", 3, big, 1u << 20, &e);
        ck_assert_msg(rc == BF_OK, "%s: 1 MB in a 1.3 hive: %d %s", R->label, rc, e.msg);
        model_set_value(k, "exactly1MB", 3, big, 1u << 20)->written = 1;
    } else {
        ck_assert_msg(rc == BF_OK, "%s: 1 MB + 1 in a 1.%u hive: %d %s", R->label, R->minor, rc, e.msg);
        model_set_value(k, "toobig", 3, big, (1u << 20) + 1)->written = 1;
    }
    free(big);
    R->ops += ns + nt + 20;
    commit(R, 0);
}

static void bulk(run *R, unsigned count, unsigned keep, int last)
{
    bf_error e = {0};
    bf_node n;
    int created;
    ck_assert_int_eq(bf_node_create_path(R->h, bf_hive_root(R->h), "BootfixBulk", &n, &created, &e), BF_OK);
    model_key *k = model_child(R->m->root, "BootfixBulk");
    if (!k)
        k = model_add_child(R->m, R->m->root, "BootfixBulk");
    static const char *const pre[] = {"S", "Σ", "ü", "键", "s_"};
    char name[64];
    for (unsigned i = 0; i < count; i++) {
        /* not in sorted order, so inserts land all over the lists */
        unsigned j = (i * 7919u) % count;
        snprintf(name, sizeof(name), "%s%05u", pre[j % 5], j);
        bf_node c;
        int rc = bf_node_add(R->h, n, name, &c, &e);
        ck_assert_msg(rc == BF_OK, "%s: adding subkey %u \"%s\": %d %s", R->label, i, name, rc, e.msg);
        model_add_child(R->m, k, name);
        if (i % 500 == 0) {
            char vn[32];
            snprintf(vn, sizeof(vn), "v%u", i);
            set_value(R, model_child(k, name), c, vn, 4, 4);
        }
    }
    size_t nk = 0;
    bf_node *kids = NULL;
    ck_assert_int_eq(bf_node_children(R->h, n, &kids, &nk, &e), BF_OK);
    ck_assert_uint_eq(nk, k->nkids);
    free(kids);
    R->ops += count;
    commit(R, 0);
    /* delete all but `keep`, by names in another case */
    for (unsigned j = 0; j < count; j++) {
        if (j % (count / keep) == 0)
            continue;
        snprintf(name, sizeof(name), "%s%05u", pre[j % 5], j);
        char *v = case_variant(&R->r, name);
        bf_node c;
        int rc = bf_node_child(R->h, n, v, &c, &e);
        ck_assert_msg(rc == BF_OK, "%s: subkey \"%s\" not found: %s", R->label, v, e.msg);
        rc = bf_node_delete(R->h, c, &e);
        ck_assert_msg(rc == BF_OK, "%s: deleting subkey \"%s\": %d %s", R->label, v, rc, e.msg);
        model_delete_key(R->m, model_child(k, name));
        free(v);
        R->ops++;
    }
    commit(R, last);
}

static void random_ops(run *R, unsigned long nops, unsigned long ncommits, int last)
{
    unsigned long every = nops / ncommits ? nops / ncommits : 1;
    for (unsigned long i = 1; i <= nops; i++) {
        uint32_t x = rndu(&R->r, 100);
        if (x < 25 || (x < 35 && R->m->nall < 60)) /* keep the tree from dying out */
            op_create(R);
        else if (x < 35)
            op_delete_key(R);
        else if (x < 80)
            op_set_value(R);
        else
            op_delete_value(R);
        R->ops++;
        if (i == nops)
            commit(R, last);
        else if (i % every == 0)
            commit(R, 0);
    }
}

static void run_begin(run *R, const char *label)
{
    memset(R, 0, sizeof(*R));
    R->label = label;
    uint64_t z = g_seed + 0x9E3779B97F4A7C15ull; /* splitmix64: every seed bit matters */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    R->r.s = (z ^ (z >> 31)) ^ str_hash(label);
    if (!R->r.s)
        R->r.s = 1;
    snprintf(R->dir, sizeof(R->dir), "/tmp/bootfix-wmodel-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(R->dir));
    R->use_hivex = R->use_libregf = 1;
    R->t0 = now_s();
}

static void run_end(run *R, unsigned bulk_count)
{
    if (R->heavy) {
        random_ops(R, g_iter / 2 + 1, 1, !bulk_count);
        if (bulk_count)
            bulk(R, bulk_count, 10, 1);
    } else {
        random_ops(R, g_iter, 8, 0);
        if (bulk_count)
            bulk(R, bulk_count, 10, 0);
        random_ops(R, g_iter / 4 + 1, 2, 1);
    }
    printf("write model: %s: %lu operations, %lu commits, %lu raw value records checked, %zu keys at "
           "end (%.1f s: commits %.1f s, checks %.1f s)\n", R->label, R->ops, R->commits, R->rawchecks,
           R->m->nall, now_s() - R->t0, R->t_commit, R->t_verify);
    g_ops += R->ops;
    g_commits += R->commits;
    g_rawchecks += R->rawchecks;
    snprintf(g_hives + strlen(g_hives), sizeof(g_hives) - strlen(g_hives), "%s%s",
             g_hives[0] ? ", " : "", R->label);
    bf_hive_close(R->h);
    model_free(R->m);
    test_rm_tree(R->dir);
}

static void fresh(unsigned minor, const char *label)
{
    run R;
    run_begin(&R, label);
    R.minor = minor;
    R.in_memory = 1;
    snprintf(R.file, sizeof(R.file), "%s/new.hiv", R.dir);
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_new(minor, "ROOT", &R.h, &e), BF_OK);
    R.m = model_new();
    coverage(&R);
    run_end(&R, 3000);
}

/* A copy of a corpus hive; the model starts from the original's walk. */
static void real(const char *rel, const char *label, unsigned minor, unsigned bulk_count)
{
    const char *cd = corpus_dir();
    if (!cd) {
        corpus_skip_note(label);
        return;
    }
    char src[1024];
    snprintf(src, sizeof(src), "%s/%s", cd, rel);
    size_t len;
    uint8_t *b = test_slurp(src, &len);
    if (!b) {
        printf("SKIPPED: %s: %s not found in the corpus\n", label, src);
        return;
    }
    run R;
    run_begin(&R, label);
    R.minor = minor;
    R.heavy = len > (1u << 20);
    snprintf(R.file, sizeof(R.file), "%s/hive", R.dir);
    test_put_file(R.file, b, len);
    free(b);

    char why[ORACLE_ERRSZ] = "";
    int code = 0;
    oracle_walk *orig = oracle_walk_bootfix(R.file, 0, why, &code);
    ck_assert_msg(orig != NULL, "%s: bootfix cannot read the original %s: %s", label, src, why);
    oracle_walk *hx = oracle_walk_hivex(R.file, why);
    if (!hx || oracle_compare(orig, hx, ORACLE_CMP_DATA, g_diff, sizeof(g_diff)) != 0) {
        printf("NOTE: %s: hivex %s the original; not used as an oracle for this hive (%s)\n", label,
               hx ? "reads differently" : "cannot read", hx ? g_diff : why);
        R.use_hivex = 0;
    }
    oracle_walk *lr = oracle_walk_libregf(R.file, why);
    if (!lr || oracle_compare(orig, lr, ORACLE_CMP_DATA | ORACLE_CMP_CLASS, g_diff, sizeof(g_diff)) != 0) {
        printf("NOTE: %s: libregf %s the original; not used as an oracle for this hive (%s)\n", label,
               lr ? "reads differently" : "cannot read", lr ? g_diff : why);
        R.use_libregf = 0;
    }
    oracle_walk_free(hx);
    oracle_walk_free(lr);
    R.m = model_from_walk(orig, why);
    ck_assert_msg(R.m != NULL, "%s: %s", label, why);
    oracle_walk_free(orig);

    bf_error e = {0};
    int rc = bf_hive_open(R.file, BF_OPEN_WRITE, &R.h, &e);
    ck_assert_msg(rc == BF_OK, "%s: open for writing: %s", label, e.msg);
    bf_hive_info info;
    bf_hive_get_info(R.h, &info);
    ck_assert_msg(info.minor == minor, "%s: version 1.%u, expected 1.%u", label, info.minor, minor);
    coverage(&R);
    run_end(&R, bulk_count);
}

START_TEST(test_new_v3) { fresh(3, "new 1.3"); }
END_TEST

START_TEST(test_new_v5) { fresh(5, "new 1.5"); }
END_TEST

START_TEST(test_system_win7) { real("hives/regipy/regipy_tests/data/SYSTEM", "SYSTEM 1.5 (regipy, Win7)", 5, 0); }
END_TEST

START_TEST(test_system_dissect) { real("hives/dissect.regf/tests/_data/SYSTEM", "SYSTEM 1.5 (dissect)", 5, 0); }
END_TEST

START_TEST(test_system_xp) { real("hives/bcc-dfa-sample-data/registry/SYSTEM", "SYSTEM 1.5 (XP)", 5, 3000); }
END_TEST

START_TEST(test_bcd_v3) { real("bcd/win10iso_boot_bcd.bin", "BCD 1.3 (win10iso)", 3, 3000); }
END_TEST

int main(void)
{
    const char *s = getenv("BOOTFIX_SEED");
    /* CI runs one fixed sequence so that a landing is reproducible; local
     * runs take a new seed each time to cover more sequences. */
    if (s && *s)
        g_seed = strtoull(s, NULL, 0);
    else if (getenv("CI"))
        g_seed = 42;
    else
        g_seed = ((uint64_t)time(NULL) << 16) ^ (uint64_t)getpid();
    const char *it = getenv("BOOTFIX_WRITE_ITER");
    if (it && *it)
        g_iter = strtoul(it, NULL, 0);
    g_full_upcase = bf_upcase(0xFC) == 0xDC && bf_upcase(0x3C3) == 0x3A3;
    printf("write model: seed %llu (BOOTFIX_SEED=%llu reproduces), %lu random operations per hive "
           "(BOOTFIX_WRITE_ITER)%s\n",
           (unsigned long long)g_seed, (unsigned long long)g_seed, g_iter,
           g_full_upcase ? "" : "; bf_upcase folds ASCII only: case variants kept to ASCII");
    fflush(stdout);

    Suite *su = suite_create("write_model");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, test_new_v3);
    tcase_add_test(tc, test_new_v5);
    tcase_add_test(tc, test_bcd_v3);
    tcase_add_test(tc, test_system_xp);
    tcase_add_test(tc, test_system_win7);
    tcase_add_test(tc, test_system_dissect);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    /* no fork: the totals below add up over all tests */
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("write model: %lu operations, %lu commits, %lu raw value records checked, on hives: %s "
           "(seed %llu)\n",
           g_ops, g_commits, g_rawchecks, g_hives, (unsigned long long)g_seed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
