/* stream_types.h -- the names of a stream and its callbacks.
 *
 * Owns: nothing; the typedefs stream.h and the TLS seam (stream_tls.h) both
 * need, so the seam does not include stream.h and the two stay layered. */
#ifndef VIGIL_PROTO_STREAM_TYPES_H
#define VIGIL_PROTO_STREAM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

typedef struct stream stream;
typedef struct stream_listener stream_listener;
typedef struct tls_ctx tls_ctx;

typedef void (*stream_alloc_cb)(stream *s, size_t suggested, uv_buf_t *out);
typedef void (*stream_read_cb)(stream *s, ssize_t nread);
typedef void (*stream_write_cb)(stream *s, int status, void *arg);
typedef void (*stream_close_cb)(stream *s);
typedef void (*stream_connect_cb)(stream *s, int status);
/* A new connection was accepted: the callee owns s (must stream_close it). */
typedef void (*stream_accept_cb)(stream_listener *l, stream *s);

#endif
