/* node_config.c -- the node's parameter table (Redis' names and defaults).
 *
 * Owns: the config_param array. Parameters whose change must reach a live
 * subsystem (log level, listeners) carry an apply callback. Parameters of
 * later subsystems are added here by their modules' issues. */
#include "node_config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "aof.h"
#include "client.h"
#include "log.h"
#include "notify.h"
#include "propagate.h"
#include "persistence.h"
#include "server.h"
#include "server_tls.h"
#include "tls.h"
#include "vg_alloc.h"

static const config_enum loglevel_enum[] = {{"debug", LOG_LVL_DEBUG},
                                            {"verbose", LOG_LVL_VERBOSE},
                                            {"notice", LOG_LVL_NOTICE},
                                            {"warning", LOG_LVL_WARNING},
                                            {NULL, 0}};

static const config_enum policy_enum[] = {{"volatile-lru", MAXMEMORY_VOLATILE_LRU},
                                          {"volatile-lfu", MAXMEMORY_VOLATILE_LFU},
                                          {"volatile-random", MAXMEMORY_VOLATILE_RANDOM},
                                          {"volatile-ttl", MAXMEMORY_VOLATILE_TTL},
                                          {"allkeys-lru", MAXMEMORY_ALLKEYS_LRU},
                                          {"allkeys-lfu", MAXMEMORY_ALLKEYS_LFU},
                                          {"allkeys-random", MAXMEMORY_ALLKEYS_RANDOM},
                                          {"noeviction", MAXMEMORY_NO_EVICTION},
                                          {NULL, 0}};

static const config_enum appendfsync_enum[] = {{"always", AOF_FSYNC_ALWAYS},
                                               {"everysec", AOF_FSYNC_EVERYSEC},
                                               {"no", AOF_FSYNC_NO},
                                               {NULL, 0}};

static int apply_loglevel(const config_param *p, vg_error *err) {
    (void)p;
    (void)err;
    log_verbosity = server.loglevel;
    return VG_OK;
}

/* Redis accepts any hz and clamps it to 1..500. */
void node_config_clamp_hz(void) {
    if (server.hz < 1) server.hz = 1;
    if (server.hz > 500) server.hz = 500;
}

static int apply_dbfilename(const config_param *p, vg_error *err) {
    (void)p;
    const char *f = server.persist.dbfilename;
    if (f == NULL || f[0] == '\0' || strchr(f, '/') != NULL) {
        vg_error_set(err, "dbfilename can't be a path, just a filename");
        return VG_ERR;
    }
    return VG_OK;
}

static int apply_appendonly(const config_param *p, vg_error *err) {
    (void)p;
    return aof_config_changed(err);
}

/* Redis' `save`: repeated file lines add points, a value given at run
 * time replaces them; CONFIG GET prints the parsed points. */
static int set_save(const config_param *p, const char *value, bool first, vg_error *err) {
    (void)p;
    return persist_parse_save(value, !first, err);
}

static void get_save(const config_param *p, buf *out) {
    (void)p;
    persist_render_save(out);
}

static int apply_hz(const config_param *p, vg_error *err) {
    (void)p;
    (void)err;
    node_config_clamp_hz();
    return VG_OK;
}

static int apply_listeners(const config_param *p, vg_error *err) {
    (void)p;
    return server_rebind(err);
}

static int apply_logfile(const config_param *p, vg_error *err) {
    (void)p;
    if (log_open(server.logfile) != VG_OK) {
        vg_error_set(err, "can't open the log file");
        return VG_ERR;
    }
    return VG_OK;
}

/* Redis 7.0 still prints the replica class as "slave" (and accepts both). */
static const char *class_names[CLIENT_CLASS_COUNT] = {"normal", "slave", "pubsub"};

static int class_from_name(const char *s) {
    if (strcasecmp(s, "normal") == 0) return CLIENT_CLASS_NORMAL;
    if (strcasecmp(s, "replica") == 0 || strcasecmp(s, "slave") == 0) return CLIENT_CLASS_REPLICA;
    if (strcasecmp(s, "pubsub") == 0) return CLIENT_CLASS_PUBSUB;
    return -1;
}

