/*
 * test_walk.c — bf_hive_walk, the one-callback-per-key reader.
 *
 *   - equivalence: on a hive built here (several levels, compressed and
 *     UTF-16 names, every value type, inline / one-cell / big data) and on
 *     every primary hive of the corpus that opens with BF_OPEN_NO_LOGS, the
 *     keys the walk reports are exactly the depth-first preorder of
 *     bf_node_children (computed here with an explicit stack), and every
 *     field of every key and value equals what the per-call API returns;
 *     also for walks started below the root;
 *   - BF_WALK_SKIP leaves out a key's subtree only; a negative return stops
 *     the walk at once and is returned;
 *   - malformed images (a child listed twice, value lists pointing at free
 *     cells or into the middle of a cell, subkey entries out of range) give
 *     BF_ERR_FORMAT with a message naming the problem, never a crash;
 *     keys deeper than BF_LIMIT_KEY_DEPTH give BF_ERR_LIMIT;
 *   - a name holding U+0000 (real hives have some) comes whole: name_len
 *     counts every byte, the NUL and what follows it; as a C string it
 *     reads like the per-call API's name, which ends at the NUL;
 *   - every allocation of a walk failing in turn gives BF_ERR_NOMEM (or
 *     BF_OK once no allocation is left to fail), and nothing leaks;
 *   - the pointers handed to the callback stay valid during the whole call
 *     (one value's big data is not overwritten by the next one's).
 */
#include "common/corpus.h"
#include "common/runner.h"

#include "bootfix/hive.h"
#include "hive/internal.h"
#include "io/io.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MISMATCH (-1000) /* callback return: the walk disagreed with the per-call API */

/* ---- building the sample hive ----------------------------------------------------------------- */

static bf_node add_key(bf_hive *h, bf_node parent, const char *name)
{
    bf_node n;
    bf_error e = {0};
    ck_assert_msg(bf_node_add(h, parent, name, &n, &e) == BF_OK, "add %s: %s", name, e.msg);
    return n;
}

static void set_value(bf_hive *h, bf_node n, const char *name, uint32_t type, const void *data, size_t len)
{
    bf_error e = {0};
    ck_assert_msg(bf_node_set_value(h, n, name, type, data, len, &e) == BF_OK, "set %s: %s", name, e.msg);
}

/* `len` bytes of a pattern that differs with `seed` (so two values never match). */
static uint8_t *pattern(size_t len, unsigned seed)
{
    uint8_t *p = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)((i * 31u + seed * 17u + (i >> 8)) & 0xFF);
    return p;
}

static void set_pattern(bf_hive *h, bf_node n, const char *name, uint32_t type, size_t len, unsigned seed)
{
    uint8_t *p = pattern(len, seed);
    set_value(h, n, name, type, p, len);
    free(p);
}

/* Values of every type and size class on key n. */
static void add_all_kinds_of_values(bf_hive *h, bf_node n)
{
    static const uint8_t sz[] = {'d', 0, 'e', 0, 0, 0};
    static const uint8_t multi[] = {'a', 0, 0, 0, 'b', 0, 0, 0, 0, 0};
    set_value(h, n, "", BF_REG_SZ, sz, sizeof sz); /* the default value */
    set_value(h, n, "none0", BF_REG_NONE, "", 0);
    set_value(h, n, "empty_sz", BF_REG_SZ, "", 0);
    set_value(h, n, "sz", BF_REG_SZ, sz, sizeof sz);
    set_value(h, n, "expand", BF_REG_EXPAND_SZ, "%\0P\0%\0\0\0", 8);
    set_value(h, n, "bin1", BF_REG_BINARY, "\x01", 1);
    set_value(h, n, "bin2", BF_REG_BINARY, "\x01\x02", 2);
    set_value(h, n, "bin3", BF_REG_BINARY, "\x01\x02\x03", 3);
    set_value(h, n, "dword", BF_REG_DWORD, "\x78\x56\x34\x12", 4);
    set_value(h, n, "dwbe", BF_REG_DWORD_BIG_ENDIAN, "\x12\x34\x56\x78", 4);
    set_value(h, n, "link", BF_REG_LINK, "\\\0R\0", 4);
    set_value(h, n, "multi", BF_REG_MULTI_SZ, multi, sizeof multi);
    set_pattern(h, n, "res", BF_REG_RESOURCE_LIST, 24, 1);
    set_pattern(h, n, "full", BF_REG_FULL_RESOURCE_DESCRIPTOR, 36, 2);
    set_pattern(h, n, "req", BF_REG_RESOURCE_REQUIREMENTS_LIST, 48, 3);
    set_value(h, n, "qword", BF_REG_QWORD, "\1\2\3\4\5\6\7\x08", 8);
    set_value(h, n, "odd_type", 0x12345678u, "\xAA\xBB", 2);
    set_pattern(h, n, "cell100", BF_REG_BINARY, 100, 4);
    set_pattern(h, n, "big40000", BF_REG_BINARY, 40000, 5);
    set_value(h, n, "Ωμέγα", BF_REG_DWORD, "\1\0\0\0", 4);
    set_value(h, n, "Ünïcödé", BF_REG_DWORD, "\2\0\0\0", 4);
}

/* Key "Big": two big-data values between small ones. */
static void add_big_key(bf_hive *h, bf_node root)
{
    bf_node b = add_key(h, root, "Big");
    set_pattern(h, b, "a_big1", BF_REG_BINARY, 40000, 11);
    set_value(h, b, "b_small4", BF_REG_DWORD, "\x11\x22\x33\x44", 4);
    set_pattern(h, b, "c_big2", BF_REG_BINARY, 20000, 12);
    set_pattern(h, b, "d_small100", BF_REG_BINARY, 100, 13);
    set_value(h, b, "e_small2", BF_REG_BINARY, "\x55\x66", 2);
    set_value(h, b, "f_empty", BF_REG_BINARY, "", 0);
    set_pattern(h, b, "g_big3", BF_REG_BINARY, 16345, 14);
}

/*
 * ROOT (values of every kind)
 *   Alpha \ One \ Deep1 \ Deeper \ Deepest (value v);  Alpha \ Two
 *   Beta \ B1 \ B1x;  Beta \ B2
 *   Ελληνικά \ 日本語, Ελληνικά \ Ünïcödé
 *   Dup \ K1, K2        (exactly two subkeys, for the malformed test)
 *   Big                 (big data values)
 *   Gamma               (nothing)
 *   Wide \ w0000..w1099 (more than one leaf: an ri list)
 */
