/* latency.c -- LATENCY LATEST HISTORY RESET GRAPH DOCTOR HISTOGRAM HELP.
 *
 * Owns: a small table of named events, each a ring of LATENCY_SAMPLES
 * (time, latency) samples where samples in the same second merge keeping
 * the maximum; and power-of-two latency histograms per command. */
#include "latency.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd_util.h"
#include "command.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

#define LATENCY_SAMPLES 160
#define LATENCY_EVENTS 32
#define HIST_BUCKETS 40

typedef struct latency_sample {
    int64_t time; /* unix seconds */
    long long ms;
} latency_sample;

typedef struct latency_event {
    char name[48];
    latency_sample samples[LATENCY_SAMPLES];
    int next; /* ring position */
    int count;
    long long max_ms; /* all-time maximum */
} latency_event;

static latency_event events[LATENCY_EVENTS];
static int nevents;

typedef struct cmd_hist {
    const command *cmd;
    long long calls;
    long long buckets[HIST_BUCKETS]; /* bucket i: latency <= 2^i us */
} cmd_hist;

static cmd_hist *hists; /* owned, indexed by command id */
static int nhists;

static latency_event *find_event(const char *name, size_t len, bool create) {
    for (int i = 0; i < nevents; i++)
        if (strlen(events[i].name) == len && memcmp(events[i].name, name, len) == 0)
            return &events[i];
    if (!create || nevents == LATENCY_EVENTS || len >= sizeof(events[0].name)) return NULL;
    latency_event *e = &events[nevents++];
    memset(e, 0, sizeof(*e));
    memcpy(e->name, name, len);
    return e;
}

void latency_add_if_needed(const char *event, long long ms) {
    if (server.latency_monitor_threshold <= 0 || ms < server.latency_monitor_threshold) return;
    latency_event *e = find_event(event, strlen(event), true);
    if (e == NULL) return;
    int64_t now = server.now_ms / 1000;
    int last = (e->next + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES;
    if (e->count && e->samples[last].time == now) {
        if (ms > e->samples[last].ms) e->samples[last].ms = ms;
    } else {
        e->samples[e->next].time = now;
        e->samples[e->next].ms = ms;
        e->next = (e->next + 1) % LATENCY_SAMPLES;
        if (e->count < LATENCY_SAMPLES) e->count++;
    }
    if (ms > e->max_ms) e->max_ms = ms;
}

void latency_track_command(command *cmd, long long us) {
    if (cmd->id >= nhists) {
        int n = command_id_count();
        hists = vg_realloc(hists, (size_t)n * sizeof(cmd_hist));
        memset(hists + nhists, 0, (size_t)(n - nhists) * sizeof(cmd_hist));
        nhists = n;
    }
    cmd_hist *h = &hists[cmd->id];
    h->cmd = cmd;
    h->calls++;
    int b = 0;
    while (b < HIST_BUCKETS - 1 && (1LL << b) < us)
        b++;
    h->buckets[b]++;
}

/* The latency (us) below which a fraction q of h's calls fell: the upper
 * bound of the power-of-two bucket that holds that rank. */
static double percentile(const cmd_hist *h, double q) {
    long long want = (long long)(q * (double)h->calls + 0.999999);
    if (want < 1) want = 1;
    long long seen = 0;
    for (int b = 0; b < HIST_BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= want) return (double)(1LL << b);
    }
    return (double)(1LL << (HIST_BUCKETS - 1));
}

void latency_info_percentiles(buf *out) {
    for (int i = 0; i < nhists; i++) {
        const cmd_hist *h = &hists[i];
        if (h->calls == 0) continue;
        buf_append_fmt(out, "latency_percentiles_usec_%s:p50=%.3f,p99=%.3f,p99.9=%.3f\r\n",
                       h->cmd->fullname, percentile(h, 0.50), percentile(h, 0.99),
                       percentile(h, 0.999));
    }
}

static latency_sample *sample_at(latency_event *e, int i) {
    /* i = 0 is the oldest */
    int start = e->count < LATENCY_SAMPLES ? 0 : e->next;
    return &e->samples[(start + i) % LATENCY_SAMPLES];
}

static void cmd_latency_latest(client *c) {
    reply_array(c, nevents);
    for (int i = 0; i < nevents; i++) {
        latency_event *e = &events[i];
        latency_sample *last = sample_at(e, e->count - 1);
        reply_array(c, 4);
        reply_bulk_str(c, e->name);
        reply_int(c, last->time);
        reply_int(c, last->ms);
        reply_int(c, e->max_ms);
    }
}

static void cmd_latency_history(client *c) {
    latency_event *e = find_event(c->argv[2].ptr, c->argv[2].len, false);
    if (e == NULL) {
        reply_array(c, 0);
        return;
    }
    reply_array(c, e->count);
    for (int i = 0; i < e->count; i++) {
        latency_sample *s = sample_at(e, i);
        reply_array(c, 2);
        reply_int(c, s->time);
        reply_int(c, s->ms);
    }
}

static void cmd_latency_reset(client *c) {
    long long n = 0;
    if (c->argc == 2) {
        n = nevents;
        nevents = 0;
    } else {
        for (int i = 2; i < c->argc; i++) {
            latency_event *e = find_event(c->argv[i].ptr, c->argv[i].len, false);
            if (e == NULL) continue;
            *e = events[--nevents];
            n++;
        }
    }
    reply_int(c, n);
}

