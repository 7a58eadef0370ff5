/* inspector-connection.c: one connection of the inspector, as models
 *
 * Owns the MeteredClient (and, for the sandbox, the local server) and
 * turns what happens on it into models the window binds to: the channel
 * list with rosters and counters, the connection's state and welcome
 * details, and the message log. Widgets never see the client.
 *
 * Work per message is kept to a hash lookup, two counter increments and
 * one append to the log store; everything a view shows is folded in a few
 * times a second (channel counters) or once per frame (the log).
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-connection"

#include <string.h>

#include <glib/gi18n.h>

#include <metered.h>
#include "metered-client-private.h"

#include "inspector-connection.h"
#include "inspector-error.h"
#include "inspector-json.h"

#define STATS_INTERVAL_MS 250
#define SANDBOX_ECHO_PEER "echo"
#define HIDDEN_VALUE      "[hidden]"

struct _InspectorConnection
{
  GObject                  parent_instance;

  InspectorConnectOptions *options;     /* as the user chose them */
  InspectorConnectOptions *effective;   /* the sandbox resolved */
  InspectorSandbox        *sandbox;
  MeteredClient           *client;
  GCancellable            *cancellable;

  InspectorLogStore       *log;
  GListStore              *channels;
  GHashTable              *channel_index;  /* name → InspectorChannel, borrowed */
  GHashTable              *direct_peers;   /* peer ids that sent directs */

  char                    *label;
  char                    *url;
  char                    *peer_id;
  char                    *ice_servers;
  char                    *last_error;
  MeteredClientState       state;
  guint                    reconnect_attempt;
  gint64                   next_attempt_time;
  gint64                   clock_skew;
  gint64                   expires_at;
  gint64                   max_message_size;

  /* The frame being dispatched; valid only inside the client's signal
   * emission for it (see on_frame). */
  const char              *current_frame;
  char                    *captured_frame;

  guint                    stats_source;
  gint64                   stats_time;

  guint                    started : 1;
  guint                    offline : 1;
  guint                    capturing : 1;
  guint                    user_closed : 1;
};

G_DEFINE_FINAL_TYPE (InspectorConnection, inspector_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LABEL,
  PROP_URL,
  PROP_IS_SANDBOX,
  PROP_STATE,
  PROP_RECONNECT_ATTEMPT,
  PROP_NEXT_ATTEMPT_TIME,
  PROP_PEER_ID,
  PROP_CLOCK_SKEW,
  PROP_EXPIRES_AT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_ICE_SERVERS,
  PROP_LAST_ERROR,
  PROP_CHANNELS,
  PROP_LOG,
  PROP_OFFLINE,
  N_PROPS
};

enum {
  SIGNAL_NOTICE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct {
  InspectorConnection *self;
  InspectorLogKind     kind;
  char                *target;
  guint64              seq;
  gint64               started;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->self);
  g_free (request->target);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

/**
 * inspector_client_state_to_label:
 *
 * Returns: the state in words, for the connection header and the log
 */
const char *
inspector_client_state_to_label (MeteredClientState state)
{
  switch (state)
    {
    case METERED_CLIENT_STATE_IDLE:
      return _("Idle");
    case METERED_CLIENT_STATE_CONNECTING:
      return _("Connecting");
    case METERED_CLIENT_STATE_CONNECTED:
      return _("Connected");
    case METERED_CLIENT_STATE_RECONNECTING:
      return _("Reconnecting");
    case METERED_CLIENT_STATE_CLOSED:
      return _("Closed");
    default:
      return _("Unknown");
    }
}

/**
 * inspector_describe_error:
 *
 * Says what went wrong in words: server error codes and close codes get
 * their meaning, never just a number.
 *
 * Returns: (transfer full): the description
 */
char *
inspector_describe_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == METERED_SERVER_ERROR)
    /* Translators: a server error code, then what it means */
    return g_strdup_printf (_("%s: %s"),
                            metered_server_error_get_code (error) != NULL ? metered_server_error_get_code (error) : "error",
                            metered_server_error_describe (error->code));

  /* The client's close errors already put the code's meaning first. */
  return g_strdup (error->message);
}

static void
set_string (InspectorConnection  *self,
            char                **field,
            const char           *value,
            guint                 prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_int64 (InspectorConnection *self,
           gint64              *field,
           gint64               value,
           guint                prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
notice (InspectorConnection *self,
        const char          *message,
        gboolean             persistent)
{
  g_signal_emit (self, signals[SIGNAL_NOTICE], 0, message, persistent);
}

/* Takes the frame being dispatched, at most once. */
static const char *
take_frame (InspectorConnection *self)
{
  return g_steal_pointer (&self->current_frame);
}

static guint64
log_event (InspectorConnection *self,
           InspectorLogKind     kind,
           const char          *channel,
           const char          *peer,
           const char          *text,
           const char          *note,
           const char          *frame)
{
  return inspector_log_store_append (self->log, kind, channel, peer, text, -1, NULL, note, frame);
}

static char *
dup_json_object_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;
  GString *out = g_string_new (NULL);

  node = json_node_init_object (json_node_alloc (), object);
  metered_json_append_node (out, node);

  return g_string_free (out, FALSE);
}

/* Channels. */

static void
stats_tick (InspectorConnection *self)
{
  gint64 now = g_get_monotonic_time ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorChannel) channel = g_list_model_get_item (G_LIST_MODEL (self->channels), i);

      inspector_channel_update_stats (channel, now - self->stats_time);
    }

  self->stats_time = now;
}

static gboolean
on_stats_timeout (gpointer user_data)
{
  stats_tick (user_data);

  return G_SOURCE_CONTINUE;
}

static InspectorChannel *
add_channel (InspectorConnection *self,
             const char          *name,
             gboolean             include_sender_metadata)
{
  InspectorChannel *channel = g_hash_table_lookup (self->channel_index, name);

  if (channel != NULL)
    {
      inspector_channel_set_include_sender_metadata (channel, include_sender_metadata);
      return channel;
    }

  channel = inspector_channel_new (name, include_sender_metadata);
  inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_OFFLINE, NULL);
  g_hash_table_insert (self->channel_index, (gpointer) inspector_channel_get_name (channel), channel);
  g_list_store_append (self->channels, channel);
  g_object_unref (channel);

  return channel;
}

static void
remove_channel (InspectorConnection *self,
                InspectorChannel    *channel)
{
  guint position;

  g_hash_table_remove (self->channel_index, inspector_channel_get_name (channel));
  if (g_list_store_find (self->channels, channel, &position))
    g_list_store_remove (self->channels, position);
}

