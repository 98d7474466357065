/* object.h -- keyspace entries (kv): key, value, type, encoding, LRU clock.
 *
 * Owns: each kv owns its key bytes (inline), its value, and for EMBSTR the
 * value bytes (inline after the key). This module knows strings only;
 * freeing, copying and sizing a kv of any type is kv.h's. One allocation holds a small string
 * key and value, which is where Vigil saves memory over Redis' three.
 *
 * Layout: | dict_node | type:4 enc:4 lru:24 | keylen | v | vol | key\0 [val\0] |
 * v holds an integer (INT), the embedded length (EMBSTR) or a pointer to the
 * value's structure (everything else). vol is the key's slot in its db's
 * volatile array plus one, or 0 when it has no TTL (db.c keeps it right). */
#ifndef VIGIL_NODE_OBJECT_H
#define VIGIL_NODE_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "dict.h"

/* Types and encodings use Redis' numbering (RDB and OBJECT ENCODING follow it). */
enum obj_type {
    OBJ_STRING = 0,
    OBJ_LIST = 1,
    OBJ_SET = 2,
    OBJ_ZSET = 3,
    OBJ_HASH = 4,
    OBJ_STREAM = 6
};
enum obj_encoding {
    OBJ_ENC_RAW = 0,
    OBJ_ENC_INT = 1,
    OBJ_ENC_HT = 2,
    OBJ_ENC_INTSET = 6,
    OBJ_ENC_SKIPLIST = 7,
    OBJ_ENC_EMBSTR = 8,
    OBJ_ENC_QUICKLIST = 9,
    OBJ_ENC_STREAM = 10,
    OBJ_ENC_LISTPACK = 11,
};

#define OBJ_EMBSTR_LIMIT 44
#define OBJ_LRU_BITS 24
#define OBJ_LRU_MAX ((1 << OBJ_LRU_BITS) - 1)

typedef struct kv {
    dict_node node;        /* chain link in the db's dict */
    uint32_t type : 4;     /* enum obj_type */
    uint32_t encoding : 4; /* enum obj_encoding */
    uint32_t lru : 24;     /* LRU clock (seconds) or LFU data */
    uint32_t keylen;       /* key bytes, without the NUL */
    union {
        void *ptr;    /* owned: value structure (RAW string, collections) */
        long long ll; /* INT value, or EMBSTR length */
    } v;
    uint32_t vol; /* 1 + index in db->vol, or 0: no TTL */
    char key[];   /* key, NUL, then EMBSTR bytes and NUL */
} kv;

/* A heap string value (RAW encoding) with room to grow for APPEND/SETRANGE. */
typedef struct rstr {
    size_t len;
    size_t cap;
    char data[]; /* len bytes + NUL */
} rstr;

/* Per-type behaviour the keyspace needs without knowing the type. Each
 * collection module defines one (hash_ops, list_ops, set_ops, zset_ops);
 * kv.c's static table, indexed by type, lists them. */
typedef struct obj_ops {
    void (*free_value)(kv *o);           /* release o->v.ptr */
    size_t (*value_memory)(const kv *o); /* bytes held by the value */
    /* Copy the value of src into dst (same type); dst->v is uninitialised. */
    void (*dup_value)(kv *dst, const kv *src);
} obj_ops;

/* New string entry; picks INT, EMBSTR or RAW as Redis would. Returns new. */
kv *kv_new_string(const char *key, size_t klen, const char *val, size_t vlen);
kv *kv_new_string_ll(const char *key, size_t klen, long long v);
/* EMBSTR or RAW by length, never INT: values Redis builds as strings, such
 * as INCRBYFLOAT results ("3" stays embstr). Returns new. */
kv *kv_new_string_noint(const char *key, size_t klen, const char *val, size_t vlen);
/* New entry of any other type: value pointer taken. */
kv *kv_new_ptr(const char *key, size_t klen, int type, int encoding, void *value);
/* Copy with a new key: the value is moved from o (o is freed). Returns new. */
kv *kv_rekey(kv *o, const char *key, size_t klen);

/* String value bytes: INT values are formatted into tmp (>= 24 bytes). */
const char *kv_str(const kv *o, char *tmp, size_t *len);
size_t kv_strlen(const kv *o);
/* Make a string value writable in place as RAW with at least cap bytes; returns it. */
rstr *kv_str_make_raw(kv *o, size_t cap);
/* Set the string value to an integer (INT encoding), in place. */
void kv_str_set_ll(kv *o, long long v);
const char *kv_encoding_name(const kv *o);
const char *kv_type_name(int type);

static inline const char *kv_embedded(const kv *o) {
    return o->key + o->keylen + 1;
}

rstr *rstr_new(const char *p, size_t len, size_t cap);

#endif
