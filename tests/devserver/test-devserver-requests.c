/* test-devserver-requests.c: subscribe, unsubscribe, publish, send, ping;
 * each error code; limits; shutdown
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "devserver-test-util.h"

static char *
jwt_query (const char *claims_json)
{
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", claims_json);

  return test_token_query (token);
}

static void
expect_ack (TestClient *client,
            const char *text,
            const char *request_id)
{
  g_autoptr(JsonObject) ack = NULL;

  test_client_send (client, text);
  ack = test_client_expect (client, "ack");
  g_assert_cmpstr (json_object_get_string_member (ack, "requestId"), ==, request_id);
  g_assert_cmpuint (json_object_get_size (ack), ==, 2);
}

static void
expect_pong (TestClient *client)
{
  test_client_send (client, "{\"type\":\"ping\"}");
  json_object_unref (test_client_expect (client, "pong"));
}

static void
test_subscribe (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) snapshot = NULL;

  snapshot = test_client_subscribe (client, "room/1", FALSE);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "joined")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "left")), ==, 0);
  g_clear_pointer (&snapshot, json_object_unref);

  /* Without a requestId: no ack, but the snapshot all the same. */
  test_client_send (client, "{\"type\":\"subscribe\",\"channel\":\"room/2\"}");
  snapshot = test_client_expect (client, "presence");
  g_assert_cmpstr (json_object_get_string_member (snapshot, "channel"), ==, "room/2");

  test_client_send (client, "{\"type\":\"publish\",\"channel\":\"room/2\",\"data\":1}");
  test_client_send (client, "{\"type\":\"unsubscribe\",\"channel\":\"room/2\"}");
  test_client_expect_nothing (client, 100);
}

static void
test_ping (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) pong = NULL;

  test_client_send (client, "{\"type\":\"ping\"}");
  pong = test_client_expect (client, "pong");
  g_assert_cmpuint (json_object_get_size (pong), ==, 1);
}

