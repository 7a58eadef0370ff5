/* inspector-connection.c: one connection of the inspector, as models
 *
 * Owns the MeteredClient (and, for the sandbox, the local server) and
 * turns what happens on it into models the window binds to: the channel
 * list with rosters and counters, the connection's state and welcome
 * details, and the message log. Widgets never see the client.
 *
 * The client lives on a worker thread of its own, with its own main
 * context: its WebSocket reads up to 256 KiB per dispatch at the default
 * priority, above GTK's redraw, so on the UI thread a flood would keep the window
 * from ever painting. Every call to the client is marshalled into the
 * worker's context; what the client reports comes back as a queue of
 * items (compact log rows, or calls for the rarer events), drained on
 * the UI thread at most once per ~16 ms and for at most a few ms at a
 * time. A main loop that falls behind lets the queue grow up to a bound;
 * past it the worker stops reading and the server feels the back-pressure,
 * so nothing is dropped.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-connection"

#include <string.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <glib/gi18n.h>

#include <metered.h>
#include "metered-client-private.h"

#include "inspector-connection.h"
#include "inspector-error.h"
#include "inspector-json.h"
#include "inspector-log-store-private.h"

#define STATS_INTERVAL_MS 250
#define SANDBOX_ECHO_PEER "echo"
#define HIDDEN_VALUE      "[hidden]"
#define REDACTED_VALUE    "[REDACTED]"

/* Flushing the worker's queue on the UI thread: at most once per
 * interval when it keeps up, at most a budget's worth at a time, with a
 * gap for the frame clock when it does not. */
#define FLUSH_INTERVAL_US (16 * 1000)
#define FLUSH_BUDGET_US   (6 * 1000)
#define FLUSH_GAP_MS      4
#define FLUSH_CHUNK       256
/* Items the worker queues before it stops reading (back-pressure). */
#define MAX_QUEUED        65536
/* Minted tokens remembered for redaction. */
#define MAX_SECRETS       32
#define MIN_SECRET_LEN    6
/* How much the worker yields the CPU to the UI thread (Linux nice). */
#define WORKER_NICE       5

typedef struct _Worker Worker;

struct _InspectorConnection
{
  GObject                  parent_instance;

  InspectorConnectOptions *options;     /* as the user chose them */
  InspectorConnectOptions *effective;   /* the sandbox resolved */
  InspectorSandbox        *sandbox;
  Worker                  *worker;      /* the client's thread, once started */
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

  guint                    stats_source;
  gint64                   stats_time;

  guint                    started : 1;
  guint                    offline : 1;
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

/* The client's thread. Fields above the line are shared and guarded by
 * the mutex; below it they belong to one thread as noted. */
struct _Worker
{
  GMutex                   mutex;
  GCond                    cond;          /* the queue went below its bound */
  GQueue                   queue;         /* Item */
  GSource                 *flush_source;  /* on main_context, while one is due */
  gint64                   last_flush;
  GPtrArray               *secrets;       /* texts no row may show */
  guint                    n_fixed_secrets;
  gboolean                 stopping;
  /* ---- */
  GMainContext            *main_context;  /* the connection's */
  GMainContext            *context;       /* the worker's */
  GMainLoop               *loop;
  GThread                 *thread;
  GCancellable            *cancellable;
  InspectorConnection     *connection;    /* the flush sources' data, set before the thread runs */

