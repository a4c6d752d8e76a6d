/*
 * oracle_libregf.c — walk a hive with libregf (Debian 20201007).
 *
 * Trusted for the tree, names, types and class names.  Its value-data API
 * is not exact (oracle.h lists what differs), so the walk is marked
 * ORACLE_DATA_LIBREGF and oracle_compare checks its data only where exact.
 *
 * Compressed (8-bit) names are decoded here as ISO 8859-1, which is what
 * Windows does (each byte is one UTF-16 unit); libregf itself would use
 * Windows-1252 (see lr_key_name).
 */
#include "common/oracle.h"

#include <libregf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * libregf 20201007 leaks its key item when libregf_key_get_sub_key fails on
 * a corrupt subkey (libregf_key_item_initialize).  Tests are built with
 * LeakSanitizer, which would then fail every test that walks a corrupt
 * corpus hive; leaks allocated inside libregf are suppressed.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libregf.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

struct lr_item {
    libregf_key_t *key;
    char *path;
    unsigned depth;
};

static void lr_err(char *errbuf, const char *path, const char *what, libregf_error_t **e)
{
    char detail[384] = "";
    if (e && *e) {
        libregf_error_sprint(*e, detail, sizeof(detail));
        libregf_error_free(e);
        for (char *p = detail; *p; p++)
            if (*p == '\n')
                *p = ' ';
    }
    if (errbuf)
        snprintf(errbuf, ORACLE_ERRSZ, "libregf: %s: %s%s%s", path, what, *detail ? ": " : "",
                 detail);
}

/* Bytes of a compressed (8-bit) name as UTF-8: each byte is the UTF-16
 * unit 0x00XX, as Windows reads it. */
static char *latin1_to_utf8(const uint8_t *b, size_t n)
{
    char *s = malloc(n * 2 + 1), *o = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (b[i] < 0x80) {
            *o++ = (char)b[i];
        } else {
            *o++ = (char)(0xC0 | (b[i] >> 6));
            *o++ = (char)(0x80 | (b[i] & 0x3F));
        }
    }
    *o = 0;
    return s;
}

/*
 * libregf decodes compressed names with an "ASCII codepage" (Windows-1252 by
 * default; ISO 8859-1 is refused), so bytes 0x80-0x9F come out as the wrong
 * characters (0x9F gives U+0178 instead of U+009F).  A name is compressed
 * when its stored size in bytes equals its length in UTF-16 units; such
 * names are decoded here from the raw bytes.
 */
#define LR_NAME_FN(fname, type, getsz, get, getu16sz, getu8sz, getu8)                 \
    static char *fname(type *k, libregf_error_t **e)                                     \
    {                                                                                     \
        size_t raw = 0, u16 = 0, sz = 0;                                                 \
        if (getsz(k, &raw, e) != 1 || getu16sz(k, &u16, e) != 1)                        \
            return NULL;                                                                  \
        if (raw > 0 && u16 == raw + 1) {                                                  \
            uint8_t *b = malloc(raw);                                                     \
            char *s = NULL;                                                               \
            if (b && get(k, b, raw, e) == 1)                                              \
                s = latin1_to_utf8(b, raw);                                               \
            free(b);                                                                      \
            return s;                                                                     \
        }                                                                                 \
        if (getu8sz(k, &sz, e) != 1)                                                     \
            return NULL;                                                                  \
        char *s = calloc(1, sz + 1);                                                      \
        if (s && sz > 1 && getu8(k, (uint8_t *)s, sz, e) != 1) {                         \
            free(s);                                                                      \
            return NULL;                                                                  \
        }                                                                                 \
        return s;                                                                         \
    }

LR_NAME_FN(lr_key_name, libregf_key_t, libregf_key_get_name_size, libregf_key_get_name,
           libregf_key_get_utf16_name_size, libregf_key_get_utf8_name_size,
           libregf_key_get_utf8_name)
LR_NAME_FN(lr_value_name, libregf_value_t, libregf_value_get_name_size,
           libregf_value_get_name, libregf_value_get_utf16_name_size,
           libregf_value_get_utf8_name_size, libregf_value_get_utf8_name)

/* Class name: 0 and *cls (NULL when none) on success, -1 on error. */
static int lr_class(libregf_key_t *k, char **cls, libregf_error_t **e)
{
    size_t sz = 0;
    *cls = NULL;
    int r = libregf_key_get_utf8_class_name_size(k, &sz, e);
    if (r == 0)
        return 0;
    if (r != 1)
        return -1;
    char *s = calloc(1, sz + 1);
    if (!s)
        return -1;
    if (sz > 1 && libregf_key_get_utf8_class_name(k, (uint8_t *)s, sz, e) != 1) {
        free(s);
        return -1;
    }
    *cls = s;
    return 0;
}

static int lr_values(oracle_walk *w, libregf_key_t *k, const char *path, int nval,
                     char *errbuf)
{
    libregf_error_t *e = NULL;
    char what[600];
    for (int i = 0; i < nval; i++) {
        libregf_value_t *v = NULL;
        if (libregf_key_get_value(k, i, &v, &e) != 1) {
            snprintf(what, sizeof(what), "key \"%s\": value %d", path, i);
            lr_err(errbuf, w->file, what, &e);
            return -1;
        }
        uint32_t type = 0;
        size_t len = 0;
        uint8_t *data = NULL;
        char *name = lr_value_name(v, &e);
        int ok = name && libregf_value_get_value_type(v, &type, &e) == 1 &&
                 libregf_value_get_value_data_size(v, &len, &e) == 1;
        if (ok && len) {
            data = malloc(len);
            ok = data && libregf_value_get_value_data(v, data, len, &e) == 1;
        }
        if (ok && oracle_add_value(w, path, name, type, data, len) != 0) {
            free(name);
            free(data);
            libregf_value_free(&v, NULL);
            lr_err(errbuf, w->file, "out of memory or too many records", NULL);
            return -1;
        }
        free(name);
        free(data);
        libregf_value_free(&v, NULL);
        if (!ok) {
            snprintf(what, sizeof(what), "key \"%s\": value %d unreadable", path, i);
            lr_err(errbuf, w->file, what, &e);
            return -1;
        }
    }
    return 0;
}

