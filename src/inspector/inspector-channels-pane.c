/* inspector-channels-pane.c: the sidebar of subscriptions
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-channels-pane"

#include <glib/gi18n.h>

#include "metered-channel.h"

#include "inspector-config.h"

#include "inspector-channels-pane.h"
#include "inspector-enum-types.h"

struct _InspectorChannelsPane
{
  GtkWidget            parent_instance;

  InspectorConnection *connection;
  GtkSingleSelection  *selection;
  InspectorChannel    *active;

  /* The template's one direct child, disposed with it. */
  GtkWidget           *box;
  GtkEntry            *entry;
  GtkCheckButton      *metadata_check;
  GtkLabel            *error_label;
  GtkStack            *stack;
  GtkListView         *list_view;
};

G_DEFINE_FINAL_TYPE (InspectorChannelsPane, inspector_channels_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_SELECTED_CHANNEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
state_icon_name (gpointer              item,
                 InspectorChannelState state)
{
  switch (state)
    {
    case INSPECTOR_CHANNEL_STATE_SUBSCRIBED:
      return g_strdup ("mail-send-receive-symbolic");
    case INSPECTOR_CHANNEL_STATE_RESTORED:
      return g_strdup ("emblem-synchronizing-symbolic");
    case INSPECTOR_CHANNEL_STATE_FAILED:
      return g_strdup ("dialog-error-symbolic");
    case INSPECTOR_CHANNEL_STATE_SUBSCRIBING:
    case INSPECTOR_CHANNEL_STATE_RESTORING:
    case INSPECTOR_CHANNEL_STATE_OFFLINE:
    default:
      return g_strdup ("content-loading-symbolic");
    }
}

static char *
format_details (gpointer               item,
                const char            *stats,
                guint                  n_peers,
                InspectorChannelState  state,
                const char            *error)
{
  g_autofree char *peers = NULL;

  if (state == INSPECTOR_CHANNEL_STATE_FAILED)
    return g_strdup (error != NULL ? error : _("Subscription failed"));

  peers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u peer", "%u peers", n_peers), n_peers);

  switch (state)
    {
    case INSPECTOR_CHANNEL_STATE_RESTORED:
      /* Translators: peers, then message statistics, after a reconnect */
      return g_strdup_printf (_("Restored · %s · %s"), peers, stats);
    case INSPECTOR_CHANNEL_STATE_RESTORING:
      return g_strdup (_("Restoring after reconnect…"));
    case INSPECTOR_CHANNEL_STATE_SUBSCRIBING:
      return g_strdup (_("Subscribing…"));
    case INSPECTOR_CHANNEL_STATE_OFFLINE:
      return g_strdup (_("Waiting for the connection"));
    case INSPECTOR_CHANNEL_STATE_SUBSCRIBED:
    case INSPECTOR_CHANNEL_STATE_FAILED:
    default:
      /* Translators: peers, then message statistics */
      return g_strdup_printf (_("%s · %s"), peers, stats);
    }
}

static char *
format_unread (gpointer item,
               guint    unread)
{
  if (unread > 999)
    return g_strdup ("999+");

  return g_strdup_printf ("%u", unread);
}

static GVariant *
channel_target (gpointer    item,
                const char *name)
{
  return g_variant_ref_sink (g_variant_new_string (name != NULL ? name : ""));
}

static gboolean
validate_entry (InspectorChannelsPane  *self,
                GError                **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  InspectorChannel *existing;

  if (!metered_channel_validate (text, error))
    return FALSE;

  if (metered_channel_is_reserved (text))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Channels starting with _metered/, _internal/ or _system/ are reserved"));
      return FALSE;
    }

  if (self->connection != NULL &&
      (existing = inspector_connection_find_channel (self->connection, text)) != NULL &&
      inspector_channel_get_state (existing) != INSPECTOR_CHANNEL_STATE_FAILED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Already subscribed to %s"), text);
      return FALSE;
    }

  return TRUE;
}

static void
show_error (InspectorChannelsPane *self,
            const char            *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
}

static void
on_entry_changed (InspectorChannelsPane *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  gboolean valid = validate_entry (self, &error);

  /* An empty entry is not an error yet, only not ready. */
  show_error (self, !valid && text[0] != '\0' ? error->message : NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.subscribe", valid && self->connection != NULL);
}

static void
subscribe_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  InspectorChannelsPane *self = INSPECTOR_CHANNELS_PANE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));

  if (self->connection == NULL)
    return;

  if (!validate_entry (self, &error) ||
      !inspector_connection_subscribe (self->connection, name,
                                       gtk_check_button_get_active (self->metadata_check),
                                       &error))
    {
      show_error (self, error->message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  show_error (self, NULL);
}

static void
on_entry_activate (InspectorChannelsPane *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "channels.subscribe", NULL);
}

