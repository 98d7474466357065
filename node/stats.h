/* stats.h -- the error counters behind INFO errorstats.
 *
 * Owns: the per-error-prefix counters (at most 128 prefixes, as Redis).
 * Per-command counters (INFO commandstats) live in the command table and
 * are kept by command_call. */
#ifndef VIGIL_NODE_STATS_H
#define VIGIL_NODE_STATS_H

#include <stddef.h>

#include "buf.h"
#include "client.h"

/* Count an error reply: by its first word, as INFO errorstats does, and in
 * server.stat_total_error_replies, which command_call reads to count a
 * failed call. */
void stats_count_error(client *c, const char *msg, size_t n);
/* Lines "errorstat_ERR:count=3" for INFO. */
void stats_errorstats_info(buf *out);
void stats_reset(void);

#endif
