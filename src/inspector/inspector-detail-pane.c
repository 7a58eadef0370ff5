/* inspector-detail-pane.c: the selected log row in full
 *
 * The only place a logged payload is parsed: pretty-printing happens for
 * the one selected row.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-detail-pane"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "inspector-config.h"

#include "inspector-detail-pane.h"
#include "inspector-json.h"
#include "inspector-source-style.h"

struct _InspectorDetailPane
{
  GtkWidget          parent_instance;

  InspectorLogEntry *entry;

  GtkStack          *outer_stack;
  GtkLabel          *title_label;
  GtkLabel          *subtitle_label;
  GtkSourceView     *payload_view;
  GtkSourceView     *metadata_view;
  GtkSourceView     *frame_view;
};

G_DEFINE_FINAL_TYPE (InspectorDetailPane, inspector_detail_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENTRY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkSourceBuffer *
buffer_of (GtkSourceView *view)
{
  return GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
}

static void
show_text (GtkSourceView *view,
           const char    *text,
           gboolean       json)
{
  GtkSourceBuffer *buffer = buffer_of (view);
  GtkTextIter start;

  inspector_source_style_set_json (buffer, json);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), text != NULL ? text : "", -1);
  gtk_text_buffer_get_start_iter (GTK_TEXT_BUFFER (buffer), &start);
  gtk_text_buffer_place_cursor (GTK_TEXT_BUFFER (buffer), &start);
}

static char *
dup_buffer_text (GtkSourceView *view)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (buffer_of (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* The sender as people know it: the name in its metadata, if any. */
static char *
dup_sender_name (const char *metadata)
{
  g_autoptr(JsonNode) root = NULL;
  JsonNode *name;

  if (metadata == NULL || (root = inspector_json_parse (metadata, -1, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (name = json_object_get_member (json_node_get_object (root), "name")) == NULL ||
      json_node_get_value_type (name) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (name));
}

static char *
dup_title (InspectorLogEntry *entry,
           const char        *metadata)
{
  const char *kind = inspector_log_entry_get_kind_name (entry);
  const char *channel = inspector_log_entry_get_channel (entry);
  g_autofree char *name = dup_sender_name (metadata);
  const char *peer = name != NULL ? name : inspector_log_entry_get_peer (entry);

  switch (inspector_log_entry_get_kind (entry))
    {
    case INSPECTOR_LOG_KIND_MESSAGE:
      /* Translators: a channel, then the sender's peer id */
      return g_strdup_printf (_("Message on %s from %s"), channel, peer);
    case INSPECTOR_LOG_KIND_DIRECT:
      return g_strdup_printf (_("Direct message from %s"), peer);
    case INSPECTOR_LOG_KIND_PUBLISH:
      return g_strdup_printf (_("Published on %s"), channel);
    case INSPECTOR_LOG_KIND_SEND:
      return g_strdup_printf (_("Sent to %s"), peer);
    case INSPECTOR_LOG_KIND_PRESENCE:
      return g_strdup_printf (_("Presence on %s"), channel);
    case INSPECTOR_LOG_KIND_SUBSCRIBE:
      return g_strdup_printf (_("Subscribe to %s"), channel);
    case INSPECTOR_LOG_KIND_UNSUBSCRIBE:
      return g_strdup_printf (_("Unsubscribe from %s"), channel);
    case INSPECTOR_LOG_KIND_STATE:
    case INSPECTOR_LOG_KIND_WELCOME:
    case INSPECTOR_LOG_KIND_CLOSE:
    case INSPECTOR_LOG_KIND_SERVER_ERROR:
    case INSPECTOR_LOG_KIND_GOING_AWAY:
    case INSPECTOR_LOG_KIND_TOKEN_ERROR:
    default:
      return inspector_log_entry_get_note (entry) != NULL
             ? g_strdup (inspector_log_entry_get_note (entry))
             : g_strdup (kind);
    }
}

static char *
dup_subtitle (InspectorLogEntry *entry)
{
  g_autofree char *time = inspector_log_entry_dup_time_label (entry);
  g_autoptr(GString) subtitle = g_string_new (time);

  g_string_append_printf (subtitle, " · %s", inspector_log_entry_get_kind_name (entry));

  if (inspector_log_entry_has_payload (entry))
    {
      g_autofree char *size = inspector_log_entry_dup_size_label (entry);

      g_string_append_printf (subtitle, " · %s", size);
    }

  switch (inspector_log_entry_get_status (entry))
    {
    case INSPECTOR_LOG_STATUS_PENDING:
      g_string_append_printf (subtitle, " · %s", _("waiting for ack"));
      break;

    case INSPECTOR_LOG_STATUS_ACKED:
      g_string_append (subtitle, " · ");
      /* Translators: the round trip of an acknowledged request */
      g_string_append_printf (subtitle, _("acked in %.1f ms"), inspector_log_entry_get_rtt (entry) / 1000.0);
      break;

    case INSPECTOR_LOG_STATUS_FAILED:
      g_string_append_printf (subtitle, " · %s", inspector_log_entry_get_note (entry));
      break;

    case INSPECTOR_LOG_STATUS_NONE:
    default:
      if (inspector_log_entry_has_payload (entry) || inspector_log_entry_get_kind (entry) == INSPECTOR_LOG_KIND_PRESENCE)
        if (inspector_log_entry_get_note (entry) != NULL)
          g_string_append_printf (subtitle, " · %s", inspector_log_entry_get_note (entry));
      break;
    }

  return g_string_free (g_steal_pointer (&subtitle), FALSE);
}

static void
update (InspectorDetailPane *self)
{
  InspectorLogEntry *entry = self->entry;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *metadata = NULL;
  g_autofree char *frame = NULL;
  const char *text;
  gsize text_len;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-payload", entry != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-metadata", entry != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-frame", entry != NULL);

  if (entry == NULL)
    {
      gtk_stack_set_visible_child_name (self->outer_stack, "empty");
      show_text (self->payload_view, NULL, FALSE);
      show_text (self->metadata_view, NULL, FALSE);
      show_text (self->frame_view, NULL, FALSE);
      return;
    }

  gtk_stack_set_visible_child_name (self->outer_stack, "entry");

  text = inspector_log_entry_get_text (entry, &text_len);
  if (text != NULL)
    show_text (self->payload_view, (payload = inspector_json_pretty (text, text_len)), TRUE);
  else
    show_text (self->payload_view, inspector_log_entry_get_note (entry), FALSE);

  if (inspector_log_entry_get_metadata (entry) != NULL)
    metadata = inspector_json_pretty (inspector_log_entry_get_metadata (entry), -1);
  else
    metadata = inspector_json_dup_member (inspector_log_entry_get_frame (entry), "fromMetadata");

  title = dup_title (entry, metadata);
  subtitle = dup_subtitle (entry);
  gtk_label_set_label (self->title_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), title);
  gtk_label_set_label (self->subtitle_label, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->subtitle_label), subtitle);

  if (metadata != NULL)
    show_text (self->metadata_view, metadata, TRUE);
  else if (inspector_log_entry_get_kind (entry) == INSPECTOR_LOG_KIND_MESSAGE)
    show_text (self->metadata_view,
               _("The message carries no sender metadata. Subscribe with “Include sender metadata” to receive it."),
               FALSE);
  else
    show_text (self->metadata_view, _("No sender metadata."), FALSE);

  if (inspector_log_entry_get_frame (entry) != NULL)
    show_text (self->frame_view, (frame = inspector_json_pretty (inspector_log_entry_get_frame (entry), -1)), TRUE);
  else
    show_text (self->frame_view, _("No frame: the inspector recorded this row itself."), FALSE);
}