static bf_hive *build_sample(void)
{
    bf_hive *h;
    bf_error e = {0};
    ck_assert_msg(bf_hive_new(5, "ROOT", &h, &e) == BF_OK, "bf_hive_new: %s", e.msg);
    bf_node root = bf_hive_root(h);
    add_all_kinds_of_values(h, root);

    bf_node alpha = add_key(h, root, "Alpha");
    bf_node one = add_key(h, alpha, "One");
    bf_node d1 = add_key(h, one, "Deep1");
    bf_node d2 = add_key(h, d1, "Deeper");
    bf_node d3 = add_key(h, d2, "Deepest");
    set_value(h, d3, "v", BF_REG_SZ, "x\0\0\0", 4);
    add_key(h, alpha, "Two");

    bf_node beta = add_key(h, root, "Beta");
    bf_node b1 = add_key(h, beta, "B1");
    set_value(h, b1, "b1v", BF_REG_DWORD, "\3\0\0\0", 4);
    add_key(h, b1, "B1x");
    add_key(h, beta, "B2");

    bf_node greek = add_key(h, root, "Ελληνικά");
    bf_node jp = add_key(h, greek, "日本語");
    add_all_kinds_of_values(h, jp);
    add_key(h, greek, "Ünïcödé");

    bf_node dup = add_key(h, root, "Dup");
    add_key(h, dup, "K1");
    add_key(h, dup, "K2");

    add_big_key(h, root);
    add_key(h, root, "Gamma");

    bf_node wide = add_key(h, root, "Wide");
    for (unsigned i = 0; i < 1100; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%04u", (i * 7919u) % 1100u); /* not in sorted order */
        bf_node k = add_key(h, wide, name);
        if (i % 100 == 0)
            set_value(h, k, "i", BF_REG_DWORD, &i, 4);
    }
    return h;
}

static bf_node lookup(bf_hive *h, const char *path)
{
    bf_node n;
    bf_error e = {0};
    ck_assert_msg(bf_node_lookup(h, bf_hive_root(h), path, &n, &e) == BF_OK, "lookup %s: %s", path, e.msg);
    return n;
}

/* The sample serialized and opened again from memory. */
static bf_hive *reopen(bf_hive *h, uint8_t **img, size_t *len)
{
    bf_error e = {0};
    ck_assert_msg(bf_hive_serialize(h, img, len, &e) == BF_OK, "serialize: %s", e.msg);
    bf_hive *r = NULL;
    ck_assert_msg(bf_hive_open_mem("sample.hiv", *img, *len, NULL, 0, BF_OPEN_NO_LOGS, &r, &e) == BF_OK,
                  "open_mem: %s", e.msg);
    return r;
}

/* ---- the expected order: per-call API, explicit stack ------------------------------------------------- */

typedef struct expect_key {
    bf_node node, parent;
    unsigned depth;
    size_t nkids; /* SIZE_MAX when bf_node_children failed on this key */
} expect_key;

typedef struct expectation {
    expect_key *k;
    size_t n, cap;
    int rc; /* BF_OK, or the error of bf_node_children that cut the list short */
    char msg[768];
} expectation;

static void expect_push(expect_key **v, size_t *n, size_t *cap, expect_key k)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *v = realloc(*v, *cap * sizeof **v);
        ck_assert_ptr_nonnull(*v);
    }
    (*v)[(*n)++] = k;
}

/* Depth-first preorder of the subtree at start, subkeys in bf_node_children order. */
static void expect_preorder(bf_hive *h, bf_node start, expectation *x)
{
    expect_key *stack = NULL;
    size_t sn = 0, scap = 0;
    memset(x, 0, sizeof *x);
    expect_push(&stack, &sn, &scap, (expect_key){start, BF_NONE, 0, 0});
    while (sn) {
        expect_key k = stack[--sn];
        bf_node *kids = NULL;
        size_t nk = 0;
        bf_error e = {0};
        int rc = bf_node_children(h, k.node, &kids, &nk, &e);
        k.nkids = rc ? SIZE_MAX : nk;
        expect_push(&x->k, &x->n, &x->cap, k);
        if (rc) {
            x->rc = rc;
            snprintf(x->msg, sizeof x->msg, "%s", e.msg);
            break;
        }
        for (size_t i = nk; i-- > 0;)
            expect_push(&stack, &sn, &scap, (expect_key){kids[i], k.node, k.depth + 1, 0});
        free(kids);
    }
    free(stack);
}

/* ---- comparing each reported key with the per-call API -------------------------------------------------- */

typedef struct eq_ctx {
    bf_hive *h;
    const expectation *x;
    size_t keys, values;
    char msg[1024]; /* the first mismatch */
    size_t bad_len; /* names whose name_len is not strlen(name) */
    char bad_len_msg[512]; /* the first of them */
} eq_ctx;

/* The walk's name (name_len bytes, NUL-terminated) against the per-call
 * API's, which ends at the first NUL: the same up to there, and name_len is
 * strlen unless the name holds a NUL. */
static int same_name(const char *walk, size_t walk_len, const char *per_call)
{
    size_t n = strlen(per_call);
    return strcmp(walk, per_call) == 0 && walk_len >= n && walk[walk_len] == 0 &&
           (walk_len == n || memchr(walk, 0, walk_len) == walk + n);
}

/* A name_len that is not strlen(name): noted (the walk goes on, so that
 * the rest of the hive is still compared) and failed at the end. */
static void note_bad_len(eq_ctx *c, const char *what, const char *name, size_t name_len, size_t per_call)
{
    if (c->bad_len++ == 0)
        snprintf(c->bad_len_msg, sizeof c->bad_len_msg,
                 "key #%zu: %s \"%s\": name_len %zu, but strlen of the name (and of the per-call name) is %zu",
                 c->keys, what, name, name_len, per_call);
}

