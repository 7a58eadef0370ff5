/* test-devserver-flood.c: the benchmark publisher inside the server
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>
#include <sys/socket.h>

#include "metered-dev-hooks.h"
#include "devserver-test-util.h"

static JsonObject *
next_message (TestClient *client)
{
  JsonObject *frame = test_client_expect (client, "message");

  g_assert_cmpstr (json_object_get_string_member (frame, "channel"), ==, "bench/flood");
  g_assert_cmpstr (json_object_get_string_member (frame, "from"), ==, "flood");

  return frame;
}

static void
test_count (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  gint64 before = g_get_real_time ();
  gboolean finished = FALSE;
  guint64 sent = 0;
  guint id;

  json_object_unref (test_client_subscribe (client, "bench/flood", FALSE));
  id = metered_dev_server_start_flood (server, "bench/flood", 0, 300, 200);
  g_assert_cmpuint (id, !=, 0);

  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(JsonObject) frame = next_message (client);
      JsonNode *data = json_object_get_member (frame, "data");
      g_autofree char *text = json_to_string (data, FALSE);
      JsonObject *payload = json_node_get_object (data);

      g_assert_cmpint (json_object_get_int_member (payload, "seq"), ==, i);
      g_assert_cmpint (json_object_get_int_member (payload, "sentUs"), >=, before);
      g_assert_cmpint (json_object_get_int_member (payload, "sentUs"), <=, g_get_real_time ());
      g_assert_cmpuint (strlen (text), ==, 200);
    }

  test_client_expect_nothing (client, 50);
  g_assert_true (metered_dev_server_get_flood_sent (server, id, &sent, &finished));
  g_assert_cmpuint (sent, ==, 300);
  g_assert_true (finished);

  metered_dev_server_stop_flood (server, id);
  g_assert_false (metered_dev_server_get_flood_sent (server, id, NULL, NULL));
}

/* Payloads too small for padding still carry seq and sentUs. */
static void
test_small_payload (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) frame = NULL;
  JsonObject *payload;

  json_object_unref (test_client_subscribe (client, "bench/flood", FALSE));
  metered_dev_server_start_flood (server, "bench/flood", 0, 1, 0);

  frame = next_message (client);
  payload = json_object_get_object_member (frame, "data");
  g_assert_cmpint (json_object_get_int_member (payload, "seq"), ==, 0);
  g_assert_true (json_object_has_member (payload, "sentUs"));
  g_assert_false (json_object_has_member (payload, "pad"));
}

/* Nothing is published to nobody: the first subscriber gets seq 0. */
static void
test_waits_for_subscriber (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) frame = NULL;
  guint64 sent = 1;
  guint id;

  id = metered_dev_server_start_flood (server, "bench/flood", 0, 5, 50);
  test_spin (50);
  g_assert_true (metered_dev_server_get_flood_sent (server, id, &sent, NULL));
  g_assert_cmpuint (sent, ==, 0);

  json_object_unref (test_client_subscribe (client, "bench/flood", FALSE));
  frame = next_message (client);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (frame, "data"), "seq"), ==, 0);
}

static void
test_rate (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  gint64 start;
  double elapsed;
  guint64 sent = 0;
  guint id;

  json_object_unref (test_client_subscribe (client, "bench/flood", FALSE));
  start = g_get_monotonic_time ();
  id = metered_dev_server_start_flood (server, "bench/flood", 1000, 0, 100);
  test_spin (300);
  g_assert_true (metered_dev_server_get_flood_sent (server, id, &sent, NULL));
  elapsed = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
  metered_dev_server_stop_flood (server, id);

  /* The rate plus the first message and the catch-up allowance; a busy
   * machine may send fewer, never more. */
  g_assert_cmpuint (sent, >, 0);
  g_assert_cmpfloat (sent, <=, 1000 * elapsed + 1 + 100);

  /* Stopped means stopped. */
  test_spin (50);
  g_queue_clear_full (&client->frames, g_free);
  test_client_expect_nothing (client, 50);
}

