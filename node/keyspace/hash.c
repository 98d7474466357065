/* hash.c -- the hash value type: encodings, conversion, per-type ops.
 *
 * Owns: hash values (see hash.h for the two encodings). Listpack hashes
 * hold fields and values alternately in one block; hashtable hashes are a
 * dict of hnode, each one allocation holding "field\0value\0", plus a byte
 * count so MEMORY USAGE stays O(1). No client, no reply: the commands are
 * in t_hash.c. */
#include "hash.h"

#include <string.h>

#include "listpack.h"
#include "vg_alloc.h"
#include "vg_common.h"

/* Listpacks are kept well below the 4 GiB their header can describe. */
#define HASH_LP_SAFETY_BYTES (1u << 30)

/* ---- hashtable encoding ---------------------------------------------------------------- */

static const char *hnode_key(const dict_node *n, size_t *len) {
    const hnode *h = (const hnode *)n;
    *len = h->flen;
    return h->data;
}

static const dict_type hash_dict_type = {hnode_key};

/* Returns new: a node holding copies of f and v. */
static hnode *hnode_new(const char *f, size_t fl, const char *v, size_t vl) {
    VG_ASSERT(fl <= UINT32_MAX && vl <= UINT32_MAX);
    hnode *h = vg_malloc(sizeof(hnode) + fl + vl + 2);
    h->node.next = NULL;
    h->flen = (uint32_t)fl;
    h->vlen = (uint32_t)vl;
    memcpy(h->data, f, fl);
    h->data[fl] = '\0';
    memcpy(h->data + fl + 1, v, vl);
    h->data[fl + 1 + vl] = '\0';
    return h;
}

static hash_table *ht_new(size_t hint) {
    hash_table *ht = vg_malloc(sizeof(*ht));
    dict_init(&ht->d, &hash_dict_type);
    ht->bytes = 0;
    if (hint) dict_expand(&ht->d, hint);
    return ht;
}

static void ht_add(hash_table *ht, hnode *h) {
    dict_add(&ht->d, &h->node);
    ht->bytes += vg_alloc_size(h);
}

static void hnode_free_cb(dict_node *n) {
    vg_free(n);
}

static void ht_free(hash_table *ht) {
    dict_release(&ht->d, hnode_free_cb);
    vg_free(ht);
}

/* ---- value API (t_hash.h) --------------------------------------------------------------- */

kv *hash_kv_new(const char *key, size_t klen) {
    return kv_new_ptr(key, klen, OBJ_HASH, OBJ_ENC_LISTPACK, lp_new());
}

size_t hash_length(const kv *o) {
    if (o->encoding == OBJ_ENC_LISTPACK) return lp_length(o->v.ptr) / 2;
    return dict_size(&((const hash_table *)o->v.ptr)->d);
}

static void add_to_table_cb(const char *f, size_t fl, const char *v, size_t vl, void *arg) {
    ht_add(arg, hnode_new(f, fl, v, vl));
}

void hash_convert_to_ht(kv *o) {
    VG_ASSERT(o->encoding == OBJ_ENC_LISTPACK);
    unsigned char *lp = o->v.ptr;
    hash_table *ht = ht_new(lp_length(lp) / 2);
    hash_foreach(o, add_to_table_cb, ht);
    lp_free(lp);
    o->v.ptr = ht;
    o->encoding = OBJ_ENC_HT;
}

/* Listpack path of hash_set; returns -1 when the hash must convert first. */
static int lp_hash_set(kv *o, const char *f, size_t fl, const char *v, size_t vl,
                       const hash_limits *lim) {
    unsigned char *lp = o->v.ptr;
    if (fl > (size_t)lim->max_listpack_value || vl > (size_t)lim->max_listpack_value ||
        lp_bytes(lp) + fl + vl + 32 > HASH_LP_SAFETY_BYTES)
        return -1;
    unsigned char *p = lp_find(lp, lp_first(lp), f, fl, 1);
    if (p) {
        unsigned char *vp = lp_next(lp, p);
        o->v.ptr = lp_replace(lp, &vp, v, vl);
        return 0;
    }
    lp = lp_append(lp, f, fl);
    o->v.ptr = lp_append(lp, v, vl);
    if (hash_length(o) > (size_t)lim->max_listpack_entries) hash_convert_to_ht(o);
    return 1;
}

