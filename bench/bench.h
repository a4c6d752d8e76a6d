/*
 * bench/bench.h — the workloads of `make bench`, one implementation per
 * library (impl_bootfix.c, impl_hivex.c, impl_libregf.c, impl_copy.c).
 *
 * Every function runs one workload once, in the worker process that
 * bench/worker.c starts for each measured run, and fills a bench_tally.
 * The timed part is between bench_start() and bench_stop(), which each
 * implementation calls itself (where depends on the workload, see below).
 * The tallies of the implementations must agree: the driver compares
 * them, so a reader that skipped or misread something is caught.
 *
 * Returns 0, or -1 after printing "IMPL: what failed" to stderr.
 */
#ifndef BOOTFIX_BENCH_H
#define BOOTFIX_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct bench_tally {
    uint64_t keys;       /* keys visited, the root included */
    uint64_t values;     /* values visited (walk), set (edit) */
    uint64_t name_bytes; /* UTF-8 bytes of every key name and value name */
    uint64_t data_bytes; /* bytes of value data */
    uint64_t data_sum;   /* sum over values of bench_data_sum(data) */
    uint64_t types;      /* sum over values of their type numbers */
    uint64_t found;      /* lookups: paths found */
    uint64_t bytes;      /* edit, copy: bytes of the file written */
} bench_tally;

/* Timing: monotonic clock, seconds between the two calls (worker.c). */
void bench_start(void);
void bench_stop(void);

/* A cheap function of every data byte (8 bytes at a time): cheap so that
 * it does not hide the differences between readers. */
static inline uint64_t bench_data_sum(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t s = len, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        s = (s << 1 | s >> 63) ^ w;
    }
    for (; i < len; i++)
        s = (s << 1 | s >> 63) ^ p[i];
    return s;
}

/* 1. open + full walk: every key, every value name, type and data byte.
 *    Timed: open to close.  Logs are not replayed (the file alone). */
int walk_bootfix(const char *hive, bench_tally *t);
int walk_bootfix_visit(const char *hive, bench_tally *t); /* bf_hive_walk, the visitor API */
int walk_hivex(const char *hive, bench_tally *t);
int walk_libregf(const char *hive, bench_tally *t);

/* 2. lookups of key paths ("A\b\C", relative to the root, case varied).
 *    Timed: the lookups only (after open).  t->found counts the paths found. */
int lookup_bootfix(const char *hive, char *const *paths, size_t n, bench_tally *t);
int lookup_hivex(const char *hive, char *const *paths, size_t n, bench_tally *t);
int lookup_libregf(const char *hive, char *const *paths, size_t n, bench_tally *t);

/* 3. open `in`, set the enable-dump values in Control\CrashControl of every
 *    ControlSetNNN key of the root (CrashDumpEnabled=1, DumpFile=
 *    "%SystemRoot%\MEMORY.DMP" REG_EXPAND_SZ, NMICrashDump=1), and write the
 *    hive to the new file `out` (t->values: values set, t->bytes: size of
 *    out).  Timed: open to the written file closed.  bootfix commits with
 *    its post-write verification; copy_flush is the lower bound: read `in`,
 *    write `out`, fsync. */
int edit_bootfix(const char *in, const char *out, bench_tally *t);
int edit_hivex(const char *in, const char *out, bench_tally *t);
int copy_flush(const char *in, const char *out, bench_tally *t);

/* 4. open with log replay (the .LOG1/.LOG2 beside `hive`) + full walk. */
int replay_bootfix(const char *hive, bench_tally *t);

/* Paths for workload 2: every key of `hive` except the root, n of them
 *    picked with `seed` (repeats allowed), letters' case flipped at random;
 *    one per line into `out`. */
int paths_bootfix(const char *hive, size_t n, uint64_t seed, const char *out);

/* "ControlSet" and exactly three digits, any case (the keys workload 3 edits). */
static inline int bench_is_control_set(const char *name)
{
    static const char cs[] = "controlset";
    if (strlen(name) != 13)
        return 0;
    for (int i = 0; i < 10; i++)
        if ((name[i] | 0x20) != cs[i])
            return 0;
    for (int i = 10; i < 13; i++)
        if (name[i] < '0' || name[i] > '9')
            return 0;
    return 1;
}

/* Deterministic pseudo-random numbers (splitmix64). */
static inline uint64_t bench_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#endif
