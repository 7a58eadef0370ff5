/* inspector-channel.h: one subscription of the inspector, with its roster
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "inspector-peer.h"
#include "inspector-types.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_CHANNEL (inspector_channel_get_type ())

G_DECLARE_FINAL_TYPE (InspectorChannel, inspector_channel, INSPECTOR, CHANNEL, GObject)

InspectorChannel      *inspector_channel_new                   (const char            *name,
                                                                gboolean               include_sender_metadata);
const char            *inspector_channel_get_name              (InspectorChannel      *self);
gboolean               inspector_channel_get_include_sender_metadata (InspectorChannel *self);
void                   inspector_channel_set_include_sender_metadata (InspectorChannel *self,
                                                                      gboolean          include_sender_metadata);
InspectorChannelState  inspector_channel_get_state             (InspectorChannel      *self);
void                   inspector_channel_set_state             (InspectorChannel      *self,
                                                                InspectorChannelState  state,
                                                                const char            *error);
const char            *inspector_channel_get_error             (InspectorChannel      *self);
gboolean               inspector_channel_get_awaiting_snapshot (InspectorChannel      *self);

GListModel            *inspector_channel_get_roster            (InspectorChannel      *self);
guint                  inspector_channel_get_n_peers           (InspectorChannel      *self);
InspectorPeer         *inspector_channel_find_peer             (InspectorChannel      *self,
                                                                const char            *peer_id);
void                   inspector_channel_reset_roster          (InspectorChannel      *self);
void                   inspector_channel_apply_presence        (InspectorChannel      *self,
                                                                GPtrArray             *joined,
                                                                GPtrArray             *left,
                                                                gint64                 now);

void                   inspector_channel_count_message         (InspectorChannel      *self);
void                   inspector_channel_update_stats          (InspectorChannel      *self,
                                                                gint64                 elapsed_us);
guint64                inspector_channel_get_message_count     (InspectorChannel      *self);
double                 inspector_channel_get_rate              (InspectorChannel      *self);
guint                  inspector_channel_get_unread            (InspectorChannel      *self);
gboolean               inspector_channel_get_active            (InspectorChannel      *self);
void                   inspector_channel_set_active            (InspectorChannel      *self,
                                                                gboolean               active);

G_END_DECLS
