/* fuzz_bcdedit_args — input split on NUL/newline into bcdedit words:
 * bf_bcdedit_check, then bf_bcdedit_store on an in-memory store (no commit). */
#include "bootfix/bcd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARGS_MAX 32

/* A store with a few well-known objects, serialized once. */
static uint8_t *seed_img;
static size_t seed_len;

static void make_seed(void)
{
    static const char *const setup[][4] = {
        { "/create", "{bootmgr}", "/d", "Windows Boot Manager" },
        { "/create", "{ramdiskoptions}", "/d", "Ramdisk Options" },
        { "/create", "{memdiag}", "/d", "Windows Memory Diagnostic" },
    };
    bf_bcd *s = NULL;
    bf_error err;
    bf_bcdedit_opts opts;
    memset(&opts, 0, sizeof(opts));
    if (bf_bcd_new(&s, &err) != 0)
        abort();
    for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
        char *out = NULL;
        if (bf_bcdedit_store(s, 4, setup[i], &opts, &out, &err) == 0)
            free(out);
    }
    if (bf_hive_serialize(bf_bcd_hive(s), &seed_img, &seed_len, &err) != 0)
        abort();
    bf_bcd_close(s);
}

static int split_words(char *text, size_t size, const char **argv)
{
    int argc = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && argc < ARGS_MAX; i++) {
        if (i == size || text[i] == '\0' || text[i] == '\n') {
            text[i] = '\0';
            argv[argc++] = text + start;
            start = i + 1;
        }
    }
    return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *argv[ARGS_MAX];
    const char *store = NULL;
    int writes = 0, argc;
    bf_error err;
    bf_bcd *s = NULL;
    bf_bcdedit_opts opts;
    char *text, *out = NULL;

    if (!seed_img)
        make_seed();
    text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    argc = split_words(text, size, argv);
    (void)bf_bcdedit_check(argc, argv, &store, &writes, &err);

    memset(&opts, 0, sizeof(opts));
    if (bf_bcd_open_mem("fuzz-store", seed_img, seed_len, BF_OPEN_WRITE, &s, &err) != 0)
        abort();
    if (bf_bcdedit_store(s, argc, argv, &opts, &out, &err) == 0)
        free(out);
    if (bf_hive_check(bf_bcd_hive(s), NULL, NULL, &err) != 0)
        abort(); /* a bcdedit command must never leave a broken store */
    bf_bcd_close(s);
    free(text);
    return 0;
}
