/* aof.c -- the append-only file's writer (see aof.h).
 *
 * Owns: server.aof's run-time state, the incr file descriptor, the buffer
 * of commands not yet written and the manifest in memory. The layout on
 * disk is Redis 7.0.15's: `dir/appenddirname/` holding the manifest
 * "<appendfilename>.manifest", one base "<f>.<seq>.base.rdb" and the incr
 * files "<f>.<seq>.incr.aof" the commands are appended to.
 *
 *   AOF_OFF --CONFIG SET appendonly yes--> AOF_WAIT_REWRITE
 *      ^  ^                                   | first rewrite succeeds
 *      |  +---------appendonly no-------------+
 *      +------------appendonly no--------- AOF_ON <--start-up with yes
 *
 * | transition                    | function                 |
 * |-------------------------------|--------------------------|
 * | start-up with appendonly yes  | aof_open_at_start        |
 * | CONFIG SET appendonly yes     | start_append_only        |
 * | CONFIG SET appendonly no      | stop_append_only         |
 * | rewrite done (WAIT -> ON)     | aof_rewrite.c            |
 */
#include "aof.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aof_fsync.h"
#include "aof_internal.h"
#include "client.h"
#include "fsutil.h"
#include "latency.h"
#include "log.h"
#include "persistence.h"
#include "propagate.h"
#include "server.h"
#include "vg_alloc.h"

#define WRITE_LOG_ERROR_RATE 30 /* seconds between two write-error lines */

static bool started; /* aof_open_at_start ran: the state is initialised */

static long long now_s(void) {
    return (long long)(server.now_ms / 1000);
}

/* ------------------------------------------------------------- paths */

void aof_path(buf *out, const char *name) {
    buf_clear(out);
    buf_append_fmt(out, "%s/%s", server.aof.dirname, name);
}

int aof_dir_create(void) {
    if (mkdir(server.aof.dirname, 0755) == 0 || errno == EEXIST) return VG_OK;
    return VG_ERR;
}

long long aof_file_size(const char *name) {
    buf p;
    buf_init(&p);
    aof_path(&p, name);
    struct stat st;
    long long size = stat(p.data, &st) == 0 ? (long long)st.st_size : 0;
    buf_free(&p);
    return size;
}

int aof_manifest_persist(aof_manifest *am) {
    if (!am->dirty) return VG_OK;
    buf text, name, path;
    buf_init(&text);
    buf_init(&name);
    buf_init(&path);
    aof_manifest_format(am, &text);
    aof_manifest_file_name(&name, server.aof.filename);
    aof_path(&path, name.data);
    int rc = fs_write_atomic(path.data, text.data, text.len);
    if (rc != VG_OK)
        LOG_WARNING("Can't write the AOF manifest file %s: %s", name.data, strerror(errno));
    else
        am->dirty = false;
    buf_free(&text);
    buf_free(&name);
    buf_free(&path);
    return rc;
}

/* The manifest on disk, or NULL when there is none (start-up before the
 * loader hands one over). A corrupt one fails the start as in Redis. */
static int manifest_read(aof_manifest **out, vg_error *err) {
    *out = NULL;
    buf name, path, text;
    buf_init(&name);
    buf_init(&path);
    buf_init(&text);
    aof_manifest_file_name(&name, server.aof.filename);
    aof_path(&path, name.data);
    int rc = VG_OK;
    if (fs_read_all(path.data, &text) == VG_OK) {
        if (aof_manifest_parse(text.data, text.len, out, NULL, err) != VG_OK) rc = VG_ERR;
    } else if (errno != ENOENT) {
        vg_error_set(err, "Unable to open the AOF manifest file %s: %s", name.data,
                     strerror(errno));
        rc = VG_ERR;
    }
    buf_free(&name);
    buf_free(&path);
    buf_free(&text);
    return rc;
}

/* -------------------------------------------------------------- feeding */

/* The propagate sink: RESP of one command (or SELECT, MULTI, EXEC). */
static void feed_cb(const char *p, size_t len, int dbid, void *arg) {
    (void)dbid;
    (void)arg;
    aof_state *a = &server.aof;
    if (!(a->state == AOF_ON || (a->state == AOF_WAIT_REWRITE && a->child_pid > 0))) return;
    if (a->timestamp_enabled && a->cur_timestamp < now_s()) {
        a->cur_timestamp = now_s();
        buf_append_fmt(&a->buffer, "#TS:%lld\r\n", a->cur_timestamp);
    }
    buf_append(&a->buffer, p, len);
    /* appendfsync always: the client whose unit this is waits for the
     * batch; its replies are held by client.c until the batch is durable. */
    client *c = propagate_unit_client();
    if (c && a->fsync == AOF_FSYNC_ALWAYS) c->aof_wait_seq = aof_group_wait_seq(&a->group);
}

