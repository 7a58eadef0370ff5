/* metered-server-error-event.h: an error frame no pending request claimed
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <glib-object.h>

#include "metered-error.h"
#include "metered-version-macros.h"

G_BEGIN_DECLS

#define METERED_TYPE_SERVER_ERROR_EVENT (metered_server_error_event_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredServerErrorEvent, metered_server_error_event, METERED, SERVER_ERROR_EVENT, GObject)

METERED_AVAILABLE_IN_ALL
const char         *metered_server_error_event_get_code       (MeteredServerErrorEvent *self);
METERED_AVAILABLE_IN_ALL
MeteredServerError  metered_server_error_event_get_error_code (MeteredServerErrorEvent *self);
METERED_AVAILABLE_IN_ALL
const char         *metered_server_error_event_get_message    (MeteredServerErrorEvent *self);
METERED_AVAILABLE_IN_ALL
const char         *metered_server_error_event_get_request_id (MeteredServerErrorEvent *self);

G_END_DECLS
