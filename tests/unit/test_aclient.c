/* test_aclient.c -- the async RESP client (proto/aclient.c) over loopback.
 *
 * Owns: a private libuv loop per test, the redis-server processes it starts
 * (Debian's /usr/bin/redis-server on a free 127.0.0.1 port, killed by pid
 * in .fini) and an in-process fake server that answers with canned bytes
 * for the fault paths: a peer that drops mid-reply, lies about a length,
 * never answers, sends garbage or a reply nobody asked for. Every callback
 * appends to one event log ("reply|", "E:reason|", ">push|", "ready|",
 * "down:reason|") and tests assert the whole log, so a missing, doubled or
 * reordered callback fails. Each test ends with uv_loop_close succeeding:
 * the client left no handle behind. */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "aclient.h"
#include "resp_info.h"
#include "stream.h"
#include "tls.h"
#include "unit_certs.h"
#include "unit_reply_dump.h"
#include "vg_alloc.h"

#define REDIS_BIN "/usr/bin/redis-server"

typedef struct world {
    uv_loop_t loop;
    uv_timer_t guard;
    buf log;             /* every callback, in order */
    aclient *c, *c2;     /* borrowed: the clients under test */
    pid_t redis[2];      /* redis-server processes to kill */
    int port;            /* the server's port */
    stream_listener l;   /* fake server */
    stream *srv;         /* fake server's accepted connection */
    const char *canned;  /* bytes the fake server answers with, at its first read */
    size_t canned_len;   /* their length */
    bool drop_after;     /* close right after answering */
    bool silent;         /* never answer */
    bool trickle;        /* answer one byte per write */
    size_t trickled;     /* bytes of canned written so far */
    int closes_after;    /* close the client after this many replies (0 = never) */
    int replies;         /* reply callbacks with a reply */
    tls_ctx *tls;        /* owned */
    const char *raw_src; /* trickle mode: the canned bytes */
    char raw[256];       /* bytes raw mode took */
    size_t raw_len;
} world;

static world W;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_append_vfmt(&W.log, fmt, ap);
    va_end(ap);
}

static const char *logged(void) {
    return W.log.data ? W.log.data : "";
}

static void on_guard(uv_timer_t *t) {
    (void)t;
    cr_assert(false, "the test hung: log so far %s", logged());
}

static void setup(void) {
    memset(&W, 0, sizeof(W));
    cr_assert_eq(uv_loop_init(&W.loop), 0);
    uv_timer_init(&W.loop, &W.guard);
    uv_timer_start(&W.guard, on_guard, 20000, 0);
    uv_unref((uv_handle_t *)&W.guard);
    signal(SIGPIPE, SIG_IGN);
}

static void teardown(void) {
    for (int i = 0; i < 2; i++)
        if (W.redis[i] > 0) {
            kill(W.redis[i], SIGKILL);
            waitpid(W.redis[i], NULL, 0);
        }
    buf_free(&W.log);
}

TestSuite(aclient, .init = setup, .fini = teardown, .timeout = 60);

/* Run the loop until nothing is left, then check no handle leaked. */
static void run_to_end(void) {
    uv_run(&W.loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&W.guard, NULL);
    uv_run(&W.loop, UV_RUN_DEFAULT);
    cr_assert_eq(uv_loop_close(&W.loop), 0, "a handle was left open");
    tls_ctx_free(W.tls);
}

/* ------------------------------------------------------------ redis-server */

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7F000001)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static bool port_open(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(0x7F000001)};
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* Start redis-server with extra arguments (NULL-terminated); returns its port. */
static int start_redis(int slot, const char *const *extra, bool tls) {
    cr_assert_eq(access(REDIS_BIN, X_OK), 0, "these tests need %s", REDIS_BIN);
    int port = free_port();
    char p[16];
    snprintf(p, sizeof(p), "%d", port);
    const char *argv[40] = {REDIS_BIN, "--bind",       "127.0.0.1", "--save",
                            "",        "--appendonly", "no",        "--daemonize",
                            "no",      "--logfile",    "/dev/null"};
    int n = 11;
    argv[n++] = tls ? "--tls-port" : "--port";
    argv[n++] = p;
    if (tls) {
        argv[n++] = "--port";
        argv[n++] = "0";
    }
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        execv(REDIS_BIN, (char *const *)argv);
        _exit(127);
    }
    W.redis[slot] = pid;
    for (int i = 0; i < 500 && !port_open(port); i++)
        usleep(10000);
    cr_assert(port_open(port), "redis-server did not start on %d", port);
    return port;
}

