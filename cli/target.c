/*
 * target.c — the TARGET argument of the recipe commands, and progress
 * output for long copies.
 */
#include "cli.h"
#include "io/io.h"

#include <string.h>

bf_target *cli_open_target(const char *spec)
{
    bf_target_opts o;
    bf_target *t = NULL;
    bf_error err;

    memset(&o, 0, sizeof o);
    o.bcd_path = g_opt.bcd_path;
    o.system_path = g_opt.system_path;
    if (bf_target_open(spec, &o, &t, &err) != BF_OK) {
        cli_fail(&err);
        return NULL;
    }
    return t;
}

static int stderr_is_terminal(void) { return bf_io_is_terminal(stderr); }

void cli_progress(void *ctx, uint64_t done, uint64_t total)
{
    const char *label = ctx ? (const char *)ctx : "copying";
    if (g_opt.quiet || g_opt.json || !stderr_is_terminal())
        return;
    if (total)
        fprintf(stderr, "\r%s: %3u%% (%.1f of %.1f MiB)", label,
                (unsigned)(done * 100 / total), (double)done / 1048576.0,
                (double)total / 1048576.0);
    else
        fprintf(stderr, "\r%s: %.1f MiB", label, (double)done / 1048576.0);
    if (total && done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}
