/* cmd_server.c -- server commands: COMMAND, TIME, LASTSAVE, MEMORY,
 * SHUTDOWN and DEBUG (SLEEP, OBJECT, DIGEST, DIGEST-VALUE, RELOAD, POPULATE).
 *
 * Owns: nothing; reads the command table and the keyspace. DEBUG SLEEP
 * blocks the loop on purpose, as Redis does, so tests can hold a node busy.
 * DEBUG is CMD_PROTECTED: dispatch runs it only where enable-debug-command
 * allows, so DEBUG OBJECT may print the value's address as Redis does.
 *
 * SHUTDOWN's save, LASTSAVE and DEBUG RELOAD come from persistence.h;
 * DEBUG OBJECT's serializedlength from rdb.h; DEBUG DIGEST from digest.h. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "acl_cats.h"
#include "acl_cmds.h"
#include "cmd_util.h"
#include "command.h"
#include "db.h"
#include "digest.h"
#include "glob.h"
#include "info.h"
#include "loading.h"
#include "log.h"
#include "persistence.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

#define SHUTDOWN_NOSAVE (1 << 0)
#define SHUTDOWN_SAVE (1 << 1)
#define SHUTDOWN_NOW (1 << 2)
#define SHUTDOWN_FORCE (1 << 3)

/* ---------------------------------------------------------------- COMMAND */

static void reply_acl_categories(client *c, const command *cmd) {
    long long n = 0;
    for (size_t i = 0; i < acl_cats_count(); i++)
        if (cmd->acl_bits & (1ULL << i)) n++;
    reply_set(c, n);
    char name[64];
    for (size_t i = 0; i < acl_cats_count(); i++)
        if (cmd->acl_bits & (1ULL << i)) {
            snprintf(name, sizeof(name), "@%s", acl_cat_name(i));
            reply_simple(c, name);
        }
}

/* One key spec derived from first/last/step, the way Redis 7 describes a range. */
static void reply_key_specs(client *c, const command *cmd) {
    if (cmd->first_key <= 0) {
        reply_set(c, 0);
        return;
    }
    reply_set(c, 1);
    reply_map(c, 3);
    reply_bulk_str(c, "flags");
    bool write = cmd->flags & CMD_WRITE;
    reply_set(c, 2);
    reply_simple(c, write ? "RW" : "RO");
    reply_simple(c, write ? "update" : "access");
    reply_bulk_str(c, "begin_search");
    reply_map(c, 2);
    reply_bulk_str(c, "type");
    reply_bulk_str(c, "index");
    reply_bulk_str(c, "spec");
    reply_map(c, 1);
    reply_bulk_str(c, "index");
    reply_int(c, cmd->first_key);
    reply_bulk_str(c, "find_keys");
    reply_map(c, 2);
    reply_bulk_str(c, "type");
    reply_bulk_str(c, "range");
    reply_bulk_str(c, "spec");
    reply_map(c, 3);
    reply_bulk_str(c, "lastkey");
    reply_int(c, cmd->last_key < 0 ? cmd->last_key : cmd->last_key - cmd->first_key);
    reply_bulk_str(c, "keystep");
    reply_int(c, cmd->key_step > 0 ? cmd->key_step : 1);
    reply_bulk_str(c, "limit");
    reply_int(c, 0);
}

static long long count_subcommands(const command *cmd) {
    long long n = 0;
    if (cmd->subcommands)
        for (const command *s = cmd->subcommands; s->name; s++)
            n++;
    return n;
}

static void reply_command_info(client *c, const command *cmd) {
    reply_array(c, 10);
    reply_bulk_str(c, cmd->fullname);
    reply_int(c, cmd->arity);
    command_reply_flags(c, cmd);
    reply_int(c, cmd->first_key);
    reply_int(c, cmd->first_key ? cmd->last_key : 0);
    reply_int(c, cmd->first_key ? (cmd->key_step ? cmd->key_step : 1) : 0);
    reply_acl_categories(c, cmd);
    reply_set(c, 0); /* tips */
    reply_key_specs(c, cmd);
    reply_set(c, count_subcommands(cmd));
    if (cmd->subcommands)
        for (const command *s = cmd->subcommands; s->name; s++)
            reply_command_info(c, s);
}

