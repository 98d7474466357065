/* aof_manifest.c -- parse, format and edit Redis 7.0's AOF manifest.
 *
 * Owns: each aof_manifest's entries and names. Pure: text in, text out.
 *
 * Reading follows Redis 7.0.15's loader fact for fact, so a manifest loads
 * here exactly when it loads there, with the same sentence at the same line:
 *   - lines are what fgets() with a 1025-byte buffer returns: up to 1024
 *     bytes, through the newline. A line starting with '#' is skipped (a
 *     longer comment goes on as a new line); any other line without its
 *     newline (too long, a NUL byte inside, or the file's last line left
 *     unterminated) is refused as too long;
 *   - the line is trimmed of " \t\r\n" (empty: invalid format) and split as
 *     sdssplitargs() splits; it needs an even count of at least 6 words;
 *   - keys "file", "seq", "type" in any order and any case, later ones win,
 *     unknown keys ignored (forward compatibility); words are read as C
 *     strings, so a quoted "\x00" ends one.
 * Stricter than Redis only where it reads a value it never writes: the
 * seq must be a whole decimal number from 1 (atoll would take "5x" as 5 and
 * "-1" as -1), the type one character (Redis uses the first of "base"), and
 * the name non-empty. Each is "Invalid AOF manifest file format" or, for a
 * type, "Unknown AOF file type".
 *
 * Writing is byte for byte Redis' except for a name holding a single quote,
 * which we quote so that it reads back (Redis reads our form too). */
#include "aof_manifest.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "vg_alloc.h"

#define KEY_FILE "file"
#define KEY_SEQ "seq"
#define KEY_TYPE "type"

#define ERR_FORMAT "Invalid AOF manifest file format"
#define ERR_EMPTY "Found an empty AOF manifest"
#define ERR_LONG_LINE "The AOF manifest file contains too long line"
#define ERR_PATH "File can't be a path, just a filename"
#define ERR_DUP_BASE "Found duplicate base file information"
#define ERR_NON_MONOTONIC "Found a non-monotonic sequence number"
#define ERR_UNKNOWN_TYPE "Unknown AOF file type"

/* ------------------------------------------------------------------------
 * Entries and lists
 * ------------------------------------------------------------------------ */

aof_manifest *aof_manifest_new(void) {
    return vg_calloc(sizeof(aof_manifest));
}

static void list_clear(aof_file_list *l) {
    for (size_t i = 0; i < l->len; i++)
        vg_free(l->items[i].name);
    vg_free(l->items);
    memset(l, 0, sizeof(*l));
}

void aof_manifest_free(aof_manifest *am) {
    if (am == NULL) return;
    if (am->base != NULL) vg_free(am->base->name);
    vg_free(am->base);
    list_clear(&am->history);
    list_clear(&am->incr);
    vg_free(am);
}

/* Make room for one more entry at index at (0 <= at <= len), which the
 * caller fills (takes ownership of the name it stores there). */
static aof_file_info *list_open_slot(aof_file_list *l, size_t at) {
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->items = vg_realloc(l->items, l->cap * sizeof(l->items[0]));
    }
    memmove(&l->items[at + 1], &l->items[at], (l->len - at) * sizeof(l->items[0]));
    l->len++;
    return &l->items[at];
}

/* Takes name. */
static void list_insert(aof_file_list *l, size_t at, char *name, long long seq,
                        aof_file_type type) {
    aof_file_info *fi = list_open_slot(l, at);
    fi->name = name;
    fi->seq = seq;
    fi->type = type;
}

static void list_copy(aof_file_list *dst, const aof_file_list *src) {
    memset(dst, 0, sizeof(*dst));
    for (size_t i = 0; i < src->len; i++)
        list_insert(dst, i, vg_strdup(src->items[i].name), src->items[i].seq, src->items[i].type);
}

aof_manifest *aof_manifest_dup(const aof_manifest *am) {
    aof_manifest *copy = aof_manifest_new();
    if (am->base != NULL) {
        copy->base = vg_malloc(sizeof(*copy->base));
        *copy->base = *am->base;
        copy->base->name = vg_strdup(am->base->name);
    }
    list_copy(&copy->history, &am->history);
    list_copy(&copy->incr, &am->incr);
    copy->base_seq = am->base_seq;
    copy->incr_seq = am->incr_seq;
    copy->dirty = am->dirty;
    return copy;
}

