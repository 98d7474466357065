/* test_aof_reader.c -- unit tests for the AOF command reader (node/aof_reader.c).
 *
 * Owns: nothing shared. Each case feeds a file image whole (eof) and, for
 * the streaming cases, byte by byte, and checks the commands found, the
 * torn tail's offset and the bad line's offset as Redis 7.0.15's loader
 * would see them (a header or bulk cut by the end of the file is a short
 * read; '*' or '$' missing, argc < 1 or a negative length is a format
 * error). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "aof_reader.h"

typedef struct outcome {
    int ncmds;              /* whole commands read */
    char first[64];         /* argv[0] of the first command */
    char last_arg[64];      /* last argument of the last command */
    aof_read_status end;    /* END, TRUNCATED or BAD */
    unsigned long long off; /* err_off at the end */
    size_t consumed;        /* bytes consumed by commands and annotations */
} outcome;

static void note_cmd(outcome *o, const aof_reader *r) {
    if (o->ncmds == 0)
        snprintf(o->first, sizeof(o->first), "%.*s", (int)r->argv[0].len, r->argv[0].ptr);
    const vg_slice *a = &r->argv[r->argc - 1];
    snprintf(o->last_arg, sizeof(o->last_arg), "%.*s", (int)a->len, a->ptr);
    o->ncmds++;
}

/* The whole image in one window. */
static outcome read_whole(const char *img, size_t len) {
    outcome o = {0};
    aof_reader r;
    aof_reader_init(&r);
    size_t pos = 0;
    for (;;) {
        size_t used;
        aof_read_status st = aof_reader_next(&r, img + pos, len - pos, pos, true, &used);
        cr_assert_neq(st, AOF_READ_MORE, "MORE with the whole file in the window");
        if (st != AOF_READ_CMD) {
            o.end = st;
            o.off = r.err_off;
            if (st == AOF_READ_END) pos += used;
            break;
        }
        note_cmd(&o, &r);
        pos += used;
    }
    o.consumed = pos;
    aof_reader_free(&r);
    return o;
}

/* The image arriving one byte at a time, as the loader's window grows. */
static outcome read_trickle(const char *img, size_t len) {
    outcome o = {0};
    aof_reader r;
    aof_reader_init(&r);
    size_t start = 0, have = 0;
    for (;;) {
        size_t used;
        bool eof = have == len;
        aof_read_status st = aof_reader_next(&r, img + start, have - start, start, eof, &used);
        if (st == AOF_READ_MORE) {
            cr_assert(!eof);
            start += used;
            have++;
            continue;
        }
        if (st != AOF_READ_CMD) {
            o.end = st;
            o.off = r.err_off;
            if (st == AOF_READ_END) start += used;
            break;
        }
        note_cmd(&o, &r);
        start += used;
    }
    o.consumed = start;
    aof_reader_free(&r);
    return o;
}

#define IMG(s) s, sizeof(s) - 1

static void check_both(const char *img, size_t len, int ncmds, aof_read_status end,
                       unsigned long long off) {
    outcome a = read_whole(img, len), b = read_trickle(img, len);
    cr_expect_eq(a.ncmds, ncmds, "whole: %d commands", a.ncmds);
    cr_expect_eq(a.end, end, "whole: status %d", a.end);
    cr_expect_eq(b.ncmds, ncmds, "trickle: %d commands", b.ncmds);
    cr_expect_eq(b.end, end, "trickle: status %d", b.end);
    if (end != AOF_READ_END) {
        cr_expect_eq(a.off, off, "whole: offset %llu", a.off);
        cr_expect_eq(b.off, off, "trickle: offset %llu", b.off);
    }
}

static const char TWO[] =
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$2\r\nvv\r\n";

Test(aof_reader, two_commands_then_end) {
    outcome o = read_whole(IMG(TWO));
    cr_assert_eq(o.ncmds, 2);
    cr_assert_str_eq(o.first, "SELECT");
    cr_assert_str_eq(o.last_arg, "vv");
    cr_assert_eq(o.end, AOF_READ_END);
    cr_assert_eq(o.consumed, sizeof(TWO) - 1);
    check_both(IMG(TWO), 2, AOF_READ_END, 0);
}

Test(aof_reader, empty_file_is_end) {
    check_both("", 0, 0, AOF_READ_END, 0);
}

Test(aof_reader, annotations_are_skipped) {
    static const char img[] = "#TS:1700000000\r\n*1\r\n$4\r\nPING\r\n#TS:1700000001\r\n";
    outcome o = read_whole(IMG(img));
    cr_assert_eq(o.ncmds, 1);
    cr_assert_eq(o.end, AOF_READ_END);
    cr_assert_eq(o.consumed, sizeof(img) - 1);
    check_both(IMG(img), 1, AOF_READ_END, 0);
}

