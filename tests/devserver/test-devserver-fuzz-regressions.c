/* test-devserver-fuzz-regressions.c: inputs the fuzzers found, kept fixed
 *
 * Each case is the reproducer (base64 where it came from the fuzzer) of a
 * crash, undefined behaviour, leak, secret in a message or invalid JSON
 * written by the server.
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-dev-config.h"
#include "metered-dev-hooks.h"
#include "metered-frame-private.h"
#include "devserver-test-util.h"

#define AUTH "Bearer sk_id_dev:sk_secret_dev"
#define DEEP_NESTING 100000
/* Deep, yet under the REST body limit of 32 KB. */
#define DEEP_BODY_NESTING 30000

static char *
decode (const char *base64)
{
  gsize len;
  guchar *data = g_base64_decode (base64, &len);
  char *text = g_strndup ((const char *)data, len);

  g_free (data);
  return text;
}

/* @depth `[` with nothing after, which once overflowed the stack. */
static char *
deep_nesting (gsize depth)
{
  char *text = g_malloc (depth + 1);

  memset (text, '[', depth);
  text[depth] = '\0';
  return text;
}

/* Strict JSON, where json-glib's own parser lets a raw U+001F through. */
static void
assert_strict_json (const char *text)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = metered_json_parse_untrusted (text, -1, &error);
  g_assert_no_error (error);
}

