/* t_set.c -- the set commands (Redis 7.0 semantics).
 *
 * Owns: nothing beyond the replies; the values are set.c's. Commands: SADD
 * SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
 * SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SINTERCARD SSCAN. A key
 * never holds an empty set: the command that removes the last member
 * deletes the key. */
#include "set.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd_util.h"
#include "command.h"
#include "db.h"
#include "dict.h"
#include "intset.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "scan.h"
#include "server.h"
#include "vg_alloc.h"

/* ---- handler helpers -------------------------------------------------------------------- */

/* The set at key k for reading: false after replying WRONGTYPE. *o may be NULL. */
static bool set_read(client *c, const vg_slice *k, kv **o) {
    *o = db_lookup_read(c->db, k->ptr, k->len, 0);
    if (*o && (*o)->type != OBJ_SET) {
        reply_wrong_type(c);
        return false;
    }
    return true;
}

/* Delete the key of an emptied set and announce it. */
static void set_delete_if_empty(client *c, kv *o, const vg_slice *k) {
    if (set_size(o) > 0) return;
    db_delete(c->db, k->ptr, k->len);
    notify_keyspace_event(NOTIFY_GENERIC, "del", k->ptr, k->len, c->db->id);
}

static void reply_member_cb(const char *m, size_t len, void *arg) {
    reply_bulk(arg, m, len);
}

/* One member picked by position: an intset value or a hashtable node. */
typedef union set_ref {
    snode *node;
    int64_t v;
} set_ref;

/* Every member of o as a set_ref array (returns new; *n gets the count). */
static void refs_node_cb(dict_node *n, void *arg) {
    set_ref **w = arg;
    (*w)->node = (snode *)n;
    (*w)++;
}

static set_ref *refs_collect(const kv *o, size_t *n) {
    *n = set_size(o);
    set_ref *refs = vg_malloc(*n * sizeof(set_ref) + 1);
    if (o->encoding == OBJ_ENC_INTSET) {
        for (uint32_t i = 0; i < *n; i++)
            intset_get(o->v.ptr, i, &refs[i].v);
    } else {
        set_ref *w = refs;
        dict_foreach(&((set_table *)o->v.ptr)->d, refs_node_cb, &w);
    }
    return refs;
}

/* The text of a ref; intset values are formatted into tmp (SET_IBUF_SIZE). */
static const char *ref_str(const kv *o, set_ref r, char *tmp, size_t *len) {
    if (o->encoding == OBJ_ENC_INTSET) {
        *len = (size_t)vg_ll2str(tmp, r.v);
        return tmp;
    }
    *len = r.node->len;
    return r.node->m;
}

static void reply_ref(client *c, const kv *o, set_ref r) {
    char tmp[SET_IBUF_SIZE];
    size_t len;
    const char *s = ref_str(o, r, tmp, &len);
    reply_bulk(c, s, len);
}

/* Move `count` distinct random refs to the front (partial Fisher-Yates). */
static void refs_shuffle_front(set_ref *refs, size_t n, size_t count) {
    for (size_t i = 0; i < count; i++) {
        size_t j = i + (size_t)(server_random() % (n - i));
        set_ref t = refs[i];
        refs[i] = refs[j];
        refs[j] = t;
    }
}

/* ---- SADD SREM SISMEMBER SMISMEMBER SCARD SMEMBERS -------------------------------------- */

static void cmd_sadd(client *c) {
    const vg_slice *k = &c->argv[1];
    kv *o = db_lookup_write(c->db, k->ptr, k->len);
    if (o && o->type != OBJ_SET) {
        reply_wrong_type(c);
        return;
    }
    if (o == NULL) {
        o = set_kv_new(k->ptr, k->len, c->argv[2].ptr, c->argv[2].len);
        db_add(c->db, o);
    }
    long long added = 0;
    for (int i = 2; i < c->argc; i++)
        added += set_add(o, c->argv[i].ptr, c->argv[i].len, &server.set);
    if (added) key_changed(c, k, NOTIFY_SET, "sadd");
    reply_int(c, added);
}