static void cmd_command_all(client *c) {
    reply_array(c, (long long)command_count());
    for (size_t i = 0; i < command_count(); i++)
        reply_command_info(c, command_at(i));
}

static void cmd_command_count(client *c) {
    reply_int(c, (long long)command_count());
}

/* "config|get" or "config get" style names, as COMMAND INFO/DOCS accept. */
static const command *lookup_fullname(const char *name, size_t len) {
    const char *bar = memchr(name, '|', len);
    if (bar == NULL) return command_lookup(name, len);
    const command *parent = command_lookup(name, (size_t)(bar - name));
    return parent ? command_lookup_sub(parent, bar + 1, len - (size_t)(bar - name) - 1) : NULL;
}

static void cmd_command_info(client *c) {
    if (c->argc == 2) {
        cmd_command_all(c);
        return;
    }
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        const command *cmd = lookup_fullname(c->argv[i].ptr, c->argv[i].len);
        if (cmd)
            reply_command_info(c, cmd);
        else
            reply_null_array(c);
    }
}

static void reply_command_docs(client *c, const command *cmd) {
    long long fields = (cmd->summary ? 1 : 0) + (cmd->since ? 1 : 0) + (cmd->group ? 1 : 0) +
                       (cmd->subcommands ? 1 : 0);
    reply_map(c, fields);
    if (cmd->summary) {
        reply_bulk_str(c, "summary");
        reply_bulk_str(c, cmd->summary);
    }
    if (cmd->since) {
        reply_bulk_str(c, "since");
        reply_bulk_str(c, cmd->since);
    }
    if (cmd->group) {
        reply_bulk_str(c, "group");
        reply_bulk_str(c, cmd->group);
    }
    if (cmd->subcommands) {
        reply_bulk_str(c, "subcommands");
        reply_map(c, count_subcommands(cmd));
        for (const command *s = cmd->subcommands; s->name; s++) {
            reply_bulk_str(c, s->fullname);
            reply_command_docs(c, s);
        }
    }
}

static void cmd_command_docs(client *c) {
    if (c->argc == 2) {
        reply_map(c, (long long)command_count());
        for (size_t i = 0; i < command_count(); i++) {
            reply_bulk_str(c, command_at(i)->fullname);
            reply_command_docs(c, command_at(i));
        }
        return;
    }
    long long found = 0;
    for (int i = 2; i < c->argc; i++)
        if (lookup_fullname(c->argv[i].ptr, c->argv[i].len)) found++;
    reply_map(c, found);
    for (int i = 2; i < c->argc; i++) {
        const command *cmd = lookup_fullname(c->argv[i].ptr, c->argv[i].len);
        if (cmd) {
            reply_bulk_str(c, cmd->fullname);
            reply_command_docs(c, cmd);
        }
    }
}

enum list_filter { LIST_ALL, LIST_ACLCAT, LIST_PATTERN, LIST_MODULE };

static bool list_wants(const command *cmd, int filter, const vg_slice *arg, uint64_t catbit) {
    switch (filter) {
    case LIST_ACLCAT:
        return catbit && (cmd->acl_bits & catbit);
    case LIST_PATTERN:
        return glob_match(arg->ptr, arg->len, cmd->fullname, strlen(cmd->fullname), true);
    case LIST_MODULE:
        return false; /* no modules are loaded */
    default:
        return true;
    }
}

