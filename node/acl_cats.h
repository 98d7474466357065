/* acl_cats.h -- Redis' ACL command categories as bits.
 *
 * Owns: the category name table. Commands list their categories as text;
 * flags imply some (write -> @write, admin -> @admin @dangerous, no fast
 * flag -> @slow), as in Redis. */
#ifndef VIGIL_NODE_ACL_CATS_H
#define VIGIL_NODE_ACL_CATS_H

#include <stddef.h>
#include <stdint.h>

uint64_t acl_cats_parse(const char *text, uint32_t cmd_flags);
/* Category bit by name without '@' ("read"); 0 if unknown. */
uint64_t acl_cat_bit(const char *name, size_t len);
size_t acl_cats_count(void);
const char *acl_cat_name(size_t i);

#endif
