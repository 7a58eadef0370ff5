/* inspector-plot.c: a live line chart of plot series over a sliding window
 *
 * Drawn with cairo inside a GtkSnapshot (GTK 4.8 has no path nodes). The
 * chart redraws from a tick callback, at most once per frame, and only
 * when a series has new samples or the window has slid by a pixel; with
 * more samples than pixels a column draws its lowest and highest value
 * instead of every sample, so a redraw costs about the width of the chart
 * whatever the message rate.
 *
 * The value under the pointer is drawn in the chart itself, next to the
 * sample it belongs to, so that it shows in screenshots and needs no
 * popup.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-plot"

#include <math.h>

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "inspector-plot.h"

#define MARGIN          8.0
#define PICK_DISTANCE   32.0
#define MIN_TICK_PX     90.0
#define MIN_Y_TICK_PX   40.0
#define MAX_TICKS       1000

typedef struct {
  graphene_rect_t area;   /* where lines go, inside the axes */
  gint64          from;
  gint64          to;
  double          low;
  double          high;
  double          step;   /* between value ticks */
  gboolean        valid;
} Frame;

struct _InspectorPlot
{
  GtkWidget   parent_instance;

  GListStore *series;
  guint       n_added;        /* picks the next colour */
  gint64      window;
  gint64      paused_to;
  guint       tick_id;

  Frame       frame;          /* as last drawn */
  guint64     drawn_generation;
  guint       n_drawn_points;
  guint       n_frames;

  double      hover_x;
  double      hover_y;

  guint       paused : 1;
  guint       hovering : 1;
};

G_DEFINE_FINAL_TYPE (InspectorPlot, inspector_plot, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WINDOW,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The GNOME palette, in an order where neighbours differ. */
static const char * const palette[] = {
  "#3584e4", "#e66100", "#2ec27e", "#c061cb", "#e01b24", "#986a44", "#1c71d8", "#f5c211",
};

static double
x_of (const Frame *f,
      gint64       time)
{
  return f->area.origin.x + (double) (time - f->from) / (double) (f->to - f->from) * f->area.size.width;
}

static double
y_of (const Frame *f,
      double       value)
{
  return f->area.origin.y + f->area.size.height - (value - f->low) / (f->high - f->low) * f->area.size.height;
}

static guint64
series_generation (InspectorPlot *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->series));
  guint64 generation = n;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorPlotSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), i);

      generation += inspector_plot_series_get_generation (series);
    }

  return generation;
}

static PangoLayout *
layout_new (InspectorPlot *self,
            const char    *text,
            int           *width,
            int           *height)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  pango_layout_get_pixel_size (layout, width, height);

  return layout;
}

static int
value_decimals (double step)
{
  return (int) CLAMP (ceil (-log10 (step) - 1e-9), 0, 12);
}

static char *
format_value (double value,
              double step)
{
  if (fabs (value) < step * 1e-6)
    value = 0;

  return g_strdup_printf ("%.*f", value_decimals (step), value);
}

static char *
format_time (gint64   time,
             gboolean precise)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (time / G_USEC_PER_SEC);
  g_autofree char *seconds = NULL;

  if (local == NULL)
    return g_strdup ("");

  seconds = g_date_time_format (local, "%H:%M:%S");
  if (!precise)
    return g_steal_pointer (&seconds);

  return g_strdup_printf ("%s.%03d", seconds, (int) ((time % G_USEC_PER_SEC) / 1000));
}

static double
nice_step (double raw)
{
  double magnitude = pow (10, floor (log10 (raw)));
  double normalized = raw / magnitude;

  if (normalized < 1.5)
    return magnitude;
  if (normalized < 3)
    return 2 * magnitude;
  if (normalized < 7)
    return 5 * magnitude;
  return 10 * magnitude;
}

static guint
n_value_ticks (const Frame *f)
{
  double n = round ((f->high - f->low) / f->step);

  return n >= 0 && n < G_MAXUINT ? (guint) n : G_MAXUINT;
}

