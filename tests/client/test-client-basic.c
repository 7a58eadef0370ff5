/* test-client-basic.c: construction, requests, errors, close, event objects
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-client"

#include <math.h>
#include <string.h>

#include "client-test-util.h"

/* A token provider answering every request with a fixed token. */
static void
fixed_token_provider (MeteredClient       *client,
                      MeteredTokenRequest *request,
                      gpointer             user_data)
{
  metered_token_request_return_token (request, user_data);
}

static MeteredClient *
new_token_client (MeteredDevServer *server,
                  const char       *token)
{
  return test_client_new_with_provider (server, fixed_token_provider, (gpointer) token, NULL);
}

/* Construction. */

static void
test_construct_credentials (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MeteredClient) both = NULL;
  MeteredClient *client;

  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error, "url", "ws://127.0.0.1:1", NULL);
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_null (client);
  g_clear_error (&error);

  client = metered_client_new ("", NULL, &error);
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_null (client);
  g_clear_error (&error);

  both = g_object_new (METERED_TYPE_CLIENT, "api-key", TEST_API_KEY, NULL);
  metered_client_set_token_provider (both, fixed_token_provider, (gpointer) "x", NULL);
  g_assert_false (g_initable_init (G_INITABLE (both), NULL, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_null (strstr (error->message, TEST_API_KEY));
}

static void
test_construct_url (void)
{
  const char * const bad[] = {
    "http://127.0.0.1:1", "ws://example.com", "wss://example.com/path",
    "wss://example.com?key=x", "wss://user@example.com", "not a url",
  };
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      MeteredClient *rejected = metered_client_new (TEST_API_KEY, bad[i], &error);

      g_assert_null (rejected);
      g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_URL);
      g_clear_error (&error);
    }

  client = metered_client_new (TEST_API_KEY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (metered_client_get_url (client), ==, "wss://rms.metered.ca");
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_IDLE);
  g_assert_cmpint (metered_client_get_max_message_size (client), ==, 65536);
  g_assert_null (metered_client_get_peer_id (client));
}

static void
test_construct_options (void)
{
  g_autoptr(MeteredReconnectOptions) bad_reconnect = metered_reconnect_options_new ();
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    const char *name;
    double      value;
  } bad[] = {
    { "token-provider-timeout", 0 },
    { "token-provider-timeout", INFINITY },
    { "welcome-timeout", 0 },
    { "ack-timeout", -1 },
    { "replay-retry-delay", INFINITY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      MeteredClient *rejected = g_initable_new (METERED_TYPE_CLIENT, NULL, &error,
                                                "api-key", TEST_API_KEY,
                                                bad[i].name, bad[i].value,
                                                NULL);

      g_assert_null (rejected);
      g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }

  bad_reconnect->multiplier = 0.5;
  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error,
                           "api-key", TEST_API_KEY, "reconnect-options", bad_reconnect, NULL);
  g_assert_null (client);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Disabling the watchdog is a valid choice, as is disabling reconnects. */
  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error,
                           "api-key", TEST_API_KEY,
                           "inactivity-timeout", -1.0,
                           "auto-reconnect", FALSE,
                           "auto-resubscribe", FALSE,
                           NULL);
  g_assert_no_error (error);
  g_assert_nonnull (client);
  g_clear_object (&client);

  /* A private certificate authority can be trusted. */
  {
    g_autoptr(GTlsDatabase) database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
    g_autoptr(GTlsDatabase) read_back = NULL;

    client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error,
                             "api-key", TEST_API_KEY, "tls-database", database, NULL);
    g_assert_no_error (error);
    g_object_get (client, "tls-database", &read_back, NULL);
    g_assert_true (read_back == database);
  }
}

/* Connecting. */

static void
test_connect_basic (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  MeteredConnectedEvent *event;
  gint64 expires_at = -1;

  test_connect_ok (client);

  g_assert_cmpuint (rec->states->len, ==, 2);
  g_assert_cmpint (g_array_index (rec->states, MeteredClientState, 0), ==, METERED_CLIENT_STATE_CONNECTING);
  g_assert_cmpint (g_array_index (rec->states, MeteredClientState, 1), ==, METERED_CLIENT_STATE_CONNECTED);

  g_assert_cmpuint (rec->connected->len, ==, 1);
  event = g_ptr_array_index (rec->connected, 0);
  g_assert_true (g_uuid_string_is_valid (metered_connected_event_get_peer_id (event)));
  g_assert_cmpstr (metered_connected_event_get_peer_id (event), ==, metered_client_get_peer_id (client));
  g_assert_false (metered_connected_event_get_is_reconnect (event));
  g_assert_false (metered_connected_event_get_expires_at (event, &expires_at));
  g_assert_cmpint (expires_at, ==, 0);
  g_assert_cmpint (metered_connected_event_get_max_message_size (event), ==, 65536);
  g_assert_null (metered_connected_event_get_ice_servers (event));
  g_assert_cmpint (ABS (metered_connected_event_get_server_time (event) - g_get_real_time () / G_USEC_PER_SEC), <=, 5);

  g_assert_cmpuint (rec->disconnected->len, ==, 0);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_connect_invalid_state (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(TestCall) first = test_call_new ();
  g_autoptr(TestCall) second = test_call_new ();
  g_autoptr(GError) error = NULL;

  metered_client_connect_async (client, NULL, test_call_cb, first);
  metered_client_connect_async (client, NULL, test_call_cb, second);
  metered_client_connect_finish (client, test_call_wait (second), &error);
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_true (metered_client_connect_finish (client, test_call_wait (first), &error));
  g_assert_no_error (error);

  g_assert_false (test_connect (client, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* A closed client may connect again, as a first connect. */
  g_assert_true (test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, &error));
  g_assert_no_error (error);
  test_connect_ok (client);
  g_assert_cmpuint (rec->connected->len, ==, 2);
  g_assert_false (metered_connected_event_get_is_reconnect (g_ptr_array_index (rec->connected, 1)));
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_connect_refused (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  const int codes[] = { METERED_CLOSE_CODE_INVALID_TOKEN, METERED_CLOSE_CODE_OVER_CONCURRENT_LIMIT,
                        METERED_CLOSE_CODE_OVER_MESSAGE_RATE };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(MeteredClient) client = test_client_new (server, NULL);
      g_autoptr(TestRecorder) rec = test_recorder_new (client);
      g_autoptr(GError) error = NULL;

      metered_dev_server_hook_reject_connections (server, codes[i]);
      g_assert_false (test_connect (client, &error));
      g_assert_error (error, METERED_CLOSE_ERROR, codes[i]);
      g_assert_cmpstr (metered_close_error_get_reason (error), ==, "connection refused");
      g_assert_null (strstr (error->message, TEST_API_KEY));
      g_test_message ("refused: %s", error->message);

      /* A failed first connect is its caller's business: no retries, no
       * disconnected event. */
      test_run_for (0.3);
      g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
      g_assert_cmpuint (rec->reconnects->len, ==, 0);
      g_assert_cmpuint (rec->disconnected->len, ==, 0);
      g_assert_cmpuint (rec->connected->len, ==, 0);
    }

  metered_dev_server_hook_reject_connections (server, 0);
}

static void
test_connect_no_server (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MeteredClient) client = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port nobody listens on: bind one, then close it. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  url = g_strdup_printf ("ws://127.0.0.1:%u", port);
  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error, "api-key", TEST_API_KEY, "url", url, NULL);
  g_assert_no_error (error);

  g_assert_false (test_connect (client, &error));
  g_assert_error (error, METERED_CLOSE_ERROR, METERED_CLOSE_CODE_ABNORMAL);
  /* No close frame: the reason says what failed locally. */
  g_assert_true (g_str_has_prefix (metered_close_error_get_reason (error), "the connection failed: "));
  g_assert_null (strstr (error->message, TEST_API_KEY));
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
}

