/* t_hash.c -- the hash commands (Redis 7.0 semantics).
 *
 * Owns: nothing beyond the replies; the values are hash.c's. Commands:
 * HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS
 * HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN. A key never holds an
 * empty hash: the command that removes the last field deletes the key. */
#include "hash.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "buf.h"
#include "cmd_util.h"
#include "command.h"
#include "db.h"
#include "dict.h"
#include "listpack.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "scan.h"
#include "server.h"
#include "vg_alloc.h"

/* Room for an HINCRBYFLOAT result, as Redis' MAX_LONG_DOUBLE_CHARS. */
#define HASH_LD_BUF 5120

/* ---- handler helpers -------------------------------------------------------------------- */

/* The hash at argv[1] for reading: false after replying WRONGTYPE. *o may be NULL. */
static bool hash_read(client *c, kv **o) {
    *o = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, 0);
    if (*o && (*o)->type != OBJ_HASH) {
        reply_wrong_type(c);
        return false;
    }
    return true;
}

/* The hash at argv[1] for writing, created when absent; NULL after WRONGTYPE. */
static kv *hash_write(client *c) {
    const vg_slice *k = &c->argv[1];
    kv *o = db_lookup_write(c->db, k->ptr, k->len);
    if (o && o->type != OBJ_HASH) {
        reply_wrong_type(c);
        return NULL;
    }
    if (o == NULL) {
        o = hash_kv_new(k->ptr, k->len);
        db_add(c->db, o);
    }
    return o;
}

/* ---- HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS ----------------------------- */

static void hset_generic(client *c, bool hmset) {
    if (c->argc % 2 != 0) {
        command_reply_arity_error(c);
        return;
    }
    kv *o = hash_write(c);
    if (o == NULL) return;
    long long created = 0;
    for (int i = 2; i < c->argc; i += 2)
        created += hash_set(o, c->argv[i].ptr, c->argv[i].len, c->argv[i + 1].ptr,
                            c->argv[i + 1].len, &server.hash);
    key_changed(c, &c->argv[1], NOTIFY_HASH, "hset");
    if (hmset)
        reply_ok(c);
    else
        reply_int(c, created);
}

static void cmd_hset(client *c) {
    hset_generic(c, false);
}

static void cmd_hmset(client *c) {
    hset_generic(c, true);
}

static void cmd_hsetnx(client *c) {
    kv *o = hash_write(c);
    if (o == NULL) return;
    char ib[HASH_IBUF_SIZE];
    size_t vl;
    if (hash_get(o, c->argv[2].ptr, c->argv[2].len, ib, &vl)) {
        reply_int(c, 0);
        return;
    }
    hash_set(o, c->argv[2].ptr, c->argv[2].len, c->argv[3].ptr, c->argv[3].len, &server.hash);
    key_changed(c, &c->argv[1], NOTIFY_HASH, "hset");
    reply_int(c, 1);
}

static void cmd_hget(client *c) {
    kv *o;
    if (!hash_read(c, &o)) return;
    char ib[HASH_IBUF_SIZE];
    size_t vl;
    const char *v = o ? hash_get(o, c->argv[2].ptr, c->argv[2].len, ib, &vl) : NULL;
    if (v)
        reply_bulk(c, v, vl);
    else
        reply_null(c);
}

static void cmd_hmget(client *c) {
    kv *o;
    if (!hash_read(c, &o)) return;
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        char ib[HASH_IBUF_SIZE];
        size_t vl;
        const char *v = o ? hash_get(o, c->argv[i].ptr, c->argv[i].len, ib, &vl) : NULL;
        if (v)
            reply_bulk(c, v, vl);
        else
            reply_null(c);
    }
}

static void cmd_hdel(client *c) {
    const vg_slice *k = &c->argv[1];
    kv *o = db_lookup_write(c->db, k->ptr, k->len);
    if (o && o->type != OBJ_HASH) {
        reply_wrong_type(c);
        return;
    }
    long long deleted = 0;
    bool emptied = false;
    for (int i = 2; o && i < c->argc; i++) {
        deleted += hash_delete(o, c->argv[i].ptr, c->argv[i].len);
        if (hash_length(o) == 0) {
            db_delete(c->db, k->ptr, k->len);
            emptied = true;
            break;
        }
    }
    if (deleted) {
        key_changed(c, &c->argv[1], NOTIFY_HASH, "hdel");
        if (emptied) notify_keyspace_event(NOTIFY_GENERIC, "del", k->ptr, k->len, c->db->id);
    }
    reply_int(c, deleted);
}