static void
test_errors (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (
    "{\"publishableKeys\":[{\"key\":\"pk_live_dev\",\"channelPatterns\":[\"app/**\"]},"
    "                      {\"key\":\"pk_sub_only\",\"actions\":[\"subscribe\"]}],"
    " \"limits\":{\"maxChannelsPerConnection\":2}}");
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) limited = test_client_connect (server, "key=pk_sub_only");
  g_autofree char *long_channel = g_strnfill (257, 'c');
  g_autofree char *long_frame = g_strdup_printf ("{\"type\":\"subscribe\",\"channel\":\"%s\",\"requestId\":\"r\"}", long_channel);
  g_autofree char *long_id = g_strnfill (129, 'r');
  g_autofree char *long_id_frame = g_strdup_printf ("{\"type\":\"ping\",\"requestId\":\"%s\"}", long_id);

  /* malformed_message: no request id can be echoed, or it is the problem. */
  test_client_expect_error (client, "not json", "malformed_message", NULL);
  test_client_expect_error (client, "[1,2]", "malformed_message", NULL);
  test_client_expect_error (client, "{}", "malformed_message", NULL);
  test_client_expect_error (client, "{\"type\":5,\"requestId\":\"r1\"}", "malformed_message", "r1");
  test_client_expect_error (client, "{\"type\":\"publish\",\"requestId\":7}", "malformed_message", NULL);
  test_client_expect_error (client, long_id_frame, "malformed_message", NULL);
  test_client_expect_error (client, "{\"type\":\"subscribe\",\"channel\":\"app/a\",\"includeSenderMetadata\":\"yes\",\"requestId\":\"r2\"}",
                            "malformed_message", "r2");

  test_client_expect_error (client, "{\"type\":\"dance\",\"requestId\":\"r3\"}", "unknown_type", "r3");
  test_client_expect_error (client, "{\"type\":\"welcome\"}", "unknown_type", NULL);

  test_client_expect_error (client, "{\"type\":\"subscribe\",\"channel\":\"\",\"requestId\":\"r4\"}", "invalid_channel", "r4");
  test_client_expect_error (client, "{\"type\":\"subscribe\",\"channel\":\"a\\u0001b\",\"requestId\":\"r5\"}", "invalid_channel", "r5");
  test_client_expect_error (client, "{\"type\":\"publish\",\"channel\":5,\"data\":1}", "invalid_channel", NULL);
  test_client_expect_error (client, long_frame, "invalid_channel", "r");

  test_client_expect_error (client, "{\"type\":\"send\",\"to\":\"\",\"data\":1,\"requestId\":\"r6\"}", "invalid_peer_id", "r6");
  test_client_expect_error (client, "{\"type\":\"send\",\"to\":\"caf\\u00e9\",\"data\":1,\"requestId\":\"r7\"}", "invalid_peer_id", "r7");

  test_client_expect_error (client, "{\"type\":\"subscribe\",\"channel\":\"other/x\",\"requestId\":\"r8\"}", "channel_not_authorized", "r8");
  test_client_expect_error (client, "{\"type\":\"publish\",\"channel\":\"other/x\",\"data\":1,\"requestId\":\"r9\"}", "channel_not_authorized", "r9");

  test_client_expect_error (client, "{\"type\":\"subscribe\",\"channel\":\"_metered/x\",\"requestId\":\"r10\"}", "channel_reserved", "r10");
  test_client_expect_error (client, "{\"type\":\"publish\",\"channel\":\"_internal/x\",\"data\":1,\"requestId\":\"r11\"}", "channel_reserved", "r11");
  test_client_expect_error (client, "{\"type\":\"unsubscribe\",\"channel\":\"_system/x\",\"requestId\":\"r12\"}", "channel_reserved", "r12");

  test_client_expect_error (client, "{\"type\":\"send\",\"to\":\"nobody\",\"data\":1,\"requestId\":\"r13\"}", "peer_not_found", "r13");

  test_client_expect_error (client, "{\"type\":\"publish\",\"channel\":\"app/a\",\"requestId\":\"r14\"}", "missing_data", "r14");
  test_client_expect_error (client, "{\"type\":\"send\",\"to\":\"x\",\"requestId\":\"r15\"}", "missing_data", "r15");

  /* Order: reserved before action, action before channel pattern. */
  test_client_expect_error (limited, "{\"type\":\"publish\",\"channel\":\"_metered/x\",\"data\":1,\"requestId\":\"r16\"}", "channel_reserved", "r16");
  test_client_expect_error (limited, "{\"type\":\"publish\",\"channel\":\"app/a\",\"data\":1,\"requestId\":\"r17\"}", "action_not_permitted", "r17");
  test_client_expect_error (limited, "{\"type\":\"send\",\"to\":\"x\",\"data\":1,\"requestId\":\"r18\"}", "action_not_permitted", "r18");
  test_client_expect_error (client, "{\"type\":\"subscribe\",\"channel\":\"_metered/x\"}", "channel_reserved", NULL);

  /* channel_limit_exceeded, and a repeat subscribe does not count. */
  json_object_unref (test_client_subscribe (client, "app/1", FALSE));
  json_object_unref (test_client_subscribe (client, "app/2", FALSE));
  test_client_expect_error (client, "{\"type\":\"subscribe\",\"channel\":\"app/3\",\"requestId\":\"r19\"}", "channel_limit_exceeded", "r19");
  json_object_unref (test_client_subscribe (client, "app/2", FALSE));
  expect_ack (client, "{\"type\":\"unsubscribe\",\"channel\":\"app/1\",\"requestId\":\"u\"}", "u");
  json_object_unref (test_client_subscribe (client, "app/3", FALSE));

  /* Every error left the connection open. */
  expect_pong (client);
  expect_pong (limited);
}

