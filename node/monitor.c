/* monitor.c -- MONITOR: stream every executed command to watching clients.
 *
 * Owns: an array of borrowed monitor clients (removed on close). Lines look
 * like Redis': +1339518083.107412 [0 127.0.0.1:60866] "set" "k" "v", with
 * "(redacted)" for arguments the handler marked with command_redact_arg. */
#include "monitor.h"

#include <stdio.h>
#include <sys/time.h>

#include "command.h"
#include "reply.h"
#include "server.h"
#include "vg_alloc.h"

#define MONITOR_REDACTED "(redacted)"

static client **monitors;
static size_t nmonitors, cap;

static void quote(buf *b, const char *p, size_t len) {
    buf_append_char(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        switch (ch) {
        case '\\':
        case '"':
            buf_append_char(b, '\\');
            buf_append_char(b, (char)ch);
            break;
        case '\n':
            buf_append(b, "\\n", 2);
            break;
        case '\r':
            buf_append(b, "\\r", 2);
            break;
        case '\t':
            buf_append(b, "\\t", 2);
            break;
        case '\a':
            buf_append(b, "\\a", 2);
            break;
        case '\b':
            buf_append(b, "\\b", 2);
            break;
        default:
            if (ch >= 32 && ch < 127)
                buf_append_char(b, (char)ch);
            else
                buf_append_fmt(b, "\\x%02x", ch);
        }
    }
    buf_append_char(b, '"');
}

void monitor_feed(client *c) {
    if (nmonitors == 0) return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    buf line;
    buf_init(&line);
    buf_append_fmt(&line, "+%ld.%06ld [%d %s]", (long)tv.tv_sec, (long)tv.tv_usec,
                   c->db ? c->db->id : 0, (c->flags & CLIENT_FAKE) ? "lua" : c->addr);
    for (int i = 0; i < c->argc; i++) {
        buf_append_char(&line, ' ');
        if (command_arg_redacted(c, i))
            quote(&line, MONITOR_REDACTED, sizeof(MONITOR_REDACTED) - 1);
        else
            quote(&line, c->argv[i].ptr, c->argv[i].len);
    }
    buf_append(&line, "\r\n", 2);
    /* A monitor sees its own commands too, as in Redis. */
    for (size_t i = 0; i < nmonitors; i++)
        reply_raw(monitors[i], line.data, line.len);
    buf_free(&line);
}

void monitor_client_closed(client *c) {
    if (!(c->flags & CLIENT_MONITOR)) return;
    for (size_t i = 0; i < nmonitors; i++)
        if (monitors[i] == c) {
            monitors[i] = monitors[--nmonitors];
            break;
        }
    c->flags &= ~CLIENT_MONITOR;
}

static void cmd_monitor(client *c) {
    if (c->flags & CLIENT_MONITOR) return;
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "ERR MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if (nmonitors == cap) {
        cap = cap ? cap * 2 : 4;
        monitors = vg_realloc(monitors, cap * sizeof(client *));
    }
    monitors[nmonitors++] = c;
    c->flags |= CLIENT_MONITOR;
    reply_ok(c);
}

static command monitor_commands[] = {
    {.name = "monitor",
     .proc = cmd_monitor,
     .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .summary = "Listen for all requests received by the server in real time",
     .since = "1.0.0",
     .group = "server"},
};
COMMAND_TABLE(monitor_commands)
