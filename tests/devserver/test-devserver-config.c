/* test-devserver-config.c: the configuration loader
 *
 * SPDX-License-Identifier: MIT
 */

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "metered-dev-config.h"

static const char good_config[] =
  "{\n"
  "  \"publishableKeys\": [ { \"key\": \"pk_live_x\", \"channelPatterns\": [\"app/**\"],\n"
  "                         \"actions\": [\"subscribe\",\"publish\"], \"revoked\": true } ],\n"
  "  \"secretKeys\": [ { \"id\": \"sk_id_x\", \"secret\": \"sk_secret_x\", \"channelPatterns\": [\"**\", \"b/*\"],\n"
  "                    \"actions\": [\"subscribe\",\"publish\",\"presence\",\"send\"] } ],\n"
  "  \"limits\": { \"maxMessageSize\": 1024, \"maxChannelsPerConnection\": 7, \"messageRatePerSecond\": 2.5,\n"
  "              \"messageBurst\": 9, \"maxConcurrentConnections\": 3, \"maxMessagesPerPeriod\": 11,\n"
  "              \"pingIntervalSeconds\": 4 },\n"
  "  \"accountSuspended\": true\n"
  "}\n";

static void
test_good_file (void)
{
  g_autoptr(MeteredDevConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const MeteredDevPublishableKey *pk;
  const MeteredDevSecretKey *sk;
  MeteredDevLimits *limits;
  int fd;

  fd = g_file_open_tmp ("devserver-config-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, good_config, -1, &error);
  g_assert_no_error (error);

  config = metered_dev_config_new_from_file (path, &error);
  g_assert_no_error (error);
  g_unlink (path);

  g_assert_cmpuint (metered_dev_config_get_publishable_keys (config)->len, ==, 1);
  pk = metered_dev_config_find_publishable_key (config, "pk_live_x");
  g_assert_nonnull (pk);
  g_assert_cmpstrv (pk->channel_patterns, ((const char * const[]) { "app/**", NULL }));
  g_assert_cmpint (pk->actions, ==, METERED_DEV_ACTION_SUBSCRIBE | METERED_DEV_ACTION_PUBLISH);
  g_assert_true (pk->revoked);
  g_assert_null (metered_dev_config_find_publishable_key (config, "pk_live_dev"));

  sk = metered_dev_config_find_secret_key (config, "sk_id_x");
  g_assert_nonnull (sk);
  g_assert_cmpstr (sk->secret, ==, "sk_secret_x");
  g_assert_cmpstrv (sk->channel_patterns, ((const char * const[]) { "**", "b/*", NULL }));
  g_assert_cmpint (sk->actions, ==, METERED_DEV_ACTION_ALL);
  g_assert_null (metered_dev_config_find_secret_key (config, "sk_id_dev"));

  limits = metered_dev_config_get_limits (config);
  g_assert_cmpuint (limits->max_message_size, ==, 1024);
  g_assert_cmpuint (limits->max_channels_per_connection, ==, 7);
  g_assert_cmpfloat (limits->message_rate_per_second, ==, 2.5);
  g_assert_cmpuint (limits->message_burst, ==, 9);
  g_assert_cmpuint (limits->max_concurrent_connections, ==, 3);
  g_assert_cmpuint (limits->max_messages_per_period, ==, 11);
  g_assert_cmpuint (limits->ping_interval_seconds, ==, 4);
  g_assert_true (metered_dev_config_get_account_suspended (config));
}

static void
test_defaults (void)
{
  g_autoptr(MeteredDevConfig) empty = NULL;
  g_autoptr(MeteredDevConfig) builtin = metered_dev_config_new_default ();
  g_autoptr(MeteredDevConfig) partial = NULL;
  g_autoptr(GError) error = NULL;
  const MeteredDevPublishableKey *pk;
  const MeteredDevSecretKey *sk;
  MeteredDevLimits *limits;

  /* Without key lists, the development keys. */
  empty = metered_dev_config_new_from_data ("{}", -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (metered_dev_config_find_publishable_key (empty, "pk_live_dev"));
  g_assert_nonnull (metered_dev_config_find_secret_key (empty, "sk_id_dev"));
  g_assert_false (metered_dev_config_get_account_suspended (empty));

  limits = metered_dev_config_get_limits (empty);
  g_assert_cmpuint (limits->max_message_size, ==, 65536);
  g_assert_cmpuint (limits->max_channels_per_connection, ==, 100);
  g_assert_cmpfloat (limits->message_rate_per_second, ==, 100);
  g_assert_cmpuint (limits->message_burst, ==, 200);
  g_assert_cmpuint (limits->max_concurrent_connections, ==, 0);
  g_assert_cmpuint (limits->max_messages_per_period, ==, 0);
  g_assert_cmpuint (limits->ping_interval_seconds, ==, 30);

  /* A key with only its id: every channel, every action, not revoked. */
  partial = metered_dev_config_new_from_data ("{\"publishableKeys\":[{\"key\":\"pk_a\"}],"
                                              " \"limits\":{\"messageBurst\":5}}", -1, &error);
  g_assert_no_error (error);
  pk = metered_dev_config_find_publishable_key (partial, "pk_a");
  g_assert_cmpstrv (pk->channel_patterns, ((const char * const[]) { "**", NULL }));
  g_assert_cmpint (pk->actions, ==, METERED_DEV_ACTION_ALL);
  g_assert_false (pk->revoked);
  g_assert_cmpuint (metered_dev_config_get_limits (partial)->message_burst, ==, 5);
  g_assert_cmpuint (metered_dev_config_get_limits (partial)->max_message_size, ==, 65536);
  /* A listed kind replaces the development key; the other kind stays. */
  g_assert_null (metered_dev_config_find_publishable_key (partial, "pk_live_dev"));
  g_assert_nonnull (metered_dev_config_find_secret_key (partial, "sk_id_dev"));
  g_clear_object (&partial);

  partial = metered_dev_config_new_from_data ("{\"publishableKeys\":[],\"secretKeys\":[]}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metered_dev_config_get_publishable_keys (partial)->len, ==, 0);
  g_assert_cmpuint (metered_dev_config_get_secret_keys (partial)->len, ==, 0);

  pk = metered_dev_config_find_publishable_key (builtin, "pk_live_dev");
  g_assert_nonnull (pk);
  g_assert_cmpint (pk->actions, ==, METERED_DEV_ACTION_ALL);
  g_assert_cmpstrv (pk->channel_patterns, ((const char * const[]) { "**", NULL }));
  sk = metered_dev_config_find_secret_key (builtin, "sk_id_dev");
  g_assert_cmpstr (sk->secret, ==, "sk_secret_dev");
  g_assert_cmpint (sk->actions, ==, METERED_DEV_ACTION_ALL);
}

static void
test_bad_fields (void)
{
  static const struct {
    const char *json;
    const char *field;
  } cases[] = {
    { "{\"publishableKey\":[]}", "publishableKey:" },
    { "{\"publishableKeys\":{}}", "publishableKeys:" },
    { "{\"publishableKeys\":[1]}", "publishableKeys[0]:" },
    { "{\"publishableKeys\":[{}]}", "publishableKeys[0].key:" },
    { "{\"publishableKeys\":[{\"key\":5}]}", "publishableKeys[0].key:" },
    { "{\"publishableKeys\":[{\"key\":\"\"}]}", "publishableKeys[0].key:" },
    { "{\"publishableKeys\":[{\"key\":\"pk\",\"color\":1}]}", "publishableKeys[0].color:" },
    { "{\"publishableKeys\":[{\"key\":\"pk\",\"channelPatterns\":\"a\"}]}", "publishableKeys[0].channelPatterns:" },
    { "{\"publishableKeys\":[{\"key\":\"pk\",\"channelPatterns\":[\"a\",\"\"]}]}", "publishableKeys[0].channelPatterns[1]:" },
    { "{\"publishableKeys\":[{\"key\":\"pk\",\"actions\":[\"fly\"]}]}", "publishableKeys[0].actions:" },
    { "{\"publishableKeys\":[{\"key\":\"pk\",\"revoked\":\"no\"}]}", "publishableKeys[0].revoked:" },
    { "{\"publishableKeys\":[{\"key\":\"pk\"},{\"key\":\"pk\"}]}", "publishableKeys[1].key:" },
    { "{\"secretKeys\":[{\"id\":\"sk\"}]}", "secretKeys[0].secret:" },
    { "{\"secretKeys\":[{\"secret\":\"s\"}]}", "secretKeys[0].id:" },
    { "{\"secretKeys\":[{\"id\":\"a:b\",\"secret\":\"s\"}]}", "secretKeys[0].id:" },
    { "{\"secretKeys\":[{\"id\":\"sk\",\"secret\":\"s\",\"kid\":1}]}", "secretKeys[0].kid:" },
    { "{\"secretKeys\":[{\"id\":\"sk\",\"secret\":\"s\",\"actions\":\"send\"}]}", "secretKeys[0].actions:" },
    { "{\"secretKeys\":[{\"id\":\"a\",\"secret\":\"s\"},{\"id\":\"a\",\"secret\":\"t\"}]}", "secretKeys[1].id:" },
    { "{\"limits\":[]}", "limits:" },
    { "{\"limits\":{\"maxMessageSize\":0}}", "limits.maxMessageSize:" },
    { "{\"limits\":{\"maxChannelsPerConnection\":-1}}", "limits.maxChannelsPerConnection:" },
    { "{\"limits\":{\"messageRatePerSecond\":\"fast\"}}", "limits.messageRatePerSecond:" },
    { "{\"limits\":{\"messageBurst\":1.5}}", "limits.messageBurst:" },
    { "{\"limits\":{\"maxConcurrentConnections\":1e12}}", "limits.maxConcurrentConnections:" },
    { "{\"limits\":{\"maxMessagesPerPeriod\":null}}", "limits.maxMessagesPerPeriod:" },
    { "{\"limits\":{\"pingIntervalSeconds\":\"30\"}}", "limits.pingIntervalSeconds:" },
    { "{\"limits\":{\"burst\":1}}", "limits.burst:" },
    { "{\"accountSuspended\":1}", "accountSuspended:" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MeteredDevConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      config = metered_dev_config_new_from_data (cases[i].json, -1, &error);
      g_assert_null (config);
      g_assert_error (error, METERED_DEV_CONFIG_ERROR, METERED_DEV_CONFIG_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, cases[i].field))
        g_error ("%s: expected the message to name %s, got: %s", cases[i].json, cases[i].field, error->message);
    }
}

static void
test_not_json (void)
{
  const char *cases[] = { "", "{", "[]", "42", "null", "{\"a\":1,}" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (metered_dev_config_new_from_data (cases[i], -1, &error));
      g_assert_error (error, METERED_DEV_CONFIG_ERROR, METERED_DEV_CONFIG_ERROR_PARSE);
    }
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (metered_dev_config_new_from_file ("/nonexistent/devserver.json", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_secrets_not_quoted (void)
{
  g_autoptr(GError) error = NULL;

  /* A control character makes the secret invalid; the message must not
   * show it. */
  g_assert_null (metered_dev_config_new_from_data (
    "{\"secretKeys\":[{\"id\":\"sk\",\"secret\":\"TOPSECRET\\u0001\"}]}", -1, &error));
  g_assert_error (error, METERED_DEV_CONFIG_ERROR, METERED_DEV_CONFIG_ERROR_INVALID);
  g_assert_null (strstr (error->message, "TOPSECRET"));
  g_clear_error (&error);

  g_assert_null (metered_dev_config_new_from_data (
    "{\"publishableKeys\":[{\"key\":\"pk_live_SECRETISH\"},{\"key\":\"pk_live_SECRETISH\"}]}", -1, &error));
  g_assert_null (strstr (error->message, "SECRETISH"));
}

static void
test_actions (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  MeteredDevActions actions = 0;

  json_parser_load_from_data (parser, "[\"send\",\"presence\",\"send\"]", -1, NULL);
  g_assert_true (metered_dev_actions_from_json (json_node_get_array (json_parser_get_root (parser)), &actions));
  g_assert_cmpint (actions, ==, METERED_DEV_ACTION_SEND | METERED_DEV_ACTION_PRESENCE);

  json_parser_load_from_data (parser, "[]", -1, NULL);
  g_assert_true (metered_dev_actions_from_json (json_node_get_array (json_parser_get_root (parser)), &actions));
  g_assert_cmpint (actions, ==, 0);

  json_parser_load_from_data (parser, "[\"publish\",1]", -1, NULL);
  g_assert_false (metered_dev_actions_from_json (json_node_get_array (json_parser_get_root (parser)), &actions));
  json_parser_load_from_data (parser, "[\"Publish\"]", -1, NULL);
  g_assert_false (metered_dev_actions_from_json (json_node_get_array (json_parser_get_root (parser)), &actions));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/config/good-file", test_good_file);
  g_test_add_func ("/devserver/config/defaults", test_defaults);
  g_test_add_func ("/devserver/config/bad-fields", test_bad_fields);
  g_test_add_func ("/devserver/config/not-json", test_not_json);
  g_test_add_func ("/devserver/config/missing-file", test_missing_file);
  g_test_add_func ("/devserver/config/secrets-not-quoted", test_secrets_not_quoted);
  g_test_add_func ("/devserver/config/actions", test_actions);

  return g_test_run ();
}
