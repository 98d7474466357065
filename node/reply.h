/* reply.h -- reply helpers for command handlers.
 *
 * Owns: nothing; writes to the client's output buffer in the client's
 * protocol (RESP2 or RESP3) and counts error replies for INFO. Handlers
 * follow "reply and return". */
#ifndef VIGIL_NODE_REPLY_H
#define VIGIL_NODE_REPLY_H

#include <stddef.h>

#include "client.h"

void reply_ok(client *c);
void reply_simple(client *c, const char *s);
/* msg is a Redis error text without '-': "ERR syntax error". */
void reply_error(client *c, const char *msg);
void reply_errorf(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(client *c, long long v);
void reply_bulk(client *c, const char *p, size_t n);
void reply_bulk_str(client *c, const char *s);
void reply_bulk_ll(client *c, long long v);
void reply_null(client *c);
void reply_null_array(client *c);
void reply_array(client *c, long long n);
void reply_map(client *c, long long pairs);
void reply_set(client *c, long long n);
void reply_push(client *c, long long n);
void reply_double(client *c, double d);
void reply_verbatim(client *c, const char *p, size_t n, const char *ext);
/* A subcommand HELP reply, as Redis' addReplyHelp: the header line
 * "<CMD> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" (CMD is
 * argv[0] upper-cased), lines (NULL-terminated), then the HELP entry. */
void reply_help(client *c, const char *const *lines);
/* Append preformatted RESP. */
void reply_raw(client *c, const char *p, size_t n);
/* The value of a string kv as a bulk reply. */
struct kv;
void reply_kv_string(client *c, const struct kv *o);

/* A length not known yet: reserve, then fill with reply_deferred_set. */
size_t reply_deferred(client *c);
void reply_deferred_array(client *c, size_t handle, long long n);
void reply_deferred_map(client *c, size_t handle, long long pairs);
void reply_deferred_set(client *c, size_t handle, long long n);

/* Common errors with Redis' exact words. */
void reply_wrong_type(client *c);
void reply_syntax_error(client *c);
void reply_not_integer(client *c);
void reply_not_float(client *c);
void reply_out_of_range(client *c);

#endif
