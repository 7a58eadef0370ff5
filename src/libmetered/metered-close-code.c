/* metered-close-code.c: WebSocket close codes and what a client does about them
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-close-code"

#include "metered-close-code.h"

typedef struct {
  int                     code;
  const char             *name;
  const char             *description;
  MeteredReconnectPolicy  policy;
} CloseCodeInfo;

/* The policies follow the Python SDK's table (protocol §6, §13, §17). */
static const CloseCodeInfo close_codes[] = {
  { METERED_CLOSE_CODE_NORMAL, "normal",
    "The connection was closed on purpose.",
    METERED_RECONNECT_POLICY_BACKOFF },
  { METERED_CLOSE_CODE_GOING_AWAY, "going-away",
    "The server is shutting down or restarting; reconnecting shortly will reach a new instance.",
    METERED_RECONNECT_POLICY_BACKOFF },
  { METERED_CLOSE_CODE_ABNORMAL, "abnormal",
    "The connection dropped without a close frame (a network failure, or the server could not be reached).",
    METERED_RECONNECT_POLICY_BACKOFF },
  { METERED_CLOSE_CODE_POLICY_VIOLATION, "policy-violation",
    "The server saw a protocol violation from this client.",
    METERED_RECONNECT_POLICY_BACKOFF },
  { METERED_CLOSE_CODE_MESSAGE_TOO_BIG, "message-too-big",
    "A frame was larger than the server accepts; split large payloads.",
    METERED_RECONNECT_POLICY_BACKOFF },
  { METERED_CLOSE_CODE_CLIENT_INACTIVITY, "client-inactivity",
    "Nothing arrived from the server in time, so the client closed the connection itself.",
    METERED_RECONNECT_POLICY_BACKOFF },
  { METERED_CLOSE_CODE_INVALID_TOKEN, "invalid-token",
    "The server rejected the credentials; they must be fixed before connecting again.",
    METERED_RECONNECT_POLICY_TERMINAL },
  { METERED_CLOSE_CODE_TOKEN_EXPIRED, "token-expired",
    "The token expired; a fresh token is needed to reconnect.",
    METERED_RECONNECT_POLICY_BACKOFF },
  { METERED_CLOSE_CODE_CHANNEL_NOT_AUTHORIZED, "channel-not-authorized",
    "A channel was outside what the credentials allow.",
    METERED_RECONNECT_POLICY_TERMINAL },
  { METERED_CLOSE_CODE_OVER_CONCURRENT_LIMIT, "over-concurrent-limit",
    "The plan's limit of concurrent connections is reached; wait before trying again.",
    METERED_RECONNECT_POLICY_SLOW },
  { METERED_CLOSE_CODE_OVER_MESSAGE_RATE, "over-message-rate",
    "This connection sent messages faster than the rate limit allows.",
    METERED_RECONNECT_POLICY_BACKOFF },
  { METERED_CLOSE_CODE_ACCOUNT_SUSPENDED, "account-suspended",
    "The account is suspended; every reconnect would fail.",
    METERED_RECONNECT_POLICY_TERMINAL },
  { METERED_CLOSE_CODE_ADMIN_DISCONNECT, "admin-disconnect",
    "The application's backend disconnected this peer.",
    METERED_RECONNECT_POLICY_TERMINAL },
};

/* Long enough for a 4010 rejection not to hammer a server at its plan cap. */
#define OVER_CONCURRENT_LIMIT_FLOOR 30.0

static const CloseCodeInfo *
lookup (int code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (close_codes); i++)
    {
      if (close_codes[i].code == code)
        return &close_codes[i];
    }

  return NULL;
}

/**
 * metered_close_code_get_name:
 * @code: a WebSocket close code
 *
 * Gives a short stable name such as `"invalid-token"`, for logs and UIs.
 *
 * Returns: (nullable): the name, or %NULL for a code not in #MeteredCloseCode
 */
const char *
metered_close_code_get_name (int code)
{
  const CloseCodeInfo *info = lookup (code);

  return info != NULL ? info->name : NULL;
}

/**
 * metered_close_code_describe:
 * @code: a WebSocket close code
 *
 * Gives an English sentence saying what the code means. Callers wanting to
 * show the number of an unknown code add it themselves.
 *
 * Returns: (transfer none): a description, never %NULL
 */
const char *
metered_close_code_describe (int code)
{
  const CloseCodeInfo *info = lookup (code);

  return info != NULL ? info->description : "Unknown close code";
}

/**
 * metered_close_code_get_reconnect_policy:
 * @code: a WebSocket close code
 *
 * Tells whether a client should reconnect after a close with @code.
 * Codes not in #MeteredCloseCode use the normal backoff.
 *
 * Returns: the #MeteredReconnectPolicy for @code
 */
MeteredReconnectPolicy
metered_close_code_get_reconnect_policy (int code)
{
  const CloseCodeInfo *info = lookup (code);

  return info != NULL ? info->policy : METERED_RECONNECT_POLICY_BACKOFF;
}

/**
 * metered_close_code_get_backoff_floor:
 * @code: a WebSocket close code
 *
 * Gives the least delay, in seconds, before the next reconnect attempt
 * after a close with @code.
 *
 * Returns: the floor in seconds (0 when the code imposes none)
 */
double
metered_close_code_get_backoff_floor (int code)
{
  if (code == METERED_CLOSE_CODE_OVER_CONCURRENT_LIMIT)
    return OVER_CONCURRENT_LIMIT_FLOOR;

  return 0.0;
}
