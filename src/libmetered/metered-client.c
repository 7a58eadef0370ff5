/* metered-client.c: a client of the Metered Realtime Messaging service
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-client"

#include <math.h>
#include <string.h>

#include "metered-channel.h"
#include "metered-client.h"
#include "metered-client-private.h"
#include "metered-close-code.h"
#include "metered-enum-types.h"
#include "metered-error.h"
#include "metered-error-private.h"
#include "metered-frame-private.h"
#include "metered-url.h"
#include "metered-websocket-connect-private.h"

/* Defaults and fixed numbers of protocol §17. */
#define DEFAULT_TOKEN_PROVIDER_TIMEOUT 10.0
#define DEFAULT_INACTIVITY_TIMEOUT     60.0
#define DEFAULT_WELCOME_TIMEOUT        10.0
#define DEFAULT_ACK_TIMEOUT            15.0
#define DEFAULT_REPLAY_RETRY_DELAY      2.0
#define DEFAULT_MAX_MESSAGE_SIZE       65536
#define KEEPALIVE_MIN_INTERVAL          1.0
#define CLOSE_FLUSH_TIMEOUT_MS         1000
#define TOKEN_FAILURE_EVENT_THRESHOLD  3
#define REPLAY_MAX_RETRIES             3
#define MAX_INBOUND_FRAME_BYTES        (1024 * 1024)
/* RFC 6455 §7.4.1 codes the WebSocket closes with by itself. */
#define CLOSE_CODE_PROTOCOL_ERROR      1002
#define CLOSE_CODE_INVALID_PAYLOAD     1007
/* RFC 6455 leaves 123 bytes for the reason of a close frame. */
#define MAX_CLOSE_REASON_BYTES         123
#define MAX_REASON_CHARS               256
#define MAX_ERROR_MESSAGE_CHARS        1024
#define DEFAULT_CLOSE_REASON           "client requested close"
#define REDACTED                       "[REDACTED]"

/**
 * MeteredClient:
 *
 * A connection to the Metered Realtime Messaging service: publish/subscribe
 * on channels, direct messages between peers, and presence, over one
 * WebSocket that the client keeps alive and reconnects.
 *
 * ## Credentials
 *
 * A client uses exactly one of a publishable key (`pk_live_…`, see
 * [ctor@Metered.Client.new]) or a token provider (see
 * [ctor@Metered.Client.new_with_token_provider]), which fetches a fresh JWT
 * before the first connect and before every reconnect. Credentials never
 * appear in the client's logs or error messages.
 *
 * Options are construct-only properties. To combine them with a token
 * provider from C, create the object with g_object_new(), set the provider
 * with [method@Metered.Client.set_token_provider] and then call
 * g_initable_init(). Construction fails with a %METERED_CLIENT_ERROR when
 * the credentials, the URL or an option is invalid.
 *
 * ## Lifecycle
 *
 * [method@Metered.Client.connect_async] opens the connection and completes
 * when the server's `welcome` arrives. A failure of that first connect is
 * returned to its caller (a %METERED_CLOSE_ERROR whose code is the close
 * code when the server refused the connection) and starts no retries.
 *
 * Once connected, the client reconnects by itself after a drop, with
 * exponential backoff and jitter (see [property@Metered.Client:reconnect-options]),
 * except after the terminal close codes 4001, 4003, 4012 and 4020; a 4010
 * close makes it wait at least 30 seconds. Each reconnect resubscribes to
 * the tracked channels (see [property@Metered.Client:auto-resubscribe]).
 * When the attempts run out the client closes and emits a last
 * [signal@Metered.Client::disconnected] with `will-reconnect` %FALSE.
 *
 * An inactivity watchdog closes the connection (code 4000) when nothing has
 * arrived for [property@Metered.Client:inactivity-timeout] seconds; on an
 * idle link the client sends a `{"type":"ping"}` keepalive every third of
 * that time (at least every second) so a healthy server keeps answering.
 *
 * [method@Metered.Client.close_async] is terminal until the next connect.
 *
 * ## Requests
 *
 * Subscribe, unsubscribe, publish and send complete when the server
 * acknowledges them. They fail with a %METERED_SERVER_ERROR carrying the
 * server's code when it refuses them, with
 * %METERED_CLIENT_ERROR_NOT_CONNECTED when the client was not connected
 * (nothing was sent), with %METERED_CLIENT_ERROR_DISCONNECTED when the
 * connection dropped before the answer (the server may or may not have
 * acted on it), with %METERED_CLIENT_ERROR_ACK_TIMEOUT when no answer came
 * in time, and with %METERED_CLIENT_ERROR_CLOSED when the client was closed
 * meanwhile. Payloads larger than the server's `maxMessageSize` fail
 * locally with %METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD.
 *
 * ## Events
 *
 * Server events are delivered as immutable objects, by signals or by a
 * [class@Metered.EventStream]. Signal handlers may call any method of the
 * client, including closing it.
 *
 * ## Threads
 *
 * A client belongs to the thread whose thread-default main context was
 * current when it was initialized; call its methods from that thread, and
 * its callbacks and signals run there.
 *
 * Log messages use the log domain `metered-client`; enable them with
 * `G_MESSAGES_DEBUG=metered-client`.
 */

typedef struct _Link Link;

/* One connection attempt and, once it succeeds, the live WebSocket. A new
 * attempt gets a new link with a higher epoch; events of a replaced link are
 * ignored. */
struct _Link {
  MeteredClient       *client;        /* NULL once detached */
  guint64              epoch;
  MeteredTokenRequest *token_request;
  GCancellable        *cancellable;   /* the WebSocket handshake */
  MeteredWebsocket    *conn;
  gboolean             welcomed;
};

/* A WebSocket we closed, kept until its close handshake ends. */
typedef struct {
  MeteredClient    *client;
  MeteredWebsocket *conn;
  GTask            *close_task;
  GSource          *flush_source;
  GSource          *cancel_source;
} Closing;

typedef struct {
  MeteredClient *client;
  char          *request_id;
  GTask         *task;
  GSource       *timeout_source;
  GSource       *cancel_source;
} Pending;

typedef struct {
  char                  *channel;
  MeteredSubscribeFlags  flags;
} Subscription;

typedef struct {
  char    *channel;
  guint64  epoch;
} ReplayData;

typedef struct {
  MeteredClient *client;
  GSource       *source;
  char          *channel;
  guint64        epoch;
} ReplayTimer;

typedef enum {
  REQUEST_SUBSCRIBE,
  REQUEST_UNSUBSCRIBE,
  REQUEST_PUBLISH,
  REQUEST_SEND,
} RequestKind;

struct _MeteredClient
{
  GObject                         parent_instance;

  /* Fixed at construction. */
  char                           *api_key;
  MeteredTokenProviderFunc        token_provider;
  gpointer                        token_provider_data;
  GDestroyNotify                  token_provider_destroy;
  char                           *url;
  double                          token_provider_timeout;
  MeteredReconnectOptions        *reconnect_options;
  double                          inactivity_timeout;
  double                          welcome_timeout;
  double                          ack_timeout;
  double                          replay_retry_delay;
  GTlsDatabase                   *tls_database;
  guint                           auto_reconnect : 1;
  guint                           auto_resubscribe : 1;
  guint                           initialized : 1;

  GMainContext                   *context;
  GRand                          *rand;

  MeteredClientState              state;
  char                           *peer_id;
  gint64                          max_message_size;

  /* Connection supervision. */
  Link                           *link;
  guint64                         epoch;
  guint                           generation;     /* bumped by connect() and close() */
  gboolean                        explicitly_closed;
  gboolean                        was_ever_connected;
  guint                           reconnect_attempts;
  guint                           consecutive_token_failures;
  double                          next_delay_floor;
  char                           *token_in_use;   /* to scrub it from texts */
  GTask                          *connect_task;
  GSource                        *connect_cancel_source;
  GSource                        *reconnect_source;
  GSource                        *welcome_source;
  GSource                        *token_timeout_source;
  GSource                        *inactivity_source;
  GSource                        *keepalive_source;
  gint64                          last_rx_time;
  gint64                          last_ping_time;

  GHashTable                     *pending;        /* request id → Pending */
  GPtrArray                      *subscriptions;  /* Subscription, in subscribe order */
  GHashTable                     *replay_retries; /* channel → retries used */
  GPtrArray                      *replay_timers;  /* ReplayTimer */
  GPtrArray                      *closing;        /* Closing */
  GPtrArray                      *streams;        /* MeteredEventStream, weak */

  MeteredClientReconnectObserver  reconnect_observer;
  gpointer                        reconnect_observer_data;
  MeteredClientFrameObserver      frame_observer;
  gpointer                        frame_observer_data;
};

static void metered_client_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MeteredClient, metered_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, metered_client_initable_iface_init))

enum {
  PROP_0,
  PROP_API_KEY,
  PROP_URL,
  PROP_TOKEN_PROVIDER_TIMEOUT,
  PROP_RECONNECT_OPTIONS,
  PROP_AUTO_RECONNECT,
  PROP_INACTIVITY_TIMEOUT,
  PROP_AUTO_RESUBSCRIBE,
  PROP_WELCOME_TIMEOUT,
  PROP_ACK_TIMEOUT,
  PROP_REPLAY_RETRY_DELAY,
  PROP_TLS_DATABASE,
  PROP_STATE,
  PROP_PEER_ID,
  PROP_MAX_MESSAGE_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_STATE_CHANGED,
  SIGNAL_CONNECTED,
  SIGNAL_DISCONNECTED,
  SIGNAL_MESSAGE,
  SIGNAL_DIRECT,
  SIGNAL_PRESENCE,
  SIGNAL_SERVER_ERROR,
  SIGNAL_GOING_AWAY,
  SIGNAL_TOKEN_PROVIDER_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_attempt (MeteredClient *self);
static void handle_close  (MeteredClient *client,
                           int            code,
                           const char    *reason,
                           GError        *connect_error);

/* JSON helpers shared with the event types. */

JsonObject *
metered_json_object_ref_sealed (JsonObject *object)
{
  if (object == NULL)
    return NULL;

  json_object_seal (object);
  return json_object_ref (object);
}

/* Small helpers. */

static const char *
state_to_string (MeteredClientState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (METERED_TYPE_CLIENT_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "unknown";
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static guint
seconds_to_ms (double seconds)
{
  double ms = ceil (seconds * 1000.0);

  if (!(ms > 0))
    return 0;
  if (ms >= (double) G_MAXUINT)
    return G_MAXUINT;

  return (guint) ms;
}

static GSource *
schedule_timeout (MeteredClient *self,
                  guint          ms,
                  GSourceFunc    func,
                  gpointer       data,
                  const char    *name)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, self->context);

  return source;
}

static void
wipe_string (char **text)
{
  if (*text != NULL)
    {
      memset (*text, 0, strlen (*text));
      g_clear_pointer (text, g_free);
    }
}

/* Text from outside (close reasons, I/O errors) may echo the credential
 * back; it never reaches a log or an error with it. */
static void
scrub_secrets (MeteredClient *self,
               GString       *text)
{
  if (self->api_key != NULL && self->api_key[0] != '\0')
    g_string_replace (text, self->api_key, REDACTED, 0);
  if (self->token_in_use != NULL && self->token_in_use[0] != '\0')
    g_string_replace (text, self->token_in_use, REDACTED, 0);
}

/* Close reasons and error messages are server-controlled: valid UTF-8,
 * no control characters (no terminal escapes), at most @max_chars, no
 * secrets. Secrets go first, so that the cut cannot leave part of one. */
static char *
sanitize_text (MeteredClient *self,
               const char    *text,
               glong          max_chars)
{
  g_autofree char *made_valid = NULL;
  GString *valid;
  GString *out;
  glong n_chars = 0;

  if (text == NULL)
    return g_strdup ("");

  made_valid = g_utf8_make_valid (text, -1);
  valid = g_string_new (made_valid);
  scrub_secrets (self, valid);
  out = g_string_sized_new (valid->len);

  for (const char *p = valid->str; *p != '\0' && n_chars < max_chars; p = g_utf8_next_char (p), n_chars++)
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }

