/* server_tls.h -- the node's TLS glue: context from parameters, reloads, handshake deadline.
 *
 * Owns: server.tls (the tls_ctx built from the tls-* parameters). The
 * listeners on tls-port borrow it; CONFIG SET of a tls-* parameter rebuilds
 * it in place, so new connections use the new certificates while open ones
 * keep theirs. Redis has no handshake timeout parameter: a client that has
 * not finished its handshake within SERVER_TLS_HANDSHAKE_MS is dropped by the
 * cron (tests may shorten it with VIGIL_TLS_HANDSHAKE_TIMEOUT_MS in the
 * environment; nothing else reads that variable). */
#ifndef VIGIL_NODE_SERVER_TLS_H
#define VIGIL_NODE_SERVER_TLS_H

#include "config.h"
#include "vg_common.h"

#define SERVER_TLS_HANDSHAKE_MS 10000

/* Start-up: build server.tls if tls-port or tls-replication asks for it. */
int server_tls_setup(vg_error *err);
/* Cron: close clients whose TLS handshake is overdue. */
void server_tls_cron(void);
/* Teardown: free server.tls (after every session closed). */
void server_tls_free(void);

/* Apply callbacks for node_config.c (CONFIG SET). */
int server_tls_apply_reload(const config_param *p, vg_error *err);
int server_tls_apply_port(const config_param *p, vg_error *err);
int server_tls_apply_auth(const config_param *p, vg_error *err);
int server_tls_apply_replication(const config_param *p, vg_error *err);

#endif
