/* resp_reply.c -- incremental parser of RESP2/RESP3 replies (client side).
 *
 * Owns: the reader's input buffer and the open aggregates on its stack.
 * Each call parses whole items from pos: a leaf (line, bulk) is taken only
 * once all its bytes are there, an aggregate header pushes a frame, and a
 * finished value climbs the stack until it fills a parent or is the reply.
 * Nothing points into the input buffer, so it may be compacted at any time.
 *
 *   item at pos --leaf complete--> attach to top frame (or return it)
 *        |                                  |
 *        +--aggregate header--> push frame  +--frame full--> pop, attach upward
 *        +--attribute header--> push frame whose children are dropped
 *
 *   transition              function
 *   read a type byte        parse_item -> parse_line_item / parse_bulk / parse_agg
 *   value complete          climb
 *   any error               fail (sticky) */
#include "resp_reply.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg_alloc.h"

#define NUMBER_LINE_MAX 256 /* longest header, integer, double, bool or null line */

resp_reader_limits resp_reader_default_limits(void) {
    resp_reader_limits l = {
        .max_bulk = 512LL * 1024 * 1024, .max_depth = 16, .max_elements = 1024 * 1024};
    return l;
}

static void scan_forget(resp_reader *r) {
    r->scan_done = 0;
}

void resp_reader_init(resp_reader *r, const resp_reader_limits *lim) {
    memset(r, 0, sizeof(*r));
    r->lim = *lim;
    if (r->lim.max_depth > RESP_READER_MAX_DEPTH) r->lim.max_depth = RESP_READER_MAX_DEPTH;
    if (r->lim.max_depth < 1) r->lim.max_depth = 1;
    buf_init(&r->in);
}

static void drop_stack(resp_reader *r) {
    for (int i = 0; i < r->depth; i++)
        resp_reply_free(r->stack[i].agg);
    r->depth = 0;
    r->attr_depth = 0;
}

void resp_reader_free(resp_reader *r) {
    drop_stack(r);
    buf_free(&r->in);
    r->pos = 0;
}

static int fail(resp_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(resp_reader *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof(r->err), fmt, ap);
    va_end(ap);
    r->failed = true;
    drop_stack(r);
    return RESP_REPLY_FAIL;
}

const char *resp_reader_error(const resp_reader *r) {
    return r->err;
}

void resp_reader_feed(resp_reader *r, const char *p, size_t n) {
    if (r->failed || n == 0) return;
    if (r->pos > 0 && (r->pos == r->in.len || r->pos >= 4096)) {
        buf_consume(&r->in, r->pos);
        r->pos = 0;
        scan_forget(r);
    }
    buf_append(&r->in, p, n);
}

size_t resp_reader_pending(const resp_reader *r, const char **p) {
    *p = r->in.data ? r->in.data + r->pos : "";
    return r->in.len - r->pos;
}

void resp_reader_discard(resp_reader *r, size_t n) {
    size_t have = r->in.len - r->pos;
    r->pos += n < have ? n : have;
    scan_forget(r);
    if (r->pos == r->in.len) {
        buf_clear(&r->in);
        r->pos = 0;
    }
}

bool resp_reader_in_reply(const resp_reader *r) {
    return r->depth > 0;
}

/* ------------------------------------------------------------ values */

static resp_reply *reply_new(int type) {
    resp_reply *v = vg_calloc(sizeof(*v));
    v->type = type;
    return v;
}

static resp_reply *reply_str(int type, const char *p, size_t n) {
    resp_reply *v = reply_new(type);
    v->str = vg_malloc(n + 1);
    memcpy(v->str, p, n);
    v->str[n] = '\0';
    v->len = n;
    return v;
}

void resp_reply_free(resp_reply *r) {
    if (r == NULL) return;
    for (size_t i = 0; i < r->elements; i++)
        resp_reply_free(r->elem[i]);
    vg_free(r->elem);
    vg_free(r->str);
    vg_free(r);
}

bool resp_reply_str_is(const resp_reply *r, const char *s) {
    if (r == NULL || r->str == NULL) return false;
    if (r->type != RESP_REPLY_STRING && r->type != RESP_REPLY_STATUS &&
        r->type != RESP_REPLY_VERBATIM)
        return false;
    size_t n = strlen(s);
    return r->len == n && memcmp(r->str, s, n) == 0;
}

const resp_reply *resp_reply_map_get(const resp_reply *m, const char *key) {
    if (m == NULL || m->type != RESP_REPLY_MAP) return NULL;
    for (size_t i = 0; i + 1 < m->elements; i += 2)
        if (resp_reply_str_is(m->elem[i], key)) return m->elem[i + 1];
    return NULL;
}

/* ------------------------------------------------------------ lines */

