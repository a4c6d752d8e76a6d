/*
 * test_faults.c — fault injection over every write command of the CLI.
 *
 * For each operation (every recipe, undo, script, reg add/delete/import,
 * bcdedit /store writes, and reg add on a dirty hive whose logs must be
 * replayed) the real CLI runs in-process (cli/main.c linked as bootfix_main)
 * in a forked child, on a fresh copy of a sample volume made by
 * tests/mkvolume.sh (global options default: backups on):
 *   1. once without injection: the reference (exit 0, its I/O operation and
 *      allocation counts, the tree it leaves);
 *   2. once per I/O operation N = 1 .. count, the N-th failing with EIO,
 *      EROFS, EACCES or ENOSPC in turn (lib/io/io.h bf_io_fail_at);
 *   3. once per allocation N (all of the first 300, then evenly spaced points
 *      up to the last, 700 at most), the N-th returning NULL
 *      (bf_io_fail_alloc_at).
 * After every injected failure the volume must be in one of two states:
 *   old        every file and folder byte-identical to before the run (hives,
 *              their logs, the BCD store, backups, journals), no file or
 *              folder more or less; exit status non-zero; stderr names the
 *              error (strerror of the injected errno; "out of memory" or
 *              strerror(ENOMEM)) and, for I/O failures, a path of the volume;
 *   completed  the tree the reference run left: the same paths (digits of
 *              time stamps normalised), every changed hive/store equal to the
 *              reference's by the libregf and hivex walks, backup copies
 *              byte-identical to the originals, journals equal to the
 *              reference's up to digits, every other file byte-identical;
 *              exit status 0, or non-zero only with "written, but" in stderr
 *              (the directory flush after a single-file commit failed).
 * Anything else, a crash, a sanitizer report or a leak (checked after every
 * I/O point and every 8th allocation point) is a failure naming the
 * operation, N, the errno and the differing path ("FAULT" lines, the first
 * few of each kind).  Each operation prints one line
 *   faults: <op>: <k> I/O failure points (of <n>), <m> allocation failure
 *   points (of <n>), <o> left files old, <c> completed (...)
 * and one "WRONG" line per kind of wrong outcome.
 *
 * The volumes live under $BOOTFIX_FAULTS_TMP, else /dev/shm, else $TMPDIR.
 * BOOTFIX_FAULTS_ONLY="<op>" runs one operation only (debugging).
 */
#include "common/corpus.h"
#include "common/files.h"
#include "common/oracle.h"
#include "common/runner.h"
#include "io/io.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define HAVE_LSAN 1
/* A small quarantine: this program forks thousands of times, and copying a
 * parent holding the default 256 MB of freed memory made every fork (and
 * the whole test) twice as slow.  $ASAN_OPTIONS still overrides it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=8"; }
#endif

int bootfix_main(int argc, char **argv);

#define ALLOC_ALL 300u    /* every allocation point up to this one */
#define ALLOC_MAX 700u    /* at most this many allocation runs per operation */
#define MAX_REPORTS 3     /* failure messages printed per kind and operation */
#define MAX_ARGS 24
#define LEAK_EVERY 8      /* leak check after every I/O point, every 8th allocation point */

static char g_base[4096];   /* temporary folder of the whole program */
static char g_sample[4200]; /* the volume made by mkvolume.sh */
static char g_dirty[4200];  /* a folder with a dirty hive and its logs ("" = no corpus) */

/* ---- a snapshot of a folder tree ------------------------------------------------------ */

typedef struct entry {
    char *rel;     /* path relative to the root, '/'-separated */
    int is_dir;
    uint8_t *data; /* files */
    size_t len;
} entry;

typedef struct tree {
    entry *e;
    size_t n, cap;
} tree;

static void tree_add(tree *t, const char *rel, int is_dir, uint8_t *data, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->e = realloc(t->e, t->cap * sizeof *t->e);
        ck_assert(t->e != NULL);
    }
    t->e[t->n].rel = strdup(rel);
    ck_assert(t->e[t->n].rel != NULL);
    t->e[t->n].is_dir = is_dir;
    t->e[t->n].data = data;
    t->e[t->n].len = len;
    t->n++;
}

static void tree_free(tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->e[i].rel);
        free(t->e[i].data);
    }
    free(t->e);
    memset(t, 0, sizeof *t);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->rel, ((const entry *)b)->rel);
}

/* Every folder and regular file under root/rel (depth-limited; the volumes
 * are our own). */
