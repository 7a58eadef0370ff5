/* inspector-connection-page.c: one connection, as a tab of the window
 *
 * The page owns its InspectorConnection (and so its MeteredClient and its
 * log) and hands it to its panes; the panes only talk to the connection's
 * models, and to each other through properties bound in the template.
 * The window shows pages in an AdwTabView and mirrors the page's title,
 * loading and needs-attention properties on the tab.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-connection-page"

#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-connect-dialog.h"
#include "inspector-connection-header.h"
#include "inspector-connection-page.h"
#include "inspector-log-io.h"

struct _InspectorConnectionPage
{
  GtkWidget                  parent_instance;

  InspectorConnection       *connection;
  GSettings                 *settings;
  GSimpleActionGroup        *actions;
  GCancellable              *import_cancellable;
  char                      *title;

  AdwToastOverlay           *toast_overlay;
  GtkProgressBar            *import_progress;
  GtkRevealer               *banner_revealer;
  GtkLabel                  *banner_label;
  GtkWidget                 *banner_edit_button;
  GtkWidget                 *banner_retry_button;
  InspectorConnectionHeader *header;
  InspectorChannelsPane     *channels_pane;
  InspectorRosterPane       *roster_pane;
  AdwViewStack              *view_stack;
  InspectorLogView          *log_view;
  InspectorPlotView         *plot_view;
  InspectorDetailPane       *detail_pane;
  InspectorComposePane      *compose_pane;

  guint                      loading : 1;
};

G_DEFINE_FINAL_TYPE (InspectorConnectionPage, inspector_connection_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_TITLE,
  PROP_LOADING,
  PROP_NEEDS_ATTENTION,
  PROP_READ_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_banner (InspectorConnectionPage *self,
             const char              *message)
{
  gboolean was_shown = gtk_revealer_get_reveal_child (self->banner_revealer);

  gtk_label_set_label (self->banner_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->banner_revealer, message != NULL);

  if (was_shown != (message != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_ATTENTION]);
}

static void
on_notice (InspectorConnectionPage *self,
           const char              *message,
           gboolean                 persistent,
           InspectorConnection     *connection)
{
  if (persistent)
    show_banner (self, message);
  else
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
set_enabled (InspectorConnectionPage *self,
             const char              *name,
             gboolean                 enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* What can be done depends on the state, and on whether the page is an
 * imported log rather than a live connection. */
static void
update_actions (InspectorConnectionPage *self)
{
  MeteredClientState state = self->connection != NULL ? inspector_connection_get_state (self->connection)
                                                      : METERED_CLIENT_STATE_IDLE;
  gboolean live = !inspector_connection_page_get_read_only (self);

  set_enabled (self, "connect", live);
  set_enabled (self, "reconnect", live && self->connection != NULL);
  set_enabled (self, "disconnect",
               live &&
               (state == METERED_CLIENT_STATE_CONNECTED ||
                state == METERED_CLIENT_STATE_CONNECTING ||
                state == METERED_CLIENT_STATE_RECONNECTING));
  set_enabled (self, "subscribe", live);
  set_enabled (self, "compose", live);

  gtk_widget_set_visible (self->banner_edit_button, live);
  gtk_widget_set_visible (self->banner_retry_button, live);
  gtk_widget_set_sensitive (GTK_WIDGET (self->compose_pane), live);
}

