/* test_db.c -- criterion tests for db.c: TTLs, lazy and active expiry.
 *
 * Owns: two dbs and the db_env they borrow, set up per test. Time is
 * driven by writing now_ms directly, so expiry is checked without
 * sleeping; the env's hooks count their calls. After every step the
 * volatile array is checked against the dict: each kv with a TTL sits at
 * vol[kv->vol - 1], and every vol entry points at a live kv. No server:
 * the keyspace needs nothing but its env. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "vg_alloc.h"

#define T0 1700000000000LL /* a fixed wall clock in ms */
#define EXPIRE_ROUND 20    /* keys per active-expiry round at active-expire-effort 1 */

static int64_t now_ms;
static db_stats stats;
static bool replica;
static uint64_t rand_state;
static db dbs[2];
static struct { long long modified, expired, evicted, changed, inits, touches; } calls;

static bool env_is_replica(void) {
    return replica;
}

static uint64_t env_random(void) {
    rand_state ^= rand_state << 13;
    rand_state ^= rand_state >> 7;
    rand_state ^= rand_state << 17;
    return rand_state;
}

static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void env_access_init(kv *o, const kv *old) {
    o->lru = old ? old->lru : 1;
    calls.inits++;
}

static void env_access_touch(kv *o) {
    o->lru++;
    calls.touches++;
}

static void env_key_modified(db *d, const char *key, size_t klen) {
    (void)d, (void)key, (void)klen;
    calls.modified++;
}

static void env_key_expired(db *d, const char *key, size_t klen) {
    (void)d, (void)key, (void)klen;
    calls.expired++;
}

static void env_key_evicted(db *d, const char *key, size_t klen) {
    (void)d, (void)key, (void)klen;
    calls.evicted++;
}

static void env_db_changed(db *d) {
    (void)d;
    calls.changed++;
}

static const db_env env = {
    .now_ms = &now_ms,
    .stats = &stats,
    .is_replica = env_is_replica,
    .random = env_random,
    .mono_us = mono_us,
    .access_init = env_access_init,
    .access_touch = env_access_touch,
    .key_modified = env_key_modified,
    .key_expired = env_key_expired,
    .key_evicted = env_key_evicted,
    .db_changed = env_db_changed,
};

static void setup(void) {
    memset(&stats, 0, sizeof(stats));
    memset(&calls, 0, sizeof(calls));
    replica = false;
    rand_state = 0x9E3779B97F4A7C15ULL;
    now_ms = T0;
    db_init(&dbs[0], 0, &env);
    db_init(&dbs[1], 1, &env);
}

static void teardown(void) {
    db_release(&dbs[0]);
    db_release(&dbs[1]);
}

TestSuite(db, .init = setup, .fini = teardown);

static db *d0(void) {
    return &dbs[0];
}

static kv *put(db *d, const char *key, const char *val) {
    db_set(d, kv_new_string(key, strlen(key), val, strlen(val)), false);
    return db_find(d, key, strlen(key));
}

static kv *put_ttl(db *d, const char *key, int64_t when) {
    kv *o = put(d, key, "v");
    db_set_expire(d, o, when);
    return o;
}

typedef struct vol_count {
    const db *d;
    size_t with_ttl;
    bool ok;
} vol_count;

static void count_cb(dict_node *n, void *arg) {
    vol_count *vc = arg;
    kv *o = (kv *)n;
    if (o->vol == 0) return;
    vc->with_ttl++;
    if (o->vol > vc->d->nvol || vc->d->vol[o->vol - 1].key != o) vc->ok = false;
}

/* The invariant db.c promises, checked both ways. */
static void check_vol(db *d) {
    vol_count vc = {d, 0, true};
    dict_foreach(&d->keys, count_cb, &vc);
    cr_assert(vc.ok, "a kv's vol slot does not point back at it");
    cr_assert_eq(vc.with_ttl, d->nvol, "dict has %zu kvs with a TTL, vol has %zu", vc.with_ttl,
                 d->nvol);
    for (size_t i = 0; i < d->nvol; i++) {
        kv *o = d->vol[i].key;
        cr_assert_eq(o->vol, i + 1);
        cr_assert_eq(db_find(d, o->key, o->keylen), o, "vol entry %zu is not in the dict", i);
    }
    cr_assert_leq(d->nvol, d->volcap);
}

