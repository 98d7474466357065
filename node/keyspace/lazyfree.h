/* lazyfree.h -- freeing big values off the loop thread.
 *
 * Owns: the background free thread and its queue. Small values are freed at
 * once (queueing would cost more than freeing); big ones and whole
 * databases (FLUSHDB ASYNC) go to the thread. */
#ifndef VIGIL_NODE_LAZYFREE_H
#define VIGIL_NODE_LAZYFREE_H

#include "dict.h"
#include "object.h"

void lazyfree_start(void);
void lazyfree_stop(void);
/* Takes o (NULL allowed). */
void lazyfree_kv(kv *o);
/* Takes d (heap-allocated dict of kvs) and frees it with all its kvs. */
void lazyfree_dict(dict *d);
/* Objects waiting to be freed (INFO lazyfree_pending_objects). */
long long lazyfree_pending(void);
long long lazyfree_freed(void);

#endif
