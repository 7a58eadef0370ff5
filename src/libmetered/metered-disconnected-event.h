/* metered-disconnected-event.h: a connection that was up went down
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

#define METERED_TYPE_DISCONNECTED_EVENT (metered_disconnected_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredDisconnectedEvent, metered_disconnected_event, METERED, DISCONNECTED_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
int         metered_disconnected_event_get_code           (MeteredDisconnectedEvent *self);
METERED_AVAILABLE_IN_ALL
const char *metered_disconnected_event_get_reason         (MeteredDisconnectedEvent *self);
METERED_AVAILABLE_IN_ALL
gboolean    metered_disconnected_event_get_will_reconnect (MeteredDisconnectedEvent *self);

G_END_DECLS
