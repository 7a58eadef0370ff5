/* inspector-compose-pane.c: publish to a channel or send to a peer
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-compose-pane"

#include <string.h>

#include <glib/gi18n.h>

#include "metered-channel.h"

#include "inspector-config.h"

#include "inspector-compose-pane.h"
#include "inspector-json.h"
#include "inspector-saved-payload.h"
#include "inspector-source-style.h"

#define DEFAULT_PAYLOAD "{\n  \"text\": \"hello from the inspector\"\n}"

struct _InspectorComposePane
{
  GtkWidget            parent_instance;

  InspectorConnection *connection;
  InspectorProfile    *profile;
  GCancellable        *cancellable;
  GtkListStore        *completions;
  char                *result;

  /* The template's one direct child, disposed with it. */
  GtkWidget           *box;
  GtkToggleButton     *publish_toggle;
  GtkToggleButton     *send_toggle;
  GtkEntry            *target_entry;
  GtkSourceView       *editor;
  GtkLabel            *validity_label;
  GtkLabel            *size_label;
  GtkLabel            *result_label;
  GtkButton           *send_button;
  GtkPopover          *saved_popover;
  GtkLabel            *saved_hint;
  GtkWidget           *save_box;
  GtkEntry            *payload_name_entry;
  GtkLabel            *saved_error;
  GtkWidget           *saved_scroller;
  GtkListBox          *saved_list;
};

G_DEFINE_FINAL_TYPE (InspectorComposePane, inspector_compose_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_PROFILE,
  PROP_RESULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
to_peer (InspectorComposePane *self)
{
  return gtk_toggle_button_get_active (self->send_toggle);
}

static char *
dup_payload (InspectorComposePane *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_result (InspectorComposePane *self,
            const char           *result,
            const char           *css_class)
{
  g_free (self->result);
  self->result = g_strdup (result);

  gtk_label_set_label (self->result_label, result != NULL ? result : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "dim-label");
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_label), css_class);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

/* Validates the draft as it is typed: JSON, size against the server's
 * maxMessageSize, and the target's name rules. */
static void
on_changed (InspectorComposePane *self)
{
  g_autoptr(GError) json_error = NULL;
  g_autoptr(GError) target_error = NULL;
  g_autofree char *payload = dup_payload (self);
  g_autofree char *size_text = NULL;
  g_autofree char *max_text = NULL;
  g_autofree char *size_label = NULL;
  const char *target = gtk_editable_get_text (GTK_EDITABLE (self->target_entry));
  gint64 max_size = self->connection != NULL ? inspector_connection_get_max_message_size (self->connection) : 65536;
  gboolean json_ok;
  gboolean target_ok;
  gboolean size_ok;
  gsize size;

  json_ok = inspector_json_measure (payload, &size, &json_error);
  size_ok = (gint64) size <= max_size;

  if (to_peer (self))
    target_ok = metered_peer_id_validate (target, &target_error);
  else
    target_ok = metered_channel_validate (target, &target_error);

  gtk_widget_remove_css_class (GTK_WIDGET (self->validity_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->validity_label), "dim-label");

  if (!json_ok)
    {
      g_autofree char *message = g_strdup_printf (_("Not JSON: %s"), json_error->message);

      gtk_label_set_label (self->validity_label, message);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->validity_label), message);
      gtk_widget_add_css_class (GTK_WIDGET (self->validity_label), "error");
    }
  else if (!target_ok && target[0] != '\0')
    {
      gtk_label_set_label (self->validity_label, target_error->message);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->validity_label), target_error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->validity_label), "error");
    }
  else if (!size_ok)
    {
      gtk_label_set_label (self->validity_label, _("Too large for this server"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->validity_label), NULL);
      gtk_widget_add_css_class (GTK_WIDGET (self->validity_label), "error");
    }
  else
    {
      gtk_label_set_label (self->validity_label, _("Valid JSON"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->validity_label), NULL);
      gtk_widget_add_css_class (GTK_WIDGET (self->validity_label), "dim-label");
    }

  if (size < 1000)
    size_text = g_strdup_printf (_("%u B"), (guint) size);
  else
    size_text = g_format_size (size);
  max_text = g_format_size (max_size);
  /* Translators: the payload's size on the wire, of the server's maximum */
  size_label = g_strdup_printf (_("%s of %s"), size_text, max_text);
  gtk_label_set_label (self->size_label, size_label);

  if (size_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->size_label), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->size_label), "error");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.send",
                                 self->connection != NULL && json_ok && target_ok && size_ok);
}

