/* aof_rewrite.c -- BGREWRITEAOF: a forked child writes a new base.
 *
 * Owns: the rewrite child and its temp file "temp-rewriteaof-bg-<pid>.aof"
 * in `dir`, the rewrite counters and the BGREWRITEAOF command. As Redis
 * 7.0.15 does it:
 *   1. the parent writes out its buffer and opens a new incr file (the
 *      temp incr while AOF_WAIT_REWRITE), so writes from the fork on land
 *      there and nothing is written twice;
 *   2. the child saves the dataset as an RDB preamble with aof-base:1 (or,
 *      with aof-use-rdb-preamble no, as commands: aof_cmdbase.h) and exits;
 *   3. the cron reaps it; on success the temp file becomes the new base,
 *      the rewritten incr files become history (aof_manifest_rewrite_done),
 *      the manifest is persisted atomically and the history deleted.
 * With aof-use-rdb-preamble no the base is commands instead
 * (aof_cmdbase.h), named .base.aof. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aof.h"
#include "aof_cmdbase.h"
#include "aof_internal.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "fork_child.h"
#include "log.h"
#include "persistence.h"
#include "propagate.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"

static void temp_name(char *out, size_t n, const char *kind, pid_t pid) {
    snprintf(out, n, "temp-rewriteaof-%s%d.aof", kind, (int)pid);
}

static bool child_preamble; /* what the running child writes: RDB or commands */

/* The dataset as an AOF base at path tmp, fsync'ed: an RDB preamble
 * (aof-base 1) or, with preamble false, commands. */
static int base_write(const char *tmp, bool preamble) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        LOG_WARNING("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): %s",
                    strerror(errno));
        return VG_ERR;
    }
    rdb_writer w;
    rdb_writer_init_fd(&w, fd);
    vg_error err = {{0}};
    int rc;
    if (preamble) {
        rdb_save_opts opt = persist_save_opts();
        opt.aof_base = true;
        rc = rdb_save(&w, server.dbs, (int)server.databases, &opt, &err);
    } else {
        long long ts = server.aof.timestamp_enabled ? (long long)time(NULL) : 0;
        rc = aof_cmdbase_write(&w, server.dbs, (int)server.databases, ts,
                               server.persist.key_save_delay, &err);
    }
    rdb_writer_release(&w);
    if (rc == VG_OK && fsync(fd) != 0) rc = VG_ERR;
    if (close(fd) != 0) rc = VG_ERR;
    if (rc != VG_OK) {
        LOG_WARNING("Write error writing append only file on disk: %s", strerror(errno));
        unlink(tmp);
    }
    return rc;
}

int aof_rewrite_sync(const char *path) {
    char tmp[64];
    temp_name(tmp, sizeof(tmp), "", getpid());
    if (base_write(tmp, server.aof.use_rdb_preamble != 0) != VG_OK) return VG_ERR;
    if (rename(tmp, path) != 0) {
        LOG_WARNING("Error moving temp append only file on the final destination: %s",
                    strerror(errno));
        unlink(tmp);
        return VG_ERR;
    }
    return VG_OK;
}

static bool any_child(void) {
    return server.aof.child_pid > 0 || server.persist.child_pid > 0;
}

int aof_rewrite_background(void) {
    aof_state *a = &server.aof;
    if (any_child()) return VG_ERR;
    if (aof_dir_create() != VG_OK) {
        LOG_WARNING("Can't open or create append-only dir %s: %s", a->dirname, strerror(errno));
        a->last_bgrewrite_ok = false;
        return VG_ERR;
    }
    /* The new incr file starts with a SELECT, and gets only what follows
     * the fork: what is buffered goes to the old file first. */
    propagate_sink_reselect(a->sink);
    aof_flush(true);
    if (aof_incr_open_new() != VG_OK) {
        a->last_bgrewrite_ok = false;
        return VG_ERR;
    }
    a->rewrites++;
    child_preamble = a->use_rdb_preamble != 0;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        fork_child_setup(parent);
        char tmp[64];
        temp_name(tmp, sizeof(tmp), "bg-", getpid());
        int rc = base_write(tmp, child_preamble);
        if (rc == VG_OK) LOG_NOTICE("Successfully created the temporary AOF base file %s", tmp);
        _exit(rc == VG_OK ? 0 : 1);
    }
    if (pid < 0) {
        a->last_bgrewrite_ok = false;
        LOG_WARNING("Can't rewrite append only file in background: fork: %s", strerror(errno));
        return VG_ERR;
    }
    LOG_NOTICE("Background append only file rewriting started by pid %ld", (long)pid);
    a->rewrite_scheduled = false;
    a->rewrite_time_start = (long long)time(NULL);
    a->child_pid = pid;
    return VG_OK;
}

