/* test_listpack.c -- criterion tests for the Redis-format listpack.
 *
 * Owns: nothing. Checks every entry encoding width against bytes taken
 * from Redis 7.0.15 (DUMP of a list with rdbcompression off), plus
 * insertion, deletion, replacement, search, seeking and validation. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "listpack.h"
#include "vg_alloc.h"

/* RPUSH l a 127 128 -1 -4096 4095 4096 -32768 32767 40000 -8388608 8388607
 * 2147483647 -2147483648 2147483648 INT64_MAX INT64_MIN x*63 y*64 012 -0 ""
 * as Redis 7.0.15 encodes it (the listpack inside DUMP's quicklist node). */
static const char *redis_hex =
    "ec00000016008161027f01c08002dfff02d00002cfff02f1001003f1008003f1ff7f03f2409c0004f2000080"
    "04f2ffff7f04f3ffffff7f05f30000008005f4000000800000000009f4ffffffffffffff7f09f40000000000"
    "00008009bf787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "78787878787878787878787878787878787878787878787840e0407979797979797979797979797979797979"
    "7979797979797979797979797979797979797979797979797979797979797979797979797979797979797979"
    "797979428330313204822d30038001ff";

static size_t unhex(const char *hex, unsigned char *out) {
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (unsigned char)v;
    }
    return n;
}

static unsigned char *build_reference(void) {
    unsigned char *lp = lp_new();
    const char *strs[] = {"a",
                          "127",
                          "128",
                          "-1",
                          "-4096",
                          "4095",
                          "4096",
                          "-32768",
                          "32767",
                          "40000",
                          "-8388608",
                          "8388607",
                          "2147483647",
                          "-2147483648",
                          "2147483648",
                          "9223372036854775807",
                          "-9223372036854775808"};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        lp = lp_append(lp, strs[i], strlen(strs[i]));
    char x[64], y[64];
    memset(x, 'x', 63);
    memset(y, 'y', 64);
    lp = lp_append(lp, x, 63);
    lp = lp_append(lp, y, 64);
    lp = lp_append(lp, "012", 3);
    lp = lp_append(lp, "-0", 2);
    lp = lp_append(lp, "", 0);
    return lp;
}

Test(listpack, bytes_match_redis_for_every_width) {
    unsigned char want[512];
    size_t n = unhex(redis_hex, want);
    unsigned char *lp = build_reference();
    cr_assert_eq(lp_bytes(lp), n);
    cr_assert(memcmp(lp, want, n) == 0);
    cr_assert_eq(lp_length(lp), 22);
    cr_assert(lp_validate(lp, lp_bytes(lp), 22));
    lp_free(lp);
}

Test(listpack, integers_round_trip_and_read_as_ints) {
    long long vals[] = {0,         1,         127,
                        128,       -1,        -4096,
                        4095,      4096,      -4097,
                        -32768,    32767,     32768,
                        -8388608,  8388607,   8388608,
                        INT32_MIN, INT32_MAX, (long long)INT32_MAX + 1,
                        INT64_MAX, INT64_MIN, -123456789012LL};
    size_t n = sizeof(vals) / sizeof(vals[0]);
    unsigned char *lp = lp_new();
    for (size_t i = 0; i < n; i++)
        lp = lp_append_int(lp, vals[i]);
    size_t i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        long long v;
        cr_assert(lp_get_int(p, &v));
        cr_assert_eq(v, vals[i]);
        char ib[LP_INTBUF_SIZE], want[32];
        size_t len;
        const char *s = lp_get_str(p, ib, &len);
        snprintf(want, sizeof(want), "%lld", vals[i]);
        cr_assert_eq(len, strlen(want));
        cr_assert(memcmp(s, want, len) == 0);
    }
    cr_assert_eq(i, n);
    lp_free(lp);
}

