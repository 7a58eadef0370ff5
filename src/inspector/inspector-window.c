/* inspector-window.c: a window on one connection
 *
 * The window owns the InspectorConnection and hands it to its panes; the
 * panes only talk to the connection's models, and to each other through
 * properties bound in the template.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-window"

#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-connect-dialog.h"
#include "inspector-connection-header.h"
#include "inspector-window.h"

struct _InspectorWindow
{
  AdwApplicationWindow       parent_instance;

  InspectorConnection       *connection;

  AdwToastOverlay           *toast_overlay;
  AdwWindowTitle            *window_title;
  GtkRevealer               *banner_revealer;
  GtkLabel                  *banner_label;
  InspectorConnectionHeader *header;
  InspectorChannelsPane     *channels_pane;
  InspectorRosterPane       *roster_pane;
  InspectorLogView          *log_view;
  InspectorDetailPane       *detail_pane;
  InspectorComposePane      *compose_pane;
};

G_DEFINE_FINAL_TYPE (InspectorWindow, inspector_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_banner (InspectorWindow *self,
             const char      *message)
{
  gtk_label_set_label (self->banner_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->banner_revealer, message != NULL);
}

static void
on_notice (InspectorWindow     *self,
           const char          *message,
           gboolean             persistent,
           InspectorConnection *connection)
{
  if (persistent)
    show_banner (self, message);
  else
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
on_state_changed (InspectorWindow *self)
{
  MeteredClientState state = inspector_connection_get_state (self->connection);

  /* A banner describes a problem; being connected again ends it. */
  if (state == METERED_CLIENT_STATE_CONNECTED)
    show_banner (self, NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.disconnect",
                                 state == METERED_CLIENT_STATE_CONNECTED ||
                                 state == METERED_CLIENT_STATE_CONNECTING ||
                                 state == METERED_CLIENT_STATE_RECONNECTING);
}

static void
update_title (InspectorWindow *self)
{
  const char *label = self->connection != NULL ? inspector_connection_get_label (self->connection) : NULL;
  g_autofree char *title = NULL;

  adw_window_title_set_subtitle (self->window_title, label);

  /* Translators: the window title, with where the window is connected */
  title = label != NULL ? g_strdup_printf (_("%s — Metered Inspector"), label) : g_strdup (_("Metered Inspector"));
  gtk_window_set_title (GTK_WINDOW (self), title);
}

/**
 * inspector_window_connect:
 *
 * Replaces the window's connection with a new one made from @options and
 * starts it; the old connection is closed.
 */
void
inspector_window_connect (InspectorWindow               *self,
                          const InspectorConnectOptions *options)
{
  g_autoptr(InspectorConnection) old = NULL;

  g_return_if_fail (INSPECTOR_IS_WINDOW (self));
  g_return_if_fail (options != NULL);

  old = g_steal_pointer (&self->connection);
  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);

  self->connection = inspector_connection_new (options);
  g_signal_connect_object (self->connection, "notice", G_CALLBACK (on_notice), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "notify::state", G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);

  show_banner (self, NULL);
  inspector_connection_header_set_connection (self->header, self->connection);
  inspector_channels_pane_set_connection (self->channels_pane, self->connection);
  inspector_log_view_set_connection (self->log_view, self->connection);
  inspector_compose_pane_set_connection (self->compose_pane, self->connection);
  update_title (self);

  /* Closes the old client (and stops its sandbox) now, whoever else still
   * holds a reference. */
  if (old != NULL)
    g_object_run_dispose (G_OBJECT (old));

  inspector_connection_start (self->connection);
  on_state_changed (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

static void
on_dialog_connect (InspectorWindow               *self,
                   const InspectorConnectOptions *options)
{
  inspector_window_connect (self, options);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);
  g_autoptr(InspectorConnectOptions) defaults = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
  InspectorConnectDialog *dialog;

  dialog = inspector_connect_dialog_new (GTK_WINDOW (self),
                                         self->connection != NULL ? inspector_connection_get_options (self->connection)
                                                                  : defaults);
  g_signal_connect_object (dialog, "connect", G_CALLBACK (on_dialog_connect), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);

  show_banner (self, NULL);
  if (self->connection != NULL)
    inspector_connection_reconnect (self->connection);
}

