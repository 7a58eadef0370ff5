/* test-devserver-hooks.c: the test hooks, from C and as the line protocol
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-dev-hooks.h"
#include "devserver-test-util.h"

static char *
jwt_query (const char *sub)
{
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"%s\"}", sub);
  g_autofree char *token = test_make_token ("sk_id_dev", "sk_secret_dev", claims);

  return test_token_query (token);
}

static void
expect_pong (TestClient *client)
{
  test_client_send (client, "{\"type\":\"ping\"}");
  json_object_unref (test_client_expect (client, "pong"));
}

static void
test_drop (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *query = jwt_query ("p");
  g_autoptr(TestClient) p = test_client_connect (server, query);
  g_autoptr(TestClient) other = test_client_connect (server, "key=pk_live_dev");

  g_assert_cmpuint (metered_dev_server_hook_drop (server, "nobody"), ==, 0);
  g_assert_cmpuint (metered_dev_server_hook_drop (server, "p"), ==, 1);

  /* No close frame: the client sees an abnormal closure. */
  test_client_wait_closed (p);
  g_assert_true (p->close_code == 0 || p->close_code == 1006);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 1);
  expect_pong (other);

  /* NULL: everyone. */
  g_assert_cmpuint (metered_dev_server_hook_drop (server, NULL), ==, 1);
  test_client_wait_closed (other);
}

static void
test_close (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *query = jwt_query ("p");
  g_autoptr(TestClient) p1 = test_client_connect (server, query);
  g_autoptr(TestClient) p2 = test_client_connect (server, query);
  g_autoptr(TestClient) other = test_client_connect (server, "key=pk_live_dev");
  g_autofree char *long_reason = g_strnfill (300, 'r');

  g_assert_cmpuint (metered_dev_server_hook_close (server, "p", 4011, "slow down"), ==, 2);
  g_assert_cmpuint (test_client_wait_closed (p1), ==, 4011);
  g_assert_cmpstr (p1->close_reason, ==, "slow down");
  g_assert_cmpuint (test_client_wait_closed (p2), ==, 4011);

  /* Reasons are cut to fit a close frame. */
  g_assert_cmpuint (metered_dev_server_hook_close (server, NULL, 4020, long_reason), ==, 1);
  g_assert_cmpuint (test_client_wait_closed (other), ==, 4020);
  g_assert_cmpuint (strlen (other->close_reason), ==, 123);
}

static void
test_send_raw (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");

  g_assert_cmpuint (metered_dev_server_hook_send_raw (server, client->peer_id, "not json at all"), ==, 1);
  test_spin (50);
  g_assert_cmpstr (g_queue_peek_head (&client->frames), ==, "not json at all");
}

static gboolean
has_frames (gpointer data)
{
  return !g_queue_is_empty (&((TestClient *)data)->frames);
}

static void
test_ack_mode (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) watcher = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) frame = NULL;
  gint64 start;

  json_object_unref (test_client_subscribe (watcher, "room", FALSE));

  /* Swallow: requests are carried out, never answered. */
  g_assert_cmpuint (metered_dev_server_hook_set_ack_mode (server, client->peer_id, METERED_DEV_ACKS_SWALLOW, 0), ==, 1);
  test_client_send (client, "{\"type\":\"subscribe\",\"channel\":\"room\",\"requestId\":\"s\"}");
  frame = test_client_expect (client, "presence");   /* the snapshot, without its ack */
  g_clear_pointer (&frame, json_object_unref);
  json_object_unref (test_client_expect (watcher, "presence"));
  test_client_send (client, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}");
  test_client_send (client, "{\"type\":\"publish\",\"channel\":\"_metered/x\",\"data\":1,\"requestId\":\"e\"}");
  json_object_unref (test_client_expect (watcher, "message"));
  /* Pongs are not answers to requests. */
  expect_pong (client);
  test_client_expect_nothing (client, 100);

  /* Delay: answers come late, in order. */
  metered_dev_server_hook_set_ack_mode (server, client->peer_id, METERED_DEV_ACKS_DELAY, 300);
  start = g_get_monotonic_time ();
  test_client_send (client, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p1\"}");
  test_client_send (client, "{\"type\":\"publish\",\"channel\":\"_metered/x\",\"data\":1,\"requestId\":\"p2\"}");
  json_object_unref (test_client_expect (watcher, "message"));
  g_assert_true (test_wait_until (has_frames, client, TEST_TIMEOUT_MS));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  frame = test_client_expect (client, "ack");
  g_assert_cmpstr (json_object_get_string_member (frame, "requestId"), ==, "p1");
  g_clear_pointer (&frame, json_object_unref);
  frame = test_client_expect (client, "error");
  g_assert_cmpstr (json_object_get_string_member (frame, "requestId"), ==, "p2");
  g_clear_pointer (&frame, json_object_unref);

  /* Back to normal. */
  metered_dev_server_hook_set_ack_mode (server, NULL, METERED_DEV_ACKS_NORMAL, 0);
  test_client_send (client, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p3\"}");
  json_object_unref (test_client_expect (client, "ack"));
}

