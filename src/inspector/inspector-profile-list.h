/* inspector-profile-list.h: the sandbox and the saved profiles, to open
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-profile-store.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_PROFILE_LIST (inspector_profile_list_get_type ())

G_DECLARE_FINAL_TYPE (InspectorProfileList, inspector_profile_list, INSPECTOR, PROFILE_LIST, GtkWidget)

InspectorProfileStore *inspector_profile_list_get_store (InspectorProfileList  *self);
void                   inspector_profile_list_set_store (InspectorProfileList  *self,
                                                         InspectorProfileStore *store);
const char            *inspector_profile_list_get_error (InspectorProfileList  *self);

G_END_DECLS
