/* t_zset.c -- sorted set commands (ZADD ... ZSCAN), Redis 7.0 semantics.
 * ZUNION/ZINTER/ZDIFF and their STORE forms live in t_zset_setops.c.
 *
 * Owns: nothing beyond the zset values it creates (see zset.c). Replies
 * follow Redis 7.0: scores as doubles (bulk strings in RESP2), WITHSCORES
 * pairs nested in RESP3, empty sets deleted, every change signalled. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "cmd_util.h"
#include "command.h"
#include "glob.h"
#include "notify.h"
#include "object.h"
#include "propagate.h"
#include "reply.h"
#include "resp_write.h"
#include "scan.h"
#include "server.h"
#include "set.h"
#include "vg_alloc.h"
#include "t_zset.h"
#include "zset.h"

/* ---- value plumbing ---- */

static void sync_encoding(kv *o) {
    zset *zs = ZSET_OF(o);
    zset_maybe_convert(zs, (size_t)server.zset_max_listpack_entries,
                       (size_t)server.zset_max_listpack_value);
    o->encoding = zset_is_listpack(zs) ? OBJ_ENC_LISTPACK : OBJ_ENC_SKIPLIST;
}

/* Insert a member known to be absent, converting to a skiplist first when
 * the listpack would outgrow its limits (as Redis' zsetAdd does): a listpack
 * insert walks the whole pack, so growing one to n members inside a single
 * command (ZADD, ZUNIONSTORE, ZRANGESTORE) would cost O(n^2). */
void zset_add_new(zset *zs, const char *m, size_t len, double score) {
    if (zset_is_listpack(zs) && (zset_len(zs) + 1 > (size_t)server.zset_max_listpack_entries ||
                                 len > (size_t)server.zset_max_listpack_value))
        zset_convert_to_skiplist(zs);
    zset_set(zs, m, len, score);
}

/* A zset kv for reading: NULL if absent; *wrong set on type mismatch (replied). */
static kv *lookup_zset(client *c, const vg_slice *key, bool write, bool *wrong) {
    kv *o = write ? db_lookup_write(c->db, key->ptr, key->len)
                  : db_lookup_read(c->db, key->ptr, key->len, 0);
    *wrong = false;
    if (o && o->type != OBJ_ZSET) {
        reply_wrong_type(c);
        *wrong = true;
        return NULL;
    }
    return o;
}

static kv *create_zset(db *d, const vg_slice *key) {
    zset zs = zset_new();
    kv *o = kv_new_ptr(key->ptr, key->len, OBJ_ZSET, OBJ_ENC_LISTPACK, zs.p);
    if (server.zset_max_listpack_entries == 0) zset_convert_to_skiplist(ZSET_OF(o));
    db_add(d, o);
    sync_encoding(o);
    return o;
}

static void delete_if_empty(client *c, const vg_slice *key, kv *o) {
    if (zset_len(ZSET_OF(o)) == 0) {
        db_delete(c->db, key->ptr, key->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key->ptr, key->len, c->db->id);
    }
}

static bool parse_score(const vg_slice *a, double *out) {
    return arg_double(a, out);
}

static void reply_score(client *c, double d) {
    reply_double(c, d);
}

/* One (member, score) as the WITHSCORES forms want it. */
void zset_reply_pair(client *c, const char *m, size_t len, double score, bool withscores) {
    if (withscores && c->resp > 2) reply_array(c, 2);
    reply_bulk(c, m, len);
    if (withscores) reply_score(c, score);
}

/* ---- range parsing ---- */

static bool parse_score_range(client *c, const vg_slice *min, const vg_slice *max,
                              zrange_score *r) {
    if (!arg_score_bound(min, &r->min, &r->minex) || !arg_score_bound(max, &r->max, &r->maxex)) {
        reply_error(c, "ERR min or max is not a float");
        return false;
    }
    return true;
}

static bool parse_lex_bound(const vg_slice *a, const char **p, size_t *len, bool *ex, int *inf) {
    *inf = 0;
    *ex = false;
    if (a->len == 1 && a->ptr[0] == '-') {
        *inf = -1;
        return true;
    }
    if (a->len == 1 && a->ptr[0] == '+') {
        *inf = 1;
        return true;
    }
    if (a->len >= 1 && (a->ptr[0] == '(' || a->ptr[0] == '[')) {
        *ex = a->ptr[0] == '(';
        *p = a->ptr + 1;
        *len = a->len - 1;
        return true;
    }
    return false;
}

static bool parse_lex_range(client *c, const vg_slice *min, const vg_slice *max, zrange_lex *r) {
    memset(r, 0, sizeof(*r));
    if (!parse_lex_bound(min, &r->min, &r->minlen, &r->minex, &r->mininf) ||
        !parse_lex_bound(max, &r->max, &r->maxlen, &r->maxex, &r->maxinf)) {
        reply_error(c, "ERR min or max not valid string range item");
        return false;
    }
    return true;
}

/* Lex range "max < min" or "+ ... -" selects nothing. */
static bool lex_range_empty(const zrange_lex *r) {
    if (r->mininf > 0 || r->maxinf < 0) return true;
    if (r->mininf || r->maxinf) return false;
    size_t n = r->minlen < r->maxlen ? r->minlen : r->maxlen;
    int cmp = memcmp(r->min, r->max, n);
    if (cmp == 0) cmp = r->minlen < r->maxlen ? -1 : r->minlen > r->maxlen ? 1 : 0;
    return cmp > 0 || (cmp == 0 && (r->minex || r->maxex));
}

/* ---- ZADD / ZINCRBY ---- */

#define ZADD_NX 1
#define ZADD_XX 2
#define ZADD_GT 4
#define ZADD_LT 8
#define ZADD_CH 16
#define ZADD_INCR 32

