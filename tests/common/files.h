/* Whole-file helpers shared by the tests. */
#ifndef BOOTFIX_TEST_FILES_H
#define BOOTFIX_TEST_FILES_H

#include <stddef.h>
#include <stdint.h>

/* The whole file (malloc'd), or NULL when it cannot be opened or memory runs out. */
uint8_t *test_slurp(const char *path, size_t *len);
/* 1 when the file holds exactly these bytes, else 0 (also when unreadable). */
int test_file_equals(const char *path, const uint8_t *b, size_t len);
/* Create or replace a file with these bytes; a failure fails the test. */
void test_put_file(const char *path, const uint8_t *b, size_t len);
/* Remove a file, or a directory and everything under it (symbolic links are
 * removed, never followed; directories made read-only by a test are made
 * writable first). */
void test_rm_tree(const char *path);
/* Create base/rel and every missing directory between them (base exists). */
void test_mkdirs(const char *base, const char *rel);

#endif
