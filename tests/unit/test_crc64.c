/* test_crc64.c -- unit tests for Redis' CRC-64 (proto/crc64.c).
 *
 * Owns: nothing shared. The check value; chaining equal to one pass at every
 * split point and alignment; the slice-by-8 path against a bit-at-a-time
 * reference; and checksums written by Debian's redis-server 7.0.15.
 *
 * The Redis vectors were made once by hand on a scratch server (loopback
 * port, empty temp dir, rdbcompression yes):
 *   SET k   "abc"*14 + "-hello"*4
 *   SET big "0123456789"*30 + "xyz" + "redis"*40
 *   SET num 12345
 *   SAVE, DUMP k, DUMP big (over a socket, raw bytes).
 * A DUMP payload is the value in RDB encoding, the RDB version (10) as two
 * bytes little-endian, then the CRC-64 of all that, 8 bytes little-endian.
 * dump.rdb ends the same way: 0xFF, then the CRC-64 of every byte before. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "crc64.h"

static const unsigned char DUMP_K[] = {0x00, 0xc3, 0x15, 0x40, 0x42, 0x03, 0x61, 0x62, 0x63,
                                       0x61, 0xe0, 0x1d, 0x02, 0x05, 0x2d, 0x68, 0x65, 0x6c,
                                       0x6c, 0x6f, 0xe0, 0x07, 0x05, 0x01, 0x6c, 0x6f, 0x0a,
                                       0x00, 0xf5, 0x5d, 0xeb, 0x97, 0xb5, 0x82, 0x3f, 0xef};

static const unsigned char DUMP_BIG[] = {
    0x00, 0xc3, 0x21, 0x41, 0xf7, 0x0a, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
    0x30, 0xe0, 0xff, 0x09, 0xe1, 0x10, 0x0d, 0x07, 0x78, 0x79, 0x7a, 0x72, 0x65, 0x64, 0x69, 0x73,
    0xe0, 0xb8, 0x04, 0x01, 0x69, 0x73, 0x0a, 0x00, 0x14, 0xc8, 0x20, 0xc5, 0xf3, 0x69, 0x78, 0x34};

static const unsigned char DUMP_RDB[] = {
    0x52, 0x45, 0x44, 0x49, 0x53, 0x30, 0x30, 0x31, 0x30, 0xfa, 0x09, 0x72, 0x65, 0x64, 0x69, 0x73,
    0x2d, 0x76, 0x65, 0x72, 0x06, 0x37, 0x2e, 0x30, 0x2e, 0x31, 0x35, 0xfa, 0x0a, 0x72, 0x65, 0x64,
    0x69, 0x73, 0x2d, 0x62, 0x69, 0x74, 0x73, 0xc0, 0x40, 0xfa, 0x05, 0x63, 0x74, 0x69, 0x6d, 0x65,
    0xc2, 0x78, 0x4b, 0x0f, 0x6b, 0xfa, 0x08, 0x75, 0x73, 0x65, 0x64, 0x2d, 0x6d, 0x65, 0x6d, 0xc2,
    0x20, 0xb8, 0x0e, 0x00, 0xfa, 0x08, 0x61, 0x6f, 0x66, 0x2d, 0x62, 0x61, 0x73, 0x65, 0xc0, 0x00,
    0xfe, 0x00, 0xfb, 0x03, 0x00, 0x00, 0x03, 0x62, 0x69, 0x67, 0xc3, 0x21, 0x41, 0xf7, 0x0a, 0x30,
    0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30, 0xe0, 0xff, 0x09, 0xe1, 0x10, 0x0d,
    0x07, 0x78, 0x79, 0x7a, 0x72, 0x65, 0x64, 0x69, 0x73, 0xe0, 0xb8, 0x04, 0x01, 0x69, 0x73, 0x00,
    0x01, 0x6b, 0xc3, 0x15, 0x40, 0x42, 0x03, 0x61, 0x62, 0x63, 0x61, 0xe0, 0x1d, 0x02, 0x05, 0x2d,
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xe0, 0x07, 0x05, 0x01, 0x6c, 0x6f, 0x00, 0x03, 0x6e, 0x75, 0x6d,
    0xc1, 0x39, 0x30, 0xff, 0x8a, 0xa8, 0x4a, 0x67, 0x02, 0x31, 0xe9, 0x99};

static uint64_t load_le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The definition, one bit at a time: reflected Jones polynomial. */
static uint64_t crc64_bitwise(uint64_t crc, const unsigned char *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ UINT64_C(0x95ac9329ac4bc9b5) : crc >> 1;
    }
    return crc;
}

static void fill(unsigned char *p, size_t n, uint64_t seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (unsigned char)(seed >> 56);
    }
}

Test(crc64, check_value) {
    cr_assert_eq(crc64(0, "123456789", 9), UINT64_C(0xe9c6d914c4b8d9ca));
    cr_assert_eq(crc64_bitwise(0, (const unsigned char *)"123456789", 9),
                 UINT64_C(0xe9c6d914c4b8d9ca));
}

Test(crc64, empty_input_keeps_the_value) {
    cr_assert_eq(crc64(0, "", 0), 0);
    cr_assert_eq(crc64(UINT64_C(0x1234567890abcdef), NULL, 0), UINT64_C(0x1234567890abcdef));
}

Test(crc64, matches_bitwise_reference_at_every_length_and_alignment) {
    unsigned char data[300 + 8];
    fill(data, sizeof(data), 42);
    for (size_t align = 0; align < 8; align++)
        for (size_t n = 0; n <= 300; n++)
            cr_assert_eq(crc64(7, data + align, n), crc64_bitwise(7, data + align, n),
                         "align %zu len %zu", align, n);
}

Test(crc64, chained_updates_equal_one_pass) {
    unsigned char data[1000];
    fill(data, sizeof(data), 7);
    uint64_t whole = crc64(0, data, sizeof(data));
    for (size_t cut = 0; cut <= sizeof(data); cut++)
        cr_assert_eq(crc64(crc64(0, data, cut), data + cut, sizeof(data) - cut), whole, "cut %zu",
                     cut);
    /* One byte at a time. */
    uint64_t c = 0;
    for (size_t i = 0; i < sizeof(data); i++)
        c = crc64(c, data + i, 1);
    cr_assert_eq(c, whole);
}

Test(crc64, redis_dump_payloads_verify) {
    const unsigned char *payloads[] = {DUMP_K, DUMP_BIG};
    size_t lens[] = {sizeof(DUMP_K), sizeof(DUMP_BIG)};
    for (int i = 0; i < 2; i++) {
        const unsigned char *p = payloads[i];
        size_t body = lens[i] - 8;
        cr_assert_eq(p[body - 2] | p[body - 1] << 8, 10, "RDB version 10");
        cr_assert_eq(crc64(0, p, body), load_le64(p + body), "payload %d", i);
        /* One flipped bit anywhere is caught. */
        unsigned char copy[64];
        memcpy(copy, p, lens[i]);
        copy[3] ^= 0x10;
        cr_assert_neq(crc64(0, copy, body), load_le64(copy + body));
    }
}

Test(crc64, redis_rdb_trailer_verifies) {
    size_t body = sizeof(DUMP_RDB) - 8;
    cr_assert(memcmp(DUMP_RDB, "REDIS0010", 9) == 0);
    cr_assert_eq(DUMP_RDB[body - 1], 0xff, "EOF opcode before the checksum");
    cr_assert_eq(crc64(0, DUMP_RDB, body), load_le64(DUMP_RDB + body));
}
