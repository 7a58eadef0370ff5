/* metered-url.h: base URL validation and the connect URL (protocol §1, §17)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <glib.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

/**
 * METERED_DEFAULT_URL:
 *
 * The hosted service's base URL.
 */
#define METERED_DEFAULT_URL "wss://rms.metered.ca"

METERED_AVAILABLE_IN_ALL
gboolean  metered_url_validate_base   (const char  *url,
                                       GError     **error);
METERED_AVAILABLE_IN_ALL
char     *metered_url_build_connect   (const char  *base_url,
                                       const char  *credential_param,
                                       const char  *credential);
METERED_AVAILABLE_IN_ALL
char     *metered_url_redact          (const char  *url);

G_END_DECLS
