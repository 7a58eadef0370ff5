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
#include "metered-websocket-frame-private.h"
#include "raw-client.h"

static void
raw_subscribe (RawClient        *raw,
               const char *channel)
{
  g_autofree char *request = g_strdup_printf ("{\"type\":\"subscribe\",\"channel\":\"%s\",\"requestId\":\"s\"}", channel);
  g_autofree char *ack = NULL;
  g_autofree char *snapshot = NULL;

  g_assert_true (raw_send_text (raw, request, strlen (request)));
  ack = raw_next_text (raw, NULL);
  g_assert_nonnull (ack);
  g_assert_true (g_str_has_prefix (ack, "{\"type\":\"ack\""));
  snapshot = raw_next_text (raw, NULL);
  g_assert_nonnull (snapshot);
  g_assert_true (g_str_has_prefix (snapshot, "{\"type\":\"presence\""));
}

static guint
segments_in (RawClient *raw)
{
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  g_assert_cmpint (getsockopt (g_socket_get_fd (raw->socket), IPPROTO_TCP, TCP_INFO, &info, &len), ==, 0);
  return info.tcpi_segs_in;
}

typedef struct {
  RawClient   *raw;
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
  g_autoptr(RawClient) subscriber = raw_connect_welcomed (server, "key=pk_live_dev", 0);
  g_autoptr(RawClient) publisher = raw_connect_welcomed (server, "key=pk_live_dev", 0);
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
      g_autofree char *text = raw_next_text (subscriber, NULL);
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
  RawClient              *publisher;
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

  g_assert_true (raw_send_text (pressure->publisher, pressure->text, strlen (pressure->text)));
  pressure->published++;
  return FALSE;
}

/* Everything a slow peer was sent before its close frame, parsed as it
 * comes in: megabytes of it, so without moving the buffer per frame. */
typedef struct {
  RawClient     *raw;
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
  while (backlog->close_code == 0)
    {
      const guint8 *frame = in->data + backlog->parsed;
      MeteredWebsocketFrameHeader header;
      const char *problem = NULL;
      gsize len;

      if (metered_websocket_frame_parse_header (frame, in->len - backlog->parsed, FALSE, &header,
                                                &problem) != METERED_WEBSOCKET_PARSE_OK)
        {
          g_assert_null (problem);
          break;
        }
      /* The server sends these frames with 7- or 16-bit lengths. */
      g_assert_cmpuint (header.header_length, <=, 4);
      len = header.payload_length;
      if (in->len - backlog->parsed < header.header_length + len)
        break;

      frame += header.header_length;
      if (header.opcode == METERED_WEBSOCKET_OPCODE_CLOSE)
        {
          g_assert_cmpuint (len, >=, 2);
          backlog->close_code = (frame[0] << 8) | frame[1];
        }
      else if (header.opcode == METERED_WEBSOCKET_OPCODE_TEXT)
        {
          g_assert_true (len > 20 && memcmp (frame, "{\"type\":\"message\"", 17) == 0);
          g_assert_cmpint (frame[len - 1], ==, '}');
          backlog->messages++;
        }
      backlog->parsed += header.header_length + len;
    }

  return backlog->close_code != 0 || backlog->raw->eof;
}

static gboolean
drain_until_close (gpointer data)
{
  RawClient *raw = data;

  raw_pump (raw);
  return raw->eof;
}

/* A subscriber that stops reading is closed with 1008 once its unread
 * output passes the limit; what it was sent before is still intact. */
static void
test_slow_consumer (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new ("{\"limits\":{\"messageRatePerSecond\":0,\"messageBurst\":0}}");
  g_autoptr(RawClient) slow = NULL;
  g_autoptr(RawClient) publisher = NULL;
  g_autofree char *pad = g_strnfill (8000, 'x');
  g_autofree char *text = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"room\",\"data\":\"%s\"}", pad);
  Pressure pressure = { server, NULL, text, 0 };
  Backlog backlog = { NULL, 0, 0, 0 };

  metered_dev_server_set_output_limit (server, 256 * 1024);
  slow = raw_connect_welcomed (server, "key=pk_live_dev", 4096);
  publisher = raw_connect_welcomed (server, "key=pk_live_dev", 0);
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
    static const char publish[] = "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1}";

    g_assert_true (raw_send_text (publisher, publish, strlen (publish)));
    json_object_unref (test_client_expect (watcher, "message"));
  }
}

/* The test hooks' raw bytes (a text frame that is not UTF-8) go into the
 * same queue as every other frame, so they arrive in the order sent. */
static void
test_raw_bytes_in_order (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(RawClient) peer = raw_connect_welcomed (server, "key=pk_live_dev", 0);
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
      g_autofree char *text = raw_next_text (peer, NULL);

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