/* ------------------------------------------------------------ callbacks */

static void log_reply(aclient *c, const resp_reply *r, const char *err, void *arg) {
    (void)arg;
    if (r) {
        logf_("%s|", dump(r));
        W.replies++;
        if (W.closes_after && W.replies == W.closes_after) aclient_close(c);
    } else {
        logf_("E:%s|", err);
    }
}

static void close_after_reply(aclient *c, const resp_reply *r, const char *err, void *arg) {
    log_reply(c, r, err, arg);
    aclient_close(c);
}

static void on_ready(aclient *c) {
    (void)c;
    logf_("ready|");
}

static void on_down(aclient *c, const char *reason) {
    (void)c;
    logf_("down:%s|", reason);
}

static void on_push(aclient *c, const resp_reply *m) {
    (void)c;
    logf_(">%s|", dump(m));
}

static aclient_options opts(int port) {
    aclient_options o;
    memset(&o, 0, sizeof(o));
    o.host = "127.0.0.1";
    o.port = port;
    o.connect_timeout_ms = 10000;
    o.on_ready = on_ready;
    o.on_disconnect = on_down;
    o.on_push = on_push;
    return o;
}

static aclient *connect_ok(const aclient_options *o) {
    vg_error err = {{0}};
    uv_update_time(&W.loop); /* deadlines count from the loop's clock: certificates took time */
    aclient *c = aclient_connect(&W.loop, o, &err);
    cr_assert_not_null(c, "%s", err.msg);
    return c;
}

/* ------------------------------------------------------------ against redis-server */

Test(aclient, pipelined_commands_answer_in_order) {
    int port = start_redis(0, NULL, false);
    aclient_options o = opts(port);
    aclient *c = connect_ok(&o);
    cr_assert_not(aclient_is_ready(c));
    aclient_command(c, log_reply, NULL, "PING", NULL);
    aclient_command(c, log_reply, NULL, "SET", "k", "v", NULL);
    aclient_command(c, log_reply, NULL, "GET", "k", NULL);
    aclient_command(c, log_reply, NULL, "GET", "missing", NULL);
    aclient_command(c, log_reply, NULL, "LPUSH", "k", "x", NULL);
    const char *argv[] = {"SET", "bin", "a\0b"};
    size_t lens[] = {3, 3, 3};
    vg_error err;
    cr_assert_eq(aclient_command_argv(c, 3, argv, lens, 0, log_reply, NULL, &err), VG_OK);
    aclient_command(c, NULL, NULL, "STRLEN", "bin", NULL); /* reply dropped */
    aclient_command(c, close_after_reply, NULL, "STRLEN", "bin", NULL);
    cr_assert_eq(aclient_pending(c), 8);
    run_to_end();
    cr_assert_str_eq(logged(), "ready|+PONG|+OK|$1:v|nil|-WRONGTYPE Operation against a key "
                               "holding the wrong kind of value|+OK|:3|");
}

static void resp3_reply(aclient *c, const resp_reply *r, const char *err, void *arg) {
    cr_assert(aclient_is_resp3(c) && aclient_is_ready(c));
    log_reply(c, r, err, arg);
}

Test(aclient, auth_hello_setname_select_handshake) {
    const char *extra[] = {"--requirepass", "s3cret", NULL};
    int port = start_redis(0, extra, false);
    aclient_options o = opts(port);
    o.user = "default";
    o.pass = "s3cret";
    o.resp = 3;
    o.client_name = "vigil-test";
    o.db = 2;
    aclient *c = connect_ok(&o);
    aclient_command(c, log_reply, NULL, "HSET", "h", "f", "v", NULL);
    aclient_command(c, resp3_reply, NULL, "HGETALL", "h", NULL);
    aclient_command(c, log_reply, NULL, "CLIENT", "GETNAME", NULL);
    aclient_command(c, log_reply, NULL, "SELECT", "0", NULL);
    aclient_command(c, close_after_reply, NULL, "EXISTS", "h", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "ready|:1|%{$1:f:$1:v}|$10:vigil-test|+OK|:0|");
}

