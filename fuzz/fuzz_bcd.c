/* fuzz_bcd — arbitrary bytes as a BCD store (/enum all, plain and /v) and
 * as a device element. */
#include "bootfix/bcd.h"

#include <stdint.h>
#include <stdlib.h>

static const char *fuzz_locate(void *ctx, uint32_t code)
{
    (void)ctx;
    return (code & 1) ? "\\Windows" : NULL;
}

static void enum_store(const uint8_t *data, size_t size)
{
    bf_bcd *s = NULL;
    bf_error err;
    bf_bcd_drive_map map = { NULL, 0 };
    static const char *const what[] = { "all", "active" };
    if (bf_bcd_open_mem("fuzz", data, size, 0, &s, &err) != 0)
        return;
    for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
        for (unsigned flags = 0; flags <= BF_BCD_VERBOSE; flags += BF_BCD_VERBOSE) {
            char *text = NULL;
            if (bf_bcd_enum(s, what[i], flags, &map, &text, &err) == 0)
                free(text);
        }
    }
    bf_bcd_close(s);
}

static void device_text(const uint8_t *data, size_t size)
{
    char why[256];
    bf_error err;
    bf_bcd_drive_map map = { NULL, 0 };
    (void)bf_bcd_device_check(data, size, why, sizeof(why));
    for (unsigned flags = 0; flags <= BF_BCD_VERBOSE; flags += BF_BCD_VERBOSE) {
        char *text = NULL;
        if (bf_bcd_device_to_text(data, size, &map, flags, fuzz_locate, NULL, &text, &err) == 0)
            free(text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum_store(data, size);
    device_text(data, size);
    return 0;
}
