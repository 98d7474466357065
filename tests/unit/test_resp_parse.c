/* test_resp_parse.c -- unit tests for the RESP request parser (proto/resp_parse.c).
 *
 * Owns: nothing shared. Covers multibulk and inline requests, pipelining,
 * input split at every byte, binary-safe bulks, every protocol error with
 * Redis' wording, the unauthenticated limits, sticky errors and the inline
 * quoting rules. Inputs are copied into exactly-sized heap blocks so the
 * sanitizer build catches any read past the bytes handed to the parser. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp_parse.h"
#include "vg_alloc.h"

#define MAX_BULK (512LL * 1024 * 1024)

static resp_req_parser P;

static void setup(void) {
    resp_req_init(&P, MAX_BULK);
}

static void teardown(void) {
    resp_req_free(&P);
}

TestSuite(resp_parse, .init = setup, .fini = teardown);

/* A heap copy of the first n bytes of s, sized exactly (no NUL after). */
static char *copy_of(const char *s, size_t n) {
    char *d = malloc(n ? n : 1);
    cr_assert_not_null(d);
    memcpy(d, s, n);
    return d;
}

/* Parse one command from a private copy of s[0..n). */
static int parse_n(resp_req_parser *p, const char *s, size_t n, size_t *consumed, char **keep) {
    char *d = copy_of(s, n);
    int rc = resp_req_parse(p, d, n, consumed);
    if (keep)
        *keep = d;
    else
        free(d);
    return rc;
}

/* Check the parser's argv (offsets into data) against a NULL-terminated list. */
static void check_args(const resp_req_parser *p, const char *data, const char *const *want) {
    int n = 0;
    while (want[n])
        n++;
    cr_assert_eq(p->argc, n, "argc %d, expected %d", p->argc, n);
    for (int i = 0; i < n; i++) {
        size_t wl = strlen(want[i]);
        cr_assert_eq(p->args[i].len, wl, "arg %d: length %zu, expected %zu", i, p->args[i].len, wl);
        cr_assert(memcmp(data + p->args[i].off, want[i], wl) == 0, "arg %d: '%.*s', expected '%s'",
                  i, (int)p->args[i].len, data + p->args[i].off, want[i]);
    }
}

/* Expect exactly one whole command in s (no trailing bytes) with these args. */
static void expect_one(const char *s, const char *const *want) {
    size_t n = strlen(s), consumed = 0;
    char *d;
    int rc = parse_n(&P, s, n, &consumed, &d);
    cr_assert_eq(rc, RESP_DONE, "'%s': rc %d (%s)", s, rc, P.err);
    cr_assert_eq(consumed, n, "consumed %zu of %zu", consumed, n);
    check_args(&P, d, want);
    free(d);
}

static void expect_fail(resp_req_parser *p, const char *s, size_t n, const char *err) {
    size_t consumed = 0;
    int rc = parse_n(p, s, n, &consumed, NULL);
    cr_assert_eq(rc, RESP_FAIL, "rc %d, expected RESP_FAIL", rc);
    cr_assert(p->failed);
    cr_assert_str_eq(p->err, err);
}

/* A string of n copies of ch followed by tail. */
static char *repeat(char ch, size_t n, const char *tail) {
    size_t tl = strlen(tail);
    char *s = malloc(n + tl + 1);
    memset(s, ch, n);
    memcpy(s + n, tail, tl + 1);
    return s;
}

/* ---- multibulk ---- */

Test(resp_parse, multibulk_simple_command) {
    expect_one("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$5\r\nhello\r\n",
               (const char *[]){"SET", "a", "hello", NULL});
}

Test(resp_parse, multibulk_empty_bulk_argument) {
    expect_one("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", (const char *[]){"ECHO", "", NULL});
}

Test(resp_parse, multibulk_zero_count_is_an_empty_command) {
    expect_one("*0\r\n", (const char *[]){NULL});
}

Test(resp_parse, multibulk_negative_count_is_an_empty_command) {
    expect_one("*-1\r\n", (const char *[]){NULL});
}

