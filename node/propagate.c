/* propagate.c -- the one funnel every write leaves through (see propagate.h).
 *
 * Owns: the frame stack (one frame per command_call or served blocked
 * client in progress, with the handler's rewrite), the pending list of
 * encoded commands of the current unit, and the sink table.
 *
 * Frame and unit life:
 *
 *   depth 0 --begin--> depth 1 --begin (EXEC's queue)--> depth 2
 *      ^                  |  ^                              |
 *      |                  |  +------------end: queue op-----+
 *      +--end: queue op, flush unit (MULTI/EXEC if > 1 op)--+
 *
 *   outside frames: propagate_also / propagate_deletion queue ops;
 *   propagate_flush_pending sends them bare (active expiry, eviction).
 *
 * | transition                     | function               |
 * |--------------------------------|------------------------|
 * | command or serve starts        | propagate_begin        |
 * | handler rewrites / suppresses  | propagate_rewrite_*    |
 * | command ends, op queued        | propagate_end          |
 * | outermost frame ends           | flush (wrap allowed)   |
 * | expiry / eviction batch ends   | propagate_flush_pending|
 * | op reaches one sink            | emit (SELECT if needed)|
 */
#include "propagate.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "vg_alloc.h"

#define MAX_DEPTH 8     /* EXEC -> command is 2; the rest is headroom */
#define MAX_OVERRIDES 4 /* EXPIRE rewrites 2 arguments, HINCRBYFLOAT 2 */

enum rewrite_mode { REWRITE_NONE, REWRITE_FULL, REWRITE_ARGS };

typedef struct override {
    int idx;    /* argument replaced */
    size_t off; /* its bytes in the frame's enc */
    size_t len;
} override;

typedef struct frame {
    client *c;       /* borrowed: the client running */
    int kind;        /* enum propagate_frame_kind */
    bool no_multi;   /* outermost frame: never wrap its unit */
    bool suppressed; /* propagate_suppress */
    int forced;      /* PROPAGATE_* targets forced */
    int rewritten;   /* enum rewrite_mode */
    buf enc;         /* owned: REWRITE_FULL: the RESP; REWRITE_ARGS: override bytes */
    override ovr[MAX_OVERRIDES];
    int novr;
} frame;

typedef struct pending_op {
    int dbid;
    int targets;
    size_t off; /* bytes in `pend` */
    size_t len;
} pending_op;

typedef struct sink {
    propagate_sink_cb cb; /* NULL: free slot */
    void *arg;            /* borrowed: the consumer's */
    int targets;
    int seldb; /* db its stream has selected, -1 none yet */
} sink;

int propagate_nsinks;
char *propagate_debug_file;

static frame frames[MAX_DEPTH];
static int depth;
static buf pend;        /* owned: encoded commands of the current unit */
static pending_op *ops; /* owned */
static size_t nops, ops_cap;
static sink *sinks; /* owned */
static int sinks_cap;
static int listened; /* targets some sink listens to */
static int debug_fd = -1;
static int debug_handle = -1;
static client *unit_client; /* borrowed: whose unit flush() is sending, or NULL */

static const char multi_bytes[] = "*1\r\n$5\r\nMULTI\r\n";
static const char exec_bytes[] = "*1\r\n$4\r\nEXEC\r\n";

/* ---- encoding ---- */

static void append_header(buf *out, char prefix, size_t n) {
    char tmp[24];
    tmp[0] = prefix;
    int len = vg_ull2str(tmp + 1, (unsigned long long)n);
    tmp[len + 1] = '\r';
    tmp[len + 2] = '\n';
    buf_append(out, tmp, (size_t)len + 3);
}

static void append_bulk(buf *out, const char *p, size_t n) {
    append_header(out, '$', n);
    buf_reserve(out, n + 2);
    memcpy(out->data + out->len, p, n);
    out->data[out->len + n] = '\r';
    out->data[out->len + n + 1] = '\n';
    out->len += n + 2;
    out->data[out->len] = '\0';
}

void propagate_encode(buf *out, int argc, const vg_slice *argv) {
    append_header(out, '*', (size_t)argc);
    for (int i = 0; i < argc; i++)
        append_bulk(out, argv[i].ptr, argv[i].len);
}

/* ---- sinks ---- */

/* As Redis' shouldPropagate: a command only for replicas is not even queued
 * while there are none, so it cannot make the AOF's unit a transaction. */
static void update_listened(void) {
    listened = 0;
    for (int h = 0; h < sinks_cap; h++)
        if (sinks[h].cb) listened |= sinks[h].targets;
}