static void cmd_hlen(client *c) {
    kv *o;
    if (hash_read(c, &o)) reply_int(c, o ? (long long)hash_length(o) : 0);
}

static void cmd_hstrlen(client *c) {
    kv *o;
    if (!hash_read(c, &o)) return;
    char ib[HASH_IBUF_SIZE];
    size_t vl = 0;
    if (o == NULL || !hash_get(o, c->argv[2].ptr, c->argv[2].len, ib, &vl)) vl = 0;
    reply_int(c, (long long)vl);
}

static void cmd_hexists(client *c) {
    kv *o;
    if (!hash_read(c, &o)) return;
    char ib[HASH_IBUF_SIZE];
    size_t vl;
    reply_int(c, o && hash_get(o, c->argv[2].ptr, c->argv[2].len, ib, &vl) ? 1 : 0);
}

/* ---- HKEYS HVALS HGETALL ---------------------------------------------------------------- */

enum { GETALL_KEYS = 1, GETALL_VALS = 2 };

typedef struct getall_ctx {
    client *c;
    int what;
} getall_ctx;

static void getall_cb(const char *f, size_t fl, const char *v, size_t vl, void *arg) {
    getall_ctx *g = arg;
    if (g->what & GETALL_KEYS) reply_bulk(g->c, f, fl);
    if (g->what & GETALL_VALS) reply_bulk(g->c, v, vl);
}

static void getall_generic(client *c, int what) {
    kv *o;
    if (!hash_read(c, &o)) return;
    long long n = o ? (long long)hash_length(o) : 0;
    if (what == (GETALL_KEYS | GETALL_VALS))
        reply_map(c, n);
    else
        reply_array(c, n);
    getall_ctx g = {c, what};
    if (o) hash_foreach(o, getall_cb, &g);
}

static void cmd_hkeys(client *c) {
    getall_generic(c, GETALL_KEYS);
}

static void cmd_hvals(client *c) {
    getall_generic(c, GETALL_VALS);
}

static void cmd_hgetall(client *c) {
    getall_generic(c, GETALL_KEYS | GETALL_VALS);
}

/* ---- HINCRBY HINCRBYFLOAT --------------------------------------------------------------- */

