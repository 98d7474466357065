/* server_tls.c -- the node's TLS glue: context from parameters, reloads, handshake deadline.
 *
 * Owns: server.tls. It is built at start-up when tls-port or tls-replication
 * is set, and later by CONFIG SET of either. While TLS is off, changing a
 * tls-* file parameter only stores the value (as Redis does); once on, every
 * change rebuilds the SSL contexts and a failure leaves the running context
 * untouched and reports Redis' error text (CONFIG SET then restores the old
 * value). The cron drops clients still handshaking after the deadline, so a
 * peer that connects and stays silent cannot hold a slot forever. */
#include "server_tls.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "log.h"
#include "server.h"
#include "tls.h"

static long long handshake_ms = SERVER_TLS_HANDSHAKE_MS;

static const char reload_failed[] = "Unable to update TLS configuration. Check server logs.";

static tls_config current_config(void) {
    tls_config c;
    memset(&c, 0, sizeof(c));
    c.cert_file = server.tls_cert_file;
    c.key_file = server.tls_key_file;
    c.key_file_pass = server.tls_key_file_pass;
    c.client_cert_file = server.tls_client_cert_file;
    c.client_key_file = server.tls_client_key_file;
    c.client_key_file_pass = server.tls_client_key_file_pass;
    c.ca_cert_file = server.tls_ca_cert_file;
    c.ca_cert_dir = server.tls_ca_cert_dir;
    c.dh_params_file = server.tls_dh_params_file;
    c.protocols = server.tls_protocols;
    c.ciphers = server.tls_ciphers;
    c.ciphersuites = server.tls_ciphersuites;
    c.prefer_server_ciphers = server.tls_prefer_server_ciphers;
    c.session_caching = server.tls_session_caching;
    c.session_cache_size = (long)server.tls_session_cache_size;
    c.session_cache_timeout = (long)server.tls_session_cache_timeout;
    c.auth_clients = server.tls_auth_clients;
    return c;
}

static bool tls_wanted(void) {
    return server.tls_port != 0 || server.tls_replication;
}

/* Create server.tls, or rebuild it in place. VG_ERR: why->msg has the reason. */
static int build(vg_error *why) {
    tls_config cfg = current_config();
    if (server.tls) return tls_ctx_reload(server.tls, &cfg, why);
    return tls_ctx_create(&server.tls, &cfg, why);
}

int server_tls_setup(vg_error *err) {
    const char *env = getenv("VIGIL_TLS_HANDSHAKE_TIMEOUT_MS");
    long long v;
    if (env && vg_str2ll(env, strlen(env), &v) && v > 0) handshake_ms = v;
    if (!tls_wanted() || server.tls) return VG_OK;
    vg_error why;
    if (build(&why) != VG_OK) {
        LOG_WARNING("%s", why.msg);
        vg_error_set(err, "Failed to configure TLS: %s", why.msg);
        return VG_ERR;
    }
    return VG_OK;
}

void server_tls_cron(void) {
    if (server.tls == NULL) return;
    for (client *c = server.clients; c;) {
        client *next = c->next;
        if (c->conn && stream_is_tls(c->conn) && !tls_session_established(c->conn) &&
            !(c->flags & (CLIENT_CLOSING | CLIENT_CLOSE_ASAP)) &&
            server.now_ms - c->ctime_ms >= handshake_ms) {
            LOG_VERBOSE("Closing client that did not complete the TLS handshake within %lld ms: "
                        "addr=%s",
                        handshake_ms, c->addr);
            client_close(c);
        }
        c = next;
    }
}

void server_tls_free(void) {
    tls_ctx_free(server.tls);
    server.tls = NULL;
}

static int report_failure(const config_param *p, const vg_error *why, vg_error *err) {
    LOG_WARNING("%s", why->msg);
    LOG_WARNING("Failed applying new configuration. Possibly related to new %s setting. "
                "Restoring previous settings.",
                p->name);
    vg_error_set(err, "%s", reload_failed);
    return VG_ERR;
}

int server_tls_apply_reload(const config_param *p, vg_error *err) {
    if (!tls_wanted()) return VG_OK; /* stored; used when TLS is switched on */
    vg_error why;
    if (build(&why) != VG_OK) return report_failure(p, &why, err);
    LOG_NOTICE("TLS configuration reloaded (%s)", p->name);
    return VG_OK;
}

int server_tls_apply_port(const config_param *p, vg_error *err) {
    vg_error why;
    if (server.tls_port != 0 && server.tls == NULL && build(&why) != VG_OK)
        return report_failure(p, &why, err);
    if (server_rebind(&why) != VG_OK) {
        LOG_WARNING("%s", why.msg);
        vg_error_set(err, "Unable to listen on this port. Check server logs.");
        return VG_ERR;
    }
    return VG_OK;
}

int server_tls_apply_auth(const config_param *p, vg_error *err) {
    (void)p;
    (void)err;
    if (server.tls) tls_ctx_set_auth_clients(server.tls, server.tls_auth_clients);
    return VG_OK;
}

int server_tls_apply_replication(const config_param *p, vg_error *err) {
    vg_error why;
    if (server.tls_replication && server.tls == NULL && build(&why) != VG_OK)
        return report_failure(p, &why, err);
    return VG_OK;
}
