/* aof.h -- the append-only file's writer: Redis 7.0's multi-part AOF.
 *
 * Owns: server.aof's run-time state (declared in aof_state.h), the open
 * incr file and the manifest in `dir/appenddirname/`. Every write reaches
 * it through the propagate funnel (a PROPAGATE_AOF sink) as the RESP
 * Redis would append, and leaves per appendfsync:
 *   always    batches go to the I/O thread (aof_fsync.h) to be written and
 *             fdatasync'ed; the writers' replies are held until then
 *             (group commit: one fsync per batch, see aof_sched.h);
 *   everysec  written before the loop sleeps, fsync'ed by the thread once
 *             a second, writes postponed up to 2 s while one runs;
 *   no        written before the loop sleeps, never fsync'ed.
 * A failed write refuses writes with -MISCONF until one succeeds again.
 * BGREWRITEAOF (aof_rewrite.c) forks a child writing a new base.
 * The loader (reading the files at start) is aof_load.c. */
#ifndef VIGIL_NODE_AOF_H
#define VIGIL_NODE_AOF_H

#include <stdbool.h>

#include "aof_manifest.h"
#include "aof_state.h"
#include "buf.h"
#include "vg_common.h"

/* Start-up, after loading: with appendonly yes open (creating when needed)
 * the directory, a base when there is none, the last incr file, and persist
 * the manifest, as Redis' aofOpenIfNeededOnServerStart. am: the manifest
 * the loader read (taken), or NULL: read it here, or start a new one.
 * VG_ERR: err->msg says why; the node must not start. */
int aof_open_at_start(aof_manifest *am, vg_error *err);
/* Before the loop sleeps, after the propagate flush and before replies go
 * out: write (or submit) the buffer. */
void aof_before_sleep(void);
/* Cron: postponed and failed writes, the rewrite child, automatic and
 * scheduled rewrites. */
void aof_cron(void);
/* Shutdown: kill a rewrite child, write and fsync what is buffered, stop
 * the I/O thread, release every held reply. */
void aof_shutdown(void);
/* CONFIG SET appendonly's apply: start (AOF_WAIT_REWRITE) or stop. */
int aof_config_changed(vg_error *err);

/* A BGREWRITEAOF child is running. */
bool aof_child_active(void);
/* INFO persistence: the aof_* lines before module_fork_in_progress ... */
void aof_info_main(buf *out);
/* ... and, with appendonly yes, the ones after module_fork_last_cow_size. */
void aof_info_enabled(buf *out);

#endif
