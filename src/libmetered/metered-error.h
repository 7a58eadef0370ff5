/* metered-error.h: error domains shared by the client and the local server
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
 * METERED_SERVER_ERROR:
 *
 * Error domain for request errors reported by the server in an `error`
 * frame (protocol §7). Codes are #MeteredServerError.
 */
#define METERED_SERVER_ERROR (metered_server_error_quark ())

/**
 * MeteredServerError:
 * @METERED_SERVER_ERROR_UNKNOWN: a code this library does not know; the raw
 *   code string is in the error message and in metered_server_error_get_code()
 * @METERED_SERVER_ERROR_MALFORMED_MESSAGE: `malformed_message`: not JSON, or no `type`
 * @METERED_SERVER_ERROR_UNKNOWN_TYPE: `unknown_type`
 * @METERED_SERVER_ERROR_INVALID_CHANNEL: `invalid_channel`
 * @METERED_SERVER_ERROR_INVALID_PEER_ID: `invalid_peer_id`
 * @METERED_SERVER_ERROR_CHANNEL_NOT_AUTHORIZED: `channel_not_authorized`
 * @METERED_SERVER_ERROR_CHANNEL_RESERVED: `channel_reserved`
 * @METERED_SERVER_ERROR_CHANNEL_LIMIT_EXCEEDED: `channel_limit_exceeded`
 * @METERED_SERVER_ERROR_PEER_NOT_FOUND: `peer_not_found`
 * @METERED_SERVER_ERROR_MISSING_DATA: `missing_data`
 * @METERED_SERVER_ERROR_ACTION_NOT_PERMITTED: `action_not_permitted`
 * @METERED_SERVER_ERROR_OVER_MESSAGE_QUOTA: `over_message_quota`
 * @METERED_SERVER_ERROR_BACKEND_ERROR: `backend_error`
 * @METERED_SERVER_ERROR_INTERNAL_ERROR: `internal_error`
 *
 * Request error codes sent by the server.
 */
typedef enum {
  METERED_SERVER_ERROR_UNKNOWN,
  METERED_SERVER_ERROR_MALFORMED_MESSAGE,
  METERED_SERVER_ERROR_UNKNOWN_TYPE,
  METERED_SERVER_ERROR_INVALID_CHANNEL,
  METERED_SERVER_ERROR_INVALID_PEER_ID,
  METERED_SERVER_ERROR_CHANNEL_NOT_AUTHORIZED,
  METERED_SERVER_ERROR_CHANNEL_RESERVED,
  METERED_SERVER_ERROR_CHANNEL_LIMIT_EXCEEDED,
  METERED_SERVER_ERROR_PEER_NOT_FOUND,
  METERED_SERVER_ERROR_MISSING_DATA,
  METERED_SERVER_ERROR_ACTION_NOT_PERMITTED,
  METERED_SERVER_ERROR_OVER_MESSAGE_QUOTA,
  METERED_SERVER_ERROR_BACKEND_ERROR,
  METERED_SERVER_ERROR_INTERNAL_ERROR,
} MeteredServerError;

METERED_AVAILABLE_IN_ALL
GQuark              metered_server_error_quark       (void);
METERED_AVAILABLE_IN_ALL
const char         *metered_server_error_to_string   (MeteredServerError  code);
METERED_AVAILABLE_IN_ALL
MeteredServerError  metered_server_error_from_string (const char         *code);
METERED_AVAILABLE_IN_ALL
const char         *metered_server_error_describe    (MeteredServerError  code);
METERED_AVAILABLE_IN_ALL
GError             *metered_server_error_new         (const char         *code,
                                                      const char         *message);
METERED_AVAILABLE_IN_ALL
const char         *metered_server_error_get_code    (const GError       *error);

/**
 * METERED_CLIENT_ERROR:
 *
 * Error domain for failures detected by the client itself.
 * Codes are #MeteredClientError.
 */
#define METERED_CLIENT_ERROR (metered_client_error_quark ())

/**
 * MeteredClientError:
 * @METERED_CLIENT_ERROR_INVALID_ARGUMENT: an argument failed validation
 *   (bad channel name, peer id, option value); nothing was sent
 * @METERED_CLIENT_ERROR_INVALID_URL: the base URL is not allowed
 * @METERED_CLIENT_ERROR_INVALID_STATE: the call is not allowed in the current state
 * @METERED_CLIENT_ERROR_NOT_CONNECTED: the client is not connected; the frame never left
 * @METERED_CLIENT_ERROR_DISCONNECTED: the frame was sent but the connection
 *   dropped before the server answered; it may or may not have been processed
 * @METERED_CLIENT_ERROR_ACK_TIMEOUT: the server did not answer in time
 * @METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD: the serialized payload exceeds the
 *   server's `maxMessageSize`
 * @METERED_CLIENT_ERROR_WELCOME_TIMEOUT: the server did not send `welcome` in time
 * @METERED_CLIENT_ERROR_TOKEN_PROVIDER: the token provider failed or timed out
 * @METERED_CLIENT_ERROR_CLOSED: the client was closed while the call was pending
 * @METERED_CLIENT_ERROR_PROTOCOL: the server sent something the protocol does not allow
 *
 * Errors raised locally by the client.
 */
typedef enum {
  METERED_CLIENT_ERROR_INVALID_ARGUMENT,
  METERED_CLIENT_ERROR_INVALID_URL,
  METERED_CLIENT_ERROR_INVALID_STATE,
  METERED_CLIENT_ERROR_NOT_CONNECTED,
  METERED_CLIENT_ERROR_DISCONNECTED,
  METERED_CLIENT_ERROR_ACK_TIMEOUT,
  METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD,
  METERED_CLIENT_ERROR_WELCOME_TIMEOUT,
  METERED_CLIENT_ERROR_TOKEN_PROVIDER,
  METERED_CLIENT_ERROR_CLOSED,
  METERED_CLIENT_ERROR_PROTOCOL,
} MeteredClientError;

METERED_AVAILABLE_IN_ALL
GQuark metered_client_error_quark (void);

/**
 * METERED_CLOSE_ERROR:
 *
 * Error domain for a connection the server closed before `welcome`.
 * The error code is the WebSocket close code itself (see #MeteredCloseCode),
 * so bindings can compare it with the enum directly; the message names the
 * code in words and carries the sanitized close reason, which
 * metered_close_error_get_reason() gives on its own.
 */
#define METERED_CLOSE_ERROR (metered_close_error_quark ())

/**
 * metered_close_error_quark:
 *
 * The quark behind %METERED_CLOSE_ERROR. Bindings pass it to
 * `GLib.Error.matches()` together with a #MeteredCloseCode. The domain
 * carries the close reason as private data, so its quark string is
 * `MeteredCloseError` as G_DEFINE_EXTENDED_ERROR() makes it.
 *
 * The return type is spelled `guint32`, which is what #GQuark is, because
 * the domain has no error enum of its own: given a `GQuark`, the
 * introspection scanner insists on a `MeteredCloseError` enum.
 *
 * Returns: the error domain
 */
METERED_AVAILABLE_IN_ALL
guint32     metered_close_error_quark      (void);
METERED_AVAILABLE_IN_ALL
const char *metered_close_error_get_reason (const GError *error);

G_END_DECLS
