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
/* Start loading dir/dbfilename (loading.h: on a worker thread while the
 * loop answers -LOADING). cb runs on the loop when it is over: VG_OK, or
 * VG_ERR when the file was corrupt (logged; the node must exit). No file:
 * cb(VG_OK) before this returns. VG_ERR: the file exists but cannot be
 * opened; err->msg says why and cb is not called. */
int persist_load_at_start(void (*cb)(int status), vg_error *err);
/* DEBUG RELOAD: save (unless !save), then load the dump back. With flush
 * it loads into fresh dbs through loading.h's synchronous path, swapped in
 * at the end (a failed load keeps the dataset); without, on top of the
 * live dbs, merge letting its keys replace keys present. VG_OK, or which
 * step failed (err->msg says why). */
enum { PERSIST_RELOAD_SAVE_ERR = 1, PERSIST_RELOAD_LOAD_ERR = 2 };
int persist_reload(bool save, bool flush, bool merge, vg_error *err);
/* Write the dump synchronously. VG_ERR: err->msg says why. */
int persist_save(vg_error *err);
/* SHUTDOWN's save: flags are cmd_server.c's SHUTDOWN_* bits. */
int persist_shutdown_save(bool save, bool nosave, vg_error *err);
/* The RDB options every save uses (compression, checksum, clock, access
 * fields); the AOF base sets aof_base on top. */
rdb_save_opts persist_save_opts(void);
/* FLUSHALL's part, as Redis: stop a running BGSAVE (SIGUSR1, not an
 * error) and, when save points are set, save the now empty dataset so a
 * restart does not bring the flushed keys back. */
void persist_after_flushall(void);
/* Set o's access clock from a saved one (an RDB key's IDLE or FREQ opcode,
 * RESTORE's IDLETIME or FREQ): kind is an rdb_access_kind; FREQ counts only
 * under an LFU policy and IDLE (seconds) only under any other, as Redis'
 * objectSetLRUOrLFU. */
void persist_access_restore(kv *o, int kind, unsigned long long value);
/* LASTSAVE. */
long long persist_lastsave(void);
/* INFO's "# Persistence" fields of the RDB (info.c adds the AOF's and loading's). */
void persist_info(buf *out);
/* Cron: reap a finished BGSAVE child, start a scheduled one. */
void persist_cron(void);
/* The `save` parameter: parse s ("3600 1 300 100") into the save points,
 * replacing them, or adding to them when append (a repeated line in the
 * file); "" clears them. VG_ERR: "Invalid save parameters", nothing changed. */
int persist_parse_save(const char *s, bool append, vg_error *err);
/* The save points as CONFIG GET prints them: "3600 1 300 100 60 10000". */
void persist_render_save(buf *out);

#endif
