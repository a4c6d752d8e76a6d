/*
 * bcdedit_settings.c — bcdedit commands for EMS and the debugger: /ems,
 * /bootems, /emssettings ({emssettings}), /dbgsettings ({dbgsettings}).
 */
#include "bcd/bcdedit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ON|OFF as /ems and /bootems take it */
static int on_off(const char *w, int *v, bf_error *err)
{
    if (bf_ascii_ieq(w, "on"))
        *v = 1;
    else if (bf_ascii_ieq(w, "off"))
        *v = 0;
    else
        return bf_fail(err, BF_ERR_INVALID, "%s expected ON or OFF, not '%.80s'", BE_MSG_PARAM, w);
    return BF_OK;
}

int be_cmd_ems(struct be_ctx *c, int boot, bf_error *err)
{
    const struct be_args *a = c->a;
    const char *id = a->npos == 2 ? a->pos[0] : NULL;
    uint32_t code = boot ? BCD_EL_BOOTEMS : BCD_EL_EMS, type;
    bf_guid g;
    int v = 0, rc;
    char gt[BF_GUID_TEXT];
    if ((rc = on_off(a->pos[a->npos - 1], &v, err)) != 0)
        return rc;
    if ((rc = be_object(c, id, &g, &type, err)) != 0)
        return be_prefix(err, BE_MSG_SET);
    if (!bf_bcd_element_by_code(code, type)) {
        bf_guid_format(&g, gt);
        return bf_fail(err, BF_ERR_INVALID, "%s (%s: /ems sets element %08x, which only Windows "
                       "Boot Loader entries have; this entry's type is %08x)", BE_MSG_NOTAPPLY, gt,
                       code, type);
    }
    rc = bf_bcd_set_boolean(c->s, &g, code, v, err);
    if (rc)
        return be_prefix(err, BE_MSG_SET);
    be_ok(c);
    return BF_OK;
}

/* ---- /emssettings, /dbgsettings --------------------------------------------------------- */

/* The object of a well-known settings alias, created (type from the alias
 * table) when the store lacks it. */
static int settings_object(struct be_ctx *c, const char *alias, bf_guid *g, bf_error *err)
{
    uint32_t type, have;
    int rc;
    if (bf_bcd_alias_lookup(alias, g, &type) != 0)
        return bf_fail(err, BF_ERR_INVALID, "%s is not a known alias", alias);
    rc = bf_bcd_object_type(c->s, g, &have, err);
    if (rc == BF_ERR_NOT_FOUND)
        rc = bf_bcd_object_create(c->s, g, type, NULL, err);
    return rc ? be_prefix(err, BE_MSG_SET) : BF_OK;
}

/* "KEY:value" (KEY case-insensitive): the value, or NULL. */
static const char *kv(const char *w, const char *key)
{
    size_t n = strlen(key);
    size_t i;
    for (i = 0; i < n; i++)
        if (!w[i] || (w[i] | 0x20) != (key[i] | 0x20))
            return NULL;
    return w[n] == ':' ? w + n + 1 : NULL;
}

static int kv_number(const char *w, const char *v, uint64_t *out, bf_error *err)
{
    if (!v[0] || be_number(v, out) != 0)
        return bf_fail(err, BF_ERR_INVALID, "%s '%.80s' needs a number after the colon", BE_MSG_PARAM,
                       w);
    return BF_OK;
}

int be_cmd_emssettings(struct be_ctx *c, bf_error *err)
{
    const struct be_args *a = c->a;
    uint64_t port = 0, baud = 0;
    int have_port = 0, have_baud = 0, rc;
    size_t i;
    bf_guid g;
    for (i = 0; i < a->npos; i++) {
        const char *w = a->pos[i], *v;
        if (bf_ascii_ieq(w, "bios"))
            return bf_fail(err, BF_ERR_UNSUPPORTED, "/emssettings BIOS is not supported: the encoding "
                           "bcdedit writes for it is not documented, and bootfix writes only what it "
                           "can match byte for byte.  Give EMSPORT:n [EMSBAUDRATE:n] instead.");
        if ((v = kv(w, "emsport")) != NULL && !have_port) {
            if ((rc = kv_number(w, v, &port, err)) != 0)
                return rc;
            have_port = 1;
        } else if ((v = kv(w, "emsbaudrate")) != NULL && !have_baud) {
            if ((rc = kv_number(w, v, &baud, err)) != 0)
                return rc;
            have_baud = 1;
        } else {
            return bf_fail(err, BF_ERR_INVALID, "%s /emssettings takes BIOS or EMSPORT:n "
                           "[EMSBAUDRATE:n], not '%.80s'", BE_MSG_PARAM, w);
        }
    }
    if (!have_port)
        return bf_fail(err, BF_ERR_INVALID, "%s /emssettings needs EMSPORT:n (EMSBAUDRATE:n alone "
                       "is not accepted)", BE_MSG_PARAM);
    if ((rc = settings_object(c, "{emssettings}", &g, err)) != 0)
        return rc;
    rc = bf_bcd_set_integer(c->s, &g, BCD_EL_EMSPORT, port, err);
    if (rc == BF_OK && have_baud)
        rc = bf_bcd_set_integer(c->s, &g, BCD_EL_EMSBAUDRATE, baud, err);
    if (rc)
        return be_prefix(err, BE_MSG_SET);
    be_ok(c);
    return BF_OK;
}

