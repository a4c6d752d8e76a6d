/* fuzz_logreplay — input = [u32 LE len][hive][u32 LE len][LOG1][rest: LOG2];
 * opens the hive with both logs (replaying them in memory) and checks it. */
#include "bootfix/hive.h"

#include <stdint.h>
#include <stdlib.h>

/* Take one length-prefixed piece off the front; lengths are clamped. */
static void take_piece(const uint8_t **p, size_t *left, const uint8_t **piece, size_t *plen)
{
    size_t n;
    if (*left < 4) {
        *piece = *p;
        *plen = *left;
        *p += *left;
        *left = 0;
        return;
    }
    n = (size_t)(*p)[0] | (size_t)(*p)[1] << 8 | (size_t)(*p)[2] << 16 |
        (size_t)(*p)[3] << 24;
    *p += 4;
    *left -= 4;
    if (n > *left)
        n = *left;
    *piece = *p;
    *plen = n;
    *p += n;
    *left -= n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *hive, *log1;
    size_t left = size, hlen, l1len;
    bf_log_buf logs[2];
    bf_hive *h = NULL;
    bf_error err;
    bf_hive_info info;

    take_piece(&p, &left, &hive, &hlen);
    take_piece(&p, &left, &log1, &l1len);
    logs[0] = (bf_log_buf){ "fuzz.LOG1", log1, l1len };
    logs[1] = (bf_log_buf){ "fuzz.LOG2", p, left };
    if (bf_hive_open_mem("fuzz", hive, hlen, logs, 2, 0, &h, &err) != 0)
        return 0;
    (void)bf_hive_get_info(h, &info);
    (void)bf_hive_check(h, NULL, NULL, &err);
    bf_hive_close(h);
    return 0;
}
