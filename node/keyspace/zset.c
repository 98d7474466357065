/* zset.c -- the sorted set value: listpack when small, skiplist + dict beyond.
 *
 * Owns: the zset, its listpack or its elements. The skiplist follows the
 * classic design Redis uses: levels chosen with p = 1/4, spans counting
 * how many elements a forward link skips (so ranks cost O(log n)), and a
 * backward link on level 0. Order is (score, member bytes).
 *
 * zelem layout: | dict_node | score | backward | mlen | nlevel | levels[] | member |
 */
#include "zset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "listpack.h"
#include "vg_alloc.h"

typedef struct zlevel {
    zelem *forward;
    size_t span;
} zlevel;

struct zelem {
    dict_node hn; /* in SL(zs)->members */
    double score;
    zelem *backward;
    uint32_t mlen;
    uint8_t nlevel;
    zlevel level[]; /* followed by the member bytes */
};

static inline char *elem_member(const zelem *e) {
    return (char *)&e->level[e->nlevel];
}

static const char *elem_key(const dict_node *n, size_t *len) {
    const zelem *e = (const zelem *)n;
    *len = e->mlen;
    return elem_member(e);
}

static const dict_type member_type = {elem_key};

static zelem *elem_new(int nlevel, double score, const char *m, size_t len) {
    zelem *e = vg_malloc(sizeof(zelem) + (size_t)nlevel * sizeof(zlevel) + len + 1);
    e->hn.next = NULL;
    e->score = score;
    e->backward = NULL;
    e->mlen = (uint32_t)len;
    e->nlevel = (uint8_t)nlevel;
    for (int i = 0; i < nlevel; i++) {
        e->level[i].forward = NULL;
        e->level[i].span = 0;
    }
    if (len) memcpy(elem_member(e), m, len);
    elem_member(e)[len] = '\0';
    return e;
}

/* Per thread: the loading worker builds skiplists while the loop may too. */
static _Thread_local uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static int random_level(void) {
    int level = 1;
    for (;;) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        if ((rng_state & 0xFFFF) >= 0xFFFF / 4 || level >= ZSKIPLIST_MAXLEVEL) return level;
        level++;
    }
}

static int cmp_member(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c) return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* (score, member) of e sorts before (score, m)? */
static bool elem_before(const zelem *e, double score, const char *m, size_t len) {
    return e->score < score ||
           (e->score == score && cmp_member(elem_member(e), e->mlen, m, len) < 0);
}

static inline unsigned char *LP(const zset *zs) {
    return ((uintptr_t)zs->p & 1) ? NULL : (unsigned char *)zs->p;
}

static inline zskiplist *SL(const zset *zs) {
    return ((uintptr_t)zs->p & 1) ? (zskiplist *)((uintptr_t)zs->p & ~(uintptr_t)1) : NULL;
}

zset zset_new(void) {
    zset zs = {lp_new()};
    return zs;
}

bool zset_is_listpack(const zset *zs) {
    return LP(zs) != NULL;
}

size_t zset_len(const zset *zs) {
    return LP(zs) ? lp_length(LP(zs)) / 2 : SL(zs)->length;
}

static void free_skiplist(zskiplist *sl) {
    zelem *e = sl->header->level[0].forward;
    while (e) {
        zelem *next = e->level[0].forward;
        vg_free(e);
        e = next;
    }
    vg_free(sl->header);
    dict_release(&sl->members, NULL);
    vg_free(sl);
}

void zset_free(zset *zs) {
    if (zs == NULL || zs->p == NULL) return;
    if (LP(zs))
        lp_free(LP(zs));
    else
        free_skiplist(SL(zs));
    zs->p = NULL;
}

size_t zset_memory(const zset *zs) {
    if (LP(zs)) return lp_alloc_size(LP(zs));
    zskiplist *sl = SL(zs);
    size_t total =
        vg_alloc_size(sl) + vg_alloc_size(sl->header) + dict_buckets(&sl->members) * sizeof(void *);
    return total + sl->bytes;
}