static void
update_title (InspectorConnectionPage *self)
{
  const char *label = NULL;
  const char *peer_id = NULL;
  g_autofree char *title = NULL;

  if (self->connection != NULL)
    {
      label = inspector_connection_get_label (self->connection);
      peer_id = inspector_connection_get_peer_id (self->connection);
    }

  /* Sandbox tabs are told apart by who they are on the shared server. */
  if (label != NULL && peer_id != NULL &&
      inspector_connection_get_sandbox (self->connection) != NULL)
    /* Translators: a tab's title: where it is connected, then as whom */
    title = g_strdup_printf (_("%s · %s"), label, peer_id);
  else
    title = g_strdup (label != NULL ? label : _("Not connected"));

  if (g_strcmp0 (title, self->title) != 0)
    {
      g_free (self->title);
      self->title = g_steal_pointer (&title);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
}

static void
set_loading (InspectorConnectionPage *self,
             gboolean                 loading)
{
  if (self->loading != loading)
    {
      self->loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
}

static void
on_state_changed (InspectorConnectionPage *self)
{
  MeteredClientState state = inspector_connection_get_state (self->connection);

  /* A banner describes a problem; being connected again ends it. */
  if (state == METERED_CLIENT_STATE_CONNECTED)
    show_banner (self, NULL);

  if (self->import_cancellable == NULL)
    set_loading (self, state == METERED_CLIENT_STATE_CONNECTING || state == METERED_CLIENT_STATE_RECONNECTING);

  update_actions (self);
}

/* The preferences' limits, for this page's log. */
static void
apply_retention (InspectorConnectionPage *self)
{
  if (self->connection == NULL)
    return;

  inspector_log_store_set_retention (inspector_connection_get_log (self->connection),
                                     g_settings_get_uint (self->settings, "retention-count"),
                                     (guint64) g_settings_get_uint (self->settings, "retention-megabytes") * 1024 * 1024);
}

static void
apply_timestamp_format (InspectorConnectionPage *self)
{
  inspector_log_view_set_timestamp_format (self->log_view, g_settings_get_enum (self->settings, "timestamp-format"));
}

/* Closes the client (and lets go of a sandbox) now, whoever else still
 * holds a reference to the connection. */
static void
close_connection (InspectorConnection *connection,
                  gpointer             page)
{
  g_signal_handlers_disconnect_by_data (connection, page);
  g_object_run_dispose (G_OBJECT (connection));
  g_object_unref (connection);
}

/**
 * inspector_connection_page_set_connection:
 * @connection: (nullable): the connection to show, started or not
 *
 * Replaces the page's connection; the old one is closed.
 */
void
inspector_connection_page_set_connection (InspectorConnectionPage *self,
                                          InspectorConnection     *connection)
{
  InspectorConnection *old;

  g_return_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self));
  g_return_if_fail (connection == NULL || INSPECTOR_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  old = g_steal_pointer (&self->connection);
  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);

  if (connection != NULL)
    {
      self->connection = g_object_ref (connection);
      g_signal_connect_object (connection, "notice", G_CALLBACK (on_notice), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (connection, "notify::state", G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (connection, "notify::peer-id", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (connection, "notify::label", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
    }

  apply_retention (self);
  show_banner (self, NULL);
  inspector_connection_header_set_connection (self->header, connection);
  inspector_channels_pane_set_connection (self->channels_pane, connection);
  inspector_log_view_set_connection (self->log_view, connection);
  inspector_plot_view_set_connection (self->plot_view, connection);
  inspector_detail_pane_set_log (self->detail_pane, connection != NULL ? inspector_connection_get_log (connection) : NULL);
  inspector_compose_pane_set_connection (self->compose_pane, connection);
  update_title (self);

  if (old != NULL)
    close_connection (old, self);

  if (connection != NULL)
    on_state_changed (self);
  else
    update_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ_ONLY]);
}

/**
 * inspector_connection_page_connect:
 *
 * Replaces the page's connection with a new one made from @options and
 * starts it; the old connection is closed.
 */
void
inspector_connection_page_connect (InspectorConnectionPage       *self,
                                   const InspectorConnectOptions *options)
{
  g_autoptr(InspectorConnection) connection = NULL;

  g_return_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self));
  g_return_if_fail (options != NULL);

  connection = inspector_connection_new (options);
  inspector_connection_page_set_connection (self, connection);
  inspector_connection_start (connection);
  on_state_changed (self);
}

/* A field picked in the detail pane joins the chart, which comes to the
 * front. */
static void
on_plot_requested (InspectorConnectionPage *self,
                   const char              *channel,
                   const char              *json_path)
{
  g_autoptr(GError) error = NULL;

  if (!inspector_plot_view_add_series_full (self->plot_view, channel, json_path, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  adw_view_stack_set_visible_child_name (self->view_stack, "plot");
}

static void
on_import_progress (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  InspectorConnectionPage *self = user_data;

  if (g_cancellable_is_cancelled (self->import_cancellable))
    return;

  if (total > 0)
    gtk_progress_bar_set_fraction (self->import_progress, MIN (1.0, (double) done / (double) total));
  else
    gtk_progress_bar_pulse (self->import_progress);
}

static void
on_import_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(InspectorConnectionPage) self = user_data;
  g_autoptr(GCancellable) cancellable = g_steal_pointer (&self->import_cancellable);
  g_autoptr(GError) error = NULL;
  guint64 n_rows = 0;
  gboolean imported = inspector_log_import_finish (result, &n_rows, &error);

  /* The page went away. */
  if (g_cancellable_is_cancelled (cancellable))
    return;

  if (!imported)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says why the file could not be read */
      message = g_strdup_printf (_("The log could not be imported: %s"), error->message);
      show_banner (self, message);
    }
  else
    {
      g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, n_rows);
      g_autofree char *message = NULL;

      /* Translators: %s is a number of log rows */
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %s row", "Imported %s rows",
                                              (gulong) MIN (n_rows, G_MAXULONG)),
                                 number);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->import_progress), FALSE);
  set_loading (self, FALSE);
}

/**
 * inspector_connection_page_import:
 * @file: a JSON Lines file written by the log export
 *
 * Shows the log in @file, read only. The page's #InspectorConnectionPage:loading
 * is %TRUE while it is read; a file that cannot be read is explained in
 * the banner.
 */
