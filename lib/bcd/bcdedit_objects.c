/*
 * bcdedit_objects.c — bcdedit commands on whole entries and stores:
 * /create, /copy, /delete, /export, /import.
 */
#include "io/io.h"
#include "bcd/bcdedit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BCD_EL_RESUMEOBJECT 0x23000003u /* OS loader: resumeobject (same code as default) */
#define BE_MAX_DEPTH 512               /* registry key nesting limit */

/* ---- /create ------------------------------------------------------------------------------ */

/* The type a well-known GUID is created with; 0 when `g` is not well-known. */
static uint32_t well_known_type(const bf_guid *g)
{
    const char *alias = bf_bcd_alias_name(g);
    bf_guid tmp;
    uint32_t type = 0;
    if (alias && bf_bcd_alias_lookup(alias, &tmp, &type) == 0)
        return type;
    return 0;
}

/* The id of /create: *has_id 0 when none; *wk_type the type a well-known
 * id implies (0 otherwise). */
static int create_id(const char *id, bf_guid *g, int *has_id, uint32_t *wk_type, bf_error *err)
{
    *has_id = 0;
    *wk_type = 0;
    if (!id)
        return BF_OK;
    *has_id = 1;
    if (bf_guid_parse(id, g) == 0) {
        *wk_type = well_known_type(g);
        return BF_OK;
    }
    if (bf_bcd_alias_lookup(id, g, wk_type) != 0)
        return bf_fail(err, BF_ERR_INVALID, "%s '%.80s' is neither a GUID {xxxxxxxx-xxxx-xxxx-xxxx-"
                       "xxxxxxxxxxxx} nor a well-known identifier", BE_MSG_BADID, id);
    if (*wk_type == 0)
        return bf_fail(err, BF_ERR_INVALID, "%s %s is a virtual identifier (it names another entry) "
                       "and cannot be created", BE_MSG_BADID, id);
    return BF_OK;
}

/* The type /application, /inherit or /device asks for; 0 when none given. */
static int create_type(const struct be_args *a, uint32_t *type, bf_error *err)
{
    int n = !!(a->mods & BM_APPLICATION) + !!(a->mods & BM_INHERIT) + !!(a->mods & BM_DEVICE);
    *type = 0;
    if (n > 1)
        return bf_fail(err, BF_ERR_INVALID, "%s only one of /application, /inherit and /device may "
                       "be given", BE_MSG_PARAM);
    if (a->mods & BM_APPLICATION) {
        if (bf_bcd_type_for_application(a->app, type) != 0)
            return bf_fail(err, BF_ERR_INVALID, "%s unknown application type '%.60s' (osloader, "
                           "resume, bootsector, startup, bootapp)", BE_MSG_PARAM, a->app);
    } else if (a->mods & BM_INHERIT) {
        if (bf_bcd_type_for_inherit(a->inherit, type) != 0)
            return bf_fail(err, BF_ERR_INVALID, "%s unknown inherit type '%.60s'", BE_MSG_PARAM,
                           a->inherit ? a->inherit : "");
    } else if (a->mods & BM_DEVICE) {
        *type = BCD_TYPE_DEVICE;
    }
    return BF_OK;
}

static void print_id(struct be_ctx *c, const bf_guid *g, char *buf)
{
    const char *alias = (c->a->mods & BM_V) ? NULL : bf_bcd_alias_name(g);
    if (alias)
        snprintf(buf, BF_GUID_TEXT + 32, "%s", alias);
    else
        bf_guid_format(g, buf);
}

int be_cmd_create(struct be_ctx *c, bf_error *err)
{
    const struct be_args *a = c->a;
    bf_guid g, made;
    int has_id, rc;
    uint32_t wk, asked, type;
    char shown[BF_GUID_TEXT + 32];
    if ((rc = create_id(a->npos ? a->pos[0] : NULL, &g, &has_id, &wk, err)) != 0)
        return rc;
    if ((rc = create_type(a, &asked, err)) != 0)
        return rc;
    if (wk && asked)
        return bf_fail(err, BF_ERR_INVALID, "%s /application, /inherit and /device cannot be given "
                       "with a well-known identifier (it implies its type)", BE_MSG_PARAM);
    if (!wk && !asked)
        return bf_fail(err, BF_ERR_INVALID, "%s a new entry needs /application TYPE, /inherit [TYPE] "
                       "or /device", BE_MSG_PARAM);
    if ((a->mods & BM_APPLICATION) && !a->d)
        return bf_fail(err, BF_ERR_INVALID, "%s a description for the new entry must be given with "
                       "/d", BE_MSG_PARAM);
    type = wk ? wk : asked;
    rc = bf_bcd_object_create(c->s, has_id ? &g : NULL, type, &made, err);
    if (rc)
        return rc;
    if (a->d && (rc = bf_bcd_set_string(c->s, &made, BCD_EL_DESCRIPTION, a->d, err)) != 0)
        return be_prefix(err, BE_MSG_SET);
    print_id(c, &made, shown);
    rf_printf(&c->out, "The entry %s was successfully created.\n", shown);
    return BF_OK;
}