/* ---- listpack helpers ---- */

static double lp_score_at(const unsigned char *p) {
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *s = lp_get_str(p, buf, &len);
    char tmp[64];
    if (len >= sizeof(tmp)) len = sizeof(tmp) - 1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return strtod(tmp, NULL);
}

/* Redis stores a listpack score that is a whole number as an integer, so a
 * -0 read back from a listpack is 0 (a skiplist keeps -0). Do the same. */
static unsigned char *lp_append_score(unsigned char *lp, unsigned char *p, double score,
                                      bool before) {
    char buf[64];
    if (score == 0) score = 0.0; /* drops the sign of -0 */
    int n = vg_d2str(buf, sizeof(buf), score);
    if (p == NULL) return lp_append(lp, buf, (size_t)n);
    return lp_insert(lp, buf, (size_t)n, p, before ? LP_BEFORE : LP_AFTER, NULL);
}

static unsigned char *lp_find_member(const zset *zs, const char *m, size_t len) {
    unsigned char *p = lp_first(LP(zs));
    return p ? lp_find(LP(zs), p, m, len, 1) : NULL;
}

static void lp_insert_sorted(zset *zs, const char *m, size_t len, double score) {
    unsigned char *p = lp_first(LP(zs));
    while (p) {
        unsigned char *sp = lp_next(LP(zs), p);
        double s = lp_score_at(sp);
        char ibuf[LP_INTBUF_SIZE];
        size_t elen;
        const char *em = lp_get_str(p, ibuf, &elen);
        if (s > score || (s == score && cmp_member(em, elen, m, len) > 0)) {
            unsigned char *newp;
            zs->p = lp_insert(LP(zs), m, len, p, LP_BEFORE, &newp);
            sp = lp_next(LP(zs), newp);
            zs->p = lp_append_score(LP(zs), sp, score, true);
            return;
        }
        p = lp_next(LP(zs), sp);
    }
    zs->p = lp_append(LP(zs), m, len);
    zs->p = lp_append_score(LP(zs), NULL, score, false);
}

/* ---- skiplist ---- */

static void zsl_init(zset *zs) {
    zskiplist *sl = vg_calloc(sizeof(*sl));
    sl->header = elem_new(ZSKIPLIST_MAXLEVEL, 0, "", 0);
    sl->tail = NULL;
    sl->length = 0;
    sl->level = 1;
    dict_init(&sl->members, &member_type);
    zs->p = (void *)((uintptr_t)sl | 1);
}

static zelem *zsl_insert(zset *zs, double score, const char *m, size_t len) {
    zelem *update[ZSKIPLIST_MAXLEVEL];
    size_t rank[ZSKIPLIST_MAXLEVEL];
    zelem *x = SL(zs)->header;
    for (int i = SL(zs)->level - 1; i >= 0; i--) {
        rank[i] = i == SL(zs)->level - 1 ? 0 : rank[i + 1];
        while (x->level[i].forward && elem_before(x->level[i].forward, score, m, len)) {
            rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    int level = random_level();
    if (level > SL(zs)->level) {
        for (int i = SL(zs)->level; i < level; i++) {
            rank[i] = 0;
            update[i] = SL(zs)->header;
            update[i]->level[i].span = SL(zs)->length;
        }
        SL(zs)->level = level;
    }
    x = elem_new(level, score, m, len);
    SL(zs)->bytes += vg_alloc_size(x);
    for (int i = 0; i < level; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = level; i < SL(zs)->level; i++)
        update[i]->level[i].span++;
    x->backward = update[0] == SL(zs)->header ? NULL : update[0];
    if (x->level[0].forward)
        x->level[0].forward->backward = x;
    else
        SL(zs)->tail = x;
    SL(zs)->length++;
    dict_add(&SL(zs)->members, &x->hn);
    return x;
}

static void zsl_unlink(zset *zs, zelem *x, zelem **update) {
    for (int i = 0; i < SL(zs)->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else {
            update[i]->level[i].span -= 1;
        }
    }
    if (x->level[0].forward)
        x->level[0].forward->backward = x->backward;
    else
        SL(zs)->tail = x->backward;
    while (SL(zs)->level > 1 && SL(zs)->header->level[SL(zs)->level - 1].forward == NULL)
        SL(zs)->level--;
    SL(zs)->length--;
}

/* Unlink and free the element e (present). */
static void zsl_delete(zset *zs, zelem *e) {
    zelem *update[ZSKIPLIST_MAXLEVEL];
    zelem *x = SL(zs)->header;
    for (int i = SL(zs)->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               elem_before(x->level[i].forward, e->score, elem_member(e), e->mlen))
            x = x->level[i].forward;
        update[i] = x;
    }
    zsl_unlink(zs, e, update);
    dict_unlink(&SL(zs)->members, elem_member(e), e->mlen);
    SL(zs)->bytes -= vg_alloc_size(e);
    vg_free(e);
}

/* 1-based rank of e. */
static size_t zsl_rank(const zset *zs, const zelem *e) {
    size_t rank = 0;
    const zelem *x = SL(zs)->header;
    for (int i = SL(zs)->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               (elem_before(x->level[i].forward, e->score, elem_member(e), e->mlen) ||
                x->level[i].forward == e)) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
        if (x == e) return rank;
    }
    return 0;
}

