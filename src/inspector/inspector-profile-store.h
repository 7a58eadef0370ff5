/* inspector-profile-store.h: the saved connection profiles, in order
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "inspector-profile.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_PROFILE_STORE (inspector_profile_store_get_type ())

G_DECLARE_FINAL_TYPE (InspectorProfileStore, inspector_profile_store, INSPECTOR, PROFILE_STORE, GObject)

InspectorProfileStore *inspector_profile_store_new                   (GSettings               *main_settings);
InspectorProfileStore *inspector_profile_store_new_with_secret_store (GSettings               *main_settings,
                                                                      InspectorSecretStore    *secrets);
const char            *inspector_profile_store_get_problem           (InspectorProfileStore   *self);
InspectorProfile      *inspector_profile_store_find                  (InspectorProfileStore   *self,
                                                                      const char              *id);
gboolean               inspector_profile_store_move                  (InspectorProfileStore   *self,
                                                                      InspectorProfile        *profile,
                                                                      guint                    position);

void                   inspector_profile_store_add_async             (InspectorProfileStore         *self,
                                                                      const char                    *name,
                                                                      const InspectorConnectOptions *options,
                                                                      GCancellable                  *cancellable,
                                                                      GAsyncReadyCallback            callback,
                                                                      gpointer                       user_data);
InspectorProfile      *inspector_profile_store_add_finish            (InspectorProfileStore   *self,
                                                                      GAsyncResult            *result,
                                                                      GError                 **error);
void                   inspector_profile_store_update_async          (InspectorProfileStore         *self,
                                                                      InspectorProfile              *profile,
                                                                      const char                    *name,
                                                                      const InspectorConnectOptions *options,
                                                                      GCancellable                  *cancellable,
                                                                      GAsyncReadyCallback            callback,
                                                                      gpointer                       user_data);
gboolean               inspector_profile_store_update_finish         (InspectorProfileStore   *self,
                                                                      GAsyncResult            *result,
                                                                      GError                 **error);
void                   inspector_profile_store_duplicate_async       (InspectorProfileStore   *self,
                                                                      InspectorProfile        *profile,
                                                                      GCancellable            *cancellable,
                                                                      GAsyncReadyCallback      callback,
                                                                      gpointer                 user_data);
InspectorProfile      *inspector_profile_store_duplicate_finish      (InspectorProfileStore   *self,
                                                                      GAsyncResult            *result,
                                                                      GError                 **error);
void                   inspector_profile_store_delete_async          (InspectorProfileStore   *self,
                                                                      InspectorProfile        *profile,
                                                                      GCancellable            *cancellable,
                                                                      GAsyncReadyCallback      callback,
                                                                      gpointer                 user_data);
gboolean               inspector_profile_store_delete_finish         (InspectorProfileStore   *self,
                                                                      GAsyncResult            *result,
                                                                      GError                 **error);

G_END_DECLS
