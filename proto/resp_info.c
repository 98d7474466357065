/* resp_info.c -- INFO text split into sections and fields (client side).
 *
 * Owns: the field array of a resp_info; every slice in it points into the
 * caller's text. One pass over the lines builds the index; lookups are
 * linear, which is what a few hundred fields read once per INFO cost. */
#include "resp_info.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "vg_alloc.h"

static vg_slice slice(char *p, size_t n) {
    vg_slice s = {p, n};
    return s;
}

static void add_field(resp_info *info, vg_slice section, vg_slice name, vg_slice value) {
    if (info->count == info->cap) {
        info->cap = info->cap ? info->cap * 2 : 64;
        info->fields = vg_realloc(info->fields, info->cap * sizeof(*info->fields));
    }
    resp_info_field *f = &info->fields[info->count++];
    f->section = section;
    f->name = name;
    f->value = value;
}

/* One line without its end of line: a header, a field, or something skipped. */
static void parse_line(resp_info *info, vg_slice *section, char *p, size_t n) {
    if (n == 0) return;
    if (p[0] == '#') {
        size_t i = 1;
        while (i < n && p[i] == ' ')
            i++;
        *section = slice(p + i, n - i);
        return;
    }
    char *colon = memchr(p, ':', n);
    if (colon == NULL || colon == p) return;
    size_t klen = (size_t)(colon - p);
    add_field(info, *section, slice(p, klen), slice(colon + 1, n - klen - 1));
}

void resp_info_parse(resp_info *info, char *text, size_t len) {
    info->count = 0;
    vg_slice section = slice(text, 0);
    size_t i = 0;
    while (i < len) {
        char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - i;
        if (n > 0 && text[i + n - 1] == '\r') n--;
        parse_line(info, &section, text + i, n);
        i = nl ? end + 1 : len;
    }
}

void resp_info_free(resp_info *info) {
    vg_free(info->fields);
    memset(info, 0, sizeof(*info));
}

bool resp_info_slice_is(vg_slice v, const char *s) {
    size_t n = strlen(s);
    return v.len == n && memcmp(v.ptr, s, n) == 0;
}

static bool section_is(vg_slice v, const char *s) {
    size_t n = strlen(s);
    return v.len == n && strncasecmp(v.ptr, s, n) == 0;
}

const resp_info_field *resp_info_find(const resp_info *info, const char *section,
                                      const char *name) {
    for (size_t i = 0; i < info->count; i++) {
        const resp_info_field *f = &info->fields[i];
        if (section && !section_is(f->section, section)) continue;
        if (resp_info_slice_is(f->name, name)) return f;
    }
    return NULL;
}

bool resp_info_get(const resp_info *info, const char *name, vg_slice *out) {
    const resp_info_field *f = resp_info_find(info, NULL, name);
    if (f == NULL) return false;
    *out = f->value;
    return true;
}

bool resp_info_get_ll(const resp_info *info, const char *name, long long *out) {
    vg_slice v;
    return resp_info_get(info, name, &v) && vg_str2ll(v.ptr, v.len, out);
}

bool resp_info_subfield(vg_slice value, const char *key, vg_slice *out) {
    size_t klen = strlen(key);
    size_t i = 0;
    while (i < value.len) {
        char *comma = memchr(value.ptr + i, ',', value.len - i);
        size_t end = comma ? (size_t)(comma - value.ptr) : value.len;
        char *item = value.ptr + i;
        size_t n = end - i;
        if (n > klen && item[klen] == '=' && memcmp(item, key, klen) == 0) {
            *out = slice(item + klen + 1, n - klen - 1);
            return true;
        }
        i = end + 1;
    }
    return false;
}
