/* aof_sched.h -- the AOF's timing decisions, as pure functions.
 *
 * Owns: nothing but arithmetic. The glue (aof.c, aof_rewrite.c) asks here
 * whether to write the buffer now, whether a batch of replies may go out,
 * whether the AOF grew enough for a rewrite and whether failing rewrites
 * must wait; time and state are passed in, so unit tests drive every case.
 *
 * Group commit (appendfsync always), one counter per batch:
 *
 *   feed commands -> batch `current` --submit--> writer thread (write+fsync)
 *        ^                                            |
 *        +-- current++ at submit        done(ok): durable = seq
 *
 * A client whose commands were fed into batch S has its replies held until
 * durable >= S. A batch is submitted only when none is in flight (unless
 * forced), so every loop turn that finds the writer busy joins the next
 * batch: one fsync covers all of them. A failed batch is not durable; its
 * bytes go back in front of the buffer and the next batch carries them. */
#ifndef VIGIL_NODE_AOF_SCHED_H
#define VIGIL_NODE_AOF_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* appendfsync, as Redis' AOF_FSYNC_* (server.aof.fsync holds one). */
enum aof_fsync_policy { AOF_FSYNC_NO = 0, AOF_FSYNC_ALWAYS = 1, AOF_FSYNC_EVERYSEC = 2 };

typedef struct aof_group {
    uint64_t durable;   /* every batch up to this seq is written and fsynced */
    uint64_t current;   /* the batch commands fed now belong to (> durable) */
    uint64_t submitted; /* the last seq handed to the writer, 0 none */
    int inflight;       /* batches submitted and not yet done */
} aof_group;

/* Nothing fed, nothing durable: durable 0, current 1. */
void aof_group_init(aof_group *g);
/* The seq a client fed now must wait for. */
uint64_t aof_group_wait_seq(const aof_group *g);
/* Submit now? buffered bytes wait while a batch is in flight, unless force
 * (a rewrite switching files must not carry them over). */
bool aof_group_should_submit(const aof_group *g, size_t buffered, bool force);
/* The current batch goes to the writer: returns its seq, opens the next. */
uint64_t aof_group_submit(aof_group *g);
/* The writer finished batch seq; ok: written and fsynced. */
void aof_group_done(aof_group *g, uint64_t seq, bool ok);
/* May replies waiting for batch wait go out? 0 never waited. */
bool aof_group_ready(const aof_group *g, uint64_t wait);
/* The AOF stops: whatever was fed is released. */
void aof_group_release_all(aof_group *g);

/* What flushAppendOnlyFile does with a non-empty buffer. */
enum aof_flush_action {
    AOF_FLUSH_WRITE,     /* write it now */
    AOF_FLUSH_POSTPONE,  /* everysec, an fsync running: wait (up to 2 s) */
    AOF_FLUSH_WRITE_LATE /* waited 2 s already: write anyway, count aof_delayed_fsync */
};

/* Redis' postponing rule. *postponed_start: 0 or when the wait began (unix
 * s); set when a wait begins, cleared when the buffer is written. */
enum aof_flush_action aof_sched_flush(int policy, bool force, bool fsync_running, long long now_s,
                                      long long *postponed_start);

/* Auto rewrite: current size past min_size and grown by perc percent over
 * base (1 when 0). *growth gets the percentage for the log. perc 0: never. */
bool aof_sched_growth_due(long long current, long long base, long long perc, long long min_size,
                          long long *growth);

/* Redis' aofRewriteLimited: after 3 consecutive failures an automatic
 * rewrite waits 1, 2, 4 ... up to 60 minutes. *next_try and *delay_min are
 * the limiter's memory (start at 0). True: do not start one now. */
bool aof_sched_rewrite_limited(long long failures, long long now_s, long long *next_try,
                               int *delay_min);

#endif
