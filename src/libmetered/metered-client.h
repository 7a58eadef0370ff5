/* metered-client.h: a client of the Metered Realtime Messaging service
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "metered-event-stream.h"
#include "metered-reconnect-options.h"
#include "metered-token-request.h"
#include "metered-version-macros.h"

G_BEGIN_DECLS

/**
 * MeteredClientState:
 * @METERED_CLIENT_STATE_IDLE: created, never connected
 * @METERED_CLIENT_STATE_CONNECTING: the first connect is in progress
 * @METERED_CLIENT_STATE_CONNECTED: welcomed by the server; requests may be sent
 * @METERED_CLIENT_STATE_RECONNECTING: the connection dropped and the client
 *   is waiting to reconnect, or reconnecting
 * @METERED_CLIENT_STATE_CLOSED: closed by the application, by a terminal
 *   close code, or after the reconnect attempts ran out; connecting again
 *   is allowed
 *
 * The lifecycle of a [class@Metered.Client]:
 * idle → connecting → connected ↔ reconnecting → closed.
 */
typedef enum {
  METERED_CLIENT_STATE_IDLE,
  METERED_CLIENT_STATE_CONNECTING,
  METERED_CLIENT_STATE_CONNECTED,
  METERED_CLIENT_STATE_RECONNECTING,
  METERED_CLIENT_STATE_CLOSED,
} MeteredClientState;

/**
 * MeteredSubscribeFlags:
 * @METERED_SUBSCRIBE_FLAGS_NONE: no flags
 * @METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA: messages received on the
 *   channel carry the sender's `peerMetadata`
 *   (see [method@Metered.MessageEvent.get_sender_metadata]); off by default
 *   because metadata can be large and most subscribers do not need it
 *
 * Options of a subscription.
 */
typedef enum /*< flags >*/ {
  METERED_SUBSCRIBE_FLAGS_NONE = 0,
  METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA = 1 << 0,
} MeteredSubscribeFlags;

#define METERED_TYPE_CLIENT (metered_client_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredClient, metered_client, METERED, CLIENT, GObject)

/**
 * MeteredTokenProviderFunc:
 * @client: the client that needs a token
 * @request: the request to answer, with
 *   [method@Metered.TokenRequest.return_token] or
 *   [method@Metered.TokenRequest.return_error]
 * @user_data: the data given with the provider
 *
 * Fetches a fresh token (an HS256 JWT that the application's backend mints)
 * for the first connect and for every reconnect. The function may answer
 * at once or later; it must not block.
 */
typedef void (*MeteredTokenProviderFunc) (MeteredClient       *client,
                                          MeteredTokenRequest *request,
                                          gpointer             user_data);

METERED_AVAILABLE_IN_ALL
MeteredClient      *metered_client_new                     (const char                *api_key,
                                                            const char                *url,
                                                            GError                   **error);
METERED_AVAILABLE_IN_ALL
MeteredClient      *metered_client_new_with_token_provider (const char                *url,
                                                            MeteredTokenProviderFunc   provider,
                                                            gpointer                   user_data,
                                                            GDestroyNotify             destroy,
                                                            GError                   **error);
METERED_AVAILABLE_IN_ALL
void                metered_client_set_token_provider      (MeteredClient             *self,
                                                            MeteredTokenProviderFunc   provider,
                                                            gpointer                   user_data,
                                                            GDestroyNotify             destroy);

METERED_AVAILABLE_IN_ALL
MeteredClientState  metered_client_get_state               (MeteredClient             *self);
METERED_AVAILABLE_IN_ALL
const char         *metered_client_get_url                 (MeteredClient             *self);
METERED_AVAILABLE_IN_ALL
const char         *metered_client_get_peer_id             (MeteredClient             *self);
METERED_AVAILABLE_IN_ALL
gint64              metered_client_get_max_message_size    (MeteredClient             *self);
METERED_AVAILABLE_IN_ALL
char              **metered_client_dup_subscriptions       (MeteredClient             *self);

METERED_AVAILABLE_IN_ALL
void                metered_client_connect_async           (MeteredClient             *self,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
METERED_AVAILABLE_IN_ALL
gboolean            metered_client_connect_finish          (MeteredClient             *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);

METERED_AVAILABLE_IN_ALL
void                metered_client_close_async             (MeteredClient             *self,
                                                            int                        code,
                                                            const char                *reason,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
METERED_AVAILABLE_IN_ALL
gboolean            metered_client_close_finish            (MeteredClient             *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);

METERED_AVAILABLE_IN_ALL
void                metered_client_subscribe_async         (MeteredClient             *self,
                                                            const char                *channel,
                                                            MeteredSubscribeFlags      flags,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
METERED_AVAILABLE_IN_ALL
gboolean            metered_client_subscribe_finish        (MeteredClient             *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);

METERED_AVAILABLE_IN_ALL
void                metered_client_unsubscribe_async       (MeteredClient             *self,
                                                            const char                *channel,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
METERED_AVAILABLE_IN_ALL
gboolean            metered_client_unsubscribe_finish      (MeteredClient             *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);

METERED_AVAILABLE_IN_ALL
void                metered_client_publish_async           (MeteredClient             *self,
                                                            const char                *channel,
                                                            JsonNode                  *data,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
METERED_AVAILABLE_IN_ALL
gboolean            metered_client_publish_finish          (MeteredClient             *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);

METERED_AVAILABLE_IN_ALL
void                metered_client_publish_text_async      (MeteredClient             *self,
                                                            const char                *channel,
                                                            const char                *json,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
METERED_AVAILABLE_IN_ALL
gboolean            metered_client_publish_text_finish     (MeteredClient             *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);

METERED_AVAILABLE_IN_ALL
void                metered_client_send_async              (MeteredClient             *self,
                                                            const char                *to_peer_id,
                                                            JsonNode                  *data,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
METERED_AVAILABLE_IN_ALL
gboolean            metered_client_send_finish             (MeteredClient             *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);

METERED_AVAILABLE_IN_ALL
void                metered_client_send_text_async         (MeteredClient             *self,
                                                            const char                *to_peer_id,
                                                            const char                *json,
                                                            GCancellable              *cancellable,
                                                            GAsyncReadyCallback        callback,
                                                            gpointer                   user_data);
METERED_AVAILABLE_IN_ALL
gboolean            metered_client_send_text_finish        (MeteredClient             *self,
                                                            GAsyncResult              *result,
                                                            GError                   **error);

METERED_AVAILABLE_IN_ALL
MeteredEventStream *metered_client_create_event_stream     (MeteredClient             *self,
                                                            GType                      event_type,
                                                            guint                      max_size);

G_END_DECLS
