/* stream_tls.h -- the seam between stream.c and its TLS implementation.
 *
 * Owns: nothing; declares what tls_io.c provides to stream.c. Every call
 * works on s->tls, which attach creates and free destroys. Without TLS
 * configured these are never reached (s->tls stays NULL), except
 * tls_session_free which accepts a stream without a session. */
#ifndef VIGIL_PROTO_STREAM_TLS_H
#define VIGIL_PROTO_STREAM_TLS_H

#include <sys/types.h>

#include "stream_types.h"

int tls_session_attach(stream *s, tls_ctx *ctx, bool server, const char *sni);
void tls_session_start_client(stream *s);
int tls_session_read_start(stream *s);
int tls_session_read_stop(stream *s);
ssize_t tls_session_try_write(stream *s, const char *p, size_t n);
int tls_session_write(stream *s, const char *p, size_t n, stream_write_cb cb, void *arg);
/* Called by stream_close before the socket closes: best-effort close_notify,
 * and write callbacks of bytes that never left fire with UV_ECANCELED. */
void tls_session_close(stream *s);
void tls_session_free(stream *s);
/* Plain write of ciphertext to the socket (stream.c), used by the TLS layer. */
int stream_write_raw(stream *s, const char *p, size_t n, stream_write_cb cb, void *arg);

#endif
