/* inspector-plot-series.c: the recent values of one numeric field of one channel
 *
 * A ring buffer of (time, value) samples over a sliding window. Samples
 * arrive at any rate, up to tens of thousands a second, and the chart is a
 * few hundred pixels wide; so the window is cut into
 * %BUCKETS_PER_WINDOW time buckets and a bucket keeps at most two samples,
 * its lowest and its highest, in the order they came. A line through
 * them has the same envelope as one through every sample, and a window
 * holds at most twice %BUCKETS_PER_WINDOW samples whatever the rate. At
 * the rates of a sensor (a bucket is 29 ms of a minute) nothing is merged.
 *
 * Times only go forward: a sample older than the newest one is recorded at
 * the newest one's time, so lookups can bisect.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-plot-series"

#include <math.h>

#include <glib/gi18n.h>

#include "inspector-json-path.h"
#include "inspector-plot-series.h"

#define BUCKETS_PER_WINDOW 2048

struct _InspectorPlotSeries
{
  GObject            parent_instance;

  char              *channel;
  InspectorJsonPath *path;
  char              *label;
  GdkRGBA            color;

  gint64             window;
  gint64             bucket;     /* window / BUCKETS_PER_WINDOW */
  guint              capacity;
  guint              head;       /* the oldest sample */
  guint              n;
  gint64            *times;
  double            *values;

  gint64             last_time;  /* the newest value received, merged or not */
  double             last_value;
  guint64            n_received;
  guint64            n_rejected;
  guint64            generation;
};

G_DEFINE_FINAL_TYPE (InspectorPlotSeries, inspector_plot_series, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CHANNEL,
  PROP_PATH,
  PROP_LABEL,
  PROP_COLOR,
  PROP_WINDOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static inline guint
slot (InspectorPlotSeries *self,
      guint                i)
{
  return (self->head + i) % self->capacity;
}

static void
inspector_plot_series_finalize (GObject *object)
{
  InspectorPlotSeries *self = (InspectorPlotSeries *)object;

  g_clear_pointer (&self->channel, g_free);
  g_clear_pointer (&self->path, inspector_json_path_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->times, g_free);
  g_clear_pointer (&self->values, g_free);

  G_OBJECT_CLASS (inspector_plot_series_parent_class)->finalize (object);
}

static void
inspector_plot_series_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  InspectorPlotSeries *self = INSPECTOR_PLOT_SERIES (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      g_value_set_string (value, self->channel);
      break;

    case PROP_PATH:
      g_value_set_string (value, inspector_plot_series_get_path (self));
      break;

    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_COLOR:
      g_value_set_boxed (value, &self->color);
      break;

    case PROP_WINDOW:
      g_value_set_int64 (value, self->window);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_plot_series_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  InspectorPlotSeries *self = INSPECTOR_PLOT_SERIES (object);

  switch (prop_id)
    {
    case PROP_COLOR:
      inspector_plot_series_set_color (self, g_value_get_boxed (value));
      break;

    case PROP_WINDOW:
      inspector_plot_series_set_window (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_plot_series_class_init (InspectorPlotSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = inspector_plot_series_finalize;
  object_class->get_property = inspector_plot_series_get_property;
  object_class->set_property = inspector_plot_series_set_property;

  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_COLOR] =
    g_param_spec_boxed ("color", NULL, NULL,
                        GDK_TYPE_RGBA,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_WINDOW] =
    g_param_spec_int64 ("window", NULL, NULL,
                        G_USEC_PER_SEC, G_MAXINT64 / 4, INSPECTOR_PLOT_SERIES_DEFAULT_WINDOW,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_plot_series_init (InspectorPlotSeries *self)
{
  self->window = INSPECTOR_PLOT_SERIES_DEFAULT_WINDOW;
  self->bucket = self->window / BUCKETS_PER_WINDOW;
  self->capacity = INSPECTOR_PLOT_SERIES_DEFAULT_CAPACITY;
  self->times = g_new (gint64, self->capacity);
  self->values = g_new (double, self->capacity);
  self->color = (GdkRGBA) { 0.21, 0.52, 0.89, 1.0 };
}

/**
 * inspector_plot_series_new:
 * @channel: the channel whose messages carry the field
 * @json_path: the field, as inspector_json_path_parse() reads it
 *
 * Returns: (transfer full) (nullable): an empty series, or %NULL if the
 *   path does not parse
 */
InspectorPlotSeries *
inspector_plot_series_new (const char  *channel,
                           const char  *json_path,
                           GError     **error)
{
  g_autoptr(InspectorJsonPath) path = NULL;
  InspectorPlotSeries *self;
  const char *path_text;

  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (json_path != NULL, NULL);

  if ((path = inspector_json_path_parse (json_path, error)) == NULL)
    return NULL;

  self = g_object_new (INSPECTOR_TYPE_PLOT_SERIES, NULL);
  self->channel = g_strdup (channel);
  self->path = g_steal_pointer (&path);

  path_text = inspector_json_path_to_string (self->path);
  /* Translators: a channel and a field of its messages, as a chart legend says it */
  self->label = g_strdup_printf (_("%s · %s"), channel, *path_text != '\0' ? path_text : _("payload"));

  return self;
}

const char *
inspector_plot_series_get_channel (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), NULL);

  return self->channel;
}

/* The canonical path; empty for the whole payload. */
const char *
inspector_plot_series_get_path (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), NULL);

  return self->path != NULL ? inspector_json_path_to_string (self->path) : NULL;
}

const char *
inspector_plot_series_get_label (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), NULL);

  return self->label;
}