void
inspector_connection_page_import (InspectorConnectionPage *self,
                                  GFile                   *file)
{
  g_autoptr(InspectorConnection) connection = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->import_cancellable == NULL);

  label = g_file_get_basename (file);
  connection = inspector_connection_new_offline (label);
  inspector_connection_page_set_connection (self, connection);

  self->import_cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->import_progress, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->import_progress), TRUE);
  set_loading (self, TRUE);

  inspector_log_import_async (file, connection, self->import_cancellable,
                              on_import_progress, on_import_done, g_object_ref (self));
}

static void
on_dialog_connect (InspectorConnectionPage       *self,
                   const InspectorConnectOptions *options)
{
  inspector_connection_page_connect (self, options);
}

static void
connect_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  InspectorConnectionPage *self = user_data;
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(InspectorConnectOptions) defaults = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
  InspectorConnectDialog *dialog;

  dialog = inspector_connect_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                         self->connection != NULL ? inspector_connection_get_options (self->connection)
                                                                  : defaults);
  g_signal_connect_object (dialog, "connect", G_CALLBACK (on_dialog_connect), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reconnect_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  InspectorConnectionPage *self = user_data;

  show_banner (self, NULL);
  if (self->connection != NULL)
    inspector_connection_reconnect (self->connection);
}

static void
disconnect_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  InspectorConnectionPage *self = user_data;

  if (self->connection != NULL)
    inspector_connection_disconnect (self->connection);
}

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  InspectorConnectionPage *self = user_data;

  adw_view_stack_set_visible_child_name (self->view_stack, "log");
  inspector_log_view_focus_search (self->log_view);
}

static void
subscribe_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  InspectorConnectionPage *self = user_data;

  inspector_channels_pane_focus_entry (self->channels_pane);
}

static void
compose_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  InspectorConnectionPage *self = user_data;

  inspector_compose_pane_focus (self->compose_pane);
}

/* The log's own actions, made reachable from anywhere in the window. */
static void
toggle_pause_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  InspectorConnectionPage *self = user_data;

  gtk_widget_activate_action (GTK_WIDGET (self->log_view), "log.pause", NULL);
}

static void
clear_log_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  InspectorConnectionPage *self = user_data;

  gtk_widget_activate_action (GTK_WIDGET (self->log_view), "log.clear", NULL);
}

static void
dismiss_banner_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  show_banner (INSPECTOR_CONNECTION_PAGE (user_data), NULL);
}

static const GActionEntry page_actions[] = {
  { "connect", connect_action },
  { "reconnect", reconnect_action },
  { "disconnect", disconnect_action },
  { "search", search_action },
  { "subscribe", subscribe_action },
  { "compose", compose_action },
  { "toggle-pause", toggle_pause_action },
  { "clear-log", clear_log_action },
  { "dismiss-banner", dismiss_banner_action },
};

static void
inspector_connection_page_dispose (GObject *object)
{
  InspectorConnectionPage *self = (InspectorConnectionPage *)object;

  /* The import holds a reference until it finishes. */
  g_cancellable_cancel (self->import_cancellable);

  if (self->connection != NULL)
    close_connection (g_steal_pointer (&self->connection), self);

  g_clear_object (&self->settings);
  g_clear_object (&self->actions);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_CONNECTION_PAGE);

  G_OBJECT_CLASS (inspector_connection_page_parent_class)->dispose (object);
}

static void
inspector_connection_page_finalize (GObject *object)
{
  InspectorConnectionPage *self = (InspectorConnectionPage *)object;

  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (inspector_connection_page_parent_class)->finalize (object);
}

static void
inspector_connection_page_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  InspectorConnectionPage *self = INSPECTOR_CONNECTION_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_NEEDS_ATTENTION:
      g_value_set_boolean (value, inspector_connection_page_get_needs_attention (self));
      break;

    case PROP_READ_ONLY:
      g_value_set_boolean (value, inspector_connection_page_get_read_only (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_connection_page_class_init (InspectorConnectionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_connection_page_dispose;
  object_class->finalize = inspector_connection_page_finalize;
  object_class->get_property = inspector_connection_page_get_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         INSPECTOR_TYPE_CONNECTION,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* What the tab says: the connection's label, and for the sandbox the
   * identity. */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Whether the connection is being made, for the tab's spinner. */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Whether a problem banner is shown. */
  properties[PROP_NEEDS_ATTENTION] =
    g_param_spec_boolean ("needs-attention", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* An imported log: nothing can be sent, subscribed or reconnected. */
  properties[PROP_READ_ONLY] =
    g_param_spec_boolean ("read-only", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INSPECTOR_TYPE_CONNECTION_HEADER);
  g_type_ensure (INSPECTOR_TYPE_CHANNELS_PANE);
  g_type_ensure (INSPECTOR_TYPE_ROSTER_PANE);
  g_type_ensure (INSPECTOR_TYPE_LOG_VIEW);
  g_type_ensure (INSPECTOR_TYPE_PLOT_VIEW);
  g_type_ensure (INSPECTOR_TYPE_DETAIL_PANE);
  g_type_ensure (INSPECTOR_TYPE_COMPOSE_PANE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-connection-page.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, import_progress);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, banner_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, banner_edit_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, banner_retry_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, header);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, channels_pane);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, roster_pane);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, log_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, plot_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionPage, compose_pane);

}