/* Requests: each one is a log row first, completed by the answer. */

static void
on_frame (MeteredClient *client,
          gboolean       outgoing,
          const char    *text,
          gpointer       user_data)
{
  InspectorConnection *self = user_data;

  /* Incoming frames are dispatched (and their event emitted) right after
   * this call, while @text is alive: handlers take it from there instead
   * of copying every frame here. Our own requests are captured while we
   * make them. */
  if (!outgoing)
    self->current_frame = text;
  else if (self->capturing)
    {
      g_free (self->captured_frame);
      self->captured_frame = g_strdup (text);
    }
}

static void
begin_capture (InspectorConnection *self)
{
  g_clear_pointer (&self->captured_frame, g_free);
  self->capturing = TRUE;
}

static char *
end_capture (InspectorConnection *self)
{
  self->capturing = FALSE;

  return g_steal_pointer (&self->captured_frame);
}

static Request *
request_new (InspectorConnection *self,
             InspectorLogKind     kind,
             const char          *target)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->kind = kind;
  request->target = g_strdup (target);
  request->started = g_get_monotonic_time ();

  return request;
}

/* Returns the round trip in microseconds. */
static gint64
request_complete (Request      *request,
                  const GError *error)
{
  InspectorConnection *self = request->self;
  gint64 rtt = g_get_monotonic_time () - request->started;

  if (error == NULL)
    {
      inspector_log_store_set_status (self->log, request->seq, INSPECTOR_LOG_STATUS_ACKED, rtt, NULL);
    }
  else
    {
      g_autofree char *description = inspector_describe_error (error);

      inspector_log_store_set_status (self->log, request->seq, INSPECTOR_LOG_STATUS_FAILED, 0, description);
    }

  return rtt;
}

static void
on_subscribe_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;
  InspectorChannel *channel;

  metered_client_subscribe_finish (METERED_CLIENT (source), result, &error);
  request_complete (request, error);

  channel = g_hash_table_lookup (request->self->channel_index, request->target);
  if (channel == NULL)
    return;

  if (error == NULL)
    {
      if (inspector_channel_get_state (channel) == INSPECTOR_CHANNEL_STATE_SUBSCRIBING)
        inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_SUBSCRIBED, NULL);
    }
  else if (!g_error_matches (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED))
    {
      g_autofree char *description = inspector_describe_error (error);

      inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_FAILED, description);
    }
}

static void
send_subscribe (InspectorConnection *self,
                InspectorChannel    *channel)
{
  const char *name = inspector_channel_get_name (channel);
  gboolean include_metadata = inspector_channel_get_include_sender_metadata (channel);
  Request *request = request_new (self, INSPECTOR_LOG_KIND_SUBSCRIBE, name);
  g_autofree char *frame = NULL;

  inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_SUBSCRIBING, NULL);

  begin_capture (self);
  metered_client_subscribe_async (self->client, name,
                                  include_metadata ? METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA
                                                   : METERED_SUBSCRIBE_FLAGS_NONE,
                                  self->cancellable, on_subscribe_done, request);
  frame = end_capture (self);

  /* The callback never runs before this: GTask defers it to a later
   * main loop iteration. */
  request->seq = log_event (self, INSPECTOR_LOG_KIND_SUBSCRIBE, name, NULL, NULL,
                            include_metadata ? _("with sender metadata") : NULL, frame);
  inspector_log_store_set_status (self->log, request->seq, INSPECTOR_LOG_STATUS_PENDING, 0, NULL);
}

static void
on_unsubscribe_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;

  metered_client_unsubscribe_finish (METERED_CLIENT (source), result, &error);
  request_complete (request, error);
}

static void
on_payload_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;
  gint64 rtt;

  if (request->kind == INSPECTOR_LOG_KIND_PUBLISH)
    ok = metered_client_publish_text_finish (METERED_CLIENT (source), result, &error);
  else
    ok = metered_client_send_text_finish (METERED_CLIENT (source), result, &error);

  rtt = request_complete (request, error);

  if (ok)
    g_task_return_int (task, rtt);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* Compact, as the client sends it, so the log shows what went out; text
 * that is not JSON is logged as typed and fails in the client. */
static char *
dup_compact_json (const char *json)
{
  g_autoptr(JsonNode) root = NULL;
  GString *out;

  if ((root = inspector_json_parse (json, -1, NULL)) == NULL)
    return g_strdup (json);

  out = g_string_new (NULL);
  metered_json_append_node (out, root);

  return g_string_free (out, FALSE);
}

static void
send_payload (InspectorConnection *self,
              InspectorLogKind     kind,
              const char          *target,
              const char          *json,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *frame = NULL;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  request = request_new (self, kind, target);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  if (self->client == NULL)
    {
      g_task_return_new_error (task, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED,
                               _("Not connected"));
      return;
    }

  compact = dup_compact_json (json);

  begin_capture (self);
  if (kind == INSPECTOR_LOG_KIND_PUBLISH)
    metered_client_publish_text_async (self->client, target, json, cancellable,
                                       on_payload_done, g_object_ref (task));
  else
    metered_client_send_text_async (self->client, target, json, cancellable,
                                    on_payload_done, g_object_ref (task));
  frame = end_capture (self);

  if (kind == INSPECTOR_LOG_KIND_PUBLISH)
    request->seq = log_event (self, kind, target, self->peer_id, compact, NULL, frame);
  else
    request->seq = log_event (self, kind, NULL, target, compact, NULL, frame);
  inspector_log_store_set_status (self->log, request->seq, INSPECTOR_LOG_STATUS_PENDING, 0, NULL);
}

/* Client events. */

static void
mark_channels (InspectorConnection   *self,
               InspectorChannelState  state,
               const char            *error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorChannel) channel = g_list_model_get_item (G_LIST_MODEL (self->channels), i);

      if (inspector_channel_get_state (channel) != INSPECTOR_CHANNEL_STATE_FAILED)
        inspector_channel_set_state (channel, state, error);
    }
}

static void
subscribe_all (InspectorConnection *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));

  for (guint i = 0; i < n && self->state == METERED_CLIENT_STATE_CONNECTED; i++)
    {
      g_autoptr(InspectorChannel) channel = g_list_model_get_item (G_LIST_MODEL (self->channels), i);

      send_subscribe (self, channel);
    }
}

