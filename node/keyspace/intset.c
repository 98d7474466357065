/* intset.c -- Redis-format sorted integer sets with width upgrades.
 *
 * Owns: the intset blocks it creates. Values are read and written byte by
 * byte in little-endian order, so the block is the RDB payload on any host.
 * Lookups are binary searches; inserts and removals shift the tail. */
#include "intset.h"

#include <string.h>

#include "vg_alloc.h"
#include "vg_common.h"

#define HDR 8

struct intset {
    unsigned char b[1]; /* header, then values (see intset.h) */
};

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (v >> (8 * i)) & 0xff;
}

uint32_t intset_encoding(const intset *is) {
    return rd32(is->b);
}

uint32_t intset_len(const intset *is) {
    return rd32(is->b + 4);
}

static void set_len(intset *is, uint32_t n) {
    wr32(is->b + 4, n);
}

/* Read a signed value of enc bytes at p. */
static int64_t rd_val(const unsigned char *p, uint32_t enc) {
    uint64_t u = 0;
    for (uint32_t i = 0; i < enc; i++)
        u |= (uint64_t)p[i] << (8 * i);
    if (enc < 8 && (u >> (enc * 8 - 1))) u |= ~(uint64_t)0 << (enc * 8);
    return (int64_t)u;
}

static void wr_val(unsigned char *p, uint32_t enc, int64_t v) {
    uint64_t u = (uint64_t)v;
    for (uint32_t i = 0; i < enc; i++)
        p[i] = (u >> (8 * i)) & 0xff;
}

static int64_t get_at(const intset *is, uint32_t pos) {
    uint32_t enc = intset_encoding(is);
    return rd_val(is->b + HDR + (size_t)pos * enc, enc);
}

static void set_at(intset *is, uint32_t pos, int64_t v) {
    uint32_t enc = intset_encoding(is);
    wr_val(is->b + HDR + (size_t)pos * enc, enc, v);
}

static uint32_t value_encoding(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return INTSET_ENC_INT64;
    if (v < INT16_MIN || v > INT16_MAX) return INTSET_ENC_INT32;
    return INTSET_ENC_INT16;
}

intset *intset_new(void) {
    intset *is = vg_malloc(HDR);
    wr32(is->b, INTSET_ENC_INT16);
    set_len(is, 0);
    return is;
}

void intset_free(intset *is) {
    vg_free(is);
}

size_t intset_blob_len(const intset *is) {
    return HDR + (size_t)intset_len(is) * intset_encoding(is);
}

size_t intset_alloc_size(const intset *is) {
    return vg_alloc_size(is);
}

intset *intset_dup(const intset *is) {
    return vg_memdup(is, intset_blob_len(is));
}

/* Binary search: true and *pos = index if found, else *pos = insertion point. */
static bool search(const intset *is, int64_t v, uint32_t *pos) {
    uint32_t n = intset_len(is);
    if (n == 0) {
        *pos = 0;
        return false;
    }
    if (v > get_at(is, n - 1)) {
        *pos = n;
        return false;
    }
    if (v < get_at(is, 0)) {
        *pos = 0;
        return false;
    }
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = get_at(is, mid);
        if (cur == v) {
            *pos = mid;
            return true;
        }
        if (cur < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return false;
}

static intset *resize(intset *is, uint32_t len) {
    return vg_realloc(is, HDR + (size_t)len * intset_encoding(is));
}

/* Widen every element to the encoding v needs and add v (it is the new
 * minimum or maximum, since it did not fit the old width). */
static intset *upgrade_and_add(intset *is, int64_t v) {
    uint32_t old = intset_encoding(is), n = intset_len(is);
    uint32_t enc = value_encoding(v);
    bool prepend = v < 0;
    wr32(is->b, enc);
    is = resize(is, n + 1);
    /* Back to front so nothing is overwritten before it is read. */
    for (uint32_t i = n; i-- > 0;) {
        int64_t x = rd_val(is->b + HDR + (size_t)i * old, old);
        wr_val(is->b + HDR + (size_t)(i + prepend) * enc, enc, x);
    }
    set_at(is, prepend ? 0 : n, v);
    set_len(is, n + 1);
    return is;
}

intset *intset_add(intset *is, int64_t v, bool *added) {
    if (added) *added = true;
    if (value_encoding(v) > intset_encoding(is)) return upgrade_and_add(is, v);
    uint32_t pos, n = intset_len(is), enc = intset_encoding(is);
    if (search(is, v, &pos)) {
        if (added) *added = false;
        return is;
    }
    is = resize(is, n + 1);
    unsigned char *at = is->b + HDR + (size_t)pos * enc;
    memmove(at + enc, at, (size_t)(n - pos) * enc);
    wr_val(at, enc, v);
    set_len(is, n + 1);
    return is;
}

intset *intset_remove(intset *is, int64_t v, bool *removed) {
    uint32_t pos, n = intset_len(is), enc = intset_encoding(is);
    if (removed) *removed = false;
    if (value_encoding(v) > enc || !search(is, v, &pos)) return is;
    unsigned char *at = is->b + HDR + (size_t)pos * enc;
    memmove(at, at + enc, (size_t)(n - pos - 1) * enc);
    set_len(is, n - 1);
    if (removed) *removed = true;
    return resize(is, n - 1);
}

bool intset_find(const intset *is, int64_t v) {
    uint32_t pos;
    return value_encoding(v) <= intset_encoding(is) && search(is, v, &pos);
}

bool intset_get(const intset *is, uint32_t pos, int64_t *out) {
    if (pos >= intset_len(is)) return false;
    *out = get_at(is, pos);
    return true;
}

int64_t intset_random(const intset *is, uint64_t rnd) {
    uint32_t n = intset_len(is);
    VG_ASSERT(n > 0);
    return get_at(is, (uint32_t)(rnd % n));
}

int64_t intset_min(const intset *is) {
    VG_ASSERT(intset_len(is) > 0);
    return get_at(is, 0);
}

int64_t intset_max(const intset *is) {
    VG_ASSERT(intset_len(is) > 0);
    return get_at(is, intset_len(is) - 1);
}

bool intset_validate(const void *p, size_t size) {
    const unsigned char *b = p;
    if (size < HDR) return false;
    uint32_t enc = rd32(b), n = rd32(b + 4);
    if (enc != INTSET_ENC_INT16 && enc != INTSET_ENC_INT32 && enc != INTSET_ENC_INT64) return false;
    if ((uint64_t)n * enc + HDR != size) return false;
    for (uint32_t i = 1; i < n; i++) {
        if (rd_val(b + HDR + (size_t)(i - 1) * enc, enc) >= rd_val(b + HDR + (size_t)i * enc, enc))
            return false;
    }
    return true;
}

intset *intset_from_blob(const void *p, size_t size) {
    return vg_memdup(p, size);
}
