/* aclient.c -- asynchronous RESP client over stream (replica and sentinel links).
 *
 * Owns: the aclient, its pending-command queue, the encoded bytes not yet
 * written, the reply reader and the timer. The client is freed only after
 * libuv closed both handles (stream and timer), so a callback may close it
 * and the code that called the callback still finds it in memory; every
 * loop over replies checks `closing` after each callback.
 *
 *   CONNECTING --stream up--> HANDSHAKE --last handshake reply ok--> READY
 *       |                         |                                   |
 *       +--------refused, timeout, error reply, EOF, garbage----------+--> ENDING --> freed
 *                                                 aclient_close ------+
 *
 *   transition             function
 *   stream connected       on_connected (reads start, queued bytes leave)
 *   handshake reply        handshake_reply -> become_ready
 *   bytes in               on_read -> drain -> dispatch / offer_raw
 *   timer fired            on_timer (connect deadline, oldest deadlines)
 *   link fails             link_fail -> end_link (pending fail, on_disconnect)
 *   owner closes           aclient_close -> end_link
 *   both handles closed    handle_closed -> client_free */
#include "aclient.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "resp_write.h"
#include "stream.h"
#include "vg_alloc.h"

#define ACLIENT_READ_CHUNK (16 * 1024)
#define ACLIENT_MAX_ARGS 64 /* aclient_command's varargs */

enum hs_step { STEP_USER = 0, STEP_AUTH, STEP_HELLO, STEP_SETNAME, STEP_SELECT };

typedef struct pending {
    aclient_reply_cb cb;  /* NULL: reply dropped */
    void *arg;            /* borrowed: the caller's */
    uint64_t deadline;    /* loop ms; 0 = none */
    uint64_t timeout_ms;  /* for the failure reason */
    int step;             /* enum hs_step */
    struct pending *next; /* FIFO order = reply order */
} pending;

struct aclient {
    uv_loop_t *loop;                     /* borrowed */
    stream *s;                           /* owned: closed through stream_close */
    uv_timer_t timer;                    /* owned: deadlines */
    int open_handles;                    /* stream + timer until both closed */
    resp_reader rd;                      /* owned: reply parser and unparsed bytes */
    buf out;                             /* owned: encoded, not yet handed to the stream */
    buf wbuf;                            /* owned: in the stream's hands */
    bool writing;                        /* wbuf is in flight */
    bool connected;                      /* the stream is up (TLS included) */
    bool ready;                          /* the handshake is done */
    bool closing;                        /* ENDING: nothing new is accepted */
    bool resp3;                          /* HELLO 3 succeeded */
    bool subscribed;                     /* RESP2: pub/sub arrays may arrive */
    pending *head, *tail;                /* owned: commands awaiting replies */
    size_t npending;                     /* entries in the queue */
    int handshake_left;                  /* handshake replies still due */
    uint64_t connect_deadline;           /* loop ms; 0 = none or ready */
    uint64_t command_timeout_ms;         /* default per command */
    uint64_t timer_at;                   /* loop ms the timer fires; 0 = idle */
    aclient_raw_cb raw_cb;               /* set while raw */
    void *raw_arg;                       /* borrowed */
    bool raw;                            /* bytes go to raw_cb */
    aclient_ready_cb on_ready;           /* see aclient_options */
    aclient_disconnect_cb on_disconnect; /* see aclient_options */
    aclient_push_cb on_push;             /* see aclient_options */
    void *data;                          /* borrowed */
    char rbuf[ACLIENT_READ_CHUNK];       /* read target; parsed before the next read */
};