Test(aclient, noreply_commands_keep_replies_in_step) {
    int port = start_redis(0, NULL, false);
    aclient_options o = opts(port);
    o.resp = 3;
    aclient *c = connect_ok(&o);
    const char *set[] = {"SET", "a", "1"};
    const char *sub[] = {"CLIENT", "REPLY", "SKIP"};
    vg_error err;
    /* CLIENT REPLY SKIP: the server sends nothing for the next command. */
    cr_assert_eq(aclient_command_noreply(c, 3, sub, NULL, &err), VG_OK);
    cr_assert_eq(aclient_command_noreply(c, 3, set, NULL, &err), VG_OK);
    cr_assert_eq(aclient_pending(c), 1); /* HELLO only */
    aclient_command(c, close_after_reply, NULL, "GET", "a", NULL);
    cr_assert_eq(aclient_command_noreply(c, 0, set, NULL, &err), VG_ERR);
    run_to_end();
    cr_assert_str_eq(logged(), "ready|$1:1|");
}

Test(aclient, auth_without_user) {
    const char *extra[] = {"--requirepass", "pw", NULL};
    int port = start_redis(0, extra, false);
    aclient_options o = opts(port);
    o.pass = "pw";
    aclient *c = connect_ok(&o);
    aclient_command(c, close_after_reply, NULL, "PING", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "ready|+PONG|");
}

Test(aclient, wrong_password_fails_the_link) {
    const char *extra[] = {"--requirepass", "right", NULL};
    int port = start_redis(0, extra, false);
    aclient_options o = opts(port);
    o.pass = "wrong";
    o.client_name = "x";
    aclient *c = connect_ok(&o);
    aclient_command(c, log_reply, NULL, "PING", NULL);
    run_to_end();
    const char *why = "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.";
    char want[400];
    snprintf(want, sizeof(want), "E:%s|down:%s|", why, why);
    cr_assert_str_eq(logged(), want);
}

Test(aclient, hello_refused_fails_the_link) {
    const char *extra[] = {"--requirepass", "right", NULL};
    int port = start_redis(0, extra, false);
    aclient_options o = opts(port); /* no AUTH: HELLO is refused */
    o.resp = 3;
    connect_ok(&o);
    run_to_end();
    cr_assert(strncmp(logged(), "down:HELLO failed: NOAUTH", 25) == 0, "%s", logged());
}

static void info_reply(aclient *c, const resp_reply *r, const char *err, void *arg) {
    (void)arg;
    cr_assert_null(err);
    cr_assert(r->type == RESP_REPLY_STRING || r->type == RESP_REPLY_VERBATIM);
    resp_info info = {0};
    resp_info_parse(&info, r->str, r->len);
    vg_slice v;
    cr_assert(resp_info_get(&info, "role", &v));
    logf_("role=%.*s|", (int)v.len, v.ptr);
    cr_assert(resp_info_find(&info, "Replication", "master_replid"));
    resp_info_free(&info);
    aclient_close(c);
}

Test(aclient, info_reply_splits_into_fields) {
    int port = start_redis(0, NULL, false);
    aclient_options o = opts(port);
    aclient *c = connect_ok(&o);
    aclient_command(c, info_reply, NULL, "INFO", "replication", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "ready|role=master|");
}

/* Pub/sub: c subscribes; once both confirmations arrived, c2 publishes.
 * c2's reply and c's messages race, so c2 only counts into `published`. */
static long long published = -1;

static void publish_done(aclient *c, const resp_reply *r, const char *err, void *arg) {
    (void)arg;
    cr_assert_null(err);
    published = r->integer;
    aclient_close(c);
}

static int pushes;

static void on_push_publish(aclient *c, const resp_reply *m) {
    on_push(c, m);
    if (++pushes == 2) { /* both confirmations: publish */
        aclient_command(W.c2, publish_done, NULL, "PUBLISH", "news", "hi", NULL);
    } else if (pushes == 4) { /* message and pmessage arrived */
        aclient_command(c, log_reply, NULL, "PING", NULL);
        aclient_command(c, NULL, NULL, "UNSUBSCRIBE", "news", NULL);
        aclient_command(c, close_after_reply, NULL, "PING", NULL);
    }
}