static void
test_jwt_scope (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (
    "{\"secretKeys\":[{\"id\":\"sk_id_dev\",\"secret\":\"sk_secret_dev\",\"channelPatterns\":[\"room/**\",\"lobby\"],"
    "                  \"actions\":[\"subscribe\",\"publish\",\"send\"]}]}");
  g_autofree char *scoped = jwt_query ("{\"sub\":\"alice\",\"channels\":[\"room/*\",\"other/**\"],\"permissions\":[\"subscribe\"]}");
  g_autofree char *plain = jwt_query ("{\"sub\":\"bob\"}");
  g_autoptr(TestClient) alice = test_client_connect (server, scoped);
  g_autoptr(TestClient) bob = test_client_connect (server, plain);

  json_object_unref (test_client_subscribe (alice, "room/a", FALSE));
  /* The token's `channels` restricts... */
  test_client_expect_error (alice, "{\"type\":\"subscribe\",\"channel\":\"room/a/b\",\"requestId\":\"1\"}", "channel_not_authorized", "1");
  test_client_expect_error (alice, "{\"type\":\"subscribe\",\"channel\":\"lobby\",\"requestId\":\"2\"}", "channel_not_authorized", "2");
  /* ...but cannot widen the key's patterns. */
  test_client_expect_error (alice, "{\"type\":\"subscribe\",\"channel\":\"other/x\",\"requestId\":\"3\"}", "channel_not_authorized", "3");
  /* `permissions` restricts too. */
  test_client_expect_error (alice, "{\"type\":\"publish\",\"channel\":\"room/a\",\"data\":1,\"requestId\":\"4\"}", "action_not_permitted", "4");
  test_client_expect_error (alice, "{\"type\":\"send\",\"to\":\"bob\",\"data\":1,\"requestId\":\"5\"}", "action_not_permitted", "5");

  /* Without claims, the key's scope is all there is. */
  json_object_unref (test_client_subscribe (bob, "room/a/b", FALSE));
  json_object_unref (test_client_subscribe (bob, "lobby", FALSE));
  test_client_expect_error (bob, "{\"type\":\"subscribe\",\"channel\":\"other/x\",\"requestId\":\"6\"}", "channel_not_authorized", "6");
  expect_ack (bob, "{\"type\":\"send\",\"to\":\"alice\",\"data\":{\"hi\":1},\"requestId\":\"7\"}", "7");
  json_object_unref (test_client_expect (alice, "direct"));
}

static void
test_fan_out (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *alice_query = jwt_query ("{\"sub\":\"alice\",\"peerMetadata\":{\"name\":\"Alice\"}}");
  g_autoptr(TestClient) alice = test_client_connect (server, alice_query);
  g_autoptr(TestClient) plain = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) curious = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) outsider = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) message = NULL;
  JsonObject *from_metadata;

  json_object_unref (test_client_subscribe (alice, "room", FALSE));
  json_object_unref (test_client_subscribe (plain, "room", FALSE));
  json_object_unref (test_client_expect (alice, "presence"));
  json_object_unref (test_client_subscribe (curious, "room", TRUE));
  json_object_unref (test_client_expect (alice, "presence"));
  json_object_unref (test_client_expect (plain, "presence"));

  expect_ack (alice, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":{\"text\":\"hi\",\"n\":[1,2]},\"requestId\":\"p1\"}", "p1");

  message = test_client_expect (plain, "message");
  g_assert_cmpstr (json_object_get_string_member (message, "channel"), ==, "room");
  g_assert_cmpstr (json_object_get_string_member (message, "from"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "data"), "text"), ==, "hi");
  g_assert_false (json_object_has_member (message, "fromMetadata"));
  g_clear_pointer (&message, json_object_unref);

  message = test_client_expect (curious, "message");
  from_metadata = json_object_get_object_member (message, "fromMetadata");
  g_assert_nonnull (from_metadata);
  g_assert_cmpstr (json_object_get_string_member (from_metadata, "name"), ==, "Alice");
  g_clear_pointer (&message, json_object_unref);

  /* Never back to the publisher; nothing to non-subscribers. */
  test_client_expect_nothing (alice, 100);
  test_client_expect_nothing (outsider, 0);

  /* A pk peer has no metadata to add; null is data; the publisher need
   * not be subscribed. */
  expect_ack (outsider, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":null,\"requestId\":\"p2\"}", "p2");
  message = test_client_expect (curious, "message");
  g_assert_false (json_object_has_member (message, "fromMetadata"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (message, "data")));
  g_assert_cmpstr (json_object_get_string_member (message, "from"), ==, outsider->peer_id);
  json_object_unref (test_client_expect (alice, "message"));
  json_object_unref (test_client_expect (plain, "message"));
}

