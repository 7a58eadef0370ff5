/* inspector-channels-pane.c: the sidebar of subscriptions
 *
 * Channels are shown as a tree of their `/` segments (a GtkTreeListModel
 * over InspectorChannelNode), each node with the message count of
 * everything under it; groups collapse. The tree is rebuilt when the
 * channel list changes, keeping what the user collapsed, and recounted
 * when the channels' counters tick (a few times a second).
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-channels-pane"

#include <glib/gi18n.h>

#include "metered-channel.h"

#include "inspector-config.h"

#include "inspector-channel-node.h"
#include "inspector-channels-pane.h"
#include "inspector-enum-types.h"

struct _InspectorChannelsPane
{
  GtkWidget            parent_instance;

  InspectorConnection  *connection;
  InspectorChannelNode *root;
  GtkTreeListModel     *tree;
  GtkSingleSelection   *selection;
  InspectorChannel     *active;
  GHashTable           *collapsed;     /* paths the user collapsed */
  guint                 recount_source;

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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.subscribe",
                                 valid && self->connection != NULL && !inspector_connection_get_offline (self->connection));
}

static void
subscribe_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  InspectorChannelsPane *self = INSPECTOR_CHANNELS_PANE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));

  if (self->connection == NULL || inspector_connection_get_offline (self->connection))
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

static InspectorChannelNode *
row_get_node (GtkTreeListRow *row)
{
  return row != NULL ? gtk_tree_list_row_get_item (row) : NULL;
}

static void
on_selection_changed (InspectorChannelsPane *self)
{
  g_autoptr(InspectorChannelNode) node = row_get_node (gtk_single_selection_get_selected_item (self->selection));
  InspectorChannel *selected = node != NULL ? inspector_channel_node_get_channel (node) : NULL;

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

/* Rows. */

typedef struct {
  GtkTreeExpander *expander;
  GtkImage        *icon;
  GtkLabel        *name;
  GtkLabel        *details;
  GtkLabel        *unread;
  GtkButton       *close;
} RowWidgets;

static void
on_row_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  RowWidgets *widgets = g_new0 (RowWidgets, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  widgets->expander = GTK_TREE_EXPANDER (gtk_tree_expander_new ());
  widgets->icon = GTK_IMAGE (gtk_image_new ());
  widgets->name = GTK_LABEL (gtk_label_new (NULL));
  widgets->details = GTK_LABEL (gtk_label_new (NULL));
  widgets->unread = GTK_LABEL (gtk_label_new (NULL));
  widgets->close = GTK_BUTTON (gtk_button_new_from_icon_name ("window-close-symbolic"));

  gtk_widget_set_hexpand (text, TRUE);
  gtk_label_set_xalign (widgets->name, 0);
  gtk_label_set_ellipsize (widgets->name, PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (widgets->details, 0);
  gtk_label_set_ellipsize (widgets->details, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (widgets->details), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (widgets->details), "dim-label");
  gtk_widget_set_valign (GTK_WIDGET (widgets->unread), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (widgets->unread), "unread-badge");
  gtk_widget_add_css_class (GTK_WIDGET (widgets->unread), "numeric");
  gtk_widget_set_valign (GTK_WIDGET (widgets->close), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (widgets->close), "flat");
  gtk_widget_add_css_class (GTK_WIDGET (widgets->close), "circular");
  gtk_widget_set_tooltip_text (GTK_WIDGET (widgets->close), _("Unsubscribe"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (widgets->close),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Unsubscribe"), -1);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (widgets->close), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (widgets->close), "channels.unsubscribe");

  gtk_box_append (GTK_BOX (text), GTK_WIDGET (widgets->name));
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (widgets->details));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (widgets->icon));
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (widgets->unread));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (widgets->close));
  gtk_tree_expander_set_child (widgets->expander, box);
  gtk_list_item_set_child (item, GTK_WIDGET (widgets->expander));

  g_object_set_data_full (G_OBJECT (item), "row-widgets", widgets, g_free);
}

