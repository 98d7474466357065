/* zset.h -- the sorted set value: listpack when small, skiplist + dict beyond.
 *
 * Owns: the zset structure and its elements. Small sets are one listpack of
 * (member, score) pairs ordered by (score, member); past
 * zset-max-listpack-entries elements or zset-max-listpack-value bytes in a
 * member they convert, once, to a skiplist with spans (ranks in O(log n))
 * plus an intrusive dict from member to element. Each element is one
 * allocation holding its dict link, skiplist levels and member bytes.
 *
 * Everything here is pure (no server state): thresholds are passed in. */
#ifndef VIGIL_NODE_ZSET_H
#define VIGIL_NODE_ZSET_H

#include <stdbool.h>
#include <stddef.h>

#include "dict.h"
#include "object.h"

#define ZSKIPLIST_MAXLEVEL 32

typedef struct zelem zelem;

typedef struct zskiplist {
    zelem *header; /* owned: sentinel with ZSKIPLIST_MAXLEVEL levels */
    zelem *tail;   /* borrowed */
    size_t length;
    size_t bytes; /* allocated by the elements, kept so MEMORY USAGE and
                   * lazy-free decisions cost O(1) */
    int level;
    dict members; /* member -> zelem (intrusive) */
} zskiplist;

/* A sorted set is one tagged word, so a kv can hold it in v.ptr with no
 * wrapper: the listpack pointer itself, or a zskiplist pointer with bit 0
 * set. Functions take a pointer to that word (for a kv: &o->v.ptr, see
 * ZSET_OF) and update it when the listpack moves or the encoding changes. */
typedef struct zset {
    void *p; /* owned */
} zset;

#define ZSET_OF(o) ((zset *)&(o)->v.ptr)

/* Score range [min, max] with exclusive ends. */
typedef struct zrange_score {
    double min, max;
    bool minex, maxex;
} zrange_score;

/* Lex range: min/max are member bytes; *_inf: -1 for "-", +1 for "+", 0 otherwise. */
typedef struct zrange_lex {
    const char *min;
    size_t minlen;
    const char *max;
    size_t maxlen;
    bool minex, maxex;
    int mininf, maxinf;
} zrange_lex;

/* A new empty set (listpack). Returns new: free with zset_free. */
zset zset_new(void);
/* Free what the set holds (not the word itself). */
void zset_free(zset *zs);
/* Returns new: a deep copy. */
zset zset_dup(const zset *zs);
size_t zset_len(const zset *zs);
size_t zset_memory(const zset *zs);
bool zset_is_listpack(const zset *zs);
/* Convert to skiplist if the set outgrew the listpack limits. */
void zset_maybe_convert(zset *zs, size_t max_entries, size_t max_value);
void zset_convert_to_skiplist(zset *zs);
/* Convert a skiplist back to a listpack when it fits: at most max_entries
 * elements, no member longer than max_value (as Redis does for the
 * results of ZUNIONSTORE and friends). Scores of -0 become 0. */
void zset_fit_listpack(zset *zs, size_t max_entries, size_t max_value);

bool zset_score(const zset *zs, const char *m, size_t len, double *score);
/* Insert or update. Returns 1 added, 0 updated (or unchanged). */
int zset_set(zset *zs, const char *m, size_t len, double score);
bool zset_del(zset *zs, const char *m, size_t len);
/* 0-based rank in ascending order (descending with reverse), or -1. */
long zset_rank(const zset *zs, const char *m, size_t len, bool reverse);

/* Ranks of the first and last elements inside a range (ascending order);
 * returns false when the range selects nothing. */
bool zset_score_ranks(const zset *zs, const zrange_score *r, size_t *first, size_t *last);
/* reverse: the window a descending walk selects (they differ only when
 * members of a lex range have unequal scores). */
bool zset_lex_ranks(const zset *zs, const zrange_lex *r, bool reverse, size_t *first, size_t *last);
/* Delete ascending ranks [start, end]; returns how many. */
size_t zset_del_rank_range(zset *zs, size_t start, size_t end);

/* Ordered walk from an ascending rank, forward (ascending) or backward. */
typedef struct zset_iter {
    const zset *zs;
    bool reverse;
    unsigned char *lp_pos; /* listpack: member entry */
    zelem *node;           /* skiplist */
    char ibuf[32];         /* listpack integer members formatted here */
} zset_iter;

void zset_iter_at(zset_iter *it, const zset *zs, size_t rank, bool reverse);
/* Next element; member bytes are borrowed until the set changes. */
bool zset_iter_next(zset_iter *it, const char **m, size_t *len, double *score);

bool zset_lex_gte_min(const char *m, size_t len, const zrange_lex *r);
bool zset_lex_lte_max(const char *m, size_t len, const zrange_lex *r);

/* Scan the dict (skiplist encoding) for ZSCAN. */
uint64_t zset_scan(zset *zs, uint64_t cursor,
                   void (*cb)(const char *m, size_t len, double score, void *arg), void *arg);

/* The zset row of kv.c's value-type table (a kv holds the tagged word). */
extern const obj_ops zset_ops;

#endif
