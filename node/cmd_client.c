/* cmd_client.c -- CLIENT ID GETNAME SETNAME INFO LIST KILL NO-EVICT REPLY
 * SETINFO PAUSE UNPAUSE HELP.
 *
 * Owns: nothing; PAUSE and UNPAUSE parse their arguments and leave the
 * pause itself to client_pause.c. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "blocking.h"
#include "client_pause.h"
#include "cmd_util.h"
#include "command.h"
#include "log.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

enum client_type { CTYPE_NORMAL, CTYPE_REPLICA, CTYPE_PUBSUB, CTYPE_MASTER };

static int type_by_name(const vg_slice *a) {
    if (arg_is(a, "normal")) return CTYPE_NORMAL;
    if (arg_is(a, "slave") || arg_is(a, "replica")) return CTYPE_REPLICA;
    if (arg_is(a, "pubsub")) return CTYPE_PUBSUB;
    if (arg_is(a, "master")) return CTYPE_MASTER;
    return -1;
}

static int type_of(const client *c) {
    if (c->flags & CLIENT_PRIMARY) return CTYPE_MASTER;
    if ((c->flags & CLIENT_REPLICA) && !(c->flags & CLIENT_MONITOR)) return CTYPE_REPLICA;
    if (c->flags & CLIENT_PUBSUB) return CTYPE_PUBSUB;
    return CTYPE_NORMAL;
}

static void cmd_client_id(client *c) {
    reply_int(c, (long long)c->id);
}

static void cmd_client_getname(client *c) {
    if (c->name)
        reply_bulk_str(c, c->name);
    else
        reply_null(c);
}

static void cmd_client_setname(client *c) {
    const vg_slice *name = &c->argv[2];
    if (!cmd_client_name_valid(c, name)) return;
    vg_free(c->name);
    c->name = name->len ? vg_memdup(name->ptr, name->len + 1) : NULL;
    reply_ok(c);
}

static void cmd_client_setinfo(client *c) {
    const vg_slice *attr = &c->argv[2], *val = &c->argv[3];
    char **slot;
    if (arg_is(attr, "lib-name"))
        slot = &c->lib_name;
    else if (arg_is(attr, "lib-ver"))
        slot = &c->lib_ver;
    else {
        reply_errorf(c, "ERR Unrecognized option '%.128s'", attr->ptr);
        return;
    }
    for (size_t i = 0; i < val->len; i++) {
        unsigned char ch = (unsigned char)val->ptr[i];
        if (ch < '!' || ch > '~') {
            reply_errorf(c, "ERR %.64s cannot contain spaces, newlines or special characters.",
                         attr->ptr);
            return;
        }
    }
    vg_free(*slot);
    *slot = val->len ? vg_memdup(val->ptr, val->len + 1) : NULL;
    reply_ok(c);
}

static void cmd_client_info(client *c) {
    buf out;
    buf_init(&out);
    client_describe(c, &out);
    buf_append_char(&out, '\n');
    reply_verbatim(c, out.data, out.len, "txt");
    buf_free(&out);
}

/* CLIENT LIST [TYPE type] [ID id ...]: ids[0..nids) or a type filter (-1 none). */
static bool list_parse(client *c, int *type, uint64_t **ids, int *nids) {
    *type = -1;
    *ids = NULL;
    *nids = 0;
    if (c->argc == 4 && arg_is(&c->argv[2], "type")) {
        *type = type_by_name(&c->argv[3]);
        if (*type < 0) {
            reply_errorf(c, "ERR Unknown client type '%.128s'", c->argv[3].ptr);
            return false;
        }
        return true;
    }
    if (c->argc > 3 && arg_is(&c->argv[2], "id")) {
        *ids = vg_malloc((size_t)(c->argc - 3) * sizeof(uint64_t));
        for (int i = 3; i < c->argc; i++) {
            long long id;
            if (!vg_str2ll(c->argv[i].ptr, c->argv[i].len, &id) || id <= 0) {
                vg_free(*ids);
                *ids = NULL;
                reply_error(c, "ERR Invalid client ID");
                return false;
            }
            (*ids)[(*nids)++] = (uint64_t)id;
        }
        return true;
    }
    if (c->argc != 2) {
        reply_syntax_error(c);
        return false;
    }
    return true;
}

static void cmd_client_list(client *c) {
    int type, nids;
    uint64_t *ids;
    if (!list_parse(c, &type, &ids, &nids)) return;
    buf out;
    buf_init(&out);
    if (ids) {
        for (int i = 0; i < nids; i++) {
            client *t = client_by_id(ids[i]);
            if (t == NULL) continue;
            client_describe(t, &out);
            buf_append_char(&out, '\n');
        }
    } else {
        for (client *t = server.clients; t; t = t->next) {
            if (type >= 0 && type_of(t) != type) continue;
            client_describe(t, &out);
            buf_append_char(&out, '\n');
        }
    }
    reply_verbatim(c, out.data ? out.data : "", out.len, "txt");
    buf_free(&out);
    vg_free(ids);
}

