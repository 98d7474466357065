/* list.c -- the list value type: creation and per-type ops.
 *
 * Owns: list values (see list.h). No client, no reply: the commands are
 * in t_list.c. */
#include "list.h"

static void list_free_value(kv *o) {
    ql_free(o->v.ptr);
}

static size_t list_value_memory(const kv *o) {
    return ql_memory(o->v.ptr);
}

static void list_dup_value(kv *dst, const kv *src) {
    dst->v.ptr = ql_dup(src->v.ptr);
}

const obj_ops list_ops = {
    .free_value = list_free_value,
    .value_memory = list_value_memory,
    .dup_value = list_dup_value,
};

kv *list_kv_new(const char *key, size_t klen, const list_limits *lim) {
    quicklist *ql = ql_new((int)lim->max_listpack_size, (int)lim->compress_depth);
    return kv_new_ptr(key, klen, OBJ_LIST, OBJ_ENC_QUICKLIST, ql);
}
