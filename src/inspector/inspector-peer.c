/* inspector-peer.c: a peer in a channel's roster
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-peer"

#include "inspector-peer.h"

/* Members a peer's metadata commonly names it by, best first. */
static const char * const name_members[] = { "name", "displayName", "username", "userName", "nick" };

struct _InspectorPeer
{
  GObject  parent_instance;

  char    *peer_id;
  char    *metadata;
  char    *name;
  gint64   joined_at;
};

G_DEFINE_FINAL_TYPE (InspectorPeer, inspector_peer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PEER_ID,
  PROP_METADATA,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_HAS_NAME,
  PROP_JOINED_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
inspector_peer_finalize (GObject *object)
{
  InspectorPeer *self = (InspectorPeer *)object;

  g_clear_pointer (&self->peer_id, g_free);
  g_clear_pointer (&self->metadata, g_free);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (inspector_peer_parent_class)->finalize (object);
}

static void
inspector_peer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  InspectorPeer *self = INSPECTOR_PEER (object);

  switch (prop_id)
    {
    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;

    case PROP_METADATA:
      g_value_set_string (value, self->metadata);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, inspector_peer_get_display_name (self));
      break;

    case PROP_HAS_NAME:
      g_value_set_boolean (value, self->name != NULL);
      break;

    case PROP_JOINED_LABEL:
      g_value_take_string (value, inspector_peer_dup_joined_label (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_peer_class_init (InspectorPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = inspector_peer_finalize;
  object_class->get_property = inspector_peer_get_property;

  properties[PROP_PEER_ID] =
    g_param_spec_string ("peer-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_METADATA] =
    g_param_spec_string ("metadata", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_HAS_NAME] =
    g_param_spec_boolean ("has-name", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_JOINED_LABEL] =
    g_param_spec_string ("joined-label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_peer_init (InspectorPeer *self)
{
}

static char *
dup_name (JsonObject *metadata)
{
  for (guint i = 0; i < G_N_ELEMENTS (name_members); i++)
    {
      JsonNode *node = json_object_get_member (metadata, name_members[i]);
      const char *value;

      if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;

      value = json_node_get_string (node);
      if (value != NULL && g_utf8_validate (value, -1, NULL) && value[0] != '\0')
        return g_strdup (value);
    }

  return NULL;
}

/**
 * inspector_peer_new:
 * @metadata: (nullable): the peer's metadata from presence
 * @joined_at: wall-clock microseconds of the presence frame
 */
InspectorPeer *
inspector_peer_new (const char *peer_id,
                    JsonObject *metadata,
                    gint64      joined_at)
{
  InspectorPeer *self;

  g_return_val_if_fail (peer_id != NULL, NULL);

  self = g_object_new (INSPECTOR_TYPE_PEER, NULL);
  self->peer_id = g_strdup (peer_id);
  self->joined_at = joined_at;

  if (metadata != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), metadata);

      self->metadata = json_to_string (node, FALSE);
      self->name = dup_name (metadata);
    }

  return self;
}

const char *
inspector_peer_get_peer_id (InspectorPeer *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PEER (self), NULL);

  return self->peer_id;
}

/* Compact JSON, or NULL for a peer without metadata. */
const char *
inspector_peer_get_metadata (InspectorPeer *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PEER (self), NULL);

  return self->metadata;
}

/* The name the metadata gives, if any. */
const char *
inspector_peer_get_name (InspectorPeer *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PEER (self), NULL);

  return self->name;
}

const char *
inspector_peer_get_display_name (InspectorPeer *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PEER (self), NULL);

  return self->name != NULL ? self->name : self->peer_id;
}

gint64
inspector_peer_get_joined_at (InspectorPeer *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PEER (self), 0);

  return self->joined_at;
}

char *
inspector_peer_dup_joined_label (InspectorPeer *self)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (INSPECTOR_IS_PEER (self), NULL);

  local = g_date_time_new_from_unix_local (self->joined_at / G_USEC_PER_SEC);

  return local != NULL ? g_date_time_format (local, "%X") : g_strdup ("");
}
