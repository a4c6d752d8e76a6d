/* Values (vk) and value lists: reading, setting and deleting. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

uint8_t *bf_vk(bf_hive *h, bf_value v, uint32_t *len, bf_error *err)
{
    uint32_t l;
    uint8_t *p = bf_cell_sig(h, v, "vk", VK_NAME, &l, "value", err);
    if (!p)
        return NULL;
    if ((uint32_t)VK_NAME + rd16(p + VK_NAMELEN) > l) {
        bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: value name length %u does not fit its cell (%u bytes)",
                h->path, (unsigned long long)v + REGF_BASE_BLOCK + 4, rd16(p + VK_NAMELEN), l);
        return NULL;
    }
    if (len)
        *len = l;
    return p;
}

bf_name bf_vk_name(const uint8_t *vk)
{
    return (bf_name){vk + VK_NAME, rd16(vk + VK_NAMELEN), (rd16(vk + VK_FLAGS) & VK_F_COMP_NAME) != 0};
}

int bf_value_list(bf_hive *h, bf_node n, const uint8_t **list, uint32_t *count, bf_error *err)
{
    const uint8_t *p = bf_nk(h, n, NULL, err);
    if (!p)
        return err ? err->code : BF_ERR_FORMAT;
    *count = rd32(p + NK_NVALUES);
    *list = NULL;
    if (*count == 0)
        return BF_OK;
    if (*count > BF_LIMIT_VALUES) {
        char path[256];
        return bf_fail(err, BF_ERR_LIMIT,
                       "%s: offset 0x%llx: key \"%s\" says it has %u values: more than the limit of %u", h->path,
                       (unsigned long long)n + REGF_BASE_BLOCK + 4 + NK_NVALUES,
                       bf_key_path_str(h, n, path, sizeof path), *count, BF_LIMIT_VALUES);
    }
    uint32_t off = rd32(p + NK_VALUES), len;
    const uint8_t *l = bf_cell(h, off, &len, "value list", err);
    if (!l)
        return err ? err->code : BF_ERR_FORMAT;
    if ((uint64_t)*count * 4 > len)
        return bf_fail(err, BF_ERR_FORMAT, "%s: offset 0x%llx: value list of %u entries does not fit its cell (%u)",
                       h->path, (unsigned long long)off + REGF_BASE_BLOCK, *count, len);
    *list = l;
    return BF_OK;
}

int bf_node_values(bf_hive *h, bf_node n, bf_value **vals, size_t *count, bf_error *err)
{
    const uint8_t *l;
    uint32_t c;
    *vals = NULL;
    *count = 0;
    int rc = bf_value_list(h, n, &l, &c, err);
    if (rc || c == 0)
        return rc;
    bf_value *v = bf_malloc((size_t)c * sizeof *v);
    if (!v)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < c; i++) {
        v[i] = rd32(l + 4 * i);
        if (!bf_vk(h, v[i], NULL, err)) {
            free(v);
            return err ? err->code : BF_ERR_FORMAT;
        }
    }
    *vals = v;
    *count = c;
    return BF_OK;
}

/* Index of the value called `name` in key n's list, or -1. */
static int find_value(bf_hive *h, bf_node n, bf_name want, uint32_t *index, bf_value *out, bf_error *err)
{
    const uint8_t *l;
    uint32_t c;
    int rc = bf_value_list(h, n, &l, &c, err);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < c; i++) {
        uint32_t v = rd32(l + 4 * i);
        const uint8_t *vk = bf_vk(h, v, NULL, err);
        if (!vk)
            return err ? err->code : BF_ERR_FORMAT;
        if (bf_name_cmp(want, bf_vk_name(vk)) == 0) {
            *index = i;
            *out = v;
            return BF_OK;
        }
    }
    return BF_ERR_NOT_FOUND;
}

int bf_node_get_value(bf_hive *h, bf_node n, const char *name, bf_value *out, bf_error *err)
{
    uint8_t *nb;
    size_t nl;
    int comp;
    int rc = bf_name_from_utf8(name, &nb, &nl, &comp, err);
    if (rc)
        return rc;
    uint32_t idx;
    rc = find_value(h, n, (bf_name){nb, nl, comp}, &idx, out, err);
    free(nb);
    if (rc == BF_ERR_NOT_FOUND)
        return bf_fail(err, BF_ERR_NOT_FOUND, "%s: value \"%s\" not found", h->path, name);
    return rc;
}

int bf_value_name(bf_hive *h, bf_value v, char **name, bf_error *err)
{
    const uint8_t *vk = bf_vk(h, v, NULL, err);
    if (!vk)
        return err ? err->code : BF_ERR_FORMAT;
    *name = bf_name_to_utf8(bf_vk_name(vk));
    return *name ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
}

