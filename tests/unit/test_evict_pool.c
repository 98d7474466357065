/* test_evict_pool.c -- which victim eviction picks from its candidate pool. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "evict_pool.h"

static evict_pool P;

static void setup(void) {
    evict_pool_init(&P);
}

static void teardown(void) {
    evict_pool_clear(&P);
}

TestSuite(evict_pool, .init = setup, .fini = teardown);

static void offer(const char *key, uint64_t score) {
    evict_pool_offer(&P, 0, key, strlen(key), score);
}

static const char *best_key(void) {
    static char out[512];
    const evict_candidate *c = evict_pool_best(&P);
    cr_assert_not_null(c);
    snprintf(out, sizeof(out), "%.*s", (int)c->keylen, c->key);
    return out;
}

Test(evict_pool, empty_pool_has_no_victim) {
    cr_assert_null(evict_pool_best(&P));
    evict_pool_drop_best(&P); /* harmless */
}

Test(evict_pool, best_is_the_highest_score_then_the_next) {
    offer("a", 10);
    offer("b", 50);
    offer("c", 30);
    cr_assert_str_eq(best_key(), "b");
    evict_pool_drop_best(&P);
    cr_assert_str_eq(best_key(), "c");
    evict_pool_drop_best(&P);
    cr_assert_str_eq(best_key(), "a");
    evict_pool_drop_best(&P);
    cr_assert_null(evict_pool_best(&P));
}

Test(evict_pool, full_pool_keeps_the_best_candidates) {
    char key[16];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        offer(key, (uint64_t)((i * 37) % 100)); /* every score 0..99 once */
    }
    cr_assert_eq(P.used, EVICT_POOL_SIZE);
    for (int want = 99; want > 99 - EVICT_POOL_SIZE; want--) {
        cr_assert_eq(evict_pool_best(&P)->score, (uint64_t)want);
        evict_pool_drop_best(&P);
    }
    cr_assert_null(evict_pool_best(&P));
}

Test(evict_pool, a_key_is_a_candidate_once) {
    offer("dup", 5);
    offer("dup", 90);
    cr_assert_eq(P.used, 1);
    evict_pool_offer(&P, 3, "dup", 3, 1); /* same name, other db: distinct */
    cr_assert_eq(P.used, 2);
}

Test(evict_pool, long_keys_survive_reordering) {
    char long_key[300]; /* longer than the in-slot buffer */
    memset(long_key, 'x', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    offer(long_key, 70);
    offer("short", 80);
    char key[16];
    for (int i = 0; i < 40; i++) { /* shuffle the order around them */
        snprintf(key, sizeof(key), "f%d", i);
        offer(key, (uint64_t)(i % 60));
    }
    cr_assert_str_eq(best_key(), "short");
    evict_pool_drop_best(&P);
    cr_assert_str_eq(best_key(), long_key);
}

Test(evict_pool, worse_than_everything_is_ignored_when_full) {
    char key[16];
    for (int i = 0; i < EVICT_POOL_SIZE; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        offer(key, 100 + (uint64_t)i);
    }
    offer("poor", 1);
    for (int i = 0; i < EVICT_POOL_SIZE; i++) {
        cr_assert_str_neq(best_key(), "poor");
        evict_pool_drop_best(&P);
    }
}
