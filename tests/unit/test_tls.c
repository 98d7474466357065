/* test_tls.c -- TLS contexts and sessions under stream, over loopback.
 *
 * Owns: a private libuv loop per test and a directory of throwaway
 * certificates made by cluster-configs/gen-certs.sh, kept in the build
 * directory and reused. A client and a server
 * stream talk on 127.0.0.1; every callback is counted and the counts are
 * asserted, so a missing or doubled callback fails the test. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "stream.h"
#include "tls.h"
#include "vg_alloc.h"

static char certs[512];

/* Criterion runs each test in its own process and .init runs in each, but
 * making the certificates costs seconds: they are made once per build
 * directory (the working directory ctest gives us) into a temporary
 * directory that is renamed into place whole, so a half-made set is never
 * used and a concurrent run simply loses the rename. */
static void make_certs(void) {
    char root[512];
    snprintf(root, sizeof(root), "%s", __FILE__);
    char *cut = strstr(root, "/tests/unit/");
    cr_assert_not_null(cut, "test built from an unexpected path: %s", __FILE__);
    *cut = '\0';
    char cwd[400];
    cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
    snprintf(certs, sizeof(certs), "%s/tls-unit-certs", cwd);
    char probe[600];
    snprintf(probe, sizeof(probe), "%s/client.crt", certs);
    if (access(probe, R_OK) == 0) return;
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s/tls-unit-certs.XXXXXX", cwd);
    cr_assert_not_null(mkdtemp(tmp));
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "sh '%s/cluster-configs/gen-certs.sh' '%s' >/dev/null", root, tmp);
    cr_assert_eq(system(cmd), 0, "gen-certs.sh failed");
    if (rename(tmp, certs) != 0) { /* another test process won the race */
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    }
}

TestSuite(tls, .init = make_certs, .timeout = 60);

static char pathbuf[8][600];
static int pathidx;

static const char *cert(const char *name) {
    char *p = pathbuf[pathidx++ % 8];
    snprintf(p, 600, "%s/%s", certs, name);
    return p;
}

static tls_config base_config(void) {
    tls_config c;
    memset(&c, 0, sizeof(c));
    c.cert_file = cert("server.crt");
    c.key_file = cert("server.key");
    c.ca_cert_file = cert("ca.crt");
    c.session_caching = true;
    c.session_cache_size = 20480;
    c.session_cache_timeout = 300;
    c.client_cert_file = cert("client.crt"); /* used by outgoing links */
    c.client_key_file = cert("client.key");
    c.auth_clients = TLS_AUTH_YES;
    return c;
}

static tls_ctx *make_ctx(tls_config c) {
    tls_ctx *ctx = NULL;
    vg_error err = {{0}};
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_OK, "%s", err.msg);
    return ctx;
}

/* ------------------------------------------------------------ one exchange */

typedef struct side {
    stream *s;
    char *in; /* received bytes */
    size_t in_len;
    size_t in_cap;
    int reads;        /* read_cb calls with data */
    int ends;         /* read_cb calls with a negative code */
    int last_status;  /* that code */
    int writes_done;  /* write callbacks */
    int write_status; /* last write status */
    int closed;       /* close callbacks */
} side;

typedef struct world {
    uv_loop_t loop;
    stream_listener l;
    uv_timer_t guard;
    side srv, cli;
    int accepts;
    int connects;
    int connect_status;
    size_t expect; /* bytes the client must get back before it closes */
    char *payload; /* owned: what the client sends */
    size_t payload_len;
    bool echo_pause;            /* server stops reading while an echo write is pending */
    uint64_t cli_read_delay_ms; /* client starts reading this late (fills the socket) */
    uv_timer_t delay;
    bool timed_out;
} world;

static world *W;

static void on_guard(uv_timer_t *t) {
    (void)t;
    W->timed_out = true;
    uv_stop(&W->loop);
}

static void grow(side *d, size_t extra) {
    if (d->in_len + extra <= d->in_cap) return;
    d->in_cap = (d->in_len + extra) * 2;
    d->in = vg_realloc(d->in, d->in_cap);
}

