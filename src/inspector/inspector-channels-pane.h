/* inspector-channels-pane.h: the sidebar of subscriptions
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-connection.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_CHANNELS_PANE (inspector_channels_pane_get_type ())

G_DECLARE_FINAL_TYPE (InspectorChannelsPane, inspector_channels_pane, INSPECTOR, CHANNELS_PANE, GtkWidget)

InspectorConnection *inspector_channels_pane_get_connection       (InspectorChannelsPane *self);
void                 inspector_channels_pane_set_connection       (InspectorChannelsPane *self,
                                                                   InspectorConnection   *connection);
InspectorChannel    *inspector_channels_pane_get_selected_channel (InspectorChannelsPane *self);
void                 inspector_channels_pane_focus_entry          (InspectorChannelsPane *self);

G_END_DECLS