static int mismatch(eq_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int mismatch(eq_ctx *c, const char *fmt, ...)
{
    va_list ap;
    int at = snprintf(c->msg, sizeof c->msg, "key #%zu: ", c->keys);
    va_start(ap, fmt);
    vsnprintf(c->msg + at, sizeof c->msg - (size_t)at, fmt, ap);
    va_end(ap);
    return MISMATCH;
}

static int compare_value(eq_ctx *c, const bf_walk_value *wv, bf_value v, size_t j)
{
    bf_error e = {0};
    char *name = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    uint32_t type = 0;
    int rc = MISMATCH;
    if (wv->value != v)
        return mismatch(c, "value %zu: handle 0x%x, per-call 0x%x", j, wv->value, v);
    if (bf_value_name(c->h, v, &name, &e) != BF_OK)
        return mismatch(c, "value %zu: bf_value_name failed where the walk read it: %s", j, e.msg);
    if (bf_value_data(c->h, v, &type, &data, &len, &e) != BF_OK) {
        free(name);
        return mismatch(c, "value %zu: bf_value_data failed where the walk read it: %s", j, e.msg);
    }
    if (!wv->name || strcmp(wv->name, name) != 0)
        mismatch(c, "value %zu: name \"%s\", per-call \"%s\"", j, wv->name ? wv->name : "(null)", name);
    else if (wv->type != type)
        mismatch(c, "value %zu (\"%s\"): type %u, per-call %u", j, name, wv->type, type);
    else if (wv->len != len)
        mismatch(c, "value %zu (\"%s\"): %zu data bytes, per-call %zu", j, name, wv->len, len);
    else if (len && (!wv->data || memcmp(wv->data, data, len) != 0))
        mismatch(c, "value %zu (\"%s\"): data of %zu bytes differs", j, name, len);
    else
        rc = 0;
    if (rc == 0 && !same_name(wv->name, wv->name_len, name))
        note_bad_len(c, "value name", name, wv->name_len, strlen(name));
    free(name);
    free(data);
    return rc;
}

static int compare_values(eq_ctx *c, const bf_walk_key *k)
{
    bf_value *vals = NULL;
    size_t n = 0;
    bf_error e = {0};
    if (bf_node_values(c->h, k->node, &vals, &n, &e) != BF_OK)
        return mismatch(c, "bf_node_values failed where the walk read them: %s", e.msg);
    int rc = 0;
    if (n != k->nvalues)
        rc = mismatch(c, "%zu values, per-call %zu", k->nvalues, n);
    else if (n && !k->values)
        rc = mismatch(c, "%zu values but values == NULL", n);
    for (size_t j = 0; j < n && rc == 0; j++)
        rc = compare_value(c, &k->values[j], vals[j], j);
    free(vals);
    c->values += n;
    return rc;
}

static int compare_key(void *ctx, const bf_walk_key *k)
{
    eq_ctx *c = ctx;
    if (c->keys >= c->x->n)
        return mismatch(c, "reported beyond the %zu keys of the preorder (node 0x%x)", c->x->n, k->node);
    const expect_key *x = &c->x->k[c->keys];
    if (k->node != x->node || k->parent != x->parent || k->depth != x->depth)
        return mismatch(c, "node 0x%x parent 0x%x depth %u, expected node 0x%x parent 0x%x depth %u", k->node,
                        k->parent, k->depth, x->node, x->parent, x->depth);
    bf_error e = {0};
    char *name = NULL;
    if (bf_node_name(c->h, k->node, &name, &e) != BF_OK)
        return mismatch(c, "bf_node_name failed where the walk read it: %s", e.msg);
    int rc = 0;
    if (!k->name || strcmp(k->name, name) != 0)
        rc = mismatch(c, "name \"%s\", per-call \"%s\"", k->name ? k->name : "(null)", name);
    else if (!same_name(k->name, k->name_len, name))
        note_bad_len(c, "key name", name, k->name_len, strlen(name));
    free(name);
    if (rc)
        return rc;
    uint64_t ts = 0;
    if (bf_node_timestamp(c->h, k->node, &ts, &e) != BF_OK)
        return mismatch(c, "bf_node_timestamp failed: %s", e.msg);
    if (ts != k->timestamp)
        return mismatch(c, "timestamp 0x%llx, per-call 0x%llx", (unsigned long long)k->timestamp,
                        (unsigned long long)ts);
    if (x->nkids != SIZE_MAX && k->nsubkeys != x->nkids)
        return mismatch(c, "nsubkeys %u, bf_node_children gives %zu", k->nsubkeys, x->nkids);
    rc = compare_values(c, k);
    if (rc == 0)
        c->keys++;
    return rc;
}

/* Every per-call read of every key of the preorder: the first error, or BF_OK. */
static int per_call_read_all(bf_hive *h, const expectation *x, char *msg, size_t cap)
{
    if (x->rc) {
        snprintf(msg, cap, "%s", x->msg);
        return x->rc;
    }
    for (size_t i = 0; i < x->n; i++) {
        bf_error e = {0};
        char *s = NULL;
        bf_value *vals = NULL;
        size_t nv = 0;
        int rc = bf_node_name(h, x->k[i].node, &s, &e);
        free(s);
        if (rc == BF_OK)
            rc = bf_node_values(h, x->k[i].node, &vals, &nv, &e);
        for (size_t j = 0; j < nv && rc == BF_OK; j++) {
            uint8_t *d = NULL;
            size_t len;
            rc = bf_value_name(h, vals[j], &s, &e);
            free(s);
            if (rc == BF_OK)
                rc = bf_value_data(h, vals[j], NULL, &d, &len, &e);
            free(d);
        }
        free(vals);
        if (rc) {
            snprintf(msg, cap, "%s", e.msg);
            return rc;
        }
    }
    return BF_OK;
}

/* Walk from start and compare with the per-call API.  Returns the walk's
 * status; a walk error is accepted only where the per-call API fails too.
 * *keys / *values: how many were compared.  Names whose name_len is not
 * strlen(name) fail at once when bad_len is NULL, else are counted there
 * (the first described in bad_msg). */
static int check_equivalent_noting(bf_hive *h, bf_node start, const char *label, size_t *keys, size_t *values,
                                   size_t *bad_len, char *bad_msg, size_t bad_cap)
{
    expectation x;
    expect_preorder(h, start, &x);
    eq_ctx c = {.h = h, .x = &x};
    bf_error e = {0};
    int rc = bf_hive_walk(h, start, compare_key, &c, &e);
    ck_assert_msg(rc != MISMATCH, "%s: %s", label, c.msg);
    if (rc == BF_OK) {
        ck_assert_msg(x.rc == BF_OK, "%s: the walk succeeded where bf_node_children failed: %s", label, x.msg);
        ck_assert_msg(c.keys == x.n, "%s: the walk reported %zu keys, the preorder has %zu", label, c.keys, x.n);
    } else {
        char why[768];
        ck_assert_msg(rc < 0 && e.code == rc && e.msg[0], "%s: walk rc %d, err.code %d, \"%s\"", label, rc,
                      e.code, e.msg);
        int prc = per_call_read_all(h, &x, why, sizeof why);
        ck_assert_msg(prc != BF_OK, "%s: the walk failed (%s) after %zu keys, the per-call API reads all %zu",
                      label, e.msg, c.keys, x.n);
        printf("walk: %s: refused like the per-call API: %s\n", label, e.msg);
    }
    if (keys)
        *keys = c.keys;
    if (values)
        *values = c.values;
    free(x.k);
    if (!bad_len)
        ck_assert_msg(c.bad_len == 0, "%s: %zu names with a wrong name_len; %s", label, c.bad_len, c.bad_len_msg);
    else if ((*bad_len = c.bad_len) != 0)
        snprintf(bad_msg, bad_cap, "%s", c.bad_len_msg);
    return rc;
}

static int check_equivalent(bf_hive *h, bf_node start, const char *label, size_t *keys, size_t *values)
{
    return check_equivalent_noting(h, start, label, keys, values, NULL, NULL, 0);
}

/* ---- 1. equivalence --------------------------------------------------------------------------------------- */

START_TEST(sample_equals_per_call)
{
    bf_hive *h = build_sample();
    size_t keys, values;
    ck_assert_int_eq(check_equivalent(h, bf_hive_root(h), "sample (new)", &keys, &values), BF_OK);
    ck_assert_uint_eq(keys, 1 + 6 + 4 + 3 + 3 + 1 + 1 + 1 + 1100);
    ck_assert_uint_ge(values, 2 * 21 + 7);

    uint8_t *img;
    size_t len;
    bf_hive *r = reopen(h, &img, &len);
    size_t rkeys, rvalues;
    ck_assert_int_eq(check_equivalent(r, bf_hive_root(r), "sample (reopened)", &rkeys, &rvalues), BF_OK);
    ck_assert_uint_eq(rkeys, keys);
    ck_assert_uint_eq(rvalues, values);
    bf_hive_close(r);
    free(img);
    bf_hive_close(h);
}
END_TEST

/* The start key's own fields, and its nameless parent, when it is not the root. */
static int check_start_fields(void *ctx, const bf_walk_key *k)
{
    int *calls = ctx;
    if ((*calls)++ == 0 && (k->depth != 0 || k->parent != BF_NONE))
        return -77;
    return 0;
}

START_TEST(walk_below_root)
{
    bf_hive *h = build_sample();
    static const char *const starts[] = {"Alpha", "Alpha\\One\\Deep1", "Ελληνικά", "Ελληνικά\\日本語",
                                         "Big", "Gamma", "Wide", "Alpha\\One\\Deep1\\Deeper\\Deepest"};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        bf_node n = lookup(h, starts[i]);
        size_t keys;
        ck_assert_int_eq(check_equivalent(h, n, starts[i], &keys, NULL), BF_OK);
        ck_assert_uint_ge(keys, 1);
        int calls = 0;
        bf_error e = {0};
        ck_assert_msg(bf_hive_walk(h, n, check_start_fields, &calls, &e) == BF_OK,
                      "%s: start key not at depth 0 with parent BF_NONE", starts[i]);
        ck_assert_uint_eq(calls, keys);
    }
    /* counts that must come out of the sample's shape */
    size_t keys;
    check_equivalent(h, lookup(h, "Alpha"), "Alpha", &keys, NULL);
    ck_assert_uint_eq(keys, 6);
    check_equivalent(h, lookup(h, "Gamma"), "Gamma", &keys, NULL);
    ck_assert_uint_eq(keys, 1);
    check_equivalent(h, lookup(h, "Wide"), "Wide", &keys, NULL);
    ck_assert_uint_eq(keys, 1101);
    bf_hive_close(h);
}
END_TEST

