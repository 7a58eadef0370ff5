/* test-websocket-connect.c: the client side of the WebSocket upgrade
 *
 * Against the real local server, and against small hand-written servers
 * that answer the upgrade wrongly in every way this client must survive.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-websocket-connect"

#include <string.h>

#include "client-test-util.h"
#include "metered-websocket-connect-private.h"
#include "metered-websocket-frame-private.h"

/* A credential that must never show up in an error message. */
#define SECRET "s3cr3t-credential"

typedef struct {
  MeteredWebsocket *websocket;
  GError           *error;
  guint             http_status;
  gboolean          done;
} ConnectResult;

static void
connect_result_clear (ConnectResult *result)
{
  g_clear_object (&result->websocket);
  g_clear_error (&result->error);
}

static void
on_connected (GObject      *source,
              GAsyncResult *res,
              gpointer      data)
{
  ConnectResult *result = data;

  g_assert_null (source);
  result->http_status = 12345;
  result->websocket = metered_websocket_connect_finish (res, &result->http_status, &result->error);
  g_assert_true ((result->websocket == NULL) != (result->error == NULL));
  result->done = TRUE;
}

static void
assert_no_secret (const GError *error,
                  const char   *url)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, SECRET));
  g_assert_null (strstr (error->message, url));
  g_assert_null (strstr (error->message, "?"));
}

static void
connect_and_wait (const char    *url,
                  GCancellable  *cancellable,
                  ConnectResult *result)
{
  metered_websocket_connect_async (url, NULL, "test-websocket-connect", cancellable, on_connected, result);
  g_assert_false (result->done);
  test_wait_for (result->done, 10);
}

/* The real server. */

static void
on_message (MeteredWebsocket         *websocket,
            MeteredWebsocketDataType  type,
            GBytes                   *payload,
            gpointer                  data)
{
  GString *received = data;

  g_assert_cmpint (type, ==, METERED_WEBSOCKET_DATA_TEXT);
  g_string_append_len (received, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
}

static void
on_closed (MeteredWebsocket *websocket,
           gpointer          data)
{
  gboolean *closed = data;

  *closed = TRUE;
}

static void
test_devserver_success (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *base = test_server_url (server);
  g_autofree char *url = g_strdup_printf ("%s/v1?key=%s", base, TEST_API_KEY);
  g_autoptr(GString) received = g_string_new (NULL);
  ConnectResult result = { 0 };
  gboolean closed = FALSE;

  connect_and_wait (url, NULL, &result);
  g_assert_no_error (result.error);
  g_assert_nonnull (result.websocket);
  g_assert_cmpuint (result.http_status, ==, 101);
  g_assert_cmpint (metered_websocket_get_state (result.websocket), ==, METERED_WEBSOCKET_STATE_OPEN);
  g_assert_true (G_IS_IO_STREAM (metered_websocket_get_io_stream (result.websocket)));

  /* The server speaks first: welcome. */
  g_signal_connect (result.websocket, "message", G_CALLBACK (on_message), received);
  g_signal_connect (result.websocket, "closed", G_CALLBACK (on_closed), &closed);
  test_wait_for (strstr (received->str, "\"welcome\"") != NULL, 10);

  metered_websocket_close (result.websocket, METERED_CLOSE_CODE_NORMAL, "bye");
  test_wait_for (closed, 10);
  g_assert_cmpint (metered_websocket_get_state (result.websocket), ==, METERED_WEBSOCKET_STATE_CLOSED);

  connect_result_clear (&result);
}

/* A credential the server cannot read is refused at the upgrade: HTTP 401. */
static void
test_devserver_refused (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autofree char *base = test_server_url (server);
  g_autofree char *url = g_strdup_printf ("%s/v1?token=not-a-jwt-" SECRET, base);
  ConnectResult result = { 0 };

  connect_and_wait (url, NULL, &result);
  g_assert_error (result.error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_HANDSHAKE);
  g_assert_cmpuint (result.http_status, ==, 401);
  g_assert_nonnull (strstr (result.error->message, "401"));
  assert_no_secret (result.error, url);

  connect_result_clear (&result);
}

/* Hand-written servers. Each answers the first request with a canned
 * answer; "%s" in it stands for the correct Sec-WebSocket-Accept. */

typedef enum {
  SERVE_ANSWER,       /* write the answer and keep the connection open */
  SERVE_ANSWER_CLOSE, /* write the answer and close */
  SERVE_ENDLESS,      /* headers that never end */
  SERVE_SILENT,       /* never answer */
} ServeMode;

typedef struct {
  GSocketService    *service;
  char              *url;
  ServeMode          mode;
  const char        *answer;
  GSocketConnection *connection;
  GString           *request;
  char               buffer[1024];
  gsize              endless_sent;
  GCancellable      *cancellable;
} FakeServer;

static void fake_write_endless (FakeServer *fake);

static void
on_endless_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  FakeServer *fake = data;
  g_autoptr(GError) error = NULL;

  /* The client hangs up once it has had enough. */
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    return;

  fake_write_endless (fake);
}

