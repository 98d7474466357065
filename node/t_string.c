/* t_string.c -- string and bitmap commands (Redis 7.0 semantics).
 *
 * Owns: nothing beyond each command's run. Values live in the keyspace as
 * kv entries with the INT, EMBSTR or RAW encodings of object.h; handlers
 * update INT values in place (INCR) and grow RAW bodies in place (APPEND,
 * SETRANGE, SETBIT), so OBJECT ENCODING answers what Redis answers.
 *
 * Commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
 * APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE SUBSTR
 * SETRANGE LCS SETBIT GETBIT BITCOUNT BITPOS BITOP.
 *
 * Every write calls db_signal_modified. Error texts are Redis 7.0.15's. */
#include "t_string.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "cmd_util.h"
#include "command.h"
#include "db.h"
#include "notify.h"
#include "object.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

/* ------------------------------------------------------------------------
 * Pure helpers (declared in t_string.h, unit tested).
 * ---------------------------------------------------------------------- */

long long string_popcount(const unsigned char *p, size_t n) {
    long long count = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        count += __builtin_popcountll(w);
    }
    for (; i < n; i++)
        count += __builtin_popcount(p[i]);
    return count;
}

long long string_bitpos(const unsigned char *p, size_t n, int bit) {
    uint64_t wskip = bit ? 0 : UINT64_MAX;
    unsigned char skip = bit ? 0 : 0xff;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w != wskip) break;
    }
    while (i < n && p[i] == skip)
        i++;
    if (i == n) return bit ? -1 : (long long)n * 8;
    for (int k = 0; k < 8; k++)
        if (((p[i] >> (7 - k)) & 1) == bit) return (long long)i * 8 + k;
    return -1; /* unreachable: p[i] != skip holds a matching bit */
}

bool string_range(long long start, long long end, size_t len, size_t *from, size_t *to) {
    if (start < 0 && end < 0 && start > end) return false;
    if (len == 0) return false;
    long long n = (long long)len;
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= n) end = n - 1;
    if (start > end) return false;
    *from = (size_t)start;
    *to = (size_t)end;
    return true;
}

/* Clamp [*start, *end] over total units the way BITCOUNT/BITPOS do.
 * Returns false for an empty range. */
static bool clamp_range(long long *start, long long *end, long long total) {
    if (*start < 0) *start += total;
    if (*end < 0) *end += total;
    if (*start < 0) *start = 0;
    if (*end < 0) *end = 0;
    if (*end >= total) *end = total - 1;
    return *start <= *end;
}

long long string_bitcount_range(const unsigned char *p, size_t len, long long start, long long end,
                                bool isbit) {
    if (start < 0 && end < 0 && start > end) return 0;
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!clamp_range(&start, &end, total)) return 0;
    if (!isbit) return string_popcount(p + start, (size_t)(end - start + 1));
    size_t fb = (size_t)(start >> 3), lb = (size_t)(end >> 3);
    long long count = string_popcount(p + fb, lb - fb + 1);
    unsigned char before = (unsigned char)(0xff00u >> (start & 7));     /* bits left of start */
    unsigned char after = (unsigned char)((1u << (7 - (end & 7))) - 1); /* right of end */
    count -= __builtin_popcount(p[fb] & before);
    count -= __builtin_popcount(p[lb] & after);
    return count;
}

/* First bit equal to bit among bits [sb, eb] (inclusive), or -1. */
static long long find_bit(const unsigned char *p, long long sb, long long eb, int bit) {
    long long pos = sb;
    while (pos <= eb && (pos & 7) != 0) { /* partial first byte */
        if (((p[pos >> 3] >> (7 - (pos & 7))) & 1) == bit) return pos;
        pos++;
    }
    long long whole = (eb + 1 - pos) >> 3; /* bytes fully inside the range */
    if (whole > 0) {
        long long r = string_bitpos(p + (pos >> 3), (size_t)whole, bit);
        if (r >= 0 && r < whole * 8) return pos + r;
        pos += whole * 8;
    }
    for (; pos <= eb; pos++) /* partial last byte */
        if (((p[pos >> 3] >> (7 - (pos & 7))) & 1) == bit) return pos;
    return -1;
}

long long string_bitpos_range(const unsigned char *p, size_t len, int bit, long long start,
                              long long end, bool end_given, bool isbit) {
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!clamp_range(&start, &end, total)) return -1;
    long long sb = isbit ? start : start * 8;
    long long eb = isbit ? end : end * 8 + 7;
    long long pos = find_bit(p, sb, eb, bit);
    if (pos >= 0) return pos;
    /* Without an explicit end the string continues with zero bits. */
    if (bit == 0 && !end_given) return eb + 1;
    return -1;
}

bool string_add_ll(long long a, long long b, long long *out) {
    if ((b < 0 && a < 0 && b < LLONG_MIN - a) || (b > 0 && a > 0 && b > LLONG_MAX - a))
        return false;
    *out = a + b;
    return true;
}

int string_add_ld(long double a, long double b, char *dst, size_t cap) {
    long double v = a + b;
    if (isnan(v) || isinf(v)) return -1;
    return vg_ld2str(dst, cap, v);
}

/* ------------------------------------------------------------------------
 * Shared pieces of the handlers.
 * ---------------------------------------------------------------------- */

static inline const vg_slice *arg(client *c, int i) {
    return &c->argv[i];
}

/* Type check for a looked-up key: replies WRONGTYPE and returns false when
 * o exists and is not a string. */
static inline bool is_string_or_reply(client *c, const kv *o) {
    if (o && o->type != OBJ_STRING) {
        reply_wrong_type(c);
        return false;
    }
    return true;
}

/* The string bytes of o; INT values are formatted into tmp (>= 24 bytes). */
static inline const unsigned char *str_bytes(const kv *o, char *tmp, size_t *len) {
    return (const unsigned char *)kv_str(o, tmp, len);
}