/* ---- /copy ------------------------------------------------------------------------------------ */

static int in_list(struct be_ctx *c, const bf_guid *obj, uint32_t code, const bf_guid *id,
                   int *found, bf_error *err)
{
    bf_bcd_elem e;
    size_t i;
    int rc;
    *found = 0;
    memset(&e, 0, sizeof e);
    rc = bf_bcd_element_get(c->s, obj, code, &e, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc)
        return rc;
    if (e.valid)
        for (i = 0; i < e.nguids; i++)
            if (bf_guid_equal(&e.guids[i], id))
                *found = 1;
    bf_bcd_elem_free(&e);
    return BF_OK;
}

int be_cmd_copy(struct be_ctx *c, bf_error *err)
{
    const struct be_args *a = c->a;
    bf_guid src, made, bm;
    uint32_t type;
    int rc, shown_in_menu = 0;
    char gt[BF_GUID_TEXT];
    if (!a->d)
        return bf_fail(err, BF_ERR_INVALID, "%s /copy needs /d DESCRIPTION for the new entry",
                       BE_MSG_PARAM);
    if ((rc = be_object(c, a->pos[0], &src, &type, err)) != 0)
        return rc;
    if ((rc = bf_bcd_object_copy(c->s, &src, &made, err)) != 0)
        return rc;
    if ((rc = bf_bcd_set_string(c->s, &made, BCD_EL_DESCRIPTION, a->d, err)) != 0)
        return be_prefix(err, BE_MSG_SET);
    /* a copy of an entry on the boot menu goes to the end of the menu */
    if (bf_bcd_alias_lookup("{bootmgr}", &bm, NULL) == 0 &&
        bf_bcd_object_type(c->s, &bm, &type, NULL) == BF_OK) {
        if ((rc = in_list(c, &bm, BCD_EL_DISPLAYORDER, &src, &shown_in_menu, err)) != 0)
            return rc;
        if (shown_in_menu && (rc = be_list_edit(c, &bm, BCD_EL_DISPLAYORDER, &made, 1, BM_ADDLAST,
                                                err)) != 0)
            return rc;
    }
    bf_guid_format(&made, gt);
    rf_printf(&c->out, "The entry was successfully copied to %s.\n", gt);
    return BF_OK;
}

/* ---- /delete ------------------------------------------------------------------------------------ */

static const uint32_t menu_lists[] = {BCD_EL_DISPLAYORDER, BCD_EL_TOOLSORDER, BCD_EL_BOOTSEQUENCE};

/* Remove `id` from the menus of {bootmgr} and {fwbootmgr}; drop {bootmgr}'s
 * default when it names `id`. */
static int cleanup_refs(struct be_ctx *c, const bf_guid *id, bf_error *err)
{
    static const char *const mgrs[] = {"{bootmgr}", "{fwbootmgr}"};
    size_t i, j;
    int rc;
    for (i = 0; i < 2; i++) {
        bf_guid m;
        bf_bcd_elem e;
        if (bf_bcd_alias_lookup(mgrs[i], &m, NULL) != 0 || bf_guid_equal(&m, id))
            continue;
        for (j = 0; j < sizeof menu_lists / sizeof menu_lists[0]; j++)
            if ((rc = be_list_drop(c, &m, menu_lists[j], id, err)) != 0)
                return rc;
        if (i != 0)
            continue;
        memset(&e, 0, sizeof e);
        rc = bf_bcd_element_get(c->s, &m, BCD_EL_DEFAULT, &e, err);
        if (rc == BF_ERR_NOT_FOUND)
            continue;
        if (rc)
            return rc;
        if (e.valid && e.nguids == 1 && bf_guid_equal(&e.guids[0], id))
            rc = bf_bcd_element_delete(c->s, &m, BCD_EL_DEFAULT, err);
        bf_bcd_elem_free(&e);
        if (rc)
            return rc;
    }
    return BF_OK;
}

