/* test-devserver-rest.c: the REST control plane and its errors
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "devserver-test-util.h"

#define AUTH "Bearer sk_id_dev:sk_secret_dev"

static const char scoped_config[] =
  "{\"secretKeys\":["
  "  {\"id\":\"sk_id_dev\",\"secret\":\"sk_secret_dev\"},"
  "  {\"id\":\"sk_id_app\",\"secret\":\"sk_secret_app\",\"channelPatterns\":[\"app/**\"],\"actions\":[\"subscribe\",\"publish\"]}]}";

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Performs a request, asserts the status and, for errors, the code. */
static JsonObject *
call (MeteredDevServer *server,
      const char       *method,
      const char       *path,
      const char       *authorization,
      const char       *body,
      guint             status,
      const char       *error_code)
{
  g_autofree char *response = NULL;
  JsonObject *object;

  g_assert_cmpuint (test_http (server, method, path, authorization, body, &response), ==, status);
  object = parse_object (response);

  if (error_code != NULL)
    {
      g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, error_code);
      g_assert_true (json_object_has_member (object, "message"));
    }

  return object;
}

static void
call_error (MeteredDevServer *server,
            const char       *method,
            const char       *path,
            const char       *authorization,
            const char       *body,
            guint             status,
            const char       *error_code)
{
  json_object_unref (call (server, method, path, authorization, body, status, error_code));
}

static void
test_unauthorized (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  const char *bad[] = {
    NULL,
    "Bearer sk_id_dev",
    "Bearer sk_id_dev:wrong",
    "Bearer sk_id_dev:sk_secret_de",
    "Bearer sk_id_nope:sk_secret_dev",
    "Bearer pk_live_dev",
    "Basic c2tfaWRfZGV2OnNrX3NlY3JldF9kZXY=",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      call_error (server, "GET", "/v1/usage", bad[i], NULL, 401, "unauthorized");
      call_error (server, "POST", "/v1/tokens", bad[i], "{\"peerId\":\"a\"}", 401, "unauthorized");
    }
}

static void
test_not_found (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);

  call_error (server, "GET", "/", AUTH, NULL, 404, "not_found");
  call_error (server, "GET", "/v2/usage", AUTH, NULL, 404, "not_found");
  call_error (server, "GET", "/v1/nothing", AUTH, NULL, 404, "not_found");
  call_error (server, "GET", "/v1/tokens", AUTH, NULL, 404, "not_found");
  call_error (server, "POST", "/v1/usage", AUTH, NULL, 404, "not_found");
  call_error (server, "GET", "/v1/channels/a/b/c", AUTH, NULL, 404, "not_found");
  call_error (server, "GET", "/v1/usage/", AUTH, NULL, 404, "not_found");
}

static void
test_tokens (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(JsonObject) minted = NULL;
  g_autoptr(JsonObject) welcome = NULL;
  g_autoptr(TestClient) client = NULL;
  g_autoptr(TestClient) watcher = NULL;
  g_autoptr(JsonObject) presence = NULL;
  g_autofree char *query = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 later;
  JsonObject *entry;

  /* Expiry times are checked against the clock read before and after each
   * request, so a slow run (valgrind) cannot push them out of range. */
  minted = call (server, "POST", "/v1/tokens", AUTH,
                 "{\"peerId\":\"alice\",\"expiresInSec\":120,\"channels\":[\"room/*\"],"
                 " \"permissions\":[\"subscribe\"],\"metadata\":{\"x\":1},\"peerMetadata\":{\"name\":\"Alice\"}}",
                 200, NULL);
  later = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (json_object_get_int_member (minted, "expiresAt"), >=, now + 119);
  g_assert_cmpint (json_object_get_int_member (minted, "expiresAt"), <=, later + 121);

  /* The token works, and carries what was asked for. */
  query = test_token_query (json_object_get_string_member (minted, "token"));
  client = test_client_open (server, query);
  welcome = test_client_expect (client, "welcome");
  g_assert_cmpstr (json_object_get_string_member (welcome, "peerId"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (welcome, "expiresAt"), ==, json_object_get_int_member (minted, "expiresAt"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (welcome, "metadata"), "x"), ==, 1);

  watcher = test_client_connect (server, "key=pk_live_dev");
  json_object_unref (test_client_subscribe (watcher, "room/a", FALSE));
  json_object_unref (test_client_subscribe (client, "room/a", FALSE));
  presence = test_client_expect (watcher, "presence");
  entry = json_array_get_object_element (json_object_get_array_member (presence, "joined"), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "metadata"), "name"), ==, "Alice");

  test_client_expect_error (client, "{\"type\":\"subscribe\",\"channel\":\"lobby\",\"requestId\":\"1\"}", "channel_not_authorized", "1");
  test_client_expect_error (client, "{\"type\":\"publish\",\"channel\":\"room/a\",\"data\":1,\"requestId\":\"2\"}", "action_not_permitted", "2");
  g_clear_pointer (&minted, json_object_unref);

  /* The default lifetime is an hour. */
  now = g_get_real_time () / G_USEC_PER_SEC;
  minted = call (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"bob\"}", 200, NULL);
  later = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (json_object_get_int_member (minted, "expiresAt") - now, >=, 3599);
  g_assert_cmpint (json_object_get_int_member (minted, "expiresAt") - later, <=, 3601);
}