/* A subscriber that reads nothing, by hand: its socket fills up. */
typedef struct {
  GSocket *socket;
  guint64  received;
} Sluggard;

static void
sluggard_write (Sluggard   *sluggard,
                const char *text)
{
  const guint8 mask[4] = { 0x01, 0x02, 0x03, 0x04 };
  gsize len = strlen (text);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 header[2] = { 0x81, 0x80 | len };

  g_assert_cmpuint (len, <, 126);
  g_byte_array_append (frame, header, 2);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = text[i] ^ mask[i & 3];

      g_byte_array_append (frame, &byte, 1);
    }

  g_assert_cmpint (g_socket_send (sluggard->socket, (const char *)frame->data, frame->len, NULL, NULL),
                   ==, frame->len);
}

static gboolean
sluggard_read (gpointer data)
{
  Sluggard *sluggard = data;
  char buffer[65536];
  gssize n;

  while ((n = g_socket_receive (sluggard->socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    sluggard->received += n;

  return FALSE;
}

static gboolean
sluggard_got_welcome (gpointer data)
{
  Sluggard *sluggard = data;

  sluggard_read (sluggard);
  return sluggard->received > 0;
}

static void
sluggard_connect (Sluggard         *sluggard,
                  MeteredDevServer *server)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, metered_dev_server_get_port (server));
  g_autoptr(GError) error = NULL;
  const char request[] = "GET /v1?key=pk_live_dev HTTP/1.1\r\n"
                         "Host: 127.0.0.1\r\n"
                         "Upgrade: websocket\r\n"
                         "Connection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n"
                         "\r\n";

  sluggard->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  /* Small before connecting, so the window stays small too. */
  g_socket_set_option (sluggard->socket, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_assert_no_error (error);
  g_socket_connect (sluggard->socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (sluggard->socket, FALSE);

  g_assert_cmpint (g_socket_send (sluggard->socket, request, sizeof request - 1, NULL, NULL), ==, sizeof request - 1);
  /* The upgrade answer and welcome. */
  g_assert_true (test_wait_until (sluggard_got_welcome, sluggard, TEST_TIMEOUT_MS));
  test_spin (20);
  sluggard_read (sluggard);

  sluggard_write (sluggard, "{\"type\":\"subscribe\",\"channel\":\"bench/flood\"}");
}

typedef struct {
  MeteredDevServer *server;
  guint             id;
  guint64           last;
  gint64            last_change;
} Progress;

/* The flood has not published anything for 200 ms. */
static gboolean
flood_stuck (gpointer data)
{
  Progress *progress = data;
  guint64 sent = 0;

  g_assert_true (metered_dev_server_get_flood_sent (progress->server, progress->id, &sent, NULL));
  if (sent != progress->last || progress->last_change == 0)
    {
      progress->last = sent;
      progress->last_change = g_get_monotonic_time ();
      return FALSE;
    }

  return g_get_monotonic_time () - progress->last_change > 200 * 1000 && sent > 0;
}

/* Reads what arrived, as a subscriber catching up would, until the flood
 * publishes again. */
typedef struct {
  Progress *progress;
  Sluggard *sluggard;
} CatchUp;

static gboolean
flood_moved (gpointer data)
{
  CatchUp *catch_up = data;
  guint64 sent = 0;

  sluggard_read (catch_up->sluggard);
  metered_dev_server_get_flood_sent (catch_up->progress->server, catch_up->progress->id, &sent, NULL);
  return sent > catch_up->progress->last;
}

static void
test_backpressure (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  Sluggard sluggard = { 0 };
  Progress progress = { 0 };
  CatchUp catch_up = { &progress, &sluggard };

  sluggard_connect (&sluggard, server);
  test_spin (50);

  progress.server = server;
  progress.id = metered_dev_server_start_flood (server, "bench/flood", 0, 0, 200);

  /* The flood stops by itself, with no more than what the kernel
   * buffers hold (a few MB) on its way. */
  g_assert_true (test_wait_until (flood_stuck, &progress, 10 * TEST_TIMEOUT_MS));
  g_assert_cmpuint (progress.last, <, 100000);

  /* Reading lets it go on. */
  g_assert_true (test_wait_until (flood_moved, &catch_up, TEST_TIMEOUT_MS));

  metered_dev_server_stop_flood (server, progress.id);
  g_clear_object (&sluggard.socket);
}

static void
test_hook_lines (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = test_client_connect (server, "key=pk_live_dev");
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *status = NULL;
  g_autofree char *stop = NULL;
  g_autofree char *again = NULL;

  json_object_unref (test_client_subscribe (client, "bench/flood", FALSE));

  answer = metered_dev_hooks_handle_line (server, "{\"hook\":\"flood\",\"channel\":\"bench/flood\",\"count\":2,\"payloadSize\":64}");
  g_assert_cmpstr (answer, ==, "{\"hook\":\"flood\",\"floodId\":1,\"affected\":1,\"sent\":0,\"finished\":false}");
  json_object_unref (next_message (client));
  json_object_unref (next_message (client));

  status = metered_dev_hooks_handle_line (server, "{\"hook\":\"floodStatus\",\"floodId\":1}");
  g_assert_cmpstr (status, ==, "{\"hook\":\"floodStatus\",\"floodId\":1,\"affected\":1,\"sent\":2,\"finished\":true}");
  stop = metered_dev_hooks_handle_line (server, "{\"hook\":\"stopFlood\",\"floodId\":1}");
  g_assert_cmpstr (stop, ==, "{\"hook\":\"stopFlood\",\"floodId\":1,\"affected\":1,\"sent\":2,\"finished\":true}");
  again = metered_dev_hooks_handle_line (server, "{\"hook\":\"stopFlood\",\"floodId\":1}");
  g_assert_cmpstr (again, ==, "{\"hook\":\"stopFlood\",\"floodId\":1,\"affected\":0,\"sent\":0,\"finished\":false}");
}

static void
test_hook_errors (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  static const struct {
    const char *line;
    const char *error;
  } cases[] = {
    { "{\"hook\":\"flood\"}", "channel must be a valid channel name" },
    { "{\"hook\":\"flood\",\"channel\":\"\"}", "channel must be a valid channel name" },
    { "{\"hook\":\"flood\",\"channel\":\"c\",\"rate\":-1}", "rate must be a whole number of messages per second (0: as fast as read)" },
    { "{\"hook\":\"flood\",\"channel\":\"c\",\"count\":\"5\"}", "count must be a whole number (0: until stopped)" },
    { "{\"hook\":\"flood\",\"channel\":\"c\",\"payloadSize\":99999999}", "payloadSize must be from 0 to 1048576" },
    { "{\"hook\":\"stopFlood\"}", "floodId must be the id a flood hook answered with" },
    { "{\"hook\":\"floodStatus\",\"floodId\":0}", "floodId must be the id a flood hook answered with" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *answer = metered_dev_hooks_handle_line (server, cases[i].line);
      g_autoptr(JsonNode) root = json_from_string (answer, NULL);

      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "error"), ==, cases[i].error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/flood/count", test_count);
  g_test_add_func ("/devserver/flood/small-payload", test_small_payload);
  g_test_add_func ("/devserver/flood/waits-for-subscriber", test_waits_for_subscriber);
  g_test_add_func ("/devserver/flood/rate", test_rate);
  g_test_add_func ("/devserver/flood/backpressure", test_backpressure);
  g_test_add_func ("/devserver/flood/hook-lines", test_hook_lines);
  g_test_add_func ("/devserver/flood/hook-errors", test_hook_errors);

  return g_test_run ();
}
