/* metered-dev-demo.h: simulated peers that make a fresh server look alive
 *
 * Sensors publishing telemetry on `demo/sensors/<id>`, chat bots coming and
 * going in `demo/chat`, and an `echo` peer that sends every direct message
 * back. They are virtual connections: no sockets, but the same
 * subscribe, presence and fan-out code as real peers.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-dev-server-private.h"

G_BEGIN_DECLS

#define METERED_TYPE_DEV_DEMO (metered_dev_demo_get_type ())

G_DECLARE_FINAL_TYPE (MeteredDevDemo, metered_dev_demo, METERED, DEV_DEMO, GObject)

/* Starts at once; disposing the demo closes its peers. */
MeteredDevDemo *metered_dev_demo_new          (MeteredDevServer *server);
/* `demo/chat` first, then each sensor's `demo/sensors/<id>`. */
char          **metered_dev_demo_dup_channels (MeteredDevDemo   *self);

G_END_DECLS
