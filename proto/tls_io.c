/* tls_io.c -- TLS sessions underneath stream (OpenSSL over memory BIOs).
 *
 * Owns: the tls_session attached to a stream (s->tls): its SSL object, the
 * two memory BIOs, writes queued before the handshake finished and the
 * ciphertext handed to libuv. The owner of the stream keeps the contract of
 * stream.h unchanged: reads land in its own buffers through alloc_cb/read_cb,
 * write callbacks fire once the ciphertext carrying those bytes has been
 * handed to the socket, and failures arrive as negative libuv codes.
 *
 *   attach --> HANDSHAKE --SSL_do_handshake ok--> OPEN --close_notify/EOF--> UV_EOF
 *                  |                               |
 *                  +--alert, bad bytes, EOF-->  FAILED <--decrypt error (UV_EPROTO)
 *
 *   transition                     function
 *   bytes from the socket          tcp_read -> pump
 *   HANDSHAKE -> OPEN              handshake -> on_open (queued writes, conn_cb)
 *   HANDSHAKE -> FAILED            handshake -> set_failure (logged), deliver_failure
 *   OPEN: plaintext to the owner   deliver_reads
 *   owner reads again later        tls_session_read_start -> kick -> pump
 *   stream_close                   tls_session_close (close_notify, best effort)
 *
 * Retry rule (OpenSSL's): bytes that try_write did not take may already sit
 * in an encrypted record queued to the socket ("held"); the owner offers them
 * again, in order, with its next write, and they are skipped there. Closing
 * instead of writing them is also fine. A handshake timeout is the owner's
 * policy (see tls_session_established); this layer waits as long as the
 * socket stays open. */
#include "stream_tls.h"
#include "stream.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "tls.h"
#include "vg_alloc.h"

#define TLS_RECORD (16 * 1024)       /* plaintext per record on the try_write path */
#define TLS_WRITE_CHUNK (256 * 1024) /* plaintext encrypted per queued write */
#define TLS_READ_SUGGEST (64 * 1024) /* suggested size handed to the owner's alloc_cb */
#define TLS_LOG_BURST 10             /* refused-handshake lines per second, then summarised */

enum tls_state { TLS_HANDSHAKE = 0, TLS_OPEN, TLS_FAILED };

typedef struct plain_write { /* a write offered before the handshake finished */
    const char *p;           /* borrowed: valid until cb, by stream_write's contract */
    size_t n;
    stream_write_cb cb;
    void *arg;
    struct plain_write *next;
} plain_write;

typedef struct done_cb { /* a write whose bytes went out with an earlier record */
    stream_write_cb cb;
    void *arg;
    struct done_cb *next;
} done_cb;

typedef struct cipher_write { /* ciphertext in libuv's hands */
    stream_write_cb cb;       /* the owner's callback, or NULL for internal bytes */
    void *arg;
    size_t len;
    char data[];
} cipher_write;

struct tls_session {
    stream *s;               /* borrowed: the stream this session belongs to */
    SSL *ssl;                /* owned, and owns rbio/wbio */
    BIO *rbio;               /* ciphertext from the socket, read by OpenSSL */
    BIO *wbio;               /* ciphertext from OpenSSL, to the socket */
    int state;               /* enum tls_state */
    bool server;             /* accepted (true) or outgoing (false) */
    bool tcp_reading;        /* uv_read_start is in effect */
    bool tcp_done;           /* the socket's read side ended */
    int tcp_status;          /* UV_EOF or the libuv error that ended it */
    bool conn_reported;      /* outgoing: conn_cb was called */
    bool terminal_sent;      /* read_cb got its final negative status */
    int fail_status;         /* what a failed session reports */
    plain_write *plain_head; /* owned: writes waiting for the handshake */
    plain_write *plain_tail;
    done_cb *done_head; /* owned: completions to fire from the kick */
    done_cb *done_tail;
    cipher_write *held; /* borrowed: in-flight write holding a record */
    size_t held_skip;   /* plaintext bytes of that record not yet re-offered */
    uv_idle_t *kick;    /* closing handle used as "call me next iteration" */
    char err[200];      /* last failure, for logs */
};

