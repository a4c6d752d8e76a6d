/*
 * test_bcd_store.c — BCD stores, objects and elements (lib/bcd/store.c,
 * lib/bcd/element.c).
 *
 *   - every corpus store opens, and bf_bcd_objects / bf_bcd_elements list
 *     exactly the objects and Element values hivex sees under Objects (same
 *     count, types and raw bytes); counts and invalid elements are printed;
 *   - {default} resolves through {bootmgr}'s 23000003; {current} is refused;
 *   - decode rules: short integers (win10iso timeout = 1 byte 0x1e), a string
 *     with bytes after its NUL (amitraky), and hand-made invalid values;
 *   - writes on a copy of a corpus store and on a new store: the committed
 *     file, walked by hivex and libregf, equals the original walk with exactly
 *     the intended records changed, and bf_hive_check finds no problem;
 *   - bf_bcd_new + commit is structurally the bcdedit /createstore template;
 *   - effective values through inherit chains, including a cycle.
 */
#include "common/corpus.h"
#include "common/files.h"
#include "common/oracle.h"

#include "bcd/internal.h"
#include "bootfix/bcd.h"

#include "common/runner.h"
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define BOOTMGR "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
#define BITPIXIE_DEFAULT "{e9f88ef3-fa6f-11eb-a962-ef6fc553cae8}"

static char g_diff[4096];

/* ---- helpers --------------------------------------------------------------- */

