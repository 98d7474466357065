/* t_zset_setops.c -- ZUNION ZINTER ZDIFF, their STORE forms and ZINTERCARD.
 *
 * Owns: nothing beyond the result sets it builds. Inputs may be sorted sets
 * or plain sets (members score 1), weighted and aggregated (SUM MIN MAX)
 * as Redis 7.0 does; an empty result deletes the destination. */
#include <math.h>
#include <stdlib.h>

#include "cmd_util.h"
#include "command.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "set.h"
#include "t_zset.h"
#include "vg_alloc.h"
#include "zset.h"

/* ---- ZUNION / ZINTER / ZDIFF ---- */

enum setop { SETOP_UNION, SETOP_INTER, SETOP_DIFF };
enum aggr { AGGR_SUM, AGGR_MIN, AGGR_MAX };

typedef struct setop_input {
    kv *o; /* borrowed, NULL if missing */
    double weight;
    size_t len;
} setop_input;

/* Redis keeps the current value when the two compare equal (so 0 and -0
 * keep whichever came first) or the new one is NaN. */
static double aggregate(int how, double cur, double v) {
    if (how == AGGR_MIN) return v < cur ? v : cur;
    if (how == AGGR_MAX) return v > cur ? v : cur;
    double r = cur + v;
    return isnan(r) ? 0.0 : r; /* inf + -inf: Redis uses 0 */
}

/* Score of m in input (zset score, or 1 for a plain set member). */
static bool input_score(const setop_input *in, const char *m, size_t len, double *s) {
    if (in->o == NULL) return false;
    if (in->o->type == OBJ_SET) {
        if (!set_is_member(in->o, m, len)) return false;
        *s = 1.0;
        return true;
    }
    return zset_score(ZSET_OF(in->o), m, len, s);
}

typedef struct visit_ctx {
    zset *acc;
    double weight;
    int how;
    const setop_input *inputs;
    int ninputs;
    int op;
} visit_ctx;

/* The first weighting of a member turns NaN (0 * inf) into 0. */
static double weighted(double s, double w) {
    double r = s * w;
    return isnan(r) ? 0.0 : r;
}

/* Store v for m in the accumulator exactly, sign of zero included: the
 * result is a skiplist, where -0 survives and reads back as "-0". */
static void acc_replace(zset *acc, const char *m, size_t len, double cur, double v) {
    if (v != cur) {
        zset_set(acc, m, len, v);
    } else if (signbit(v) != signbit(cur)) {
        zset_del(acc, m, len);
        zset_add_new(acc, m, len, v);
    }
}

static void union_visit(const char *m, size_t len, double s, visit_ctx *x) {
    double cur, v = weighted(s, x->weight);
    if (zset_score(x->acc, m, len, &cur))
        acc_replace(x->acc, m, len, cur, aggregate(x->how, cur, v));
    else
        zset_add_new(x->acc, m, len, v);
}

static void inter_visit(const char *m, size_t len, double s, visit_ctx *x) {
    double total = weighted(s, x->inputs[0].weight);
    for (int j = 1; j < x->ninputs; j++) {
        double other;
        if (!input_score(&x->inputs[j], m, len, &other)) return;
        /* Later weightings may be NaN: aggregate() then keeps the total. */
        total = aggregate(x->how, total, other * x->inputs[j].weight);
    }
    zset_add_new(x->acc, m, len, total);
}

static void diff_visit(const char *m, size_t len, double s, visit_ctx *x) {
    for (int j = 1; j < x->ninputs; j++) {
        double other;
        if (input_score(&x->inputs[j], m, len, &other)) return;
    }
    zset_add_new(x->acc, m, len, s);
}

static void dispatch_visit(const char *m, size_t len, double s, visit_ctx *x) {
    if (x->op == SETOP_UNION)
        union_visit(m, len, s, x);
    else if (x->op == SETOP_INTER)
        inter_visit(m, len, s, x);
    else
        diff_visit(m, len, s, x);
}

static void set_member_visit(const char *m, size_t len, void *arg) {
    dispatch_visit(m, len, 1.0, arg);
}

static void visit_input(const setop_input *in, visit_ctx *x) {
    if (in->o == NULL) return;
    if (in->o->type == OBJ_SET) {
        set_foreach(in->o, set_member_visit, x);
        return;
    }
    zset_iter it;
    zset_iter_at(&it, ZSET_OF(in->o), 0, false);
    const char *m;
    size_t len;
    double s;
    while (zset_iter_next(&it, &m, &len, &s))
        dispatch_visit(m, len, s, x);
}

