/* test_resp_reply.c -- unit tests for the RESP reply parser (proto/resp_reply.c).
 *
 * Owns: nothing shared. Every RESP2 and RESP3 type, whole and split at every
 * byte boundary; RESP3 nesting and attributes; pipelined replies; the
 * limits (with a check that a lying length allocates nothing); every
 * malformed input with its error text; sticky errors; the keepalive
 * newlines a primary sends and the raw hand-off a replica uses. Replies are
 * compared through a one-line dump, so a test reads as the tree it expects. */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "resp_reply.h"
#include "vg_alloc.h"

#include "unit_reply_dump.h"

static resp_reader_limits lim(void) {
    return resp_reader_default_limits();
}

/* Parse s whole, then split at every byte: the same single reply each time. */
static void check_reply(const char *s, size_t n, const char *want) {
    resp_reader_limits l = lim();
    for (size_t cut = 0; cut <= n; cut++) {
        resp_reader r;
        resp_reader_init(&r, &l);
        resp_reply *v = NULL;
        resp_reader_feed(&r, s, cut);
        if (cut < n) {
            cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_AGAIN, "cut %zu of %s", cut, want);
            resp_reader_feed(&r, s + cut, n - cut);
        }
        cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE, "cut %zu: %s", cut,
                     resp_reader_error(&r));
        cr_assert_str_eq(dump(v), want, "cut %zu", cut);
        resp_reply_free(v);
        cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_AGAIN);
        cr_assert_eq(resp_reader_pending(&r, &(const char *){NULL}), 0);
        resp_reader_free(&r);
    }
}

#define CHECK(lit, want) check_reply(lit, sizeof(lit) - 1, want)

/* Feed s whole to a reader with l; expect a failure with text err. */
static void check_fail_with(const char *s, size_t n, resp_reader_limits l, const char *err) {
    resp_reader r;
    resp_reader_init(&r, &l);
    resp_reader_feed(&r, s, n);
    resp_reply *v = NULL;
    int rc = resp_reader_next(&r, &v);
    cr_assert_eq(rc, RESP_REPLY_FAIL, "input %s gave %d", s, rc);
    cr_assert_str_eq(resp_reader_error(&r), err);
    /* Sticky: good bytes afterwards change nothing. */
    resp_reader_feed(&r, "+OK\r\n", 5);
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_FAIL);
    cr_assert_str_eq(resp_reader_error(&r), err);
    resp_reader_free(&r);
}

#define FAIL(lit, err) check_fail_with(lit, sizeof(lit) - 1, lim(), err)

Test(resp_reply, simple_types_split_at_every_byte) {
    CHECK("+OK\r\n", "+OK");
    CHECK("+\r\n", "+");
    CHECK("-ERR unknown command 'x'\r\n", "-ERR unknown command 'x'");
    CHECK(":0\r\n", ":0");
    CHECK(":-9223372036854775808\r\n", ":-9223372036854775808");
    CHECK(":9223372036854775807\r\n", ":9223372036854775807");
}

Test(resp_reply, bulks_split_at_every_byte) {
    CHECK("$5\r\nhello\r\n", "$5:hello");
    CHECK("$0\r\n\r\n", "$0:");
    CHECK("$-1\r\n", "nil");
    CHECK("$4\r\na\r\nb\r\n", "$4:a\r\nb");
}

Test(resp_reply, bulk_is_binary_safe) {
    const char in[] = "$3\r\na\0b\r\n";
    resp_reader r;
    resp_reader_limits l = lim();
    resp_reader_init(&r, &l);
    resp_reader_feed(&r, in, sizeof(in) - 1);
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert_eq(v->len, 3);
    cr_assert_eq(memcmp(v->str, "a\0b", 3), 0);
    cr_assert_eq(v->str[3], '\0');
    resp_reply_free(v);
    resp_reader_free(&r);
}