static void on_alloc(stream *s, size_t suggested, uv_buf_t *out) {
    side *d = s->data;
    size_t want = suggested < 4096 ? 4096 : 7000; /* odd sizes split records */
    grow(d, want);
    *out = uv_buf_init(d->in + d->in_len, (unsigned)want);
}

static void on_closed(stream *s) {
    side *d = s->data;
    d->closed++;
    d->s = NULL;
    if (W->srv.s == NULL && W->cli.s == NULL) stream_listener_close(&W->l, NULL);
}

static void srv_write_done(stream *s, int status, void *arg);

/* Echo what arrived since the last echo: try_write first, queue the rest. */
static void srv_echo(side *d, size_t from) {
    size_t n = d->in_len - from;
    ssize_t w = stream_try_write(d->s, d->in + from, n);
    if (w == UV_EAGAIN) w = 0;
    cr_assert_geq(w, 0, "try_write: %s", uv_strerror((int)w));
    if ((size_t)w == n) return;
    size_t rest = n - (size_t)w;
    char *copy = vg_memdup(d->in + from + w, rest);
    cr_assert_eq(stream_write(d->s, copy, rest, srv_write_done, copy), 0);
    if (W->echo_pause) stream_read_stop(d->s);
}

static void srv_write_done(stream *s, int status, void *arg) {
    side *d = s->data;
    vg_free(arg);
    d->writes_done++;
    d->write_status = status;
    if (W->echo_pause && status == 0 && !s->closing) stream_read_start(s, on_alloc, s->read_cb);
}

static void srv_read(stream *s, ssize_t nread) {
    side *d = s->data;
    if (nread < 0) {
        d->ends++;
        d->last_status = (int)nread;
        stream_close(s, on_closed);
        return;
    }
    d->reads++;
    size_t from = d->in_len;
    d->in_len += (size_t)nread;
    srv_echo(d, from);
}

static void on_accept(stream_listener *l, stream *s) {
    (void)l;
    W->accepts++;
    W->srv.s = s;
    s->data = &W->srv;
    cr_assert(stream_is_tls(s));
    cr_assert_eq(stream_read_start(s, on_alloc, srv_read), 0);
}

static void cli_read(stream *s, ssize_t nread) {
    side *d = s->data;
    if (nread < 0) {
        d->ends++;
        d->last_status = (int)nread;
        stream_close(s, on_closed);
        return;
    }
    d->reads++;
    d->in_len += (size_t)nread;
    if (d->in_len >= W->expect) stream_close(s, on_closed);
}

static void cli_write_done(stream *s, int status, void *arg) {
    (void)arg;
    side *d = s->data;
    d->writes_done++;
    d->write_status = status;
}

static void cli_read_later(uv_timer_t *t) {
    uv_close((uv_handle_t *)t, NULL);
    if (W->cli.s) cr_assert_eq(stream_read_start(W->cli.s, on_alloc, cli_read), 0);
}

static void on_connect(stream *s, int status) {
    W->connects++;
    W->connect_status = status;
    if (status != 0) {
        stream_close(s, on_closed);
        return;
    }
    cr_assert(tls_session_established(s));
    cr_assert_str_eq(tls_session_protocol(s), "TLSv1.3");
    cr_assert_eq(stream_write(s, W->payload, W->payload_len, cli_write_done, NULL), 0);
    if (W->cli_read_delay_ms) {
        uv_timer_init(&W->loop, &W->delay);
        uv_timer_start(&W->delay, cli_read_later, W->cli_read_delay_ms, 0);
        return;
    }
    cr_assert_eq(stream_read_start(s, on_alloc, cli_read), 0);
}

static void world_start(world *w, tls_ctx *srv_ctx) {
    memset(w, 0, sizeof(*w));
    W = w;
    cr_assert_eq(uv_loop_init(&w->loop), 0);
    cr_assert_eq(stream_listen(&w->l, &w->loop, "127.0.0.1", 0, 16, srv_ctx, on_accept), 0);
    uv_timer_init(&w->loop, &w->guard);
    uv_timer_start(&w->guard, on_guard, 20000, 0);
    uv_unref((uv_handle_t *)&w->guard);
}