static void
test_tokens_errors (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (scoped_config);
  g_autofree char *huge = NULL;
  g_autoptr(GString) big = g_string_new ("{\"peerId\":\"a\",\"metadata\":{\"pad\":\"");

  call_error (server, "POST", "/v1/tokens", AUTH, NULL, 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "not json", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "[]", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"\"}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":7}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"expiresInSec\":0}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"expiresInSec\":86401}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"expiresInSec\":\"60\"}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"channels\":\"app/x\"}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"channels\":[\"\"]}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"permissions\":[\"fly\"]}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"metadata\":[1]}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"peerMetadata\":\"x\"}", 400, "invalid_request");
  call_error (server, "POST", "/v1/tokens", AUTH, "{\"peerId\":\"a\",\"channels\":[\"_metered/x\"]}", 400, "channel_reserved");

  /* Subsets of the key's scope only. */
  call_error (server, "POST", "/v1/tokens", "Bearer sk_id_app:sk_secret_app",
              "{\"peerId\":\"a\",\"channels\":[\"other/x\"]}", 403, "channel_not_authorized");
  call_error (server, "POST", "/v1/tokens", "Bearer sk_id_app:sk_secret_app",
              "{\"peerId\":\"a\",\"permissions\":[\"subscribe\",\"send\"]}", 403, "action_not_permitted");
  json_object_unref (call (server, "POST", "/v1/tokens", "Bearer sk_id_app:sk_secret_app",
                           "{\"peerId\":\"a\",\"channels\":[\"app/*\",\"app/x/**\"],\"permissions\":[\"publish\"]}",
                           200, NULL));

  /* A metadata claim over 8 KB; a body over 32 KB. */
  while (big->len < 9000)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}}");
  call_error (server, "POST", "/v1/tokens", AUTH, big->str, 400, "invalid_request");

  huge = g_strdup_printf ("{\"peerId\":\"a\",\"pad\":\"%0*d\"}", 40000, 0);
  call_error (server, "POST", "/v1/tokens", AUTH, huge, 413, "invalid_request");
}

