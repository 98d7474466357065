/* buf.c -- growable, binary-safe byte strings and number formatting.
 *
 * Owns: buf memory. Growth is geometric, so appending n bytes in small
 * pieces costs O(n) copying in all: capacity doubles up to 1 MiB, then grows
 * by half (at most a third of a big buffer is slack). A reserve bigger than
 * the next step is given exactly what it asked for, so one huge argument or
 * value does not reserve twice its size. */
#include "buf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg_alloc.h"
#include "vg_common.h"

void buf_init(buf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_free(buf *b) {
    vg_free(b->data);
    buf_init(b);
}

size_t buf_next_cap(size_t cap, size_t need) {
    size_t step;
    if (cap < 16)
        step = 16;
    else if (cap < BUF_DOUBLE_MAX)
        step = cap * 2;
    else
        step = cap + cap / 2;
    if (step < cap) step = SIZE_MAX - 1; /* overflow: the allocator will refuse */
    return step > need ? step : need;
}

void buf_reserve(buf *b, size_t extra) {
    if (b->cap - b->len >= extra && b->data != NULL) return;
    VG_ASSERT(extra < SIZE_MAX - 1 - b->len);
    size_t ncap = buf_next_cap(b->cap, b->len + extra);
    b->data = vg_realloc(b->data, ncap + 1);
    b->cap = ncap;
    b->data[b->len] = '\0';
}

void buf_append(buf *b, const void *p, size_t n) {
    buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_append_str(buf *b, const char *s) {
    buf_append(b, s, strlen(s));
}

void buf_append_char(buf *b, char ch) {
    buf_reserve(b, 1);
    b->data[b->len++] = ch;
    b->data[b->len] = '\0';
}

void buf_append_vfmt(buf *b, const char *fmt, va_list ap) {
    va_list cp;
    va_copy(cp, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0) return;
    if ((size_t)n < sizeof(small)) {
        buf_append(b, small, (size_t)n);
        return;
    }
    buf_reserve(b, (size_t)n + 1);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_append_fmt(buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_append_vfmt(b, fmt, ap);
    va_end(ap);
}

void buf_insert(buf *b, size_t off, const void *p, size_t n) {
    if (off > b->len) off = b->len;
    buf_reserve(b, n);
    memmove(b->data + off + n, b->data + off, b->len - off);
    memcpy(b->data + off, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_consume(buf *b, size_t n) {
    if (n >= b->len) {
        b->len = 0;
        if (b->data) b->data[0] = '\0';
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

void buf_clear(buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void buf_shrink(buf *b) {
    if (b->data == NULL) return;
    if (b->len == 0 && b->cap > 4096) {
        buf_free(b);
        return;
    }
    if (b->cap > 32768 && b->len < b->cap / 4) {
        size_t ncap = b->len < 16 ? 16 : b->len;
        b->data = vg_realloc(b->data, ncap + 1);
        b->cap = ncap;
    }
}

void buf_swap(buf *a, buf *b) {
    buf t = *a;
    *a = *b;
    *b = t;
}

int vg_ull2str(char *dst, unsigned long long v) {
    char tmp[21];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    dst[n] = '\0';
    return n;
}

int vg_ll2str(char *dst, long long v) {
    if (v < 0) {
        dst[0] = '-';
        unsigned long long u = (unsigned long long)(-(v + 1)) + 1;
        return 1 + vg_ull2str(dst + 1, u);
    }
    return vg_ull2str(dst, (unsigned long long)v);
}

bool vg_str2ll(const char *s, size_t len, long long *out) {
    if (len == 0 || len > 20) return false;
    size_t i = 0;
    bool neg = false;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    if (s[0] == '-') {
        neg = true;
        i = 1;
        if (len == 1) return false;
    }
    if (s[i] < '1' || s[i] > '9') return false;
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (1844674407370955161ULL)) return false;
        v = v * 10;
        if (v > ~0ULL - d) return false;
        v += d;
    }
    if (neg) {
        if (v > (unsigned long long)9223372036854775808ULL) return false;
        *out = v == (unsigned long long)9223372036854775808ULL ? (-9223372036854775807LL - 1)
                                                               : -(long long)v;
    } else {
        if (v > 9223372036854775807ULL) return false;
        *out = (long long)v;
    }
    return true;
}

static bool has_space_or_empty(const char *s, size_t len) {
    if (len == 0) return true;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\v' ||
            s[i] == '\f' || s[i] == '\0')
            return true;
    return false;
}

bool vg_str2ld(const char *s, size_t len, long double *out) {
    char tmp[5120];
    if (len >= sizeof(tmp) || has_space_or_empty(s, len)) return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    char *end;
    long double v = strtold(tmp, &end);
    if ((size_t)(end - tmp) != len ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)) || isnan(v))
        return false;
    *out = v;
    return true;
}

bool vg_str2d(const char *s, size_t len, double *out) {
    char tmp[5120];
    if (len >= sizeof(tmp) || has_space_or_empty(s, len)) return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    char *end;
    double v = strtod(tmp, &end);
    if ((size_t)(end - tmp) != len ||
        (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) || isnan(v))
        return false;
    *out = v;
    return true;
}

int vg_ld2str(char *dst, size_t cap, long double v) {
    if (isinf(v)) return snprintf(dst, cap, "%s", v > 0 ? "inf" : "-inf");
    int n = snprintf(dst, cap, "%.17Lf", v);
    if (n < 0 || (size_t)n >= cap) return snprintf(dst, cap, "%.17Lg", v);
    /* Trim trailing zeroes after the point, then a dangling point. */
    if (strchr(dst, '.') != NULL) {
        while (n > 0 && dst[n - 1] == '0')
            n--;
        if (n > 0 && dst[n - 1] == '.') n--;
        dst[n] = '\0';
    }
    if (n == 2 && dst[0] == '-' && dst[1] == '0') {
        dst[0] = '0';
        dst[1] = '\0';
        n = 1;
    }
    return n;
}

int vg_d2str(char *dst, size_t cap, double v) {
    if (isinf(v)) return snprintf(dst, cap, "%s", v > 0 ? "inf" : "-inf");
    if (v == 0) return snprintf(dst, cap, "%s", signbit(v) ? "-0" : "0");
    return snprintf(dst, cap, "%.17g", v);
}
