/* rdb.c -- saving a keyspace as an RDB version 10 file (see rdb.h).
 *
 * Owns: nothing beyond each call. The value encodings are written as
 * Redis 7.0.15 writes them, so redis-server and redis-check-rdb read the
 * file, and rdb_load.c reads it back. */
#include "rdb.h"

#include <string.h>

#include "buf.h"
#include "intset.h"
#include "listpack.h"
#include "lzf.h"
#include "quicklist.h"
#include "rdb_fmt.h"
#include "rdb_io.h"
#include "vg_alloc.h"
#include "zset.h"

static int w_byte(rdb_writer *w, unsigned char b) {
    return rdb_write(w, &b, 1);
}

int rdb_write_len(rdb_writer *w, uint64_t len) {
    unsigned char b[9];
    if (len < (1 << 6)) return w_byte(w, (unsigned char)len);
    if (len < (1 << 14)) {
        b[0] = (unsigned char)(0x40 | (len >> 8));
        b[1] = (unsigned char)len;
        return rdb_write(w, b, 2);
    }
    int n = len <= 0xffffffffu ? 4 : 8;
    b[0] = n == 4 ? RDB_32BITLEN : RDB_64BITLEN;
    for (int i = 0; i < n; i++)
        b[1 + i] = (unsigned char)(len >> (8 * (n - 1 - i)));
    return rdb_write(w, b, (size_t)n + 1);
}

