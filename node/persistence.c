/* persistence.c -- the node's RDB glue (see persistence.h).
 *
 * Owns: server.persist and the dump file. SAVE writes temp-<pid>.rdb in
 * the working directory (start-up chdir'd into `dir`), fsyncs it, renames
 * it over dbfilename and fsyncs the directory, so a crash leaves either
 * the old file or the new one. BGSAVE does the same in a forked child that
 * only serialises and _exits (or dies with the node); the cron reaps it.
 * A temp file left by a child killed with its node is never read. */
#include "persistence.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd_util.h"
#include "command.h"
#include "evict.h"
#include "fork_child.h"
#include "loading.h"
#include "log.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

int persist_init(vg_error *err) {
    persist_state *p = &server.persist;
    p->lastsave = (long long)(server.start_ms / 1000);
    p->last_status_ok = true;
    p->last_time_sec = -1;
    p->child_pid = -1;
    p->child_report_fd = -1;
    const char *f = p->dbfilename;
    if (f == NULL || f[0] == '\0' || strchr(f, '/') != NULL) {
        vg_error_set(err, "dbfilename can't be a path, just a filename");
        return VG_ERR;
    }
    return VG_OK;
}

static unsigned long long access_value(const kv *o) {
    if (evict_policy_is_lfu()) return evict_lfu_value(o);
    return evict_object_idle_ms(o) / 1000;
}

void persist_access_restore(kv *o, int kind, unsigned long long value) {
    bool lfu = evict_policy_is_lfu();
    if (kind == RDB_ACCESS_FREQ && lfu) {
        o->lru = evict_lfu_pack(evict_minutes_now(server.now_ms), (unsigned)(value & 0xff));
    } else if (kind == RDB_ACCESS_IDLE && !lfu) {
        uint32_t clock = server_lru_clock();
        if (value > OBJ_LRU_MAX) value = OBJ_LRU_MAX;
        o->lru = (clock - (uint32_t)value) & OBJ_LRU_MAX;
    }
}

static int access_kind(void) {
    switch (server.maxmemory_policy) {
    case MAXMEMORY_ALLKEYS_LRU:
    case MAXMEMORY_VOLATILE_LRU:
        return RDB_ACCESS_IDLE;
    case MAXMEMORY_ALLKEYS_LFU:
    case MAXMEMORY_VOLATILE_LFU:
        return RDB_ACCESS_FREQ;
    }
    return RDB_ACCESS_NONE;
}

rdb_save_opts persist_save_opts(void) {
    rdb_save_opts opt = {
        .compression = server.persist.rdbcompression != 0,
        .checksum = server.persist.rdbchecksum != 0,
        .now_ms = server.now_ms,
        .used_mem = (long long)vg_used_memory(),
        .access_kind = access_kind(),
        .access_value = access_value,
        .key_delay_us = server.persist.key_save_delay,
    };
    return opt;
}

static int fsync_dir(void) {
    int fd = open(".", O_RDONLY);
    if (fd < 0) return VG_ERR;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? VG_OK : VG_ERR;
}

/* Serialise every db into the file at tmp, then rename it to dbfilename. */
static int save_to(const char *tmp, vg_error *err) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        vg_error_set(err,
                     "Failed opening the temp RDB file %s (in server root dir %s) for "
                     "saving: %s",
                     tmp, server.dir, strerror(errno));
        return VG_ERR;
    }
    rdb_writer w;
    rdb_writer_init_fd(&w, fd);
    rdb_save_opts opt = persist_save_opts();
    int rc = rdb_save(&w, server.dbs, (int)server.databases, &opt, err);
    rdb_writer_release(&w);
    if (rc == VG_OK && fsync(fd) != 0) {
        vg_error_set(err, "Write error saving DB on disk: %s", strerror(errno));
        rc = VG_ERR;
    }
    close(fd);
    if (rc == VG_OK && rename(tmp, server.persist.dbfilename) != 0) {
        vg_error_set(err, "Error moving temp DB file %s on the final destination %s: %s", tmp,
                     server.persist.dbfilename, strerror(errno));
        rc = VG_ERR;
    }
    if (rc == VG_OK) fsync_dir();
    if (rc != VG_OK) unlink(tmp);
    return rc;
}

