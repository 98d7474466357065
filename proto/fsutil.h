/* fsutil.h -- whole-file reads and crash-safe whole-file writes.
 *
 * Owns: nothing beyond the descriptors it opens and closes. Writers that
 * must never leave a half-written file (config rewrite, ACL file, later the
 * sentinel state) go through fs_write_atomic: temporary file, fsync,
 * rename, then fsync of the directory. */
#ifndef VIGIL_PROTO_FSUTIL_H
#define VIGIL_PROTO_FSUTIL_H

#include <stddef.h>

#include "buf.h"
#include "vg_common.h"

/* Append the whole file at path to b. VG_OK, or VG_ERR with errno set. */
int fs_read_all(const char *path, buf *b);
/* Replace path with data[0..len) atomically. VG_OK, or VG_ERR with errno set
 * (the old file is then untouched and no temporary file is left). */
int fs_write_atomic(const char *path, const char *data, size_t len);

#endif
