/* notify.c -- keyspace notifications (notify-keyspace-events).
 *
 * Owns: nothing. The fast path is one flag test, so commands can call
 * notify_keyspace_event unconditionally. */
#include "notify.h"

#include <stdio.h>
#include <string.h>

#include "pubsub.h"
#include "server.h"

int notify_flags_parse(const char *s) {
    int flags = 0;
    for (; *s; s++) {
        switch (*s) {
        case 'A':
            flags |= NOTIFY_ALL;
            break;
        case 'g':
            flags |= NOTIFY_GENERIC;
            break;
        case '$':
            flags |= NOTIFY_STRING;
            break;
        case 'l':
            flags |= NOTIFY_LIST;
            break;
        case 's':
            flags |= NOTIFY_SET;
            break;
        case 'h':
            flags |= NOTIFY_HASH;
            break;
        case 'z':
            flags |= NOTIFY_ZSET;
            break;
        case 'x':
            flags |= NOTIFY_EXPIRED;
            break;
        case 'e':
            flags |= NOTIFY_EVICTED;
            break;
        case 'K':
            flags |= NOTIFY_KEYSPACE;
            break;
        case 'E':
            flags |= NOTIFY_KEYEVENT;
            break;
        case 't':
            flags |= NOTIFY_STREAM;
            break;
        case 'm':
            flags |= NOTIFY_KEY_MISS;
            break;
        case 'd':
            flags |= NOTIFY_MODULE;
            break;
        case 'n':
            flags |= NOTIFY_NEW;
            break;
        default:
            return -1;
        }
    }
    return flags;
}

void notify_flags_render(int flags, buf *out) {
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL) {
        buf_append_char(out, 'A');
    } else {
        static const struct {
            int flag;
            char ch;
        } order[] = {{NOTIFY_GENERIC, 'g'}, {NOTIFY_STRING, '$'},  {NOTIFY_LIST, 'l'},
                     {NOTIFY_SET, 's'},     {NOTIFY_HASH, 'h'},    {NOTIFY_ZSET, 'z'},
                     {NOTIFY_EXPIRED, 'x'}, {NOTIFY_EVICTED, 'e'}, {NOTIFY_STREAM, 't'},
                     {NOTIFY_MODULE, 'd'}};
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
            if (flags & order[i].flag) buf_append_char(out, order[i].ch);
    }
    if (flags & NOTIFY_KEYSPACE) buf_append_char(out, 'K');
    if (flags & NOTIFY_KEYEVENT) buf_append_char(out, 'E');
    if (flags & NOTIFY_KEY_MISS) buf_append_char(out, 'm');
    if (flags & NOTIFY_NEW) buf_append_char(out, 'n');
}

void notify_keyspace_event(int type, const char *event, const char *key, size_t klen, int dbid) {
    int flags = server.notify_keyspace_events;
    if (!(flags & type) || !(flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT))) return;
    buf ch;
    buf_init(&ch);
    if (flags & NOTIFY_KEYSPACE) {
        buf_append_fmt(&ch, "__keyspace@%d__:", dbid);
        buf_append(&ch, key, klen);
        pubsub_publish(ch.data, ch.len, event, strlen(event));
    }
    if (flags & NOTIFY_KEYEVENT) {
        buf_clear(&ch);
        buf_append_fmt(&ch, "__keyevent@%d__:%s", dbid, event);
        pubsub_publish(ch.data, ch.len, key, klen);
    }
    buf_free(&ch);
}