static void
compute_frame (InspectorPlot *self,
               Frame         *f)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->series));
  double low = G_MAXDOUBLE, high = -G_MAXDOUBLE;
  double top = MARGIN, bottom, left = 0, area_height;
  int label_width, label_height;
  g_autoptr(PangoLayout) probe = layout_new (self, "00:00:00", &label_width, &label_height);

  f->to = self->paused ? self->paused_to : g_get_real_time ();
  f->from = f->to - self->window;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorPlotSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), i);
      double series_low, series_high;

      if (inspector_plot_series_get_range (series, f->from, f->to, &series_low, &series_high))
        {
          low = MIN (low, series_low);
          high = MAX (high, series_high);
        }
    }

  if (low > high)
    {
      low = 0;
      high = 1;
    }
  else if (high - low < 1e-9 * MAX (1.0, fabs (high)))
    {
      double pad = fabs (high) > 1e-9 ? fabs (high) * 0.1 : 1.0;

      low -= pad;
      high += pad;
    }
  else
    {
      double pad = (high - low) * 0.05;

      low -= pad;
      high += pad;
    }

  bottom = label_height + MARGIN;
  area_height = MAX (1.0, height - top - bottom);
  f->step = nice_step ((high - low) / MAX (2.0, area_height / MIN_Y_TICK_PX));
  f->low = floor (low / f->step) * f->step;
  f->high = ceil (high / f->step) * f->step;
  if (f->high <= f->low)
    f->high = f->low + f->step;

  /* Values near the ends of the double range overflow the arithmetic
   * above; such a chart shows its lines at the edges rather than hang. */
  if (!isfinite (f->low) || !isfinite (f->high) || !isfinite (f->step) || f->step <= 0 ||
      n_value_ticks (f) > MAX_TICKS)
    {
      f->low = -1;
      f->high = 1;
      f->step = 0.5;
    }

  for (guint i = 0; i <= n_value_ticks (f); i++)
    {
      g_autofree char *text = format_value (f->low + i * f->step, f->step);
      g_autoptr(PangoLayout) layout = layout_new (self, text, &label_width, NULL);

      left = MAX (left, label_width);
    }

  left += 2 * MARGIN;
  f->area = GRAPHENE_RECT_INIT (left, top, MAX (1.0, width - left - 2 * MARGIN), area_height);
  f->valid = width > 0 && height > 0;
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *color,
            double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

static void
show_text (cairo_t     *cr,
           PangoLayout *layout,
           double       x,
           double       y)
{
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static gint64
time_step (const Frame *f)
{
  static const gint64 steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200 };
  double max_ticks = MAX (1.0, f->area.size.width / MIN_TICK_PX);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if ((double) (f->to - f->from) / (double) (steps[i] * G_USEC_PER_SEC) <= max_ticks)
      return steps[i] * G_USEC_PER_SEC;

  return steps[G_N_ELEMENTS (steps) - 1] * G_USEC_PER_SEC;
}