  g_string_free (valid, TRUE);

  return g_string_free (out, FALSE);
}

/* A copy of @text without the credential, or NULL when it holds none:
 * frame observers show frames to people, and a server may echo the key
 * or token in one. */
static char *
dup_scrubbed (MeteredClient *self,
              const char    *text)
{
  GString *copy;

  if ((self->api_key == NULL || self->api_key[0] == '\0' || strstr (text, self->api_key) == NULL) &&
      (self->token_in_use == NULL || self->token_in_use[0] == '\0' || strstr (text, self->token_in_use) == NULL))
    return NULL;

  copy = g_string_new (text);
  scrub_secrets (self, copy);

  return g_string_free (copy, FALSE);
}

static void
observe_frame (MeteredClient *self,
               gboolean       outgoing,
               const char    *text)
{
  if (self->frame_observer != NULL)
    self->frame_observer (self, outgoing, text, self->frame_observer_data);
}

/* Events. */

static void
on_stream_finalized (gpointer  data,
                     GObject  *where_the_object_was)
{
  MeteredClient *self = data;

  g_ptr_array_remove_fast (self->streams, where_the_object_was);
}

static void
dispatch_to_streams (MeteredClient *self,
                     gpointer       event)
{
  for (guint i = 0; i < self->streams->len; i++)
    metered_event_stream_push (g_ptr_array_index (self->streams, i), event);
}

/* Emits @event (transfer full) to streams and signal handlers. Handlers may
 * do anything, closing the client included: callers re-check their link
 * afterwards.
 *
 * Handlers may also drop the application's last reference. So this function
 * and those that go on using the client after handlers ran (token_failed(),
 * handle_welcome(), handle_close(), close_internal()) take the borrowed
 * pointer as @client and work on `self`, a reference of their own that is
 * released only when they return. */
static void
emit_event (MeteredClient *client,
            guint          signal_id,
            gpointer       event)
{
  g_autoptr(MeteredClient) self = g_object_ref (client);
  g_autoptr(GObject) owned = event;

  dispatch_to_streams (self, owned);
  g_signal_emit (self, signals[signal_id], 0, owned);
}

static void
transition (MeteredClient      *self,
            MeteredClientState  to)
{
  g_autoptr(MeteredClient) keep = NULL;
  g_autoptr(MeteredStateChangedEvent) event = NULL;
  MeteredClientState from = self->state;

  if (from == to)
    return;

  keep = g_object_ref (self);
  self->state = to;
  g_debug ("State %s -> %s", state_to_string (from), state_to_string (to));

  event = metered_state_changed_event_new (from, to);
  dispatch_to_streams (self, event);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, from, to);
}

static gboolean
link_is_current (MeteredClient *self,
                 Link          *link)
{
  return link->client == self && self->link == link;
}

/* Links. */

static Link *
link_new (MeteredClient *self,
          guint64        epoch)
{
  Link *link = g_rc_box_new0 (Link);

  link->client = self;
  link->epoch = epoch;

  return link;
}

static void
link_clear (Link *link)
{
  g_clear_object (&link->token_request);
  g_clear_object (&link->cancellable);
  g_clear_object (&link->conn);
}

static Link *
link_ref (Link *link)
{
  return g_rc_box_acquire (link);
}

static void
link_unref (Link *link)
{
  g_rc_box_release_full (link, (GDestroyNotify) link_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Link, link_unref)

/* Closing WebSockets. */

static void
closing_free (Closing *closing)
{
  g_signal_handlers_disconnect_by_data (closing->conn, closing);
  clear_source (&closing->flush_source);
  clear_source (&closing->cancel_source);
  g_clear_object (&closing->close_task);
  g_clear_object (&closing->conn);
  g_free (closing);
}

static void
closing_return (Closing *closing)
{
  GTask *task = g_steal_pointer (&closing->close_task);

  clear_source (&closing->flush_source);
  clear_source (&closing->cancel_source);

  if (task != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static void
on_closing_closed (MeteredWebsocket *conn,
                   Closing          *closing)
{
  MeteredClient *self = closing->client;

  g_debug ("Close handshake finished");
  g_ptr_array_remove_fast (self->closing, closing);
  closing_return (closing);
  closing_free (closing);
}

static gboolean
on_closing_flush_timeout (gpointer data)
{
  Closing *closing = data;

  /* A wedged peer does not hold up close() for long; the socket goes on
   * closing in the background. */
  g_debug ("Close handshake still unfinished after %d ms", CLOSE_FLUSH_TIMEOUT_MS);
  closing_return (closing);

  return G_SOURCE_REMOVE;
}

static gboolean
on_closing_cancelled (GCancellable *cancellable,
                      gpointer      data)
{
  Closing *closing = data;
  GTask *task = g_steal_pointer (&closing->close_task);

  clear_source (&closing->flush_source);
  clear_source (&closing->cancel_source);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "Stopped waiting for the close handshake");
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static Closing *
closing_new (MeteredClient    *self,
             MeteredWebsocket *conn)
{
  Closing *closing = g_new0 (Closing, 1);

  closing->client = self;
  closing->conn = g_object_ref (conn);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closing_closed), closing);
  g_ptr_array_add (self->closing, closing);

  return closing;
}

static void
closing_wait (MeteredClient *self,
              Closing       *closing,
              GTask         *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  closing->close_task = g_object_ref (task);
  closing->flush_source = schedule_timeout (self, CLOSE_FLUSH_TIMEOUT_MS, on_closing_flush_timeout,
                                            closing, "[metered] close flush timeout");
  if (cancellable != NULL)
    {
      closing->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (closing->cancel_source, "[metered] close cancelled");
      g_source_set_callback (closing->cancel_source, G_SOURCE_FUNC (on_closing_cancelled), closing, NULL);
      g_source_attach (closing->cancel_source, self->context);
    }
}

/* Pending requests. */

static void
pending_free (Pending *pending)
{
  clear_source (&pending->timeout_source);
  clear_source (&pending->cancel_source);
  g_clear_object (&pending->task);
  g_free (pending->request_id);
  g_free (pending);
}

/* Completes @pending (already out of the table) with @error (transfer
 * full), or with success when @error is NULL. */
static void
pending_complete (Pending *pending,
                  GError  *error)
{
  GTask *task = g_steal_pointer (&pending->task);

  pending_free (pending);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);

  g_object_unref (task);
}

static Pending *
pending_take (MeteredClient *self,
              const char    *request_id)
{
  gpointer key = NULL;
  gpointer value = NULL;

  if (request_id == NULL ||
      !g_hash_table_steal_extended (self->pending, request_id, &key, &value))
    return NULL;

  return value;
}

static gboolean
on_pending_timeout (gpointer data)
{
  Pending *pending = data;
  MeteredClient *self = pending->client;
  double timeout = self->ack_timeout;

  g_debug ("Request %s got no answer in time", pending->request_id);
  pending = pending_take (self, pending->request_id);
  g_assert (pending != NULL);
  pending_complete (pending,
                    g_error_new (METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_ACK_TIMEOUT,
                                 "The server did not answer request %s within %g s",
                                 pending->request_id, timeout));

  return G_SOURCE_REMOVE;
}

static gboolean
on_pending_cancelled (GCancellable *cancellable,
                      gpointer      data)
{
  Pending *pending = data;

  pending = pending_take (pending->client, pending->request_id);
  g_assert (pending != NULL);
  pending_complete (pending,
                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "The request was cancelled before the server answered"));

  return G_SOURCE_REMOVE;
}

static GPtrArray *
steal_pending (MeteredClient *self)
{
  GPtrArray *all = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (all, value);
      g_hash_table_iter_steal (&iter);
    }

  return all;
}

static void
fail_pending (GPtrArray  *all,
              GQuark      domain,
              int         code,
              const char *message)
{
  for (guint i = 0; i < all->len; i++)
    pending_complete (g_ptr_array_index (all, i), g_error_new_literal (domain, code, message));

  g_ptr_array_unref (all);
}

/* Subscriptions tracked for replay. */

static void
subscription_free (gpointer data)
{
  Subscription *subscription = data;

  g_free (subscription->channel);
  g_free (subscription);
}

static Subscription *
find_subscription (MeteredClient *self,
                   const char    *channel)
{
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *subscription = g_ptr_array_index (self->subscriptions, i);

      if (g_str_equal (subscription->channel, channel))
        return subscription;
    }

  return NULL;
}

static void
track_subscription (MeteredClient         *self,
                    const char            *channel,
                    MeteredSubscribeFlags  flags)
{
  Subscription *subscription = find_subscription (self, channel);

  if (subscription == NULL)
    {
      subscription = g_new0 (Subscription, 1);
      subscription->channel = g_strdup (channel);
      g_ptr_array_add (self->subscriptions, subscription);
    }

  subscription->flags = flags;
}

static void
forget_subscription (MeteredClient *self,
                     const char    *channel)
{
  Subscription *subscription = find_subscription (self, channel);

  if (subscription != NULL)
    g_ptr_array_remove (self->subscriptions, subscription);
}

/* Timers of the live link. */

static void
replay_timer_free (gpointer data)
{
  ReplayTimer *timer = data;

  clear_source (&timer->source);
  g_free (timer->channel);
  g_free (timer);
}

static void
clear_link_timers (MeteredClient *self)
{
  clear_source (&self->welcome_source);
  clear_source (&self->token_timeout_source);
  clear_source (&self->inactivity_source);
  clear_source (&self->keepalive_source);
  g_ptr_array_set_size (self->replay_timers, 0);
}

static void
orphan_closed (MeteredWebsocket *conn,
               gpointer          data)
{
  g_object_unref (conn);
}

/* Codes a client may put in a close frame (RFC 6455 §7.4); others, such as
 * the local-only 1006, are reported but sent as 1000. */
static gushort
sendable_close_code (int code)
{
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1010) || (code >= 3000 && code <= 4999))
    return (gushort) code;

  return METERED_CLOSE_CODE_NORMAL;
}

/* Takes the current link out of service: stops its timers, abandons its
 * token request or handshake, and starts the close handshake of its
 * WebSocket with @code and @reason. Returns the WebSocket's closing record
 * when a close handshake is under way. */
