/* test_glob.c -- unit tests for Redis-style glob matching (proto/glob.c).
 *
 * Owns: nothing shared. The table of (pattern, subject, result) rows was
 * checked against Debian's redis-server 7.0.15 through PSUBSCRIBE/PUBLISH,
 * which uses the same matcher, so it pins Redis' semantics including its odd
 * corners: an unterminated class, "[a-]" as a range up to ']', no "[!" negation,
 * escapes inside classes. Pathological patterns must finish quickly. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"

typedef struct glob_case {
    const char *pat;
    const char *str;
    bool match;
} glob_case;

static const glob_case CASES[] = {
    {"*", "anything", true},
    {"*", "x", true},
    {"?", "a", true},
    {"?", "ab", false},
    {"?", "", false},
    {"h?llo", "hello", true},
    {"h?llo", "hallo", true},
    {"h?llo", "hllo", false},
    {"h*llo", "hllo", true},
    {"h*llo", "heeeello", true},
    {"h*llo", "hello world", false},
    {"h[ae]llo", "hello", true},
    {"h[ae]llo", "hallo", true},
    {"h[ae]llo", "hillo", false},
    {"h[^e]llo", "hallo", true},
    {"h[^e]llo", "hello", false},
    {"h[a-b]llo", "hallo", true},
    {"h[a-b]llo", "hbllo", true},
    {"h[a-b]llo", "hcllo", false},
    {"h[b-a]llo", "hallo", true},
    {"[a-z]", "m", true},
    {"[a-z]", "M", false},
    {"[A-Z0-9]", "7", true},
    {"[^a-z]", "m", false},
    {"[^a-z]", "7", true},
    {"\\*", "*", true},
    {"\\*", "a", false},
    {"\\?", "?", true},
    {"\\?", "x", false},
    {"a\\[b", "a[b", true},
    {"\\\\", "\\", true},
    {"\\", "\\", true},
    {"\\a", "a", true},
    {"[\\]]", "]", true},
    {"[\\-]", "-", true},
    {"[a\\-z]", "b", false},
    {"[a\\-z]", "-", true},
    {"[", "[", false},
    {"a[", "a[", false},
    {"[^", "x", true},
    {"[^", "[", true},
    {"[a-]", "a", true},
    {"[a-]", "]", true},
    {"[a-]", "-", false},
    {"[!a]", "!", true},
    {"[!a]", "b", false},
    {"[]]", "]", false},
    {"[]a]", "a", false},
    {"[]a]", "]a]", false},
    {"a*", "a", true},
    {"a**", "a", true},
    {"a*b*c", "abc", true},
    {"a*b*c", "aXbYc", true},
    {"a*b*c", "aXbY", false},
    {"*a", "ba", true},
    {"*a", "ab", false},
    {"**a**", "xxaxx", true},
    {"a?*", "a", false},
    {"a?*", "ab", true},
    {"*?", "x", true},
    {"foo", "foo", true},
    {"foo", "fo", false},
    {"foo", "fooo", false},
    {"", "a", false},
    {"user:*:name", "user:1000:name", true},
    {"user:*:name", "user:1000:nam", false},
    {"a*?b", "acb", true},
    {"a*?b", "ab", false},
    {"*[0-9]", "abc7", true},
    {"*[0-9]", "abc", false},
};

static bool gm(const char *pat, const char *str, bool nocase) {
    return glob_match(pat, strlen(pat), str, strlen(str), nocase);
}

Test(glob, matches_like_redis_7_0) {
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const glob_case *c = &CASES[i];
        cr_expect_eq(gm(c->pat, c->str, false), c->match, "pattern '%s' on '%s': expected %s",
                     c->pat, c->str, c->match ? "match" : "no match");
    }
}

Test(glob, star_matches_the_empty_string) {
    /* Redis 7.0 answers no here (its loop never runs on an empty subject);
     * KEYS and SCAN special-case "*" before matching, so only PSUBSCRIBE to
     * an empty channel name could tell. We match, which is the sane answer. */
    cr_assert(gm("*", "", false));
    cr_assert(gm("**", "", false));
    cr_assert_not(gm("?", "", false));
    cr_assert(gm("", "", false));
}

