/* test_rdb_dump.c -- unit tests for DUMP payload framing (node/keyspace/rdb_dump.c).
 *
 * Owns: the values each test builds and frees. The expected bytes are
 * payloads Debian's redis-server 7.0.15 returned for DUMP of the same
 * values; the footer check is driven with hand-made footers (short,
 * newer version, bad CRC) and the decoder with damaged values behind a
 * good footer. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "crc64.h"
#include "hash.h"
#include "kv.h"
#include "list.h"
#include "quicklist.h"
#include "rdb_dump.h"
#include "set.h"
#include "vg_alloc.h"
#include "zset.h"

static const hash_limits hlim = {128, 64};
static const set_limits slim = {512};
static const list_limits llim = {-2, 0};

static rdb_load_opts opts(void) {
    rdb_load_opts o = {
        .hash = hlim, .set = slim, .list = llim, .zset_max_entries = 128, .zset_max_value = 64};
    return o;
}

/* DUMP of o must be exactly want (n bytes); free o. */
static void expect_payload(kv *o, const char *want, size_t n) {
    size_t len;
    unsigned char *p = rdb_dump_payload(o, true, &len);
    cr_assert_eq(len, n, "payload of %zu bytes, want %zu", len, n);
    cr_assert(memcmp(p, want, n) == 0);
    cr_assert(rdb_dump_verify(p, len, NULL));
    vg_free(p);
    kv_free(o);
}

#define S(lit) lit, sizeof(lit) - 1

Test(rdb_dump, string_payloads_match_redis) {
    expect_payload(kv_new_string(S("s"), S("hello")),
                   S("\x00\x05hello\x0a\x00\x63\x72\xdf\x76\x65\x34\x20\x0a"));
    expect_payload(kv_new_string(S("i"), S("12345")),
                   S("\x00\xc1\x39\x30\x0a\x00\x9d\x94\xea\x27\x93\xfc\x08\xb9"));
}

Test(rdb_dump, collection_payloads_match_redis) {
    kv *l = list_kv_new(S("l"), &llim);
    ql_push(l->v.ptr, QL_TAIL, S("a"));
    ql_push(l->v.ptr, QL_TAIL, S("b"));
    ql_push(l->v.ptr, QL_TAIL, S("1"));
    expect_payload(l, S("\x12\x01\x02\x0f\x0f\x00\x00\x00\x03\x00\x81\x61\x02\x81\x62\x02\x01\x01"
                        "\xff\x0a\x00\xe0\x1b\xab\x4a\x47\xce\x59\x22"));
    kv *h = hash_kv_new(S("h"));
    hash_set(h, S("f"), S("v"), &hlim);
    expect_payload(h, S("\x10\x0d\x0d\x00\x00\x00\x02\x00\x81\x66\x02\x81\x76\x02\xff\x0a\x00\x20"
                        "\xf1\x3d\x44\x23\x54\x08\x9d"));
    kv *si = set_kv_new_intset(S("si"));
    set_add(si, S("1"), &slim);
    set_add(si, S("2"), &slim);
    set_add(si, S("3"), &slim);
    expect_payload(si, S("\x0b\x0e\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00\x0a"
                         "\x00\xa5\x02\x5c\xe2\x6d\x6e\x4d\x1b"));
    kv *ss = set_kv_new_intset(S("ss"));
    set_add(ss, S("a"), &slim);
    expect_payload(ss, S("\x02\x01\x01\x61\x0a\x00\x62\x96\xe9\x7e\x44\xd2\x1a\x6d"));
    kv *z = kv_new_ptr(S("z"), OBJ_ZSET, OBJ_ENC_LISTPACK, zset_new().p);
    zset_set(ZSET_OF(z), S("a"), 1);
    zset_set(ZSET_OF(z), S("b"), 2.5);
    expect_payload(z, S("\x11\x14\x14\x00\x00\x00\x04\x00\x81\x61\x02\x01\x01\x81\x62\x02\x83"
                        "\x32\x2e\x35\x04\xff\x0a\x00\xd4\x4c\x6e\xa4\xf6\x44\xd9\xd7"));
}

Test(rdb_dump, decodes_redis_lzf_string) {
    static const char p[] = "\x00\xc3\x0b\x1e\x03\x61\x62\x63\x61\xe0\x0f\x02\x01\x62\x63\x0a\x00"
                            "\x88\x74\xbe\x6d\x67\xe5\x9d\x2a";
    const unsigned char *u = (const unsigned char *)p;
    cr_assert(rdb_dump_verify(u, sizeof(p) - 1, NULL));
    rdb_load_opts o = opts();
    vg_error err = {{0}};
    kv *v;
    cr_assert_eq(rdb_dump_decode(u, sizeof(p) - 1, &o, S("c"), &v, &err), VG_OK, "%s", err.msg);
    char tmp[32];
    size_t len;
    const char *s = kv_str(v, tmp, &len);
    cr_assert_eq(len, 30);
    cr_assert(memcmp(s, "abcabcabcabcabcabcabcabcabcabc", 30) == 0);
    cr_assert_eq(v->keylen, 1);
    cr_assert_eq(v->key[0], 'c');
    kv_free(v);
}

/* body + version + CRC-64 of both, into out (at least n + 10 bytes). */
static size_t frame(const char *body, size_t n, int version, unsigned char *out) {
    memcpy(out, body, n);
    out[n] = (unsigned char)(version & 0xff);
    out[n + 1] = (unsigned char)(version >> 8);
    uint64_t crc = crc64(0, out, n + 2);
    for (int i = 0; i < 8; i++)
        out[n + 2 + i] = (unsigned char)(crc >> (8 * i));
    return n + 10;
}

