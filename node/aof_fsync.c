/* aof_fsync.c -- the AOF's background I/O thread (see aof_fsync.h).
 *
 * Owns: the worker thread, the job queue and the result list, each under
 * one mutex. The worker touches no server state: a job carries its fd and
 * bytes, a result carries errno back. */
#include "aof_fsync.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vg_alloc.h"

typedef struct job {
    int kind;
    int fd;
    uint64_t seq;
    bool sync; /* WRITE: fdatasync after the write */
    buf data;
    struct job *next;
} job;

typedef struct result {
    aof_job_result r;
    struct result *next;
} result;

static pthread_t worker;
static bool running;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER; /* a job arrived or stop */
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER; /* the queue emptied */
static job *head, *tail;                               /* under mu */
static bool busy;                                      /* under mu: a job is running */
static bool stopping;                                  /* under mu */
static unsigned long pending_fsyncs;                   /* under mu */
static result *res_head, *res_tail;                    /* under mu */
static uv_async_t async;
static aof_fsync_done_cb done_cb;

static int sync_fd(int fd) {
#if defined(__linux__)
    return fdatasync(fd);
#else
    return fsync(fd);
#endif
}

/* Write all of p; on failure truncate back to the size before, as Redis
 * does after a short write, so the file holds whole commands only. */
static int write_all(int fd, const char *p, size_t len, long long *written) {
    struct stat st;
    off_t before = fstat(fd, &st) == 0 ? st.st_size : -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            if (done > 0 && before >= 0 && ftruncate(fd, before) == 0) done = 0;
            *written = (long long)done;
            return e;
        }
        done += (size_t)n;
    }
    *written = (long long)done;
    return 0;
}

static void run(job *j, aof_job_result *r) {
    r->kind = j->kind;
    r->seq = j->seq;
    buf_init(&r->data);
    if (j->kind == AOF_JOB_WRITE) {
        r->synced = j->sync;
        r->err = write_all(j->fd, j->data.data, j->data.len, &r->written);
        if (r->err == 0 && j->sync && sync_fd(j->fd) != 0) {
            r->err = errno;
            r->fsync_failed = true;
        }
        if (r->err != 0 && !r->fsync_failed) buf_swap(&r->data, &j->data);
    } else {
        if (sync_fd(j->fd) != 0) {
            r->err = errno;
            r->fsync_failed = true;
        }
        if (j->kind == AOF_JOB_CLOSE) close(j->fd);
    }
}

static void *worker_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (head == NULL && !stopping)
            pthread_cond_wait(&wake, &mu);
        if (head == NULL) break;
        job *j = head;
        head = j->next;
        if (head == NULL) tail = NULL;
        busy = true;
        pthread_mutex_unlock(&mu);
        result *res = vg_calloc(sizeof(result));
        run(j, &res->r);
        buf_free(&j->data);
        pthread_mutex_lock(&mu);
        if (j->kind == AOF_JOB_FSYNC) pending_fsyncs--;
        vg_free(j);
        if (res_tail)
            res_tail->next = res;
        else
            res_head = res;
        res_tail = res;
        busy = false;
        if (head == NULL) pthread_cond_broadcast(&idle);
        uv_async_send(&async);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void deliver(void) {
    pthread_mutex_lock(&mu);
    result *list = res_head;
    res_head = res_tail = NULL;
    pthread_mutex_unlock(&mu);
    while (list) {
        result *next = list->next;
        if (done_cb) done_cb(&list->r);
        buf_free(&list->r.data);
        vg_free(list);
        list = next;
    }
}

static void on_async(uv_async_t *h) {
    (void)h;
    deliver();
}

int aof_fsync_start(uv_loop_t *loop, aof_fsync_done_cb cb, vg_error *err) {
    if (running) return VG_OK;
    done_cb = cb;
    if (uv_async_init(loop, &async, on_async) != 0) {
        vg_error_set(err, "Can't create the AOF fsync notifier");
        return VG_ERR;
    }
    stopping = false;
    if (pthread_create(&worker, NULL, worker_main, NULL) != 0) {
        vg_error_set(err, "Can't create the AOF fsync thread: %s", strerror(errno));
        uv_close((uv_handle_t *)&async, NULL);
        return VG_ERR;
    }
    running = true;
    return VG_OK;
}

void aof_fsync_drain(void) {
    if (!running) return;
    pthread_mutex_lock(&mu);
    while (head != NULL || busy)
        pthread_cond_wait(&idle, &mu);
    pthread_mutex_unlock(&mu);
    deliver();
}

void aof_fsync_stop(void) {
    if (!running) return;
    aof_fsync_drain();
    pthread_mutex_lock(&mu);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&mu);
    pthread_join(worker, NULL);
    running = false;
    deliver();
    /* The async handle is closed by the loop's teardown walk. */
}

static void submit(int kind, int fd, buf *data, uint64_t seq, bool sync) {
    VG_ASSERT(running);
    job *j = vg_calloc(sizeof(job));
    j->kind = kind;
    j->fd = fd;
    j->seq = seq;
    j->sync = sync;
    buf_init(&j->data);
    if (data) buf_swap(&j->data, data);
    pthread_mutex_lock(&mu);
    if (kind == AOF_JOB_FSYNC) pending_fsyncs++;
    if (tail)
        tail->next = j;
    else
        head = j;
    tail = j;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&mu);
}

void aof_fsync_submit_write(int fd, buf *data, uint64_t seq, bool sync) {
    submit(AOF_JOB_WRITE, fd, data, seq, sync);
}

void aof_fsync_submit_fsync(int fd) {
    submit(AOF_JOB_FSYNC, fd, NULL, 0, true);
}

void aof_fsync_submit_close(int fd) {
    submit(AOF_JOB_CLOSE, fd, NULL, 0, true);
}

unsigned long aof_fsync_pending(void) {
    pthread_mutex_lock(&mu);
    unsigned long n = pending_fsyncs;
    pthread_mutex_unlock(&mu);
    return n;
}
