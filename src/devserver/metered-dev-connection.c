/* metered-dev-connection.c: one peer connection of the local server
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-connection"

#include "metered-close-code.h"
#include "metered-websocket-frame-private.h"
#include "metered-dev-connection.h"

struct _MeteredDevConnection
{
  GObject                  parent_instance;

  MeteredDevIdentity      *identity;
  MeteredWebsocket        *websocket;
  GSocket                 *socket;
  MeteredDevVirtualFunc    virtual_func;
  gpointer                 virtual_data;

  GSource                 *expiry_source;

  double                   tokens;
  gint64                   tokens_at;
  gint64                   last_seen;
  gsize                    output_limit;
  guint                    keepalive;
  guint                    ack_delay_ms;
  MeteredDevAckMode        ack_mode : 2;
  guint                    stalled : 1;
  guint                    detached : 1;
  guint                    closed : 1;
  guint                    bucket_started : 1;
  guint                    kicked : 1;
};

G_DEFINE_FINAL_TYPE (MeteredDevConnection, metered_dev_connection, G_TYPE_OBJECT)

enum {
  SIGNAL_RECEIVED,
  SIGNAL_DETACHED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Emits ::detached once: from here on the connection gets no frames and
 * counts for nothing; the server forgets it. */
static void
detach (MeteredDevConnection *self)
{
  if (self->detached)
    return;

  self->detached = TRUE;
  if (self->expiry_source != NULL)
    {
      g_source_destroy (self->expiry_source);
      g_clear_pointer (&self->expiry_source, g_source_unref);
    }

  g_signal_emit (self, signals[SIGNAL_DETACHED], 0);
}

static void
on_websocket_message (MeteredDevConnection     *self,
                      MeteredWebsocketDataType  type,
                      GBytes                   *message,
                      MeteredWebsocket         *websocket)
{
  self->last_seen = g_get_monotonic_time ();

  if (self->stalled || self->detached)
    return;

  if (type != METERED_WEBSOCKET_DATA_TEXT)
    {
      g_debug ("peer %s sent a binary frame", self->identity->peer_id);
      metered_dev_connection_close (self, METERED_CLOSE_CODE_POLICY_VIOLATION,
                                    "binary frames are not supported");
      return;
    }

  g_signal_emit (self, signals[SIGNAL_RECEIVED], 0, message);
}

static void
on_websocket_pong (MeteredDevConnection *self,
                   GBytes               *message,
                   MeteredWebsocket     *websocket)
{
  self->last_seen = g_get_monotonic_time ();
}

static void
on_websocket_closing (MeteredDevConnection *self,
                      MeteredWebsocket     *websocket)
{
  detach (self);
}

/* The transport already answered with the right close code (1002, 1007,
 * 1009) or lost the link; the connection stops counting either way. */
static void
on_websocket_error (MeteredDevConnection *self,
                    GError               *error,
                    MeteredWebsocket     *websocket)
{
  g_debug ("peer %s: %s", self->identity->peer_id, error->message);
  detach (self);
}

static void
on_websocket_closed (MeteredDevConnection *self,
                     MeteredWebsocket     *websocket)
{
  g_object_ref (self);

  detach (self);
  if (!self->closed)
    {
      self->closed = TRUE;
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
    }

  g_object_unref (self);
}

static void
metered_dev_connection_dispose (GObject *object)
{
  MeteredDevConnection *self = (MeteredDevConnection *)object;

  if (self->expiry_source != NULL)
    {
      g_source_destroy (self->expiry_source);
      g_clear_pointer (&self->expiry_source, g_source_unref);
    }

  /* Anything still holding the connection (a delayed answer) finds it
   * closed, not a virtual peer without a callback. */
  self->detached = TRUE;

  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      /* Never leave a socket behind: a connection disposed while open
       * (server finalized) hangs up without ceremony. */
      if (metered_websocket_get_state (self->websocket) != METERED_WEBSOCKET_STATE_CLOSED &&
          self->socket != NULL)
        g_socket_shutdown (self->socket, TRUE, TRUE, NULL);
      g_clear_object (&self->websocket);
    }

  g_clear_object (&self->socket);

  G_OBJECT_CLASS (metered_dev_connection_parent_class)->dispose (object);
}