static void
refresh_completions (InspectorComposePane *self)
{
  g_auto(GStrv) candidates = NULL;

  gtk_list_store_clear (self->completions);

  if (self->connection == NULL)
    return;

  if (to_peer (self))
    candidates = inspector_connection_dup_peer_ids (self->connection);
  else
    {
      GListModel *channels = inspector_connection_get_channels (self->connection);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < g_list_model_get_n_items (channels); i++)
        {
          g_autoptr(InspectorChannel) channel = g_list_model_get_item (channels, i);

          g_strv_builder_add (builder, inspector_channel_get_name (channel));
        }
      candidates = g_strv_builder_end (builder);
    }

  for (guint i = 0; candidates[i] != NULL; i++)
    gtk_list_store_insert_with_values (self->completions, NULL, -1, 0, candidates[i], -1);
}

static void
on_mode_toggled (InspectorComposePane *self)
{
  gboolean peer = to_peer (self);

  gtk_entry_set_placeholder_text (self->target_entry,
                                  peer ? _("Peer id, such as echo") : _("Channel, such as demo/chat"));
  gtk_button_set_label (self->send_button, peer ? _("_Send") : _("_Publish"));
  gtk_button_set_use_underline (self->send_button, TRUE);
  refresh_completions (self);
  on_changed (self);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(InspectorComposePane) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 rtt = 0;

  if (inspector_connection_publish_finish (INSPECTOR_CONNECTION (source), result, &rtt, &error))
    {
      /* Translators: the round trip of an acknowledged message */
      g_autofree char *text = g_strdup_printf (_("Acked in %.1f ms"), rtt / 1000.0);

      set_result (self, text, "success");
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *description = inspector_describe_error (error);

      set_result (self, description, "error");
    }
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  InspectorComposePane *self = INSPECTOR_COMPOSE_PANE (widget);
  g_autofree char *payload = dup_payload (self);
  const char *target = gtk_editable_get_text (GTK_EDITABLE (self->target_entry));

  if (self->connection == NULL)
    return;

  set_result (self, to_peer (self) ? _("Sending…") : _("Publishing…"), "dim-label");

  if (to_peer (self))
    inspector_connection_send_async (self->connection, target, payload, self->cancellable,
                                     on_sent, g_object_ref (self));
  else
    inspector_connection_publish_async (self->connection, target, payload, self->cancellable,
                                        on_sent, g_object_ref (self));
}

/* Saved payloads. */

static void
show_saved_error (InspectorComposePane *self,
                  const char           *message)
{
  gtk_label_set_label (self->saved_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->saved_error), message != NULL);
  if (message != NULL)
    set_result (self, message, "error");
}

static void
update_saved (InspectorComposePane *self)
{
  gboolean have_profile = self->profile != NULL;
  const char *problem = have_profile ? inspector_profile_get_problem (self->profile) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->saved_hint), !have_profile || problem != NULL);
  gtk_label_set_label (self->saved_hint,
                       problem != NULL ? problem
                                       : _("Saved payloads belong to a connection profile. Open a saved profile, or save this connection as one, to keep payloads here."));
  gtk_widget_set_visible (self->save_box, have_profile);
  gtk_widget_set_visible (self->saved_scroller, have_profile);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.save-payload", have_profile);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.rename-payload", have_profile);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.delete-payload", have_profile);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.load-payload", have_profile);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.resend-payload", have_profile);
}

static void
on_name_editing (GtkEditableLabel     *label,
                 GParamSpec           *pspec,
                 InspectorComposePane *self)
{
  const char *name = g_object_get_data (G_OBJECT (label), "payload-name");
  const char *text = gtk_editable_get_text (GTK_EDITABLE (label));

  if (gtk_editable_label_get_editing (label) || g_strcmp0 (name, text) == 0)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "compose.rename-payload", "(ss)", name, text);

  /* Refused: the row shows the name it still has. */
  if (self->profile != NULL && inspector_profile_find_payload (self->profile, name) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (label), name);
}

