/* test_lzf.c -- unit tests for the LZF codec (proto/lzf.c).
 *
 * Owns: nothing shared. Round trips over incompressible, compressible and
 * run-length data of sizes 0..1 MB; output limits honoured to the byte (a
 * canary after each buffer); truncated and corrupt streams refused; and two
 * streams written by real liblzf, which must decode to their strings.
 *
 * The liblzf vectors come from Debian's redis-server 7.0.15 (rdbcompression
 * yes, the default): on a scratch server on a loopback port,
 *   SET k   "abc"*14 + "-hello"*4                  (66 bytes)
 *   SET big "0123456789"*30 + "xyz" + "redis"*40   (503 bytes)
 * then SAVE. In dump.rdb each value follows its key as 0xC3 (LZF-encoded
 * string), the compressed length and the original length in RDB length
 * encoding (k: 0x15 0x40 0x42 = 21, 66; big: 0x21 0x41 0xf7 = 33, 503), then
 * the compressed bytes copied below. DUMP k and DUMP big carried the same
 * bytes (see test_crc64.c). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lzf.h"
#include "vg_common.h"

#define CANARY 0xA5
#define GUARD 64

static const unsigned char LIBLZF_K[] = {0x03, 0x61, 0x62, 0x63, 0x61, 0xe0, 0x1d,
                                         0x02, 0x05, 0x2d, 0x68, 0x65, 0x6c, 0x6c,
                                         0x6f, 0xe0, 0x07, 0x05, 0x01, 0x6c, 0x6f};

static const unsigned char LIBLZF_BIG[] = {0x0a, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
                                           0x38, 0x39, 0x30, 0xe0, 0xff, 0x09, 0xe1, 0x10, 0x0d,
                                           0x07, 0x78, 0x79, 0x7a, 0x72, 0x65, 0x64, 0x69, 0x73,
                                           0xe0, 0xb8, 0x04, 0x01, 0x69, 0x73};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned char *make_random(size_t n) {
    unsigned char *p = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)rng();
    return p;
}

/* Text-like data: words from a small vocabulary, some random bytes. */
static unsigned char *make_compressible(size_t n) {
    static const char *words[] = {"redis ", "vigil ", "replica ", "primary ", "key:",
                                  "1234",   "value ", "\r\n",     "SET ",     "GET "};
    unsigned char *p = malloc(n + 1);
    size_t i = 0;
    while (i < n) {
        if (rng() % 8 == 0) {
            p[i++] = (unsigned char)rng();
            continue;
        }
        const char *w = words[rng() % VG_ARRAY_LEN(words)];
        for (size_t k = 0; w[k] && i < n; k++)
            p[i++] = (unsigned char)w[k];
    }
    return p;
}

/* Runs of one byte, so back references overlap themselves. */
static unsigned char *make_runs(size_t n) {
    unsigned char *p = malloc(n + 1);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)rng();
        size_t run = 1 + rng() % 600;
        while (run-- && i < n)
            p[i++] = c;
    }
    return p;
}

/* Worst case of our compressor: all literals. */
static size_t bound(size_t n) {
    return n + (n + 31) / 32;
}

static void check_canary(const unsigned char *p, size_t from) {
    for (size_t i = 0; i < GUARD; i++)
        cr_assert_eq(p[from + i], CANARY, "byte %zu past the limit was written", i);
}

/* Compress into exactly bound(n) bytes, decompress into exactly n; both
 * buffers end in a canary. Returns the compressed length. */
static size_t round_trip(const unsigned char *in, size_t n) {
    size_t cap = bound(n);
    unsigned char *c = malloc(cap + GUARD);
    unsigned char *d = malloc(n + GUARD);
    memset(c, CANARY, cap + GUARD);
    memset(d, CANARY, n + GUARD);
    size_t clen = lzf_compress(in, n, c, cap);
    if (n == 0) {
        cr_assert_eq(clen, 0);
    } else {
        cr_assert(clen > 0 && clen <= cap, "n=%zu clen=%zu", n, clen);
        check_canary(c, cap);
        lzf_result res = LZF_ERR_CORRUPT;
        size_t dlen = lzf_decompress(c, clen, d, n, &res);
        cr_assert_eq(res, LZF_OK, "n=%zu", n);
        cr_assert_eq(dlen, n);
        cr_assert(memcmp(d, in, n) == 0, "n=%zu: bytes differ", n);
        check_canary(d, n);
    }
    free(c);
    free(d);
    return clen;
}