static void
metered_dev_connection_finalize (GObject *object)
{
  MeteredDevConnection *self = (MeteredDevConnection *)object;

  g_clear_pointer (&self->identity, metered_dev_identity_free);

  G_OBJECT_CLASS (metered_dev_connection_parent_class)->finalize (object);
}

static void
metered_dev_connection_class_init (MeteredDevConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_dev_connection_dispose;
  object_class->finalize = metered_dev_connection_finalize;

  /**
   * MeteredDevConnection::received:
   * @self: the connection
   * @text: the text frame, NUL-terminated
   *
   * A text frame arrived (never while stalled or after detaching).
   */
  signals[SIGNAL_RECEIVED] =
    g_signal_new ("received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * MeteredDevConnection::detached:
   * @self: the connection
   *
   * The connection stopped being usable: a close started (either side),
   * the link dropped or the virtual peer was closed. Emitted once.
   */
  signals[SIGNAL_DETACHED] =
    g_signal_new ("detached",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * MeteredDevConnection::closed:
   * @self: the connection
   *
   * The socket is closed, after ::detached; nothing more will happen.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
metered_dev_connection_init (MeteredDevConnection *self)
{
  self->last_seen = g_get_monotonic_time ();
}

/**
 * metered_dev_connection_new:
 * @websocket: an open server-side WebSocket
 * @socket: (nullable): its socket, to hang up without a close frame
 * @identity: (transfer full): who is connected
 *
 * Returns: (transfer full): a new connection
 */
MeteredDevConnection *
metered_dev_connection_new (MeteredWebsocket   *websocket,
                            GSocket            *socket,
                            MeteredDevIdentity *identity)
{
  MeteredDevConnection *self;

  g_return_val_if_fail (METERED_IS_WEBSOCKET (websocket), NULL);
  g_return_val_if_fail (socket == NULL || G_IS_SOCKET (socket), NULL);
  g_return_val_if_fail (identity != NULL, NULL);

  self = g_object_new (METERED_TYPE_DEV_CONNECTION, NULL);
  self->identity = identity;
  self->websocket = g_object_ref (websocket);
  g_set_object (&self->socket, socket);

  g_signal_connect_swapped (websocket, "message", G_CALLBACK (on_websocket_message), self);
  g_signal_connect_swapped (websocket, "pong", G_CALLBACK (on_websocket_pong), self);
  g_signal_connect_swapped (websocket, "closing", G_CALLBACK (on_websocket_closing), self);
  g_signal_connect_swapped (websocket, "error", G_CALLBACK (on_websocket_error), self);
  g_signal_connect_swapped (websocket, "closed", G_CALLBACK (on_websocket_closed), self);

  return self;
}

/**
 * metered_dev_connection_new_virtual:
 * @identity: (transfer full): the virtual peer's identity
 * @func: (scope notified): receives every frame sent to the peer
 * @user_data: data for @func; must outlive the connection
 *
 * Returns: (transfer full): a new virtual connection
 */
MeteredDevConnection *
metered_dev_connection_new_virtual (MeteredDevIdentity    *identity,
                                    MeteredDevVirtualFunc  func,
                                    gpointer               user_data)
{
  MeteredDevConnection *self;

  g_return_val_if_fail (identity != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (METERED_TYPE_DEV_CONNECTION, NULL);
  self->identity = identity;
  self->virtual_func = func;
  self->virtual_data = user_data;

  return self;
}

const MeteredDevIdentity *
metered_dev_connection_get_identity (MeteredDevConnection *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), NULL);

  return self->identity;
}

const char *
metered_dev_connection_get_peer_id (MeteredDevConnection *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), NULL);

  return self->identity->peer_id;
}

gboolean
metered_dev_connection_is_virtual (MeteredDevConnection *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), FALSE);

  return self->virtual_func != NULL;
}

MeteredWebsocket *
metered_dev_connection_get_websocket (MeteredDevConnection *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), NULL);

  return self->websocket;
}

void
metered_dev_connection_set_output_limit (MeteredDevConnection *self,
                                         gsize                 max_bytes)
{
  g_return_if_fail (METERED_IS_DEV_CONNECTION (self));

  self->output_limit = max_bytes;
}

gboolean
metered_dev_connection_is_open (MeteredDevConnection *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), FALSE);

  if (self->detached)
    return FALSE;

  return self->virtual_func != NULL ||
         metered_websocket_get_state (self->websocket) == METERED_WEBSOCKET_STATE_OPEN;
}

