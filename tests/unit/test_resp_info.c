/* test_resp_info.c -- unit tests for INFO splitting (proto/resp_info.c).
 *
 * Owns: nothing shared. Text shaped as redis-server 7.0.15 prints INFO
 * (sections, "\r\n" endings, comma lists in slave0 and db0), plus the odd
 * shapes a reader must survive: "\n" endings, no final newline, lines
 * without a colon, empty values, a repeated name in two sections. */
#include <criterion/criterion.h>
#include <string.h>

#include "resp_info.h"

static char info_text[] = "# Server\r\n"
                          "redis_version:7.0.15\r\n"
                          "run_id:8de1f3b0c0a5d1a7e0b5c6d7e8f9a0b1c2d3e4f5\r\n"
                          "\r\n"
                          "# Replication\r\n"
                          "role:master\r\n"
                          "connected_slaves:1\r\n"
                          "slave0:ip=127.0.0.1,port=7002,state=online,offset=1234,lag=0\r\n"
                          "master_repl_offset:1234\r\n"
                          "master_failover_state:no-failover\r\n"
                          "\r\n"
                          "# Keyspace\r\n"
                          "db0:keys=3,expires=1,avg_ttl=0\r\n";

Test(resp_info, fields_by_name_and_section) {
    resp_info info = {0};
    resp_info_parse(&info, info_text, strlen(info_text));
    cr_assert_eq(info.count, 8);
    vg_slice v;
    cr_assert(resp_info_get(&info, "role", &v));
    cr_assert(resp_info_slice_is(v, "master"));
    long long n = 0;
    cr_assert(resp_info_get_ll(&info, "master_repl_offset", &n));
    cr_assert_eq(n, 1234);
    cr_assert_not(resp_info_get_ll(&info, "role", &n)); /* not a number */
    cr_assert_not(resp_info_get(&info, "master_host", &v));
    const resp_info_field *f = resp_info_find(&info, "replication", "connected_slaves");
    cr_assert_not_null(f);
    cr_assert(resp_info_slice_is(f->section, "Replication"));
    cr_assert_null(resp_info_find(&info, "Server", "role"));
    resp_info_free(&info);
    resp_info_free(&info); /* freed twice is harmless */
}

Test(resp_info, comma_lists) {
    resp_info info = {0};
    resp_info_parse(&info, info_text, strlen(info_text));
    vg_slice v, sub;
    cr_assert(resp_info_get(&info, "slave0", &v));
    cr_assert(resp_info_subfield(v, "ip", &sub));
    cr_assert(resp_info_slice_is(sub, "127.0.0.1"));
    cr_assert(resp_info_subfield(v, "lag", &sub));
    cr_assert(resp_info_slice_is(sub, "0"));
    cr_assert(resp_info_subfield(v, "state", &sub));
    cr_assert(resp_info_slice_is(sub, "online"));
    cr_assert_not(resp_info_subfield(v, "sta", &sub)); /* a prefix is not a key */
    cr_assert(resp_info_get(&info, "db0", &v));
    cr_assert(resp_info_subfield(v, "expires", &sub));
    cr_assert(resp_info_slice_is(sub, "1"));
    resp_info_free(&info);
}

Test(resp_info, odd_shapes) {
    char text[] = "no colon here\nkey:\n:novalue\nrole:slave\n# Other\nrole:second\nlast:1";
    resp_info info = {0};
    resp_info_parse(&info, text, strlen(text));
    cr_assert_eq(info.count, 4);
    vg_slice v;
    cr_assert(resp_info_get(&info, "key", &v));
    cr_assert_eq(v.len, 0);
    cr_assert(resp_info_get(&info, "role", &v));
    cr_assert(resp_info_slice_is(v, "slave")); /* the first one wins */
    cr_assert(resp_info_slice_is(resp_info_find(&info, "other", "role")->value, "second"));
    cr_assert(resp_info_get(&info, "last", &v));
    cr_assert(resp_info_slice_is(v, "1"));
    cr_assert(resp_info_slice_is(info.fields[0].section, ""));
    resp_info_parse(&info, text, 0); /* reuse: replaces */
    cr_assert_eq(info.count, 0);
    resp_info_free(&info);
}
