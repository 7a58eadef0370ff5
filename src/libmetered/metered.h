/* metered.h: umbrella header for libmetered
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#define METERED_INSIDE

#include "metered-version-macros.h"
#include "metered-enum-types.h"
#include "metered-error.h"
#include "metered-close-code.h"
#include "metered-channel.h"
#include "metered-jwt.h"
#include "metered-url.h"
#include "metered-reconnect-options.h"
#include "metered-client.h"
#include "metered-connected-event.h"
#include "metered-direct-event.h"
#include "metered-disconnected-event.h"
#include "metered-event-stream.h"
#include "metered-going-away-event.h"
#include "metered-ice-server.h"
#include "metered-message-event.h"
#include "metered-presence-event.h"
#include "metered-presence-peer.h"
#include "metered-server-error-event.h"
#include "metered-state-changed-event.h"
#include "metered-token-provider-error-event.h"
#include "metered-token-request.h"

#undef METERED_INSIDE