int persist_save(vg_error *err) {
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)getpid());
    if (save_to(tmp, err) != VG_OK) {
        LOG_WARNING("%s", err->msg);
        return VG_ERR;
    }
    /* As Redis: a good foreground save also clears a failed BGSAVE. */
    LOG_NOTICE("DB saved on disk");
    server.dirty = 0;
    server.persist.lastsave = (long long)time(NULL);
    server.persist.last_status_ok = true;
    return VG_OK;
}

static rdb_load_opts load_opts(void) {
    rdb_load_opts o = {
        .hash = server.hash,
        .set = server.set,
        .list = server.list,
        .zset_max_entries = (size_t)server.zset_max_listpack_entries,
        .zset_max_value = (size_t)server.zset_max_listpack_value,
        .now_ms = server.now_ms,
        .drop_expired = true,
        .verify_checksum = server.persist.rdbchecksum != 0,
        .access_restore = loading_access_restore, /* the worker's: no live clocks */
        .progress = loading_rdb_progress,
    };
    return o;
}

/* The dump being loaded at start: read by loading.h's worker thread, so
 * everything it needs is copied here before the thread starts. */
static struct {
    loading_job job;
    rdb_load_opts opt;
    rdb_load_info info;
    int fd;           /* owned until the worker is done */
    uint64_t size;    /* of the file */
    int64_t start_us; /* for "DB loaded from disk" */
    void (*cb)(int status);
} LD;

static int load_off_thread(loading_job *job, db *dbs, int ndb, vg_error *err) {
    (void)job;
    rdb_reader r;
    rdb_reader_init_fd(&r, LD.fd, LD.size);
    int rc = rdb_load(&r, dbs, ndb, &LD.opt, &LD.info, err);
    rdb_reader_release(&r);
    return rc;
}

static void load_done(loading_job *job, int status, const vg_error *err) {
    (void)job;
    close(LD.fd);
    LD.fd = -1;
    if (status != VG_OK) {
        if (!server.shutdown_asap) /* else loading_abort at shutdown: no fault of the file */
            LOG_WARNING("Short read or corrupt RDB file '%s': %s", server.persist.dbfilename,
                        err ? err->msg : "");
        LD.cb(VG_ERR);
        return;
    }
    server.persist.load_keys_loaded = LD.info.keys_loaded;
    server.persist.load_keys_expired = LD.info.keys_expired;
    LOG_NOTICE("Done loading RDB, keys loaded: %lld, keys expired: %lld.", LD.info.keys_loaded,
               LD.info.keys_expired);
    LOG_NOTICE("DB loaded from disk: %.3f seconds", (double)(vg_mono_us() - LD.start_us) / 1e6);
    LD.cb(VG_OK);
}

/* Open the dump for LD. VG_ERR with *missing set: no file; otherwise
 * VG_ERR: err->msg says why. */
static int open_dump(bool *missing, vg_error *err) {
    *missing = false;
    int fd = open(server.persist.dbfilename, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *missing = fd < 0 && errno == ENOENT;
        vg_error_set(err, "Fatal error loading the DB: %s. Exiting.", strerror(errno));
        if (fd >= 0) close(fd);
        return VG_ERR;
    }
    LD.fd = fd;
    LD.size = (uint64_t)st.st_size;
    LD.opt = load_opts();
    return VG_OK;
}

int persist_load_at_start(void (*cb)(int status), vg_error *err) {
    bool missing;
    if (open_dump(&missing, err) != VG_OK) {
        if (!missing) return VG_ERR;
        cb(VG_OK);
        return VG_OK;
    }
    LD.cb = cb;
    LD.start_us = vg_mono_us();
    LD.job = (loading_job){.off_thread = load_off_thread, .done = load_done};
    if (loading_begin(&LD.job, (long long)LD.size, err) != VG_OK) {
        close(LD.fd);
        LD.fd = -1;
        return VG_ERR;
    }
    return VG_OK;
}

/* DEBUG RELOAD: the same load, run in place on the loop thread. */
static void reload_done(loading_job *job, int status, const vg_error *err) {
    (void)job;
    (void)err;
    close(LD.fd);
    LD.fd = -1;
    if (status != VG_OK) return;
    server.persist.load_keys_loaded = LD.info.keys_loaded;
    server.persist.load_keys_expired = LD.info.keys_expired;
}

