/* test_buf.c -- unit tests for byte strings and number helpers (proto/buf.c).
 *
 * Owns: nothing shared. buf operations keep data NUL-terminated and
 * binary-safe; vg_str2ll is Redis' strict string2ll (no '+', no leading
 * zeros, no "-0", whole long long range); vg_ld2str prints as INCRBYFLOAT
 * does, with expected strings taken from redis-server 7.0.15. */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "vg_alloc.h"

static void check_nul(const buf *b) {
    if (b->data) cr_assert_eq(b->data[b->len], '\0', "data[len] must be NUL");
    cr_assert_leq(b->len, b->cap);
}

/* ---- buf ---- */

Test(buf, zeroed_buf_is_empty_and_free_is_safe) {
    buf b = {0};
    cr_assert_eq(b.len, 0);
    buf_free(&b);
    buf_free(&b);
    buf_clear(&b);
    buf_shrink(&b);
    buf_consume(&b, 10);
    cr_assert_null(b.data);
}

Test(buf, append_grows_and_stays_terminated) {
    buf b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++) {
        buf_append(&b, "abc", 3);
        check_nul(&b);
    }
    cr_assert_eq(b.len, 3000);
    cr_assert(memcmp(b.data + 2997, "abc", 3) == 0);
    buf_free(&b);
}

Test(buf, append_is_binary_safe) {
    buf b;
    buf_init(&b);
    buf_append(&b, "a\0b", 3);
    buf_append_char(&b, '\0');
    buf_append_str(&b, "cd");
    cr_assert_eq(b.len, 6);
    cr_assert(memcmp(b.data, "a\0b\0cd", 6) == 0);
    check_nul(&b);
    buf_free(&b);
}

Test(buf, append_zero_bytes_allocates_a_terminated_block) {
    buf b;
    buf_init(&b);
    buf_append(&b, NULL, 0);
    cr_assert_not_null(b.data);
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(b.data, "");
    buf_free(&b);
}