bool hash_set(kv *o, const char *f, size_t fl, const char *v, size_t vl, const hash_limits *lim) {
    if (o->encoding == OBJ_ENC_LISTPACK) {
        int r = lp_hash_set(o, f, fl, v, vl, lim);
        if (r >= 0) return r == 1;
        hash_convert_to_ht(o);
    }
    hash_table *ht = o->v.ptr;
    hnode *h = hnode_new(f, fl, v, vl);
    dict_node **ref = dict_find_ref(&ht->d, f, fl);
    if (ref) {
        dict_node *old = dict_replace_at(ref, &h->node);
        ht->bytes += vg_alloc_size(h) - vg_alloc_size(old);
        vg_free(old);
        return false;
    }
    ht_add(ht, h);
    return true;
}

bool hash_delete(kv *o, const char *f, size_t fl) {
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->v.ptr;
        unsigned char *p = lp_find(lp, lp_first(lp), f, fl, 1);
        if (p == NULL) return false;
        o->v.ptr = lp_delete_range_at(lp, p, 2);
        return true;
    }
    hash_table *ht = o->v.ptr;
    dict_node *n = dict_unlink(&ht->d, f, fl);
    if (n == NULL) return false;
    ht->bytes -= vg_alloc_size(n);
    vg_free(n);
    dict_shrink_if_needed(&ht->d);
    return true;
}

const char *hash_get(const kv *o, const char *f, size_t fl, char *ibuf, size_t *vl) {
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->v.ptr;
        unsigned char *p = lp_find(lp, lp_first(lp), f, fl, 1);
        if (p == NULL) return NULL;
        return lp_get_str(lp_next(lp, p), ibuf, vl);
    }
    hash_table *ht = o->v.ptr;
    hnode *h = (hnode *)dict_find(&ht->d, f, fl);
    if (h == NULL) return NULL;
    *vl = h->vlen;
    return hnode_val(h);
}

typedef struct visit_ctx {
    hash_visit_cb cb;
    void *arg;
} visit_ctx;

static void visit_node_cb(dict_node *n, void *arg) {
    visit_ctx *v = arg;
    hnode *h = (hnode *)n;
    v->cb(h->data, h->flen, hnode_val(h), h->vlen, v->arg);
}

void hash_foreach(const kv *o, hash_visit_cb cb, void *arg) {
    if (o->encoding == OBJ_ENC_LISTPACK) {
        unsigned char *lp = o->v.ptr;
        char fb[HASH_IBUF_SIZE], vb[HASH_IBUF_SIZE];
        for (unsigned char *p = lp_first(lp); p;) {
            unsigned char *vp = lp_next(lp, p);
            size_t fl, vl;
            const char *f = lp_get_str(p, fb, &fl);
            const char *v = lp_get_str(vp, vb, &vl);
            cb(f, fl, v, vl, arg);
            p = lp_next(lp, vp);
        }
        return;
    }
    visit_ctx v = {cb, arg};
    dict_foreach(&((hash_table *)o->v.ptr)->d, visit_node_cb, &v);
}

/* ---- obj_ops ---------------------------------------------------------------------------- */

static void hash_free_value(kv *o) {
    if (o->encoding == OBJ_ENC_LISTPACK)
        lp_free(o->v.ptr);
    else
        ht_free(o->v.ptr);
}

static size_t hash_value_memory(const kv *o) {
    if (o->encoding == OBJ_ENC_LISTPACK) return lp_alloc_size(o->v.ptr);
    const hash_table *ht = o->v.ptr;
    return vg_alloc_size(ht) + dict_buckets(&ht->d) * sizeof(dict_node *) + ht->bytes;
}

static void dup_node_cb(dict_node *n, void *arg) {
    const hnode *h = (const hnode *)n;
    ht_add(arg, hnode_new(h->data, h->flen, hnode_val(h), h->vlen));
}

static void hash_dup_value(kv *dst, const kv *src) {
    dst->encoding = src->encoding;
    if (src->encoding == OBJ_ENC_LISTPACK) {
        dst->v.ptr = lp_dup(src->v.ptr);
        return;
    }
    const hash_table *s = src->v.ptr;
    hash_table *ht = ht_new(dict_size(&s->d));
    dict_foreach((dict *)&s->d, dup_node_cb, ht);
    dst->v.ptr = ht;
}

const obj_ops hash_ops = {hash_free_value, hash_value_memory, hash_dup_value};
