/* aof_reader.c -- the AOF command format, one command at a time (see aof_reader.h).
 *
 * Owns: the reader's argv array. Each call parses from the start of the
 * window, so a command that spans windows is parsed again once its bytes
 * are all there; only headers are scanned twice, never bulk payloads. */
#include "aof_reader.h"

#include <limits.h>
#include <string.h>

#include "vg_alloc.h"

void aof_reader_init(aof_reader *r) {
    memset(r, 0, sizeof(*r));
}

void aof_reader_free(aof_reader *r) {
    vg_free(r->argv);
    memset(r, 0, sizeof(*r));
}

/* One line as fgets would return it: [*ls, *ls + *ll), the newline not
 * included. Returns false when the window holds no whole line and the file
 * goes on (or the line is longer than Redis reads at once: *too_long). At
 * the end of the file a last line without newline counts (*partial). */
typedef struct line {
    const char *s; /* first byte */
    size_t len;    /* without the newline */
    size_t next;   /* window position after the line */
    bool partial;  /* no newline: the file ends inside it */
} line;

static bool line_at(const char *p, size_t len, size_t pos, bool eof, line *out, bool *too_long) {
    size_t avail = len - pos;
    size_t scan = avail < AOF_READER_MAX_LINE - 1 ? avail : AOF_READER_MAX_LINE - 1;
    const char *nl = memchr(p + pos, '\n', scan);
    *too_long = false;
    if (nl != NULL) {
        *out = (line){p + pos, (size_t)(nl - (p + pos)), (size_t)(nl - p) + 1, false};
        return true;
    }
    if (scan == AOF_READER_MAX_LINE - 1) {
        *too_long = true;
        return false;
    }
    if (!eof || avail == 0) return false;
    *out = (line){p + pos, avail, len, true};
    return true;
}

/* atoi/strtol over a line: blanks, a sign, digits; no digits is 0.
 * false when the value does not fit in a long long. */
static bool line_number(const char *s, size_t n, long long *out) {
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    unsigned long long v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (unsigned long long)(s[i] - '0');
        if (v > (unsigned long long)LLONG_MAX) return false;
    }
    *out = neg ? -(long long)v : (long long)v;
    return true;
}

static aof_read_status bad(aof_reader *r, uint64_t off, const char *why) {
    r->err_off = off;
    r->why = why;
    return AOF_READ_BAD;
}

static void push_arg(aof_reader *r, const char *s, size_t n) {
    if (r->argc == r->argv_cap) {
        r->argv_cap = r->argv_cap ? r->argv_cap * 2 : 8;
        r->argv = vg_realloc(r->argv, (size_t)r->argv_cap * sizeof(vg_slice));
    }
    r->argv[r->argc++] = (vg_slice){(char *)s, n};
}

/* After the '*' line at cmd (window position): the arguments. */
static aof_read_status read_args(aof_reader *r, const char *p, size_t len, uint64_t off, bool eof,
                                 size_t pos, long long argc, size_t cmd, size_t *used) {
    r->argc = 0;
    r->err_off = off + cmd;
    for (long long j = 0; j < argc; j++) {
        line ln;
        bool too_long;
        if (!line_at(p, len, pos, eof, &ln, &too_long)) {
            if (too_long) return bad(r, off + pos, "argument length line too long");
            return eof ? AOF_READ_TRUNCATED : AOF_READ_MORE;
        }
        if (ln.len == 0 || ln.s[0] != '$') return bad(r, off + pos, "expected '$'");
        if (ln.partial) return AOF_READ_TRUNCATED;
        long long blen;
        if (!line_number(ln.s + 1, ln.len - 1, &blen) || blen < 0)
            return bad(r, off + pos, "invalid bulk length");
        pos = ln.next;
        if ((unsigned long long)blen + 2 > len - pos) {
            r->argc = 0;
            return eof ? AOF_READ_TRUNCATED : AOF_READ_MORE;
        }
        push_arg(r, p + pos, (size_t)blen);
        pos += (size_t)blen + 2; /* the CRLF after a bulk is skipped unchecked, as Redis does */
    }
    *used = pos;
    return AOF_READ_CMD;
}

aof_read_status aof_reader_next(aof_reader *r, const char *p, size_t len, uint64_t off, bool eof,
                                size_t *used) {
    size_t pos = 0;
    r->argc = 0;
    r->why = NULL;
    *used = 0;
    for (;;) {
        if (pos == len) {
            *used = pos;
            r->err_off = off + pos;
            return eof ? AOF_READ_END : AOF_READ_MORE;
        }
        if (p[pos] == '#') { /* an annotation: skip to its newline */
            const char *nl = memchr(p + pos, '\n', len - pos);
            if (nl == NULL && !eof) {
                *used = pos;
                r->err_off = off + pos;
                return AOF_READ_MORE;
            }
            pos = nl ? (size_t)(nl - p) + 1 : len;
            continue;
        }
        line ln;
        bool too_long;
        size_t cmd = pos;
        r->err_off = off + cmd;
        if (!line_at(p, len, pos, eof, &ln, &too_long)) {
            if (too_long) return bad(r, off + pos, "command header line too long");
            *used = pos;
            return AOF_READ_MORE;
        }
        if (ln.s[0] != '*') return bad(r, off + pos, "expected '*'");
        if (ln.partial && ln.len == 1) return AOF_READ_TRUNCATED;
        long long argc;
        if (!line_number(ln.s + 1, ln.len - 1, &argc) || argc < 1 || argc > INT_MAX)
            return bad(r, off + pos, "invalid argument count");
        if (ln.partial) return AOF_READ_TRUNCATED;
        aof_read_status st = read_args(r, p, len, off, eof, ln.next, argc, cmd, used);
        if (st == AOF_READ_MORE) *used = cmd;
        return st;
    }
}
