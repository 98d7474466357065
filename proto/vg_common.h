/* vg_common.h -- project-wide basics: status codes, the error value, asserts.
 *
 * Owns: nothing at run time. Every module includes this for VG_OK/VG_ERR,
 * the vg_error out-parameter, VG_ASSERT for broken invariants and the one
 * monotonic clock (vg_mono_us). */
#ifndef VIGIL_PROTO_VG_COMMON_H
#define VIGIL_PROTO_VG_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define VG_OK 0
#define VG_ERR (-1)

/* An error ready to send as a Redis error reply ("ERR ...", "WRONGTYPE ..."). */
typedef struct vg_error {
    char msg[256]; /* reply text without the leading '-' */
} vg_error;

/* A borrowed byte range: valid as long as whoever lent it says. */
typedef struct vg_slice {
    char *ptr;  /* borrowed */
    size_t len; /* bytes at ptr */
} vg_slice;

void vg_error_set(vg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Monotonic clock in microseconds: for durations and deadlines, never dates. */
int64_t vg_mono_us(void);

void vg_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#define VG_ASSERT(e) ((e) ? (void)0 : vg_assert_fail(#e, __FILE__, __LINE__))
#define VG_UNUSED(x) (void)(x)
#define VG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