static void pubsub_run(int resp) {
    int port = start_redis(0, NULL, false);
    aclient_options o = opts(port);
    o.resp = resp;
    o.on_push = on_push_publish;
    o.on_ready = NULL;
    W.c = connect_ok(&o);
    aclient_options o2 = opts(port);
    o2.on_ready = NULL;
    W.c2 = connect_ok(&o2);
    vg_error err;
    const char *argv[] = {"SUBSCRIBE", "news"};
    cr_assert_eq(aclient_command_argv(W.c, 2, argv, NULL, 0, log_reply, NULL, &err), VG_ERR);
    cr_assert_str_eq(err.msg,
                     "ERR subscribe confirmations arrive at on_push, not a reply callback");
    aclient_command(W.c, NULL, NULL, "SUBSCRIBE", "news", NULL);
    aclient_command(W.c, NULL, NULL, "PSUBSCRIBE", "n*", NULL);
    run_to_end();
    cr_assert_eq(published, 2);
}

Test(aclient, pubsub_resp2_messages_reach_on_push) {
    pubsub_run(2);
    cr_assert_str_eq(logged(), ">*[$9:subscribe,$4:news,:1]|>*[$10:psubscribe,$2:n*,:2]|"
                               ">*[$7:message,$4:news,$2:hi]|"
                               ">*[$8:pmessage,$2:n*,$4:news,$2:hi]|*[$4:pong,$0:]|"
                               ">*[$11:unsubscribe,$4:news,:1]|*[$4:pong,$0:]|");
}

Test(aclient, pubsub_resp3_pushes_reach_on_push) {
    pubsub_run(3);
    cr_assert_str_eq(logged(), ">>[$9:subscribe,$4:news,:1]|>>[$10:psubscribe,$2:n*,:2]|"
                               ">>[$7:message,$4:news,$2:hi]|"
                               ">>[$8:pmessage,$2:n*,$4:news,$2:hi]|+PONG|"
                               ">>[$11:unsubscribe,$4:news,:1]|+PONG|");
}

Test(aclient, close_inside_a_callback_fails_the_rest) {
    int port = start_redis(0, NULL, false);
    aclient_options o = opts(port);
    aclient *c = connect_ok(&o);
    W.closes_after = 1;
    for (int i = 0; i < 4; i++)
        aclient_command(c, log_reply, NULL, "PING", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "ready|+PONG|E:connection closed|E:connection closed|"
                               "E:connection closed|");
}

Test(aclient, commands_refused_once_closing) {
    int port = start_redis(0, NULL, false);
    aclient_options o = opts(port);
    o.on_ready = NULL;
    aclient *c = connect_ok(&o);
    vg_error err;
    cr_assert_eq(aclient_command_argv(c, 0, NULL, NULL, 0, NULL, NULL, &err), VG_ERR);
    cr_assert_str_eq(err.msg, "ERR a command needs at least its name");
    aclient_command(c, log_reply, NULL, "PING", NULL);
    aclient_close(c);
    aclient_close(c); /* twice: a no-op */
    const char *argv[] = {"PING"};
    cr_assert_eq(aclient_command_argv(c, 1, argv, NULL, 0, log_reply, NULL, &err), VG_ERR);
    cr_assert_str_eq(err.msg, "ERR the link is closing");
    cr_assert_null(aclient_stream(c));
    run_to_end();
    cr_assert_str_eq(logged(), "E:connection closed|");
}

Test(aclient, connection_refused) {
    aclient_options o = opts(free_port());
    aclient *c = connect_ok(&o);
    aclient_command(c, log_reply, NULL, "PING", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "E:connect: connection refused|down:connect: connection refused|");
}

Test(aclient, bad_address_refused_at_once) {
    aclient_options o = opts(6379);
    o.host = "not-an-ip";
    vg_error err = {{0}};
    cr_assert_null(aclient_connect(&W.loop, &o, &err));
    cr_assert(strstr(err.msg, "cannot connect to not-an-ip:6379"), "%s", err.msg);
    o.host = "127.0.0.1";
    o.port = 0;
    cr_assert_null(aclient_connect(&W.loop, &o, &err));
    run_to_end();
}

/* ------------------------------------------------------------ TLS */