static void cmd_srem(client *c) {
    const vg_slice *k = &c->argv[1];
    kv *o = db_lookup_write(c->db, k->ptr, k->len);
    if (o && o->type != OBJ_SET) {
        reply_wrong_type(c);
        return;
    }
    long long removed = 0;
    for (int i = 2; o && i < c->argc && set_size(o) > 0; i++)
        removed += set_remove(o, c->argv[i].ptr, c->argv[i].len);
    if (removed) {
        key_changed(c, k, NOTIFY_SET, "srem");
        set_delete_if_empty(c, o, k);
    }
    reply_int(c, removed);
}

static void cmd_sismember(client *c) {
    kv *o;
    if (set_read(c, &c->argv[1], &o))
        reply_int(c, o && set_is_member(o, c->argv[2].ptr, c->argv[2].len));
}

static void cmd_smismember(client *c) {
    kv *o;
    if (!set_read(c, &c->argv[1], &o)) return;
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++)
        reply_int(c, o && set_is_member(o, c->argv[i].ptr, c->argv[i].len));
}

static void cmd_scard(client *c) {
    kv *o;
    if (set_read(c, &c->argv[1], &o)) reply_int(c, o ? (long long)set_size(o) : 0);
}

static void cmd_smembers(client *c) {
    kv *o;
    if (!set_read(c, &c->argv[1], &o)) return;
    reply_set(c, o ? (long long)set_size(o) : 0);
    if (o) set_foreach(o, reply_member_cb, c);
}

/* ---- SPOP SRANDMEMBER ------------------------------------------------------------------- */

static void spop_one(client *c, kv *o, const vg_slice *k) {
    set_ref r;
    if (o->encoding == OBJ_ENC_INTSET)
        r.v = intset_random(o->v.ptr, server_random());
    else
        r.node = (snode *)dict_random(&((set_table *)o->v.ptr)->d, server_random);
    char tmp[SET_IBUF_SIZE];
    size_t len;
    const char *s = ref_str(o, r, tmp, &len);
    reply_bulk(c, s, len);
    vg_slice srem[3] = {PROPAGATE_LIT("SREM"), *k, {(char *)s, len}};
    propagate_rewrite_argv(c, 3, srem); /* copies s: a random pop must not replay */
    /* s may live in the node being removed: it was copied into the reply. */
    if (o->encoding == OBJ_ENC_INTSET)
        o->v.ptr = intset_remove(o->v.ptr, r.v, NULL);
    else
        set_remove(o, r.node->m, r.node->len);
    key_changed(c, k, NOTIFY_SET, "spop");
    set_delete_if_empty(c, o, k);
}

static void propagate_srem(client *c, const vg_slice *k, const kv *o, set_ref r) {
    if (!propagate_active()) return;
    char tmp[SET_IBUF_SIZE];
    size_t len;
    const char *s = ref_str(o, r, tmp, &len);
    vg_slice argv[3] = {PROPAGATE_LIT("SREM"), *k, {(char *)s, len}};
    propagate_also(c->db->id, 3, argv, PROPAGATE_ALL);
}

