/* inspector-log-view.h: the message log as a table
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-connection.h"
#include "inspector-log-entry.h"
#include "inspector-log-filter-model.h"
#include "inspector-log-io.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_LOG_VIEW (inspector_log_view_get_type ())

G_DECLARE_FINAL_TYPE (InspectorLogView, inspector_log_view, INSPECTOR, LOG_VIEW, GtkWidget)

InspectorConnection *inspector_log_view_get_connection     (InspectorLogView    *self);
void                 inspector_log_view_set_connection     (InspectorLogView    *self,
                                                            InspectorConnection *connection);
InspectorLogEntry   *inspector_log_view_get_selected_entry (InspectorLogView    *self);
GListModel          *inspector_log_view_get_model          (InspectorLogView    *self);
void                 inspector_log_view_select             (InspectorLogView    *self,
                                                            guint                position);
void                 inspector_log_view_set_search         (InspectorLogView    *self,
                                                            const char          *search);
void                 inspector_log_view_focus_search       (InspectorLogView    *self);
InspectorTimestampFormat inspector_log_view_get_timestamp_format (InspectorLogView *self);
void                 inspector_log_view_set_timestamp_format (InspectorLogView    *self,
                                                              InspectorTimestampFormat format);
InspectorLogFilterModel *inspector_log_view_get_filter_model (InspectorLogView    *self);
void                 inspector_log_view_export             (InspectorLogView    *self,
                                                            GFile               *file,
                                                            InspectorLogFormat   format);
gboolean             inspector_log_view_get_exporting      (InspectorLogView    *self);

G_END_DECLS
