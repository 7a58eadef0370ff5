/* metered-dev-connection.h: one peer connection of the local server
 *
 * Either a real WebSocket or a virtual, in-process peer (the demo): both
 * receive frames through metered_dev_connection_send_text(), so the channel
 * and presence code treats them alike.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-websocket-private.h"
#include "metered-dev-identity.h"
#include "metered-dev-server.h"

G_BEGIN_DECLS

#define METERED_TYPE_DEV_CONNECTION (metered_dev_connection_get_type ())

G_DECLARE_FINAL_TYPE (MeteredDevConnection, metered_dev_connection, METERED, DEV_CONNECTION, GObject)

/* Receives every frame sent to a virtual peer. It runs in the middle of a
 * fan-out, so it must not call back into the server before returning:
 * anything it wants to do in reply goes through an idle callback. */
typedef void (*MeteredDevVirtualFunc) (MeteredDevConnection *connection,
                                       const char           *text,
                                       gpointer              user_data);

MeteredDevConnection     *metered_dev_connection_new           (MeteredWebsocket      *websocket,
                                                                GSocket               *socket,
                                                                MeteredDevIdentity    *identity);
MeteredDevConnection     *metered_dev_connection_new_virtual   (MeteredDevIdentity    *identity,
                                                                MeteredDevVirtualFunc  func,
                                                                gpointer               user_data);

const MeteredDevIdentity *metered_dev_connection_get_identity  (MeteredDevConnection *self);
const char               *metered_dev_connection_get_peer_id   (MeteredDevConnection *self);
gboolean                  metered_dev_connection_is_virtual    (MeteredDevConnection *self);
/* The transport, for producers that pace themselves on its pending
 * output and ::drained; NULL for a virtual peer. */
MeteredWebsocket         *metered_dev_connection_get_websocket (MeteredDevConnection *self);
/* A peer that lets more than @max_bytes of output pile up (it stopped
 * reading) is closed with 1008 rather than queued for without end; 0 for
 * no limit. */
void                      metered_dev_connection_set_output_limit (MeteredDevConnection *self,
                                                                   gsize                 max_bytes);
/* FALSE once closing started, the link dropped, or it was detached. */
gboolean                  metered_dev_connection_is_open       (MeteredDevConnection *self);

/* Queues a text frame; does nothing when not open or stalled. */
void                      metered_dev_connection_send_text     (MeteredDevConnection *self,
                                                                const char           *text);
/* The same with the length known, for the fan-out: returns whether the
 * connection is open (a stalled one is, though it is sent nothing). */
gboolean                  metered_dev_connection_send_text_len (MeteredDevConnection *self,
                                                                const char           *text,
                                                                gsize                 length);
/* Sends @bytes as one binary frame, or as one text frame that is not
 * checked for UTF-8, in order with the frames around it; for test hooks.
 * Does nothing when not open, stalled or virtual. */
void                      metered_dev_connection_send_bytes    (MeteredDevConnection *self,
                                                                GBytes               *bytes,
                                                                gboolean              binary);
void                      metered_dev_connection_close         (MeteredDevConnection *self,
                                                                gushort               code,
                                                                const char           *reason);
/* Cuts the TCP connection without a close frame. */
void                      metered_dev_connection_drop          (MeteredDevConnection *self);

/* Sends a WebSocket ping every @seconds (0: never). */
void                      metered_dev_connection_set_keepalive (MeteredDevConnection *self,
                                                                guint                 seconds);
/* Monotonic time of the last data frame or pong from the peer. */
gint64                    metered_dev_connection_get_last_seen (MeteredDevConnection *self);
/* Closes with 4002 METERED_DEV_EXPIRY_MARGIN_MS before the identity's
 * expiry; nothing for credentials that do not expire. */
void                      metered_dev_connection_start_expiry  (MeteredDevConnection *self);

/* Token bucket over publish + send. %FALSE when it is empty. A zero
 * @rate or @burst means unlimited. */
gboolean                  metered_dev_connection_take_token    (MeteredDevConnection *self,
                                                                double                rate,
                                                                guint                 burst);

void                      metered_dev_connection_set_ack_mode  (MeteredDevConnection *self,
                                                                MeteredDevAckMode     mode,
                                                                guint                 delay_ms);
MeteredDevAckMode         metered_dev_connection_get_ack_mode  (MeteredDevConnection *self,
                                                                guint                *delay_ms);
/* A stalled connection ignores what it receives, sends nothing and stops
 * pinging: a silent, half-open peer. */
void                      metered_dev_connection_set_stalled   (MeteredDevConnection *self,
                                                                gboolean              stalled);
gboolean                  metered_dev_connection_get_stalled   (MeteredDevConnection *self);

G_END_DECLS
