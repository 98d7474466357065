/* multi.c -- transactions: MULTI EXEC DISCARD WATCH UNWATCH.
 *
 * Owns: per-client multi_state (queued argv copies, watched keys) and the
 * registry of watched keys. Registry layout: one dict per db index whose
 * nodes are `watch_entry` (key inline) holding an array of clients. Each
 * client keeps its own list of (db, key) so UNWATCH is O(watched). */
#include "multi.h"

#include <string.h>

#include "acl.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

typedef struct watch_entry {
    dict_node node;   /* in registry[db] */
    client **clients; /* owned array of borrowed clients */
    size_t nclients;
    size_t cap;
    uint32_t keylen;
    char key[];
} watch_entry;

typedef struct queued_cmd {
    command *cmd;   /* borrowed: static table */
    vg_slice *argv; /* owned copies */
    int argc;
} queued_cmd;

typedef struct watched_key {
    int dbid;
    bool was_expired;   /* logically expired when WATCHed */
    watch_entry *entry; /* borrowed: registry node */
} watched_key;

typedef struct multi_state {
    queued_cmd *cmds;
    int ncmds;
    int cap;
    watched_key *watched;
    size_t nwatched;
    size_t wcap;
} multi_state;

static dict *registry; /* owned: server.databases dicts */
static long long total_watched;

static const char *entry_key(const dict_node *n, size_t *len) {
    const watch_entry *e = (const watch_entry *)n;
    *len = e->keylen;
    return e->key;
}

static const dict_type watch_type = {entry_key};

static dict *registry_for(int dbid) {
    if (registry == NULL) {
        registry = vg_calloc((size_t)server.databases * sizeof(dict));
        for (long long i = 0; i < server.databases; i++)
            dict_init(&registry[i], &watch_type);
    }
    return &registry[dbid];
}

static multi_state *state(client *c, bool create) {
    if (c->multi == NULL && create) c->multi = vg_calloc(sizeof(multi_state));
    return c->multi;
}

static void free_queue(multi_state *m) {
    for (int i = 0; i < m->ncmds; i++)
        client_argv_free(m->cmds[i].argv, m->cmds[i].argc);
    vg_free(m->cmds);
    m->cmds = NULL;
    m->ncmds = m->cap = 0;
}

static void unwatch_all(client *c) {
    multi_state *m = c->multi;
    if (m == NULL) return;
    for (size_t i = 0; i < m->nwatched; i++) {
        watch_entry *e = m->watched[i].entry;
        for (size_t j = 0; j < e->nclients; j++) {
            if (e->clients[j] == c) {
                e->clients[j] = e->clients[--e->nclients];
                break;
            }
        }
        if (e->nclients == 0) {
            dict_unlink(registry_for(m->watched[i].dbid), e->key, e->keylen);
            vg_free(e->clients);
            vg_free(e);
        }
        total_watched--;
    }
    vg_free(m->watched);
    m->watched = NULL;
    m->nwatched = m->wcap = 0;
}

static void discard(client *c) {
    multi_state *m = c->multi;
    if (m) free_queue(m);
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC | CLIENT_DIRTY_CAS);
    unwatch_all(c);
}

void multi_client_reset(client *c) {
    discard(c);
    vg_free(c->multi);
    c->multi = NULL;
}

long long multi_queued_count(const client *c) {
    return (c->flags & CLIENT_MULTI) && c->multi ? c->multi->ncmds : -1;
}

void multi_flag_error(client *c) {
    if (c->flags & CLIENT_MULTI) c->flags |= CLIENT_DIRTY_EXEC;
}

static bool runs_inside_multi(const command *cmd) {
    const char *n = cmd->parent ? cmd->parent->name : cmd->name;
    return strcmp(n, "exec") == 0 || strcmp(n, "discard") == 0 || strcmp(n, "multi") == 0 ||
           strcmp(n, "watch") == 0 || strcmp(n, "quit") == 0 || strcmp(n, "reset") == 0;
}

bool multi_maybe_queue(client *c, command *cmd) {
    if (!(c->flags & CLIENT_MULTI) || runs_inside_multi(cmd)) return false;
    if (cmd->flags & CMD_NO_MULTI) {
        reply_error(c, "ERR Command not allowed inside a transaction");
        multi_flag_error(c);
        return true;
    }
    multi_state *m = state(c, true);
    if (m->ncmds == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->cmds = vg_realloc(m->cmds, (size_t)m->cap * sizeof(queued_cmd));
    }
    m->cmds[m->ncmds].cmd = cmd;
    m->cmds[m->ncmds].argv = client_argv_copy(c);
    m->cmds[m->ncmds].argc = c->argc;
    m->ncmds++;
    reply_simple(c, "QUEUED");
    return true;
}