static void
on_state_changed (InspectorConnection *self,
                  MeteredClientState   from,
                  MeteredClientState   to,
                  MeteredClient       *client)
{
  g_autofree char *note = NULL;

  note = g_strdup_printf ("%s → %s", inspector_client_state_to_label (from), inspector_client_state_to_label (to));
  log_event (self, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, note, NULL);

  self->state = to;

  g_object_freeze_notify (G_OBJECT (self));

  if (to != METERED_CLIENT_STATE_RECONNECTING)
    set_int64 (self, &self->next_attempt_time, 0, PROP_NEXT_ATTEMPT_TIME);
  if (to == METERED_CLIENT_STATE_CONNECTED)
    {
      set_string (self, &self->last_error, NULL, PROP_LAST_ERROR);
      if (self->reconnect_attempt != 0)
        {
          self->reconnect_attempt = 0;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_ATTEMPT]);
        }
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_reconnect_scheduled (MeteredClient *client,
                        guint          attempt,
                        double         delay,
                        gpointer       user_data)
{
  InspectorConnection *self = user_data;
  g_autofree char *note = NULL;

  /* Translators: a reconnect attempt number, then its delay in seconds */
  note = g_strdup_printf (_("Reconnect attempt %u in %.1f s"), attempt, delay);
  log_event (self, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, note, NULL);

  g_object_freeze_notify (G_OBJECT (self));
  self->reconnect_attempt = attempt;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_ATTEMPT]);
  set_int64 (self, &self->next_attempt_time,
             g_get_monotonic_time () + (gint64) (delay * G_USEC_PER_SEC), PROP_NEXT_ATTEMPT_TIME);
  g_object_thaw_notify (G_OBJECT (self));
}

static char *
dup_ice_summary (GPtrArray *ice_servers)
{
  GString *summary = g_string_new (NULL);

  for (guint i = 0; ice_servers != NULL && i < ice_servers->len; i++)
    {
      const char * const *urls = metered_ice_server_get_urls (g_ptr_array_index (ice_servers, i));

      for (guint j = 0; urls != NULL && urls[j] != NULL; j++)
        {
          if (summary->len > 0)
            g_string_append (summary, ", ");
          g_string_append (summary, urls[j]);
        }
    }

  return g_string_free (summary, FALSE);
}

/* The welcome's details for the log, with TURN credentials left out. */
static char *
dup_welcome_text (MeteredConnectedEvent *event)
{
  GPtrArray *ice_servers = metered_connected_event_get_ice_servers (event);
  GString *out = g_string_new ("{\"peerId\":");
  gint64 expires_at;

  metered_json_append_string (out, metered_connected_event_get_peer_id (event));
  g_string_append_printf (out, ",\"serverTime\":%" G_GINT64_FORMAT, metered_connected_event_get_server_time (event));
  if (metered_connected_event_get_expires_at (event, &expires_at))
    g_string_append_printf (out, ",\"expiresAt\":%" G_GINT64_FORMAT, expires_at);
  else
    g_string_append (out, ",\"expiresAt\":null");
  g_string_append_printf (out, ",\"maxMessageSize\":%" G_GINT64_FORMAT ",\"isReconnect\":%s,\"iceServers\":[",
                          metered_connected_event_get_max_message_size (event),
                          metered_connected_event_get_is_reconnect (event) ? "true" : "false");

  for (guint i = 0; ice_servers != NULL && i < ice_servers->len; i++)
    {
      MeteredIceServer *server = g_ptr_array_index (ice_servers, i);
      const char * const *urls = metered_ice_server_get_urls (server);

      g_string_append (out, i > 0 ? ",{\"urls\":[" : "{\"urls\":[");
      for (guint j = 0; urls != NULL && urls[j] != NULL; j++)
        {
          if (j > 0)
            g_string_append_c (out, ',');
          metered_json_append_string (out, urls[j]);
        }
      g_string_append_c (out, ']');
      if (metered_ice_server_get_username (server) != NULL)
        {
          g_string_append (out, ",\"username\":");
          metered_json_append_string (out, metered_ice_server_get_username (server));
        }
      if (metered_ice_server_get_credential (server) != NULL)
        g_string_append (out, ",\"credential\":\"" HIDDEN_VALUE "\"");
      g_string_append_c (out, '}');
    }

  g_string_append (out, "]}");

  return g_string_free (out, FALSE);
}

/* A copy of @object (members in order, values shared) with @member set to
 * @value (transfer full), which replaces the old value in its place. */
static JsonNode *
object_with_member (JsonObject *object,
                    const char *member,
                    JsonNode   *value)
{
  g_autoptr(GList) names = json_object_get_members (object);
  JsonObject *copy = json_object_new ();
  JsonNode *node;

  for (GList *l = names; l != NULL; l = l->next)
    {
      if (g_str_equal (l->data, member))
        json_object_set_member (copy, l->data, g_steal_pointer (&value));
      else
        json_object_set_member (copy, l->data, json_node_ref (json_object_get_member (object, l->data)));
    }

  g_clear_pointer (&value, json_node_unref);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, copy);

  return node;
}

static JsonObject *
get_object_member (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The raw welcome, with every `credential` member hidden. Parsed values
 * are immutable, so the objects on the way to a credential are copied. */
static char *
dup_welcome_frame (const char *frame)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) shown = NULL;
  JsonObject *metadata;
  JsonNode *servers;
  GString *out;

  if (frame == NULL || (root = inspector_json_parse (frame, -1, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  metadata = get_object_member (json_node_get_object (root), "metadata");
  servers = metadata != NULL ? json_object_get_member (metadata, "iceServers") : NULL;

  if (servers != NULL && JSON_NODE_HOLDS_ARRAY (servers))
    {
      JsonArray *array = json_node_get_array (servers);
      JsonArray *hidden = json_array_new ();
      JsonNode *hidden_node = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (node) && json_object_has_member (json_node_get_object (node), "credential"))
            json_array_add_element (hidden, object_with_member (json_node_get_object (node), "credential",
                                                                json_node_init_string (json_node_alloc (),
                                                                                       HIDDEN_VALUE)));
          else
            json_array_add_element (hidden, json_node_ref (node));
        }

      json_node_take_array (hidden_node, hidden);
      shown = object_with_member (json_node_get_object (root), "metadata",
                                  object_with_member (metadata, "iceServers", hidden_node));
    }

  out = g_string_new (NULL);
  metered_json_append_node (out, shown != NULL ? shown : root);

  return g_string_free (out, FALSE);
}

