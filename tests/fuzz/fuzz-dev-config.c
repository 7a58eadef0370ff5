/* fuzz-dev-config.c: the local server's configuration loader
 *
 * A configuration is refused with a parse or field error, or loaded with
 * every value inside its documented range; written back out as JSON it
 * loads again to the same configuration.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-dev-config"

#include <string.h>

#include "metered-channel.h"
#include "metered-frame-private.h"
#include "metered-dev-config.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static const char * const action_names[] = { "subscribe", "publish", "presence", "send" };

static void
assert_printable_ascii (const char *text)
{
  gsize len = strlen (text);

  g_assert_cmpuint (len, >, 0);
  g_assert_cmpuint (len, <=, 512);
  for (const char *p = text; *p != '\0'; p++)
    g_assert_true (*p >= 0x20 && *p <= 0x7E);
}

static void
assert_patterns (char **patterns)
{
  g_assert_nonnull (patterns);
  for (gsize i = 0; patterns[i] != NULL; i++)
    g_assert_true (metered_channel_validate (patterns[i], NULL));
}

static void
check_config (MeteredDevConfig *config)
{
  GPtrArray *publishable = metered_dev_config_get_publishable_keys (config);
  GPtrArray *secret = metered_dev_config_get_secret_keys (config);
  MeteredDevLimits *limits = metered_dev_config_get_limits (config);

  for (guint i = 0; i < publishable->len; i++)
    {
      const MeteredDevPublishableKey *key = g_ptr_array_index (publishable, i);

      assert_printable_ascii (key->key);
      assert_patterns (key->channel_patterns);
      g_assert_cmpint (key->actions & ~METERED_DEV_ACTION_ALL, ==, 0);
      g_assert_true (metered_dev_config_find_publishable_key (config, key->key) == key);
    }

  for (guint i = 0; i < secret->len; i++)
    {
      const MeteredDevSecretKey *key = g_ptr_array_index (secret, i);

      assert_printable_ascii (key->id);
      assert_printable_ascii (key->secret);
      g_assert_null (strchr (key->id, ':'));
      assert_patterns (key->channel_patterns);
      g_assert_cmpint (key->actions & ~METERED_DEV_ACTION_ALL, ==, 0);
      g_assert_true (metered_dev_config_find_secret_key (config, key->id) == key);
    }

  g_assert_cmpuint (limits->max_message_size, >=, 1);
  g_assert_cmpuint (limits->max_message_size, <=, 16 * 1024 * 1024);
  g_assert_cmpfloat (limits->message_rate_per_second, >=, 0);
  g_assert_cmpfloat (limits->message_rate_per_second, <=, 1e9);
  g_assert_cmpuint (limits->ping_interval_seconds, <=, 24 * 60 * 60);
  g_assert_cmpuint (limits->max_channels_per_connection, <=, G_MAXINT);
  g_assert_cmpuint (limits->message_burst, <=, G_MAXINT);
  g_assert_cmpuint (limits->max_concurrent_connections, <=, G_MAXINT);
  g_assert_cmpuint (limits->max_messages_per_period, <=, G_MAXINT);
}

static void
append_member (GString    *out,
               const char *name)
{
  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  metered_json_append_string (out, name);
  g_string_append_c (out, ':');
}

static void
append_patterns_and_actions (GString            *out,
                             char              **patterns,
                             MeteredDevActions   actions)
{
  append_member (out, "channelPatterns");
  g_string_append_c (out, '[');
  for (gsize i = 0; patterns[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      metered_json_append_string (out, patterns[i]);
    }
  g_string_append_c (out, ']');

  append_member (out, "actions");
  g_string_append_c (out, '[');
  for (gsize i = 0; i < G_N_ELEMENTS (action_names); i++)
    {
      if ((actions & (1 << i)) == 0)
        continue;
      if (out->str[out->len - 1] != '[')
        g_string_append_c (out, ',');
      metered_json_append_string (out, action_names[i]);
    }
  g_string_append_c (out, ']');
}

/* The configuration in the file format, every field written out. */
static char *
config_to_text (MeteredDevConfig *config)
{
  GPtrArray *publishable = metered_dev_config_get_publishable_keys (config);
  GPtrArray *secret = metered_dev_config_get_secret_keys (config);
  MeteredDevLimits *limits = metered_dev_config_get_limits (config);
  GString *out = g_string_new ("{\"publishableKeys\":[");
  char rate[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < publishable->len; i++)
    {
      const MeteredDevPublishableKey *key = g_ptr_array_index (publishable, i);

      g_string_append (out, i > 0 ? ",{" : "{");
      append_member (out, "key");
      metered_json_append_string (out, key->key);
      append_patterns_and_actions (out, key->channel_patterns, key->actions);
      append_member (out, "revoked");
      g_string_append (out, key->revoked ? "true" : "false");
      g_string_append_c (out, '}');
    }

  g_string_append (out, "],\"secretKeys\":[");
  for (guint i = 0; i < secret->len; i++)
    {
      const MeteredDevSecretKey *key = g_ptr_array_index (secret, i);

      g_string_append (out, i > 0 ? ",{" : "{");
      append_member (out, "id");
      metered_json_append_string (out, key->id);
      append_member (out, "secret");
      metered_json_append_string (out, key->secret);
      append_patterns_and_actions (out, key->channel_patterns, key->actions);
      g_string_append_c (out, '}');
    }

  g_ascii_dtostr (rate, sizeof rate, limits->message_rate_per_second);
  g_string_append_printf (out,
                          "],\"limits\":{\"maxMessageSize\":%u,\"maxChannelsPerConnection\":%u,"
                          "\"messageRatePerSecond\":%s,\"messageBurst\":%u,"
                          "\"maxConcurrentConnections\":%u,\"maxMessagesPerPeriod\":%u,"
                          "\"pingIntervalSeconds\":%u},\"accountSuspended\":%s}",
                          limits->max_message_size, limits->max_channels_per_connection,
                          rate, limits->message_burst, limits->max_concurrent_connections,
                          limits->max_messages_per_period, limits->ping_interval_seconds,
                          metered_dev_config_get_account_suspended (config) ? "true" : "false");

  return g_string_free (out, FALSE);
}