  /* Worker thread only (the client is created before the thread runs). */
  MeteredClient           *client;
  InspectorConnectOptions *options;
  /* The frame being dispatched, valid only inside the client's signal
   * emission for it (see on_frame); redacted_frame owns it when it had to
   * be redacted. */
  const char              *current_frame;
  char                    *redacted_frame;
  char                    *captured_frame;
  gboolean                 capturing;
};

typedef void (*ItemFunc) (InspectorConnection *self,
                          gpointer             data);

/* One entry of the worker's queue: a log row of a message or direct
 * (strings packed after the struct, one allocation), or a call to make on
 * the UI thread. */
typedef struct {
  ItemFunc          func;     /* NULL for a row */
  gpointer          data;
  GDestroyNotify    destroy;
  gboolean          yield;    /* starts an episode: see on_flush() */

  InspectorLogKind  kind;
  gint64            time;
  const char       *channel;
  const char       *peer;
  const char       *text;
  const char       *metadata;
  const char       *frame;
  char              strings[];
} Item;

/* A request to the client: made on the UI thread, sent by the worker,
 * logged and completed on the UI thread again. */
typedef struct {
  InspectorLogKind  kind;
  char             *target;
  char             *json;        /* publish/send: as typed */
  char             *compact;     /* publish/send: as logged */
  gboolean          include_metadata;
  GCancellable     *cancellable;
  GTask            *task;        /* publish/send; UI thread only */
  gboolean          returned;
  guint64           seq;         /* UI thread only */
  gint64            started;
  gint64            rtt;
  GError           *error;
} Request;

/* A client event for the UI thread. */
typedef struct {
  GObject  *event;
  char     *frame;
  char     *text;
  gint64    a;
  gint64    b;
  double    delay;
} EventCall;

static void
request_free (Request *request)
{
  /* The task was returned; if not (the worker went away first), say so. */
  if (request->task != NULL && !request->returned)
    g_task_return_new_error (request->task, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED,
                             _("The connection was closed"));
  g_clear_object (&request->task);
  g_clear_object (&request->cancellable);
  g_clear_error (&request->error);
  g_free (request->target);
  g_free (request->json);
  g_free (request->compact);
  g_free (request);
}

static void
event_call_free (EventCall *call)
{
  g_clear_object (&call->event);
  g_free (call->frame);
  g_free (call->text);
  g_free (call);
}

static void
item_free (Item *item)
{
  if (item->destroy != NULL)
    item->destroy (item->data);
  g_free (item);
}

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

/* Secrets. Servers repeat what they were given (an error message with the
 * key, a close reason with the token): no row shows it. */

static void
add_secret_locked (Worker     *worker,
                   const char *secret)
{
  const char *signature;

  if (secret == NULL || strlen (secret) < MIN_SECRET_LEN)
    return;

  for (guint i = 0; i < worker->secrets->len; i++)
    if (g_str_equal (g_ptr_array_index (worker->secrets, i), secret))
      return;

  g_ptr_array_add (worker->secrets, g_strdup (secret));

  /* A token's signature alone is as good as the token; whole tokens come
   * first in the list, so they are replaced as one. */
  if ((signature = strrchr (secret, '.')) != NULL && strlen (signature + 1) > 8)
    g_ptr_array_add (worker->secrets, g_strdup (signature + 1));
}

static void
add_secret (Worker     *worker,
            const char *secret,
            gboolean    fixed)
{
  g_mutex_lock (&worker->mutex);
  /* Minted tokens keep coming; the oldest are long expired. */
  while (!fixed && worker->secrets->len >= worker->n_fixed_secrets + MAX_SECRETS)
    g_ptr_array_remove_index (worker->secrets, worker->n_fixed_secrets);
  add_secret_locked (worker, secret);
  if (fixed)
    worker->n_fixed_secrets = worker->secrets->len;
  g_mutex_unlock (&worker->mutex);
}

/* Returns: (nullable): @text with every secret replaced, or %NULL if it
 * holds none (the common case, which costs a strstr() per secret). */
static char *
dup_redacted (Worker     *worker,
              const char *text)
{
  char *out = NULL;

  if (worker == NULL || text == NULL)
    return NULL;

  g_mutex_lock (&worker->mutex);
  for (guint i = 0; i < worker->secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (worker->secrets, i);
      gsize len = strlen (secret);
      const char *p = out != NULL ? out : text;
      const char *hit;
      GString *redacted;

      if (strstr (p, secret) == NULL)
        continue;

      redacted = g_string_new (NULL);
      while ((hit = strstr (p, secret)) != NULL)
        {
          g_string_append_len (redacted, p, hit - p);
          g_string_append (redacted, REDACTED_VALUE);
          p = hit + len;
        }
      g_string_append (redacted, p);
      g_free (out);
      out = g_string_free (redacted, FALSE);
    }
  g_mutex_unlock (&worker->mutex);

  return out;
}

/* Redacts *@text in place. */
static void
redact (Worker  *worker,
        char   **text)
{
  char *redacted = dup_redacted (worker, *text);

  if (redacted != NULL)
    {
      g_free (*text);
      *text = redacted;
    }
}

/* The queue. */

static gboolean on_flush (gpointer user_data);

static void
schedule_flush_locked (Worker *worker,
                       guint   delay_ms)
{
  GSource *source = g_timeout_source_new (delay_ms);

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, on_flush, worker->connection, NULL);
  g_source_set_static_name (source, "[inspector] connection events");
  g_source_attach (source, worker->main_context);
  g_clear_pointer (&worker->flush_source, g_source_unref);
  worker->flush_source = source;
}

/* Worker thread. Waits while the UI thread is MAX_QUEUED items behind:
 * the client then stops reading and the server slows down. */
static void
worker_push (Worker *worker,
             Item   *item)
{
  g_mutex_lock (&worker->mutex);

  while (!worker->stopping && worker->queue.length >= MAX_QUEUED)
    g_cond_wait (&worker->cond, &worker->mutex);

  /* Once stopping, items wait for the connection's dispose to free them
   * on the UI thread (they may hold its tasks). */
  g_queue_push_tail (&worker->queue, item);

  if (!worker->stopping && worker->flush_source == NULL)
    {
      gint64 since = g_get_monotonic_time () - worker->last_flush;

      schedule_flush_locked (worker, since >= FLUSH_INTERVAL_US ? 0 : (FLUSH_INTERVAL_US - since) / 1000);
    }

  g_mutex_unlock (&worker->mutex);
}

static void
push_call_full (Worker         *worker,
                ItemFunc        func,
                gpointer        data,
                GDestroyNotify  destroy,
                gboolean        yield)
{
  Item *item = g_new0 (Item, 1);

  item->func = func;
  item->data = data;
  item->destroy = destroy;
  item->yield = yield;
  worker_push (worker, item);
}

static void
push_call (Worker         *worker,
           ItemFunc        func,
           gpointer        data,
           GDestroyNotify  destroy)
{
  push_call_full (worker, func, data, destroy, FALSE);
}

static void
pack (char        **cursor,
      const char  **field,
      const char   *value,
      gsize         len)
{
  if (value == NULL)
    return;

  memcpy (*cursor, value, len);
  (*cursor)[len] = '\0';
  *field = *cursor;
  *cursor += len + 1;
}

/* A message or direct row, in one allocation. */
static void
push_row (Worker           *worker,
          InspectorLogKind  kind,
          const char       *channel,
          const char       *peer,
          const char       *text,
          const char       *metadata,
          const char       *frame)
{
  gsize channel_len = channel != NULL ? strlen (channel) : 0;
  gsize peer_len = peer != NULL ? strlen (peer) : 0;
  gsize text_len = text != NULL ? strlen (text) : 0;
  gsize metadata_len = metadata != NULL ? strlen (metadata) : 0;
  gsize frame_len = frame != NULL ? strlen (frame) : 0;
  Item *item = g_malloc0 (sizeof (Item) + channel_len + peer_len + text_len + metadata_len + frame_len + 5);
  char *cursor = item->strings;

  item->kind = kind;
  item->time = g_get_real_time ();
  pack (&cursor, &item->channel, channel, channel_len);
  pack (&cursor, &item->peer, peer, peer_len);
  pack (&cursor, &item->text, text, text_len);
  pack (&cursor, &item->metadata, metadata, metadata_len);
  pack (&cursor, &item->frame, frame, frame_len);

  worker_push (worker, item);
}

