/* Key nodes (nk): reading names, classes, timestamps, subkeys and lookups. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

uint8_t *bf_nk(bf_hive *h, bf_node n, uint32_t *len, bf_error *err)
{
    uint32_t l;
    uint8_t *p = bf_cell_sig(h, n, "nk", NK_NAME, &l, "key", err);
    if (!p)
        return NULL;
    uint16_t nl = rd16(p + NK_NAMELEN);
    if (nl == 0 || (uint32_t)NK_NAME + nl > l) {
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: key name length %u does not fit its cell (%u bytes)",
                h->path, (unsigned long long)n + REGF_BASE_BLOCK + 4, nl, l);
        return NULL;
    }
    if (len)
        *len = l;
    return p;
}

bf_name bf_nk_name(const uint8_t *nk)
{
    return (bf_name){nk + NK_NAME, rd16(nk + NK_NAMELEN), (rd16(nk + NK_FLAGS) & NK_F_COMP_NAME) != 0};
}

void bf_nk_changed(bf_hive *h, bf_node n)
{
    if (h->touched_all || (h->ntouched && h->touched[h->ntouched - 1] == n))
        return;
    if (h->ntouched == h->touched_cap) {
        size_t cap = h->touched_cap ? h->touched_cap * 2 : 16;
        uint32_t *nt = cap <= BF_TOUCHED_MAX ? bf_realloc(h->touched, cap * sizeof *nt) : NULL;
        if (!nt) { /* too many, or no memory: the cross-check reads every key */
            h->touched_all = 1;
            return;
        }
        h->touched = nt;
        h->touched_cap = cap;
    }
    h->touched[h->ntouched++] = n;
}

void bf_nk_touch(bf_hive *h, bf_node n)
{
    uint8_t *p = bf_nk(h, n, NULL, NULL);
    if (p)
        wr64(p + NK_TIMESTAMP, bf_filetime_now());
    h->modified = 1;
    bf_nk_changed(h, n);
}

void bf_nk_init(uint8_t *p, uint16_t flags, uint32_t parent, uint32_t sk, const uint8_t *name, size_t namelen)
{
    memcpy(p, "nk", 2);
    wr16(p + NK_FLAGS, flags);
    wr64(p + NK_TIMESTAMP, bf_filetime_now());
    wr32(p + NK_PARENT, parent);
    wr32(p + NK_SUBKEYS, REGF_NIL);
    wr32(p + NK_VSUBKEYS, REGF_NIL);
    wr32(p + NK_VALUES, REGF_NIL);
    wr32(p + NK_SK, sk);
    wr32(p + NK_CLASS, REGF_NIL);
    wr16(p + NK_NAMELEN, (uint16_t)namelen);
    memcpy(p + NK_NAME, name, namelen);
}

bf_node bf_hive_root(const bf_hive *h) { return rd32(h->img + BB_ROOT); }

