/* inspector-log-filter-model.h: the rows of a log store that match a search
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "inspector-log-filter.h"
#include "inspector-log-store.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_LOG_FILTER_MODEL (inspector_log_filter_model_get_type ())

G_DECLARE_FINAL_TYPE (InspectorLogFilterModel, inspector_log_filter_model, INSPECTOR, LOG_FILTER_MODEL, GObject)

InspectorLogFilterModel *inspector_log_filter_model_new          (InspectorLogFilter      *filter);
InspectorLogStore       *inspector_log_filter_model_get_store    (InspectorLogFilterModel *self);
void                     inspector_log_filter_model_set_store    (InspectorLogFilterModel *self,
                                                                  InspectorLogStore       *store);
InspectorLogFilter      *inspector_log_filter_model_get_filter   (InspectorLogFilterModel *self);
gboolean                 inspector_log_filter_model_get_pending  (InspectorLogFilterModel *self);
guint                    inspector_log_filter_model_find_seq     (InspectorLogFilterModel *self,
                                                                  guint64                  seq);
gint64                   inspector_log_filter_model_get_last_search_time (InspectorLogFilterModel *self);
GArray                  *inspector_log_filter_model_dup_seqs     (InspectorLogFilterModel *self);
gboolean                 inspector_log_filter_model_get_swapping (InspectorLogFilterModel *self);

G_END_DECLS
