/* acl_cmds.c -- the commands ACL rules can name, as Redis 7.0 counts them.
 *
 * Owns: the flat table acl_cmds.h describes. Entries are built once and
 * never change; Redis-only entries take ids after command_id_count(). */
#include "acl_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl_cats.h"
#include "command.h"
#include "vg_alloc.h"

typedef struct redis_cmd {
    const char *name; /* "config|get" */
    const char *cats; /* "@admin @slow @dangerous" */
    bool keys;        /* has key arguments (Redis' doesCommandHaveKeys) */
} redis_cmd;

static const redis_cmd redis_cmds[] = {
#include "acl_redis_cmds.inc"
};
#define NREDIS (sizeof(redis_cmds) / sizeof(redis_cmds[0]))

static acl_cmd *table; /* owned */
static int ntable;
static int *by_name; /* owned: table indexes in name order */
static int nids;

static void push(const char *name, int id, int parent, uint64_t cats, const command *cmd,
                 bool keys) {
    table = vg_realloc(table, (size_t)(ntable + 1) * sizeof(acl_cmd));
    table[ntable] = (acl_cmd){name, id, parent, 0, cats, cmd, keys};
    if (parent >= 0) table[parent].nsub++;
    ntable++;
}

/* Is redis_cmds[i] a command or subcommand vigil has? */
static bool vigil_has(const char *name) {
    const char *bar = strchr(name, '|');
    command *cmd = command_lookup(name, bar ? (size_t)(bar - name) : strlen(name));
    if (cmd == NULL || bar == NULL) return cmd != NULL;
    return cmd->subcommands && command_lookup_sub(cmd, bar + 1, strlen(bar + 1)) != NULL;
}

static void push_redis(size_t i, int parent) {
    push(redis_cmds[i].name, nids++, parent, acl_cats_parse(redis_cmds[i].cats, 0), NULL,
         redis_cmds[i].keys);
}

/* Redis-only subcommands of the container called name (len bytes). */
static void push_redis_subs(const char *name, size_t len, int parent) {
    for (size_t i = 0; i < NREDIS; i++)
        if (strncasecmp(redis_cmds[i].name, name, len) == 0 && redis_cmds[i].name[len] == '|' &&
            !vigil_has(redis_cmds[i].name))
            push_redis(i, parent);
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(table[*(const int *)a].name, table[*(const int *)b].name);
}

void acl_cmds_init(void) {
    if (table) return;
    VG_ASSERT(command_count() > 0); /* built from the command table: init that first */
    nids = command_id_count();
    for (size_t i = 0; i < command_count(); i++) {
        command *cmd = command_at(i);
        int at = ntable;
        push(cmd->fullname, cmd->id, -1, cmd->acl_bits, cmd, false);
        if (cmd->subcommands)
            for (command *sub = cmd->subcommands; sub->name; sub++)
                push(sub->fullname, sub->id, at, sub->acl_bits, sub, false);
        push_redis_subs(cmd->fullname, strlen(cmd->fullname), at);
    }
    for (size_t i = 0; i < NREDIS; i++) {
        if (strchr(redis_cmds[i].name, '|') || vigil_has(redis_cmds[i].name)) continue;
        int at = ntable;
        push_redis(i, -1);
        push_redis_subs(redis_cmds[i].name, strlen(redis_cmds[i].name), at);
    }
    by_name = vg_malloc((size_t)ntable * sizeof(int));
    for (int i = 0; i < ntable; i++)
        by_name[i] = i;
    qsort(by_name, (size_t)ntable, sizeof(int), cmp_names);
}

int acl_cmds_by_name(int k) {
    return by_name[k];
}

int acl_cmds_count(void) {
    return ntable;
}

const acl_cmd *acl_cmds_at(int i) {
    return &table[i];
}

int acl_cmds_ids(void) {
    return nids;
}

int acl_cmds_find(const char *name, size_t len) {
    for (int i = 0; i < ntable; i++)
        if (strlen(table[i].name) == len && strncasecmp(table[i].name, name, len) == 0) return i;
    return -1;
}

bool acl_cmds_redis_keyless(const char *name, size_t len, const char *sub, size_t sublen) {
    acl_cmds_init();
    int i = acl_cmds_find(name, len);
    if (i >= 0 && table[i].nsub > 0 && sub) {
        char full[128];
        int n = snprintf(full, sizeof(full), "%.*s|%.*s", (int)len, name, (int)sublen, sub);
        i = n > 0 && (size_t)n < sizeof(full) ? acl_cmds_find(full, (size_t)n) : -1;
    }
    return i >= 0 && table[i].cmd == NULL && !table[i].keys;
}