/* One libuv callback at a time per thread fills this and hands it to OpenSSL
 * before returning, so one buffer per thread serves every session. */
static _Thread_local char in_buf[64 * 1024];
static _Thread_local char out_buf[TLS_RECORD + 1024];

static void pump(struct tls_session *t);

/* ---------------------------------------------------------------- logging */

static void log_refused(stream *s, int level, const char *why) {
    static _Thread_local uint64_t window_ms;
    static _Thread_local int lines, suppressed;
    uint64_t now = uv_now(s->tcp.loop);
    if (now - window_ms >= 1000) {
        if (suppressed) LOG_NOTICE("TLS: %d similar connection errors not logged", suppressed);
        window_ms = now;
        lines = suppressed = 0;
    }
    if (++lines > TLS_LOG_BURST) {
        suppressed++;
        return;
    }
    char addr[64];
    stream_peer_name(s, addr, sizeof(addr));
    LOG_AT(level, "Error accepting a client connection: %s (addr=%s)", why, addr);
}

/* Describe why OpenSSL failed, including the certificate check's verdict. */
static void describe_ssl_error(struct tls_session *t, int ssl_err) {
    unsigned long e = ERR_get_error();
    char reason[160] = "";
    if (e)
        ERR_error_string_n(e, reason, sizeof(reason));
    else if (ssl_err == SSL_ERROR_SYSCALL)
        snprintf(reason, sizeof(reason), "unexpected eof while reading");
    else
        snprintf(reason, sizeof(reason), "TLS error %d", ssl_err);
    ERR_clear_error();
    long v = SSL_get_verify_result(t->ssl);
    if (v != X509_V_OK)
        snprintf(t->err, sizeof(t->err), "%s (certificate: %s)", reason,
                 X509_verify_cert_error_string(v));
    else
        snprintf(t->err, sizeof(t->err), "%s", reason);
}

/* ------------------------------------------------------------ ciphertext out */

static void on_cipher_written(stream *s, int status, void *arg) {
    cipher_write *cw = arg;
    if (s->tls && s->tls->held == cw) s->tls->held = NULL;
    stream_write_cb cb = cw->cb;
    void *uarg = cw->arg;
    vg_free(cw);
    if (cb) cb(s, status, uarg);
}

static int queue_cipher(struct tls_session *t, const char *p, size_t n, stream_write_cb cb,
                        void *arg, cipher_write **out) {
    cipher_write *cw = vg_malloc(sizeof(*cw) + n);
    memcpy(cw->data, p, n);
    cw->len = n;
    cw->cb = cb;
    cw->arg = arg;
    int rc = stream_write_raw(t->s, cw->data, n, on_cipher_written, cw);
    if (rc != 0) {
        vg_free(cw);
        return rc;
    }
    if (out) *out = cw;
    return 0;
}

/* Move everything OpenSSL produced to the socket. may_try: send what the
 * socket takes right away (only when nothing is queued ahead of it). cb, if
 * set, fires when the last of these bytes has been handed off. */
static int flush(struct tls_session *t, bool may_try, stream_write_cb cb, void *arg) {
    size_t n = BIO_ctrl_pending(t->wbio);
    if (n == 0) return 0;
    cipher_write *cw = vg_malloc(sizeof(*cw) + n);
    size_t got = 0;
    while (got < n) {
        int r = BIO_read(t->wbio, cw->data + got, (int)(n - got > INT_MAX ? INT_MAX : n - got));
        if (r <= 0) break;
        got += (size_t)r;
    }
    size_t off = 0;
    if (may_try && t->s->write_pending == 0 && got <= UINT_MAX) {
        uv_buf_t b = uv_buf_init(cw->data, (unsigned)got);
        int r = uv_try_write((uv_stream_t *)&t->s->tcp, &b, 1);
        if (r < 0 && r != UV_EAGAIN) {
            vg_free(cw);
            return r;
        }
        off = r > 0 ? (size_t)r : 0;
    }
    if (off == got) {
        vg_free(cw);
        return 0;
    }
    memmove(cw->data, cw->data + off, got - off);
    cw->len = got - off;
    cw->cb = cb;
    cw->arg = arg;
    int rc = stream_write_raw(t->s, cw->data, cw->len, on_cipher_written, cw);
    if (rc != 0) vg_free(cw);
    return rc;
}