static void sink_attach(void) {
    if (server.aof.sink < 0) server.aof.sink = propagate_sink_add(PROPAGATE_AOF, feed_cb, NULL);
}

static void sink_detach(void) {
    propagate_sink_remove(server.aof.sink);
    server.aof.sink = -1;
}

/* ------------------------------------------------------------- writing */

static void write_error_log(int err, long long written, size_t expected) {
    static long long last_log;
    if (now_s() - last_log <= WRITE_LOG_ERROR_RATE) return;
    last_log = now_s();
    if (written <= 0)
        LOG_WARNING("Error writing to the AOF file: %s", strerror(err));
    else
        LOG_WARNING("Short write while writing to the AOF file: (nwritten=%lld, expected=%lld)",
                    written, (long long)expected);
}

static void write_recovered(void) {
    if (server.aof.last_write_ok) return;
    LOG_WARNING("AOF write error looks solved, Redis can write again.");
    server.aof.last_write_ok = true;
}

static void sizes_add(long long n) {
    server.aof.current_size += n;
    server.aof.last_incr_size += n;
}

/* everysec / no: write(2) on the loop thread, as Redis. VG_ERR: the buffer
 * keeps what was not written. */
static int write_buffer(void) {
    aof_state *a = &server.aof;
    size_t done = 0;
    int err = 0;
    int64_t t0 = vg_mono_us();
    while (done < a->buffer.len) {
        ssize_t n = write(a->fd, a->buffer.data + done, a->buffer.len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : ENOSPC;
            break;
        }
        done += (size_t)n;
    }
    latency_add_if_needed("aof-write", (vg_mono_us() - t0) / 1000);
    if (err == 0) {
        write_recovered();
        sizes_add((long long)done);
        buf_clear(&a->buffer);
        if (a->buffer.cap > 4000) buf_free(&a->buffer);
        return VG_OK;
    }
    write_error_log(err, (long long)done, a->buffer.len);
    if (done > 0 && ftruncate(a->fd, a->last_incr_size) == 0) done = 0;
    if (done > 0) {
        sizes_add((long long)done);
        buf_consume(&a->buffer, done);
        err = ENOSPC;
    }
    a->last_write_ok = false;
    a->last_write_errno = err;
    return VG_ERR;
}

static bool child_running(void) {
    return server.aof.child_pid > 0 || server.persist.child_pid > 0;
}

static void fsync_everysec(bool fsync_running) {
    aof_state *a = &server.aof;
    if (a->no_fsync_on_rewrite && child_running()) return;
    if (a->fsync != AOF_FSYNC_EVERYSEC || now_s() <= a->last_fsync) return;
    if (!fsync_running) {
        aof_fsync_submit_fsync(a->fd);
        a->last_incr_fsync_off = a->last_incr_size;
    }
    a->last_fsync = now_s();
}

/* always: the buffer becomes a batch for the I/O thread. With an empty
 * buffer, bytes written under another policy still get their fsync. */
static void submit_batch(bool force) {
    aof_state *a = &server.aof;
    if (a->buffer.len == 0 && a->group.inflight == 0 &&
        a->last_incr_fsync_off != a->last_incr_size) {
        aof_fsync_submit_fsync(a->fd);
        a->last_incr_fsync_off = a->last_incr_size;
        return;
    }
    if (!aof_group_should_submit(&a->group, a->buffer.len, force)) return;
    uint64_t seq = aof_group_submit(&a->group);
    sizes_add((long long)a->buffer.len);
    bool sync = !(a->no_fsync_on_rewrite && child_running());
    aof_fsync_submit_write(a->fd, &a->buffer, seq, sync);
}

void aof_flush(bool force) {
    aof_state *a = &server.aof;
    if (a->fd < 0) return;
    if (a->fsync == AOF_FSYNC_ALWAYS) {
        submit_batch(force);
        return;
    }
    bool fsync_running = aof_fsync_pending() != 0;
    if (a->buffer.len == 0) {
        if (a->last_incr_fsync_off != a->last_incr_size) fsync_everysec(fsync_running);
        return;
    }
    switch (aof_sched_flush(a->fsync, force, fsync_running, now_s(), &a->flush_postponed)) {
    case AOF_FLUSH_POSTPONE:
        return;
    case AOF_FLUSH_WRITE_LATE:
        a->delayed_fsync++;
        LOG_NOTICE("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF "
                   "buffer without waiting for fsync to complete, this may slow down Redis.");
        break;
    case AOF_FLUSH_WRITE:
        break;
    }
    if (write_buffer() != VG_OK) return;
    fsync_everysec(fsync_running);
}

