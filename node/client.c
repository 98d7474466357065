/* client.c -- one connected client: read, parse, dispatch, write, close.
 *
 * Owns: client structs. Life cycle:
 *   accept -> reading <-> executing -> (CLOSE_AFTER_REPLY: flush) -> closing -> freed
 * A client is freed only in the stream's close callback, after libuv has
 * cancelled its pending writes, so no callback ever sees freed memory.
 * Replies accumulate in `reply`; before the loop sleeps they are handed to
 * the socket with one try_write, and whatever the socket did not take moves
 * to `inflight` for an async write. Once written, a buffer bigger than
 * CLIENT_REPLY_KEEP is freed at once, so a big reply's memory does not stay
 * with the client; a smaller one is kept for the next batch until the cron.
 * Output limits hold at every append (reply.c calls client_obuf_enforce):
 * a client over them is marked CLOSE_ASAP, its further replies are dropped,
 * and it is closed at a safe point -- after its own command (on_read),
 * before the loop sleeps (clients_flush_pending) or in the cron.
 * Under appendfsync always a client whose writes are in an AOF batch not
 * yet fsync'ed is parked on the held list instead of written to; the AOF
 * calls clients_release_held when the batch is durable. */
#include "client.h"

#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "blocking.h"
#include "client_pause.h"
#include "command.h"
#include "log.h"
#include "monitor.h"
#include "multi.h"
#include "pubsub.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

#define CLIENT_READ_CHUNK (16 * 1024)
#define CLIENT_BIG_ARG (32 * 1024)
/* An emptied buffer up to this size is kept for the next batch (Redis keeps
 * a 16 KB reply buffer per client too); a bigger one is freed at once, and
 * the cron frees even the small ones of clients gone quiet. The query
 * buffer may keep room for a read chunk beside a partial command. */
#define CLIENT_REPLY_KEEP (16 * 1024)
#define CLIENT_QUERY_KEEP (4 * CLIENT_READ_CHUNK)
#define CLIENT_IDLE_RELEASE_MS 2000

