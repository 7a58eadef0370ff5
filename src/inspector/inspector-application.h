/* inspector-application.h: the Metered Inspector application
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "inspector-connect-options.h"
#include "inspector-profile-store.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_APPLICATION (inspector_application_get_type ())

G_DECLARE_FINAL_TYPE (InspectorApplication, inspector_application, INSPECTOR, APPLICATION, AdwApplication)

InspectorApplication    *inspector_application_new                   (GApplicationFlags   flags);
InspectorConnectOptions *inspector_application_options_from_command_line (GVariantDict  *options,
                                                                          GError       **error);
InspectorProfileStore   *inspector_application_get_profile_store     (InspectorApplication *self);

G_END_DECLS
