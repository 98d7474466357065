/* client_pause.h -- CLIENT PAUSE: commands held until a deadline.
 *
 * Owns: the pause state (mode, deadline, timer). A paused node keeps
 * reading from its clients but leaves the held commands in their query
 * buffers; client.c asks client_pause_holds() before running each one, and
 * when the pause ends (CLIENT UNPAUSE or the deadline) every client with
 * input left is processed again, in order. Replica and primary links never
 * wait. CLIENT PAUSE and UNPAUSE (cmd_client.c) only parse and call here. */
#ifndef VIGIL_NODE_CLIENT_PAUSE_H
#define VIGIL_NODE_CLIENT_PAUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"

enum client_pause_mode {
    CLIENT_PAUSE_NONE = 0,
    CLIENT_PAUSE_WRITE = 1, /* hold writes (and EXEC) only */
    CLIENT_PAUSE_ALL = 2,   /* hold every command */
};

/* Pause in mode until end_ms (wall clock). A pause already in force only
 * widens (WRITE -> ALL) and lengthens, never narrows or shortens. */
void client_pause_start(int mode, int64_t end_ms);
/* End the pause now and resume the held clients; nothing when not paused. */
void client_pause_end(void);
/* Must c's next command (named name) wait? */
bool client_pause_holds(const client *c, const char *name, size_t len);

#endif
