/* node.h -- the node's life cycle: configure, start, run, tear down.
 *
 * Owns: the glue at the top of the node (see node.c). main.c calls these
 * in order; nothing else in the node includes this header. */
#ifndef VIGIL_NODE_NODE_H
#define VIGIL_NODE_NODE_H

#include "vg_common.h"

/* Start-up: parse arguments (config file then --name value overrides). */
int node_configure(int argc, char **argv, vg_error *err);
/* Open the databases, listen, install timers and signals. */
int node_start(vg_error *err);
/* Run the loop until shutdown; returns the exit code. */
int node_run(void);
/* Stop accepting, close clients, free everything (tests and clean exit). */
void node_teardown(void);

#endif