static void
draw_axes (InspectorPlot *self,
           cairo_t       *cr,
           const Frame   *f,
           const GdkRGBA *fg)
{
  const graphene_rect_t *a = &f->area;
  gint64 step = time_step (f);

  cairo_set_line_width (cr, 1);

  for (guint i = 0; i <= n_value_ticks (f); i++)
    {
      double v = f->low + i * f->step;
      g_autofree char *text = format_value (v, f->step);
      int w, h;
      g_autoptr(PangoLayout) layout = layout_new (self, text, &w, &h);
      double y = round (y_of (f, v)) + 0.5;

      set_source (cr, fg, 0.12);
      cairo_move_to (cr, a->origin.x, y);
      cairo_line_to (cr, a->origin.x + a->size.width, y);
      cairo_stroke (cr);

      set_source (cr, fg, 0.7);
      show_text (cr, layout, a->origin.x - MARGIN - w, y - h / 2.0);
    }

  for (gint64 t = (f->from / step + 1) * step, i = 0; t <= f->to && i < MAX_TICKS; t += step, i++)
    {
      g_autofree char *text = format_time (t, FALSE);
      int w, h;
      g_autoptr(PangoLayout) layout = layout_new (self, text, &w, &h);
      double x = round (x_of (f, t)) + 0.5;

      set_source (cr, fg, 0.12);
      cairo_move_to (cr, x, a->origin.y);
      cairo_line_to (cr, x, a->origin.y + a->size.height);
      cairo_stroke (cr);

      if (x - w / 2.0 >= a->origin.x - MARGIN && x + w / 2.0 <= a->origin.x + a->size.width + 2 * MARGIN)
        {
          set_source (cr, fg, 0.7);
          show_text (cr, layout, x - w / 2.0, a->origin.y + a->size.height + MARGIN / 2);
        }
    }

  set_source (cr, fg, 0.45);
  cairo_rectangle (cr, round (a->origin.x) + 0.5, round (a->origin.y) + 0.5,
                   round (a->size.width), round (a->size.height));
  cairo_stroke (cr);
}

/* Returns the number of samples inside the window. */
static guint
draw_series (cairo_t             *cr,
             const Frame         *f,
             InspectorPlotSeries *series)
{
  guint n = inspector_plot_series_get_n_samples (series);
  guint first = inspector_plot_series_find_time (series, f->from);
  guint last = inspector_plot_series_find_time (series, f->to + 1);
  guint inside = last - first;
  guint count;
  double width = f->area.size.width;

  first = first > 0 ? first - 1 : 0;
  last = MIN (last + 1, n);
  count = last - first;
  if (count == 0)
    return 0;

  set_source (cr, inspector_plot_series_get_color (series), 1.0);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  if (count <= 2 * width)
    {
      for (guint i = first; i < last; i++)
        {
          gint64 time;
          double value;

          inspector_plot_series_get_sample (series, i, &time, &value);
          if (i == first)
            cairo_move_to (cr, x_of (f, time), y_of (f, value));
          else
            cairo_line_to (cr, x_of (f, time), y_of (f, value));
        }
      cairo_stroke (cr);

      /* Sparse data: each sample as a dot, so a single one shows too. */
      if (inside > 0 && inside <= width / 6)
        for (guint i = first; i < last; i++)
          {
            gint64 time;
            double value;

            inspector_plot_series_get_sample (series, i, &time, &value);
            cairo_arc (cr, x_of (f, time), y_of (f, value), 3, 0, 2 * G_PI);
            cairo_fill (cr);
          }
    }
  else
    {
      gint64 column = G_MININT64;
      double top = 0, bottom = 0, last_y = 0;
      gboolean started = FALSE;

      for (guint i = first; i < last; i++)
        {
          gint64 time;
          double value, x, y;

          inspector_plot_series_get_sample (series, i, &time, &value);
          x = x_of (f, time);
          y = y_of (f, value);

          if ((gint64) floor (x) != column)
            {
              if (started)
                {
                  cairo_line_to (cr, (double) column + 0.5, top);
                  cairo_line_to (cr, (double) column + 0.5, bottom);
                  cairo_line_to (cr, (double) column + 0.5, last_y);
                }
              else
                {
                  cairo_move_to (cr, x, y);
                  started = TRUE;
                }
              column = (gint64) floor (x);
              top = bottom = y;
              cairo_line_to (cr, (double) column + 0.5, y);
            }

          top = MIN (top, y);
          bottom = MAX (bottom, y);
          last_y = y;
        }

      cairo_line_to (cr, (double) column + 0.5, top);
      cairo_line_to (cr, (double) column + 0.5, bottom);
      cairo_line_to (cr, (double) column + 0.5, last_y);
      cairo_stroke (cr);
    }

  return inside;
}

