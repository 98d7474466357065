/* acl.c -- users, their rules, and permission checks (Redis 7 ACL).
 *
 * Owns: the user table (a small array; lookups happen on AUTH, not per
 * command, because clients keep a pointer to their user), each user's
 * selectors, and the rule parser. A selector's commands are a bitmap over
 * acl_cmds.h's ids (Redis-only commands included) plus "first args"
 * (+select|0). Rule descriptions for ACL LIST/GETUSER are rebuilt from the
 * bitmap alone, with Redis 7.0's greedy reduction: a "+@all"/"-@all" base,
 * the categories that fit best one by one, then single commands. */
#include "acl.h"
#include "acl_internal.h"

#include <ctype.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "acl_cats.h"
#include "acl_cmds.h"
#include "glob.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

/* The same bits command_keys_need() reports, so a need tests directly. */
#define ACL_KEY_READ CMD_KEY_READ
#define ACL_KEY_WRITE CMD_KEY_WRITE

typedef struct acl_pattern {
    int flags; /* ACL_KEY_READ | ACL_KEY_WRITE (keys); unused for channels */
    char *pat; /* owned */
    size_t len;
} acl_pattern;

/* "+select|0": a first argument allowed for an otherwise denied command. */
typedef struct acl_firstarg {
    int id;    /* acl_cmds id of a command without subcommands */
    char *arg; /* owned */
} acl_firstarg;

typedef struct acl_selector {
    uint64_t *allowed;   /* owned bitmap over acl_cmds ids */
    bool base_all;       /* +@all was the last base rule: future commands allowed */
    acl_firstarg *first; /* owned: in the order added */
    int nfirst;
    acl_pattern *keys; /* owned */
    int nkeys;
    bool allkeys;
    acl_pattern *channels; /* owned */
    int nchannels;
    bool allchannels;
} acl_selector;

struct acl_user {
    char *name; /* owned */
    bool on;
    bool nopass;
    int sanitize;   /* SANITIZE_* flag shown in descriptions; payloads are always checked */
    char (*pw)[65]; /* owned: hex SHA-256 */
    int npw;
    acl_selector root;
    acl_selector *sel; /* owned: "(...)" selectors */
    int nsel;
};

enum { SANITIZE_UNSET, SANITIZE_ON, SANITIZE_SKIP };

static acl_user **users; /* owned */
static int nusers;
static acl_user *default_user;

static size_t bitmap_words(void) {
    acl_cmds_init();
    return (size_t)(acl_cmds_ids() + 63) / 64 + 1;
}

static void selector_init(acl_selector *s) {
    memset(s, 0, sizeof(*s));
    s->allowed = vg_calloc(bitmap_words() * sizeof(uint64_t));
}

static void patterns_free(acl_pattern *p, int n) {
    for (int i = 0; i < n; i++)
        vg_free(p[i].pat);
    vg_free(p);
}

/* Drop the first args of command id, or all of them when id < 0. */
static void firstargs_reset(acl_selector *s, int id) {
    int kept = 0;
    for (int i = 0; i < s->nfirst; i++) {
        if (id < 0 || s->first[i].id == id)
            vg_free(s->first[i].arg);
        else
            s->first[kept++] = s->first[i];
    }
    s->nfirst = kept;
    if (kept == 0) {
        vg_free(s->first);
        s->first = NULL;
    }
}

static void firstarg_add(acl_selector *s, int id, const char *arg, size_t len) {
    for (int i = 0; i < s->nfirst; i++)
        if (s->first[i].id == id && strlen(s->first[i].arg) == len &&
            strncasecmp(s->first[i].arg, arg, len) == 0)
            return;
    s->first = vg_realloc(s->first, (size_t)(s->nfirst + 1) * sizeof(acl_firstarg));
    s->first[s->nfirst].id = id;
    s->first[s->nfirst].arg = vg_malloc(len + 1);
    memcpy(s->first[s->nfirst].arg, arg, len);
    s->first[s->nfirst].arg[len] = '\0';
    s->nfirst++;
}

static void selector_free(acl_selector *s) {
    vg_free(s->allowed);
    firstargs_reset(s, -1);
    patterns_free(s->keys, s->nkeys);
    patterns_free(s->channels, s->nchannels);
    memset(s, 0, sizeof(*s));
}

static acl_user *user_new(const char *name, size_t len) {
    acl_user *u = vg_calloc(sizeof(*u));
    u->name = vg_malloc(len + 1);
    memcpy(u->name, name, len);
    u->name[len] = '\0';
    selector_init(&u->root);
    return u;
}

static void user_free(acl_user *u) {
    vg_free(u->name);
    vg_free(u->pw);
    selector_free(&u->root);
    for (int i = 0; i < u->nsel; i++)
        selector_free(&u->sel[i]);
    vg_free(u->sel);
    vg_free(u);
}

const char *acl_user_name(const acl_user *u) {
    return u->name;
}

acl_user *acl_default_user(void) {
    return default_user;
}

acl_user *acl_find(const char *name, size_t len) {
    for (int i = 0; i < nusers; i++)
        if (strlen(users[i]->name) == len && memcmp(users[i]->name, name, len) == 0)
            return users[i];
    return NULL;
}

bool acl_default_is_open(void) {
    return default_user && default_user->on && default_user->nopass;
}

static void bit_set(uint64_t *b, int id, bool on) {
    if (on)
        b[id / 64] |= 1ULL << (id % 64);
    else
        b[id / 64] &= ~(1ULL << (id % 64));
}

static bool bit_get(const uint64_t *b, int id) {
    return (b[id / 64] >> (id % 64)) & 1;
}

/* Allow or deny the table entry at index i; a container takes its
 * subcommands along, and the entry's first args go (Redis'
 * ACLChangeSelectorPerm). */