/* What zadd_one did with one element. */
enum zadd_outcome {
    ZADD_OUT_NOP,       /* skipped: NX/XX/GT/LT said no */
    ZADD_OUT_ADDED,     /* a new member */
    ZADD_OUT_UPDATED,   /* the score changed */
    ZADD_OUT_UNCHANGED, /* processed, but the new score equals the old */
    ZADD_OUT_NAN        /* INCR made NaN: nothing changed */
};

/* Apply one element as Redis' zsetAdd does. *newscore is set for every
 * outcome but NOP and NAN. */
static int zadd_one(zset *zs, const char *m, size_t len, double score, int flags,
                    double *newscore) {
    double cur;
    bool exists = zset_score(zs, m, len, &cur);
    if (exists) {
        if (flags & ZADD_NX) return ZADD_OUT_NOP;
        if (flags & ZADD_INCR) {
            score = cur + score;
            if (isnan(score)) return ZADD_OUT_NAN;
        }
        if (((flags & ZADD_GT) && score <= cur) || ((flags & ZADD_LT) && score >= cur))
            return ZADD_OUT_NOP;
        *newscore = score;
        /* -0 and 0 compare equal: the stored one stays, as in Redis. */
        if (score == cur) return ZADD_OUT_UNCHANGED;
        zset_set(zs, m, len, score);
        return ZADD_OUT_UPDATED;
    }
    if (flags & ZADD_XX) return ZADD_OUT_NOP;
    zset_add_new(zs, m, len, score);
    *newscore = score;
    return ZADD_OUT_ADDED;
}

/* Option words from argv[2] on, added to *flags; returns the index of the
 * first score. ZINCRBY goes through here too, as in Redis, so
 * "ZINCRBY k CH m" leaves one argument and fails with a syntax error. */
static int zadd_parse_flags(client *c, int *flags) {
    int i = 2;
    for (; i < c->argc; i++) {
        const vg_slice *a = &c->argv[i];
        if (arg_is(a, "nx"))
            *flags |= ZADD_NX;
        else if (arg_is(a, "xx"))
            *flags |= ZADD_XX;
        else if (arg_is(a, "gt"))
            *flags |= ZADD_GT;
        else if (arg_is(a, "lt"))
            *flags |= ZADD_LT;
        else if (arg_is(a, "ch"))
            *flags |= ZADD_CH;
        else if (arg_is(a, "incr"))
            *flags |= ZADD_INCR;
        else
            break;
    }
    return i;
}

static void zadd_generic(client *c, int flags, int first) {
    int pairs_args = c->argc - first;
    if (pairs_args <= 0 || pairs_args % 2) {
        reply_syntax_error(c);
        return;
    }
    if ((flags & ZADD_NX) && (flags & ZADD_XX)) {
        reply_error(c, "ERR XX and NX options at the same time are not compatible");
        return;
    }
    if (((flags & ZADD_GT) && (flags & ZADD_NX)) || ((flags & ZADD_LT) && (flags & ZADD_NX)) ||
        ((flags & ZADD_GT) && (flags & ZADD_LT))) {
        reply_error(c, "ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    int n = pairs_args / 2;
    if ((flags & ZADD_INCR) && n > 1) {
        reply_error(c, "ERR INCR option supports a single increment-element pair");
        return;
    }
    double *scores = vg_malloc((size_t)n * sizeof(double));
    for (int i = 0; i < n; i++) {
        if (!parse_score(&c->argv[first + 2 * i], &scores[i])) {
            vg_free(scores);
            reply_not_float(c);
            return;
        }
    }
    const vg_slice *key = &c->argv[1];
    bool wrong;
    kv *o = lookup_zset(c, key, true, &wrong);
    if (wrong) {
        vg_free(scores);
        return;
    }
    if (o == NULL && (flags & ZADD_XX)) {
        vg_free(scores);
        if (flags & ZADD_INCR)
            reply_null(c);
        else
            reply_int(c, 0);
        return;
    }
    if (o == NULL) o = create_zset(c->db, key);
    long long added = 0, updated = 0, processed = 0;
    double newscore = 0;
    for (int i = 0; i < n; i++) {
        const vg_slice *m = &c->argv[first + 2 * i + 1];
        int out = zadd_one(ZSET_OF(o), m->ptr, m->len, scores[i], flags, &newscore);
        if (out == ZADD_OUT_NAN) {
            vg_free(scores);
            delete_if_empty(c, key, o);
            reply_error(c, "ERR resulting score is not a number (NaN)");
            return;
        }
        added += out == ZADD_OUT_ADDED;
        updated += out == ZADD_OUT_UPDATED;
        processed += out != ZADD_OUT_NOP;
    }
    vg_free(scores);
    sync_encoding(o);
    if (added || updated) {
        key_changed(c, key, NOTIFY_ZSET, (flags & ZADD_INCR) ? "zincr" : "zadd");
    }
    delete_if_empty(c, key, o);
    if (flags & ZADD_INCR) {
        /* The score the increment produced, even when it equals the old one. */
        if (processed)
            reply_score(c, newscore);
        else
            reply_null(c);
        return;
    }
    reply_int(c, (flags & ZADD_CH) ? added + updated : added);
}

static void cmd_zadd(client *c) {
    int flags = 0;
    int first = zadd_parse_flags(c, &flags);
    zadd_generic(c, flags, first);
}

static void cmd_zincrby(client *c) {
    /* ZINCRBY key increment member == ZADD key INCR increment member */
    int flags = ZADD_INCR;
    int first = zadd_parse_flags(c, &flags);
    zadd_generic(c, flags, first);
}

/* ---- simple reads and removals ---- */

static void cmd_zrem(client *c) {
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], true, &wrong);
    if (wrong) return;
    long long n = 0;
    for (int i = 2; o && i < c->argc; i++)
        n += zset_del(ZSET_OF(o), c->argv[i].ptr, c->argv[i].len);
    if (n) {
        key_changed(c, &c->argv[1], NOTIFY_ZSET, "zrem");
        delete_if_empty(c, &c->argv[1], o);
    }
    reply_int(c, n);
}

