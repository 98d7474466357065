/* tls.h -- TLS contexts built from configuration, shared by node and sentinel.
 *
 * Owns: a tls_ctx, i.e. one OpenSSL SSL_CTX for accepted connections and one
 * for outgoing links (replica -> primary, sentinel -> node), both built from
 * the same tls_config (Redis' tls-* parameters). A listener or a stream
 * borrows the tls_ctx; tls_ctx_reload swaps fresh SSL_CTXs in place, so
 * listeners keep their pointer and new connections pick up the new
 * certificates, while live sessions keep the SSL_CTX they started with
 * (OpenSSL reference-counts it). A failed reload leaves the context as it was.
 *
 * The per-connection half (handshake, encrypt, decrypt over libuv) lives in
 * tls_io.c behind stream.h; the queries at the end of this header let owners
 * of a stream ask about its session. */
#ifndef VIGIL_PROTO_TLS_H
#define VIGIL_PROTO_TLS_H

#include <stdbool.h>

#include "stream.h"
#include "vg_common.h"

/* tls-auth-clients: whether accepted peers must present a certificate. */
enum tls_auth { TLS_AUTH_NO = 0, TLS_AUTH_YES = 1, TLS_AUTH_OPTIONAL = 2 };

/* Every string is borrowed for the duration of the call; NULL or "" = unset. */
typedef struct tls_config {
    const char *cert_file;            /* PEM certificate (chain) we present */
    const char *key_file;             /* PEM private key for cert_file */
    const char *key_file_pass;        /* passphrase of key_file, if encrypted */
    const char *client_cert_file;     /* outgoing links; unset = cert_file */
    const char *client_key_file;      /* outgoing links; unset = key_file */
    const char *client_key_file_pass; /* passphrase of client_key_file */
    const char *ca_cert_file;         /* trusted CAs (file) */
    const char *ca_cert_dir;          /* trusted CAs (hashed directory) */
    const char *dh_params_file;       /* DH parameters for DHE suites (TLS <= 1.2) */
    const char *protocols;            /* "TLSv1.2 TLSv1.3"; unset = those two */
    const char *ciphers;              /* TLS <= 1.2 cipher list */
    const char *ciphersuites;         /* TLS 1.3 cipher suites */
    bool prefer_server_ciphers;       /* server picks the cipher order */
    bool session_caching;             /* server-side session cache and tickets */
    long session_cache_size;          /* entries; 0 = OpenSSL's unlimited */
    long session_cache_timeout;       /* seconds */
    int auth_clients;                 /* enum tls_auth, for accepted connections */
} tls_config;

/* Build a context. VG_OK: *out is new (free with tls_ctx_free). VG_ERR:
 * err->msg says what failed (file, OpenSSL reason), *out untouched. */
int tls_ctx_create(tls_ctx **out, const tls_config *cfg, vg_error *err);
/* Build fresh SSL_CTXs from cfg and swap them in for new connections.
 * VG_ERR: err->msg says why and ctx keeps its previous state. */
int tls_ctx_reload(tls_ctx *ctx, const tls_config *cfg, vg_error *err);
/* Change tls-auth-clients for connections accepted from now on. */
void tls_ctx_set_auth_clients(tls_ctx *ctx, int auth);
/* NULL is a no-op. Sessions still open keep working until they close. */
void tls_ctx_free(tls_ctx *ctx);

/* Parse "TLSv1.2 TLSv1.3" (any order, case-insensitive) into a bit set of
 * TLS_PROTO_* values. Returns VG_ERR on an unknown word or an empty set. */
#define TLS_PROTO_1_0 (1 << 0)
#define TLS_PROTO_1_1 (1 << 1)
#define TLS_PROTO_1_2 (1 << 2)
#define TLS_PROTO_1_3 (1 << 3)
int tls_parse_protocols(const char *s, int *out);

/* For tls_io.c: the SSL_CTX new sessions start from (borrowed, may change
 * on reload) and the tls-auth-clients mode they apply. */
struct ssl_ctx_st *tls_ctx_ssl(const tls_ctx *ctx, bool server);
int tls_ctx_auth_clients(const tls_ctx *ctx);

/* Session queries, valid on any stream (false / "" without TLS). */
bool tls_session_established(const stream *s);
/* Negotiated protocol ("TLSv1.3") or "" before the handshake. */
const char *tls_session_protocol(const stream *s);

#endif