/* Filters of CLIENT KILL's new form; unset fields match everything. */
typedef struct kill_filter {
    const char *addr, *laddr, *user;
    uint64_t id;
    int type;
    bool skipme;
} kill_filter;

static bool kill_parse_pair(client *c, kill_filter *f, const vg_slice *opt, const vg_slice *val) {
    if (arg_is(opt, "id")) {
        long long id;
        if (!vg_str2ll(val->ptr, val->len, &id) || id <= 0) {
            reply_error(c, "ERR client-id should be greater than 0");
            return false;
        }
        f->id = (uint64_t)id;
    } else if (arg_is(opt, "type")) {
        f->type = type_by_name(val);
        if (f->type < 0) {
            reply_errorf(c, "ERR Unknown client type '%.128s'", val->ptr);
            return false;
        }
    } else if (arg_is(opt, "addr")) {
        f->addr = val->ptr;
    } else if (arg_is(opt, "laddr")) {
        f->laddr = val->ptr;
    } else if (arg_is(opt, "user")) {
        if (acl_find(val->ptr, val->len) == NULL) {
            reply_errorf(c, "ERR No such user '%.128s'", val->ptr);
            return false;
        }
        f->user = val->ptr;
    } else if (arg_is(opt, "skipme") && (arg_is(val, "yes") || arg_is(val, "no"))) {
        f->skipme = arg_is(val, "yes");
    } else {
        reply_syntax_error(c);
        return false;
    }
    return true;
}

static bool kill_matches(const client *c, const client *t, const kill_filter *f) {
    if (t->flags & (CLIENT_FAKE | CLIENT_CLOSING)) return false;
    if (f->addr && strcmp(t->addr, f->addr) != 0) return false;
    if (f->laddr && strcmp(t->laddr, f->laddr) != 0) return false;
    if (f->type >= 0 && type_of(t) != f->type) return false;
    if (f->id && t->id != f->id) return false;
    if (f->user && strcmp(t->user ? t->user : "default", f->user) != 0) return false;
    if (c == t && f->skipme) return false;
    return true;
}

/* Close t; the caller itself goes after its reply is written. */
static void kill_one(client *c, client *t) {
    if (t == c)
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    else
        client_close_async(t);
}