static void cmd_zcard(client *c) {
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], false, &wrong);
    if (!wrong) reply_int(c, o ? (long long)zset_len(ZSET_OF(o)) : 0);
}

static void cmd_zscore(client *c) {
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], false, &wrong);
    double s;
    if (wrong) return;
    if (o && zset_score(ZSET_OF(o), c->argv[2].ptr, c->argv[2].len, &s))
        reply_score(c, s);
    else
        reply_null(c);
}

static void cmd_zmscore(client *c) {
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], false, &wrong);
    if (wrong) return;
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        double s;
        if (o && zset_score(ZSET_OF(o), c->argv[i].ptr, c->argv[i].len, &s))
            reply_score(c, s);
        else
            reply_null(c);
    }
}

static void rank_generic(client *c, bool reverse) {
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], false, &wrong);
    if (wrong) return;
    long r = o ? zset_rank(ZSET_OF(o), c->argv[2].ptr, c->argv[2].len, reverse) : -1;
    if (r < 0)
        reply_null(c);
    else
        reply_int(c, r);
}

static void cmd_zrank(client *c) {
    rank_generic(c, false);
}

static void cmd_zrevrank(client *c) {
    rank_generic(c, true);
}

/* ---- ZRANGE family ---- */

enum range_kind { RANGE_RANK, RANGE_SCORE, RANGE_LEX };

typedef struct range_req {
    int kind;
    bool rev;
    bool withscores;
    long long offset, limit;   /* limit < 0: all */
    const vg_slice *min, *max; /* as given (for REV: min is the first argument) */
} range_req;

/* Destination for range results: a client reply or a zset being built. */
typedef struct range_sink {
    client *c; /* reply here when dst == NULL */
    zset *dst; /* ZRANGESTORE */
    long long n;
    bool withscores;
} range_sink;

static void sink_emit(range_sink *s, const char *m, size_t len, double score) {
    if (s->dst)
        zset_add_new(s->dst, m, len, score);
    else
        zset_reply_pair(s->c, m, len, score, s->withscores);
    s->n++;
}

/* Emit ascending ranks [first, last] (or descending for rev) with offset/limit. */
/* How many of the ascending ranks [first, last] OFFSET/LIMIT keep. */
static size_t range_take(size_t first, size_t last, const range_req *q) {
    size_t count = last - first + 1;
    if (q->offset >= (long long)count) return 0;
    size_t take = count - (size_t)q->offset;
    if (q->limit >= 0 && (size_t)q->limit < take) take = (size_t)q->limit;
    return take;
}

static void emit_ranks(const zset *zs, size_t first, size_t last, const range_req *q,
                       range_sink *s) {
    size_t take = range_take(first, last, q);
    long long off = q->offset;
    zset_iter it;
    zset_iter_at(&it, zs, q->rev ? last - (size_t)off : first + (size_t)off, q->rev);
    const char *m;
    size_t len;
    double score;
    for (size_t i = 0; i < take && zset_iter_next(&it, &m, &len, &score); i++)
        sink_emit(s, m, len, score);
}

/* Compute the ascending rank window of the request; false: empty. Replies on bad input via *err. */
static bool range_window(client *c, const zset *zs, const range_req *q, size_t *first, size_t *last,
                         bool *err) {
    *err = false;
    size_t n = zset_len(zs);
    if (q->kind == RANGE_RANK) {
        long long start, end;
        if (!vg_str2ll(q->min->ptr, q->min->len, &start) ||
            !vg_str2ll(q->max->ptr, q->max->len, &end)) {
            reply_not_integer(c);
            *err = true;
            return false;
        }
        if (start < 0) start += (long long)n;
        if (end < 0) end += (long long)n;
        if (start < 0) start = 0;
        if (start > end || start >= (long long)n) return false;
        if (end >= (long long)n) end = (long long)n - 1;
        if (q->rev) { /* ranks count from the top */
            long long s2 = (long long)n - 1 - end, e2 = (long long)n - 1 - start;
            start = s2;
            end = e2;
        }
        *first = (size_t)start;
        *last = (size_t)end;
        return true;
    }
    if (q->kind == RANGE_SCORE) {
        zrange_score r;
        const vg_slice *lo = q->rev ? q->max : q->min, *hi = q->rev ? q->min : q->max;
        if (!parse_score_range(c, lo, hi, &r)) {
            *err = true;
            return false;
        }
        return zset_score_ranks(zs, &r, first, last);
    }
    zrange_lex r;
    const vg_slice *lo = q->rev ? q->max : q->min, *hi = q->rev ? q->min : q->max;
    if (!parse_lex_range(c, lo, hi, &r)) {
        *err = true;
        return false;
    }
    if (lex_range_empty(&r)) return false;
    return zset_lex_ranks(zs, &r, q->rev, first, last);
}

/* Validate the range arguments even when the key is missing (Redis does). */
static bool range_args_valid(client *c, const range_req *q) {
    if (q->kind == RANGE_RANK) {
        long long v;
        if (!vg_str2ll(q->min->ptr, q->min->len, &v) || !vg_str2ll(q->max->ptr, q->max->len, &v)) {
            reply_not_integer(c);
            return false;
        }
        return true;
    }
    if (q->kind == RANGE_SCORE) {
        zrange_score r;
        return parse_score_range(c, q->min, q->max, &r);
    }
    zrange_lex r;
    return parse_lex_range(c, q->min, q->max, &r);
}

