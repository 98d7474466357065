/* resp_info.h -- INFO text split into sections and fields (client side).
 *
 * Owns: the field index of one INFO reply. The text itself is borrowed: it
 * must outlive the resp_info (a replica and a sentinel keep the reply until
 * they are done reading it). Lines are "name:value" under "# Section"
 * headers, ended by "\r\n" or "\n"; lines of any other shape are skipped, as
 * Redis' own readers skip them. Values such as "ip=...,port=...,state=..."
 * (slave0, db0) are read with resp_info_subfield. No I/O, no limits needed:
 * the index is one entry per line of text that already exists. */
#ifndef VIGIL_PROTO_RESP_INFO_H
#define VIGIL_PROTO_RESP_INFO_H

#include <stdbool.h>
#include <stddef.h>

#include "vg_common.h"

typedef struct resp_info_field {
    vg_slice section; /* borrowed: "Replication" ("" before any header) */
    vg_slice name;    /* borrowed: "role" */
    vg_slice value;   /* borrowed: "master" */
} resp_info_field;

typedef struct resp_info {
    resp_info_field *fields; /* owned */
    size_t count;
    size_t cap;
} resp_info;

/* Index text[0..len) (borrowed, must outlive info). Replaces what info held. */
void resp_info_parse(resp_info *info, char *text, size_t len);
void resp_info_free(resp_info *info);
/* The first field called name in any section (NULL section) or in the named
 * section (case-insensitive, as INFO's section argument). Borrowed. */
const resp_info_field *resp_info_find(const resp_info *info, const char *section, const char *name);
/* Value of name as a slice; false when absent. */
bool resp_info_get(const resp_info *info, const char *name, vg_slice *out);
/* Value of name as a whole base-10 integer; false when absent or not one. */
bool resp_info_get_ll(const resp_info *info, const char *name, long long *out);
/* In "k1=v1,k2=v2", the value of key; false when absent. Borrowed from value. */
bool resp_info_subfield(vg_slice value, const char *key, vg_slice *out);
/* A slice equals the C string s exactly. */
bool resp_info_slice_is(vg_slice v, const char *s);

#endif
