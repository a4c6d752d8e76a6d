/* fuzz_dump_header — decode arbitrary bytes as a crash dump header. */
#include "bootfix/dump.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bf_dump_info info;
    bf_error err;
    if (bf_dump_decode(data, size, &info, &err) == 0) {
        (void)bf_bugcheck_name(info.bugcheck);
        (void)bf_ntstatus_name((uint32_t)info.param[3]);
    }
    return 0;
}
