/* inspector-channel.c: one subscription of the inspector, with its roster
 *
 * Message counters are plain integers bumped per message; the properties
 * views bind to change only in update_stats(), a few times a second, so a
 * busy channel costs the main loop no notifications per message.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-channel"

#include <glib/gi18n.h>

#include "metered-presence-peer.h"

#include "inspector-channel.h"
#include "inspector-enum-types.h"

/* Weight of the newest interval in the smoothed rate. */
#define RATE_SMOOTHING 0.5

struct _InspectorChannel
{
  GObject                parent_instance;

  char                  *name;
  char                  *error;
  GListStore            *roster;
  GHashTable            *peers;           /* peer id → InspectorPeer, borrowed from roster */

  guint64                message_count;
  guint64                pending_count;   /* counted since the last update_stats() */
  guint64                pending_unread;
  double                 rate;
  guint                  unread;

  InspectorChannelState  state;
  guint                  include_sender_metadata : 1;
  guint                  awaiting_snapshot : 1;
  guint                  active : 1;
};

G_DEFINE_FINAL_TYPE (InspectorChannel, inspector_channel, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_INCLUDE_SENDER_METADATA,
  PROP_STATE,
  PROP_STATE_LABEL,
  PROP_ERROR,
  PROP_ROSTER,
  PROP_N_PEERS,
  PROP_MESSAGE_COUNT,
  PROP_RATE,
  PROP_STATS_LABEL,
  PROP_UNREAD,
  PROP_HAS_UNREAD,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
state_label (InspectorChannelState state)
{
  switch (state)
    {
    case INSPECTOR_CHANNEL_STATE_SUBSCRIBING:
      return _("Subscribing…");
    case INSPECTOR_CHANNEL_STATE_SUBSCRIBED:
      return _("Subscribed");
    case INSPECTOR_CHANNEL_STATE_RESTORING:
      return _("Restoring after reconnect…");
    case INSPECTOR_CHANNEL_STATE_RESTORED:
      return _("Restored after reconnect");
    case INSPECTOR_CHANNEL_STATE_FAILED:
      return _("Subscription failed");
    case INSPECTOR_CHANNEL_STATE_OFFLINE:
      return _("Waiting for the connection");
    default:
      return "";
    }
}

static char *
dup_stats_label (InspectorChannel *self)
{
  g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, self->message_count);
  /* Translators: %s is a number of messages */
  g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s message", "%s messages",
                                                         (gulong) MIN (self->message_count, G_MAXULONG)),
                                            number);

  if (self->rate < 0.05)
    return g_steal_pointer (&count);

  /* Translators: a message count, then a rate in messages per second */
  return g_strdup_printf (_("%s · %.1f/s"), count, self->rate);
}