/* DEBUG RELOAD NOFLUSH [MERGE]: load the dump into the live dbs, on top of
 * what they hold; merge lets its keys replace keys present. */
static int load_on_top(bool merge, vg_error *err) {
    bool missing;
    if (open_dump(&missing, err) != VG_OK) return VG_ERR;
    rdb_reader r;
    rdb_reader_init_fd(&r, LD.fd, LD.size);
    LD.opt.allow_dup = merge;
    LD.opt.progress = NULL; /* no loading job runs */
    vg_error lerr = {{0}};
    int rc = rdb_load(&r, server.dbs, (int)server.databases, &LD.opt, &LD.info, &lerr);
    rdb_reader_release(&r);
    close(LD.fd);
    LD.fd = -1;
    if (rc != VG_OK) {
        vg_error_set(err, "Short read or corrupt RDB file '%s': %s", server.persist.dbfilename,
                     lerr.msg);
        LOG_WARNING("%s", err->msg);
    }
    return rc;
}

int persist_reload(bool save, bool flush, bool merge, vg_error *err) {
    if (save && persist_save(err) != VG_OK) return PERSIST_RELOAD_SAVE_ERR;
    if (!flush) {
        if (load_on_top(merge, err) != VG_OK) return PERSIST_RELOAD_LOAD_ERR;
    } else {
        /* Into fresh dbs swapped in at the end: a failed load keeps the data. */
        bool missing;
        if (open_dump(&missing, err) != VG_OK) return PERSIST_RELOAD_LOAD_ERR;
        LD.job = (loading_job){.off_thread = load_off_thread, .done = reload_done};
        vg_error lerr = {{0}};
        if (loading_run_sync(&LD.job, (long long)LD.size, &lerr) != VG_OK) {
            LOG_WARNING("DEBUG RELOAD: %s", lerr.msg);
            vg_error_set(err, "%s", lerr.msg);
            return PERSIST_RELOAD_LOAD_ERR;
        }
    }
    LOG_WARNING("DB reloaded by DEBUG RELOAD");
    return VG_OK;
}

static void child_report_read(bool ok);

int persist_shutdown_save(bool save, bool nosave, vg_error *err) {
    if (server.persist.child_pid > 0) {
        kill(server.persist.child_pid, SIGUSR1);
        waitpid(server.persist.child_pid, NULL, 0);
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)server.persist.child_pid);
        unlink(tmp);
        child_report_read(false);
        server.persist.child_pid = -1;
    }
    /* Never over a dataset still loading: it would replace the file with part of it. */
    if (nosave || loading_active() || (!save && !server.persist.save_points)) return VG_OK;
    LOG_NOTICE("Saving the final RDB snapshot before exiting.");
    return persist_save(err);
}

long long persist_lastsave(void) {
    return server.persist.lastsave;
}

/* Redis' rule: an even count of integers, seconds >= 1, changes >= 0. */
int persist_parse_save(const char *s, bool append, vg_error *err) {
    persist_state *ps = &server.persist;
    long long v[2 * PERSIST_MAX_SAVE_POINTS];
    int n = 0;
    const char *p = s ? s : "";
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p) break;
        char *end;
        long long x = strtoll(p, &end, 10);
        if (end == p || x < (n % 2 ? 0 : 1) || (*end && !isspace((unsigned char)*end)) ||
            n == 2 * PERSIST_MAX_SAVE_POINTS) {
            vg_error_set(err, "Invalid save parameters");
            return VG_ERR;
        }
        v[n++] = x;
        p = end;
    }
    int base = (append && n > 0) ? ps->save_points : 0;
    if (n % 2 || base + n / 2 > PERSIST_MAX_SAVE_POINTS) {
        vg_error_set(err, "Invalid save parameters");
        return VG_ERR;
    }
    for (int i = 0; i < n / 2; i++) {
        ps->save_secs[base + i] = v[2 * i];
        ps->save_changes[base + i] = v[2 * i + 1];
    }
    ps->save_points = base + n / 2;
    return VG_OK;
}

void persist_render_save(buf *out) {
    const persist_state *ps = &server.persist;
    for (int i = 0; i < ps->save_points; i++)
        buf_append_fmt(out, "%s%lld %lld", i ? " " : "", ps->save_secs[i], ps->save_changes[i]);
}

/* --------------------------------------------------------------- BGSAVE */

