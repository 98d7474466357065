/* test_aof_sched.c -- unit tests for the AOF's timing decisions (node/aof_sched.c).
 *
 * Owns: nothing shared. Group commit: which batch a reply waits for, when a
 * batch is submitted, what a failed batch leaves; Redis' everysec
 * postponing (2 s), the growth trigger of auto-aof-rewrite-percentage and
 * the limiter of failing rewrites (1, 2, 4 ... 60 minutes after 3). */
#include <criterion/criterion.h>

#include "aof_sched.h"
#include "aof_state.h"

Test(aof_group, fresh_group_releases_clients_that_never_wrote) {
    aof_group g;
    aof_group_init(&g);
    cr_assert(aof_group_ready(&g, 0));
    cr_assert_not(aof_group_ready(&g, aof_group_wait_seq(&g)));
    cr_assert_not(aof_group_should_submit(&g, 0, false));
}

Test(aof_group, writes_of_one_turn_share_a_batch) {
    aof_group g;
    aof_group_init(&g);
    uint64_t a = aof_group_wait_seq(&g), b = aof_group_wait_seq(&g);
    cr_assert_eq(a, b);
    cr_assert(aof_group_should_submit(&g, 10, false));
    uint64_t seq = aof_group_submit(&g);
    cr_assert_eq(seq, a);
    cr_assert_neq(aof_group_wait_seq(&g), a); /* later writes: the next batch */
    aof_group_done(&g, seq, true);
    cr_assert(aof_group_ready(&g, a));
    cr_assert_not(aof_group_ready(&g, aof_group_wait_seq(&g)));
}

Test(aof_group, turns_while_a_batch_is_in_flight_join_the_next_one) {
    aof_group g;
    aof_group_init(&g);
    uint64_t first = aof_group_submit(&g);
    uint64_t w1 = aof_group_wait_seq(&g);
    cr_assert_not(aof_group_should_submit(&g, 5, false)); /* writer busy: accumulate */
    uint64_t w2 = aof_group_wait_seq(&g);
    cr_assert_eq(w1, w2);
    cr_assert(aof_group_should_submit(&g, 5, true)); /* a rewrite forces it out */
    aof_group_done(&g, first, true);
    cr_assert(aof_group_should_submit(&g, 5, false));
    uint64_t second = aof_group_submit(&g);
    cr_assert_eq(second, w1);
    cr_assert_not(aof_group_ready(&g, w1));
    aof_group_done(&g, second, true);
    cr_assert(aof_group_ready(&g, w2));
    cr_assert_eq(g.inflight, 0);
}

Test(aof_group, failed_batch_is_not_durable_and_the_retry_releases_it) {
    aof_group g;
    aof_group_init(&g);
    uint64_t w = aof_group_wait_seq(&g);
    uint64_t seq = aof_group_submit(&g);
    aof_group_done(&g, seq, false);
    cr_assert_not(aof_group_ready(&g, w));
    cr_assert_eq(g.inflight, 0);
    /* the bytes went back into the buffer: the retry is a later batch */
    uint64_t retry = aof_group_submit(&g);
    cr_assert_gt(retry, w);
    aof_group_done(&g, retry, true);
    cr_assert(aof_group_ready(&g, w));
}

Test(aof_group, out_of_order_completion_never_moves_durable_back) {
    aof_group g;
    aof_group_init(&g);
    uint64_t a = aof_group_submit(&g);
    uint64_t b = aof_group_submit(&g);
    aof_group_done(&g, b, true);
    aof_group_done(&g, a, true);
    cr_assert_eq(g.durable, b);
}

Test(aof_group, release_all_frees_every_waiter) {
    aof_group g;
    aof_group_init(&g);
    uint64_t w = aof_group_wait_seq(&g);
    aof_group_release_all(&g);
    cr_assert(aof_group_ready(&g, w));
    cr_assert_not(aof_group_ready(&g, aof_group_wait_seq(&g)));
}

Test(aof_sched, everysec_postpones_two_seconds_then_writes_late) {
    long long start = 0;
    cr_assert_eq(aof_sched_flush(AOF_FSYNC_EVERYSEC, false, true, 100, &start), AOF_FLUSH_POSTPONE);
    cr_assert_eq(start, 100);
    cr_assert_eq(aof_sched_flush(AOF_FSYNC_EVERYSEC, false, true, 101, &start), AOF_FLUSH_POSTPONE);
    cr_assert_eq(aof_sched_flush(AOF_FSYNC_EVERYSEC, false, true, 102, &start),
                 AOF_FLUSH_WRITE_LATE);
    cr_assert_eq(start, 0);
}

Test(aof_sched, no_fsync_running_or_forced_or_other_policy_writes_now) {
    long long start = 50;
    cr_assert_eq(aof_sched_flush(AOF_FSYNC_EVERYSEC, false, false, 100, &start), AOF_FLUSH_WRITE);
    cr_assert_eq(start, 0);
    cr_assert_eq(aof_sched_flush(AOF_FSYNC_EVERYSEC, true, true, 100, &start), AOF_FLUSH_WRITE);
    cr_assert_eq(aof_sched_flush(AOF_FSYNC_NO, false, true, 100, &start), AOF_FLUSH_WRITE);
    cr_assert_eq(aof_sched_flush(AOF_FSYNC_ALWAYS, false, true, 100, &start), AOF_FLUSH_WRITE);
}

Test(aof_sched, growth_trigger_as_redis) {
    long long g = 0;
    cr_assert_not(aof_sched_growth_due(1000, 100, 0, 0, &g));      /* percentage 0: off */
    cr_assert_not(aof_sched_growth_due(1000, 100, 100, 1000, &g)); /* not past min size */
    cr_assert(aof_sched_growth_due(200, 100, 100, 10, &g));
    cr_assert_eq(g, 100);
    cr_assert_not(aof_sched_growth_due(199, 100, 100, 10, &g));
    cr_assert(aof_sched_growth_due(50, 0, 100, 10, &g)); /* base 0 counts as 1 */
    cr_assert_eq(g, 4900);
}

Test(aof_sched, failing_rewrites_wait_1_2_4_up_to_60_minutes) {
    long long next = 0;
    int delay = 0;
    cr_assert_not(aof_sched_rewrite_limited(2, 1000, &next, &delay));
    cr_assert(aof_sched_rewrite_limited(3, 1000, &next, &delay));
    cr_assert_eq(delay, 1);
    cr_assert_eq(next, 1060);
    cr_assert(aof_sched_rewrite_limited(3, 1059, &next, &delay));
    cr_assert_not(aof_sched_rewrite_limited(3, 1060, &next, &delay)); /* the retry */
    cr_assert(aof_sched_rewrite_limited(4, 1061, &next, &delay));
    cr_assert_eq(delay, 2);
    for (int i = 0; i < 10; i++) {
        next = 0;
        aof_sched_rewrite_limited(5, 2000, &next, &delay);
    }
    cr_assert_eq(delay, 60);
    cr_assert_not(aof_sched_rewrite_limited(0, 2000, &next, &delay)); /* a success resets */
    cr_assert_eq(delay, 0);
}
