/* command.c -- the command table and dispatch.
 *
 * Owns: the merged, sorted table of pointers to every module's commands
 * and a hash index of it by name. Modules register their static arrays
 * before main() runs; init sorts and indexes them and fills the runtime
 * fields (full names, ACL bits). */
#include "command.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "acl_cats.h"
#include "blocking.h"
#include "evict.h"
#include "latency.h"
#include "monitor.h"
#include "multi.h"
#include "propagate.h"
#include "pubsub.h"
#include "reply.h"
#include "slowlog.h"
#include "server.h"
#include "vg_alloc.h"

#define MAX_TABLES 64

static struct {
    command *cmds;
    size_t n;
} tables[MAX_TABLES];
static size_t ntables;

static command **sorted; /* owned: pointers into module tables */
static size_t nsorted;

/* Open-addressing index of sorted[] by case-folded name, filled by
 * command_table_init: a lookup hashes the name once and mostly compares
 * one entry, where the binary search compared eight (about a tenth of a
 * pipelined GET's instructions). Fixed content and a load under 1/2, so
 * probe runs stay short whatever the client sends. */
#define NAME_INDEX_SLOTS 1024
static command *name_index[NAME_INDEX_SLOTS];
static size_t longest_name; /* a longer name is no command */

/* server.stat_total_error_replies when the innermost command_call last
 * started or ended: a call failed if the counter moved past it. Shared by
 * nested calls (EXEC) so an inner error is not charged to EXEC as well. */
static long long errors_seen;

void command_register_table(command *cmds, size_t n) {
    VG_ASSERT(ntables < MAX_TABLES);
    tables[ntables].cmds = cmds;
    tables[ntables].n = n;
    ntables++;
}

static int cmp_cmd(const void *a, const void *b) {
    const command *x = *(command *const *)a, *y = *(command *const *)b;
    return strcasecmp(x->name, y->name);
}

static int next_id;

int command_id_count(void) {
    return next_id;
}

static void init_one(command *cmd, command *parent) {
    cmd->parent = parent;
    cmd->id = next_id++;
    if (parent)
        snprintf(cmd->fullname, sizeof(cmd->fullname), "%s|%s", parent->name, cmd->name);
    else
        snprintf(cmd->fullname, sizeof(cmd->fullname), "%s", cmd->name);
    cmd->acl_bits = acl_cats_parse(cmd->acl_cats, cmd->flags);
    if (cmd->subcommands)
        for (command *sub = cmd->subcommands; sub->name; sub++)
            init_one(sub, cmd);
}

/* FNV-1a over the name with ASCII letters folded to lower case. */
static size_t name_slot(const char *name, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch + 32);
        h = (h ^ ch) * 16777619u;
    }
    return h & (NAME_INDEX_SLOTS - 1);
}

static void index_names(void) {
    VG_ASSERT(nsorted < NAME_INDEX_SLOTS / 2);
    for (size_t i = 0; i < nsorted; i++) {
        size_t len = strlen(sorted[i]->name);
        if (len > longest_name) longest_name = len;
        size_t slot = name_slot(sorted[i]->name, len);
        while (name_index[slot])
            slot = (slot + 1) & (NAME_INDEX_SLOTS - 1);
        name_index[slot] = sorted[i];
    }
}

void command_table_init(void) {
    if (sorted) return;
    size_t total = 0;
    for (size_t t = 0; t < ntables; t++)
        total += tables[t].n;
    sorted = vg_malloc(total * sizeof(command *));
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t].n; i++) {
            init_one(&tables[t].cmds[i], NULL);
            sorted[nsorted++] = &tables[t].cmds[i];
        }
    qsort(sorted, nsorted, sizeof(command *), cmp_cmd);
    for (size_t i = 1; i < nsorted; i++)
        if (strcasecmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
            fprintf(stderr, "duplicate command '%s' in the command table\n", sorted[i]->name);
            abort();
        }
    index_names();
}

static int name_cmp(const char *name, size_t len, const char *cmdname) {
    for (size_t i = 0; i < len; i++) {
        unsigned char a = (unsigned char)name[i], b = (unsigned char)cmdname[i];
        if (a >= 'A' && a <= 'Z') a = (unsigned char)(a + 32);
        if (b == '\0') return 1;
        if (a != b) return a < b ? -1 : 1;
    }
    return cmdname[len] == '\0' ? 0 : -1;
}

