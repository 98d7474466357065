/* evict_pool.h -- the eviction candidate pool: the best victims seen so far.
 *
 * Owns: up to EVICT_POOL_SIZE candidates, each a copy of its key. Pure: no
 * server state, so the choice of victim is unit-tested directly. A higher
 * score is a better victim (idle time for LRU, 255 - counter for LFU,
 * nearness of the TTL for volatile-ttl). */
#ifndef VIGIL_NODE_EVICT_POOL_H
#define VIGIL_NODE_EVICT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVICT_POOL_SIZE 16
#define EVICT_POOL_KEY_SMALL 255

typedef struct evict_candidate {
    uint64_t score;
    int dbid;
    size_t keylen;
    char *key;                            /* owned: small, or a heap copy */
    char small[EVICT_POOL_KEY_SMALL + 1]; /* short keys live here */
} evict_candidate;

typedef struct evict_pool {
    evict_candidate slots[EVICT_POOL_SIZE];  /* storage, never moved */
    evict_candidate *order[EVICT_POOL_SIZE]; /* ascending by score: best last */
    int used;
} evict_pool;

void evict_pool_init(evict_pool *p);
void evict_pool_clear(evict_pool *p);
/* Offer a candidate; kept when the pool has room or it beats the worst.
 * A key already in the pool is not added twice. */
void evict_pool_offer(evict_pool *p, int dbid, const char *key, size_t klen, uint64_t score);
/* The best candidate (borrowed until the next call), or NULL when empty. */
const evict_candidate *evict_pool_best(const evict_pool *p);
/* Forget the best candidate. */
void evict_pool_drop_best(evict_pool *p);

#endif
