/* metered-dev-flood.c: a server-side publisher for benchmarks
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-flood"

#include "metered-dev-flood.h"
#include "metered-dev-server-private.h"

/* The peer id subscribers see as the sender. */
#define FLOOD_PEER_ID        "flood"
/* How often a flood with nobody to publish to looks again. */
#define NO_SUBSCRIBER_WAIT_MS 10
/* Each step publishes at most this many bytes of frames per subscriber,
 * and only while no subscriber has more than this much output queued: a
 * subscriber's queue never holds much more than two steps. */
#define STEP_BYTES           32768
#define STEP_MAX_MESSAGES    128
/* The envelope around the payload in a `message` frame, roughly. */
#define ENVELOPE_BYTES       96
/* A rated flood held back (no subscriber, slow subscriber) catches up by
 * at most this much of a second. */
#define MAX_BURST_SECONDS    0.1

struct _MeteredDevFlood
{
  GObject               parent_instance;

  MeteredDevServer     *server;
  GMainContext         *context;
  GSource              *source;
  /* The subscriber waited for: its transport's ::drained handler and
   * its own ::detached one. */
  MeteredDevConnection *blocked;
  gulong                drained_handler;
  gulong                detached_handler;
  char                 *channel;
  char                 *padding;
  GString              *payload;

  guint                 rate;
  guint64               count;
  gsize                 payload_size;
  guint                 step_messages;

  guint64               sent;
  double                tokens;
  gint64                tokens_at;
  guint                 finished : 1;
};

G_DEFINE_FINAL_TYPE (MeteredDevFlood, metered_dev_flood, G_TYPE_OBJECT)

static void step (MeteredDevFlood *self);

static gboolean
on_wake (gpointer user_data)
{
  MeteredDevFlood *self = user_data;

  g_clear_pointer (&self->source, g_source_unref);
  step (self);

  return G_SOURCE_REMOVE;
}

/* Below the default priority, so that what clients send is read before
 * the flood adds more. */
static void
wait_on (MeteredDevFlood *self,
         GSource         *source)
{
  g_assert (self->source == NULL);

  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_attach (source, self->context);
  self->source = source;
}

static void
wait_idle (MeteredDevFlood *self)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, on_wake, self, NULL);
  wait_on (self, source);
}

static void
wait_ms (MeteredDevFlood *self,
         guint            ms)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, on_wake, self, NULL);
  wait_on (self, source);
}

static void
stop_waiting_for_drain (MeteredDevFlood *self)
{
  if (self->blocked == NULL)
    return;

  g_clear_signal_handler (&self->drained_handler, metered_dev_connection_get_websocket (self->blocked));
  g_clear_signal_handler (&self->detached_handler, self->blocked);
  g_clear_object (&self->blocked);
}

/* The subscriber wrote out its queue, or went away: either way the next
 * step may go ahead. */
static void
on_unblocked (MeteredDevFlood *self)
{
  stop_waiting_for_drain (self);
  wait_idle (self);
}

static void
wait_drained (MeteredDevFlood      *self,
              MeteredDevConnection *connection)
{
  g_assert (self->blocked == NULL && self->source == NULL);

  self->blocked = g_object_ref (connection);
  self->drained_handler = g_signal_connect_swapped (metered_dev_connection_get_websocket (connection),
                                                    "drained", G_CALLBACK (on_unblocked), self);
  self->detached_handler = g_signal_connect_swapped (connection, "detached", G_CALLBACK (on_unblocked), self);
}

/* Whether the channel has a subscriber on a socket; *blocked is set to
 * one with more than a step's worth of output still queued. */
static gboolean
check_subscribers (MeteredDevFlood       *self,
                   MeteredDevConnection **blocked)
{
  MeteredDevRegistry *registry = metered_dev_server_get_registry (self->server);
  g_autoptr(GPtrArray) subscribers = metered_dev_registry_list_subscribers (registry, self->channel);
  gboolean any = FALSE;

  *blocked = NULL;
  for (guint i = 0; i < subscribers->len; i++)
    {
      MeteredDevConnection *connection = g_ptr_array_index (subscribers, i);

      if (metered_dev_connection_is_virtual (connection) ||
          metered_dev_connection_get_stalled (connection) ||
          !metered_dev_connection_is_open (connection))
        continue;

      any = TRUE;
      if (metered_websocket_get_pending_output (metered_dev_connection_get_websocket (connection)) > STEP_BYTES)
        {
          *blocked = g_object_ref (connection);
          break;
        }
    }

  return any;
}

static void
build_payload (MeteredDevFlood *self)
{
  GString *payload = self->payload;
  /* ,"pad":"  then  "}  */
  const gsize pad_overhead = 8 + 2;

  g_string_truncate (payload, 0);
  g_string_append_printf (payload, "{\"seq\":%" G_GUINT64_FORMAT ",\"sentUs\":%" G_GINT64_FORMAT,
                          self->sent, g_get_real_time ());

  if (payload->len + pad_overhead <= self->payload_size)
    {
      g_string_append (payload, ",\"pad\":\"");
      g_string_append_len (payload, self->padding, self->payload_size - payload->len - 2);
      g_string_append (payload, "\"}");
    }
  else
    {
      g_string_append_c (payload, '}');
    }
}

