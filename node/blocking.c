/* blocking.c -- clients blocked on keys, ready keys, timeouts (see blocking.h).
 *
 * Owns: the waiter table (one bkey per (db, key) with a FIFO of waiters),
 * each client's blocking_state (c->blocking: copied argv, deadline,
 * callback, its waiters), the ready-key list and the resume queue.
 *
 * Life of a blocked client:
 *   command finds nothing -> blocking_block: CLIENT_BLOCKED, waiters linked
 *   key written -> signal: bkey marked ready, key queued (once)
 *   after the command / before sleep -> serve: waiters offered the key in
 *     FIFO order; the first ones the callback serves are unblocked and go
 *     to SLOWLOG then, as in Redis, timed by the blocking call plus the
 *     serving (the wait itself does not count)
 *   cron past deadline -> null array, unblocked
 *   unblocked -> resume queue -> before sleep: its pending input runs
 *   closed -> everything about it dropped at once */
#include "blocking.h"

#include <math.h>
#include <string.h>

#include "command.h"
#include "dict.h"
#include "propagate.h"
#include "reply.h"
#include "server.h"
#include "slowlog.h"
#include "vg_alloc.h"

typedef struct bkey bkey;

typedef struct waiter {
    struct waiter *prev; /* older waiter on the same key */
    struct waiter *next; /* newer waiter on the same key */
    bkey *bk;            /* borrowed: the key waited on */
    client *c;           /* borrowed: the blocked client */
} waiter;

struct bkey {
    dict_node node; /* in `keys` */
    waiter *head;   /* borrowed: first blocked, first served */
    waiter *tail;   /* borrowed */
    size_t count;   /* waiters */
    bool ready;     /* queued in the ready list */
    size_t klen;    /* bytes of key[]: 4-byte db id, then the key */
    char key[];     /* composite key */
};

typedef struct blocking_state bstate;

struct blocking_state {
    client *c;           /* borrowed: owner of this state */
    bool blocked;        /* waiting now */
    bool queued;         /* on the resume queue */
    bstate *prev, *next; /* list of all blocked clients */
    bstate *qnext;       /* resume queue link */
    vg_slice *argv;      /* owned: copy of the blocked command */
    int argc;
    const command *cmd;      /* borrowed: static command table */
    int64_t deadline_ms;     /* unix ms, 0 = none */
    long long call_us;       /* how long the call that blocked ran */
    blocking_serve_cb serve; /* how to serve the command */
    waiter *waiters;         /* owned array: one per distinct key */
    int nwaiters;
};

static const char *bkey_node_key(const dict_node *n, size_t *len) {
    const bkey *bk = (const bkey *)n;
    *len = bk->klen;
    return bk->key;
}

static const dict_type bkey_type = {.node_key = bkey_node_key};
static dict keys; /* owned: bkey nodes */
static bool keys_ready_init;
static vg_slice *ready; /* owned: composite keys to serve */
static size_t nready, ready_cap;
static bool handling;    /* blocking_handle_ready is running */
static bstate *all_head; /* borrowed: every blocked client */
static long long nblocked;
static bstate *queue_head, *queue_tail; /* resume queue */
static buf scratch;                     /* composite key builder */

static void keys_init(void) {
    if (!keys_ready_init) {
        dict_init(&keys, &bkey_type);
        keys_ready_init = true;
    }
}

/* The composite key (db id + key) in `scratch`. */
static const char *composite(const db *d, const char *key, size_t klen, size_t *len) {
    uint32_t id = (uint32_t)d->id;
    buf_clear(&scratch);
    buf_append(&scratch, &id, sizeof(id));
    buf_append(&scratch, key, klen);
    *len = scratch.len;
    return scratch.data;
}

static bkey *bkey_find(const db *d, const char *key, size_t klen) {
    if (!keys_ready_init || dict_size(&keys) == 0) return NULL;
    size_t len;
    const char *ck = composite(d, key, klen, &len);
    return (bkey *)dict_find(&keys, ck, len);
}

static bstate *state_of(const client *c) {
    return c->blocking;
}

bool blocking_is_blocked(const client *c) {
    bstate *st = state_of(c);
    return st && st->blocked;
}

long long blocking_count(void) {
    return nblocked;
}

/* INFO's blocked_clients comes from here. */
bool blocking_parse_timeout(client *c, const vg_slice *arg, int64_t *deadline_ms) {
    long double secs;
    if (!vg_str2ld(arg->ptr, arg->len, &secs)) {
        reply_error(c, "ERR timeout is not a float or out of range");
        return false;
    }
    /* Redis 7.0 rounds up to whole milliseconds; values beyond a long long
     * (inf, 1e300) convert to its minimum on x86 and so read as negative. */
    long double ms = ceill(secs * 1000.0L);
    if (!(ms < 9223372036854775807.0L) || ms < 0) {
        reply_error(c, "ERR timeout is negative");
        return false;
    }
    long long tval = (long long)ms;
    if (tval == 0)
        *deadline_ms = 0;
    else if (tval > INT64_MAX - server.now_ms)
        *deadline_ms = INT64_MAX;
    else
        *deadline_ms = server.now_ms + tval;
    return true;
}

