/* propagate.h -- the one funnel every write leaves through.
 *
 * Owns: the commands waiting to be propagated for the current execution
 * unit, the registered sinks (the AOF and the replicas plug in here) and,
 * per sink, the db its stream has SELECTed last.
 *
 * How a write reaches the sinks (Redis 7.0's call() / alsoPropagate model):
 *   1. command_call opens a frame around the handler (propagate_begin).
 *   2. The handler may say how it must be propagated: rewrite its argv
 *      (EXPIRE -> PEXPIREAT, SETEX -> SET PXAT ...), suppress itself (SPOP
 *      with a count, which emits SREMs instead), force itself (FLUSHDB on an
 *      empty db) or add other commands (propagate_also). Key deletions by
 *      expiry or eviction arrive as propagate_deletion.
 *   3. propagate_end: if the handler changed the dataset (server.dirty
 *      moved) or forced it, the command -- as rewritten -- joins the pending
 *      list after whatever the handler added while it ran.
 *   4. When the outermost frame ends (the command, EXEC with its queue, one
 *      served blocked client) the pending list goes out: wrapped in MULTI /
 *      EXEC when it holds more than one command, bare otherwise. Active
 *      expiry and eviction flush their DELs without the wrap.
 *   5. Each sink receives RESP multibulk bytes, preceded by SELECT when the
 *      command's db differs from the last one that sink saw.
 * With no sink registered every entry point returns after one branch. */
#ifndef VIGIL_NODE_PROPAGATE_H
#define VIGIL_NODE_PROPAGATE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "vg_common.h"

typedef struct client client;

/* Targets, as Redis' PROPAGATE_AOF / PROPAGATE_REPL. */
#define PROPAGATE_AOF (1 << 0)
#define PROPAGATE_REPL (1 << 1)
#define PROPAGATE_ALL (PROPAGATE_AOF | PROPAGATE_REPL)

/* A literal as an argument: PROPAGATE_LIT("PEXPIREAT"). */
#define PROPAGATE_LIT(s) ((vg_slice){(char *)(s), sizeof(s) - 1})

/* A consumer of the stream. p/len: RESP bytes of one command (SELECT,
 * MULTI and EXEC included), borrowed for the call; dbid: the db it runs in. */
typedef void (*propagate_sink_cb)(const char *p, size_t len, int dbid, void *arg);

/* Number of sinks registered; read through propagate_active(). */
extern int propagate_nsinks;

static inline bool propagate_active(void) {
    return propagate_nsinks != 0;
}

/* Register a sink for targets (PROPAGATE_*). Its stream starts with a
 * SELECT. Returns a handle >= 0 for propagate_sink_remove. */
int propagate_sink_add(int targets, propagate_sink_cb cb, void *arg);
void propagate_sink_remove(int handle);
/* Forget which db the sink has selected: its next command gets a SELECT
 * (a new AOF file, a replica starting over). */
void propagate_sink_reselect(int handle);

/* --- dispatch (command.c, blocking.c) --- */

/* Frame kinds: a command propagates itself when it wrote; a served
 * blocked client propagates only what its serve path says. */
enum propagate_frame_kind { PROPAGATE_FRAME_COMMAND, PROPAGATE_FRAME_SERVE };

/* Open a frame for c running a command; no_multi: never wrap this unit in
 * MULTI/EXEC (commands that may expire arbitrary keys: SCAN, RANDOMKEY). */
void propagate_begin(client *c, int kind, bool no_multi);
/* Close the frame opened for c. wrote: the dataset changed. */
void propagate_end(client *c, bool wrote);

/* --- handlers --- */

/* Propagate argv instead of the command's own arguments. Borrows argv. */
void propagate_rewrite_argv(client *c, int argc, const vg_slice *argv);
/* Propagate the command with argument i replaced by v (the others as
 * received). May be called for several positions. Borrows v. */
void propagate_rewrite_arg(client *c, int i, vg_slice v);
/* Do not propagate the command itself (what it added with propagate_also
 * still goes). */
void propagate_suppress(client *c);
/* Propagate the command to targets even if it changed nothing. */
void propagate_force(client *c, int targets);
/* Queue another command after the ones already queued in this unit. */
void propagate_also(int dbid, int argc, const vg_slice *argv, int targets);
/* A key deleted behind the commands' back (expiry, eviction): DEL, or
 * UNLINK when lazy. */
void propagate_deletion(int dbid, const char *key, size_t klen, bool lazy);
/* Send what is pending outside any frame (active expiry, eviction) without
 * a MULTI/EXEC wrap. No-op inside a frame: the frame's end sends it. */
void propagate_flush_pending(void);

/* The client whose unit the sinks are receiving now (the outermost
 * frame's: the command's, EXEC's, the served blocked client's), or NULL
 * for what has no client (expiry, eviction). Valid inside a sink callback;
 * the AOF holds that client's replies under appendfsync always. */
client *propagate_unit_client(void);

/* --- pure parts (unit-tested) --- */

/* Append argv as a RESP multibulk. */
void propagate_encode(buf *out, int argc, const vg_slice *argv);

/* --- test-only sink --- */

/* propagate-debug-file: when set, the whole stream (AOF target) is
 * appended to this file. For tests comparing our stream with Redis' AOF. */
extern char *propagate_debug_file;
int propagate_start(vg_error *err);
void propagate_stop(void);

#endif