const GdkRGBA *
inspector_plot_series_get_color (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), NULL);

  return &self->color;
}

void
inspector_plot_series_set_color (InspectorPlotSeries *self,
                                 const GdkRGBA       *color)
{
  g_return_if_fail (INSPECTOR_IS_PLOT_SERIES (self));
  g_return_if_fail (color != NULL);

  if (gdk_rgba_equal (&self->color, color))
    return;

  self->color = *color;
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR]);
}

gint64
inspector_plot_series_get_window (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), 0);

  return self->window;
}

/* Drops what fell out of the window, keeping the newest sample before it
 * so that the line still enters from the left edge. */
static void
trim (InspectorPlotSeries *self)
{
  gint64 newest;

  if (self->n == 0)
    return;

  newest = self->times[slot (self, self->n - 1)];
  while (self->n >= 2 && self->times[slot (self, 1)] < newest - self->window)
    {
      self->head = slot (self, 1);
      self->n--;
    }
}

/**
 * inspector_plot_series_set_window:
 * @window_us: how far back the series keeps samples, in microseconds
 *
 * A shorter window drops older samples at once; a longer one fills up as
 * new samples arrive.
 */
void
inspector_plot_series_set_window (InspectorPlotSeries *self,
                                  gint64               window_us)
{
  g_return_if_fail (INSPECTOR_IS_PLOT_SERIES (self));
  g_return_if_fail (window_us >= G_USEC_PER_SEC);

  if (self->window == window_us)
    return;

  self->window = window_us;
  self->bucket = MAX (1, window_us / BUCKETS_PER_WINDOW);
  trim (self);
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW]);
}

guint
inspector_plot_series_get_capacity (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), 0);

  return self->capacity;
}

/**
 * inspector_plot_series_set_capacity:
 * @capacity: samples to hold at most, at least 2
 *
 * Empties the series. When more samples than @capacity fall in the window,
 * the oldest go first.
 */
void
inspector_plot_series_set_capacity (InspectorPlotSeries *self,
                                    guint                capacity)
{
  g_return_if_fail (INSPECTOR_IS_PLOT_SERIES (self));
  g_return_if_fail (capacity >= 2);

  self->capacity = capacity;
  self->times = g_renew (gint64, self->times, capacity);
  self->values = g_renew (double, self->values, capacity);
  inspector_plot_series_clear (self);
}

static void
append (InspectorPlotSeries *self,
        gint64               time_us,
        double               value)
{
  guint at;

  if (self->n == self->capacity)
    {
      self->head = slot (self, 1);
      self->n--;
    }

  at = slot (self, self->n++);
  self->times[at] = time_us;
  self->values[at] = value;
}

/**
 * inspector_plot_series_add_sample:
 * @time_us: when the value was received, wall clock in microseconds
 * @value: a finite number
 */
void
inspector_plot_series_add_sample (InspectorPlotSeries *self,
                                  gint64               time_us,
                                  double               value)
{
  g_return_if_fail (INSPECTOR_IS_PLOT_SERIES (self));
  g_return_if_fail (isfinite (value));

  if (self->n > 0)
    time_us = MAX (time_us, self->times[slot (self, self->n - 1)]);

  self->last_time = time_us;
  self->last_value = value;
  self->n_received++;
  self->generation++;

  if (self->n >= 1 && time_us / self->bucket == self->times[slot (self, self->n - 1)] / self->bucket)
    {
      guint last = slot (self, self->n - 1);

      if (self->n >= 2 && time_us / self->bucket == self->times[slot (self, self->n - 2)] / self->bucket)
        {
          /* The bucket has its two: the new value replaces the extreme it
           * goes beyond, and becomes the bucket's later sample. */
          guint prev = slot (self, self->n - 2);
          gboolean last_is_high = self->values[last] >= self->values[prev];
          double high = MAX (self->values[last], self->values[prev]);
          double low = MIN (self->values[last], self->values[prev]);

          if (value > high || value < low)
            {
              if ((value > high) != last_is_high)
                {
                  self->times[prev] = self->times[last];
                  self->values[prev] = self->values[last];
                }
              self->times[last] = time_us;
              self->values[last] = value;
            }

          return;
        }
    }

  append (self, time_us, value);
  trim (self);
}

