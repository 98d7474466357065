/* persistence.h -- RDB snapshots for the node: SAVE, BGSAVE, LASTSAVE,
 * loading at start, SHUTDOWN's save and INFO persistence.
 *
 * Owns: `server.persist` (declared in persist_state.h) and the dump file in `dir`. The
 * encoding itself is keyspace/rdb.h; this is the glue that picks the file,
 * writes it atomically (temp-<pid>.rdb, fsync, rename, fsync the
 * directory) and keeps the counters INFO shows. */
#ifndef VIGIL_NODE_PERSISTENCE_H
#define VIGIL_NODE_PERSISTENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "object.h"
#include "persist_state.h"
#include "rdb.h"
#include "vg_common.h"

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
/* The RDB options every save uses (compression, checksum, clock, access
 * fields); the AOF base sets aof_base on top. */
rdb_save_opts persist_save_opts(void);
/* Set o's access clock from a saved one (an RDB key's IDLE or FREQ opcode,
 * RESTORE's IDLETIME or FREQ): kind is an rdb_access_kind; FREQ counts only
 * under an LFU policy and IDLE (seconds) only under any other, as Redis'
 * objectSetLRUOrLFU. */
void persist_access_restore(kv *o, int kind, unsigned long long value);
/* LASTSAVE. */
long long persist_lastsave(void);
/* The body of INFO's "# Persistence" section. */
void persist_info(buf *out);
/* Cron: reap a finished BGSAVE child, start a scheduled one. */
void persist_cron(void);
/* Parse p->save into the save points (the `save` parameter's apply). */
int persist_parse_save(const char *s, vg_error *err);

#endif
