/* cmd_acl.c -- the ACL command: SETUSER GETUSER DELUSER LIST USERS WHOAMI
 * CAT LOG SAVE LOAD GENPASS DRYRUN HELP.
 *
 * Owns: nothing; users live in acl.c. ACL SAVE writes the aclfile
 * atomically (temporary file, fsync, rename). */
#include <ctype.h>
#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "acl_internal.h"
#include "acl_cats.h"
#include "cmd_util.h"
#include "fsutil.h"
#include "log.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

static void cmd_acl_setuser(client *c) {
    vg_error err;
    for (int i = 2; i < c->argc; i++) /* the name and every rule, as Redis hides them */
        command_redact_arg(c, i);
    const vg_slice *name = &c->argv[2];
    for (size_t i = 0; i < name->len; i++) {
        if (isspace((unsigned char)name->ptr[i]) || name->ptr[i] == '\0') {
            reply_error(c, "ERR Usernames can't contain spaces or null characters");
            return;
        }
    }
    if (acl_setuser_args(c->argv[2].ptr, c->argv[2].len, c->argv + 3, c->argc - 3, &err) != VG_OK) {
        reply_error(c, err.msg);
        return;
    }
    reply_ok(c);
}

static void cmd_acl_getuser(client *c) {
    acl_user *u = acl_find(c->argv[2].ptr, c->argv[2].len);
    if (u == NULL) {
        reply_null(c);
        return;
    }
    acl_reply_getuser(c, u);
}

static void cmd_acl_deluser(client *c) {
    long long n = 0;
    for (int i = 2; i < c->argc; i++) {
        if (c->argv[i].len == 7 && memcmp(c->argv[i].ptr, "default", 7) == 0) {
            reply_error(c, "ERR The 'default' user cannot be removed");
            return;
        }
    }
    for (int i = 2; i < c->argc; i++)
        n += acl_deluser(c->argv[i].ptr, c->argv[i].len);
    reply_int(c, n);
}

static int cmp_users(const void *a, const void *b) {
    return strcmp(acl_user_name(*(acl_user *const *)a), acl_user_name(*(acl_user *const *)b));
}

static acl_user **sorted_users(int *n) {
    *n = acl_user_count();
    acl_user **arr = vg_malloc((size_t)(*n ? *n : 1) * sizeof(acl_user *));
    for (int i = 0; i < *n; i++)
        arr[i] = acl_user_at(i);
    qsort(arr, (size_t)*n, sizeof(acl_user *), cmp_users);
    return arr;
}

static void cmd_acl_list(client *c) {
    int n;
    acl_user **arr = sorted_users(&n);
    reply_array(c, n);
    buf b;
    buf_init(&b);
    for (int i = 0; i < n; i++) {
        buf_clear(&b);
        acl_describe_user(arr[i], &b);
        reply_bulk(c, b.data, b.len);
    }
    buf_free(&b);
    vg_free(arr);
}

static void cmd_acl_users(client *c) {
    int n;
    acl_user **arr = sorted_users(&n);
    reply_array(c, n);
    for (int i = 0; i < n; i++)
        reply_bulk_str(c, acl_user_name(arr[i]));
    vg_free(arr);
}

static void cmd_acl_whoami(client *c) {
    reply_bulk_str(c, c->acl ? acl_user_name(c->acl) : "default");
}

/* Redis' reply when a subcommand gets more arguments than it takes: the
 * subcommand as the client spelled it. */
static void reply_acl_syntax(client *c) {
    reply_errorf(c,
                 "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try ACL HELP.",
                 c->argv[1].ptr);
}