static const char protected_mode_msg[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
    "If you started the server manually just for testing, restart it with the "
    "'--protected-mode no' option. 4) Set up an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to start "
    "accepting connections from the outside.\r\n";

static void on_alloc(stream *s, size_t suggested, uv_buf_t *out);
static void on_read(stream *s, ssize_t nread);

static client *client_alloc(void) {
    client *c = vg_calloc(sizeof(*c));
    c->id = ++server.next_client_id;
    c->resp = 2;
    c->db = &server.dbs[0];
    c->authenticated = acl_default_is_open();
    c->acl = acl_default_user();
    c->ctime_ms = c->last_interaction_ms = server.now_ms;
    resp_req_init(&c->parser, server.proto_max_bulk_len);
    c->parser.strict = !c->authenticated;
    return c;
}

static void link_client(client *c) {
    c->next = server.clients;
    if (server.clients) server.clients->prev = c;
    server.clients = c;
    server.nclients++;
}

static void unlink_client(client *c) {
    if (c->prev)
        c->prev->next = c->next;
    else if (server.clients == c)
        server.clients = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    server.nclients--;
}

static void reject(stream *s, const char *msg, size_t n) {
    stream_try_write(s, msg, n);
    stream_close(s, NULL);
}

/* Why a new connection must be turned away, or NULL. */
static const char *refusal_for(stream *s, size_t *len) {
    static const char maxclients_msg[] = "-ERR max number of clients reached\r\n";
    if (server.nclients >= server.maxclients) {
        *len = sizeof(maxclients_msg) - 1;
        return maxclients_msg;
    }
    if (server.protected_mode && acl_default_is_open() && !stream_peer_is_loopback(s)) {
        *len = sizeof(protected_mode_msg) - 1;
        return protected_mode_msg;
    }
    return NULL;
}

void client_accept(stream *s, bool tls) {
    server.stat_numconnections++;
    size_t rlen = 0;
    const char *refusal = refusal_for(s, &rlen);
    if (refusal) {
        server.stat_rejected_conn++;
        if (!tls) {
            reject(s, refusal, rlen);
            return;
        }
        /* A TLS peer can only read the refusal once the handshake is done:
         * accept it as a client whose one reply is the error. */
    }
    client *c = client_alloc();
    c->conn = s;
    s->data = c;
    stream_peer_name(s, c->addr, sizeof(c->addr));
    stream_sock_name(s, c->laddr, sizeof(c->laddr));
    stream_set_nodelay(s, true);
    if (server.tcp_keepalive > 0) stream_set_keepalive(s, (int)server.tcp_keepalive);
    link_client(c);
    if (refusal) {
        reply_raw(c, refusal, rlen);
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    }
    if (stream_read_start(s, on_alloc, on_read) != 0) client_close(c);
}

client *client_new_fake(void) {
    client *c = client_alloc();
    c->flags |= CLIENT_FAKE;
    c->authenticated = true;
    c->parser.strict = false;
    return c;
}

static void release_client_memory(client *c) {
    buf_free(&c->query);
    buf_free(&c->reply);
    buf_free(&c->inflight);
    resp_req_free(&c->parser);
    vg_free(c->argv);
    vg_free(c->name);
    vg_free(c->user);
    vg_free(c->lib_name);
    vg_free(c->lib_ver);
    vg_free(c);
}

void client_free_fake(client *c) {
    release_client_memory(c);
}

static void on_closed(stream *s) {
    client *c = s->data;
    if (c) release_client_memory(c);
}

static void remove_from_pending(client *c) {
    if (!(c->flags & CLIENT_PENDING_WRITE)) return;
    client **pp = &server.pending_write;
    while (*pp && *pp != c)
        pp = &(*pp)->pending_next;
    if (*pp) *pp = c->pending_next;
    c->flags &= ~CLIENT_PENDING_WRITE;
}

static client *held_head; /* clients whose replies wait for the AOF */

static void remove_from_held(client *c) {
    if (!(c->flags & CLIENT_AOF_HELD)) return;
    client **pp = &held_head;
    while (*pp && *pp != c)
        pp = &(*pp)->held_next;
    if (*pp) *pp = c->held_next;
    c->flags &= ~CLIENT_AOF_HELD;
}

/* True (c parked) when c's replies must wait for an AOF fsync. */
static bool held_for_aof(client *c) {
    if (aof_state_reply_ready(&server.aof, c->aof_wait_seq)) return false;
    if (!(c->flags & CLIENT_AOF_HELD)) {
        c->flags |= CLIENT_AOF_HELD;
        c->held_next = held_head;
        held_head = c;
    }
    return true;
}

void clients_release_held(void) {
    client **pp = &held_head;
    while (*pp) {
        client *c = *pp;
        if (aof_state_reply_ready(&server.aof, c->aof_wait_seq)) {
            *pp = c->held_next;
            c->flags &= ~CLIENT_AOF_HELD;
            c->aof_wait_seq = 0;
            client_want_write(c);
        } else {
            pp = &c->held_next;
        }
    }
}

bool clients_held_any(void) {
    return held_head != NULL;
}

void client_close(client *c) {
    if (c->flags & CLIENT_CLOSING) return;
    if (c->flags & CLIENT_PROTECTED) {
        client_close_async(c);
        return;
    }
    c->flags |= CLIENT_CLOSING;
    multi_client_reset(c);
    pubsub_client_reset(c);
    monitor_client_closed(c);
    blocking_client_closed(c);
    remove_from_pending(c);
    remove_from_held(c);
    unlink_client(c);
    stream_close(c->conn, on_closed);
}

void client_close_async(client *c) {
    if (c->flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSING)) return;
    c->flags |= CLIENT_CLOSE_ASAP;
    client_want_write(c); /* before-sleep visits it */
}

void client_want_write(client *c) {
    if (c->flags & (CLIENT_PENDING_WRITE | CLIENT_FAKE)) return;
    c->flags |= CLIENT_PENDING_WRITE;
    c->pending_next = server.pending_write;
    server.pending_write = c;
}

