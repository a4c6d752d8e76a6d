/*
 * engine.c — bf_recipe_run: one engine for every recipe table.
 *
 * It binds the parameters, opens the files the recipe needs (dirty hives
 * are replayed in memory by the hive layer), expands each step against the
 * current state (every control set; {entry} = --entry or the store's
 * {default}), records old -> new or "already set", edits the in-memory
 * images, and hands the files to a transaction (txn.c) that backs up,
 * journals, commits and reads back.  A dry run stops before the transaction.
 */
#include "recipe/internal.h"
#include "bcd/internal.h"
#include "io/io.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16

struct pval {
    const bf_recipe_param *p;
    const char *word; /* as typed (or the default) */
    const char *data; /* what "$NAME" becomes */
    int given;
};

struct eng {
    const bf_recipe *r;
    bf_target *t;
    const bf_run_opts *o;
    bf_run_result *res;
    struct pval pv[MAX_PARAMS];
    size_t npv;
    unsigned open_flags;
    bf_hive *sys;
    bf_bcd *bcd;
    char **cs;
    size_t ncs;
    uint32_t current;
    bf_guid entry;
    uint32_t entry_type;
    char *backup_root;
    /* RESTORE: the journal consulted (one recipe's newest) */
    const char *restore_name;
    bf_journal restore_j;
    int restore_loaded, restore_found;
};

/* ---- control sets ------------------------------------------------------------------------- */

static int is_control_set_name(const char *n)
{
    static const char prefix[] = "controlset";
    size_t i;
    if (strlen(n) != 13)
        return 0;
    for (i = 0; i < 10; i++)
        if (bf_ascii_lower((unsigned char)n[i]) != prefix[i])
            return 0;
    return isdigit((unsigned char)n[10]) && isdigit((unsigned char)n[11]) &&
           isdigit((unsigned char)n[12]);
}

void rc_strv_free(char **v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int rc_control_sets(bf_hive *h, char ***names, size_t *count, uint32_t *current, bf_error *err)
{
    bf_node *kids = NULL, sel;
    size_t nk = 0, i;
    char **out = NULL;
    size_t n = 0;
    int rc;

    *names = NULL;
    *count = 0;
    *current = 0;
    rc = bf_node_children(h, bf_hive_root(h), &kids, &nk, err);
    if (rc)
        return rc;
    out = bf_calloc(nk ? nk : 1, sizeof *out);
    if (!out) {
        free(kids);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < nk; i++) {
        char *name = NULL;
        rc = bf_node_name(h, kids[i], &name, err);
        if (rc) {
            rc_strv_free(out, n);
            free(kids);
            return rc;
        }
        if (is_control_set_name(name))
            out[n++] = name;
        else
            free(name);
    }
    free(kids);
    if (bf_node_child(h, bf_hive_root(h), "Select", &sel, NULL) == BF_OK) {
        bf_value v;
        uint32_t type;
        uint8_t *d = NULL;
        size_t len = 0;
        if (bf_node_get_value(h, sel, "Current", &v, NULL) == BF_OK &&
            bf_value_data(h, v, &type, &d, &len, NULL) == BF_OK && type == BF_REG_DWORD && len == 4)
            *current = rd32(d);
        free(d);
    }
    *names = out;
    *count = n;
    return BF_OK;
}

/* ---- parameters ------------------------------------------------------------------------------- */

static struct pval *param(struct eng *e, const char *name)
{
    size_t i;
    for (i = 0; i < e->npv; i++)
        if (strcmp(e->pv[i].p->name, name) == 0)
            return &e->pv[i];
    return NULL;
}

static int bind_word(struct eng *e, struct pval *v, const char *word, bf_error *err)
{
    const bf_recipe_param *p = v->p;
    size_t i;
    v->word = word;
    v->data = word;
    if (p->flags & BF_PARAM_SWITCH) {
        v->word = v->data = "1";
        return BF_OK;
    }
    if (p->choices) {
        for (i = 0; i < p->nchoices; i++)
            if (bf_ascii_ieq(p->choices[i].word, word)) {
                v->word = p->choices[i].word;
                v->data = p->choices[i].data;
                return BF_OK;
            }
        return bf_fail(err, BF_ERR_INVALID, "%s: '%.60s' is not a valid %s (%s)", e->r->name, word,
                       p->name, p->help);
    }
    if (p->flags & BF_PARAM_NUMBER) {
        char *end;
        unsigned long long n;
        if (!isdigit((unsigned char)word[0]))
            return bf_fail(err, BF_ERR_INVALID, "%s: --%s needs a decimal number, not '%.60s'",
                           e->r->name, p->name, word);
        n = strtoull(word, &end, 10);
        if (*end || n < p->min || n > p->max)
            return bf_fail(err, BF_ERR_INVALID,
                           "%s: --%s %.60s is out of range (%" PRIu64 " to %" PRIu64 ")",
                           e->r->name, p->name, word, p->min, p->max);
    }
    if (!word[0])
        return bf_fail(err, BF_ERR_INVALID, "%s: --%s needs a non-empty value", e->r->name,
                       p->name);
    return BF_OK;
}

static int bind_params(struct eng *e, bf_error *err)
{
    size_t i;
    int rc;
    if (e->r->nparams > MAX_PARAMS)
        return bf_fail(err, BF_ERR_INVALID, "%s: too many parameters in the recipe table",
                       e->r->name);
    for (i = 0; i < e->r->nparams; i++)
        e->pv[e->npv++].p = &e->r->params[i];
    for (i = 0; i < e->o->nargs; i++) {
        const bf_recipe_arg *a = &e->o->args[i];
        struct pval *v = param(e, a->name);
        if (!v)
            return bf_fail(err, BF_ERR_INVALID, "%s has no option --%s", e->r->name, a->name);
        if (v->given)
            return bf_fail(err, BF_ERR_INVALID, "%s: --%s given twice", e->r->name, a->name);
        rc = bind_word(e, v, a->value ? a->value : "", err);
        if (rc)
            return rc;
        v->given = 1;
    }
    for (i = 0; i < e->npv; i++) {
        struct pval *v = &e->pv[i];
        if (v->given && v->p->requires && !param(e, v->p->requires)->given)
            return bf_fail(err, BF_ERR_INVALID, "%s: --%s needs --%s", e->r->name, v->p->name,
                           v->p->requires);
        if (!v->given && v->p->def) {
            rc = bind_word(e, v, v->p->def, err);
            if (rc)
                return rc;
        }
    }
    return BF_OK;
}

static int when_true(struct eng *e, const char *when)
{
    char name[64];
    const char *eq;
    struct pval *v;
    if (!when)
        return 1;
    if (when[0] == '!') {
        v = param(e, when + 1);
        return !(v && v->word);
    }
    eq = strchr(when, '=');
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - when) : (int)strlen(when), when);
    v = param(e, name);
    if (!v || !v->word)
        return 0;
    return eq ? bf_ascii_ieq(v->word, eq + 1) : 1;
}