static void temp_files_remove(pid_t pid) {
    char tmp[64];
    temp_name(tmp, sizeof(tmp), "bg-", pid);
    unlink(tmp);
    temp_name(tmp, sizeof(tmp), "", pid);
    unlink(tmp);
}

void aof_rewrite_kill(void) {
    aof_state *a = &server.aof;
    if (a->child_pid <= 0) return;
    LOG_NOTICE("Killing running AOF rewrite child: %ld", (long)a->child_pid);
    if (kill(a->child_pid, SIGUSR1) != -1) waitpid(a->child_pid, NULL, 0);
    temp_files_remove(a->child_pid);
    a->child_pid = -1;
    a->rewrite_time_start = -1;
}

static int rename_in_dir(const char *from, const char *name) {
    buf to;
    buf_init(&to);
    aof_path(&to, name);
    int rc = rename(from, to.data) == 0 ? VG_OK : VG_ERR;
    if (rc != VG_OK)
        LOG_WARNING("Error trying to rename the temporary AOF file %s into %s: %s", from, to.data,
                    strerror(errno));
    buf_free(&to);
    return rc;
}

static void unlink_in_dir(const char *name) {
    buf p;
    buf_init(&p);
    aof_path(&p, name);
    unlink(p.data);
    buf_free(&p);
}

/* backgroundRewriteDoneHandler's success path. VG_ERR: nothing changed. */
static int rewrite_succeeded(pid_t pid) {
    aof_state *a = &server.aof;
    char tmp[64];
    temp_name(tmp, sizeof(tmp), "bg-", pid);
    aof_rewrite_mode mode = a->state == AOF_OFF  ? AOF_REWRITE_AOF_OFF
                            : a->state == AOF_ON ? AOF_REWRITE_AOF_ON
                                                 : AOF_REWRITE_AOF_WAIT;
    aof_manifest *am = aof_manifest_dup(a->manifest);
    const char *base = NULL, *incr = NULL;
    vg_error err = {{0}};
    if (aof_manifest_rewrite_done(am, a->filename, child_preamble, mode, &base, &incr, &err) !=
        VG_OK) {
        LOG_WARNING("%s", err.msg);
        aof_manifest_free(am);
        return VG_ERR;
    }
    if (rename_in_dir(tmp, base) != VG_OK) {
        aof_manifest_free(am);
        return VG_ERR;
    }
    LOG_NOTICE("Successfully renamed the temporary AOF base file %s into %s", tmp, base);
    if (incr) {
        buf from;
        buf_init(&from);
        buf name;
        buf_init(&name);
        aof_manifest_temp_incr_name(&name, a->filename);
        aof_path(&from, name.data);
        int rc = rename_in_dir(from.data, incr);
        buf_free(&from);
        buf_free(&name);
        if (rc != VG_OK) {
            unlink_in_dir(base);
            aof_manifest_free(am);
            return VG_ERR;
        }
    }
    if (aof_manifest_persist(am) != VG_OK) {
        unlink_in_dir(base);
        if (incr) unlink_in_dir(incr);
        aof_manifest_free(am);
        return VG_ERR;
    }
    aof_manifest_free(a->manifest);
    a->manifest = am;
    if (a->state != AOF_OFF) {
        a->current_size = aof_file_size(am->base->name) + a->last_incr_size;
        a->base_size = a->current_size;
    }
    aof_history_delete();
    return VG_OK;
}