static void
test_channel_peers (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (
    "{\"secretKeys\":[{\"id\":\"sk_id_dev\",\"secret\":\"sk_secret_dev\"},"
    "  {\"id\":\"sk_id_app\",\"secret\":\"sk_secret_app\",\"channelPatterns\":[\"app/**\"],\"actions\":[\"presence\"]},"
    "  {\"id\":\"sk_id_nop\",\"secret\":\"sk_secret_nop\",\"actions\":[\"publish\"]}]}");
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", "{\"sub\":\"alice\",\"peerMetadata\":{\"name\":\"Alice\"}}");
  g_autofree char *query = test_token_query (token);
  g_autoptr(TestClient) alice = test_client_connect (server, query);
  g_autoptr(TestClient) anon = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) list = NULL;
  JsonArray *peers;
  gboolean saw_alice = FALSE;
  gboolean saw_anon = FALSE;

  json_object_unref (test_client_subscribe (alice, "app/room 1", FALSE));
  json_object_unref (test_client_subscribe (anon, "app/room 1", FALSE));

  /* The channel is percent-decoded, `/` included. */
  list = call (server, "GET", "/v1/channels/app%2Froom%201/peers", "Bearer sk_id_app:sk_secret_app", NULL, 200, NULL);
  g_assert_cmpstr (json_object_get_string_member (list, "channel"), ==, "app/room 1");
  peers = json_object_get_array_member (list, "peers");
  g_assert_cmpuint (json_array_get_length (peers), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *peer = json_array_get_object_element (peers, i);
      const char *peer_id = json_object_get_string_member (peer, "peerId");

      if (g_str_equal (peer_id, "alice"))
        {
          saw_alice = TRUE;
          g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (peer, "metadata"), "name"), ==, "Alice");
        }
      else
        {
          saw_anon = g_str_equal (peer_id, anon->peer_id);
          g_assert_false (json_object_has_member (peer, "metadata"));
        }
    }
  g_assert_true (saw_alice && saw_anon);
  g_clear_pointer (&list, json_object_unref);

  /* An empty channel is an empty list. */
  list = call (server, "GET", "/v1/channels/app%2Fnobody/peers", AUTH, NULL, 200, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "peers")), ==, 0);

  call_error (server, "GET", "/v1/channels/other/peers", "Bearer sk_id_app:sk_secret_app", NULL, 403, "channel_not_authorized");
  call_error (server, "GET", "/v1/channels/app%2Fx/peers", "Bearer sk_id_nop:sk_secret_nop", NULL, 403, "action_not_permitted");
  call_error (server, "GET", "/v1/channels/_metered%2Fx/peers", AUTH, NULL, 400, "channel_reserved");
  call_error (server, "GET", "/v1/channels/a%01b/peers", AUTH, NULL, 400, "invalid_request");
  call_error (server, "GET", "/v1/channels/a%00b/peers", AUTH, NULL, 400, "invalid_request");
  call_error (server, "GET", "/v1/channels//peers", AUTH, NULL, 400, "invalid_request");
}

static void
test_channel_publish (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (
    "{\"secretKeys\":[{\"id\":\"sk_id_dev\",\"secret\":\"sk_secret_dev\"},"
    "  {\"id\":\"sk_id_ro\",\"secret\":\"sk_secret_ro\",\"actions\":[\"presence\"]}]}");
  g_autoptr(TestClient) plain = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) curious = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(JsonObject) message = NULL;

  json_object_unref (test_client_subscribe (plain, "news/1", FALSE));
  json_object_unref (test_client_subscribe (curious, "news/1", TRUE));
  json_object_unref (test_client_expect (plain, "presence"));

  result = call (server, "POST", "/v1/channels/news%2F1/publish", AUTH, "{\"data\":{\"headline\":\"hi\"}}", 200, NULL);
  g_assert_cmpstr (json_object_get_string_member (result, "channel"), ==, "news/1");
  g_assert_cmpint (json_object_get_int_member (result, "delivered"), ==, 2);
  g_clear_pointer (&result, json_object_unref);

  message = test_client_expect (plain, "message");
  g_assert_cmpstr (json_object_get_string_member (message, "from"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "data"), "headline"), ==, "hi");
  g_clear_pointer (&message, json_object_unref);
  json_object_unref (test_client_expect (curious, "message"));

  result = call (server, "POST", "/v1/channels/news%2F1/publish", AUTH,
                 "{\"data\":[1],\"from\":\"bot\",\"peerMetadata\":{\"role\":\"announcer\"}}", 200, NULL);
  g_assert_cmpint (json_object_get_int_member (result, "delivered"), ==, 2);
  g_clear_pointer (&result, json_object_unref);
  message = test_client_expect (plain, "message");
  g_assert_cmpstr (json_object_get_string_member (message, "from"), ==, "bot");
  g_assert_false (json_object_has_member (message, "fromMetadata"));
  g_clear_pointer (&message, json_object_unref);
  message = test_client_expect (curious, "message");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "fromMetadata"), "role"), ==, "announcer");

  result = call (server, "POST", "/v1/channels/empty/publish", AUTH, "{\"data\":null}", 200, NULL);
  g_assert_cmpint (json_object_get_int_member (result, "delivered"), ==, 0);

  call_error (server, "POST", "/v1/channels/news/publish", AUTH, "{}", 400, "invalid_request");
  call_error (server, "POST", "/v1/channels/news/publish", AUTH, "{\"data\":1,\"from\":\"\"}", 400, "invalid_request");
  call_error (server, "POST", "/v1/channels/news/publish", AUTH, "{\"data\":1,\"peerMetadata\":1}", 400, "invalid_request");
  call_error (server, "POST", "/v1/channels/_system%2Fx/publish", AUTH, "{\"data\":1}", 400, "channel_reserved");
  call_error (server, "POST", "/v1/channels/news/publish", "Bearer sk_id_ro:sk_secret_ro", "{\"data\":1}", 403, "action_not_permitted");
}