static void cmd_hincrby(client *c) {
    long long incr, cur = 0;
    if (!arg_ll(c, &c->argv[3], &incr)) return;
    kv *o = hash_write(c);
    if (o == NULL) return;
    const vg_slice *f = &c->argv[2];
    char ib[HASH_IBUF_SIZE];
    size_t vl;
    const char *v = hash_get(o, f->ptr, f->len, ib, &vl);
    if (v && !vg_str2ll(v, vl, &cur)) {
        reply_error(c, "ERR hash value is not an integer");
        return;
    }
    if ((incr < 0 && cur < 0 && incr < LLONG_MIN - cur) ||
        (incr > 0 && cur > 0 && incr > LLONG_MAX - cur)) {
        reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    cur += incr;
    char out[HASH_IBUF_SIZE];
    int n = vg_ll2str(out, cur);
    hash_set(o, f->ptr, f->len, out, (size_t)n, &server.hash);
    key_changed(c, &c->argv[1], NOTIFY_HASH, "hincrby");
    reply_int(c, cur);
}

static void cmd_hincrbyfloat(client *c) {
    long double incr, cur = 0;
    if (!vg_str2ld(c->argv[3].ptr, c->argv[3].len, &incr)) {
        reply_error(c, "ERR value is not a valid float");
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(c, "ERR value is NaN or Infinity");
        return;
    }
    kv *o = hash_write(c);
    if (o == NULL) return;
    const vg_slice *f = &c->argv[2];
    char ib[HASH_IBUF_SIZE];
    size_t vl;
    const char *v = hash_get(o, f->ptr, f->len, ib, &vl);
    if (v && !vg_str2ld(v, vl, &cur)) {
        reply_error(c, "ERR hash value is not a float");
        return;
    }
    long double sum = cur + incr;
    char out[HASH_LD_BUF];
    int n = isnan(sum) || isinf(sum) ? -1 : vg_ld2str(out, sizeof(out), sum);
    if (n < 0 || (size_t)n >= sizeof(out)) {
        reply_error(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    hash_set(o, f->ptr, f->len, out, (size_t)n, &server.hash);
    key_changed(c, &c->argv[1], NOTIFY_HASH, "hincrbyfloat");
    reply_bulk(c, out, (size_t)n);
    propagate_rewrite_arg(c, 0, PROPAGATE_LIT("HSET")); /* the result, as Redis sends it */
    propagate_rewrite_arg(c, 3, (vg_slice){out, (size_t)n});
}

/* ---- HRANDFIELD ------------------------------------------------------------------------- */

/* Every entry of a hash as a position: listpack field positions or hnodes. */
typedef struct entry_refs {
    void **items; /* owned array; entries borrowed from the hash */
    size_t n;
} entry_refs;

static void refs_node_cb(dict_node *n, void *arg) {
    entry_refs *r = arg;
    r->items[r->n++] = n;
}

static void refs_collect(const kv *o, entry_refs *r) {
    r->items = vg_malloc(hash_length(o) * sizeof(void *) + 1);
    r->n = 0;
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->v.ptr;
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)))
            r->items[r->n++] = p;
    } else {
        dict_foreach(&((hash_table *)o->v.ptr)->d, refs_node_cb, r);
    }
}

/* Reply one entry: the field, and its value when withvalues (a pair in RESP3). */
static void reply_entry(client *c, const kv *o, void *ref, bool withvalues) {
    if (withvalues && c->resp > 2) reply_array(c, 2);
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->v.ptr, *p = ref;
        char ib[HASH_IBUF_SIZE];
        size_t len;
        const char *s = lp_get_str(p, ib, &len);
        reply_bulk(c, s, len);
        if (withvalues) {
            s = lp_get_str(lp_next(lp, p), ib, &len);
            reply_bulk(c, s, len);
        }
        return;
    }
    const hnode *h = ref;
    reply_bulk(c, h->data, h->flen);
    if (withvalues) reply_bulk(c, hnode_val(h), h->vlen);
}

/* Parse HRANDFIELD's count and WITHVALUES in Redis' order; false after an error. */
static bool hrandfield_args(client *c, long long *count, bool *withvalues) {
    if (!arg_ll(c, &c->argv[2], count)) return false;
    if (*count == LLONG_MIN) {
        reply_error(c, "ERR value is out of range, value must between -9223372036854775807 and "
                       "9223372036854775807");
        return false;
    }
    if (c->argc > 4 || (c->argc == 4 && !arg_is(&c->argv[3], "withvalues"))) {
        reply_syntax_error(c);
        return false;
    }
    *withvalues = c->argc == 4;
    if (*withvalues && (*count < -LLONG_MAX / 2 || *count > LLONG_MAX / 2)) {
        reply_error(c, "ERR value is out of range");
        return false;
    }
    return true;
}

static void hrandfield_with_count(client *c, const kv *o, long long count, bool withvalues) {
    size_t size = hash_length(o);
    entry_refs r;
    refs_collect(o, &r);
    long long items = count < 0 ? -count : (long long)size < count ? (long long)size : count;
    if (withvalues && c->resp == 2)
        reply_array(c, items * 2);
    else
        reply_array(c, items);
    if (count < 0) {
        /* Repetitions allowed: independent picks. */
        for (long long i = 0; i < items; i++)
            reply_entry(c, o, r.items[server_random() % r.n], withvalues);
    } else {
        /* Distinct picks: a partial Fisher-Yates shuffle over the positions. */
        for (long long i = 0; i < items; i++) {
            size_t j = (size_t)i + (size_t)(server_random() % (r.n - (size_t)i));
            void *t = r.items[i];
            r.items[i] = r.items[j];
            r.items[j] = t;
            reply_entry(c, o, r.items[i], withvalues);
        }
    }
    vg_free(r.items);
}

