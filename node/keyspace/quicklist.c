/* quicklist.c -- a doubly linked list of listpack nodes.
 *
 * Owns: the nodes and their listpacks (see quicklist.h for the limits and
 * invariants). Growth inserts into a node while it stays under the limit,
 * otherwise spills into a neighbour or a new node; a node pushed over the
 * limit by an insert or a replace splits in two. Deletions drop empty
 * nodes and merge a node into its neighbour when both fit in one. */
#include "quicklist.h"

#include <string.h>

#include "vg_alloc.h"
#include "vg_common.h"

#define QL_FILL_MAX 32768
#define QL_SIZE_SAFETY_LIMIT 8192
/* Bytes an entry is assumed to add beyond its payload when deciding
 * whether it fits a node: Redis 7.0's SIZE_ESTIMATE_OVERHEAD, so nodes
 * split where Redis' do and DUMP/RDB bytes of a list match its own. */
#define QL_ENTRY_OVERHEAD 8

static const size_t size_levels[] = {4096, 8192, 16384, 32768, 65536};

size_t ql_node_size_limit(int fill) {
    if (fill >= 0) return QL_SIZE_SAFETY_LIMIT;
    int level = -fill - 1;
    if (level > 4) level = 4;
    return size_levels[level];
}

quicklist *ql_new(int fill, int compress) {
    quicklist *ql = vg_calloc(sizeof(*ql));
    if (fill > QL_FILL_MAX)
        fill = QL_FILL_MAX;
    else if (fill < -5)
        fill = -5;
    ql->fill = fill;
    ql->compress = compress < 0 ? 0 : compress;
    return ql;
}

static void node_free(ql_node *n) {
    lp_free(n->lp);
    vg_free(n);
}

void ql_free(quicklist *ql) {
    if (ql == NULL) return;
    for (ql_node *n = ql->head, *next; n; n = next) {
        next = n->next;
        node_free(n);
    }
    vg_free(ql);
}

static ql_node *node_new(unsigned char *lp, unsigned count) {
    ql_node *n = vg_malloc(sizeof(*n));
    n->prev = n->next = NULL;
    n->lp = lp;
    n->count = count;
    return n;
}

quicklist *ql_dup(const quicklist *ql) {
    quicklist *copy = ql_new(ql->fill, ql->compress);
    for (const ql_node *n = ql->head; n; n = n->next) {
        ql_node *c = node_new(lp_dup(n->lp), n->count);
        c->prev = copy->tail;
        if (copy->tail)
            copy->tail->next = c;
        else
            copy->head = c;
        copy->tail = c;
        copy->len++;
    }
    copy->count = ql->count;
    return copy;
}

size_t ql_memory(const quicklist *ql) {
    size_t total = vg_alloc_size(ql);
    for (const ql_node *n = ql->head; n; n = n->next)
        total += vg_alloc_size(n) + lp_alloc_size(n->lp);
    return total;
}

/* Link n after `at` (at == NULL: as the new head). */
static void link_after(quicklist *ql, ql_node *at, ql_node *n) {
    n->prev = at;
    n->next = at ? at->next : ql->head;
    if (n->next)
        n->next->prev = n;
    else
        ql->tail = n;
    if (at)
        at->next = n;
    else
        ql->head = n;
    ql->len++;
}

static void unlink_node(quicklist *ql, ql_node *n) {
    if (n->prev)
        n->prev->next = n->next;
    else
        ql->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        ql->tail = n->prev;
    ql->len--;
    node_free(n);
}

/* Would adding an entry of len bytes keep node n within the limits? */
static bool node_allows(const quicklist *ql, const ql_node *n, size_t len) {
    if (n == NULL) return false;
    size_t new_size = lp_bytes(n->lp) + len + QL_ENTRY_OVERHEAD;
    if (new_size > ql_node_size_limit(ql->fill)) return false;
    return ql->fill < 0 || n->count < (unsigned)ql->fill;
}

static bool node_over_limit(const quicklist *ql, const ql_node *n) {
    if (n->count <= 1) return false;
    if (lp_bytes(n->lp) > ql_node_size_limit(ql->fill)) return true;
    return ql->fill >= 0 && n->count > (unsigned)(ql->fill ? ql->fill : 1);
}

