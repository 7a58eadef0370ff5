/* inspector-plot-view.c: live charts of numeric fields of a connection's channels
 *
 * Samples come from the connection's log: a watch per plotted channel
 * sees each of its messages as it is appended (also while the log is
 * paused), and the number is scanned out of the payload text without
 * parsing it into a tree. Rows of other channels never reach the chart,
 * and nothing at all is watched while no field is plotted. A paused chart
 * records nothing, so that it can be read.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-plot-view"

#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-json.h"
#include "inspector-json-path.h"
#include "inspector-log-entry.h"
#include "inspector-plot-view.h"

/* Rows searched back for a channel's latest message, or for history to
 * fill a new series with: a bound on the work of one click. */
#define SEARCH_ROWS 20000
#define MAX_FIELDS  200

struct _InspectorPlotView
{
  GtkWidget            parent_instance;

  InspectorConnection *connection;
  InspectorLogStore   *log;
  GHashTable          *by_channel;   /* channel → GPtrArray of InspectorPlotSeries, borrowed */
  GArray              *watches;      /* guint, watch ids in log */

  GtkWidget           *box;
  InspectorPlot       *plot;
  GtkDropDown         *channel_dropdown;
  GtkEntry            *path_entry;
  GtkMenuButton       *fields_button;
  GtkListBox          *fields_list;
  GtkDropDown         *window_dropdown;
  GtkToggleButton     *pause_button;
  GtkLabel            *status_label;
  GtkListBox          *series_list;
};

G_DEFINE_FINAL_TYPE (InspectorPlotView, inspector_plot_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const gint64 window_seconds[] = { 10, 30, 60, 300, 900 };

static void
show_status (InspectorPlotView *self,
             const char        *message)
{
  gtk_label_set_label (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
}

/* What one channel's watch feeds. */
typedef struct {
  InspectorPlot *plot;     /* borrowed: the watches go before the chart */
  GPtrArray     *series;   /* InspectorPlotSeries, borrowed from the chart */
} Feed;

static void
feed_free (gpointer data)
{
  Feed *feed = data;

  g_ptr_array_unref (feed->series);
  g_free (feed);
}

static void
on_message (gint64      time_us,
            const char *text,
            gsize       len,
            gpointer    user_data)
{
  Feed *feed = user_data;

  if (text == NULL || inspector_plot_get_paused (feed->plot))
    return;

  for (guint i = 0; i < feed->series->len; i++)
    inspector_plot_series_add_payload (feed->series->pdata[i], time_us, text, len);
}

static void
unwatch (InspectorPlotView *self)
{
  if (self->log != NULL)
    for (guint i = 0; i < self->watches->len; i++)
      inspector_log_store_remove_channel_watch (self->log, g_array_index (self->watches, guint, i));

  g_array_set_size (self->watches, 0);
}

static void
watch (InspectorPlotView *self)
{
  GHashTableIter iter;
  const char *channel;
  GPtrArray *list;

  if (self->log == NULL)
    return;

  g_hash_table_iter_init (&iter, self->by_channel);
  while (g_hash_table_iter_next (&iter, (gpointer *) &channel, (gpointer *) &list))
    {
      Feed *feed = g_new0 (Feed, 1);
      guint id;

      feed->plot = self->plot;
      feed->series = g_ptr_array_ref (list);
      id = inspector_log_store_add_channel_watch (self->log, channel, on_message, feed, feed_free);
      g_array_append_val (self->watches, id);
    }
}

static void
rebuild_index (InspectorPlotView *self)
{
  GListModel *series = inspector_plot_get_series (self->plot);
  guint n = g_list_model_get_n_items (series);

  unwatch (self);
  g_hash_table_remove_all (self->by_channel);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorPlotSeries) item = g_list_model_get_item (series, i);
      const char *channel = inspector_plot_series_get_channel (item);
      GPtrArray *list = g_hash_table_lookup (self->by_channel, channel);

      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (self->by_channel, (gpointer) channel, list);
        }
      g_ptr_array_add (list, item);
    }

  watch (self);
}

