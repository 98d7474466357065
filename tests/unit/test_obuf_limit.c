/* test_obuf_limit.c -- the client-output-buffer-limit decision
 * (node/obuf_limit.c): hard at once, soft only after its seconds, the soft
 * timer cleared when the client drops below it, 0 meaning no limit. Times
 * are passed in, as the cron and the append path pass server.now_ms. */
#include <criterion/criterion.h>

#include "obuf_limit.h"

#define MB (1024 * 1024)

static const obuf_limit limit = {10 * MB, 5 * MB, 5}; /* "10mb 5mb 5" */

Test(obuf_limit, under_both_limits_is_fine_and_keeps_no_timer) {
    int64_t since = 0;
    cr_assert_not(obuf_limit_reached(&limit, 0, 1000, &since));
    cr_assert_not(obuf_limit_reached(&limit, 5 * MB - 1, 1000, &since));
    cr_assert_eq(since, 0);
    cr_assert_not(obuf_limit_maybe(&limit, 5 * MB - 1));
}

Test(obuf_limit, hard_limit_is_reached_at_once) {
    int64_t since = 0;
    cr_assert(obuf_limit_maybe(&limit, 10 * MB));
    cr_assert(obuf_limit_reached(&limit, 10 * MB, 1000, &since), "used == hard is over");
    since = 0;
    cr_assert(obuf_limit_reached(&limit, 64 * MB, 1000, &since));
}

Test(obuf_limit, soft_limit_needs_more_than_its_seconds) {
    int64_t since = 0;
    cr_assert(obuf_limit_maybe(&limit, 6 * MB));
    cr_assert_not(obuf_limit_reached(&limit, 6 * MB, 1000, &since), "first sight starts a timer");
    cr_assert_eq(since, 1000);
    cr_assert_not(obuf_limit_reached(&limit, 6 * MB, 3000, &since));
    cr_assert_not(obuf_limit_reached(&limit, 6 * MB, 6000, &since), "exactly 5 s is not more");
    cr_assert(obuf_limit_reached(&limit, 6 * MB, 6001, &since));
    cr_assert_eq(since, 1000, "the timer keeps its start");
}

Test(obuf_limit, dropping_below_soft_clears_the_timer) {
    int64_t since = 0;
    cr_assert_not(obuf_limit_reached(&limit, 6 * MB, 1000, &since));
    cr_assert_not(obuf_limit_reached(&limit, 1 * MB, 4000, &since));
    cr_assert_eq(since, 0);
    cr_assert_not(obuf_limit_reached(&limit, 6 * MB, 7000, &since), "a fresh start");
    cr_assert_eq(since, 7000);
    cr_assert_not(obuf_limit_reached(&limit, 6 * MB, 12000, &since));
    cr_assert(obuf_limit_reached(&limit, 6 * MB, 12001, &since));
}

Test(obuf_limit, zero_seconds_means_over_at_the_next_look) {
    const obuf_limit soft0 = {0, 2 * MB, 0};
    int64_t since = 0;
    cr_assert_not(obuf_limit_reached(&soft0, 3 * MB, 500, &since));
    cr_assert_not(obuf_limit_reached(&soft0, 3 * MB, 500, &since), "same instant");
    cr_assert(obuf_limit_reached(&soft0, 3 * MB, 501, &since));
}

Test(obuf_limit, zero_limits_never_trip) {
    const obuf_limit none = {0, 0, 0};
    int64_t since = 0;
    cr_assert_not(obuf_limit_maybe(&none, (size_t)1 << 40));
    cr_assert_not(obuf_limit_reached(&none, (size_t)1 << 40, 1000, &since));
    cr_assert_eq(since, 0);
    const obuf_limit hard_only = {10 * MB, 0, 60};
    cr_assert_not(obuf_limit_reached(&hard_only, 9 * MB, 1000, &since));
    cr_assert(obuf_limit_reached(&hard_only, 10 * MB, 1000, &since));
    cr_assert_eq(since, 0, "no soft limit, no timer");
}

Test(obuf_limit, hard_trips_even_while_the_soft_timer_runs) {
    int64_t since = 0;
    cr_assert_not(obuf_limit_reached(&limit, 6 * MB, 1000, &since));
    cr_assert(obuf_limit_reached(&limit, 11 * MB, 1001, &since));
}
