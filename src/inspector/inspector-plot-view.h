/* inspector-plot-view.h: live charts of numeric fields of a connection's channels
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-connection.h"
#include "inspector-plot.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_PLOT_VIEW (inspector_plot_view_get_type ())

G_DECLARE_FINAL_TYPE (InspectorPlotView, inspector_plot_view, INSPECTOR, PLOT_VIEW, GtkWidget)

InspectorPlotView   *inspector_plot_view_new            (void);
InspectorConnection *inspector_plot_view_get_connection (InspectorPlotView   *self);
void                 inspector_plot_view_set_connection (InspectorPlotView   *self,
                                                         InspectorConnection *connection);
void                 inspector_plot_view_add_series     (InspectorPlotView   *self,
                                                         const char          *channel,
                                                         const char          *json_path);
gboolean             inspector_plot_view_add_series_full (InspectorPlotView  *self,
                                                          const char         *channel,
                                                          const char         *json_path,
                                                          GError            **error);
InspectorPlot       *inspector_plot_view_get_plot       (InspectorPlotView   *self);

G_END_DECLS