static void
draw_box (cairo_t       *cr,
          const GdkRGBA *fg,
          double         x,
          double         y,
          double         width,
          double         height)
{
  gboolean dark = fg->red + fg->green + fg->blue > 1.5;

  cairo_rectangle (cr, x, y, width, height);
  if (dark)
    cairo_set_source_rgba (cr, 0.1, 0.1, 0.1, 0.85);
  else
    cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
  cairo_fill_preserve (cr);
  set_source (cr, fg, 0.25);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
draw_legend (InspectorPlot *self,
             cairo_t       *cr,
             const Frame   *f,
             const GdkRGBA *fg)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->series));
  g_autoptr(GPtrArray) layouts = g_ptr_array_new_with_free_func (g_object_unref);
  int row_height = 0, text_width = 0;
  double x = f->area.origin.x + MARGIN, y = f->area.origin.y + MARGIN;

  if (n == 0)
    return;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorPlotSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), i);
      g_autofree char *text = NULL;
      double value;
      int w, h;

      if (inspector_plot_series_get_last (series, NULL, &value))
        text = g_strdup_printf ("%s  %.6g", inspector_plot_series_get_label (series), value);
      else
        text = g_strdup_printf ("%s  —", inspector_plot_series_get_label (series));

      g_ptr_array_add (layouts, layout_new (self, text, &w, &h));
      text_width = MAX (text_width, w);
      row_height = MAX (row_height, h);
    }

  draw_box (cr, fg, x, y, text_width + 34, n * row_height + 8);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorPlotSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), i);
      double row_y = y + 4 + i * row_height;

      set_source (cr, inspector_plot_series_get_color (series), 1.0);
      cairo_rectangle (cr, x + 8, row_y + row_height / 2.0 - 5, 10, 10);
      cairo_fill (cr);

      set_source (cr, fg, 1.0);
      show_text (cr, layouts->pdata[i], x + 26, row_y);
    }
}

static void
draw_hover (InspectorPlot *self,
            cairo_t       *cr,
            const Frame   *f,
            const GdkRGBA *fg)
{
  g_autoptr(InspectorPlotSeries) series = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  gint64 time;
  double value, x, y, box_x, box_y;
  int w, h;

  if (!self->hovering || !inspector_plot_pick (self, self->hover_x, self->hover_y, &series, &time, &value))
    return;

  x = x_of (f, time);
  y = y_of (f, value);

  set_source (cr, fg, 0.35);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, round (x) + 0.5, f->area.origin.y);
  cairo_line_to (cr, round (x) + 0.5, f->area.origin.y + f->area.size.height);
  cairo_stroke (cr);

  set_source (cr, inspector_plot_series_get_color (series), 1.0);
  cairo_arc (cr, x, y, 5, 0, 2 * G_PI);
  cairo_fill (cr);

  text = inspector_plot_dup_value_text_at (self, self->hover_x, self->hover_y);
  layout = layout_new (self, text, &w, &h);

  box_x = x + 10 + w + 12 > f->area.origin.x + f->area.size.width ? x - 10 - w - 12 : x + 10;
  box_y = CLAMP (y - h - 10, f->area.origin.y, f->area.origin.y + f->area.size.height - h - 8);
  draw_box (cr, fg, box_x, box_y, w + 12, h + 8);
  set_source (cr, fg, 1.0);
  show_text (cr, layout, box_x + 6, box_y + 4);
}