static void
on_connected (InspectorConnection   *self,
              MeteredConnectedEvent *event,
              MeteredClient         *client)
{
  g_autofree char *text = dup_welcome_text (event);
  g_autofree char *frame = dup_welcome_frame (take_frame (self));
  g_autofree char *ice = dup_ice_summary (metered_connected_event_get_ice_servers (event));
  g_autofree char *note = NULL;
  gboolean is_reconnect = metered_connected_event_get_is_reconnect (event);
  gint64 expires_at = 0;

  if (is_reconnect)
    /* Translators: the peer id the server gave this connection */
    note = g_strdup_printf (_("Reconnected as %s"), metered_connected_event_get_peer_id (event));
  else
    note = g_strdup_printf (_("Connected as %s"), metered_connected_event_get_peer_id (event));
  log_event (self, INSPECTOR_LOG_KIND_WELCOME, NULL, metered_connected_event_get_peer_id (event), text, note, frame);

  metered_connected_event_get_expires_at (event, &expires_at);

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->peer_id, metered_connected_event_get_peer_id (event), PROP_PEER_ID);
  set_int64 (self, &self->clock_skew,
             metered_connected_event_get_server_time (event) - g_get_real_time () / G_USEC_PER_SEC,
             PROP_CLOCK_SKEW);
  set_int64 (self, &self->expires_at, expires_at, PROP_EXPIRES_AT);
  set_int64 (self, &self->max_message_size, metered_connected_event_get_max_message_size (event),
             PROP_MAX_MESSAGE_SIZE);
  set_string (self, &self->ice_servers, ice, PROP_ICE_SERVERS);
  g_object_thaw_notify (G_OBJECT (self));

  /* After a reconnect the client resubscribes once this handler returns;
   * the fresh snapshot that follows confirms each channel. A connect of
   * our own (the first one, or "reconnect now") subscribes here. */
  if (!is_reconnect)
    subscribe_all (self);
  else if (self->effective->auto_resubscribe)
    mark_channels (self, INSPECTOR_CHANNEL_STATE_RESTORING, NULL);
  else
    mark_channels (self, INSPECTOR_CHANNEL_STATE_FAILED, _("Not restored: automatic resubscribe is off"));
}

static void
on_disconnected (InspectorConnection      *self,
                 MeteredDisconnectedEvent *event,
                 MeteredClient            *client)
{
  int code = metered_disconnected_event_get_code (event);
  const char *reason = metered_disconnected_event_get_reason (event);
  gboolean will_reconnect = metered_disconnected_event_get_will_reconnect (event);
  g_autofree char *note = NULL;
  GString *text;

  self->current_frame = NULL;

  text = g_string_new (NULL);
  g_string_append_printf (text, "{\"code\":%d,\"name\":", code);
  metered_json_append_string (text, metered_close_code_get_name (code));
  g_string_append (text, ",\"reason\":");
  metered_json_append_string (text, reason != NULL ? reason : "");
  g_string_append_printf (text, ",\"willReconnect\":%s}", will_reconnect ? "true" : "false");

  /* Translators: a close code, what it means, and what happens next */
  note = g_strdup_printf (_("%d %s: %s (%s)"), code, metered_close_code_get_name (code),
                          metered_close_code_describe (code),
                          will_reconnect ? _("reconnecting") : _("not reconnecting"));
  log_event (self, INSPECTOR_LOG_KIND_CLOSE, NULL, NULL, text->str, note, NULL);
  g_string_free (text, TRUE);

  mark_channels (self, INSPECTOR_CHANNEL_STATE_OFFLINE, NULL);

  if (!will_reconnect && !self->user_closed)
    {
      g_autofree char *message = NULL;

      /* Translators: what the close code means, then the code */
      message = g_strdup_printf (_("Disconnected: %s (close code %d)"), metered_close_code_describe (code), code);
      set_string (self, &self->last_error, message, PROP_LAST_ERROR);
      notice (self, message, TRUE);
    }
}

static void
on_message (InspectorConnection *self,
            MeteredMessageEvent *event,
            MeteredClient       *client)
{
  const char *name = metered_message_event_get_channel (event);
  const char *frame = take_frame (self);
  InspectorChannel *channel = g_hash_table_lookup (self->channel_index, name);
  g_autofree char *metadata = NULL;

  if (channel != NULL)
    inspector_channel_count_message (channel);

  /* The frame carries the metadata; only parse it out without one. */
  if (frame == NULL && metered_message_event_get_sender_metadata (event) != NULL)
    metadata = dup_json_object_text (metered_message_event_get_sender_metadata (event));

  inspector_log_store_append (self->log, INSPECTOR_LOG_KIND_MESSAGE, name,
                              metered_message_event_get_sender_peer_id (event),
                              metered_message_event_get_data_text (event), -1,
                              metadata, NULL, frame);
}

static void
on_direct (InspectorConnection *self,
           MeteredDirectEvent  *event,
           MeteredClient       *client)
{
  const char *frame = take_frame (self);
  const char *sender = metered_direct_event_get_sender_peer_id (event);
  g_autofree char *metadata = NULL;

  if (!g_hash_table_contains (self->direct_peers, sender))
    g_hash_table_add (self->direct_peers, g_strdup (sender));

  if (frame == NULL && metered_direct_event_get_sender_metadata (event) != NULL)
    metadata = dup_json_object_text (metered_direct_event_get_sender_metadata (event));

  inspector_log_store_append (self->log, INSPECTOR_LOG_KIND_DIRECT, NULL, sender,
                              metered_direct_event_get_data_text (event), -1,
                              metadata, NULL, frame);
}

static const char *
peer_label (InspectorChannel    *channel,
            MeteredPresencePeer *peer)
{
  JsonObject *metadata = metered_presence_peer_get_metadata (peer);
  InspectorPeer *known;

  if (metadata != NULL && json_object_has_member (metadata, "name") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (metadata, "name")) &&
      json_object_get_string_member (metadata, "name") != NULL)
    return json_object_get_string_member (metadata, "name");

  /* Leaving peers carry no metadata: name them as the roster knew them. */
  if (channel != NULL &&
      (known = inspector_channel_find_peer (channel, metered_presence_peer_get_peer_id (peer))) != NULL)
    return inspector_peer_get_display_name (known);

  return metered_presence_peer_get_peer_id (peer);
}

static void
append_names (GString          *out,
              InspectorChannel *channel,
              GPtrArray        *peers)
{
  for (guint i = 0; i < peers->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, peer_label (channel, g_ptr_array_index (peers, i)));
    }
}