/* Encrypt p[0..n) and queue it; cb fires with the last chunk's hand-off. */
static int encrypt_queue(struct tls_session *t, const char *p, size_t n, stream_write_cb cb,
                         void *arg) {
    while (n > 0) {
        size_t c = n > TLS_WRITE_CHUNK ? TLS_WRITE_CHUNK : n;
        ERR_clear_error();
        int r = SSL_write(t->ssl, p, (int)c);
        if (r <= 0) {
            describe_ssl_error(t, SSL_get_error(t->ssl, r));
            return UV_EPROTO;
        }
        p += c;
        n -= c;
        int rc = flush(t, false, n == 0 ? cb : NULL, n == 0 ? arg : NULL);
        if (rc != 0) return rc;
    }
    return 0;
}

/* ----------------------------------------------------------- deferred work */

static void run_done(struct tls_session *t, int status) {
    while (t->done_head) {
        done_cb *d = t->done_head;
        t->done_head = d->next;
        if (t->done_head == NULL) t->done_tail = NULL;
        stream_write_cb cb = d->cb;
        void *arg = d->arg;
        vg_free(d);
        if (cb) cb(t->s, status, arg);
    }
}

static void on_kick(uv_handle_t *h) {
    struct tls_session *t = h->data;
    vg_free(h);
    if (t == NULL) return; /* the session went away first */
    t->kick = NULL;
    run_done(t, 0);
    if (!t->s->closing) pump(t);
}

/* Run on_kick in the next loop iteration. A handle closed right away gets
 * its close callback there, and is never left open for a loop walk. */
static void kick(struct tls_session *t) {
    if (t->kick) return;
    uv_idle_t *h = vg_malloc(sizeof(*h));
    uv_idle_init(t->s->tcp.loop, h);
    h->data = t;
    t->kick = h;
    uv_close((uv_handle_t *)h, on_kick);
}

static void defer_done(struct tls_session *t, stream_write_cb cb, void *arg) {
    done_cb *d = vg_malloc(sizeof(*d));
    d->cb = cb;
    d->arg = arg;
    d->next = NULL;
    if (t->done_tail)
        t->done_tail->next = d;
    else
        t->done_head = d;
    t->done_tail = d;
    kick(t);
}

/* --------------------------------------------------------------- reading */

static void tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out) {
    (void)h;
    (void)suggested;
    *out = uv_buf_init(in_buf, sizeof(in_buf));
}

static void tcp_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *b) {
    stream *s = h->data;
    struct tls_session *t = s->tls;
    if (nread == 0 || s->closing || t == NULL) return;
    if (nread < 0) {
        t->tcp_done = true;
        t->tcp_status = (int)nread;
        uv_read_stop(h);
        t->tcp_reading = false;
    } else if (BIO_write(t->rbio, b->base, (int)nread) != (int)nread) {
        t->tcp_done = true;
        t->tcp_status = UV_ENOMEM;
    }
    pump(t);
}

/* Read from the socket while the handshake needs it or the owner reads. */
static void update_tcp_reading(struct tls_session *t) {
    stream *s = t->s;
    bool want = !s->closing && !t->tcp_done && t->state != TLS_FAILED &&
                (t->state == TLS_HANDSHAKE || s->reading);
    if (want && !t->tcp_reading) {
        if (uv_read_start((uv_stream_t *)&s->tcp, tcp_alloc, tcp_read) == 0) t->tcp_reading = true;
    } else if (!want && t->tcp_reading) {
        uv_read_stop((uv_stream_t *)&s->tcp);
        t->tcp_reading = false;
    }
}

