/* cmd_keys.c -- generic key commands: DEL UNLINK EXISTS TYPE KEYS SCAN RENAME
 * RENAMENX MOVE COPY RANDOMKEY DBSIZE SWAPDB FLUSHDB FLUSHALL, the EXPIRE and
 * TTL families, PERSIST TOUCH and OBJECT.
 *
 * Owns: nothing; handlers act on the keyspace through db.h and reply with
 * Redis 7.0's exact replies and errors. Every change to a key goes through
 * db_signal_modified and, as in Redis, raises its keyspace notification;
 * whole-db changes (flush, swap) are signalled by db_empty and db_swap. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_util.h"
#include "command.h"
#include "glob.h"
#include "evict.h"
#include "lazyfree.h"
#include "notify.h"
#include "persistence.h"
#include "propagate.h"
#include "reply.h"
#include "scan.h"
#include "server.h"
#include "vg_alloc.h"

/* Redis shares the integers 0..9999 unless an LRU/LFU maxmemory policy
 * needs per-key access data; OBJECT REFCOUNT shows the difference. */
#define SHARED_INTEGERS 10000
#define SHARED_REFCOUNT 2147483647LL

static bool policy_is_lru_or_lfu(void) {
    return evict_policy_is_lfu() || server.maxmemory_policy == MAXMEMORY_ALLKEYS_LRU ||
           server.maxmemory_policy == MAXMEMORY_VOLATILE_LRU;
}

/* DB index argument as Redis' getIntFromObjectOrReply: an int, no range check. */
static bool arg_db_index(client *c, const vg_slice *a, const char *notint, long long *out) {
    if (!vg_str2ll(a->ptr, a->len, out)) {
        reply_error(c, notint ? notint : "ERR value is not an integer or out of range");
        return false;
    }
    if (*out < INT32_MIN || *out > INT32_MAX) {
        reply_error(c, notint ? notint
                              : "ERR value is out of range, value must between -2147483648 and "
                                "2147483647");
        return false;
    }
    return true;
}

/* An index parsed by arg_db_index, checked against the configured databases. */
static bool db_in_range(client *c, long long id, db **out) {
    if (id < 0 || id >= server.databases) {
        reply_error(c, "ERR DB index is out of range");
        return false;
    }
    *out = &server.dbs[id];
    return true;
}

/* DB index argument: parsed, then range-checked. */
static bool arg_db(client *c, const vg_slice *a, const char *notint, db **out) {
    long long id;
    return arg_db_index(c, a, notint, &id) && db_in_range(c, id, out);
}

static bool same_key(const vg_slice *a, const vg_slice *b) {
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* ---- DEL UNLINK EXISTS TYPE TOUCH ---------------------------------------------------------- */

static void del_generic(client *c, bool lazy) {
    long long n = 0;
    for (int j = 1; j < c->argc; j++) {
        const vg_slice *k = &c->argv[j];
        if (db_lookup_write(c->db, k->ptr, k->len) == NULL)
            continue; /* absent, or just expired and deleted by the lookup */
        kv *o = db_unlink(c->db, k->ptr, k->len);
        if (lazy)
            lazyfree_kv(o);
        else
            kv_free(o);
        key_changed(c, k, NOTIFY_GENERIC, "del");
        n++;
    }
    reply_int(c, n);
}

static void cmd_del(client *c) {
    del_generic(c, server.lazyfree_lazy_user_del);
}

static void cmd_unlink(client *c) {
    del_generic(c, true);
}

static void cmd_exists(client *c) {
    long long n = 0;
    for (int j = 1; j < c->argc; j++)
        if (db_lookup_read(c->db, c->argv[j].ptr, c->argv[j].len, DB_LOOKUP_NOTOUCH)) n++;
    reply_int(c, n);
}

static void cmd_touch(client *c) {
    long long n = 0;
    for (int j = 1; j < c->argc; j++)
        if (db_lookup_read(c->db, c->argv[j].ptr, c->argv[j].len, 0)) n++;
    reply_int(c, n);
}

static void cmd_type(client *c) {
    kv *o = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, DB_LOOKUP_NOTOUCH);
    reply_simple(c, o ? kv_type_name(o->type) : "none");
}

/* ---- KEYS SCAN --------------------------------------------------------------------------- */