/* Requests. */

/* The list-model properties hold the same peers as the array getters, and
 * are built once. */
static void
assert_same_items (GPtrArray  *array,
                   GListModel *model,
                   GType       item_type)
{
  g_assert_true (g_list_model_get_item_type (model) == item_type);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, array->len);
  for (guint i = 0; i < array->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_assert_true (item == g_ptr_array_index (array, i));
    }
}

static void
assert_peer_lists (MeteredPresenceEvent *presence)
{
  g_autoptr(GListModel) joined = NULL;
  g_autoptr(GListModel) left = NULL;

  g_object_get (presence, "joined", &joined, "left", &left, NULL);
  g_assert_true (joined == metered_presence_event_get_joined_model (presence));
  g_assert_true (left == metered_presence_event_get_left_model (presence));
  assert_same_items (metered_presence_event_get_joined (presence), joined, METERED_TYPE_PRESENCE_PEER);
  assert_same_items (metered_presence_event_get_left (presence), left, METERED_TYPE_PRESENCE_PEER);
}

static void
test_pubsub (void)
{
  const char * const room[] = { "room/**", NULL };
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *alice_token = test_mint_token ("alice", 600, room, "{\"name\":\"Alice\"}", NULL);
  g_autofree char *bob_token = test_mint_token ("bob", 600, room, "{\"name\":\"Bob\"}", NULL);
  g_autoptr(MeteredClient) alice = new_token_client (server, alice_token);
  g_autoptr(MeteredClient) bob = new_token_client (server, bob_token);
  g_autoptr(TestRecorder) alice_rec = test_recorder_new (alice);
  g_autoptr(TestRecorder) bob_rec = test_recorder_new (bob);
  g_autoptr(GError) error = NULL;
  MeteredPresenceEvent *presence;
  MeteredPresencePeer *peer;
  MeteredMessageEvent *message;
  g_auto(GStrv) subscriptions = NULL;
  JsonNode *data;

  test_connect_ok (alice);
  test_connect_ok (bob);
  g_assert_cmpstr (metered_client_get_peer_id (alice), ==, "alice");

  /* The snapshot of an empty channel is still sent. */
  g_assert_true (test_subscribe (bob, "room/1", METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA, &error));
  g_assert_no_error (error);
  test_wait_for (bob_rec->presences->len == 1, 5);
  presence = g_ptr_array_index (bob_rec->presences, 0);
  g_assert_cmpstr (metered_presence_event_get_channel (presence), ==, "room/1");
  g_assert_cmpuint (metered_presence_event_get_joined (presence)->len, ==, 0);
  g_assert_cmpuint (metered_presence_event_get_left (presence)->len, ==, 0);
  assert_peer_lists (presence);

  g_assert_true (test_subscribe (bob, "room/2", METERED_SUBSCRIBE_FLAGS_NONE, &error));
  g_assert_no_error (error);
  g_assert_true (test_subscribe (alice, "room/1", METERED_SUBSCRIBE_FLAGS_NONE, &error));
  g_assert_no_error (error);

  /* Bob sees Alice join, with her metadata. */
  test_wait_for (bob_rec->presences->len == 3, 5);
  presence = g_ptr_array_index (bob_rec->presences, 2);
  g_assert_cmpuint (metered_presence_event_get_joined (presence)->len, ==, 1);
  peer = g_ptr_array_index (metered_presence_event_get_joined (presence), 0);
  g_assert_cmpstr (metered_presence_peer_get_peer_id (peer), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (metered_presence_peer_get_metadata (peer), "name"), ==, "Alice");
  assert_peer_lists (presence);

  /* Alice's snapshot lists Bob. */
  test_wait_for (alice_rec->presences->len == 1, 5);
  presence = g_ptr_array_index (alice_rec->presences, 0);
  g_assert_cmpuint (metered_presence_event_get_joined (presence)->len, ==, 1);

  g_assert_true (test_publish (alice, "room/1", "{\"n\": 1, \"s\": \"h\\u00e9\"}", &error));
  g_assert_no_error (error);
  g_assert_true (test_publish (alice, "room/2", "[1,2,3]", &error));
  g_assert_no_error (error);
  test_wait_for (bob_rec->messages->len == 2, 5);

  message = g_ptr_array_index (bob_rec->messages, 0);
  g_assert_cmpstr (metered_message_event_get_channel (message), ==, "room/1");
  g_assert_cmpstr (metered_message_event_get_sender_peer_id (message), ==, "alice");
  g_assert_cmpstr (metered_message_event_get_data_text (message), ==, "{\"n\":1,\"s\":\"hé\"}");
  data = metered_message_event_get_data (message);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (data));
  g_assert_true (json_node_is_immutable (data));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (data), "n"), ==, 1);
  g_assert_true (metered_message_event_get_data (message) == data);
  g_assert_cmpstr (json_object_get_string_member (metered_message_event_get_sender_metadata (message), "name"),
                   ==, "Alice");

  /* Without the flag, no sender metadata. */
  message = g_ptr_array_index (bob_rec->messages, 1);
  g_assert_cmpstr (metered_message_event_get_channel (message), ==, "room/2");
  g_assert_cmpstr (metered_message_event_get_data_text (message), ==, "[1,2,3]");
  g_assert_null (metered_message_event_get_sender_metadata (message));

  /* The publisher does not get its own message. */
  test_run_for (0.1);
  g_assert_cmpuint (alice_rec->messages->len, ==, 0);

  /* Unsubscribing forgets the channel and tells the others. */
  subscriptions = metered_client_dup_subscriptions (alice);
  g_assert_cmpstrv (subscriptions, ((const char * const[]) { "room/1", NULL }));
  g_assert_true (test_unsubscribe (alice, "room/1", &error));
  g_assert_no_error (error);
  g_clear_pointer (&subscriptions, g_strfreev);
  subscriptions = metered_client_dup_subscriptions (alice);
  g_assert_cmpstrv (subscriptions, ((const char * const[]) { NULL }));
  test_wait_for (bob_rec->presences->len == 4, 5);
  presence = g_ptr_array_index (bob_rec->presences, 3);
  g_assert_cmpuint (metered_presence_event_get_left (presence)->len, ==, 1);
  assert_peer_lists (presence);

  /* Every request carried a fresh UUID v4 request id. */
  for (guint i = 0; i < alice_rec->frames_out->len; i++)
    {
      g_autoptr(JsonNode) frame = json_from_string (g_ptr_array_index (alice_rec->frames_out, i), NULL);
      JsonObject *object = json_node_get_object (frame);

      if (json_object_has_member (object, "requestId"))
        g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (object, "requestId")));
    }

  test_close (alice, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  test_close (bob, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_direct (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *alice_token = test_mint_token ("alice", 600, NULL, "{\"name\":\"Alice\"}", NULL);
  g_autofree char *bob_token = test_mint_token ("bob", 600, NULL, NULL, NULL);
  g_autoptr(MeteredClient) alice = new_token_client (server, alice_token);
  g_autoptr(MeteredClient) bob = new_token_client (server, bob_token);
  g_autoptr(TestRecorder) bob_rec = test_recorder_new (bob);
  g_autoptr(JsonNode) null_node = json_node_new (JSON_NODE_NULL);
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(GError) error = NULL;
  MeteredDirectEvent *direct;

  test_connect_ok (alice);
  test_connect_ok (bob);

  g_assert_true (test_send (alice, "bob", "{\"sdp\":\"x\"}", &error));
  g_assert_no_error (error);

  /* A JSON null is a payload like any other. */
  metered_client_send_async (alice, "bob", null_node, NULL, test_call_cb, call);
  g_assert_true (metered_client_send_finish (alice, test_call_wait (call), &error));
  g_assert_no_error (error);

  test_wait_for (bob_rec->directs->len == 2, 5);
  direct = g_ptr_array_index (bob_rec->directs, 0);
  g_assert_cmpstr (metered_direct_event_get_sender_peer_id (direct), ==, "alice");
  g_assert_cmpstr (metered_direct_event_get_data_text (direct), ==, "{\"sdp\":\"x\"}");
  g_assert_cmpstr (json_object_get_string_member (metered_direct_event_get_sender_metadata (direct), "name"),
                   ==, "Alice");
  direct = g_ptr_array_index (bob_rec->directs, 1);
  g_assert_cmpstr (metered_direct_event_get_data_text (direct), ==, "null");
  g_assert_true (JSON_NODE_HOLDS_NULL (metered_direct_event_get_data (direct)));

  /* The server's code is preserved. */
  g_assert_false (test_send (alice, "nobody", "{}", &error));
  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_PEER_NOT_FOUND);
  g_assert_cmpstr (metered_server_error_get_code (error), ==, "peer_not_found");
  g_assert_cmpint (metered_client_get_state (alice), ==, METERED_CLIENT_STATE_CONNECTED);

  test_close (alice, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  test_close (bob, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* The payload text is what the server sent, not the node written again;
 * only whitespace between tokens goes. */
static void
test_payload_text (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autofree char *property = NULL;
  MeteredMessageEvent *message;
  MeteredDirectEvent *direct;
  JsonObject *object;
  const char *peer;

  test_connect_ok (client);
  peer = metered_client_get_peer_id (client);

  metered_dev_server_hook_send_raw (server, peer,
                                    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\","
                                    "\"data\":{\"s\":\"caf\\u00e9 é \\/\u2028\",\"n\":2.50,\"e\":1E2}}");
  metered_dev_server_hook_send_raw (server, peer,
                                    "{\"type\":\"direct\", \"from\": \"p\",\n \"data\" : [ \"a  b\" ,\t{ } ] }");
  test_wait_for (rec->messages->len == 1 && rec->directs->len == 1, 5);

  message = g_ptr_array_index (rec->messages, 0);
  g_assert_cmpstr (metered_message_event_get_data_text (message), ==,
                   "{\"s\":\"caf\\u00e9 é \\/\u2028\",\"n\":2.50,\"e\":1E2}");
  g_object_get (message, "data-text", &property, NULL);
  g_assert_cmpstr (property, ==, metered_message_event_get_data_text (message));
  object = json_node_get_object (metered_message_event_get_data (message));
  g_assert_cmpstr (json_object_get_string_member (object, "s"), ==, "café é /\u2028");
  g_assert_cmpfloat (json_object_get_double_member (object, "n"), ==, 2.5);
  g_assert_cmpfloat (json_object_get_double_member (object, "e"), ==, 100.0);

  direct = g_ptr_array_index (rec->directs, 0);
  g_assert_cmpstr (metered_direct_event_get_data_text (direct), ==, "[\"a  b\",{}]");
  g_clear_pointer (&property, g_free);
  g_object_get (direct, "data-text", &property, NULL);
  g_assert_cmpstr (property, ==, "[\"a  b\",{}]");
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (metered_direct_event_get_data (direct)), 0),
                   ==, "a  b");

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_errors_server_code (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) subscriptions = NULL;

  test_connect_ok (client);

  g_assert_false (test_subscribe (client, "_metered/secret", 0, &error));
  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_CHANNEL_RESERVED);
  g_clear_error (&error);

  g_assert_false (test_publish (client, "_system/x", "1", &error));
  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_CHANNEL_RESERVED);

  /* The failed subscribe stays tracked: the frame did leave. */
  subscriptions = metered_client_dup_subscriptions (client);
  g_assert_true (g_strv_contains ((const char * const *) subscriptions, "_metered/secret"));

  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_errors_invalid_arguments (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;
  g_autofree char *long_channel = g_strnfill (257, 'c');
  g_auto(GStrv) subscriptions = NULL;
  guint frames_before;

  test_connect_ok (client);
  frames_before = rec->frames_out->len;

  g_assert_false (test_subscribe (client, "", 0, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_subscribe (client, long_channel, 0, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_subscribe (client, "bad\nchannel", 0, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_unsubscribe (client, "bad\x7f", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_publish (client, "\x01", "1", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_send (client, "bad peer \x01", "1", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Payload text must be strict JSON. */
  g_assert_false (test_publish (client, "ok", "{bad", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_publish (client, "ok", "", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_send (client, "peer", "1 2", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_publish (client, "ok", "/* comment */ 1", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Nothing left, nothing tracked. */
  g_assert_cmpuint (rec->frames_out->len, ==, frames_before);
  subscriptions = metered_client_dup_subscriptions (client);
  g_assert_cmpuint (g_strv_length (subscriptions), ==, 0);

  /* The payload text is sent compact. */
  g_assert_true (test_publish (client, "ok", " { \"a\" : [ 1 , true ] } ", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_recorder_count_out (rec, "\"data\":{\"a\":[1,true]}"), ==, 1);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_errors_not_connected (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) subscriptions = NULL;

  g_assert_false (test_subscribe (client, "room", 0, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED);
  g_clear_error (&error);
  g_assert_false (test_publish (client, "room", "1", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED);
  g_clear_error (&error);
  g_assert_false (test_send (client, "peer", "1", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED);
  g_clear_error (&error);
  g_assert_false (test_unsubscribe (client, "room", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  /* A subscribe that never left is not tracked. */
  subscriptions = metered_client_dup_subscriptions (client);
  g_assert_cmpuint (g_strv_length (subscriptions), ==, 0);

  test_connect_ok (client);
  g_assert_true (test_subscribe (client, "room", 0, &error));
  g_assert_no_error (error);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);

  /* After close, the tracked channel stays; a failed re-subscribe keeps it. */
  g_assert_false (test_subscribe (client, "room", 0, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED);
  g_clear_pointer (&subscriptions, g_strfreev);
  subscriptions = metered_client_dup_subscriptions (client);
  g_assert_cmpstrv (subscriptions, ((const char * const[]) { "room", NULL }));
}

static char *
payload_of_size (gsize size)
{
  /* A JSON string: two quotes around the filler. */
  g_autofree char *filler = g_strnfill (size - 2, 'x');

  return g_strdup_printf ("\"%s\"", filler);
}

static void
test_errors_oversized (void)
{
  g_autoptr(MeteredDevConfig) config = metered_dev_config_new_default ();
  g_autoptr(MeteredDevServer) server = NULL;
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(TestRecorder) rec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = payload_of_size (65537);
  g_autofree char *small = payload_of_size (900);
  g_autofree char *over = payload_of_size (1001);

  /* Before any welcome, the cap is 65536. */
  metered_dev_config_get_limits (config)->max_message_size = 1000;
  server = test_server_new (config);
  client = test_client_new (server, NULL);
  rec = test_recorder_new (client);

  g_assert_false (test_publish (client, "room", big, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD);
  g_assert_nonnull (strstr (error->message, "65537"));
  g_assert_nonnull (strstr (error->message, "65536"));
  g_clear_error (&error);

  /* After it, the welcome's cap applies, and the link stays up. */
  test_connect_ok (client);
  g_assert_cmpint (metered_client_get_max_message_size (client), ==, 1000);
  g_assert_false (test_publish (client, "room", over, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD);
  g_assert_nonnull (strstr (error->message, "1001"));
  g_assert_nonnull (strstr (error->message, "1000"));
  g_clear_error (&error);
  g_assert_false (test_send (client, "peer", over, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD);
  g_clear_error (&error);

  g_assert_true (test_publish (client, "room", small, &error));
  g_assert_no_error (error);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  g_assert_cmpuint (rec->disconnected->len, ==, 0);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_errors_ack_timeout (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "ack-timeout", 0.3, NULL);
  g_autoptr(GError) error = NULL;
  gint64 start;

  test_connect_ok (client);
  g_assert_cmpuint (metered_dev_server_hook_set_ack_mode (server, metered_client_get_peer_id (client),
                                                          METERED_DEV_ACKS_SWALLOW, 0), ==, 1);

  start = g_get_monotonic_time ();
  g_assert_false (test_publish (client, "room", "1", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_ACK_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);

  /* The connection stays. */
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  metered_dev_server_hook_set_ack_mode (server, NULL, METERED_DEV_ACKS_NORMAL, 0);
  g_clear_error (&error);
  g_assert_true (test_publish (client, "room", "1", &error));
  g_assert_no_error (error);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_errors_late_answer (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "ack-timeout", 0.2, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;
  MeteredServerErrorEvent *event;

  test_connect_ok (client);
  metered_dev_server_hook_set_ack_mode (server, NULL, METERED_DEV_ACKS_DELAY, 500);

  /* The error arrives after the request gave up: it is a server-error
   * event, and a late ack is ignored. */
  g_assert_false (test_subscribe (client, "_metered/x", 0, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_ACK_TIMEOUT);
  g_clear_error (&error);
  g_assert_false (test_publish (client, "room", "1", &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_ACK_TIMEOUT);

  test_wait_for (rec->server_errors->len == 1, 5);
  event = g_ptr_array_index (rec->server_errors, 0);
  g_assert_cmpstr (metered_server_error_event_get_code (event), ==, "channel_reserved");
  g_assert_cmpint (metered_server_error_event_get_error_code (event), ==, METERED_SERVER_ERROR_CHANNEL_RESERVED);
  g_assert_true (g_uuid_string_is_valid (metered_server_error_event_get_request_id (event)));
  test_run_for (0.5);
  g_assert_cmpuint (rec->server_errors->len, ==, 1);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_errors_unsolicited (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  MeteredServerErrorEvent *event;
  const char *peer;

  test_connect_ok (client);
  peer = metered_client_get_peer_id (client);

  /* Exactly the reply of a server without keepalive support is ignored. */
  metered_dev_server_hook_send_raw (server, peer, "{\"type\":\"error\",\"code\":\"unknown_type\"}");
  metered_dev_server_hook_send_raw (server, peer,
                                    "{\"type\":\"error\",\"code\":\"over_message_quota\",\"message\":\"quota\"}");
  metered_dev_server_hook_send_raw (server, peer,
                                    "{\"type\":\"error\",\"code\":\"unknown_type\",\"requestId\":\"r-1\"}");
  metered_dev_server_hook_send_raw (server, peer, "{\"type\":\"error\",\"code\":\"brand_new_code\"}");
  test_wait_for (rec->server_errors->len == 3, 5);

  event = g_ptr_array_index (rec->server_errors, 0);
  g_assert_cmpstr (metered_server_error_event_get_code (event), ==, "over_message_quota");
  g_assert_cmpint (metered_server_error_event_get_error_code (event), ==, METERED_SERVER_ERROR_OVER_MESSAGE_QUOTA);
  g_assert_cmpstr (metered_server_error_event_get_message (event), ==, "quota");
  g_assert_null (metered_server_error_event_get_request_id (event));

  event = g_ptr_array_index (rec->server_errors, 1);
  g_assert_cmpstr (metered_server_error_event_get_code (event), ==, "unknown_type");
  g_assert_cmpstr (metered_server_error_event_get_request_id (event), ==, "r-1");

  event = g_ptr_array_index (rec->server_errors, 2);
  g_assert_cmpstr (metered_server_error_event_get_code (event), ==, "brand_new_code");
  g_assert_cmpint (metered_server_error_event_get_error_code (event), ==, METERED_SERVER_ERROR_UNKNOWN);

  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_cancel (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(TestCall) connect_call = test_call_new ();
  g_autoptr(GError) error = NULL;

  /* Cancelling a connect closes the client. */
  metered_client_connect_async (client, cancellable, test_call_cb, connect_call);
  g_cancellable_cancel (cancellable);
  g_assert_false (metered_client_connect_finish (client, test_call_wait (connect_call), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);

  /* Cancelling a request stops waiting for its answer. */
  test_connect_ok (client);
  metered_dev_server_hook_set_ack_mode (server, NULL, METERED_DEV_ACKS_SWALLOW, 0);
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  metered_client_publish_text_async (client, "room", "1", cancellable, test_call_cb, call);
  test_run_for (0.05);
  g_assert_null (call->result);
  g_cancellable_cancel (cancellable);
  g_assert_false (metered_client_publish_text_finish (client, test_call_wait (call), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* Closing. */

static void
test_close_basic (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(TestCall) pending_call = test_call_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *long_reason = g_strnfill (300, 'r');
  MeteredDisconnectedEvent *event;

  /* Closing an idle client is a no-op. */
  g_assert_true (test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec->states->len, ==, 0);

  test_connect_ok (client);

  /* Invalid codes are refused and leave the client as it was. */
  g_assert_false (test_close (client, METERED_CLOSE_CODE_ABNORMAL, NULL, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (test_close (client, 2999, NULL, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);

  /* A request in flight fails when the client closes. */
  metered_dev_server_hook_set_ack_mode (server, NULL, METERED_DEV_ACKS_SWALLOW, 0);
  metered_client_publish_text_async (client, "room", "1", NULL, test_call_cb, pending_call);

  g_assert_true (test_close (client, 4321, long_reason, &error));
  g_assert_no_error (error);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);

  g_assert_false (metered_client_publish_text_finish (client, test_call_wait (pending_call), &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED);
  g_clear_error (&error);

  g_assert_cmpuint (rec->disconnected->len, ==, 1);
  event = g_ptr_array_index (rec->disconnected, 0);
  g_assert_cmpint (metered_disconnected_event_get_code (event), ==, 4321);
  g_assert_cmpuint (strlen (metered_disconnected_event_get_reason (event)), ==, 123);
  g_assert_false (metered_disconnected_event_get_will_reconnect (event));

  /* Idempotent. */
  g_assert_true (test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec->disconnected->len, ==, 1);

  /* The server saw the connection go. */
  test_wait_for (metered_dev_server_get_n_connections (server) == 0, 5);
  test_run_for (0.2);
  g_assert_cmpuint (rec->reconnects->len, ==, 0);
}

static void
test_close_during_connect (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(TestCall) connect_call = test_call_new ();
  g_autoptr(GError) error = NULL;

  metered_client_connect_async (client, NULL, test_call_cb, connect_call);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTING);
  g_assert_true (test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (metered_client_connect_finish (client, test_call_wait (connect_call), &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);

  /* No socket survives the close. */
  test_run_for (0.3);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 0);
  g_assert_cmpuint (rec->connected->len, ==, 0);
  g_assert_cmpuint (rec->disconnected->len, ==, 0);
}

/* Dropping the last reference of a connected client closes its socket. */
static void
test_finalize_connected (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  MeteredClient *client = test_client_new (server, NULL);
  g_autoptr(GError) error = NULL;
  GWeakRef weak;

  test_connect_ok (client);
  g_assert_true (test_subscribe (client, "room", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 1);

  g_weak_ref_init (&weak, client);
  g_object_unref (client);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);

  test_wait_for (metered_dev_server_get_n_connections (server) == 0, 5);
}

/* Handlers may do anything to the client, closing it included. */

static void
close_on_message (MeteredClient       *client,
                  MeteredMessageEvent *event,
                  gpointer             data)
{
  guint *n = data;

  (*n)++;
  metered_client_close_async (client, METERED_CLOSE_CODE_NORMAL, "handler closed", NULL, NULL, NULL);
}

static void
count_message (MeteredClient       *client,
               MeteredMessageEvent *event,
               gpointer             data)
{
  guint *n = data;

  (*n)++;
}

static void
reconnect_on_closed (MeteredClient      *client,
                     MeteredClientState  from,
                     MeteredClientState  to,
                     gpointer            data)
{
  gboolean *done = data;

  if (to == METERED_CLIENT_STATE_CLOSED && !*done)
    {
      *done = TRUE;
      metered_client_connect_async (client, NULL, NULL, NULL);
    }
}

static void
test_handler_reentrancy (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(MeteredClient) publisher = test_client_new (server, NULL);
  g_autoptr(GError) error = NULL;
  gboolean reconnected = FALSE;
  guint first = 0;
  guint second = 0;

  test_connect_ok (client);
  test_connect_ok (publisher);
  g_assert_true (test_subscribe (client, "room", 0, &error));
  g_assert_no_error (error);

  g_signal_connect (client, "message", G_CALLBACK (close_on_message), &first);
  g_signal_connect (client, "message", G_CALLBACK (count_message), &second);
  g_signal_connect (client, "state-changed", G_CALLBACK (reconnect_on_closed), &reconnected);

  g_assert_true (test_publish (publisher, "room", "1", &error));
  g_assert_no_error (error);
  g_assert_true (test_publish (publisher, "room", "2", &error));
  g_assert_no_error (error);

  /* The first handler closed the client; the second still ran, once; the
   * state handler connected it again. */
  test_wait_for (reconnected && metered_client_get_state (client) == METERED_CLIENT_STATE_CONNECTED, 5);
  g_assert_cmpuint (first, ==, 1);
  g_assert_cmpuint (second, ==, 1);

  g_signal_handlers_disconnect_by_data (client, &reconnected);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  test_close (publisher, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* Event streams. */

static void
test_stream_bounded (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(MeteredClient) publisher = test_client_new (server, NULL);
  g_autoptr(MeteredEventStream) messages = NULL;
  g_autoptr(MeteredEventStream) all = NULL;
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) event = NULL;
  TestRecorder *rec;

  messages = metered_client_create_event_stream (client, METERED_TYPE_MESSAGE_EVENT, 3);
  all = metered_client_create_event_stream (client, G_TYPE_OBJECT, METERED_EVENT_STREAM_DEFAULT_MAX_SIZE);
  g_assert_cmpuint (metered_event_stream_get_max_size (messages), ==, 3);
  g_assert_true (metered_event_stream_get_event_type (messages) == METERED_TYPE_MESSAGE_EVENT);

  test_connect_ok (client);
  test_connect_ok (publisher);
  g_assert_true (test_subscribe (client, "room", 0, &error));
  g_assert_no_error (error);

  rec = test_recorder_new (client);
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *json = g_strdup_printf ("%u", i);

      g_assert_true (test_publish (publisher, "room", json, &error));
      g_assert_no_error (error);
    }
  test_wait_for (rec->messages->len == 5, 5);
  test_recorder_free (rec);

  /* Full: the oldest went. */
  g_assert_cmpuint (metered_event_stream_get_n_pending (messages), ==, 3);
  g_assert_cmpuint (metered_event_stream_get_n_dropped (messages), ==, 2);
  metered_event_stream_next_async (messages, NULL, test_call_cb, call);
  event = metered_event_stream_next_finish (messages, test_call_wait (call), &error);
  g_assert_no_error (error);
  g_assert_true (METERED_IS_MESSAGE_EVENT (event));
  g_assert_cmpstr (metered_message_event_get_data_text (METERED_MESSAGE_EVENT (event)), ==, "3");
  g_clear_object (&event);
  event = metered_event_stream_try_next (messages);
  g_assert_cmpstr (metered_message_event_get_data_text (METERED_MESSAGE_EVENT (event)), ==, "4");
  g_clear_object (&event);
  event = metered_event_stream_try_next (messages);
  g_assert_cmpstr (metered_message_event_get_data_text (METERED_MESSAGE_EVENT (event)), ==, "5");
  g_clear_object (&event);
  g_assert_null (metered_event_stream_try_next (messages));

  /* The every-event stream saw the state changes and the welcome first. */
  event = metered_event_stream_try_next (all);
  g_assert_true (METERED_IS_STATE_CHANGED_EVENT (event));
  g_assert_cmpint (metered_state_changed_event_get_from (METERED_STATE_CHANGED_EVENT (event)), ==,
                   METERED_CLIENT_STATE_IDLE);
  g_assert_cmpint (metered_state_changed_event_get_to (METERED_STATE_CHANGED_EVENT (event)), ==,
                   METERED_CLIENT_STATE_CONNECTING);
  g_clear_object (&event);
  event = metered_event_stream_try_next (all);
  g_assert_true (METERED_IS_STATE_CHANGED_EVENT (event));
  g_clear_object (&event);
  event = metered_event_stream_try_next (all);
  g_assert_true (METERED_IS_CONNECTED_EVENT (event));
  g_clear_object (&event);
  event = metered_event_stream_try_next (all);
  g_assert_true (METERED_IS_PRESENCE_EVENT (event));
  g_clear_object (&event);
  g_assert_cmpuint (metered_event_stream_get_n_pending (all), ==, 5);
  g_assert_cmpuint (metered_event_stream_get_n_dropped (all), ==, 0);

  /* A wait is served by the next event. */
  test_call_free (call);
  call = test_call_new ();
  metered_event_stream_next_async (messages, NULL, test_call_cb, call);
  test_run_for (0.05);
  g_assert_null (call->result);
  g_assert_true (test_publish (publisher, "room", "6", &error));
  g_assert_no_error (error);
  event = metered_event_stream_next_finish (messages, test_call_wait (call), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (metered_message_event_get_data_text (METERED_MESSAGE_EVENT (event)), ==, "6");
  g_clear_object (&event);

  /* Closing ends the stream: a pending wait gets NULL. */
  test_call_free (call);
  call = test_call_new ();
  metered_event_stream_next_async (messages, NULL, test_call_cb, call);
  metered_event_stream_close (messages);
  g_assert_true (metered_event_stream_is_closed (messages));
  event = metered_event_stream_next_finish (messages, test_call_wait (call), &error);
  g_assert_no_error (error);
  g_assert_null (event);

  g_assert_true (test_publish (publisher, "room", "7", &error));
  g_assert_no_error (error);
  test_run_for (0.1);
  g_assert_cmpuint (metered_event_stream_get_n_pending (messages), ==, 0);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  test_close (publisher, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_stream_lifetime (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  MeteredClient *client = test_client_new (server, NULL);
  g_autoptr(MeteredEventStream) stream = metered_client_create_event_stream (client, G_TYPE_OBJECT, 0);
  g_autoptr(MeteredEventStream) dropped = metered_client_create_event_stream (client, G_TYPE_OBJECT, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(TestCall) cancelled_call = test_call_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) event = NULL;

  /* A stream the application drops is simply forgotten. */
  g_clear_object (&dropped);

  /* A cancelled wait loses no event. */
  metered_event_stream_next_async (stream, cancellable, test_call_cb, cancelled_call);
  g_cancellable_cancel (cancellable);
  g_assert_null (metered_event_stream_next_finish (stream, test_call_wait (cancelled_call), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  test_connect_ok (client);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  g_assert_cmpuint (metered_event_stream_get_n_pending (stream), >=, 4);
  g_assert_false (metered_event_stream_is_closed (stream));

  /* Finalizing the client ends its streams, after the queued events. */
  g_object_unref (client);
  g_assert_true (metered_event_stream_is_closed (stream));
  while ((event = metered_event_stream_try_next (stream)) != NULL)
    g_clear_object (&event);
  metered_event_stream_next_async (stream, NULL, test_call_cb, call);
  g_assert_null (metered_event_stream_next_finish (stream, test_call_wait (call), &error));
  g_assert_no_error (error);
}

/* ICE servers and token details. */

static void
test_ice_servers_validation (void)
{
  struct {
    const char *metadata;
    int         n;       /* -1: rejected */
  } cases[] = {
    { "{}", -1 },
    { "{\"iceServers\": {}}", -1 },
    { "{\"iceServers\": []}", 0 },
    { "{\"iceServers\": [{\"urls\": \"stun:a.example:3478\"}]}", 1 },
    { "{\"iceServers\": [{\"urls\": [\"TURN:a\", \"turns:b\", \"stuns:c\"], \"username\": \"u\", \"credential\": \"c\"}]}", 1 },
    { "{\"iceServers\": [{\"urls\": []}]}", -1 },
    { "{\"iceServers\": [{\"urls\": \"javascript:alert(1)\"}]}", -1 },
    { "{\"iceServers\": [{\"urls\": \"stun:ok\"}, {\"urls\": \"http://x\"}]}", -1 },
    { "{\"iceServers\": [{\"urls\": [\"stun:ok\", 5]}]}", -1 },
    { "{\"iceServers\": [{\"urls\": \"stun:\"}]}", 1 },
    { "{\"iceServers\": [{\"urls\": \"\"}]}", -1 },
    { "{\"iceServers\": [\"stun:x\"]}", -1 },
    { "{\"iceServers\": [{\"urls\": \"stun:x\", \"username\": 5}]}", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (cases[i].metadata, NULL);
      g_autoptr(GPtrArray) servers = metered_ice_servers_from_metadata (json_node_get_object (node));

      if (cases[i].n < 0)
        g_assert_null (servers);
      else
        g_assert_cmpint (servers->len, ==, cases[i].n);
    }

  /* Lengths: 512 characters per URL, 1024 per username or credential, 16
   * entries. */
  {
    g_autofree char *url_ok = g_strnfill (512 - 5, 'a');
    g_autofree char *url_long = g_strnfill (513 - 5, 'a');
    g_autofree char *name_long = g_strnfill (1025, 'n');
    g_autofree char *ok = g_strdup_printf ("{\"iceServers\":[{\"urls\":\"stun:%s\",\"username\":\"%s\"}]}",
                                           url_ok, name_long + 1);
    g_autofree char *too_long = g_strdup_printf ("{\"iceServers\":[{\"urls\":\"stun:%s\"}]}", url_long);
    g_autofree char *long_name = g_strdup_printf ("{\"iceServers\":[{\"urls\":\"stun:x\",\"credential\":\"%s\"}]}",
                                                  name_long);
    g_autoptr(GString) many = g_string_new ("{\"iceServers\":[");
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GPtrArray) servers = NULL;
    MeteredIceServer *server;

    node = json_from_string (ok, NULL);
    servers = metered_ice_servers_from_metadata (json_node_get_object (node));
    g_assert_cmpuint (servers->len, ==, 1);
    server = g_ptr_array_index (servers, 0);
    g_assert_cmpuint (strlen (metered_ice_server_get_urls (server)[0]), ==, 512);
    g_assert_cmpuint (strlen (metered_ice_server_get_username (server)), ==, 1024);
    g_assert_null (metered_ice_server_get_credential (server));
    g_clear_pointer (&servers, g_ptr_array_unref);
    g_clear_pointer (&node, json_node_unref);

    node = json_from_string (too_long, NULL);
    g_assert_null (metered_ice_servers_from_metadata (json_node_get_object (node)));
    g_clear_pointer (&node, json_node_unref);

    node = json_from_string (long_name, NULL);
    g_assert_null (metered_ice_servers_from_metadata (json_node_get_object (node)));
    g_clear_pointer (&node, json_node_unref);

    for (guint i = 0; i < 17; i++)
      g_string_append_printf (many, "%s{\"urls\":\"stun:%u\"}", i > 0 ? "," : "", i);
    g_string_append (many, "]}");
    node = json_from_string (many->str, NULL);
    g_assert_null (metered_ice_servers_from_metadata (json_node_get_object (node)));
  }
}

static void
test_connected_details (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *token = test_mint_token ("carol", 600, NULL, NULL,
                                            "{\"iceServers\":[{\"urls\":[\"stun:stun.example:3478\"]},"
                                            "{\"urls\":\"turn:turn.example:80\",\"username\":\"u\",\"credential\":\"c\"}]}");
  g_autofree char *bad_token = test_mint_token ("dave", 600, NULL, NULL,
                                                "{\"iceServers\":[{\"urls\":\"turn:ok\"},{\"urls\":\"file:///etc\"}]}");
  g_autoptr(MeteredClient) client = new_token_client (server, token);
  g_autoptr(MeteredClient) bad_client = new_token_client (server, bad_token);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(TestRecorder) bad_rec = test_recorder_new (bad_client);
  g_autoptr(GListModel) ice_list = NULL;
  g_autoptr(GListModel) no_list = NULL;
  MeteredConnectedEvent *event;
  MeteredIceServer *ice;
  GPtrArray *servers;
  gint64 expires_at = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  test_connect_ok (client);
  event = g_ptr_array_index (rec->connected, 0);
  g_assert_cmpstr (metered_connected_event_get_peer_id (event), ==, "carol");
  g_assert_true (metered_connected_event_get_expires_at (event, &expires_at));
  g_assert_cmpint (expires_at, >=, now + 590);
  g_assert_cmpint (expires_at, <=, now + 610);

  servers = metered_connected_event_get_ice_servers (event);
  g_assert_nonnull (servers);
  g_assert_cmpuint (servers->len, ==, 2);
  ice = g_ptr_array_index (servers, 0);
  g_assert_cmpstrv (metered_ice_server_get_urls (ice), ((const char * const[]) { "stun:stun.example:3478", NULL }));
  g_assert_null (metered_ice_server_get_username (ice));
  ice = g_ptr_array_index (servers, 1);
  g_assert_cmpstrv (metered_ice_server_get_urls (ice), ((const char * const[]) { "turn:turn.example:80", NULL }));
  g_assert_cmpstr (metered_ice_server_get_username (ice), ==, "u");
  g_assert_cmpstr (metered_ice_server_get_credential (ice), ==, "c");

  g_object_get (event, "ice-servers", &ice_list, NULL);
  g_assert_true (ice_list == metered_connected_event_get_ice_servers_model (event));
  assert_same_items (servers, ice_list, METERED_TYPE_ICE_SERVER);

  /* One bad entry and there are none. */
  test_connect_ok (bad_client);
  event = g_ptr_array_index (bad_rec->connected, 0);
  g_assert_null (metered_connected_event_get_ice_servers (event));
  g_assert_null (metered_connected_event_get_ice_servers_model (event));
  g_object_get (event, "ice-servers", &no_list, NULL);
  g_assert_null (no_list);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  test_close (bad_client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add_func ("/client/construct/credentials", test_construct_credentials);
  g_test_add_func ("/client/construct/url", test_construct_url);
  g_test_add_func ("/client/construct/options", test_construct_options);
  g_test_add_func ("/client/connect/basic", test_connect_basic);
  g_test_add_func ("/client/connect/invalid-state", test_connect_invalid_state);
  g_test_add_func ("/client/connect/refused", test_connect_refused);
  g_test_add_func ("/client/connect/no-server", test_connect_no_server);
  g_test_add_func ("/client/request/pubsub", test_pubsub);
  g_test_add_func ("/client/request/direct", test_direct);
  g_test_add_func ("/client/request/payload-text", test_payload_text);
  g_test_add_func ("/client/request/server-code", test_errors_server_code);
  g_test_add_func ("/client/request/invalid-arguments", test_errors_invalid_arguments);
  g_test_add_func ("/client/request/not-connected", test_errors_not_connected);
  g_test_add_func ("/client/request/oversized", test_errors_oversized);
  g_test_add_func ("/client/request/ack-timeout", test_errors_ack_timeout);
  g_test_add_func ("/client/request/late-answer", test_errors_late_answer);
  g_test_add_func ("/client/request/unsolicited-errors", test_errors_unsolicited);
  g_test_add_func ("/client/request/cancel", test_cancel);
  g_test_add_func ("/client/close/basic", test_close_basic);
  g_test_add_func ("/client/close/during-connect", test_close_during_connect);
  g_test_add_func ("/client/close/finalize-connected", test_finalize_connected);
  g_test_add_func ("/client/events/handler-reentrancy", test_handler_reentrancy);
  g_test_add_func ("/client/events/stream-bounded", test_stream_bounded);
  g_test_add_func ("/client/events/stream-lifetime", test_stream_lifetime);
  g_test_add_func ("/client/events/ice-servers-validation", test_ice_servers_validation);
  g_test_add_func ("/client/events/connected-details", test_connected_details);

  return g_test_run ();
}
