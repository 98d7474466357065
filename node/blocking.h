/* blocking.h -- clients blocked on keys (BLPOP & co.), ready keys, timeouts.
 *
 * Owns: the table (db, key) -> FIFO of blocked clients, each blocked
 * client's copy of its command (argv) and deadline, the list of keys that
 * became ready and the queue of clients unblocked but not yet resumed.
 *
 * How a blocking command uses it (the list and zset types do this):
 *   1. parse the timeout with blocking_parse_timeout (replies on error);
 *   2. try to serve at once; if it cannot and blocking_allowed(c) is false
 *      (MULTI, fake clients), reply the null value and return;
 *   3. otherwise call blocking_block with the keys and a serve callback.
 * A write to a key with waiters marks it ready (server_key_modified calls
 * blocking_signal_key). After the current command -- and again before the
 * loop sleeps -- every ready key offers itself to its waiters in the order
 * they blocked: the callback pops and replies exactly once, or declines and
 * the client stays blocked. A served or timed-out client resumes reading
 * its query buffer before the loop sleeps. Timed-out clients get a null
 * array, as Redis 7.0 replies for lists, sorted sets and streams. */
#ifndef VIGIL_NODE_BLOCKING_H
#define VIGIL_NODE_BLOCKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "db.h"

/* Try to serve blocked client c now that key may hold data. c->argv/argc
 * hold the blocked command (a private copy), c->db the db it blocked in,
 * c->cmd the command. Serve means: perform the pop (calling
 * db_signal_modified), write the whole reply, return true. Return false,
 * writing nothing, to stay blocked (key empty or of another type). An error
 * reply also counts as served (return true). */
typedef bool (*blocking_serve_cb)(client *c, const vg_slice *key);

/* Parse a timeout in seconds (float, 0 = forever) as Redis 7.0 does.
 * Replies "ERR timeout is not a float or out of range" / "ERR timeout is
 * negative" and returns false on error; *deadline_ms gets the absolute
 * unix-ms deadline or 0 for none. */
bool blocking_parse_timeout(client *c, const vg_slice *arg, int64_t *deadline_ms);
/* False inside MULTI and for fake clients: commands then act as if the
 * timeout expired at once. */
bool blocking_allowed(const client *c);
/* Block c on nkeys keys (duplicates ignored) until served, timed out,
 * unblocked or closed. Copies the keys and c's argv. */
void blocking_block(client *c, const vg_slice *keys, int nkeys, int64_t deadline_ms,
                    blocking_serve_cb serve);
bool blocking_is_blocked(const client *c);
/* The call that blocked c ran duration_us: SLOWLOG counts it when c is
 * served (a blocked call is logged then, not when it blocks). */
void blocking_note_call(client *c, long long duration_us);

/* Hook from server_key_modified: wake the key's waiters if there are any. */
void blocking_signal_key(db *d, const char *key, size_t klen);
/* Every key of d with waiters may have changed (FLUSHDB, SWAPDB, MOVE). */
void blocking_signal_db(db *d);
/* Serve every ready key (after each command; not re-entrant). */
void blocking_handle_ready(void);
/* Before the loop sleeps: serve ready keys, then let unblocked clients
 * process the input they queued while blocked. */
void blocking_before_sleep(void);
/* Cron: reply a null array to clients whose deadline passed. */
void blocking_cron(int64_t now_ms);
/* Client close path: forget c (waiter lists, queues, its state). */
void blocking_client_closed(client *c);
/* CLIENT UNBLOCK: reply as on timeout, or with the UNBLOCKED error when
 * with_error. False if c was not blocked. */
bool blocking_unblock(client *c, bool with_error);
/* Clients blocked right now (INFO blocked_clients). */
long long blocking_count(void);

#endif