Test(aclient, tls_with_auth_against_redis) {
    char certs[512];
    cr_assert(unit_certs(certs, sizeof(certs)), "gen-certs.sh failed");
    char crt[600], key[600], ca[600], ccrt[600], ckey[600];
    snprintf(crt, sizeof(crt), "%s/server.crt", certs);
    snprintf(key, sizeof(key), "%s/server.key", certs);
    snprintf(ca, sizeof(ca), "%s/ca.crt", certs);
    snprintf(ccrt, sizeof(ccrt), "%s/client.crt", certs);
    snprintf(ckey, sizeof(ckey), "%s/client.key", certs);
    const char *extra[] = {"--tls-cert-file",
                           crt,
                           "--tls-key-file",
                           key,
                           "--tls-ca-cert-file",
                           ca,
                           "--requirepass",
                           "pw",
                           NULL};
    int port = start_redis(0, extra, true);
    tls_config tc;
    memset(&tc, 0, sizeof(tc));
    tc.cert_file = ccrt;
    tc.key_file = ckey;
    tc.ca_cert_file = ca;
    vg_error err = {{0}};
    cr_assert_eq(tls_ctx_create(&W.tls, &tc, &err), VG_OK, "%s", err.msg);
    aclient_options o = opts(port);
    o.tls = W.tls;
    o.sni = "localhost";
    o.pass = "pw";
    aclient *c = connect_ok(&o);
    aclient_command(c, log_reply, NULL, "SET", "k", "over tls", NULL);
    aclient_command(c, close_after_reply, NULL, "GET", "k", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "ready|+OK|$8:over tls|");
}

/* ------------------------------------------------------------ fake server */

static void srv_closed(stream *s) {
    (void)s;
    W.srv = NULL;
}

static void srv_alloc(stream *s, size_t suggested, uv_buf_t *out) {
    (void)s;
    (void)suggested;
    static char in[4096];
    *out = uv_buf_init(in, sizeof(in));
}

static void srv_written(stream *s, int status, void *arg) {
    (void)arg;
    if (W.drop_after && status == 0) stream_close(s, srv_closed);
}

/* Trickle mode: the next byte leaves once the previous one was written. */
static void srv_trickle(stream *s, int status, void *arg) {
    (void)arg;
    if (status < 0 || s->closing || W.trickled >= W.canned_len) return;
    cr_assert_eq(stream_write(s, W.raw_src + W.trickled++, 1, srv_trickle, NULL), 0);
}

static void srv_read(stream *s, ssize_t nread) {
    if (nread < 0) {
        stream_close(s, srv_closed);
        return;
    }
    if (W.silent || W.canned == NULL) return;
    const char *p = W.canned;
    W.canned = NULL; /* answer once */
    if (W.trickle) {
        W.raw_src = p;
        stream_set_nodelay(s, true);
        srv_trickle(s, 0, NULL);
        return;
    }
    cr_assert_eq(stream_write(s, p, W.canned_len, srv_written, NULL), 0);
}

static void srv_accept(stream_listener *l, stream *s) {
    W.srv = s;
    stream_listener_close(l, NULL); /* one connection per test */
    stream_read_start(s, srv_alloc, srv_read);
}

/* Listen on a free port; answer the first bytes received with canned. */
static int fake_server(const char *canned, size_t n) {
    cr_assert_eq(stream_listen(&W.l, &W.loop, "127.0.0.1", 0, 16, NULL, srv_accept), 0);
    W.canned = canned;
    W.canned_len = n;
    return stream_listener_port(&W.l);
}

#define FAKE(lit) fake_server(lit, sizeof(lit) - 1)

static void fake_run(aclient_options *o, int commands) {
    o->on_ready = NULL;
    aclient *c = connect_ok(o);
    for (int i = 0; i < commands; i++)
        aclient_command(c, log_reply, NULL, "GET", "k", NULL);
    run_to_end();
}

Test(aclient, peer_drops_mid_reply) {
    W.drop_after = true;
    aclient_options o = opts(FAKE("$1\r\na\r\n$10\r\nabc"));
    fake_run(&o, 3);
    cr_assert_str_eq(logged(), "$1:a|E:connection closed by the peer|E:connection closed by the "
                               "peer|down:connection closed by the peer|");
}

