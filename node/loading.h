/* loading.h -- loading a dataset while the loop keeps answering clients.
 *
 * Owns: the one load in progress (server.loading, loading_state.h): its
 * worker thread, the fresh dbs that thread fills, the idle handle that
 * runs loop-side steps, and the INFO loading_* fields. libuv's loop is
 * not reentrant, so a load cannot serve clients from inside itself as
 * Redis' processEventsWhileBlocked does; a load is split instead:
 *
 *   loading_begin --> [1] off_thread(dbs)  on a worker thread, into fresh
 *                      |                   dbs no client can see
 *                      v  (uv_async wakes the loop)
 *                     [2] swap             loop thread: the fresh dbs'
 *                      |                   contents replace server.dbs'
 *                      v
 *                     [3] step() ...       loop thread, from a uv_idle
 *                      |                   handle, a bounded chunk per
 *                      v                   turn; clients served between
 *                     [4] done(status)     loading ends, then the callback
 *
 * Either phase may be absent. While a load runs, commands without the
 * ok-loading flag get -LOADING (command.c), the cron leaves the keyspace
 * alone (no active expiry, eviction or save points) and no key counts as
 * expired (Redis' keyIsExpired while loading). loading_run_sync runs the
 * same phases on the calling thread (DEBUG RELOAD; a replica's full sync
 * will use the asynchronous form). */
#ifndef VIGIL_NODE_LOADING_H
#define VIGIL_NODE_LOADING_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "kv.h"
#include "loading_state.h"
#include "vg_common.h"

/* What step returns besides VG_OK (finished) and VG_ERR. */
#define LOADING_MORE 1

typedef struct loading_job loading_job;
struct loading_job {
    /* Worker thread: fill dbs[0..ndb) (fresh, empty, their db_env safe off
     * the loop). It may only touch the job, the dbs, the loading_progress_*
     * calls and read-only start-up state. NULL: no off-thread phase. */
    int (*off_thread)(loading_job *job, db *dbs, int ndb, vg_error *err);
    /* Loop thread, after the swap: do a bounded piece of work on
     * server.dbs. LOADING_MORE: call again next turn. NULL: no such phase. */
    int (*step)(loading_job *job, vg_error *err);
    /* Loop thread, once: the load is over (loading_active() is false
     * again). status VG_OK, or VG_ERR with err (borrowed for the call).
     * The job is no longer borrowed once this is called: it may free it. */
    void (*done)(loading_job *job, int status, const vg_error *err);
    void *arg; /* borrowed: the job owner's state */
};

/* Start loading total_bytes (INFO's loading_total_bytes). Borrows job
 * until done runs. VG_ERR: a load already runs, or the thread did not
 * start (err says why; done is not called). */
int loading_begin(loading_job *job, long long total_bytes, vg_error *err);
/* Run every phase of job now, on this thread; done is called too. */
int loading_run_sync(loading_job *job, long long total_bytes, vg_error *err);
bool loading_active(void);
/* At shutdown: stop the worker and end the load; done is called with
 * VG_ERR "Loading aborted" so the job's owner frees what it holds. */
void loading_abort(void);

/* Progress, from either thread: bytes of the current file read so far
 * (INFO adds the files finished before it), and the used-mem aux field. */
void loading_progress_file(long long bytes);
void loading_progress_file_done(long long bytes);
void loading_progress_used_mem(long long used_mem);
/* For rdb_load_opts.progress: records offset and used_mem; false once the
 * load is being aborted. */
bool loading_rdb_progress(void *arg, uint64_t offset, long long used_mem);
/* rdb_load_opts.access_restore usable on the worker: the maxmemory
 * policy and access clocks as they were at loading_begin. */
void loading_access_restore(kv *o, int kind, unsigned long long value);

/* The loading_* lines of INFO persistence (nothing when no load runs). */
void loading_info(buf *out);

#endif
