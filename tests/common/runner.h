/*
 * runner.h — the one way a test program runs its Check suite.
 */
#ifndef BOOTFIX_TESTS_RUNNER_H
#define BOOTFIX_TESTS_RUNNER_H

#include <check.h>

/* Run every test of `s` (CK_NORMAL output, whose "NN%: Checks:" line
 * tests/run-all.sh reads) and return the program's exit status. */
int test_run_suite(Suite *s);

#endif
