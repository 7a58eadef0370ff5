/* test-devserver-output.c: how the server writes to its peers
 *
 * Fan-out frames queued during one main-loop dispatch leave in one write,
 * a peer that stops reading is closed (1008) once its unread output passes
 * the limit, instead of growing the server's memory, and the test hooks'
 * raw bytes keep their place among the frames.
 *
 * The peers here are raw sockets, so that the test sees the bytes and the
 * TCP segments exactly as the server sent them.
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/socket.h>

#include "devserver-test-util.h"

typedef struct {
  GSocket    *socket;
  GByteArray *in;
  gboolean    eof;
} Raw;

static void
raw_free (Raw *raw)
{
  g_clear_object (&raw->socket);
  g_byte_array_unref (raw->in);
  g_free (raw);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

/* Reads what is there without blocking; TRUE if anything came. */
static gboolean
raw_pump (Raw *raw)
{
  guint8 buffer[65536];
  gboolean any = FALSE;
  gssize n;

  while ((n = g_socket_receive (raw->socket, (char *)buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      g_byte_array_append (raw->in, buffer, n);
      any = TRUE;
    }

  if (n == 0)
    raw->eof = TRUE;

  return any;
}

static void
raw_send_text (Raw        *raw,
               const char *text)
{
  static const guint8 mask[4] = { 0x0a, 0x0b, 0x0c, 0x0d };
  gsize len = strlen (text);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 header[4] = { 0x81, 0, 0, 0 };
  gsize header_len = 2;

  if (len < 126)
    {
      header[1] = 0x80 | len;
    }
  else
    {
      g_assert_cmpuint (len, <, 65536);
      header[1] = 0x80 | 126;
      header[2] = len >> 8;
      header[3] = len & 0xff;
      header_len = 4;
    }

  g_byte_array_append (frame, header, header_len);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = text[i] ^ mask[i & 3];

      g_byte_array_append (frame, &byte, 1);
    }

  g_assert_cmpint (g_socket_send (raw->socket, (const char *)frame->data, frame->len, NULL, NULL),
                   ==, frame->len);
}

/* Takes the next whole frame off the input; FALSE if there is none yet. */
static gboolean
raw_take_frame (Raw      *raw,
                guint8   *opcode,
                GBytes  **payload)
{
  const guint8 *data = raw->in->data;
  guint64 len;
  gsize at = 2;

  if (raw->in->len < 2)
    return FALSE;

  len = data[1] & 0x7f;
  if (len == 126)
    {
      if (raw->in->len < 4)
        return FALSE;
      len = (data[2] << 8) | data[3];
      at = 4;
    }
  else if (len == 127)
    {
      if (raw->in->len < 10)
        return FALSE;
      len = 0;
      for (guint i = 0; i < 8; i++)
        len = (len << 8) | data[2 + i];
      at = 10;
    }

  if (raw->in->len < at + len)
    return FALSE;

  *opcode = data[0] & 0x0f;
  *payload = g_bytes_new (data + at, len);
  g_byte_array_remove_range (raw->in, 0, at + len);
  return TRUE;
}

static gboolean
raw_has_upgrade (gpointer data)
{
  Raw *raw = data;

  raw_pump (raw);
  return (raw->in->len > 0 &&
          g_strstr_len ((const char *)raw->in->data, raw->in->len, "\r\n\r\n") != NULL) || raw->eof;
}

typedef struct {
  Raw       *raw;
  guint8     opcode;
  GBytes    *payload;
} Next;

static gboolean
raw_frame_ready (gpointer data)
{
  Next *next = data;

  raw_pump (next->raw);
  return raw_take_frame (next->raw, &next->opcode, &next->payload) || next->raw->eof;
}

/* The next text frame, skipping pings; NULL at a close frame or EOF. */
static char *
raw_next_text (Raw *raw)
{
  for (;;)
    {
      Next next = { raw, 0, NULL };
      g_autoptr(GBytes) payload = NULL;
      const guint8 *data;
      gsize len;

      g_assert_true (test_wait_until (raw_frame_ready, &next, TEST_TIMEOUT_MS));
      if (next.payload == NULL)
        return NULL;

      payload = next.payload;
      data = g_bytes_get_data (payload, &len);
      if (next.opcode == 0x8)
        return NULL;
      if (next.opcode == 0x1)
        return g_strndup ((const char *)data, len);
    }
}

/* Connects and reads the upgrade answer and welcome. A small @rcvbuf
 * (before connecting, so the TCP window stays small) makes a peer that
 * stops reading fill up quickly; 0 keeps the default. */
static Raw *
raw_connect (MeteredDevServer *server,
             int               rcvbuf)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, metered_dev_server_get_port (server));
  g_autoptr(GError) error = NULL;
  g_autofree char *welcome = NULL;
  const char request[] = "GET /v1?key=pk_live_dev HTTP/1.1\r\n"
                         "Host: 127.0.0.1\r\n"
                         "Upgrade: websocket\r\n"
                         "Connection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n"
                         "\r\n";
  Raw *raw = g_new0 (Raw, 1);
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

  g_assert_cmpint (g_socket_send (raw->socket, request, sizeof request - 1, NULL, NULL), ==, sizeof request - 1);
  g_assert_true (test_wait_until (raw_has_upgrade, raw, TEST_TIMEOUT_MS));
  g_assert_true (g_str_has_prefix ((const char *)raw->in->data, "HTTP/1.1 101"));
  end = g_strstr_len ((const char *)raw->in->data, raw->in->len, "\r\n\r\n");
  g_byte_array_remove_range (raw->in, 0, end + 4 - (const char *)raw->in->data);

  welcome = raw_next_text (raw);
  g_assert_nonnull (welcome);
  g_assert_true (g_str_has_prefix (welcome, "{\"type\":\"welcome\""));

  return raw;
}

