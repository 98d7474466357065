/* loading.c -- a dataset load beside a serving loop (see loading.h).
 *
 * Owns: the load in progress: the worker thread and the fresh dbs it
 * fills (their db_env is this file's, which reads only what was copied
 * here before the thread started), the uv_async that wakes the loop when
 * the thread ends, the uv_idle that runs the loop-side steps, and the
 * INFO loading_* figures. One load at a time. */
#include "loading.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "evict.h"
#include "log.h"
#include "rdb.h"
#include "server.h"
#include "vg_alloc.h"

static struct {
    loading_job *job;     /* borrowed: the load in progress, or NULL */
    pthread_t thread;     /* the worker, while thread_running */
    bool thread_running;  /* joined in on_thread_done or loading_abort */
    uv_async_t async;     /* wakes the loop when the worker is done */
    bool async_ready;     /* async initialised (once per process) */
    uv_idle_t idle;       /* runs job->step once per loop turn */
    bool idle_ready;      /* idle initialised */
    db *fresh;            /* owned: the worker's dbs, until swapped in */
    int ndb;              /* entries in fresh */
    int status;           /* the worker's result: written before the async send */
    vg_error err;         /* the worker's error, likewise */
    atomic_bool aborting; /* loading_abort asks the worker to stop */
    bool lfu;             /* maxmemory-policy is an LFU one, at the start */
    uint32_t lru_clock;   /* the LRU clock at the start */
    uint32_t minutes;     /* the LFU clock at the start */
    int64_t now_ms;       /* the fresh dbs' clock */
    db_stats stats;       /* the fresh dbs' counters (thrown away) */
} L;

/* ---- the fresh dbs' environment: nothing the loop owns ---- */

static bool env_false(void) {
    return false;
}

static uint64_t env_random(void) {
    return 0x9E3779B97F4A7C15ULL; /* no sampling happens while loading */
}

static void env_access_init(kv *o, const kv *old) {
    if (L.lfu)
        o->lru = old ? old->lru : evict_lfu_pack(L.minutes, LFU_INIT_VAL);
    else
        o->lru = L.lru_clock & OBJ_LRU_MAX;
}

static void env_access_touch(kv *o) {
    (void)o;
}

static void env_key(db *d, const char *key, size_t klen) {
    (void)d;
    (void)key;
    (void)klen;
}

static void env_db(db *d) {
    (void)d;
}

static const db_env fresh_env = {
    .now_ms = &L.now_ms,
    .stats = &L.stats,
    .is_replica = env_false,
    .random = env_random,
    .mono_us = vg_mono_us,
    .access_init = env_access_init,
    .access_touch = env_access_touch,
    .key_modified = env_key,
    .key_expired = env_key,
    .key_evicted = env_key,
    .db_changed = env_db,
    .expiry_paused = NULL,
};

void loading_access_restore(kv *o, int kind, unsigned long long value) {
    if (kind == RDB_ACCESS_FREQ && L.lfu) {
        o->lru = evict_lfu_pack(L.minutes, (unsigned)(value & 0xff));
    } else if (kind == RDB_ACCESS_IDLE && !L.lfu) {
        if (value > OBJ_LRU_MAX) value = OBJ_LRU_MAX;
        o->lru = (L.lru_clock - (uint32_t)value) & OBJ_LRU_MAX;
    }
}

/* ---- progress ---- */

void loading_progress_file(long long bytes) {
    atomic_store(&server.loading.loaded_bytes, server.loading.done_bytes + bytes);
}

void loading_progress_file_done(long long bytes) {
    server.loading.done_bytes += bytes;
    atomic_store(&server.loading.loaded_bytes, server.loading.done_bytes);
}

void loading_progress_used_mem(long long used_mem) {
    atomic_store(&server.loading.rdb_used_mem, used_mem);
}

bool loading_rdb_progress(void *arg, uint64_t offset, long long used_mem) {
    (void)arg;
    loading_progress_file((long long)offset);
    if (used_mem) loading_progress_used_mem(used_mem);
    return !atomic_load(&L.aborting);
}

bool loading_active(void) {
    return server.loading.active;
}

/* ---- phases ---- */

static void state_start(loading_job *job, long long total_bytes) {
    loading_state *s = &server.loading;
    s->active = true;
    s->start_time = (long long)time(NULL);
    s->total_bytes = total_bytes;
    s->done_bytes = 0;
    atomic_store(&s->loaded_bytes, 0);
    atomic_store(&s->rdb_used_mem, 0);
    L.job = job;
    L.lfu = evict_policy_is_lfu();
    L.lru_clock = server_lru_clock();
    L.minutes = evict_minutes_now(server.now_ms);
    L.now_ms = server.now_ms;
    L.status = VG_OK;
    memset(&L.err, 0, sizeof(L.err));
    atomic_store(&L.aborting, false);
}

static void fresh_alloc(void) {
    L.ndb = (int)server.databases;
    L.fresh = vg_calloc((size_t)L.ndb * sizeof(db));
    for (int i = 0; i < L.ndb; i++)
        db_init(&L.fresh[i], i, &fresh_env);
}

