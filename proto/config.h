/* config.h -- typed configuration table loaded from INI files (inih).
 *
 * Owns: the storage behind string parameters (char * fields it sets are
 * heap copies it frees). The table itself is the caller's: one static array
 * of config_param describing every parameter with Redis' own name, its type,
 * bounds, default and whether CONFIG SET may change it at run time. The same
 * table serves the file loader, command-line overrides, CONFIG GET/SET and
 * CONFIG REWRITE, so they cannot disagree. */
#ifndef VIGIL_PROTO_CONFIG_H
#define VIGIL_PROTO_CONFIG_H

#include <stdbool.h>

#include "buf.h"
#include "vg_common.h"

enum config_type {
    CONFIG_BOOL,   /* int*: yes/no */
    CONFIG_INT,    /* long long*: integer within [min, max] */
    CONFIG_MEMORY, /* long long*: bytes, accepts 1k 1kb 1m 1mb 1g 1gb */
    CONFIG_STRING, /* char**: owned copy */
    CONFIG_ENUM,   /* int*: one of enums[] */
    CONFIG_SPECIAL /* custom set/get callbacks */
};

enum config_flags {
    CONFIG_IMMUTABLE = 1 << 0, /* only from file or command line */
    CONFIG_SENSITIVE = 1 << 1, /* value never logged */
    CONFIG_MULTI = 1 << 2,     /* SPECIAL: repeated file lines accumulate */
    CONFIG_VOLATILE = 1 << 3,  /* names a file: apply even when the value is unchanged */
    CONFIG_PROTECTED = 1 << 4, /* CONFIG SET only where enable-protected-configs allows */
    /* INT/MEMORY: the field holds an unsigned value (Redis' size_t, unsigned
     * long long ...): bounds compare, errors and CONFIG GET show it unsigned. */
    CONFIG_UNSIGNED = 1 << 5,
};

typedef struct config_enum {
    const char *name;
    int value;
} config_enum;

typedef struct config_param config_param;

struct config_param {
    const char *name;
    const char *alias; /* older Redis name (slaveof for replicaof), or NULL */
    int type;
    int flags;
    void *ptr; /* borrowed: the field the value lives in */
    long long min, max;
    const char *default_value;
    const config_enum *enums; /* CONFIG_ENUM: {NULL, 0} terminated */
    /* CONFIG_SPECIAL: parse and store. from_file distinguishes repeated lines. */
    int (*set)(const config_param *p, const char *value, bool first_in_load, vg_error *err);
    /* CONFIG_SPECIAL: render the current value as CONFIG GET shows it. */
    void (*get)(const config_param *p, buf *out);
    /* Optional: called after a run-time change took effect in storage; may refuse. */
    int (*apply)(const config_param *p, vg_error *err);
};

typedef struct config_table {
    config_param *params; /* borrowed: static array */
    size_t count;
    char *path;          /* owned: file loaded, for REWRITE */
    unsigned char *seen; /* owned: per-param "set during this load" marks */
} config_table;

void config_table_init(config_table *t, config_param *params, size_t count);
void config_table_free(config_table *t);
/* Apply every default. */
int config_set_defaults(config_table *t, vg_error *err);
/* Load an INI file: "path:line: message" on error. Section names are free. */
int config_load_file(config_table *t, const char *path, vg_error *err);
/* Parse an INI text held in memory (fuzzing, tests). */
int config_load_string(config_table *t, const char *text, vg_error *err);
/* Set one parameter by name (or alias). runtime: refuses IMMUTABLE ones and calls apply. */
int config_set(config_table *t, const char *name, const char *value, bool runtime, vg_error *err);
/* Run-time set that stores the value but skips the apply hook, so a caller
 * changing several parameters (CONFIG SET a x b y) can apply them together
 * once all values are in place. */
int config_set_value(config_table *t, const char *name, const char *value, vg_error *err);
config_param *config_find(config_table *t, const char *name);
void config_get_value(const config_param *p, buf *out);
/* Write the current values back into the loaded file, keeping its other lines. */
int config_rewrite(config_table *t, vg_error *err);

/* "1gb" -> 1073741824, as Redis' memtoull: no sign, and too many digits
 * or a large unit wrap around (the bits are unsigned). False (out
 * untouched) on a bad number or unit. */
bool config_parse_memory(const char *s, long long *out);
/* "yes" -> 1, "no" -> 0 (any case). False (out untouched) otherwise. */
bool config_parse_bool(const char *s, int *out);

#endif