START_TEST(corpus_equals_per_call)
{
    char eb[256];
    corpus_manifest *m = corpus_manifest_load(eb, sizeof eb);
    if (!m) {
        ck_assert_msg(eb[0] == 0, "manifest: %s", eb);
        corpus_skip_note("walk over the corpus");
        return;
    }
    size_t hives = 0, refused_open = 0, refused_walk = 0, all_keys = 0, all_values = 0;
    char report[4096] = "";
    size_t bad_hives = 0;
    for (size_t i = 0; i < m->n; i++) {
        const corpus_entry *ce = &m->e[i];
        if (!corpus_is_primary(ce))
            continue;
        bf_hive *h = NULL;
        bf_error e = {0};
        if (bf_hive_open(ce->path, BF_OPEN_NO_LOGS, &h, &e) != BF_OK) {
            printf("walk: %s: not opened: %s\n", ce->relpath, e.msg);
            refused_open++;
            continue;
        }
        size_t keys = 0, values = 0, bad = 0;
        char bad_msg[512];
        if (check_equivalent_noting(h, bf_hive_root(h), ce->relpath, &keys, &values, &bad, bad_msg,
                                    sizeof bad_msg) != BF_OK)
            refused_walk++;
        else
            printf("walk: %s: %zu keys, %zu values\n", ce->relpath, keys, values);
        if (bad) {
            size_t used = strlen(report);
            snprintf(report + used, sizeof report - used, "\n  %s: %zu names; %s", ce->relpath, bad, bad_msg);
            bad_hives++;
        }
        hives++;
        all_keys += keys;
        all_values += values;
        bf_hive_close(h);
    }
    printf("walk: corpus: %zu hives walked (%zu refused by the walk and the per-call API alike), "
           "%zu not opened; %zu keys, %zu values compared\n",
           hives, refused_walk, refused_open, all_keys, all_values);
    ck_assert_uint_gt(hives, 0);
    corpus_manifest_free(m);
    ck_assert_msg(bad_hives == 0, "%zu hives with a name_len that is not strlen(name):%s", bad_hives, report);
}
END_TEST

/* The hives the brief names, found even without the manifest's help. */
START_TEST(named_corpus_hives)
{
    static const char *const rel[] = {
        "hives/regipy/regipy_tests/data/SYSTEM", "hives/dissect.regf/tests/_data/SYSTEM",
        "hives/qthivex/hives/SYSTEM", "hives/yarp/hives_for_tests/System_Delta",
        "hives/regipy/regipy_tests/data/SYSTEM_WIN_10_1709"};
    if (!corpus_dir()) {
        corpus_skip_note("walk over named corpus hives");
        return;
    }
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char *p = corpus_path(rel[i]);
        ck_assert_msg(p != NULL, "%s missing from the corpus", rel[i]);
        bf_hive *h = NULL;
        bf_error e = {0};
        ck_assert_msg(bf_hive_open(p, BF_OPEN_NO_LOGS, &h, &e) == BF_OK, "%s: %s", rel[i], e.msg);
        size_t keys, values;
        ck_assert_int_eq(check_equivalent(h, bf_hive_root(h), rel[i], &keys, &values), BF_OK);
        ck_assert_msg(keys > 100, "%s: only %zu keys", rel[i], keys);
        /* and a walk from a key below the root: its first subkey that has subkeys */
        bf_node *kids = NULL;
        size_t nk = 0;
        ck_assert_int_eq(bf_node_children(h, bf_hive_root(h), &kids, &nk, &e), BF_OK);
        for (size_t k = 0; k < nk; k++) {
            bf_node *g = NULL;
            size_t ng = 0;
            ck_assert_int_eq(bf_node_children(h, kids[k], &g, &ng, &e), BF_OK);
            free(g);
            if (ng) {
                ck_assert_int_eq(check_equivalent(h, kids[k], rel[i], NULL, NULL), BF_OK);
                break;
            }
        }
        free(kids);
        bf_hive_close(h);
        free(p);
    }
}
END_TEST

/* ---- 2. BF_WALK_SKIP and stopping ------------------------------------------------------------------------- */

typedef struct record_ctx {
    bf_node skip; /* answer BF_WALK_SKIP for this key */
    size_t stop_at; /* answer -42 at this call (1-based; 0: never) */
    bf_node *seen;
    size_t n, cap;
} record_ctx;