/* Integer encoding of v if it fits 32 bits: returns bytes written to b, or 0. */
static int int_encoding(long long v, unsigned char *b) {
    if (v >= -128 && v <= 127) {
        b[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        b[1] = (unsigned char)(v & 0xff);
        return 2;
    }
    if (v >= -32768 && v <= 32767) {
        b[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        b[1] = (unsigned char)(v & 0xff);
        b[2] = (unsigned char)((v >> 8) & 0xff);
        return 3;
    }
    if (v >= -2147483648LL && v <= 2147483647LL) {
        b[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        for (int i = 0; i < 4; i++)
            b[1 + i] = (unsigned char)((v >> (8 * i)) & 0xff);
        return 5;
    }
    return 0;
}

static int w_lzf(rdb_writer *w, const char *s, size_t len, bool *done) {
    *done = false;
    size_t outlen = len - 4;
    unsigned char *out = vg_malloc(outlen + 1);
    size_t clen = lzf_compress(s, len, out, outlen);
    int rc = VG_OK;
    if (clen > 0) {
        *done = true;
        if (w_byte(w, (RDB_ENCVAL << 6) | RDB_ENC_LZF) != VG_OK ||
            rdb_write_len(w, clen) != VG_OK || rdb_write_len(w, len) != VG_OK ||
            rdb_write(w, out, clen) != VG_OK)
            rc = VG_ERR;
    }
    vg_free(out);
    return rc;
}

int rdb_write_string(rdb_writer *w, const char *s, size_t len, bool compress) {
    long long v;
    if (len > 0 && len <= 11 && vg_str2ll(s, len, &v)) {
        unsigned char b[5];
        int n = int_encoding(v, b);
        if (n) return rdb_write(w, b, (size_t)n);
    }
    if (compress && len > 20) {
        bool done;
        if (w_lzf(w, s, len, &done) != VG_OK) return VG_ERR;
        if (done) return VG_OK;
    }
    if (rdb_write_len(w, len) != VG_OK) return VG_ERR;
    return rdb_write(w, s, len);
}

static int w_ll_string(rdb_writer *w, long long v) {
    unsigned char b[5];
    int n = int_encoding(v, b);
    if (n) return rdb_write(w, b, (size_t)n);
    char tmp[24];
    int l = vg_ll2str(tmp, v);
    if (rdb_write_len(w, (uint64_t)l) != VG_OK) return VG_ERR;
    return rdb_write(w, tmp, (size_t)l);
}

size_t rdb_string_serialized_length(const kv *o) {
    if (o->encoding == OBJ_ENC_INT) {
        unsigned char b[5];
        int n = int_encoding(o->v.ll, b);
        if (n) return (size_t)n;
    }
    size_t len = kv_strlen(o);
    size_t hdr = len < 64 ? 1 : len < 16384 ? 2 : len <= 0xffffffffu ? 5 : 9;
    return hdr + len;
}

static int w_u64le(rdb_writer *w, uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return rdb_write(w, b, 8);
}

/* ---------------------------------------------------------- value types */

typedef struct pair_ctx {
    rdb_writer *w;
    bool compress;
    int rc;
} pair_ctx;

static void w_hash_pair_cb(const char *f, size_t fl, const char *v, size_t vl, void *arg) {
    pair_ctx *c = arg;
    if (c->rc != VG_OK) return;
    if (rdb_write_string(c->w, f, fl, c->compress) != VG_OK ||
        rdb_write_string(c->w, v, vl, c->compress) != VG_OK)
        c->rc = VG_ERR;
}

static void w_member_cb(const char *m, size_t len, void *arg) {
    pair_ctx *c = arg;
    if (c->rc != VG_OK) return;
    if (rdb_write_string(c->w, m, len, c->compress) != VG_OK) c->rc = VG_ERR;
}

static int w_list(rdb_writer *w, const kv *o, bool compress) {
    const quicklist *ql = o->v.ptr;
    if (rdb_write_len(w, ql->len) != VG_OK) return VG_ERR;
    for (const ql_node *n = ql->head; n; n = n->next) {
        if (rdb_write_len(w, RDB_QUICKLIST_PACKED) != VG_OK) return VG_ERR;
        if (rdb_write_string(w, (const char *)n->lp, lp_bytes(n->lp), compress) != VG_OK)
            return VG_ERR;
    }
    return VG_OK;
}

static int w_zset(rdb_writer *w, const kv *o, bool compress) {
    const zset *zs = ZSET_OF(o);
    if (zset_is_listpack(zs)) return rdb_write_string(w, zs->p, lp_bytes(zs->p), compress);
    size_t n = zset_len(zs);
    if (rdb_write_len(w, n) != VG_OK) return VG_ERR;
    if (n == 0) return VG_OK;
    /* Tail to head, as Redis does, so a loader inserts at the head. */
    zset_iter it;
    zset_iter_at(&it, zs, n - 1, true);
    const char *m;
    size_t len;
    double score;
    while (zset_iter_next(&it, &m, &len, &score)) {
        uint64_t bits;
        memcpy(&bits, &score, 8);
        if (rdb_write_string(w, m, len, compress) != VG_OK || w_u64le(w, bits) != VG_OK)
            return VG_ERR;
    }
    return VG_OK;
}

static int w_value(rdb_writer *w, const kv *o, bool compress) {
    pair_ctx c = {w, compress, VG_OK};
    switch (o->type) {
    case OBJ_STRING:
        if (o->encoding == OBJ_ENC_INT) return w_ll_string(w, o->v.ll);
        {
            char tmp[24];
            size_t len;
            const char *s = kv_str(o, tmp, &len);
            return rdb_write_string(w, s, len, compress);
        }
    case OBJ_LIST:
        return w_list(w, o, compress);
    case OBJ_SET:
        if (o->encoding == OBJ_ENC_INTSET)
            return rdb_write_string(w, o->v.ptr, intset_blob_len(o->v.ptr), compress);
        if (rdb_write_len(w, set_size(o)) != VG_OK) return VG_ERR;
        set_foreach(o, w_member_cb, &c);
        return c.rc;
    case OBJ_ZSET:
        return w_zset(w, o, compress);
    case OBJ_HASH:
        if (o->encoding == OBJ_ENC_LISTPACK)
            return rdb_write_string(w, o->v.ptr, lp_bytes(o->v.ptr), compress);
        if (rdb_write_len(w, hash_length(o)) != VG_OK) return VG_ERR;
        hash_foreach(o, w_hash_pair_cb, &c);
        return c.rc;
    }
    return VG_ERR;
}

static int rdb_type_of(const kv *o) {
    switch (o->type) {
    case OBJ_STRING:
        return RDB_TYPE_STRING;
    case OBJ_LIST:
        return RDB_TYPE_LIST_QUICKLIST_2;
    case OBJ_SET:
        return o->encoding == OBJ_ENC_INTSET ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case OBJ_ZSET:
        return o->encoding == OBJ_ENC_LISTPACK ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    case OBJ_HASH:
        return o->encoding == OBJ_ENC_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    }
    return -1;
}

int rdb_save_value(rdb_writer *w, const kv *o, bool compress) {
    int t = rdb_type_of(o);
    if (t < 0) return VG_ERR;
    if (w_byte(w, (unsigned char)t) != VG_OK) return VG_ERR;
    return w_value(w, o, compress);
}

static int w_key(rdb_writer *w, const db *d, const kv *o, const rdb_save_opts *opt) {
    int64_t when = db_get_expire(d, o);
    if (when >= 0) {
        if (w_byte(w, RDB_OPCODE_EXPIRETIME_MS) != VG_OK || w_u64le(w, (uint64_t)when) != VG_OK)
            return VG_ERR;
    }
    if (opt->access_kind == RDB_ACCESS_IDLE && opt->access_value) {
        if (w_byte(w, RDB_OPCODE_IDLE) != VG_OK || rdb_write_len(w, opt->access_value(o)) != VG_OK)
            return VG_ERR;
    } else if (opt->access_kind == RDB_ACCESS_FREQ && opt->access_value) {
        if (w_byte(w, RDB_OPCODE_FREQ) != VG_OK ||
            w_byte(w, (unsigned char)opt->access_value(o)) != VG_OK)
            return VG_ERR;
    }
    int t = rdb_type_of(o);
    if (t < 0) return VG_ERR;
    if (w_byte(w, (unsigned char)t) != VG_OK) return VG_ERR;
    if (rdb_write_string(w, o->key, o->keylen, opt->compression) != VG_OK) return VG_ERR;
    return w_value(w, o, opt->compression);
}

size_t rdb_value_serialized_length(const kv *o, bool compress) {
    rdb_writer w;
    rdb_writer_init_mem(&w);
    w_value(&w, o, compress);
    size_t n = (size_t)w.written;
    rdb_writer_release(&w);
    return n;
}

/* ------------------------------------------------------------ file */

static int w_aux(rdb_writer *w, const char *k, const char *v, size_t vlen) {
    if (w_byte(w, RDB_OPCODE_AUX) != VG_OK) return VG_ERR;
    if (rdb_write_string(w, k, strlen(k), false) != VG_OK) return VG_ERR;
    return rdb_write_string(w, v, vlen, false);
}

static int w_aux_ll(rdb_writer *w, const char *k, long long v) {
    char tmp[24];
    int n = vg_ll2str(tmp, v);
    return w_aux(w, k, tmp, (size_t)n);
}

static int w_header(rdb_writer *w, const rdb_save_opts *opt) {
    char magic[16];
    memcpy(magic, "REDIS0010", 9);
    if (rdb_write(w, magic, 9) != VG_OK) return VG_ERR;
    if (w_aux(w, "redis-ver", RDB_REDIS_VER, strlen(RDB_REDIS_VER)) != VG_OK) return VG_ERR;
    if (w_aux_ll(w, "redis-bits", (long long)(sizeof(void *) * 8)) != VG_OK) return VG_ERR;
    if (w_aux_ll(w, "ctime", (long long)(opt->now_ms / 1000)) != VG_OK) return VG_ERR;
    if (w_aux_ll(w, "used-mem", opt->used_mem) != VG_OK) return VG_ERR;
    if (opt->repl_id) {
        if (w_aux_ll(w, "repl-stream-db", opt->repl_stream_db) != VG_OK) return VG_ERR;
        if (w_aux(w, "repl-id", opt->repl_id, strlen(opt->repl_id)) != VG_OK) return VG_ERR;
        if (w_aux_ll(w, "repl-offset", opt->repl_offset) != VG_OK) return VG_ERR;
    }
    return w_aux_ll(w, "aof-base", 0);
}

typedef struct key_ctx {
    rdb_writer *w;
    const db *d;
    const rdb_save_opts *opt;
    int rc;
} key_ctx;

static void w_key_cb(dict_node *n, void *arg) {
    key_ctx *c = arg;
    if (c->rc == VG_OK) c->rc = w_key(c->w, c->d, (const kv *)n, c->opt);
}

static int w_db(rdb_writer *w, db *d, const rdb_save_opts *opt) {
    size_t n = dict_size(&d->keys);
    if (n == 0) return VG_OK;
    if (w_byte(w, RDB_OPCODE_SELECTDB) != VG_OK || rdb_write_len(w, (uint64_t)d->id) != VG_OK)
        return VG_ERR;
    if (w_byte(w, RDB_OPCODE_RESIZEDB) != VG_OK || rdb_write_len(w, n) != VG_OK ||
        rdb_write_len(w, d->nvol) != VG_OK)
        return VG_ERR;
    key_ctx c = {w, d, opt, VG_OK};
    dict_foreach(&d->keys, w_key_cb, &c);
    return c.rc;
}

int rdb_save(rdb_writer *w, db *dbs, int ndb, const rdb_save_opts *opt, vg_error *err) {
    int rc = w_header(w, opt);
    for (int i = 0; rc == VG_OK && i < ndb; i++)
        rc = w_db(w, &dbs[i], opt);
    if (rc == VG_OK) rc = w_byte(w, RDB_OPCODE_EOF);
    if (rc == VG_OK) rc = w_u64le(w, opt->checksum ? w->crc : 0);
    if (rc == VG_OK) rc = rdb_writer_flush(w);
    if (rc != VG_OK) vg_error_set(err, "Write error saving DB on disk: %s", strerror(w->error));
    return rc;
}
