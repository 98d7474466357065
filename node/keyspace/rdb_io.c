/* rdb_io.c -- the buffered byte writer and reader under rdb.c.
 *
 * Owns: each writer's and reader's buffer. A writer collects bytes and
 * writes them to its fd in 64 KB blocks (or keeps them all in memory); a
 * reader fills its buffer from its fd (or reads a borrowed block in
 * place). Both keep the running CRC-64 and the byte offset that rdb.c
 * puts in the trailer and in its error messages. */
#include "rdb_io.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "crc64.h"
#include "vg_alloc.h"

#define RDB_IO_BLOCK (64 * 1024)

void rdb_writer_init_fd(rdb_writer *w, int fd) {
    memset(w, 0, sizeof(*w));
    w->fd = fd;
    w->cap = RDB_IO_BLOCK;
    w->buf = vg_malloc(w->cap);
}

void rdb_writer_init_mem(rdb_writer *w) {
    memset(w, 0, sizeof(*w));
    w->fd = -1;
    w->cap = 4096;
    w->buf = vg_malloc(w->cap);
}

int rdb_writer_flush(rdb_writer *w) {
    if (w->error) return VG_ERR;
    if (w->fd < 0) return VG_OK;
    size_t off = 0;
    while (off < w->len) {
        ssize_t n = write(w->fd, w->buf + off, w->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            w->error = n < 0 ? errno : EIO;
            return VG_ERR;
        }
        off += (size_t)n;
    }
    w->len = 0;
    return VG_OK;
}

int rdb_write(rdb_writer *w, const void *p, size_t n) {
    if (w->error) return VG_ERR;
    w->crc = crc64(w->crc, p, n);
    w->written += n;
    if (w->fd < 0) {
        if (w->len + n > w->cap) {
            while (w->len + n > w->cap)
                w->cap *= 2;
            w->buf = vg_realloc(w->buf, w->cap);
        }
        memcpy(w->buf + w->len, p, n);
        w->len += n;
        return VG_OK;
    }
    if (w->len + n > w->cap && rdb_writer_flush(w) != VG_OK) return VG_ERR;
    if (n >= w->cap) {
        /* A big blob goes straight out. */
        const unsigned char *s = p;
        size_t off = 0;
        while (off < n) {
            ssize_t k = write(w->fd, s + off, n - off);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) {
                w->error = k < 0 ? errno : EIO;
                return VG_ERR;
            }
            off += (size_t)k;
        }
        return VG_OK;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return VG_OK;
}

unsigned char *rdb_writer_take(rdb_writer *w, size_t *len) {
    unsigned char *b = w->buf;
    *len = w->len;
    w->buf = NULL;
    w->len = w->cap = 0;
    return b;
}

void rdb_writer_release(rdb_writer *w) {
    vg_free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

void rdb_reader_init_fd(rdb_reader *r, int fd, uint64_t size) {
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->buf = vg_malloc(RDB_IO_BLOCK);
    r->mem = r->buf;
    r->remaining = size;
}

void rdb_reader_init_mem(rdb_reader *r, const void *p, size_t len) {
    memset(r, 0, sizeof(*r));
    r->fd = -1;
    r->mem = p;
    r->len = len;
    r->remaining = len;
}

void rdb_reader_release(rdb_reader *r) {
    vg_free(r->buf);
    r->buf = NULL;
}

/* Refill an fd reader's buffer with what is left of the file. */
static int reader_fill(rdb_reader *r) {
    if (r->fd < 0) return VG_ERR;
    for (;;) {
        ssize_t n = read(r->fd, r->buf, RDB_IO_BLOCK);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return VG_ERR;
        r->pos = 0;
        r->len = (size_t)n;
        return VG_OK;
    }
}

int rdb_read(rdb_reader *r, void *dst, size_t n) {
    if (n > r->remaining) return VG_ERR;
    unsigned char *d = dst;
    size_t done = 0;
    while (done < n) {
        if (r->pos == r->len && reader_fill(r) != VG_OK) return VG_ERR;
        size_t k = r->len - r->pos;
        if (k > n - done) k = n - done;
        memcpy(d + done, r->mem + r->pos, k);
        r->pos += k;
        done += k;
    }
    r->crc = crc64(r->crc, dst, n);
    r->offset += n;
    r->remaining -= n;
    return VG_OK;
}