static void cmd_acl_cat(client *c) {
    if (c->argc > 3) {
        reply_acl_syntax(c);
        return;
    }
    if (c->argc == 2) {
        reply_array(c, (long long)acl_cats_count());
        for (size_t i = 0; i < acl_cats_count(); i++)
            reply_bulk_str(c, acl_cat_name(i));
        return;
    }
    uint64_t bit = acl_cat_bit(c->argv[2].ptr, c->argv[2].len);
    if (bit == 0) {
        reply_errorf(c, "ERR Unknown category '%.128s'", c->argv[2].ptr);
        return;
    }
    size_t h = reply_deferred(c);
    long long n = 0;
    for (size_t i = 0; i < command_count(); i++) {
        command *cmd = command_at(i);
        if (cmd->acl_bits & bit) {
            reply_bulk_str(c, cmd->fullname);
            n++;
        }
        if (cmd->subcommands)
            for (command *sub = cmd->subcommands; sub->name; sub++)
                if (sub->acl_bits & bit) {
                    reply_bulk_str(c, sub->fullname);
                    n++;
                }
    }
    reply_deferred_array(c, h, n);
}

static void cmd_acl_genpass(client *c) {
    long long bits = 256;
    if (c->argc > 3) {
        reply_acl_syntax(c);
        return;
    }
    if (c->argc == 3 && !vg_str2ll(c->argv[2].ptr, c->argv[2].len, &bits)) {
        reply_not_integer(c);
        return;
    }
    if (bits <= 0 || bits > 4096) {
        reply_error(c, "ERR ACL GENPASS argument must be the number of bits for the output "
                       "password, a positive number up to 4096");
        return;
    }
    size_t chars = (size_t)(bits + 3) / 4;
    unsigned char raw[512];
    if (RAND_bytes(raw, (int)((chars + 1) / 2)) != 1) {
        reply_error(c, "ERR Failed to generate random bytes");
        return;
    }
    static const char hex[] = "0123456789abcdef";
    char out[1025];
    for (size_t i = 0; i < chars; i++)
        out[i] = hex[(raw[i / 2] >> ((i % 2) ? 0 : 4)) & 15];
    reply_bulk(c, out, chars);
}

static void cmd_acl_log(client *c) {
    long long count = 10;
    if (c->argc > 3) {
        reply_acl_syntax(c);
        return;
    }
    if (c->argc == 3) {
        if (arg_is(&c->argv[2], "reset")) {
            acl_log_reset();
            reply_ok(c);
            return;
        }
        if (!vg_str2ll(c->argv[2].ptr, c->argv[2].len, &count)) {
            reply_not_integer(c);
            return;
        }
        if (count < 0) count = 0; /* as Redis: a negative count shows nothing */
    }
    acl_log_reply(c, count);
}

static const char no_aclfile[] =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

static void cmd_acl_save(client *c) {
    if (server.aclfile == NULL || server.aclfile[0] == '\0') {
        reply_error(c, no_aclfile);
        return;
    }
    int n;
    acl_user **arr = sorted_users(&n);
    buf b;
    buf_init(&b);
    for (int i = 0; i < n; i++) {
        acl_describe_user(arr[i], &b);
        buf_append_char(&b, '\n');
    }
    vg_free(arr);
    bool ok = fs_write_atomic(server.aclfile, b.data ? b.data : "", b.len) == VG_OK;
    if (!ok) LOG_WARNING("ACL SAVE: writing %s failed: %s", server.aclfile, strerror(errno));
    buf_free(&b);
    if (!ok) {
        reply_errorf(c, "ERR There was an error trying to save the ACLs. Please check the server "
                        "logs for more information");
        return;
    }
    reply_ok(c);
}

/* Read the aclfile and replace all users (used at start-up too). */
int acl_load_file(vg_error *err) {
    buf text;
    buf_init(&text);
    if (fs_read_all(server.aclfile, &text) != VG_OK) {
        vg_error_set(err, "ERR Error loading ACLs, opening file '%s': %s", server.aclfile,
                     strerror(errno));
        buf_free(&text);
        return VG_ERR;
    }
    int rc = acl_load_lines(text.data ? text.data : "", server.aclfile, err);
    buf_free(&text);
    return rc;
}

static void cmd_acl_load(client *c) {
    if (server.aclfile == NULL || server.aclfile[0] == '\0') {
        reply_error(c, no_aclfile);
        return;
    }
    vg_error err;
    if (acl_load_file(&err) != VG_OK) {
        reply_error(c, err.msg);
        return;
    }
    reply_ok(c);
}