static char *
dup_presence_note (InspectorChannel     *channel,
                   MeteredPresenceEvent *event,
                   gboolean              snapshot)
{
  GPtrArray *joined = metered_presence_event_get_joined (event);
  GPtrArray *left = metered_presence_event_get_left (event);
  GString *note = g_string_new (NULL);

  if (snapshot)
    {
      g_string_append_printf (note, g_dngettext (GETTEXT_PACKAGE, "Snapshot: %u peer", "Snapshot: %u peers",
                                                 joined->len),
                              joined->len);
      if (joined->len > 0)
        {
          g_string_append (note, " (");
          append_names (note, channel, joined);
          g_string_append_c (note, ')');
        }
      return g_string_free (note, FALSE);
    }

  if (joined->len > 0)
    {
      g_string_append (note, _("Joined: "));
      append_names (note, channel, joined);
    }

  if (left->len > 0)
    {
      if (note->len > 0)
        g_string_append (note, "; ");
      g_string_append (note, _("Left: "));
      append_names (note, channel, left);
    }

  return g_string_free (note, FALSE);
}

static void
on_presence (InspectorConnection  *self,
             MeteredPresenceEvent *event,
             MeteredClient        *client)
{
  const char *name = metered_presence_event_get_channel (event);
  const char *frame = take_frame (self);
  InspectorChannel *channel = g_hash_table_lookup (self->channel_index, name);
  GPtrArray *joined = metered_presence_event_get_joined (event);
  GPtrArray *left = metered_presence_event_get_left (event);
  gboolean snapshot = channel != NULL && inspector_channel_get_awaiting_snapshot (channel);
  g_autofree char *note = dup_presence_note (channel, event, snapshot);
  const char *peer = NULL;

  if (joined->len + left->len == 1)
    peer = metered_presence_peer_get_peer_id (g_ptr_array_index (joined->len == 1 ? joined : left, 0));

  log_event (self, INSPECTOR_LOG_KIND_PRESENCE, name, peer, frame, note, frame);

  if (channel == NULL)
    return;

  inspector_channel_apply_presence (channel, joined, left, g_get_real_time ());

  if (snapshot)
    {
      InspectorChannelState state = inspector_channel_get_state (channel);

      if (state == INSPECTOR_CHANNEL_STATE_RESTORING)
        inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_RESTORED, NULL);
      else if (state == INSPECTOR_CHANNEL_STATE_SUBSCRIBING || state == INSPECTOR_CHANNEL_STATE_OFFLINE)
        inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_SUBSCRIBED, NULL);
    }
}

static void
on_server_error (InspectorConnection     *self,
                 MeteredServerErrorEvent *event,
                 MeteredClient           *client)
{
  const char *frame = take_frame (self);
  g_autofree char *note = NULL;
  g_autofree char *message = NULL;

  note = g_strdup_printf ("%s: %s", metered_server_error_event_get_code (event),
                          metered_server_error_describe (metered_server_error_event_get_error_code (event)));
  log_event (self, INSPECTOR_LOG_KIND_SERVER_ERROR, NULL, NULL, frame, note, frame);

  /* Translators: a server error code and what it means */
  message = g_strdup_printf (_("Server error: %s"), note);
  notice (self, message, FALSE);
}

static void
on_going_away (InspectorConnection   *self,
               MeteredGoingAwayEvent *event,
               MeteredClient         *client)
{
  const char *frame = take_frame (self);
  double retry_after = metered_going_away_event_get_retry_after (event);
  g_autofree char *note = NULL;

  /* Translators: the server's hint, in seconds */
  note = g_strdup_printf (_("The server is shutting down; it suggests reconnecting after %.1f s"), retry_after);
  log_event (self, INSPECTOR_LOG_KIND_GOING_AWAY, NULL, NULL, frame, note, frame);
  notice (self, note, TRUE);
}

static void
on_token_provider_error (InspectorConnection            *self,
                         MeteredTokenProviderErrorEvent *event,
                         MeteredClient                  *client)
{
  const GError *error = metered_token_provider_error_event_get_error (event);
  guint failures = metered_token_provider_error_event_get_consecutive_failures (event);
  g_autofree char *note = NULL;

  self->current_frame = NULL;

  /* Translators: a failure count, then the provider's error */
  note = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "No token: the token provider failed %u time in a row (%s)",
                                       "No token: the token provider failed %u times in a row (%s)",
                                       failures),
                          failures, error != NULL ? error->message : _("unknown error"));
  log_event (self, INSPECTOR_LOG_KIND_TOKEN_ERROR, NULL, NULL, NULL, note, NULL);
  notice (self, note, TRUE);
}

/* A pasted token cannot be refreshed: once it has expired, reconnecting
 * with it only earns another 4002, so say so instead. */
static char *
dup_pasted_token (const char  *token,
                  gint64       now_unix,
                  GError     **error)
{
  g_autoptr(MeteredJwt) jwt = metered_jwt_parse (token, NULL);
  JsonObject *claims = jwt != NULL ? metered_jwt_get_claims (jwt) : NULL;
  JsonNode *exp = claims != NULL ? json_object_get_member (claims, "exp") : NULL;

  if (exp != NULL && JSON_NODE_HOLDS_VALUE (exp) &&
      json_node_get_value_type (exp) == G_TYPE_INT64 &&
      json_node_get_int (exp) <= now_unix)
    {
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                           _("The pasted token has expired; connect again with a fresh one"));
      return NULL;
    }

  return g_strdup (token);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Answers at once: tokens are pasted or signed here, never fetched. The
 * client may outlive us while it closes, hence the weak reference. */
static void
provide_token (MeteredClient       *client,
               MeteredTokenRequest *request,
               gpointer             user_data)
{
  g_autoptr(InspectorConnection) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  if (self == NULL)
    {
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The connection was closed");
      metered_token_request_return_error (request, error);
      return;
    }

  if (self->effective->mode == INSPECTOR_AUTH_TOKEN)
    token = dup_pasted_token (self->effective->token, g_get_real_time () / G_USEC_PER_SEC, &error);
  else
    token = inspector_connect_options_mint_token (self->effective, g_get_real_time () / G_USEC_PER_SEC, &error);

  if (token != NULL)
    {
      metered_token_request_return_token (request, token);
      explicit_bzero (token, strlen (token));
    }
  else
    metered_token_request_return_error (request, error);
}

/* Lifecycle. */

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(InspectorConnection) self = user_data;
  g_autoptr(GError) error = NULL;

  if (metered_client_connect_finish (METERED_CLIENT (source), result, &error) ||
      self->client != METERED_CLIENT (source) ||
      g_error_matches (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED))
    return;

  {
    g_autofree char *description = inspector_describe_error (error);
    g_autofree char *message = NULL;

    /* Translators: why the connection failed, in words */
    message = g_strdup_printf (_("Could not connect: %s"), description);
    log_event (self, INSPECTOR_LOG_KIND_CLOSE, NULL, NULL, NULL, message, NULL);
    set_string (self, &self->last_error, message, PROP_LAST_ERROR);
    notice (self, message, TRUE);
  }
}

