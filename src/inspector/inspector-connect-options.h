/* inspector-connect-options.h: where and how a connection connects
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "metered-reconnect-options.h"

G_BEGIN_DECLS

typedef enum {
  INSPECTOR_AUTH_SANDBOX,      /*< nick=sandbox >*/
  INSPECTOR_AUTH_API_KEY,      /*< nick=api-key >*/
  INSPECTOR_AUTH_TOKEN,        /*< nick=token >*/
  INSPECTOR_AUTH_SIGNED_TOKEN, /*< nick=signed-token >*/
} InspectorAuthMode;

/* The library's defaults, which the connect dialog starts from. */
#define INSPECTOR_DEFAULT_INACTIVITY_TIMEOUT 60.0
#define INSPECTOR_DEFAULT_TOKEN_LIFETIME     3600

#define INSPECTOR_TYPE_CONNECT_OPTIONS (inspector_connect_options_get_type ())

/**
 * InspectorConnectOptions:
 * @mode: how to authenticate; the sandbox needs nothing else
 * @url: the base URL
 * @api_key: a publishable key, for %INSPECTOR_AUTH_API_KEY
 * @token: a JWT, for %INSPECTOR_AUTH_TOKEN
 * @key_id: the secret key's id, for %INSPECTOR_AUTH_SIGNED_TOKEN
 * @secret: the signing secret, for %INSPECTOR_AUTH_SIGNED_TOKEN
 * @subject: the token's `sub`, the peer id
 * @channels: the token's `channels` patterns; %NULL or empty to leave it out
 * @permissions: the token's `permissions`; %NULL or empty to leave it out
 * @peer_metadata: the token's `peerMetadata` as JSON object text, or %NULL
 * @lifetime: seconds until a minted token expires
 * @reconnect: the reconnect backoff
 * @inactivity_timeout: seconds of silence before reconnecting; 0 disables
 * @auto_resubscribe: whether reconnects restore subscriptions
 * @subscribe: channels to subscribe to once connected
 *
 * A connection's settings. The secrets are wiped when freed and never
 * shown: see inspector_connect_options_dup_label().
 */
typedef struct {
  InspectorAuthMode        mode;
  char                    *url;
  char                    *api_key;
  char                    *token;
  char                    *key_id;
  char                    *secret;
  char                    *subject;
  char                   **channels;
  char                   **permissions;
  char                    *peer_metadata;
  guint                    lifetime;
  MeteredReconnectOptions  reconnect;
  double                   inactivity_timeout;
  gboolean                 auto_resubscribe;
  char                   **subscribe;
} InspectorConnectOptions;

GType                    inspector_connect_options_get_type     (void) G_GNUC_CONST;
InspectorConnectOptions *inspector_connect_options_new          (InspectorAuthMode              mode);
InspectorConnectOptions *inspector_connect_options_copy         (const InspectorConnectOptions *self);
void                     inspector_connect_options_free         (InspectorConnectOptions       *self);
gboolean                 inspector_connect_options_validate     (const InspectorConnectOptions *self,
                                                                 GError                       **error);
char                    *inspector_connect_options_dup_label    (const InspectorConnectOptions *self);
char                    *inspector_connect_options_mint_token   (const InspectorConnectOptions *self,
                                                                 gint64                         now_unix,
                                                                 GError                       **error);
char                   **inspector_split_list                   (const char                    *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InspectorConnectOptions, inspector_connect_options_free)

G_END_DECLS