static void
unsubscribe_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  InspectorChannelsPane *self = INSPECTOR_CHANNELS_PANE (widget);

  if (self->connection != NULL)
    inspector_connection_unsubscribe (self->connection, g_variant_get_string (parameter, NULL));
}

static void
update_stack (InspectorChannelsPane *self)
{
  gboolean empty = self->connection == NULL ||
                   g_list_model_get_n_items (inspector_connection_get_channels (self->connection)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
on_selection_changed (InspectorChannelsPane *self)
{
  InspectorChannel *selected = gtk_single_selection_get_selected_item (self->selection);

  if (selected == self->active)
    return;

  /* The channel being looked at has no unread messages. */
  if (self->active != NULL)
    inspector_channel_set_active (self->active, FALSE);
  g_set_object (&self->active, selected);
  if (selected != NULL)
    inspector_channel_set_active (selected, TRUE);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_CHANNEL]);
}

static void
inspector_channels_pane_dispose (GObject *object)
{
  InspectorChannelsPane *self = (InspectorChannelsPane *)object;

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);

  g_clear_object (&self->active);
  g_clear_object (&self->selection);
  g_clear_object (&self->connection);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_CHANNELS_PANE);

  G_OBJECT_CLASS (inspector_channels_pane_parent_class)->dispose (object);
}

static void
inspector_channels_pane_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  InspectorChannelsPane *self = INSPECTOR_CHANNELS_PANE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    case PROP_SELECTED_CHANNEL:
      g_value_set_object (value, self->active);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_channels_pane_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  InspectorChannelsPane *self = INSPECTOR_CHANNELS_PANE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      inspector_channels_pane_set_connection (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_channels_pane_class_init (InspectorChannelsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_channels_pane_dispose;
  object_class->get_property = inspector_channels_pane_get_property;
  object_class->set_property = inspector_channels_pane_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         INSPECTOR_TYPE_CONNECTION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_CHANNEL] =
    g_param_spec_object ("selected-channel", NULL, NULL,
                         INSPECTOR_TYPE_CHANNEL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INSPECTOR_TYPE_CHANNEL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-channels-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, entry);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, metadata_check);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, error_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, stack);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, state_icon_name);
  gtk_widget_class_bind_template_callback (widget_class, format_details);
  gtk_widget_class_bind_template_callback (widget_class, format_unread);
  gtk_widget_class_bind_template_callback (widget_class, channel_target);

  gtk_widget_class_install_action (widget_class, "channels.subscribe", NULL, subscribe_action);
  gtk_widget_class_install_action (widget_class, "channels.unsubscribe", "s", unsubscribe_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "channelspane");
}

static void
inspector_channels_pane_init (InspectorChannelsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed), self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.subscribe", FALSE);
  update_stack (self);
}

InspectorConnection *
inspector_channels_pane_get_connection (InspectorChannelsPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNELS_PANE (self), NULL);

  return self->connection;
}

void
inspector_channels_pane_set_connection (InspectorChannelsPane *self,
                                        InspectorConnection   *connection)
{
  GListModel *channels;

  g_return_if_fail (INSPECTOR_IS_CHANNELS_PANE (self));
  g_return_if_fail (connection == NULL || INSPECTOR_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (inspector_connection_get_channels (self->connection), self);

  g_set_object (&self->connection, connection);
  channels = connection != NULL ? inspector_connection_get_channels (connection) : NULL;
  gtk_single_selection_set_model (self->selection, channels);

  if (channels != NULL)
    g_signal_connect_object (channels, "items-changed", G_CALLBACK (update_stack), self, G_CONNECT_SWAPPED);

  update_stack (self);
  on_entry_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

/**
 * inspector_channels_pane_get_selected_channel:
 *
 * Returns: (transfer none) (nullable): the channel whose roster is shown
 */
InspectorChannel *
inspector_channels_pane_get_selected_channel (InspectorChannelsPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNELS_PANE (self), NULL);

  return self->active;
}

void
inspector_channels_pane_focus_entry (InspectorChannelsPane *self)
{
  g_return_if_fail (INSPECTOR_IS_CHANNELS_PANE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}