static void
copy_view (InspectorDetailPane *self,
           GtkSourceView       *view)
{
  g_autofree char *text = dup_buffer_text (view);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  InspectorDetailPane *self = INSPECTOR_DETAIL_PANE (widget);

  if (g_str_equal (action_name, "detail.copy-payload"))
    copy_view (self, self->payload_view);
  else if (g_str_equal (action_name, "detail.copy-metadata"))
    copy_view (self, self->metadata_view);
  else
    copy_view (self, self->frame_view);
}

static void
inspector_detail_pane_dispose (GObject *object)
{
  InspectorDetailPane *self = (InspectorDetailPane *)object;

  g_clear_object (&self->entry);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_DETAIL_PANE);

  G_OBJECT_CLASS (inspector_detail_pane_parent_class)->dispose (object);
}

static void
inspector_detail_pane_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  InspectorDetailPane *self = INSPECTOR_DETAIL_PANE (object);

  switch (prop_id)
    {
    case PROP_ENTRY:
      g_value_set_object (value, self->entry);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_detail_pane_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  InspectorDetailPane *self = INSPECTOR_DETAIL_PANE (object);

  switch (prop_id)
    {
    case PROP_ENTRY:
      inspector_detail_pane_set_entry (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_detail_pane_class_init (InspectorDetailPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_detail_pane_dispose;
  object_class->get_property = inspector_detail_pane_get_property;
  object_class->set_property = inspector_detail_pane_set_property;

  properties[PROP_ENTRY] =
    g_param_spec_object ("entry", NULL, NULL,
                         INSPECTOR_TYPE_LOG_ENTRY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (ADW_TYPE_STATUS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-detail-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, outer_stack);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, payload_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, metadata_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, frame_view);

  gtk_widget_class_install_action (widget_class, "detail.copy-payload", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "detail.copy-metadata", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "detail.copy-frame", NULL, copy_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "detailpane");
}

static void
inspector_detail_pane_init (InspectorDetailPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  inspector_source_style_follow (buffer_of (self->payload_view));
  inspector_source_style_follow (buffer_of (self->metadata_view));
  inspector_source_style_follow (buffer_of (self->frame_view));

  update (self);
}

InspectorLogEntry *
inspector_detail_pane_get_entry (InspectorDetailPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_DETAIL_PANE (self), NULL);

  return self->entry;
}

void
inspector_detail_pane_set_entry (InspectorDetailPane *self,
                                 InspectorLogEntry   *entry)
{
  g_return_if_fail (INSPECTOR_IS_DETAIL_PANE (self));
  g_return_if_fail (entry == NULL || INSPECTOR_IS_LOG_ENTRY (entry));

  if (self->entry == entry)
    return;

  if (self->entry != NULL)
    g_signal_handlers_disconnect_by_data (self->entry, self);

  g_set_object (&self->entry, entry);

  /* A request's row changes when its answer arrives. */
  if (entry != NULL)
    g_signal_connect_object (entry, "notify::status", G_CALLBACK (update), self, G_CONNECT_SWAPPED);

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENTRY]);
}

/**
 * inspector_detail_pane_dup_payload_text:
 *
 * Returns: (transfer full): the payload as shown
 */
char *
inspector_detail_pane_dup_payload_text (InspectorDetailPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_DETAIL_PANE (self), NULL);

  return dup_buffer_text (self->payload_view);
}