Test(rdb_dump, verify_checks_length_version_and_crc) {
    unsigned char p[64];
    int ver = -1;
    size_t n = frame(S("\x00\x01v"), 10, p);
    cr_assert(rdb_dump_verify(p, n, &ver));
    cr_assert_eq(ver, 10);
    cr_assert_not(rdb_dump_verify(p, 9, NULL));
    cr_assert_not(rdb_dump_verify(p, 0, NULL));
    n = frame(S("\x00\x01v"), 9, p);
    cr_assert(rdb_dump_verify(p, n, &ver));
    cr_assert_eq(ver, 9);
    n = frame(S("\x00\x01v"), 11, p);
    cr_assert_not(rdb_dump_verify(p, n, &ver), "a newer RDB version is refused");
    cr_assert_eq(ver, 11);
    n = frame(S("\x00\x01v"), 0x100, p);
    cr_assert_not(rdb_dump_verify(p, n, NULL));
    n = frame(S("\x00\x01v"), 10, p);
    for (size_t i = 0; i < n; i++) {
        p[i] ^= 0x10;
        cr_assert_not(rdb_dump_verify(p, n, NULL), "flip at %zu passed", i);
        p[i] ^= 0x10;
    }
    /* The footer alone is a valid frame around nothing. */
    n = frame("", 0, 10, p);
    cr_assert(rdb_dump_verify(p, n, NULL));
}

static void expect_refused(const char *body, size_t n) {
    unsigned char p[128];
    size_t len = frame(body, n, 10, p);
    cr_assert(rdb_dump_verify(p, len, NULL));
    rdb_load_opts o = opts();
    vg_error err = {{0}};
    kv *v = (kv *)1;
    cr_assert_eq(rdb_dump_decode(p, len, &o, S("k"), &v, &err), VG_ERR);
    cr_assert_null(v);
    cr_assert(err.msg[0] != '\0');
}

Test(rdb_dump, decode_refuses_bad_values) {
    expect_refused("", 0);            /* no type byte */
    expect_refused(S("\x08\x01v"));   /* type 8 is no type */
    expect_refused(S("\xc8\x01v"));   /* nor is 200 */
    expect_refused(S("\x00\x05hel")); /* value runs into the footer */
    expect_refused(S("\x12\x00"));    /* a list with no nodes */
    expect_refused(S("\x0b\x03"
                     "abc"));                                  /* a broken intset */
    expect_refused(S("\x10\x07\x07\x00\x00\x00\x00\x00\xff")); /* a broken listpack */
    expect_refused(S("\x0f\x00"));                             /* streams are not supported */
}

Test(rdb_dump, decode_ignores_bytes_after_the_value) {
    unsigned char p[64];
    size_t len = frame(S("\x00\x01vtrailing"), 10, p);
    rdb_load_opts o = opts();
    vg_error err = {{0}};
    kv *v;
    cr_assert_eq(rdb_dump_decode(p, len, &o, S("k"), &v, &err), VG_OK, "%s", err.msg);
    char tmp[32];
    size_t n;
    cr_assert_eq(kv_str(v, tmp, &n)[0], 'v');
    cr_assert_eq(n, 1);
    kv_free(v);
}

Test(rdb_dump, round_trip_keeps_type_encoding_and_bytes) {
    kv *vals[4];
    vals[0] = kv_new_string(S("s"), S("a long string that LZF will squeeze squeeze squeeze"));
    vals[1] = list_kv_new(S("l"), &llim);
    for (int i = 0; i < 3000; i++) {
        char b[16];
        ql_push(vals[1]->v.ptr, QL_TAIL, b, (size_t)snprintf(b, sizeof(b), "%d", i));
    }
    vals[2] = kv_new_ptr(S("z"), OBJ_ZSET, OBJ_ENC_LISTPACK, zset_new().p);
    for (int i = 0; i < 200; i++) {
        char b[16];
        zset_set(ZSET_OF(vals[2]), b, (size_t)snprintf(b, sizeof(b), "m%d", i), i * 0.5);
    }
    zset_convert_to_skiplist(ZSET_OF(vals[2]));
    vals[2]->encoding = OBJ_ENC_SKIPLIST;
    vals[3] = set_kv_new_intset(S("si"));
    for (int i = 0; i < 100; i++) {
        char b[16];
        set_add(vals[3], b, (size_t)snprintf(b, sizeof(b), "%d", i * 7), &slim);
    }
    for (int i = 0; i < 4; i++) {
        size_t len, len2;
        unsigned char *p = rdb_dump_payload(vals[i], true, &len);
        rdb_load_opts o = opts();
        vg_error err = {{0}};
        kv *back;
        cr_assert_eq(rdb_dump_decode(p, len, &o, S("x"), &back, &err), VG_OK, "%s", err.msg);
        cr_assert_eq(back->type, vals[i]->type);
        cr_assert_str_eq(kv_encoding_name(back), kv_encoding_name(vals[i]));
        unsigned char *p2 = rdb_dump_payload(back, true, &len2);
        cr_assert_eq(len, len2);
        cr_assert(memcmp(p, p2, len) == 0);
        vg_free(p);
        vg_free(p2);
        kv_free(back);
        kv_free(vals[i]);
    }
}