static void
refresh_row (GtkListItem *item)
{
  RowWidgets *widgets = g_object_get_data (G_OBJECT (item), "row-widgets");
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  g_autoptr(InspectorChannelNode) node = row_get_node (row);
  InspectorChannel *channel;
  guint64 count;
  g_autofree char *number = NULL;
  g_autofree char *details = NULL;

  if (node == NULL || widgets == NULL)
    return;

  channel = inspector_channel_node_get_channel (node);
  count = inspector_channel_node_get_message_count (node);
  gtk_label_set_label (widgets->name, inspector_channel_node_get_label (node));
  gtk_widget_set_tooltip_text (GTK_WIDGET (widgets->name), inspector_channel_node_get_path (node));
  gtk_widget_set_visible (GTK_WIDGET (widgets->close), channel != NULL);

  if (channel != NULL && gtk_tree_list_row_is_expandable (row))
    {
      g_autofree char *own = NULL;
      g_autofree char *stats = NULL;
      InspectorChannelState state = inspector_channel_get_state (channel);

      g_object_get (channel, "stats-label", &stats, NULL);
      own = format_details (NULL, stats, inspector_channel_get_n_peers (channel), state, inspector_channel_get_error (channel));
      number = g_strdup_printf ("%'" G_GUINT64_FORMAT, count);
      /* Translators: the channel's own details, then the messages of it and every channel under it */
      details = g_strdup_printf (_("%s · %s in all"), own, number);
    }
  else if (channel != NULL)
    {
      g_autofree char *stats = NULL;

      g_object_get (channel, "stats-label", &stats, NULL);
      details = format_details (NULL, stats, inspector_channel_get_n_peers (channel),
                                inspector_channel_get_state (channel), inspector_channel_get_error (channel));
    }
  else
    {
      number = g_strdup_printf ("%'" G_GUINT64_FORMAT, count);
      /* Translators: %s is the number of messages of every channel in a group */
      details = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s message", "%s messages",
                                              (gulong) MIN (count, G_MAXULONG)),
                                 number);
    }

  gtk_label_set_label (widgets->details, details);
  gtk_widget_set_tooltip_text (GTK_WIDGET (widgets->details), details);

  if (channel != NULL)
    {
      g_autofree char *icon = state_icon_name (NULL, inspector_channel_get_state (channel));
      g_autofree char *unread = format_unread (NULL, inspector_channel_get_unread (channel));
      g_autofree char *state_label = NULL;

      g_object_get (channel, "state-label", &state_label, NULL);
      gtk_image_set_from_icon_name (widgets->icon, icon);
      gtk_widget_set_tooltip_text (GTK_WIDGET (widgets->icon), state_label);
      gtk_label_set_label (widgets->unread, unread);
      gtk_widget_set_visible (GTK_WIDGET (widgets->unread), inspector_channel_get_unread (channel) > 0);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (widgets->close), "s", inspector_channel_get_name (channel));
    }
  else
    {
      gtk_image_set_from_icon_name (widgets->icon, "folder-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (widgets->icon), NULL);
      gtk_widget_set_visible (GTK_WIDGET (widgets->unread), FALSE);
    }
}

static void
on_row_expanded (GtkTreeListRow        *row,
                 GParamSpec            *pspec,
                 InspectorChannelsPane *self)
{
  g_autoptr(InspectorChannelNode) node = row_get_node (row);

  if (node == NULL || !gtk_tree_list_row_is_expandable (row))
    return;

  if (gtk_tree_list_row_get_expanded (row))
    g_hash_table_remove (self->collapsed, inspector_channel_node_get_path (node));
  else
    g_hash_table_add (self->collapsed, g_strdup (inspector_channel_node_get_path (node)));
}

static void
on_row_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             InspectorChannelsPane    *self)
{
  RowWidgets *widgets = g_object_get_data (G_OBJECT (item), "row-widgets");
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  g_autoptr(InspectorChannelNode) node = row_get_node (row);

  gtk_tree_expander_set_list_row (widgets->expander, row);
  g_signal_connect_object (node, "changed", G_CALLBACK (refresh_row), item, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (on_row_expanded), self, 0);
  refresh_row (item);
}

static void
on_row_unbind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               InspectorChannelsPane    *self)
{
  RowWidgets *widgets = g_object_get_data (G_OBJECT (item), "row-widgets");
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  g_autoptr(InspectorChannelNode) node = row_get_node (row);

  if (node != NULL)
    g_signal_handlers_disconnect_by_data (node, item);
  if (row != NULL)
    g_signal_handlers_disconnect_by_data (row, self);
  gtk_tree_expander_set_list_row (widgets->expander, NULL);
}

/* Tree. */

static GListModel *
create_children (gpointer item,
                 gpointer user_data)
{
  GListModel *children = inspector_channel_node_get_children (item);

  return g_list_model_get_n_items (children) > 0 ? g_object_ref (children) : NULL;
}

/* Selects the row of @channel, or with %NULL the first row that is a
 * channel rather than a group. */
static void
select_channel (InspectorChannelsPane *self,
                InspectorChannel      *channel)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), i);
      g_autoptr(InspectorChannelNode) node = row_get_node (row);

      if (channel != NULL ? inspector_channel_node_get_channel (node) == channel
                          : inspector_channel_node_get_channel (node) != NULL)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }
}

