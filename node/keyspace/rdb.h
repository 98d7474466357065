/* rdb.h -- Redis' RDB file format, version 10, both directions.
 *
 * Owns: the encoding of a keyspace into RDB bytes and back, over a byte
 * writer and reader that this module defines (buffered fd or memory). It
 * reads no global: the caller passes the dbs, the encoding limits, the
 * clock and the aux fields. Loading validates everything before use:
 * every length against what remains, every listpack and intset blob with
 * its integrity check, every pair list for duplicates, the CRC-64
 * trailer. An error names the file offset where it was found.
 *
 * Saved encodings follow Redis 7.0.15: strings int-encoded when their
 * text is a canonical 32-bit integer, LZF-compressed past 20 bytes when
 * compression is on; lists as RDB_TYPE_LIST_QUICKLIST_2 of packed
 * listpacks; hashes and zsets as listpack blobs or full; sets as intset
 * blobs or full. Loading also reads the older types Redis 7.0 reads
 * (zset with text scores, linked lists) and refuses streams, modules and
 * functions with "type not supported". */
#ifndef VIGIL_NODE_RDB_H
#define VIGIL_NODE_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "hash.h"
#include "list.h"
#include "rdb_io.h"
#include "set.h"
#include "vg_common.h"

#define RDB_VERSION 10

/* What the LRU/LFU opcodes carry for one key, per maxmemory-policy. */
enum rdb_access_kind { RDB_ACCESS_NONE = 0, RDB_ACCESS_IDLE = 1, RDB_ACCESS_FREQ = 2 };

typedef struct rdb_save_opts {
    bool compression;       /* rdbcompression */
    bool checksum;          /* rdbchecksum: false writes a zero trailer */
    bool aof_base;          /* aof-base aux field 1: the base of a multi-part AOF */
    long long key_delay_us; /* rdb-key-save-delay: sleep after each key (tests) */
    int64_t now_ms;         /* ctime and TTL reference */
    long long used_mem;     /* used-mem aux field */
    int repl_stream_db;     /* repl-stream-db aux field */
    const char *repl_id;    /* repl-id aux field (40 hex chars) or NULL */
    long long repl_offset;  /* repl-offset aux field */
    int access_kind;        /* enum rdb_access_kind, from maxmemory-policy */
    /* Idle seconds (IDLE) or LFU counter (FREQ) of o; NULL with NONE. */
    unsigned long long (*access_value)(const kv *o);
} rdb_save_opts;

typedef struct rdb_load_opts {
    hash_limits hash;        /* hash-max-listpack-* */
    set_limits set;          /* set-max-intset-entries */
    list_limits list;        /* list-max-listpack-size */
    size_t zset_max_entries; /* zset-max-listpack-entries */
    size_t zset_max_value;   /* zset-max-listpack-value */
    int64_t now_ms;          /* keys already expired are dropped */
    bool drop_expired;       /* false on a replica: keep them */
    bool verify_checksum;    /* rdbchecksum */
    bool allow_dup;          /* a key already present is replaced (DEBUG RELOAD MERGE) */
    /* Restore the access clock of a loaded key (kind IDLE or FREQ); may be NULL. */
    void (*access_restore)(kv *o, int kind, unsigned long long value);
    /* Optional: called after each key with the bytes consumed so far and
     * the used-mem aux field (0 until read); false aborts the load. It may
     * run on a loading thread: it must touch nothing the loop owns. */
    bool (*progress)(void *arg, uint64_t offset, long long used_mem);
    void *progress_arg; /* borrowed: handed to progress */
} rdb_load_opts;

typedef struct rdb_load_info {
    long long keys_loaded;  /* rdb_last_load_keys_loaded */
    long long keys_expired; /* rdb_last_load_keys_expired */
    long long empty_skipped;
    int64_t ctime;         /* ctime aux field, or 0 */
    int repl_stream_db;    /* repl-stream-db aux, or -1 */
    char repl_id[41];      /* repl-id aux, or "" */
    long long repl_offset; /* repl-offset aux, or -1 */
    int rdb_version;       /* from the header */
    long long used_mem;    /* used-mem aux, or 0 */
    bool aof_base;         /* aof-base aux was 1 */
} rdb_load_info;

/* Write all of dbs[0..ndb) as one RDB file into w, flushing at the end.
 * VG_ERR: err->msg says why (a write error, with errno in w->error). */
int rdb_save(rdb_writer *w, db *dbs, int ndb, const rdb_save_opts *opt, vg_error *err);

/* Read one RDB file from r into dbs[0..ndb) (expected empty unless
 * opt->allow_dup; otherwise a key already present is an error). VG_ERR:
 * err->msg names the problem and the offset; the dbs keep what was loaded
 * before it (the caller empties them). */
int rdb_load(rdb_reader *r, db *dbs, int ndb, const rdb_load_opts *opt, rdb_load_info *info,
             vg_error *err);

/* One value as DUMP carries it: its RDB type byte, then the value, in the
 * encoding rdb_save gives a key's value. VG_ERR: a write error (w->error). */
int rdb_save_value(rdb_writer *w, const kv *o, bool compress);
/* Read one type byte and value (what rdb_save_value writes; any type and
 * encoding rdb_load reads) into a new kv named key, validated as rdb_load
 * validates a key's. VG_OK: *out returns new (kv_free). VG_ERR: *out is
 * NULL and err->msg says why and where; an empty value is an error here,
 * as RESTORE refuses one. Bytes after the value are not read. */
int rdb_load_value(rdb_reader *r, const rdb_load_opts *opt, const char *key, size_t klen, kv **out,
                   vg_error *err);

/* Bytes a string value takes in an RDB file, uncompressed. */
size_t rdb_string_serialized_length(const kv *o);
/* Bytes o's value takes in an RDB file (DEBUG OBJECT's serializedlength). */
size_t rdb_value_serialized_length(const kv *o, bool compress);

#endif
