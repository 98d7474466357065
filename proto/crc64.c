/* crc64.c -- CRC-64/Jones (Redis' RDB and DUMP checksum), slice-by-8.
 *
 * Owns: eight 256-entry tables, filled once by a constructor before main
 * and only read afterwards, so crc64() is safe from any thread. Table 0 is
 * the classic byte-at-a-time table of the reflected polynomial; table k
 * advances a byte that sits k positions further back through k more zero
 * bytes, so eight input bytes fold into the register with eight lookups and
 * no carried dependency between them. Big-endian hosts use table 0 only. */
#include "crc64.h"

#include <string.h>

/* 0xad93d23594c935a9 with its bits reversed, for the reflected algorithm. */
#define CRC64_POLY_REFLECTED UINT64_C(0x95ac9329ac4bc9b5)

static uint64_t crc_table[8][256];

__attribute__((constructor)) static void crc64_tables_build(void) {
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int bit = 0; bit < 8; bit++)
            c = (c & 1) ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
        crc_table[0][i] = c;
    }
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = crc_table[0][i];
        for (int k = 1; k < 8; k++) {
            c = crc_table[0][c & 0xff] ^ (c >> 8);
            crc_table[k][i] = c;
        }
    }
}

static uint64_t crc64_bytewise(uint64_t crc, const unsigned char *p, size_t len) {
    while (len--)
        crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

uint64_t crc64(uint64_t crc, const void *p, size_t len) {
    const unsigned char *s = p;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Align nothing: memcpy of 8 bytes compiles to one unaligned load. */
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        w ^= crc;
        crc = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^
              crc_table[5][(w >> 16) & 0xff] ^ crc_table[4][(w >> 24) & 0xff] ^
              crc_table[3][(w >> 32) & 0xff] ^ crc_table[2][(w >> 40) & 0xff] ^
              crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
        s += 8;
        len -= 8;
    }
#endif
    return crc64_bytewise(crc, s, len);
}
