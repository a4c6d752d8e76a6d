/*
 * bench/impl_libregf.c — the libregf implementation of the bench workloads
 * (bench/bench.h): full walk and key-path lookups (libregf cannot write).
 * Every key, value and error object libregf creates is freed here.
 */
#include "bench.h"

#include <libregf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reusable byte buffer for names and value data. */
typedef struct byte_buf {
    uint8_t *p;
    size_t cap;
} byte_buf;

static int buf_reserve(byte_buf *b, size_t size)
{
    if (size <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < size)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Prints "libregf: what (file): library message" and frees the error. */
static int fail(const char *what, const char *file, libregf_error_t **err)
{
    char msg[512] = "";
    if (err && *err) {
        libregf_error_sprint(*err, msg, sizeof msg);
        libregf_error_free(err);
    }
    fprintf(stderr, "libregf: %s (%s): %s\n", what, file, msg);
    return -1;
}

/* The walk's state: the file name (for errors) and the reused buffers
 * (the current key's name, a value's name, a value's data). */
typedef struct walker {
    const char *file;
    bench_tally *t;
    byte_buf key, name, data;
} walker;

/* Like fail(), naming the key being read (its name, when known). */
static int fail_in_key(walker *w, const char *what, libregf_error_t **err)
{
    char where[1024];
    snprintf(where, sizeof where, "%s, key %s", w->file,
             w->key.p ? (const char *)w->key.p : "?");
    return fail(what, where, err);
}

/* UTF-8 bytes of a name whose libregf size includes the NUL. */
static uint64_t name_length(size_t size)
{
    return size ? size - 1 : 0;
}

/* Reads the name of `key` into w->key; *size: libregf's UTF-8 size. */
static int load_key_name(walker *w, libregf_key_t *key, size_t *size)
{
    libregf_error_t *err = NULL;
    *size = 0;
    if (libregf_key_get_utf8_name_size(key, size, &err) != 1)
        return fail("key name size", w->file, &err);
    if (buf_reserve(&w->key, *size + 1) < 0)
        return fail("out of memory", w->file, NULL);
    w->key.p[0] = '\0';
    if (*size > 0 && libregf_key_get_utf8_name(key, w->key.p, *size, &err) != 1)
        return fail("key name", w->file, &err);
    return 0;
}

static int tally_key_name(walker *w, libregf_key_t *key)
{
    size_t size;
    if (load_key_name(w, key, &size) != 0)
        return -1;
    w->t->keys++;
    w->t->name_bytes += name_length(size);
    return 0;
}

static int tally_value_name(walker *w, libregf_value_t *val)
{
    libregf_error_t *err = NULL;
    size_t size = 0;
    if (libregf_value_get_utf8_name_size(val, &size, &err) != 1)
        return fail_in_key(w, "value name size", &err);
    if (size > 0) {
        if (buf_reserve(&w->name, size) < 0)
            return fail("out of memory", w->file, NULL);
        if (libregf_value_get_utf8_name(val, w->name.p, size, &err) != 1)
            return fail_in_key(w, "value name", &err);
    }
    w->t->name_bytes += name_length(size);
    return 0;
}

static int tally_value_data(walker *w, libregf_value_t *val)
{
    libregf_error_t *err = NULL;
    uint32_t type = 0;
    size_t size = 0;
    if (libregf_value_get_value_type(val, &type, &err) != 1)
        return fail_in_key(w, "value type", &err);
    if (libregf_value_get_value_data_size(val, &size, &err) != 1)
        return fail_in_key(w, "value data size", &err);
    if (size > 0) {
        if (buf_reserve(&w->data, size) < 0)
            return fail("out of memory", w->file, NULL);
        if (libregf_value_get_value_data(val, w->data.p, size, &err) != 1)
            return fail_in_key(w, "value data", &err);
    }
    w->t->values++;
    w->t->types += type;
    w->t->data_bytes += size;
    w->t->data_sum += bench_data_sum(w->data.p, size);
    return 0;
}

static int tally_values(walker *w, libregf_key_t *key)
{
    libregf_error_t *err = NULL;
    int n = 0;
    if (libregf_key_get_number_of_values(key, &n, &err) != 1)
        return fail_in_key(w, "number of values", &err);
    for (int i = 0; i < n; i++) {
        libregf_value_t *val = NULL;
        if (libregf_key_get_value(key, i, &val, &err) != 1)
            return fail_in_key(w, "get value", &err);
        int rc = tally_value_name(w, val);
        if (rc == 0)
            rc = tally_value_data(w, val);
        libregf_value_free(&val, NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* One level of the walk: a key and the index of its next sub key. */
typedef struct frame {
    libregf_key_t *key;
    int next, count;
} frame;

typedef struct frame_stack {
    frame *v;
    size_t n, cap;
} frame_stack;

/* Tallies `key` and pushes it (the stack owns it from here, even on error). */
static int enter_key(walker *w, frame_stack *s, libregf_key_t *key)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        frame *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            libregf_key_free(&key, NULL);
            return fail("out of memory", w->file, NULL);
        }
        s->v = v;
        s->cap = cap;
    }
    frame *f = &s->v[s->n++];
    *f = (frame){key, 0, 0};
    libregf_error_t *err = NULL;
    int rc = tally_key_name(w, key);
    if (rc == 0 && libregf_key_get_number_of_sub_keys(key, &f->count, &err) != 1)
        rc = fail_in_key(w, "number of sub keys", &err);
    return rc == 0 ? tally_values(w, key) : rc;
}

static void free_frames(frame_stack *s)
{
    while (s->n > 0)
        libregf_key_free(&s->v[--s->n].key, NULL);
    free(s->v);
}

static int walk_keys(walker *w, libregf_key_t *root)
{
    frame_stack s = {0};
    int rc = enter_key(w, &s, root);
    while (rc == 0 && s.n > 0) {
        frame *top = &s.v[s.n - 1];
        if (top->next == top->count) {
            libregf_key_free(&top->key, NULL);
            s.n--;
            continue;
        }
        libregf_error_t *err = NULL;
        libregf_key_t *sub = NULL;
        if (libregf_key_get_sub_key(top->key, top->next++, &sub, &err) != 1) {
            size_t size;
            load_key_name(w, top->key, &size);  /* to name it in the error */
            rc = fail_in_key(w, "get sub key", &err);
        }
        else
            rc = enter_key(w, &s, sub);
    }
    free_frames(&s);
    return rc;
}

/* Opens `hive` read-only into *file and its root key into *root. */
static int open_hive(const char *hive, libregf_file_t **file,
                     libregf_key_t **root)
{
    libregf_error_t *err = NULL;
    *file = NULL;
    *root = NULL;
    if (libregf_file_initialize(file, &err) != 1)
        return fail("initialize", hive, &err);
    if (libregf_file_open(*file, hive, LIBREGF_OPEN_READ, &err) != 1) {
        libregf_file_free(file, NULL);
        return fail("open", hive, &err);
    }
    if (libregf_file_get_root_key(*file, root, &err) != 1) {
        libregf_file_close(*file, NULL);
        libregf_file_free(file, NULL);
        return fail("root key", hive, &err);
    }
    return 0;
}

static int close_hive(const char *hive, libregf_file_t **file)
{
    libregf_error_t *err = NULL;
    int rc = 0;
    if (libregf_file_close(*file, &err) != 0)
        rc = fail("close", hive, &err);
    if (libregf_file_free(file, &err) != 1)
        rc = fail("free", hive, &err);
    return rc;
}

int walk_libregf(const char *hive, bench_tally *t)
{
    walker w = {hive, t, {0}, {0}, {0}};
    libregf_file_t *file;
    libregf_key_t *root;
    bench_start();
    if (open_hive(hive, &file, &root) != 0)
        return -1;
    int rc = walk_keys(&w, root);               /* frees root */
    if (close_hive(hive, &file) != 0)
        rc = -1;
    bench_stop();
    free(w.key.p);
    free(w.name.p);
    free(w.data.p);
    return rc;
}

int lookup_libregf(const char *hive, char *const *paths, size_t n,
                   bench_tally *t)
{
    libregf_file_t *file;
    libregf_key_t *root;
    if (open_hive(hive, &file, &root) != 0)
        return -1;

    int rc = 0;
    bench_start();
    for (size_t i = 0; i < n && rc == 0; i++) {
        libregf_error_t *err = NULL;
        libregf_key_t *key = NULL;
        int r = libregf_key_get_sub_key_by_utf8_path(
            root, (const uint8_t *)paths[i], strlen(paths[i]), &key, &err);
        if (r < 0) {
            fprintf(stderr, "libregf: lookup of %s (%s):\n", paths[i], hive);
            rc = fail("lookup", hive, &err);
        }
        t->found += r == 1;
        if (key)
            libregf_key_free(&key, NULL);
    }
    bench_stop();

    libregf_key_free(&root, NULL);
    if (close_hive(hive, &file) != 0)
        rc = -1;
    return rc;
}