static void
test_stall (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) other = test_client_connect (server, "key=pk_live_dev");

  json_object_unref (test_client_subscribe (client, "room", FALSE));
  g_assert_cmpuint (metered_dev_server_hook_stall (server, client->peer_id, TRUE), ==, 1);

  /* Silent both ways: no pong, no fan-out, the request ignored. */
  test_client_send (client, "{\"type\":\"ping\"}");
  test_client_send (client, "{\"type\":\"unsubscribe\",\"channel\":\"room\",\"requestId\":\"u\"}");
  test_client_send (other, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}");
  json_object_unref (test_client_expect (other, "ack"));
  test_client_expect_nothing (client, 200);

  metered_dev_server_hook_stall (server, NULL, FALSE);
  expect_pong (client);
  /* The unsubscribe sent while stalled was never read. */
  test_client_send (other, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":2,\"requestId\":\"p\"}");
  json_object_unref (test_client_expect (client, "message"));
}

static void
test_list_connections (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *query = jwt_query ("p");
  g_autoptr(TestClient) p = test_client_connect (server, query);
  g_autoptr(TestClient) other = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) only = NULL;
  JsonObject *entry;
  JsonArray *channels;

  g_assert_nonnull (other);
  json_object_unref (test_client_subscribe (p, "b", FALSE));
  json_object_unref (test_client_subscribe (p, "a", FALSE));

  all = metered_dev_server_hook_list_connections (server, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (all)), ==, 2);

  only = metered_dev_server_hook_list_connections (server, "p");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (only)), ==, 1);
  entry = json_array_get_object_element (json_node_get_array (only), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "peerId"), ==, "p");
  channels = json_object_get_array_member (entry, "channels");
  g_assert_cmpuint (json_array_get_length (channels), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (channels, 0), ==, "b");
  g_assert_cmpstr (json_array_get_string_element (channels, 1), ==, "a");
}

/* Runs @line and asserts the answer is exactly @expected. */
static void
assert_line (MeteredDevServer *server,
             const char       *line,
             const char       *expected)
{
  g_autofree char *answer = metered_dev_hooks_handle_line (server, line);

  g_assert_cmpstr (answer, ==, expected);
}

static void
assert_line_error (MeteredDevServer *server,
                   const char       *line,
                   const char       *hook)
{
  g_autofree char *answer = metered_dev_hooks_handle_line (server, line);
  g_autofree char *prefix = hook != NULL
    ? g_strdup_printf ("{\"hook\":\"%s\",\"error\":\"", hook)
    : g_strdup ("{\"hook\":null,\"error\":\"");

  if (!g_str_has_prefix (answer, prefix))
    g_error ("%s: expected an error answer, got %s", line, answer);
  g_assert_null (strchr (answer, '\n'));
}

