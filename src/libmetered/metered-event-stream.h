/* metered-event-stream.h: a bounded queue of client events, pulled async
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <gio/gio.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

/**
 * METERED_EVENT_STREAM_DEFAULT_MAX_SIZE:
 *
 * The default capacity of an event stream, in events.
 */
#define METERED_EVENT_STREAM_DEFAULT_MAX_SIZE 4096

#define METERED_TYPE_EVENT_STREAM (metered_event_stream_get_type ())

METERED_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MeteredEventStream, metered_event_stream, METERED, EVENT_STREAM, GObject)

METERED_AVAILABLE_IN_ALL
GType     metered_event_stream_get_event_type (MeteredEventStream   *self);
METERED_AVAILABLE_IN_ALL
guint     metered_event_stream_get_max_size   (MeteredEventStream   *self);
METERED_AVAILABLE_IN_ALL
guint     metered_event_stream_get_n_pending  (MeteredEventStream   *self);
METERED_AVAILABLE_IN_ALL
guint64   metered_event_stream_get_n_dropped  (MeteredEventStream   *self);
METERED_AVAILABLE_IN_ALL
gboolean  metered_event_stream_is_closed      (MeteredEventStream   *self);
METERED_AVAILABLE_IN_ALL
GObject  *metered_event_stream_try_next       (MeteredEventStream   *self);
METERED_AVAILABLE_IN_ALL
void      metered_event_stream_next_async     (MeteredEventStream   *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
METERED_AVAILABLE_IN_ALL
GObject  *metered_event_stream_next_finish    (MeteredEventStream   *self,
                                               GAsyncResult         *result,
                                               GError              **error);
METERED_AVAILABLE_IN_ALL
void      metered_event_stream_close          (MeteredEventStream   *self);

G_END_DECLS
