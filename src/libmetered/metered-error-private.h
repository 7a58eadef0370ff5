/* metered-error-private.h: making errors of the domains without a public
 * constructor
 *
 * Exported for the project's own tests, never installed.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-error.h"
#include "metered-version-macros.h"

G_BEGIN_DECLS

/* A %METERED_CLOSE_ERROR for a connect the server refused with @code.
 * @reason (nullable) must already be sanitized: UTF-8, no control
 * characters, no secrets; it goes into the message as it is. */
METERED_INTERNAL
GError *metered_close_error_new (int         code,
                                 const char *reason);

G_END_DECLS