/* "$NAME" to the parameter's data; other text unchanged */
static const char *expand(struct eng *e, const char *data)
{
    struct pval *v;
    if (!data || data[0] != '$')
        return data;
    v = param(e, data + 1);
    return v ? v->data : NULL;
}

/* ---- registry steps ------------------------------------------------------------------------- */

static int same_bytes(uint32_t t1, const uint8_t *d1, size_t l1, uint32_t t2, const uint8_t *d2,
                      size_t l2)
{
    return t1 == t2 && l1 == l2 && (l1 == 0 || memcmp(d1, d2, l1) == 0);
}

/* The current state of KEY\VALUE under `start`: *node BF_NONE when the key is missing. */
static int reg_current(bf_hive *h, bf_node start, const char *key, const char *value,
                       bf_node *node, int *present, uint32_t *type, uint8_t **data, size_t *len,
                       bf_error *err)
{
    bf_value v;
    int rc;
    *present = 0;
    *data = NULL;
    *len = 0;
    rc = bf_node_lookup(h, start, key, node, err);
    if (rc == BF_ERR_NOT_FOUND) {
        *node = BF_NONE;
        return BF_OK;
    }
    if (rc)
        return rc;
    rc = bf_node_get_value(h, *node, value, &v, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc)
        return rc;
    rc = bf_value_data(h, v, type, data, len, err);
    if (rc == BF_OK)
        *present = 1;
    return rc;
}

/* Bring KEY\VALUE (under control set `cs`, or the root) to the wanted state:
 * want_present with type+data, or absent.  One change line. */
static int reg_apply(struct eng *e, bf_node start, const char *where, const char *key,
                     const char *value, int want_present, uint32_t type, const uint8_t *data,
                     size_t len, bf_error *err)
{
    bf_node n;
    int present, rc, state;
    uint32_t cur_type = 0;
    uint8_t *cur = NULL;
    size_t cur_len = 0;
    char *old_t, *new_t;

    rc = reg_current(e->sys, start, key, value, &n, &present, &cur_type, &cur, &cur_len, err);
    if (rc)
        return rc;
    if (want_present)
        state = present && same_bytes(cur_type, cur, cur_len, type, data, len) ? BF_CHANGE_ALREADY
                                                                               : BF_CHANGE_CHANGED;
    else
        state = present ? BF_CHANGE_CHANGED : BF_CHANGE_ALREADY;
    if (state == BF_CHANGE_CHANGED) {
        if (want_present && n == BF_NONE)
            rc = bf_node_create_path(e->sys, start, key, &n, NULL, err);
        if (rc == BF_OK)
            rc = want_present ? bf_node_set_value(e->sys, n, value, type, data, len, err)
                              : bf_node_delete_value(e->sys, n, value, err);
    }
    old_t = rc_reg_text(present, cur_type, cur, cur_len);
    new_t = rc_reg_text(want_present, type, data, len);
    free(cur);
    if (rc == BF_OK)
        rc = (!old_t || !new_t) ? bf_fail(err, BF_ERR_NOMEM, "out of memory")
                                : rc_add_change(e->res, BF_CHANGE_REG_VALUE, state, "SYSTEM", where,
                                                value, old_t, new_t, NULL, err);
    free(old_t);
    free(new_t);
    return rc;
}

