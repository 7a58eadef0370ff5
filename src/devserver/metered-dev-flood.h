/* metered-dev-flood.h: a server-side publisher for benchmarks
 *
 * Publishes generated JSON messages to one channel through the normal
 * fan-out, so that a benchmark measures the subscribers, not a client
 * publisher. It only publishes while the channel has a subscriber on a
 * socket, and only while every such subscriber's socket can take more:
 * a slow reader slows the flood down instead of piling frames up in
 * memory.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-dev-server.h"

G_BEGIN_DECLS

#define METERED_TYPE_DEV_FLOOD (metered_dev_flood_get_type ())

G_DECLARE_FINAL_TYPE (MeteredDevFlood, metered_dev_flood, METERED, DEV_FLOOD, GObject)

/* Starts at once on the thread-default main context. @server must
 * outlive the flood. */
MeteredDevFlood *metered_dev_flood_new         (MeteredDevServer *server,
                                                const char       *channel,
                                                guint             rate_per_second,
                                                guint64           count,
                                                gsize             payload_size);
/* Messages published so far. */
guint64          metered_dev_flood_get_sent    (MeteredDevFlood  *self);
/* TRUE once @count messages went out. */
gboolean         metered_dev_flood_is_finished (MeteredDevFlood  *self);

G_END_DECLS