bool client_obuf_enforce(client *c) {
    if (c->flags & (CLIENT_FAKE | CLIENT_CLOSE_ASAP | CLIENT_CLOSING)) return false;
    const obuf_limit *lim = &server.obuf_limits[client_class(c)];
    if (!obuf_limit_reached(lim, client_output_bytes(c), server.now_ms, &c->obuf_soft_since_ms))
        return false;
    buf desc;
    buf_init(&desc);
    client_describe(c, &desc);
    LOG_WARNING("Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
                desc.data);
    buf_free(&desc);
    server.stat_client_outbuf_limit_disconnections++;
    client_close_async(c);
    return true;
}

static void flush_client(client *c);

/* Empty b once its bytes are used: keep a block up to keep bytes for the
 * next batch, so a pipelined client does not reallocate per batch, and
 * free a bigger one. */
static void emptied(buf *b, size_t keep) {
    if (b->cap > keep)
        buf_free(b);
    else
        buf_clear(b);
}

static void on_write_done(stream *s, int status, void *arg) {
    (void)s;
    client *c = arg;
    c->writing = false;
    if (c->flags & CLIENT_CLOSING) return;
    if (status < 0) {
        client_close(c);
        return;
    }
    server.stat_net_output_bytes += (long long)(c->inflight.len - c->inflight_pos);
    emptied(&c->inflight, CLIENT_REPLY_KEEP);
    c->inflight_pos = 0;
    flush_client(c);
}

static void flush_client(client *c) {
    if (c->flags & CLIENT_CLOSING) return;
    if (c->flags & CLIENT_CLOSE_ASAP) {
        client_close(c);
        return;
    }
    if (c->writing) return;
    if (c->reply.len == 0) {
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY) client_close(c);
        return;
    }
    if (c->aof_wait_seq && held_for_aof(c)) return;
    ssize_t n = stream_try_write(c->conn, c->reply.data, c->reply.len);
    if (n < 0 && n != UV_EAGAIN) {
        client_close(c);
        return;
    }
    if (n < 0) n = 0;
    server.stat_net_output_bytes += n;
    if (n > 0) server.stat_total_writes++;
    if ((size_t)n == c->reply.len) {
        emptied(&c->reply, CLIENT_REPLY_KEEP);
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY) client_close(c);
        return;
    }
    buf_swap(&c->inflight, &c->reply);
    c->inflight_pos = (size_t)n;
    buf_clear(&c->reply);
    c->writing = true;
    int rc =
        stream_write(c->conn, c->inflight.data + n, c->inflight.len - (size_t)n, on_write_done, c);
    if (rc != 0) {
        c->writing = false;
        client_close(c);
    }
}

void clients_flush_pending(void) {
    while (server.pending_write) {
        client *c = server.pending_write;
        server.pending_write = c->pending_next;
        c->pending_next = NULL;
        c->flags &= ~CLIENT_PENDING_WRITE;
        client_obuf_enforce(c); /* the soft limit's seconds may be up */
        flush_client(c);
    }
}

static void on_alloc(stream *s, size_t suggested, uv_buf_t *out) {
    (void)suggested;
    client *c = s->data;
    size_t want = CLIENT_READ_CHUNK;
    size_t big = resp_req_wanted(&c->parser, c->query.len - c->qpos);
    if (big > CLIENT_BIG_ARG) want = big; /* read a big argument straight into place */
    buf_reserve(&c->query, want);
    size_t room = c->query.cap - c->query.len;
    *out = uv_buf_init(c->query.data + c->query.len,
                       (unsigned)(room > 0x7fffffff ? 0x7fffffff : room));
}