/* A value a RESTORE step leaves as it is (no journal recorded it). */
static int reg_left(struct eng *e, bf_node start, const char *where, const char *key,
                    const char *value, const char *from, bf_error *err)
{
    bf_node n;
    int present, rc;
    uint32_t type = 0;
    uint8_t *cur = NULL;
    size_t len = 0;
    char *t, note[160];

    rc = reg_current(e->sys, start, key, value, &n, &present, &type, &cur, &len, err);
    if (rc)
        return rc;
    t = rc_reg_text(present, type, cur, len);
    free(cur);
    snprintf(note, sizeof note, e->restore_found ? "the last '%s' did not change it: left as is"
                                                 : "no journal of '%s' records its earlier value: "
                                                   "left as is", from);
    rc = t ? rc_add_change(e->res, BF_CHANGE_REG_VALUE, BF_CHANGE_LEFT, "SYSTEM", where, value, t,
                           t, note, err)
           : bf_fail(err, BF_ERR_NOMEM, "out of memory");
    free(t);
    return rc;
}

/* ---- journals consulted by RESTORE steps --------------------------------------------------- */

static int load_restore_journal(struct eng *e, const char *recipe, bf_error *err)
{
    char *path = NULL;
    bf_error tmp;
    int rc;
    if (e->restore_loaded && strcmp(e->restore_name, recipe) == 0)
        return BF_OK;
    if (e->restore_loaded)
        return bf_fail(err, BF_ERR_INVALID, "%s: one recipe may restore from one journal only",
                       e->r->name);
    e->restore_loaded = 1;
    e->restore_name = recipe;
    rc = bf_journal_find_latest(e->backup_root, recipe, 0, &path, &tmp);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK;
    if (rc)
        return *err = tmp, rc;
    rc = bf_journal_read(path, &e->restore_j, err);
    free(path);
    if (rc)
        return rc;
    e->restore_found = 1;
    return rc_add_found(e->res, err, "journal of the last '%s': %s (%s)", recipe,
                        e->restore_j.path, e->restore_j.created);
}

/* The journal's entry for KEY\VALUE of the file labelled `label`, or NULL. */
static const bf_journal_entry *journal_entry(struct eng *e, const char *label, const char *key,
                                             const char *value)
{
    size_t i;
    const bf_journal *j = &e->restore_j;
    for (i = 0; i < j->nentries; i++) {
        const bf_journal_entry *je = &j->entries[i];
        if (je->op == BF_J_VALUE && je->file < j->nfiles && bf_ascii_ieq(j->files[je->file].label, label) &&
            bf_ascii_ieq(je->key, key) && bf_ascii_ieq(je->value, value))
            return je;
    }
    return NULL;
}

/* ---- BCD steps --------------------------------------------------------------------------------- */

static int bcd_object(struct eng *e, const char *name, bf_guid *g, uint32_t *type, int must,
                      bf_error *err)
{
    int rc;
    if (strcmp(name, "{entry}") == 0) {
        *g = e->entry;
        *type = e->entry_type;
        return BF_OK;
    }
    if (bf_bcd_alias_lookup(name, g, NULL) != 0 && bf_guid_parse(name, g) != 0)
        return bf_fail(err, BF_ERR_INVALID, "recipe %s: unknown BCD object %s", e->r->name, name);
    rc = bf_bcd_object_type(e->bcd, g, type, err);
    if (rc == BF_ERR_NOT_FOUND && !must)
        return rc;
    if (rc == BF_ERR_NOT_FOUND)
        return bf_fail(err, BF_ERR_NOT_FOUND, "BCD store %s has no %s object: it is not a "
                       "Windows boot store, or it is damaged (rebuild it with bcdboot)",
                       e->t->bcd_path, name);
    return rc;
}

static void where_label(struct eng *e, const char *objname, const bf_guid *g, char *buf,
                        size_t len)
{
    char gs[BF_GUID_TEXT];
    if (strcmp(objname, "{entry}") == 0) {
        bf_guid_format(g, gs);
        snprintf(buf, len, "%s %s", param(e, "entry") && param(e, "entry")->given ? "entry"
                                                                                   : "{default}",
                 gs);
    } else {
        snprintf(buf, len, "%s", objname);
    }
}

