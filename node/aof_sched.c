/* aof_sched.c -- the AOF's timing decisions (see aof_sched.h).
 *
 * Owns: nothing; every function reads only its arguments. */
#include "aof_sched.h"

void aof_group_init(aof_group *g) {
    g->durable = 0;
    g->current = 1;
    g->submitted = 0;
    g->inflight = 0;
}

uint64_t aof_group_wait_seq(const aof_group *g) {
    return g->current;
}

bool aof_group_should_submit(const aof_group *g, size_t buffered, bool force) {
    if (buffered == 0) return false;
    return g->inflight == 0 || force;
}

uint64_t aof_group_submit(aof_group *g) {
    uint64_t seq = g->current++;
    g->submitted = seq;
    g->inflight++;
    return seq;
}

void aof_group_done(aof_group *g, uint64_t seq, bool ok) {
    if (g->inflight > 0) g->inflight--;
    if (ok && seq > g->durable) g->durable = seq;
}

bool aof_group_ready(const aof_group *g, uint64_t wait) {
    return wait <= g->durable;
}

void aof_group_release_all(aof_group *g) {
    g->durable = g->current;
    g->current = g->durable + 1;
}

enum aof_flush_action aof_sched_flush(int policy, bool force, bool fsync_running, long long now_s,
                                      long long *postponed_start) {
    if (policy != AOF_FSYNC_EVERYSEC || force || !fsync_running) {
        *postponed_start = 0;
        return AOF_FLUSH_WRITE;
    }
    if (*postponed_start == 0) {
        *postponed_start = now_s;
        return AOF_FLUSH_POSTPONE;
    }
    if (now_s - *postponed_start < 2) return AOF_FLUSH_POSTPONE;
    *postponed_start = 0;
    return AOF_FLUSH_WRITE_LATE;
}

bool aof_sched_growth_due(long long current, long long base, long long perc, long long min_size,
                          long long *growth) {
    if (perc == 0 || current <= min_size) return false;
    if (base == 0) base = 1;
    long long g = (current * 100 / base) - 100;
    if (growth) *growth = g;
    return g >= perc;
}

#define LIMIT_THRESHOLD 3
#define LIMIT_MAX_MINUTES 60

bool aof_sched_rewrite_limited(long long failures, long long now_s, long long *next_try,
                               int *delay_min) {
    if (failures < LIMIT_THRESHOLD) {
        *next_try = 0;
        *delay_min = 0;
        return false;
    }
    if (*next_try != 0) {
        if (now_s < *next_try) return true;
        *next_try = 0;
        return false;
    }
    *delay_min = *delay_min == 0 ? 1 : *delay_min * 2;
    if (*delay_min > LIMIT_MAX_MINUTES) *delay_min = LIMIT_MAX_MINUTES;
    *next_try = now_s + (long long)*delay_min * 60;
    return true;
}
