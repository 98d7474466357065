/* aof_load.c -- the AOF files at start (see aof_load.h).
 *
 * Owns: the one AOF load: the manifest until it is handed to the caller,
 * the file being read, its window of bytes and the replay client. The
 * load is a loading_job: the RDB part of the base file (if it has one)
 * is its off-thread phase, every command after it its loop-side steps:
 *
 *   manifest --> [base is RDB?] --yes--> rdb_load on the worker
 *                     | no                    |
 *                     v                       v
 *   step: for each file from `next`: commands from `offset` (after the
 *         RDB part, if any), 1024 per turn --> done: cb(status, manifest)
 *
 * Log lines and their conditions are Redis 7.0.15's loadAppendOnlyFiles
 * and loadSingleAppendOnlyFile; what Redis names only by file, we also
 * name by offset. */
#include "aof_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aof_reader.h"
#include "client.h"
#include "command.h"
#include "fsutil.h"
#include "loading.h"
#include "log.h"
#include "multi.h"
#include "persistence.h"
#include "rdb.h"
#include "server.h"
#include "vg_alloc.h"

#define AOF_STEP_COMMANDS 1024       /* commands per loop turn (Redis serves clients as often) */
#define AOF_READ_CHUNK (1024 * 1024) /* bytes read from a file at a time */

static struct {
    aof_manifest *am;       /* owned until handed to cb */
    aof_loaded_cb cb;       /* told once at the end */
    loading_job job;        /* the loading.h job */
    size_t nfiles;          /* base + incr files */
    size_t next;            /* index of the file the steps read (or open next) */
    int fd;                 /* the file being read, or -1 */
    char *path;             /* owned: appenddirname/name of that file */
    uint64_t size;          /* its size at open */
    uint64_t offset;        /* where its commands start (after an RDB part) */
    buf win;                /* owned: bytes read, from file offset win_off */
    uint64_t win_off;       /* file offset of win.data[0] */
    size_t pos;             /* bytes of win consumed */
    uint64_t valid_up_to;   /* end of the last command replayed */
    uint64_t before_multi;  /* valid_up_to when the open MULTI began */
    aof_reader rd;          /* owned */
    client *c;              /* owned: the replay client of this file */
    int64_t file_start_us;  /* for "DB loaded from ... file" */
    int64_t start_us;       /* for "DB loaded from append only file" */
    bool base_rdb;          /* the base starts with an RDB part (worker) */
    bool stepping;          /* the worker's part is over: steps run */
    rdb_load_info rdb_info; /* what the worker found */
} A = {.fd = -1};

static const aof_file_info *file_at(size_t i) {
    if (A.am->base) {
        if (i == 0) return A.am->base;
        i--;
    }
    return &A.am->incr.items[i];
}

static char *file_path(const char *name) {
    buf b;
    buf_init(&b);
    buf_append_fmt(&b, "%s/%s", server.aof.dirname, name);
    return b.data;
}

static bool path_exists(const char *p, bool dir) {
    struct stat st;
    if (stat(p, &st) != 0) return false;
    return dir ? S_ISDIR(st.st_mode) : true;
}

/* ---------------------------------------------------------- manifest */