/* Split n in halves until every part is within the limits. */
static void node_split_if_needed(quicklist *ql, ql_node *n) {
    if (!node_over_limit(ql, n)) return;
    unsigned keep = n->count / 2;
    unsigned move = n->count - keep;
    unsigned char *right = lp_delete_range(lp_dup(n->lp), 0, keep);
    n->lp = lp_shrink(lp_delete_range(n->lp, keep, move));
    n->count = keep;
    ql_node *r = node_new(right, move);
    link_after(ql, n, r);
    node_split_if_needed(ql, n);
    node_split_if_needed(ql, r);
}

static unsigned char *lp_append_entry(unsigned char *lp, const unsigned char *p) {
    lp_val v;
    lp_get(p, &v);
    return v.str ? lp_append(lp, (const char *)v.str, v.len) : lp_append_int(lp, v.ll);
}

/* Merge b (a's successor) into a when the result fits in one node. */
static void node_try_merge(quicklist *ql, ql_node *a) {
    ql_node *b = a ? a->next : NULL;
    if (b == NULL) return;
    size_t bytes = lp_bytes(a->lp) + lp_bytes(b->lp) - LP_HDR_SIZE - 1;
    if (bytes > ql_node_size_limit(ql->fill)) return;
    if (ql->fill >= 0 && a->count + b->count > (unsigned)(ql->fill ? ql->fill : 1)) return;
    for (unsigned char *p = lp_first(b->lp); p; p = lp_next(b->lp, p))
        a->lp = lp_append_entry(a->lp, p);
    a->count += b->count;
    unlink_node(ql, b);
}

void ql_push(quicklist *ql, int where, const char *s, size_t len) {
    ql_node *n = where == QL_HEAD ? ql->head : ql->tail;
    if (!node_allows(ql, n, len)) {
        n = node_new(lp_new(), 0);
        link_after(ql, where == QL_HEAD ? NULL : ql->tail, n);
    }
    n->lp = where == QL_HEAD ? lp_prepend(n->lp, s, len) : lp_append(n->lp, s, len);
    n->count++;
    ql->count++;
}

static void entry_fill(ql_entry *e, ql_node *n, unsigned char *p, long long index) {
    e->node = n;
    e->p = p;
    e->index = index;
    e->s = lp_get_str(p, e->ibuf, &e->len);
}

/* Remove the entry at p in n; drops n when it empties. Returns the entry
 * that followed p in n, or NULL. */
static unsigned char *delete_at(quicklist *ql, ql_node *n, unsigned char *p, bool *node_gone) {
    unsigned char *next = NULL;
    n->lp = lp_delete(n->lp, p, &next);
    n->count--;
    ql->count--;
    *node_gone = n->count == 0;
    if (*node_gone) unlink_node(ql, n);
    return next;
}

bool ql_pop(quicklist *ql, int where, buf *out) {
    ql_node *n = where == QL_HEAD ? ql->head : ql->tail;
    if (n == NULL) return false;
    unsigned char *p = where == QL_HEAD ? lp_first(n->lp) : lp_last(n->lp);
    char ibuf[LP_INTBUF_SIZE];
    size_t len;
    const char *s = lp_get_str(p, ibuf, &len);
    buf_clear(out);
    buf_append(out, s, len);
    bool gone;
    delete_at(ql, n, p, &gone);
    return true;
}

/* Node holding the entry at absolute index idx (0 <= idx < count); *base
 * gets the absolute index of the node's first entry. */
static ql_node *node_for_index(const quicklist *ql, long long idx, long long *base) {
    if (idx < (long long)ql->count / 2) {
        long long start = 0;
        for (ql_node *n = ql->head; n; n = n->next) {
            if (idx < start + n->count) {
                *base = start;
                return n;
            }
            start += n->count;
        }
    } else {
        long long end = (long long)ql->count;
        for (ql_node *n = ql->tail; n; n = n->prev) {
            end -= n->count;
            if (idx >= end) {
                *base = end;
                return n;
            }
        }
    }
    return NULL;
}

/* Absolute index for a possibly negative one, or -1 when out of range. */
static long long norm_index(const quicklist *ql, long long index) {
    long long count = (long long)ql->count;
    if (index < 0) index += count;
    return index < 0 || index >= count ? -1 : index;
}

bool ql_index(quicklist *ql, long long index, ql_entry *e) {
    long long idx = norm_index(ql, index);
    if (idx < 0) return false;
    long long base = 0;
    ql_node *n = node_for_index(ql, idx, &base);
    VG_ASSERT(n != NULL);
    entry_fill(e, n, lp_seek(n->lp, idx - base), idx);
    return true;
}

bool ql_replace_at(quicklist *ql, long long index, const char *s, size_t len) {
    ql_entry e;
    if (!ql_index(ql, index, &e)) return false;
    unsigned char *p = e.p;
    e.node->lp = lp_replace(e.node->lp, &p, s, len);
    node_split_if_needed(ql, e.node);
    return true;
}

