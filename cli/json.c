/*
 * json.c — the one JSON writer of the CLI (--json): nested objects and
 * arrays with escaped strings, written straight to a FILE.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static void indent(cli_json *j)
{
    int i;
    fputc('\n', j->f);
    for (i = 0; i < j->depth; i++)
        fputs("  ", j->f);
}

/* comma and newline before an item; the key if inside an object */
static void item(cli_json *j, const char *key)
{
    if (j->depth > 0) {
        if (j->count[j->depth])
            fputc(',', j->f);
        indent(j);
    }
    if (j->depth < CLI_JSON_MAXDEPTH)
        j->count[j->depth]++;
    if (key) {
        cli_json_string_raw(j->f, key);
        fputs(": ", j->f);
    }
}

void cli_json_string_raw(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    for (; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void open_(cli_json *j, const char *key, int c)
{
    item(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < CLI_JSON_MAXDEPTH)
        j->depth++;
    j->count[j->depth] = 0;
}

static void close_(cli_json *j, int c)
{
    int had = j->count[j->depth] > 0;
    if (j->depth > 0)
        j->depth--;
    if (had)
        indent(j);
    fputc(c, j->f);
    if (j->depth == 0)
        fputc('\n', j->f);
}

void cli_json_begin(cli_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}
void cli_json_object(cli_json *j, const char *key) { open_(j, key, '{'); }
void cli_json_array(cli_json *j, const char *key) { open_(j, key, '['); }
void cli_json_end_object(cli_json *j) { close_(j, '}'); }
void cli_json_end_array(cli_json *j) { close_(j, ']'); }

void cli_json_str(cli_json *j, const char *key, const char *v)
{
    item(j, key);
    if (v)
        cli_json_string_raw(j->f, v);
    else
        fputs("null", j->f);
}

void cli_json_uint(cli_json *j, const char *key, uint64_t v)
{
    item(j, key);
    fprintf(j->f, "%" PRIu64, v);
}

void cli_json_int(cli_json *j, const char *key, int64_t v)
{
    item(j, key);
    fprintf(j->f, "%" PRId64, v);
}

void cli_json_bool(cli_json *j, const char *key, int v)
{
    item(j, key);
    fputs(v ? "true" : "false", j->f);
}

void cli_json_null(cli_json *j, const char *key)
{
    item(j, key);
    fputs("null", j->f);
}