static int record_key(void *ctx, const bf_walk_key *k)
{
    record_ctx *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->seen = realloc(r->seen, r->cap * sizeof *r->seen);
        if (!r->seen)
            return -99;
    }
    r->seen[r->n++] = k->node;
    if (r->stop_at && r->n == r->stop_at)
        return -42;
    return k->node == r->skip ? BF_WALK_SKIP : 0;
}

/* The preorder from start without the keys below `skip`. */
static size_t preorder_skipping(bf_hive *h, bf_node start, bf_node skip, bf_node *out, size_t cap)
{
    expectation x;
    expect_preorder(h, start, &x);
    ck_assert_int_eq(x.rc, BF_OK);
    size_t n = 0;
    for (size_t i = 0; i < x.n; i++) {
        ck_assert_uint_lt(n, cap);
        out[n++] = x.k[i].node;
        if (x.k[i].node == skip) {
            unsigned d = x.k[i].depth;
            while (i + 1 < x.n && x.k[i + 1].depth > d)
                i++;
        }
    }
    free(x.k);
    return n;
}

static void expect_walk_skipping(bf_hive *h, bf_node start, bf_node skip, const char *what)
{
    static bf_node want[4096];
    size_t nwant = preorder_skipping(h, start, skip, want, sizeof want / sizeof want[0]);
    record_ctx r = {.skip = skip};
    bf_error e = {0};
    ck_assert_msg(bf_hive_walk(h, start, record_key, &r, &e) == BF_OK, "%s: %s", what, e.msg);
    ck_assert_msg(r.n == nwant, "%s: %zu keys reported, want %zu", what, r.n, nwant);
    for (size_t i = 0; i < nwant; i++)
        ck_assert_msg(r.seen[i] == want[i], "%s: key #%zu is 0x%x, want 0x%x", what, i, r.seen[i], want[i]);
    free(r.seen);
}

START_TEST(skip_leaves_out_subtree_only)
{
    bf_hive *h = build_sample();
    bf_node root = bf_hive_root(h), beta = lookup(h, "Beta");
    bf_node hidden[] = {lookup(h, "Beta\\B1"), lookup(h, "Beta\\B1\\B1x"), lookup(h, "Beta\\B2")};
    expect_walk_skipping(h, root, beta, "skip Beta");

    /* Beta is reported, none of its subkeys are, and its next sibling follows it */
    record_ctx r = {.skip = beta};
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_walk(h, root, record_key, &r, &e), BF_OK);
    size_t at = SIZE_MAX;
    for (size_t i = 0; i < r.n; i++) {
        for (size_t j = 0; j < 3; j++)
            ck_assert_msg(r.seen[i] != hidden[j], "a subkey of the skipped key was reported");
        if (r.seen[i] == beta)
            at = i;
    }
    ck_assert_uint_ne(at, SIZE_MAX);
    bf_node *kids;
    size_t nk;
    ck_assert_int_eq(bf_node_children(h, root, &kids, &nk, &e), BF_OK);
    for (size_t i = 0; i + 1 < nk; i++)
        if (kids[i] == beta)
            ck_assert_msg(r.seen[at + 1] == kids[i + 1], "the key after the skipped one is not its next sibling");
    ck_assert_uint_eq(r.n, 1 + 6 + 4 + 3 + 3 + 1 + 1 + 1 + 1100 - 3);
    free(kids);
    free(r.seen);

    expect_walk_skipping(h, root, lookup(h, "Alpha\\One"), "skip Alpha\\One");
    expect_walk_skipping(h, root, lookup(h, "Wide"), "skip Wide");
    expect_walk_skipping(h, root, lookup(h, "Gamma"), "skip a key without subkeys");
    expect_walk_skipping(h, root, lookup(h, "Wide\\w0500"), "skip a leaf under an ri list");
    expect_walk_skipping(h, beta, beta, "skip the start key");
    r = (record_ctx){.skip = root};
    ck_assert_int_eq(bf_hive_walk(h, root, record_key, &r, &e), BF_OK);
    ck_assert_uint_eq(r.n, 1);
    free(r.seen);
    bf_hive_close(h);
}
END_TEST

START_TEST(negative_return_stops)
{
    bf_hive *h = build_sample();
    bf_node root = bf_hive_root(h);
    expectation x;
    expect_preorder(h, root, &x);
    static const size_t stops[] = {1, 2, 3, 7, 500, 1118};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        record_ctx r = {.skip = BF_NONE, .stop_at = stops[i]};
        bf_error e = {0};
        int rc = bf_hive_walk(h, root, record_key, &r, &e);
        ck_assert_msg(rc == -42, "stop at call %zu: walk returned %d, want -42", stops[i], rc);
        ck_assert_uint_eq(r.n, stops[i]);
        for (size_t j = 0; j < r.n; j++)
            ck_assert_uint_eq(r.seen[j], x.k[j].node);
        free(r.seen);
    }
    /* the last key: stopping there still returns the callback's number */
    record_ctx r = {.skip = BF_NONE, .stop_at = x.n};
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_walk(h, root, record_key, &r, &e), -42);
    ck_assert_uint_eq(r.n, x.n);
    free(r.seen);
    free(x.k);
    bf_hive_close(h);
}
END_TEST

/* ---- 3. malformed input ---------------------------------------------------------------------------------------- */

static int count_keys(void *ctx, const bf_walk_key *k)
{
    (void)k;
    (*(size_t *)ctx)++;
    return 0;
}

static uint8_t *img_cell(uint8_t *img, uint32_t off) { return img + REGF_BASE_BLOCK + off + 4; }

/* Open crafted bytes and walk from the root: the walk's status and message. */
static int walk_crafted(const uint8_t *img, size_t len, bf_error *e, size_t *calls)
{
    bf_hive *h = NULL;
    *calls = 0;
    ck_assert_msg(bf_hive_open_mem("crafted.hiv", img, len, NULL, 0, BF_OPEN_NO_LOGS, &h, e) == BF_OK,
                  "open_mem: %s", e->msg);
    int rc = bf_hive_walk(h, bf_hive_root(h), count_keys, calls, e);
    bf_hive_close(h);
    return rc;
}

static void expect_format(int rc, const bf_error *e, const char *needle, const char *what)
{
    ck_assert_msg(rc == BF_ERR_FORMAT, "%s: rc %d (%s), want BF_ERR_FORMAT", what, rc, e->msg);
    ck_assert_int_eq(e->code, BF_ERR_FORMAT);
    ck_assert_msg(strstr(e->msg, needle), "%s: message lacks \"%s\": %s", what, needle, e->msg);
    ck_assert_msg(strstr(e->msg, "crafted.hiv"), "%s: message lacks the name: %s", what, e->msg);
}