/* Find the CRLF ending the line that starts at from. 1: *eol is the '\r'.
 * 0: not all there yet. -1: failed (limit or a lone '\r'). */
/* A line arriving in many small reads is scanned once: scan_done remembers
 * how far the last call looked, so a long line costs linear time. */
static int find_line(resp_reader *r, size_t from, long long max, size_t *eol) {
    const char *base = r->in.data + from;
    size_t avail = r->in.len - from;
    size_t skip = (r->scan_at == r->pos && r->scan_done <= avail) ? r->scan_done : 0;
    const char *cr = memchr(base + skip, '\r', avail - skip);
    size_t upto = cr ? (size_t)(cr - base) : avail;
    if ((long long)upto > max) {
        fail(r, "Protocol error: line longer than %lld bytes", max);
        return -1;
    }
    if (cr == NULL || upto + 1 >= avail) {
        r->scan_at = r->pos;
        r->scan_done = upto; /* a '\r' at the very end is looked at again */
        return 0;
    }
    scan_forget(r);
    if (cr[1] != '\n') {
        fail(r, "Protocol error: expected '\\n' after '\\r'");
        return -1;
    }
    *eol = from + upto;
    return 1;
}

static bool parse_ll(const char *p, size_t n, long long *out) {
    return vg_str2ll(p, n, out);
}

static bool parse_double(const char *p, size_t n, double *out) {
    char tmp[NUMBER_LINE_MAX + 1];
    if (n == 0 || n > NUMBER_LINE_MAX) return false;
    if (p[0] == ' ' || p[0] == '\t' || p[0] == '\n' || p[0] == '\v' || p[0] == '\f') return false;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    char *end = NULL;
    double d = strtod(tmp, &end);
    if (end != tmp + n) return false;
    *out = d;
    return true;
}