static const char *bcd_corpus(void)
{
    static char buf[1024];
    const char *d = corpus_dir();
    if (!d)
        return NULL;
    snprintf(buf, sizeof buf, "%s/bcd", d);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

static char *corpus_file(const char *name)
{
    char rel[512];
    snprintf(rel, sizeof rel, "bcd/%s", name);
    return corpus_path(rel);
}

static bf_guid G(const char *text)
{
    bf_guid g;
    ck_assert_msg(bf_guid_parse(text, &g) == 0, "bad GUID in test: %s", text);
    return g;
}

static const char *T(const bf_guid *g)
{
    static char buf[4][BF_GUID_TEXT];
    static int i;
    i = (i + 1) % 4;
    bf_guid_format(g, buf[i]);
    return buf[i];
}

static char *mktmp(void)
{
    char *d = strdup("/tmp/bf_bcd_store_XXXXXX");
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void no_problem(void *ctx, uint64_t off, const char *problem)
{
    (void)ctx;
    fprintf(stderr, "hive check problem at %#llx: %s\n", (unsigned long long)off, problem);
}

/* The committed file: no checker problem. */
static void assert_hive_clean(const char *path)
{
    bf_hive *h;
    bf_error err;
    ck_assert_msg(bf_hive_open(path, 0, &h, &err) == 0, "%s", err.msg);
    int n = bf_hive_check(h, no_problem, NULL, &err);
    ck_assert_msg(n == 0, "%s: bf_hive_check found %d problems (%s)", path, n,
                  n < 0 ? err.msg : "see stderr");
    bf_hive_close(h);
}

/* "Objects\{guid}\Elements\xxxxxxxx" split; 1 when it is such a path. */
static int element_path(const char *path, char *guid, size_t gl, char *code, size_t cl)
{
    const char *p = path;
    if (strncmp(p, "Objects\\", 8))
        return 0;
    p += 8;
    const char *a = strchr(p, '\\');
    if (!a || strncmp(a, "\\Elements\\", 10))
        return 0;
    const char *c = a + 10;
    if (strchr(c, '\\') || (size_t)(a - p) >= gl || strlen(c) >= cl)
        return 0;
    memcpy(guid, p, (size_t)(a - p));
    guid[a - p] = 0;
    strcpy(code, c);
    return 1;
}

/* ---- corpus: objects and elements equal what hivex sees -------------------------- */

typedef struct ref_el {
    char guid[64];
    uint32_t code;
    const oracle_rec *r;
} ref_el;

static int ref_cmp(const void *a, const void *b)
{
    const ref_el *x = a, *y = b;
    int c = strcasecmp(x->guid, y->guid);
    if (c)
        return c;
    return x->code < y->code ? -1 : x->code > y->code;
}

/* Element values hivex sees under Objects\{GUID}\Elements\<hex>. */
static ref_el *hivex_elements(const oracle_walk *w, size_t *n, size_t *nobj)
{
    ref_el *v = calloc(w->n + 1, sizeof *v);
    ck_assert_ptr_nonnull(v);
    *n = *nobj = 0;
    for (size_t i = 0; i < w->n; i++) {
        const oracle_rec *r = &w->recs[i];
        bf_guid g;
        if (r->kind == ORACLE_KEY && !strncmp(r->path, "Objects\\", 8) &&
            !strchr(r->path + 8, '\\') && bf_guid_parse(r->path + 8, &g) == 0)
            (*nobj)++;
        char guid[64], code[64], *end;
        if (r->kind != ORACLE_VALUE || strcasecmp(r->name, "Element") ||
            !element_path(r->path, guid, sizeof guid, code, sizeof code) ||
            bf_guid_parse(guid, &g))
            continue;
        unsigned long c = strtoul(code, &end, 16);
        if (*end || c == 0 || c > 0xFFFFFFFEul)
            continue;
        snprintf(v[*n].guid, sizeof v[*n].guid, "%s", guid);
        v[*n].code = (uint32_t)c;
        v[*n].r = r;
        (*n)++;
    }
    qsort(v, *n, sizeof *v, ref_cmp);
    return v;
}

static void check_store_against_hivex(const char *path, const char *name)
{
    char eb[ORACLE_ERRSZ];
    oracle_walk *w = oracle_walk_hivex(path, eb);
    ck_assert_msg(w != NULL, "%s: hivex: %s", name, eb);
    size_t nref, nrefobj;
    ref_el *ref = hivex_elements(w, &nref, &nrefobj);

    bf_bcd *s;
    bf_error err;
    ck_assert_msg(bf_bcd_open(path, 0, &s, &err) == 0, "%s: %s", name, err.msg);
    bf_bcd_object *objs;
    size_t nobj;
    ck_assert_msg(bf_bcd_objects(s, &objs, &nobj, &err) == 0, "%s: %s", name, err.msg);
    ck_assert_msg(nobj == nrefobj, "%s: %zu objects, hivex sees %zu", name, nobj, nrefobj);

    size_t k = 0, nel = 0, ninvalid = 0;
    /* bf_bcd_objects is ordered by type; the reference by GUID: match by GUID */
    for (size_t i = 0; i < nobj; i++) {
        if (i)
            ck_assert_msg(objs[i - 1].type < objs[i].type ||
                              (objs[i - 1].type == objs[i].type &&
                               strcmp(T(&objs[i - 1].id), T(&objs[i].id)) < 0),
                          "%s: objects not in type, GUID order at %zu", name, i);
        bf_bcd_elem *els;
        size_t n;
        ck_assert_msg(bf_bcd_elements(s, &objs[i].id, &els, &n, &err) == 0, "%s: %s", name,
                      err.msg);
        const char *gt = T(&objs[i].id);
        size_t first = 0;
        while (first < nref && strcasecmp(ref[first].guid, gt))
            first++;
        for (size_t j = 0; j < n; j++) {
            ck_assert_msg(first + j < nref && !strcasecmp(ref[first + j].guid, gt),
                          "%s: %s: element %08x not seen by hivex", name, gt, els[j].code);
            const ref_el *r = &ref[first + j];
            ck_assert_msg(r->code == els[j].code, "%s: %s: element %08x, hivex has %08x", name,
                          gt, els[j].code, r->code);
            ck_assert_msg(r->r->type == els[j].reg_type && r->r->len == els[j].raw_len &&
                              (!r->r->len || !memcmp(r->r->data, els[j].raw, r->r->len)),
                          "%s: %s element %08x: type/bytes differ from hivex", name, gt,
                          els[j].code);
            if (!els[j].valid) {
                ninvalid++;
                printf("  %s %s element %08x invalid: %s\n", name, gt, els[j].code,
                       els[j].problem);
            }
            /* element_get finds the same */
            bf_bcd_elem e;
            ck_assert_msg(bf_bcd_element_get(s, &objs[i].id, els[j].code, &e, &err) == 0, "%s",
                          err.msg);
            ck_assert(e.raw_len == els[j].raw_len && e.valid == els[j].valid);
            bf_bcd_elem_free(&e);
        }
        if (n)
            ck_assert_msg(first + n == nref || strcasecmp(ref[first + n].guid, gt),
                          "%s: %s: hivex sees more elements than %zu", name, gt, n);
        k += n;
        nel += n;
        bf_bcd_elems_free(els, n);
    }
    ck_assert_msg(k == nref, "%s: %zu elements listed, hivex sees %zu", name, k, nref);
    printf("%s: %zu objects, %zu elements, %zu invalid\n", name, nobj, nel, ninvalid);
    free(objs);
    bf_bcd_close(s);
    free(ref);
    oracle_walk_free(w);
}

START_TEST(corpus_stores_match_hivex)
{
    const char *d = bcd_corpus();
    if (!d) {
        corpus_skip_note("BCD corpus stores");
        return;
    }
    struct dirent **list;
    int n = scandir(d, &list, NULL, alphasort), stores = 0;
    ck_assert_int_ge(n, 0);
    for (int i = 0; i < n; i++) {
        const char *nm = list[i]->d_name;
        size_t l = strlen(nm);
        if (l > 4 && !strcmp(nm + l - 4, ".bin")) {
            char *p = join(d, nm);
            check_store_against_hivex(p, nm);
            free(p);
            stores++;
        }
        free(list[i]);
    }
    free(list);
    ck_assert_int_ge(stores, 16);
}
END_TEST

START_TEST(open_refuses_non_bcd_hive)
{
    bf_hive *h;
    bf_error err;
    uint8_t *img;
    size_t len;
    ck_assert_int_eq(bf_hive_new(3, "ROOT", &h, &err), 0);
    ck_assert_int_eq(bf_hive_serialize(h, &img, &len, &err), 0);
    bf_hive_close(h);
    bf_bcd *s;
    ck_assert_int_eq(bf_bcd_open_mem("plain.hiv", img, len, 0, &s, &err), BF_ERR_FORMAT);
    ck_assert_msg(strstr(err.msg, "plain.hiv: not a BCD store: the hive has no Objects key"),
                  "%s", err.msg);
    free(img);
}
END_TEST

/* ---- identifiers ------------------------------------------------------------- */

START_TEST(resolve_default_current_and_guids)
{
    char *p = corpus_file("bitpixie_Boot_BCD.bin");
    if (!p) {
        corpus_skip_note("{default} in bitpixie_Boot_BCD.bin");
        return;
    }
    /* the reference: the text hivex reads in {bootmgr}\Elements\23000003 */
    char eb[ORACLE_ERRSZ];
    oracle_walk *w = oracle_walk_hivex(p, eb);
    ck_assert_msg(w != NULL, "%s", eb);
    char ref[BF_GUID_TEXT] = "";
    for (size_t i = 0; i < w->n; i++) {
        const oracle_rec *r = &w->recs[i];
        if (r->kind == ORACLE_VALUE &&
            !strcmp(r->path, "Objects\\" BOOTMGR "\\Elements\\23000003") && r->len == 78)
            for (int j = 0; j < 38; j++)
                ref[j] = (char)r->data[2 * j], ref[j + 1] = 0;
    }
    oracle_walk_free(w);
    ck_assert_str_eq(ref, BITPIXIE_DEFAULT);

    bf_bcd *s;
    bf_error err;
    bf_guid g;
    ck_assert_int_eq(bf_bcd_open(p, 0, &s, &err), 0);
    ck_assert_msg(bf_bcd_resolve(s, "{default}", &g, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(T(&g), ref);
    ck_assert_int_eq(bf_bcd_resolve(s, "{DeFault}", &g, &err), 0);
    ck_assert_str_eq(T(&g), ref);
    ck_assert_int_eq(bf_bcd_resolve(s, "{current}", &g, &err), BF_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err.msg, "running Windows") && strstr(err.msg, "{default}"), "%s",
                  err.msg);
    ck_assert_int_eq(bf_bcd_resolve(s, "{bootmgr}", &g, &err), 0);
    ck_assert_str_eq(T(&g), BOOTMGR);
    ck_assert_int_eq(bf_bcd_resolve(s, "{E9F88EF3-FA6F-11EB-A962-EF6FC553CAE8}", &g, &err), 0);
    ck_assert_str_eq(T(&g), BITPIXIE_DEFAULT);
    ck_assert_int_eq(bf_bcd_resolve(s, "e9f88ef3-fa6f-11eb-a962-ef6fc553cae8", &g, &err),
                     BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_resolve(s, "{nonsense}", &g, &err), BF_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "The specified identifier is not valid") &&
                      strstr(err.msg, "{nonsense}"),
                  "%s", err.msg);
    bf_bcd_close(s);
    free(p);
}
END_TEST

START_TEST(resolve_default_errors)
{
    bf_bcd *s;
    bf_error err;
    bf_guid g, bm = G(BOOTMGR);
    ck_assert_int_eq(bf_bcd_new(&s, &err), 0);
    ck_assert_int_eq(bf_bcd_resolve(s, "{default}", &g, &err), BF_ERR_NOT_FOUND);
    ck_assert_msg(strstr(err.msg, "no {bootmgr}"), "%s", err.msg);
    ck_assert_int_eq(bf_bcd_object_create(s, &bm, BCD_TYPE_BOOTMGR, NULL, &err), 0);
    ck_assert_int_eq(bf_bcd_resolve(s, "{default}", &g, &err), BF_ERR_NOT_FOUND);
    ck_assert_msg(strstr(err.msg, "23000003"), "%s", err.msg);
    /* a default that is not a GUID */
    bf_node on, k;
    ck_assert_int_eq(bcd_object_node(s, &bm, &on, &err), 0);
    ck_assert_int_eq(bf_node_create_path(bf_bcd_hive(s), on, "Elements\\23000003", &k, NULL, &err),
                     0);
    ck_assert_int_eq(bf_node_set_value(bf_bcd_hive(s), k, "Element", BF_REG_SZ, "x\0\0", 4, &err),
                     0);
    ck_assert_int_eq(bf_bcd_resolve(s, "{default}", &g, &err), BF_ERR_FORMAT);
    ck_assert_msg(strstr(err.msg, "not a GUID"), "%s", err.msg);
    bf_guid target = G("{11111111-2222-3333-4444-555555555555}");
    ck_assert_int_eq(bf_bcd_set_objects(s, &bm, BCD_EL_DEFAULT, &target, 1, &err), 0);
    ck_assert_int_eq(bf_bcd_resolve(s, "{default}", &g, &err), 0);
    ck_assert(bf_guid_equal(&g, &target));
    bf_bcd_close(s);
}
END_TEST

/* ---- decoding --------------------------------------------------------------- */

static void get_corpus_elem(const char *file, const char *obj, uint32_t code, bf_bcd_elem *e)
{
    char *p = corpus_file(file);
    bf_bcd *s;
    bf_error err;
    bf_guid g = G(obj);
    ck_assert_int_eq(bf_bcd_open(p, 0, &s, &err), 0);
    ck_assert_msg(bf_bcd_element_get(s, &g, code, e, &err) == 0, "%s", err.msg);
    bf_bcd_close(s);
    free(p);
}

START_TEST(decode_corpus_short_integer_and_string_garbage)
{
    if (!bcd_corpus()) {
        corpus_skip_note("decode rules on corpus stores");
        return;
    }
    bf_bcd_elem e;
    get_corpus_elem("win10iso_boot_bcd.bin", BOOTMGR, BCD_EL_TIMEOUT, &e);
    ck_assert_int_eq(e.reg_type, BF_REG_BINARY);
    ck_assert_uint_eq(e.raw_len, 1);
    ck_assert_uint_eq(e.raw[0], 0x1e);
    ck_assert_int_eq(e.valid, 1);
    ck_assert_uint_eq(e.integer, 30);
    bf_bcd_elem_free(&e);
    /* baudrate of 3 bytes 00 c2 01 = 115200 */
    get_corpus_elem("win10iso_boot_bcd.bin", "{4636856e-540f-4170-a130-a84776f4c654}",
                    0x15000014, &e);
    ck_assert_uint_eq(e.raw_len, 3);
    ck_assert_int_eq(e.valid, 1);
    ck_assert_uint_eq(e.integer, 115200);
    bf_bcd_elem_free(&e);
    /* "Ramdisk Options\0%" */
    get_corpus_elem("amitraky_Barcode-Reader_Boot_BCD.bin",
                    "{499cab99-cce8-11e5-b7bf-b8cf04c6390b}", BCD_EL_DESCRIPTION, &e);
    ck_assert_uint_eq(e.raw_len, 34);
    ck_assert_int_eq(e.valid, 1);
    ck_assert_str_eq(e.string, "Ramdisk Options");
    bf_bcd_elem_free(&e);
}
END_TEST

/* A new store with one object whose elements are set through the hive API. */
static bf_bcd *handmade(bf_guid *obj)
{
    bf_bcd *s;
    bf_error err;
    ck_assert_int_eq(bf_bcd_new(&s, &err), 0);
    *obj = G("{aaaaaaaa-0000-4000-8000-000000000001}");
    ck_assert_int_eq(bf_bcd_object_create(s, obj, BCD_TYPE_OSLOADER, NULL, &err), 0);
    return s;
}

static void raw_put(bf_bcd *s, const bf_guid *obj, const char *key, uint32_t type,
                    const void *d, size_t len)
{
    bf_node on, k;
    bf_error err;
    char path[64];
    snprintf(path, sizeof path, "Elements\\%s", key);
    ck_assert_int_eq(bcd_object_node(s, obj, &on, &err), 0);
    ck_assert_msg(bf_node_create_path(bf_bcd_hive(s), on, path, &k, NULL, &err) == 0, "%s",
                  err.msg);
    ck_assert_int_eq(bf_node_set_value(bf_bcd_hive(s), k, "Element", type, d, len, &err), 0);
}

static void expect_invalid(bf_bcd *s, const bf_guid *obj, uint32_t code, const char *why)
{
    bf_bcd_elem e;
    bf_error err;
    ck_assert_msg(bf_bcd_element_get(s, obj, code, &e, &err) == 0, "%s", err.msg);
    ck_assert_msg(!e.valid, "%08x should be invalid", code);
    ck_assert_msg(strstr(e.problem, why), "%08x: problem \"%s\" lacks \"%s\"", code, e.problem,
                  why);
    bf_bcd_elem_free(&e);
}

START_TEST(decode_handmade_invalid)
{
    bf_guid o;
    bf_bcd *s = handmade(&o);
    static const uint8_t nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, two[2] = {1, 0};
    static const uint8_t dw[4] = {30, 0, 0, 0};
    raw_put(s, &o, "16000009", BF_REG_BINARY, two, 2);        /* boolean, 2 bytes */
    raw_put(s, &o, "25000004", BF_REG_BINARY, nine, 9);       /* integer, 9 bytes */
    raw_put(s, &o, "25000008", BF_REG_DWORD, dw, 4);          /* REG_DWORD integer */
    raw_put(s, &o, "12000004", BF_REG_SZ, "a\0b", 3);         /* odd string */
    raw_put(s, &o, "23000003", BF_REG_SZ, "{\0x\0}\0\0", 8);  /* not a GUID */
    raw_put(s, &o, "17000077", BF_REG_BINARY, nine, 9);       /* integer list 9 bytes */
    raw_put(s, &o, "24000001", BF_REG_SZ, "\0\0", 2);         /* object list as REG_SZ */
    raw_put(s, &o, "11000001", BF_REG_BINARY, nine, 9);       /* device too short */
    raw_put(s, &o, "25000020", BF_REG_BINARY, "", 0);         /* empty integer */
    expect_invalid(s, &o, 0x16000009, "exactly 1");
    expect_invalid(s, &o, 0x25000004, "9 bytes, more than 8");
    expect_invalid(s, &o, 0x25000008, "REG_DWORD");
    expect_invalid(s, &o, 0x12000004, "even");
    expect_invalid(s, &o, 0x23000003, "not a GUID");
    expect_invalid(s, &o, 0x17000077, "multiple of 8");
    expect_invalid(s, &o, 0x24000001, "REG_MULTI_SZ");
    expect_invalid(s, &o, 0x11000001, "device");
    expect_invalid(s, &o, 0x25000020, "empty");
    bf_bcd_close(s);
}
END_TEST

START_TEST(decode_handmade_lenient_and_key_names)
{
    bf_guid o;
    bf_bcd *s = handmade(&o);
    bf_error err;
    bf_bcd_elem e;
    /* string without NUL; uppercase key name; list with garbage after "" */
    raw_put(s, &o, "12000004", BF_REG_SZ, "h\0i\0", 4);
    raw_put(s, &o, "1600004A", BF_REG_BINARY, "\x01", 1);
    uint8_t list[78 * 2 + 6];
    memset(list, 0, sizeof list);
    const char *a = "{11111111-2222-3333-4444-555555555555}";
    for (int i = 0; i < 38; i++)
        list[2 * i] = (uint8_t)a[i];
    list[78 + 2] = 'z';
    raw_put(s, &o, "14000006", BF_REG_MULTI_SZ, list, sizeof list);
    /* names that are not element types, or keys without Element */
    raw_put(s, &o, "00000000", BF_REG_BINARY, "\x01", 1);
    raw_put(s, &o, "Zebra", BF_REG_BINARY, "\x01", 1);
    bf_node on, k;
    ck_assert_int_eq(bcd_object_node(s, &o, &on, &err), 0);
    ck_assert_int_eq(bf_node_create_path(bf_bcd_hive(s), on, "Elements\\25000004", &k, NULL, &err),
                     0);

    bf_bcd_elem *els;
    size_t n;
    ck_assert_int_eq(bf_bcd_elements(s, &o, &els, &n, &err), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(els[0].code, 0x12000004);
    ck_assert_uint_eq(els[1].code, 0x14000006);
    ck_assert_uint_eq(els[2].code, 0x1600004A);
    ck_assert_str_eq(els[0].string, "hi");
    ck_assert_int_eq(els[1].valid, 1);
    ck_assert_uint_eq(els[1].nguids, 1);
    ck_assert_str_eq(T(&els[1].guids[0]), a);
    ck_assert_int_eq(els[2].valid, 1);
    ck_assert_uint_eq(els[2].integer, 1);
    bf_bcd_elems_free(els, n);
    ck_assert_int_eq(bf_bcd_element_get(s, &o, 0x1600004a, &e, &err), 0);
    bf_bcd_elem_free(&e);
    ck_assert_int_eq(bf_bcd_element_get(s, &o, 0x25000004, &e, &err), BF_ERR_NOT_FOUND);
    ck_assert_msg(strstr(err.msg, "25000004"), "%s", err.msg);
    bf_bcd_close(s);
}
END_TEST

/* ---- writes ------------------------------------------------------------------ */

/* Expected walk: `base` with records replaced/removed, counts recomputed. */
typedef struct model {
    oracle_rec *r;
    size_t n;
} model;

static int under(const char *path, const char *prefix)
{
    size_t l = strlen(prefix);
    return !strcmp(path, prefix) || (!strncmp(path, prefix, l) && path[l] == '\\');
}

static void model_from(model *m, const oracle_walk *w)
{
    m->r = calloc(w->n + 1024, sizeof *m->r);
    ck_assert_ptr_nonnull(m->r);
    m->n = 0;
    for (size_t i = 0; i < w->n; i++) {
        oracle_rec r = w->recs[i];
        r.path = strdup(r.path);
        r.name = r.name ? strdup(r.name) : NULL;
        if (r.len) {
            r.data = malloc(r.len);
            memcpy(r.data, w->recs[i].data, r.len);
        }
        r.cls = NULL;
        m->r[m->n++] = r;
    }
}

static void model_del(model *m, const char *path)
{
    size_t j = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (under(m->r[i].path, path)) {
            free(m->r[i].path);
            free(m->r[i].name);
            free(m->r[i].data);
        } else {
            m->r[j++] = m->r[i];
        }
    }
    m->n = j;
}

static int model_has_key(const model *m, const char *path)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->r[i].kind == ORACLE_KEY && !strcmp(m->r[i].path, path))
            return 1;
    return 0;
}

