/* metered-client-private.h: internals of the client and its event types
 *
 * Constructors of the immutable event objects (only the client makes them),
 * the token request's client side, the event stream's producer side, and
 * test hooks. Exported for the project's own tests, never installed.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "metered-client.h"
#include "metered-connected-event.h"
#include "metered-direct-event.h"
#include "metered-disconnected-event.h"
#include "metered-event-stream.h"
#include "metered-going-away-event.h"
#include "metered-ice-server.h"
#include "metered-message-event.h"
#include "metered-presence-event.h"
#include "metered-presence-peer.h"
#include "metered-server-error-event.h"
#include "metered-state-changed-event.h"
#include "metered-token-provider-error-event.h"
#include "metered-token-request.h"
#include "metered-frame-private.h"
#include "metered-version-macros.h"

G_BEGIN_DECLS

/* JSON handed to applications is sealed, so an event stays immutable. */
JsonObject *metered_json_object_ref_sealed    (JsonObject  *object);

MeteredPresencePeer            *metered_presence_peer_new              (const char   *peer_id,
                                                                        JsonObject   *metadata);
/* The validated `iceServers` of welcome metadata, or NULL (fail closed). */
METERED_INTERNAL
GPtrArray                      *metered_ice_servers_from_metadata      (JsonObject   *metadata);

MeteredConnectedEvent          *metered_connected_event_new            (const char   *peer_id,
                                                                        gint64        server_time,
                                                                        gboolean      has_expires_at,
                                                                        gint64        expires_at,
                                                                        gboolean      is_reconnect,
                                                                        gint64        max_message_size,
                                                                        GPtrArray    *ice_servers);
MeteredDisconnectedEvent       *metered_disconnected_event_new         (int           code,
                                                                        const char   *reason,
                                                                        gboolean      will_reconnect);
/* @data_text (transfer full, not %NULL) is the payload's text from a frame
 * parse (MeteredFrame.data_text): the events build its node on first use.
 * Exported for the unit tests. */
METERED_INTERNAL
MeteredMessageEvent            *metered_message_event_new_take         (const char   *channel,
                                                                        const char   *sender_peer_id,
                                                                        char         *data_text,
                                                                        JsonObject   *sender_metadata);
METERED_INTERNAL
MeteredDirectEvent             *metered_direct_event_new_take          (const char   *sender_peer_id,
                                                                        char         *data_text,
                                                                        JsonObject   *sender_metadata);
/* @joined and @left hold MeteredFramePeer. */
MeteredPresenceEvent           *metered_presence_event_new             (const char   *channel,
                                                                        GPtrArray    *joined,
                                                                        GPtrArray    *left);
MeteredServerErrorEvent        *metered_server_error_event_new         (const char   *code,
                                                                        const char   *message,
                                                                        const char   *request_id);
MeteredGoingAwayEvent          *metered_going_away_event_new           (gint64        retry_after_ms);
MeteredTokenProviderErrorEvent *metered_token_provider_error_event_new (guint         consecutive_failures,
                                                                        const GError *error);
MeteredStateChangedEvent       *metered_state_changed_event_new        (MeteredClientState from,
                                                                        MeteredClientState to);

/* The answer reaches @done once, on the main context that was the thread
 * default when the request was made, never from inside the call that
 * answered. @token and @error are transfer full; exactly one is set. */
typedef void (*MeteredTokenRequestDone) (MeteredTokenRequest *request,
                                         char                *token,
                                         GError              *error,
                                         gpointer             user_data);

MeteredTokenRequest *metered_token_request_new     (MeteredTokenRequestDone  done,
                                                    gpointer                 done_data);
/* The client stopped waiting: later answers are ignored, the request's
 * cancellable is cancelled. */
void                 metered_token_request_abandon (MeteredTokenRequest     *self);

MeteredEventStream *metered_event_stream_new  (GType               event_type,
                                               guint               max_size);
/* Queues @event if it has the stream's type and the stream is open. */
void                metered_event_stream_push (MeteredEventStream *self,
                                               GObject            *event);

/* Test hooks. */

/* Seeds the client's jitter source, so a test can predict the delays. */
METERED_INTERNAL
void metered_client_set_random_seed (MeteredClient *self,
                                     guint32        seed);

typedef void (*MeteredClientReconnectObserver) (MeteredClient *client,
                                                guint          attempt,
                                                double         delay,
                                                gpointer       user_data);

/* Called each time a reconnect attempt is scheduled. */
METERED_INTERNAL
void metered_client_set_reconnect_observer (MeteredClient                  *self,
                                            MeteredClientReconnectObserver  observer,
                                            gpointer                        user_data);

typedef void (*MeteredClientFrameObserver) (MeteredClient *client,
                                            gboolean       outgoing,
                                            const char    *text,
                                            gpointer       user_data);

/* Called with the text of every frame sent or received on the live link. */
METERED_INTERNAL
void metered_client_set_frame_observer (MeteredClient              *self,
                                        MeteredClientFrameObserver  observer,
                                        gpointer                    user_data);

G_END_DECLS
