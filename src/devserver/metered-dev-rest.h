/* metered-dev-rest.h: the REST control plane (protocol §12)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "metered-dev-server-private.h"

G_BEGIN_DECLS

/* Answers a request under /v1/ (anything but the WebSocket path). */
void metered_dev_rest_handle    (MeteredDevServer  *server,
                                 SoupServerMessage *msg,
                                 const char        *path);
/* Answers 404 `not_found` for a path outside the API. */
void metered_dev_rest_not_found (SoupServerMessage *msg);

G_END_DECLS