static void model_key(model *m, const char *path)
{
    if (model_has_key(m, path))
        return;
    oracle_rec r = {0};
    r.kind = ORACLE_KEY;
    r.path = strdup(path);
    m->r[m->n++] = r;
}

static void model_value(model *m, const char *path, uint32_t type, const void *d, size_t len)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->r[i].kind == ORACLE_VALUE && !strcmp(m->r[i].path, path)) {
            free(m->r[i].path);
            free(m->r[i].name);
            free(m->r[i].data);
            m->r[i] = m->r[--m->n];
            break;
        }
    model_key(m, path);
    oracle_rec r = {0};
    r.kind = ORACLE_VALUE;
    r.path = strdup(path);
    r.name = strdup("Element");
    r.type = type;
    r.len = len;
    if (len) {
        r.data = malloc(len);
        memcpy(r.data, d, len);
    }
    m->r[m->n++] = r;
}

static const char *parent_of(const char *path, char *buf, size_t sz)
{
    snprintf(buf, sz, "%s", path);
    char *b = strrchr(buf, '\\');
    if (!b)
        return "";
    *b = 0;
    return buf;
}

/* The model as a sorted walk with subkey/value counts recomputed. */
static oracle_walk *model_walk(const model *m)
{
    oracle_walk *w = oracle_walk_new("model", "expected");
    for (size_t i = 0; i < m->n; i++) {
        const oracle_rec *r = &m->r[i];
        if (r->kind == ORACLE_VALUE) {
            ck_assert_int_eq(oracle_add_value(w, r->path, r->name, r->type, r->data, r->len), 0);
            continue;
        }
        uint32_t ns = 0, nv = 0;
        char pb[1024];
        for (size_t j = 0; j < m->n; j++) {
            if (m->r[j].kind == ORACLE_VALUE && !strcmp(m->r[j].path, r->path))
                nv++;
            if (m->r[j].kind == ORACLE_KEY && m->r[j].path[0] &&
                !strcmp(parent_of(m->r[j].path, pb, sizeof pb), r->path))
                ns++;
        }
        ck_assert_int_eq(oracle_add_key(w, r->path, NULL, ns, nv), 0);
    }
    oracle_walk_sort(w);
    w->class_known = 0;
    w->data_exact = ORACLE_DATA_EXACT;
    return w;
}

