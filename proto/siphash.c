/* siphash.c -- SipHash-1-2 (one compression round, two finalisation rounds).
 *
 * Owns: nothing. Written from the SipHash paper's description; the case
 * folding variant lowers each byte before mixing it in. */
#include "siphash.h"

#include <ctype.h>
#include <string.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = ROTL(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = ROTL(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = ROTL(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = ROTL(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = ROTL(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = ROTL(v2, 32);                                                                         \
    } while (0)

static uint64_t load64(const uint8_t *p, int nocase) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | (nocase ? (uint8_t)tolower(p[i]) : p[i]);
    return v;
}

static uint64_t sip(const uint8_t *in, size_t len, const uint8_t key[16], int nocase) {
    uint64_t k0 = load64(key, 0), k1 = load64(key + 8, 0);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    uint64_t b = ((uint64_t)len) << 56;
    size_t whole = len - (len % 8);
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = load64(in + i, nocase);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t i = 0; i < len % 8; i++) {
        uint8_t c = in[whole + i];
        if (nocase) c = (uint8_t)tolower(c);
        b |= ((uint64_t)c) << (8 * i);
    }
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphash(const void *in, size_t len, const uint8_t key[16]) {
    return sip(in, len, key, 0);
}

uint64_t siphash_nocase(const void *in, size_t len, const uint8_t key[16]) {
    return sip(in, len, key, 1);
}
