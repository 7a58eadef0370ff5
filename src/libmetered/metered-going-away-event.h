/* metered-going-away-event.h: the server announced a graceful shutdown
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <glib-object.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

#define METERED_TYPE_GOING_AWAY_EVENT (metered_going_away_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredGoingAwayEvent, metered_going_away_event, METERED, GOING_AWAY_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
double metered_going_away_event_get_retry_after (MeteredGoingAwayEvent *self);

G_END_DECLS