static void
raw_subscribe (Raw        *raw,
               const char *channel)
{
  g_autofree char *request = g_strdup_printf ("{\"type\":\"subscribe\",\"channel\":\"%s\",\"requestId\":\"s\"}", channel);
  g_autofree char *ack = NULL;
  g_autofree char *snapshot = NULL;

  raw_send_text (raw, request);
  ack = raw_next_text (raw);
  g_assert_nonnull (ack);
  g_assert_true (g_str_has_prefix (ack, "{\"type\":\"ack\""));
  snapshot = raw_next_text (raw);
  g_assert_nonnull (snapshot);
  g_assert_true (g_str_has_prefix (snapshot, "{\"type\":\"presence\""));
}

static guint
segments_in (Raw *raw)
{
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  g_assert_cmpint (getsockopt (g_socket_get_fd (raw->socket), IPPROTO_TCP, TCP_INFO, &info, &len), ==, 0);
  return info.tcpi_segs_in;
}

typedef struct {
  Raw   *raw;
  guint  wanted;
  guint  got;
} Acks;

static gboolean
acks_in (gpointer data)
{
  Acks *acks = data;
  guint8 opcode;
  GBytes *payload;

  raw_pump (acks->raw);
  while (raw_take_frame (acks->raw, &opcode, &payload))
    {
      if (opcode == 0x1 && g_str_has_prefix (g_bytes_get_data (payload, NULL), "{\"type\":\"ack\""))
        acks->got++;
      g_bytes_unref (payload);
    }

  return acks->got >= acks->wanted;
}

#define BATCH 200

/* A burst of publishes read in one go fans out as one write per
 * subscriber, not one per frame: the subscriber's socket sees a handful
 * of TCP segments for the whole burst. */
