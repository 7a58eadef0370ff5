/* metered-websocket-frame-private.h: RFC 6455 frame headers, read and written
 *
 * Pure functions over byte buffers, shared by the client's and the local
 * server's WebSocket transport (MeteredWebsocket). Reading is strict: every
 * rule of RFC 6455 §5.2 that can be checked from the header is checked here,
 * so untrusted bytes from the network never reach the transport unchecked.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

typedef enum {
  METERED_WEBSOCKET_OPCODE_CONTINUATION = 0x0,
  METERED_WEBSOCKET_OPCODE_TEXT         = 0x1,
  METERED_WEBSOCKET_OPCODE_BINARY       = 0x2,
  METERED_WEBSOCKET_OPCODE_CLOSE        = 0x8,
  METERED_WEBSOCKET_OPCODE_PING         = 0x9,
  METERED_WEBSOCKET_OPCODE_PONG         = 0xA,
} MeteredWebsocketOpcode;

/* The longest header: 2 bytes, 8 bytes of extended length, 4 of mask. */
#define METERED_WEBSOCKET_MAX_HEADER_BYTES 14

typedef struct {
  gboolean               fin;
  MeteredWebsocketOpcode opcode;
  gboolean               masked;
  guint8                 mask[4];
  guint64                payload_length;
  gsize                  header_length;   /* bytes before the payload */
} MeteredWebsocketFrameHeader;

typedef enum {
  METERED_WEBSOCKET_PARSE_OK,
  METERED_WEBSOCKET_PARSE_NEED_MORE,      /* the header is not complete yet */
  METERED_WEBSOCKET_PARSE_ERROR,          /* a protocol error: close with 1002 */
} MeteredWebsocketParseResult;

/* Reads one frame header from the start of @data. @expect_masked is TRUE on
 * the server (client frames must be masked) and FALSE on the client (server
 * frames must not be). On METERED_WEBSOCKET_PARSE_ERROR, *@problem is a
 * static, human-readable reason fit for a close frame. Checks: reserved bits,
 * unknown opcodes, control frames fragmented or over 125 bytes, non-minimal
 * length encodings, the top bit of a 64-bit length, the mask bit. */
METERED_INTERNAL
MeteredWebsocketParseResult metered_websocket_frame_parse_header (const guint8                *data,
                                                                  gsize                        length,
                                                                  gboolean                     expect_masked,
                                                                  MeteredWebsocketFrameHeader *header,
                                                                  const char                 **problem);

/* Writes a header for a frame of @payload_length bytes into @out and returns
 * its length. @mask is NULL for unmasked (server) frames. */
METERED_INTERNAL
gsize metered_websocket_frame_write_header (guint8                 out[METERED_WEBSOCKET_MAX_HEADER_BYTES],
                                            gboolean               fin,
                                            MeteredWebsocketOpcode opcode,
                                            guint64                payload_length,
                                            const guint8          *mask);

/* XORs @length bytes with @mask, as if they started @offset bytes into the
 * payload (so a payload can be unmasked in pieces). */
METERED_INTERNAL
void metered_websocket_frame_apply_mask (guint8       *data,
                                         gsize         length,
                                         const guint8  mask[4],
                                         guint64       offset);

/* The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
METERED_INTERNAL
char *metered_websocket_frame_accept_key (const char *key);

G_END_DECLS
