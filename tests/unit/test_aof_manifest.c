/* test_aof_manifest.c -- unit tests for the AOF manifest model (node/aof_manifest.c).
 *
 * Owns: nothing shared. Every row of LOAD_CASES was fed to Debian's
 * redis-server 7.0.15 as appendonlydir/appendonly.aof.manifest (appendonly
 * yes) and the table records what it did: refused with this sentence at this
 * line, or accepted. DEVIATIONS are the rows Redis accepts and we refuse on
 * purpose (values Redis never writes). The REDIS_* manifests are byte copies
 * of files redis-server 7.0.15 wrote (also the fuzz seeds
 * tests/fuzz/corpus/fuzz_aof_manifest/redis-*), made on scratch servers in
 * empty temp dirs on loopback ports, a SET before each step:
 *   redis-start                 --appendonly yes, just started
 *   redis-after-bgrewriteaof    same, then BGREWRITEAOF (history deleted)
 *   redis-nogc-rewrite-1, -2    --aof-disable-auto-gc yes, one and two
 *                               BGREWRITEAOF (history kept)
 *   redis-nogc-rewrite-aof-off  then CONFIG SET appendonly no, BGREWRITEAOF
 *   redis-nogc-turned-on        then CONFIG SET appendonly yes
 *   redis-quoted-name           --aof-disable-auto-gc yes --appendfilename
 *                               'my "odd"<TAB>file.aof', one BGREWRITEAOF
 *   redis-no-preamble           --aof-use-rdb-preamble no, one BGREWRITEAOF
 * The edit tests replay those sessions on the model and must produce the same
 * bytes. aof_manifest_check runs after every step. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "aof_manifest.h"
#include "vg_alloc.h"

typedef struct text {
    const char *s;
    size_t n;
} text;

#define T(lit)                                                                                     \
    { lit, sizeof(lit) - 1 }

#define ERR_FORMAT "Invalid AOF manifest file format"
#define ERR_LONG "The AOF manifest file contains too long line"

typedef struct load_case {
    const char *what;
    text in;
    const char *err; /* NULL: accepted */
    int line;        /* where it failed */
} load_case;

static const load_case LOAD_CASES[] = {
    {"empty file", T(""), "Found an empty AOF manifest", 0},
    {"comment only", T("# only a comment\n"), NULL, 0},
    {"blank line", T("\n"), ERR_FORMAT, 1},
    {"blank after trim", T("   \t\r\n"), ERR_FORMAT, 1},
    {"last line unterminated", T("file a seq 1 type b"), ERR_LONG, 1},
    {"second line unterminated", T("file a seq 1 type b\nfile b seq 1 type i"), ERR_LONG, 2},
    {"NUL inside a line", T("file a\0 seq 1 type b\n"), ERR_LONG, 1},
    {"four words", T("file a seq 1\n"), ERR_FORMAT, 1},
    {"odd word count", T("file a seq 1 type b extra\n"), ERR_FORMAT, 1},
    {"unknown key ignored", T("file a seq 1 type b k v\n"), NULL, 0},
    {"keys in upper case", T("FILE a SEQ 1 TYPE b\n"), NULL, 0},
    {"keys in any order", T("seq 1 type b file a\n"), NULL, 0},
    {"seq zero", T("file a seq 0 type b\n"), ERR_FORMAT, 1},
    {"seq not a number", T("file a seq x type b\n"), ERR_FORMAT, 1},
    {"unknown type", T("file a seq 1 type x\n"), "Unknown AOF file type", 1},
    {"name with a slash", T("file a/b seq 1 type b\n"), "File can't be a path, just a filename", 1},
    {"name with a backslash", T("file a\\b seq 1 type b\n"),
     "File can't be a path, just a filename", 1},
    {"path checked before seq", T("file a/b seq 0 type b\n"),
     "File can't be a path, just a filename", 1},
    {"second base", T("file a seq 1 type b\nfile b seq 2 type b\n"),
     "Found duplicate base file information", 2},
    {"incr seq repeated", T("file a seq 2 type i\nfile b seq 2 type i\n"),
     "Found a non-monotonic sequence number", 2},
    {"incr seq decreasing", T("file a seq 3 type i\n# c\nfile b seq 1 type i\n"),
     "Found a non-monotonic sequence number", 3},
    {"history seqs in any order", T("file h seq 5 type h\nfile g seq 1 type h\n"), NULL, 0},
    {"unbalanced double quote", T("file \"a seq 1 type b\n"), ERR_FORMAT, 1},
    {"junk after closing quote", T("file \"a\"b seq 1 type b\n"), ERR_FORMAT, 1},
    {"unbalanced single quote", T("file 'a seq 1 type b\n"), ERR_FORMAT, 1},
    {"single-quoted name", T("file 'my file' seq 1 type b\n"), NULL, 0},
    {"quote opening mid-word", T("file ab\"c d\" seq 1 type b\n"), NULL, 0},
    {"quoted empty type", T("file a seq 1 type ''\n"), ERR_FORMAT, 1},
    {"no file key", T("seq 1 type b x y\n"), ERR_FORMAT, 1},
    {"CRLF line end", T("file a seq 1 type b\r\n"), NULL, 0},
    {"leading blanks", T("  file a seq 1 type b\n"), NULL, 0},
    {"indented '#' is no comment", T(" # x\n"), ERR_FORMAT, 1},
    {"vertical tab joins words", T("file\va seq 1 type b\n"), ERR_FORMAT, 1},
    {"quoted \\x00 ends the name", T("file \"a\\x00b\" seq 1 type b\n"), NULL, 0},
    {"error after good lines", T("file a seq 1 type b\nfile b seq 1 type i\nfile c seq 1\n"),
     ERR_FORMAT, 3},
};

