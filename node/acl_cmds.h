/* acl_cmds.h -- the commands ACL rules can name, as Redis 7.0 counts them.
 *
 * Owns: one flat table, built once after the command table: vigil's
 * commands, each followed by its subcommands, plus the Redis 7.0.15
 * commands and subcommands vigil lacks (from acl_redis_cmds.inc). Rules
 * may name those too, as in Redis, so ACL files written for Redis load and
 * rule descriptions (which count the commands of each category) come out
 * as Redis prints them; they only ever hold a bit, never run. */
#ifndef VIGIL_NODE_ACL_CMDS_H
#define VIGIL_NODE_ACL_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct acl_cmd {
    const char *name;          /* borrowed: static; full name "config|get" */
    int id;                    /* bit in selector bitmaps (a command's own id if vigil has it) */
    int parent;                /* table index of the container, or -1 */
    int nsub;                  /* subcommands, which follow it in the table */
    uint64_t cats;             /* category bits (acl_cats.h) */
    const struct command *cmd; /* borrowed: vigil's command, NULL for a Redis-only one */
    bool keys;                 /* Redis-only: has key arguments */
} acl_cmd;

/* Build the table (idempotent); needs the command table initialised. */
void acl_cmds_init(void);
int acl_cmds_count(void);
const acl_cmd *acl_cmds_at(int i);
/* The table index of the k-th entry in name order (a container comes
 * before its subcommands). */
int acl_cmds_by_name(int k);
/* Number of bitmap ids: vigil's command ids plus the Redis-only ones. */
int acl_cmds_ids(void);
/* Index of the entry named name ("get", "config|get"), case-insensitive; -1 if none. */
int acl_cmds_find(const char *name, size_t len);
/* Does argv name ("sync", or "cluster" "info" when sub is given) a Redis
 * 7.0 command vigil lacks and that takes no key arguments? COMMAND GETKEYS
 * answers those as Redis does. */
bool acl_cmds_redis_keyless(const char *name, size_t len, const char *sub, size_t sublen);

#endif