Test(buf, append_fmt_short_and_long) {
    buf b;
    buf_init(&b);
    buf_append_fmt(&b, "%d-%s", 42, "x");
    cr_assert_str_eq(b.data, "42-x");
    char big[1000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_append_fmt(&b, "[%s]", big);
    cr_assert_eq(b.len, 4 + 2 + 999);
    cr_assert_eq(b.data[4], '[');
    cr_assert_eq(b.data[b.len - 1], ']');
    check_nul(&b);
    buf_free(&b);
}

Test(buf, reserve_gives_room_without_changing_content) {
    buf b;
    buf_init(&b);
    buf_append_str(&b, "keep");
    buf_reserve(&b, 100000);
    cr_assert_geq(b.cap - b.len, 100000);
    cr_assert_str_eq(b.data, "keep");
    size_t cap = b.cap;
    buf_reserve(&b, 10);
    cr_assert_eq(b.cap, cap, "reserve within capacity must not reallocate");
    buf_free(&b);
}

Test(buf, next_cap_doubles_below_one_mib_then_grows_by_half) {
    cr_assert_eq(buf_next_cap(0, 1), 16);
    cr_assert_eq(buf_next_cap(16, 17), 32);
    cr_assert_eq(buf_next_cap(4096, 4097), 8192);
    cr_assert_eq(buf_next_cap(BUF_DOUBLE_MAX / 2, BUF_DOUBLE_MAX / 2 + 1), BUF_DOUBLE_MAX);
    cr_assert_eq(buf_next_cap(BUF_DOUBLE_MAX, BUF_DOUBLE_MAX + 1), BUF_DOUBLE_MAX * 3 / 2);
    cr_assert_eq(buf_next_cap(64u << 20, (64u << 20) + 1), 96u << 20,
                 "past 1 MiB the step is half the capacity, not a fixed 1 MiB");
}

Test(buf, next_cap_gives_a_big_need_exactly) {
    cr_assert_eq(buf_next_cap(16, 100000), 100000);
    cr_assert_eq(buf_next_cap(0, 3u << 20), 3u << 20);
    cr_assert_eq(buf_next_cap(2u << 20, 5u << 20), 5u << 20);
}

Test(buf, one_big_reserve_is_not_doubled) {
    buf b;
    buf_init(&b);
    buf_reserve(&b, 3u << 20);
    cr_assert_eq(b.cap, 3u << 20, "cap %zu: a known size is allocated exactly", b.cap);
    buf_free(&b);
}

/* 64 MiB appended 100 bytes at a time: few reallocations, linear copying
 * in total, and at most half the length again as slack. */
Test(buf, many_small_appends_copy_linearly) {
    buf b;
    buf_init(&b);
    char piece[100];
    memset(piece, 'r', sizeof(piece));
    size_t total = 64u << 20, grows = 0, copied = 0, cap = 0;
    while (b.len < total) {
        size_t before = b.len;
        buf_append(&b, piece, sizeof(piece));
        if (b.cap != cap) {
            grows++;
            copied += before; /* what a realloc may have to move */
            cap = b.cap;
        }
        if (b.len > 2 * BUF_DOUBLE_MAX) /* past the last doubling */
            cr_assert_leq(b.cap, b.len + b.len / 2 + sizeof(piece), "cap %zu len %zu", b.cap,
                          b.len);
    }
    cr_assert_lt(grows, 40, "%zu reallocations for 64 MiB", grows);
    cr_assert_leq(copied, 3 * b.len, "copied %zu bytes to build %zu", copied, b.len);
    check_nul(&b);
    buf_free(&b);
}

Test(buf, insert_at_start_middle_end) {
    buf b;
    buf_init(&b);
    buf_append_str(&b, "ace");
    buf_insert(&b, 1, "b", 1);
    buf_insert(&b, 3, "d", 1);
    buf_insert(&b, 0, ">", 1);
    buf_insert(&b, b.len, "<", 1);
    cr_assert_str_eq(b.data, ">abcde<");
    buf_insert(&b, 1000, "!", 1); /* past the end appends */
    cr_assert_str_eq(b.data, ">abcde<!");
    check_nul(&b);
    buf_free(&b);
}

Test(buf, consume_drops_a_prefix) {
    buf b;
    buf_init(&b);
    buf_append_str(&b, "hello world");
    buf_consume(&b, 6);
    cr_assert_str_eq(b.data, "world");
    cr_assert_eq(b.len, 5);
    buf_consume(&b, 0);
    cr_assert_str_eq(b.data, "world");
    buf_consume(&b, 100);
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(b.data, "");
    buf_free(&b);
}

Test(buf, clear_keeps_capacity) {
    buf b;
    buf_init(&b);
    buf_append_str(&b, "something");
    size_t cap = b.cap;
    buf_clear(&b);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.cap, cap);
    cr_assert_str_eq(b.data, "");
    buf_free(&b);
}

Test(buf, shrink_releases_idle_memory) {
    buf b;
    buf_init(&b);
    buf_reserve(&b, 100000);
    buf_append_str(&b, "tiny");
    buf_shrink(&b);
    cr_assert_lt(b.cap, 100000);
    cr_assert_str_eq(b.data, "tiny");
    buf_clear(&b);
    buf_reserve(&b, 8192);
    buf_shrink(&b);
    cr_assert_null(b.data, "an empty big buffer is freed");
    cr_assert_eq(b.cap, 0);
    /* Small buffers are left alone. */
    buf_append_str(&b, "x");
    size_t cap = b.cap;
    buf_shrink(&b);
    cr_assert_eq(b.cap, cap);
    buf_free(&b);
}

Test(buf, swap_exchanges_contents) {
    buf a, b;
    buf_init(&a);
    buf_init(&b);
    buf_append_str(&a, "first");
    buf_swap(&a, &b);
    cr_assert_eq(a.len, 0);
    cr_assert_str_eq(b.data, "first");
    buf_free(&a);
    buf_free(&b);
}

Test(buf, free_returns_memory_to_the_counter) {
    size_t before = vg_used_memory();
    buf b;
    buf_init(&b);
    buf_reserve(&b, 4096);
    cr_assert_gt(vg_used_memory(), before);
    buf_free(&b);
    cr_assert_eq(vg_used_memory(), before);
}

