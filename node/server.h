/* server.h -- the node's one global state: clocks, sampling, listeners.
 *
 * Owns: the `server` struct: configuration values, databases, the client
 * list, listeners, counters and the cached clock. Handlers and the request
 * layer read it; the keyspace (node/keyspace/) and pure modules never do.
 * It includes nothing above the keyspace, so it closes no include cycle;
 * the life cycle that drives it is node.h. New state goes in a sub-struct
 * declared by the module that owns it (`keyspace` is db.h's db_stats). */
#ifndef VIGIL_NODE_SERVER_H
#define VIGIL_NODE_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "db.h"
#include "hash.h"
#include "list.h"
#include "obuf_limit.h"
#include "set.h"
#include "aof_state.h"
#include "loading_state.h"
#include "persist_state.h"
#include "stream.h"

#define VIGIL_VERSION "0.1.0"
#define REDIS_COMPAT_VERSION "7.0.15"
#define SERVER_MAX_LISTENERS 16

typedef struct client client;

enum maxmemory_policy {
    MAXMEMORY_NO_EVICTION = 0,
    MAXMEMORY_ALLKEYS_LRU,
    MAXMEMORY_ALLKEYS_LFU,
    MAXMEMORY_ALLKEYS_RANDOM,
    MAXMEMORY_VOLATILE_LRU,
    MAXMEMORY_VOLATILE_LFU,
    MAXMEMORY_VOLATILE_RANDOM,
    MAXMEMORY_VOLATILE_TTL,
};

/* Values of enable-debug-command, enable-module-command and
 * enable-protected-configs (Redis' "no", "yes", "local"). */
enum protected_action {
    PROTECTED_ACTION_NO = 0,
    PROTECTED_ACTION_YES,
    PROTECTED_ACTION_LOCAL, /* only clients connected from 127.0.0.1 or ::1 */
};

