/* BCD stores: opening, creating, objects and identifiers.
 * Facts: ../shared/reference/bcd-elements.md §3, §4. */
#include "internal.h"

#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Root key name and Description\KeyName of a store made by
 * `bcdedit /createstore` (corpus: go-bcdedit_template_BCD.bin). */
#define BCD_NEW_ROOT "NewStoreRoot"
#define BCD_NEW_KEYNAME "BCD00000001"
#define BCD_KEYNAME_VALUE "KeyName"

/* attempts at a GUID that is not in the store yet */
#define BCD_RANDOM_TRIES 16

/* ---- opening ------------------------------------------------------------------ */

static int bcd_wrap(bf_hive *h, bf_bcd **out, bf_error *err)
{
    bf_node objects;
    int rc = bf_node_child(h, bf_hive_root(h), BCD_OBJECTS_KEY, &objects, err);
    if (rc == BF_ERR_NOT_FOUND)
        rc = bf_fail(err, BF_ERR_FORMAT, "%s: not a BCD store: the hive has no Objects key",
                     bf_hive_path(h));
    if (rc) {
        bf_hive_close(h);
        return rc;
    }
    bf_bcd *s = bf_calloc(1, sizeof *s);
    if (!s) {
        bf_hive_close(h);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    s->h = h;
    s->objects = objects;
    *out = s;
    return BF_OK;
}

int bf_bcd_open(const char *path, unsigned flags, bf_bcd **out, bf_error *err)
{
    bf_hive *h;
    int rc = bf_hive_open(path, flags, &h, err);
    if (rc)
        return rc;
    return bcd_wrap(h, out, err);
}

int bf_bcd_open_mem(const char *name, const void *data, size_t len, unsigned flags,
                    bf_bcd **out, bf_error *err)
{
    bf_hive *h;
    int rc = bf_hive_open_mem(name, data, len, NULL, 0, flags, &h, err);
    if (rc)
        return rc;
    return bcd_wrap(h, out, err);
}

/* REG_SZ bytes of an ASCII/UTF-8 string with its NUL (malloc'd). */
static int utf16z(const char *text, uint8_t **out, size_t *len, bf_error *err)
{
    uint16_t *u;
    size_t n;
    int rc = bf_utf8_to_utf16(text, &u, &n, err);
    if (rc)
        return rc;
    uint8_t *b = bf_malloc(2 * n + 2);
    if (!b) {
        free(u);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        wr16(b + 2 * i, u[i]);
    wr16(b + 2 * n, 0);
    free(u);
    *out = b;
    *len = 2 * n + 2;
    return BF_OK;
}

/* bcdedit creates Objects first, then Description with KeyName (the cell
 * order of the template store). */
int bf_bcd_new(bf_bcd **out, bf_error *err)
{
    bf_hive *h;
    int rc = bf_hive_new(3, BCD_NEW_ROOT, &h, err);
    if (rc)
        return rc;
    bf_node root = bf_hive_root(h), objects, desc;
    uint8_t *kn = NULL;
    size_t knlen = 0;
    if ((rc = bf_node_add(h, root, BCD_OBJECTS_KEY, &objects, err)) != 0 ||
        (rc = bf_node_add(h, root, BCD_DESCRIPTION_KEY, &desc, err)) != 0 ||
        (rc = utf16z(BCD_NEW_KEYNAME, &kn, &knlen, err)) != 0 ||
        (rc = bf_node_set_value(h, desc, BCD_KEYNAME_VALUE, BF_REG_SZ, kn, knlen, err)) != 0) {
        free(kn);
        bf_hive_close(h);
        return rc;
    }
    free(kn);
    return bcd_wrap(h, out, err);
}

int bf_bcd_createstore(const char *path, bf_error *err)
{
    if (!path || !*path)
        return bf_fail(err, BF_ERR_INVALID, "/createstore: no file name given");
    uint64_t size;
    int64_t mtime;
    if (bf_io_stat(path, &size, &mtime) == 0)
        return bf_fail(err, BF_ERR_EXISTS,
                       "%s: the file already exists; /createstore makes a new store and "
                       "never overwrites one",
                       path);
    bf_bcd *s;
    int rc = bf_bcd_new(&s, err);
    if (rc)
        return rc;
    bf_commit_opts o;
    memset(&o, 0, sizeof o);
    o.out_path = path;
    rc = bf_hive_commit(s->h, &o, err);
    bf_bcd_close(s);
    return rc;
}

bf_hive *bf_bcd_hive(bf_bcd *s) { return s ? s->h : NULL; }

int bf_bcd_commit(bf_bcd *s, const bf_commit_opts *opts, bf_error *err)
{
    return bf_hive_commit(s->h, opts, err);
}

void bf_bcd_close(bf_bcd *s)
{
    if (!s)
        return;
    bf_hive_close(s->h);
    free(s);
}

/* ---- objects --------------------------------------------------------------------- */

int bcd_object_node(bf_bcd *s, const bf_guid *id, bf_node *node, bf_error *err)
{
    char t[BF_GUID_TEXT];
    bf_guid_format(id, t);
    int rc = bf_node_child(s->h, s->objects, t, node, err);
    if (rc == BF_ERR_NOT_FOUND)
        return bf_fail(err, BF_ERR_NOT_FOUND,
                       "%s: the specified entry was not found in the store %s", t,
                       bf_hive_path(s->h));
    return rc;
}

/* Description\Type of an object key; 0 when missing or not a 4-byte REG_DWORD. */
static int node_type(bf_bcd *s, bf_node obj, uint32_t *type, bf_error *err)
{
    bf_node desc;
    bf_value v;
    *type = 0;
    int rc = bf_node_child(s->h, obj, BCD_DESCRIPTION_KEY, &desc, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc)
        return rc;
    rc = bf_node_get_value(s->h, desc, BCD_TYPE_VALUE, &v, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc)
        return rc;
    uint32_t rt;
    uint8_t *d;
    size_t len;
    if ((rc = bf_value_data(s->h, v, &rt, &d, &len, err)) != 0)
        return rc;
    if (rt == BF_REG_DWORD && len == 4)
        *type = rd32(d);
    free(d);
    return BF_OK;
}

int bf_bcd_object_type(bf_bcd *s, const bf_guid *id, uint32_t *type, bf_error *err)
{
    bf_node n;
    int rc = bcd_object_node(s, id, &n, err);
    if (rc)
        return rc;
    return node_type(s, n, type, err);
}

typedef struct obj_sort {
    bf_bcd_object o;
    char text[BF_GUID_TEXT];
} obj_sort;

static int obj_cmp(const void *a, const void *b)
{
    const obj_sort *x = a, *y = b;
    if (x->o.type != y->o.type)
        return x->o.type < y->o.type ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* One key under Objects into tab[*n] when its name is a GUID. */
static int collect_object(bf_bcd *s, bf_node k, obj_sort *tab, size_t *n, bf_error *err)
{
    char *name;
    int rc = bf_node_name(s->h, k, &name, err);
    if (rc)
        return rc;
    bf_guid g;
    int ok = bf_guid_parse(name, &g) == 0;
    free(name);
    if (!ok)
        return BF_OK;
    obj_sort *e = &tab[*n];
    e->o.id = g;
    if ((rc = node_type(s, k, &e->o.type, err)) != 0)
        return rc;
    bf_guid_format(&g, e->text);
    (*n)++;
    return BF_OK;
}

int bf_bcd_objects(bf_bcd *s, bf_bcd_object **objs, size_t *count, bf_error *err)
{
    bf_node *kids;
    size_t nk, n = 0;
    *objs = NULL;
    *count = 0;
    int rc = bf_node_children(s->h, s->objects, &kids, &nk, err);
    if (rc)
        return rc;
    obj_sort *tab = bf_calloc(nk ? nk : 1, sizeof *tab);
    if (!tab) {
        free(kids);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < nk && !rc; i++)
        rc = collect_object(s, kids[i], tab, &n, err);
    free(kids);
    bf_bcd_object *out = rc ? NULL : bf_malloc((n ? n : 1) * sizeof *out);
    if (!rc && !out)
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
    if (rc) {
        free(tab);
        return rc;
    }
    qsort(tab, n, sizeof *tab, obj_cmp);
    for (size_t i = 0; i < n; i++)
        out[i] = tab[i].o;
    free(tab);
    *objs = out;
    *count = n;
    return BF_OK;
}

/* Objects\{id} with Description\Type and an empty Elements, as bcdedit
 * creates them.  On failure nothing is left behind. */
static int create_object_key(bf_bcd *s, const bf_guid *id, uint32_t type, bf_error *err)
{
    char t[BF_GUID_TEXT];
    bf_guid_format(id, t);
    bf_node obj, desc, els;
    int rc = bf_node_add(s->h, s->objects, t, &obj, err);
    if (rc == BF_ERR_EXISTS)
        return bf_fail(err, BF_ERR_EXISTS, "%s: an object with this identifier already exists",
                       t);
    if (rc)
        return rc;
    uint8_t dw[4];
    wr32(dw, type);
    if ((rc = bf_node_add(s->h, obj, BCD_DESCRIPTION_KEY, &desc, err)) != 0 ||
        (rc = bf_node_set_value(s->h, desc, BCD_TYPE_VALUE, BF_REG_DWORD, dw, 4, err)) != 0 ||
        (rc = bf_node_add(s->h, obj, BCD_ELEMENTS_KEY, &els, err)) != 0) {
        bf_node_delete(s->h, obj, NULL);
        return rc;
    }
    return BF_OK;
}

/* A random GUID not used by any object of the store. */
static int fresh_guid(bf_bcd *s, bf_guid *g, bf_error *err)
{
    for (int i = 0; i < BCD_RANDOM_TRIES; i++) {
        int rc = bf_guid_random(g, err);
        if (rc)
            return rc;
        bf_node n;
        rc = bcd_object_node(s, g, &n, err);
        if (rc == BF_ERR_NOT_FOUND)
            return BF_OK;
        if (rc)
            return rc;
    }
    return bf_fail(err, BF_ERR_IO, "%s: the random source keeps giving GUIDs already in use",
                   bf_hive_path(s->h));
}

int bf_bcd_object_create(bf_bcd *s, const bf_guid *id, uint32_t type, bf_guid *out,
                         bf_error *err)
{
    bf_guid g;
    int rc = bf_hive_writable(s->h, err);
    if (rc)
        return rc;
    if (id)
        g = *id;
    else if ((rc = fresh_guid(s, &g, err)) != 0)
        return rc;
    if ((rc = create_object_key(s, &g, type, err)) != 0)
        return rc;
    if (out)
        *out = g;
    return BF_OK;
}

int bf_bcd_object_delete(bf_bcd *s, const bf_guid *id, bf_error *err)
{
    bf_node n;
    int rc = bf_hive_writable(s->h, err);
    if (rc)
        return rc;
    if ((rc = bcd_object_node(s, id, &n, err)) != 0)
        return rc;
    return bf_node_delete(s->h, n, err);
}

/* Every element of src (stored bytes and type, invalid ones too) into dst. */
static int copy_elements(bf_bcd *s, const bf_guid *src, const bf_guid *dst, bf_error *err)
{
    bf_bcd_elem *els;
    size_t n;
    int rc = bf_bcd_elements(s, src, &els, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        bf_node obj, ek, k;
        char name[9];
        snprintf(name, sizeof name, "%08x", (unsigned)els[i].code);
        if ((rc = bcd_object_node(s, dst, &obj, err)) != 0 ||
            (rc = bf_node_create_path(s->h, obj, BCD_ELEMENTS_KEY, &ek, NULL, err)) != 0)
            break;
        rc = bf_node_add(s->h, ek, name, &k, err);
        if (rc == BF_ERR_EXISTS)
            rc = BF_OK;
        if (!rc)
            rc = bf_node_set_value(s->h, k, BCD_ELEMENT_VALUE, els[i].reg_type, els[i].raw,
                                   els[i].raw_len, err);
    }
    bf_bcd_elems_free(els, n);
    return rc;
}

int bf_bcd_object_copy(bf_bcd *s, const bf_guid *src, bf_guid *out, bf_error *err)
{
    uint32_t type;
    bf_guid g;
    int rc = bf_hive_writable(s->h, err);
    if (rc)
        return rc;
    if ((rc = bf_bcd_object_type(s, src, &type, err)) != 0 ||
        (rc = fresh_guid(s, &g, err)) != 0 || (rc = create_object_key(s, &g, type, err)) != 0)
        return rc;
    if ((rc = copy_elements(s, src, &g, err)) != 0) {
        bf_node n;
        if (bcd_object_node(s, &g, &n, NULL) == 0)
            bf_node_delete(s->h, n, NULL);
        return rc;
    }
    if (out)
        *out = g;
    return BF_OK;
}

/* ---- identifiers ------------------------------------------------------------------- */


/* {default}: the GUID in {bootmgr}'s default element (23000003). */
static int resolve_default(bf_bcd *s, bf_guid *out, bf_error *err)
{
    bf_node n;
    int rc = bcd_object_node(s, &BCD_GUID_BOOTMGR, &n, err);
    if (rc == BF_ERR_NOT_FOUND)
        return bf_fail(err, BF_ERR_NOT_FOUND,
                       "{default}: the store %s has no {bootmgr} object "
                       "({9dea862c-5cdd-4e70-acc1-f32b344d4795}), so there is no default entry",
                       bf_hive_path(s->h));
    if (rc)
        return rc;
    bf_bcd_elem e;
    rc = bf_bcd_element_get(s, &BCD_GUID_BOOTMGR, BCD_EL_DEFAULT, &e, err);
    if (rc == BF_ERR_NOT_FOUND)
        return bf_fail(err, BF_ERR_NOT_FOUND,
                       "{default}: {bootmgr} in %s has no default element (23000003); "
                       "set one with /default or use the entry's GUID",
                       bf_hive_path(s->h));
    if (rc)
        return rc;
    if (!e.valid || e.nguids != 1) {
        rc = bf_fail(err, BF_ERR_FORMAT,
                     "{default}: the default element (23000003) of {bootmgr} in %s is "
                     "unreadable: %s",
                     bf_hive_path(s->h), e.valid ? "no GUID" : e.problem);
        bf_bcd_elem_free(&e);
        return rc;
    }
    *out = e.guids[0];
    bf_bcd_elem_free(&e);
    return BF_OK;
}

int bf_bcd_resolve(bf_bcd *s, const char *id, bf_guid *out, bf_error *err)
{
    if (!id)
        return bf_fail(err, BF_ERR_INVALID, "no identifier given");
    bf_guid g;
    if (bf_guid_parse(id, &g) == 0) {
        *out = g;
        return BF_OK;
    }
    int known = bf_bcd_alias_lookup(id, &g, NULL) == 0;
    if (bf_ascii_ieq(id, "{current}") || (known && bf_guid_equal(&g, &BCD_GUID_CURRENT)))
        return bf_fail(err, BF_ERR_UNSUPPORTED,
                       "{current} means the entry the running Windows booted from; an offline "
                       "store has no running system. Use {default} or the entry's GUID "
                       "(bootfix bcdedit /store FILE /enum shows them).");
    if (bf_ascii_ieq(id, "{default}") || (known && bf_guid_equal(&g, &BCD_GUID_DEFAULT)))
        return resolve_default(s, out, err);
    if (!known)
        return bf_fail(err, BF_ERR_INVALID,
                       "The specified identifier is not valid: \"%s\". Use a GUID in braces, "
                       "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, or an alias such as "
                       "{bootmgr} or {default}.",
                       id);
    *out = g;
    return BF_OK;
}
