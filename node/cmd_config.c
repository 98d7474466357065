/* cmd_config.c -- CONFIG GET | SET | RESETSTAT | REWRITE | HELP.
 *
 * Owns: nothing; reads and changes the parameter table in server.config.
 * CONFIG SET is atomic as in Redis 7: every name is checked first (unknown,
 * immutable, duplicate), then the values are applied in order, and when one
 * is refused every parameter already changed gets its old value back. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "config.h"
#include "glob.h"
#include "lazyfree.h"
#include "log.h"
#include "reply.h"
#include "server.h"
#include "stats.h"
#include "vg_alloc.h"

/* A parameter CONFIG GET will return, under the name that matched. */
typedef struct get_match {
    const char *name; /* borrowed: argv or the table */
    config_param *param;
} get_match;

static bool has_glob(const char *s) {
    return strpbrk(s, "[*?") != NULL;
}

static bool already_matched(const get_match *m, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(m[i].name, name) == 0) return true;
    return false;
}

/* Repeated-line parameters with nothing to show (ACL `user` lines, listed by
 * ACL LIST) are left out of glob matches, as Redis has no such parameter. */
static bool hidden_from_globs(const config_param *p) {
    if (!(p->flags & CONFIG_MULTI)) return false;
    buf val;
    buf_init(&val);
    config_get_value(p, &val);
    bool empty = val.len == 0;
    buf_free(&val);
    return empty;
}

/* Names a glob pattern selects: canonical names and aliases, as Redis' dict holds both. */
static size_t match_pattern(const char *pat, size_t plen, get_match *m, size_t n) {
    config_table *t = &server.config;
    for (size_t i = 0; i < t->count; i++) {
        config_param *p = &t->params[i];
        if (hidden_from_globs(p)) continue;
        const char *names[2] = {p->name, p->alias};
        for (int k = 0; k < 2; k++) {
            const char *nm = names[k];
            if (nm == NULL || already_matched(m, n, nm)) continue;
            if (glob_match(pat, plen, nm, strlen(nm), true)) m[n++] = (get_match){nm, p};
        }
    }
    return n;
}

static void cmd_config_get(client *c) {
    config_table *t = &server.config;
    size_t cap = 2 * t->count + (size_t)c->argc;
    get_match *m = vg_malloc(cap * sizeof(*m));
    size_t n = 0;
    for (int i = 2; i < c->argc; i++) {
        const char *pat = c->argv[i].ptr;
        if (!has_glob(pat)) {
            config_param *p = config_find(t, pat);
            if (p && !already_matched(m, n, pat)) m[n++] = (get_match){pat, p};
            continue;
        }
        n = match_pattern(pat, c->argv[i].len, m, n);
    }
    reply_map(c, (long long)n);
    buf val;
    buf_init(&val);
    for (size_t i = 0; i < n; i++) {
        buf_clear(&val);
        config_get_value(m[i].param, &val);
        reply_bulk_str(c, m[i].name);
        reply_bulk(c, val.data ? val.data : "", val.len);
    }
    buf_free(&val);
    vg_free(m);
}

static bool spelled_as_alias(const config_param *p, const char *name) {
    return p->alias && strcasecmp(p->alias, name) == 0;
}

/* Check every name before anything changes. Replies and returns false on the
 * first problem, with Redis' precedence: an unknown name is reported unless an
 * earlier pair already failed. */
