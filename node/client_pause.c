/* client_pause.c -- CLIENT PAUSE: commands held until a deadline.
 *
 * Owns: the pause state and its timer (see client_pause.h). The timer is
 * initialised on the loop the first time a pause starts and closed with
 * the loop's other handles at teardown. */
#include "client_pause.h"

#include <string.h>

#include "command.h"
#include "server.h"
#include "vg_alloc.h"

static struct {
    int mode;         /* enum client_pause_mode */
    int64_t end_ms;   /* wall clock at which the pause ends */
    uv_timer_t timer; /* fires at end_ms */
    bool timer_ready; /* timer initialised on the loop */
} pause_state;

bool client_pause_holds(const client *c, const char *name, size_t len) {
    if (pause_state.mode == CLIENT_PAUSE_NONE ||
        (c->flags & (CLIENT_REPLICA | CLIENT_PRIMARY | CLIENT_FAKE)))
        return false;
    if (pause_state.mode == CLIENT_PAUSE_ALL) return true;
    const command *cmd = command_lookup(name, len);
    if (cmd == NULL) return false;
    /* EXEC waits whatever it queued: checking the queue would need MULTI's state. */
    return (cmd->flags & (CMD_WRITE | CMD_MAY_REPLICATE)) || strcmp(cmd->name, "exec") == 0;
}

static void pause_end(void) {
    pause_state.mode = CLIENT_PAUSE_NONE;
    pause_state.end_ms = 0;
    if (pause_state.timer_ready) uv_timer_stop(&pause_state.timer);
    /* Resume by id: processing one client may close others. The client running
     * UNPAUSE is mid-loop in client_process_input and goes on by itself. */
    size_t n = 0, cap = (size_t)server.nclients + 1;
    uint64_t *ids = vg_malloc(cap * sizeof(uint64_t));
    for (client *t = server.clients; t && n < cap; t = t->next)
        if (t->query.len > 0) ids[n++] = t->id;
    for (size_t i = 0; i < n; i++) {
        client *t = client_by_id(ids[i]);
        if (t && !(t->flags & (CLIENT_CLOSING | CLIENT_CLOSE_ASAP | CLIENT_PROTECTED)))
            client_process_input(t);
    }
    vg_free(ids);
}

static void on_pause_timer(uv_timer_t *t) {
    (void)t;
    server_clock_tick();
    if (server.now_ms >= pause_state.end_ms)
        pause_end();
    else
        uv_timer_start(&pause_state.timer, on_pause_timer,
                       (uint64_t)(pause_state.end_ms - server.now_ms), 0);
}

void client_pause_start(int mode, int64_t end_ms) {
    if (mode > pause_state.mode) pause_state.mode = mode;
    if (end_ms > pause_state.end_ms) pause_state.end_ms = end_ms;
    if (!pause_state.timer_ready) {
        uv_timer_init(server.loop, &pause_state.timer);
        pause_state.timer_ready = true;
    }
    uv_timer_start(&pause_state.timer, on_pause_timer,
                   (uint64_t)(pause_state.end_ms - server.now_ms), 0);
}

void client_pause_end(void) {
    if (pause_state.mode != CLIENT_PAUSE_NONE) pause_end();
}
