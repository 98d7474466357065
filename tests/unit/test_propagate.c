/* test_propagate.c -- unit tests for the propagation funnel's pure parts:
 * the RESP encoding of argv, SELECT emission per sink, the MULTI/EXEC wrap
 * of a unit, frames (rewrite, suppress, force, serve) and targets. */
#include <criterion/criterion.h>

#include <string.h>

#include "client.h"
#include "db.h"
#include "propagate.h"

#define S(lit) PROPAGATE_LIT(lit)

/* A sink that records everything it is given, and the dbs. */
typedef struct recorder {
    buf bytes;
    int dbs[64];
    int ncalls;
} recorder;

static void record_cb(const char *p, size_t len, int dbid, void *arg) {
    recorder *r = arg;
    buf_append(&r->bytes, p, len);
    if (r->ncalls < 64) r->dbs[r->ncalls] = dbid;
    r->ncalls++;
}

static recorder rec_a, rec_b;
static int h_a = -1, h_b = -1;

static void setup(void) {
    memset(&rec_a, 0, sizeof(rec_a));
    memset(&rec_b, 0, sizeof(rec_b));
    h_a = propagate_sink_add(PROPAGATE_AOF, record_cb, &rec_a);
    h_b = -1;
}

static void teardown(void) {
    propagate_sink_remove(h_a);
    if (h_b >= 0) propagate_sink_remove(h_b);
    propagate_flush_pending();
    buf_free(&rec_a.bytes);
    buf_free(&rec_b.bytes);
    propagate_stop();
}

static const char *text(const recorder *r) {
    return r->bytes.data ? r->bytes.data : "";
}

#define SEL(n) "*2\r\n$6\r\nSELECT\r\n$1\r\n" #n "\r\n"
#define MULTI "*1\r\n$5\r\nMULTI\r\n"
#define EXEC "*1\r\n$4\r\nEXEC\r\n"
#define SET_A1 "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
#define INCR_B "*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n"

/* A client good enough for frames: argv, argc and a db. */
typedef struct fake {
    client c;
    db d;
    vg_slice argv[8];
} fake;

static void fake_init(fake *f, int dbid, int argc, const vg_slice *argv) {
    memset(f, 0, sizeof(*f));
    f->d.id = dbid; /* frames read the db's id only: no keys, no db_env */
    f->c.db = &f->d;
    f->c.argc = argc;
    f->c.argv = f->argv;
    memcpy(f->argv, argv, (size_t)argc * sizeof(vg_slice));
}

static void fake_free(fake *f) {
    (void)f; /* owns nothing: its db never held a key */
}

Test(propagate, encode_multibulk_binary_safe) {
    buf b;
    buf_init(&b);
    vg_slice argv[3] = {S("SET"), {"k\0y", 3}, S("")};
    propagate_encode(&b, 3, argv);
    const char want[] = "*3\r\n$3\r\nSET\r\n$3\r\nk\0y\r\n$0\r\n\r\n";
    cr_assert_eq(b.len, sizeof(want) - 1);
    cr_assert(memcmp(b.data, want, b.len) == 0);
    buf_free(&b);
}

Test(propagate, encode_long_argument_lengths) {
    buf b;
    buf_init(&b);
    char big[12345];
    memset(big, 'x', sizeof(big));
    vg_slice argv[1] = {{big, sizeof(big)}};
    propagate_encode(&b, 1, argv);
    cr_assert(strncmp(b.data, "*1\r\n$12345\r\nxxx", 15) == 0);
    cr_assert_eq(b.len, 4 + 8 + sizeof(big) + 2);
    buf_free(&b);
}

Test(propagate, select_only_when_the_db_changes, .init = setup, .fini = teardown) {
    vg_slice set[3] = {S("SET"), S("a"), S("1")};
    propagate_also(0, 3, set, PROPAGATE_ALL);
    propagate_also(0, 3, set, PROPAGATE_ALL);
    propagate_flush_pending();
    cr_assert_str_eq(text(&rec_a), SEL(0) SET_A1 SET_A1);
    propagate_also(0, 3, set, PROPAGATE_ALL);
    propagate_also(7, 3, set, PROPAGATE_ALL);
    propagate_also(0, 3, set, PROPAGATE_ALL);
    propagate_flush_pending();
    cr_assert_str_eq(text(&rec_a), SEL(0) SET_A1 SET_A1 SET_A1 SEL(7) SET_A1 SEL(0) SET_A1);
    cr_assert_eq(rec_a.dbs[0], 0);
    cr_assert_eq(rec_a.dbs[5], 7); /* the SELECT call carries the db it selects */
    buf_clear(&rec_a.bytes);
    propagate_also(12, 3, set, PROPAGATE_ALL);
    propagate_flush_pending();
    cr_assert_str_eq(text(&rec_a), "*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n" SET_A1);
}

