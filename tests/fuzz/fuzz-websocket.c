/* fuzz-websocket.c: the WebSocket frame header codec and MeteredWebsocket
 *
 * The header parser reads the input from every offset, in both roles: what
 * it accepts is within RFC 6455's limits and writes back to the same bytes
 * (lengths are minimally encoded, so the encoding is unique); what it asks
 * more bytes for is shorter than the longest header.
 *
 * Then byte 0 picks a configuration (bit 0: server role, bit 1: a 1000-byte
 * cap, bit 2: pause reading after each message and resume from an idle) and
 * the rest is what the peer sends, written into one end of a socket pair
 * whose other end is a MeteredWebsocket. The harness drains what the
 * connection writes back and checks that it is a sequence of well-formed
 * frames masked as its role requires; the connection must reach CLOSED
 * (the harness hangs up after the input), emitting ::closed exactly once.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-websocket"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metered-websocket-frame-private.h"
#include "metered-websocket-private.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_header_parser (const guint8 *data,
                     gsize         size,
                     gboolean      expect_masked)
{
  for (gsize offset = 0; offset < size; offset++)
    {
      MeteredWebsocketFrameHeader header;
      const char *problem = NULL;
      guint8 out[METERED_WEBSOCKET_MAX_HEADER_BYTES];
      gsize length;

      switch (metered_websocket_frame_parse_header (data + offset, size - offset, expect_masked,
                                                    &header, &problem))
        {
        case METERED_WEBSOCKET_PARSE_OK:
          g_assert_null (problem);
          g_assert_cmpuint (header.header_length, <=, size - offset);
          g_assert_cmpuint (header.header_length, <=, METERED_WEBSOCKET_MAX_HEADER_BYTES);
          g_assert_cmpuint (header.payload_length, <=, G_MAXINT64);
          g_assert_cmpint (header.masked, ==, expect_masked);
          if ((header.opcode & 0x08) != 0)
            {
              g_assert_true (header.fin);
              g_assert_cmpuint (header.payload_length, <=, 125);
            }
          length = metered_websocket_frame_write_header (out, header.fin, header.opcode,
                                                         header.payload_length,
                                                         expect_masked ? header.mask : NULL);
          g_assert_cmpmem (out, length, data + offset, header.header_length);
          break;

        case METERED_WEBSOCKET_PARSE_NEED_MORE:
          g_assert_cmpuint (size - offset, <, METERED_WEBSOCKET_MAX_HEADER_BYTES);
          break;

        case METERED_WEBSOCKET_PARSE_ERROR:
        default:
          g_assert_nonnull (problem);
          break;
        }
    }
}

typedef struct {
  MeteredWebsocket *ws;
  guint             closed;
  gboolean          pause;
  GSource          *resume;
  GByteArray       *written;    /* what the connection sent, not yet checked */
  gboolean          expect_masked;
} Run;

