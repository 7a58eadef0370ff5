/* metered-dev-registry.c: channels, their subscribers, presence and fan-out
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-registry"

#include "metered-frame-private.h"
#include "metered-dev-registry.h"

typedef struct _Channel Channel;

typedef struct {
  Channel              *channel;
  MeteredDevConnection *connection;
  gboolean              include_sender_metadata;
} Subscription;

/* One peer id present in a channel, however many connections it has there. */
typedef struct {
  char       *peer_id;
  JsonObject *metadata;
  guint       n_connections;
} Member;

struct _Channel {
  char       *name;
  GHashTable *subscribers;   /* MeteredDevConnection * -> Subscription * (owned) */
  GHashTable *members;       /* peer id (owned by the Member) -> Member * (owned) */
};

struct _MeteredDevRegistry
{
  GObject     parent_instance;

  GHashTable *channels;       /* name (owned by the Channel) -> Channel * (owned) */
  /* MeteredDevConnection * (a reference) -> GPtrArray of its Subscription *,
   * in subscription order. */
  GHashTable *by_connection;
};

G_DEFINE_FINAL_TYPE (MeteredDevRegistry, metered_dev_registry, G_TYPE_OBJECT)

static void
member_free (gpointer data)
{
  Member *member = data;

  g_free (member->peer_id);
  g_clear_pointer (&member->metadata, json_object_unref);
  g_free (member);
}

static Channel *
channel_new (const char *name)
{
  Channel *channel = g_new0 (Channel, 1);

  channel->name = g_strdup (name);
  channel->subscribers = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  channel->members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, member_free);

  return channel;
}

static void
channel_free (gpointer data)
{
  Channel *channel = data;

  g_hash_table_unref (channel->subscribers);
  g_hash_table_unref (channel->members);
  g_free (channel->name);
  g_free (channel);
}

static void
metered_dev_registry_finalize (GObject *object)
{
  MeteredDevRegistry *self = (MeteredDevRegistry *)object;

  g_clear_pointer (&self->by_connection, g_hash_table_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);

  G_OBJECT_CLASS (metered_dev_registry_parent_class)->finalize (object);
}

static void
metered_dev_registry_class_init (MeteredDevRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_dev_registry_finalize;
}

static void
metered_dev_registry_init (MeteredDevRegistry *self)
{
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, channel_free);
  self->by_connection = g_hash_table_new_full (NULL, NULL, g_object_unref,
                                               (GDestroyNotify)g_ptr_array_unref);
}

MeteredDevRegistry *
metered_dev_registry_new (void)
{
  return g_object_new (METERED_TYPE_DEV_REGISTRY, NULL);
}

/* Sends @text to every subscriber of @channel except @exclude (those who
 * asked for sender metadata get @text_with_metadata, when there is one).
 * The fan-out's hot loop: the frame was serialized once, and each
 * delivery only appends it to a queue. Nothing a delivery does can change
 * the table under the loop: the transport writes (and reports failures)
 * from its own sources, a peer over its output limit is closed from an
 * idle callback, and virtual peers answer from idle callbacks too. */
static guint
channel_broadcast (Channel              *channel,
                   MeteredDevConnection *exclude,
                   const char           *text,
                   const char           *text_with_metadata)
{
  gsize length = strlen (text);
  gsize length_with_metadata = text_with_metadata != NULL ? strlen (text_with_metadata) : 0;
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, channel->subscribers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Subscription *subscription = value;
      gboolean open;

      if (subscription->connection == exclude)
        continue;

      if (subscription->include_sender_metadata && text_with_metadata != NULL)
        open = metered_dev_connection_send_text_len (subscription->connection,
                                                     text_with_metadata, length_with_metadata);
      else
        open = metered_dev_connection_send_text_len (subscription->connection, text, length);

      n += open;
    }

  return n;
}

static char *
build_snapshot (Channel              *channel,
                MeteredDevConnection *connection)
{
  g_autoptr(GPtrArray) joined = g_ptr_array_new_with_free_func ((GDestroyNotify)metered_frame_peer_free);
  const char *peer_id = metered_dev_connection_get_peer_id (connection);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, channel->members);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Member *member = value;

      if (!g_str_equal (member->peer_id, peer_id))
        g_ptr_array_add (joined, metered_frame_peer_new (member->peer_id, member->metadata));
    }

  return metered_frame_build_presence (channel->name, joined, NULL);
}

