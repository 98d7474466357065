/* set.h -- the set value type, for the SET commands (t_set.c) and for
 * modules that build or read sets without commands (RDB, AOF, DEBUG).
 *
 * Owns: nothing itself; a set value is owned by its kv. Encodings:
 * OBJ_ENC_INTSET while every member is the canonical text of a 64-bit
 * integer and there are at most set-max-intset-entries members;
 * OBJ_ENC_HT (a dict of nodes, one allocation per member) beyond.
 * Conversion is one way, as in Redis 7.0. */
#ifndef VIGIL_NODE_SET_H
#define VIGIL_NODE_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dict.h"
#include "object.h"

/* The hashtable encoding, for commands that walk it (SSCAN, SPOP,
 * SRANDMEMBER): a dict of snode plus the bytes they take. */
typedef struct snode {
    dict_node node; /* chain link in the set's dict */
    uint32_t len;   /* member bytes */
    char m[];       /* member, NUL */
} snode;

typedef struct set_table {
    dict d;       /* owned: snode entries */
    size_t bytes; /* allocation sizes of all nodes */
} set_table;

/* set-max-intset-entries: past it, an intset set converts to a hashtable.
 * The server keeps it in `server.set`. */
typedef struct set_limits {
    long long max_intset_entries;
} set_limits;

/* The set row of kv.c's value-type table. */
extern const obj_ops set_ops;

/* Room for an intset member formatted as text. */
#define SET_IBUF_SIZE 32

/* Returns new: a kv holding an empty set (not yet in any db), with the
 * encoding Redis would pick for a set whose first member is `first`. */
kv *set_kv_new(const char *key, size_t klen, const char *first, size_t flen);
/* Returns new: an empty intset-encoded set kv (the start of every STORE result). */
kv *set_kv_new_intset(const char *key, size_t klen);
size_t set_size(const kv *o);
/* Returns true if m was added (absent before), converting the encoding
 * when m is not an integer or lim requires. */
bool set_add(kv *o, const char *m, size_t len, const set_limits *lim);
/* Returns true if m was removed. The caller deletes an emptied key. */
bool set_remove(kv *o, const char *m, size_t len);
bool set_is_member(const kv *o, const char *m, size_t len);
/* Convert an intset-encoded set to the hashtable encoding. */
void set_convert_to_ht(kv *o);

typedef void (*set_visit_cb)(const char *m, size_t len, void *arg);
/* Visit every member; cb must not change the set. */
void set_foreach(const kv *o, set_visit_cb cb, void *arg);

#endif
