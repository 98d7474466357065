/* keyspace_upward.c -- a keyspace file reaching up into the server: must not compile.
 *
 * Owns: nothing. CMake builds it with vigil_keyspace's include path (only
 * node/keyspace and proto) in the keyspace_upward_include test, which
 * passes only when the compiler stops because server.h is not found. If
 * it ever compiles, node/ has leaked onto the keyspace's include path. */
#include "db.h"     /* the keyspace's own headers are found */
#include "server.h" /* node/ is not on the path: this line must fail */