/* The channel's messages still in the window, from the recent log. */
static void
backfill (InspectorPlotView   *self,
          InspectorPlotSeries *series)
{
  const char *channel = inspector_plot_series_get_channel (series);
  gint64 since = g_get_real_time () - inspector_plot_get_window (self->plot);
  guint n;

  if (self->log == NULL)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->log));
  for (guint i = n > SEARCH_ROWS ? n - SEARCH_ROWS : 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->log), i);
      const char *text;
      gsize len;

      if (entry != NULL &&
          inspector_log_entry_get_kind (entry) == INSPECTOR_LOG_KIND_MESSAGE &&
          inspector_log_entry_get_time (entry) >= since &&
          g_strcmp0 (inspector_log_entry_get_channel (entry), channel) == 0 &&
          (text = inspector_log_entry_get_text (entry, &len)) != NULL)
        inspector_plot_series_add_payload (series, inspector_log_entry_get_time (entry), text, len);
    }
}

static void
on_remove_clicked (GtkButton *button,
                   gpointer   user_data)
{
  InspectorPlotView *self = user_data;
  InspectorPlotSeries *series = g_object_get_data (G_OBJECT (button), "series");

  inspector_plot_remove_series (self->plot, series);
}

static GtkWidget *
create_series_row (gpointer item,
                   gpointer user_data)
{
  InspectorPlotSeries *series = item;
  const GdkRGBA *color = inspector_plot_series_get_color (series);
  g_autofree char *swatch = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *dot, *label, *remove;

  swatch = g_strdup_printf ("<span foreground=\"#%02x%02x%02x\">●</span>",
                            (guint) (color->red * 255), (guint) (color->green * 255), (guint) (color->blue * 255));
  dot = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (dot), swatch);
  gtk_box_append (GTK_BOX (box), dot);

  label = gtk_label_new (inspector_plot_series_get_label (series));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_tooltip_text (label, inspector_plot_series_get_label (series));
  gtk_box_append (GTK_BOX (box), label);

  remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove from the chart"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove from the chart"),
                                  -1);
  g_object_set_data_full (G_OBJECT (remove), "series", g_object_ref (series), g_object_unref);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), user_data);
  gtk_box_append (GTK_BOX (box), remove);

  return box;
}

static void
on_series_changed (InspectorPlotView *self)
{
  rebuild_index (self);
}

static char *
dup_selected_channel (InspectorPlotView *self)
{
  GObject *item = gtk_drop_down_get_selected_item (self->channel_dropdown);

  return item != NULL ? g_strdup (inspector_channel_get_name (INSPECTOR_CHANNEL (item))) : NULL;
}

/* The newest message on @channel in the recent log, as text. */
static char *
dup_latest_payload (InspectorPlotView *self,
                    const char        *channel)
{
  guint n;

  if (self->log == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->log));
  for (guint i = n; i > 0 && n - i < SEARCH_ROWS; i--)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->log), i - 1);

      if (entry != NULL &&
          inspector_log_entry_get_kind (entry) == INSPECTOR_LOG_KIND_MESSAGE &&
          g_strcmp0 (inspector_log_entry_get_channel (entry), channel) == 0 &&
          inspector_log_entry_has_payload (entry))
        return inspector_log_entry_dup_text (entry);
    }

  return NULL;
}

static void
on_fields_popover_show (InspectorPlotView *self)
{
  g_autofree char *channel = dup_selected_channel (self);
  g_autofree char *payload = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->fields_list))) != NULL)
    gtk_list_box_remove (self->fields_list, child);

  if (channel == NULL || (payload = dup_latest_payload (self, channel)) == NULL ||
      (root = inspector_json_parse (payload, -1, NULL)) == NULL ||
      (paths = inspector_json_path_list_numeric (root, MAX_FIELDS))->len == 0)
    {
      GtkWidget *label = gtk_label_new (channel == NULL ? _("Pick a channel first")
                                                        : _("No recent message on this channel has a numeric field"));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_list_box_append (self->fields_list, label);
      return;
    }

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      GtkWidget *label = gtk_label_new (*path != '\0' ? path : _("(the whole payload)"));
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      g_object_set_data_full (G_OBJECT (row), "path", g_strdup (path), g_free);
      gtk_list_box_append (self->fields_list, row);
    }
}

