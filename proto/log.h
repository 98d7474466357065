/* log.h -- leveled log lines in Redis' format.
 *
 * Owns: the log destination (stderr or a file) and the level. A line looks
 * like "1234:M 28 Nov 2026 11:42:01.123 * Ready to accept connections". */
#ifndef VIGIL_PROTO_LOG_H
#define VIGIL_PROTO_LOG_H

enum log_level { LOG_LVL_DEBUG = 0, LOG_LVL_VERBOSE, LOG_LVL_NOTICE, LOG_LVL_WARNING };

extern int log_verbosity;

/* path NULL or "" logs to stderr. Returns VG_OK or VG_ERR (file not writable). */
int log_open(const char *path);
void log_close(void);
/* Role letter shown after the pid: 'M' primary, 'S' replica, 'X' sentinel, 'C' child. */
void log_set_role(char role);
void log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_AT(lvl, ...)                                                                           \
    do {                                                                                           \
        if ((lvl) >= log_verbosity) log_write((lvl), __VA_ARGS__);                                 \
    } while (0)
#define LOG_DEBUG(...) LOG_AT(LOG_LVL_DEBUG, __VA_ARGS__)
#define LOG_VERBOSE(...) LOG_AT(LOG_LVL_VERBOSE, __VA_ARGS__)
#define LOG_NOTICE(...) LOG_AT(LOG_LVL_NOTICE, __VA_ARGS__)
#define LOG_WARNING(...) LOG_AT(LOG_LVL_WARNING, __VA_ARGS__)

#endif
