/*
 * lex.c — one line of an article's command block to words.
 *
 * On Windows a line goes through two parsers: cmd.exe (which handles `^`
 * escapes, redirections and `&`/`|` chains, and leaves quotes in place) and
 * then the program's C runtime (which splits the command line into argv:
 * blanks separate words outside quotes, quotes group and are removed).
 * Both are reproduced here for the forms the articles use, and everything
 * whose meaning would depend on the live system or on other programs is
 * refused (see internal.h for the decisions).
 */
#include "io/io.h"
#include "script/internal.h"

#include "hive/regfile_util.h"

#include <stdlib.h>
#include <string.h>

char *sc_strndup(const char *s, size_t n)
{
    char *d = bf_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int sc_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- cmd.exe's pass ---------------------------------------------------------------------- */

static const char *special_meaning(char c)
{
    switch (c) {
    case '<': return "an input redirection";
    case '>': return "an output redirection";
    case '|': return "a pipe";
    default: return "a command separator";
    }
}

int sc_cmd_pass(const char *line, size_t len, char **out, bf_error *err)
{
    rf_buf b = {0};
    size_t i;
    int inq = 0;

    *out = NULL;
    for (i = 0; i < len; i++) {
        char c = line[i];
        if (c == '\0') {
            rf_free(&b);
            return bf_fail(err, BF_ERR_INVALID, "the line holds a NUL byte");
        }
        if (c == '"') {
            inq = !inq;
            rf_putc(&b, (uint8_t)c);
        } else if (inq) {
            rf_putc(&b, (uint8_t)c);
        } else if (c == '^') {
            if (i + 1 >= len) {
                rf_free(&b);
                return bf_fail(err, BF_ERR_INVALID, "a '^' ends the line (cmd.exe would join the "
                               "next line to it): write the command on one line");
            }
            rf_putc(&b, (uint8_t)line[++i]);
        } else if (c == '<' || c == '>' || c == '|' || c == '&') {
            rf_free(&b);
            return bf_fail(err, BF_ERR_INVALID, "'%c' outside quotes is %s for cmd.exe, which "
                           "bootfix does not run (if it belongs to a placeholder of the article "
                           "such as <broken-system>, replace the placeholder; to pass it "
                           "literally, quote it or write ^%c)", c, special_meaning(c), c);
        } else {
            rf_putc(&b, (uint8_t)c);
        }
    }
    *out = rf_take_str(&b);
    if (!*out)
        return bf_fail(err, BF_ERR_NOMEM, "out of memory for a line");
    return BF_OK;
}

/* ---- the C runtime's split ------------------------------------------------------------------ */

static int words_push(sc_words *w, char *s, bf_error *err)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        char **v = bf_realloc(w->v, (cap + 1) * sizeof *v);
        if (!v) {
            free(s);
            return bf_fail(err, BF_ERR_NOMEM, "out of memory for the words of a line");
        }
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = s;
    w->v[w->n] = NULL;
    return BF_OK;
}

void sc_words_free(sc_words *w)
{
    size_t i;
    for (i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
    memset(w, 0, sizeof *w);
}

/* One word starting at s[*i] (not a blank). */
static int split_one(const char *s, size_t *i, rf_buf *b, bf_error *err)
{
    int inq = 0;
    size_t p = *i;

    while (s[p] && (inq || !is_blank(s[p]))) {
        if (s[p] == '\\') {
            size_t k = 0;
            while (s[p + k] == '\\')
                k++;
            if (s[p + k] == '"')
                return bf_fail(err, BF_ERR_INVALID, "a backslash stands right before a quote: "
                               "reg.exe and bcdedit read \\\" as a quote character that belongs "
                               "to the word, which is not what a path means (remove the trailing "
                               "backslash)");
            rf_put(b, s + p, k);
            p += k;
        } else if (s[p] == '"') {
            if (inq && s[p + 1] == '"') {
                rf_putc(b, '"');
                p += 2;
            } else {
                inq = !inq;
                p++;
            }
        } else {
            rf_putc(b, (uint8_t)s[p++]);
        }
    }
    if (inq)
        return bf_fail(err, BF_ERR_INVALID, "a quote is not closed");
    *i = p;
    return BF_OK;
}

int sc_split_words(const char *s, sc_words *w, bf_error *err)
{
    size_t i = 0;

    for (;;) {
        rf_buf b = {0};
        char *word;
        int rc;
        while (is_blank(s[i]))
            i++;
        if (!s[i])
            return BF_OK;
        rc = split_one(s, &i, &b, err);
        if (rc != BF_OK) {
            rf_free(&b);
            return rc;
        }
        word = rf_take_str(&b);
        if (!word)
            return bf_fail(err, BF_ERR_NOMEM, "out of memory for a word");
        if ((rc = words_push(w, word, err)) != BF_OK)
            return rc;
    }
}

int sc_lex(const char *line, size_t len, sc_words *w, bf_error *err)
{
    char *passed;
    int rc;

    memset(w, 0, sizeof *w);
    rc = sc_cmd_pass(line, len, &passed, err);
    if (rc != BF_OK)
        return rc;
    rc = sc_split_words(passed, w, err);
    free(passed);
    if (rc != BF_OK)
        sc_words_free(w);
    return rc;
}
