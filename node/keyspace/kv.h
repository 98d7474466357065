/* kv.h -- whole keyspace entries of any type: free, copy, size.
 *
 * Owns: nothing; the kv owns its value (object.h). These dispatch on the
 * value type through one static table, so freeing a value works wherever
 * the keyspace is linked, with no start-up registration. */
#ifndef VIGIL_NODE_KV_H
#define VIGIL_NODE_KV_H

#include <stddef.h>

#include "object.h"

/* Takes o and frees it with its value. NULL is a no-op. */
void kv_free(kv *o);
/* Deep copy with a new key (COPY). Returns new. */
kv *kv_dup(const kv *o, const char *key, size_t klen);
/* Bytes this entry holds (header, key, value). */
size_t kv_memory(const kv *o);
/* Bytes the value takes serialized (DEBUG OBJECT serializedlength): the
 * uncompressed RDB length for strings, kv_memory() for the other types
 * until the RDB encoder measures them. */
size_t kv_serialized_length(const kv *o);

#endif