static void
test_delete_peer (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", "{\"sub\":\"alice\"}");
  g_autofree char *query = test_token_query (token);
  g_autoptr(TestClient) alice1 = test_client_connect (server, query);
  g_autoptr(TestClient) alice2 = test_client_connect (server, query);
  g_autoptr(TestClient) bob = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) result = NULL;

  result = call (server, "DELETE", "/v1/peers/alice", AUTH, NULL, 200, NULL);
  g_assert_cmpstr (json_object_get_string_member (result, "peerId"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (result, "closed"), ==, 2);
  g_clear_pointer (&result, json_object_unref);

  g_assert_cmpuint (test_client_wait_closed (alice1), ==, 4020);
  g_assert_cmpuint (test_client_wait_closed (alice2), ==, 4020);
  g_assert_false (bob->closed);

  result = call (server, "DELETE", "/v1/peers/alice", AUTH, NULL, 200, NULL);
  g_assert_cmpint (json_object_get_int_member (result, "closed"), ==, 0);

  call_error (server, "DELETE", "/v1/peers/a%01", AUTH, NULL, 400, "invalid_request");
}

static void
test_usage (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"limits\":{\"maxConcurrentConnections\":10,\"maxMessagesPerPeriod\":100}}");
  g_autoptr(TestClient) a = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) b = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) c = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) usage = NULL;
  JsonObject *plan;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_object_unref (test_client_subscribe (a, "room", FALSE));
  for (guint i = 0; i < 3; i++)
    {
      test_client_send (b, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}");
      json_object_unref (test_client_expect (b, "ack"));
    }
  g_clear_pointer (&c, test_client_free);
  test_spin (50);

  usage = call (server, "GET", "/v1/usage", AUTH, NULL, 200, NULL);
  g_assert_cmpstr (json_object_get_string_member (usage, "appId"), ==, "local");
  g_assert_cmpint (ABS (json_object_get_int_member (usage, "periodStartUnix") - now), <=, test_scale_ms (5000) / 1000);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (usage, "periodEndUnix")));
  g_assert_cmpint (json_object_get_int_member (usage, "concurrentNow"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (usage, "peakConcurrent"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (usage, "messagesUsed"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (usage, "overageMessages"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (usage, "overageConnections"), ==, 0);
  plan = json_object_get_object_member (usage, "plan");
  g_assert_cmpint (json_object_get_int_member (plan, "maxConcurrentConnections"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (plan, "maxMessagesPerPeriod"), ==, 100);
  g_assert_false (json_object_get_boolean_member (plan, "overagesAllowed"));
  g_assert_false (json_object_get_boolean_member (plan, "overagesEnabled"));
  g_assert_true (json_object_has_member (plan, "name"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/rest/unauthorized", test_unauthorized);
  g_test_add_func ("/devserver/rest/not-found", test_not_found);
  g_test_add_func ("/devserver/rest/tokens", test_tokens);
  g_test_add_func ("/devserver/rest/tokens-errors", test_tokens_errors);
  g_test_add_func ("/devserver/rest/channel-peers", test_channel_peers);
  g_test_add_func ("/devserver/rest/channel-publish", test_channel_publish);
  g_test_add_func ("/devserver/rest/delete-peer", test_delete_peer);
  g_test_add_func ("/devserver/rest/usage", test_usage);

  return g_test_run ();
}
