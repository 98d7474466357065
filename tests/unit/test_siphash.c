/* test_siphash.c -- unit tests for SipHash-1-2 (proto/siphash.c).
 *
 * Owns: nothing shared. The hash of every length 0..24 (every tail length,
 * whole words with and without a tail) equals the values the byte-at-a-time
 * implementation gave before the word loads replaced it, so bucket
 * positions, and with them SCAN and RANDOMKEY, did not change; the case
 * folding variant equals hashing a tolower() copy for every byte value. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "siphash.h"

/* key 00..0f; input byte i is i * 7 + 0x41 (upper case letters, digits,
 * bytes >= 0x80); entry n hashes the first n bytes. */
static const uint64_t PLAIN[] = {
    0xcea28b51565c12e2ULL, 0x5ac5e0a65a2efd6dULL, 0x87f121d53d1b3673ULL, 0x22a74822c8aa96e8ULL,
    0xddef535c6e377c2bULL, 0xab33ed61456f5a61ULL, 0xd85e335a66ff8021ULL, 0x272362bdaa50a194ULL,
    0x244b4d4680cea32cULL, 0x1047d2d4b3faa640ULL, 0xf6e8a165e1bc8c54ULL, 0x650ed1fd3ff0e9c6ULL,
    0x0ccd1404d4ac4a58ULL, 0x01f25d313c9e714aULL, 0xb41fd9b209ce858cULL, 0x3b4719cc7230409aULL,
    0x1f09dba6b0fdff89ULL, 0xb13e1ea6f2618051ULL, 0x74ee4763d112398fULL, 0x16a7a3a10a44fd74ULL,
    0x7b44c226f9e31262ULL, 0x671c3b340b20025aULL, 0xa3ccf12aea5aeab0ULL, 0xf068166d7f9e1afcULL,
    0xd9a324b8ecfb4103ULL,
};

static const uint64_t NOCASE[] = {
    0xcea28b51565c12e2ULL, 0x3e0a5fabc9a8b128ULL, 0x47bb4387814fa675ULL, 0x5793f17f143851a9ULL,
    0x9b00c0cd3179a073ULL, 0x3135543022e29377ULL, 0x83a5e80bf7b49075ULL, 0x6946de07fc96bed8ULL,
    0xd86f7b145d814653ULL, 0xcb115ac0efd21292ULL, 0xd20e5bce43cab7ceULL, 0xbf23843ccf35284bULL,
    0x101169dbf5a3e44aULL, 0x8e8aad9ca7b6001bULL, 0x7dbd4f0ec962bebcULL, 0xaf1df024bc69cb1fULL,
    0x5cd0e5948089126aULL, 0x1f09d42d8c1d6d8eULL, 0x507c7b1057503397ULL, 0x04eae9d1ecf2503cULL,
    0xe0f7eb41199a51c1ULL, 0x0cfb3dd06d9fb953ULL, 0x080b7c0c1ac1c3dcULL, 0xdd00365407cfc14cULL,
    0x77a397eb35169a09ULL,
};

static void fixture(uint8_t key[16], uint8_t in[64]) {
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        in[i] = (uint8_t)(i * 7 + 0x41);
}

Test(siphash, every_length_matches_the_byte_loop_values) {
    uint8_t key[16], in[64];
    fixture(key, in);
    for (size_t n = 0; n < sizeof(PLAIN) / sizeof(PLAIN[0]); n++)
        cr_expect_eq(siphash(in, n, key), PLAIN[n], "length %zu", n);
}

Test(siphash, nocase_every_length_matches_the_byte_loop_values) {
    uint8_t key[16], in[64];
    fixture(key, in);
    for (size_t n = 0; n < sizeof(NOCASE) / sizeof(NOCASE[0]); n++)
        cr_expect_eq(siphash_nocase(in, n, key), NOCASE[n], "length %zu", n);
}

Test(siphash, nocase_folds_exactly_ascii_upper_case) {
    uint8_t key[16], in[64];
    fixture(key, in);
    /* Every byte value in a whole word and in the tail, beside neighbours
     * that are letters, so a carry between bytes would show. */
    for (int v = 0; v < 256; v++) {
        uint8_t s[11], lower[11];
        for (size_t i = 0; i < sizeof(s); i++)
            s[i] = (uint8_t)(i % 2 ? 'Z' : 'A');
        s[3] = (uint8_t)v;
        s[9] = (uint8_t)v;
        for (size_t i = 0; i < sizeof(s); i++)
            lower[i] = (uint8_t)tolower(s[i]);
        cr_expect_eq(siphash_nocase(s, sizeof(s), key), siphash(lower, sizeof(s), key),
                     "byte 0x%02x", v);
    }
}

Test(siphash, unaligned_input_hashes_the_same) {
    uint8_t key[16], in[64], shifted[80];
    fixture(key, in);
    for (size_t off = 1; off < 8; off++) {
        memcpy(shifted + off, in, 24);
        cr_expect_eq(siphash(shifted + off, 24, key), PLAIN[24], "offset %zu", off);
    }
}