static void world_connect(world *w, tls_ctx *cli_ctx, const char *payload, size_t n) {
    w->payload = vg_memdup(payload, n);
    w->payload_len = n;
    w->expect = n;
    int err = 0;
    w->cli.s = stream_connect(&w->loop, "127.0.0.1", stream_listener_port(&w->l), cli_ctx,
                              "localhost", on_connect, &w->cli, &err);
    cr_assert_not_null(w->cli.s, "connect: %s", uv_strerror(err));
}

static void world_run(world *w) {
    uv_run(&w->loop, UV_RUN_DEFAULT);
    cr_assert_not(w->timed_out, "the exchange did not finish");
    uv_close((uv_handle_t *)&w->guard, NULL);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    cr_assert_eq(uv_loop_close(&w->loop), 0, "handles left open");
}

static void world_free(world *w) {
    vg_free(w->payload);
    vg_free(w->srv.in);
    vg_free(w->cli.in);
}

Test(tls, handshake_and_echo_counts_callbacks) {
    tls_ctx *ctx = make_ctx(base_config());
    world w;
    world_start(&w, ctx);
    world_connect(&w, ctx, "hello over tls", 14);
    world_run(&w);
    cr_assert_eq(w.accepts, 1);
    cr_assert_eq(w.connects, 1);
    cr_assert_eq(w.connect_status, 0);
    cr_assert_eq(w.cli.writes_done, 1);
    cr_assert_eq(w.cli.write_status, 0);
    cr_assert_eq(w.cli.in_len, 14);
    cr_assert_eq(memcmp(w.cli.in, "hello over tls", 14), 0);
    cr_assert_eq(w.srv.in_len, 14);
    cr_assert_eq(w.srv.ends, 1, "server sees the client leave");
    cr_assert_eq(w.srv.last_status, UV_EOF, "close_notify reads as EOF: %d", w.srv.last_status);
    cr_assert_eq(w.cli.ends, 0);
    cr_assert_eq(w.srv.closed, 1);
    cr_assert_eq(w.cli.closed, 1);
    world_free(&w);
    tls_ctx_free(ctx);
}

Test(tls, large_echo_with_backpressure_keeps_every_byte) {
    tls_ctx *ctx = make_ctx(base_config());
    size_t n = 8 * 1024 * 1024 + 123;
    char *data = vg_malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i * 2654435761u >> 13);
    world w;
    world_start(&w, ctx);
    w.echo_pause = true;
    w.cli_read_delay_ms = 300; /* the echo fills the socket: partial writes, held records */
    world_connect(&w, ctx, data, n);
    world_run(&w);
    cr_assert_eq(w.connects, 1);
    cr_assert_eq(w.cli.writes_done, 1);
    cr_assert_eq(w.srv.in_len, n);
    cr_assert_eq(w.cli.in_len, n);
    cr_assert_eq(memcmp(w.cli.in, data, n), 0, "echo differs");
    cr_assert_gt(w.cli.reads, 1);
    cr_assert_eq(w.srv.closed, 1);
    cr_assert_eq(w.cli.closed, 1);
    vg_free(data);
    world_free(&w);
    tls_ctx_free(ctx);
}

Test(tls, unknown_ca_fails_the_handshake_on_both_sides) {
    tls_ctx *srv = make_ctx(base_config());
    tls_config c = base_config();
    c.ca_cert_file = cert("other-ca.crt");
    tls_ctx *cli = make_ctx(c);
    world w;
    world_start(&w, srv);
    world_connect(&w, cli, "x", 1);
    world_run(&w);
    cr_assert_eq(w.connects, 1);
    cr_assert_eq(w.connect_status, UV_EPROTO);
    cr_assert_eq(w.accepts, 1);
    cr_assert_eq(w.srv.ends, 1);
    cr_assert_lt(w.srv.last_status, 0);
    cr_assert_eq(w.srv.reads, 0);
    cr_assert_eq(w.srv.closed, 1);
    cr_assert_eq(w.cli.closed, 1);
    world_free(&w);
    tls_ctx_free(srv);
    tls_ctx_free(cli);
}

