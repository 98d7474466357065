/* pubsub.h -- channels, patterns, PUBLISH and keyspace notifications' delivery.
 *
 * Owns: the channel registry (channel -> subscribers), the pattern list and
 * each client's own subscriptions. */
#ifndef VIGIL_NODE_PUBSUB_H
#define VIGIL_NODE_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "command.h"

/* Deliver a message; returns how many clients received it. */
long long pubsub_publish(const char *channel, size_t clen, const char *msg, size_t mlen);
/* Dispatch: RESP2 clients with subscriptions may run only a few commands.
 * Returns true when it replied with the error. */
bool pubsub_refuse_in_context(client *c, const command *cmd);
void pubsub_client_reset(client *c);
long long pubsub_channel_count(const client *c);
/* Server-wide: channels with subscribers and pattern subscriptions (INFO stats). */
void pubsub_counts(long long *channels, long long *patterns);
long long pubsub_pattern_count(const client *c);

#endif
