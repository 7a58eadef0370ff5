/* metered-connected-event.c: the server welcomed a connection
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-connected-event"

#include "metered-connected-event.h"
#include "metered-ice-server.h"
#include "metered-client-private.h"

/**
 * MeteredConnectedEvent:
 *
 * Emitted by [signal@Metered.Client::connected] after every `welcome`: the
 * first connect and every reconnect. Use
 * [method@Metered.ConnectedEvent.get_is_reconnect] to tell them apart, for
 * example to show a "reconnected" note only after a drop.
 *
 * Instances are immutable.
 */
struct _MeteredConnectedEvent
{
  GObject     parent_instance;

  char       *peer_id;
  gint64      server_time;
  gint64      expires_at;
  gint64      max_message_size;
  GPtrArray  *ice_servers;
  /* The same servers for the property; NULL when @ice_servers is. */
  GListStore *ice_server_list;
  guint       has_expires_at : 1;
  guint       is_reconnect : 1;
};

G_DEFINE_FINAL_TYPE (MeteredConnectedEvent, metered_connected_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PEER_ID,
  PROP_SERVER_TIME,
  PROP_HAS_EXPIRES_AT,
  PROP_EXPIRES_AT,
  PROP_IS_RECONNECT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_ICE_SERVERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_connected_event_finalize (GObject *object)
{
  MeteredConnectedEvent *self = (MeteredConnectedEvent *) object;

  g_clear_pointer (&self->peer_id, g_free);
  g_clear_pointer (&self->ice_servers, g_ptr_array_unref);
  g_clear_object (&self->ice_server_list);

  G_OBJECT_CLASS (metered_connected_event_parent_class)->finalize (object);
}

static void
metered_connected_event_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  MeteredConnectedEvent *self = METERED_CONNECTED_EVENT (object);

  switch (prop_id)
    {
    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;

    case PROP_SERVER_TIME:
      g_value_set_int64 (value, self->server_time);
      break;

    case PROP_HAS_EXPIRES_AT:
      g_value_set_boolean (value, self->has_expires_at);
      break;

    case PROP_EXPIRES_AT:
      g_value_set_int64 (value, self->has_expires_at ? self->expires_at : 0);
      break;

    case PROP_IS_RECONNECT:
      g_value_set_boolean (value, self->is_reconnect);
      break;

    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_int64 (value, self->max_message_size);
      break;

    case PROP_ICE_SERVERS:
      g_value_set_object (value, self->ice_server_list);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_connected_event_class_init (MeteredConnectedEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_connected_event_finalize;
  object_class->get_property = metered_connected_event_get_property;

  /**
   * MeteredConnectedEvent:peer-id:
   *
   * The peer id the server assigned: the token's `sub` claim, or a fresh
   * random id on every connect with a publishable key.
   */
  properties[PROP_PEER_ID] =
    g_param_spec_string ("peer-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredConnectedEvent:server-time:
   *
   * The server's clock when it sent `welcome`, in Unix seconds; compare it
   * with the local clock to estimate skew.
   */
  properties[PROP_SERVER_TIME] =
    g_param_spec_int64 ("server-time", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredConnectedEvent:has-expires-at:
   *
   * Whether the credential expires: %FALSE for publishable keys.
   */
  properties[PROP_HAS_EXPIRES_AT] =
    g_param_spec_boolean ("has-expires-at", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredConnectedEvent:expires-at:
   *
   * When the token expires, in Unix seconds; 0 when
   * [property@Metered.ConnectedEvent:has-expires-at] is %FALSE.
   */
  properties[PROP_EXPIRES_AT] =
    g_param_spec_int64 ("expires-at", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredConnectedEvent:is-reconnect:
   *
   * %FALSE for the welcome that completed [method@Metered.Client.connect_async],
   * %TRUE for every automatic reconnect after it.
   */
  properties[PROP_IS_RECONNECT] =
    g_param_spec_boolean ("is-reconnect", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredConnectedEvent:max-message-size:
   *
   * The largest serialized payload the server accepts, in bytes.
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_int64 ("max-message-size", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredConnectedEvent:ice-servers: (getter get_ice_servers_model)
   *
   * The validated `iceServers` of the welcome's metadata, as a list of
   * [class@Metered.IceServer], or %NULL when there were none or they failed
   * validation. The list never changes.
   *
   * A list model rather than an array so that every binding can read it
   * (GJS cannot convert a #GPtrArray property) and list widgets can show it.
   * [method@Metered.ConnectedEvent.get_ice_servers] gives the same servers
   * as an array.
   */
  properties[PROP_ICE_SERVERS] =
    g_param_spec_object ("ice-servers", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_connected_event_init (MeteredConnectedEvent *self)
{
}

MeteredConnectedEvent *
metered_connected_event_new (const char *peer_id,
                             gint64      server_time,
                             gboolean    has_expires_at,
                             gint64      expires_at,
                             gboolean    is_reconnect,
                             gint64      max_message_size,
                             GPtrArray  *ice_servers)
{
  MeteredConnectedEvent *self;

  g_return_val_if_fail (peer_id != NULL, NULL);

  self = g_object_new (METERED_TYPE_CONNECTED_EVENT, NULL);
  self->peer_id = g_strdup (peer_id);
  self->server_time = server_time;
  self->has_expires_at = !!has_expires_at;
  self->expires_at = has_expires_at ? expires_at : 0;
  self->is_reconnect = !!is_reconnect;
  self->max_message_size = max_message_size;
  if (ice_servers != NULL)
    {
      self->ice_servers = g_ptr_array_ref (ice_servers);
      self->ice_server_list = g_list_store_new (METERED_TYPE_ICE_SERVER);
      g_list_store_splice (self->ice_server_list, 0, 0, ice_servers->pdata, ice_servers->len);
    }

  return self;
}

/**
 * metered_connected_event_get_peer_id:
 * @self: a #MeteredConnectedEvent
 *
 * Gets the peer id the server assigned to this connection.
 *
 * Returns: (transfer none): the peer id
 */
const char *
metered_connected_event_get_peer_id (MeteredConnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_CONNECTED_EVENT (self), NULL);

  return self->peer_id;
}

/**
 * metered_connected_event_get_server_time:
 * @self: a #MeteredConnectedEvent
 *
 * Gets the server's clock at `welcome`, in Unix seconds.
 *
 * Returns: the server time
 */
gint64
metered_connected_event_get_server_time (MeteredConnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_CONNECTED_EVENT (self), 0);

  return self->server_time;
}

/**
 * metered_connected_event_get_expires_at:
 * @self: a #MeteredConnectedEvent
 * @expires_at: (out) (optional): return location for the expiry, in Unix
 *   seconds, or 0 when there is none
 *
 * Gets when the token expires. Publishable keys never expire.
 *
 * Returns: %TRUE if the credential expires
 */
gboolean
metered_connected_event_get_expires_at (MeteredConnectedEvent *self,
                                        gint64                *expires_at)
{
  g_return_val_if_fail (METERED_IS_CONNECTED_EVENT (self), FALSE);

  if (expires_at != NULL)
    *expires_at = self->expires_at;

  return self->has_expires_at;
}

/**
 * metered_connected_event_get_is_reconnect:
 * @self: a #MeteredConnectedEvent
 *
 * Tells an automatic reconnect from the first connect.
 *
 * Returns: %TRUE for a reconnect
 */
gboolean
metered_connected_event_get_is_reconnect (MeteredConnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_CONNECTED_EVENT (self), FALSE);

  return self->is_reconnect;
}

/**
 * metered_connected_event_get_max_message_size:
 * @self: a #MeteredConnectedEvent
 *
 * Gets the largest serialized payload the server accepts. Larger payloads
 * given to [method@Metered.Client.publish_async] or
 * [method@Metered.Client.send_async] fail locally with
 * %METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD.
 *
 * Returns: the size cap, in bytes
 */
gint64
metered_connected_event_get_max_message_size (MeteredConnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_CONNECTED_EVENT (self), 0);

  return self->max_message_size;
}

/**
 * metered_connected_event_get_ice_servers:
 * @self: a #MeteredConnectedEvent
 *
 * Gets the STUN/TURN servers from the welcome's metadata. They are given
 * only if every entry passed validation (see [class@Metered.IceServer]).
 * [method@Metered.ConnectedEvent.get_ice_servers_model] gives the same
 * servers as a list model.
 *
 * Returns: (transfer none) (nullable) (element-type MeteredIceServer): the
 *   servers, or %NULL when there were none or they failed validation
 */
GPtrArray *
metered_connected_event_get_ice_servers (MeteredConnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_CONNECTED_EVENT (self), NULL);

  return self->ice_servers;
}

/**
 * metered_connected_event_get_ice_servers_model:
 * @self: a #MeteredConnectedEvent
 *
 * Gets the STUN/TURN servers from the welcome's metadata as a list model,
 * for list widgets and for bindings; see
 * [property@Metered.ConnectedEvent:ice-servers].
 *
 * Returns: (transfer none) (nullable): a #GListModel of #MeteredIceServer,
 *   or %NULL when there were none or they failed validation
 */
GListModel *
metered_connected_event_get_ice_servers_model (MeteredConnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_CONNECTED_EVENT (self), NULL);

  return self->ice_server_list != NULL ? G_LIST_MODEL (self->ice_server_list) : NULL;
}
