/* buf.h -- growable, binary-safe byte strings.
 *
 * Owns: the heap block behind each buf. A zeroed buf is empty and valid.
 * Data is always followed by a NUL byte (not counted in len) so C string
 * helpers can read it, but the content itself may hold NULs. */
#ifndef VIGIL_PROTO_BUF_H
#define VIGIL_PROTO_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* owned; NULL while cap == 0 */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated, excluding the trailing NUL */
} buf;

/* Capacity doubles below this size and grows by half above it. */
#define BUF_DOUBLE_MAX ((size_t)1 << 20)

void buf_init(buf *b);
void buf_free(buf *b);
/* Make room for at least extra more bytes. Aborts only if memory is exhausted.
 * Growth is geometric (see buf_next_cap), so n appends cost O(total) copying. */
void buf_reserve(buf *b, size_t extra);
/* The capacity buf_reserve moves to from cap when it needs need bytes:
 * the next geometric step, or need itself when that is larger. Pure. */
size_t buf_next_cap(size_t cap, size_t need);
void buf_append(buf *b, const void *p, size_t n);
void buf_append_str(buf *b, const char *s);
void buf_append_char(buf *b, char ch);
void buf_append_fmt(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_append_vfmt(buf *b, const char *fmt, va_list ap);
/* Insert n bytes at offset off (0 <= off <= len), shifting the tail. */
void buf_insert(buf *b, size_t off, const void *p, size_t n);
/* Drop the first n bytes. */
void buf_consume(buf *b, size_t n);
void buf_clear(buf *b);
/* Give back memory when the buffer is mostly idle capacity. */
void buf_shrink(buf *b);
void buf_swap(buf *a, buf *b);

/* Number formatting without printf: writes into dst (>= 21 bytes), returns length. */
int vg_ll2str(char *dst, long long v);
int vg_ull2str(char *dst, unsigned long long v);
/* Strict base-10 parse of the whole range: no spaces, no '+', no leading zeros
 * ("0" allowed), fits in long long. False (out untouched) if not. */
bool vg_str2ll(const char *s, size_t len, long long *out);
/* Parse a double the way Redis does for INCRBYFLOAT/ZADD: whole range, no
 * spaces, not NaN. False (out untouched) if not. */
bool vg_str2ld(const char *s, size_t len, long double *out);
bool vg_str2d(const char *s, size_t len, double *out);
/* Format a long double as Redis prints INCRBYFLOAT results (humanfriendly). */
int vg_ld2str(char *dst, size_t cap, long double v);
/* Format a double for replies (%.17g, inf/-inf). */
int vg_d2str(char *dst, size_t cap, double v);

#endif
