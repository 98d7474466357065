/* tls.c -- TLS contexts built from configuration.
 *
 * Owns: tls_ctx and the two SSL_CTXs inside it (one for accepted
 * connections, one for outgoing links). Building never touches a live
 * context: reload builds both halves aside and swaps them in only when both
 * succeeded. Sessions hold their own reference to the SSL_CTX they were made
 * from, so dropping ours on reload is safe while they are still open.
 * Error texts follow Redis' log lines so operators' greps carry over. */
#include "tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vg_alloc.h"

struct tls_ctx {
    SSL_CTX *server;  /* owned: accepted connections */
    SSL_CTX *client;  /* owned: outgoing connections */
    int auth_clients; /* enum tls_auth: applied per accepted session */
};

static bool is_set(const char *s) {
    return s != NULL && s[0] != '\0';
}

/* The first queued OpenSSL reason as text, and an empty queue afterwards. */
static void ssl_reason(char *out, size_t cap) {
    unsigned long e = ERR_get_error();
    if (e == 0)
        snprintf(out, cap, "unknown error");
    else
        ERR_error_string_n(e, out, cap);
    ERR_clear_error();
}

static void fail(vg_error *err, const char *what, const char *subject) {
    char why[160];
    ssl_reason(why, sizeof(why));
    if (subject)
        vg_error_set(err, "%s: %s: %s", what, subject, why);
    else
        vg_error_set(err, "%s: %s", what, why);
}

int tls_parse_protocols(const char *s, int *out) {
    static const struct {
        const char *name;
        int bit;
    } names[] = {{"TLSv1", TLS_PROTO_1_0},
                 {"TLSv1.1", TLS_PROTO_1_1},
                 {"TLSv1.2", TLS_PROTO_1_2},
                 {"TLSv1.3", TLS_PROTO_1_3}};
    if (!is_set(s)) {
        *out = TLS_PROTO_1_2 | TLS_PROTO_1_3;
        return VG_OK;
    }
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", s);
    int set = 0;
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w;
         w = strtok_r(NULL, " \t", &save)) {
        int bit = 0;
        for (size_t i = 0; i < VG_ARRAY_LEN(names); i++)
            if (strcasecmp(w, names[i].name) == 0) bit = names[i].bit;
        if (bit == 0) return VG_ERR;
        set |= bit;
    }
    if (set == 0) return VG_ERR;
    *out = set;
    return VG_OK;
}

static int pass_cb(char *buf, int size, int rwflag, void *u) {
    (void)rwflag;
    const char *pass = u;
    if (pass == NULL || size <= 0) return 0; /* never prompt on a terminal */
    size_t n = strlen(pass);
    if (n > (size_t)size) n = (size_t)size;
    memcpy(buf, pass, n);
    return (int)n;
}

static int load_keypair(SSL_CTX *c, const char *cert, const char *key, const char *pass,
                        vg_error *err) {
    SSL_CTX_set_default_passwd_cb(c, pass_cb);
    SSL_CTX_set_default_passwd_cb_userdata(c, is_set(pass) ? (void *)pass : NULL);
    int ok = 0;
    if (SSL_CTX_use_certificate_chain_file(c, cert) <= 0)
        fail(err, "Failed to load certificate", cert);
    else if (SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) <= 0)
        fail(err, "Failed to load private key", key);
    else if (SSL_CTX_check_private_key(c) <= 0)
        fail(err, "Failed to load private key", key);
    else
        ok = 1;
    SSL_CTX_set_default_passwd_cb_userdata(c, NULL); /* pass is only borrowed */
    return ok ? VG_OK : VG_ERR;
}

static int load_dh(SSL_CTX *c, const char *path, vg_error *err) {
    if (!is_set(path)) return SSL_CTX_set_dh_auto(c, 1) == 1 ? VG_OK : VG_ERR;
    BIO *bio = BIO_new_file(path, "r");
    EVP_PKEY *dh = bio ? PEM_read_bio_Parameters(bio, NULL) : NULL;
    BIO_free(bio);
    if (dh == NULL) {
        fail(err, "Failed to load", path);
        return VG_ERR;
    }
    if (SSL_CTX_set0_tmp_dh_pkey(c, dh) != 1) {
        EVP_PKEY_free(dh);
        fail(err, "Failed to load DH params file", path);
        return VG_ERR;
    }
    return VG_OK;
}

static void set_protocols(SSL_CTX *c, int protos) {
    long opts = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
    if (!(protos & TLS_PROTO_1_0)) opts |= SSL_OP_NO_TLSv1;
    if (!(protos & TLS_PROTO_1_1)) opts |= SSL_OP_NO_TLSv1_1;
    if (!(protos & TLS_PROTO_1_2)) opts |= SSL_OP_NO_TLSv1_2;
    if (!(protos & TLS_PROTO_1_3)) opts |= SSL_OP_NO_TLSv1_3;
    SSL_CTX_set_options(c, opts);
}

static void set_session_cache(SSL_CTX *c, const tls_config *cfg) {
    if (cfg->session_caching) {
        SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
        SSL_CTX_sess_set_cache_size(c, cfg->session_cache_size);
        SSL_CTX_set_timeout(c, cfg->session_cache_timeout);
        SSL_CTX_set_session_id_context(c, (const unsigned char *)"vigil", 5);
    } else {
        SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(c, 0);
    }
}