static void
run_row (InspectorConnection *self,
         Item                *item)
{
  if (item->kind == INSPECTOR_LOG_KIND_MESSAGE)
    {
      InspectorChannel *channel = g_hash_table_lookup (self->channel_index, item->channel);

      if (channel != NULL)
        inspector_channel_count_message (channel);
    }
  else if (item->kind == INSPECTOR_LOG_KIND_DIRECT && item->peer != NULL &&
           !g_hash_table_contains (self->direct_peers, item->peer))
    g_hash_table_add (self->direct_peers, g_strdup (item->peer));

  inspector_log_store_append_at (self->log, item->time, item->kind, INSPECTOR_LOG_STATUS_NONE, 0,
                                 item->channel, item->peer, item->text, -1, item->metadata, NULL,
                                 item->frame);
}

/* UI thread: drains the queue, for at most FLUSH_BUDGET_US. */
static gboolean
on_flush (gpointer user_data)
{
  g_autoptr(InspectorConnection) self = g_object_ref (user_data);
  Worker *worker = self->worker;
  gint64 start = g_get_monotonic_time ();
  Item *batch[FLUSH_CHUNK];

  for (;;)
    {
      gboolean yield = FALSE;
      guint n = 0;
      Item *item;

      g_mutex_lock (&worker->mutex);
      /* A close or a connect of ours starts a main loop iteration: the
       * states on the way show, as they did when the client ran on this
       * thread. */
      while (n < FLUSH_CHUNK && (item = g_queue_peek_head (&worker->queue)) != NULL)
        {
          if (item->yield && n > 0)
            {
              yield = TRUE;
              break;
            }
          batch[n++] = g_queue_pop_head (&worker->queue);
        }
      if (worker->queue.length < MAX_QUEUED)
        g_cond_broadcast (&worker->cond);
      if (n == 0)
        {
          worker->last_flush = g_get_monotonic_time ();
          g_clear_pointer (&worker->flush_source, g_source_unref);
          g_mutex_unlock (&worker->mutex);
          return G_SOURCE_REMOVE;
        }
      g_mutex_unlock (&worker->mutex);

      for (guint i = 0; i < n; i++)
        {
          if (batch[i]->func != NULL)
            batch[i]->func (self, batch[i]->data);
          else
            run_row (self, batch[i]);
          item_free (batch[i]);
        }

      if (yield || g_get_monotonic_time () - start >= FLUSH_BUDGET_US)
        {
          /* More to do: let the frame clock paint first, after a full
           * budget. */
          g_mutex_lock (&worker->mutex);
          if (!worker->stopping)
            schedule_flush_locked (worker, yield ? 0 : FLUSH_GAP_MS);
          g_mutex_unlock (&worker->mutex);
          break;
        }
    }

  return G_SOURCE_REMOVE;
}

typedef void (*WorkerFunc) (Worker  *worker,
                            gpointer data);

typedef struct {
  Worker         *worker;
  WorkerFunc      func;
  gpointer        data;
  GDestroyNotify  destroy;
} Invocation;

static gboolean
run_invocation (gpointer user_data)
{
  Invocation *invocation = user_data;

  invocation->func (invocation->worker, g_steal_pointer (&invocation->data));

  return G_SOURCE_REMOVE;
}

static void
invocation_free (gpointer user_data)
{
  Invocation *invocation = user_data;

  /* Data the function did not run for (the worker stopped first). */
  if (invocation->data != NULL && invocation->destroy != NULL)
    invocation->destroy (invocation->data);
  g_free (invocation);
}

/* Runs @func on the worker thread, where the client lives; @func takes
 * @data. */
static void
worker_invoke (Worker         *worker,
               WorkerFunc      func,
               gpointer        data,
               GDestroyNotify  destroy)
{
  Invocation *invocation = g_new0 (Invocation, 1);

  invocation->worker = worker;
  invocation->func = func;
  invocation->data = data;
  invocation->destroy = destroy;
  g_main_context_invoke_full (worker->context, G_PRIORITY_DEFAULT, run_invocation, invocation, invocation_free);
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
  Worker *worker = user_data;

  /* Incoming frames are dispatched (and their event emitted) right after
   * this call, while @text is alive: handlers take it from there instead
   * of copying every frame here. Our own requests are captured while we
   * make them. */
  if (!outgoing)
    {
      g_clear_pointer (&worker->redacted_frame, g_free);
      worker->redacted_frame = dup_redacted (worker, text);
      worker->current_frame = worker->redacted_frame != NULL ? worker->redacted_frame : text;
    }
  else if (worker->capturing)
    {
      g_free (worker->captured_frame);
      worker->captured_frame = g_strdup (text);
    }
}

/* Takes the frame being dispatched, at most once. */
static const char *
take_frame (Worker *worker)
{
  return g_steal_pointer (&worker->current_frame);
}

static void
begin_capture (Worker *worker)
{
  g_clear_pointer (&worker->captured_frame, g_free);
  worker->capturing = TRUE;
}

static char *
end_capture (Worker *worker)
{
  worker->capturing = FALSE;
  redact (worker, &worker->captured_frame);

  return g_steal_pointer (&worker->captured_frame);
}

static Request *
request_new (InspectorLogKind  kind,
             const char       *target)
{
  Request *request = g_new0 (Request, 1);

  request->kind = kind;
  request->target = g_strdup (target);
  request->started = g_get_monotonic_time ();

  return request;
}

/* UI thread: the request went out as @frame. */
typedef struct {
  Request *request;
  char    *frame;
} Sent;

static void
sent_free (Sent *sent)
{
  g_free (sent->frame);
  g_free (sent);
}