/* ---- integers ---- */

static void ll_ok(const char *s, long long want) {
    long long v = 12345;
    cr_assert(vg_str2ll(s, strlen(s), &v), "'%s' should parse", s);
    cr_assert_eq(v, want, "'%s' gave %lld", s, v);
}

static void ll_bad(const char *s, size_t len) {
    long long v = 12345;
    cr_assert_not(vg_str2ll(s, len, &v), "'%.*s' should be refused", (int)len, s);
    cr_assert_eq(v, 12345, "a refused parse must not write the output");
}

#define LL_BAD(lit) ll_bad(lit, sizeof(lit) - 1)

Test(numbers, str2ll_accepts_plain_integers) {
    ll_ok("0", 0);
    ll_ok("1", 1);
    ll_ok("-1", -1);
    ll_ok("1234567890", 1234567890LL);
    ll_ok("-987654321", -987654321LL);
}

Test(numbers, str2ll_accepts_the_whole_range) {
    ll_ok("9223372036854775807", LLONG_MAX);
    ll_ok("-9223372036854775807", -LLONG_MAX);
    ll_ok("-9223372036854775808", LLONG_MIN);
}

Test(numbers, str2ll_refuses_overflow) {
    LL_BAD("9223372036854775808");
    LL_BAD("-9223372036854775809");
    LL_BAD("18446744073709551615");
    LL_BAD("18446744073709551616");
    LL_BAD("99999999999999999999");
    LL_BAD("-99999999999999999999");
    LL_BAD("100000000000000000000");
}

Test(numbers, str2ll_refuses_sign_forms_redis_refuses) {
    LL_BAD("-0");
    LL_BAD("+1");
    LL_BAD("+0");
    LL_BAD("-");
    LL_BAD("+");
    LL_BAD("--1");
}

Test(numbers, str2ll_refuses_leading_zeros) {
    LL_BAD("00");
    LL_BAD("01");
    LL_BAD("-01");
    LL_BAD("0009");
}

Test(numbers, str2ll_refuses_junk_and_spaces) {
    LL_BAD("");
    LL_BAD(" 1");
    LL_BAD("1 ");
    LL_BAD("1a");
    LL_BAD("0x10");
    LL_BAD("1.0");
    LL_BAD("1e3");
    LL_BAD("1\0");
    LL_BAD("\0"
           "1");
}

Test(numbers, str2ll_reads_only_len_bytes) {
    long long v;
    cr_assert(vg_str2ll("123456", 3, &v));
    cr_assert_eq(v, 123);
}

Test(numbers, ll2str_round_trips_extremes) {
    const long long vals[] = {0, 1, -1, 9, 10, -10, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        char out[24], want[24];
        int n = vg_ll2str(out, vals[i]);
        snprintf(want, sizeof(want), "%lld", vals[i]);
        cr_assert_str_eq(out, want);
        cr_assert_eq((size_t)n, strlen(want));
        long long back;
        cr_assert(vg_str2ll(out, (size_t)n, &back));
        cr_assert_eq(back, vals[i]);
    }
}

Test(numbers, ull2str_prints_the_full_range) {
    char out[24];
    cr_assert_eq(vg_ull2str(out, ULLONG_MAX), 20);
    cr_assert_str_eq(out, "18446744073709551615");
    cr_assert_eq(vg_ull2str(out, 0), 1);
    cr_assert_str_eq(out, "0");
}

/* ---- floating point ---- */

Test(numbers, str2d_accepts_redis_forms) {
    double d;
    cr_assert(vg_str2d("1.5", 3, &d));
    cr_assert_eq(d, 1.5);
    cr_assert(vg_str2d("-1e3", 4, &d));
    cr_assert_eq(d, -1000);
    cr_assert(vg_str2d("inf", 3, &d));
    cr_assert(isinf(d) && d > 0);
    cr_assert(vg_str2d("-inf", 4, &d));
    cr_assert(isinf(d) && d < 0);
    cr_assert(vg_str2d(".5", 2, &d));
    cr_assert_eq(d, 0.5);
}