static void
test_batched_writes (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(Raw) subscriber = raw_connect (server, 0);
  g_autoptr(Raw) publisher = raw_connect (server, 0);
  g_autoptr(GString) burst = g_string_new (NULL);
  Acks acks = { publisher, BATCH, 0 };
  guint before;
  guint messages = 0;

  raw_subscribe (subscriber, "room");
  test_spin (50);
  raw_pump (subscriber);
  g_byte_array_set_size (subscriber->in, 0);

  /* All the publishes in one write, so that the server reads them
   * together. */
  for (guint i = 0; i < BATCH; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"room\",\"requestId\":\"p%u\",\"data\":%u}", i, i);
      static const guint8 mask[4] = { 0, 0, 0, 0 };
      guint8 header[2] = { 0x81, 0x80 | strlen (text) };

      g_string_append_len (burst, (const char *)header, 2);
      g_string_append_len (burst, (const char *)mask, 4);
      g_string_append (burst, text);
    }

  before = segments_in (subscriber);
  g_assert_cmpint (g_socket_send (publisher->socket, burst->str, burst->len, NULL, NULL), ==, burst->len);
  g_assert_true (test_wait_until (acks_in, &acks, TEST_TIMEOUT_MS));

  /* Every message is there, in order. */
  while (messages < BATCH)
    {
      g_autofree char *text = raw_next_text (subscriber);
      g_autofree char *expected = g_strdup_printf ("\"data\":%u}", messages);

      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, "{\"type\":\"message\""));
      g_assert_true (g_str_has_suffix (text, expected));
      messages++;
    }

  /* One frame per write would be BATCH segments. */
  g_test_message ("%u messages in %u segments", BATCH, segments_in (subscriber) - before);
  g_assert_cmpuint (segments_in (subscriber) - before, <=, BATCH / 20);
}

typedef struct {
  MeteredDevServer *server;
  Raw              *publisher;
  const char       *text;
  guint             published;
} Pressure;

/* Publishes one more message each time it is asked, until the slow
 * subscriber is gone. */
static gboolean
slow_peer_gone (gpointer data)
{
  Pressure *pressure = data;

  if (metered_dev_server_get_n_connections (pressure->server) < 2)
    return TRUE;

  raw_send_text (pressure->publisher, pressure->text);
  pressure->published++;
  return FALSE;
}

/* Everything a slow peer was sent before its close frame, parsed as it
 * comes in: megabytes of it, so without moving the buffer per frame. */
typedef struct {
  Raw     *raw;
  gsize    parsed;
  guint    messages;
  gushort  close_code;
} Backlog;

static gboolean
close_frame_read (gpointer data)
{
  Backlog *backlog = data;
  GByteArray *in = backlog->raw->in;

  raw_pump (backlog->raw);
  while (backlog->close_code == 0 && in->len - backlog->parsed >= 4)
    {
      const guint8 *frame = in->data + backlog->parsed;
      gsize header = 2;
      gsize len = frame[1] & 0x7f;

      /* The server sends these frames with 7- or 16-bit lengths. */
      g_assert_cmpuint (len, !=, 127);
      if (len == 126)
        {
          len = (frame[2] << 8) | frame[3];
          header = 4;
        }
      if (in->len - backlog->parsed < header + len)
        break;

      if ((frame[0] & 0x0f) == 0x8)
        {
          g_assert_cmpuint (len, >=, 2);
          backlog->close_code = (frame[header] << 8) | frame[header + 1];
        }
      else if ((frame[0] & 0x0f) == 0x1)
        {
          g_assert_true (len > 20 && memcmp (frame + header, "{\"type\":\"message\"", 17) == 0);
          g_assert_cmpint (frame[header + len - 1], ==, '}');
          backlog->messages++;
        }
      backlog->parsed += header + len;
    }

  return backlog->close_code != 0 || backlog->raw->eof;
}

static gboolean
drain_until_close (gpointer data)
{
  Raw *raw = data;

  raw_pump (raw);
  return raw->eof;
}

/* A subscriber that stops reading is closed with 1008 once its unread
 * output passes the limit; what it was sent before is still intact. */
