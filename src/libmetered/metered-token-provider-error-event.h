/* metered-token-provider-error-event.h: the token provider keeps failing
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

#define METERED_TYPE_TOKEN_PROVIDER_ERROR_EVENT (metered_token_provider_error_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredTokenProviderErrorEvent, metered_token_provider_error_event, METERED, TOKEN_PROVIDER_ERROR_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
guint         metered_token_provider_error_event_get_consecutive_failures (MeteredTokenProviderErrorEvent *self);
METERED_AVAILABLE_IN_ALL
const GError *metered_token_provider_error_event_get_error                (MeteredTokenProviderErrorEvent *self);

G_END_DECLS
