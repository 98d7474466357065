/* acl_cats.c -- Redis' ACL command categories as bits.
 *
 * Owns: the static category table (order fixed: bit i = names[i]). */
#include "acl_cats.h"

#include <string.h>
#include <strings.h>

#include "command.h"

static const char *names[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting",
};

size_t acl_cats_count(void) {
    return sizeof(names) / sizeof(names[0]);
}

const char *acl_cat_name(size_t i) {
    return i < acl_cats_count() ? names[i] : NULL;
}

uint64_t acl_cat_bit(const char *name, size_t len) {
    for (size_t i = 0; i < acl_cats_count(); i++)
        if (strlen(names[i]) == len && strncasecmp(names[i], name, len) == 0) return 1ULL << i;
    return 0;
}

uint64_t acl_cats_parse(const char *text, uint32_t flags) {
    uint64_t bits = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        if (p > start && *start == '@') bits |= acl_cat_bit(start + 1, (size_t)(p - start - 1));
    }
    /* Redis 7.0's setImplicitACLCategories(): flags imply categories,
     * read-only scripting commands (EVAL_RO...) stay out of @read, and a
     * command that does not end up @fast is @slow. */
    if (flags & CMD_WRITE) bits |= acl_cat_bit("write", 5);
    if ((flags & CMD_READONLY) && !(bits & acl_cat_bit("scripting", 9)))
        bits |= acl_cat_bit("read", 4);
    if (flags & CMD_ADMIN) bits |= acl_cat_bit("admin", 5) | acl_cat_bit("dangerous", 9);
    if (flags & CMD_PUBSUB) bits |= acl_cat_bit("pubsub", 6);
    if (flags & CMD_FAST) bits |= acl_cat_bit("fast", 4);
    if (flags & CMD_BLOCKING) bits |= acl_cat_bit("blocking", 8);
    if (!(bits & acl_cat_bit("fast", 4))) bits |= acl_cat_bit("slow", 4);
    return bits;
}