void aof_flush_sync(void) {
    aof_flush(true);
    aof_fsync_drain();
    if (server.aof.buffer.len && server.aof.fd >= 0 && server.aof.fsync == AOF_FSYNC_ALWAYS) {
        /* The batch failed and came back: one more try, then give up. */
        aof_flush(true);
        aof_fsync_drain();
    }
}

/* Results of the I/O thread, on the loop thread. */
static void job_done_cb(aof_job_result *r) {
    aof_state *a = &server.aof;
    if (r->kind != AOF_JOB_WRITE) {
        if (r->err) {
            LOG_WARNING("Fail to fsync the AOF file: %s", strerror(r->err));
            a->fsync_ok = false;
            a->fsync_errno = r->err;
        } else if (r->kind == AOF_JOB_FSYNC) {
            a->fsync_ok = true;
        }
        return;
    }
    if (r->fsync_failed) {
        /* As Redis: with appendfsync always an unsynced acknowledged write
         * breaks the contract, and fsync cannot be retried reliably. */
        LOG_WARNING("Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s. "
                    "Exiting...",
                    strerror(r->err));
        exit(1);
    }
    if (r->err) {
        aof_group_done(&a->group, r->seq, false);
        long long lost = (long long)r->data.len - r->written;
        a->current_size -= lost;
        a->last_incr_size -= lost;
        write_error_log(r->err, r->written, r->data.len);
        /* The bytes go back in front of what was fed since. */
        buf_consume(&r->data, (size_t)r->written);
        buf_append(&r->data, a->buffer.data, a->buffer.len);
        buf_swap(&r->data, &a->buffer);
        a->last_write_ok = false;
        a->last_write_errno = r->err;
        return;
    }
    write_recovered();
    aof_group_done(&a->group, r->seq, true);
    if (a->group.inflight == 0 && r->synced) a->last_incr_fsync_off = a->last_incr_size;
    a->last_fsync = now_s();
    clients_release_held();
}

void aof_before_sleep(void) {
    aof_state *a = &server.aof;
    if (a->state == AOF_OFF) return;
    /* A failing disk is retried by the cron, once a second, not every turn. */
    if (a->fsync == AOF_FSYNC_ALWAYS && !a->last_write_ok) return;
    aof_flush(false);
    if (a->fsync != AOF_FSYNC_ALWAYS && a->group.inflight == 0 && clients_held_any()) {
        /* appendfsync changed away from always: nothing waits for fsync. */
        aof_group_release_all(&a->group);
        clients_release_held();
    }
}

void aof_cron(void) {
    aof_state *a = &server.aof;
    static int64_t last_retry_ms;
    if (a->state != AOF_OFF) {
        if (a->flush_postponed) aof_flush(false);
        if (!a->last_write_ok && server.now_ms - last_retry_ms >= 1000) {
            last_retry_ms = server.now_ms;
            aof_flush(false); /* always: a batch only when none is in flight */
        }
    }
    aof_rewrite_cron();
}

/* ------------------------------------------------------------ new incr */

/* Switch appending to fd (new file); the old one is fsync'ed and closed by
 * the thread after whatever is queued on it. */
static void fd_replace(int fd) {
    aof_state *a = &server.aof;
    if (a->fd >= 0) {
        aof_fsync_submit_close(a->fd);
        a->last_fsync = now_s();
    }
    a->fd = fd;
    a->last_incr_size = 0;
    a->last_incr_fsync_off = 0;
}

int aof_incr_open_new(void) {
    aof_state *a = &server.aof;
    if (a->state == AOF_OFF) return VG_OK;
    aof_manifest *tmp = NULL;
    buf name, path;
    buf_init(&name);
    buf_init(&path);
    if (a->state == AOF_WAIT_REWRITE) {
        aof_manifest_temp_incr_name(&name, a->filename);
    } else {
        tmp = aof_manifest_dup(a->manifest);
        const char *n = aof_manifest_new_incr(tmp, a->filename);
        if (n) buf_append(&name, n, strlen(n));
    }
    int rc = VG_ERR, fd = -1;
    if (name.len == 0) goto out;
    aof_path(&path, name.data);
    fd = open(path.data, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        LOG_WARNING("Can't open the append-only file %s: %s", name.data, strerror(errno));
        goto out;
    }
    if (tmp && aof_manifest_persist(tmp) != VG_OK) goto out;
    LOG_NOTICE("Creating AOF incr file %s on background rewrite", name.data);
    fd_replace(fd);
    fd = -1;
    if (tmp) {
        aof_manifest_free(a->manifest);
        a->manifest = tmp;
        tmp = NULL;
    }
    rc = VG_OK;
out:
    if (fd >= 0) close(fd);
    aof_manifest_free(tmp);
    buf_free(&name);
    buf_free(&path);
    return rc;
}

