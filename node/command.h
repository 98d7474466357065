/* command.h -- the command table and dispatch.
 *
 * Owns: the merged command table. Each module declares its commands in a
 * static array and registers it with COMMAND_TABLE(array) (a start-up
 * constructor), so adding a command touches only its own module.
 * Dispatch order (command_process): lookup (and subcommand) -> arity ->
 * protected (DEBUG) -> auth -> ACL -> pub/sub context (RESP2 subscriber)
 * -> OOM -> MONITOR client touching keys -> MULTI queue -> command_call:
 * execute inside a propagation frame, then commandstats, SLOWLOG, MONITOR
 * (redacted arguments hidden) and latency. There is no replica read-only
 * check yet. */
#ifndef VIGIL_NODE_COMMAND_H
#define VIGIL_NODE_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"

typedef void (*command_proc)(client *c);

/* Command flags (Redis' names, lower-cased in COMMAND INFO). */
#define CMD_WRITE (1u << 0)
#define CMD_READONLY (1u << 1)
#define CMD_DENYOOM (1u << 2)
#define CMD_ADMIN (1u << 3)
#define CMD_PUBSUB (1u << 4)
#define CMD_NOSCRIPT (1u << 5)
#define CMD_BLOCKING (1u << 6)
#define CMD_LOADING (1u << 7)
#define CMD_STALE (1u << 8)
#define CMD_SKIP_MONITOR (1u << 9)
#define CMD_SKIP_SLOWLOG (1u << 10)
#define CMD_FAST (1u << 11)
#define CMD_NO_AUTH (1u << 12)
#define CMD_MAY_REPLICATE (1u << 13)
#define CMD_NO_MULTI (1u << 14)
#define CMD_ALLOW_BUSY (1u << 15)
#define CMD_SENTINEL (1u << 16)
#define CMD_ONLY_SENTINEL (1u << 17)
#define CMD_MOVABLE_KEYS (1u << 18)
#define CMD_PROTECTED (1u << 19) /* gated by enable-debug-command; hidden from COMMAND INFO */
/* May expire keys it did not name (SCAN, RANDOMKEY): its propagated DELs
 * are never wrapped in MULTI/EXEC. Hidden from COMMAND INFO, as in Redis. */
#define CMD_TOUCHES_ARBITRARY_KEYS (1u << 20)
/* Refused while a replica loads asynchronously (shown in COMMAND INFO). */
#define CMD_NO_ASYNC_LOADING (1u << 21)
/* Served for a client that sent ASKING (cluster): RESTORE-ASKING. */
#define CMD_ASKING (1u << 22)

/* What the ACL asks of a key argument: Redis 7 gives each key spec its own
 * flags, and a key needs read permission when its spec has ACCESS, write
 * when it has INSERT, DELETE or UPDATE, and only a matching pattern when
 * it has neither (EXISTS, TYPE, STRLEN ...). A table row names the need of
 * its first key and of the keys after it (the numkeys group included); 0
 * derives it from the command flags (write -> W, readonly -> R, else RW). */
#define CMD_KEY_READ 1  /* resolved need: read permission */
#define CMD_KEY_WRITE 2 /* resolved need: write permission */
enum command_key_need {
    CMD_KEY_DERIVE = 0,
    CMD_KEY_NONE = 4,
    CMD_KEY_R = 4 | CMD_KEY_READ,
    CMD_KEY_W = 4 | CMD_KEY_WRITE,
    CMD_KEY_RW = 4 | CMD_KEY_READ | CMD_KEY_WRITE,
    CMD_KEY_W_RW_IF_GET = 8, /* SET: RW when an argument after the value is GET, else W */
};

typedef struct command {
    const char *name;     /* lower case; "config|get" style is built for subcommands */
    command_proc proc;    /* handler; NULL for a container with subcommands */
    int arity;            /* > 0 exact, < 0 at least -arity */
    uint32_t flags;       /* CMD_* */
    const char *acl_cats; /* space separated: "@keyspace @read @fast" */
    int first_key;        /* 0 if none */
    int last_key;         /* -1 = last argument */
    int key_step;
    int numkeys_arg;             /* > 0: argv[numkeys_arg] counts the keys that follow it */
    struct command *subcommands; /* borrowed: static array, NULL-name terminated */
    const char *summary;         /* COMMAND DOCS */
    const char *since;           /* COMMAND DOCS */
    const char *group;           /* COMMAND DOCS: "string", "generic", ... */
    uint8_t key_need_first;      /* enum command_key_need of the first key */
    uint8_t key_need_rest;       /* enum command_key_need of every later key */
    /* --- runtime, filled by command.c --- */
    struct command *parent;
    int id;            /* dense index (commands and subcommands) for ACL bitmaps */
    char fullname[64]; /* "get" or "config|get" */
    uint64_t acl_bits; /* categories as bits */
    long long calls;
    long long usec;
    long long rejected_calls;
    long long failed_calls;
} command;

void command_register_table(command *cmds, size_t n);
#define COMMAND_TABLE(arr)                                                                         \
    __attribute__((constructor)) static void register_##arr(void) {                                \
        command_register_table(arr, sizeof(arr) / sizeof(arr[0]));                                 \
    }

/* Build lookup structures; call once before serving. */
void command_table_init(void);
/* Lookup by name, case-insensitive. */
command *command_lookup(const char *name, size_t len);
/* Lookup a subcommand of cmd, case-insensitive. */
command *command_lookup_sub(const command *cmd, const char *name, size_t len);
/* Dispatch c->argv (checks, then call). */
void command_process(client *c);
/* Run the handler and account for it (also used by EXEC). */
void command_call(client *c, command *cmd);
/* Show argv[i] of the command running on c as "(redacted)" in SLOWLOG and
 * MONITOR. Handlers mark secrets (passwords, ACL rules, sensitive CONFIG
 * values) where Redis does, before any early return that still logs the
 * command (MIGRATE's AUTH and AUTH2 values too, once it exists); the marks
 * end when the command returns. i < c->argc. */
void command_redact_arg(client *c, int i);
/* Did the running command mark argv[i] with command_redact_arg? */
bool command_arg_redacted(const client *c, int i);
/* Number of ids handed out (commands plus subcommands). */
int command_id_count(void);
/* Call cb for every key argument of argv under cmd (first/last/step, then
 * a numkeys group). Returns the number of keys visited: none when the
 * numkeys argument is malformed (not an integer, < 1, past the end). */
typedef void (*command_key_cb)(const vg_slice *key, void *arg);
int command_keys(const command *cmd, const vg_slice *argv, int argc, command_key_cb cb, void *arg);
/* As command_keys, and cb also gets the key's resolved need: CMD_KEY_READ
 * | CMD_KEY_WRITE bits, 0 when any matching pattern will do. key borrows
 * argv, so key - argv is its position. */
typedef void (*command_key_need_cb)(const vg_slice *key, int need, void *arg);
int command_keys_need(const command *cmd, const vg_slice *argv, int argc, command_key_need_cb cb,
                      void *arg);
/* Iterate over all top-level commands. */
size_t command_count(void);
command *command_at(size_t i);
/* Flags of the command as COMMAND INFO lists them. */
void command_reply_flags(client *c, const command *cmd);
/* Reset per-command stats (CONFIG RESETSTAT). */
void command_reset_stats(void);
/* Error reply for an unknown subcommand: "ERR unknown subcommand 'x'. Try CONFIG HELP." */
void command_reply_unknown_sub(client *c);
/* "ERR wrong number of arguments for 'x' command" with c->cmd's full name. */
void command_reply_arity_error(client *c);

#endif