static int cmp_input_len(const void *a, const void *b) {
    const setop_input *x = a, *y = b;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* What one of the seven commands asks for. */
typedef struct setop_req {
    int op;          /* SETOP_* */
    bool store;      /* ZUNIONSTORE ...: no WITHSCORES */
    bool card_only;  /* ZINTERCARD: LIMIT, nothing else */
    bool withscores; /* parsed */
    int how;         /* parsed: AGGR_* */
    long long limit; /* parsed: ZINTERCARD LIMIT, 0 for none */
} setop_req;

/* numkeys at argv[first]: replies and returns -1 when unusable. */
static long long setop_numkeys(client *c, int first) {
    long long n;
    if (!vg_str2ll(c->argv[first].ptr, c->argv[first].len, &n)) {
        reply_not_integer(c);
        return -1;
    }
    if (n < 1) {
        reply_errorf(c, "ERR at least 1 input key is needed for '%s' command", c->cmd->fullname);
        return -1;
    }
    if (n > c->argc - first - 1) {
        reply_syntax_error(c);
        return -1;
    }
    return n;
}

/* The n input keys after argv[first]; false after replying WRONGTYPE.
 * Redis looks the keys up before it reads any option, so a wrong type
 * wins over a bad WEIGHTS, AGGREGATE or LIMIT. */
static bool setop_lookup(client *c, int first, long long n, setop_input *in) {
    for (long long i = 0; i < n; i++) {
        const vg_slice *k = &c->argv[first + 1 + i];
        kv *o = db_lookup_write(c->db, k->ptr, k->len);
        if (o && o->type != OBJ_ZSET && o->type != OBJ_SET) {
            reply_wrong_type(c);
            return false;
        }
        in[i].o = o;
        in[i].weight = 1.0;
        in[i].len = o ? (o->type == OBJ_SET ? set_size(o) : zset_len(ZSET_OF(o))) : 0;
    }
    return true;
}

static bool parse_aggregate(const vg_slice *w, int *how) {
    if (arg_is(w, "sum"))
        *how = AGGR_SUM;
    else if (arg_is(w, "min"))
        *how = AGGR_MIN;
    else if (arg_is(w, "max"))
        *how = AGGR_MAX;
    else
        return false;
    return true;
}

/* Options from argv[j] on, each accepted only where Redis accepts it (and
 * as often as given); false after replying. */
static bool setop_options(client *c, int j, long long n, setop_input *in, setop_req *q) {
    bool weighs = q->op != SETOP_DIFF && !q->card_only;
    while (j < c->argc) {
        int remaining = c->argc - j;
        const vg_slice *a = &c->argv[j];
        if (weighs && remaining >= n + 1 && arg_is(a, "weights")) {
            for (long long i = 0; i < n; i++)
                if (!arg_double(&c->argv[j + 1 + i], &in[i].weight)) {
                    reply_error(c, "ERR weight value is not a float");
                    return false;
                }
            j += 1 + (int)n;
        } else if (weighs && remaining >= 2 && arg_is(a, "aggregate")) {
            if (!parse_aggregate(&c->argv[j + 1], &q->how)) {
                reply_syntax_error(c);
                return false;
            }
            j += 2;
        } else if (!q->store && !q->card_only && arg_is(a, "withscores")) {
            q->withscores = true;
            j++;
        } else if (q->card_only && remaining >= 2 && arg_is(a, "limit")) {
            const vg_slice *l = &c->argv[j + 1];
            if (!vg_str2ll(l->ptr, l->len, &q->limit) || q->limit < 0) {
                reply_error(c, "ERR LIMIT can't be negative");
                return false;
            }
            j += 2;
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    return true;
}

/* Fill out (a skiplist, as Redis builds it) from the parsed inputs. */
static void setop_compute(setop_input *in, long long n, const setop_req *q, zset *out) {
    *out = zset_new();
    zset_convert_to_skiplist(out);
    /* Redis orders the inputs by size for UNION too, which fixes the order
     * in which a member's scores are summed. */
    if (q->op != SETOP_DIFF) qsort(in, (size_t)n, sizeof(setop_input), cmp_input_len);
    visit_ctx x = {out, 1.0, q->how, in, (int)n, q->op};
    if (q->op == SETOP_UNION) {
        for (long long i = 0; i < n; i++) {
            x.weight = in[i].weight;
            visit_input(&in[i], &x);
        }
    } else if (in[0].o && (q->op != SETOP_INTER || in[0].len > 0)) {
        visit_input(&in[0], &x);
    }
}

/* Parse numkeys, keys, options from argv[first] in Redis' order and build
 * the result into *out (new). Returns false after replying an error. */
static bool setop_build(client *c, int first, setop_req *q, zset *out) {
    long long n = setop_numkeys(c, first);
    if (n < 0) return false;
    setop_input *in = vg_calloc((size_t)n * sizeof(setop_input));
    q->how = AGGR_SUM;
    q->withscores = false;
    q->limit = 0;
    bool ok = setop_lookup(c, first, n, in) && setop_options(c, first + 1 + (int)n, n, in, q);
    if (ok) setop_compute(in, n, q, out);
    vg_free(in);
    return ok;
}

static void setop_reply(client *c, int op) {
    setop_req q = {.op = op};
    zset result;
    if (!setop_build(c, 1, &q, &result)) return;
    zset *acc = &result;
    size_t n = zset_len(acc);
    reply_array(c, (long long)(q.withscores && c->resp <= 2 ? n * 2 : n));
    zset_iter it;
    zset_iter_at(&it, acc, 0, false);
    const char *m;
    size_t len;
    double s;
    while (zset_iter_next(&it, &m, &len, &s))
        zset_reply_pair(c, m, len, s, q.withscores);
    zset_free(acc);
}

static void setop_store(client *c, int op, const char *event) {
    setop_req q = {.op = op, .store = true};
    zset result;
    if (!setop_build(c, 2, &q, &result)) return;
    /* A result small enough goes back to a listpack (where -0 becomes 0). */
    zset_fit_listpack(&result, (size_t)server.zset_max_listpack_entries,
                      (size_t)server.zset_max_listpack_value);
    zset_store_result(c, &c->argv[1], &result, event);
}

static void cmd_zunion(client *c) {
    setop_reply(c, SETOP_UNION);
}

static void cmd_zinter(client *c) {
    setop_reply(c, SETOP_INTER);
}

static void cmd_zdiff(client *c) {
    setop_reply(c, SETOP_DIFF);
}

static void cmd_zunionstore(client *c) {
    setop_store(c, SETOP_UNION, "zunionstore");
}

static void cmd_zinterstore(client *c) {
    setop_store(c, SETOP_INTER, "zinterstore");
}

static void cmd_zdiffstore(client *c) {
    setop_store(c, SETOP_DIFF, "zdiffstore");
}

static void cmd_zintercard(client *c) {
    setop_req q = {.op = SETOP_INTER, .card_only = true};
    zset result;
    if (!setop_build(c, 1, &q, &result)) return;
    long long card = (long long)zset_len(&result);
    zset_free(&result);
    reply_int(c, q.limit && card > q.limit ? q.limit : card);
}

static command zset_setop_commands[] = {
    {.name = "zunion",
     .proc = cmd_zunion,
     .arity = -3,
     .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .numkeys_arg = 1,
     .summary = "Add multiple sorted sets",
     .since = "6.2.0",
     .group = "sorted-set"},
    {.name = "zinter",
     .proc = cmd_zinter,
     .arity = -3,
     .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .numkeys_arg = 1,
     .summary = "Intersect multiple sorted sets",
     .since = "6.2.0",
     .group = "sorted-set"},
    {.name = "zdiff",
     .proc = cmd_zdiff,
     .arity = -3,
     .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .numkeys_arg = 1,
     .summary = "Subtract multiple sorted sets",
     .since = "6.2.0",
     .group = "sorted-set"},
    {.name = "zunionstore",
     .proc = cmd_zunionstore,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .numkeys_arg = 2,
     .key_need_first = CMD_KEY_W,
     .key_need_rest = CMD_KEY_R,
     .summary = "Add multiple sorted sets and store the resulting sorted set in a new key",
     .since = "2.0.0",
     .group = "sorted-set"},
    {.name = "zinterstore",
     .proc = cmd_zinterstore,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .numkeys_arg = 2,
     .key_need_first = CMD_KEY_W,
     .key_need_rest = CMD_KEY_R,
     .summary = "Intersect multiple sorted sets and store the resulting sorted set in a new key",
     .since = "2.0.0",
     .group = "sorted-set"},
    {.name = "zdiffstore",
     .proc = cmd_zdiffstore,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .numkeys_arg = 2,
     .key_need_first = CMD_KEY_W,
     .key_need_rest = CMD_KEY_R,
     .summary = "Subtract multiple sorted sets and store the resulting sorted set in a new key",
     .since = "6.2.0",
     .group = "sorted-set"},
    {.name = "zintercard",
     .proc = cmd_zintercard,
     .arity = -3,
     .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl_cats = "@sortedset",
     .numkeys_arg = 1,
     .summary = "Intersect multiple sorted sets and return the cardinality of the result",
     .since = "7.0.0",
     .group = "sorted-set"},
};
COMMAND_TABLE(zset_setop_commands)
