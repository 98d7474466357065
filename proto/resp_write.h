/* resp_write.h -- RESP2/RESP3 reply writer over a buf.
 *
 * Owns: nothing; appends to the caller's buf. Every function that has a
 * RESP3-only form takes the protocol version and degrades the way Redis
 * does in RESP2: maps become flat arrays, sets become arrays, null is $-1
 * (or *-1 for a null array), booleans become :1/:0, doubles become bulk
 * strings, verbatim strings become bulk strings, pushes become arrays. */
#ifndef VIGIL_PROTO_RESP_WRITE_H
#define VIGIL_PROTO_RESP_WRITE_H

#include <stddef.h>

#include "buf.h"

void resp_add_simple(buf *b, const char *s, size_t n);
/* msg without '-' or CRLF; CR/LF inside are replaced by spaces. */
void resp_add_error(buf *b, const char *msg, size_t n);
void resp_add_int(buf *b, long long v);
void resp_add_bulk(buf *b, const char *p, size_t n);
void resp_add_bulk_ll(buf *b, long long v);
void resp_add_null(buf *b, int proto);
void resp_add_null_array(buf *b, int proto);
void resp_add_array_len(buf *b, long long n);
void resp_add_map_len(buf *b, int proto, long long pairs);
void resp_add_set_len(buf *b, int proto, long long n);
void resp_add_push_len(buf *b, int proto, long long n);
void resp_add_attribute_len(buf *b, long long pairs);
void resp_add_double(buf *b, int proto, double d);
/* A long double as INCRBYFLOAT formats it; always a bulk string. */
void resp_add_bool(buf *b, int proto, int v);
void resp_add_verbatim(buf *b, int proto, const char *p, size_t n, const char *ext);
void resp_add_bignum(buf *b, int proto, const char *digits, size_t n);

/* Write a "<prefix><n>\r\n" header; used by the functions above. */
void resp_add_header(buf *b, char prefix, long long n);

#endif