static void
test_lines (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *query = jwt_query ("p");
  g_autoptr(TestClient) p = test_client_connect (server, query);
  g_autoptr(TestClient) other = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(TestClient) refused = NULL;

  json_object_unref (test_client_subscribe (p, "room", FALSE));

  assert_line (server, "{\"hook\":\"connections\",\"peerId\":\"p\"}",
               "{\"hook\":\"connections\",\"affected\":1,\"connections\":[{\"peerId\":\"p\",\"channels\":[\"room\"]}]}");
  assert_line (server, "{\"hook\":\"sendRaw\",\"peerId\":\"p\",\"text\":\"{\\\"type\\\":\\\"x\\\"}\"}",
               "{\"hook\":\"sendRaw\",\"affected\":1}");
  json_object_unref (test_client_expect (p, "x"));
  assert_line (server, "{\"hook\":\"ackMode\",\"peerId\":\"p\",\"mode\":\"swallow\"}", "{\"hook\":\"ackMode\",\"affected\":1}");
  assert_line (server, "{\"hook\":\"ackMode\",\"mode\":\"delay\",\"delayMs\":10}", "{\"hook\":\"ackMode\",\"affected\":2}");
  assert_line (server, "{\"hook\":\"ackMode\",\"mode\":\"normal\"}", "{\"hook\":\"ackMode\",\"affected\":2}");
  assert_line (server, "{\"hook\":\"stall\",\"peerId\":\"p\",\"stalled\":true}", "{\"hook\":\"stall\",\"affected\":1}");
  assert_line (server, "{\"hook\":\"stall\",\"peerId\":\"p\",\"stalled\":false}", "{\"hook\":\"stall\",\"affected\":1}");
  assert_line (server, "{\"hook\":\"drop\",\"peerId\":\"nobody\"}", "{\"hook\":\"drop\",\"affected\":0}");

  assert_line (server, "{\"hook\":\"rejectConnections\",\"code\":4010}", "{\"hook\":\"rejectConnections\",\"affected\":0}");
  refused = test_client_open (server, "key=pk_live_dev");
  g_assert_cmpuint (test_client_wait_closed (refused), ==, 4010);
  assert_line (server, "{\"hook\":\"rejectConnections\",\"code\":0}", "{\"hook\":\"rejectConnections\",\"affected\":0}");

  assert_line (server, "{\"hook\":\"suspend\",\"suspended\":true}", "{\"hook\":\"suspend\",\"affected\":0}");
  g_assert_true (metered_dev_config_get_account_suspended (metered_dev_server_get_config (server)));
  assert_line (server, "{\"hook\":\"suspend\",\"suspended\":false}", "{\"hook\":\"suspend\",\"affected\":0}");

  assert_line (server, "{\"hook\":\"close\",\"peerId\":\"p\",\"code\":4011,\"reason\":\"r\"}", "{\"hook\":\"close\",\"affected\":1}");
  g_assert_cmpuint (test_client_wait_closed (p), ==, 4011);
  assert_line (server, "{\"hook\":\"drop\"}", "{\"hook\":\"drop\",\"affected\":1}");
  test_client_wait_closed (other);

  /* Malformed lines get an error answer, never a crash. */
  assert_line_error (server, "", NULL);
  assert_line_error (server, "{", NULL);
  assert_line_error (server, "[]", NULL);
  assert_line_error (server, "42", NULL);
  assert_line_error (server, "{}", NULL);
  assert_line_error (server, "{\"hook\":5}", NULL);
  assert_line_error (server, "{\"hook\":\"explode\"}", "explode");
  assert_line_error (server, "{\"hook\":\"drop\",\"peerId\":7}", "drop");
  assert_line_error (server, "{\"hook\":\"close\",\"code\":1005}", "close");
  assert_line_error (server, "{\"hook\":\"close\",\"code\":1006}", "close");
  assert_line_error (server, "{\"hook\":\"close\",\"code\":5000}", "close");
  assert_line_error (server, "{\"hook\":\"close\",\"code\":4294968296}", "close");
  assert_line_error (server, "{\"hook\":\"close\",\"code\":\"4011\"}", "close");
  assert_line_error (server, "{\"hook\":\"close\",\"reason\":1}", "close");
  assert_line_error (server, "{\"hook\":\"sendRaw\"}", "sendRaw");
  assert_line_error (server, "{\"hook\":\"ackMode\"}", "ackMode");
  assert_line_error (server, "{\"hook\":\"ackMode\",\"mode\":\"later\"}", "ackMode");
  assert_line_error (server, "{\"hook\":\"ackMode\",\"mode\":\"delay\",\"delayMs\":-1}", "ackMode");
  assert_line_error (server, "{\"hook\":\"stall\",\"stalled\":\"yes\"}", "stall");
  assert_line_error (server, "{\"hook\":\"rejectConnections\"}", "rejectConnections");
  assert_line_error (server, "{\"hook\":\"rejectConnections\",\"code\":1}", "rejectConnections");
  assert_line_error (server, "{\"hook\":\"suspend\",\"suspended\":1}", "suspend");
}

static gboolean
output_has_lines (gpointer data)
{
  GMemoryOutputStream *output = data;
  const char *text = g_memory_output_stream_get_data (output);
  gsize size = g_memory_output_stream_get_data_size (output);
  guint lines = 0;

  for (gsize i = 0; i < size; i++)
    lines += text[i] == '\n';

  return lines >= 4;
}

static void
test_stream (void)
{
  static const char input_text[] =
    "{\"hook\":\"connections\"}\n"
    "\n"
    "garbage\r\n"
    "{\"hook\":\"suspend\",\"suspended\":false}\n"
    "\xff\xfe\n";
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (input_text, sizeof input_text - 1, NULL);
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(MeteredDevHooks) hooks = metered_dev_hooks_new (server, input, output);
  g_auto(GStrv) lines = NULL;

  g_assert_nonnull (hooks);
  g_assert_true (test_wait_until (output_has_lines, output, TEST_TIMEOUT_MS));
  test_spin (50);

  lines = g_strsplit (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (output)), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_cmpstr (lines[0], ==, "{\"hook\":\"connections\",\"affected\":0,\"connections\":[]}");
  g_assert_true (g_str_has_prefix (lines[1], "{\"hook\":null,\"error\":"));
  g_assert_cmpstr (lines[2], ==, "{\"hook\":\"suspend\",\"affected\":0}");
  g_assert_true (g_str_has_prefix (lines[3], "{\"hook\":null,\"error\":"));
  g_assert_cmpstr (lines[4], ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/hooks/drop", test_drop);
  g_test_add_func ("/devserver/hooks/close", test_close);
  g_test_add_func ("/devserver/hooks/send-raw", test_send_raw);
  g_test_add_func ("/devserver/hooks/ack-mode", test_ack_mode);
  g_test_add_func ("/devserver/hooks/stall", test_stall);
  g_test_add_func ("/devserver/hooks/list-connections", test_list_connections);
  g_test_add_func ("/devserver/hooks/lines", test_lines);
  g_test_add_func ("/devserver/hooks/stream", test_stream);

  return g_test_run ();
}
