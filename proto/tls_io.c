/* tls_io.c -- TLS sessions underneath stream (OpenSSL over memory BIOs).
 *
 * Owns: per-stream TLS sessions. Until TLS is configured no session is
 * ever attached; this file keeps the seam compiling and refuses attach so a
 * misconfiguration can never silently fall back to plaintext. */
#include "stream_tls.h"

int tls_session_attach(stream *s, tls_ctx *ctx, bool server, const char *sni) {
    (void)s;
    (void)ctx;
    (void)server;
    (void)sni;
    return UV_ENOTSUP;
}

void tls_session_start_client(stream *s) {
    (void)s;
}

int tls_session_read_start(stream *s) {
    (void)s;
    return UV_ENOTSUP;
}

int tls_session_read_stop(stream *s) {
    (void)s;
    return UV_ENOTSUP;
}

ssize_t tls_session_try_write(stream *s, const char *p, size_t n) {
    (void)s;
    (void)p;
    (void)n;
    return UV_ENOTSUP;
}

int tls_session_write(stream *s, const char *p, size_t n, stream_write_cb cb, void *arg) {
    (void)s;
    (void)p;
    (void)n;
    (void)cb;
    (void)arg;
    return UV_ENOTSUP;
}

void tls_session_free(stream *s) {
    (void)s;
}