Test(glob, nocase_folds_letters) {
    cr_assert(gm("HELLO", "hello", true));
    cr_assert(gm("h*O", "HellO", true));
    cr_assert_not(gm("HELLO", "hello", false));
    cr_assert(gm("[A-C]x", "bX", true));
    cr_assert(gm("[a-c]x", "BX", true));
    cr_assert_not(gm("[a-c]x", "BX", false));
    cr_assert(gm("[^a]", "b", true));
    cr_assert_not(gm("[^a]", "A", true));
    cr_assert(gm("[xY]", "y", true));
}

Test(glob, escaped_class_member_is_matched_exactly_even_with_nocase) {
    /* Redis compares "\\x" inside a class without folding case. */
    cr_assert(gm("[\\a]", "a", true));
    cr_assert_not(gm("[\\a]", "A", true));
}

Test(glob, binary_safe_subjects_and_patterns) {
    cr_assert(glob_match("a\0*", 3, "a\0bc", 4, false));
    cr_assert_not(glob_match("a\0*", 3, "a\1bc", 4, false));
    cr_assert(glob_match("?\0", 2, "\xff\0", 2, false));
    cr_assert(glob_match("[\x01-\x03]", 5, "\x02", 1, false));
    cr_assert(glob_match("*", 1, "\0\0\0", 3, false));
    /* Bytes above 0x7f are not negative characters in ranges. */
    cr_assert(glob_match("[\x80-\xff]", 5, "\xc3", 1, false));
    cr_assert_not(glob_match("[\x80-\xff]", 5, "a", 1, false));
}

Test(glob, pathological_stars_terminate) {
    /* "a*a*a*...b" against a long run of 'a': exponential without the
     * skip-longer-matches cut. */
    char pat[200], str[10001];
    size_t p = 0;
    for (int i = 0; i < 40; i++) {
        pat[p++] = 'a';
        pat[p++] = '*';
    }
    pat[p++] = 'b';
    memset(str, 'a', sizeof(str) - 1);
    str[sizeof(str) - 1] = '\0';
    cr_assert_not(glob_match(pat, p, str, sizeof(str) - 1, false));
    cr_assert_not(glob_match(pat, p, str, sizeof(str) - 1, true));
}

Test(glob, deeply_nested_stars_do_not_exhaust_the_stack) {
    size_t n = 100000;
    char *pat = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        pat[2 * i] = '*';
        pat[2 * i + 1] = 'a';
    }
    char *str = malloc(n + 1);
    memset(str, 'a', n);
    /* Too deep to decide by recursion: must give up (no match), not crash. */
    cr_assert_not(glob_match(pat, 2 * n, str, n - 1, false));
    /* Consecutive stars collapse, so a long run of them is cheap and matches. */
    memset(pat, '*', 2 * n);
    cr_assert(glob_match(pat, 2 * n, str, n, false));
    free(pat);
    free(str);
}

Test(glob, many_classes_against_long_subject_terminate) {
    char pat[64];
    size_t p = 0;
    for (int i = 0; i < 10; i++) {
        memcpy(pat + p, "*[ab]", 5);
        p += 5;
    }
    pat[p++] = 'c';
    char str[4001];
    for (int i = 0; i < 4000; i++)
        str[i] = i % 2 ? 'a' : 'b';
    str[4000] = '\0';
    cr_assert_not(glob_match(pat, p, str, 4000, false));
}

Test(glob, literal_detection) {
    cr_assert(glob_is_literal("hello", 5));
    cr_assert(glob_is_literal("", 0));
    cr_assert(glob_is_literal("a-b]c^", 6));
    cr_assert_not(glob_is_literal("a*", 2));
    cr_assert_not(glob_is_literal("a?", 2));
    cr_assert_not(glob_is_literal("[a]", 3));
    cr_assert_not(glob_is_literal("a\\b", 3));
    cr_assert(glob_is_literal("a\0b", 3));
}
