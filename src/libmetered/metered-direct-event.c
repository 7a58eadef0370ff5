/* metered-direct-event.c: a message sent to this peer alone
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-direct-event"

#include "metered-direct-event.h"
#include "metered-client-private.h"

/**
 * MeteredDirectEvent:
 *
 * Emitted by [signal@Metered.Client::direct] when another peer sends a
 * message to this peer alone with [method@Metered.Client.send_async]. No
 * channel is involved.
 *
 * The sender's peer id is stamped by the server and can be trusted; the
 * payload and the sender metadata are whatever the sender (or its token's
 * issuer) chose, so validate them.
 *
 * The payload is available both as a #JsonNode
 * ([method@Metered.DirectEvent.get_data]) and as compact JSON text
 * ([method@Metered.DirectEvent.get_data_text]), which is what an application
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
struct _MeteredDirectEvent
{
  GObject     parent_instance;

  char       *sender_peer_id;
  char       *data_text;
  JsonObject *sender_metadata;
  JsonNode   *data;        /* built on first use, see get_data() */
};

G_DEFINE_FINAL_TYPE (MeteredDirectEvent, metered_direct_event, G_TYPE_OBJECT)

enum {
  PROP_0,
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
get_data (MeteredDirectEvent *self)
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
metered_direct_event_finalize (GObject *object)
{
  MeteredDirectEvent *self = (MeteredDirectEvent *) object;

  g_clear_pointer (&self->sender_peer_id, g_free);
  g_clear_pointer (&self->data_text, g_free);
  g_clear_pointer (&self->sender_metadata, json_object_unref);
  g_clear_pointer (&self->data, json_node_unref);

  G_OBJECT_CLASS (metered_direct_event_parent_class)->finalize (object);
}

static void
metered_direct_event_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  MeteredDirectEvent *self = METERED_DIRECT_EVENT (object);

  switch (prop_id)
    {
    case PROP_SENDER_PEER_ID:
      g_value_set_string (value, self->sender_peer_id);
      break;

    case PROP_DATA:
      g_value_set_boxed (value, metered_direct_event_get_data (self));
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
metered_direct_event_class_init (MeteredDirectEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_direct_event_finalize;
  object_class->get_property = metered_direct_event_get_property;

  /**
   * MeteredDirectEvent:sender-peer-id:
   *
   * The sender's peer id, as stamped by the server.
   */
  properties[PROP_SENDER_PEER_ID] =
    g_param_spec_string ("sender-peer-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredDirectEvent:data:
   *
   * The payload, a sealed #JsonNode (possibly a JSON null).
   */
  properties[PROP_DATA] =
    g_param_spec_boxed ("data", NULL, NULL,
                        JSON_TYPE_NODE,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredDirectEvent:data-text:
   *
   * The payload as compact JSON text, as it was in the received frame.
   */
  properties[PROP_DATA_TEXT] =
    g_param_spec_string ("data-text", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredDirectEvent:sender-metadata:
   *
   * The sender's `peerMetadata`, which the server stamps on every direct
   * message when the sender has some.
   */
  properties[PROP_SENDER_METADATA] =
    g_param_spec_boxed ("sender-metadata", NULL, NULL,
                        JSON_TYPE_OBJECT,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_direct_event_init (MeteredDirectEvent *self)
{
}

MeteredDirectEvent *
metered_direct_event_new_take (const char *sender_peer_id,
                               char       *data_text,
                               JsonObject *sender_metadata)
{
  MeteredDirectEvent *self;

  g_return_val_if_fail (sender_peer_id != NULL, NULL);
  g_return_val_if_fail (data_text != NULL, NULL);

  self = g_object_new (METERED_TYPE_DIRECT_EVENT, NULL);
  self->sender_peer_id = g_strdup (sender_peer_id);
  self->data_text = data_text;
  self->sender_metadata = metered_json_object_ref_sealed (sender_metadata);

  return self;
}

/**
 * metered_direct_event_get_sender_peer_id:
 * @self: a #MeteredDirectEvent
 *
 * Gets the sender's peer id, as stamped by the server.
 *
 * Returns: (transfer none): the sender's peer id
 */
const char *
metered_direct_event_get_sender_peer_id (MeteredDirectEvent *self)
{
  g_return_val_if_fail (METERED_IS_DIRECT_EVENT (self), NULL);

  return self->sender_peer_id;
}

/**
 * metered_direct_event_get_data:
 * @self: a #MeteredDirectEvent
 *
 * Gets the payload. The node is built from the payload's text on the
 * first call (from any thread), then the same node is returned. It is
 * sealed: it cannot be modified.
 *
 * Returns: (transfer none): the payload
 */
JsonNode *
metered_direct_event_get_data (MeteredDirectEvent *self)
{
  g_return_val_if_fail (METERED_IS_DIRECT_EVENT (self), NULL);

  return get_data (self);
}

/**
 * metered_direct_event_get_data_text:
 * @self: a #MeteredDirectEvent
 *
 * Gets the payload as compact JSON text, as it was in the received frame
 * (see [class@Metered.DirectEvent]).
 *
 * Returns: (transfer none): the payload's JSON text
 */
const char *
metered_direct_event_get_data_text (MeteredDirectEvent *self)
{
  g_return_val_if_fail (METERED_IS_DIRECT_EVENT (self), NULL);

  return self->data_text;
}

/**
 * metered_direct_event_get_sender_metadata:
 * @self: a #MeteredDirectEvent
 *
 * Gets the sender's `peerMetadata`. The object is sealed: it cannot be
 * modified.
 *
 * Returns: (transfer none) (nullable): the sender's metadata, or %NULL
 */
JsonObject *
metered_direct_event_get_sender_metadata (MeteredDirectEvent *self)
{
  g_return_val_if_fail (METERED_IS_DIRECT_EVENT (self), NULL);

  return self->sender_metadata;
}