Test(propagate, each_sink_keeps_its_own_selected_db, .init = setup, .fini = teardown) {
    vg_slice set[3] = {S("SET"), S("a"), S("1")};
    propagate_also(3, 3, set, PROPAGATE_ALL);
    propagate_flush_pending();
    h_b = propagate_sink_add(PROPAGATE_AOF, record_cb, &rec_b);
    propagate_also(3, 3, set, PROPAGATE_ALL);
    propagate_flush_pending();
    cr_assert_str_eq(text(&rec_a), SEL(3) SET_A1 SET_A1);
    cr_assert_str_eq(text(&rec_b), SEL(3) SET_A1);
    propagate_sink_reselect(h_a);
    propagate_also(3, 3, set, PROPAGATE_ALL);
    propagate_flush_pending();
    cr_assert_str_eq(text(&rec_a), SEL(3) SET_A1 SET_A1 SEL(3) SET_A1);
    cr_assert_str_eq(text(&rec_b), SEL(3) SET_A1 SET_A1);
}

Test(propagate, nothing_queued_without_a_sink) {
    vg_slice set[3] = {S("SET"), S("a"), S("1")};
    cr_assert(!propagate_active());
    propagate_also(0, 3, set, PROPAGATE_ALL);
    setup();
    propagate_flush_pending();
    cr_assert_eq(rec_a.bytes.len, 0);
    teardown();
}

