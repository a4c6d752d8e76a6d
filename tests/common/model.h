/*
 * model.h — an in-memory model of the tree a hive should hold, for
 * model-based write tests: apply the same edit to the hive and to the model,
 * then compare a walk of the written file (oracle.h) with model_walk().
 *
 * Names match case-insensitively the way the library does: both names are
 * turned into UTF-16 code units and compared unit by unit after bf_upcase().
 * The name stored is the one given first (a later, differently cased name
 * finds the existing key or value and does not rename it).
 */
#ifndef BOOTFIX_TESTS_MODEL_H
#define BOOTFIX_TESTS_MODEL_H

#include "common/oracle.h"

#include <stddef.h>
#include <stdint.h>

typedef struct model_val {
    char *name; /* as stored, UTF-8; "" = default value */
    uint16_t *fold;
    size_t nfold;
    uint32_t type;
    uint8_t *data;
    size_t len;
    int written; /* set by this test (not from the original hive) */
} model_val;

typedef struct model_key {
    char *name; /* as stored; "" for the root */
    uint16_t *fold;
    size_t nfold;
    char *cls; /* class name or NULL */
    struct model_key *parent;
    struct model_key **kids;
    size_t nkids, capkids;
    model_val *vals;
    size_t nvals, capvals;
    size_t idx; /* position in model.all */
} model_key;

typedef struct model {
    model_key *root;
    model_key **all; /* every live key, any order */
    size_t nall, capall;
} model;

/* An empty model: just the root. */
model *model_new(void);
/* The model of what a walk holds (the walk must be sorted, as walks are).
 * NULL with errbuf (ORACLE_ERRSZ) set if the walk cannot be a tree. */
model *model_from_walk(const oracle_walk *w, char *errbuf);
void model_free(model *m);

/* Case-insensitive comparison of two UTF-8 names as the library does it. */
int model_name_eq(const char *a, const char *b);

model_key *model_child(const model_key *k, const char *name);
/* Add a new child (the name must not exist yet). */
model_key *model_add_child(model *m, model_key *k, const char *name);
/* Remove a key and everything under it (not the root). */
void model_delete_key(model *m, model_key *k);
size_t model_subtree_keys(const model_key *k);

model_val *model_get_value(const model_key *k, const char *name);
/* Create or replace (keeping the stored name of an existing value). */
model_val *model_set_value(model_key *k, const char *name, uint32_t type, const void *data,
                           size_t len);
/* 0 when deleted, -1 when there was no such value. */
int model_delete_value(model_key *k, const char *name);

/* Path from the root, components joined by '\' ("" for the root); malloc'd. */
char *model_path(const model_key *k);
/* The canonical walk of the model (sorted; class_known = 1, data exact). */
oracle_walk *model_walk(const model *m, const char *label);

#endif
