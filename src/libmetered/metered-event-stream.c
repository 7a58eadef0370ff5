/* metered-event-stream.c: a bounded queue of client events, pulled async
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-event-stream"

#include "metered-event-stream.h"
#include "metered-client-private.h"

/**
 * MeteredEventStream:
 *
 * An alternative to the signals of [class@Metered.Client]: a queue of the
 * client's events of one type (or of every type), which the application
 * pulls at its own pace with [method@Metered.EventStream.next_async].
 *
 * Create one with [method@Metered.Client.create_event_stream]. It collects
 * events from then on. The queue is bounded: when it is full, the oldest
 * event is dropped to make room and
 * [property@Metered.EventStream:n-dropped] grows, so a slow consumer loses
 * old events instead of making the process grow without limit.
 *
 * Each event is an immutable object, such as a [class@Metered.MessageEvent];
 * check its type with `G_TYPE_CHECK_INSTANCE_TYPE` or its language's
 * equivalent.
 *
 * A stream ends when it is closed with [method@Metered.EventStream.close] or
 * when its client is finalized: the events still queued are delivered, then
 * [method@Metered.EventStream.next_finish] returns %NULL without an error.
 * Closing the client itself does not end its streams, because a closed
 * client can connect again.
 *
 * Like the client, a stream is used from the thread that runs the client's
 * main context.
 */
struct _MeteredEventStream
{
  GObject  parent_instance;

  GType    event_type;
  guint    max_size;
  GQueue   events;
  GQueue   waiters;   /* Waiter */
  guint64  n_dropped;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (MeteredEventStream, metered_event_stream, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_EVENT_TYPE,
  PROP_MAX_SIZE,
  PROP_N_DROPPED,
  PROP_CLOSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct {
  MeteredEventStream *stream;
  GTask              *task;
  GSource            *cancel_source;
} Waiter;

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancel_source != NULL)
    {
      g_source_destroy (waiter->cancel_source);
      g_source_unref (waiter->cancel_source);
    }
  g_clear_object (&waiter->task);
  g_free (waiter);
}

/* Hands @event (transfer full, nullable for end of stream) to a waiter. */
static void
waiter_complete (Waiter  *waiter,
                 GObject *event)
{
  GTask *task = g_steal_pointer (&waiter->task);

  waiter_free (waiter);
  g_task_return_pointer (task, event, event != NULL ? g_object_unref : NULL);
  g_object_unref (task);
}

static void
metered_event_stream_dispose (GObject *object)
{
  MeteredEventStream *self = (MeteredEventStream *) object;

  /* Waiters hold a reference on the stream through their task, so none is
   * left by the time the stream is disposed. */
  g_assert (g_queue_is_empty (&self->waiters));
  g_queue_clear_full (&self->events, g_object_unref);

  G_OBJECT_CLASS (metered_event_stream_parent_class)->dispose (object);
}

