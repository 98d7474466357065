/* persistence.h -- RDB snapshots for the node: SAVE, BGSAVE, LASTSAVE,
 * loading at start, SHUTDOWN's save and INFO persistence.
 *
 * Owns: `server.persist` (declared here) and the dump file in `dir`. The
 * encoding itself is keyspace/rdb.h; this is the glue that picks the file,
 * writes it atomically (temp-<pid>.rdb, fsync, rename, fsync the
 * directory) and keeps the counters INFO shows. */
#ifndef VIGIL_NODE_PERSISTENCE_H
#define VIGIL_NODE_PERSISTENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "vg_common.h"

typedef struct persist_state {
    /* config */
    char *dbfilename;                /* dbfilename (protected) */
    int rdbcompression;              /* rdbcompression yes/no */
    int rdbchecksum;                 /* rdbchecksum yes/no */
    char *save;                      /* save points as text: "900 1 300 10" */
    int stop_writes_on_bgsave_error; /* stop-writes-on-bgsave-error */
    long long save_secs[16];         /* parsed save points: seconds ... */
    long long save_changes[16];      /* ... and changes */
    int save_points;                 /* how many */
    /* state */
    long long lastsave;        /* unix s of the last successful save */
    long long last_save_dirty; /* server.dirty when the last save started */
    bool last_status_ok;       /* rdb_last_bgsave_status */
    long long saves;           /* rdb_saves */
    long long last_time_sec;   /* rdb_last_bgsave_time_sec, -1 before any */
    long long load_keys_loaded;
    long long load_keys_expired;
    pid_t child_pid;        /* BGSAVE child, or -1 */
    int64_t child_start_ms; /* when the child was forked */
    long long child_dirty;  /* server.dirty at the fork */
    bool bgsave_scheduled;  /* BGSAVE SCHEDULE while a child runs */
} persist_state;

/* Set up the state from the config at start-up (parses `save`, checks
 * `dbfilename`). VG_ERR: err->msg says which parameter is wrong. */
int persist_init(vg_error *err);
/* Load dir/dbfilename if it exists. VG_ERR: the file is unreadable or
 * corrupt; err->msg says why and where (the node must not start). */
int persist_load_at_start(vg_error *err);
/* Write the dump synchronously. VG_ERR: err->msg says why. */
int persist_save(vg_error *err);
/* SHUTDOWN's save: flags are cmd_server.c's SHUTDOWN_* bits. */
int persist_shutdown_save(bool save, bool nosave, vg_error *err);
/* LASTSAVE. */
long long persist_lastsave(void);
/* The body of INFO's "# Persistence" section. */
void persist_info(buf *out);
/* Cron: reap a finished BGSAVE child, start a scheduled one. */
void persist_cron(void);
/* Parse p->save into the save points (the `save` parameter's apply). */
int persist_parse_save(const char *s, vg_error *err);
/* True when writes must be refused with -MISCONF (last bgsave failed). */
bool persist_writes_refused(void);

#endif
