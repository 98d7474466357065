/* test_dict.c -- unit tests for the keyspace hash table (node/dict.c).
 *
 * Owns: the test nodes it allocates. Checks that inserts and deletes in the
 * middle of an incremental rehash keep every node findable (dict_check after
 * each step), growth and shrink, dict_random, and the SCAN promise: a node
 * present for the whole scan is returned at least once even when the table
 * grows, shrinks or rehashes between dict_scan calls. Randomness comes from
 * a seeded xorshift so every run is the same. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "vg_common.h"

typedef struct tnode {
    dict_node node; /* first member: the dict links it */
    char key[32];   /* NUL-terminated for printing; len says how many bytes count */
    size_t len;
    int seen;        /* times a scan returned it */
    bool persistent; /* present for the whole scan under test */
    bool in_dict;
} tnode;

static const char *tnode_key(const dict_node *n, size_t *len) {
    const tnode *t = (const tnode *)n;
    *len = t->len;
    return t->key;
}

static const dict_type TYPE = {.node_key = tnode_key};

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t xorshift(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static tnode *make_nodes(size_t n, const char *prefix) {
    tnode *v = calloc(n, sizeof(*v));
    cr_assert_not_null(v);
    for (size_t i = 0; i < n; i++)
        v[i].len = (size_t)snprintf(v[i].key, sizeof(v[i].key), "%s:%zu", prefix, i);
    return v;
}

static void add(dict *d, tnode *t) {
    cr_assert_null(dict_find(d, t->key, t->len), "%s already present", t->key);
    dict_add(d, &t->node);
    t->in_dict = true;
}

static void del(dict *d, tnode *t) {
    dict_node *n = dict_unlink(d, t->key, t->len);
    cr_assert_eq(n, &t->node, "%s: unlink returned the wrong node", t->key);
    t->in_dict = false;
}

/* Every node marked in_dict is found (and is the same node), others are not. */
static void check_all(dict *d, tnode *v, size_t n) {
    size_t present = 0;
    for (size_t i = 0; i < n; i++) {
        dict_node *f = dict_find(d, v[i].key, v[i].len);
        if (v[i].in_dict) {
            cr_assert_eq(f, &v[i].node, "%s not found", v[i].key);
            present++;
        } else {
            cr_assert_null(f, "%s found after delete", v[i].key);
        }
    }
    cr_assert_eq(dict_size(d), present);
}

static dict D;

static void setup(void) {
    rng_state = 88172645463325252ULL;
    dict_init(&D, &TYPE);
}

static void teardown(void) {
    dict_release(&D, NULL);
}

TestSuite(dict, .init = setup, .fini = teardown);

Test(dict, empty_dict_finds_nothing) {
    cr_assert_null(dict_find(&D, "a", 1));
    cr_assert_null(dict_unlink(&D, "a", 1));
    cr_assert_eq(dict_size(&D), 0);
    cr_assert_null(dict_random(&D, xorshift));
    cr_assert_eq(dict_scan(&D, 0, NULL, NULL), 0);
    cr_assert(dict_check(&D));
}

Test(dict, keys_are_binary_safe) {
    tnode a = {.len = 3}, b = {.len = 3};
    memcpy(a.key, "a\0b", 3);
    memcpy(b.key, "a\0c", 3);
    add(&D, &a);
    add(&D, &b);
    cr_assert_eq(dict_find(&D, "a\0b", 3), &a.node);
    cr_assert_eq(dict_find(&D, "a\0c", 3), &b.node);
    cr_assert_null(dict_find(&D, "a", 1));
    dict_release(&D, NULL);
}

Test(dict, inserts_keep_every_node_findable_through_rehashes) {
    const size_t n = 3000;
    tnode *v = make_nodes(n, "k");
    int rehashing_seen = 0;
    for (size_t i = 0; i < n; i++) {
        add(&D, &v[i]);
        cr_assert(dict_check(&D), "dict_check after insert %zu", i);
        if (dict_is_rehashing(&D)) {
            rehashing_seen++;
            /* Everything inserted so far is findable mid-rehash. */
            if (i % 7 == 0) check_all(&D, v, i + 1);
        }
    }
    cr_assert_gt(rehashing_seen, 0, "the table never rehashed incrementally");
    check_all(&D, v, n);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, deletes_during_rehash_keep_the_rest_findable) {
    const size_t n = 2048;
    tnode *v = make_nodes(n + 1, "d");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    while (dict_rehash(&D, 100))
        ;
    /* One more insert at load factor 1 starts a rehash. */
    uint64_t before = dict_buckets(&D);
    add(&D, &v[n]);
    cr_assert(dict_is_rehashing(&D));
    cr_assert_gt(dict_buckets(&D), before);
    for (size_t i = 0; i < n; i += 2) {
        del(&D, &v[i]);
        cr_assert(dict_check(&D), "dict_check after delete %zu", i);
        if (i % 64 == 0) check_all(&D, v, n + 1);
    }
    check_all(&D, v, n + 1);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, random_mix_of_inserts_and_deletes_stays_consistent) {
    const size_t n = 1500;
    tnode *v = make_nodes(n, "m");
    for (int step = 0; step < 20000; step++) {
        tnode *t = &v[xorshift() % n];
        if (t->in_dict)
            del(&D, t);
        else
            add(&D, t);
        if (xorshift() % 50 == 0) dict_shrink_if_needed(&D);
        if (step % 97 == 0) {
            cr_assert(dict_check(&D), "dict_check at step %d", step);
            check_all(&D, v, n);
        }
    }
    cr_assert(dict_check(&D));
    check_all(&D, v, n);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, grows_to_a_power_of_two_above_count) {
    const size_t n = 1000;
    tnode *v = make_nodes(n, "g");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    while (dict_rehash(&D, 100))
        ;
    uint64_t size = dict_buckets(&D);
    cr_assert_geq(size, n);
    cr_assert_eq(size & (size - 1), 0, "%llu buckets is not a power of two",
                 (unsigned long long)size);
    cr_assert_leq(size, 4 * n);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, shrinks_when_mostly_empty) {
    const size_t n = 4096;
    tnode *v = make_nodes(n, "s");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    while (dict_rehash(&D, 100))
        ;
    uint64_t big = dict_buckets(&D);
    for (size_t i = 0; i < n - 10; i++)
        del(&D, &v[i]);
    dict_shrink_if_needed(&D);
    cr_assert(dict_is_rehashing(&D), "no shrink started with %zu nodes in %llu buckets",
              dict_size(&D), (unsigned long long)big);
    check_all(&D, v, n);
    while (dict_rehash(&D, 1))
        cr_assert(dict_check(&D));
    cr_assert_lt(dict_buckets(&D), big);
    cr_assert_geq(dict_buckets(&D), 10);
    check_all(&D, v, n);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, shrink_is_not_started_when_well_filled) {
    const size_t n = 64;
    tnode *v = make_nodes(n, "w");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    while (dict_rehash(&D, 100))
        ;
    uint64_t size = dict_buckets(&D);
    dict_shrink_if_needed(&D);
    cr_assert_not(dict_is_rehashing(&D));
    cr_assert_eq(dict_buckets(&D), size);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, expand_presizes_the_table) {
    dict_expand(&D, 1000);
    cr_assert_geq(dict_buckets(&D), 1000);
    uint64_t size = dict_buckets(&D);
    tnode *v = make_nodes(1000, "e");
    for (size_t i = 0; i < 1000; i++)
        add(&D, &v[i]);
    cr_assert_eq(dict_buckets(&D), size, "a presized table must not grow");
    check_all(&D, v, 1000);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, rehash_ms_finishes_a_rehash) {
    const size_t n = 5000;
    tnode *v = make_nodes(n, "r");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    for (int i = 0; i < 1000 && dict_is_rehashing(&D); i++)
        dict_rehash_ms(&D, 100);
    cr_assert_not(dict_is_rehashing(&D));
    cr_assert(dict_check(&D));
    check_all(&D, v, n);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, paused_rehash_does_not_move_buckets) {
    const size_t n = 1000;
    tnode *v = make_nodes(n, "p");
    size_t added = 0;
    while (added < n && !(added > 100 && dict_is_rehashing(&D)))
        add(&D, &v[added++]);
    cr_assert(dict_is_rehashing(&D), "no rehash caught in progress");
    int64_t idx = D.rehash_idx;
    D.pause_rehash++;
    for (size_t i = 0; i < added; i++)
        cr_assert_eq(dict_find(&D, v[i].key, v[i].len), &v[i].node);
    cr_assert_eq(D.rehash_idx, idx);
    cr_assert_eq(dict_rehash_ms(&D, 10), 0);
    D.pause_rehash--;
    dict_find(&D, v[0].key, v[0].len);
    cr_assert(D.rehash_idx != idx, "rehash did not resume after the pause");
    dict_release(&D, NULL);
    free(v);
}

Test(dict, replace_at_swaps_a_node_in_place) {
    tnode a = {.len = 1}, b = {.len = 1};
    a.key[0] = b.key[0] = 'x';
    add(&D, &a);
    dict_node **ref = dict_find_ref(&D, "x", 1);
    cr_assert_not_null(ref);
    cr_assert_eq(dict_replace_at(ref, &b.node), &a.node);
    cr_assert_eq(dict_find(&D, "x", 1), &b.node);
    cr_assert_eq(dict_size(&D), 1);
    cr_assert(dict_check(&D));
    dict_release(&D, NULL);
}

static int freed;

static void count_free(dict_node *n) {
    ((tnode *)n)->in_dict = false;
    freed++;
}

Test(dict, release_frees_every_node_once) {
    const size_t n = 777;
    tnode *v = make_nodes(n, "f");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    freed = 0;
    dict_release(&D, count_free);
    cr_assert_eq(freed, (int)n);
    cr_assert_eq(dict_size(&D), 0);
    cr_assert_null(dict_find(&D, v[0].key, v[0].len));
    free(v);
}

Test(dict, move_detaches_everything) {
    const size_t n = 100;
    tnode *v = make_nodes(n, "mv");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    dict out;
    dict_move(&D, &out);
    cr_assert_eq(dict_size(&D), 0);
    cr_assert_null(dict_find(&D, v[0].key, v[0].len));
    check_all(&out, v, n);
    cr_assert(dict_check(&out));
    dict_release(&out, NULL);
    free(v);
}

Test(dict, random_returns_members_and_reaches_all) {
    const size_t n = 50;
    tnode *v = make_nodes(n, "rnd");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    for (int i = 0; i < 20000; i++) {
        tnode *t = (tnode *)dict_random(&D, xorshift);
        cr_assert_not_null(t);
        cr_assert(t >= v && t < v + n, "dict_random returned a non-member");
        t->seen++;
    }
    for (size_t i = 0; i < n; i++)
        cr_assert_gt(v[i].seen, 0, "%s never drawn", v[i].key);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, random_during_rehash_returns_members) {
    const size_t n = 600;
    tnode *v = make_nodes(n, "rr");
    int checked = 0;
    for (size_t i = 0; i < n; i++) {
        add(&D, &v[i]);
        if (!dict_is_rehashing(&D)) continue;
        for (int k = 0; k < 5; k++) {
            tnode *t = (tnode *)dict_random(&D, xorshift);
            cr_assert(t >= v && t <= v + i && t->in_dict);
            checked++;
        }
    }
    cr_assert_gt(checked, 0);
    dict_release(&D, NULL);
    free(v);
}

Test(dict, random_in_a_sparse_table) {
    const size_t n = 4096;
    tnode *v = make_nodes(n, "sp");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    for (size_t i = 1; i < n; i++)
        del(&D, &v[i]);
    for (int k = 0; k < 100; k++)
        cr_assert_eq(dict_random(&D, xorshift), &v[0].node);
    dict_release(&D, NULL);
    free(v);
}

static void count_cb(dict_node *n, void *arg) {
    ((tnode *)n)->seen++;
    (*(size_t *)arg)++;
}

Test(dict, foreach_visits_every_node_once) {
    const size_t n = 1000;
    tnode *v = make_nodes(n, "fe");
    for (size_t i = 0; i < n; i++)
        add(&D, &v[i]);
    size_t calls = 0;
    dict_foreach(&D, count_cb, &calls);
    cr_assert_eq(calls, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i].seen, 1, "%s visited %d times", v[i].key, v[i].seen);
    dict_release(&D, NULL);
    free(v);
}