static void set_entry(acl_selector *s, int i, bool on) {
    const acl_cmd *e = acl_cmds_at(i);
    bit_set(s->allowed, e->id, on);
    if (s->nfirst) firstargs_reset(s, e->id);
    for (int j = 1; j <= e->nsub; j++)
        bit_set(s->allowed, acl_cmds_at(i + j)->id, on);
}

static void set_category(acl_selector *s, uint64_t catbit, bool on) {
    for (int i = 0; i < acl_cmds_count(); i++)
        if (acl_cmds_at(i)->cats & catbit) set_entry(s, i, on);
}

static void set_all(acl_selector *s, bool on) {
    memset(s->allowed, on ? 0xff : 0, bitmap_words() * sizeof(uint64_t));
    firstargs_reset(s, -1);
    s->base_all = on;
}

static void add_pattern(acl_pattern **arr, int *n, int flags, const char *p, size_t len) {
    for (int i = 0; i < *n; i++)
        if ((*arr)[i].len == len && memcmp((*arr)[i].pat, p, len) == 0) {
            (*arr)[i].flags |= flags;
            return;
        }
    *arr = vg_realloc(*arr, (size_t)(*n + 1) * sizeof(acl_pattern));
    (*arr)[*n].flags = flags;
    (*arr)[*n].pat = vg_malloc(len + 1);
    memcpy((*arr)[*n].pat, p, len);
    (*arr)[*n].pat[len] = '\0';
    (*arr)[*n].len = len;
    (*n)++;
}

