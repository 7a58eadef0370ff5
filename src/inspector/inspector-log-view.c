/* inspector-log-view.c: the message log as a table
 *
 * A GtkColumnView over selection > filter > the connection's log store,
 * as in Sysprof. Rows are built by the store as they scroll into view;
 * the store batches appends, so the table changes at most once a frame.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-log-view"

#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-enum-types.h"
#include "inspector-log-filter.h"
#include "inspector-log-view.h"

struct _InspectorLogView
{
  GtkWidget            parent_instance;

  InspectorConnection *connection;
  InspectorLogFilter  *filter;
  GtkFilterListModel  *filter_model;
  GtkSingleSelection  *selection;
  InspectorLogEntry   *selected;

  /* The template's one direct child, disposed with it. */
  GtkWidget           *box;
  GtkSearchEntry      *search_entry;
  GtkLabel            *status_label;
  GtkScrolledWindow   *scroller;
  GtkColumnView       *column_view;

  guint                auto_scroll : 1;
  guint                scrolling : 1;
};

G_DEFINE_FINAL_TYPE (InspectorLogView, inspector_log_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_SELECTED_ENTRY,
  PROP_PAUSED,
  PROP_AUTO_SCROLL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char **
kind_css_classes (gpointer           item,
                  InspectorLogKind   kind,
                  InspectorLogStatus status)
{
  char **classes = g_new0 (char *, 4);

  classes[0] = g_strdup ("kind-badge");
  classes[1] = g_strdup_printf ("kind-%s", inspector_log_kind_to_string (kind));
  if (status == INSPECTOR_LOG_STATUS_FAILED)
    classes[2] = g_strdup ("failed");

  return classes;
}

static char **
preview_css_classes (gpointer           item,
                     InspectorLogStatus status)
{
  char **classes = g_new0 (char *, 3);

  classes[0] = g_strdup ("preview");
  if (status == INSPECTOR_LOG_STATUS_FAILED)
    classes[1] = g_strdup ("error");

  return classes;
}

static InspectorLogStore *
get_store (InspectorLogView *self)
{
  return self->connection != NULL ? inspector_connection_get_log (self->connection) : NULL;
}

static void
update_status (InspectorLogView *self)
{
  InspectorLogStore *store = get_store (self);
  g_autoptr(GString) status = g_string_new (NULL);
  guint n_total;
  guint n_shown;

  if (store == NULL)
    {
      gtk_label_set_label (self->status_label, "");
      return;
    }

  n_total = g_list_model_get_n_items (G_LIST_MODEL (store));
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  if (n_shown == n_total)
    g_string_append_printf (status, g_dngettext (GETTEXT_PACKAGE, "%u row", "%u rows", n_total), n_total);
  else
    /* Translators: rows matching the filter, of all rows */
    g_string_append_printf (status, g_dngettext (GETTEXT_PACKAGE, "%u of %u row", "%u of %u rows", n_total),
                            n_shown, n_total);

  if (inspector_log_store_get_paused (store))
    {
      guint64 held = inspector_log_store_get_n_held (store);
      g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, held);

      g_string_append (status, " · ");
      /* Translators: %s is the number of rows recorded while the log is paused */
      g_string_append_printf (status, g_dngettext (GETTEXT_PACKAGE, "paused, %s new row held", "paused, %s new rows held",
                                                   (gulong) MIN (held, G_MAXULONG)),
                              number);
    }

  if (inspector_log_store_get_n_dropped (store) > 0)
    {
      guint64 dropped = inspector_log_store_get_n_dropped (store);
      g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, dropped);

      g_string_append (status, " · ");
      /* Translators: %s is the number of rows removed to keep the log within its limit */
      g_string_append_printf (status, g_dngettext (GETTEXT_PACKAGE, "%s oldest row dropped", "%s oldest rows dropped",
                                                   (gulong) MIN (dropped, G_MAXULONG)),
                              number);
    }

  gtk_label_set_label (self->status_label, status->str);
}

static void
scroll_to_end (InspectorLogView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  self->scrolling = TRUE;
  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  self->scrolling = FALSE;
}

static void
on_upper_changed (InspectorLogView *self)
{
  if (self->auto_scroll)
    scroll_to_end (self);
}

/* Scrolling up to read turns following off; the button turns it back on. */
static void
on_value_changed (InspectorLogView *self,
                  GtkAdjustment    *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (self->scrolling || !self->auto_scroll)
    return;

  if (gtk_adjustment_get_value (adjustment) < bottom - 2 * gtk_adjustment_get_page_size (adjustment) / 3)
    {
      self->auto_scroll = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_SCROLL]);
    }
}

static void
on_selection_changed (InspectorLogView *self)
{
  InspectorLogEntry *entry = gtk_single_selection_get_selected_item (self->selection);

  /* The store hands out one object per row while it is held, so an
   * updated row stays the same selection. */
  if (g_set_object (&self->selected, entry))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ENTRY]);
}