/* Element at 1-based rank. */
static zelem *zsl_at_rank(const zset *zs, size_t rank) {
    size_t traversed = 0;
    zelem *x = SL(zs)->header;
    for (int i = SL(zs)->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span <= rank) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}

void zset_convert_to_skiplist(zset *zs) {
    if (LP(zs) == NULL) return;
    unsigned char *lp = LP(zs);
    zsl_init(zs);
    dict_expand(&SL(zs)->members, lp_length(lp) / 2);
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
        char ibuf[LP_INTBUF_SIZE];
        size_t len;
        const char *m = lp_get_str(p, ibuf, &len);
        zsl_insert(zs, lp_score_at(lp_next(lp, p)), m, len);
    }
    lp_free(lp);
}

void zset_maybe_convert(zset *zs, size_t max_entries, size_t max_value) {
    if (LP(zs) == NULL) return;
    if (zset_len(zs) > max_entries) {
        zset_convert_to_skiplist(zs);
        return;
    }
    for (unsigned char *p = lp_first(LP(zs)); p; p = lp_next(LP(zs), lp_next(LP(zs), p))) {
        char ibuf[LP_INTBUF_SIZE];
        size_t len;
        lp_get_str(p, ibuf, &len);
        if (len > max_value) {
            zset_convert_to_skiplist(zs);
            return;
        }
    }
}

/* Redis' lpSafeToAdd bound: a listpack never grows past 1 GiB. */
#define ZSET_LP_SAFETY_SIZE (1u << 30)

void zset_fit_listpack(zset *zs, size_t max_entries, size_t max_value) {
    if (LP(zs)) return;
    zskiplist *sl = SL(zs);
    if (sl->length > max_entries) return;
    size_t total = 0;
    for (zelem *e = sl->header->level[0].forward; e; e = e->level[0].forward) {
        if (e->mlen > max_value) return;
        total += e->mlen;
    }
    if (total > ZSET_LP_SAFETY_SIZE) return;
    unsigned char *lp = lp_new();
    for (zelem *e = sl->header->level[0].forward; e; e = e->level[0].forward) {
        lp = lp_append(lp, elem_member(e), e->mlen);
        lp = lp_append_score(lp, NULL, e->score, false);
    }
    free_skiplist(sl);
    zs->p = lp;
}

zset zset_dup(const zset *zs) {
    zset n = {NULL};
    if (LP(zs)) {
        n.p = lp_dup(LP(zs));
        return n;
    }
    zsl_init(&n);
    dict_expand(&SL(&n)->members, SL(zs)->length);
    for (zelem *e = SL(zs)->header->level[0].forward; e; e = e->level[0].forward)
        zsl_insert(&n, e->score, elem_member(e), e->mlen);
    return n;
}

