/* Post-write cross-check with libregf, an independent reader, loaded at run
 * time so that libbootfix itself depends on nothing but libc.  libregf
 * walks the written file; its key and value counts must equal ours. */
#include "internal.h"

#include <stdlib.h>
#ifdef _WIN32
#include <process.h>
#include <windows.h>
#else
#include <dlfcn.h>
#include <unistd.h>
#endif

long getpid_portable(void)
{
#ifdef _WIN32
    return (long)_getpid();
#else
    return (long)getpid();
#endif
}

typedef int (*fn_init)(void **, void **);
typedef int (*fn_free)(void **, void **);
typedef int (*fn_open)(void *, const char *, int, void **);
typedef int (*fn_close)(void *, void **);
typedef int (*fn_root)(void *, void **, void **);
typedef int (*fn_count)(void *, int *, void **);
typedef int (*fn_sub)(void *, int, void **, void **);
typedef void (*fn_errfree)(void **);

struct regf_api {
    fn_init file_init;
    fn_free file_free, key_free;
    fn_open file_open;
    fn_close file_close;
    fn_root root;
    fn_count nsub, nval;
    fn_sub sub;
    fn_errfree err_free;
};

static void *load_sym(void *lib, const char *name)
{
#ifdef _WIN32
    return (void *)GetProcAddress((HMODULE)lib, name);
#else
    return dlsym(lib, name);
#endif
}

static int load_api(struct regf_api *a)
{
    static void *lib;
    if (!lib) {
#ifdef _WIN32
        lib = (void *)LoadLibraryA("libregf.dll");
#else
        lib = dlopen("libregf.so.1", RTLD_NOW | RTLD_LOCAL);
#endif
        if (!lib)
            return 0;
    }
    void *p[10] = {
        load_sym(lib, "libregf_file_initialize"), load_sym(lib, "libregf_file_free"),
        load_sym(lib, "libregf_key_free"), load_sym(lib, "libregf_file_open"),
        load_sym(lib, "libregf_file_close"), load_sym(lib, "libregf_file_get_root_key"),
        load_sym(lib, "libregf_key_get_number_of_sub_keys"), load_sym(lib, "libregf_key_get_number_of_values"),
        load_sym(lib, "libregf_key_get_sub_key"), load_sym(lib, "libregf_error_free")};
    for (int i = 0; i < 10; i++)
        if (!p[i])
            return 0;
    /* function pointers from data pointers: the POSIX dlsym idiom */
    memcpy(&a->file_init, &p[0], sizeof p[0]);
    memcpy(&a->file_free, &p[1], sizeof p[1]);
    memcpy(&a->key_free, &p[2], sizeof p[2]);
    memcpy(&a->file_open, &p[3], sizeof p[3]);
    memcpy(&a->file_close, &p[4], sizeof p[4]);
    memcpy(&a->root, &p[5], sizeof p[5]);
    memcpy(&a->nsub, &p[6], sizeof p[6]);
    memcpy(&a->nval, &p[7], sizeof p[7]);
    memcpy(&a->sub, &p[8], sizeof p[8]);
    memcpy(&a->err_free, &p[9], sizeof p[9]);
    return 1;
}

/* Our own counts of keys and values. */
static int count_ours(bf_hive *h, unsigned long *keys, unsigned long *values, bf_error *err)
{
    bf_node *all;
    size_t n;
    int rc = bf_subtree_keys(h, bf_hive_root(h), &all, &n, err);
    if (rc)
        return rc;
    *keys = n;
    *values = 0;
    for (size_t i = 0; i < n; i++)
        *values += rd32(bf_at(h, all[i]) + 4 + NK_NVALUES);
    free(all);
    return BF_OK;
}

int bf_verify_libregf(bf_hive *h, const char *path, bf_error *err)
{
    struct regf_api a;
    if (!load_api(&a))
        return BF_ERR_UNSUPPORTED;
    unsigned long our_keys = 0, our_values = 0;
    int rc = count_ours(h, &our_keys, &our_values, err);
    if (rc)
        return rc;

    void *file = NULL, *e = NULL, *root = NULL;
    unsigned long keys = 0, values = 0;
    int ok = 0;
    struct frame {
        void *key;
        int next, nsub;
    } stack[BF_MAX_DEPTH + 1];
    int sp = 0;
    if (a.file_init(&file, &e) != 1 || a.file_open(file, path, 1, &e) != 1 || a.root(file, &root, &e) != 1)
        goto done;
    stack[0].key = root;
    stack[0].next = 0;
    stack[0].nsub = 0;
    sp = 1;
    if (a.nsub(root, &stack[0].nsub, &e) != 1)
        goto done;
    keys = 1;
    {
        int nv;
        if (a.nval(root, &nv, &e) != 1)
            goto done;
        values += (unsigned long)nv;
    }
    while (sp > 0) {
        struct frame *f = &stack[sp - 1];
        if (f->next >= f->nsub) {
            a.key_free(&f->key, &e);
            sp--;
            continue;
        }
        void *sub = NULL;
        if (a.sub(f->key, f->next++, &sub, &e) != 1)
            goto done;
        int nv, ns;
        if (a.nval(sub, &nv, &e) != 1 || a.nsub(sub, &ns, &e) != 1 || sp > BF_MAX_DEPTH) {
            a.key_free(&sub, &e);
            goto done;
        }
        keys++;
        values += (unsigned long)nv;
        stack[sp].key = sub;
        stack[sp].next = 0;
        stack[sp].nsub = ns;
        sp++;
    }
    ok = 1;
done:
    while (sp > 0) {
        sp--;
        a.key_free(&stack[sp].key, &e);
    }
    if (e)
        a.err_free(&e);
    if (file) {
        a.file_close(file, &e);
        if (e)
            a.err_free(&e);
        a.file_free(&file, &e);
        if (e)
            a.err_free(&e);
    }
    if (!ok)
        return bf_fail(err, BF_ERR_VERIFY, "%s: libregf cannot read the hive just written (%lu keys read)", path,
                       keys);
    if (keys != our_keys || values != our_values)
        return bf_fail(err, BF_ERR_VERIFY, "%s: libregf reads %lu keys and %lu values, bootfix wrote %lu and %lu",
                       path, keys, values, our_keys, our_values);
    return BF_OK;
}