static void
fake_write_endless (FakeServer *fake)
{
  static const char header[] = "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (fake->connection));

  /* Far beyond any sane cap, so a client without one would show. */
  if (fake->endless_sent > 64 * 1024 * 1024)
    return;

  fake->endless_sent += sizeof header - 1;
  g_output_stream_write_all_async (out, header, sizeof header - 1, G_PRIORITY_DEFAULT, fake->cancellable,
                                   on_endless_written, fake);
}

static void
fake_answer (FakeServer *fake)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (fake->connection));
  g_autoptr(GError) error = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  const char *line = strstr (fake->request->str, "Sec-WebSocket-Key: ");
  const char *at;

  g_assert_nonnull (line);
  line += strlen ("Sec-WebSocket-Key: ");
  key = g_strndup (line, strcspn (line, "\r"));
  accept = metered_websocket_frame_accept_key (key);

  at = strstr (fake->answer, "%s");
  if (at != NULL)
    {
      g_string_append_len (answer, fake->answer, at - fake->answer);
      g_string_append (answer, accept);
      g_string_append (answer, at + 2);
    }
  else
    g_string_append (answer, fake->answer);

  g_output_stream_write_all (out, answer->str, answer->len, NULL, NULL, &error);
  g_assert_no_error (error);

  if (fake->mode == SERVE_ANSWER_CLOSE)
    {
      g_io_stream_close (G_IO_STREAM (fake->connection), NULL, &error);
      g_assert_no_error (error);
    }
}

static void
on_fake_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  FakeServer *fake = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n <= 0)
    return;

  g_string_append_len (fake->request, fake->buffer, n);

  if (strstr (fake->request->str, "\r\n\r\n") == NULL)
    {
      g_input_stream_read_async (G_INPUT_STREAM (source), fake->buffer, sizeof fake->buffer,
                                 G_PRIORITY_DEFAULT, fake->cancellable, on_fake_read, fake);
      return;
    }

  switch (fake->mode)
    {
    case SERVE_ANSWER:
    case SERVE_ANSWER_CLOSE:
      fake_answer (fake);
      break;
    case SERVE_ENDLESS:
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (fake->connection)),
                                 "HTTP/1.1 101 Switching Protocols\r\n",
                                 strlen ("HTTP/1.1 101 Switching Protocols\r\n"), NULL, NULL, &error);
      g_assert_no_error (error);
      fake_write_endless (fake);
      break;
    case SERVE_SILENT:
    default:
      break;
    }
}

static gboolean
on_fake_incoming (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  gpointer           data)
{
  FakeServer *fake = data;

  /* A connection a cancelled attempt left behind is replaced. */
  g_set_object (&fake->connection, connection);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                             fake->buffer, sizeof fake->buffer, G_PRIORITY_DEFAULT, fake->cancellable,
                             on_fake_read, fake);

  return TRUE;
}

