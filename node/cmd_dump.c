/* cmd_dump.c -- DUMP, RESTORE and RESTORE-ASKING.
 *
 * Owns: nothing; the payload is keyspace/rdb_dump.h's. Replies, errors and
 * their order follow Redis 7.0.15's restoreCommand: options, then the
 * existing key (-BUSYKEY), then the TTL, then the payload's footer, then
 * its value. A RESTORE whose TTL is already past creates nothing (with
 * REPLACE it deletes the old key and propagates as DEL); a relative TTL
 * propagates as the absolute time with ABSTTL appended, so replicas and
 * the AOF cannot drift. */
#include <string.h>

#include "cmd_util.h"
#include "command.h"
#include "log.h"
#include "notify.h"
#include "persistence.h"
#include "propagate.h"
#include "rdb_dump.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

static void cmd_dump(client *c) {
    kv *o = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, 0);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    size_t len;
    unsigned char *p = rdb_dump_payload(o, server.persist.rdbcompression != 0, &len);
    reply_bulk(c, (const char *)p, len);
    vg_free(p);
}

typedef struct restore_args {
    bool replace;   /* REPLACE */
    bool absttl;    /* ABSTTL */
    long long idle; /* IDLETIME seconds, or -1 */
    long long freq; /* FREQ counter, or -1 */
    long long ttl;  /* ms: relative, or absolute with ABSTTL; 0 = none */
} restore_args;

/* The options after the payload. IDLETIME and FREQ exclude each other: the
 * second one is a syntax error, as in Redis. */
static bool restore_parse_opts(client *c, restore_args *a) {
    for (int j = 4; j < c->argc; j++) {
        const vg_slice *opt = &c->argv[j];
        bool more = j + 1 < c->argc;
        if (arg_is(opt, "replace")) {
            a->replace = true;
        } else if (arg_is(opt, "absttl")) {
            a->absttl = true;
        } else if (arg_is(opt, "idletime") && more && a->freq == -1) {
            if (!arg_ll(c, &c->argv[++j], &a->idle)) return false;
            if (a->idle < 0) {
                reply_error(c, "ERR Invalid IDLETIME value, must be >= 0");
                return false;
            }
        } else if (arg_is(opt, "freq") && more && a->idle == -1) {
            if (!arg_ll(c, &c->argv[++j], &a->freq)) return false;
            if (a->freq < 0 || a->freq > 255) {
                reply_error(c, "ERR Invalid FREQ value, must be >= 0 and <= 255");
                return false;
            }
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    return true;
}

static rdb_load_opts restore_load_opts(void) {
    rdb_load_opts o = {
        .hash = server.hash,
        .set = server.set,
        .list = server.list,
        .zset_max_entries = (size_t)server.zset_max_listpack_entries,
        .zset_max_value = (size_t)server.zset_max_listpack_value,
        .now_ms = server.now_ms,
    };
    return o;
}

/* Checks in Redis' order, then the value. NULL: the error is sent. */
static kv *restore_value(client *c, restore_args *a) {
    const vg_slice *k = &c->argv[1], *payload = &c->argv[3];
    if (!restore_parse_opts(c, a)) return NULL;
    if (!a->replace && db_lookup_write(c->db, k->ptr, k->len) != NULL) {
        reply_error(c, "BUSYKEY Target key name already exists.");
        return NULL;
    }
    if (!arg_ll(c, &c->argv[2], &a->ttl)) return NULL;
    if (a->ttl < 0) {
        reply_error(c, "ERR Invalid TTL value, must be >= 0");
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)payload->ptr;
    if (!rdb_dump_verify(p, payload->len, NULL)) {
        reply_error(c, "ERR DUMP payload version or checksum are wrong");
        return NULL;
    }
    rdb_load_opts opt = restore_load_opts();
    vg_error err = {{0}};
    kv *o;
    if (rdb_dump_decode(p, payload->len, &opt, k->ptr, k->len, &o, &err) != VG_OK) {
        LOG_VERBOSE("RESTORE refused a payload: %s", err.msg);
        reply_error(c, "ERR Bad data format");
        return NULL;
    }
    return o;
}

/* The command as it goes out: the absolute expire time, then ABSTTL. */
static void restore_propagate_absttl(client *c, long long when) {
    if (!propagate_active()) return;
    vg_slice *v = vg_malloc(sizeof(vg_slice) * ((size_t)c->argc + 1));
    memcpy(v, c->argv, sizeof(vg_slice) * (size_t)c->argc);
    char ms[24];
    v[2] = (vg_slice){ms, (size_t)vg_ll2str(ms, when)};
    v[c->argc] = PROPAGATE_LIT("ABSTTL");
    propagate_rewrite_argv(c, c->argc + 1, v);
    vg_free(v);
}

static void cmd_restore(client *c) {
    const vg_slice *k = &c->argv[1];
    restore_args a = {false, false, -1, -1, 0};
    kv *o = restore_value(c, &a);
    if (o == NULL) return;
    bool deleted = a.replace && db_delete(c->db, k->ptr, k->len);
    /* A relative TTL too big for the clock wraps negative, hence past, as
     * Redis' signed addition does on every machine it runs on. */
    long long when = a.ttl;
    if (when && !a.absttl) when = (long long)((uint64_t)a.ttl + (uint64_t)server.now_ms);
    if (when && when <= server.now_ms && !server_is_replica()) {
        /* Already expired: nothing is created; an old value REPLACE removed
         * is a plain deletion. */
        if (deleted) {
            vg_slice del[2] = {PROPAGATE_LIT("DEL"), *k};
            propagate_rewrite_argv(c, 2, del);
            key_changed(c, k, NOTIFY_GENERIC, "del");
        }
        kv_free(o);
        reply_ok(c);
        return;
    }
    db_add(c->db, o);
    if (when) {
        db_set_expire(c->db, o, when);
        if (!a.absttl) restore_propagate_absttl(c, when);
    }
    if (a.freq >= 0) persist_access_restore(o, RDB_ACCESS_FREQ, (unsigned long long)a.freq);
    if (a.idle >= 0) persist_access_restore(o, RDB_ACCESS_IDLE, (unsigned long long)a.idle);
    key_changed(c, k, NOTIFY_GENERIC, "restore");
    reply_ok(c);
}

#define KEY1 .first_key = 1, .last_key = 1, .key_step = 1

static command dump_commands[] = {
    {.name = "dump",
     .proc = cmd_dump,
     .arity = 2,
     .flags = CMD_READONLY,
     .acl_cats = "@keyspace @read @slow",
     KEY1,
     .summary = "Return a serialized version of the value stored at the specified key.",
     .since = "2.6.0",
     .group = "generic"},
    {.name = "restore",
     .proc = cmd_restore,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .acl_cats = "@keyspace @write @slow @dangerous",
     KEY1,
     .summary = "Create a key using the provided serialized value, previously obtained using DUMP.",
     .since = "2.6.0",
     .group = "generic"},
    {.name = "restore-asking",
     .proc = cmd_restore,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_ASKING,
     .acl_cats = "@keyspace @write @slow @dangerous",
     KEY1,
     .summary = "An internal command for migrating keys in a cluster",
     .since = "3.0.0",
     .group = "server"},
};
COMMAND_TABLE(dump_commands)
