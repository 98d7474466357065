/* db.c -- logical databases: keys, TTLs, lazy and active expiry.
 *
 * Owns: kvs and the volatile array. Invariant: a kv with vol != 0 sits at
 * d->vol[vol - 1].key, and every entry of d->vol points at a kv in d->keys.
 * Every path that frees or replaces a kv goes through vol_remove/vol_move
 * so the array never holds a dangling pointer. The clock, the replica
 * flag, the access clock and the change hooks come from d->env. */
#include "db.h"

#include <limits.h>
#include <string.h>

#include "lazyfree.h"
#include "vg_alloc.h"
#include "vg_common.h"

static const char *kv_node_key(const dict_node *n, size_t *len) {
    const kv *o = (const kv *)n;
    *len = o->keylen;
    return o->key;
}

static const dict_type keyspace_type = {kv_node_key};

void db_init(db *d, int id, const db_env *env) {
    VG_ASSERT(env && env->now_ms && env->stats && env->is_replica && env->random && env->mono_us &&
              env->access_init && env->access_touch && env->key_modified && env->key_expired &&
              env->key_evicted && env->db_changed);
    memset(d, 0, sizeof(*d));
    dict_init(&d->keys, &keyspace_type);
    d->env = env;
    d->id = id;
}

static void free_kv_node(dict_node *n) {
    kv_free((kv *)n);
}

void db_release(db *d) {
    dict_release(&d->keys, free_kv_node);
    vg_free(d->vol);
    d->vol = NULL;
    d->nvol = d->volcap = 0;
}

static void vol_remove(db *d, kv *o) {
    if (o->vol == 0) return;
    size_t i = o->vol - 1;
    VG_ASSERT(i < d->nvol && d->vol[i].key == o);
    d->nvol--;
    if (i != d->nvol) {
        d->vol[i] = d->vol[d->nvol];
        d->vol[i].key->vol = (uint32_t)(i + 1);
    }
    o->vol = 0;
    /* Give memory back after a wave of expiries; halving at a quarter full
     * keeps removal amortised O(1). */
    if (d->volcap > 64 && d->nvol < d->volcap / 4) {
        d->volcap /= 2;
        d->vol = vg_realloc(d->vol, d->volcap * sizeof(*d->vol));
    }
}

/* o takes over old's TTL slot (old is about to be freed). */
static void vol_move(db *d, kv *old, kv *o) {
    o->vol = old->vol;
    if (old->vol) {
        d->vol[old->vol - 1].key = o;
        old->vol = 0;
    }
}

kv *db_find(db *d, const char *key, size_t klen) {
    return (kv *)dict_find(&d->keys, key, klen);
}

bool db_key_is_expired(const db *d, const kv *o, int64_t now_ms) {
    if (o->vol == 0) return false;
    if (d->env->expiry_paused && d->env->expiry_paused()) return false;
    return d->vol[o->vol - 1].when <= now_ms;
}

int64_t db_get_expire(const db *d, const kv *o) {
    return o->vol ? d->vol[o->vol - 1].when : -1;
}

void db_set_expire(db *d, kv *o, int64_t when_ms) {
    if (o->vol) {
        d->vol[o->vol - 1].when = when_ms;
        return;
    }
    if (d->nvol == d->volcap) {
        d->volcap = d->volcap ? d->volcap * 2 : 16;
        d->vol = vg_realloc(d->vol, d->volcap * sizeof(*d->vol));
    }
    d->vol[d->nvol].key = o;
    d->vol[d->nvol].when = when_ms;
    d->nvol++;
    o->vol = (uint32_t)d->nvol;
}

bool db_persist(db *d, kv *o) {
    if (o->vol == 0) return false;
    vol_remove(d, o);
    return true;
}

/* Delete o if its TTL passed. Returns true when the key is gone (or must be
 * treated as gone). */
static bool expire_if_needed(db *d, kv *o, int flags) {
    if (!db_key_is_expired(d, o, *d->env->now_ms)) return false;
    if (flags & DB_LOOKUP_NOEXPIRE) return true;
    if (d->env->is_replica()) /* the primary decides; we only hide the key */
        return true;
    db_note_expired(d, o->key, o->keylen);
    char key[256];
    if (o->keylen < sizeof(key)) {
        memcpy(key, o->key, o->keylen);
        db_delete(d, key, o->keylen);
    } else {
        char *copy = vg_memdup(o->key, o->keylen);
        db_delete(d, copy, o->keylen);
        vg_free(copy);
    }
    return true;
}

kv *db_lookup_read(db *d, const char *key, size_t klen, int flags) {
    kv *o = db_find(d, key, klen);
    if (o && expire_if_needed(d, o, flags)) o = NULL;
    if (!(flags & DB_LOOKUP_NOSTATS)) {
        if (o)
            d->env->stats->hits++;
        else
            d->env->stats->misses++;
    }
    if (o && !(flags & DB_LOOKUP_NOTOUCH)) d->env->access_touch(o);
    return o;
}

kv *db_lookup_write(db *d, const char *key, size_t klen) {
    kv *o = db_find(d, key, klen);
    if (o && expire_if_needed(d, o, 0)) return NULL;
    if (o) d->env->access_touch(o);
    return o;
}

void db_add(db *d, kv *o) {
    d->env->access_init(o, NULL);
    o->vol = 0;
    dict_add(&d->keys, &o->node);
}

