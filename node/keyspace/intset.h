/* intset.h -- a sorted set of integers in one block (Redis' intset).
 *
 * Owns: the block (vg_malloc'd; intset_free releases it). Layout, as Redis
 * writes it in RDB files: | encoding:u32le | length:u32le | values... |
 * where every value is a little-endian signed integer of `encoding` bytes
 * (2, 4 or 8), sorted ascending, without duplicates. Adding a value that
 * does not fit widens every element (16 -> 32 -> 64 bits); the encoding
 * never narrows again, as in Redis. Calls that change the set may move it
 * and return the new pointer. */
#ifndef VIGIL_NODE_INTSET_H
#define VIGIL_NODE_INTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct intset intset;

#define INTSET_ENC_INT16 2u
#define INTSET_ENC_INT32 4u
#define INTSET_ENC_INT64 8u

/* Returns new: an empty set (16-bit encoding). */
intset *intset_new(void);
void intset_free(intset *is);
/* Returns new: a copy. */
intset *intset_dup(const intset *is);

/* Insert v; *added (if not NULL) says whether it was absent. */
intset *intset_add(intset *is, int64_t v, bool *added);
/* Remove v; *removed (if not NULL) says whether it was present. */
intset *intset_remove(intset *is, int64_t v, bool *removed);
bool intset_find(const intset *is, int64_t v);

uint32_t intset_len(const intset *is);
/* Element width in bytes: 2, 4 or 8. */
uint32_t intset_encoding(const intset *is);
/* The value at position pos (0 = smallest); false if pos is out of range. */
bool intset_get(const intset *is, uint32_t pos, int64_t *out);
/* A random element chosen with rnd (caller's randomness); set must be non-empty. */
int64_t intset_random(const intset *is, uint64_t rnd);
int64_t intset_min(const intset *is);
int64_t intset_max(const intset *is);
/* Bytes of the encoding (header + values): what RDB stores. */
size_t intset_blob_len(const intset *is);
/* Bytes allocated (memory accounting). */
size_t intset_alloc_size(const intset *is);

/* True if the size bytes at p form a valid intset (known encoding, length
 * matching size, strictly ascending values). Never reads past size. */
bool intset_validate(const void *p, size_t size);
/* Returns new: a copy of a blob that passed intset_validate. */
intset *intset_from_blob(const void *p, size_t size);

#endif
