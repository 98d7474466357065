/* fuzz_resp_parse.c -- libFuzzer target for the RESP request parser.
 *
 * Owns: the copies of the input it hands to the parser. The first input byte
 * picks the options (strict mode, a small max_bulk, the chunk size); the rest
 * is the byte stream from a client. The stream is parsed twice, in one piece
 * and in chunks as reads would deliver it, each region copied into an exactly
 * sized heap block so ASan sees any read past it. Both runs must yield the
 * same commands and the same final error; every argument must lie inside the
 * bytes its command consumed. Inputs stay below the inline limit so the
 * "too big" errors cannot depend on where reads split the stream. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resp_parse.h"

#define MAX_INPUT 60000
#define MAX_DIGEST_CMDS 4096

typedef struct run_result {
    uint64_t digest[MAX_DIGEST_CMDS]; /* one hash per command */
    size_t commands;
    size_t consumed; /* bytes of the stream consumed by whole commands */
    int failed;
    char err[128];
} run_result;

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void check(int cond) {
    if (!cond) abort();
}

static uint64_t command_digest(const resp_req_parser *p, const char *region, size_t consumed) {
    uint64_t h = 1469598103934665603ULL;
    h = fnv(h, &p->argc, sizeof(p->argc));
    for (int i = 0; i < p->argc; i++) {
        const resp_span *s = &p->args[i];
        check(s->off <= consumed && s->len <= consumed - s->off);
        h = fnv(h, &s->len, sizeof(s->len));
        h = fnv(h, region + s->off, s->len);
    }
    return h;
}

/* Parse stream[0..n) arriving chunk bytes at a time (0: all at once). */
static void run(const uint8_t *stream, size_t n, size_t chunk, bool strict, long long max_bulk,
                run_result *out) {
    resp_req_parser p;
    resp_req_init(&p, max_bulk);
    p.strict = strict;
    memset(out, 0, sizeof(*out));
    size_t have = 0, start = 0;
    while (have < n && !out->failed) {
        have = (chunk == 0 || have + chunk > n) ? n : have + chunk;
        for (;;) {
            size_t len = have - start, consumed = 0;
            if (len == 0) break;
            char *region = malloc(len);
            memcpy(region, stream + start, len);
            int rc = resp_req_parse(&p, region, len, &consumed);
            if (rc == RESP_FAIL) {
                out->failed = 1;
                check(p.err[0] != '\0');
                memcpy(out->err, p.err, sizeof(out->err));
                free(region);
                break;
            }
            if (rc == RESP_AGAIN) {
                check(resp_req_wanted(&p, len) <= (size_t)max_bulk + 2);
                free(region);
                break;
            }
            check(rc == RESP_DONE && consumed > 0 && consumed <= len);
            if (out->commands < MAX_DIGEST_CMDS)
                out->digest[out->commands] = command_digest(&p, region, consumed);
            out->commands++;
            free(region);
            start += consumed;
            resp_req_reset(&p);
        }
    }
    out->consumed = start;
    /* A failed parser stays failed. */
    if (out->failed) {
        size_t consumed = 0;
        char probe[] = "PING\r\n";
        check(resp_req_parse(&p, probe, 6, &consumed) == RESP_FAIL);
    }
    resp_req_free(&p);
}

static run_result whole, chunked;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > MAX_INPUT) return 0;
    uint8_t opt = data[0];
    bool strict = opt & 1;
    long long max_bulk = (opt & 2) ? 16 : 512LL * 1024 * 1024;
    size_t chunk = (size_t)(opt >> 2) + 1; /* 1..64 */
    run(data + 1, size - 1, 0, strict, max_bulk, &whole);
    run(data + 1, size - 1, chunk, strict, max_bulk, &chunked);
    check(whole.commands == chunked.commands);
    check(whole.consumed == chunked.consumed);
    check(whole.failed == chunked.failed);
    if (whole.failed) check(strcmp(whole.err, chunked.err) == 0);
    size_t n = whole.commands < MAX_DIGEST_CMDS ? whole.commands : MAX_DIGEST_CMDS;
    for (size_t i = 0; i < n; i++)
        check(whole.digest[i] == chunked.digest[i]);
    return 0;
}
