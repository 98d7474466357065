/* config.c -- typed configuration table loaded from INI files (inih).
 *
 * Owns: heap copies of string values and the loaded path. Errors name the
 * file and line so a bad key or value is found at once. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fsutil.h"
#include "vg_alloc.h"

void config_table_init(config_table *t, config_param *params, size_t count) {
    t->params = params;
    t->count = count;
    t->path = NULL;
    t->seen = vg_calloc(count ? count : 1);
}

void config_table_free(config_table *t) {
    for (size_t i = 0; i < t->count; i++) {
        config_param *p = &t->params[i];
        if (p->type == CONFIG_STRING && p->ptr) {
            vg_free(*(char **)p->ptr);
            *(char **)p->ptr = NULL;
        }
    }
    vg_free(t->path);
    vg_free(t->seen);
    t->path = NULL;
    t->seen = NULL;
}

config_param *config_find(config_table *t, const char *name) {
    for (size_t i = 0; i < t->count; i++) {
        config_param *p = &t->params[i];
        if (strcasecmp(p->name, name) == 0 || (p->alias && strcasecmp(p->alias, name) == 0))
            return p;
    }
    return NULL;
}

bool config_parse_bool(const char *s, int *out) {
    if (strcasecmp(s, "yes") == 0) {
        *out = 1;
        return true;
    }
    if (strcasecmp(s, "no") == 0) {
        *out = 0;
        return true;
    }
    return false;
}

/* Redis' memtoull, to the bit: no sign, digits read as strtoull would
 * without its overflow check (too many saturate), then a unit; the
 * multiplication wraps. More than 127 digits is refused. */
bool config_parse_memory(const char *s, long long *out) {
    size_t digits = 0;
    if (s[0] == '-') return false;
    while (s[digits] >= '0' && s[digits] <= '9')
        digits++;
    const char *unit = s + digits;
    unsigned long long mul;
    if (*unit == '\0' || strcasecmp(unit, "b") == 0)
        mul = 1;
    else if (strcasecmp(unit, "k") == 0)
        mul = 1000;
    else if (strcasecmp(unit, "kb") == 0)
        mul = 1024;
    else if (strcasecmp(unit, "m") == 0)
        mul = 1000ULL * 1000;
    else if (strcasecmp(unit, "mb") == 0)
        mul = 1024ULL * 1024;
    else if (strcasecmp(unit, "g") == 0)
        mul = 1000ULL * 1000 * 1000;
    else if (strcasecmp(unit, "gb") == 0)
        mul = 1024ULL * 1024 * 1024;
    else
        return false;
    if (digits >= 128) return false;
    unsigned long long v = 0; /* no digits at all ("", "k") is 0 */
    for (size_t i = 0; i < digits; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            v = ULLONG_MAX;
            break;
        }
        v = v * 10 + d;
    }
    *out = (long long)(v * mul);
    return true;
}

/* Is v within p's bounds? CONFIG_UNSIGNED compares the bits as unsigned. */
static bool in_bounds(const config_param *p, long long v) {
    if (p->flags & CONFIG_UNSIGNED)
        return (unsigned long long)v >= (unsigned long long)p->min &&
               (unsigned long long)v <= (unsigned long long)p->max;
    return v >= p->min && v <= p->max;
}

static int set_typed(config_param *p, const char *value, bool first, vg_error *err) {
    switch (p->type) {
    case CONFIG_BOOL: {
        int v;
        if (!config_parse_bool(value, &v)) {
            vg_error_set(err, "argument must be 'yes' or 'no'");
            return VG_ERR;
        }
        *(int *)p->ptr = v;
        return VG_OK;
    }
    case CONFIG_INT:
    case CONFIG_MEMORY: {
        long long v;
        bool ok = p->type == CONFIG_INT ? vg_str2ll(value, strlen(value), &v)
                                        : config_parse_memory(value, &v);
        if (!ok) {
            vg_error_set(err, p->type == CONFIG_INT ? "argument couldn't be parsed into an integer"
                                                    : "argument must be a memory value");
            return VG_ERR;
        }
        if (!in_bounds(p, v)) {
            if (p->flags & CONFIG_UNSIGNED)
                vg_error_set(err, "argument must be between %llu and %llu inclusive",
                             (unsigned long long)p->min, (unsigned long long)p->max);
            else
                vg_error_set(err, "argument must be between %lld and %lld inclusive", p->min,
                             p->max);
            return VG_ERR;
        }
        *(long long *)p->ptr = v;
        return VG_OK;
    }
    case CONFIG_STRING: {
        char **slot = p->ptr;
        vg_free(*slot);
        *slot = vg_strdup(value);
        return VG_OK;
    }
    case CONFIG_ENUM:
        for (const config_enum *e = p->enums; e->name; e++) {
            if (strcasecmp(e->name, value) == 0) {
                *(int *)p->ptr = e->value;
                return VG_OK;
            }
        }
        vg_error_set(err, "argument(s) must be one of the following: ");
        for (const config_enum *e = p->enums; e->name; e++) {
            size_t used = strlen(err->msg);
            snprintf(err->msg + used, sizeof(err->msg) - used, "%s%s", e->name,
                     e[1].name ? ", " : "");
        }
        return VG_ERR;
    case CONFIG_SPECIAL:
        return p->set(p, value, first, err);
    }
    vg_error_set(err, "unknown parameter type");
    return VG_ERR;
}

