/* rdb_dump.c -- DUMP payloads: framing around one RDB value (see rdb_dump.h).
 *
 * Owns: nothing beyond each call. The value itself is rdb.c's and
 * rdb_load.c's (rdb_save_value, rdb_load_value); this file adds and checks
 * the version and CRC-64 footer. */
#include "rdb_dump.h"

#include "crc64.h"
#include "rdb_io.h"
#include "vg_alloc.h"

static void put_le(unsigned char *b, uint64_t v, int n) {
    for (int i = 0; i < n; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

unsigned char *rdb_dump_payload(const kv *o, bool compress, size_t *len) {
    rdb_writer w;
    rdb_writer_init_mem(&w);
    unsigned char ver[2];
    put_le(ver, RDB_VERSION, 2);
    /* A memory writer cannot fail and every kv has an RDB type. */
    int rc = rdb_save_value(&w, o, compress);
    if (rc == VG_OK) rc = rdb_write(&w, ver, 2);
    unsigned char crc[8];
    put_le(crc, w.crc, 8);
    if (rc == VG_OK) rc = rdb_write(&w, crc, 8);
    VG_ASSERT(rc == VG_OK);
    return rdb_writer_take(&w, len);
}

bool rdb_dump_verify(const unsigned char *p, size_t len, int *version) {
    if (len < RDB_DUMP_FOOTER_LEN) return false;
    const unsigned char *footer = p + len - RDB_DUMP_FOOTER_LEN;
    int ver = footer[0] | (footer[1] << 8);
    if (version) *version = ver;
    if (ver > RDB_VERSION) return false;
    uint64_t want = crc64(0, p, len - 8), got = 0;
    for (int i = 7; i >= 0; i--)
        got = (got << 8) | footer[2 + i];
    return got == want;
}

int rdb_dump_decode(const unsigned char *p, size_t len, const rdb_load_opts *opt, const char *key,
                    size_t klen, kv **out, vg_error *err) {
    *out = NULL;
    if (len < RDB_DUMP_FOOTER_LEN) {
        vg_error_set(err, "DUMP payload shorter than its footer");
        return VG_ERR;
    }
    /* The value may not reach into the footer (Redis' reader would let it). */
    rdb_reader r;
    rdb_reader_init_mem(&r, p, len - RDB_DUMP_FOOTER_LEN);
    int rc = rdb_load_value(&r, opt, key, klen, out, err);
    rdb_reader_release(&r);
    return rc;
}
