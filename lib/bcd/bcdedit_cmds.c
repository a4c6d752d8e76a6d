/*
 * bcdedit_cmds.c — bcdedit commands that read or write elements: /enum,
 * /set, /deletevalue, /default, /displayorder, /toolsdisplayorder,
 * /bootsequence, /timeout (settings objects: bcdedit_settings.c).
 */
#include "io/io.h"
#include "bcd/bcdedit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BE_MAX_LIST 4096 /* ids in one list: far beyond any real store */

/* ---- /enum ------------------------------------------------------------------------------ */

int be_cmd_enum(struct be_ctx *c, bf_error *err)
{
    const struct be_args *a = c->a;
    char *text = NULL;
    unsigned flags = (a->mods & BM_V) ? BF_BCD_VERBOSE : 0;
    int rc = bf_bcd_enum(c->s, a->npos ? a->pos[0] : NULL, flags, &c->opts->drives, &text, err);
    if (rc)
        return rc;
    rf_printf(&c->out, "%s", text ? text : "");
    free(text);
    return BF_OK;
}

/* ---- helpers ----------------------------------------------------------------------------- */

int be_set_text(struct be_ctx *c, const bf_guid *g, uint32_t objtype, uint32_t code,
                    const char *const *vals, size_t n, bf_error *err)
{
    uint32_t reg_type;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = bf_bcd_value_parse(c->s, objtype, code, vals, n, &c->opts->drives, &reg_type, &data,
                                &len, err);
    if (rc)
        return be_prefix(err, BE_MSG_SET);
    rc = bf_bcd_element_set(c->s, g, code, reg_type, data, len, err);
    free(data);
    if (rc)
        return be_prefix(err, BE_MSG_SET);
    return BF_OK;
}

static int bootmgr(struct be_ctx *c, bf_guid *g, uint32_t *type, bf_error *err)
{
    int rc = be_object(c, "{bootmgr}", g, type, err);
    if (rc)
        return be_prefix(err, "The store has no {bootmgr} entry (create it with /create {bootmgr}):");
    return BF_OK;
}

void be_ok(struct be_ctx *c)
{
    rf_printf(&c->out, "%s\n", BE_MSG_OK);
}

/* Resolve words to GUIDs (for lists). */
static int resolve_ids(struct be_ctx *c, const char *const *w, size_t n, bf_guid **out,
                       bf_error *err)
{
    size_t i;
    bf_guid *ids;
    *out = NULL;
    if (n > BE_MAX_LIST)
        return bf_fail(err, BF_ERR_LIMIT, "%s more than %d identifiers in one list", BE_MSG_SET,
                       BE_MAX_LIST);
    ids = bf_calloc(n ? n : 1, sizeof *ids);
    if (!ids)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        int rc = bf_bcd_resolve(c->s, w[i], &ids[i], err);
        if (rc) {
            free(ids);
            return be_prefix(err, BE_MSG_SET);
        }
    }
    *out = ids;
    return BF_OK;
}

