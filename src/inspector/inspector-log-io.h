/* inspector-log-io.h: the message log to and from files
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "inspector-connection.h"

G_BEGIN_DECLS

/**
 * InspectorLogFormat:
 * @INSPECTOR_LOG_FORMAT_JSON_LINES: one JSON object per line, every field
 *   of the row; inspector_log_import_async() reads it back exactly
 * @INSPECTOR_LOG_FORMAT_CSV: RFC 4180 CSV with a header row, for
 *   spreadsheets
 */
typedef enum {
  INSPECTOR_LOG_FORMAT_JSON_LINES, /*< nick=jsonl >*/
  INSPECTOR_LOG_FORMAT_CSV,        /*< nick=csv >*/
} InspectorLogFormat;

/**
 * InspectorLogProgress:
 * @done: rows written or read so far
 * @total: rows to write, or for an import the file size in bytes
 *   with @done counting bytes read; 0 if unknown
 * @user_data: the user data of the async call
 *
 * Called on the main context of the call, a few times a second at most.
 */
typedef void (*InspectorLogProgress) (guint64  done,
                                      guint64  total,
                                      gpointer user_data);

void     inspector_log_export_async  (GListModel            *rows,
                                      GFile                 *file,
                                      InspectorLogFormat     format,
                                      GCancellable          *cancellable,
                                      InspectorLogProgress   progress,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data);
gboolean inspector_log_export_finish (GAsyncResult          *result,
                                      guint64               *n_rows,
                                      GError               **error);

void     inspector_log_import_async  (GFile                 *file,
                                      InspectorConnection   *connection,
                                      GCancellable          *cancellable,
                                      InspectorLogProgress   progress,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data);
gboolean inspector_log_import_finish (GAsyncResult          *result,
                                      guint64               *n_rows,
                                      GError               **error);

G_END_DECLS
