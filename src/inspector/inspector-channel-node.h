/* inspector-channel-node.h: a node of the channel tree: one `/` segment
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "inspector-channel.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_CHANNEL_NODE (inspector_channel_node_get_type ())

G_DECLARE_FINAL_TYPE (InspectorChannelNode, inspector_channel_node, INSPECTOR, CHANNEL_NODE, GObject)

InspectorChannelNode *inspector_channel_node_new               (const char           *label,
                                                                const char           *path);
const char           *inspector_channel_node_get_label         (InspectorChannelNode *self);
const char           *inspector_channel_node_get_path          (InspectorChannelNode *self);
InspectorChannel     *inspector_channel_node_get_channel       (InspectorChannelNode *self);
void                  inspector_channel_node_set_channel       (InspectorChannelNode *self,
                                                                InspectorChannel     *channel);
GListModel           *inspector_channel_node_get_children      (InspectorChannelNode *self);
InspectorChannelNode *inspector_channel_node_ensure_child      (InspectorChannelNode *self,
                                                                const char           *label);
guint64               inspector_channel_node_get_message_count (InspectorChannelNode *self);
guint64               inspector_channel_node_update_count      (InspectorChannelNode *self);
InspectorChannelNode *inspector_channel_node_build_tree        (GListModel           *channels);

G_END_DECLS