static void
assert_configs_equal (MeteredDevConfig *a,
                      MeteredDevConfig *b)
{
  GPtrArray *pa = metered_dev_config_get_publishable_keys (a);
  GPtrArray *pb = metered_dev_config_get_publishable_keys (b);
  GPtrArray *sa = metered_dev_config_get_secret_keys (a);
  GPtrArray *sb = metered_dev_config_get_secret_keys (b);
  MeteredDevLimits *la = metered_dev_config_get_limits (a);
  MeteredDevLimits *lb = metered_dev_config_get_limits (b);

  g_assert_cmpuint (pa->len, ==, pb->len);
  for (guint i = 0; i < pa->len; i++)
    {
      const MeteredDevPublishableKey *ka = g_ptr_array_index (pa, i);
      const MeteredDevPublishableKey *kb = g_ptr_array_index (pb, i);

      g_assert_cmpstr (ka->key, ==, kb->key);
      g_assert_true (g_strv_equal ((const char * const *) ka->channel_patterns,
                                   (const char * const *) kb->channel_patterns));
      g_assert_cmpint (ka->actions, ==, kb->actions);
      g_assert_cmpint (ka->revoked, ==, kb->revoked);
    }

  g_assert_cmpuint (sa->len, ==, sb->len);
  for (guint i = 0; i < sa->len; i++)
    {
      const MeteredDevSecretKey *ka = g_ptr_array_index (sa, i);
      const MeteredDevSecretKey *kb = g_ptr_array_index (sb, i);

      g_assert_cmpstr (ka->id, ==, kb->id);
      g_assert_cmpstr (ka->secret, ==, kb->secret);
      g_assert_true (g_strv_equal ((const char * const *) ka->channel_patterns,
                                   (const char * const *) kb->channel_patterns));
      g_assert_cmpint (ka->actions, ==, kb->actions);
    }

  g_assert_cmpuint (la->max_message_size, ==, lb->max_message_size);
  g_assert_cmpuint (la->max_channels_per_connection, ==, lb->max_channels_per_connection);
  g_assert_cmpfloat (la->message_rate_per_second, ==, lb->message_rate_per_second);
  g_assert_cmpuint (la->message_burst, ==, lb->message_burst);
  g_assert_cmpuint (la->max_concurrent_connections, ==, lb->max_concurrent_connections);
  g_assert_cmpuint (la->max_messages_per_period, ==, lb->max_messages_per_period);
  g_assert_cmpuint (la->ping_interval_seconds, ==, lb->ping_interval_seconds);
  g_assert_cmpint (metered_dev_config_get_account_suspended (a), ==,
                   metered_dev_config_get_account_suspended (b));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = fuzz_dup_input (data, size);
  g_autoptr(MeteredDevConfig) config = NULL;
  g_autoptr(MeteredDevConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;

  config = metered_dev_config_new_from_data (text, (gssize) size, &error);
  if (config == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == METERED_DEV_CONFIG_ERROR);
      g_assert_true (error->code == METERED_DEV_CONFIG_ERROR_PARSE ||
                     error->code == METERED_DEV_CONFIG_ERROR_INVALID);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  check_config (config);

  written = config_to_text (config);
  again = metered_dev_config_new_from_data (written, -1, &error);
  if (again == NULL)
    g_error ("a loaded configuration, written out, is refused (%s):\n%s", error->message, written);
  assert_configs_equal (config, again);

  return 0;
}
