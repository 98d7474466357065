/* pubsub.c -- SUBSCRIBE, PSUBSCRIBE, PUBLISH, PUBSUB and their replies.
 *
 * Owns: the channel registry (a dict of channel nodes, each with an array of
 * borrowed subscriber pointers), the global pattern array, and per-client
 * pubsub_state (its channels and patterns as owned strings). A client's
 * CLIENT_PUBSUB flag is set while it has at least one subscription. */
#include "pubsub.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "glob.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

typedef struct channel {
    dict_node node;
    client **subs; /* owned array, borrowed clients */
    size_t nsubs;
    size_t cap;
    uint32_t len;
    char name[];
} channel;

typedef struct pattern_sub {
    client *c; /* borrowed */
    char *pat; /* owned */
    size_t len;
} pattern_sub;

typedef struct pubsub_state {
    vg_slice *channels; /* owned strings */
    size_t nchannels, ccap;
    vg_slice *patterns; /* owned strings */
    size_t npatterns, pcap;
} pubsub_state;

static const char *channel_key(const dict_node *n, size_t *len) {
    const channel *ch = (const channel *)n;
    *len = ch->len;
    return ch->name;
}

static const dict_type channel_type = {channel_key};
static dict channels = {&channel_type, {NULL, NULL}, {0, 0}, 0, -1, 0};
static pattern_sub *patterns;
static size_t npatterns, patcap;

static pubsub_state *ps(client *c) {
    if (c->pubsub == NULL) c->pubsub = vg_calloc(sizeof(pubsub_state));
    return c->pubsub;
}

long long pubsub_channel_count(const client *c) {
    return c->pubsub ? (long long)c->pubsub->nchannels : 0;
}

long long pubsub_pattern_count(const client *c) {
    return c->pubsub ? (long long)c->pubsub->npatterns : 0;
}

static long long total_subs(const client *c) {
    return pubsub_channel_count(c) + pubsub_pattern_count(c);
}

void pubsub_counts(long long *nchannels, long long *npats) {
    *nchannels = (long long)dict_size(&channels);
    *npats = (long long)npatterns;
}

static void update_flag(client *c) {
    if (total_subs(c) > 0)
        c->flags |= CLIENT_PUBSUB;
    else
        c->flags &= ~CLIENT_PUBSUB;
}

static void reply_event(client *c, const char *kind, const char *name, size_t len,
                        long long count) {
    reply_push(c, 3);
    reply_bulk_str(c, kind);
    if (name)
        reply_bulk(c, name, len);
    else
        reply_null(c);
    reply_int(c, count);
}

static ssize_t find_slice(const vg_slice *arr, size_t n, const char *p, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (arr[i].len == len && memcmp(arr[i].ptr, p, len) == 0) return (ssize_t)i;
    return -1;
}

static void slice_push(vg_slice **arr, size_t *n, size_t *cap, const char *p, size_t len) {
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *arr = vg_realloc(*arr, *cap * sizeof(vg_slice));
    }
    (*arr)[*n].ptr = vg_memdup(p, len + 1);
    (*arr)[*n].ptr[len] = '\0';
    (*arr)[*n].len = len;
    (*n)++;
}

static void slice_remove(vg_slice *arr, size_t *n, size_t i) {
    vg_free(arr[i].ptr);
    arr[i] = arr[--(*n)];
}

static void subscribe(client *c, const char *name, size_t len) {
    pubsub_state *s = ps(c);
    if (find_slice(s->channels, s->nchannels, name, len) < 0) {
        slice_push(&s->channels, &s->nchannels, &s->ccap, name, len);
        channel *ch = (channel *)dict_find(&channels, name, len);
        if (ch == NULL) {
            ch = vg_calloc(sizeof(channel) + len + 1);
            ch->len = (uint32_t)len;
            memcpy(ch->name, name, len);
            dict_add(&channels, &ch->node);
        }
        if (ch->nsubs == ch->cap) {
            ch->cap = ch->cap ? ch->cap * 2 : 2;
            ch->subs = vg_realloc(ch->subs, ch->cap * sizeof(client *));
        }
        ch->subs[ch->nsubs++] = c;
    }
    update_flag(c);
    reply_event(c, "subscribe", name, len, total_subs(c));
}

