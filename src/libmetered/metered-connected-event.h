/* metered-connected-event.h: the server welcomed a connection
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <gio/gio.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

#define METERED_TYPE_CONNECTED_EVENT (metered_connected_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredConnectedEvent, metered_connected_event, METERED, CONNECTED_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
const char *metered_connected_event_get_peer_id           (MeteredConnectedEvent *self);
METERED_AVAILABLE_IN_ALL
gint64      metered_connected_event_get_server_time       (MeteredConnectedEvent *self);
METERED_AVAILABLE_IN_ALL
gboolean    metered_connected_event_get_expires_at        (MeteredConnectedEvent *self,
                                                           gint64                *expires_at);
METERED_AVAILABLE_IN_ALL
gboolean    metered_connected_event_get_is_reconnect      (MeteredConnectedEvent *self);
METERED_AVAILABLE_IN_ALL
gint64      metered_connected_event_get_max_message_size  (MeteredConnectedEvent *self);
METERED_AVAILABLE_IN_ALL
GPtrArray  *metered_connected_event_get_ice_servers       (MeteredConnectedEvent *self);
METERED_AVAILABLE_IN_ALL
GListModel *metered_connected_event_get_ice_servers_model (MeteredConnectedEvent *self);

G_END_DECLS
