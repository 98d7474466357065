/* test_config.c -- unit tests for the typed configuration table (proto/config.c).
 *
 * Owns: a small private parameter table (bool, int, memory, enum, string,
 * an immutable one, an alias, a repeated-line special) and the temporary
 * files it writes. Covers defaults, bounds, memory units, enum and bool
 * words, INI errors that name file and line, unknown keys, run-time
 * immutability and apply hooks, and CONFIG REWRITE keeping the operator's
 * comments and unknown lines. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "vg_alloc.h"

static int c_appendonly;
static long long c_databases;
static long long c_maxmemory;
static int c_policy;
static char *c_requirepass;
static char *c_dir;
static char *c_replicaof;
static long long c_hz;
static char c_save[256]; /* "save" lines joined by ',' */
static int apply_calls;

static const config_enum POLICIES[] = {
    {"noeviction", 0}, {"allkeys-lru", 1}, {"volatile-ttl", 2}, {NULL, 0}};

/* "save": repeated file lines accumulate; the first line of a load (or any
 * run-time set) replaces what was there. */
static int set_save(const config_param *p, const char *value, bool first, vg_error *err) {
    VG_UNUSED(p);
    if (strchr(value, '!')) {
        vg_error_set(err, "Invalid save parameters");
        return VG_ERR;
    }
    if (first) c_save[0] = '\0';
    size_t used = strlen(c_save);
    snprintf(c_save + used, sizeof(c_save) - used, "%s%s", used ? "," : "", value);
    return VG_OK;
}

static void get_save(const config_param *p, buf *out) {
    VG_UNUSED(p);
    buf_append_str(out, c_save);
}

/* hz refuses 13 at run time, after storage already changed. */
static int apply_hz(const config_param *p, vg_error *err) {
    apply_calls++;
    if (*(long long *)p->ptr == 13) {
        vg_error_set(err, "unlucky hz");
        return VG_ERR;
    }
    return VG_OK;
}

static config_param PARAMS[] = {
    {.name = "appendonly", .type = CONFIG_BOOL, .ptr = &c_appendonly, .default_value = "no"},
    {.name = "databases",
     .type = CONFIG_INT,
     .flags = CONFIG_IMMUTABLE,
     .ptr = &c_databases,
     .min = 1,
     .max = 1000,
     .default_value = "16"},
    {.name = "maxmemory",
     .type = CONFIG_MEMORY,
     .ptr = &c_maxmemory,
     .min = 0,
     .max = LLONG_MAX,
     .default_value = "0"},
    {.name = "maxmemory-policy",
     .type = CONFIG_ENUM,
     .ptr = &c_policy,
     .enums = POLICIES,
     .default_value = "noeviction"},
    {.name = "requirepass",
     .type = CONFIG_STRING,
     .flags = CONFIG_SENSITIVE,
     .ptr = &c_requirepass,
     .default_value = ""},
    {.name = "dir",
     .type = CONFIG_STRING,
     .flags = CONFIG_IMMUTABLE,
     .ptr = &c_dir,
     .default_value = "."},
    {.name = "replicaof", .alias = "slaveof", .type = CONFIG_STRING, .ptr = &c_replicaof},
    {.name = "hz",
     .type = CONFIG_INT,
     .ptr = &c_hz,
     .min = 1,
     .max = 500,
     .default_value = "10",
     .apply = apply_hz},
    {.name = "save",
     .type = CONFIG_SPECIAL,
     .flags = CONFIG_MULTI,
     .default_value = "3600 1",
     .set = set_save,
     .get = get_save},
};

static config_table T;
static char tmpdir[256];
static char path[300];

static void setup(void) {
    apply_calls = 0;
    config_table_init(&T, PARAMS, VG_ARRAY_LEN(PARAMS));
    vg_error err;
    cr_assert_eq(config_set_defaults(&T, &err), VG_OK, "%s", err.msg);
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/vigil-config-XXXXXX", base && *base ? base : "/tmp");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(path, sizeof(path), "%s/test.conf", tmpdir);
}

static void teardown(void) {
    config_table_free(&T);
    unlink(path);
    char tmp[400];
    snprintf(tmp, sizeof(tmp), "%s.bak", path);
    unlink(tmp);
    rmdir(tmpdir);
}

TestSuite(config, .init = setup, .fini = teardown);