void db_set(db *d, kv *o, bool keepttl) {
    dict_node **ref = dict_find_ref(&d->keys, o->key, o->keylen);
    d->env->access_init(o, ref ? (const kv *)*ref : NULL);
    o->vol = 0;
    if (ref == NULL) {
        dict_add(&d->keys, &o->node);
        return;
    }
    kv *old = (kv *)*ref;
    if (keepttl)
        vol_move(d, old, o);
    else
        vol_remove(d, old);
    dict_replace_at(ref, &o->node);
    lazyfree_kv(old);
}

void db_replace(db *d, kv *old, kv *o) {
    dict_node **ref = dict_find_ref(&d->keys, old->key, old->keylen);
    VG_ASSERT(ref && *ref == &old->node);
    o->lru = old->lru;
    vol_move(d, old, o);
    dict_replace_at(ref, &o->node);
    kv_free(old);
}

kv *db_unlink(db *d, const char *key, size_t klen) {
    kv *o = (kv *)dict_unlink(&d->keys, key, klen);
    if (o) vol_remove(d, o);
    return o;
}

bool db_delete(db *d, const char *key, size_t klen) {
    kv *o = db_unlink(d, key, klen);
    if (o == NULL) return false;
    lazyfree_kv(o);
    return true;
}

long long db_empty(db *d, bool async) {
    long long n = (long long)dict_size(&d->keys);
    d->env->db_changed(d);
    if (async) {
        dict *moved = vg_malloc(sizeof(dict));
        dict_move(&d->keys, moved);
        lazyfree_dict(moved);
    } else {
        dict_release(&d->keys, free_kv_node);
    }
    vg_free(d->vol); /* its entries pointed into the dict just emptied */
    d->vol = NULL;
    d->nvol = d->volcap = 0;
    d->vol_cursor = 0;
    d->avg_ttl = 0;
    return n;
}

void db_swap(db *a, db *b) {
    db t = *a;
    int ida = a->id, idb = b->id;
    const db_env *enva = a->env, *envb = b->env;
    *a = *b;
    *b = t;
    a->id = ida;
    b->id = idb;
    a->env = enva;
    b->env = envb;
    if (a->env->dbs_swapped) {
        a->env->dbs_swapped(a, b);
        return;
    }
    a->env->db_changed(a);
    b->env->db_changed(b);
}

/* As Redis: a primary deletes the expired keys it draws (so each miss
 * shrinks the db and the loop ends); a replica cannot delete, so when every
 * key is volatile it gives up after 100 draws and returns a dying key. */
kv *db_random_live_key(db *d) {
    bool all_volatile = d->nvol == dict_size(&d->keys);
    int tries = 100;
    for (;;) {
        kv *o = (kv *)dict_random(&d->keys, d->env->random);
        if (o == NULL) return NULL;
        if (!db_key_is_expired(d, o, *d->env->now_ms)) return o;
        if (d->env->is_replica()) {
            if (all_volatile && --tries == 0) return o;
            continue;
        }
        expire_if_needed(d, o, 0);
    }
}

/* Redis' active-expire tuning: 20 keys per round plus a quarter more per
 * effort step, repeated while more than 10% (less per effort step) of a
 * round was dead. Keys are visited in array order from a cursor kept in the
 * db, not drawn at random, so a few dead keys among many live ones are still
 * all reclaimed within one pass. */
#define EXPIRE_SAMPLE 20
#define EXPIRE_STALE_PERC 10

long long db_active_expire(db *d, int64_t now_ms, int64_t deadline_us, long long effort) {
    long long deleted = 0;
    if (d->env->is_replica()) /* keys expire on a replica only when its primary says so */
        return 0;
    effort = effort > 0 ? effort - 1 : 0;
    int per_round = EXPIRE_SAMPLE + (int)(EXPIRE_SAMPLE / 4 * effort);
    int stale = EXPIRE_STALE_PERC - (int)effort;
    for (;;) {
        if (d->nvol == 0) break;
        int expired = 0, sampled = 0;
        long long ttl_sum = 0;
        int ttl_samples = 0;
        for (int i = 0; i < per_round && d->nvol > 0; i++) {
            if (d->vol_cursor >= d->nvol) d->vol_cursor = 0;
            db_vol e = d->vol[d->vol_cursor];
            sampled++;
            if (e.when <= now_ms) {
                /* Removal moves the last entry into this slot: check it next. */
                kv *o = e.key;
                db_note_expired(d, o->key, o->keylen);
                kv *gone = db_unlink(d, o->key, o->keylen);
                lazyfree_kv(gone);
                expired++;
                deleted++;
            } else {
                long long ttl = e.when - now_ms; /* both fit: no overflow */
                ttl_sum = ttl_sum > LLONG_MAX - ttl ? LLONG_MAX : ttl_sum + ttl;
                ttl_samples++;
                d->vol_cursor++;
            }
        }
        if (ttl_samples) {
            long long avg = ttl_sum / ttl_samples;
            d->avg_ttl = d->avg_ttl ? (d->avg_ttl / 50) * 49 + avg / 50 : avg;
        }
        if (expired * 100 <= sampled * stale) break;
        if (d->env->mono_us() > deadline_us) break;
    }
    return deleted;
}

void db_signal_modified(db *d, const char *key, size_t klen) {
    d->env->key_modified(d, key, klen);
}

void db_note_expired(db *d, const char *key, size_t klen) {
    d->env->stats->expired++;
    d->env->key_expired(d, key, klen);
}

void db_note_evicted(db *d, const char *key, size_t klen) {
    d->env->stats->evicted++;
    d->env->key_evicted(d, key, klen);
}