struct vigil_server {
    /* --- process --- */
    uv_loop_t *loop;     /* borrowed: the default loop */
    config_table config; /* owned: parameter table state */
    char *config_file;   /* owned: absolute path or NULL */
    char *executable;    /* owned: argv[0] */
    int64_t start_ms;    /* wall clock at start */
    int64_t now_ms;      /* wall clock, refreshed once per loop wake-up */
    char run_id[41];     /* 40 hex chars */
    bool shutdown_asap;  /* SIGTERM/SHUTDOWN seen */
    int exit_code;       /* for main() */
    uint32_t lru_clock;  /* seconds resolution, 24 bits */
    uint64_t rand_state; /* xorshift state for sampling */
    /* --- configuration (names as in Redis) --- */
    char *bind; /* "127.0.0.1 -::1" */
    long long port;
    long long tcp_backlog;
    int protected_mode;
    /* PROTECTED_ACTION_*: who may CONFIG SET dir, run DEBUG, run MODULE (none exists yet) */
    int enable_protected_configs;
    int enable_debug_cmd;
    int enable_module_cmd;
    long long timeout; /* idle seconds, 0 = never */
    long long tcp_keepalive;
    long long maxclients;
    long long databases;
    char *requirepass; /* NULL/"" = none */
    char *masterauth;  /* password for the primary, "" = none (no replica link yet) */
    char *masteruser;  /* ACL user for the primary, "" = default */
    char *aclfile;     /* users file for ACL LOAD/SAVE, or "" */
    long long acllog_max_len;
    char **config_users; /* owned: `user` lines from the config, applied at start */
    int nconfig_users;
    int loglevel;
    char *logfile;
    char *dir;
    char *pidfile;
    long long hz;
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    obuf_limit obuf_limits[CLIENT_CLASS_COUNT];
    long long maxmemory;
    int maxmemory_policy;
    long long maxmemory_samples;
    long long zset_max_listpack_entries;
    long long zset_max_listpack_value;
    long long lfu_log_factor;
    long long lfu_decay_time;
    long long active_expire_effort;
    int lazyfree_lazy_user_del;
    int lazyfree_lazy_user_flush;
    int lazyfree_lazy_expire;
    int lazyfree_lazy_server_del;
    int activerehashing;
    long long slowlog_log_slower_than;
    long long slowlog_max_len;
    long long latency_monitor_threshold;
    char *notify_keyspace_events_str;
    int notify_keyspace_events;
    /* --- data --- */
    db *dbs; /* owned: `databases` dbs */
    /* --- clients --- */
    client *clients; /* owned: doubly linked list head */
    long long nclients;
    client *pending_write; /* borrowed: singly linked via pending_next */
    uint64_t next_client_id;
    stream_listener *listeners[SERVER_MAX_LISTENERS]; /* owned: freed by their close callback */
    int nlisteners;
    uv_timer_t cron_timer;
    uv_prepare_t before_sleep;
    uv_signal_t sig_term, sig_int;
    long long cronloops;
    /* --- stats (INFO stats) --- */
    long long stat_numconnections;
    long long stat_numcommands;
    long long stat_rejected_conn;
    db_stats keyspace; /* keyspace_hits/misses, expired_keys, evicted_keys (db.c counts) */
    long long stat_net_input_bytes;
    long long stat_net_output_bytes;
    long long stat_total_error_replies;
    long long stat_unexpected_error_replies;
    long long stat_client_qbuf_limit_disconnections;
    long long stat_client_outbuf_limit_disconnections;
    long long dirty; /* writes since the last save */
    long long stat_peak_memory;
    long long stat_startup_memory; /* used_memory once start-up finished */
    long long stat_total_reads;    /* socket reads that returned data */
    long long stat_total_writes;   /* socket writes that sent data */
    /* instantaneous metrics: samples taken by cron */
    long long inst_cmd_samples[16], inst_in_samples[16], inst_out_samples[16];
    int inst_idx;
    long long inst_last_cmds, inst_last_in, inst_last_out;
    int64_t inst_last_ms;
    /* --- compact encodings (declared by hash.h, set.h, list.h) --- */
    hash_limits hash;      /* hash-max-listpack-entries, hash-max-listpack-value */
    set_limits set;        /* set-max-intset-entries */
    list_limits list;      /* list-max-listpack-size, list-compress-depth */
    persist_state persist; /* RDB: dbfilename, save points, counters (persist_state.h) */
    aof_state aof;         /* AOF: appendonly, appendfsync ... (aof_state.h) */
    loading_state loading; /* a dataset being loaded: -LOADING, INFO (loading_state.h) */
    /* --- TLS (names as in Redis; server_tls.c) --- */
    long long tls_port; /* 0 = no TLS listener */
    char *tls_cert_file;
    char *tls_key_file;
    char *tls_key_file_pass;
    char *tls_client_cert_file;
    char *tls_client_key_file;
    char *tls_client_key_file_pass;
    char *tls_ca_cert_file;
    char *tls_ca_cert_dir;
    char *tls_dh_params_file;
    int tls_auth_clients; /* enum tls_auth */
    char *tls_protocols;
    char *tls_ciphers;
    char *tls_ciphersuites;
    int tls_prefer_server_ciphers;
    int tls_session_caching;
    long long tls_session_cache_size;
    long long tls_session_cache_timeout;
    int tls_replication; /* replica links use TLS */
    int tls_cluster;     /* accepted for config compatibility; no cluster bus */
    tls_ctx *tls;        /* owned: NULL until tls-port or tls-replication asks */
};

extern struct vigil_server server;

/* Read the wall clock into now_ms now: start-up, and mid-command where the
 * command itself waits (DEBUG SLEEP). */
void server_update_clock(void);
/* The loop's refresh, once per iteration: every event callback calls
 * server_clock_tick first, and only the first one after the loop woke
 * reads the clock; before_sleep calls server_clock_expire. So all events
 * of one wake-up share one now_ms, and none sees a time from before the
 * sleep. */
void server_clock_tick(void);
void server_clock_expire(void);
/* The LRU clock (seconds, OBJ_LRU_BITS) from now_ms; the cron refreshes it. */
void server_update_lru_clock(void);
uint32_t server_lru_clock(void);
uint64_t server_random(void);
bool server_is_replica(void);
/* Ask the loop to stop after this iteration (SHUTDOWN, signals). */
void server_request_shutdown(int exit_code);
/* Receives each accepted connection (takes s); tls: it came in on tls-port. */
typedef void (*server_accept_cb)(stream *s, bool tls);
/* Open the listeners for port and tls-port, handing connections to cb. */
int server_listen(server_accept_cb cb, vg_error *err);
void server_close_listeners(void);
/* Re-open listeners after CONFIG SET port/bind. */
int server_rebind(vg_error *err);
double server_instantaneous(const long long *samples);

#endif
