/* node.c -- the node's life cycle: configure, start, cron, shut down.
 *
 * Owns: the timers and signal handlers, and the glue between the layers:
 * the db_env through which the keyspace reaches WATCH, blocked clients and
 * notifications, and the accept callback handed to the listeners. It is
 * the top of the node: it calls a dozen modules and only main.c calls it.
 * The cron runs `hz` times a second: clock, active expiry, client timeouts
 * and limits, incremental rehash, instantaneous metrics. Output is flushed
 * in a prepare handle, i.e. once per loop iteration just before the loop
 * polls. */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "blocking.h"
#include "client.h"
#include "command.h"
#include "evict.h"
#include "latency.h"
#include "aof_load.h"
#include "lazyfree.h"
#include "loading.h"
#include "log.h"
#include "multi.h"
#include "notify.h"
#include "node_config.h"
#include "propagate.h"
#include "aof.h"
#include "persistence.h"
#include "server.h"
#include "server_tls.h"
#include "vg_alloc.h"

/* ---- the keyspace's environment: db.c calls these through db_env ---- */

static void key_modified(db *d, const char *key, size_t klen) {
    server.dirty++;
    multi_touch_key(d->id, key, klen);
    blocking_signal_key(d, key, klen);
}

/* As Redis, an expiry is no write of the command that found it (no dirty),
 * but replicas and the AOF hear a DEL (UNLINK when lazyfree-lazy-expire). */
static void key_expired(db *d, const char *key, size_t klen) {
    propagate_deletion(d->id, key, klen, server.lazyfree_lazy_expire);
    multi_touch_key(d->id, key, klen);
    notify_keyspace_event(NOTIFY_EXPIRED, "expired", key, klen, d->id);
}

static void key_evicted(db *d, const char *key, size_t klen) {
    notify_keyspace_event(NOTIFY_EVICTED, "evicted", key, klen, d->id);
    propagate_deletion(d->id, key, klen, false);
}

static void db_changed(db *d) { /* d is about to be emptied */
    multi_touch_db(d->id, d, NULL);
    blocking_signal_db(d);
}

/* a and b have exchanged contents: what a held is now in b. */
static void dbs_swapped(db *a, db *b) {
    multi_touch_db(a->id, b, a);
    multi_touch_db(b->id, a, b);
    blocking_signal_db(a);
    blocking_signal_db(b);
}

static const db_env keyspace_env = {
    .now_ms = &server.now_ms,
    .stats = &server.keyspace,
    .is_replica = server_is_replica,
    .random = server_random,
    .mono_us = vg_mono_us,
    .access_init = evict_init_access,
    .access_touch = evict_touch,
    .key_modified = key_modified,
    .key_expired = key_expired,
    .key_evicted = key_evicted,
    .db_changed = db_changed,
    .dbs_swapped = dbs_swapped,
    .expiry_paused = loading_active,
};

static void random_bytes(uint8_t *out, size_t n) {
    int fd = open("/dev/urandom", O_RDONLY);
    size_t got = 0;
    if (fd >= 0) {
        while (got < n) {
            ssize_t r = read(fd, out + got, n - got);
            if (r <= 0) break;
            got += (size_t)r;
        }
        close(fd);
    }
    if (got < n) { /* no urandom: mix time and pid, still unique per process */
        uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)clock();
        for (size_t i = got; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = (uint8_t)(seed >> 56);
        }
    }
}