bool multi_queued_writes(const client *c) {
    const multi_state *m = c->multi;
    for (int i = 0; m && i < m->ncmds; i++)
        if (m->cmds[i].cmd->flags & CMD_WRITE) return true;
    return false;
}

bool multi_exec_abort(client *c, const char *why) {
    if (!(c->flags & CLIENT_MULTI)) return false;
    discard(c);
    reply_errorf(c, "EXECABORT Transaction discarded because of: %s", why);
    return true;
}

static void cmd_multi(client *c) {
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "ERR MULTI calls can not be nested");
        return;
    }
    state(c, true);
    c->flags |= CLIENT_MULTI;
    reply_ok(c);
}

static void cmd_discard(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "ERR DISCARD without MULTI");
        return;
    }
    discard(c);
    reply_ok(c);
}

/* A watched key that was alive at WATCH time and is expired now counts as changed. */
static bool watched_key_expired(client *c) {
    multi_state *m = c->multi;
    for (size_t i = 0; m && i < m->nwatched; i++) {
        if (m->watched[i].was_expired) continue;
        watch_entry *e = m->watched[i].entry;
        db *d = &server.dbs[m->watched[i].dbid];
        kv *o = db_find(d, e->key, e->keylen);
        if (o && db_key_is_expired(d, o, server.now_ms)) return true;
    }
    return false;
}

/* A queued command the user may no longer run: Redis words it apart from
 * the NOPERM given at queuing time. */
static void reply_acl_changed(client *c, int denied) {
    const char *why = denied == ACL_DENIED_CMD
                          ? "no permission to execute the command or subcommand"
                      : denied == ACL_DENIED_KEY ? "no permission to touch the specified keys"
                      : denied == ACL_DENIED_CHANNEL
                          ? "no permission to access one of the channels used as arguments"
                          : "no permission";
    reply_errorf(c,
                 "NOPERM ACLs rules changed between the moment the transaction was accumulated "
                 "and the EXEC call. This command is no longer allowed for the following "
                 "reason: %s",
                 why);
}

static void cmd_exec(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "ERR EXEC without MULTI");
        return;
    }
    if (c->flags & CLIENT_DIRTY_EXEC) {
        reply_error(c, "EXECABORT Transaction discarded because of previous errors.");
        discard(c);
        return;
    }
    if ((c->flags & CLIENT_DIRTY_CAS) || watched_key_expired(c)) {
        reply_null_array(c);
        discard(c);
        return;
    }
    unwatch_all(c); /* our own writes must not dirty us */
    /* EXEC never goes out itself: its queued writes do, in MULTI/EXEC if more than one. */
    propagate_suppress(c);
    multi_state *m = c->multi;
    queued_cmd *cmds = m->cmds;
    int n = m->ncmds;
    m->cmds = NULL;
    m->ncmds = m->cap = 0;
    /* CLIENT_MULTI stays set while the queue runs so blocking commands
     * behave as non-blocking; it is cleared once EXEC is done. */
    vg_slice *saved_argv = c->argv;
    int saved_argc = c->argc;
    reply_array(c, n);
    for (int i = 0; i < n; i++) {
        c->argv = cmds[i].argv;
        c->argc = cmds[i].argc;
        /* The user's rules may have changed since queuing. */
        int denied = acl_check_log(c, cmds[i].cmd, "multi");
        if (denied == ACL_OK)
            command_call(c, cmds[i].cmd);
        else
            reply_acl_changed(c, denied);
        client_argv_free(cmds[i].argv, cmds[i].argc);
    }
    vg_free(cmds);
    c->argv = saved_argv;
    c->argc = saved_argc;
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC | CLIENT_DIRTY_CAS);
}

static void watch_one(client *c, const vg_slice *key) {
    multi_state *m = state(c, true);
    dict *d = registry_for(c->db->id);
    for (size_t i = 0; i < m->nwatched; i++)
        if (m->watched[i].dbid == c->db->id && m->watched[i].entry->keylen == key->len &&
            memcmp(m->watched[i].entry->key, key->ptr, key->len) == 0)
            return;
    watch_entry *e = (watch_entry *)dict_find(d, key->ptr, key->len);
    if (e == NULL) {
        e = vg_calloc(sizeof(watch_entry) + key->len + 1);
        e->keylen = (uint32_t)key->len;
        memcpy(e->key, key->ptr, key->len);
        dict_add(d, &e->node);
    }
    if (e->nclients == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 2;
        e->clients = vg_realloc(e->clients, e->cap * sizeof(client *));
    }
    e->clients[e->nclients++] = c;
    if (m->nwatched == m->wcap) {
        m->wcap = m->wcap ? m->wcap * 2 : 4;
        m->watched = vg_realloc(m->watched, m->wcap * sizeof(watched_key));
    }
    kv *o = db_find(c->db, key->ptr, key->len);
    m->watched[m->nwatched].dbid = c->db->id;
    m->watched[m->nwatched].entry = e;
    m->watched[m->nwatched].was_expired = o && db_key_is_expired(c->db, o, server.now_ms);
    m->nwatched++;
    total_watched++;
}