static void unsubscribe(client *c, const char *name, size_t len, bool notify) {
    pubsub_state *s = ps(c);
    ssize_t i = find_slice(s->channels, s->nchannels, name, len);
    if (i >= 0) {
        channel *ch = (channel *)dict_find(&channels, name, len);
        for (size_t j = 0; ch && j < ch->nsubs; j++)
            if (ch->subs[j] == c) {
                ch->subs[j] = ch->subs[--ch->nsubs];
                break;
            }
        if (ch && ch->nsubs == 0) {
            dict_unlink(&channels, name, len);
            vg_free(ch->subs);
            vg_free(ch);
        }
    }
    if (notify) {
        char copy_small[256];
        char *copy = len < sizeof(copy_small) ? copy_small : vg_malloc(len + 1);
        memcpy(copy, name, len);
        if (i >= 0) slice_remove(s->channels, &s->nchannels, (size_t)i);
        update_flag(c);
        reply_event(c, "unsubscribe", copy, len, total_subs(c));
        if (copy != copy_small) vg_free(copy);
    } else if (i >= 0) {
        slice_remove(s->channels, &s->nchannels, (size_t)i);
        update_flag(c);
    }
}

static void psubscribe(client *c, const char *pat, size_t len) {
    pubsub_state *s = ps(c);
    if (find_slice(s->patterns, s->npatterns, pat, len) < 0) {
        slice_push(&s->patterns, &s->npatterns, &s->pcap, pat, len);
        if (npatterns == patcap) {
            patcap = patcap ? patcap * 2 : 4;
            patterns = vg_realloc(patterns, patcap * sizeof(pattern_sub));
        }
        patterns[npatterns].c = c;
        patterns[npatterns].pat = vg_memdup(pat, len + 1);
        patterns[npatterns].pat[len] = '\0';
        patterns[npatterns].len = len;
        npatterns++;
    }
    update_flag(c);
    reply_event(c, "psubscribe", pat, len, total_subs(c));
}

static void punsubscribe(client *c, const char *pat, size_t len, bool notify) {
    pubsub_state *s = ps(c);
    ssize_t i = find_slice(s->patterns, s->npatterns, pat, len);
    if (i >= 0) {
        for (size_t j = 0; j < npatterns; j++)
            if (patterns[j].c == c && patterns[j].len == len &&
                memcmp(patterns[j].pat, pat, len) == 0) {
                vg_free(patterns[j].pat);
                memmove(&patterns[j], &patterns[j + 1], (npatterns - j - 1) * sizeof(pattern_sub));
                npatterns--;
                break;
            }
    }
    char copy_small[256];
    char *copy = len < sizeof(copy_small) ? copy_small : vg_malloc(len + 1);
    memcpy(copy, pat, len);
    if (i >= 0) slice_remove(s->patterns, &s->npatterns, (size_t)i);
    update_flag(c);
    if (notify) reply_event(c, "punsubscribe", copy, len, total_subs(c));
    if (copy != copy_small) vg_free(copy);
}

void pubsub_client_reset(client *c) {
    if (c->pubsub == NULL) return;
    pubsub_state *s = c->pubsub;
    while (s->nchannels)
        unsubscribe(c, s->channels[s->nchannels - 1].ptr, s->channels[s->nchannels - 1].len, false);
    while (s->npatterns)
        punsubscribe(c, s->patterns[s->npatterns - 1].ptr, s->patterns[s->npatterns - 1].len,
                     false);
    vg_free(s->channels);
    vg_free(s->patterns);
    vg_free(s);
    c->pubsub = NULL;
    c->flags &= ~CLIENT_PUBSUB;
}

static void deliver(client *c, const char *kind, const char *pat, size_t plen, const char *ch,
                    size_t clen, const char *msg, size_t mlen) {
    reply_push(c, pat ? 4 : 3);
    reply_bulk_str(c, kind);
    if (pat) reply_bulk(c, pat, plen);
    reply_bulk(c, ch, clen);
    reply_bulk(c, msg, mlen);
}

long long pubsub_publish(const char *name, size_t clen, const char *msg, size_t mlen) {
    long long receivers = 0;
    channel *ch = (channel *)dict_find(&channels, name, clen);
    for (size_t i = 0; ch && i < ch->nsubs; i++) {
        deliver(ch->subs[i], "message", NULL, 0, name, clen, msg, mlen);
        receivers++;
    }
    for (size_t i = 0; i < npatterns; i++) {
        if (!glob_match(patterns[i].pat, patterns[i].len, name, clen, false)) continue;
        deliver(patterns[i].c, "pmessage", patterns[i].pat, patterns[i].len, name, clen, msg, mlen);
        receivers++;
    }
    return receivers;
}

