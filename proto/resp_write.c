/* resp_write.c -- RESP2/RESP3 reply writer over a buf.
 *
 * Owns: nothing. Hot paths (headers, bulks, integers) avoid printf. */
#include "resp_write.h"

#include <string.h>

void resp_add_header(buf *b, char prefix, long long n) {
    buf_reserve(b, 24);
    char *p = b->data + b->len;
    p[0] = prefix;
    int k = vg_ll2str(p + 1, n);
    p[1 + k] = '\r';
    p[2 + k] = '\n';
    b->len += (size_t)k + 3;
    b->data[b->len] = '\0';
}

void resp_add_simple(buf *b, const char *s, size_t n) {
    buf_reserve(b, n + 3);
    b->data[b->len++] = '+';
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len++] = '\r';
    b->data[b->len++] = '\n';
    b->data[b->len] = '\0';
}

void resp_add_error(buf *b, const char *msg, size_t n) {
    buf_reserve(b, n + 3);
    b->data[b->len++] = '-';
    for (size_t i = 0; i < n; i++) {
        char c = msg[i];
        b->data[b->len++] = (c == '\r' || c == '\n') ? ' ' : c;
    }
    b->data[b->len++] = '\r';
    b->data[b->len++] = '\n';
    b->data[b->len] = '\0';
}

void resp_add_int(buf *b, long long v) {
    resp_add_header(b, ':', v);
}

void resp_add_bulk(buf *b, const char *p, size_t n) {
    resp_add_header(b, '$', (long long)n);
    buf_reserve(b, n + 2);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len++] = '\r';
    b->data[b->len++] = '\n';
    b->data[b->len] = '\0';
}

void resp_add_bulk_ll(buf *b, long long v) {
    char tmp[24];
    int n = vg_ll2str(tmp, v);
    resp_add_bulk(b, tmp, (size_t)n);
}

void resp_add_null(buf *b, int proto) {
    if (proto >= 3)
        buf_append(b, "_\r\n", 3);
    else
        buf_append(b, "$-1\r\n", 5);
}

void resp_add_null_array(buf *b, int proto) {
    if (proto >= 3)
        buf_append(b, "_\r\n", 3);
    else
        buf_append(b, "*-1\r\n", 5);
}

void resp_add_array_len(buf *b, long long n) {
    resp_add_header(b, '*', n);
}

void resp_add_map_len(buf *b, int proto, long long pairs) {
    if (proto >= 3)
        resp_add_header(b, '%', pairs);
    else
        resp_add_header(b, '*', pairs * 2);
}

void resp_add_set_len(buf *b, int proto, long long n) {
    resp_add_header(b, proto >= 3 ? '~' : '*', n);
}

void resp_add_push_len(buf *b, int proto, long long n) {
    resp_add_header(b, proto >= 3 ? '>' : '*', n);
}

void resp_add_attribute_len(buf *b, long long pairs) {
    resp_add_header(b, '|', pairs);
}

void resp_add_double(buf *b, int proto, double d) {
    char tmp[64];
    int n = vg_d2str(tmp, sizeof(tmp), d);
    if (proto >= 3) {
        buf_append_char(b, ',');
        buf_append(b, tmp, (size_t)n);
        buf_append(b, "\r\n", 2);
    } else {
        resp_add_bulk(b, tmp, (size_t)n);
    }
}

void resp_add_bool(buf *b, int proto, int v) {
    if (proto >= 3)
        buf_append(b, v ? "#t\r\n" : "#f\r\n", 4);
    else
        buf_append(b, v ? ":1\r\n" : ":0\r\n", 4);
}

void resp_add_verbatim(buf *b, int proto, const char *p, size_t n, const char *ext) {
    if (proto < 3) {
        resp_add_bulk(b, p, n);
        return;
    }
    resp_add_header(b, '=', (long long)n + 4);
    buf_append(b, ext, 3);
    buf_append_char(b, ':');
    buf_append(b, p, n);
    buf_append(b, "\r\n", 2);
}

void resp_add_bignum(buf *b, int proto, const char *digits, size_t n) {
    if (proto < 3) {
        resp_add_bulk(b, digits, n);
        return;
    }
    buf_append_char(b, '(');
    buf_append(b, digits, n);
    buf_append(b, "\r\n", 2);
}