/* Parse [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES] from argv[from] as
 * Redis' zrangeGenericCommand does for every ZRANGE-like command: REV only
 * while the direction is open (ZRANGE, ZRANGESTORE), BYSCORE/BYLEX only
 * while the kind is, each once; WITHSCORES any number of times except when
 * storing; LIMIT -1 counts as no LIMIT. q->kind < 0 means "not chosen". */
static bool parse_range_options(client *c, int from, range_req *q, bool store, bool open_dir) {
    bool open_kind = q->kind < 0;
    for (int i = from; i < c->argc; i++) {
        const vg_slice *a = &c->argv[i];
        if (!store && arg_is(a, "withscores")) {
            q->withscores = true;
        } else if (arg_is(a, "limit") && c->argc - i - 1 >= 2) {
            if (!arg_ll(c, &c->argv[i + 1], &q->offset) || !arg_ll(c, &c->argv[i + 2], &q->limit))
                return false;
            i += 2;
        } else if (open_dir && !q->rev && arg_is(a, "rev")) {
            q->rev = true;
        } else if (open_kind && q->kind < 0 && arg_is(a, "bylex")) {
            q->kind = RANGE_LEX;
        } else if (open_kind && q->kind < 0 && arg_is(a, "byscore")) {
            q->kind = RANGE_SCORE;
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    if (q->kind < 0) q->kind = RANGE_RANK;
    if (q->limit != -1 && q->kind == RANGE_RANK) {
        reply_error(c, "ERR syntax error, LIMIT is only supported in combination with either "
                       "BYSCORE or BYLEX");
        return false;
    }
    if (q->withscores && q->kind == RANGE_LEX) {
        reply_error(c, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return false;
    }
    if (q->kind == RANGE_RANK) q->offset = 0; /* "LIMIT 5 -1" passes, and means nothing */
    return true;
}

static void range_run(client *c, const vg_slice *key, range_req *q, zset *dst, long long *stored) {
    if (!range_args_valid(c, q)) return;
    bool wrong;
    kv *o = lookup_zset(c, key, false, &wrong);
    if (wrong) return;
    range_sink s = {c, dst, 0, q->withscores};
    size_t first = 0, last = 0, take = 0;
    bool err = false; /* arguments were validated above: range_window cannot fail */
    if (o && q->offset >= 0 && range_window(c, ZSET_OF(o), q, &first, &last, &err))
        take = range_take(first, last, q);
    /* Redis sizes a ZRANGESTORE result by rank up front: past the listpack
     * limit it starts as a skiplist (so a -0 score stays -0). */
    if (dst && q->kind == RANGE_RANK && take > (size_t)server.zset_max_listpack_entries)
        zset_convert_to_skiplist(dst);
    /* The count is known up front, so the header goes first (no deferred
     * length, no memmove of the reply). */
    if (!dst) reply_array(c, (long long)(q->withscores && c->resp <= 2 ? take * 2 : take));
    if (take) emit_ranks(ZSET_OF(o), first, last, q, &s);
    if (dst) *stored = s.n;
}

static void range_req_init(range_req *q, int kind, bool rev, const vg_slice *a, const vg_slice *b) {
    memset(q, 0, sizeof(*q));
    q->kind = kind;
    q->rev = rev;
    q->limit = -1;
    q->min = a;
    q->max = b;
}

/* The ZRANGE-like commands: key at argv[key], range after it, options
 * after that; kind < 0 and !fixed_dir leave them to the options. */
static void zrange_generic(client *c, int key, int kind, bool rev, bool fixed_dir) {
    range_req q;
    range_req_init(&q, kind, rev, &c->argv[key + 1], &c->argv[key + 2]);
    if (!parse_range_options(c, key + 3, &q, false, !fixed_dir)) return;
    range_run(c, &c->argv[key], &q, NULL, NULL);
}

static void cmd_zrange(client *c) {
    zrange_generic(c, 1, -1, false, false);
}

static void cmd_zrevrange(client *c) {
    zrange_generic(c, 1, RANGE_RANK, true, true);
}

static void cmd_zrangebyscore(client *c) {
    zrange_generic(c, 1, RANGE_SCORE, false, true);
}

static void cmd_zrevrangebyscore(client *c) {
    zrange_generic(c, 1, RANGE_SCORE, true, true);
}

static void cmd_zrangebylex(client *c) {
    zrange_generic(c, 1, RANGE_LEX, false, true);
}

static void cmd_zrevrangebylex(client *c) {
    zrange_generic(c, 1, RANGE_LEX, true, true);
}

void zset_store_result(client *c, const vg_slice *dstkey, zset *zs, const char *event) {
    bool existed = db_lookup_write(c->db, dstkey->ptr, dstkey->len) != NULL;
    long long n = (long long)zset_len(zs);
    if (n == 0) {
        zset_free(zs);
        if (existed) {
            db_delete(c->db, dstkey->ptr, dstkey->len);
            key_changed(c, dstkey, NOTIFY_GENERIC, "del");
        }
        reply_int(c, 0);
        return;
    }
    kv *o = kv_new_ptr(dstkey->ptr, dstkey->len, OBJ_ZSET, OBJ_ENC_LISTPACK, zs->p);
    o->encoding = zset_is_listpack(zs) ? OBJ_ENC_LISTPACK : OBJ_ENC_SKIPLIST;
    sync_encoding(o);
    db_set(c->db, o, false);
    key_changed(c, dstkey, NOTIFY_ZSET, event);
    reply_int(c, n);
}

static void cmd_zrangestore(client *c) {
    range_req q;
    range_req_init(&q, -1, false, &c->argv[3], &c->argv[4]);
    if (!parse_range_options(c, 5, &q, true, true)) return;
    zset dst = zset_new();
    long long stored = -1;
    size_t mark = c->reply.len;
    range_run(c, &c->argv[2], &q, &dst, &stored);
    if (stored < 0 || c->reply.len != mark) { /* an error was replied */
        zset_free(&dst);
        return;
    }
    zset_store_result(c, &c->argv[1], &dst, "zrangestore");
}

static void count_generic(client *c, int kind) {
    range_req q;
    range_req_init(&q, kind, false, &c->argv[2], &c->argv[3]);
    if (!range_args_valid(c, &q)) return;
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], false, &wrong);
    if (wrong) return;
    size_t first, last;
    bool err = false;
    if (o && range_window(c, ZSET_OF(o), &q, &first, &last, &err))
        reply_int(c, (long long)(last - first + 1));
    else if (!err)
        reply_int(c, 0);
}

static void cmd_zcount(client *c) {
    count_generic(c, RANGE_SCORE);
}

static void cmd_zlexcount(client *c) {
    count_generic(c, RANGE_LEX);
}

static void remrange_generic(client *c, int kind) {
    range_req q;
    range_req_init(&q, kind, false, &c->argv[2], &c->argv[3]);
    if (!range_args_valid(c, &q)) return;
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], true, &wrong);
    if (wrong) return;
    size_t first, last;
    bool err = false;
    long long n = 0;
    if (o && range_window(c, ZSET_OF(o), &q, &first, &last, &err))
        n = (long long)zset_del_rank_range(ZSET_OF(o), first, last);
    if (err) return;
    if (n) {
        static const char *events[] = {"zremrangebyrank", "zremrangebyscore", "zremrangebylex"};
        key_changed(c, &c->argv[1], NOTIFY_ZSET, events[kind]);
        delete_if_empty(c, &c->argv[1], o);
    }
    reply_int(c, n);
}