/* ---- element operations ---- */

bool zset_score(const zset *zs, const char *m, size_t len, double *score) {
    if (LP(zs)) {
        unsigned char *p = lp_find_member(zs, m, len);
        if (p == NULL) return false;
        *score = lp_score_at(lp_next(LP(zs), p));
        return true;
    }
    zelem *e = (zelem *)dict_find((dict *)&SL(zs)->members, m, len);
    if (e == NULL) return false;
    *score = e->score;
    return true;
}

int zset_set(zset *zs, const char *m, size_t len, double score) {
    if (LP(zs)) {
        unsigned char *p = lp_find_member(zs, m, len);
        if (p) {
            if (lp_score_at(lp_next(LP(zs), p)) == score) return 0;
            unsigned char *next;
            zs->p = lp_delete(LP(zs), p, &next);
            zs->p = lp_delete(LP(zs), next, NULL);
            lp_insert_sorted(zs, m, len, score);
            return 0;
        }
        lp_insert_sorted(zs, m, len, score);
        return 1;
    }
    zelem *e = (zelem *)dict_find(&SL(zs)->members, m, len);
    if (e) {
        if (e->score == score) return 0;
        /* Stays in place when the order does not change. */
        if ((e->backward == NULL || e->backward->score < score) &&
            (e->level[0].forward == NULL || e->level[0].forward->score > score)) {
            e->score = score;
            return 0;
        }
        zsl_delete(zs, e);
        zsl_insert(zs, score, m, len);
        return 0;
    }
    zsl_insert(zs, score, m, len);
    return 1;
}

bool zset_del(zset *zs, const char *m, size_t len) {
    if (LP(zs)) {
        unsigned char *p = lp_find_member(zs, m, len);
        if (p == NULL) return false;
        unsigned char *next;
        zs->p = lp_delete(LP(zs), p, &next);
        zs->p = lp_delete(LP(zs), next, NULL);
        return true;
    }
    zelem *e = (zelem *)dict_find(&SL(zs)->members, m, len);
    if (e == NULL) return false;
    zsl_delete(zs, e);
    return true;
}

long zset_rank(const zset *zs, const char *m, size_t len, bool reverse) {
    size_t n = zset_len(zs), rank;
    if (LP(zs)) {
        rank = 0;
        unsigned char *p = lp_first(LP(zs));
        while (p && !lp_eq(p, m, len)) {
            p = lp_next(LP(zs), lp_next(LP(zs), p));
            rank++;
        }
        if (p == NULL) return -1;
    } else {
        zelem *e = (zelem *)dict_find((dict *)&SL(zs)->members, m, len);
        if (e == NULL) return -1;
        rank = zsl_rank(zs, e) - 1;
    }
    return (long)(reverse ? n - 1 - rank : rank);
}

bool zset_lex_gte_min(const char *m, size_t len, const zrange_lex *r) {
    if (r->mininf) return r->mininf < 0;
    int c = cmp_member(m, len, r->min, r->minlen);
    return r->minex ? c > 0 : c >= 0;
}

bool zset_lex_lte_max(const char *m, size_t len, const zrange_lex *r) {
    if (r->maxinf) return r->maxinf > 0;
    int c = cmp_member(m, len, r->max, r->maxlen);
    return r->maxex ? c < 0 : c <= 0;
}

static bool score_gte_min(double s, const zrange_score *r) {
    return r->minex ? s > r->min : s >= r->min;
}

static bool score_lte_max(double s, const zrange_score *r) {
    return r->maxex ? s < r->max : s <= r->max;
}

typedef bool (*elem_pred)(const char *m, size_t len, double score, const void *range);

static bool pred_score_min(const char *m, size_t len, double s, const void *r) {
    (void)m;
    (void)len;
    return score_gte_min(s, r);
}

static bool pred_score_max(const char *m, size_t len, double s, const void *r) {
    (void)m;
    (void)len;
    return score_lte_max(s, r);
}

