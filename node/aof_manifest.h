/* aof_manifest.h -- Redis 7.0's multi-part AOF manifest, as a pure model.
 *
 * Owns: an aof_manifest and the file entries inside it. Nothing here opens,
 * renames or deletes a file: callers hand in the manifest's text and get
 * text back, and ask for the names of the files to create. The format and
 * every edit follow Redis 7.0.15 (src/aof.c), so either server can take
 * over the other's appendonlydir:
 *
 *   file appendonly.aof.2.base.rdb seq 2 type b     at most one base, first
 *   file appendonly.aof.1.incr.aof seq 1 type h     history: awaiting deletion
 *   file appendonly.aof.2.incr.aof seq 2 type i     incr: in sequence order
 *
 * A name that needs it is written double-quoted with C-like escapes, and
 * read back with Redis' argument splitting (double or single quotes).
 *
 * Invariants (aof_manifest_check):
 *   1. base, when present, has type 'b'; history entries 'h'; incr 'i'.
 *   2. incr sequence numbers strictly increase.
 *   3. every name is a non-empty file name: no '/' and no '\\'. */
#ifndef VIGIL_NODE_AOF_MANIFEST_H
#define VIGIL_NODE_AOF_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "vg_common.h"

/* Longest manifest line Redis reads, newline included is one more. */
#define AOF_MANIFEST_MAX_LINE 1024

typedef enum aof_file_type {
    AOF_FILE_BASE = 'b',    /* snapshot from the last rewrite (RDB or AOF) */
    AOF_FILE_HISTORY = 'h', /* superseded by a rewrite, to be deleted */
    AOF_FILE_INCR = 'i',    /* commands since the base, in seq order */
} aof_file_type;

typedef struct aof_file_info {
    char *name;         /* owned: a file name inside the AOF directory */
    long long seq;      /* >= 1 */
    aof_file_type type; /* which list holds it */
} aof_file_info;

typedef struct aof_file_list {
    aof_file_info *items; /* owned, in manifest order */
    size_t len;           /* entries in use */
    size_t cap;           /* entries allocated */
} aof_file_list;

typedef struct aof_manifest {
    aof_file_info *base;   /* owned; NULL when there is no base file */
    aof_file_list history; /* type 'h'; each rewrite puts its files ahead */
    aof_file_list incr;    /* type 'i', seq strictly increasing */
    long long base_seq;    /* seq of the current base (Redis' curr_base_file_seq) */
    long long incr_seq;    /* seq of the newest incr ever opened (curr_incr_file_seq) */
    bool dirty;            /* changed since parsed or last marked clean */
} aof_manifest;

/* How a finished rewrite treats the incr files (see aof_manifest_rewrite_done). */
typedef enum aof_rewrite_mode {
    AOF_REWRITE_AOF_OFF,  /* appendonly no: every incr file becomes history */
    AOF_REWRITE_AOF_ON,   /* appendonly yes: the last incr, being written, stays */
    AOF_REWRITE_AOF_WAIT, /* turning appendonly on: the temp incr gets a new name and stays */
} aof_rewrite_mode;

/* Where parsing stopped, for a log line like Redis' "at line N". */
typedef struct aof_manifest_where {
    int line;   /* 1-based, counted as Redis counts (1024-byte reads); 0: whole file */
    size_t off; /* offset of that line in the text */
    size_t len; /* its length without the newline */
} aof_manifest_where;

/* Returns new: an empty manifest (no files, sequences 0, clean). */
aof_manifest *aof_manifest_new(void);
/* Frees am and its entries; NULL is a no-op. */
void aof_manifest_free(aof_manifest *am);
/* Returns new: a deep copy, to edit and swap in only if persisting works. */
aof_manifest *aof_manifest_dup(const aof_manifest *am);

/* Parse a manifest file's contents (text borrowed for the call; it may hold
 * any bytes). VG_OK: *out is a new manifest (free with aof_manifest_free),
 * clean. VG_ERR: *out is NULL, err->msg holds Redis' sentence for the fault
 * ("Invalid AOF manifest file format", "Found duplicate base file
 * information", "Found a non-monotonic sequence number", "Unknown AOF file
 * type", "File can't be a path, just a filename", "The AOF manifest file
 * contains too long line", "Found an empty AOF manifest") and *where
 * (optional) the line. */
int aof_manifest_parse(const char *text, size_t len, aof_manifest **out, aof_manifest_where *where,
                       vg_error *err);

/* Append the manifest's text to out exactly as Redis 7.0.15 writes it:
 * base, then history, then incr, one "file N seq S type T\n" line each.
 * One exception: a name with a single quote is double-quoted, because
 * Redis' bare form of it does not load. */
void aof_manifest_format(const aof_manifest *am, buf *out);

/* Start a new base file: the current base (if any) becomes the first history
 * entry, the new one is "<aof_filename>.<seq>.base.rdb" (".aof" without the
 * RDB preamble) with seq base_seq + 1. Returns its name, borrowed from am
 * until am changes, and marks am dirty; NULL (am unchanged) when base_seq is
 * already LLONG_MAX, which only a doctored manifest can bring about. */
const char *aof_manifest_new_base(aof_manifest *am, const char *aof_filename, bool rdb_preamble);
/* Append a new incr file "<aof_filename>.<seq>.incr.aof", seq incr_seq + 1.
 * Returns its name, borrowed from am until am changes, and marks am dirty;
 * NULL (am unchanged) when incr_seq is already LLONG_MAX. */
const char *aof_manifest_new_incr(aof_manifest *am, const char *aof_filename);
/* The incr file to append to: the last one, or a new one when there is
 * none (then am is dirty, or NULL as for aof_manifest_new_incr). Borrowed
 * from am until am changes. */
const char *aof_manifest_last_incr(aof_manifest *am, const char *aof_filename);
/* Move incr files to the front of history, newest first, keeping the last
 * one when keep_last (it is the file being written). Marks am dirty. */
void aof_manifest_incr_to_history(aof_manifest *am, bool keep_last);
/* Forget the history entries once their files are deleted. Marks am dirty
 * when there were any. */
void aof_manifest_history_clear(aof_manifest *am);

/* The manifest edits of a successful rewrite, in Redis' order: a new base
 * (*base_name), then for AOF_REWRITE_AOF_WAIT a new incr the temp incr file
 * is renamed to (*incr_name, else NULL), then the rewritten incr files move
 * to history. Names are borrowed from am until it changes. VG_ERR (am
 * unchanged, names NULL): a sequence number would pass LLONG_MAX. */
int aof_manifest_rewrite_done(aof_manifest *am, const char *aof_filename, bool rdb_preamble,
                              aof_rewrite_mode mode, const char **base_name, const char **incr_name,
                              vg_error *err);

/* Names beside the numbered files, appended to out: "<f>.manifest",
 * "temp-<f>.manifest" (written, then renamed over it), "temp-<f>.incr" (the
 * incr file while waiting for the first rewrite). */
void aof_manifest_file_name(buf *out, const char *aof_filename);
void aof_manifest_temp_file_name(buf *out, const char *aof_filename);
void aof_manifest_temp_incr_name(buf *out, const char *aof_filename);

/* Base plus incr files: those loading reads. */
size_t aof_manifest_file_count(const aof_manifest *am);
/* Invariants 1-3 above. */
bool aof_manifest_check(const aof_manifest *am);

#endif