static void cmd_subscribe(client *c) {
    for (int i = 1; i < c->argc; i++)
        subscribe(c, c->argv[i].ptr, c->argv[i].len);
}

static void cmd_unsubscribe(client *c) {
    if (c->argc == 1) {
        pubsub_state *s = ps(c);
        if (s->nchannels == 0) {
            reply_event(c, "unsubscribe", NULL, 0, total_subs(c));
            return;
        }
        while (s->nchannels)
            unsubscribe(c, s->channels[s->nchannels - 1].ptr, s->channels[s->nchannels - 1].len,
                        true);
        return;
    }
    for (int i = 1; i < c->argc; i++)
        unsubscribe(c, c->argv[i].ptr, c->argv[i].len, true);
}

static void cmd_psubscribe(client *c) {
    for (int i = 1; i < c->argc; i++)
        psubscribe(c, c->argv[i].ptr, c->argv[i].len);
}

static void cmd_punsubscribe(client *c) {
    if (c->argc == 1) {
        pubsub_state *s = ps(c);
        if (s->npatterns == 0) {
            reply_event(c, "punsubscribe", NULL, 0, total_subs(c));
            return;
        }
        while (s->npatterns)
            punsubscribe(c, s->patterns[s->npatterns - 1].ptr, s->patterns[s->npatterns - 1].len,
                         true);
        return;
    }
    for (int i = 1; i < c->argc; i++)
        punsubscribe(c, c->argv[i].ptr, c->argv[i].len, true);
}

static void cmd_publish(client *c) {
    reply_int(c, pubsub_publish(c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr, c->argv[2].len));
    propagate_force(c, PROPAGATE_REPL); /* replicas' subscribers hear it too; not the AOF */
}

typedef struct collect_ctx {
    client *c;
    const vg_slice *pat;
    long long n;
} collect_ctx;

static void collect_channel(dict_node *n, void *arg) {
    collect_ctx *x = arg;
    channel *ch = (channel *)n;
    if (x->pat && !glob_match(x->pat->ptr, x->pat->len, ch->name, ch->len, false)) return;
    reply_bulk(x->c, ch->name, ch->len);
    x->n++;
}

/* CHANNELS and SHARDCHANNELS take at most one pattern; Redis answers more with
 * its subcommand syntax error (argv[1] as typed), not the arity error. */
static bool pattern_arity_ok(client *c) {
    if (c->argc <= 3) return true;
    char up[16];
    size_t n = 0;
    for (const char *s = c->argv[0].ptr; n < c->argv[0].len && n + 1 < sizeof up; n++)
        up[n] = (char)toupper((unsigned char)s[n]);
    up[n] = 0;
    reply_errorf(c,
                 "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try %s HELP.",
                 c->argv[1].ptr, up);
    return false;
}

static void cmd_pubsub_channels(client *c) {
    if (!pattern_arity_ok(c)) return;
    collect_ctx x = {c, c->argc > 2 ? &c->argv[2] : NULL, 0};
    size_t h = reply_deferred(c);
    dict_foreach(&channels, collect_channel, &x);
    reply_deferred_array(c, h, x.n);
}

/* NUMSUB and SHARDNUMSUB: a flat name/count array in RESP3 too, as Redis 7.0. */
static void cmd_pubsub_numsub(client *c) {
    reply_array(c, 2LL * (c->argc - 2));
    for (int i = 2; i < c->argc; i++) {
        channel *ch = (channel *)dict_find(&channels, c->argv[i].ptr, c->argv[i].len);
        reply_bulk(c, c->argv[i].ptr, c->argv[i].len);
        reply_int(c, ch ? (long long)ch->nsubs : 0);
    }
}

static void cmd_pubsub_numpat(client *c) {
    reply_int(c, (long long)npatterns);
}

static void cmd_pubsub_shardchannels(client *c) {
    if (!pattern_arity_ok(c)) return;
    reply_array(c, 0);
}

