/* test-client-watchdog.c: keepalive, inactivity, welcome timeout, bad frames
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-client"

#include <string.h>

#include <libsoup/soup.h>

#include "client-test-util.h"

/* A stalled server neither reads nor answers: the watchdog closes the link
 * with 4000 after the inactivity timeout, having tried keepalive pings. */
static void
test_inactivity (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "inactivity-timeout", 1.2, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  MeteredDisconnectedEvent *event;
  gint64 stalled_at;
  double elapsed;

  test_connect_ok (client);
  g_assert_cmpuint (metered_dev_server_hook_stall (server, NULL, TRUE), ==, 1);
  stalled_at = g_get_monotonic_time ();

  test_wait_for (rec->disconnected->len == 1, 5);
  elapsed = (double) (g_get_monotonic_time () - stalled_at) / G_USEC_PER_SEC;
  g_assert_cmpfloat (elapsed, >=, 1.1);
  g_assert_cmpfloat (elapsed, <, 2.5);

  event = g_ptr_array_index (rec->disconnected, 0);
  g_assert_cmpint (metered_disconnected_event_get_code (event), ==, METERED_CLOSE_CODE_CLIENT_INACTIVITY);
  g_assert_cmpstr (metered_disconnected_event_get_reason (event), ==, "inactivity timeout");
  g_assert_true (metered_disconnected_event_get_will_reconnect (event));
  g_assert_cmpuint (test_recorder_count_out (rec, "{\"type\":\"ping\"}"), >=, 1);

  /* The new connection is healthy. */
  test_wait_for (rec->connected->len == 2, 5);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* On an idle link the pings keep the watchdog fed by the server's pongs,
 * and only an idle link is probed. */
static void
test_keepalive (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "inactivity-timeout", 1.5, NULL);
  g_autoptr(MeteredClient) publisher = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;
  guint pongs = 0;
  guint pings;

  test_connect_ok (client);
  test_run_for (3.3);

  g_assert_cmpuint (rec->disconnected->len, ==, 0);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  pings = test_recorder_count_out (rec, "{\"type\":\"ping\"}");
  g_assert_cmpuint (pings, >=, 2);
  g_assert_cmpuint (pings, <=, 4);
  for (guint i = 0; i < rec->frames_in->len; i++)
    if (strstr (g_ptr_array_index (rec->frames_in, i), "\"pong\"") != NULL)
      pongs++;
  g_assert_cmpuint (pongs, >=, 2);

  /* Traffic more often than the interval suppresses pings. */
  test_connect_ok (publisher);
  g_assert_true (test_subscribe (client, "busy", 0, &error));
  g_assert_no_error (error);
  pings = test_recorder_count_out (rec, "{\"type\":\"ping\"}");
  for (guint i = 0; i < 8; i++)
    {
      g_assert_true (test_publish (publisher, "busy", "0", &error));
      g_assert_no_error (error);
      test_run_for (0.25);
    }
  g_assert_cmpuint (test_recorder_count_out (rec, "{\"type\":\"ping\"}"), ==, pings);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  test_close (publisher, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_watchdog_disabled (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "inactivity-timeout", 0.0, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);

  test_connect_ok (client);
  metered_dev_server_hook_stall (server, NULL, TRUE);
  test_run_for (1.3);

  g_assert_cmpuint (test_recorder_count_out (rec, "ping"), ==, 0);
  g_assert_cmpuint (rec->disconnected->len, ==, 0);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  metered_dev_server_hook_stall (server, NULL, FALSE);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* A WebSocket server that never sends welcome. */
typedef struct {
  SoupServer              *server;
  SoupWebsocketConnection *conn;
  int                      close_code;
} SilentServer;

static void
on_silent_closed (SoupWebsocketConnection *conn,
                  SilentServer            *silent)
{
  silent->close_code = soup_websocket_connection_get_close_code (conn);
}

static void
on_silent_websocket (SoupServer              *server,
                     SoupServerMessage       *msg,
                     const char              *path,
                     SoupWebsocketConnection *conn,
                     gpointer                 data)
{
  SilentServer *silent = data;

  g_set_object (&silent->conn, conn);
  g_signal_connect (conn, "closed", G_CALLBACK (on_silent_closed), silent);
}

static char *
silent_server_start (SilentServer *silent)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;
  char *url;

  silent->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (silent->server, "/v1", NULL, NULL, on_silent_websocket, silent, NULL);
  soup_server_listen (silent->server, address, 0, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (silent->server);
  url = g_strdup_printf ("ws://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return url;
}

static void
silent_server_stop (SilentServer *silent)
{
  if (silent->conn != NULL)
    g_signal_handlers_disconnect_by_data (silent->conn, silent);
  g_clear_object (&silent->conn);
  soup_server_disconnect (silent->server);
  g_clear_object (&silent->server);
}

static void
test_welcome_timeout (void)
{
  SilentServer silent = { 0 };
  g_autofree char *url = silent_server_start (&silent);
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error,
                           "api-key", TEST_API_KEY, "url", url, "welcome-timeout", 0.3, NULL);
  g_assert_no_error (error);

  g_assert_false (test_connect (client, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_WELCOME_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);

  /* The client closed its socket with 4000. */
  test_wait_for (silent.close_code != 0, 5);
  g_assert_cmpint (silent.close_code, ==, METERED_CLOSE_CODE_CLIENT_INACTIVITY);

  silent_server_stop (&silent);
}

/* A server that accepts TCP connections and never answers the upgrade. */
static void
test_close_during_handshake (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  gint64 start;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("ws://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error, "api-key", TEST_API_KEY, "url", url, NULL);
  g_assert_no_error (error);

  metered_client_connect_async (client, NULL, test_call_cb, call);
  test_run_for (0.2);
  g_assert_null (call->result);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTING);

  start = g_get_monotonic_time ();
  g_assert_true (test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (metered_client_connect_finish (client, test_call_wait (call), &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
}

/* A WebSocket server written by hand, to misbehave below the level libsoup
 * allows: it upgrades the connection and sends welcome, then never reads
 * again, so it never answers a close frame. */
typedef struct {
  GSocketService    *service;
  GSocketConnection *connection;
  GString           *request;
  char               buffer[1024];
} DeafServer;

static void
deaf_send_welcome (DeafServer *deaf)
{
  static const char welcome[] =
    "{\"type\":\"welcome\",\"peerId\":\"deaf\",\"serverTime\":1,\"maxMessageSize\":65536,\"expiresAt\":null}";
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_autoptr(GString) response = g_string_new (NULL);
  g_autofree char *accept = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (deaf->connection));
  const char *key = strstr (deaf->request->str, "Sec-WebSocket-Key: ");
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  guint8 header[2] = { 0x81, sizeof welcome - 1 };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (key);
  key += strlen ("Sec-WebSocket-Key: ");
  g_checksum_update (sha1, (const guchar *) key, strcspn (key, "\r"));
  g_checksum_update (sha1, (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  accept = g_base64_encode (digest, digest_len);

  g_string_append_printf (response,
                          "HTTP/1.1 101 Switching Protocols\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
  g_output_stream_write_all (out, response->str, response->len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (out, header, sizeof header, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (out, welcome, sizeof welcome - 1, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
on_deaf_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  DeafServer *deaf = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_string_append_len (deaf->request, deaf->buffer, n);

  if (strstr (deaf->request->str, "\r\n\r\n") != NULL)
    deaf_send_welcome (deaf);
  else
    g_input_stream_read_async (G_INPUT_STREAM (source), deaf->buffer, sizeof deaf->buffer,
                               G_PRIORITY_DEFAULT, NULL, on_deaf_read, deaf);
}

static gboolean
on_deaf_incoming (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  gpointer           data)
{
  DeafServer *deaf = data;

  g_assert_null (deaf->connection);
  deaf->connection = g_object_ref (connection);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                             deaf->buffer, sizeof deaf->buffer, G_PRIORITY_DEFAULT, NULL, on_deaf_read, deaf);

  return TRUE;
}

/* close() waits for the close handshake, but not for long. */
static void
test_close_flush_timeout (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  DeafServer deaf = { 0 };
  gint64 start;
  double elapsed;

  deaf.service = g_socket_service_new ();
  deaf.request = g_string_new (NULL);
  g_socket_listener_add_address (G_SOCKET_LISTENER (deaf.service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (deaf.service, "incoming", G_CALLBACK (on_deaf_incoming), &deaf);
  url = g_strdup_printf ("ws://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error, "api-key", TEST_API_KEY, "url", url, NULL);
  g_assert_no_error (error);
  test_connect_ok (client);
  g_assert_cmpstr (metered_client_get_peer_id (client), ==, "deaf");

  start = g_get_monotonic_time ();
  g_assert_true (test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, &error));
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_assert_no_error (error);
  g_assert_cmpfloat (elapsed, >=, 0.9);
  g_assert_cmpfloat (elapsed, <, 1.5);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);

  /* The socket goes on closing in the background until the server hangs
   * up. */
  g_io_stream_close (G_IO_STREAM (deaf.connection), NULL, NULL);
  test_run_for (0.1);
  g_socket_service_stop (deaf.service);
  g_socket_listener_close (G_SOCKET_LISTENER (deaf.service));
  g_clear_object (&deaf.connection);
  g_clear_object (&deaf.service);
  g_string_free (deaf.request, TRUE);
}

/* An inbound frame over 1 MiB closes the link with 1009. */
static void
test_oversized_frame (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autofree char *filler = g_strnfill (1024 * 1024, 'x');
  g_autofree char *huge = g_strdup_printf ("{\"type\":\"direct\",\"from\":\"big\",\"data\":\"%s\"}", filler);
  MeteredDisconnectedEvent *event;

  test_connect_ok (client);
  g_assert_cmpuint (metered_dev_server_hook_send_raw (server, NULL, huge), ==, 1);

  test_wait_for (rec->disconnected->len == 1, 5);
  event = g_ptr_array_index (rec->disconnected, 0);
  g_assert_cmpint (metered_disconnected_event_get_code (event), ==, METERED_CLOSE_CODE_MESSAGE_TOO_BIG);
  g_assert_true (metered_disconnected_event_get_will_reconnect (event));
  g_assert_cmpuint (rec->directs->len, ==, 0);

  test_wait_for (rec->connected->len == 2, 5);

  /* Far beyond the cap, the WebSocket layer itself gives up on the frame:
   * the same code results. */
  {
    g_autofree char *filler2 = g_strnfill (5 * 1024 * 1024 / 2, 'y');
    g_autofree char *huger = g_strdup_printf ("{\"type\":\"direct\",\"from\":\"big\",\"data\":\"%s\"}", filler2);

    g_assert_cmpuint (metered_dev_server_hook_send_raw (server, NULL, huger), ==, 1);
    test_wait_for (rec->disconnected->len == 2, 5);
    event = g_ptr_array_index (rec->disconnected, 1);
    g_assert_cmpint (metered_disconnected_event_get_code (event), ==, METERED_CLOSE_CODE_MESSAGE_TOO_BIG);
    test_wait_for (rec->connected->len == 3, 5);
  }

  g_assert_cmpuint (rec->directs->len, ==, 0);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* Malformed frames are dropped and change nothing. */
static void
test_malformed_frames (void)
{
  const char * const bad[] = {
    "not json",
    "[1,2]",
    "42",
    "{\"no\":\"type\"}",
    "{\"type\":7}",
    "{\"type\":\"nonsense\"}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\"}",
    "{\"type\":\"message\",\"from\":\"p\",\"data\":1}",
    "{\"type\":\"direct\",\"data\":1}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[{\"id\":1}],\"left\":[]}",
    "{\"type\":\"ack\"}",
    "{\"type\":\"error\"}",
    "{\"type\":\"welcome\",\"peerId\":\"x\"}",
  };
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;
  const char *peer;
  MeteredMessageEvent *message;

  test_connect_ok (client);
  peer = metered_client_get_peer_id (client);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    metered_dev_server_hook_send_raw (server, peer, bad[i]);

  /* Nesting deeper than the parser allows. */
  {
    g_autofree char *open = g_strnfill (100, '[');
    g_autofree char *close = g_strnfill (100, ']');
    g_autofree char *deep = g_strdup_printf ("{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\","
                                             "\"data\":%s1%s}", open, close);

    metered_dev_server_hook_send_raw (server, peer, deep);
  }

  /* A second welcome is ignored too. */
  metered_dev_server_hook_send_raw (server, peer,
                                    "{\"type\":\"welcome\",\"peerId\":\"intruder\",\"serverTime\":1,"
                                    "\"maxMessageSize\":5,\"expiresAt\":null}");
  metered_dev_server_hook_send_raw (server, peer,
                                    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"srv\",\"data\":null}");
  test_wait_for (rec->messages->len == 1, 5);

  message = g_ptr_array_index (rec->messages, 0);
  g_assert_cmpstr (metered_message_event_get_channel (message), ==, "c");
  g_assert_cmpstr (metered_message_event_get_data_text (message), ==, "null");
  g_assert_cmpuint (rec->connected->len, ==, 1);
  g_assert_cmpuint (rec->directs->len, ==, 0);
  g_assert_cmpuint (rec->presences->len, ==, 0);
  g_assert_cmpuint (rec->server_errors->len, ==, 0);
  g_assert_cmpuint (rec->disconnected->len, ==, 0);
  g_assert_cmpstr (metered_client_get_peer_id (client), ==, peer);
  g_assert_cmpint (metered_client_get_max_message_size (client), ==, 65536);

  g_assert_true (test_publish (client, "still/works", "true", &error));
  g_assert_no_error (error);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_going_away_frames (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);

  test_connect_ok (client);
  metered_dev_server_hook_send_raw (server, NULL, "{\"type\":\"going_away\"}");
  metered_dev_server_hook_send_raw (server, NULL, "{\"type\":\"going_away\",\"retryAfterMs\":-5}");
  metered_dev_server_hook_send_raw (server, NULL, "{\"type\":\"going_away\",\"retryAfterMs\":2500}");
  test_wait_for (rec->going_aways->len == 3, 5);

  g_assert_cmpfloat (metered_going_away_event_get_retry_after (g_ptr_array_index (rec->going_aways, 0)), ==, 1.0);
  g_assert_cmpfloat (metered_going_away_event_get_retry_after (g_ptr_array_index (rec->going_aways, 1)), ==, 1.0);
  g_assert_cmpfloat (metered_going_away_event_get_retry_after (g_ptr_array_index (rec->going_aways, 2)), ==, 2.5);

  /* Informational only. */
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add_func ("/client/watchdog/inactivity", test_inactivity);
  g_test_add_func ("/client/watchdog/keepalive", test_keepalive);
  g_test_add_func ("/client/watchdog/disabled", test_watchdog_disabled);
  g_test_add_func ("/client/watchdog/welcome-timeout", test_welcome_timeout);
  g_test_add_func ("/client/watchdog/close-during-handshake", test_close_during_handshake);
  g_test_add_func ("/client/watchdog/close-flush-timeout", test_close_flush_timeout);
  g_test_add_func ("/client/frames/oversized", test_oversized_frame);
  g_test_add_func ("/client/frames/malformed", test_malformed_frames);
  g_test_add_func ("/client/frames/going-away", test_going_away_frames);

  return g_test_run ();
}