static void protocol_error(client *c) {
    char desc[128];
    snprintf(desc, sizeof(desc), "id=%llu addr=%s", (unsigned long long)c->id, c->addr);
    LOG_VERBOSE("Protocol error (%s) from client: %s", c->parser.err, desc);
    reply_errorf(c, "ERR %s", c->parser.err);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

void client_process_input(client *c) {
    while (c->qpos < c->query.len) {
        if (c->flags &
            (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP | CLIENT_CLOSING | CLIENT_BLOCKED))
            break;
        char *region = c->query.data + c->qpos;
        size_t consumed = 0;
        int rc = resp_req_parse(&c->parser, region, c->query.len - c->qpos, &consumed);
        if (rc == RESP_AGAIN) break;
        if (rc == RESP_FAIL) {
            protocol_error(c);
            break;
        }
        if (c->parser.argc > 0 &&
            client_pause_holds(c, region + c->parser.args[0].off, c->parser.args[0].len)) {
            resp_req_reset(&c->parser); /* parsed again when the pause ends */
            break;
        }
        int argc = c->parser.argc;
        if (argc > c->argv_cap) {
            c->argv_cap = argc;
            vg_free(c->argv);
            c->argv = vg_malloc((size_t)argc * sizeof(vg_slice));
        }
        for (int i = 0; i < argc; i++) {
            c->argv[i].ptr = region + c->parser.args[i].off;
            c->argv[i].len = c->parser.args[i].len;
        }
        for (int i = 0; i < argc; i++)
            c->argv[i].ptr[c->argv[i].len] = '\0';
        c->argc = argc;
        if (argc > 0) client_execute(c);
        c->argc = 0;
        c->qpos += consumed;
        resp_req_reset(&c->parser);
        c->parser.strict = !c->authenticated;
    }
    if (c->qpos > 0) {
        buf_consume(&c->query, c->qpos);
        c->qpos = 0;
    }
    if (c->query.len == 0) emptied(&c->query, CLIENT_QUERY_KEEP);
}

void client_execute(client *c) {
    c->flags |= CLIENT_PROTECTED;
    c->last_interaction_ms = server.now_ms;
    command_process(c);
    server.stat_numcommands++;
    c->flags &= ~CLIENT_PROTECTED;
    blocking_handle_ready(); /* serve clients blocked on keys this command wrote */
}

static void on_read(stream *s, ssize_t nread) {
    client *c = s->data;
    if (c->flags & CLIENT_CLOSING) return;
    if (nread < 0) {
        if (nread != UV_EOF) LOG_VERBOSE("Reading from client: %s", uv_strerror((int)nread));
        client_close(c);
        return;
    }
    server_clock_tick();
    c->query.len += (size_t)nread;
    c->query.data[c->query.len] = '\0';
    server.stat_net_input_bytes += nread;
    server.stat_total_reads++;
    c->last_interaction_ms = server.now_ms;
    if ((long long)c->query.len > server.client_query_buffer_limit) {
        LOG_WARNING("Closing client that reached max query buffer length: id=%llu addr=%s (qbuf "
                    "initial bytes: \"%.32s\")",
                    (unsigned long long)c->id, c->addr, c->query.data);
        server.stat_client_qbuf_limit_disconnections++;
        client_close(c);
        return;
    }
    client_process_input(c);
    if (c->flags & CLIENT_CLOSE_ASAP) client_close(c);
}

/* The blocks emptied() kept are for the next batch; a client quiet for
 * CLIENT_IDLE_RELEASE_MS gives them back here. */
static void release_idle_buffers(client *c) {
    if (server.now_ms - c->last_interaction_ms < CLIENT_IDLE_RELEASE_MS) return;
    if (c->query.len == 0) buf_free(&c->query);
    if (c->reply.len == 0) buf_free(&c->reply);
    if (!c->writing && c->inflight.len == 0) buf_free(&c->inflight);
}

void clients_cron(void) {
    for (client *c = server.clients; c;) {
        client *next = c->next;
        if (server.timeout > 0 &&
            !(c->flags & (CLIENT_REPLICA | CLIENT_PRIMARY | CLIENT_BLOCKED | CLIENT_PUBSUB)) &&
            server.now_ms - c->last_interaction_ms > server.timeout * 1000) {
            LOG_VERBOSE("Closing idle client");
            client_close(c);
        } else {
            client_obuf_enforce(c);
            if (c->flags & CLIENT_CLOSE_ASAP)
                client_close(c);
            else
                release_idle_buffers(c);
        }
        c = next;
    }
}

client *client_by_id(uint64_t id) {
    for (client *c = server.clients; c; c = c->next)
        if (c->id == id) return c;
    return NULL;
}

static void flags_string(const client *c, char *out) {
    char *p = out;
    if (c->flags & CLIENT_REPLICA) *p++ = 'S';
    if (c->flags & CLIENT_PRIMARY) *p++ = 'M';
    if (c->flags & CLIENT_PUBSUB) *p++ = 'P';
    if (c->flags & CLIENT_MULTI) *p++ = 'x';
    if (c->flags & CLIENT_BLOCKED) *p++ = 'b';
    if (c->flags & CLIENT_DIRTY_CAS) *p++ = 'd';
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) *p++ = 'c';
    if (c->flags & CLIENT_CLOSE_ASAP) *p++ = 'A';
    if (c->flags & CLIENT_NO_EVICT) *p++ = 'e';
    if (c->flags & CLIENT_MONITOR) *p++ = 'O';
    if (p == out) *p++ = 'N';
    *p = '\0';
}