static void
main_request_sent (InspectorConnection *self,
                   gpointer             data)
{
  Sent *sent = data;
  Request *request = sent->request;
  const char *note = NULL;
  const char *channel = NULL;
  const char *peer = NULL;
  const char *text = NULL;

  switch (request->kind)
    {
    case INSPECTOR_LOG_KIND_SUBSCRIBE:
      channel = request->target;
      note = request->include_metadata ? _("with sender metadata") : NULL;
      break;
    case INSPECTOR_LOG_KIND_UNSUBSCRIBE:
      channel = request->target;
      break;
    case INSPECTOR_LOG_KIND_PUBLISH:
      channel = request->target;
      peer = self->peer_id;
      text = request->compact;
      break;
    case INSPECTOR_LOG_KIND_SEND:
    default:
      peer = request->target;
      text = request->compact;
      break;
    }

  request->seq = log_event (self, request->kind, channel, peer, text, note, sent->frame);
  inspector_log_store_set_status (self->log, request->seq, INSPECTOR_LOG_STATUS_PENDING, 0, NULL);
}

/* Worker thread: logs the request as it went out; the answer follows in
 * the queue, so the row always exists before it is completed. */
static void
push_sent (Worker  *worker,
           Request *request,
           char    *frame)
{
  Sent *sent = g_new0 (Sent, 1);

  sent->request = request;
  sent->frame = frame;
  push_call (worker, main_request_sent, sent, (GDestroyNotify) sent_free);
}

/* UI thread: the answer. */
static void
main_request_done (InspectorConnection *self,
                   gpointer             data)
{
  Request *request = data;
  InspectorChannel *channel;

  if (request->error == NULL)
    inspector_log_store_set_status (self->log, request->seq, INSPECTOR_LOG_STATUS_ACKED, request->rtt, NULL);
  else
    {
      g_autofree char *description = inspector_describe_error (request->error);

      redact (self->worker, &description);
      inspector_log_store_set_status (self->log, request->seq, INSPECTOR_LOG_STATUS_FAILED, 0, description);
    }

  switch (request->kind)
    {
    case INSPECTOR_LOG_KIND_SUBSCRIBE:
      channel = g_hash_table_lookup (self->channel_index, request->target);
      if (channel == NULL)
        break;

      if (request->error == NULL)
        {
          if (inspector_channel_get_state (channel) == INSPECTOR_CHANNEL_STATE_SUBSCRIBING)
            inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_SUBSCRIBED, NULL);
        }
      else if (!g_error_matches (request->error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED))
        {
          g_autofree char *description = inspector_describe_error (request->error);

          redact (self->worker, &description);
          inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_FAILED, description);
        }
      break;

    case INSPECTOR_LOG_KIND_PUBLISH:
    case INSPECTOR_LOG_KIND_SEND:
      request->returned = TRUE;
      if (request->error == NULL)
        g_task_return_int (request->task, request->rtt);
      else
        g_task_return_error (request->task, g_steal_pointer (&request->error));
      break;

    case INSPECTOR_LOG_KIND_UNSUBSCRIBE:
    default:
      break;
    }
}

/* Worker thread. */
static void
complete_request (Worker  *worker,
                  Request *request)
{
  request->rtt = g_get_monotonic_time () - request->started;
  push_call (worker, main_request_done, request, (GDestroyNotify) request_free);
}

static void
on_subscribe_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Request *request = user_data;
  Worker *worker = g_object_get_data (source, "inspector-worker");

  metered_client_subscribe_finish (METERED_CLIENT (source), result, &request->error);
  complete_request (worker, request);
}

static void
on_unsubscribe_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Request *request = user_data;
  Worker *worker = g_object_get_data (source, "inspector-worker");

  metered_client_unsubscribe_finish (METERED_CLIENT (source), result, &request->error);
  complete_request (worker, request);
}

static void
on_payload_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;
  Worker *worker = g_object_get_data (source, "inspector-worker");

  if (request->kind == INSPECTOR_LOG_KIND_PUBLISH)
    metered_client_publish_text_finish (METERED_CLIENT (source), result, &request->error);
  else
    metered_client_send_text_finish (METERED_CLIENT (source), result, &request->error);
  complete_request (worker, request);
}

static void
worker_send_request (Worker  *worker,
                     gpointer data)
{
  Request *request = data;

  begin_capture (worker);
  switch (request->kind)
    {
    case INSPECTOR_LOG_KIND_SUBSCRIBE:
      metered_client_subscribe_async (worker->client, request->target,
                                      request->include_metadata ? METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA
                                                                : METERED_SUBSCRIBE_FLAGS_NONE,
                                      worker->cancellable, on_subscribe_done, request);
      break;
    case INSPECTOR_LOG_KIND_UNSUBSCRIBE:
      metered_client_unsubscribe_async (worker->client, request->target, worker->cancellable,
                                        on_unsubscribe_done, request);
      break;
    case INSPECTOR_LOG_KIND_PUBLISH:
      metered_client_publish_text_async (worker->client, request->target, request->json, request->cancellable,
                                         on_payload_done, request);
      break;
    case INSPECTOR_LOG_KIND_SEND:
    default:
      metered_client_send_text_async (worker->client, request->target, request->json, request->cancellable,
                                      on_payload_done, request);
      break;
    }

  /* The callback never runs before this: GTask defers it to a later
   * main loop iteration. */
  push_sent (worker, request, end_capture (worker));
}

static void
send_subscribe (InspectorConnection *self,
                InspectorChannel    *channel)
{
  Request *request = request_new (INSPECTOR_LOG_KIND_SUBSCRIBE, inspector_channel_get_name (channel));

  request->include_metadata = inspector_channel_get_include_sender_metadata (channel);
  inspector_channel_set_state (channel, INSPECTOR_CHANNEL_STATE_SUBSCRIBING, NULL);
  worker_invoke (self->worker, worker_send_request, request, (GDestroyNotify) request_free);
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
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, send_payload);

  if (self->worker == NULL)
    {
      g_task_return_new_error (task, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED,
                               _("Not connected"));
      return;
    }

  request = request_new (kind, target);
  request->json = g_strdup (json);
  request->compact = dup_compact_json (json);
  request->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  request->task = g_steal_pointer (&task);
  worker_invoke (self->worker, worker_send_request, request, (GDestroyNotify) request_free);
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

