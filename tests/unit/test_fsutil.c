/* test_fsutil.c -- whole-file reads and atomic writes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

static char dir[256];

static void setup(void) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/vigil-fs-XXXXXX", base && *base ? base : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void) {
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(fsutil, .init = setup, .fini = teardown);

static int entries(void) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

Test(fsutil, write_then_read_round_trips_binary_data) {
    char path[300];
    snprintf(path, sizeof(path), "%s/f", dir);
    const char data[] = "a\0b\r\nc";
    cr_assert_eq(fs_write_atomic(path, data, sizeof(data)), VG_OK);
    buf b;
    buf_init(&b);
    cr_assert_eq(fs_read_all(path, &b), VG_OK);
    cr_assert_eq(b.len, sizeof(data));
    cr_assert_eq(memcmp(b.data, data, sizeof(data)), 0);
    buf_free(&b);
    cr_assert_eq(entries(), 1, "no temporary file is left behind");
}

Test(fsutil, overwrite_replaces_the_whole_file) {
    char path[300];
    snprintf(path, sizeof(path), "%s/f", dir);
    cr_assert_eq(fs_write_atomic(path, "long old content", 16), VG_OK);
    cr_assert_eq(fs_write_atomic(path, "new", 3), VG_OK);
    buf b;
    buf_init(&b);
    cr_assert_eq(fs_read_all(path, &b), VG_OK);
    cr_assert_eq(b.len, 3);
    buf_free(&b);
}

Test(fsutil, failures_report_errno_and_leave_nothing) {
    char path[300];
    snprintf(path, sizeof(path), "%s/missing-dir/f", dir);
    errno = 0;
    cr_assert_eq(fs_write_atomic(path, "x", 1), VG_ERR);
    cr_assert_eq(errno, ENOENT);
    buf b;
    buf_init(&b);
    cr_assert_eq(fs_read_all(path, &b), VG_ERR);
    cr_assert_eq(errno, ENOENT);
    cr_assert_eq(entries(), 0);
}