void client_describe(const client *c, buf *out) {
    char flags[32];
    flags_string(c, flags);
    long long sub = pubsub_channel_count(c), psub = pubsub_pattern_count(c);
    long long multi = multi_queued_count(c);
    const command *shown = c->cmd ? c->cmd : c->lastcmd; /* the running one first */
    const char *cmd = shown ? shown->fullname : "NULL";
    buf_append_fmt(out,
                   "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d "
                   "sub=%lld psub=%lld ssub=0 multi=%lld qbuf=%zu qbuf-free=%zu argv-mem=%zu "
                   "multi-mem=0 rbs=%zu rbp=%zu obl=%zu oll=%d omem=%zu tot-mem=%zu events=r%s "
                   "cmd=%s user=%s redir=-1 resp=%d lib-name=%s lib-ver=%s",
                   (unsigned long long)c->id, c->addr, c->laddr,
                   c->conn ? (int)c->conn->tcp.io_watcher.fd : -1, c->name ? c->name : "",
                   (long long)((server.now_ms - c->ctime_ms) / 1000),
                   (long long)((server.now_ms - c->last_interaction_ms) / 1000), flags,
                   c->db ? c->db->id : 0, sub, psub, multi, c->query.len - c->qpos,
                   c->query.cap - c->query.len, (size_t)0, c->query.cap, c->query.cap, c->reply.len,
                   c->writing ? 1 : 0, client_output_bytes(c),
                   sizeof(client) + c->query.cap + c->reply.cap + c->inflight.cap,
                   (c->reply.len || c->writing) ? "w" : "", cmd, c->user ? c->user : "default",
                   c->resp, c->lib_name ? c->lib_name : "", c->lib_ver ? c->lib_ver : "");
}

vg_slice *client_argv_copy(const client *c) {
    vg_slice *argv = vg_malloc((size_t)(c->argc ? c->argc : 1) * sizeof(vg_slice));
    for (int i = 0; i < c->argc; i++) {
        argv[i].ptr = vg_malloc(c->argv[i].len + 1);
        memcpy(argv[i].ptr, c->argv[i].ptr, c->argv[i].len);
        argv[i].ptr[c->argv[i].len] = '\0';
        argv[i].len = c->argv[i].len;
    }
    return argv;
}

void client_argv_free(vg_slice *argv, int argc) {
    if (argv == NULL) return;
    for (int i = 0; i < argc; i++)
        vg_free(argv[i].ptr);
    vg_free(argv);
}

bool client_protected_allows(int setting, const client *c) {
    if (setting == PROTECTED_ACTION_YES) return true;
    return setting == PROTECTED_ACTION_LOCAL && c->conn && stream_peer_is_loopback(c->conn);
}