static void cmd_latency_graph(client *c) {
    latency_event *e = find_event(c->argv[2].ptr, c->argv[2].len, false);
    if (e == NULL) {
        reply_errorf(c, "ERR No samples available for event '%.128s'", c->argv[2].ptr);
        return;
    }
    buf g;
    buf_init(&g);
    buf_append_fmt(&g, "%s - high %lld ms, low ", e->name, e->max_ms);
    long long low = e->max_ms;
    for (int i = 0; i < e->count; i++)
        if (sample_at(e, i)->ms < low) low = sample_at(e, i)->ms;
    buf_append_fmt(&g, "%lld ms (all time high %lld ms)\n", low, e->max_ms);
    for (int row = 4; row >= 1; row--) {
        for (int i = 0; i < e->count; i++) {
            long long ms = sample_at(e, i)->ms;
            long long level = e->max_ms ? (ms * 4 + e->max_ms - 1) / e->max_ms : 0;
            buf_append_char(&g, level >= row ? '#' : ' ');
        }
        buf_append_char(&g, '\n');
    }
    for (int i = 0; i < e->count; i++)
        buf_append_char(&g, '_');
    buf_append_char(&g, '\n');
    reply_verbatim(c, g.data, g.len, "txt");
    buf_free(&g);
}

static void cmd_latency_doctor(client *c) {
    buf d;
    buf_init(&d);
    if (nevents == 0) {
        buf_append_str(&d, "Dave, no latency spike was observed during the lifetime of this Redis "
                           "instance, not in the slightest bit. I honestly think you ought to sit "
                           "down calmly, take a stress pill, and think things over.\n");
    } else {
        buf_append_str(&d, "Dave, I have observed latency spikes in this Redis instance. You don't "
                           "mind talking about it, do you Dave?\n\n");
        for (int i = 0; i < nevents; i++) {
            latency_event *e = &events[i];
            long long sum = 0;
            for (int j = 0; j < e->count; j++)
                sum += sample_at(e, j)->ms;
            buf_append_fmt(&d,
                           "%d. %s: %d latency spikes (average %lldms, all time high %lldms).\n",
                           i + 1, e->name, e->count, e->count ? sum / e->count : 0, e->max_ms);
        }
        buf_append_str(&d, "\nI have a few advices for you:\n\n- Check the SLOWLOG for slow "
                           "commands, and raise latency-monitor-threshold if these spikes are "
                           "expected.\n");
    }
    reply_verbatim(c, d.data, d.len, "txt");
    buf_free(&d);
}

static void reply_histogram(client *c, const cmd_hist *h) {
    reply_bulk_str(c, h->cmd->fullname);
    reply_map(c, 2);
    reply_bulk_str(c, "calls");
    reply_int(c, h->calls);
    reply_bulk_str(c, "histogram_usec");
    int used = 0;
    for (int b = 0; b < HIST_BUCKETS; b++)
        used += h->buckets[b] != 0;
    reply_map(c, used);
    long long cumulative = 0;
    for (int b = 0; b < HIST_BUCKETS; b++) {
        if (h->buckets[b] == 0) continue;
        cumulative += h->buckets[b];
        reply_int(c, 1LL << b);
        reply_int(c, cumulative);
    }
}

static void cmd_latency_histogram(client *c) {
    size_t mark = reply_deferred(c);
    long long n = 0;
    if (c->argc == 2) {
        for (int i = 0; i < nhists; i++)
            if (hists[i].calls) {
                reply_histogram(c, &hists[i]);
                n++;
            }
    } else {
        for (int i = 2; i < c->argc; i++) {
            const vg_slice *a = &c->argv[i];
            for (int j = 0; j < nhists; j++)
                if (hists[j].calls && strlen(hists[j].cmd->fullname) == a->len &&
                    strncasecmp(hists[j].cmd->fullname, a->ptr, a->len) == 0) {
                    reply_histogram(c, &hists[j]);
                    n++;
                }
        }
    }
    reply_deferred_map(c, mark, n);
}

static void cmd_latency_help(client *c) {
    static const char *const lines[] = {
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        ("    Return a cumulative distribution of latencies in the format of a histogram for the "
         "specified command names."), /* one line of Redis' help, split for width */
        "    If no commands are specified then all histograms are replied.",
        NULL,
    };
    reply_help(c, lines);
}

#define LAT_SUB(n, fn, ar, sum)                                                                    \
    {                                                                                              \
        .name = n, .proc = fn, .arity = ar,                                                        \
        .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .summary = sum,               \
        .since = "2.8.13", .group = "server"                                                       \
    }

static command latency_subcommands[] = {
    LAT_SUB("latest", cmd_latency_latest, 2, "Return the latest latency samples for all events."),
    LAT_SUB("history", cmd_latency_history, 3, "Return timestamp-latency samples for the event."),
    LAT_SUB("reset", cmd_latency_reset, -2, "Reset latency data for one or more events."),
    LAT_SUB("graph", cmd_latency_graph, 3, "Return a latency graph for the event."),
    LAT_SUB("doctor", cmd_latency_doctor, 2, "Return a human readable latency analysis report."),
    {.name = "histogram",
     .proc = cmd_latency_histogram,
     .arity = -2,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .summary = "Return the cumulative distribution of latencies of a subset of commands or all.",
     .since = "7.0.0",
     .group = "server"},
    {.name = "help",
     .proc = cmd_latency_help,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .summary = "Show helpful text about the different subcommands.",
     .since = "2.8.13",
     .group = "server"},
    {.name = NULL},
};

static command latency_commands[] = {
    {.name = "latency",
     .proc = NULL,
     .arity = -2,
     .subcommands = latency_subcommands,
     .summary = "A container for latency diagnostics commands",
     .since = "2.8.13",
     .group = "server"},
};
COMMAND_TABLE(latency_commands)