typedef struct keys_ctx {
    client *c;
    const char *pat;
    size_t plen;
    bool all;
    long long n;
} keys_ctx;

static void keys_cb(dict_node *n, void *arg) {
    keys_ctx *k = arg;
    kv *o = (kv *)n;
    if (!k->all && !glob_match(k->pat, k->plen, o->key, o->keylen, false)) return;
    if (db_key_is_expired(k->c->db, o, server.now_ms))
        return; /* hidden; deleting here would disturb the walk */
    reply_bulk(k->c, o->key, o->keylen);
    k->n++;
}

static void cmd_keys(client *c) {
    keys_ctx k = {c, c->argv[1].ptr, c->argv[1].len, false, 0};
    k.all = k.plen == 1 && k.pat[0] == '*';
    size_t handle = reply_deferred(c);
    dict_foreach(&c->db->keys, keys_cb, &k);
    reply_deferred_array(c, handle, k.n);
}

typedef struct scan_batch {
    kv **items; /* owned array; entries borrowed until the next key deletion */
    size_t n;
    size_t cap;
} scan_batch;

static void scan_cb(dict_node *n, void *arg) {
    scan_batch *b = arg;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->items = vg_realloc(b->items, b->cap * sizeof(kv *));
    }
    b->items[b->n++] = (kv *)n;
}

/* Whether a collected key belongs in the reply. An expired key is deleted
 * (as Redis' expireIfNeeded would) and so must not be touched afterwards. */
static bool scan_keep(client *c, kv *o, const scan_args *opt) {
    if (!scan_match(opt, o->key, o->keylen)) return false;
    if (opt->type && strcasecmp(opt->type->ptr, kv_type_name(o->type)) != 0) return false;
    if (db_key_is_expired(c->db, o, server.now_ms)) {
        db_lookup_read(c->db, o->key, o->keylen, DB_LOOKUP_NOSTATS | DB_LOOKUP_NOTOUCH);
        return false;
    }
    return true;
}

static void cmd_scan(client *c) {
    uint64_t cursor;
    scan_args opt;
    if (!scan_parse_cursor(c, &c->argv[1], &cursor) || !scan_parse_options(c, 2, true, &opt))
        return;
    scan_batch b = {NULL, 0, 0};
    /* Bounded like Redis: at most count*10 buckets on a sparse table. */
    long long maxiter = opt.count > LLONG_MAX / 10 ? LLONG_MAX : opt.count * 10;
    do {
        cursor = dict_scan(&c->db->keys, cursor, scan_cb, &b);
    } while (cursor && maxiter-- && b.n < (size_t)opt.count);
    size_t kept = 0;
    for (size_t i = 0; i < b.n; i++)
        if (scan_keep(c, b.items[i], &opt)) b.items[kept++] = b.items[i];
    scan_reply_header(c, cursor, (long long)kept);
    for (size_t i = 0; i < kept; i++)
        reply_bulk(c, b.items[i]->key, b.items[i]->keylen);
    vg_free(b.items);
}

/* ---- RENAME RENAMENX MOVE COPY ---------------------------------------------------------- */

static void rename_generic(client *c, bool nx) {
    const vg_slice *src = &c->argv[1], *dst = &c->argv[2];
    kv *o = db_lookup_write(c->db, src->ptr, src->len);
    if (o == NULL) {
        reply_error(c, "ERR no such key");
        return;
    }
    if (same_key(src, dst)) {
        if (nx)
            reply_int(c, 0);
        else
            reply_ok(c);
        return;
    }
    if (db_lookup_write(c->db, dst->ptr, dst->len) != NULL && nx) {
        reply_int(c, 0);
        return;
    }
    int64_t when = db_get_expire(c->db, o);
    o = db_unlink(c->db, src->ptr, src->len);
    kv *n = kv_rekey(o, dst->ptr, dst->len);
    uint32_t lru = n->lru;
    db_delete(c->db, dst->ptr, dst->len); /* the value moves: drop the old one first */
    db_add(c->db, n);
    n->lru = lru; /* keeps its access history, as Redis moves the object itself */
    if (when != -1) db_set_expire(c->db, n, when);
    db_signal_modified(c->db, src->ptr, src->len);
    db_signal_modified(c->db, dst->ptr, dst->len);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_from", src->ptr, src->len, c->db->id);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_to", dst->ptr, dst->len, c->db->id);
    if (nx)
        reply_int(c, 1);
    else
        reply_ok(c);
}