int bf_node_name(bf_hive *h, bf_node n, char **name, bf_error *err)
{
    const uint8_t *p = bf_nk(h, n, NULL, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    *name = bf_name_to_utf8(bf_nk_name(p));
    return *name ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
}

int bf_node_class(bf_hive *h, bf_node n, char **cls, bf_error *err)
{
    const uint8_t *p = bf_nk(h, n, NULL, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    *cls = NULL;
    uint32_t off = rd32(p + NK_CLASS);
    uint16_t cl = rd16(p + NK_CLASSLEN);
    if (off == REGF_NIL || cl == 0)
        return BF_OK;
    uint32_t l;
    const uint8_t *c = bf_cell(h, off, &l, "class name", err);
    if (!c)
        return err ? err->code : BF_ERR_FORMAT;
    if (cl > l)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: class name of %u bytes does not fit its cell (%u)",
                       h->path, (unsigned long long)off + REGF_BASE_BLOCK, cl, l);
    *cls = bf_utf16le_to_utf8(c, cl, NULL);
    return *cls ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
}

int bf_node_timestamp(bf_hive *h, bf_node n, uint64_t *ft, bf_error *err)
{
    const uint8_t *p = bf_nk(h, n, NULL, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    *ft = rd64(p + NK_TIMESTAMP);
    return BF_OK;
}

int bf_node_parent(bf_hive *h, bf_node n, bf_node *parent, bf_error *err)
{
    const uint8_t *p = bf_nk(h, n, NULL, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    if (n == bf_hive_root(h))
        return bf_fail(err, BF_ERR_NOT_FOUND, "%s: the root key has no parent", h->path);
    *parent = rd32(p + NK_PARENT);
    return BF_OK;
}

typedef struct collect_ctx {
    bf_hive *h;
    bf_node parent;
    bf_node **v;
    size_t *n, *cap;
    size_t listed;
    bf_error *err;
} collect_ctx;

static int collect(void *vctx, uint32_t nk_off)
{
    collect_ctx *c = vctx;
    const uint8_t *p = bf_nk(c->h, nk_off, NULL, c->err);
    if (!p)
        return c->err ? c->err->code : BF_ERR_FORMAT;
    /* A child must name its parent: this also makes cycles impossible. */
    if (rd32(p + NK_PARENT) != c->parent || nk_off == bf_hive_root(c->h))
        return bf_fail(c->err, BF_ERR_FORMAT,
                       "%s: offset 0x%llx: key listed under key 0x%x but its parent field says 0x%x", c->h->path,
                       (unsigned long long)nk_off + REGF_BASE_BLOCK, c->parent, rd32(p + NK_PARENT));
    if (c->listed >= BF_LIMIT_SUBKEYS) {
        char path[256];
        return bf_fail(c->err, BF_ERR_LIMIT,
                       "%s: offset 0x%llx: the subkey list of key \"%s\" holds more than %u entries, the limit",
                       c->h->path, (unsigned long long)c->parent + REGF_BASE_BLOCK + 4 + NK_SUBKEYS,
                       bf_key_path_str(c->h, c->parent, path, sizeof path), BF_LIMIT_SUBKEYS);
    }
    if (*c->n == *c->cap) {
        size_t cap = *c->cap ? *c->cap * 2 : 16;
        bf_node *nv = bf_realloc(*c->v, cap * sizeof *nv);
        if (!nv)
            return bf_fail(c->err, BF_ERR_NOMEM, "out of memory");
        *c->v = nv;
        *c->cap = cap;
    }
    (*c->v)[(*c->n)++] = nk_off;
    c->listed++;
    return 0;
}

int bf_node_children_into(bf_hive *h, bf_node n, bf_node **v, size_t *len, size_t *cap, bf_error *err)
{
    const uint8_t *p = bf_nk(h, n, NULL, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    uint32_t nsub = rd32(p + NK_NSUBKEYS), list = rd32(p + NK_SUBKEYS);
    if (nsub == 0)
        return BF_OK;
    if (nsub > BF_LIMIT_SUBKEYS) {
        char path[256];
        return bf_fail(err, BF_ERR_LIMIT,
                       "%s: offset 0x%llx: key \"%s\" says it has %u subkeys: more than the limit of %u", h->path,
                       (unsigned long long)n + REGF_BASE_BLOCK + 4 + NK_NSUBKEYS,
                       bf_key_path_str(h, n, path, sizeof path), nsub, BF_LIMIT_SUBKEYS);
    }
    collect_ctx c = {h, n, v, len, cap, 0, err};
    int rc = bf_sklist_walk(h, list, collect, &c, err);
    if (rc)
        return rc;
    if (c.listed != nsub)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: key says it has %u subkeys but its list holds %zu",
                       h->path, (unsigned long long)n + REGF_BASE_BLOCK + 4 + NK_NSUBKEYS, nsub, c.listed);
    return BF_OK;
}

int bf_node_children(bf_hive *h, bf_node n, bf_node **kids, size_t *count, bf_error *err)
{
    bf_node *v = NULL;
    size_t len = 0, cap = 0;
    *kids = NULL;
    *count = 0;
    int rc = bf_node_children_into(h, n, &v, &len, &cap, err);
    if (rc) {
        free(v);
        return rc;
    }
    *kids = v;
    *count = len;
    return BF_OK;
}

int bf_node_child(bf_hive *h, bf_node parent, const char *name, bf_node *out, bf_error *err)
{
    const uint8_t *p = bf_nk(h, parent, NULL, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    uint8_t *nb;
    size_t nl;
    int comp;
    int rc = bf_name_from_utf8(name, &nb, &nl, &comp, err);
    if (rc)
        return rc;
    bf_name want = {nb, nl, comp};
    uint32_t found = REGF_NIL;
    if (rd32(p + NK_NSUBKEYS) == 0)
        rc = BF_ERR_NOT_FOUND;
    else
        rc = bf_sklist_find(h, rd32(p + NK_SUBKEYS), want, &found, err);
    free(nb);
    if (rc == BF_ERR_NOT_FOUND)
        return bf_fail(err, BF_ERR_NOT_FOUND, "%s: key \"%s\" not found", h->path, name);
    if (rc)
        return rc;
    const uint8_t *c = bf_nk(h, found, NULL, err);
    if (!c)
        return err ? err->code : BF_ERR_FORMAT;
    if (rd32(c + NK_PARENT) != parent)
        return bf_fail(err, BF_ERR_FORMAT,
                       "%s: offset 0x%llx: key listed under key 0x%x but its parent field says 0x%x", h->path,
                       (unsigned long long)found + REGF_BASE_BLOCK, parent, rd32(c + NK_PARENT));
    *out = found;
    return BF_OK;
}

int bf_subtree_keys(bf_hive *h, bf_node n, bf_node **keys, size_t *count, bf_error *err)
{
    size_t cap = 64, total = 0;
    bf_node *order = bf_malloc(cap * sizeof *order);
    if (!order)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    order[total++] = n;
    for (size_t i = 0; i < total; i++) {
        bf_node *kids;
        size_t nk;
        int rc = bf_node_children(h, order[i], &kids, &nk, err);
        if (rc) {
            free(order);
            return rc;
        }
        if (total + nk > cap) {
            while (total + nk > cap)
                cap *= 2;
            bf_node *no = bf_realloc(order, cap * sizeof *no);
            if (!no) {
                free(kids);
                free(order);
                return bf_fail(err, BF_ERR_NOMEM, "out of memory");
            }
            order = no;
        }
        if (nk)
            memcpy(order + total, kids, nk * sizeof *kids);
        total += nk;
        free(kids);
    }
    *keys = order;
    *count = total;
    return BF_OK;
}

/* Split the next path component; returns its length and advances *s. */
static size_t next_component(const char **s, char *buf, size_t bufsz)
{
    while (**s == '\\')
        (*s)++;
    size_t n = 0;
    while ((*s)[n] && (*s)[n] != '\\')
        n++;
    if (n < bufsz) {
        memcpy(buf, *s, n);
        buf[n] = 0;
    }
    *s += n;
    return n;
}

int bf_node_lookup(bf_hive *h, bf_node start, const char *path, bf_node *out, bf_error *err)
{
    bf_node cur = start;
    char comp[4 * BF_MAX_KEY_NAME + 1];
    const char *s = path;
    for (unsigned depth = 0;; depth++) {
        size_t n = next_component(&s, comp, sizeof comp);
        if (n == 0)
            break;
        if (n >= sizeof comp)
            return bf_fail(err, BF_ERR_NOT_FOUND, "%s: key \"%s\" not found (a name is longer than 255 characters)",
                           h->path, path);
        if (depth + 1 >= BF_LIMIT_KEY_DEPTH) /* the root is level 1 */
            return bf_fail(err, BF_ERR_LIMIT, "%s: key \"%.200s\" is deeper than %d levels, the limit", h->path,
                           path, BF_LIMIT_KEY_DEPTH);
        int rc = bf_node_child(h, cur, comp, &cur, err);
        if (rc == BF_ERR_NOT_FOUND)
            return bf_fail(err, BF_ERR_NOT_FOUND, "%s: key \"%.*s\" not found", h->path,
                           (int)(s - path), path);
        if (rc)
            return rc;
    }
    *out = cur;
    return BF_OK;
}

/* ---- key paths and levels for limits and messages ------------------------------------------- */

/* Put `s` (n bytes) before buf[*pos]; 0 when it does not fit above `keep`. */
static int prepend(char *buf, size_t *pos, size_t keep, const char *s, size_t n)
{
    if (*pos < keep + n)
        return 0;
    *pos -= n;
    memcpy(buf + *pos, s, n);
    return 1;
}

const char *bf_key_path_str(bf_hive *h, bf_node n, char *buf, size_t cap)
{
    size_t pos = cap - 1;
    buf[pos] = 0;
    bf_node root = bf_hive_root(h);
    for (unsigned steps = 0; n != root; steps++) {
        const uint8_t *p = bf_nk(h, n, NULL, NULL);
        char *name = p ? bf_name_to_utf8(bf_nk_name(p)) : NULL;
        const char *s = name ? name : "?";
        /* keep room for "...\" in front */
        int fits = steps <= BF_LIMIT_KEY_DEPTH && prepend(buf, &pos, 4, s, strlen(s)) &&
                   prepend(buf, &pos, 3, "\\", 1);
        free(name);
        if (!fits)
            prepend(buf, &pos, 0, "...", 3);
        if (!fits || !p) /* too long, or a parent that is not a key */
            return buf + pos;
        n = rd32(p + NK_PARENT);
    }
    if (buf[pos] == 0)
        prepend(buf, &pos, 0, "\\", 1);
    return buf + pos;
}

int bf_key_level(bf_hive *h, bf_node n, unsigned *level, bf_error *err)
{
    bf_node root = bf_hive_root(h);
    unsigned l = 1;
    while (n != root && l <= BF_LIMIT_KEY_DEPTH) {
        const uint8_t *p = bf_nk(h, n, NULL, err);
        if (!p)
            return err ? err->code : BF_ERR_FORMAT;
        n = rd32(p + NK_PARENT);
        l++;
    }
    *level = l;
    return BF_OK;
}

int bf_limit_room(bf_hive *h, bf_node n, uint32_t have, uint32_t limit, const char *what, bf_error *err)
{
    char path[256];
    if (have < limit)
        return BF_OK;
    return bf_fail(err, BF_ERR_LIMIT, "%s: key \"%s\" already has %u %s: the limit is %u per key", h->path,
                   bf_key_path_str(h, n, path, sizeof path), have, what, limit);
}
