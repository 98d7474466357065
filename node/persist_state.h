/* persist_state.h -- the state of RDB persistence that server.h embeds.
 *
 * Owns: the persist_state struct (server.persist) and the one question the
 * dispatcher asks of it. Kept apart from persistence.h so that server.h and
 * command.c need nothing of persistence's glue, which sits above them. */
#ifndef VIGIL_NODE_PERSIST_STATE_H
#define VIGIL_NODE_PERSIST_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PERSIST_MAX_SAVE_POINTS 16
#define PERSIST_BGSAVE_RETRY_DELAY 5 /* seconds between BGSAVE attempts after a failure */

typedef struct persist_state {
    /* config */
    char *dbfilename;                             /* dbfilename (protected) */
    int rdbcompression;                           /* rdbcompression yes/no */
    int rdbchecksum;                              /* rdbchecksum yes/no */
    int stop_writes_on_bgsave_error;              /* stop-writes-on-bgsave-error */
    long long key_save_delay;                     /* rdb-key-save-delay: us per key saved (tests) */
    long long save_secs[PERSIST_MAX_SAVE_POINTS]; /* `save` points: seconds ... */
    long long save_changes[PERSIST_MAX_SAVE_POINTS]; /* ... and changes */
    int save_points;                                 /* how many */
    /* state */
    long long lastsave;        /* unix s of the last successful save */
    long long last_save_dirty; /* server.dirty when the last save started */
    bool last_status_ok;       /* rdb_last_bgsave_status */
    long long saves;           /* rdb_saves */
    long long last_time_sec;   /* rdb_last_bgsave_time_sec, -1 before any */
    long long load_keys_loaded;
    long long load_keys_expired;
    pid_t child_pid;         /* BGSAVE child, or -1 */
    int64_t child_start_ms;  /* when the child was forked */
    long long child_dirty;   /* server.dirty at the fork */
    bool bgsave_scheduled;   /* BGSAVE SCHEDULE while a child runs */
    int child_report_fd;     /* read end of the child's copy-on-write report, or -1 */
    long long last_cow_size; /* rdb_last_cow_size: bytes the last good child copied */
    long long last_try;      /* unix s of the last BGSAVE attempt */
} persist_state;

/* True when writes must be refused with -MISCONF: the last BGSAVE failed
 * while save points and stop-writes-on-bgsave-error are set. */
static inline bool persist_state_refuses_writes(const persist_state *p) {
    return p->stop_writes_on_bgsave_error && p->save_points > 0 && !p->last_status_ok;
}

#endif
