/* resp_parse.h -- incremental RESP request parser (server side).
 *
 * Owns: a resp_req_parser and the partial command inside it. The caller keeps
 * the bytes; the parser only remembers offsets into them. Feed it the same
 * unconsumed region (which may have grown) until it answers RESP_DONE or
 * RESP_FAIL. Multibulk ("*N\r\n$L\r\n...") and inline ("SET a b\r\n")
 * requests are both understood. Errors are sticky and worded as Redis words
 * them ("Protocol error: ..."). No I/O. */
#ifndef VIGIL_PROTO_RESP_PARSE_H
#define VIGIL_PROTO_RESP_PARSE_H

#include <stddef.h>
#include <stdbool.h>

#include "vg_common.h"

#define RESP_INLINE_MAX (64 * 1024) /* Redis' PROTO_INLINE_MAX_SIZE */
#define RESP_MAX_MULTIBULK 2147483647LL
#define RESP_UNAUTH_MAX_MULTIBULK 10
#define RESP_UNAUTH_MAX_BULK 16384

enum resp_status {
    RESP_AGAIN = 0, /* need more bytes */
    RESP_DONE = 1,  /* one whole command (maybe with zero args: skip it) */
    RESP_FAIL = -1, /* protocol error: see err; close the connection after replying */
};

typedef struct resp_span {
    size_t off; /* offset of the argument in the region given to the parser */
    size_t len; /* its length */
} resp_span;

typedef struct resp_req_parser {
    /* limits, set by the owner */
    long long max_bulk; /* proto-max-bulk-len */
    bool strict;        /* unauthenticated client: Redis' tighter limits */
    /* progress */
    size_t pos;          /* scan position in the region */
    int mode;            /* 0 unknown, 1 multibulk, 2 inline */
    long long remaining; /* multibulk args still to read */
    long long bulklen;   /* -1 while waiting for a "$len" line */
    /* result */
    resp_span *args; /* owned */
    int argc;
    int argcap;
    /* sticky error */
    bool failed;
    char err[128];
} resp_req_parser;

void resp_req_init(resp_req_parser *p, long long max_bulk);
void resp_req_free(resp_req_parser *p);
/* Forget the current command (after RESP_DONE and the caller consumed it). */
void resp_req_reset(resp_req_parser *p);
/* Parse from data[0..len). On RESP_DONE, *consumed is the command's size and
 * p->args/p->argc describe its arguments (offsets into data). Inline
 * requests are unquoted in place, so data is written to. */
int resp_req_parse(resp_req_parser *p, char *data, size_t len, size_t *consumed);
/* Bytes the parser knows it still needs before it can progress (a hint for
 * read sizing of big bulks); 0 when unknown. */
size_t resp_req_wanted(const resp_req_parser *p, size_t have);

/* Split a line as redis-cli and Redis' inline protocol do (quotes, \x escapes).
 * Writes unquoted tokens in place; fills up to maxargs spans. Returns the
 * number of tokens, or -1 for unbalanced quotes. Spans are offsets in line.
 * When there are more than maxargs tokens, *more is set and the count stops. */
int resp_split_args(char *line, size_t len, resp_span **spans, int *cap);

#endif
