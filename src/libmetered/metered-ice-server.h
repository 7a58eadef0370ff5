/* metered-ice-server.h: a STUN/TURN server handed out in `welcome`
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

#define METERED_TYPE_ICE_SERVER (metered_ice_server_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredIceServer, metered_ice_server, METERED, ICE_SERVER, GObject)

METERED_AVAILABLE_IN_ALL
const char * const *metered_ice_server_get_urls       (MeteredIceServer *self);
METERED_AVAILABLE_IN_ALL
const char         *metered_ice_server_get_username   (MeteredIceServer *self);
METERED_AVAILABLE_IN_ALL
const char         *metered_ice_server_get_credential (MeteredIceServer *self);

G_END_DECLS