Test(db, set_and_get_expire) {
    kv *o = put(d0(), "k", "v");
    cr_assert_eq(db_get_expire(d0(), o), -1);
    db_set_expire(d0(), o, T0 + 1000);
    cr_assert_eq(db_get_expire(d0(), o), T0 + 1000);
    db_set_expire(d0(), o, T0 + 2000); /* update in place, no second slot */
    cr_assert_eq(db_get_expire(d0(), o), T0 + 2000);
    cr_assert_eq(d0()->nvol, 1);
    check_vol(d0());
}

Test(db, lazy_expiry_deletes_on_lookup) {
    put_ttl(d0(), "k", T0 + 100);
    cr_assert_not_null(db_lookup_read(d0(), "k", 1, 0));
    now_ms = T0 + 99;
    cr_assert_not_null(db_lookup_write(d0(), "k", 1));
    now_ms = T0 + 100;
    long long expired = stats.expired;
    cr_assert_null(db_lookup_read(d0(), "k", 1, 0));
    cr_assert_eq(stats.expired, expired + 1);
    cr_assert_null(db_find(d0(), "k", 1), "an expired key must be gone after a lookup");
    cr_assert_eq(dict_size(&d0()->keys), 0);
    check_vol(d0());
}

Test(db, lookup_write_also_expires) {
    put_ttl(d0(), "k", T0 + 10);
    now_ms = T0 + 11;
    cr_assert_null(db_lookup_write(d0(), "k", 1));
    cr_assert_null(db_find(d0(), "k", 1));
    check_vol(d0());
}

Test(db, noexpire_lookup_hides_but_keeps) {
    put_ttl(d0(), "k", T0 + 10);
    now_ms = T0 + 11;
    cr_assert_null(db_lookup_read(d0(), "k", 1, DB_LOOKUP_NOEXPIRE));
    cr_assert_not_null(db_find(d0(), "k", 1));
    cr_assert(db_key_is_expired(d0(), db_find(d0(), "k", 1), now_ms));
}

Test(db, persist_removes_ttl) {
    kv *o = put_ttl(d0(), "k", T0 + 10);
    cr_assert(db_persist(d0(), o));
    cr_assert_not(db_persist(d0(), o));
    cr_assert_eq(db_get_expire(d0(), o), -1);
    now_ms = T0 + 1000000;
    cr_assert_not_null(db_lookup_read(d0(), "k", 1, 0));
    check_vol(d0());
}

Test(db, set_without_keepttl_clears_and_with_keeps) {
    put_ttl(d0(), "a", T0 + 500);
    put_ttl(d0(), "b", T0 + 600);
    kv *a = put(d0(), "a", "new"); /* replace, TTL dropped */
    cr_assert_eq(db_get_expire(d0(), a), -1);
    check_vol(d0());
    db_set(d0(), kv_new_string("b", 1, "x", 1), true);
    kv *b = db_find(d0(), "b", 1);
    cr_assert_eq(db_get_expire(d0(), b), T0 + 600);
    check_vol(d0());
}

Test(db, replace_keeps_ttl_slot) {
    kv *o = put_ttl(d0(), "k", T0 + 700);
    kv *n = kv_new_string("k", 1, "a much longer value than before", 31);
    db_replace(d0(), o, n);
    cr_assert_eq(db_find(d0(), "k", 1), n);
    cr_assert_eq(db_get_expire(d0(), n), T0 + 700);
    check_vol(d0());
}

/* Random adds, deletes, replaces, persists and unlinks; the array must stay
 * consistent throughout (swap-with-last removal moves other entries). */