Test(tls, expired_client_certificate_is_refused) {
    tls_ctx *srv = make_ctx(base_config());
    tls_config c = base_config();
    c.client_cert_file = cert("expired.crt");
    c.client_key_file = cert("expired.key");
    tls_ctx *cli = make_ctx(c);
    world w;
    world_start(&w, srv);
    world_connect(&w, cli, "x", 1);
    world_run(&w);
    /* TLS 1.3: the client finishes first, then reads the server's alert. */
    cr_assert_eq(w.accepts, 1);
    cr_assert_eq(w.srv.reads, 0);
    cr_assert_eq(w.srv.last_status, UV_EPROTO);
    cr_assert_eq(w.cli.in_len, 0);
    cr_assert_eq(w.connects, 1);
    cr_assert(w.connect_status != 0 || w.cli.ends == 1);
    cr_assert_eq(w.srv.closed, 1);
    cr_assert_eq(w.cli.closed, 1);
    world_free(&w);
    tls_ctx_free(srv);
    tls_ctx_free(cli);
}

/* A plaintext peer on the TLS port: the server side reports UV_EPROTO. */
static uv_tcp_t raw_tcp;
static uv_connect_t raw_req;
static uv_write_t raw_wreq;
static int raw_closed;

static void raw_close_cb(uv_handle_t *h) {
    (void)h;
    raw_closed++;
}

static void raw_alloc(uv_handle_t *h, size_t sz, uv_buf_t *out) {
    (void)h;
    static char b[4096];
    (void)sz;
    *out = uv_buf_init(b, sizeof(b));
}

static void raw_read(uv_stream_t *h, ssize_t n, const uv_buf_t *b) {
    (void)b;
    if (n < 0) uv_close((uv_handle_t *)h, raw_close_cb);
}

static void raw_connected(uv_connect_t *req, int status) {
    cr_assert_eq(status, 0);
    static char ping[] = "PING\r\n";
    uv_buf_t b = uv_buf_init(ping, 6);
    uv_write(&raw_wreq, req->handle, &b, 1, NULL);
    uv_read_start(req->handle, raw_alloc, raw_read);
}

static void raw_srv_closed(stream *s) {
    (void)s;
    W->srv.closed++;
    stream_listener_close(&W->l, NULL);
}

static void raw_srv_read(stream *s, ssize_t nread) {
    side *d = s->data;
    if (nread < 0) {
        d->ends++;
        d->last_status = (int)nread;
        stream_close(s, raw_srv_closed);
    } else {
        d->reads++;
    }
}

static void raw_accept(stream_listener *l, stream *s) {
    (void)l;
    W->accepts++;
    s->data = &W->srv;
    stream_read_start(s, on_alloc, raw_srv_read);
}

Test(tls, plaintext_on_a_tls_port_is_a_protocol_error) {
    tls_ctx *ctx = make_ctx(base_config());
    world w;
    memset(&w, 0, sizeof(w));
    W = &w;
    raw_closed = 0;
    cr_assert_eq(uv_loop_init(&w.loop), 0);
    cr_assert_eq(stream_listen(&w.l, &w.loop, "127.0.0.1", 0, 16, ctx, raw_accept), 0);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", stream_listener_port(&w.l), &a);
    uv_tcp_init(&w.loop, &raw_tcp);
    uv_tcp_connect(&raw_req, &raw_tcp, (struct sockaddr *)&a, raw_connected);
    uv_run(&w.loop, UV_RUN_DEFAULT);
    cr_assert_eq(w.accepts, 1);
    cr_assert_eq(w.srv.reads, 0, "no plaintext reaches the owner");
    cr_assert_eq(w.srv.ends, 1);
    cr_assert_eq(w.srv.last_status, UV_EPROTO);
    cr_assert_eq(w.srv.closed, 1);
    cr_assert_eq(raw_closed, 1);
    cr_assert_eq(uv_loop_close(&w.loop), 0);
    world_free(&w);
    tls_ctx_free(ctx);
}

