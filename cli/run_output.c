/*
 * run_output.c — a recipe, undo or script run as text or as one JSON
 * document (--json): what was found, each change old -> new or "already
 * set", warnings, where the backup and journal went, what to do next.
 */
#include "cli.h"

#include <string.h>

static const char *state_name(int state)
{
    switch (state) {
    case BF_CHANGE_CHANGED: return "changed";
    case BF_CHANGE_ALREADY: return "already set";
    case BF_CHANGE_LEFT: return "left";
    case BF_CHANGE_CONFLICT: return "conflict";
    default: return "?";
    }
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case BF_CHANGE_REG_VALUE: return "registry value";
    case BF_CHANGE_BCD_ELEMENT: return "bcd element";
    case BF_CHANGE_BCD_OBJECT: return "bcd object";
    case BF_CHANGE_KEY: return "registry key";
    default: return "?";
    }
}

static void print_json(const bf_run_result *r, int status, const bf_error *err)
{
    cli_json j;
    size_t i;
    cli_json_begin(&j, stdout);
    cli_json_object(&j, NULL);
    cli_json_str(&j, "command", r->title);
    cli_json_bool(&j, "dry_run", r->dry_run);
    cli_json_bool(&j, "ok", status == EXIT_OK);
    if (status != EXIT_OK)
        cli_json_str(&j, "error", err && err->msg[0] ? err->msg : bf_strerror(err ? err->code : -1));
    cli_json_array(&j, "found");
    for (i = 0; i < r->nfound; i++)
        cli_json_str(&j, NULL, r->found[i]);
    cli_json_end_array(&j);
    cli_json_array(&j, "changes");
    for (i = 0; i < r->nchanges; i++) {
        const bf_change *c = &r->changes[i];
        cli_json_object(&j, NULL);
        cli_json_str(&j, "kind", kind_name(c->kind));
        cli_json_str(&j, "state", state_name(c->state));
        cli_json_str(&j, "file", c->file);
        cli_json_str(&j, "where", c->where);
        cli_json_str(&j, "name", c->name);
        cli_json_str(&j, "old", c->old_text);
        cli_json_str(&j, "new", c->new_text);
        if (c->note)
            cli_json_str(&j, "note", c->note);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_uint(&j, "changed", r->nchanged);
    cli_json_array(&j, "warnings");
    for (i = 0; i < r->nwarnings; i++)
        cli_json_str(&j, NULL, r->warnings[i]);
    cli_json_end_array(&j);
    cli_json_array(&j, "written");
    for (i = 0; i < r->nwritten; i++)
        cli_json_str(&j, NULL, r->written[i]);
    cli_json_end_array(&j);
    cli_json_str(&j, "backup_dir", r->backup_dir);
    cli_json_str(&j, "journal", r->journal_path);
    if (r->output)
        cli_json_str(&j, "output", r->output);
    cli_json_str(&j, "next", r->next);
    cli_json_end_object(&j);
}

static void print_change(const bf_change *c)
{
    const char *name = c->name && c->name[0] ? c->name : NULL;
    printf("  %s%s%s%s%s: ", c->file ? c->file : "", c->file ? " " : "", c->where ? c->where : "",
           name ? " " : "", name ? name : "");
    switch (c->state) {
    case BF_CHANGE_CHANGED: printf("%s -> %s\n", c->old_text, c->new_text); break;
    case BF_CHANGE_ALREADY: printf("already set (%s)\n", c->new_text); break;
    case BF_CHANGE_LEFT: printf("left as %s (%s)\n", c->old_text, c->note ? c->note : ""); break;
    case BF_CHANGE_CONFLICT:
        printf("CONFLICT: %s (%s)\n", c->note ? c->note : "changed since", c->old_text);
        break;
    default: printf("?\n");
    }
}

static void print_text(const bf_run_result *r, int status)
{
    size_t i;
    if (!g_opt.quiet)
        for (i = 0; i < r->nfound; i++)
            printf("%s\n", r->found[i]);
    if (r->output && r->output[0])
        fputs(r->output, stdout);
    if (r->nchanges) {
        printf("%s%s:\n", r->title ? r->title : "changes",
               r->dry_run ? " (dry run: planned changes, nothing written)" : "");
        for (i = 0; i < r->nchanges; i++)
            if (!g_opt.quiet || r->changes[i].state != BF_CHANGE_ALREADY)
                print_change(&r->changes[i]);
    }
    for (i = 0; i < r->nwarnings; i++)
        printf("warning: %s\n", r->warnings[i]);
    if (status != EXIT_OK)
        return;
    if (r->dry_run)
        printf("%zu change%s planned; nothing written (--dry-run).\n", r->nchanged,
               r->nchanged == 1 ? "" : "s");
    else if (r->nchanged == 0)
        printf("Nothing to do: everything is already set; nothing written.\n");
    else {
        printf("%zu change%s written.\n", r->nchanged, r->nchanged == 1 ? "" : "s");
        for (i = 0; i < r->nwritten; i++)
            printf("  wrote %s\n", r->written[i]);
        if (r->backup_dir)
            printf("Backup and journal: %s\n", r->backup_dir);
    }
    if (r->next && !r->dry_run && !g_opt.quiet)
        printf("Next: %s\n", r->next);
}

int cli_print_run(const bf_run_result *res, int status, const bf_error *err)
{
    if (g_opt.json)
        print_json(res, status, err);
    else
        print_text(res, status);
    fflush(stdout);
    if (status != EXIT_OK)
        cli_fail(err); /* with --json too: scripts see the reason on stderr */
    return status;
}