static void cmd_zremrangebyrank(client *c) {
    remrange_generic(c, RANGE_RANK);
}

static void cmd_zremrangebyscore(client *c) {
    remrange_generic(c, RANGE_SCORE);
}

static void cmd_zremrangebylex(client *c) {
    remrange_generic(c, RANGE_LEX);
}

/* ---- pops ---- */

enum pair_nesting { PAIRS_FLAT, PAIRS_NESTED_RESP3, PAIRS_NESTED };

/* Pop up to count elements from one end of the zset at key (present),
 * emitting (member, score) pairs flat or nested in 2-element arrays. */
static long long pop_from(client *c, const vg_slice *key, kv *o, bool max, long long count,
                          int nesting) {
    zset *zs = ZSET_OF(o);
    long long n = (long long)zset_len(zs);
    if (count > n) count = n;
    for (long long i = 0; i < count; i++) {
        zset_iter it;
        zset_iter_at(&it, zs, max ? zset_len(zs) - 1 : 0, max);
        const char *m;
        size_t len;
        double score;
        zset_iter_next(&it, &m, &len, &score);
        if (nesting == PAIRS_NESTED || (nesting == PAIRS_NESTED_RESP3 && c->resp > 2))
            reply_array(c, 2);
        reply_bulk(c, m, len);
        reply_score(c, score);
        zset_del_rank_range(zs, max ? zset_len(zs) - 1 : 0, max ? zset_len(zs) - 1 : 0);
    }
    if (count > 0) {
        key_changed(c, key, NOTIFY_ZSET, max ? "zpopmax" : "zpopmin");
        delete_if_empty(c, key, o);
    }
    return count;
}

static void zpop_generic(client *c, bool max) {
    long long count = 1;
    bool has_count = c->argc == 3;
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    if (has_count && (!vg_str2ll(c->argv[2].ptr, c->argv[2].len, &count) || count < 0)) {
        reply_out_of_range(c);
        return;
    }
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], true, &wrong);
    if (wrong) return;
    if (o == NULL || count == 0) {
        reply_array(c, 0);
        return;
    }
    long long avail = (long long)zset_len(ZSET_OF(o));
    long long take = count < avail ? count : avail;
    if (!has_count) {
        reply_array(c, 2);
        pop_from(c, &c->argv[1], o, max, 1, PAIRS_FLAT);
        return;
    }
    reply_array(c, c->resp > 2 ? take : take * 2);
    pop_from(c, &c->argv[1], o, max, take, PAIRS_NESTED_RESP3);
}

static void cmd_zpopmin(client *c) {
    zpop_generic(c, false);
}

static void cmd_zpopmax(client *c) {
    zpop_generic(c, true);
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], starting at argv[first]. */
static bool zmpop_parse(client *c, int first, int *nkeys, bool *max, long long *count) {
    long long n;
    if (!vg_str2ll(c->argv[first].ptr, c->argv[first].len, &n) || n <= 0) {
        reply_error(c, "ERR numkeys should be greater than 0");
        return false;
    }
    int where = first + 1 + (int)n;
    if (n > c->argc || where >= c->argc) {
        reply_syntax_error(c);
        return false;
    }
    if (arg_is(&c->argv[where], "min"))
        *max = false;
    else if (arg_is(&c->argv[where], "max"))
        *max = true;
    else {
        reply_syntax_error(c);
        return false;
    }
    /* Redis reads the options in turn: a bad count is reported before
     * whatever follows it. */
    *count = -1;
    for (int j = where + 1; j < c->argc; j++) {
        if (*count != -1 || !arg_is(&c->argv[j], "count") || j + 1 >= c->argc) {
            reply_syntax_error(c);
            return false;
        }
        j++;
        if (!vg_str2ll(c->argv[j].ptr, c->argv[j].len, count) || *count <= 0) {
            reply_error(c, "ERR count should be greater than 0");
            return false;
        }
    }
    if (*count == -1) *count = 1;
    *nkeys = (int)n;
    return true;
}