char *
metered_dev_registry_subscribe (MeteredDevRegistry   *self,
                                MeteredDevConnection *connection,
                                const char           *name,
                                gboolean              include_sender_metadata,
                                guint                 max_channels)
{
  const MeteredDevIdentity *identity;
  Subscription *subscription;
  GPtrArray *subscriptions;
  Channel *channel;
  Member *member;

  g_return_val_if_fail (METERED_IS_DEV_REGISTRY (self), NULL);
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (connection), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  channel = g_hash_table_lookup (self->channels, name);
  subscription = channel != NULL ? g_hash_table_lookup (channel->subscribers, connection) : NULL;

  /* Subscribing again only updates the flag; the peer is already there. */
  if (subscription != NULL)
    {
      subscription->include_sender_metadata = include_sender_metadata;
      return build_snapshot (channel, connection);
    }

  subscriptions = g_hash_table_lookup (self->by_connection, connection);
  if (max_channels > 0 && subscriptions != NULL && subscriptions->len >= max_channels)
    return NULL;

  if (subscriptions == NULL)
    {
      subscriptions = g_ptr_array_new ();
      g_hash_table_insert (self->by_connection, g_object_ref (connection), subscriptions);
    }

  if (channel == NULL)
    {
      channel = channel_new (name);
      g_hash_table_insert (self->channels, channel->name, channel);
    }

  subscription = g_new0 (Subscription, 1);
  subscription->channel = channel;
  subscription->connection = connection;
  subscription->include_sender_metadata = include_sender_metadata;
  g_hash_table_insert (channel->subscribers, connection, subscription);
  g_ptr_array_add (subscriptions, subscription);

  identity = metered_dev_connection_get_identity (connection);
  member = g_hash_table_lookup (channel->members, identity->peer_id);
  if (member != NULL)
    {
      member->n_connections++;
    }
  else
    {
      g_autoptr(GPtrArray) joined = g_ptr_array_new_with_free_func ((GDestroyNotify)metered_frame_peer_free);
      g_autofree char *delta = NULL;

      member = g_new0 (Member, 1);
      member->peer_id = g_strdup (identity->peer_id);
      member->metadata = identity->peer_metadata != NULL ? json_object_ref (identity->peer_metadata) : NULL;
      member->n_connections = 1;
      g_hash_table_insert (channel->members, member->peer_id, member);

      g_ptr_array_add (joined, metered_frame_peer_new (member->peer_id, member->metadata));
      delta = metered_frame_build_presence (channel->name, joined, NULL);
      channel_broadcast (channel, connection, delta, NULL);
    }

  return build_snapshot (channel, connection);
}

/* Removes @subscription from its channel (not from the connection's list),
 * announcing the peer's departure when it was its last connection there. */
static void
remove_from_channel (MeteredDevRegistry *self,
                     Subscription       *subscription)
{
  Channel *channel = subscription->channel;
  const char *peer_id = metered_dev_connection_get_peer_id (subscription->connection);
  Member *member;

  g_hash_table_remove (channel->subscribers, subscription->connection);

  member = g_hash_table_lookup (channel->members, peer_id);
  g_assert (member != NULL);

  if (--member->n_connections == 0)
    {
      g_autoptr(GPtrArray) left = g_ptr_array_new_with_free_func ((GDestroyNotify)metered_frame_peer_free);
      g_autofree char *delta = NULL;

      /* `left` entries carry the peer id only (protocol §4.6). */
      g_ptr_array_add (left, metered_frame_peer_new (peer_id, NULL));
      g_hash_table_remove (channel->members, peer_id);

      if (g_hash_table_size (channel->subscribers) > 0)
        {
          delta = metered_frame_build_presence (channel->name, NULL, left);
          channel_broadcast (channel, NULL, delta, NULL);
        }
    }

  if (g_hash_table_size (channel->subscribers) == 0)
    g_hash_table_remove (self->channels, channel->name);
}

gboolean
metered_dev_registry_unsubscribe (MeteredDevRegistry   *self,
                                  MeteredDevConnection *connection,
                                  const char           *name)
{
  Subscription *subscription;
  GPtrArray *subscriptions;
  Channel *channel;

  g_return_val_if_fail (METERED_IS_DEV_REGISTRY (self), FALSE);
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (connection), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  channel = g_hash_table_lookup (self->channels, name);
  if (channel == NULL)
    return FALSE;

  subscription = g_hash_table_lookup (channel->subscribers, connection);
  if (subscription == NULL)
    return FALSE;

  subscriptions = g_hash_table_lookup (self->by_connection, connection);
  g_ptr_array_remove (subscriptions, subscription);

  /* Keep the connection referenced until its last subscription is gone. */
  g_object_ref (connection);
  if (subscriptions->len == 0)
    g_hash_table_remove (self->by_connection, connection);

  remove_from_channel (self, subscription);
  g_object_unref (connection);

  return TRUE;
}

