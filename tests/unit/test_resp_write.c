/* test_resp_write.c -- unit tests for the reply writer (proto/resp_write.c).
 *
 * Owns: nothing shared. Every writer function is checked byte for byte in
 * RESP2 and RESP3, including the RESP2 downgrades Redis 7.0 performs (maps
 * flatten, sets and pushes become arrays, nulls become $-1 / *-1, booleans
 * become integers, doubles and verbatim strings become bulk strings). */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp_write.h"

static buf B;

static void setup(void) {
    buf_init(&B);
}

static void teardown(void) {
    buf_free(&B);
}

TestSuite(resp_write, .init = setup, .fini = teardown);

/* Compare the buffer with a literal (which may hold NULs), then empty it. */
#define EXPECT(lit) expect_bytes(lit, sizeof(lit) - 1)

static void expect_bytes(const char *want, size_t n) {
    cr_assert_eq(B.len, n, "wrote %zu bytes '%.*s', expected %zu '%.*s'", B.len, (int)B.len,
                 B.data ? B.data : "", n, (int)n, want);
    cr_assert(memcmp(B.data, want, n) == 0, "wrote '%.*s', expected '%.*s'", (int)B.len, B.data,
              (int)n, want);
    cr_assert_eq(B.data[B.len], '\0', "the buffer must stay NUL-terminated");
    buf_clear(&B);
}

Test(resp_write, simple_string) {
    resp_add_simple(&B, "OK", 2);
    EXPECT("+OK\r\n");
}

Test(resp_write, empty_simple_string) {
    resp_add_simple(&B, "", 0);
    EXPECT("+\r\n");
}

Test(resp_write, error_is_prefixed_with_minus) {
    resp_add_error(&B, "ERR unknown command", 19);
    EXPECT("-ERR unknown command\r\n");
}

Test(resp_write, error_cr_and_lf_become_spaces) {
    resp_add_error(&B, "ERR a\r\nb\rc\nd", 12);
    EXPECT("-ERR a  b c d\r\n");
}

Test(resp_write, error_keeps_other_bytes) {
    resp_add_error(&B, "ERR \t\x01x", 7);
    EXPECT("-ERR \t\x01x\r\n");
}

Test(resp_write, integers_including_extremes) {
    resp_add_int(&B, 0);
    EXPECT(":0\r\n");
    resp_add_int(&B, -1);
    EXPECT(":-1\r\n");
    resp_add_int(&B, LLONG_MAX);
    EXPECT(":9223372036854775807\r\n");
    resp_add_int(&B, LLONG_MIN);
    EXPECT(":-9223372036854775808\r\n");
}

Test(resp_write, bulk_string) {
    resp_add_bulk(&B, "hello", 5);
    EXPECT("$5\r\nhello\r\n");
}

Test(resp_write, empty_bulk_string) {
    resp_add_bulk(&B, "", 0);
    EXPECT("$0\r\n\r\n");
}

Test(resp_write, bulk_string_is_binary_safe) {
    resp_add_bulk(&B, "a\0\r\nb", 5);
    EXPECT("$5\r\na\0\r\nb\r\n");
}

Test(resp_write, big_bulk_string_grows_the_buffer) {
    static char big[100000];
    memset(big, 'x', sizeof(big));
    resp_add_bulk(&B, big, sizeof(big));
    cr_assert_eq(B.len, 9 + sizeof(big) + 2);
    cr_assert(memcmp(B.data, "$100000\r\n", 9) == 0);
    cr_assert(memcmp(B.data + B.len - 3, "x\r\n", 3) == 0);
}

Test(resp_write, bulk_of_a_number) {
    resp_add_bulk_ll(&B, -42);
    EXPECT("$3\r\n-42\r\n");
    resp_add_bulk_ll(&B, LLONG_MIN);
    EXPECT("$20\r\n-9223372036854775808\r\n");
}

Test(resp_write, null_resp2_and_resp3) {
    resp_add_null(&B, 2);
    EXPECT("$-1\r\n");
    resp_add_null(&B, 3);
    EXPECT("_\r\n");
}

Test(resp_write, null_array_resp2_and_resp3) {
    resp_add_null_array(&B, 2);
    EXPECT("*-1\r\n");
    resp_add_null_array(&B, 3);
    EXPECT("_\r\n");
}

Test(resp_write, array_header) {
    resp_add_array_len(&B, 3);
    EXPECT("*3\r\n");
    resp_add_array_len(&B, 0);
    EXPECT("*0\r\n");
}