command *command_lookup(const char *name, size_t len) {
    if (len > longest_name) return NULL;
    for (size_t slot = name_slot(name, len); name_index[slot];
         slot = (slot + 1) & (NAME_INDEX_SLOTS - 1))
        if (name_cmp(name, len, name_index[slot]->name) == 0) return name_index[slot];
    return NULL;
}

command *command_lookup_sub(const command *cmd, const char *name, size_t len) {
    if (cmd->subcommands == NULL) return NULL;
    for (command *sub = cmd->subcommands; sub->name; sub++)
        if (name_cmp(name, len, sub->name) == 0) return sub;
    return NULL;
}

size_t command_count(void) {
    return nsorted;
}

command *command_at(size_t i) {
    return i < nsorted ? sorted[i] : NULL;
}

void command_reset_stats(void) {
    for (size_t i = 0; i < nsorted; i++) {
        command *c = sorted[i];
        c->calls = c->usec = c->rejected_calls = c->failed_calls = 0;
        if (c->subcommands)
            for (command *s = c->subcommands; s->name; s++)
                s->calls = s->usec = s->rejected_calls = s->failed_calls = 0;
    }
}

/* SET asks read permission too when it returns the old value (Redis'
 * setGetKeys): any argument after the value spelled GET, in any case. */
static bool has_get_option(const vg_slice *argv, int argc) {
    for (int i = 3; i < argc; i++)
        if (argv[i].len == 3 && strncasecmp(argv[i].ptr, "get", 3) == 0) return true;
    return false;
}

/* The resolved CMD_KEY_READ | CMD_KEY_WRITE bits of a table need. */
static int resolve_need(const command *cmd, int need, const vg_slice *argv, int argc) {
    if (need == CMD_KEY_W_RW_IF_GET)
        return has_get_option(argv, argc) ? CMD_KEY_READ | CMD_KEY_WRITE : CMD_KEY_WRITE;
    if (need != CMD_KEY_DERIVE) return need & (CMD_KEY_READ | CMD_KEY_WRITE);
    if (cmd->flags & CMD_WRITE) return CMD_KEY_WRITE;
    if (cmd->flags & CMD_READONLY) return CMD_KEY_READ;
    return CMD_KEY_READ | CMD_KEY_WRITE;
}

/* Redis' atoi(): leading blanks, a sign, digits; strtol saturates and the
 * int conversion keeps the low bits. */
static int redis_atoi(const vg_slice *arg) {
    char tmp[64];
    size_t n = arg->len < sizeof(tmp) - 1 ? arg->len : sizeof(tmp) - 1;
    memcpy(tmp, arg->ptr, n);
    tmp[n] = '\0';
    return (int)strtol(tmp, NULL, 10);
}

/* Redis' genericGetKeys, the fallback when a numkeys key spec fails (a
 * numkeys that is no integer, such as "1e400"): atoi() of the count, the
 * counted keys, then the store key. Returns the number visited. */
static int fallback_keys(const command *cmd, const vg_slice *argv, int argc, command_key_need_cb cb,
                         void *arg) {
    int need = 0; /* genericGetKeys gives no key flags: any matching pattern will do */
    int first = cmd->numkeys_arg + 1;
    int num = redis_atoi(&argv[cmd->numkeys_arg]);
    if (num < 1 || num > argc - first) return 0;
    for (int i = 0; i < num; i++)
        cb(&argv[first + i], need, arg);
    if (cmd->first_key > 0 && cmd->first_key < cmd->numkeys_arg) {
        cb(&argv[cmd->first_key], need, arg);
        num++;
    }
    return num;
}

int command_keys_need(const command *cmd, const vg_slice *argv, int argc, command_key_need_cb cb,
                      void *arg) {
    long long count = 0;
    int first_need = resolve_need(cmd, cmd->key_need_first, argv, argc);
    int rest_need = resolve_need(cmd, cmd->key_need_rest, argv, argc);
    /* As Redis' key specs do: a numkeys that is below 1 or runs past the
     * arguments makes the command malformed, and then it has no keys at
     * all (its handler replies the syntax error); one that is no integer
     * falls back to Redis' getkeys function. */
    if (cmd->numkeys_arg > 0) {
        if (cmd->numkeys_arg >= argc) return 0;
        const vg_slice *nk = &argv[cmd->numkeys_arg];
        if (!vg_str2ll(nk->ptr, nk->len, &count)) return fallback_keys(cmd, argv, argc, cb, arg);
        if (count < 1 || count > argc - 1 - cmd->numkeys_arg) return 0;
    }
    int n = 0;
    if (cmd->first_key > 0 && cmd->first_key < argc) {
        int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
        int step = cmd->key_step > 0 ? cmd->key_step : 1;
        if (last >= argc) last = argc - 1;
        for (int i = cmd->first_key; i <= last; i += step, n++)
            cb(&argv[i], n == 0 ? first_need : rest_need, arg);
    }
    for (long long i = 0; i < count; i++, n++)
        cb(&argv[cmd->numkeys_arg + 1 + i], n == 0 ? first_need : rest_need, arg);
    return n;
}

