/* metered-dev-server.h: a local server speaking the Metered Realtime protocol
 *
 * Embeddable: tests and the inspector create one, listen on port 0 and ask
 * for its URL. It runs on the thread-default main context of the thread that
 * calls metered_dev_server_listen().
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "metered-dev-config.h"

G_BEGIN_DECLS

#define METERED_TYPE_DEV_SERVER (metered_dev_server_get_type ())

G_DECLARE_FINAL_TYPE (MeteredDevServer, metered_dev_server, METERED, DEV_SERVER, GObject)

/* @config: (nullable): NULL for the built-in development configuration
 * (pk_live_dev, sk_id_dev / sk_secret_dev, pattern `**`, all actions). */
MeteredDevServer *metered_dev_server_new            (MeteredDevConfig  *config);
MeteredDevConfig *metered_dev_server_get_config     (MeteredDevServer  *self);

/* @port 0 picks a free port. */
gboolean          metered_dev_server_listen         (MeteredDevServer  *self,
                                                     const char        *host,
                                                     guint              port,
                                                     GError           **error);
guint             metered_dev_server_get_port       (MeteredDevServer  *self);
/* "ws://HOST:PORT", the base URL a client is given. */
char             *metered_dev_server_dup_url        (MeteredDevServer  *self);

/* Simulated demo peers (sensors, chat bots, echo peer). */
void              metered_dev_server_set_demo       (MeteredDevServer  *self,
                                                     gboolean           enabled);
/* The demo peers' channels, `demo/chat` first, then each
 * `demo/sensors/<id>`; %NULL when the demo is off. */
char            **metered_dev_server_dup_demo_channels (MeteredDevServer *self);

/* Graceful shutdown: every connection gets `going_away {retryAfterMs}` then
 * close 1001; the listener stops. Emits ::stopped when the last connection
 * is gone (at most about 1.5 s later: peers that do not answer the close
 * are hung up on). */
void              metered_dev_server_stop           (MeteredDevServer  *self,
                                                     guint              retry_after_ms);

guint             metered_dev_server_get_n_connections (MeteredDevServer *self);

/* How long a connection may stay silent past the ping interval before it
 * is dropped (default 10000 ms); tests shorten it. */
void              metered_dev_server_set_idle_grace (MeteredDevServer  *self,
                                                     guint              grace_ms);

/* How much unread output a connection may pile up before it is closed
 * with 1008 (default 4 MiB, 0 for no limit); applies to later connections.
 * Tests lower it. */
void              metered_dev_server_set_output_limit (MeteredDevServer *self,
                                                       gsize             max_bytes);

/* Serves wss:// (and REST over https://) with @certificate, which must
 * carry its private key; %NULL for plain ws://. Call it before
 * metered_dev_server_listen(). */
void              metered_dev_server_set_tls_certificate (MeteredDevServer *self,
                                                          GTlsCertificate  *certificate);

/* Test hooks: reachable from C, and from the metered-devserver binary only
 * through --test-hooks on stdin; never from the network. @peer_id selects
 * every connection of that peer; NULL selects every connection.
 * Each returns the number of connections affected. */
typedef enum {
  METERED_DEV_ACKS_NORMAL,
  METERED_DEV_ACKS_DELAY,     /* send acks/errors after a delay */
  METERED_DEV_ACKS_SWALLOW,   /* never answer requests (frames are still processed) */
} MeteredDevAckMode;

guint metered_dev_server_hook_drop          (MeteredDevServer *self,
                                             const char       *peer_id);
guint metered_dev_server_hook_close         (MeteredDevServer *self,
                                             const char       *peer_id,
                                             gushort           code,
                                             const char       *reason);
guint metered_dev_server_hook_send_raw      (MeteredDevServer *self,
                                             const char       *peer_id,
                                             const char       *text);
/* Sends @bytes as one frame, unchecked: a text frame that need not be
 * UTF-8 (a hostile server), or a binary frame. */
guint metered_dev_server_hook_send_bytes    (MeteredDevServer *self,
                                             const char       *peer_id,
                                             GBytes           *bytes,
                                             gboolean          binary);
guint metered_dev_server_hook_set_ack_mode  (MeteredDevServer *self,
                                             const char       *peer_id,
                                             MeteredDevAckMode mode,
                                             guint             delay_ms);
/* Stop reading and stop answering pings: a silent, half-open peer. */
guint metered_dev_server_hook_stall         (MeteredDevServer *self,
                                             const char       *peer_id,
                                             gboolean          stalled);
/* New connections are refused with @code before welcome (0 turns it off). */
void  metered_dev_server_hook_reject_connections (MeteredDevServer *self,
                                                  gushort           code);
/* Sets accountSuspended at runtime: later connects get 4012; open
 * connections are left alone. */
void  metered_dev_server_hook_set_suspended (MeteredDevServer *self,
                                             gboolean          suspended);
/* Returns: (transfer full): a JSON array of {peerId, channels} for the
 * selected connections. */
JsonNode *metered_dev_server_hook_list_connections (MeteredDevServer *self,
                                                    const char       *peer_id);
/* Floods, for benchmarks: a publisher inside the server that sends
 * {"seq":N,"sentUs":T,"pad":"…"} payloads of about @payload_size bytes to
 * @channel (N counts from 0, T is g_get_real_time()), as `message` frames
 * from peer `flood`. @rate_per_second 0: as fast as the slowest
 * subscriber drains; @count 0: until stopped. It waits while the channel
 * has no subscriber, and while any subscriber's socket is full, so it
 * never queues without bound. Returns the flood's id (never 0). */
#define METERED_DEV_FLOOD_MAX_PAYLOAD (1024 * 1024)
guint     metered_dev_server_start_flood    (MeteredDevServer *self,
                                             const char       *channel,
                                             guint             rate_per_second,
                                             guint64           count,
                                             gsize             payload_size);
/* Stops and forgets the flood; unknown ids are ignored. */
void      metered_dev_server_stop_flood     (MeteredDevServer *self,
                                             guint             flood_id);
/* FALSE for an unknown flood. Finished floods stay known until the next
 * start. */
gboolean  metered_dev_server_get_flood_sent (MeteredDevServer *self,
                                             guint             flood_id,
                                             guint64          *sent,
                                             gboolean         *finished);
/* Whether @code can be sent in a close frame by this server: 1000–1003,
 * 1007–1011 or 3000–4999. */
gboolean  metered_dev_close_code_is_sendable (guint code);

G_END_DECLS
