/* fuzz_aof_manifest.c -- libFuzzer target for the AOF manifest (node/aof_manifest.c).
 *
 * Owns: the exactly sized copy of the input and the manifests it parses.
 * The input is a manifest file. A refusal must come with a sentence and a
 * line inside the text. An accepted manifest must satisfy the invariants,
 * format to text that parses back to the same manifest (unless quoting
 * pushed a line past Redis' 1024 bytes, which must then be the error), and
 * survive the edits of a rewrite in each mode with its invariants intact. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aof_manifest.h"

#define FUZZ_MAX_INPUT 16384

static void check(int cond) {
    if (!cond) abort();
}

static bool lines_fit(const buf *b) {
    size_t start = 0;
    for (size_t i = 0; i < b->len; i++) {
        if (b->data[i] != '\n') continue;
        if (i + 1 - start > AOF_MANIFEST_MAX_LINE) return false;
        start = i + 1;
    }
    return true;
}

static void format_into(const aof_manifest *am, buf *b) {
    buf_init(b);
    aof_manifest_format(am, b);
}

/* Formatting then parsing gives the same text and sequences back. */
static void check_round_trip(const aof_manifest *am) {
    buf text;
    format_into(am, &text);
    aof_manifest *back = NULL;
    vg_error err;
    int rc = aof_manifest_parse(text.data ? text.data : "", text.len, &back, NULL, &err);
    if (text.len == 0) {
        check(rc == VG_ERR && am->base == NULL && am->history.len == 0 && am->incr.len == 0);
    } else if (!lines_fit(&text)) {
        check(rc == VG_ERR && strcmp(err.msg, "The AOF manifest file contains too long line") == 0);
    } else {
        check(rc == VG_OK);
        buf again;
        format_into(back, &again);
        check(again.len == text.len && memcmp(again.data, text.data, text.len) == 0);
        check((back->base == NULL) == (am->base == NULL));
        check(back->incr.len == am->incr.len && back->history.len == am->history.len);
        buf_free(&again);
    }
    aof_manifest_free(back);
    buf_free(&text);
}

static void check_edits(const aof_manifest *am, aof_rewrite_mode mode) {
    aof_manifest *copy = aof_manifest_dup(am);
    const char *base, *incr;
    vg_error err;
    if (mode == AOF_REWRITE_AOF_ON && aof_manifest_new_incr(copy, "appendonly.aof") == NULL) {
        check(copy->incr_seq == LLONG_MAX); /* a doctored manifest can get here */
        aof_manifest_free(copy);
        return;
    }
    size_t files = copy->history.len + copy->incr.len + (copy->base ? 1 : 0);
    if (aof_manifest_rewrite_done(copy, "appendonly.aof", mode != AOF_REWRITE_AOF_OFF, mode, &base,
                                  &incr, &err) != VG_OK) {
        check(copy->base_seq == LLONG_MAX || copy->incr_seq == LLONG_MAX);
        check(base == NULL && incr == NULL);
        aof_manifest_free(copy);
        return;
    }
    check(aof_manifest_check(copy) && copy->dirty);
    check(copy->base != NULL && strcmp(copy->base->name, base) == 0);
    check(copy->history.len + copy->incr.len == files + (incr != NULL));
    check(mode == AOF_REWRITE_AOF_OFF ? copy->incr.len == 0 : copy->incr.len == 1);
    const char *last = aof_manifest_last_incr(copy, "appendonly.aof");
    if (last != NULL) check(strcmp(last, copy->incr.items[copy->incr.len - 1].name) == 0);
    aof_manifest_history_clear(copy);
    check(copy->history.len == 0 && aof_manifest_check(copy));
    check_round_trip(copy);
    aof_manifest_free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT) return 0;
    char *text = malloc(size ? size : 1);
    if (size) memcpy(text, data, size);
    aof_manifest *am = NULL;
    aof_manifest_where where;
    vg_error err = {{0}};
    int rc = aof_manifest_parse(text, size, &am, &where, &err);
    if (rc != VG_OK) {
        check(am == NULL && err.msg[0] != '\0');
        check(where.off <= size && where.len <= size - where.off);
        check(size == 0 ? where.line == 0 : where.line >= 1);
        free(text);
        return 0;
    }
    check(am != NULL && aof_manifest_check(am) && !am->dirty);
    check_round_trip(am);
    check_edits(am, AOF_REWRITE_AOF_OFF);
    check_edits(am, AOF_REWRITE_AOF_ON);
    check_edits(am, AOF_REWRITE_AOF_WAIT);
    aof_manifest_free(am);
    free(text);
    return 0;
}