static void model_free(model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->r[i].path);
        free(m->r[i].name);
        free(m->r[i].data);
    }
    free(m->r);
}

static void elem_path(char *buf, size_t sz, const bf_guid *o, uint32_t code)
{
    snprintf(buf, sz, "Objects\\%s\\Elements\\%08x", T(o), (unsigned)code);
}

/* Both oracles read `path` as the model says. */
static void assert_walks(const char *path, const model *m)
{
    char eb[ORACLE_ERRSZ];
    oracle_walk *exp = model_walk(m);
    oracle_walk *hx = oracle_walk_hivex(path, eb);
    ck_assert_msg(hx != NULL, "hivex: %s", eb);
    ck_assert_msg(oracle_compare(exp, hx, ORACLE_CMP_DATA, g_diff, sizeof g_diff) == 0,
                  "hivex vs expected: %s", g_diff);
    oracle_walk *lr = oracle_walk_libregf(path, eb);
    ck_assert_msg(lr != NULL, "libregf: %s", eb);
    ck_assert_msg(oracle_compare(exp, lr, ORACLE_CMP_DATA, g_diff, sizeof g_diff) == 0,
                  "libregf vs expected: %s", g_diff);
    oracle_walk_free(exp);
    oracle_walk_free(hx);
    oracle_walk_free(lr);
    assert_hive_clean(path);
}