/* Bring element `code` of object g to the wanted state (data, or absent). */
static int bcd_apply(struct eng *e, const char *objname, const bf_guid *g, uint32_t objtype,
                     uint32_t code, int want_present, uint32_t rt, const uint8_t *data, size_t len,
                     const char *note_if_left, bf_error *err)
{
    bf_bcd_elem cur;
    int present, rc, state;
    char where[96], nbuf[32];
    char *old_t, *new_t;
    const char *name = bf_bcd_element_display_name(code, objtype, nbuf, sizeof nbuf);

    memset(&cur, 0, sizeof cur);
    rc = bf_bcd_element_get(e->bcd, g, code, &cur, err);
    if (rc && rc != BF_ERR_NOT_FOUND)
        return rc;
    present = rc == BF_OK;
    if (!want_present) {
        state = present ? BF_CHANGE_CHANGED : BF_CHANGE_ALREADY;
    } else if (present && same_bytes(cur.reg_type, cur.raw, cur.raw_len, rt, data, len)) {
        state = BF_CHANGE_ALREADY;
    } else if (present && cur.valid && len == 8 && BF_BCD_FORMAT(code) == BF_BCD_FMT_INTEGER &&
               cur.integer == rd64(data)) {
        state = BF_CHANGE_ALREADY; /* a shorter integer of the same value: Windows reads it */
    } else if (present && cur.valid && len == 1 && BF_BCD_FORMAT(code) == BF_BCD_FMT_BOOLEAN &&
               cur.integer == data[0]) {
        state = BF_CHANGE_ALREADY;
    } else {
        state = BF_CHANGE_CHANGED;
    }
    if (note_if_left && state == BF_CHANGE_ALREADY)
        note_if_left = NULL;
    rc = BF_OK;
    if (state == BF_CHANGE_CHANGED)
        rc = want_present ? bf_bcd_element_set(e->bcd, g, code, rt, data, len, err)
                          : bf_bcd_element_delete(e->bcd, g, code, err);
    old_t = rc_bcd_text(e->bcd, g, objtype, code, present, cur.reg_type, cur.raw, cur.raw_len, 0);
    new_t = rc_bcd_text(e->bcd, g, objtype, code, want_present, rt, data, len, 0);
    bf_bcd_elem_free(&cur);
    where_label(e, objname, g, where, sizeof where);
    if (rc == BF_OK)
        rc = (!old_t || !new_t) ? bf_fail(err, BF_ERR_NOMEM, "out of memory")
                                : rc_add_change(e->res, BF_CHANGE_BCD_ELEMENT, state, "BCD", where,
                                                name, old_t, new_t, NULL, err);
    free(old_t);
    free(new_t);
    return rc;
}

/* Report an element that is not changed: LEFT (with a note) or ALREADY. */
static int bcd_report(struct eng *e, const char *objname, const bf_guid *g, uint32_t objtype,
                      uint32_t code, int state, const char *note, bf_error *err)
{
    bf_bcd_elem cur;
    char where[96], nbuf[32];
    char *t;
    int rc, present;
    memset(&cur, 0, sizeof cur);
    rc = bf_bcd_element_get(e->bcd, g, code, &cur, err);
    if (rc && rc != BF_ERR_NOT_FOUND)
        return rc;
    present = rc == BF_OK;
    t = rc_bcd_text(e->bcd, g, objtype, code, present, cur.reg_type, cur.raw, cur.raw_len, 0);
    bf_bcd_elem_free(&cur);
    where_label(e, objname, g, where, sizeof where);
    rc = t ? rc_add_change(e->res, BF_CHANGE_BCD_ELEMENT, state, "BCD", where,
                           bf_bcd_element_display_name(code, objtype, nbuf, sizeof nbuf), t, t,
                           note, err)
           : bf_fail(err, BF_ERR_NOMEM, "out of memory");
    free(t);
    return rc;
}

static int step_bcd_value(struct eng *e, const bf_recipe_step *s, bf_error *err)
{
    bf_guid g;
    uint32_t objtype, code, rt = 0;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc;
    char gs[BF_GUID_TEXT];
    const char *text = expand(e, s->data);

    rc = bcd_object(e, s->object, &g, &objtype, 1, err);
    if (rc == BF_OK)
        rc = bf_bcd_element_parse_name(s->element, objtype, &code, err);
    if (rc)
        return rc;
    if (s->op == BF_STEP_BCD_DELETE)
        return bcd_apply(e, s->object, &g, objtype, code, 0, 0, NULL, 0, NULL, err);
    if (s->op == BF_STEP_BCD_RESTORE) {
        char key[96];
        const bf_journal_entry *je;
        rc = load_restore_journal(e, s->restore_from, err);
        if (rc)
            return rc;
        bf_guid_format(&g, gs);
        snprintf(key, sizeof key, "Objects\\%s\\Elements\\%08x", gs, code);
        je = e->restore_found ? journal_entry(e, "BCD", key, BCD_ELEMENT_VALUE) : NULL;
        if (je)
            return bcd_apply(e, s->object, &g, objtype, code, je->old_present, je->old_type,
                             je->old_data, je->old_len, NULL, err);
        if (!text) {
            char note[160];
            snprintf(note, sizeof note, e->restore_found
                                            ? "the last '%s' did not change it: left as is"
                                            : "no journal of '%s' records its earlier value: "
                                              "left as is",
                     s->restore_from);
            return bcd_report(e, s->object, &g, objtype, code, BF_CHANGE_LEFT, note, err);
        }
    }
    if (!text)
        return bf_fail(err, BF_ERR_INVALID, "recipe %s: step for %s has no value", e->r->name,
                       s->element);
    if (strcmp(text, "{entry}") == 0) {
        bf_guid_format(&e->entry, gs);
        text = gs;
    }
    rc = bf_bcd_value_parse(e->bcd, objtype, code, &text, 1, NULL, &rt, &data, &len, err);
    if (rc == BF_OK)
        rc = bcd_apply(e, s->object, &g, objtype, code, 1, rt, data, len, NULL, err);
    free(data);
    return rc;
}