/* The resume object of OS loader `id` when no other OS loader names it and
 * it is a resume entry: *r set and 1 returned; 0 otherwise. */
static int lone_resume(struct be_ctx *c, const bf_guid *id, bf_guid *r, bf_error *err)
{
    bf_bcd_elem e;
    bf_bcd_object *objs = NULL;
    size_t n = 0, i;
    uint32_t rtype;
    int rc, lone = 1;
    memset(&e, 0, sizeof e);
    if (bf_bcd_element_get(c->s, id, BCD_EL_RESUMEOBJECT, &e, NULL) != BF_OK)
        return 0;
    if (!e.valid || e.nguids != 1) {
        bf_bcd_elem_free(&e);
        return 0;
    }
    *r = e.guids[0];
    bf_bcd_elem_free(&e);
    if (bf_bcd_object_type(c->s, r, &rtype, NULL) != BF_OK || rtype != BCD_TYPE_RESUME)
        return 0;
    if ((rc = bf_bcd_objects(c->s, &objs, &n, err)) != 0)
        return rc;
    for (i = 0; i < n && lone; i++) {
        if (objs[i].type != BCD_TYPE_OSLOADER || bf_guid_equal(&objs[i].id, id))
            continue;
        memset(&e, 0, sizeof e);
        if (bf_bcd_element_get(c->s, &objs[i].id, BCD_EL_RESUMEOBJECT, &e, NULL) == BF_OK) {
            if (e.valid && e.nguids == 1 && bf_guid_equal(&e.guids[0], r))
                lone = 0;
            bf_bcd_elem_free(&e);
        }
    }
    free(objs);
    return lone;
}

int be_cmd_delete(struct be_ctx *c, bf_error *err)
{
    const struct be_args *a = c->a;
    const char *id = a->pos[0];
    bf_guid g, res;
    uint32_t type;
    int rc, resume = 0;
    char gt[BF_GUID_TEXT];
    if ((rc = be_object(c, id, &g, &type, err)) != 0)
        return rc;
    if (!(a->mods & BM_F) && (!be_is_id(id) || bf_guid_parse(id, &res) != 0 ||
                              bf_bcd_alias_name(&g) != NULL)) {
        bf_guid_format(&g, gt);
        return bf_fail(err, BF_ERR_INVALID, "%s %s (%s) is a well-known identifier: deleting it needs "
                       "/f", BE_MSG_PARAM, id, gt);
    }
    if (!(a->mods & BM_NOCLEANUP)) {
        if (type == BCD_TYPE_OSLOADER) {
            rc = lone_resume(c, &g, &res, err);
            if (rc < 0)
                return rc;
            resume = rc;
        }
        if ((rc = cleanup_refs(c, &g, err)) != 0)
            return rc;
        if (resume && (rc = cleanup_refs(c, &res, err)) != 0)
            return rc;
    }
    if ((rc = bf_bcd_object_delete(c->s, &g, err)) != 0)
        return rc;
    if (resume && (rc = bf_bcd_object_delete(c->s, &res, err)) != 0)
        return rc;
    rf_printf(&c->out, "%s\n", BE_MSG_OK);
    return BF_OK;
}

/* ---- /export ------------------------------------------------------------------------------------- */

static int file_exists(const char *path)
{
    bf_io_info in;
    return bf_io_info_of(path, 1, &in) == 0;
}

int be_cmd_export(struct be_ctx *c, bf_error *err)
{
    bf_commit_opts o = c->opts->commit;
    const char *file = c->a->pos[0];
    int rc;
    if (!file[0])
        return bf_fail(err, BF_ERR_INVALID, "%s /export needs a file name", BE_MSG_PARAM);
    if (file_exists(file))
        return bf_fail(err, BF_ERR_EXISTS, "%s: exists; /export does not overwrite a file", file);
    o.out_path = file;
    o.backup_path = NULL;
    rc = bf_bcd_commit(c->s, &o, err);
    if (rc)
        return rc;
    rf_printf(&c->out, "%s\n", BE_MSG_OK);
    return BF_OK;
}

/* ---- /import --------------------------------------------------------------------------------------- */

