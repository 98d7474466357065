/* test_kv.c -- criterion tests for kv.c: free, copy and size any value type.
 *
 * Owns: the kvs each test builds. This test links the keyspace library
 * alone, no command file: the value-type table must serve every type
 * without t_hash.c, t_list.c, t_set.c or t_zset.c. Each encoding is built
 * (small limits force the big ones), copied, compared and freed; the ASan
 * build reports anything a free missed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "kv.h"
#include "list.h"
#include "set.h"
#include "zset.h"

static const hash_limits small_hash = {.max_listpack_entries = 4, .max_listpack_value = 64};
static const set_limits small_set = {.max_intset_entries = 4};
static const list_limits lists = {.max_listpack_size = 2, .compress_depth = 0};

static kv *hash_of(int fields) {
    kv *o = hash_kv_new("h", 1);
    for (int i = 0; i < fields; i++) {
        char f[16];
        int n = snprintf(f, sizeof(f), "f%d", i);
        hash_set(o, f, (size_t)n, "value", 5, &small_hash);
    }
    return o;
}

static kv *set_of(int members, bool ints) {
    kv *o = set_kv_new("s", 1, ints ? "1" : "a", 1);
    for (int i = 0; i < members; i++) {
        char m[16];
        int n = snprintf(m, sizeof(m), ints ? "%d" : "m%d", i);
        set_add(o, m, (size_t)n, &small_set);
    }
    return o;
}

static kv *list_of(int elements) {
    kv *o = list_kv_new("l", 1, &lists);
    for (int i = 0; i < elements; i++)
        ql_push(o->v.ptr, QL_TAIL, "element", 7);
    return o;
}

static kv *zset_of(int members, bool skiplist) {
    zset zs = zset_new();
    if (skiplist) zset_convert_to_skiplist(&zs);
    for (int i = 0; i < members; i++) {
        char m[16];
        int n = snprintf(m, sizeof(m), "m%d", i);
        zset_set(&zs, m, (size_t)n, (double)i);
    }
    return kv_new_ptr("z", 1, OBJ_ZSET, skiplist ? OBJ_ENC_SKIPLIST : OBJ_ENC_LISTPACK, zs.p);
}

/* Copy o under a new key, check the copy against the original, free both. */
static void dup_check_free(kv *o) {
    kv *n = kv_dup(o, "copy", 4);
    cr_assert_str_eq(n->key, "copy");
    cr_assert_eq(n->type, o->type);
    cr_assert_eq(n->encoding, o->encoding);
    cr_assert_neq(n->v.ptr, o->v.ptr, "a copy shares nothing with its source");
    cr_assert_gt(kv_memory(o), sizeof(kv));
    switch (o->type) {
    case OBJ_HASH:
        cr_assert_eq(hash_length(n), hash_length(o));
        break;
    case OBJ_SET:
        cr_assert_eq(set_size(n), set_size(o));
        break;
    case OBJ_LIST:
        cr_assert_eq(ql_count(n->v.ptr), ql_count(o->v.ptr));
        break;
    case OBJ_ZSET:
        cr_assert_eq(zset_len(ZSET_OF(n)), zset_len(ZSET_OF(o)));
        break;
    }
    kv_free(o);
    kv_free(n);
}

Test(kv, hash_both_encodings) {
    kv *small = hash_of(3), *big = hash_of(10);
    cr_assert_eq(small->encoding, OBJ_ENC_LISTPACK);
    cr_assert_eq(big->encoding, OBJ_ENC_HT, "past max_listpack_entries the hash converts");
    dup_check_free(small);
    dup_check_free(big);
}

Test(kv, set_both_encodings) {
    kv *ints = set_of(3, true), *many = set_of(10, true), *words = set_of(3, false);
    cr_assert_eq(ints->encoding, OBJ_ENC_INTSET);
    cr_assert_eq(many->encoding, OBJ_ENC_HT, "past max_intset_entries the set converts");
    cr_assert_eq(words->encoding, OBJ_ENC_HT);
    dup_check_free(ints);
    dup_check_free(many);
    dup_check_free(words);
}

Test(kv, list_over_several_nodes) {
    dup_check_free(list_of(1));
    dup_check_free(list_of(9));
}

Test(kv, zset_both_encodings) {
    dup_check_free(zset_of(5, false));
    dup_check_free(zset_of(50, true));
}

Test(kv, strings_of_every_encoding) {
    char big[100];
    memset(big, 'x', sizeof(big));
    kv *in = kv_new_string("a", 1, "12345", 5);
    kv *emb = kv_new_string("b", 1, "hello", 5);
    kv *raw = kv_new_string("c", 1, big, sizeof(big));
    cr_assert_eq(in->encoding, OBJ_ENC_INT);
    cr_assert_eq(emb->encoding, OBJ_ENC_EMBSTR);
    cr_assert_eq(raw->encoding, OBJ_ENC_RAW);
    kv *copies[3] = {kv_dup(in, "x", 1), kv_dup(emb, "y", 1), kv_dup(raw, "z", 1)};
    kv *orig[3] = {in, emb, raw};
    for (int i = 0; i < 3; i++) {
        char t1[24], t2[24];
        size_t l1, l2;
        const char *a = kv_str(orig[i], t1, &l1), *b = kv_str(copies[i], t2, &l2);
        cr_assert(l1 == l2 && memcmp(a, b, l1) == 0);
        cr_assert_eq(copies[i]->encoding, orig[i]->encoding);
        kv_free(orig[i]);
        kv_free(copies[i]);
    }
    kv *d = kv_new_string("d", 1, big, sizeof(big));
    cr_assert_geq(kv_memory(d), sizeof(big), "a RAW string counts its body");
    kv_free(d);
}

Test(kv, free_null_is_a_no_op) {
    kv_free(NULL);
}
