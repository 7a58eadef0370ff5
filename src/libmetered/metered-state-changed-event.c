/* metered-state-changed-event.c: the client moved between lifecycle states
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-state-changed-event"

#include "metered-state-changed-event.h"
#include "metered-enum-types.h"
#include "metered-client-private.h"

/**
 * MeteredStateChangedEvent:
 *
 * A state transition of a [class@Metered.Client], as delivered by a
 * [class@Metered.EventStream]. Signal users get the same information from
 * [signal@Metered.Client::state-changed].
 *
 * Instances are immutable.
 */
struct _MeteredStateChangedEvent
{
  GObject            parent_instance;

  MeteredClientState from;
  MeteredClientState to;
};

G_DEFINE_FINAL_TYPE (MeteredStateChangedEvent, metered_state_changed_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FROM,
  PROP_TO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_state_changed_event_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  MeteredStateChangedEvent *self = METERED_STATE_CHANGED_EVENT (object);

  switch (prop_id)
    {
    case PROP_FROM:
      g_value_set_enum (value, self->from);
      break;

    case PROP_TO:
      g_value_set_enum (value, self->to);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_state_changed_event_class_init (MeteredStateChangedEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = metered_state_changed_event_get_property;

  /**
   * MeteredStateChangedEvent:from:
   *
   * The state the client left.
   */
  properties[PROP_FROM] =
    g_param_spec_enum ("from", NULL, NULL,
                       METERED_TYPE_CLIENT_STATE,
                       METERED_CLIENT_STATE_IDLE,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredStateChangedEvent:to:
   *
   * The state the client entered.
   */
  properties[PROP_TO] =
    g_param_spec_enum ("to", NULL, NULL,
                       METERED_TYPE_CLIENT_STATE,
                       METERED_CLIENT_STATE_IDLE,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_state_changed_event_init (MeteredStateChangedEvent *self)
{
}

MeteredStateChangedEvent *
metered_state_changed_event_new (MeteredClientState from,
                                 MeteredClientState to)
{
  MeteredStateChangedEvent *self = g_object_new (METERED_TYPE_STATE_CHANGED_EVENT, NULL);

  self->from = from;
  self->to = to;

  return self;
}

/**
 * metered_state_changed_event_get_from:
 * @self: a #MeteredStateChangedEvent
 *
 * Gets the state the client left.
 *
 * Returns: the previous state
 */
MeteredClientState
metered_state_changed_event_get_from (MeteredStateChangedEvent *self)
{
  g_return_val_if_fail (METERED_IS_STATE_CHANGED_EVENT (self), METERED_CLIENT_STATE_IDLE);

  return self->from;
}

/**
 * metered_state_changed_event_get_to:
 * @self: a #MeteredStateChangedEvent
 *
 * Gets the state the client entered.
 *
 * Returns: the new state
 */
MeteredClientState
metered_state_changed_event_get_to (MeteredStateChangedEvent *self)
{
  g_return_val_if_fail (METERED_IS_STATE_CHANGED_EVENT (self), METERED_CLIENT_STATE_IDLE);

  return self->to;
}
