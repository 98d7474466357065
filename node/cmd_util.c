/* cmd_util.c -- argument parsing helpers shared by command handlers.
 *
 * Owns: nothing. */
#include "cmd_util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "db.h"
#include "notify.h"
#include "reply.h"
#include "vg_alloc.h"

bool arg_ll(client *c, const vg_slice *a, long long *out) {
    if (!vg_str2ll(a->ptr, a->len, out)) {
        reply_not_integer(c);
        return false;
    }
    return true;
}

bool arg_ll_range(client *c, const vg_slice *a, long long min, long long max, const char *msg,
                  long long *out) {
    long long v;
    if (!vg_str2ll(a->ptr, a->len, &v) || v < min || v > max) {
        reply_error(c, msg ? msg : "ERR value is out of range");
        return false;
    }
    *out = v;
    return true;
}

/* strtod over p[0..len) as a C string: OUT: *consumed is how many bytes it
 * read, *range_err whether errno said ERANGE. Short arguments stay on the
 * stack; long ones (Redis puts no bound on them) take a heap copy. */
static double strtod_slice(const char *p, size_t len, size_t *consumed, bool *range_err) {
    char stack[128];
    char *tmp = len < sizeof(stack) ? stack : vg_malloc(len + 1);
    memcpy(tmp, p, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    *range_err = errno == ERANGE;
    *consumed = (size_t)(end - tmp);
    if (tmp != stack) vg_free(tmp);
    return v;
}

bool arg_double(const vg_slice *a, double *out) {
    if (a->len == 0 || isspace((unsigned char)a->ptr[0])) return false;
    size_t used;
    bool range_err;
    double v = strtod_slice(a->ptr, a->len, &used, &range_err);
    if (used != a->len || isnan(v)) return false;
    if (range_err && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return false;
    *out = v;
    return true;
}

bool arg_score_bound(const vg_slice *a, double *v, bool *exclusive) {
    const char *p = a->ptr;
    size_t len = a->len;
    *exclusive = len > 0 && p[0] == '(';
    if (*exclusive) {
        p++;
        len--;
    }
    /* Redis hands strtod a C string, so the argument ends at its first NUL. */
    const char *nul = len ? memchr(p, '\0', len) : NULL;
    if (nul) len = (size_t)(nul - p);
    size_t used;
    bool range_err;
    double d = strtod_slice(p, len, &used, &range_err);
    if (used != len || isnan(d)) return false;
    *v = d;
    return true;
}

bool arg_scan_cursor(const vg_slice *a, unsigned long long *out) {
    const char *nul = a->len ? memchr(a->ptr, '\0', a->len) : NULL;
    size_t len = nul ? (size_t)(nul - a->ptr) : a->len;
    if (len > 0 && isspace((unsigned char)a->ptr[0])) return false;
    char stack[64];
    char *tmp = len < sizeof(stack) ? stack : vg_malloc(len + 1);
    memcpy(tmp, a->ptr, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    unsigned long long v = strtoull(tmp, &end, 10);
    bool ok = *end == '\0' && errno != ERANGE;
    if (tmp != stack) vg_free(tmp);
    if (ok) *out = v;
    return ok;
}

bool arg_is(const vg_slice *a, const char *word) {
    return strlen(word) == a->len && strncasecmp(a->ptr, word, a->len) == 0;
}

bool cmd_client_name_valid(client *c, const vg_slice *name) {
    for (size_t i = 0; i < name->len; i++) {
        unsigned char ch = (unsigned char)name->ptr[i];
        if (ch < '!' || ch > '~') {
            reply_error(c,
                        "ERR Client names cannot contain spaces, newlines or special characters.");
            return false;
        }
    }
    return true;
}

void key_changed(client *c, const vg_slice *key, int type, const char *event) {
    db_signal_modified(c->db, key->ptr, key->len);
    notify_keyspace_event(type, event, key->ptr, key->len, c->db->id);
}
