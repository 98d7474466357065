/* digest.h -- Redis 7.0's dataset digest (DEBUG DIGEST, DEBUG DIGEST-VALUE).
 *
 * Owns: nothing; reads dbs and values. The digest is built from SHA-1 in
 * two ways: "xor" adds an unordered element (digest ^= SHA1(data)) and
 * "mix" adds an ordered one (digest = SHA1(digest ^ SHA1(data))). Keys,
 * set members, hash pairs and zset elements are xored, so iteration order
 * does not matter; list elements and string values are mixed. A value's
 * digest mixes its type first; a key with a TTL xors "!!expire!!" (the
 * time itself is not part of it). The bytes equal redis-server 7.0.15's
 * for the same data, so digests taken on both servers compare. Pure. */
#ifndef VIGIL_NODE_DIGEST_H
#define VIGIL_NODE_DIGEST_H

#include <stddef.h>

#include "db.h"

#define DIGEST_LEN 20
#define DIGEST_HEX_LEN 40

/* digest ^= SHA1(p[0..len)). */
void digest_xor(unsigned char digest[DIGEST_LEN], const void *p, size_t len);
/* digest = SHA1(digest ^ SHA1(p[0..len))). */
void digest_mix(unsigned char digest[DIGEST_LEN], const void *p, size_t len);
/* Add o's value (type, elements, TTL flag in d) to digest, which is not
 * reset first: DEBUG DIGEST-VALUE starts it at zero. */
void digest_value(const db *d, const kv *o, unsigned char digest[DIGEST_LEN]);
/* The digest of dbs[0..ndb): 20 zero bytes when every db is empty. */
void digest_dataset(db *dbs, int ndb, unsigned char out[DIGEST_LEN]);
/* Lower-case hex of a digest into out (DIGEST_HEX_LEN + 1 bytes). */
void digest_hex(const unsigned char digest[DIGEST_LEN], char out[DIGEST_HEX_LEN + 1]);

#endif
