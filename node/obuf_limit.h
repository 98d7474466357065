/* obuf_limit.h -- client-output-buffer-limit: the client classes, their
 * limits, and whether a client's pending output is over them.
 *
 * Owns: nothing. Pure: no server state; the caller passes the bytes a
 * client has pending and the cached clock, so unit tests drive the soft
 * limit's seconds directly. The rules are Redis 7.0's:
 *   1. used >= hard (hard != 0): over at once.
 *   2. used >= soft (soft != 0): the first time starts a timer; over once
 *      the soft limit has held for more than soft_sec seconds.
 *   3. used < soft: the timer is cleared. */
#ifndef VIGIL_NODE_OBUF_LIMIT_H
#define VIGIL_NODE_OBUF_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output buffer limits per client class (client-output-buffer-limit). */
enum client_class {
    CLIENT_CLASS_NORMAL = 0,
    CLIENT_CLASS_REPLICA,
    CLIENT_CLASS_PUBSUB,
    CLIENT_CLASS_COUNT
};
typedef struct obuf_limit {
    long long hard;     /* bytes; 0 = none */
    long long soft;     /* bytes; 0 = none */
    long long soft_sec; /* seconds over soft before disconnect */
} obuf_limit;

/* Cheap test for the append path: may used bytes be over lim? Only when it
 * says yes does obuf_limit_reached need to run. (size_t)0 - 1 is
 * SIZE_MAX, which no used reaches: two compares, no zero tests. */
static inline bool obuf_limit_maybe(const obuf_limit *lim, size_t used) {
    return used > (size_t)lim->hard - 1 || used > (size_t)lim->soft - 1;
}

/* Is a client with used pending bytes over lim at now_ms (> 0)?
 * *soft_since_ms is the client's timer: when it first went over the soft
 * limit, or 0; set and cleared here (rules 2 and 3 above). */
bool obuf_limit_reached(const obuf_limit *lim, size_t used, int64_t now_ms, int64_t *soft_since_ms);

#endif