static void cmd_pubsub_shardnumsub(client *c) {
    reply_array(c, 2LL * (c->argc - 2));
    for (int i = 2; i < c->argc; i++) {
        reply_bulk(c, c->argv[i].ptr, c->argv[i].len);
        reply_int(c, 0);
    }
}

static void cmd_pubsub_help(client *c) {
    static const char *const lines[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        NULL,
    };
    reply_help(c, lines);
}

bool pubsub_refuse_in_context(client *c, const command *cmd) {
    if (c->resp != 2 || !(c->flags & CLIENT_PUBSUB)) return false;
    const char *n = cmd->parent ? cmd->parent->name : cmd->name;
    static const char *allowed[] = {"ping",         "subscribe",    "ssubscribe",
                                    "unsubscribe",  "sunsubscribe", "psubscribe",
                                    "punsubscribe", "quit",         "reset"};
    for (size_t i = 0; i < VG_ARRAY_LEN(allowed); i++)
        if (strcmp(n, allowed[i]) == 0) return false;
    reply_errorf(c,
                 "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                 "RESET are allowed in this context",
                 cmd->fullname);
    return true;
}

static command pubsub_subcommands[] = {
    {.name = "channels",
     .proc = cmd_pubsub_channels,
     .arity = -2,
     .flags = CMD_PUBSUB | CMD_LOADING | CMD_STALE,
     .summary = "List active channels",
     .since = "2.8.0",
     .group = "pubsub"},
    {.name = "numsub",
     .proc = cmd_pubsub_numsub,
     .arity = -2,
     .flags = CMD_PUBSUB | CMD_LOADING | CMD_STALE,
     .summary = "Get the count of subscribers for channels",
     .since = "2.8.0",
     .group = "pubsub"},
    {.name = "numpat",
     .proc = cmd_pubsub_numpat,
     .arity = 2,
     .flags = CMD_PUBSUB | CMD_LOADING | CMD_STALE,
     .summary = "Get the count of unique patterns pattern subscriptions",
     .since = "2.8.0",
     .group = "pubsub"},
    {.name = "shardchannels",
     .proc = cmd_pubsub_shardchannels,
     .arity = -2,
     .flags = CMD_PUBSUB | CMD_LOADING | CMD_STALE,
     .summary = "List active shard channels",
     .since = "7.0.0",
     .group = "pubsub"},
    {.name = "shardnumsub",
     .proc = cmd_pubsub_shardnumsub,
     .arity = -2,
     .flags = CMD_PUBSUB | CMD_LOADING | CMD_STALE,
     .summary = "Get the count of subscribers for shard channels",
     .since = "7.0.0",
     .group = "pubsub"},
    {.name = "help",
     .proc = cmd_pubsub_help,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .summary = "Show helpful text about the different subcommands",
     .since = "6.2.0",
     .group = "pubsub"},
    {.name = NULL},
};

static command pubsub_commands[] = {
    {.name = "subscribe",
     .proc = cmd_subscribe,
     .arity = -2,
     .flags = CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .summary = "Listen for messages published to the given channels",
     .since = "2.0.0",
     .group = "pubsub"},
    {.name = "unsubscribe",
     .proc = cmd_unsubscribe,
     .arity = -1,
     .flags = CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .summary = "Stop listening for messages posted to the given channels",
     .since = "2.0.0",
     .group = "pubsub"},
    {.name = "psubscribe",
     .proc = cmd_psubscribe,
     .arity = -2,
     .flags = CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .summary = "Listen for messages published to channels matching the given patterns",
     .since = "2.0.0",
     .group = "pubsub"},
    {.name = "punsubscribe",
     .proc = cmd_punsubscribe,
     .arity = -1,
     .flags = CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .summary = "Stop listening for messages posted to channels matching the given patterns",
     .since = "2.0.0",
     .group = "pubsub"},
    {.name = "publish",
     .proc = cmd_publish,
     .arity = 3,
     .flags = CMD_PUBSUB | CMD_LOADING | CMD_STALE | CMD_FAST,
     .summary = "Post a message to a channel",
     .since = "2.0.0",
     .group = "pubsub"},
    {.name = "pubsub",
     .proc = NULL,
     .arity = -2,
     .subcommands = pubsub_subcommands,
     .summary = "A container for Pub/Sub commands",
     .since = "2.8.0",
     .group = "pubsub"},
};
COMMAND_TABLE(pubsub_commands)