static void cmd_command_list(client *c) {
    int filter = LIST_ALL;
    const vg_slice *arg = NULL;
    if (c->argc == 5 && arg_is(&c->argv[2], "filterby")) {
        arg = &c->argv[4];
        if (arg_is(&c->argv[3], "aclcat"))
            filter = LIST_ACLCAT;
        else if (arg_is(&c->argv[3], "pattern"))
            filter = LIST_PATTERN;
        else if (arg_is(&c->argv[3], "module"))
            filter = LIST_MODULE;
        else
            filter = -1;
    } else if (c->argc != 2) {
        filter = -1;
    }
    if (filter < 0) {
        reply_syntax_error(c);
        return;
    }
    uint64_t catbit = filter == LIST_ACLCAT ? acl_cat_bit(arg->ptr, arg->len) : 0;
    size_t handle = reply_deferred(c);
    long long n = 0;
    for (size_t i = 0; i < command_count(); i++) {
        const command *cmd = command_at(i);
        if (list_wants(cmd, filter, arg, catbit)) {
            reply_bulk_str(c, cmd->fullname);
            n++;
        }
        if (cmd->subcommands)
            for (const command *s = cmd->subcommands; s->name; s++)
                if (list_wants(s, filter, arg, catbit)) {
                    reply_bulk_str(c, s->fullname);
                    n++;
                }
    }
    reply_deferred_array(c, handle, n);
}

static bool arity_fits(const command *cmd, int argc) {
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

static void collect_key(const vg_slice *key, void *arg) {
    client *c = arg;
    reply_bulk(c, key->ptr, key->len);
}

static void count_key(const vg_slice *key, void *arg) {
    (void)key;
    (*(int *)arg)++;
}

static void cmd_command_getkeys(client *c) {
    const vg_slice *argv = c->argv + 2;
    int argc = c->argc - 2;
    const command *cmd = command_lookup(argv[0].ptr, argv[0].len);
    if (cmd && cmd->subcommands && argc >= 2)
        cmd = command_lookup_sub(cmd, argv[1].ptr, argv[1].len); /* unknown: invalid */
    bool redis_keyless = cmd == NULL && acl_cmds_redis_keyless(argv[0].ptr, argv[0].len,
                                                               argc >= 2 ? argv[1].ptr : NULL,
                                                               argc >= 2 ? argv[1].len : 0);
    if (cmd == NULL && !redis_keyless) {
        reply_error(c, "ERR Invalid command specified");
        return;
    }
    if (redis_keyless || (cmd->first_key <= 0 && cmd->numkeys_arg <= 0)) {
        reply_error(c, "ERR The command has no key arguments");
        return;
    }
    if (!arity_fits(cmd, argc)) {
        reply_error(c, "ERR Invalid number of arguments specified for command");
        return;
    }
    int n = 0;
    command_keys(cmd, argv, argc, count_key, &n);
    if (n == 0) {
        reply_error(c, "ERR Invalid arguments specified for command");
        return;
    }
    reply_array(c, n);
    command_keys(cmd, argv, argc, collect_key, c);
}

static void cmd_command_help(client *c) {
    static const char *const lines[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        NULL,
    };
    reply_help(c, lines);
}

/* ------------------------------------------------------- TIME, LASTSAVE */

static void cmd_time(client *c) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    reply_array(c, 2);
    reply_bulk_ll(c, (long long)tv.tv_sec);
    reply_bulk_ll(c, (long long)tv.tv_usec);
}

static void cmd_lastsave(client *c) {
    reply_int(c, persist_lastsave());
}

/* ---------------------------------------------------------------- MEMORY */

static void cmd_memory_usage(client *c) {
    if (c->argc != 3 && c->argc != 5) {
        reply_syntax_error(c);
        return;
    }
    if (c->argc == 5) {
        long long samples;
        if (!arg_is(&c->argv[3], "samples")) {
            reply_syntax_error(c);
            return;
        }
        if (!arg_ll(c, &c->argv[4], &samples)) return;
        /* Sizes are counted exactly (no sampling), so the count only needs to be valid. */
    }
    kv *o = db_lookup_read(c->db, c->argv[2].ptr, c->argv[2].len, DB_LOOKUP_NOTOUCH);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    reply_int(c, (long long)kv_memory(o));
}

static void stats_pair_ll(client *c, const char *name, long long v) {
    reply_bulk_str(c, name);
    reply_int(c, v);
}

static void stats_pair_double(client *c, const char *name, double v) {
    reply_bulk_str(c, name);
    reply_double(c, v);
}

static long long dbs_with_keys(void) {
    long long n = 0;
    for (long long i = 0; i < server.databases; i++)
        if (dict_size(&server.dbs[i].keys)) n++;
    return n;
}