static void
assert_config_fails (const char *data,
                     int         code)
{
  g_autoptr(MeteredDevConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = metered_dev_config_new_from_data (data, -1, &error);
  g_assert_null (config);
  g_assert_error (error, METERED_DEV_CONFIG_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_config_huge_number (void)
{
  g_autofree char *ping = decode ("eyJsaW1pdHMiOnsicGluZ0ludGVydmFsU2Vjb25kcyI6MWUzMDB9fQ==");

  g_assert_cmpstr (ping, ==, "{\"limits\":{\"pingIntervalSeconds\":1e300}}");
  assert_config_fails (ping, METERED_DEV_CONFIG_ERROR_INVALID);
  assert_config_fails ("{\"limits\":{\"messageBurst\":-1e300}}", METERED_DEV_CONFIG_ERROR_INVALID);
  assert_config_fails ("{\"limits\":{\"maxMessagesPerPeriod\":1e19}}", METERED_DEV_CONFIG_ERROR_INVALID);
  /* Beyond double's range: refused by the parser. */
  assert_config_fails ("{\"limits\":{\"pingIntervalSeconds\":1e400}}", METERED_DEV_CONFIG_ERROR_PARSE);
}

static void
test_config_bad_json (void)
{
  g_autofree char *trailing = decode ("e317fQ==");
  g_autofree char *deep = deep_nesting (DEEP_NESTING);

  g_assert_cmpstr (trailing, ==, "{}{}");
  assert_config_fails (trailing, METERED_DEV_CONFIG_ERROR_PARSE);
  assert_config_fails (deep, METERED_DEV_CONFIG_ERROR_PARSE);
  assert_config_fails ("{\"accountSuspended\":\"\xff\xfe\"}", METERED_DEV_CONFIG_ERROR_PARSE);
}

static void
test_config_secret_not_quoted (void)
{
  g_autofree char *data = decode ("eyJzZWNyZXRLZXlzIjpbeyJpZCI6ImEiLCJzZWNyZXQiOiJza19zZWNyZXRfcmVhbCIgIngifV19");
  g_autoptr(MeteredDevConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (strstr (data, "sk_secret_real"));
  config = metered_dev_config_new_from_data (data, -1, &error);
  g_assert_null (config);
  g_assert_error (error, METERED_DEV_CONFIG_ERROR, METERED_DEV_CONFIG_ERROR_PARSE);
  g_assert_null (strstr (error->message, "sk_secret_real"));
  /* Where, not what. */
  g_assert_nonnull (strstr (error->message, "byte"));
}

static void
test_rest_bad_body (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *deep = deep_nesting (DEEP_BODY_NESTING);
  const char *bodies[] = {
    "{\"peerId\":\"a\"}}",
    "{\"peerId\":\"sk_secret_leak\" \"x\"}",
    "{\"peerId\":\"\xff\"}",
    deep,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *response = NULL;

      g_test_message ("body %" G_GSIZE_FORMAT, i);
      g_assert_cmpuint (test_http (server, "POST", "/v1/tokens", AUTH, bodies[i], &response), ==, 400);
      assert_strict_json (response);
      g_assert_nonnull (strstr (response, "invalid_request"));
      g_assert_null (strstr (response, "sk_secret_leak"));
    }
}

/* The next frame as the server wrote it, asserted to be strict JSON. */
static char *
next_raw_frame (TestClient *client)
{
  char *text;

  for (guint waited = 0; g_queue_is_empty (&client->frames) && waited < TEST_TIMEOUT_MS; waited += 10)
    test_spin (10);

  text = g_queue_pop_head (&client->frames);
  g_assert_nonnull (text);
  assert_strict_json (text);
  return text;
}

static void
test_control_char_metadata (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *claims_base = decode ("eyJzdWIiOiJhIiwicGVlck1ldGFkYXRhIjp7ImsiOiJcdTAwMWYifX0=");
  const char *claims = "{\"sub\":\"a\",\"peerMetadata\":{\"k\":\"\\u001f\"},\"metadata\":{\"m\":\"\\u001f\"}}";
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", claims);
  g_autofree char *query = test_token_query (token);
  g_autoptr(TestClient) watcher = NULL;
  g_autoptr(TestClient) client = NULL;
  g_autofree char *welcome = NULL;
  g_autofree char *presence = NULL;
  g_autofree char *peers = NULL;
  g_autofree char *minted = NULL;

  g_assert_cmpstr (claims_base, ==, "{\"sub\":\"a\",\"peerMetadata\":{\"k\":\"\\u001f\"}}");

  watcher = test_client_connect (server, "key=pk_live_dev");
  json_object_unref (test_client_subscribe (watcher, "room", FALSE));

  client = test_client_open (server, query);
  g_assert_no_error (client->error);
  welcome = next_raw_frame (client);
  g_assert_nonnull (strstr (welcome, "\\u001f"));

  /* peerMetadata goes out in presence frames... */
  test_client_send (client, "{\"type\":\"subscribe\",\"channel\":\"room\"}");
  presence = next_raw_frame (watcher);
  g_assert_nonnull (strstr (presence, "\"presence\""));
  g_assert_nonnull (strstr (presence, "\\u001f"));

  /* ...and in REST answers. */
  g_assert_cmpuint (test_http (server, "GET", "/v1/channels/room/peers", AUTH, NULL, &peers), ==, 200);
  assert_strict_json (peers);
  g_assert_nonnull (strstr (peers, "\\u001f"));

  g_assert_cmpuint (test_http (server, "POST", "/v1/tokens", AUTH,
                               "{\"peerId\":\"b\",\"metadata\":{\"m\":\"\\u001f\"}}", &minted), ==, 200);
  assert_strict_json (minted);
}

static void
assert_closed_4001 (MeteredDevServer *server,
                    const char       *claims)
{
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", claims);
  g_autofree char *query = test_token_query (token);
  g_autoptr(TestClient) client = test_client_open (server, query);

  g_test_message ("claims %s", claims);
  g_assert_no_error (client->error);
  g_assert_cmpuint (test_client_wait_closed (client), ==, 4001);
  g_assert_true (g_queue_is_empty (&client->frames));
}

static void
test_absurd_time_claims (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *bound = test_make_token ("sk_id_dev", "sk_secret_dev",
                                            "{\"sub\":\"a\",\"exp\":1e12,\"nbf\":0}");
  g_autofree char *bound_query = test_token_query (bound);

  assert_closed_4001 (server, "{\"sub\":\"a\",\"exp\":1e300}");
  assert_closed_4001 (server, "{\"sub\":\"a\",\"exp\":9223372036854775807}");
  assert_closed_4001 (server, "{\"sub\":\"a\",\"exp\":1000000000001}");
  assert_closed_4001 (server, "{\"sub\":\"a\",\"exp\":-1}");
  assert_closed_4001 (server, "{\"sub\":\"a\",\"nbf\":1e300}");
  assert_closed_4001 (server, "{\"sub\":\"a\",\"nbf\":-9223372036854775807}");

  /* The bound itself is a (far-off) valid time. */
  test_client_free (test_client_connect (server, bound_query));
}

static void
test_hooks_bad_lines (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *deep = deep_nesting (DEEP_NESTING);
  const char *lines[] = {
    deep,
    "{\"hook\":\"drop\"}}",
    "{\"hook\":\"\xff\"}",
    "{\"hook\":\"\\u001f\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autofree char *answer = metered_dev_hooks_handle_line (server, lines[i]);

      g_test_message ("line %" G_GSIZE_FORMAT, i);
      assert_strict_json (answer);
      g_assert_nonnull (strstr (answer, "\"error\""));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/fuzz-regressions/config-huge-number", test_config_huge_number);
  g_test_add_func ("/devserver/fuzz-regressions/config-bad-json", test_config_bad_json);
  g_test_add_func ("/devserver/fuzz-regressions/config-secret-not-quoted", test_config_secret_not_quoted);
  g_test_add_func ("/devserver/fuzz-regressions/rest-bad-body", test_rest_bad_body);
  g_test_add_func ("/devserver/fuzz-regressions/control-char-metadata", test_control_char_metadata);
  g_test_add_func ("/devserver/fuzz-regressions/absurd-time-claims", test_absurd_time_claims);
  g_test_add_func ("/devserver/fuzz-regressions/hooks-bad-lines", test_hooks_bad_lines);

  return g_test_run ();
}
