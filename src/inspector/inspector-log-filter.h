/* inspector-log-filter.h: the message log's search
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-log-store-private.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_LOG_FILTER (inspector_log_filter_get_type ())

G_DECLARE_FINAL_TYPE (InspectorLogFilter, inspector_log_filter, INSPECTOR, LOG_FILTER, GtkFilter)

/* A parsed search: immutable, so a worker thread can match with it while
 * the user types the next one. */
typedef struct _InspectorLogQuery InspectorLogQuery;
/* What a matching thread remembers from row to row. */
typedef struct _InspectorLogMatchCache InspectorLogMatchCache;

InspectorLogFilter *inspector_log_filter_new        (void);
const char         *inspector_log_filter_get_search (InspectorLogFilter *self);
void                inspector_log_filter_set_search (InspectorLogFilter *self,
                                                     const char         *search);
InspectorLogQuery  *inspector_log_filter_dup_query  (InspectorLogFilter *self);

InspectorLogQuery  *inspector_log_query_ref         (InspectorLogQuery        *query);
void                inspector_log_query_unref       (InspectorLogQuery        *query);
gboolean            inspector_log_query_match       (const InspectorLogQuery  *query,
                                                     const InspectorLogRecord *record);
gboolean            inspector_log_query_match_cached (const InspectorLogQuery  *query,
                                                      const InspectorLogRecord *record,
                                                      InspectorLogMatchCache   *cache);

InspectorLogMatchCache *inspector_log_match_cache_new  (void);
void                    inspector_log_match_cache_free (InspectorLogMatchCache *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InspectorLogQuery, inspector_log_query_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InspectorLogMatchCache, inspector_log_match_cache_free)

G_END_DECLS
