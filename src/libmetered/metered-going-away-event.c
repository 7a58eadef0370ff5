/* metered-going-away-event.c: the server announced a graceful shutdown
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-going-away-event"

#include "metered-going-away-event.h"
#include "metered-client-private.h"

/**
 * MeteredGoingAwayEvent:
 *
 * Emitted by [signal@Metered.Client::going-away] when the server announces
 * a graceful shutdown (a deploy or restart). A close with code 1001 follows,
 * and the client reconnects with its normal backoff.
 *
 * The event is informational: the client does not wait for the hinted
 * delay itself. An application that wants to honour it can close the
 * client and connect again after the delay.
 *
 * Instances are immutable.
 */
struct _MeteredGoingAwayEvent
{
  GObject parent_instance;

  double  retry_after;
};

G_DEFINE_FINAL_TYPE (MeteredGoingAwayEvent, metered_going_away_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RETRY_AFTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_going_away_event_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  MeteredGoingAwayEvent *self = METERED_GOING_AWAY_EVENT (object);

  switch (prop_id)
    {
    case PROP_RETRY_AFTER:
      g_value_set_double (value, self->retry_after);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_going_away_event_class_init (MeteredGoingAwayEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = metered_going_away_event_get_property;

  /**
   * MeteredGoingAwayEvent:retry-after:
   *
   * The server's hint of how long to wait before reconnecting, in seconds
   * (1 when the server gave no usable hint).
   */
  properties[PROP_RETRY_AFTER] =
    g_param_spec_double ("retry-after", NULL, NULL,
                         0, G_MAXDOUBLE, 1,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_going_away_event_init (MeteredGoingAwayEvent *self)
{
  self->retry_after = 1;
}

MeteredGoingAwayEvent *
metered_going_away_event_new (gint64 retry_after_ms)
{
  MeteredGoingAwayEvent *self = g_object_new (METERED_TYPE_GOING_AWAY_EVENT, NULL);

  if (retry_after_ms > 0)
    self->retry_after = (double) retry_after_ms / 1000.0;

  return self;
}

/**
 * metered_going_away_event_get_retry_after:
 * @self: a #MeteredGoingAwayEvent
 *
 * Gets the server's hint of how long to wait before reconnecting.
 *
 * Returns: the delay in seconds
 */
double
metered_going_away_event_get_retry_after (MeteredGoingAwayEvent *self)
{
  g_return_val_if_fail (METERED_IS_GOING_AWAY_EVENT (self), 0);

  return self->retry_after;
}