static void cmd_rename(client *c) {
    rename_generic(c, false);
}

static void cmd_renamenx(client *c) {
    rename_generic(c, true);
}

static void cmd_move(client *c) {
    const vg_slice *k = &c->argv[1];
    db *dst;
    if (!arg_db(c, &c->argv[2], NULL, &dst)) return;
    if (dst == c->db) {
        reply_error(c, "ERR source and destination objects are the same");
        return;
    }
    kv *o = db_lookup_write(c->db, k->ptr, k->len);
    if (o == NULL || db_lookup_write(dst, k->ptr, k->len) != NULL) {
        reply_int(c, 0);
        return;
    }
    int64_t when = db_get_expire(c->db, o);
    o = db_unlink(c->db, k->ptr, k->len);
    uint32_t lru = o->lru;
    db_add(dst, o); /* the entry itself moves: same key, no copy */
    o->lru = lru;
    if (when != -1) db_set_expire(dst, o, when);
    db_signal_modified(c->db, k->ptr, k->len);
    db_signal_modified(dst, k->ptr, k->len);
    notify_keyspace_event(NOTIFY_GENERIC, "move_from", k->ptr, k->len, c->db->id);
    notify_keyspace_event(NOTIFY_GENERIC, "move_to", k->ptr, k->len, dst->id);
    reply_int(c, 1);
}