void aof_history_delete(void) {
    aof_manifest *am = server.aof.manifest;
    if (am == NULL || server.aof.disable_auto_gc || am->history.len == 0) return;
    buf p;
    buf_init(&p);
    for (size_t i = 0; i < am->history.len; i++) {
        LOG_NOTICE("Removing the history file %s in the background", am->history.items[i].name);
        aof_path(&p, am->history.items[i].name);
        unlink(p.data);
    }
    buf_free(&p);
    aof_manifest_history_clear(am);
    aof_manifest_persist(am);
}

/* ------------------------------------------------------------ start-up */

static void state_init(void) {
    aof_state *a = &server.aof;
    a->fd = -1;
    a->sink = -1;
    a->child_pid = -1;
    a->rewrite_time_start = -1;
    a->rewrite_time_last = -1;
    a->last_write_ok = true;
    a->fsync_ok = true;
    a->last_bgrewrite_ok = true;
    a->last_fsync = now_s();
    aof_group_init(&a->group);
    buf_init(&a->buffer);
}

static long long files_size(const aof_manifest *am) {
    long long size = am->base ? aof_file_size(am->base->name) : 0;
    for (size_t i = 0; i < am->incr.len; i++)
        size += aof_file_size(am->incr.items[i].name);
    return size;
}

