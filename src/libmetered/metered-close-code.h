/* metered-close-code.h: WebSocket close codes and what a client does about them
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
 * MeteredCloseCode:
 * @METERED_CLOSE_CODE_NORMAL: 1000, a deliberate close
 * @METERED_CLOSE_CODE_GOING_AWAY: 1001, server shutdown after `going_away`
 * @METERED_CLOSE_CODE_ABNORMAL: 1006, the link dropped without a close frame (never sent)
 * @METERED_CLOSE_CODE_POLICY_VIOLATION: 1008, protocol violation (e.g. a binary frame)
 * @METERED_CLOSE_CODE_MESSAGE_TOO_BIG: 1009, a frame exceeded the size cap
 * @METERED_CLOSE_CODE_CLIENT_INACTIVITY: 4000, the client's own watchdog or welcome timeout
 * @METERED_CLOSE_CODE_INVALID_TOKEN: 4001, credentials rejected (terminal)
 * @METERED_CLOSE_CODE_TOKEN_EXPIRED: 4002, the token expired (refresh and reconnect)
 * @METERED_CLOSE_CODE_CHANNEL_NOT_AUTHORIZED: 4003, channel outside the token's scope (terminal)
 * @METERED_CLOSE_CODE_OVER_CONCURRENT_LIMIT: 4010, plan's concurrent connection cap (slow retry)
 * @METERED_CLOSE_CODE_OVER_MESSAGE_RATE: 4011, per-connection rate limit
 * @METERED_CLOSE_CODE_ACCOUNT_SUSPENDED: 4012, account suspended (terminal)
 * @METERED_CLOSE_CODE_ADMIN_DISCONNECT: 4020, disconnected through the REST API (terminal)
 *
 * Close codes of the Metered Realtime protocol (§6).
 */
typedef enum {
  METERED_CLOSE_CODE_NORMAL = 1000,
  METERED_CLOSE_CODE_GOING_AWAY = 1001,
  METERED_CLOSE_CODE_ABNORMAL = 1006,
  METERED_CLOSE_CODE_POLICY_VIOLATION = 1008,
  METERED_CLOSE_CODE_MESSAGE_TOO_BIG = 1009,
  METERED_CLOSE_CODE_CLIENT_INACTIVITY = 4000,
  METERED_CLOSE_CODE_INVALID_TOKEN = 4001,
  METERED_CLOSE_CODE_TOKEN_EXPIRED = 4002,
  METERED_CLOSE_CODE_CHANNEL_NOT_AUTHORIZED = 4003,
  METERED_CLOSE_CODE_OVER_CONCURRENT_LIMIT = 4010,
  METERED_CLOSE_CODE_OVER_MESSAGE_RATE = 4011,
  METERED_CLOSE_CODE_ACCOUNT_SUSPENDED = 4012,
  METERED_CLOSE_CODE_ADMIN_DISCONNECT = 4020,
} MeteredCloseCode;

/**
 * MeteredReconnectPolicy:
 * @METERED_RECONNECT_POLICY_BACKOFF: reconnect with the normal backoff
 * @METERED_RECONNECT_POLICY_SLOW: reconnect, but wait at least the code's floor
 *   (see metered_close_code_get_backoff_floor())
 * @METERED_RECONNECT_POLICY_TERMINAL: do not reconnect: the user must act
 *
 * What a client does after a close with a given code.
 */
typedef enum {
  METERED_RECONNECT_POLICY_BACKOFF,
  METERED_RECONNECT_POLICY_SLOW,
  METERED_RECONNECT_POLICY_TERMINAL,
} MeteredReconnectPolicy;

METERED_AVAILABLE_IN_ALL
const char             *metered_close_code_get_name           (int code);
METERED_AVAILABLE_IN_ALL
const char             *metered_close_code_describe           (int code);
METERED_AVAILABLE_IN_ALL
MeteredReconnectPolicy  metered_close_code_get_reconnect_policy (int code);
METERED_AVAILABLE_IN_ALL
double                  metered_close_code_get_backoff_floor  (int code);

G_END_DECLS