int propagate_sink_add(int targets, propagate_sink_cb cb, void *arg) {
    VG_ASSERT(cb != NULL);
    int h = 0;
    while (h < sinks_cap && sinks[h].cb)
        h++;
    if (h == sinks_cap) {
        int cap = sinks_cap ? sinks_cap * 2 : 4;
        sinks = vg_realloc(sinks, (size_t)cap * sizeof(sink));
        memset(sinks + sinks_cap, 0, (size_t)(cap - sinks_cap) * sizeof(sink));
        sinks_cap = cap;
    }
    sinks[h] = (sink){cb, arg, targets, -1};
    propagate_nsinks++;
    update_listened();
    return h;
}

void propagate_sink_remove(int handle) {
    if (handle < 0 || handle >= sinks_cap || sinks[handle].cb == NULL) return;
    sinks[handle].cb = NULL;
    propagate_nsinks--;
    update_listened();
}

void propagate_sink_reselect(int handle) {
    if (handle >= 0 && handle < sinks_cap) sinks[handle].seldb = -1;
}

/* One command to one sink, after a SELECT when its db differs. */
static void emit(sink *s, const char *p, size_t len, int dbid) {
    if (s->seldb != dbid) {
        char id[24], sel[64];
        int n = vg_ll2str(id, dbid);
        int m = 17;
        memcpy(sel, "*2\r\n$6\r\nSELECT\r\n$", 17);
        m += vg_ll2str(sel + m, n);
        sel[m++] = '\r';
        sel[m++] = '\n';
        memcpy(sel + m, id, (size_t)n);
        m += n;
        sel[m++] = '\r';
        sel[m++] = '\n';
        s->cb(sel, (size_t)m, dbid, s->arg);
        s->seldb = dbid;
    }
    s->cb(p, len, dbid, s->arg);
}

/* ---- the pending unit ---- */

static pending_op *op_open(int dbid, int targets) {
    if (nops == ops_cap) {
        ops_cap = ops_cap ? ops_cap * 2 : 16;
        ops = vg_realloc(ops, ops_cap * sizeof(pending_op));
    }
    pending_op *o = &ops[nops++];
    o->dbid = dbid;
    o->targets = targets;
    o->off = pend.len;
    o->len = 0;
    return o;
}

static void op_close(pending_op *o) {
    o->len = pend.len - o->off;
}

/* Send the unit to every sink and start a new one. */
static void flush(bool allow_multi) {
    if (nops == 0) return;
    bool wrap = allow_multi && nops > 1;
    for (int h = 0; h < sinks_cap; h++) {
        sink *s = &sinks[h];
        if (s->cb == NULL) continue;
        if (wrap) emit(s, multi_bytes, sizeof(multi_bytes) - 1, ops[0].dbid);
        for (size_t i = 0; i < nops && s->cb; i++)
            if (ops[i].targets & s->targets)
                emit(s, pend.data + ops[i].off, ops[i].len, ops[i].dbid);
        if (wrap && s->cb) emit(s, exec_bytes, sizeof(exec_bytes) - 1, ops[nops - 1].dbid);
    }
    nops = 0;
    buf_clear(&pend);
    if (pend.cap > 1024 * 1024) buf_free(&pend); /* after a huge unit, give it back */
}

void propagate_also(int dbid, int argc, const vg_slice *argv, int targets) {
    if (!propagate_active()) return;
    targets &= listened;
    if (targets == 0) return;
    pending_op *o = op_open(dbid, targets);
    propagate_encode(&pend, argc, argv);
    op_close(o);
}

void propagate_deletion(int dbid, const char *key, size_t klen, bool lazy) {
    if (!propagate_active()) return;
    vg_slice argv[2] = {lazy ? PROPAGATE_LIT("UNLINK") : PROPAGATE_LIT("DEL"), {(char *)key, klen}};
    propagate_also(dbid, 2, argv, PROPAGATE_ALL);
}

void propagate_flush_pending(void) {
    if (depth == 0) flush(false);
}

/* ---- frames ---- */

static frame *top(const client *c) {
    if (depth == 0) return NULL;
    frame *f = &frames[depth - 1];
    return f->c == c ? f : NULL;
}

void propagate_begin(client *c, int kind, bool no_multi) {
    VG_ASSERT(depth < MAX_DEPTH);
    if (depth == 0) flush(false); /* stray ops from outside any frame go first, alone */
    frame *f = &frames[depth++];
    f->c = c;
    f->kind = kind;
    f->no_multi = no_multi;
    f->suppressed = false;
    f->forced = 0;
    f->rewritten = REWRITE_NONE;
    f->novr = 0;
    buf_clear(&f->enc);
}

