/* map.c — whole files for read-only hive opens, on Windows: always read
 * into allocated memory (*mapped = 0).  A mapped view would keep the file
 * from being replaced (MoveFileExW) later in the same run, so no file
 * mapping is used.  Counts as one READ of the fault-injection seam, open
 * and read together, as a mapping does on POSIX. */
#include "io/io.h"
#include "io/win32/wpath.h"

#include <stdlib.h>

int bf_io_map_file(const char *path, size_t writable, uint8_t **data, size_t *len, int *mapped)
{
    (void)writable; /* all of the copy is writable */
    *mapped = 0;
    return bf_w_read_path(path, 0, data, len); /* one count, as one mmap */
}

void bf_io_unmap(uint8_t *data, size_t len, int mapped)
{
    (void)len;
    (void)mapped;
    free(data);
}
