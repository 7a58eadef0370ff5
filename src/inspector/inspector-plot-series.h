/* inspector-plot-series.h: the recent values of one numeric field of one channel
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gdk/gdk.h>

G_BEGIN_DECLS

/* Samples a series holds at most. */
#define INSPECTOR_PLOT_SERIES_DEFAULT_CAPACITY 8192
/* The default sliding window: one minute. */
#define INSPECTOR_PLOT_SERIES_DEFAULT_WINDOW   (60 * G_USEC_PER_SEC)

#define INSPECTOR_TYPE_PLOT_SERIES (inspector_plot_series_get_type ())

G_DECLARE_FINAL_TYPE (InspectorPlotSeries, inspector_plot_series, INSPECTOR, PLOT_SERIES, GObject)

InspectorPlotSeries *inspector_plot_series_new          (const char          *channel,
                                                         const char          *json_path,
                                                         GError             **error);
const char          *inspector_plot_series_get_channel  (InspectorPlotSeries *self);
const char          *inspector_plot_series_get_path     (InspectorPlotSeries *self);
const char          *inspector_plot_series_get_label    (InspectorPlotSeries *self);
const GdkRGBA       *inspector_plot_series_get_color    (InspectorPlotSeries *self);
void                 inspector_plot_series_set_color    (InspectorPlotSeries *self,
                                                         const GdkRGBA       *color);
gint64               inspector_plot_series_get_window   (InspectorPlotSeries *self);
void                 inspector_plot_series_set_window   (InspectorPlotSeries *self,
                                                         gint64               window_us);
guint                inspector_plot_series_get_capacity (InspectorPlotSeries *self);
void                 inspector_plot_series_set_capacity (InspectorPlotSeries *self,
                                                         guint                capacity);

void                 inspector_plot_series_add_sample   (InspectorPlotSeries *self,
                                                         gint64               time_us,
                                                         double               value);
gboolean             inspector_plot_series_add_payload  (InspectorPlotSeries *self,
                                                         gint64               time_us,
                                                         const char          *json,
                                                         gsize                len);
void                 inspector_plot_series_clear        (InspectorPlotSeries *self);

guint                inspector_plot_series_get_n_samples (InspectorPlotSeries *self);
void                 inspector_plot_series_get_sample   (InspectorPlotSeries *self,
                                                         guint                i,
                                                         gint64              *time_us,
                                                         double              *value);
guint                inspector_plot_series_find_time    (InspectorPlotSeries *self,
                                                         gint64               time_us);
gboolean             inspector_plot_series_get_range    (InspectorPlotSeries *self,
                                                         gint64               from_us,
                                                         gint64               to_us,
                                                         double              *min,
                                                         double              *max);
gboolean             inspector_plot_series_get_last     (InspectorPlotSeries *self,
                                                         gint64              *time_us,
                                                         double              *value);
guint64              inspector_plot_series_get_n_received (InspectorPlotSeries *self);
guint64              inspector_plot_series_get_n_rejected (InspectorPlotSeries *self);
guint64              inspector_plot_series_get_generation (InspectorPlotSeries *self);

G_END_DECLS