/* Pop from the first non-empty zset among keys; returns false when all are empty. */
bool zset_mpop_serve(client *c, const vg_slice *keys, int nkeys, bool max, long long count);
bool zset_mpop_serve(client *c, const vg_slice *keys, int nkeys, bool max, long long count) {
    for (int i = 0; i < nkeys; i++) {
        bool wrong;
        kv *o = lookup_zset(c, &keys[i], true, &wrong);
        if (wrong) return true;
        if (o == NULL) continue;
        long long avail = (long long)zset_len(ZSET_OF(o));
        long long take = count < avail ? count : avail;
        char n[24]; /* [B]ZMPOP propagates as ZPOPMIN/ZPOPMAX key n */
        vg_slice pop[3] = {max ? PROPAGATE_LIT("ZPOPMAX") : PROPAGATE_LIT("ZPOPMIN"),
                           keys[i],
                           {n, (size_t)vg_ll2str(n, take)}};
        propagate_rewrite_argv(c, 3, pop);
        reply_array(c, 2);
        reply_bulk(c, keys[i].ptr, keys[i].len);
        reply_array(c, take);
        pop_from(c, &keys[i], o, max, take, PAIRS_NESTED);
        return true;
    }
    return false;
}

static void cmd_zmpop(client *c) {
    int nkeys;
    bool max;
    long long count;
    if (!zmpop_parse(c, 1, &nkeys, &max, &count)) return;
    if (!zset_mpop_serve(c, &c->argv[2], nkeys, max, count)) reply_null_array(c);
}

/* ---- blocking pops ---- */

/* BZPOPMIN/BZPOPMAX reply: [key, member, score], flat in both protocols. */
static bool bzpop_serve_key(client *c, const vg_slice *key, bool max) {
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    if (o == NULL || o->type != OBJ_ZSET || zset_len(ZSET_OF(o)) == 0) return false;
    vg_slice pop[2] = {max ? PROPAGATE_LIT("ZPOPMAX") : PROPAGATE_LIT("ZPOPMIN"), *key};
    propagate_rewrite_argv(c, 2, pop);
    reply_array(c, 3);
    reply_bulk(c, key->ptr, key->len);
    pop_from(c, key, o, max, 1, PAIRS_FLAT);
    return true;
}

static bool is_max_command(const client *c) {
    return c->cmd && strcmp(c->cmd->name, "bzpopmax") == 0;
}

static bool bzpop_serve_cb(client *c, const vg_slice *key) {
    return bzpop_serve_key(c, key, is_max_command(c));
}

static void bzpop_generic(client *c, bool max) {
    int64_t deadline;
    if (!blocking_parse_timeout(c, &c->argv[c->argc - 1], &deadline)) return;
    for (int i = 1; i < c->argc - 1; i++) {
        kv *o = db_lookup_write(c->db, c->argv[i].ptr, c->argv[i].len);
        if (o && o->type != OBJ_ZSET) {
            reply_wrong_type(c);
            return;
        }
        if (o && bzpop_serve_key(c, &c->argv[i], max)) return;
    }
    if (!blocking_allowed(c)) {
        reply_null_array(c);
        return;
    }
    blocking_block(c, &c->argv[1], c->argc - 2, deadline, bzpop_serve_cb);
}

static void cmd_bzpopmin(client *c) {
    bzpop_generic(c, false);
}

static void cmd_bzpopmax(client *c) {
    bzpop_generic(c, true);
}

static bool bzmpop_serve_cb(client *c, const vg_slice *key) {
    int nkeys;
    bool max;
    long long count;
    size_t mark = c->reply.len;
    if (!zmpop_parse(c, 2, &nkeys, &max, &count)) {
        c->reply.len = mark; /* validated when it blocked */
        return false;
    }
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    if (o == NULL || o->type != OBJ_ZSET || zset_len(ZSET_OF(o)) == 0) return false;
    return zset_mpop_serve(c, key, 1, max, count);
}

/* Redis' order: numkeys, MIN|MAX and COUNT, then the timeout, then the
 * keys in turn (a wrong type after a non-empty zset is never seen). */
static void cmd_bzmpop(client *c) {
    int nkeys;
    bool max;
    long long count;
    if (!zmpop_parse(c, 2, &nkeys, &max, &count)) return;
    int64_t deadline;
    if (!blocking_parse_timeout(c, &c->argv[1], &deadline)) return;
    if (zset_mpop_serve(c, &c->argv[3], nkeys, max, count)) return;
    if (!blocking_allowed(c)) {
        reply_null_array(c);
        return;
    }
    blocking_block(c, &c->argv[3], nkeys, deadline, bzmpop_serve_cb);
}

/* ---- ZRANDMEMBER / ZSCAN ---- */

static void reply_rank(client *c, const zset *zs, size_t rank, bool withscores) {
    zset_iter it;
    zset_iter_at(&it, zs, rank, false);
    const char *m;
    size_t len;
    double s;
    if (zset_iter_next(&it, &m, &len, &s)) zset_reply_pair(c, m, len, s, withscores);
}

