/* test_zset.c -- the sorted set structure: order, ranks, ranges, conversion. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "zset.h"

static void add(zset *zs, const char *m, double s) {
    zset_set(zs, m, strlen(m), s);
}

static void check_order(const zset *zs) {
    zset_iter it;
    zset_iter_at(&it, zs, 0, false);
    const char *m, *prev = NULL;
    size_t len, plen = 0;
    double s, ps = -1e300;
    size_t n = 0;
    char prevbuf[64] = "";
    while (zset_iter_next(&it, &m, &len, &s)) {
        cr_assert(s > ps || (s == ps &&
                             (prev == NULL || memcmp(prevbuf, m, len < plen ? len : plen) <= 0)),
                  "out of order at %zu", n);
        ps = s;
        plen = len < sizeof(prevbuf) ? len : sizeof(prevbuf) - 1;
        memcpy(prevbuf, m, plen);
        prev = prevbuf;
        cr_assert_eq(zset_rank(zs, m, len, false), (long)n);
        n++;
    }
    cr_assert_eq(n, zset_len(zs));
}

Test(zset, listpack_keeps_score_then_member_order) {
    zset z = zset_new();
    zset *zs = &z;
    add(zs, "b", 2);
    add(zs, "a", 2);
    add(zs, "c", 1);
    cr_assert(zset_is_listpack(zs));
    check_order(zs);
    cr_assert_eq(zset_rank(zs, "c", 1, false), 0);
    cr_assert_eq(zset_rank(zs, "a", 1, false), 1);
    cr_assert_eq(zset_rank(zs, "b", 1, true), 0);
    zset_free(zs);
}

Test(zset, skiplist_ranks_stay_right_under_updates_and_deletes) {
    zset z = zset_new();
    zset *zs = &z;
    zset_convert_to_skiplist(zs);
    char m[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(m, sizeof(m), "m%d", i);
        add(zs, m, (i * 7919) % 1000);
    }
    check_order(zs);
    for (int i = 0; i < 2000; i += 3) {
        snprintf(m, sizeof(m), "m%d", i);
        add(zs, m, -i); /* move */
    }
    for (int i = 1; i < 2000; i += 5) {
        snprintf(m, sizeof(m), "m%d", i);
        cr_assert(zset_del(zs, m, strlen(m)));
    }
    check_order(zs);
    zset_free(zs);
}

Test(zset, conversion_preserves_members) {
    zset z = zset_new();
    zset *zs = &z;
    char m[32];
    for (int i = 0; i < 200; i++) {
        snprintf(m, sizeof(m), "x%d", i);
        add(zs, m, i % 17);
    }
    zset_maybe_convert(zs, 128, 64);
    cr_assert_not(zset_is_listpack(zs));
    cr_assert_eq(zset_len(zs), 200);
    double s;
    cr_assert(zset_score(zs, "x16", 3, &s));
    cr_assert_eq(s, 16);
    check_order(zs);
    zset_free(zs);
}

static void both_encodings(void (*fn)(zset *)) {
    zset a = zset_new();
    fn(&a);
    zset_free(&a);
    zset b = zset_new();
    zset_convert_to_skiplist(&b);
    fn(&b);
    zset_free(&b);
}

static void score_ranges(zset *zs) {
    for (int i = 0; i < 10; i++) {
        char m[8];
        snprintf(m, sizeof(m), "%c", 'a' + i);
        add(zs, m, i);
    }
    size_t first, last;
    zrange_score r = {2, 5, false, false};
    cr_assert(zset_score_ranks(zs, &r, &first, &last));
    cr_assert_eq(first, 2);
    cr_assert_eq(last, 5);
    r.minex = r.maxex = true;
    cr_assert(zset_score_ranks(zs, &r, &first, &last));
    cr_assert_eq(first, 3);
    cr_assert_eq(last, 4);
    zrange_score none = {20, 30, false, false};
    cr_assert_not(zset_score_ranks(zs, &none, &first, &last));
    zrange_score inverted = {5, 2, false, false};
    cr_assert_not(zset_score_ranks(zs, &inverted, &first, &last));
    zrange_lex lx = {"c", 1, "e", 1, true, false, 0, 0};
    cr_assert(zset_lex_ranks(zs, &lx, false, &first, &last));
    cr_assert_eq(first, 3);
    cr_assert_eq(last, 4);
    cr_assert_eq(zset_del_rank_range(zs, 0, 2), 3);
    cr_assert_eq(zset_len(zs), 7);
    check_order(zs);
}

Test(zset, score_and_lex_ranges_in_both_encodings) {
    both_encodings(score_ranges);
}

static void reverse_iteration(zset *zs) {
    add(zs, "a", 1);
    add(zs, "b", 2);
    add(zs, "c", 3);
    zset_iter it;
    zset_iter_at(&it, zs, 2, true);
    const char *m;
    size_t len;
    double s;
    cr_assert(zset_iter_next(&it, &m, &len, &s));
    cr_assert_eq(m[0], 'c');
    cr_assert(zset_iter_next(&it, &m, &len, &s));
    cr_assert_eq(m[0], 'b');
    cr_assert(zset_iter_next(&it, &m, &len, &s));
    cr_assert_eq(m[0], 'a');
    cr_assert_not(zset_iter_next(&it, &m, &len, &s));
}

Test(zset, reverse_iteration_in_both_encodings) {
    both_encodings(reverse_iteration);
}

Test(zset, dup_is_deep) {
    zset z = zset_new();
    zset *zs = &z;
    zset_convert_to_skiplist(zs);
    add(zs, "a", 1);
    zset copy = zset_dup(zs);
    add(zs, "b", 2);
    cr_assert_eq(zset_len(&copy), 1);
    zset_free(zs);
    zset_free(&copy);
}

Test(zset, the_value_is_one_word) {
    /* A kv holds the set in v.ptr with no wrapper allocation. */
    cr_assert_eq(sizeof(zset), sizeof(void *));
}

Test(zset, memory_is_tracked_through_inserts_and_deletes) {
    zset z = zset_new();
    zset_convert_to_skiplist(&z);
    size_t empty = zset_memory(&z);
    char m[32];
    for (int i = 0; i < 100; i++) {
        snprintf(m, sizeof(m), "member-%d", i);
        add(&z, m, i);
    }
    size_t full = zset_memory(&z);
    cr_assert_gt(full, empty + 100 * 32);
    for (int i = 0; i < 100; i++) {
        snprintf(m, sizeof(m), "member-%d", i);
        cr_assert(zset_del(&z, m, strlen(m)));
    }
    cr_assert_leq(zset_memory(&z), full - 100 * 32);
    zset_free(&z);
}
