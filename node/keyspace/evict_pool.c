/* evict_pool.c -- the eviction candidate pool.
 *
 * Owns: candidate key copies. Candidates sit in fixed slots; a separate
 * array of slot pointers keeps them sorted, so inserting shifts pointers
 * only and a short key never moves out of its slot's buffer. */
#include "evict_pool.h"

#include <string.h>

#include "vg_alloc.h"

void evict_pool_init(evict_pool *p) {
    memset(p, 0, sizeof(*p));
}

static void release(evict_candidate *c) {
    if (c->key && c->key != c->small) vg_free(c->key);
    c->key = NULL;
}

void evict_pool_clear(evict_pool *p) {
    for (int i = 0; i < p->used; i++)
        release(p->order[i]);
    p->used = 0;
}

static evict_candidate *free_slot(evict_pool *p) {
    for (int s = 0; s < EVICT_POOL_SIZE; s++)
        if (p->slots[s].key == NULL) return &p->slots[s];
    return NULL;
}

void evict_pool_offer(evict_pool *p, int dbid, const char *key, size_t klen, uint64_t score) {
    for (int i = 0; i < p->used; i++)
        if (p->order[i]->dbid == dbid && p->order[i]->keylen == klen &&
            memcmp(p->order[i]->key, key, klen) == 0)
            return; /* already a candidate */
    int k = 0;
    while (k < p->used && p->order[k]->score < score)
        k++;
    evict_candidate *c;
    if (p->used < EVICT_POOL_SIZE) {
        c = free_slot(p);
        memmove(&p->order[k + 1], &p->order[k], (size_t)(p->used - k) * sizeof(p->order[0]));
        p->used++;
    } else {
        if (k == 0) return; /* worse than everything held */
        c = p->order[0];    /* reuse the worst candidate's slot */
        release(c);
        k--;
        memmove(&p->order[0], &p->order[1], (size_t)k * sizeof(p->order[0]));
    }
    p->order[k] = c;
    c->score = score;
    c->dbid = dbid;
    c->keylen = klen;
    c->key = klen <= EVICT_POOL_KEY_SMALL ? c->small : vg_malloc(klen);
    memcpy(c->key, key, klen);
}

const evict_candidate *evict_pool_best(const evict_pool *p) {
    return p->used ? p->order[p->used - 1] : NULL;
}

void evict_pool_drop_best(evict_pool *p) {
    if (p->used == 0) return;
    release(p->order[p->used - 1]);
    p->used--;
}
