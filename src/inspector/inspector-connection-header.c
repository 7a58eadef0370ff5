/* inspector-connection-header.c: the connection's state and welcome details
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-connection-header"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "inspector-config.h"

#include "inspector-connection-header.h"

struct _InspectorConnectionHeader
{
  GtkWidget            parent_instance;

  InspectorConnection *connection;
  guint                tick_source;

  /* The template's one direct child, disposed with it. */
  GtkWidget           *box;
  GtkImage            *state_icon;
  GtkLabel            *state_label;
  GtkLabel            *details_label;
};

G_DEFINE_FINAL_TYPE (InspectorConnectionHeader, inspector_connection_header, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_duration (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;

  if (seconds < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%d s"), (int) seconds);

  if (seconds < 3600)
    /* Translators: a duration in minutes and seconds */
    return g_strdup_printf (_("%d min %02d s"), (int) (seconds / 60), (int) (seconds % 60));

  /* Translators: a duration in hours and minutes */
  return g_strdup_printf (_("%d h %02d min"), (int) MIN (seconds / 3600, G_MAXINT), (int) ((seconds % 3600) / 60));
}

static char *
dup_state_text (InspectorConnectionHeader *self,
                gboolean                  *needs_tick)
{
  MeteredClientState state = inspector_connection_get_state (self->connection);
  gint64 next = inspector_connection_get_next_attempt_time (self->connection);
  guint attempt = inspector_connection_get_reconnect_attempt (self->connection);

  /* An imported log never connected: "Closed" would suggest it did. */
  if (inspector_connection_get_offline (self->connection))
    return g_strdup (_("Imported log"));

  if (state == METERED_CLIENT_STATE_CONNECTING)
    return g_strdup (_("Connecting…"));

  if (state != METERED_CLIENT_STATE_RECONNECTING)
    return g_strdup (inspector_client_state_to_label (state));

  if (next > 0)
    {
      gint64 remaining = (next - g_get_monotonic_time () + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

      if (remaining > 0)
        {
          g_autofree char *wait = format_duration (remaining);

          *needs_tick = TRUE;
          /* Translators: the reconnect attempt number, then a countdown */
          return g_strdup_printf (_("Reconnecting: attempt %u in %s"), attempt, wait);
        }
    }

  /* Translators: the reconnect attempt number */
  return g_strdup_printf (_("Reconnecting: attempt %u…"), MAX (attempt, 1));
}

static char *
dup_details_text (InspectorConnectionHeader *self,
                  gboolean                  *needs_tick)
{
  InspectorConnection *connection = self->connection;
  MeteredClientState state = inspector_connection_get_state (connection);
  const char *last_error = inspector_connection_get_last_error (connection);
  const char *peer_id = inspector_connection_get_peer_id (connection);
  const char *ice = inspector_connection_get_ice_servers (connection);
  gint64 expires_at = inspector_connection_get_expires_at (connection);
  gint64 skew = inspector_connection_get_clock_skew (connection);
  g_autofree char *size = g_format_size (inspector_connection_get_max_message_size (connection));
  g_autoptr(GString) details = g_string_new (NULL);

  if (state != METERED_CLIENT_STATE_CONNECTED)
    {
      if (last_error != NULL)
        return g_strdup (last_error);
      return g_strdup (inspector_connection_get_label (connection));
    }

  /* Translators: the peer id the server gave this connection */
  g_string_append_printf (details, _("Peer %s"), peer_id != NULL ? peer_id : "?");

  g_string_append (details, " · ");
  /* Translators: the server's clock minus ours, in seconds */
  g_string_append_printf (details, _("clock skew %+d s"), (int) CLAMP (skew, -G_MAXINT, G_MAXINT));

  if (expires_at > 0)
    {
      gint64 remaining = expires_at - (g_get_real_time () / G_USEC_PER_SEC + skew);
      g_autofree char *left = format_duration (remaining);

      *needs_tick = TRUE;
      g_string_append (details, " · ");
      if (remaining > 0)
        /* Translators: a countdown until the token expires */
        g_string_append_printf (details, _("token expires in %s"), left);
      else
        g_string_append (details, _("token expired"));
    }
  else
    {
      g_string_append (details, " · ");
      g_string_append (details, _("token never expires"));
    }

  g_string_append (details, " · ");
  /* Translators: the largest payload the server accepts, e.g. "65.5 kB" */
  g_string_append_printf (details, _("max message %s"), size);

  g_string_append (details, " · ");
  if (ice != NULL && ice[0] != '\0')
    /* Translators: the ICE (STUN/TURN) server URLs from the welcome */
    g_string_append_printf (details, _("ICE %s"), ice);
  else
    g_string_append (details, _("no ICE servers"));

  return g_string_free (g_steal_pointer (&details), FALSE);
}

static gboolean on_tick (gpointer user_data);

static void
update (InspectorConnectionHeader *self)
{
  g_autofree char *state_text = NULL;
  g_autofree char *details = NULL;
  gboolean needs_tick = FALSE;
  MeteredClientState state;
  const char *icon;

  if (self->connection == NULL)
    {
      gtk_label_set_label (self->state_label, _("Not connected"));
      gtk_label_set_label (self->details_label, "");
      g_clear_handle_id (&self->tick_source, g_source_remove);
      return;
    }

  state = inspector_connection_get_state (self->connection);
  state_text = dup_state_text (self, &needs_tick);
  details = dup_details_text (self, &needs_tick);

  gtk_label_set_label (self->state_label, state_text);
  gtk_label_set_label (self->details_label, details);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->details_label), details);

  switch (state)
    {
    case METERED_CLIENT_STATE_CONNECTED:
      icon = "network-transmit-receive-symbolic";
      break;
    case METERED_CLIENT_STATE_CONNECTING:
    case METERED_CLIENT_STATE_RECONNECTING:
      icon = "network-wireless-acquiring-symbolic";
      break;
    case METERED_CLIENT_STATE_IDLE:
    case METERED_CLIENT_STATE_CLOSED:
    default:
      icon = "network-offline-symbolic";
      break;
    }

  gtk_image_set_from_icon_name (self->state_icon, icon);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "connected");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "connecting");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");
  if (state == METERED_CLIENT_STATE_CONNECTED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "connected");
  else if (state == METERED_CLIENT_STATE_CONNECTING || state == METERED_CLIENT_STATE_RECONNECTING)
    gtk_widget_add_css_class (GTK_WIDGET (self), "connecting");
  else if (inspector_connection_get_last_error (self->connection) != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, state_text,
                                  -1);

  if (needs_tick && self->tick_source == 0)
    self->tick_source = g_timeout_add_seconds (1, on_tick, self);
  else if (!needs_tick)
    g_clear_handle_id (&self->tick_source, g_source_remove);
}

