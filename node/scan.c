/* scan.c -- the arguments every *SCAN command shares.
 *
 * Owns: nothing (see scan.h). */
#include "scan.h"

#include "buf.h"
#include "cmd_util.h"
#include "glob.h"
#include "reply.h"

bool scan_parse_cursor(client *c, const vg_slice *a, uint64_t *cursor) {
    unsigned long long v;
    if (!arg_scan_cursor(a, &v)) {
        reply_error(c, "ERR invalid cursor");
        return false;
    }
    *cursor = v;
    return true;
}

bool scan_parse_options(client *c, int first, bool allow_type, scan_args *a) {
    a->count = 10;
    a->pattern = a->type = NULL;
    for (int i = first; i < c->argc; i += 2) {
        bool more = i + 1 < c->argc;
        if (more && arg_is(&c->argv[i], "count")) {
            if (!arg_ll(c, &c->argv[i + 1], &a->count)) return false;
            if (a->count < 1) {
                reply_syntax_error(c);
                return false;
            }
        } else if (more && arg_is(&c->argv[i], "match")) {
            const vg_slice *p = &c->argv[i + 1];
            a->pattern = p->len == 1 && p->ptr[0] == '*' ? NULL : p;
        } else if (more && allow_type && arg_is(&c->argv[i], "type")) {
            a->type = &c->argv[i + 1];
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    return true;
}

bool scan_match(const scan_args *a, const char *s, size_t len) {
    return a->pattern == NULL || glob_match(a->pattern->ptr, a->pattern->len, s, len, false);
}

void scan_reply_header(client *c, uint64_t cursor, long long n) {
    char num[24];
    int len = vg_ull2str(num, cursor);
    reply_array(c, 2);
    reply_bulk(c, num, (size_t)len);
    reply_array(c, n);
}