oracle_walk *oracle_walk_libregf(const char *path, char *errbuf)
{
    libregf_file_t *f = NULL;
    libregf_error_t *e = NULL;
    libregf_key_t *root = NULL;
    struct lr_item *stack = NULL;
    size_t sp = 0, scap = 0;
    oracle_seen seen = {0};
    char what[600];
    oracle_walk *w = oracle_walk_new("libregf", path);
    if (!w) {
        lr_err(errbuf, path, "out of memory", NULL);
        return NULL;
    }
    w->data_exact = ORACLE_DATA_LIBREGF;
    if (libregf_file_initialize(&f, &e) != 1) {
        lr_err(errbuf, path, "initialize", &e);
        goto fail;
    }
    if (libregf_file_open(f, path, LIBREGF_OPEN_READ, &e) != 1) {
        lr_err(errbuf, path, "open failed", &e);
        libregf_file_free(&f, NULL);
        goto fail;
    }
    int rr = libregf_file_get_root_key(f, &root, &e);
    if (rr != 1) {
        lr_err(errbuf, path, rr == 0 ? "no root key" : "root key unreadable", &e);
        goto fail;
    }
    stack = malloc(sizeof(*stack) * 64);
    if (!stack)
        goto nomem;
    scap = 64;
    stack[sp++] = (struct lr_item){root, calloc(1, 1), 0};
    root = NULL;
    if (!stack[0].path)
        goto nomem;

    while (sp) {
        struct lr_item it = stack[--sp];
        int nsub = 0, nval = 0;
        char *cls = NULL;
        uint32_t off = 0;
        int failed = 0;
        {
            off64_t o = 0;
            if (libregf_key_get_offset(it.key, &o, &e) != 1) {
                snprintf(what, sizeof(what), "key \"%s\": offset", it.path);
                lr_err(errbuf, path, what, &e);
                failed = 1;
            }
            off = (uint32_t)o;
        }
        if (!failed && oracle_seen_add(&seen, off) != 1) {
            snprintf(what, sizeof(what),
                     "key \"%s\" at file offset 0x%x reached twice (cycle or shared subkey)",
                     it.path, off);
            lr_err(errbuf, path, what, NULL);
            failed = 1;
        }
        if (!failed && it.depth > ORACLE_MAX_DEPTH) {
            snprintf(what, sizeof(what), "key \"%s\": deeper than %d", it.path,
                     ORACLE_MAX_DEPTH);
            lr_err(errbuf, path, what, NULL);
            failed = 1;
        }
        if (!failed && (libregf_key_get_number_of_sub_keys(it.key, &nsub, &e) != 1 ||
                        libregf_key_get_number_of_values(it.key, &nval, &e) != 1 ||
                        lr_class(it.key, &cls, &e) != 0)) {
            snprintf(what, sizeof(what), "key \"%s\" unreadable", it.path);
            lr_err(errbuf, path, what, &e);
            failed = 1;
        }
        if (!failed && oracle_add_key(w, it.path, cls, (uint32_t)nsub, (uint32_t)nval) != 0) {
            lr_err(errbuf, path, "out of memory or too many records", NULL);
            failed = 1;
        }
        free(cls);
        if (!failed && lr_values(w, it.key, it.path, nval, errbuf) != 0)
            failed = 1;
        for (int i = 0; !failed && i < nsub; i++) {
            libregf_key_t *sub = NULL;
            char *name = NULL, *cp = NULL;
            if (libregf_key_get_sub_key(it.key, i, &sub, &e) != 1 ||
                !(name = lr_key_name(sub, &e))) {
                snprintf(what, sizeof(what), "key \"%s\": subkey %d unreadable", it.path, i);
                lr_err(errbuf, path, what, &e);
                libregf_key_free(&sub, NULL);
                failed = 1;
                break;
            }
            cp = oracle_join(it.path, name);
            free(name);
            if (sp == scap) {
                struct lr_item *ns = realloc(stack, sizeof(*stack) * scap * 2);
                if (ns) {
                    stack = ns;
                    scap *= 2;
                }
            }
            if (!cp || sp == scap) {
                free(cp);
                libregf_key_free(&sub, NULL);
                lr_err(errbuf, path, "out of memory", NULL);
                failed = 1;
                break;
            }
            stack[sp++] = (struct lr_item){sub, cp, it.depth + 1};
        }
        libregf_key_free(&it.key, NULL);
        free(it.path);
        if (failed)
            goto fail;
    }
    if (libregf_file_is_corrupted(f, NULL) == 1)
        w->corrupted = 1;
    free(stack);
    oracle_seen_free(&seen);
    libregf_file_close(f, NULL);
    libregf_file_free(&f, NULL);
    oracle_walk_sort(w);
    return w;

nomem:
    lr_err(errbuf, path, "out of memory", NULL);
fail:
    while (sp) {
        sp--;
        libregf_key_free(&stack[sp].key, NULL);
        free(stack[sp].path);
    }
    free(stack);
    oracle_seen_free(&seen);
    libregf_key_free(&root, NULL);
    if (f) {
        libregf_file_close(f, NULL);
        libregf_file_free(&f, NULL);
    }
    if (e)
        libregf_error_free(&e);
    oracle_walk_free(w);
    return NULL;
}