static void
connect_client (InspectorConnection *self)
{
  self->user_closed = FALSE;
  mark_channels (self, INSPECTOR_CHANNEL_STATE_OFFLINE, NULL);
  metered_client_connect_async (self->client, self->cancellable, on_connect_done, g_object_ref (self));
}

static MeteredClient *
create_client (InspectorConnection  *self,
               GError              **error)
{
  const InspectorConnectOptions *options = self->effective;
  g_autoptr(MeteredClient) client = NULL;

  client = g_object_new (METERED_TYPE_CLIENT,
                         "url", options->url,
                         "api-key", options->mode == INSPECTOR_AUTH_API_KEY ? options->api_key : NULL,
                         "reconnect-options", &options->reconnect,
                         "inactivity-timeout", options->inactivity_timeout,
                         "auto-resubscribe", options->auto_resubscribe,
                         NULL);

  if (options->mode != INSPECTOR_AUTH_API_KEY)
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (ref, self);
      metered_client_set_token_provider (client, provide_token, ref, weak_ref_free);
    }

  if (!g_initable_init (G_INITABLE (client), NULL, error))
    return NULL;

  metered_client_set_frame_observer (client, on_frame, self);
  metered_client_set_reconnect_observer (client, on_reconnect_scheduled, self);

  g_signal_connect_object (client, "state-changed", G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "connected", G_CALLBACK (on_connected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "disconnected", G_CALLBACK (on_disconnected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "message", G_CALLBACK (on_message), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "direct", G_CALLBACK (on_direct), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "presence", G_CALLBACK (on_presence), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "server-error", G_CALLBACK (on_server_error), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "going-away", G_CALLBACK (on_going_away), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "token-provider-error", G_CALLBACK (on_token_provider_error), self, G_CONNECT_SWAPPED);

  return g_steal_pointer (&client);
}

static void
fail_start (InspectorConnection *self,
            const GError        *error)
{
  g_autofree char *message = NULL;

  /* Translators: why the connection could not be set up */
  message = g_strdup_printf (_("Could not connect: %s"), error->message);
  log_event (self, INSPECTOR_LOG_KIND_CLOSE, NULL, NULL, NULL, message, NULL);
  set_string (self, &self->last_error, message, PROP_LAST_ERROR);
  notice (self, message, TRUE);
}

/**
 * inspector_connection_start:
 *
 * Starts the sandbox (for sandbox options), creates the client and
 * connects; the options' channels are subscribed once connected. Failures
 * are reported through the log, #InspectorConnection:last-error and
 * #InspectorConnection::notice.
 */
void
inspector_connection_start (InspectorConnection *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));

  /* An imported log has nothing to start. */
  if (self->offline)
    return;

  g_return_if_fail (!self->started);

  self->started = TRUE;

  if (self->options->mode == INSPECTOR_AUTH_SANDBOX)
    {
      if ((self->sandbox = inspector_sandbox_new (&error)) == NULL)
        {
          fail_start (self, error);
          return;
        }

      self->effective = inspector_sandbox_dup_connect_options (self->sandbox, self->options);
      set_string (self, &self->url, inspector_sandbox_get_url (self->sandbox), PROP_URL);
    }
  else
    self->effective = inspector_connect_options_copy (self->options);

  for (guint i = 0; self->effective->subscribe != NULL && self->effective->subscribe[i] != NULL; i++)
    {
      const char *name = self->effective->subscribe[i];

      /* The chat room is where people are: show who says what. */
      add_channel (self, name, self->sandbox != NULL && g_str_equal (name, INSPECTOR_SANDBOX_CHAT_CHANNEL));
    }

  if ((self->client = create_client (self, &error)) == NULL)
    {
      fail_start (self, error);
      return;
    }

  connect_client (self);
}

static void
on_reconnect_closed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(InspectorConnection) self = user_data;

  metered_client_close_finish (METERED_CLIENT (source), result, NULL);

  if (self->client == METERED_CLIENT (source))
    connect_client (self);
}

/**
 * inspector_connection_reconnect:
 *
 * Connects again now: closes the current connection, skipping any
 * backoff wait, and subscribes the channel list again.
 */
void
inspector_connection_reconnect (InspectorConnection *self)
{
  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));

  if (self->client == NULL)
    return;

  log_event (self, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, _("Reconnecting now, as asked"), NULL);
  self->user_closed = TRUE;
  metered_client_close_async (self->client, METERED_CLOSE_CODE_NORMAL, "reconnecting",
                              NULL, on_reconnect_closed, g_object_ref (self));
}

void
inspector_connection_disconnect (InspectorConnection *self)
{
  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));

  if (self->client == NULL)
    return;

  self->user_closed = TRUE;
  metered_client_close_async (self->client, METERED_CLOSE_CODE_NORMAL, NULL, NULL, NULL, NULL);
}

/* GObject. */

static void
inspector_connection_dispose (GObject *object)
{
  InspectorConnection *self = (InspectorConnection *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->stats_source, g_source_remove);

  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      metered_client_set_frame_observer (self->client, NULL, NULL);
      metered_client_set_reconnect_observer (self->client, NULL, NULL);
      /* The close keeps the client alive until its handshake is done. */
      metered_client_close_async (self->client, METERED_CLOSE_CODE_NORMAL, NULL, NULL, NULL, NULL);
      g_clear_object (&self->client);
    }

  g_clear_object (&self->sandbox);

  G_OBJECT_CLASS (inspector_connection_parent_class)->dispose (object);
}

static void
inspector_connection_finalize (GObject *object)
{
  InspectorConnection *self = (InspectorConnection *)object;

  g_clear_pointer (&self->options, inspector_connect_options_free);
  g_clear_pointer (&self->effective, inspector_connect_options_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->log);
  g_clear_pointer (&self->channel_index, g_hash_table_unref);
  g_clear_pointer (&self->direct_peers, g_hash_table_unref);
  g_clear_object (&self->channels);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->peer_id, g_free);
  g_clear_pointer (&self->ice_servers, g_free);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->captured_frame, g_free);

  G_OBJECT_CLASS (inspector_connection_parent_class)->finalize (object);
}

