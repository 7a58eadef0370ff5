/* metered-dev-identity.c: who a connection is and what it may do
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-identity"

#include <string.h>

#include "metered-channel.h"
#include "metered-error.h"
#include "metered-frame-private.h"
#include "metered-jwt.h"
#include "metered-dev-identity.h"

G_DEFINE_QUARK (metered-dev-auth-error-quark, metered_dev_auth_error)

static const char * const all_channels[] = { "**", NULL };

const char *
metered_dev_action_to_string (MeteredDevActions action)
{
  switch (action)
    {
    case METERED_DEV_ACTION_SUBSCRIBE:
      return "subscribe";
    case METERED_DEV_ACTION_PUBLISH:
      return "publish";
    case METERED_DEV_ACTION_PRESENCE:
      return "presence";
    case METERED_DEV_ACTION_SEND:
      return "send";
    case METERED_DEV_ACTION_ALL:
    default:
      return "unknown";
    }
}

char *
metered_dev_redact_key (const char *key)
{
  g_autofree char *prefix = NULL;

  if (key == NULL)
    return g_strdup ("(none)");

  prefix = g_utf8_make_valid (key, MIN (strlen (key), 8));
  return g_strconcat (prefix, "…", NULL);
}

void
metered_dev_identity_free (MeteredDevIdentity *self)
{
  if (self == NULL)
    return;

  g_free (self->peer_id);
  g_free (self->key_label);
  g_strfreev (self->token_channels);
  g_clear_pointer (&self->peer_metadata, json_object_unref);
  g_free (self->peer_metadata_json);
  g_free (self->welcome_metadata_json);
  g_free (self);
}

/* Not json_to_string(): json-glib 1.6 writes U+001F unescaped, which
 * would put invalid JSON into the frames that carry this metadata. */
static char *
object_to_json (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  GString *out = g_string_new (NULL);

  metered_json_append_node (out, node);
  return g_string_free (out, FALSE);
}

static void
set_peer_metadata (MeteredDevIdentity *self,
                   JsonObject         *peer_metadata)
{
  if (peer_metadata == NULL)
    return;

  self->peer_metadata = json_object_ref (peer_metadata);
  self->peer_metadata_json = object_to_json (peer_metadata);
}

MeteredDevIdentity *
metered_dev_identity_new (const char *peer_id,
                          JsonObject *peer_metadata)
{
  MeteredDevIdentity *self;

  g_return_val_if_fail (peer_id != NULL, NULL);

  self = g_new0 (MeteredDevIdentity, 1);
  self->peer_id = g_strdup (peer_id);
  self->key_label = g_strdup ("internal");
  self->expires_at = -1;
  self->key_patterns = all_channels;
  self->key_actions = METERED_DEV_ACTION_ALL;
  self->token_permissions = METERED_DEV_ACTION_ALL;
  set_peer_metadata (self, peer_metadata);

  return self;
}

static gpointer
auth_fail (GError              **error,
           MeteredDevAuthError   code,
           const char           *reason)
{
  g_set_error_literal (error, METERED_DEV_AUTH_ERROR, code, reason);
  return NULL;
}

static MeteredDevIdentity *
authenticate_key (MeteredDevConfig  *config,
                  const char        *key,
                  GError           **error)
{
  const MeteredDevPublishableKey *pk = metered_dev_config_find_publishable_key (config, key);
  MeteredDevIdentity *self;

  if (pk == NULL)
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "unknown key");
  if (pk->revoked)
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "key revoked");

  self = g_new0 (MeteredDevIdentity, 1);
  /* pk keys carry no identity: a fresh peer id on every connect. */
  self->peer_id = g_uuid_string_random ();
  self->key_label = metered_dev_redact_key (key);
  self->expires_at = -1;
  self->key_patterns = (const char * const *)pk->channel_patterns;
  self->key_actions = pk->actions;
  self->token_permissions = METERED_DEV_ACTION_ALL;

  return self;
}

