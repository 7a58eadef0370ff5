/* metered-cli-async.h: waiting for one asynchronous call at a time
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void metered_cli_async_store (GObject       *source,
                              GAsyncResult  *result,
                              gpointer       user_data);
void metered_cli_async_wait  (GAsyncResult **slot);

G_END_DECLS