static void
inspector_connection_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  InspectorConnection *self = INSPECTOR_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_IS_SANDBOX:
      g_value_set_boolean (value, self->options->mode == INSPECTOR_AUTH_SANDBOX);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_RECONNECT_ATTEMPT:
      g_value_set_uint (value, self->reconnect_attempt);
      break;

    case PROP_NEXT_ATTEMPT_TIME:
      g_value_set_int64 (value, self->next_attempt_time);
      break;

    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;

    case PROP_CLOCK_SKEW:
      g_value_set_int64 (value, self->clock_skew);
      break;

    case PROP_EXPIRES_AT:
      g_value_set_int64 (value, self->expires_at);
      break;

    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_int64 (value, self->max_message_size);
      break;

    case PROP_ICE_SERVERS:
      g_value_set_string (value, self->ice_servers);
      break;

    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;

    case PROP_CHANNELS:
      g_value_set_object (value, self->channels);
      break;

    case PROP_LOG:
      g_value_set_object (value, self->log);
      break;

    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_connection_class_init (InspectorConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = inspector_connection_dispose;
  object_class->finalize = inspector_connection_finalize;
  object_class->get_property = inspector_connection_get_property;

  /* Where the connection goes, for titles; never a secret. */
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /* The base URL, which never carries a credential. */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_IS_SANDBOX] =
    g_param_spec_boolean ("is-sandbox", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       METERED_TYPE_CLIENT_STATE, METERED_CLIENT_STATE_IDLE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The attempt the client is waiting for while reconnecting, from 1. */
  properties[PROP_RECONNECT_ATTEMPT] =
    g_param_spec_uint ("reconnect-attempt", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* When that attempt starts, in g_get_monotonic_time() microseconds; 0
   * when none is scheduled. */
  properties[PROP_NEXT_ATTEMPT_TIME] =
    g_param_spec_int64 ("next-attempt-time", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PEER_ID] =
    g_param_spec_string ("peer-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The server's clock minus ours at the last welcome, in seconds. */
  properties[PROP_CLOCK_SKEW] =
    g_param_spec_int64 ("clock-skew", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The token's expiry in the server's unix seconds; 0 for none. */
  properties[PROP_EXPIRES_AT] =
    g_param_spec_int64 ("expires-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_int64 ("max-message-size", NULL, NULL,
                        0, G_MAXINT64, 65536,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The ICE server URLs of the last welcome, comma-separated. */
  properties[PROP_ICE_SERVERS] =
    g_param_spec_string ("ice-servers", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Why the connection is not up, in words; NULL while it is. */
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHANNELS] =
    g_param_spec_object ("channels", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_LOG] =
    g_param_spec_object ("log", NULL, NULL,
                         INSPECTOR_TYPE_LOG_STORE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /* A log read from a file: no client, nothing to subscribe or send. */
  properties[PROP_OFFLINE] =
    g_param_spec_boolean ("offline", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * InspectorConnection::notice:
   * @message: what happened, in words
   * @persistent: whether it describes a lasting condition (a banner)
   *   rather than a moment (a toast)
   */
  signals[SIGNAL_NOTICE] =
    g_signal_new ("notice",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
inspector_connection_init (InspectorConnection *self)
{
  self->cancellable = g_cancellable_new ();
  self->log = inspector_log_store_new ();
  self->channels = g_list_store_new (INSPECTOR_TYPE_CHANNEL);
  self->channel_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->direct_peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->state = METERED_CLIENT_STATE_IDLE;
  self->max_message_size = 65536;
  self->stats_time = g_get_monotonic_time ();
  self->stats_source = g_timeout_add (STATS_INTERVAL_MS, on_stats_timeout, self);
}

/**
 * inspector_connection_new:
 *
 * Returns: (transfer full): a connection that does nothing until
 *   inspector_connection_start()
 */
InspectorConnection *
inspector_connection_new (const InspectorConnectOptions *options)
{
  InspectorConnection *self;

  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (INSPECTOR_TYPE_CONNECTION, NULL);
  self->options = inspector_connect_options_copy (options);
  self->label = inspector_connect_options_dup_label (options);
  if (options->mode != INSPECTOR_AUTH_SANDBOX)
    self->url = metered_url_redact (options->url);

  return self;
}

/**
 * inspector_connection_new_offline:
 * @label: what the connection is called, e.g. the imported file's name
 *
 * A read-only connection with no client, for a log imported with
 * inspector_log_import_async(): it never connects, and subscribing,
 * publishing and sending fail. Its channel list shows the channels of the
 * imported messages with their counts.
 *
 * Returns: (transfer full): the connection
 */
InspectorConnection *
inspector_connection_new_offline (const char *label)
{
  InspectorConnection *self;

  g_return_val_if_fail (label != NULL, NULL);

  self = g_object_new (INSPECTOR_TYPE_CONNECTION, NULL);
  self->options = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
  self->label = g_strdup (label);
  self->offline = TRUE;
  self->started = TRUE;
  self->state = METERED_CLIENT_STATE_CLOSED;

  return self;
}

gboolean
inspector_connection_get_offline (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), FALSE);

  return self->offline;
}

/**
 * inspector_connection_count_offline_row:
 * @channel: (nullable): the row's channel
 *
 * Counts an imported row in the channel list of an offline connection.
 */
void
inspector_connection_count_offline_row (InspectorConnection *self,
                                        InspectorLogKind     kind,
                                        const char          *channel)
{
  InspectorChannel *found;

  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));
  g_return_if_fail (self->offline);

  if (channel == NULL || kind != INSPECTOR_LOG_KIND_MESSAGE)
    return;

  found = add_channel (self, channel, FALSE);
  inspector_channel_count_message (found);
}

const InspectorConnectOptions *
inspector_connection_get_options (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return self->options;
}

/**
 * inspector_connection_get_sandbox:
 *
 * Returns: (transfer none) (nullable): the local server, for sandbox
 *   connections that started
 */
InspectorSandbox *
inspector_connection_get_sandbox (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return self->sandbox;
}

const char *
inspector_connection_get_label (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return self->label;
}

const char *
inspector_connection_get_url (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return self->url;
}

MeteredClientState
inspector_connection_get_state (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), METERED_CLIENT_STATE_IDLE);

  return self->state;
}

guint
inspector_connection_get_reconnect_attempt (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), 0);

  return self->reconnect_attempt;
}

gint64
inspector_connection_get_next_attempt_time (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), 0);

  return self->next_attempt_time;
}

const char *
inspector_connection_get_peer_id (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return self->peer_id;
}

gint64
inspector_connection_get_clock_skew (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), 0);

  return self->clock_skew;
}

gint64
inspector_connection_get_expires_at (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), 0);

  return self->expires_at;
}

gint64
inspector_connection_get_max_message_size (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), 0);

  return self->max_message_size;
}

const char *
inspector_connection_get_ice_servers (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return self->ice_servers;
}

