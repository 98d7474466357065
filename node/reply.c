/* reply.c -- reply helpers for command handlers.
 *
 * Owns: nothing. Thin wrappers over resp_write that pick the client's
 * protocol, queue the client for writing and count errors. */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "object.h"
#include "resp_write.h"
#include "server.h"
#include "stats.h"
#include "vg_alloc.h"

/* Where CLIENT_DISCARD_REPLY clients' replies go: emptied before every
 * piece, so it holds at most one reply element and never grows a client. */
static buf discarded;

static buf *discard_sink(void) {
    if (discarded.cap > 64 * 1024) buf_free(&discarded); /* one huge bulk: give it back */
    buf_clear(&discarded);
    return &discarded;
}

static inline buf *out(client *c) {
    if (__builtin_expect((c->flags & CLIENT_DISCARD_REPLY) != 0, 0)) return discard_sink();
    client_want_write(c);
    return &c->reply;
}

void reply_ok(client *c) {
    buf_append(out(c), "+OK\r\n", 5);
}

void reply_simple(client *c, const char *s) {
    resp_add_simple(out(c), s, strlen(s));
}

void reply_error(client *c, const char *msg) {
    size_t n = strlen(msg);
    resp_add_error(out(c), msg, n);
    stats_count_error(c, msg, n);
}

/* As Redis' addReplyErrorFormat: CR and LF at either end of the formatted
 * text are dropped ("Unsupported option foo\r\n" ends at "foo"), the ones
 * inside become spaces (resp_add_error), and the text is never cut. */
void reply_errorf(client *c, const char *fmt, ...) {
    char stack[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(stack, sizeof(stack), fmt, ap);
    va_end(ap);
    if (n < 0) return;
    char *msg = stack;
    if ((size_t)n >= sizeof(stack)) {
        msg = vg_malloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    const char *p = msg;
    size_t len = (size_t)n;
    while (len && (*p == '\r' || *p == '\n')) {
        p++;
        len--;
    }
    while (len && (p[len - 1] == '\r' || p[len - 1] == '\n'))
        len--;
    resp_add_error(out(c), p, len);
    stats_count_error(c, p, len);
    if (msg != stack) vg_free(msg);
}

void reply_int(client *c, long long v) {
    resp_add_int(out(c), v);
}

void reply_bulk(client *c, const char *p, size_t n) {
    resp_add_bulk(out(c), p, n);
}

void reply_bulk_str(client *c, const char *s) {
    resp_add_bulk(out(c), s, strlen(s));
}

void reply_bulk_ll(client *c, long long v) {
    resp_add_bulk_ll(out(c), v);
}

void reply_null(client *c) {
    resp_add_null(out(c), c->resp);
}

void reply_null_array(client *c) {
    resp_add_null_array(out(c), c->resp);
}

void reply_array(client *c, long long n) {
    resp_add_array_len(out(c), n);
}

void reply_map(client *c, long long pairs) {
    resp_add_map_len(out(c), c->resp, pairs);
}

void reply_set(client *c, long long n) {
    resp_add_set_len(out(c), c->resp, n);
}

void reply_push(client *c, long long n) {
    resp_add_push_len(out(c), c->resp, n);
}

void reply_double(client *c, double d) {
    resp_add_double(out(c), c->resp, d);
}

void reply_bool(client *c, int v) {
    resp_add_bool(out(c), c->resp, v);
}

void reply_verbatim(client *c, const char *p, size_t n, const char *ext) {
    resp_add_verbatim(out(c), c->resp, p, n, ext);
}

void reply_raw(client *c, const char *p, size_t n) {
    buf_append(out(c), p, n);
}

void reply_kv_string(client *c, const kv *o) {
    char tmp[24];
    size_t len;
    const char *p = kv_str(o, tmp, &len);
    reply_bulk(c, p, len);
}

size_t reply_deferred(client *c) {
    return out(c)->len;
}

static void deferred_header(client *c, size_t handle, char prefix, long long n) {
    if (c->flags & CLIENT_DISCARD_REPLY) return;
    buf hdr;
    buf_init(&hdr);
    resp_add_header(&hdr, prefix, n);
    buf_insert(&c->reply, handle, hdr.data, hdr.len);
    buf_free(&hdr);
}

void reply_deferred_array(client *c, size_t handle, long long n) {
    deferred_header(c, handle, '*', n);
}

void reply_deferred_map(client *c, size_t handle, long long pairs) {
    if (c->resp >= 3)
        deferred_header(c, handle, '%', pairs);
    else
        deferred_header(c, handle, '*', pairs * 2);
}

void reply_deferred_set(client *c, size_t handle, long long n) {
    deferred_header(c, handle, c->resp >= 3 ? '~' : '*', n);
}

void reply_wrong_type(client *c) {
    reply_error(c, "WRONGTYPE Operation against a key holding the wrong kind of value");
}

void reply_syntax_error(client *c) {
    reply_error(c, "ERR syntax error");
}

void reply_not_integer(client *c) {
    reply_error(c, "ERR value is not an integer or out of range");
}

void reply_not_float(client *c) {
    reply_error(c, "ERR value is not a valid float");
}

void reply_out_of_range(client *c) {
    reply_error(c, "ERR value is out of range, must be positive");
}

void reply_arity_error(client *c) {
    reply_errorf(c, "ERR wrong number of arguments for '%s' command",
                 c->cmd ? c->cmd->fullname : "unknown");
}