/* debugger elements of {dbgsettings} */
#define DBG_TYPE 0x15000011u
#define DBG_PORT 0x15000013u
#define DBG_BAUD 0x15000014u
#define DBG_CHANNEL 0x15000015u
#define DBG_TARGET 0x12000016u
#define DBG_NOUMEX 0x16000017u
#define DBG_START 0x15000018u
#define DBG_HOSTIP 0x1500001Au
#define DBG_NETPORT 0x1500001Bu
#define DBG_DHCP 0x1600001Cu
#define DBG_KEY 0x1200001Du

/* what one /dbgsettings line asks for */
struct dbg_req {
    int type; /* 0 serial, 1 1394, 2 usb, 3 net, 4 local; -1 none */
    uint64_t port, baud, channel, hostip, netport;
    int has_port, has_baud, has_channel, has_hostip, has_netport, nodhcp;
    const char *target, *key;
};

static int parse_ipv4(const char *s, uint64_t *out)
{
    unsigned long part[4];
    int i;
    for (i = 0; i < 4; i++) {
        char *end;
        if (*s < '0' || *s > '9')
            return -1;
        part[i] = strtoul(s, &end, 10);
        if (part[i] > 255 || end - s > 3)
            return -1;
        s = end;
        if (i < 3 && *s++ != '.')
            return -1;
    }
    if (*s)
        return -1;
    /* in memory as the address bytes in network order (an IN_ADDR) */
    *out = part[0] | (part[1] << 8) | (part[2] << 16) | ((uint64_t)part[3] << 24);
    return 0;
}

static int dbg_type_word(const char *w)
{
    static const char *const names[] = {"serial", "1394", "usb", "net", "local"};
    int i;
    for (i = 0; i < 5; i++)
        if (bf_ascii_ieq(w, names[i]))
            return i;
    return -1;
}

static int dbg_param(struct dbg_req *q, const char *w, bf_error *err)
{
    const char *v;
    int t = q->type;
    if (t == 0 && (v = kv(w, "debugport")) && !q->has_port) {
        q->has_port = 1;
        return kv_number(w, v, &q->port, err);
    }
    if (t == 0 && (v = kv(w, "baudrate")) && !q->has_baud) {
        q->has_baud = 1;
        return kv_number(w, v, &q->baud, err);
    }
    if (t == 1 && (v = kv(w, "channel")) && !q->has_channel) {
        q->has_channel = 1;
        return kv_number(w, v, &q->channel, err);
    }
    if (t == 2 && (v = kv(w, "targetname")) && !q->target && v[0]) {
        q->target = v;
        return BF_OK;
    }
    if (t == 3 && (v = kv(w, "hostip")) && !q->has_hostip) {
        q->has_hostip = 1;
        if (parse_ipv4(v, &q->hostip) != 0)
            return bf_fail(err, BF_ERR_INVALID, "%s HOSTIP needs an IPv4 address a.b.c.d, not '%.60s'",
                           BE_MSG_PARAM, v);
        return BF_OK;
    }
    if (t == 3 && (v = kv(w, "port")) && !q->has_netport) {
        q->has_netport = 1;
        if (kv_number(w, v, &q->netport, err) != 0)
            return err ? err->code : BF_ERR_INVALID;
        if (q->netport < 49152 || q->netport > 65535)
            return bf_fail(err, BF_ERR_INVALID, "%s PORT must be 49152 to 65535", BE_MSG_PARAM);
        return BF_OK;
    }
    if (t == 3 && (v = kv(w, "key")) && !q->key && v[0]) {
        q->key = v;
        return BF_OK;
    }
    if (t == 3 && bf_ascii_ieq(w, "nodhcp") && !q->nodhcp) {
        q->nodhcp = 1;
        return BF_OK;
    }
    return bf_fail(err, BF_ERR_INVALID, "%s '%.80s' is not a setting of this debugger type (or is "
                   "given twice)", BE_MSG_PARAM, w);
}

