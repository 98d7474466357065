/* node_config.h -- the node's parameter table (Redis' names and defaults).
 *
 * Owns: the static config_param array bound to fields of `server`. */
#ifndef VIGIL_NODE_NODE_CONFIG_H
#define VIGIL_NODE_NODE_CONFIG_H

#include <stdbool.h>

#include "config.h"

typedef struct client client;

/* Values of enable-debug-command, enable-module-command and
 * enable-protected-configs (Redis' "no", "yes", "local"). */
enum protected_action {
    PROTECTED_ACTION_NO = 0,
    PROTECTED_ACTION_YES,
    PROTECTED_ACTION_LOCAL, /* only clients connected from 127.0.0.1 or ::1 */
};

void node_config_init(config_table *t);
/* Whether c may do what a parameter holding setting (PROTECTED_ACTION_*)
 * guards. Borrows c; a client without a socket is never local. */
bool node_config_protected_allows(int setting, client *c);
/* Render the client-output-buffer-limit value. */
void node_config_obuf_limits(buf *out);
/* Clamp hz into 1..500 as Redis does (after loading and on CONFIG SET). */
void node_config_clamp_hz(void);

#endif
