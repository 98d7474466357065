/* cmd_util.c -- argument parsing helpers shared by command handlers.
 *
 * Owns: nothing. */
#include "cmd_util.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "reply.h"

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
