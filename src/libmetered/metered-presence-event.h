/* metered-presence-event.h: peers joined or left a subscribed channel
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <gio/gio.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

#define METERED_TYPE_PRESENCE_EVENT (metered_presence_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredPresenceEvent, metered_presence_event, METERED, PRESENCE_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
const char *metered_presence_event_get_channel      (MeteredPresenceEvent *self);
METERED_AVAILABLE_IN_ALL
GPtrArray  *metered_presence_event_get_joined       (MeteredPresenceEvent *self);
METERED_AVAILABLE_IN_ALL
GPtrArray  *metered_presence_event_get_left         (MeteredPresenceEvent *self);
METERED_AVAILABLE_IN_ALL
GListModel *metered_presence_event_get_joined_model (MeteredPresenceEvent *self);
METERED_AVAILABLE_IN_ALL
GListModel *metered_presence_event_get_left_model   (MeteredPresenceEvent *self);

G_END_DECLS
