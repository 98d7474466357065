/* evict.h -- maxmemory: LRU/LFU clocks and the eviction pool.
 *
 * Owns: the eviction pool (best candidates seen across sampling rounds).
 * Pure scoring helpers take the clock as a parameter so unit tests drive
 * them; evict_perform reads `server`. Dispatch (command.c) answers -OOM
 * when evict_perform cannot get under the limit. */
#ifndef VIGIL_NODE_EVICT_H
#define VIGIL_NODE_EVICT_H

#include <stdbool.h>
#include <stdint.h>

#include "object.h"

#define LFU_INIT_VAL 5

/* Key entering a db (replacing old, or NULL when new): LRU clock now, or
 * the LFU counter at its initial value (old's counter when replacing). */
void evict_init_access(kv *o, const kv *old);
/* Key accessed: refresh LRU or bump LFU. */
void evict_touch(kv *o);

/* Pure helpers. lru_clock is in seconds (24 bits), minutes for LFU in 16. */
uint64_t evict_idle_ms(uint32_t obj_lru, uint32_t lru_clock);
/* LFU counter after decay for the minutes elapsed (lfu-decay-time). */
unsigned evict_lfu_decayed(uint32_t obj_lru, uint32_t now_minutes, long long decay_time);
/* Logarithmic increment (lfu-log-factor) given a random number in [0,1). */
unsigned evict_lfu_log_incr(unsigned counter, long long log_factor, double rnd);
uint32_t evict_lfu_pack(uint32_t minutes, unsigned counter);
uint32_t evict_minutes_now(int64_t now_ms);

/* Current LFU counter of o (with decay) for OBJECT FREQ. */
unsigned evict_lfu_value(const kv *o);
/* Idle time of o in ms for OBJECT IDLETIME. */
uint64_t evict_object_idle_ms(const kv *o);
bool evict_policy_is_lfu(void);

enum evict_result {
    EVICT_OK = 0,      /* under the limit (or no limit) */
    EVICT_RUNNING = 1, /* still over, but keys are being evicted: time ran out for now */
    EVICT_FAIL = 2,    /* over the limit and nothing can be evicted */
};
/* Free memory until under maxmemory (time-boxed). Called before commands
 * run and from the cron. Each eviction is reported through the db_env
 * (key_evicted queues its DEL for propagation); the caller sends what was
 * queued with propagate_flush_pending, so evictions go out bare. */
int evict_perform(void);
/* Bytes counted against maxmemory. */
size_t evict_used_memory(void);

#endif