Test(resp_reply, arrays_split_at_every_byte) {
    CHECK("*0\r\n", "*[]");
    CHECK("*-1\r\n", "nil");
    CHECK("*3\r\n:1\r\n$1\r\na\r\n+b\r\n", "*[:1,$1:a,+b]");
    CHECK("*2\r\n*1\r\n:1\r\n*0\r\n", "*[*[:1],*[]]");
    CHECK("*2\r\n$-1\r\n*-1\r\n", "*[nil,nil]");
}

Test(resp_reply, resp3_scalars_split_at_every_byte) {
    CHECK("_\r\n", "nil");
    CHECK("#t\r\n", "#t");
    CHECK("#f\r\n", "#f");
    CHECK(",1.5\r\n", ",1.5=1.5");
    CHECK(",-0.25\r\n", ",-0.25=-0.25");
    CHECK(",10\r\n", ",10=10");
    CHECK(",1e300\r\n", ",1e300=1e+300");
    CHECK("(3492890328409238509324850943850943825024385\r\n",
          "(3492890328409238509324850943850943825024385");
    CHECK("(-12\r\n", "(-12");
    CHECK("=15\r\ntxt:Some string\r\n", "=txt:Some string");
    CHECK("=4\r\nmkd:\r\n", "=mkd:");
}

Test(resp_reply, double_inf_and_nan) {
    CHECK(",inf\r\n", ",inf=inf");
    CHECK(",-inf\r\n", ",-inf=-inf");
    resp_reader r;
    resp_reader_limits l = lim();
    resp_reader_init(&r, &l);
    resp_reader_feed(&r, ",nan\r\n,inf\r\n,-inf\r\n", 19);
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert(isnan(v->dval));
    resp_reply_free(v);
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert(isinf(v->dval) && v->dval > 0);
    resp_reply_free(v);
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert(isinf(v->dval) && v->dval < 0);
    resp_reply_free(v);
    resp_reader_free(&r);
}

Test(resp_reply, resp3_aggregates_split_at_every_byte) {
    CHECK("%0\r\n", "%{}");
    CHECK("%2\r\n+a\r\n:1\r\n$1\r\nb\r\n#t\r\n", "%{+a::1,$1:b:#t}");
    CHECK("~3\r\n:1\r\n:2\r\n:3\r\n", "~[:1,:2,:3]");
    CHECK(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", ">[$7:message,$2:ch,$2:hi]");
    CHECK(">0\r\n", ">[]");
}

Test(resp_reply, resp3_nesting) {
    CHECK("%1\r\n$4\r\nkeys\r\n*2\r\n~1\r\n,2.5\r\n%1\r\n:1\r\n_\r\n",
          "%{$4:keys:*[~[,2.5=2.5],%{:1:nil}]}");
    CHECK("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:7\r\n", "*[*[*[*[*[:7]]]]]");
    CHECK(">2\r\n*1\r\n%1\r\n+k\r\n=5\r\ntxt:v\r\n(1\r\n", ">[*[%{+k:=txt:v}],(1]");
}

Test(resp_reply, attributes_are_skipped) {
    CHECK(
        "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.19\r\n$1\r\nb\r\n,0.01\r\n*2\r\n:2\r\n:9\r\n",
        "*[:2,:9]");
    CHECK("*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n", "*[:1,:2]");
    CHECK("|0\r\n+OK\r\n", "+OK");
    CHECK("|1\r\n+a\r\n|1\r\n+b\r\n+c\r\n+d\r\n:5\r\n", ":5");
}

Test(resp_reply, pipelined_replies_in_one_feed) {
    const char in[] = "+OK\r\n:1\r\n$1\r\nx\r\n*1\r\n_\r\n-ERR e\r\n";
    const char *want[] = {"+OK", ":1", "$1:x", "*[nil]", "-ERR e"};
    resp_reader r;
    resp_reader_limits l = lim();
    resp_reader_init(&r, &l);
    resp_reader_feed(&r, in, sizeof(in) - 1);
    for (size_t i = 0; i < VG_ARRAY_LEN(want); i++) {
        resp_reply *v = NULL;
        cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
        cr_assert_str_eq(dump(v), want[i]);
        resp_reply_free(v);
    }
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_AGAIN);
    resp_reader_free(&r);
}