static void scan_dir(tree *t, const char *root, const char *rel, int depth)
{
    char dir[8192];
    ck_assert_int_lt(depth, 32);
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot list %s", dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char r[4096], p[8192];
        struct stat st;
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        snprintf(p, sizeof p, "%s/%s", root, r);
        ck_assert_msg(lstat(p, &st) == 0, "cannot stat %s", p);
        if (S_ISDIR(st.st_mode)) {
            tree_add(t, r, 1, NULL, 0);
            scan_dir(t, root, r, depth + 1);
        } else {
            size_t len = 0;
            uint8_t *b = S_ISREG(st.st_mode) ? test_slurp(p, &len) : NULL;
            ck_assert_msg(b != NULL, "%s: not a readable regular file", p);
            tree_add(t, r, 0, b, len);
        }
    }
    closedir(d);
}

static void tree_scan(tree *t, const char *root)
{
    memset(t, 0, sizeof *t);
    scan_dir(t, root, "", 0);
    if (t->n)
        qsort(t->e, t->n, sizeof *t->e, entry_cmp);
}

/* Make root hold exactly the tree (parents sort before their contents). */
static void tree_restore(const tree *t, const char *root)
{
    char p[8192];
    test_rm_tree(root);
    ck_assert_msg(mkdir(root, 0755) == 0, "cannot create %s", root);
    for (size_t i = 0; i < t->n; i++) {
        snprintf(p, sizeof p, "%s/%s", root, t->e[i].rel);
        if (t->e[i].is_dir)
            ck_assert_msg(mkdir(p, 0755) == 0, "cannot create %s", p);
        else
            test_put_file(p, t->e[i].data, t->e[i].len);
    }
}

static const entry *tree_find(const tree *t, const char *rel)
{
    entry key = {.rel = (char *)rel};
    return t->n ? bsearch(&key, t->e, t->n, sizeof *t->e, entry_cmp) : NULL;
}

/* Time stamps in backup names and journals: every run of digits becomes '#'. */
static char *digits_normalised(const char *s, size_t len)
{
    char *o = malloc(len + 1);
    ck_assert(o != NULL);
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (j == 0 || o[j - 1] != '#')
                o[j++] = '#';
        } else {
            o[j++] = s[i];
        }
    }
    o[j] = '\0';
    return o;
}

static int is_backup_path(const char *rel)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    if (strncmp(rel, "bootfix-backup/", 15) == 0)
        return strcmp(base, "journal.txt") != 0;
    size_t n = strlen(base);
    return strstr(base, ".bootfix-") != NULL && n > 4 && strcmp(base + n - 4, ".bak") == 0;
}

static int is_journal(const char *rel)
{
    const char *base = strrchr(rel, '/');
    return strcmp(base ? base + 1 : rel, "journal.txt") == 0;
}

/* The original a backup copy was made of: "D/X.bootfix-*.bak" -> "D/X";
 * "bootfix-backup/F/X" -> the one file named X outside the backups. */
static const entry *backup_source(const tree *pristine, const char *rel)
{
    char want[4096];
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    if (strncmp(rel, "bootfix-backup/", 15) != 0) {
        snprintf(want, sizeof want, "%s", rel);
        char *cut = strstr(want + (base - rel), ".bootfix-");
        *cut = '\0';
        return tree_find(pristine, want);
    }
    const entry *found = NULL;
    for (size_t i = 0; i < pristine->n; i++) {
        const entry *e = &pristine->e[i];
        const char *b = strrchr(e->rel, '/');
        b = b ? b + 1 : e->rel;
        if (!e->is_dir && !is_backup_path(e->rel) && strcmp(b, base) == 0) {
            ck_assert_msg(found == NULL, "backup %s: two originals named %s", rel, base);
            found = e;
        }
    }
    return found;
}

/* ---- running the CLI in a child ------------------------------------------------------- */

typedef struct run_result {
    int rc;        /* exit status, or -1 when killed */
    int sig;
    int leaked;    /* LeakSanitizer found unreachable memory */
    unsigned long ios, allocs;
    char *out, *err;
} run_result;