static void
on_search_changed (InspectorLogView *self)
{
  inspector_log_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_stop_search (InspectorLogView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (widget);
  InspectorLogStore *store = get_store (self);

  if (store != NULL)
    inspector_log_store_clear (store);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  inspector_log_view_focus_search (INSPECTOR_LOG_VIEW (widget));
}

static void
on_store_paused (InspectorLogView *self)
{
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

static void
inspector_log_view_dispose (GObject *object)
{
  InspectorLogView *self = (InspectorLogView *)object;

  inspector_log_view_set_connection (self, NULL);
  g_clear_object (&self->selected);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_LOG_VIEW);

  G_OBJECT_CLASS (inspector_log_view_parent_class)->dispose (object);
}

static void
inspector_log_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (object);
  InspectorLogStore *store = get_store (self);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    case PROP_SELECTED_ENTRY:
      g_value_set_object (value, self->selected);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, store != NULL && inspector_log_store_get_paused (store));
      break;

    case PROP_AUTO_SCROLL:
      g_value_set_boolean (value, self->auto_scroll);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (object);
  InspectorLogStore *store = get_store (self);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      inspector_log_view_set_connection (self, g_value_get_object (value));
      break;

    case PROP_PAUSED:
      if (store != NULL)
        inspector_log_store_set_paused (store, g_value_get_boolean (value));
      break;

    case PROP_AUTO_SCROLL:
      if (self->auto_scroll != g_value_get_boolean (value))
        {
          self->auto_scroll = g_value_get_boolean (value);
          if (self->auto_scroll)
            scroll_to_end (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_view_class_init (InspectorLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_log_view_dispose;
  object_class->get_property = inspector_log_view_get_property;
  object_class->set_property = inspector_log_view_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         INSPECTOR_TYPE_CONNECTION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_ENTRY] =
    g_param_spec_object ("selected-entry", NULL, NULL,
                         INSPECTOR_TYPE_LOG_ENTRY,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_AUTO_SCROLL] =
    g_param_spec_boolean ("auto-scroll", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INSPECTOR_TYPE_LOG_ENTRY);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, status_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, scroller);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, column_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, kind_css_classes);
  gtk_widget_class_bind_template_callback (widget_class, preview_css_classes);

  gtk_widget_class_install_property_action (widget_class, "log.pause", "paused");
  gtk_widget_class_install_property_action (widget_class, "log.auto-scroll", "auto-scroll");
  gtk_widget_class_install_action (widget_class, "log.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "log.search", NULL, search_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "logview");
}

static void
inspector_log_view_init (InspectorLogView *self)
{
  GtkAdjustment *adjustment;

  self->auto_scroll = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = inspector_log_filter_new ();
  self->filter_model = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  /* Searching a million rows must not freeze the window. */
  gtk_filter_list_model_set_incremental (self->filter_model, TRUE);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->filter_model, "items-changed", G_CALLBACK (update_status), self);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_swapped (adjustment, "notify::upper", G_CALLBACK (on_upper_changed), self);
  g_signal_connect_swapped (adjustment, "value-changed", G_CALLBACK (on_value_changed), self);

  update_status (self);
}

InspectorConnection *
inspector_log_view_get_connection (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), NULL);

  return self->connection;
}

void
inspector_log_view_set_connection (InspectorLogView    *self,
                                   InspectorConnection *connection)
{
  InspectorLogStore *store;

  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));
  g_return_if_fail (connection == NULL || INSPECTOR_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if ((store = get_store (self)) != NULL)
    g_signal_handlers_disconnect_by_data (store, self);

  g_set_object (&self->connection, connection);

  store = get_store (self);
  if (self->filter_model != NULL)
    gtk_filter_list_model_set_model (self->filter_model, store != NULL ? G_LIST_MODEL (store) : NULL);

  if (store != NULL)
    {
      g_signal_connect_object (store, "notify::paused", G_CALLBACK (on_store_paused), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "notify::n-held", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "notify::n-dropped", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
    }

  if (self->status_label != NULL)
    update_status (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

/**
 * inspector_log_view_get_selected_entry:
 *
 * Returns: (transfer none) (nullable): the selected row
 */
InspectorLogEntry *
inspector_log_view_get_selected_entry (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), NULL);

  return self->selected;
}

/**
 * inspector_log_view_get_model:
 *
 * Returns: (transfer none): the rows as shown, after the filter
 */
GListModel *
inspector_log_view_get_model (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), NULL);

  return G_LIST_MODEL (self->filter_model);
}

void
inspector_log_view_select (InspectorLogView *self,
                           guint             position)
{
  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));

  gtk_single_selection_set_selected (self->selection, position);
}

void
inspector_log_view_set_search (InspectorLogView *self,
                               const char       *search)
{
  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search != NULL ? search : "");
}

void
inspector_log_view_focus_search (InspectorLogView *self)
{
  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
