/* fuzz_lzf.c -- libFuzzer target for the LZF codec (proto/lzf.c).
 *
 * Owns: the exactly sized heap copies it hands to the codec, so ASan sees
 * any byte read or written past a buffer. The first input byte picks the
 * output limit; the rest is used twice:
 *   1. as a compressed stream, decompressed into that many bytes: the call
 *      may fail but never overruns, and on success the bytes it produced
 *      must survive a compress/decompress round trip;
 *   2. as plain data, compressed into the worst-case size and decompressed
 *      again: the bytes must come back, and one byte less room than the
 *      compressed length must make compression refuse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lzf.h"

#define FUZZ_MAX_INPUT 65536

static void check(int cond) {
    if (!cond) abort();
}

static unsigned char *copy_of(const uint8_t *p, size_t n) {
    unsigned char *c = malloc(n ? n : 1);
    if (n) memcpy(c, p, n);
    return c;
}

/* Compress n bytes and decompress them; both must agree with the input. */
static void round_trip(const unsigned char *in, size_t n) {
    size_t cap = n + (n + 31) / 32;
    unsigned char *c = malloc(cap ? cap : 1);
    size_t clen = lzf_compress(in, n, c, cap);
    check(n == 0 ? clen == 0 : clen > 0 && clen <= cap);
    if (n == 0) {
        free(c);
        return;
    }
    unsigned char *tight = malloc(clen);
    check(lzf_compress(in, n, tight, clen) == clen);
    check(memcmp(tight, c, clen) == 0);
    free(tight);
    tight = malloc(clen - 1 ? clen - 1 : 1);
    check(lzf_compress(in, n, tight, clen - 1) == 0);
    free(tight);
    unsigned char *d = malloc(n);
    lzf_result res = LZF_ERR_CORRUPT;
    check(lzf_decompress(c, clen, d, n, &res) == n && res == LZF_OK);
    check(memcmp(d, in, n) == 0);
    free(d);
    free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > FUZZ_MAX_INPUT) return 0;
    /* 0..255 times 32: short of, near and past what most inputs need. */
    size_t out_len = (size_t)data[0] * 32;
    const uint8_t *body = data + 1;
    size_t n = size - 1;

    unsigned char *in = copy_of(body, n);
    unsigned char *out = malloc(out_len ? out_len : 1);
    lzf_result res = LZF_OK;
    size_t got = lzf_decompress(in, n, out_len ? out : NULL, out_len, &res);
    check(got <= out_len);
    check(res == LZF_OK || res == LZF_ERR_OUTPUT || res == LZF_ERR_CORRUPT);
    check(res == LZF_OK || got == 0);
    check(res != LZF_OK || got > 0 || n == 0);
    if (res == LZF_OK) round_trip(out, got);
    free(out);

    round_trip(in, n);
    free(in);
    return 0;
}
