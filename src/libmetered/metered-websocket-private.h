/* metered-websocket-private.h: a WebSocket connection over an upgraded stream
 *
 * The transport of both MeteredClient and the local server, in place of
 * SoupWebsocketConnection: it reads in large chunks and parses many frames
 * per read, and it queues outgoing frames in fixed-size blocks written with
 * as few writev() calls as possible (everything sent during one main-loop dispatch
 * goes out together). No per-frame logging on the hot path.
 *
 * All methods and signals run on the thread-default main context that was
 * current when the connection was created.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

typedef enum {
  METERED_WEBSOCKET_ROLE_CLIENT,          /* masks what it sends; expects unmasked frames */
  METERED_WEBSOCKET_ROLE_SERVER,          /* sends unmasked; expects masked frames */
} MeteredWebsocketRole;

typedef enum {
  METERED_WEBSOCKET_STATE_OPEN,
  METERED_WEBSOCKET_STATE_CLOSING,        /* a close frame was sent or received */
  METERED_WEBSOCKET_STATE_CLOSED,         /* the stream is closed; ::closed was emitted */
} MeteredWebsocketState;

typedef enum {
  METERED_WEBSOCKET_DATA_TEXT,
  METERED_WEBSOCKET_DATA_BINARY,
} MeteredWebsocketDataType;

#define METERED_WEBSOCKET_ERROR (metered_websocket_error_quark ())

typedef enum {
  METERED_WEBSOCKET_ERROR_HANDSHAKE = 1,  /* the upgrade was refused or its answer was wrong */
  METERED_WEBSOCKET_ERROR_PROTOCOL,       /* the peer broke RFC 6455; we closed with 1002 */
  METERED_WEBSOCKET_ERROR_BAD_DATA,       /* a text message was not UTF-8; we closed with 1007 */
  METERED_WEBSOCKET_ERROR_TOO_BIG,        /* a message was over the cap; we closed with 1009 */
} MeteredWebsocketError;

METERED_INTERNAL
GQuark metered_websocket_error_quark (void);

#define METERED_TYPE_WEBSOCKET (metered_websocket_get_type ())

METERED_INTERNAL
G_DECLARE_FINAL_TYPE (MeteredWebsocket, metered_websocket, METERED, WEBSOCKET, GObject)

/* Takes over @stream, whose input and output streams must be pollable.
 * @leftover holds bytes already read past the handshake (nullable). Reading
 * starts at once. */
METERED_INTERNAL
MeteredWebsocket      *metered_websocket_new                      (GIOStream            *stream,
                                                                   MeteredWebsocketRole  role,
                                                                   GBytes               *leftover);

METERED_INTERNAL
GIOStream             *metered_websocket_get_io_stream            (MeteredWebsocket     *self);
METERED_INTERNAL
MeteredWebsocketState  metered_websocket_get_state                (MeteredWebsocket     *self);

/* The code and reason of the close frame received from the peer; 0 and NULL
 * when none arrived (a reset, a dropped link). */
METERED_INTERNAL
gushort                metered_websocket_get_close_code           (MeteredWebsocket     *self);
METERED_INTERNAL
const char            *metered_websocket_get_close_reason         (MeteredWebsocket     *self);

/* A message (after reassembling fragments) longer than @max_bytes closes the
 * connection with 1009 and emits ::error METERED_WEBSOCKET_ERROR_TOO_BIG.
 * 0 means no cap. The default is 0. */
METERED_INTERNAL
void                   metered_websocket_set_max_incoming_payload (MeteredWebsocket     *self,
                                                                   guint64               max_bytes);

/* Sends a ping every @seconds while open (0, the default, turns it off).
 * Pongs are answered to pings automatically either way. */
METERED_INTERNAL
void                   metered_websocket_set_keepalive_interval   (MeteredWebsocket     *self,
                                                                   guint                 seconds);

/* Stops or resumes reading from the stream, for back-pressure: while not
 * reading, the kernel's buffers fill and the peer's writes stall. */
METERED_INTERNAL
void                   metered_websocket_set_reading              (MeteredWebsocket     *self,
                                                                   gboolean              reading);

/* Queues a frame; ignored unless the state is OPEN. @length -1 means
 * NUL-terminated. */
METERED_INTERNAL
void                   metered_websocket_send_text                (MeteredWebsocket     *self,
                                                                   const char           *text,
                                                                   gssize                length);
METERED_INTERNAL
void                   metered_websocket_send_binary              (MeteredWebsocket     *self,
                                                                   const void           *data,
                                                                   gsize                 length);

/* Queues @length raw bytes in order with the frames around them, whatever
 * they are (fault injection in the local server's test hooks). */
METERED_INTERNAL
void                   metered_websocket_send_raw                 (MeteredWebsocket     *self,
                                                                   const void           *data,
                                                                   gsize                 length);

/* Bytes queued and not yet written, for producers that pace themselves. */
METERED_INTERNAL
gsize                  metered_websocket_get_pending_output       (MeteredWebsocket     *self);

/* Starts the closing handshake: sends a close frame with @code (0 for none)
 * and @reason (nullable; cut at 123 bytes on a UTF-8 boundary). The stream
 * is closed when the peer answers, or after a short timeout. */
METERED_INTERNAL
void                   metered_websocket_close                    (MeteredWebsocket     *self,
                                                                   gushort               code,
                                                                   const char           *reason);

/* Signals (all G_SIGNAL_RUN_LAST, no return value):
 *   ::message  (MeteredWebsocketDataType type, GBytes *payload)  a whole message;
 *              a NUL follows the payload's last byte (not counted in its size)
 *   ::pong     (GBytes *payload)
 *   ::closing  ()                           the peer's close frame arrived first
 *   ::error    (GError *error)              before ::closed, for protocol/IO errors
 *   ::closed   ()                           exactly once, when the stream is closed
 *   ::drained  ()                           the output queue became empty after a write
 */

G_END_DECLS
