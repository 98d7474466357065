/* scan.h -- the arguments every *SCAN command shares.
 *
 * Owns: nothing. SCAN, HSCAN, SSCAN and ZSCAN take a cursor and then
 * [MATCH pattern] [COUNT count] (SCAN also [TYPE type]); these helpers
 * parse them as Redis 7.0 does, reply its errors, and write the
 * two-element reply header. */
#ifndef VIGIL_NODE_SCAN_H
#define VIGIL_NODE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"

typedef struct scan_args {
    uint64_t cursor;
    long long count;         /* COUNT, default 10 */
    const vg_slice *pattern; /* borrowed from argv; NULL: match everything */
    const vg_slice *type;    /* borrowed from argv (SCAN's TYPE); NULL: every type */
} scan_args;

/* Parse the cursor in a into *cursor with strtoul semantics, so "-1" wraps
 * around as in Redis. Replies "ERR invalid cursor" and returns false. */
bool scan_parse_cursor(client *c, const vg_slice *a, uint64_t *cursor);
/* Parse the options from argv[first] on into a (cursor untouched); TYPE
 * only when allow_type. Replies the error and returns false. */
bool scan_parse_options(client *c, int first, bool allow_type, scan_args *a);
/* Does s pass the MATCH filter? */
bool scan_match(const scan_args *a, const char *s, size_t len);
/* The reply header: the next cursor, then an array of n items to follow. */
void scan_reply_header(client *c, uint64_t cursor, long long n);

#endif
