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
#include "t_set.h"
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

static double aggregate(int how, double a, double b) {
    if (how == AGGR_MIN) return a < b ? a : b;
    if (how == AGGR_MAX) return a > b ? a : b;
    double r = a + b;
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

static double weighted(double s, double w) {
    double r = s * w;
    return isnan(r) ? 0.0 : r;
}

static void union_visit(const char *m, size_t len, double s, visit_ctx *x) {
    double cur, v = weighted(s, x->weight);
    if (zset_score(x->acc, m, len, &cur))
        zset_set(x->acc, m, len, aggregate(x->how, cur, v));
    else
        zset_add_new(x->acc, m, len, v);
}

static void inter_visit(const char *m, size_t len, double s, visit_ctx *x) {
    double total = weighted(s, x->inputs[0].weight);
    for (int j = 1; j < x->ninputs; j++) {
        double other;
        if (!input_score(&x->inputs[j], m, len, &other)) return;
        total = aggregate(x->how, total, weighted(other, x->inputs[j].weight));
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

/* Parse numkeys, keys, WEIGHTS, AGGREGATE, WITHSCORES from argv[first];
 * build the result into *out (new). Returns false after replying an error. */
static bool setop_build(client *c, int first, int op, bool allow_withscores, bool *withscores,
                        zset *out) {
    long long n;
    const char *name = c->cmd->fullname;
    if (!vg_str2ll(c->argv[first].ptr, c->argv[first].len, &n)) {
        reply_not_integer(c);
        return false;
    }
    if (n < 1) {
        reply_errorf(c, "ERR at least 1 input key is needed for '%s' command", name);
        return false;
    }
    if (n > c->argc - first - 1) {
        reply_syntax_error(c);
        return false;
    }
    setop_input *in = vg_calloc((size_t)n * sizeof(setop_input));
    int how = AGGR_SUM;
    *withscores = false;
    for (long long i = 0; i < n; i++)
        in[i].weight = 1.0;
    for (int i = first + 1 + (int)n; i < c->argc; i++) {
        const vg_slice *a = &c->argv[i];
        if (op != SETOP_DIFF && arg_is(a, "weights") && i + n < c->argc) {
            for (long long j = 0; j < n; j++) {
                if (!vg_str2d(c->argv[i + 1 + j].ptr, c->argv[i + 1 + j].len, &in[j].weight)) {
                    reply_error(c, "ERR weight value is not a float");
                    vg_free(in);
                    return false;
                }
            }
            i += (int)n;
        } else if (op != SETOP_DIFF && arg_is(a, "aggregate") && i + 1 < c->argc) {
            const vg_slice *w = &c->argv[++i];
            if (arg_is(w, "sum"))
                how = AGGR_SUM;
            else if (arg_is(w, "min"))
                how = AGGR_MIN;
            else if (arg_is(w, "max"))
                how = AGGR_MAX;
            else {
                reply_syntax_error(c);
                vg_free(in);
                return false;
            }
        } else if (allow_withscores && arg_is(a, "withscores")) {
            *withscores = true;
        } else {
            reply_syntax_error(c);
            vg_free(in);
            return false;
        }
    }
    for (long long i = 0; i < n; i++) {
        const vg_slice *k = &c->argv[first + 1 + i];
        kv *o = db_lookup_write(c->db, k->ptr, k->len);
        if (o && o->type != OBJ_ZSET && o->type != OBJ_SET) {
            reply_wrong_type(c);
            vg_free(in);
            return false;
        }
        in[i].o = o;
        in[i].len = o ? (o->type == OBJ_SET ? set_size(o) : zset_len(ZSET_OF(o))) : 0;
    }
    *out = zset_new();
    visit_ctx x = {out, 1.0, how, in, (int)n, op};
    if (op == SETOP_UNION) {
        for (long long i = 0; i < n; i++) {
            x.weight = in[i].weight;
            visit_input(&in[i], &x);
        }
    } else {
        if (op == SETOP_INTER) /* walk the smallest input */
            qsort(in, (size_t)n, sizeof(setop_input), cmp_input_len);
        if (in[0].o && (op != SETOP_INTER || in[0].len > 0)) visit_input(&in[0], &x);
    }
    vg_free(in);
    return true;
}

static void setop_reply(client *c, int op) {
    bool withscores;
    zset result;
    if (!setop_build(c, 1, op, true, &withscores, &result)) return;
    zset *acc = &result;
    size_t n = zset_len(acc);
    reply_array(c, (long long)(withscores && c->resp <= 2 ? n * 2 : n));
    zset_iter it;
    zset_iter_at(&it, acc, 0, false);
    const char *m;
    size_t len;
    double s;
    while (zset_iter_next(&it, &m, &len, &s))
        zset_reply_pair(c, m, len, s, withscores);
    zset_free(acc);
}

static void setop_store(client *c, int op, const char *event) {
    bool withscores;
    zset result;
    if (setop_build(c, 2, op, false, &withscores, &result))
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
    long long n, limit = 0;
    if (!vg_str2ll(c->argv[1].ptr, c->argv[1].len, &n)) {
        reply_not_integer(c);
        return;
    }
    if (n < 1) {
        reply_error(c, "ERR at least 1 input key is needed for 'zintercard' command");
        return;
    }
    if (n > c->argc - 2) {
        reply_syntax_error(c);
        return;
    }
    int rest = 2 + (int)n;
    if (rest < c->argc) {
        if (rest + 2 != c->argc || !arg_is(&c->argv[rest], "limit")) {
            reply_syntax_error(c);
            return;
        }
        if (!vg_str2ll(c->argv[rest + 1].ptr, c->argv[rest + 1].len, &limit) || limit < 0) {
            reply_error(c, "ERR LIMIT can't be negative");
            return;
        }
    }
    /* Reuse the intersection builder on a trimmed argument view. */
    int saved = c->argc;
    c->argc = rest;
    bool ws;
    zset result;
    bool ok = setop_build(c, 1, SETOP_INTER, false, &ws, &result);
    c->argc = saved;
    if (!ok) return;
    long long card = (long long)zset_len(&result);
    zset_free(&result);
    reply_int(c, limit && card > limit ? limit : card);
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