Test(resp_reply, byte_by_byte_stream_of_many_replies) {
    const char in[] = "%1\r\n+a\r\n*2\r\n:1\r\n:2\r\n$3\r\nabc\r\n|1\r\n+x\r\n+y\r\n#f\r\n";
    const char *want[] = {"%{+a:*[:1,:2]}", "$3:abc", "#f"};
    resp_reader r;
    resp_reader_limits l = lim();
    resp_reader_init(&r, &l);
    size_t got = 0;
    for (size_t i = 0; i < sizeof(in) - 1; i++) {
        resp_reader_feed(&r, in + i, 1);
        resp_reply *v = NULL;
        while (resp_reader_next(&r, &v) == RESP_REPLY_DONE) {
            cr_assert_lt(got, VG_ARRAY_LEN(want));
            cr_assert_str_eq(dump(v), want[got++]);
            resp_reply_free(v);
        }
    }
    cr_assert_eq(got, 3);
    resp_reader_free(&r);
}

/* ------------------------------------------------------------ limits */

Test(resp_reply, bulk_above_limit_refused) {
    resp_reader_limits l = lim();
    l.max_bulk = 10;
    check_fail_with("$11\r\n", 5, l, "Protocol error: bulk length 11 above the limit of 10");
    check_fail_with("=11\r\n", 5, l, "Protocol error: bulk length 11 above the limit of 10");
    check_fail_with("+0123456789A", 12, l, "Protocol error: line longer than 10 bytes");
    /* At the limit is fine. */
    resp_reader r;
    resp_reader_init(&r, &l);
    resp_reader_feed(&r, "$10\r\n0123456789\r\n", 17);
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    resp_reply_free(v);
    resp_reader_free(&r);
}

Test(resp_reply, depth_above_limit_refused) {
    resp_reader_limits l = lim();
    l.max_depth = 3;
    check_fail_with("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", 20, l,
                    "Protocol error: nesting deeper than 3");
    check_fail_with("%1\r\n+a\r\n~1\r\n|1\r\n*1\r\n", 20, l,
                    "Protocol error: nesting deeper than 3");
    resp_reader r;
    resp_reader_init(&r, &l);
    resp_reader_feed(&r, "*1\r\n*1\r\n*1\r\n:1\r\n", 16);
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert_str_eq(dump(v), "*[*[*[:1]]]");
    resp_reply_free(v);
    resp_reader_free(&r);
}

Test(resp_reply, elements_above_limit_refused) {
    resp_reader_limits l = lim();
    l.max_elements = 4;
    check_fail_with("*5\r\n", 4, l, "Protocol error: 5 elements above the limit of 4");
    check_fail_with("%5\r\n", 4, l, "Protocol error: 5 elements above the limit of 4");
    check_fail_with("~5\r\n", 4, l, "Protocol error: 5 elements above the limit of 4");
    check_fail_with(">5\r\n", 4, l, "Protocol error: 5 elements above the limit of 4");
    check_fail_with("|5\r\n", 4, l, "Protocol error: 5 elements above the limit of 4");
}

Test(resp_reply, lying_lengths_allocate_nothing) {
    resp_reader_limits l = lim();
    l.max_bulk = LLONG_MAX / 4;
    l.max_elements = LLONG_MAX / 4;
    resp_reader r;
    resp_reader_init(&r, &l);
    size_t before = vg_used_memory();
    resp_reader_feed(&r, "*1000000000000\r\n:1\r\n$1000000000000\r\nabc", 40);
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_AGAIN);
    cr_assert_lt(vg_used_memory() - before, 64 * 1024);
    resp_reader_free(&r);
}

/* ------------------------------------------------------------ malformed */