static FakeServer *
fake_server_new (ServeMode   mode,
                 const char *answer)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  FakeServer *fake = g_new0 (FakeServer, 1);

  fake->mode = mode;
  fake->answer = answer;
  fake->request = g_string_new (NULL);
  fake->cancellable = g_cancellable_new ();
  fake->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (fake->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (fake->service, "incoming", G_CALLBACK (on_fake_incoming), fake);
  fake->url = g_strdup_printf ("ws://127.0.0.1:%u/v1?key=" SECRET,
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  return fake;
}

static void
fake_server_free (FakeServer *fake)
{
  g_cancellable_cancel (fake->cancellable);
  g_socket_service_stop (fake->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fake->service));
  g_signal_handlers_disconnect_by_data (fake->service, fake);
  if (fake->connection != NULL)
    g_io_stream_close (G_IO_STREAM (fake->connection), NULL, NULL);
  /* Let the cancelled operations finish before their data goes. */
  test_run_for (0.05);
  g_clear_object (&fake->connection);
  g_clear_object (&fake->service);
  g_clear_object (&fake->cancellable);
  g_string_free (fake->request, TRUE);
  g_free (fake->url);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

/* The request itself: the path and query as given, the headers RFC 6455
 * §4.1 requires, and a Host with the port. */
static void
test_request (void)
{
  g_autoptr(FakeServer) fake = fake_server_new (SERVE_SILENT, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *host = NULL;
  g_autofree char *key_line = NULL;
  g_autoptr(GBytes) key = NULL;
  g_auto(GStrv) lines = NULL;
  ConnectResult result = { 0 };
  const char *port = strrchr (fake->url, ':') + 1;
  guchar *decoded;
  gsize decoded_len;

  metered_websocket_connect_async (fake->url, NULL, "test-agent/1", cancellable, on_connected, &result);
  test_wait_for (strstr (fake->request->str, "\r\n\r\n") != NULL, 10);

  lines = g_strsplit (fake->request->str, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "GET /v1?key=" SECRET " HTTP/1.1");
  host = g_strdup_printf ("Host: 127.0.0.1:%.*s", (int) strcspn (port, "/"), port);
  g_assert_true (g_strv_contains ((const char * const *) lines, host));
  g_assert_true (g_strv_contains ((const char * const *) lines, "Upgrade: websocket"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "Connection: Upgrade"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "Sec-WebSocket-Version: 13"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "User-Agent: test-agent/1"));

  /* 16 random bytes, base64. */
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "Sec-WebSocket-Key: "))
      key_line = g_strdup (lines[i] + strlen ("Sec-WebSocket-Key: "));
  g_assert_nonnull (key_line);
  decoded = g_base64_decode (key_line, &decoded_len);
  key = g_bytes_new_take (decoded, decoded_len);
  g_assert_cmpuint (g_bytes_get_size (key), ==, 16);

  g_cancellable_cancel (cancellable);
  test_wait_for (result.done, 10);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (result.http_status, ==, 0);
  connect_result_clear (&result);
}