START_TEST(child_listed_twice)
{
    bf_hive *h = build_sample();
    bf_node dup = lookup(h, "Dup"), k1 = lookup(h, "Dup\\K1");
    uint8_t *img;
    size_t len;
    bf_hive *r = reopen(h, &img, &len);
    bf_hive_close(r);
    uint8_t *nk = img_cell(img, dup);
    ck_assert_uint_eq(rd32(nk + NK_NSUBKEYS), 2);
    uint8_t *list = img_cell(img, rd32(nk + NK_SUBKEYS));
    ck_assert_msg((list[0] == 'l' && (list[1] == 'h' || list[1] == 'f')), "Dup's list is not lf/lh");
    ck_assert_uint_eq(rd16(list + 2), 2);
    ck_assert_uint_eq(rd32(list + 4), k1);
    wr32(list + 12, rd32(list + 4)); /* second entry: the first child again */
    wr32(list + 16, rd32(list + 8));

    bf_error e = {0};
    size_t calls;
    int rc = walk_crafted(img, len, &e, &calls);
    expect_format(rc, &e, "listed twice", "child listed twice");
    char off[32];
    snprintf(off, sizeof off, "0x%llx", (unsigned long long)k1 + REGF_BASE_BLOCK);
    ck_assert_msg(strstr(e.msg, off), "message does not name the key's offset %s: %s", off, e.msg);

    /* and from Dup itself */
    bf_hive *c = NULL;
    ck_assert_int_eq(bf_hive_open_mem("crafted.hiv", img, len, NULL, 0, BF_OPEN_NO_LOGS, &c, &e), BF_OK);
    calls = 0;
    rc = bf_hive_walk(c, dup, count_keys, &calls, &e);
    expect_format(rc, &e, "listed twice", "child listed twice, walk from its parent");
    ck_assert_uint_eq(calls, 1); /* Dup itself was reported, then its list refused */
    bf_hive_close(c);
    free(img);
    bf_hive_close(h);
}
END_TEST

/* The first free cell of the image (cell index), scanning the bins. */
static uint32_t find_free_cell(const uint8_t *img, size_t len)
{
    size_t pos = REGF_BASE_BLOCK;
    while (pos + REGF_BIN_HDR <= len && memcmp(img + pos, "hbin", 4) == 0) {
        uint32_t size = rd32(img + pos + 8);
        ck_assert_uint_ge(size, REGF_BIN_ALIGN);
        for (size_t c = pos + REGF_BIN_HDR; c < pos + size;) {
            int32_t cs = (int32_t)rd32(img + c);
            if (cs > 0)
                return (uint32_t)(c - REGF_BASE_BLOCK);
            ck_assert_int_ne(cs, 0);
            c += (size_t)(cs < 0 ? -(int64_t)cs : cs);
        }
        pos += size;
    }
    ck_abort_msg("no free cell in the image");
    return 0;
}

static void expect_names_offset(const bf_error *e, uint32_t cell, const char *what)
{
    char off[32];
    snprintf(off, sizeof off, "0x%llx", (unsigned long long)cell + REGF_BASE_BLOCK);
    ck_assert_msg(strstr(e->msg, off), "%s: message does not name offset %s: %s", what, off, e->msg);
}

START_TEST(value_list_at_free_cell)
{
    bf_hive *h = build_sample();
    /* a free cell to point at: delete a value with a one-cell datum */
    bf_error e = {0};
    ck_assert_int_eq(bf_node_delete_value(h, lookup(h, "Big"), "d_small100", &e), BF_OK);
    bf_node deepest = lookup(h, "Alpha\\One\\Deep1\\Deeper\\Deepest");
    bf_node jp = lookup(h, "Ελληνικά\\日本語");
    uint8_t *img;
    size_t len;
    bf_hive *r = reopen(h, &img, &len);
    bf_hive_close(r);
    uint32_t fc = find_free_cell(img, len);
    uint8_t *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    size_t calls;

    /* the value list itself is a free cell */
    memcpy(copy, img, len);
    ck_assert_uint_eq(rd32(img_cell(copy, deepest) + NK_NVALUES), 1);
    wr32(img_cell(copy, deepest) + NK_VALUES, fc);
    int rc = walk_crafted(copy, len, &e, &calls);
    expect_format(rc, &e, "free", "value list at a free cell");
    expect_names_offset(&e, fc, "value list at a free cell");

    /* the value list in the middle of a cell (an nk's fields) */
    memcpy(copy, img, len);
    wr32(img_cell(copy, deepest) + NK_VALUES, jp + 8);
    rc = walk_crafted(copy, len, &e, &calls);
    expect_format(rc, &e, "not the start of a cell", "value list inside a cell");
    expect_names_offset(&e, jp + 8, "value list inside a cell");

    /* one entry of a value list: a free cell, then a non-cell offset, then out of range */
    const uint32_t bad[] = {fc, jp + 8, 0x7FFFFFF8u, REGF_NIL, (uint32_t)(len - REGF_BASE_BLOCK)};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(copy, img, len);
        uint8_t *vl = img_cell(copy, rd32(img_cell(copy, jp) + NK_VALUES));
        wr32(vl + 4 * 3, bad[i]);
        rc = walk_crafted(copy, len, &e, &calls);
        ck_assert_msg(rc == BF_ERR_FORMAT, "value entry 0x%x: rc %d (%s)", bad[i], rc, e.msg);
        if (bad[i] != REGF_NIL)
            expect_names_offset(&e, bad[i], "bad value entry");
        ck_assert_uint_gt(calls, 0); /* keys before 日本語 were reported */
    }

    /* the value count larger than the list cell */
    memcpy(copy, img, len);
    wr32(img_cell(copy, deepest) + NK_NVALUES, 5000);
    rc = walk_crafted(copy, len, &e, &calls);
    ck_assert_msg(rc == BF_ERR_FORMAT, "value count past its cell: rc %d (%s)", rc, e.msg);

    free(copy);
    free(img);
    bf_hive_close(h);
}
END_TEST

START_TEST(subkey_entry_out_of_range)
{
    bf_hive *h = build_sample();
    bf_node dup = lookup(h, "Dup"), jp = lookup(h, "Ελληνικά\\日本語");
    uint8_t *img;
    size_t len;
    bf_hive *r = reopen(h, &img, &len);
    bf_hive_close(r);
    uint32_t fc = find_free_cell(img, len);
    const uint32_t bad[] = {0x7FFFFFF8u, REGF_NIL, (uint32_t)(len - REGF_BASE_BLOCK), fc, jp + 8,
                            rd32(img_cell(img, jp) + NK_VALUES)};
    uint8_t *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(copy, img, len);
        uint8_t *list = img_cell(copy, rd32(img_cell(copy, dup) + NK_SUBKEYS));
        wr32(list + 12, bad[i]);
        bf_error e = {0};
        size_t calls;
        int rc = walk_crafted(copy, len, &e, &calls);
        ck_assert_msg(rc == BF_ERR_FORMAT, "subkey entry 0x%x: rc %d (%s)", bad[i], rc, e.msg);
        ck_assert_msg(strstr(e.msg, "crafted.hiv"), "message lacks the name: %s", e.msg);
    }
    free(copy);
    free(img);
    bf_hive_close(h);
}
END_TEST

