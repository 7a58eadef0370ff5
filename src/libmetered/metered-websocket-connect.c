/* metered-websocket-connect.c: the client side of the WebSocket upgrade
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-websocket-connect"

#include <string.h>

#include <libsoup/soup.h>

#include "metered-websocket-connect-private.h"
#include "metered-websocket-frame-private.h"

/* An upgrade answer is a status line and a few headers; anything longer is
 * a server that does not speak WebSocket (or one that never stops). */
#define MAX_RESPONSE_BYTES (16 * 1024)
#define READ_CHUNK_BYTES   4096
#define KEY_BYTES          16

typedef struct {
  GSocketClient     *socket_client;
  GTlsDatabase      *tls_database;
  GSocketConnection *connection;
  char              *request;       /* holds the credential: wiped on free */
  gsize              request_length;
  char              *key;
  GByteArray        *response;
  guint8             chunk[READ_CHUNK_BYTES];
  guint              http_status;
} ConnectData;

static void
wipe_free (char   *text,
           gsize   length)
{
  if (text == NULL)
    return;

  memset (text, 0, length);
  g_free (text);
}

static void
connect_data_free (ConnectData *data)
{
  if (data->socket_client != NULL)
    g_signal_handlers_disconnect_by_data (data->socket_client, data);
  g_clear_object (&data->socket_client);
  g_clear_object (&data->tls_database);
  g_clear_object (&data->connection);
  wipe_free (data->request, data->request_length);
  g_free (data->key);
  g_clear_pointer (&data->response, g_byte_array_unref);
  g_free (data);
}

static void
return_handshake_error (GTask      *task,
                        const char *message)
{
  g_task_return_new_error (task, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_HANDSHAKE,
                           "%s", message);
  g_object_unref (task);
}

static char *
make_key (void)
{
  guint8 nonce[KEY_BYTES];

  for (guint i = 0; i < KEY_BYTES; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (nonce + i, &r, 4);
    }

  return g_base64_encode (nonce, sizeof nonce);
}

/* The Host header and the address GSocketClient connects to: no path, no
 * query, no user info, so neither the proxy resolver nor an error message
 * ever sees the credential. */
static char *
format_host_port (const char *host,
                  int         port,
                  int         default_port)
{
  GString *text = g_string_new (NULL);

  /* IPv6 literals are bracketed, as in a URL. */
  if (strchr (host, ':') != NULL)
    g_string_append_printf (text, "[%s]", host);
  else
    g_string_append (text, host);

  if (port != default_port)
    g_string_append_printf (text, ":%d", port);

  return g_string_free (text, FALSE);
}

static gboolean
header_present (SoupMessageHeaders *headers,
                const char         *name)
{
  return soup_message_headers_get_list (headers, name) != NULL;
}

/* Checks the answer in @data->response up to @header_end (the blank line
 * included). Returns NULL when it is a valid 101, or the problem. */
static const char *
check_response (ConnectData *data,
                gsize        header_end)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *reason = NULL;
  g_autofree char *expected = NULL;
  const char *accept;
  SoupHTTPVersion version;
  guint status = 0;

  if (!soup_headers_parse_response ((const char *) data->response->data, (int) header_end, headers,
                                    &version, &status, &reason))
    return "The server's answer to the WebSocket upgrade is not valid HTTP";

  data->http_status = status;
  if (status != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return NULL;

  if (!soup_message_headers_header_equals (headers, "Upgrade", "websocket"))
    return "The server's upgrade answer lacks \"Upgrade: websocket\"";
  if (!soup_message_headers_header_contains (headers, "Connection", "upgrade"))
    return "The server's upgrade answer lacks \"Connection: Upgrade\"";

  accept = soup_message_headers_get_one (headers, "Sec-WebSocket-Accept");
  expected = metered_websocket_frame_accept_key (data->key);
  if (accept == NULL || !g_str_equal (accept, expected))
    return "The server's upgrade answer has a wrong Sec-WebSocket-Accept";

  /* We offer no extension and no subprotocol (RFC 6455 §4.1). */
  if (header_present (headers, "Sec-WebSocket-Extensions"))
    return "The server chose a WebSocket extension that was not offered";
  if (header_present (headers, "Sec-WebSocket-Protocol"))
    return "The server chose a WebSocket subprotocol that was not offered";

  return NULL;
}

static void read_response (GTask *task);

static void
finish_upgrade (GTask *task,
                gsize  header_end)
{
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) leftover = NULL;
  g_autoptr(GError) error = NULL;
  MeteredWebsocket *websocket;
  const char *problem;

  problem = check_response (data, header_end);
  if (problem != NULL)
    {
      return_handshake_error (task, problem);
      return;
    }

  if (data->http_status != SOUP_STATUS_SWITCHING_PROTOCOLS)
    {
      g_task_return_new_error (task, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_HANDSHAKE,
                               "The server refused the WebSocket upgrade with HTTP %u",
                               data->http_status);
      g_object_unref (task);
      return;
    }

  /* The last moment to honour a cancellation: after this, the caller owns
   * an open connection. */
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  if (data->response->len > header_end)
    leftover = g_bytes_new (data->response->data + header_end, data->response->len - header_end);

  websocket = metered_websocket_new (G_IO_STREAM (data->connection), METERED_WEBSOCKET_ROLE_CLIENT, leftover);
  g_task_return_pointer (task, websocket, g_object_unref);
  g_object_unref (task);
}

static gssize
find_header_end (GByteArray *response,
                 gsize       searched)
{
  static const char terminator[] = "\r\n\r\n";
  gsize start = searched >= 3 ? searched - 3 : 0;

  for (gsize i = start; i + 4 <= response->len; i++)
    {
      if (memcmp (response->data + i, terminator, 4) == 0)
        return (gssize) (i + 4);
    }

  return -1;
}

