/* siphash.c -- SipHash-1-2 (one compression round, two finalisation rounds).
 *
 * Owns: nothing. Written from the SipHash paper's description; the case
 * folding variant lowers each byte before mixing it in. */
#include "siphash.h"

#include <stdbool.h>
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

/* Little-endian 64-bit word at p: one unaligned load on the hosts we run
 * on (the byte loop this replaced cost a quarter of a GET's instructions). */
static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* ASCII A-Z of all eight bytes of w to lower case, as tolower() does in
 * the C locale: a byte in 'A'..'Z' gets 0x20 added, nothing else changes. */
static inline uint64_t lower64(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t ascii = ~w & high;                 /* 0x80 where the byte is < 0x80 */
    uint64_t low7 = w & ~high;                  /* each byte's low 7 bits */
    uint64_t ge_a = low7 + (0x80 - 'A') * ones; /* bit 7 set: low7 >= 'A' */
    uint64_t gt_z = low7 + (0x7f - 'Z') * ones; /* bit 7 set: low7 > 'Z' */
    uint64_t upper = ge_a & ~gt_z & ascii & high;
    return w | (upper >> 2);
}

static inline uint64_t sip(const uint8_t *in, size_t len, const uint8_t key[16], bool nocase) {
    uint64_t k0 = load64(key), k1 = load64(key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    size_t whole = len - (len % 8);
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = load64(in + i);
        if (nocase) m = lower64(m);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    uint8_t tail[8] = {0};
    memcpy(tail, in + whole, len % 8);
    uint64_t t = load64(tail);
    if (nocase) t = lower64(t);
    uint64_t b = (((uint64_t)len) << 56) | t;
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphash(const void *in, size_t len, const uint8_t key[16]) {
    return sip(in, len, key, false);
}

uint64_t siphash_nocase(const void *in, size_t len, const uint8_t key[16]) {
    return sip(in, len, key, true);
}