Test(aclient, lying_length_refused) {
    aclient_options o = opts(FAKE("$99999999999\r\nabc"));
    o.limits = resp_reader_default_limits();
    o.limits.max_bulk = 1024;
    fake_run(&o, 1);
    const char *why = "Protocol error: bulk length 99999999999 above the limit of 1024";
    char want[300];
    snprintf(want, sizeof(want), "E:%s|down:%s|", why, why);
    cr_assert_str_eq(logged(), want);
}

Test(aclient, garbage_fails_the_link) {
    aclient_options o = opts(FAKE(":1\r\nHTTP/1.1 400 Bad Request\r\n"));
    fake_run(&o, 2);
    const char *why = "Protocol error: unexpected reply type byte 'H'";
    char want[300];
    snprintf(want, sizeof(want), ":1|E:%s|down:%s|", why, why);
    cr_assert_str_eq(logged(), want);
}

Test(aclient, unsolicited_reply_fails_the_link) {
    aclient_options o = opts(FAKE("+OK\r\n+EXTRA\r\n"));
    fake_run(&o, 1);
    cr_assert_str_eq(logged(), "+OK|down:Protocol error: a reply arrived with no command waiting "
                               "for it|");
}

Test(aclient, silent_peer_times_out) {
    W.silent = true;
    aclient_options o = opts(FAKE("+never\r\n"));
    o.command_timeout_ms = 50;
    fake_run(&o, 2);
    cr_assert_str_eq(logged(), "E:timeout: no reply within 50 ms|E:timeout: no reply within 50 "
                               "ms|down:timeout: no reply within 50 ms|");
}

Test(aclient, per_command_timeout) {
    W.silent = true;
    aclient_options o = opts(FAKE("+never\r\n"));
    o.on_ready = NULL;
    aclient *c = connect_ok(&o);
    aclient_command(c, log_reply, NULL, "GET", "a", NULL); /* no timeout of its own */
    const char *argv[] = {"GET", "b"};
    vg_error err;
    cr_assert_eq(aclient_command_argv(c, 2, argv, NULL, 30, log_reply, NULL, &err), VG_OK);
    run_to_end();
    cr_assert_str_eq(logged(), "E:timeout: no reply within 30 ms|E:timeout: no reply within 30 "
                               "ms|down:timeout: no reply within 30 ms|");
}

Test(aclient, handshake_never_answered_hits_connect_timeout) {
    W.silent = true;
    aclient_options o = opts(FAKE("+never\r\n"));
    o.pass = "pw";
    o.connect_timeout_ms = 50;
    connect_ok(&o);
    run_to_end();
    cr_assert_str_eq(logged(), "down:connect timeout: not ready within the time allowed|");
}

/* Raw mode: after +FULLRESYNC, read the payload header and its bytes, then
 * hand the rest back to the parser. W.raw keeps what raw mode took. */
static resp_payload_header hdr;
static size_t body_left = (size_t)-1; /* unknown until the header is read */

static size_t take_rdb(aclient *c, const char *p, size_t n, void *arg) {
    (void)arg;
    size_t used = 0;
    if (body_left == (size_t)-1) {
        vg_error err;
        int rc = resp_payload_header_parse(p, n, 1024, &hdr, &used, &err);
        cr_assert_neq(rc, RESP_REPLY_FAIL, "%s", err.msg);
        if (rc == RESP_REPLY_AGAIN) return used;
        cr_assert_not(hdr.eof_mark);
        body_left = (size_t)hdr.len;
    }
    size_t k = n - used < body_left ? n - used : body_left;
    cr_assert_lt(W.raw_len + k, sizeof(W.raw));
    memcpy(W.raw + W.raw_len, p + used, k);
    W.raw_len += k;
    body_left -= k;
    if (body_left == 0) {
        logf_("raw:%lld:%.*s|", hdr.len, (int)W.raw_len, W.raw);
        aclient_raw_stop(c);
    }
    return used + k;
}

static void psync_reply(aclient *c, const resp_reply *r, const char *err, void *arg) {
    log_reply(c, r, err, arg);
    if (r && resp_reply_str_is(r, "FULLRESYNC 8de1 0")) aclient_raw_start(c, take_rdb, NULL);
}