static void cmd_watch(client *c) {
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    for (int i = 1; i < c->argc; i++)
        watch_one(c, &c->argv[i]);
    reply_ok(c);
}

static void cmd_unwatch(client *c) {
    unwatch_all(c);
    c->flags &= ~CLIENT_DIRTY_CAS;
    reply_ok(c);
}

static bool key_expired_in(db *d, const watch_entry *e) {
    kv *o = db_find(d, e->key, e->keylen);
    return o && db_key_is_expired(d, o, server.now_ms);
}

/* c's record of watching entry e in db dbid. */
static watched_key *record_of(client *c, int dbid, const watch_entry *e) {
    multi_state *m = c->multi;
    for (size_t i = 0; m && i < m->nwatched; i++)
        if (m->watched[i].dbid == dbid && m->watched[i].entry == e) return &m->watched[i];
    return NULL;
}

/* As Redis: a key already expired when WATCHed that is now gone (deleted by
 * its expiry) is no logical change, nor is a touch while it is still the
 * same expired key; writing a live value over it is. */
void multi_touch_key(int dbid, const char *key, size_t klen) {
    if (total_watched == 0) return;
    watch_entry *e = (watch_entry *)dict_find(registry_for(dbid), key, klen);
    if (e == NULL) return;
    db *d = &server.dbs[dbid];
    bool exists = db_find(d, key, klen) != NULL;
    for (size_t i = 0; i < e->nclients; i++) {
        watched_key *w = record_of(e->clients[i], dbid, e);
        if (w && w->was_expired) {
            if (!exists) {
                w->was_expired = false;
                continue;
            }
            if (key_expired_in(d, e)) continue; /* the same dead key */
        }
        e->clients[i]->flags |= CLIENT_DIRTY_CAS;
    }
}

typedef struct touch_db_ctx {
    int dbid;
    db *emptied, *replaced;
} touch_db_ctx;

/* Redis' touchAllWatchedKeysInDb for one watched key. */
static void touch_entry_in_db(dict_node *n, void *arg) {
    touch_db_ctx *x = arg;
    watch_entry *e = (watch_entry *)n;
    bool in_emptied = db_find(x->emptied, e->key, e->keylen) != NULL;
    bool in_replaced = x->replaced && db_find(x->replaced, e->key, e->keylen) != NULL;
    if (!in_emptied && !in_replaced) return;
    for (size_t i = 0; i < e->nclients; i++) {
        watched_key *w = record_of(e->clients[i], x->dbid, e);
        if (w && w->was_expired) {
            if (!in_replaced) {
                w->was_expired = false; /* expired key now deleted: no change */
                continue;
            }
            if (key_expired_in(x->replaced, e)) continue; /* still expired */
        } else if (w && !in_emptied && key_expired_in(x->replaced, e)) {
            w->was_expired = true; /* a missing key replaced by an expired one */
            continue;
        }
        e->clients[i]->flags |= CLIENT_DIRTY_CAS;
    }
}

void multi_touch_db(int dbid, db *emptied, db *replaced_with) {
    if (total_watched == 0) return;
    touch_db_ctx x = {dbid, emptied, replaced_with};
    dict_foreach(registry_for(dbid), touch_entry_in_db, &x);
}

static command multi_commands[] = {
    {.name = "multi",
     .proc = cmd_multi,
     .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_ALLOW_BUSY,
     .acl_cats = "@transaction",
     .summary = "Mark the start of a transaction block",
     .since = "1.2.0",
     .group = "transactions"},
    {.name = "exec",
     .proc = cmd_exec,
     .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_SKIP_SLOWLOG,
     .acl_cats = "@transaction",
     .summary = "Execute all commands issued after MULTI",
     .since = "1.2.0",
     .group = "transactions"},
    {.name = "discard",
     .proc = cmd_discard,
     .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_ALLOW_BUSY,
     .acl_cats = "@transaction",
     .summary = "Discard all commands issued after MULTI",
     .since = "2.0.0",
     .group = "transactions"},
    {.name = "watch",
     .proc = cmd_watch,
     .arity = -2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_ALLOW_BUSY,
     .acl_cats = "@transaction",
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_need_first = CMD_KEY_NONE,
     .key_need_rest = CMD_KEY_NONE,
     .summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
     .since = "2.2.0",
     .group = "transactions"},
    {.name = "unwatch",
     .proc = cmd_unwatch,
     .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_ALLOW_BUSY,
     .acl_cats = "@transaction",
     .summary = "Forget about all watched keys",
     .since = "2.2.0",
     .group = "transactions"},
};
COMMAND_TABLE(multi_commands)