Test(numbers, str2d_refuses_nan_spaces_junk_and_overflow) {
    double d = 7;
    cr_assert_not(vg_str2d("nan", 3, &d));
    cr_assert_not(vg_str2d("", 0, &d));
    cr_assert_not(vg_str2d(" 1", 2, &d));
    cr_assert_not(vg_str2d("1 ", 2, &d));
    cr_assert_not(vg_str2d("1x", 2, &d));
    cr_assert_not(vg_str2d("1e999", 5, &d));
    cr_assert_not(vg_str2d("1\0", 2, &d));
    cr_assert_eq(d, 7);
}

Test(numbers, str2ld_range_is_wider_than_double) {
    long double v;
    cr_assert(vg_str2ld("1e400", 5, &v));
    cr_assert_not(vg_str2ld("1e5000", 6, &v));
    cr_assert_not(vg_str2ld("nan", 3, &v));
    cr_assert_not(vg_str2ld("\t1", 2, &v));
}

Test(numbers, str2d_refuses_very_long_input) {
    static char s[6000];
    memset(s, '1', sizeof(s));
    double d;
    cr_assert_not(vg_str2d(s, sizeof(s), &d));
    long double v;
    cr_assert_not(vg_str2ld(s, sizeof(s), &v));
}

static void ld_is(long double v, const char *want) {
    char out[5120];
    int n = vg_ld2str(out, sizeof(out), v);
    cr_assert_str_eq(out, want, "%.20Lg printed as '%s', expected '%s'", v, out, want);
    cr_assert_eq((size_t)n, strlen(want));
}

/* Expected strings are what INCRBYFLOAT k <v> answers on a key holding 0. */
Test(numbers, ld2str_formats_as_incrbyfloat) {
    ld_is(10.5L, "10.5");
    ld_is(3.0L, "3");
    ld_is(1e20L, "100000000000000000000");
    ld_is(strtold("0.1", NULL), "0.1");
    ld_is(-1.5L, "-1.5");
    ld_is(strtold("1.5e-5", NULL), "0.000015");
    ld_is(strtold("123456789.987654321", NULL), "123456789.98765432099753525");
    ld_is(strtold("0.30000000000000004", NULL), "0.30000000000000004");
    ld_is(9007199254740993.0L, "9007199254740993");
}

Test(numbers, ld2str_tiny_values_and_negative_zero_print_zero) {
    ld_is(strtold("5e-20", NULL), "0");
    ld_is(strtold("-5e-20", NULL), "0");
    ld_is(-0.0L, "0");
    ld_is(0.0L, "0");
}

Test(numbers, ld2str_huge_value_prints_every_digit) {
    ld_is(strtold("1e300", NULL),
          "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849"
          "1520837504971903503725086142748359035925561846729839130962605207486462873271356418436532"
          "9408425510760601678972665293237003055138294762099454029477278188962060617926761162709741"
          "0650567187386105690089424915104006144");
}

Test(numbers, ld2str_infinities) {
    ld_is((long double)INFINITY, "inf");
    ld_is(-(long double)INFINITY, "-inf");
}

Test(numbers, ld2str_small_buffer_falls_back_to_exponent) {
    char out[32];
    int n = vg_ld2str(out, sizeof(out), strtold("1e300", NULL));
    cr_assert_lt((size_t)n, sizeof(out));
    cr_assert_eq(strtold(out, NULL), strtold("1e300", NULL), "'%s' does not round-trip", out);
}

Test(numbers, d2str_uses_17_significant_digits) {
    char out[64];
    vg_d2str(out, sizeof(out), 0.1);
    cr_assert_str_eq(out, "0.10000000000000001");
    vg_d2str(out, sizeof(out), 1.5);
    cr_assert_str_eq(out, "1.5");
    vg_d2str(out, sizeof(out), 1e300);
    cr_assert_str_eq(out, "1.0000000000000001e+300");
    vg_d2str(out, sizeof(out), -0.0);
    cr_assert_str_eq(out, "-0");
    vg_d2str(out, sizeof(out), INFINITY);
    cr_assert_str_eq(out, "inf");
    vg_d2str(out, sizeof(out), -INFINITY);
    cr_assert_str_eq(out, "-inf");
}
