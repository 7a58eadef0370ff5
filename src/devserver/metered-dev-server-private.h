/* metered-dev-server-private.h: what the server's units use of each other
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-dev-connection.h"
#include "metered-dev-registry.h"
#include "metered-dev-server.h"

G_BEGIN_DECLS

typedef struct {
  gint64 period_start;     /* unix seconds */
  guint  concurrent_now;
  guint  peak_concurrent;
  guint64 messages_used;
} MeteredDevUsage;

MeteredDevRegistry *metered_dev_server_get_registry       (MeteredDevServer     *self);
MeteredDevLimits   *metered_dev_server_get_limits         (MeteredDevServer     *self);
void                metered_dev_server_get_usage          (MeteredDevServer     *self,
                                                           MeteredDevUsage      *usage);

/* Counts one publish or send against maxMessagesPerPeriod. FALSE, counting
 * nothing, when the period's quota is used up. */
gboolean            metered_dev_server_take_message_quota (MeteredDevServer     *self);
/* Counts a message that the quota does not gate (REST publish). */
void                metered_dev_server_count_message      (MeteredDevServer     *self);

gboolean            metered_dev_server_peer_is_online     (MeteredDevServer     *self,
                                                           const char           *peer_id);
/* Delivers `direct` to every connection of @to. Returns how many. */
guint               metered_dev_server_send_direct        (MeteredDevServer     *self,
                                                           const char           *from,
                                                           const char           *from_metadata_json,
                                                           const char           *to,
                                                           const char           *data_json);
/* Closes every (non-virtual) connection of @peer_id. Returns how many. */
guint               metered_dev_server_close_peer         (MeteredDevServer     *self,
                                                           const char           *peer_id,
                                                           gushort               code,
                                                           const char           *reason);

/* Makes an in-process peer reachable like a connected one: by peer id and
 * through the registry. Closing it (metered_dev_connection_close())
 * removes it again. */
void                metered_dev_server_attach_virtual     (MeteredDevServer     *self,
                                                           MeteredDevConnection *connection);

G_END_DECLS
