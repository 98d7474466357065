/* dict.h -- intrusive hash table with incremental rehashing and SCAN.
 *
 * Owns: the bucket arrays. Nodes belong to the caller: each embeds a
 * dict_node as its first member and the dict only links them. Lookups,
 * inserts and deletes each move one bucket of an ongoing rehash, so a
 * resize never stalls the loop. dict_scan follows Redis' reverse-binary
 * cursor: every node present for the whole scan is returned at least once,
 * also while the table grows, shrinks or rehashes between calls. */
#ifndef VIGIL_NODE_DICT_H
#define VIGIL_NODE_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dict_node {
    struct dict_node *next; /* chain link, owned by the dict's bucket */
} dict_node;

typedef struct dict_type {
    /* Key bytes of a node (borrowed from the node). */
    const char *(*node_key)(const dict_node *n, size_t *len);
} dict_type;

typedef struct dict {
    const dict_type *type; /* borrowed: static */
    dict_node **table[2];  /* owned; [1] only while rehashing */
    uint64_t size[2];      /* buckets, a power of two, or 0 */
    size_t count;          /* nodes in both tables */
    int64_t rehash_idx;    /* next bucket of table[0] to move; -1 when idle */
    int pause_rehash;      /* > 0 while an iteration relies on a stable layout */
} dict;

typedef void (*dict_scan_cb)(dict_node *n, void *arg);

void dict_init(dict *d, const dict_type *type);
/* Free the bucket arrays; calls free_node on every node when given. */
void dict_release(dict *d, void (*free_node)(dict_node *n));
/* Detach all buckets into *out (a fresh dict) in O(1), leaving d empty. */
void dict_move(dict *d, dict *out);
uint64_t dict_hash(const char *key, size_t len);
void dict_set_hash_seed(const uint8_t seed[16]);

dict_node *dict_find(dict *d, const char *key, size_t len);
/* The link that points at the node with this key (to replace or unlink it), or NULL. */
dict_node **dict_find_ref(dict *d, const char *key, size_t len);
/* Insert a node whose key is known to be absent. */
void dict_add(dict *d, dict_node *n);
/* Put n where the node at *ref is (same key); returns the old node. */
dict_node *dict_replace_at(dict_node **ref, dict_node *n);
/* Unlink the node at *ref; returns it. */
dict_node *dict_unlink_at(dict *d, dict_node **ref);
dict_node *dict_unlink(dict *d, const char *key, size_t len);

static inline size_t dict_size(const dict *d) {
    return d->count;
}
static inline uint64_t dict_buckets(const dict *d) {
    return d->size[0] + d->size[1];
}
static inline bool dict_is_rehashing(const dict *d) {
    return d->rehash_idx != -1;
}

/* Move up to n buckets; returns true while rehashing remains. */
bool dict_rehash(dict *d, int n);
/* Rehash for about ms milliseconds (cron). Returns buckets moved. */
int dict_rehash_ms(dict *d, int ms);
/* Start a shrink when the table is mostly empty (cron). */
void dict_shrink_if_needed(dict *d);
/* Resize so that at least n nodes fit without growing. */
void dict_expand(dict *d, size_t n);

/* One scan step from cursor; returns the next cursor (0 when complete). */
uint64_t dict_scan(dict *d, uint64_t cursor, dict_scan_cb cb, void *arg);
/* A random node, or NULL if empty. rnd supplies randomness (tests pass their own). */
dict_node *dict_random(dict *d, uint64_t (*rnd)(void));
/* Up to n nodes from consecutive buckets after a random start (cheap,
 * cache-friendly sampling for eviction). Returns how many were stored. */
size_t dict_sample(dict *d, dict_node **out, size_t n, uint64_t (*rnd)(void));
/* Visit every node; cb must not add or remove nodes. */
void dict_foreach(dict *d, dict_scan_cb cb, void *arg);

/* Debug: verify counts and that every node sits in its bucket. */
bool dict_check(dict *d);

#endif