static void cmd_hrandfield(client *c) {
    long long count = 0;
    bool withvalues = false;
    if (c->argc >= 3 && !hrandfield_args(c, &count, &withvalues)) return;
    kv *o;
    if (!hash_read(c, &o)) return;
    if (c->argc >= 3) {
        if (o == NULL || count == 0)
            reply_array(c, 0);
        else
            hrandfield_with_count(c, o, count, withvalues);
        return;
    }
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->v.ptr;
        size_t n = hash_length(o);
        reply_entry(c, o, lp_seek(lp, (long long)(server_random() % n) * 2), false);
    } else {
        reply_entry(c, o, dict_random(&((hash_table *)o->v.ptr)->d, server_random), false);
    }
}

/* ---- HSCAN ------------------------------------------------------------------------------ */

typedef struct hscan_batch {
    hnode **items; /* owned array; nodes borrowed from the hash */
    size_t n, cap;
} hscan_batch;

static void hscan_cb(dict_node *n, void *arg) {
    hscan_batch *b = arg;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->items = vg_realloc(b->items, b->cap * sizeof(hnode *));
    }
    b->items[b->n++] = (hnode *)n;
}

typedef struct hscan_lp_ctx {
    const scan_args *a;
    client *c;
    long long n; /* bulk strings written */
} hscan_lp_ctx;

static void hscan_lp_cb(const char *f, size_t fl, const char *v, size_t vl, void *arg) {
    hscan_lp_ctx *x = arg;
    if (!scan_match(x->a, f, fl)) return;
    reply_bulk(x->c, f, fl);
    reply_bulk(x->c, v, vl);
    x->n += 2;
}

/* A listpack hash answers in one call with cursor 0, as in Redis. */
static void hscan_listpack(client *c, const kv *o, const scan_args *a) {
    hscan_lp_ctx x = {a, c, 0};
    reply_array(c, 2);
    reply_bulk(c, "0", 1);
    size_t handle = reply_deferred(c);
    hash_foreach(o, hscan_lp_cb, &x);
    reply_deferred_array(c, handle, x.n);
}

static void hscan_table(client *c, const kv *o, scan_args *a) {
    hash_table *ht = o->v.ptr;
    hscan_batch b = {NULL, 0, 0};
    /* Bounded like Redis: count*10 buckets, saturating for a huge COUNT. */
    long long maxiter = a->count > LLONG_MAX / 10 ? LLONG_MAX : a->count * 10;
    uint64_t cursor = a->cursor;
    /* Each field counts with its value, as Redis counts list items. */
    do {
        cursor = dict_scan(&ht->d, cursor, hscan_cb, &b);
    } while (cursor && maxiter-- && (long long)b.n * 2 < a->count);
    size_t kept = 0;
    for (size_t i = 0; i < b.n; i++)
        if (scan_match(a, b.items[i]->data, b.items[i]->flen)) b.items[kept++] = b.items[i];
    scan_reply_header(c, cursor, (long long)kept * 2);
    for (size_t i = 0; i < kept; i++) {
        reply_bulk(c, b.items[i]->data, b.items[i]->flen);
        reply_bulk(c, hnode_val(b.items[i]), b.items[i]->vlen);
    }
    vg_free(b.items);
}

static void cmd_hscan(client *c) {
    scan_args a;
    if (!scan_parse_cursor(c, &c->argv[2], &a.cursor)) return;
    kv *o;
    if (!hash_read(c, &o)) return;
    if (o == NULL) {
        scan_reply_header(c, 0, 0);
        return;
    }
    if (!scan_parse_options(c, 3, false, &a)) return;
    if (o->encoding == OBJ_ENC_LISTPACK)
        hscan_listpack(c, o, &a);
    else
        hscan_table(c, o, &a);
}

/* ---- command table ---------------------------------------------------------------------- */

/* clang-format off */

#define H_W (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define H_RF (CMD_READONLY | CMD_FAST)
#define H_KEY .first_key = 1, .last_key = 1, .key_step = 1
#define H_DOC(s, v) .summary = s, .since = v, .group = "hash"

