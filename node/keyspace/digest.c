/* digest.c -- Redis 7.0's dataset digest (see digest.h).
 *
 * Owns: nothing. Each element is turned into the same bytes Redis hashes:
 * integers (INT strings, intset members, listpack integers) as their
 * decimal text, zset scores as "%.17g", the type as a big-endian 32-bit
 * word, the db index likewise before that db's keys. */
#include "digest.h"

#include <arpa/inet.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "list.h"
#include "set.h"
#include "zset.h"

void digest_xor(unsigned char digest[DIGEST_LEN], const void *p, size_t len) {
    unsigned char h[SHA_DIGEST_LENGTH];
    SHA1(p, len, h);
    for (int i = 0; i < DIGEST_LEN; i++)
        digest[i] ^= h[i];
}

void digest_mix(unsigned char digest[DIGEST_LEN], const void *p, size_t len) {
    unsigned char tmp[DIGEST_LEN];
    digest_xor(digest, p, len);
    memcpy(tmp, digest, DIGEST_LEN);
    SHA1(tmp, DIGEST_LEN, digest);
}

/* Hash pairs and zset elements: each one's own mixed digest, xored in. */
static void pair_xor(unsigned char *digest, const char *a, size_t al, const char *b, size_t bl) {
    unsigned char e[DIGEST_LEN] = {0};
    digest_mix(e, a, al);
    digest_mix(e, b, bl);
    digest_xor(digest, e, DIGEST_LEN);
}

static void set_member_cb(const char *m, size_t len, void *arg) {
    digest_xor(arg, m, len);
}

static void hash_pair_cb(const char *f, size_t fl, const char *v, size_t vl, void *arg) {
    pair_xor(arg, f, fl, v, vl);
}

static void list_digest(const kv *o, unsigned char *digest) {
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, (quicklist *)o->v.ptr, QL_HEAD, 0);
    while (ql_next(&it, &e))
        digest_mix(digest, e.s, e.len);
}

static void zset_digest(const kv *o, unsigned char *digest) {
    zset_iter it;
    const char *m;
    size_t len;
    double score;
    zset_iter_at(&it, ZSET_OF(o), 0, false);
    while (zset_iter_next(&it, &m, &len, &score)) {
        char sbuf[64];
        int sl = snprintf(sbuf, sizeof(sbuf), "%.17g", score);
        pair_xor(digest, m, len, sbuf, (size_t)sl);
    }
}

void digest_value(const db *d, const kv *o, unsigned char digest[DIGEST_LEN]) {
    uint32_t type = htonl((uint32_t)o->type);
    digest_mix(digest, &type, sizeof(type));
    switch (o->type) {
    case OBJ_STRING: {
        char tmp[32];
        size_t len;
        const char *s = kv_str(o, tmp, &len);
        digest_mix(digest, s, len);
        break;
    }
    case OBJ_LIST:
        list_digest(o, digest);
        break;
    case OBJ_SET:
        set_foreach(o, set_member_cb, digest);
        break;
    case OBJ_ZSET:
        zset_digest(o, digest);
        break;
    case OBJ_HASH:
        hash_foreach(o, hash_pair_cb, digest);
        break;
    }
    if (db_get_expire(d, o) != -1) digest_xor(digest, "!!expire!!", 10);
}

typedef struct dataset_ctx {
    const db *d;
    unsigned char *final;
} dataset_ctx;

static void key_cb(dict_node *n, void *arg) {
    const dataset_ctx *c = arg;
    const kv *o = (const kv *)n;
    unsigned char k[DIGEST_LEN] = {0};
    digest_mix(k, o->key, o->keylen);
    digest_value(c->d, o, k);
    digest_xor(c->final, k, DIGEST_LEN);
}

void digest_dataset(db *dbs, int ndb, unsigned char out[DIGEST_LEN]) {
    memset(out, 0, DIGEST_LEN);
    for (int i = 0; i < ndb; i++) {
        if (dict_size(&dbs[i].keys) == 0) continue;
        uint32_t id = htonl((uint32_t)i);
        digest_mix(out, &id, sizeof(id));
        dataset_ctx c = {&dbs[i], out};
        dict_foreach(&dbs[i].keys, key_cb, &c);
    }
}

void digest_hex(const unsigned char digest[DIGEST_LEN], char out[DIGEST_HEX_LEN + 1]) {
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < DIGEST_LEN; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[DIGEST_HEX_LEN] = '\0';
}