static int dbg_parse(const struct be_args *a, struct dbg_req *q, bf_error *err)
{
    size_t i;
    memset(q, 0, sizeof *q);
    q->type = -1;
    if (a->npos == 0)
        return BF_OK;
    q->type = dbg_type_word(a->pos[0]);
    if (q->type < 0)
        return bf_fail(err, BF_ERR_INVALID, "%s /dbgsettings: the debugger type is SERIAL, 1394, USB, "
                       "NET or LOCAL, not '%.80s'", BE_MSG_PARAM, a->pos[0]);
    for (i = 1; i < a->npos; i++)
        if (dbg_param(q, a->pos[i], err) != 0)
            return err ? err->code : BF_ERR_INVALID;
    if (q->type == 2 && !q->target)
        return bf_fail(err, BF_ERR_INVALID, "%s USB debugging needs TARGETNAME:name", BE_MSG_PARAM);
    if (q->type == 3 && (!q->has_hostip || !q->has_netport))
        return bf_fail(err, BF_ERR_INVALID, "%s NET debugging needs HOSTIP:a.b.c.d and PORT:n",
                       BE_MSG_PARAM);
    if (q->type == 3 && !q->key)
        return bf_fail(err, BF_ERR_UNSUPPORTED, "NET debugging without KEY: bcdedit would make up a "
                       "random key and print it; bootfix needs the key given as KEY:w.x.y.z");
    return BF_OK;
}

/* elements a new debugger type replaces */
static const uint32_t dbg_transport[] = {DBG_PORT, DBG_BAUD, DBG_CHANNEL, DBG_TARGET,
                                         DBG_HOSTIP, DBG_NETPORT, DBG_DHCP, DBG_KEY};

static int dbg_write(struct be_ctx *c, const bf_guid *g, const struct dbg_req *q, bf_error *err)
{
    size_t i;
    int rc = BF_OK;
    for (i = 0; i < sizeof dbg_transport / sizeof dbg_transport[0]; i++) {
        rc = bf_bcd_element_delete(c->s, g, dbg_transport[i], err);
        if (rc && rc != BF_ERR_NOT_FOUND)
            return rc;
    }
    rc = bf_bcd_set_integer(c->s, g, DBG_TYPE, (uint64_t)q->type, err);
    if (!rc && q->has_port)
        rc = bf_bcd_set_integer(c->s, g, DBG_PORT, q->port, err);
    if (!rc && q->has_baud)
        rc = bf_bcd_set_integer(c->s, g, DBG_BAUD, q->baud, err);
    if (!rc && q->has_channel)
        rc = bf_bcd_set_integer(c->s, g, DBG_CHANNEL, q->channel, err);
    if (!rc && q->target)
        rc = bf_bcd_set_string(c->s, g, DBG_TARGET, q->target, err);
    if (!rc && q->has_hostip)
        rc = bf_bcd_set_integer(c->s, g, DBG_HOSTIP, q->hostip, err);
    if (!rc && q->has_netport)
        rc = bf_bcd_set_integer(c->s, g, DBG_NETPORT, q->netport, err);
    if (!rc && q->key)
        rc = bf_bcd_set_string(c->s, g, DBG_KEY, q->key, err);
    if (!rc && q->nodhcp)
        rc = bf_bcd_set_boolean(c->s, g, DBG_DHCP, 0, err);
    return rc;
}

int be_cmd_dbgsettings(struct be_ctx *c, bf_error *err)
{
    const struct be_args *a = c->a;
    struct dbg_req q;
    bf_guid g;
    int rc;
    if (a->npos == 0 && !(a->mods & (BM_START | BM_NOUMEX))) {
        char *text = NULL;
        unsigned flags = (a->mods & BM_V) ? BF_BCD_VERBOSE : 0;
        rc = bf_bcd_enum(c->s, "{dbgsettings}", flags, &c->opts->drives, &text, err);
        if (rc)
            return rc;
        rf_printf(&c->out, "%s", text ? text : "");
        free(text);
        return BF_OK;
    }
    if ((rc = dbg_parse(a, &q, err)) != 0)
        return rc;
    if ((rc = settings_object(c, "{dbgsettings}", &g, err)) != 0)
        return rc;
    if (q.type >= 0 && (rc = dbg_write(c, &g, &q, err)) != 0)
        return be_prefix(err, BE_MSG_SET);
    if (a->start) {
        const char *v[1];
        v[0] = a->start;
        if (!bf_ascii_ieq(a->start, "active") && !bf_ascii_ieq(a->start, "autoenable") &&
            !bf_ascii_ieq(a->start, "disable"))
            return bf_fail(err, BF_ERR_INVALID, "%s /start takes ACTIVE, AUTOENABLE or DISABLE, not "
                           "'%.80s'", BE_MSG_PARAM, a->start);
        if ((rc = be_set_text(c, &g, BCD_TYPE_INHERIT_ANY, DBG_START, v, 1, err)) != 0)
            return rc;
    }
    if ((a->mods & BM_NOUMEX) && (rc = bf_bcd_set_boolean(c->s, &g, DBG_NOUMEX, 1, err)) != 0)
        return be_prefix(err, BE_MSG_SET);
    be_ok(c);
    return BF_OK;
}