/* Every format set through the typed setters and bf_bcd_element_set, a
 * wrong-typed value overwritten, elements and an object deleted, an object
 * copied; `m` follows along. */
static void edit_store(bf_bcd *s, model *m, const bf_guid *obj, const bf_guid *victim)
{
    bf_error err;
    char p[256];
    uint8_t b8[8], guidsz[78 * 2 + 2];
    bf_guid ids[2] = {G("{11111111-2222-3333-4444-555555555555}"),
                      G("{66666666-7777-8888-9999-aaaaaaaaaaaa}")};

    /* integer: first a wrong-typed REG_DWORD, then overwritten */
    uint8_t dw[4] = {5, 0, 0, 0};
    ck_assert_int_eq(bf_bcd_element_set(s, obj, BCD_EL_TIMEOUT, BF_REG_DWORD, dw, 4, &err),
                     BF_ERR_INVALID);
    raw_put(s, obj, "25000004", BF_REG_DWORD, dw, 4);
    ck_assert_msg(bf_bcd_set_integer(s, obj, BCD_EL_TIMEOUT, 7, &err) == 0, "%s", err.msg);
    wr64(b8, 7);
    elem_path(p, sizeof p, obj, BCD_EL_TIMEOUT);
    model_value(m, p, BF_REG_BINARY, b8, 8);

    ck_assert_int_eq(bf_bcd_set_boolean(s, obj, 0x16000060, 1, &err), 0); /* boolean */
    elem_path(p, sizeof p, obj, 0x16000060);
    model_value(m, p, BF_REG_BINARY, "\x01", 1);

    ck_assert_int_eq(bf_bcd_set_string(s, obj, BCD_EL_DESCRIPTION, "Wíndows ☃", &err), 0);
    static const uint8_t desc[] = {'W', 0, 0xed, 0, 'n', 0, 'd', 0, 'o', 0, 'w', 0, 's', 0,
                                   ' ', 0, 0x03, 0x26, 0, 0};
    elem_path(p, sizeof p, obj, BCD_EL_DESCRIPTION);
    model_value(m, p, BF_REG_SZ, desc, sizeof desc);

    ck_assert_int_eq(bf_bcd_set_objects(s, obj, 0x23000006, &ids[0], 1, &err), 0); /* object */
    for (int g = 0; g < 2; g++) {
        char t[BF_GUID_TEXT];
        bf_guid_format(&ids[g], t);
        for (int i = 0; i < 39; i++)
            wr16(guidsz + 78 * g + 2 * i, (uint8_t)t[i]);
    }
    wr16(guidsz + 156, 0);
    elem_path(p, sizeof p, obj, 0x23000006);
    model_value(m, p, BF_REG_SZ, guidsz, 78);

    ck_assert_int_eq(bf_bcd_set_objects(s, obj, BCD_EL_INHERIT, ids, 2, &err), 0); /* list */
    elem_path(p, sizeof p, obj, BCD_EL_INHERIT);
    model_value(m, p, BF_REG_MULTI_SZ, guidsz, sizeof guidsz);

    uint64_t iv[2] = {0x1000, 0x123456789abcdefull};
    uint8_t ib[16];
    wr64(ib, iv[0]);
    wr64(ib + 8, iv[1]);
    ck_assert_int_eq(bf_bcd_set_integers(s, obj, 0x17000077, iv, 2, &err), 0);
    elem_path(p, sizeof p, obj, 0x17000077);
    model_value(m, p, BF_REG_BINARY, ib, 16);

    /* device "boot": 16 zero option bytes + type 5, size 0x48 descriptor */
    uint8_t dev[0x58];
    memset(dev, 0, sizeof dev);
    wr32(dev + 16, 5);
    wr32(dev + 24, 0x48);
    ck_assert_msg(bf_bcd_element_set(s, obj, 0x11000001, BF_REG_BINARY, dev, sizeof dev, &err) ==
                      0,
                  "%s", err.msg);
    elem_path(p, sizeof p, obj, 0x11000001);
    model_value(m, p, BF_REG_BINARY, dev, sizeof dev);

    /* set, then delete: the whole key goes */
    ck_assert_int_eq(bf_bcd_set_integer(s, obj, 0x25000020, 3, &err), 0);
    ck_assert_int_eq(bf_bcd_element_delete(s, obj, 0x25000020, &err), 0);
    ck_assert_int_eq(bf_bcd_element_delete(s, obj, 0x25000020, &err), BF_ERR_NOT_FOUND);
    elem_path(p, sizeof p, obj, 0x25000020);
    model_del(m, p);

    /* copy obj, then delete the victim */
    bf_guid cp;
    ck_assert_msg(bf_bcd_object_copy(s, obj, &cp, &err) == 0, "%s", err.msg);
    char src[128], dst[128];
    snprintf(src, sizeof src, "Objects\\%s", T(obj));
    snprintf(dst, sizeof dst, "Objects\\%s", T(&cp));
    ck_assert_str_eq(dst + 8, T(&cp)); /* lowercase */
    size_t n0 = m->n;
    for (size_t i = 0; i < n0; i++) {
        oracle_rec *r = &m->r[i];
        if (!under(r->path, src))
            continue;
        char np[512];
        snprintf(np, sizeof np, "%s%s", dst, r->path + strlen(src));
        /* a copy has Description\Type only (no FirmwareVariable etc.) */
        if (r->kind == ORACLE_KEY)
            model_key(m, np);
        else if (strstr(np, "\\Elements\\") || !strcmp(r->name, "Type")) {
            oracle_rec c = *r;
            c.path = strdup(np);
            c.name = strdup(r->name);
            c.data = r->len ? malloc(r->len) : NULL;
            if (r->len)
                memcpy(c.data, r->data, r->len);
            m->r[m->n++] = c;
        }
    }
    if (victim) {
        ck_assert_int_eq(bf_bcd_object_delete(s, victim, &err), 0);
        snprintf(src, sizeof src, "Objects\\%s", T(victim));
        model_del(m, src);
        uint32_t t;
        ck_assert_int_eq(bf_bcd_object_type(s, victim, &t, &err), BF_ERR_NOT_FOUND);
    }
}

