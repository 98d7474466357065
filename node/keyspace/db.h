/* db.h -- logical databases: keys, TTLs, lazy and active expiry.
 *
 * Owns: every kv in a db (through its dict) and the volatile array that
 * lists the kvs with a TTL. The volatile array gives O(1) TTL lookup,
 * O(1) removal (swap with last) and uniform random sampling for the active
 * expiry cycle and volatile-* eviction.
 *
 * A kv found through db_lookup* is borrowed until the next call that may
 * delete or replace keys in that db. */
#ifndef VIGIL_NODE_DB_H
#define VIGIL_NODE_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "dict.h"
#include "kv.h"

struct db;

/* Keyspace counters for INFO stats; one set for all dbs, kept by whoever
 * fills in the db_env (the server: `server.keyspace`). */
typedef struct db_stats {
    long long hits;    /* keyspace_hits: reads that found a live key */
    long long misses;  /* keyspace_misses: reads that found none */
    long long expired; /* expired_keys: deleted because their TTL passed */
    long long evicted; /* evicted_keys: deleted to get under maxmemory */
} db_stats;

/* Everything a db needs from the process around it. The keyspace reads no
 * global: the server fills one db_env in at start-up and every db borrows
 * it (unit tests fill in their own). Every member must be set. */
typedef struct db_env {
    const int64_t *now_ms; /* borrowed: wall clock in unix ms, refreshed by the loop */
    db_stats *stats;       /* borrowed: the counters lookups and expiry add to */
    /* A replica deletes no key on its own: expired keys stay, hidden, until
     * the primary deletes them. */
    bool (*is_replica)(void);
    uint64_t (*random)(void); /* sampling source (RANDOMKEY) */
    int64_t (*mono_us)(void); /* monotonic clock in us, for time-boxed loops */
    /* Set the access clock (kv.lru) of o entering the db, replacing old
     * (NULL for a new key); refresh it when a lookup reaches o. The
     * maxmemory policy decides what the clock holds (LRU or LFU). */
    void (*access_init)(kv *o, const kv *old);
    void (*access_touch)(kv *o);
    /* After a key changed, expired or was evicted, and after a whole db was
     * emptied or swapped: WATCH, blocked clients, notifications. */
    void (*key_modified)(struct db *d, const char *key, size_t klen);
    void (*key_expired)(struct db *d, const char *key, size_t klen);
    void (*key_evicted)(struct db *d, const char *key, size_t klen);
    void (*db_changed)(struct db *d);
    /* Optional: after SWAPDB exchanged a's and b's contents, in place of
     * db_changed on both (WATCH needs to know what each db held before). */
    void (*dbs_swapped)(struct db *a, struct db *b);
    /* Optional: while it returns true no key counts as expired (Redis'
     * keyIsExpired while a dataset loads: an AOF replays as written). */
    bool (*expiry_paused)(void);
} db_env;

typedef struct db_vol {
    kv *key;      /* borrowed: owned by the dict */
    int64_t when; /* unix time in ms at which the key dies */
} db_vol;

typedef struct db {
    dict keys;         /* owned: kv nodes */
    const db_env *env; /* borrowed: lives as long as the process */
    db_vol *vol;       /* owned: keys with a TTL */
    size_t nvol;       /* entries in vol */
    size_t volcap;     /* capacity of vol */
    int id;            /* index, as SELECT sees it */
    long long avg_ttl; /* running estimate for INFO keyspace */
    size_t vol_cursor; /* next vol slot the active expiry cycle checks */
} db;

/* Lookup flags. */
#define DB_LOOKUP_NOTOUCH (1 << 0)  /* do not update LRU/LFU */
#define DB_LOOKUP_NOSTATS (1 << 1)  /* do not count keyspace hits/misses */
#define DB_LOOKUP_NOEXPIRE (1 << 2) /* do not delete an expired key (still hidden) */

/* Borrows env (every member set) for the life of d. */
void db_init(db *d, int id, const db_env *env);
void db_release(db *d);

/* A live key for reading (counts hits/misses, touches LRU), or NULL. */
kv *db_lookup_read(db *d, const char *key, size_t klen, int flags);
/* A live key for writing (no stats), or NULL. */
kv *db_lookup_write(db *d, const char *key, size_t klen);
/* Raw presence, expired or not. */
kv *db_find(db *d, const char *key, size_t klen);

/* Add a new key (must be absent). Takes o. */
void db_add(db *d, kv *o);
/* Insert or replace the key of o. keepttl keeps an existing TTL; otherwise
 * the key loses it. Takes o; frees the old value. */
void db_set(db *d, kv *o, bool keepttl);
/* Replace old (present in d) by o with the same key, keeping old's TTL.
 * Takes o, frees old. Used when an in-place change needs a new allocation. */
void db_replace(db *d, kv *old, kv *o);
/* Remove and free. Returns true if the key existed (expired or not). */
bool db_delete(db *d, const char *key, size_t klen);
/* Remove without freeing; returns the kv (caller owns) or NULL. */
kv *db_unlink(db *d, const char *key, size_t klen);

/* TTL as absolute unix ms, or -1 when the key has none. */
int64_t db_get_expire(const db *d, const kv *o);
void db_set_expire(db *d, kv *o, int64_t when_ms);
/* Returns true if a TTL was removed. */
bool db_persist(db *d, kv *o);
bool db_key_is_expired(const db *d, const kv *o, int64_t now_ms);

/* Remove every key; returns how many. async hands the memory to the lazy
 * free thread. */
long long db_empty(db *d, bool async);
/* Exchange the contents of two dbs (SWAPDB). */
void db_swap(db *a, db *b);
kv *db_random_live_key(db *d);

/* One active-expiry step over d: check keys with a TTL in rounds, walking
 * the volatile array from where the last step stopped (so every dead key is
 * reached within one pass, as Redis' expires cursor does), delete the dead
 * ones, and repeat while more than 10% of a round was dead and time allows.
 * effort is active-expire-effort (1..10): bigger rounds, lower threshold.
 * Returns keys deleted. */
long long db_active_expire(db *d, int64_t now_ms, int64_t deadline_us, long long effort);

/* Change signals: called by every command that modifies a key. */
void db_signal_modified(db *d, const char *key, size_t klen);
/* Count one key deleted by expiry (stats, notifications, propagation). */
void db_note_expired(db *d, const char *key, size_t klen);
/* Count one key deleted by eviction (stats, notifications). */
void db_note_evicted(db *d, const char *key, size_t klen);

#endif