static bool config_set_check(client *c, config_param **params, int pairs) {
    const char *errstr = NULL, *errarg = NULL;
    for (int i = 0; i < pairs; i++) {
        const char *name = c->argv[2 + i * 2].ptr;
        config_param *p = config_find(&server.config, name);
        params[i] = p;
        if (p == NULL) {
            if (errstr == NULL) {
                reply_errorf(c, "ERR Unknown option or number of arguments for CONFIG SET - '%s'",
                             name);
                return false;
            }
            continue;
        }
        if (errstr) continue;
        if ((p->flags & CONFIG_IMMUTABLE) ||
            ((p->flags & CONFIG_PROTECTED) &&
             !client_protected_allows(server.enable_protected_configs, c))) {
            errstr = (p->flags & CONFIG_IMMUTABLE) ? "can't set immutable config"
                                                   : "can't set protected config";
            errarg = name;
            continue;
        }
        /* Redis 7.0 keeps an alias as an entry of its own: a name and its
         * alias in one CONFIG SET are no duplicate (the later one wins). */
        for (int j = 0; j < i; j++)
            if (params[j] == p &&
                spelled_as_alias(p, c->argv[2 + j * 2].ptr) == spelled_as_alias(p, name)) {
                errstr = "duplicate parameter";
                errarg = name;
                break;
            }
    }
    if (errstr) {
        reply_errorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", errarg,
                     errstr);
        return false;
    }
    return true;
}

/* Put back the values of params[i] for which changed[i], then re-run their
 * apply hooks so subsystems see the old values again. */
static void config_set_rollback(config_param **params, buf *old, const bool *changed, int n) {
    for (int i = n - 1; i >= 0; i--) {
        vg_error ignored;
        if (changed[i] && config_set_value(&server.config, params[i]->name,
                                           old[i].data ? old[i].data : "", &ignored) != VG_OK)
            LOG_WARNING("CONFIG SET rollback of '%s' failed: %s", params[i]->name, ignored.msg);
    }
    for (int i = 0; i < n; i++) {
        vg_error ignored;
        if (changed[i] && params[i]->apply && params[i]->apply(params[i], &ignored) != VG_OK)
            LOG_WARNING("CONFIG SET rollback could not re-apply '%s': %s", params[i]->name,
                        ignored.msg);
    }
}

/* Has an earlier changed parameter already got this apply hook? (Redis runs
 * each apply function once per CONFIG SET, after all values are set.) */
static bool apply_seen(config_param **params, const bool *changed, int i) {
    for (int j = 0; j < i; j++)
        if (changed[j] && params[j]->apply == params[i]->apply) return true;
    return false;
}

/* CONFIG SET name value [name value ...]: all values are stored first, then
 * the apply hooks run once each, so related parameters (tls-cert-file with
 * tls-key-file) change together. Any failure restores every old value. */
static void cmd_config_set(client *c) {
    if (c->argc & 1) {
        reply_syntax_error(c);
        return;
    }
    int pairs = (c->argc - 2) / 2;
    for (int i = 0; i < pairs; i++) { /* every pair, before any error, as Redis does */
        config_param *p = config_find(&server.config, c->argv[2 + i * 2].ptr);
        if (p && (p->flags & CONFIG_SENSITIVE)) command_redact_arg(c, 3 + i * 2);
    }
    config_param **params = vg_calloc((size_t)pairs * sizeof(*params));
    buf *old = vg_calloc((size_t)pairs * sizeof(buf));
    bool *changed = vg_calloc((size_t)pairs * sizeof(bool));
    vg_error err;
    int bad = -1;
    if (!config_set_check(c, params, pairs)) goto done;
    for (int i = 0; i < pairs && bad < 0; i++) {
        config_get_value(params[i], &old[i]);
        const vg_slice *value = &c->argv[3 + i * 2];
        if (old[i].len == value->len &&
            memcmp(old[i].data ? old[i].data : "", value->ptr, old[i].len) == 0 &&
            !(params[i]->flags & CONFIG_VOLATILE))
            continue; /* unchanged: nothing to apply, as Redis skips it */
        if (config_set_value(&server.config, params[i]->name, value->ptr, &err) != VG_OK)
            bad = i;
        else
            changed[i] = true;
    }
    for (int i = 0; i < pairs && bad < 0; i++)
        if (changed[i] && params[i]->apply && !apply_seen(params, changed, i) &&
            params[i]->apply(params[i], &err) != VG_OK)
            bad = i;
    if (bad >= 0) {
        config_set_rollback(params, old, changed, pairs);
        reply_errorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                     c->argv[2 + bad * 2].ptr, err.msg);
        goto done;
    }
    reply_ok(c);
