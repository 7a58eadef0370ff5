/* inspector-log-filter.h: the message log's search
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_LOG_FILTER (inspector_log_filter_get_type ())

G_DECLARE_FINAL_TYPE (InspectorLogFilter, inspector_log_filter, INSPECTOR, LOG_FILTER, GtkFilter)

InspectorLogFilter *inspector_log_filter_new        (void);
const char         *inspector_log_filter_get_search (InspectorLogFilter *self);
void                inspector_log_filter_set_search (InspectorLogFilter *self,
                                                     const char         *search);

G_END_DECLS