static void cmd_client_kill(client *c) {
    kill_filter f = {NULL, NULL, NULL, 0, -1, true};
    bool old_form = c->argc == 3;
    if (old_form) {
        f.addr = c->argv[2].ptr;
        f.skipme = false;
    } else {
        for (int i = 2; i < c->argc; i += 2) {
            if (i + 1 >= c->argc) {
                reply_syntax_error(c);
                return;
            }
            if (!kill_parse_pair(c, &f, &c->argv[i], &c->argv[i + 1])) return;
        }
    }
    long long killed = 0;
    for (client *t = server.clients; t; t = t->next)
        if (kill_matches(c, t, &f)) {
            kill_one(c, t);
            killed++;
        }
    if (!old_form)
        reply_int(c, killed);
    else if (killed == 0)
        reply_error(c, "ERR No such client");
    else
        reply_ok(c);
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if a client blocked in a blocking
 * command was released, 0 otherwise. */
static void cmd_client_unblock(client *c) {
    long long id;
    if (!vg_str2ll(c->argv[2].ptr, c->argv[2].len, &id)) {
        reply_not_integer(c);
        return;
    }
    bool with_error = false;
    if (c->argc == 4) {
        if (arg_is(&c->argv[3], "error"))
            with_error = true;
        else if (!arg_is(&c->argv[3], "timeout")) {
            reply_error(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    client *target = id > 0 ? client_by_id((uint64_t)id) : NULL;
    reply_int(c, target && blocking_unblock(target, with_error) ? 1 : 0);
}

static void cmd_client_no_evict(client *c) {
    if (arg_is(&c->argv[2], "on"))
        c->flags |= CLIENT_NO_EVICT;
    else if (arg_is(&c->argv[2], "off"))
        c->flags &= ~CLIENT_NO_EVICT;
    else {
        reply_syntax_error(c);
        return;
    }
    reply_ok(c);
}

/* OFF and SKIP take effect at once: command_call drops this very reply too. */
static void cmd_client_reply(client *c) {
    if (arg_is(&c->argv[2], "on")) {
        c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP);
        reply_ok(c);
    } else if (arg_is(&c->argv[2], "off")) {
        c->flags |= CLIENT_REPLY_OFF;
    } else if (arg_is(&c->argv[2], "skip")) {
        if (!(c->flags & CLIENT_REPLY_OFF)) c->flags |= CLIENT_REPLY_SKIP;
    } else {
        reply_syntax_error(c);
    }
}

/* ----------------------------------------------------------------- pause */

static void cmd_client_pause(client *c) {
    long long ms;
    if (!vg_str2ll(c->argv[2].ptr, c->argv[2].len, &ms)) {
        reply_error(c, "ERR timeout is not an integer or out of range");
        return;
    }
    if (ms < 0) {
        reply_error(c, "ERR timeout is negative");
        return;
    }
    int mode = CLIENT_PAUSE_ALL;
    if (c->argc == 4) {
        if (arg_is(&c->argv[3], "write"))
            mode = CLIENT_PAUSE_WRITE;
        else if (!arg_is(&c->argv[3], "all")) {
            reply_error(c, "ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    } else if (c->argc > 4) {
        reply_syntax_error(c);
        return;
    }
    client_pause_start(mode, server.now_ms + ms);
    reply_ok(c);
}

static void cmd_client_unpause(client *c) {
    reply_ok(c);
    client_pause_end();
}

static void cmd_client_help(client *c) {
    static const char *const lines[] = {
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        NULL,
    };
    reply_help(c, lines);
}

#define CLIENT_CMD_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define CLIENT_ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static command client_subcommands[] = {
    {.name = "id",
     .proc = cmd_client_id,
     .arity = 2,
     .flags = CLIENT_CMD_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Returns the client ID for the current connection",
     .since = "5.0.0",
     .group = "connection"},
    {.name = "getname",
     .proc = cmd_client_getname,
     .arity = 2,
     .flags = CLIENT_CMD_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Get the current connection name",
     .since = "2.6.9",
     .group = "connection"},
    {.name = "setname",
     .proc = cmd_client_setname,
     .arity = 3,
     .flags = CLIENT_CMD_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Set the current connection name",
     .since = "2.6.9",
     .group = "connection"},
    {.name = "setinfo",
     .proc = cmd_client_setinfo,
     .arity = 4,
     .flags = CLIENT_CMD_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Set client or connection specific info",
     .since = "7.2.0",
     .group = "connection"},
    {.name = "info",
     .proc = cmd_client_info,
     .arity = 2,
     .flags = CLIENT_CMD_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Returns information about the current client connection.",
     .since = "6.2.0",
     .group = "connection"},
    {.name = "list",
     .proc = cmd_client_list,
     .arity = -2,
     .flags = CLIENT_ADMIN_FLAGS,
     .acl_cats = "@admin @slow @dangerous @connection",
     .summary = "Get the list of client connections",
     .since = "2.4.0",
     .group = "connection"},
    {.name = "unblock",
     .proc = cmd_client_unblock,
     .arity = -3,
     .flags = CLIENT_ADMIN_FLAGS,
     .acl_cats = "@admin @slow @dangerous @connection",
     .summary = "Unblock a client blocked in a blocking command from a different connection",
     .since = "5.0.0",
     .group = "connection"},
    {.name = "kill",
     .proc = cmd_client_kill,
     .arity = -3,
     .flags = CLIENT_ADMIN_FLAGS,
     .acl_cats = "@admin @slow @dangerous @connection",
     .summary = "Kill the connection of a client",
     .since = "2.4.0",
     .group = "connection"},
    {.name = "no-evict",
     .proc = cmd_client_no_evict,
     .arity = 3,
     .flags = CLIENT_ADMIN_FLAGS,
     .acl_cats = "@admin @slow @dangerous @connection",
     .summary = "Set client eviction mode for the current connection",
     .since = "7.0.0",
     .group = "connection"},
    {.name = "reply",
     .proc = cmd_client_reply,
     .arity = 3,
     .flags = CLIENT_CMD_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Instruct the server whether to reply to commands",
     .since = "3.2.0",
     .group = "connection"},
    {.name = "pause",
     .proc = cmd_client_pause,
     .arity = -3,
     .flags = CLIENT_ADMIN_FLAGS,
     .acl_cats = "@admin @slow @dangerous @connection",
     .summary = "Stop processing commands from clients for some time",
     .since = "2.9.50",
     .group = "connection"},
    {.name = "unpause",
     .proc = cmd_client_unpause,
     .arity = 2,
     .flags = CLIENT_ADMIN_FLAGS,
     .acl_cats = "@admin @slow @dangerous @connection",
     .summary = "Resume processing of clients that were paused",
     .since = "6.2.0",
     .group = "connection"},
    {.name = "help",
     .proc = cmd_client_help,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_cats = "@slow @connection",
     .summary = "Show helpful text about the different subcommands",
     .since = "5.0.0",
     .group = "connection"},
    {.name = NULL},
};

static command client_commands[] = {
    {.name = "client",
     .arity = -2,
     .acl_cats = "@slow",
     .subcommands = client_subcommands,
     .summary = "A container for client connection commands",
     .since = "2.4.0",
     .group = "connection"},
};
COMMAND_TABLE(client_commands)
