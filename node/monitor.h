/* monitor.h -- MONITOR: stream every executed command to watching clients.
 *
 * Owns: the list of monitoring clients (borrowed pointers). */
#ifndef VIGIL_NODE_MONITOR_H
#define VIGIL_NODE_MONITOR_H

#include "client.h"

/* Send c's current command to every monitor (c too, if it is one), its
 * redacted arguments shown as "(redacted)". */
void monitor_feed(client *c);
void monitor_client_closed(client *c);

#endif
