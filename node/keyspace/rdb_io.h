/* rdb_io.h -- raw byte access for rdb.c (the types live in rdb.h).
 *
 * Owns: nothing beyond rdb.h's writer and reader. Both calls are sticky
 * on failure and keep the CRC-64 and offset current. */
#ifndef VIGIL_NODE_RDB_IO_H
#define VIGIL_NODE_RDB_IO_H

#include "rdb.h"

/* Append n bytes (borrowed for the call). VG_ERR: w->error holds errno. */
int rdb_write(rdb_writer *w, const void *p, size_t n);
/* Read exactly n bytes into dst. VG_ERR: the input ended first. */
int rdb_read(rdb_reader *r, void *dst, size_t n);

#endif
