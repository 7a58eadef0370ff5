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

#undef METERED_INSIDE
