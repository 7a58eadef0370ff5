/* test-devserver-auth.c: connect-time outcomes and the welcome frame
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-jwt.h"
#include "devserver-test-util.h"

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A token with a header of our choosing, for what metered_jwt_sign() will
 * not make. The signature is garbage. */
static char *
forge_token (const char *header_json,
             const char *claims_json)
{
  g_autofree char *header = metered_base64url_encode ((const guint8 *)header_json, strlen (header_json));
  g_autofree char *claims = metered_base64url_encode ((const guint8 *)claims_json, strlen (claims_json));

  return g_strdup_printf ("%s.%s.c2lnbmF0dXJl", header, claims);
}

/* Connects and asserts the server accepted the upgrade, then closed with
 * @code before sending anything. */
static void
assert_closed_before_welcome (MeteredDevServer *server,
                              const char       *query,
                              gushort           code)
{
  g_autoptr(TestClient) client = test_client_open (server, query);

  g_assert_no_error (client->error);
  g_assert_cmpuint (test_client_wait_closed (client), ==, code);
  g_assert_true (g_queue_is_empty (&client->frames));
}

static void
assert_http_401 (MeteredDevServer *server,
                 const char       *query)
{
  g_autoptr(TestClient) client = test_client_open (server, query);
  g_autofree char *path = g_strconcat ("/v1?", query, NULL);
  g_autofree char *body = NULL;

  /* The upgrade itself is refused... */
  g_assert_nonnull (client->error);
  g_assert_null (client->ws);
  g_assert_cmpuint (soup_message_get_status (client->msg), ==, 401);

  /* ...with this body. */
  g_assert_cmpuint (test_http (server, "GET", path, NULL, NULL, &body), ==, 401);
  g_assert_cmpstr (body, ==, "{\"error\":\"invalid_token\"}");
}

static void
test_http_401 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *no_kid = forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"a\"}");
  g_autofree char *no_kid_query = test_token_query (no_kid);

  assert_http_401 (server, "");
  assert_http_401 (server, "key=");
  assert_http_401 (server, "token=abc");
  assert_http_401 (server, "token=a.b.c");
  assert_http_401 (server, no_kid_query);
  assert_http_401 (server, "key=pk_live_dev&token=abc");
}

static void
test_invalid_4001 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (
    "{\"publishableKeys\":[{\"key\":\"pk_live_ok\"},{\"key\":\"pk_live_gone\",\"revoked\":true}],"
    " \"secretKeys\":[{\"id\":\"sk_id_dev\",\"secret\":\"sk_secret_dev\"}]}");
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"alice\",\"exp\":%" G_GINT64_FORMAT "}", now_s () + 600);
  g_autofree char *bad_signature = test_make_token ("sk_id_dev", "not_the_secret", claims);
  g_autofree char *unknown_kid = test_make_token ("sk_id_other", "sk_secret_dev", claims);
  g_autofree char *no_sub = test_make_token ("sk_id_dev", "sk_secret_dev", "{\"exp\":4102444800}");
  g_autofree char *bad_sub = test_make_token ("sk_id_dev", "sk_secret_dev", "{\"sub\":\"a\\u0001b\",\"exp\":4102444800}");
  g_autofree char *bad_channels = test_make_token ("sk_id_dev", "sk_secret_dev",
                                                   "{\"sub\":\"a\",\"channels\":\"x\"}");
  g_autofree char *hs512 = forge_token ("{\"alg\":\"HS512\",\"typ\":\"JWT\",\"kid\":\"sk_id_dev\"}", claims);
  g_autofree char *alg_none = forge_token ("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"sk_id_dev\"}", claims);
  const char *tokens[] = { bad_signature, unknown_kid, no_sub, bad_sub, bad_channels, hs512, alg_none };

  assert_closed_before_welcome (server, "key=pk_live_unknown", 4001);
  assert_closed_before_welcome (server, "key=pk_live_gone", 4001);

  for (gsize i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autofree char *query = test_token_query (tokens[i]);

      g_test_message ("token %" G_GSIZE_FORMAT, i);
      assert_closed_before_welcome (server, query, 4001);
    }

  /* The good key still works. */
  test_client_free (test_client_connect (server, "key=pk_live_ok"));
}

static void
test_expired_4002 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"alice\",\"exp\":%" G_GINT64_FORMAT "}", now_s () - 5);
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", claims);
  g_autofree char *query = test_token_query (token);

  assert_closed_before_welcome (server, query, 4002);
}

static void
test_concurrency_4010 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"limits\":{\"maxConcurrentConnections\":2}}");
  g_autoptr(TestClient) a = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) b = test_client_connect (server, "key=pk_live_dev");

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 2);
  assert_closed_before_welcome (server, "key=pk_live_dev", 4010);

  /* A freed slot can be taken again. */
  g_clear_pointer (&a, test_client_free);
  test_spin (50);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 1);
  test_client_free (test_client_connect (server, "key=pk_live_dev"));
}