static gboolean
on_kick (gpointer user_data)
{
  MeteredDevConnection *self = user_data;

  g_info ("closing peer %s: over %" G_GSIZE_FORMAT " bytes of unread output",
          self->identity->peer_id, self->output_limit);
  metered_dev_connection_close (self, METERED_CLOSE_CODE_POLICY_VIOLATION, "slow consumer");

  return G_SOURCE_REMOVE;
}

/* A peer that stopped reading would otherwise make the server queue
 * every frame for it in memory. Checked before each frame, so the queue
 * holds at most the limit plus a frame; from then on the peer is sent
 * nothing more, and it is closed (the close frame behind the queue, then a
 * hang-up when no answer comes) from an idle callback: never in the middle
 * of a fan-out loop. */
static gboolean
over_output_limit (MeteredDevConnection *self)
{
  GSource *source;

  if (self->kicked)
    return TRUE;

  if (self->output_limit == 0 ||
      metered_websocket_get_pending_output (self->websocket) <= self->output_limit)
    return FALSE;

  self->kicked = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, on_kick, g_object_ref (self), g_object_unref);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);

  return TRUE;
}

gboolean
metered_dev_connection_send_text_len (MeteredDevConnection *self,
                                      const char           *text,
                                      gsize                 length)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->detached)
    return FALSE;

  if (self->virtual_func != NULL)
    {
      if (!self->stalled)
        self->virtual_func (self, text, self->virtual_data);
      return TRUE;
    }

  if (metered_websocket_get_state (self->websocket) != METERED_WEBSOCKET_STATE_OPEN)
    return FALSE;

  if (!self->stalled && !over_output_limit (self))
    metered_websocket_send_text (self->websocket, text, length);

  return TRUE;
}

void
metered_dev_connection_send_text (MeteredDevConnection *self,
                                  const char           *text)
{
  g_return_if_fail (text != NULL);

  metered_dev_connection_send_text_len (self, text, strlen (text));
}

/* The transport checks the text it sends, so a text frame that is not
 * UTF-8 is queued as raw bytes: an unmasked, unfragmented text frame
 * (RFC 6455 §5.2), in order with everything else. */
static void
send_raw_text_frame (MeteredDevConnection *self,
                     GBytes               *bytes)
{
  guint8 header[METERED_WEBSOCKET_MAX_HEADER_BYTES];
  gsize header_len;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  header_len = metered_websocket_frame_write_header (header, TRUE, METERED_WEBSOCKET_OPCODE_TEXT,
                                                     len, NULL);
  metered_websocket_send_raw (self->websocket, header, header_len);
  if (len > 0)
    metered_websocket_send_raw (self->websocket, data, len);
}

void
metered_dev_connection_send_bytes (MeteredDevConnection *self,
                                   GBytes               *bytes,
                                   gboolean              binary)
{
  g_return_if_fail (METERED_IS_DEV_CONNECTION (self));
  g_return_if_fail (bytes != NULL);

  if (self->stalled || self->virtual_func != NULL || !metered_dev_connection_is_open (self))
    return;

  if (binary)
    metered_websocket_send_binary (self->websocket, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  else
    send_raw_text_frame (self, bytes);
}

/**
 * metered_dev_connection_close:
 * @self: a connection
 * @code: a close code that may be sent (see
 *   metered_dev_close_code_is_sendable())
 * @reason: (nullable): the close reason; cut to fit a close frame
 *
 * Starts the closing handshake. ::detached is emitted right away.
 */
void
metered_dev_connection_close (MeteredDevConnection *self,
                              gushort               code,
                              const char           *reason)
{
  g_autoptr(MeteredDevConnection) hold = NULL;

  g_return_if_fail (METERED_IS_DEV_CONNECTION (self));

  hold = g_object_ref (self);

  if (self->websocket != NULL &&
      metered_websocket_get_state (self->websocket) == METERED_WEBSOCKET_STATE_OPEN)
    {
      g_debug ("closing peer %s with %u", self->identity->peer_id, code);
      metered_websocket_close (self->websocket, code, reason);
    }

  detach (self);

  if (self->virtual_func != NULL && !self->closed)
    {
      self->closed = TRUE;
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
    }
}

void
metered_dev_connection_drop (MeteredDevConnection *self)
{
  g_autoptr(MeteredDevConnection) hold = NULL;

  g_return_if_fail (METERED_IS_DEV_CONNECTION (self));

  if (self->virtual_func != NULL)
    {
      metered_dev_connection_close (self, METERED_CLOSE_CODE_GOING_AWAY, NULL);
      return;
    }

  hold = g_object_ref (self);
  detach (self);

  /* Shutting the socket down (not closing it) leaves the descriptor to
   * the transport, which sees the end of the stream and finishes on its
   * own. */
  if (self->socket != NULL)
    g_socket_shutdown (self->socket, TRUE, TRUE, NULL);
}

void
metered_dev_connection_set_keepalive (MeteredDevConnection *self,
                                      guint                 seconds)
{
  g_return_if_fail (METERED_IS_DEV_CONNECTION (self));

  self->keepalive = seconds;
  if (self->websocket != NULL && !self->stalled)
    metered_websocket_set_keepalive_interval (self->websocket, seconds);
}

gint64
metered_dev_connection_get_last_seen (MeteredDevConnection *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), 0);

  return self->last_seen;
}