/* ---- SCAN ---- */

/* Run a whole scan; between calls, churn() may change the table. Returns the
 * number of dict_scan calls. */
typedef void (*churn_fn)(dict *d, int call, void *arg);

static int scan_all(dict *d, churn_fn churn, void *arg) {
    uint64_t cursor = 0;
    int calls = 0;
    size_t visits = 0;
    do {
        cursor = dict_scan(d, cursor, count_cb, &visits);
        calls++;
        cr_assert_lt(calls, 10000000, "scan does not terminate");
        if (churn && cursor != 0) churn(d, calls, arg);
    } while (cursor != 0);
    return calls;
}

static void check_persistent_seen(const tnode *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (v[i].persistent)
            cr_assert_gt(v[i].seen, 0, "%s was present for the whole scan but never returned",
                         v[i].key);
}

Test(dict, scan_of_a_stable_table_returns_every_node) {
    const size_t n = 1000;
    tnode *v = make_nodes(n, "st");
    for (size_t i = 0; i < n; i++) {
        add(&D, &v[i]);
        v[i].persistent = true;
    }
    while (dict_rehash(&D, 100))
        ;
    int calls = scan_all(&D, NULL, NULL);
    check_persistent_seen(v, n);
    /* Without changes, each node comes back exactly once. */
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i].seen, 1, "%s returned %d times", v[i].key, v[i].seen);
    cr_assert_eq((uint64_t)calls, dict_buckets(&D));
    dict_release(&D, NULL);
    free(v);
}

