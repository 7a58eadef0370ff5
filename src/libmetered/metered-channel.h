/* metered-channel.h: channel names, peer ids and channel patterns (protocol §8)
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
 * METERED_CHANNEL_MAX_BYTES:
 *
 * Longest channel name, in UTF-8 bytes.
 */
#define METERED_CHANNEL_MAX_BYTES 256

/**
 * METERED_PEER_ID_MAX_BYTES:
 *
 * Longest peer id, in bytes.
 */
#define METERED_PEER_ID_MAX_BYTES 128

/**
 * METERED_REQUEST_ID_MAX_BYTES:
 *
 * Longest request id, in bytes.
 */
#define METERED_REQUEST_ID_MAX_BYTES 128

METERED_AVAILABLE_IN_ALL
gboolean metered_channel_validate        (const char  *channel,
                                          GError     **error);
METERED_AVAILABLE_IN_ALL
gboolean metered_channel_is_reserved     (const char  *channel);
METERED_AVAILABLE_IN_ALL
gboolean metered_peer_id_validate        (const char  *peer_id,
                                          GError     **error);
METERED_AVAILABLE_IN_ALL
gboolean metered_request_id_is_valid     (const char  *request_id);
METERED_AVAILABLE_IN_ALL
gboolean metered_channel_pattern_match   (const char  *pattern,
                                          const char  *channel);
METERED_AVAILABLE_IN_ALL
gboolean metered_channel_patterns_match  (const char * const *patterns,
                                          const char  *channel);

G_END_DECLS