/* A claim that, when present, must be an object. */
static gboolean
get_object_claim (JsonObject  *claims,
                  const char  *name,
                  JsonObject **out)
{
  JsonNode *node = json_object_get_member (claims, name);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
get_channels_claim (JsonObject   *claims,
                    char       ***out)
{
  JsonNode *node = json_object_get_member (claims, "channels");
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  builder = g_strv_builder_new ();
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return FALSE;

      g_strv_builder_add (builder, json_node_get_string (element));
    }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* Seconds since the epoch; anything later than this (year 33658) is a
 * broken token, and the bound keeps `exp * 1000` far from overflowing. */
#define MAX_TIME_CLAIM 1e12

/* Reads the optional time claim @name into @out (-1 when absent). FALSE
 * when it is not a number in 0..MAX_TIME_CLAIM. */
static gboolean
get_time_claim (JsonObject *claims,
                const char *name,
                gint64     *out)
{
  JsonNode *node = json_object_get_member (claims, name);
  double value;

  *out = -1;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = (double)json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    value = json_node_get_double (node);
  else
    return FALSE;

  /* Checked as a double: converting one beyond gint64 is undefined. */
  if (!(value >= 0 && value <= MAX_TIME_CLAIM))
    return FALSE;

  *out = (gint64)value;
  return TRUE;
}

static MeteredDevIdentity *
authenticate_token (MeteredDevConfig  *config,
                    const char        *token,
                    gint64             now_ms,
                    GError           **error)
{
  g_autoptr(MeteredJwt) jwt = NULL;
  g_autoptr(MeteredDevIdentity) self = NULL;
  g_autoptr(GError) local_error = NULL;
  const MeteredDevSecretKey *sk;
  JsonObject *claims;
  JsonObject *peer_metadata;
  JsonObject *metadata;
  JsonNode *sub;
  JsonNode *permissions;
  gint64 expires_at;
  gint64 not_before;

  jwt = metered_jwt_parse (token, &local_error);
  if (jwt == NULL)
    {
      /* Only a token we cannot read at all is refused at the HTTP layer
       * (protocol §15); a readable one with a wrong `alg` gets 4001. */
      if (g_error_matches (local_error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED))
        return auth_fail (error, METERED_DEV_AUTH_ERROR_UNPARSABLE, "invalid_token");
      if (g_error_matches (local_error, METERED_JWT_ERROR, METERED_JWT_ERROR_EXPIRED))
        return auth_fail (error, METERED_DEV_AUTH_ERROR_EXPIRED, "token expired");
      return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid token");
    }

  if (g_strcmp0 (metered_jwt_get_algorithm (jwt), "HS256") != 0)
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "unsupported algorithm");

  sk = metered_dev_config_find_secret_key (config, metered_jwt_get_key_id (jwt));
  if (sk == NULL)
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "unknown key");

  /* Before verifying, so an absurd time is an invalid claim (4001), not
   * an expired token. */
  claims = metered_jwt_get_claims (jwt);
  if (!get_time_claim (claims, "exp", &expires_at))
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid claim: exp");
  if (!get_time_claim (claims, "nbf", &not_before))
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid claim: nbf");

  if (!metered_jwt_verify (jwt, sk->secret, now_ms / 1000, &local_error))
    {
      if (g_error_matches (local_error, METERED_JWT_ERROR, METERED_JWT_ERROR_EXPIRED))
        return auth_fail (error, METERED_DEV_AUTH_ERROR_EXPIRED, "token expired");
      if (g_error_matches (local_error, METERED_JWT_ERROR, METERED_JWT_ERROR_BAD_SIGNATURE))
        return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "bad signature");
      return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid token");
    }

  self = g_new0 (MeteredDevIdentity, 1);
  self->from_token = TRUE;
  self->key_label = g_strdup (sk->id);
  self->key_patterns = (const char * const *)sk->channel_patterns;
  self->key_actions = sk->actions;
  self->token_permissions = METERED_DEV_ACTION_ALL;

  sub = json_object_get_member (claims, "sub");
  if (sub == NULL || !JSON_NODE_HOLDS_VALUE (sub) ||
      json_node_get_value_type (sub) != G_TYPE_STRING ||
      !metered_peer_id_validate (json_node_get_string (sub), NULL))
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid claim: sub");
  self->peer_id = g_strdup (json_node_get_string (sub));

  self->expires_at = expires_at;

  /* The server hangs up this long before `exp`, so a token inside the
   * margin is as good as expired. */
  if (self->expires_at >= 0 &&
      self->expires_at * 1000 - METERED_DEV_EXPIRY_MARGIN_MS <= now_ms)
    return auth_fail (error, METERED_DEV_AUTH_ERROR_EXPIRED, "token expired");

  if (!get_channels_claim (claims, &self->token_channels))
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid claim: channels");

  permissions = json_object_get_member (claims, "permissions");
  if (permissions != NULL &&
      (!JSON_NODE_HOLDS_ARRAY (permissions) ||
       !metered_dev_actions_from_json (json_node_get_array (permissions), &self->token_permissions)))
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid claim: permissions");

  if (!get_object_claim (claims, "peerMetadata", &peer_metadata))
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid claim: peerMetadata");
  set_peer_metadata (self, peer_metadata);

  if (!get_object_claim (claims, "metadata", &metadata))
    return auth_fail (error, METERED_DEV_AUTH_ERROR_INVALID, "invalid claim: metadata");
  if (metadata != NULL)
    self->welcome_metadata_json = object_to_json (metadata);

  return g_steal_pointer (&self);
}

