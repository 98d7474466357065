/* aof_cmdbase.c -- the dataset as commands (see aof_cmdbase.h).
 *
 * Owns: nothing; reads the dbs it is given and writes through the writer. */
#include "aof_cmdbase.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "quicklist.h"
#include "set.h"
#include "zset.h"

#define ITEMS_PER_CMD 64 /* Redis' AOF_REWRITE_ITEMS_PER_CMD */

typedef struct enc {
    rdb_writer *w;
    int rc;
    const kv *o;      /* the key being written */
    const char *cmd;  /* its command */
    size_t remaining; /* items left to write */
    size_t in_batch;  /* items written in the current command */
    int per_item;     /* arguments per item: 1 or 2 */
} enc;

static void put(enc *e, const void *p, size_t n) {
    if (e->rc == VG_OK && rdb_write(e->w, p, n) != VG_OK) e->rc = VG_ERR;
}

static void header(enc *e, char prefix, size_t n) {
    char tmp[32];
    int len = snprintf(tmp, sizeof(tmp), "%c%zu\r\n", prefix, n);
    put(e, tmp, (size_t)len);
}

static void bulk(enc *e, const char *p, size_t n) {
    header(e, '$', n);
    put(e, p, n);
    put(e, "\r\n", 2);
}

static void bulk_ll(enc *e, long long v) {
    char tmp[24];
    int n = vg_ll2str(tmp, v);
    bulk(e, tmp, (size_t)n);
}

static void bulk_double(enc *e, double d) {
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp), "%.17g", d);
    bulk(e, tmp, (size_t)n);
}

/* Before each item: open a new command when the last one is full. */
static void item_begin(enc *e) {
    if (e->in_batch == 0) {
        size_t n = e->remaining < ITEMS_PER_CMD ? e->remaining : ITEMS_PER_CMD;
        header(e, '*', 2 + n * (size_t)e->per_item);
        bulk(e, e->cmd, strlen(e->cmd));
        bulk(e, e->o->key, e->o->keylen);
    }
    e->in_batch++;
    e->remaining--;
    if (e->in_batch == ITEMS_PER_CMD) e->in_batch = 0;
}

static void member_cb(const char *m, size_t len, void *arg) {
    enc *e = arg;
    item_begin(e);
    bulk(e, m, len);
}

static void pair_cb(const char *f, size_t fl, const char *v, size_t vl, void *arg) {
    enc *e = arg;
    item_begin(e);
    bulk(e, f, fl);
    bulk(e, v, vl);
}

static void collection(enc *e, const char *cmd, size_t count, int per_item) {
    e->cmd = cmd;
    e->remaining = count;
    e->in_batch = 0;
    e->per_item = per_item;
}

static void value(enc *e, const kv *o) {
    e->o = o;
    switch (o->type) {
    case OBJ_STRING: {
        char tmp[24];
        size_t len;
        const char *s = kv_str(o, tmp, &len);
        put(e, "*3\r\n$3\r\nSET\r\n", 13);
        bulk(e, o->key, o->keylen);
        bulk(e, s, len);
        break;
    }
    case OBJ_LIST: {
        quicklist *ql = o->v.ptr;
        collection(e, "RPUSH", ql_count(ql), 1);
        ql_iter it;
        ql_entry en;
        ql_iter_init(&it, ql, QL_HEAD, 0);
        while (ql_next(&it, &en))
            member_cb(en.s, en.len, e);
        break;
    }
    case OBJ_SET:
        collection(e, "SADD", set_size(o), 1);
        set_foreach(o, member_cb, e);
        break;
    case OBJ_ZSET: {
        const zset *zs = ZSET_OF(o);
        size_t n = zset_len(zs);
        collection(e, "ZADD", n, 2);
        if (n == 0) break;
        zset_iter it;
        zset_iter_at(&it, zs, 0, false);
        const char *m;
        size_t len;
        double score;
        while (zset_iter_next(&it, &m, &len, &score)) {
            item_begin(e);
            bulk_double(e, score);
            bulk(e, m, len);
        }
        break;
    }
    case OBJ_HASH:
        collection(e, "HMSET", hash_length(o), 2);
        hash_foreach(o, pair_cb, e);
        break;
    }
}

typedef struct key_ctx {
    enc *e;
    const db *d;
    long long delay_us;
} key_ctx;

static void key_cb(dict_node *n, void *arg) {
    key_ctx *k = arg;
    const kv *o = (const kv *)n;
    value(k->e, o);
    int64_t when = db_get_expire(k->d, o);
    if (when >= 0) {
        put(k->e, "*3\r\n$9\r\nPEXPIREAT\r\n", 19);
        bulk(k->e, o->key, o->keylen);
        bulk_ll(k->e, when);
    }
    if (k->delay_us > 0) usleep((useconds_t)k->delay_us);
}

int aof_cmdbase_write(rdb_writer *w, db *dbs, int ndb, long long ts, long long key_delay_us,
                      vg_error *err) {
    enc e = {.w = w, .rc = VG_OK};
    if (ts > 0) {
        char tmp[40];
        int n = snprintf(tmp, sizeof(tmp), "#TS:%lld\r\n", ts);
        put(&e, tmp, (size_t)n);
    }
    for (int i = 0; i < ndb && e.rc == VG_OK; i++) {
        if (dict_size(&dbs[i].keys) == 0) continue;
        put(&e, "*2\r\n$6\r\nSELECT\r\n", 16);
        bulk_ll(&e, i);
        key_ctx k = {&e, &dbs[i], key_delay_us};
        dict_foreach(&dbs[i].keys, key_cb, &k);
    }
    if (e.rc == VG_OK) e.rc = rdb_writer_flush(w);
    if (e.rc != VG_OK)
        vg_error_set(err, "Write error writing append only file on disk: %s", strerror(w->error));
    return e.rc;
}
