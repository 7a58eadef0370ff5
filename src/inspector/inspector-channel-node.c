/* inspector-channel-node.c: a node of the channel tree: one `/` segment
 *
 * The channels pane groups channel names by their `/` segments: sensors/1
 * and sensors/2 under sensors. A node is a segment; it may be a channel
 * itself, have children, or both (sensors and sensors/1). Its count is
 * the messages of every channel under it. The tree is small and rebuilt
 * when the channel list changes; counts are refreshed by the pane.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-channel-node"

#include "inspector-channel-node.h"

struct _InspectorChannelNode
{
  GObject           parent_instance;

  char             *label;
  char             *path;
  InspectorChannel *channel;
  GListStore       *children;
  guint64           message_count;
};

G_DEFINE_FINAL_TYPE (InspectorChannelNode, inspector_channel_node, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LABEL,
  PROP_PATH,
  PROP_CHANNEL,
  PROP_MESSAGE_COUNT,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
on_channel_notify (InspectorChannelNode *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
inspector_channel_node_dispose (GObject *object)
{
  InspectorChannelNode *self = (InspectorChannelNode *)object;

  inspector_channel_node_set_channel (self, NULL);
  g_clear_object (&self->children);

  G_OBJECT_CLASS (inspector_channel_node_parent_class)->dispose (object);
}

static void
inspector_channel_node_finalize (GObject *object)
{
  InspectorChannelNode *self = (InspectorChannelNode *)object;

  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (inspector_channel_node_parent_class)->finalize (object);
}

static void
inspector_channel_node_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  InspectorChannelNode *self = INSPECTOR_CHANNEL_NODE (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_CHANNEL:
      g_value_set_object (value, self->channel);
      break;

    case PROP_MESSAGE_COUNT:
      g_value_set_uint64 (value, self->message_count);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_channel_node_class_init (InspectorChannelNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = inspector_channel_node_dispose;
  object_class->finalize = inspector_channel_node_finalize;
  object_class->get_property = inspector_channel_node_get_property;

  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL,
                         INSPECTOR_TYPE_CHANNEL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MESSAGE_COUNT] =
    g_param_spec_uint64 ("message-count", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * InspectorChannelNode::changed:
   *
   * Something a row shows changed: the channel's state, roster or
   * counters, or the node's count.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
inspector_channel_node_init (InspectorChannelNode *self)
{
  self->children = g_list_store_new (INSPECTOR_TYPE_CHANNEL_NODE);
}

InspectorChannelNode *
inspector_channel_node_new (const char *label,
                            const char *path)
{
  InspectorChannelNode *self = g_object_new (INSPECTOR_TYPE_CHANNEL_NODE, NULL);

  self->label = g_strdup (label);
  self->path = g_strdup (path);

  return self;
}

const char *
inspector_channel_node_get_label (InspectorChannelNode *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL_NODE (self), NULL);

  return self->label;
}

/* The channel name this node would have: its segments joined by `/`. */
const char *
inspector_channel_node_get_path (InspectorChannelNode *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL_NODE (self), NULL);

  return self->path;
}

/**
 * inspector_channel_node_get_channel:
 *
 * Returns: (transfer none) (nullable): the subscription this node is, if
 *   it is one rather than only a group
 */
InspectorChannel *
inspector_channel_node_get_channel (InspectorChannelNode *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL_NODE (self), NULL);

  return self->channel;
}

void
inspector_channel_node_set_channel (InspectorChannelNode *self,
                                    InspectorChannel     *channel)
{
  g_return_if_fail (INSPECTOR_IS_CHANNEL_NODE (self));

  if (self->channel == channel)
    return;

  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);
  g_set_object (&self->channel, channel);
  if (channel != NULL)
    g_signal_connect_object (channel, "notify", G_CALLBACK (on_channel_notify), self, G_CONNECT_SWAPPED);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/**
 * inspector_channel_node_get_children:
 *
 * Returns: (transfer none): the nodes under this one, sorted by label
 */
GListModel *
inspector_channel_node_get_children (InspectorChannelNode *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL_NODE (self), NULL);

  return G_LIST_MODEL (self->children);
}

static int
compare_labels (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  return g_strcmp0 (INSPECTOR_CHANNEL_NODE ((gpointer) a)->label, INSPECTOR_CHANNEL_NODE ((gpointer) b)->label);
}

/**
 * inspector_channel_node_ensure_child:
 *
 * Returns: (transfer none): the child segment @label, added if missing
 */
InspectorChannelNode *
inspector_channel_node_ensure_child (InspectorChannelNode *self,
                                     const char           *label)
{
  g_autoptr(InspectorChannelNode) child = NULL;
  g_autofree char *path = NULL;
  guint n;

  g_return_val_if_fail (INSPECTOR_IS_CHANNEL_NODE (self), NULL);
  g_return_val_if_fail (label != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->children));
  for (guint i = 0; i < n; i++)
    {
      InspectorChannelNode *existing = g_list_model_get_item (G_LIST_MODEL (self->children), i);

      g_object_unref (existing);
      if (g_str_equal (existing->label, label))
        return existing;
    }

  path = self->path != NULL ? g_strconcat (self->path, "/", label, NULL) : g_strdup (label);
  child = inspector_channel_node_new (label, path);
  g_list_store_insert_sorted (self->children, child, compare_labels, NULL);

  return child;
}

guint64
inspector_channel_node_get_message_count (InspectorChannelNode *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL_NODE (self), 0);

  return self->message_count;
}

/**
 * inspector_channel_node_update_count:
 *
 * Recounts the messages of the channels under this node, itself
 * included, and tells the rows whose count changed.
 *
 * Returns: the count
 */
guint64
inspector_channel_node_update_count (InspectorChannelNode *self)
{
  guint64 count;
  guint n;

  g_return_val_if_fail (INSPECTOR_IS_CHANNEL_NODE (self), 0);

  count = self->channel != NULL ? inspector_channel_get_message_count (self->channel) : 0;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->children));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorChannelNode) child = g_list_model_get_item (G_LIST_MODEL (self->children), i);

      count += inspector_channel_node_update_count (child);
    }

  if (count != self->message_count)
    {
      self->message_count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE_COUNT]);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
    }

  return count;
}

/**
 * inspector_channel_node_build_tree:
 * @channels: a list of #InspectorChannel
 *
 * Returns: (transfer full): a root node (no label, no path) whose
 *   children are the first segments of the channel names
 */
InspectorChannelNode *
inspector_channel_node_build_tree (GListModel *channels)
{
  InspectorChannelNode *root = inspector_channel_node_new (NULL, NULL);
  guint n = g_list_model_get_n_items (channels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorChannel) channel = g_list_model_get_item (channels, i);
      g_auto(GStrv) segments = g_strsplit (inspector_channel_get_name (channel), "/", -1);
      InspectorChannelNode *node = root;

      for (guint j = 0; segments[j] != NULL; j++)
        node = inspector_channel_node_ensure_child (node, segments[j]);

      inspector_channel_node_set_channel (node, channel);
    }

  inspector_channel_node_update_count (root);

  return root;
}