int config_set_defaults(config_table *t, vg_error *err) {
    for (size_t i = 0; i < t->count; i++) {
        config_param *p = &t->params[i];
        if (p->default_value == NULL) continue;
        if (set_typed(p, p->default_value, true, err) != VG_OK) {
            char why[sizeof(err->msg)];
            snprintf(why, sizeof(why), "%s", err->msg);
            vg_error_set(err, "default of '%s' is invalid: %s", p->name, why);
            return VG_ERR;
        }
    }
    return VG_OK;
}

static int set_param(config_table *t, const char *name, const char *value, bool runtime, bool apply,
                     vg_error *err) {
    config_param *p = config_find(t, name);
    if (p == NULL) {
        vg_error_set(err, "Bad directive or wrong number of arguments");
        return VG_ERR;
    }
    if (runtime && (p->flags & CONFIG_IMMUTABLE)) {
        vg_error_set(err, "can't set immutable config");
        return VG_ERR;
    }
    size_t idx = (size_t)(p - t->params);
    bool first = runtime || !t->seen[idx];
    if (set_typed(p, value, first, err) != VG_OK) return VG_ERR;
    t->seen[idx] = 1;
    if (runtime && apply && p->apply && p->apply(p, err) != VG_OK) return VG_ERR;
    return VG_OK;
}

int config_set(config_table *t, const char *name, const char *value, bool runtime, vg_error *err) {
    return set_param(t, name, value, runtime, true, err);
}

int config_set_value(config_table *t, const char *name, const char *value, vg_error *err) {
    return set_param(t, name, value, true, false, err);
}

struct load_ctx {
    config_table *t;
    vg_error *err;
    const char *path;
    int failed;
};

static int on_ini_line(void *user, const char *section, const char *name, const char *value) {
    struct load_ctx *ctx = user;
    VG_UNUSED(section);
    if (ctx->failed) return 0;
    vg_error why;
    if (config_set(ctx->t, name, value, false, &why) != VG_OK) {
        vg_error_set(
            ctx->err, "'%s = %s': %s", name,
            (config_find(ctx->t, name) && (config_find(ctx->t, name)->flags & CONFIG_SENSITIVE))
                ? "***"
                : value,
            why.msg);
        ctx->failed = 1;
        return 0;
    }
    return 1;
}

static int load_common(config_table *t, int rc, struct load_ctx *ctx, vg_error *err) {
    VG_UNUSED(t);
    if (ctx->failed) {
        char why[sizeof(err->msg)];
        snprintf(why, sizeof(why), "%s", err->msg);
        vg_error_set(err, "%s:%d: %s", ctx->path, rc, why);
        return VG_ERR;
    }
    if (rc == -1) {
        vg_error_set(err, "%s: can't open the config file: %s", ctx->path, strerror(errno));
        return VG_ERR;
    }
    if (rc != 0) {
        vg_error_set(err, "%s:%d: syntax error (expected 'name = value' or '[section]')", ctx->path,
                     rc);
        return VG_ERR;
    }
    return VG_OK;
}

/* inih (as Debian builds it) cuts lines at INI_MAX_LINE bytes and would
 * apply the truncated start: refuse such files before parsing. Returns the
 * 1-based number of the first overlong line, or 0. */
static int overlong_line(const char *text, size_t len) {
    int lineno = 1;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            if (i - start >= INI_MAX_LINE - 1) return lineno;
            lineno++;
            start = i + 1;
        }
    }
    return 0;
}

static int check_line_lengths(const char *text, size_t len, const char *path, vg_error *err) {
    int bad = overlong_line(text, len);
    if (bad) {
        vg_error_set(err, "%s:%d: line longer than %d characters", path, bad, INI_MAX_LINE - 2);
        return VG_ERR;
    }
    return VG_OK;
}

int config_load_file(config_table *t, const char *path, vg_error *err) {
    buf text;
    buf_init(&text);
    if (fs_read_all(path, &text) == VG_OK) { /* unreadable: ini_parse reports it */
        int rc = check_line_lengths(text.data ? text.data : "", text.len, path, err);
        buf_free(&text);
        if (rc != VG_OK) return VG_ERR;
    }
    buf_free(&text);
    struct load_ctx ctx = {t, err, path, 0};
    memset(t->seen, 0, t->count ? t->count : 1);
    int rc = ini_parse(path, on_ini_line, &ctx);
    if (load_common(t, rc, &ctx, err) != VG_OK) return VG_ERR;
    vg_free(t->path);
    t->path = vg_strdup(path);
    return VG_OK;
}

