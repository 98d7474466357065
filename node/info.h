/* info.h -- the INFO command and the memory accounting behind it.
 *
 * Owns: the INFO text generator (Redis 7.0 section and field names, "\r\n"
 * line ends, "# Section" headers) and the node's replication id until a
 * replication module takes it over.
 *
 * "# Persistence" comes from persistence.h. "# Replication" is the standing
 * body of a lone primary (role:master, no backlog); the replication module
 * will own that section's body. */
#ifndef VIGIL_NODE_INFO_H
#define VIGIL_NODE_INFO_H

#include <stddef.h>

#include "buf.h"
#include "vg_common.h"

/* Where the memory goes, as INFO memory and MEMORY STATS report it. */
typedef struct info_mem {
    long long used;             /* vg_used_memory() */
    long long peak;             /* highest used seen by cron or now */
    long long startup;          /* used right after start-up */
    long long rss;              /* resident set size from /proc/self/statm */
    long long clients_normal;   /* buffers and structs of ordinary clients */
    long long clients_replicas; /* same for replica links */
    long long hashtables;       /* bucket arrays and TTL arrays of every db */
    long long overhead;         /* startup + clients + hashtables */
    long long dataset;          /* used - overhead (never negative) */
    long long keys;             /* keys in every db */
} info_mem;

/* Fill m with the current accounting. */
void info_memory_measure(info_mem *m);
/* Append INFO text for the sections named in sections[0..n) (case-insensitive;
 * "all", "everything", "default" expand; none means "default"). Unknown names
 * add nothing. */
void info_render(buf *out, const vg_slice *sections, int n);
/* "1.50M" style sizes, as Redis' bytesToHuman. dst holds >= 32 bytes. */
void info_bytes_human(char *dst, size_t cap, long long n);
/* The 40 hex char replication id shown as master_replid. */
const char *info_master_replid(void);

#endif