static gboolean
resume_reading (gpointer data)
{
  Run *run = data;

  g_clear_pointer (&run->resume, g_source_unref);
  metered_websocket_set_reading (run->ws, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_message (MeteredWebsocket         *ws,
            MeteredWebsocketDataType  type,
            GBytes                   *payload,
            Run                      *run)
{
  gsize length;
  const char *text = g_bytes_get_data (payload, &length);

  /* Valid UTF-8, in which U+0000 is allowed: each piece between NUL bytes
   * validates on its own. */
  if (type == METERED_WEBSOCKET_DATA_TEXT && length > 0)
    {
      const char *end = text + length;

      for (const char *p = text; p <= end; p += strnlen (p, end - p) + 1)
        g_assert_true (g_utf8_validate_len (p, strnlen (p, end - p), NULL));
    }

  if (run->pause && run->resume == NULL)
    {
      metered_websocket_set_reading (ws, FALSE);
      run->resume = g_idle_source_new ();
      g_source_set_callback (run->resume, resume_reading, run, NULL);
      g_source_attach (run->resume, g_main_context_get_thread_default ());
    }
}

static void
on_closed (MeteredWebsocket *ws,
           Run              *run)
{
  run->closed++;
}

/* Checks the whole frames in run->written and drops them. */
static void
check_written (Run *run)
{
  gsize at = 0;

  while (at < run->written->len)
    {
      MeteredWebsocketFrameHeader header;
      const char *problem = NULL;
      MeteredWebsocketParseResult result;

      result = metered_websocket_frame_parse_header (run->written->data + at, run->written->len - at,
                                                     run->expect_masked, &header, &problem);
      if (result == METERED_WEBSOCKET_PARSE_NEED_MORE)
        break;
      if (result == METERED_WEBSOCKET_PARSE_ERROR)
        g_error ("the connection wrote a bad frame: %s", problem);
      if (header.header_length + header.payload_length > run->written->len - at)
        break;
      at += header.header_length + header.payload_length;
    }

  if (at > 0)
    g_byte_array_remove_range (run->written, 0, at);
}

static void
drain (Run *run,
       int  fd)
{
  guint8 buffer[16384];
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_byte_array_append (run->written, buffer, n);
  check_written (run);
}

static void
run_connection (guint8        config,
                const guint8 *data,
                gsize         size)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  MeteredWebsocketRole role = (config & 1) ? METERED_WEBSOCKET_ROLE_SERVER : METERED_WEBSOCKET_ROLE_CLIENT;
  Run run = { 0 };
  gsize sent = 0;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  g_assert_cmpint (fcntl (fds[1], F_SETFL, O_NONBLOCK), ==, 0);

  g_main_context_push_thread_default (context);

  socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  connection = g_socket_connection_factory_create_connection (socket);

  run.ws = metered_websocket_new (G_IO_STREAM (connection), role, NULL);
  run.pause = (config & 4) != 0;
  run.written = g_byte_array_new ();
  /* The connection masks what it sends as a client. */
  run.expect_masked = role == METERED_WEBSOCKET_ROLE_CLIENT;
  if (config & 2)
    metered_websocket_set_max_incoming_payload (run.ws, 1000);
  g_signal_connect (run.ws, "message", G_CALLBACK (on_message), &run);
  g_signal_connect (run.ws, "closed", G_CALLBACK (on_closed), &run);

  /* Feeds the input, then hangs up writing; runs until the connection is
   * closed. Never blocks: the harness is the only one draining its end. */
  while (run.closed == 0)
    {
      if (sent < size)
        {
          ssize_t n = send (fds[1], data + sent, size - sent, MSG_NOSIGNAL);

          if (n > 0)
            sent += n;
          else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            sent = size;    /* the connection hung up first */

          if (sent == size)
            shutdown (fds[1], SHUT_WR);
        }
      else if (size == 0 && sent == 0)
        {
          shutdown (fds[1], SHUT_WR);
          sent = 1;
        }

      g_main_context_iteration (context, FALSE);
      drain (&run, fds[1]);
    }

  g_assert_cmpuint (run.closed, ==, 1);
  g_assert_cmpint (metered_websocket_get_state (run.ws), ==, METERED_WEBSOCKET_STATE_CLOSED);

  /* Calls on a closed connection are harmless. */
  metered_websocket_send_text (run.ws, "late", -1);
  metered_websocket_close (run.ws, 1000, NULL);
  g_assert_cmpuint (metered_websocket_get_pending_output (run.ws), ==, 0);

  if (run.resume != NULL)
    {
      g_source_destroy (run.resume);
      g_source_unref (run.resume);
    }
  g_clear_object (&run.ws);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  g_byte_array_unref (run.written);
  close (fds[1]);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  check_header_parser (data, size, FALSE);
  check_header_parser (data, size, TRUE);

  if (size > 0)
    run_connection (data[0], data + 1, size - 1);

  return 0;
}
