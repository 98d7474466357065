/* test_digest.c -- unit tests for the dataset digest (node/keyspace/digest.c).
 *
 * Owns: three dbs and the db_env they borrow. The expected digests were
 * taken from redis-server 7.0.15 with DEBUG DIGEST-VALUE and DEBUG DIGEST
 * after the commands quoted next to each vector. */
#include <criterion/criterion.h>
#include <string.h>

#include "db.h"
#include "digest.h"
#include "hash.h"
#include "list.h"
#include "quicklist.h"
#include "set.h"
#include "zset.h"

#define NDB 3

static int64_t now_ms = 1700000000000LL;
static db_stats stats;
static db dbs[NDB];

static bool env_is_replica(void) {
    return false;
}
static uint64_t env_random(void) {
    return 4;
}
static int64_t env_mono_us(void) {
    return 0;
}
static void env_access_init(kv *o, const kv *old) {
    (void)old;
    o->lru = 0;
}
static void env_access_touch(kv *o) {
    (void)o;
}
static void env_key(db *d, const char *k, size_t l) {
    (void)d;
    (void)k;
    (void)l;
}
static void env_db_changed(db *d) {
    (void)d;
}

static const db_env env = {
    .now_ms = &now_ms,
    .stats = &stats,
    .is_replica = env_is_replica,
    .random = env_random,
    .mono_us = env_mono_us,
    .access_init = env_access_init,
    .access_touch = env_access_touch,
    .key_modified = env_key,
    .key_expired = env_key,
    .key_evicted = env_key,
    .db_changed = env_db_changed,
    .dbs_swapped = NULL,
};

static const hash_limits hlim = {128, 64};
static const set_limits slim = {512};
static const set_limits slim_small = {2};
static const list_limits llim = {-2, 0};

static void setup(void) {
    for (int i = 0; i < NDB; i++)
        db_init(&dbs[i], i, &env);
}

static void teardown(void) {
    for (int i = 0; i < NDB; i++)
        db_release(&dbs[i]);
}

TestSuite(digest, .init = setup, .fini = teardown);

static void expect_value(const kv *o, const char *hex) {
    unsigned char d[DIGEST_LEN] = {0};
    char got[DIGEST_HEX_LEN + 1];
    digest_value(&dbs[0], o, d);
    digest_hex(d, got);
    cr_assert_str_eq(got, hex, "key %s", o->key);
}

static void expect_dataset(const char *hex) {
    unsigned char d[DIGEST_LEN];
    char got[DIGEST_HEX_LEN + 1];
    digest_dataset(dbs, NDB, d);
    digest_hex(d, got);
    cr_assert_str_eq(got, hex);
}

static kv *add_string(int dbi, const char *k, const char *v) {
    kv *o = kv_new_string(k, strlen(k), v, strlen(v));
    db_add(&dbs[dbi], o);
    return o;
}

Test(digest, empty_dataset_is_zeros) {
    expect_dataset("0000000000000000000000000000000000000000");
}

Test(digest, strings_match_redis) {
    /* SET s hello; SET i 42 (int-encoded, digested as its text) */
    expect_value(add_string(0, "s", "hello"), "36b23a1456b2dce2c3ed252c456761301dba8060");
    kv *i = add_string(0, "i", "42");
    cr_assert_eq(i->encoding, OBJ_ENC_INT);
    expect_value(i, "547a004a370bc71c2d611f010c52f2e7b64c77a4");
}

Test(digest, ttl_adds_the_expire_marker) {
    /* SET t v EX 100: the time itself is not digested */
    kv *o = add_string(0, "t", "v");
    db_set_expire(&dbs[0], o, now_ms + 100000);
    expect_value(o, "311b17018163335616e089f6b951c82c477335ac");
    db_set_expire(&dbs[0], o, now_ms + 5);
    expect_value(o, "311b17018163335616e089f6b951c82c477335ac");
}

Test(digest, list_is_ordered) {
    /* RPUSH l a 1 b */
    kv *l = list_kv_new("l", 1, &llim);
    ql_push(l->v.ptr, QL_TAIL, "a", 1);
    ql_push(l->v.ptr, QL_TAIL, "1", 1);
    ql_push(l->v.ptr, QL_TAIL, "b", 1);
    db_add(&dbs[0], l);
    expect_value(l, "d5f44352f6226abea9252dad248ef5de0d964396");
}

