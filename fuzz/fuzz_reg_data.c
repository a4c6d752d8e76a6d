/* fuzz_reg_data — reg.exe type names and /d text for every type; the
 * input bytes formatted as data of every type. */
#include "bootfix/hive.h"
#include "bootfix/regtext.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t fuzz_types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x12345678u };

static void parse_all_types(const char *text, const char *sep)
{
    bf_error err;
    for (size_t i = 0; i < sizeof(fuzz_types) / sizeof(fuzz_types[0]); i++) {
        uint8_t *out = NULL;
        size_t len = 0;
        if (bf_reg_data_parse(fuzz_types[i], text, sep, &out, &len, &err) == 0)
            free(out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    bf_error err;
    uint32_t type = 0;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    (void)bf_reg_type_parse(text, &type, &err);
    parse_all_types(text, NULL);
    parse_all_types(text, ",");
    parse_all_types(NULL, NULL);
    for (size_t i = 0; i < sizeof(fuzz_types) / sizeof(fuzz_types[0]); i++)
        free(bf_reg_data_format(fuzz_types[i], data, size));
    free(text);
    return 0;
}
