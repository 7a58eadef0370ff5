/* inspector-log-store.h: the message log, a compact append-only list model
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "inspector-log-entry.h"
#include "inspector-types.h"

G_BEGIN_DECLS

/* The default retention, in rows and in bytes. */
#define INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES 1000000
#define INSPECTOR_LOG_STORE_DEFAULT_MAX_BYTES   (G_GUINT64_CONSTANT (512) * 1024 * 1024)

#define INSPECTOR_TYPE_LOG_STORE (inspector_log_store_get_type ())

G_DECLARE_FINAL_TYPE (InspectorLogStore, inspector_log_store, INSPECTOR, LOG_STORE, GObject)

/**
 * InspectorLogWatchFunc:
 * @time_us: when the message arrived, wall-clock microseconds
 * @text: (nullable) (array length=len): the payload JSON, not nul-terminated
 * @len: the length of @text
 * @user_data: the data given to inspector_log_store_add_channel_watch()
 *
 * Sees one message of a watched channel as it is appended.
 */
typedef void (*InspectorLogWatchFunc) (gint64      time_us,
                                       const char *text,
                                       gsize       len,
                                       gpointer    user_data);

InspectorLogStore *inspector_log_store_new             (void);

guint64            inspector_log_store_append          (InspectorLogStore  *self,
                                                        InspectorLogKind    kind,
                                                        const char         *channel,
                                                        const char         *peer,
                                                        const char         *text,
                                                        gssize              text_len,
                                                        const char         *metadata,
                                                        const char         *note,
                                                        const char         *frame);
void               inspector_log_store_set_status      (InspectorLogStore  *self,
                                                        guint64             seq,
                                                        InspectorLogStatus  status,
                                                        gint64              rtt_us,
                                                        const char         *note);
void               inspector_log_store_clear           (InspectorLogStore  *self);
void               inspector_log_store_flush           (InspectorLogStore  *self);

guint              inspector_log_store_get_position    (InspectorLogStore  *self,
                                                        guint64             seq);
gboolean           inspector_log_store_get_paused      (InspectorLogStore  *self);
void               inspector_log_store_set_paused      (InspectorLogStore  *self,
                                                        gboolean            paused);
guint              inspector_log_store_get_max_entries (InspectorLogStore  *self);
void               inspector_log_store_set_max_entries (InspectorLogStore  *self,
                                                        guint               max_entries);
guint64            inspector_log_store_get_max_bytes   (InspectorLogStore  *self);
void               inspector_log_store_set_max_bytes   (InspectorLogStore  *self,
                                                        guint64             max_bytes);
void               inspector_log_store_set_retention   (InspectorLogStore  *self,
                                                        guint               max_entries,
                                                        guint64             max_bytes);
guint64            inspector_log_store_get_n_bytes     (InspectorLogStore  *self);
guint64            inspector_log_store_get_n_held      (InspectorLogStore  *self);
guint64            inspector_log_store_get_n_dropped   (InspectorLogStore  *self);
guint64            inspector_log_store_get_n_appended  (InspectorLogStore  *self);
gint64             inspector_log_store_get_start_time  (InspectorLogStore  *self);

guint              inspector_log_store_add_channel_watch    (InspectorLogStore     *self,
                                                             const char            *channel,
                                                             InspectorLogWatchFunc  func,
                                                             gpointer               user_data,
                                                             GDestroyNotify         destroy);
void               inspector_log_store_remove_channel_watch (InspectorLogStore     *self,
                                                             guint                  watch_id);
InspectorLogEntry *inspector_log_store_find_previous        (InspectorLogStore     *self,
                                                             guint64                seq);

G_END_DECLS
