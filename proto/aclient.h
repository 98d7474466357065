/* aclient.h -- asynchronous RESP client over stream (replica and sentinel links).
 *
 * Owns: one outgoing link: its stream, its reply reader, the queue of
 * commands waiting for replies and one timer. No global state: a process
 * may hold any number of clients on any loops.
 *
 * Life cycle, numbered as callers see it:
 *   1. aclient_connect starts TCP (and TLS) and queues the handshake the
 *      options ask for: AUTH [user] pass, HELLO 3, CLIENT SETNAME, SELECT,
 *      in that order, ahead of anything the caller sends.
 *   2. Commands sent before the link is ready wait behind the handshake.
 *   3. on_ready fires once every handshake reply was positive.
 *   4. Replies reach each command's callback in order (pipelining is free).
 *      Pub/sub messages and RESP3 pushes reach on_push instead.
 *   5. The link ends in exactly one of two ways:
 *      - it fails (refused, TLS, handshake error reply, protocol error, a
 *        timeout, the peer closing): every pending callback fires with an
 *        error, then on_disconnect with the reason;
 *      - the owner calls aclient_close: every pending callback fires with an
 *        error ("connection closed"), and on_disconnect does not.
 *      Either way the client must not be used afterwards; its memory goes
 *      once libuv has closed the handles. Both are safe from any callback.
 *
 * Subscribe-family commands (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their
 * UN-) take no reply callback: Redis answers them with one confirmation
 * per channel, which arrives at on_push like the messages.
 *
 * Raw mode (replication): from inside a reply callback, aclient_raw_start
 * makes every byte after that reply go to raw_cb instead of the parser.
 * raw_cb returns how many bytes it used; unused bytes are offered again,
 * with more, on the next read. aclient_raw_stop (from raw_cb) hands the
 * bytes it did not use back to the parser.
 *
 * Deadlines (connect, per command) count from the loop's cached clock,
 * uv_now, as libuv timers do: a caller that blocked the loop for a while
 * calls uv_update_time first. */
#ifndef VIGIL_PROTO_ACLIENT_H
#define VIGIL_PROTO_ACLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "resp_reply.h"
#include "stream_types.h"
#include "vg_common.h"

typedef struct aclient aclient;

/* Exactly one of reply (borrowed until the callback returns; an error reply
 * is a reply) and err (why the link dropped before the reply) is set. */
typedef void (*aclient_reply_cb)(aclient *c, const resp_reply *reply, const char *err, void *arg);
/* A pub/sub message, subscribe confirmation or RESP3 push (borrowed). */
typedef void (*aclient_push_cb)(aclient *c, const resp_reply *msg);
typedef void (*aclient_ready_cb)(aclient *c);
typedef void (*aclient_disconnect_cb)(aclient *c, const char *reason);
/* Raw bytes (borrowed for the call). Returns how many it used (<= n). */
typedef size_t (*aclient_raw_cb)(aclient *c, const char *p, size_t n, void *arg);

typedef struct aclient_options {
    const char *host;                    /* borrowed for the call: IPv4/IPv6 literal or localhost */
    int port;                            /* TCP port */
    tls_ctx *tls;                        /* borrowed: must outlive the client; NULL = plaintext */
    const char *sni;                     /* TLS server name (not sent for IP literals) */
    uint64_t connect_timeout_ms;         /* until ready (TCP, TLS, handshake); 0 = none */
    uint64_t command_timeout_ms;         /* default per command; 0 = none */
    const char *user;                    /* AUTH user (needs pass); NULL = default user */
    const char *pass;                    /* AUTH password; NULL = no AUTH */
    int resp;                            /* 3: send HELLO 3; else stay on RESP2 */
    const char *client_name;             /* CLIENT SETNAME; NULL = none */
    int db;                              /* SELECT db when > 0 */
    resp_reader_limits limits;           /* reply limits; zeroed = resp_reader_default_limits */
    aclient_ready_cb on_ready;           /* handshake done */
    aclient_disconnect_cb on_disconnect; /* the link failed (not after aclient_close) */
    aclient_push_cb on_push;             /* messages; NULL = dropped */
    void *data;                          /* borrowed: the owner's context */
} aclient_options;

/* Start a link. Returns new (freed through close or failure), or NULL when
 * the address cannot be used at all (err->msg says why). Callbacks never
 * fire from inside this call. */
aclient *aclient_connect(uv_loop_t *loop, const aclient_options *opt, vg_error *err);

/* Queue argv[0..argc) (borrowed for the call) as a multibulk command; lens
 * NULL means strlen of each. timeout_ms 0 takes the link's default. cb NULL
 * drops the reply. VG_ERR (err->msg set, cb never called) when the link is
 * ending, argc < 1, or cb is given for a subscribe-family command. A write
 * that fails at once ends the link from inside this call (5. above). */
int aclient_command_argv(aclient *c, int argc, const char **argv, const size_t *lens,
                         uint64_t timeout_ms, aclient_reply_cb cb, void *arg, vg_error *err);
/* The same with NULL-terminated C strings: aclient_command(c, cb, arg, "PING", NULL).
 * At most 64 arguments (VG_ERR beyond); the argv form takes any number. */
int aclient_command(aclient *c, aclient_reply_cb cb, void *arg, ...) __attribute__((sentinel));

/* Send a command no reply comes back for (REPLCONF ACK on a replica link):
 * nothing waits for it. VG_ERR as for aclient_command_argv. */
int aclient_command_noreply(aclient *c, int argc, const char **argv, const size_t *lens,
                            vg_error *err);

/* End the link now (see 5. above). A no-op on a client already ending. */
void aclient_close(aclient *c);

/* Raw mode (see the header comment). raw_start only from a reply callback
 * or raw_cb; raw_stop only from raw_cb. */
void aclient_raw_start(aclient *c, aclient_raw_cb cb, void *arg);
void aclient_raw_stop(aclient *c);

void *aclient_data(const aclient *c);
bool aclient_is_ready(const aclient *c);
/* HELLO 3 succeeded: replies use RESP3 types. */
bool aclient_is_resp3(const aclient *c);
/* Commands sent and not answered yet (handshake included). */
size_t aclient_pending(const aclient *c);
/* The stream underneath (NULL once closing): peer names, TLS queries. */
stream *aclient_stream(const aclient *c);

#endif