static bool is_bignum(const char *p, size_t n) {
    size_t i = (n > 0 && p[0] == '-') ? 1 : 0;
    if (i == n) return false;
    for (; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

/* A one-line leaf: p[0..n) is the text after the type byte. */
static int line_value(resp_reader *r, char t, const char *p, size_t n, resp_reply **out) {
    resp_reply *v = NULL;
    long long ll;
    double d;
    switch (t) {
    case '+':
        v = reply_str(RESP_REPLY_STATUS, p, n);
        break;
    case '-':
        v = reply_str(RESP_REPLY_ERROR, p, n);
        break;
    case '(':
        if (!is_bignum(p, n)) return fail(r, "Protocol error: bad big number");
        v = reply_str(RESP_REPLY_BIGNUM, p, n);
        break;
    case ':':
        if (!parse_ll(p, n, &ll)) return fail(r, "Protocol error: bad integer value");
        v = reply_new(RESP_REPLY_INTEGER);
        v->integer = ll;
        break;
    case ',':
        if (!parse_double(p, n, &d)) return fail(r, "Protocol error: bad double value");
        v = reply_str(RESP_REPLY_DOUBLE, p, n);
        v->dval = d;
        break;
    case '#':
        if (n != 1 || (p[0] != 't' && p[0] != 'f'))
            return fail(r, "Protocol error: bad boolean value");
        v = reply_new(RESP_REPLY_BOOL);
        v->integer = p[0] == 't';
        break;
    default: /* '_' */
        if (n != 0) return fail(r, "Protocol error: bad null");
        v = reply_new(RESP_REPLY_NIL);
        break;
    }
    *out = v;
    return RESP_REPLY_DONE;
}

static int parse_line_item(resp_reader *r, char t, resp_reply **out) {
    bool text = t == '+' || t == '-' || t == '(';
    size_t eol;
    int f = find_line(r, r->pos + 1, text ? r->lim.max_bulk : NUMBER_LINE_MAX, &eol);
    if (f <= 0) return f < 0 ? RESP_REPLY_FAIL : RESP_REPLY_AGAIN;
    const char *p = r->in.data + r->pos + 1;
    int rc = line_value(r, t, p, eol - r->pos - 1, out);
    if (rc == RESP_REPLY_DONE) r->pos = eol + 2;
    return rc;
}

/* ------------------------------------------------------------ bulks */

/* Read a header line "<t><number>\r\n". 1: *n and *next set; 0: wait; -1: failed. */
static int header_number(resp_reader *r, long long *n, size_t *next, bool *streamed) {
    size_t eol;
    int f = find_line(r, r->pos + 1, NUMBER_LINE_MAX, &eol);
    if (f <= 0) return f;
    const char *p = r->in.data + r->pos + 1;
    size_t len = eol - r->pos - 1;
    *streamed = len == 1 && p[0] == '?';
    if (!*streamed && !parse_ll(p, len, n)) {
        fail(r, "Protocol error: bad %s length", r->in.data[r->pos] == '$' ? "bulk" : "aggregate");
        return -1;
    }
    *next = eol + 2;
    return 1;
}

static int verbatim_value(resp_reader *r, const char *p, size_t n, resp_reply **out) {
    if (n < 4 || p[3] != ':') return fail(r, "Protocol error: bad verbatim string");
    resp_reply *v = reply_str(RESP_REPLY_VERBATIM, p + 4, n - 4);
    memcpy(v->vtype, p, 3);
    v->vtype[3] = '\0';
    *out = v;
    return RESP_REPLY_DONE;
}

static int parse_bulk(resp_reader *r, char t, resp_reply **out) {
    long long n = 0;
    size_t body = 0;
    bool streamed = false;
    int h = header_number(r, &n, &body, &streamed);
    if (h <= 0) return h < 0 ? RESP_REPLY_FAIL : RESP_REPLY_AGAIN;
    if (streamed) return fail(r, "Protocol error: streamed strings are not supported");
    if (t == '$' && n == -1) {
        *out = reply_new(RESP_REPLY_NIL);
        r->pos = body;
        return RESP_REPLY_DONE;
    }
    if (n < 0) return fail(r, "Protocol error: bad bulk length");
    if (n > r->lim.max_bulk)
        return fail(r, "Protocol error: bulk length %lld above the limit of %lld", n,
                    r->lim.max_bulk);
    if (r->in.len - body < (size_t)n + 2) return RESP_REPLY_AGAIN;
    const char *p = r->in.data + body;
    if (p[n] != '\r' || p[n + 1] != '\n') return fail(r, "Protocol error: missing CRLF after bulk");
    int rc = RESP_REPLY_DONE;
    if (t == '=')
        rc = verbatim_value(r, p, (size_t)n, out);
    else
        *out = reply_str(RESP_REPLY_STRING, p, (size_t)n);
    if (rc == RESP_REPLY_DONE) r->pos = body + (size_t)n + 2;
    return rc;
}

/* ------------------------------------------------------------ aggregates */

static int agg_type(char t) {
    switch (t) {
    case '*':
        return RESP_REPLY_ARRAY;
    case '%':
        return RESP_REPLY_MAP;
    case '~':
        return RESP_REPLY_SET;
    case '>':
        return RESP_REPLY_PUSH;
    default:
        return 0; /* '|': attribute */
    }
}

/* An aggregate header: push a frame, or return an empty (or nil) value. An
 * empty attribute yields nothing: *out stays NULL. */
static int parse_agg(resp_reader *r, char t, resp_reply **out) {
    long long n = 0;
    size_t next = 0;
    bool streamed = false;
    int h = header_number(r, &n, &next, &streamed);
    if (h <= 0) return h < 0 ? RESP_REPLY_FAIL : RESP_REPLY_AGAIN;
    if (streamed) return fail(r, "Protocol error: streamed aggregates are not supported");
    if (t == '*' && n == -1) {
        *out = reply_new(RESP_REPLY_NIL);
        r->pos = next;
        return RESP_REPLY_DONE;
    }
    if (n < 0) return fail(r, "Protocol error: bad aggregate length");
    if (n > r->lim.max_elements)
        return fail(r, "Protocol error: %lld elements above the limit of %lld", n,
                    r->lim.max_elements);
    int type = agg_type(t);
    r->pos = next;
    if (n == 0) {
        if (type) *out = reply_new(type);
        return RESP_REPLY_DONE;
    }
    if (r->depth >= r->lim.max_depth)
        return fail(r, "Protocol error: nesting deeper than %d", r->lim.max_depth);
    resp_reader_frame *f = &r->stack[r->depth++];
    f->agg = type ? reply_new(type) : NULL;
    f->want = (t == '%' || t == '|') ? 2 * n : n;
    if (!type) r->attr_depth++;
    return RESP_REPLY_DONE;
}

static int parse_item(resp_reader *r, resp_reply **out) {
    char t = r->in.data[r->pos];
    switch (t) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '#':
    case '_':
    case '(':
        return parse_line_item(r, t, out);
    case '$':
    case '=':
        return parse_bulk(r, t, out);
    case '*':
    case '%':
    case '~':
    case '>':
    case '|':
        return parse_agg(r, t, out);
    default: {
        unsigned char c = (unsigned char)t;
        if (c >= 0x20 && c < 0x7f)
            return fail(r, "Protocol error: unexpected reply type byte '%c'", t);
        return fail(r, "Protocol error: unexpected reply type byte \\x%02x", c);
    }
    }
}

static void frame_append(resp_reader_frame *f, resp_reply *v) {
    resp_reply *a = f->agg;
    /* Grow by doubling, never from the header's count: a lying count costs
     * nothing until its elements really arrive. */
    size_t n = a->elements;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t cap = n ? n * 2 : 4;
        a->elem = vg_realloc(a->elem, cap * sizeof(*a->elem));
    }
    a->elem[a->elements++] = v;
}