static void link_fail(aclient *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ freeing */

static void client_free(aclient *c) {
    VG_ASSERT(c->head == NULL);
    resp_reader_free(&c->rd);
    buf_free(&c->out);
    buf_free(&c->wbuf);
    vg_free(c);
}

static void handle_closed(aclient *c) {
    if (--c->open_handles == 0) client_free(c);
}

static void on_stream_closed(stream *s) {
    handle_closed(s->data);
}

static void on_timer_closed(uv_handle_t *h) {
    handle_closed(h->data);
}

/* Fail every pending command with reason, oldest first. */
static void pending_fail_all(aclient *c, const char *reason) {
    while (c->head) {
        pending *p = c->head;
        c->head = p->next;
        if (c->head == NULL) c->tail = NULL;
        c->npending--;
        if (p->cb) p->cb(c, NULL, reason, p->arg);
        vg_free(p);
    }
}

static void end_link(aclient *c, const char *reason, bool notify) {
    c->closing = true;
    c->raw = false;
    pending_fail_all(c, reason);
    if (notify && c->on_disconnect) c->on_disconnect(c, reason);
    stream *s = c->s;
    c->s = NULL;
    stream_close(s, on_stream_closed);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}

static void link_fail(aclient *c, const char *fmt, ...) {
    if (c->closing) return;
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    end_link(c, reason, true);
}

void aclient_close(aclient *c) {
    if (c == NULL || c->closing) return;
    end_link(c, "connection closed", false);
}

/* ------------------------------------------------------------ timer */

static void on_timer(uv_timer_t *t);

/* Make the timer fire no later than deadline (loop ms; 0 = nothing). */
static void timer_arm(aclient *c, uint64_t deadline) {
    if (deadline == 0 || c->closing) return;
    if (c->timer_at && c->timer_at <= deadline) return;
    uint64_t now = uv_now(c->loop);
    c->timer_at = deadline;
    uv_timer_start(&c->timer, on_timer, deadline > now ? deadline - now : 0, 0);
}

/* Deadlines only move the timer earlier; when it fires, every deadline is
 * checked and the next one armed, so an answered command costs nothing. */
static void on_timer(uv_timer_t *t) {
    aclient *c = t->data;
    uint64_t now = uv_now(c->loop);
    c->timer_at = 0;
    if (c->connect_deadline && now >= c->connect_deadline) {
        link_fail(c, "connect timeout: not ready within the time allowed");
        return;
    }
    uint64_t next = c->connect_deadline;
    for (pending *p = c->head; p; p = p->next) {
        if (p->deadline == 0) continue;
        if (p->deadline <= now) {
            link_fail(c, "timeout: no reply within %llu ms", (unsigned long long)p->timeout_ms);
            return;
        }
        if (next == 0 || p->deadline < next) next = p->deadline;
    }
    timer_arm(c, next);
}

/* ------------------------------------------------------------ writing */

static void flush(aclient *c);

static void on_written(stream *s, int status, void *arg) {
    (void)s;
    aclient *c = arg;
    c->writing = false;
    if (c->closing) return;
    if (status < 0) {
        link_fail(c, "write error: %s", uv_strerror(status));
        return;
    }
    buf_clear(&c->wbuf);
    flush(c);
}

/* One write in flight at a time; commands queued meanwhile leave together. */
static void flush(aclient *c) {
    if (!c->connected || c->writing || c->closing || c->out.len == 0) return;
    buf_clear(&c->wbuf);
    buf_swap(&c->out, &c->wbuf);
    c->writing = true;
    int rc = stream_write(c->s, c->wbuf.data, c->wbuf.len, on_written, c);
    if (rc < 0) {
        c->writing = false;
        link_fail(c, "write error: %s", uv_strerror(rc));
    }
}

static void encode(buf *b, int argc, const char **argv, const size_t *lens) {
    resp_add_array_len(b, argc);
    for (int i = 0; i < argc; i++)
        resp_add_bulk(b, argv[i], lens ? lens[i] : strlen(argv[i]));
}

static void pending_push(aclient *c, aclient_reply_cb cb, void *arg, uint64_t timeout_ms,
                         int step) {
    pending *p = vg_calloc(sizeof(*p));
    p->cb = cb;
    p->arg = arg;
    p->step = step;
    p->timeout_ms = timeout_ms;
    if (timeout_ms) p->deadline = uv_now(c->loop) + timeout_ms;
    if (c->tail)
        c->tail->next = p;
    else
        c->head = p;
    c->tail = p;
    c->npending++;
    timer_arm(c, p->deadline);
}

/* ------------------------------------------------------------ commands */

static bool is_subscribe_family(const char *name, size_t n) {
    static const char *const names[] = {"subscribe",   "psubscribe",   "ssubscribe",
                                        "unsubscribe", "punsubscribe", "sunsubscribe"};
    for (size_t i = 0; i < VG_ARRAY_LEN(names); i++)
        if (strlen(names[i]) == n && strncasecmp(name, names[i], n) == 0) return true;
    return false;
}

static bool sendable(const aclient *c, int argc, vg_error *err) {
    if (c->closing) {
        vg_error_set(err, "ERR the link is closing");
        return false;
    }
    if (argc < 1) {
        vg_error_set(err, "ERR a command needs at least its name");
        return false;
    }
    return true;
}

int aclient_command_argv(aclient *c, int argc, const char **argv, const size_t *lens,
                         uint64_t timeout_ms, aclient_reply_cb cb, void *arg, vg_error *err) {
    if (!sendable(c, argc, err)) return VG_ERR;
    bool sub = is_subscribe_family(argv[0], lens ? lens[0] : strlen(argv[0]));
    if (sub && cb) {
        vg_error_set(err, "ERR subscribe confirmations arrive at on_push, not a reply callback");
        return VG_ERR;
    }
    encode(&c->out, argc, argv, lens);
    if (sub)
        c->subscribed = true;
    else
        pending_push(c, cb, arg, timeout_ms ? timeout_ms : c->command_timeout_ms, STEP_USER);
    flush(c);
    return VG_OK;
}

int aclient_command_noreply(aclient *c, int argc, const char **argv, const size_t *lens,
                            vg_error *err) {
    if (!sendable(c, argc, err)) return VG_ERR;
    encode(&c->out, argc, argv, lens);
    flush(c);
    return VG_OK;
}

int aclient_command(aclient *c, aclient_reply_cb cb, void *arg, ...) {
    const char *argv[ACLIENT_MAX_ARGS];
    int argc = 0;
    va_list ap;
    va_start(ap, arg);
    const char *a;
    bool too_many = false;
    while ((a = va_arg(ap, const char *)) != NULL) {
        if (argc == ACLIENT_MAX_ARGS) too_many = true;
        if (!too_many) argv[argc++] = a;
    }
    va_end(ap);
    if (too_many) return VG_ERR; /* the argv form takes any number */
    vg_error err;
    return aclient_command_argv(c, argc, argv, NULL, 0, cb, arg, &err);
}

/* ------------------------------------------------------------ handshake */

static void hs_queue(aclient *c, int step, int argc, const char **argv) {
    encode(&c->out, argc, argv, NULL);
    pending_push(c, NULL, NULL, c->command_timeout_ms, step);
    c->handshake_left++;
}

static void handshake_queue(aclient *c, const aclient_options *o) {
    if (o->pass && o->user) {
        const char *argv[] = {"AUTH", o->user, o->pass};
        hs_queue(c, STEP_AUTH, 3, argv);
    } else if (o->pass) {
        const char *argv[] = {"AUTH", o->pass};
        hs_queue(c, STEP_AUTH, 2, argv);
    }
    if (o->resp == 3) {
        const char *argv[] = {"HELLO", "3"};
        hs_queue(c, STEP_HELLO, 2, argv);
    }
    if (o->client_name) {
        const char *argv[] = {"CLIENT", "SETNAME", o->client_name};
        hs_queue(c, STEP_SETNAME, 3, argv);
    }
    if (o->db > 0) {
        char num[24];
        vg_ll2str(num, o->db);
        const char *argv[] = {"SELECT", num};
        hs_queue(c, STEP_SELECT, 2, argv);
    }
}

static void become_ready(aclient *c) {
    c->ready = true;
    c->connect_deadline = 0;
    if (c->on_ready) c->on_ready(c);
}

static const char *step_name(int step) {
    switch (step) {
    case STEP_AUTH:
        return "AUTH";
    case STEP_HELLO:
        return "HELLO";
    case STEP_SETNAME:
        return "CLIENT SETNAME";
    default:
        return "SELECT";
    }
}

static void handshake_reply(aclient *c, int step, const resp_reply *r) {
    if (r->type == RESP_REPLY_ERROR) {
        link_fail(c, "%s failed: %s", step_name(step), r->str);
        return;
    }
    if (step == STEP_HELLO) c->resp3 = true;
    if (--c->handshake_left == 0) become_ready(c);
}

/* ------------------------------------------------------------ reading */

static bool is_pubsub_kind(const resp_reply *r) {
    static const char *const kinds[] = {"message",     "pmessage",     "smessage",
                                        "subscribe",   "psubscribe",   "ssubscribe",
                                        "unsubscribe", "punsubscribe", "sunsubscribe"};
    if (r->type != RESP_REPLY_STRING && r->type != RESP_REPLY_STATUS) return false;
    for (size_t i = 0; i < VG_ARRAY_LEN(kinds); i++)
        if (resp_reply_str_is(r, kinds[i])) return true;
    return false;
}

/* RESP3 pushes are out of band by type; in RESP2 a pub/sub message is an
 * array that only its first element tells apart from a reply. */
static bool is_push(const aclient *c, const resp_reply *r) {
    if (r->type == RESP_REPLY_PUSH) return true;
    return c->subscribed && r->type == RESP_REPLY_ARRAY && r->elements >= 3 &&
           is_pubsub_kind(r->elem[0]);
}

static void dispatch(aclient *c, const resp_reply *r) {
    if (is_push(c, r)) {
        if (c->on_push) c->on_push(c, r);
        return;
    }
    pending *p = c->head;
    if (p == NULL) {
        link_fail(c, "Protocol error: a reply arrived with no command waiting for it");
        return;
    }
    c->head = p->next;
    if (c->head == NULL) c->tail = NULL;
    c->npending--;
    if (p->step != STEP_USER)
        handshake_reply(c, p->step, r);
    else if (p->cb)
        p->cb(c, r, NULL, p->arg);
    vg_free(p);
}

/* Offer unparsed bytes to raw_cb. True when raw mode ended (parse the rest). */
static bool offer_raw(aclient *c) {
    const char *p;
    size_t n = resp_reader_pending(&c->rd, &p);
    if (n == 0) return false;
    size_t used = c->raw_cb(c, p, n, c->raw_arg);
    if (c->closing) return false;
    resp_reader_discard(&c->rd, used < n ? used : n);
    return !c->raw;
}

static void drain(aclient *c) {
    while (!c->closing) {
        if (c->raw) {
            if (!offer_raw(c)) return;
            continue;
        }
        resp_reply *r = NULL;
        int rc = resp_reader_next(&c->rd, &r);
        if (rc == RESP_REPLY_AGAIN) return;
        if (rc == RESP_REPLY_FAIL) {
            link_fail(c, "%s", resp_reader_error(&c->rd));
            return;
        }
        dispatch(c, r);
        resp_reply_free(r);
    }
}

static void on_alloc(stream *s, size_t suggested, uv_buf_t *out) {
    (void)suggested;
    aclient *c = s->data;
    *out = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static void on_read(stream *s, ssize_t nread) {
    aclient *c = s->data;
    if (c->closing) return;
    if (nread < 0) {
        if (nread == UV_EOF)
            link_fail(c, "connection closed by the peer");
        else
            link_fail(c, "read error: %s", uv_strerror((int)nread));
        return;
    }
    resp_reader_feed(&c->rd, c->rbuf, (size_t)nread);
    drain(c);
}

void aclient_raw_start(aclient *c, aclient_raw_cb cb, void *arg) {
    VG_ASSERT(cb != NULL);
    if (c->closing) return;
    c->raw = true;
    c->raw_cb = cb;
    c->raw_arg = arg;
}

void aclient_raw_stop(aclient *c) {
    c->raw = false;
}

/* ------------------------------------------------------------ connecting */

static void on_connected(stream *s, int status) {
    aclient *c = s->data;
    if (c->closing) return;
    if (status < 0) {
        link_fail(c, "connect: %s", uv_strerror(status));
        return;
    }
    c->connected = true;
    int rc = stream_read_start(s, on_alloc, on_read);
    if (rc < 0) {
        link_fail(c, "read error: %s", uv_strerror(rc));
        return;
    }
    flush(c);
    if (!c->closing && c->handshake_left == 0) become_ready(c);
}

static void copy_options(aclient *c, const aclient_options *o) {
    resp_reader_limits lim = o->limits;
    if (lim.max_bulk == 0 && lim.max_depth == 0 && lim.max_elements == 0) {
        bool skip = lim.skip_newlines;
        lim = resp_reader_default_limits();
        lim.skip_newlines = skip;
    }
    resp_reader_init(&c->rd, &lim);
    c->command_timeout_ms = o->command_timeout_ms;
    c->on_ready = o->on_ready;
    c->on_disconnect = o->on_disconnect;
    c->on_push = o->on_push;
    c->data = o->data;
}

aclient *aclient_connect(uv_loop_t *loop, const aclient_options *o, vg_error *err) {
    if (o->host == NULL || o->port <= 0 || o->port > 65535) {
        vg_error_set(err, "ERR invalid address");
        return NULL;
    }
    aclient *c = vg_calloc(sizeof(*c));
    c->loop = loop;
    copy_options(c, o);
    int rc = 0;
    c->s = stream_connect(loop, o->host, o->port, o->tls, o->sni, on_connected, c, &rc);
    if (c->s == NULL) {
        vg_error_set(err, "ERR cannot connect to %s:%d: %s", o->host, o->port, uv_strerror(rc));
        resp_reader_free(&c->rd);
        vg_free(c);
        return NULL;
    }
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->open_handles = 2;
    if (o->connect_timeout_ms) {
        c->connect_deadline = uv_now(loop) + o->connect_timeout_ms;
        timer_arm(c, c->connect_deadline);
    }
    handshake_queue(c, o);
    return c;
}

/* ------------------------------------------------------------ accessors */

void *aclient_data(const aclient *c) {
    return c->data;
}

bool aclient_is_ready(const aclient *c) {
    return c->ready && !c->closing;
}

bool aclient_is_resp3(const aclient *c) {
    return c->resp3;
}

size_t aclient_pending(const aclient *c) {
    return c->npending;
}

stream *aclient_stream(const aclient *c) {
    return c->s;
}