Test(resp_reply, malformed_inputs_and_their_errors) {
    FAIL("!oops\r\n", "Protocol error: unexpected reply type byte '!'");
    FAIL("\x01\r\n", "Protocol error: unexpected reply type byte \\x01");
    FAIL("\r\n", "Protocol error: unexpected reply type byte \\x0d");
    FAIL(":12a\r\n", "Protocol error: bad integer value");
    FAIL(":\r\n", "Protocol error: bad integer value");
    FAIL(":99999999999999999999\r\n", "Protocol error: bad integer value");
    FAIL("$abc\r\n", "Protocol error: bad bulk length");
    FAIL("$-2\r\n", "Protocol error: bad bulk length");
    FAIL("=-1\r\n", "Protocol error: bad bulk length");
    FAIL("*x\r\n", "Protocol error: bad aggregate length");
    FAIL("*-2\r\n", "Protocol error: bad aggregate length");
    FAIL("%-1\r\n", "Protocol error: bad aggregate length");
    FAIL("$3\r\nabcd\r\n", "Protocol error: missing CRLF after bulk");
    FAIL("+OK\rX", "Protocol error: expected '\\n' after '\\r'");
    FAIL("#x\r\n", "Protocol error: bad boolean value");
    FAIL("#tt\r\n", "Protocol error: bad boolean value");
    FAIL("_x\r\n", "Protocol error: bad null");
    FAIL(",abc\r\n", "Protocol error: bad double value");
    FAIL(", 1\r\n", "Protocol error: bad double value");
    FAIL(",\r\n", "Protocol error: bad double value");
    FAIL(",1.5x\r\n", "Protocol error: bad double value");
    FAIL("(12a\r\n", "Protocol error: bad big number");
    FAIL("(-\r\n", "Protocol error: bad big number");
    FAIL("=3\r\ntxt\r\n", "Protocol error: bad verbatim string");
    FAIL("=5\r\ntxt-a\r\n", "Protocol error: bad verbatim string");
    FAIL("*?\r\n", "Protocol error: streamed aggregates are not supported");
    FAIL("$?\r\n", "Protocol error: streamed strings are not supported");
    FAIL(":111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
         "111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
         "111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
         "11111",
         "Protocol error: line longer than 256 bytes");
}

Test(resp_reply, error_inside_aggregate_frees_the_partial_tree) {
    FAIL("*3\r\n:1\r\n*2\r\n$1\r\na\r\n!\r\n", "Protocol error: unexpected reply type byte '!'");
}

/* Drain every whole reply, appending each dump and a '|' to out. */
static void drain_into(resp_reader *r, buf *out) {
    resp_reply *v = NULL;
    int rc;
    while ((rc = resp_reader_next(r, &v)) == RESP_REPLY_DONE) {
        buf_append_str(out, dump(v));
        buf_append_char(out, '|');
        resp_reply_free(v);
    }
    cr_assert_eq(rc, RESP_REPLY_AGAIN, "%s", resp_reader_error(r));
}

/* A stream of replies split in two at every byte gives the same sequence. */
static void check_stream(const char *in, size_t n, resp_reader_limits l, const char *want) {
    for (size_t cut = 0; cut <= n; cut++) {
        resp_reader r;
        resp_reader_init(&r, &l);
        buf got;
        buf_init(&got);
        resp_reader_feed(&r, in, cut);
        drain_into(&r, &got);
        resp_reader_feed(&r, in + cut, n - cut);
        drain_into(&r, &got);
        cr_assert_str_eq(got.data ? got.data : "", want, "cut %zu", cut);
        buf_free(&got);
        resp_reader_free(&r);
    }
}

Test(resp_reply, newlines_between_replies_need_the_option) {
    FAIL("\n+FULLRESYNC\r\n", "Protocol error: unexpected reply type byte \\x0a");
    resp_reader_limits l = lim();
    l.skip_newlines = true;
    const char in[] = "\n\n\r\n+FULLRESYNC abc 7\r\n\n:1\r\n\r\n";
    check_stream(in, sizeof(in) - 1, l, "+FULLRESYNC abc 7|:1|");
}