Test(db, volatile_array_consistent_under_churn) {
    char key[32];
    uint64_t x = 12345;
    for (int step = 0; step < 20000; step++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int k = (int)((x >> 33) % 500), op = (int)((x >> 20) % 6);
        snprintf(key, sizeof(key), "key:%d", k);
        size_t kl = strlen(key);
        kv *o = db_find(d0(), key, kl);
        switch (op) {
        case 0:
            put(d0(), key, "v");
            break;
        case 1:
            put_ttl(d0(), key, T0 + 1000 + k);
            break;
        case 2:
            db_delete(d0(), key, kl);
            break;
        case 3:
            if (o) db_persist(d0(), o);
            break;
        case 4:
            if (o) db_set(d0(), kv_new_string(key, kl, "kept", 4), true);
            break;
        default:
            kv_free(db_unlink(d0(), key, kl));
            break;
        }
        if (step % 1000 == 0) check_vol(d0());
    }
    check_vol(d0());
}

Test(db, active_expire_deletes_only_dead_keys) {
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "dead:%d", i);
        put_ttl(d0(), key, T0 + 50);
        snprintf(key, sizeof(key), "live:%d", i);
        put_ttl(d0(), key, T0 + 100000);
        snprintf(key, sizeof(key), "plain:%d", i);
        put(d0(), key, "v");
    }
    now_ms = T0 + 51;
    long long total = 0;
    /* A generous deadline: each call runs until under 10% of a round is dead. */
    for (int round = 0; round < 1000 && total < 1000; round++)
        total += db_active_expire(d0(), now_ms, mono_us() + 1000000, 1);
    check_vol(d0());
    cr_assert_eq(total, 1000, "active expiry reclaimed %lld of 1000 dead keys", total);
    cr_assert_eq(dict_size(&d0()->keys), 2000);
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "live:%d", i);
        cr_assert_not_null(db_find(d0(), key, strlen(key)));
        snprintf(key, sizeof(key), "plain:%d", i);
        cr_assert_not_null(db_find(d0(), key, strlen(key)));
    }
    cr_assert_eq(stats.expired, total);
    cr_assert_gt(d0()->avg_ttl, 0);
}

Test(db, active_expire_reclaims_everything_when_all_dead) {
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k:%d", i);
        put_ttl(d0(), key, T0 + i % 7);
    }
    now_ms = T0 + 10;
    long long n = db_active_expire(d0(), now_ms, mono_us() + 5000000, 1);
    cr_assert_eq(n, 5000);
    cr_assert_eq(dict_size(&d0()->keys), 0);
    cr_assert_eq(d0()->nvol, 0);
    cr_assert_leq(d0()->volcap, 64, "the volatile array shrinks once empty (cap %zu)",
                  d0()->volcap);
}

/* A few dead keys behind many live ones: random sampling would take a
 * long time to draw the last of them; the cursor reaches each in one pass
 * (about nvol / 20 calls, each doing at least one round). */
Test(db, active_expire_finds_sparse_dead_keys_within_a_pass) {
    char key[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof(key), "live:%d", i);
        put_ttl(d0(), key, T0 + 100000);
    }
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "dead:%d", i);
        put_ttl(d0(), key, T0 + 10);
    }
    now_ms = T0 + 20;
    long long total = 0;
    for (int call = 0; call < 10100 / EXPIRE_ROUND + 1; call++)
        total += db_active_expire(d0(), now_ms, mono_us() + 1000000, 1);
    cr_assert_eq(total, 100, "only %lld of 100 sparse dead keys reclaimed in a pass", total);
    cr_assert_eq(dict_size(&d0()->keys), 10000);
    check_vol(d0());
}

Test(db, active_expire_with_nothing_dead_does_nothing) {
    put_ttl(d0(), "a", T0 + 100);
    put(d0(), "b", "v");
    cr_assert_eq(db_active_expire(d0(), now_ms, mono_us() + 1000, 1), 0);
    cr_assert_eq(dict_size(&d0()->keys), 2);
}

Test(db, random_live_key_skips_and_deletes_expired) {
    put_ttl(d0(), "dead1", T0 + 1);
    put_ttl(d0(), "dead2", T0 + 1);
    put(d0(), "alive", "v");
    now_ms = T0 + 5;
    for (int i = 0; i < 50; i++) {
        kv *o = db_random_live_key(d0());
        cr_assert_not_null(o);
        cr_assert_str_eq(o->key, "alive");
    }
    check_vol(d0());
}