static void rewrite_failed(void) {
    server.aof.last_bgrewrite_ok = false;
    server.aof.rewrite_failures++;
}

static void rewrite_done(pid_t pid, int status) {
    aof_state *a = &server.aof;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        LOG_NOTICE("Background AOF rewrite terminated with success");
        if (rewrite_succeeded(pid) == VG_OK) {
            a->last_bgrewrite_ok = true;
            a->rewrite_failures = 0;
            LOG_NOTICE("Background AOF rewrite finished successfully");
            if (a->state == AOF_WAIT_REWRITE) a->state = AOF_ON;
        } else {
            rewrite_failed();
        }
    } else if (WIFEXITED(status)) {
        rewrite_failed();
        LOG_WARNING("Background AOF rewrite terminated with error");
    } else {
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        if (sig != SIGUSR1) rewrite_failed();
        LOG_WARNING("Background AOF rewrite terminated by signal %d", sig);
    }
    temp_files_remove(pid);
    if (a->state == AOF_WAIT_REWRITE) {
        /* The temp incr is useless without its base: start over. */
        buf_clear(&a->buffer);
        buf name;
        buf_init(&name);
        aof_manifest_temp_incr_name(&name, a->filename);
        LOG_NOTICE("Removing the temp incr aof file %s in the background", name.data);
        unlink_in_dir(name.data);
        buf_free(&name);
        a->rewrite_scheduled = true;
    }
    a->rewrite_time_last = (long long)time(NULL) - a->rewrite_time_start;
    a->rewrite_time_start = -1;
}

void aof_rewrite_cron(void) {
    aof_state *a = &server.aof;
    if (a->child_pid > 0) {
        int status;
        pid_t pid = a->child_pid;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            a->child_pid = -1;
            rewrite_done(pid, status);
        }
        return;
    }
    if (a->manifest == NULL || any_child()) return;
    long long now = server.now_ms / 1000;
    if (a->rewrite_scheduled &&
        !aof_sched_rewrite_limited(a->rewrite_failures, now, &a->rewrite_next_try,
                                   &a->rewrite_delay_min)) {
        aof_rewrite_background();
        return;
    }
    long long growth = 0;
    if (a->state == AOF_ON &&
        aof_sched_growth_due(a->current_size, a->base_size, a->rewrite_perc, a->rewrite_min_size,
                             &growth) &&
        !aof_sched_rewrite_limited(a->rewrite_failures, now, &a->rewrite_next_try,
                                   &a->rewrite_delay_min)) {
        LOG_NOTICE("Starting automatic rewriting of AOF on %lld%% growth", growth);
        aof_rewrite_background();
    }
}

/* ------------------------------------------------------------ command */

static void cmd_bgrewriteaof(client *c) {
    aof_state *a = &server.aof;
    if (a->child_pid > 0) {
        reply_error(c, "ERR Background append only file rewriting already in progress");
    } else if (any_child() || (c->flags & CLIENT_MULTI)) {
        /* Inside EXEC (CLIENT_MULTI stays set while the queue runs) the
         * fork waits for the cron, as Redis' in_exec. */
        a->rewrite_scheduled = true;
        a->rewrite_failures = 0; /* a manual request is not limited */
        reply_simple(c, "Background append only file rewriting scheduled");
    } else if (aof_rewrite_background() == VG_OK) {
        reply_simple(c, "Background append only file rewriting started");
    } else {
        reply_error(c, "ERR Can't execute an AOF background rewriting. Please check the server "
                       "logs for more information.");
    }
}

static command aof_commands[] = {
    {.name = "bgrewriteaof",
     .proc = cmd_bgrewriteaof,
     .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "Asynchronously rewrite the append-only file",
     .since = "1.0.0",
     .group = "server"},
};
COMMAND_TABLE(aof_commands)
