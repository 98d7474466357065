/* vg_common.c -- the error value, the assert handler, the monotonic clock.
 *
 * Owns: nothing. vg_assert_fail logs where an invariant broke, then aborts. */
#include "vg_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void vg_error_set(vg_error *err, const char *fmt, ...) {
    if (err == NULL) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}

void vg_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "=== ASSERTION FAILED ===\n==> %s:%d '%s' is not true\n", file, line, expr);
    fflush(stderr);
    abort();
}

int64_t vg_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