/* Redis' order: the count and the options first, then the key. */
static void cmd_zrandmember(client *c) {
    bool wrong;
    if (c->argc == 2) {
        kv *o = lookup_zset(c, &c->argv[1], false, &wrong);
        if (wrong) return;
        if (o == NULL)
            reply_null(c);
        else
            reply_rank(c, ZSET_OF(o), server_random() % zset_len(ZSET_OF(o)), false);
        return;
    }
    long long count;
    bool withscores = false;
    if (!arg_ll(c, &c->argv[2], &count)) return;
    if (count == LLONG_MIN) {
        reply_error(c, "ERR value is out of range, value must between -9223372036854775807 and "
                       "9223372036854775807");
        return;
    }
    if (c->argc > 4 || (c->argc == 4 && !arg_is(&c->argv[3], "withscores"))) {
        reply_syntax_error(c);
        return;
    }
    if (c->argc == 4) {
        withscores = true;
        if (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2) {
            reply_error(c, "ERR value is out of range");
            return;
        }
    }
    kv *o = lookup_zset(c, &c->argv[1], false, &wrong);
    if (wrong) return;
    if (o == NULL || count == 0) {
        reply_array(c, 0);
        return;
    }
    zset *zs = ZSET_OF(o);
    size_t n = zset_len(zs);
    if (count < 0) {
        long long want = -count;
        reply_array(c, withscores && c->resp <= 2 ? want * 2 : want);
        for (long long i = 0; i < want; i++)
            reply_rank(c, zs, server_random() % n, withscores);
        return;
    }
    size_t want = (size_t)count < n ? (size_t)count : n;
    reply_array(c, (long long)(withscores && c->resp <= 2 ? want * 2 : want));
    if (want == n) { /* the whole set, highest first: Redis' zset iterator runs backward */
        for (size_t i = n; i-- > 0;)
            reply_rank(c, zs, i, withscores);
        return;
    }
    /* Distinct ranks: partial Fisher-Yates over an index array. */
    size_t *idx = vg_malloc(n * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = 0; i < want; i++) {
        size_t j = i + server_random() % (n - i);
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        reply_rank(c, zs, idx[i], withscores);
    }
    vg_free(idx);
}

typedef struct zscan_ctx {
    buf out; /* RESP of collected members and scores */
    long long n;
    const vg_slice *pattern;
    client *c;
    bool listpack; /* scores as a listpack stores them */
} zscan_ctx;

/* A listpack holds an integral score within +-LLONG_MAX/2 as an integer
 * and Redis' ZSCAN prints what is stored: -2e17 reads -200000000000000000. */
static int zscan_listpack_score(char *out, size_t cap, double score) {
    if (score >= (double)(-LLONG_MAX / 2) && score <= (double)(LLONG_MAX / 2)) {
        long long ll = (long long)score;
        if ((double)ll == score) return vg_ll2str(out, ll);
    }
    return vg_d2str(out, cap, score);
}

static void zscan_collect(const char *m, size_t len, double score, void *arg) {
    zscan_ctx *x = arg;
    if (x->pattern && !glob_match(x->pattern->ptr, x->pattern->len, m, len, false)) return;
    char tmp[64];
    int n = x->listpack ? zscan_listpack_score(tmp, sizeof(tmp), score)
                        : vg_d2str(tmp, sizeof(tmp), score);
    resp_add_bulk(&x->out, m, len);
    resp_add_bulk(&x->out, tmp, (size_t)n);
    x->n += 2;
}

/* Redis' order: the cursor, then the key (missing: an empty page; wrong
 * type), then COUNT and MATCH, each as often as given. */
static void cmd_zscan(client *c) {
    scan_args a;
    if (!scan_parse_cursor(c, &c->argv[2], &a.cursor)) return;
    bool wrong;
    kv *o = lookup_zset(c, &c->argv[1], false, &wrong);
    if (wrong) return;
    if (o == NULL) {
        scan_reply_header(c, 0, 0);
        return;
    }
    if (!scan_parse_options(c, 3, false, &a)) return;
    uint64_t cursor = a.cursor;
    long long count = a.count;
    zscan_ctx x;
    buf_init(&x.out);
    x.n = 0;
    x.pattern = a.pattern;
    x.c = c;
    uint64_t next = 0;
    {
        zset *zs = ZSET_OF(o);
        x.listpack = zset_is_listpack(zs);
        if (x.listpack) {
            zset_iter it;
            zset_iter_at(&it, zs, 0, false);
            const char *m;
            size_t len;
            double s;
            while (zset_iter_next(&it, &m, &len, &s))
                zscan_collect(m, len, s, &x);
        } else {
            /* Bounded like Redis: count*10 buckets, saturating for a huge COUNT. */
            long long steps = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
            next = cursor;
            do {
                next = zset_scan(zs, next, zscan_collect, &x);
            } while (next && --steps > 0 && x.n / 2 < count);
        }
    }
    reply_array(c, 2);
    reply_bulk_ll(c, (long long)next);
    reply_array(c, x.n);
    reply_raw(c, x.out.data ? x.out.data : "", x.out.len);
    buf_free(&x.out);
}

/* ---- table ---- */

#define ZCMD(n, fn, ar, fl, fk, lk, st, sum, ver)                                                  \
    {                                                                                              \
        .name = n, .proc = fn, .arity = ar, .flags = (fl), .acl_cats = "@sortedset",               \
        .first_key = fk, .last_key = lk, .key_step = st, .summary = sum, .since = ver,             \
        .group = "sorted-set"                                                                      \
    }