/* Commands block only when they came straight off the client's socket: in
 * MULTI/EXEC (queued argv copies), scripts and replayed commands (fake
 * clients) they act as if the timeout expired at once. */
bool blocking_allowed(const client *c) {
    /* EXEC keeps CLIENT_MULTI set while its queue runs, so this covers
     * transactions; fake clients have no socket to answer later on. */
    return !(c->flags & (CLIENT_MULTI | CLIENT_FAKE));
}

static void waiter_link(bkey *bk, waiter *w) {
    w->bk = bk;
    w->next = NULL;
    w->prev = bk->tail;
    if (bk->tail)
        bk->tail->next = w;
    else
        bk->head = w;
    bk->tail = w;
    bk->count++;
}

static void waiter_unlink(waiter *w) {
    bkey *bk = w->bk;
    if (w->prev)
        w->prev->next = w->next;
    else
        bk->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        bk->tail = w->prev;
    bk->count--;
    if (bk->count == 0) {
        dict_unlink(&keys, bk->key, bk->klen);
        vg_free(bk);
    }
}

static bkey *bkey_get_or_add(const db *d, const char *key, size_t klen) {
    size_t len;
    const char *ck = composite(d, key, klen, &len);
    bkey *bk = (bkey *)dict_find(&keys, ck, len);
    if (bk) return bk;
    bk = vg_calloc(sizeof(bkey) + len);
    bk->klen = len;
    memcpy(bk->key, ck, len);
    dict_add(&keys, &bk->node);
    return bk;
}

static bstate *state_get(client *c) {
    bstate *st = state_of(c);
    if (st == NULL) {
        st = vg_calloc(sizeof(*st));
        st->c = c;
        c->blocking = st;
    }
    return st;
}

static bool key_seen(const vg_slice *keys_in, int upto, const vg_slice *k) {
    for (int i = 0; i < upto; i++)
        if (keys_in[i].len == k->len && memcmp(keys_in[i].ptr, k->ptr, k->len) == 0) return true;
    return false;
}

void blocking_block(client *c, const vg_slice *bkeys, int nkeys, int64_t deadline_ms,
                    blocking_serve_cb serve) {
    keys_init();
    bstate *st = state_get(c);
    VG_ASSERT(!st->blocked);
    st->blocked = true;
    st->argv = client_argv_copy(c);
    st->argc = c->argc;
    st->cmd = c->cmd;
    st->deadline_ms = deadline_ms;
    st->serve = serve;
    st->waiters = vg_calloc((size_t)(nkeys > 0 ? nkeys : 1) * sizeof(waiter));
    st->nwaiters = 0;
    for (int i = 0; i < nkeys; i++) {
        if (key_seen(bkeys, i, &bkeys[i])) continue;
        waiter *w = &st->waiters[st->nwaiters++];
        w->c = c;
        waiter_link(bkey_get_or_add(c->db, bkeys[i].ptr, bkeys[i].len), w);
    }
    st->prev = NULL;
    st->next = all_head;
    if (all_head) all_head->prev = st;
    all_head = st;
    nblocked++;
    c->flags |= CLIENT_BLOCKED;
}

/* Drop c's waiters and command copy; leaves it unblocked. */
static void release_block(bstate *st) {
    for (int i = 0; i < st->nwaiters; i++)
        waiter_unlink(&st->waiters[i]);
    vg_free(st->waiters);
    st->waiters = NULL;
    st->nwaiters = 0;
    client_argv_free(st->argv, st->argc);
    st->argv = NULL;
    st->argc = 0;
    if (st->prev)
        st->prev->next = st->next;
    else
        all_head = st->next;
    if (st->next) st->next->prev = st->prev;
    st->prev = st->next = NULL;
    st->blocked = false;
    nblocked--;
    st->c->flags &= ~CLIENT_BLOCKED;
}

/* Unblock and queue the client so its pending input runs before sleep. */
static void unblock_client(client *c) {
    bstate *st = state_of(c);
    release_block(st);
    c->last_interaction_ms = server.now_ms;
    if (!st->queued) {
        st->queued = true;
        st->qnext = NULL;
        if (queue_tail)
            queue_tail->qnext = st;
        else
            queue_head = st;
        queue_tail = st;
    }
}

/* Queue bk for serving (once until it is served). */
static void ready_push(bkey *bk) {
    if (bk->ready) return;
    bk->ready = true;
    if (nready == ready_cap) {
        ready_cap = ready_cap ? ready_cap * 2 : 8;
        ready = vg_realloc(ready, ready_cap * sizeof(vg_slice));
    }
    ready[nready].ptr = vg_memdup(bk->key, bk->klen);
    ready[nready].len = bk->klen;
    nready++;
}

