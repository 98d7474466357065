/* dict.c -- intrusive hash table with incremental rehashing and SCAN.
 *
 * Owns: bucket arrays only. Invariants:
 *  1. count == nodes in table[0] + nodes in table[1].
 *  2. While rehashing, buckets of table[0] below rehash_idx are empty.
 *  3. Every node sits in bucket hash(key) & (size-1) of the table holding it.
 * Growth starts when count reaches the bucket count (load factor 1), to the
 * next power of two >= 2*count; shrink is left to the cron. */
#include "dict.h"

#include <string.h>

#include "siphash.h"
#include "vg_alloc.h"
#include "vg_common.h"

#define DICT_INITIAL_SIZE 4
#define DICT_FORCE_RESIZE_RATIO 5

static uint8_t hash_seed[16];

void dict_set_hash_seed(const uint8_t seed[16]) {
    memcpy(hash_seed, seed, 16);
}

uint64_t dict_hash(const char *key, size_t len) {
    return siphash(key, len, hash_seed);
}

void dict_init(dict *d, const dict_type *type) {
    memset(d, 0, sizeof(*d));
    d->type = type;
    d->rehash_idx = -1;
}

static void free_table(dict_node **t, uint64_t size, void (*free_node)(dict_node *)) {
    if (t == NULL) return;
    if (free_node) {
        for (uint64_t i = 0; i < size; i++) {
            dict_node *n = t[i];
            while (n) {
                dict_node *next = n->next;
                free_node(n);
                n = next;
            }
        }
    }
    vg_free(t);
}

void dict_release(dict *d, void (*free_node)(dict_node *n)) {
    free_table(d->table[0], d->size[0], free_node);
    free_table(d->table[1], d->size[1], free_node);
    dict_init(d, d->type);
}

void dict_move(dict *d, dict *out) {
    *out = *d;
    dict_init(d, d->type);
}

static uint64_t node_hash(const dict *d, const dict_node *n) {
    size_t len;
    const char *k = d->type->node_key(n, &len);
    return dict_hash(k, len);
}

static bool node_is(const dict *d, const dict_node *n, const char *key, size_t len) {
    size_t nlen;
    const char *k = d->type->node_key(n, &nlen);
    return nlen == len && memcmp(k, key, len) == 0;
}

static uint64_t next_power(size_t n) {
    uint64_t s = DICT_INITIAL_SIZE;
    while (s < n)
        s <<= 1;
    return s;
}

static void start_resize(dict *d, uint64_t size) {
    if (dict_is_rehashing(d) || size == d->size[0]) return;
    dict_node **t = vg_calloc(size * sizeof(dict_node *));
    if (d->table[0] == NULL) {
        d->table[0] = t;
        d->size[0] = size;
        return;
    }
    d->table[1] = t;
    d->size[1] = size;
    d->rehash_idx = 0;
}

void dict_expand(dict *d, size_t n) {
    if (dict_is_rehashing(d) || n <= d->size[0]) return;
    start_resize(d, next_power(n));
}