static void
test_suspended_4012 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"accountSuspended\":true}");
  g_autoptr(MeteredDevServer) other = test_server_new (NULL);
  g_autoptr(TestClient) before = NULL;

  assert_closed_before_welcome (server, "key=pk_live_dev", 4012);

  /* At runtime: later connects are refused, open ones stay. */
  before = test_client_connect (other, "key=pk_live_dev");
  metered_dev_server_hook_set_suspended (other, TRUE);
  assert_closed_before_welcome (other, "key=pk_live_dev", 4012);
  test_client_send (before, "{\"type\":\"ping\"}");
  json_object_unref (test_client_expect (before, "pong"));

  metered_dev_server_hook_set_suspended (other, FALSE);
  test_client_free (test_client_connect (other, "key=pk_live_dev"));
}

static void
test_reject_hook (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);

  metered_dev_server_hook_reject_connections (server, 4010);
  assert_closed_before_welcome (server, "key=pk_live_dev", 4010);
  metered_dev_server_hook_reject_connections (server, 0);
  test_client_free (test_client_connect (server, "key=pk_live_dev"));
}

static void
test_welcome_pk (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"limits\":{\"maxMessageSize\":1000}}");
  g_autoptr(TestClient) client = test_client_open (server, "key=pk_live_dev");
  g_autoptr(TestClient) second = NULL;
  g_autoptr(JsonObject) welcome = test_client_expect (client, "welcome");
  JsonNode *expires_at = json_object_get_member (welcome, "expiresAt");

  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (welcome, "peerId")));
  g_assert_nonnull (expires_at);
  g_assert_true (JSON_NODE_HOLDS_NULL (expires_at));
  g_assert_cmpint (ABS (json_object_get_int_member (welcome, "serverTime") - now_s ()), <=, 2);
  g_assert_cmpint (json_object_get_int_member (welcome, "maxMessageSize"), ==, 1000);
  g_assert_false (json_object_has_member (welcome, "metadata"));
  g_assert_cmpuint (json_object_get_size (welcome), ==, 5);

  /* A fresh id on every connect. */
  second = test_client_connect (server, "key=pk_live_dev");
  g_assert_cmpstr (second->peer_id, !=, json_object_get_string_member (welcome, "peerId"));
}

static void
test_welcome_jwt (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  gint64 exp = now_s () + 600;
  g_autofree char *claims = g_strdup_printf (
    "{\"sub\":\"alice\",\"exp\":%" G_GINT64_FORMAT ","
    " \"metadata\":{\"iceServers\":[{\"urls\":[\"stun:example.org:3478\"]}]},"
    " \"peerMetadata\":{\"name\":\"Alice\"}}", exp);
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", claims);
  g_autofree char *query = test_token_query (token);
  g_autoptr(TestClient) client = test_client_open (server, query);
  g_autoptr(JsonObject) welcome = test_client_expect (client, "welcome");
  JsonObject *metadata;

  g_assert_cmpstr (json_object_get_string_member (welcome, "peerId"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (welcome, "expiresAt"), ==, exp);
  g_assert_cmpint (json_object_get_int_member (welcome, "maxMessageSize"), ==, 65536);
  metadata = json_object_get_object_member (welcome, "metadata");
  g_assert_nonnull (metadata);
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (
                       json_array_get_object_element (json_object_get_array_member (metadata, "iceServers"), 0),
                       "urls"), 0), ==, "stun:example.org:3478");
  /* peerMetadata is for others, not for the welcome. */
  g_assert_false (json_object_has_member (metadata, "name"));
}

static void
test_jwt_expiry_close (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  gint64 exp = now_s () + 2;
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"alice\",\"exp\":%" G_GINT64_FORMAT "}", exp);
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", claims);
  g_autofree char *query = test_token_query (token);
  g_autoptr(TestClient) client = test_client_connect (server, query);
  gint64 closed_at;

  g_assert_cmpuint (test_client_wait_closed (client), ==, 4002);
  closed_at = g_get_real_time () / 1000;

  /* About 250 ms before exp: before it, but not much earlier. */
  g_assert_cmpint (closed_at, <, exp * 1000);
  g_assert_cmpint (closed_at, >=, exp * 1000 - 400);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/auth/http-401", test_http_401);
  g_test_add_func ("/devserver/auth/invalid-4001", test_invalid_4001);
  g_test_add_func ("/devserver/auth/expired-4002", test_expired_4002);
  g_test_add_func ("/devserver/auth/concurrency-4010", test_concurrency_4010);
  g_test_add_func ("/devserver/auth/suspended-4012", test_suspended_4012);
  g_test_add_func ("/devserver/auth/reject-hook", test_reject_hook);
  g_test_add_func ("/devserver/auth/welcome-pk", test_welcome_pk);
  g_test_add_func ("/devserver/auth/welcome-jwt", test_welcome_jwt);
  g_test_add_func ("/devserver/auth/jwt-expiry-close", test_jwt_expiry_close);

  return g_test_run ();
}