Test(dict, scan_during_a_rehash_returns_every_node) {
    const size_t n = 1024;
    tnode *v = make_nodes(n, "sr");
    for (size_t i = 0; i < n; i++) {
        add(&D, &v[i]);
        v[i].persistent = true;
    }
    while (dict_rehash(&D, 100))
        ;
    tnode extra = {.len = 2, .persistent = true};
    memcpy(extra.key, "zz", 2);
    add(&D, &extra);
    cr_assert(dict_is_rehashing(&D));
    scan_all(&D, NULL, NULL);
    check_persistent_seen(v, n);
    cr_assert_gt(extra.seen, 0);
    dict_release(&D, NULL);
    free(v);
}

typedef struct churn_state {
    tnode *others; /* keys that come and go during the scan */
    size_t n_others;
    size_t next;  /* next other to insert */
    int per_call; /* how many changes between two scan calls */
} churn_state;

static void churn_grow(dict *d, int call, void *arg) {
    VG_UNUSED(call);
    churn_state *s = arg;
    for (int k = 0; k < s->per_call && s->next < s->n_others; k++)
        add(d, &s->others[s->next++]);
    dict_rehash(d, 1);
}

Test(dict, scan_survives_growth_between_calls) {
    const size_t n = 300, m = 20000;
    tnode *v = make_nodes(n, "pg");
    tnode *o = make_nodes(m, "og");
    for (size_t i = 0; i < n; i++) {
        add(&D, &v[i]);
        v[i].persistent = true;
    }
    uint64_t start_size = dict_buckets(&D);
    churn_state s = {o, m, 0, 40};
    scan_all(&D, churn_grow, &s);
    cr_assert_gt(dict_buckets(&D), 8 * start_size, "the table did not grow during the scan");
    check_persistent_seen(v, n);
    dict_release(&D, NULL);
    free(v);
    free(o);
}

