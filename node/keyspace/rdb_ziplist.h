/* rdb_ziplist.h -- legacy ziplist and zipmap blobs, read for rdb_load.c.
 *
 * Owns: nothing. Both calls validate the whole blob (never reading past
 * size) and return new listpacks holding the same entries in order. */
#ifndef VIGIL_NODE_RDB_ZIPLIST_H
#define VIGIL_NODE_RDB_ZIPLIST_H

#include <stddef.h>

#include "listpack.h"

/* Returns new (lp_free), or NULL when zl[0..size) is not a valid ziplist. */
unsigned char *rdb_ziplist_to_listpack(const unsigned char *zl, size_t size);
/* Returns new: field, value, field, value..., or NULL when invalid. */
unsigned char *rdb_zipmap_to_listpack(const unsigned char *zm, size_t size);

#endif
