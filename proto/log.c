/* log.c -- leveled log lines in Redis' format.
 *
 * Owns: the open log file. Lines are written whole with one fprintf and
 * flushed, so concurrent readers (tests tailing the log) see full lines. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "vg_common.h"

int log_verbosity = LOG_LVL_NOTICE;
static FILE *log_fp;
static char log_role = 'M';

int log_open(const char *path) {
    log_close();
    if (path == NULL || path[0] == '\0') return VG_OK;
    FILE *fp = fopen(path, "a");
    if (fp == NULL) return VG_ERR;
    log_fp = fp;
    return VG_OK;
}

void log_close(void) {
    if (log_fp) fclose(log_fp);
    log_fp = NULL;
}

void log_set_role(char role) {
    log_role = role;
}

void log_write(int level, const char *fmt, ...) {
    static const char marks[] = ".-*#";
    char msg[1024], stamp[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(stamp, sizeof(stamp), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(stamp + n, sizeof(stamp) - n, "%03d", (int)(tv.tv_usec / 1000));
    FILE *fp = log_fp ? log_fp : stderr;
    fprintf(fp, "%d:%c %s %c %s\n", (int)getpid(), log_role, stamp,
            marks[level < 0   ? 0
                  : level > 3 ? 3
                              : level],
            msg);
    fflush(fp);
}