static bool pred_lex_min(const char *m, size_t len, double s, const void *r) {
    (void)s;
    return zset_lex_gte_min(m, len, r);
}

static bool pred_lex_max(const char *m, size_t len, double s, const void *r) {
    (void)s;
    return zset_lex_lte_max(m, len, r);
}

/* First ascending rank whose element satisfies at_least (monotone false..true),
 * and last rank satisfying at_most (monotone true..false). */
static bool ranks_between(const zset *zs, elem_pred at_least, elem_pred at_most, const void *range,
                          size_t *first, size_t *last) {
    size_t n = zset_len(zs);
    if (n == 0) return false;
    if (LP(zs)) {
        long lo = -1, hi = -1;
        size_t rank = 0;
        for (unsigned char *p = lp_first(LP(zs)); p;
             p = lp_next(LP(zs), lp_next(LP(zs), p)), rank++) {
            char ibuf[LP_INTBUF_SIZE];
            size_t len;
            const char *m = lp_get_str(p, ibuf, &len);
            double s = lp_score_at(lp_next(LP(zs), p));
            if (lo < 0 && at_least(m, len, s, range)) lo = (long)rank;
            if (at_most(m, len, s, range)) hi = (long)rank;
        }
        if (lo < 0 || hi < 0 || lo > hi) return false;
        *first = (size_t)lo;
        *last = (size_t)hi;
        return true;
    }
    /* Skiplist: descend to the last element failing at_least, and to the last satisfying at_most.
     */
    zelem *x = SL(zs)->header;
    size_t rank = 0;
    for (int i = SL(zs)->level - 1; i >= 0; i--)
        while (x->level[i].forward &&
               !at_least(elem_member(x->level[i].forward), x->level[i].forward->mlen,
                         x->level[i].forward->score, range)) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
    size_t lo = rank; /* ascending 0-based rank of the first satisfying at_least */
    x = SL(zs)->header;
    rank = 0;
    for (int i = SL(zs)->level - 1; i >= 0; i--)
        while (x->level[i].forward &&
               at_most(elem_member(x->level[i].forward), x->level[i].forward->mlen,
                       x->level[i].forward->score, range)) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
    if (rank == 0 || lo >= n || lo > rank - 1) return false;
    *first = lo;
    *last = rank - 1;
    return true;
}

bool zset_score_ranks(const zset *zs, const zrange_score *r, size_t *first, size_t *last) {
    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) return false;
    return ranks_between(zs, pred_score_min, pred_score_max, r, first, last);
}

/* Redis walks a listpack for a lex range (zzlFirstInLexRange and
 * zzlLastInLexRange): forward, from the first member >= min while members
 * stay <= max; backward, from the last member <= max while they stay >=
 * min. With equal scores that is the same window either way; with mixed
 * scores (which Redis leaves unspecified) the walk decides, so follow it. */
static bool lp_lex_window(const zset *zs, const zrange_lex *r, bool reverse, size_t *first,
                          size_t *last) {
    long lo = -1, hi = -1, run_start = 0;
    bool in_run = false; /* forward: still inside the run that began at lo */
    size_t rank = 0;
    for (unsigned char *p = lp_first(LP(zs)); p; p = lp_next(LP(zs), lp_next(LP(zs), p)), rank++) {
        char ibuf[LP_INTBUF_SIZE];
        size_t len;
        const char *m = lp_get_str(p, ibuf, &len);
        bool ge = zset_lex_gte_min(m, len, r), le = zset_lex_lte_max(m, len, r);
        if (!reverse) {
            if (lo < 0 && ge) {
                if (!le) return false;
                lo = (long)rank;
                in_run = true;
            }
            if (in_run && !le) break;
            if (in_run) hi = (long)rank;
            continue;
        }
        if (!ge) run_start = (long)rank + 1;
        if (le) {
            hi = (long)rank;
            lo = ge ? run_start : -1;
        }
    }
    if (lo < 0 || hi < 0) return false;
    *first = (size_t)lo;
    *last = (size_t)hi;
    return true;
}