static void
inspector_plot_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  InspectorPlot *self = INSPECTOR_PLOT (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->series));
  GdkRGBA fg;
  cairo_t *cr;
  Frame f;

  if (width <= 0 || height <= 0)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  compute_frame (self, &f);
  self->frame = f;
  self->drawn_generation = series_generation (self);
  self->n_drawn_points = 0;
  self->n_frames++;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  draw_axes (self, cr, &f, &fg);

  cairo_save (cr);
  cairo_rectangle (cr, f.area.origin.x, f.area.origin.y, f.area.size.width, f.area.size.height);
  cairo_clip (cr);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorPlotSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), i);

      self->n_drawn_points += draw_series (cr, &f, series);
    }
  cairo_restore (cr);

  if (n == 0)
    {
      int w, h;
      g_autoptr(PangoLayout) layout = layout_new (self, _("Add a numeric field of a channel to plot it"), &w, &h);

      set_source (cr, &fg, 0.55);
      show_text (cr, layout,
                 f.area.origin.x + (f.area.size.width - w) / 2,
                 f.area.origin.y + (f.area.size.height - h) / 2);
    }

  draw_legend (self, cr, &f, &fg);
  draw_hover (self, cr, &f, &fg);

  cairo_destroy (cr);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  InspectorPlot *self = INSPECTOR_PLOT (widget);
  double pixel;

  if (!self->frame.valid)
    {
      gtk_widget_queue_draw (widget);
      return G_SOURCE_CONTINUE;
    }

  /* Slide when the window has moved by a pixel, or show new samples. */
  pixel = (double) self->window / MAX (1.0, self->frame.area.size.width);
  if (g_get_real_time () - self->frame.to >= pixel || series_generation (self) != self->drawn_generation)
    gtk_widget_queue_draw (widget);

  return G_SOURCE_CONTINUE;
}

static void
update_ticking (InspectorPlot *self)
{
  gboolean want = !self->paused && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  else if (!want && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

static void
inspector_plot_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (inspector_plot_parent_class)->map (widget);
  update_ticking (INSPECTOR_PLOT (widget));
}

static void
inspector_plot_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (inspector_plot_parent_class)->unmap (widget);
  update_ticking (INSPECTOR_PLOT (widget));
}

static void
inspector_plot_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 320;
}

