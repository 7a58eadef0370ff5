/* inspector-roster-pane.h: who is in the selected channel
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-channel.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_ROSTER_PANE (inspector_roster_pane_get_type ())

G_DECLARE_FINAL_TYPE (InspectorRosterPane, inspector_roster_pane, INSPECTOR, ROSTER_PANE, GtkWidget)

InspectorChannel *inspector_roster_pane_get_channel (InspectorRosterPane *self);
void              inspector_roster_pane_set_channel (InspectorRosterPane *self,
                                                     InspectorChannel    *channel);

G_END_DECLS