typedef struct plain_keys {
    command_key_cb cb;
    void *arg;
} plain_keys;

static void plain_key_cb(const vg_slice *key, int need, void *arg) {
    (void)need;
    plain_keys *p = arg;
    p->cb(key, p->arg);
}

int command_keys(const command *cmd, const vg_slice *argv, int argc, command_key_cb cb, void *arg) {
    plain_keys p = {cb, arg};
    return command_keys_need(cmd, argv, argc, plain_key_cb, &p);
}

static bool arity_ok(const command *cmd, int argc) {
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

static void reply_unknown_command(client *c) {
    char args[256];
    size_t used = 0;
    args[0] = '\0';
    for (int i = 1; i < c->argc && used < sizeof(args) - 1; i++) {
        int n = snprintf(args + used, sizeof(args) - used, "'%.*s' ",
                         (int)(c->argv[i].len > 128 ? 128 : c->argv[i].len), c->argv[i].ptr);
        if (n < 0) break;
        used += (size_t)n;
        if (used >= sizeof(args)) used = sizeof(args) - 1;
    }
    reply_errorf(c, "ERR unknown command '%.128s', with args beginning with: %s", c->argv[0].ptr,
                 args);
}

void command_reply_unknown_sub(client *c) {
    char up[64];
    snprintf(up, sizeof(up), "%s",
             c->cmd && c->cmd->parent ? c->cmd->parent->name : c->argv[0].ptr);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
    reply_errorf(c, "ERR unknown subcommand '%.128s'. Try %s HELP.", c->argv[1].ptr, up);
}

void command_reply_arity_error(client *c) {
    reply_errorf(c, "ERR wrong number of arguments for '%s' command",
                 c->cmd ? c->cmd->fullname : "unknown");
}

void command_redact_arg(client *c, int i) {
    VG_ASSERT(i >= 0 && i < c->argc);
    if (c->redacted == NULL) c->redacted = vg_calloc((size_t)c->argc);
    c->redacted[i] = 1;
}

bool command_arg_redacted(const client *c, int i) {
    return c->redacted != NULL && c->redacted[i];
}

/* As Redis' call(): every command reaching its handler goes to SLOWLOG
 * unless flagged skip_slowlog (EXEC, whose commands are logged one by one)
 * and to MONITOR unless skip_monitor or admin (AUTH and HELLO do show, with
 * their secrets redacted). Marks are per call, so EXEC nests cleanly. */
void command_call(client *c, command *cmd) {
    const command *saved = c->cmd;
    uint8_t *saved_marks = c->redacted;
    c->cmd = cmd;
    c->redacted = NULL;
    errors_seen = server.stat_total_error_replies;
    /* The funnel sees the command only when a sink listens: one branch. */
    bool prop = propagate_active();
    long long dirty = server.dirty;
    if (prop)
        propagate_begin(c, PROPAGATE_FRAME_COMMAND, (cmd->flags & CMD_TOUCHES_ARBITRARY_KEYS) != 0);
    long long start = vg_mono_us();
    cmd->proc(c);
    long long duration = vg_mono_us() - start;
    if (prop) propagate_end(c, server.dirty != dirty);
    /* As Redis' call() in an AOF-loading context: EXEC's commands replayed
     * from the file leave no stats, SLOWLOG, MONITOR or latency trace. */
    bool account = !(server.loading.active && (c->flags & CLIENT_FAKE));
    if (account) {
        cmd->calls++;
        cmd->usec += duration;
        if (server.stat_total_error_replies > errors_seen) cmd->failed_calls++;
        if (c->flags & CLIENT_BLOCKED) /* logged when served, as Redis */
            blocking_note_call(c, duration);
        else if (!(cmd->flags & CMD_SKIP_SLOWLOG))
            slowlog_consider(c, duration);
        if (!(cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN))) monitor_feed(c);
        latency_track_command(cmd, duration);
        latency_add_if_needed((cmd->flags & CMD_FAST) ? "fast-command" : "command",
                              duration / 1000);
    }
    errors_seen = server.stat_total_error_replies;
    vg_free(c->redacted);
    c->redacted = saved_marks;
    c->lastcmd = cmd;
    c->cmd = saved;
}