static void
on_response_read (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  gsize searched = data->response->len;
  gssize header_end;

  if (n < 0)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (n == 0)
    {
      return_handshake_error (task, "The server closed the connection during the WebSocket upgrade");
      return;
    }

  g_byte_array_append (data->response, data->chunk, (guint) n);

  header_end = find_header_end (data->response, searched);
  if (header_end >= 0)
    {
      finish_upgrade (task, (gsize) header_end);
      return;
    }

  if (data->response->len > MAX_RESPONSE_BYTES)
    {
      return_handshake_error (task, "The server's answer to the WebSocket upgrade is too long");
      return;
    }

  read_response (task);
}

static void
read_response (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (data->connection));

  g_input_stream_read_async (input, data->chunk, sizeof data->chunk, g_task_get_priority (task),
                             g_task_get_cancellable (task), on_response_read, task);
}

static void
on_request_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  /* The request carries the credential: gone as soon as it is sent. */
  wipe_free (g_steal_pointer (&data->request), data->request_length);

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  read_response (task);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;
  GOutputStream *output;

  data->connection = g_socket_client_connect_to_uri_finish (G_SOCKET_CLIENT (source), result, &error);
  if (data->connection == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  output = g_io_stream_get_output_stream (G_IO_STREAM (data->connection));
  g_output_stream_write_all_async (output, data->request, data->request_length, g_task_get_priority (task),
                                   g_task_get_cancellable (task), on_request_written, task);
}

static void
on_socket_client_event (GSocketClient      *socket_client,
                        GSocketClientEvent  event,
                        GSocketConnectable *connectable,
                        GIOStream          *connection,
                        gpointer            user_data)
{
  ConnectData *data = user_data;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && data->tls_database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (connection), data->tls_database);
}

static char *
build_request (GUri       *uri,
               const char *host_header,
               const char *key,
               const char *user_agent)
{
  const char *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri);
  GString *request = g_string_sized_new (256);

  g_string_append (request, "GET ");
  g_string_append (request, path[0] != '\0' ? path : "/");
  if (query != NULL)
    {
      g_string_append_c (request, '?');
      g_string_append (request, query);
    }
  g_string_append_printf (request,
                          " HTTP/1.1\r\n"
                          "Host: %s\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: %s\r\n"
                          "Sec-WebSocket-Version: 13\r\n",
                          host_header, key);
  if (user_agent != NULL)
    g_string_append_printf (request, "User-Agent: %s\r\n", user_agent);
  g_string_append (request, "\r\n");

  return g_string_free (request, FALSE);
}

/* Parses @url; the errors never quote it. */
static gboolean
parse_url (const char  *url,
           GUri       **out_uri,
           gboolean    *out_tls,
           GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *scheme;
  const char *host;

  if (uri == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The WebSocket URL is not valid");
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "ws") == 0)
    *out_tls = FALSE;
  else if (g_ascii_strcasecmp (scheme, "wss") == 0)
    *out_tls = TRUE;
  else
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The WebSocket URL must start with ws:// or wss://");
      return FALSE;
    }

  if (host == NULL || host[0] == '\0' || strpbrk (host, "\r\n ") != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The WebSocket URL has no valid host");
      return FALSE;
    }

  *out_uri = g_steal_pointer (&uri);

  return TRUE;
}

void
metered_websocket_connect_async (const char          *url,
                                 GTlsDatabase        *tls_database,
                                 const char          *user_agent,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host_header = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *target = NULL;
  ConnectData *data;
  GTask *task;
  gboolean tls = FALSE;
  int default_port;
  int port;

  g_return_if_fail (url != NULL);
  g_return_if_fail (tls_database == NULL || G_IS_TLS_DATABASE (tls_database));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_websocket_connect_async);
  g_task_set_name (task, "[metered] websocket connect");
  /* Cancellation is checked by every step and once more before the
   * connection is handed over, so a connection never gets dropped unclosed
   * on its way to the caller. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (ConnectData, 1);
  data->response = g_byte_array_sized_new (READ_CHUNK_BYTES);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  if (!parse_url (url, &uri, &tls, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  default_port = tls ? 443 : 80;
  port = g_uri_get_port (uri);
  if (port < 0)
    port = default_port;

  host_header = format_host_port (g_uri_get_host (uri), port, default_port);
  host_port = format_host_port (g_uri_get_host (uri), port, -1);
  /* GSocketClient and the proxy resolver see an HTTP-like URI of the same
   * origin, without the path and the credential in the query. */
  target = g_strdup_printf ("%s://%s", tls ? "https" : "http", host_port);

  data->key = make_key ();
  data->request = build_request (uri, host_header, data->key, user_agent);
  data->request_length = strlen (data->request);
  data->tls_database = tls_database != NULL ? g_object_ref (tls_database) : NULL;

  data->socket_client = g_socket_client_new ();
  g_socket_client_set_tls (data->socket_client, tls);
  g_signal_connect (data->socket_client, "event", G_CALLBACK (on_socket_client_event), data);

  g_socket_client_connect_to_uri_async (data->socket_client, target, (guint16) default_port,
                                        cancellable, on_connected, task);
}

MeteredWebsocket *
metered_websocket_connect_finish (GAsyncResult  *result,
                                  guint         *http_status,
                                  GError       **error)
{
  ConnectData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (http_status != NULL)
    *http_status = data->http_status;

  return g_task_propagate_pointer (G_TASK (result), error);
}