static gboolean
on_tick (gpointer user_data)
{
  InspectorConnectionHeader *self = user_data;

  self->tick_source = 0;
  update (self);

  return G_SOURCE_REMOVE;
}

static void
inspector_connection_header_dispose (GObject *object)
{
  InspectorConnectionHeader *self = (InspectorConnectionHeader *)object;

  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_object (&self->connection);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_CONNECTION_HEADER);

  G_OBJECT_CLASS (inspector_connection_header_parent_class)->dispose (object);
}

static void
inspector_connection_header_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  InspectorConnectionHeader *self = INSPECTOR_CONNECTION_HEADER (object);

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
inspector_connection_header_set_property (GObject      *object,
                                          guint         prop_id,
                                          const GValue *value,
                                          GParamSpec   *pspec)
{
  InspectorConnectionHeader *self = INSPECTOR_CONNECTION_HEADER (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      inspector_connection_header_set_connection (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_connection_header_class_init (InspectorConnectionHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_connection_header_dispose;
  object_class->get_property = inspector_connection_header_get_property;
  object_class->set_property = inspector_connection_header_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         INSPECTOR_TYPE_CONNECTION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-connection-header.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionHeader, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionHeader, state_icon);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionHeader, state_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectionHeader, details_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "connectionheader");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
inspector_connection_header_init (InspectorConnectionHeader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Connection status"),
                                  -1);
  update (self);
}

InspectorConnection *
inspector_connection_header_get_connection (InspectorConnectionHeader *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION_HEADER (self), NULL);

  return self->connection;
}

void
inspector_connection_header_set_connection (InspectorConnectionHeader *self,
                                            InspectorConnection       *connection)
{
  g_return_if_fail (INSPECTOR_IS_CONNECTION_HEADER (self));
  g_return_if_fail (connection == NULL || INSPECTOR_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);

  g_set_object (&self->connection, connection);

  if (connection != NULL)
    g_signal_connect_object (connection, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}
