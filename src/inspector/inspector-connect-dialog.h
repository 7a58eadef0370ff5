/* inspector-connect-dialog.h: where to connect and how to authenticate
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "inspector-connect-options.h"
#include "inspector-profile-store.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_CONNECT_DIALOG (inspector_connect_dialog_get_type ())

G_DECLARE_FINAL_TYPE (InspectorConnectDialog, inspector_connect_dialog, INSPECTOR, CONNECT_DIALOG, AdwWindow)

InspectorConnectDialog  *inspector_connect_dialog_new         (GtkWindow                     *parent,
                                                               const InspectorConnectOptions *options);
InspectorConnectDialog  *inspector_connect_dialog_new_for_profile (GtkWindow                 *parent,
                                                                   InspectorProfileStore     *store,
                                                                   InspectorProfile          *profile);
void                     inspector_connect_dialog_set_profile_store (InspectorConnectDialog  *self,
                                                                     InspectorProfileStore   *store);
InspectorProfile        *inspector_connect_dialog_get_profile  (InspectorConnectDialog        *self);
void                     inspector_connect_dialog_set_profile_name (InspectorConnectDialog    *self,
                                                                    const char                *name);
InspectorConnectOptions *inspector_connect_dialog_dup_options (InspectorConnectDialog        *self);
gboolean                 inspector_connect_dialog_submit      (InspectorConnectDialog        *self);
const char              *inspector_connect_dialog_get_error   (InspectorConnectDialog        *self);

G_END_DECLS
