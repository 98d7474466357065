/* t_list.c -- the list commands: LPUSH ... LMPOP and the blocking BLPOP family.
 *
 * Owns: nothing beyond the replies; the values are list.c's (a quicklist
 * behind kv->v.ptr). Every write calls db_signal_modified and sends Redis'
 * keyspace events; a list that becomes empty is deleted. Blocking commands
 * park the client through blocking.c and are served by list_serve_blocked
 * when a key gets elements. Argument checks run in Redis' order, so the
 * same bad command fails the same way. */
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "cmd_util.h"
#include "command.h"
#include "db.h"
#include "list.h"
#include "notify.h"
#include "object.h"
#include "propagate.h"
#include "quicklist.h"
#include "reply.h"
#include "server.h"

/* --- helpers --- */

static quicklist *ql_of(kv *o) {
    return o->v.ptr;
}

/* A list for writing, or NULL when absent. *bad: replied WRONGTYPE. */
static kv *lookup_write(client *c, const vg_slice *key, bool *bad) {
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    *bad = o && o->type != OBJ_LIST;
    if (*bad) reply_wrong_type(c);
    return *bad ? NULL : o;
}

static kv *lookup_read(client *c, const vg_slice *key, bool *bad) {
    kv *o = db_lookup_read(c->db, key->ptr, key->len, 0);
    *bad = o && o->type != OBJ_LIST;
    if (*bad) reply_wrong_type(c);
    return *bad ? NULL : o;
}

static kv *list_create(client *c, const vg_slice *key) {
    kv *o = list_kv_new(key->ptr, key->len, &server.list);
    db_add(c->db, o);
    return o;
}

/* After a change: events, delete an emptied list, signal. */
static void list_changed(client *c, const vg_slice *key, kv *o, const char *event) {
    notify_keyspace_event(NOTIFY_LIST, event, key->ptr, key->len, c->db->id);
    if (ql_count(ql_of(o)) == 0) {
        db_delete(c->db, key->ptr, key->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key->ptr, key->len, c->db->id);
    }
    db_signal_modified(c->db, key->ptr, key->len);
}

/* LEFT|RIGHT -> QL_HEAD|QL_TAIL; replies a syntax error otherwise. */
static bool parse_where(client *c, const vg_slice *a, int *where) {
    if (arg_is(a, "left"))
        *where = QL_HEAD;
    else if (arg_is(a, "right"))
        *where = QL_TAIL;
    else {
        reply_syntax_error(c);
        return false;
    }
    return true;
}

/* Redis' getRangeLongFromObjectOrReply with a custom message. */
static bool parse_positive(client *c, const vg_slice *a, const char *msg, long long *out) {
    if (!vg_str2ll(a->ptr, a->len, out) || *out < 1) {
        reply_error(c, msg);
        return false;
    }
    return true;
}

static void reply_entry(client *c, const ql_entry *e) {
    reply_bulk(c, e->s, e->len);
}

/* --- push --- */

static void push_generic(client *c, int where, bool only_existing) {
    bool bad;
    kv *o = lookup_write(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        if (only_existing) {
            reply_int(c, 0);
            return;
        }
        o = list_create(c, &c->argv[1]);
    }
    quicklist *ql = ql_of(o);
    for (int j = 2; j < c->argc; j++)
        ql_push(ql, where, c->argv[j].ptr, c->argv[j].len);
    reply_int(c, (long long)ql_count(ql));
    list_changed(c, &c->argv[1], o, where == QL_HEAD ? "lpush" : "rpush");
}

static void cmd_lpush(client *c) {
    push_generic(c, QL_HEAD, false);
}

static void cmd_rpush(client *c) {
    push_generic(c, QL_TAIL, false);
}

static void cmd_lpushx(client *c) {
    push_generic(c, QL_HEAD, true);
}

static void cmd_rpushx(client *c) {
    push_generic(c, QL_TAIL, true);
}

/* --- pop --- */

/* Pop up to count elements as an array (no key). */
static void pop_range_reply(client *c, quicklist *ql, int where, long long count) {
    long long n = count < (long long)ql_count(ql) ? count : (long long)ql_count(ql);
    buf tmp;
    buf_init(&tmp);
    reply_array(c, n);
    for (long long i = 0; i < n; i++) {
        ql_pop(ql, where, &tmp);
        reply_bulk(c, tmp.data, tmp.len);
    }
    buf_free(&tmp);
}