static void sha256_hex(const char *p, size_t len, char out[65]) {
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[i * 2] = hex[md[i] >> 4];
        out[i * 2 + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

static int find_pw(const acl_user *u, const char *hash) {
    for (int i = 0; i < u->npw; i++)
        if (memcmp(u->pw[i], hash, 64) == 0) return i;
    return -1;
}

static void add_pw_hash(acl_user *u, const char *hash) {
    if (find_pw(u, hash) >= 0) return;
    u->pw = vg_realloc(u->pw, (size_t)(u->npw + 1) * sizeof(*u->pw));
    memcpy(u->pw[u->npw], hash, 65);
    u->npw++;
    u->nopass = false;
}

static void del_pw_hash(acl_user *u, int i) {
    memmove(&u->pw[i], &u->pw[i + 1], (size_t)(u->npw - i - 1) * sizeof(*u->pw));
    u->npw--;
}

/* Add (">pw", "#hash") or remove ("<pw", "!hash") one password hash. */
static int password_rule(acl_user *u, bool add, const char *hash, vg_error *err) {
    if (add) {
        add_pw_hash(u, hash);
        return VG_OK;
    }
    int i = find_pw(u, hash);
    if (i < 0) {
        vg_error_set(err, "The password you are trying to remove from the user does not exist");
        return VG_ERR;
    }
    del_pw_hash(u, i);
    return VG_OK;
}

static bool valid_hash(const char *p, size_t len) {
    if (len != 64) return false;
    for (size_t i = 0; i < len; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return false;
    return true;
}

/* "+name" with a '|': a subcommand of a container, or a first argument of
 * a plain command (+select|0), as Redis' ACLSetSelector tells them apart. */
static int allow_piped(acl_selector *s, const char *name, size_t nlen, vg_error *err) {
    const char *bar = name + nlen;
    while (bar[-1] != '|')
        bar--;
    int i = acl_cmds_find(name, (size_t)(bar - 1 - name));
    if (i < 0) goto unknown;
    if (acl_cmds_at(i)->parent >= 0) {
        vg_error_set(err, "Allowing first-arg of a subcommand is not supported");
        return VG_ERR;
    }
    size_t sublen = nlen - (size_t)(bar - name);
    if (sublen == 0) {
        vg_error_set(err, "Syntax error");
        return VG_ERR;
    }
    if (acl_cmds_at(i)->nsub) {
        i = acl_cmds_find(name, nlen);
        if (i < 0) goto unknown;
        set_entry(s, i, true);
    } else {
        firstarg_add(s, acl_cmds_at(i)->id, bar, sublen);
    }
    return VG_OK;
unknown:
    vg_error_set(err, "Unknown command or category name in ACL");
    return VG_ERR;
}

/* Command rule "+get", "-@read", "+config|get", "+select|0". */
static int apply_command_rule(acl_selector *s, const char *op, size_t len, vg_error *err) {
    bool on = op[0] == '+';
    const char *name = op + 1;
    size_t nlen = len - 1;
    if (nlen >= 1 && name[0] == '@') {
        uint64_t bit = acl_cat_bit(name + 1, nlen - 1);
        if (bit == 0) goto unknown;
        set_category(s, bit, on);
        return VG_OK;
    }
    if (on && memchr(name, '|', nlen)) return allow_piped(s, name, nlen, err);
    int i = acl_cmds_find(name, nlen);
    if (i < 0) goto unknown;
    set_entry(s, i, on);
    return VG_OK;
unknown:
    vg_error_set(err, "Unknown command or category name in ACL");
    return VG_ERR;
}

/* Patterns may hold no whitespace and no NUL (Redis' ACLStringHasSpaces). */
static bool has_spaces(const char *p, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (isspace((unsigned char)p[i]) || p[i] == '\0') return true;
    return false;
}

static void keys_reset(acl_selector *s, bool all) {
    patterns_free(s->keys, s->nkeys);
    s->keys = NULL;
    s->nkeys = 0;
    s->allkeys = all;
}

static void channels_reset(acl_selector *s, bool all) {
    patterns_free(s->channels, s->nchannels);
    s->channels = NULL;
    s->nchannels = 0;
    s->allchannels = all;
}

/* "~pat" and "%RW~pat". */
static int key_rule(acl_selector *s, const char *op, size_t len, vg_error *err) {
    if (s->allkeys) {
        vg_error_set(err, "Adding a pattern after the * pattern (or the 'allkeys' flag) is not "
                          "valid and does not have any effect. Try 'resetkeys' to start with an "
                          "empty list of patterns");
        return VG_ERR;
    }
    int flags = ACL_KEY_READ | ACL_KEY_WRITE;
    size_t at = 1;
    if (op[0] == '%') {
        flags = 0;
        for (; at < len; at++) {
            char ch = (char)toupper((unsigned char)op[at]);
            if (ch == 'R' && !(flags & ACL_KEY_READ)) {
                flags |= ACL_KEY_READ;
            } else if (ch == 'W' && !(flags & ACL_KEY_WRITE)) {
                flags |= ACL_KEY_WRITE;
            } else if (op[at] == '~') {
                at++;
                break;
            } else {
                goto syntax;
            }
        }
        /* Redis would keep a flagless pattern and then fail to print it. */
        if (flags == 0) goto syntax;
    }
    if (has_spaces(op + at, len - at)) goto syntax;
    add_pattern(&s->keys, &s->nkeys, flags, op + at, len - at);
    return VG_OK;
syntax:
    vg_error_set(err, "Syntax error");
    return VG_ERR;
}

static int channel_rule(acl_selector *s, const char *op, size_t len, vg_error *err) {
    if (s->allchannels) {
        vg_error_set(err, "Adding a pattern after the * pattern (or the 'allchannels' flag) is "
                          "not valid and does not have any effect. Try 'resetchannels' to start "
                          "with an empty list of channels");
        return VG_ERR;
    }
    if (has_spaces(op + 1, len - 1)) {
        vg_error_set(err, "Syntax error");
        return VG_ERR;
    }
    add_pattern(&s->channels, &s->nchannels, 0, op + 1, len - 1);
    return VG_OK;
}

static bool op_is(const char *op, size_t len, const char *word) {
    return strlen(word) == len && strncasecmp(op, word, len) == 0;
}

/* One rule that applies to a selector (commands, keys, channels), checked
 * in Redis' order. */
static int apply_selector_rule(acl_selector *s, const char *op, size_t len, vg_error *err) {
    if (op_is(op, len, "allkeys") || (len == 2 && memcmp(op, "~*", 2) == 0)) {
        keys_reset(s, true);
    } else if (op_is(op, len, "resetkeys")) {
        keys_reset(s, false);
    } else if (op_is(op, len, "allchannels") || (len == 2 && memcmp(op, "&*", 2) == 0)) {
        channels_reset(s, true);
    } else if (op_is(op, len, "resetchannels")) {
        channels_reset(s, false);
    } else if (op_is(op, len, "allcommands") || op_is(op, len, "+@all")) {
        set_all(s, true);
    } else if (op_is(op, len, "nocommands") || op_is(op, len, "-@all")) {
        set_all(s, false);
    } else if (op[0] == '~' || op[0] == '%') {
        return key_rule(s, op, len, err);
    } else if (op[0] == '&') {
        return channel_rule(s, op, len, err);
    } else if (op[0] == '+' || op[0] == '-') {
        return apply_command_rule(s, op, len, err);
    } else {
        vg_error_set(err, "Syntax error");
        return VG_ERR;
    }
    return VG_OK;
}

static void user_reset(acl_user *u) {
    u->on = false;
    u->nopass = false;
    vg_free(u->pw);
    u->pw = NULL;
    u->npw = 0;
    selector_free(&u->root);
    selector_init(&u->root);
    for (int i = 0; i < u->nsel; i++)
        selector_free(&u->sel[i]);
    vg_free(u->sel);
    u->sel = NULL;
    u->nsel = 0;
}

/* "(~k* +get)": a new selector with its own rules. */
static int add_selector(acl_user *u, const char *op, size_t len, vg_error *err) {
    acl_selector s;
    selector_init(&s);
    size_t i = 1;
    while (i < len - 1) {
        while (i < len - 1 && op[i] == ' ')
            i++;
        size_t start = i;
        while (i < len - 1 && op[i] != ' ')
            i++;
        if (i > start && apply_selector_rule(&s, op + start, i - start, err) != VG_OK) {
            selector_free(&s);
            return VG_ERR;
        }
    }
    u->sel = vg_realloc(u->sel, (size_t)(u->nsel + 1) * sizeof(acl_selector));
    u->sel[u->nsel++] = s;
    return VG_OK;
}

static int apply_user_rule(acl_user *u, const char *op, size_t len, vg_error *err) {
    if (len == 2 && strncasecmp(op, "on", 2) == 0) {
        u->on = true;
    } else if (len == 3 && strncasecmp(op, "off", 3) == 0) {
        u->on = false;
    } else if (len == 6 && strncasecmp(op, "nopass", 6) == 0) {
        u->nopass = true;
        u->npw = 0;
    } else if (len == 9 && strncasecmp(op, "resetpass", 9) == 0) {
        u->nopass = false;
        u->npw = 0;
    } else if (len == 5 && strncasecmp(op, "reset", 5) == 0) {
        user_reset(u);
        apply_selector_rule(&u->root, "resetkeys", 9, err);
        apply_selector_rule(&u->root, "resetchannels", 13, err);
        set_all(&u->root, false);
        u->sanitize = SANITIZE_ON;
    } else if (op[0] == '>' || op[0] == '<') {
        char hash[65];
        sha256_hex(op + 1, len - 1, hash);
        return password_rule(u, op[0] == '>', hash, err);
    } else if (op[0] == '#' || op[0] == '!') {
        if (!valid_hash(op + 1, len - 1)) {
            vg_error_set(err, "The password hash must be exactly 64 characters and contain only "
                              "lowercase hexadecimal characters");
            return VG_ERR;
        }
        char hash[65];
        memcpy(hash, op + 1, 64);
        hash[64] = '\0';
        return password_rule(u, op[0] == '#', hash, err);
    } else if (len == 14 && strncasecmp(op, "clearselectors", 14) == 0) {
        for (int i = 0; i < u->nsel; i++)
            selector_free(&u->sel[i]);
        u->nsel = 0;
    } else if (op[0] == '(' && op[len - 1] == ')') {
        return add_selector(u, op, len, err);
    } else if (len == 16 && strncasecmp(op, "sanitize-payload", 16) == 0) {
        u->sanitize = SANITIZE_ON;
    } else if (len == 21 && strncasecmp(op, "skip-sanitize-payload", 21) == 0) {
        u->sanitize = SANITIZE_SKIP;
    } else {
        return apply_selector_rule(&u->root, op, len, err);
    }
    return VG_OK;
}

static acl_user *user_clone(const acl_user *src);

/* Split args into rules, joining "(" ... ")" selectors that span several
 * arguments. Applies to a copy of the user, so a bad rule changes nothing. */
int acl_setuser_args(const char *name, size_t nlen, const vg_slice *args, int nargs,
                     vg_error *err) {
    acl_user *existing = acl_find(name, nlen);
    acl_user *u = existing ? user_clone(existing) : user_new(name, nlen);
    if (!existing) {
        /* New users start with no channels (acl-pubsub-default resetchannels). */
    }
    buf sel;
    buf_init(&sel);
    for (int i = 0; i < nargs; i++) {
        const char *op = args[i].ptr;
        size_t len = args[i].len;
        if (sel.len == 0 && len > 0 && op[0] == '(' && op[len - 1] != ')') {
            buf_append(&sel, op, len);
            continue;
        }
        if (sel.len) {
            buf_append_char(&sel, ' ');
            buf_append(&sel, op, len);
            if (len == 0 || op[len - 1] != ')') continue;
            op = sel.data;
            len = sel.len;
        }
        vg_error why;
        if (len > 0 && apply_user_rule(u, op, len, &why) != VG_OK) { /* "" does nothing */
            size_t shown = strnlen(op, len); /* Redis prints the rule as a C string */
            vg_error_set(err, "ERR Error in ACL SETUSER modifier '%.*s': %s", (int)shown, op,
                         why.msg);
            buf_free(&sel);
            user_free(u);
            return VG_ERR;
        }
        buf_clear(&sel);
    }
    if (sel.len) {
        vg_error_set(err, "ERR Unmatched parenthesis in acl selector starting at '%.*s'.",
                     (int)(sel.len > 128 ? 128 : sel.len), sel.data);
        buf_free(&sel);
        user_free(u);
        return VG_ERR;
    }
    buf_free(&sel);
    if (existing) {
        /* Swap contents so clients holding the pointer see the new rules. */
        acl_user tmp = *existing;
        *existing = *u;
        *u = tmp;
        user_free(u);
    } else {
        users = vg_realloc(users, (size_t)(nusers + 1) * sizeof(acl_user *));
        users[nusers++] = u;
    }
    return VG_OK;
}

static void selector_copy(acl_selector *dst, const acl_selector *src) {
    selector_init(dst);
    memcpy(dst->allowed, src->allowed, bitmap_words() * sizeof(uint64_t));
    dst->base_all = src->base_all;
    for (int i = 0; i < src->nfirst; i++)
        firstarg_add(dst, src->first[i].id, src->first[i].arg, strlen(src->first[i].arg));
    for (int i = 0; i < src->nkeys; i++)
        add_pattern(&dst->keys, &dst->nkeys, src->keys[i].flags, src->keys[i].pat,
                    src->keys[i].len);
    dst->allkeys = src->allkeys;
    for (int i = 0; i < src->nchannels; i++)
        add_pattern(&dst->channels, &dst->nchannels, 0, src->channels[i].pat, src->channels[i].len);
    dst->allchannels = src->allchannels;
}

static acl_user *user_clone(const acl_user *src) {
    acl_user *u = user_new(src->name, strlen(src->name));
    selector_free(&u->root);
    u->on = src->on;
    u->nopass = src->nopass;
    for (int i = 0; i < src->npw; i++)
        add_pw_hash(u, src->pw[i]);
    u->nopass = src->nopass;
    u->sanitize = src->sanitize;
    selector_copy(&u->root, &src->root);
    for (int i = 0; i < src->nsel; i++) {
        u->sel = vg_realloc(u->sel, (size_t)(u->nsel + 1) * sizeof(acl_selector));
        selector_copy(&u->sel[u->nsel++], &src->sel[i]);
    }
    return u;
}

int acl_setuser_line(const char *line, vg_error *err) {
    char *copy = vg_strdup(line);
    vg_slice *args = NULL;
    int n = 0;
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w;
         w = strtok_r(NULL, " \t", &save)) {
        args = vg_realloc(args, (size_t)(n + 1) * sizeof(vg_slice));
        args[n].ptr = w;
        args[n].len = strlen(w);
        n++;
    }
    int rc;
    if (n == 0) {
        vg_error_set(err, "ERR a user line needs a user name");
        rc = VG_ERR;
    } else {
        rc = acl_setuser_args(args[0].ptr, args[0].len, args + 1, n - 1, err);
    }
    vg_free(args);
    vg_free(copy);
    return rc;
}

void acl_init(void) {
    if (default_user) return;
    vg_error err;
    acl_setuser_line("default on nopass ~* &* +@all", &err);
    default_user = acl_find("default", 7);
}

int acl_start(vg_error *err) {
    acl_init();
    acl_set_requirepass(server.requirepass);
    for (int i = 0; i < server.nconfig_users; i++) {
        vg_error why;
        if (acl_setuser_line(server.config_users[i], &why) != VG_OK) {
            vg_error_set(err, "Error in user declaration '%s': %s", server.config_users[i],
                         why.msg);
            return VG_ERR;
        }
    }
    if (server.aclfile && server.aclfile[0]) {
        if (server.nconfig_users > 0) {
            vg_error_set(err,
                         "Configuring Redis with users defined in redis.conf and at the same "
                         "setting an ACL file path is invalid. This setup is very likely to lead "
                         "to configuration errors and security holes, please define either an ACL "
                         "file or declare users directly in your redis.conf, but not both.");
            return VG_ERR;
        }
        if (acl_load_file(err) != VG_OK) return VG_ERR;
    }
    return VG_OK;
}

void acl_free_all(void) {
    for (int i = 0; i < nusers; i++)
        user_free(users[i]);
    vg_free(users);
    users = NULL;
    nusers = 0;
    default_user = NULL;
}

void acl_set_requirepass(const char *pass) {
    vg_error err;
    acl_init();
    if (pass == NULL || pass[0] == '\0') {
        acl_setuser_line("default nopass", &err);
        return;
    }
    vg_slice args[2] = {{(char *)"resetpass", 9}, {NULL, 0}};
    size_t len = strlen(pass);
    char *rule = vg_malloc(len + 2);
    rule[0] = '>';
    memcpy(rule + 1, pass, len + 1);
    args[1].ptr = rule;
    args[1].len = len + 1;
    acl_setuser_args("default", 7, args, 2, &err);
    vg_free(rule);
}

/* ---- checks ---- */

typedef struct key_check {
    const acl_selector *s;
    const vg_slice *argv; /* borrowed: the checked command's arguments */
    int bad;              /* argv index of the first denied key, or -1 */
} key_check;

/* need: CMD_KEY_READ | CMD_KEY_WRITE bits; 0 lets any matching pattern do. */
static bool key_allowed(const acl_selector *s, const char *key, size_t len, int need) {
    if (s->allkeys) return true;
    for (int i = 0; i < s->nkeys; i++)
        if ((s->keys[i].flags & need) == need &&
            glob_match(s->keys[i].pat, s->keys[i].len, key, len, false))
            return true;
    return false;
}

static void check_key_cb(const vg_slice *key, int need, void *arg) {
    key_check *k = arg;
    if (k->bad < 0 && !key_allowed(k->s, key->ptr, key->len, need)) k->bad = (int)(key - k->argv);
}

static bool channel_allowed(const acl_selector *s, const char *ch, size_t len, bool is_pattern) {
    if (s->allchannels) return true;
    for (int i = 0; i < s->nchannels; i++) {
        if (is_pattern) {
            if (s->channels[i].len == len && memcmp(s->channels[i].pat, ch, len) == 0) return true;
        } else if (glob_match(s->channels[i].pat, s->channels[i].len, ch, len, false)) {
            return true;
        }
    }
    return false;
}

/* Channel arguments of pub/sub commands: [first, last] and whether they are patterns. */
static bool channel_args(const command *cmd, int argc, int *first, int *last, bool *pattern) {
    const char *n = cmd->name;
    *pattern = false;
    if (strcmp(n, "publish") == 0 || strcmp(n, "spublish") == 0) {
        *first = *last = 1;
        return true;
    }
    if (strcmp(n, "subscribe") == 0 || strcmp(n, "ssubscribe") == 0) {
        *first = 1;
        *last = argc - 1;
        return true;
    }
    if (strcmp(n, "psubscribe") == 0) {
        *first = 1;
        *last = argc - 1;
        *pattern = true;
        return true;
    }
    return false;
}

/* A denied command may still run with an allowed first argument. */
static bool firstarg_allows(const acl_selector *s, const command *cmd, const vg_slice *argv,
                            int argc) {
    int at = cmd->parent ? 2 : 1;
    if (argc <= at) return false;
    for (int i = 0; i < s->nfirst; i++)
        if (s->first[i].id == cmd->id && strlen(s->first[i].arg) == argv[at].len &&
            strncasecmp(s->first[i].arg, argv[at].ptr, argv[at].len) == 0)
            return true;
    return false;
}

static int selector_allows(const acl_selector *s, const command *cmd, const vg_slice *argv,
                           int argc, int *obj) {
    if (!(cmd->flags & CMD_NO_AUTH) && !bit_get(s->allowed, cmd->id) &&
        !firstarg_allows(s, cmd, argv, argc))
        return ACL_DENIED_CMD;
    if (!s->allkeys) {
        key_check k = {s, argv, -1};
        command_keys_need(cmd, argv, argc, check_key_cb, &k);
        if (k.bad >= 0) {
            *obj = k.bad;
            return ACL_DENIED_KEY;
        }
    }
    int first, last;
    bool pattern;
    if (!s->allchannels && channel_args(cmd, argc, &first, &last, &pattern)) {
        for (int i = first; i <= last && i < argc; i++)
            if (!channel_allowed(s, argv[i].ptr, argv[i].len, pattern)) {
                *obj = i;
                return ACL_DENIED_CHANNEL;
            }
    }
    return ACL_OK;
}

int acl_user_allows(const acl_user *u, const command *cmd, const vg_slice *argv, int argc,
                    int *obj) {
    *obj = -1;
    int first = selector_allows(&u->root, cmd, argv, argc, obj);
    if (first == ACL_OK) return ACL_OK;
    /* All selectors refused: report the most relevant reason (key and
     * channel denials say more than a command denial), as Redis does. */
    for (int i = 0; i < u->nsel; i++) {
        int o = -1;
        int r = selector_allows(&u->sel[i], cmd, argv, argc, &o);
        if (r == ACL_OK) return ACL_OK;
        if (r > first) {
            first = r;
            *obj = o;
        }
    }
    return first;
}

/* ---- ACL LOG ---- */

typedef struct acl_log_entry {
    long long count;
    int reason;
    char context[16];
    char *object;   /* owned */
    char *username; /* owned */
    int64_t ctime_ms;
    char *client_info; /* owned */
} acl_log_entry;

static acl_log_entry *acl_log; /* owned: newest first */
static int acl_log_len;

static const char *reason_name(int r) {
    switch (r) {
    case ACL_DENIED_CMD:
        return "command";
    case ACL_DENIED_KEY:
        return "key";
    case ACL_DENIED_CHANNEL:
        return "channel";
    default:
        return "auth";
    }
}

static void log_entry_free(acl_log_entry *e) {
    vg_free(e->object);
    vg_free(e->username);
    vg_free(e->client_info);
}

void acl_log_add(client *c, int reason, const char *context, const char *object, size_t olen,
                 const char *username, size_t ulen);
/* Redis names the context from where the denial happened: "toplevel"
 * becomes "multi" while the client is inside MULTI (a command refused when
 * queued, or AUTH run by EXEC). Only the 10 newest entries are candidates
 * for grouping, as in Redis. */
void acl_log_add(client *c, int reason, const char *context, const char *object, size_t olen,
                 const char *username, size_t ulen) {
    if ((c->flags & CLIENT_MULTI) && strcmp(context, "toplevel") == 0) context = "multi";
    for (int i = 0; i < acl_log_len && i < 10; i++) {
        acl_log_entry *e = &acl_log[i];
        if (e->reason == reason && strcmp(e->context, context) == 0 && strlen(e->object) == olen &&
            memcmp(e->object, object, olen) == 0 && strlen(e->username) == ulen &&
            memcmp(e->username, username, ulen) == 0 && server.now_ms - e->ctime_ms < 60000) {
            e->count++;
            e->ctime_ms = server.now_ms;
            buf info;
            buf_init(&info);
            client_describe(c, &info);
            vg_free(e->client_info);
            e->client_info = vg_strdup(info.data ? info.data : "");
            buf_free(&info);
            acl_log_entry moved = *e;
            memmove(&acl_log[1], &acl_log[0], (size_t)i * sizeof(acl_log_entry));
            acl_log[0] = moved;
            return;
        }
    }
    long long max = server.acllog_max_len;
    if (max <= 0) return;
    if (acl_log_len >= max) {
        log_entry_free(&acl_log[acl_log_len - 1]);
        acl_log_len--;
    }
    acl_log = vg_realloc(acl_log, (size_t)(acl_log_len + 1) * sizeof(acl_log_entry));
    memmove(&acl_log[1], &acl_log[0], (size_t)acl_log_len * sizeof(acl_log_entry));
    acl_log_entry *e = &acl_log[0];
    e->count = 1;
    e->reason = reason;
    snprintf(e->context, sizeof(e->context), "%s", context);
    e->object = vg_malloc(olen + 1);
    memcpy(e->object, object, olen);
    e->object[olen] = '\0';
    e->username = vg_malloc(ulen + 1);
    memcpy(e->username, username, ulen);
    e->username[ulen] = '\0';
    e->ctime_ms = server.now_ms;
    buf info;
    buf_init(&info);
    client_describe(c, &info);
    e->client_info = vg_strdup(info.data ? info.data : "");
    buf_free(&info);
    acl_log_len++;
}

void acl_log_reply(client *c, long long count) {
    long long n = count < acl_log_len ? count : acl_log_len;
    reply_array(c, n);
    for (long long i = 0; i < n; i++) {
        acl_log_entry *e = &acl_log[i];
        reply_map(c, 7);
        reply_bulk_str(c, "count");
        reply_int(c, e->count);
        reply_bulk_str(c, "reason");
        reply_bulk_str(c, reason_name(e->reason));
        reply_bulk_str(c, "context");
        reply_bulk_str(c, e->context);
        reply_bulk_str(c, "object");
        reply_bulk_str(c, e->object);
        reply_bulk_str(c, "username");
        reply_bulk_str(c, e->username);
        reply_bulk_str(c, "age-seconds");
        reply_double(c, (double)(server.now_ms - e->ctime_ms) / 1000.0);
        reply_bulk_str(c, "client-info");
        reply_bulk_str(c, e->client_info);
    }
}

void acl_log_reset(void) {
    for (int i = 0; i < acl_log_len; i++)
        log_entry_free(&acl_log[i]);
    vg_free(acl_log);
    acl_log = NULL;
    acl_log_len = 0;
}

/* ---- authentication and dispatch ---- */

static bool password_ok(const acl_user *u, const char *pass, size_t plen) {
    if (u->nopass) return true;
    char hash[65];
    sha256_hex(pass, plen, hash);
    bool ok = false;
    for (int i = 0; i < u->npw; i++)
        ok |= CRYPTO_memcmp(hash, u->pw[i], 64) == 0;
    return ok;
}

bool acl_authenticate(client *c, const char *user, size_t ulen, const char *pass, size_t plen) {
    acl_user *u = acl_find(user, ulen);
    if (u && u->on && password_ok(u, pass, plen)) {
        c->acl = u;
        c->authenticated = true;
        vg_free(c->user);
        c->user = vg_strdup(u->name);
        return true;
    }
    /* The object is the command name as the client typed it ("auth", "HELLO"). */
    acl_log_add(c, ACL_DENIED_AUTH, "toplevel", c->argv[0].ptr, c->argv[0].len, user, ulen);
    return false;
}

int acl_check_log(client *c, const command *cmd, const char *context) {
    const acl_user *u = c->acl ? c->acl : default_user;
    if (u == NULL) return ACL_OK;
    int obj;
    int r = acl_user_allows(u, cmd, c->argv, c->argc, &obj);
    if (r == ACL_OK) return ACL_OK;
    const char *uname = u->name;
    if (r == ACL_DENIED_CMD)
        acl_log_add(c, r, context, cmd->fullname, strlen(cmd->fullname), uname, strlen(uname));
    else
        acl_log_add(c, r, context, c->argv[obj].ptr, c->argv[obj].len, uname, strlen(uname));
    return r;
}

void acl_denial_text(int r, const command *cmd, vg_error *out) {
    if (r == ACL_DENIED_CMD)
        vg_error_set(out, "NOPERM this user has no permissions to run the '%s' command",
                     cmd->fullname);
    else if (r == ACL_DENIED_KEY)
        vg_error_set(
            out, "NOPERM this user has no permissions to access one of the keys used as arguments");
    else
        vg_error_set(out, "NOPERM this user has no permissions to access one of the channels "
                          "used as arguments");
}

bool acl_check_command(client *c, const command *cmd, const char *context) {
    int r = acl_check_log(c, cmd, context);
    if (r == ACL_OK) return true;
    vg_error why;
    acl_denial_text(r, cmd, &why);
    reply_error(c, why.msg);
    return false;
}

void acl_kill_clients_of(const acl_user *u) {
    for (client *c = server.clients; c; c = c->next)
        if (c->acl == u) client_close_async(c);
}

/* ---- descriptions ---- */

static void describe_keys(const acl_selector *s, buf *out) {
    if (s->allkeys) {
        buf_append_str(out, "~*");
        return;
    }
    for (int i = 0; i < s->nkeys; i++) {
        if (out->len && out->data[out->len - 1] != ' ' && out->data[out->len - 1] != '(')
            buf_append_char(out, ' ');
        int f = s->keys[i].flags;
        if (f == (ACL_KEY_READ | ACL_KEY_WRITE))
            buf_append_char(out, '~');
        else
            buf_append_str(out, f == ACL_KEY_READ ? "%R~" : "%W~");
        buf_append(out, s->keys[i].pat, s->keys[i].len);
    }
}

static void describe_channels(const acl_selector *s, buf *out, bool with_reset) {
    if (s->allchannels) {
        buf_append_str(out, "&*");
        return;
    }
    if (with_reset) buf_append_str(out, "resetchannels");
    for (int i = 0; i < s->nchannels; i++) {
        if (out->len && out->data[out->len - 1] != ' ' && out->data[out->len - 1] != '(')
            buf_append_char(out, ' ');
        buf_append_char(out, '&');
        buf_append(out, s->channels[i].pat, s->channels[i].len);
    }
}

/* Commands of category catbit that bitmap b allows (*on) and denies (*off). */
static void count_category(const uint64_t *b, uint64_t catbit, long *on, long *off) {
    *on = *off = 0;
    for (int i = 0; i < acl_cmds_count(); i++) {
        const acl_cmd *e = acl_cmds_at(i);
        if (!(e->cats & catbit)) continue;
        if (bit_get(b, e->id))
            (*on)++;
        else
            (*off)++;
    }
}

/* Pick the category that best fits what is left to describe in rest: more
 * commands in common than different, fewest differences, then most in
 * common; the first in table order wins ties. -1 when none fits. */
static int best_category(const uint64_t *rest, bool additive, const bool *applied) {
    int best = -1;
    long mindiff = LONG_MAX, maxsame = 0;
    for (size_t j = 0; j < acl_cats_count(); j++) {
        if (applied[j]) continue;
        long on, off;
        count_category(rest, 1ULL << j, &on, &off);
        long diff = additive ? off : on, same = additive ? on : off;
        if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
            best = (int)j;
            mindiff = diff;
            maxsame = same;
        }
    }
    return best;
}

/* Single-command rules that make fake equal s, and s's first args, in
 * name order (Redis uses its command table's hash order). */
static void describe_single(const acl_selector *s, acl_selector *fake, buf *out) {
    for (int k = 0; k < acl_cmds_count(); k++) {
        int i = acl_cmds_by_name(k);
        const acl_cmd *e = acl_cmds_at(i);
        bool want = bit_get(s->allowed, e->id);
        if (want != bit_get(fake->allowed, e->id)) {
            buf_append_fmt(out, " %c%s", want ? '+' : '-', e->name);
            set_entry(fake, i, want);
        }
        if (want) continue;
        for (int k = 0; k < s->nfirst; k++)
            if (s->first[k].id == e->id) buf_append_fmt(out, " +%s|%s", e->name, s->first[k].arg);
    }
}

/* Redis 7.0's ACLDescribeSelectorCommandRules: a base, then the categories
 * that fit best (applied to a fake selector as they are printed, and taken
 * out of what is left to describe), then the single commands that differ. */
static void describe_commands(const acl_selector *s, buf *out) {
    bool additive = !s->base_all;
    acl_selector fake, rest;
    selector_init(&fake);
    selector_init(&rest);
    set_all(&fake, !additive);
    memcpy(rest.allowed, s->allowed, bitmap_words() * sizeof(uint64_t));
    buf_append_str(out, additive ? "-@all" : "+@all");
    bool applied[64] = {false};
    for (int best; (best = best_category(rest.allowed, additive, applied)) >= 0;) {
        set_category(&fake, 1ULL << best, additive);
        set_category(&rest, 1ULL << best, !additive);
        buf_append_fmt(out, " %c@%s", additive ? '+' : '-', acl_cat_name((size_t)best));
        applied[best] = true;
    }
    describe_single(s, &fake, out);
    for (int id = 0; id < acl_cmds_ids(); id++) /* the rules must rebuild the bitmap */
        VG_ASSERT(bit_get(fake.allowed, id) == bit_get(s->allowed, id));
    selector_free(&fake);
    selector_free(&rest);
}

static void describe_selector(const acl_selector *s, buf *out) {
    size_t mark = out->len;
    describe_keys(s, out);
    if (out->len > mark) buf_append_char(out, ' ');
    describe_channels(s, out, true);
    buf_append_char(out, ' ');
    describe_commands(s, out);
}

/* The flag word with its leading space. */
static const char *sanitize_name(int sanitize) {
    return sanitize == SANITIZE_SKIP ? " skip-sanitize-payload" : " sanitize-payload";
}

void acl_describe_user(const acl_user *u, buf *out) {
    buf_append_fmt(out, "user %s %s", u->name, u->on ? "on" : "off");
    if (u->nopass) buf_append_str(out, " nopass");
    if (u->sanitize) buf_append_str(out, sanitize_name(u->sanitize));
    for (int i = 0; i < u->npw; i++)
        buf_append_fmt(out, " #%s", u->pw[i]);
    buf_append_char(out, ' ');
    describe_selector(&u->root, out);
    for (int i = 0; i < u->nsel; i++) {
        buf_append_str(out, " (");
        describe_selector(&u->sel[i], out);
        buf_append_char(out, ')');
    }
}

static void reply_selector_fields(client *c, const acl_selector *s) {
    buf b;
    buf_init(&b);
    reply_bulk_str(c, "commands");
    describe_commands(s, &b);
    reply_bulk(c, b.data, b.len);
    buf_clear(&b);
    reply_bulk_str(c, "keys");
    describe_keys(s, &b);
    reply_bulk(c, b.data ? b.data : "", b.len);
    buf_clear(&b);
    reply_bulk_str(c, "channels");
    describe_channels(s, &b, false);
    reply_bulk(c, b.data ? b.data : "", b.len);
    buf_free(&b);
}

void acl_reply_getuser(client *c, const acl_user *u) {
    reply_map(c, 6);
    reply_bulk_str(c, "flags");
    reply_set(c, 1 + u->nopass + (u->sanitize != SANITIZE_UNSET));
    reply_bulk_str(c, u->on ? "on" : "off");
    if (u->nopass) reply_bulk_str(c, "nopass");
    if (u->sanitize) reply_bulk_str(c, sanitize_name(u->sanitize) + 1);
    reply_bulk_str(c, "passwords");
    reply_array(c, u->npw);
    for (int i = 0; i < u->npw; i++)
        reply_bulk(c, u->pw[i], 64);
    reply_selector_fields(c, &u->root);
    reply_bulk_str(c, "selectors");
    reply_array(c, u->nsel);
    for (int i = 0; i < u->nsel; i++) {
        reply_map(c, 3);
        reply_selector_fields(c, &u->sel[i]);
    }
}

int acl_user_count(void) {
    return nusers;
}

acl_user *acl_user_at(int i) {
    return i >= 0 && i < nusers ? users[i] : NULL;
}

/* Remove a user (not default). Returns true if it existed. */
bool acl_deluser(const char *name, size_t len) {
    for (int i = 0; i < nusers; i++) {
        if (strlen(users[i]->name) != len || memcmp(users[i]->name, name, len) != 0) continue;
        acl_user *u = users[i];
        acl_kill_clients_of(u);
        for (client *c = server.clients; c; c = c->next)
            if (c->acl == u) c->acl = NULL; /* closing: never used again */
        memmove(&users[i], &users[i + 1], (size_t)(nusers - i - 1) * sizeof(acl_user *));
        nusers--;
        user_free(u);
        return true;
    }
    return false;
}

/* Replace all users with those of an ACL file's lines; all or nothing. */
int acl_load_lines(const char *text, const char *path, vg_error *err) {
    acl_user **saved = users;
    int nsaved = nusers;
    acl_user *saved_default = default_user;
    users = NULL;
    nusers = 0;
    default_user = NULL;
    int lineno = 0;
    const char *p = text;
    int rc = VG_OK;
    while (*p && rc == VG_OK) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char *line = vg_malloc(len + 1);
        memcpy(line, p, len);
        line[len] = '\0';
        if (len && line[len - 1] == '\r') line[--len] = '\0';
        char *q = line;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q && *q != '#') {
            if (strncmp(q, "user ", 5) != 0) {
                vg_error_set(err, "ERR %s:%d: line should start with user keyword", path, lineno);
                rc = VG_ERR;
            } else {
                vg_error why;
                if (acl_setuser_line(q + 5, &why) != VG_OK) {
                    vg_error_set(err, "ERR %s:%d: %s", path, lineno,
                                 why.msg + (strncmp(why.msg, "ERR ", 4) == 0 ? 4 : 0));
                    rc = VG_ERR;
                }
            }
        }
        vg_free(line);
        p = nl ? nl + 1 : p + len;
    }
    if (rc == VG_OK && acl_find("default", 7) == NULL) {
        vg_error ignore;
        acl_setuser_line("default on nopass ~* &* +@all", &ignore);
    }
    if (rc != VG_OK) {
        acl_free_all();
        users = saved;
        nusers = nsaved;
        default_user = saved_default;
        return VG_ERR;
    }
    default_user = acl_find("default", 7);
    /* Clients keep pointers: rebind by name, close those whose user vanished. */
    for (client *c = server.clients; c; c = c->next) {
        if (c->acl == NULL) continue;
        acl_user *nu = acl_find(c->acl->name, strlen(c->acl->name));
        if (nu == NULL) client_close_async(c);
        c->acl = nu;
    }
    for (int i = 0; i < nsaved; i++)
        user_free(saved[i]);
    vg_free(saved);
    return VG_OK;
}
