/* inspector-peer.h: a peer in a channel's roster
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_PEER (inspector_peer_get_type ())

G_DECLARE_FINAL_TYPE (InspectorPeer, inspector_peer, INSPECTOR, PEER, GObject)

InspectorPeer *inspector_peer_new              (const char    *peer_id,
                                                JsonObject    *metadata,
                                                gint64         joined_at);
const char    *inspector_peer_get_peer_id      (InspectorPeer *self);
const char    *inspector_peer_get_metadata     (InspectorPeer *self);
const char    *inspector_peer_get_name         (InspectorPeer *self);
const char    *inspector_peer_get_display_name (InspectorPeer *self);
gint64         inspector_peer_get_joined_at    (InspectorPeer *self);
char          *inspector_peer_dup_joined_label (InspectorPeer *self);

G_END_DECLS