static void
on_field_activated (InspectorPlotView *self,
                    GtkListBoxRow     *row)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");

  if (path == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->path_entry), path);
  gtk_menu_button_popdown (self->fields_button);
}

static void
add_from_entries (InspectorPlotView *self)
{
  g_autofree char *channel = dup_selected_channel (self);
  g_autoptr(GError) error = NULL;

  if (channel == NULL)
    {
      show_status (self, _("Pick a channel first"));
      return;
    }

  if (!inspector_plot_view_add_series_full (self, channel,
                                            gtk_editable_get_text (GTK_EDITABLE (self->path_entry)),
                                            &error))
    show_status (self, error->message);
}

static void
on_add_clicked (InspectorPlotView *self)
{
  add_from_entries (self);
}

static void
on_path_activate (InspectorPlotView *self)
{
  add_from_entries (self);
}

static void
on_window_selected (InspectorPlotView *self)
{
  guint selected = gtk_drop_down_get_selected (self->window_dropdown);

  if (selected < G_N_ELEMENTS (window_seconds))
    inspector_plot_set_window (self->plot, window_seconds[selected] * G_USEC_PER_SEC);
}

/* The chart's window set elsewhere shows in the menu when it has an entry. */
static void
on_plot_window_changed (InspectorPlotView *self)
{
  gint64 window = inspector_plot_get_window (self->plot);

  for (guint i = 0; i < G_N_ELEMENTS (window_seconds); i++)
    if (window_seconds[i] * G_USEC_PER_SEC == window)
      gtk_drop_down_set_selected (self->window_dropdown, i);
}

static void
on_pause_toggled (InspectorPlotView *self)
{
  gboolean paused = gtk_toggle_button_get_active (self->pause_button);

  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _("Resume the chart") : _("Pause the chart"));
}

static void
inspector_plot_view_dispose (GObject *object)
{
  InspectorPlotView *self = (InspectorPlotView *)object;

  GtkWidget *child;

  inspector_plot_view_set_connection (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_PLOT_VIEW);

  /* The template's box is not a bound child. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (inspector_plot_view_parent_class)->dispose (object);
}

static void
inspector_plot_view_finalize (GObject *object)
{
  InspectorPlotView *self = (InspectorPlotView *)object;

  g_clear_pointer (&self->by_channel, g_hash_table_unref);
  g_clear_pointer (&self->watches, g_array_unref);

  G_OBJECT_CLASS (inspector_plot_view_parent_class)->finalize (object);
}

static void
inspector_plot_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  InspectorPlotView *self = INSPECTOR_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_plot_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  InspectorPlotView *self = INSPECTOR_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      inspector_plot_view_set_connection (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_plot_view_class_init (InspectorPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_plot_view_dispose;
  object_class->finalize = inspector_plot_view_finalize;
  object_class->get_property = inspector_plot_view_get_property;
  object_class->set_property = inspector_plot_view_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         INSPECTOR_TYPE_CONNECTION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INSPECTOR_TYPE_PLOT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-plot-view.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, plot);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, channel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, path_entry);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, fields_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, fields_list);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, window_dropdown);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, pause_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, status_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorPlotView, series_list);
  gtk_widget_class_bind_template_callback (widget_class, on_fields_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_field_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_path_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_window_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_pause_toggled);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "plotview");
}

static void
inspector_plot_view_init (InspectorPlotView *self)
{
  self->by_channel = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->watches = g_array_new (FALSE, FALSE, sizeof (guint));

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drop_down_set_expression (self->channel_dropdown,
                                gtk_property_expression_new (INSPECTOR_TYPE_CHANNEL, NULL, "name"));

  gtk_list_box_bind_model (self->series_list, inspector_plot_get_series (self->plot),
                           create_series_row, self, NULL);
  g_signal_connect_object (inspector_plot_get_series (self->plot), "items-changed",
                           G_CALLBACK (on_series_changed), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->plot, "notify::window", G_CALLBACK (on_plot_window_changed), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->plot, "paused", self->pause_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  on_window_selected (self);
}

InspectorPlotView *
inspector_plot_view_new (void)
{
  return g_object_new (INSPECTOR_TYPE_PLOT_VIEW, NULL);
}

/**
 * inspector_plot_view_get_connection:
 *
 * Returns: (transfer none) (nullable): the connection whose channels are
 *   plotted
 */
InspectorConnection *
inspector_plot_view_get_connection (InspectorPlotView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_VIEW (self), NULL);

  return self->connection;
}

