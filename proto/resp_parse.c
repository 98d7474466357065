/* resp_parse.c -- incremental RESP request parser (server side).
 *
 * Owns: the parser's argument span array. The region of bytes belongs to the
 * caller; we remember how far we got (pos) so a big bulk arriving in many
 * reads is scanned once. Limits are checked when a length header arrives,
 * before the caller allocates room for the payload. */
#include "resp_parse.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "vg_alloc.h"

void resp_req_init(resp_req_parser *p, long long max_bulk) {
    memset(p, 0, sizeof(*p));
    p->max_bulk = max_bulk;
    p->bulklen = -1;
}

void resp_req_free(resp_req_parser *p) {
    vg_free(p->args);
    p->args = NULL;
    p->argcap = 0;
}

void resp_req_reset(resp_req_parser *p) {
    p->pos = 0;
    p->mode = 0;
    p->remaining = 0;
    p->bulklen = -1;
    p->argc = 0;
}

static int fail(resp_req_parser *p, const char *msg, char ch) {
    p->failed = true;
    if (ch)
        snprintf(p->err, sizeof(p->err), "Protocol error: %s'%c'", msg, ch);
    else
        snprintf(p->err, sizeof(p->err), "Protocol error: %s", msg);
    return RESP_FAIL;
}

static void push_arg(resp_req_parser *p, size_t off, size_t len) {
    if (p->argc == p->argcap) {
        int ncap = p->argcap ? p->argcap * 2 : 8;
        p->args = vg_realloc(p->args, (size_t)ncap * sizeof(*p->args));
        p->argcap = ncap;
    }
    p->args[p->argc].off = off;
    p->args[p->argc].len = len;
    p->argc++;
}

/* The first `want` in s[0..n), as Redis finds it with strchr() on its NUL
 * terminated query buffer: a NUL before it hides it, so Redis (and we) keep
 * waiting for a line end until the buffer passes RESP_INLINE_MAX. */
static const char *find_line_end(const char *s, size_t n, char want) {
    /* A header ("$16\r") is a few bytes: one pass testing both bytes beats
     * two memchr calls there; a long inline line still gets memchr. */
    size_t short_scan = n < 32 ? n : 32;
    for (size_t i = 0; i < short_scan; i++) {
        if (s[i] == want) return s + i;
        if (s[i] == '\0') return NULL;
    }
    if (short_scan == n) return NULL;
    s += short_scan;
    n -= short_scan;
    const char *w = memchr(s, want, n);
    size_t before = w ? (size_t)(w - s) : n;
    if (before && memchr(s, '\0', before)) return NULL;
    return w;
}

/* Find a "\r" terminated header starting at p->pos. Returns its end (index of
 * '\r') or -1 when more bytes are needed; -2 when the line is over the limit. */
static long header_end(const char *data, size_t len, size_t pos) {
    const char *cr = find_line_end(data + pos, len - pos, '\r');
    if (cr == NULL) return len - pos > RESP_INLINE_MAX ? -2 : -1;
    if ((size_t)(cr - data) + 1 >= len) /* need the '\n' too */
        return -1;
    return (long)(cr - data);
}

/* The common header at pos: its type byte, 1 to 9 digits without a
 * leading zero (or a lone "0"), CR, and one more byte. True: *e is the
 * CR's index and *n the count, found in one pass over the few bytes.
 * False for anything else (a sign, more digits, a NUL, the LF not read
 * yet), which takes the general path, header_end and vg_str2ll, and gets
 * its exact answer there; both agree wherever this says true. */
static bool short_header(const char *data, size_t len, size_t pos, long *e, long long *n) {
    size_t i = pos + 1, stop = pos + 11 < len ? pos + 11 : len;
    long long v = 0;
    for (; i < stop && data[i] >= '0' && data[i] <= '9'; i++)
        v = v * 10 + (data[i] - '0');
    size_t digits = i - pos - 1;
    if (digits == 0 || digits > 9 || i + 1 >= len || data[i] != '\r') return false;
    if (digits > 1 && data[pos + 1] == '0') return false;
    *e = (long)i;
    *n = v;
    return true;
}

static int parse_multibulk(resp_req_parser *p, char *data, size_t len, size_t *consumed) {
    if (p->remaining == 0 && p->argc == 0) {
        long e;
        long long n;
        if (!short_header(data, len, p->pos, &e, &n)) {
            e = header_end(data, len, p->pos);
            if (e == -2) return fail(p, "too big mbulk count string", 0);
            if (e < 0) return RESP_AGAIN;
            if (!vg_str2ll(data + p->pos + 1, (size_t)e - p->pos - 1, &n))
                return fail(p, "invalid multibulk length", 0);
        }
        if (n > RESP_MAX_MULTIBULK) return fail(p, "invalid multibulk length", 0);
        if (p->strict && n > RESP_UNAUTH_MAX_MULTIBULK)
            return fail(p, "unauthenticated multibulk length", 0);
        p->pos = (size_t)e + 2;
        if (n <= 0) {
            *consumed = p->pos;
            return RESP_DONE;
        }
        p->remaining = n;
    }
    while (p->remaining > 0) {
        if (p->bulklen < 0) {
            if (p->pos >= len) return RESP_AGAIN;
            long e;
            long long n;
            if (data[p->pos] != '$' || !short_header(data, len, p->pos, &e, &n)) {
                e = header_end(data, len, p->pos);
                if (e == -2) return fail(p, "too big bulk count string", 0);
                if (e < 0) return RESP_AGAIN;
                if (data[p->pos] != '$') return fail(p, "expected '$', got ", data[p->pos]);
                if (!vg_str2ll(data + p->pos + 1, (size_t)e - p->pos - 1, &n))
                    return fail(p, "invalid bulk length", 0);
            }
            if (n < 0 || n > p->max_bulk) return fail(p, "invalid bulk length", 0);
            if (p->strict && n > RESP_UNAUTH_MAX_BULK)
                return fail(p, "unauthenticated bulk length", 0);
            p->pos = (size_t)e + 2;
            p->bulklen = n;
        }
        if (len - p->pos < (size_t)p->bulklen + 2) return RESP_AGAIN;
        push_arg(p, p->pos, (size_t)p->bulklen);
        p->pos += (size_t)p->bulklen + 2;
        p->bulklen = -1;
        p->remaining--;
    }
    *consumed = p->pos;
    return RESP_DONE;
}