static GtkWidget *
icon_button (const char *icon_name,
             const char *tooltip,
             const char *action_name,
             const char *name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");

  return button;
}

static GtkWidget *
create_saved_row (gpointer item,
                  gpointer user_data)
{
  InspectorComposePane *self = user_data;
  InspectorSavedPayload *payload = item;
  const char *name = inspector_saved_payload_get_name (payload);
  g_autofree char *summary = inspector_saved_payload_dup_summary (payload);
  const char *json = inspector_saved_payload_get_json (payload);
  /* The length is the bytes to read, not a cap: a shorter payload stops at its end. */
  g_autofree char *preview = g_utf8_make_valid (json, strnlen (json, 200));
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_editable_label_new (name);
  GtkWidget *subtitle = gtk_label_new (summary);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_start (box, 10);
  gtk_widget_set_margin_end (box, 4);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_widget_set_tooltip_text (row, preview);

  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (title), "payload-name", g_strdup (name), g_free);
  gtk_widget_set_tooltip_text (title, _("Click to rename"));
  g_signal_connect_object (title, "notify::editing", G_CALLBACK (on_name_editing), self, 0);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), subtitle);

  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), icon_button ("document-edit-symbolic", _("Open in the editor"), "compose.load-payload", name));
  gtk_box_append (GTK_BOX (box), icon_button ("user-trash-symbolic", _("Delete"), "compose.delete-payload", name));
  gtk_box_append (GTK_BOX (box), icon_button ("mail-send-symbolic",
                                              inspector_saved_payload_get_peer (payload) ? _("Send again") : _("Publish again"),
                                              "compose.resend-payload", name));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return row;
}

static InspectorSavedPayload *
lookup_payload (InspectorComposePane *self,
                const char           *name)
{
  InspectorSavedPayload *payload;

  if (self->profile == NULL)
    return NULL;

  if ((payload = inspector_profile_find_payload (self->profile, name)) == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("There is no saved payload called “%s”."), name);

      show_saved_error (self, message);
    }

  return payload;
}

static void
save_payload_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  InspectorComposePane *self = INSPECTOR_COMPOSE_PANE (widget);
  g_autoptr(InspectorSavedPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = dup_payload (self);
  g_autofree char *done = NULL;

  if (self->profile == NULL)
    return;

  payload = inspector_saved_payload_new (gtk_editable_get_text (GTK_EDITABLE (self->payload_name_entry)),
                                         to_peer (self),
                                         gtk_editable_get_text (GTK_EDITABLE (self->target_entry)),
                                         json, &error);
  if (payload == NULL || !inspector_profile_save_payload (self->profile, payload, &error))
    {
      show_saved_error (self, error->message);
      return;
    }

  show_saved_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->payload_name_entry), "");
  /* Translators: a saved payload's name */
  done = g_strdup_printf (_("Saved “%s”"), inspector_saved_payload_get_name (payload));
  set_result (self, done, "dim-label");
}

static void
on_payload_name_activate (InspectorComposePane *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "compose.save-payload", NULL);
}

static void
on_saved_popover_show (InspectorComposePane *self)
{
  show_saved_error (self, NULL);
}

static void
on_resent (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(InspectorComposePane) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 rtt = 0;

  if (inspector_saved_payload_send_finish (INSPECTOR_SAVED_PAYLOAD (source), result, &rtt, &error))
    {
      /* Translators: a saved payload's name, then the round trip of its ack */
      g_autofree char *text = g_strdup_printf (_("“%s” acked in %.1f ms"),
                                               inspector_saved_payload_get_name (INSPECTOR_SAVED_PAYLOAD (source)),
                                               rtt / 1000.0);

      set_result (self, text, "success");
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *description = inspector_describe_error (error);

      set_result (self, description, "error");
    }
}

static void
resend_payload_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  InspectorComposePane *self = INSPECTOR_COMPOSE_PANE (widget);
  InspectorSavedPayload *payload = lookup_payload (self, g_variant_get_string (parameter, NULL));

  if (payload == NULL)
    return;

  if (self->connection == NULL)
    {
      show_saved_error (self, _("Not connected: open a connection to send saved payloads."));
      return;
    }

  show_saved_error (self, NULL);
  set_result (self, inspector_saved_payload_get_peer (payload) ? _("Sending…") : _("Publishing…"), "dim-label");
  inspector_saved_payload_send_async (payload, self->connection, self->cancellable, on_resent, g_object_ref (self));
}

