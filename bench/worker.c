/*
 * bench/worker.c — runs one workload of bench.h once and prints one line:
 *   seconds=S rss_kb=K keys=.. values=.. name_bytes=.. data_bytes=..
 *   data_sum=.. types=.. found=.. bytes=..
 * The driver (bench/run.sh) starts a fresh worker for every measured run,
 * so rss_kb (getrusage's peak resident size) is that run's alone.
 *
 *   worker walk IMPL HIVE...                 IMPL: bootfix, bootfix-visit, hivex, libregf
 *   worker lookup IMPL HIVE PATHS [HIVE PATHS]...  IMPL: bootfix, hivex, libregf
 *   worker edit IMPL IN OUT [IN OUT]...      IMPL: bootfix, hivex, copy
 *   worker replay bootfix HIVE
 *   worker paths HIVE N SEED OUT             (not timed: writes the lookup paths)
 *   worker run COMMAND ARGS...               a whole process: wall time and its peak RSS
 * Several HIVE/PATHS or IN/OUT pairs add up (the corpus's hives as one set).
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct timespec t0;
static double elapsed;

void bench_start(void) { clock_gettime(CLOCK_MONOTONIC, &t0); }

void bench_stop(void)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    elapsed += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static int usage(void)
{
    fprintf(stderr, "usage: worker walk|lookup|edit|replay|paths IMPL ARGS... (see bench/worker.c)\n");
    return 2;
}

typedef int (*walk_fn)(const char *, bench_tally *);
typedef int (*lookup_fn)(const char *, char *const *, size_t, bench_tally *);
typedef int (*edit_fn)(const char *, const char *, bench_tally *);

static walk_fn pick_walk(const char *impl)
{
    if (!strcmp(impl, "bootfix"))
        return walk_bootfix;
    if (!strcmp(impl, "bootfix-visit"))
        return walk_bootfix_visit;
    if (!strcmp(impl, "hivex"))
        return walk_hivex;
    if (!strcmp(impl, "libregf"))
        return walk_libregf;
    return NULL;
}

static lookup_fn pick_lookup(const char *impl)
{
    if (!strcmp(impl, "bootfix"))
        return lookup_bootfix;
    if (!strcmp(impl, "hivex"))
        return lookup_hivex;
    if (!strcmp(impl, "libregf"))
        return lookup_libregf;
    return NULL;
}

static edit_fn pick_edit(const char *impl)
{
    if (!strcmp(impl, "bootfix"))
        return edit_bootfix;
    if (!strcmp(impl, "hivex"))
        return edit_hivex;
    if (!strcmp(impl, "copy"))
        return copy_flush;
    return NULL;
}

/* The lines of a file, as an array of strings (one allocation each). */
static char **read_lines(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "worker: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char **v = NULL, *line = NULL;
    size_t cap = 0, lcap = 0;
    ssize_t len;
    *n = 0;
    while ((len = getline(&line, &lcap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = 0;
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv)
                break;
            v = nv;
        }
        v[(*n)++] = strdup(line);
    }
    free(line);
    fclose(f);
    return v;
}

/* Start a command, wait for it: wall time, and its peak RSS in t->found
 * (kB, from wait4's rusage of the child alone). */
static int run_process(char **cmd, bench_tally *t)
{
    bench_start();
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 1);
        execvp(cmd[0], cmd);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return 1;
    bench_stop();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "worker: %s failed (status 0x%x)\n", cmd[0], status);
        return 1;
    }
    t->found = (uint64_t)ru.ru_maxrss;
    return 0;
}

static int run(int argc, char **argv, bench_tally *t)
{
    const char *what = argv[1], *impl = argv[2];
    if (!strcmp(what, "walk")) {
        walk_fn fn = pick_walk(impl);
        if (!fn || argc < 4)
            return usage();
        for (int i = 3; i < argc; i++)
            if (fn(argv[i], t))
                return 1;
        return 0;
    }
    if (!strcmp(what, "lookup")) {
        lookup_fn fn = pick_lookup(impl);
        if (!fn || argc < 5 || (argc - 3) % 2)
            return usage();
        for (int i = 3; i < argc; i += 2) {
            size_t n;
            char **paths = read_lines(argv[i + 1], &n);
            if (!paths)
                return 1;
            int rc = fn(argv[i], paths, n, t);
            for (size_t k = 0; k < n; k++)
                free(paths[k]);
            free(paths);
            if (rc)
                return 1;
        }
        return 0;
    }
    if (!strcmp(what, "edit")) {
        edit_fn fn = pick_edit(impl);
        if (!fn || argc < 5 || (argc - 3) % 2)
            return usage();
        for (int i = 3; i < argc; i += 2) {
            bench_tally one;
            memset(&one, 0, sizeof one);
            remove(argv[i + 1]);
            if (fn(argv[i], argv[i + 1], &one))
                return 1;
            t->values += one.values;
            t->bytes += one.bytes;
        }
        return 0;
    }
    if (!strcmp(what, "run"))
        return run_process(argv + 2, t);
    if (!strcmp(what, "replay")) {
        if (strcmp(impl, "bootfix") || argc != 4)
            return usage();
        return replay_bootfix(argv[3], t) ? 1 : 0;
    }
    if (!strcmp(what, "paths")) {
        if (argc != 6)
            return usage();
        return paths_bootfix(argv[2], strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10), argv[5]) ? 1 : 0;
    }
    return usage();
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    bench_tally t;
    memset(&t, 0, sizeof t);
    int rc = run(argc, argv, &t);
    if (rc)
        return rc;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("seconds=%.6f rss_kb=%ld keys=%llu values=%llu name_bytes=%llu data_bytes=%llu data_sum=%llu "
           "types=%llu found=%llu bytes=%llu\n",
           elapsed, ru.ru_maxrss, (unsigned long long)t.keys, (unsigned long long)t.values,
           (unsigned long long)t.name_bytes, (unsigned long long)t.data_bytes, (unsigned long long)t.data_sum,
           (unsigned long long)t.types, (unsigned long long)t.found, (unsigned long long)t.bytes);
    return 0;
}