/* The list `code` of `obj` as stored (empty when absent). */
static int get_list(struct be_ctx *c, const bf_guid *obj, uint32_t code, bf_guid **ids, size_t *n,
                    bf_error *err)
{
    bf_bcd_elem e;
    int rc;
    char gt[BF_GUID_TEXT];
    *ids = NULL;
    *n = 0;
    memset(&e, 0, sizeof e);
    rc = bf_bcd_element_get(c->s, obj, code, &e, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc)
        return rc;
    if (!e.valid) {
        bf_guid_format(obj, gt);
        rc = bf_fail(err, BF_ERR_FORMAT, "%s %s: element %08x holds unreadable data (%s); set the "
                     "whole list instead of adding to or removing from it", BE_MSG_SET, gt, code,
                     e.problem);
        bf_bcd_elem_free(&e);
        return rc;
    }
    *ids = bf_calloc(e.nguids + 1, sizeof **ids);
    if (!*ids) {
        bf_bcd_elem_free(&e);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    if (e.nguids)
        memcpy(*ids, e.guids, e.nguids * sizeof **ids);
    *n = e.nguids;
    bf_bcd_elem_free(&e);
    return BF_OK;
}

/* Remove every copy of `id` from ids[0..*n). */
static void drop(bf_guid *ids, size_t *n, const bf_guid *id)
{
    size_t i, k = 0;
    for (i = 0; i < *n; i++)
        if (!bf_guid_equal(&ids[i], id))
            ids[k++] = ids[i];
    *n = k;
}

static int write_list(struct be_ctx *c, const bf_guid *obj, uint32_t code, const bf_guid *ids,
                      size_t n, bf_error *err)
{
    int rc;
    if (n == 0) {
        rc = bf_bcd_element_delete(c->s, obj, code, err);
        return rc == BF_ERR_NOT_FOUND ? BF_OK : rc;
    }
    rc = bf_bcd_set_objects(c->s, obj, code, ids, n, err);
    return rc ? be_prefix(err, BE_MSG_SET) : BF_OK;
}

int be_list_edit(struct be_ctx *c, const bf_guid *obj, uint32_t code, const bf_guid *ids, size_t n,
                 unsigned mode, bf_error *err)
{
    bf_guid *cur, *nl;
    size_t ncur;
    int rc;
    if (mode == 0)
        return write_list(c, obj, code, ids, n, err);
    if (n != 1)
        return bf_fail(err, BF_ERR_INVALID, "%s /addfirst, /addlast and /remove take exactly one "
                       "identifier", BE_MSG_PARAM);
    rc = get_list(c, obj, code, &cur, &ncur, err);
    if (rc)
        return rc;
    drop(cur, &ncur, &ids[0]);
    if (mode == BM_REMOVE) {
        rc = write_list(c, obj, code, cur, ncur, err);
        free(cur);
        return rc;
    }
    if (ncur >= BE_MAX_LIST) {
        free(cur);
        return bf_fail(err, BF_ERR_LIMIT, "%s the list already has %zu identifiers", BE_MSG_SET, ncur);
    }
    nl = bf_calloc(ncur + 1, sizeof *nl);
    if (!nl) {
        free(cur);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    if (mode == BM_ADDFIRST) {
        nl[0] = ids[0];
        if (ncur)
            memcpy(nl + 1, cur, ncur * sizeof *nl);
    } else {
        if (ncur)
            memcpy(nl, cur, ncur * sizeof *nl);
        nl[ncur] = ids[0];
    }
    rc = write_list(c, obj, code, nl, ncur + 1, err);
    free(nl);
    free(cur);
    return rc;
}

int be_list_drop(struct be_ctx *c, const bf_guid *obj, uint32_t code, const bf_guid *id,
                 bf_error *err)
{
    bf_guid *cur;
    size_t ncur, before;
    uint32_t type;
    int rc = bf_bcd_object_type(c->s, obj, &type, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc)
        return rc;
    rc = get_list(c, obj, code, &cur, &ncur, err);
    if (rc == BF_ERR_FORMAT)
        return BF_OK; /* an unreadable list is left as it is */
    if (rc)
        return rc;
    before = ncur;
    drop(cur, &ncur, id);
    rc = ncur != before ? write_list(c, obj, code, cur, ncur, err) : BF_OK;
    free(cur);
    return rc;
}

static unsigned list_mode(const struct be_args *a)
{
    return a->mods & (BM_ADDFIRST | BM_ADDLAST | BM_REMOVE);
}

/* ---- /set, /deletevalue ---------------------------------------------------------------- */

int be_cmd_set(struct be_ctx *c, bf_error *err)
{
    const struct be_args *a = c->a;
    const char *id = NULL;
    size_t k = 0;
    bf_guid g;
    uint32_t type, code;
    int rc;
    if (be_is_id(a->pos[0]))
        id = a->pos[k++];
    if (a->npos - k < 2)
        return bf_fail(err, BF_ERR_INVALID, "%s /set needs an element name and a value (bcdedit "
                       "/set [ID] NAME VALUE)", BE_MSG_PARAM);
    if ((rc = be_object(c, id, &g, &type, err)) != 0)
        return be_prefix(err, BE_MSG_SET);
    if ((rc = bf_bcd_element_parse_name(a->pos[k], type, &code, err)) != 0)
        return rc;
    k++;
    if (BF_BCD_FORMAT(code) == BF_BCD_FMT_OBJECTLIST && list_mode(a)) {
        bf_guid *ids;
        rc = resolve_ids(c, a->pos + k, a->npos - k, &ids, err);
        if (rc)
            return rc;
        rc = be_list_edit(c, &g, code, ids, a->npos - k, list_mode(a), err);
        free(ids);
    } else if (list_mode(a)) {
        return bf_fail(err, BF_ERR_INVALID, "%s /addfirst, /addlast and /remove apply only to "
                       "identifier lists; %s is not one", BE_MSG_PARAM, a->pos[k - 1]);
    } else {
        rc = be_set_text(c, &g, type, code, a->pos + k, a->npos - k, err);
    }
    if (rc == BF_OK)
        be_ok(c);
    return rc;
}

int be_cmd_deletevalue(struct be_ctx *c, bf_error *err)
{
    const struct be_args *a = c->a;
    const char *id = NULL, *name;
    bf_guid g;
    uint32_t type, code;
    int rc;
    if (a->npos == 2) {
        id = a->pos[0];
        name = a->pos[1];
    } else {
        name = a->pos[0];
    }
    if ((rc = be_object(c, id, &g, &type, err)) != 0)
        return be_prefix(err, BE_MSG_DELETE);
    if ((rc = bf_bcd_element_parse_name(name, type, &code, err)) != 0)
        return rc;
    rc = bf_bcd_element_delete(c->s, &g, code, err);
    if (rc)
        return be_prefix(err, BE_MSG_DELETE);
    be_ok(c);
    return BF_OK;
}

/* ---- {bootmgr} commands --------------------------------------------------------------- */

int be_cmd_default(struct be_ctx *c, bf_error *err)
{
    bf_guid bm, target;
    uint32_t bmtype, ttype;
    int rc;
    if ((rc = bootmgr(c, &bm, &bmtype, err)) != 0)
        return rc;
    if ((rc = be_object(c, c->a->pos[0], &target, &ttype, err)) != 0)
        return be_prefix(err, BE_MSG_SET);
    rc = bf_bcd_set_objects(c->s, &bm, BCD_EL_DEFAULT, &target, 1, err);
    if (rc)
        return be_prefix(err, BE_MSG_SET);
    be_ok(c);
    return BF_OK;
}

int be_cmd_order(struct be_ctx *c, uint32_t code, bf_error *err)
{
    bf_guid bm, *ids;
    uint32_t bmtype;
    int rc;
    if ((rc = bootmgr(c, &bm, &bmtype, err)) != 0)
        return rc;
    rc = resolve_ids(c, c->a->pos, c->a->npos, &ids, err);
    if (rc)
        return rc;
    rc = be_list_edit(c, &bm, code, ids, c->a->npos, list_mode(c->a), err);
    free(ids);
    if (rc == BF_OK)
        be_ok(c);
    return rc;
}

int be_cmd_timeout(struct be_ctx *c, bf_error *err)
{
    bf_guid bm;
    uint32_t bmtype;
    uint64_t v;
    int rc;
    if ((rc = bootmgr(c, &bm, &bmtype, err)) != 0)
        return rc;
    if (be_number(c->a->pos[0], &v) != 0)
        return bf_fail(err, BF_ERR_INVALID, "%s /timeout needs a number of seconds, not '%.80s'",
                       BE_MSG_PARAM, c->a->pos[0]);
    rc = bf_bcd_set_integer(c->s, &bm, BCD_EL_TIMEOUT, v, err);
    if (rc)
        return be_prefix(err, BE_MSG_SET);
    be_ok(c);
    return BF_OK;
}