static void
test_slow_consumer (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"limits\":{\"messageRatePerSecond\":0,\"messageBurst\":0}}");
  g_autoptr(Raw) slow = NULL;
  g_autoptr(Raw) publisher = NULL;
  g_autofree char *pad = g_strnfill (8000, 'x');
  g_autofree char *text = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"room\",\"data\":\"%s\"}", pad);
  Pressure pressure = { server, NULL, text, 0 };
  Backlog backlog = { NULL, 0, 0, 0 };

  metered_dev_server_set_output_limit (server, 256 * 1024);
  slow = raw_connect (server, 4096);
  publisher = raw_connect (server, 0);
  pressure.publisher = publisher;
  raw_subscribe (slow, "room");
  backlog.raw = slow;

  /* The kernel buffers take a few MB, then the server's queue fills. */
  g_assert_true (test_wait_until (slow_peer_gone, &pressure, 10 * TEST_TIMEOUT_MS));
  g_assert_cmpuint (pressure.published, >, 1);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 1);

  /* Reading now finds the messages, then the close frame. */
  g_assert_true (test_wait_until (close_frame_read, &backlog, 2 * TEST_TIMEOUT_MS));
  g_assert_cmpuint (backlog.close_code, ==, 1008);
  g_assert_cmpuint (backlog.messages, >, 0);
  /* Past the limit nothing more was queued for it. */
  g_assert_cmpuint (backlog.messages, <, pressure.published);

  /* Answering the close frame ends the connection at once. */
  {
    static const guint8 answer[] = { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf0 };

    g_assert_cmpint (g_socket_send (slow->socket, (const char *)answer, sizeof answer, NULL, NULL),
                     ==, sizeof answer);
  }
  g_assert_true (test_wait_until (drain_until_close, slow, TEST_TIMEOUT_MS));

  /* The publisher was never affected. */
  {
    g_autoptr(TestClient) watcher = test_client_connect (server, "key=pk_live_dev");

    json_object_unref (test_client_subscribe (watcher, "room", FALSE));
    raw_send_text (publisher, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1}");
    json_object_unref (test_client_expect (watcher, "message"));
  }
}

/* The test hooks' raw bytes (a text frame that is not UTF-8) go into the
 * same queue as every other frame, so they arrive in the order sent. */
static void
test_raw_bytes_in_order (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(Raw) peer = raw_connect (server, 0);
  g_autoptr(GBytes) invalid = g_bytes_new_static ("\xff\xfe", 2);
  g_autoptr(GBytes) binary = g_bytes_new_static ("\x01\x02", 2);
  static const char *expected[] = { "{\"n\":1}", "\xff\xfe", "{\"n\":2}" };
  guint8 opcode = 0;
  GBytes *payload = NULL;

  g_assert_cmpuint (metered_dev_server_hook_send_raw (server, NULL, expected[0]), ==, 1);
  g_assert_cmpuint (metered_dev_server_hook_send_bytes (server, NULL, invalid, FALSE), ==, 1);
  g_assert_cmpuint (metered_dev_server_hook_send_raw (server, NULL, expected[2]), ==, 1);
  g_assert_cmpuint (metered_dev_server_hook_send_bytes (server, NULL, binary, TRUE), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *text = raw_next_text (peer);

      g_assert_cmpstr (text, ==, expected[i]);
    }

  /* The binary frame came last, as sent. */
  g_assert_true (raw_take_frame (peer, &opcode, &payload));
  g_assert_cmpuint (opcode, ==, 0x2);
  g_assert_true (g_bytes_equal (payload, binary));
  g_bytes_unref (payload);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/output/batched-writes", test_batched_writes);
  g_test_add_func ("/devserver/output/slow-consumer", test_slow_consumer);
  g_test_add_func ("/devserver/output/raw-bytes-in-order", test_raw_bytes_in_order);

  return g_test_run ();
}
