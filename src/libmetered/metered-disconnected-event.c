/* metered-disconnected-event.c: a connection that was up went down
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-disconnected-event"

#include "metered-disconnected-event.h"
#include "metered-client-private.h"

/**
 * MeteredDisconnectedEvent:
 *
 * Emitted by [signal@Metered.Client::disconnected] when a connection that
 * had been welcomed closes, whoever closed it. A failed first connect is
 * reported by [method@Metered.Client.connect_finish] instead.
 *
 * The code is the WebSocket close code (see #MeteredCloseCode): the server's,
 * 1006 for a link that dropped without a close frame, or the client's own
 * (4000 after its inactivity watchdog fired, 1009 after an oversized frame,
 * the code given to [method@Metered.Client.close_async]). Branch on the
 * code, never on the reason text, which the server controls.
 *
 * Instances are immutable.
 */
struct _MeteredDisconnectedEvent
{
  GObject  parent_instance;

  int      code;
  char    *reason;
  gboolean will_reconnect;
};

G_DEFINE_FINAL_TYPE (MeteredDisconnectedEvent, metered_disconnected_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CODE,
  PROP_REASON,
  PROP_WILL_RECONNECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_disconnected_event_finalize (GObject *object)
{
  MeteredDisconnectedEvent *self = (MeteredDisconnectedEvent *) object;

  g_clear_pointer (&self->reason, g_free);

  G_OBJECT_CLASS (metered_disconnected_event_parent_class)->finalize (object);
}

static void
metered_disconnected_event_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  MeteredDisconnectedEvent *self = METERED_DISCONNECTED_EVENT (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_int (value, self->code);
      break;

    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;

    case PROP_WILL_RECONNECT:
      g_value_set_boolean (value, self->will_reconnect);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_disconnected_event_class_init (MeteredDisconnectedEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_disconnected_event_finalize;
  object_class->get_property = metered_disconnected_event_get_property;

  /**
   * MeteredDisconnectedEvent:code:
   *
   * The WebSocket close code.
   */
  properties[PROP_CODE] =
    g_param_spec_int ("code", NULL, NULL,
                      0, G_MAXINT, 0,
                      (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredDisconnectedEvent:reason:
   *
   * The close reason, sanitized (no control characters); may be empty.
   */
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredDisconnectedEvent:will-reconnect:
   *
   * Whether the client is going to reconnect by itself. %FALSE means it
   * gave up: a terminal close code, the attempts ran out, reconnecting is
   * disabled, or the application closed the client.
   */
  properties[PROP_WILL_RECONNECT] =
    g_param_spec_boolean ("will-reconnect", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_disconnected_event_init (MeteredDisconnectedEvent *self)
{
}

MeteredDisconnectedEvent *
metered_disconnected_event_new (int         code,
                                const char *reason,
                                gboolean    will_reconnect)
{
  MeteredDisconnectedEvent *self = g_object_new (METERED_TYPE_DISCONNECTED_EVENT, NULL);

  self->code = code;
  self->reason = g_strdup (reason != NULL ? reason : "");
  self->will_reconnect = !!will_reconnect;

  return self;
}

/**
 * metered_disconnected_event_get_code:
 * @self: a #MeteredDisconnectedEvent
 *
 * Gets the WebSocket close code.
 *
 * Returns: the close code
 */
int
metered_disconnected_event_get_code (MeteredDisconnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_DISCONNECTED_EVENT (self), 0);

  return self->code;
}

/**
 * metered_disconnected_event_get_reason:
 * @self: a #MeteredDisconnectedEvent
 *
 * Gets the sanitized close reason, for logs.
 *
 * Returns: (transfer none): the reason, possibly empty
 */
const char *
metered_disconnected_event_get_reason (MeteredDisconnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_DISCONNECTED_EVENT (self), NULL);

  return self->reason;
}

/**
 * metered_disconnected_event_get_will_reconnect:
 * @self: a #MeteredDisconnectedEvent
 *
 * Tells whether the client will reconnect by itself.
 *
 * Returns: %TRUE if a reconnect is scheduled
 */
gboolean
metered_disconnected_event_get_will_reconnect (MeteredDisconnectedEvent *self)
{
  g_return_val_if_fail (METERED_IS_DISCONNECTED_EVENT (self), FALSE);

  return self->will_reconnect;
}
