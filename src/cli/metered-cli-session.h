/* metered-cli-session.h: one client connection, driven step by step
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered.h"
#include "metered-cli-options.h"

G_BEGIN_DECLS

#define METERED_TYPE_CLI_SESSION (metered_cli_session_get_type ())

G_DECLARE_FINAL_TYPE (MeteredCliSession, metered_cli_session, METERED, CLI_SESSION, GObject)

MeteredCliSession *metered_cli_session_new              (const MeteredCliOptions  *options,
                                                         GError                  **error);
gboolean           metered_cli_session_connect          (MeteredCliSession        *self,
                                                         GError                  **error);
gboolean           metered_cli_session_subscribe        (MeteredCliSession        *self,
                                                         const char               *channel,
                                                         MeteredSubscribeFlags     flags,
                                                         GError                  **error);
gboolean           metered_cli_session_publish          (MeteredCliSession        *self,
                                                         const char               *channel,
                                                         const char               *json,
                                                         GError                  **error);
gboolean           metered_cli_session_send             (MeteredCliSession        *self,
                                                         const char               *peer_id,
                                                         const char               *json,
                                                         GError                  **error);
GObject           *metered_cli_session_next_event       (MeteredCliSession        *self,
                                                         GError                  **error);
GObject           *metered_cli_session_try_next_event   (MeteredCliSession        *self);
gboolean           metered_cli_session_is_interrupted   (MeteredCliSession        *self);
GCancellable      *metered_cli_session_get_cancellable  (MeteredCliSession        *self);
void               metered_cli_session_close            (MeteredCliSession        *self);

G_END_DECLS
