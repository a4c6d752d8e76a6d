/* fuzz_script — arbitrary text as an article command block, run dry with
 * C: mapped onto an empty temporary directory that must stay empty. */
#include "bootfix/recipe.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char script_dir[64];

static void remove_dir(void)
{
    if (script_dir[0])
        rmdir(script_dir);
}

static void make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(script_dir, sizeof(script_dir), "%s/bffuzz-XXXXXX",
             tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(script_dir))
        abort();
    atexit(remove_dir);
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int empty = 1;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bf_drive_map_entry map;
    bf_script_opts o;
    bf_run_result res;
    bf_error err;

    if (!script_dir[0])
        make_dir();
    map.letter = 'C';
    map.dir = script_dir;
    memset(&o, 0, sizeof(o));
    memset(&res, 0, sizeof(res));
    o.maps = &map;
    o.nmaps = 1;
    o.run.dry_run = 1;
    o.run.no_libregf = 1;
    (void)bf_script_run("fuzz.cmd", (const char *)data, size, &o, &res, &err);
    bf_run_result_free(&res);
    if (!dir_is_empty(script_dir))
        abort(); /* a dry run wrote something */
    return 0;
}
