/* crc64.h -- the CRC-64 Redis puts in RDB trailers and DUMP payloads.
 *
 * Owns: nothing at run time (read-only tables built before main). The
 * checksum is CRC-64/Jones as Redis computes it: polynomial
 * 0xad93d23594c935a9, input and output reflected, no final xor, and the
 * caller passes the running value, starting from 0. Chaining is exact:
 * crc64(crc64(0, a), b) == crc64(0, a || b). Check value:
 * crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9ca. */
#ifndef VIGIL_PROTO_CRC64_H
#define VIGIL_PROTO_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Extend crc over len bytes at p (borrowed for the call). Pure. */
uint64_t crc64(uint64_t crc, const void *p, size_t len);

#endif
