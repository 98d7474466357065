/* rdb_dump.h -- the DUMP payload: one value in RDB form plus its footer.
 *
 * Owns: the framing DUMP writes and RESTORE checks, byte for byte as
 * Redis 7.0.15 frames it, so payloads move between Redis and Vigil:
 *
 *   +-----------+----------------+-----------------+-----------------+
 *   | type byte | value (RDB 10) | version (2, LE) | CRC-64 (8, LE)  |
 *   +-----------+----------------+-----------------+-----------------+
 *
 * The CRC-64 covers everything before it, version included. A payload is
 * never trusted: the footer is checked first (rdb_dump_verify), then the
 * value goes through the validating RDB loader (rdb_load_value) over the
 * bytes before the footer only. Pure: encoding limits come in through the
 * rdb_load_opts, compression as a flag. */
#ifndef VIGIL_NODE_RDB_DUMP_H
#define VIGIL_NODE_RDB_DUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "object.h"
#include "rdb.h"
#include "vg_common.h"

/* Version and CRC-64 after the value. */
#define RDB_DUMP_FOOTER_LEN 10

/* Returns new (vg_free): the DUMP payload of o's value, *len set.
 * compress: LZF for strings past 20 bytes (rdbcompression). */
unsigned char *rdb_dump_payload(const kv *o, bool compress, size_t *len);

/* The footer check RESTORE makes before anything else: at least the
 * footer's 10 bytes, an RDB version no newer than ours and a matching
 * CRC-64 (a zero CRC is no exception here, unlike in an RDB file). OUT:
 * *version (may be NULL) gets the version read when the payload is long
 * enough. */
bool rdb_dump_verify(const unsigned char *p, size_t len, int *version);

/* Decode the value of a payload rdb_dump_verify accepted into a new kv
 * named key. VG_OK: *out returns new (kv_free). VG_ERR: *out NULL, err->msg
 * names the problem (RESTORE answers "ERR Bad data format" for any). */
int rdb_dump_decode(const unsigned char *p, size_t len, const rdb_load_opts *opt, const char *key,
                    size_t klen, kv **out, vg_error *err);

#endif
