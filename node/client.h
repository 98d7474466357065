/* client.h -- one connected client: buffers, parsing, dispatch, replies.
 *
 * Owns: the client's stream, query buffer, parser, argv array and output
 * buffers. argv entries point into the query buffer and are valid only
 * while the current command runs; anything that keeps arguments beyond
 * that (MULTI queue, blocking) copies them. */
#ifndef VIGIL_NODE_CLIENT_H
#define VIGIL_NODE_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"
#include "obuf_limit.h"
#include "resp_parse.h"
#include "stream.h"
#include "vg_common.h"

struct command;

/* Client flags. */
#define CLIENT_CLOSE_AFTER_REPLY (1 << 0) /* reply, then close */
#define CLIENT_CLOSE_ASAP (1 << 1)        /* close at the next safe point; replies dropped */
#define CLIENT_MULTI (1 << 2)             /* in MULTI */
#define CLIENT_DIRTY_EXEC (1 << 3)        /* EXEC will abort (queuing error) */
#define CLIENT_DIRTY_CAS (1 << 4)         /* a WATCHed key changed */
#define CLIENT_BLOCKED (1 << 5)           /* waiting in a blocking command */
#define CLIENT_PUBSUB (1 << 6)            /* has subscriptions */
#define CLIENT_MONITOR (1 << 7)           /* MONITOR */
#define CLIENT_REPLICA (1 << 8)           /* a replica's link */
#define CLIENT_PRIMARY (1 << 9)           /* our link to the primary */
#define CLIENT_NO_EVICT (1 << 10)         /* CLIENT NO-EVICT on */
#define CLIENT_CLOSING (1 << 11)          /* stream_close called */
#define CLIENT_PROTECTED (1 << 12)        /* must not be freed now (executing) */
#define CLIENT_REPLY_OFF (1 << 13)        /* CLIENT REPLY OFF */
#define CLIENT_REPLY_SKIP (1 << 14)       /* CLIENT REPLY SKIP: next command */
#define CLIENT_PENDING_WRITE (1 << 15)    /* on server.pending_write */
#define CLIENT_FAKE (1 << 16)             /* no socket (AOF load, scripts) */
/* Internal client whose replies nobody reads (AOF loader, primary link):
 * reply.c drops them without buffering, so they cannot pile up. */
#define CLIENT_DISCARD_REPLY (1 << 17)
#define CLIENT_AOF_HELD (1 << 18) /* replies wait for an AOF fsync (held list) */

typedef struct client {
    uint64_t id;                 /* CLIENT ID: never reused */
    stream *conn;                /* owned: NULL for fake clients */
    struct client *prev, *next;  /* server.clients list */
    struct client *pending_next; /* server.pending_write list */
    struct client *held_next;    /* list of clients whose replies wait for the AOF */
    uint64_t aof_wait_seq;       /* appendfsync always: the batch its writes are in */
    uint32_t flags;              /* CLIENT_* */
    /* input */
    buf query;              /* owned: bytes read, not yet consumed */
    size_t qpos;            /* start of the unparsed part of query */
    resp_req_parser parser; /* owned */
    int argc;               /* arguments of the command running */
    vg_slice *argv;         /* owned array; entries borrowed from query */
    int argv_cap;
    const struct command *cmd; /* borrowed: command running */
    uint8_t *redacted;         /* owned by command.c: argv marks (command_redact_arg), or NULL */
    const struct command *lastcmd;
    /* output: pending bytes are reply.len + inflight.len - inflight_pos,
     * known in O(1) after every append (client_output_bytes) */
    buf reply;                  /* owned: replies not handed to the socket */
    buf inflight;               /* owned: bytes libuv is writing */
    size_t inflight_pos;        /* bytes of inflight already taken by try_write */
    bool writing;               /* a stream_write on inflight is pending */
    int64_t obuf_soft_since_ms; /* when the soft limit was first exceeded, or 0 */
    /* state */
    int resp; /* protocol: 2 or 3 */
    db *db;   /* borrowed: selected database */
    bool authenticated;
    char *user;                      /* owned: authenticated user name */
    struct acl_user *acl;            /* borrowed: the user (acl.c closes us before freeing it) */
    char *name;                      /* owned: CLIENT SETNAME, or NULL */
    char *lib_name;                  /* owned: CLIENT SETINFO lib-name */
    char *lib_ver;                   /* owned */
    int64_t ctime_ms;                /* connection time */
    int64_t last_interaction_ms;     /* for `timeout` and CLIENT LIST idle */
    char addr[64];                   /* peer ip:port */
    char laddr[64];                  /* local ip:port */
    struct multi_state *multi;       /* owned by multi.c: queued commands, watched keys */
    struct pubsub_state *pubsub;     /* owned by pubsub.c: subscriptions */
    struct blocking_state *blocking; /* owned by blocking.c: blocked command, waiters */
} client;

/* Accept a new connection (owned from now on). */
void client_accept(stream *s, bool tls);
/* A client without a socket (used to replay commands). */
client *client_new_fake(void);
/* Close now (or as soon as safe, if the client is executing). */
void client_close(client *c);
void client_close_async(client *c);
/* Free a fake client. */
void client_free_fake(client *c);

/* Queue the client for a write before the loop sleeps. */
void client_want_write(client *c);
/* Flush every client with pending output (before sleep). */
void clients_flush_pending(void);
/* appendfsync always: replies of a client wait until the AOF batch holding
 * its writes is durable (aof_state_reply_ready); flushing such a client
 * parks it on the held list instead. Requeue for writing every held client
 * whose batch is now durable (the AOF calls this when an fsync ends). */
void clients_release_held(void);
/* Whether any client is held. */
bool clients_held_any(void);
/* Close clients idle beyond `timeout` and over their output limits. */
void clients_cron(void);
/* Run one parsed command held in c->argc/argv. */
void client_execute(client *c);
/* Parse and execute everything complete in the query buffer. */
void client_process_input(client *c);
/* Reply bytes not yet handed to the kernel. O(1). */
static inline size_t client_output_bytes(const client *c) {
    return c->reply.len + (c->inflight.len - c->inflight_pos);
}
/* Class for client-output-buffer-limit: MONITOR and our primary's link
 * count as normal clients, as in Redis. */
static inline int client_class(const client *c) {
    if (c->flags & CLIENT_REPLICA) return CLIENT_CLASS_REPLICA;
    if (c->flags & CLIENT_PUBSUB) return CLIENT_CLASS_PUBSUB;
    return CLIENT_CLASS_NORMAL;
}
/* Redis' closeClientOnOutputBufferLimitReached(c, async): when c is over
 * its class's limit (server.obuf_limits, at server.now_ms), log it, count
 * it and mark c CLOSE_ASAP, so every further reply byte is dropped and c
 * is freed at the next safe point, never inside a command. True when c was
 * marked by this call. Runs after appends to a reply (reply.c), before
 * the loop sleeps and from the cron. */
bool client_obuf_enforce(client *c);
/* CLIENT LIST / CLIENT INFO line (no trailing newline). */
void client_describe(const client *c, buf *out);
client *client_by_id(uint64_t id);
/* Whether c may do what a parameter holding setting (PROTECTED_ACTION_*,
 * server.h) guards: DEBUG, CONFIG SET dir. A client without a socket is
 * never local. */
bool client_protected_allows(int setting, const client *c);
/* Copy the current argv out of the query buffer (MULTI queue, blocking). */
vg_slice *client_argv_copy(const client *c);
void client_argv_free(vg_slice *argv, int argc);

#endif
