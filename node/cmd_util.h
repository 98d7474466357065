/* cmd_util.h -- argument parsing helpers shared by command handlers.
 *
 * Owns: nothing. Each helper replies with Redis' error and returns false
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
/* Case-insensitive comparison of an argument with a keyword. */
bool arg_is(const vg_slice *a, const char *word);
/* CLIENT SETNAME / HELLO SETNAME validity (no spaces or newlines). */
bool cmd_client_name_valid(client *c, const vg_slice *name);

#endif
