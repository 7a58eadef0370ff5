/* fuzz-dev-token.c: the local server's connect-time authentication
 *
 * A JSON object input is taken as the claims of a token signed with the
 * configured secret, so the claim checks behind the signature are reached;
 * any input is also tried as a raw token and as a publishable key. An
 * identity that comes out has a valid peer id, an expiry in the future,
 * metadata texts that clients can read, a `welcome` clients accept, and
 * authorization answers that follow its keys and claims.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-dev-token"

#include <string.h>

#include "metered-channel.h"
#include "metered-error.h"
#include "metered-frame-private.h"
#include "metered-jwt.h"
#include "metered-dev-identity.h"
#include "fuzz-common.h"

#define FUZZ_KEY_ID "sk_id_fuzz"
#define FUZZ_SECRET "sk_secret_fuzz_9f2c41"
#define FUZZ_NOW_MS G_GINT64_CONSTANT (1700000000000)

static const char config_text[] =
  "{\"publishableKeys\":[{\"key\":\"pk_live_fuzz\",\"channelPatterns\":[\"room/*\"],"
  "\"actions\":[\"subscribe\",\"publish\"]},"
  "{\"key\":\"pk_live_revoked\",\"revoked\":true}],"
  "\"secretKeys\":[{\"id\":\"" FUZZ_KEY_ID "\",\"secret\":\"" FUZZ_SECRET "\","
  "\"channelPatterns\":[\"app/**\",\"room/*\",\"lit\\\\*\"],"
  "\"actions\":[\"subscribe\",\"publish\",\"presence\"]}]}";

static MeteredDevConfig *config;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init ();

  config = metered_dev_config_new_from_data (config_text, -1, &error);
  g_assert_no_error (error);

  return 0;
}

static void
check_json_text (const char *text,
                 JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  /* The server puts this text into frames as it is: clients must read it
   * with their strict parser, as the same object. */
  node = metered_json_parse_untrusted (text, -1, &error);
  if (node == NULL)
    g_error ("identity metadata is not JSON a client accepts (%s): %s", error->message, text);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  if (object != NULL)
    g_assert_true (json_object_equal (json_node_get_object (node), object));
}

static void
check_welcome (const MeteredDevIdentity *identity)
{
  g_autofree char *welcome = NULL;
  g_autoptr(GError) error = NULL;
  MeteredFrame frame;

  welcome = metered_frame_build_welcome (identity->peer_id, identity->expires_at,
                                         FUZZ_NOW_MS / 1000, 65536,
                                         identity->welcome_metadata_json);
  if (!metered_frame_parse_server_frame (welcome, -1, &frame, &error))
    g_error ("the welcome for this identity is refused by clients (%s): %s", error->message, welcome);

  g_assert_cmpstr (frame.peer_id, ==, identity->peer_id);
  g_assert_cmpint (frame.has_expires_at, ==, identity->expires_at >= 0);
  if (frame.has_expires_at)
    g_assert_cmpint (frame.expires_at, ==, identity->expires_at);
  metered_frame_clear (&frame);
}

static void
check_authorize (const MeteredDevIdentity *identity,
                 const char               *channel)
{
  for (MeteredDevActions action = METERED_DEV_ACTION_SUBSCRIBE;
       action <= METERED_DEV_ACTION_SEND;
       action <<= 1)
    {
      g_autoptr(GError) error = NULL;
      gboolean allowed;

      allowed = !metered_channel_is_reserved (channel) &&
                (identity->key_actions & action) != 0 &&
                (identity->token_permissions & action) != 0 &&
                (channel == NULL ||
                 (metered_channel_patterns_match (identity->key_patterns, channel) &&
                  (identity->token_channels == NULL ||
                   metered_channel_patterns_match ((const char * const *) identity->token_channels,
                                                   channel))));

      g_assert_cmpint (metered_dev_identity_authorize (identity, action, channel, &error), ==, allowed);
      if (!allowed)
        {
          g_assert_true (error->domain == METERED_SERVER_ERROR);
          g_assert_nonnull (metered_server_error_get_code (error));
        }
    }
}

static void
check_identity (const MeteredDevIdentity *identity)
{
  g_assert_true (metered_peer_id_validate (identity->peer_id, NULL));
  g_assert_nonnull (identity->key_label);
  g_assert_null (strstr (identity->key_label, FUZZ_SECRET));
  g_assert_cmpint (identity->key_actions & ~METERED_DEV_ACTION_ALL, ==, 0);
  g_assert_cmpint (identity->token_permissions & ~METERED_DEV_ACTION_ALL, ==, 0);

  if (identity->from_token)
    {
      g_assert_cmpstr (identity->key_label, ==, FUZZ_KEY_ID);
      /* Accepted tokens expire after the closing margin, or never. */
      g_assert_true (identity->expires_at == -1 || identity->expires_at > FUZZ_NOW_MS / 1000);
    }
  else
    {
      g_assert_cmpint (identity->expires_at, ==, -1);
    }

  if (identity->peer_metadata_json != NULL)
    check_json_text (identity->peer_metadata_json, identity->peer_metadata);
  else
    g_assert_null (identity->peer_metadata);
  if (identity->welcome_metadata_json != NULL)
    check_json_text (identity->welcome_metadata_json, NULL);

  check_welcome (identity);
  check_authorize (identity, NULL);
  check_authorize (identity, "app/x");
  check_authorize (identity, "room/1");
  check_authorize (identity, "_system/x");
  if (identity->token_channels != NULL && identity->token_channels[0] != NULL &&
      metered_channel_validate (identity->token_channels[0], NULL))
    check_authorize (identity, identity->token_channels[0]);
}

static void
authenticate (const char *key,
              const char *token)
{
  g_autoptr(MeteredDevIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  identity = metered_dev_identity_authenticate (config, key, token, FUZZ_NOW_MS, &error);
  if (identity == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == METERED_DEV_AUTH_ERROR);
      g_assert_true (error->code == METERED_DEV_AUTH_ERROR_UNPARSABLE ||
                     error->code == METERED_DEV_AUTH_ERROR_INVALID ||
                     error->code == METERED_DEV_AUTH_ERROR_EXPIRED);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_null (strstr (error->message, FUZZ_SECRET));
      /* No reason has a '.': one holding such a token would quote it. */
      if (token != NULL && strchr (token, '.') != NULL)
        g_assert_null (strstr (error->message, token));
      return;
    }

  check_identity (identity);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = fuzz_dup_input (data, size);
  g_autoptr(JsonNode) claims = metered_json_parse_untrusted (text, (gssize) size, NULL);

  if (claims != NULL && JSON_NODE_HOLDS_OBJECT (claims))
    {
      g_autofree char *token = metered_jwt_sign (FUZZ_KEY_ID, FUZZ_SECRET,
                                                 json_node_get_object (claims));

      authenticate (NULL, token);
    }

  authenticate (NULL, text);
  authenticate (text, NULL);

  return 0;
}
