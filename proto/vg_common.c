/* vg_common.c -- the error value and the assert handler.
 *
 * Owns: nothing. vg_assert_fail logs where an invariant broke, then aborts. */
#include "vg_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