static void
step (MeteredDevFlood *self)
{
  MeteredDevRegistry *registry = metered_dev_server_get_registry (self->server);
  g_autoptr(MeteredDevConnection) blocked = NULL;
  guint n = self->step_messages;

  if (self->finished)
    return;

  if (!check_subscribers (self, &blocked))
    {
      wait_ms (self, NO_SUBSCRIBER_WAIT_MS);
      return;
    }

  if (blocked != NULL)
    {
      wait_drained (self, blocked);
      return;
    }

  if (self->rate > 0)
    {
      gint64 now = g_get_monotonic_time ();
      double burst = MAX (1.0, self->rate * MAX_BURST_SECONDS);

      self->tokens = MIN (burst, self->tokens + (now - self->tokens_at) * (double)self->rate / G_USEC_PER_SEC);
      self->tokens_at = now;

      if (self->tokens < 1.0)
        {
          double wait = (1.0 - self->tokens) * 1000.0 / self->rate;

          wait_ms (self, (guint)CLAMP (wait + 0.999, 1.0, 1000.0));
          return;
        }

      n = MIN (n, (guint)self->tokens);
      self->tokens -= n;
    }

  if (self->count > 0)
    n = (guint)MIN ((guint64)n, self->count - self->sent);

  for (guint i = 0; i < n; i++)
    {
      build_payload (self);
      metered_dev_server_count_message (self->server);
      metered_dev_registry_publish (registry, self->channel, NULL, FLOOD_PEER_ID,
                                    self->payload->str, NULL);
      self->sent++;
    }

  if (self->count > 0 && self->sent >= self->count)
    {
      self->finished = TRUE;
      g_debug ("flood on %s finished after %" G_GUINT64_FORMAT " messages", self->channel, self->sent);
      return;
    }

  wait_idle (self);
}

static void
metered_dev_flood_dispose (GObject *object)
{
  MeteredDevFlood *self = (MeteredDevFlood *)object;

  stop_waiting_for_drain (self);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }

  G_OBJECT_CLASS (metered_dev_flood_parent_class)->dispose (object);
}

static void
metered_dev_flood_finalize (GObject *object)
{
  MeteredDevFlood *self = (MeteredDevFlood *)object;

  g_clear_pointer (&self->context, g_main_context_unref);
  g_string_free (self->payload, TRUE);
  g_free (self->padding);
  g_free (self->channel);

  G_OBJECT_CLASS (metered_dev_flood_parent_class)->finalize (object);
}

static void
metered_dev_flood_class_init (MeteredDevFloodClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_dev_flood_dispose;
  object_class->finalize = metered_dev_flood_finalize;
}

static void
metered_dev_flood_init (MeteredDevFlood *self)
{
}

/**
 * metered_dev_flood_new:
 * @server: the server whose fan-out carries the messages
 * @channel: the channel to publish to
 * @rate_per_second: messages per second; 0 for as fast as the slowest
 *   subscriber reads
 * @count: how many messages; 0 for no end
 * @payload_size: the size of each payload's JSON text, in bytes (the
 *   sequence number and send time alone may take more)
 *
 * Returns: (transfer full): a running flood
 */
MeteredDevFlood *
metered_dev_flood_new (MeteredDevServer *server,
                       const char       *channel,
                       guint             rate_per_second,
                       guint64           count,
                       gsize             payload_size)
{
  MeteredDevFlood *self;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (server), NULL);
  g_return_val_if_fail (channel != NULL, NULL);

  self = g_object_new (METERED_TYPE_DEV_FLOOD, NULL);
  self->server = server;
  self->context = g_main_context_ref_thread_default ();
  self->channel = g_strdup (channel);
  self->rate = rate_per_second;
  self->count = count;
  self->payload_size = payload_size;
  self->padding = g_strnfill (payload_size, 'x');
  self->payload = g_string_sized_new (payload_size + 64);
  self->step_messages = CLAMP (STEP_BYTES / (payload_size + ENVELOPE_BYTES), 1, STEP_MAX_MESSAGES);
  self->tokens = 1.0;
  self->tokens_at = g_get_monotonic_time ();

  wait_idle (self);

  return self;
}

guint64
metered_dev_flood_get_sent (MeteredDevFlood *self)
{
  g_return_val_if_fail (METERED_IS_DEV_FLOOD (self), 0);

  return self->sent;
}

gboolean
metered_dev_flood_is_finished (MeteredDevFlood *self)
{
  g_return_val_if_fail (METERED_IS_DEV_FLOOD (self), FALSE);

  return self->finished;
}
