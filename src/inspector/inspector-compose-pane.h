/* inspector-compose-pane.h: publish to a channel or send to a peer
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-connection.h"
#include "inspector-profile.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_COMPOSE_PANE (inspector_compose_pane_get_type ())

G_DECLARE_FINAL_TYPE (InspectorComposePane, inspector_compose_pane, INSPECTOR, COMPOSE_PANE, GtkWidget)

InspectorConnection *inspector_compose_pane_get_connection (InspectorComposePane *self);
void                 inspector_compose_pane_set_connection (InspectorComposePane *self,
                                                            InspectorConnection  *connection);
InspectorProfile    *inspector_compose_pane_get_profile    (InspectorComposePane *self);
void                 inspector_compose_pane_set_profile    (InspectorComposePane *self,
                                                            InspectorProfile     *profile);
void                 inspector_compose_pane_set_target     (InspectorComposePane *self,
                                                            gboolean              peer,
                                                            const char           *target);
void                 inspector_compose_pane_set_payload    (InspectorComposePane *self,
                                                            const char           *json);
const char          *inspector_compose_pane_get_result     (InspectorComposePane *self);
void                 inspector_compose_pane_focus          (InspectorComposePane *self);

G_END_DECLS
