/* vg_alloc.h -- the one allocator wrapper, so used_memory is honest.
 *
 * Owns: the process-wide count of bytes held through it. Every module
 * allocates through vg_malloc/vg_realloc/vg_free; out of memory aborts
 * with a log line (as Redis does), since no caller can recover from it. */
#ifndef VIGIL_PROTO_VG_ALLOC_H
#define VIGIL_PROTO_VG_ALLOC_H

#include <stddef.h>

void *vg_malloc(size_t n);
void *vg_calloc(size_t n);
void *vg_realloc(void *p, size_t n);
void vg_free(void *p);
char *vg_strdup(const char *s);
void *vg_memdup(const void *p, size_t n);
/* Bytes currently allocated through this wrapper (usable sizes). */
size_t vg_used_memory(void);
/* Usable size of a block from vg_malloc. */
size_t vg_alloc_size(const void *p);

#endif