static void dispatch(client *c);

/* Redis rejects EXEC like any command but words the error as an aborted
 * transaction ("EXECABORT Transaction discarded because of: <why>") and
 * discards the transaction, inside MULTI or not: for its arity, a missing
 * AUTH, the ACL and the RESP2 subscriber context. */
static bool exec_refused(client *c, command *cmd) {
    vg_error why;
    why.msg[0] = '\0';
    if (!arity_ok(cmd, c->argc)) {
        vg_error_set(&why, "wrong number of arguments for '%s' command", cmd->fullname);
    } else if (!c->authenticated && !(cmd->flags & CMD_NO_AUTH)) {
        vg_error_set(&why, "NOAUTH Authentication required.");
    } else {
        int r = acl_check_log(c, cmd, "toplevel");
        if (r != ACL_OK)
            acl_denial_text(r, cmd, &why);
        else if (c->resp == 2 && (c->flags & CLIENT_PUBSUB))
            vg_error_set(&why,
                         "Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                         "QUIT / RESET are allowed in this context",
                         cmd->fullname);
    }
    if (why.msg[0] == '\0') return false;
    cmd->rejected_calls++;
    multi_client_reset(c);
    reply_errorf(c, "EXECABORT Transaction discarded because of: %s", why.msg);
    return true;
}

/* Redis flags a MONITOR client as a replica, and a replica may not touch
 * the keyspace (so it cannot dodge CLIENT PAUSE): refuse reads, writes and
 * may-replicate commands from it. */
static bool refuse_monitor_keyspace(client *c, const command *cmd) {
    if (!(c->flags & (CLIENT_MONITOR | CLIENT_REPLICA))) return false;
    if (!(cmd->flags & (CMD_READONLY | CMD_WRITE | CMD_MAY_REPLICATE))) return false;
    reply_error(c, "ERR Replica can't interact with the keyspace");
    return true;
}

/* DEBUG (and MODULE, should it come) runs only where its enable-*-command
 * parameter allows; Redis asks before authentication, as here. */
static bool protected_refused(client *c, const command *cmd) {
    if (!(cmd->flags & CMD_PROTECTED)) return false;
    bool module = strcmp(cmd->name, "module") == 0;
    if (client_protected_allows(module ? server.enable_module_cmd : server.enable_debug_cmd, c))
        return false;
    reply_errorf(c,
                 "ERR %s command not allowed. If the %s option is set to \"local\", you can run "
                 "it from a local connection, otherwise you need to set this option in the "
                 "configuration file, and then restart the server.",
                 module ? "MODULE" : "DEBUG",
                 module ? "enable-module-command" : "enable-debug-command");
    return true;
}

#define MISCONF_MSG                                                                                \
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "  \
    "disk. Commands that may modify the data set are disabled, because this instance is "          \
    "configured to report errors during writes if RDB snapshotting fails "                         \
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "     \
    "RDB error."

/* -MISCONF after a failed BGSAVE or a failed AOF write (Redis'
 * writeCommandsDeniedByDiskError, the RDB first): writes, EXEC of a queue
 * holding one and, as in Redis 7.0, PING (so a health check notices a
 * primary that cannot persist). Returns true when it replied. */
static bool refuse_on_disk_error(client *c, command *cmd) {
    if (c->flags & CLIENT_PRIMARY) return false;
    char aof_msg[256];
    const char *msg = NULL;
    if (persist_state_refuses_writes(&server.persist)) {
        msg = MISCONF_MSG;
    } else if (aof_state_refuses_writes(&server.aof)) {
        snprintf(aof_msg, sizeof(aof_msg), "MISCONF Errors writing to the AOF file: %s",
                 strerror(aof_state_error_errno(&server.aof)));
        msg = aof_msg;
    }
    if (msg == NULL) return false;
    bool exec = strcmp(cmd->name, "exec") == 0 && multi_queued_writes(c);
    if (!(cmd->flags & CMD_WRITE) && !exec && strcmp(cmd->name, "ping") != 0) return false;
    cmd->rejected_calls++;
    multi_flag_error(c);
    if (!exec || !multi_exec_abort(c, msg)) reply_error(c, msg);
    return true;
}

/* Over maxmemory even after evicting what it could: refuse a denyoom
 * command with -OOM. Returns true when it replied. */