static void
rebuild_tree (InspectorChannelsPane *self)
{
  g_autoptr(InspectorChannel) keep = self->active != NULL ? g_object_ref (self->active) : NULL;
  g_autoptr(InspectorChannelNode) root = NULL;
  GtkTreeListModel *tree;
  guint i = 0;

  if (self->connection != NULL)
    root = inspector_channel_node_build_tree (inspector_connection_get_channels (self->connection));
  else
    root = inspector_channel_node_new (NULL, NULL);

  tree = gtk_tree_list_model_new (g_object_ref (inspector_channel_node_get_children (root)),
                                  FALSE, TRUE, create_children, NULL, NULL);

  /* What the user collapsed stays collapsed; rows after a collapsed one
   * move up, so walk by index. */
  while (i < g_list_model_get_n_items (G_LIST_MODEL (tree)))
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (tree), i);
      g_autoptr(InspectorChannelNode) node = row_get_node (row);

      if (gtk_tree_list_row_is_expandable (row) &&
          g_hash_table_contains (self->collapsed, inspector_channel_node_get_path (node)))
        gtk_tree_list_row_set_expanded (row, FALSE);
      i++;
    }

  g_set_object (&self->root, root);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (tree));
  g_set_object (&self->tree, tree);
  g_object_unref (tree);

  select_channel (self, keep);
}

static gboolean
on_recount (gpointer user_data)
{
  InspectorChannelsPane *self = user_data;

  self->recount_source = 0;
  if (self->root != NULL)
    inspector_channel_node_update_count (self->root);

  return G_SOURCE_REMOVE;
}

static void
schedule_recount (InspectorChannelsPane *self)
{
  if (self->recount_source == 0)
    self->recount_source = g_idle_add_full (G_PRIORITY_LOW, on_recount, self, NULL);
}

static void
on_channels_changed (InspectorChannelsPane *self,
                     guint                  position,
                     guint                  removed,
                     guint                  added,
                     GListModel            *channels)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(InspectorChannel) channel = g_list_model_get_item (channels, i);

      g_signal_connect_object (channel, "notify::message-count", G_CALLBACK (schedule_recount), self, G_CONNECT_SWAPPED);
    }

  rebuild_tree (self);
  update_stack (self);
}

static void
inspector_channels_pane_dispose (GObject *object)
{
  InspectorChannelsPane *self = (InspectorChannelsPane *)object;

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);

  g_clear_handle_id (&self->recount_source, g_source_remove);
  if (self->connection != NULL)
    {
      GListModel *channels = inspector_connection_get_channels (self->connection);
      guint n = g_list_model_get_n_items (channels);

      g_signal_handlers_disconnect_by_data (channels, self);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(InspectorChannel) channel = g_list_model_get_item (channels, i);

          g_signal_handlers_disconnect_by_data (channel, self);
        }
    }

  g_clear_object (&self->active);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->root);
  g_clear_pointer (&self->collapsed, g_hash_table_unref);
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
  g_type_ensure (INSPECTOR_TYPE_CHANNEL_NODE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-channels-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, entry);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, metadata_check);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, error_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, stack);
  gtk_widget_class_bind_template_child (widget_class, InspectorChannelsPane, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);

  gtk_widget_class_install_action (widget_class, "channels.subscribe", NULL, subscribe_action);
  gtk_widget_class_install_action (widget_class, "channels.unsubscribe", "s", unsubscribe_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "channelspane");
}

static void
inspector_channels_pane_init (InspectorChannelsPane *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->collapsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_signal_connect (factory, "setup", G_CALLBACK (on_row_setup), NULL);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_row_bind), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_row_unbind), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed), self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.subscribe", FALSE);
  rebuild_tree (self);
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
  gboolean offline;

  g_return_if_fail (INSPECTOR_IS_CHANNELS_PANE (self));
  g_return_if_fail (connection == NULL || INSPECTOR_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    {
      GListModel *old = inspector_connection_get_channels (self->connection);
      guint n = g_list_model_get_n_items (old);

      g_signal_handlers_disconnect_by_data (old, self);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(InspectorChannel) channel = g_list_model_get_item (old, i);

          g_signal_handlers_disconnect_by_data (channel, self);
        }
    }

  g_set_object (&self->connection, connection);
  g_hash_table_remove_all (self->collapsed);
  channels = connection != NULL ? inspector_connection_get_channels (connection) : NULL;

  if (channels != NULL)
    {
      g_signal_connect_object (channels, "items-changed", G_CALLBACK (on_channels_changed), self, G_CONNECT_SWAPPED);
      on_channels_changed (self, 0, 0, g_list_model_get_n_items (channels), channels);
    }
  else
    rebuild_tree (self);

  /* An imported log is read-only: there is nothing to subscribe with. */
  offline = connection != NULL && inspector_connection_get_offline (connection);
  if (offline)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  gtk_widget_set_sensitive (GTK_WIDGET (self->entry), !offline);
  gtk_widget_set_sensitive (GTK_WIDGET (self->metadata_check), !offline);

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
