/* devserver-test-util.c: an in-process server and raw libsoup clients
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-jwt.h"
#include "devserver-test-util.h"
#include "test-timeout.h"

guint
test_scale_ms (guint ms)
{
  return (guint) MIN (ms * test_timeout_scale (), (double) G_MAXUINT);
}

static gboolean
on_wakeup (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
test_wait_until (gboolean (*done) (gpointer),
                 gpointer   data,
                 guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64)1000;
  guint wakeup = g_timeout_add (10, on_wakeup, NULL);
  gboolean result;

  while (!(result = done (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wakeup);
  return result;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
test_spin (guint ms)
{
  test_wait_until (never, NULL, ms);
}

MeteredDevServer *
test_server_new (const char *config_json)
{
  g_autoptr(MeteredDevConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  MeteredDevServer *server;

  if (config_json != NULL)
    {
      config = metered_dev_config_new_from_data (config_json, -1, &error);
      g_assert_no_error (error);
    }

  server = metered_dev_server_new (config);
  metered_dev_server_listen (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metered_dev_server_get_port (server), >, 0);

  return server;
}

static void
on_message (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            TestClient              *client)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  g_queue_push_tail (&client->frames, g_strndup (data, len));
}

static void
on_closed (SoupWebsocketConnection *ws,
           TestClient              *client)
{
  client->closed = TRUE;
  client->close_code = soup_websocket_connection_get_close_code (ws);
  client->close_reason = g_strdup (soup_websocket_connection_get_close_data (ws));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  TestClient *client = data;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &client->error);
  client->done = TRUE;

  if (client->ws != NULL)
    {
      /* Large enough for anything the tests make the server send. */
      soup_websocket_connection_set_max_incoming_payload_size (client->ws, 8 * 1024 * 1024);
      g_signal_connect (client->ws, "message", G_CALLBACK (on_message), client);
      g_signal_connect (client->ws, "closed", G_CALLBACK (on_closed), client);
    }
}

static gboolean
client_done (gpointer data)
{
  return ((TestClient *)data)->done;
}

TestClient *
test_client_open (MeteredDevServer *server,
                  const char       *query)
{
  return test_client_open_port (metered_dev_server_get_port (server), query);
}

TestClient *
test_client_connect (MeteredDevServer *server,
                     const char       *query)
{
  return test_client_connect_port (metered_dev_server_get_port (server), query);
}

TestClient *
test_client_open_port (guint       port,
                       const char *query)
{
  TestClient *client = g_new0 (TestClient, 1);
  g_autofree char *url = NULL;

  url = g_strdup_printf ("http://127.0.0.1:%u/v1?%s", port, query);
  client->session = soup_session_new ();
  client->msg = soup_message_new ("GET", url);
  g_queue_init (&client->frames);

  soup_session_websocket_connect_async (client->session, client->msg, NULL, NULL,
                                        G_PRIORITY_DEFAULT, NULL, on_connected, client);
  g_assert_true (test_wait_until (client_done, client, TEST_TIMEOUT_MS));

  return client;
}

TestClient *
test_client_connect_port (guint       port,
                          const char *query)
{
  TestClient *client = test_client_open_port (port, query);
  g_autoptr(JsonObject) welcome = NULL;

  g_assert_no_error (client->error);
  welcome = test_client_expect (client, "welcome");
  client->peer_id = g_strdup (json_object_get_string_member (welcome, "peerId"));

  return client;
}

static gboolean
client_closed (gpointer data)
{
  return ((TestClient *)data)->closed;
}

void
test_client_free (TestClient *client)
{
  if (client->ws != NULL)
    {
      if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->ws, 1000, NULL);
      test_wait_until (client_closed, client, TEST_TIMEOUT_MS);
      g_signal_handlers_disconnect_by_data (client->ws, client);
      g_clear_object (&client->ws);
    }

  g_queue_clear_full (&client->frames, g_free);
  g_clear_object (&client->msg);
  g_clear_object (&client->session);
  g_clear_error (&client->error);
  g_free (client->close_reason);
  g_free (client->peer_id);
  g_free (client);
}