static void set_failure(struct tls_session *t, int ssl_err) {
    stream *s = t->s;
    bool eof = ssl_err == SSL_ERROR_WANT_READ ||
               (ssl_err == SSL_ERROR_SYSCALL && t->tcp_done && ERR_peek_error() == 0);
    if (eof) {
        ERR_clear_error();
        snprintf(t->err, sizeof(t->err), "%s during the handshake",
                 t->tcp_status == UV_EOF ? "connection closed" : uv_strerror(t->tcp_status));
        t->fail_status = t->tcp_status ? t->tcp_status : UV_EOF;
    } else {
        describe_ssl_error(t, ssl_err);
        t->fail_status = UV_EPROTO;
    }
    t->state = TLS_FAILED;
    if (t->server) {
        log_refused(s, eof ? LOG_LVL_VERBOSE : LOG_LVL_NOTICE, t->err);
    } else {
        char addr[64];
        stream_peer_name(s, addr, sizeof(addr));
        LOG_VERBOSE("TLS handshake with %s failed: %s", addr, t->err);
    }
}

static void on_open(struct tls_session *t) {
    stream *s = t->s;
    t->state = TLS_OPEN;
    while (t->plain_head && !s->closing) {
        plain_write *w = t->plain_head;
        t->plain_head = w->next;
        if (t->plain_head == NULL) t->plain_tail = NULL;
        int rc = encrypt_queue(t, w->p, w->n, w->cb, w->arg);
        if (rc != 0 && w->cb) w->cb(s, rc, w->arg);
        vg_free(w);
    }
    if (!t->server && !s->closing && !t->conn_reported) {
        t->conn_reported = true;
        if (s->conn_cb) s->conn_cb(s, 0);
    }
}

static void handshake(struct tls_session *t) {
    ERR_clear_error();
    int r = SSL_do_handshake(t->ssl);
    int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, r);
    int frc = flush(t, true, NULL, NULL); /* our next flight, or the alert */
    if (frc != 0) {                       /* the socket failed under us */
        t->tcp_done = true;
        t->tcp_status = frc;
        set_failure(t, SSL_ERROR_WANT_READ);
        return;
    }
    if (r == 1) {
        on_open(t);
        return;
    }
    if (e == SSL_ERROR_WANT_READ && !t->tcp_done) return; /* wait for the peer */
    set_failure(t, e);
}

static void deliver_failure(struct tls_session *t) {
    stream *s = t->s;
    if (!t->server && !t->conn_reported) {
        t->conn_reported = true;
        if (s->conn_cb) s->conn_cb(s, t->fail_status);
        return;
    }
    if (s->reading && !t->terminal_sent && !s->closing) {
        t->terminal_sent = true;
        s->read_cb(s, t->fail_status);
    }
}

static bool has_input(const struct tls_session *t) {
    return SSL_pending(t->ssl) > 0 || BIO_ctrl_pending(t->rbio) > 0 || t->tcp_done;
}

static void deliver_end(struct tls_session *t, int status) {
    t->terminal_sent = true;
    t->s->read_cb(t->s, status);
}

/* Decrypt into the owner's buffers until OpenSSL needs more ciphertext. */
static void deliver_reads(struct tls_session *t) {
    stream *s = t->s;
    while (s->reading && !s->closing && !t->terminal_sent && has_input(t)) {
        uv_buf_t b = uv_buf_init(NULL, 0);
        s->alloc_cb(s, TLS_READ_SUGGEST, &b);
        if (b.base == NULL || b.len == 0) {
            deliver_end(t, UV_ENOBUFS);
            return;
        }
        ERR_clear_error();
        int r = SSL_read(t->ssl, b.base, b.len > INT_MAX ? INT_MAX : (int)b.len);
        if (r > 0) {
            s->read_cb(s, r);
            continue;
        }
        int e = SSL_get_error(t->ssl, r);
        flush(t, true, NULL, NULL); /* key updates, alerts */
        if (e == SSL_ERROR_WANT_READ) {
            if (t->tcp_done)
                deliver_end(t, t->tcp_status); /* EOF without close_notify is still EOF */
            return;
        }
        if (e == SSL_ERROR_ZERO_RETURN) {
            deliver_end(t, UV_EOF);
            return;
        }
        describe_ssl_error(t, e);
        char addr[64];
        stream_peer_name(s, addr, sizeof(addr));
        LOG_VERBOSE("TLS read from %s failed: %s", addr, t->err);
        t->state = TLS_FAILED;
        t->fail_status = UV_EPROTO;
        deliver_end(t, UV_EPROTO);
        return;
    }
}