Test(lzf, liblzf_vectors_decode_to_their_strings) {
    char k[67] = "";
    for (int i = 0; i < 14; i++)
        strcat(k, "abc");
    for (int i = 0; i < 4; i++)
        strcat(k, "-hello");
    unsigned char out[600];
    lzf_result res;
    cr_assert_eq(lzf_decompress(LIBLZF_K, sizeof(LIBLZF_K), out, sizeof(out), &res), 66);
    cr_assert_eq(res, LZF_OK);
    cr_assert(memcmp(out, k, 66) == 0);

    char big[504] = "";
    for (int i = 0; i < 30; i++)
        strcat(big, "0123456789");
    strcat(big, "xyz");
    for (int i = 0; i < 40; i++)
        strcat(big, "redis");
    cr_assert_eq(lzf_decompress(LIBLZF_BIG, sizeof(LIBLZF_BIG), out, sizeof(out), &res), 503);
    cr_assert(memcmp(out, big, 503) == 0);
    /* Redis decompresses into exactly the announced length. */
    cr_assert_eq(lzf_decompress(LIBLZF_BIG, sizeof(LIBLZF_BIG), out, 503, &res), 503);
    cr_assert_eq(lzf_decompress(LIBLZF_BIG, sizeof(LIBLZF_BIG), out, 502, &res), 0);
    cr_assert_eq(res, LZF_ERR_OUTPUT);

    /* Ours compresses the same strings as well as liblzf did, within a byte. */
    unsigned char c[600];
    size_t clen = lzf_compress(k, 66, c, 62);
    cr_assert(clen > 0 && clen <= sizeof(LIBLZF_K) + 1, "k: %zu", clen);
    clen = lzf_compress(big, 503, c, 499);
    cr_assert(clen > 0 && clen <= sizeof(LIBLZF_BIG) + 1, "big: %zu", clen);
    cr_assert_eq(round_trip((const unsigned char *)big, 503), clen);
}

Test(lzf, every_small_size_round_trips) {
    for (size_t n = 0; n <= 600; n++) {
        unsigned char *a = make_random(n), *b = make_compressible(n), *r = make_runs(n);
        round_trip(a, n);
        round_trip(b, n);
        round_trip(r, n);
        free(a);
        free(b);
        free(r);
    }
}

Test(lzf, large_sizes_round_trip) {
    static const size_t sizes[] = {4095,  4096,  8191,  8192,   8193,           65535,
                                   65536, 65537, 99999, 262144, (size_t)1 << 20};
    for (size_t i = 0; i < VG_ARRAY_LEN(sizes); i++) {
        size_t n = sizes[i];
        unsigned char *a = make_random(n), *b = make_compressible(n), *r = make_runs(n);
        round_trip(a, n);
        size_t cb = round_trip(b, n);
        size_t cr = round_trip(r, n);
        cr_assert(cb < n * 3 / 4, "text-like %zu -> %zu", n, cb);
        cr_assert(cr < n / 20, "runs %zu -> %zu", n, cr);
        free(a);
        free(b);
        free(r);
    }
}

Test(lzf, uniform_input_uses_long_references) {
    size_t n = 1 << 20;
    unsigned char *z = calloc(n, 1);
    size_t clen = round_trip(z, n);
    /* 264 bytes per 3-byte reference at best. */
    cr_assert(clen < n / 264 * 3 + 64, "zeros -> %zu", clen);
    free(z);
}

Test(lzf, compress_refuses_when_output_too_small) {
    size_t n = 5000;
    unsigned char *b = make_compressible(n);
    unsigned char *c = malloc(bound(n) + GUARD);
    size_t exact = lzf_compress(b, n, c, bound(n));
    cr_assert(exact > 0);
    for (size_t cap = 0; cap < exact; cap++) {
        memset(c, CANARY, cap + GUARD);
        cr_assert_eq(lzf_compress(b, n, c, cap), 0, "cap %zu of %zu", cap, exact);
        check_canary(c, cap);
    }
    cr_assert_eq(lzf_compress(b, n, c, exact), exact);

    /* Redis' call: at least 4 bytes shorter, which random data never is. */
    unsigned char *a = make_random(n);
    memset(c, CANARY, n - 4 + GUARD);
    cr_assert_eq(lzf_compress(a, n, c, n - 4), 0);
    check_canary(c, n - 4);
    cr_assert_eq(lzf_compress(a, 0, c, n), 0, "empty input compresses to nothing");
    free(a);
    free(b);
    free(c);
}

Test(lzf, decompress_refuses_output_overrun) {
    size_t n = 3000;
    unsigned char *b = make_compressible(n), *r = make_runs(n);
    unsigned char *c = malloc(bound(n)), *d = malloc(n + GUARD);
    unsigned char *srcs[] = {b, r};
    for (int s = 0; s < 2; s++) {
        size_t clen = lzf_compress(srcs[s], n, c, bound(n));
        for (size_t cap = 0; cap < n; cap += 7) {
            memset(d, CANARY, cap + GUARD);
            lzf_result res = LZF_OK;
            cr_assert_eq(lzf_decompress(c, clen, d, cap, &res), 0);
            cr_assert_eq(res, LZF_ERR_OUTPUT);
            check_canary(d, cap);
        }
    }
    free(b);
    free(r);
    free(c);
    free(d);
}