static void
inspector_connection_page_init (InspectorConnectionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* A group rather than widget actions, so that the window can offer the
   * selected page's actions to its menus and accelerators. */
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), page_actions, G_N_ELEMENTS (page_actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "inspector", G_ACTION_GROUP (self->actions));

  /* Only read: scrolling up to read turns following off in this log
   * alone, not in the preferences. */
  self->settings = g_settings_new (SCHEMA_ID);
  g_settings_bind (self->settings, "auto-scroll", self->log_view, "auto-scroll", G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->detail_pane, "plot-requested", G_CALLBACK (on_plot_requested), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::timestamp-format", G_CALLBACK (apply_timestamp_format), self, G_CONNECT_SWAPPED);
  apply_timestamp_format (self);
  g_signal_connect_object (self->settings, "changed::retention-count", G_CALLBACK (apply_retention), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::retention-megabytes", G_CALLBACK (apply_retention), self, G_CONNECT_SWAPPED);

  update_title (self);
  update_actions (self);
}

/**
 * inspector_connection_page_new:
 *
 * Returns: (transfer floating): a page without a connection
 */
InspectorConnectionPage *
inspector_connection_page_new (void)
{
  return g_object_new (INSPECTOR_TYPE_CONNECTION_PAGE, NULL);
}

/**
 * inspector_connection_page_get_connection:
 *
 * Returns: (transfer none) (nullable): the page's connection
 */
InspectorConnection *
inspector_connection_page_get_connection (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return self->connection;
}

/**
 * inspector_connection_page_get_read_only:
 *
 * An imported log is read only: the compose pane, subscribing and the
 * connection commands are disabled.
 */
gboolean
inspector_connection_page_get_read_only (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), FALSE);

  return self->connection != NULL && inspector_connection_get_offline (self->connection);
}

/**
 * inspector_connection_page_get_actions:
 *
 * Returns: (transfer none): the page's `inspector` actions
 */
GActionGroup *
inspector_connection_page_get_actions (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return G_ACTION_GROUP (self->actions);
}

const char *
inspector_connection_page_get_title (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return self->title;
}

gboolean
inspector_connection_page_get_loading (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), FALSE);

  return self->loading;
}

gboolean
inspector_connection_page_get_needs_attention (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), FALSE);

  return gtk_revealer_get_reveal_child (self->banner_revealer);
}

/* The banner's text while one is shown. */
const char *
inspector_connection_page_get_banner (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->banner_revealer))
    return NULL;

  return gtk_label_get_label (self->banner_label);
}

InspectorChannelsPane *
inspector_connection_page_get_channels_pane (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return self->channels_pane;
}

InspectorRosterPane *
inspector_connection_page_get_roster_pane (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return self->roster_pane;
}

InspectorLogView *
inspector_connection_page_get_log_view (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return self->log_view;
}

InspectorDetailPane *
inspector_connection_page_get_detail_pane (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return self->detail_pane;
}

InspectorComposePane *
inspector_connection_page_get_compose_pane (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return self->compose_pane;
}

InspectorPlotView *
inspector_connection_page_get_plot_view (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return self->plot_view;
}

/**
 * inspector_connection_page_get_view:
 *
 * Returns: which view the centre shows: `log` or `plot`
 */
const char *
inspector_connection_page_get_view (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

/**
 * inspector_connection_page_get_profile:
 *
 * Returns: (transfer none) (nullable): the saved profile the page's
 *   connection comes from
 */
InspectorProfile *
inspector_connection_page_get_profile (InspectorConnectionPage *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self), NULL);

  return inspector_compose_pane_get_profile (self->compose_pane);
}

/**
 * inspector_connection_page_set_profile:
 * @profile: (nullable): the saved profile the page's connection comes from
 *
 * Offers @profile's saved payloads in the compose pane.
 */
void
inspector_connection_page_set_profile (InspectorConnectionPage *self,
                                       InspectorProfile        *profile)
{
  g_return_if_fail (INSPECTOR_IS_CONNECTION_PAGE (self));
  g_return_if_fail (profile == NULL || INSPECTOR_IS_PROFILE (profile));

  inspector_compose_pane_set_profile (self->compose_pane, profile);
}