static int parse_args(int argc, char **argv, vg_error *err) {
    int i = 1;
    if (i < argc && strncmp(argv[i], "--", 2) != 0) {
        char *abs = realpath(argv[i], NULL);
        server.config_file = vg_strdup(abs ? abs : argv[i]);
        free(abs);
        if (config_load_file(&server.config, argv[i], err) != VG_OK) return VG_ERR;
        i++;
    }
    while (i < argc) {
        if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
            vg_error_set(err, "unexpected argument '%s' (expected --name value)", argv[i]);
            return VG_ERR;
        }
        const char *name = argv[i] + 2;
        buf value;
        buf_init(&value);
        i++;
        while (i < argc && strncmp(argv[i], "--", 2) != 0) {
            if (value.len) buf_append_char(&value, ' ');
            buf_append_str(&value, argv[i]);
            i++;
        }
        vg_error why;
        int rc = config_set(&server.config, name, value.data ? value.data : "", false, &why);
        if (rc != VG_OK)
            vg_error_set(err, "command line: '--%s %s': %s", name, value.data ? value.data : "",
                         why.msg);
        buf_free(&value);
        if (rc != VG_OK) return VG_ERR;
    }
    return VG_OK;
}

int node_configure(int argc, char **argv, vg_error *err) {
    memset(&server, 0, sizeof(server));
    server.executable = vg_strdup(argc > 0 ? argv[0] : "vigil-node");
    server_update_clock();
    server.start_ms = server.now_ms;
    uint8_t seed[16], id[20];
    random_bytes(seed, sizeof(seed));
    dict_set_hash_seed(seed);
    random_bytes((uint8_t *)&server.rand_state, sizeof(server.rand_state));
    if (server.rand_state == 0) server.rand_state = 0x9E3779B97F4A7C15ULL;
    random_bytes(id, sizeof(id));
    for (int i = 0; i < 20; i++)
        snprintf(server.run_id + i * 2, 3, "%02x", id[i]);
    node_config_init(&server.config);
    if (config_set_defaults(&server.config, err) != VG_OK) return VG_ERR;
    if (parse_args(argc, argv, err) != VG_OK) return VG_ERR;
    log_verbosity = server.loglevel;
    node_config_clamp_hz();
    if (server.logfile && server.logfile[0] && log_open(server.logfile) != VG_OK) {
        vg_error_set(err, "can't open the log file '%s': %s", server.logfile, strerror(errno));
        return VG_ERR;
    }
    server_update_lru_clock();
    return VG_OK;
}

static void track_instantaneous(void) {
    int64_t elapsed = server.now_ms - server.inst_last_ms;
    if (elapsed < 100) return;
    int i = server.inst_idx;
    server.inst_cmd_samples[i] = (server.stat_numcommands - server.inst_last_cmds) * 1000 / elapsed;
    server.inst_in_samples[i] =
        (server.stat_net_input_bytes - server.inst_last_in) * 1000 / elapsed;
    server.inst_out_samples[i] =
        (server.stat_net_output_bytes - server.inst_last_out) * 1000 / elapsed;
    server.inst_idx = (i + 1) % 16;
    server.inst_last_cmds = server.stat_numcommands;
    server.inst_last_in = server.stat_net_input_bytes;
    server.inst_last_out = server.stat_net_output_bytes;
    server.inst_last_ms = server.now_ms;
}

static void active_expire_cycle(void) {
    int64_t started = vg_mono_us();
    /* 25% of a cron period, more with active-expire-effort. */
    int64_t budget = 1000000 * (25 + (server.active_expire_effort - 1) * 2) / server.hz / 100;
    int64_t deadline = vg_mono_us() + budget;
    /* Take the dbs in turn across cycles (as Redis does), so one db full of
     * dead keys cannot starve the ones after it. */
    static long long next_db;
    for (long long n = 0; n < server.databases; n++) {
        db_active_expire(&server.dbs[next_db], server.now_ms, deadline,
                         server.active_expire_effort);
        next_db = (next_db + 1) % server.databases;
        if (vg_mono_us() > deadline) break;
    }
    propagate_flush_pending(); /* the cycle's DELs, never wrapped in MULTI/EXEC */
    latency_add_if_needed("expire-cycle", (vg_mono_us() - started) / 1000);
}

static void rehash_cron(void) {
    for (long long i = 0; i < server.databases; i++) {
        dict *d = &server.dbs[i].keys;
        dict_shrink_if_needed(d);
        if (server.activerehashing && dict_is_rehashing(d)) {
            dict_rehash_ms(d, 1);
            break;
        }
    }
}

