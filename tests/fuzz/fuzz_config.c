/* fuzz_config.c -- libFuzzer target for the INI config loader (proto/config.c).
 *
 * Owns: a small parameter table of every type and the strings it loads. The
 * input is loaded as an INI text over the defaults; the target then reads
 * every value back, and checks that a load either succeeds or names a line
 * ("(string):N: ..."), that numbers respect their bounds, and that a value
 * which CONFIG GET printed is accepted again by CONFIG SET (round trip).
 * The same bytes also go through the memory-unit and bool parsers. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static int f_bool;
static long long f_int, f_mem;
static int f_enum;
static char *f_str, *f_alias, *f_imm;
static char f_multi[512];

static const config_enum ENUMS[] = {{"one", 1}, {"two", 2}, {"three", 3}, {NULL, 0}};

static int set_multi(const config_param *p, const char *value, bool first, vg_error *err) {
    (void)p;
    if (strlen(value) > 100) {
        vg_error_set(err, "too long");
        return VG_ERR;
    }
    if (first) f_multi[0] = '\0';
    size_t used = strlen(f_multi);
    if (used + strlen(value) + 2 < sizeof(f_multi)) {
        if (used) strcat(f_multi, " ");
        strcat(f_multi, value);
    }
    return VG_OK;
}

static void get_multi(const config_param *p, buf *out) {
    (void)p;
    buf_append_str(out, f_multi);
}

static config_param PARAMS[] = {
    {.name = "flag", .type = CONFIG_BOOL, .ptr = &f_bool, .default_value = "no"},
    {.name = "count",
     .type = CONFIG_INT,
     .ptr = &f_int,
     .min = -5,
     .max = 100000,
     .default_value = "7"},
    {.name = "mem",
     .type = CONFIG_MEMORY,
     .ptr = &f_mem,
     .min = 0,
     .max = LLONG_MAX,
     .default_value = "1mb"},
    {.name = "mode", .type = CONFIG_ENUM, .ptr = &f_enum, .enums = ENUMS, .default_value = "one"},
    {.name = "text", .type = CONFIG_STRING, .ptr = &f_str, .default_value = ""},
    {.name = "newname", .alias = "oldname", .type = CONFIG_STRING, .ptr = &f_alias},
    {.name = "fixed",
     .type = CONFIG_STRING,
     .flags = CONFIG_IMMUTABLE | CONFIG_SENSITIVE,
     .ptr = &f_imm,
     .default_value = "x"},
    {.name = "multi",
     .type = CONFIG_SPECIAL,
     .flags = CONFIG_MULTI,
     .default_value = "a",
     .set = set_multi,
     .get = get_multi},
};

static void check(int cond) {
    if (!cond) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 20000) return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    long long m;
    /* As Redis' memtoull, a value without digits ("", "k") reads as 0. */
    if (config_parse_memory(text, &m) && strspn(text, "0123456789-") == 0) check(m == 0);
    int b;
    if (config_parse_bool(text, &b)) check(b == 0 || b == 1);

    config_table t;
    config_table_init(&t, PARAMS, sizeof(PARAMS) / sizeof(PARAMS[0]));
    vg_error err;
    check(config_set_defaults(&t, &err) == VG_OK);
    memset(&err, 0, sizeof(err));
    if (config_load_string(&t, text, &err) != VG_OK) check(strncmp(err.msg, "(string):", 9) == 0);
    check(f_int >= -5 && f_int <= 100000);
    check(f_mem >= 0);
    check(f_enum >= 1 && f_enum <= 3);
    check(f_bool == 0 || f_bool == 1);

    /* Whatever GET prints, SET takes back unchanged. */
    buf v, again;
    buf_init(&v);
    buf_init(&again);
    for (size_t i = 0; i < t.count; i++) {
        config_param *p = &t.params[i];
        buf_clear(&v);
        config_get_value(p, &v);
        const char *s = v.data ? v.data : "";
        if (p->type == CONFIG_SPECIAL || (p->flags & CONFIG_IMMUTABLE)) continue;
        if (p->type == CONFIG_STRING && p->default_value == NULL && *(char **)p->ptr == NULL)
            continue;
        char *copy = strdup(s);
        check(config_set(&t, p->name, copy, true, &err) == VG_OK);
        buf_clear(&again);
        config_get_value(p, &again);
        check(again.len == v.len && memcmp(again.data ? again.data : "", copy, v.len) == 0);
        free(copy);
    }
    buf_free(&v);
    buf_free(&again);
    config_table_free(&t);
    free(text);
    return 0;
}
