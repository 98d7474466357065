/* fuzz_resp_reply.c -- libFuzzer target for the RESP reply parser.
 *
 * Owns: the readers it runs and the replies they return. The first input
 * byte picks the options (a small max_bulk, a small depth, a small element
 * limit, keepalive newlines, the chunk size); the rest is the byte stream
 * from a server. The stream is parsed twice, in one piece and in chunks as
 * reads would deliver it. Both runs must yield the same replies (compared by
 * a hash of each tree) and the same final error; every tree must respect the
 * limits; a failed reader must stay failed. The same bytes also go to the
 * full-sync payload header reader, which must never claim more than it got
 * and must answer the same for every longer prefix once it is done. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resp_reply.h"

#define MAX_INPUT 60000
#define MAX_DIGESTS 4096

typedef struct run_result {
    uint64_t digest[MAX_DIGESTS]; /* one hash per reply */
    size_t replies;
    int failed;
    char err[128];
} run_result;

static void check(int cond) {
    if (!cond) abort();
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Hash a tree, checking the limits on the way down. */
static uint64_t digest(const resp_reply *r, const resp_reader_limits *l, int depth, uint64_t h) {
    check(depth <= l->max_depth + 1);
    h = fnv(h, &r->type, sizeof(r->type));
    h = fnv(h, &r->integer, sizeof(r->integer));
    h = fnv(h, &r->len, sizeof(r->len));
    if (r->str) {
        long long max = r->type == RESP_REPLY_DOUBLE ? 256 : l->max_bulk; /* a number line */
        check((long long)r->len <= max && r->str[r->len] == '\0');
        h = fnv(h, r->str, r->len);
    }
    long long max_children = r->type == RESP_REPLY_MAP ? 2 * l->max_elements : l->max_elements;
    check((long long)r->elements <= max_children);
    for (size_t i = 0; i < r->elements; i++)
        h = digest(r->elem[i], l, depth + 1, h);
    return h;
}

static void drain(resp_reader *r, const resp_reader_limits *l, run_result *out) {
    for (;;) {
        resp_reply *v = NULL;
        int rc = resp_reader_next(r, &v);
        if (rc == RESP_REPLY_AGAIN) return;
        if (rc == RESP_REPLY_FAIL) {
            out->failed = 1;
            check(resp_reader_error(r)[0] != '\0');
            strncpy(out->err, resp_reader_error(r), sizeof(out->err) - 1);
            return;
        }
        check(v != NULL);
        if (out->replies < MAX_DIGESTS)
            out->digest[out->replies] = digest(v, l, 1, 1469598103934665603ULL);
        out->replies++;
        resp_reply_free(v);
    }
}

/* Parse stream[0..n) arriving chunk bytes at a time (0: all at once). */
static void run(const uint8_t *stream, size_t n, size_t chunk, const resp_reader_limits *l,
                run_result *out) {
    resp_reader r;
    resp_reader_init(&r, l);
    memset(out, 0, sizeof(*out));
    size_t have = 0;
    while (have < n && !out->failed) {
        size_t next = (chunk == 0 || have + chunk > n) ? n : have + chunk;
        resp_reader_feed(&r, (const char *)stream + have, next - have);
        have = next;
        drain(&r, l, out);
    }
    if (out->failed) { /* sticky */
        resp_reply *v = NULL;
        resp_reader_feed(&r, "+OK\r\n", 5);
        check(resp_reader_next(&r, &v) == RESP_REPLY_FAIL);
        check(strcmp(resp_reader_error(&r), out->err) == 0);
    }
    resp_reader_free(&r);
}

static void payload_check(const char *p, size_t n) {
    resp_payload_header h, h2;
    size_t used = 0, used2 = 0;
    vg_error err;
    int rc = resp_payload_header_parse(p, n, 1000, &h, &used, &err);
    check(used <= n);
    if (rc != RESP_REPLY_DONE || n == 0) return;
    check(h.eof_mark || (h.len >= 0 && h.len <= 1000));
    /* Done means done: the header does not depend on bytes after it. */
    check(resp_payload_header_parse(p, used, 1000, &h2, &used2, &err) == RESP_REPLY_DONE);
    check(used2 == used && h2.eof_mark == h.eof_mark && h2.len == h.len);
}

static run_result whole, chunked;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > MAX_INPUT) return 0;
    uint8_t opt = data[0];
    resp_reader_limits l = resp_reader_default_limits();
    if (opt & 1) l.max_bulk = 16;
    if (opt & 2) l.max_depth = 3;
    if (opt & 4) l.max_elements = 5;
    l.skip_newlines = (opt & 8) != 0;
    size_t chunk = (size_t)(opt >> 4) + 1; /* 1..16 */
    payload_check((const char *)data + 1, size - 1);
    run(data + 1, size - 1, 0, &l, &whole);
    run(data + 1, size - 1, chunk, &l, &chunked);
    check(whole.replies == chunked.replies);
    check(whole.failed == chunked.failed);
    if (whole.failed) check(strcmp(whole.err, chunked.err) == 0);
    size_t n = whole.replies < MAX_DIGESTS ? whole.replies : MAX_DIGESTS;
    for (size_t i = 0; i < n; i++)
        check(whole.digest[i] == chunked.digest[i]);
    return 0;
}