Test(propagate, single_write_is_bare, .init = setup, .fini = teardown) {
    fake f;
    vg_slice set[3] = {S("SET"), S("a"), S("1")};
    fake_init(&f, 0, 3, set);
    propagate_begin(&f.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_end(&f.c, true);
    cr_assert_str_eq(text(&rec_a), SEL(0) SET_A1);
    propagate_begin(&f.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_end(&f.c, false); /* no write: nothing */
    cr_assert_str_eq(text(&rec_a), SEL(0) SET_A1);
    fake_free(&f);
}

/* EXEC's frame around two queued writes, the second in another db: MULTI
 * takes the first op's db, EXEC the last one's (no SELECT before it). */
Test(propagate, exec_with_two_writes_is_wrapped, .init = setup, .fini = teardown) {
    fake ex, one, two;
    vg_slice exec[1] = {S("EXEC")};
    vg_slice set[3] = {S("SET"), S("a"), S("1")};
    vg_slice incr[2] = {S("INCR"), S("b")};
    fake_init(&ex, 2, 1, exec);
    fake_init(&one, 2, 3, set);
    fake_init(&two, 5, 2, incr);
    propagate_begin(&ex.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_suppress(&ex.c);
    propagate_begin(&one.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_end(&one.c, true);
    propagate_begin(&two.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_end(&two.c, true);
    cr_assert_eq(rec_a.bytes.len, 0); /* nothing before the unit ends */
    propagate_end(&ex.c, true);
    cr_assert_str_eq(text(&rec_a), SEL(2) MULTI SET_A1 SEL(5) INCR_B EXEC);
    fake_free(&ex);
    fake_free(&one);
    fake_free(&two);
}

Test(propagate, ops_added_while_running_come_first, .init = setup, .fini = teardown) {
    fake f;
    vg_slice set[3] = {S("SET"), S("a"), S("1")};
    fake_init(&f, 0, 3, set);
    propagate_begin(&f.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_deletion(0, "a", 1, false); /* a lazy expiry found by the lookup */
    propagate_end(&f.c, true);
    cr_assert_str_eq(text(&rec_a), SEL(0) MULTI "*2\r\n$3\r\nDEL\r\n$1\r\na\r\n" SET_A1 EXEC);
    fake_free(&f);
}

Test(propagate, no_multi_frame_sends_bare_deletions, .init = setup, .fini = teardown) {
    fake f;
    vg_slice scan[2] = {S("SCAN"), S("0")};
    fake_init(&f, 0, 2, scan);
    propagate_begin(&f.c, PROPAGATE_FRAME_COMMAND, true);
    propagate_deletion(0, "a", 1, true);
    propagate_deletion(0, "b", 1, true);
    propagate_end(&f.c, false);
    cr_assert_str_eq(text(&rec_a),
                     SEL(0) "*2\r\n$6\r\nUNLINK\r\n$1\r\na\r\n*2\r\n$6\r\nUNLINK\r\n$1\r\nb\r\n");
    fake_free(&f);
}

Test(propagate, rewrites_replace_the_arguments, .init = setup, .fini = teardown) {
    fake f;
    vg_slice expire[4] = {S("expire"), S("k"), S("100"), S("NX")};
    fake_init(&f, 0, 4, expire);
    propagate_begin(&f.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_rewrite_arg(&f.c, 0, S("PEXPIREAT"));
    char ms[] = "1700000000000";
    propagate_rewrite_arg(&f.c, 2, (vg_slice){ms, 13});
    ms[0] = '9'; /* the funnel copied it */
    propagate_end(&f.c, true);
    cr_assert_str_eq(
        text(&rec_a),
        SEL(0) "*4\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000000000\r\n$2\r\nNX\r\n");
    buf_clear(&rec_a.bytes);
    propagate_begin(&f.c, PROPAGATE_FRAME_COMMAND, false);
    vg_slice del[2] = {S("DEL"), S("k")};
    propagate_rewrite_argv(&f.c, 2, del);
    propagate_end(&f.c, true);
    cr_assert_str_eq(text(&rec_a), "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
    fake_free(&f);
}

Test(propagate, suppress_keeps_what_was_added, .init = setup, .fini = teardown) {
    fake f;
    vg_slice spop[3] = {S("SPOP"), S("s"), S("1")};
    fake_init(&f, 0, 3, spop);
    propagate_begin(&f.c, PROPAGATE_FRAME_COMMAND, false);
    vg_slice srem[3] = {S("SREM"), S("s"), S("m")};
    propagate_also(0, 3, srem, PROPAGATE_ALL);
    propagate_suppress(&f.c);
    propagate_end(&f.c, true);
    cr_assert_str_eq(text(&rec_a), SEL(0) "*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nm\r\n");
    fake_free(&f);
}

Test(propagate, force_without_a_write, .init = setup, .fini = teardown) {
    fake f;
    vg_slice flush[1] = {S("FLUSHDB")};
    fake_init(&f, 1, 1, flush);
    propagate_begin(&f.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_force(&f.c, PROPAGATE_ALL);
    propagate_end(&f.c, false);
    cr_assert_str_eq(text(&rec_a), SEL(1) "*1\r\n$7\r\nFLUSHDB\r\n");
    fake_free(&f);
}

Test(propagate, serve_frame_propagates_only_its_rewrite, .init = setup, .fini = teardown) {
    fake f;
    vg_slice blpop[3] = {S("BLPOP"), S("l"), S("0")};
    fake_init(&f, 0, 3, blpop);
    propagate_begin(&f.c, PROPAGATE_FRAME_SERVE, false);
    propagate_end(&f.c, true); /* declined or replied an error: nothing */
    cr_assert_eq(rec_a.bytes.len, 0);
    propagate_begin(&f.c, PROPAGATE_FRAME_SERVE, false);
    vg_slice lpop[2] = {S("LPOP"), S("l")};
    propagate_rewrite_argv(&f.c, 2, lpop);
    propagate_end(&f.c, true);
    cr_assert_str_eq(text(&rec_a), SEL(0) "*2\r\n$4\r\nLPOP\r\n$1\r\nl\r\n");
    fake_free(&f);
}

/* PUBLISH goes to replicas only: with just an AOF sink it is not even
 * queued, so two of them in EXEC do not leave an empty MULTI/EXEC. */
Test(propagate, replica_only_ops_skip_sinks_and_units, .init = setup, .fini = teardown) {
    vg_slice pub[3] = {S("PUBLISH"), S("c"), S("m")};
    fake ex;
    vg_slice exec[1] = {S("EXEC")};
    fake_init(&ex, 0, 1, exec);
    propagate_begin(&ex.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_suppress(&ex.c);
    propagate_also(0, 3, pub, PROPAGATE_REPL);
    propagate_also(0, 3, pub, PROPAGATE_REPL);
    propagate_end(&ex.c, true);
    cr_assert_eq(rec_a.bytes.len, 0);
    h_b = propagate_sink_add(PROPAGATE_REPL, record_cb, &rec_b);
    vg_slice set[3] = {S("SET"), S("a"), S("1")};
    propagate_begin(&ex.c, PROPAGATE_FRAME_COMMAND, false);
    propagate_suppress(&ex.c);
    propagate_also(0, 3, pub, PROPAGATE_REPL);
    propagate_also(0, 3, set, PROPAGATE_ALL);
    propagate_end(&ex.c, true);
    const char *pub_bytes = "*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$1\r\nm\r\n";
    buf want;
    buf_init(&want);
    buf_append_str(&want, SEL(0) MULTI);
    buf_append_str(&want, pub_bytes);
    buf_append_str(&want, SET_A1 EXEC);
    cr_assert_str_eq(text(&rec_b), want.data);
    cr_assert_str_eq(text(&rec_a), SEL(0) MULTI SET_A1 EXEC); /* Redis' AOF gets the wrap too */
    buf_free(&want);
    fake_free(&ex);
}
