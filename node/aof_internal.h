/* aof_internal.h -- what aof.c and aof_rewrite.c share; no one else.
 *
 * Owns: nothing; declares the writer's steps the rewrite needs (flush the
 * buffer, open a new incr file, persist the manifest) and the rewrite's
 * entry points the writer's glue calls. */
#ifndef VIGIL_NODE_AOF_INTERNAL_H
#define VIGIL_NODE_AOF_INTERNAL_H

#include <stdbool.h>

#include "aof_manifest.h"
#include "buf.h"
#include "vg_common.h"

/* --- aof.c --- */

/* flushAppendOnlyFile: write or submit the buffer; force ignores the
 * everysec postponing and submits past a batch in flight. */
void aof_flush(bool force);
/* Write the buffer and wait for the I/O thread: nothing stays in memory. */
void aof_flush_sync(void);
/* "<appenddirname>/<name>" into out (cleared first). */
void aof_path(buf *out, const char *name);
/* mkdir appenddirname unless it exists. VG_ERR: errno set. */
int aof_dir_create(void);
/* Write am as the manifest file atomically (fsync, rename, fsync of the
 * directory) when dirty. VG_ERR: logged. */
int aof_manifest_persist(aof_manifest *am);
/* openNewIncrAofForAppend: the rewrite's new incr file (or the temp incr
 * while AOF_WAIT_REWRITE), manifest persisted first. */
int aof_incr_open_new(void);
/* Delete the history files unless aof-disable-auto-gc, persist. */
void aof_history_delete(void);
/* Size of the file name in the AOF directory, 0 if missing. */
long long aof_file_size(const char *name);

/* --- aof_rewrite.c --- */

/* Fork the child writing a new base. VG_ERR: logged, status set. */
int aof_rewrite_background(void);
/* Write a base file at path synchronously (start-up with no AOF). */
int aof_rewrite_sync(const char *path);
/* Kill a running child and remove its temp file. */
void aof_rewrite_kill(void);
/* Cron part: reap the child, start scheduled or automatic rewrites. */
void aof_rewrite_cron(void);

#endif
