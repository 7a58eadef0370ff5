/* inspector-saved-payload.h: a named payload to publish or send again
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "inspector-connection.h"

G_BEGIN_DECLS

/* Longest name a saved payload may have, in characters. */
#define INSPECTOR_SAVED_PAYLOAD_MAX_NAME 100

#define INSPECTOR_TYPE_SAVED_PAYLOAD (inspector_saved_payload_get_type ())

G_DECLARE_FINAL_TYPE (InspectorSavedPayload, inspector_saved_payload, INSPECTOR, SAVED_PAYLOAD, GObject)

InspectorSavedPayload *inspector_saved_payload_new          (const char             *name,
                                                             gboolean                peer,
                                                             const char             *target,
                                                             const char             *json,
                                                             GError                **error);
InspectorSavedPayload *inspector_saved_payload_new_renamed  (InspectorSavedPayload  *self,
                                                             const char             *name,
                                                             GError                **error);
const char            *inspector_saved_payload_get_name     (InspectorSavedPayload  *self);
gboolean               inspector_saved_payload_get_peer     (InspectorSavedPayload  *self);
const char            *inspector_saved_payload_get_target   (InspectorSavedPayload  *self);
const char            *inspector_saved_payload_get_json     (InspectorSavedPayload  *self);
char                  *inspector_saved_payload_dup_summary  (InspectorSavedPayload  *self);
void                   inspector_saved_payload_send_async   (InspectorSavedPayload  *self,
                                                             InspectorConnection    *connection,
                                                             GCancellable           *cancellable,
                                                             GAsyncReadyCallback     callback,
                                                             gpointer                user_data);
gboolean               inspector_saved_payload_send_finish  (InspectorSavedPayload  *self,
                                                             GAsyncResult           *result,
                                                             gint64                 *rtt_us,
                                                             GError                **error);

G_END_DECLS