static command zset_commands[] = {
    ZCMD("zadd", cmd_zadd, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
         "Add one or more members to a sorted set, or update its score if it already exists",
         "1.2.0"),
    {.name = "zincrby",
     .proc = cmd_zincrby,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_need_first = CMD_KEY_RW,
     .summary = "Increment the score of a member in a sorted set",
     .since = "1.2.0",
     .group = "sorted-set"},
    ZCMD("zrem", cmd_zrem, -3, CMD_WRITE | CMD_FAST, 1, 1, 1,
         "Remove one or more members from a sorted set", "1.2.0"),
    {.name = "zcard",
     .proc = cmd_zcard,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_need_first = CMD_KEY_NONE,
     .summary = "Get the number of members in a sorted set",
     .since = "1.2.0",
     .group = "sorted-set"},
    ZCMD("zscore", cmd_zscore, 3, CMD_READONLY | CMD_FAST, 1, 1, 1,
         "Get the score associated with the given member in a sorted set", "1.2.0"),
    ZCMD("zmscore", cmd_zmscore, -3, CMD_READONLY | CMD_FAST, 1, 1, 1,
         "Get the score associated with the given members in a sorted set", "6.2.0"),
    ZCMD("zrank", cmd_zrank, 3, CMD_READONLY | CMD_FAST, 1, 1, 1,
         "Determine the index of a member in a sorted set", "2.0.0"),
    ZCMD("zrevrank", cmd_zrevrank, 3, CMD_READONLY | CMD_FAST, 1, 1, 1,
         "Determine the index of a member in a sorted set, with scores ordered from high to low",
         "2.0.0"),
    ZCMD("zrange", cmd_zrange, -4, CMD_READONLY, 1, 1, 1,
         "Return a range of members in a sorted set", "1.2.0"),
    ZCMD(
        "zrevrange", cmd_zrevrange, -4, CMD_READONLY, 1, 1, 1,
        "Return a range of members in a sorted set, by index, with scores ordered from high to low",
        "1.2.0"),
    ZCMD("zrangebyscore", cmd_zrangebyscore, -4, CMD_READONLY, 1, 1, 1,
         "Return a range of members in a sorted set, by score", "1.0.5"),
    ZCMD(
        "zrevrangebyscore", cmd_zrevrangebyscore, -4, CMD_READONLY, 1, 1, 1,
        "Return a range of members in a sorted set, by score, with scores ordered from high to low",
        "2.2.0"),
    ZCMD("zrangebylex", cmd_zrangebylex, -4, CMD_READONLY, 1, 1, 1,
         "Return a range of members in a sorted set, by lexicographical range", "2.8.9"),
    ZCMD("zrevrangebylex", cmd_zrevrangebylex, -4, CMD_READONLY, 1, 1, 1,
         "Return a range of members in a sorted set, by lexicographical range, ordered from higher "
         "to lower strings.",
         "2.8.9"),
    {.name = "zrangestore",
     .proc = cmd_zrangestore,
     .arity = -5,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_need_first = CMD_KEY_W,
     .key_need_rest = CMD_KEY_R,
     .summary = "Store a range of members from sorted set into another key",
     .since = "6.2.0",
     .group = "sorted-set"},
    ZCMD("zcount", cmd_zcount, 4, CMD_READONLY | CMD_FAST, 1, 1, 1,
         "Count the members in a sorted set with scores within the given values", "2.0.0"),
    ZCMD("zlexcount", cmd_zlexcount, 4, CMD_READONLY | CMD_FAST, 1, 1, 1,
         "Count the number of members in a sorted set between a given lexicographical range",
         "2.8.9"),
    ZCMD("zremrangebyrank", cmd_zremrangebyrank, 4, CMD_WRITE, 1, 1, 1,
         "Remove all members in a sorted set within the given indexes", "2.0.0"),
    ZCMD("zremrangebyscore", cmd_zremrangebyscore, 4, CMD_WRITE, 1, 1, 1,
         "Remove all members in a sorted set within the given scores", "1.2.0"),
    ZCMD("zremrangebylex", cmd_zremrangebylex, 4, CMD_WRITE, 1, 1, 1,
         "Remove all members in a sorted set between the given lexicographical range", "2.8.9"),
    {.name = "zpopmin",
     .proc = cmd_zpopmin,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_need_first = CMD_KEY_RW,
     .summary = "Remove and return members with the lowest scores in a sorted set",
     .since = "5.0.0",
     .group = "sorted-set"},
    {.name = "zpopmax",
     .proc = cmd_zpopmax,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_need_first = CMD_KEY_RW,
     .summary = "Remove and return members with the highest scores in a sorted set",
     .since = "5.0.0",
     .group = "sorted-set"},
    {.name = "zmpop",
     .proc = cmd_zmpop,
     .arity = -4,
     .flags = CMD_WRITE | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .numkeys_arg = 1,
     .key_need_first = CMD_KEY_RW,
     .key_need_rest = CMD_KEY_RW,
     .summary = "Remove and return members with scores in a sorted set",
     .since = "7.0.0",
     .group = "sorted-set"},
    {.name = "bzpopmin",
     .proc = cmd_bzpopmin,
     .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_FAST | CMD_BLOCKING,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .key_need_first = CMD_KEY_RW,
     .key_need_rest = CMD_KEY_RW,
     .summary = "Remove and return the member with the lowest score from one or more sorted sets, "
                "or block until one is available",
     .since = "5.0.0",
     .group = "sorted-set"},
    {.name = "bzpopmax",
     .proc = cmd_bzpopmax,
     .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_FAST | CMD_BLOCKING,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .key_need_first = CMD_KEY_RW,
     .key_need_rest = CMD_KEY_RW,
     .summary = "Remove and return the member with the highest score from one or more sorted sets, "
                "or block until one is available",
     .since = "5.0.0",
     .group = "sorted-set"},
    {.name = "bzmpop",
     .proc = cmd_bzmpop,
     .arity = -5,
     .flags = CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .numkeys_arg = 2,
     .key_need_first = CMD_KEY_RW,
     .key_need_rest = CMD_KEY_RW,
     .summary =
         "Remove and return members with scores in a sorted set or block until one is available",
     .since = "7.0.0",
     .group = "sorted-set"},
    ZCMD("zrandmember", cmd_zrandmember, -2, CMD_READONLY, 1, 1, 1,
         "Get one or multiple random elements from a sorted set", "6.2.0"),
    ZCMD("zscan", cmd_zscan, -3, CMD_READONLY, 1, 1, 1,
         "Incrementally iterate sorted sets elements and associated scores", "2.8.0"),
};
COMMAND_TABLE(zset_commands)
