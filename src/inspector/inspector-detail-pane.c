/* inspector-detail-pane.c: the selected log row in full
 *
 * The only place a logged payload is parsed: pretty-printing happens for
 * the one selected row.
 *
 * The Diff page compares the selected message with the previous message
 * on the same channel, found through the log's link from each row to its
 * channel's previous message, and only while the page is shown. The Plot
 * button lists the numeric fields of the selected message and asks,
 * through #InspectorDetailPane::plot-requested, for one to be plotted.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-detail-pane"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "inspector-config.h"

#include "inspector-detail-pane.h"
#include "inspector-diff.h"
#include "inspector-json.h"
#include "inspector-json-path.h"
#include "inspector-source-style.h"

#define MAX_PLOT_FIELDS  200

struct _InspectorDetailPane
{
  GtkWidget          parent_instance;

  InspectorLogEntry *entry;
  InspectorLogStore *log;

  GtkStack          *outer_stack;
  GtkStack          *stack;
  GtkLabel          *title_label;
  GtkLabel          *subtitle_label;
  GtkSourceView     *payload_view;
  GtkSourceView     *metadata_view;
  GtkSourceView     *frame_view;
  GtkMenuButton     *plot_button;
  GtkListBox        *plot_fields_list;
  GtkLabel          *diff_summary;
  GtkTextView       *diff_view;

  gboolean           diff_dirty;
};

G_DEFINE_FINAL_TYPE (InspectorDetailPane, inspector_detail_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENTRY,
  PROP_LOG,
  N_PROPS
};

enum {
  SIGNAL_PLOT_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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

static char *
dup_pretty_payload (InspectorLogEntry *entry)
{
  const char *text;
  gsize len;

  if ((text = inspector_log_entry_get_text (entry, &len)) == NULL)
    return g_strdup ("");

  return inspector_json_pretty (text, len);
}

static void
show_diff (InspectorDetailPane *self)
{
  static const char * const prefixes[] = { "  ", "- ", "+ " };
  static const char * const tags[] = { NULL, "removed", "added" };
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->diff_view);
  InspectorLogEntry *entry = self->entry;
  g_autoptr(InspectorLogEntry) previous = NULL;
  g_autoptr(InspectorDiff) diff = NULL;
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;
  g_autofree char *time = NULL;
  g_autoptr(GString) summary = NULL;
  GtkTextIter end;

  self->diff_dirty = FALSE;
  gtk_text_buffer_set_text (buffer, "", -1);

  if (entry == NULL || inspector_log_entry_get_kind (entry) != INSPECTOR_LOG_KIND_MESSAGE ||
      !inspector_log_entry_has_payload (entry))
    {
      gtk_label_set_label (self->diff_summary, _("Diff compares a message with the previous message on the same channel."));
      return;
    }

  if (self->log == NULL || (previous = inspector_log_store_find_previous (self->log, inspector_log_entry_get_seq (entry))) == NULL)
    {
      gtk_label_set_label (self->diff_summary, _("The log holds no earlier message on this channel."));
      return;
    }

  old_text = dup_pretty_payload (previous);
  new_text = dup_pretty_payload (entry);
  diff = inspector_diff_new (old_text, new_text);

  time = inspector_log_entry_dup_time_label (previous);
  summary = g_string_new (NULL);
  if (inspector_diff_get_n_added (diff) == 0 && inspector_diff_get_n_removed (diff) == 0)
    /* Translators: the time of the previous message */
    g_string_printf (summary, _("Same payload as the previous message, at %s."), time);
  else
    {
      guint n_removed = inspector_diff_get_n_removed (diff);
      guint n_added = inspector_diff_get_n_added (diff);
      g_autofree char *removed = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line removed", "%u lines removed", n_removed), n_removed);
      /* Translators: the number of lines added, after "N lines removed" */
      g_autofree char *added = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u added", "%u added", n_added), n_added);

      /* Translators: the time of the previous message, then "N lines removed" and "N added" */
      g_string_printf (summary, _("Compared with the previous message, at %s: %s, %s."), time, removed, added);
    }
  if (!inspector_diff_is_minimal (diff))
    {
      g_string_append_c (summary, ' ');
      g_string_append (summary, _("The payloads differ too much to match line by line."));
    }
  gtk_label_set_label (self->diff_summary, summary->str);

  gtk_text_buffer_get_end_iter (buffer, &end);
  for (guint i = 0; i < inspector_diff_get_n_lines (diff); i++)
    {
      const char *line;
      InspectorDiffOp op = inspector_diff_get_line (diff, i, &line);
      g_autofree char *text = g_strconcat (prefixes[op], line, "\n", NULL);

      if (tags[op] != NULL)
        gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text, -1, tags[op], NULL);
      else
        gtk_text_buffer_insert (buffer, &end, text, -1);
    }
}

static gboolean
diff_page_visible (InspectorDetailPane *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "diff") == 0;
}

static void
on_page_changed (InspectorDetailPane *self)
{
  if (self->diff_dirty && diff_page_visible (self))
    show_diff (self);
}