/* "normal 0 0 0 replica 256mb 64mb 60": groups of four, any subset. */
static int set_obuf(const config_param *p, const char *value, bool first, vg_error *err) {
    (void)p;
    (void)first;
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", value);
    char *words[64];
    int n = 0;
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w && n < 64;
         w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    if (n == 0 || n % 4 != 0) {
        vg_error_set(err, "Wrong number of arguments in buffer limit configuration.");
        return VG_ERR;
    }
    obuf_limit parsed[CLIENT_CLASS_COUNT];
    int which[CLIENT_CLASS_COUNT];
    int groups = 0;
    for (int i = 0; i < n; i += 4) {
        int cls = class_from_name(words[i]);
        long long hard, soft, secs;
        if (cls < 0 || !config_parse_memory(words[i + 1], &hard) ||
            !config_parse_memory(words[i + 2], &soft) ||
            !vg_str2ll(words[i + 3], strlen(words[i + 3]), &secs) || hard < 0 || soft < 0 ||
            secs < 0) {
            vg_error_set(err, "Invalid client class specified in buffer limit configuration.");
            return VG_ERR;
        }
        parsed[groups].hard = hard;
        parsed[groups].soft = soft;
        parsed[groups].soft_sec = secs;
        which[groups] = cls;
        groups++;
        if (groups == CLIENT_CLASS_COUNT) break;
    }
    for (int i = 0; i < groups; i++)
        server.obuf_limits[which[i]] = parsed[i];
    return VG_OK;
}

void node_config_obuf_limits(buf *out) {
    for (int i = 0; i < CLIENT_CLASS_COUNT; i++) {
        const obuf_limit *l = &server.obuf_limits[i];
        buf_append_fmt(out, "%s%s %lld %lld %lld", i ? " " : "", class_names[i], l->hard, l->soft,
                       l->soft_sec);
    }
}

static void get_obuf(const config_param *p, buf *out) {
    (void)p;
    node_config_obuf_limits(out);
}

