/* siphash.h -- SipHash-1-2 keyed hashing for hash tables.
 *
 * Owns: nothing. A random process key makes bucket positions unguessable,
 * so clients cannot craft keys that all collide. */
#ifndef VIGIL_PROTO_SIPHASH_H
#define VIGIL_PROTO_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash(const void *in, size_t len, const uint8_t key[16]);
/* Same, ASCII letters folded to lower case (command names, config keys). */
uint64_t siphash_nocase(const void *in, size_t len, const uint8_t key[16]);

#endif
