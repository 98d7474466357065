/* t_string.h -- pure helpers behind the string and bitmap commands.
 *
 * Owns: nothing. These functions do the arithmetic of GETRANGE, BITCOUNT,
 * BITPOS, INCR* and INCRBYFLOAT without touching the keyspace or the
 * `server` global, so unit tests drive them directly. t_string.c holds
 * the command handlers that use them. */
#ifndef VIGIL_NODE_T_STRING_H
#define VIGIL_NODE_T_STRING_H

#include <stdbool.h>
#include <stddef.h>

/* Room for any INCRBYFLOAT result ("%.17Lf" of the largest long double). */
#define STRING_LD_BUF 5120

/* Number of set bits in the n bytes at p. */
long long string_popcount(const unsigned char *p, size_t n);

/* Position of the first bit equal to bit (0 or 1) in the n bytes at p,
 * bit 0 being the most significant bit of p[0]. When there is none: -1 if
 * bit is 1, n * 8 if bit is 0 (the string is taken as zero padded). */
long long string_bitpos(const unsigned char *p, size_t n, int bit);

/* GETRANGE's index rules over a len-byte string: negative indexes count
 * from the end, both ends are clamped. Returns false when the range is
 * empty; true with [*from, *to] (inclusive) inside the string. */
bool string_range(long long start, long long end, size_t len, size_t *from, size_t *to);

/* BITCOUNT key start end [BYTE|BIT]: set bits in the range, whose ends
 * are byte indexes (isbit false) or bit indexes (isbit true). */
long long string_bitcount_range(const unsigned char *p, size_t len, long long start, long long end,
                                bool isbit);

/* BITPOS key bit start [end [BYTE|BIT]]: the first bit equal to bit in the
 * range, or -1. end_given false means "to the end of the string", where a
 * search for 0 in all-ones bytes answers the first bit past the string. */
long long string_bitpos_range(const unsigned char *p, size_t len, int bit, long long start,
                              long long end, bool end_given, bool isbit);

/* a + b for INCRBY/DECRBY. Returns false (and leaves *out) on overflow. */
bool string_add_ll(long long a, long long b, long long *out);

/* INCRBYFLOAT: format a + b as Redis stores it ("10.5", "3", "5000") into
 * dst (cap >= STRING_LD_BUF). Returns the length, or -1 when the sum is
 * NaN or infinite. */
int string_add_ld(long double a, long double b, char *dst, size_t cap);

#endif
