/* aof_fsync.h -- the AOF's background I/O thread (Redis' BIO_AOF_FSYNC).
 *
 * Owns: one worker thread, its FIFO of jobs and the results it sends back
 * to the loop through a uv_async. Jobs run in submission order, so a file
 * is closed only after every write and fsync queued before on it.
 *
 *   loop: submit(job) --queue--> worker: write / fdatasync / close
 *   loop: done_cb(result) <--uv_async-- worker: result list
 *
 * Kinds: WRITE (appendfsync always: write the batch, fdatasync, report the
 * seq; a short write is truncated back so nothing partial stays in the
 * file), FSYNC (everysec), CLOSE (fsync then close an incr file a rewrite
 * replaced). The loop never blocks on the worker except in
 * aof_fsync_drain (turning the AOF off, shutting down). */
#ifndef VIGIL_NODE_AOF_FSYNC_H
#define VIGIL_NODE_AOF_FSYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "buf.h"
#include "vg_common.h"

enum aof_job_kind { AOF_JOB_WRITE, AOF_JOB_FSYNC, AOF_JOB_CLOSE };

typedef struct aof_job_result {
    int kind;          /* enum aof_job_kind */
    uint64_t seq;      /* WRITE: the batch */
    int err;           /* errno of the failed write or fsync, 0 ok */
    bool fsync_failed; /* the write went through, the fsync did not */
    bool synced;       /* WRITE: fdatasync was asked for (and, err 0, done) */
    buf data;          /* WRITE that failed: the bytes, handed back (owned by the callee) */
    long long written; /* WRITE: bytes that stayed in the file */
} aof_job_result;

/* Called on the loop thread for every finished job, in order. r->data may be
 * taken (buf_swap); what is left is freed after the call. */
typedef void (*aof_fsync_done_cb)(aof_job_result *r);

/* Start the thread (once; later calls return VG_OK). */
int aof_fsync_start(uv_loop_t *loop, aof_fsync_done_cb cb, vg_error *err);
/* Wait for every job, deliver the results, stop the thread. */
void aof_fsync_stop(void);
/* Wait until the queue is empty and deliver the results now. */
void aof_fsync_drain(void);

/* Write data (taken: emptied) to fd, fdatasync it unless !sync
 * (no-appendfsync-on-rewrite while a child runs), report seq. */
void aof_fsync_submit_write(int fd, buf *data, uint64_t seq, bool sync);
void aof_fsync_submit_fsync(int fd);
void aof_fsync_submit_close(int fd);

/* FSYNC jobs queued or running (INFO aof_pending_bio_fsync; as Redis, the
 * fsync+close of a replaced file is not one). */
unsigned long aof_fsync_pending(void);

#endif