static void on_cron(uv_timer_t *t) {
    (void)t;
    server_clock_tick();
    server_update_lru_clock();
    server.cronloops++;
    if (server.shutdown_asap) {
        uv_stop(server.loop);
        return;
    }
    /* While a dataset loads the keyspace is the loader's: as Redis, whose
     * cron does not run then, no expiry, eviction, save point, AOF or
     * rehash work (the AOF opens once the load is done). */
    bool loading = loading_active();
    if (!loading) {
        active_expire_cycle();
        persist_cron();
        aof_cron();
        evict_perform();
        propagate_flush_pending(); /* evictions go out bare, as in Redis */
    }
    clients_cron();
    blocking_cron(server.now_ms);
    if (!loading) rehash_cron();
    server_tls_cron();
    track_instantaneous();
    size_t used = vg_used_memory();
    if ((long long)used > server.stat_peak_memory) server.stat_peak_memory = (long long)used;
    uint64_t period = (uint64_t)(1000 / server.hz);
    if (uv_timer_get_repeat(&server.cron_timer) != period)
        uv_timer_set_repeat(&server.cron_timer, period ? period : 1);
}

static void on_before_sleep(uv_prepare_t *p) {
    (void)p;
    blocking_before_sleep();
    propagate_flush_pending();
    aof_before_sleep(); /* before replies: appendfsync always holds writers' */
    clients_flush_pending();
    server_clock_expire(); /* the next event after the sleep reads the clock */
    if (server.shutdown_asap) uv_stop(server.loop);
}

static void on_signal(uv_signal_t *s, int signum) {
    (void)s;
    LOG_WARNING("Received %s scheduling shutdown...", signum == SIGINT ? "SIGINT" : "SIGTERM");
    vg_error err = {{0}};
    if (persist_shutdown_save(false, false, &err) != VG_OK)
        LOG_WARNING("Error trying to save the DB, can't exit.");
    server_request_shutdown(0);
    uv_stop(server.loop);
}

static void write_pidfile(void) {
    if (server.pidfile == NULL || server.pidfile[0] == '\0') return;
    FILE *fp = fopen(server.pidfile, "w");
    if (fp) {
        fprintf(fp, "%d\n", (int)getpid());
        fclose(fp);
    }
}

/* A dir we cannot write to would fail the first save, or the AOF, much
 * later: refuse to start instead (the choice; Redis 7.0.15 only
 * fails when it first writes there). */
static int check_dir_writable(vg_error *err) {
    char probe[64];
    snprintf(probe, sizeof(probe), "temp-dircheck-%d", (int)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        vg_error_set(err, "Can't write to the working directory '%s': %s",
                     server.dir && server.dir[0] ? server.dir : ".", strerror(errno));
        return VG_ERR;
    }
    close(fd);
    unlink(probe);
    return VG_OK;
}

/* The dataset is in (or failed to load): open the AOF for appending
 * (taking am, the manifest the AOF loader read, or NULL), then serve; or
 * exit non-zero. */
static void start_load_done(int status, aof_manifest *am) {
    if (server.shutdown_asap) { /* aborted at shutdown */
        aof_manifest_free(am);
        return;
    }
    vg_error err = {{0}};
    if (status == VG_OK && propagate_start(&err) != VG_OK) status = VG_ERR;
    if (status == VG_OK) {
        status = aof_open_at_start(am, &err);
        am = NULL;
    }
    aof_manifest_free(am);
    if (status != VG_OK && err.msg[0]) LOG_WARNING("%s", err.msg);
    if (status != VG_OK) {
        server_request_shutdown(1);
        uv_stop(server.loop);
        return;
    }
    LOG_NOTICE("Ready to accept connections"); /* Redis 7.0's words: scripts grep for them */
    server.stat_startup_memory = (long long)vg_used_memory();
}

