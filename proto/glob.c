/* glob.c -- Redis-style glob matching.
 *
 * Owns: nothing. Iterative on single characters, recursive only on '*',
 * bounded by a nesting counter (a pattern like "a*a*a*...b" against a long
 * string would otherwise take exponential time). */
#include "glob.h"

#include <ctype.h>

#define GLOB_MAX_NESTING 1000

static int fold(int c, bool nocase) {
    return nocase ? tolower(c) : c;
}

static bool match(const char *p, size_t plen, const char *s, size_t slen, bool nocase, int nesting,
                  bool *skip_longer) {
    if (nesting > GLOB_MAX_NESTING) return false;
    while (plen && slen) {
        switch (p[0]) {
        case '*':
            while (plen > 1 && p[1] == '*') {
                p++;
                plen--;
            }
            if (plen == 1) return true;
            while (slen) {
                if (match(p + 1, plen - 1, s, slen, nocase, nesting + 1, skip_longer)) return true;
                if (*skip_longer) return false;
                s++;
                slen--;
            }
            *skip_longer = true;
            return false;
        case '?':
            s++;
            slen--;
            break;
        case '[': {
            p++;
            plen--;
            bool neg = plen && p[0] == '^';
            if (neg) {
                p++;
                plen--;
            }
            bool hit = false;
            while (plen && p[0] != ']') {
                if (p[0] == '\\' && plen >= 2) {
                    p++;
                    plen--;
                    if (p[0] == s[0]) hit = true;
                } else if (plen >= 3 && p[1] == '-') {
                    int lo = fold((unsigned char)p[0], nocase),
                        hi = fold((unsigned char)p[2], nocase);
                    int c = fold((unsigned char)s[0], nocase);
                    if (lo > hi) {
                        int t = lo;
                        lo = hi;
                        hi = t;
                    }
                    if (c >= lo && c <= hi) hit = true;
                    p += 2;
                    plen -= 2;
                } else if (fold((unsigned char)p[0], nocase) == fold((unsigned char)s[0], nocase)) {
                    hit = true;
                }
                p++;
                plen--;
            }
            if (plen == 0) { /* unterminated class: treat end as ']' */
                p--;
                plen++;
            }
            if (neg) hit = !hit;
            if (!hit) return false;
            s++;
            slen--;
            break;
        }
        case '\\':
            if (plen >= 2) {
                p++;
                plen--;
            }
            /* fall through */
        default:
            if (fold((unsigned char)p[0], nocase) != fold((unsigned char)s[0], nocase))
                return false;
            s++;
            slen--;
            break;
        }
        p++;
        plen--;
        if (slen == 0) {
            while (plen && p[0] == '*') {
                p++;
                plen--;
            }
            break;
        }
    }
    if (slen == 0)
        while (plen && p[0] == '*') {
            p++;
            plen--;
        }
    return plen == 0 && slen == 0;
}

bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase) {
    bool skip_longer = false;
    return match(pat, plen, str, slen, nocase, 0, &skip_longer);
}

bool glob_is_literal(const char *pat, size_t plen) {
    for (size_t i = 0; i < plen; i++)
        if (pat[i] == '*' || pat[i] == '?' || pat[i] == '[' || pat[i] == '\\') return false;
    return true;
}