static void cmd_acl_dryrun(client *c) {
    acl_user *u = acl_find(c->argv[2].ptr, c->argv[2].len);
    if (u == NULL) {
        reply_errorf(c, "ERR User '%.128s' not found", c->argv[2].ptr);
        return;
    }
    command *cmd = command_lookup(c->argv[3].ptr, c->argv[3].len);
    if (cmd == NULL) {
        reply_errorf(c, "ERR Command '%.128s' not found", c->argv[3].ptr);
        return;
    }
    const vg_slice *argv = c->argv + 3;
    int argc = c->argc - 3;
    if (cmd->subcommands && argc >= 2) {
        /* A container names its subcommand; an unknown one is no command. */
        command *sub = command_lookup_sub(cmd, argv[1].ptr, argv[1].len);
        if (sub == NULL) {
            reply_errorf(c, "ERR Command '%.128s' not found", c->argv[3].ptr);
            return;
        }
        cmd = sub;
    }
    if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
        reply_errorf(c, "ERR wrong number of arguments for '%s' command", cmd->fullname);
        return;
    }
    int obj;
    int r = acl_user_allows(u, cmd, argv, argc, &obj);
    if (r == ACL_OK) {
        reply_ok(c);
        return;
    }
    char msg[512];
    if (r == ACL_DENIED_CMD) {
        snprintf(msg, sizeof(msg), "This user has no permissions to run the '%s' command",
                 cmd->fullname);
    } else {
        /* obj is the argv index of the denied key or channel. */
        snprintf(msg, sizeof(msg), "This user has no permissions to access the '%.*s' %s",
                 (int)(argv[obj].len > 128 ? 128 : argv[obj].len), argv[obj].ptr,
                 r == ACL_DENIED_KEY ? "key" : "channel");
    }
    reply_bulk_str(c, msg);
}

static void cmd_acl_help(client *c) {
    static const char *const lines[] = {
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        NULL,
    };
    reply_help(c, lines);
}

#define ACL_SUB(n, fn, ar, fl, sum)                                                                \
    {                                                                                              \
        .name = n, .proc = fn, .arity = ar, .flags = (fl), .summary = sum, .since = "6.0.0",       \
        .group = "server"                                                                          \
    }

static command acl_subcommands[] = {
    ACL_SUB("setuser", cmd_acl_setuser, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "Modify or create the rules for a specific ACL user"),
    ACL_SUB("getuser", cmd_acl_getuser, 3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "Get the rules for a specific ACL user"),
    ACL_SUB("deluser", cmd_acl_deluser, -3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "Remove the specified ACL users and the associated rules"),
    ACL_SUB("list", cmd_acl_list, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "List the current ACL rules in ACL config file format"),
    ACL_SUB("users", cmd_acl_users, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "List the username of all the configured ACL rules"),
    ACL_SUB("whoami", cmd_acl_whoami, 2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "Return the name of the user associated to the current connection"),
    ACL_SUB("cat", cmd_acl_cat, -2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "List the ACL categories or the commands inside a category"),
    ACL_SUB("log", cmd_acl_log, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "List latest events denied because of ACLs in place"),
    ACL_SUB("save", cmd_acl_save, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "Save the current ACL rules in the configured ACL file"),
    ACL_SUB("load", cmd_acl_load, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "Reload the ACLs from the configured ACL file"),
    ACL_SUB("genpass", cmd_acl_genpass, -2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
            "Generate a pseudorandom secure password to use for ACL users"),
    {.name = "dryrun",
     .proc = cmd_acl_dryrun,
     .arity = -4,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .summary =
         "Returns whether the user can execute the given command without executing the command.",
     .since = "7.0.0",
     .group = "server"},
    ACL_SUB("help", cmd_acl_help, 2, CMD_LOADING | CMD_STALE,
            "Show helpful text about the different subcommands"),
    {.name = NULL},
};

static command acl_commands[] = {
    {.name = "acl",
     .proc = NULL,
     .arity = -2,
     .flags = CMD_SENTINEL,
     .subcommands = acl_subcommands,
     .summary = "A container for Access List Control commands ",
     .since = "6.0.0",
     .group = "server"},
};
COMMAND_TABLE(acl_commands)
