/* listpack.c -- Redis-format listpack: entries of strings or integers in one block.
 *
 * Owns: the listpack blocks it creates (vg_malloc'd, freed by lp_free). See
 * listpack.h for the byte layout. Every change goes through one splice
 * helper that replaces a byte range by one freshly encoded entry, so the
 * header (total bytes, element count) is kept right in one place. */
#include "listpack.h"

#include <string.h>

#include "buf.h"
#include "vg_alloc.h"
#include "vg_common.h"

#define LP_NUMELE_UNKNOWN 65535u

#define ENC_7BIT_UINT 0x00
#define ENC_6BIT_STR 0x80
#define ENC_13BIT_INT 0xC0
#define ENC_12BIT_STR 0xE0
#define ENC_32BIT_STR 0xF0
#define ENC_16BIT_INT 0xF1
#define ENC_24BIT_INT 0xF2
#define ENC_32BIT_INT 0xF3
#define ENC_64BIT_INT 0xF4

/* ---- header ---- */

static uint32_t hdr_bytes(const unsigned char *lp) {
    return (uint32_t)lp[0] | (uint32_t)lp[1] << 8 | (uint32_t)lp[2] << 16 | (uint32_t)lp[3] << 24;
}

static void set_hdr_bytes(unsigned char *lp, uint32_t v) {
    lp[0] = v & 0xff;
    lp[1] = (v >> 8) & 0xff;
    lp[2] = (v >> 16) & 0xff;
    lp[3] = (v >> 24) & 0xff;
}

static unsigned hdr_count(const unsigned char *lp) {
    return (unsigned)lp[4] | (unsigned)lp[5] << 8;
}

static void set_hdr_count(unsigned char *lp, unsigned v) {
    lp[4] = v & 0xff;
    lp[5] = (v >> 8) & 0xff;
}

static void count_add(unsigned char *lp, int delta) {
    unsigned n = hdr_count(lp);
    if (n == LP_NUMELE_UNKNOWN) return;
    long v = (long)n + delta;
    set_hdr_count(lp, v >= (long)LP_NUMELE_UNKNOWN ? LP_NUMELE_UNKNOWN : (unsigned)v);
}

/* ---- entry encoding ---- */

/* Back-length bytes for an entry of l bytes; writes them to out when given. */
static size_t backlen_encode(unsigned char *out, uint64_t l) {
    if (l <= 127) {
        if (out) out[0] = (unsigned char)l;
        return 1;
    }
    size_t n = l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    if (out) {
        out[0] = (unsigned char)(l >> (7 * (n - 1)));
        for (size_t i = 1; i < n; i++)
            out[i] = (unsigned char)(((l >> (7 * (n - 1 - i))) & 127) | 128);
    }
    return n;
}

/* Decode the back-length whose last byte is at p; stops at lo. UINT64_MAX on error. */
static uint64_t backlen_decode(const unsigned char *p, const unsigned char *lo) {
    uint64_t val = 0;
    unsigned shift = 0;
    for (;;) {
        if (p < lo) return UINT64_MAX;
        val |= (uint64_t)(p[0] & 127) << shift;
        if (!(p[0] & 128)) return val;
        shift += 7;
        p--;
        if (shift > 28) return UINT64_MAX;
    }
}

/* Encode an integer entry (without backlen) into out (>= 9 bytes); returns its size. */
static size_t encode_int(unsigned char *out, long long v) {
    uint64_t u = (uint64_t)v;
    if (v >= 0 && v <= 127) {
        out[0] = (unsigned char)v;
        return 1;
    }
    if (v >= -4096 && v <= 4095) {
        u &= 0x1fff;
        out[0] = (unsigned char)(ENC_13BIT_INT | (u >> 8));
        out[1] = u & 0xff;
        return 2;
    }
    size_t n;
    if (v >= -32768 && v <= 32767) {
        out[0] = ENC_16BIT_INT;
        n = 2;
    } else if (v >= -8388608 && v <= 8388607) {
        out[0] = ENC_24BIT_INT;
        n = 3;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        out[0] = ENC_32BIT_INT;
        n = 4;
    } else {
        out[0] = ENC_64BIT_INT;
        n = 8;
    }
    for (size_t i = 0; i < n; i++)
        out[1 + i] = (u >> (8 * i)) & 0xff;
    return 1 + n;
}

