/* test_intset.c -- criterion tests for the Redis-format intset.
 *
 * Owns: nothing. Byte layouts are checked against DUMP payloads taken from
 * Redis 7.0.15; the rest checks ordering, upgrades, removal and validation. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "intset.h"

static size_t unhex(const char *hex, unsigned char *out) {
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (unsigned char)v;
    }
    return n;
}

static void assert_bytes(const intset *is, const char *hex) {
    unsigned char want[256];
    size_t n = unhex(hex, want);
    cr_assert_eq(intset_blob_len(is), n);
    cr_assert(memcmp(is, want, n) == 0);
    cr_assert(intset_validate(is, n));
}

Test(intset, bytes_match_redis_through_upgrades) {
    intset *is = intset_new();
    is = intset_add(is, 5, NULL);
    is = intset_add(is, 1, NULL);
    is = intset_add(is, 3, NULL);
    assert_bytes(is, "0200000003000000010003000500");
    is = intset_add(is, -70000, NULL);
    cr_assert_eq(intset_encoding(is), INTSET_ENC_INT32);
    assert_bytes(is, "040000000400000090eefeff010000000300000005000000");
    is = intset_add(is, 1LL << 40, NULL);
    cr_assert_eq(intset_encoding(is), INTSET_ENC_INT64);
    assert_bytes(is, "080000000500000090eefeffffffffff0100000000000000030000000000000005000000"
                     "000000000000000000010000");
    intset_free(is);
}

Test(intset, add_reports_duplicates_and_keeps_order) {
    intset *is = intset_new();
    bool added;
    long long vals[] = {10, -3, 7, 10, 0, -3, 32767, -32768};
    bool want[] = {true, true, true, false, true, false, true, true};
    for (size_t i = 0; i < 8; i++) {
        is = intset_add(is, vals[i], &added);
        cr_assert_eq(added, want[i], "value %lld", vals[i]);
    }
    cr_assert_eq(intset_len(is), 6);
    cr_assert_eq(intset_encoding(is), INTSET_ENC_INT16);
    int64_t sorted[] = {-32768, -3, 0, 7, 10, 32767}, v;
    for (uint32_t i = 0; i < 6; i++) {
        cr_assert(intset_get(is, i, &v));
        cr_assert_eq(v, sorted[i]);
    }
    cr_assert_not(intset_get(is, 6, &v));
    cr_assert_eq(intset_min(is), -32768);
    cr_assert_eq(intset_max(is), 32767);
    intset_free(is);
}

Test(intset, upgrade_to_64_bit_at_both_ends) {
    intset *is = intset_new();
    for (int i = -100; i <= 100; i++)
        is = intset_add(is, i, NULL);
    is = intset_add(is, INT64_MIN, NULL);
    cr_assert_eq(intset_encoding(is), INTSET_ENC_INT64);
    is = intset_add(is, INT64_MAX, NULL);
    cr_assert_eq(intset_len(is), 203);
    cr_assert_eq(intset_min(is), INT64_MIN);
    cr_assert_eq(intset_max(is), INT64_MAX);
    for (int i = -100; i <= 100; i++)
        cr_assert(intset_find(is, i));
    cr_assert_not(intset_find(is, 101));
    cr_assert(intset_validate(is, intset_blob_len(is)));
    intset_free(is);
}

Test(intset, find_never_matches_wider_values) {
    intset *is = intset_add(intset_new(), 1, NULL);
    cr_assert_not(intset_find(is, 65537));
    cr_assert_not(intset_find(is, (1LL << 32) + 1));
    bool removed;
    is = intset_remove(is, 65537, &removed);
    cr_assert_not(removed);
    cr_assert_eq(intset_len(is), 1);
    intset_free(is);
}

Test(intset, remove_keeps_encoding_and_order) {
    intset *is = intset_new();
    for (int i = 0; i < 50; i++)
        is = intset_add(is, (int64_t)i * 100000, NULL);
    cr_assert_eq(intset_encoding(is), INTSET_ENC_INT32);
    bool removed;
    for (int i = 0; i < 50; i += 2) {
        is = intset_remove(is, (int64_t)i * 100000, &removed);
        cr_assert(removed);
    }
    is = intset_remove(is, 0, &removed);
    cr_assert_not(removed);
    cr_assert_eq(intset_len(is), 25);
    cr_assert_eq(intset_encoding(is), INTSET_ENC_INT32);
    int64_t prev = INT64_MIN, v;
    for (uint32_t i = 0; intset_get(is, i, &v); i++) {
        cr_assert_gt(v, prev);
        cr_assert_eq(v % 200000, 100000);
        prev = v;
    }
    for (int i = 1; i < 50; i += 2)
        is = intset_remove(is, (int64_t)i * 100000, NULL);
    cr_assert_eq(intset_len(is), 0);
    cr_assert_eq(intset_blob_len(is), 8);
    intset_free(is);
}

Test(intset, random_and_dup) {
    intset *is = intset_new();
    for (int i = 0; i < 10; i++)
        is = intset_add(is, i * 3, NULL);
    bool seen[10] = {false};
    for (uint64_t r = 0; r < 100; r++) {
        int64_t v = intset_random(is, r * 2654435761u);
        cr_assert_eq(v % 3, 0);
        seen[v / 3] = true;
    }
    for (int i = 0; i < 10; i++)
        cr_assert(seen[i]);
    intset *cp = intset_dup(is);
    cp = intset_add(cp, 1000, NULL);
    cr_assert_eq(intset_len(is), 10);
    cr_assert_eq(intset_len(cp), 11);
    cr_assert_geq(intset_alloc_size(cp), intset_blob_len(cp));
    intset_free(cp);
    intset_free(is);
}

Test(intset, validate_rejects_bad_blobs) {
    unsigned char b[64];
    size_t n = unhex("0200000003000000010003000500", b);
    cr_assert(intset_validate(b, n));
    intset *cp = intset_from_blob(b, n);
    cr_assert_eq(intset_len(cp), 3);
    intset_free(cp);
    cr_assert_not(intset_validate(b, n - 1));
    cr_assert_not(intset_validate(b, 4));
    b[0] = 3; /* unknown encoding */
    cr_assert_not(intset_validate(b, n));
    n = unhex("0200000003000000010005000300", b); /* unsorted */
    cr_assert_not(intset_validate(b, n));
    n = unhex("0200000002000000010001000", b); /* duplicate */
    cr_assert_not(intset_validate(b, n));
    n = unhex("02000000ffffffff", b); /* length beyond the blob */
    cr_assert_not(intset_validate(b, n));
}