/* Redis 7.0.15 accepts these (atoll, first character, empty name); we
 * refuse them, with these sentences. */
static const load_case DEVIATIONS[] = {
    {"seq with junk", T("file a seq 5x type b\n"), ERR_FORMAT, 1},
    {"negative history seq", T("file a seq -1 type h\n"), ERR_FORMAT, 1},
    {"seq overflowing", T("file a seq 99999999999999999999 type b\n"), ERR_FORMAT, 1},
    {"type as a word", T("file a seq 1 type base\n"), "Unknown AOF file type", 1},
    {"empty name", T("file \"\" seq 1 type b\n"), ERR_FORMAT, 1},
};

static const char REDIS_START[] = "file appendonly.aof.1.base.rdb seq 1 type b\n"
                                  "file appendonly.aof.1.incr.aof seq 1 type i\n";
static const char REDIS_AFTER_BGREWRITEAOF[] = "file appendonly.aof.2.base.rdb seq 2 type b\n"
                                               "file appendonly.aof.2.incr.aof seq 2 type i\n";
static const char REDIS_NOGC_REWRITE_1[] = "file appendonly.aof.2.base.rdb seq 2 type b\n"
                                           "file appendonly.aof.1.incr.aof seq 1 type h\n"
                                           "file appendonly.aof.1.base.rdb seq 1 type h\n"
                                           "file appendonly.aof.2.incr.aof seq 2 type i\n";
static const char REDIS_NOGC_REWRITE_2[] = "file appendonly.aof.3.base.rdb seq 3 type b\n"
                                           "file appendonly.aof.2.incr.aof seq 2 type h\n"
                                           "file appendonly.aof.2.base.rdb seq 2 type h\n"
                                           "file appendonly.aof.1.incr.aof seq 1 type h\n"
                                           "file appendonly.aof.1.base.rdb seq 1 type h\n"
                                           "file appendonly.aof.3.incr.aof seq 3 type i\n";
static const char REDIS_NOGC_REWRITE_AOF_OFF[] = "file appendonly.aof.4.base.rdb seq 4 type b\n"
                                                 "file appendonly.aof.3.incr.aof seq 3 type h\n"
                                                 "file appendonly.aof.3.base.rdb seq 3 type h\n"
                                                 "file appendonly.aof.2.incr.aof seq 2 type h\n"
                                                 "file appendonly.aof.2.base.rdb seq 2 type h\n"
                                                 "file appendonly.aof.1.incr.aof seq 1 type h\n"
                                                 "file appendonly.aof.1.base.rdb seq 1 type h\n";