Test(listpack, integer_widths_use_smallest_encoding) {
    struct {
        long long v;
        size_t bytes; /* encoding + data + backlen */
    } cases[] = {{0, 2},         {127, 2},       {128, 3},        {-1, 3},
                 {-4096, 3},     {4095, 3},      {4096, 4},       {-4097, 4},
                 {32767, 4},     {32768, 5},     {-8388608, 5},   {8388608, 6},
                 {INT32_MIN, 6}, {INT32_MAX, 6}, {INT64_MAX, 10}, {INT64_MIN, 10}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *lp = lp_append_int(lp_new(), cases[i].v);
        cr_assert_eq(lp_bytes(lp), LP_HDR_SIZE + 1 + cases[i].bytes, "value %lld", cases[i].v);
        lp_free(lp);
    }
}

Test(listpack, non_canonical_numbers_stay_strings) {
    const char *s[] = {"012", "-0", "+1", " 1", "1 ", "99999999999999999999", "1.5", "-", ""};
    unsigned char *lp = lp_new();
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        lp = lp_append(lp, s[i], strlen(s[i]));
    size_t i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        lp_val v;
        lp_get(p, &v);
        cr_assert_not_null(v.str);
        cr_assert_eq(v.len, strlen(s[i]));
        cr_assert(memcmp(v.str, s[i], v.len) == 0);
        cr_assert(lp_eq(p, s[i], strlen(s[i])));
    }
    lp_free(lp);
}

static void check_big_string(size_t len, size_t hdr) {
    char *s = vg_malloc(len);
    for (size_t i = 0; i < len; i++)
        s[i] = (char)(i * 7);
    unsigned char *lp = lp_append(lp_new(), s, len);
    lp = lp_append(lp, "tail", 4);
    size_t entry = hdr + len;
    size_t bl = entry <= 127 ? 1 : entry < 16383 ? 2 : entry < 2097151 ? 3 : 4;
    cr_assert_eq(lp_bytes(lp), LP_HDR_SIZE + 1 + entry + bl + 6);
    lp_val v;
    lp_get(lp_first(lp), &v);
    cr_assert_eq(v.len, len);
    cr_assert(memcmp(v.str, s, len) == 0);
    /* Walking backwards must cross the big entry's multi-byte backlen. */
    unsigned char *p = lp_last(lp);
    cr_assert(lp_eq(p, "tail", 4));
    cr_assert_eq(lp_prev(lp, p), lp_first(lp));
    cr_assert(lp_validate(lp, lp_bytes(lp), 2));
    lp_free(lp);
    vg_free(s);
}

Test(listpack, strings_of_every_length_class) {
    check_big_string(63, 1);
    check_big_string(64, 2);
    check_big_string(4095, 2);
    check_big_string(4096, 5);
    check_big_string(20000, 5);
    check_big_string(3000000, 5);
}

Test(listpack, big_string_bytes_match_redis) {
    char s[5000];
    memset(s, 'z', sizeof(s));
    unsigned char *lp = lp_append(lp_new(), s, sizeof(s));
    unsigned char head[16], tail[4];
    size_t hn = unhex("96130000"
                      "0100"
                      "f088130000",
                      head);
    unhex("278dff", tail);
    cr_assert_eq(lp_bytes(lp), 5014);
    cr_assert(memcmp(lp, head, hn) == 0);
    cr_assert(memcmp(lp + 5011, tail, 3) == 0);
    lp_free(lp);
}

Test(listpack, reverse_iteration_matches_forward) {
    unsigned char *lp = lp_new();
    char tmp[300];
    for (int i = 0; i < 500; i++) {
        if (i % 3 == 0) {
            lp = lp_append_int(lp, (long long)i * 1000003LL * (i % 2 ? -1 : 1));
        } else {
            size_t len = (size_t)(i % 7) * 40;
            memset(tmp, 'a' + i % 26, len);
            lp = lp_append(lp, tmp, len);
        }
    }
    unsigned char *fw[500];
    int n = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p))
        fw[n++] = p;
    cr_assert_eq(n, 500);
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p))
        cr_assert_eq(p, fw[--n]);
    cr_assert_eq(n, 0);
    for (int i = 0; i < 500; i += 37) {
        cr_assert_eq(lp_seek(lp, i), fw[i]);
        cr_assert_eq(lp_seek(lp, i - 500), fw[i]);
    }
    cr_assert_null(lp_seek(lp, 500));
    cr_assert_null(lp_seek(lp, -501));
    lp_free(lp);
}

