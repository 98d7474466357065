/* reply.c -- reply helpers for command handlers.
 *
 * Owns: nothing. Thin wrappers over resp_write that pick the client's
 * protocol, queue the client for writing and count errors. Every helper
 * follows the same three steps, which is where client-output-buffer-limit
 * holds (Redis checks in _addReplyProtoToList too):
 *   1. out(c): NULL when c is closing (CLOSE_ASAP) or silenced by CLIENT
 *      REPLY -- the bytes are dropped;
 *   2. append to c->reply;
 *   3. added(c): O(1) test of the pending bytes against c's class limit,
 *      and only past it the full check, which may mark c CLOSE_ASAP. */
#include "reply.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

#define DROP_ALWAYS (CLIENT_CLOSE_ASAP | CLIENT_CLOSING)
#define DROP_OWN (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP)

/* CLIENT REPLY OFF/SKIP silence what the client's own command (or its
 * blocked command, when served) replies: command_process would cut it off
 * afterwards anyway, and appending it first would count against the
 * output limit. Messages pushed by others still go out. */
static inline buf *out(client *c) {
    if (c->flags & (DROP_ALWAYS | DROP_OWN | CLIENT_DISCARD_REPLY)) {
        if (c->flags & CLIENT_DISCARD_REPLY) return discard_sink();
        if (c->flags & DROP_ALWAYS) return NULL;
        if (c->flags & CLIENT_PROTECTED) return NULL;
    }
    if (!(c->flags & CLIENT_PENDING_WRITE)) client_want_write(c); /* once per batch */
    return &c->reply;
}

static inline void added(client *c) {
    if (obuf_limit_maybe(&server.obuf_limits[client_class(c)], client_output_bytes(c)))
        client_obuf_enforce(c);
}

void reply_ok(client *c) {
    buf *b = out(c);
    if (b == NULL) return;
    buf_append(b, "+OK\r\n", 5);
    added(c);
}

void reply_simple(client *c, const char *s) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_simple(b, s, strlen(s));
    added(c);
}

void reply_help(client *c, const char *const *lines) {
    size_t n = 0;
    while (lines[n])
        n++;
    reply_array(c, (long long)n + 3);
    int cmdlen = c->argc > 0 ? (int)(c->argv[0].len < 32 ? c->argv[0].len : 32) : 0;
    char head[128];
    snprintf(head, sizeof(head),
             "%.*s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", cmdlen,
             c->argc > 0 ? c->argv[0].ptr : "");
    for (int i = 0; i < cmdlen; i++)
        head[i] = (char)toupper((unsigned char)head[i]);
    reply_simple(c, head);
    for (size_t i = 0; i < n; i++)
        reply_simple(c, lines[i]);
    reply_simple(c, "HELP");
    reply_simple(c, "    Prints this help.");
}

/* Errors count in INFO even when the client's replies are dropped, as in
 * Redis. */
void reply_error(client *c, const char *msg) {
    size_t n = strlen(msg);
    stats_count_error(c, msg, n);
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_error(b, msg, n);
    added(c);
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
    stats_count_error(c, p, len);
    buf *b = out(c);
    if (b != NULL) {
        resp_add_error(b, p, len);
        added(c);
    }
    if (msg != stack) vg_free(msg);
}

void reply_int(client *c, long long v) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_int(b, v);
    added(c);
}

void reply_bulk(client *c, const char *p, size_t n) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_bulk(b, p, n);
    added(c);
}

void reply_bulk_str(client *c, const char *s) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_bulk(b, s, strlen(s));
    added(c);
}

void reply_bulk_ll(client *c, long long v) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_bulk_ll(b, v);
    added(c);
}

void reply_null(client *c) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_null(b, c->resp);
    added(c);
}

void reply_null_array(client *c) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_null_array(b, c->resp);
    added(c);
}

void reply_array(client *c, long long n) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_array_len(b, n);
    added(c);
}

void reply_map(client *c, long long pairs) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_map_len(b, c->resp, pairs);
    added(c);
}

void reply_set(client *c, long long n) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_set_len(b, c->resp, n);
    added(c);
}

void reply_push(client *c, long long n) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_push_len(b, c->resp, n);
    added(c);
}

void reply_double(client *c, double d) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_double(b, c->resp, d);
    added(c);
}

void reply_verbatim(client *c, const char *p, size_t n, const char *ext) {
    buf *b = out(c);
    if (b == NULL) return;
    resp_add_verbatim(b, c->resp, p, n, ext);
    added(c);
}

void reply_raw(client *c, const char *p, size_t n) {
    buf *b = out(c);
    if (b == NULL) return;
    buf_append(b, p, n);
    added(c);
}

void reply_kv_string(client *c, const kv *o) {
    char tmp[24];
    size_t len;
    const char *p = kv_str(o, tmp, &len);
    reply_bulk(c, p, len);
}

/* The handle is an offset into c->reply, which nothing but this client's
 * own command changes until the header is filled in. A client whose replies
 * are dropped gets 0, and its header is dropped too. */
size_t reply_deferred(client *c) {
    buf *b = out(c);
    return b ? b->len : 0;
}

static void deferred_header(client *c, size_t handle, char prefix, long long n) {
    if (c->flags & CLIENT_DISCARD_REPLY) return;
    buf *b = out(c);
    if (b == NULL) return;
    char hdr[32];
    hdr[0] = prefix;
    size_t len = 1 + (size_t)vg_ll2str(hdr + 1, n);
    hdr[len++] = '\r';
    hdr[len++] = '\n';
    buf_insert(b, handle, hdr, len);
    added(c);
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