static const char REDIS_NOGC_TURNED_ON[] = "file appendonly.aof.5.base.rdb seq 5 type b\n"
                                           "file appendonly.aof.4.base.rdb seq 4 type h\n"
                                           "file appendonly.aof.3.incr.aof seq 3 type h\n"
                                           "file appendonly.aof.3.base.rdb seq 3 type h\n"
                                           "file appendonly.aof.2.incr.aof seq 2 type h\n"
                                           "file appendonly.aof.2.base.rdb seq 2 type h\n"
                                           "file appendonly.aof.1.incr.aof seq 1 type h\n"
                                           "file appendonly.aof.1.base.rdb seq 1 type h\n"
                                           "file appendonly.aof.4.incr.aof seq 4 type i\n";
static const char REDIS_QUOTED_NAME[] =
    "file \"my \\\"odd\\\"\\tfile.aof.2.base.rdb\" seq 2 type b\n"
    "file \"my \\\"odd\\\"\\tfile.aof.1.incr.aof\" seq 1 type h\n"
    "file \"my \\\"odd\\\"\\tfile.aof.1.base.rdb\" seq 1 type h\n"
    "file \"my \\\"odd\\\"\\tfile.aof.2.incr.aof\" seq 2 type i\n";
static const char REDIS_NO_PREAMBLE[] = "file appendonly.aof.2.base.aof seq 2 type b\n"
                                        "file appendonly.aof.2.incr.aof seq 2 type i\n";

static const char *const REDIS_MANIFESTS[] = {
    REDIS_START,          REDIS_AFTER_BGREWRITEAOF,   REDIS_NOGC_REWRITE_1,
    REDIS_NOGC_REWRITE_2, REDIS_NOGC_REWRITE_AOF_OFF, REDIS_NOGC_TURNED_ON,
    REDIS_QUOTED_NAME,    REDIS_NO_PREAMBLE};

static aof_manifest *parse_ok(const char *s, size_t n) {
    aof_manifest *am = NULL;
    vg_error err = {{0}};
    aof_manifest_where where;
    int rc = aof_manifest_parse(s, n, &am, &where, &err);
    cr_assert_eq(rc, VG_OK, "refused at line %d: %s", where.line, err.msg);
    cr_assert_not_null(am);
    cr_assert(aof_manifest_check(am));
    cr_assert(!am->dirty);
    return am;
}

/* The manifest's text, as a NUL-terminated string in a static buffer. */
static const char *formatted(const aof_manifest *am) {
    static char out[8192];
    buf b;
    buf_init(&b);
    aof_manifest_format(am, &b);
    cr_assert(b.len < sizeof(out));
    memcpy(out, b.data ? b.data : "", b.len);
    out[b.len] = '\0';
    buf_free(&b);
    return out;
}

static void check_case(const load_case *c) {
    aof_manifest *am = (aof_manifest *)1;
    vg_error err = {{0}};
    aof_manifest_where where = {-1, 0, 0};
    int rc = aof_manifest_parse(c->in.s, c->in.n, &am, &where, &err);
    if (c->err == NULL) {
        cr_assert_eq(rc, VG_OK, "%s: refused at line %d: %s", c->what, where.line, err.msg);
        cr_assert(aof_manifest_check(am), "%s", c->what);
        aof_manifest_free(am);
        return;
    }
    cr_assert_eq(rc, VG_ERR, "%s: accepted", c->what);
    cr_assert_null(am, "%s", c->what);
    cr_assert_str_eq(err.msg, c->err, "%s", c->what);
    cr_assert_eq(where.line, c->line, "%s: line %d", c->what, where.line);
    cr_assert(where.off <= c->in.n && where.len <= c->in.n - where.off, "%s", c->what);
}

Test(aof_manifest, load_cases_match_redis) {
    for (size_t i = 0; i < VG_ARRAY_LEN(LOAD_CASES); i++)
        check_case(&LOAD_CASES[i]);
}

