/* lazyfree.c -- freeing big values off the loop thread.
 *
 * Owns: one worker thread and a FIFO of jobs protected by a mutex. The
 * worker only frees memory that nothing on the loop can reach any more,
 * so no other locking is needed. */
#include "lazyfree.h"

#include <pthread.h>

#include "kv.h"
#include "vg_alloc.h"

#define LAZYFREE_THRESHOLD 64 /* bytes of value memory worth a thread hop: see kv_is_big */

typedef struct job {
    struct job *next;
    kv *obj;    /* owned, or NULL */
    dict *keys; /* owned, or NULL */
} job;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static job *head, *tail;
static pthread_t worker;
static int running, stopping;
static long long pending, freed;

static void free_kv_node(dict_node *n) {
    kv_free((kv *)n);
}

static void *worker_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (head == NULL && !stopping)
            pthread_cond_wait(&wake, &lock);
        if (head == NULL && stopping) break;
        job *j = head;
        head = j->next;
        if (head == NULL) tail = NULL;
        pthread_mutex_unlock(&lock);
        long long n = 1;
        if (j->obj) kv_free(j->obj);
        if (j->keys) {
            n = (long long)dict_size(j->keys);
            dict_release(j->keys, free_kv_node);
            vg_free(j->keys);
        }
        vg_free(j);
        pthread_mutex_lock(&lock);
        pending -= n;
        freed += n;
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

void lazyfree_start(void) {
    if (running) return;
    stopping = 0;
    if (pthread_create(&worker, NULL, worker_main, NULL) == 0) running = 1;
}

void lazyfree_stop(void) {
    if (!running) return;
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(worker, NULL);
    running = 0;
}

static void enqueue(kv *o, dict *d, long long n) {
    job *j = vg_malloc(sizeof(*j));
    j->next = NULL;
    j->obj = o;
    j->keys = d;
    pthread_mutex_lock(&lock);
    if (tail)
        tail->next = j;
    else
        head = j;
    tail = j;
    pending += n;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
}

static int kv_is_big(const kv *o) {
    if (o->type == OBJ_STRING) return 0;
    return kv_memory(o) > LAZYFREE_THRESHOLD * 1024;
}

void lazyfree_kv(kv *o) {
    if (o == NULL) return;
    if (!running || !kv_is_big(o)) {
        kv_free(o);
        return;
    }
    enqueue(o, NULL, 1);
}

void lazyfree_dict(dict *d) {
    if (!running) {
        dict_release(d, free_kv_node);
        vg_free(d);
        return;
    }
    enqueue(NULL, d, (long long)dict_size(d));
}

long long lazyfree_pending(void) {
    pthread_mutex_lock(&lock);
    long long n = pending;
    pthread_mutex_unlock(&lock);
    return n;
}

long long lazyfree_freed(void) {
    pthread_mutex_lock(&lock);
    long long n = freed;
    pthread_mutex_unlock(&lock);
    return n;
}