Test(db, random_live_key_empty_when_all_expired) {
    put_ttl(d0(), "a", T0 + 1);
    put_ttl(d0(), "b", T0 + 2);
    now_ms = T0 + 5;
    cr_assert_null(db_random_live_key(d0()));
    cr_assert_eq(dict_size(&d0()->keys), 0);
    check_vol(d0());
}

Test(db, empty_drops_ttls) {
    put_ttl(d0(), "a", T0 + 100);
    put(d0(), "b", "v");
    cr_assert_eq(db_empty(d0(), false), 2);
    cr_assert_eq(d0()->nvol, 0);
    kv *o = put(d0(), "a", "v");
    cr_assert_eq(db_get_expire(d0(), o), -1);
    db_set_expire(d0(), o, T0 + 5);
    check_vol(d0());
}

Test(db, swap_moves_ttls_with_keys) {
    put_ttl(d0(), "a", T0 + 100);
    put(&dbs[1], "b", "v");
    db_swap(d0(), &dbs[1]);
    cr_assert_eq(d0()->id, 0);
    cr_assert_eq(dbs[1].id, 1);
    cr_assert_null(db_find(d0(), "a", 1));
    kv *a = db_find(&dbs[1], "a", 1);
    cr_assert_not_null(a);
    cr_assert_eq(db_get_expire(&dbs[1], a), T0 + 100);
    check_vol(d0());
    check_vol(&dbs[1]);
}

Test(db, replica_hides_expired_keys_but_keeps_them) {
    replica = true;
    put_ttl(d0(), "k", T0 + 10);
    now_ms = T0 + 11;
    cr_assert_null(db_lookup_read(d0(), "k", 1, 0));
    cr_assert_null(db_lookup_write(d0(), "k", 1));
    cr_assert_not_null(db_find(d0(), "k", 1), "only the primary deletes an expired key");
    cr_assert_eq(db_active_expire(d0(), now_ms, mono_us() + 1000000, 1), 0);
    cr_assert_eq(stats.expired, 0);
    cr_assert_eq(calls.expired, 0);
    check_vol(d0());
}

Test(db, lookups_count_through_the_env) {
    put(d0(), "a", "v");
    cr_assert_not_null(db_lookup_read(d0(), "a", 1, 0));
    cr_assert_null(db_lookup_read(d0(), "b", 1, 0));
    cr_assert_null(db_lookup_read(d0(), "b", 1, DB_LOOKUP_NOSTATS));
    cr_assert_eq(stats.hits, 1);
    cr_assert_eq(stats.misses, 1);
    long long touches = calls.touches;
    db_lookup_read(d0(), "a", 1, DB_LOOKUP_NOTOUCH);
    cr_assert_eq(calls.touches, touches);
    db_lookup_write(d0(), "a", 1);
    cr_assert_eq(calls.touches, touches + 1);
}

Test(db, set_hands_the_replaced_kv_to_access_init) {
    kv *o = put(d0(), "a", "v");
    o->lru = 777;
    kv *n = put(d0(), "a", "w");
    cr_assert_eq(n->lru, 777, "access_init saw the kv it replaces");
    cr_assert_eq(put(d0(), "fresh", "v")->lru, 1);
}

Test(db, hooks_fire_for_expiry_eviction_and_whole_db_changes) {
    put_ttl(d0(), "k", T0 + 10);
    now_ms = T0 + 11;
    db_lookup_read(d0(), "k", 1, 0);
    cr_assert_eq(calls.expired, 1);
    cr_assert_eq(stats.expired, 1);
    db_note_evicted(d0(), "x", 1);
    cr_assert_eq(calls.evicted, 1);
    cr_assert_eq(stats.evicted, 1);
    db_signal_modified(d0(), "x", 1);
    cr_assert_eq(calls.modified, 1);
    db_swap(d0(), &dbs[1]);
    cr_assert_eq(calls.changed, 2);
    cr_assert(d0()->env == &env && dbs[1].env == &env);
    db_empty(d0(), false);
    cr_assert_eq(calls.changed, 3);
}