int bf_value_type(bf_hive *h, bf_value v, uint32_t *type, bf_error *err)
{
    const uint8_t *vk = bf_vk(h, v, NULL, err);
    if (!vk)
        return err ? err->code : BF_ERR_FORMAT;
    *type = rd32(vk + VK_TYPE);
    return BF_OK;
}

int bf_value_data(bf_hive *h, bf_value v, uint32_t *type, uint8_t **data, size_t *len, bf_error *err)
{
    const uint8_t *vk = bf_vk(h, v, NULL, err);
    if (!vk)
        return err ? err->code : BF_ERR_FORMAT;
    if (type)
        *type = rd32(vk + VK_TYPE);
    return bf_data_read(h, vk, data, len, err);
}

/* Name length (UTF-16 units) and data size within the limits. */
static int check_value_limits(bf_hive *h, bf_node n, const char *name, size_t units, size_t len, bf_error *err)
{
    char path[256];
    size_t max = h->minor == 3 ? BF_LIMIT_VALUE_SIZE_13 : BF_LIMIT_VALUE_SIZE;
    if (units > BF_LIMIT_VALUE_NAME)
        return bf_fail(err, BF_ERR_LIMIT, "%s: key \"%s\": value name \"%.40s...\" is %zu characters: the limit is %d",
                       h->path, bf_key_path_str(h, n, path, sizeof path), name, units, BF_LIMIT_VALUE_NAME);
    if (len > max)
        return bf_fail(err, BF_ERR_LIMIT,
                       "%s: key \"%s\": value %.100s: %zu bytes of data: the limit is %zu bytes%s", h->path,
                       bf_key_path_str(h, n, path, sizeof path), *name ? name : "(default)", len, max,
                       h->minor == 3 ? " in a version 1.3 hive (1 MB)" : "");
    return BF_OK;
}

int bf_node_set_value(bf_hive *h, bf_node n, const char *name, uint32_t type, const void *data, size_t len,
                      bf_error *err)
{
    int rc = bf_hive_writable(h, err);
    if (rc)
        return rc;
    if (!bf_nk(h, n, NULL, err))
        return err ? err->code : BF_ERR_FORMAT;
    if (len && !data)
        return bf_fail(err, BF_ERR_INVALID, "no data given for %zu bytes", len);
    uint8_t *nb;
    size_t nl;
    int comp;
    rc = bf_name_from_utf8(name, &nb, &nl, &comp, err);
    if (rc)
        return rc;
    rc = check_value_limits(h, n, name, comp ? nl : nl / 2, len, err);
    if (rc) {
        free(nb);
        return rc;
    }
    bf_name want = {nb, nl, comp};
    uint32_t idx;
    bf_value existing;
    rc = find_value(h, n, want, &idx, &existing, err);
    if (rc == BF_ERR_NOT_FOUND) { /* a new value: room for it in the list? */
        int r1 = bf_limit_room(h, n, rd32(bf_at(h, n) + 4 + NK_NVALUES), BF_LIMIT_VALUES, "values", err);
        if (r1)
            rc = r1;
    }
    if (rc && rc != BF_ERR_NOT_FOUND) {
        free(nb);
        return rc;
    }
    uint32_t size_field, data_field;
    int r2 = bf_data_write(h, data, len, &size_field, &data_field, err);
    if (r2) {
        free(nb);
        return r2;
    }
    if (rc == BF_OK) {
        /* replace the data of the existing value; keep its name as stored */
        uint8_t *vk = bf_at(h, existing) + 4;
        uint32_t old_size = rd32(vk + VK_DATASIZE), old_data = rd32(vk + VK_DATA);
        wr32(vk + VK_DATASIZE, size_field);
        wr32(vk + VK_DATA, data_field);
        wr32(vk + VK_TYPE, type);
        bf_data_free(h, old_size, old_data);
    } else {
        uint32_t vkoff, newlist;
        rc = bf_cell_alloc(h, (uint32_t)(VK_NAME + nl), &vkoff, err);
        if (rc) {
            bf_data_free(h, size_field, data_field);
            free(nb);
            return rc;
        }
        uint8_t *vk = bf_at(h, vkoff) + 4;
        memcpy(vk, "vk", 2);
        wr16(vk + VK_NAMELEN, (uint16_t)nl);
        wr32(vk + VK_DATASIZE, size_field);
        wr32(vk + VK_DATA, data_field);
        wr32(vk + VK_TYPE, type);
        wr16(vk + VK_FLAGS, (nl && comp) ? VK_F_COMP_NAME : 0);
        memcpy(vk + VK_NAME, nb, nl);
        const uint8_t *nk = bf_at(h, n) + 4;
        uint32_t count = rd32(nk + NK_NVALUES), oldlist = rd32(nk + NK_VALUES);
        rc = bf_cell_alloc(h, (count + 1) * 4, &newlist, err);
        if (rc) {
            bf_cell_free(h, vkoff);
            bf_data_free(h, size_field, data_field);
            free(nb);
            return rc;
        }
        if (count)
            memcpy(bf_at(h, newlist) + 4, bf_at(h, oldlist) + 4, (size_t)count * 4);
        wr32(bf_at(h, newlist) + 4 + 4 * count, vkoff);
        uint8_t *np = bf_at(h, n) + 4;
        wr32(np + NK_NVALUES, count + 1);
        wr32(np + NK_VALUES, newlist);
        if (count)
            bf_cell_free(h, oldlist);
        uint32_t name_u16 = (uint32_t)(comp ? nl * 2 : nl);
        if (rd32(np + NK_MAXVALNAME) < name_u16)
            wr32(np + NK_MAXVALNAME, name_u16);
    }
    uint8_t *np = bf_at(h, n) + 4;
    if (rd32(np + NK_MAXVALDATA) < len)
        wr32(np + NK_MAXVALDATA, (uint32_t)len);
    bf_nk_touch(h, n);
    free(nb);
    return BF_OK;
}