static EventCall *
event_call_new (gpointer    event,
                const char *frame)
{
  EventCall *call = g_new0 (EventCall, 1);

  call->event = event != NULL ? g_object_ref (event) : NULL;
  call->frame = g_strdup (frame);

  return call;
}

static void
main_state_changed (InspectorConnection *self,
                    gpointer             data)
{
  EventCall *call = data;
  MeteredClientState from = call->a;
  MeteredClientState to = call->b;
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
on_state_changed (MeteredClient      *client,
                  MeteredClientState  from,
                  MeteredClientState  to,
                  gpointer            user_data)
{
  Worker *worker = user_data;
  EventCall *call = event_call_new (NULL, NULL);

  call->a = from;
  call->b = to;
  push_call (worker, main_state_changed, call, (GDestroyNotify) event_call_free);
}

static void
main_reconnect_scheduled (InspectorConnection *self,
                          gpointer             data)
{
  EventCall *call = data;
  g_autofree char *note = NULL;

  /* Translators: a reconnect attempt number, then its delay in seconds */
  note = g_strdup_printf (_("Reconnect attempt %u in %.1f s"), (guint) call->a, call->delay);
  log_event (self, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, note, NULL);

  g_object_freeze_notify (G_OBJECT (self));
  self->reconnect_attempt = call->a;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_ATTEMPT]);
  set_int64 (self, &self->next_attempt_time, call->b, PROP_NEXT_ATTEMPT_TIME);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_reconnect_scheduled (MeteredClient *client,
                        guint          attempt,
                        double         delay,
                        gpointer       user_data)
{
  Worker *worker = user_data;
  EventCall *call = event_call_new (NULL, NULL);

  call->a = attempt;
  call->b = g_get_monotonic_time () + (gint64) (delay * G_USEC_PER_SEC);
  call->delay = delay;
  push_call (worker, main_reconnect_scheduled, call, (GDestroyNotify) event_call_free);
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
main_connected (InspectorConnection *self,
                gpointer             data)
{
  EventCall *call = data;
  MeteredConnectedEvent *event = METERED_CONNECTED_EVENT (call->event);
  g_autofree char *ice = dup_ice_summary (metered_connected_event_get_ice_servers (event));
  g_autofree char *note = NULL;
  gboolean is_reconnect = metered_connected_event_get_is_reconnect (event);
  gint64 expires_at = 0;

  if (is_reconnect)
    /* Translators: the peer id the server gave this connection */
    note = g_strdup_printf (_("Reconnected as %s"), metered_connected_event_get_peer_id (event));
  else
    note = g_strdup_printf (_("Connected as %s"), metered_connected_event_get_peer_id (event));
  redact (self->worker, &note);
  log_event (self, INSPECTOR_LOG_KIND_WELCOME, NULL, metered_connected_event_get_peer_id (event), call->text, note,
             call->frame);

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

  /* After a reconnect the client resubscribes on its own; the fresh
   * snapshot that follows confirms each channel. A connect of our own (the
   * first one, or "reconnect now") subscribes here. */
  if (!is_reconnect)
    subscribe_all (self);
  else if (self->effective->auto_resubscribe)
    mark_channels (self, INSPECTOR_CHANNEL_STATE_RESTORING, NULL);
  else
    mark_channels (self, INSPECTOR_CHANNEL_STATE_FAILED, _("Not restored: automatic resubscribe is off"));
}

static void
on_connected (MeteredClient         *client,
              MeteredConnectedEvent *event,
              gpointer               user_data)
{
  Worker *worker = user_data;
  g_autofree char *frame = dup_welcome_frame (take_frame (worker));
  EventCall *call = event_call_new (event, NULL);

  /* The welcome is parsed here, off the UI thread. */
  call->frame = g_steal_pointer (&frame);
  call->text = dup_welcome_text (event);
  redact (worker, &call->frame);
  redact (worker, &call->text);
  push_call (worker, main_connected, call, (GDestroyNotify) event_call_free);
}

static void
main_disconnected (InspectorConnection *self,
                   gpointer             data)
{
  EventCall *call = data;
  int code = call->a;
  gboolean will_reconnect = call->b;
  /* Codes outside the enum (1007, 1011, an application's 4xxx) have no
   * name. */
  const char *name = metered_close_code_get_name (code);
  g_autofree char *note = NULL;
  GString *text;

  text = g_string_new (NULL);
  g_string_append_printf (text, "{\"code\":%d,\"name\":", code);
  if (name != NULL)
    metered_json_append_string (text, name);
  else
    g_string_append (text, "null");
  g_string_append (text, ",\"reason\":");
  metered_json_append_string (text, call->text != NULL ? call->text : "");
  g_string_append_printf (text, ",\"willReconnect\":%s}", will_reconnect ? "true" : "false");

  /* Translators: a close code, its name, what it means, and what happens next */
  note = g_strdup_printf (_("%d %s: %s (%s)"), code, name != NULL ? name : _("unknown"),
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
on_disconnected (MeteredClient            *client,
                 MeteredDisconnectedEvent *event,
                 gpointer                  user_data)
{
  Worker *worker = user_data;
  const char *reason = metered_disconnected_event_get_reason (event);
  EventCall *call = event_call_new (NULL, NULL);

  worker->current_frame = NULL;

  call->a = metered_disconnected_event_get_code (event);
  call->b = metered_disconnected_event_get_will_reconnect (event);
  call->text = g_strdup (reason);
  redact (worker, &call->text);
  push_call_full (worker, main_disconnected, call, (GDestroyNotify) event_call_free, TRUE);
}

/* The hot path: one packed row per message, nothing else on this side. */
static void
on_message (MeteredClient       *client,
            MeteredMessageEvent *event,
            gpointer             user_data)
{
  Worker *worker = user_data;
  const char *frame = take_frame (worker);
  g_autofree char *metadata = NULL;
  g_autofree char *text = dup_redacted (worker, metered_message_event_get_data_text (event));

  /* The frame carries the metadata; only parse it out without one. */
  if (frame == NULL && metered_message_event_get_sender_metadata (event) != NULL)
    metadata = dup_json_object_text (metered_message_event_get_sender_metadata (event));

  push_row (worker, INSPECTOR_LOG_KIND_MESSAGE, metered_message_event_get_channel (event),
            metered_message_event_get_sender_peer_id (event),
            text != NULL ? text : metered_message_event_get_data_text (event), metadata, frame);
}

static void
on_direct (MeteredClient      *client,
           MeteredDirectEvent *event,
           gpointer            user_data)
{
  Worker *worker = user_data;
  const char *frame = take_frame (worker);
  g_autofree char *metadata = NULL;
  g_autofree char *text = dup_redacted (worker, metered_direct_event_get_data_text (event));

  if (frame == NULL && metered_direct_event_get_sender_metadata (event) != NULL)
    metadata = dup_json_object_text (metered_direct_event_get_sender_metadata (event));

  push_row (worker, INSPECTOR_LOG_KIND_DIRECT, NULL, metered_direct_event_get_sender_peer_id (event),
            text != NULL ? text : metered_direct_event_get_data_text (event), metadata, frame);
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
main_presence (InspectorConnection *self,
               gpointer             data)
{
  EventCall *call = data;
  MeteredPresenceEvent *event = METERED_PRESENCE_EVENT (call->event);
  const char *name = metered_presence_event_get_channel (event);
  InspectorChannel *channel = g_hash_table_lookup (self->channel_index, name);
  GPtrArray *joined = metered_presence_event_get_joined (event);
  GPtrArray *left = metered_presence_event_get_left (event);
  gboolean snapshot = channel != NULL && inspector_channel_get_awaiting_snapshot (channel);
  g_autofree char *note = dup_presence_note (channel, event, snapshot);
  const char *peer = NULL;

  if (joined->len + left->len == 1)
    peer = metered_presence_peer_get_peer_id (g_ptr_array_index (joined->len == 1 ? joined : left, 0));

  redact (self->worker, &note);
  log_event (self, INSPECTOR_LOG_KIND_PRESENCE, name, peer, call->frame, note, call->frame);

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

/* Rosters and names live on the UI thread: the event goes there whole. */
static void
on_presence (MeteredClient        *client,
             MeteredPresenceEvent *event,
             gpointer              user_data)
{
  Worker *worker = user_data;

  push_call (worker, main_presence, event_call_new (event, take_frame (worker)), (GDestroyNotify) event_call_free);
}

static void
main_server_error (InspectorConnection *self,
                   gpointer             data)
{
  EventCall *call = data;
  MeteredServerErrorEvent *event = METERED_SERVER_ERROR_EVENT (call->event);
  g_autofree char *note = NULL;
  g_autofree char *message = NULL;

  note = g_strdup_printf ("%s: %s", metered_server_error_event_get_code (event),
                          metered_server_error_describe (metered_server_error_event_get_error_code (event)));
  redact (self->worker, &note);
  log_event (self, INSPECTOR_LOG_KIND_SERVER_ERROR, NULL, NULL, call->frame, note, call->frame);

  /* Translators: a server error code and what it means */
  message = g_strdup_printf (_("Server error: %s"), note);
  notice (self, message, FALSE);
}

static void
on_server_error (MeteredClient           *client,
                 MeteredServerErrorEvent *event,
                 gpointer                 user_data)
{
  Worker *worker = user_data;

  push_call (worker, main_server_error, event_call_new (event, take_frame (worker)),
             (GDestroyNotify) event_call_free);
}

static void
main_going_away (InspectorConnection *self,
                 gpointer             data)
{
  EventCall *call = data;
  g_autofree char *note = NULL;

  /* Translators: the server's hint, in seconds */
  note = g_strdup_printf (_("The server is shutting down; it suggests reconnecting after %.1f s"), call->delay);
  log_event (self, INSPECTOR_LOG_KIND_GOING_AWAY, NULL, NULL, call->frame, note, call->frame);
  notice (self, note, TRUE);
}

static void
on_going_away (MeteredClient         *client,
               MeteredGoingAwayEvent *event,
               gpointer               user_data)
{
  Worker *worker = user_data;
  EventCall *call = event_call_new (NULL, take_frame (worker));

  call->delay = metered_going_away_event_get_retry_after (event);
  push_call (worker, main_going_away, call, (GDestroyNotify) event_call_free);
}

static void
main_token_provider_error (InspectorConnection *self,
                           gpointer             data)
{
  EventCall *call = data;
  guint failures = call->a;
  g_autofree char *note = NULL;

  /* Translators: a failure count, then the provider's error */
  note = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "No token: the token provider failed %u time in a row (%s)",
                                       "No token: the token provider failed %u times in a row (%s)",
                                       failures),
                          failures, call->text != NULL ? call->text : _("unknown error"));
  log_event (self, INSPECTOR_LOG_KIND_TOKEN_ERROR, NULL, NULL, NULL, note, NULL);
  notice (self, note, TRUE);
}

static void
on_token_provider_error (MeteredClient                  *client,
                         MeteredTokenProviderErrorEvent *event,
                         gpointer                        user_data)
{
  Worker *worker = user_data;
  const GError *error = metered_token_provider_error_event_get_error (event);
  EventCall *call = event_call_new (NULL, NULL);

  worker->current_frame = NULL;

  call->a = metered_token_provider_error_event_get_consecutive_failures (event);
  call->text = error != NULL ? g_strdup (error->message) : NULL;
  redact (worker, &call->text);
  push_call (worker, main_token_provider_error, call, (GDestroyNotify) event_call_free);
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

/* Worker thread. Answers at once: tokens are pasted or signed here, never
 * fetched, from the worker's own copy of the options. */
static void
provide_token (MeteredClient       *client,
               MeteredTokenRequest *request,
               gpointer             user_data)
{
  Worker *worker = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  if (worker->options->mode == INSPECTOR_AUTH_TOKEN)
    token = dup_pasted_token (worker->options->token, g_get_real_time () / G_USEC_PER_SEC, &error);
  else
    {
      token = inspector_connect_options_mint_token (worker->options, g_get_real_time () / G_USEC_PER_SEC, &error);
      if (token != NULL)
        add_secret (worker, token, FALSE);
    }

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
main_connect_failed (InspectorConnection *self,
                     gpointer             data)
{
  EventCall *call = data;
  g_autofree char *message = NULL;

  /* Translators: why the connection failed, in words */
  message = g_strdup_printf (_("Could not connect: %s"), call->text);
  log_event (self, INSPECTOR_LOG_KIND_CLOSE, NULL, NULL, NULL, message, NULL);
  set_string (self, &self->last_error, message, PROP_LAST_ERROR);
  notice (self, message, TRUE);
}

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Worker *worker = user_data;
  g_autoptr(GError) error = NULL;
  EventCall *call;

  if (metered_client_connect_finish (METERED_CLIENT (source), result, &error) ||
      g_error_matches (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  call = event_call_new (NULL, NULL);
  call->text = inspector_describe_error (error);
  redact (worker, &call->text);
  push_call_full (worker, main_connect_failed, call, (GDestroyNotify) event_call_free, TRUE);
}

static void
worker_connect (Worker  *worker,
                gpointer data)
{
  metered_client_connect_async (worker->client, worker->cancellable, on_connect_done, worker);
}

/* UI thread, before each connect of our own. */
static void
main_before_connect (InspectorConnection *self,
                     gpointer             data)
{
  self->user_closed = FALSE;
  mark_channels (self, INSPECTOR_CHANNEL_STATE_OFFLINE, NULL);
}

static void
on_reconnect_closed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Worker *worker = user_data;

  metered_client_close_finish (METERED_CLIENT (source), result, NULL);
  push_call_full (worker, main_before_connect, NULL, NULL, TRUE);
  worker_connect (worker, NULL);
}

static void
worker_reconnect (Worker  *worker,
                  gpointer data)
{
  metered_client_close_async (worker->client, METERED_CLOSE_CODE_NORMAL, "reconnecting",
                              NULL, on_reconnect_closed, worker);
}

static void
worker_disconnect (Worker  *worker,
                   gpointer data)
{
  metered_client_close_async (worker->client, METERED_CLOSE_CODE_NORMAL, NULL, NULL, NULL, NULL);
}

static void
on_shutdown_closed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Worker *worker = user_data;

  metered_client_close_finish (METERED_CLIENT (source), result, NULL);
  g_main_loop_quit (worker->loop);
}

static void
worker_shutdown (Worker  *worker,
                 gpointer data)
{
  g_signal_handlers_disconnect_by_data (worker->client, worker);
  metered_client_set_frame_observer (worker->client, NULL, NULL);
  metered_client_set_reconnect_observer (worker->client, NULL, NULL);
  /* The close handshake is bounded by the client's own timeout. */
  metered_client_close_async (worker->client, METERED_CLOSE_CODE_NORMAL, NULL, NULL, on_shutdown_closed, worker);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

#ifdef __linux__
  /* When the cores are busy, the window paints first; the queue's bound
   * then slows the server down rather than the UI. */
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), WORKER_NICE);
#endif

  g_main_context_push_thread_default (worker->context);
  g_main_loop_run (worker->loop);
  g_clear_object (&worker->client);
  /* Let what the close finished (the client's pending callbacks) run. */
  for (guint i = 0; i < 100 && g_main_context_iteration (worker->context, FALSE); i++)
    ;
  g_main_context_pop_thread_default (worker->context);

  return NULL;
}

static Worker *
worker_new (InspectorConnection *self)
{
  Worker *worker = g_new0 (Worker, 1);

  g_mutex_init (&worker->mutex);
  g_cond_init (&worker->cond);
  g_queue_init (&worker->queue);
  worker->secrets = g_ptr_array_new_with_free_func (g_free);
  worker->main_context = g_main_context_ref_thread_default ();
  worker->context = g_main_context_new ();
  worker->loop = g_main_loop_new (worker->context, FALSE);
  worker->cancellable = g_object_ref (self->cancellable);
  worker->connection = self;
  worker->options = inspector_connect_options_copy (self->effective);

  add_secret (worker, worker->options->api_key, TRUE);
  add_secret (worker, worker->options->token, TRUE);
  add_secret (worker, worker->options->secret, TRUE);

  return worker;
}

static void
worker_free (Worker *worker)
{
  Item *item;

  /* Joined: nothing else touches the queue. */
  while ((item = g_queue_pop_head (&worker->queue)) != NULL)
    item_free (item);

  g_clear_pointer (&worker->flush_source, g_source_unref);
  g_clear_pointer (&worker->loop, g_main_loop_unref);
  g_clear_pointer (&worker->context, g_main_context_unref);
  g_clear_pointer (&worker->main_context, g_main_context_unref);
  g_clear_object (&worker->cancellable);
  g_clear_object (&worker->client);
  g_clear_pointer (&worker->options, inspector_connect_options_free);
  g_clear_pointer (&worker->redacted_frame, g_free);
  g_clear_pointer (&worker->captured_frame, g_free);
  g_clear_pointer (&worker->secrets, g_ptr_array_unref);
  g_mutex_clear (&worker->mutex);
  g_cond_clear (&worker->cond);
  g_free (worker);
}

/* UI thread: stops the worker and waits for it. */
static void
worker_stop (Worker *worker)
{
  GSource *flush_source;

  g_mutex_lock (&worker->mutex);
  worker->stopping = TRUE;
  flush_source = g_steal_pointer (&worker->flush_source);
  g_cond_broadcast (&worker->cond);
  g_mutex_unlock (&worker->mutex);

  if (flush_source != NULL)
    {
      g_source_destroy (flush_source);
      g_source_unref (flush_source);
    }

  if (worker->thread != NULL)
    {
      worker_invoke (worker, worker_shutdown, NULL, NULL);
      g_thread_join (g_steal_pointer (&worker->thread));
    }

  worker_free (worker);
}

/* Created on the UI thread with the worker's context as thread-default,
 * so the WebSocket and every source of the client live there; the thread does
 * not run yet, so nothing else touches it. */
static MeteredClient *
create_client (Worker  *worker,
               GError **error)
{
  const InspectorConnectOptions *options = worker->options;
  g_autoptr(MeteredClient) client = NULL;

  client = g_object_new (METERED_TYPE_CLIENT,
                         "url", options->url,
                         "api-key", options->mode == INSPECTOR_AUTH_API_KEY ? options->api_key : NULL,
                         "reconnect-options", &options->reconnect,
                         "inactivity-timeout", options->inactivity_timeout,
                         "auto-resubscribe", options->auto_resubscribe,
                         NULL);

  if (options->mode != INSPECTOR_AUTH_API_KEY)
    metered_client_set_token_provider (client, provide_token, worker, NULL);

  if (!g_initable_init (G_INITABLE (client), NULL, error))
    return NULL;

  g_object_set_data (G_OBJECT (client), "inspector-worker", worker);
  metered_client_set_frame_observer (client, on_frame, worker);
  metered_client_set_reconnect_observer (client, on_reconnect_scheduled, worker);

  g_signal_connect (client, "state-changed", G_CALLBACK (on_state_changed), worker);
  g_signal_connect (client, "connected", G_CALLBACK (on_connected), worker);
  g_signal_connect (client, "disconnected", G_CALLBACK (on_disconnected), worker);
  g_signal_connect (client, "message", G_CALLBACK (on_message), worker);
  g_signal_connect (client, "direct", G_CALLBACK (on_direct), worker);
  g_signal_connect (client, "presence", G_CALLBACK (on_presence), worker);
  g_signal_connect (client, "server-error", G_CALLBACK (on_server_error), worker);
  g_signal_connect (client, "going-away", G_CALLBACK (on_going_away), worker);
  g_signal_connect (client, "token-provider-error", G_CALLBACK (on_token_provider_error), worker);

  return g_steal_pointer (&client);
}

static void
fail_start (InspectorConnection *self,
            const GError        *error)
{
  g_autofree char *message = NULL;

  /* Translators: why the connection could not be set up */
  message = g_strdup_printf (_("Could not connect: %s"), error->message);
  redact (self->worker, &message);
  log_event (self, INSPECTOR_LOG_KIND_CLOSE, NULL, NULL, NULL, message, NULL);
  set_string (self, &self->last_error, message, PROP_LAST_ERROR);
  notice (self, message, TRUE);
}

/**
 * inspector_connection_start:
 *
 * Starts the sandbox (for sandbox options), creates the client on a
 * thread of its own and connects; the options' channels are subscribed
 * once connected. Failures are reported through the log,
 * #InspectorConnection:last-error and #InspectorConnection::notice.
 */
void
inspector_connection_start (InspectorConnection *self)
{
  g_autoptr(GError) error = NULL;
  Worker *worker;

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

  worker = worker_new (self);

  g_main_context_push_thread_default (worker->context);
  worker->client = create_client (worker, &error);
  g_main_context_pop_thread_default (worker->context);

  if (worker->client == NULL)
    {
      /* Redact with the worker's secrets before it goes. */
      self->worker = worker;
      fail_start (self, error);
      self->worker = NULL;
      worker_free (worker);
      return;
    }

  self->worker = worker;
  main_before_connect (self, NULL);
  worker->thread = g_thread_new ("inspector-connection", worker_thread, worker);
  worker_invoke (worker, worker_connect, NULL, NULL);
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

  if (self->worker == NULL)
    return;

  log_event (self, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, _("Reconnecting now, as asked"), NULL);
  self->user_closed = TRUE;
  worker_invoke (self->worker, worker_reconnect, NULL, NULL);
}

void
inspector_connection_disconnect (InspectorConnection *self)
{
  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));

  if (self->worker == NULL)
    return;

  self->user_closed = TRUE;
  worker_invoke (self->worker, worker_disconnect, NULL, NULL);
}

/* GObject. */

static void
inspector_connection_dispose (GObject *object)
{
  InspectorConnection *self = (InspectorConnection *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->stats_source, g_source_remove);
  g_clear_pointer (&self->worker, worker_stop);
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

  if (self->worker != NULL && self->state == METERED_CLIENT_STATE_CONNECTED)
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

  g_return_if_fail (INSPECTOR_IS_CONNECTION (self));
  g_return_if_fail (channel != NULL);

  if ((found = g_hash_table_lookup (self->channel_index, channel)) == NULL)
    return;

  name = g_strdup (channel);
  remove_channel (self, found);

  if (self->worker == NULL)
    return;

  worker_invoke (self->worker, worker_send_request, request_new (INSPECTOR_LOG_KIND_UNSUBSCRIBE, name),
                 (GDestroyNotify) request_free);
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