/* Bytes the server sent right behind its answer are the first frame. */
static void
test_leftover (void)
{
  static const char answer[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "upgrade: WebSocket\r\n"
    "connection: keep-alive, upgrade\r\n"
    "Sec-WebSocket-Accept: %s\r\n"
    "\r\n"
    "\x81\x05hello";
  g_autoptr(FakeServer) fake = fake_server_new (SERVE_ANSWER, answer);
  g_autoptr(GString) received = g_string_new (NULL);
  ConnectResult result = { 0 };

  connect_and_wait (fake->url, NULL, &result);
  g_assert_no_error (result.error);
  g_assert_cmpuint (result.http_status, ==, 101);

  g_signal_connect (result.websocket, "message", G_CALLBACK (on_message), received);
  test_wait_for (received->len == 5, 10);
  g_assert_cmpstr (received->str, ==, "hello");

  g_signal_handlers_disconnect_by_data (result.websocket, received);
  connect_result_clear (&result);
}

typedef struct {
  const char *name;
  ServeMode   mode;
  const char *answer;
  guint       http_status;
} BadAnswer;

static const BadAnswer bad_answers[] = {
  { "garbage", SERVE_ANSWER, "hello there\r\n\r\n", 0 },
  { "binary garbage", SERVE_ANSWER, "\x01\x02\xfe\xff\r\n\r\n", 0 },
  { "closed before answering", SERVE_ANSWER_CLOSE, "", 0 },
  { "closed mid-answer", SERVE_ANSWER_CLOSE, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n", 0 },
  { "endless headers", SERVE_ENDLESS, NULL, 0 },
  { "200 instead of 101", SERVE_ANSWER,
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200 },
  { "403", SERVE_ANSWER_CLOSE, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 403 },
  { "wrong accept key", SERVE_ANSWER,
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 101 },
  { "no accept key", SERVE_ANSWER,
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 101 },
  { "no Upgrade", SERVE_ANSWER,
    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", 101 },
  { "wrong Upgrade", SERVE_ANSWER,
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", 101 },
  { "no Connection", SERVE_ANSWER,
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: %s\r\n\r\n", 101 },
  { "extension not offered", SERVE_ANSWER,
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", 101 },
  { "subprotocol not offered", SERVE_ANSWER,
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: chat\r\n\r\n", 101 },
};

static void
test_bad_answers (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_answers); i++)
    {
      const BadAnswer *bad = &bad_answers[i];
      g_autoptr(FakeServer) fake = fake_server_new (bad->mode, bad->answer);
      ConnectResult result = { 0 };

      g_test_message ("%s", bad->name);
      connect_and_wait (fake->url, NULL, &result);
      g_assert_error (result.error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_HANDSHAKE);
      g_assert_null (result.websocket);
      g_assert_cmpuint (result.http_status, ==, bad->http_status);
      assert_no_secret (result.error, fake->url);
      connect_result_clear (&result);
    }
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  ConnectResult result = { 0 };

  /* A port that was free a moment ago and is closed now. */
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("ws://127.0.0.1:%u/v1?key=" SECRET,
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_listener_close (listener);

  connect_and_wait (url, NULL, &result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (result.http_status, ==, 0);
  assert_no_secret (result.error, url);
  connect_result_clear (&result);
}

static void
test_bad_urls (void)
{
  const char * const bad[] = {
    "http://127.0.0.1:1/v1?key=" SECRET,
    "not a url " SECRET,
    "ws:///v1?key=" SECRET,
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ConnectResult result = { 0 };

      connect_and_wait (bad[i], NULL, &result);
      g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      assert_no_secret (result.error, bad[i]);
      connect_result_clear (&result);
    }
}

/* Cancelled before the call, while connecting, and while waiting for the
 * answer: always G_IO_ERROR_CANCELLED, promptly. */
static void
test_cancel (void)
{
  g_autoptr(FakeServer) fake = fake_server_new (SERVE_SILENT, NULL);

  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    ConnectResult result = { 0 };

    g_cancellable_cancel (cancellable);
    connect_and_wait (fake->url, cancellable, &result);
    g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    connect_result_clear (&result);
  }

  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    ConnectResult result = { 0 };

    metered_websocket_connect_async (fake->url, NULL, NULL, cancellable, on_connected, &result);
    g_cancellable_cancel (cancellable);
    test_wait_for (result.done, 10);
    g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    connect_result_clear (&result);
  }

  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    ConnectResult result = { 0 };
    gint64 start;

    g_string_truncate (fake->request, 0);
    g_clear_object (&fake->connection);
    metered_websocket_connect_async (fake->url, NULL, NULL, cancellable, on_connected, &result);
    test_wait_for (strstr (fake->request->str, "\r\n\r\n") != NULL, 10);
    test_run_for (0.05);
    g_assert_false (result.done);

    start = g_get_monotonic_time ();
    g_cancellable_cancel (cancellable);
    test_wait_for (result.done, 10);
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
    g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    connect_result_clear (&result);
  }
}

int
main (int   argc,
      char *argv[])
{
  const char * const secrets[] = { SECRET, NULL };

  test_init (&argc, &argv);
  test_guard_logs (secrets);

  g_test_add_func ("/websocket-connect/devserver/success", test_devserver_success);
  g_test_add_func ("/websocket-connect/devserver/refused", test_devserver_refused);
  g_test_add_func ("/websocket-connect/request", test_request);
  g_test_add_func ("/websocket-connect/leftover", test_leftover);
  g_test_add_func ("/websocket-connect/bad-answers", test_bad_answers);
  g_test_add_func ("/websocket-connect/connection-refused", test_connection_refused);
  g_test_add_func ("/websocket-connect/bad-urls", test_bad_urls);
  g_test_add_func ("/websocket-connect/cancel", test_cancel);

  return g_test_run ();
}