static void stats_dbs(client *c) {
    for (long long i = 0; i < server.databases; i++) {
        const db *d = &server.dbs[i];
        if (dict_size(&d->keys) == 0) continue;
        char name[32];
        snprintf(name, sizeof(name), "db.%lld", i);
        reply_bulk_str(c, name);
        reply_map(c, 2);
        stats_pair_ll(c, "overhead.hashtable.main",
                      (long long)(dict_buckets(&d->keys) * sizeof(void *)));
        stats_pair_ll(c, "overhead.hashtable.expires", (long long)(d->volcap * sizeof(db_vol)));
    }
}

static void cmd_memory_stats(client *c) {
    info_mem m;
    info_memory_measure(&m);
    long long net = m.used - m.startup;
    reply_map(c, 21 + dbs_with_keys());
    stats_pair_ll(c, "peak.allocated", m.peak);
    stats_pair_ll(c, "total.allocated", m.used);
    stats_pair_ll(c, "startup.allocated", m.startup);
    stats_pair_ll(c, "replication.backlog", 0);
    stats_pair_ll(c, "clients.slaves", m.clients_replicas);
    stats_pair_ll(c, "clients.normal", m.clients_normal);
    stats_pair_ll(c, "cluster.links", 0);
    stats_pair_ll(c, "aof.buffer", 0);
    stats_pair_ll(c, "lua.caches", 0);
    stats_pair_ll(c, "functions.caches", 0);
    stats_dbs(c);
    stats_pair_ll(c, "overhead.total", m.overhead);
    stats_pair_ll(c, "keys.count", m.keys);
    stats_pair_ll(c, "keys.bytes-per-key", m.keys ? net / m.keys : 0);
    stats_pair_ll(c, "dataset.bytes", m.dataset);
    stats_pair_double(c, "dataset.percentage", net > 0 ? (double)m.dataset * 100 / (double)net : 0);
    stats_pair_double(c, "peak.percentage", m.peak ? (double)m.used * 100 / (double)m.peak : 0);
    stats_pair_ll(c, "allocator.allocated", m.used);
    stats_pair_ll(c, "allocator.resident", m.rss);
    stats_pair_double(c, "fragmentation", m.used ? (double)m.rss / (double)m.used : 0);
    stats_pair_ll(c, "fragmentation.bytes", m.rss - m.used);
    stats_pair_ll(c, "rss.bytes", m.rss);
}

static void cmd_memory_doctor(client *c) {
    info_mem m;
    info_memory_measure(&m);
    const char *text;
    if (m.used < 5 * 1024 * 1024) {
        text = "Hi Sam, this instance is empty or is using very little memory, my issues detector "
               "can't be used in these conditions. Please, leave for your mission on Earth and "
               "fill it with some data. The new Sam and I will be back to our programming as soon "
               "as I finished rebooting.\n";
    } else if (m.peak > m.used + m.used / 2) {
        text = "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
               " * Peak memory: In the past this instance used more than 150% the memory that is "
               "currently using. The allocator is normally not able to release memory after a "
               "peak, so you can expect to see a big fragmentation ratio, however this is "
               "actually harmless and is only due to the memory peak, and if the Redis instance "
               "Resident Set Size (RSS) is currently bigger than expected, the memory will be "
               "used as soon as you fill the Redis instance with more data. If the memory peak "
               "was only occasional and you want to try to reclaim memory, please try the MEMORY "
               "PURGE command, otherwise the only other option is to shutdown and restart the "
               "instance.\n\nI'm here to keep you safe, Sam. I want to help you.\n";
    } else {
        text = "Hi Sam, I can't find any memory issue in your instance. I can only account for "
               "what occurs on this base.\n";
    }
    reply_verbatim(c, text, strlen(text), "txt");
}

static void cmd_memory_malloc_stats(client *c) {
    static const char text[] = "Stats not supported for the current allocator";
    reply_verbatim(c, text, sizeof(text) - 1, "txt");
}

static void cmd_memory_purge(client *c) {
    malloc_trim(0);
    reply_ok(c);
}

