/*
 * killafter.c — run a command and SIGKILL it after a delay (crash-consistency
 * tests, tests/test_crash.sh).
 *
 *   killafter [-o OUT] MICROSECONDS CMD [ARGS...]
 *       start CMD; if it is still running MICROSECONDS after it was started,
 *       kill it with SIGKILL.  Prints one line: "killed" (the kill ended it),
 *       "exited N" (it ended by itself with status N) or "signal N" (another
 *       signal ended it).
 *   killafter [-o OUT] -w CMD [ARGS...]
 *       run CMD to its end and print "exited N MICROSECONDS" (or "signal N
 *       MICROSECONDS"): how long it ran, to choose delays from.
 *
 * CMD's standard output and error go to OUT (created or truncated; default
 * /dev/null), so that they never mix with the verdict.  Exit status 0 when
 * the verdict was printed, 2 on a usage error, 3 when CMD could not be
 * started or waited for.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLICE_US 100L /* how often we look whether the child already ended */

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void sleep_us(long long us)
{
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int usage(void)
{
    fprintf(stderr, "usage: killafter [-o OUT] MICROSECONDS CMD [ARGS...]\n"
                    "       killafter [-o OUT] -w CMD [ARGS...]\n");
    return 2;
}

/* waitpid, retried on EINTR; flags 0 or WNOHANG.  Returns its result. */
static pid_t wait_child(pid_t pid, int *status, int flags)
{
    pid_t r;
    do
        r = waitpid(pid, status, flags);
    while (r < 0 && errno == EINTR);
    return r;
}

static pid_t start(char **argv, const char *out)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "killafter: %s: %s\n", out, strerror(errno));
        _exit(127);
    }
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
        close(fd);
    execvp(argv[0], argv);
    fprintf(stderr, "killafter: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static void print_end(int status, const char *killed_word)
{
    if (WIFEXITED(status))
        printf("exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && killed_word)
        printf("%s", killed_word);
    else if (WIFSIGNALED(status))
        printf("signal %d", WTERMSIG(status));
    else
        printf("status %d", status);
}

int main(int argc, char **argv)
{
    const char *out = "/dev/null";
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
        out = argv[i + 1];
        i += 2;
    }
    if (i + 1 >= argc)
        return usage();
    int measure = strcmp(argv[i], "-w") == 0;
    long long delay = 0;
    if (!measure) {
        char *end;
        errno = 0;
        delay = strtoll(argv[i], &end, 10);
        if (errno || *end || end == argv[i] || delay < 0)
            return usage();
    }
    i++;
    long long t0 = now_us();
    pid_t pid = start(argv + i, out);
    if (pid < 0) {
        fprintf(stderr, "killafter: fork: %s\n", strerror(errno));
        return 3;
    }
    int status = 0;
    if (measure) {
        if (wait_child(pid, &status, 0) != pid) {
            fprintf(stderr, "killafter: waitpid: %s\n", strerror(errno));
            return 3;
        }
        long long took = now_us() - t0;
        print_end(status, NULL);
        printf(" %lld\n", took);
        return 0;
    }
    for (;;) {
        pid_t r = wait_child(pid, &status, WNOHANG);
        if (r == pid) { /* it ended before the delay */
            print_end(status, NULL);
            printf("\n");
            return 0;
        }
        if (r < 0) {
            fprintf(stderr, "killafter: waitpid: %s\n", strerror(errno));
            return 3;
        }
        long long left = delay - (now_us() - t0);
        if (left <= 0)
            break;
        sleep_us(left < SLICE_US ? left : SLICE_US);
    }
    kill(pid, SIGKILL);
    if (wait_child(pid, &status, 0) != pid) {
        fprintf(stderr, "killafter: waitpid: %s\n", strerror(errno));
        return 3;
    }
    /* it may have ended by itself between the last look and the kill */
    print_end(status, "killed");
    printf("\n");
    return 0;
}