static void assert_contents(unsigned char *lp, const char **want, size_t n) {
    cr_assert_eq(lp_length(lp), n);
    size_t i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        char ib[LP_INTBUF_SIZE];
        size_t len;
        const char *s = lp_get_str(p, ib, &len);
        cr_assert_eq(len, strlen(want[i]), "entry %zu", i);
        cr_assert(memcmp(s, want[i], len) == 0, "entry %zu", i);
    }
    cr_assert_eq(i, n);
    cr_assert(lp_validate(lp, lp_bytes(lp), (long long)n));
}

Test(listpack, insert_prepend_and_insert_at) {
    unsigned char *lp = lp_new();
    lp = lp_append(lp, "b", 1);
    lp = lp_prepend(lp, "a", 1);
    lp = lp_append_int(lp, 42);
    lp = lp_prepend_int(lp, -7);
    const char *w1[] = {"-7", "a", "b", "42"};
    assert_contents(lp, w1, 4);
    unsigned char *np;
    lp = lp_insert(lp, "mid", 3, lp_seek(lp, 1), LP_AFTER, &np);
    cr_assert(lp_eq(np, "mid", 3));
    lp = lp_insert_int(lp, 5, lp_seek(lp, 0), LP_BEFORE, &np);
    cr_assert_eq(np, lp_first(lp));
    lp = lp_insert_at(lp, -1, "end", 3);
    lp = lp_insert_at(lp, 2, "two", 3);
    const char *w2[] = {"5", "-7", "two", "a", "mid", "b", "42", "end"};
    assert_contents(lp, w2, 8);
    lp_free(lp);
}

Test(listpack, delete_single_and_ranges) {
    unsigned char *lp = lp_new();
    for (int i = 0; i < 10; i++)
        lp = lp_append_int(lp, i);
    unsigned char *next;
    lp = lp_delete(lp, lp_seek(lp, 0), &next);
    cr_assert(lp_eq(next, "1", 1));
    lp = lp_delete(lp, lp_seek(lp, -1), &next);
    cr_assert_null(next);
    const char *w1[] = {"1", "2", "3", "4", "5", "6", "7", "8"};
    assert_contents(lp, w1, 8);
    lp = lp_delete_range(lp, 2, 3);
    const char *w2[] = {"1", "2", "6", "7", "8"};
    assert_contents(lp, w2, 5);
    lp = lp_delete_range(lp, -2, 100);
    const char *w3[] = {"1", "2", "6"};
    assert_contents(lp, w3, 3);
    lp = lp_delete_range(lp, 0, 3);
    cr_assert_eq(lp_length(lp), 0);
    cr_assert_null(lp_first(lp));
    cr_assert_null(lp_last(lp));
    cr_assert_eq(lp_bytes(lp), LP_HDR_SIZE + 1);
    lp = lp_shrink(lp);
    lp_free(lp);
}

Test(listpack, replace_changes_width_both_ways) {
    unsigned char *lp = lp_new();
    lp = lp_append(lp, "x", 1);
    lp = lp_append(lp, "y", 1);
    lp = lp_append(lp, "z", 1);
    unsigned char *p = lp_seek(lp, 1);
    char big[200];
    memset(big, 'B', sizeof(big));
    lp = lp_replace(lp, &p, big, sizeof(big));
    lp_val v;
    lp_get(p, &v);
    cr_assert_eq(v.len, 200);
    lp = lp_replace_int(lp, &p, INT64_MIN);
    long long iv;
    cr_assert(lp_get_int(p, &iv));
    cr_assert_eq(iv, INT64_MIN);
    lp = lp_replace(lp, &p, "17", 2);
    const char *w[] = {"x", "17", "z"};
    assert_contents(lp, w, 3);
    /* Replacing with bytes taken from the same listpack must be safe. */
    p = lp_seek(lp, 2);
    lp_val src;
    lp_get(lp_seek(lp, 0), &src);
    lp = lp_replace(lp, &p, (const char *)src.str, src.len);
    const char *w2[] = {"x", "17", "x"};
    assert_contents(lp, w2, 3);
    lp_free(lp);
}

