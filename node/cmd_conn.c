/* cmd_conn.c -- connection commands: PING ECHO QUIT RESET HELLO AUTH SELECT.
 *
 * Owns: nothing; handlers change the calling client's own state only. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "command.h"
#include "monitor.h"
#include "multi.h"
#include "pubsub.h"
#include "cmd_util.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

static void cmd_ping(client *c) {
    if (c->argc > 2) {
        command_reply_arity_error(c);
        return;
    }
    if (c->flags & CLIENT_PUBSUB && c->resp == 2) {
        reply_array(c, 2);
        reply_bulk(c, "pong", 4);
        if (c->argc == 2)
            reply_bulk(c, c->argv[1].ptr, c->argv[1].len);
        else
            reply_bulk(c, "", 0);
        return;
    }
    if (c->argc == 2)
        reply_bulk(c, c->argv[1].ptr, c->argv[1].len);
    else
        reply_simple(c, "PONG");
}

static void cmd_echo(client *c) {
    reply_bulk(c, c->argv[1].ptr, c->argv[1].len);
}

static void cmd_quit(client *c) {
    reply_ok(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static void cmd_auth(client *c) {
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    for (int i = 1; i < c->argc; i++)
        command_redact_arg(c, i);
    if (c->argc == 2 && acl_default_is_open()) {
        reply_error(c, "ERR AUTH <password> called without any password configured for the "
                       "default user. Are you sure your configuration is correct?");
        return;
    }
    const vg_slice *pass = &c->argv[c->argc - 1];
    const char *user = c->argc == 3 ? c->argv[1].ptr : "default";
    size_t ulen = c->argc == 3 ? c->argv[1].len : 7;
    if (!acl_authenticate(c, user, ulen, pass->ptr, pass->len)) {
        reply_error(c, "WRONGPASS invalid username-password pair or user is disabled.");
        return;
    }
    reply_ok(c);
}

static void cmd_select(client *c) {
    long long id;
    if (!vg_str2ll(c->argv[1].ptr, c->argv[1].len, &id)) {
        reply_not_integer(c);
        return;
    }
    if (id < INT32_MIN || id > INT32_MAX) { /* Redis reads the index as an int */
        reply_error(c, "ERR value is out of range, value must between -2147483648 and 2147483647");
        return;
    }
    if (id < 0 || id >= server.databases) {
        reply_error(c, "ERR DB index is out of range");
        return;
    }
    c->db = &server.dbs[id];
    reply_ok(c);
}

static void hello_reply(client *c) {
    reply_map(c, 7);
    reply_bulk_str(c, "server");
    reply_bulk_str(c, "redis");
    reply_bulk_str(c, "version");
    reply_bulk_str(c, REDIS_COMPAT_VERSION);
    reply_bulk_str(c, "proto");
    reply_int(c, c->resp);
    reply_bulk_str(c, "id");
    reply_int(c, (long long)c->id);
    reply_bulk_str(c, "mode");
    reply_bulk_str(c, "standalone");
    reply_bulk_str(c, "role");
    reply_bulk_str(c, server_is_replica() ? "replica" : "master");
    reply_bulk_str(c, "modules");
    reply_array(c, 0);
}

static void cmd_hello(client *c) {
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (!vg_str2ll(c->argv[1].ptr, c->argv[1].len, &ver)) {
            reply_error(c, "ERR Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (ver < 2 || ver > 3) {
            reply_error(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    /* As Redis, each option acts as it is read: a failed AUTH or a bad name
     * answers before a later syntax error, and a name is set even when the
     * NOAUTH check below then refuses the HELLO. */
    for (int j = next; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (strcasecmp(c->argv[j].ptr, "AUTH") == 0 && more >= 2) {
            command_redact_arg(c, j + 1);
            command_redact_arg(c, j + 2);
            const vg_slice *user = &c->argv[j + 1], *pass = &c->argv[j + 2];
            if (!acl_authenticate(c, user->ptr, user->len, pass->ptr, pass->len)) {
                reply_error(c, "WRONGPASS invalid username-password pair or user is disabled.");
                return;
            }
            c->authenticated = true;
            j += 2;
        } else if (strcasecmp(c->argv[j].ptr, "SETNAME") == 0 && more >= 1) {
            const vg_slice *name = &c->argv[j + 1];
            if (!cmd_client_name_valid(c, name)) return;
            vg_free(c->name);
            c->name = name->len ? vg_memdup(name->ptr, name->len + 1) : NULL;
            j++;
        } else {
            reply_errorf(c, "ERR Syntax error in HELLO option '%.128s'", c->argv[j].ptr);
            return;
        }
    }
    if (!c->authenticated) {
        reply_error(c, "NOAUTH HELLO must be called with the client already authenticated, "
                       "otherwise the HELLO AUTH <user> <pass> option can be used to "
                       "authenticate the client and select the RESP protocol version at the "
                       "same time");
        return;
    }
    if (ver) c->resp = (int)ver;
    hello_reply(c);
}

static void cmd_reset(client *c) {
    multi_client_reset(c);
    pubsub_client_reset(c);
    monitor_client_closed(c);
    c->db = &server.dbs[0];
    c->resp = 2;
    vg_free(c->name);
    c->name = NULL;
    c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_NO_EVICT);
    c->authenticated = acl_default_is_open();
    c->acl = acl_default_user();
    vg_free(c->user);
    c->user = NULL;
    reply_simple(c, "RESET");
}

static command conn_commands[] = {
    {.name = "ping",
     .proc = cmd_ping,
     .arity = -1,
     .flags = CMD_FAST | CMD_SENTINEL,
     .acl_cats = "@connection",
     .summary = "Ping the server",
     .since = "1.0.0",
     .group = "connection"},
    {.name = "echo",
     .proc = cmd_echo,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl_cats = "@connection",
     .summary = "Echo the given string",
     .since = "1.0.0",
     .group = "connection"},
    {.name = "quit",
     .proc = cmd_quit,
     .arity = -1,
     .flags = CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_NO_AUTH | CMD_FAST | CMD_LOADING | CMD_STALE,
     .acl_cats = "@connection",
     .summary = "Close the connection",
     .since = "1.0.0",
     .group = "connection"},
    {.name = "auth",
     .proc = cmd_auth,
     .arity = -2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL |
              CMD_ALLOW_BUSY,
     .acl_cats = "@connection",
     .summary = "Authenticate to the server",
     .since = "1.0.0",
     .group = "connection"},
    {.name = "select",
     .proc = cmd_select,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl_cats = "@connection",
     .summary = "Change the selected database for the current connection",
     .since = "1.0.0",
     .group = "connection"},
    {.name = "hello",
     .proc = cmd_hello,
     .arity = -1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL |
              CMD_ALLOW_BUSY,
     .acl_cats = "@connection",
     .summary = "Handshake with Redis",
     .since = "6.0.0",
     .group = "connection"},
    {.name = "reset",
     .proc = cmd_reset,
     .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
     .acl_cats = "@connection",
     .summary = "Reset the connection",
     .since = "6.2.0",
     .group = "connection"},
};
COMMAND_TABLE(conn_commands)
