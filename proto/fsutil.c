/* fsutil.c -- whole-file reads and crash-safe whole-file writes.
 *
 * Owns: nothing. fs_write_atomic writes "<path>.tmp-<pid>" in the same
 * directory (so rename stays on one filesystem), fsyncs it, renames it over
 * path and fsyncs the directory so the rename itself is durable. */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vg_common.h"

int fs_read_all(const char *path, buf *b) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return VG_ERR;
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return VG_ERR;
        }
        if (n == 0) break;
        buf_append(b, chunk, (size_t)n);
    }
    close(fd);
    return VG_OK;
}

static int write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return VG_ERR;
        data += n;
        len -= (size_t)n;
    }
    return VG_OK;
}

static void fsync_dir_of(const char *path) {
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int fs_write_atomic(const char *path, const char *data, size_t len) {
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)getpid()) >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return VG_ERR;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return VG_ERR;
    if (write_all(fd, data, len) != VG_OK || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return VG_ERR;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return VG_ERR;
    }
    fsync_dir_of(path);
    return VG_OK;
}
