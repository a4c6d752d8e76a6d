/* Post-write cross-check with libregf, an independent reader, loaded at run
 * time so that libbootfix itself depends on nothing but libc.  libregf opens
 * the written file and reads back every key changed since the hive was
 * opened (its subkey count, and each value's name, type and data must equal
 * ours); when many keys changed (a new hive, a replayed log, a large
 * import) it walks the whole tree instead and its key and value counts must
 * equal ours.  The structure of the whole file is checked by our own
 * checker (check.c) before this. */
#include "internal.h"
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*fn_init)(void **, void **);
typedef int (*fn_free)(void **, void **);
typedef int (*fn_open)(void *, const char *, int, void **);
typedef int (*fn_close)(void *, void **);
typedef int (*fn_root)(void *, void **, void **);
typedef int (*fn_count)(void *, int *, void **);
typedef int (*fn_sub)(void *, int, void **, void **);
typedef void (*fn_errfree)(void **);
typedef int (*fn_by_path)(void *, const uint8_t *, size_t, void **, void **);
typedef int (*fn_size)(void *, size_t *, void **);
typedef int (*fn_bytes)(void *, uint8_t *, size_t, void **);
typedef int (*fn_type)(void *, uint32_t *, void **);

struct regf_api {
    fn_init file_init;
    fn_free file_free, key_free;
    fn_open file_open;
    fn_close file_close;
    fn_root root;
    fn_count nsub, nval;
    fn_sub sub;
    fn_errfree err_free;
    fn_by_path key_by_path;
    fn_sub value;
    fn_free value_free;
    fn_size name_size, data_size;
    fn_bytes name, data;
    fn_type type;
};

static int load_api(struct regf_api *a)
{
    static void *lib;
    if (!lib) {
        /* Debian's soname; the DLL names of libyal's Windows builds */
        static const char *const files[] = {"libregf.so.1", "libregf.dll", "libregf-1.dll"};
        if (!(lib = bf_io_lib_open(files, sizeof files / sizeof files[0])))
            return 0;
    }
    static const char *const names[] = {
        "libregf_file_initialize", "libregf_file_free", "libregf_key_free", "libregf_file_open",
        "libregf_file_close", "libregf_file_get_root_key", "libregf_key_get_number_of_sub_keys",
        "libregf_key_get_number_of_values", "libregf_key_get_sub_key", "libregf_error_free",
        "libregf_file_get_key_by_utf8_path", "libregf_key_get_value", "libregf_value_free",
        "libregf_value_get_utf8_name_size", "libregf_value_get_value_data_size", "libregf_value_get_utf8_name",
        "libregf_value_get_value_data", "libregf_value_get_value_type"};
    void (*p[sizeof names / sizeof names[0]])(void);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((p[i] = bf_io_lib_sym(lib, names[i])) == NULL)
            return 0;
    /* each to the function pointer type of its field */
    void *dst[] = {&a->file_init, &a->file_free, &a->key_free, &a->file_open, &a->file_close, &a->root,
                   &a->nsub, &a->nval, &a->sub, &a->err_free, &a->key_by_path, &a->value, &a->value_free,
                   &a->name_size, &a->data_size, &a->name, &a->data, &a->type};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        memcpy(dst[i], &p[i], sizeof p[i]);
    return 1;
}

/* Our own counts of keys and values. */
static int count_ours(bf_hive *h, unsigned long *keys, unsigned long *values, bf_error *err)
{
    bf_node *all;
    size_t n;
    int rc = bf_subtree_keys(h, bf_hive_root(h), &all, &n, err);
    if (rc)
        return rc;
    *keys = n;
    *values = 0;
    for (size_t i = 0; i < n; i++)
        *values += rd32(bf_at(h, all[i]) + 4 + NK_NVALUES);
    free(all);
    return BF_OK;
}