START_TEST(bad_arguments)
{
    bf_hive *h = build_sample();
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_walk(h, bf_hive_root(h), NULL, NULL, &e), BF_ERR_INVALID);
    ck_assert_int_eq(e.code, BF_ERR_INVALID);
    ck_assert_int_eq(bf_hive_walk(h, bf_hive_root(h), NULL, NULL, NULL), BF_ERR_INVALID);
    size_t calls = 0;
    /* a start that is not a key: a value, BF_NONE, past the end */
    bf_value v;
    ck_assert_int_eq(bf_node_get_value(h, bf_hive_root(h), "dword", &v, &e), BF_OK);
    const uint32_t starts[] = {v, BF_NONE, 0x7FFFFFF8u, bf_hive_root(h) + 8};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        int rc = bf_hive_walk(h, starts[i], count_keys, &calls, &e);
        ck_assert_msg(rc == BF_ERR_FORMAT, "start 0x%x: rc %d (%s)", starts[i], rc, e.msg);
        rc = bf_hive_walk(h, starts[i], count_keys, &calls, NULL);
        ck_assert_int_eq(rc, BF_ERR_FORMAT);
    }
    ck_assert_uint_eq(calls, 0);
    bf_hive_close(h);
}
END_TEST

/* Keys at levels 513 and 514 (the root is level 1), made as test_limits
 * does: X\\Y moved under the deepest key of a 511-key chain. */
static uint8_t *too_deep_image(size_t *len, bf_node *first, bf_node *y)
{
    bf_hive *h;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_new(5, "ROOT", &h, &e), BF_OK);
    bf_node n = bf_hive_root(h);
    for (unsigned i = 0; i < BF_LIMIT_KEY_DEPTH - 1; i++) {
        n = add_key(h, n, "a");
        if (i == 0)
            *first = n;
    }
    bf_node x = add_key(h, bf_hive_root(h), "X");
    *y = add_key(h, x, "Y");
    add_key(h, *y, "Z");
    uint8_t *img;
    ck_assert_int_eq(bf_hive_serialize(h, &img, len, &e), BF_OK);
    bf_hive_close(h);
    uint8_t *d = img_cell(img, n), *xn = img_cell(img, x);
    wr32(d + NK_NSUBKEYS, 1);
    wr32(d + NK_SUBKEYS, rd32(xn + NK_SUBKEYS));
    wr32(d + NK_MAXNAME, 2);
    wr32(xn + NK_NSUBKEYS, 0);
    wr32(xn + NK_SUBKEYS, REGF_NIL);
    wr32(xn + NK_MAXNAME, 0);
    wr32(img_cell(img, *y) + NK_PARENT, n);
    return img;
}

typedef struct depth_ctx {
    bf_node y;
    size_t calls;
    unsigned max_depth;
    int saw_y;
} depth_ctx;

static int note_depth(void *ctx, const bf_walk_key *k)
{
    depth_ctx *c = ctx;
    c->calls++;
    if (k->depth > c->max_depth)
        c->max_depth = k->depth;
    c->saw_y |= k->node == c->y;
    return 0;
}

START_TEST(deeper_than_the_limit)
{
    size_t len;
    bf_node first, y;
    uint8_t *img = too_deep_image(&len, &first, &y);
    bf_hive *h = NULL;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_open_mem("crafted.hiv", img, len, NULL, 0, BF_OPEN_NO_LOGS, &h, &e), BF_OK);
    depth_ctx c = {.y = y};
    int rc = bf_hive_walk(h, bf_hive_root(h), note_depth, &c, &e);
    ck_assert_msg(rc == BF_ERR_LIMIT, "rc %d (%s), want BF_ERR_LIMIT", rc, e.msg);
    ck_assert_msg(strstr(e.msg, "deeper than 512 levels") && strstr(e.msg, "crafted.hiv"), "%s", e.msg);
    ck_assert(!c.saw_y);
    ck_assert_uint_eq(c.max_depth, BF_LIMIT_KEY_DEPTH - 1); /* level 512, the deepest allowed, was reported */
    ck_assert_uint_ge(c.calls, BF_LIMIT_KEY_DEPTH);
    /* the same key is out of reach of bf_node_lookup too */
    bf_node n;
    ck_assert_int_eq(bf_node_lookup(h, bf_hive_root(h), "X", &n, &e), BF_OK);
    bf_hive_close(h);
    free(img);
}
END_TEST

/* A key name and a value name holding U+0000 (real hives have them:
 * "SAC\0" in a SECURITY hive, "zero\0key" in hivex's images/special).
 * The per-call API gives the name up to the NUL; the walk gives it whole:
 * name_len counts the NUL and what follows. */
static int find_nul_names(void *ctx, const bf_walk_key *k)
{
    char *msg = ctx;
    if (k->name[0] == 'K' && k->name_len == 2 && memcmp(k->name, "K\0", 3) == 0)
        msg[0] = 'k';
    for (size_t i = 0; i < k->nvalues; i++)
        if (k->values[i].name_len == 4 && memcmp(k->values[i].name, "b\0n1", 5) == 0)
            msg[1] = 'v';
    return 0;
}

START_TEST(nul_inside_names)
{
    bf_hive *h = build_sample();
    bf_node k1 = lookup(h, "Dup\\K1");
    bf_value v;
    bf_error e = {0};
    ck_assert_int_eq(bf_node_get_value(h, bf_hive_root(h), "bin1", &v, &e), BF_OK);
    uint8_t *img;
    size_t len;
    bf_hive *r = reopen(h, &img, &len);
    bf_hive_close(r);
    uint8_t *nk = img_cell(img, k1), *vk = img_cell(img, v);
    ck_assert(rd16(nk + NK_FLAGS) & NK_F_COMP_NAME);
    ck_assert_uint_eq(rd16(nk + NK_NAMELEN), 2);
    nk[NK_NAME + 1] = 0; /* "K1" -> "K\0" */
    ck_assert(rd16(vk + VK_FLAGS) & VK_F_COMP_NAME);
    ck_assert_uint_eq(rd16(vk + VK_NAMELEN), 4);
    vk[VK_NAME + 1] = 0; /* "bin1" -> "b\0n1" */
    bf_hive *c = NULL;
    ck_assert_int_eq(bf_hive_open_mem("crafted.hiv", img, len, NULL, 0, BF_OPEN_NO_LOGS, &c, &e), BF_OK);
    char *name;
    ck_assert_int_eq(bf_node_name(c, k1, &name, &e), BF_OK);
    ck_assert_str_eq(name, "K");
    free(name);
    char msg[2] = {0, 0};
    ck_assert_int_eq(bf_hive_walk(c, bf_hive_root(c), find_nul_names, msg, &e), BF_OK);
    ck_assert_msg(msg[0] == 'k', "the key name \"K\\0\" is not reported whole (name_len 2)");
    ck_assert_msg(msg[1] == 'v', "the value name \"b\\0n1\" is not reported whole (name_len 4)");
    bf_hive_close(c);
    free(img);
    bf_hive_close(h);
}
END_TEST

