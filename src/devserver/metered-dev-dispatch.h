/* metered-dev-dispatch.h: the requests a connected peer sends
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-dev-server-private.h"

G_BEGIN_DECLS

/* Handles one text frame from @connection: parses it, checks it, carries it
 * out and answers according to the connection's ack mode. */
void metered_dev_dispatch_text (MeteredDevServer     *server,
                                MeteredDevConnection *connection,
                                const char           *text,
                                gsize                 len);

G_END_DECLS