static const vg_slice *override_of(const frame *f, int idx, vg_slice *tmp) {
    for (int k = f->novr - 1; k >= 0; k--)
        if (f->ovr[k].idx == idx) {
            tmp->ptr = f->enc.data + f->ovr[k].off;
            tmp->len = f->ovr[k].len;
            return tmp;
        }
    return NULL;
}

/* Queue the frame's command as it must be propagated. */
static void queue_command(const frame *f, int targets) {
    client *c = f->c;
    pending_op *o = op_open(c->db ? c->db->id : 0, targets);
    if (f->rewritten == REWRITE_FULL) {
        buf_append(&pend, f->enc.data, f->enc.len);
    } else {
        append_header(&pend, '*', (size_t)c->argc);
        for (int i = 0; i < c->argc; i++) {
            vg_slice tmp;
            const vg_slice *a = f->rewritten == REWRITE_ARGS ? override_of(f, i, &tmp) : NULL;
            if (a == NULL) a = &c->argv[i];
            append_bulk(&pend, a->ptr, a->len);
        }
    }
    op_close(o);
}

void propagate_end(client *c, bool wrote) {
    VG_ASSERT(depth > 0 && frames[depth - 1].c == c);
    frame *f = &frames[--depth];
    int targets;
    if (f->kind == PROPAGATE_FRAME_SERVE)
        targets = f->rewritten != REWRITE_NONE ? PROPAGATE_ALL : 0;
    else
        targets = (wrote ? PROPAGATE_ALL : 0) | f->forced;
    if (f->suppressed) targets = 0;
    targets &= listened; /* 0 once the last sink went away mid-command */
    if (targets) queue_command(f, targets);
    if (depth == 0) {
        unit_client = f->c;
        flush(!f->no_multi);
        unit_client = NULL;
    }
}

client *propagate_unit_client(void) {
    return unit_client;
}

void propagate_rewrite_argv(client *c, int argc, const vg_slice *argv) {
    frame *f = top(c);
    if (f == NULL) return;
    buf_clear(&f->enc);
    propagate_encode(&f->enc, argc, argv);
    f->rewritten = REWRITE_FULL;
    f->novr = 0;
}

void propagate_rewrite_arg(client *c, int i, vg_slice v) {
    frame *f = top(c);
    if (f == NULL) return;
    VG_ASSERT(f->rewritten != REWRITE_FULL && i >= 0 && i < c->argc && f->novr < MAX_OVERRIDES);
    f->rewritten = REWRITE_ARGS;
    override *o = &f->ovr[f->novr++];
    o->idx = i;
    o->off = f->enc.len;
    o->len = v.len;
    buf_append(&f->enc, v.ptr, v.len);
}

void propagate_suppress(client *c) {
    frame *f = top(c);
    if (f) f->suppressed = true;
}

void propagate_force(client *c, int targets) {
    frame *f = top(c);
    if (f) f->forced |= targets;
}

/* ---- the test-only file sink ---- */

static void debug_write_cb(const char *p, size_t len, int dbid, void *arg) {
    (void)dbid;
    (void)arg;
    while (len > 0) {
        ssize_t n = write(debug_fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* a test sink: a full disk just ends the record */
        p += n;
        len -= (size_t)n;
    }
}

int propagate_start(vg_error *err) {
    if (propagate_debug_file == NULL || propagate_debug_file[0] == '\0' || debug_fd >= 0)
        return VG_OK;
    debug_fd = open(propagate_debug_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (debug_fd < 0) {
        vg_error_set(err, "Can't open propagate-debug-file %s: %s", propagate_debug_file,
                     strerror(errno));
        return VG_ERR;
    }
    debug_handle = propagate_sink_add(PROPAGATE_AOF, debug_write_cb, NULL);
    return VG_OK;
}

void propagate_stop(void) {
    if (debug_fd >= 0) {
        propagate_sink_remove(debug_handle);
        close(debug_fd);
        debug_fd = -1;
        debug_handle = -1;
    }
    for (int i = 0; i < MAX_DEPTH; i++)
        buf_free(&frames[i].enc);
    buf_free(&pend);
    vg_free(ops);
    ops = NULL;
    nops = ops_cap = 0;
    if (propagate_nsinks == 0) {
        vg_free(sinks);
        sinks = NULL;
        sinks_cap = 0;
    }
}