/* The pages the child copied, as Redis measures them: its Private_Dirty
 * (Linux; 0 where /proc cannot say). */
static long long child_private_dirty(void) {
    long long kb = 0;
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (f == NULL) return 0;
    char line[256];
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "Private_Dirty: %lld kB", &kb) == 1) break;
    }
    fclose(f);
    return kb * 1024;
}

static void report_pipe_close(int *fds) {
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0) close(fds[i]);
}

/* The child's part: serialise, rename, report its copy-on-write, exit. */
static void bgsave_child(pid_t parent, int report_fd) {
    fork_child_setup(parent);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)getpid());
    vg_error e = {{0}};
    int rc = save_to(tmp, &e);
    if (rc != VG_OK) LOG_WARNING("%s", e.msg);
    if (rc == VG_OK && report_fd >= 0) {
        long long cow = child_private_dirty();
        if (write(report_fd, &cow, sizeof(cow)) != (ssize_t)sizeof(cow)) {
            /* the node reads no report and keeps the last size */
        }
    }
    _exit(rc == VG_OK ? 0 : 1);
}

static int bgsave_start(vg_error *err) {
    int64_t start = server.now_ms;
    pid_t parent = getpid();
    long long dirty = server.dirty;
    server.persist.last_try = (long long)(server.now_ms / 1000);
    int fds[2] = {-1, -1};
    if (pipe(fds) != 0) fds[0] = fds[1] = -1;
    if (fds[0] >= 0) fcntl(fds[0], F_SETFL, O_NONBLOCK);
    server.persist.saves++; /* rdb_saves counts attempts, as Redis does */
    pid_t pid = fork();
    if (pid < 0) {
        report_pipe_close(fds);
        server.persist.last_status_ok = false;
        vg_error_set(err, "Can't save in background: fork: %s", strerror(errno));
        return VG_ERR;
    }
    if (pid == 0) {
        /* The child touches nothing else. A child whose node died stops,
         * as Redis' does (it exits when it can no longer report to its
         * parent): a node restarted meanwhile must not see an old snapshot
         * renamed over its own dump later. */
        if (fds[0] >= 0) close(fds[0]);
        bgsave_child(parent, fds[1]);
    }
    if (fds[1] >= 0) close(fds[1]);
    LOG_NOTICE("Background saving started by pid %d", (int)pid);
    server.persist.child_pid = pid;
    server.persist.child_start_ms = start;
    server.persist.child_dirty = dirty;
    server.persist.child_report_fd = fds[0];
    return VG_OK;
}

/* Read what the finished child reported and close the pipe. */
static void child_report_read(bool ok) {
    persist_state *p = &server.persist;
    if (p->child_report_fd < 0) return;
    long long cow;
    if (ok && read(p->child_report_fd, &cow, sizeof(cow)) == (ssize_t)sizeof(cow))
        p->last_cow_size = cow;
    close(p->child_report_fd);
    p->child_report_fd = -1;
}

/* As Redis: an exit status other than 0 is a failed save; a signal is one
 * too, except SIGUSR1, which is how the node itself stops a child
 * (FLUSHALL, SHUTDOWN) without raising an error. */
static void bgsave_done(int status) {
    persist_state *p = &server.persist;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    p->last_time_sec = (server.now_ms - p->child_start_ms) / 1000;
    if (ok) {
        LOG_NOTICE("Background saving terminated with success");
        server.dirty -= p->child_dirty;
        p->lastsave = (long long)time(NULL);
        p->last_status_ok = true;
    } else {
        if (WIFSIGNALED(status)) {
            LOG_WARNING("Background saving terminated by signal %d", WTERMSIG(status));
            if (WTERMSIG(status) != SIGUSR1) p->last_status_ok = false;
        } else {
            LOG_WARNING("Background saving error");
            p->last_status_ok = false;
        }
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)p->child_pid);
        unlink(tmp);
    }
    child_report_read(ok);
    p->child_pid = -1;
}

void persist_after_flushall(void) {
    if (server.persist.child_pid > 0) kill(server.persist.child_pid, SIGUSR1);
    if (server.persist.save_points == 0) return;
    vg_error err = {{0}};
    persist_save(&err);
}

/* As Redis: after a failed BGSAVE the cron tries again only once
 * PERSIST_BGSAVE_RETRY_DELAY seconds have passed since the last attempt,
 * so a full disk does not make the node fork on every tick. */
