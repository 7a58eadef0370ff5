/* metered-direct-event.h: a message sent to this peer alone
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

#define METERED_TYPE_DIRECT_EVENT (metered_direct_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredDirectEvent, metered_direct_event, METERED, DIRECT_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
const char *metered_direct_event_get_sender_peer_id  (MeteredDirectEvent *self);
METERED_AVAILABLE_IN_ALL
JsonNode   *metered_direct_event_get_data            (MeteredDirectEvent *self);
METERED_AVAILABLE_IN_ALL
const char *metered_direct_event_get_data_text       (MeteredDirectEvent *self);
METERED_AVAILABLE_IN_ALL
JsonObject *metered_direct_event_get_sender_metadata (MeteredDirectEvent *self);

G_END_DECLS
