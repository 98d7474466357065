/* cmd_util.h -- argument parsing helpers shared by command handlers, and
 * the after-write signal.
 *
 * Owns: nothing. Each parser replies with Redis' error and returns false
 * when the argument is unusable, so handlers can "check and return". */
#ifndef VIGIL_NODE_CMD_UTIL_H
#define VIGIL_NODE_CMD_UTIL_H

#include <stdbool.h>

#include "client.h"

/* Integer argument; replies "ERR value is not an integer or out of range". */
bool arg_ll(client *c, const vg_slice *a, long long *out);
/* Integer argument within [min, max]; replies msg (or the default) otherwise. */
bool arg_ll_range(client *c, const vg_slice *a, long long min, long long max, const char *msg,
                  long long *out);
/* A double the way Redis' string2d reads one (ZADD scores, WEIGHTS): the
 * whole argument must parse with strtod, no leading space, no embedded NUL,
 * no overflow to +-inf or underflow to 0 from range errors, no NaN; hex
 * forms, "inf" and "-infinity" pass. Any length. Does not reply. */
bool arg_double(const vg_slice *a, double *out);
/* One end of a score range the way Redis' zslParseRange reads it: an
 * optional '(' for an exclusive end, then strtod over the bytes up to the
 * first NUL, which must all be consumed. So "" and "(" are 0, " 1" is 1,
 * "1\0junk" is 1, "1e400" is inf; only NaN and trailing bytes fail. Does
 * not reply. */
bool arg_score_bound(const vg_slice *a, double *v, bool *exclusive);
/* A SCAN cursor the way Redis' parseScanCursorOrReply reads one: strtoul
 * in base 10 over the bytes up to the first NUL, which must all be used;
 * no leading space, no overflow; a sign is allowed ("-1" wraps). So "" is
 * 0. Does not reply ("ERR invalid cursor" is the caller's). */
bool arg_scan_cursor(const vg_slice *a, unsigned long long *out);
/* Case-insensitive comparison of an argument with a keyword. */
bool arg_is(const vg_slice *a, const char *word);
/* CLIENT SETNAME / HELLO SETNAME validity (no spaces or newlines). */
bool cmd_client_name_valid(client *c, const vg_slice *name);

/* After a write to key in c's db: signal it modified (WATCH, blocked
 * clients) and send the keyspace event (class type, name event). */
void key_changed(client *c, const vg_slice *key, int type, const char *event);

#endif
