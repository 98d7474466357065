/* stream.c -- one connection type over libuv TCP, TLS-ready.
 *
 * Owns: stream and listener handles. The plaintext path calls libuv
 * directly; when s->tls is set, tls_io.c sits between the socket and the
 * owner (the hooks are the tls_session_* calls below). */
#include "stream.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "stream_tls.h"
#include "vg_alloc.h"

typedef struct write_req {
    uv_write_t req;
    stream_write_cb cb;
    void *arg;
    size_t len;
} write_req;

static void on_accept(uv_stream_t *server, int status) {
    stream_listener *l = server->data;
    if (status < 0) return;
    stream *s = vg_calloc(sizeof(*s));
    uv_tcp_init(l->loop, &s->tcp);
    s->tcp.data = s;
    if (uv_accept(server, (uv_stream_t *)&s->tcp) != 0) {
        uv_close((uv_handle_t *)&s->tcp, (uv_close_cb)vg_free);
        return;
    }
    if (l->tls && tls_session_attach(s, l->tls, true, NULL) != 0) {
        uv_close((uv_handle_t *)&s->tcp, (uv_close_cb)vg_free);
        return;
    }
    l->on_conn(l, s);
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss) {
    if (strchr(host, ':')) return uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss);
    if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
    return uv_ip4_addr(host, port, (struct sockaddr_in *)ss);
}

int stream_listen(stream_listener *l, uv_loop_t *loop, const char *host, int port, int backlog,
                  tls_ctx *tls, stream_accept_cb cb) {
    struct sockaddr_storage ss;
    memset(l, 0, sizeof(*l));
    int rc = resolve(host, port, &ss);
    if (rc != 0) return rc;
    l->loop = loop;
    l->tls = tls;
    l->on_conn = cb;
    uv_tcp_init(loop, &l->tcp);
    l->tcp.data = l;
    rc = uv_tcp_bind(&l->tcp, (struct sockaddr *)&ss, strchr(host, ':') ? UV_TCP_IPV6ONLY : 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&l->tcp, backlog, on_accept);
    snprintf(l->addr, sizeof(l->addr), "%s:%d", host, port);
    return rc;
}

int stream_listener_port(const stream_listener *l) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&ss, &len) != 0) return -1;
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void stream_listener_close(stream_listener *l, uv_close_cb cb) {
    if (!uv_is_closing((uv_handle_t *)&l->tcp)) uv_close((uv_handle_t *)&l->tcp, cb);
}

static void on_connect(uv_connect_t *req, int status) {
    stream *s = req->data;
    vg_free(req);
    if (s->closing) return;
    if (status == 0 && s->tls) {
        tls_session_start_client(s);
        return; /* the TLS layer calls conn_cb after the handshake */
    }
    if (s->conn_cb) s->conn_cb(s, status);
}

stream *stream_connect(uv_loop_t *loop, const char *host, int port, tls_ctx *tls, const char *sni,
                       stream_connect_cb cb, void *data, int *err) {
    struct sockaddr_storage ss;
    int rc = resolve(host, port, &ss);
    if (rc != 0) {
        *err = rc;
        return NULL;
    }
    stream *s = vg_calloc(sizeof(*s));
    uv_tcp_init(loop, &s->tcp);
    s->tcp.data = s;
    s->data = data;
    s->conn_cb = cb;
    if (tls && tls_session_attach(s, tls, false, sni) != 0) {
        *err = UV_EPROTO;
        uv_close((uv_handle_t *)&s->tcp, (uv_close_cb)vg_free);
        return NULL;
    }
    uv_connect_t *req = vg_malloc(sizeof(*req));
    req->data = s;
    rc = uv_tcp_connect(req, &s->tcp, (struct sockaddr *)&ss, on_connect);
    if (rc != 0) {
        vg_free(req);
        *err = rc;
        tls_session_free(s);
        uv_close((uv_handle_t *)&s->tcp, (uv_close_cb)vg_free);
        return NULL;
    }
    *err = 0;
    return s;
}

static void plain_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out) {
    stream *s = h->data;
    s->alloc_cb(s, suggested, out);
}

