/* object.c -- keyspace entries (kv): creation and string values.
 *
 * Owns: kv allocations and RAW string bodies. It never needs to know a
 * collection's layout: kv.c frees, copies and sizes values by type. */
#include "object.h"

#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "vg_alloc.h"
#include "vg_common.h"

static kv *kv_alloc(const char *key, size_t klen, size_t extra) {
    kv *o = vg_malloc(offsetof(kv, key) + klen + 1 + extra);
    o->node.next = NULL;
    o->lru = 0;
    o->vol = 0;
    o->keylen = (uint32_t)klen;
    memcpy(o->key, key, klen);
    o->key[klen] = '\0';
    return o;
}

rstr *rstr_new(const char *p, size_t len, size_t cap) {
    if (cap < len) cap = len;
    rstr *s = vg_malloc(sizeof(rstr) + cap + 1);
    s->len = len;
    s->cap = cap;
    if (len) memcpy(s->data, p, len);
    s->data[len] = '\0';
    return s;
}

kv *kv_new_string(const char *key, size_t klen, const char *val, size_t vlen) {
    long long ll;
    if (vlen <= 20 && vg_str2ll(val, vlen, &ll)) return kv_new_string_ll(key, klen, ll);
    return kv_new_string_noint(key, klen, val, vlen);
}

kv *kv_new_string_noint(const char *key, size_t klen, const char *val, size_t vlen) {
    kv *o;
    if (vlen <= OBJ_EMBSTR_LIMIT) {
        o = kv_alloc(key, klen, vlen + 1);
        o->encoding = OBJ_ENC_EMBSTR;
        o->v.ll = (long long)vlen;
        char *dst = o->key + klen + 1;
        memcpy(dst, val, vlen);
        dst[vlen] = '\0';
    } else {
        o = kv_alloc(key, klen, 0);
        o->encoding = OBJ_ENC_RAW;
        o->v.ptr = rstr_new(val, vlen, vlen);
    }
    o->type = OBJ_STRING;
    return o;
}

kv *kv_new_string_ll(const char *key, size_t klen, long long v) {
    kv *o = kv_alloc(key, klen, 0);
    o->type = OBJ_STRING;
    o->encoding = OBJ_ENC_INT;
    o->v.ll = v;
    return o;
}

kv *kv_new_ptr(const char *key, size_t klen, int type, int encoding, void *value) {
    kv *o = kv_alloc(key, klen, 0);
    o->type = (uint32_t)type;
    o->encoding = (uint32_t)encoding;
    o->v.ptr = value;
    return o;
}

kv *kv_rekey(kv *o, const char *key, size_t klen) {
    kv *n;
    if (o->type == OBJ_STRING && o->encoding == OBJ_ENC_EMBSTR) {
        /* the same encoding: an embstr holding digits stays embstr, as in Redis */
        n = kv_new_string_noint(key, klen, kv_embedded(o), (size_t)o->v.ll);
    } else {
        n = kv_alloc(key, klen, 0);
        n->type = o->type;
        n->encoding = o->encoding;
        n->v = o->v;
    }
    n->lru = o->lru;
    vg_free(o); /* value moved, shell only */
    return n;
}

const char *kv_str(const kv *o, char *tmp, size_t *len) {
    switch (o->encoding) {
    case OBJ_ENC_INT:
        *len = (size_t)vg_ll2str(tmp, o->v.ll);
        return tmp;
    case OBJ_ENC_EMBSTR:
        *len = (size_t)o->v.ll;
        return kv_embedded(o);
    default: {
        const rstr *s = o->v.ptr;
        *len = s->len;
        return s->data;
    }
    }
}

size_t kv_strlen(const kv *o) {
    char tmp[24];
    size_t len;
    kv_str(o, tmp, &len);
    return len;
}

rstr *kv_str_make_raw(kv *o, size_t cap) {
    if (o->encoding == OBJ_ENC_RAW) {
        rstr *s = o->v.ptr;
        if (s->cap < cap) {
            size_t ncap = cap < (1u << 20) ? cap * 2 : cap + (1u << 20);
            s = vg_realloc(s, sizeof(rstr) + ncap + 1);
            s->cap = ncap;
            o->v.ptr = s;
        }
        return s;
    }
    char tmp[24];
    size_t len;
    const char *p = kv_str(o, tmp, &len);
    rstr *s = rstr_new(p, len, cap);
    o->encoding = OBJ_ENC_RAW;
    o->v.ptr = s;
    return s;
}

void kv_str_set_ll(kv *o, long long v) {
    if (o->encoding == OBJ_ENC_RAW) vg_free(o->v.ptr);
    o->encoding = OBJ_ENC_INT;
    o->v.ll = v;
}

const char *kv_encoding_name(const kv *o) {
    switch (o->encoding) {
    case OBJ_ENC_RAW:
        return "raw";
    case OBJ_ENC_INT:
        return "int";
    case OBJ_ENC_HT:
        return "hashtable";
    case OBJ_ENC_INTSET:
        return "intset";
    case OBJ_ENC_SKIPLIST:
        return "skiplist";
    case OBJ_ENC_EMBSTR:
        return "embstr";
    case OBJ_ENC_QUICKLIST:
        return "quicklist";
    case OBJ_ENC_STREAM:
        return "stream";
    case OBJ_ENC_LISTPACK:
        return "listpack";
    }
    return "unknown";
}

const char *kv_type_name(int type) {
    switch (type) {
    case OBJ_STRING:
        return "string";
    case OBJ_LIST:
        return "list";
    case OBJ_SET:
        return "set";
    case OBJ_ZSET:
        return "zset";
    case OBJ_HASH:
        return "hash";
    case OBJ_STREAM:
        return "stream";
    }
    return "none";
}
