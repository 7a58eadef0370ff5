/* inspector-connection.h: one connection of the inspector, as models
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "metered-client.h"

#include "inspector-channel.h"
#include "inspector-connect-options.h"
#include "inspector-log-store.h"
#include "inspector-sandbox.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_CONNECTION (inspector_connection_get_type ())

G_DECLARE_FINAL_TYPE (InspectorConnection, inspector_connection, INSPECTOR, CONNECTION, GObject)

InspectorConnection           *inspector_connection_new                  (const InspectorConnectOptions *options);
InspectorConnection           *inspector_connection_new_offline          (const char           *label);
gboolean                       inspector_connection_get_offline          (InspectorConnection  *self);
void                           inspector_connection_count_offline_row    (InspectorConnection  *self,
                                                                          InspectorLogKind      kind,
                                                                          const char           *channel);
void                           inspector_connection_start                (InspectorConnection  *self);
void                           inspector_connection_reconnect            (InspectorConnection  *self);
void                           inspector_connection_disconnect           (InspectorConnection  *self);

const InspectorConnectOptions *inspector_connection_get_options          (InspectorConnection  *self);
InspectorSandbox              *inspector_connection_get_sandbox          (InspectorConnection  *self);
const char                    *inspector_connection_get_label            (InspectorConnection  *self);
const char                    *inspector_connection_get_url              (InspectorConnection  *self);
MeteredClientState             inspector_connection_get_state            (InspectorConnection  *self);
guint                          inspector_connection_get_reconnect_attempt (InspectorConnection *self);
gint64                         inspector_connection_get_next_attempt_time (InspectorConnection *self);
const char                    *inspector_connection_get_peer_id          (InspectorConnection  *self);
gint64                         inspector_connection_get_clock_skew       (InspectorConnection  *self);
gint64                         inspector_connection_get_expires_at       (InspectorConnection  *self);
gint64                         inspector_connection_get_max_message_size (InspectorConnection  *self);
const char                    *inspector_connection_get_ice_servers      (InspectorConnection  *self);
const char                    *inspector_connection_get_last_error       (InspectorConnection  *self);

GListModel                    *inspector_connection_get_channels         (InspectorConnection  *self);
InspectorChannel              *inspector_connection_find_channel         (InspectorConnection  *self,
                                                                          const char           *name);
InspectorLogStore             *inspector_connection_get_log              (InspectorConnection  *self);
char                         **inspector_connection_dup_peer_ids         (InspectorConnection  *self);

gboolean                       inspector_connection_subscribe            (InspectorConnection  *self,
                                                                          const char           *channel,
                                                                          gboolean              include_sender_metadata,
                                                                          GError              **error);
void                           inspector_connection_unsubscribe          (InspectorConnection  *self,
                                                                          const char           *channel);

void                           inspector_connection_publish_async        (InspectorConnection  *self,
                                                                          const char           *channel,
                                                                          const char           *json,
                                                                          GCancellable         *cancellable,
                                                                          GAsyncReadyCallback   callback,
                                                                          gpointer              user_data);
gboolean                       inspector_connection_publish_finish       (InspectorConnection  *self,
                                                                          GAsyncResult         *result,
                                                                          gint64               *rtt_us,
                                                                          GError              **error);
void                           inspector_connection_send_async           (InspectorConnection  *self,
                                                                          const char           *peer_id,
                                                                          const char           *json,
                                                                          GCancellable         *cancellable,
                                                                          GAsyncReadyCallback   callback,
                                                                          gpointer              user_data);
gboolean                       inspector_connection_send_finish          (InspectorConnection  *self,
                                                                          GAsyncResult         *result,
                                                                          gint64               *rtt_us,
                                                                          GError              **error);

const char                    *inspector_client_state_to_label           (MeteredClientState    state);
char                          *inspector_describe_error                  (const GError         *error);

G_END_DECLS
