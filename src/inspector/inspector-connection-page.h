/* inspector-connection-page.h: one connection, as a tab of the window
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
#include "inspector-plot-view.h"
#include "inspector-profile.h"
#include "inspector-roster-pane.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_CONNECTION_PAGE (inspector_connection_page_get_type ())

G_DECLARE_FINAL_TYPE (InspectorConnectionPage, inspector_connection_page, INSPECTOR, CONNECTION_PAGE, GtkWidget)

InspectorConnectionPage *inspector_connection_page_new                (void);
void                     inspector_connection_page_connect            (InspectorConnectionPage       *self,
                                                                       const InspectorConnectOptions *options);
void                     inspector_connection_page_import             (InspectorConnectionPage       *self,
                                                                       GFile                         *file);
InspectorConnection     *inspector_connection_page_get_connection     (InspectorConnectionPage       *self);
void                     inspector_connection_page_set_connection     (InspectorConnectionPage       *self,
                                                                       InspectorConnection           *connection);
gboolean                 inspector_connection_page_get_read_only      (InspectorConnectionPage       *self);
GActionGroup            *inspector_connection_page_get_actions        (InspectorConnectionPage       *self);
const char              *inspector_connection_page_get_title          (InspectorConnectionPage       *self);
gboolean                 inspector_connection_page_get_loading        (InspectorConnectionPage       *self);
gboolean                 inspector_connection_page_get_needs_attention (InspectorConnectionPage      *self);
const char              *inspector_connection_page_get_banner         (InspectorConnectionPage       *self);
InspectorChannelsPane   *inspector_connection_page_get_channels_pane  (InspectorConnectionPage       *self);
InspectorRosterPane     *inspector_connection_page_get_roster_pane    (InspectorConnectionPage       *self);
InspectorLogView        *inspector_connection_page_get_log_view       (InspectorConnectionPage       *self);
InspectorDetailPane     *inspector_connection_page_get_detail_pane    (InspectorConnectionPage       *self);
InspectorComposePane    *inspector_connection_page_get_compose_pane   (InspectorConnectionPage       *self);
InspectorPlotView       *inspector_connection_page_get_plot_view      (InspectorConnectionPage       *self);
const char              *inspector_connection_page_get_view           (InspectorConnectionPage       *self);
InspectorProfile        *inspector_connection_page_get_profile        (InspectorConnectionPage       *self);
void                     inspector_connection_page_set_profile        (InspectorConnectionPage       *self,
                                                                       InspectorProfile              *profile);

G_END_DECLS
