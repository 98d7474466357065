/* server.c -- the node's one global state: clocks, sampling, listeners.
 *
 * Owns: `server`, the cached clocks, the sampling generator and the
 * listening sockets. Everything here sits below the request layer: the
 * accepted connections go to the callback node.c hands server_listen, so
 * this file (and every module that only reads `server`) includes nothing
 * of clients or commands. The life cycle that drives it is node.c. */
#include "server.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "log.h"
#include "vg_alloc.h"

struct vigil_server server;

static bool clock_stale = true; /* the loop slept since now_ms was read */

void server_update_clock(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    server.now_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    clock_stale = false;
}

void server_clock_tick(void) {
    if (clock_stale) server_update_clock();
}

void server_clock_expire(void) {
    clock_stale = true;
}

uint32_t server_lru_clock(void) {
    return server.lru_clock;
}

void server_update_lru_clock(void) {
    server.lru_clock = (uint32_t)((server.now_ms / 1000) & OBJ_LRU_MAX);
}

uint64_t server_random(void) {
    /* xorshift64*: fast, good enough for sampling; never for secrets. */
    uint64_t x = server.rand_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    server.rand_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

bool server_is_replica(void) {
    return false;
}

void server_request_shutdown(int exit_code) {
    server.shutdown_asap = true;
    server.exit_code = exit_code;
}

static server_accept_cb accept_cb; /* set once by server_listen */

static void on_accept(stream_listener *l, stream *s) {
    (void)l;
    server_clock_tick();
    accept_cb(s, l->tls != NULL);
}

/* A listener's memory must outlive its handle's close: free it here. tcp is
 * the first member of stream_listener, so the handle is the listener. */
static void on_listener_closed(uv_handle_t *h) {
    vg_free(h);
}

void server_close_listeners(void) {
    for (int i = 0; i < server.nlisteners; i++)
        stream_listener_close(server.listeners[i], on_listener_closed);
    server.nlisteners = 0;
}

/* Open one listener per bind address. A leading '-' marks an optional
 * address (Redis' "-::1"): failing to bind it is not an error. */
static int open_listeners(int port, tls_ctx *tls, vg_error *err) {
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", server.bind ? server.bind : "127.0.0.1");
    for (char *save = NULL, *addr = strtok_r(copy, " ", &save); addr;
         addr = strtok_r(NULL, " ", &save)) {
        bool optional = addr[0] == '-';
        if (optional) addr++;
        if (strcmp(addr, "*") == 0) addr = "0.0.0.0";
        if (server.nlisteners == SERVER_MAX_LISTENERS) break;
        stream_listener *l = vg_calloc(sizeof(*l));
        int rc = stream_listen(l, server.loop, addr, port, (int)server.tcp_backlog, tls, on_accept);
        if (rc != 0) {
            if (l->loop)
                stream_listener_close(l, on_listener_closed);
            else
                vg_free(l); /* the address did not resolve: no handle was made */
            if (optional) continue;
            vg_error_set(err, "Failed listening on port %d (%s), aborting: %s:%d: %s", port,
                         tls ? "tls" : "tcp", addr, port, uv_strerror(rc));
            return VG_ERR;
        }
        server.listeners[server.nlisteners++] = l;
        if (port == 0) port = stream_listener_port(l);
    }
    return VG_OK;
}

int server_listen(server_accept_cb cb, vg_error *err) {
    accept_cb = cb;
    if (server.port != 0 && open_listeners((int)server.port, NULL, err) != VG_OK) return VG_ERR;
    if (server.tls_port != 0 && open_listeners((int)server.tls_port, server.tls, err) != VG_OK)
        return VG_ERR;
    return VG_OK;
}

int server_rebind(vg_error *err) {
    if (server.loop == NULL) return VG_OK; /* not started yet: start-up binds */
    server_close_listeners();
    if ((server.port != 0 && open_listeners((int)server.port, NULL, err) != VG_OK) ||
        (server.tls_port != 0 && server.tls &&
         open_listeners((int)server.tls_port, server.tls, err) != VG_OK)) {
        LOG_WARNING("%s", err->msg);
        vg_error_set(err, "Unable to listen on this port");
        return VG_ERR;
    }
    return VG_OK;
}

double server_instantaneous(const long long *samples) {
    long long sum = 0;
    for (int i = 0; i < 16; i++)
        sum += samples[i];
    return (double)sum / 16;
}