/**
 * inspector_plot_series_add_payload:
 * @json: (array length=len): a message's payload, not necessarily
 *   nul-terminated
 *
 * Adds the number at the series' path in @json, if there is one; a
 * payload without one is counted (see
 * inspector_plot_series_get_n_rejected()).
 *
 * Returns: whether @json had a number at the path
 */
gboolean
inspector_plot_series_add_payload (InspectorPlotSeries *self,
                                   gint64               time_us,
                                   const char          *json,
                                   gsize                len)
{
  double value;

  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), FALSE);
  g_return_val_if_fail (json != NULL || len == 0, FALSE);

  if (!inspector_json_path_extract_number (self->path, json, len, &value, NULL))
    {
      self->n_rejected++;
      return FALSE;
    }

  inspector_plot_series_add_sample (self, time_us, value);
  return TRUE;
}

void
inspector_plot_series_clear (InspectorPlotSeries *self)
{
  g_return_if_fail (INSPECTOR_IS_PLOT_SERIES (self));

  self->head = 0;
  self->n = 0;
  self->last_time = 0;
  self->last_value = 0;
  self->n_received = 0;
  self->n_rejected = 0;
  self->generation++;
}

guint
inspector_plot_series_get_n_samples (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), 0);

  return self->n;
}

/**
 * inspector_plot_series_get_sample:
 * @i: 0 for the oldest sample held
 * @time_us: (out) (optional):
 * @value: (out) (optional):
 */
void
inspector_plot_series_get_sample (InspectorPlotSeries *self,
                                  guint                i,
                                  gint64              *time_us,
                                  double              *value)
{
  g_return_if_fail (INSPECTOR_IS_PLOT_SERIES (self));
  g_return_if_fail (i < self->n);

  if (time_us != NULL)
    *time_us = self->times[slot (self, i)];
  if (value != NULL)
    *value = self->values[slot (self, i)];
}

/**
 * inspector_plot_series_find_time:
 *
 * Returns: the index of the first sample at or after @time_us, or the
 *   number of samples if there is none
 */
guint
inspector_plot_series_find_time (InspectorPlotSeries *self,
                                 gint64               time_us)
{
  guint low = 0;
  guint high;

  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), 0);

  high = self->n;
  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (self->times[slot (self, mid)] < time_us)
        low = mid + 1;
      else
        high = mid;
    }

  return low;
}

/**
 * inspector_plot_series_get_range:
 * @min: (out):
 * @max: (out):
 *
 * The lowest and highest values a chart of [@from_us, @to_us] draws:
 * the samples inside, and the ones just outside that its lines lead to.
 *
 * Returns: %FALSE if no line crosses the interval
 */
gboolean
inspector_plot_series_get_range (InspectorPlotSeries *self,
                                 gint64               from_us,
                                 gint64               to_us,
                                 double              *min,
                                 double              *max)
{
  guint first, last;
  double low = G_MAXDOUBLE;
  double high = -G_MAXDOUBLE;

  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), FALSE);
  g_return_val_if_fail (min != NULL && max != NULL, FALSE);

  if (self->n == 0)
    return FALSE;

  first = inspector_plot_series_find_time (self, from_us);
  last = inspector_plot_series_find_time (self, to_us + 1);
  first = first > 0 ? first - 1 : 0;
  last = MIN (last + 1, self->n);

  for (guint i = first; i < last; i++)
    {
      double value = self->values[slot (self, i)];

      low = MIN (low, value);
      high = MAX (high, value);
    }

  if (first >= last)
    return FALSE;

  *min = low;
  *max = high;
  return TRUE;
}

/**
 * inspector_plot_series_get_last:
 * @time_us: (out) (optional):
 * @value: (out) (optional):
 *
 * The newest value received, which the samples may have merged away.
 *
 * Returns: %FALSE if the series is empty
 */
gboolean
inspector_plot_series_get_last (InspectorPlotSeries *self,
                                gint64              *time_us,
                                double              *value)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), FALSE);

  if (self->n_received == 0)
    return FALSE;

  if (time_us != NULL)
    *time_us = self->last_time;
  if (value != NULL)
    *value = self->last_value;

  return TRUE;
}

/* Values added since the series was created or cleared. */
guint64
inspector_plot_series_get_n_received (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), 0);

  return self->n_received;
}

/* Payloads with no number at the path. */
guint64
inspector_plot_series_get_n_rejected (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), 0);

  return self->n_rejected;
}

/**
 * inspector_plot_series_get_generation:
 *
 * A count that changes whenever the samples or the colour do, so that a
 * chart redraws only when there is something new, without a signal per
 * sample.
 */
guint64
inspector_plot_series_get_generation (InspectorPlotSeries *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_SERIES (self), 0);

  return self->generation;
}