static Closing *
detach_link (MeteredClient *self,
             int            code,
             const char    *reason)
{
  g_autoptr(Link) link = g_steal_pointer (&self->link);
  MeteredWebsocket *conn;
  Closing *closing = NULL;

  clear_link_timers (self);
  wipe_string (&self->token_in_use);

  if (link == NULL)
    return NULL;

  link->client = NULL;

  if (link->token_request != NULL)
    metered_token_request_abandon (link->token_request);
  if (link->cancellable != NULL)
    g_cancellable_cancel (link->cancellable);

  conn = link->conn;
  if (conn == NULL)
    return NULL;

  g_signal_handlers_disconnect_by_data (conn, link);

  switch (metered_websocket_get_state (conn))
    {
    case METERED_WEBSOCKET_STATE_OPEN:
      metered_websocket_close (conn, sendable_close_code (code), reason);
      closing = closing_new (self, conn);
      break;

    case METERED_WEBSOCKET_STATE_CLOSING:
      closing = closing_new (self, conn);
      break;

    case METERED_WEBSOCKET_STATE_CLOSED:
    default:
      break;
    }

  return closing;
}

/* Reconnect policy. */

static gboolean
should_schedule_reconnect (MeteredClient *self,
                           int            code)
{
  if (self->explicitly_closed || !self->auto_reconnect)
    return FALSE;

  /* Failures of the first connect go to its caller, not to a retry loop. */
  if (!self->was_ever_connected)
    return FALSE;

  if (code > 0 && metered_close_code_get_reconnect_policy (code) == METERED_RECONNECT_POLICY_TERMINAL)
    return FALSE;

  return (double) self->reconnect_attempts < self->reconnect_options->max_attempts;
}

static gboolean
on_reconnect_timer (gpointer data)
{
  MeteredClient *self = data;

  clear_source (&self->reconnect_source);
  start_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (MeteredClient *self)
{
  double delay;

  if (self->reconnect_source != NULL || self->explicitly_closed || !self->auto_reconnect)
    return;

  self->reconnect_attempts++;
  delay = metered_reconnect_options_get_delay (self->reconnect_options,
                                               self->reconnect_attempts,
                                               self->next_delay_floor,
                                               g_rand_double (self->rand));
  self->next_delay_floor = 0;

  g_info ("Reconnecting in %.3f s (attempt %u)", delay, self->reconnect_attempts);
  self->reconnect_source = schedule_timeout (self, seconds_to_ms (delay), on_reconnect_timer,
                                             self, "[metered] reconnect");

  if (self->reconnect_observer != NULL)
    self->reconnect_observer (self, self->reconnect_attempts, delay, self->reconnect_observer_data);

  transition (self, METERED_CLIENT_STATE_RECONNECTING);
}

/* Token resolution. */

static void
token_failed (MeteredClient *client,
              GError        *error)
{
  g_autoptr(MeteredClient) self = g_object_ref (client);
  g_autoptr(GError) owned = error;
  g_autoptr(GTask) connect_task = NULL;
  g_autoptr(Link) link = link_ref (self->link);

  self->consecutive_token_failures++;
  g_info ("The token provider failed (%u in a row): %s",
          self->consecutive_token_failures, owned->message);

  if (self->consecutive_token_failures >= TOKEN_FAILURE_EVENT_THRESHOLD)
    {
      emit_event (self, SIGNAL_TOKEN_PROVIDER_ERROR,
                  metered_token_provider_error_event_new (self->consecutive_token_failures, owned));
      if (!link_is_current (self, link))
        return;
    }

  detach_link (self, METERED_CLOSE_CODE_NORMAL, NULL);

  if (should_schedule_reconnect (self, 0))
    {
      schedule_reconnect (self);
      return;
    }

  connect_task = g_steal_pointer (&self->connect_task);
  clear_source (&self->connect_cancel_source);

  if (self->was_ever_connected)
    {
      guint generation = self->generation;

      /* The attempts ran out without a socket to report: the last word
       * still goes to the disconnected handlers. */
      emit_event (self, SIGNAL_DISCONNECTED,
                  metered_disconnected_event_new (METERED_CLOSE_CODE_ABNORMAL,
                                                  "the token provider failed", FALSE));
      if (generation != self->generation)
        return;
    }

  transition (self, METERED_CLIENT_STATE_CLOSED);

  if (connect_task != NULL)
    {
      if (g_error_matches (owned, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_TOKEN_PROVIDER))
        g_task_return_error (connect_task, g_steal_pointer (&owned));
      else
        g_task_return_new_error (connect_task, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_TOKEN_PROVIDER,
                                 "The token provider failed: %s", owned->message);
    }
}

static gboolean
on_token_timeout (gpointer data)
{
  MeteredClient *self = data;
  Link *link = self->link;

  clear_source (&self->token_timeout_source);

  g_assert (link != NULL && link->token_request != NULL);
  metered_token_request_abandon (link->token_request);
  g_clear_object (&link->token_request);

  token_failed (self, g_error_new (METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_TOKEN_PROVIDER,
                                   "The token provider did not answer within %g s",
                                   self->token_provider_timeout));

  return G_SOURCE_REMOVE;
}

static void open_socket (MeteredClient *self,
                         Link          *link,
                         const char    *param,
                         const char    *credential);

static void
on_token_answer (MeteredTokenRequest *request,
                 char                *token,
                 GError              *error,
                 gpointer             data)
{
  Link *link = data;
  MeteredClient *self = link->client;

  /* Abandoned requests never answer, so the link is still current. */
  g_assert (self != NULL && self->link == link);

  clear_source (&self->token_timeout_source);
  g_clear_object (&link->token_request);

  if (error != NULL)
    {
      token_failed (self, error);
      return;
    }

  self->consecutive_token_failures = 0;
  wipe_string (&self->token_in_use);
  self->token_in_use = token;
  open_socket (self, link, "token", token);
}

/* The WebSocket. */

static void
send_text (MeteredClient *self,
           const char    *text)
{
  observe_frame (self, TRUE, text);
  metered_websocket_send_text (self->link->conn, text, -1);
}

static gboolean
link_is_open (MeteredClient *self)
{
  return self->link != NULL &&
         self->link->conn != NULL &&
         metered_websocket_get_state (self->link->conn) == METERED_WEBSOCKET_STATE_OPEN;
}

static gboolean on_inactivity (gpointer data);
static gboolean on_keepalive  (gpointer data);

static gint64
keepalive_interval_us (MeteredClient *self)
{
  return (gint64) (MAX (KEEPALIVE_MIN_INTERVAL, self->inactivity_timeout / 3.0) * G_USEC_PER_SEC);
}

static void
arm_inactivity (MeteredClient *self,
                gint64         deadline)
{
  gint64 now = g_get_monotonic_time ();
  gint64 remaining = MAX (0, deadline - now);

  clear_source (&self->inactivity_source);
  self->inactivity_source = schedule_timeout (self, (guint) MIN ((remaining + 999) / 1000, G_MAXUINT),
                                              on_inactivity, self, "[metered] inactivity watchdog");
}

static void
arm_keepalive (MeteredClient *self,
               gint64         deadline)
{
  gint64 now = g_get_monotonic_time ();
  gint64 remaining = MAX (0, deadline - now);

  clear_source (&self->keepalive_source);
  self->keepalive_source = schedule_timeout (self, (guint) MIN ((remaining + 999) / 1000, G_MAXUINT),
                                             on_keepalive, self, "[metered] keepalive");
}

/* Both timers look at the time of the last inbound frame when they fire,
 * rather than being re-armed for every frame, which keeps a busy link
 * cheap. */
static gboolean
on_inactivity (gpointer data)
{
  MeteredClient *self = data;
  gint64 timeout_us = (gint64) (self->inactivity_timeout * G_USEC_PER_SEC);
  gint64 deadline = self->last_rx_time + timeout_us;

  clear_source (&self->inactivity_source);

  if (g_get_monotonic_time () < deadline)
    {
      arm_inactivity (self, deadline);
      return G_SOURCE_REMOVE;
    }

  g_info ("Nothing arrived for %g s; closing the connection", self->inactivity_timeout);
  handle_close (self, METERED_CLOSE_CODE_CLIENT_INACTIVITY, "inactivity timeout", NULL);

  return G_SOURCE_REMOVE;
}

static gboolean
on_keepalive (gpointer data)
{
  MeteredClient *self = data;
  gint64 interval = keepalive_interval_us (self);
  gint64 now = g_get_monotonic_time ();
  gint64 last = MAX (self->last_rx_time, self->last_ping_time);

  clear_source (&self->keepalive_source);

  if (now - last >= interval)
    {
      /* Only a welcomed link is probed. */
      if (self->state == METERED_CLIENT_STATE_CONNECTED && link_is_open (self))
        {
          g_autofree char *ping = metered_frame_build_ping ();

          g_debug ("Idle link: sending a keepalive ping");
          send_text (self, ping);
        }
      self->last_ping_time = now;
      last = now;
    }

  arm_keepalive (self, last + interval);

  return G_SOURCE_REMOVE;
}

static void
start_watchdogs (MeteredClient *self)
{
  gint64 now = g_get_monotonic_time ();

  self->last_rx_time = now;
  self->last_ping_time = now;

  /* Like the official SDKs: no positive, finite timeout, no watchdog. */
  if (!(isfinite (self->inactivity_timeout) && self->inactivity_timeout > 0))
    return;

  arm_inactivity (self, now + (gint64) (self->inactivity_timeout * G_USEC_PER_SEC));
  arm_keepalive (self, now + keepalive_interval_us (self));
}

static gboolean
on_welcome_timeout (gpointer data)
{
  MeteredClient *self = data;

  clear_source (&self->welcome_source);

  g_info ("No welcome within %g s; closing the connection", self->welcome_timeout);
  handle_close (self, METERED_CLOSE_CODE_CLIENT_INACTIVITY, "welcome timeout",
                g_error_new (METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_WELCOME_TIMEOUT,
                             "The server sent no welcome within %g s", self->welcome_timeout));

  return G_SOURCE_REMOVE;
}

/* Frames from the server. */

static void
replay_subscription (MeteredClient *self,
                     const char    *channel);

static gboolean
on_replay_timer (gpointer data)
{
  ReplayTimer *timer = data;
  MeteredClient *self = timer->client;
  g_autofree char *channel = g_strdup (timer->channel);
  guint64 epoch = timer->epoch;

  /* Frees @timer. */
  g_ptr_array_remove_fast (self->replay_timers, timer);

  if (self->link != NULL && self->link->epoch == epoch && self->state == METERED_CLIENT_STATE_CONNECTED)
    replay_subscription (self, channel);

  return G_SOURCE_REMOVE;
}

static void
on_replay_done (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  MeteredClient *self = METERED_CLIENT (source);
  ReplayData *replay = data;
  g_autoptr(GError) error = NULL;
  ReplayTimer *timer;
  guint used;

  if (g_task_propagate_boolean (G_TASK (result), &error) ||
      self->link == NULL || self->link->epoch != replay->epoch ||
      self->state != METERED_CLIENT_STATE_CONNECTED)
    goto out;

  /* The next welcome replays every tracked channel anyway. */
  if (find_subscription (self, replay->channel) == NULL)
    goto out;

  used = GPOINTER_TO_UINT (g_hash_table_lookup (self->replay_retries, replay->channel));
  if (used >= REPLAY_MAX_RETRIES)
    {
      g_info ("Gave up resubscribing to a channel after %u attempts (%s); "
              "it stays tracked for the next reconnect", used + 1, error->message);
      goto out;
    }

  g_info ("Resubscribing failed (%s); retrying in %g s", error->message, self->replay_retry_delay);
  g_hash_table_insert (self->replay_retries, g_strdup (replay->channel), GUINT_TO_POINTER (used + 1));

  timer = g_new0 (ReplayTimer, 1);
  timer->client = self;
  timer->channel = g_strdup (replay->channel);
  timer->epoch = replay->epoch;
  timer->source = schedule_timeout (self, seconds_to_ms (self->replay_retry_delay), on_replay_timer,
                                    timer, "[metered] resubscribe retry");
  g_ptr_array_add (self->replay_timers, timer);

out:
  g_free (replay->channel);
  g_free (replay);
}

static void send_request (MeteredClient         *self,
                          GTask                 *task,
                          RequestKind            kind,
                          const char            *target,
                          const char            *data_json,
                          MeteredSubscribeFlags  flags);

static void
replay_subscription (MeteredClient *self,
                     const char    *channel)
{
  Subscription *subscription = find_subscription (self, channel);
  g_autoptr(GTask) task = NULL;
  ReplayData *replay;

  if (subscription == NULL)
    return;

  replay = g_new0 (ReplayData, 1);
  replay->channel = g_strdup (channel);
  replay->epoch = self->link->epoch;

  task = g_task_new (self, NULL, on_replay_done, replay);
  g_task_set_source_tag (task, replay_subscription);
  send_request (self, task, REQUEST_SUBSCRIBE, channel, NULL, subscription->flags);
}

static void
replay_subscriptions (MeteredClient *self)
{
  g_autoptr(GPtrArray) channels = g_ptr_array_new_with_free_func (g_free);

  if (self->subscriptions->len == 0)
    return;

  g_info ("Resubscribing to %u channels", self->subscriptions->len);

  /* Sending may complete a request at once; iterate over a copy. */
  for (guint i = 0; i < self->subscriptions->len; i++)
    g_ptr_array_add (channels, g_strdup (((Subscription *) g_ptr_array_index (self->subscriptions, i))->channel));

  for (guint i = 0; i < channels->len && self->state == METERED_CLIENT_STATE_CONNECTED; i++)
    replay_subscription (self, g_ptr_array_index (channels, i));
}

static void
handle_welcome (MeteredClient *client,
                Link          *link,
                MeteredFrame  *frame)
{
  g_autoptr(MeteredClient) self = g_object_ref (client);
  g_autoptr(GPtrArray) ice_servers = NULL;
  g_autoptr(GTask) connect_task = NULL;
  gboolean is_reconnect;

  if (link->welcomed)
    {
      g_info ("Ignored a second welcome on the same connection");
      return;
    }

  link->welcomed = TRUE;
  clear_source (&self->welcome_source);

  is_reconnect = self->was_ever_connected;
  self->was_ever_connected = TRUE;
  self->reconnect_attempts = 0;
  self->next_delay_floor = 0;
  g_hash_table_remove_all (self->replay_retries);

  if (frame->max_message_size > 0)
    self->max_message_size = frame->max_message_size;
  else
    g_info ("Ignored a welcome maxMessageSize of %" G_GINT64_FORMAT, frame->max_message_size);

  g_free (self->peer_id);
  self->peer_id = g_strdup (frame->peer_id);

  ice_servers = metered_ice_servers_from_metadata (frame->metadata);

  g_info ("Connected as peer %s%s", frame->peer_id, is_reconnect ? " (reconnect)" : "");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_MESSAGE_SIZE]);
  transition (self, METERED_CLIENT_STATE_CONNECTED);
  if (!link_is_current (self, link))
    return;

  emit_event (self, SIGNAL_CONNECTED,
              metered_connected_event_new (frame->peer_id, frame->server_time,
                                           frame->has_expires_at, frame->expires_at,
                                           is_reconnect, self->max_message_size, ice_servers));
  if (!link_is_current (self, link))
    return;

  if (is_reconnect && self->auto_resubscribe)
    {
      replay_subscriptions (self);
      if (!link_is_current (self, link))
        return;
    }

  connect_task = g_steal_pointer (&self->connect_task);
  clear_source (&self->connect_cancel_source);
  if (connect_task != NULL)
    g_task_return_boolean (connect_task, TRUE);
}

