/* metered-message-event.h: a message published on a subscribed channel
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

#define METERED_TYPE_MESSAGE_EVENT (metered_message_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredMessageEvent, metered_message_event, METERED, MESSAGE_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
const char *metered_message_event_get_channel         (MeteredMessageEvent *self);
METERED_AVAILABLE_IN_ALL
const char *metered_message_event_get_sender_peer_id  (MeteredMessageEvent *self);
METERED_AVAILABLE_IN_ALL
JsonNode   *metered_message_event_get_data            (MeteredMessageEvent *self);
METERED_AVAILABLE_IN_ALL
const char *metered_message_event_get_data_text       (MeteredMessageEvent *self);
METERED_AVAILABLE_IN_ALL
JsonObject *metered_message_event_get_sender_metadata (MeteredMessageEvent *self);

G_END_DECLS