static bool retry_allowed(long long now) {
    const persist_state *p = &server.persist;
    return p->last_status_ok || now - p->last_try > PERSIST_BGSAVE_RETRY_DELAY;
}

/* The first save point reached, or -1. Like Redis, a point with 0
 * changes fires every `seconds` even when nothing changed. */
static int save_point_reached(long long now) {
    const persist_state *p = &server.persist;
    for (int i = 0; i < p->save_points; i++) {
        if (server.dirty >= p->save_changes[i] && now - p->lastsave > p->save_secs[i]) return i;
    }
    return -1;
}

void persist_cron(void) {
    persist_state *p = &server.persist;
    if (p->child_pid > 0) {
        int status;
        pid_t r = waitpid(p->child_pid, &status, WNOHANG);
        if (r == p->child_pid) bgsave_done(status);
        return;
    }
    if (aof_state_child_active(&server.aof)) return; /* one child at a time, as Redis */
    long long now = server.now_ms / 1000;
    if (!retry_allowed(now)) return;
    vg_error err = {{0}};
    int i = save_point_reached(now);
    if (i >= 0) {
        LOG_NOTICE("%lld changes in %lld seconds. Saving...", p->save_changes[i], p->save_secs[i]);
        bgsave_start(&err);
    } else if (p->bgsave_scheduled) {
        p->bgsave_scheduled = false;
        bgsave_start(&err);
    }
}

/* ------------------------------------------------------------- commands */

static void cmd_save(client *c) {
    if (server.persist.child_pid > 0) {
        reply_error(c, "ERR Background save already in progress");
        return;
    }
    vg_error err = {{0}};
    server.persist.saves++;
    if (persist_save(&err) != VG_OK) {
        reply_error(c, "ERR");
        return;
    }
    reply_ok(c);
}

static void cmd_bgsave(client *c) {
    bool schedule = false;
    if (c->argc > 1) {
        if (c->argc == 2 && arg_is(&c->argv[1], "schedule")) {
            schedule = true;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    if (server.persist.child_pid > 0) {
        reply_error(c, "ERR Background save already in progress");
        return;
    }
    if (aof_state_child_active(&server.aof)) {
        if (schedule) {
            server.persist.bgsave_scheduled = true;
            reply_simple(c, "Background saving scheduled");
        } else {
            reply_error(c, "ERR Another child process is active (AOF?): can't BGSAVE right now. "
                           "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
        return;
    }
    vg_error err = {{0}};
    if (bgsave_start(&err) != VG_OK) {
        reply_error(c, "ERR");
        return;
    }
    reply_simple(c, "Background saving started");
}

static command persist_commands[] = {
    {.name = "save",
     .proc = cmd_save,
     .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "Synchronously save the dataset to disk",
     .since = "1.0.0",
     .group = "server"},
    {.name = "bgsave",
     .proc = cmd_bgsave,
     .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING,
     .acl_cats = "@admin @slow @dangerous",
     .summary = "Asynchronously save the dataset to disk",
     .since = "1.0.0",
     .group = "server"},
};
COMMAND_TABLE(persist_commands)

/* ----------------------------------------------------------------- INFO */

void persist_info(buf *out) {
    const persist_state *p = &server.persist;
    bool child = p->child_pid > 0;
    buf_append_fmt(out,
                   "loading:%d\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
                   "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\n"
                   "current_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\n"
                   "rdb_changes_since_last_save:%lld\r\nrdb_bgsave_in_progress:%d\r\n"
                   "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\n"
                   "rdb_last_bgsave_time_sec:%lld\r\nrdb_current_bgsave_time_sec:%lld\r\n"
                   "rdb_saves:%lld\r\nrdb_last_cow_size:%lld\r\nrdb_last_load_keys_expired:%lld\r\n"
                   "rdb_last_load_keys_loaded:%lld\r\n",
                   server.loading.active ? 1 : 0, server.dirty, child ? 1 : 0, p->lastsave,
                   p->last_status_ok ? "ok" : "err", p->last_time_sec,
                   child ? (long long)((server.now_ms - p->child_start_ms) / 1000) : -1LL, p->saves,
                   p->last_cow_size, p->load_keys_expired, p->load_keys_loaded);
}
