/* fuzz_aof_load.c -- libFuzzer target for the AOF command-file parser (node/aof_reader.c).
 *
 * Owns: the exactly sized copy of the input. The input is an AOF file in
 * command format. It is read twice: whole, and through a window that
 * grows by a size taken from the input's first byte, as the loader's
 * does. Both must find the same commands and end the same way at the same
 * offset; every argument must lie inside the input; an offset reported
 * for a torn tail or a bad line must lie inside it too; and the commands
 * of a torn file must be exactly those of the file cut at that offset. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aof_reader.h"

#define FUZZ_MAX_INPUT 65536

static void check(int cond) {
    if (!cond) abort();
}

typedef struct run {
    int ncmds;
    uint64_t sum; /* of argument lengths and offsets: cheap comparison */
    aof_read_status end;
    uint64_t off;
} run;

static void note(run *out, const aof_reader *r, const char *img, size_t len) {
    check(r->argc >= 1);
    for (int i = 0; i < r->argc; i++) {
        const char *p = r->argv[i].ptr;
        check(p >= img && p + r->argv[i].len <= img + len);
        out->sum += r->argv[i].len * 31 + (uint64_t)(p - img);
    }
    out->ncmds++;
}

static run read_all(const char *img, size_t len, size_t grow) {
    run out = {0, 0, AOF_READ_END, 0};
    aof_reader r;
    aof_reader_init(&r);
    size_t start = 0, have = grow ? (grow < len ? grow : len) : len;
    for (;;) {
        size_t used;
        bool eof = have == len;
        aof_read_status st = aof_reader_next(&r, img + start, have - start, start, eof, &used);
        check(used <= have - start);
        if (st == AOF_READ_MORE) {
            check(!eof);
            start += used;
            have = have + grow < len ? have + grow : len;
            continue;
        }
        if (st == AOF_READ_CMD) {
            check(used > 0);
            note(&out, &r, img, len);
            start += used;
            continue;
        }
        out.end = st;
        out.off = r.err_off;
        check(out.off <= len);
        if (st == AOF_READ_BAD) check(r.why != NULL);
        break;
    }
    aof_reader_free(&r);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > FUZZ_MAX_INPUT) return 0;
    size_t grow = (size_t)(data[0] % 64) + 1;
    size_t len = size - 1;
    char *img = malloc(len ? len : 1);
    if (img == NULL) return 0;
    memcpy(img, data + 1, len);
    run whole = read_all(img, len, 0);
    run parts = read_all(img, len, grow);
    check(whole.ncmds == parts.ncmds && whole.sum == parts.sum);
    check(whole.end == parts.end);
    if (whole.end != AOF_READ_END) check(whole.off == parts.off);
    if (whole.end == AOF_READ_TRUNCATED) {
        /* Cut at the torn command: what remains reads cleanly to the end. */
        run cut = read_all(img, (size_t)whole.off, 0);
        check(cut.end == AOF_READ_END && cut.ncmds == whole.ncmds && cut.sum == whole.sum);
    }
    free(img);
    return 0;
}