Test(resp_parse, multibulk_binary_safe_bulks) {
    static const char wire[] = "*2\r\n$4\r\nECHO\r\n$6\r\na\0\r\n\rb\r\n";
    size_t n = sizeof(wire) - 1, consumed;
    char *d;
    cr_assert_eq(parse_n(&P, wire, n, &consumed, &d), RESP_DONE);
    cr_assert_eq(consumed, n);
    cr_assert_eq(P.argc, 2);
    cr_assert_eq(P.args[1].len, 6);
    cr_assert(memcmp(d + P.args[1].off, "a\0\r\n\rb", 6) == 0);
    free(d);
}

Test(resp_parse, multibulk_all_byte_values_in_a_bulk) {
    char payload[256];
    for (int i = 0; i < 256; i++)
        payload[i] = (char)i;
    char wire[300];
    size_t n = (size_t)snprintf(wire, sizeof(wire), "*1\r\n$256\r\n");
    memcpy(wire + n, payload, 256);
    memcpy(wire + n + 256, "\r\n", 2);
    n += 258;
    size_t consumed;
    char *d;
    cr_assert_eq(parse_n(&P, wire, n, &consumed, &d), RESP_DONE);
    cr_assert_eq(consumed, n);
    cr_assert_eq(P.args[0].len, 256);
    cr_assert(memcmp(d + P.args[0].off, payload, 256) == 0);
    free(d);
}

Test(resp_parse, bulk_split_across_two_feeds) {
    const char *wire = "*2\r\n$3\r\nGET\r\n$10\r\n0123456789\r\n";
    size_t n = strlen(wire), consumed = 0;
    cr_assert_eq(parse_n(&P, wire, 20, &consumed, NULL), RESP_AGAIN);
    cr_assert_eq(resp_req_wanted(&P, 20), n - 20, "wanted %zu", resp_req_wanted(&P, 20));
    char *d;
    cr_assert_eq(parse_n(&P, wire, n, &consumed, &d), RESP_DONE);
    cr_assert_eq(consumed, n);
    check_args(&P, d, (const char *[]){"GET", "0123456789", NULL});
    free(d);
}

Test(resp_parse, wanted_is_zero_without_a_pending_bulk) {
    cr_assert_eq(resp_req_wanted(&P, 0), 0);
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*2\r\n$3", 6, &consumed, NULL), RESP_AGAIN);
    cr_assert_eq(resp_req_wanted(&P, 6), 0);
    resp_req_reset(&P);
    cr_assert_eq(parse_n(&P, "PING", 4, &consumed, NULL), RESP_AGAIN);
    cr_assert_eq(resp_req_wanted(&P, 4), 0);
}

Test(resp_parse, count_at_the_multibulk_limit_is_accepted) {
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*2147483647\r\n", 13, &consumed, NULL), RESP_AGAIN);
    cr_assert_eq(P.remaining, 2147483647LL);
}

Test(resp_parse, bulk_of_exactly_max_bulk_is_accepted) {
    resp_req_free(&P);
    resp_req_init(&P, 10);
    expect_one("*1\r\n$10\r\n0123456789\r\n", (const char *[]){"0123456789", NULL});
}

/* ---- inline ---- */

Test(resp_parse, inline_simple_command) {
    expect_one("SET a hello\r\n", (const char *[]){"SET", "a", "hello", NULL});
}

Test(resp_parse, inline_newline_without_cr) {
    expect_one("PING\n", (const char *[]){"PING", NULL});
}

Test(resp_parse, inline_extra_blanks_are_skipped) {
    expect_one("  SET \t a   b  \r\n", (const char *[]){"SET", "a", "b", NULL});
}

Test(resp_parse, inline_empty_line_is_an_empty_command) {
    expect_one("\r\n", (const char *[]){NULL});
    resp_req_reset(&P);
    expect_one("\n", (const char *[]){NULL});
    resp_req_reset(&P);
    expect_one("   \r\n", (const char *[]){NULL});
}

Test(resp_parse, inline_waits_for_newline) {
    size_t consumed;
    cr_assert_eq(parse_n(&P, "PING\r", 5, &consumed, NULL), RESP_AGAIN);
    cr_assert_eq(parse_n(&P, "PING", 4, &consumed, NULL), RESP_AGAIN);
}

Test(resp_parse, inline_double_quotes_keep_spaces) {
    expect_one("SET \"a b\" c\r\n", (const char *[]){"SET", "a b", "c", NULL});
}

Test(resp_parse, inline_hex_escape_in_double_quotes) {
    expect_one("ECHO \"\\x41\\x62z\"\r\n", (const char *[]){"ECHO", "Abz", NULL});
}