static int set_notify(const config_param *p, const char *value, bool first, vg_error *err) {
    (void)p;
    (void)first;
    int flags = notify_flags_parse(value);
    if (flags < 0) {
        vg_error_set(err, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        return VG_ERR;
    }
    server.notify_keyspace_events = flags;
    return VG_OK;
}

static void get_notify(const config_param *p, buf *out) {
    (void)p;
    notify_flags_render(server.notify_keyspace_events, out);
}

static int apply_requirepass(const config_param *p, vg_error *err) {
    (void)p;
    (void)err;
    acl_set_requirepass(server.requirepass);
    return VG_OK;
}

/* `user = alice on >pw ~* +@all`: repeated lines, applied once ACL starts. */
static int set_user(const config_param *p, const char *value, bool first, vg_error *err) {
    (void)p;
    (void)first;
    if (value[0] == '\0') {
        vg_error_set(err, "a user line needs a user name");
        return VG_ERR;
    }
    server.config_users =
        vg_realloc(server.config_users, (size_t)(server.nconfig_users + 1) * sizeof(char *));
    server.config_users[server.nconfig_users++] = vg_strdup(value);
    return VG_OK;
}

static void get_user(const config_param *p, buf *out) {
    (void)p;
    (void)out; /* users are listed by ACL LIST; CONFIG GET user shows nothing, as in Redis */
}

#define LL_MAX 9223372036854775807LL

static const config_enum protected_action_enum[] = {{"no", PROTECTED_ACTION_NO},
                                                    {"yes", PROTECTED_ACTION_YES},
                                                    {"local", PROTECTED_ACTION_LOCAL},
                                                    {NULL, 0}};

/* Local is Redis' islocalClient: a peer of exactly 127.0.0.1 or ::1, so a
 * client bound to 127.0.0.2 is remote although its packets never leave. */

static const config_enum tls_auth_enum[] = {
    {"no", TLS_AUTH_NO}, {"yes", TLS_AUTH_YES}, {"optional", TLS_AUTH_OPTIONAL}, {NULL, 0}};

static config_param params[] = {
    {"bind", NULL, CONFIG_STRING, 0, &server.bind, 0, 0, "127.0.0.1 -::1", NULL, NULL, NULL,
     apply_listeners},
    {"port", NULL, CONFIG_INT, 0, &server.port, 0, 65535, "6379", NULL, NULL, NULL,
     apply_listeners},
    {"tcp-backlog", NULL, CONFIG_INT, CONFIG_IMMUTABLE, &server.tcp_backlog, 0, 2147483647, "511",
     NULL, NULL, NULL, NULL},
    {"protected-mode", NULL, CONFIG_BOOL, 0, &server.protected_mode, 0, 0, "yes", NULL, NULL, NULL,
     NULL},
    /* Redis 7.0 ships DEBUG and CONFIG SET of paths off; only the file or
     * the command line may open them, never a client. */
    {"enable-protected-configs", NULL, CONFIG_ENUM, CONFIG_IMMUTABLE,
     &server.enable_protected_configs, 0, 0, "no", protected_action_enum, NULL, NULL, NULL},
    {"enable-debug-command", NULL, CONFIG_ENUM, CONFIG_IMMUTABLE, &server.enable_debug_cmd, 0, 0,
     "no", protected_action_enum, NULL, NULL, NULL},
    {"enable-module-command", NULL, CONFIG_ENUM, CONFIG_IMMUTABLE, &server.enable_module_cmd, 0, 0,
     "no", protected_action_enum, NULL, NULL, NULL},
    {"timeout", NULL, CONFIG_INT, 0, &server.timeout, 0, 2147483647, "0", NULL, NULL, NULL, NULL},
    {"tcp-keepalive", NULL, CONFIG_INT, 0, &server.tcp_keepalive, 0, 2147483647, "300", NULL, NULL,
     NULL, NULL},
    {"maxclients", NULL, CONFIG_INT, CONFIG_UNSIGNED, &server.maxclients, 1, 4294967295LL, "10000",
     NULL, NULL, NULL, NULL},
    {"databases", NULL, CONFIG_INT, CONFIG_IMMUTABLE, &server.databases, 1, 2147483647, "16", NULL,
     NULL, NULL, NULL},
    {"requirepass", NULL, CONFIG_STRING, CONFIG_SENSITIVE, &server.requirepass, 0, 0, "", NULL,
     NULL, NULL, apply_requirepass},
    /* Kept for the replica link to come; sensitive, so CONFIG SET hides them. */
    {"masterauth", NULL, CONFIG_STRING, CONFIG_SENSITIVE, &server.masterauth, 0, 0, "", NULL, NULL,
     NULL, NULL},
    {"masteruser", NULL, CONFIG_STRING, CONFIG_SENSITIVE, &server.masteruser, 0, 0, "", NULL, NULL,
     NULL, NULL},
    {"aclfile", NULL, CONFIG_STRING, CONFIG_IMMUTABLE, &server.aclfile, 0, 0, "", NULL, NULL, NULL,
     NULL},
    {"acllog-max-len", NULL, CONFIG_INT, 0, &server.acllog_max_len, 0, LL_MAX, "128", NULL, NULL,
     NULL, NULL},
    {"user", NULL, CONFIG_SPECIAL, CONFIG_IMMUTABLE | CONFIG_MULTI | CONFIG_SENSITIVE, NULL, 0, 0,
     NULL, NULL, set_user, get_user, NULL},
    {"loglevel", NULL, CONFIG_ENUM, 0, &server.loglevel, 0, 0, "notice", loglevel_enum, NULL, NULL,
     apply_loglevel},
    {"logfile", NULL, CONFIG_STRING, CONFIG_IMMUTABLE, &server.logfile, 0, 0, "", NULL, NULL, NULL,
     apply_logfile},
    {"dir", NULL, CONFIG_STRING, CONFIG_PROTECTED, &server.dir, 0, 0, ".", NULL, NULL, NULL, NULL},
    {"dbfilename", NULL, CONFIG_STRING, CONFIG_PROTECTED, &server.persist.dbfilename, 0, 0,
     "dump.rdb", NULL, NULL, NULL, apply_dbfilename},
    {"rdbcompression", NULL, CONFIG_BOOL, 0, &server.persist.rdbcompression, 0, 0, "yes", NULL,
     NULL, NULL, NULL},
    {"rdbchecksum", NULL, CONFIG_BOOL, CONFIG_IMMUTABLE, &server.persist.rdbchecksum, 0, 0, "yes",
     NULL, NULL, NULL, NULL},
    {"stop-writes-on-bgsave-error", NULL, CONFIG_BOOL, 0,
     &server.persist.stop_writes_on_bgsave_error, 0, 0, "yes", NULL, NULL, NULL, NULL},
    {"rdb-key-save-delay", NULL, CONFIG_INT, 0, &server.persist.key_save_delay, -2147483648LL,
     2147483647, "0", NULL, NULL, NULL, NULL},
    {"save", NULL, CONFIG_SPECIAL, 0, NULL, 0, 0, "3600 1 300 100 60 10000", NULL, set_save,
     get_save, NULL},
    {"appendonly", NULL, CONFIG_BOOL, 0, &server.aof.enabled, 0, 0, "no", NULL, NULL, NULL,
     apply_appendonly},
    {"appenddirname", NULL, CONFIG_STRING, CONFIG_IMMUTABLE, &server.aof.dirname, 0, 0,
     "appendonlydir", NULL, NULL, NULL, NULL},
    {"appendfilename", NULL, CONFIG_STRING, CONFIG_IMMUTABLE, &server.aof.filename, 0, 0,
     "appendonly.aof", NULL, NULL, NULL, NULL},
    {"appendfsync", NULL, CONFIG_ENUM, 0, &server.aof.fsync, 0, 0, "everysec", appendfsync_enum,
     NULL, NULL, NULL},
    {"aof-use-rdb-preamble", NULL, CONFIG_BOOL, 0, &server.aof.use_rdb_preamble, 0, 0, "yes", NULL,
     NULL, NULL, NULL},
    {"aof-load-truncated", NULL, CONFIG_BOOL, 0, &server.aof.load_truncated, 0, 0, "yes", NULL,
     NULL, NULL, NULL},
    {"no-appendfsync-on-rewrite", NULL, CONFIG_BOOL, 0, &server.aof.no_fsync_on_rewrite, 0, 0, "no",
     NULL, NULL, NULL, NULL},
    {"aof-rewrite-incremental-fsync", NULL, CONFIG_BOOL, 0, &server.aof.rewrite_incremental_fsync,
     0, 0, "yes", NULL, NULL, NULL, NULL},
    {"aof-timestamp-enabled", NULL, CONFIG_BOOL, 0, &server.aof.timestamp_enabled, 0, 0, "no", NULL,
     NULL, NULL, NULL},
    {"aof-disable-auto-gc", NULL, CONFIG_BOOL, 0, &server.aof.disable_auto_gc, 0, 0, "no", NULL,
     NULL, NULL, NULL},
    {"auto-aof-rewrite-percentage", NULL, CONFIG_INT, 0, &server.aof.rewrite_perc, 0, 2147483647,
     "100", NULL, NULL, NULL, NULL},
    {"auto-aof-rewrite-min-size", NULL, CONFIG_MEMORY, 0, &server.aof.rewrite_min_size, 0, LL_MAX,
     "64mb", NULL, NULL, NULL, NULL},
    {"pidfile", NULL, CONFIG_STRING, CONFIG_IMMUTABLE, &server.pidfile, 0, 0, "", NULL, NULL, NULL,
     NULL},
    {"hz", NULL, CONFIG_INT, 0, &server.hz, 0, 2147483647, "10", NULL, NULL, NULL, apply_hz},
    {"proto-max-bulk-len", NULL, CONFIG_MEMORY, 0, &server.proto_max_bulk_len, 1024 * 1024, LL_MAX,
     "512mb", NULL, NULL, NULL, NULL},
    {"client-query-buffer-limit", NULL, CONFIG_MEMORY, CONFIG_UNSIGNED,
     &server.client_query_buffer_limit, 1024 * 1024, LL_MAX, "1gb", NULL, NULL, NULL, NULL},
    {"client-output-buffer-limit", NULL, CONFIG_SPECIAL, CONFIG_MULTI, NULL, 0, 0,
     "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60", NULL, set_obuf, get_obuf, NULL},
    /* Redis' unsigned long long: max -1 is ULLONG_MAX; a value past LL_MAX
     * reads as negative, which the eviction code takes as no limit. */
    {"maxmemory", NULL, CONFIG_MEMORY, CONFIG_UNSIGNED, &server.maxmemory, 0, -1, "0", NULL, NULL,
     NULL, NULL},
    {"maxmemory-policy", NULL, CONFIG_ENUM, 0, &server.maxmemory_policy, 0, 0, "noeviction",
     policy_enum, NULL, NULL, NULL},
    {"maxmemory-samples", NULL, CONFIG_INT, 0, &server.maxmemory_samples, 1, 2147483647, "5", NULL,
     NULL, NULL, NULL},
    {"lfu-log-factor", NULL, CONFIG_INT, 0, &server.lfu_log_factor, 0, 2147483647, "10", NULL, NULL,
     NULL, NULL},
    {"lfu-decay-time", NULL, CONFIG_INT, 0, &server.lfu_decay_time, 0, 2147483647, "1", NULL, NULL,
     NULL, NULL},
    {"active-expire-effort", NULL, CONFIG_INT, 0, &server.active_expire_effort, 1, 10, "1", NULL,
     NULL, NULL, NULL},
    {"lazyfree-lazy-user-del", NULL, CONFIG_BOOL, 0, &server.lazyfree_lazy_user_del, 0, 0, "no",
     NULL, NULL, NULL, NULL},
    {"lazyfree-lazy-user-flush", NULL, CONFIG_BOOL, 0, &server.lazyfree_lazy_user_flush, 0, 0, "no",
     NULL, NULL, NULL, NULL},
    {"zset-max-listpack-entries", "zset-max-ziplist-entries", CONFIG_INT, 0,
     &server.zset_max_listpack_entries, 0, LL_MAX, "128", NULL, NULL, NULL, NULL},
    {"zset-max-listpack-value", "zset-max-ziplist-value", CONFIG_MEMORY, CONFIG_UNSIGNED,
     &server.zset_max_listpack_value, 0, LL_MAX, "64", NULL, NULL, NULL, NULL},
    {"lazyfree-lazy-expire", NULL, CONFIG_BOOL, 0, &server.lazyfree_lazy_expire, 0, 0, "no", NULL,
     NULL, NULL, NULL},
    {"lazyfree-lazy-server-del", NULL, CONFIG_BOOL, 0, &server.lazyfree_lazy_server_del, 0, 0, "no",
     NULL, NULL, NULL, NULL},
    {"activerehashing", NULL, CONFIG_BOOL, 0, &server.activerehashing, 0, 0, "yes", NULL, NULL,
     NULL, NULL},
    {"slowlog-log-slower-than", NULL, CONFIG_INT, 0, &server.slowlog_log_slower_than, -1, LL_MAX,
     "10000", NULL, NULL, NULL, NULL},
    {"slowlog-max-len", NULL, CONFIG_INT, CONFIG_UNSIGNED, &server.slowlog_max_len, 0, LL_MAX,
     "128", NULL, NULL, NULL, NULL},
    {"notify-keyspace-events", NULL, CONFIG_SPECIAL, 0, NULL, 0, 0, "", NULL, set_notify,
     get_notify, NULL},
    {"latency-monitor-threshold", NULL, CONFIG_INT, 0, &server.latency_monitor_threshold, 0, LL_MAX,
     "0", NULL, NULL, NULL, NULL},
    {"hash-max-listpack-entries", "hash-max-ziplist-entries", CONFIG_INT, 0,
     &server.hash.max_listpack_entries, 0, LL_MAX, "512", NULL, NULL, NULL, NULL},
    {"hash-max-listpack-value", "hash-max-ziplist-value", CONFIG_MEMORY, CONFIG_UNSIGNED,
     &server.hash.max_listpack_value, 0, LL_MAX, "64", NULL, NULL, NULL, NULL},
    {"set-max-intset-entries", NULL, CONFIG_INT, 0, &server.set.max_intset_entries, 0, LL_MAX,
     "512", NULL, NULL, NULL, NULL},
    {"list-max-listpack-size", "list-max-ziplist-size", CONFIG_INT, 0,
     &server.list.max_listpack_size, -2147483648LL, 2147483647, "-2", NULL, NULL, NULL, NULL},
    {"list-compress-depth", NULL, CONFIG_INT, 0, &server.list.compress_depth, 0, 2147483647, "0",
     NULL, NULL, NULL, NULL},
    {"tls-port", NULL, CONFIG_INT, 0, &server.tls_port, 0, 65535, "0", NULL, NULL, NULL,
     server_tls_apply_port},
    {"tls-cert-file", NULL, CONFIG_STRING, CONFIG_VOLATILE, &server.tls_cert_file, 0, 0, "", NULL,
     NULL, NULL, server_tls_apply_reload},
    {"tls-key-file", NULL, CONFIG_STRING, CONFIG_VOLATILE, &server.tls_key_file, 0, 0, "", NULL,
     NULL, NULL, server_tls_apply_reload},
    {"tls-key-file-pass", NULL, CONFIG_STRING, CONFIG_SENSITIVE, &server.tls_key_file_pass, 0, 0,
     "", NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-client-cert-file", NULL, CONFIG_STRING, CONFIG_VOLATILE, &server.tls_client_cert_file, 0,
     0, "", NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-client-key-file", NULL, CONFIG_STRING, CONFIG_VOLATILE, &server.tls_client_key_file, 0, 0,
     "", NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-client-key-file-pass", NULL, CONFIG_STRING, CONFIG_SENSITIVE,
     &server.tls_client_key_file_pass, 0, 0, "", NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-ca-cert-file", NULL, CONFIG_STRING, CONFIG_VOLATILE, &server.tls_ca_cert_file, 0, 0, "",
     NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-ca-cert-dir", NULL, CONFIG_STRING, CONFIG_VOLATILE, &server.tls_ca_cert_dir, 0, 0, "",
     NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-dh-params-file", NULL, CONFIG_STRING, CONFIG_VOLATILE, &server.tls_dh_params_file, 0, 0,
     "", NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-auth-clients", NULL, CONFIG_ENUM, 0, &server.tls_auth_clients, 0, 0, "yes", tls_auth_enum,
     NULL, NULL, server_tls_apply_auth},
    {"tls-protocols", NULL, CONFIG_STRING, 0, &server.tls_protocols, 0, 0, "", NULL, NULL, NULL,
     server_tls_apply_reload},
    {"tls-ciphers", NULL, CONFIG_STRING, 0, &server.tls_ciphers, 0, 0, "", NULL, NULL, NULL,
     server_tls_apply_reload},
    {"tls-ciphersuites", NULL, CONFIG_STRING, 0, &server.tls_ciphersuites, 0, 0, "", NULL, NULL,
     NULL, server_tls_apply_reload},
    {"tls-prefer-server-ciphers", NULL, CONFIG_BOOL, 0, &server.tls_prefer_server_ciphers, 0, 0,
     "no", NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-session-caching", NULL, CONFIG_BOOL, 0, &server.tls_session_caching, 0, 0, "yes", NULL,
     NULL, NULL, server_tls_apply_reload},
    {"tls-session-cache-size", NULL, CONFIG_INT, 0, &server.tls_session_cache_size, 0, 2147483647,
     "20480", NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-session-cache-timeout", NULL, CONFIG_INT, 0, &server.tls_session_cache_timeout, 0,
     2147483647, "300", NULL, NULL, NULL, server_tls_apply_reload},
    {"tls-replication", NULL, CONFIG_BOOL, 0, &server.tls_replication, 0, 0, "no", NULL, NULL, NULL,
     server_tls_apply_replication},
    {"tls-cluster", NULL, CONFIG_BOOL, 0, &server.tls_cluster, 0, 0, "no", NULL, NULL, NULL, NULL},
    /* Test-only, not a Redis parameter: append the propagated stream here. */
    {"propagate-debug-file", NULL, CONFIG_STRING, CONFIG_IMMUTABLE, &propagate_debug_file, 0, 0, "",
     NULL, NULL, NULL, NULL},
};

void node_config_init(config_table *t) {
    config_table_init(t, params, sizeof(params) / sizeof(params[0]));
}
