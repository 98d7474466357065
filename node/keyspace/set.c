/* set.c -- the set value type: encodings, conversion, per-type ops.
 *
 * Owns: set values (see set.h for the two encodings). Intset sets are a
 * Redis intset block; hashtable sets are a dict of snode, one allocation
 * per member, plus a byte count so MEMORY USAGE stays O(1). No client, no
 * reply: the commands are in t_set.c. */
#include "set.h"

#include <string.h>

#include "buf.h"
#include "intset.h"
#include "vg_alloc.h"
#include "vg_common.h"

/* ---- hashtable encoding ---------------------------------------------------------------- */

static const char *snode_key(const dict_node *n, size_t *len) {
    const snode *s = (const snode *)n;
    *len = s->len;
    return s->m;
}

static const dict_type set_dict_type = {snode_key};

static snode *snode_new(const char *m, size_t len) {
    VG_ASSERT(len <= UINT32_MAX);
    snode *s = vg_malloc(sizeof(snode) + len + 1);
    s->node.next = NULL;
    s->len = (uint32_t)len;
    memcpy(s->m, m, len);
    s->m[len] = '\0';
    return s;
}

static set_table *st_new(size_t hint) {
    set_table *st = vg_malloc(sizeof(*st));
    dict_init(&st->d, &set_dict_type);
    st->bytes = 0;
    if (hint) dict_expand(&st->d, hint);
    return st;
}

static void st_add(set_table *st, snode *s) {
    dict_add(&st->d, &s->node);
    st->bytes += vg_alloc_size(s);
}

static void snode_free_cb(dict_node *n) {
    vg_free(n);
}

/* Canonical integer text, as Redis' string2ll accepts it ("12", not "012"). */
static bool member_int(const char *m, size_t len, long long *out) {
    if (len == 0 || len > 20 || !vg_str2ll(m, len, out)) return false;
    char tmp[SET_IBUF_SIZE];
    return (size_t)vg_ll2str(tmp, *out) == len && memcmp(tmp, m, len) == 0;
}

/* ---- value API (set.h) ------------------------------------------------------------------ */

kv *set_kv_new_intset(const char *key, size_t klen) {
    return kv_new_ptr(key, klen, OBJ_SET, OBJ_ENC_INTSET, intset_new());
}

kv *set_kv_new(const char *key, size_t klen, const char *first, size_t flen) {
    long long v;
    if (member_int(first, flen, &v)) return set_kv_new_intset(key, klen);
    return kv_new_ptr(key, klen, OBJ_SET, OBJ_ENC_HT, st_new(0));
}

size_t set_size(const kv *o) {
    if (o->encoding == OBJ_ENC_INTSET) return intset_len(o->v.ptr);
    return dict_size(&((const set_table *)o->v.ptr)->d);
}

void set_convert_to_ht(kv *o) {
    VG_ASSERT(o->encoding == OBJ_ENC_INTSET);
    intset *is = o->v.ptr;
    set_table *st = st_new(intset_len(is));
    int64_t v;
    for (uint32_t i = 0; intset_get(is, i, &v); i++) {
        char tmp[SET_IBUF_SIZE];
        int n = vg_ll2str(tmp, v);
        st_add(st, snode_new(tmp, (size_t)n));
    }
    intset_free(is);
    o->v.ptr = st;
    o->encoding = OBJ_ENC_HT;
}

bool set_add(kv *o, const char *m, size_t len, const set_limits *lim) {
    long long v;
    if (o->encoding == OBJ_ENC_INTSET) {
        if (member_int(m, len, &v)) {
            bool added;
            o->v.ptr = intset_add(o->v.ptr, v, &added);
            if (added && set_size(o) > (size_t)lim->max_intset_entries) set_convert_to_ht(o);
            return added;
        }
        set_convert_to_ht(o);
    }
    set_table *st = o->v.ptr;
    if (dict_find(&st->d, m, len)) return false;
    st_add(st, snode_new(m, len));
    return true;
}

bool set_remove(kv *o, const char *m, size_t len) {
    if (o->encoding == OBJ_ENC_INTSET) {
        long long v;
        bool removed = false;
        if (member_int(m, len, &v)) o->v.ptr = intset_remove(o->v.ptr, v, &removed);
        return removed;
    }
    set_table *st = o->v.ptr;
    dict_node *n = dict_unlink(&st->d, m, len);
    if (n == NULL) return false;
    st->bytes -= vg_alloc_size(n);
    vg_free(n);
    dict_shrink_if_needed(&st->d);
    return true;
}

bool set_is_member(const kv *o, const char *m, size_t len) {
    if (o->encoding == OBJ_ENC_INTSET) {
        long long v;
        return member_int(m, len, &v) && intset_find(o->v.ptr, v);
    }
    return dict_find(&((set_table *)o->v.ptr)->d, m, len) != NULL;
}

typedef struct visit_ctx {
    set_visit_cb cb;
    void *arg;
} visit_ctx;

static void visit_node_cb(dict_node *n, void *arg) {
    visit_ctx *v = arg;
    snode *s = (snode *)n;
    v->cb(s->m, s->len, v->arg);
}

void set_foreach(const kv *o, set_visit_cb cb, void *arg) {
    if (o->encoding == OBJ_ENC_INTSET) {
        int64_t v;
        for (uint32_t i = 0; intset_get(o->v.ptr, i, &v); i++) {
            char tmp[SET_IBUF_SIZE];
            int n = vg_ll2str(tmp, v);
            cb(tmp, (size_t)n, arg);
        }
        return;
    }
    visit_ctx v = {cb, arg};
    dict_foreach(&((set_table *)o->v.ptr)->d, visit_node_cb, &v);
}

/* ---- obj_ops ---------------------------------------------------------------------------- */

static void set_free_value(kv *o) {
    if (o->encoding == OBJ_ENC_INTSET) {
        intset_free(o->v.ptr);
        return;
    }
    set_table *st = o->v.ptr;
    dict_release(&st->d, snode_free_cb);
    vg_free(st);
}

static size_t set_value_memory(const kv *o) {
    if (o->encoding == OBJ_ENC_INTSET) return intset_alloc_size(o->v.ptr);
    const set_table *st = o->v.ptr;
    return vg_alloc_size(st) + dict_buckets(&st->d) * sizeof(dict_node *) + st->bytes;
}

static void dup_node_cb(dict_node *n, void *arg) {
    const snode *s = (const snode *)n;
    st_add(arg, snode_new(s->m, s->len));
}

static void set_dup_value(kv *dst, const kv *src) {
    dst->encoding = src->encoding;
    if (src->encoding == OBJ_ENC_INTSET) {
        dst->v.ptr = intset_dup(src->v.ptr);
        return;
    }
    const set_table *s = src->v.ptr;
    set_table *st = st_new(dict_size(&s->d));
    dict_foreach((dict *)&s->d, dup_node_cb, st);
    dst->v.ptr = st;
}

const obj_ops set_ops = {set_free_value, set_value_memory, set_dup_value};
