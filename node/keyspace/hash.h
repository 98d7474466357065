/* hash.h -- the hash value type, for the HASH commands (t_hash.c) and for
 * modules that build or read hashes without commands (RDB, AOF, DEBUG).
 *
 * Owns: nothing itself; a hash value is owned by its kv. Encodings:
 * OBJ_ENC_LISTPACK (field, value, field, value ... in one listpack) while
 * the hash has at most hash-max-listpack-entries fields and every field
 * and value is at most hash-max-listpack-value bytes; OBJ_ENC_HT (a dict
 * of nodes, one allocation per field) beyond. Conversion is one way, as in
 * Redis. */
#ifndef VIGIL_NODE_HASH_H
#define VIGIL_NODE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dict.h"
#include "object.h"

/* The hashtable encoding, for commands that walk it (HSCAN, HRANDFIELD):
 * a dict of hnode plus the bytes they take. */
typedef struct hnode {
    dict_node node; /* chain link in the hash's dict */
    uint32_t flen;  /* field bytes */
    uint32_t vlen;  /* value bytes */
    char data[];    /* field, NUL, value, NUL */
} hnode;

typedef struct hash_table {
    dict d;       /* owned: hnode entries */
    size_t bytes; /* allocation sizes of all nodes */
} hash_table;

static inline const char *hnode_val(const hnode *h) {
    return h->data + h->flen + 1;
}

/* hash-max-listpack-entries and hash-max-listpack-value: past either, a
 * hash converts to a hashtable. The server keeps them in `server.hash`. */
typedef struct hash_limits {
    long long max_listpack_entries;
    long long max_listpack_value;
} hash_limits;

/* The hash row of kv.c's value-type table. */
extern const obj_ops hash_ops;

/* Room for a listpack integer formatted as text. */
#define HASH_IBUF_SIZE 32

/* Returns new: a kv holding an empty listpack hash (not yet in any db). */
kv *hash_kv_new(const char *key, size_t klen);
size_t hash_length(const kv *o);
/* Set field to value, converting the encoding when lim requires.
 * Returns true if the field was new. */
bool hash_set(kv *o, const char *f, size_t fl, const char *v, size_t vl, const hash_limits *lim);
/* Returns true if the field existed. The caller deletes an emptied key. */
bool hash_delete(kv *o, const char *f, size_t fl);
/* The value of field f, or NULL. Integers are formatted into ibuf
 * (HASH_IBUF_SIZE bytes). Borrowed until the hash changes. */
const char *hash_get(const kv *o, const char *f, size_t fl, char *ibuf, size_t *vl);
/* Convert a listpack hash to the hashtable encoding. */
void hash_convert_to_ht(kv *o);

typedef void (*hash_visit_cb)(const char *f, size_t fl, const char *v, size_t vl, void *arg);
/* Visit every field/value pair; cb must not change the hash. */
void hash_foreach(const kv *o, hash_visit_cb cb, void *arg);

#endif
