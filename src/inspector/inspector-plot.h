/* inspector-plot.h: a live line chart of plot series over a sliding window
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-plot-series.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_PLOT (inspector_plot_get_type ())

G_DECLARE_FINAL_TYPE (InspectorPlot, inspector_plot, INSPECTOR, PLOT, GtkWidget)

GtkWidget  *inspector_plot_new                (void);
GListModel *inspector_plot_get_series         (InspectorPlot        *self);
void        inspector_plot_add_series         (InspectorPlot        *self,
                                               InspectorPlotSeries  *series);
void        inspector_plot_remove_series      (InspectorPlot        *self,
                                               InspectorPlotSeries  *series);
gint64      inspector_plot_get_window         (InspectorPlot        *self);
void        inspector_plot_set_window         (InspectorPlot        *self,
                                               gint64                window_us);
gboolean    inspector_plot_get_paused         (InspectorPlot        *self);
void        inspector_plot_set_paused         (InspectorPlot        *self,
                                               gboolean              paused);

void        inspector_plot_get_time_range     (InspectorPlot        *self,
                                               gint64               *from_us,
                                               gint64               *to_us);
guint       inspector_plot_get_n_drawn_points (InspectorPlot        *self);
guint       inspector_plot_get_n_frames       (InspectorPlot        *self);
gboolean    inspector_plot_locate_sample      (InspectorPlot        *self,
                                               InspectorPlotSeries  *series,
                                               guint                 i,
                                               double               *x,
                                               double               *y);
gboolean    inspector_plot_pick               (InspectorPlot        *self,
                                               double                x,
                                               double                y,
                                               InspectorPlotSeries **series,
                                               gint64               *time_us,
                                               double               *value);
char       *inspector_plot_dup_value_text_at  (InspectorPlot        *self,
                                               double                x,
                                               double                y);

G_END_DECLS
