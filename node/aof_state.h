/* aof_state.h -- the state of the append-only file that server.h embeds.
 *
 * Owns: the aof_state struct (server.aof): the AOF parameters under
 * Redis 7.0's names, and the writer's and loader's run-time state. Kept
 * apart from the AOF's glue (aof.h) so server.h needs nothing above the
 * keyspace. */
#ifndef VIGIL_NODE_AOF_STATE_H
#define VIGIL_NODE_AOF_STATE_H

#include <stdbool.h>

/* appendfsync, as Redis' AOF_FSYNC_*. */
enum aof_fsync_policy { AOF_FSYNC_NO = 0, AOF_FSYNC_ALWAYS = 1, AOF_FSYNC_EVERYSEC = 2 };

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
} aof_state;

#endif
