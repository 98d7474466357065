/* kv.c -- whole keyspace entries of any type: free, copy, size.
 *
 * Owns: the table of value types. Strings are handled here directly (an
 * EMBSTR value lives inside the kv, so its copy is a new kv, not a new
 * value); every other type is a row of value_types, defined by its module. */
#include "kv.h"

#include <string.h>

#include "hash.h"
#include "list.h"
#include "set.h"
#include "vg_alloc.h"
#include "vg_common.h"
#include "zset.h"

/* Indexed by enum obj_type (4 bits); NULL: no such collection type. */
static const obj_ops *const value_types[16] = {
    [OBJ_LIST] = &list_ops,
    [OBJ_SET] = &set_ops,
    [OBJ_ZSET] = &zset_ops,
    [OBJ_HASH] = &hash_ops,
};

static const obj_ops *ops_of(const kv *o) {
    const obj_ops *ops = value_types[o->type];
    VG_ASSERT(ops != NULL);
    return ops;
}

void kv_free(kv *o) {
    if (o == NULL) return;
    if (o->type != OBJ_STRING)
        ops_of(o)->free_value(o);
    else if (o->encoding == OBJ_ENC_RAW)
        vg_free(o->v.ptr);
    vg_free(o);
}

kv *kv_dup(const kv *o, const char *key, size_t klen) {
    if (o->type == OBJ_STRING) {
        char tmp[24];
        size_t len;
        const char *p = kv_str(o, tmp, &len);
        if (o->encoding == OBJ_ENC_RAW)
            return kv_new_ptr(key, klen, OBJ_STRING, OBJ_ENC_RAW, rstr_new(p, len, len));
        if (o->encoding == OBJ_ENC_EMBSTR) /* keeps its encoding, digits or not */
            return kv_new_string_noint(key, klen, p, len);
        return kv_new_string(key, klen, p, len);
    }
    kv *n = kv_new_ptr(key, klen, o->type, o->encoding, NULL);
    ops_of(o)->dup_value(n, o);
    return n;
}

size_t kv_memory(const kv *o) {
    size_t total = vg_alloc_size(o);
    if (o->type == OBJ_STRING) {
        if (o->encoding == OBJ_ENC_RAW) total += vg_alloc_size(o->v.ptr);
        return total;
    }
    const obj_ops *ops = value_types[o->type];
    return total + (ops && ops->value_memory ? ops->value_memory(o) : 0);
}