static void spop_count(client *c, kv *o, const vg_slice *k, long long count) {
    size_t n;
    set_ref *refs = refs_collect(o, &n);
    size_t take = (unsigned long long)count >= n ? n : (size_t)count;
    if (take < n) refs_shuffle_front(refs, n, take);
    reply_set(c, (long long)take);
    for (size_t i = 0; i < take; i++)
        reply_ref(c, o, refs[i]);
    if (take == n) {
        vg_free(refs);
        vg_slice del[2] = {PROPAGATE_LIT("DEL"), *k};
        propagate_rewrite_argv(c, 2, del);
        key_changed(c, k, NOTIFY_SET, "spop");
        db_delete(c->db, k->ptr, k->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", k->ptr, k->len, c->db->id);
        return;
    }
    propagate_suppress(c); /* one SREM per member instead, as Redis sends them */
    for (size_t i = 0; i < take; i++) {
        propagate_srem(c, k, o, refs[i]);
        if (o->encoding == OBJ_ENC_INTSET) {
            o->v.ptr = intset_remove(o->v.ptr, refs[i].v, NULL);
        } else {
            set_table *st = o->v.ptr;
            dict_node *dn = dict_unlink(&st->d, refs[i].node->m, refs[i].node->len);
            st->bytes -= vg_alloc_size(dn);
            vg_free(dn);
        }
    }
    if (o->encoding == OBJ_ENC_HT) dict_shrink_if_needed(&((set_table *)o->v.ptr)->d);
    vg_free(refs);
    key_changed(c, k, NOTIFY_SET, "spop");
}

static void cmd_spop(client *c) {
    const vg_slice *k = &c->argv[1];
    long long count = -1;
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    if (c->argc == 3 && (!vg_str2ll(c->argv[2].ptr, c->argv[2].len, &count) || count < 0)) {
        reply_error(c, "ERR value is out of range, must be positive");
        return;
    }
    kv *o = db_lookup_write(c->db, k->ptr, k->len);
    if (o && o->type != OBJ_SET) {
        reply_wrong_type(c);
        return;
    }
    if (c->argc == 3) {
        if (o == NULL || count == 0)
            reply_set(c, 0);
        else
            spop_count(c, o, k, count);
        return;
    }
    if (o == NULL)
        reply_null(c);
    else
        spop_one(c, o, k);
}

static void srandmember_count(client *c, const kv *o, long long count) {
    size_t n;
    set_ref *refs = refs_collect(o, &n);
    if (count < 0) {
        reply_array(c, -count);
        for (long long i = 0; i < -count; i++)
            reply_ref(c, o, refs[server_random() % n]);
    } else {
        size_t take = (unsigned long long)count >= n ? n : (size_t)count;
        if (take < n) refs_shuffle_front(refs, n, take);
        reply_array(c, (long long)take);
        for (size_t i = 0; i < take; i++)
            reply_ref(c, o, refs[i]);
    }
    vg_free(refs);
}

static void cmd_srandmember(client *c) {
    long long count = 0;
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    if (c->argc == 3) {
        if (!arg_ll(c, &c->argv[2], &count)) return;
        if (count == LLONG_MIN) {
            reply_error(c, "ERR value is out of range, value must between -9223372036854775807 "
                           "and 9223372036854775807");
            return;
        }
    }
    kv *o;
    if (!set_read(c, &c->argv[1], &o)) return;
    if (c->argc == 3) {
        if (o == NULL || count == 0)
            reply_array(c, 0);
        else
            srandmember_count(c, o, count);
        return;
    }
    if (o == NULL) {
        reply_null(c);
        return;
    }
    set_ref r;
    if (o->encoding == OBJ_ENC_INTSET)
        r.v = intset_random(o->v.ptr, server_random());
    else
        r.node = (snode *)dict_random(&((set_table *)o->v.ptr)->d, server_random);
    reply_ref(c, o, r);
}

/* ---- SMOVE ------------------------------------------------------------------------------ */

static void cmd_smove(client *c) {
    const vg_slice *sk = &c->argv[1], *dk = &c->argv[2], *m = &c->argv[3];
    kv *src = db_lookup_write(c->db, sk->ptr, sk->len);
    kv *dst = db_lookup_write(c->db, dk->ptr, dk->len);
    if (src == NULL) {
        reply_int(c, 0);
        return;
    }
    if (src->type != OBJ_SET || (dst && dst->type != OBJ_SET)) {
        reply_wrong_type(c);
        return;
    }
    if (src == dst) {
        reply_int(c, set_is_member(src, m->ptr, m->len));
        return;
    }
    if (!set_remove(src, m->ptr, m->len)) {
        reply_int(c, 0);
        return;
    }
    key_changed(c, sk, NOTIFY_SET, "srem");
    set_delete_if_empty(c, src, sk);
    if (dst == NULL) {
        dst = set_kv_new(dk->ptr, dk->len, m->ptr, m->len);
        db_add(c->db, dst);
    }
    if (set_add(dst, m->ptr, m->len, &server.set)) key_changed(c, dk, NOTIFY_SET, "sadd");
    reply_int(c, 1);
}

/* ---- SINTER SUNION SDIFF and their STORE forms, SINTERCARD ------------------------------ */

enum set_op { SET_OP_INTER, SET_OP_UNION, SET_OP_DIFF };

/* Look up n keys from argv[first]; missing keys give NULL. Every key is
 * type-checked before any work, as Redis does. Returns new array or NULL
 * after replying WRONGTYPE. */
static kv **sets_lookup(client *c, int first, int n) {
    kv **sets = vg_malloc(sizeof(kv *) * (size_t)n);
    for (int i = 0; i < n; i++) {
        if (!set_read(c, &c->argv[first + i], &sets[i])) {
            vg_free(sets);
            return NULL;
        }
    }
    return sets;
}

static int by_size_cb(const void *a, const void *b) {
    size_t x = set_size(*(kv *const *)a), y = set_size(*(kv *const *)b);
    return x < y ? -1 : x > y;
}

typedef struct algebra_ctx {
    kv **sets; /* borrowed: the operands (sorted by size for INTER) */
    int n;
    kv *out;         /* result set, or NULL when only counting */
    long long count; /* members in the result */
    long long limit; /* SINTERCARD LIMIT, 0 = none */
} algebra_ctx;

/* A member of the smallest set belongs to the intersection if every other set has it. */
static void inter_cb(const char *m, size_t len, void *arg) {
    algebra_ctx *a = arg;
    if (a->limit && a->count >= a->limit) return;
    for (int i = 1; i < a->n; i++)
        if (!set_is_member(a->sets[i], m, len)) return;
    a->count++;
    if (a->out) set_add(a->out, m, len, &server.set);
}

static void union_cb(const char *m, size_t len, void *arg) {
    algebra_ctx *a = arg;
    a->count += set_add(a->out, m, len, &server.set);
}

/* A member of the first set belongs to the difference if no later set has it
 * (a repeated first key therefore empties it: A - A). */
static void diff_cb(const char *m, size_t len, void *arg) {
    algebra_ctx *a = arg;
    for (int i = 1; i < a->n; i++)
        if (a->sets[i] && set_is_member(a->sets[i], m, len)) return;
    a->count += set_add(a->out, m, len, &server.set);
}

/* Compute op over sets into a->out (which must exist). */
static void algebra_run(algebra_ctx *a, enum set_op op) {
    if (op == SET_OP_UNION) {
        for (int i = 0; i < a->n; i++)
            if (a->sets[i]) set_foreach(a->sets[i], union_cb, a);
        return;
    }
    if (op == SET_OP_DIFF) {
        if (a->sets[0]) set_foreach(a->sets[0], diff_cb, a);
        return;
    }
    for (int i = 0; i < a->n; i++)
        if (a->sets[i] == NULL) return; /* intersecting with an empty set */
    qsort(a->sets, (size_t)a->n, sizeof(kv *), by_size_cb);
    set_foreach(a->sets[0], inter_cb, a);
}

static const char *store_event(enum set_op op) {
    return op == SET_OP_INTER ? "sinterstore" : op == SET_OP_UNION ? "sunionstore" : "sdiffstore";
}

/* SINTER/SUNION/SDIFF (dst NULL) and their STORE forms. */
static void algebra_generic(client *c, int first, const vg_slice *dst, enum set_op op) {
    int n = c->argc - first;
    kv **sets = sets_lookup(c, first, n);
    if (sets == NULL) return;
    kv *out = dst ? set_kv_new_intset(dst->ptr, dst->len) : set_kv_new_intset("", 0);
    algebra_ctx a = {sets, n, out, 0, 0};
    algebra_run(&a, op);
    vg_free(sets);
    if (dst == NULL) {
        reply_set(c, (long long)set_size(out));
        set_foreach(out, reply_member_cb, c);
        kv_free(out);
        return;
    }
    long long size = (long long)set_size(out);
    if (size == 0) {
        kv_free(out);
        if (db_delete(c->db, dst->ptr, dst->len)) {
            key_changed(c, dst, NOTIFY_GENERIC, "del");
        }
    } else {
        db_set(c->db, out, false);
        key_changed(c, dst, NOTIFY_SET, store_event(op));
    }
    reply_int(c, size);
}

static void cmd_sinter(client *c) {
    algebra_generic(c, 1, NULL, SET_OP_INTER);
}

static void cmd_sunion(client *c) {
    algebra_generic(c, 1, NULL, SET_OP_UNION);
}

static void cmd_sdiff(client *c) {
    algebra_generic(c, 1, NULL, SET_OP_DIFF);
}

static void cmd_sinterstore(client *c) {
    algebra_generic(c, 2, &c->argv[1], SET_OP_INTER);
}

static void cmd_sunionstore(client *c) {
    algebra_generic(c, 2, &c->argv[1], SET_OP_UNION);
}

static void cmd_sdiffstore(client *c) {
    algebra_generic(c, 2, &c->argv[1], SET_OP_DIFF);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
static void cmd_sintercard(client *c) {
    long long numkeys, limit = 0;
    if (!vg_str2ll(c->argv[1].ptr, c->argv[1].len, &numkeys) || numkeys < 1) {
        reply_error(c, "ERR numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(c, "ERR Number of keys can't be greater than number of args");
        return;
    }
    for (int i = 2 + (int)numkeys; i < c->argc; i++) {
        if (arg_is(&c->argv[i], "limit") && i + 1 < c->argc) {
            i++;
            if (!vg_str2ll(c->argv[i].ptr, c->argv[i].len, &limit) || limit < 0) {
                reply_error(c, "ERR LIMIT can't be negative");
                return;
            }
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    kv **sets = sets_lookup(c, 2, (int)numkeys);
    if (sets == NULL) return;
    algebra_ctx a = {sets, (int)numkeys, NULL, 0, limit};
    algebra_run(&a, SET_OP_INTER);
    vg_free(sets);
    reply_int(c, a.count);
}

/* ---- SSCAN ------------------------------------------------------------------------------ */

typedef struct sscan_batch {
    snode **items; /* owned array; nodes borrowed from the set */
    size_t n, cap;
} sscan_batch;

static void sscan_cb(dict_node *n, void *arg) {
    sscan_batch *b = arg;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->items = vg_realloc(b->items, b->cap * sizeof(snode *));
    }
    b->items[b->n++] = (snode *)n;
}

typedef struct sscan_is_ctx {
    client *c;
    const scan_args *a;
    long long n;
} sscan_is_ctx;

static void sscan_is_cb(const char *m, size_t len, void *arg) {
    sscan_is_ctx *x = arg;
    if (!scan_match(x->a, m, len)) return;
    reply_bulk(x->c, m, len);
    x->n++;
}

static void sscan_table(client *c, const kv *o, const scan_args *a) {
    set_table *st = o->v.ptr;
    sscan_batch b = {NULL, 0, 0};
    /* Bounded like Redis: count*10 buckets, saturating for a huge COUNT. */
    long long maxiter = a->count > LLONG_MAX / 10 ? LLONG_MAX : a->count * 10;
    uint64_t cursor = a->cursor;
    do {
        cursor = dict_scan(&st->d, cursor, sscan_cb, &b);
    } while (cursor && maxiter-- && (long long)b.n < a->count);
    size_t kept = 0;
    for (size_t i = 0; i < b.n; i++)
        if (scan_match(a, b.items[i]->m, b.items[i]->len)) b.items[kept++] = b.items[i];
    scan_reply_header(c, cursor, (long long)kept);
    for (size_t i = 0; i < kept; i++)
        reply_bulk(c, b.items[i]->m, b.items[i]->len);
    vg_free(b.items);
}

static void cmd_sscan(client *c) {
    scan_args a;
    if (!scan_parse_cursor(c, &c->argv[2], &a.cursor)) return;
    kv *o;
    if (!set_read(c, &c->argv[1], &o)) return;
    if (o == NULL) {
        scan_reply_header(c, 0, 0);
        return;
    }
    if (!scan_parse_options(c, 3, false, &a)) return;
    if (o->encoding == OBJ_ENC_HT) {
        sscan_table(c, o, &a);
        return;
    }
    /* An intset answers in one call with cursor 0, as in Redis. */
    reply_array(c, 2);
    reply_bulk(c, "0", 1);
    size_t handle = reply_deferred(c);
    sscan_is_ctx x = {c, &a, 0};
    set_foreach(o, sscan_is_cb, &x);
    reply_deferred_array(c, handle, x.n);
}

/* ---- command table ---------------------------------------------------------------------- */

/* clang-format off */

#define S_RF (CMD_READONLY | CMD_FAST)
#define S_KEY .first_key = 1, .last_key = 1, .key_step = 1
#define S_KEYS .first_key = 1, .last_key = -1, .key_step = 1
#define S_DOC(s, v) .summary = s, .since = v, .group = "set"

static command set_commands[] = {
    {.name = "sadd", .proc = cmd_sadd, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl_cats = "@write @set @fast", S_KEY, S_DOC("Add one or more members to a set", "1.0.0")},
    {.name = "srem", .proc = cmd_srem, .arity = -3, .flags = CMD_WRITE | CMD_FAST, .acl_cats = "@write @set @fast", S_KEY, S_DOC("Remove one or more members from a set", "1.0.0")},
    {.name = "smembers", .proc = cmd_smembers, .arity = 2, .flags = CMD_READONLY, .acl_cats = "@read @set @slow", S_KEY, S_DOC("Get all the members in a set", "1.0.0")},
    {.name = "sismember", .proc = cmd_sismember, .arity = 3, .flags = S_RF, .acl_cats = "@read @set @fast", S_KEY, .key_need_first = CMD_KEY_NONE, S_DOC("Determine if a given value is a member of a set", "1.0.0")},
    {.name = "smismember", .proc = cmd_smismember, .arity = -3, .flags = S_RF, .acl_cats = "@read @set @fast", S_KEY, S_DOC("Returns the membership associated with the given elements for a set", "6.2.0")},
    {.name = "scard", .proc = cmd_scard, .arity = 2, .flags = S_RF, .acl_cats = "@read @set @fast", S_KEY, .key_need_first = CMD_KEY_NONE, S_DOC("Get the number of members in a set", "1.0.0")},
    {.name = "spop", .proc = cmd_spop, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl_cats = "@write @set @fast", S_KEY, .key_need_first = CMD_KEY_RW, S_DOC("Remove and return one or multiple random members from a set", "1.0.0")},
    {.name = "srandmember", .proc = cmd_srandmember, .arity = -2, .flags = CMD_READONLY, .acl_cats = "@read @set @slow", S_KEY, S_DOC("Get one or multiple random members from a set", "1.0.0")},
    {.name = "smove", .proc = cmd_smove, .arity = 4, .flags = CMD_WRITE | CMD_FAST, .acl_cats = "@write @set @fast", .first_key = 1, .last_key = 2, .key_step = 1, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_W, S_DOC("Move a member from one set to another", "1.0.0")},
    {.name = "sinter", .proc = cmd_sinter, .arity = -2, .flags = CMD_READONLY, .acl_cats = "@read @set @slow", S_KEYS, S_DOC("Intersect multiple sets", "1.0.0")},
    {.name = "sunion", .proc = cmd_sunion, .arity = -2, .flags = CMD_READONLY, .acl_cats = "@read @set @slow", S_KEYS, S_DOC("Add multiple sets", "1.0.0")},
    {.name = "sdiff", .proc = cmd_sdiff, .arity = -2, .flags = CMD_READONLY, .acl_cats = "@read @set @slow", S_KEYS, S_DOC("Subtract multiple sets", "1.0.0")},
    {.name = "sinterstore", .proc = cmd_sinterstore, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM, .acl_cats = "@write @set @slow", S_KEYS, .key_need_first = CMD_KEY_W, .key_need_rest = CMD_KEY_R, S_DOC("Intersect multiple sets and store the resulting set in a key", "1.0.0")},
    {.name = "sunionstore", .proc = cmd_sunionstore, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM, .acl_cats = "@write @set @slow", S_KEYS, .key_need_first = CMD_KEY_W, .key_need_rest = CMD_KEY_R, S_DOC("Add multiple sets and store the resulting set in a key", "1.0.0")},
    {.name = "sdiffstore", .proc = cmd_sdiffstore, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM, .acl_cats = "@write @set @slow", S_KEYS, .key_need_first = CMD_KEY_W, .key_need_rest = CMD_KEY_R, S_DOC("Subtract multiple sets and store the resulting set in a key", "1.0.0")},
    {.name = "sintercard", .proc = cmd_sintercard, .arity = -3, .flags = CMD_READONLY | CMD_MOVABLE_KEYS, .acl_cats = "@read @set @slow", .numkeys_arg = 1, S_DOC("Intersect multiple sets and return the cardinality of the result", "7.0.0")},
    {.name = "sscan", .proc = cmd_sscan, .arity = -3, .flags = CMD_READONLY, .acl_cats = "@read @set @slow", S_KEY, S_DOC("Incrementally iterate Set elements", "2.8.0")},
};
/* clang-format on */
COMMAND_TABLE(set_commands)
