/* metered-message-event.c: a message published on a subscribed channel
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-message-event"

#include "metered-message-event.h"
#include "metered-client-private.h"

/**
 * MeteredMessageEvent:
 *
 * Emitted by [signal@Metered.Client::message] when another peer publishes
 * on a channel this client subscribed to (a publisher never receives its
 * own messages).
 *
 * The sender's peer id is stamped by the server and can be trusted; the
 * payload and the sender metadata are whatever the sender (or its token's
 * issuer) chose, so validate them.
 *
 * The payload is available both as a #JsonNode
 * ([method@Metered.MessageEvent.get_data]) and as compact JSON text
 * ([method@Metered.MessageEvent.get_data_text]), which is what an application
 * that stores or displays messages needs. The frame parse only checks the
 * payload; its node is built from the text the first time it is asked for
 * and then kept, so handlers that only want the text do not pay for it.
 *
 * The text is the payload's text taken from the received frame, not written
 * again from the node: escapes, number spellings and characters stay as the
 * server sent them, and only whitespace between tokens is dropped. From a
 * server that writes compact JSON (the Metered service, metered-devserver)
 * it is the received bytes exactly.
 *
 * Instances are immutable.
 */
struct _MeteredMessageEvent
{
  GObject     parent_instance;

  char       *channel;
  char       *sender_peer_id;
  char       *data_text;
  JsonObject *sender_metadata;
  JsonNode   *data;        /* built on first use, see get_data() */
};