/* Attach a finished value upward. Returns the whole reply once the stack is
 * empty, else NULL (more children needed, or an attribute ended). */
static resp_reply *climb(resp_reader *r, resp_reply *v) {
    while (r->depth > 0) {
        resp_reader_frame *f = &r->stack[r->depth - 1];
        if (f->agg)
            frame_append(f, v);
        else
            resp_reply_free(v); /* an attribute's content is dropped */
        if (--f->want > 0) return NULL;
        r->depth--;
        if (f->agg == NULL) {
            r->attr_depth--;
            return NULL; /* the value the attribute described comes next */
        }
        v = f->agg;
        f->agg = NULL;
    }
    return v;
}

static void skip_newlines(resp_reader *r) {
    size_t start = r->pos;
    while (r->pos < r->in.len) {
        char c = r->in.data[r->pos];
        if (c == '\n') {
            r->pos++;
        } else if (c == '\r' && r->pos + 1 < r->in.len && r->in.data[r->pos + 1] == '\n') {
            r->pos += 2;
        } else {
            break;
        }
    }
    if (r->pos != start) scan_forget(r);
}

int resp_reader_next(resp_reader *r, resp_reply **out) {
    if (r->failed) return RESP_REPLY_FAIL;
    for (;;) {
        if (r->depth == 0 && r->lim.skip_newlines) skip_newlines(r);
        if (r->pos >= r->in.len) return RESP_REPLY_AGAIN;
        if (r->depth == 0 && r->lim.skip_newlines && r->pos + 1 == r->in.len &&
            r->in.data[r->pos] == '\r')
            return RESP_REPLY_AGAIN; /* maybe the first half of a keepalive "\r\n" */
        resp_reply *v = NULL;
        int rc = parse_item(r, &v);
        if (rc != RESP_REPLY_DONE) return rc;
        if (v == NULL) continue; /* a frame was pushed or an empty attribute ended */
        resp_reply *whole = climb(r, v);
        if (whole) {
            *out = whole;
            return RESP_REPLY_DONE;
        }
    }
}

/* ------------------------------------------------------------ full-sync payload */

#define PAYLOAD_LINE_MAX 128 /* "$EOF:" + 40 bytes, or a length, with room to spare */

/* One header line (without its "\n" and a trailing "\r") in p[0..len). */
static int payload_line(const char *p, size_t len, long long max_len, resp_payload_header *out,
                        vg_error *err) {
    if (p[0] == '-') {
        vg_error_set(err, "primary aborted replication: %.*s", (int)(len - 1), p + 1);
        return RESP_REPLY_FAIL;
    }
    if (p[0] != '$') {
        vg_error_set(err, "Protocol error: expected '$' before the payload, got '%.*s'",
                     (int)(len > 32 ? 32 : len), p);
        return RESP_REPLY_FAIL;
    }
    memset(out, 0, sizeof(*out));
    if (len >= 5 + RESP_EOF_MARK_LEN && memcmp(p + 1, "EOF:", 4) == 0) {
        out->eof_mark = true;
        memcpy(out->mark, p + 5, RESP_EOF_MARK_LEN);
        return RESP_REPLY_DONE;
    }
    long long n = 0;
    if (!vg_str2ll(p + 1, len - 1, &n) || n < 0) {
        vg_error_set(err, "Protocol error: bad payload length");
        return RESP_REPLY_FAIL;
    }
    if (n > max_len) {
        vg_error_set(err, "Protocol error: payload length %lld above the limit of %lld", n,
                     max_len);
        return RESP_REPLY_FAIL;
    }
    out->len = n;
    return RESP_REPLY_DONE;
}

int resp_payload_header_parse(const char *p, size_t n, long long max_len, resp_payload_header *out,
                              size_t *consumed, vg_error *err) {
    size_t i = 0;
    *consumed = 0;
    for (;;) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - p) : n;
        if (end - i > PAYLOAD_LINE_MAX) {
            vg_error_set(err, "Protocol error: payload header longer than %d bytes",
                         PAYLOAD_LINE_MAX);
            return RESP_REPLY_FAIL;
        }
        if (nl == NULL) return RESP_REPLY_AGAIN;
        size_t len = end - i;
        if (len > 0 && p[end - 1] == '\r') len--;
        if (len > 0) {
            int rc = payload_line(p + i, len, max_len, out, err);
            if (rc == RESP_REPLY_DONE) *consumed = end + 1;
            return rc;
        }
        i = end + 1; /* a keepalive */
        *consumed = i;
    }
}
