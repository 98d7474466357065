/* test_reply.c -- unit tests for reply.c: a CLIENT_DISCARD_REPLY client
 * (AOF loader, primary link) never buffers a reply, however many it gets. */
#include <criterion/criterion.h>

#include <string.h>

#include "client.h"
#include "reply.h"

Test(reply, discard_reply_client_buffers_nothing) {
    client c;
    memset(&c, 0, sizeof(c));
    c.flags = CLIENT_DISCARD_REPLY | CLIENT_FAKE;
    c.resp = 2;
    static char big[100000];
    memset(big, 'v', sizeof(big));
    for (int i = 0; i < 1000; i++) {
        size_t h = reply_deferred(&c);
        reply_bulk(&c, big, sizeof(big));
        reply_int(&c, i);
        reply_ok(&c);
        reply_deferred_array(&c, h, 3);
    }
    cr_assert_eq(c.reply.len, 0);
    cr_assert_eq(c.reply.cap, 0);
    cr_assert_eq(c.flags & CLIENT_PENDING_WRITE, 0);
}

Test(reply, ordinary_client_buffers_its_replies) {
    client c;
    memset(&c, 0, sizeof(c));
    c.flags = CLIENT_FAKE;
    c.resp = 2;
    size_t h = reply_deferred(&c);
    reply_int(&c, 7);
    reply_deferred_array(&c, h, 1);
    cr_assert_str_eq(c.reply.data, "*1\r\n:7\r\n");
    buf_free(&c.reply);
}