G_DEFINE_FINAL_TYPE (MeteredMessageEvent, metered_message_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CHANNEL,
  PROP_SENDER_PEER_ID,
  PROP_DATA,
  PROP_DATA_TEXT,
  PROP_SENDER_METADATA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The text passed the frame parse's strict scan, so it is not checked
 * again. Events are read from other threads (the inspector's worker): the
 * first node published wins, and a thread that lost the race drops its
 * own. Not g_once_init_enter(): its g_once_init_leave() makes a futex
 * system call every time, which cost more than building the node. */
static JsonNode *
get_data (MeteredMessageEvent *self)
{
  JsonNode *node = g_atomic_pointer_get (&self->data);

  if (node == NULL)
    {
      node = metered_json_parse_validated (self->data_text);
      if (!g_atomic_pointer_compare_and_exchange (&self->data, NULL, node))
        {
          json_node_unref (node);
          node = g_atomic_pointer_get (&self->data);
        }
    }

  return node;
}

static void
metered_message_event_finalize (GObject *object)
{
  MeteredMessageEvent *self = (MeteredMessageEvent *) object;

  g_clear_pointer (&self->channel, g_free);
  g_clear_pointer (&self->sender_peer_id, g_free);
  g_clear_pointer (&self->data_text, g_free);
  g_clear_pointer (&self->sender_metadata, json_object_unref);
  g_clear_pointer (&self->data, json_node_unref);

  G_OBJECT_CLASS (metered_message_event_parent_class)->finalize (object);
}

static void
metered_message_event_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  MeteredMessageEvent *self = METERED_MESSAGE_EVENT (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      g_value_set_string (value, self->channel);
      break;

    case PROP_SENDER_PEER_ID:
      g_value_set_string (value, self->sender_peer_id);
      break;

    case PROP_DATA:
      g_value_set_boxed (value, metered_message_event_get_data (self));
      break;

    case PROP_DATA_TEXT:
      g_value_set_string (value, self->data_text);
      break;

    case PROP_SENDER_METADATA:
      g_value_set_boxed (value, self->sender_metadata);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_message_event_class_init (MeteredMessageEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_message_event_finalize;
  object_class->get_property = metered_message_event_get_property;

  /**
   * MeteredMessageEvent:channel:
   *
   * The channel the message was published on.
   */
  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredMessageEvent:sender-peer-id:
   *
   * The publisher's peer id, as stamped by the server.
   */
  properties[PROP_SENDER_PEER_ID] =
    g_param_spec_string ("sender-peer-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredMessageEvent:data:
   *
   * The payload, a sealed #JsonNode (possibly a JSON null).
   */
  properties[PROP_DATA] =
    g_param_spec_boxed ("data", NULL, NULL,
                        JSON_TYPE_NODE,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredMessageEvent:data-text:
   *
   * The payload as compact JSON text, as it was in the received frame.
   */
  properties[PROP_DATA_TEXT] =
    g_param_spec_string ("data-text", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredMessageEvent:sender-metadata:
   *
   * The publisher's `peerMetadata`, present only when the subscription asked
   * for it with %METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA and the
   * publisher has some.
   */
  properties[PROP_SENDER_METADATA] =
    g_param_spec_boxed ("sender-metadata", NULL, NULL,
                        JSON_TYPE_OBJECT,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_message_event_init (MeteredMessageEvent *self)
{
}

MeteredMessageEvent *
metered_message_event_new_take (const char *channel,
                                const char *sender_peer_id,
                                char       *data_text,
                                JsonObject *sender_metadata)
{
  MeteredMessageEvent *self;

  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (sender_peer_id != NULL, NULL);
  g_return_val_if_fail (data_text != NULL, NULL);

  self = g_object_new (METERED_TYPE_MESSAGE_EVENT, NULL);
  self->channel = g_strdup (channel);
  self->sender_peer_id = g_strdup (sender_peer_id);
  self->data_text = data_text;
  self->sender_metadata = metered_json_object_ref_sealed (sender_metadata);

  return self;
}

/**
 * metered_message_event_get_channel:
 * @self: a #MeteredMessageEvent
 *
 * Gets the channel the message was published on.
 *
 * Returns: (transfer none): the channel name
 */
const char *
metered_message_event_get_channel (MeteredMessageEvent *self)
{
  g_return_val_if_fail (METERED_IS_MESSAGE_EVENT (self), NULL);

  return self->channel;
}

/**
 * metered_message_event_get_sender_peer_id:
 * @self: a #MeteredMessageEvent
 *
 * Gets the publisher's peer id, as stamped by the server.
 *
 * Returns: (transfer none): the sender's peer id
 */
const char *
metered_message_event_get_sender_peer_id (MeteredMessageEvent *self)
{
  g_return_val_if_fail (METERED_IS_MESSAGE_EVENT (self), NULL);

  return self->sender_peer_id;
}

/**
 * metered_message_event_get_data:
 * @self: a #MeteredMessageEvent
 *
 * Gets the payload. The node is built from the payload's text on the
 * first call (from any thread), then the same node is returned. It is
 * sealed: it cannot be modified.
 *
 * Returns: (transfer none): the payload
 */
JsonNode *
metered_message_event_get_data (MeteredMessageEvent *self)
{
  g_return_val_if_fail (METERED_IS_MESSAGE_EVENT (self), NULL);

  return get_data (self);
}

/**
 * metered_message_event_get_data_text:
 * @self: a #MeteredMessageEvent
 *
 * Gets the payload as compact JSON text, as it was in the received frame
 * (see [class@Metered.MessageEvent]).
 *
 * Returns: (transfer none): the payload's JSON text
 */
const char *
metered_message_event_get_data_text (MeteredMessageEvent *self)
{
  g_return_val_if_fail (METERED_IS_MESSAGE_EVENT (self), NULL);

  return self->data_text;
}

/**
 * metered_message_event_get_sender_metadata:
 * @self: a #MeteredMessageEvent
 *
 * Gets the publisher's `peerMetadata`, when the subscription asked for it.
 * The object is sealed: it cannot be modified.
 *
 * Returns: (transfer none) (nullable): the sender's metadata, or %NULL
 */
JsonObject *
metered_message_event_get_sender_metadata (MeteredMessageEvent *self)
{
  g_return_val_if_fail (METERED_IS_MESSAGE_EVENT (self), NULL);

  return self->sender_metadata;
}