Test(aof_manifest, deviations_are_refused) {
    for (size_t i = 0; i < VG_ARRAY_LEN(DEVIATIONS); i++)
        check_case(&DEVIATIONS[i]);
}

Test(aof_manifest, where_points_at_the_line) {
    const char in[] = "file a seq 1 type b\nfile b seq x type i\nfile c seq 3 type i\n";
    aof_manifest *am;
    vg_error err;
    aof_manifest_where where;
    cr_assert_eq(aof_manifest_parse(in, sizeof(in) - 1, &am, &where, &err), VG_ERR);
    cr_assert_eq(where.line, 2);
    cr_assert_eq(where.off, 20);
    cr_assert_eq(where.len, 19);
    cr_assert(memcmp(in + where.off, "file b seq x type i", where.len) == 0);
    /* where and err are optional. */
    cr_assert_eq(aof_manifest_parse(in, sizeof(in) - 1, &am, NULL, NULL), VG_ERR);
}

/* A line of exactly n bytes, newline included. */
static size_t long_line(char *dst, size_t n) {
    size_t fixed = strlen("file  seq 1 type b\n");
    memcpy(dst, "file ", 5);
    memset(dst + 5, 'n', n - fixed);
    strcpy(dst + 5 + (n - fixed), " seq 1 type b\n");
    return n;
}

Test(aof_manifest, line_limit_is_1024_bytes_with_newline) {
    char in[2048];
    aof_manifest *am;
    vg_error err;
    aof_manifest_where where;
    size_t n = long_line(in, AOF_MANIFEST_MAX_LINE);
    cr_assert_eq(aof_manifest_parse(in, n, &am, &where, &err), VG_OK);
    cr_assert_eq(strlen(am->base->name), AOF_MANIFEST_MAX_LINE - strlen("file  seq 1 type b\n"));
    aof_manifest_free(am);
    n = long_line(in, AOF_MANIFEST_MAX_LINE + 1);
    cr_assert_eq(aof_manifest_parse(in, n, &am, &where, &err), VG_ERR);
    cr_assert_str_eq(err.msg, ERR_LONG);
    cr_assert_eq(where.line, 1);
    cr_assert_eq(where.len, AOF_MANIFEST_MAX_LINE);
}

Test(aof_manifest, long_comment_goes_on_as_a_line) {
    /* Redis reads 1024 bytes at a time: the comment's tail is a line. */
    char in[1300];
    in[0] = '#';
    memset(in + 1, 'x', 1100);
    strcpy(in + 1101, "\nfile a seq 1 type b\n");
    aof_manifest *am;
    vg_error err;
    aof_manifest_where where;
    cr_assert_eq(aof_manifest_parse(in, strlen(in), &am, &where, &err), VG_ERR);
    cr_assert_str_eq(err.msg, ERR_FORMAT);
    cr_assert_eq(where.line, 2);
    cr_assert_eq(where.off, AOF_MANIFEST_MAX_LINE);
    /* Its tail starting with '#' is a comment again. */
    in[AOF_MANIFEST_MAX_LINE] = '#';
    cr_assert_eq(aof_manifest_parse(in, strlen(in), &am, &where, &err), VG_OK);
    cr_assert_str_eq(am->base->name, "a");
    aof_manifest_free(am);
}

