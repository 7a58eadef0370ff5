/* metered-presence-peer.c: one peer in a presence roster change
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-presence-peer"

#include "metered-presence-peer.h"
#include "metered-client-private.h"

/**
 * MeteredPresencePeer:
 *
 * A peer that joined or left a channel, as listed by a
 * [class@Metered.PresenceEvent].
 *
 * The metadata is the peer's token-asserted `peerMetadata`: the server
 * vouches that the peer's token carried it, but its content is whatever the
 * token's issuer put there, so validate it before display. Peers connected
 * with a publishable key have no metadata.
 *
 * Instances are immutable.
 */
struct _MeteredPresencePeer
{
  GObject     parent_instance;

  char       *peer_id;
  JsonObject *metadata;
};

G_DEFINE_FINAL_TYPE (MeteredPresencePeer, metered_presence_peer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PEER_ID,
  PROP_METADATA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_presence_peer_finalize (GObject *object)
{
  MeteredPresencePeer *self = (MeteredPresencePeer *) object;

  g_clear_pointer (&self->peer_id, g_free);
  g_clear_pointer (&self->metadata, json_object_unref);

  G_OBJECT_CLASS (metered_presence_peer_parent_class)->finalize (object);
}

static void
metered_presence_peer_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  MeteredPresencePeer *self = METERED_PRESENCE_PEER (object);

  switch (prop_id)
    {
    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;

    case PROP_METADATA:
      g_value_set_boxed (value, self->metadata);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_presence_peer_class_init (MeteredPresencePeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_presence_peer_finalize;
  object_class->get_property = metered_presence_peer_get_property;

  /**
   * MeteredPresencePeer:peer-id:
   *
   * The peer's id.
   */
  properties[PROP_PEER_ID] =
    g_param_spec_string ("peer-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredPresencePeer:metadata:
   *
   * The peer's `peerMetadata`, or %NULL when it has none.
   */
  properties[PROP_METADATA] =
    g_param_spec_boxed ("metadata", NULL, NULL,
                        JSON_TYPE_OBJECT,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_presence_peer_init (MeteredPresencePeer *self)
{
}

MeteredPresencePeer *
metered_presence_peer_new (const char *peer_id,
                           JsonObject *metadata)
{
  MeteredPresencePeer *self;

  g_return_val_if_fail (peer_id != NULL, NULL);

  self = g_object_new (METERED_TYPE_PRESENCE_PEER, NULL);
  self->peer_id = g_strdup (peer_id);
  self->metadata = metered_json_object_ref_sealed (metadata);

  return self;
}

/**
 * metered_presence_peer_get_peer_id:
 * @self: a #MeteredPresencePeer
 *
 * Gets the peer's id.
 *
 * Returns: (transfer none): the peer id
 */
const char *
metered_presence_peer_get_peer_id (MeteredPresencePeer *self)
{
  g_return_val_if_fail (METERED_IS_PRESENCE_PEER (self), NULL);

  return self->peer_id;
}

/**
 * metered_presence_peer_get_metadata:
 * @self: a #MeteredPresencePeer
 *
 * Gets the peer's `peerMetadata`. The object is sealed: it cannot be
 * modified.
 *
 * Returns: (transfer none) (nullable): the metadata, or %NULL
 */
JsonObject *
metered_presence_peer_get_metadata (MeteredPresencePeer *self)
{
  g_return_val_if_fail (METERED_IS_PRESENCE_PEER (self), NULL);

  return self->metadata;
}
