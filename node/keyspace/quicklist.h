/* quicklist.h -- a doubly linked list of listpack nodes (the list type's value).
 *
 * Owns: every node and the listpack inside it. Entries are binary-safe
 * strings; a listpack stores integer-looking ones as integers and reads
 * them back as the same text, so callers only ever see strings.
 *
 * Node size follows list-max-listpack-size (`fill`): a negative fill caps
 * each node's listpack at 4/8/16/32/64 KB (-1..-5), a positive fill caps
 * the entry count (and, for safety, the size at 8 KB). An entry larger
 * than the cap gets a node of its own. `compress` (list-compress-depth) is
 * kept for CONFIG/RDB but nodes are never compressed.
 *
 * Invariants: no node is empty; count is the sum of the node counts;
 * head->prev == NULL, tail->next == NULL. Positions handed out (ql_entry,
 * ql_iter) stay valid until the list changes, except through the
 * iterator's own ql_iter_delete. Prefix `ql_`. */
#ifndef VIGIL_NODE_QUICKLIST_H
#define VIGIL_NODE_QUICKLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "listpack.h"

#define QL_HEAD 0
#define QL_TAIL 1

typedef struct ql_node {
    struct ql_node *prev; /* toward the head, NULL for the first */
    struct ql_node *next; /* toward the tail, NULL for the last */
    unsigned char *lp;    /* owned: the node's entries */
    unsigned count;       /* entries in lp */
} ql_node;

typedef struct quicklist {
    ql_node *head; /* owned: first node */
    ql_node *tail; /* borrowed: last node */
    size_t count;  /* entries in all nodes */
    size_t len;    /* nodes */
    int fill;      /* list-max-listpack-size, clamped to [-5, 32768] */
    int compress;  /* list-compress-depth, stored only */
} quicklist;

/* One entry's position and text (valid until the list changes). */
typedef struct ql_entry {
    ql_node *node;             /* borrowed */
    unsigned char *p;          /* borrowed: position in node->lp */
    long long index;           /* absolute index from the head */
    const char *s;             /* borrowed: text (points into lp or ibuf) */
    size_t len;                /* text length */
    char ibuf[LP_INTBUF_SIZE]; /* integer entries are formatted here */
} ql_entry;

typedef struct ql_iter {
    quicklist *ql;    /* borrowed */
    ql_node *node;    /* node of the next entry, NULL when done */
    unsigned char *p; /* next entry in node->lp, NULL = start of node */
    int dir;          /* QL_HEAD: head to tail; QL_TAIL: tail to head */
    long long index;  /* absolute index of the next entry */
} ql_iter;

/* Returns new: an empty list (free with ql_free). */
quicklist *ql_new(int fill, int compress);
void ql_free(quicklist *ql);
/* Returns new: a deep copy. */
quicklist *ql_dup(const quicklist *ql);
/* Bytes held by the list (structs and listpack blocks). */
size_t ql_memory(const quicklist *ql);

static inline size_t ql_count(const quicklist *ql) {
    return ql->count;
}

void ql_push(quicklist *ql, int where, const char *s, size_t len);
/* Remove the head or tail entry and append its text to out (cleared
 * first). False when the list is empty. */
bool ql_pop(quicklist *ql, int where, buf *out);
/* Entry at index (negative counts from the tail). False if out of range. */
bool ql_index(quicklist *ql, long long index, ql_entry *e);
/* Replace the entry at index. False if out of range. */
bool ql_replace_at(quicklist *ql, long long index, const char *s, size_t len);
/* Insert next to the entry e (found by ql_index or an iterator): after it
 * when `after`, else before it. e becomes invalid. */
void ql_insert(quicklist *ql, const ql_entry *e, bool after, const char *s, size_t len);
/* Delete up to count entries starting at index (negative from the tail).
 * Returns how many were deleted. */
size_t ql_del_range(quicklist *ql, long long index, size_t count);

/* Iterate from index (negative from the tail) in direction dir. */
void ql_iter_init(ql_iter *it, quicklist *ql, int dir, long long index);
/* Next entry, or false at the end. */
bool ql_next(ql_iter *it, ql_entry *e);
/* Delete the entry e last returned by ql_next on it; the iteration goes on
 * with the entry that follows in its direction. */
void ql_iter_delete(ql_iter *it, ql_entry *e);
/* True if the entry's value equals s[0..len). */
bool ql_entry_eq(const ql_entry *e, const char *s, size_t len);

/* Node limits, exposed for tests. */
size_t ql_node_size_limit(int fill);

#endif
