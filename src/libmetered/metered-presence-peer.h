/* metered-presence-peer.h: one peer in a presence roster change
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

#define METERED_TYPE_PRESENCE_PEER (metered_presence_peer_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredPresencePeer, metered_presence_peer, METERED, PRESENCE_PEER, GObject)

METERED_AVAILABLE_IN_ALL
const char *metered_presence_peer_get_peer_id  (MeteredPresencePeer *self);
METERED_AVAILABLE_IN_ALL
JsonObject *metered_presence_peer_get_metadata (MeteredPresencePeer *self);

G_END_DECLS
