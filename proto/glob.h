/* glob.h -- Redis-style glob matching (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE).
 *
 * Owns: nothing. Supports * ? [abc] [^a] [a-z] and \ escapes, binary-safe,
 * with a recursion limit so hostile patterns cannot exhaust the stack. */
#ifndef VIGIL_PROTO_GLOB_H
#define VIGIL_PROTO_GLOB_H

#include <stddef.h>
#include <stdbool.h>

bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase);
/* True when the pattern has no special characters (exact lookups can be used). */
bool glob_is_literal(const char *pat, size_t plen);

#endif
