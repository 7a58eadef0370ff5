/* inspector-window.h: a window on one connection
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "inspector-channels-pane.h"
#include "inspector-compose-pane.h"
#include "inspector-connection.h"
#include "inspector-detail-pane.h"
#include "inspector-log-view.h"
#include "inspector-roster-pane.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_WINDOW (inspector_window_get_type ())

G_DECLARE_FINAL_TYPE (InspectorWindow, inspector_window, INSPECTOR, WINDOW, AdwApplicationWindow)

InspectorWindow       *inspector_window_new                (GtkApplication                *application,
                                                            const InspectorConnectOptions *options);
InspectorConnection   *inspector_window_get_connection     (InspectorWindow               *self);
void                   inspector_window_connect            (InspectorWindow               *self,
                                                            const InspectorConnectOptions *options);
InspectorChannelsPane *inspector_window_get_channels_pane  (InspectorWindow               *self);
InspectorRosterPane   *inspector_window_get_roster_pane    (InspectorWindow               *self);
InspectorLogView      *inspector_window_get_log_view       (InspectorWindow               *self);
InspectorDetailPane   *inspector_window_get_detail_pane    (InspectorWindow               *self);
InspectorComposePane  *inspector_window_get_compose_pane   (InspectorWindow               *self);
const char            *inspector_window_get_banner         (InspectorWindow               *self);

G_END_DECLS
