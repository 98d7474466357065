/* unit_reply_dump.h -- a one-line text form of a reply tree, for unit tests.
 *
 * Owns: one static buffer per test file that includes it. "+OK", ":1",
 * "$3:abc", "nil", "*[...]", "%{k:v,...}", "~[...]", ">[...]", ",1.5=1.5",
 * "#t", "(123", "=txt:..." -- so a test reads as the tree it expects. */
#ifndef VIGIL_TESTS_UNIT_REPLY_DUMP_H
#define VIGIL_TESTS_UNIT_REPLY_DUMP_H

#include "buf.h"
#include "resp_reply.h"

static void dump_into(buf *b, const resp_reply *r);

static void dump_children(buf *b, const resp_reply *r, const char *open, const char *close) {
    buf_append_str(b, open);
    for (size_t i = 0; i < r->elements; i++) {
        if (i) buf_append_char(b, r->type == RESP_REPLY_MAP && i % 2 ? ':' : ',');
        dump_into(b, r->elem[i]);
    }
    buf_append_str(b, close);
}

static void dump_into(buf *b, const resp_reply *r) {
    switch (r->type) {
    case RESP_REPLY_STATUS:
        buf_append_fmt(b, "+%s", r->str);
        break;
    case RESP_REPLY_ERROR:
        buf_append_fmt(b, "-%s", r->str);
        break;
    case RESP_REPLY_INTEGER:
        buf_append_fmt(b, ":%lld", r->integer);
        break;
    case RESP_REPLY_STRING:
        buf_append_fmt(b, "$%zu:", r->len);
        buf_append(b, r->str, r->len);
        break;
    case RESP_REPLY_NIL:
        buf_append_str(b, "nil");
        break;
    case RESP_REPLY_ARRAY:
        dump_children(b, r, "*[", "]");
        break;
    case RESP_REPLY_MAP:
        dump_children(b, r, "%{", "}");
        break;
    case RESP_REPLY_SET:
        dump_children(b, r, "~[", "]");
        break;
    case RESP_REPLY_PUSH:
        dump_children(b, r, ">[", "]");
        break;
    case RESP_REPLY_DOUBLE:
        buf_append_fmt(b, ",%s=%g", r->str, r->dval);
        break;
    case RESP_REPLY_BOOL:
        buf_append_str(b, r->integer ? "#t" : "#f");
        break;
    case RESP_REPLY_BIGNUM:
        buf_append_fmt(b, "(%s", r->str);
        break;
    case RESP_REPLY_VERBATIM:
        buf_append_fmt(b, "=%s:%s", r->vtype, r->str);
        break;
    default:
        buf_append_str(b, "?");
        break;
    }
}

/* The dump of r, in a static buffer (valid until the next call). */
static const char *dump(const resp_reply *r) {
    static buf b;
    buf_clear(&b);
    dump_into(&b, r);
    return b.data ? b.data : "";
}

#endif
