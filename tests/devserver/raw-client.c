/* raw-client.c: a WebSocket peer written by hand over a plain socket
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>
#include <sys/socket.h>

#include "devserver-test-util.h"
#include "metered-websocket-frame-private.h"
#include "raw-client.h"

void
raw_free (RawClient *raw)
{
  g_socket_close (raw->socket, NULL);
  g_clear_object (&raw->socket);
  g_byte_array_unref (raw->in);
  g_free (raw);
}

void
raw_pump (RawClient *raw)
{
  guint8 buffer[65536];

  while (!raw->eof)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (raw->socket, (char *)buffer, sizeof buffer, NULL, &error);

      if (n > 0)
        g_byte_array_append (raw->in, buffer, n);
      else if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        raw->eof = TRUE;
      else
        break;
    }
}

gboolean
raw_write (RawClient    *raw,
           const guint8 *data,
           gsize         len)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (len > 0 && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (raw->socket, (const char *)data, len, NULL, &error);

      if (n > 0)
        {
          data += n;
          len -= n;
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          raw_pump (raw);
          g_main_context_iteration (NULL, FALSE);
        }
      else
        {
          return FALSE;
        }
    }

  return len == 0;
}

static gboolean
raw_has_headers (gpointer data)
{
  RawClient *raw = data;

  raw_pump (raw);
  return raw->eof ||
         (raw->in->len > 0 && g_strstr_len ((const char *)raw->in->data, raw->in->len, "\r\n\r\n") != NULL);
}

RawClient *
raw_connect (MeteredDevServer *server,
             const char       *query,
             int               rcvbuf)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, metered_dev_server_get_port (server));
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  RawClient *raw = g_new0 (RawClient, 1);
  const char *end;

  raw->in = g_byte_array_new ();
  raw->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  if (rcvbuf > 0)
    {
      g_socket_set_option (raw->socket, SOL_SOCKET, SO_RCVBUF, rcvbuf, &error);
      g_assert_no_error (error);
    }
  g_socket_connect (raw->socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (raw->socket, FALSE);

  request = g_strdup_printf ("GET /v1?%s HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "\r\n", query);
  g_assert_true (raw_write (raw, (const guint8 *)request, strlen (request)));
  g_assert_true (test_wait_until (raw_has_headers, raw, TEST_TIMEOUT_MS));
  g_assert_true (g_str_has_prefix ((const char *)raw->in->data, "HTTP/1.1 101"));

  end = g_strstr_len ((const char *)raw->in->data, raw->in->len, "\r\n\r\n");
  g_byte_array_remove_range (raw->in, 0, end + 4 - (const char *)raw->in->data);

  return raw;
}

RawClient *
raw_connect_welcomed (MeteredDevServer *server,
                      const char       *query,
                      int               rcvbuf)
{
  RawClient *raw = raw_connect (server, query, rcvbuf);
  g_autofree char *welcome = raw_next_text (raw, NULL);

  g_assert_nonnull (welcome);
  g_assert_true (g_str_has_prefix (welcome, "{\"type\":\"welcome\""));

  return raw;
}

gboolean
raw_send_frame_full (RawClient    *raw,
                     guint8        first_byte,
                     const guint8 *payload,
                     gsize         len,
                     gboolean      masked)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  g_autoptr(GByteArray) frame = g_byte_array_sized_new (len + METERED_WEBSOCKET_MAX_HEADER_BYTES);
  guint8 header[METERED_WEBSOCKET_MAX_HEADER_BYTES];
  gsize header_len;

  /* The codec writes the length and mask; the first byte is whatever the
   * test wants, valid or not. */
  header_len = metered_websocket_frame_write_header (header, TRUE, METERED_WEBSOCKET_OPCODE_TEXT, len,
                                                     masked ? mask : NULL);
  header[0] = first_byte;

  g_byte_array_append (frame, header, header_len);
  g_byte_array_append (frame, payload, len);
  if (masked)
    metered_websocket_frame_apply_mask (frame->data + header_len, len, mask, 0);

  return raw_write (raw, frame->data, frame->len);
}

gboolean
raw_send_text (RawClient  *raw,
               const char *text,
               gsize       len)
{
  return raw_send_frame_full (raw, 0x81, (const guint8 *)text, len, TRUE);
}

gboolean
raw_take_frame (RawClient  *raw,
                guint8     *opcode,
                GBytes    **payload)
{
  MeteredWebsocketFrameHeader header;
  const char *problem = NULL;

  switch (metered_websocket_frame_parse_header (raw->in->data, raw->in->len, FALSE, &header, &problem))
    {
    case METERED_WEBSOCKET_PARSE_NEED_MORE:
      return FALSE;
    case METERED_WEBSOCKET_PARSE_ERROR:
      g_error ("the server sent a malformed frame: %s", problem);
    case METERED_WEBSOCKET_PARSE_OK:
      break;
    }

  if (raw->in->len - header.header_length < header.payload_length)
    return FALSE;

  *opcode = header.opcode;
  *payload = g_bytes_new (raw->in->data + header.header_length, header.payload_length);
  g_byte_array_remove_range (raw->in, 0, header.header_length + header.payload_length);
  return TRUE;
}

typedef struct {
  RawClient  *raw;
  guint8      opcode;
  GBytes     *payload;
  gboolean    have;
} NextFrame;

static gboolean
raw_frame_ready (gpointer data)
{
  NextFrame *next = data;

  raw_pump (next->raw);
  next->have = raw_take_frame (next->raw, &next->opcode, &next->payload);
  return next->have || next->raw->eof;
}

char *
raw_next_text (RawClient *raw,
               gushort   *close_code)
{
  for (;;)
    {
      NextFrame next = { raw, 0, NULL, FALSE };
      g_autoptr(GBytes) payload = NULL;
      gsize len;
      const guint8 *data;

      test_wait_until (raw_frame_ready, &next, TEST_TIMEOUT_MS);
      if (!next.have)
        {
          if (close_code != NULL)
            *close_code = 0;
          return NULL;
        }

      payload = next.payload;
      data = g_bytes_get_data (payload, &len);

      if (next.opcode == METERED_WEBSOCKET_OPCODE_CLOSE)
        {
          if (close_code != NULL)
            *close_code = len >= 2 ? (data[0] << 8) | data[1] : 0;
          return NULL;
        }

      if (next.opcode == METERED_WEBSOCKET_OPCODE_TEXT)
        return g_strndup ((const char *)data, len);
    }
}