void ql_insert(quicklist *ql, const ql_entry *e, bool after, const char *s, size_t len) {
    ql_node *n = e->node;
    ql->count++;
    if (node_allows(ql, n, len)) {
        n->lp = lp_insert(n->lp, s, len, e->p, after ? LP_AFTER : LP_BEFORE, NULL);
        n->count++;
        return;
    }
    if (after && lp_next(n->lp, e->p) == NULL && node_allows(ql, n->next, len)) {
        n->next->lp = lp_prepend(n->next->lp, s, len);
        n->next->count++;
        return;
    }
    if (!after && lp_prev(n->lp, e->p) == NULL && node_allows(ql, n->prev, len)) {
        n->prev->lp = lp_append(n->prev->lp, s, len);
        n->prev->count++;
        return;
    }
    n->lp = lp_insert(n->lp, s, len, e->p, after ? LP_AFTER : LP_BEFORE, NULL);
    n->count++;
    node_split_if_needed(ql, n);
}

size_t ql_del_range(quicklist *ql, long long index, size_t count) {
    long long start = index < 0 ? index + (long long)ql->count : index;
    if (start < 0) start = 0;
    if (start >= (long long)ql->count || count == 0) return 0;
    size_t avail = ql->count - (size_t)start;
    size_t left = count < avail ? count : avail;
    size_t deleted = left;
    long long base = 0;
    ql_node *n = node_for_index(ql, start, &base);
    unsigned offset = (unsigned)(start - base);
    ql_node *before = n->prev;
    while (left > 0 && n) {
        ql_node *next = n->next;
        unsigned del = n->count - offset;
        if (del > left) del = (unsigned)left;
        if (offset == 0 && del == n->count) {
            ql->count -= del;
            unlink_node(ql, n);
        } else {
            n->lp = lp_delete_range(n->lp, offset, del);
            n->count -= del;
            ql->count -= del;
            before = n;
        }
        left -= del;
        offset = 0;
        n = next;
    }
    if (before) {
        node_try_merge(ql, before);
        node_try_merge(ql, before->prev);
    } else {
        node_try_merge(ql, ql->head);
    }
    return deleted;
}

void ql_iter_init(ql_iter *it, quicklist *ql, int dir, long long index) {
    it->ql = ql;
    it->dir = dir;
    it->node = NULL;
    it->p = NULL;
    long long idx = norm_index(ql, index);
    it->index = idx;
    if (idx < 0) return;
    long long base = 0;
    it->node = node_for_index(ql, idx, &base);
    it->p = lp_seek(it->node->lp, idx - base);
}

/* Point the iterator at the entry after (node, p) in its direction; p ==
 * NULL means "the first entry of the next node". */
static void iter_set_from(ql_iter *it, ql_node *n, unsigned char *p) {
    if (p == NULL) {
        n = it->dir == QL_HEAD ? n->next : n->prev;
        if (n) p = it->dir == QL_HEAD ? lp_first(n->lp) : lp_last(n->lp);
    }
    it->node = n;
    it->p = p;
}

bool ql_next(ql_iter *it, ql_entry *e) {
    if (it->node == NULL) return false;
    entry_fill(e, it->node, it->p, it->index);
    unsigned char *q =
        it->dir == QL_HEAD ? lp_next(it->node->lp, it->p) : lp_prev(it->node->lp, it->p);
    iter_set_from(it, it->node, q);
    it->index += it->dir == QL_HEAD ? 1 : -1;
    return true;
}

void ql_iter_delete(ql_iter *it, ql_entry *e) {
    ql_node *n = e->node;
    ql_node *prev = n->prev, *next_node = n->next;
    bool gone;
    unsigned char *next = delete_at(it->ql, n, e->p, &gone);
    if (gone) {
        ql_node *to = it->dir == QL_HEAD ? next_node : prev;
        it->node = to;
        it->p = to ? (it->dir == QL_HEAD ? lp_first(to->lp) : lp_last(to->lp)) : NULL;
    } else if (it->dir == QL_HEAD) {
        iter_set_from(it, n, next);
    } else {
        iter_set_from(it, n, next ? lp_prev(n->lp, next) : lp_last(n->lp));
    }
    if (it->dir == QL_HEAD) it->index = e->index;
}

bool ql_entry_eq(const ql_entry *e, const char *s, size_t len) {
    return lp_eq(e->p, s, len);
}
