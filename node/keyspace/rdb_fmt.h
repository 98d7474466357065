/* rdb_fmt.h -- RDB format constants and the length/string primitives
 * shared by rdb.c (save) and rdb_load.c (load).
 *
 * Owns: nothing. Numbers are Redis 7.0.15's (rdb.h), which the file
 * format fixes. */
#ifndef VIGIL_NODE_RDB_FMT_H
#define VIGIL_NODE_RDB_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdb_io.h"

#define RDB_REDIS_VER "7.0.15"

#define RDB_6BITLEN 0
#define RDB_14BITLEN 1
#define RDB_32BITLEN 0x80
#define RDB_64BITLEN 0x81
#define RDB_ENCVAL 3
#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3

enum rdb_type {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_LIST = 1,
    RDB_TYPE_SET = 2,
    RDB_TYPE_ZSET = 3,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_MODULE = 6,
    RDB_TYPE_MODULE_2 = 7,
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_STREAM_LISTPACKS = 15,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_STREAM_LISTPACKS_2 = 19,
};

enum rdb_opcode {
    RDB_OPCODE_FUNCTION2 = 245,
    RDB_OPCODE_FUNCTION = 246,
    RDB_OPCODE_MODULE_AUX = 247,
    RDB_OPCODE_IDLE = 248,
    RDB_OPCODE_FREQ = 249,
    RDB_OPCODE_AUX = 250,
    RDB_OPCODE_RESIZEDB = 251,
    RDB_OPCODE_EXPIRETIME_MS = 252,
    RDB_OPCODE_EXPIRETIME = 253,
    RDB_OPCODE_SELECTDB = 254,
    RDB_OPCODE_EOF = 255,
};

#define RDB_QUICKLIST_PLAIN 1
#define RDB_QUICKLIST_PACKED 2

/* Save primitives (rdb.c). */
int rdb_write_len(rdb_writer *w, uint64_t len);
/* A string as Redis' rdbSaveRawString writes it: int-encoded when it is
 * the canonical text of a 32-bit integer, LZF past 20 bytes if compress. */
int rdb_write_string(rdb_writer *w, const char *s, size_t len, bool compress);

#endif