void
test_client_send (TestClient *client,
                  const char *text)
{
  g_assert_nonnull (client->ws);
  soup_websocket_connection_send_text (client->ws, text);
}

static gboolean
has_frame_or_closed (gpointer data)
{
  TestClient *client = data;

  return !g_queue_is_empty (&client->frames) || client->closed;
}

JsonObject *
test_client_next (TestClient *client)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  test_wait_until (has_frame_or_closed, client, TEST_TIMEOUT_MS);
  text = g_queue_pop_head (&client->frames);
  if (text == NULL)
    g_error ("expected a frame, got %s", client->closed ? "a close" : "nothing");

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

JsonObject *
test_client_expect (TestClient *client,
                    const char *type)
{
  JsonObject *frame = test_client_next (client);

  g_assert_cmpstr (json_object_get_string_member_with_default (frame, "type", NULL), ==, type);
  return frame;
}

void
test_client_expect_nothing (TestClient *client,
                            guint       ms)
{
  test_spin (ms);
  if (!g_queue_is_empty (&client->frames))
    g_error ("expected no frame, got %s", (char *)g_queue_peek_head (&client->frames));
}

gushort
test_client_wait_closed (TestClient *client)
{
  g_assert_true (test_wait_until (client_closed, client, TEST_TIMEOUT_MS));
  return client->close_code;
}

JsonObject *
test_client_subscribe (TestClient *client,
                       const char *channel,
                       gboolean    include_sender_metadata)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autofree char *text = NULL;
  JsonObject *snapshot;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "subscribe");
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, channel);
  json_builder_set_member_name (builder, "requestId");
  json_builder_add_string_value (builder, "sub");
  if (include_sender_metadata)
    {
      json_builder_set_member_name (builder, "includeSenderMetadata");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);

  test_client_send (client, text);
  ack = test_client_expect (client, "ack");
  g_assert_cmpstr (json_object_get_string_member (ack, "requestId"), ==, "sub");
  snapshot = test_client_expect (client, "presence");
  g_assert_cmpstr (json_object_get_string_member (snapshot, "channel"), ==, channel);

  return snapshot;
}

void
test_client_expect_error (TestClient *client,
                          const char *text,
                          const char *code,
                          const char *request_id)
{
  g_autoptr(JsonObject) error = NULL;

  test_client_send (client, text);
  error = test_client_expect (client, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member_with_default (error, "requestId", NULL), ==, request_id);
  g_assert_true (json_object_has_member (error, "message"));
}

char *
test_make_token (const char *kid,
                 const char *secret,
                 const char *claims_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, claims_json, -1, &error);
  g_assert_no_error (error);

  return metered_jwt_sign (kid, secret, json_node_get_object (json_parser_get_root (parser)));
}

char *
test_token_query (const char *token)
{
  g_autofree char *escaped = g_uri_escape_string (token, NULL, FALSE);

  return g_strconcat ("token=", escaped, NULL);
}

typedef struct {
  GBytes   *body;
  GError   *error;
  gboolean  done;
} HttpResult;

static void
on_http_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  HttpResult *http = data;

  http->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &http->error);
  http->done = TRUE;
}

static gboolean
http_done (gpointer data)
{
  return ((HttpResult *)data)->done;
}

guint
test_http (MeteredDevServer *server,
           const char       *method,
           const char       *path,
           const char       *authorization,
           const char       *request_body,
           char            **body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", metered_dev_server_get_port (server), path);
  HttpResult http = { 0 };

  msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  if (authorization != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", authorization);
  if (request_body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (request_body, strlen (request_body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_http_done, &http);
  g_assert_true (test_wait_until (http_done, &http, TEST_TIMEOUT_MS));
  g_assert_no_error (http.error);

  if (body != NULL)
    *body = g_strndup (g_bytes_get_data (http.body, NULL), g_bytes_get_size (http.body));
  g_bytes_unref (http.body);

  return soup_message_get_status (msg);
}
