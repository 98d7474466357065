/* test_rdb.c -- unit tests for the RDB codec (node/keyspace/rdb.c, rdb_load.c).
 *
 * Owns: two sets of four dbs and the db_env they borrow. Each test fills
 * the source dbs, saves them into a memory writer, loads the bytes into
 * the destination dbs and compares every key (type, encoding, value,
 * TTL); damaged inputs must be refused with an offset in the message. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "hash.h"
#include "intset.h"
#include "list.h"
#include "listpack.h"
#include "quicklist.h"
#include "rdb.h"
#include "set.h"
#include "vg_alloc.h"
#include "zset.h"

#define NDB 4

static int64_t now_ms = 1700000000000LL;
static db_stats stats;
static db src[NDB], dst[NDB];

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
    .dbs_swapped = NULL, /* db_swap falls back to db_changed on both */
};

static const hash_limits hlim = {128, 64};
static const set_limits slim = {512};
static const list_limits llim = {-2, 0};

static void setup(void) {
    for (int i = 0; i < NDB; i++) {
        db_init(&src[i], i, &env);
        db_init(&dst[i], i, &env);
    }
}

static void teardown(void) {
    for (int i = 0; i < NDB; i++) {
        db_release(&src[i]);
        db_release(&dst[i]);
    }
}

TestSuite(rdb, .init = setup, .fini = teardown);

static rdb_load_opts load_opts(void) {
    rdb_load_opts o = {.hash = hlim,
                       .set = slim,
                       .list = llim,
                       .zset_max_entries = 128,
                       .zset_max_value = 64,
                       .now_ms = now_ms,
                       .drop_expired = true,
                       .verify_checksum = true};
    return o;
}

static unsigned char *save_mem(bool compress, size_t *len) {
    rdb_writer w;
    rdb_writer_init_mem(&w);
    rdb_save_opts o = {.compression = compress, .checksum = true, .now_ms = now_ms};
    vg_error err = {{0}};
    cr_assert_eq(rdb_save(&w, src, NDB, &o, &err), VG_OK, "%s", err.msg);
    return rdb_writer_take(&w, len);
}

static int load_mem(const unsigned char *p, size_t len, vg_error *err) {
    for (int i = 0; i < NDB; i++)
        db_empty(&dst[i], false);
    rdb_reader r;
    rdb_reader_init_mem(&r, p, len);
    rdb_load_opts o = load_opts();
    rdb_load_info info;
    int rc = rdb_load(&r, dst, NDB, &o, &info, err);
    rdb_reader_release(&r);
    return rc;
}

/* ------------------------------------------------------------ compare */

typedef struct strs {
    char **v;
    size_t *l;
    size_t n;
} strs;

static void strs_add(strs *s, const char *p, size_t len) {
    s->v = vg_realloc(s->v, sizeof(char *) * (s->n + 1));
    s->l = vg_realloc(s->l, sizeof(size_t) * (s->n + 1));
    s->v[s->n] = vg_malloc(len + 1);
    memcpy(s->v[s->n], p, len);
    s->l[s->n++] = len;
}

static void strs_free(strs *s) {
    for (size_t i = 0; i < s->n; i++)
        vg_free(s->v[i]);
    vg_free(s->v);
    vg_free(s->l);
}

static void member_cb(const char *m, size_t len, void *arg) {
    strs_add(arg, m, len);
}