static void
disconnect_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);

  if (self->connection != NULL)
    inspector_connection_disconnect (self->connection);
}

static void
focus_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);

  if (g_str_equal (action_name, "inspector.search"))
    inspector_log_view_focus_search (self->log_view);
  else if (g_str_equal (action_name, "inspector.subscribe"))
    inspector_channels_pane_focus_entry (self->channels_pane);
  else
    inspector_compose_pane_focus (self->compose_pane);
}

/* The log's own actions, made reachable from anywhere in the window. */
static void
log_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);

  if (g_str_equal (action_name, "inspector.toggle-pause"))
    gtk_widget_activate_action (GTK_WIDGET (self->log_view), "log.pause", NULL);
  else
    gtk_widget_activate_action (GTK_WIDGET (self->log_view), "log.clear", NULL);
}

static void
dismiss_banner_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  show_banner (INSPECTOR_WINDOW (widget), NULL);
}

static void
inspector_window_dispose (GObject *object)
{
  InspectorWindow *self = (InspectorWindow *)object;

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      g_object_run_dispose (G_OBJECT (self->connection));
      g_clear_object (&self->connection);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_WINDOW);

  G_OBJECT_CLASS (inspector_window_parent_class)->dispose (object);
}

static void
inspector_window_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  InspectorWindow *self = INSPECTOR_WINDOW (object);

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
inspector_window_class_init (InspectorWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_window_dispose;
  object_class->get_property = inspector_window_get_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         INSPECTOR_TYPE_CONNECTION,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INSPECTOR_TYPE_CONNECTION_HEADER);
  g_type_ensure (INSPECTOR_TYPE_CHANNELS_PANE);
  g_type_ensure (INSPECTOR_TYPE_ROSTER_PANE);
  g_type_ensure (INSPECTOR_TYPE_LOG_VIEW);
  g_type_ensure (INSPECTOR_TYPE_DETAIL_PANE);
  g_type_ensure (INSPECTOR_TYPE_COMPOSE_PANE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-window.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, header);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, channels_pane);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, roster_pane);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, log_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, compose_pane);

  gtk_widget_class_install_action (widget_class, "inspector.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "inspector.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "inspector.disconnect", NULL, disconnect_action);
  gtk_widget_class_install_action (widget_class, "inspector.search", NULL, focus_action);
  gtk_widget_class_install_action (widget_class, "inspector.subscribe", NULL, focus_action);
  gtk_widget_class_install_action (widget_class, "inspector.compose", NULL, focus_action);
  gtk_widget_class_install_action (widget_class, "inspector.toggle-pause", NULL, log_action);
  gtk_widget_class_install_action (widget_class, "inspector.clear-log", NULL, log_action);
  gtk_widget_class_install_action (widget_class, "inspector.dismiss-banner", NULL, dismiss_banner_action);
}

static void
inspector_window_init (InspectorWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_title (self);
}

/**
 * inspector_window_new:
 * @application: (nullable): the application
 * @options: the connection to open
 *
 * Returns: (transfer none): a new window, already connecting
 */
InspectorWindow *
inspector_window_new (GtkApplication                *application,
                      const InspectorConnectOptions *options)
{
  InspectorWindow *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (INSPECTOR_TYPE_WINDOW,
                       "application", application,
                       NULL);
  inspector_window_connect (self, options);

  return self;
}

/**
 * inspector_window_get_connection:
 *
 * Returns: (transfer none) (nullable): the window's connection
 */
InspectorConnection *
inspector_window_get_connection (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->connection;
}

InspectorChannelsPane *
inspector_window_get_channels_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->channels_pane;
}

InspectorRosterPane *
inspector_window_get_roster_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->roster_pane;
}

InspectorLogView *
inspector_window_get_log_view (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->log_view;
}

InspectorDetailPane *
inspector_window_get_detail_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->detail_pane;
}

InspectorComposePane *
inspector_window_get_compose_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->compose_pane;
}

/* The banner's text while one is shown. */
const char *
inspector_window_get_banner (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->banner_revealer))
    return NULL;

  return gtk_label_get_label (self->banner_label);
}