START_TEST(write_on_corpus_copy)
{
    char *orig = corpus_file("bitpixie_Boot_BCD.bin");
    if (!orig) {
        corpus_skip_note("writes on a corpus store copy");
        return;
    }
    char *dir = mktmp(), *path = join(dir, "BCD"), *out = join(dir, "BCD.new");
    size_t len;
    uint8_t *img = test_slurp(orig, &len);
    ck_assert_ptr_nonnull(img);
    test_put_file(path, img, len);
    free(img);
    char eb[ORACLE_ERRSZ];
    oracle_walk *before = oracle_walk_hivex(path, eb);
    ck_assert_msg(before != NULL, "%s", eb);
    model m;
    model_from(&m, before);
    oracle_walk_free(before);

    bf_bcd *s;
    bf_error err;
    ck_assert_int_eq(bf_bcd_open(path, BF_OPEN_WRITE, &s, &err), 0);
    bf_guid def, victim = G("{b2721d73-1db4-4c62-bf78-c548a880142d}"); /* memdiag */
    ck_assert_int_eq(bf_bcd_resolve(s, "{default}", &def, &err), 0);
    edit_store(s, &m, &def, &victim);
    bf_commit_opts o = {0};
    o.out_path = out;
    ck_assert_msg(bf_bcd_commit(s, &o, &err) == 0, "%s", err.msg);
    bf_bcd_close(s);
    assert_walks(out, &m);
    /* the element values read back decode as written */
    ck_assert_int_eq(bf_bcd_open(out, 0, &s, &err), 0);
    bf_bcd_elem e;
    ck_assert_int_eq(bf_bcd_element_get(s, &def, BCD_EL_DESCRIPTION, &e, &err), 0);
    ck_assert_str_eq(e.string, "Wíndows ☃");
    bf_bcd_elem_free(&e);
    ck_assert_int_eq(bf_bcd_element_get(s, &def, BCD_EL_TIMEOUT, &e, &err), 0);
    ck_assert(e.valid && e.integer == 7 && e.reg_type == BF_REG_BINARY);
    bf_bcd_elem_free(&e);
    bf_bcd_close(s);
    model_free(&m);
    unlink(out);
    unlink(path);
    rmdir(dir);
    free(out);
    free(path);
    free(dir);
    free(orig);
}
END_TEST

START_TEST(write_on_new_store)
{
    char *dir = mktmp(), *out = join(dir, "BCD");
    bf_bcd *s;
    bf_error err;
    ck_assert_int_eq(bf_bcd_new(&s, &err), 0);
    bf_guid obj, other = G("{22222222-0000-4000-8000-000000000002}");
    ck_assert_int_eq(bf_bcd_object_create(s, NULL, BCD_TYPE_OSLOADER, &obj, &err), 0);
    ck_assert_int_eq(bf_bcd_object_create(s, &other, BCD_TYPE_RESUME, NULL, &err), 0);
    ck_assert_int_eq(bf_bcd_object_create(s, &other, BCD_TYPE_RESUME, NULL, &err), BF_ERR_EXISTS);
    /* the model: the empty store plus what bcdedit /create makes */
    model m = {calloc(1024, sizeof(oracle_rec)), 0};
    model_key(&m, "");
    model_key(&m, "Description");
    model_value(&m, "Description", BF_REG_SZ, "B\0C\0D\0" "0\0" "0\0" "0\0" "0\0" "0\0" "0\0" "0\0" "1\0\0", 24);
    free(m.r[m.n - 1].name);
    m.r[m.n - 1].name = strdup("KeyName");
    model_key(&m, "Objects");
    const bf_guid *both[2] = {&obj, &other};
    uint32_t types[2] = {BCD_TYPE_OSLOADER, BCD_TYPE_RESUME};
    for (int i = 0; i < 2; i++) {
        char p[256];
        uint8_t dw[4];
        wr32(dw, types[i]);
        snprintf(p, sizeof p, "Objects\\%s\\Elements", T(both[i]));
        model_key(&m, p);
        model_key(&m, p);
        snprintf(p, sizeof p, "Objects\\%s", T(both[i]));
        model_key(&m, p);
        snprintf(p, sizeof p, "Objects\\%s\\Description", T(both[i]));
        model_value(&m, p, BF_REG_DWORD, dw, 4);
        free(m.r[m.n - 1].name);
        m.r[m.n - 1].name = strdup("Type");
    }
    edit_store(s, &m, &obj, &other);
    bf_commit_opts o = {0};
    o.out_path = out;
    ck_assert_msg(bf_bcd_commit(s, &o, &err) == 0, "%s", err.msg);
    bf_bcd_close(s);
    assert_walks(out, &m);
    model_free(&m);
    unlink(out);
    rmdir(dir);
    free(out);
    free(dir);
}
END_TEST

START_TEST(set_validation)
{
    bf_guid o;
    bf_bcd *s = handmade(&o);
    bf_error err;
    uint8_t z[80] = {0};
    bf_guid missing = G("{33333333-0000-4000-8000-000000000003}");
    /* wrong sizes / types per format */
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x16000009, BF_REG_BINARY, "\x02", 1, &err),
                     BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x16000009, BF_REG_BINARY, z, 2, &err),
                     BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x25000004, BF_REG_BINARY, z, 4, &err),
                     BF_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "25000004") && strstr(err.msg, "8 bytes"), "%s", err.msg);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x25000004, BF_REG_QWORD, z, 8, &err),
                     BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x12000004, BF_REG_SZ, "a\0", 2, &err), BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x12000004, BF_REG_SZ, "a\0\0\0b\0\0\0", 8, &err),
                     BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x12000004, BF_REG_SZ, "a\0\0\0", 4, &err), 0);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x23000003, BF_REG_SZ, z, 78, &err), BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x24000001, BF_REG_MULTI_SZ, z, 2, &err),
                     BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x17000077, BF_REG_BINARY, z, 12, &err),
                     BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_element_set(s, &o, 0x11000001, BF_REG_BINARY, z, 40, &err),
                     BF_ERR_INVALID);
    /* typed setters refuse other formats */
    ck_assert_int_eq(bf_bcd_set_integer(s, &o, 0x16000009, 1, &err), BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_set_boolean(s, &o, 0x25000004, 1, &err), BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_set_string(s, &o, 0x25000004, "x", &err), BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_set_objects(s, &o, 0x23000003, &o, 2, &err), BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcd_set_integers(s, &o, 0x25000004, NULL, 0, &err), BF_ERR_INVALID);
    /* missing object */
    ck_assert_int_eq(bf_bcd_set_integer(s, &missing, 0x25000004, 1, &err), BF_ERR_NOT_FOUND);
    ck_assert_msg(strstr(err.msg, "{33333333-0000-4000-8000-000000000003}"), "%s", err.msg);
    /* an uppercase key is reused, and a 0x-spelled duplicate removed */
    raw_put(s, &o, "2500000A", BF_REG_DWORD, z, 4);
    raw_put(s, &o, "0x2500000a", BF_REG_BINARY, "\x05", 1);
    ck_assert_int_eq(bf_bcd_set_integer(s, &o, 0x2500000a, 9, &err), 0);
    bf_node on, ek, k;
    char *name;
    ck_assert_int_eq(bcd_object_node(s, &o, &on, &err), 0);
    ck_assert_int_eq(bf_node_child(bf_bcd_hive(s), on, "Elements", &ek, &err), 0);
    ck_assert_int_eq(bf_node_child(bf_bcd_hive(s), ek, "2500000a", &k, &err), 0);
    ck_assert_int_eq(bf_node_name(bf_bcd_hive(s), k, &name, &err), 0);
    ck_assert_str_eq(name, "2500000A");
    free(name);
    ck_assert_int_eq(bf_node_child(bf_bcd_hive(s), ek, "0x2500000a", &k, &err), BF_ERR_NOT_FOUND);
    bf_bcd_elem e;
    ck_assert_int_eq(bf_bcd_element_get(s, &o, 0x2500000a, &e, &err), 0);
    ck_assert(e.valid && e.integer == 9 && e.raw_len == 8);
    bf_bcd_elem_free(&e);
    /* Elements missing: set creates it */
    bf_node el;
    ck_assert_int_eq(bf_node_child(bf_bcd_hive(s), on, "Elements", &el, &err), 0);
    ck_assert_int_eq(bf_node_delete(bf_bcd_hive(s), el, &err), 0);
    ck_assert_int_eq(bf_bcd_set_boolean(s, &o, 0x16000009, 0, &err), 0);
    ck_assert_int_eq(bf_bcd_element_get(s, &o, 0x16000009, &e, &err), 0);
    ck_assert(e.valid && e.integer == 0 && e.raw_len == 1);
    bf_bcd_elem_free(&e);
    bf_bcd_close(s);
}
END_TEST

