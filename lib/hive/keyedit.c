/* Creating and deleting keys. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

/* The parent may take one more subkey: it has fewer than BF_LIMIT_SUBKEYS
 * and is above the deepest level (BF_LIMIT_KEY_DEPTH). */
static int room_for_subkey(bf_hive *h, bf_node parent, const char *name, bf_error *err)
{
    const uint8_t *pp = bf_nk(h, parent, NULL, err);
    if (!pp)
        return err ? err->code : BF_ERR_FORMAT;
    int rc = bf_limit_room(h, parent, rd32(pp + NK_NSUBKEYS), BF_LIMIT_SUBKEYS, "subkeys", err);
    if (rc)
        return rc;
    unsigned level;
    rc = bf_key_level(h, parent, &level, err);
    if (rc)
        return rc;
    if (level >= BF_LIMIT_KEY_DEPTH) {
        char path[256];
        return bf_fail(err, BF_ERR_LIMIT,
                       "%s: cannot add key \"%s\" under \"%s\": keys may be at most %d levels deep (the root is "
                       "level 1)", h->path, name, bf_key_path_str(h, parent, path, sizeof path), BF_LIMIT_KEY_DEPTH);
    }
    return BF_OK;
}

int bf_node_add(bf_hive *h, bf_node parent, const char *name, bf_node *out, bf_error *err)
{
    int rc = bf_hive_writable(h, err);
    if (rc)
        return rc;
    if (!name || !*name || strchr(name, '\\'))
        return bf_fail(err, BF_ERR_INVALID, "%s: invalid key name \"%s\" (empty, or contains a backslash)", h->path,
                       name ? name : "");
    const uint8_t *pp = bf_nk(h, parent, NULL, err);
    if (!pp)
        return err ? err->code : BF_ERR_FORMAT;
    bf_node existing;
    bf_error e2;
    rc = bf_node_child(h, parent, name, &existing, &e2);
    if (rc == BF_OK) {
        if (out)
            *out = existing;
        return bf_fail(err, BF_ERR_EXISTS, "%s: key \"%s\" already exists", h->path, name);
    }
    if (rc != BF_ERR_NOT_FOUND) {
        if (err)
            *err = e2;
        return rc;
    }
    rc = room_for_subkey(h, parent, name, err);
    if (rc)
        return rc;
    uint8_t *nb;
    size_t nl;
    int comp;
    rc = bf_name_from_utf8(name, &nb, &nl, &comp, err);
    if (rc)
        return rc;
    if ((comp ? nl : nl / 2) > BF_LIMIT_KEY_NAME) {
        char path[256];
        free(nb);
        return bf_fail(err, BF_ERR_LIMIT, "%s: key name \"%.40s...\" under \"%s\" is %zu characters: the limit is %d",
                       h->path, name, bf_key_path_str(h, parent, path, sizeof path), comp ? nl : nl / 2,
                       BF_LIMIT_KEY_NAME);
    }
    uint32_t sk = rd32(pp + NK_SK);
    rc = bf_sk_ref(h, sk, err);
    if (rc) {
        free(nb);
        return rc;
    }
    uint32_t nk_off;
    rc = bf_cell_alloc(h, (uint32_t)(NK_NAME + nl), &nk_off, err);
    if (rc) {
        bf_sk_unref(h, sk, NULL);
        free(nb);
        return rc;
    }
    bf_nk_init(bf_at(h, nk_off) + 4, comp ? NK_F_COMP_NAME : 0, parent, sk, nb, nl);
    free(nb);
    rc = bf_sklist_insert(h, parent, nk_off, err);
    if (rc) {
        bf_cell_free(h, nk_off);
        bf_sk_unref(h, sk, NULL);
        return rc;
    }
    bf_nk_touch(h, parent);
    bf_nk_changed(h, nk_off);
    if (out)
        *out = nk_off;
    return BF_OK;
}

/* Non-empty components of a key path. */
static unsigned count_components(const char *s)
{
    unsigned n = 0;
    while (*s) {
        size_t len = strcspn(s, "\\");
        n += len > 0;
        s += len;
        if (*s)
            s++;
    }
    return n;
}

/* Every component of `s` must be a valid key name, and the path not too
 * deep below `level` (the start key's): checked before anything is created,
 * so a bad path changes nothing. */
static int validate_path(bf_hive *h, const char *s, const char *path, unsigned level, bf_error *err)
{
    unsigned depth = level;
    char comp[4 * BF_LIMIT_KEY_NAME + 8];
    while (*s) {
        size_t n = strcspn(s, "\\");
        if (n >= sizeof comp)
            return bf_fail(err, BF_ERR_LIMIT,
                           "%s: key path \"%.200s\": a name is longer than %d characters, the limit", h->path, path,
                           BF_LIMIT_KEY_NAME);
        memcpy(comp, s, n);
        comp[n] = 0;
        uint8_t *nb;
        size_t nl;
        int c;
        int rc = bf_name_from_utf8(comp, &nb, &nl, &c, err);
        if (rc)
            return rc;
        free(nb);
        if ((c ? nl : nl / 2) > BF_LIMIT_KEY_NAME)
            return bf_fail(err, BF_ERR_LIMIT,
                           "%s: key path \"%.200s\": \"%.40s...\" is %zu characters: the limit is %d", h->path, path,
                           comp, c ? nl : nl / 2, BF_LIMIT_KEY_NAME);
        if (++depth > BF_LIMIT_KEY_DEPTH)
            return bf_fail(err, BF_ERR_LIMIT,
                           "%s: key path \"%.200s\" would be %u levels deep: the limit is %d (the root is level 1)",
                           h->path, path, level + count_components(path), BF_LIMIT_KEY_DEPTH);
        s += n;
        if (*s)
            s++;
    }
    return BF_OK;
}