Test(resp_parse, inline_hex_escape_makes_binary_bytes) {
    size_t consumed;
    char *d;
    const char *s = "ECHO \"\\x00\\xff\"\r\n";
    cr_assert_eq(parse_n(&P, s, strlen(s), &consumed, &d), RESP_DONE);
    cr_assert_eq(P.argc, 2);
    cr_assert_eq(P.args[1].len, 2);
    cr_assert_eq((unsigned char)d[P.args[1].off], 0x00);
    cr_assert_eq((unsigned char)d[P.args[1].off + 1], 0xff);
    free(d);
}

Test(resp_parse, inline_incomplete_hex_escape_is_literal) {
    expect_one("ECHO \"\\x4\" \"\\xzz\"\r\n", (const char *[]){"ECHO", "x4", "xzz", NULL});
}

Test(resp_parse, inline_backslash_escapes_in_double_quotes) {
    expect_one("ECHO \"a\\nb\\tc\\\\d\\\"e\\qf\"\r\n",
               (const char *[]){"ECHO", "a\nb\tc\\d\"eqf", NULL});
}

Test(resp_parse, inline_single_quotes_are_literal) {
    expect_one("ECHO 'a\\nb \"c\"'\r\n", (const char *[]){"ECHO", "a\\nb \"c\"", NULL});
}

Test(resp_parse, inline_escaped_single_quote_in_single_quotes) {
    expect_one("ECHO 'it\\'s'\r\n", (const char *[]){"ECHO", "it's", NULL});
}

Test(resp_parse, inline_empty_quoted_strings_are_arguments) {
    expect_one("SET \"\" ''\r\n", (const char *[]){"SET", "", "", NULL});
}

Test(resp_parse, inline_quote_inside_a_token_starts_quoting) {
    expect_one("ECHO ab\"c d\"\r\n", (const char *[]){"ECHO", "abc d", NULL});
}

/* Redis (sdssplitargs) skips isspace() between tokens and accepts it after a
 * closing quote, but only ' ', \t, \r, \n end an unquoted token. */
Test(resp_parse, inline_vertical_tab_after_closing_quote_separates_tokens) {
    expect_one("ECHO \"a\"\vb\r\n", (const char *[]){"ECHO", "a", "b", NULL});
}

Test(resp_parse, inline_leading_vertical_tab_and_form_feed_are_skipped) {
    expect_one("\v\fECHO x\r\n", (const char *[]){"ECHO", "x", NULL});
}

Test(resp_parse, inline_vertical_tab_inside_a_token_is_kept) {
    expect_one("ECHO a\vb\r\n", (const char *[]){"ECHO", "a\vb", NULL});
}

Test(resp_parse, inline_backslash_before_closing_single_quote_escapes_it) {
    /* In '\\' the first backslash is literal, the second escapes the quote. */
    expect_fail(&P, "ECHO '\\\\'\r\n", 11, "Protocol error: unbalanced quotes in request");
}

Test(resp_parse, inline_hex_escape_does_not_read_past_the_line) {
    /* The escape would need two more bytes than the line has. */
    expect_fail(&P, "ECHO \"\\x4\r\n", 11, "Protocol error: unbalanced quotes in request");
}

/* ---- pipelining and splitting ---- */

typedef struct cmd_list {
    int count;
    char text[64][128]; /* args joined with '|' */
} cmd_list;

static void record(cmd_list *out, const resp_req_parser *p, const char *data) {
    cr_assert_lt(out->count, 64);
    char *t = out->text[out->count++];
    size_t w = 0;
    for (int i = 0; i < p->argc; i++) {
        w += (size_t)snprintf(t + w, 128 - w, "%s%.*s", i ? "|" : "", (int)p->args[i].len,
                              data + p->args[i].off);
    }
    t[w] = '\0';
}

/* Feed wire to a fresh parser as a client does: bytes arrive chunk at a
 * time, the unconsumed region is handed over after each arrival. */