static void pop_generic(client *c, int where) {
    long long count = -1;
    if (c->argc > 3) {
        command_reply_arity_error(c);
        return;
    }
    if (c->argc == 3) {
        if (!vg_str2ll(c->argv[2].ptr, c->argv[2].len, &count) || count < 0) {
            reply_error(c, "ERR value is out of range, must be positive");
            return;
        }
    }
    bool bad;
    kv *o = lookup_write(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        if (count >= 0)
            reply_null_array(c);
        else
            reply_null(c);
        return;
    }
    if (count == 0) {
        reply_array(c, 0);
        return;
    }
    quicklist *ql = ql_of(o);
    if (count < 0) {
        buf tmp;
        buf_init(&tmp);
        ql_pop(ql, where, &tmp);
        reply_bulk(c, tmp.data, tmp.len);
        buf_free(&tmp);
    } else {
        pop_range_reply(c, ql, where, count);
    }
    list_changed(c, &c->argv[1], o, where == QL_HEAD ? "lpop" : "rpop");
}

static void cmd_lpop(client *c) {
    pop_generic(c, QL_HEAD);
}

static void cmd_rpop(client *c) {
    pop_generic(c, QL_TAIL);
}

/* --- reads --- */

static void cmd_llen(client *c) {
    bool bad;
    kv *o = lookup_read(c, &c->argv[1], &bad);
    if (!bad) reply_int(c, o ? (long long)ql_count(ql_of(o)) : 0);
}

static void cmd_lrange(client *c) {
    long long start, end;
    if (!arg_ll(c, &c->argv[2], &start) || !arg_ll(c, &c->argv[3], &end)) return;
    bool bad;
    kv *o = lookup_read(c, &c->argv[1], &bad);
    if (bad) return;
    long long llen = o ? (long long)ql_count(ql_of(o)) : 0;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (o == NULL || start > end || start >= llen) {
        reply_array(c, 0);
        return;
    }
    if (end >= llen) end = llen - 1;
    reply_array(c, end - start + 1);
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, ql_of(o), QL_HEAD, start);
    for (long long i = start; i <= end && ql_next(&it, &e); i++)
        reply_entry(c, &e);
}

static void cmd_lindex(client *c) {
    bool bad;
    kv *o = lookup_read(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        reply_null(c);
        return;
    }
    long long index;
    if (!arg_ll(c, &c->argv[2], &index)) return;
    ql_entry e;
    if (ql_index(ql_of(o), index, &e))
        reply_entry(c, &e);
    else
        reply_null(c);
}

/* --- in-place edits --- */

static void cmd_lset(client *c) {
    bool bad;
    kv *o = lookup_write(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        reply_error(c, "ERR no such key");
        return;
    }
    long long index;
    if (!arg_ll(c, &c->argv[2], &index)) return;
    if (!ql_replace_at(ql_of(o), index, c->argv[3].ptr, c->argv[3].len)) {
        reply_error(c, "ERR index out of range");
        return;
    }
    reply_ok(c);
    list_changed(c, &c->argv[1], o, "lset");
}

static void cmd_linsert(client *c) {
    bool after;
    if (arg_is(&c->argv[2], "after"))
        after = true;
    else if (arg_is(&c->argv[2], "before"))
        after = false;
    else {
        reply_syntax_error(c);
        return;
    }
    bool bad;
    kv *o = lookup_write(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        reply_int(c, 0);
        return;
    }
    quicklist *ql = ql_of(o);
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, ql, QL_HEAD, 0);
    while (ql_next(&it, &e)) {
        if (ql_entry_eq(&e, c->argv[3].ptr, c->argv[3].len)) {
            ql_insert(ql, &e, after, c->argv[4].ptr, c->argv[4].len);
            reply_int(c, (long long)ql_count(ql));
            list_changed(c, &c->argv[1], o, "linsert");
            return;
        }
    }
    reply_int(c, -1);
}