static void
handle_error_frame (MeteredClient *self,
                    MeteredFrame  *frame)
{
  Pending *pending = pending_take (self, frame->request_id);
  g_autofree char *message = NULL;

  /* Free text for logs, which a server may fill with anything, the
   * credential it was given included. */
  if (frame->message != NULL)
    message = sanitize_text (self, frame->message, MAX_ERROR_MESSAGE_CHARS);

  if (pending != NULL)
    {
      pending_complete (pending, metered_server_error_new (frame->code, message));
      return;
    }

  /* A server without the JSON keepalive answers the ping (which has no
   * request id) this way; exactly that shape is expected and ignored. */
  if (frame->request_id == NULL && g_str_equal (frame->code, "unknown_type"))
    {
      g_debug ("Ignored unknown_type without a request id (a server without keepalive support)");
      return;
    }

  emit_event (self, SIGNAL_SERVER_ERROR,
              metered_server_error_event_new (frame->code, message, frame->request_id));
}

static void
dispatch_frame (MeteredClient *self,
                Link          *link,
                MeteredFrame  *frame)
{
  Pending *pending;

  switch (frame->type)
    {
    case METERED_FRAME_WELCOME:
      handle_welcome (self, link, frame);
      break;

    case METERED_FRAME_ACK:
      pending = pending_take (self, frame->request_id);
      if (pending != NULL)
        pending_complete (pending, NULL);
      else
        g_debug ("Ignored an ack for a request that is no longer pending");
      break;

    case METERED_FRAME_ERROR:
      handle_error_frame (self, frame);
      break;

    case METERED_FRAME_MESSAGE:
      emit_event (self, SIGNAL_MESSAGE,
                  metered_message_event_new_take (frame->channel, frame->peer_id,
                                                  g_steal_pointer (&frame->data_text),
                                                  frame->metadata));
      break;

    case METERED_FRAME_DIRECT:
      emit_event (self, SIGNAL_DIRECT,
                  metered_direct_event_new_take (frame->peer_id,
                                                 g_steal_pointer (&frame->data_text),
                                                 frame->metadata));
      break;

    case METERED_FRAME_PRESENCE:
      emit_event (self, SIGNAL_PRESENCE,
                  metered_presence_event_new (frame->channel, frame->joined, frame->left));
      break;

    case METERED_FRAME_GOING_AWAY:
      g_info ("The server is going away (retry after %" G_GINT64_FORMAT " ms)", frame->retry_after_ms);
      emit_event (self, SIGNAL_GOING_AWAY, metered_going_away_event_new (frame->retry_after_ms));
      break;

    case METERED_FRAME_PONG:
      break;

    case METERED_FRAME_INVALID:
    case METERED_FRAME_SUBSCRIBE:
    case METERED_FRAME_UNSUBSCRIBE:
    case METERED_FRAME_PUBLISH:
    case METERED_FRAME_SEND:
    case METERED_FRAME_PING:
    default:
      g_assert_not_reached ();
    }
}

static void
on_ws_message (MeteredWebsocket         *conn,
               MeteredWebsocketDataType  type,
               GBytes                   *message,
               gpointer                  data)
{
  Link *link = data;
  MeteredClient *self = link->client;
  g_autoptr(Link) hold = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  MeteredFrame frame;
  const char *text;
  gsize len;

  if (self == NULL || self->link != link)
    return;

  /* Handlers may close the client, which drops the link. */
  hold = link_ref (link);

  /* Messages over MAX_INBOUND_FRAME_BYTES never get here: the WebSocket
   * closes with 1009 and reports it to on_ws_error(). Payloads end in a
   * NUL the size does not count. */
  text = g_bytes_get_data (message, &len);

  if (type != METERED_WEBSOCKET_DATA_TEXT)
    {
      g_info ("Dropped a binary frame of %" G_GSIZE_FORMAT " bytes", len);
      return;
    }

  self->last_rx_time = g_get_monotonic_time ();
  if (self->frame_observer != NULL)
    {
      /* Observers may keep the text until the frame is dispatched. */
      shown = dup_scrubbed (self, text);
      observe_frame (self, FALSE, shown != NULL ? shown : text);
    }

  /* The WebSocket checked that the text is UTF-8; the payload's node is
   * built only if an event handler asks for it. */
  if (!metered_frame_parse_server_frame_full (text, len,
                                              METERED_FRAME_PARSE_UTF8_VALID | METERED_FRAME_PARSE_LAZY_DATA,
                                              &frame, &error))
    {
      g_info ("Dropped a malformed frame: %s", error->message);
      return;
    }

  dispatch_frame (self, link, &frame);
  metered_frame_clear (&frame);
}

static void
on_ws_error (MeteredWebsocket *conn,
             GError           *error,
             gpointer          data)
{
  Link *link = data;
  MeteredClient *self = link->client;
  g_autofree char *reason = NULL;
  int code;

  if (self == NULL || self->link != link)
    return;

  /* The WebSocket already sent the close frame for these; the link ends
   * with that code, whatever the peer answers (or whether it does). */
  if (g_error_matches (error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_TOO_BIG))
    {
      g_info ("A frame exceeded the %d byte cap; closing the connection", MAX_INBOUND_FRAME_BYTES);
      handle_close (self, METERED_CLOSE_CODE_MESSAGE_TOO_BIG, "frame exceeded client cap", NULL);
      return;
    }

  if (g_error_matches (error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_BAD_DATA))
    code = CLOSE_CODE_INVALID_PAYLOAD;
  else if (g_error_matches (error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_PROTOCOL))
    code = CLOSE_CODE_PROTOCOL_ERROR;
  else
    {
      /* I/O errors: ::closed follows without a close frame (1006). */
      g_debug ("WebSocket error: %s", error->message);
      return;
    }

  reason = sanitize_text (self, error->message, MAX_REASON_CHARS);
  g_info ("The server broke the WebSocket protocol (%s); closing with %d", reason, code);
  handle_close (self, code, reason, NULL);
}

