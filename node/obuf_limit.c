/* obuf_limit.c -- whether a client's pending output is over its class's
 * client-output-buffer-limit (the rules are in obuf_limit.h).
 *
 * Owns: nothing; pure. */
#include "obuf_limit.h"

bool obuf_limit_reached(const obuf_limit *lim, size_t used, int64_t now_ms,
                        int64_t *soft_since_ms) {
    bool hard = lim->hard && (long long)used >= lim->hard;
    bool soft = lim->soft && (long long)used >= lim->soft;
    if (!soft) {
        *soft_since_ms = 0;
        return hard;
    }
    if (*soft_since_ms == 0) {
        *soft_since_ms = now_ms; /* first seen over the soft limit */
        return hard;
    }
    return hard || now_ms - *soft_since_ms > lim->soft_sec * 1000;
}