/* libregf's tree walk: its key and value counts must equal ours. */
static int verify_every_key(bf_hive *h, const struct regf_api *a, void *file, const char *path, bf_error *err)
{
    unsigned long our_keys = 0, our_values = 0;
    int rc = count_ours(h, &our_keys, &our_values, err);
    if (rc)
        return rc;
    void *e = NULL, *root = NULL;
    unsigned long keys = 0, values = 0;
    int ok = 0;
    struct frame {
        void *key;
        int next, nsub;
    } stack[BF_MAX_DEPTH + 1];
    int sp = 0;
    if (a->root(file, &root, &e) != 1)
        goto done;
    stack[0].key = root;
    stack[0].next = 0;
    stack[0].nsub = 0;
    sp = 1;
    if (a->nsub(root, &stack[0].nsub, &e) != 1)
        goto done;
    keys = 1;
    {
        int nv;
        if (a->nval(root, &nv, &e) != 1)
            goto done;
        values += (unsigned long)nv;
    }
    while (sp > 0) {
        struct frame *f = &stack[sp - 1];
        if (f->next >= f->nsub) {
            a->key_free(&f->key, &e);
            sp--;
            continue;
        }
        void *sub = NULL;
        if (a->sub(f->key, f->next++, &sub, &e) != 1)
            goto done;
        int nv, ns;
        if (a->nval(sub, &nv, &e) != 1 || a->nsub(sub, &ns, &e) != 1 || sp > BF_MAX_DEPTH) {
            a->key_free(&sub, &e);
            goto done;
        }
        keys++;
        values += (unsigned long)nv;
        stack[sp].key = sub;
        stack[sp].next = 0;
        stack[sp].nsub = ns;
        sp++;
    }
    ok = 1;
done:
    while (sp > 0) {
        sp--;
        a->key_free(&stack[sp].key, &e);
    }
    if (e)
        a->err_free(&e);
    if (!ok)
        return bf_fail(err, BF_ERR_VERIFY, "%s: libregf cannot read the hive just written (%lu keys read)", path,
                       keys);
    if (keys != our_keys || values != our_values)
        return bf_fail(err, BF_ERR_VERIFY, "%s: libregf reads %lu keys and %lu values, bootfix wrote %lu and %lu",
                       path, keys, values, our_keys, our_values);
    return BF_OK;
}

/* The path of key n below the root ("A\\B", "" for the root) in a
 * malloc'd *out; *out NULL when n is no longer a key of the tree (deleted).
 * BF_OK, or BF_ERR_NOMEM. */
static int tree_path(bf_hive *h, bf_node n, char **out, bf_error *err)
{
    bf_node chain[BF_LIMIT_KEY_DEPTH];
    size_t depth = 0, len = 1;
    bf_node root = bf_hive_root(h);
    *out = NULL;
    for (bf_node k = n; k != root; depth++) {
        const uint8_t *nk = depth < BF_LIMIT_KEY_DEPTH ? bf_nk(h, k, NULL, NULL) : NULL;
        if (!nk)
            return BF_OK;
        chain[depth] = k;
        len += 3 * bf_name_units(bf_nk_name(nk)) + 1;
        k = rd32(nk + NK_PARENT);
    }
    if (!bf_nk(h, root, NULL, NULL))
        return BF_OK;
    char *p = bf_malloc(len), *o = p;
    if (!p)
        return bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
    while (depth-- > 0) {
        bf_name nm = bf_nk_name(bf_nk(h, chain[depth], NULL, NULL));
        o += bf_units_to_utf8_buf(nm.p, bf_name_units(nm), nm.comp, o);
        if (depth)
            *o++ = '\\';
    }
    *o = 0;
    *out = p;
    return BF_OK;
}

/* libregf's data of a value against ours, allowing for two ways libregf
 * 20201007 is known to differ from what is stored: data of 1 to 3 bytes
 * kept inline in the value record comes from the wrong end of the 4-byte
 * field (only its length is compared, and not even that for a string,
 * whose length libregf recomputes from those bytes), and a REG_SZ or REG_EXPAND_SZ comes
 * back cut after its first UTF-16 NUL, or read on past the stored length to
 * the next NUL (the common part is compared, and a cut must be at a NUL). */
static int same_data(bf_hive *h, bf_value v, uint32_t type, const uint8_t *ours, size_t olen, const uint8_t *theirs,
                     size_t tlen)
{
    uint32_t raw = rd32(bf_at(h, v) + 4 + VK_DATASIZE);
    int inline_short = (raw & REGF_INLINE_BIT) && olen > 0 && olen < 4;
    if (inline_short) /* a string's length is recomputed from those bytes too */
        return tlen == olen || type == BF_REG_SZ || type == BF_REG_EXPAND_SZ;
    if (type == BF_REG_SZ || type == BF_REG_EXPAND_SZ) {
        size_t n = olen < tlen ? olen : tlen;
        if (n && memcmp(ours, theirs, n) != 0)
            return 0;
        return tlen >= olen || (tlen >= 2 && ours[tlen - 2] == 0 && ours[tlen - 1] == 0);
    }
    return olen == tlen && (olen == 0 || !memcmp(ours, theirs, olen));
}

/* Value i of libregf's key against our value v (name, type and data):
 * BF_OK when the same, 1 when libregf reads it otherwise, or our own
 * failure (BF_ERR_NOMEM) with err filled. */