static void aof_loaded(int status, aof_manifest *am) {
    start_load_done(status, am);
}

static void rdb_loaded(int status) {
    start_load_done(status, NULL);
}

/* Redis' loadDataFromDisk: the AOF when appendonly is yes (and then no
 * RDB, even when there is no AOF yet), else the RDB. */
static int start_load(vg_error *err) {
    if (server.aof.enabled) return aof_load_at_start(aof_loaded, err);
    return persist_load_at_start(rdb_loaded, err);
}

int node_start(vg_error *err) {
    server.loop = uv_default_loop();
    signal(SIGPIPE, SIG_IGN);
    server.dbs = vg_calloc((size_t)server.databases * sizeof(db));
    for (long long i = 0; i < server.databases; i++)
        db_init(&server.dbs[i], (int)i, &keyspace_env);
    command_table_init();
    if (acl_start(err) != VG_OK) return VG_ERR;
    if (server.dir && server.dir[0] && chdir(server.dir) != 0) {
        vg_error_set(err, "Can't chdir to '%s': %s", server.dir, strerror(errno));
        return VG_ERR;
    }
    if (check_dir_writable(err) != VG_OK) return VG_ERR;
    if (persist_init(err) != VG_OK) return VG_ERR;
    if (server_tls_setup(err) != VG_OK) return VG_ERR;
    /* Listening before the load, so clients get -LOADING meanwhile. */
    if (server_listen(client_accept, err) != VG_OK) return VG_ERR;
    lazyfree_start();
    uv_timer_init(server.loop, &server.cron_timer);
    uv_timer_start(&server.cron_timer, on_cron, 1, (uint64_t)(1000 / server.hz));
    uv_prepare_init(server.loop, &server.before_sleep);
    uv_prepare_start(&server.before_sleep, on_before_sleep);
    uv_signal_init(server.loop, &server.sig_term);
    uv_signal_start(&server.sig_term, on_signal, SIGTERM);
    uv_signal_init(server.loop, &server.sig_int);
    uv_signal_start(&server.sig_int, on_signal, SIGINT);
    write_pidfile();
    LOG_NOTICE("Vigil %s (Redis %s compatible) starting, pid=%d", VIGIL_VERSION,
               REDIS_COMPAT_VERSION, (int)getpid());
    for (int i = 0; i < server.nlisteners; i++)
        LOG_NOTICE("Listening on %s (port %d)", server.listeners[i]->addr,
                   stream_listener_port(server.listeners[i]));
    return start_load(err);
}

int node_run(void) {
    uv_run(server.loop, UV_RUN_DEFAULT);
    LOG_WARNING("User requested shutdown...");
    return server.exit_code;
}

static void close_walk(uv_handle_t *h, void *arg) {
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

void node_teardown(void) {
    if (server.loop == NULL) return;
    loading_abort(); /* a load still running: its thread, before its handles close */
    aof_shutdown();  /* writes what is buffered, releases held replies */
    clients_flush_pending();
    while (server.clients)
        client_close(server.clients);
    server_close_listeners();
    /* Timers, the prepare handle and signal handlers are closed by the walk:
     * it visits only initialised handles, so a start-up that failed half
     * way (port in use, bad dir, bad TLS files) tears down cleanly too. */
    uv_walk(server.loop, close_walk, NULL);
    uv_run(server.loop, UV_RUN_DEFAULT);
    lazyfree_stop();
    propagate_stop();
    server_tls_free();
    for (long long i = 0; i < server.databases; i++)
        db_release(&server.dbs[i]);
    vg_free(server.dbs);
    server.dbs = NULL;
    if (server.pidfile && server.pidfile[0]) unlink(server.pidfile);
    uv_loop_close(server.loop);
    config_table_free(&server.config);
    vg_free(server.config_file);
    vg_free(server.executable);
    LOG_NOTICE("Vigil is now ready to exit, bye bye...");
    log_close();
    server.loop = NULL;
}
