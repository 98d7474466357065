/* loading_state.h -- the state of a dataset load that server.h embeds.
 *
 * Owns: the loading_state struct (server.loading): whether a load runs and
 * the INFO loading_* figures. Kept apart from loading.h (the machinery,
 * which sits above the request layer) so server.h and command.c need
 * nothing of it. The byte counters are atomics: a loading thread moves
 * them while the loop thread reads them for INFO. */
#ifndef VIGIL_NODE_LOADING_STATE_H
#define VIGIL_NODE_LOADING_STATE_H

#include <stdatomic.h>
#include <stdbool.h>

typedef struct loading_state {
    bool active;                    /* loading:1 -- commands without ok-loading get -LOADING */
    long long start_time;           /* loading_start_time: unix s */
    long long total_bytes;          /* loading_total_bytes: every file to read */
    _Atomic long long loaded_bytes; /* loading_loaded_bytes */
    _Atomic long long rdb_used_mem; /* loading_rdb_used_mem: the used-mem aux field */
    long long done_bytes;           /* bytes of the files already finished */
} loading_state;

/* The reply a command gets while the dataset loads (Redis' shared.loadingerr). */
#define LOADING_ERR_REPLY "LOADING Redis is loading the dataset in memory"

/* True when a command is refused while loading: it lacks ok-loading. */
static inline bool loading_state_refuses(const loading_state *l, bool ok_loading) {
    return l->active && !ok_loading;
}

#endif
