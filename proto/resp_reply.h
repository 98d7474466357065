/* resp_reply.h -- incremental parser of RESP2/RESP3 replies (client side).
 *
 * Owns: a resp_reader, the bytes fed to it and not yet parsed, and the
 * partial reply tree it is building. Callers feed bytes as they arrive and
 * pull whole replies, each a tree of resp_reply values they then own. Every
 * RESP2 and RESP3 type is understood; RESP3 attributes are parsed and
 * dropped, as Redis' own clients do. Streamed RESP3 aggregates ("*?") are
 * refused: Redis never sends them.
 *
 * Limits (bulk length, nesting depth, elements per aggregate) are checked
 * when a header arrives; memory grows only with bytes that really arrived,
 * so a lying length never causes a large allocation. The first error is
 * sticky: every later call answers RESP_REPLY_FAIL with the same message.
 *
 * Raw hand-off: resp_reader_pending/resp_reader_discard expose the bytes
 * not parsed yet, so an owner can take the stream over after a reply (a
 * replica reading an RDB payload) and hand the rest back later. No I/O. */
#ifndef VIGIL_PROTO_RESP_REPLY_H
#define VIGIL_PROTO_RESP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "vg_common.h"

enum resp_reply_type {
    RESP_REPLY_STATUS = 1, /* +OK: str */
    RESP_REPLY_ERROR,      /* -ERR ...: str (without '-') */
    RESP_REPLY_INTEGER,    /* :n: integer */
    RESP_REPLY_STRING,     /* $len: str (binary safe) */
    RESP_REPLY_NIL,        /* $-1, *-1 and RESP3 _ */
    RESP_REPLY_ARRAY,      /* *n: elem */
    RESP_REPLY_MAP,        /* %n: elem holds 2n values, key, value, ... */
    RESP_REPLY_SET,        /* ~n: elem */
    RESP_REPLY_PUSH,       /* >n: elem (out-of-band: pub/sub, invalidation) */
    RESP_REPLY_DOUBLE,     /* ,d: dval, and str keeps the text */
    RESP_REPLY_BOOL,       /* #t / #f: integer is 1 / 0 */
    RESP_REPLY_BIGNUM,     /* (digits: str */
    RESP_REPLY_VERBATIM,   /* =len\r\ntxt:...: str is the text after "txt:", vtype "txt" */
};

typedef struct resp_reply {
    int type;          /* enum resp_reply_type */
    long long integer; /* INTEGER, BOOL */
    double dval;       /* DOUBLE */
    char *str;         /* owned, NUL-terminated: STATUS ERROR STRING DOUBLE BIGNUM VERBATIM */
    size_t len;        /* bytes at str */
    char vtype[4];     /* VERBATIM: the 3-letter format, NUL-terminated */
    struct resp_reply **elem; /* owned: aggregates' children */
    size_t elements;          /* count in elem (MAP: twice the pairs) */
} resp_reply;

enum resp_reader_status {
    RESP_REPLY_AGAIN = 0, /* need more bytes */
    RESP_REPLY_DONE = 1,  /* one whole reply in *out */
    RESP_REPLY_FAIL = -1, /* protocol error or limit: resp_reader_error says which */
};

/* Set by the owner before parsing; zero means "no limit" only for newlines. */
typedef struct resp_reader_limits {
    long long max_bulk;     /* longest bulk / verbatim / simple line accepted */
    int max_depth;          /* aggregates nested deeper than this are refused (>= 1) */
    long long max_elements; /* most children in one aggregate (a map counts pairs) */
    bool skip_newlines;     /* drop bare "\n" / "\r\n" between replies (primary keepalives) */
} resp_reader_limits;

/* Limits fit for a replica or sentinel link: 512 MB bulks, depth 16, 1M elements. */
resp_reader_limits resp_reader_default_limits(void);

#define RESP_READER_MAX_DEPTH 64 /* hard ceiling on max_depth */

typedef struct resp_reader_frame {
    resp_reply *agg; /* owned until attached to its parent; NULL for an attribute */
    long long want;  /* children still to read */
} resp_reader_frame;

typedef struct resp_reader {
    resp_reader_limits lim;                         /* set at init */
    buf in;                                         /* owned: bytes fed, from pos on unparsed */
    size_t pos;                                     /* parse position in in */
    resp_reader_frame stack[RESP_READER_MAX_DEPTH]; /* open aggregates, bottom first */
    int depth;                                      /* frames in use */
    int attr_depth;                                 /* of those, attributes being skipped */
    size_t scan_at;                                 /* pos whose line scan_done describes */
    size_t scan_done;                               /* bytes after it known to hold no '\r' */
    bool failed;                                    /* sticky */
    char err[128];                                  /* why, when failed */
} resp_reader;

/* lim is copied; max_depth is clamped to RESP_READER_MAX_DEPTH. */
void resp_reader_init(resp_reader *r, const resp_reader_limits *lim);
void resp_reader_free(resp_reader *r);
/* Copy n bytes in behind what is buffered. */
void resp_reader_feed(resp_reader *r, const char *p, size_t n);
/* Parse the next reply. DONE: *out is new (free with resp_reply_free). */
int resp_reader_next(resp_reader *r, resp_reply **out);
/* The error text of a failed reader ("" before any error). */
const char *resp_reader_error(const resp_reader *r);

/* Bytes fed but not parsed yet, borrowed until the next feed/next/discard.
 * Only meaningful between replies (no aggregate open). */
size_t resp_reader_pending(const resp_reader *r, const char **p);
/* Drop the first n pending bytes (taken over raw by the owner). */
void resp_reader_discard(resp_reader *r, size_t n);
/* An aggregate is half read (the raw hand-off must wait for it). */
bool resp_reader_in_reply(const resp_reader *r);

/* Free a reply tree. NULL is a no-op. */
void resp_reply_free(resp_reply *r);
/* A STRING/STATUS/VERBATIM reply equals the C string s (case-sensitive). */
bool resp_reply_str_is(const resp_reply *r, const char *s);
/* A map's value for a string key, or NULL. Borrowed from m. */
const resp_reply *resp_reply_map_get(const resp_reply *m, const char *key);

/* ------------------------------------------------------------ full-sync payload */

#define RESP_EOF_MARK_LEN 40 /* Redis' CONFIG_RUN_ID_SIZE: the diskless delimiter */

typedef struct resp_payload_header {
    bool eof_mark;                /* diskless: the payload ends with mark, length unknown */
    long long len;                /* payload bytes that follow, when !eof_mark */
    char mark[RESP_EOF_MARK_LEN]; /* the delimiter, when eof_mark */
} resp_payload_header;

/* The header a primary sends in front of a full-sync payload, read from
 * p[0..n) (borrowed): keepalive newlines ("\n" or "\r\n") first, then
 * "$<len>\r\n" or "$EOF:<40 bytes>\r\n", as Redis' replica reads it.
 * DONE: *out set; *consumed covers newlines and header. AGAIN: the header is
 * not all there; *consumed counts keepalive bytes the caller may drop. FAIL:
 * err->msg says why (the primary's own "-ERR ..." line included); a length
 * above max_len is refused before anything is allocated. */
int resp_payload_header_parse(const char *p, size_t n, long long max_len, resp_payload_header *out,
                              size_t *consumed, vg_error *err);

#endif