static void
inspector_channel_finalize (GObject *object)
{
  InspectorChannel *self = (InspectorChannel *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_object (&self->roster);

  G_OBJECT_CLASS (inspector_channel_parent_class)->finalize (object);
}

static void
inspector_channel_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  InspectorChannel *self = INSPECTOR_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_INCLUDE_SENDER_METADATA:
      g_value_set_boolean (value, self->include_sender_metadata);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_STATE_LABEL:
      g_value_set_static_string (value, state_label (self->state));
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    case PROP_ROSTER:
      g_value_set_object (value, self->roster);
      break;

    case PROP_N_PEERS:
      g_value_set_uint (value, inspector_channel_get_n_peers (self));
      break;

    case PROP_MESSAGE_COUNT:
      g_value_set_uint64 (value, self->message_count);
      break;

    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;

    case PROP_STATS_LABEL:
      g_value_take_string (value, dup_stats_label (self));
      break;

    case PROP_UNREAD:
      g_value_set_uint (value, self->unread);
      break;

    case PROP_HAS_UNREAD:
      g_value_set_boolean (value, self->unread > 0);
      break;

    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_channel_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  InspectorChannel *self = INSPECTOR_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_INCLUDE_SENDER_METADATA:
      inspector_channel_set_include_sender_metadata (self, g_value_get_boolean (value));
      break;

    case PROP_ACTIVE:
      inspector_channel_set_active (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_channel_class_init (InspectorChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = inspector_channel_finalize;
  object_class->get_property = inspector_channel_get_property;
  object_class->set_property = inspector_channel_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_INCLUDE_SENDER_METADATA] =
    g_param_spec_boolean ("include-sender-metadata", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       INSPECTOR_TYPE_CHANNEL_STATE, INSPECTOR_CHANNEL_STATE_SUBSCRIBING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE_LABEL] =
    g_param_spec_string ("state-label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ROSTER] =
    g_param_spec_object ("roster", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_PEERS] =
    g_param_spec_uint ("n-peers", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MESSAGE_COUNT] =
    g_param_spec_uint64 ("message-count", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL,
                         0, G_MAXDOUBLE, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATS_LABEL] =
    g_param_spec_string ("stats-label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_UNREAD] =
    g_param_spec_uint ("unread", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_HAS_UNREAD] =
    g_param_spec_boolean ("has-unread", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The channel the user is looking at: its messages are not unread. */
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_channel_init (InspectorChannel *self)
{
  self->roster = g_list_store_new (INSPECTOR_TYPE_PEER);
  self->peers = g_hash_table_new (g_str_hash, g_str_equal);
  self->state = INSPECTOR_CHANNEL_STATE_SUBSCRIBING;
  self->awaiting_snapshot = TRUE;
}

InspectorChannel *
inspector_channel_new (const char *name,
                       gboolean    include_sender_metadata)
{
  InspectorChannel *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (INSPECTOR_TYPE_CHANNEL, NULL);
  self->name = g_strdup (name);
  self->include_sender_metadata = !!include_sender_metadata;

  return self;
}

const char *
inspector_channel_get_name (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), NULL);

  return self->name;
}

gboolean
inspector_channel_get_include_sender_metadata (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), FALSE);

  return self->include_sender_metadata;
}

void
inspector_channel_set_include_sender_metadata (InspectorChannel *self,
                                               gboolean          include_sender_metadata)
{
  g_return_if_fail (INSPECTOR_IS_CHANNEL (self));

  include_sender_metadata = !!include_sender_metadata;
  if (self->include_sender_metadata == include_sender_metadata)
    return;

  self->include_sender_metadata = include_sender_metadata;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INCLUDE_SENDER_METADATA]);
}

InspectorChannelState
inspector_channel_get_state (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), INSPECTOR_CHANNEL_STATE_FAILED);

  return self->state;
}

/**
 * inspector_channel_set_state:
 * @error: (nullable): why, for %INSPECTOR_CHANNEL_STATE_FAILED
 *
 * Entering a state that subscribes (again) also expects a fresh presence
 * snapshot, which replaces the roster.
 */
void
inspector_channel_set_state (InspectorChannel      *self,
                             InspectorChannelState  state,
                             const char            *error)
{
  g_return_if_fail (INSPECTOR_IS_CHANNEL (self));

  if (state == INSPECTOR_CHANNEL_STATE_SUBSCRIBING ||
      state == INSPECTOR_CHANNEL_STATE_RESTORING)
    self->awaiting_snapshot = TRUE;

  if (g_strcmp0 (self->error, error) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_LABEL]);
}

const char *
inspector_channel_get_error (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), NULL);

  return self->error;
}

/* Whether the next presence frame is the snapshot that follows a
 * subscribe. */
gboolean
inspector_channel_get_awaiting_snapshot (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), FALSE);

  return self->awaiting_snapshot;
}

/**
 * inspector_channel_get_roster:
 *
 * Returns: (transfer none): the peers in the channel, a list of
 *   #InspectorPeer in the order they were seen
 */
GListModel *
inspector_channel_get_roster (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), NULL);

  return G_LIST_MODEL (self->roster);
}

guint
inspector_channel_get_n_peers (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->roster));
}

/**
 * inspector_channel_find_peer:
 *
 * Returns: (transfer none) (nullable): the peer, if it is in the roster
 */
InspectorPeer *
inspector_channel_find_peer (InspectorChannel *self,
                             const char       *peer_id)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), NULL);
  g_return_val_if_fail (peer_id != NULL, NULL);

  return g_hash_table_lookup (self->peers, peer_id);
}

/* The roster is unknown until the next snapshot. */
void
inspector_channel_reset_roster (InspectorChannel *self)
{
  guint n_peers;

  g_return_if_fail (INSPECTOR_IS_CHANNEL (self));

  n_peers = inspector_channel_get_n_peers (self);
  g_hash_table_remove_all (self->peers);
  g_list_store_remove_all (self->roster);

  if (n_peers > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PEERS]);
}

