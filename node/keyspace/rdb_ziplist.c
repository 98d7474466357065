/* rdb_ziplist.c -- the legacy blobs Redis 7.0 still loads: ziplists and
 * zipmaps, validated and converted to listpacks.
 *
 * Owns: nothing beyond each call. Redis 7.0 writes neither, but reads
 * both from older files (RDB_TYPE_*_ZIPLIST, RDB_TYPE_LIST_QUICKLIST,
 * RDB_TYPE_HASH_ZIPMAP). Formats, as the files fix them:
 *
 *   ziplist: | zlbytes:u32le | zltail:u32le | zllen:u16le | entry... | 0xFF |
 *     entry: | prevlen: 1 byte (<254) or 0xFE + u32le | encoding | data |
 *     encoding: 00llllll (string, 6-bit len), 01llllll llllllll (14-bit,
 *     big endian), 10000000 + u32be, 0xC0 int16, 0xD0 int32, 0xE0 int64,
 *     0xF0 int24, 0xFE int8, 0xF1..0xFD immediate 0..12 (all little endian)
 *   zipmap: | count:u8 | (len key len free value pad)... | 0xFF |
 *     len: 1 byte (<254) or 0xFE + u32le
 *
 * Every offset is checked against the blob's size before it is read. */
#include "rdb_ziplist.h"

#include <string.h>

static uint32_t u32le(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Decode the entry at p (inside zl[0..size)). Returns its total size, or 0. */
static size_t zl_entry(const unsigned char *zl, size_t size, size_t p, size_t prev_size,
                       unsigned char **lp) {
    size_t at = p, end = size - 1; /* the 0xFF terminator */
    if (at >= end) return 0;
    size_t prevlen;
    if (zl[at] < 254) {
        prevlen = zl[at];
        at += 1;
    } else {
        if (zl[at] != 254 || at + 5 > end) return 0;
        prevlen = u32le(zl + at + 1);
        at += 5;
    }
    if (prevlen != prev_size) return 0;
    if (at >= end) return 0;
    unsigned char e = zl[at];
    size_t slen = 0, hdr = 1;
    long long v = 0;
    int isint = 1, ilen = 0;
    switch (e >> 6) {
    case 0:
        slen = e & 0x3f;
        isint = 0;
        break;
    case 1:
        if (at + 2 > end) return 0;
        slen = ((size_t)(e & 0x3f) << 8) | zl[at + 1];
        hdr = 2;
        isint = 0;
        break;
    case 2:
        if (e != 0x80 || at + 5 > end) return 0;
        slen = ((size_t)zl[at + 1] << 24) | ((size_t)zl[at + 2] << 16) | ((size_t)zl[at + 3] << 8) |
               zl[at + 4];
        hdr = 5;
        isint = 0;
        break;
    default:
        if (e == 0xC0)
            ilen = 2;
        else if (e == 0xD0)
            ilen = 4;
        else if (e == 0xE0)
            ilen = 8;
        else if (e == 0xF0)
            ilen = 3;
        else if (e == 0xFE)
            ilen = 1;
        else if (e >= 0xF1 && e <= 0xFD)
            v = (e & 0x0f) - 1;
        else
            return 0;
    }
    at += hdr;
    if (!isint) {
        if (slen > end - at) return 0;
        if (lp) *lp = lp_append(*lp, (const char *)zl + at, slen);
        at += slen;
    } else {
        if ((size_t)ilen > end - at) return 0;
        if (ilen) {
            uint64_t u = 0;
            for (int i = ilen - 1; i >= 0; i--)
                u = (u << 8) | zl[at + (size_t)i];
            /* Sign-extend from ilen bytes. */
            int shift = 64 - 8 * ilen;
            v = (long long)(u << shift) >> shift;
        }
        if (lp) *lp = lp_append_int(*lp, v);
        at += (size_t)ilen;
    }
    return at - p;
}

unsigned char *rdb_ziplist_to_listpack(const unsigned char *zl, size_t size) {
    if (size < 11 || zl[size - 1] != 0xFF || u32le(zl) != size) return NULL;
    size_t tail = u32le(zl + 4);
    unsigned count = (unsigned)(zl[8] | (zl[9] << 8));
    unsigned char *lp = lp_new();
    size_t p = 10, prev = 0, last = 10, n = 0;
    while (p < size - 1) {
        size_t s = zl_entry(zl, size, p, prev, &lp);
        if (s == 0) {
            lp_free(lp);
            return NULL;
        }
        last = p;
        prev = s;
        p += s;
        n++;
    }
    if (p != size - 1 || (n > 0 && last != tail) || (n == 0 && tail != 10) ||
        (count != 65535 && count != n)) {
        lp_free(lp);
        return NULL;
    }
    return lp;
}

/* A zipmap length at zm[*at]; false if it runs past end. */
static bool zm_len(const unsigned char *zm, size_t end, size_t *at, size_t *len) {
    if (*at >= end) return false;
    if (zm[*at] < 254) {
        *len = zm[(*at)++];
        return true;
    }
    if (zm[*at] != 254 || *at + 5 > end) return false;
    *len = u32le(zm + *at + 1);
    *at += 5;
    return true;
}

unsigned char *rdb_zipmap_to_listpack(const unsigned char *zm, size_t size) {
    if (size < 2 || zm[size - 1] != 0xFF) return NULL;
    size_t end = size - 1, at = 1, n = 0;
    unsigned char *lp = lp_new();
    while (at < end) {
        size_t kl, vl;
        if (!zm_len(zm, end, &at, &kl) || kl > end - at) goto bad;
        lp = lp_append(lp, (const char *)zm + at, kl);
        at += kl;
        if (!zm_len(zm, end, &at, &vl) || at >= end) goto bad;
        size_t free_bytes = zm[at++];
        if (vl > end - at || free_bytes > end - at - vl) goto bad;
        lp = lp_append(lp, (const char *)zm + at, vl);
        at += vl + free_bytes;
        n++;
    }
    if (at != end || (zm[0] < 254 && zm[0] != n)) goto bad;
    return lp;
bad:
    lp_free(lp);
    return NULL;
}
