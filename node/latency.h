/* latency.h -- LATENCY: spikes per event class and per-command histograms.
 *
 * Owns: the event table (up to 160 samples per event, one per second, as
 * Redis keeps) and the per-command latency histograms. */
#ifndef VIGIL_NODE_LATENCY_H
#define VIGIL_NODE_LATENCY_H

#include <stdint.h>

#include "buf.h"

struct command;

/* Record a sample for an event when it reached latency-monitor-threshold. */
void latency_add_if_needed(const char *event, long long duration_ms);
/* Account one call of cmd in its histogram (always on, like latency-tracking yes). */
void latency_track_command(struct command *cmd, long long duration_us);
/* INFO latencystats: p50/p99/p99.9 per command, from power-of-two buckets
 * (so each value is the bucket's upper bound, not an exact percentile). */
void latency_info_percentiles(buf *out);

#endif