static void
on_motion (InspectorPlot *self,
           double         x,
           double         y)
{
  self->hover_x = x;
  self->hover_y = y;
  self->hovering = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (InspectorPlot *self)
{
  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_series_changed (InspectorPlot *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
inspector_plot_dispose (GObject *object)
{
  InspectorPlot *self = (InspectorPlot *)object;

  g_clear_object (&self->series);

  G_OBJECT_CLASS (inspector_plot_parent_class)->dispose (object);
}

static void
inspector_plot_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  InspectorPlot *self = INSPECTOR_PLOT (object);

  switch (prop_id)
    {
    case PROP_WINDOW:
      g_value_set_int64 (value, self->window);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_plot_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  InspectorPlot *self = INSPECTOR_PLOT (object);

  switch (prop_id)
    {
    case PROP_WINDOW:
      inspector_plot_set_window (self, g_value_get_int64 (value));
      break;

    case PROP_PAUSED:
      inspector_plot_set_paused (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_plot_class_init (InspectorPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_plot_dispose;
  object_class->get_property = inspector_plot_get_property;
  object_class->set_property = inspector_plot_set_property;

  widget_class->snapshot = inspector_plot_snapshot;
  widget_class->measure = inspector_plot_measure;
  widget_class->map = inspector_plot_map;
  widget_class->unmap = inspector_plot_unmap;

  /* How much history the chart shows, in microseconds. */
  properties[PROP_WINDOW] =
    g_param_spec_int64 ("window", NULL, NULL,
                        G_USEC_PER_SEC, G_MAXINT64 / 4, INSPECTOR_PLOT_SERIES_DEFAULT_WINDOW,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* A paused chart holds still on the moment it was paused. */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "plot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
inspector_plot_init (InspectorPlot *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->series = g_list_store_new (INSPECTOR_TYPE_PLOT_SERIES);
  self->window = INSPECTOR_PLOT_SERIES_DEFAULT_WINDOW;

  g_signal_connect_object (self->series, "items-changed", G_CALLBACK (on_series_changed), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (motion, "enter", G_CALLBACK (on_motion), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "motion", G_CALLBACK (on_motion), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (on_leave), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Chart of plotted fields"),
                                  -1);
}

GtkWidget *
inspector_plot_new (void)
{
  return g_object_new (INSPECTOR_TYPE_PLOT, NULL);
}

/**
 * inspector_plot_get_series:
 *
 * Returns: (transfer none): the #InspectorPlotSeries drawn, in legend order
 */
GListModel *
inspector_plot_get_series (InspectorPlot *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT (self), NULL);

  return G_LIST_MODEL (self->series);
}

/**
 * inspector_plot_add_series:
 *
 * Draws @series too, in the next colour of the palette and over the
 * chart's window.
 */
void
inspector_plot_add_series (InspectorPlot       *self,
                           InspectorPlotSeries *series)
{
  GdkRGBA color;

  g_return_if_fail (INSPECTOR_IS_PLOT (self));
  g_return_if_fail (INSPECTOR_IS_PLOT_SERIES (series));

  gdk_rgba_parse (&color, palette[self->n_added++ % G_N_ELEMENTS (palette)]);
  inspector_plot_series_set_color (series, &color);
  inspector_plot_series_set_window (series, self->window);
  g_list_store_append (self->series, series);
}

void
inspector_plot_remove_series (InspectorPlot       *self,
                              InspectorPlotSeries *series)
{
  guint position;

  g_return_if_fail (INSPECTOR_IS_PLOT (self));
  g_return_if_fail (INSPECTOR_IS_PLOT_SERIES (series));

  if (g_list_store_find (self->series, series, &position))
    g_list_store_remove (self->series, position);
}

gint64
inspector_plot_get_window (InspectorPlot *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT (self), 0);

  return self->window;
}

void
inspector_plot_set_window (InspectorPlot *self,
                           gint64         window_us)
{
  guint n;

  g_return_if_fail (INSPECTOR_IS_PLOT (self));
  g_return_if_fail (window_us >= G_USEC_PER_SEC);

  if (self->window == window_us)
    return;

  self->window = window_us;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->series));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorPlotSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), i);

      inspector_plot_series_set_window (series, window_us);
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW]);
}

gboolean
inspector_plot_get_paused (InspectorPlot *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT (self), FALSE);

  return self->paused;
}

void
inspector_plot_set_paused (InspectorPlot *self,
                           gboolean       paused)
{
  g_return_if_fail (INSPECTOR_IS_PLOT (self));

  paused = !!paused;
  if (self->paused == (guint) paused)
    return;

  self->paused = paused;
  if (paused)
    self->paused_to = self->frame.valid ? self->frame.to : g_get_real_time ();

  update_ticking (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

/**
 * inspector_plot_get_time_range:
 * @from_us: (out) (optional):
 * @to_us: (out) (optional):
 *
 * The times at the left and right edges as last drawn (zero before the
 * first frame).
 */
void
inspector_plot_get_time_range (InspectorPlot *self,
                               gint64        *from_us,
                               gint64        *to_us)
{
  g_return_if_fail (INSPECTOR_IS_PLOT (self));

  if (from_us != NULL)
    *from_us = self->frame.valid ? self->frame.from : 0;
  if (to_us != NULL)
    *to_us = self->frame.valid ? self->frame.to : 0;
}

/* Samples inside the window in the last frame, all series together. */
guint
inspector_plot_get_n_drawn_points (InspectorPlot *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT (self), 0);

  return self->n_drawn_points;
}

/* Frames drawn so far. */
guint
inspector_plot_get_n_frames (InspectorPlot *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT (self), 0);

  return self->n_frames;
}

/**
 * inspector_plot_locate_sample:
 * @x: (out): in widget coordinates
 * @y: (out):
 *
 * Where the last frame drew sample @i of @series.
 *
 * Returns: %FALSE if it was outside the chart or nothing was drawn yet
 */