static void cmd_lrem(client *c) {
    long long toremove;
    if (!arg_ll(c, &c->argv[2], &toremove)) return;
    bool bad;
    kv *o = lookup_write(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        reply_int(c, 0);
        return;
    }
    quicklist *ql = ql_of(o);
    const vg_slice *elem = &c->argv[3];
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, ql, toremove < 0 ? QL_TAIL : QL_HEAD, toremove < 0 ? -1 : 0);
    unsigned long long limit =
        toremove < 0 ? 0ULL - (unsigned long long)toremove : (unsigned long long)toremove;
    long long removed = 0;
    while (ql_next(&it, &e)) {
        if (!ql_entry_eq(&e, elem->ptr, elem->len)) continue;
        ql_iter_delete(&it, &e);
        removed++;
        if (limit && (unsigned long long)removed == limit) break;
    }
    reply_int(c, removed);
    if (removed) list_changed(c, &c->argv[1], o, "lrem");
}

static void cmd_ltrim(client *c) {
    long long start, end;
    if (!arg_ll(c, &c->argv[2], &start) || !arg_ll(c, &c->argv[3], &end)) return;
    bool bad;
    kv *o = lookup_write(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        reply_ok(c);
        return;
    }
    quicklist *ql = ql_of(o);
    long long llen = (long long)ql_count(ql), ltrim, rtrim;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen) end = llen - 1;
        ltrim = start;
        rtrim = llen - end - 1;
    }
    ql_del_range(ql, 0, (size_t)ltrim);
    ql_del_range(ql, -rtrim, (size_t)rtrim);
    reply_ok(c);
    list_changed(c, &c->argv[1], o, "ltrim");
    if (ltrim + rtrim == 0) propagate_suppress(c); /* Redis counts no write: nothing went */
}

/* --- LPOS --- */

typedef struct lpos_opts {
    long long rank;   /* 1-based; negative searches from the tail */
    long long count;  /* -1: not given; 0: all matches */
    long long maxlen; /* 0: no limit */
} lpos_opts;