static void
update_plot_fields (InspectorDetailPane *self)
{
  InspectorLogEntry *entry = self->entry;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  GtkWidget *child;
  const char *text;
  gsize len;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->plot_fields_list))) != NULL)
    gtk_list_box_remove (self->plot_fields_list, child);

  if (entry == NULL || inspector_log_entry_get_kind (entry) != INSPECTOR_LOG_KIND_MESSAGE ||
      inspector_log_entry_get_channel (entry) == NULL ||
      (text = inspector_log_entry_get_text (entry, &len)) == NULL ||
      (root = inspector_json_parse (text, (gssize) len, NULL)) == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->plot_button), FALSE);
      return;
    }

  paths = inspector_json_path_list_numeric (root, MAX_PLOT_FIELDS);
  gtk_widget_set_visible (GTK_WIDGET (self->plot_button), paths->len > 0);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *label = gtk_label_new (*path != '\0' ? path : _("(the whole payload)"));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      g_object_set_data_full (G_OBJECT (row), "path", g_strdup (path), g_free);
      gtk_list_box_append (self->plot_fields_list, row);
    }
}

static void
on_plot_field_activated (InspectorDetailPane *self,
                         GtkListBoxRow       *row)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");

  gtk_menu_button_popdown (self->plot_button);

  if (path != NULL && self->entry != NULL)
    g_signal_emit (self, signals[SIGNAL_PLOT_REQUESTED], 0, inspector_log_entry_get_channel (self->entry), path);
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

  update_plot_fields (self);
  self->diff_dirty = TRUE;
  if (diff_page_visible (self))
    show_diff (self);

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
  g_clear_object (&self->log);
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

    case PROP_LOG:
      g_value_set_object (value, self->log);
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

    case PROP_LOG:
      inspector_detail_pane_set_log (self, g_value_get_object (value));
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

  /* The log the entries come from, where the Diff page finds the
   * previous message of a channel. */
  properties[PROP_LOG] =
    g_param_spec_object ("log", NULL, NULL,
                         INSPECTOR_TYPE_LOG_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * InspectorDetailPane::plot-requested:
   * @channel: the channel of the selected message
   * @json_path: a numeric field of it, in inspector_json_path_parse() syntax
   *
   * The user picked a field of the selected message to plot.
   */
  signals[SIGNAL_PLOT_REQUESTED] =
    g_signal_new ("plot-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (ADW_TYPE_STATUS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-detail-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, outer_stack);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, payload_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, metadata_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, frame_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, stack);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, plot_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, plot_fields_list);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, diff_summary);
  gtk_widget_class_bind_template_child (widget_class, InspectorDetailPane, diff_view);
  gtk_widget_class_bind_template_callback (widget_class, on_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_plot_field_activated);

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

  /* Translucent, so that they read in the light and the dark style. */
  gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->diff_view), "added",
                              "paragraph-background-rgba", &(GdkRGBA) { 0.18, 0.76, 0.49, 0.25 },
                              NULL);
  gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->diff_view), "removed",
                              "paragraph-background-rgba", &(GdkRGBA) { 0.88, 0.11, 0.14, 0.25 },
                              NULL);

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

/**
 * inspector_detail_pane_set_log:
 * @log: (nullable): the log the entries come from
 *
 * Without it the Diff page cannot find previous messages.
 */
void
inspector_detail_pane_set_log (InspectorDetailPane *self,
                               InspectorLogStore   *log)
{
  g_return_if_fail (INSPECTOR_IS_DETAIL_PANE (self));
  g_return_if_fail (log == NULL || INSPECTOR_IS_LOG_STORE (log));

  if (!g_set_object (&self->log, log))
    return;

  self->diff_dirty = TRUE;
  if (diff_page_visible (self))
    show_diff (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG]);
}

/**
 * inspector_detail_pane_dup_diff_text:
 *
 * Returns: (transfer full): the Diff page's text, each line prefixed with
 *   `  `, `- ` or `+ `, computed now if the page was not shown since the
 *   entry changed
 */
char *
inspector_detail_pane_dup_diff_text (InspectorDetailPane *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (INSPECTOR_IS_DETAIL_PANE (self), NULL);

  if (self->diff_dirty)
    show_diff (self);

  buffer = gtk_text_view_get_buffer (self->diff_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * inspector_detail_pane_dup_plot_fields:
 *
 * Returns: (transfer full): the numeric fields the Plot button offers for
 *   the selected message; empty when it is hidden
 */
GStrv
inspector_detail_pane_dup_plot_fields (InspectorDetailPane *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (INSPECTOR_IS_DETAIL_PANE (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->plot_fields_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *path = g_object_get_data (G_OBJECT (row), "path");

      if (path != NULL)
        g_strv_builder_add (builder, path);
    }

  return g_strv_builder_end (builder);
}

/**
 * inspector_detail_pane_request_plot:
 * @json_path: one of inspector_detail_pane_dup_plot_fields()
 *
 * What picking @json_path in the Plot button's list does.
 */
void
inspector_detail_pane_request_plot (InspectorDetailPane *self,
                                    const char          *json_path)
{
  g_return_if_fail (INSPECTOR_IS_DETAIL_PANE (self));
  g_return_if_fail (json_path != NULL);

  if (self->entry != NULL && inspector_log_entry_get_channel (self->entry) != NULL)
    g_signal_emit (self, signals[SIGNAL_PLOT_REQUESTED], 0, inspector_log_entry_get_channel (self->entry), json_path);
}

/**
 * inspector_detail_pane_get_log:
 *
 * Returns: (transfer none) (nullable): the log the entries come from
 */
InspectorLogStore *
inspector_detail_pane_get_log (InspectorDetailPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_DETAIL_PANE (self), NULL);

  return self->log;
}
