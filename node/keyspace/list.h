/* list.h -- the list value type, for the LIST commands (t_list.c) and for
 * modules that build or read lists without commands (RDB, AOF, DEBUG).
 *
 * Owns: nothing itself; a list value is a quicklist owned by its kv
 * (kv->v.ptr, encoding OBJ_ENC_QUICKLIST, as Redis 7.0 reports for every
 * list). Elements are read and changed through quicklist.h. */
#ifndef VIGIL_NODE_LIST_H
#define VIGIL_NODE_LIST_H

#include <stddef.h>

#include "object.h"
#include "quicklist.h"

/* list-max-listpack-size and list-compress-depth, as quicklist.h takes
 * them. The server keeps them in `server.list`. */
typedef struct list_limits {
    long long max_listpack_size; /* < 0: bytes per node (-1..-5); > 0: entries per node */
    long long compress_depth;    /* stored; nodes are not compressed */
} list_limits;

/* The list row of kv.c's value-type table. */
extern const obj_ops list_ops;

/* Returns new: a kv holding an empty list (not yet in any db) whose nodes
 * follow lim. */
kv *list_kv_new(const char *key, size_t klen, const list_limits *lim);

#endif
