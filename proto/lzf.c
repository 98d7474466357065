/* lzf.c -- LZF compressor and decompressor (liblzf 3.6's format, our code).
 *
 * Owns: nothing beyond each call. The compressor is a greedy LZ77 over a
 * hash table of 3-byte sequences, as liblzf is: at each position it looks
 * up the last position whose 3 bytes hashed alike, verifies the bytes,
 * extends the match up to 264 bytes, and otherwise queues a literal. The
 * table holds positions modulo 2^32, so it needs no "empty" value: a stale
 * or aliased slot only costs a failed byte comparison. Its size follows the
 * input (one slot per byte, from 64 up to 65536 for 64 KB and more), so a
 * 30-byte string does not pay for clearing 256 KB, which matters when an RDB
 * save compresses every string longer than 20 bytes.
 *
 * The decompressor checks each length against both buffers and each offset
 * against the bytes already produced before it copies anything. */
#include "lzf.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define LZF_MAX_LIT 32   /* bytes in one literal run */
#define LZF_MAX_OFF 8192 /* farthest back reference */
#define LZF_MIN_REF 3    /* shortest back reference */
#define LZF_MAX_REF 264  /* longest back reference: 7 + 255 + 2 */
#define LZF_HLOG_MIN 8   /* hash table bits for tiny inputs */
#define LZF_HLOG_MAX 16  /* hash table bits from 64 KB up (liblzf's HLOG) */

typedef struct lzf_out {
    unsigned char *p; /* borrowed: the caller's output buffer */
    size_t len;       /* bytes written */
    size_t cap;       /* out_len */
} lzf_out;

