/* aof_cmdbase.h -- the dataset as commands: an AOF base without RDB preamble.
 *
 * Owns: nothing; encodes the keyspace into a writer as Redis 7.0.15's
 * rewriteAppendOnlyFileRio does with aof-use-rdb-preamble no: per db with
 * keys a SELECT, then per key SET / RPUSH / SADD / ZADD / HMSET (at most 64
 * items a command, scores as %.17g), then PEXPIREAT when it has a TTL. */
#ifndef VIGIL_NODE_AOF_CMDBASE_H
#define VIGIL_NODE_AOF_CMDBASE_H

#include "db.h"
#include "rdb_io.h"
#include "vg_common.h"

/* Write dbs[0..ndb) as commands into w and flush it. ts > 0: start with the
 * "#TS:<ts>" annotation (aof-timestamp-enabled); key_delay_us > 0: sleep
 * after each key (rdb-key-save-delay, for tests). VG_ERR: err->msg says why. */
int aof_cmdbase_write(rdb_writer *w, db *dbs, int ndb, long long ts, long long key_delay_us,
                      vg_error *err);

#endif