static void pump(struct tls_session *t) {
    stream *s = t->s;
    if (t->state == TLS_HANDSHAKE) handshake(t);
    if (s->closing) return;
    if (t->state == TLS_FAILED)
        deliver_failure(t);
    else if (t->state == TLS_OPEN)
        deliver_reads(t);
    if (!s->closing) update_tcp_reading(t);
}

/* ------------------------------------------------------- the stream seam */

static void set_verify(SSL *ssl, int auth) {
    int mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    if (auth == TLS_AUTH_NO)
        mode = SSL_VERIFY_NONE;
    else if (auth == TLS_AUTH_OPTIONAL)
        mode = SSL_VERIFY_PEER;
    SSL_set_verify(ssl, mode, NULL);
}

static bool is_ip_literal(const char *host) {
    unsigned char tmp[16];
    struct sockaddr_in6 a6;
    return uv_inet_pton(AF_INET, host, tmp) == 0 || uv_ip6_addr(host, 0, &a6) == 0;
}

int tls_session_attach(stream *s, tls_ctx *ctx, bool server, const char *sni) {
    SSL_CTX *c = ctx ? tls_ctx_ssl(ctx, server) : NULL;
    if (c == NULL) return UV_EINVAL;
    struct tls_session *t = vg_calloc(sizeof(*t));
    t->ssl = SSL_new(c);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (t->ssl == NULL || t->rbio == NULL || t->wbio == NULL) {
        ERR_clear_error();
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        SSL_free(t->ssl);
        vg_free(t);
        return UV_ENOMEM;
    }
    BIO_set_mem_eof_return(t->rbio, -1); /* empty means "wait", not EOF */
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    t->s = s;
    t->server = server;
    s->tls = t;
    if (server) {
        SSL_set_accept_state(t->ssl);
        set_verify(t->ssl, tls_ctx_auth_clients(ctx));
        update_tcp_reading(t); /* the handshake starts with the peer's hello */
    } else {
        SSL_set_connect_state(t->ssl);
        if (sni && sni[0] && !is_ip_literal(sni)) SSL_set_tlsext_host_name(t->ssl, sni);
    }
    return 0;
}

void tls_session_start_client(stream *s) {
    if (s->tls) pump(s->tls);
}

int tls_session_read_start(stream *s) {
    struct tls_session *t = s->tls;
    update_tcp_reading(t);
    bool failed_unreported = t->state == TLS_FAILED && (t->server || t->conn_reported);
    if (!t->terminal_sent && (failed_unreported || (t->state == TLS_OPEN && has_input(t)))) kick(t);
    return 0;
}

int tls_session_read_stop(stream *s) {
    update_tcp_reading(s->tls);
    return 0;
}

