/* notify.h -- keyspace notifications (notify-keyspace-events).
 *
 * Owns: nothing beyond the parsed flag set in server.notify_keyspace_events.
 * Commands call notify_keyspace_event after a change; when the class is
 * enabled it publishes to __keyspace@<db>__:<key> and/or
 * __keyevent@<db>__:<event> as Redis does. */
#ifndef VIGIL_NODE_NOTIFY_H
#define VIGIL_NODE_NOTIFY_H

#include <stddef.h>

#include "buf.h"

#define NOTIFY_KEYSPACE (1 << 0)  /* K */
#define NOTIFY_KEYEVENT (1 << 1)  /* E */
#define NOTIFY_GENERIC (1 << 2)   /* g */
#define NOTIFY_STRING (1 << 3)    /* $ */
#define NOTIFY_LIST (1 << 4)      /* l */
#define NOTIFY_SET (1 << 5)       /* s */
#define NOTIFY_HASH (1 << 6)      /* h */
#define NOTIFY_ZSET (1 << 7)      /* z */
#define NOTIFY_EXPIRED (1 << 8)   /* x */
#define NOTIFY_EVICTED (1 << 9)   /* e */
#define NOTIFY_STREAM (1 << 10)   /* t */
#define NOTIFY_KEY_MISS (1 << 11) /* m (not part of A) */
#define NOTIFY_MODULE (1 << 12)   /* d */
#define NOTIFY_NEW (1 << 13)      /* n (not part of A) */
#define NOTIFY_ALL                                                                                 \
    (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET |       \
     NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

/* Parse "KEA" style flags; -1 on an unknown character. */
int notify_flags_parse(const char *s);
/* Render flags the way CONFIG GET shows them. */
void notify_flags_render(int flags, buf *out);
void notify_keyspace_event(int type, const char *event, const char *key, size_t klen, int dbid);

#endif