static void
remove_peer (InspectorChannel *self,
             const char       *peer_id)
{
  InspectorPeer *peer = g_hash_table_lookup (self->peers, peer_id);
  guint position;

  if (peer == NULL)
    return;

  g_hash_table_remove (self->peers, peer_id);
  if (g_list_store_find (self->roster, peer, &position))
    g_list_store_remove (self->roster, position);
}

/**
 * inspector_channel_apply_presence:
 * @joined: (element-type MeteredPresencePeer): peers that joined
 * @left: (element-type MeteredPresencePeer): peers that left
 * @now: wall-clock microseconds, the join time of new peers
 *
 * Applies a presence frame. The first one after a subscribe is the
 * snapshot: it replaces the roster instead of adding to it.
 */
void
inspector_channel_apply_presence (InspectorChannel *self,
                                  GPtrArray        *joined,
                                  GPtrArray        *left,
                                  gint64            now)
{
  guint n_before;

  g_return_if_fail (INSPECTOR_IS_CHANNEL (self));

  n_before = inspector_channel_get_n_peers (self);

  if (self->awaiting_snapshot)
    {
      g_hash_table_remove_all (self->peers);
      g_list_store_remove_all (self->roster);
      self->awaiting_snapshot = FALSE;
    }

  for (guint i = 0; left != NULL && i < left->len; i++)
    remove_peer (self, metered_presence_peer_get_peer_id (g_ptr_array_index (left, i)));

  for (guint i = 0; joined != NULL && i < joined->len; i++)
    {
      MeteredPresencePeer *presence_peer = g_ptr_array_index (joined, i);
      const char *peer_id = metered_presence_peer_get_peer_id (presence_peer);
      g_autoptr(InspectorPeer) peer = NULL;

      /* A peer with several sockets may join twice: the newest metadata wins. */
      remove_peer (self, peer_id);

      peer = inspector_peer_new (peer_id, metered_presence_peer_get_metadata (presence_peer), now);
      g_list_store_append (self->roster, peer);
      g_hash_table_insert (self->peers, (gpointer) inspector_peer_get_peer_id (peer), peer);
    }

  if (inspector_channel_get_n_peers (self) != n_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PEERS]);
}

/* Called per message: no notification here, see update_stats(). */
void
inspector_channel_count_message (InspectorChannel *self)
{
  self->pending_count++;
  if (!self->active)
    self->pending_unread++;
}

/**
 * inspector_channel_update_stats:
 * @elapsed_us: time since the previous call
 *
 * Folds the messages counted since the previous call into the
 * properties, and recomputes the rate.
 */
void
inspector_channel_update_stats (InspectorChannel *self,
                                gint64            elapsed_us)
{
  double rate;
  gboolean had_unread;

  g_return_if_fail (INSPECTOR_IS_CHANNEL (self));

  if (elapsed_us <= 0)
    return;

  rate = self->pending_count * (double) G_USEC_PER_SEC / elapsed_us;
  rate = RATE_SMOOTHING * rate + (1 - RATE_SMOOTHING) * self->rate;
  if (rate < 0.01)
    rate = 0;

  had_unread = self->unread > 0;

  g_object_freeze_notify (G_OBJECT (self));

  if (self->pending_count > 0)
    {
      self->message_count += self->pending_count;
      self->pending_count = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE_COUNT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS_LABEL]);
    }

  if (self->pending_unread > 0)
    {
      self->unread = (guint) MIN (self->unread + self->pending_unread, G_MAXUINT);
      self->pending_unread = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
      if (!had_unread)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_UNREAD]);
    }

  if (rate != self->rate)
    {
      self->rate = rate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS_LABEL]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

guint64
inspector_channel_get_message_count (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), 0);

  return self->message_count;
}

/* Messages per second, smoothed. */
double
inspector_channel_get_rate (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), 0);

  return self->rate;
}

guint
inspector_channel_get_unread (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), 0);

  return self->unread;
}

gboolean
inspector_channel_get_active (InspectorChannel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CHANNEL (self), FALSE);

  return self->active;
}

/* Activating a channel marks its messages read. */
void
inspector_channel_set_active (InspectorChannel *self,
                              gboolean          active)
{
  g_return_if_fail (INSPECTOR_IS_CHANNEL (self));

  active = !!active;
  if (self->active == active)
    return;

  self->active = active;

  if (active && (self->unread > 0 || self->pending_unread > 0))
    {
      gboolean had_unread = self->unread > 0;

      self->unread = 0;
      self->pending_unread = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
      if (had_unread)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_UNREAD]);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}
