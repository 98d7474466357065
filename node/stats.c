/* stats.c -- error counters behind INFO errorstats.
 *
 * Owns: a small table of error prefixes and counts. Redis caps the number
 * of distinct prefixes at 128 and so do we, so hostile errors cannot grow it. */
#include "stats.h"

#include <string.h>

#include "server.h"

#define STATS_MAX_ERROR_KINDS 128

typedef struct error_kind {
    char prefix[32];
    long long count;
} error_kind;

static error_kind kinds[STATS_MAX_ERROR_KINDS];
static int nkinds;

void stats_count_error(client *c, const char *msg, size_t n) {
    (void)c;
    server.stat_total_error_replies++;
    size_t plen = 0;
    while (plen < n && plen < sizeof(kinds[0].prefix) - 1 && msg[plen] != ' ')
        plen++;
    for (int i = 0; i < nkinds; i++) {
        if (strlen(kinds[i].prefix) == plen && memcmp(kinds[i].prefix, msg, plen) == 0) {
            kinds[i].count++;
            return;
        }
    }
    if (nkinds == STATS_MAX_ERROR_KINDS) return;
    memcpy(kinds[nkinds].prefix, msg, plen);
    kinds[nkinds].prefix[plen] = '\0';
    kinds[nkinds].count = 1;
    nkinds++;
}

void stats_errorstats_info(buf *out) {
    for (int i = 0; i < nkinds; i++)
        buf_append_fmt(out, "errorstat_%s:count=%lld\r\n", kinds[i].prefix, kinds[i].count);
}

void stats_reset(void) {
    nkinds = 0;
}
