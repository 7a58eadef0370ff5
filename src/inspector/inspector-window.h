/* inspector-window.h: a window of connections, one per tab
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "inspector-connection-page.h"
#include "inspector-profile.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_WINDOW (inspector_window_get_type ())

G_DECLARE_FINAL_TYPE (InspectorWindow, inspector_window, INSPECTOR, WINDOW, AdwApplicationWindow)

InspectorWindow         *inspector_window_new                (GtkApplication                *application,
                                                              const InspectorConnectOptions *options);
InspectorConnectionPage *inspector_window_open_tab           (InspectorWindow               *self,
                                                              const InspectorConnectOptions *options,
                                                              InspectorProfile              *profile);
InspectorConnectionPage *inspector_window_import_log         (InspectorWindow               *self,
                                                              GFile                         *file);
AdwTabView              *inspector_window_get_tab_view       (InspectorWindow               *self);
InspectorConnectionPage *inspector_window_get_page           (InspectorWindow               *self);

/* The selected page's. */
InspectorConnection     *inspector_window_get_connection     (InspectorWindow               *self);
InspectorChannelsPane   *inspector_window_get_channels_pane  (InspectorWindow               *self);
InspectorRosterPane     *inspector_window_get_roster_pane    (InspectorWindow               *self);
InspectorLogView        *inspector_window_get_log_view       (InspectorWindow               *self);
InspectorDetailPane     *inspector_window_get_detail_pane    (InspectorWindow               *self);
InspectorComposePane    *inspector_window_get_compose_pane   (InspectorWindow               *self);
const char              *inspector_window_get_banner         (InspectorWindow               *self);

G_END_DECLS