gboolean
inspector_plot_locate_sample (InspectorPlot       *self,
                              InspectorPlotSeries *series,
                              guint                i,
                              double              *x,
                              double              *y)
{
  gint64 time;
  double value;

  g_return_val_if_fail (INSPECTOR_IS_PLOT (self), FALSE);
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (series), FALSE);
  g_return_val_if_fail (x != NULL && y != NULL, FALSE);

  if (!self->frame.valid || i >= inspector_plot_series_get_n_samples (series))
    return FALSE;

  inspector_plot_series_get_sample (series, i, &time, &value);
  if (time < self->frame.from || time > self->frame.to)
    return FALSE;

  *x = x_of (&self->frame, time);
  *y = y_of (&self->frame, value);

  return TRUE;
}

/**
 * inspector_plot_pick:
 * @series: (out) (optional) (transfer full):
 * @time_us: (out) (optional):
 * @value: (out) (optional):
 *
 * The sample nearest to a point of the chart as last drawn, as hovering
 * there shows it: within %PICK_DISTANCE pixels, inside the window.
 *
 * Returns: %TRUE if there is one
 */
gboolean
inspector_plot_pick (InspectorPlot        *self,
                     double                x,
                     double                y,
                     InspectorPlotSeries **series,
                     gint64               *time_us,
                     double               *value)
{
  const Frame *f = &self->frame;
  g_autoptr(InspectorPlotSeries) best = NULL;
  double best_distance = PICK_DISTANCE * PICK_DISTANCE;
  gint64 best_time = 0;
  double best_value = 0;
  gint64 at;
  guint n;

  g_return_val_if_fail (INSPECTOR_IS_PLOT (self), FALSE);

  if (!f->valid)
    return FALSE;

  at = f->from + (gint64) ((x - f->area.origin.x) / f->area.size.width * (double) (f->to - f->from));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->series));

  for (guint s = 0; s < n; s++)
    {
      g_autoptr(InspectorPlotSeries) candidate = g_list_model_get_item (G_LIST_MODEL (self->series), s);
      guint n_samples = inspector_plot_series_get_n_samples (candidate);
      guint i = inspector_plot_series_find_time (candidate, at);

      /* The neighbours in time, and a few more: with merged samples
       * several share a column. */
      for (guint j = i > 4 ? i - 4 : 0; j < MIN (i + 4, n_samples); j++)
        {
          gint64 time;
          double sample, dx, dy;

          inspector_plot_series_get_sample (candidate, j, &time, &sample);
          if (time < f->from || time > f->to)
            continue;

          dx = x_of (f, time) - x;
          dy = y_of (f, sample) - y;
          if (dx * dx + dy * dy < best_distance)
            {
              best_distance = dx * dx + dy * dy;
              g_set_object (&best, candidate);
              best_time = time;
              best_value = sample;
            }
        }
    }

  if (best == NULL)
    return FALSE;

  if (time_us != NULL)
    *time_us = best_time;
  if (value != NULL)
    *value = best_value;
  if (series != NULL)
    *series = g_steal_pointer (&best);

  return TRUE;
}

/**
 * inspector_plot_dup_value_text_at:
 *
 * Returns: (transfer full) (nullable): what hovering at (@x, @y) shows:
 *   the series, the value and its time; %NULL when no sample is near
 */
char *
inspector_plot_dup_value_text_at (InspectorPlot *self,
                                  double         x,
                                  double         y)
{
  g_autoptr(InspectorPlotSeries) series = NULL;
  g_autofree char *time_text = NULL;
  gint64 time;
  double value;

  g_return_val_if_fail (INSPECTOR_IS_PLOT (self), NULL);

  if (!inspector_plot_pick (self, x, y, &series, &time, &value))
    return NULL;

  time_text = format_time (time, TRUE);

  /* Translators: a chart's hover text: the series, its value, the time */
  return g_strdup_printf (_("%s\n%.10g at %s"), inspector_plot_series_get_label (series), value, time_text);
}