/* swap: the fresh contents go into server.dbs (whose addresses clients
 * hold), and what server.dbs held is freed. */
static void fresh_release(bool swap_in) {
    for (int i = 0; i < L.ndb; i++) {
        if (swap_in) db_swap(&server.dbs[i], &L.fresh[i]);
        db_release(&L.fresh[i]);
    }
    vg_free(L.fresh);
    L.fresh = NULL;
    L.ndb = 0;
}

static void finish(int status, const vg_error *err) {
    loading_job *job = L.job;
    server.loading.active = false;
    L.job = NULL;
    if (job && job->done) job->done(job, status, err);
}

static void on_idle(uv_idle_t *h) {
    server_clock_tick();
    vg_error err = {{0}};
    int rc = L.job->step(L.job, &err);
    if (rc == LOADING_MORE) return;
    uv_idle_stop(h);
    finish(rc, &err);
}

static void steps_start(void) {
    if (L.job->step == NULL) {
        finish(VG_OK, NULL);
        return;
    }
    if (!L.idle_ready) {
        uv_idle_init(server.loop, &L.idle);
        L.idle_ready = true;
    }
    uv_idle_start(&L.idle, on_idle);
}

static void on_thread_done(uv_async_t *a) {
    (void)a;
    server_clock_tick();
    if (!L.thread_running) return;
    pthread_join(L.thread, NULL);
    L.thread_running = false;
    if (L.status != VG_OK) {
        fresh_release(false);
        vg_error err = L.err;
        finish(VG_ERR, &err);
        return;
    }
    fresh_release(true);
    steps_start();
}

static void *worker_main(void *arg) {
    (void)arg;
    L.status = L.job->off_thread(L.job, L.fresh, L.ndb, &L.err);
    uv_async_send(&L.async);
    return NULL;
}

int loading_begin(loading_job *job, long long total_bytes, vg_error *err) {
    if (server.loading.active) {
        vg_error_set(err, "ERR a dataset is already loading");
        return VG_ERR;
    }
    state_start(job, total_bytes);
    if (job->off_thread == NULL) {
        steps_start();
        return VG_OK;
    }
    if (!L.async_ready) {
        uv_async_init(server.loop, &L.async, on_thread_done);
        uv_unref((uv_handle_t *)&L.async);
        L.async_ready = true;
    }
    fresh_alloc();
    int rc = pthread_create(&L.thread, NULL, worker_main, NULL);
    if (rc != 0) {
        fresh_release(false);
        server.loading.active = false;
        L.job = NULL;
        vg_error_set(err, "Can't start the loading thread: %s", strerror(rc));
        return VG_ERR;
    }
    L.thread_running = true;
    return VG_OK;
}

int loading_run_sync(loading_job *job, long long total_bytes, vg_error *err) {
    if (server.loading.active) {
        vg_error_set(err, "ERR a dataset is already loading");
        return VG_ERR;
    }
    state_start(job, total_bytes);
    int rc = VG_OK;
    if (job->off_thread) {
        fresh_alloc();
        rc = job->off_thread(job, L.fresh, L.ndb, err);
        fresh_release(rc == VG_OK);
    }
    while (rc == VG_OK && job->step) {
        rc = job->step(job, err);
        if (rc == LOADING_MORE)
            rc = VG_OK;
        else
            break;
    }
    finish(rc, err);
    return rc == VG_OK ? VG_OK : VG_ERR;
}

void loading_abort(void) {
    if (!server.loading.active) return;
    if (L.thread_running) {
        atomic_store(&L.aborting, true);
        pthread_join(L.thread, NULL);
        L.thread_running = false;
        fresh_release(false);
    }
    if (L.idle_ready) uv_idle_stop(&L.idle);
    vg_error err;
    vg_error_set(&err, "Loading aborted");
    finish(VG_ERR, &err);
}

/* ---- INFO ---- */

/* Redis 7.0.15's figures: percentage and ETA from total (or, without a
 * total, the used-mem estimate capped below 100%). */
void loading_info(buf *out) {
    const loading_state *s = &server.loading;
    if (!s->active) return;
    long long loaded = atomic_load(&s->loaded_bytes);
    long long used_mem = atomic_load(&s->rdb_used_mem);
    double perc = 0;
    long long remaining = 1;
    if (s->total_bytes) {
        perc = (double)loaded / (double)s->total_bytes * 100;
        remaining = s->total_bytes - loaded;
    } else if (used_mem) {
        perc = (double)loaded / (double)used_mem * 100;
        remaining = used_mem - loaded;
        if (perc > 99.99) perc = 99.99;
        if (remaining < 1) remaining = 1;
    }
    long long elapsed = (long long)time(NULL) - s->start_time;
    long long eta = elapsed == 0 ? 1 : elapsed * remaining / (loaded + 1);
    buf_append_fmt(out,
                   "loading_start_time:%lld\r\nloading_total_bytes:%llu\r\n"
                   "loading_rdb_used_mem:%llu\r\nloading_loaded_bytes:%llu\r\n"
                   "loading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
                   s->start_time, (unsigned long long)s->total_bytes, (unsigned long long)used_mem,
                   (unsigned long long)loaded, perc, eta);
}