void
metered_dev_registry_remove_connection (MeteredDevRegistry   *self,
                                        MeteredDevConnection *connection)
{
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(MeteredDevConnection) hold = NULL;

  g_return_if_fail (METERED_IS_DEV_REGISTRY (self));
  g_return_if_fail (METERED_IS_DEV_CONNECTION (connection));

  if (!g_hash_table_steal_extended (self->by_connection, connection,
                                    (gpointer *)&hold, (gpointer *)&subscriptions))
    return;

  for (guint i = 0; i < subscriptions->len; i++)
    remove_from_channel (self, g_ptr_array_index (subscriptions, i));
}

guint
metered_dev_registry_publish (MeteredDevRegistry   *self,
                              const char           *name,
                              MeteredDevConnection *exclude,
                              const char           *from,
                              const char           *data_json,
                              const char           *from_metadata_json)
{
  g_autofree char *text = NULL;
  g_autofree char *text_with_metadata = NULL;
  GHashTableIter iter;
  gpointer value;
  Channel *channel;

  g_return_val_if_fail (METERED_IS_DEV_REGISTRY (self), 0);
  g_return_val_if_fail (name != NULL, 0);
  g_return_val_if_fail (from != NULL, 0);
  g_return_val_if_fail (data_json != NULL, 0);

  channel = g_hash_table_lookup (self->channels, name);
  if (channel == NULL)
    return 0;

  text = metered_frame_build_message (channel->name, from, data_json, NULL);

  /* The second variant is built only if someone asked for it. */
  if (from_metadata_json != NULL)
    {
      g_hash_table_iter_init (&iter, channel->subscribers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Subscription *subscription = value;

          if (subscription->include_sender_metadata && subscription->connection != exclude)
            {
              text_with_metadata = metered_frame_build_message (channel->name, from, data_json,
                                                                from_metadata_json);
              break;
            }
        }
    }

  return channel_broadcast (channel, exclude, text, text_with_metadata);
}

GPtrArray *
metered_dev_registry_list_peers (MeteredDevRegistry *self,
                                 const char         *name)
{
  GPtrArray *peers = g_ptr_array_new_with_free_func ((GDestroyNotify)metered_frame_peer_free);
  GHashTableIter iter;
  gpointer value;
  Channel *channel;

  g_return_val_if_fail (METERED_IS_DEV_REGISTRY (self), peers);
  g_return_val_if_fail (name != NULL, peers);

  channel = g_hash_table_lookup (self->channels, name);
  if (channel == NULL)
    return peers;

  g_hash_table_iter_init (&iter, channel->members);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Member *member = value;

      g_ptr_array_add (peers, metered_frame_peer_new (member->peer_id, member->metadata));
    }

  return peers;
}

GPtrArray *
metered_dev_registry_list_channels (MeteredDevRegistry   *self,
                                    MeteredDevConnection *connection)
{
  GPtrArray *names = g_ptr_array_new ();
  GPtrArray *subscriptions;

  g_return_val_if_fail (METERED_IS_DEV_REGISTRY (self), names);

  subscriptions = g_hash_table_lookup (self->by_connection, connection);
  if (subscriptions == NULL)
    return names;

  for (guint i = 0; i < subscriptions->len; i++)
    {
      Subscription *subscription = g_ptr_array_index (subscriptions, i);

      g_ptr_array_add (names, subscription->channel->name);
    }

  return names;
}

GPtrArray *
metered_dev_registry_list_subscribers (MeteredDevRegistry *self,
                                       const char         *name)
{
  GPtrArray *connections = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;
  Channel *channel;

  g_return_val_if_fail (METERED_IS_DEV_REGISTRY (self), connections);
  g_return_val_if_fail (name != NULL, connections);

  channel = g_hash_table_lookup (self->channels, name);
  if (channel == NULL)
    return connections;

  g_hash_table_iter_init (&iter, channel->subscribers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (connections, g_object_ref (key));

  return connections;
}

guint
metered_dev_registry_get_n_channels (MeteredDevRegistry *self)
{
  g_return_val_if_fail (METERED_IS_DEV_REGISTRY (self), 0);

  return g_hash_table_size (self->channels);
}