static bool lpos_parse(client *c, lpos_opts *o) {
    o->rank = 1;
    o->count = -1;
    o->maxlen = 0;
    for (int j = 3; j < c->argc; j += 2) { /* option name, then its value */
        bool more = j + 1 < c->argc;
        const vg_slice *v = &c->argv[j + 1];
        if (arg_is(&c->argv[j], "rank") && more) {
            if (!arg_ll(c, v, &o->rank)) return false;
            if (o->rank == 0) {
                reply_error(c, "ERR RANK can't be zero: use 1 to start from the first match, 2 "
                               "from the second ... or use negative to start from the end of "
                               "the list");
                return false;
            }
        } else if (arg_is(&c->argv[j], "count") && more) {
            if (!vg_str2ll(v->ptr, v->len, &o->count) || o->count < 0) {
                reply_error(c, "ERR COUNT can't be negative");
                return false;
            }
        } else if (arg_is(&c->argv[j], "maxlen") && more) {
            if (!vg_str2ll(v->ptr, v->len, &o->maxlen) || o->maxlen < 0) {
                reply_error(c, "ERR MAXLEN can't be negative");
                return false;
            }
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    return true;
}

static void cmd_lpos(client *c) {
    lpos_opts opt;
    if (!lpos_parse(c, &opt)) return;
    bool bad;
    kv *o = lookup_read(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        if (opt.count >= 0)
            reply_array(c, 0);
        else
            reply_null(c);
        return;
    }
    int dir = opt.rank < 0 ? QL_TAIL : QL_HEAD;
    /* Redis negates LONG_MIN into itself, which then matches at once. */
    unsigned long long rank = opt.rank == INT64_MIN ? 1
                              : opt.rank < 0        ? (unsigned long long)-opt.rank
                                                    : (unsigned long long)opt.rank;
    size_t handle = opt.count >= 0 ? reply_deferred(c) : 0;
    long long emitted = 0, scanned = 0;
    unsigned long long matches = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, ql_of(o), dir, dir == QL_HEAD ? 0 : -1);
    while ((opt.maxlen == 0 || scanned < opt.maxlen) && ql_next(&it, &e)) {
        scanned++;
        if (!ql_entry_eq(&e, c->argv[2].ptr, c->argv[2].len) || ++matches < rank) continue;
        reply_int(c, e.index);
        emitted++;
        if (opt.count < 0 || (opt.count && emitted == opt.count)) break;
    }
    if (opt.count >= 0)
        reply_deferred_array(c, handle, emitted);
    else if (emitted == 0)
        reply_null(c);
}

/* --- LMOVE / RPOPLPUSH --- */

static void cmd_blmove(client *c);
static void cmd_brpoplpush(client *c);

/* BLMOVE and BRPOPLPUSH propagate as LMOVE and RPOPLPUSH; serving a blocked
 * client, Redis spells the ends "left"/"right" itself. */
static void propagate_move(client *c, int from, int to) {
    command_proc proc = c->cmd ? c->cmd->proc : NULL;
    if (proc == cmd_brpoplpush) {
        vg_slice argv[3] = {PROPAGATE_LIT("RPOPLPUSH"), c->argv[1], c->argv[2]};
        propagate_rewrite_argv(c, 3, argv);
    } else if (proc == cmd_blmove) {
        bool served = blocking_is_blocked(c);
        vg_slice left = PROPAGATE_LIT("left"), right = PROPAGATE_LIT("right");
        vg_slice argv[5] = {PROPAGATE_LIT("LMOVE"), c->argv[1], c->argv[2],
                            served ? (from == QL_HEAD ? left : right) : c->argv[3],
                            served ? (to == QL_HEAD ? left : right) : c->argv[4]};
        propagate_rewrite_argv(c, 5, argv);
    }
}

/* Pop from src (non-empty list o) and push to dst; replies the element.
 * Replies WRONGTYPE, moving nothing, when dst holds another type. */
static void move_element(client *c, kv *o, const vg_slice *src, const vg_slice *dst, int from,
                         int to) {
    bool bad;
    kv *d = lookup_write(c, dst, &bad);
    if (bad) return;
    buf value;
    buf_init(&value);
    ql_pop(ql_of(o), from, &value);
    if (d == NULL) d = list_create(c, dst);
    ql_push(ql_of(d), to, value.data, value.len);
    notify_keyspace_event(NOTIFY_LIST, to == QL_HEAD ? "lpush" : "rpush", dst->ptr, dst->len,
                          c->db->id);
    db_signal_modified(c->db, dst->ptr, dst->len);
    reply_bulk(c, value.data, value.len);
    buf_free(&value);
    list_changed(c, src, o, from == QL_HEAD ? "lpop" : "rpop");
    propagate_move(c, from, to);
}

static void move_generic(client *c, int from, int to) {
    bool bad;
    kv *o = lookup_write(c, &c->argv[1], &bad);
    if (bad) return;
    if (o == NULL) {
        reply_null(c);
        return;
    }
    move_element(c, o, &c->argv[1], &c->argv[2], from, to);
}

static void cmd_lmove(client *c) {
    int from, to;
    if (!parse_where(c, &c->argv[3], &from) || !parse_where(c, &c->argv[4], &to)) return;
    move_generic(c, from, to);
}

static void cmd_rpoplpush(client *c) {
    move_generic(c, QL_TAIL, QL_HEAD);
}

/* --- LMPOP --- */

typedef struct mpop_args {
    int first_key; /* argv index of the first key */
    int nkeys;
    int where;       /* QL_HEAD / QL_TAIL */
    long long count; /* elements to pop, >= 1 */
} mpop_args;

/* Parse "numkeys key... LEFT|RIGHT [COUNT n]" starting at argv[idx]. */
static bool mpop_parse(client *c, int idx, mpop_args *a) {
    long long numkeys;
    if (!parse_positive(c, &c->argv[idx], "ERR numkeys should be greater than 0", &numkeys))
        return false;
    if (numkeys >= c->argc - idx - 1) { /* no room left for LEFT|RIGHT */
        reply_syntax_error(c);
        return false;
    }
    a->first_key = idx + 1;
    a->nkeys = (int)numkeys;
    int where_idx = idx + 1 + (int)numkeys;
    if (!parse_where(c, &c->argv[where_idx], &a->where)) return false;
    a->count = -1;
    for (int j = where_idx + 1; j < c->argc; j++) {
        if (a->count == -1 && arg_is(&c->argv[j], "count") && j + 1 < c->argc) {
            j++;
            if (!parse_positive(c, &c->argv[j], "ERR count should be greater than 0", &a->count))
                return false;
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    if (a->count == -1) a->count = 1;
    return true;
}

/* Reply [key, [elements]] popping up to count from o. */
static void pop_with_key(client *c, kv *o, const vg_slice *key, int where, long long count) {
    /* [B]LMPOP propagates as LPOP/RPOP key n, n what it really takes. */
    long long len = (long long)ql_count(ql_of(o));
    char n[24];
    vg_slice pop[3] = {where == QL_HEAD ? PROPAGATE_LIT("LPOP") : PROPAGATE_LIT("RPOP"),
                       *key,
                       {n, (size_t)vg_ll2str(n, count < len ? count : len)}};
    propagate_rewrite_argv(c, 3, pop);
    reply_array(c, 2);
    reply_bulk(c, key->ptr, key->len);
    pop_range_reply(c, ql_of(o), where, count);
    list_changed(c, key, o, where == QL_HEAD ? "lpop" : "rpop");
}

/* The first non-empty list among the keys: 1 found, 0 none, -1 replied
 * WRONGTYPE. */
static int first_nonempty(client *c, const vg_slice *keys, int nkeys, kv **out, int *which) {
    for (int j = 0; j < nkeys; j++) {
        kv *o = db_lookup_write(c->db, keys[j].ptr, keys[j].len);
        if (o == NULL) continue;
        if (o->type != OBJ_LIST) {
            reply_wrong_type(c);
            return -1;
        }
        if (ql_count(ql_of(o)) == 0) continue;
        *out = o;
        *which = j;
        return 1;
    }
    return 0;
}

static void cmd_lmpop(client *c) {
    mpop_args a;
    if (!mpop_parse(c, 1, &a)) return;
    kv *o;
    int which;
    int found = first_nonempty(c, &c->argv[a.first_key], a.nkeys, &o, &which);
    if (found == 0)
        reply_null_array(c);
    else if (found > 0)
        pop_with_key(c, o, &c->argv[a.first_key + which], a.where, a.count);
}

/* --- blocking --- */

static void cmd_blpop(client *c);
static void cmd_brpop(client *c);
static void cmd_blmpop(client *c);

/* Pop one element for BLPOP/BRPOP: reply [key, element]. */
static void pop_one_with_key(client *c, kv *o, const vg_slice *key, int where) {
    vg_slice pop[2] = {where == QL_HEAD ? PROPAGATE_LIT("LPOP") : PROPAGATE_LIT("RPOP"), *key};
    propagate_rewrite_argv(c, 2, pop);
    buf tmp;
    buf_init(&tmp);
    ql_pop(ql_of(o), where, &tmp);
    reply_array(c, 2);
    reply_bulk(c, key->ptr, key->len);
    reply_bulk(c, tmp.data, tmp.len);
    buf_free(&tmp);
    list_changed(c, key, o, where == QL_HEAD ? "lpop" : "rpop");
}

/* blocking.c callback: serve c's blocked list command from key if it now
 * holds a non-empty list. */
static bool list_serve_blocked(client *c, const vg_slice *key) {
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    if (o == NULL || o->type != OBJ_LIST || ql_count(ql_of(o)) == 0) return false;
    command_proc proc = c->cmd->proc;
    if (proc == cmd_blpop || proc == cmd_brpop) {
        pop_one_with_key(c, o, key, proc == cmd_blpop ? QL_HEAD : QL_TAIL);
    } else if (proc == cmd_blmpop) {
        mpop_args a;
        bool valid = mpop_parse(c, 2, &a); /* checked when it blocked */
        VG_ASSERT(valid);
        pop_with_key(c, o, key, a.where, a.count);
    } else {
        int from = QL_TAIL, to = QL_HEAD;
        if (c->argc == 6) {
            parse_where(c, &c->argv[3], &from);
            parse_where(c, &c->argv[4], &to);
        }
        move_element(c, o, &c->argv[1], &c->argv[2], from, to);
    }
    return true;
}

/* BLPOP/BRPOP/BLMPOP once the arguments are valid. count < 0: one element
 * replied as [key, element]; otherwise LMPOP's shape. */
static void bpop_generic(client *c, const vg_slice *keys, int nkeys, int where, long long count,
                         int64_t deadline) {
    kv *o;
    int which;
    int found = first_nonempty(c, keys, nkeys, &o, &which);
    if (found < 0) return;
    if (found > 0) {
        if (count < 0)
            pop_one_with_key(c, o, &keys[which], where);
        else
            pop_with_key(c, o, &keys[which], where, count);
        return;
    }
    if (!blocking_allowed(c)) {
        reply_null_array(c);
        return;
    }
    blocking_block(c, keys, nkeys, deadline, list_serve_blocked);
}

static void bpop_command(client *c, int where) {
    int64_t deadline;
    if (!blocking_parse_timeout(c, &c->argv[c->argc - 1], &deadline)) return;
    bpop_generic(c, &c->argv[1], c->argc - 2, where, -1, deadline);
}

static void cmd_blpop(client *c) {
    bpop_command(c, QL_HEAD);
}

static void cmd_brpop(client *c) {
    bpop_command(c, QL_TAIL);
}

/* Redis' order: numkeys, LEFT|RIGHT and COUNT before the timeout. */
static void cmd_blmpop(client *c) {
    mpop_args a;
    if (!mpop_parse(c, 2, &a)) return;
    int64_t deadline;
    if (!blocking_parse_timeout(c, &c->argv[1], &deadline)) return;
    bpop_generic(c, &c->argv[a.first_key], a.nkeys, a.where, a.count, deadline);
}

static void bmove_generic(client *c, int from, int to, int64_t deadline) {
    bool bad;
    kv *o = lookup_write(c, &c->argv[1], &bad);
    if (bad) return;
    if (o != NULL) {
        move_element(c, o, &c->argv[1], &c->argv[2], from, to);
        return;
    }
    if (!blocking_allowed(c)) {
        reply_null(c);
        return;
    }
    blocking_block(c, &c->argv[1], 1, deadline, list_serve_blocked);
}

static void cmd_blmove(client *c) {
    int from, to;
    if (!parse_where(c, &c->argv[3], &from) || !parse_where(c, &c->argv[4], &to)) return;
    int64_t deadline;
    if (!blocking_parse_timeout(c, &c->argv[5], &deadline)) return;
    bmove_generic(c, from, to, deadline);
}

static void cmd_brpoplpush(client *c) {
    int64_t deadline;
    if (!blocking_parse_timeout(c, &c->argv[3], &deadline)) return;
    bmove_generic(c, QL_TAIL, QL_HEAD, deadline);
}

/* --- table --- */

/* clang-format off */
#define L_DOC(s, v) .summary = s, .since = v, .group = "list"
#define L_KEY .first_key = 1, .last_key = 1, .key_step = 1
#define L_KEY2 .first_key = 1, .last_key = 2, .key_step = 1
#define L_WF (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define L_BLOCK (CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING)

static command list_commands[] = {
    {.name = "lpush", .proc = cmd_lpush, .arity = -3, .flags = L_WF, .acl_cats = "@write @list @fast", L_KEY, L_DOC("Prepend one or multiple elements to a list", "1.0.0")},
    {.name = "rpush", .proc = cmd_rpush, .arity = -3, .flags = L_WF, .acl_cats = "@write @list @fast", L_KEY, L_DOC("Append one or multiple elements to a list", "1.0.0")},
    {.name = "lpushx", .proc = cmd_lpushx, .arity = -3, .flags = L_WF, .acl_cats = "@write @list @fast", L_KEY, L_DOC("Prepend an element to a list, only if the list exists", "2.2.0")},
    {.name = "rpushx", .proc = cmd_rpushx, .arity = -3, .flags = L_WF, .acl_cats = "@write @list @fast", L_KEY, L_DOC("Append an element to a list, only if the list exists", "2.2.0")},
    {.name = "lpop", .proc = cmd_lpop, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl_cats = "@write @list @fast", L_KEY, .key_need_first = CMD_KEY_RW, L_DOC("Remove and get the first elements in a list", "1.0.0")},
    {.name = "rpop", .proc = cmd_rpop, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl_cats = "@write @list @fast", L_KEY, .key_need_first = CMD_KEY_RW, L_DOC("Remove and get the last elements in a list", "1.0.0")},
    {.name = "llen", .proc = cmd_llen, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl_cats = "@read @list @fast", L_KEY, .key_need_first = CMD_KEY_NONE, L_DOC("Get the length of a list", "1.0.0")},
    {.name = "lrange", .proc = cmd_lrange, .arity = 4, .flags = CMD_READONLY, .acl_cats = "@read @list @slow", L_KEY, L_DOC("Get a range of elements from a list", "1.0.0")},
    {.name = "lindex", .proc = cmd_lindex, .arity = 3, .flags = CMD_READONLY, .acl_cats = "@read @list @slow", L_KEY, L_DOC("Get an element from a list by its index", "1.0.0")},
    {.name = "lset", .proc = cmd_lset, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM, .acl_cats = "@write @list @slow", L_KEY, L_DOC("Set the value of an element in a list by its index", "1.0.0")},
    {.name = "linsert", .proc = cmd_linsert, .arity = 5, .flags = CMD_WRITE | CMD_DENYOOM, .acl_cats = "@write @list @slow", L_KEY, L_DOC("Insert an element before or after another element in a list", "2.2.0")},
    {.name = "lrem", .proc = cmd_lrem, .arity = 4, .flags = CMD_WRITE, .acl_cats = "@write @list @slow", L_KEY, L_DOC("Remove elements from a list", "1.0.0")},
    {.name = "ltrim", .proc = cmd_ltrim, .arity = 4, .flags = CMD_WRITE, .acl_cats = "@write @list @slow", L_KEY, L_DOC("Trim a list to the specified range", "1.0.0")},
    {.name = "lpos", .proc = cmd_lpos, .arity = -3, .flags = CMD_READONLY, .acl_cats = "@read @list @slow", L_KEY, L_DOC("Return the index of matching elements on a list", "6.0.6")},
    {.name = "lmove", .proc = cmd_lmove, .arity = 5, .flags = CMD_WRITE | CMD_DENYOOM, .acl_cats = "@write @list @slow", L_KEY2, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_W, L_DOC("Pop an element from a list, push it to another list and return it", "6.2.0")},
    {.name = "rpoplpush", .proc = cmd_rpoplpush, .arity = 3, .flags = CMD_WRITE | CMD_DENYOOM, .acl_cats = "@write @list @slow", L_KEY2, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_W, L_DOC("Remove the last element in a list, prepend it to another list and return it", "1.2.0")},
    {.name = "lmpop", .proc = cmd_lmpop, .arity = -4, .flags = CMD_WRITE | CMD_MOVABLE_KEYS, .acl_cats = "@write @list @slow", .numkeys_arg = 1, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_RW, L_DOC("Pop elements from a list", "7.0.0")},
    {.name = "blpop", .proc = cmd_blpop, .arity = -3, .flags = L_BLOCK, .acl_cats = "@write @list @slow @blocking", .first_key = 1, .last_key = -2, .key_step = 1, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_RW, L_DOC("Remove and get the first element in a list, or block until one is available", "2.0.0")},
    {.name = "brpop", .proc = cmd_brpop, .arity = -3, .flags = L_BLOCK, .acl_cats = "@write @list @slow @blocking", .first_key = 1, .last_key = -2, .key_step = 1, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_RW, L_DOC("Remove and get the last element in a list, or block until one is available", "2.0.0")},
    {.name = "blmove", .proc = cmd_blmove, .arity = 6, .flags = L_BLOCK | CMD_DENYOOM, .acl_cats = "@write @list @slow @blocking", L_KEY2, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_W, L_DOC("Pop an element from a list, push it to another list and return it; or block until one is available", "6.2.0")},
    {.name = "brpoplpush", .proc = cmd_brpoplpush, .arity = 4, .flags = L_BLOCK | CMD_DENYOOM, .acl_cats = "@write @list @slow @blocking", L_KEY2, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_W, L_DOC("Pop an element from a list, push it to another list and return it; or block until one is available", "2.2.0")},
    {.name = "blmpop", .proc = cmd_blmpop, .arity = -5, .flags = CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS, .acl_cats = "@write @list @slow @blocking", .numkeys_arg = 2, .key_need_first = CMD_KEY_RW, .key_need_rest = CMD_KEY_RW, L_DOC("Pop elements from a list, or block until one is available", "7.0.0")},
};
/* clang-format on */
COMMAND_TABLE(list_commands)