bool dict_rehash(dict *d, int n) {
    int empty_visits = n * 10;
    if (!dict_is_rehashing(d)) return false;
    while (n-- > 0 && d->rehash_idx < (int64_t)d->size[0]) {
        while (d->table[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (d->rehash_idx >= (int64_t)d->size[0]) goto done;
            if (--empty_visits == 0) return true;
        }
        dict_node *e = d->table[0][d->rehash_idx];
        while (e) {
            dict_node *next = e->next;
            uint64_t idx = node_hash(d, e) & (d->size[1] - 1);
            e->next = d->table[1][idx];
            d->table[1][idx] = e;
            e = next;
        }
        d->table[0][d->rehash_idx] = NULL;
        d->rehash_idx++;
    }
done:
    if (d->rehash_idx >= (int64_t)d->size[0]) {
        vg_free(d->table[0]);
        d->table[0] = d->table[1];
        d->size[0] = d->size[1];
        d->table[1] = NULL;
        d->size[1] = 0;
        d->rehash_idx = -1;
        return false;
    }
    return true;
}

static void rehash_step(dict *d) {
    if (d->pause_rehash == 0 && dict_is_rehashing(d)) dict_rehash(d, 1);
}

int dict_rehash_ms(dict *d, int ms) {
    if (d->pause_rehash > 0) return 0;
    int64_t start = vg_mono_us() / 1000;
    int moved = 0;
    while (dict_rehash(d, 100)) {
        moved += 100;
        if (vg_mono_us() / 1000 - start > ms) break;
    }
    return moved;
}

void dict_shrink_if_needed(dict *d) {
    if (dict_is_rehashing(d) || d->size[0] <= DICT_INITIAL_SIZE) return;
    if (d->count * 8 < d->size[0]) start_resize(d, next_power(d->count));
}

static void grow_if_needed(dict *d) {
    if (dict_is_rehashing(d)) return;
    if (d->size[0] == 0) {
        start_resize(d, DICT_INITIAL_SIZE);
        return;
    }
    if (d->count >= d->size[0] &&
        (d->pause_rehash == 0 || d->count / d->size[0] > DICT_FORCE_RESIZE_RATIO))
        start_resize(d, next_power(d->count * 2));
}

dict_node **dict_find_ref(dict *d, const char *key, size_t len) {
    if (d->count == 0) return NULL;
    rehash_step(d);
    uint64_t h = dict_hash(key, len);
    for (int t = 0; t <= 1; t++) {
        if (d->table[t] == NULL) break;
        uint64_t idx = h & (d->size[t] - 1);
        if (t == 0 && dict_is_rehashing(d) && (int64_t)idx < d->rehash_idx) continue;
        dict_node **ref = &d->table[t][idx];
        while (*ref) {
            if (node_is(d, *ref, key, len)) return ref;
            ref = &(*ref)->next;
        }
        if (!dict_is_rehashing(d)) break;
    }
    return NULL;
}

dict_node *dict_find(dict *d, const char *key, size_t len) {
    dict_node **ref = dict_find_ref(d, key, len);
    return ref ? *ref : NULL;
}

void dict_add(dict *d, dict_node *n) {
    rehash_step(d);
    grow_if_needed(d);
    int t = dict_is_rehashing(d) ? 1 : 0;
    uint64_t idx = node_hash(d, n) & (d->size[t] - 1);
    n->next = d->table[t][idx];
    d->table[t][idx] = n;
    d->count++;
}

dict_node *dict_replace_at(dict_node **ref, dict_node *n) {
    dict_node *old = *ref;
    n->next = old->next;
    *ref = n;
    old->next = NULL;
    return old;
}

dict_node *dict_unlink_at(dict *d, dict_node **ref) {
    dict_node *old = *ref;
    *ref = old->next;
    old->next = NULL;
    d->count--;
    return old;
}

dict_node *dict_unlink(dict *d, const char *key, size_t len) {
    dict_node **ref = dict_find_ref(d, key, len);
    return ref ? dict_unlink_at(d, ref) : NULL;
}

static uint64_t rev(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

static void emit_bucket(dict_node *n, dict_scan_cb cb, void *arg) {
    while (n) {
        dict_node *next = n->next;
        cb(n, arg);
        n = next;
    }
}

uint64_t dict_scan(dict *d, uint64_t v, dict_scan_cb cb, void *arg) {
    if (d->count == 0) return 0;
    d->pause_rehash++;
    if (!dict_is_rehashing(d)) {
        uint64_t m0 = d->size[0] - 1;
        emit_bucket(d->table[0][v & m0], cb, arg);
        v |= ~m0;
        v = rev(v);
        v++;
        v = rev(v);
    } else {
        int small = d->size[0] <= d->size[1] ? 0 : 1, large = 1 - small;
        uint64_t m0 = d->size[small] - 1, m1 = d->size[large] - 1;
        emit_bucket(d->table[small][v & m0], cb, arg);
        do {
            emit_bucket(d->table[large][v & m1], cb, arg);
            v |= ~m1;
            v = rev(v);
            v++;
            v = rev(v);
        } while (v & (m0 ^ m1));
    }
    d->pause_rehash--;
    return v;
}

dict_node *dict_random(dict *d, uint64_t (*rnd)(void)) {
    if (d->count == 0) return NULL;
    rehash_step(d);
    dict_node *bucket = NULL;
    for (int tries = 0; bucket == NULL; tries++) {
        if (dict_is_rehashing(d)) {
            uint64_t span = d->size[0] + d->size[1] - (uint64_t)d->rehash_idx;
            uint64_t h = (uint64_t)d->rehash_idx + rnd() % span;
            bucket = h >= d->size[0] ? d->table[1][h - d->size[0]] : d->table[0][h];
        } else {
            bucket = d->table[0][rnd() & (d->size[0] - 1)];
        }
        if (tries > 1000000 && bucket == NULL) {
            /* Pathologically sparse: fall back to a linear walk. */
            for (int t = 0; t <= 1 && bucket == NULL; t++)
                for (uint64_t i = 0; i < d->size[t] && bucket == NULL; i++)
                    bucket = d->table[t][i];
        }
    }
    size_t len = 0;
    for (dict_node *n = bucket; n; n = n->next)
        len++;
    size_t pick = (size_t)(rnd() % len);
    while (pick--)
        bucket = bucket->next;
    return bucket;
}

size_t dict_sample(dict *d, dict_node **out, size_t n, uint64_t (*rnd)(void)) {
    if (d->count == 0 || n == 0) return 0;
    if (n > d->count) n = d->count;
    for (int i = 0; i < (int)n && dict_is_rehashing(d); i++)
        rehash_step(d);
    int tables = dict_is_rehashing(d) ? 2 : 1;
    uint64_t maxmask = d->size[0] - 1;
    if (tables == 2 && d->size[1] - 1 > maxmask) maxmask = d->size[1] - 1;
    uint64_t i = rnd() & maxmask;
    size_t stored = 0, empty_run = 0, steps = n * 10;
    while (stored < n && steps--) {
        for (int t = 0; t < tables && stored < n; t++) {
            /* Buckets of table 0 below rehash_idx were moved: skip them. */
            if (tables == 2 && t == 0 && (int64_t)i < d->rehash_idx) {
                if (i >= d->size[1])
                    i = (uint64_t)d->rehash_idx;
                else
                    continue;
            }
            if (i >= d->size[t]) continue;
            dict_node *e = d->table[t][i];
            if (e == NULL) {
                /* A long run of empty buckets: jump somewhere else. */
                if (++empty_run >= 5 && empty_run > n) {
                    i = rnd() & maxmask;
                    empty_run = 0;
                }
                continue;
            }
            empty_run = 0;
            for (; e && stored < n; e = e->next)
                out[stored++] = e;
        }
        i = (i + 1) & maxmask;
    }
    return stored;
}

void dict_foreach(dict *d, dict_scan_cb cb, void *arg) {
    d->pause_rehash++;
    for (int t = 0; t <= 1; t++) {
        if (d->table[t] == NULL) continue;
        for (uint64_t i = 0; i < d->size[t]; i++)
            emit_bucket(d->table[t][i], cb, arg);
    }
    d->pause_rehash--;
}

bool dict_check(dict *d) {
    size_t seen = 0;
    for (int t = 0; t <= 1; t++) {
        if (d->table[t] == NULL) continue;
        for (uint64_t i = 0; i < d->size[t]; i++) {
            if (t == 0 && dict_is_rehashing(d) && (int64_t)i < d->rehash_idx && d->table[0][i])
                return false;
            for (dict_node *n = d->table[t][i]; n; n = n->next) {
                if ((node_hash(d, n) & (d->size[t] - 1)) != i) return false;
                seen++;
            }
        }
    }
    return seen == d->count;
}