Test(aof_manifest, fields_as_redis_reads_them) {
    const char order[] = "seq 7 FILE 'my file' Type b other 1\n";
    aof_manifest *am = parse_ok(order, sizeof(order) - 1);
    cr_assert_str_eq(am->base->name, "my file");
    cr_assert_eq(am->base->seq, 7);
    cr_assert_eq(am->base_seq, 7);
    aof_manifest_free(am);

    const char mid[] = "file ab\"c d\" seq 1 type b\n";
    am = parse_ok(mid, sizeof(mid) - 1);
    cr_assert_str_eq(am->base->name, "abc d");
    aof_manifest_free(am);

    const char esc[] = "file \"\\x41\\x4a\\n\\r\\t\\a\\b\\q\\\"\" seq 1 type h\n"
                       "file 'it\\'s' seq 2 type h\n"
                       "file \"a\\x00b\" seq 3 type h\n"
                       "file x seq 4 type h file y\n";
    am = parse_ok(esc, sizeof(esc) - 1);
    cr_assert_eq(am->history.len, 4);
    cr_assert_str_eq(am->history.items[0].name, "AJ\n\r\t\a\bq\"");
    cr_assert_str_eq(am->history.items[1].name, "it's");
    cr_assert_str_eq(am->history.items[2].name, "a");
    cr_assert_str_eq(am->history.items[3].name, "y", "a later key wins");
    cr_assert_eq(am->base, NULL);
    cr_assert_eq(am->base_seq, 0);
    cr_assert_eq(am->incr_seq, 0);
    aof_manifest_free(am);
}

Test(aof_manifest, lists_and_sequences_after_parse) {
    aof_manifest *am = parse_ok(REDIS_NOGC_REWRITE_2, strlen(REDIS_NOGC_REWRITE_2));
    cr_assert_str_eq(am->base->name, "appendonly.aof.3.base.rdb");
    cr_assert_eq(am->base->type, AOF_FILE_BASE);
    cr_assert_eq(am->history.len, 4);
    cr_assert_str_eq(am->history.items[0].name, "appendonly.aof.2.incr.aof");
    cr_assert_str_eq(am->history.items[3].name, "appendonly.aof.1.base.rdb");
    cr_assert_eq(am->incr.len, 1);
    cr_assert_eq(am->incr.items[0].seq, 3);
    cr_assert_eq(am->base_seq, 3);
    cr_assert_eq(am->incr_seq, 3);
    cr_assert_eq(aof_manifest_file_count(am), 2);
    aof_manifest_free(am);
}

Test(aof_manifest, redis_manifests_round_trip_byte_for_byte) {
    for (size_t i = 0; i < VG_ARRAY_LEN(REDIS_MANIFESTS); i++) {
        const char *m = REDIS_MANIFESTS[i];
        aof_manifest *am = parse_ok(m, strlen(m));
        cr_assert_str_eq(formatted(am), m);
        aof_manifest_free(am);
    }
    aof_manifest *am = parse_ok(REDIS_QUOTED_NAME, strlen(REDIS_QUOTED_NAME));
    cr_assert_str_eq(am->base->name, "my \"odd\"\tfile.aof.2.base.rdb");
    aof_manifest_free(am);
}

Test(aof_manifest, format_reorders_and_normalises) {
    /* Any order, comments, CRLF and single quotes in; Redis' form out. */
    const char in[] = "# edited by hand\r\n"
                      "seq 3 type i file c.aof\r\n"
                      "file 'b b' seq 2 type h\n"
                      "  file a.rdb seq 1 type b  \n";
    aof_manifest *am = parse_ok(in, sizeof(in) - 1);
    cr_assert_str_eq(formatted(am), "file a.rdb seq 1 type b\n"
                                    "file \"b b\" seq 2 type h\n"
                                    "file c.aof seq 3 type i\n");
    aof_manifest_free(am);
    aof_manifest *empty = aof_manifest_new();
    cr_assert_str_eq(formatted(empty), "");
    aof_manifest_free(empty);
}