Test(aclient, raw_mode_takes_the_payload_then_parses_again) {
    aclient_options o = opts(FAKE("\n\n+FULLRESYNC 8de1 0\r\n$10\r\nREDIS0010x+PONG\r\n"));
    o.limits = resp_reader_default_limits();
    o.limits.skip_newlines = true;
    o.on_ready = NULL;
    aclient *c = connect_ok(&o);
    aclient_command(c, psync_reply, NULL, "PSYNC", "?", "-1", NULL);
    aclient_command(c, close_after_reply, NULL, "PING", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "+FULLRESYNC 8de1 0|raw:10:REDIS0010x|+PONG|");
}

Test(aclient, raw_mode_with_bytes_arriving_one_by_one) {
    W.trickle = true;
    aclient_options o = opts(FAKE("\n+FULLRESYNC 8de1 0\r\n\n$10\r\nREDIS0010x*1\r\n+PONG\r\n"));
    o.limits = resp_reader_default_limits();
    o.limits.skip_newlines = true;
    o.on_ready = NULL;
    aclient *c = connect_ok(&o);
    aclient_command(c, psync_reply, NULL, "PSYNC", "?", "-1", NULL);
    aclient_command(c, close_after_reply, NULL, "PING", NULL);
    run_to_end();
    /* The "\n" after +FULLRESYNC is raw mode's: the primary's keepalive. */
    cr_assert_str_eq(logged(), "+FULLRESYNC 8de1 0|raw:10:REDIS0010x|*[+PONG]|");
}

static void close_on_ready(aclient *c) {
    on_ready(c);
    aclient_close(c);
}

Test(aclient, close_inside_on_ready) {
    aclient_options o = opts(FAKE("+OK\r\n"));
    o.client_name = "n";
    o.on_ready = close_on_ready;
    aclient *c = connect_ok(&o);
    aclient_command(c, log_reply, NULL, "GET", "k", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "ready|E:connection closed|");
}

Test(aclient, tls_handshake_with_a_plaintext_peer_fails) {
    char certs[512];
    cr_assert(unit_certs(certs, sizeof(certs)), "gen-certs.sh failed");
    char ca[600];
    snprintf(ca, sizeof(ca), "%s/ca.crt", certs);
    char crt[600], key[600];
    snprintf(crt, sizeof(crt), "%s/client.crt", certs);
    snprintf(key, sizeof(key), "%s/client.key", certs);
    tls_config tc;
    memset(&tc, 0, sizeof(tc));
    tc.cert_file = crt;
    tc.key_file = key;
    tc.ca_cert_file = ca;
    vg_error err = {{0}};
    cr_assert_eq(tls_ctx_create(&W.tls, &tc, &err), VG_OK, "%s", err.msg);
    aclient_options o = opts(FAKE("-ERR not TLS\r\n"));
    o.tls = W.tls;
    W.drop_after = true;
    aclient *c = connect_ok(&o);
    aclient_command(c, log_reply, NULL, "PING", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "E:connect: protocol error|down:connect: protocol error|");
}

static size_t close_in_raw(aclient *c, const char *p, size_t n, void *arg) {
    (void)p;
    (void)arg;
    logf_("raw %s|", n > 0 ? "bytes" : "none");
    aclient_close(c);
    return 0;
}

static void psync_then_close(aclient *c, const resp_reply *r, const char *err, void *arg) {
    log_reply(c, r, err, arg);
    cr_assert(!aclient_is_resp3(c));
    if (r) aclient_raw_start(c, close_in_raw, NULL);
}

static void close_in_down(aclient *c, const char *reason) {
    on_down(c, reason);
    aclient_close(c); /* already ending: a no-op */
}

Test(aclient, close_inside_raw_cb_and_on_disconnect) {
    aclient_options o = opts(FAKE("+FULLRESYNC x 0\r\n$3\r\nabc"));
    o.on_ready = NULL;
    aclient *c = connect_ok(&o);
    aclient_command(c, psync_then_close, NULL, "PSYNC", "?", "-1", NULL);
    aclient_command(c, log_reply, NULL, "PING", NULL);
    run_to_end();
    cr_assert_str_eq(logged(), "+FULLRESYNC x 0|raw bytes|E:connection closed|");
}

Test(aclient, close_inside_on_disconnect) {
    aclient_options o = opts(free_port());
    o.on_disconnect = close_in_down;
    connect_ok(&o);
    run_to_end();
    cr_assert_str_eq(logged(), "down:connect: connection refused|");
}