static void write_file(const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(void) {
    static char out[8192];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = '\0';
    fclose(f);
    return out;
}

static const char *get(const char *name) {
    static char out[512];
    config_param *p = config_find(&T, name);
    cr_assert_not_null(p, "%s not found", name);
    buf b;
    buf_init(&b);
    config_get_value(p, &b);
    snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static void set_ok(const char *name, const char *value, bool runtime) {
    vg_error err = {{0}};
    cr_assert_eq(config_set(&T, name, value, runtime, &err), VG_OK, "%s %s: %s", name, value,
                 err.msg);
}

static void set_fails(const char *name, const char *value, bool runtime, const char *msg) {
    vg_error err = {{0}};
    cr_assert_eq(config_set(&T, name, value, runtime, &err), VG_ERR, "%s %s was accepted", name,
                 value);
    cr_assert_str_eq(err.msg, msg);
}

/* ---- defaults and types ---- */

Test(config, defaults_are_applied) {
    cr_assert_eq(c_appendonly, 0);
    cr_assert_eq(c_databases, 16);
    cr_assert_eq(c_maxmemory, 0);
    cr_assert_eq(c_policy, 0);
    cr_assert_str_eq(c_requirepass, "");
    cr_assert_str_eq(c_dir, ".");
    cr_assert_null(c_replicaof);
    cr_assert_eq(c_hz, 10);
    cr_assert_str_eq(c_save, "3600 1");
}

Test(config, invalid_default_names_the_parameter) {
    config_param bad[] = {{.name = "port",
                           .type = CONFIG_INT,
                           .ptr = &c_hz,
                           .min = 0,
                           .max = 65535,
                           .default_value = "70000"}};
    config_table t;
    config_table_init(&t, bad, 1);
    vg_error err;
    cr_assert_eq(config_set_defaults(&t, &err), VG_ERR);
    cr_assert_str_eq(
        err.msg, "default of 'port' is invalid: argument must be between 0 and 65535 inclusive");
    config_table_free(&t);
}

Test(config, bool_accepts_yes_and_no_only) {
    set_ok("appendonly", "yes", true);
    cr_assert_eq(c_appendonly, 1);
    cr_assert_str_eq(get("appendonly"), "yes");
    set_ok("appendonly", "NO", true);
    cr_assert_eq(c_appendonly, 0);
    set_fails("appendonly", "true", true, "argument must be 'yes' or 'no'");
    set_fails("appendonly", "1", true, "argument must be 'yes' or 'no'");
    set_fails("appendonly", "", true, "argument must be 'yes' or 'no'");
    cr_assert_eq(c_appendonly, 0, "a refused value must not change storage");
}

Test(config, int_bounds_are_inclusive) {
    set_ok("hz", "1", true);
    set_ok("hz", "500", true);
    cr_assert_eq(c_hz, 500);
    cr_assert_str_eq(get("hz"), "500");
    set_fails("hz", "0", true, "argument must be between 1 and 500 inclusive");
    set_fails("hz", "501", true, "argument must be between 1 and 500 inclusive");
    set_fails("hz", "-1", true, "argument must be between 1 and 500 inclusive");
    cr_assert_eq(c_hz, 500);
}

Test(config, int_refuses_non_integers) {
    set_fails("hz", "ten", true, "argument couldn't be parsed into an integer");
    set_fails("hz", "1.5", true, "argument couldn't be parsed into an integer");
    set_fails("hz", "", true, "argument couldn't be parsed into an integer");
    set_fails("hz", "99999999999999999999", true, "argument couldn't be parsed into an integer");
}

Test(config, memory_units) {
    static const struct {
        const char *in;
        long long out;
    } cases[] = {
        {"0", 0},
        {"100", 100},
        {"1b", 1},
        {"1k", 1000},
        {"1kb", 1024},
        {"1K", 1000},
        {"1KB", 1024},
        {"1m", 1000000},
        {"1mb", 1048576},
        {"1Mb", 1048576},
        {"1g", 1000000000},
        {"1gb", 1073741824},
        {"3gb", 3221225472LL},
        {"256mb", 268435456},
        {"8589934591gb", 8589934591LL * 1073741824LL},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        long long v = -1;
        cr_assert(config_parse_memory(cases[i].in, &v), "'%s' refused", cases[i].in);
        cr_assert_eq(v, cases[i].out, "'%s' gave %lld", cases[i].in, v);
    }
    set_ok("maxmemory", "2mb", true);
    cr_assert_eq(c_maxmemory, 2097152);
    cr_assert_str_eq(get("maxmemory"), "2097152");
}

Test(config, memory_without_digits_is_zero_as_redis_memtoull) {
    static const char *none[] = {"", "k", "kb", "B"};
    for (size_t i = 0; i < VG_ARRAY_LEN(none); i++) {
        long long v = 7;
        cr_assert(config_parse_memory(none[i], &v), "'%s' refused", none[i]);
        cr_assert_eq(v, 0, "'%s' gave %lld", none[i], v);
    }
}

Test(config, memory_refuses_bad_units_and_signs) {
    static const char *bad[] = {"1tb", "1.5mb", "1 mb", " 1k", "1kbb",  "1bk", "0x10",
                                "-",   "1e3",   "mb1",  "-0",  "++1mb", "+1",  "-1mb"};
    for (size_t i = 0; i < VG_ARRAY_LEN(bad); i++) {
        long long v = 7;
        cr_assert_not(config_parse_memory(bad[i], &v), "'%s' accepted as %lld", bad[i], v);
    }
    set_fails("maxmemory", "1tb", true, "argument must be a memory value");
    set_fails("maxmemory", "-1mb", true, "argument must be a memory value");
    cr_assert_eq(c_maxmemory, 0);
}

/* Redis' memtoull reads the digits with strtoull and no overflow check,
 * then multiplies: leading zeros are fine, too many digits saturate and a
 * large unit wraps (the bits are unsigned). */
Test(config, memory_wraps_as_redis_memtoull) {
    static const struct {
        const char *in;
        unsigned long long out;
    } cases[] = {
        {"01k", 1000},
        {"0777", 777},
        {"9223372036854775808", 9223372036854775808ULL},
        {"99999999999999999999", 18446744073709551615ULL},
        {"18446744073709551616", 18446744073709551615ULL},
        {"8589934592gb", 9223372036854775808ULL},
        {"17179869184gb", 0},
        {"20000000000gb", 3028092406290448384ULL},
        {"9999999999g", 9999999999000000000ULL},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        long long v = 7;
        cr_assert(config_parse_memory(cases[i].in, &v), "'%s' refused", cases[i].in);
        cr_assert_eq((unsigned long long)v, cases[i].out, "'%s' gave %llu", cases[i].in,
                     (unsigned long long)v);
    }
    set_fails("maxmemory", "9223372036854775808", true,
              "argument must be between 0 and 9223372036854775807 inclusive");
}

Test(config, enum_accepts_names_case_insensitively) {
    set_ok("maxmemory-policy", "ALLKEYS-LRU", true);
    cr_assert_eq(c_policy, 1);
    cr_assert_str_eq(get("maxmemory-policy"), "allkeys-lru");
    set_fails("maxmemory-policy", "lru", true,
              "argument(s) must be one of the following: noeviction, allkeys-lru, volatile-ttl");
    cr_assert_eq(c_policy, 1);
}

Test(config, string_values_are_copied) {
    char value[] = "secret";
    set_ok("requirepass", value, true);
    value[0] = 'X';
    cr_assert_str_eq(c_requirepass, "secret");
    set_ok("requirepass", "", true);
    cr_assert_str_eq(get("requirepass"), "");
}

Test(config, unset_string_reads_as_empty) {
    cr_assert_str_eq(get("replicaof"), "");
}

Test(config, names_and_aliases_are_case_insensitive) {
    cr_assert_eq(config_find(&T, "MaxMemory"), &PARAMS[2]);
    cr_assert_eq(config_find(&T, "slaveof"), &PARAMS[6]);
    cr_assert_eq(config_find(&T, "SLAVEOF"), &PARAMS[6]);
    cr_assert_null(config_find(&T, "maxmem"));
    set_ok("slaveof", "127.0.0.1 6379", true);
    cr_assert_str_eq(c_replicaof, "127.0.0.1 6379");
}

Test(config, unknown_key_is_an_error) {
    set_fails("no-such-thing", "1", true, "Bad directive or wrong number of arguments");
    set_fails("no-such-thing", "1", false, "Bad directive or wrong number of arguments");
}

Test(config, immutable_refused_at_runtime_allowed_at_startup) {
    set_fails("databases", "32", true, "can't set immutable config");
    set_fails("dir", "/elsewhere", true, "can't set immutable config");
    cr_assert_eq(c_databases, 16);
    set_ok("databases", "32", false);
    cr_assert_eq(c_databases, 32);
}

Test(config, apply_hook_runs_only_at_runtime_and_may_refuse) {
    set_ok("hz", "13", false);
    cr_assert_eq(apply_calls, 0);
    set_ok("hz", "20", true);
    cr_assert_eq(apply_calls, 1);
    set_fails("hz", "13", true, "unlucky hz");
    cr_assert_eq(apply_calls, 2);
}

Test(config, special_runtime_set_replaces) {
    set_ok("save", "900 1", true);
    set_ok("save", "60 100", true);
    cr_assert_str_eq(c_save, "60 100");
    set_fails("save", "bad!", true, "Invalid save parameters");
}

/* ---- files ---- */

Test(config, load_file_sets_every_type) {
    write_file("; Vigil test config\n"
               "[node]\n"
               "appendonly = yes\n"
               "databases = 4\n"
               "\n"
               "[memory]\n"
               "maxmemory = 1gb\n"
               "maxmemory-policy = volatile-ttl\n"
               "requirepass = p@ss word\n"
               "slaveof = 10.0.0.1 7000\n"
               "# another comment\n"
               "hz = 50 ; inline comment\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_OK, "%s", err.msg);
    cr_assert_eq(c_appendonly, 1);
    cr_assert_eq(c_databases, 4);
    cr_assert_eq(c_maxmemory, 1073741824LL);
    cr_assert_eq(c_policy, 2);
    cr_assert_str_eq(c_requirepass, "p@ss word");
    cr_assert_str_eq(c_replicaof, "10.0.0.1 7000");
    cr_assert_eq(c_hz, 50);
    cr_assert_eq(apply_calls, 0, "apply hooks are for run-time changes");
}

Test(config, repeated_lines_accumulate_per_load) {
    write_file("save = 900 1\nsave = 300 10\nsave = 60 10000\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_OK, "%s", err.msg);
    cr_assert_str_eq(c_save, "900 1,300 10,60 10000");
    /* A second load starts the list afresh. */
    write_file("save = 5 5\n");
    cr_assert_eq(config_load_file(&T, path, &err), VG_OK, "%s", err.msg);
    cr_assert_str_eq(c_save, "5 5");
}

Test(config, bad_value_error_names_file_line_and_reason) {
    write_file("appendonly = yes\n"
               "; comment\n"
               "databases = lots\n"
               "hz = 20\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_ERR);
    char want[512];
    snprintf(want, sizeof(want),
             "%s:3: 'databases = lots': argument couldn't be parsed into an integer", path);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(c_hz, 10, "lines after the error are not applied");
}

Test(config, unknown_key_in_file_names_the_line) {
    write_file("[node]\nport = 7000\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_ERR);
    char want[512];
    snprintf(want, sizeof(want), "%s:2: 'port = 7000': Bad directive or wrong number of arguments",
             path);
    cr_assert_str_eq(err.msg, want);
}

Test(config, out_of_range_in_file_names_the_line) {
    write_file("\n\n\n\nhz = 9999\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_ERR);
    char want[512];
    snprintf(want, sizeof(want), "%s:5: 'hz = 9999': argument must be between 1 and 500 inclusive",
             path);
    cr_assert_str_eq(err.msg, want);
}

Test(config, syntax_error_names_the_line) {
    write_file("appendonly = yes\njust some words\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_ERR);
    char want[512];
    snprintf(want, sizeof(want), "%s:2: syntax error (expected 'name = value' or '[section]')",
             path);
    cr_assert_str_eq(err.msg, want);
}

Test(config, sensitive_value_is_masked_in_errors) {
    config_param *p = config_find(&T, "requirepass");
    p->type = CONFIG_BOOL; /* make any value invalid for a moment */
    int dummy = 0;
    void *saved = p->ptr;
    p->ptr = &dummy;
    write_file("requirepass = hunter2\n");
    vg_error err = {{0}};
    int rc = config_load_file(&T, path, &err);
    p->type = CONFIG_STRING;
    p->ptr = saved;
    cr_assert_eq(rc, VG_ERR);
    cr_assert_null(strstr(err.msg, "hunter2"), "secret leaked: %s", err.msg);
    cr_assert_not_null(strstr(err.msg, "'requirepass = ***'"), "%s", err.msg);
}

Test(config, missing_file_is_an_error) {
    vg_error err = {{0}};
    char missing[400];
    snprintf(missing, sizeof(missing), "%s/nope.conf", tmpdir);
    cr_assert_eq(config_load_file(&T, missing, &err), VG_ERR);
    char want[512];
    snprintf(want, sizeof(want), "%s: can't open the config file: No such file or directory",
             missing);
    cr_assert_str_eq(err.msg, want);
}

Test(config, load_string_reports_the_line) {
    vg_error err = {{0}};
    cr_assert_eq(config_load_string(&T, "hz = 30\nmaxmemory = 10mb\n", &err), VG_OK, "%s", err.msg);
    cr_assert_eq(c_hz, 30);
    cr_assert_eq(c_maxmemory, 10485760);
    cr_assert_eq(config_load_string(&T, "hz = 30\nmaxmemory = 10tb\n", &err), VG_ERR);
    cr_assert_str_eq(err.msg, "(string):2: 'maxmemory = 10tb': argument must be a memory value");
}

/* ---- rewrite ---- */

Test(config, rewrite_without_a_file_is_refused) {
    vg_error err = {{0}};
    cr_assert_eq(config_rewrite(&T, &err), VG_ERR);
    cr_assert_str_eq(err.msg, "ERR The server is running without a config file");
}

Test(config, rewrite_keeps_comments_sections_and_unknown_lines) {
    write_file("# Vigil node\n"
               "[node]\n"
               "appendonly = no   ; turned on later\n"
               "\n"
               "; memory section below\n"
               "[memory]\n"
               "maxmemory = 1mb\n"
               "hz = 10\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_OK, "%s", err.msg);
    /* The operator added a line for a parameter this build does not know. */
    FILE *f = fopen(path, "a");
    fputs("future-knob = 3\n", f);
    fclose(f);
    set_ok("appendonly", "yes", true);
    set_ok("maxmemory", "2mb", true);
    cr_assert_eq(config_rewrite(&T, &err), VG_OK, "%s", err.msg);
    cr_assert_str_eq(read_file(), "# Vigil node\n"
                                  "[node]\n"
                                  "appendonly = yes\n"
                                  "\n"
                                  "; memory section below\n"
                                  "[memory]\n"
                                  "maxmemory = 2097152\n"
                                  "hz = 10\n"
                                  "future-knob = 3\n"
                                  "; Generated by CONFIG REWRITE\n"
                                  "save = 3600 1\n");
}

Test(config, rewrite_appends_changed_parameters_missing_from_the_file) {
    write_file("appendonly = yes\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_OK, "%s", err.msg);
    set_ok("maxmemory-policy", "allkeys-lru", true);
    set_ok("hz", "100", true);
    set_ok("replicaof", "10.0.0.2 6379", true);
    cr_assert_eq(config_rewrite(&T, &err), VG_OK, "%s", err.msg);
    cr_assert_str_eq(read_file(), "appendonly = yes\n"
                                  "; Generated by CONFIG REWRITE\n"
                                  "maxmemory-policy = allkeys-lru\n"
                                  "replicaof = 10.0.0.2 6379\n"
                                  "hz = 100\n"
                                  "save = 3600 1\n");
}

Test(config, rewrite_collapses_duplicates_and_moves_repeated_lines) {
    write_file("hz = 20\n"
               "save = 900 1\n"
               "hz = 30\n"
               "; keep me\n"
               "save = 300 10\n"
               "slaveof = 10.0.0.3 6379\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_OK, "%s", err.msg);
    cr_assert_eq(c_hz, 30);
    cr_assert_eq(config_rewrite(&T, &err), VG_OK, "%s", err.msg);
    cr_assert_str_eq(read_file(), "hz = 30\n"
                                  "; keep me\n"
                                  "replicaof = 10.0.0.3 6379\n"
                                  "; Generated by CONFIG REWRITE\n"
                                  "save = 900 1,300 10\n");
}

Test(config, rewritten_file_loads_back_to_the_same_values) {
    write_file("[node]\nappendonly = yes\n");
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_OK, "%s", err.msg);
    set_ok("maxmemory", "3gb", true);
    set_ok("maxmemory-policy", "volatile-ttl", true);
    set_ok("requirepass", "s3cret", true);
    cr_assert_eq(config_rewrite(&T, &err), VG_OK, "%s", err.msg);
    config_table_free(&T);
    config_table_init(&T, PARAMS, VG_ARRAY_LEN(PARAMS));
    cr_assert_eq(config_set_defaults(&T, &err), VG_OK, "%s", err.msg);
    cr_assert_eq(c_maxmemory, 0);
    cr_assert_eq(config_load_file(&T, path, &err), VG_OK, "%s", err.msg);
    cr_assert_eq(c_appendonly, 1);
    cr_assert_eq(c_maxmemory, 3221225472LL);
    cr_assert_eq(c_policy, 2);
    cr_assert_str_eq(c_requirepass, "s3cret");
}

/* ---- lines inih would truncate ---- */

Test(config, overlong_line_is_refused_with_its_number) {
    char text[600];
    char value[400];
    memset(value, 'x', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    snprintf(text, sizeof(text), "[node]\ndir = /tmp\ndir = %s\n", value);
    write_file(text);
    vg_error err = {{0}};
    cr_assert_eq(config_load_file(&T, path, &err), VG_ERR);
    cr_assert(strstr(err.msg, ":3: line longer than") != NULL, "%s", err.msg);
    cr_assert_str_neq(get("dir"), "/tmp", "nothing of the file was applied");
}
