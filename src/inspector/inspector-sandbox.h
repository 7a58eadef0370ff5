/* inspector-sandbox.h: the local server a fresh inspector connects to
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-dev-server.h"

#include "inspector-connect-options.h"

G_BEGIN_DECLS

/* Where the demo's chat bots talk. */
#define INSPECTOR_SANDBOX_CHAT_CHANNEL "demo/chat"

#define INSPECTOR_TYPE_SANDBOX (inspector_sandbox_get_type ())

G_DECLARE_FINAL_TYPE (InspectorSandbox, inspector_sandbox, INSPECTOR, SANDBOX, GObject)

InspectorSandbox        *inspector_sandbox_new                 (GError                  **error);
MeteredDevServer        *inspector_sandbox_get_server          (InspectorSandbox         *self);
const char              *inspector_sandbox_get_url             (InspectorSandbox         *self);
InspectorConnectOptions *inspector_sandbox_dup_connect_options (InspectorSandbox         *self,
                                                                const InspectorConnectOptions *base);
char                   **inspector_sandbox_dup_demo_channels   (InspectorSandbox         *self);

G_END_DECLS