static bool refuse_oom(client *c, const command *cmd) {
    if (server.maxmemory <= 0) return false;
    int evicted = evict_perform();
    propagate_flush_pending(); /* evictions go out bare, before the command */
    if (evicted != EVICT_FAIL || (c->flags & CLIENT_PRIMARY)) return false;
    bool denyoom = (cmd->flags & CMD_DENYOOM) != 0;
    if ((c->flags & CLIENT_MULTI) && !denyoom) return false;
    if (!denyoom) return false;
    reply_error(c, "OOM command not allowed when used memory > 'maxmemory'.");
    return true;
}

/* CLIENT REPLY OFF/SKIP drop every reply of the command, errors raised
 * before it runs included (Redis suppresses them at the socket layer). */
void command_process(client *c) {
    size_t mark = c->reply.len;
    uint32_t skip_this = c->flags & CLIENT_REPLY_SKIP; /* set by an earlier CLIENT REPLY SKIP */
    dispatch(c);
    if (c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP)) {
        if (c->reply.len >= mark) c->reply.len = mark;
        if (c->reply.data) c->reply.data[c->reply.len] = '\0';
    }
    if (skip_this) c->flags &= ~CLIENT_REPLY_SKIP;
}

static void dispatch(client *c) {
    command *cmd = command_lookup(c->argv[0].ptr, c->argv[0].len);
    if (cmd == NULL) {
        c->cmd = NULL;
        reply_unknown_command(c);
        multi_flag_error(c);
        return;
    }
    c->cmd = cmd;
    if (cmd->subcommands && c->argc >= 2) {
        command *sub = command_lookup_sub(cmd, c->argv[1].ptr, c->argv[1].len);
        if (sub == NULL) {
            cmd->rejected_calls++;
            command_reply_unknown_sub(c);
            multi_flag_error(c);
            return;
        }
        cmd = sub;
        c->cmd = cmd;
    }
    if (strcmp(cmd->name, "exec") == 0 && exec_refused(c, cmd)) return;
    if (!arity_ok(cmd, c->argc) || (cmd->subcommands && !cmd->proc)) {
        cmd->rejected_calls++;
        command_reply_arity_error(c);
        multi_flag_error(c);
        return;
    }
    if (protected_refused(c, cmd)) {
        cmd->rejected_calls++;
        multi_flag_error(c);
        return;
    }
    if (!c->authenticated && !(cmd->flags & CMD_NO_AUTH)) {
        cmd->rejected_calls++;
        reply_error(c, "NOAUTH Authentication required.");
        return;
    }
    if (!acl_check_command(c, cmd, "toplevel")) {
        cmd->rejected_calls++;
        multi_flag_error(c);
        return;
    }
    if (pubsub_refuse_in_context(c, cmd)) {
        cmd->rejected_calls++;
        return;
    }
    if (loading_state_refuses(&server.loading, (cmd->flags & CMD_LOADING) != 0)) {
        cmd->rejected_calls++;
        reply_error(c, LOADING_ERR_REPLY);
        multi_flag_error(c);
        return;
    }
    if (refuse_on_disk_error(c, cmd)) return;
    if (refuse_oom(c, cmd)) {
        cmd->rejected_calls++;
        multi_flag_error(c);
        return;
    }
    if (refuse_monitor_keyspace(c, cmd)) {
        cmd->rejected_calls++;
        multi_flag_error(c);
        return;
    }
    if (multi_maybe_queue(c, cmd)) return;
    command_call(c, cmd);
}

static const struct {
    uint32_t flag;
    const char *name;
} flag_names[] = {
    {CMD_WRITE, "write"},
    {CMD_READONLY, "readonly"},
    {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},
    {CMD_PUBSUB, "pubsub"},
    {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"},
    {CMD_LOADING, "loading"},
    {CMD_STALE, "stale"},
    {CMD_SKIP_MONITOR, "skip_monitor"},
    {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_ASKING, "asking"},
    {CMD_FAST, "fast"},
    {CMD_NO_AUTH, "no_auth"},
    {CMD_MAY_REPLICATE, "may_replicate"},
    {CMD_NO_MULTI, "no_multi"},
    {CMD_NO_ASYNC_LOADING, "no_async_loading"},
    {CMD_ALLOW_BUSY, "allow_busy"},
    {CMD_MOVABLE_KEYS, "movablekeys"},
};

void command_reply_flags(client *c, const command *cmd) {
    int n = 0;
    for (size_t i = 0; i < VG_ARRAY_LEN(flag_names); i++)
        if (cmd->flags & flag_names[i].flag) n++;
    reply_set(c, n);
    for (size_t i = 0; i < VG_ARRAY_LEN(flag_names); i++)
        if (cmd->flags & flag_names[i].flag) reply_simple(c, flag_names[i].name);
}