/* Everything both halves share: protocols, ciphers, trust anchors. */
static int setup_common(SSL_CTX *c, const tls_config *cfg, int protos, vg_error *err) {
    set_protocols(c, protos);
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    if (is_set(cfg->ciphers) && !SSL_CTX_set_cipher_list(c, cfg->ciphers)) {
        ERR_clear_error();
        vg_error_set(err, "Failed to configure ciphers: %s", cfg->ciphers);
        return VG_ERR;
    }
    if (is_set(cfg->ciphersuites) && !SSL_CTX_set_ciphersuites(c, cfg->ciphersuites)) {
        ERR_clear_error();
        vg_error_set(err, "Failed to configure ciphersuites: %s", cfg->ciphersuites);
        return VG_ERR;
    }
    const char *file = is_set(cfg->ca_cert_file) ? cfg->ca_cert_file : NULL;
    const char *dir = is_set(cfg->ca_cert_dir) ? cfg->ca_cert_dir : NULL;
    if (SSL_CTX_load_verify_locations(c, file, dir) <= 0) {
        fail(err, "Failed to configure CA certificate(s) file/directory", NULL);
        return VG_ERR;
    }
    return VG_OK;
}

static SSL_CTX *build_server(const tls_config *cfg, int protos, vg_error *err) {
    SSL_CTX *c = SSL_CTX_new(TLS_server_method());
    if (c == NULL) {
        fail(err, "Failed to create TLS context", NULL);
        return NULL;
    }
    if (cfg->prefer_server_ciphers) SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE);
    set_session_cache(c, cfg);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    if (setup_common(c, cfg, protos, err) != VG_OK ||
        load_keypair(c, cfg->cert_file, cfg->key_file, cfg->key_file_pass, err) != VG_OK ||
        load_dh(c, cfg->dh_params_file, err) != VG_OK) {
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

static SSL_CTX *build_client(const tls_config *cfg, int protos, vg_error *err) {
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (c == NULL) {
        fail(err, "Failed to create TLS context", NULL);
        return NULL;
    }
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    bool own = is_set(cfg->client_cert_file);
    const char *cert = own ? cfg->client_cert_file : cfg->cert_file;
    const char *key = own ? cfg->client_key_file : cfg->key_file;
    const char *pass = own ? cfg->client_key_file_pass : cfg->key_file_pass;
    if (setup_common(c, cfg, protos, err) != VG_OK ||
        load_keypair(c, cert, key, pass, err) != VG_OK) {
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

/* Validate cfg and build both halves; VG_OK only if both were built. */
static int build_pair(const tls_config *cfg, SSL_CTX **server, SSL_CTX **client, vg_error *err) {
    int protos;
    if (!is_set(cfg->cert_file)) {
        vg_error_set(err, "No tls-cert-file configured!");
        return VG_ERR;
    }
    if (!is_set(cfg->key_file)) {
        vg_error_set(err, "No tls-key-file configured!");
        return VG_ERR;
    }
    if (is_set(cfg->client_cert_file) && !is_set(cfg->client_key_file)) {
        vg_error_set(err, "No tls-client-key-file configured!");
        return VG_ERR;
    }
    if (!is_set(cfg->ca_cert_file) && !is_set(cfg->ca_cert_dir)) {
        vg_error_set(err, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified");
        return VG_ERR;
    }
    if (tls_parse_protocols(cfg->protocols, &protos) != VG_OK) {
        vg_error_set(err, "Invalid tls-protocols specified. Use a combination of 'TLSv1', "
                          "'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
        return VG_ERR;
    }
    ERR_clear_error();
    *server = build_server(cfg, protos, err);
    if (*server == NULL) return VG_ERR;
    *client = build_client(cfg, protos, err);
    if (*client == NULL) {
        SSL_CTX_free(*server);
        *server = NULL;
        return VG_ERR;
    }
    return VG_OK;
}

int tls_ctx_create(tls_ctx **out, const tls_config *cfg, vg_error *err) {
    SSL_CTX *server, *client;
    if (build_pair(cfg, &server, &client, err) != VG_OK) return VG_ERR;
    tls_ctx *ctx = vg_calloc(sizeof(*ctx));
    ctx->server = server;
    ctx->client = client;
    ctx->auth_clients = cfg->auth_clients;
    *out = ctx;
    return VG_OK;
}

int tls_ctx_reload(tls_ctx *ctx, const tls_config *cfg, vg_error *err) {
    SSL_CTX *server, *client;
    if (build_pair(cfg, &server, &client, err) != VG_OK) return VG_ERR;
    SSL_CTX_free(ctx->server);
    SSL_CTX_free(ctx->client);
    ctx->server = server;
    ctx->client = client;
    ctx->auth_clients = cfg->auth_clients;
    return VG_OK;
}

void tls_ctx_set_auth_clients(tls_ctx *ctx, int auth) {
    ctx->auth_clients = auth;
}

void tls_ctx_free(tls_ctx *ctx) {
    if (ctx == NULL) return;
    SSL_CTX_free(ctx->server);
    SSL_CTX_free(ctx->client);
    vg_free(ctx);
}

SSL_CTX *tls_ctx_ssl(const tls_ctx *ctx, bool server) {
    return server ? ctx->server : ctx->client;
}

int tls_ctx_auth_clients(const tls_ctx *ctx) {
    return ctx->auth_clients;
}