Test(listpack, find_with_skip_and_int_matching) {
    unsigned char *lp = lp_new();
    const char *kv[] = {"f1", "v1", "10", "f1", "f3", "10", "", "empty"};
    for (int i = 0; i < 8; i++)
        lp = lp_append(lp, kv[i], strlen(kv[i]));
    unsigned char *p = lp_find(lp, lp_first(lp), "f1", 2, 1);
    cr_assert_eq(p, lp_seek(lp, 0));
    p = lp_find(lp, lp_first(lp), "10", 2, 1);
    cr_assert_eq(p, lp_seek(lp, 2));
    /* With skip 1 the value "f1" at index 3 is never a key. */
    p = lp_find(lp, lp_next(lp, lp_first(lp)), "f1", 2, 0);
    cr_assert_eq(p, lp_seek(lp, 3));
    cr_assert_null(lp_find(lp, lp_seek(lp, 2), "f1", 2, 1));
    cr_assert_eq(lp_find(lp, lp_first(lp), "", 0, 1), lp_seek(lp, 6));
    cr_assert_null(lp_find(lp, lp_first(lp), "010", 3, 0));
    cr_assert_null(lp_find(lp, lp_first(lp), "v1", 2, 1));
    lp_free(lp);
}

Test(listpack, dup_is_identical_and_independent) {
    unsigned char *lp = build_reference();
    unsigned char *cp = lp_dup(lp);
    cr_assert_eq(lp_bytes(cp), lp_bytes(lp));
    cr_assert(memcmp(cp, lp, lp_bytes(lp)) == 0);
    cp = lp_append(cp, "more", 4);
    cr_assert_eq(lp_length(lp), 22);
    cr_assert_eq(lp_length(cp), 23);
    cr_assert_geq(lp_alloc_size(cp), lp_bytes(cp));
    lp_free(lp);
    lp_free(cp);
}

Test(listpack, count_saturates_and_walks) {
    unsigned char *lp = lp_new();
    for (int i = 0; i < 70000; i++)
        lp = lp_append_int(lp, i % 100);
    cr_assert_eq(lp[4], 0xff);
    cr_assert_eq(lp[5], 0xff);
    cr_assert_eq(lp_length(lp), 70000);
    cr_assert(lp_validate(lp, lp_bytes(lp), 70000));
    cr_assert_not_null(lp_seek(lp, 69999));
    cr_assert_null(lp_seek(lp, 70000));
    lp = lp_delete_range(lp, 0, 69000);
    cr_assert_eq(lp_length(lp), 1000);
    lp_free(lp);
}

Test(listpack, validate_rejects_corruption) {
    unsigned char *lp = build_reference();
    size_t n = lp_bytes(lp);
    cr_assert(lp_validate(lp, n, -1));
    cr_assert_not(lp_validate(lp, n, 21));
    cr_assert_not(lp_validate(lp, n - 1, -1));
    unsigned char *bad = lp_dup(lp);
    bad[n - 1] = 0;
    cr_assert_not(lp_validate(bad, n, -1));
    memcpy(bad, lp, n);
    bad[4] = 3; /* wrong element count */
    cr_assert_not(lp_validate(bad, n, -1));
    memcpy(bad, lp, n);
    bad[LP_HDR_SIZE + 2] = 0x99; /* backlen of the first entry */
    cr_assert_not(lp_validate(bad, n, -1));
    memcpy(bad, lp, n);
    bad[LP_HDR_SIZE] = 0xF0; /* a 32-bit string length running past the end */
    cr_assert_not(lp_validate(bad, n, -1));
    memcpy(bad, lp, n);
    bad[LP_HDR_SIZE] = 0xF8; /* unknown encoding */
    cr_assert_not(lp_validate(bad, n, -1));
    unsigned char tiny[3] = {3, 0, 0};
    cr_assert_not(lp_validate(tiny, 3, -1));
    lp_free(bad);
    lp_free(lp);
}
