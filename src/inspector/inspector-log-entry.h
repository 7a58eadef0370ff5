/* inspector-log-entry.h: one row of the message log, as a view sees it
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

#include "inspector-types.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_LOG_ENTRY (inspector_log_entry_get_type ())

G_DECLARE_FINAL_TYPE (InspectorLogEntry, inspector_log_entry, INSPECTOR, LOG_ENTRY, GObject)

guint64             inspector_log_entry_get_seq       (InspectorLogEntry *self);
gint64              inspector_log_entry_get_time      (InspectorLogEntry *self);
InspectorLogKind    inspector_log_entry_get_kind      (InspectorLogEntry *self);
const char         *inspector_log_entry_get_kind_name (InspectorLogEntry *self);
InspectorLogStatus  inspector_log_entry_get_status    (InspectorLogEntry *self);
gint64              inspector_log_entry_get_rtt       (InspectorLogEntry *self);
const char         *inspector_log_entry_get_channel   (InspectorLogEntry *self);
const char         *inspector_log_entry_get_peer      (InspectorLogEntry *self);
const char         *inspector_log_entry_get_text      (InspectorLogEntry *self,
                                                       gsize             *len);
char               *inspector_log_entry_dup_text      (InspectorLogEntry *self);
gsize               inspector_log_entry_get_size      (InspectorLogEntry *self);
const char         *inspector_log_entry_get_metadata  (InspectorLogEntry *self);
const char         *inspector_log_entry_get_note      (InspectorLogEntry *self);
const char         *inspector_log_entry_get_frame     (InspectorLogEntry *self);
gboolean            inspector_log_entry_has_payload   (InspectorLogEntry *self);
char               *inspector_log_entry_dup_time_label (InspectorLogEntry *self);
char               *inspector_log_entry_dup_size_label (InspectorLogEntry *self);
char               *inspector_log_entry_dup_preview    (InspectorLogEntry *self);

const char         *inspector_log_kind_to_string      (InspectorLogKind   kind);
gboolean            inspector_log_kind_from_string    (const char        *name,
                                                       InspectorLogKind  *kind);
char               *inspector_log_format_time         (gint64                    time,
                                                       InspectorTimestampFormat  format,
                                                       gint64                    origin);

G_END_DECLS