Test(aof_manifest, every_byte_in_a_name_round_trips) {
    /* Each byte but NUL, '/' and '\\', next to a plain letter. */
    aof_manifest *am = aof_manifest_new();
    for (int c = 1; c < 256; c++) {
        if (c == '/' || c == '\\') continue;
        char name[4] = {'n', (char)c, 'x', '\0'};
        aof_file_list *h = &am->history;
        h->items = vg_realloc(h->items, (h->len + 1) * sizeof(h->items[0]));
        h->cap = h->len + 1;
        h->items[h->len++] = (aof_file_info){vg_strdup(name), c, AOF_FILE_HISTORY};
    }
    cr_assert(aof_manifest_check(am));
    const char *text = formatted(am);
    cr_assert(strstr(text, "file \"n\\x01x\" seq 1 type h\n") != NULL);
    cr_assert(strstr(text, "file \"n x\" seq 32 type h\n") != NULL);
    cr_assert(strstr(text, "file \"n\\\"x\" seq 34 type h\n") != NULL);
    cr_assert(strstr(text, "file nax seq 97 type h\n") != NULL);
    cr_assert(strstr(text, "file \"n'x\" seq 39 type h\n") != NULL, "quoted, unlike Redis");
    cr_assert(strstr(text, "file \"n\\x7fx\" seq 127 type h\n") != NULL);
    cr_assert(strstr(text, "file \"n\\xffx\" seq 255 type h\n") != NULL);
    aof_manifest *back = parse_ok(text, strlen(text));
    cr_assert_eq(back->history.len, am->history.len);
    for (size_t i = 0; i < am->history.len; i++) {
        cr_assert_str_eq(back->history.items[i].name, am->history.items[i].name);
        cr_assert_eq(back->history.items[i].seq, am->history.items[i].seq);
    }
    aof_manifest_free(back);
    aof_manifest_free(am);
}

Test(aof_manifest, single_quote_in_a_name_is_quoted) {
    /* With appendfilename "it's.aof" redis-server 7.0.15 wrote the first
     * text and refused it at its next start; it loads the second (checked
     * by hand: the data came back). */
    const char redis_wrote[] = "file it's.aof.1.base.rdb seq 1 type b\n";
    aof_manifest *am;
    vg_error err;
    cr_assert_eq(aof_manifest_parse(redis_wrote, sizeof(redis_wrote) - 1, &am, NULL, &err), VG_ERR);
    cr_assert_str_eq(err.msg, ERR_FORMAT);
    am = aof_manifest_new();
    aof_manifest_new_base(am, "it's.aof", true);
    aof_manifest_last_incr(am, "it's.aof");
    const char *text = formatted(am);
    cr_assert_str_eq(text, "file \"it's.aof.1.base.rdb\" seq 1 type b\n"
                           "file \"it's.aof.1.incr.aof\" seq 1 type i\n");
    aof_manifest *back = parse_ok(text, strlen(text));
    cr_assert_str_eq(back->base->name, "it's.aof.1.base.rdb");
    aof_manifest_free(back);
    aof_manifest_free(am);
}

Test(aof_manifest, names_of_new_files) {
    aof_manifest *am = aof_manifest_new();
    cr_assert_str_eq(aof_manifest_new_base(am, "appendonly.aof", true),
                     "appendonly.aof.1.base.rdb");
    cr_assert(am->dirty);
    cr_assert_str_eq(aof_manifest_new_base(am, "appendonly.aof", false),
                     "appendonly.aof.2.base.aof");
    cr_assert_str_eq(am->history.items[0].name, "appendonly.aof.1.base.rdb");
    cr_assert_eq(am->history.items[0].type, AOF_FILE_HISTORY);
    cr_assert_str_eq(aof_manifest_last_incr(am, "x.aof"), "x.aof.1.incr.aof");
    cr_assert_str_eq(aof_manifest_last_incr(am, "x.aof"), "x.aof.1.incr.aof", "no second one");
    cr_assert_str_eq(aof_manifest_new_incr(am, "x.aof"), "x.aof.2.incr.aof");
    cr_assert(aof_manifest_check(am));
    aof_manifest_free(am);

    buf b;
    buf_init(&b);
    aof_manifest_file_name(&b, "appendonly.aof");
    buf_append_char(&b, '|');
    aof_manifest_temp_file_name(&b, "appendonly.aof");
    buf_append_char(&b, '|');
    aof_manifest_temp_incr_name(&b, "appendonly.aof");
    cr_assert_str_eq(b.data, "appendonly.aof.manifest|temp-appendonly.aof.manifest|"
                             "temp-appendonly.aof.incr");
    buf_free(&b);
}

/* One BGREWRITEAOF with appendonly yes: a new incr when it starts, the
 * manifest edits when it succeeds, and with gc the history deleted. */
