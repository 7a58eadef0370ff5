/* metered-token-request.h: one asynchronous call of a token provider
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

#define METERED_TYPE_TOKEN_REQUEST (metered_token_request_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredTokenRequest, metered_token_request, METERED, TOKEN_REQUEST, GObject)

METERED_AVAILABLE_IN_ALL
void          metered_token_request_return_token    (MeteredTokenRequest *self,
                                                     const char          *token);
METERED_AVAILABLE_IN_ALL
void          metered_token_request_return_error    (MeteredTokenRequest *self,
                                                     const GError        *error);
METERED_AVAILABLE_IN_ALL
GCancellable *metered_token_request_get_cancellable (MeteredTokenRequest *self);

G_END_DECLS