ssize_t tls_session_try_write(stream *s, const char *p, size_t n) {
    struct tls_session *t = s->tls;
    if (t->state == TLS_FAILED) return t->fail_status;
    if (t->state != TLS_OPEN || s->write_pending) return UV_EAGAIN;
    if (t->held_skip) { /* the held record went out: those bytes are written */
        size_t k = t->held_skip < n ? t->held_skip : n;
        t->held_skip -= k;
        return (ssize_t)k;
    }
    size_t done = 0;
    while (done < n) {
        size_t rec = n - done > TLS_RECORD ? TLS_RECORD : n - done;
        ERR_clear_error();
        int r = SSL_write(t->ssl, p + done, (int)rec);
        if (r <= 0) {
            describe_ssl_error(t, SSL_get_error(t->ssl, r));
            return done ? (ssize_t)done : UV_EPROTO;
        }
        if (BIO_ctrl_pending(t->wbio) > sizeof(out_buf)) { /* split records: queue them all */
            int rc = flush(t, false, NULL, NULL);
            if (rc != 0) return done ? (ssize_t)done : rc;
            done += rec;
            break;
        }
        int len = BIO_read(t->wbio, out_buf, (int)sizeof(out_buf));
        if (len <= 0) return done ? (ssize_t)done : UV_EPROTO;
        uv_buf_t b = uv_buf_init(out_buf, (unsigned)len);
        int w = uv_try_write((uv_stream_t *)&s->tcp, &b, 1);
        if (w == len) {
            done += rec;
            continue;
        }
        if (w < 0 && w != UV_EAGAIN) return done ? (ssize_t)done : w;
        size_t off = w > 0 ? (size_t)w : 0;
        int rc = queue_cipher(t, out_buf + off, (size_t)len - off, NULL, NULL, &t->held);
        if (rc != 0) return done ? (ssize_t)done : rc;
        t->held_skip = rec;
        break;
    }
    return done ? (ssize_t)done : UV_EAGAIN;
}

int tls_session_write(stream *s, const char *p, size_t n, stream_write_cb cb, void *arg) {
    struct tls_session *t = s->tls;
    if (t->state == TLS_FAILED) return t->fail_status;
    if (t->state == TLS_HANDSHAKE) {
        plain_write *w = vg_calloc(sizeof(*w));
        w->p = p;
        w->n = n;
        w->cb = cb;
        w->arg = arg;
        if (t->plain_tail)
            t->plain_tail->next = w;
        else
            t->plain_head = w;
        t->plain_tail = w;
        return 0;
    }
    size_t k = t->held_skip < n ? t->held_skip : n;
    t->held_skip -= k;
    p += k;
    n -= k;
    if (n > 0) return encrypt_queue(t, p, n, cb, arg);
    if (t->held && t->held->cb == NULL) {
        t->held->cb = cb; /* completes with the record that carries these bytes */
        t->held->arg = arg;
    } else {
        defer_done(t, cb, arg);
    }
    return 0;
}

/* stream_close: say goodbye if the socket has room, cancel what never left. */
void tls_session_close(stream *s) {
    struct tls_session *t = s->tls;
    if (t == NULL) return;
    if (t->state == TLS_OPEN && s->write_pending == 0) {
        ERR_clear_error();
        SSL_shutdown(t->ssl);
        ERR_clear_error();
        size_t n = BIO_ctrl_pending(t->wbio);
        if (n > 0 && n <= sizeof(out_buf)) {
            int len = BIO_read(t->wbio, out_buf, (int)n);
            uv_buf_t b = uv_buf_init(out_buf, (unsigned)(len > 0 ? len : 0));
            if (len > 0) uv_try_write((uv_stream_t *)&s->tcp, &b, 1);
        }
    }
    while (t->plain_head) {
        plain_write *w = t->plain_head;
        t->plain_head = w->next;
        stream_write_cb cb = w->cb;
        void *arg = w->arg;
        vg_free(w);
        if (cb) cb(s, UV_ECANCELED, arg);
    }
    t->plain_tail = NULL;
    run_done(t, 0); /* their bytes were handed off already */
}

void tls_session_free(stream *s) {
    struct tls_session *t = s->tls;
    if (t == NULL) return;
    if (t->kick) t->kick->data = NULL;
    while (t->plain_head) {
        plain_write *w = t->plain_head;
        t->plain_head = w->next;
        vg_free(w);
    }
    while (t->done_head) {
        done_cb *d = t->done_head;
        t->done_head = d->next;
        vg_free(d);
    }
    SSL_free(t->ssl);
    vg_free(t);
    s->tls = NULL;
}

bool tls_session_established(const stream *s) {
    return s->tls != NULL && s->tls->state == TLS_OPEN;
}

const char *tls_session_protocol(const stream *s) {
    if (s->tls == NULL || s->tls->state != TLS_OPEN) return "";
    return SSL_get_version(s->tls->ssl);
}
