/* t_zset.h -- helpers the sorted set command files share.
 *
 * Owns: nothing. */
#ifndef VIGIL_NODE_T_ZSET_H
#define VIGIL_NODE_T_ZSET_H

#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "zset.h"

/* One (member, score) as WITHSCORES replies want it: flat in RESP2, a
 * 2-element array in RESP3; member only when !withscores. */
void zset_reply_pair(client *c, const char *m, size_t len, double score, bool withscores);
/* Add a member known to be absent (or update it), converting to a skiplist
 * first when the listpack would outgrow zset-max-listpack-entries/-value. */
void zset_add_new(zset *zs, const char *m, size_t len, double score);
/* Store zs (taken) at dstkey replacing any value, or delete dstkey when zs
 * is empty; replies the new cardinality. */
void zset_store_result(client *c, const vg_slice *dstkey, zset *zs, const char *event);

#endif