static int manifest_read(const char *path, aof_manifest **out, vg_error *err) {
    buf text;
    buf_init(&text);
    if (fs_read_all(path, &text) != VG_OK) {
        vg_error_set(err, "Fatal error: can't open the AOF manifest file %s for reading: %s", path,
                     strerror(errno));
        buf_free(&text);
        return VG_ERR;
    }
    aof_manifest_where where = {0};
    int rc = aof_manifest_parse(text.data ? text.data : "", text.len, out, &where, err);
    if (rc != VG_OK) {
        LOG_WARNING("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
        if (where.line > 0) {
            LOG_WARNING("Reading the manifest file, at line %d\n", where.line);
            LOG_WARNING(">>> '%.*s'\n", (int)where.len, text.data + where.off);
        }
    }
    buf_free(&text);
    return rc;
}

/* aofLoadManifestFromDisk: no directory or no manifest is an empty one. */
static int manifest_load(aof_manifest **out, vg_error *err) {
    *out = NULL;
    if (!path_exists(server.aof.dirname, true)) {
        *out = aof_manifest_new();
        return VG_OK;
    }
    buf name;
    buf_init(&name);
    aof_manifest_file_name(&name, server.aof.filename);
    char *path = file_path(name.data);
    buf_free(&name);
    int rc = VG_OK;
    if (!path_exists(path, false))
        *out = aof_manifest_new();
    else
        rc = manifest_read(path, out, err);
    vg_free(path);
    return rc;
}

static int manifest_persist(aof_manifest *am, vg_error *err) {
    buf name, text;
    buf_init(&name);
    buf_init(&text);
    aof_manifest_file_name(&name, server.aof.filename);
    aof_manifest_format(am, &text);
    char *path = file_path(name.data);
    int rc = fs_write_atomic(path, text.data ? text.data : "", text.len);
    if (rc != VG_OK)
        vg_error_set(err, "Can't persist the AOF manifest file %s: %s", name.data, strerror(errno));
    else
        am->dirty = false;
    vg_free(path);
    buf_free(&name);
    buf_free(&text);
    return rc;
}

/* aofUpgradePrepare: an old single appendfilename becomes the base. */
static int upgrade(aof_manifest *am, vg_error *err) {
    const char *f = server.aof.filename;
    if (mkdir(server.aof.dirname, 0755) != 0 && errno != EEXIST) {
        vg_error_set(err, "Can't open or create append-only dir %s: %s", server.aof.dirname,
                     strerror(errno));
        return VG_ERR;
    }
    if (am->base == NULL) am->base = vg_calloc(sizeof(aof_file_info));
    vg_free(am->base->name);
    am->base->name = vg_strdup(f);
    am->base->seq = 1;
    am->base->type = AOF_FILE_BASE;
    am->base_seq = 1;
    am->dirty = true;
    if (manifest_persist(am, err) != VG_OK) return VG_ERR;
    char *to = file_path(f);
    int rc = rename(f, to);
    if (rc != 0)
        vg_error_set(err, "Error trying to move the old AOF file %s into dir %s: %s", f,
                     server.aof.dirname, strerror(errno));
    vg_free(to);
    if (rc != 0) return VG_ERR;
    LOG_NOTICE("Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).", f,
               server.aof.dirname);
    return VG_OK;
}

/* Redis' three cases for an upgrade when appendfilename sits in dir. */
static bool needs_upgrade(const aof_manifest *am) {
    const char *f = server.aof.filename;
    if (!path_exists(f, false)) return false;
    if (!path_exists(server.aof.dirname, true)) return true;
    if (am->base == NULL && am->incr.len == 0) return true;
    if (am->base && am->incr.len == 0 && strcmp(am->base->name, f) == 0) {
        char *p = file_path(f);
        bool there = path_exists(p, false);
        vg_free(p);
        return !there;
    }
    return false;
}

/* ------------------------------------------------------------- files */

static void file_close(void) {
    if (A.fd >= 0) close(A.fd);
    A.fd = -1;
    vg_free(A.path);
    A.path = NULL;
    buf_free(&A.win);
    if (A.c) {
        multi_client_reset(A.c);
        client_free_fake(A.c);
        A.c = NULL;
    }
}

static bool file_is_last(void) {
    return A.next + 1 == A.nfiles;
}

static bool is_old_style(const char *name) {
    return strcmp(name, server.aof.filename) == 0;
}

/* Open file A.next for its commands from A.offset. */
static int file_open(vg_error *err) {
    const aof_file_info *fi = file_at(A.next);
    A.path = file_path(fi->name);
    A.fd = open(A.path, O_RDONLY);
    struct stat st;
    if (A.fd < 0 || fstat(A.fd, &st) != 0) {
        vg_error_set(err, "Fatal error: can't open the append log file %s for reading: %s",
                     fi->name, strerror(errno));
        return VG_ERR;
    }
    A.size = (uint64_t)st.st_size;
    if (A.offset && lseek(A.fd, (off_t)A.offset, SEEK_SET) < 0) {
        vg_error_set(err, "Unrecoverable error reading the append only file %s: %s", fi->name,
                     strerror(errno));
        return VG_ERR;
    }
    buf_init(&A.win);
    A.win_off = A.offset;
    A.pos = 0;
    A.valid_up_to = A.offset;
    A.before_multi = A.offset;
    A.c = client_new_fake();
    A.c->flags |= CLIENT_DISCARD_REPLY;
    A.file_start_us = vg_mono_us();
    return VG_OK;
}

/* Read more of the file into the window, dropping what was consumed. */
static int file_read_more(vg_error *err) {
    if (A.pos > 0) {
        memmove(A.win.data, A.win.data + A.pos, A.win.len - A.pos);
        A.win.len -= A.pos;
        A.win_off += A.pos;
        A.pos = 0;
    }
    buf_reserve(&A.win, AOF_READ_CHUNK + 1);
    ssize_t n;
    do {
        n = read(A.fd, A.win.data + A.win.len, AOF_READ_CHUNK);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        vg_error_set(err, "Unrecoverable error reading the append only file %s: %s",
                     file_at(A.next)->name, strerror(errno));
        return VG_ERR;
    }
    A.win.len += (size_t)n;
    A.win.data[A.win.len] = '\0';
    if (n == 0) A.size = A.win_off + A.win.len; /* shorter than at open: ends here */
    return VG_OK;
}

static bool window_at_eof(void) {
    return A.win_off + A.win.len >= A.size;
}

/* ------------------------------------------------------------ replay */

static int replay_error(const char *what, vg_error *err) {
    const char *name = file_at(A.next)->name;
    vg_error_set(err, "%s '%.*s' reading the append only file %s at offset %llu", what,
                 (int)(A.rd.argv[0].len > 64 ? 64 : A.rd.argv[0].len), A.rd.argv[0].ptr, name,
                 (unsigned long long)A.rd.err_off);
    return VG_ERR;
}

static command *replay_lookup(vg_error *err) {
    command *cmd = command_lookup(A.rd.argv[0].ptr, A.rd.argv[0].len);
    if (cmd && cmd->subcommands && A.rd.argc >= 2)
        cmd = command_lookup_sub(cmd, A.rd.argv[1].ptr, A.rd.argv[1].len);
    if (cmd == NULL) {
        replay_error("Unknown command", err);
        return NULL;
    }
    /* Redis trusts the file's arity; a handler here may not, so a wrong
     * one is refused like an unknown command. */
    bool ok = cmd->proc && (cmd->arity > 0 ? A.rd.argc == cmd->arity : A.rd.argc >= -cmd->arity);
    if (!ok) {
        replay_error("Wrong number of arguments for", err);
        return NULL;
    }
    return cmd;
}

/* One command on the replay client, as Redis' loader runs it: queued
 * while a MULTI is open, else straight into its handler (EXEC then runs
 * the queue through command_call, as Redis' call()). */
static int replay(vg_error *err) {
    command *cmd = replay_lookup(err);
    if (cmd == NULL) return VG_ERR;
    client *c = A.c;
    if (c->argv_cap < A.rd.argc) {
        c->argv = vg_realloc(c->argv, (size_t)A.rd.argc * sizeof(vg_slice));
        c->argv_cap = A.rd.argc;
    }
    memcpy(c->argv, A.rd.argv, (size_t)A.rd.argc * sizeof(vg_slice));
    c->argc = A.rd.argc;
    c->cmd = cmd;
    const char *name = cmd->parent ? cmd->parent->name : cmd->name;
    if (strcmp(name, "multi") == 0) A.before_multi = A.valid_up_to;
    if (!multi_maybe_queue(c, cmd)) {
        cmd->proc(c);
        c->lastcmd = cmd;
    }
    c->argc = 0;
    c->cmd = NULL;
    return VG_OK;
}

/* The file ends inside a command (or inside MULTI): trim or refuse. */
static int torn_tail(vg_error *err) {
    const char *name = file_at(A.next)->name;
    if (!server.aof.load_truncated) {
        vg_error_set(err,
                     "Unexpected end of file reading the append only file %s. You can: 1) Make "
                     "a backup of your AOF file, then use ./redis-check-aof --fix "
                     "<filename.manifest>. 2) Alternatively you can set the "
                     "'aof-load-truncated' configuration option to yes and restart the server.",
                     name);
        LOG_WARNING("The torn command starts at offset %llu of %s",
                    (unsigned long long)A.valid_up_to, name);
        return VG_ERR;
    }
    if (!file_is_last()) {
        vg_error_set(err, "Fatal error: the truncated file is not the last file");
        LOG_WARNING("!!! Warning: short read while loading the AOF file %s at offset %llu!!!", name,
                    (unsigned long long)A.valid_up_to);
        return VG_ERR;
    }
    LOG_WARNING("!!! Warning: short read while loading the AOF file %s!!!", name);
    LOG_WARNING("!!! Truncating the AOF %s at offset %llu !!!", name,
                (unsigned long long)A.valid_up_to);
    if (truncate(A.path, (off_t)A.valid_up_to) != 0) {
        LOG_WARNING("Error truncating the AOF file %s: %s", name, strerror(errno));
        vg_error_set(err, "Unexpected end of file reading the append only file %s.", name);
        return VG_ERR;
    }
    LOG_WARNING("AOF %s loaded anyway because aof-load-truncated is enabled", name);
    return VG_OK;
}

static int file_end(bool torn, vg_error *err) {
    const aof_file_info *fi = file_at(A.next);
    if (!torn && (A.c->flags & CLIENT_MULTI)) {
        LOG_WARNING("Revert incomplete MULTI/EXEC transaction in AOF file %s", fi->name);
        A.valid_up_to = A.before_multi;
        torn = true;
    }
    if (torn && torn_tail(err) != VG_OK) return VG_ERR;
    LOG_NOTICE("DB loaded from %s file %s: %.3f seconds",
               fi->type == AOF_FILE_BASE ? "base" : "incr", fi->name,
               (double)(vg_mono_us() - A.file_start_us) / 1e6);
    loading_progress_file_done((long long)A.size);
    file_close();
    A.next++;
    A.offset = 0;
    return VG_OK;
}

/* One parse: LOADING_MORE to go on, VG_OK at the end of the file, VG_ERR. */
static int step_one(vg_error *err) {
    size_t used;
    aof_read_status st =
        aof_reader_next(&A.rd, A.win.data ? A.win.data + A.pos : "", A.win.len - A.pos,
                        A.win_off + A.pos, window_at_eof(), &used);
    A.pos += used;
    switch (st) {
    case AOF_READ_CMD:
        if (replay(err) != VG_OK) return VG_ERR;
        A.valid_up_to = A.win_off + A.pos;
        return LOADING_MORE;
    case AOF_READ_MORE:
        return file_read_more(err) == VG_OK ? LOADING_MORE : VG_ERR;
    case AOF_READ_END:
        return file_end(false, err);
    case AOF_READ_TRUNCATED:
        return file_end(true, err);
    case AOF_READ_BAD:
        break;
    }
    const char *name = file_at(A.next)->name;
    LOG_WARNING("Bad file format reading the append only file %s at offset %llu: %s", name,
                (unsigned long long)A.rd.err_off, A.rd.why);
    vg_error_set(err,
                 "Bad file format reading the append only file %s: make a backup of your AOF "
                 "file, then use ./redis-check-aof --fix <filename.manifest>",
                 name);
    return VG_ERR;
}

/* The worker's RDB part is in: count it as Redis' rdbLoadRio does. */
static void note_rdb_part(void) {
    A.stepping = true;
    if (!A.base_rdb) return;
    server.persist.load_keys_loaded = A.rdb_info.keys_loaded;
    server.persist.load_keys_expired = A.rdb_info.keys_expired;
    LOG_NOTICE("Done loading RDB, keys loaded: %lld, keys expired: %lld.", A.rdb_info.keys_loaded,
               A.rdb_info.keys_expired);
    if (is_old_style(A.am->base->name)) LOG_NOTICE("Reading the remaining AOF tail...");
}

static int aof_step(loading_job *job, vg_error *err) {
    (void)job;
    if (!A.stepping) note_rdb_part();
    for (int n = 0; n < AOF_STEP_COMMANDS; n++) {
        if (A.fd < 0) {
            if (A.next == A.nfiles) return VG_OK;
            if (file_open(err) != VG_OK) return VG_ERR;
        }
        int rc = step_one(err);
        if (rc == VG_ERR) return VG_ERR;
    }
    if (A.fd >= 0) loading_progress_file((long long)(A.win_off + A.pos));
    return LOADING_MORE;
}

/* ---------------------------------------------------- the RDB part */

static rdb_load_opts rdb_opts(void) {
    rdb_load_opts o = {
        .hash = server.hash,
        .set = server.set,
        .list = server.list,
        .zset_max_entries = (size_t)server.zset_max_listpack_entries,
        .zset_max_value = (size_t)server.zset_max_listpack_value,
        .now_ms = server.now_ms,
        .drop_expired = false, /* Redis keeps them in an AOF preamble */
        .verify_checksum = server.persist.rdbchecksum != 0,
        .access_restore = loading_access_restore,
        .progress = loading_rdb_progress,
    };
    return o;
}

static rdb_load_opts A_rdb_opts;
static char *A_base_path; /* owned: the base file, read by the worker */

/* On the worker: nothing here touches the loop's state. */
static int aof_off_thread(loading_job *job, db *dbs, int ndb, vg_error *err) {
    (void)job;
    int fd = open(A_base_path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        vg_error_set(err, "can't open %s: %s", A_base_path, strerror(errno));
        if (fd >= 0) close(fd);
        return VG_ERR;
    }
    rdb_reader r;
    rdb_reader_init_fd(&r, fd, (uint64_t)st.st_size);
    int rc = rdb_load(&r, dbs, ndb, &A_rdb_opts, &A.rdb_info, err);
    A.offset = r.offset; /* the commands, if any, start here */
    rdb_reader_release(&r);
    close(fd);
    return rc;
}

static void aof_done(loading_job *job, int status, const vg_error *err) {
    (void)job;
    file_close();
    aof_reader_free(&A.rd);
    vg_free(A_base_path);
    A_base_path = NULL;
    aof_manifest *am = A.am;
    if (status != VG_OK) {
        const char *name = A.next < A.nfiles ? file_at(A.next)->name : "";
        if (server.shutdown_asap) /* loading_abort at shutdown: no fault of the files */
            LOG_NOTICE("AOF loading stopped by the shutdown");
        else if (A.base_rdb && !A.stepping && err)
            LOG_WARNING("Error reading the %s %s, AOF loading aborted: %s",
                        is_old_style(name) ? "RDB preamble of the AOF file" : "RDB base file", name,
                        err->msg);
        else if (err)
            LOG_WARNING("%s", err->msg);
        A.am = NULL;
        aof_manifest_free(am);
        A.cb(VG_ERR, NULL);
        return;
    }
    A.am = NULL;
    LOG_NOTICE("DB loaded from append only file: %.3f seconds",
               (double)(vg_mono_us() - A.start_us) / 1e6);
    A.cb(VG_OK, am);
}

/* --------------------------------------------------------- the start */

/* getBaseAndIncrAppendOnlyFilesSize: every file must be there. */
static int files_size(long long *total, vg_error *err) {
    *total = 0;
    for (size_t i = 0; i < A.nfiles; i++) {
        char *p = file_path(file_at(i)->name);
        struct stat st;
        int rc = stat(p, &st);
        vg_free(p);
        if (rc != 0) {
            vg_error_set(err, "Unable to obtain the AOF file %s length. stat: %s", file_at(i)->name,
                         strerror(errno));
            return VG_ERR;
        }
        *total += (long long)st.st_size;
    }
    return VG_OK;
}

static bool starts_with_rdb(const char *path) {
    char sig[5];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return false;
    bool rdb = read(fd, sig, 5) == 5 && memcmp(sig, "REDIS", 5) == 0;
    close(fd);
    return rdb;
}

static int prepare(aof_manifest *am, vg_error *err) {
    if (needs_upgrade(am) && upgrade(am, err) != VG_OK) return VG_ERR;
    A.nfiles = aof_manifest_file_count(am);
    if (A.nfiles == 0) return VG_OK;
    long long total;
    A.am = am;
    if (files_size(&total, err) != VG_OK) {
        A.am = NULL;
        return VG_ERR;
    }
    A.next = 0;
    A.offset = 0;
    A.fd = -1;
    A.base_rdb = false;
    A.stepping = false;
    if (total == 0) {
        A.am = NULL;
        A.nfiles = 0; /* AOF_EMPTY: nothing to load */
        return VG_OK;
    }
    aof_reader_init(&A.rd);
    A.job = (loading_job){.step = aof_step, .done = aof_done};
    if (am->base) {
        A_base_path = file_path(am->base->name);
        if (starts_with_rdb(A_base_path)) {
            A.base_rdb = true;
            A_rdb_opts = rdb_opts();
            A.job.off_thread = aof_off_thread;
            LOG_NOTICE(is_old_style(am->base->name) ? "Reading RDB preamble from AOF file..."
                                                    : "Reading RDB base file on AOF loading...");
        }
    }
    A.start_us = vg_mono_us();
    if (loading_begin(&A.job, total, err) != VG_OK) {
        A.am = NULL;
        return VG_ERR;
    }
    return VG_OK;
}

int aof_load_at_start(aof_loaded_cb cb, vg_error *err) {
    aof_manifest *am = NULL;
    if (manifest_load(&am, err) != VG_OK) {
        LOG_WARNING("%s\n", err->msg);
        return VG_ERR;
    }
    A.cb = cb;
    A.am = NULL;
    A.nfiles = 0;
    if (prepare(am, err) != VG_OK) {
        LOG_WARNING("%s", err->msg);
        aof_manifest_free(am);
        return VG_ERR;
    }
    if (A.nfiles == 0) cb(VG_OK, am); /* AOF_NOT_EXIST or AOF_EMPTY */
    return VG_OK;
}