static void
test_idempotent_subscribe (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *query = jwt_query ("{\"sub\":\"alice\",\"peerMetadata\":{\"name\":\"Alice\"}}");
  g_autoptr(TestClient) alice = test_client_connect (server, query);
  g_autoptr(TestClient) bob = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) message = NULL;

  json_object_unref (test_client_subscribe (alice, "room", FALSE));
  json_object_unref (test_client_subscribe (bob, "room", FALSE));
  json_object_unref (test_client_expect (alice, "presence"));

  /* Again, now asking for metadata: acked, a snapshot, no second join. */
  snapshot = test_client_subscribe (bob, "room", TRUE);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "joined")), ==, 1);
  test_client_expect_nothing (alice, 100);

  expect_ack (alice, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}", "p");
  message = test_client_expect (bob, "message");
  g_assert_true (json_object_has_member (message, "fromMetadata"));
}

static void
test_unsubscribe (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) a = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) b = test_client_connect (server, "key=pk_live_dev");

  /* Not subscribed: acked all the same. */
  expect_ack (a, "{\"type\":\"unsubscribe\",\"channel\":\"room\",\"requestId\":\"u1\"}", "u1");

  json_object_unref (test_client_subscribe (a, "room", FALSE));
  expect_ack (a, "{\"type\":\"unsubscribe\",\"channel\":\"room\",\"requestId\":\"u2\"}", "u2");
  expect_ack (b, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}", "p");
  test_client_expect_nothing (a, 100);
}

static void
test_direct (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *alice_query = jwt_query ("{\"sub\":\"alice\",\"peerMetadata\":{\"name\":\"Alice\"}}");
  g_autofree char *bob_query = jwt_query ("{\"sub\":\"bob\"}");
  g_autoptr(TestClient) alice = test_client_connect (server, alice_query);
  g_autoptr(TestClient) bob1 = test_client_connect (server, bob_query);
  g_autoptr(TestClient) bob2 = test_client_connect (server, bob_query);
  g_autoptr(TestClient) anon = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) direct = NULL;
  g_autofree char *to_anon = NULL;

  expect_ack (alice, "{\"type\":\"send\",\"to\":\"bob\",\"data\":{\"sdp\":\"x\"},\"requestId\":\"s1\"}", "s1");

  /* Every connection of the peer, with the sender's metadata, no channel. */
  for (guint i = 0; i < 2; i++)
    {
      TestClient *bob = i == 0 ? bob1 : bob2;

      direct = test_client_expect (bob, "direct");
      g_assert_cmpstr (json_object_get_string_member (direct, "from"), ==, "alice");
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (direct, "data"), "sdp"), ==, "x");
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (direct, "fromMetadata"), "name"), ==, "Alice");
      g_assert_false (json_object_has_member (direct, "channel"));
      g_clear_pointer (&direct, json_object_unref);
    }
  test_client_expect_nothing (alice, 50);

  /* From a peer without metadata, to a pk peer. */
  to_anon = g_strdup_printf ("{\"type\":\"send\",\"to\":\"%s\",\"data\":[1],\"requestId\":\"s2\"}", anon->peer_id);
  expect_ack (bob1, to_anon, "s2");
  direct = test_client_expect (anon, "direct");
  g_assert_cmpstr (json_object_get_string_member (direct, "from"), ==, "bob");
  g_assert_false (json_object_has_member (direct, "fromMetadata"));

  /* Gone peers are not found. */
  g_clear_pointer (&anon, test_client_free);
  test_spin (50);
  test_client_expect_error (bob1, to_anon, "peer_not_found", "s2");
}