Test(resp_reply, pipelined_stream_split_at_every_byte) {
    const char in[] = "*2\r\n$1\r\na\r\n%1\r\n+k\r\n|1\r\n+m\r\n+n\r\n:3\r\n"
                      ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$0\r\n\r\n,-inf\r\n";
    check_stream(in, sizeof(in) - 1, lim(), "*[$1:a,%{+k::3}]|>[$7:message,$1:c,$0:]|,-inf=-inf|");
}

/* ------------------------------------------------------------ raw hand-off */

Test(resp_reply, raw_hand_off_after_a_reply) {
    const char in[] = "+FULLRESYNC 8de1 0\r\n$5\r\nREDIS+OK\r\n";
    resp_reader r;
    resp_reader_limits l = lim();
    resp_reader_init(&r, &l);
    resp_reader_feed(&r, in, sizeof(in) - 1);
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert(resp_reply_str_is(v, "FULLRESYNC 8de1 0"));
    resp_reply_free(v);
    cr_assert_not(resp_reader_in_reply(&r));
    const char *p = NULL;
    size_t n = resp_reader_pending(&r, &p);
    cr_assert_eq(n, 14);
    cr_assert_eq(memcmp(p, "$5\r\nREDIS+OK\r\n", 14), 0);
    resp_reader_discard(&r, 9); /* the owner read "$5\r\nREDIS" itself */
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert_str_eq(dump(v), "+OK");
    resp_reply_free(v);
    cr_assert_eq(resp_reader_pending(&r, &p), 0);
    resp_reader_discard(&r, 100); /* more than there is: clamps */
    resp_reader_free(&r);
}

Test(resp_reply, in_reply_while_aggregate_open) {
    resp_reader r;
    resp_reader_limits l = lim();
    resp_reader_init(&r, &l);
    resp_reader_feed(&r, "*2\r\n:1\r\n", 8);
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_AGAIN);
    cr_assert(resp_reader_in_reply(&r));
    resp_reader_free(&r); /* frees the open frame: ASan checks */
}

/* ------------------------------------------------------------ helpers */

Test(resp_reply, map_get_and_str_is) {
    resp_reader r;
    resp_reader_limits l = lim();
    resp_reader_init(&r, &l);
    const char in[] = "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n+proto\r\n:3\r\n";
    resp_reader_feed(&r, in, sizeof(in) - 1);
    resp_reply *v = NULL;
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert(resp_reply_str_is(resp_reply_map_get(v, "server"), "redis"));
    cr_assert_eq(resp_reply_map_get(v, "proto")->integer, 3);
    cr_assert_null(resp_reply_map_get(v, "mode"));
    cr_assert_null(resp_reply_map_get(v->elem[1], "x")); /* not a map */
    cr_assert_not(resp_reply_str_is(v->elem[3], "3"));   /* an integer is not a string */
    cr_assert_not(resp_reply_str_is(NULL, "x"));
    resp_reply_free(v);
    resp_reply_free(NULL);
    resp_reader_free(&r);
}

Test(resp_reply, depth_clamped_to_ceiling) {
    resp_reader_limits l = lim();
    l.max_depth = 1000;
    resp_reader r;
    resp_reader_init(&r, &l);
    cr_assert_eq(r.lim.max_depth, RESP_READER_MAX_DEPTH);
    resp_reader_free(&r);
}

/* ------------------------------------------------------------ payload header */

static int payload(const char *s, resp_payload_header *h, size_t *used, vg_error *err) {
    return resp_payload_header_parse(s, strlen(s), 1000, h, used, err);
}