static gboolean
on_expiry (gpointer user_data)
{
  MeteredDevConnection *self = user_data;

  g_clear_pointer (&self->expiry_source, g_source_unref);
  g_info ("token of peer %s expired", self->identity->peer_id);
  metered_dev_connection_close (self, METERED_CLOSE_CODE_TOKEN_EXPIRED, "token expired");

  return G_SOURCE_REMOVE;
}

void
metered_dev_connection_start_expiry (MeteredDevConnection *self)
{
  gint64 delay_ms;

  g_return_if_fail (METERED_IS_DEV_CONNECTION (self));
  g_return_if_fail (self->expiry_source == NULL);

  if (self->identity->expires_at < 0)
    return;

  delay_ms = self->identity->expires_at * 1000 - METERED_DEV_EXPIRY_MARGIN_MS
             - g_get_real_time () / 1000;
  self->expiry_source = g_timeout_source_new ((guint)CLAMP (delay_ms, 0, G_MAXUINT));
  g_source_set_callback (self->expiry_source, on_expiry, self, NULL);
  g_source_attach (self->expiry_source, g_main_context_get_thread_default ());
}

gboolean
metered_dev_connection_take_token (MeteredDevConnection *self,
                                   double                rate,
                                   guint                 burst)
{
  gint64 now;

  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), FALSE);

  if (rate <= 0 || burst == 0)
    return TRUE;

  now = g_get_monotonic_time ();
  if (!self->bucket_started)
    {
      self->bucket_started = TRUE;
      self->tokens = burst;
    }
  else
    {
      self->tokens = MIN ((double)burst, self->tokens + (now - self->tokens_at) * rate / G_USEC_PER_SEC);
    }
  self->tokens_at = now;

  if (self->tokens < 1.0)
    return FALSE;

  self->tokens -= 1.0;
  return TRUE;
}

void
metered_dev_connection_set_ack_mode (MeteredDevConnection *self,
                                     MeteredDevAckMode     mode,
                                     guint                 delay_ms)
{
  g_return_if_fail (METERED_IS_DEV_CONNECTION (self));

  self->ack_mode = mode;
  self->ack_delay_ms = delay_ms;
}

MeteredDevAckMode
metered_dev_connection_get_ack_mode (MeteredDevConnection *self,
                                     guint                *delay_ms)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), METERED_DEV_ACKS_NORMAL);

  if (delay_ms != NULL)
    *delay_ms = self->ack_delay_ms;

  return self->ack_mode;
}

void
metered_dev_connection_set_stalled (MeteredDevConnection *self,
                                    gboolean              stalled)
{
  g_return_if_fail (METERED_IS_DEV_CONNECTION (self));

  stalled = !!stalled;
  if (self->stalled == (guint)stalled)
    return;

  self->stalled = stalled;
  /* Coming back counts as a sign of life, or the idle check would drop
   * the peer for the silence the stall itself caused. */
  self->last_seen = g_get_monotonic_time ();

  if (self->websocket != NULL && metered_dev_connection_is_open (self))
    metered_websocket_set_keepalive_interval (self->websocket, stalled ? 0 : self->keepalive);
}

gboolean
metered_dev_connection_get_stalled (MeteredDevConnection *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONNECTION (self), FALSE);

  return self->stalled;
}
