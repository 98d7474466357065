/* lzf.h -- LZF compression in the format of liblzf 3.6, as Redis uses it.
 *
 * Owns: nothing beyond each call (the compressor's hash table, 256 KB,
 * lives on the stack). Redis stores a string in an RDB file LZF-compressed
 * when rdbcompression is on, the string is longer than 20 bytes and the
 * result is at least 4 bytes shorter; a loader must decompress exactly
 * the length the file announces. Our own code, written from the format:
 *
 *   000LLLLL  + L+1 bytes          literal run of 1..32 bytes
 *   LLLooooo  oooooooo             back reference, L in 1..6
 *   111ooooo  LLLLLLLL oooooooo    back reference, L = 7 + the extra byte
 *
 * A back reference copies L+2 bytes (3..264) starting o+1 (1..8192) bytes
 * before the current end of the output; the copy may overlap itself. The
 * compressor's output is not byte-identical to liblzf's, but any LZF
 * decoder reads it, and this decoder reads liblzf's. */
#ifndef VIGIL_PROTO_LZF_H
#define VIGIL_PROTO_LZF_H

#include <stddef.h>

typedef enum lzf_result {
    LZF_OK = 0,          /* decompressed everything */
    LZF_ERR_OUTPUT = -1, /* the output would overrun out_len (liblzf: E2BIG) */
    LZF_ERR_CORRUPT = -2 /* truncated input or a reference before the start (EINVAL) */
} lzf_result;

/* Compress in[0..in_len) into out[0..out_len). Returns the compressed
 * length, or 0 when it would not fit in out_len bytes (and for empty input
 * or out_len 0, as liblzf does); out's bytes are then unspecified. Never
 * writes past out_len. Both buffers are borrowed for the call and must not
 * overlap. Pure. */
size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_len);

/* Decompress in[0..in_len) into out[0..out_len). Returns the number of
 * bytes written, or 0 on error; *res (optional, may be NULL) tells which:
 * LZF_OK, LZF_ERR_OUTPUT or LZF_ERR_CORRUPT. Every length and offset is
 * checked before use, so arbitrary input never reads or writes outside the
 * two buffers. Callers that know the original length (RDB) must also check
 * the return value equals it. Pure. */
size_t lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len, lzf_result *res);

#endif
