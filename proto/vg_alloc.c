/* vg_alloc.c -- counting allocator over the C library's malloc.
 *
 * Owns: used_memory. Counts malloc_usable_size so the number matches what
 * the allocator really hands out; the counter is atomic because the lazy
 * free thread releases memory too. */
#include "vg_alloc.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t used_memory;

static void oom(size_t n) {
    fprintf(stderr, "Out Of Memory allocating %zu bytes!\n", n);
    fflush(stderr);
    abort();
}

void *vg_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p == NULL) oom(n);
    __atomic_add_fetch(&used_memory, malloc_usable_size(p), __ATOMIC_RELAXED);
    return p;
}

void *vg_calloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) oom(n);
    __atomic_add_fetch(&used_memory, malloc_usable_size(p), __ATOMIC_RELAXED);
    return p;
}

void *vg_realloc(void *p, size_t n) {
    if (p == NULL) return vg_malloc(n);
    size_t old = malloc_usable_size(p);
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) oom(n);
    size_t now = malloc_usable_size(q);
    if (now >= old)
        __atomic_add_fetch(&used_memory, now - old, __ATOMIC_RELAXED);
    else
        __atomic_sub_fetch(&used_memory, old - now, __ATOMIC_RELAXED);
    return q;
}

void vg_free(void *p) {
    if (p == NULL) return;
    __atomic_sub_fetch(&used_memory, malloc_usable_size(p), __ATOMIC_RELAXED);
    free(p);
}

char *vg_strdup(const char *s) {
    return vg_memdup(s, strlen(s) + 1);
}

void *vg_memdup(const void *p, size_t n) {
    void *q = vg_malloc(n);
    memcpy(q, p, n);
    return q;
}

size_t vg_used_memory(void) {
    return __atomic_load_n(&used_memory, __ATOMIC_RELAXED);
}

size_t vg_alloc_size(const void *p) {
    return p ? malloc_usable_size((void *)p) : 0;
}