static void cmd_memory_help(client *c) {
    static const char *const lines[] = {
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        NULL,
    };
    reply_help(c, lines);
}

/* -------------------------------------------------------------- SHUTDOWN */

static int shutdown_parse(client *c, int *flags, bool *abort_req) {
    *flags = 0;
    *abort_req = false;
    for (int i = 1; i < c->argc; i++) {
        if (arg_is(&c->argv[i], "nosave"))
            *flags |= SHUTDOWN_NOSAVE;
        else if (arg_is(&c->argv[i], "save"))
            *flags |= SHUTDOWN_SAVE;
        else if (arg_is(&c->argv[i], "now"))
            *flags |= SHUTDOWN_NOW;
        else if (arg_is(&c->argv[i], "force"))
            *flags |= SHUTDOWN_FORCE;
        else if (arg_is(&c->argv[i], "abort"))
            *abort_req = true;
        else
            return VG_ERR;
    }
    if ((*abort_req && *flags) || ((*flags & SHUTDOWN_NOSAVE) && (*flags & SHUTDOWN_SAVE)))
        return VG_ERR;
    return VG_OK;
}

static void cmd_shutdown(client *c) {
    int flags;
    bool abort_req;
    if (shutdown_parse(c, &flags, &abort_req) != VG_OK) {
        reply_syntax_error(c);
        return;
    }
    if (abort_req) {
        /* A shutdown here never waits (no replicas to wait for), so none can be in progress. */
        reply_error(c, "ERR No shutdown in progress.");
        return;
    }
    vg_error err = {{0}};
    int rc = VG_OK;
    rc = persist_shutdown_save((flags & SHUTDOWN_SAVE) != 0, (flags & SHUTDOWN_NOSAVE) != 0, &err);
    if (rc != VG_OK && !(flags & SHUTDOWN_FORCE)) {
        LOG_WARNING("Error trying to save the DB, can't exit: %s", err.msg);
        LOG_WARNING("Errors trying to shut down the server. Check the logs for more information.");
        reply_error(c, "ERR Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    /* No reply: the connection closes as the process exits. */
    server_request_shutdown(0);
}

/* ----------------------------------------------------------------- DEBUG */

static void debug_object(client *c) {
    kv *o = db_find(c->db, c->argv[2].ptr, c->argv[2].len);
    if (o == NULL || db_key_is_expired(c->db, o, server.now_ms)) {
        reply_error(c, "ERR no such key");
        return;
    }
    size_t slen = rdb_value_serialized_length(o, server.persist.rdbcompression != 0);
    long long idle = ((long long)server_lru_clock() - (long long)o->lru) & OBJ_LRU_MAX;
    char line[256];
    snprintf(line, sizeof(line),
             "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%u lru_seconds_idle:%lld",
             (void *)o, kv_encoding_name(o), slen, (unsigned)o->lru, idle);
    reply_simple(c, line);
}

static void debug_sleep(client *c) {
    double secs = strtod(c->argv[2].ptr, NULL);
    if (secs > 0) {
        struct timespec ts;
        ts.tv_sec = (time_t)secs;
        ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
    }
    server_update_clock();
    reply_ok(c);
}

static void debug_digest(client *c) {
    unsigned char d[DIGEST_LEN];
    char hex[DIGEST_HEX_LEN + 1];
    digest_dataset(server.dbs, (int)server.databases, d);
    digest_hex(d, hex);
    reply_simple(c, hex);
}

/* Logically expired keys count too, as in Redis: a debug view of memory. */
static void debug_digest_value(client *c) {
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        unsigned char d[DIGEST_LEN] = {0};
        char hex[DIGEST_HEX_LEN + 1];
        kv *o = db_find(c->db, c->argv[j].ptr, c->argv[j].len);
        if (o != NULL) digest_value(c->db, o, d);
        digest_hex(d, hex);
        reply_simple(c, hex);
    }
}

static void debug_reload(client *c) {
    bool flush = true, save = true, merge = false;
    for (int j = 2; j < c->argc; j++) {
        if (arg_is(&c->argv[j], "merge")) {
            merge = true;
        } else if (arg_is(&c->argv[j], "noflush")) {
            flush = false;
        } else if (arg_is(&c->argv[j], "nosave")) {
            save = false;
        } else {
            reply_error(c, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    if (loading_active()) {
        reply_error(c, LOADING_ERR_REPLY);
        return;
    }
    vg_error err = {{0}};
    int rc = persist_reload(save, flush, merge, &err);
    if (rc == PERSIST_RELOAD_SAVE_ERR)
        reply_error(c, "ERR");
    else if (rc != VG_OK)
        reply_error(c, "ERR Error trying to load the RDB dump");
    else
        reply_ok(c);
}

/* Keys <prefix>:<n> holding "value:<n>", padded with zero bytes or cut
 * to size when one is given; existing keys are skipped. Like Redis, this
 * leaves server.dirty alone. */
static void debug_populate(client *c) {
    long long keys, size = 0;
    if (!arg_ll(c, &c->argv[2], &keys)) return;
    if (c->argc == 5 && !arg_ll(c, &c->argv[4], &size)) return;
    if (keys < 0 || size < 0) {
        reply_error(c, "ERR value is out of range, must be positive");
        return;
    }
    const char *prefix = c->argc >= 4 ? c->argv[3].ptr : "key";
    int plen = c->argc >= 4 ? (int)(c->argv[3].len < 128 ? c->argv[3].len : 128) : 3;
    /* Sizing the table up front is a hint; a huge count must not become
     * one huge allocation before the first key. */
    if (keys <= (1LL << 26)) dict_expand(&c->db->keys, (size_t)keys);
    char *val = size > 0 ? vg_malloc((size_t)size) : NULL;
    for (long long j = 0; j < keys; j++) {
        char k[128], v[32]; /* Redis cuts the key at 127 bytes too */
        int kl = snprintf(k, sizeof(k), "%.*s:%lld", plen, prefix, j);
        if (kl >= (int)sizeof(k)) kl = (int)sizeof(k) - 1;
        if (db_lookup_write(c->db, k, (size_t)kl) != NULL) continue;
        int vl = snprintf(v, sizeof(v), "value:%lld", j);
        kv *o;
        if (size == 0) {
            o = kv_new_string_noint(k, (size_t)kl, v, (size_t)vl);
        } else {
            memset(val, 0, (size_t)size);
            memcpy(val, v, (size_t)(size < vl ? size : vl));
            o = kv_new_string_noint(k, (size_t)kl, val, (size_t)size);
        }
        db_add(c->db, o);
        db_signal_modified(c->db, k, (size_t)kl);
    }
    vg_free(val);
    reply_ok(c);
}

static void debug_help(client *c) {
    static const char *const lines[] = {
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "OBJECT <key>",
        "    Show low level info about the `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        NULL,
    };
    reply_help(c, lines);
}

static void cmd_debug(client *c) {
    if (c->argc == 2 && arg_is(&c->argv[1], "help"))
        debug_help(c);
    else if (c->argc == 3 && arg_is(&c->argv[1], "object"))
        debug_object(c);
    else if (c->argc == 3 && arg_is(&c->argv[1], "sleep"))
        debug_sleep(c);
    else if (c->argc == 2 && arg_is(&c->argv[1], "digest"))
        debug_digest(c);
    else if (arg_is(&c->argv[1], "digest-value"))
        debug_digest_value(c);
    else if (arg_is(&c->argv[1], "reload"))
        debug_reload(c);
    else if (c->argc >= 3 && c->argc <= 5 && arg_is(&c->argv[1], "populate"))
        debug_populate(c);
    else
        reply_errorf(c,
                     "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try "
                     "DEBUG HELP.",
                     c->argv[1].ptr);
}

/* ----------------------------------------------------------------- table */

#define CMDINFO_FLAGS (CMD_LOADING | CMD_STALE)

static command command_subcommands[] = {
    {.name = "count",
     .proc = cmd_command_count,
     .arity = 2,
     .flags = CMDINFO_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Get total number of Redis commands",
     .since = "2.8.13",
     .group = "server"},
    {.name = "docs",
     .proc = cmd_command_docs,
     .arity = -2,
     .flags = CMDINFO_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Get array of specific Redis command documentation",
     .since = "7.0.0",
     .group = "server"},
    {.name = "getkeys",
     .proc = cmd_command_getkeys,
     .arity = -4,
     .flags = CMDINFO_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Extract keys given a full Redis command",
     .since = "2.8.13",
     .group = "server"},
    {.name = "help",
     .proc = cmd_command_help,
     .arity = 2,
     .flags = CMDINFO_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Show helpful text about the different subcommands",
     .since = "5.0.0",
     .group = "server"},
    {.name = "info",
     .proc = cmd_command_info,
     .arity = -2,
     .flags = CMDINFO_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Get array of specific Redis command details, or all when no argument is given.",
     .since = "2.8.13",
     .group = "server"},
    {.name = "list",
     .proc = cmd_command_list,
     .arity = -2,
     .flags = CMDINFO_FLAGS,
     .acl_cats = "@slow @connection",
     .summary = "Get an array of Redis command names",
     .since = "7.0.0",
     .group = "server"},
    {.name = NULL},
};

static command memory_subcommands[] = {
    {.name = "doctor",
     .proc = cmd_memory_doctor,
     .arity = 2,
     .acl_cats = "@slow",
     .summary = "Outputs memory problems report",
     .since = "4.0.0",
     .group = "server"},
    {.name = "help",
     .proc = cmd_memory_help,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_cats = "@slow",
     .summary = "Show helpful text about the different subcommands",
     .since = "4.0.0",
     .group = "server"},
    {.name = "malloc-stats",
     .proc = cmd_memory_malloc_stats,
     .arity = 2,
     .acl_cats = "@slow",
     .summary = "Show allocator internal stats",
     .since = "4.0.0",
     .group = "server"},
    {.name = "purge",
     .proc = cmd_memory_purge,
     .arity = 2,
     .acl_cats = "@slow",
     .summary = "Ask the allocator to release memory",
     .since = "4.0.0",
     .group = "server"},
    {.name = "stats",
     .proc = cmd_memory_stats,
     .arity = 2,
     .acl_cats = "@slow",
     .summary = "Show memory usage details",
     .since = "4.0.0",
     .group = "server"},
    {.name = "usage",
     .proc = cmd_memory_usage,
     .arity = -3,
     .flags = CMD_READONLY,
     .acl_cats = "@read @slow",
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .key_need_first = CMD_KEY_NONE,
     .summary = "Estimate the memory usage of a key",
     .since = "4.0.0",
     .group = "server"},
    {.name = NULL},
};

static command server_commands[] = {
    {.name = "command",
     .proc = cmd_command_all,
     .arity = -1,
     .flags = CMDINFO_FLAGS,
     .acl_cats = "@slow @connection",
     .subcommands = command_subcommands,
     .summary = "Get array of Redis command details",
     .since = "2.8.13",
     .group = "server"},
    {.name = "time",
     .proc = cmd_time,
     .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl_cats = "@fast",
     .summary = "Return the current server time",
     .since = "2.6.0",
     .group = "server"},
    {.name = "lastsave",
     .proc = cmd_lastsave,
     .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl_cats = "@fast @admin @dangerous",
     .summary = "Get the UNIX time stamp of the last successful save to disk",
     .since = "1.0.0",
     .group = "server"},
    {.name = "memory",
     .arity = -2,
     .acl_cats = "@slow",
     .subcommands = memory_subcommands,
     .summary = "A container for memory diagnostics commands",
     .since = "4.0.0",
     .group = "server"},
    {.name = "shutdown",
     .proc = cmd_shutdown,
     .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_NO_MULTI | CMD_SENTINEL |
              CMD_ALLOW_BUSY,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "Synchronously save the dataset to disk and then shut down the server",
     .since = "1.0.0",
     .group = "server"},
    {.name = "debug",
     .proc = cmd_debug,
     .arity = -2,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_PROTECTED,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "A container for debugging commands",
     .since = "1.0.0",
     .group = "server"},
};
COMMAND_TABLE(server_commands)