/* Redis' checkStringLength: size + append must stay within
 * proto-max-bulk-len. Our primary's stream is obeyed regardless. */
static bool check_string_length(client *c, unsigned long long size, unsigned long long append) {
    if (c->flags & CLIENT_PRIMARY) return true;
    unsigned long long total = size + append;
    if (total > (unsigned long long)server.proto_max_bulk_len || total < size) {
        reply_error(c, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return false;
    }
    return true;
}

/* A new RAW string of len zero bytes, not yet in any db. Returns new. */
static kv *new_zeroed_raw(const vg_slice *key, size_t len) {
    kv *o = kv_new_string(key->ptr, key->len, "", 0);
    rstr *s = kv_str_make_raw(o, len);
    memset(s->data, 0, len + 1);
    s->len = len;
    return o;
}

/* Make o's value RAW with room for at least len bytes; bytes between the
 * old length and len become zero. Returns the body and whether it grew. */
static rstr *grow_zeroed(kv *o, size_t len, bool *grew) {
    rstr *s = kv_str_make_raw(o, len);
    *grew = false;
    if (s->len < len) {
        memset(s->data + s->len, 0, len - s->len);
        s->len = len;
        s->data[len] = '\0';
        *grew = true;
    }
    return s;
}

/* ------------------------------------------------------------------------
 * SET and friends: option parsing and expire arithmetic.
 * ---------------------------------------------------------------------- */

#define SOPT_NX (1 << 0)
#define SOPT_XX (1 << 1)
#define SOPT_EX (1 << 2)
#define SOPT_PX (1 << 3)
#define SOPT_KEEPTTL (1 << 4)
#define SOPT_GET (1 << 5)
#define SOPT_EXAT (1 << 6)
#define SOPT_PXAT (1 << 7)
#define SOPT_PERSIST (1 << 8)
#define SOPT_EXPIRE (SOPT_EX | SOPT_PX | SOPT_EXAT | SOPT_PXAT)

typedef struct set_opts {
    int flags;              /* SOPT_* */
    const vg_slice *expire; /* borrowed: the EX/PX/EXAT/PXAT argument, or NULL */
} set_opts;

/* Which expire option a is, or 0. */
static int expire_option(const vg_slice *a) {
    if (arg_is(a, "ex")) return SOPT_EX;
    if (arg_is(a, "px")) return SOPT_PX;
    if (arg_is(a, "exat")) return SOPT_EXAT;
    if (arg_is(a, "pxat")) return SOPT_PXAT;
    return 0;
}

/* Parse SET's options (is_set) or GETEX's from argv[first]. The conflict
 * rules are Redis': NX/XX exclude each other, one expire kind at a time
 * (repeating the same kind is allowed), KEEPTTL/PERSIST exclude expires.
 * Replies "ERR syntax error" and returns false on anything else. */
static bool parse_set_opts(client *c, int first, bool is_set, set_opts *o) {
    o->flags = 0;
    o->expire = NULL;
    for (int j = first; j < c->argc; j++) {
        const vg_slice *a = arg(c, j);
        int f = o->flags, kind;
        bool has_next = j + 1 < c->argc;
        if (is_set && arg_is(a, "nx") && !(f & SOPT_XX)) {
            o->flags |= SOPT_NX;
        } else if (is_set && arg_is(a, "xx") && !(f & SOPT_NX)) {
            o->flags |= SOPT_XX;
        } else if (is_set && arg_is(a, "get")) {
            o->flags |= SOPT_GET;
        } else if (is_set && arg_is(a, "keepttl") && !(f & (SOPT_PERSIST | SOPT_EXPIRE))) {
            o->flags |= SOPT_KEEPTTL;
        } else if (!is_set && arg_is(a, "persist") && !(f & (SOPT_KEEPTTL | SOPT_EXPIRE))) {
            o->flags |= SOPT_PERSIST;
        } else if ((kind = expire_option(a)) != 0 && !(f & (SOPT_KEEPTTL | SOPT_PERSIST)) &&
                   !(f & SOPT_EXPIRE & ~kind) && has_next) {
            o->flags |= kind;
            o->expire = arg(c, ++j);
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    return true;
}

static void reply_invalid_expire(client *c) {
    reply_errorf(c, "ERR invalid expire time in '%s' command", c->cmd ? c->cmd->fullname : "set");
}

/* Turn an EX/PX/EXAT/PXAT argument into an absolute unix time in ms.
 * Replies and returns false when it is not an integer, not positive or
 * would overflow. */
static bool expire_abs_ms(client *c, const vg_slice *a, int flags, long long *out) {
    long long ms;
    if (!arg_ll(c, a, &ms)) return false;
    bool seconds = (flags & (SOPT_EX | SOPT_EXAT)) != 0;
    if (ms <= 0 || (seconds && ms > LLONG_MAX / 1000)) {
        reply_invalid_expire(c);
        return false;
    }
    if (seconds) ms *= 1000;
    if (flags & (SOPT_EX | SOPT_PX)) {
        if (ms > LLONG_MAX - server.now_ms) {
            reply_invalid_expire(c);
            return false;
        }
        ms += server.now_ms;
    }
    *out = ms;
    return true;
}

/* GET's body: replies the value or null. Returns false (after replying
 * WRONGTYPE) when the key holds another type. */
static bool get_generic(client *c) {
    kv *o = db_lookup_read(c->db, arg(c, 1)->ptr, arg(c, 1)->len, 0);
    if (o == NULL) {
        reply_null(c);
        return true;
    }
    if (o->type != OBJ_STRING) {
        reply_wrong_type(c);
        return false;
    }
    reply_kv_string(c, o);
    return true;
}

/* How a SET that stored propagates (Redis' setGenericCommand): any expire
 * becomes SET key value PXAT <absolute ms>, dropping NX/XX/GET; otherwise
 * the arguments go as sent, without GET. */
static void propagate_set(client *c, const vg_slice *key, const vg_slice *val, const set_opts *o,
                          long long when) {
    if (!propagate_active()) return;
    if (o->expire) {
        char ms[24];
        vg_slice argv[5] = {PROPAGATE_LIT("SET"),
                            *key,
                            *val,
                            PROPAGATE_LIT("PXAT"),
                            {ms, (size_t)vg_ll2str(ms, when)}};
        propagate_rewrite_argv(c, 5, argv);
    } else if (o->flags & SOPT_GET) {
        vg_slice *argv = vg_malloc((size_t)c->argc * sizeof(vg_slice));
        int n = 0;
        for (int j = 0; j < c->argc; j++)
            if (j < 3 || !arg_is(arg(c, j), "get")) argv[n++] = *arg(c, j);
        propagate_rewrite_argv(c, n, argv);
        vg_free(argv);
    }
}

/* Store val at key with the options already parsed (SET, SETNX, SETEX,
 * PSETEX). ok/abort are integer replies for SETNX (1/0); -1 means "+OK"
 * and a null bulk. */
static void set_generic(client *c, const vg_slice *key, const vg_slice *val, const set_opts *o,
                        int ok, int abort) {
    long long when = 0;
    if (o->expire && !expire_abs_ms(c, o->expire, o->flags, &when)) return;
    bool found;
    if (o->flags & SOPT_GET) {
        kv *old = db_lookup_read(c->db, key->ptr, key->len, 0);
        if (!is_string_or_reply(c, old)) return;
        if (old)
            reply_kv_string(c, old);
        else
            reply_null(c);
        found = old != NULL;
    } else {
        found = db_lookup_write(c->db, key->ptr, key->len) != NULL;
    }
    if (((o->flags & SOPT_NX) && found) || ((o->flags & SOPT_XX) && !found)) {
        if (o->flags & SOPT_GET) return;
        if (abort >= 0)
            reply_int(c, abort);
        else
            reply_null(c);
        return;
    }
    kv *n = kv_new_string(key->ptr, key->len, val->ptr, val->len);
    db_set(c->db, n, (o->flags & SOPT_KEEPTTL) != 0);
    key_changed(c, key, NOTIFY_STRING, "set");
    if (o->expire) {
        db_set_expire(c->db, n, when);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", key->ptr, key->len, c->db->id);
    }
    propagate_set(c, key, val, o, when);
    if (o->flags & SOPT_GET) return;
    if (ok >= 0)
        reply_int(c, ok);
    else
        reply_ok(c);
}

/* ------------------------------------------------------------------------
 * GET family.
 * ---------------------------------------------------------------------- */

static void cmd_get(client *c) {
    get_generic(c);
}

static void cmd_set(client *c) {
    set_opts o; /* parse_set_opts fills it on every path, with no options too */
    if (!parse_set_opts(c, 3, true, &o)) return;
    set_generic(c, arg(c, 1), arg(c, 2), &o, -1, -1);
}

static void cmd_setnx(client *c) {
    set_opts o = {SOPT_NX, NULL};
    set_generic(c, arg(c, 1), arg(c, 2), &o, 1, 0);
}

static void cmd_setex(client *c) {
    set_opts o = {SOPT_EX, arg(c, 2)};
    set_generic(c, arg(c, 1), arg(c, 3), &o, -1, -1);
}

static void cmd_psetex(client *c) {
    set_opts o = {SOPT_PX, arg(c, 2)};
    set_generic(c, arg(c, 1), arg(c, 3), &o, -1, -1);
}

static void cmd_getset(client *c) {
    if (!get_generic(c)) return;
    const vg_slice *key = arg(c, 1), *val = arg(c, 2);
    db_set(c->db, kv_new_string(key->ptr, key->len, val->ptr, val->len), false);
    key_changed(c, key, NOTIFY_STRING, "set");
    propagate_rewrite_arg(c, 0, PROPAGATE_LIT("SET"));
}

/* GETDEL and GETEX's deletions propagate as DEL, or UNLINK when lazy. */
static void propagate_as_del(client *c, const vg_slice *key, bool lazy) {
    vg_slice argv[2] = {lazy ? PROPAGATE_LIT("UNLINK") : PROPAGATE_LIT("DEL"), *key};
    propagate_rewrite_argv(c, 2, argv);
}

static void cmd_getdel(client *c) {
    if (!get_generic(c)) return;
    const vg_slice *key = arg(c, 1);
    if (!db_delete(c->db, key->ptr, key->len)) return;
    key_changed(c, key, NOTIFY_GENERIC, "del");
    propagate_as_del(c, key, server.lazyfree_lazy_user_del);
}

/* An absolute expire already in the past deletes the key, as EXPIREAT
 * does; a replica leaves that to its primary, and a load keeps the key. */
static bool expire_is_past(long long when) {
    return when <= server.now_ms && !server_is_replica() && !server.loading.active;
}

static void cmd_getex(client *c) {
    set_opts o;
    if (!parse_set_opts(c, 2, false, &o)) return;
    const vg_slice *key = arg(c, 1);
    kv *v = db_lookup_read(c->db, key->ptr, key->len, 0);
    if (v == NULL) {
        reply_null(c);
        return;
    }
    if (!is_string_or_reply(c, v)) return;
    long long when = 0;
    if (o.expire && !expire_abs_ms(c, o.expire, o.flags, &when)) return;
    reply_kv_string(c, v);
    if ((o.flags & (SOPT_EXAT | SOPT_PXAT)) && expire_is_past(when)) {
        db_delete(c->db, key->ptr, key->len);
        key_changed(c, key, NOTIFY_GENERIC, "del");
        propagate_as_del(c, key, server.lazyfree_lazy_expire);
    } else if (o.expire) {
        db_set_expire(c->db, v, when);
        key_changed(c, key, NOTIFY_GENERIC, "expire");
        char ms[24];
        vg_slice argv[3] = {PROPAGATE_LIT("PEXPIREAT"), *key, {ms, (size_t)vg_ll2str(ms, when)}};
        propagate_rewrite_argv(c, 3, argv);
    } else if ((o.flags & SOPT_PERSIST) && db_persist(c->db, v)) {
        key_changed(c, key, NOTIFY_GENERIC, "persist");
        vg_slice argv[2] = {PROPAGATE_LIT("PERSIST"), *key};
        propagate_rewrite_argv(c, 2, argv);
    }
}

static void cmd_mget(client *c) {
    reply_array(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        kv *o = db_lookup_read(c->db, arg(c, j)->ptr, arg(c, j)->len, 0);
        if (o == NULL || o->type != OBJ_STRING)
            reply_null(c);
        else
            reply_kv_string(c, o);
    }
}

static void mset_generic(client *c, bool nx) {
    if (c->argc % 2 == 0) {
        command_reply_arity_error(c);
        return;
    }
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (db_lookup_write(c->db, arg(c, j)->ptr, arg(c, j)->len) != NULL) {
                reply_int(c, 0);
                return;
            }
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        const vg_slice *key = arg(c, j), *val = arg(c, j + 1);
        db_set(c->db, kv_new_string(key->ptr, key->len, val->ptr, val->len), false);
        key_changed(c, key, NOTIFY_STRING, "set");
    }
    if (nx)
        reply_int(c, 1);
    else
        reply_ok(c);
}

static void cmd_mset(client *c) {
    mset_generic(c, false);
}

static void cmd_msetnx(client *c) {
    mset_generic(c, true);
}

/* ------------------------------------------------------------------------
 * APPEND, STRLEN, GETRANGE, SETRANGE.
 * ---------------------------------------------------------------------- */

static void cmd_append(client *c) {
    const vg_slice *key = arg(c, 1), *val = arg(c, 2);
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    if (o == NULL) {
        db_add(c->db, kv_new_string(key->ptr, key->len, val->ptr, val->len));
        key_changed(c, key, NOTIFY_STRING, "append");
        reply_int(c, (long long)val->len);
        return;
    }
    if (!is_string_or_reply(c, o)) return;
    size_t olen = kv_strlen(o);
    if (!check_string_length(c, olen, val->len)) return;
    rstr *s = kv_str_make_raw(o, olen + val->len);
    memcpy(s->data + s->len, val->ptr, val->len);
    s->len += val->len;
    s->data[s->len] = '\0';
    key_changed(c, key, NOTIFY_STRING, "append");
    reply_int(c, (long long)s->len);
}

static void cmd_strlen(client *c) {
    kv *o = db_lookup_read(c->db, arg(c, 1)->ptr, arg(c, 1)->len, 0);
    if (!is_string_or_reply(c, o)) return;
    reply_int(c, o ? (long long)kv_strlen(o) : 0);
}

static void cmd_getrange(client *c) {
    long long start, end;
    if (!arg_ll(c, arg(c, 2), &start) || !arg_ll(c, arg(c, 3), &end)) return;
    kv *o = db_lookup_read(c->db, arg(c, 1)->ptr, arg(c, 1)->len, 0);
    if (o == NULL) {
        reply_bulk(c, "", 0);
        return;
    }
    if (!is_string_or_reply(c, o)) return;
    char tmp[24];
    size_t len, from, to;
    const char *p = kv_str(o, tmp, &len);
    if (!string_range(start, end, len, &from, &to))
        reply_bulk(c, "", 0);
    else
        reply_bulk(c, p + from, to - from + 1);
}

static void cmd_setrange(client *c) {
    const vg_slice *key = arg(c, 1), *val = arg(c, 3);
    long long offset;
    if (!arg_ll(c, arg(c, 2), &offset)) return;
    if (offset < 0) {
        reply_error(c, "ERR offset is out of range");
        return;
    }
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    if (o == NULL) {
        if (val->len == 0) {
            reply_int(c, 0);
            return;
        }
        if (!check_string_length(c, (unsigned long long)offset, val->len)) return;
        o = new_zeroed_raw(key, (size_t)offset + val->len);
        db_add(c->db, o);
    } else {
        if (!is_string_or_reply(c, o)) return;
        if (val->len == 0) {
            reply_int(c, (long long)kv_strlen(o));
            return;
        }
        if (!check_string_length(c, (unsigned long long)offset, val->len)) return;
    }
    bool grew;
    rstr *s = grow_zeroed(o, (size_t)offset + val->len, &grew);
    memcpy(s->data + offset, val->ptr, val->len);
    key_changed(c, key, NOTIFY_STRING, "setrange");
    reply_int(c, (long long)s->len);
}

/* ------------------------------------------------------------------------
 * INCR family.
 * ---------------------------------------------------------------------- */

/* The integer value of a string kv, or false after replying the error. */
static bool kv_get_ll(client *c, const kv *o, long long *out) {
    if (o->encoding == OBJ_ENC_INT) {
        *out = o->v.ll;
        return true;
    }
    char tmp[24];
    size_t len;
    const char *p = kv_str(o, tmp, &len);
    if (!vg_str2ll(p, len, out)) {
        reply_not_integer(c);
        return false;
    }
    return true;
}

static void incr_generic(client *c, long long incr) {
    const vg_slice *key = arg(c, 1);
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    long long value = 0;
    if (o) {
        if (!is_string_or_reply(c, o) || !kv_get_ll(c, o, &value)) return;
    }
    if (!string_add_ll(value, incr, &value)) {
        reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    if (o)
        kv_str_set_ll(o, value);
    else
        db_add(c->db, kv_new_string_ll(key->ptr, key->len, value));
    key_changed(c, key, NOTIFY_STRING, "incrby");
    reply_int(c, value);
}

static void cmd_incr(client *c) {
    incr_generic(c, 1);
}

static void cmd_decr(client *c) {
    incr_generic(c, -1);
}

static void cmd_incrby(client *c) {
    long long incr;
    if (arg_ll(c, arg(c, 2), &incr)) incr_generic(c, incr);
}

static void cmd_decrby(client *c) {
    long long incr;
    if (!arg_ll(c, arg(c, 2), &incr)) return;
    if (incr == LLONG_MIN) {
        reply_error(c, "ERR decrement would overflow");
        return;
    }
    incr_generic(c, -incr);
}

/* The long double value of a string kv or argument, or false after
 * replying "ERR value is not a valid float". */
static bool ld_or_reply(client *c, const char *p, size_t len, long double *out) {
    if (!vg_str2ld(p, len, out)) {
        reply_not_float(c);
        return false;
    }
    return true;
}

static void cmd_incrbyfloat(client *c) {
    const vg_slice *key = arg(c, 1);
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    if (!is_string_or_reply(c, o)) return;
    long double value = 0, incr;
    if (o && o->encoding == OBJ_ENC_INT) {
        value = (long double)o->v.ll;
    } else if (o) {
        char tmp[24];
        size_t len;
        const char *p = kv_str(o, tmp, &len);
        if (!ld_or_reply(c, p, len, &value)) return;
    }
    if (!ld_or_reply(c, arg(c, 2)->ptr, arg(c, 2)->len, &incr)) return;
    char out[STRING_LD_BUF];
    int n = string_add_ld(value, incr, out, sizeof(out));
    if (n < 0) {
        reply_error(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    kv *nv = kv_new_string_noint(key->ptr, key->len, out, (size_t)n);
    if (o)
        db_replace(c->db, o, nv);
    else
        db_add(c->db, nv);
    key_changed(c, key, NOTIFY_STRING, "incrbyfloat");
    reply_bulk(c, out, (size_t)n);
    /* The result, not the increment: float formatting cannot drift. */
    vg_slice argv[4] = {PROPAGATE_LIT("SET"), *key, {out, (size_t)n}, PROPAGATE_LIT("KEEPTTL")};
    propagate_rewrite_argv(c, 4, argv);
}

/* ------------------------------------------------------------------------
 * LCS.
 * ---------------------------------------------------------------------- */

typedef struct lcs_opts {
    bool len;              /* LEN */
    bool idx;              /* IDX */
    bool withmatchlen;     /* WITHMATCHLEN */
    long long minmatchlen; /* MINMATCHLEN, 0 = every match */
} lcs_opts;

static bool lcs_parse(client *c, lcs_opts *o) {
    memset(o, 0, sizeof(*o));
    for (int j = 3; j < c->argc; j++) {
        const vg_slice *a = arg(c, j);
        if (arg_is(a, "idx")) {
            o->idx = true;
        } else if (arg_is(a, "len")) {
            o->len = true;
        } else if (arg_is(a, "withmatchlen")) {
            o->withmatchlen = true;
        } else if (arg_is(a, "minmatchlen") && j + 1 < c->argc) {
            if (!arg_ll(c, arg(c, ++j), &o->minmatchlen)) return false;
            if (o->minmatchlen < 0) o->minmatchlen = 0;
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    if (o->len && o->idx) {
        reply_error(c, "ERR If you want both the length and indexes, please just use IDX.");
        return false;
    }
    return true;
}

/* The dynamic-programming table: T(i, j) is the LCS length of a[0..i) and
 * b[0..j). Returns new (vg_free), or NULL after replying an error. */
static uint32_t *lcs_table(client *c, const char *a, uint32_t alen, const char *b, uint32_t blen) {
    unsigned long long cells = (unsigned long long)(alen + 1) * (blen + 1);
    unsigned long long bytes = cells * sizeof(uint32_t);
    if (bytes > (unsigned long long)server.proto_max_bulk_len) {
        reply_error(c, "ERR Insufficient memory, transient memory for LCS exceeds "
                       "proto-max-bulk-len");
        return NULL;
    }
    uint32_t *t = vg_malloc((size_t)bytes);
    size_t w = (size_t)blen + 1;
    for (uint32_t i = 0; i <= alen; i++) {
        for (uint32_t j = 0; j <= blen; j++) {
            if (i == 0 || j == 0) {
                t[i * w + j] = 0;
            } else if (a[i - 1] == b[j - 1]) {
                t[i * w + j] = t[(i - 1) * w + j - 1] + 1;
            } else {
                uint32_t up = t[(i - 1) * w + j], left = t[i * w + j - 1];
                t[i * w + j] = up > left ? up : left;
            }
        }
    }
    return t;
}

static void lcs_emit_range(client *c, const lcs_opts *o, uint32_t as, uint32_t ae, uint32_t bs,
                           uint32_t be) {
    reply_array(c, 2 + (o->withmatchlen ? 1 : 0));
    reply_array(c, 2);
    reply_int(c, as);
    reply_int(c, ae);
    reply_array(c, 2);
    reply_int(c, bs);
    reply_int(c, be);
    if (o->withmatchlen) reply_int(c, ae - as + 1);
}

/* Walk the table back from (alen, blen): fills out[] with the LCS (when
 * out is not NULL) and, for IDX, replies the matching ranges, last first.
 * Returns how many ranges were replied. */
static long long lcs_walk(client *c, const lcs_opts *o, const uint32_t *t, const char *a,
                          uint32_t alen, const char *b, uint32_t blen, char *out) {
    size_t w = (size_t)blen + 1;
    uint32_t idx = t[alen * w + blen], i = alen, j = blen;
    uint32_t as = alen, ae = 0, bs = 0, be = 0; /* as == alen: no open range */
    long long ranges = 0;
    while (i > 0 && j > 0) {
        bool emit = false;
        if (a[i - 1] == b[j - 1]) {
            if (out) out[idx - 1] = a[i - 1];
            if (as == alen) {
                as = ae = i - 1;
                bs = be = j - 1;
            } else if (as == i && bs == j) {
                as--;
                bs--;
            } else {
                emit = true;
            }
            if (as == 0 || bs == 0) emit = true;
            idx--, i--, j--;
        } else {
            if (t[(i - 1) * w + j] > t[i * w + j - 1])
                i--;
            else
                j--;
            if (as != alen) emit = true;
        }
        if (emit) {
            if (o->idx && (o->minmatchlen == 0 || ae - as + 1 >= o->minmatchlen)) {
                lcs_emit_range(c, o, as, ae, bs, be);
                ranges++;
            }
            as = alen;
        }
    }
    return ranges;
}

/* The bytes of a string key for LCS (missing = empty); false when the key
 * holds another type. */
static bool lcs_source(client *c, int i, char *tmp, const char **p, size_t *len) {
    kv *o = db_lookup_read(c->db, arg(c, i)->ptr, arg(c, i)->len, 0);
    if (o && o->type != OBJ_STRING) return false;
    if (o == NULL) {
        *p = "";
        *len = 0;
    } else {
        *p = kv_str(o, tmp, len);
    }
    return true;
}

static void cmd_lcs(client *c) {
    char ta[24], tb[24];
    const char *a, *b;
    size_t alen, blen;
    if (!lcs_source(c, 1, ta, &a, &alen) || !lcs_source(c, 2, tb, &b, &blen)) {
        reply_error(c, "ERR The specified keys must contain string values");
        return;
    }
    lcs_opts o;
    if (!lcs_parse(c, &o)) return;
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        reply_error(c, "ERR String too long for LCS");
        return;
    }
    uint32_t *t = lcs_table(c, a, (uint32_t)alen, b, (uint32_t)blen);
    if (t == NULL) return;
    uint32_t total = t[alen * (blen + 1) + blen];
    if (o.idx) {
        reply_map(c, 2);
        reply_bulk_str(c, "matches");
        size_t handle = reply_deferred(c);
        long long n = lcs_walk(c, &o, t, a, (uint32_t)alen, b, (uint32_t)blen, NULL);
        reply_deferred_array(c, handle, n);
        reply_bulk_str(c, "len");
        reply_int(c, total);
    } else if (o.len) {
        reply_int(c, total);
    } else {
        char *out = vg_malloc((size_t)total + 1);
        lcs_walk(c, &o, t, a, (uint32_t)alen, b, (uint32_t)blen, out);
        reply_bulk(c, out, total);
        vg_free(out);
    }
    vg_free(t);
}

/* ------------------------------------------------------------------------
 * Bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP.
 * ---------------------------------------------------------------------- */

/* A bit offset: a non-negative integer whose byte stays below
 * proto-max-bulk-len. */
static bool bit_offset_or_reply(client *c, const vg_slice *a, uint64_t *out) {
    long long v;
    if (!vg_str2ll(a->ptr, a->len, &v) || v < 0 ||
        (!(c->flags & CLIENT_PRIMARY) && (v >> 3) >= server.proto_max_bulk_len)) {
        reply_error(c, "ERR bit offset is not an integer or out of range");
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static void cmd_setbit(client *c) {
    const vg_slice *key = arg(c, 1);
    uint64_t offset;
    long long on;
    if (!bit_offset_or_reply(c, arg(c, 2), &offset)) return;
    if (!vg_str2ll(arg(c, 3)->ptr, arg(c, 3)->len, &on) || (on & ~1LL)) {
        reply_error(c, "ERR bit is not an integer or out of range");
        return;
    }
    size_t byte = (size_t)(offset >> 3);
    kv *o = db_lookup_write(c->db, key->ptr, key->len);
    if (!is_string_or_reply(c, o)) return;
    bool dirty = false;
    if (o == NULL) {
        o = new_zeroed_raw(key, byte + 1);
        db_add(c->db, o);
        dirty = true;
    }
    bool grew;
    rstr *s = grow_zeroed(o, byte + 1, &grew);
    int shift = 7 - (int)(offset & 7);
    int old = (s->data[byte] >> shift) & 1;
    if (dirty || grew || old != on) {
        s->data[byte] = (char)((s->data[byte] & ~(1 << shift)) | ((int)on << shift));
        key_changed(c, key, NOTIFY_STRING, "setbit");
    }
    reply_int(c, old);
}

static void cmd_getbit(client *c) {
    uint64_t offset;
    if (!bit_offset_or_reply(c, arg(c, 2), &offset)) return;
    kv *o = db_lookup_read(c->db, arg(c, 1)->ptr, arg(c, 1)->len, 0);
    if (!is_string_or_reply(c, o)) return;
    int bit = 0;
    if (o) {
        char tmp[24];
        size_t len, byte = (size_t)(offset >> 3);
        const unsigned char *p = str_bytes(o, tmp, &len);
        if (byte < len) bit = (p[byte] >> (7 - (offset & 7))) & 1;
    }
    reply_int(c, bit);
}

/* BYTE|BIT unit argument; replies a syntax error when it is neither. */
static bool unit_or_reply(client *c, const vg_slice *a, bool *isbit) {
    if (arg_is(a, "bit")) {
        *isbit = true;
    } else if (arg_is(a, "byte")) {
        *isbit = false;
    } else {
        reply_syntax_error(c);
        return false;
    }
    return true;
}

static void cmd_bitcount(client *c) {
    kv *o = db_lookup_read(c->db, arg(c, 1)->ptr, arg(c, 1)->len, 0);
    if (o == NULL) {
        reply_int(c, 0);
        return;
    }
    if (!is_string_or_reply(c, o)) return;
    char tmp[24];
    size_t len;
    const unsigned char *p = str_bytes(o, tmp, &len);
    if (c->argc == 2) {
        reply_int(c, string_popcount(p, len));
        return;
    }
    if (c->argc != 4 && c->argc != 5) {
        reply_syntax_error(c);
        return;
    }
    long long start, end;
    bool isbit = false;
    if (!arg_ll(c, arg(c, 2), &start) || !arg_ll(c, arg(c, 3), &end)) return;
    /* Redis answers 0 for an inverted negative range before the unit. */
    if (start < 0 && end < 0 && start > end) {
        reply_int(c, 0);
        return;
    }
    if (c->argc == 5 && !unit_or_reply(c, arg(c, 4), &isbit)) return;
    reply_int(c, string_bitcount_range(p, len, start, end, isbit));
}

static void cmd_bitpos(client *c) {
    long long bit;
    if (!arg_ll(c, arg(c, 2), &bit)) return;
    if (bit != 0 && bit != 1) {
        reply_error(c, "ERR The bit argument must be 1 or 0.");
        return;
    }
    kv *o = db_lookup_read(c->db, arg(c, 1)->ptr, arg(c, 1)->len, 0);
    if (o == NULL) {
        reply_int(c, bit ? -1 : 0);
        return;
    }
    if (!is_string_or_reply(c, o)) return;
    char tmp[24];
    size_t len;
    const unsigned char *p = str_bytes(o, tmp, &len);
    if (c->argc > 6) {
        reply_syntax_error(c);
        return;
    }
    long long start = 0, end = -1;
    bool isbit = false, end_given = c->argc >= 5;
    if (c->argc >= 4 && !arg_ll(c, arg(c, 3), &start)) return;
    if (c->argc == 6 && !unit_or_reply(c, arg(c, 5), &isbit)) return;
    if (end_given && !arg_ll(c, arg(c, 4), &end)) return;
    reply_int(c, string_bitpos_range(p, len, (int)bit, start, end, end_given, isbit));
}

enum bitop_kind { BITOP_AND, BITOP_OR, BITOP_XOR, BITOP_NOT };

/* One BITOP source: its bytes (INT values formatted into tmp). */
typedef struct bitop_src {
    const unsigned char *p; /* borrowed: the source kv or tmp */
    size_t len;
    char tmp[24];
} bitop_src;

/* res[0..maxlen) = op over the sources, missing bytes reading as zero.
 * Source by source rather than byte by byte, so the inner loops are plain
 * array operations the compiler vectorises. */
static void bitop_compute(int op, const bitop_src *src, size_t n, unsigned char *res,
                          size_t maxlen) {
    memset(res, 0, maxlen);
    if (src[0].len) memcpy(res, src[0].p, src[0].len);
    if (op == BITOP_NOT) {
        for (size_t j = 0; j < maxlen; j++)
            res[j] = (unsigned char)~res[j];
        return;
    }
    for (size_t i = 1; i < n; i++) {
        const unsigned char *p = src[i].p;
        size_t len = src[i].len;
        if (op == BITOP_AND) {
            for (size_t j = 0; j < len; j++)
                res[j] &= p[j];
            memset(res + len, 0, maxlen - len); /* AND with the zero padding */
        } else if (op == BITOP_OR) {
            for (size_t j = 0; j < len; j++)
                res[j] |= p[j];
        } else {
            for (size_t j = 0; j < len; j++)
                res[j] ^= p[j];
        }
    }
}

static bool bitop_kind_or_reply(client *c, int *op) {
    const vg_slice *a = arg(c, 1);
    if (arg_is(a, "and"))
        *op = BITOP_AND;
    else if (arg_is(a, "or"))
        *op = BITOP_OR;
    else if (arg_is(a, "xor"))
        *op = BITOP_XOR;
    else if (arg_is(a, "not"))
        *op = BITOP_NOT;
    else {
        reply_syntax_error(c);
        return false;
    }
    if (*op == BITOP_NOT && c->argc != 4) {
        reply_error(c, "ERR BITOP NOT must be called with a single source key.");
        return false;
    }
    return true;
}

static void cmd_bitop(client *c) {
    int op;
    if (!bitop_kind_or_reply(c, &op)) return;
    const vg_slice *target = arg(c, 2);
    size_t n = (size_t)c->argc - 3, maxlen = 0;
    bitop_src *src = vg_malloc(n * sizeof(*src));
    for (size_t i = 0; i < n; i++) {
        kv *o = db_lookup_read(c->db, arg(c, (int)i + 3)->ptr, arg(c, (int)i + 3)->len, 0);
        if (!is_string_or_reply(c, o)) {
            vg_free(src);
            return;
        }
        src[i].len = 0;
        src[i].p = NULL;
        if (o) src[i].p = str_bytes(o, src[i].tmp, &src[i].len);
        if (src[i].len > maxlen) maxlen = src[i].len;
    }
    if (maxlen > 0) {
        /* Compute into a new kv before db_set frees a source that is also
         * the target. */
        kv *res = new_zeroed_raw(target, maxlen);
        bitop_compute(op, src, n, (unsigned char *)((rstr *)res->v.ptr)->data, maxlen);
        db_set(c->db, res, false);
        key_changed(c, target, NOTIFY_STRING, "set");
    } else if (db_delete(c->db, target->ptr, target->len)) {
        key_changed(c, target, NOTIFY_GENERIC, "del");
    }
    vg_free(src);
    reply_int(c, (long long)maxlen);
}

/* ------------------------------------------------------------------------
 * The table: arity, flags, keys and categories as Redis 7.0.15 lists them.
 * ---------------------------------------------------------------------- */

#define STR_RO CMD_READONLY
#define STR_W (CMD_WRITE | CMD_DENYOOM)

/* One line per command reads as a table. */
/* clang-format off */
static command string_commands[] = {
    {.name = "get", .proc = cmd_get, .arity = 2, .flags = STR_RO | CMD_FAST, .acl_cats = "@read @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Get the value of a key", .since = "1.0.0", .group = "string"},
    {.name = "set", .proc = cmd_set, .arity = -3, .flags = STR_W, .acl_cats = "@write @string @slow", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_W_RW_IF_GET, .summary = "Set the string value of a key", .since = "1.0.0", .group = "string"},
    {.name = "setnx", .proc = cmd_setnx, .arity = 3, .flags = STR_W | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Set the value of a key, only if the key does not exist", .since = "1.0.0", .group = "string"},
    {.name = "setex", .proc = cmd_setex, .arity = 4, .flags = STR_W, .acl_cats = "@write @string @slow", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Set the value and expiration of a key", .since = "2.0.0", .group = "string"},
    {.name = "psetex", .proc = cmd_psetex, .arity = 4, .flags = STR_W, .acl_cats = "@write @string @slow", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Set the value and expiration in milliseconds of a key", .since = "2.6.0", .group = "string"},
    {.name = "getset", .proc = cmd_getset, .arity = 3, .flags = STR_W | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Set the string value of a key and return its old value", .since = "1.0.0", .group = "string"},
    {.name = "getdel", .proc = cmd_getdel, .arity = 2, .flags = CMD_WRITE | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Get the value of a key and delete the key", .since = "6.2.0", .group = "string"},
    {.name = "getex", .proc = cmd_getex, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Get the value of a key and optionally set its expiration", .since = "6.2.0", .group = "string"},
    {.name = "mget", .proc = cmd_mget, .arity = -2, .flags = STR_RO | CMD_FAST, .acl_cats = "@read @string @fast", .first_key = 1, .last_key = -1, .key_step = 1, .summary = "Get the values of all the given keys", .since = "1.0.0", .group = "string"},
    {.name = "mset", .proc = cmd_mset, .arity = -3, .flags = STR_W, .acl_cats = "@write @string @slow", .first_key = 1, .last_key = -1, .key_step = 2, .summary = "Set multiple keys to multiple values", .since = "1.0.1", .group = "string"},
    {.name = "msetnx", .proc = cmd_msetnx, .arity = -3, .flags = STR_W, .acl_cats = "@write @string @slow", .first_key = 1, .last_key = -1, .key_step = 2, .summary = "Set multiple keys to multiple values, only if none of the keys exist", .since = "1.0.1", .group = "string"},
    {.name = "append", .proc = cmd_append, .arity = 3, .flags = STR_W | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Append a value to a key", .since = "2.0.0", .group = "string"},
    {.name = "strlen", .proc = cmd_strlen, .arity = 2, .flags = STR_RO | CMD_FAST, .acl_cats = "@read @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_NONE, .summary = "Get the length of the value stored in a key", .since = "2.2.0", .group = "string"},
    {.name = "incr", .proc = cmd_incr, .arity = 2, .flags = STR_W | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Increment the integer value of a key by one", .since = "1.0.0", .group = "string"},
    {.name = "decr", .proc = cmd_decr, .arity = 2, .flags = STR_W | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Decrement the integer value of a key by one", .since = "1.0.0", .group = "string"},
    {.name = "incrby", .proc = cmd_incrby, .arity = 3, .flags = STR_W | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Increment the integer value of a key by the given amount", .since = "1.0.0", .group = "string"},
    {.name = "decrby", .proc = cmd_decrby, .arity = 3, .flags = STR_W | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Decrement the integer value of a key by the given number", .since = "1.0.0", .group = "string"},
    {.name = "incrbyfloat", .proc = cmd_incrbyfloat, .arity = 3, .flags = STR_W | CMD_FAST, .acl_cats = "@write @string @fast", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Increment the float value of a key by the given amount", .since = "2.6.0", .group = "string"},
    {.name = "getrange", .proc = cmd_getrange, .arity = 4, .flags = STR_RO, .acl_cats = "@read @string @slow", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Get a substring of the string stored at a key", .since = "2.4.0", .group = "string"},
    {.name = "substr", .proc = cmd_getrange, .arity = 4, .flags = STR_RO, .acl_cats = "@read @string @slow", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Get a substring of the string stored at a key", .since = "1.0.0", .group = "string"},
    {.name = "setrange", .proc = cmd_setrange, .arity = 4, .flags = STR_W, .acl_cats = "@write @string @slow", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Overwrite part of a string at key starting at the specified offset", .since = "2.2.0", .group = "string"},
    {.name = "lcs", .proc = cmd_lcs, .arity = -3, .flags = STR_RO, .acl_cats = "@read @string @slow", .first_key = 1, .last_key = 2, .key_step = 1, .summary = "Find longest common substring", .since = "7.0.0", .group = "string"},
    {.name = "setbit", .proc = cmd_setbit, .arity = 4, .flags = STR_W, .acl_cats = "@write @bitmap @slow", .first_key = 1, .last_key = 1, .key_step = 1, .key_need_first = CMD_KEY_RW, .summary = "Sets or clears the bit at offset in the string value stored at key", .since = "2.2.0", .group = "bitmap"},
    {.name = "getbit", .proc = cmd_getbit, .arity = 3, .flags = STR_RO | CMD_FAST, .acl_cats = "@read @bitmap @fast", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Returns the bit value at offset in the string value stored at key", .since = "2.2.0", .group = "bitmap"},
    {.name = "bitcount", .proc = cmd_bitcount, .arity = -2, .flags = STR_RO, .acl_cats = "@read @bitmap @slow", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Count set bits in a string", .since = "2.6.0", .group = "bitmap"},
    {.name = "bitpos", .proc = cmd_bitpos, .arity = -3, .flags = STR_RO, .acl_cats = "@read @bitmap @slow", .first_key = 1, .last_key = 1, .key_step = 1, .summary = "Find first bit set or clear in a string", .since = "2.8.7", .group = "bitmap"},
    {.name = "bitop", .proc = cmd_bitop, .arity = -4, .flags = STR_W, .acl_cats = "@write @bitmap @slow", .first_key = 2, .last_key = -1, .key_step = 1, .key_need_first = CMD_KEY_W, .key_need_rest = CMD_KEY_R, .summary = "Perform bitwise operations between strings", .since = "2.6.0", .group = "bitmap"},
};
/* clang-format on */
COMMAND_TABLE(string_commands)