static bool copy_parse(client *c, db **dst, bool *replace) {
    *dst = c->db;
    *replace = false;
    for (int j = 3; j < c->argc; j++) {
        if (arg_is(&c->argv[j], "replace")) {
            *replace = true;
        } else if (arg_is(&c->argv[j], "db") && j + 1 < c->argc) {
            if (!arg_db(c, &c->argv[j + 1], NULL, dst)) return false;
            j++;
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    return true;
}

static void cmd_copy(client *c) {
    const vg_slice *src = &c->argv[1], *dstkey = &c->argv[2];
    db *dst;
    bool replace;
    if (!copy_parse(c, &dst, &replace)) return;
    if (dst == c->db && same_key(src, dstkey)) {
        reply_error(c, "ERR source and destination objects are the same");
        return;
    }
    kv *o = db_lookup_read(c->db, src->ptr, src->len, 0);
    if (o == NULL) {
        reply_int(c, 0);
        return;
    }
    int64_t when = db_get_expire(c->db, o);
    if (db_lookup_write(dst, dstkey->ptr, dstkey->len) != NULL && !replace) {
        reply_int(c, 0);
        return;
    }
    kv *n = kv_dup(o, dstkey->ptr, dstkey->len);
    db_delete(dst, dstkey->ptr, dstkey->len); /* REPLACE: a fresh key, as Redis' dbAdd */
    db_add(dst, n);
    if (when != -1) db_set_expire(dst, n, when);
    db_signal_modified(dst, dstkey->ptr, dstkey->len);
    notify_keyspace_event(NOTIFY_GENERIC, "copy_to", dstkey->ptr, dstkey->len, dst->id);
    reply_int(c, 1);
}

/* ---- RANDOMKEY DBSIZE SWAPDB FLUSHDB FLUSHALL ------------------------------------------- */

static void cmd_randomkey(client *c) {
    kv *o = db_random_live_key(c->db);
    if (o == NULL)
        reply_null(c);
    else
        reply_bulk(c, o->key, o->keylen);
}

static void cmd_dbsize(client *c) {
    reply_int(c, (long long)dict_size(&c->db->keys));
}

static void cmd_swapdb(client *c) {
    /* Redis parses both indexes before checking either's range. */
    long long ia, ib;
    db *a, *b;
    if (!arg_db_index(c, &c->argv[1], "ERR invalid first DB index", &ia) ||
        !arg_db_index(c, &c->argv[2], "ERR invalid second DB index", &ib) ||
        !db_in_range(c, ia, &a) || !db_in_range(c, ib, &b))
        return;
    if (a != b) db_swap(a, b);
    server.dirty++;
    reply_ok(c);
}

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]; without one, lazyfree-lazy-user-flush decides. */
static bool flush_mode(client *c, bool *async) {
    if (c->argc == 1) {
        *async = server.lazyfree_lazy_user_flush;
    } else if (c->argc == 2 && arg_is(&c->argv[1], "sync")) {
        *async = false;
    } else if (c->argc == 2 && arg_is(&c->argv[1], "async")) {
        *async = true;
    } else {
        reply_syntax_error(c);
        return false;
    }
    return true;
}

static void cmd_flushdb(client *c) {
    bool async;
    if (!flush_mode(c, &async)) return;
    server.dirty += db_empty(c->db, async);
    propagate_force(c, PROPAGATE_ALL); /* an empty db still flushes the replicas' */
    reply_ok(c);
}

static void cmd_flushall(client *c) {
    bool async;
    if (!flush_mode(c, &async)) return;
    for (long long i = 0; i < server.databases; i++)
        server.dirty += db_empty(&server.dbs[i], async);
    server.dirty++;
    persist_after_flushall();
    propagate_force(c, PROPAGATE_ALL);
    reply_ok(c);
}

/* ---- EXPIRE family ------------------------------------------------------------------------ */

#define EXPIRE_NX (1 << 0)
#define EXPIRE_XX (1 << 1)
#define EXPIRE_GT (1 << 2)
#define EXPIRE_LT (1 << 3)

static bool expire_flags(client *c, int *flags) {
    *flags = 0;
    for (int j = 3; j < c->argc; j++) {
        const vg_slice *a = &c->argv[j];
        if (arg_is(a, "nx"))
            *flags |= EXPIRE_NX;
        else if (arg_is(a, "xx"))
            *flags |= EXPIRE_XX;
        else if (arg_is(a, "gt"))
            *flags |= EXPIRE_GT;
        else if (arg_is(a, "lt"))
            *flags |= EXPIRE_LT;
        else {
            reply_errorf(c, "ERR Unsupported option %s", a->ptr);
            return false;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return false;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        reply_error(c, "ERR GT and LT options at the same time are not compatible");
        return false;
    }
    return true;
}

/* The absolute unix ms the argument asks for, with Redis' overflow checks. */
static bool expire_when(client *c, int64_t base, bool seconds, int64_t *when) {
    long long v;
    if (!arg_ll(c, &c->argv[2], &v)) return false;
    if (seconds) {
        if (v > LLONG_MAX / 1000 || v < LLONG_MIN / 1000) goto overflow;
        v *= 1000;
    }
    if (v > LLONG_MAX - base) goto overflow;
    *when = v + base;
    return true;
overflow:
    reply_errorf(c, "ERR invalid expire time in '%s' command", c->cmd->fullname);
    return false;
}

/* NX XX GT LT against the current TTL (-1: none, i.e. infinite). */
static bool expire_allowed(int flags, int64_t cur, int64_t when) {
    if ((flags & EXPIRE_NX) && cur != -1) return false;
    if ((flags & EXPIRE_XX) && cur == -1) return false;
    if ((flags & EXPIRE_GT) && (cur == -1 || when <= cur)) return false;
    if ((flags & EXPIRE_LT) && cur != -1 && when >= cur) return false;
    return true;
}

/* Replicas and the AOF get every TTL as PEXPIREAT with the absolute time
 * (the options after it as sent), so they cannot drift. */
static void propagate_expire_as_pexpireat(client *c, int64_t base, bool seconds, int64_t when) {
    if (!propagate_active() || (base == 0 && !seconds)) return; /* PEXPIREAT goes as it is */
    char ms[24];
    propagate_rewrite_arg(c, 0, PROPAGATE_LIT("PEXPIREAT"));
    propagate_rewrite_arg(c, 2, (vg_slice){ms, (size_t)vg_ll2str(ms, when)});
}

static void expire_generic(client *c, int64_t base, bool seconds) {
    const vg_slice *k = &c->argv[1];
    int flags;
    int64_t when;
    if (!expire_flags(c, &flags) || !expire_when(c, base, seconds, &when)) return;
    kv *o = db_lookup_write(c->db, k->ptr, k->len);
    if (o == NULL || !expire_allowed(flags, db_get_expire(c->db, o), when)) {
        reply_int(c, 0);
        return;
    }
    /* A time already past deletes the key, except on a replica, which
     * waits for its primary's DEL, and while a dataset loads. */
    const char *event = "expire";
    if (when <= server.now_ms && !server_is_replica() && !server.loading.active) {
        kv *gone = db_unlink(c->db, k->ptr, k->len);
        if (server.lazyfree_lazy_expire)
            lazyfree_kv(gone);
        else
            kv_free(gone);
        event = "del";
        vg_slice del[2] = {
            server.lazyfree_lazy_expire ? PROPAGATE_LIT("UNLINK") : PROPAGATE_LIT("DEL"), *k};
        propagate_rewrite_argv(c, 2, del);
    } else {
        db_set_expire(c->db, o, when);
        propagate_expire_as_pexpireat(c, base, seconds, when);
    }
    key_changed(c, k, NOTIFY_GENERIC, event);
    reply_int(c, 1);
}

static void cmd_expire(client *c) {
    expire_generic(c, server.now_ms, true);
}

static void cmd_pexpire(client *c) {
    expire_generic(c, server.now_ms, false);
}

static void cmd_expireat(client *c) {
    expire_generic(c, 0, true);
}

static void cmd_pexpireat(client *c) {
    expire_generic(c, 0, false);
}

/* TTL PTTL EXPIRETIME PEXPIRETIME: -2 no key, -1 no TTL. */
static void ttl_generic(client *c, bool ms, bool absolute) {
    kv *o = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, DB_LOOKUP_NOTOUCH);
    if (o == NULL) {
        reply_int(c, -2);
        return;
    }
    int64_t when = db_get_expire(c->db, o);
    if (when == -1) {
        reply_int(c, -1);
        return;
    }
    /* A past time reads 0. Only a future time is subtracted from, so the
     * difference fits even for PXAT 9223372036854775807 (now_ms > 0). */
    int64_t t = absolute ? when : when > server.now_ms ? when - server.now_ms : 0;
    if (t < 0) t = 0;
    /* Seconds round half up, as Redis' (t + 500) / 1000, without t + 500
     * overflowing when t is near INT64_MAX. */
    reply_int(c, ms ? t : t / 1000 + (t % 1000 >= 500));
}

static void cmd_ttl(client *c) {
    ttl_generic(c, false, false);
}

static void cmd_pttl(client *c) {
    ttl_generic(c, true, false);
}

static void cmd_expiretime(client *c) {
    ttl_generic(c, false, true);
}

static void cmd_pexpiretime(client *c) {
    ttl_generic(c, true, true);
}

static void cmd_persist(client *c) {
    const vg_slice *k = &c->argv[1];
    kv *o = db_lookup_write(c->db, k->ptr, k->len);
    if (o == NULL || !db_persist(c->db, o)) {
        reply_int(c, 0);
        return;
    }
    key_changed(c, k, NOTIFY_GENERIC, "persist");
    reply_int(c, 1);
}

/* ---- OBJECT ------------------------------------------------------------------------------ */

static kv *object_lookup(client *c) {
    kv *o = db_lookup_read(c->db, c->argv[2].ptr, c->argv[2].len, DB_LOOKUP_NOTOUCH);
    if (o == NULL) reply_null(c);
    return o;
}

static void cmd_object_encoding(client *c) {
    kv *o = object_lookup(c);
    if (o) reply_bulk_str(c, kv_encoding_name(o));
}

static void cmd_object_refcount(client *c) {
    kv *o = object_lookup(c);
    if (o == NULL) return;
    bool shared = o->type == OBJ_STRING && o->encoding == OBJ_ENC_INT && o->v.ll >= 0 &&
                  o->v.ll < SHARED_INTEGERS && (server.maxmemory == 0 || !policy_is_lru_or_lfu());
    reply_int(c, shared ? SHARED_REFCOUNT : 1);
}

static void cmd_object_idletime(client *c) {
    kv *o = object_lookup(c);
    if (o == NULL) return;
    if (evict_policy_is_lfu()) {
        reply_error(c, "ERR An LFU maxmemory policy is selected, idle time not tracked. Please "
                       "note that when switching between policies at runtime LRU and LFU data "
                       "will take some time to adjust.");
        return;
    }
    reply_int(c, (long long)(evict_object_idle_ms(o) / 1000));
}

static void cmd_object_freq(client *c) {
    kv *o = object_lookup(c);
    if (o == NULL) return;
    if (!evict_policy_is_lfu()) {
        reply_error(c, "ERR An LFU maxmemory policy is not selected, access frequency not "
                       "tracked. Please note that when switching between policies at runtime "
                       "LRU and LFU data will take some time to adjust.");
        return;
    }
    reply_int(c, evict_lfu_value(o));
}

static void cmd_object_help(client *c) {
    static const char *const lines[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL,
    };
    reply_help(c, lines);
}

/* ---- table ------------------------------------------------------------------------------- */

static command object_subcommands[] = {
    {.name = "encoding",
     .proc = cmd_object_encoding,
     .arity = 3,
     .flags = CMD_READONLY,
     .acl_cats = "@keyspace @read @slow",
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .key_need_first = CMD_KEY_NONE,
     .summary = "Inspect the internal encoding of a Redis object",
     .since = "2.2.3",
     .group = "generic"},
    {.name = "freq",
     .proc = cmd_object_freq,
     .arity = 3,
     .flags = CMD_READONLY,
     .acl_cats = "@keyspace @read @slow",
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .key_need_first = CMD_KEY_NONE,
     .summary = "Get the logarithmic access frequency counter of a Redis object",
     .since = "4.0.0",
     .group = "generic"},
    {.name = "help",
     .proc = cmd_object_help,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_cats = "@keyspace @slow",
     .summary = "Show helpful text about the different subcommands",
     .since = "6.2.0",
     .group = "generic"},
    {.name = "idletime",
     .proc = cmd_object_idletime,
     .arity = 3,
     .flags = CMD_READONLY,
     .acl_cats = "@keyspace @read @slow",
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .key_need_first = CMD_KEY_NONE,
     .summary = "Get the time since a Redis object was last accessed",
     .since = "2.2.3",
     .group = "generic"},
    {.name = "refcount",
     .proc = cmd_object_refcount,
     .arity = 3,
     .flags = CMD_READONLY,
     .acl_cats = "@keyspace @read @slow",
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .key_need_first = CMD_KEY_NONE,
     .summary = "Get the number of references to the value of the key",
     .since = "2.2.3",
     .group = "generic"},
    {.name = NULL},
};

/* One key at argv[1]. */
#define KEY1 .first_key = 1, .last_key = 1, .key_step = 1
/* Every argument is a key. */
#define KEYALL .first_key = 1, .last_key = -1, .key_step = 1
/* Source and destination keys. */
#define KEY12 .first_key = 1, .last_key = 2, .key_step = 1

static command keys_commands[] = {
    {.name = "del",
     .proc = cmd_del,
     .arity = -2,
     .flags = CMD_WRITE,
     .acl_cats = "@keyspace @write @slow",
     KEYALL,
     .summary = "Delete a key",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "unlink",
     .proc = cmd_unlink,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast",
     KEYALL,
     .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, "
                "but non blocking.",
     .since = "4.0.0",
     .group = "generic"},
    {.name = "exists",
     .proc = cmd_exists,
     .arity = -2,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@keyspace @read @fast",
     KEYALL,
     .key_need_first = CMD_KEY_NONE,
     .key_need_rest = CMD_KEY_NONE,
     .summary = "Determine if a key exists",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "type",
     .proc = cmd_type,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@keyspace @read @fast",
     KEY1,
     .key_need_first = CMD_KEY_NONE,
     .summary = "Determine the type stored at key",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "keys",
     .proc = cmd_keys,
     .arity = 2,
     .flags = CMD_READONLY,
     .acl_cats = "@keyspace @read @slow @dangerous",
     .summary = "Find all keys matching the given pattern",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "scan",
     .proc = cmd_scan,
     .arity = -2,
     .flags = CMD_READONLY | CMD_TOUCHES_ARBITRARY_KEYS,
     .acl_cats = "@keyspace @read @slow",
     .summary = "Incrementally iterate the keys space",
     .since = "2.8.0",
     .group = "generic"},
    {.name = "rename",
     .proc = cmd_rename,
     .arity = 3,
     .flags = CMD_WRITE,
     .acl_cats = "@keyspace @write @slow",
     KEY12,
     .key_need_first = CMD_KEY_RW,
     .key_need_rest = CMD_KEY_W,
     .summary = "Rename a key",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "renamenx",
     .proc = cmd_renamenx,
     .arity = 3,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast",
     KEY12,
     .key_need_first = CMD_KEY_RW,
     .key_need_rest = CMD_KEY_W,
     .summary = "Rename a key, only if the new key does not exist",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "move",
     .proc = cmd_move,
     .arity = 3,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast",
     KEY1,
     .key_need_first = CMD_KEY_RW,
     .summary = "Move a key to another database",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "copy",
     .proc = cmd_copy,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .acl_cats = "@keyspace @write @slow",
     KEY12,
     .key_need_first = CMD_KEY_R,
     .key_need_rest = CMD_KEY_W,
     .summary = "Copy a key",
     .since = "6.2.0",
     .group = "generic"},
    {.name = "randomkey",
     .proc = cmd_randomkey,
     .arity = 1,
     .flags = CMD_READONLY | CMD_TOUCHES_ARBITRARY_KEYS,
     .acl_cats = "@keyspace @read @slow",
     .summary = "Return a random key from the keyspace",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "dbsize",
     .proc = cmd_dbsize,
     .arity = 1,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@keyspace @read @fast",
     .summary = "Return the number of keys in the selected database",
     .since = "1.0.0",
     .group = "server"},
    {.name = "swapdb",
     .proc = cmd_swapdb,
     .arity = 3,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast @dangerous",
     .summary = "Swaps two Redis databases",
     .since = "4.0.0",
     .group = "server"},
    {.name = "flushdb",
     .proc = cmd_flushdb,
     .arity = -1,
     .flags = CMD_WRITE,
     .acl_cats = "@keyspace @write @slow @dangerous",
     .summary = "Remove all keys from the current database",
     .since = "1.0.0",
     .group = "server"},
    {.name = "flushall",
     .proc = cmd_flushall,
     .arity = -1,
     .flags = CMD_WRITE,
     .acl_cats = "@keyspace @write @slow @dangerous",
     .summary = "Remove all keys from all databases",
     .since = "1.0.0",
     .group = "server"},
    {.name = "expire",
     .proc = cmd_expire,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast",
     KEY1,
     .summary = "Set a key's time to live in seconds",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "pexpire",
     .proc = cmd_pexpire,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast",
     KEY1,
     .summary = "Set a key's time to live in milliseconds",
     .since = "2.6.0",
     .group = "generic"},
    {.name = "expireat",
     .proc = cmd_expireat,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast",
     KEY1,
     .summary = "Set the expiration for a key as a UNIX timestamp",
     .since = "1.2.0",
     .group = "generic"},
    {.name = "pexpireat",
     .proc = cmd_pexpireat,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast",
     KEY1,
     .summary = "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
     .since = "2.6.0",
     .group = "generic"},
    {.name = "ttl",
     .proc = cmd_ttl,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@keyspace @read @fast",
     KEY1,
     .summary = "Get the time to live for a key in seconds",
     .since = "1.0.0",
     .group = "generic"},
    {.name = "pttl",
     .proc = cmd_pttl,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@keyspace @read @fast",
     KEY1,
     .summary = "Get the time to live for a key in milliseconds",
     .since = "2.6.0",
     .group = "generic"},
    {.name = "expiretime",
     .proc = cmd_expiretime,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@keyspace @read @fast",
     KEY1,
     .summary = "Get the expiration Unix timestamp for a key",
     .since = "7.0.0",
     .group = "generic"},
    {.name = "pexpiretime",
     .proc = cmd_pexpiretime,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@keyspace @read @fast",
     KEY1,
     .summary = "Get the expiration Unix timestamp for a key in milliseconds",
     .since = "7.0.0",
     .group = "generic"},
    {.name = "persist",
     .proc = cmd_persist,
     .arity = 2,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@keyspace @write @fast",
     KEY1,
     .summary = "Remove the expiration from a key",
     .since = "2.2.0",
     .group = "generic"},
    {.name = "touch",
     .proc = cmd_touch,
     .arity = -2,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@keyspace @read @fast",
     KEYALL,
     .key_need_first = CMD_KEY_NONE,
     .key_need_rest = CMD_KEY_NONE,
     .summary = "Alters the last access time of a key(s). Returns the number of existing keys "
                "specified.",
     .since = "3.2.1",
     .group = "generic"},
    {.name = "object",
     .proc = NULL,
     .arity = -2,
     .flags = 0,
     .acl_cats = "@slow",
     .subcommands = object_subcommands,
     .summary = "A container for object introspection commands",
     .since = "2.2.3",
     .group = "generic"},
};

COMMAND_TABLE(keys_commands)