static void
test_too_big_1009 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"limits\":{\"maxMessageSize\":1000}}");
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) other = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(GString) frame = g_string_new ("{\"type\":\"publish\",\"channel\":\"c\",\"requestId\":\"p\",\"data\":\"");

  /* Exactly the limit is fine... */
  while (frame->len < 998)
    g_string_append_c (frame, 'x');
  g_string_append (frame, "\"}");
  g_assert_cmpuint (frame->len, ==, 1000);
  expect_ack (client, frame->str, "p");

  /* ...one byte more is not. */
  g_string_insert_c (frame, frame->len - 2, 'x');
  test_client_send (client, frame->str);
  g_assert_cmpuint (test_client_wait_closed (client), ==, 1009);
  expect_pong (other);
}

static void
test_binary_1008 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");

  soup_websocket_connection_send_binary (client->ws, "{\"type\":\"ping\"}", 15);
  g_assert_cmpuint (test_client_wait_closed (client), ==, 1008);
}

static void
test_rate_4011 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"limits\":{\"messageRatePerSecond\":1,\"messageBurst\":3}}");
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) other = test_client_connect (server, "key=pk_live_dev");

  /* Subscribes and pings are not rate limited. */
  for (guint i = 0; i < 10; i++)
    json_object_unref (test_client_subscribe (client, "room", FALSE));
  for (guint i = 0; i < 10; i++)
    expect_pong (client);

  for (guint i = 0; i < 3; i++)
    expect_ack (client, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}", "p");

  test_client_send (client, "{\"type\":\"send\",\"to\":\"x\",\"data\":1,\"requestId\":\"s\"}");
  g_assert_cmpuint (test_client_wait_closed (client), ==, 4011);

  /* The bucket is per connection. */
  expect_ack (other, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}", "p");
}

static void
test_message_quota (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"limits\":{\"maxMessagesPerPeriod\":3}}");
  g_autoptr(TestClient) a = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) b = test_client_connect (server, "key=pk_live_dev");
  g_autofree char *to_a = g_strdup_printf ("{\"type\":\"send\",\"to\":\"%s\",\"data\":1,\"requestId\":\"s\"}", a->peer_id);

  json_object_unref (test_client_subscribe (a, "room", FALSE));
  expect_ack (b, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}", "p");
  json_object_unref (test_client_expect (a, "message"));
  expect_ack (b, to_a, "s");
  json_object_unref (test_client_expect (a, "direct"));
  expect_ack (a, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}", "p");

  /* Server-wide: used up for everyone, connections stay open. */
  test_client_expect_error (b, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}", "over_message_quota", "p");
  test_client_expect_error (a, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1}", "over_message_quota", NULL);
  test_client_expect_error (b, to_a, "over_message_quota", "s");
  test_client_expect_nothing (a, 50);
  expect_pong (a);
  expect_pong (b);
}

static void
on_stopped (MeteredDevServer *server,
            gboolean         *stopped)
{
  *stopped = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *)data;
}

static void
test_stop (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) a = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) b = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) late = NULL;
  gboolean stopped = FALSE;

  g_signal_connect (server, "stopped", G_CALLBACK (on_stopped), &stopped);
  metered_dev_server_stop (server, 1234);

  for (guint i = 0; i < 2; i++)
    {
      TestClient *client = i == 0 ? a : b;
      g_autoptr(JsonObject) going_away = test_client_expect (client, "going_away");

      g_assert_cmpint (json_object_get_int_member (going_away, "retryAfterMs"), ==, 1234);
      g_assert_cmpuint (test_client_wait_closed (client), ==, 1001);
    }

  g_assert_true (test_wait_until (is_true, &stopped, TEST_TIMEOUT_MS));
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 0);

  /* The listener is gone. */
  late = test_client_open (server, "key=pk_live_dev");
  g_assert_nonnull (late->error);
}

static void
test_stop_idle (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  gboolean stopped = FALSE;

  g_signal_connect (server, "stopped", G_CALLBACK (on_stopped), &stopped);
  metered_dev_server_stop (server, 1000);
  g_assert_false (stopped);
  g_assert_true (test_wait_until (is_true, &stopped, TEST_TIMEOUT_MS));
}

