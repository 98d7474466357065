/* stream.h -- one connection type over libuv TCP, TLS-ready.
 *
 * Owns: the uv_tcp_t handle and (with TLS) the session and its ciphertext
 * buffers. Callers read into their own buffers and write from them; whether
 * bytes pass through TLS underneath is invisible to them. A stream is freed
 * by the library after stream_close() has finished and close_cb returned.
 *
 * Reading: stream_read_start(s, alloc_cb, read_cb). alloc_cb hands out the
 * owner's buffer space; read_cb gets the count of bytes placed there, or a
 * negative libuv code (UV_EOF at end of stream).
 * Writing: stream_try_write() takes what it can synchronously; stream_write()
 * queues the rest (the bytes must stay valid until its callback). */
#ifndef VIGIL_PROTO_STREAM_H
#define VIGIL_PROTO_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "stream_types.h"

struct stream {
    uv_tcp_t tcp;              /* owned: the socket handle */
    void *data;                /* borrowed: the owner's context */
    stream_alloc_cb alloc_cb;  /* set by stream_read_start */
    stream_read_cb read_cb;    /* set by stream_read_start */
    stream_close_cb close_cb;  /* set by stream_close */
    stream_connect_cb conn_cb; /* set by stream_connect */
    struct tls_session *tls;   /* owned: NULL for plaintext */
    bool closing;              /* stream_close was called */
    bool reading;              /* reads are started */
    size_t write_pending;      /* bytes queued in libuv (and TLS) not yet sent */
};

struct stream_listener {
    uv_tcp_t tcp;             /* owned */
    uv_loop_t *loop;          /* borrowed */
    tls_ctx *tls;             /* borrowed: NULL for a plaintext port */
    stream_accept_cb on_conn; /* new connection callback */
    void *data;               /* borrowed: the owner's context */
    char addr[64];            /* "host:port" for logs */
};

/* Bind and listen. Returns 0 or a negative libuv code. port 0 picks a free one. */
int stream_listen(stream_listener *l, uv_loop_t *loop, const char *host, int port, int backlog,
                  tls_ctx *tls, stream_accept_cb cb);
/* Port actually bound (useful with port 0). */
int stream_listener_port(const stream_listener *l);
void stream_listener_close(stream_listener *l, uv_close_cb cb);

/* Start an outgoing connection. Returns a new stream (freed through close). */
stream *stream_connect(uv_loop_t *loop, const char *host, int port, tls_ctx *tls, const char *sni,
                       stream_connect_cb cb, void *data, int *err);

int stream_read_start(stream *s, stream_alloc_cb alloc_cb, stream_read_cb read_cb);
int stream_read_stop(stream *s);
/* Bytes written now (may be < n), or a negative libuv code (UV_EAGAIN: none). */
ssize_t stream_try_write(stream *s, const char *p, size_t n);
/* Queue a write; cb(s, status, arg) runs once it is done or failed. */
int stream_write(stream *s, const char *p, size_t n, stream_write_cb cb, void *arg);
void stream_close(stream *s, stream_close_cb cb);

/* Peer and local addresses as "ip:port". */
int stream_peer_name(stream *s, char *out, size_t cap);
int stream_sock_name(stream *s, char *out, size_t cap);
/* The peer is 127.0.0.1 or ::1 (other 127/8 addresses count as remote,
 * as in Redis' protected mode). */
bool stream_peer_is_loopback(stream *s);
int stream_set_keepalive(stream *s, int seconds);
int stream_set_nodelay(stream *s, bool on);
bool stream_is_tls(const stream *s);

#endif
