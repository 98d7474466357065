/* criterion.h -- the subset of criterion's API our unit tests use, for the
 * ThreadSanitizer build only (-DVIGIL_TSAN=ON).
 *
 * Owns: nothing at run time; it declares what runner.c implements. Why it
 * exists: criterion's runner maps its shared arena at addresses inside
 * TSan's shadow memory and crashes before the first test (upstream issue
 * 274), so under TSan the same tests/unit/test_*.c files compile against
 * this header instead. Supported: Test and TestSuite with .init, .fini and
 * .timeout; cr_assert, cr_assert_not, cr_assert_eq/neq/lt/leq/gt/geq,
 * cr_assert_null/not_null, cr_assert_str_eq/neq, cr_expect_eq/neq and
 * cr_expect_null, each
 * with an optional printf-style message. A test that uses anything else
 * fails to compile here, which is the signal to add it. As in criterion,
 * every test runs in its own forked process, so file-scope state does not
 * leak from one test into the next. */
#ifndef VIGIL_TESTS_TSAN_CRITERION_H
#define VIGIL_TESTS_TSAN_CRITERION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct crlite_opts {
    void (*init)(void); /* run before each test, or NULL */
    void (*fini)(void); /* run after each test (also after a failed assert), or NULL */
    double timeout;     /* seconds; 0: none */
} crlite_opts;

typedef struct crlite_test {
    const char *suite;        /* suite name, as written in Test() */
    const char *name;         /* test name */
    void (*fn)(void);         /* the test body */
    crlite_opts opts;         /* the test's own options; unset ones come from its suite */
    struct crlite_test *next; /* owned by the runner's sorted list */
} crlite_test;

typedef struct crlite_suite {
    const char *name;          /* suite name */
    crlite_opts opts;          /* defaults for the suite's tests */
    struct crlite_suite *next; /* owned by the runner's list */
} crlite_suite;

/* Called from constructors; borrow t and s for the life of the process. */
void crlite_add_test(crlite_test *t);
void crlite_add_suite(crlite_suite *s);
/* Report a failed check; a fatal one ends the test (its fini still runs). */
void crlite_fail(const char *file, int line, const char *expr, bool fatal, const char *fmt, ...);

#define CRLITE_ID(S, N, what) crlite_##S##_##N##_##what

#define Test(S, N, ...)                                                                            \
    static void CRLITE_ID(S, N, fn)(void);                                                         \
    static crlite_test CRLITE_ID(S, N, t) = {                                                      \
        .suite = #S, .name = #N, .fn = CRLITE_ID(S, N, fn), .opts = {__VA_ARGS__}};                \
    __attribute__((constructor)) static void CRLITE_ID(S, N, reg)(void) {                          \
        crlite_add_test(&CRLITE_ID(S, N, t));                                                      \
    }                                                                                              \
    static void CRLITE_ID(S, N, fn)(void)

#define TestSuite(S, ...)                                                                          \
    static crlite_suite crlite_##S##_suite = {.name = #S, .opts = {__VA_ARGS__}};                  \
    __attribute__((constructor)) static void crlite_##S##_suite_reg(void) {                        \
        crlite_add_suite(&crlite_##S##_suite);                                                     \
    }

/* The message is optional: "" glues onto a literal format or stands alone. */
#define CRLITE_CHECK(fatal, cond, expr, ...)                                                       \
    do {                                                                                           \
        if (!(cond)) crlite_fail(__FILE__, __LINE__, expr, fatal, "" __VA_ARGS__);                 \
    } while (0)

#define cr_assert(c, ...) CRLITE_CHECK(true, (c), #c, __VA_ARGS__)
#define cr_assert_not(c, ...) CRLITE_CHECK(true, !(c), "!(" #c ")", __VA_ARGS__)
#define cr_assert_eq(a, b, ...) CRLITE_CHECK(true, (a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) CRLITE_CHECK(true, (a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) CRLITE_CHECK(true, (a) < (b), #a " < " #b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) CRLITE_CHECK(true, (a) <= (b), #a " <= " #b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) CRLITE_CHECK(true, (a) > (b), #a " > " #b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) CRLITE_CHECK(true, (a) >= (b), #a " >= " #b, __VA_ARGS__)
#define cr_assert_null(p, ...) CRLITE_CHECK(true, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_assert_not_null(p, ...) CRLITE_CHECK(true, (p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...)                                                                \
    CRLITE_CHECK(true, strcmp((a), (b)) == 0, #a " equals " #b, __VA_ARGS__)
#define cr_assert_str_neq(a, b, ...)                                                               \
    CRLITE_CHECK(true, strcmp((a), (b)) != 0, #a " differs from " #b, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) CRLITE_CHECK(false, (a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) CRLITE_CHECK(false, (a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_expect_null(p, ...) CRLITE_CHECK(false, (p) == NULL, #p " == NULL", __VA_ARGS__)

#endif
