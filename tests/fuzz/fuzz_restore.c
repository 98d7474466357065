/* fuzz_restore.c -- libFuzzer target for RESTORE payloads (node/keyspace/rdb_dump.c
 * and the value loader under it, rdb_load_value).
 *
 * Owns: an exactly sized heap copy of each payload, so ASan sees any read
 * past it. The first input byte picks the mode: bit 0 clear, the rest is
 * the payload as a client would send it (the footer check usually stops
 * it); bit 0 set, the rest is a type byte and value that get a valid
 * version and CRC-64 footer, so the fuzzer reaches the decoder. Bit 1
 * turns LZF on when a decoded value is dumped again. Any payload must be
 * refused or decode without a crash, a leak or a sanitizer report; a value
 * that decodes must dump and decode again to the same type, encoding and
 * uncompressed size. The seed corpus (corpus/fuzz_restore) holds DUMP
 * payloads from redis-server 7.0.15; corpus/fuzz_restore/README says how. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc64.h"
#include "kv.h"
#include "rdb_dump.h"
#include "vg_alloc.h"

static rdb_load_opts opts(void) {
    rdb_load_opts o = {.hash = {128, 64},
                       .set = {512},
                       .list = {-2, 0},
                       .zset_max_entries = 128,
                       .zset_max_value = 64};
    return o;
}

static kv *decode(const unsigned char *p, size_t n) {
    rdb_load_opts o = opts();
    vg_error err = {{0}};
    kv *v = NULL;
    if (rdb_dump_decode(p, n, &o, "key", 3, &v, &err) != VG_OK) {
        if (v != NULL || err.msg[0] == '\0') abort();
        return NULL;
    }
    return v;
}

static size_t plain_size(const kv *v) {
    size_t n;
    unsigned char *p = rdb_dump_payload(v, false, &n);
    vg_free(p);
    return n;
}

/* A decoded value must survive a second trip unchanged in kind and size. */
static void check_round_trip(kv *v, bool compress) {
    size_t n;
    unsigned char *p = rdb_dump_payload(v, compress, &n);
    if (!rdb_dump_verify(p, n, NULL)) abort();
    kv *back = decode(p, n);
    if (back == NULL || back->type != v->type || back->encoding != v->encoding) abort();
    if (plain_size(back) != plain_size(v)) abort();
    kv_free(back);
    vg_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    unsigned mode = data[0];
    size_t n = size - 1;
    size_t total = (mode & 1) ? n + RDB_DUMP_FOOTER_LEN : n;
    unsigned char *p = malloc(total ? total : 1);
    if (n) memcpy(p, data + 1, n);
    if (mode & 1) {
        p[n] = RDB_VERSION & 0xff;
        p[n + 1] = RDB_VERSION >> 8;
        uint64_t crc = crc64(0, p, n + 2);
        for (int i = 0; i < 8; i++)
            p[n + 2 + i] = (unsigned char)(crc >> (8 * i));
        if (!rdb_dump_verify(p, total, NULL)) abort();
    }
    if (rdb_dump_verify(p, total, NULL)) {
        kv *v = decode(p, total);
        if (v) {
            check_round_trip(v, (mode & 2) != 0);
            kv_free(v);
        }
    }
    free(p);
    return 0;
}
