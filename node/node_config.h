/* node_config.h -- the node's parameter table (Redis' names and defaults).
 *
 * Owns: the static config_param array bound to fields of `server`. */
#ifndef VIGIL_NODE_NODE_CONFIG_H
#define VIGIL_NODE_NODE_CONFIG_H

#include "config.h"

void node_config_init(config_table *t);
/* Render the client-output-buffer-limit value. */
void node_config_obuf_limits(buf *out);
/* Clamp hz into 1..500 as Redis does (after loading and on CONFIG SET). */
void node_config_clamp_hz(void);

#endif
