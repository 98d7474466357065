/* rdb_io.h -- the buffered byte writer and reader under the RDB codec.
 *
 * Owns: rdb_writer and rdb_reader (over an fd or a memory block). Reads
 * and writes are sticky on failure and keep the CRC-64 and offset
 * current. Includes nothing of the codec, so rdb.h and rdb_fmt.h both
 * build on it without a cycle. */
#ifndef VIGIL_NODE_RDB_IO_H
#define VIGIL_NODE_RDB_IO_H

#include <stddef.h>
#include <stdint.h>

#include "vg_common.h"

/* A buffered writer. Bytes go to the fd, or to a memory block when fd < 0
 * (mem, owned by the writer until rdb_writer_take). */
typedef struct rdb_writer {
    int fd;             /* borrowed: destination, or -1 for memory */
    unsigned char *buf; /* owned: pending bytes (fd) or everything (memory) */
    size_t len;         /* bytes in buf */
    size_t cap;         /* capacity of buf */
    uint64_t crc;       /* CRC-64 of every byte written */
    uint64_t written;   /* bytes written so far */
    int error;          /* errno of the first failed write, sticky */
} rdb_writer;

/* A buffered reader over an fd, or over a borrowed memory block. */
typedef struct rdb_reader {
    int fd;                   /* borrowed: source, or -1 for memory */
    const unsigned char *mem; /* borrowed: the block (memory) or buf (fd) */
    unsigned char *buf;       /* owned: fd read buffer */
    size_t pos;               /* next unread byte in mem */
    size_t len;               /* bytes available in mem */
    uint64_t crc;             /* CRC-64 of every byte consumed */
    uint64_t offset;          /* bytes consumed so far */
    uint64_t remaining;       /* bytes left to read (file size - offset) */
} rdb_reader;

void rdb_writer_init_fd(rdb_writer *w, int fd);
void rdb_writer_init_mem(rdb_writer *w);
/* Flush pending bytes to the fd. VG_ERR: w->error holds errno. */
int rdb_writer_flush(rdb_writer *w);
/* Memory writer: returns its block (caller frees with vg_free), *len set. */
unsigned char *rdb_writer_take(rdb_writer *w, size_t *len);
void rdb_writer_release(rdb_writer *w);

/* size is the fd's file size: lengths are checked against what remains. */
void rdb_reader_init_fd(rdb_reader *r, int fd, uint64_t size);
void rdb_reader_init_mem(rdb_reader *r, const void *p, size_t len);
void rdb_reader_release(rdb_reader *r);

/* Append n bytes (borrowed for the call). VG_ERR: w->error holds errno. */
int rdb_write(rdb_writer *w, const void *p, size_t n);
/* Read exactly n bytes into dst. VG_ERR: the input ended first. */
int rdb_read(rdb_reader *r, void *dst, size_t n);

#endif