START_TEST(readonly_store_refuses_edits)
{
    char *p = corpus_file("ntloader_utils_bcd.bin");
    if (!p) {
        corpus_skip_note("read-only store");
        return;
    }
    bf_bcd *s;
    bf_error err;
    bf_guid bm = G(BOOTMGR);
    ck_assert_int_eq(bf_bcd_open(p, 0, &s, &err), 0);
    ck_assert_int_eq(bf_bcd_set_integer(s, &bm, BCD_EL_TIMEOUT, 1, &err), BF_ERR_READONLY);
    ck_assert_int_eq(bf_bcd_object_delete(s, &bm, &err), BF_ERR_READONLY);
    ck_assert_int_eq(bf_bcd_object_create(s, NULL, BCD_TYPE_OSLOADER, NULL, &err), BF_ERR_READONLY);
    ck_assert_int_eq(bf_bcd_element_delete(s, &bm, BCD_EL_TIMEOUT, &err), BF_ERR_READONLY);
    bf_bcd_close(s);
    free(p);
}
END_TEST

/* ---- a new store is bcdedit's /createstore store ------------------------------ */

START_TEST(new_store_matches_createstore_template)
{
    char *dir = mktmp(), *out = join(dir, "BCD");
    bf_error err;
    ck_assert_msg(bf_bcd_createstore(out, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(bf_bcd_createstore(out, &err), BF_ERR_EXISTS);
    ck_assert_msg(strstr(err.msg, out), "%s", err.msg);
    assert_hive_clean(out);

    bf_hive *h;
    bf_hive_info info;
    char *name;
    ck_assert_int_eq(bf_hive_open(out, 0, &h, &err), 0);
    ck_assert_int_eq(bf_hive_get_info(h, &info), 0);
    ck_assert_uint_eq(info.major, 1);
    ck_assert_uint_eq(info.minor, 3);
    ck_assert_int_eq(bf_node_name(h, bf_hive_root(h), &name, &err), 0);
    ck_assert_str_eq(name, "NewStoreRoot");
    free(name);
    bf_hive_close(h);

    char *tpl = corpus_file("go-bcdedit_template_BCD.bin");
    if (!tpl) {
        corpus_skip_note("comparison with the /createstore template");
    } else {
        char eb[ORACLE_ERRSZ];
        oracle_walk *a = oracle_walk_hivex(tpl, eb), *b = oracle_walk_hivex(out, eb);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_msg(oracle_compare(a, b, ORACLE_CMP_DATA, g_diff, sizeof g_diff) == 0,
                      "template vs new: %s", g_diff);
        oracle_walk_free(a);
        oracle_walk_free(b);
        ck_assert_int_eq(bf_hive_open(tpl, 0, &h, &err), 0);
        ck_assert_int_eq(bf_node_name(h, bf_hive_root(h), &name, &err), 0);
        ck_assert_str_eq(name, "NewStoreRoot");
        free(name);
        bf_hive_close(h);
        free(tpl);
    }
    bf_bcd *s;
    bf_bcd_object *objs;
    size_t n;
    ck_assert_int_eq(bf_bcd_open(out, 0, &s, &err), 0);
    ck_assert_int_eq(bf_bcd_objects(s, &objs, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    free(objs);
    bf_bcd_close(s);
    unlink(out);
    rmdir(dir);
    free(out);
    free(dir);
}
END_TEST

/* ---- inheritance ----------------------------------------------------------------- */

START_TEST(effective_through_inherit_chains)
{
    bf_bcd *s;
    bf_error err;
    ck_assert_int_eq(bf_bcd_new(&s, &err), 0);
    bf_guid bm = G(BOOTMGR), gs = G("{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}"),
            ems = G("{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}"),
            dbg = G("{4636856e-540f-4170-a130-a84776f4c654}"),
            gone = G("{44444444-0000-4000-8000-000000000004}");
    ck_assert_int_eq(bf_bcd_object_create(s, &bm, BCD_TYPE_BOOTMGR, NULL, &err), 0);
    ck_assert_int_eq(bf_bcd_object_create(s, &gs, BCD_TYPE_INHERIT_ANY, NULL, &err), 0);
    ck_assert_int_eq(bf_bcd_object_create(s, &ems, BCD_TYPE_INHERIT_ANY, NULL, &err), 0);
    ck_assert_int_eq(bf_bcd_object_create(s, &dbg, BCD_TYPE_INHERIT_ANY, NULL, &err), 0);
    /* {bootmgr} -> {globalsettings} -> [missing, {dbgsettings}, {emssettings}];
     * {dbgsettings} -> {bootmgr} (a cycle); {emssettings} -> {globalsettings} */
    bf_guid l1[1] = {gs}, l2[3] = {gone, dbg, ems}, l3[1] = {bm}, l4[1] = {gs};
    ck_assert_int_eq(bf_bcd_set_objects(s, &bm, BCD_EL_INHERIT, l1, 1, &err), 0);
    ck_assert_int_eq(bf_bcd_set_objects(s, &gs, BCD_EL_INHERIT, l2, 3, &err), 0);
    ck_assert_int_eq(bf_bcd_set_objects(s, &dbg, BCD_EL_INHERIT, l3, 1, &err), 0);
    ck_assert_int_eq(bf_bcd_set_objects(s, &ems, BCD_EL_INHERIT, l4, 1, &err), 0);
    ck_assert_int_eq(bf_bcd_set_boolean(s, &ems, BCD_EL_BOOTEMS, 0, &err), 0);
    ck_assert_int_eq(bf_bcd_set_integer(s, &ems, BCD_EL_EMSPORT, 1, &err), 0);
    ck_assert_int_eq(bf_bcd_set_integer(s, &dbg, BCD_EL_EMSPORT, 2, &err), 0);

    bf_bcd_elem e;
    bf_guid from;
    /* inherited: {dbgsettings} comes before {emssettings} in the list */
    ck_assert_int_eq(bf_bcd_element_effective(s, &bm, BCD_EL_EMSPORT, &e, &from, &err), 0);
    ck_assert_uint_eq(e.integer, 2);
    ck_assert(bf_guid_equal(&from, &dbg));
    bf_bcd_elem_free(&e);
    ck_assert_int_eq(bf_bcd_element_effective(s, &bm, BCD_EL_BOOTEMS, &e, &from, &err), 0);
    ck_assert_uint_eq(e.integer, 0);
    ck_assert(bf_guid_equal(&from, &ems));
    bf_bcd_elem_free(&e);
    /* own value wins */
    ck_assert_int_eq(bf_bcd_set_boolean(s, &bm, BCD_EL_BOOTEMS, 1, &err), 0);
    ck_assert_int_eq(bf_bcd_element_effective(s, &bm, BCD_EL_BOOTEMS, &e, &from, &err), 0);
    ck_assert_uint_eq(e.integer, 1);
    ck_assert(bf_guid_equal(&from, &bm));
    bf_bcd_elem_free(&e);
    /* starting lower in the cycle: {emssettings} -> {globalsettings} -> {dbgsettings} */
    ck_assert_int_eq(bf_bcd_element_effective(s, &ems, BCD_EL_EMSPORT, &e, &from, &err), 0);
    ck_assert_uint_eq(e.integer, 1);
    bf_bcd_elem_free(&e);
    ck_assert_int_eq(bf_bcd_element_delete(s, &ems, BCD_EL_EMSPORT, &err), 0);
    ck_assert_int_eq(bf_bcd_element_effective(s, &ems, BCD_EL_EMSPORT, &e, &from, &err), 0);
    ck_assert_uint_eq(e.integer, 2);
    ck_assert(bf_guid_equal(&from, &dbg));
    bf_bcd_elem_free(&e);
    /* absent everywhere: the cycle terminates */
    ck_assert_int_eq(bf_bcd_element_effective(s, &bm, BCD_EL_TIMEOUT, &e, &from, &err),
                     BF_ERR_NOT_FOUND);
    ck_assert_msg(strstr(err.msg, "25000004"), "%s", err.msg);
    ck_assert_int_eq(bf_bcd_element_effective(s, &gone, BCD_EL_TIMEOUT, &e, NULL, &err),
                     BF_ERR_NOT_FOUND);
    bf_bcd_close(s);
}
END_TEST

START_TEST(objects_order_and_skip_non_guid_keys)
{
    bf_bcd *s;
    bf_error err;
    ck_assert_int_eq(bf_bcd_new(&s, &err), 0);
    bf_guid a = G("{bbbbbbbb-0000-4000-8000-000000000000}"),
            b = G("{aaaaaaaa-0000-4000-8000-000000000000}"), c = G(BOOTMGR);
    ck_assert_int_eq(bf_bcd_object_create(s, &a, BCD_TYPE_OSLOADER, NULL, &err), 0);
    ck_assert_int_eq(bf_bcd_object_create(s, &b, BCD_TYPE_OSLOADER, NULL, &err), 0);
    ck_assert_int_eq(bf_bcd_object_create(s, &c, BCD_TYPE_BOOTMGR, NULL, &err), 0);
    bf_node objs_key, k;
    ck_assert_int_eq(bf_node_child(bf_bcd_hive(s), bf_hive_root(bf_bcd_hive(s)), "objects",
                                   &objs_key, &err),
                     0);
    ck_assert_int_eq(bf_node_add(bf_bcd_hive(s), objs_key, "not-a-guid", &k, &err), 0);
    bf_bcd_object *o;
    size_t n;
    ck_assert_int_eq(bf_bcd_objects(s, &o, &n, &err), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert(bf_guid_equal(&o[0].id, &c));
    ck_assert(bf_guid_equal(&o[1].id, &b));
    ck_assert(bf_guid_equal(&o[2].id, &a));
    ck_assert_uint_eq(o[1].type, BCD_TYPE_OSLOADER);
    free(o);
    /* object copy gets a fresh GUID with the same type */
    bf_guid cp;
    uint32_t t;
    ck_assert_int_eq(bf_bcd_set_string(s, &a, BCD_EL_DESCRIPTION, "x", &err), 0);
    ck_assert_int_eq(bf_bcd_object_copy(s, &a, &cp, &err), 0);
    ck_assert(!bf_guid_equal(&cp, &a));
    ck_assert_int_eq(bf_bcd_object_type(s, &cp, &t, &err), 0);
    ck_assert_uint_eq(t, BCD_TYPE_OSLOADER);
    bf_bcd_elem e;
    ck_assert_int_eq(bf_bcd_element_get(s, &cp, BCD_EL_DESCRIPTION, &e, &err), 0);
    ck_assert_str_eq(e.string, "x");
    bf_bcd_elem_free(&e);
    ck_assert_int_eq(bf_bcd_object_copy(s, &(bf_guid){0}, &cp, &err), BF_ERR_NOT_FOUND);
    bf_bcd_close(s);
}
END_TEST


/* Found by fuzz/fuzz_bcdedit_args (tests/fuzz-regressions/bcdedit_args/leak-*):
 * a command line bf_bcdedit_store could not parse leaked its word vector.
 * The replay under LeakSanitizer catches the leak; this checks the refusal. */
START_TEST(bcdedit_store_refuses_bad_lines)
{
    static const char *const bad_cmd[] = {"/setA{bootmgr}"};
    static const char *const bad_switch[] = {"/enum", "all", "/nosuchswitch"};
    static const char *const createstore[] = {"/createstore", "x"};
    bf_bcd *s = NULL;
    bf_error err;
    char *out = (char *)"untouched";
    int i;

    ck_assert_int_eq(bf_bcd_new(&s, &err), BF_OK);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(bf_bcdedit_store(s, 1, bad_cmd, NULL, &out, &err), BF_ERR_INVALID);
        ck_assert_ptr_null(out);
        ck_assert_int_ne(err.msg[0], 0);
    }
    ck_assert_int_eq(bf_bcdedit_store(s, 3, bad_switch, NULL, &out, &err), BF_ERR_INVALID);
    ck_assert_int_eq(bf_bcdedit_store(s, 2, createstore, NULL, &out, &err), BF_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.msg, "/createstore"));
    bf_bcd_close(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("bcd_store");
    TCase *tc = tcase_create("all");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, corpus_stores_match_hivex);
    tcase_add_test(tc, open_refuses_non_bcd_hive);
    tcase_add_test(tc, resolve_default_current_and_guids);
    tcase_add_test(tc, resolve_default_errors);
    tcase_add_test(tc, decode_corpus_short_integer_and_string_garbage);
    tcase_add_test(tc, decode_handmade_invalid);
    tcase_add_test(tc, decode_handmade_lenient_and_key_names);
    tcase_add_test(tc, write_on_corpus_copy);
    tcase_add_test(tc, write_on_new_store);
    tcase_add_test(tc, set_validation);
    tcase_add_test(tc, readonly_store_refuses_edits);
    tcase_add_test(tc, new_store_matches_createstore_template);
    tcase_add_test(tc, effective_through_inherit_chains);
    tcase_add_test(tc, objects_order_and_skip_non_guid_keys);
    tcase_add_test(tc, bcdedit_store_refuses_bad_lines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(suite());
}