/* Redis' aofOpenIfNeededOnServerStart, once the dataset is loaded. */
static int open_on_start(vg_error *err) {
    aof_state *a = &server.aof;
    aof_manifest *am = a->manifest;
    if (aof_dir_create() != VG_OK) {
        vg_error_set(err, "Can't open or create append-only dir %s: %s", a->dirname,
                     strerror(errno));
        return VG_ERR;
    }
    buf path;
    buf_init(&path);
    bool had_incr = am->incr.len > 0;
    if (am->base == NULL && !had_incr) {
        const char *base = aof_manifest_new_base(am, a->filename, a->use_rdb_preamble != 0);
        aof_path(&path, base);
        if (aof_rewrite_sync(path.data) != VG_OK) {
            vg_error_set(err, "Can't create the AOF base file %s", base);
            buf_free(&path);
            return VG_ERR;
        }
        LOG_NOTICE("Creating AOF base file %s on server start", base);
    }
    const char *incr = aof_manifest_last_incr(am, a->filename);
    aof_path(&path, incr);
    a->fd = open(path.data, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    buf_free(&path);
    if (a->fd < 0) {
        vg_error_set(err, "Can't open the append-only file %s: %s", incr, strerror(errno));
        return VG_ERR;
    }
    if (aof_manifest_persist(am) != VG_OK) {
        vg_error_set(err, "Can't persist the AOF manifest file");
        return VG_ERR;
    }
    a->last_incr_size = aof_file_size(incr);
    a->last_incr_fsync_off = a->last_incr_size;
    a->current_size = files_size(am);
    a->base_size = a->current_size;
    LOG_NOTICE("%s AOF incr file %s on server start", had_incr ? "Opening" : "Creating", incr);
    return VG_OK;
}

int aof_open_at_start(aof_manifest *am, vg_error *err) {
    state_init();
    started = true;
    if (am == NULL && manifest_read(&am, err) != VG_OK) return VG_ERR;
    server.aof.manifest = am ? am : aof_manifest_new();
    if (aof_fsync_start(server.loop, job_done_cb, err) != VG_OK) return VG_ERR;
    if (!server.aof.enabled) return VG_OK;
    server.aof.state = AOF_ON;
    if (open_on_start(err) != VG_OK) return VG_ERR;
    sink_attach();
    aof_history_delete();
    return VG_OK;
}

/* ---------------------------------------------------- CONFIG SET appendonly */

static void stop_append_only(void) {
    aof_state *a = &server.aof;
    aof_flush_sync();
    if (a->fd >= 0) {
        if (fsync(a->fd) != 0)
            LOG_WARNING("Fail to fsync the AOF file: %s", strerror(errno));
        else
            a->last_fsync = now_s();
        close(a->fd);
    }
    a->fd = -1;
    a->state = AOF_OFF;
    a->rewrite_scheduled = false;
    a->last_incr_size = 0;
    a->last_incr_fsync_off = 0;
    aof_rewrite_kill();
    sink_detach();
    buf_free(&a->buffer);
    aof_group_release_all(&a->group);
    clients_release_held();
}

static int start_append_only(vg_error *err) {
    aof_state *a = &server.aof;
    a->state = AOF_WAIT_REWRITE;
    propagate_sink_reselect(a->sink);
    sink_attach();
    if (server.persist.child_pid > 0) {
        a->rewrite_scheduled = true;
        LOG_WARNING("AOF was enabled but there is already another background operation. An AOF "
                    "background was scheduled to start when possible.");
    } else {
        if (a->child_pid > 0) {
            LOG_WARNING("AOF was enabled but there is already an AOF rewriting in background. "
                        "Stopping background AOF and starting a rewrite now.");
            aof_rewrite_kill();
        }
        if (aof_rewrite_background() != VG_OK) {
            a->state = AOF_OFF;
            sink_detach();
            LOG_WARNING("Redis needs to enable the AOF but can't trigger a background AOF rewrite "
                        "operation. Check the above logs for more info about the error.");
            vg_error_set(err, "Failed to start the AOF rewrite");
            return VG_ERR;
        }
    }
    a->last_fsync = now_s();
    if (!a->fsync_ok) {
        LOG_WARNING("AOF reopen, just ignore the AOF fsync error in bio job");
        a->fsync_ok = true;
    }
    if (!a->last_write_ok) {
        LOG_WARNING("AOF reopen, just ignore the last error.");
        a->last_write_ok = true;
    }
    return VG_OK;
}

int aof_config_changed(vg_error *err) {
    if (!started) return VG_OK;
    aof_state *a = &server.aof;
    if (a->enabled && a->state == AOF_OFF) return start_append_only(err);
    if (!a->enabled && a->state != AOF_OFF) stop_append_only();
    return VG_OK;
}

/* ------------------------------------------------------------ shutdown */

void aof_shutdown(void) {
    if (!started) return;
    aof_state *a = &server.aof;
    if (a->child_pid > 0) {
        LOG_WARNING("There is a child rewriting the AOF. Killing it!");
        aof_rewrite_kill();
    }
    if (a->state != AOF_OFF && a->fd >= 0) {
        LOG_NOTICE("Calling fsync() on the AOF file.");
        aof_flush_sync();
        if (fsync(a->fd) != 0) LOG_WARNING("Fail to fsync the AOF file: %s.", strerror(errno));
    }
    aof_fsync_stop();
    aof_group_release_all(&a->group);
    clients_release_held();
    if (a->fd >= 0) close(a->fd);
    a->fd = -1;
    sink_detach();
    buf_free(&a->buffer);
    aof_manifest_free(a->manifest);
    a->manifest = NULL;
    started = false;
}

/* ---------------------------------------------------------------- INFO */

bool aof_child_active(void) {
    return server.aof.child_pid > 0;
}

void aof_info_main(buf *out) {
    const aof_state *a = &server.aof;
    bool child = a->child_pid > 0;
    buf_append_fmt(out,
                   "aof_enabled:%d\r\naof_rewrite_in_progress:%d\r\naof_rewrite_scheduled:%d\r\n"
                   "aof_last_rewrite_time_sec:%lld\r\naof_current_rewrite_time_sec:%lld\r\n"
                   "aof_last_bgrewrite_status:%s\r\naof_rewrites:%lld\r\n"
                   "aof_rewrites_consecutive_failures:%lld\r\naof_last_write_status:%s\r\n"
                   "aof_last_cow_size:0\r\n",
                   a->state != AOF_OFF, child, a->rewrite_scheduled, a->rewrite_time_last,
                   child ? (long long)time(NULL) - a->rewrite_time_start : -1LL,
                   a->last_bgrewrite_ok ? "ok" : "err", a->rewrites, a->rewrite_failures,
                   a->last_write_ok && a->fsync_ok ? "ok" : "err");
}

void aof_info_enabled(buf *out) {
    const aof_state *a = &server.aof;
    if (!a->enabled) return;
    buf_append_fmt(out,
                   "aof_current_size:%lld\r\naof_base_size:%lld\r\naof_pending_rewrite:%d\r\n"
                   "aof_buffer_length:%zu\r\naof_pending_bio_fsync:%lu\r\n"
                   "aof_delayed_fsync:%lld\r\n",
                   a->current_size, a->base_size, a->rewrite_scheduled, a->buffer.len,
                   started ? aof_fsync_pending() : 0UL, a->delayed_fsync);
}
