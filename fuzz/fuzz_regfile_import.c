/* fuzz_regfile_import — apply arbitrary bytes as a .reg document to a new hive. */
#include "bootfix/hive.h"
#include "bootfix/regtext.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bf_hive *h = NULL;
    bf_error err;
    bf_regfile_stats stats = { 0 };
    if (bf_hive_new(5, "ROOT", &h, &err) != 0)
        abort();
    if (size > 0 && (data[0] & 1))
        (void)bf_regfile_import(h, "HKEY_LOCAL_MACHINE\\SYSTEM", data, size, "fuzz.reg",
                                &stats, &err);
    else
        (void)bf_regfile_import(h, NULL, data, size, "fuzz.reg", &stats, &err);
    if (bf_hive_check(h, NULL, NULL, &err) != 0)
        abort(); /* an import must never leave a broken hive */
    bf_hive_close(h);
    return 0;
}