static void
metered_event_stream_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  MeteredEventStream *self = METERED_EVENT_STREAM (object);

  switch (prop_id)
    {
    case PROP_EVENT_TYPE:
      g_value_set_gtype (value, self->event_type);
      break;

    case PROP_MAX_SIZE:
      g_value_set_uint (value, self->max_size);
      break;

    case PROP_N_DROPPED:
      g_value_set_uint64 (value, self->n_dropped);
      break;

    case PROP_CLOSED:
      g_value_set_boolean (value, self->closed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_event_stream_class_init (MeteredEventStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_event_stream_dispose;
  object_class->get_property = metered_event_stream_get_property;

  /**
   * MeteredEventStream:event-type:
   *
   * The type of the events the stream collects, or %G_TYPE_OBJECT for
   * every event.
   */
  properties[PROP_EVENT_TYPE] =
    g_param_spec_gtype ("event-type", NULL, NULL,
                        G_TYPE_OBJECT,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredEventStream:max-size:
   *
   * How many events the queue holds before it drops the oldest; 0 means
   * no limit.
   */
  properties[PROP_MAX_SIZE] =
    g_param_spec_uint ("max-size", NULL, NULL,
                       0, G_MAXUINT, METERED_EVENT_STREAM_DEFAULT_MAX_SIZE,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredEventStream:n-dropped:
   *
   * How many events were dropped because the queue was full.
   */
  properties[PROP_N_DROPPED] =
    g_param_spec_uint64 ("n-dropped", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredEventStream:closed:
   *
   * Whether the stream stopped collecting events.
   */
  properties[PROP_CLOSED] =
    g_param_spec_boolean ("closed", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_event_stream_init (MeteredEventStream *self)
{
  g_queue_init (&self->events);
  g_queue_init (&self->waiters);
}

MeteredEventStream *
metered_event_stream_new (GType event_type,
                          guint max_size)
{
  MeteredEventStream *self;

  g_return_val_if_fail (g_type_is_a (event_type, G_TYPE_OBJECT), NULL);

  self = g_object_new (METERED_TYPE_EVENT_STREAM, NULL);
  self->event_type = event_type;
  self->max_size = max_size;

  return self;
}

void
metered_event_stream_push (MeteredEventStream *self,
                           GObject            *event)
{
  g_return_if_fail (METERED_IS_EVENT_STREAM (self));
  g_return_if_fail (G_IS_OBJECT (event));

  if (self->closed || !G_TYPE_CHECK_INSTANCE_TYPE (event, self->event_type))
    return;

  if (!g_queue_is_empty (&self->waiters))
    {
      waiter_complete (g_queue_pop_head (&self->waiters), g_object_ref (event));
      return;
    }

  if (self->max_size > 0 && self->events.length >= self->max_size)
    {
      g_object_unref (g_queue_pop_head (&self->events));
      self->n_dropped++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
    }

  g_queue_push_tail (&self->events, g_object_ref (event));
}

/**
 * metered_event_stream_get_event_type:
 * @self: a #MeteredEventStream
 *
 * Gets the type of the events the stream collects.
 *
 * Returns: the event type, %G_TYPE_OBJECT for every event
 */
GType
metered_event_stream_get_event_type (MeteredEventStream *self)
{
  g_return_val_if_fail (METERED_IS_EVENT_STREAM (self), G_TYPE_INVALID);

  return self->event_type;
}

/**
 * metered_event_stream_get_max_size:
 * @self: a #MeteredEventStream
 *
 * Gets the queue's capacity.
 *
 * Returns: the capacity in events, 0 for no limit
 */
guint
metered_event_stream_get_max_size (MeteredEventStream *self)
{
  g_return_val_if_fail (METERED_IS_EVENT_STREAM (self), 0);

  return self->max_size;
}

/**
 * metered_event_stream_get_n_pending:
 * @self: a #MeteredEventStream
 *
 * Gets how many events wait in the queue.
 *
 * Returns: the number of queued events
 */
guint
metered_event_stream_get_n_pending (MeteredEventStream *self)
{
  g_return_val_if_fail (METERED_IS_EVENT_STREAM (self), 0);

  return self->events.length;
}

/**
 * metered_event_stream_get_n_dropped:
 * @self: a #MeteredEventStream
 *
 * Gets how many events were dropped because the queue was full.
 *
 * Returns: the number of dropped events
 */
guint64
metered_event_stream_get_n_dropped (MeteredEventStream *self)
{
  g_return_val_if_fail (METERED_IS_EVENT_STREAM (self), 0);

  return self->n_dropped;
}

/**
 * metered_event_stream_is_closed:
 * @self: a #MeteredEventStream
 *
 * Tells whether the stream stopped collecting events.
 *
 * Returns: %TRUE once the stream is closed
 */
gboolean
metered_event_stream_is_closed (MeteredEventStream *self)
{
  g_return_val_if_fail (METERED_IS_EVENT_STREAM (self), TRUE);

  return self->closed;
}

/**
 * metered_event_stream_try_next:
 * @self: a #MeteredEventStream
 *
 * Takes the oldest queued event without waiting.
 *
 * Returns: (transfer full) (nullable): the event, or %NULL when the queue
 *   is empty
 */
GObject *
metered_event_stream_try_next (MeteredEventStream *self)
{
  g_return_val_if_fail (METERED_IS_EVENT_STREAM (self), NULL);

  return g_queue_pop_head (&self->events);
}

static gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;
  MeteredEventStream *self = waiter->stream;
  GTask *task = g_steal_pointer (&waiter->task);

  g_queue_remove (&self->waiters, waiter);
  waiter_free (waiter);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "The wait for the next event was cancelled");
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

/**
 * metered_event_stream_next_async:
 * @self: a #MeteredEventStream
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when an event is available or the
 *   stream ended
 * @user_data: data for @callback
 *
 * Waits for the next event. Several waits may be pending at once; they are
 * served in order.
 */
void
metered_event_stream_next_async (MeteredEventStream  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Waiter *waiter;

  g_return_if_fail (METERED_IS_EVENT_STREAM (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_event_stream_next_async);
  /* Cancellation is handled below, so that an event handed to a task is
   * never discarded by a cancellation that raced with it. */
  g_task_set_check_cancellable (task, FALSE);

  if (!g_queue_is_empty (&self->events))
    {
      g_task_return_pointer (task, g_queue_pop_head (&self->events), g_object_unref);
      return;
    }

  if (self->closed)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  waiter = g_new0 (Waiter, 1);
  waiter->stream = self;
  waiter->task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (waiter->cancel_source, "[metered] event stream wait");
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (on_waiter_cancelled), waiter, NULL);
      g_source_attach (waiter->cancel_source, g_task_get_context (waiter->task));
    }
  g_queue_push_tail (&self->waiters, waiter);
}

/**
 * metered_event_stream_next_finish:
 * @self: a #MeteredEventStream
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Metered.EventStream.next_async].
 *
 * Returns: (transfer full) (nullable): the next event, or %NULL at the end
 *   of the stream (without an error) or on cancellation (with
 *   %G_IO_ERROR_CANCELLED)
 */
GObject *
metered_event_stream_next_finish (MeteredEventStream  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (METERED_IS_EVENT_STREAM (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * metered_event_stream_close:
 * @self: a #MeteredEventStream
 *
 * Stops collecting events. Events already queued can still be taken; after
 * them, [method@Metered.EventStream.next_finish] reports the end of the
 * stream. Closing twice does nothing.
 */
void
metered_event_stream_close (MeteredEventStream *self)
{
  g_return_if_fail (METERED_IS_EVENT_STREAM (self));

  if (self->closed)
    return;

  self->closed = TRUE;

  /* The queue is empty whenever tasks wait, so they all see the end. */
  while (!g_queue_is_empty (&self->waiters))
    waiter_complete (g_queue_pop_head (&self->waiters), NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOSED]);
}