static void feed_in_chunks(const char *wire, size_t n, size_t chunk, cmd_list *out) {
    resp_req_parser p;
    resp_req_init(&p, MAX_BULK);
    memset(out, 0, sizeof(*out));
    size_t have = 0, start = 0;
    while (have < n) {
        have = have + chunk > n ? n : have + chunk;
        for (;;) {
            size_t len = have - start, consumed = 0;
            char *d = copy_of(wire + start, len);
            int rc = len ? resp_req_parse(&p, d, len, &consumed) : RESP_AGAIN;
            cr_assert_neq(rc, RESP_FAIL, "chunk %zu: %s", chunk, p.err);
            if (rc == RESP_AGAIN) {
                free(d);
                break;
            }
            cr_assert_gt(consumed, 0);
            cr_assert_leq(consumed, len);
            record(out, &p, d);
            free(d);
            start += consumed;
            resp_req_reset(&p);
        }
    }
    cr_assert_eq(start, n, "chunk %zu: %zu bytes left over", chunk, n - start);
    resp_req_free(&p);
}

static const char PIPELINE[] = "*1\r\n$4\r\nPING\r\n"
                               "SET k \"v w\"\r\n"
                               "*0\r\n"
                               "*3\r\n$3\r\nSET\r\n$2\r\nk\n\r\n$0\r\n\r\n"
                               "\r\n"
                               "*2\r\n$4\r\nECHO\r\n$11\r\n*1\r\n$1\r\nx\r\n\r\n"
                               "GET 'a b'\n";

static const char *PIPELINE_CMDS[] = {
    "PING", "SET|k|v w", "", "SET|k\n|", "", "ECHO|*1\r\n$1\r\nx\r\n", "GET|a b"};

Test(resp_parse, pipelined_commands_in_one_buffer) {
    cmd_list got;
    feed_in_chunks(PIPELINE, sizeof(PIPELINE) - 1, sizeof(PIPELINE), &got);
    cr_assert_eq(got.count, 7);
    for (int i = 0; i < 7; i++)
        cr_assert_str_eq(got.text[i], PIPELINE_CMDS[i], "command %d", i);
}

Test(resp_parse, pipelined_commands_fed_in_every_chunk_size) {
    size_t n = sizeof(PIPELINE) - 1;
    for (size_t chunk = 1; chunk <= n; chunk++) {
        cmd_list got;
        feed_in_chunks(PIPELINE, n, chunk, &got);
        cr_assert_eq(got.count, 7, "chunk %zu: %d commands", chunk, got.count);
        for (int i = 0; i < 7; i++)
            cr_assert_str_eq(got.text[i], PIPELINE_CMDS[i], "chunk %zu, command %d", chunk, i);
    }
}

/* Every proper prefix of wire answers RESP_AGAIN on the same parser; the whole
 * of it then yields the expected arguments. */
static void check_every_split(const char *wire, size_t n, const char *const *want) {
    resp_req_parser p;
    resp_req_init(&p, MAX_BULK);
    for (size_t k = 0; k < n; k++) {
        size_t consumed = 0;
        int rc = parse_n(&p, wire, k, &consumed, NULL);
        cr_assert_eq(rc, RESP_AGAIN, "prefix %zu of %zu: rc %d (%s)", k, n, rc, p.err);
    }
    size_t consumed = 0;
    char *d;
    cr_assert_eq(parse_n(&p, wire, n, &consumed, &d), RESP_DONE);
    cr_assert_eq(consumed, n);
    check_args(&p, d, want);
    free(d);
    /* The same bytes through a fresh parser give the same result. */
    resp_req_free(&p);
    resp_req_init(&p, MAX_BULK);
    cr_assert_eq(parse_n(&p, wire, n, &consumed, &d), RESP_DONE);
    check_args(&p, d, want);
    free(d);
    resp_req_free(&p);
}

