/* fuzz_rdb_load.c -- libFuzzer target for the RDB loader (node/keyspace/rdb_load.c).
 *
 * Owns: four dbs and their env, emptied after every input, and an exactly
 * sized heap copy of the input so ASan sees any read past it. Any input
 * must load or be refused without a crash, a leak or a sanitizer report;
 * a file that loads must save and load again to the same key count. The
 * seed corpus (corpus/fuzz_rdb_load) holds small dumps written by
 * redis-server 7.0.15; corpus/fuzz_rdb_load/README says how. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "rdb.h"
#include "vg_alloc.h"

#define NDB 4

static int64_t now_ms = 1700000000000LL;
static db_stats stats;
static db dbs[NDB], again[NDB];
static int ready;

static bool no(void) {
    return false;
}
static uint64_t rnd(void) {
    return 1;
}
static int64_t mono(void) {
    return 0;
}
static void init_access(kv *o, const kv *old) {
    (void)old;
    o->lru = 0;
}
static void touch(kv *o) {
    (void)o;
}
static void key_cb(db *d, const char *k, size_t l) {
    (void)d;
    (void)k;
    (void)l;
}
static void changed(db *d) {
    (void)d;
}

static const db_env env = {
    .now_ms = &now_ms,
    .stats = &stats,
    .is_replica = no,
    .random = rnd,
    .mono_us = mono,
    .access_init = init_access,
    .access_touch = touch,
    .key_modified = key_cb,
    .key_expired = key_cb,
    .key_evicted = key_cb,
    .db_changed = changed,
    .dbs_swapped = NULL, /* db_swap falls back to db_changed on both */
};

static long long load(db *into, const unsigned char *p, size_t n, bool *ok) {
    rdb_reader r;
    rdb_reader_init_mem(&r, p, n);
    rdb_load_opts o = {.hash = {128, 64},
                       .set = {512},
                       .list = {-2, 0},
                       .zset_max_entries = 128,
                       .zset_max_value = 64,
                       .now_ms = now_ms,
                       .drop_expired = true,
                       .verify_checksum = false};
    rdb_load_info info;
    vg_error err = {{0}};
    *ok = rdb_load(&r, into, NDB, &o, &info, &err) == VG_OK;
    rdb_reader_release(&r);
    long long keys = 0;
    for (int i = 0; i < NDB; i++)
        keys += (long long)dict_size(&into[i].keys);
    return keys;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!ready) {
        for (int i = 0; i < NDB; i++) {
            db_init(&dbs[i], i, &env);
            db_init(&again[i], i, &env);
        }
        ready = 1;
    }
    unsigned char *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    bool ok;
    long long keys = load(dbs, copy, size, &ok);
    if (ok) {
        rdb_writer w;
        rdb_writer_init_mem(&w);
        rdb_save_opts so = {.compression = true, .checksum = true, .now_ms = now_ms};
        vg_error err = {{0}};
        if (rdb_save(&w, dbs, NDB, &so, &err) != VG_OK) abort();
        size_t len;
        unsigned char *out = rdb_writer_take(&w, &len);
        bool ok2;
        if (load(again, out, len, &ok2) != keys || !ok2) abort();
        vg_free(out);
    }
    for (int i = 0; i < NDB; i++) {
        db_empty(&dbs[i], false);
        db_empty(&again[i], false);
    }
    free(copy);
    return 0;
}