const char *
inspector_connection_get_last_error (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return self->last_error;
}

/**
 * inspector_connection_get_channels:
 *
 * Returns: (transfer none): the subscriptions, a list of #InspectorChannel
 */
GListModel *
inspector_connection_get_channels (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return G_LIST_MODEL (self->channels);
}

/**
 * inspector_connection_find_channel:
 *
 * Returns: (transfer none) (nullable): the subscription to @name
 */
InspectorChannel *
inspector_connection_find_channel (InspectorConnection *self,
                                   const char          *name)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (self->channel_index, name);
}

/**
 * inspector_connection_get_log:
 *
 * Returns: (transfer none): the message log
 */
InspectorLogStore *
inspector_connection_get_log (InspectorConnection *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  return self->log;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * inspector_connection_dup_peer_ids:
 *
 * The peers a direct message can go to: everyone in the rosters, peers
 * that sent directs, and the sandbox's echo peer. Our own id is left out.
 *
 * Returns: (transfer full): sorted peer ids
 */
char **
inspector_connection_dup_peer_ids (InspectorConnection *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  guint n_channels;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), NULL);

  if (self->sandbox != NULL)
    g_hash_table_add (seen, (gpointer) SANDBOX_ECHO_PEER);

  n_channels = g_list_model_get_n_items (G_LIST_MODEL (self->channels));
  for (guint i = 0; i < n_channels; i++)
    {
      g_autoptr(InspectorChannel) channel = g_list_model_get_item (G_LIST_MODEL (self->channels), i);
      GListModel *roster = inspector_channel_get_roster (channel);
      guint n_peers = g_list_model_get_n_items (roster);

      for (guint j = 0; j < n_peers; j++)
        {
          g_autoptr(InspectorPeer) peer = g_list_model_get_item (roster, j);

          g_hash_table_add (seen, (gpointer) inspector_peer_get_peer_id (peer));
        }
    }

  g_hash_table_iter_init (&iter, self->direct_peers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (seen, key);

  if (self->peer_id != NULL)
    g_hash_table_remove (seen, self->peer_id);

  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));

  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/**
 * inspector_connection_subscribe:
 *
 * Adds @channel to the channel list and subscribes to it, now if
 * connected, otherwise as soon as the connection is up. The outcome shows
 * in the channel's state and in the log.
 *
 * Returns: %FALSE if the name is not valid or already subscribed
 */
gboolean
inspector_connection_subscribe (InspectorConnection  *self,
                                const char           *channel,
                                gboolean              include_sender_metadata,
                                GError              **error)
{
  InspectorChannel *existing;
  InspectorChannel *added;

  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);

  if (self->offline)
    {
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                           _("This is an imported log: it is read-only"));
      return FALSE;
    }

  if (!metered_channel_validate (channel, error))
    return FALSE;

  if (metered_channel_is_reserved (channel))
    {
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                           _("Channels starting with _metered/, _internal/ or _system/ are reserved"));
      return FALSE;
    }

  existing = g_hash_table_lookup (self->channel_index, channel);
  if (existing != NULL && inspector_channel_get_state (existing) != INSPECTOR_CHANNEL_STATE_FAILED)
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_DUPLICATE,
                   _("Already subscribed to %s"), channel);
      return FALSE;
    }

  added = add_channel (self, channel, include_sender_metadata);

  if (self->client != NULL && self->state == METERED_CLIENT_STATE_CONNECTED)
    send_subscribe (self, added);

  return TRUE;
}

/**
 * inspector_connection_unsubscribe:
 *
 * Removes @channel from the channel list at once; the unsubscribe request
 * and its answer show in the log.
 */
void
inspector_connection_unsubscribe (InspectorConnection *self,
                                  const char          *channel)
{
  InspectorChannel *found;
  g_autofree char *name = NULL;
  g_autofree char *frame = NULL;
  Request *request;

  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));
  g_return_if_fail (channel != NULL);

  if ((found = g_hash_table_lookup (self->channel_index, channel)) == NULL)
    return;

  name = g_strdup (channel);
  remove_channel (self, found);

  if (self->client == NULL)
    return;

  request = request_new (self, INSPECTOR_LOG_KIND_UNSUBSCRIBE, name);
  begin_capture (self);
  metered_client_unsubscribe_async (self->client, name, self->cancellable, on_unsubscribe_done, request);
  frame = end_capture (self);

  request->seq = log_event (self, INSPECTOR_LOG_KIND_UNSUBSCRIBE, name, NULL, NULL, NULL, frame);
  inspector_log_store_set_status (self->log, request->seq, INSPECTOR_LOG_STATUS_PENDING, 0, NULL);
}

/**
 * inspector_connection_publish_async:
 * @json: the payload as JSON text
 *
 * Publishes on @channel; the request is logged with its outcome.
 */
void
inspector_connection_publish_async (InspectorConnection *self,
                                    const char          *channel,
                                    const char          *json,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (json != NULL);

  send_payload (self, INSPECTOR_LOG_KIND_PUBLISH, channel, json, cancellable, callback, user_data);
}

/**
 * inspector_connection_publish_finish:
 * @rtt_us: (out) (optional): the time until the ack
 *
 * Returns: %TRUE if the server acknowledged the message
 */
gboolean
inspector_connection_publish_finish (InspectorConnection  *self,
                                     GAsyncResult         *result,
                                     gint64               *rtt_us,
                                     GError              **error)
{
  gssize rtt;

  g_return_val_if_fail (INSPECTOR_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  rtt = g_task_propagate_int (G_TASK (result), error);
  if (rtt_us != NULL)
    *rtt_us = MAX (rtt, 0);

  return rtt >= 0;
}

/**
 * inspector_connection_send_async:
 * @json: the payload as JSON text
 *
 * Sends a direct message to @peer_id; the request is logged with its
 * outcome.
 */
void
inspector_connection_send_async (InspectorConnection *self,
                                 const char          *peer_id,
                                 const char          *json,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));
  g_return_if_fail (peer_id != NULL);
  g_return_if_fail (json != NULL);

  send_payload (self, INSPECTOR_LOG_KIND_SEND, peer_id, json, cancellable, callback, user_data);
}

/**
 * inspector_connection_send_finish:
 * @rtt_us: (out) (optional): the time until the ack
 *
 * Returns: %TRUE if the server acknowledged the message
 */
gboolean
inspector_connection_send_finish (InspectorConnection  *self,
                                  GAsyncResult         *result,
                                  gint64               *rtt_us,
                                  GError              **error)
{
  return inspector_connection_publish_finish (self, result, rtt_us, error);
}
