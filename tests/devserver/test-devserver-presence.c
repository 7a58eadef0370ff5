/* test-devserver-presence.c: snapshots, joins, leaves, several connections
 * of one peer id
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "devserver-test-util.h"

static char *
jwt_query (const char *sub,
           const char *peer_metadata_json)
{
  g_autofree char *claims = NULL;
  g_autofree char *token = NULL;

  if (peer_metadata_json != NULL)
    claims = g_strdup_printf ("{\"sub\":\"%s\",\"peerMetadata\":%s}", sub, peer_metadata_json);
  else
    claims = g_strdup_printf ("{\"sub\":\"%s\"}", sub);

  token = test_make_token ("sk_id_dev", "sk_secret_dev", claims);
  return test_token_query (token);
}

/* Asserts a presence frame for @channel with exactly one entry in @list
 * ("joined" or "left") and none in the other; returns the entry. */
static JsonObject *
expect_delta (TestClient *client,
              const char *channel,
              const char *list,
              const char *peer_id)
{
  g_autoptr(JsonObject) presence = test_client_expect (client, "presence");
  const char *other = g_str_equal (list, "joined") ? "left" : "joined";
  JsonArray *entries = json_object_get_array_member (presence, list);
  JsonObject *entry;

  g_assert_cmpstr (json_object_get_string_member (presence, "channel"), ==, channel);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (presence, other)), ==, 0);
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  entry = json_array_get_object_element (entries, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "peerId"), ==, peer_id);

  return json_object_ref (entry);
}

static gboolean
snapshot_has (JsonObject *snapshot,
              const char *peer_id)
{
  JsonArray *joined = json_object_get_array_member (snapshot, "joined");

  for (guint i = 0; i < json_array_get_length (joined); i++)
    {
      if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (joined, i), "peerId"), peer_id) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
test_snapshot_and_deltas (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *alice_query = jwt_query ("alice", "{\"name\":\"Alice\"}");
  g_autoptr(TestClient) alice = test_client_connect (server, alice_query);
  g_autoptr(TestClient) anon = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) third = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) entry = NULL;
  g_autofree char *anon_id = NULL;
  JsonObject *first;

  snapshot = test_client_subscribe (alice, "room", FALSE);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "joined")), ==, 0);
  g_clear_pointer (&snapshot, json_object_unref);

  /* The newcomer's snapshot lists the others with their metadata... */
  snapshot = test_client_subscribe (anon, "room", FALSE);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "joined")), ==, 1);
  first = json_array_get_object_element (json_object_get_array_member (snapshot, "joined"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "peerId"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (first, "metadata"), "name"), ==, "Alice");
  g_assert_false (snapshot_has (snapshot, anon->peer_id));
  g_clear_pointer (&snapshot, json_object_unref);

  /* ...and the others hear of the newcomer, without metadata for pk peers. */
  entry = expect_delta (alice, "room", "joined", anon->peer_id);
  g_assert_false (json_object_has_member (entry, "metadata"));
  g_clear_pointer (&entry, json_object_unref);

  snapshot = test_client_subscribe (third, "room", FALSE);
  g_assert_true (snapshot_has (snapshot, "alice"));
  g_assert_true (snapshot_has (snapshot, anon->peer_id));
  g_clear_pointer (&snapshot, json_object_unref);
  json_object_unref (expect_delta (alice, "room", "joined", third->peer_id));
  entry = expect_delta (anon, "room", "joined", third->peer_id);
  g_clear_pointer (&entry, json_object_unref);

  /* Leaving by unsubscribe: `left` with the peer id only. */
  test_client_send (alice, "{\"type\":\"unsubscribe\",\"channel\":\"room\",\"requestId\":\"u\"}");
  json_object_unref (test_client_expect (alice, "ack"));
  entry = expect_delta (anon, "room", "left", "alice");
  g_assert_false (json_object_has_member (entry, "metadata"));
  g_clear_pointer (&entry, json_object_unref);
  json_object_unref (expect_delta (third, "room", "left", "alice"));

  /* Leaving by disconnecting. */
  anon_id = g_strdup (anon->peer_id);
  g_clear_pointer (&anon, test_client_free);
  json_object_unref (expect_delta (third, "room", "left", anon_id));

  /* Channels are independent. */
  test_client_expect_nothing (alice, 50);
}

static void
test_same_peer_twice (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *carol_query = jwt_query ("carol", "{\"n\":1}");
  g_autoptr(TestClient) watcher = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) carol1 = test_client_connect (server, carol_query);
  g_autoptr(TestClient) carol2 = test_client_connect (server, carol_query);
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autofree char *body = NULL;

  json_object_unref (test_client_subscribe (watcher, "room", FALSE));
  json_object_unref (test_client_subscribe (carol1, "room", FALSE));
  json_object_unref (expect_delta (watcher, "room", "joined", "carol"));

  /* The second connection adds no presence: carol is there already, and
   * its own snapshot does not list carol. */
  snapshot = test_client_subscribe (carol2, "room", FALSE);
  g_assert_false (snapshot_has (snapshot, "carol"));
  g_assert_true (snapshot_has (snapshot, watcher->peer_id));
  test_client_expect_nothing (watcher, 100);
  test_client_expect_nothing (carol1, 0);

  g_assert_cmpuint (test_http (server, "GET", "/v1/channels/room/peers", "Bearer sk_id_dev:sk_secret_dev", NULL, &body), ==, 200);
  g_assert_nonnull (strstr (body, "\"carol\""));
  g_assert_null (strstr (strstr (body, "\"carol\"") + 1, "\"carol\""));

  /* Fan-out is per connection: carol's other connection gets the message. */
  test_client_send (carol1, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}");
  json_object_unref (test_client_expect (carol1, "ack"));
  message = test_client_expect (carol2, "message");
  g_assert_cmpstr (json_object_get_string_member (message, "from"), ==, "carol");
  json_object_unref (test_client_expect (watcher, "message"));

  /* carol leaves when her last connection does. */
  g_clear_pointer (&carol1, test_client_free);
  test_client_expect_nothing (watcher, 100);
  g_clear_pointer (&carol2, test_client_free);
  json_object_unref (expect_delta (watcher, "room", "left", "carol"));
}

static void
test_snapshot_always_sent (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) snapshot = test_client_subscribe (client, "empty", FALSE);

      g_assert_cmpuint (json_object_get_size (snapshot), ==, 4);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "joined")), ==, 0);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "left")), ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/presence/snapshot-and-deltas", test_snapshot_and_deltas);
  g_test_add_func ("/devserver/presence/same-peer-twice", test_same_peer_twice);
  g_test_add_func ("/devserver/presence/snapshot-always-sent", test_snapshot_always_sent);

  return g_test_run ();
}
