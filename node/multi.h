/* multi.h -- transactions: MULTI EXEC DISCARD WATCH UNWATCH.
 *
 * Owns: each client's queue of commands (argv copies) and the watched-key
 * registry (per db index: key -> clients watching it). A change to a
 * watched key, its expiry, FLUSHDB/FLUSHALL or SWAPDB marks the watching
 * clients dirty so their EXEC returns a null array. */
#ifndef VIGIL_NODE_MULTI_H
#define VIGIL_NODE_MULTI_H

#include <stdbool.h>

#include "client.h"
#include "command.h"

/* Dispatch: queue cmd when c is inside MULTI. Returns true when it replied. */
bool multi_maybe_queue(client *c, command *cmd);
/* Dispatch: a command was rejected while queuing (EXEC must abort). */
void multi_flag_error(client *c);
/* True when c's queue holds a write (EXEC is then refused like one). */
bool multi_queued_writes(const client *c);
/* Dispatch refused EXEC itself: drop the transaction and reply
 * "EXECABORT Transaction discarded because of: <why>", as Redis. False
 * (nothing done) when c is not in MULTI. */
bool multi_exec_abort(client *c, const char *why);
/* A key changed: mark clients watching it. */
void multi_touch_key(int dbid, const char *key, size_t klen);
/* Db dbid lost the contents of emptied (flush: NULL replaced_with) or got
 * replaced_with instead (swap): mark the clients whose watched key existed. */
void multi_touch_db(int dbid, db *emptied, db *replaced_with);
/* Client going away or RESET: drop queue and watches. */
void multi_client_reset(client *c);
long long multi_queued_count(const client *c);

#endif
