/* metered-state-changed-event.h: the client moved between lifecycle states
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <glib-object.h>

#include "metered-client.h"
#include "metered-version-macros.h"

G_BEGIN_DECLS

#define METERED_TYPE_STATE_CHANGED_EVENT (metered_state_changed_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredStateChangedEvent, metered_state_changed_event, METERED, STATE_CHANGED_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
MeteredClientState metered_state_changed_event_get_from (MeteredStateChangedEvent *self);
METERED_AVAILABLE_IN_ALL
MeteredClientState metered_state_changed_event_get_to   (MeteredStateChangedEvent *self);

G_END_DECLS