/* Delete every subkey and value of `n`. */
static int empty_key(bf_hive *h, bf_node n, bf_error *err)
{
    bf_node *kids = NULL;
    bf_value *vals = NULL;
    size_t nk = 0, nv = 0, i;
    char **names = NULL;
    int rc = bf_node_values(h, n, &vals, &nv, err);
    if (rc)
        return rc;
    names = bf_calloc(nv + 1, sizeof *names);
    for (i = 0; names && i < nv && !rc; i++)
        rc = bf_value_name(h, vals[i], &names[i], err);
    free(vals);
    if (!names)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    for (i = 0; i < nv && !rc; i++)
        rc = bf_node_delete_value(h, n, names[i], err);
    for (i = 0; i < nv; i++)
        free(names[i]);
    free(names);
    if (rc)
        return rc;
    /* children: delete the first one until none is left */
    for (;;) {
        if ((rc = bf_node_children(h, n, &kids, &nk, err)) != 0)
            return rc;
        if (nk == 0) {
            free(kids);
            return BF_OK;
        }
        rc = bf_node_delete(h, kids[0], err);
        free(kids);
        if (rc)
            return rc;
    }
}

static int copy_values(bf_hive *from, bf_node src, bf_hive *to, bf_node dst, bf_error *err)
{
    bf_value *vals = NULL;
    size_t nv = 0, i;
    int rc = bf_node_values(from, src, &vals, &nv, err);
    for (i = 0; !rc && i < nv; i++) {
        char *name = NULL;
        uint8_t *data = NULL;
        size_t len = 0;
        uint32_t type = 0;
        rc = bf_value_name(from, vals[i], &name, err);
        if (!rc)
            rc = bf_value_data(from, vals[i], &type, &data, &len, err);
        if (!rc)
            rc = bf_node_set_value(to, dst, name, type, data, len, err);
        free(name);
        free(data);
    }
    free(vals);
    return rc;
}

struct copy_item {
    bf_node src, dst;
    unsigned depth;
};

/* Copy the tree under `src` (values and subkeys) below `dst`, without
 * recursion: an explicit stack bounded by the registry's depth limit. */
static int copy_tree(bf_hive *from, bf_node src, bf_hive *to, bf_node dst, bf_error *err)
{
    struct copy_item *st = NULL;
    size_t n = 0, cap = 0;
    int rc = BF_OK;
    struct copy_item top = {src, dst, 0};
    st = bf_malloc(sizeof *st);
    if (!st)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    cap = 1;
    st[n++] = top;
    while (n && !rc) {
        struct copy_item it = st[--n];
        bf_node *kids = NULL;
        size_t nk = 0, i;
        if ((rc = copy_values(from, it.src, to, it.dst, err)) != 0)
            break;
        if ((rc = bf_node_children(from, it.src, &kids, &nk, err)) != 0)
            break;
        if (nk && it.depth + 1 > BE_MAX_DEPTH)
            rc = bf_fail(err, BF_ERR_LIMIT, "keys nested deeper than %d", BE_MAX_DEPTH);
        for (i = 0; !rc && i < nk; i++) {
            char *name = NULL;
            bf_node nd;
            rc = bf_node_name(from, kids[i], &name, err);
            if (!rc)
                rc = bf_node_add(to, it.dst, name, &nd, err);
            free(name);
            if (rc)
                break;
            if (n == cap) {
                struct copy_item *ns = bf_realloc(st, cap * 2 * sizeof *st);
                if (!ns) {
                    rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
                    break;
                }
                st = ns;
                cap *= 2;
            }
            st[n].src = kids[i];
            st[n].dst = nd;
            st[n].depth = it.depth + 1;
            n++;
        }
        free(kids);
    }
    free(st);
    return rc;
}

int be_cmd_import(struct be_ctx *c, bf_error *err)
{
    const char *file = c->a->pos[0];
    bf_bcd *src = NULL;
    bf_hive *from, *to;
    int rc;
    if (c->a->mods & BM_CLEAN)
        return bf_fail(err, BF_ERR_UNSUPPORTED, "/import /clean deletes the machine's UEFI firmware boot "
                       "entries (NVRAM) and recreates them from the imported store; an offline tool "
                       "cannot reach them.  /import without /clean replaces the store's contents and "
                       "leaves the firmware entries alone.");
    rc = bf_bcd_open(file, c->opts->open_flags & ~(unsigned)BF_OPEN_WRITE, &src, err);
    if (rc)
        return be_prefix(err, "/import: the file to import is not a readable BCD store:");
    from = bf_bcd_hive(src);
    to = bf_bcd_hive(c->s);
    rc = empty_key(to, bf_hive_root(to), err);
    if (!rc)
        rc = copy_tree(from, bf_hive_root(from), to, bf_hive_root(to), err);
    bf_bcd_close(src);
    if (rc)
        return be_prefix(err, "/import:");
    rf_printf(&c->out, "%s\n", BE_MSG_OK);
    return BF_OK;
}