static void pair_cb(const char *f, size_t fl, const char *v, size_t vl, void *arg) {
    strs_add(arg, f, fl);
    strs_add(arg, v, vl);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Flatten a value into comparable text items (sorted for unordered types). */
static void flatten(const kv *o, strs *s) {
    char tmp[32];
    size_t len;
    switch (o->type) {
    case OBJ_STRING: {
        const char *p = kv_str(o, tmp, &len);
        strs_add(s, p, len);
        break;
    }
    case OBJ_LIST: {
        ql_iter it;
        ql_entry e;
        ql_iter_init(&it, o->v.ptr, QL_HEAD, 0);
        while (ql_next(&it, &e))
            strs_add(s, e.s, e.len);
        break;
    }
    case OBJ_SET:
        set_foreach(o, member_cb, s);
        break;
    case OBJ_HASH:
        hash_foreach(o, pair_cb, s);
        break;
    case OBJ_ZSET: {
        zset_iter it;
        const char *m;
        double sc;
        zset_iter_at(&it, ZSET_OF(o), 0, false);
        while (zset_iter_next(&it, &m, &len, &sc)) {
            char b[64];
            int n = snprintf(b, sizeof(b), "%.17g:", sc);
            strs_add(s, b, (size_t)n);
            strs_add(s, m, len);
        }
        break;
    }
    }
    /* Make items NUL-terminated texts so sets and hashes compare sorted. */
    for (size_t i = 0; i < s->n; i++)
        s->v[i][s->l[i]] = '\0';
    if (o->type == OBJ_SET) qsort(s->v, s->n, sizeof(char *), cmp_str);
}

typedef struct cmp_ctx {
    db *a, *b;
    long long n;
} cmp_ctx;

static void cmp_cb(dict_node *node, void *arg) {
    cmp_ctx *c = arg;
    const kv *x = (const kv *)node;
    kv *y = db_find(c->b, x->key, x->keylen);
    cr_assert_not_null(y, "key %s missing after load", x->key);
    cr_assert_eq(x->type, y->type, "type of %s", x->key);
    cr_assert_eq(x->encoding, y->encoding, "encoding of %s: %s vs %s", x->key, kv_encoding_name(x),
                 kv_encoding_name(y));
    cr_assert_eq(db_get_expire(c->a, x), db_get_expire(c->b, y), "ttl of %s", x->key);
    strs sx = {0}, sy = {0};
    flatten(x, &sx);
    flatten(y, &sy);
    cr_assert_eq(sx.n, sy.n, "length of %s", x->key);
    if (x->type == OBJ_HASH) {
        /* Pairs may come in another order from a hashtable. */
        for (size_t i = 0; i < sx.n; i += 2) {
            bool found = false;
            for (size_t j = 0; j < sy.n && !found; j += 2)
                found = sx.l[i] == sy.l[j] && memcmp(sx.v[i], sy.v[j], sx.l[i]) == 0 &&
                        sx.l[i + 1] == sy.l[j + 1] &&
                        memcmp(sx.v[i + 1], sy.v[j + 1], sx.l[i + 1]) == 0;
            cr_assert(found, "hash %s field %s", x->key, sx.v[i]);
        }
    } else {
        for (size_t i = 0; i < sx.n; i++)
            cr_assert(sx.l[i] == sy.l[i] && memcmp(sx.v[i], sy.v[i], sx.l[i]) == 0,
                      "item %zu of %s", i, x->key);
    }
    strs_free(&sx);
    strs_free(&sy);
    c->n++;
}

static void assert_same(void) {
    for (int i = 0; i < NDB; i++) {
        cmp_ctx c = {&src[i], &dst[i], 0};
        dict_foreach(&src[i].keys, cmp_cb, &c);
        cr_assert_eq((size_t)c.n, dict_size(&dst[i].keys), "db %d key count", i);
    }
}

/* ------------------------------------------------------------ fill */

static void put_string(db *d, const char *k, const char *v, size_t vl) {
    db_add(d, kv_new_string(k, strlen(k), v, vl));
}

static void fill_everything(void) {
    put_string(&src[0], "int", "12345", 5);
    put_string(&src[0], "bigint", "123456789012345", 15);
    put_string(&src[0], "neg", "-2147483648", 11);
    put_string(&src[0], "emb", "hello", 5);
    put_string(&src[0], "bin", "a\0b\xff", 4);
    char big[3000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 3);
    put_string(&src[0], "compressible", big, sizeof(big));
    put_string(&src[0], "", "empty key", 9);
    kv *o = kv_new_string("ttl", 3, "v", 1);
    db_add(&src[1], o);
    db_set_expire(&src[1], o, now_ms + 100000);

    kv *l = list_kv_new("list", 4, &llim);
    for (int i = 0; i < 5000; i++) {
        char b[32];
        int n = snprintf(b, sizeof(b), i % 2 ? "%d" : "elem-%d", i);
        ql_push(l->v.ptr, QL_TAIL, b, (size_t)n);
    }
    ql_push(l->v.ptr, QL_TAIL, big, sizeof(big));
    db_add(&src[0], l);

    kv *hs = hash_kv_new("hsmall", 6);
    hash_set(hs, "f", 1, "v", 1, &hlim);
    hash_set(hs, "n", 1, "42", 2, &hlim);
    db_add(&src[2], hs);
    kv *hb = hash_kv_new("hbig", 4);
    for (int i = 0; i < 300; i++) {
        char f[16], v[16];
        int fl = snprintf(f, sizeof(f), "f%d", i), vl = snprintf(v, sizeof(v), "%d", i * 7);
        hash_set(hb, f, (size_t)fl, v, (size_t)vl, &hlim);
    }
    db_add(&src[2], hb);
    db_set_expire(&src[2], hb, now_ms + 5000);

    kv *si = set_kv_new_intset("sint", 4);
    set_add(si, "-5", 2, &slim);
    set_add(si, "70000", 5, &slim);
    set_add(si, "9000000000", 10, &slim);
    db_add(&src[3], si);
    kv *ss = set_kv_new("sstr", 4, "a", 1);
    set_add(ss, "a", 1, &slim);
    set_add(ss, "bb", 2, &slim);
    db_add(&src[3], ss);

    kv *zs = kv_new_ptr("zsmall", 6, OBJ_ZSET, OBJ_ENC_LISTPACK, zset_new().p);
    zset_set(ZSET_OF(zs), "a", 1, 1.5);
    zset_set(ZSET_OF(zs), "b", 1, -INFINITY);
    zset_set(ZSET_OF(zs), "c", 1, 3);
    db_add(&src[3], zs);
    kv *zb = kv_new_ptr("zbig", 4, OBJ_ZSET, OBJ_ENC_LISTPACK, zset_new().p);
    zset_convert_to_skiplist(ZSET_OF(zb));
    zb->encoding = OBJ_ENC_SKIPLIST;
    for (int i = 0; i < 200; i++) {
        char m[16];
        int n = snprintf(m, sizeof(m), "m%d", i);
        zset_set(ZSET_OF(zb), m, (size_t)n, i * 0.25);
    }
    db_add(&src[3], zb);
}

Test(rdb, round_trip_every_type_compressed) {
    fill_everything();
    size_t len;
    unsigned char *p = save_mem(true, &len);
    vg_error err = {{0}};
    cr_assert_eq(load_mem(p, len, &err), VG_OK, "%s", err.msg);
    assert_same();
    vg_free(p);
}

Test(rdb, round_trip_every_type_uncompressed) {
    fill_everything();
    size_t len;
    unsigned char *p = save_mem(false, &len);
    vg_error err = {{0}};
    cr_assert_eq(load_mem(p, len, &err), VG_OK, "%s", err.msg);
    assert_same();
    vg_free(p);
}

Test(rdb, expired_keys_are_dropped) {
    kv *o = kv_new_string("gone", 4, "v", 1);
    db_add(&src[0], o);
    db_set_expire(&src[0], o, now_ms - 1);
    size_t len;
    unsigned char *p = save_mem(true, &len);
    vg_error err = {{0}};
    cr_assert_eq(load_mem(p, len, &err), VG_OK);
    cr_assert_eq(dict_size(&dst[0].keys), 0);
    vg_free(p);
}

Test(rdb, every_truncation_is_refused) {
    fill_everything();
    size_t len;
    unsigned char *p = save_mem(true, &len);
    for (size_t cut = 0; cut < len; cut += 1 + cut / 64) {
        vg_error err = {{0}};
        unsigned char *c = vg_malloc(cut ? cut : 1);
        memcpy(c, p, cut);
        cr_assert_eq(load_mem(c, cut, &err), VG_ERR, "cut at %zu loaded", cut);
        cr_assert(strstr(err.msg, "offset") != NULL, "%s", err.msg);
        vg_free(c);
    }
    vg_free(p);
}

Test(rdb, flipped_bytes_are_refused_or_checksummed) {
    fill_everything();
    size_t len;
    unsigned char *p = save_mem(true, &len);
    for (size_t i = 9; i < len; i += 7) {
        vg_error err = {{0}};
        p[i] ^= 0x21;
        cr_assert_eq(load_mem(p, len, &err), VG_ERR, "flip at %zu loaded", i);
        p[i] ^= 0x21;
    }
    vg_free(p);
}

Test(rdb, bad_checksum_names_it) {
    put_string(&src[0], "k", "v", 1);
    size_t len;
    unsigned char *p = save_mem(true, &len);
    p[len - 1] ^= 1;
    vg_error err = {{0}};
    cr_assert_eq(load_mem(p, len, &err), VG_ERR);
    cr_assert(strstr(err.msg, "Wrong RDB checksum") != NULL, "%s", err.msg);
    memset(p + len - 8, 0, 8); /* zero: no checksum */
    cr_assert_eq(load_mem(p, len, &err), VG_OK, "%s", err.msg);
    vg_free(p);
}

static int load_bytes(const char *bytes, size_t n, vg_error *err) {
    return load_mem((const unsigned char *)bytes, n, err);
}

Test(rdb, unknown_type_and_absurd_lengths) {
    vg_error err = {{0}};
    /* Type 200 after the header. */
    cr_assert_eq(load_bytes("REDIS0010\xc8\x01k\x01v\xff", 15, &err), VG_ERR);
    cr_assert(strstr(err.msg, "Unknown RDB type 200 at offset 9") != NULL, "%s", err.msg);
    /* A string claiming 4 GB. */
    cr_assert_eq(load_bytes("REDIS0010\x00\x01k\x80\xff\xff\xff\xf0", 18, &err), VG_ERR);
    cr_assert(strstr(err.msg, "beyond end") != NULL, "%s", err.msg);
    /* A list claiming 2^60 nodes. */
    cr_assert_eq(load_bytes("REDIS0010\x12\x01k\x81\x10\0\0\0\0\0\0\0", 21, &err), VG_ERR);
    /* A stream. */
    cr_assert_eq(load_bytes("REDIS0010\x0f\x01k", 12, &err), VG_ERR);
    cr_assert(strstr(err.msg, "type not supported") != NULL, "%s", err.msg);
    /* Bad magic and a future version. */
    cr_assert_eq(load_bytes("REDIX0010\xff", 10, &err), VG_ERR);
    cr_assert_eq(load_bytes("REDIS0011\xff", 10, &err), VG_ERR);
    cr_assert(strstr(err.msg, "version 11") != NULL, "%s", err.msg);
}

Test(rdb, bad_listpack_blob_refused) {
    /* A hash listpack whose header claims more bytes than it holds. */
    const char f[] = "REDIS0010\x10\x01k\x07"
                     "\x20\0\0\0\x02\0\xff";
    vg_error err = {{0}};
    cr_assert_eq(load_bytes(f, sizeof(f) - 1, &err), VG_ERR);
    cr_assert(strstr(err.msg, "integrity") != NULL, "%s", err.msg);
}

Test(rdb, duplicate_hash_field_refused) {
    unsigned char *lp = lp_new();
    lp = lp_append(lp, "f", 1);
    lp = lp_append(lp, "v", 1);
    lp = lp_append(lp, "f", 1);
    lp = lp_append(lp, "w", 1);
    size_t n = lp_bytes(lp);
    unsigned char b[128];
    memcpy(b, "REDIS0010\x10\x01k", 12);
    b[12] = (unsigned char)n;
    memcpy(b + 13, lp, n);
    b[13 + n] = 0xff;
    memset(b + 14 + n, 0, 8);
    vg_error err = {{0}};
    cr_assert_eq(load_mem(b, 22 + n, &err), VG_ERR);
    cr_assert(strstr(err.msg, "integrity") != NULL, "%s", err.msg);
    lp_free(lp);
}

Test(rdb, legacy_zset_text_scores_and_linked_list) {
    /* RDB_TYPE_ZSET (3) with text scores, RDB_TYPE_LIST (1), version 6. */
    const char f[] = "REDIS0006"
                     "\x03\x01z\x02\x01"
                     "a\x03"
                     "1.5\x01"
                     "b\xfe"
                     "\x01\x01l\x02\x01x\x01y"
                     "\xff\0\0\0\0\0\0\0\0";
    vg_error err = {{0}};
    cr_assert_eq(load_bytes(f, sizeof(f) - 1, &err), VG_OK, "%s", err.msg);
    kv *z = db_find(&dst[0], "z", 1);
    cr_assert_not_null(z);
    double s;
    cr_assert(zset_score(ZSET_OF(z), "b", 1, &s) && isinf(s) && s > 0);
    kv *l = db_find(&dst[0], "l", 1);
    cr_assert_not_null(l);
    cr_assert_eq(ql_count(l->v.ptr), 2);
}

/* A ziplist of "ab", 5 (immediate) and 300 (int16), built by hand. */
#define ZL                                                                                         \
    "\x15\0\0\0\x10\0\0\0\x03\0"                                                                   \
    "\x00\x02"                                                                                     \
    "ab"                                                                                           \
    "\x04\xf6"                                                                                     \
    "\x02\xc0\x2c\x01"                                                                             \
    "\xff"

Test(rdb, legacy_ziplist_list_and_zipmap_hash) {
    const char f[] = "REDIS0009"
                     "\x0a\x01l\x15" ZL "\x09\x01h\x07\x01\x01"
                     "f"
                     "\x01\x00"
                     "v"
                     "\xff"
                     "\xff\0\0\0\0\0\0\0\0";
    vg_error err = {{0}};
    cr_assert_eq(load_bytes(f, sizeof(f) - 1, &err), VG_OK, "%s", err.msg);
    kv *l = db_find(&dst[0], "l", 1);
    cr_assert_not_null(l);
    strs s = {0};
    flatten(l, &s);
    cr_assert_eq(s.n, 3);
    cr_assert_str_eq(s.v[0], "ab");
    cr_assert_str_eq(s.v[1], "5");
    cr_assert_str_eq(s.v[2], "300");
    strs_free(&s);
    kv *h = db_find(&dst[0], "h", 1);
    cr_assert_not_null(h);
    cr_assert_eq(h->encoding, OBJ_ENC_LISTPACK);
    char ib[HASH_IBUF_SIZE];
    size_t vl;
    const char *v = hash_get(h, "f", 1, ib, &vl);
    cr_assert(v && vl == 1 && v[0] == 'v');
}

Test(rdb, legacy_ziplist_with_bad_prevlen_refused) {
    char f[] = "REDIS0009"
               "\x0a\x01l\x15" ZL "\xff\0\0\0\0\0\0\0\0";
    f[9 + 4 + 14] = 0x05; /* second entry's prevlen: 4 -> 5 */
    vg_error err = {{0}};
    cr_assert_eq(load_bytes(f, sizeof(f) - 1, &err), VG_ERR);
    cr_assert(strstr(err.msg, "Ziplist integrity") != NULL, "%s", err.msg);
}