static command hash_commands[] = {
    {.name = "hset", .proc = cmd_hset, .arity = -4, .flags = H_W, .acl_cats = "@write @hash @fast", H_KEY, H_DOC("Set the string value of a hash field", "2.0.0")},
    {.name = "hsetnx", .proc = cmd_hsetnx, .arity = 4, .flags = H_W, .acl_cats = "@write @hash @fast", H_KEY, H_DOC("Set the value of a hash field, only if the field does not exist", "2.0.0")},
    {.name = "hmset", .proc = cmd_hmset, .arity = -4, .flags = H_W, .acl_cats = "@write @hash @fast", H_KEY, H_DOC("Set multiple hash fields to multiple values", "2.0.0")},
    {.name = "hget", .proc = cmd_hget, .arity = 3, .flags = H_RF, .acl_cats = "@read @hash @fast", H_KEY, H_DOC("Get the value of a hash field", "2.0.0")},
    {.name = "hmget", .proc = cmd_hmget, .arity = -3, .flags = H_RF, .acl_cats = "@read @hash @fast", H_KEY, H_DOC("Get the values of all the given hash fields", "2.0.0")},
    {.name = "hdel", .proc = cmd_hdel, .arity = -3, .flags = CMD_WRITE | CMD_FAST, .acl_cats = "@write @hash @fast", H_KEY, H_DOC("Delete one or more hash fields", "2.0.0")},
    {.name = "hlen", .proc = cmd_hlen, .arity = 2, .flags = H_RF, .acl_cats = "@read @hash @fast", H_KEY, .key_need_first = CMD_KEY_NONE, H_DOC("Get the number of fields in a hash", "2.0.0")},
    {.name = "hstrlen", .proc = cmd_hstrlen, .arity = 3, .flags = H_RF, .acl_cats = "@read @hash @fast", H_KEY, .key_need_first = CMD_KEY_NONE, H_DOC("Get the length of the value of a hash field", "3.2.0")},
    {.name = "hexists", .proc = cmd_hexists, .arity = 3, .flags = H_RF, .acl_cats = "@read @hash @fast", H_KEY, .key_need_first = CMD_KEY_NONE, H_DOC("Determine if a hash field exists", "2.0.0")},
    {.name = "hkeys", .proc = cmd_hkeys, .arity = 2, .flags = CMD_READONLY, .acl_cats = "@read @hash @slow", H_KEY, H_DOC("Get all the fields in a hash", "2.0.0")},
    {.name = "hvals", .proc = cmd_hvals, .arity = 2, .flags = CMD_READONLY, .acl_cats = "@read @hash @slow", H_KEY, H_DOC("Get all the values in a hash", "2.0.0")},
    {.name = "hgetall", .proc = cmd_hgetall, .arity = 2, .flags = CMD_READONLY, .acl_cats = "@read @hash @slow", H_KEY, H_DOC("Get all the fields and values in a hash", "2.0.0")},
    {.name = "hincrby", .proc = cmd_hincrby, .arity = 4, .flags = H_W, .acl_cats = "@write @hash @fast", H_KEY, .key_need_first = CMD_KEY_RW, H_DOC("Increment the integer value of a hash field by the given number", "2.0.0")},
    {.name = "hincrbyfloat", .proc = cmd_hincrbyfloat, .arity = 4, .flags = H_W, .acl_cats = "@write @hash @fast", H_KEY, .key_need_first = CMD_KEY_RW, H_DOC("Increment the float value of a hash field by the given amount", "2.6.0")},
    {.name = "hrandfield", .proc = cmd_hrandfield, .arity = -2, .flags = CMD_READONLY, .acl_cats = "@read @hash @slow", H_KEY, H_DOC("Get one or multiple random fields from a hash", "6.2.0")},
    {.name = "hscan", .proc = cmd_hscan, .arity = -3, .flags = CMD_READONLY, .acl_cats = "@read @hash @slow", H_KEY, H_DOC("Incrementally iterate hash fields and associated values", "2.8.0")},
};
/* clang-format on */
COMMAND_TABLE(hash_commands)