/**
 * inspector_plot_view_set_connection:
 * @connection: (nullable): the connection whose messages to plot
 *
 * Series stay when the connection changes; they plot the same channels of
 * the new one.
 */
void
inspector_plot_view_set_connection (InspectorPlotView   *self,
                                    InspectorConnection *connection)
{
  g_return_if_fail (INSPECTOR_IS_PLOT_VIEW (self));
  g_return_if_fail (connection == NULL || INSPECTOR_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  unwatch (self);
  g_clear_object (&self->log);

  g_set_object (&self->connection, connection);

  if (connection != NULL)
    {
      self->log = g_object_ref (inspector_connection_get_log (connection));
      watch (self);
    }

  if (self->channel_dropdown != NULL)
    gtk_drop_down_set_model (self->channel_dropdown,
                             connection != NULL ? inspector_connection_get_channels (connection) : NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

/**
 * inspector_plot_view_add_series_full:
 * @channel: a channel name
 * @json_path: a field of its messages (see inspector_json_path_parse())
 *
 * Plots the field, starting with the messages of the recent log that fall
 * in the window. A field already plotted is not added twice.
 *
 * Returns: %FALSE if @json_path does not parse
 */
gboolean
inspector_plot_view_add_series_full (InspectorPlotView  *self,
                                     const char         *channel,
                                     const char         *json_path,
                                     GError            **error)
{
  g_autoptr(InspectorPlotSeries) series = NULL;
  GPtrArray *list;

  g_return_val_if_fail (INSPECTOR_IS_PLOT_VIEW (self), FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);
  g_return_val_if_fail (json_path != NULL, FALSE);

  if ((series = inspector_plot_series_new (channel, json_path, error)) == NULL)
    return FALSE;

  show_status (self, NULL);

  if ((list = g_hash_table_lookup (self->by_channel, channel)) != NULL)
    for (guint i = 0; i < list->len; i++)
      if (g_str_equal (inspector_plot_series_get_path (list->pdata[i]), inspector_plot_series_get_path (series)))
        return TRUE;

  inspector_plot_add_series (self->plot, series);
  backfill (self, series);

  return TRUE;
}

/**
 * inspector_plot_view_add_series:
 *
 * Like inspector_plot_view_add_series_full(), for callers whose path comes
 * from a picker; a path that does not parse is reported in the view.
 */
void
inspector_plot_view_add_series (InspectorPlotView *self,
                                const char        *channel,
                                const char        *json_path)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (INSPECTOR_IS_PLOT_VIEW (self));

  if (!inspector_plot_view_add_series_full (self, channel, json_path, &error))
    show_status (self, error->message);
}

/**
 * inspector_plot_view_get_plot:
 *
 * Returns: (transfer none): the chart
 */
InspectorPlot *
inspector_plot_view_get_plot (InspectorPlotView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PLOT_VIEW (self), NULL);

  return self->plot;
}
