/* slowlog.c -- SLOWLOG GET/LEN/RESET/HELP.
 *
 * Owns: a ring of entries that grows as entries come, trimmed to
 * slowlog-max-len after each command while logging is on (Redis trims
 * then, never on SLOWLOG GET/LEN or CONFIG SET). As in Redis, an entry
 * keeps at most 32 arguments ("... (N more arguments)") and
 * at most 128 bytes of each ("... (N more bytes)"); an argument the handler
 * marked with command_redact_arg is kept as "(redacted)". */
#include "slowlog.h"

#include <stdio.h>
#include <string.h>

#include "cmd_util.h"
#include "command.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

#define SLOWLOG_MAX_ARGC 32
#define SLOWLOG_MAX_ARGLEN 128
#define SLOWLOG_REDACTED "(redacted)"

typedef struct slow_entry {
    long long id;
    long long time_s;
    long long duration_us;
    vg_slice *argv; /* owned */
    int argc;
    char peer[64];
    char name[64];
} slow_entry;

static slow_entry *ring; /* owned: entry i (0 = oldest) at (oldest + i) % ring_alloc */
static size_t ring_len, ring_alloc, oldest;
static long long next_id;

static void entry_free(slow_entry *e) {
    client_argv_free(e->argv, e->argc);
    e->argv = NULL;
}

static void set_arg(vg_slice *dst, const char *p, size_t len) {
    dst->ptr = vg_malloc(len + 1);
    memcpy(dst->ptr, p, len);
    dst->ptr[len] = '\0';
    dst->len = len;
}

static void entry_fill(slow_entry *e, client *c, long long duration) {
    int argc = c->argc > SLOWLOG_MAX_ARGC ? SLOWLOG_MAX_ARGC : c->argc;
    e->argv = vg_malloc((size_t)argc * sizeof(vg_slice));
    e->argc = argc;
    for (int i = 0; i < argc; i++) {
        char tmp[SLOWLOG_MAX_ARGLEN + 64];
        if (argc != c->argc && i == argc - 1) {
            int n = snprintf(tmp, sizeof(tmp), "... (%d more arguments)", c->argc - argc + 1);
            set_arg(&e->argv[i], tmp, (size_t)n);
        } else if (command_arg_redacted(c, i)) {
            set_arg(&e->argv[i], SLOWLOG_REDACTED, sizeof(SLOWLOG_REDACTED) - 1);
        } else if (c->argv[i].len > SLOWLOG_MAX_ARGLEN) {
            memcpy(tmp, c->argv[i].ptr, SLOWLOG_MAX_ARGLEN);
            int n = snprintf(tmp + SLOWLOG_MAX_ARGLEN, sizeof(tmp) - SLOWLOG_MAX_ARGLEN,
                             "... (%zu more bytes)", c->argv[i].len - SLOWLOG_MAX_ARGLEN);
            set_arg(&e->argv[i], tmp, SLOWLOG_MAX_ARGLEN + (size_t)n);
        } else {
            set_arg(&e->argv[i], c->argv[i].ptr, c->argv[i].len);
        }
    }
    e->id = next_id++;
    e->time_s = server.now_ms / 1000;
    e->duration_us = duration;
    snprintf(e->peer, sizeof(e->peer), "%s", c->addr);
    snprintf(e->name, sizeof(e->name), "%s", c->name ? c->name : "");
}

/* The k-th newest entry, k < ring_len. */
static slow_entry *newest(size_t k) {
    return &ring[(oldest + ring_len - 1 - k) % ring_alloc];
}

static void trim(size_t max) {
    while (ring_len > max) {
        entry_free(&ring[oldest]);
        oldest = (oldest + 1) % ring_alloc;
        ring_len--;
    }
}

/* Make room for one more entry: double the ring, oldest first at 0. */
static void grow(void) {
    size_t cap = ring_alloc ? ring_alloc * 2 : 16;
    slow_entry *fresh = vg_calloc(cap * sizeof(slow_entry));
    for (size_t i = 0; i < ring_len; i++)
        fresh[i] = ring[(oldest + i) % ring_alloc];
    vg_free(ring);
    ring = fresh;
    ring_alloc = cap;
    oldest = 0;
}

void slowlog_consider(client *c, long long duration_us) {
    if (server.slowlog_log_slower_than < 0) return;
    size_t max = (size_t)server.slowlog_max_len;
    if (duration_us >= server.slowlog_log_slower_than && max > 0) {
        trim(max - 1);
        if (ring_len == ring_alloc) grow();
        entry_fill(&ring[(oldest + ring_len) % ring_alloc], c, duration_us);
        ring_len++;
    }
    trim(max);
}

static void cmd_slowlog_get(client *c) {
    long long count = 10;
    if (c->argc == 3) {
        long long v;
        if (!vg_str2ll(c->argv[2].ptr, c->argv[2].len, &v) || v < -1) {
            reply_error(c, "ERR count should be greater than or equal to -1");
            return;
        }
        count = v == -1 ? (long long)ring_len : v;
    }
    long long n = count < (long long)ring_len ? count : (long long)ring_len;
    reply_array(c, n);
    for (long long i = 0; i < n; i++) {
        slow_entry *e = newest((size_t)i);
        reply_array(c, 6);
        reply_int(c, e->id);
        reply_int(c, e->time_s);
        reply_int(c, e->duration_us);
        reply_array(c, e->argc);
        for (int j = 0; j < e->argc; j++)
            reply_bulk(c, e->argv[j].ptr, e->argv[j].len);
        reply_bulk_str(c, e->peer);
        reply_bulk_str(c, e->name);
    }
}

static void cmd_slowlog_len(client *c) {
    reply_int(c, (long long)ring_len);
}

static void cmd_slowlog_reset(client *c) {
    trim(0);
    oldest = 0;
    reply_ok(c);
}

static void cmd_slowlog_help(client *c) {
    static const char *const lines[] = {
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        NULL,
    };
    reply_help(c, lines);
}

static command slowlog_subcommands[] = {
    {.name = "get",
     .proc = cmd_slowlog_get,
     .arity = -2,
     .flags = CMD_ADMIN | CMD_LOADING | CMD_STALE,
     .summary = "Get the slow log's entries",
     .since = "2.2.12",
     .group = "server"},
    {.name = "len",
     .proc = cmd_slowlog_len,
     .arity = 2,
     .flags = CMD_ADMIN | CMD_LOADING | CMD_STALE,
     .summary = "Get the slow log's length",
     .since = "2.2.12",
     .group = "server"},
    {.name = "reset",
     .proc = cmd_slowlog_reset,
     .arity = 2,
     .flags = CMD_ADMIN | CMD_LOADING | CMD_STALE,
     .summary = "Clear all entries from the slow log",
     .since = "2.2.12",
     .group = "server"},
    {.name = "help",
     .proc = cmd_slowlog_help,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .summary = "Show helpful text about the different subcommands",
     .since = "6.2.0",
     .group = "server"},
    {.name = NULL},
};

static command slowlog_commands[] = {
    {.name = "slowlog",
     .proc = NULL,
     .arity = -2,
     .subcommands = slowlog_subcommands,
     .summary = "A container for slow log commands",
     .since = "2.2.12",
     .group = "server"},
};
COMMAND_TABLE(slowlog_commands)