static void bgrewriteaof_on(aof_manifest *am, const char *f, bool gc) {
    const char *base, *incr;
    aof_manifest_new_incr(am, f);
    cr_assert(aof_manifest_check(am));
    cr_assert_eq(aof_manifest_rewrite_done(am, f, true, AOF_REWRITE_AOF_ON, &base, &incr, NULL),
                 VG_OK);
    cr_assert_null(incr);
    cr_assert_str_eq(base, am->base->name);
    cr_assert(aof_manifest_check(am));
    if (gc) aof_manifest_history_clear(am);
    cr_assert(aof_manifest_check(am));
}

/* What Redis does starting with appendonly yes and no manifest. */
static aof_manifest *server_start(const char *f) {
    aof_manifest *am = aof_manifest_new();
    aof_manifest_new_base(am, f, true);
    aof_manifest_last_incr(am, f);
    cr_assert(aof_manifest_check(am));
    return am;
}

Test(aof_manifest, replays_redis_rewrite_with_gc) {
    aof_manifest *am = server_start("appendonly.aof");
    cr_assert_str_eq(formatted(am), REDIS_START);
    bgrewriteaof_on(am, "appendonly.aof", true);
    cr_assert_str_eq(formatted(am), REDIS_AFTER_BGREWRITEAOF);
    aof_manifest_free(am);
}

Test(aof_manifest, replays_redis_rewrites_without_gc) {
    aof_manifest *am = server_start("appendonly.aof");
    bgrewriteaof_on(am, "appendonly.aof", false);
    cr_assert_str_eq(formatted(am), REDIS_NOGC_REWRITE_1);
    bgrewriteaof_on(am, "appendonly.aof", false);
    cr_assert_str_eq(formatted(am), REDIS_NOGC_REWRITE_2);

    /* CONFIG SET appendonly no; BGREWRITEAOF: no new incr, all to history. */
    const char *base, *incr;
    cr_assert_eq(aof_manifest_rewrite_done(am, "appendonly.aof", true, AOF_REWRITE_AOF_OFF, &base,
                                           &incr, NULL),
                 VG_OK);
    cr_assert_null(incr);
    cr_assert(aof_manifest_check(am));
    cr_assert_str_eq(formatted(am), REDIS_NOGC_REWRITE_AOF_OFF);
    cr_assert_eq(am->incr.len, 0);
    cr_assert_eq(am->incr_seq, 3, "the incr sequence is remembered");

    /* CONFIG SET appendonly yes: the temp incr becomes the next number. */
    cr_assert_eq(aof_manifest_rewrite_done(am, "appendonly.aof", true, AOF_REWRITE_AOF_WAIT, &base,
                                           &incr, NULL),
                 VG_OK);
    cr_assert_str_eq(base, "appendonly.aof.5.base.rdb");
    cr_assert_str_eq(incr, "appendonly.aof.4.incr.aof");
    cr_assert(aof_manifest_check(am));
    cr_assert_str_eq(formatted(am), REDIS_NOGC_TURNED_ON);
    aof_manifest_free(am);
}

Test(aof_manifest, replays_quoted_name_and_no_preamble) {
    const char *f = "my \"odd\"\tfile.aof";
    aof_manifest *am = server_start(f);
    bgrewriteaof_on(am, f, false);
    cr_assert_str_eq(formatted(am), REDIS_QUOTED_NAME);
    aof_manifest_free(am);

    am = aof_manifest_new();
    aof_manifest_new_base(am, "appendonly.aof", false);
    aof_manifest_last_incr(am, "appendonly.aof");
    const char *base, *incr;
    aof_manifest_new_incr(am, "appendonly.aof");
    cr_assert_eq(aof_manifest_rewrite_done(am, "appendonly.aof", false, AOF_REWRITE_AOF_ON, &base,
                                           &incr, NULL),
                 VG_OK);
    aof_manifest_history_clear(am);
    cr_assert_str_eq(formatted(am), REDIS_NO_PREAMBLE);
    aof_manifest_free(am);
}

