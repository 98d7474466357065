/* test_evict.c -- the pure parts of eviction: LRU idle time, LFU decay and
 * logarithmic increment, the packed LFU word. */
#include <criterion/criterion.h>

#include "evict.h"

Test(evict, idle_time_counts_seconds_in_ms) {
    cr_assert_eq(evict_idle_ms(100, 100), 0);
    cr_assert_eq(evict_idle_ms(100, 130), 30000);
}

Test(evict, idle_time_survives_clock_wrap) {
    /* The 24-bit LRU clock wraps; an object touched just before the wrap is
     * only a few seconds old just after it. */
    uint32_t before_wrap = OBJ_LRU_MAX - 2;
    cr_assert_eq(evict_idle_ms(before_wrap, 3), 5000);
}

Test(evict, lfu_pack_keeps_minutes_and_counter) {
    uint32_t w = evict_lfu_pack(1234, 77);
    cr_assert_eq(w & 0xFF, 77);
    cr_assert_eq((w >> 8) & 0xFFFF, 1234);
    cr_assert_eq(evict_lfu_pack(70000, 300) & 0xFF, 300 & 0xFF, "fields are masked to their width");
}

Test(evict, lfu_decays_one_per_period) {
    uint32_t w = evict_lfu_pack(100, 20);
    cr_assert_eq(evict_lfu_decayed(w, 100, 1), 20);
    cr_assert_eq(evict_lfu_decayed(w, 105, 1), 15);
    cr_assert_eq(evict_lfu_decayed(w, 110, 2), 15, "decay time 2: one step per two minutes");
    cr_assert_eq(evict_lfu_decayed(w, 1000, 1), 0, "never below zero");
    cr_assert_eq(evict_lfu_decayed(w, 1000, 0), 20, "decay time 0 disables decay");
}

Test(evict, lfu_decay_across_minute_wrap) {
    uint32_t w = evict_lfu_pack(65534, 10);
    cr_assert_eq(evict_lfu_decayed(w, 2, 1), 7);
}

Test(evict, lfu_increment_is_certain_at_the_start_and_saturates) {
    /* At or below LFU_INIT_VAL the probability is 1. */
    cr_assert_eq(evict_lfu_log_incr(0, 10, 0.999), 1);
    cr_assert_eq(evict_lfu_log_incr(LFU_INIT_VAL, 10, 0.999), LFU_INIT_VAL + 1);
    cr_assert_eq(evict_lfu_log_incr(255, 10, 0.0), 255);
}

Test(evict, lfu_increment_gets_rarer_as_the_counter_grows) {
    /* p = 1 / ((counter - LFU_INIT_VAL) * log_factor + 1) */
    unsigned c = 105;
    double p = 1.0 / ((c - LFU_INIT_VAL) * 10 + 1);
    cr_assert_eq(evict_lfu_log_incr(c, 10, p * 0.99), c + 1);
    cr_assert_eq(evict_lfu_log_incr(c, 10, p * 1.01), c);
    /* log factor 0: always increments */
    cr_assert_eq(evict_lfu_log_incr(200, 0, 0.999), 201);
}

Test(evict, lfu_reaches_redis_like_counts) {
    /* With factor 10, Redis' table says ~1M hits reach about 255 and 100
     * hits stay around 10-20. Drive it with a fixed sequence of draws. */
    unsigned c = LFU_INIT_VAL;
    unsigned long long seed = 12345;
    for (int i = 0; i < 100; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        double r = (double)(seed >> 11) / (double)(1ULL << 53);
        c = evict_lfu_log_incr(c, 10, r);
    }
    cr_assert(c >= 8 && c <= 25, "100 hits gave %u", c);
}
