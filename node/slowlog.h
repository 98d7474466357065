/* slowlog.h -- SLOWLOG: commands slower than slowlog-log-slower-than.
 *
 * Owns: the ring of slow log entries (argv copies, trimmed like Redis). */
#ifndef VIGIL_NODE_SLOWLOG_H
#define VIGIL_NODE_SLOWLOG_H

#include "client.h"

/* Record the command c just ran if it took at least the threshold, with
 * the arguments its handler redacted replaced by "(redacted)". */
void slowlog_consider(client *c, long long duration_us);

#endif