/* Encode a string entry's header into out (>= 5 bytes); returns its size. */
static size_t encode_str_hdr(unsigned char *out, size_t len) {
    if (len < 64) {
        out[0] = (unsigned char)(ENC_6BIT_STR | len);
        return 1;
    }
    if (len < 4096) {
        out[0] = (unsigned char)(ENC_12BIT_STR | (len >> 8));
        out[1] = len & 0xff;
        return 2;
    }
    out[0] = ENC_32BIT_STR;
    for (int i = 0; i < 4; i++)
        out[1 + i] = (len >> (8 * i)) & 0xff;
    return 5;
}

/* Canonical integer text ("-5", not "-05" or "+5")? */
static bool str_is_int(const char *s, size_t len, long long *out) {
    if (len == 0 || len > 20) return false;
    long long v;
    if (!vg_str2ll(s, len, &v)) return false;
    char tmp[LP_INTBUF_SIZE];
    if ((size_t)vg_ll2str(tmp, v) != len || memcmp(tmp, s, len) != 0) return false;
    *out = v;
    return true;
}

/* Bytes of the entry's encoding+data (no backlen), from its first bytes only.
 * avail bounds the bytes readable at p; returns 0 if they do not suffice. */
static size_t entry_enc_size(const unsigned char *p, size_t avail) {
    if (avail < 1) return 0;
    unsigned char b = p[0];
    if ((b & 0x80) == ENC_7BIT_UINT) return 1;
    if ((b & 0xC0) == ENC_6BIT_STR) return 1 + (size_t)(b & 0x3f);
    if ((b & 0xE0) == ENC_13BIT_INT) return 2;
    if ((b & 0xF0) == ENC_12BIT_STR) return avail < 2 ? 0 : 2 + ((size_t)(b & 0x0f) << 8 | p[1]);
    switch (b) {
    case ENC_16BIT_INT:
        return 3;
    case ENC_24BIT_INT:
        return 4;
    case ENC_32BIT_INT:
        return 5;
    case ENC_64BIT_INT:
        return 9;
    case ENC_32BIT_STR:
        if (avail < 5) return 0;
        return 5 + ((size_t)p[1] | (size_t)p[2] << 8 | (size_t)p[3] << 16 | (size_t)p[4] << 24);
    default:
        return 0;
    }
}

/* Whole entry size: encoding, data and backlen. */
static size_t entry_size(const unsigned char *p) {
    size_t n = entry_enc_size(p, SIZE_MAX);
    return n + backlen_encode(NULL, n);
}

/* ---- public: life cycle ---- */

