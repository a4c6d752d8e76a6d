/* A new, empty hive: base block, one bin, a security record and a root key. */
#include "io/io.h"
#include "internal.h"

#include <stdlib.h>

/* Self-relative security descriptor for the root of a new hive:
 * owner BUILTIN\Administrators, group SYSTEM, DACL (inherited by subkeys)
 * allowing full control to SYSTEM and Administrators, read to Users. */
static size_t put_sid(uint8_t *p, const uint32_t *subs, unsigned n)
{
    p[0] = 1;
    p[1] = (uint8_t)n;
    memset(p + 2, 0, 5);
    p[7] = 5; /* NT authority */
    for (unsigned i = 0; i < n; i++)
        wr32(p + 8 + 4 * i, subs[i]);
    return 8 + 4 * (size_t)n;
}

static size_t put_ace(uint8_t *p, uint32_t mask, const uint32_t *subs, unsigned n)
{
    p[0] = 0;    /* ACCESS_ALLOWED_ACE_TYPE */
    p[1] = 0x03; /* OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE */
    wr32(p + 4, mask);
    size_t sl = put_sid(p + 8, subs, n);
    wr16(p + 2, (uint16_t)(8 + sl));
    return 8 + sl;
}

static size_t build_sd(uint8_t *sd)
{
    static const uint32_t admins[] = {32, 544}, system[] = {18}, users[] = {32, 545};
    memset(sd, 0, 256);
    sd[0] = 1;                 /* revision */
    wr16(sd + 2, 0x8004);      /* SE_SELF_RELATIVE | SE_DACL_PRESENT */
    size_t off = 20;
    uint8_t *acl = sd + off;   /* DACL first, then owner and group */
    acl[0] = 2;                /* ACL revision */
    size_t a = 8;
    a += put_ace(acl + a, 0x000F003F, system, 1);  /* KEY_ALL_ACCESS */
    a += put_ace(acl + a, 0x000F003F, admins, 2);
    a += put_ace(acl + a, 0x00020019, users, 2);   /* KEY_READ */
    wr16(acl + 2, (uint16_t)a);
    wr16(acl + 4, 3);
    wr32(sd + 16, (uint32_t)off);
    off += a;
    wr32(sd + 4, (uint32_t)off); /* owner */
    off += put_sid(sd + off, admins, 2);
    wr32(sd + 8, (uint32_t)off); /* group */
    off += put_sid(sd + off, system, 1);
    return off;
}

int bf_hive_new(unsigned minor, const char *root_name, bf_hive **out, bf_error *err)
{
    *out = NULL;
    if (minor < 3 || minor > 6)
        return bf_fail(err, BF_ERR_INVALID, "cannot create a version 1.%u hive (1.3 to 1.6 can be created)", minor);
    if (!root_name || !*root_name || strchr(root_name, '\\'))
        return bf_fail(err, BF_ERR_INVALID, "invalid root key name");
    uint8_t *nb;
    size_t nl;
    int comp;
    int rc = bf_name_from_utf8(root_name, &nb, &nl, &comp, err);
    if (rc)
        return rc;
    bf_hive *h = bf_calloc(1, sizeof *h);
    uint8_t *img = bf_calloc(1, REGF_BASE_BLOCK + REGF_BIN_ALIGN);
    if (!h || !img || !(h->path = bf_strdup("(new hive)"))) {
        free(nb);
        free(img);
        free(h);
        return bf_fail(err, BF_ERR_NOMEM, "out of memory");
    }
    uint64_t now = bf_filetime_now();
    memcpy(img, "regf", 4);
    wr32(img + BB_SEQ1, 1);
    wr32(img + BB_SEQ2, 1);
    wr64(img + BB_TIMESTAMP, now);
    wr32(img + BB_MAJOR, 1);
    wr32(img + BB_MINOR, minor);
    wr32(img + BB_TYPE, 0);
    wr32(img + BB_FORMAT, 1);
    wr32(img + BB_HBINS_SIZE, REGF_BIN_ALIGN);
    wr32(img + BB_CLUSTER, 1);
    uint8_t *bin = img + REGF_BASE_BLOCK;
    memcpy(bin, "hbin", 4);
    wr32(bin + 8, REGF_BIN_ALIGN);
    wr64(bin + 20, now);
    wr32(bin + REGF_BIN_HDR, REGF_BIN_ALIGN - REGF_BIN_HDR); /* one free cell */
    h->img = img;
    h->img_len = REGF_BASE_BLOCK + REGF_BIN_ALIGN;
    h->minor = minor;
    h->writable = 1;
    h->disk_mtime = -1;
    if ((rc = bf_bins_scan(h, err)) != 0)
        goto fail;

    uint8_t sd[256];
    size_t sdlen = build_sd(sd);
    uint32_t sk, root;
    if ((rc = bf_cell_alloc(h, (uint32_t)(SK_DESC + sdlen), &sk, err)) != 0 ||
        (rc = bf_cell_alloc(h, (uint32_t)(NK_NAME + nl), &root, err)) != 0)
        goto fail;
    uint8_t *s = bf_at(h, sk) + 4;
    memcpy(s, "sk", 2);
    wr32(s + SK_FLINK, sk);
    wr32(s + SK_BLINK, sk);
    wr32(s + SK_REFCOUNT, 1);
    wr32(s + SK_DESCLEN, (uint32_t)sdlen);
    memcpy(s + SK_DESC, sd, sdlen);
    bf_nk_init(bf_at(h, root) + 4, NK_F_HIVE_ENTRY | NK_F_NO_DELETE | (comp ? NK_F_COMP_NAME : 0), 0, sk, nb, nl);
    wr32(h->img + BB_ROOT, root);
    wr32(h->img + BB_CHECKSUM, bf_bb_checksum(h->img));
    free(nb);
    h->modified = 1;
    h->touched_all = 1; /* all of it is new: the cross-check reads every key */
    h->info.seq1 = h->info.seq2 = 1;
    h->info.checksum_ok = 1;
    bf_hive_refresh_info(h);
    *out = h;
    return BF_OK;
fail:
    free(nb);
    bf_hive_close(h);
    return rc;
}