/**
 * metered_dev_identity_authenticate:
 * @config: the server's configuration
 * @key: (nullable): the `key` query parameter
 * @token: (nullable): the `token` query parameter
 * @now_ms: the current time, unix milliseconds
 * @error: return location for a #GError
 *
 * Checks the credential of a connect request. The error code is what the
 * client gets (#MeteredDevAuthError); the message is a short reason for
 * the close frame that never quotes the credential.
 *
 * Returns: (transfer full) (nullable): the identity, or %NULL
 */
MeteredDevIdentity *
metered_dev_identity_authenticate (MeteredDevConfig  *config,
                                   const char        *key,
                                   const char        *token,
                                   gint64             now_ms,
                                   GError           **error)
{
  gboolean has_key = key != NULL && key[0] != '\0';
  gboolean has_token = token != NULL && token[0] != '\0';

  g_return_val_if_fail (METERED_IS_DEV_CONFIG (config), NULL);

  /* Exactly one credential (protocol §1). */
  if (has_key == has_token)
    return auth_fail (error, METERED_DEV_AUTH_ERROR_UNPARSABLE, "invalid_token");

  if (has_key)
    return authenticate_key (config, key, error);

  return authenticate_token (config, token, now_ms, error);
}

/**
 * metered_dev_identity_authorize:
 * @self: an identity
 * @action: the one action the request needs
 * @channel: (nullable): the request's channel, already validated
 * @error: return location for a #GError
 *
 * Applies the checks of protocol §3 in order: reserved prefix, action
 * (key `actions` and token `permissions`), channel patterns (key
 * `channelPatterns` and token `channels`).
 *
 * Returns: %TRUE if the request is allowed
 */
gboolean
metered_dev_identity_authorize (const MeteredDevIdentity  *self,
                                MeteredDevActions          action,
                                const char                *channel,
                                GError                   **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (channel != NULL && metered_channel_is_reserved (channel))
    {
      g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_CHANNEL_RESERVED,
                           "channel uses a reserved prefix");
      return FALSE;
    }

  if ((self->key_actions & action) == 0 || (self->token_permissions & action) == 0)
    {
      g_set_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_ACTION_NOT_PERMITTED,
                   "action not permitted: %s", metered_dev_action_to_string (action));
      return FALSE;
    }

  if (channel != NULL &&
      (!metered_channel_patterns_match (self->key_patterns, channel) ||
       (self->token_channels != NULL &&
        !metered_channel_patterns_match ((const char * const *)self->token_channels, channel))))
    {
      g_set_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_CHANNEL_NOT_AUTHORIZED,
                   "not authorized: %s", channel);
      return FALSE;
    }

  return TRUE;
}