Test(resp_write, map_flattens_in_resp2) {
    resp_add_map_len(&B, 2, 2);
    resp_add_bulk(&B, "a", 1);
    resp_add_int(&B, 1);
    resp_add_bulk(&B, "b", 1);
    resp_add_int(&B, 2);
    EXPECT("*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
}

Test(resp_write, map_in_resp3) {
    resp_add_map_len(&B, 3, 2);
    EXPECT("%2\r\n");
    resp_add_map_len(&B, 3, 0);
    EXPECT("%0\r\n");
}

Test(resp_write, empty_map_in_resp2) {
    resp_add_map_len(&B, 2, 0);
    EXPECT("*0\r\n");
}

Test(resp_write, set_resp2_and_resp3) {
    resp_add_set_len(&B, 2, 3);
    EXPECT("*3\r\n");
    resp_add_set_len(&B, 3, 3);
    EXPECT("~3\r\n");
}

Test(resp_write, push_resp2_and_resp3) {
    resp_add_push_len(&B, 2, 3);
    EXPECT("*3\r\n");
    resp_add_push_len(&B, 3, 3);
    EXPECT(">3\r\n");
}

Test(resp_write, attribute_header) {
    resp_add_attribute_len(&B, 1);
    EXPECT("|1\r\n");
}

Test(resp_write, double_resp2_is_a_bulk_string) {
    resp_add_double(&B, 2, 1.5);
    EXPECT("$3\r\n1.5\r\n");
    resp_add_double(&B, 2, 0.1);
    EXPECT("$19\r\n0.10000000000000001\r\n");
    resp_add_double(&B, 2, 1e300);
    EXPECT("$23\r\n1.0000000000000001e+300\r\n");
}

Test(resp_write, double_resp3) {
    resp_add_double(&B, 3, 1.5);
    EXPECT(",1.5\r\n");
    resp_add_double(&B, 3, 0.1);
    EXPECT(",0.10000000000000001\r\n");
    resp_add_double(&B, 3, -3);
    EXPECT(",-3\r\n");
}

Test(resp_write, double_zero_and_negative_zero) {
    resp_add_double(&B, 2, 0.0);
    EXPECT("$1\r\n0\r\n");
    resp_add_double(&B, 3, 0.0);
    EXPECT(",0\r\n");
    resp_add_double(&B, 3, -0.0);
    EXPECT(",-0\r\n");
}

Test(resp_write, double_infinities_resp2) {
    resp_add_double(&B, 2, INFINITY);
    EXPECT("$3\r\ninf\r\n");
    resp_add_double(&B, 2, -INFINITY);
    EXPECT("$4\r\n-inf\r\n");
}

Test(resp_write, double_infinities_resp3) {
    resp_add_double(&B, 3, INFINITY);
    EXPECT(",inf\r\n");
    resp_add_double(&B, 3, -INFINITY);
    EXPECT(",-inf\r\n");
}

Test(resp_write, double_extremes_round_trip) {
    const double vals[] = {5e-324, 1.7976931348623157e308, -123456789.123456789, 1e-10};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        resp_add_double(&B, 3, vals[i]);
        cr_assert_eq(B.data[0], ',');
        double back = strtod(B.data + 1, NULL);
        cr_assert_eq(back, vals[i], "%.17g printed as %s", vals[i], B.data);
        buf_clear(&B);
    }
}

Test(resp_write, bool_resp2_is_an_integer) {
    resp_add_bool(&B, 2, 1);
    EXPECT(":1\r\n");
    resp_add_bool(&B, 2, 0);
    EXPECT(":0\r\n");
}

Test(resp_write, bool_resp3) {
    resp_add_bool(&B, 3, 1);
    EXPECT("#t\r\n");
    resp_add_bool(&B, 3, 0);
    EXPECT("#f\r\n");
    resp_add_bool(&B, 3, 7);
    EXPECT("#t\r\n");
}

Test(resp_write, verbatim_resp2_is_a_plain_bulk) {
    resp_add_verbatim(&B, 2, "line1\r\nline2", 12, "txt");
    EXPECT("$12\r\nline1\r\nline2\r\n");
}

Test(resp_write, verbatim_resp3_carries_the_format) {
    resp_add_verbatim(&B, 3, "hello", 5, "txt");
    EXPECT("=9\r\ntxt:hello\r\n");
    resp_add_verbatim(&B, 3, "", 0, "mkd");
    EXPECT("=4\r\nmkd:\r\n");
}

Test(resp_write, bignum_resp2_is_a_bulk_string) {
    resp_add_bignum(&B, 2, "12345678901234567890123", 23);
    EXPECT("$23\r\n12345678901234567890123\r\n");
}

Test(resp_write, bignum_resp3) {
    resp_add_bignum(&B, 3, "-12345678901234567890123", 24);
    EXPECT("(-12345678901234567890123\r\n");
}

Test(resp_write, header_with_any_prefix) {
    resp_add_header(&B, '$', -1);
    EXPECT("$-1\r\n");
    resp_add_header(&B, '*', 1234567);
    EXPECT("*1234567\r\n");
}

Test(resp_write, writers_append_after_existing_content) {
    buf_append_str(&B, "+PONG\r\n");
    resp_add_int(&B, 5);
    resp_add_null(&B, 3);
    resp_add_double(&B, 3, 2.5);
    EXPECT("+PONG\r\n:5\r\n_\r\n,2.5\r\n");
}

Test(resp_write, nested_reply_resp2_vs_resp3) {
    /* A HELLO-like map holding a set and a null. */
    for (int proto = 2; proto <= 3; proto++) {
        resp_add_map_len(&B, proto, 2);
        resp_add_bulk(&B, "s", 1);
        resp_add_set_len(&B, proto, 1);
        resp_add_bulk(&B, "m", 1);
        resp_add_bulk(&B, "n", 1);
        resp_add_null(&B, proto);
        if (proto == 2)
            EXPECT("*4\r\n$1\r\ns\r\n*1\r\n$1\r\nm\r\n$1\r\nn\r\n$-1\r\n");
        else
            EXPECT("%2\r\n$1\r\ns\r\n~1\r\n$1\r\nm\r\n$1\r\nn\r\n_\r\n");
    }
}