static void churn_shrink(dict *d, int call, void *arg) {
    VG_UNUSED(call);
    churn_state *s = arg;
    for (int k = 0; k < s->per_call && s->next < s->n_others; k++)
        del(d, &s->others[s->next++]);
    dict_shrink_if_needed(d);
    dict_rehash(d, 2);
}

Test(dict, scan_survives_shrink_between_calls) {
    const size_t n = 100, m = 16000;
    tnode *v = make_nodes(n, "ps");
    tnode *o = make_nodes(m, "os");
    for (size_t i = 0; i < m; i++)
        add(&D, &o[i]);
    for (size_t i = 0; i < n; i++) {
        add(&D, &v[i]);
        v[i].persistent = true;
    }
    while (dict_rehash(&D, 100))
        ;
    uint64_t start_size = dict_buckets(&D);
    churn_state s = {o, m, 0, 200};
    scan_all(&D, churn_shrink, &s);
    cr_assert_lt(dict_buckets(&D), start_size / 8, "the table did not shrink during the scan");
    check_persistent_seen(v, n);
    dict_release(&D, NULL);
    free(v);
    free(o);
}

/* Grow for a while, then shrink, then grow again, all inside one scan. */
static void churn_wave(dict *d, int call, void *arg) {
    churn_state *s = arg;
    int phase = (call / 40) % 3;
    for (int k = 0; k < s->per_call; k++) {
        tnode *t = &s->others[xorshift() % s->n_others];
        if (phase == 1) {
            if (t->in_dict) del(d, t);
        } else if (!t->in_dict) {
            add(d, t);
        }
    }
    dict_shrink_if_needed(d);
    dict_rehash(d, (int)(xorshift() % 3));
}

