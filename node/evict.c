/* evict.c -- maxmemory: LRU/LFU clocks and the eviction pool.
 *
 * Owns: the pool of best candidates (evict_pool.c keeps them). Each
 * round samples maxmemory-samples keys per db (from the keyspace for
 * allkeys-*, from the volatile array for volatile-*), keeps the best in
 * the pool (highest idle time; lowest LFU counter; soonest TTL), and
 * deletes the best one that still exists. Random policies pick directly.
 *
 * LFU layout in kv.lru (as Redis): 16 bits of minutes | 8 bits counter. */
#include "evict.h"

#include <math.h>
#include <string.h>

#include "evict_pool.h"
#include "lazyfree.h"
#include "server.h"
#include "vg_alloc.h"

#define EVICT_MAX_US 1000 /* per call; the next command continues */

static evict_pool pool; /* zero-initialised: an empty pool */

bool evict_policy_is_lfu(void) {
    return server.maxmemory_policy == MAXMEMORY_ALLKEYS_LFU ||
           server.maxmemory_policy == MAXMEMORY_VOLATILE_LFU;
}

uint32_t evict_minutes_now(int64_t now_ms) {
    return (uint32_t)((now_ms / 60000) & 0xFFFF);
}

uint32_t evict_lfu_pack(uint32_t minutes, unsigned counter) {
    return ((minutes & 0xFFFF) << 8) | (counter & 0xFF);
}

unsigned evict_lfu_decayed(uint32_t obj_lru, uint32_t now_minutes, long long decay_time) {
    uint32_t last = (obj_lru >> 8) & 0xFFFF;
    unsigned counter = obj_lru & 0xFF;
    uint32_t elapsed = now_minutes >= last ? now_minutes - last : 65535 - last + now_minutes;
    if (decay_time <= 0) return counter;
    uint32_t periods = elapsed / (uint32_t)decay_time;
    return periods > counter ? 0 : counter - periods;
}

unsigned evict_lfu_log_incr(unsigned counter, long long log_factor, double rnd) {
    if (counter >= 255) return 255;
    double base = (double)counter - LFU_INIT_VAL;
    if (base < 0) base = 0;
    double p = 1.0 / (base * (double)log_factor + 1);
    return rnd < p ? counter + 1 : counter;
}

uint64_t evict_idle_ms(uint32_t obj_lru, uint32_t lru_clock) {
    uint32_t diff = lru_clock >= obj_lru ? lru_clock - obj_lru : OBJ_LRU_MAX - obj_lru + lru_clock;
    return (uint64_t)diff * 1000;
}

static double rand01(void) {
    return (double)(server_random() >> 11) / (double)(1ULL << 53);
}

void evict_init_access(kv *o, const kv *old) {
    if (evict_policy_is_lfu()) /* As Redis' dbSetValue: an overwrite keeps the access count. */
        o->lru = old ? old->lru : evict_lfu_pack(evict_minutes_now(server.now_ms), LFU_INIT_VAL);
    else
        o->lru = server_lru_clock() & OBJ_LRU_MAX;
}

void evict_touch(kv *o) {
    if (evict_policy_is_lfu()) {
        uint32_t now = evict_minutes_now(server.now_ms);
        unsigned counter = evict_lfu_decayed(o->lru, now, server.lfu_decay_time);
        counter = evict_lfu_log_incr(counter, server.lfu_log_factor, rand01());
        o->lru = evict_lfu_pack(now, counter);
    } else {
        o->lru = server_lru_clock() & OBJ_LRU_MAX;
    }
}

unsigned evict_lfu_value(const kv *o) {
    return evict_lfu_decayed(o->lru, evict_minutes_now(server.now_ms), server.lfu_decay_time);
}

uint64_t evict_object_idle_ms(const kv *o) {
    return evict_idle_ms(o->lru, server_lru_clock());
}

size_t evict_used_memory(void) {
    return vg_used_memory();
}

static bool policy_volatile(void) {
    return server.maxmemory_policy >= MAXMEMORY_VOLATILE_LRU;
}

static uint64_t score_of(const db *d, const kv *o) {
    switch (server.maxmemory_policy) {
    case MAXMEMORY_ALLKEYS_LFU:
    case MAXMEMORY_VOLATILE_LFU:
        return 255 - evict_lfu_value(o);
    case MAXMEMORY_VOLATILE_TTL:
        return UINT64_MAX - (uint64_t)db_get_expire(d, o);
    default:
        return evict_object_idle_ms(o);
    }
}

static void sample_db(db *d) {
    size_t samples = (size_t)server.maxmemory_samples;
    if (policy_volatile()) {
        for (size_t i = 0; i < samples && d->nvol > 0; i++) {
            kv *o = d->vol[server_random() % d->nvol].key;
            evict_pool_offer(&pool, d->id, o->key, o->keylen, score_of(d, o));
        }
        return;
    }
    dict_node *picked[64];
    size_t n = dict_sample(&d->keys, picked, samples < 64 ? samples : 64, server_random);
    for (size_t i = 0; i < n; i++)
        evict_pool_offer(&pool, d->id, ((kv *)picked[i])->key, ((kv *)picked[i])->keylen,
                         score_of(d, (kv *)picked[i]));
}

/* Pick and unlink one victim. Returns its db and kv (caller frees), or NULL. */
static kv *pick_victim(int *dbid) {
    if (server.maxmemory_policy == MAXMEMORY_ALLKEYS_RANDOM ||
        server.maxmemory_policy == MAXMEMORY_VOLATILE_RANDOM) {
        static long long next_db;
        for (long long tries = 0; tries < server.databases; tries++) {
            db *d = &server.dbs[next_db++ % server.databases];
            kv *o = policy_volatile() ? (d->nvol ? d->vol[server_random() % d->nvol].key : NULL)
                                      : (kv *)dict_random(&d->keys, server_random);
            if (o) {
                *dbid = d->id;
                return o;
            }
        }
        return NULL;
    }
    for (int round = 0; round < 4; round++) {
        for (long long i = 0; i < server.databases; i++)
            sample_db(&server.dbs[i]);
        const evict_candidate *e;
        while ((e = evict_pool_best(&pool)) != NULL) {
            db *d = &server.dbs[e->dbid];
            kv *o = db_find(d, e->key, e->keylen);
            int id = e->dbid;
            evict_pool_drop_best(&pool);
            if (o && (!policy_volatile() || o->vol)) {
                *dbid = id;
                return o;
            }
        }
    }
    return NULL;
}

int evict_perform(void) {
    if (server.maxmemory <= 0 || evict_used_memory() <= (size_t)server.maxmemory) return EVICT_OK;
    if (server.maxmemory_policy == MAXMEMORY_NO_EVICTION) return EVICT_FAIL;
    int64_t deadline = vg_mono_us() + EVICT_MAX_US;
    while (evict_used_memory() > (size_t)server.maxmemory) {
        int dbid;
        kv *o = pick_victim(&dbid);
        if (o == NULL) return EVICT_FAIL;
        db *d = &server.dbs[dbid];
        char small[256];
        size_t klen = o->keylen;
        char *key = klen < sizeof(small) ? small : vg_malloc(klen);
        memcpy(key, o->key, klen);
        kv *gone = db_unlink(d, key, klen);
        lazyfree_kv(gone);
        db_signal_modified(d, key, klen);
        db_note_evicted(d, key, klen);
        if (key != small) vg_free(key);
        if (vg_mono_us() > deadline)
            return EVICT_RUNNING; /* the cron and the next commands go on */
    }
    return EVICT_OK;
}
