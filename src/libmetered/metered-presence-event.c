/* metered-presence-event.c: peers joined or left a subscribed channel
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-presence-event"

#include "metered-presence-event.h"
#include "metered-presence-peer.h"
#include "metered-client-private.h"

/**
 * MeteredPresenceEvent:
 *
 * Emitted by [signal@Metered.Client::presence] when the roster of a
 * subscribed channel changes.
 *
 * Right after each successful subscribe the server sends one snapshot whose
 * joined list holds every peer already in the channel (it is sent even when
 * the channel is empty), so an application can build its roster from that
 * snapshot and apply the later events as changes.
 *
 * Instances are immutable.
 */
struct _MeteredPresenceEvent
{
  GObject     parent_instance;

  char       *channel;
  GPtrArray  *joined;
  GPtrArray  *left;
  /* The same peers for the properties. */
  GListStore *joined_list;
  GListStore *left_list;
};

G_DEFINE_FINAL_TYPE (MeteredPresenceEvent, metered_presence_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CHANNEL,
  PROP_JOINED,
  PROP_LEFT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_presence_event_finalize (GObject *object)
{
  MeteredPresenceEvent *self = (MeteredPresenceEvent *) object;

  g_clear_pointer (&self->channel, g_free);
  g_clear_pointer (&self->joined, g_ptr_array_unref);
  g_clear_pointer (&self->left, g_ptr_array_unref);
  g_clear_object (&self->joined_list);
  g_clear_object (&self->left_list);

  G_OBJECT_CLASS (metered_presence_event_parent_class)->finalize (object);
}

static void
metered_presence_event_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  MeteredPresenceEvent *self = METERED_PRESENCE_EVENT (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      g_value_set_string (value, self->channel);
      break;

    case PROP_JOINED:
      g_value_set_object (value, self->joined_list);
      break;

    case PROP_LEFT:
      g_value_set_object (value, self->left_list);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_presence_event_class_init (MeteredPresenceEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_presence_event_finalize;
  object_class->get_property = metered_presence_event_get_property;

  /**
   * MeteredPresenceEvent:channel:
   *
   * The channel whose roster changed.
   */
  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredPresenceEvent:joined: (getter get_joined_model)
   *
   * The peers that joined, as a list of [class@Metered.PresencePeer];
   * possibly empty. The list never changes.
   *
   * A list model rather than an array so that every binding can read it
   * (GJS cannot convert a #GPtrArray property) and list widgets can show it.
   * [method@Metered.PresenceEvent.get_joined] gives the same peers as an
   * array.
   */
  properties[PROP_JOINED] =
    g_param_spec_object ("joined", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredPresenceEvent:left: (getter get_left_model)
   *
   * The peers that left, as a list of [class@Metered.PresencePeer];
   * possibly empty. The list never changes.
   *
   * [method@Metered.PresenceEvent.get_left] gives the same peers as an
   * array.
   */
  properties[PROP_LEFT] =
    g_param_spec_object ("left", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_presence_event_init (MeteredPresenceEvent *self)
{
}

static GPtrArray *
peers_from_frame (GPtrArray *frame_peers)
{
  guint n = frame_peers != NULL ? frame_peers->len : 0;
  GPtrArray *peers = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      const MeteredFramePeer *peer = g_ptr_array_index (frame_peers, i);

      g_ptr_array_add (peers, metered_presence_peer_new (peer->peer_id, peer->metadata));
    }

  return peers;
}

static GListStore *
list_from_peers (GPtrArray *peers)
{
  GListStore *list = g_list_store_new (METERED_TYPE_PRESENCE_PEER);

  g_list_store_splice (list, 0, 0, peers->pdata, peers->len);

  return list;
}

/* @joined and @left hold MeteredFramePeer, as parsed by the frame codec. */
MeteredPresenceEvent *
metered_presence_event_new (const char *channel,
                            GPtrArray  *joined,
                            GPtrArray  *left)
{
  MeteredPresenceEvent *self;

  g_return_val_if_fail (channel != NULL, NULL);

  self = g_object_new (METERED_TYPE_PRESENCE_EVENT, NULL);
  self->channel = g_strdup (channel);
  self->joined = peers_from_frame (joined);
  self->left = peers_from_frame (left);
  self->joined_list = list_from_peers (self->joined);
  self->left_list = list_from_peers (self->left);

  return self;
}

/**
 * metered_presence_event_get_channel:
 * @self: a #MeteredPresenceEvent
 *
 * Gets the channel whose roster changed.
 *
 * Returns: (transfer none): the channel name
 */
const char *
metered_presence_event_get_channel (MeteredPresenceEvent *self)
{
  g_return_val_if_fail (METERED_IS_PRESENCE_EVENT (self), NULL);

  return self->channel;
}

/**
 * metered_presence_event_get_joined:
 * @self: a #MeteredPresenceEvent
 *
 * Gets the peers that joined the channel.
 * [method@Metered.PresenceEvent.get_joined_model] gives the same peers as
 * a list model.
 *
 * Returns: (transfer none) (element-type MeteredPresencePeer): the peers,
 *   possibly none
 */
GPtrArray *
metered_presence_event_get_joined (MeteredPresenceEvent *self)
{
  g_return_val_if_fail (METERED_IS_PRESENCE_EVENT (self), NULL);

  return self->joined;
}

/**
 * metered_presence_event_get_left:
 * @self: a #MeteredPresenceEvent
 *
 * Gets the peers that left the channel.
 * [method@Metered.PresenceEvent.get_left_model] gives the same peers as a
 * list model.
 *
 * Returns: (transfer none) (element-type MeteredPresencePeer): the peers,
 *   possibly none
 */
GPtrArray *
metered_presence_event_get_left (MeteredPresenceEvent *self)
{
  g_return_val_if_fail (METERED_IS_PRESENCE_EVENT (self), NULL);

  return self->left;
}

/**
 * metered_presence_event_get_joined_model:
 * @self: a #MeteredPresenceEvent
 *
 * Gets the peers that joined the channel as a list model, for list widgets
 * and for bindings; see [property@Metered.PresenceEvent:joined].
 *
 * Returns: (transfer none): a #GListModel of #MeteredPresencePeer,
 *   possibly empty
 */
GListModel *
metered_presence_event_get_joined_model (MeteredPresenceEvent *self)
{
  g_return_val_if_fail (METERED_IS_PRESENCE_EVENT (self), NULL);

  return G_LIST_MODEL (self->joined_list);
}

/**
 * metered_presence_event_get_left_model:
 * @self: a #MeteredPresenceEvent
 *
 * Gets the peers that left the channel as a list model, for list widgets
 * and for bindings; see [property@Metered.PresenceEvent:left].
 *
 * Returns: (transfer none): a #GListModel of #MeteredPresencePeer,
 *   possibly empty
 */
GListModel *
metered_presence_event_get_left_model (MeteredPresenceEvent *self)
{
  g_return_val_if_fail (METERED_IS_PRESENCE_EVENT (self), NULL);

  return G_LIST_MODEL (self->left_list);
}
