/* metered-websocket-connect-private.h: the client side of the WebSocket upgrade
 *
 * Opens a TCP (and for wss://, TLS) connection with GSocketClient, writes the
 * RFC 6455 upgrade request, checks the 101 answer (Upgrade, Connection,
 * Sec-WebSocket-Accept) and hands the stream to a MeteredWebsocket in the
 * client role. The URL (which carries a credential in its query) never
 * appears in an error message.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-websocket-private.h"

G_BEGIN_DECLS

/* @tls_database: nullable; the default database when NULL.
 * @user_agent: sent as User-Agent. */
METERED_INTERNAL
void              metered_websocket_connect_async  (const char          *url,
                                                    GTlsDatabase        *tls_database,
                                                    const char          *user_agent,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);

/* On failure, *@http_status (nullable) is the status the server answered the
 * upgrade with, or 0 when none was read (connection, TLS or parse failure).
 * Errors: G_IO_ERROR from the connection or TLS, or METERED_WEBSOCKET_ERROR
 * METERED_WEBSOCKET_ERROR_HANDSHAKE. */
METERED_INTERNAL
MeteredWebsocket *metered_websocket_connect_finish (GAsyncResult        *result,
                                                    guint               *http_status,
                                                    GError             **error);

G_END_DECLS