static int same_value(bf_hive *h, const struct regf_api *a, void *key, int i, bf_value v, void **e, char *how,
                      size_t howsz, bf_error *err)
{
    void *rv = NULL;
    char *ours = NULL, *theirs = NULL;
    uint8_t *od = NULL, *td = NULL;
    size_t olen = 0, nsz = 0, dsz = 0;
    uint32_t otype = 0, ttype = 0;
    int rc = bf_value_name(h, v, &ours, err);
    if (rc == BF_OK)
        rc = bf_value_data(h, v, &otype, &od, &olen, err);
    int read = rc == BF_OK && a->value(key, i, &rv, e) == 1 && a->name_size(rv, &nsz, e) == 1 &&
               a->data_size(rv, &dsz, e) == 1 && a->type(rv, &ttype, e) == 1;
    if (read && ((theirs = bf_malloc(nsz + 1)) == NULL || (td = bf_malloc(dsz + 1)) == NULL))
        rc = bf_fail(err, BF_ERR_NOMEM, "%s: out of memory", h->path);
    if (rc == BF_OK && read && nsz)
        read = a->name(rv, (uint8_t *)theirs, nsz, e) == 1;
    if (rc == BF_OK && read && dsz)
        read = a->data(rv, td, dsz, e) == 1;
    if (rc == BF_OK) {
        if (read)
            theirs[nsz ? nsz - 1 : 0] = 0;
        rc = read && strcmp(ours, theirs) == 0 && otype == ttype && same_data(h, v, otype, od, olen, td, dsz) ? BF_OK
                                                                                                           : 1;
        if (rc == 1 && read)
            snprintf(how, howsz, " (\"%.100s\", type 0x%x, %zu bytes; libregf: \"%.100s\", type 0x%x, %zu bytes)",
                     ours, otype, olen, theirs, ttype, dsz);
        else if (rc == 1)
            snprintf(how, howsz, " (libregf cannot read it)");
    }
    if (rv)
        a->value_free(&rv, e);
    free(ours);
    free(theirs);
    free(od);
    free(td);
    return rc;
}

/* One changed key read back by libregf: found by its path, the same
 * number of subkeys, and the same values. */
static int verify_key(bf_hive *h, const struct regf_api *a, void *file, const char *path, bf_node n, bf_error *err)
{
    char *kp;
    int rc = tree_path(h, n, &kp, err);
    if (rc || !kp)
        return rc; /* or deleted since: its parent is checked instead */
    void *e = NULL, *key = NULL;
    bf_value *vals = NULL;
    size_t nv = 0;
    rc = bf_node_values(h, n, &vals, &nv, err);
    if (rc) {
        free(kp);
        return rc;
    }
    int found = *kp ? a->key_by_path(file, (const uint8_t *)kp, strlen(kp), &key, &e) : a->root(file, &key, &e);
    int nsub = -1, nval = -1;
    const uint8_t *nk = bf_at(h, n) + 4;
    if (found == 1 && a->nsub(key, &nsub, &e) == 1 && a->nval(key, &nval, &e) == 1 &&
        (uint32_t)nsub == rd32(nk + NK_NSUBKEYS) && (size_t)nval == nv) {
        char how[300] = "";
        for (size_t i = 0; i < nv && rc == BF_OK; i++)
            if ((rc = same_value(h, a, key, (int)i, vals[i], &e, how, sizeof how, err)) == 1)
                rc = bf_fail(err, BF_ERR_VERIFY, "%s: libregf reads value %zu of key \"\\%s\" differently from "
                             "what bootfix wrote%s", path, i, kp, how);
    } else {
        rc = bf_fail(err, BF_ERR_VERIFY, "%s: libregf %s key \"\\%s\"%s", path,
                     found == 1 ? "reads" : "does not find", kp,
                     found == 1 ? " with other numbers of subkeys or values than bootfix wrote" : " that bootfix wrote");
    }
    if (key)
        a->key_free(&key, &e);
    if (e)
        a->err_free(&e);
    free(vals);
    free(kp);
    return rc;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static int verify_changed_keys(bf_hive *h, const struct regf_api *a, void *file, const char *path, bf_error *err)
{
    if (h->ntouched == 0)
        return BF_OK;
    qsort(h->touched, h->ntouched, sizeof *h->touched, cmp_u32);
    int rc = BF_OK;
    for (size_t i = 0; i < h->ntouched && rc == BF_OK; i++)
        if (i == 0 || h->touched[i] != h->touched[i - 1])
            rc = verify_key(h, a, file, path, h->touched[i], err);
    return rc;
}

int bf_verify_libregf(bf_hive *h, const char *path, bf_error *err)
{
    struct regf_api a;
    if (!load_api(&a))
        return BF_ERR_UNSUPPORTED;
    void *file = NULL, *e = NULL;
    int rc;
    if (a.file_init(&file, &e) != 1 || a.file_open(file, path, 1, &e) != 1)
        rc = bf_fail(err, BF_ERR_VERIFY, "%s: libregf cannot open the hive just written", path);
    else if (h->touched_all)
        rc = verify_every_key(h, &a, file, path, err);
    else
        rc = verify_changed_keys(h, &a, file, path, err);
    if (e)
        a.err_free(&e);
    if (file) {
        a.file_close(file, &e);
        if (e)
            a.err_free(&e);
        a.file_free(&file, &e);
        if (e)
            a.err_free(&e);
    }
    return rc;
}