Test(dict, scan_survives_grow_shrink_waves) {
    for (int seed = 1; seed <= 8; seed++) {
        rng_state = 0x9E3779B97F4A7C15ULL * (uint64_t)seed;
        dict_init(&D, &TYPE);
        const size_t n = 200, m = 6000;
        tnode *v = make_nodes(n, "pw");
        tnode *o = make_nodes(m, "ow");
        for (size_t i = 0; i < n; i++) {
            add(&D, &v[i]);
            v[i].persistent = true;
        }
        churn_state s = {o, m, 0, 60 + seed * 10};
        scan_all(&D, churn_wave, &s);
        check_persistent_seen(v, n);
        cr_assert(dict_check(&D));
        dict_release(&D, NULL);
        free(v);
        free(o);
    }
}

static void churn_random(dict *d, int call, void *arg) {
    VG_UNUSED(call);
    churn_state *s = arg;
    int changes = (int)(xorshift() % (uint64_t)(2 * s->per_call + 1));
    for (int k = 0; k < changes; k++) {
        tnode *t = &s->others[xorshift() % s->n_others];
        if (t->in_dict)
            del(d, t);
        else
            add(d, t);
    }
    if (xorshift() % 4 == 0) dict_shrink_if_needed(d);
}

Test(dict, scan_survives_random_churn_with_many_seeds) {
    for (int seed = 1; seed <= 30; seed++) {
        rng_state = 0xD1B54A32D192ED03ULL * (uint64_t)seed + 1;
        dict_init(&D, &TYPE);
        const size_t n = 64, m = 3000;
        tnode *v = make_nodes(n, "pr");
        tnode *o = make_nodes(m, "or");
        size_t preload = xorshift() % m;
        for (size_t i = 0; i < preload; i++)
            add(&D, &o[i]);
        for (size_t i = 0; i < n; i++) {
            add(&D, &v[i]);
            v[i].persistent = true;
        }
        churn_state s = {o, m, 0, 1 + seed * 5};
        scan_all(&D, churn_random, &s);
        check_persistent_seen(v, n);
        dict_release(&D, NULL);
        free(v);
        free(o);
    }
}

static void unlink_during_scan_cb(dict_node *n, void *arg) {
    /* Deleting the node being returned is what SCAN-driven expiry does. */
    dict *d = arg;
    tnode *t = (tnode *)n;
    t->seen++;
    if (!t->persistent && t->in_dict) del(d, t);
}

Test(dict, scan_callback_may_delete_the_returned_node) {
    const size_t n = 2000;
    tnode *v = make_nodes(n, "cb");
    for (size_t i = 0; i < n; i++) {
        add(&D, &v[i]);
        v[i].persistent = i % 2 == 0;
    }
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(&D, cursor, unlink_during_scan_cb, &D);
    } while (cursor != 0);
    check_persistent_seen(v, n);
    cr_assert_eq(dict_size(&D), n / 2);
    cr_assert(dict_check(&D));
    check_all(&D, v, n);
    dict_release(&D, NULL);
    free(v);
}

/* ---- dict_sample ---- */

Test(dict, sample_returns_members_also_while_rehashing) {
    tnode *v = make_nodes(1100, "s");
    for (size_t i = 0; i < 1100; i++)
        add(&D, &v[i]);
    cr_assert(dict_is_rehashing(&D) || dict_size(&D) == 1100);
    dict_node *out[16];
    for (int round = 0; round < 200; round++) {
        size_t n = dict_sample(&D, out, 16, xorshift);
        cr_assert(n > 0 && n <= 16);
        for (size_t j = 0; j < n; j++) {
            tnode *t = (tnode *)out[j];
            cr_assert_eq(dict_find(&D, t->key, t->len), out[j]);
        }
    }
    cr_assert_eq(dict_sample(&D, out, 0, xorshift), 0);
    cr_assert(dict_check(&D));
    dict_release(&D, NULL);
    free(v);
}

Test(dict, sample_of_small_dict_caps_at_count) {
    tnode *v = make_nodes(2, "t");
    add(&D, &v[0]);
    add(&D, &v[1]);
    dict_node *out[8];
    cr_assert_eq(dict_sample(&D, out, 8, xorshift), 2);
    dict_release(&D, NULL);
    free(v);
}