/* ---- 4. allocation failures ---------------------------------------------------------------------------------------- */

static void walk_with_failing_allocations(bf_hive *h, bf_node start, const char *what)
{
    size_t full = 0;
    bf_error e = {0};
    ck_assert_int_eq(bf_hive_walk(h, start, count_keys, &full, &e), BF_OK);
    unsigned long n;
    int failed = 0;
    for (n = 1; n < 100000; n++) {
        size_t calls = 0;
        bf_io_fail_alloc_at(n);
        int rc = bf_hive_walk(h, start, count_keys, &calls, &e);
        unsigned long ran = bf_io_fail_alloc_at(0);
        if (rc == BF_OK) {
            ck_assert_msg(ran < n, "%s: allocation %lu failed (of %lu) but the walk returned BF_OK", what, n,
                          ran);
            ck_assert_uint_eq(calls, full);
            break;
        }
        ck_assert_msg(rc == BF_ERR_NOMEM, "%s: allocation %lu failing gave rc %d (%s)", what, n, rc, e.msg);
        ck_assert_int_eq(e.code, BF_ERR_NOMEM);
        ck_assert_uint_le(calls, full);
        failed++;
    }
    ck_assert_msg(failed > 0, "%s: no allocation to fail", what);
    printf("walk: %s: %d allocations made to fail in turn, then %lu allocations ran\n", what, failed, n - 1);
}

START_TEST(allocation_failures)
{
    bf_hive *h = build_sample();
    walk_with_failing_allocations(h, bf_hive_root(h), "sample");
    walk_with_failing_allocations(h, lookup(h, "Big"), "sample Big");
    uint8_t *img;
    size_t len;
    bf_hive *r = reopen(h, &img, &len);
    walk_with_failing_allocations(r, bf_hive_root(r), "sample reopened");
    bf_hive_close(r);
    free(img);
    bf_hive_close(h);

    char *p = corpus_path("hives/dissect.regf/tests/_data/SYSTEM");
    if (!p) {
        corpus_skip_note("allocation failures on a corpus hive");
        return;
    }
    bf_hive *c = NULL;
    bf_error e = {0};
    ck_assert_msg(bf_hive_open(p, BF_OPEN_NO_LOGS, &c, &e) == BF_OK, "%s", e.msg);
    walk_with_failing_allocations(c, bf_hive_root(c), "dissect.regf SYSTEM");
    bf_hive_close(c);
    free(p);
}
END_TEST

/* ---- 5. pointers valid during the callback ---------------------------------------------------------------------------- */

typedef struct copy_ctx {
    bf_node want;
    size_t n;
    bf_value value[16];
    char *name[16];
    uint8_t *data[16];
    size_t len[16];
    uint32_t type[16];
} copy_ctx;

static int copy_values(void *ctx, const bf_walk_key *k)
{
    copy_ctx *c = ctx;
    if (k->node != c->want)
        return 0;
    if (k->nvalues > 16)
        return -99;
    for (size_t i = 0; i < k->nvalues; i++) {
        const bf_walk_value *v = &k->values[i];
        c->value[i] = v->value;
        c->name[i] = strdup(v->name);
        c->data[i] = malloc(v->len ? v->len : 1);
        if (!c->name[i] || !c->data[i])
            return -98;
        if (v->len)
            memcpy(c->data[i], v->data, v->len);
        c->len[i] = v->len;
        c->type[i] = v->type;
        c->n = i + 1;
    }
    return 0;
}

static void expect_copies_valid(bf_hive *h, bf_node start, bf_node big, const char *what)
{
    copy_ctx c = {.want = big};
    bf_error e = {0};
    ck_assert_msg(bf_hive_walk(h, start, copy_values, &c, &e) == BF_OK, "%s: %s", what, e.msg);
    ck_assert_uint_eq(c.n, 7);
    size_t bigs = 0;
    for (size_t i = 0; i < c.n; i++) {
        uint8_t *d;
        size_t len;
        uint32_t type;
        char *name;
        ck_assert_int_eq(bf_value_name(h, c.value[i], &name, &e), BF_OK);
        ck_assert_str_eq(c.name[i], name);
        ck_assert_int_eq(bf_value_data(h, c.value[i], &type, &d, &len, &e), BF_OK);
        ck_assert_msg(len == c.len[i] && type == c.type[i], "%s: value %s: %zu bytes type %u, per-call %zu %u",
                      what, name, c.len[i], c.type[i], len, type);
        ck_assert_msg(len == 0 || memcmp(d, c.data[i], len) == 0,
                      "%s: value %s: the data seen during the callback differs from bf_value_data", what, name);
        bigs += len > REGF_BIG_SEGMENT;
        free(d);
        free(name);
        free(c.name[i]);
        free(c.data[i]);
    }
    ck_assert_uint_eq(bigs, 3);
}

START_TEST(pointers_valid_during_callback)
{
    bf_hive *h = build_sample();
    bf_node big = lookup(h, "Big");
    expect_copies_valid(h, big, big, "walk from Big");
    expect_copies_valid(h, bf_hive_root(h), big, "walk from the root");
    uint8_t *img;
    size_t len;
    bf_hive *r = reopen(h, &img, &len);
    expect_copies_valid(r, bf_hive_root(r), big, "reopened");
    bf_hive_close(r);
    free(img);
    bf_hive_close(h);
}
END_TEST

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* the summaries, even from a test that then fails */
    Suite *s = suite_create("walk");
    TCase *tc = tcase_create("walk");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sample_equals_per_call);
    tcase_add_test(tc, walk_below_root);
    tcase_add_test(tc, skip_leaves_out_subtree_only);
    tcase_add_test(tc, negative_return_stops);
    tcase_add_test(tc, child_listed_twice);
    tcase_add_test(tc, value_list_at_free_cell);
    tcase_add_test(tc, subkey_entry_out_of_range);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, nul_inside_names);
    tcase_add_test(tc, deeper_than_the_limit);
    tcase_add_test(tc, allocation_failures);
    tcase_add_test(tc, pointers_valid_during_callback);
    suite_add_tcase(s, tc);
    TCase *tcc = tcase_create("corpus");
    tcase_set_timeout(tcc, 1800);
    tcase_add_test(tcc, named_corpus_hives);
    tcase_add_test(tcc, corpus_equals_per_call);
    suite_add_tcase(s, tcc);
    return test_run_suite(s);
}