static void
on_ws_closed (MeteredWebsocket *conn,
              gpointer          data)
{
  Link *link = data;
  MeteredClient *self = link->client;
  g_autofree char *reason = NULL;
  int code;

  if (self == NULL || self->link != link)
    return;

  /* No close frame at all (a reset, a dropped link) reads as 1006. */
  code = metered_websocket_get_close_code (conn);
  if (code == 0)
    code = METERED_CLOSE_CODE_ABNORMAL;
  reason = sanitize_text (self, metered_websocket_get_close_reason (conn), MAX_REASON_CHARS);

  g_info ("The connection closed with code %d", code);
  handle_close (self, code, reason, NULL);
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(Link) link = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MeteredWebsocket) conn = NULL;
  MeteredClient *self = link->client;
  guint status = 0;

  conn = metered_websocket_connect_finish (result, &status, &error);

  if (self == NULL || self->link != link)
    {
      /* The attempt was abandoned while the handshake completed. */
      if (conn != NULL && metered_websocket_get_state (conn) == METERED_WEBSOCKET_STATE_OPEN)
        {
          metered_websocket_close (conn, METERED_CLOSE_CODE_NORMAL, NULL);
          g_signal_connect (g_object_ref (conn), "closed", G_CALLBACK (orphan_closed), NULL);
        }
      return;
    }

  if (conn == NULL)
    {
      g_autofree char *detail = NULL;
      g_autofree char *reason = NULL;

      if (status >= 200 && status != 101)
        detail = g_strdup_printf ("the server refused the WebSocket upgrade with HTTP %u", status);
      else
        detail = g_strdup_printf ("the connection failed: %s", error->message);

      reason = sanitize_text (self, detail, MAX_REASON_CHARS);
      g_info ("Connecting failed: %s", reason);
      handle_close (self, METERED_CLOSE_CODE_ABNORMAL, reason, NULL);
      return;
    }

  link->conn = g_steal_pointer (&conn);
  g_clear_object (&link->cancellable);

  metered_websocket_set_max_incoming_payload (link->conn, MAX_INBOUND_FRAME_BYTES);
  g_signal_connect (link->conn, "message", G_CALLBACK (on_ws_message), link);
  g_signal_connect (link->conn, "error", G_CALLBACK (on_ws_error), link);
  g_signal_connect (link->conn, "closed", G_CALLBACK (on_ws_closed), link);

  g_debug ("WebSocket open; waiting for welcome");
  start_watchdogs (self);
}

static void
open_socket (MeteredClient *self,
             Link          *link,
             const char    *param,
             const char    *credential)
{
  g_autofree char *url = metered_url_build_connect (self->url, param, credential);
  g_autofree char *redacted = metered_url_redact (url);

  g_debug ("Opening %s", redacted);

  link->cancellable = g_cancellable_new ();
  self->welcome_source = schedule_timeout (self, seconds_to_ms (self->welcome_timeout), on_welcome_timeout,
                                           self, "[metered] welcome timeout");

  metered_websocket_connect_async (url, self->tls_database, "libmetered",
                                   link->cancellable, on_ws_connected, link_ref (link));
  wipe_string (&url);
}

static void
start_attempt (MeteredClient *self)
{
  g_autoptr(Link) link = link_new (self, ++self->epoch);

  self->link = link_ref (link);

  transition (self, self->reconnect_attempts > 0 ? METERED_CLIENT_STATE_RECONNECTING
                                                 : METERED_CLIENT_STATE_CONNECTING);
  if (!link_is_current (self, link))
    return;

  if (self->api_key != NULL)
    {
      open_socket (self, link, "key", self->api_key);
      return;
    }

  g_debug ("Asking the token provider for a token");
  link->token_request = metered_token_request_new (on_token_answer, link);
  self->token_timeout_source = schedule_timeout (self, seconds_to_ms (self->token_provider_timeout),
                                                 on_token_timeout, self, "[metered] token provider timeout");
  self->token_provider (self, link->token_request, self->token_provider_data);
}

/* A connection (or connection attempt) ended: decide between reconnecting
 * and closing, report it, and fail what waited on it. Takes @connect_error
 * (nullable): the error for a pending connect() instead of the close code. */
static void
handle_close (MeteredClient *client,
              int            code,
              const char    *reason,
              GError        *connect_error)
{
  g_autoptr(MeteredClient) self = g_object_ref (client);
  g_autoptr(GError) owned_connect_error = connect_error;
  g_autoptr(GTask) connect_task = NULL;
  g_autofree char *safe_reason = g_strdup (reason != NULL ? reason : "");
  GPtrArray *pending;
  gboolean will_reconnect;
  guint generation;

  detach_link (self, code, safe_reason);

  if (metered_close_code_get_reconnect_policy (code) == METERED_RECONNECT_POLICY_SLOW)
    self->next_delay_floor = MAX (self->next_delay_floor, metered_close_code_get_backoff_floor (code));

  pending = steal_pending (self);
  connect_task = g_steal_pointer (&self->connect_task);
  clear_source (&self->connect_cancel_source);

  will_reconnect = should_schedule_reconnect (self, code);
  generation = self->generation;

  if (self->was_ever_connected)
    emit_event (self, SIGNAL_DISCONNECTED, metered_disconnected_event_new (code, safe_reason, will_reconnect));

  /* A handler may have closed or reconnected the client itself. */
  if (generation == self->generation)
    {
      if (will_reconnect)
        schedule_reconnect (self);
      else
        transition (self, METERED_CLIENT_STATE_CLOSED);
    }

  fail_pending (pending, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_DISCONNECTED,
                "The connection closed before the server answered; the request may or may not have been processed");

  if (connect_task != NULL)
    {
      if (owned_connect_error != NULL)
        g_task_return_error (connect_task, g_steal_pointer (&owned_connect_error));
      else
        g_task_return_error (connect_task, metered_close_error_new (code, safe_reason));
    }
}

/* Closes the client for good (until the next connect). Returns the closing
 * record of the WebSocket when a close handshake is under way. */
static Closing *
close_internal (MeteredClient *client,
                int            code,
                const char    *reason,
                GError        *connect_error)
{
  g_autoptr(MeteredClient) self = g_object_ref (client);
  g_autoptr(GError) owned_connect_error = connect_error;
  g_autoptr(GTask) connect_task = NULL;
  GPtrArray *pending;
  gboolean was_welcomed;
  Closing *closing;

  self->explicitly_closed = TRUE;
  self->generation++;
  clear_source (&self->reconnect_source);

  was_welcomed = self->link != NULL && self->link->welcomed;
  closing = detach_link (self, code, reason);

  pending = steal_pending (self);
  connect_task = g_steal_pointer (&self->connect_task);
  clear_source (&self->connect_cancel_source);

  transition (self, METERED_CLIENT_STATE_CLOSED);

  if (was_welcomed)
    emit_event (self, SIGNAL_DISCONNECTED, metered_disconnected_event_new (code, reason, FALSE));

  fail_pending (pending, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED,
                "The client was closed before the server answered");

  if (connect_task != NULL)
    {
      if (owned_connect_error != NULL)
        g_task_return_error (connect_task, g_steal_pointer (&owned_connect_error));
      else
        g_task_return_new_error (connect_task, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED,
                                 "The client was closed while connecting");
    }

  return closing;
}

/* GObject. */

static gboolean
metered_client_initable_init (GInitable     *initable,
                              GCancellable  *cancellable,
                              GError       **error)
{
  MeteredClient *self = METERED_CLIENT (initable);
  gboolean has_key = self->api_key != NULL && self->api_key[0] != '\0';
  gboolean has_provider = self->token_provider != NULL;

  if (self->initialized)
    return TRUE;

  if (has_key == has_provider)
    {
      g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                           has_key ? "Give an API key or a token provider, not both"
                                   : "An API key or a token provider is required");
      return FALSE;
    }

  if (self->url == NULL)
    self->url = g_strdup (METERED_DEFAULT_URL);
  if (!metered_url_validate_base (self->url, error))
    return FALSE;

  if (!(isfinite (self->token_provider_timeout) && self->token_provider_timeout > 0))
    {
      g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                           "token-provider-timeout must be a finite number of seconds greater than 0");
      return FALSE;
    }

  if (!(isfinite (self->welcome_timeout) && self->welcome_timeout > 0) ||
      !(isfinite (self->ack_timeout) && self->ack_timeout > 0) ||
      !(isfinite (self->replay_retry_delay) && self->replay_retry_delay > 0))
    {
      g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                           "welcome-timeout, ack-timeout and replay-retry-delay must be finite numbers "
                           "of seconds greater than 0");
      return FALSE;
    }

  if (self->reconnect_options == NULL)
    self->reconnect_options = metered_reconnect_options_new ();
  if (!metered_reconnect_options_validate (self->reconnect_options, error))
    return FALSE;

  self->context = g_main_context_ref_thread_default ();

  self->initialized = TRUE;

  return TRUE;
}

static void
metered_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = metered_client_initable_init;
}

static void
metered_client_dispose (GObject *object)
{
  MeteredClient *self = (MeteredClient *) object;

  /* Pending operations hold a reference, so none is left here. */
  g_assert (self->connect_task == NULL);
  g_assert (self->pending == NULL || g_hash_table_size (self->pending) == 0);

  self->explicitly_closed = TRUE;
  self->generation++;
  clear_source (&self->reconnect_source);
  clear_source (&self->connect_cancel_source);

  if (self->closing != NULL)
    {
      /* The client goes; its sockets finish their close handshakes alone. */
      detach_link (self, METERED_CLOSE_CODE_GOING_AWAY, "client finalized");

      for (guint i = 0; i < self->closing->len; i++)
        {
          Closing *c = g_ptr_array_index (self->closing, i);

          g_assert (c->close_task == NULL);
          if (metered_websocket_get_state (c->conn) != METERED_WEBSOCKET_STATE_CLOSED)
            g_signal_connect (g_object_ref (c->conn), "closed", G_CALLBACK (orphan_closed), NULL);
          closing_free (c);
        }
      g_ptr_array_set_size (self->closing, 0);
    }

  if (self->streams != NULL)
    {
      for (guint i = 0; i < self->streams->len; i++)
        {
          MeteredEventStream *stream = g_ptr_array_index (self->streams, i);

          g_object_weak_unref (G_OBJECT (stream), on_stream_finalized, self);
          metered_event_stream_close (stream);
        }
      g_ptr_array_set_size (self->streams, 0);
    }

  if (self->token_provider_destroy != NULL)
    g_clear_pointer (&self->token_provider_data, self->token_provider_destroy);
  self->token_provider = NULL;


  G_OBJECT_CLASS (metered_client_parent_class)->dispose (object);
}

static void
metered_client_finalize (GObject *object)
{
  MeteredClient *self = (MeteredClient *) object;

  wipe_string (&self->api_key);
  wipe_string (&self->token_in_use);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->reconnect_options, metered_reconnect_options_free);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->peer_id, g_free);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->subscriptions, g_ptr_array_unref);
  g_clear_pointer (&self->replay_retries, g_hash_table_unref);
  g_clear_pointer (&self->replay_timers, g_ptr_array_unref);
  g_clear_pointer (&self->closing, g_ptr_array_unref);
  g_clear_pointer (&self->streams, g_ptr_array_unref);

  G_OBJECT_CLASS (metered_client_parent_class)->finalize (object);
}

