/* test_t_string.c -- unit tests for the pure helpers of t_string.c.
 *
 * Range helpers are checked exhaustively against naive bit-by-bit
 * versions written here from the documented Redis rules. */
#include <criterion/criterion.h>

#include <limits.h>
#include <string.h>

#include "t_string.h"

static int bit_at(const unsigned char *p, long long i) {
    return (p[i >> 3] >> (7 - (i & 7))) & 1;
}

/* Redis' index normalisation, shared by the naive versions. */
static int naive_clamp(long long *s, long long *e, long long total) {
    if (*s < 0) *s += total;
    if (*e < 0) *e += total;
    if (*s < 0) *s = 0;
    if (*e < 0) *e = 0;
    if (*e >= total) *e = total - 1;
    return *s <= *e;
}

static long long naive_bitcount(const unsigned char *p, size_t len, long long s, long long e,
                                int isbit) {
    if (s < 0 && e < 0 && s > e) return 0;
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!naive_clamp(&s, &e, total)) return 0;
    long long sb = isbit ? s : s * 8, eb = isbit ? e : e * 8 + 7, n = 0;
    for (long long i = sb; i <= eb; i++)
        n += bit_at(p, i);
    return n;
}

static long long naive_bitpos(const unsigned char *p, size_t len, int bit, long long s, long long e,
                              int end_given, int isbit) {
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!naive_clamp(&s, &e, total)) return -1;
    long long sb = isbit ? s : s * 8, eb = isbit ? e : e * 8 + 7;
    for (long long i = sb; i <= eb; i++)
        if (bit_at(p, i) == bit) return i;
    return (bit == 0 && !end_given) ? eb + 1 : -1;
}

static const unsigned char samples[][5] = {
    {0x00, 0x00, 0x00, 0x00, 0x00}, {0xff, 0xff, 0xff, 0xff, 0xff}, {0x80, 0x01, 0x00, 0xf0, 0x0f},
    {0x7f, 0xff, 0xfe, 0x00, 0x01}, {0x00, 0x10, 0x00, 0x00, 0x80}, {0xff, 0xef, 0xff, 0xff, 0x7f},
};

Test(t_string, popcount_counts_all_bits) {
    unsigned char buf[37];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    long long want = 0;
    for (size_t i = 0; i < sizeof(buf) * 8; i++)
        want += bit_at(buf, (long long)i);
    cr_assert_eq(string_popcount(buf, sizeof(buf)), want);
    cr_assert_eq(string_popcount(buf, 0), 0);
    cr_assert_eq(string_popcount((const unsigned char *)"foobar", 6), 26);
}

Test(t_string, bitpos_finds_first_bit_across_words) {
    unsigned char buf[40];
    memset(buf, 0, sizeof(buf));
    cr_assert_eq(string_bitpos(buf, sizeof(buf), 1), -1);
    cr_assert_eq(string_bitpos(buf, sizeof(buf), 0), 0);
    buf[33] = 0x20;
    cr_assert_eq(string_bitpos(buf, sizeof(buf), 1), 33 * 8 + 2);
    memset(buf, 0xff, sizeof(buf));
    cr_assert_eq(string_bitpos(buf, sizeof(buf), 0), 40 * 8, "all ones: first bit past the end");
    buf[17] = 0xfe;
    cr_assert_eq(string_bitpos(buf, sizeof(buf), 0), 17 * 8 + 7);
    cr_assert_eq(string_bitpos(buf + 1, 3, 0), 24, "unaligned start");
}

Test(t_string, range_follows_getrange_rules) {
    size_t from, to;
    cr_assert(string_range(0, -1, 11, &from, &to));
    cr_assert_eq(from, 0);
    cr_assert_eq(to, 10);
    cr_assert(string_range(-3, -1, 11, &from, &to));
    cr_assert_eq(from, 8);
    cr_assert(string_range(5, 100, 11, &from, &to));
    cr_assert_eq(to, 10);
    cr_assert(!string_range(-1, -5, 11, &from, &to), "inverted negative range is empty");
    cr_assert(!string_range(0, -1, 0, &from, &to), "empty string");
    cr_assert(!string_range(20, 30, 11, &from, &to));
    cr_assert(string_range(-100, 0, 11, &from, &to));
    cr_assert_eq(from, 0);
    cr_assert_eq(to, 0);
    cr_assert(string_range(LLONG_MIN, LLONG_MAX, 3, &from, &to));
    cr_assert_eq(to, 2);
}