bool zset_lex_ranks(const zset *zs, const zrange_lex *r, bool reverse, size_t *first,
                    size_t *last) {
    size_t n = zset_len(zs);
    if (n == 0) return false;
    /* Redis' zzlIsInLexRange / zslIsInLexRange: the last member must be >=
     * min and the first <= max, whatever lies between. */
    const char *m;
    size_t len;
    double s;
    zset_iter it;
    zset_iter_at(&it, zs, n - 1, false);
    if (!zset_iter_next(&it, &m, &len, &s) || !zset_lex_gte_min(m, len, r)) return false;
    zset_iter_at(&it, zs, 0, false);
    if (!zset_iter_next(&it, &m, &len, &s) || !zset_lex_lte_max(m, len, r)) return false;
    if (LP(zs)) return lp_lex_window(zs, r, reverse, first, last);
    return ranks_between(zs, pred_lex_min, pred_lex_max, r, first, last);
}

size_t zset_del_rank_range(zset *zs, size_t start, size_t end) {
    size_t n = zset_len(zs);
    if (start >= n || start > end) return 0;
    if (end >= n) end = n - 1;
    size_t count = end - start + 1;
    if (LP(zs)) {
        zs->p = lp_delete_range(LP(zs), (long long)(start * 2), count * 2);
        return count;
    }
    zelem *e = zsl_at_rank(zs, start + 1);
    for (size_t i = 0; i < count && e; i++) {
        zelem *next = e->level[0].forward;
        zsl_delete(zs, e);
        e = next;
    }
    return count;
}

void zset_iter_at(zset_iter *it, const zset *zs, size_t rank, bool reverse) {
    it->zs = zs;
    it->reverse = reverse;
    it->lp_pos = NULL;
    it->node = NULL;
    if (rank >= zset_len(zs)) return;
    if (LP(zs))
        it->lp_pos = lp_seek(LP(zs), (long long)(rank * 2));
    else
        it->node = zsl_at_rank(zs, rank + 1);
}

bool zset_iter_next(zset_iter *it, const char **m, size_t *len, double *score) {
    const zset *zs = it->zs;
    if (LP(zs)) {
        unsigned char *p = it->lp_pos;
        if (p == NULL) return false;
        unsigned char *sp = lp_next(LP(zs), p);
        *m = lp_get_str(p, it->ibuf, len);
        *score = lp_score_at(sp);
        if (it->reverse) {
            unsigned char *prev_score = lp_prev(LP(zs), p);
            it->lp_pos = prev_score ? lp_prev(LP(zs), prev_score) : NULL;
        } else {
            it->lp_pos = lp_next(LP(zs), sp);
        }
        return true;
    }
    zelem *e = it->node;
    if (e == NULL) return false;
    *m = elem_member(e);
    *len = e->mlen;
    *score = e->score;
    it->node = it->reverse ? e->backward : e->level[0].forward;
    return true;
}

struct scan_ctx {
    void (*cb)(const char *m, size_t len, double score, void *arg);
    void *arg;
};

static void scan_one(dict_node *n, void *arg) {
    struct scan_ctx *x = arg;
    zelem *e = (zelem *)n;
    x->cb(elem_member(e), e->mlen, e->score, x->arg);
}

uint64_t zset_scan(zset *zs, uint64_t cursor,
                   void (*cb)(const char *m, size_t len, double score, void *arg), void *arg) {
    struct scan_ctx x = {cb, arg};
    return dict_scan(&SL(zs)->members, cursor, scan_one, &x);
}

/* ---- the zset row of kv.c's value-type table ---- */

static void zset_free_value(kv *o) {
    zset_free(ZSET_OF(o));
}

static size_t zset_value_memory(const kv *o) {
    return zset_memory((const zset *)&o->v.ptr);
}

static void zset_dup_value(kv *dst, const kv *src) {
    zset copy = zset_dup((const zset *)&src->v.ptr);
    dst->v.ptr = copy.p;
}

const obj_ops zset_ops = {zset_free_value, zset_value_memory, zset_dup_value};