static int step_bcd_object(struct eng *e, const bf_recipe_step *s, bf_error *err)
{
    bf_guid g;
    uint32_t type;
    int rc = bcd_object(e, s->object, &g, &type, 0, err);
    if (rc == BF_OK)
        return rc_add_change(e->res, BF_CHANGE_BCD_OBJECT, BF_CHANGE_ALREADY, "BCD", s->object,
                             "object", "present", "present", NULL, err);
    if (rc != BF_ERR_NOT_FOUND)
        return rc;
    rc = bf_bcd_object_create(e->bcd, &g, s->objtype, NULL, err);
    if (rc == BF_OK)
        rc = rc_add_change(e->res, BF_CHANGE_BCD_OBJECT, BF_CHANGE_CHANGED, "BCD", s->object,
                           "object", "absent", "created", NULL, err);
    return rc;
}

static int step_bcd_list_add(struct eng *e, const bf_recipe_step *s, bf_error *err)
{
    bf_guid g, id, *ids;
    uint32_t type, code;
    bf_bcd_elem cur;
    size_t i;
    int rc;

    rc = bcd_object(e, s->object, &g, &type, 0, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK; /* no such object: nothing to add to */
    if (rc == BF_OK)
        rc = bf_bcd_element_parse_name(s->element, type, &code, err);
    if (rc == BF_OK && bf_bcd_alias_lookup(s->data, &id, NULL) != 0 && bf_guid_parse(s->data, &id))
        rc = bf_fail(err, BF_ERR_INVALID, "recipe %s: bad identifier %s", e->r->name, s->data);
    if (rc)
        return rc;
    memset(&cur, 0, sizeof cur);
    rc = bf_bcd_element_get(e->bcd, &g, code, &cur, err);
    if (rc == BF_ERR_NOT_FOUND)
        return BF_OK; /* the list does not exist: the spec adds only to an existing one */
    if (rc)
        return rc;
    if (!cur.valid) {
        bf_bcd_elem_free(&cur);
        return bcd_report(e, s->object, &g, type, code, BF_CHANGE_LEFT,
                          "the list is unreadable: left as is", err);
    }
    for (i = 0; i < cur.nguids; i++)
        if (bf_guid_equal(&cur.guids[i], &id)) {
            bf_bcd_elem_free(&cur);
            return bcd_report(e, s->object, &g, type, code, BF_CHANGE_ALREADY, NULL, err);
        }
    ids = bf_malloc((cur.nguids + 1) * sizeof *ids);
    if (!ids) {
        bf_bcd_elem_free(&cur);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    if (cur.nguids)
        memcpy(ids, cur.guids, cur.nguids * sizeof *ids);
    ids[cur.nguids] = id;
    {
        char **parts = NULL;
        uint8_t *data = NULL;
        size_t len = 0, n = cur.nguids + 1;
        uint32_t rt = 0;
        parts = bf_calloc(n, sizeof *parts);
        rc = parts ? BF_OK : bf_fail(err, BF_ERR_NOMEM, "out of memory");
        for (i = 0; rc == BF_OK && i < n; i++) {
            parts[i] = bf_malloc(BF_GUID_TEXT);
            if (!parts[i])
                rc = bf_fail(err, BF_ERR_NOMEM, "out of memory");
            else
                bf_guid_format(&ids[i], parts[i]);
        }
        if (rc == BF_OK)
            rc = bf_bcd_value_parse(e->bcd, type, code, (const char *const *)parts, n, NULL, &rt,
                                    &data, &len, err);
        if (rc == BF_OK)
            rc = bcd_apply(e, s->object, &g, type, code, 1, rt, data, len, NULL, err);
        free(data);
        if (parts)
            rc_strv_free(parts, n);
    }
    free(ids);
    bf_bcd_elem_free(&cur);
    return rc;
}

/* ---- registry step expansion ----------------------------------------------------------------- */

static int step_reg(struct eng *e, const bf_recipe_step *s, bf_error *err)
{
    static const char csprefix[] = "{controlset}\\";
    size_t i, nstarts = 1;
    int rc = BF_OK;
    int per_cs = strncmp(s->key, csprefix, sizeof csprefix - 1) == 0;
    const char *rest = per_cs ? s->key + sizeof csprefix - 1 : s->key;

    if (strcmp(s->hive, "SYSTEM") != 0)
        return bf_fail(err, BF_ERR_UNSUPPORTED, "recipe %s: hive %s is not handled", e->r->name,
                       s->hive);
    if (per_cs)
        nstarts = e->ncs;
    for (i = 0; rc == BF_OK && i < nstarts; i++) {
        bf_node start = bf_hive_root(e->sys);
        char where[512];
        const char *text = expand(e, s->data);
        uint8_t *data = NULL;
        size_t len = 0;
        if (per_cs) {
            rc = bf_node_child(e->sys, start, e->cs[i], &start, err);
            if (rc)
                break;
            snprintf(where, sizeof where, "%s\\%s", e->cs[i], rest);
        } else {
            snprintf(where, sizeof where, "%s", rest);
        }
        if (s->op == BF_STEP_REG_DELETE) {
            rc = reg_apply(e, start, where, rest, s->value, 0, 0, NULL, 0, err);
            continue;
        }
        if (s->op == BF_STEP_REG_RESTORE) {
            const bf_journal_entry *je;
            rc = load_restore_journal(e, s->restore_from, err);
            if (rc)
                break;
            je = e->restore_found ? journal_entry(e, "SYSTEM", where, s->value) : NULL;
            if (je) {
                rc = reg_apply(e, start, where, rest, s->value, je->old_present, je->old_type,
                               je->old_data, je->old_len, err);
                continue;
            }
            if (!text) {
                rc = reg_left(e, start, where, rest, s->value, s->restore_from, err);
                continue;
            }
        }
        if (!text) {
            rc = bf_fail(err, BF_ERR_INVALID, "recipe %s: no value for %s", e->r->name, s->value);
            break;
        }
        rc = bf_reg_data_parse(s->type, text, NULL, &data, &len, err);
        if (rc == BF_OK)
            rc = reg_apply(e, start, where, rest, s->value, 1, s->type, data, len, err);
        free(data);
    }
    return rc;
}

/* ---- what was found ---------------------------------------------------------------------------- */

static int found_hive(struct eng *e, const char *label, bf_hive *h, bf_error *err)
{
    bf_hive_info in;
    char state[256];
    if (bf_hive_get_info(h, &in) != BF_OK)
        return BF_OK;
    if (in.replayed)
        snprintf(state, sizeof state, "dirty: %u log entries replayed in memory from %s%s%s",
                 in.log_entries, in.log_used[0] ? in.log_used[0] : "its logs",
                 in.log_used[1] ? " and " : "", in.log_used[1] ? in.log_used[1] : "");
    else if (in.dirty)
        snprintf(state, sizeof state, "dirty, no usable logs");
    else
        snprintf(state, sizeof state, "clean");
    return rc_add_found(e->res, err, "%s: %s (regf %u.%u, %s)", label, bf_hive_path(h),
                        in.major, in.minor, state);
}

static int open_system(struct eng *e, bf_error *err)
{
    size_t i;
    char list[512] = "";
    int rc;
    const char *cur = NULL;

    if (!e->t->system_path)
        return bf_fail(err, BF_ERR_NOT_FOUND, "no SYSTEM hive found on %s", e->t->root);
    rc = bf_hive_open(e->t->system_path, e->open_flags, &e->sys, err);
    if (rc)
        return rc;
    rc = found_hive(e, "SYSTEM hive", e->sys, err);
    if (rc == BF_OK)
        rc = rc_control_sets(e->sys, &e->cs, &e->ncs, &e->current, err);
    if (rc)
        return rc;
    if (e->ncs == 0)
        return bf_fail(err, BF_ERR_FORMAT, "%s has no ControlSetNNN key: it is not a SYSTEM hive",
                       e->t->system_path);
    for (i = 0; i < e->ncs; i++) {
        char num[16];
        snprintf(num, sizeof num, "%03u", (unsigned)e->current);
        if (strcmp(e->cs[i] + 10, num) == 0)
            cur = e->cs[i];
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 e->cs[i]);
    }
    return rc_add_found(e->res, err, "control sets: %s; Select\\Current = %u%s%s%s", list,
                        (unsigned)e->current, cur ? " (" : " (no such control set!)",
                        cur ? cur : "", cur ? ")" : "");
}

static int open_bcd(struct eng *e, bf_error *err)
{
    static const char *origin[] = {"", "given with --bcd", "on the target",
                                   "on another partition of the same disk"};
    struct pval *ent = param(e, "entry");
    const char *id = ent && ent->word ? ent->word : "{default}";
    char gs[BF_GUID_TEXT];
    bf_bcd_elem d;
    int rc;

    if (!e->t->bcd_path)
        return bf_fail(err, BF_ERR_NOT_FOUND, "no BCD store found for %s: %s", e->t->root,
                       e->t->bcd_hint ? e->t->bcd_hint : "give --bcd PATH");
    rc = bf_bcd_open(e->t->bcd_path, e->open_flags, &e->bcd, err);
    if (rc)
        return rc;
    rc = found_hive(e, "BCD store", bf_bcd_hive(e->bcd), err);
    if (rc == BF_OK)
        rc = rc_add_found(e->res, err, "BCD store is %s (%s firmware)",
                          origin[e->t->bcd_origin & 3], bf_firmware_name(e->t->firmware));
    if (rc)
        return rc;
    rc = bf_bcd_resolve(e->bcd, id, &e->entry, err);
    if (rc == BF_ERR_NOT_FOUND && !(ent && ent->word))
        return bf_fail(err, BF_ERR_NOT_FOUND, "BCD store %s: {bootmgr} names no default entry; "
                       "give --entry {GUID} (see: bootfix bcdedit /store %s /enum)",
                       e->t->bcd_path, e->t->bcd_path);
    if (rc == BF_OK)
        rc = bf_bcd_object_type(e->bcd, &e->entry, &e->entry_type, err);
    if (rc)
        return rc;
    bf_guid_format(&e->entry, gs);
    memset(&d, 0, sizeof d);
    if (bf_bcd_element_get(e->bcd, &e->entry, BCD_EL_DESCRIPTION, &d, NULL) == BF_OK && d.valid)
        rc = rc_add_found(e->res, err, "boot entry: %s = %s \"%s\"", id, gs, d.string);
    else
        rc = rc_add_found(e->res, err, "boot entry: %s = %s", id, gs);
    bf_bcd_elem_free(&d);
    if (rc == BF_OK && e->entry_type != BCD_TYPE_OSLOADER)
        rc = rc_add_warning(e->res, err, "%s %s is not a Windows Boot Loader (type 0x%08x)", id,
                            gs, (unsigned)e->entry_type);
    return rc;
}

/* ---- checks reported with enable-dump -------------------------------------------------------- */

static int check_dump_space(struct eng *e, bf_error *err)
{
    char num[16], key[160];
    bf_node mm;
    uint32_t type = 0;
    char **lines = NULL;
    size_t n = 0, i;
    int rc = BF_OK, any = 0;
    struct pval *ded = param(e, "dedicated-dump-file");

    snprintf(num, sizeof num, "%03u", (unsigned)e->current);
    snprintf(key, sizeof key, "ControlSet%s\\Control\\Session Manager\\Memory Management", num);
    if (bf_node_lookup(e->sys, bf_hive_root(e->sys), key, &mm, NULL) != BF_OK ||
        bf_node_get_strings(e->sys, mm, "PagingFiles", &type, &lines, &n, NULL) != BF_OK ||
        type != BF_REG_MULTI_SZ)
        n = 0;
    for (i = 0; rc == BF_OK && i < n; i++) {
        const char *line = lines[i];
        any = 1;
        rc = rc_add_found(e->res, err, "page file: %s", line);
        if (rc == BF_OK && line[1] == ':' && line[0] != '?' &&
            toupper((unsigned char)line[0]) != toupper((unsigned char)e->t->system_drive))
            rc = rc_add_warning(e->res, err,
                                "the page file %s is on %c:, not on the system drive %c:; "
                                "on Azure D: is the temporary disk, which is wiped on "
                                "redeploy. A kernel or complete dump needs a page file (or "
                                "--dedicated-dump-file) on a disk that survives",
                                line, line[0], e->t->system_drive);
    }
    bf_strings_free(lines, n);
    if (rc == BF_OK && !any && !(ded && ded->word))
        rc = rc_add_warning(e->res, err, "no page file is configured (Memory Management\\"
                            "PagingFiles): Windows cannot write a kernel or complete dump without "
                            "one; give --dedicated-dump-file PATH");
    if (rc == BF_OK && e->t->free_known)
        rc = rc_add_found(e->res, err, "free space on the target: %.1f GiB (it must exceed the "
                          "VM's RAM for a complete dump; otherwise use --dump-file on a data disk)",
                          (double)e->t->free_bytes / (1024.0 * 1024.0 * 1024.0));
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------------- */

static int run_steps(struct eng *e, bf_error *err)
{
    size_t i;
    int rc = BF_OK;
    for (i = 0; rc == BF_OK && i < e->r->nsteps; i++) {
        const bf_recipe_step *s = &e->r->steps[i];
        if (!when_true(e, s->when))
            continue;
        switch (s->op) {
        case BF_STEP_REG_SET:
        case BF_STEP_REG_DELETE:
        case BF_STEP_REG_RESTORE: rc = step_reg(e, s, err); break;
        case BF_STEP_BCD_SET:
        case BF_STEP_BCD_DELETE:
        case BF_STEP_BCD_RESTORE: rc = step_bcd_value(e, s, err); break;
        case BF_STEP_BCD_ENSURE_OBJECT: rc = step_bcd_object(e, s, err); break;
        case BF_STEP_BCD_LIST_ADD: rc = step_bcd_list_add(e, s, err); break;
        default:
            rc = bf_fail(err, BF_ERR_INVALID, "recipe %s: unknown step %u", e->r->name, s->op);
        }
    }
    return rc;
}

static int check_hibernation(struct eng *e, bf_error *err)
{
    if (e->t->hiber_state != BF_HIBER_IMAGE)
        return BF_OK;
    if (e->o->dry_run || e->o->force)
        return rc_add_warning(e->res, err, "%s holds a hibernation image (Fast Startup or "
                              "hibernate): Windows would resume it and lose offline changes%s",
                              e->t->hiberfil_path ? e->t->hiberfil_path : "hiberfil.sys",
                              e->o->force ? " (--force: writing anyway)" : "");
    return bf_fail(err, BF_ERR_UNSUPPORTED, "%s holds a hibernation image (starts with %s): "
                   "Windows was hibernated or shut down with Fast Startup, and would resume that "
                   "image and overwrite offline changes.  Boot it fully and shut it down with "
                   "'shutdown /s /t 0', or delete hiberfil.sys (which discards the hibernated session), "
                   "or use --force to write anyway",
                   e->t->hiberfil_path ? e->t->hiberfil_path : "hiberfil.sys", e->t->hiber_sig);
}

static int commit(struct eng *e, char *title, bf_error *err)
{
    struct rc_txn x;
    int rc = BF_OK;
    memset(&x, 0, sizeof x);
    x.title = title;
    x.backup_root = e->backup_root;
    x.t = e->t;
    x.o = e->o;
    if (e->sys)
        rc = rc_txn_add(&x, "SYSTEM", e->t->system_path, e->sys, e->open_flags, err);
    if (rc == BF_OK && e->bcd)
        rc = rc_txn_add(&x, "BCD", e->t->bcd_path, bf_bcd_hive(e->bcd), e->open_flags, err);
    if (rc == BF_OK)
        rc = rc_txn_commit(&x, e->res, err);
    rc_txn_free(&x);
    return rc;
}

int bf_recipe_run(const bf_recipe *r, bf_target *t, const bf_run_opts *o, bf_run_result *res,
                  bf_error *err)
{
    struct eng e;
    char title[64];
    int rc;

    if (!r || !t || !o || !res)
        return bf_fail(err, BF_ERR_INVALID, "bf_recipe_run: missing argument");
    memset(res, 0, sizeof *res);
    memset(&e, 0, sizeof e);
    e.r = r;
    e.t = t;
    e.o = o;
    e.res = res;
    res->dry_run = o->dry_run;
    bf_recipe_title(r, title, sizeof title);
    res->title = bf_strdup(title);
    e.backup_root = bf_io_path_join(t->root, RC_BACKUP_DIRNAME);
    if (!res->title || !e.backup_root) {
        free(e.backup_root);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    e.open_flags = BF_OPEN_WRITE | (o->force ? BF_OPEN_FORCE_DIRTY : 0);

    rc = bind_params(&e, err);
    if (rc == BF_OK && t->live) /* refused before its hives are even opened */
        rc = bf_target_check_writable(t, NULL, 0, NULL, 0, err);
    if (rc == BF_OK)
        rc = rc_add_found(res, err, "target: %s%s%s", t->root, t->windows_dir ? ", Windows in " : "",
                          t->windows_dir ? t->windows_dir : "");
    if (rc == BF_OK)
        rc = check_hibernation(&e, err);
    if (rc == BF_OK && (r->needs & BF_NEEDS_SYSTEM))
        rc = open_system(&e, err);
    if (rc == BF_OK && (r->needs & BF_NEEDS_BCD))
        rc = open_bcd(&e, err);
    if (rc == BF_OK)
        rc = run_steps(&e, err);
    if (rc == BF_OK && (r->checks & BF_CHECK_DUMP_SPACE))
        rc = check_dump_space(&e, err);
    if (rc == BF_OK && res->nchanged > 0 && !o->dry_run) {
        rc = commit(&e, title, err);
        if (rc == BF_OK)
            res->next = r->next;
    } else if (rc == BF_OK && !o->dry_run) {
        res->next = r->next;
    }

    if (e.bcd)
        bf_bcd_close(e.bcd);
    if (e.sys)
        bf_hive_close(e.sys);
    rc_strv_free(e.cs, e.ncs);
    if (e.restore_found)
        bf_journal_free(&e.restore_j);
    free(e.backup_root);
    return rc;
}