Test(t_string, bitcount_range_matches_naive_for_every_range) {
    for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
        for (size_t len = 0; len <= 5; len++) {
            for (long long s = -45; s <= 45; s++) {
                for (long long e = -45; e <= 45; e++) {
                    for (int isbit = 0; isbit <= 1; isbit++) {
                        long long got = string_bitcount_range(samples[k], len, s, e, isbit);
                        long long want = naive_bitcount(samples[k], len, s, e, isbit);
                        cr_assert_eq(got, want,
                                     "sample %zu len %zu [%lld,%lld] bit=%d: %lld != %lld", k, len,
                                     s, e, isbit, got, want);
                    }
                }
            }
        }
    }
}

Test(t_string, bitpos_range_matches_naive_for_every_range) {
    for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
        for (size_t len = 0; len <= 5; len++) {
            for (long long s = -45; s <= 45; s++) {
                for (long long e = -45; e <= 45; e++) {
                    for (int v = 0; v < 8; v++) {
                        int bit = v & 1, isbit = (v >> 1) & 1, given = (v >> 2) & 1;
                        long long got =
                            string_bitpos_range(samples[k], len, bit, s, e, given, isbit);
                        long long want = naive_bitpos(samples[k], len, bit, s, e, given, isbit);
                        cr_assert_eq(got, want,
                                     "sample %zu len %zu bit %d [%lld,%lld] unit %d end %d", k, len,
                                     bit, s, e, isbit, given);
                    }
                }
            }
        }
    }
}

Test(t_string, bitpos_range_redis_examples) {
    const unsigned char *s = (const unsigned char *)"\xff\xf0\x00";
    cr_assert_eq(string_bitpos_range(s, 3, 0, 0, -1, false, false), 12);
    const unsigned char *t = (const unsigned char *)"\x00\xff\xf0";
    cr_assert_eq(string_bitpos_range(t, 3, 1, 2, -1, false, false), 16);
    cr_assert_eq(string_bitpos_range(t, 3, 1, 7, 15, true, true), 8);
    const unsigned char *ones = (const unsigned char *)"\xff\xff";
    cr_assert_eq(string_bitpos_range(ones, 2, 0, 0, -1, false, false), 16);
    cr_assert_eq(string_bitpos_range(ones, 2, 0, 0, -1, true, false), -1);
}

Test(t_string, add_ll_detects_overflow) {
    long long out = 7;
    cr_assert(!string_add_ll(LLONG_MAX, 1, &out));
    cr_assert_eq(out, 7, "unchanged on overflow");
    cr_assert(!string_add_ll(LLONG_MIN, -1, &out));
    cr_assert(string_add_ll(LLONG_MAX, 0, &out));
    cr_assert_eq(out, LLONG_MAX);
    cr_assert(string_add_ll(LLONG_MIN, LLONG_MAX, &out));
    cr_assert_eq(out, -1);
    cr_assert(string_add_ll(-5, 3, &out));
    cr_assert_eq(out, -2);
}

static void expect_ld(long double a, long double b, const char *want) {
    char out[STRING_LD_BUF];
    int n = string_add_ld(a, b, out, sizeof(out));
    cr_assert_eq(n, (int)strlen(want), "%Lg + %Lg: got '%s', want '%s'", a, b, out, want);
    cr_assert_str_eq(out, want);
}

Test(t_string, add_ld_formats_like_redis) {
    expect_ld(10, 0.5L, "10.5");
    expect_ld(3, 0, "3");
    expect_ld(5.0e3L, 0, "5000");
    expect_ld(-1, 0.5L, "-0.5");
    expect_ld(1, -1, "0");
    expect_ld(-0.0L, 0, "0");
    expect_ld(0.1L, 0.2L, "0.3");
    char out[STRING_LD_BUF];
    cr_assert_eq(string_add_ld(1.0L / 0.0L, 1, out, sizeof(out)), -1, "infinity refused");
    cr_assert_eq(string_add_ld(1.0L / 0.0L, -1.0L / 0.0L, out, sizeof(out)), -1, "NaN refused");
}
