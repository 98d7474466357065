/* aof_state.h -- the state of the append-only file that server.h embeds.
 *
 * Owns: the aof_state struct (server.aof): the AOF parameters under
 * Redis 7.0's names, and the writer's and loader's run-time state. Kept
 * apart from the AOF's glue (aof.h) so server.h needs nothing above the
 * keyspace. */
#ifndef VIGIL_NODE_AOF_STATE_H
#define VIGIL_NODE_AOF_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "aof_sched.h"
#include "buf.h"

struct aof_manifest;

/* The AOF's run-time state, as Redis' AOF_OFF / AOF_ON / AOF_WAIT_REWRITE:
 * WAIT_REWRITE is CONFIG SET appendonly yes until its first rewrite ends. */
enum aof_run_state { AOF_OFF = 0, AOF_ON = 1, AOF_WAIT_REWRITE = 2 };

typedef struct aof_state {
    /* --- config (node_config.c) --- */
    int enabled;                   /* appendonly */
    char *dirname;                 /* appenddirname (immutable) */
    char *filename;                /* appendfilename (immutable) */
    int fsync;                     /* appendfsync: enum aof_fsync_policy */
    int use_rdb_preamble;          /* aof-use-rdb-preamble */
    int load_truncated;            /* aof-load-truncated */
    int no_fsync_on_rewrite;       /* no-appendfsync-on-rewrite */
    int rewrite_incremental_fsync; /* aof-rewrite-incremental-fsync */
    int timestamp_enabled;         /* aof-timestamp-enabled */
    int disable_auto_gc;           /* aof-disable-auto-gc */
    long long rewrite_perc;        /* auto-aof-rewrite-percentage */
    long long rewrite_min_size;    /* auto-aof-rewrite-min-size */
    /* --- run-time state: the writer (aof.c) and the loader add theirs --- */
    int state;                     /* enum aof_run_state */
    int fd;                        /* the incr file appended to, or -1 */
    int sink;                      /* propagate sink handle, or -1 */
    struct aof_manifest *manifest; /* owned: the manifest on disk */
    buf buffer;                    /* owned: commands not yet written (aof_buf) */
    long long current_size;        /* aof_current_size: base + incr files */
    long long base_size;           /* aof_base_size (Redis' aof_rewrite_base_size) */
    long long last_incr_size;      /* bytes in the incr file being appended */
    long long last_incr_fsync_off; /* last_incr_size at the last fsync */
    long long last_fsync;          /* unix s of the last fsync (started) */
    long long flush_postponed;     /* unix s a postponed write started waiting, or 0 */
    long long delayed_fsync;       /* aof_delayed_fsync */
    long long cur_timestamp;       /* last #TS annotation written */
    bool last_write_ok;            /* aof_last_write_status (write(2) side) */
    int last_write_errno;          /* errno of the failed write, for -MISCONF */
    bool fsync_ok;                 /* the background fsync side of that status */
    int fsync_errno;               /* its errno */
    /* group commit (appendfsync always): replies wait for their batch */
    aof_group group; /* batches fed, submitted, durable (aof_sched.h) */
    /* rewrite (aof_rewrite.c) */
    pid_t child_pid;              /* BGREWRITEAOF child, or -1 */
    long long rewrite_time_start; /* unix s, or -1 */
    long long rewrite_time_last;  /* aof_last_rewrite_time_sec, -1 before any */
    bool rewrite_scheduled;       /* aof_rewrite_scheduled */
    bool last_bgrewrite_ok;       /* aof_last_bgrewrite_status */
    long long rewrites;           /* aof_rewrites */
    long long rewrite_failures;   /* aof_rewrites_consecutive_failures */
    long long rewrite_next_try;   /* aofRewriteLimited: unix s, 0 none */
    int rewrite_delay_min;        /* its current delay in minutes */
} aof_state;

/* Redis' writeCommandsDeniedByDiskError for the AOF: a write or a
 * background fsync failed while the AOF is on. */
static inline bool aof_state_refuses_writes(const aof_state *a) {
    return a->state != AOF_OFF && (!a->last_write_ok || !a->fsync_ok);
}

/* The errno to name in the -MISCONF reply. */
static inline int aof_state_error_errno(const aof_state *a) {
    return !a->last_write_ok ? a->last_write_errno : a->fsync_errno;
}

/* Whether a reply that waits for batch seq may go out: appendfsync always
 * holds a client's replies until the batch holding its writes is durable. */
static inline bool aof_state_reply_ready(const aof_state *a, uint64_t seq) {
    return aof_group_ready(&a->group, seq);
}

/* A BGREWRITEAOF child runs: no BGSAVE may fork meanwhile, as in Redis. */
static inline bool aof_state_child_active(const aof_state *a) {
    return a->child_pid > 0;
}

#endif