static void
metered_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MeteredClient *self = METERED_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_TOKEN_PROVIDER_TIMEOUT:
      g_value_set_double (value, self->token_provider_timeout);
      break;

    case PROP_RECONNECT_OPTIONS:
      g_value_set_boxed (value, self->reconnect_options);
      break;

    case PROP_AUTO_RECONNECT:
      g_value_set_boolean (value, self->auto_reconnect);
      break;

    case PROP_INACTIVITY_TIMEOUT:
      g_value_set_double (value, self->inactivity_timeout);
      break;

    case PROP_AUTO_RESUBSCRIBE:
      g_value_set_boolean (value, self->auto_resubscribe);
      break;

    case PROP_WELCOME_TIMEOUT:
      g_value_set_double (value, self->welcome_timeout);
      break;

    case PROP_ACK_TIMEOUT:
      g_value_set_double (value, self->ack_timeout);
      break;

    case PROP_REPLAY_RETRY_DELAY:
      g_value_set_double (value, self->replay_retry_delay);
      break;

    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;

    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_int64 (value, self->max_message_size);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MeteredClient *self = METERED_CLIENT (object);

  switch (prop_id)
    {
    case PROP_API_KEY:
      wipe_string (&self->api_key);
      self->api_key = g_value_dup_string (value);
      break;

    case PROP_URL:
      g_free (self->url);
      self->url = g_value_dup_string (value);
      break;

    case PROP_TOKEN_PROVIDER_TIMEOUT:
      self->token_provider_timeout = g_value_get_double (value);
      break;

    case PROP_RECONNECT_OPTIONS:
      g_clear_pointer (&self->reconnect_options, metered_reconnect_options_free);
      self->reconnect_options = g_value_dup_boxed (value);
      break;

    case PROP_AUTO_RECONNECT:
      self->auto_reconnect = g_value_get_boolean (value);
      break;

    case PROP_INACTIVITY_TIMEOUT:
      self->inactivity_timeout = g_value_get_double (value);
      break;

    case PROP_AUTO_RESUBSCRIBE:
      self->auto_resubscribe = g_value_get_boolean (value);
      break;

    case PROP_WELCOME_TIMEOUT:
      self->welcome_timeout = g_value_get_double (value);
      break;

    case PROP_ACK_TIMEOUT:
      self->ack_timeout = g_value_get_double (value);
      break;

    case PROP_REPLAY_RETRY_DELAY:
      self->replay_retry_delay = g_value_get_double (value);
      break;

    case PROP_TLS_DATABASE:
      g_set_object (&self->tls_database, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_client_class_init (MeteredClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_client_dispose;
  object_class->finalize = metered_client_finalize;
  object_class->get_property = metered_client_get_property;
  object_class->set_property = metered_client_set_property;

  /**
   * MeteredClient:api-key:
   *
   * The publishable key (`pk_live_…`) to connect with. Exactly one of this
   * and a token provider must be given. It is write-only: the client never
   * hands the key back.
   */
  properties[PROP_API_KEY] =
    g_param_spec_string ("api-key", NULL, NULL,
                         NULL,
                         (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:url:
   *
   * The service's base URL: `wss://` with a host and nothing else, or
   * `ws://` for `localhost`, `127.0.0.1` or `::1` only. The client appends
   * `/v1` and the credential itself.
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL,
                         METERED_DEFAULT_URL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:token-provider-timeout:
   *
   * How long the token provider may take to answer, in seconds; a
   * provider that takes longer counts as failed. Must be greater than 0.
   */
  properties[PROP_TOKEN_PROVIDER_TIMEOUT] =
    g_param_spec_double ("token-provider-timeout", NULL, NULL,
                         -INFINITY, INFINITY, DEFAULT_TOKEN_PROVIDER_TIMEOUT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:reconnect-options:
   *
   * The reconnect backoff; %NULL for the defaults (0.5 s initial delay,
   * ×2 per attempt, at most 30 s, ±20 % jitter, 100 attempts). Invalid
   * options make construction fail.
   */
  properties[PROP_RECONNECT_OPTIONS] =
    g_param_spec_boxed ("reconnect-options", NULL, NULL,
                        METERED_TYPE_RECONNECT_OPTIONS,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:auto-reconnect:
   *
   * Whether the client reconnects by itself after a connection drops.
   */
  properties[PROP_AUTO_RECONNECT] =
    g_param_spec_boolean ("auto-reconnect", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:inactivity-timeout:
   *
   * How long the connection may stay silent, in seconds, before the client
   * closes it (code 4000) and reconnects. The client sends keepalive pings
   * on an idle link every third of this time, at least every second. A
   * value of 0 or less (or infinity) disables both the watchdog and the
   * keepalive.
   */
  properties[PROP_INACTIVITY_TIMEOUT] =
    g_param_spec_double ("inactivity-timeout", NULL, NULL,
                         -INFINITY, INFINITY, DEFAULT_INACTIVITY_TIMEOUT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:auto-resubscribe:
   *
   * Whether every reconnect subscribes again to the channels subscribed to
   * before the drop (and not unsubscribed from since).
   */
  properties[PROP_AUTO_RESUBSCRIBE] =
    g_param_spec_boolean ("auto-resubscribe", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:welcome-timeout:
   *
   * How long a connection attempt may wait for the server's `welcome`, in
   * seconds. Mostly useful to tests.
   */
  properties[PROP_WELCOME_TIMEOUT] =
    g_param_spec_double ("welcome-timeout", NULL, NULL,
                         -INFINITY, INFINITY, DEFAULT_WELCOME_TIMEOUT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:ack-timeout:
   *
   * How long a request may wait for the server's answer, in seconds.
   */
  properties[PROP_ACK_TIMEOUT] =
    g_param_spec_double ("ack-timeout", NULL, NULL,
                         -INFINITY, INFINITY, DEFAULT_ACK_TIMEOUT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:replay-retry-delay:
   *
   * How long to wait before retrying a failed resubscribe after a
   * reconnect, in seconds. Each channel is retried at most 3 times per
   * connection. Mostly useful to tests.
   */
  properties[PROP_REPLAY_RETRY_DELAY] =
    g_param_spec_double ("replay-retry-delay", NULL, NULL,
                         -INFINITY, INFINITY, DEFAULT_REPLAY_RETRY_DELAY,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:tls-database:
   *
   * The certificate database used to verify `wss://` servers, for example
   * one trusting a private certificate authority; %NULL for the system's.
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL,
                         G_TYPE_TLS_DATABASE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:state:
   *
   * The client's lifecycle state.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       METERED_TYPE_CLIENT_STATE,
                       METERED_CLIENT_STATE_IDLE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:peer-id:
   *
   * The peer id of the latest welcome, or %NULL before the first one.
   */
  properties[PROP_PEER_ID] =
    g_param_spec_string ("peer-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredClient:max-message-size:
   *
   * The largest serialized payload the server accepts, in bytes, from the
   * latest welcome (65536 before the first one).
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_int64 ("max-message-size", NULL, NULL,
                        0, G_MAXINT64, DEFAULT_MAX_MESSAGE_SIZE,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MeteredClient::state-changed:
   * @self: the client
   * @from: the state the client left
   * @to: the state the client entered
   *
   * Emitted on every state transition.
   */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, METERED_TYPE_CLIENT_STATE, METERED_TYPE_CLIENT_STATE);

  /**
   * MeteredClient::connected:
   * @self: the client
   * @event: the welcome's details
   *
   * Emitted after every `welcome`: the first connect and every reconnect.
   * The resubscribe of a reconnect starts after the handlers ran.
   */
  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, METERED_TYPE_CONNECTED_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_CONNECTED], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /**
   * MeteredClient::disconnected:
   * @self: the client
   * @event: the close code and whether the client will reconnect
   *
   * Emitted when a connection closes after the client had been connected:
   * drops, failed reconnect attempts, and the application's own close. A
   * failure of the first connect is reported by
   * [method@Metered.Client.connect_finish] instead.
   */
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, METERED_TYPE_DISCONNECTED_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_DISCONNECTED], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /**
   * MeteredClient::message:
   * @self: the client
   * @event: the message
   *
   * Emitted when another peer publishes on a subscribed channel.
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, METERED_TYPE_MESSAGE_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /**
   * MeteredClient::direct:
   * @self: the client
   * @event: the message
   *
   * Emitted when another peer sends a message to this peer alone.
   */
  signals[SIGNAL_DIRECT] =
    g_signal_new ("direct",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, METERED_TYPE_DIRECT_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_DIRECT], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /**
   * MeteredClient::presence:
   * @self: the client
   * @event: the roster change
   *
   * Emitted when peers join or leave a subscribed channel, and once right
   * after each subscribe with the channel's current roster.
   */
  signals[SIGNAL_PRESENCE] =
    g_signal_new ("presence",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, METERED_TYPE_PRESENCE_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_PRESENCE], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /**
   * MeteredClient::server-error:
   * @self: the client
   * @event: the error
   *
   * Emitted for an `error` frame that answers no pending request. It does
   * not close the connection.
   */
  signals[SIGNAL_SERVER_ERROR] =
    g_signal_new ("server-error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, METERED_TYPE_SERVER_ERROR_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_SERVER_ERROR], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /**
   * MeteredClient::going-away:
   * @self: the client
   * @event: the server's retry hint
   *
   * Emitted when the server announces a graceful shutdown. Informational:
   * the client reconnects with its normal backoff after the close that
   * follows.
   */
  signals[SIGNAL_GOING_AWAY] =
    g_signal_new ("going-away",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, METERED_TYPE_GOING_AWAY_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_GOING_AWAY], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /**
   * MeteredClient::token-provider-error:
   * @self: the client
   * @event: the failure count and the latest error
   *
   * Emitted when the token provider failed three times in a row, and on
   * each further consecutive failure. The client keeps retrying.
   */
  signals[SIGNAL_TOKEN_PROVIDER_ERROR] =
    g_signal_new ("token-provider-error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, METERED_TYPE_TOKEN_PROVIDER_ERROR_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_TOKEN_PROVIDER_ERROR], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);
}

static void
metered_client_init (MeteredClient *self)
{
  self->token_provider_timeout = DEFAULT_TOKEN_PROVIDER_TIMEOUT;
  self->inactivity_timeout = DEFAULT_INACTIVITY_TIMEOUT;
  self->welcome_timeout = DEFAULT_WELCOME_TIMEOUT;
  self->ack_timeout = DEFAULT_ACK_TIMEOUT;
  self->replay_retry_delay = DEFAULT_REPLAY_RETRY_DELAY;
  self->auto_reconnect = TRUE;
  self->auto_resubscribe = TRUE;
  self->state = METERED_CLIENT_STATE_IDLE;
  self->max_message_size = DEFAULT_MAX_MESSAGE_SIZE;
  self->rand = g_rand_new ();
  self->pending = g_hash_table_new (g_str_hash, g_str_equal);
  self->subscriptions = g_ptr_array_new_with_free_func (subscription_free);
  self->replay_retries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->replay_timers = g_ptr_array_new_with_free_func (replay_timer_free);
  self->closing = g_ptr_array_new ();
  self->streams = g_ptr_array_new ();
}

/* Public API. */

/**
 * metered_client_new:
 * @api_key: a publishable key (`pk_live_…`)
 * @url: (nullable): the base URL, %NULL for `wss://rms.metered.ca`
 * @error: return location for a #GError
 *
 * Creates a client that connects with a publishable key, with default
 * options. It does not connect yet; call
 * [method@Metered.Client.connect_async].
 *
 * Returns: (transfer full) (nullable): the client, or %NULL when the key is
 *   empty or the URL is not allowed
 */
MeteredClient *
metered_client_new (const char  *api_key,
                    const char  *url,
                    GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (METERED_TYPE_CLIENT, NULL, error,
                         "api-key", api_key,
                         "url", url != NULL ? url : METERED_DEFAULT_URL,
                         NULL);
}

/**
 * metered_client_new_with_token_provider:
 * @url: (nullable): the base URL, %NULL for `wss://rms.metered.ca`
 * @provider: (scope notified) (closure user_data) (destroy destroy): fetches
 *   a token for each connect and reconnect
 * @user_data: (closure): data for @provider
 * @destroy: (nullable): frees @user_data when the client is finalized
 * @error: return location for a #GError
 *
 * Creates a client that connects with tokens from @provider, with default
 * options. It does not connect yet; call
 * [method@Metered.Client.connect_async].
 *
 * The URL comes first and the callback's data right after the callback, so
 * that in bindings (where the data and @destroy disappear) the callback is
 * the last argument: `Metered.Client.new_with_token_provider(url, provider)`.
 *
 * Returns: (transfer full) (nullable): the client, or %NULL when the URL
 *   is not allowed
 */
MeteredClient *
metered_client_new_with_token_provider (const char                *url,
                                        MeteredTokenProviderFunc   provider,
                                        gpointer                   user_data,
                                        GDestroyNotify             destroy,
                                        GError                   **error)
{
  g_autoptr(MeteredClient) self = NULL;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (METERED_TYPE_CLIENT,
                       "url", url != NULL ? url : METERED_DEFAULT_URL,
                       NULL);
  metered_client_set_token_provider (self, provider, user_data, destroy);

  if (!g_initable_init (G_INITABLE (self), NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * metered_client_set_token_provider:
 * @self: a #MeteredClient that is not initialized yet
 * @provider: (scope notified) (closure user_data) (destroy destroy): fetches
 *   a token for each connect and reconnect
 * @user_data: (closure): data for @provider
 * @destroy: (nullable): frees @user_data when the client is finalized
 *
 * Sets the token provider of a client created with g_object_new(), before
 * g_initable_init(); this is how a token provider is combined with other
 * construct-only options.
 */
void
metered_client_set_token_provider (MeteredClient            *self,
                                   MeteredTokenProviderFunc  provider,
                                   gpointer                  user_data,
                                   GDestroyNotify            destroy)
{
  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (!self->initialized);
  g_return_if_fail (provider != NULL);

  if (self->token_provider_destroy != NULL)
    self->token_provider_destroy (self->token_provider_data);

  self->token_provider = provider;
  self->token_provider_data = user_data;
  self->token_provider_destroy = destroy;
}

/**
 * metered_client_get_state:
 * @self: a #MeteredClient
 *
 * Gets the client's lifecycle state.
 *
 * Returns: the state
 */
MeteredClientState
metered_client_get_state (MeteredClient *self)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), METERED_CLIENT_STATE_IDLE);

  return self->state;
}

/**
 * metered_client_get_url:
 * @self: a #MeteredClient
 *
 * Gets the base URL the client connects to.
 *
 * Returns: (transfer none): the base URL
 */
const char *
metered_client_get_url (MeteredClient *self)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), NULL);

  return self->url;
}

/**
 * metered_client_get_peer_id:
 * @self: a #MeteredClient
 *
 * Gets the peer id of the latest welcome. With a publishable key it
 * changes on every reconnect.
 *
 * Returns: (transfer none) (nullable): the peer id, or %NULL before the
 *   first welcome
 */
const char *
metered_client_get_peer_id (MeteredClient *self)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), NULL);

  return self->peer_id;
}

/**
 * metered_client_get_max_message_size:
 * @self: a #MeteredClient
 *
 * Gets the largest serialized payload the server accepts, from the latest
 * welcome.
 *
 * Returns: the size cap in bytes (65536 before the first welcome)
 */
gint64
metered_client_get_max_message_size (MeteredClient *self)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), DEFAULT_MAX_MESSAGE_SIZE);

  return self->max_message_size;
}

/**
 * metered_client_dup_subscriptions:
 * @self: a #MeteredClient
 *
 * Gets the channels the client tracks for resubscription: each subscribed
 * to and not unsubscribed from since, including channels whose subscribe
 * or resubscribe is pending or failed with the connection.
 *
 * Returns: (transfer full) (array zero-terminated=1): the channel names, in
 *   the order they were first subscribed to
 */
char **
metered_client_dup_subscriptions (MeteredClient *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (METERED_IS_CLIENT (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->subscriptions->len; i++)
    g_strv_builder_add (builder, ((Subscription *) g_ptr_array_index (self->subscriptions, i))->channel);

  return g_strv_builder_end (builder);
}

static gboolean
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      data)
{
  MeteredClient *self = data;

  clear_source (&self->connect_cancel_source);
  g_debug ("Connect cancelled");
  close_internal (self, METERED_CLOSE_CODE_NORMAL, "connect cancelled",
                  g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The connect was cancelled"));

  return G_SOURCE_REMOVE;
}

/**
 * metered_client_connect_async:
 * @self: a #MeteredClient
 * @cancellable: (nullable): a #GCancellable; cancelling it closes the client
 * @callback: (scope async): called when the server welcomed the client, or
 *   the attempt failed
 * @user_data: data for @callback
 *
 * Connects: gets a token from the token provider if there is one, opens
 * the WebSocket and waits for the server's `welcome`. Allowed only in the
 * idle and closed states.
 *
 * The first connect is tried once: its failure goes to the caller and
 * starts no retries. After it succeeded, the client reconnects by itself.
 */
void
metered_client_connect_async (MeteredClient       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_client_connect_async);
  /* Cancellation closes the client (see on_connect_cancelled); a welcome
   * that wins the race is reported as the success it is. */
  g_task_set_check_cancellable (task, FALSE);

  if (!self->initialized)
    {
      g_task_return_new_error (task, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_STATE,
                               "The client was not initialized");
      return;
    }

  if (self->state != METERED_CLIENT_STATE_IDLE && self->state != METERED_CLIENT_STATE_CLOSED)
    {
      g_task_return_new_error (task, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_STATE,
                               "Connecting is only allowed when idle or closed (the client is %s)",
                               state_to_string (self->state));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  self->generation++;
  self->explicitly_closed = FALSE;
  self->was_ever_connected = FALSE;
  self->reconnect_attempts = 0;
  self->next_delay_floor = 0;
  self->connect_task = g_steal_pointer (&task);

  if (cancellable != NULL)
    {
      self->connect_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (self->connect_cancel_source, "[metered] connect cancelled");
      g_source_set_callback (self->connect_cancel_source, G_SOURCE_FUNC (on_connect_cancelled), self, NULL);
      g_source_attach (self->connect_cancel_source, self->context);
    }

  start_attempt (self);
}

/**
 * metered_client_connect_finish:
 * @self: a #MeteredClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.Client.connect_async].
 *
 * A connection the server closed or refused before `welcome` fails with a
 * %METERED_CLOSE_ERROR whose code is the close code (1006 when there was no
 * WebSocket close at all, such as a refused TCP connection or HTTP
 * upgrade) and whose reason metered_close_error_get_reason() gives;
 * %METERED_CLIENT_ERROR_WELCOME_TIMEOUT, _TOKEN_PROVIDER,
 * _INVALID_STATE and _CLOSED cover the other failures.
 *
 * Returns: %TRUE once the client is connected
 */
gboolean
metered_client_connect_finish (MeteredClient  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
validate_close (int           code,
                const char   *reason,
                char        **truncated,
                GError      **error)
{
  const char *end;

  if (code != METERED_CLOSE_CODE_NORMAL && (code < 3000 || code > 4999))
    {
      g_set_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                   "Close code %d is not allowed; use 1000 or a code from 3000 to 4999", code);
      return FALSE;
    }

  if (!g_utf8_validate (reason, -1, NULL))
    {
      g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                           "The close reason is not valid UTF-8");
      return FALSE;
    }

  /* Cut at a character boundary within what a close frame can carry. */
  end = reason;
  while (*end != '\0')
    {
      const char *next = g_utf8_next_char (end);

      if (next - reason > MAX_CLOSE_REASON_BYTES)
        break;
      end = next;
    }

  *truncated = g_strndup (reason, end - reason);
  return TRUE;
}

/**
 * metered_client_close_async:
 * @self: a #MeteredClient
 * @code: the close code to send: 1000 (%METERED_CLOSE_CODE_NORMAL) or an
 *   application code from 3000 to 4999
 * @reason: (nullable): the close reason, at most 123 bytes are sent; %NULL
 *   for "client requested close"
 * @cancellable: (nullable): a #GCancellable to stop waiting for the close
 *   handshake (the client is closed anyway)
 * @callback: (scope async): called when the close handshake finished, or
 *   after at most a second
 * @user_data: data for @callback
 *
 * Closes the client: cancels its timers and any reconnect, fails pending
 * requests with %METERED_CLIENT_ERROR_CLOSED (and a pending connect), and
 * closes the WebSocket. The client stays closed until the next
 * [method@Metered.Client.connect_async]. Closing a closed client completes
 * at once.
 *
 * When the client was connected, [signal@Metered.Client::disconnected] is
 * emitted with @code and `will-reconnect` %FALSE.
 */
void
metered_client_close_async (MeteredClient       *self,
                            int                  code,
                            const char          *reason,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *safe_reason = NULL;
  Closing *closing;

  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_client_close_async);

  if (!validate_close (code, reason != NULL ? reason : DEFAULT_CLOSE_REASON, &safe_reason, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->state == METERED_CLIENT_STATE_CLOSED || self->state == METERED_CLIENT_STATE_IDLE)
    {
      self->explicitly_closed = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_debug ("Closing with code %d", code);
  closing = close_internal (self, code, safe_reason, NULL);

  if (closing != NULL && closing->close_task == NULL)
    closing_wait (self, closing, task);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * metered_client_close_finish:
 * @self: a #MeteredClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.Client.close_async].
 *
 * Returns: %TRUE on success; %FALSE for an invalid code or reason (the
 *   client was then left as it was) or when the wait was cancelled
 */
gboolean
metered_client_close_finish (MeteredClient  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Requests. */

static gboolean
is_connected (MeteredClient *self)
{
  return self->state == METERED_CLIENT_STATE_CONNECTED &&
         self->link != NULL && self->link->welcomed && link_is_open (self);
}

static void
return_not_connected (MeteredClient *self,
                      GTask         *task)
{
  g_task_return_new_error (task, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED,
                           "The client is not connected (it is %s); nothing was sent",
                           state_to_string (self->state));
}

static char *
build_request (RequestKind            kind,
               const char            *target,
               const char            *data_json,
               MeteredSubscribeFlags  flags,
               const char            *request_id)
{
  switch (kind)
    {
    case REQUEST_SUBSCRIBE:
      return metered_frame_build_subscribe (target, (flags & METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA) != 0,
                                            request_id);
    case REQUEST_UNSUBSCRIBE:
      return metered_frame_build_unsubscribe (target, request_id);
    case REQUEST_PUBLISH:
      return metered_frame_build_publish (target, data_json, request_id);
    case REQUEST_SEND:
      return metered_frame_build_send (target, data_json, request_id);
    default:
      g_assert_not_reached ();
    }
}

static void
send_request (MeteredClient         *self,
              GTask                 *task,
              RequestKind            kind,
              const char            *target,
              const char            *data_json,
              MeteredSubscribeFlags  flags)
{
  g_autofree char *text = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  Pending *pending;

  if (!is_connected (self))
    {
      return_not_connected (self, task);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  /* An answer that races with a cancellation is reported as it came. */
  g_task_set_check_cancellable (task, FALSE);

  pending = g_new0 (Pending, 1);
  pending->client = self;
  pending->request_id = g_uuid_string_random ();
  pending->task = g_object_ref (task);
  pending->timeout_source = schedule_timeout (self, seconds_to_ms (self->ack_timeout), on_pending_timeout,
                                              pending, "[metered] ack timeout");
  if (cancellable != NULL)
    {
      pending->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (pending->cancel_source, "[metered] request cancelled");
      g_source_set_callback (pending->cancel_source, G_SOURCE_FUNC (on_pending_cancelled), pending, NULL);
      g_source_attach (pending->cancel_source, self->context);
    }
  g_hash_table_insert (self->pending, pending->request_id, pending);

  text = build_request (kind, target, data_json, flags, pending->request_id);
  send_text (self, text);
}

static gboolean
validate_channel (const char  *channel,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (metered_channel_validate (channel, &local_error))
    return TRUE;

  g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                       local_error->message);
  return FALSE;
}

static gboolean
validate_peer_id (const char  *peer_id,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (metered_peer_id_validate (peer_id, &local_error))
    return TRUE;

  g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                       local_error->message);
  return FALSE;
}

/* Serializes a payload and checks it against the server's size cap, so an
 * oversized payload fails here rather than costing the connection a 1009. */
static char *
prepare_payload (MeteredClient  *self,
                 JsonNode       *data,
                 GError        **error)
{
  GString *out = g_string_new (NULL);

  metered_json_append_node (out, data);

  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      g_string_free (out, TRUE);
      g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                           "The payload contains text that is not valid UTF-8");
      return NULL;
    }

  if ((gint64) out->len > self->max_message_size)
    {
      g_set_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD,
                   "The payload is %" G_GSIZE_FORMAT " bytes, over the server's limit of %"
                   G_GINT64_FORMAT " bytes", out->len, self->max_message_size);
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

static JsonNode *
parse_payload_text (const char  *json,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node = metered_json_parse_untrusted (json, -1, &local_error);

  if (node == NULL)
    g_set_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT,
                 "The payload is not valid JSON: %s", local_error->message);

  return node;
}

/**
 * metered_client_subscribe_async:
 * @self: a #MeteredClient
 * @channel: the channel to subscribe to
 * @flags: options of the subscription
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server answered
 * @user_data: data for @callback
 *
 * Subscribes to @channel. The server answers with an acknowledgement, then
 * a [signal@Metered.Client::presence] snapshot of the channel's roster.
 *
 * The channel is tracked for resubscription before the request is sent, so
 * a drop between the request and its answer does not lose it; subscribing
 * again to a tracked channel replaces its flags. A subscribe that fails
 * because the client is not connected leaves a channel untracked that was
 * not tracked before.
 */
void
metered_client_subscribe_async (MeteredClient         *self,
                                const char            *channel,
                                MeteredSubscribeFlags  flags,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_client_subscribe_async);

  /* An invalid name must never enter the tracked set, where every
   * reconnect would replay it. */
  if (!validate_channel (channel, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!is_connected (self))
    {
      Subscription *tracked = find_subscription (self, channel);

      if (tracked != NULL)
        tracked->flags = flags;
      return_not_connected (self, task);
      return;
    }

  track_subscription (self, channel, flags);
  send_request (self, task, REQUEST_SUBSCRIBE, channel, NULL, flags);
}

/**
 * metered_client_subscribe_finish:
 * @self: a #MeteredClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.Client.subscribe_async].
 *
 * Returns: %TRUE if the server acknowledged the subscription
 */
gboolean
metered_client_subscribe_finish (MeteredClient  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * metered_client_unsubscribe_async:
 * @self: a #MeteredClient
 * @channel: the channel to unsubscribe from
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server answered
 * @user_data: data for @callback
 *
 * Unsubscribes from @channel. The channel is forgotten for resubscription
 * before the request is sent, whatever the outcome.
 */
void
metered_client_unsubscribe_async (MeteredClient       *self,
                                  const char          *channel,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_client_unsubscribe_async);

  if (!validate_channel (channel, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  forget_subscription (self, channel);
  send_request (self, task, REQUEST_UNSUBSCRIBE, channel, NULL, METERED_SUBSCRIBE_FLAGS_NONE);
}

/**
 * metered_client_unsubscribe_finish:
 * @self: a #MeteredClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.Client.unsubscribe_async].
 *
 * Returns: %TRUE if the server acknowledged the unsubscription
 */
gboolean
metered_client_unsubscribe_finish (MeteredClient  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
publish_node (MeteredClient *self,
              GTask         *task,
              RequestKind    kind,
              const char    *target,
              JsonNode      *data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_json = NULL;
  gboolean valid;

  valid = kind == REQUEST_PUBLISH ? validate_channel (target, &error) : validate_peer_id (target, &error);
  if (valid)
    data_json = prepare_payload (self, data, &error);

  if (data_json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  send_request (self, task, kind, target, data_json, METERED_SUBSCRIBE_FLAGS_NONE);
}

static void
publish_text (MeteredClient *self,
              GTask         *task,
              RequestKind    kind,
              const char    *target,
              const char    *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = parse_payload_text (json, &error);

  if (data == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  publish_node (self, task, kind, target, data);
}

/**
 * metered_client_publish_async:
 * @self: a #MeteredClient
 * @channel: the channel to publish on
 * @data: the payload, any JSON value (a JSON null included)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server answered
 * @user_data: data for @callback
 *
 * Publishes @data to every other subscriber of @channel (the publisher does
 * not receive its own message). A payload whose compact JSON is larger than
 * the server's `maxMessageSize` fails locally with
 * %METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD.
 */
void
metered_client_publish_async (MeteredClient       *self,
                              const char          *channel,
                              JsonNode            *data,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (data != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_client_publish_async);
  publish_node (self, task, REQUEST_PUBLISH, channel, data);
}

/**
 * metered_client_publish_finish:
 * @self: a #MeteredClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.Client.publish_async].
 *
 * Returns: %TRUE if the server accepted the message
 */
gboolean
metered_client_publish_finish (MeteredClient  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * metered_client_publish_text_async:
 * @self: a #MeteredClient
 * @channel: the channel to publish on
 * @json: the payload as JSON text
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server answered
 * @user_data: data for @callback
 *
 * Like [method@Metered.Client.publish_async], with the payload given as
 * JSON text. Text that is not strict JSON fails with
 * %METERED_CLIENT_ERROR_INVALID_ARGUMENT; the payload is sent in compact
 * form.
 */
void
metered_client_publish_text_async (MeteredClient       *self,
                                   const char          *channel,
                                   const char          *json,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (json != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_client_publish_text_async);
  publish_text (self, task, REQUEST_PUBLISH, channel, json);
}

/**
 * metered_client_publish_text_finish:
 * @self: a #MeteredClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.Client.publish_text_async].
 *
 * Returns: %TRUE if the server accepted the message
 */
gboolean
metered_client_publish_text_finish (MeteredClient  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * metered_client_send_async:
 * @self: a #MeteredClient
 * @to_peer_id: the peer to send to
 * @data: the payload, any JSON value (a JSON null included)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server answered
 * @user_data: data for @callback
 *
 * Sends @data to one peer, through the server. It fails with
 * %METERED_SERVER_ERROR_PEER_NOT_FOUND when the peer is not online. A
 * payload larger than the server's `maxMessageSize` fails locally with
 * %METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD.
 */
void
metered_client_send_async (MeteredClient       *self,
                           const char          *to_peer_id,
                           JsonNode            *data,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (data != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_client_send_async);
  publish_node (self, task, REQUEST_SEND, to_peer_id, data);
}

/**
 * metered_client_send_finish:
 * @self: a #MeteredClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.Client.send_async].
 *
 * Returns: %TRUE if the server accepted the message
 */
gboolean
metered_client_send_finish (MeteredClient  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * metered_client_send_text_async:
 * @self: a #MeteredClient
 * @to_peer_id: the peer to send to
 * @json: the payload as JSON text
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server answered
 * @user_data: data for @callback
 *
 * Like [method@Metered.Client.send_async], with the payload given as JSON
 * text. Text that is not strict JSON fails with
 * %METERED_CLIENT_ERROR_INVALID_ARGUMENT; the payload is sent in compact
 * form.
 */
void
metered_client_send_text_async (MeteredClient       *self,
                                const char          *to_peer_id,
                                const char          *json,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (METERED_IS_CLIENT (self));
  g_return_if_fail (json != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_client_send_text_async);
  publish_text (self, task, REQUEST_SEND, to_peer_id, json);
}

/**
 * metered_client_send_text_finish:
 * @self: a #MeteredClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.Client.send_text_async].
 *
 * Returns: %TRUE if the server accepted the message
 */
gboolean
metered_client_send_text_finish (MeteredClient  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (METERED_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
is_event_type (GType type)
{
  return type == G_TYPE_OBJECT ||
         type == METERED_TYPE_STATE_CHANGED_EVENT ||
         type == METERED_TYPE_CONNECTED_EVENT ||
         type == METERED_TYPE_DISCONNECTED_EVENT ||
         type == METERED_TYPE_MESSAGE_EVENT ||
         type == METERED_TYPE_DIRECT_EVENT ||
         type == METERED_TYPE_PRESENCE_EVENT ||
         type == METERED_TYPE_SERVER_ERROR_EVENT ||
         type == METERED_TYPE_GOING_AWAY_EVENT ||
         type == METERED_TYPE_TOKEN_PROVIDER_ERROR_EVENT;
}

/**
 * metered_client_create_event_stream:
 * @self: a #MeteredClient
 * @event_type: the event type to collect, such as
 *   `METERED_TYPE_MESSAGE_EVENT`, or %G_TYPE_OBJECT for every event
 *   (state changes included, as [class@Metered.StateChangedEvent])
 * @max_size: the queue's capacity in events, 0 for no limit; see
 *   %METERED_EVENT_STREAM_DEFAULT_MAX_SIZE
 *
 * Creates a stream that collects the client's events from now on, as an
 * alternative to connecting to its signals. Events reach streams before
 * signal handlers.
 *
 * Returns: (transfer full): a new #MeteredEventStream
 */
MeteredEventStream *
metered_client_create_event_stream (MeteredClient *self,
                                    GType          event_type,
                                    guint          max_size)
{
  MeteredEventStream *stream;

  g_return_val_if_fail (METERED_IS_CLIENT (self), NULL);
  g_return_val_if_fail (is_event_type (event_type), NULL);

  stream = metered_event_stream_new (event_type, max_size);
  g_object_weak_ref (G_OBJECT (stream), on_stream_finalized, self);
  g_ptr_array_add (self->streams, stream);

  return stream;
}

/* Test hooks. */

void
metered_client_set_random_seed (MeteredClient *self,
                                guint32        seed)
{
  g_return_if_fail (METERED_IS_CLIENT (self));

  g_rand_set_seed (self->rand, seed);
}

void
metered_client_set_reconnect_observer (MeteredClient                  *self,
                                       MeteredClientReconnectObserver  observer,
                                       gpointer                        user_data)
{
  g_return_if_fail (METERED_IS_CLIENT (self));

  self->reconnect_observer = observer;
  self->reconnect_observer_data = user_data;
}

void
metered_client_set_frame_observer (MeteredClient              *self,
                                   MeteredClientFrameObserver  observer,
                                   gpointer                    user_data)
{
  g_return_if_fail (METERED_IS_CLIENT (self));

  self->frame_observer = observer;
  self->frame_observer_data = user_data;
}