Test(tls, reload_swaps_only_on_success) {
    tls_ctx *ctx = make_ctx(base_config());
    tls_config bad = base_config();
    bad.key_file = cert("client.key"); /* does not match server.crt */
    vg_error err = {{0}};
    cr_assert_eq(tls_ctx_reload(ctx, &bad, &err), VG_ERR);
    cr_assert(strstr(err.msg, "Failed to load private key") != NULL, "%s", err.msg);
    bad = base_config();
    bad.cert_file = cert("missing.crt");
    cr_assert_eq(tls_ctx_reload(ctx, &bad, &err), VG_ERR);
    cr_assert(strstr(err.msg, "Failed to load certificate") != NULL, "%s", err.msg);
    /* The context still serves handshakes after failed reloads. */
    world w;
    world_start(&w, ctx);
    world_connect(&w, ctx, "still works", 11);
    world_run(&w);
    cr_assert_eq(w.connect_status, 0);
    cr_assert_eq(w.cli.in_len, 11);
    world_free(&w);
    tls_config good = base_config();
    good.cert_file = cert("server2.crt");
    good.key_file = cert("server2.key");
    cr_assert_eq(tls_ctx_reload(ctx, &good, &err), VG_OK, "%s", err.msg);
    world_start(&w, ctx);
    world_connect(&w, ctx, "new cert", 8);
    world_run(&w);
    cr_assert_eq(w.connect_status, 0);
    cr_assert_eq(w.cli.in_len, 8);
    world_free(&w);
    tls_ctx_free(ctx);
}

Test(tls, encrypted_key_needs_its_passphrase) {
    tls_config c = base_config();
    c.key_file = cert("server-pass.key");
    tls_ctx *ctx = NULL;
    vg_error err = {{0}};
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_ERR);
    c.key_file_pass = "wrong";
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_ERR);
    c.key_file_pass = "vigil-pass";
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_OK, "%s", err.msg);
    tls_ctx_free(ctx);
}

Test(tls, config_errors_use_redis_words) {
    tls_ctx *ctx = NULL;
    vg_error err = {{0}};
    tls_config c = base_config();
    c.cert_file = "";
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_ERR);
    cr_assert_str_eq(err.msg, "No tls-cert-file configured!");
    c = base_config();
    c.ca_cert_file = NULL;
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_ERR);
    cr_assert_str_eq(err.msg, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified");
    c = base_config();
    c.ciphers = "BOGUS";
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_ERR);
    cr_assert_str_eq(err.msg, "Failed to configure ciphers: BOGUS");
    c = base_config();
    c.ciphersuites = "BOGUS";
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_ERR);
    cr_assert_str_eq(err.msg, "Failed to configure ciphersuites: BOGUS");
    c = base_config();
    c.protocols = "TLSv1.2 SSLv3";
    cr_assert_eq(tls_ctx_create(&ctx, &c, &err), VG_ERR);
    cr_assert(strncmp(err.msg, "Invalid tls-protocols specified.", 32) == 0, "%s", err.msg);
    cr_assert_null(ctx);
}

Test(tls, protocols_parse_as_a_set) {
    int set = 0;
    cr_assert_eq(tls_parse_protocols("", &set), VG_OK);
    cr_assert_eq(set, TLS_PROTO_1_2 | TLS_PROTO_1_3);
    cr_assert_eq(tls_parse_protocols("tlsv1.3", &set), VG_OK);
    cr_assert_eq(set, TLS_PROTO_1_3);
    cr_assert_eq(tls_parse_protocols("TLSv1 TLSv1.1  TLSv1.2", &set), VG_OK);
    cr_assert_eq(set, TLS_PROTO_1_0 | TLS_PROTO_1_1 | TLS_PROTO_1_2);
    cr_assert_eq(tls_parse_protocols("TLSv1.4", &set), VG_ERR);
    cr_assert_eq(tls_parse_protocols("   ", &set), VG_ERR);
}
