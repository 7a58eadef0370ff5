/* inspector-profile.h: a saved connection and its saved payloads
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "inspector-connect-options.h"
#include "inspector-saved-payload.h"
#include "inspector-secret-store.h"

G_BEGIN_DECLS

#define INSPECTOR_PROFILE_SCHEMA_ID "io.github.metered_inspector.Inspector.Profile"

#define INSPECTOR_PROFILE_ERROR (inspector_profile_error_quark ())

typedef enum {
  INSPECTOR_PROFILE_ERROR_INVALID,   /* a value, given or stored, is wrong; the message names it */
  INSPECTOR_PROFILE_ERROR_NOT_FOUND, /* no such profile or saved payload */
  INSPECTOR_PROFILE_ERROR_EXISTS,    /* a saved payload of that name exists */
} InspectorProfileError;

#define INSPECTOR_TYPE_PROFILE (inspector_profile_get_type ())

G_DECLARE_FINAL_TYPE (InspectorProfile, inspector_profile, INSPECTOR, PROFILE, GObject)

GQuark                   inspector_profile_error_quark       (void);
gboolean                 inspector_profile_id_is_valid       (const char              *id);

InspectorProfile        *inspector_profile_new               (const char              *id,
                                                              GSettings               *settings,
                                                              InspectorSecretStore    *secrets);
const char              *inspector_profile_get_id            (InspectorProfile        *self);
const char              *inspector_profile_get_name          (InspectorProfile        *self);
const char              *inspector_profile_get_subtitle      (InspectorProfile        *self);
GSettings               *inspector_profile_get_settings      (InspectorProfile        *self);
const char              *inspector_profile_get_problem       (InspectorProfile        *self);

InspectorConnectOptions *inspector_profile_dup_options       (InspectorProfile        *self);
gboolean                 inspector_profile_check             (InspectorProfile        *self,
                                                              const char              *name,
                                                              const InspectorConnectOptions *options,
                                                              GError                 **error);
gboolean                 inspector_profile_write             (InspectorProfile        *self,
                                                              const char              *name,
                                                              const InspectorConnectOptions *options,
                                                              GError                 **error);
void                     inspector_profile_copy_from         (InspectorProfile        *self,
                                                              InspectorProfile        *other,
                                                              const char              *name);
void                     inspector_profile_reset             (InspectorProfile        *self);
void                     inspector_profile_load_options_async  (InspectorProfile        *self,
                                                                GCancellable            *cancellable,
                                                                GAsyncReadyCallback      callback,
                                                                gpointer                 user_data);
InspectorConnectOptions *inspector_profile_load_options_finish (InspectorProfile        *self,
                                                                GAsyncResult            *result,
                                                                GError                 **error);

GListModel              *inspector_profile_get_payloads      (InspectorProfile        *self);
InspectorSavedPayload   *inspector_profile_find_payload      (InspectorProfile        *self,
                                                              const char              *name);
gboolean                 inspector_profile_save_payload      (InspectorProfile        *self,
                                                              InspectorSavedPayload   *payload,
                                                              GError                 **error);
gboolean                 inspector_profile_rename_payload    (InspectorProfile        *self,
                                                              const char              *name,
                                                              const char              *new_name,
                                                              GError                 **error);
gboolean                 inspector_profile_delete_payload    (InspectorProfile        *self,
                                                              const char              *name,
                                                              GError                 **error);

G_END_DECLS
