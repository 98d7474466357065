/* aof_load.h -- loading the append-only files at start, as Redis 7.0.15 does.
 *
 * Owns: the load of `dir/appenddirname`: reading the manifest (or, when
 * there is none, moving an old single `appendfilename` into a new
 * directory with a manifest naming it the base), then loading the base
 * (an RDB file -- the preamble -- on loading.h's worker thread, or
 * commands) and each incr file in order. Commands replay through their
 * handlers on an internal client whose replies are dropped and that
 * feeds no sink, on the loop thread in chunks of at most 1024 commands
 * per turn so clients get -LOADING in between. MULTI ... EXEC in a file
 * applies as one unit. A torn last command of the last file is cut off
 * the file with Redis' warnings when aof-load-truncated is yes, refused
 * otherwise; any other fault stops the start with a log line that names
 * the file and the offset. */
#ifndef VIGIL_NODE_AOF_LOAD_H
#define VIGIL_NODE_AOF_LOAD_H

#include "aof_manifest.h"
#include "vg_common.h"

/* Called once when the load is over, on the loop thread. status VG_OK:
 * the dataset is in place (or there was nothing to load). VG_ERR: the
 * reason was logged; the node must exit. Takes am (the manifest as loaded,
 * NULL after an error) for the writer (aof_open_at_start). */
typedef void (*aof_loaded_cb)(int status, aof_manifest *am);

/* Start loading when appendonly is yes (the caller checks). VG_ERR before
 * anything loads (unreadable or corrupt manifest, failed upgrade, a file
 * the manifest names is missing): err->msg says why, it was logged, and
 * cb is not called. VG_OK: cb will be called (maybe before this returns,
 * when there is nothing to load). The working directory is `dir`. */
int aof_load_at_start(aof_loaded_cb cb, vg_error *err);

#endif