Test(aof_reader, empty_bulk) {
    static const char img[] = "*2\r\n$3\r\nget\r\n$0\r\n\r\n";
    outcome o = read_whole(IMG(img));
    cr_assert_eq(o.ncmds, 1);
    cr_assert_str_eq(o.last_arg, "");
}

Test(aof_reader, binary_bulk_with_newlines) {
    static const char img[] = "*2\r\n$3\r\nget\r\n$5\r\na\r\n\nb\r\n";
    outcome o = read_whole(IMG(img));
    cr_assert_eq(o.ncmds, 1);
    cr_assert_str_eq(o.last_arg, "a\r\n\nb");
}

/* Every cut of TWO inside the second command is a torn tail at its start;
 * inside the first, at 0. */
Test(aof_reader, every_cut_is_a_torn_tail_at_the_command_start) {
    size_t second = strlen("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n");
    for (size_t cut = 1; cut < sizeof(TWO) - 1; cut++) {
        if (cut == second) continue;
        outcome o = read_whole(TWO, cut);
        cr_assert_eq(o.end, AOF_READ_TRUNCATED, "cut %zu: status %d", cut, o.end);
        cr_assert_eq(o.off, cut < second ? 0 : second, "cut %zu: offset %llu", cut, o.off);
        cr_assert_eq(o.ncmds, cut < second ? 0 : 1, "cut %zu", cut);
        outcome t = read_trickle(TWO, cut);
        cr_assert_eq(t.end, AOF_READ_TRUNCATED, "trickle cut %zu", cut);
        cr_assert_eq(t.off, o.off, "trickle cut %zu", cut);
    }
}

Test(aof_reader, garbage_instead_of_a_command_is_bad_at_its_line) {
    static const char img[] = "*1\r\n$4\r\nPING\r\nhello\r\n*1\r\n$4\r\nPING\r\n";
    check_both(IMG(img), 1, AOF_READ_BAD, 14);
}

Test(aof_reader, missing_dollar_is_bad) {
    static const char img[] = "*2\r\n$3\r\nget\r\nk\r\n";
    check_both(IMG(img), 0, AOF_READ_BAD, 13);
}

Test(aof_reader, zero_or_negative_argc_is_bad) {
    check_both(IMG("*0\r\n"), 0, AOF_READ_BAD, 0);
    check_both(IMG("*-1\r\n"), 0, AOF_READ_BAD, 0);
    check_both(IMG("*\r\n"), 0, AOF_READ_BAD, 0);
}

Test(aof_reader, negative_or_huge_length_is_bad_not_an_allocation) {
    check_both(IMG("*1\r\n$-5\r\nabc\r\n"), 0, AOF_READ_BAD, 4);
    check_both(IMG("*1\r\n$99999999999999999999999\r\n"), 0, AOF_READ_BAD, 4);
}

Test(aof_reader, huge_length_past_the_end_is_a_torn_tail) {
    check_both(IMG("*1\r\n$9000000000\r\nabc"), 0, AOF_READ_TRUNCATED, 0);
}

Test(aof_reader, huge_argc_without_arguments_is_a_torn_tail) {
    check_both(IMG("*2000000000\r\n$1\r\na\r\n"), 0, AOF_READ_TRUNCATED, 0);
}

Test(aof_reader, header_cut_by_eof_without_newline) {
    check_both(IMG("*1\r\n$4\r\nPING\r\n*"), 1, AOF_READ_TRUNCATED, 14);
    check_both(IMG("*1\r\n$4\r\nPING\r\n*1"), 1, AOF_READ_TRUNCATED, 14);
    check_both(IMG("*1\r\n$4\r\nPING\r\n*1\r\n$4"), 1, AOF_READ_TRUNCATED, 14);
    /* a format error is found before the missing newline matters */
    check_both(IMG("*1\r\n$4\r\nPING\r\n*0"), 1, AOF_READ_BAD, 14);
}

Test(aof_reader, overlong_header_line_is_bad) {
    char img[2100];
    img[0] = '*';
    memset(img + 1, '1', sizeof(img) - 1);
    outcome o = read_whole(img, sizeof(img));
    cr_assert_eq(o.end, AOF_READ_BAD);
    cr_assert_eq(o.off, 0);
}

Test(aof_reader, crlf_after_bulk_is_not_checked_as_in_redis) {
    static const char img[] = "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n";
    check_both(IMG(img), 2, AOF_READ_END, 0);
}

Test(aof_reader, argv_grows_past_its_first_allocation) {
    char img[4096];
    size_t n = (size_t)snprintf(img, sizeof(img), "*40\r\n");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(img + n, sizeof(img) - n, "$2\r\n%02d\r\n", i);
    outcome o = read_whole(img, n);
    cr_assert_eq(o.ncmds, 1);
    cr_assert_str_eq(o.last_arg, "39");
    cr_assert_eq(o.end, AOF_READ_END);
}