static void run_result_free(run_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static char *slurp_text(const char *path)
{
    size_t len = 0;
    uint8_t *b = test_slurp(path, &len);
    if (!b)
        return strdup("");
    char *s = realloc(b, len + 1);
    ck_assert(s != NULL);
    s[len] = '\0';
    return s;
}

/* Run `bootfix args...` with the io_n-th I/O operation failing with io_errno
 * and the alloc_n-th allocation failing (0: none). */
static void run_cli(const char *work, char **args, int nargs, unsigned long io_n, int io_errno,
                    unsigned long alloc_n, int leak_check, run_result *r)
{
    char outp[4200], errp[4200];
    int fds[2];
    memset(r, 0, sizeof *r);
    snprintf(outp, sizeof outp, "%s/cli.out", work);
    snprintf(errp, sizeof errp, "%s/cli.err", work);
    ck_assert(pipe(fds) == 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(120);
        char *argv[MAX_ARGS + 2];
        argv[0] = strdup("bootfix");
        for (int i = 0; i < nargs; i++)
            argv[i + 1] = strdup(args[i]);
        argv[nargs + 1] = NULL;
        bf_io_fail_at(io_n, io_n ? io_errno : 0);
        bf_io_fail_alloc_at(alloc_n);
        (void)leak_check;
    int rc = bootfix_main(nargs + 1, argv);
        unsigned long counts[3] = {bf_io_fail_at(0, 0), bf_io_fail_alloc_at(0), 0};
        for (int i = 0; i <= nargs; i++)
            free(argv[i]);
        fflush(stdout);
        fflush(stderr);
#ifdef HAVE_LSAN
        if (leak_check)
            counts[2] = (unsigned long)__lsan_do_recoverable_leak_check();
        fflush(stderr);
#endif
        if (write(fds[1], counts, sizeof counts) != (ssize_t)sizeof counts)
            _exit(121);
        _exit(rc & 0xff);
    }
    close(fds[1]);
    unsigned long counts[3] = {0, 0, 0};
    ssize_t got = read(fds[0], counts, sizeof counts);
    close(fds[0]);
    int st = 0;
    ck_assert(waitpid(pid, &st, 0) == pid);
    r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r->sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    if (got == (ssize_t)sizeof counts) {
        r->ios = counts[0];
        r->allocs = counts[1];
        r->leaked = counts[2] != 0;
    } else if (r->rc >= 0) {
        r->rc = -1; /* died before reporting (a sanitizer abort) */
    }
    r->out = slurp_text(outp);
    r->err = slurp_text(errp);
}

/* ---- operations ----------------------------------------------------------------------- */

typedef struct op_def {
    const char *name;
    int dirty;                  /* 1: the dirty hive with logs instead of the sample volume */
    const char *pre[MAX_ARGS];  /* a command run normally first (NULL-terminated) */
    const char *args[MAX_ARGS]; /* the operation; "@V" = volume folder, "@W" = work folder */
} op_def;

#define SYS "@V/Windows/System32/config/SYSTEM"
#define BCDF "@V/Boot/BCD"

static const op_def g_ops[] = {
    {"enable-dump", 0, {NULL}, {"enable-dump", "@V"}},
    {"serial-console on", 0, {NULL}, {"serial-console", "on", "@V"}},
    {"serial-console off", 0, {"serial-console", "on", "@V"}, {"serial-console", "off", "@V"}},
    {"safeboot on", 0, {NULL}, {"safeboot", "on", "@V"}},
    {"safeboot off", 0, {"safeboot", "on", "@V"}, {"safeboot", "off", "@V"}},
    {"debug-boot on", 0, {NULL}, {"debug-boot", "on", "@V"}},
    {"debug-boot off", 0, {"debug-boot", "on", "@V"}, {"debug-boot", "off", "@V"}},
    {"undo", 0, {"enable-dump", "@V"}, {"undo", "@V"}},
    {"script", 0, {NULL}, {"script", "@W/faults.cmd", "@V"}},
    {"reg add", 0, {NULL},
     {"reg", "add", SYS, "ControlSet001\\Control\\CrashControl", "/v", "NMICrashDump", "/t", "REG_DWORD", "/d",
      "1", "/f"}},
    {"reg delete", 0, {NULL},
     {"reg", "delete", SYS, "ControlSet001\\Control\\CrashControl", "/v", "AutoReboot", "/f"}},
    {"reg import", 0, {NULL}, {"reg", "import", SYS, "@W/faults.reg"}},
    {"bcdedit /set", 0, {NULL}, {"bcdedit", "/store", BCDF, "/set", "{bootmgr}", "timeout", "7"}},
    {"bcdedit /create", 0, {NULL},
     {"bcdedit", "/store", BCDF, "/create", "{c0000000-0000-4000-8000-000000000002}", "/d", "x", "/application",
      "osloader"}},
    {"bcdedit /deletevalue", 0, {NULL}, {"bcdedit", "/store", BCDF, "/deletevalue", "{bootmgr}", "timeout"}},
    {"reg add (dirty hive + logs)", 1, {NULL},
     {"reg", "add", "@V/NewDirtyHive", "FaultTest", "/v", "X", "/t", "REG_DWORD", "/d", "1", "/f"}},
};
#define NOPS (sizeof g_ops / sizeof g_ops[0])

/* The kinds of wrong outcome, counted per operation. */
enum wrong_kind { W_CRASH, W_LEAK, W_BETWEEN, W_LEFT, W_EXIT0, W_EXIT, W_MSG, W_PATH, W_REACH, W_KINDS };
static const char *const g_kind_names[W_KINDS] = {
    "crash", "leak", "in between", "left backups or folders behind", "exit 0 without writing",
    "completed with failing exit", "message lacks the error", "message lacks a path", "not reached",
};

/* Everything one operation's runs share. */
typedef struct fault_ctx {
    const op_def *op;
    char work[4200], vol[4300];
    char *argv[MAX_ARGS];
    int argc;
    tree pristine;     /* before the operation */
    tree done;         /* after the reference run */
    oracle_walk *walk_regf[16], *walk_hivex[16]; /* of the changed hives of `done`, by index */
    size_t walk_idx[16];
    size_t nwalks;
    char **norm_done;  /* normalised paths of `done`, sorted */
    int failures;
    int by_kind[W_KINDS];
    int old_states, completed_states;
    unsigned long leak_checked; /* runs checked for leaks */
} fault_ctx;

static void expand_args(fault_ctx *c, const char *const *in, char **out, int *n)
{
    *n = 0;
    for (int i = 0; i < MAX_ARGS && in[i]; i++) {
        char buf[8192];
        if (strncmp(in[i], "@V", 2) == 0)
            snprintf(buf, sizeof buf, "%s%s", c->vol, in[i] + 2);
        else if (strncmp(in[i], "@W", 2) == 0)
            snprintf(buf, sizeof buf, "%s%s", c->work, in[i] + 2);
        else
            snprintf(buf, sizeof buf, "%s", in[i]);
        out[(*n)++] = strdup(buf);
    }
}

static void report(fault_ctx *c, enum wrong_kind k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Count one wrong outcome; print the first few of each kind. */
static void report(fault_ctx *c, enum wrong_kind k, const char *fmt, ...)
{
    c->failures++;
    if (++c->by_kind[k] > MAX_REPORTS)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("FAULT %s: ", c->op->name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static int str_cmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **normalised_paths(const tree *t)
{
    char **v = calloc(t->n + 1, sizeof *v);
    ck_assert(v != NULL);
    for (size_t i = 0; i < t->n; i++) {
        char *s = digits_normalised(t->e[i].rel, strlen(t->e[i].rel));
        size_t n = strlen(s);
        v[i] = realloc(s, n + 3);
        ck_assert(v[i] != NULL);
        strcat(v[i], t->e[i].is_dir ? " d" : " f");
    }
    if (t->n)
        qsort(v, t->n, sizeof *v, str_cmp_p);
    return v;
}

static void free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int starts_regf(const entry *e) { return e->len >= 4 && memcmp(e->data, "regf", 4) == 0; }

/* The first difference between two trees ("" when byte-identical). */
static void tree_diff(const tree *a, const tree *b, char *why, size_t sz)
{
    size_t i = 0, j = 0;
    *why = '\0';
    while (i < a->n || j < b->n) {
        int k = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->e[i].rel, b->e[j].rel);
        if (k < 0) {
            snprintf(why, sz, "%s is missing", a->e[i].rel);
            return;
        }
        if (k > 0) {
            snprintf(why, sz, "%s is new", b->e[j].rel);
            return;
        }
        const entry *x = &a->e[i], *y = &b->e[j];
        if (x->is_dir != y->is_dir || x->len != y->len || (x->len && memcmp(x->data, y->data, x->len))) {
            snprintf(why, sz, "%s differs", x->rel);
            return;
        }
        i++;
        j++;
    }
}

/* The walks of one hive; 0 when both readers read it. */
static int walk_hive(const char *path, oracle_walk **regf, oracle_walk **hx, char *why, size_t sz)
{
    char e1[ORACLE_ERRSZ], e2[ORACLE_ERRSZ];
    *regf = oracle_walk_libregf(path, e1);
    *hx = oracle_walk_hivex(path, e2);
    if (!*regf) {
        snprintf(why, sz, "%.1000s: libregf cannot read it: %.900s", path, e1);
        return 1;
    }
    return 0;
}

/* Is `now` the tree the reference run left?  "" in why when it is. */
static void check_completed(fault_ctx *c, const tree *now, char *why, size_t sz)
{
    char **norm = normalised_paths(now);
    *why = '\0';
    for (size_t i = 0; norm[i] || c->norm_done[i]; i++) {
        if (!norm[i] || !c->norm_done[i] || strcmp(norm[i], c->norm_done[i]) != 0) {
            snprintf(why, sz, "paths differ from the completed run's: '%s' where it has '%s'",
                     norm[i] ? norm[i] : "(end)", c->norm_done[i] ? c->norm_done[i] : "(end)");
            free_strv(norm);
            return;
        }
    }
    free_strv(norm);
    for (size_t i = 0; i < now->n && !*why; i++) {
        const entry *e = &now->e[i];
        if (e->is_dir)
            continue;
        const entry *orig = tree_find(&c->pristine, e->rel);
        if (orig && is_journal(e->rel)) {
            /* an existing journal (undo marks it undone): compare as text below */
            orig = NULL;
        }
        if (orig) {
            const entry *ref = tree_find(&c->done, e->rel);
            ck_assert(ref != NULL);
            int changed = ref->len != orig->len || memcmp(ref->data, orig->data, ref->len) != 0;
            if (!changed || !starts_regf(orig)) {
                if (e->len != ref->len || memcmp(e->data, ref->data, e->len) != 0)
                    snprintf(why, sz, "%s differs from the completed run's", e->rel);
                continue;
            }
            size_t w;
            for (w = 0; w < c->nwalks; w++)
                if (!strcmp(c->done.e[c->walk_idx[w]].rel, e->rel))
                    break;
            ck_assert(w < c->nwalks);
            char p[8192], diff[2048];
            oracle_walk *regf = NULL, *hx = NULL;
            snprintf(p, sizeof p, "%s/%s", c->vol, e->rel);
            if (walk_hive(p, &regf, &hx, why, sz) == 0) {
                if (oracle_compare(c->walk_regf[w], regf, ORACLE_CMP_DATA | ORACLE_CMP_CLASS, diff, sizeof diff))
                    snprintf(why, sz, "%s: libregf walk differs from the completed run's: %s", e->rel, diff);
                else if (c->walk_hivex[w] && !hx)
                    snprintf(why, sz, "%s: hivex cannot read it", e->rel);
                else if (hx && c->walk_hivex[w] &&
                         oracle_compare(c->walk_hivex[w], hx, ORACLE_CMP_DATA, diff, sizeof diff))
                    snprintf(why, sz, "%s: hivex walk differs from the completed run's: %s", e->rel, diff);
            }
            oracle_walk_free(regf);
            oracle_walk_free(hx);
            continue;
        }
        if (is_backup_path(e->rel)) {
            const entry *src = backup_source(&c->pristine, e->rel);
            if (!src)
                snprintf(why, sz, "backup %s: no original of that name", e->rel);
            else if (e->len != src->len || memcmp(e->data, src->data, e->len) != 0)
                snprintf(why, sz, "backup %s is not byte-identical to the original %s", e->rel, src->rel);
            continue;
        }
        /* a journal (new, or an existing one rewritten): the reference's up to digits */
        char *mine = digits_normalised(e->rel, strlen(e->rel));
        const entry *ref = NULL;
        for (size_t k = 0; k < c->done.n && !ref; k++) {
            char *r = digits_normalised(c->done.e[k].rel, strlen(c->done.e[k].rel));
            if (!c->done.e[k].is_dir && !strcmp(r, mine))
                ref = &c->done.e[k];
            free(r);
        }
        free(mine);
        if (!ref) {
            snprintf(why, sz, "%s: the completed run has no such file", e->rel);
            continue;
        }
        char *a = digits_normalised((const char *)e->data, e->len);
        char *b = digits_normalised((const char *)ref->data, ref->len);
        if (strcmp(a, b) != 0)
            snprintf(why, sz, "%s differs from the completed run's (up to digits)", e->rel);
        free(a);
        free(b);
    }
}

static const char *errno_name(int e)
{
    switch (e) {
    case ENOSPC: return "ENOSPC";
    case EIO: return "EIO";
    case EROFS: return "EROFS";
    case EACCES: return "EACCES";
    default: return "?";
    }
}

/* The message names the error: `want`, or (out of memory) strerror(ENOMEM). */
static int says_error(const char *err, const char *want, const char *alt)
{
    return strstr(err, want) != NULL || (alt && strstr(err, alt) != NULL);
}

/* When `now` is the old tree plus only backup copies byte-identical to their
 * originals (and folders), name them: a failed run left its backup behind. */
static void extra_backups_only(const fault_ctx *c, const tree *now, char *out, size_t sz)
{
    size_t used = 0;
    *out = '\0';
    for (size_t i = 0; i < c->pristine.n; i++)
        if (!tree_find(now, c->pristine.e[i].rel))
            return;
    for (size_t i = 0; i < now->n; i++) {
        const entry *e = &now->e[i], *old = tree_find(&c->pristine, e->rel);
        const entry *src = NULL;
        if (old) {
            if (old->is_dir != e->is_dir || old->len != e->len || (e->len && memcmp(old->data, e->data, e->len)))
                goto none;
            continue;
        }
        if (!e->is_dir) {
            src = is_backup_path(e->rel) ? backup_source(&c->pristine, e->rel) : NULL;
            if (!src || src->len != e->len || memcmp(src->data, e->data, e->len) != 0)
                goto none;
        }
        if (used < sz)
            used += (size_t)snprintf(out + used, sz - used, "%s%s%s", used ? ", " : "", e->rel, e->is_dir ? "/" : "");
    }
    return;
none:
    *out = '\0';
}

/* Files left old: a failing exit and a message naming the error (and, for
 * I/O failures, a path of the volume). */
static void judge_old(fault_ctx *c, const run_result *r, const char *what, int errnum, const char *want)
{
    c->old_states++;
    if (r->rc == 0)
        report(c, W_EXIT0, "%s: nothing written but exit status 0", what);
    else if (!says_error(r->err, want, errnum ? NULL : strerror(ENOMEM)))
        report(c, W_MSG, "%s: files left old, but the message does not say '%s': %.1000s", what, want, r->err);
    else if (errnum && !strstr(r->err, c->vol))
        report(c, W_PATH, "%s: files left old, but the message names no path of the volume: %.1000s", what,
               r->err);
}

/* Files changed: they must be the completed run's. */
static void judge_changed(fault_ctx *c, const run_result *r, const char *what, int errnum, const char *want,
                          const tree *now, const char *diff)
{
    char why[4096], extra[1024];
    check_completed(c, now, why, sizeof why);
    if (*why) {
        extra_backups_only(c, now, extra, sizeof extra);
        if (*extra)
            report(c, W_LEFT,
                   "%s: not written, but left %s behind (backups byte-identical to the originals, folders); "
                   "exit %d; stderr: %.1000s",
                   what, extra, r->rc, r->err);
        else
            report(c, W_BETWEEN, "%s: neither old (%s) nor completed (%s); exit %d; stderr: %.1000s", what, diff,
                   why, r->rc, r->err);
        return;
    }
    c->completed_states++;
    if (r->rc != 0 && !strstr(r->err, "written, but"))
        report(c, W_EXIT, "%s: completed but exit %d without \"written, but\": %.1000s", what, r->rc, r->err);
    else if (r->rc != 0 && !says_error(r->err, want, errnum ? NULL : strerror(ENOMEM)))
        report(c, W_MSG, "%s: completed, exit %d, but the message does not say '%s': %.1000s", what, r->rc, want,
               r->err);
}

/* Judge one injected run (errnum 0: an allocation failed). */
static void judge(fault_ctx *c, const run_result *r, const char *what, int errnum)
{
    char diff[4096];
    const char *want = errnum ? strerror(errnum) : "out of memory";
    if (r->sig || r->rc < 0 || r->rc > 2 || strstr(r->err, "ERROR: AddressSanitizer") ||
        strstr(r->err, "DEADLYSIGNAL") || strstr(r->err, "runtime error")) {
        report(c, W_CRASH, "%s: crashed (exit %d, signal %d): %.1500s", what, r->rc, r->sig, r->err);
        return;
    }
    if (r->leaked)
        report(c, W_LEAK, "%s: memory leaked: %.1500s", what, r->err);
    tree now;
    tree_scan(&now, c->vol);
    tree_diff(&c->pristine, &now, diff, sizeof diff);
    if (!*diff)
        judge_old(c, r, what, errnum, want);
    else
        judge_changed(c, r, what, errnum, want, &now, diff);
    tree_free(&now);
}

/* ---- the driver ----------------------------------------------------------------------- */

static void write_text_in(const char *dir, const char *name, const char *text)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    test_put_file(path, (const uint8_t *)text, strlen(text));
}

static void ctx_setup(fault_ctx *c, const op_def *op)
{
    memset(c, 0, sizeof *c);
    c->op = op;
    snprintf(c->work, sizeof c->work, "%s/op-XXXXXX", g_base);
    ck_assert(mkdtemp(c->work) != NULL);
    snprintf(c->vol, sizeof c->vol, "%s/v", c->work);
    write_text_in(c->work, "faults.cmd",
               "reg load HKLM\\BROKENSYSTEM F:\\windows\\system32\\config\\SYSTEM\r\n"
               "REG ADD \"HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl\" /v NMICrashDump"
               " /t REG_DWORD /d 1 /f\r\n"
               "bcdedit /store F:\\boot\\bcd /set {bootmgr} timeout 5\r\n"
               "reg unload HKLM\\BROKENSYSTEM\r\n");
    write_text_in(c->work, "faults.reg",
               "Windows Registry Editor Version 5.00\r\n\r\n"
               "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\faulttest]\r\n"
               "\"Start\"=dword:00000003\r\n"
               "\"ImagePath\"=hex(2):66,00,2e,00,73,00,79,00,73,00,00,00\r\n\r\n"
               "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\CrashControl]\r\n"
               "\"LogEvent\"=-\r\n");
    tree src;
    tree_scan(&src, op->dirty ? g_dirty : g_sample);
    tree_restore(&src, c->vol);
    tree_free(&src);
    if (op->pre[0]) {
        char *pre[MAX_ARGS];
        int n;
        run_result r;
        expand_args(c, op->pre, pre, &n);
        run_cli(c->work, pre, n, 0, 0, 0, 1, &r);
        ck_assert_msg(r.rc == 0, "%s: the precondition failed (exit %d): %s", op->name, r.rc, r.err);
        run_result_free(&r);
        for (int i = 0; i < n; i++)
            free(pre[i]);
    }
    tree_scan(&c->pristine, c->vol);
    expand_args(c, op->args, c->argv, &c->argc);
}

static void ctx_free(fault_ctx *c)
{
    for (size_t w = 0; w < c->nwalks; w++) {
        oracle_walk_free(c->walk_regf[w]);
        oracle_walk_free(c->walk_hivex[w]);
    }
    free_strv(c->norm_done);
    tree_free(&c->pristine);
    tree_free(&c->done);
    for (int i = 0; i < c->argc; i++)
        free(c->argv[i]);
    test_rm_tree(c->work);
}

/* The reference run: returns its counts. */
static void reference_run(fault_ctx *c, unsigned long *ios, unsigned long *allocs)
{
    run_result r;
    run_cli(c->work, c->argv, c->argc, 0, 0, 0, 1, &r);
    ck_assert_msg(r.rc == 0 && !r.leaked, "%s: the run without injection failed (exit %d, leak %d): %s",
                  c->op->name, r.rc, r.leaked, r.err);
    *ios = r.ios;
    *allocs = r.allocs;
    run_result_free(&r);
    tree_scan(&c->done, c->vol);
    char diff[4096];
    tree_diff(&c->pristine, &c->done, diff, sizeof diff);
    ck_assert_msg(*diff, "%s: the run without injection changed nothing", c->op->name);
    c->norm_done = normalised_paths(&c->done);
    for (size_t i = 0; i < c->done.n; i++) {
        const entry *e = &c->done.e[i], *orig = tree_find(&c->pristine, e->rel);
        if (e->is_dir || !orig || !starts_regf(orig) || is_backup_path(e->rel))
            continue;
        if (orig->len == e->len && memcmp(orig->data, e->data, e->len) == 0)
            continue;
        char p[8192], why[2048];
        ck_assert(c->nwalks < 16);
        snprintf(p, sizeof p, "%s/%s", c->vol, e->rel);
        size_t w = c->nwalks++;
        c->walk_idx[w] = i;
        ck_assert_msg(walk_hive(p, &c->walk_regf[w], &c->walk_hivex[w], why, sizeof why) == 0, "%s", why);
    }
    ck_assert_msg(c->nwalks > 0, "%s: the run without injection changed no hive", c->op->name);
}

static const int g_errnos[4] = {ENOSPC, EIO, EROFS, EACCES};

/* Every I/O failure point, errno cycling through ENOSPC, EIO, EROFS, EACCES. */
static unsigned long io_points(fault_ctx *c, unsigned long io_count)
{
    unsigned long done = 0;
    for (unsigned long n = 1; n <= io_count; n++) {
        int e = g_errnos[n % 4];
        char what[128];
        run_result r;
        snprintf(what, sizeof what, "I/O failure %lu of %lu (%s)", n, io_count, errno_name(e));
        tree_restore(&c->pristine, c->vol);
        run_cli(c->work, c->argv, c->argc, n, e, 0, 1, &r);
        c->leak_checked++;
        if (r.ios < n && r.rc >= 0 && !r.sig) {
            report(c, W_REACH, "%s: not reached (only %lu operations ran, exit %d)", what, r.ios, r.rc);
            run_result_free(&r);
            break;
        }
        done++;
        judge(c, &r, what, e);
        run_result_free(&r);
    }
    return done;
}

/* Allocation failure points: all up to ALLOC_ALL, then evenly spaced ones
 * up to the last, ALLOC_MAX in all. */
static unsigned long alloc_points(fault_ctx *c, unsigned long alloc_count)
{
    unsigned long done = 0;
    unsigned long planned = alloc_count <= ALLOC_MAX ? alloc_count : ALLOC_MAX;
    for (unsigned long k = 1; k <= planned; k++) {
        unsigned long n = k;
        if (alloc_count > ALLOC_MAX && k > ALLOC_ALL)
            n = ALLOC_ALL + (alloc_count - ALLOC_ALL) * (k - ALLOC_ALL) / (ALLOC_MAX - ALLOC_ALL);
        char what[128];
        run_result r;
        snprintf(what, sizeof what, "allocation failure %lu of %lu", n, alloc_count);
        tree_restore(&c->pristine, c->vol);
        run_cli(c->work, c->argv, c->argc, 0, 0, n, k % LEAK_EVERY == 0, &r);
        c->leak_checked += k % LEAK_EVERY == 0;
        if (r.allocs < n && r.rc >= 0 && !r.sig) {
            report(c, W_REACH, "%s: not reached (only %lu allocations ran, exit %d)", what, r.allocs, r.rc);
            run_result_free(&r);
            break;
        }
        done++;
        judge(c, &r, what, 0);
        run_result_free(&r);
    }
    return done;
}

static void fault_test(const op_def *op)
{
    fault_ctx c;
    struct timespec t0, t1;
    const char *only = getenv("BOOTFIX_FAULTS_ONLY");
    if (only && *only && strcmp(only, op->name) != 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (op->dirty && !*g_dirty) {
        corpus_skip_note("fault injection on a dirty hive with logs");
        return;
    }
    ctx_setup(&c, op);
    unsigned long io_count, alloc_count;
    reference_run(&c, &io_count, &alloc_count);
    unsigned long nio = io_points(&c, io_count);
    unsigned long nalloc = alloc_points(&c, alloc_count);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("faults: %s: %lu I/O failure points (of %lu), %lu allocation failure points (of %lu), "
           "%d left files old, %d completed (%lu runs leak-checked, %.1f s)\n",
           op->name, nio, io_count, nalloc, alloc_count, c.old_states, c.completed_states, c.leak_checked,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    for (int k = 0; k < W_KINDS; k++)
        if (c.by_kind[k])
            printf("faults: %s: WRONG: %d x %s\n", op->name, c.by_kind[k], g_kind_names[k]);
    fflush(stdout);
    int failures = c.failures;
    ctx_free(&c);
    ck_assert_msg(failures == 0, "%s: %d injected failures left a wrong state (see FAULT lines)", op->name,
                  failures);
}

START_TEST(test_fault_op) { fault_test(&g_ops[_i]); }
END_TEST

/* ---- setup ---------------------------------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    uint8_t *b = test_slurp(from, &len);
    if (!b) {
        fprintf(stderr, "test_faults: cannot read %s\n", from);
        exit(1);
    }
    FILE *f = fopen(to, "wb");
    if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "test_faults: cannot write %s\n", to);
        exit(1);
    }
    free(b);
}

/* Where the volumes go: $BOOTFIX_FAULTS_TMP, else /dev/shm when it is a
 * writable folder (every commit flushes files and folders; on a disk the
 * thousands of runs would mostly wait for those flushes), else $TMPDIR or
 * /tmp. */
static const char *scratch_dir(void)
{
    const char *t = getenv("BOOTFIX_FAULTS_TMP");
    struct stat st;
    if (t && *t)
        return t;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK | X_OK) == 0)
        return "/dev/shm";
    t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

static void make_volumes(void)
{
    const char *src = getenv("BOOTFIX_SRC");
    const char *bin = getenv("BOOTFIX");
    const char *tmp = scratch_dir();
    char binbuf[4096], cmd[16384];
    if (!src)
        src = ".";
    if (!bin || !*bin) {
        snprintf(binbuf, sizeof binbuf, "%s/build/asan/bootfix", src);
        bin = binbuf;
    }
    snprintf(g_base, sizeof g_base, "%s/bootfix-faults-XXXXXX", tmp);
    if (!mkdtemp(g_base)) {
        perror("test_faults: mkdtemp");
        exit(1);
    }
    snprintf(g_sample, sizeof g_sample, "%s/sample", g_base);
    snprintf(cmd, sizeof cmd, "sh '%s/tests/mkvolume.sh' '%s' '%s' >'%s/mkvolume.log' 2>&1", src, bin, g_sample,
             g_base);
    if (system(cmd) != 0) {
        fprintf(stderr, "test_faults: %s failed, see %s/mkvolume.log\n", cmd, g_base);
        exit(1);
    }
    /* a dirty hive (sequence numbers differ) whose logs hold data to replay */
    static const char *const dirty[] = {"NewDirtyHive", "NewDirtyHive.LOG1", "NewDirtyHive.LOG2"};
    g_dirty[0] = '\0';
    char *p0 = corpus_path("hives/yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive");
    if (p0) {
        snprintf(g_dirty, sizeof g_dirty, "%s/dirty", g_base);
        mkdir(g_dirty, 0755);
        for (size_t i = 0; i < 3; i++) {
            char from[8192], to[8192];
            snprintf(from, sizeof from, "%s/hives/yarp/hives_for_tests/NewDirtyHive1/%s", corpus_dir(), dirty[i]);
            snprintf(to, sizeof to, "%s/%s", g_dirty, dirty[i]);
            copy_file(from, to);
        }
        free(p0);
    }
}

int main(void)
{
    make_volumes();
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 900);
    tcase_add_loop_test(tc, test_fault_op, 0, (int)NOPS);
    suite_add_tcase(s, tc);
    int rc = test_run_suite(s);
    test_rm_tree(g_base);
    return rc;
}
