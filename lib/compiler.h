/* Compiler attributes used across libbootfix and the CLI.  Not installed.
 *
 * BF_PRINTF(f, a): the function takes a printf format as argument f and its
 * arguments from a on, so the compiler checks every call.  mingw-w64 builds
 * use the C99 printf of its own runtime (__USE_MINGW_ANSI_STDIO, for %zu and
 * %lld), whose format archetype is gnu_printf rather than the default
 * ms_printf of that target. */
#ifndef BOOTFIX_COMPILER_H
#define BOOTFIX_COMPILER_H

#if defined(__MINGW32__)
#define BF_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define BF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define BF_PRINTF(f, a)
#endif

#endif