done:
    for (int i = 0; i < pairs; i++)
        buf_free(&old[i]);
    vg_free(old);
    vg_free(params);
    vg_free(changed);
}

static void reset_server_stats(void) {
    server.stat_numconnections = 0;
    server.stat_numcommands = 0;
    server.stat_rejected_conn = 0;
    server.keyspace = (db_stats){0};
    server.stat_net_input_bytes = 0;
    server.stat_net_output_bytes = 0;
    server.stat_total_error_replies = 0;
    server.stat_unexpected_error_replies = 0;
    server.stat_client_qbuf_limit_disconnections = 0;
    server.stat_client_outbuf_limit_disconnections = 0;
    server.stat_total_reads = 0;
    server.stat_total_writes = 0;
    server.stat_peak_memory = (long long)vg_used_memory();
    memset(server.inst_cmd_samples, 0, sizeof(server.inst_cmd_samples));
    memset(server.inst_in_samples, 0, sizeof(server.inst_in_samples));
    memset(server.inst_out_samples, 0, sizeof(server.inst_out_samples));
    server.inst_last_cmds = server.inst_last_in = server.inst_last_out = 0;
    server.inst_last_ms = server.now_ms;
}

static void cmd_config_resetstat(client *c) {
    reset_server_stats();
    command_reset_stats();
    stats_reset();
    reply_ok(c);
}

static void cmd_config_rewrite(client *c) {
    config_table *t = &server.config;
    /* The loader kept the path as given; after chdir(dir) only the absolute one is right. */
    if (t->path && server.config_file && strcmp(t->path, server.config_file) != 0) {
        vg_free(t->path);
        t->path = vg_strdup(server.config_file);
    }
    vg_error err;
    if (config_rewrite(t, &err) != VG_OK) {
        LOG_WARNING("CONFIG REWRITE failed: %s", err.msg);
        reply_error(c, err.msg);
        return;
    }
    LOG_NOTICE("CONFIG REWRITE executed with success.");
    reply_ok(c);
}

static void cmd_config_help(client *c) {
    static const char *const lines[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL,
    };
    reply_help(c, lines);
}

#define CONFIG_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static command config_subcommands[] = {
    {.name = "get",
     .proc = cmd_config_get,
     .arity = -3,
     .flags = CONFIG_FLAGS,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "Get the values of configuration parameters",
     .since = "2.0.0",
     .group = "server"},
    {.name = "set",
     .proc = cmd_config_set,
     .arity = -4,
     .flags = CONFIG_FLAGS,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "Set configuration parameters to the given values",
     .since = "2.0.0",
     .group = "server"},
    {.name = "resetstat",
     .proc = cmd_config_resetstat,
     .arity = 2,
     .flags = CONFIG_FLAGS,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "Reset the stats returned by INFO",
     .since = "2.0.0",
     .group = "server"},
    {.name = "rewrite",
     .proc = cmd_config_rewrite,
     .arity = 2,
     .flags = CONFIG_FLAGS,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "Rewrite the configuration file with the in memory configuration",
     .since = "2.8.0",
     .group = "server"},
    {.name = "help",
     .proc = cmd_config_help,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_cats = "@slow",
     .summary = "Show helpful text about the different subcommands",
     .since = "5.0.0",
     .group = "server"},
    {.name = NULL},
};

static command config_commands[] = {
    {.name = "config",
     .arity = -2,
     .acl_cats = "@slow",
     .subcommands = config_subcommands,
     .summary = "A container for server configuration commands",
     .since = "2.0.0",
     .group = "server"},
};
COMMAND_TABLE(config_commands)