static unsigned hash_log_for(size_t in_len) {
    unsigned hlog = LZF_HLOG_MIN;
    while (hlog < LZF_HLOG_MAX && ((size_t)1 << hlog) < in_len)
        hlog++;
    return hlog;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LZF_LITTLE_ENDIAN 1
#else
#define LZF_LITTLE_ENDIAN 0
#endif

/* The 3 bytes at src[ip] as one number; avail = bytes from ip to the end. */
static inline uint32_t seq3(const unsigned char *p, size_t avail) {
    if (LZF_LITTLE_ENDIAN && avail >= 4) {
        uint32_t v;
        memcpy(&v, p, 4); /* one unaligned load */
        return v & 0xffffff;
    }
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static inline uint32_t hash_slot(uint32_t seq, unsigned hlog) {
    return (seq * UINT32_C(2654435761)) >> (32 - hlog);
}

/* Bytes a literal stretch of n bytes takes once split into runs. */
static inline size_t literal_cost(size_t n) {
    return n + (n + LZF_MAX_LIT - 1) / LZF_MAX_LIT;
}

/* Append src[0..n) as literal runs. false: it does not fit. */
static bool emit_literals(lzf_out *o, const unsigned char *src, size_t n) {
    if (literal_cost(n) > o->cap - o->len) return false;
    while (n > 0) {
        size_t run = n < LZF_MAX_LIT ? n : LZF_MAX_LIT;
        o->p[o->len++] = (unsigned char)(run - 1);
        memcpy(o->p + o->len, src, run);
        o->len += run;
        src += run;
        n -= run;
    }
    return true;
}

/* Append a back reference of len (3..264) bytes, off (1..8192) back. */
static bool emit_ref(lzf_out *o, size_t len, size_t off) {
    size_t l = len - 2, d = off - 1;
    if (l < 7) {
        if (o->cap - o->len < 2) return false;
        o->p[o->len++] = (unsigned char)((d >> 8) | (l << 5));
    } else {
        if (o->cap - o->len < 3) return false;
        o->p[o->len++] = (unsigned char)((d >> 8) | (7 << 5));
        o->p[o->len++] = (unsigned char)(l - 7);
    }
    o->p[o->len++] = (unsigned char)(d & 0xff);
    return true;
}

/* Where the 3 bytes at ip were last seen within reach, or SIZE_MAX. Records
 * ip in their slot either way. */
static inline size_t match_candidate(uint32_t *table, const unsigned char *src, size_t ip,
                                     size_t in_len, unsigned hlog) {
    uint32_t seq = seq3(src + ip, in_len - ip);
    uint32_t *slot = &table[hash_slot(seq, hlog)];
    uint32_t dist = (uint32_t)ip - *slot;
    *slot = (uint32_t)ip;
    if (dist == 0 || dist > LZF_MAX_OFF || dist > ip) return SIZE_MAX;
    size_t ref = ip - dist;
    /* ref is at least 4 bytes from the end, being before ip. */
    return seq3(src + ref, in_len - ref) == seq ? ref : SIZE_MAX;
}

static inline size_t match_length(const unsigned char *src, size_t ref, size_t ip, size_t in_len) {
    size_t max = in_len - ip < LZF_MAX_REF ? in_len - ip : LZF_MAX_REF;
    size_t len = LZF_MIN_REF;
#if LZF_LITTLE_ENDIAN
    /* Eight bytes a step; the first differing bit says where they part. */
    while (len + 8 <= max) {
        uint64_t a, b;
        memcpy(&a, src + ref + len, 8);
        memcpy(&b, src + ip + len, 8);
        if (a != b) return len + (size_t)__builtin_ctzll(a ^ b) / 8;
        len += 8;
    }
#endif
    while (len < max && src[ref + len] == src[ip + len])
        len++;
    return len;
}

size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_len) {
    if (in == NULL || out == NULL || in_len == 0 || out_len == 0) return 0;
    const unsigned char *src = in;
    lzf_out o = {out, 0, out_len};
    uint32_t table[1u << LZF_HLOG_MAX];
    unsigned hlog = hash_log_for(in_len);
    memset(table, 0, sizeof(table[0]) << hlog);

    size_t ip = 0, lit = 0; /* lit: first byte not yet emitted */
    while (in_len - ip >= LZF_MIN_REF) {
        size_t ref = match_candidate(table, src, ip, in_len, hlog);
        if (ref == SIZE_MAX) {
            ip++;
            /* Give up early on incompressible input, once per full run. */
            if (((ip - lit) % LZF_MAX_LIT) == 0 && literal_cost(ip - lit) > o.cap - o.len) return 0;
            continue;
        }
        size_t len = match_length(src, ref, ip, in_len);
        if (!emit_literals(&o, src + lit, ip - lit) || !emit_ref(&o, len, ip - ref)) return 0;
        ip += len;
        lit = ip;
        /* Index the match's last two positions, as liblzf's VERY_FAST mode
         * does: most of the ratio of indexing all of them, at less cost. */
        for (size_t p = ip - 2; p < ip && in_len - p >= LZF_MIN_REF; p++)
            table[hash_slot(seq3(src + p, in_len - p), hlog)] = (uint32_t)p;
    }
    if (!emit_literals(&o, src + lit, in_len - lit)) return 0;
    return o.len;
}

/* Copy len bytes from off bytes back. When off < len the ranges overlap
 * and the copy repeats the last off bytes; the output from ref on is then
 * periodic, so each memcpy may take everything between ref and dst, which
 * doubles the step and never overlaps its own source. */
static inline void copy_ref(unsigned char *dst, size_t off, size_t len) {
    const unsigned char *ref = dst - off;
    while (len > 0) {
        size_t n = (size_t)(dst - ref) < len ? (size_t)(dst - ref) : len;
        memcpy(dst, ref, n);
        dst += n;
        len -= n;
    }
}

size_t lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len, lzf_result *res) {
    const unsigned char *src = in;
    unsigned char *dst = out;
    size_t ip = 0, op = 0;
    lzf_result r = LZF_OK;
    if (in == NULL) in_len = 0;
    if (out == NULL) out_len = 0;
    while (ip < in_len) {
        size_t ctrl = src[ip++];
        if (ctrl < LZF_MAX_LIT) {
            size_t n = ctrl + 1;
            if (n > out_len - op)
                r = LZF_ERR_OUTPUT;
            else if (n > in_len - ip)
                r = LZF_ERR_CORRUPT;
            if (r != LZF_OK) break;
            memcpy(dst + op, src + ip, n);
            ip += n;
            op += n;
            continue;
        }
        size_t len = ctrl >> 5;
        if (len == 7 && ip < in_len) len += src[ip++];
        if (ip >= in_len) {
            r = LZF_ERR_CORRUPT;
            break;
        }
        size_t off = ((ctrl & 0x1f) << 8) + src[ip++] + 1;
        len += 2;
        if (len > out_len - op)
            r = LZF_ERR_OUTPUT;
        else if (off > op)
            r = LZF_ERR_CORRUPT;
        if (r != LZF_OK) break;
        copy_ref(dst + op, off, len);
        op += len;
    }
    if (res != NULL) *res = r;
    return r == LZF_OK ? op : 0;
}