static void plain_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *b) {
    (void)b;
    stream *s = h->data;
    if (nread == 0 || s->closing) return;
    s->read_cb(s, nread);
}

int stream_read_start(stream *s, stream_alloc_cb alloc_cb, stream_read_cb read_cb) {
    s->alloc_cb = alloc_cb;
    s->read_cb = read_cb;
    s->reading = true;
    if (s->tls) return tls_session_read_start(s);
    return uv_read_start((uv_stream_t *)&s->tcp, plain_alloc, plain_read);
}

int stream_read_stop(stream *s) {
    s->reading = false;
    if (s->tls) return tls_session_read_stop(s);
    return uv_read_stop((uv_stream_t *)&s->tcp);
}

ssize_t stream_try_write(stream *s, const char *p, size_t n) {
    if (s->closing) return UV_EPIPE;
    if (s->tls) return tls_session_try_write(s, p, n);
    if (s->write_pending) return UV_EAGAIN; /* keep byte order behind queued writes */
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    int rc = uv_try_write((uv_stream_t *)&s->tcp, &b, 1);
    return rc;
}

static void on_write(uv_write_t *req, int status) {
    write_req *w = (write_req *)req;
    stream *s = req->handle->data;
    s->write_pending -= w->len;
    if (w->cb) w->cb(s, status, w->arg);
    vg_free(w);
}

int stream_write_raw(stream *s, const char *p, size_t n, stream_write_cb cb, void *arg) {
    write_req *w = vg_malloc(sizeof(*w));
    w->cb = cb;
    w->arg = arg;
    w->len = n;
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    int rc = uv_write(&w->req, (uv_stream_t *)&s->tcp, &b, 1, on_write);
    if (rc != 0) {
        vg_free(w);
        return rc;
    }
    s->write_pending += n;
    return 0;
}

int stream_write(stream *s, const char *p, size_t n, stream_write_cb cb, void *arg) {
    if (s->closing) return UV_EPIPE;
    if (s->tls) return tls_session_write(s, p, n, cb, arg);
    return stream_write_raw(s, p, n, cb, arg);
}

static void on_closed(uv_handle_t *h) {
    stream *s = h->data;
    if (s->close_cb) s->close_cb(s);
    tls_session_free(s);
    vg_free(s);
}

void stream_close(stream *s, stream_close_cb cb) {
    if (s->closing) return;
    s->closing = true;
    s->close_cb = cb;
    tls_session_close(s);
    uv_close((uv_handle_t *)&s->tcp, on_closed);
}

static int format_addr(const struct sockaddr_storage *ss, char *out, size_t cap) {
    char ip[64];
    int port;
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        uv_ip6_name(a, ip, sizeof(ip));
        port = ntohs(a->sin6_port);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        uv_ip4_name(a, ip, sizeof(ip));
        port = ntohs(a->sin_port);
    }
    snprintf(out, cap, "%s:%d", ip, port);
    return 0;
}

int stream_peer_name(stream *s, char *out, size_t cap) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    int rc = uv_tcp_getpeername(&s->tcp, (struct sockaddr *)&ss, &len);
    if (rc != 0) {
        snprintf(out, cap, "?:0");
        return rc;
    }
    return format_addr(&ss, out, cap);
}

int stream_sock_name(stream *s, char *out, size_t cap) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    int rc = uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&ss, &len);
    if (rc != 0) {
        snprintf(out, cap, "?:0");
        return rc;
    }
    return format_addr(&ss, out, cap);
}

bool stream_peer_is_loopback(stream *s) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&s->tcp, (struct sockaddr *)&ss, &len) != 0) return false;
    if (ss.ss_family == AF_INET) /* exactly 127.0.0.1, as Redis' protected mode checks */
        return ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) == 0x7F000001;
    if (ss.ss_family == AF_INET6) {
        const struct in6_addr *a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a6);
    }
    return false;
}

int stream_set_keepalive(stream *s, int seconds) {
    return uv_tcp_keepalive(&s->tcp, seconds > 0, seconds > 0 ? (unsigned)seconds : 0);
}

int stream_set_nodelay(stream *s, bool on) {
    return uv_tcp_nodelay(&s->tcp, on);
}

bool stream_is_tls(const stream *s) {
    return s->tls != NULL;
}