static void
load_payload_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  InspectorComposePane *self = INSPECTOR_COMPOSE_PANE (widget);
  InspectorSavedPayload *payload = lookup_payload (self, g_variant_get_string (parameter, NULL));

  if (payload == NULL)
    return;

  show_saved_error (self, NULL);
  inspector_compose_pane_set_target (self, inspector_saved_payload_get_peer (payload),
                                     inspector_saved_payload_get_target (payload));
  inspector_compose_pane_set_payload (self, inspector_saved_payload_get_json (payload));
  gtk_editable_set_text (GTK_EDITABLE (self->payload_name_entry), inspector_saved_payload_get_name (payload));
  gtk_popover_popdown (self->saved_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->editor));
}

static void
delete_payload_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  InspectorComposePane *self = INSPECTOR_COMPOSE_PANE (widget);
  g_autoptr(GError) error = NULL;

  if (self->profile == NULL)
    return;

  if (!inspector_profile_delete_payload (self->profile, g_variant_get_string (parameter, NULL), &error))
    show_saved_error (self, error->message);
  else
    show_saved_error (self, NULL);
}

static void
rename_payload_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  InspectorComposePane *self = INSPECTOR_COMPOSE_PANE (widget);
  g_autoptr(GError) error = NULL;
  const char *name;
  const char *new_name;

  if (self->profile == NULL)
    return;

  g_variant_get (parameter, "(&s&s)", &name, &new_name);
  if (!inspector_profile_rename_payload (self->profile, name, new_name, &error))
    show_saved_error (self, error->message);
  else
    show_saved_error (self, NULL);
}

static void
inspector_compose_pane_dispose (GObject *object)
{
  InspectorComposePane *self = (InspectorComposePane *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  if (self->profile != NULL)
    g_signal_handlers_disconnect_by_data (self->profile, self);
  g_clear_object (&self->profile);
  g_clear_object (&self->completions);
  g_clear_pointer (&self->result, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_COMPOSE_PANE);

  G_OBJECT_CLASS (inspector_compose_pane_parent_class)->dispose (object);
}

static void
inspector_compose_pane_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  InspectorComposePane *self = INSPECTOR_COMPOSE_PANE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;

    case PROP_RESULT:
      g_value_set_string (value, self->result);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_compose_pane_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  InspectorComposePane *self = INSPECTOR_COMPOSE_PANE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      inspector_compose_pane_set_connection (self, g_value_get_object (value));
      break;

    case PROP_PROFILE:
      inspector_compose_pane_set_profile (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_compose_pane_class_init (InspectorComposePaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_compose_pane_dispose;
  object_class->get_property = inspector_compose_pane_get_property;
  object_class->set_property = inspector_compose_pane_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         INSPECTOR_TYPE_CONNECTION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Whose saved payloads the pane offers; %NULL without a profile. */
  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL,
                         INSPECTOR_TYPE_PROFILE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The outcome of the last send, in words. */
  properties[PROP_RESULT] =
    g_param_spec_string ("result", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-compose-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, publish_toggle);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, send_toggle);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, target_entry);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, editor);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, validity_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, size_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, result_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, send_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, saved_popover);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, saved_hint);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, save_box);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, payload_name_entry);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, saved_error);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, saved_scroller);
  gtk_widget_class_bind_template_child (widget_class, InspectorComposePane, saved_list);
  gtk_widget_class_bind_template_callback (widget_class, on_payload_name_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_saved_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_toggled);

  gtk_widget_class_install_action (widget_class, "compose.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "compose.save-payload", NULL, save_payload_action);
  gtk_widget_class_install_action (widget_class, "compose.resend-payload", "s", resend_payload_action);
  gtk_widget_class_install_action (widget_class, "compose.load-payload", "s", load_payload_action);
  gtk_widget_class_install_action (widget_class, "compose.delete-payload", "s", delete_payload_action);
  gtk_widget_class_install_action (widget_class, "compose.rename-payload", "(ss)", rename_payload_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "composepane");
}