Test(aof_manifest, turning_on_from_nothing) {
    /* appendonly no at start, then CONFIG SET appendonly yes. */
    aof_manifest *am = aof_manifest_new();
    const char *base, *incr;
    cr_assert_eq(aof_manifest_rewrite_done(am, "appendonly.aof", true, AOF_REWRITE_AOF_WAIT, &base,
                                           &incr, NULL),
                 VG_OK);
    cr_assert_str_eq(formatted(am), REDIS_START);
    aof_manifest_free(am);
}

Test(aof_manifest, continues_a_parsed_manifest) {
    aof_manifest *am = parse_ok(REDIS_NOGC_REWRITE_1, strlen(REDIS_NOGC_REWRITE_1));
    bgrewriteaof_on(am, "appendonly.aof", false);
    cr_assert_str_eq(formatted(am), REDIS_NOGC_REWRITE_2);
    aof_manifest_free(am);
}

Test(aof_manifest, dup_is_deep_and_edits_stay_apart) {
    aof_manifest *am = parse_ok(REDIS_NOGC_REWRITE_2, strlen(REDIS_NOGC_REWRITE_2));
    aof_manifest *copy = aof_manifest_dup(am);
    bgrewriteaof_on(copy, "appendonly.aof", true);
    cr_assert_str_eq(formatted(am), REDIS_NOGC_REWRITE_2);
    cr_assert_neq(copy->base->name, am->base->name);
    cr_assert_str_eq(copy->base->name, "appendonly.aof.4.base.rdb");
    aof_manifest_free(copy);
    aof_manifest *empty = aof_manifest_new();
    copy = aof_manifest_dup(empty);
    cr_assert_null(copy->base);
    aof_manifest_free(copy);
    aof_manifest_free(empty);
    aof_manifest_free(am);
    aof_manifest_free(NULL);
}

Test(aof_manifest, sequences_stop_at_llong_max) {
    const char in[] = "file b seq 9223372036854775807 type b\n"
                      "file i seq 9223372036854775807 type i\n";
    aof_manifest *am = parse_ok(in, sizeof(in) - 1);
    cr_assert_null(aof_manifest_new_base(am, "f", true));
    cr_assert_null(aof_manifest_new_incr(am, "f"));
    const char *base, *incr;
    vg_error err;
    cr_assert_eq(aof_manifest_rewrite_done(am, "f", true, AOF_REWRITE_AOF_ON, &base, &incr, &err),
                 VG_ERR);
    cr_assert_str_eq(err.msg, "AOF file sequence numbers are exhausted");
    cr_assert_null(base);
    cr_assert(!am->dirty);
    cr_assert_str_eq(formatted(am), in);
    aof_manifest_free(am);
}

Test(aof_manifest, incr_to_history_keeps_order) {
    aof_manifest *am = aof_manifest_new();
    for (int i = 0; i < 4; i++)
        aof_manifest_new_incr(am, "f");
    am->dirty = false;
    aof_manifest_incr_to_history(am, true);
    cr_assert(am->dirty);
    cr_assert_eq(am->incr.len, 1);
    cr_assert_eq(am->incr.items[0].seq, 4);
    cr_assert_eq(am->history.len, 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(am->history.items[i].seq, (long long)i + 1);
    cr_assert(aof_manifest_check(am));
    aof_manifest_free(am);

    /* Nothing to move leaves it clean; so does clearing no history. */
    am = aof_manifest_new();
    aof_manifest_incr_to_history(am, false);
    aof_manifest_history_clear(am);
    cr_assert(!am->dirty);
    aof_manifest_free(am);
}

Test(aof_manifest, check_catches_broken_invariants) {
    aof_manifest *am = parse_ok(REDIS_NOGC_REWRITE_1, strlen(REDIS_NOGC_REWRITE_1));
    am->history.items[0].type = AOF_FILE_INCR;
    cr_assert(!aof_manifest_check(am));
    am->history.items[0].type = AOF_FILE_HISTORY;
    aof_manifest_new_incr(am, "f");
    am->incr.items[1].seq = 1;
    cr_assert(!aof_manifest_check(am));
    aof_manifest_free(am);
}