int bf_node_create_path(bf_hive *h, bf_node start, const char *path, bf_node *out, int *created, bf_error *err)
{
    int rc = bf_hive_writable(h, err);
    if (rc)
        return rc;
    if (created)
        *created = 0;
    char *copy = bf_strdup(path);
    if (!copy)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    bf_node cur = start;
    char *s = copy;
    while (*s == '\\')
        s++;
    /* validate the whole path before creating anything */
    if (strstr(s, "\\\\")) {
        free(copy);
        return bf_fail(err, BF_ERR_INVALID, "%s: key path \"%.200s\" has an empty component (two backslashes)",
                       h->path, path);
    }
    unsigned level;
    rc = bf_key_level(h, start, &level, err);
    if (rc == BF_OK)
        rc = validate_path(h, s, path, level, err);
    if (rc) {
        free(copy);
        return rc;
    }
    for (char *tok; *s;) {
        tok = s;
        while (*s && *s != '\\')
            s++;
        if (*s)
            *s++ = 0;
        bf_node next;
        bf_error e2;
        rc = bf_node_child(h, cur, tok, &next, &e2);
        if (rc == BF_ERR_NOT_FOUND) {
            rc = bf_node_add(h, cur, tok, &next, err);
            if (rc) {
                free(copy);
                return rc;
            }
            if (created)
                (*created)++;
        } else if (rc) {
            if (err)
                *err = e2;
            free(copy);
            return rc;
        }
        cur = next;
    }
    free(copy);
    if (out)
        *out = cur;
    return BF_OK;
}

/* Free a subkey list structure (an ri and its leaves, or one leaf). */
static void free_list_cells(bf_hive *h, uint32_t list)
{
    uint32_t len;
    const uint8_t *p = bf_cell(h, list, &len, "subkey list", NULL);
    if (!p)
        return;
    if (p[0] == 'r' && p[1] == 'i') {
        uint32_t n = rd16(p + 2);
        for (uint32_t i = 0; i < n && 4 + 4 * (uint64_t)i + 4 <= len; i++)
            bf_cell_free(h, rd32(bf_at(h, list) + 4 + 4 + 4 * i));
    }
    bf_cell_free(h, list);
}

/* Free one key's own cells: values, lists, class; drop its sk reference. */
static void free_key_cells(bf_hive *h, bf_node n)
{
    const uint8_t *p = bf_at(h, n) + 4;
    uint32_t nval = rd32(p + NK_NVALUES), vlist = rd32(p + NK_VALUES);
    if (nval) {
        uint32_t len;
        if (bf_cell(h, vlist, &len, "value list", NULL)) {
            for (uint32_t i = 0; i < nval && (uint64_t)i * 4 + 4 <= len; i++) {
                uint32_t v = rd32(bf_at(h, vlist) + 4 + 4 * i);
                const uint8_t *vk = bf_vk(h, v, NULL, NULL);
                if (vk) {
                    bf_data_free(h, rd32(vk + VK_DATASIZE), rd32(vk + VK_DATA));
                    bf_cell_free(h, v);
                }
            }
            bf_cell_free(h, vlist);
        }
    }
    p = bf_at(h, n) + 4;
    if (rd32(p + NK_NSUBKEYS))
        free_list_cells(h, rd32(p + NK_SUBKEYS));
    p = bf_at(h, n) + 4;
    if (rd16(p + NK_CLASSLEN) && rd32(p + NK_CLASS) != REGF_NIL)
        bf_cell_free(h, rd32(p + NK_CLASS));
    p = bf_at(h, n) + 4;
    bf_sk_unref(h, rd32(p + NK_SK), NULL);
    bf_cell_free(h, n);
}

int bf_node_delete(bf_hive *h, bf_node n, bf_error *err)
{
    int rc = bf_hive_writable(h, err);
    if (rc)
        return rc;
    if (n == bf_hive_root(h))
        return bf_fail(err, BF_ERR_INVALID, "%s: the root key cannot be deleted", h->path);
    const uint8_t *p = bf_nk(h, n, NULL, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    bf_node parent = rd32(p + NK_PARENT);

    /* collect (and so validate) the whole subtree first; free subkeys first */
    bf_node *order;
    size_t count;
    rc = bf_subtree_keys(h, n, &order, &count, err);
    if (rc)
        return rc;
    rc = bf_sklist_remove(h, parent, n, err);
    if (rc) {
        free(order);
        return rc;
    }
    for (size_t i = count; i-- > 0;)
        free_key_cells(h, order[i]);
    free(order);
    bf_nk_touch(h, parent);
    return BF_OK;
}
