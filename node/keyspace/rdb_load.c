/* rdb_load.c -- loading an RDB file (versions 1..10) into dbs (see rdb.h).
 *
 * Owns: nothing beyond each call. Nothing read is trusted: a length must
 * fit in what remains of the input before anything is allocated for it,
 * every listpack and intset blob passes its integrity check (plus, for
 * pair lists, an even count and no duplicate field) before it becomes a
 * value, and the first problem stops the load with a message that names
 * the file offset. */
#include "rdb.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "intset.h"
#include "listpack.h"
#include "lzf.h"
#include "quicklist.h"
#include "rdb_fmt.h"
#include "rdb_io.h"
#include "rdb_ziplist.h"
#include "vg_alloc.h"
#include "zset.h"

/* No single string past this (proto-max-bulk-len's ceiling). */
#define RDB_MAX_STRING (512ULL * 1024 * 1024)

typedef struct loader {
    rdb_reader *r;
    const rdb_load_opts *opt;
    rdb_load_info *info;
    vg_error *err;
    bool failed;
    uint64_t at; /* offset to report instead of the current one, or 0 */
} loader;

static int fail(loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(loader *ld, const char *fmt, ...) {
    if (ld->failed) return VG_ERR;
    ld->failed = true;
    char what[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    uint64_t off = ld->at ? ld->at : ld->r->offset;
    vg_error_set(ld->err, "%s at offset %llu", what, (unsigned long long)off);
    return VG_ERR;
}

static int rd(loader *ld, void *dst, size_t n) {
    if (rdb_read(ld->r, dst, n) != VG_OK) return fail(ld, "Unexpected EOF reading RDB file");
    return VG_OK;
}

static int rd_byte(loader *ld, unsigned char *b) {
    return rd(ld, b, 1);
}

/* A length, or (*enc set) a special string encoding in *len. */
static int rd_len_enc(loader *ld, uint64_t *len, bool *enc) {
    unsigned char b[8];
    if (enc) *enc = false;
    if (rd_byte(ld, b) != VG_OK) return VG_ERR;
    int type = (b[0] & 0xc0) >> 6;
    if (type == RDB_ENCVAL) {
        if (!enc) return fail(ld, "Unexpected encoded length");
        *enc = true;
        *len = b[0] & 0x3f;
        return VG_OK;
    }
    if (type == RDB_6BITLEN) {
        *len = b[0] & 0x3f;
        return VG_OK;
    }
    if (type == RDB_14BITLEN) {
        unsigned char c;
        if (rd_byte(ld, &c) != VG_OK) return VG_ERR;
        *len = ((uint64_t)(b[0] & 0x3f) << 8) | c;
        return VG_OK;
    }
    int n = b[0] == RDB_32BITLEN ? 4 : b[0] == RDB_64BITLEN ? 8 : 0;
    if (n == 0) return fail(ld, "Unknown length encoding %d in rdbLoadLen()", b[0]);
    if (rd(ld, b, (size_t)n) != VG_OK) return VG_ERR;
    *len = 0;
    for (int i = 0; i < n; i++)
        *len = (*len << 8) | b[i];
    return VG_OK;
}

static int rd_len(loader *ld, uint64_t *len) {
    return rd_len_enc(ld, len, NULL);
}

/* A count of items that each take at least one byte: refuse absurd ones. */
static int rd_count(loader *ld, uint64_t *n) {
    if (rd_len(ld, n) != VG_OK) return VG_ERR;
    if (*n > ld->r->remaining)
        return fail(ld, "Length %llu beyond end of file", (unsigned long long)*n);
    return VG_OK;
}

static int rd_int_string(loader *ld, uint64_t enc, char **out, size_t *len) {
    unsigned char b[4];
    long long v;
    if (enc == RDB_ENC_INT8) {
        if (rd(ld, b, 1) != VG_OK) return VG_ERR;
        v = (signed char)b[0];
    } else if (enc == RDB_ENC_INT16) {
        if (rd(ld, b, 2) != VG_OK) return VG_ERR;
        v = (int16_t)(b[0] | (b[1] << 8));
    } else {
        if (rd(ld, b, 4) != VG_OK) return VG_ERR;
        v = (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                      ((uint32_t)b[3] << 24));
    }
    *out = vg_malloc(24);
    *len = (size_t)vg_ll2str(*out, v);
    return VG_OK;
}

static int rd_lzf_string(loader *ld, char **out, size_t *len) {
    uint64_t clen, ulen;
    if (rd_len(ld, &clen) != VG_OK || rd_len(ld, &ulen) != VG_OK) return VG_ERR;
    if (clen > ld->r->remaining) return fail(ld, "LZF length beyond end of file");
    /* An LZF back reference expands 3 bytes into at most 264. */
    if (ulen == 0 || ulen > RDB_MAX_STRING || ulen > clen * 100 + 64)
        return fail(ld, "Invalid LZF uncompressed length %llu", (unsigned long long)ulen);
    unsigned char *c = vg_malloc(clen ? clen : 1);
    if (rd(ld, c, clen) != VG_OK) {
        vg_free(c);
        return VG_ERR;
    }
    char *u = vg_malloc(ulen + 1);
    size_t got = lzf_decompress(c, clen, u, ulen, NULL);
    vg_free(c);
    if (got != ulen) {
        vg_free(u);
        return fail(ld, "Invalid LZF compressed string");
    }
    *out = u;
    *len = ulen;
    return VG_OK;
}

/* Any string (raw, int-encoded or LZF). Returns new in *out (vg_free). */
static int rd_string(loader *ld, char **out, size_t *len) {
    uint64_t l = 0;
    bool enc;
    if (rd_len_enc(ld, &l, &enc) != VG_OK) return VG_ERR;
    if (enc) {
        if (l <= RDB_ENC_INT32) return rd_int_string(ld, l, out, len);
        if (l == RDB_ENC_LZF) return rd_lzf_string(ld, out, len);
        return fail(ld, "Unknown RDB string encoding type %d", (int)l);
    }
    if (l > ld->r->remaining || l > RDB_MAX_STRING)
        return fail(ld, "String length %llu beyond end of file", (unsigned long long)l);
    char *s = vg_malloc(l + 1);
    if (rd(ld, s, l) != VG_OK) {
        vg_free(s);
        return VG_ERR;
    }
    s[l] = '\0';
    *out = s;
    *len = l;
    return VG_OK;
}

/* ---------------------------------------------------------- pair lists */

typedef struct span {
    const char *p;
    size_t len;
} span;

static int span_cmp(const void *a, const void *b) {
    const span *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static bool lp_score(const unsigned char *p, double *out) {
    lp_val v;
    lp_get(p, &v);
    if (v.str == NULL) {
        *out = (double)v.ll;
        return true;
    }
    return vg_str2d((const char *)v.str, v.len, out) == 1 && !isnan(*out);
}

/* An element must sort after the one before it: (score, member) ascending. */
static bool zset_order_ok(double ps, const span *pm, double s, const span *m) {
    if (ps != s) return ps < s;
    return span_cmp(pm, m) < 0;
}

/* True if lp holds (field, value) pairs with no field twice; for a zset,
 * every value is a score and the pairs are in order. */
static bool lp_pairs_ok(const unsigned char *lp, bool zset) {
    size_t n = lp_length(lp);
    if (n % 2) return false;
    size_t np = n / 2;
    span *f = vg_malloc(sizeof(span) * (np + 1));
    char(*ib)[LP_INTBUF_SIZE] = vg_malloc(LP_INTBUF_SIZE * (np + 1));
    bool ok = true;
    double prev = 0;
    size_t i = 0;
    for (unsigned char *p = lp_first(lp); ok && p && i < np; i++) {
        f[i].p = lp_get_str(p, ib[i], &f[i].len);
        p = lp_next(lp, p);
        if (p == NULL) {
            ok = false;
            break;
        }
        double sc;
        if (zset) {
            ok = lp_score(p, &sc) && (i == 0 || zset_order_ok(prev, &f[i - 1], sc, &f[i]));
            prev = sc;
        }
        p = lp_next(lp, p);
    }
    if (ok && i != np) ok = false;
    if (ok && np > 1) {
        qsort(f, np, sizeof(span), span_cmp);
        for (size_t j = 1; ok && j < np; j++)
            if (span_cmp(&f[j - 1], &f[j]) == 0) ok = false;
    }
    vg_free(f);
    vg_free(ib);
    return ok;
}

/* A listpack blob from the file, validated. Returns new in *lp. */
static int rd_listpack(loader *ld, unsigned char **lp, const char *what) {
    char *s;
    size_t len;
    if (rd_string(ld, &s, &len) != VG_OK) return VG_ERR;
    if (!lp_validate((unsigned char *)s, len, -1)) {
        vg_free(s);
        return fail(ld, "%s listpack integrity check failed", what);
    }
    *lp = (unsigned char *)s;
    return VG_OK;
}

/* ---------------------------------------------------------- value types */

static void ql_append_lp(quicklist *ql, unsigned char *lp) {
    ql_node *n = vg_malloc(sizeof(*n));
    n->lp = lp;
    n->count = (unsigned)lp_length(lp);
    n->next = NULL;
    n->prev = ql->tail;
    if (ql->tail)
        ql->tail->next = n;
    else
        ql->head = n;
    ql->tail = n;
    ql->count += n->count;
    ql->len++;
}

static int ld_list_quicklist2(loader *ld, kv *o) {
    quicklist *ql = o->v.ptr;
    uint64_t nodes;
    if (rd_count(ld, &nodes) != VG_OK) return VG_ERR;
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t container;
        if (rd_len(ld, &container) != VG_OK) return VG_ERR;
        if (container != RDB_QUICKLIST_PLAIN && container != RDB_QUICKLIST_PACKED)
            return fail(ld, "Quicklist integrity check failed");
        unsigned char *lp = NULL;
        if (container == RDB_QUICKLIST_PLAIN) {
            char *s;
            size_t len;
            if (rd_string(ld, &s, &len) != VG_OK) return VG_ERR;
            lp = lp_append(lp_new(), s, len);
            vg_free(s);
        } else if (rd_listpack(ld, &lp, "List") != VG_OK) {
            return VG_ERR;
        }
        if (lp_length(lp) == 0) {
            lp_free(lp);
            continue;
        }
        ql_append_lp(ql, lp);
    }
    return VG_OK;
}

static int ld_list_linked(loader *ld, kv *o) {
    uint64_t n;
    if (rd_count(ld, &n) != VG_OK) return VG_ERR;
    for (uint64_t i = 0; i < n; i++) {
        char *s;
        size_t len;
        if (rd_string(ld, &s, &len) != VG_OK) return VG_ERR;
        ql_push(o->v.ptr, QL_TAIL, s, len);
        vg_free(s);
    }
    return VG_OK;
}

static int ld_set(loader *ld, kv *o) {
    uint64_t n;
    if (rd_count(ld, &n) != VG_OK) return VG_ERR;
    if (n > (uint64_t)ld->opt->set.max_intset_entries) set_convert_to_ht(o);
    for (uint64_t i = 0; i < n; i++) {
        char *s;
        size_t len;
        if (rd_string(ld, &s, &len) != VG_OK) return VG_ERR;
        bool added = set_add(o, s, len, &ld->opt->set);
        vg_free(s);
        if (!added) return fail(ld, "Duplicate set members detected");
    }
    return VG_OK;
}

static int ld_hash(loader *ld, kv *o) {
    uint64_t n;
    if (rd_count(ld, &n) != VG_OK) return VG_ERR;
    if (n > (uint64_t)ld->opt->hash.max_listpack_entries) hash_convert_to_ht(o);
    for (uint64_t i = 0; i < n; i++) {
        char *f, *v;
        size_t fl, vl;
        if (rd_string(ld, &f, &fl) != VG_OK) return VG_ERR;
        if (rd_string(ld, &v, &vl) != VG_OK) {
            vg_free(f);
            return VG_ERR;
        }
        bool added = hash_set(o, f, fl, v, vl, &ld->opt->hash);
        vg_free(f);
        vg_free(v);
        if (!added) return fail(ld, "Duplicate hash fields detected");
    }
    return VG_OK;
}

static int rd_score_text(loader *ld, double *out) {
    unsigned char l = 0;
    if (rd_byte(ld, &l) != VG_OK) return VG_ERR;
    if (l == 253) return fail(ld, "Zset with NAN score detected");
    if (l == 254 || l == 255) {
        *out = l == 254 ? INFINITY : -INFINITY;
        return VG_OK;
    }
    char tmp[256];
    if (rd(ld, tmp, l) != VG_OK) return VG_ERR;
    tmp[l] = '\0';
    char *end;
    *out = strtod(tmp, &end);
    if (end != tmp + l || isnan(*out)) return fail(ld, "Invalid zset score");
    return VG_OK;
}

static int rd_score(loader *ld, bool binary, double *out) {
    if (!binary) return rd_score_text(ld, out);
    unsigned char b[8];
    if (rd(ld, b, 8) != VG_OK) return VG_ERR;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
        bits = (bits << 8) | b[i];
    memcpy(out, &bits, 8);
    if (isnan(*out)) return fail(ld, "Zset with NAN score detected");
    return VG_OK;
}

static int ld_zset(loader *ld, zset *zs, bool binary) {
    uint64_t n;
    if (rd_count(ld, &n) != VG_OK) return VG_ERR;
    size_t maxlen = 0;
    if (n > ld->opt->zset_max_entries) zset_convert_to_skiplist(zs);
    for (uint64_t i = 0; i < n; i++) {
        char *m;
        size_t len;
        double score;
        if (rd_string(ld, &m, &len) != VG_OK) return VG_ERR;
        if (rd_score(ld, binary, &score) != VG_OK) {
            vg_free(m);
            return VG_ERR;
        }
        if (len > maxlen) maxlen = len;
        int added = zset_set(zs, m, len, score);
        vg_free(m);
        if (added != 1) return fail(ld, "Duplicate zset fields detected");
    }
    bool fits = zset_len(zs) <= ld->opt->zset_max_entries && maxlen <= ld->opt->zset_max_value;
    if (zset_is_listpack(zs) && !fits) zset_convert_to_skiplist(zs);
    if (!zset_is_listpack(zs) && fits)
        zset_fit_listpack(zs, ld->opt->zset_max_entries, ld->opt->zset_max_value);
    return VG_OK;
}

static int ld_intset(loader *ld, kv **out, const char *key, size_t klen) {
    char *s;
    size_t len;
    if (rd_string(ld, &s, &len) != VG_OK) return VG_ERR;
    if (!intset_validate(s, len)) {
        vg_free(s);
        return fail(ld, "Intset integrity check failed");
    }
    intset *is = intset_from_blob(s, len);
    vg_free(s);
    if (intset_len(is) == 0) {
        intset_free(is);
        return VG_OK;
    }
    kv *o = kv_new_ptr(key, klen, OBJ_SET, OBJ_ENC_INTSET, is);
    if (intset_len(is) > (uint64_t)ld->opt->set.max_intset_entries) set_convert_to_ht(o);
    *out = o;
    return VG_OK;
}

static int ld_hash_listpack(loader *ld, kv **out, const char *key, size_t klen) {
    unsigned char *lp = NULL;
    if (rd_listpack(ld, &lp, "Hash") != VG_OK) return VG_ERR;
    if (!lp_pairs_ok(lp, false)) {
        lp_free(lp);
        return fail(ld, "Hash listpack integrity check failed");
    }
    if (lp_length(lp) == 0) {
        lp_free(lp);
        return VG_OK;
    }
    kv *o = kv_new_ptr(key, klen, OBJ_HASH, OBJ_ENC_LISTPACK, lp);
    if (hash_length(o) > (size_t)ld->opt->hash.max_listpack_entries) hash_convert_to_ht(o);
    *out = o;
    return VG_OK;
}

static int ld_zset_listpack(loader *ld, kv **out, const char *key, size_t klen) {
    unsigned char *lp = NULL;
    if (rd_listpack(ld, &lp, "Zset") != VG_OK) return VG_ERR;
    if (!lp_pairs_ok(lp, true)) {
        lp_free(lp);
        return fail(ld, "Zset listpack integrity check failed");
    }
    if (lp_length(lp) == 0) {
        lp_free(lp);
        return VG_OK;
    }
    kv *o = kv_new_ptr(key, klen, OBJ_ZSET, OBJ_ENC_LISTPACK, lp);
    if (zset_len(ZSET_OF(o)) > ld->opt->zset_max_entries) {
        zset_convert_to_skiplist(ZSET_OF(o));
        o->encoding = OBJ_ENC_SKIPLIST;
    }
    *out = o;
    return VG_OK;
}

static int ld_string(loader *ld, kv **out, const char *key, size_t klen) {
    char *s;
    size_t len;
    if (rd_string(ld, &s, &len) != VG_OK) return VG_ERR;
    *out = kv_new_string(key, klen, s, len);
    vg_free(s);
    return VG_OK;
}

/* A legacy blob (ziplist, or zipmap when zipmap), converted to a listpack. */
static int rd_legacy_blob(loader *ld, bool zipmap, unsigned char **lp) {
    char *s;
    size_t len;
    if (rd_string(ld, &s, &len) != VG_OK) return VG_ERR;
    *lp = zipmap ? rdb_zipmap_to_listpack((unsigned char *)s, len)
                 : rdb_ziplist_to_listpack((unsigned char *)s, len);
    vg_free(s);
    if (*lp == NULL) return fail(ld, "%s integrity check failed", zipmap ? "Zipmap" : "Ziplist");
    return VG_OK;
}

/* RDB_TYPE_LIST_ZIPLIST (one ziplist) or RDB_TYPE_LIST_QUICKLIST (many). */
static int ld_list_ziplists(loader *ld, kv *o, bool many) {
    uint64_t nodes = 1;
    if (many && rd_count(ld, &nodes) != VG_OK) return VG_ERR;
    for (uint64_t i = 0; i < nodes; i++) {
        unsigned char *lp = NULL;
        if (rd_legacy_blob(ld, false, &lp) != VG_OK) return VG_ERR;
        if (lp_length(lp) == 0)
            lp_free(lp);
        else
            ql_append_lp(o->v.ptr, lp);
    }
    return VG_OK;
}

/* Ziplist hashes and zsets, zipmap hashes: to a listpack value. */
static int ld_legacy_pairs(loader *ld, int t, kv **out, const char *key, size_t klen) {
    unsigned char *lp = NULL;
    bool is_zset = t == RDB_TYPE_ZSET_ZIPLIST;
    if (rd_legacy_blob(ld, t == RDB_TYPE_HASH_ZIPMAP, &lp) != VG_OK) return VG_ERR;
    if (!lp_pairs_ok(lp, is_zset)) {
        lp_free(lp);
        return fail(ld, "%s ziplist integrity check failed", is_zset ? "Zset" : "Hash");
    }
    if (lp_length(lp) == 0) {
        lp_free(lp);
        return VG_OK;
    }
    if (is_zset) {
        kv *o = kv_new_ptr(key, klen, OBJ_ZSET, OBJ_ENC_LISTPACK, lp);
        if (zset_len(ZSET_OF(o)) > ld->opt->zset_max_entries) {
            zset_convert_to_skiplist(ZSET_OF(o));
            o->encoding = OBJ_ENC_SKIPLIST;
        }
        *out = o;
        return VG_OK;
    }
    kv *o = kv_new_ptr(key, klen, OBJ_HASH, OBJ_ENC_LISTPACK, lp);
    if (hash_length(o) > (size_t)ld->opt->hash.max_listpack_entries) hash_convert_to_ht(o);
    *out = o;
    return VG_OK;
}

/* A value built in a fresh kv by fn; empty values are dropped. */
static int ld_collection(loader *ld, kv *o, int rc, kv **out) {
    bool empty = false;
    if (rc == VG_OK) {
        switch (o->type) {
        case OBJ_LIST:
            empty = ql_count(o->v.ptr) == 0;
            break;
        case OBJ_SET:
            empty = set_size(o) == 0;
            break;
        case OBJ_HASH:
            empty = hash_length(o) == 0;
            break;
        case OBJ_ZSET:
            empty = zset_len(ZSET_OF(o)) == 0;
            o->encoding = zset_is_listpack(ZSET_OF(o)) ? OBJ_ENC_LISTPACK : OBJ_ENC_SKIPLIST;
            break;
        }
    }
    if (rc != VG_OK || empty) {
        kv_free(o);
        return rc;
    }
    *out = o;
    (void)ld;
    return VG_OK;
}

/* Read one value of RDB type t for key. VG_OK with *out NULL: an empty
 * value, which Redis skips. */
static int ld_value(loader *ld, int t, const char *key, size_t klen, kv **out) {
    *out = NULL;
    kv *o;
    switch (t) {
    case RDB_TYPE_STRING:
        return ld_string(ld, out, key, klen);
    case RDB_TYPE_LIST:
        o = list_kv_new(key, klen, &ld->opt->list);
        return ld_collection(ld, o, ld_list_linked(ld, o), out);
    case RDB_TYPE_LIST_QUICKLIST_2:
        o = list_kv_new(key, klen, &ld->opt->list);
        return ld_collection(ld, o, ld_list_quicklist2(ld, o), out);
    case RDB_TYPE_SET:
        o = set_kv_new_intset(key, klen);
        return ld_collection(ld, o, ld_set(ld, o), out);
    case RDB_TYPE_SET_INTSET:
        return ld_intset(ld, out, key, klen);
    case RDB_TYPE_HASH:
        o = hash_kv_new(key, klen);
        return ld_collection(ld, o, ld_hash(ld, o), out);
    case RDB_TYPE_HASH_LISTPACK:
        return ld_hash_listpack(ld, out, key, klen);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
        o = kv_new_ptr(key, klen, OBJ_ZSET, OBJ_ENC_LISTPACK, zset_new().p);
        return ld_collection(ld, o, ld_zset(ld, ZSET_OF(o), t == RDB_TYPE_ZSET_2), out);
    case RDB_TYPE_ZSET_LISTPACK:
        return ld_zset_listpack(ld, out, key, klen);
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST:
        o = list_kv_new(key, klen, &ld->opt->list);
        return ld_collection(ld, o, ld_list_ziplists(ld, o, t == RDB_TYPE_LIST_QUICKLIST), out);
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_ZSET_ZIPLIST:
        return ld_legacy_pairs(ld, t, out, key, klen);
    case RDB_TYPE_MODULE:
    case RDB_TYPE_MODULE_2:
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
        return fail(ld, "RDB type %d: type not supported", t);
    }
    return fail(ld, "Unknown RDB type %d", t);
}

/* ------------------------------------------------------------ file */

typedef struct key_meta {
    int64_t expire;  /* unix ms, or -1 */
    int access_kind; /* enum rdb_access_kind */
    unsigned long long access;
} key_meta;

static bool type_known(int t) {
    return (t >= RDB_TYPE_STRING && t <= RDB_TYPE_MODULE_2) ||
           (t >= RDB_TYPE_HASH_ZIPMAP && t <= RDB_TYPE_STREAM_LISTPACKS_2);
}

static int ld_key(loader *ld, db *d, int t, key_meta *m) {
    if (!type_known(t)) {
        ld->at = ld->r->offset - 1;
        return fail(ld, "Unknown RDB type %d", t);
    }
    char *key;
    size_t klen;
    if (rd_string(ld, &key, &klen) != VG_OK) return VG_ERR;
    kv *o;
    int rc = ld_value(ld, t, key, klen, &o);
    if (rc == VG_OK && o == NULL) ld->info->empty_skipped++;
    if (rc == VG_OK && o != NULL) {
        if (ld->opt->drop_expired && m->expire >= 0 && m->expire < ld->opt->now_ms) {
            kv_free(o);
            ld->info->keys_expired++;
        } else if (db_find(d, key, klen) != NULL && !ld->opt->allow_dup) {
            kv_free(o);
            rc = fail(ld, "Duplicated key found in RDB file");
        } else {
            if (ld->opt->allow_dup) db_delete(d, key, klen); /* the file's key wins */
            db_add(d, o);
            if (m->expire >= 0) db_set_expire(d, o, m->expire);
            if (m->access_kind && ld->opt->access_restore)
                ld->opt->access_restore(o, m->access_kind, m->access);
            ld->info->keys_loaded++;
        }
    }
    vg_free(key);
    m->expire = -1;
    m->access_kind = RDB_ACCESS_NONE;
    return rc;
}

static void ld_aux_value(loader *ld, const char *k, const char *v, size_t vl) {
    long long n = 0;
    bool num = vg_str2ll(v, vl, &n) == 1;
    if (strcmp(k, "ctime") == 0 && num) ld->info->ctime = n;
    if (strcmp(k, "repl-stream-db") == 0 && num) ld->info->repl_stream_db = (int)n;
    if (strcmp(k, "repl-offset") == 0 && num) ld->info->repl_offset = n;
    if (strcmp(k, "used-mem") == 0 && num) ld->info->used_mem = n;
    if (strcmp(k, "aof-base") == 0 && num) ld->info->aof_base = n != 0;
    if (strcmp(k, "repl-id") == 0 && vl == 40) {
        memcpy(ld->info->repl_id, v, 40);
        ld->info->repl_id[40] = '\0';
    }
}

static int ld_aux(loader *ld) {
    char *k, *v;
    size_t kl, vl;
    if (rd_string(ld, &k, &kl) != VG_OK) return VG_ERR;
    if (rd_string(ld, &v, &vl) != VG_OK) {
        vg_free(k);
        return VG_ERR;
    }
    ld_aux_value(ld, k, v, vl);
    vg_free(k);
    vg_free(v);
    return VG_OK;
}

static int ld_header(loader *ld) {
    char magic[10];
    if (rd(ld, magic, 9) != VG_OK) return VG_ERR;
    magic[9] = '\0';
    if (memcmp(magic, "REDIS", 5) != 0)
        return fail(ld, "Wrong signature trying to load DB from file");
    int ver = 0;
    for (int i = 5; i < 9; i++) {
        if (magic[i] < '0' || magic[i] > '9') return fail(ld, "Wrong signature trying to load DB");
        ver = ver * 10 + (magic[i] - '0');
    }
    if (ver < 1 || ver > RDB_VERSION) return fail(ld, "Can't handle RDB format version %d", ver);
    ld->info->rdb_version = ver;
    return VG_OK;
}

static int ld_trailer(loader *ld) {
    if (ld->info->rdb_version < 5) return VG_OK;
    uint64_t expect = ld->r->crc;
    unsigned char b[8];
    if (rd(ld, b, 8) != VG_OK) return VG_ERR;
    uint64_t got = 0;
    for (int i = 7; i >= 0; i--)
        got = (got << 8) | b[i];
    if (ld->opt->verify_checksum && got != 0 && got != expect)
        return fail(ld, "Wrong RDB checksum expected: (%016llx) got: (%016llx)",
                    (unsigned long long)got, (unsigned long long)expect);
    return VG_OK;
}

static int ld_select(loader *ld, db *dbs, int ndb, db **cur) {
    uint64_t id;
    if (rd_len(ld, &id) != VG_OK) return VG_ERR;
    if (id >= (uint64_t)ndb)
        return fail(ld,
                    "FATAL: Data file was created with a Redis server configured to handle "
                    "more than %d databases",
                    ndb);
    *cur = &dbs[id];
    return VG_OK;
}

static int ld_opcode(loader *ld, unsigned char t, key_meta *m) {
    unsigned char b[8];
    if (t == RDB_OPCODE_EXPIRETIME) {
        if (rd(ld, b, 4) != VG_OK) return VG_ERR;
        int32_t s = (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                              ((uint32_t)b[3] << 24));
        m->expire = (int64_t)s * 1000;
        return VG_OK;
    }
    if (t == RDB_OPCODE_EXPIRETIME_MS) {
        if (rd(ld, b, 8) != VG_OK) return VG_ERR;
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
            v = (v << 8) | b[i];
        m->expire = (int64_t)v;
        return VG_OK;
    }
    if (t == RDB_OPCODE_FREQ) {
        if (rd(ld, b, 1) != VG_OK) return VG_ERR;
        m->access_kind = RDB_ACCESS_FREQ;
        m->access = b[0];
        return VG_OK;
    }
    if (t == RDB_OPCODE_IDLE) {
        uint64_t idle;
        if (rd_len(ld, &idle) != VG_OK) return VG_ERR;
        m->access_kind = RDB_ACCESS_IDLE;
        m->access = idle;
        return VG_OK;
    }
    if (t == RDB_OPCODE_AUX) return ld_aux(ld);
    return fail(ld, "RDB opcode %d (modules/functions): type not supported", t);
}

static int ld_body(loader *ld, db *dbs, int ndb) {
    db *cur = &dbs[0];
    key_meta m = {-1, RDB_ACCESS_NONE, 0};
    for (;;) {
        unsigned char t;
        if (rd_byte(ld, &t) != VG_OK) return VG_ERR;
        if (t == RDB_OPCODE_EOF) return VG_OK;
        int rc;
        if (t == RDB_OPCODE_SELECTDB) {
            rc = ld_select(ld, dbs, ndb, &cur);
        } else if (t == RDB_OPCODE_RESIZEDB) {
            uint64_t a, b;
            rc = rd_len(ld, &a) == VG_OK && rd_len(ld, &b) == VG_OK ? VG_OK : VG_ERR;
            if (rc == VG_OK && a <= ld->r->remaining) dict_expand(&cur->keys, a);
        } else if (t >= RDB_OPCODE_FUNCTION2) {
            rc = ld_opcode(ld, t, &m);
        } else {
            rc = ld_key(ld, cur, t, &m);
            if (rc == VG_OK && ld->opt->progress &&
                !ld->opt->progress(ld->opt->progress_arg, ld->r->offset, ld->info->used_mem))
                rc = fail(ld, "Loading aborted");
        }
        if (rc != VG_OK) return VG_ERR;
    }
}

int rdb_load(rdb_reader *r, db *dbs, int ndb, const rdb_load_opts *opt, rdb_load_info *info,
             vg_error *err) {
    memset(info, 0, sizeof(*info));
    info->repl_stream_db = -1;
    info->repl_offset = -1;
    loader ld = {r, opt, info, err, false, 0};
    if (ld_header(&ld) != VG_OK) return VG_ERR;
    if (ld_body(&ld, dbs, ndb) != VG_OK) return VG_ERR;
    return ld_trailer(&ld);
}

int rdb_load_value(rdb_reader *r, const rdb_load_opts *opt, const char *key, size_t klen, kv **out,
                   vg_error *err) {
    rdb_load_info info;
    memset(&info, 0, sizeof(info));
    loader ld = {r, opt, &info, err, false, 0};
    *out = NULL;
    unsigned char t;
    if (rd_byte(&ld, &t) != VG_OK) return VG_ERR;
    if (!type_known(t)) return fail(&ld, "Unknown RDB type %d", t);
    if (ld_value(&ld, t, key, klen, out) != VG_OK) return VG_ERR;
    if (*out == NULL) return fail(&ld, "Empty value");
    return VG_OK;
}