void blocking_signal_key(db *d, const char *key, size_t klen) {
    bkey *bk = bkey_find(d, key, klen);
    if (bk) ready_push(bk);
}

static void signal_db_cb(dict_node *n, void *arg) {
    bkey *bk = (bkey *)n;
    const db *d = arg;
    uint32_t id;
    memcpy(&id, bk->key, sizeof(id));
    if ((int)id == d->id) ready_push(bk);
}

void blocking_signal_db(db *d) {
    if (keys_ready_init && dict_size(&keys)) dict_foreach(&keys, signal_db_cb, d);
}

/* Offer key to c's callback with c's blocked command in place. */
static bool try_serve(client *c, const vg_slice *key) {
    bstate *st = state_of(c);
    vg_slice *saved_argv = c->argv;
    int saved_argc = c->argc;
    const command *saved_cmd = c->cmd;
    c->argv = st->argv;
    c->argc = st->argc;
    c->cmd = st->cmd;
    c->flags |= CLIENT_PROTECTED;
    long long start = vg_mono_us();
    /* A served client is its own unit: what its serve path propagates
     * (LPOP for BLPOP, LMOVE for BLMOVE ...) goes out alone. */
    bool prop = propagate_active();
    if (prop) propagate_begin(c, PROPAGATE_FRAME_SERVE, false);
    bool served = st->serve(c, key);
    if (prop) propagate_end(c, served);
    if (served && !(st->cmd->flags & CMD_SKIP_SLOWLOG))
        slowlog_consider(c, st->call_us + (vg_mono_us() - start));
    c->flags &= ~CLIENT_PROTECTED;
    c->argv = saved_argv;
    c->argc = saved_argc;
    c->cmd = saved_cmd;
    return served;
}

/* Offer one ready key to its waiters, oldest first. ck is owned by the
 * caller (the ready list), so it outlives the bkey. */
static void serve_key(const vg_slice *ck) {
    bkey *bk = (bkey *)dict_find(&keys, ck->ptr, ck->len);
    if (bk == NULL) return;
    bk->ready = false;
    vg_slice key = {ck->ptr + sizeof(uint32_t), ck->len - sizeof(uint32_t)};
    size_t n = bk->count;
    waiter *w = bk->head;
    while (n-- > 0 && w) {
        waiter *next = w->next; /* survives: serving unblocks only w->c */
        client *c = w->c;
        if (!(c->flags & (CLIENT_CLOSING | CLIENT_CLOSE_ASAP)) && try_serve(c, &key)) {
            unblock_client(c); /* frees bk when w was its last waiter */
            if (next == NULL) break;
        }
        w = next;
    }
}

void blocking_handle_ready(void) {
    if (handling || nready == 0) return;
    handling = true;
    while (nready > 0) {
        vg_slice *list = ready;
        size_t n = nready;
        ready = NULL;
        nready = ready_cap = 0;
        for (size_t i = 0; i < n; i++) {
            serve_key(&list[i]);
            vg_free(list[i].ptr);
        }
        vg_free(list);
    }
    handling = false;
}

void blocking_before_sleep(void) {
    blocking_handle_ready();
    while (queue_head) {
        bstate *st = queue_head;
        queue_head = st->qnext;
        if (queue_head == NULL) queue_tail = NULL;
        st->queued = false;
        st->qnext = NULL;
        client *c = st->c;
        if (c->flags & (CLIENT_CLOSING | CLIENT_CLOSE_ASAP)) continue;
        client_process_input(c);
        blocking_handle_ready();
    }
}

void blocking_cron(int64_t now_ms) {
    for (bstate *st = all_head, *next; st; st = next) {
        next = st->next;
        if (st->deadline_ms == 0 || st->deadline_ms > now_ms) continue;
        reply_null_array(st->c);
        unblock_client(st->c);
    }
}

void blocking_note_call(client *c, long long duration_us) {
    bstate *st = state_of(c);
    if (st && st->blocked) st->call_us = duration_us;
}

bool blocking_unblock(client *c, bool with_error) {
    if (!blocking_is_blocked(c)) return false;
    if (with_error)
        reply_error(c, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else
        reply_null_array(c);
    unblock_client(c);
    return true;
}

void blocking_client_closed(client *c) {
    bstate *st = state_of(c);
    if (st == NULL) return;
    if (st->blocked) release_block(st);
    if (st->queued) {
        bstate **pp = &queue_head;
        bstate *prev = NULL;
        while (*pp && *pp != st) {
            prev = *pp;
            pp = &(*pp)->qnext;
        }
        if (*pp) {
            *pp = st->qnext;
            if (queue_tail == st) queue_tail = prev;
        }
    }
    vg_free(st);
    c->blocking = NULL;
}