Test(lzf, truncated_stream_never_claims_the_whole_length) {
    size_t n = 2000;
    unsigned char *b = make_compressible(n);
    unsigned char *c = malloc(bound(n)), *d = malloc(n + GUARD);
    size_t clen = lzf_compress(b, n, c, bound(n));
    int corrupt = 0;
    for (size_t cut = 0; cut < clen; cut++) {
        lzf_result res = LZF_OK;
        size_t got = lzf_decompress(c, cut, d, n, &res);
        cr_assert_neq(got, n, "prefix of %zu bytes decoded everything", cut);
        if (res == LZF_ERR_CORRUPT)
            corrupt++;
        else
            cr_assert(res == LZF_OK && got < n && memcmp(d, b, got) == 0);
    }
    cr_assert(corrupt > 0);
    free(b);
    free(c);
    free(d);
}

Test(lzf, truncated_items_are_corrupt) {
    unsigned char out[64];
    lzf_result res;
    /* Literal run of 4 with 3 bytes present. */
    const unsigned char lit[] = {0x03, 'a', 'b', 'c'};
    cr_assert_eq(lzf_decompress(lit, sizeof(lit), out, sizeof(out), &res), 0);
    cr_assert_eq(res, LZF_ERR_CORRUPT);
    /* Back reference without its offset byte. */
    const unsigned char ref[] = {0x02, 'a', 'b', 'c', 0x20};
    cr_assert_eq(lzf_decompress(ref, sizeof(ref), out, sizeof(out), &res), 0);
    cr_assert_eq(res, LZF_ERR_CORRUPT);
    /* Long reference without its length byte, then without its offset. */
    const unsigned char lref[] = {0x02, 'a', 'b', 'c', 0xe0, 0x05};
    cr_assert_eq(lzf_decompress(lref, 5, out, sizeof(out), &res), 0);
    cr_assert_eq(res, LZF_ERR_CORRUPT);
    cr_assert_eq(lzf_decompress(lref, 6, out, sizeof(out), &res), 0);
    cr_assert_eq(res, LZF_ERR_CORRUPT);
    /* Whole: "abc" + 3+5+2 = 10 bytes copied from 1 back ("ccc..."). */
    const unsigned char ok[] = {0x02, 'a', 'b', 'c', 0xe0, 0x01, 0x00};
    cr_assert_eq(lzf_decompress(ok, sizeof(ok), out, sizeof(out), &res), 13);
    cr_assert_eq(res, LZF_OK);
    cr_assert(memcmp(out, "abcccccccccc", 12) == 0);
}

Test(lzf, reference_before_the_start_is_corrupt) {
    unsigned char out[64];
    lzf_result res = LZF_OK;
    /* A reference with nothing produced yet. */
    const unsigned char first[] = {0x20, 0x00};
    cr_assert_eq(lzf_decompress(first, sizeof(first), out, sizeof(out), &res), 0);
    cr_assert_eq(res, LZF_ERR_CORRUPT);
    /* Offset 4 after 3 bytes; offset 3 is the first that works. */
    const unsigned char far[] = {0x02, 'x', 'y', 'z', 0x20, 0x03};
    cr_assert_eq(lzf_decompress(far, sizeof(far), out, sizeof(out), &res), 0);
    cr_assert_eq(res, LZF_ERR_CORRUPT);
    const unsigned char near[] = {0x02, 'x', 'y', 'z', 0x20, 0x02};
    cr_assert_eq(lzf_decompress(near, sizeof(near), out, sizeof(out), &res), 6);
    cr_assert(memcmp(out, "xyzxyz", 6) == 0);
    /* The high offset bits count: 0x21 0x00 reaches 257 back. */
    const unsigned char high[] = {0x02, 'x', 'y', 'z', 0x21, 0x00};
    cr_assert_eq(lzf_decompress(high, sizeof(high), out, sizeof(out), &res), 0);
    cr_assert_eq(res, LZF_ERR_CORRUPT);
}

Test(lzf, empty_and_null_inputs) {
    unsigned char out[8];
    lzf_result res = LZF_ERR_CORRUPT;
    cr_assert_eq(lzf_decompress(NULL, 0, out, sizeof(out), &res), 0);
    cr_assert_eq(res, LZF_OK);
    cr_assert_eq(lzf_decompress("\x00x", 2, NULL, 0, &res), 0);
    cr_assert_eq(res, LZF_ERR_OUTPUT);
    cr_assert_eq(lzf_decompress("\x00x", 2, out, sizeof(out), NULL), 1);
    cr_assert_eq(lzf_compress(NULL, 0, out, sizeof(out)), 0);
    cr_assert_eq(lzf_compress("abc", 3, out, 0), 0);
    /* One byte needs a run header: 2 bytes. */
    cr_assert_eq(lzf_compress("a", 1, out, 1), 0);
    cr_assert_eq(lzf_compress("a", 1, out, 2), 2);
}

Test(lzf, random_garbage_stays_in_bounds) {
    unsigned char in[512], out[256 + GUARD];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = rng() % sizeof(in), cap = rng() % 257;
        for (size_t i = 0; i < n; i++)
            in[i] = (unsigned char)rng();
        memset(out, CANARY, sizeof(out));
        lzf_result res = LZF_OK;
        size_t got = lzf_decompress(in, n, out, cap, &res);
        cr_assert(got <= cap);
        cr_assert((got == 0) || res == LZF_OK);
        check_canary(out, cap);
    }
}
