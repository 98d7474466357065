/* aof_reader.h -- the command format of an AOF file, read one command at a time.
 *
 * Owns: an aof_reader and its argv array. Pure: no I/O, no globals. The
 * caller hands in a window of the file's bytes (and says whether the file
 * ends there); the reader returns the next whole command with argv
 * borrowed from the window, or says it needs more bytes, or names the
 * offset of a torn tail or of a format error. It reads what Redis 7.0.15's
 * loadSingleAppendOnlyFile reads:
 *
 *   #annotation\n              skipped (Redis' "#TS:" timestamps)
 *   *<argc>\r\n                argc >= 1, else a format error
 *   $<len>\r\n<len bytes>XX    XX: the two bytes after a bulk, not checked
 *
 * A command cut short by the end of the file is TRUNCATED (Redis' "short
 * read"); anything else out of place is BAD. A length is never trusted
 * for an allocation: argv grows with the arguments actually found, and a
 * bulk is only looked at once its bytes are in the window. */
#ifndef VIGIL_NODE_AOF_READER_H
#define VIGIL_NODE_AOF_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vg_common.h"

/* Longest header or annotation line Redis reads with one fgets. */
#define AOF_READER_MAX_LINE 1024

typedef enum aof_read_status {
    AOF_READ_CMD,       /* a command: r->argc/argv, *used bytes consumed */
    AOF_READ_MORE,      /* the window ends inside a command: feed more bytes */
    AOF_READ_END,       /* the file ended cleanly (after *used bytes of annotations) */
    AOF_READ_TRUNCATED, /* the file ends inside a command starting at r->err_off */
    AOF_READ_BAD,       /* format error at r->err_off; r->why says what */
} aof_read_status;

typedef struct aof_reader {
    vg_slice *argv;   /* owned array; entries borrowed from the window */
    int argc;         /* arguments of the last command returned */
    int argv_cap;     /* entries allocated */
    uint64_t err_off; /* file offset of the torn command or the bad line */
    const char *why;  /* static text for BAD */
} aof_reader;

void aof_reader_init(aof_reader *r);
void aof_reader_free(aof_reader *r);

/* Read the next command from p[0..len), whose first byte is at file
 * offset off; eof: the file ends at p + len. *used is set for CMD and END
 * (bytes consumed, annotations included) and for MORE (annotations that
 * can be dropped before the next call). A window that is empty or ends in
 * the middle of a command with eof false returns MORE. */
aof_read_status aof_reader_next(aof_reader *r, const char *p, size_t len, uint64_t off, bool eof,
                                size_t *used);

#endif