unsigned char *lp_new(void) {
    unsigned char *lp = vg_malloc(LP_HDR_SIZE + 1);
    set_hdr_bytes(lp, LP_HDR_SIZE + 1);
    set_hdr_count(lp, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lp_free(unsigned char *lp) {
    vg_free(lp);
}

unsigned char *lp_dup(const unsigned char *lp) {
    return vg_memdup(lp, hdr_bytes(lp));
}

size_t lp_bytes(const unsigned char *lp) {
    return hdr_bytes(lp);
}

size_t lp_alloc_size(const unsigned char *lp) {
    return vg_alloc_size(lp);
}

size_t lp_length(const unsigned char *lp) {
    unsigned n = hdr_count(lp);
    if (n != LP_NUMELE_UNKNOWN) return n;
    size_t count = 0;
    for (const unsigned char *p = lp_first(lp); p; p = lp_next(lp, p))
        count++;
    return count;
}

/* ---- public: positions ---- */

unsigned char *lp_first(const unsigned char *lp) {
    const unsigned char *p = lp + LP_HDR_SIZE;
    return p[0] == LP_EOF ? NULL : (unsigned char *)p;
}

unsigned char *lp_next(const unsigned char *lp, const unsigned char *p) {
    (void)lp;
    p += entry_size(p);
    return p[0] == LP_EOF ? NULL : (unsigned char *)p;
}

/* Entry before position p (an entry or the terminator), or NULL. */
static unsigned char *prev_of(const unsigned char *lp, const unsigned char *p) {
    if (p == lp + LP_HDR_SIZE) return NULL;
    uint64_t n = backlen_decode(p - 1, lp + LP_HDR_SIZE);
    VG_ASSERT(n != UINT64_MAX);
    n += backlen_encode(NULL, n);
    return (unsigned char *)(p - n);
}

unsigned char *lp_prev(const unsigned char *lp, const unsigned char *p) {
    return prev_of(lp, p);
}

unsigned char *lp_last(const unsigned char *lp) {
    return prev_of(lp, lp + hdr_bytes(lp) - 1);
}

unsigned char *lp_seek(const unsigned char *lp, long long index) {
    size_t len = lp_length(lp);
    if (index < 0) index += (long long)len;
    if (index < 0 || (size_t)index >= len) return NULL;
    unsigned char *p;
    if ((size_t)index <= len / 2) {
        p = lp_first(lp);
        while (index-- > 0)
            p = lp_next(lp, p);
    } else {
        p = lp_last(lp);
        for (size_t i = len - 1; i > (size_t)index; i--)
            p = lp_prev(lp, p);
    }
    return p;
}

/* ---- public: reading ---- */

static long long decode_int(const unsigned char *p) {
    unsigned char b = p[0];
    if ((b & 0x80) == ENC_7BIT_UINT) return b;
    if ((b & 0xE0) == ENC_13BIT_INT) {
        uint64_t u = ((uint64_t)(b & 0x1f) << 8) | p[1];
        return u >= 4096 ? (long long)u - 8192 : (long long)u;
    }
    unsigned bits = b == ENC_16BIT_INT   ? 16
                    : b == ENC_24BIT_INT ? 24
                    : b == ENC_32BIT_INT ? 32
                                         : 64;
    uint64_t u = 0;
    for (unsigned i = 0; i < bits / 8; i++)
        u |= (uint64_t)p[1 + i] << (8 * i);
    if (bits < 64 && (u >> (bits - 1))) u |= ~(uint64_t)0 << bits;
    return (long long)u;
}

void lp_get(const unsigned char *p, lp_val *out) {
    unsigned char b = p[0];
    if ((b & 0xC0) == ENC_6BIT_STR) {
        out->str = p + 1;
        out->len = b & 0x3f;
    } else if ((b & 0xF0) == ENC_12BIT_STR) {
        out->str = p + 2;
        out->len = (size_t)(b & 0x0f) << 8 | p[1];
    } else if (b == ENC_32BIT_STR) {
        out->str = p + 5;
        out->len = entry_enc_size(p, SIZE_MAX) - 5;
    } else {
        out->str = NULL;
        out->len = 0;
        out->ll = decode_int(p);
        return;
    }
    out->ll = 0;
}

const char *lp_get_str(const unsigned char *p, char *ibuf, size_t *len) {
    lp_val v;
    lp_get(p, &v);
    if (v.str) {
        *len = v.len;
        return (const char *)v.str;
    }
    *len = (size_t)vg_ll2str(ibuf, v.ll);
    return ibuf;
}

bool lp_get_int(const unsigned char *p, long long *out) {
    lp_val v;
    lp_get(p, &v);
    if (v.str) return false;
    *out = v.ll;
    return true;
}

/* Compare the entry with s, given s's integer form (if it has one). */
static bool entry_eq(const unsigned char *p, const char *s, size_t len, bool s_int, long long sv) {
    lp_val v;
    lp_get(p, &v);
    if (v.str) return v.len == len && (len == 0 || memcmp(v.str, s, len) == 0);
    return s_int && v.ll == sv;
}

bool lp_eq(const unsigned char *p, const char *s, size_t len) {
    long long sv = 0;
    bool s_int = str_is_int(s, len, &sv);
    return entry_eq(p, s, len, s_int, sv);
}

unsigned char *lp_find(const unsigned char *lp, unsigned char *p, const char *s, size_t len,
                       unsigned skip) {
    long long sv = 0;
    bool s_int = str_is_int(s, len, &sv);
    while (p) {
        if (entry_eq(p, s, len, s_int, sv)) return p;
        p = lp_next(lp, p);
        for (unsigned i = 0; i < skip && p; i++)
            p = lp_next(lp, p);
    }
    return NULL;
}

/* ---- writing ---- */

/* A freshly encoded entry waiting to be written: header bytes plus data. */
typedef struct lp_newent {
    unsigned char hdr[16]; /* encoding (and integer data) */
    size_t hlen;
    const char *data; /* borrowed: string bytes, or NULL */
    size_t dlen;
} lp_newent;

static void newent_str(lp_newent *e, const char *s, size_t len) {
    long long v;
    if (str_is_int(s, len, &v)) {
        e->hlen = encode_int(e->hdr, v);
        e->data = NULL;
        e->dlen = 0;
        return;
    }
    e->hlen = encode_str_hdr(e->hdr, len);
    e->data = s;
    e->dlen = len;
}

static void newent_int(lp_newent *e, long long v) {
    e->hlen = encode_int(e->hdr, v);
    e->data = NULL;
    e->dlen = 0;
}

/* Replace del bytes at offset off by entry e (or nothing when e is NULL).
 * count_delta adjusts the element count. Returns the moved listpack. */
static unsigned char *splice(unsigned char *lp, size_t off, size_t del, const lp_newent *e,
                             int count_delta) {
    size_t total = hdr_bytes(lp);
    unsigned char back[5];
    size_t elen = 0, blen = 0;
    void *copy = NULL;
    const char *data = e ? e->data : NULL;
    if (e) {
        elen = e->hlen + e->dlen;
        blen = backlen_encode(back, elen);
        /* The data may live inside this listpack (moving an entry): copy it first. */
        if (data && (const unsigned char *)data >= lp && (const unsigned char *)data < lp + total) {
            copy = vg_memdup(data, e->dlen);
            data = copy;
        }
    }
    size_t ins = elen + blen;
    size_t newtotal = total - del + ins;
    VG_ASSERT(newtotal <= UINT32_MAX);
    if (ins > del) lp = vg_realloc(lp, newtotal);
    memmove(lp + off + ins, lp + off + del, total - off - del);
    if (ins < del) lp = vg_realloc(lp, newtotal);
    if (e) {
        unsigned char *w = lp + off;
        memcpy(w, e->hdr, e->hlen);
        if (e->dlen) memcpy(w + e->hlen, data, e->dlen);
        memcpy(w + elen, back, blen);
    }
    vg_free(copy);
    set_hdr_bytes(lp, (uint32_t)newtotal);
    count_add(lp, count_delta);
    return lp;
}

static unsigned char *insert_ent(unsigned char *lp, const lp_newent *e, unsigned char *p,
                                 enum lp_where where, unsigned char **newp) {
    if (p == NULL) /* insert into an empty spot: append */
        p = lp + hdr_bytes(lp) - 1;
    else if (where == LP_AFTER)
        p += entry_size(p);
    size_t off = (size_t)(p - lp);
    lp = splice(lp, off, 0, e, 1);
    if (newp) *newp = lp + off;
    return lp;
}

unsigned char *lp_insert(unsigned char *lp, const char *s, size_t len, unsigned char *p,
                         enum lp_where where, unsigned char **newp) {
    lp_newent e;
    newent_str(&e, s, len);
    return insert_ent(lp, &e, p, where, newp);
}

unsigned char *lp_insert_int(unsigned char *lp, long long v, unsigned char *p, enum lp_where where,
                             unsigned char **newp) {
    lp_newent e;
    newent_int(&e, v);
    return insert_ent(lp, &e, p, where, newp);
}

unsigned char *lp_append(unsigned char *lp, const char *s, size_t len) {
    return lp_insert(lp, s, len, NULL, LP_BEFORE, NULL);
}

unsigned char *lp_append_int(unsigned char *lp, long long v) {
    return lp_insert_int(lp, v, NULL, LP_BEFORE, NULL);
}

unsigned char *lp_prepend(unsigned char *lp, const char *s, size_t len) {
    return lp_insert(lp, s, len, lp_first(lp), LP_BEFORE, NULL);
}

unsigned char *lp_prepend_int(unsigned char *lp, long long v) {
    return lp_insert_int(lp, v, lp_first(lp), LP_BEFORE, NULL);
}

unsigned char *lp_insert_at(unsigned char *lp, long long index, const char *s, size_t len) {
    long long n = (long long)lp_length(lp);
    if (index < 0) index += n + 1;
    VG_ASSERT(index >= 0 && index <= n);
    if (index == n) return lp_append(lp, s, len);
    return lp_insert(lp, s, len, lp_seek(lp, index), LP_BEFORE, NULL);
}

static unsigned char *replace_ent(unsigned char *lp, unsigned char **p, const lp_newent *e) {
    size_t off = (size_t)(*p - lp);
    lp = splice(lp, off, entry_size(*p), e, 0);
    *p = lp + off;
    return lp;
}

unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const char *s, size_t len) {
    lp_newent e;
    newent_str(&e, s, len);
    return replace_ent(lp, p, &e);
}

unsigned char *lp_replace_int(unsigned char *lp, unsigned char **p, long long v) {
    lp_newent e;
    newent_int(&e, v);
    return replace_ent(lp, p, &e);
}

unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **nextp) {
    size_t off = (size_t)(p - lp);
    lp = splice(lp, off, entry_size(p), NULL, -1);
    if (nextp) *nextp = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lp_delete_range_at(unsigned char *lp, unsigned char *p, size_t count) {
    if (p == NULL || count == 0) return lp;
    size_t off = (size_t)(p - lp);
    const unsigned char *q = p;
    size_t n = 0;
    while (n < count && q[0] != LP_EOF) {
        q += entry_size(q);
        n++;
    }
    return splice(lp, off, (size_t)(q - p), NULL, -(int)(n > 65535 ? 65535 : n));
}

unsigned char *lp_delete_range(unsigned char *lp, long long index, size_t count) {
    return lp_delete_range_at(lp, lp_seek(lp, index), count);
}

unsigned char *lp_shrink(unsigned char *lp) {
    size_t used = hdr_bytes(lp);
    if (vg_alloc_size(lp) > used + used / 4 + 16) lp = vg_realloc(lp, used);
    return lp;
}

/* ---- integrity ---- */

/* Check one entry at p (end is the terminator's position); returns its full size or 0. */
static size_t validate_entry(const unsigned char *lp, const unsigned char *p,
                             const unsigned char *end) {
    size_t avail = (size_t)(end - p);
    size_t n = entry_enc_size(p, avail);
    if (n == 0 || n > avail) return 0;
    size_t bl = backlen_encode(NULL, n);
    if (n + bl > avail) return 0;
    /* The stored backlen must decode to the entry size, inside the entry. */
    if (backlen_decode(p + n + bl - 1, p + n) != n) return 0;
    (void)lp;
    return n + bl;
}

bool lp_validate(const unsigned char *lp, size_t size, long long expect_count) {
    if (size < LP_HDR_SIZE + 1 || size > UINT32_MAX) return false;
    if (hdr_bytes(lp) != size || lp[size - 1] != LP_EOF) return false;
    const unsigned char *end = lp + size - 1;
    const unsigned char *p = lp + LP_HDR_SIZE;
    size_t count = 0;
    while (p < end) {
        size_t n = validate_entry(lp, p, end);
        if (n == 0) return false;
        p += n;
        count++;
    }
    if (p != end) return false;
    unsigned hc = hdr_count(lp);
    if (hc != LP_NUMELE_UNKNOWN && hc != count) return false;
    if (hc == LP_NUMELE_UNKNOWN && count < LP_NUMELE_UNKNOWN) return false;
    return expect_count < 0 || (size_t)expect_count == count;
}