int bf_node_delete_value(bf_hive *h, bf_node n, const char *name, bf_error *err)
{
    int rc = bf_hive_writable(h, err);
    if (rc)
        return rc;
    uint8_t *nb;
    size_t nl;
    int comp;
    rc = bf_name_from_utf8(name, &nb, &nl, &comp, err);
    if (rc)
        return rc;
    uint32_t idx;
    bf_value v;
    rc = find_value(h, n, (bf_name){nb, nl, comp}, &idx, &v, err);
    free(nb);
    if (rc == BF_ERR_NOT_FOUND)
        return bf_fail(err, BF_ERR_NOT_FOUND, "%s: value \"%s\" not found", h->path, name);
    if (rc)
        return rc;
    const uint8_t *vk = bf_at(h, v) + 4;
    bf_data_free(h, rd32(vk + VK_DATASIZE), rd32(vk + VK_DATA));
    bf_cell_free(h, v);
    uint8_t *np = bf_at(h, n) + 4;
    uint32_t count = rd32(np + NK_NVALUES), list = rd32(np + NK_VALUES);
    uint8_t *lp = bf_at(h, list) + 4;
    memmove(lp + 4 * idx, lp + 4 * (idx + 1), (size_t)(count - idx - 1) * 4);
    wr32(lp + 4 * (count - 1), 0);
    wr32(np + NK_NVALUES, count - 1);
    if (count == 1) {
        bf_cell_free(h, list);
        wr32(np + NK_VALUES, REGF_NIL);
    }
    bf_nk_touch(h, n);
    return BF_OK;
}

void bf_strings_free(char **lines, size_t count)
{
    size_t i;
    for (i = 0; lines && i < count; i++)
        free(lines[i]);
    free(lines);
}

/* Split UTF-16LE data at NUL units into UTF-8 lines; `multi`: every
 * non-empty item, else only the text before the first NUL. */
static int split_strings(const uint8_t *d, size_t len, int multi, char ***lines, size_t *count)
{
    size_t i = 0, n = 0;
    char **v = NULL;
    len &= ~(size_t)1;
    while (i < len || (!multi && n == 0)) {
        size_t start = i;
        char *line, **grown;
        while (i < len && (d[i] || d[i + 1]))
            i += 2;
        if (multi && i == start) {
            i += 2;
            continue;
        }
        line = bf_utf16le_to_utf8(d + start, i - start, NULL);
        grown = line ? bf_realloc(v, (n + 1) * sizeof *v) : NULL;
        if (!grown) {
            free(line);
            bf_strings_free(v, n);
            return -1;
        }
        v = grown;
        v[n++] = line;
        i += 2;
        if (!multi)
            break;
    }
    *lines = v;
    *count = n;
    return 0;
}

int bf_node_get_strings(bf_hive *h, bf_node n, const char *name, uint32_t *type, char ***lines,
                        size_t *count, bf_error *err)
{
    bf_value v;
    uint32_t t = 0;
    uint8_t *d = NULL;
    size_t len = 0;
    int rc;

    *lines = NULL;
    *count = 0;
    rc = bf_node_get_value(h, n, name, &v, err);
    if (rc == BF_OK)
        rc = bf_value_data(h, v, &t, &d, &len, err);
    if (rc)
        return rc;
    if (type)
        *type = t;
    if (t != BF_REG_SZ && t != BF_REG_EXPAND_SZ && t != BF_REG_MULTI_SZ)
        rc = bf_fail(err, BF_ERR_INVALID, "value %s is %s, not a string", name,
                     bf_reg_type_name(t) ? bf_reg_type_name(t) : "of an unknown type");
    else if (split_strings(d, len, t == BF_REG_MULTI_SZ, lines, count) != 0)
        rc = bf_fail(err, BF_ERR_NOMEM, "out of memory reading value %s", name);
    free(d);
    return rc;
}
