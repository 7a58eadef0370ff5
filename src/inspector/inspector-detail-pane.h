/* inspector-detail-pane.h: the selected log row in full
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-log-entry.h"
#include "inspector-log-store.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_DETAIL_PANE (inspector_detail_pane_get_type ())

G_DECLARE_FINAL_TYPE (InspectorDetailPane, inspector_detail_pane, INSPECTOR, DETAIL_PANE, GtkWidget)

InspectorLogEntry *inspector_detail_pane_get_entry        (InspectorDetailPane *self);
void               inspector_detail_pane_set_entry        (InspectorDetailPane *self,
                                                           InspectorLogEntry   *entry);
char              *inspector_detail_pane_dup_payload_text (InspectorDetailPane *self);
InspectorLogStore *inspector_detail_pane_get_log          (InspectorDetailPane *self);
void               inspector_detail_pane_set_log          (InspectorDetailPane *self,
                                                           InspectorLogStore   *log);
char              *inspector_detail_pane_dup_diff_text    (InspectorDetailPane *self);
GStrv              inspector_detail_pane_dup_plot_fields  (InspectorDetailPane *self);
void               inspector_detail_pane_request_plot     (InspectorDetailPane *self,
                                                           const char          *json_path);

G_END_DECLS