static void
test_demo (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) direct = NULL;
  gboolean got_message = FALSE;

  metered_dev_server_set_demo (server, TRUE);

  expect_ack (client, "{\"type\":\"send\",\"to\":\"echo\",\"data\":{\"n\":42},\"requestId\":\"e\"}", "e");
  direct = test_client_expect (client, "direct");
  g_assert_cmpstr (json_object_get_string_member (direct, "from"), ==, "echo");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (direct, "data"), "n"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (direct, "fromMetadata"), "kind"), ==, "echo");

  /* The chat bots come and go: each 1 s tick joins, leaves or speaks with a
   * chance of at least 1/2, so 20 ticks all stay silent about once in a
   * million runs (4 ticks did in about 6 %). */
  json_object_unref (test_client_subscribe (client, "demo/chat", FALSE));
  for (guint i = 0; i < 200 && !got_message; i++)
    {
      test_spin (100);
      got_message = !g_queue_is_empty (&client->frames);
    }
  g_assert_true (got_message);

  /* Demo traffic does not count against the quota or the connections. */
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 1);

  /* Switching off takes the peers away (bots in the chat leave). */
  metered_dev_server_set_demo (server, FALSE);
  test_spin (100);
  g_queue_clear_full (&client->frames, g_free);
  test_client_expect_error (client, "{\"type\":\"send\",\"to\":\"echo\",\"data\":1,\"requestId\":\"e\"}", "peer_not_found", "e");
}

static void
test_demo_channels (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_auto(GStrv) channels = NULL;

  g_assert_null (metered_dev_server_dup_demo_channels (server));

  metered_dev_server_set_demo (server, TRUE);
  channels = metered_dev_server_dup_demo_channels (server);
  g_assert_nonnull (channels);
  g_assert_cmpuint (g_strv_length (channels), ==, 4);
  g_assert_cmpstr (channels[0], ==, "demo/chat");

  /* Each sensor is in its own channel. */
  for (guint i = 1; channels[i] != NULL; i++)
    {
      g_autoptr(JsonObject) snapshot = test_client_subscribe (client, channels[i], FALSE);
      JsonArray *joined = json_object_get_array_member (snapshot, "joined");

      g_assert_true (g_str_has_prefix (channels[i], "demo/sensors/"));
      g_assert_cmpuint (json_array_get_length (joined), ==, 1);
      g_assert_cmpstr (channels[i] + strlen ("demo/sensors/"), ==,
                       json_object_get_string_member (json_array_get_object_element (joined, 0), "peerId"));
    }

  metered_dev_server_set_demo (server, FALSE);
  g_assert_null (metered_dev_server_dup_demo_channels (server));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/requests/subscribe", test_subscribe);
  g_test_add_func ("/devserver/requests/ping", test_ping);
  g_test_add_func ("/devserver/requests/errors", test_errors);
  g_test_add_func ("/devserver/requests/jwt-scope", test_jwt_scope);
  g_test_add_func ("/devserver/requests/fan-out", test_fan_out);
  g_test_add_func ("/devserver/requests/idempotent-subscribe", test_idempotent_subscribe);
  g_test_add_func ("/devserver/requests/unsubscribe", test_unsubscribe);
  g_test_add_func ("/devserver/requests/direct", test_direct);
  g_test_add_func ("/devserver/requests/too-big-1009", test_too_big_1009);
  g_test_add_func ("/devserver/requests/binary-1008", test_binary_1008);
  g_test_add_func ("/devserver/requests/rate-4011", test_rate_4011);
  g_test_add_func ("/devserver/requests/message-quota", test_message_quota);
  g_test_add_func ("/devserver/requests/stop", test_stop);
  g_test_add_func ("/devserver/requests/stop-idle", test_stop_idle);
  g_test_add_func ("/devserver/requests/demo", test_demo);
  g_test_add_func ("/devserver/requests/demo-channels", test_demo_channels);

  return g_test_run ();
}