/* ------------------------------------------------------------------------
 * Formatting
 * ------------------------------------------------------------------------ */

/* C-locale isprint / isspace, spelled out so no locale can change them. */
static bool byte_printable(unsigned char c) {
    return c >= 0x20 && c <= 0x7e;
}

static bool byte_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Whether the name is written quoted: where Redis quotes it (sdsneedsrepr),
 * and also for a single quote, which Redis writes bare and then cannot read
 * back (appendfilename "it's.aof" stops 7.0.15 at its next start). */
static bool name_needs_quotes(const char *name) {
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p == '\\' || *p == '"' || *p == '\'' || !byte_printable(*p) || byte_space(*p))
            return true;
    return false;
}

/* The name double-quoted with Redis' escapes (sdscatrepr). */
static void append_quoted(buf *out, const char *name) {
    buf_append_char(out, '"');
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        switch (*p) {
        case '\\':
            buf_append_str(out, "\\\\");
            break;
        case '"':
            buf_append_str(out, "\\\"");
            break;
        case '\n':
            buf_append_str(out, "\\n");
            break;
        case '\r':
            buf_append_str(out, "\\r");
            break;
        case '\t':
            buf_append_str(out, "\\t");
            break;
        case '\a':
            buf_append_str(out, "\\a");
            break;
        case '\b':
            buf_append_str(out, "\\b");
            break;
        default:
            if (byte_printable(*p))
                buf_append_char(out, (char)*p);
            else
                buf_append_fmt(out, "\\x%02x", *p);
        }
    }
    buf_append_char(out, '"');
}

static void append_entry(buf *out, const aof_file_info *fi) {
    buf_append_str(out, KEY_FILE " ");
    if (name_needs_quotes(fi->name))
        append_quoted(out, fi->name);
    else
        buf_append_str(out, fi->name);
    buf_append_fmt(out, " " KEY_SEQ " %lld " KEY_TYPE " %c\n", fi->seq, (char)fi->type);
}

void aof_manifest_format(const aof_manifest *am, buf *out) {
    if (am->base != NULL) append_entry(out, am->base);
    for (size_t i = 0; i < am->history.len; i++)
        append_entry(out, &am->history.items[i]);
    for (size_t i = 0; i < am->incr.len; i++)
        append_entry(out, &am->incr.items[i]);
}

/* ------------------------------------------------------------------------
 * Splitting a line into words (Redis' sdssplitargs)
 * ------------------------------------------------------------------------ */

/* Decoded words never outgrow their line, plus one NUL each; a word takes
 * at least one byte and one separator, except the last. */
typedef struct line_words {
    char store[2 * AOF_MANIFEST_MAX_LINE + 2]; /* the words, NUL-terminated */
    const char *argv[AOF_MANIFEST_MAX_LINE / 2 + 2];
    int argc;
} line_words;

typedef struct line_cursor {
    const char *s; /* borrowed: the trimmed line, no NUL inside */
    size_t n;      /* its length */
    size_t i;      /* next byte */
} line_cursor;