static int is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

/* Ends an unquoted token (sdssplitargs' terminators). */
static int is_blank(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0';
}

/* Skipped between tokens and allowed after a closing quote: isspace(), as
 * sdssplitargs uses there, so "\v" and "\f" separate tokens too. */
static int is_space(char c) {
    return is_blank(c) || c == '\v' || c == '\f';
}

/* One token from line[i..len) written in place at its own start. Returns the
 * index after it, or -1 for unbalanced quotes. */
static long split_one(char *line, size_t len, size_t i, size_t *tok_len) {
    size_t w = i;
    int inq = 0, insq = 0;
    while (i < len) {
        char c = line[i];
        if (inq) {
            if (c == '\\' && i + 3 < len && line[i + 1] == 'x' && is_hex(line[i + 2]) &&
                is_hex(line[i + 3])) {
                line[w++] = (char)(hex_val(line[i + 2]) * 16 + hex_val(line[i + 3]));
                i += 4;
                continue;
            }
            if (c == '\\' && i + 1 < len) {
                char e = line[i + 1];
                line[w++] = e == 'n'   ? '\n'
                            : e == 'r' ? '\r'
                            : e == 't' ? '\t'
                            : e == 'b' ? '\b'
                            : e == 'a' ? '\a'
                                       : e;
                i += 2;
                continue;
            }
            if (c == '"') {
                /* closing quote must be followed by a space or the end */
                if (i + 1 < len && !is_space(line[i + 1])) return -1;
                inq = 0;
                i++;
                break;
            }
            line[w++] = c;
            i++;
        } else if (insq) {
            if (c == '\\' && i + 1 < len && line[i + 1] == '\'') {
                line[w++] = '\'';
                i += 2;
                continue;
            }
            if (c == '\'') {
                if (i + 1 < len && !is_space(line[i + 1])) return -1;
                insq = 0;
                i++;
                break;
            }
            line[w++] = c;
            i++;
        } else {
            if (is_blank(c)) break;
            if (c == '"') {
                inq = 1;
                i++;
                continue;
            }
            if (c == '\'') {
                insq = 1;
                i++;
                continue;
            }
            line[w++] = c;
            i++;
        }
    }
    if (inq || insq) return -1;
    *tok_len = w;
    return (long)i;
}

int resp_split_args(char *line, size_t len, resp_span **spans, int *cap) {
    int n = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && is_space(line[i]))
            i++;
        if (i >= len) return n;
        size_t start = i, end;
        long next = split_one(line, len, i, &end);
        if (next < 0) return -1;
        if (n == *cap) {
            int ncap = *cap ? *cap * 2 : 8;
            *spans = vg_realloc(*spans, (size_t)ncap * sizeof(**spans));
            *cap = ncap;
        }
        (*spans)[n].off = start;
        (*spans)[n].len = end - start;
        n++;
        i = (size_t)next;
    }
}

static int parse_inline(resp_req_parser *p, char *data, size_t len, size_t *consumed) {
    char *nl = (char *)find_line_end(data, len, '\n');
    if (nl == NULL) {
        if (len > RESP_INLINE_MAX) return fail(p, "too big inline request", 0);
        return RESP_AGAIN;
    }
    size_t line_len = (size_t)(nl - data);
    if (line_len > 0 && data[line_len - 1] == '\r') line_len--;
    int n = resp_split_args(data, line_len, &p->args, &p->argcap);
    if (n < 0) return fail(p, "unbalanced quotes in request", 0);
    p->argc = n;
    *consumed = (size_t)(nl - data) + 1;
    return RESP_DONE;
}

int resp_req_parse(resp_req_parser *p, char *data, size_t len, size_t *consumed) {
    if (p->failed) return RESP_FAIL;
    if (len == 0) return RESP_AGAIN;
    if (p->mode == 0) p->mode = data[0] == '*' ? 1 : 2;
    return p->mode == 1 ? parse_multibulk(p, data, len, consumed)
                        : parse_inline(p, data, len, consumed);
}

size_t resp_req_wanted(const resp_req_parser *p, size_t have) {
    if (p->mode != 1 || p->bulklen < 0) return 0;
    size_t need = p->pos + (size_t)p->bulklen + 2;
    return need > have ? need - have : 0;
}