Test(digest, sets_are_unordered_in_any_encoding) {
    /* SADD si 1 2 3, as an intset and (set-max-intset-entries 2) a hashtable */
    kv *si = set_kv_new("si", 2, "1", 1);
    set_add(si, "1", 1, &slim);
    set_add(si, "3", 1, &slim);
    set_add(si, "2", 1, &slim);
    cr_assert_eq(si->encoding, OBJ_ENC_INTSET);
    db_add(&dbs[0], si);
    expect_value(si, "2a462a3f51a1db89738ebbeef0c47ce1bbc85246");
    kv *ht = set_kv_new("sh", 2, "3", 1);
    set_add(ht, "3", 1, &slim_small);
    set_add(ht, "2", 1, &slim_small);
    set_add(ht, "1", 1, &slim_small);
    cr_assert_eq(ht->encoding, OBJ_ENC_HT);
    db_add(&dbs[0], ht);
    expect_value(ht, "2a462a3f51a1db89738ebbeef0c47ce1bbc85246");
    /* SADD ss x y */
    kv *ss = set_kv_new("ss", 2, "y", 1);
    set_add(ss, "y", 1, &slim);
    set_add(ss, "x", 1, &slim);
    db_add(&dbs[0], ss);
    expect_value(ss, "36846f8a92fb6b6b824c73bf468c5bbcf5075ede");
}

Test(digest, hash_in_both_encodings) {
    /* HSET h f v n 7 */
    kv *h = hash_kv_new("h", 1);
    hash_set(h, "f", 1, "v", 1, &hlim);
    hash_set(h, "n", 1, "7", 1, &hlim);
    db_add(&dbs[0], h);
    expect_value(h, "4f27ca621cb2752866d01527a40541bd50df9e80");
    hash_convert_to_ht(h);
    expect_value(h, "4f27ca621cb2752866d01527a40541bd50df9e80");
}

Test(digest, zset_in_both_encodings) {
    /* ZADD z 1 a 2.5 b */
    kv *z = kv_new_ptr("z", 1, OBJ_ZSET, OBJ_ENC_LISTPACK, zset_new().p);
    zset_set(ZSET_OF(z), "b", 1, 2.5);
    zset_set(ZSET_OF(z), "a", 1, 1);
    db_add(&dbs[0], z);
    expect_value(z, "c45c5b051acd64070e5ed1a949939d5145f806c5");
    zset_convert_to_skiplist(ZSET_OF(z));
    z->encoding = OBJ_ENC_SKIPLIST;
    expect_value(z, "c45c5b051acd64070e5ed1a949939d5145f806c5");
}

Test(digest, dataset_mixes_the_db_index) {
    /* SET k v in db 0 */
    add_string(0, "k", "v");
    expect_dataset("264ccf65edec66bccfa7cc659414ccca432057d2");
    /* ... and SET k v in db 2 */
    add_string(2, "k", "v");
    expect_dataset("10eb9da1f0093b391f4f09fb294b79eebdaedce5");
    /* DEL k in db 0: db 2 alone */
    db_delete(&dbs[0], "k", 1);
    expect_dataset("3ec59e6f39a3a8980e82ef0980b7cf3b4bd14896");
}

Test(digest, mix_is_ordered_xor_is_not) {
    unsigned char a[DIGEST_LEN] = {0}, b[DIGEST_LEN] = {0};
    digest_mix(a, "x", 1);
    digest_mix(a, "y", 1);
    digest_mix(b, "y", 1);
    digest_mix(b, "x", 1);
    cr_assert(memcmp(a, b, DIGEST_LEN) != 0);
    memset(a, 0, DIGEST_LEN);
    memset(b, 0, DIGEST_LEN);
    digest_xor(a, "x", 1);
    digest_xor(a, "y", 1);
    digest_xor(b, "y", 1);
    digest_xor(b, "x", 1);
    cr_assert(memcmp(a, b, DIGEST_LEN) == 0);
}