static void
inspector_compose_pane_init (InspectorComposePane *self)
{
  GtkSourceBuffer *buffer;
  GtkEntryCompletion *completion;
  GtkEventController *controller;
  GtkEventController *shortcuts;
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor)));
  inspector_source_style_follow (buffer);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), DEFAULT_PAYLOAD, -1);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);

  self->completions = gtk_list_store_new (1, G_TYPE_STRING);
  completion = gtk_entry_completion_new ();
  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->completions));
  gtk_entry_completion_set_text_column (completion, 0);
  gtk_entry_completion_set_minimum_key_length (completion, 0);
  gtk_entry_completion_set_inline_completion (completion, TRUE);
  gtk_entry_set_completion (self->target_entry, completion);
  g_object_unref (completion);

  /* Rosters change all the time: offer what is known when the user starts typing. */
  controller = gtk_event_controller_focus_new ();
  g_signal_connect_object (controller, "enter", G_CALLBACK (refresh_completions), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->target_entry), controller);

  /* Before the editor sees Return: Ctrl+Enter sends. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK)),
                                                          gtk_named_action_new ("compose.send")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  placeholder = gtk_label_new (_("No saved payloads yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->saved_list, placeholder);

  on_mode_toggled (self);
  update_saved (self);
}

InspectorConnection *
inspector_compose_pane_get_connection (InspectorComposePane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_COMPOSE_PANE (self), NULL);

  return self->connection;
}

void
inspector_compose_pane_set_connection (InspectorComposePane *self,
                                       InspectorConnection  *connection)
{
  g_return_if_fail (INSPECTOR_IS_COMPOSE_PANE (self));
  g_return_if_fail (connection == NULL || INSPECTOR_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);

  g_set_object (&self->connection, connection);

  if (connection != NULL)
    g_signal_connect_object (connection, "notify::max-message-size", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);

  set_result (self, NULL, NULL);
  refresh_completions (self);
  on_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

/**
 * inspector_compose_pane_set_target:
 * @peer: whether @target is a peer id rather than a channel
 */
void
inspector_compose_pane_set_target (InspectorComposePane *self,
                                   gboolean              peer,
                                   const char           *target)
{
  g_return_if_fail (INSPECTOR_IS_COMPOSE_PANE (self));

  gtk_toggle_button_set_active (peer ? self->send_toggle : self->publish_toggle, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->target_entry), target != NULL ? target : "");
}

void
inspector_compose_pane_set_payload (InspectorComposePane *self,
                                    const char           *json)
{
  g_return_if_fail (INSPECTOR_IS_COMPOSE_PANE (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor)), json != NULL ? json : "", -1);
}

const char *
inspector_compose_pane_get_result (InspectorComposePane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_COMPOSE_PANE (self), NULL);

  return self->result;
}

void
inspector_compose_pane_focus (InspectorComposePane *self)
{
  g_return_if_fail (INSPECTOR_IS_COMPOSE_PANE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->target_entry));
}

/**
 * inspector_compose_pane_get_profile:
 *
 * Returns: (transfer none) (nullable): whose saved payloads are offered
 */
InspectorProfile *
inspector_compose_pane_get_profile (InspectorComposePane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_COMPOSE_PANE (self), NULL);

  return self->profile;
}

/**
 * inspector_compose_pane_set_profile:
 * @profile: (nullable): the profile of the open connection, or %NULL
 *
 * Offers @profile's saved payloads; without a profile, the saved payloads
 * popover says why there is nothing to save into.
 */
void
inspector_compose_pane_set_profile (InspectorComposePane *self,
                                    InspectorProfile     *profile)
{
  g_return_if_fail (INSPECTOR_IS_COMPOSE_PANE (self));
  g_return_if_fail (profile == NULL || INSPECTOR_IS_PROFILE (profile));

  if (self->profile == profile)
    return;

  if (self->profile != NULL)
    g_signal_handlers_disconnect_by_data (self->profile, self);

  g_set_object (&self->profile, profile);

  if (profile != NULL)
    {
      g_signal_connect_object (profile, "notify::problem", G_CALLBACK (update_saved), self, G_CONNECT_SWAPPED);
      gtk_list_box_bind_model (self->saved_list, inspector_profile_get_payloads (profile),
                               create_saved_row, self, NULL);
    }
  else
    gtk_list_box_bind_model (self->saved_list, NULL, NULL, NULL, NULL);

  show_saved_error (self, NULL);
  update_saved (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);
}