Test(resp_parse, multibulk_split_at_every_byte) {
    static const char wire[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$12\r\nhello\r\nworld\r\n";
    check_every_split(wire, sizeof(wire) - 1,
                      (const char *[]){"SET", "key", "hello\r\nworld", NULL});
}

Test(resp_parse, multibulk_with_empty_bulk_split_at_every_byte) {
    static const char wire[] = "*2\r\n$0\r\n\r\n$0\r\n\r\n";
    check_every_split(wire, sizeof(wire) - 1, (const char *[]){"", "", NULL});
}

Test(resp_parse, inline_split_at_every_byte) {
    static const char wire[] = "SET \"a b\" '\\'c' \"\\x41\"\r\n";
    check_every_split(wire, sizeof(wire) - 1, (const char *[]){"SET", "a b", "'c", "A", NULL});
}

Test(resp_parse, zero_count_split_at_every_byte) {
    check_every_split("*0\r\n", 4, (const char *[]){NULL});
}

/* ---- errors ---- */

Test(resp_parse, error_invalid_multibulk_length_not_a_number) {
    expect_fail(&P, "*abc\r\n", 6, "Protocol error: invalid multibulk length");
}

Test(resp_parse, error_invalid_multibulk_length_empty) {
    expect_fail(&P, "*\r\n", 3, "Protocol error: invalid multibulk length");
}

Test(resp_parse, error_invalid_multibulk_length_above_int_max) {
    expect_fail(&P, "*2147483648\r\n", 13, "Protocol error: invalid multibulk length");
}

Test(resp_parse, error_invalid_multibulk_length_plus_sign_and_leading_zero) {
    expect_fail(&P, "*+1\r\n", 5, "Protocol error: invalid multibulk length");
    resp_req_free(&P);
    resp_req_init(&P, MAX_BULK);
    expect_fail(&P, "*01\r\n", 5, "Protocol error: invalid multibulk length");
}

Test(resp_parse, error_expected_dollar) {
    expect_fail(&P, "*1\r\n:3\r\nfoo\r\n", 13, "Protocol error: expected '$', got ':'");
}

Test(resp_parse, error_expected_dollar_for_a_later_argument) {
    expect_fail(&P, "*2\r\n$1\r\na\r\nfoo\r\n", 16, "Protocol error: expected '$', got 'f'");
}

Test(resp_parse, error_invalid_bulk_length_negative) {
    expect_fail(&P, "*1\r\n$-1\r\n", 9, "Protocol error: invalid bulk length");
}

Test(resp_parse, error_invalid_bulk_length_not_a_number) {
    expect_fail(&P, "*1\r\n$x\r\n", 8, "Protocol error: invalid bulk length");
}

Test(resp_parse, error_invalid_bulk_length_empty) {
    expect_fail(&P, "*1\r\n$\r\n", 7, "Protocol error: invalid bulk length");
}

Test(resp_parse, error_invalid_bulk_length_above_max_bulk) {
    resp_req_free(&P);
    resp_req_init(&P, 10);
    expect_fail(&P, "*1\r\n$11\r\n", 9, "Protocol error: invalid bulk length");
}

Test(resp_parse, error_bulk_length_checked_before_payload_arrives) {
    /* 512 MB + 1 is refused at the header: nothing waits for the payload. */
    expect_fail(&P, "*1\r\n$536870913\r\n", 16, "Protocol error: invalid bulk length");
}

Test(resp_parse, error_too_big_mbulk_count_string) {
    char *s = repeat('1', RESP_INLINE_MAX + 1, "");
    s[0] = '*';
    expect_fail(&P, s, strlen(s), "Protocol error: too big mbulk count string");
    free(s);
}

Test(resp_parse, long_mbulk_count_string_within_limit_waits) {
    char *s = repeat('1', RESP_INLINE_MAX, "");
    s[0] = '*';
    size_t consumed;
    cr_assert_eq(parse_n(&P, s, strlen(s), &consumed, NULL), RESP_AGAIN);
    free(s);
}

Test(resp_parse, error_too_big_bulk_count_string) {
    char *s = repeat('1', RESP_INLINE_MAX + 5, "");
    memcpy(s, "*1\r\n$", 5);
    expect_fail(&P, s, strlen(s), "Protocol error: too big bulk count string");
    free(s);
}

Test(resp_parse, error_too_big_inline_request) {
    char *s = repeat('a', RESP_INLINE_MAX + 1, "");
    expect_fail(&P, s, strlen(s), "Protocol error: too big inline request");
    free(s);
}

Test(resp_parse, inline_request_at_the_limit_waits) {
    char *s = repeat('a', RESP_INLINE_MAX, "");
    size_t consumed;
    cr_assert_eq(parse_n(&P, s, strlen(s), &consumed, NULL), RESP_AGAIN);
    free(s);
}

Test(resp_parse, error_unbalanced_double_quote) {
    expect_fail(&P, "SET \"a b\r\n", 10, "Protocol error: unbalanced quotes in request");
}

Test(resp_parse, error_unbalanced_single_quote) {
    expect_fail(&P, "SET 'a b\r\n", 10, "Protocol error: unbalanced quotes in request");
}

Test(resp_parse, error_closing_quote_followed_by_a_letter) {
    expect_fail(&P, "SET \"a\"b\r\n", 10, "Protocol error: unbalanced quotes in request");
    resp_req_free(&P);
    resp_req_init(&P, MAX_BULK);
    expect_fail(&P, "SET 'a'b\r\n", 10, "Protocol error: unbalanced quotes in request");
}

Test(resp_parse, error_trailing_backslash_in_quotes) {
    expect_fail(&P, "SET \"a\\\"\r\n", 10, "Protocol error: unbalanced quotes in request");
}

Test(resp_parse, strict_allows_ten_arguments) {
    P.strict = true;
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*10\r\n", 5, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
}

Test(resp_parse, error_strict_unauthenticated_multibulk_length) {
    P.strict = true;
    expect_fail(&P, "*11\r\n", 5, "Protocol error: unauthenticated multibulk length");
}

Test(resp_parse, strict_allows_bulk_of_16384) {
    P.strict = true;
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*1\r\n$16384\r\n", 12, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
}

Test(resp_parse, error_strict_unauthenticated_bulk_length) {
    P.strict = true;
    expect_fail(&P, "*1\r\n$16385\r\n", 12, "Protocol error: unauthenticated bulk length");
}

Test(resp_parse, strict_off_allows_big_counts) {
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*1000\r\n$100000\r\n", 16, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
}

Test(resp_parse, error_is_sticky) {
    expect_fail(&P, "*x\r\n", 4, "Protocol error: invalid multibulk length");
    size_t consumed = 12345;
    cr_assert_eq(parse_n(&P, "PING\r\n", 6, &consumed, NULL), RESP_FAIL);
    cr_assert_eq(consumed, 12345, "a failed parse must not report consumed bytes");
    resp_req_reset(&P);
    cr_assert_eq(parse_n(&P, "*1\r\n$4\r\nPING\r\n", 14, &consumed, NULL), RESP_FAIL);
    cr_assert_eq(parse_n(&P, "", 0, &consumed, NULL), RESP_FAIL);
    cr_assert_str_eq(P.err, "Protocol error: invalid multibulk length");
}

Test(resp_parse, error_after_a_good_command_in_the_same_buffer) {
    const char *wire = "*1\r\n$4\r\nPING\r\n*1\r\n#\r\n";
    size_t n = strlen(wire), consumed;
    cr_assert_eq(parse_n(&P, wire, n, &consumed, NULL), RESP_DONE);
    cr_assert_eq(consumed, 14);
    resp_req_reset(&P);
    expect_fail(&P, wire + consumed, n - consumed, "Protocol error: expected '$', got '#'");
}

Test(resp_parse, reset_forgets_a_partial_command) {
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*2\r\n$3\r\nGET\r\n", 13, &consumed, NULL), RESP_AGAIN);
    resp_req_reset(&P);
    expect_one("PING\r\n", (const char *[]){"PING", NULL});
}

/* ---- resp_split_args ---- */

Test(resp_parse, split_args_counts_tokens) {
    char line[] = "a  \"b c\" 'd'";
    resp_span *spans = NULL;
    int cap = 0;
    int n = resp_split_args(line, strlen(line), &spans, &cap);
    cr_assert_eq(n, 3);
    cr_assert_eq(spans[1].len, 3);
    cr_assert(memcmp(line + spans[1].off, "b c", 3) == 0);
    cr_assert_eq(spans[2].len, 1);
    cr_assert_eq(line[spans[2].off], 'd');
    vg_free(spans);
}

Test(resp_parse, split_args_grows_past_initial_capacity) {
    char line[256];
    size_t w = 0;
    for (int i = 0; i < 40; i++)
        w += (size_t)snprintf(line + w, sizeof(line) - w, "t%d ", i);
    resp_span *spans = NULL;
    int cap = 0;
    int n = resp_split_args(line, w, &spans, &cap);
    cr_assert_eq(n, 40);
    cr_assert_geq(cap, 40);
    cr_assert_eq(spans[39].len, 3);
    cr_assert(memcmp(line + spans[39].off, "t39", 3) == 0);
    vg_free(spans);
}

Test(resp_parse, split_args_unbalanced_returns_minus_one) {
    char line[] = "a \"b";
    resp_span *spans = NULL;
    int cap = 0;
    cr_assert_eq(resp_split_args(line, strlen(line), &spans, &cap), -1);
    vg_free(spans);
}

/* ---- a NUL before the line end: Redis' strchr() does not see the end ---- */

Test(resp_parse, nul_in_multibulk_count_line_waits) {
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*1\0\r\n$4\r\nPING\r\n", 15, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
}

Test(resp_parse, nul_in_bulk_count_line_waits) {
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*1\r\n$4\0\r\nPING\r\n", 15, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
}

Test(resp_parse, nul_in_inline_line_waits) {
    size_t consumed;
    cr_assert_eq(parse_n(&P, "PI\0NG\r\nPING\r\n", 13, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
}

Test(resp_parse, nul_hidden_line_end_fails_past_the_limit) {
    char *s = repeat('a', RESP_INLINE_MAX + 1, "");
    memcpy(s, "PI\0NG\r\n", 7);
    expect_fail(&P, s, RESP_INLINE_MAX + 1, "Protocol error: too big inline request");
    free(s);
}

Test(resp_parse, nul_inside_a_bulk_payload_is_data) {
    static const char in[] = "*1\r\n$3\r\na\0b\r\n";
    size_t consumed;
    char *d;
    cr_assert_eq(parse_n(&P, in, sizeof(in) - 1, &consumed, &d), RESP_DONE);
    cr_assert_eq(P.argc, 1);
    cr_assert_eq(P.args[0].len, 3);
    cr_assert(memcmp(d + P.args[0].off, "a\0b", 3) == 0);
    free(d);
}

/* Lines longer than the parser's short scan: the line end, or a NUL that
 * hides it, lies past the first 32 bytes. */
Test(resp_parse, long_inline_line_is_found_past_the_short_scan) {
    char *s = repeat('x', 40, "\r\n");
    memcpy(s, "ECHO ", 5);
    size_t consumed;
    char *d;
    cr_assert_eq(parse_n(&P, s, 42, &consumed, &d), RESP_DONE);
    cr_assert_eq(consumed, 42);
    cr_assert_eq(P.argc, 2);
    cr_assert_eq(P.args[1].len, 35);
    free(d);
    free(s);
}

Test(resp_parse, nul_past_the_short_scan_still_hides_the_line_end) {
    char *s = repeat('x', 40, "\r\nPING\r\n");
    memcpy(s, "ECHO ", 5);
    s[36] = '\0';
    size_t consumed;
    cr_assert_eq(parse_n(&P, s, 48, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
    free(s);
}

Test(resp_parse, nul_in_a_long_bulk_count_line_waits) {
    char *s = repeat('0', 36, "\r\nPING\r\n");
    memcpy(s, "*1\r\n$4", 6);
    s[34] = '\0';
    size_t consumed;
    cr_assert_eq(parse_n(&P, s, 44, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
    free(s);
}

/* ---- headers read in one pass (1-9 digits) agree with the general path ---- */

Test(resp_parse, error_invalid_bulk_length_leading_zero) {
    expect_fail(&P, "*1\r\n$01\r\na\r\n", 12, "Protocol error: invalid bulk length");
}

Test(resp_parse, nine_digit_bulk_length_is_read_whole) {
    static const char in[] = "*1\r\n$123456789\r\n";
    size_t consumed;
    cr_assert_eq(parse_n(&P, in, sizeof(in) - 1, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
    cr_assert_eq(P.bulklen, 123456789);
    cr_assert_eq(resp_req_wanted(&P, sizeof(in) - 1), 123456789 + 2);
}

Test(resp_parse, ten_digit_bulk_length_takes_the_general_path) {
    resp_req_free(&P);
    resp_req_init(&P, 2000000000LL);
    static const char in[] = "*1\r\n$1234567890\r\n";
    size_t consumed;
    cr_assert_eq(parse_n(&P, in, sizeof(in) - 1, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
    cr_assert_eq(P.bulklen, 1234567890LL);
}

Test(resp_parse, header_cr_as_last_byte_waits_for_the_lf) {
    size_t consumed;
    cr_assert_eq(parse_n(&P, "*1\r", 3, &consumed, NULL), RESP_AGAIN);
    cr_assert_eq(parse_n(&P, "*1\r\n$4\r", 7, &consumed, NULL), RESP_AGAIN);
    cr_assert_not(P.failed);
    expect_one("*1\r\n$4\r\nPING\r\n", (const char *[]){"PING", NULL});
}