Test(resp_reply, payload_header_forms) {
    resp_payload_header h;
    size_t used = 99;
    vg_error err;
    cr_assert_eq(payload("$10\r\nREDIS", &h, &used, &err), RESP_REPLY_DONE);
    cr_assert(!h.eof_mark && h.len == 10 && used == 5);
    cr_assert_eq(payload("\n\r\n\n$5\r\nabc", &h, &used, &err), RESP_REPLY_DONE);
    cr_assert(h.len == 5 && used == 8);
    cr_assert_eq(payload("$0\n", &h, &used, &err), RESP_REPLY_DONE);
    cr_assert(h.len == 0 && used == 3);
    const char eof[] = "$EOF:0123456789abcdef0123456789abcdef01234567\r\nREDIS";
    cr_assert_eq(payload(eof, &h, &used, &err), RESP_REPLY_DONE);
    cr_assert(h.eof_mark && used == 47);
    cr_assert_eq(memcmp(h.mark, "0123456789abcdef0123456789abcdef01234567", 40), 0);
}

Test(resp_reply, payload_header_incomplete) {
    resp_payload_header h;
    size_t used = 99;
    vg_error err;
    cr_assert_eq(payload("", &h, &used, &err), RESP_REPLY_AGAIN);
    cr_assert_eq(used, 0);
    cr_assert_eq(payload("$12", &h, &used, &err), RESP_REPLY_AGAIN);
    cr_assert_eq(used, 0);
    cr_assert_eq(payload("\n\r\n$1", &h, &used, &err), RESP_REPLY_AGAIN);
    cr_assert_eq(used, 3); /* the keepalives may go */
    cr_assert_eq(payload("\n\r", &h, &used, &err), RESP_REPLY_AGAIN);
    cr_assert_eq(used, 1);
}

Test(resp_reply, payload_header_errors) {
    resp_payload_header h;
    size_t used;
    vg_error err;
    cr_assert_eq(
        payload("-NOMASTERLINK Can't SYNC while not connected with my master\r\n", &h, &used, &err),
        RESP_REPLY_FAIL);
    cr_assert_str_eq(err.msg, "primary aborted replication: NOMASTERLINK Can't SYNC while not "
                              "connected with my master");
    cr_assert_eq(payload("+OK\r\n", &h, &used, &err), RESP_REPLY_FAIL);
    cr_assert_str_eq(err.msg, "Protocol error: expected '$' before the payload, got '+OK'");
    cr_assert_eq(payload("$-1\r\n", &h, &used, &err), RESP_REPLY_FAIL);
    cr_assert_str_eq(err.msg, "Protocol error: bad payload length");
    cr_assert_eq(payload("$EOF:short\r\n", &h, &used, &err), RESP_REPLY_FAIL);
    cr_assert_str_eq(err.msg, "Protocol error: bad payload length");
    cr_assert_eq(payload("$1001\r\n", &h, &used, &err), RESP_REPLY_FAIL);
    cr_assert_str_eq(err.msg, "Protocol error: payload length 1001 above the limit of 1000");
    char longline[300];
    memset(longline, '9', sizeof(longline) - 1);
    longline[0] = '$';
    longline[sizeof(longline) - 1] = '\0';
    cr_assert_eq(payload(longline, &h, &used, &err), RESP_REPLY_FAIL);
    cr_assert_str_eq(err.msg, "Protocol error: payload header longer than 128 bytes");
}

Test(resp_reply, long_line_fed_byte_by_byte) {
    size_t n = 200000;
    char *in = vg_malloc(n + 3);
    in[0] = '+';
    memset(in + 1, 'a', n);
    memcpy(in + 1 + n, "\r\n", 2);
    resp_reader r;
    resp_reader_limits l = lim();
    resp_reader_init(&r, &l);
    resp_reply *v = NULL;
    for (size_t i = 0; i < n + 2; i++) {
        resp_reader_feed(&r, in + i, 1);
        cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_AGAIN);
    }
    resp_reader_feed(&r, in + n + 2, 1);
    cr_assert_eq(resp_reader_next(&r, &v), RESP_REPLY_DONE);
    cr_assert_eq(v->len, n);
    cr_assert_eq(v->str[n - 1], 'a');
    resp_reply_free(v);
    resp_reader_free(&r);
    vg_free(in);
}