int config_load_string(config_table *t, const char *text, vg_error *err) {
    if (check_line_lengths(text, strlen(text), "(string)", err) != VG_OK) return VG_ERR;
    struct load_ctx ctx = {t, err, "(string)", 0};
    memset(t->seen, 0, t->count ? t->count : 1);
    int rc = ini_parse_string(text, on_ini_line, &ctx);
    return load_common(t, rc, &ctx, err);
}

void config_get_value(const config_param *p, buf *out) {
    switch (p->type) {
    case CONFIG_BOOL:
        buf_append_str(out, *(int *)p->ptr ? "yes" : "no");
        return;
    case CONFIG_INT:
    case CONFIG_MEMORY:
        if (p->flags & CONFIG_UNSIGNED)
            buf_append_fmt(out, "%llu", *(unsigned long long *)p->ptr);
        else
            buf_append_fmt(out, "%lld", *(long long *)p->ptr);
        return;
    case CONFIG_STRING: {
        const char *s = *(char **)p->ptr;
        buf_append_str(out, s ? s : "");
        return;
    }
    case CONFIG_ENUM:
        for (const config_enum *e = p->enums; e->name; e++) {
            if (e->value == *(int *)p->ptr) {
                buf_append_str(out, e->name);
                return;
            }
        }
        return;
    case CONFIG_SPECIAL:
        p->get(p, out);
        return;
    }
}

/* The name a line "name = value" of an INI file sets, or 0 if none. */
static size_t line_key(const char *line, size_t len, const char **key) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i >= len || line[i] == ';' || line[i] == '#' || line[i] == '[') return 0;
    size_t start = i;
    while (i < len && line[i] != '=' && line[i] != ':' && line[i] != ' ' && line[i] != '\t')
        i++;
    *key = line + start;
    return i - start;
}

int config_rewrite(config_table *t, vg_error *err) {
    if (t->path == NULL) {
        vg_error_set(err, "ERR The server is running without a config file");
        return VG_ERR;
    }
    buf old, out, val;
    buf_init(&old);
    buf_init(&out);
    buf_init(&val);
    fs_read_all(t->path, &old); /* a missing file is rewritten from scratch */
    unsigned char *written = vg_calloc(t->count ? t->count : 1);
    size_t pos = 0;
    while (pos < old.len) {
        char *nl = memchr(old.data + pos, '\n', old.len - pos);
        size_t end = nl ? (size_t)(nl - old.data) : old.len;
        const char *key;
        size_t klen = line_key(old.data + pos, end - pos, &key);
        config_param *p = NULL;
        if (klen) {
            char name[128];
            snprintf(name, sizeof(name), "%.*s", (int)klen, key);
            p = config_find(t, name);
        }
        bool keep = p == NULL;
        if (p && (p->flags & CONFIG_MULTI)) {
            /* Repeated-line parameters are written once, below, except those that
             * cannot render their lines (ACL users): their lines stay as written. */
            buf_clear(&val);
            config_get_value(p, &val);
            keep = val.len == 0;
        }
        if (p && !(p->flags & CONFIG_MULTI) && !written[p - t->params]) {
            buf_clear(&val);
            config_get_value(p, &val);
            buf_append_fmt(&out, "%s = %s\n", p->name, val.data ? val.data : "");
            written[p - t->params] = 1;
        } else if (keep) {
            buf_append(&out, old.data + pos, end - pos);
            buf_append_char(&out, '\n');
        }
        pos = end + 1;
    }
    bool header = false;
    for (size_t i = 0; i < t->count; i++) {
        config_param *p = &t->params[i];
        if (written[i]) continue;
        buf_clear(&val);
        config_get_value(p, &val);
        const char *cur = val.data ? val.data : "";
        if (!(p->flags & CONFIG_MULTI) && p->default_value && strcmp(cur, p->default_value) == 0)
            continue;
        if (p->default_value == NULL && cur[0] == '\0') continue;
        if ((p->flags & CONFIG_MULTI) && cur[0] == '\0') continue;
        if (!header) {
            buf_append_str(&out, "; Generated by CONFIG REWRITE\n");
            header = true;
        }
        buf_append_fmt(&out, "%s = %s\n", p->name, cur);
    }
    vg_free(written);
    buf_free(&val);
    buf_free(&old);
    int rc = fs_write_atomic(t->path, out.data ? out.data : "", out.len);
    if (rc != VG_OK) vg_error_set(err, "ERR Rewriting config file: %s", strerror(errno));
    buf_free(&out);
    return rc;
}
