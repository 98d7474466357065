/* stats.h -- error and command counters behind INFO errorstats/commandstats.
 *
 * Owns: the per-error-prefix counters. */
#ifndef VIGIL_NODE_STATS_H
#define VIGIL_NODE_STATS_H

#include <stddef.h>

#include "buf.h"
#include "client.h"

/* Count an error reply (by its first word, as INFO errorstats does). */
void stats_count_error(client *c, const char *msg, size_t n);
/* Lines "errorstat_ERR:count=3" for INFO. */
void stats_errorstats_info(buf *out);
void stats_reset(void);

#endif
