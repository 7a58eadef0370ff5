/* metered-dev-registry.h: channels, their subscribers, presence and fan-out
 *
 * Presence is per peer id: a peer with several connections in a channel
 * joins when its first connection subscribes and leaves when its last one
 * goes. Fan-out is per connection: every subscribed connection except the
 * publishing one gets the message, including other connections of the
 * publisher's peer id.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-dev-connection.h"

G_BEGIN_DECLS

#define METERED_TYPE_DEV_REGISTRY (metered_dev_registry_get_type ())

G_DECLARE_FINAL_TYPE (MeteredDevRegistry, metered_dev_registry, METERED, DEV_REGISTRY, GObject)

MeteredDevRegistry *metered_dev_registry_new                (void);

/* Subscribes @connection (or updates @include_sender_metadata when it
 * already is), tells the other subscribers when the peer joins, and
 * returns the `presence` snapshot for @connection (everyone else already
 * there). Returns NULL, sending nothing, when @max_channels (0: no limit)
 * would be exceeded by a new subscription. */
char               *metered_dev_registry_subscribe          (MeteredDevRegistry   *self,
                                                             MeteredDevConnection *connection,
                                                             const char           *channel,
                                                             gboolean              include_sender_metadata,
                                                             guint                 max_channels);
/* Tells the remaining subscribers when the peer leaves. FALSE if
 * @connection was not subscribed. */
gboolean            metered_dev_registry_unsubscribe        (MeteredDevRegistry   *self,
                                                             MeteredDevConnection *connection,
                                                             const char           *channel);
/* Unsubscribes @connection from everything (on disconnect). */
void                metered_dev_registry_remove_connection  (MeteredDevRegistry   *self,
                                                             MeteredDevConnection *connection);

/* Sends `message` to every subscriber of @channel except @exclude.
 * @data_json is the payload's JSON text, built once for all recipients;
 * @from_metadata_json goes to subscribers that asked for it. Returns the
 * number of connections the message was given to. */
guint               metered_dev_registry_publish            (MeteredDevRegistry   *self,
                                                             const char           *channel,
                                                             MeteredDevConnection *exclude,
                                                             const char           *from,
                                                             const char           *data_json,
                                                             const char           *from_metadata_json);

/* The peers present in @channel (one entry per peer id).
 * Returns: (transfer full) (element-type MeteredFramePeer) */
GPtrArray          *metered_dev_registry_list_peers         (MeteredDevRegistry   *self,
                                                             const char           *channel);
/* The channels @connection is subscribed to, in subscription order.
 * Returns: (transfer container) (element-type utf8) */
GPtrArray          *metered_dev_registry_list_channels      (MeteredDevRegistry   *self,
                                                             MeteredDevConnection *connection);
/* The connections subscribed to @channel, held.
 * Returns: (transfer container) (element-type MeteredDevConnection) */
GPtrArray          *metered_dev_registry_list_subscribers   (MeteredDevRegistry   *self,
                                                             const char           *channel);
/* How many channels have at least one subscriber; a channel is forgotten
 * when its last subscriber leaves. */
guint               metered_dev_registry_get_n_channels     (MeteredDevRegistry   *self);

G_END_DECLS
