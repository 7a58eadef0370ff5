/* metered-dev-identity.h: who a connection is and what it may do
 *
 * Built once at connect from the `key` or `token` query parameter, then
 * consulted for every request.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "metered-dev-config.h"

G_BEGIN_DECLS

#define METERED_DEV_AUTH_ERROR (metered_dev_auth_error_quark ())

/* The codes are what the client sees: an HTTP status or a close code. */
typedef enum {
  METERED_DEV_AUTH_ERROR_UNPARSABLE = 401,   /* HTTP 401 invalid_token, no upgrade */
  METERED_DEV_AUTH_ERROR_INVALID    = 4001,  /* upgrade, then close 4001 */
  METERED_DEV_AUTH_ERROR_EXPIRED    = 4002,  /* upgrade, then close 4002 */
} MeteredDevAuthError;

/* How long before `exp` a token connection is closed (protocol §5). */
#define METERED_DEV_EXPIRY_MARGIN_MS 250

typedef struct {
  char               *peer_id;
  /* Safe to log: a secret key id, or the first 8 characters of a pk key. */
  char               *key_label;
  gboolean            from_token;
  /* Unix seconds; -1 when the credential does not expire (pk keys). */
  gint64              expires_at;
  /* Borrowed from the server's configuration, which outlives connections. */
  const char * const *key_patterns;
  MeteredDevActions   key_actions;
  /* The token's `channels` claim; NULL when absent (no extra restriction). */
  char              **token_channels;
  MeteredDevActions   token_permissions;
  /* The `peerMetadata` claim, and its JSON text, serialized once. */
  JsonObject         *peer_metadata;
  char               *peer_metadata_json;
  /* The `metadata` claim's JSON text, for `welcome`. */
  char               *welcome_metadata_json;
} MeteredDevIdentity;

GQuark              metered_dev_auth_error_quark     (void);

MeteredDevIdentity *metered_dev_identity_authenticate (MeteredDevConfig  *config,
                                                       const char        *key,
                                                       const char        *token,
                                                       gint64             now_ms,
                                                       GError           **error);
/* Every action on every channel: for trusted in-process peers (the demo),
 * and for connections refused before welcome, which never use it. */
MeteredDevIdentity *metered_dev_identity_new          (const char        *peer_id,
                                                       JsonObject        *peer_metadata);
void                metered_dev_identity_free         (MeteredDevIdentity *self);

/* Reserved prefix, then action, then channel pattern (key and token).
 * @channel may be NULL for `send`. Fails in METERED_SERVER_ERROR. */
gboolean            metered_dev_identity_authorize    (const MeteredDevIdentity *self,
                                                       MeteredDevActions         action,
                                                       const char               *channel,
                                                       GError                  **error);

const char         *metered_dev_action_to_string      (MeteredDevActions action);
/* "pk_live_…": the first 8 characters of a publishable key, for logs. */
char               *metered_dev_redact_key            (const char *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MeteredDevIdentity, metered_dev_identity_free)

G_END_DECLS
