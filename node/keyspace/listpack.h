/* listpack.h -- a compact sequence of string-or-integer entries in one block.
 *
 * Owns: nothing beyond the block itself; a listpack is a plain byte array
 * allocated with vg_malloc and freed with lp_free. The bytes follow Redis'
 * listpack format exactly (so RDB can write them as they are):
 *
 *   | total_bytes:u32le | num_elements:u16le | entry ... | 0xFF |
 *   entry = | encoding+data | backlen (1..5 bytes, entry size read backwards) |
 *
 * Integers use the smallest of 7-bit uint, 13/16/24/32/64-bit signed; strings
 * use 6-bit, 12-bit or 32-bit length prefixes. A string that is the canonical
 * text of a 64-bit integer ("-12", not "012") is stored as that integer and
 * reads back as an integer; lp_get_str formats it back to the same text.
 * num_elements saturates at 65535; lp_length then counts by walking.
 *
 * Entry positions are `unsigned char *` into the block. Every call that
 * changes the listpack may move it: it returns the (new) listpack and all
 * earlier positions become invalid, except those returned through out
 * parameters by that call. The prefix is `lp_` (Redis' own abbreviation). */
#ifndef VIGIL_NODE_LISTPACK_H
#define VIGIL_NODE_LISTPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LP_HDR_SIZE 6
#define LP_EOF 0xFF
/* Enough room for any integer entry formatted as text by lp_get_str. */
#define LP_INTBUF_SIZE 32

enum lp_where { LP_BEFORE = 0, LP_AFTER = 1 };

/* One entry's value: a string (str != NULL) or an integer (str == NULL). */
typedef struct lp_val {
    const unsigned char *str; /* borrowed: bytes inside the listpack, or NULL */
    size_t len;               /* string length */
    long long ll;             /* integer value when str == NULL */
} lp_val;

/* Returns new: an empty listpack (caller frees with lp_free). */
unsigned char *lp_new(void);
void lp_free(unsigned char *lp);
/* Returns new: a byte-for-byte copy. */
unsigned char *lp_dup(const unsigned char *lp);
/* Bytes used by the encoding (the header's total_bytes). */
size_t lp_bytes(const unsigned char *lp);
/* Bytes allocated for the block (for memory accounting). */
size_t lp_alloc_size(const unsigned char *lp);
/* Number of entries. O(1) below 65535 entries. */
size_t lp_length(const unsigned char *lp);

/* --- positions --- */
/* First/last entry, or NULL when empty. */
unsigned char *lp_first(const unsigned char *lp);
unsigned char *lp_last(const unsigned char *lp);
/* Following/preceding entry, or NULL at the end/start. */
unsigned char *lp_next(const unsigned char *lp, const unsigned char *p);
unsigned char *lp_prev(const unsigned char *lp, const unsigned char *p);
/* Entry at index (negative counts from the tail: -1 is the last), or NULL. */
unsigned char *lp_seek(const unsigned char *lp, long long index);

/* --- reading --- */
/* Decode the entry at p. */
void lp_get(const unsigned char *p, lp_val *out);
/* The entry as text: strings point into the listpack, integers are
 * formatted into ibuf (LP_INTBUF_SIZE bytes). Sets *len. */
const char *lp_get_str(const unsigned char *p, char *ibuf, size_t *len);
/* True if the entry is an integer; sets *out. A string entry never
 * qualifies (strings that parse as integers are stored as integers). */
bool lp_get_int(const unsigned char *p, long long *out);
/* True if the entry at p equals the bytes s[0..len). */
bool lp_eq(const unsigned char *p, const char *s, size_t len);
/* First entry at or after p equal to s, comparing one entry then jumping
 * over `skip` entries (skip = 1 scans the keys of a field/value listpack).
 * Returns NULL when not found. */
unsigned char *lp_find(const unsigned char *lp, unsigned char *p, const char *s, size_t len,
                       unsigned skip);

/* --- writing (each returns the listpack, possibly moved) --- */
unsigned char *lp_append(unsigned char *lp, const char *s, size_t len);
unsigned char *lp_append_int(unsigned char *lp, long long v);
unsigned char *lp_prepend(unsigned char *lp, const char *s, size_t len);
unsigned char *lp_prepend_int(unsigned char *lp, long long v);
/* Insert before or after the entry at p. *newp (if not NULL) gets the
 * position of the inserted entry. */
unsigned char *lp_insert(unsigned char *lp, const char *s, size_t len, unsigned char *p,
                         enum lp_where where, unsigned char **newp);
unsigned char *lp_insert_int(unsigned char *lp, long long v, unsigned char *p, enum lp_where where,
                             unsigned char **newp);
/* Insert at index (0..length; negative counts from the tail, -1 = append). */
unsigned char *lp_insert_at(unsigned char *lp, long long index, const char *s, size_t len);
/* Replace the entry at *p; *p is updated to the new entry's position. */
unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const char *s, size_t len);
unsigned char *lp_replace_int(unsigned char *lp, unsigned char **p, long long v);
/* Delete the entry at p. *nextp (if not NULL) gets the entry that followed
 * it, or NULL when p was the last. */
unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **nextp);
/* Delete count entries starting at p (fewer if the list ends first). */
unsigned char *lp_delete_range_at(unsigned char *lp, unsigned char *p, size_t count);
/* Delete count entries starting at index (negative from the tail). */
unsigned char *lp_delete_range(unsigned char *lp, long long index, size_t count);
/* Give back unused capacity (after large deletions). */
unsigned char *lp_shrink(unsigned char *lp);

/* --- integrity (RDB loading) --- */
/* True if the size bytes at lp form a well-formed listpack: header size
 * matches, every entry and backlen decode inside bounds, the element count
 * matches (unless saturated) and the terminator is last. When
 * expect_count >= 0 the entry count must equal it. Never reads past size. */
bool lp_validate(const unsigned char *lp, size_t size, long long expect_count);

#endif