/* The byte at i, or 0 past the end (the splitter reads a C string). */
static char at(const line_cursor *c, size_t i) {
    return i < c->n ? c->s[i] : '\0';
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A closing quote must end the line or precede a space. */
static bool quote_closes(const line_cursor *c) {
    char next = at(c, c->i + 1);
    return next == '\0' || byte_space((unsigned char)next);
}

/* Inside "...": one step at c->i, appending to *dst. 1: word continues,
 * 0: closed, -1: malformed. */
static int double_quoted_step(line_cursor *c, char **dst) {
    char ch = at(c, c->i);
    if (ch == '\\' && at(c, c->i + 1) == 'x' && hex_value(at(c, c->i + 2)) >= 0 &&
        hex_value(at(c, c->i + 3)) >= 0) {
        *(*dst)++ = (char)(hex_value(at(c, c->i + 2)) * 16 + hex_value(at(c, c->i + 3)));
        c->i += 4;
        return 1;
    }
    if (ch == '\\' && at(c, c->i + 1) != '\0') {
        char e = at(c, c->i + 1);
        *(*dst)++ = e == 'n'   ? '\n'
                    : e == 'r' ? '\r'
                    : e == 't' ? '\t'
                    : e == 'b' ? '\b'
                    : e == 'a' ? '\a'
                               : e;
        c->i += 2;
        return 1;
    }
    if (ch == '"') {
        if (!quote_closes(c)) return -1;
        c->i++;
        return 0;
    }
    if (ch == '\0') return -1; /* unterminated */
    *(*dst)++ = ch;
    c->i++;
    return 1;
}

/* Inside '...': only \' is an escape. Same returns as above. */
static int single_quoted_step(line_cursor *c, char **dst) {
    char ch = at(c, c->i);
    if (ch == '\\' && at(c, c->i + 1) == '\'') {
        *(*dst)++ = '\'';
        c->i += 2;
        return 1;
    }
    if (ch == '\'') {
        if (!quote_closes(c)) return -1;
        c->i++;
        return 0;
    }
    if (ch == '\0') return -1;
    *(*dst)++ = ch;
    c->i++;
    return 1;
}

/* One word starting at c->i (not a blank), written at dst and NUL-ended.
 * Returns the byte after its NUL, or NULL when malformed. A quote opens
 * quoting even mid-word, as in Redis ("ab\"c d\"" is "abc d"). */
static char *split_word(line_cursor *c, char *dst) {
    for (;;) {
        char ch = at(c, c->i);
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\0') break;
        if (ch == '"' || ch == '\'') {
            int (*step)(line_cursor *, char **) =
                ch == '"' ? double_quoted_step : single_quoted_step;
            int rc;
            c->i++;
            while ((rc = step(c, &dst)) == 1) {
            }
            if (rc < 0) return NULL;
            break; /* the closing quote ends the word */
        }
        *dst++ = ch;
        c->i++;
    }
    *dst++ = '\0';
    return dst;
}

static bool split_line(const char *s, size_t n, line_words *w) {
    line_cursor c = {s, n, 0};
    char *dst = w->store;
    w->argc = 0;
    for (;;) {
        while (c.i < n && byte_space((unsigned char)s[c.i]))
            c.i++;
        if (c.i >= n) return true;
        if (w->argc == (int)VG_ARRAY_LEN(w->argv)) return false;
        w->argv[w->argc] = dst;
        dst = split_word(&c, dst);
        if (dst == NULL) return false;
        w->argc++;
    }
}

/* ------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------ */

typedef struct parse_state {
    aof_manifest *am;       /* owned until handed out */
    long long max_incr_seq; /* for the monotonic check */
    const char *err;        /* Redis' sentence, or NULL */
} parse_state;

static bool name_is_base_name(const char *name) {
    return strchr(name, '/') == NULL && strchr(name, '\\') == NULL;
}

/* Read one line's words into name/seq/type. NULL: fine; else the error. */
static const char *line_fields(const line_words *w, const char **name, long long *seq,
                               const char **type) {
    *name = NULL;
    *type = NULL;
    *seq = 0;
    if (w->argc < 6 || w->argc % 2 != 0) return ERR_FORMAT;
    const char *seq_word = NULL;
    for (int i = 0; i < w->argc; i += 2) {
        const char *key = w->argv[i], *val = w->argv[i + 1];
        if (strcasecmp(key, KEY_FILE) == 0) {
            if (!name_is_base_name(val)) return ERR_PATH;
            *name = val;
        } else if (strcasecmp(key, KEY_SEQ) == 0) {
            seq_word = val;
        } else if (strcasecmp(key, KEY_TYPE) == 0) {
            *type = val;
        }
    }
    if (seq_word != NULL && (!vg_str2ll(seq_word, strlen(seq_word), seq) || *seq < 1)) *seq = 0;
    if (*name == NULL || **name == '\0' || *seq == 0 || *type == NULL || **type == '\0')
        return ERR_FORMAT;
    return NULL;
}

/* Add the entry a line described. NULL: fine; else the error. */
static const char *add_entry(parse_state *ps, const char *name, long long seq, const char *type) {
    aof_manifest *am = ps->am;
    char t = type[1] == '\0' ? type[0] : '\0';
    if (t == AOF_FILE_BASE) {
        if (am->base != NULL) return ERR_DUP_BASE;
        am->base = vg_malloc(sizeof(*am->base));
        am->base->name = vg_strdup(name);
        am->base->seq = seq;
        am->base->type = AOF_FILE_BASE;
        am->base_seq = seq;
    } else if (t == AOF_FILE_HISTORY) {
        list_insert(&am->history, am->history.len, vg_strdup(name), seq, AOF_FILE_HISTORY);
    } else if (t == AOF_FILE_INCR) {
        if (seq <= ps->max_incr_seq) return ERR_NON_MONOTONIC;
        list_insert(&am->incr, am->incr.len, vg_strdup(name), seq, AOF_FILE_INCR);
        am->incr_seq = seq;
        ps->max_incr_seq = seq;
    } else {
        return ERR_UNKNOWN_TYPE;
    }
    return NULL;
}

static bool is_trimmed(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One line, newline excluded. NULL: fine; else the error. */
static const char *parse_line(parse_state *ps, const char *s, size_t n) {
    while (n > 0 && is_trimmed(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_trimmed(s[n - 1]))
        n--;
    if (n == 0) return ERR_FORMAT;
    line_words w;
    if (!split_line(s, n, &w)) return ERR_FORMAT;
    const char *name, *type;
    long long seq;
    const char *err = line_fields(&w, &name, &seq, &type);
    return err != NULL ? err : add_entry(ps, name, seq, type);
}

/* The next line as fgets(buf, AOF_MANIFEST_MAX_LINE + 1) reads it: up to
 * AOF_MANIFEST_MAX_LINE bytes, through the first newline. */
static size_t next_chunk(const char *text, size_t len, size_t off) {
    size_t max = len - off < AOF_MANIFEST_MAX_LINE ? len - off : AOF_MANIFEST_MAX_LINE;
    const char *nl = memchr(text + off, '\n', max);
    return nl != NULL ? (size_t)(nl - (text + off)) + 1 : max;
}

static void where_set(aof_manifest_where *where, int line, size_t off, size_t len) {
    if (where == NULL) return;
    where->line = line;
    where->off = off;
    where->len = len;
}

int aof_manifest_parse(const char *text, size_t len, aof_manifest **out, aof_manifest_where *where,
                       vg_error *err) {
    *out = NULL;
    where_set(where, 0, 0, 0);
    if (len == 0) {
        vg_error_set(err, "%s", ERR_EMPTY);
        return VG_ERR;
    }
    parse_state ps = {aof_manifest_new(), 0, NULL};
    int line = 0;
    size_t off = 0, n = 0;
    for (; off < len && ps.err == NULL; off += n) {
        n = next_chunk(text, len, off);
        line++;
        if (text[off] == '#') continue;
        /* Redis looks for the newline with strchr, which stops at a NUL. */
        const char *nul = memchr(text + off, '\0', n);
        if (text[off + n - 1] != '\n' || nul != NULL)
            ps.err = ERR_LONG_LINE;
        else
            ps.err = parse_line(&ps, text + off, n - 1);
    }
    if (ps.err != NULL) {
        off -= n;
        where_set(where, line, off, text[off + n - 1] == '\n' ? n - 1 : n);
        vg_error_set(err, "%s", ps.err);
        aof_manifest_free(ps.am);
        return VG_ERR;
    }
    *out = ps.am;
    return VG_OK;
}

/* ------------------------------------------------------------------------
 * Edits
 * ------------------------------------------------------------------------ */

const char *aof_manifest_new_base(aof_manifest *am, const char *aof_filename, bool rdb_preamble) {
    if (am->base_seq == LLONG_MAX) return NULL;
    if (am->base != NULL) {
        list_insert(&am->history, 0, am->base->name, am->base->seq, AOF_FILE_HISTORY);
        vg_free(am->base);
    }
    buf name;
    buf_init(&name);
    am->base_seq++;
    buf_append_fmt(&name, "%s.%lld.base.%s", aof_filename, am->base_seq,
                   rdb_preamble ? "rdb" : "aof");
    am->base = vg_malloc(sizeof(*am->base));
    am->base->name = vg_strdup(name.data);
    am->base->seq = am->base_seq;
    am->base->type = AOF_FILE_BASE;
    buf_free(&name);
    am->dirty = true;
    return am->base->name;
}

const char *aof_manifest_new_incr(aof_manifest *am, const char *aof_filename) {
    if (am->incr_seq == LLONG_MAX) return NULL;
    buf name;
    buf_init(&name);
    am->incr_seq++;
    buf_append_fmt(&name, "%s.%lld.incr.aof", aof_filename, am->incr_seq);
    list_insert(&am->incr, am->incr.len, vg_strdup(name.data), am->incr_seq, AOF_FILE_INCR);
    buf_free(&name);
    am->dirty = true;
    return am->incr.items[am->incr.len - 1].name;
}

const char *aof_manifest_last_incr(aof_manifest *am, const char *aof_filename) {
    if (am->incr.len == 0) return aof_manifest_new_incr(am, aof_filename);
    return am->incr.items[am->incr.len - 1].name;
}

void aof_manifest_incr_to_history(aof_manifest *am, bool keep_last) {
    if (am->incr.len == 0) return;
    size_t moving = keep_last ? am->incr.len - 1 : am->incr.len;
    /* As Redis walks its list from the tail putting each at the head: the
     * moved files keep their order and go ahead of the older history. */
    for (size_t k = moving; k-- > 0;) {
        aof_file_info *fi = &am->incr.items[k];
        list_insert(&am->history, 0, fi->name, fi->seq, AOF_FILE_HISTORY);
    }
    memmove(&am->incr.items[0], &am->incr.items[moving],
            (am->incr.len - moving) * sizeof(am->incr.items[0]));
    am->incr.len -= moving;
    am->dirty = true;
}

void aof_manifest_history_clear(aof_manifest *am) {
    if (am->history.len == 0) return;
    list_clear(&am->history);
    am->dirty = true;
}

int aof_manifest_rewrite_done(aof_manifest *am, const char *aof_filename, bool rdb_preamble,
                              aof_rewrite_mode mode, const char **base_name, const char **incr_name,
                              vg_error *err) {
    *base_name = NULL;
    *incr_name = NULL;
    /* Check first, so a refusal leaves am as it was. */
    if (am->base_seq == LLONG_MAX || (mode == AOF_REWRITE_AOF_WAIT && am->incr_seq == LLONG_MAX)) {
        vg_error_set(err, "AOF file sequence numbers are exhausted");
        return VG_ERR;
    }
    *base_name = aof_manifest_new_base(am, aof_filename, rdb_preamble);
    if (mode == AOF_REWRITE_AOF_WAIT) *incr_name = aof_manifest_new_incr(am, aof_filename);
    /* The names are separate blocks: moving entries leaves them in place. */
    aof_manifest_incr_to_history(am, mode != AOF_REWRITE_AOF_OFF);
    return VG_OK;
}

/* ------------------------------------------------------------------------
 * Names and checks
 * ------------------------------------------------------------------------ */

void aof_manifest_file_name(buf *out, const char *aof_filename) {
    buf_append_fmt(out, "%s.manifest", aof_filename);
}

void aof_manifest_temp_file_name(buf *out, const char *aof_filename) {
    buf_append_fmt(out, "temp-%s.manifest", aof_filename);
}

void aof_manifest_temp_incr_name(buf *out, const char *aof_filename) {
    buf_append_fmt(out, "temp-%s.incr", aof_filename);
}

size_t aof_manifest_file_count(const aof_manifest *am) {
    return (am->base != NULL ? 1 : 0) + am->incr.len;
}

static bool entry_ok(const aof_file_info *fi, aof_file_type type) {
    return fi->type == type && fi->name != NULL && fi->name[0] != '\0' &&
           name_is_base_name(fi->name);
}

bool aof_manifest_check(const aof_manifest *am) {
    if (am->base != NULL && !entry_ok(am->base, AOF_FILE_BASE)) return false;
    for (size_t i = 0; i < am->history.len; i++)
        if (!entry_ok(&am->history.items[i], AOF_FILE_HISTORY)) return false;
    for (size_t i = 0; i < am->incr.len; i++) {
        if (!entry_ok(&am->incr.items[i], AOF_FILE_INCR)) return false;
        if (i > 0 && am->incr.items[i].seq <= am->incr.items[i - 1].seq) return false;
    }
    return true;
}
