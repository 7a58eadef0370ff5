/* test-websocket.c: MeteredWebsocket over a real loopback TCP pair
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>
#include <sys/socket.h>

#include "metered-websocket-frame-private.h"
#include "metered-websocket-private.h"

#define WAIT_SECONDS 20

typedef struct {
  MeteredWebsocket *ws;
  GPtrArray        *messages;      /* GBytes, in order */
  GArray           *types;         /* MeteredWebsocketDataType */
  GPtrArray        *pongs;         /* GBytes */
  GError           *error;
  guint             errors;
  guint             closing;
  guint             closed;
  guint             drained;
  /* Turns reading off after this many messages (0: never). */
  guint             pause_after;
  /* Drops the test's reference from the first ::message handler. */
  gboolean          unref_on_message;
} Peer;

typedef struct {
  Peer     client;
  Peer     server;
  GSource *ticker;
} Fixture;

/* Helpers */

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

#define WAIT_UNTIL_IN(context, cond)                                       \
  G_STMT_START {                                                           \
    gint64 wait_deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
    while (!(cond))                                                        \
      {                                                                    \
        if (g_get_monotonic_time () > wait_deadline)                       \
          g_error ("timed out waiting for %s", #cond);                     \
        g_main_context_iteration ((context), TRUE);                        \
      }                                                                    \
  } G_STMT_END

#define WAIT_UNTIL(cond) WAIT_UNTIL_IN (NULL, cond)

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_message (MeteredWebsocket         *ws,
            MeteredWebsocketDataType  type,
            GBytes                   *payload,
            Peer                     *peer)
{
  g_ptr_array_add (peer->messages, g_bytes_ref (payload));
  g_array_append_val (peer->types, type);

  if (peer->pause_after != 0 && peer->messages->len == peer->pause_after)
    metered_websocket_set_reading (ws, FALSE);

  if (peer->unref_on_message && peer->ws != NULL)
    g_clear_object (&peer->ws);
}

static void
on_pong (MeteredWebsocket *ws,
         GBytes           *payload,
         Peer             *peer)
{
  g_ptr_array_add (peer->pongs, g_bytes_ref (payload));
}

static void
on_closing (MeteredWebsocket *ws,
            Peer             *peer)
{
  peer->closing++;
}

static void
on_error (MeteredWebsocket *ws,
          GError           *error,
          Peer             *peer)
{
  peer->errors++;
  if (peer->error == NULL)
    peer->error = g_error_copy (error);
}

static void
on_closed (MeteredWebsocket *ws,
           Peer             *peer)
{
  peer->closed++;
  g_assert_cmpint (metered_websocket_get_state (ws), ==, METERED_WEBSOCKET_STATE_CLOSED);
}

static void
on_drained (MeteredWebsocket *ws,
            Peer             *peer)
{
  peer->drained++;
}

static void
peer_init (Peer                 *peer,
           GSocketConnection    *connection,
           MeteredWebsocketRole  role,
           GBytes               *leftover)
{
  peer->ws = metered_websocket_new (G_IO_STREAM (connection), role, leftover);
  peer->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  peer->types = g_array_new (FALSE, FALSE, sizeof (MeteredWebsocketDataType));
  peer->pongs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_signal_connect (peer->ws, "message", G_CALLBACK (on_message), peer);
  g_signal_connect (peer->ws, "pong", G_CALLBACK (on_pong), peer);
  g_signal_connect (peer->ws, "closing", G_CALLBACK (on_closing), peer);
  g_signal_connect (peer->ws, "error", G_CALLBACK (on_error), peer);
  g_signal_connect (peer->ws, "closed", G_CALLBACK (on_closed), peer);
  g_signal_connect (peer->ws, "drained", G_CALLBACK (on_drained), peer);
}

static void
peer_clear (Peer *peer)
{
  if (peer->ws != NULL)
    g_signal_handlers_disconnect_by_data (peer->ws, peer);
  g_clear_object (&peer->ws);
  g_clear_pointer (&peer->messages, g_ptr_array_unref);
  g_clear_pointer (&peer->types, g_array_unref);
  g_clear_pointer (&peer->pongs, g_ptr_array_unref);
  g_clear_error (&peer->error);
}

static void
connect_pair (GSocketConnection **client,
              GSocketConnection **server)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);

  /* Loopback needs no proxy, and libproxy's resolver thread would only add
   * noise under valgrind. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);

  /* The kernel completes the TCP handshake from the listen backlog, so a
   * blocking connect and then a blocking accept cannot deadlock. */
  *client = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
  g_assert_no_error (error);
  *server = g_socket_listener_accept (listener, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up_with (Fixture *f,
                     GBytes  *client_leftover)
{
  g_autoptr(GSocketConnection) client = NULL;
  g_autoptr(GSocketConnection) server = NULL;

  connect_pair (&client, &server);
  peer_init (&f->client, client, METERED_WEBSOCKET_ROLE_CLIENT, client_leftover);
  peer_init (&f->server, server, METERED_WEBSOCKET_ROLE_SERVER, NULL);

  /* Wakes the blocking iterations of WAIT_UNTIL to check the clock. */
  f->ticker = g_timeout_source_new (50);
  g_source_set_callback (f->ticker, tick, NULL, NULL);
  g_source_attach (f->ticker, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  fixture_set_up_with (f, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  peer_clear (&f->client);
  peer_clear (&f->server);
  g_source_destroy (f->ticker);
  g_source_unref (f->ticker);

  /* Lets the streams' asynchronous closes finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
assert_message (Peer       *peer,
                guint       index,
                const char *text)
{
  gsize length;
  const char *data;

  g_assert_cmpuint (peer->messages->len, >, index);
  data = g_bytes_get_data (g_ptr_array_index (peer->messages, index), &length);
  g_assert_cmpmem (data, length, text, strlen (text));
  g_assert_cmpint (data[length], ==, '\0');
}

/* A frame written by hand: @first is the first header byte (FIN, RSV,
 * opcode), masked when @masked. */
static GByteArray *
build_frame (guint8      first,
             const void *payload,
             gsize       length,
             gboolean    masked)
{
  static const guint8 mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
  GByteArray *frame = g_byte_array_new ();
  guint8 header[METERED_WEBSOCKET_MAX_HEADER_BYTES];
  gsize header_length;
  gsize at;

  header_length = metered_websocket_frame_write_header (header, TRUE, first & 0x0F, length,
                                                        masked ? mask : NULL);
  header[0] = first;
  g_byte_array_append (frame, header, header_length);
  at = frame->len;
  g_byte_array_append (frame, payload, length);
  if (masked)
    metered_websocket_frame_apply_mask (frame->data + at, length, mask, 0);

  return frame;
}

/* Sends a hand-made frame from @ws, masked for the client role. */
static void
send_hand_frame (MeteredWebsocket     *ws,
                 MeteredWebsocketRole  role,
                 guint8                first,
                 const void           *payload,
                 gsize                 length)
{
  g_autoptr(GByteArray) frame = build_frame (first, payload, length, role == METERED_WEBSOCKET_ROLE_CLIENT);

  metered_websocket_send_raw (ws, frame->data, frame->len);
}

static void
wait_closed (Fixture *f)
{
  WAIT_UNTIL (f->client.closed == 1 && f->server.closed == 1);
  g_assert_cmpint (metered_websocket_get_state (f->client.ws), ==, METERED_WEBSOCKET_STATE_CLOSED);
  g_assert_cmpint (metered_websocket_get_state (f->server.ws), ==, METERED_WEBSOCKET_STATE_CLOSED);
}

/* Tests */

static void
test_text_both_ways (Fixture       *f,
                     gconstpointer  data)
{
  static const guint8 binary[] = { 0, 1, 2, 0xff, 0xfe };

  metered_websocket_send_text (f->client.ws, "hello server", -1);
  metered_websocket_send_text (f->server.ws, "hello client ✓", -1);
  metered_websocket_send_binary (f->client.ws, binary, sizeof binary);
  metered_websocket_send_text (f->client.ws, "", 0);
  /* U+0000 is valid UTF-8. */
  metered_websocket_send_text (f->server.ws, "nul\0inside", 11);

  WAIT_UNTIL (f->server.messages->len == 3 && f->client.messages->len == 2);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->client.messages, 1), NULL),
                   g_bytes_get_size (g_ptr_array_index (f->client.messages, 1)),
                   "nul\0inside", 11);
  assert_message (&f->server, 0, "hello server");
  assert_message (&f->client, 0, "hello client ✓");
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->server.messages, 1), NULL),
                   g_bytes_get_size (g_ptr_array_index (f->server.messages, 1)),
                   binary, sizeof binary);
  assert_message (&f->server, 2, "");
  g_assert_cmpint (g_array_index (f->server.types, int, 0), ==, METERED_WEBSOCKET_DATA_TEXT);
  g_assert_cmpint (g_array_index (f->server.types, int, 1), ==, METERED_WEBSOCKET_DATA_BINARY);
  g_assert_cmpint (g_array_index (f->server.types, int, 2), ==, METERED_WEBSOCKET_DATA_TEXT);
  g_assert_cmpint (metered_websocket_get_state (f->client.ws), ==, METERED_WEBSOCKET_STATE_OPEN);
  g_assert_cmpuint (f->client.errors + f->server.errors, ==, 0);
}

static void
test_many_messages (Fixture       *f,
                    gconstpointer  data)
{
  const guint count = 10000;

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"type\":\"message\",\"seq\":%u,\"pad\":\"%0200u\"}", i, i);

      metered_websocket_send_text (f->client.ws, text, -1);
      metered_websocket_send_text (f->server.ws, text, -1);
    }

  WAIT_UNTIL (f->server.messages->len == count && f->client.messages->len == count);

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"type\":\"message\",\"seq\":%u,\"pad\":\"%0200u\"}", i, i);

      assert_message (&f->server, i, text);
      assert_message (&f->client, i, text);
    }
}

static void
test_large_message (Fixture       *f,
                    gconstpointer  data)
{
  gsize size = 1024 * 1024;
  g_autofree char *text = g_malloc (size + 1);

  for (gsize i = 0; i < size; i++)
    text[i] = 'a' + i % 26;
  text[size] = '\0';

  metered_websocket_send_text (f->client.ws, text, size);
  metered_websocket_send_text (f->server.ws, text, size);
  metered_websocket_send_text (f->client.ws, "after", -1);

  WAIT_UNTIL (f->server.messages->len == 2 && f->client.messages->len == 1);
  assert_message (&f->server, 0, text);
  assert_message (&f->server, 1, "after");
  assert_message (&f->client, 0, text);
}

static void
test_fragmented (Fixture       *f,
                 gconstpointer  data)
{
  /* Server to client: text in three fragments with a ping between. */
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x01, "Hel", 3);
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x89, "mid", 3);
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x00, "lo ", 3);
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x80, "wörld", strlen ("wörld"));
  /* Client to server: binary in two masked fragments, then text. */
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x02, "ab", 2);
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x80, "cd", 2);
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x81, "whole", 5);

  WAIT_UNTIL (f->client.messages->len == 1 && f->server.messages->len == 2 && f->server.pongs->len == 1);
  assert_message (&f->client, 0, "Hello wörld");
  assert_message (&f->server, 0, "abcd");
  g_assert_cmpint (g_array_index (f->server.types, int, 0), ==, METERED_WEBSOCKET_DATA_BINARY);
  assert_message (&f->server, 1, "whole");
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->server.pongs, 0), NULL), 3, "mid", 3);
  g_assert_cmpuint (f->client.errors + f->server.errors, ==, 0);
}

static void
test_fragmented_utf8_split (Fixture       *f,
                            gconstpointer  data)
{
  /* "é" (C3 A9) cut between two fragments is valid once whole. */
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x01, "caf\xc3", 4);
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x80, "\xa9", 1);
  /* Empty fragments make an empty message. */
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x01, "", 0);
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x80, "", 0);

  WAIT_UNTIL (f->client.messages->len == 2);
  assert_message (&f->client, 0, "café");
  assert_message (&f->client, 1, "");
  g_assert_cmpuint (f->client.errors, ==, 0);
}

static gboolean
has_pong (Peer       *peer,
          const char *payload)
{
  for (guint i = 0; i < peer->pongs->len; i++)
    {
      gsize length;
      const char *data = g_bytes_get_data (g_ptr_array_index (peer->pongs, i), &length);

      if (length == strlen (payload) && memcmp (data, payload, length) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
test_ping_pong (Fixture       *f,
                gconstpointer  data)
{
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x89, "payload-1", 9);
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x89, "", 0);
  /* An unsolicited pong is reported and not answered. */
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x8A, "u", 1);

  WAIT_UNTIL (f->server.pongs->len == 2 && f->client.pongs->len == 1);
  /* The unsolicited pong may arrive before or after the answer. */
  g_assert_true (has_pong (&f->server, "payload-1"));
  g_assert_true (has_pong (&f->server, "u"));
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (f->client.pongs, 0)), ==, 0);
  g_assert_cmpuint (f->client.messages->len + f->server.messages->len, ==, 0);
}

static void
test_keepalive (Fixture       *f,
                gconstpointer  data)
{
  metered_websocket_set_keepalive_interval (f->server.ws, 1);

  WAIT_UNTIL (f->server.pongs->len >= 1);
  metered_websocket_set_keepalive_interval (f->server.ws, 0);
  g_assert_cmpuint (f->client.errors + f->server.errors, ==, 0);
}

static void
test_close_from_client (Fixture       *f,
                        gconstpointer  data)
{
  metered_websocket_send_text (f->client.ws, "last words", -1);
  metered_websocket_close (f->client.ws, 1000, "bye now");
  g_assert_cmpint (metered_websocket_get_state (f->client.ws), ==, METERED_WEBSOCKET_STATE_CLOSING);
  /* Ignored once closing. */
  metered_websocket_send_text (f->client.ws, "too late", -1);

  wait_closed (f);
  g_assert_cmpuint (f->server.messages->len, ==, 1);
  assert_message (&f->server, 0, "last words");
  g_assert_cmpuint (metered_websocket_get_close_code (f->server.ws), ==, 1000);
  g_assert_cmpstr (metered_websocket_get_close_reason (f->server.ws), ==, "bye now");
  g_assert_cmpuint (f->server.closing, ==, 1);
  /* The server echoes the code. */
  g_assert_cmpuint (metered_websocket_get_close_code (f->client.ws), ==, 1000);
  g_assert_cmpuint (f->client.closing, ==, 0);
  g_assert_cmpuint (f->client.errors + f->server.errors, ==, 0);
}

static void
test_close_from_server (Fixture       *f,
                        gconstpointer  data)
{
  metered_websocket_close (f->server.ws, 4001, "invalid token");

  wait_closed (f);
  g_assert_cmpuint (metered_websocket_get_close_code (f->client.ws), ==, 4001);
  g_assert_cmpstr (metered_websocket_get_close_reason (f->client.ws), ==, "invalid token");
  g_assert_cmpuint (f->client.closing, ==, 1);
  g_assert_cmpuint (metered_websocket_get_close_code (f->server.ws), ==, 4001);
  g_assert_null (metered_websocket_get_close_reason (f->server.ws));
  g_assert_cmpuint (f->client.errors + f->server.errors, ==, 0);
}

static void
test_close_no_code (Fixture       *f,
                    gconstpointer  data)
{
  metered_websocket_close (f->client.ws, 0, "ignored without a code");

  wait_closed (f);
  g_assert_cmpuint (metered_websocket_get_close_code (f->server.ws), ==, 1005);
  g_assert_null (metered_websocket_get_close_reason (f->server.ws));
}

static void
test_close_reason_cut (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GString) reason = g_string_new ("x");
  const char *received;

  /* 1 + 2 × 61 = 123 bytes would fit; one more "é" must not be cut in two. */
  for (guint i = 0; i < 100; i++)
    g_string_append (reason, "é");

  metered_websocket_close (f->client.ws, 1001, reason->str);
  wait_closed (f);

  received = metered_websocket_get_close_reason (f->server.ws);
  g_assert_cmpuint (strlen (received), ==, 123);
  g_assert_true (g_utf8_validate (received, -1, NULL));
  g_assert_true (g_str_has_prefix (reason->str, received));
}

static void
test_too_big (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *big = g_strnfill (2000, 'z');

  metered_websocket_set_max_incoming_payload (f->server.ws, 1000);
  metered_websocket_send_text (f->client.ws, big, 1000);
  metered_websocket_send_text (f->client.ws, big, 1001);

  wait_closed (f);
  g_assert_cmpuint (f->server.messages->len, ==, 1);
  g_assert_error (f->server.error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_TOO_BIG);
  g_assert_cmpuint (metered_websocket_get_close_code (f->client.ws), ==, 1009);
  g_assert_cmpuint (f->client.errors, ==, 0);
}

static void
test_too_big_fragmented (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *chunk = g_strnfill (600, 'q');

  metered_websocket_set_max_incoming_payload (f->client.ws, 1000);
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x01, chunk, 600);
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x80, chunk, 600);

  wait_closed (f);
  g_assert_cmpuint (f->client.messages->len, ==, 0);
  g_assert_error (f->client.error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_TOO_BIG);
  g_assert_cmpuint (metered_websocket_get_close_code (f->server.ws), ==, 1009);
}

static void
test_too_big_header_only (Fixture       *f,
                          gconstpointer  data)
{
  /* A header announcing 2^40 bytes, and no payload: refused on the header. */
  static const guint8 header[] = { 0x82, 127, 0, 0, 1, 0, 0, 0, 0, 0 };

  metered_websocket_set_max_incoming_payload (f->client.ws, 1 << 20);
  metered_websocket_send_raw (f->server.ws, header, sizeof header);

  wait_closed (f);
  g_assert_error (f->client.error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_TOO_BIG);
  g_assert_cmpuint (metered_websocket_get_close_code (f->server.ws), ==, 1009);
}

static void
test_bad_utf8 (Fixture       *f,
               gconstpointer  data)
{
  metered_websocket_send_text (f->client.ws, "fine", -1);
  metered_websocket_send_text (f->client.ws, "bad \xff\xfe", -1);
  metered_websocket_send_text (f->client.ws, "never seen", -1);

  wait_closed (f);
  g_assert_cmpuint (f->server.messages->len, ==, 1);
  g_assert_error (f->server.error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_BAD_DATA);
  g_assert_cmpuint (metered_websocket_get_close_code (f->client.ws), ==, 1007);
}

static void
assert_protocol_error (Peer *offended,
                       Peer *offender)
{
  g_assert_error (offended->error, METERED_WEBSOCKET_ERROR, METERED_WEBSOCKET_ERROR_PROTOCOL);
  g_assert_cmpuint (offended->errors, ==, 1);
  g_assert_cmpuint (metered_websocket_get_close_code (offender->ws), ==, 1002);
  g_assert_cmpuint (offended->messages->len, ==, 0);
}

static void
test_unmasked_to_server (Fixture       *f,
                         gconstpointer  data)
{
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x81, "plain", 5);

  wait_closed (f);
  assert_protocol_error (&f->server, &f->client);
}

static void
test_masked_to_client (Fixture       *f,
                       gconstpointer  data)
{
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x81, "masked", 6);

  wait_closed (f);
  assert_protocol_error (&f->client, &f->server);
}

static void
test_reserved_bits (Fixture       *f,
                    gconstpointer  data)
{
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0xC1, "rsv1", 4);

  wait_closed (f);
  assert_protocol_error (&f->client, &f->server);
}

static void
test_continuation_without_start (Fixture       *f,
                                 gconstpointer  data)
{
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x80, "orphan", 6);

  wait_closed (f);
  assert_protocol_error (&f->server, &f->client);
}

static void
test_new_message_inside_fragmented (Fixture       *f,
                                    gconstpointer  data)
{
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x01, "start", 5);
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x81, "again", 5);

  wait_closed (f);
  assert_protocol_error (&f->server, &f->client);
}

static void
test_bad_close_frames (Fixture       *f,
                       gconstpointer  data)
{
  const char *payload = data;

  /* The payload of the close frame: a big-endian code, then the reason. */
  send_hand_frame (f->client.ws, METERED_WEBSOCKET_ROLE_CLIENT, 0x88, payload, strlen (payload));

  wait_closed (f);
  assert_protocol_error (&f->server, &f->client);
}

static void
test_abrupt_disconnect (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  metered_websocket_send_text (f->client.ws, "hi", -1);
  WAIT_UNTIL (f->server.messages->len == 1);

  g_io_stream_close (metered_websocket_get_io_stream (f->server.ws), NULL, &error);
  g_assert_no_error (error);

  WAIT_UNTIL (f->client.closed == 1);
  g_assert_cmpuint (metered_websocket_get_close_code (f->client.ws), ==, 0);
  g_assert_null (metered_websocket_get_close_reason (f->client.ws));
  g_assert_cmpuint (f->client.errors, ==, 1);
  g_assert_error (f->client.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
}

static void
test_set_reading (Fixture       *f,
                  gconstpointer  data)
{
  metered_websocket_set_reading (f->server.ws, FALSE);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i);

      metered_websocket_send_text (f->client.ws, text, -1);
    }

  WAIT_UNTIL (metered_websocket_get_pending_output (f->client.ws) == 0);
  iterate_for (200);
  g_assert_cmpuint (f->server.messages->len, ==, 0);

  /* Turned off from a handler, with more frames in the buffer. */
  f->server.pause_after = 10;
  metered_websocket_set_reading (f->server.ws, TRUE);
  WAIT_UNTIL (f->server.messages->len == 10);
  iterate_for (200);
  g_assert_cmpuint (f->server.messages->len, ==, 10);

  f->server.pause_after = 0;
  metered_websocket_set_reading (f->server.ws, TRUE);
  WAIT_UNTIL (f->server.messages->len == 100);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("m%u", i);

      assert_message (&f->server, i, text);
    }
}

static void
test_batching (Fixture       *f,
               gconstpointer  data)
{
  const char *text = "{\"type\":\"publish\",\"channel\":\"room\",\"data\":\"0123456789\"}";
  gsize frame_length = strlen (text) + 6;  /* 2-byte header and a mask */

  for (guint i = 0; i < 1000; i++)
    metered_websocket_send_text (f->client.ws, text, -1);

  /* Nothing is written inside the calls: all of it waits for the flush. */
  g_assert_cmpuint (metered_websocket_get_pending_output (f->client.ws), ==, 1000 * frame_length);

  WAIT_UNTIL (f->server.messages->len == 1000);
  g_assert_cmpuint (metered_websocket_get_pending_output (f->client.ws), ==, 0);
  /* All in one write: drained once. */
  g_assert_cmpuint (f->client.drained, ==, 1);
}

static void
test_output_blocked (Fixture       *f,
                     gconstpointer  data)
{
  gsize size = 256 * 1024;
  g_autofree char *chunk = g_strnfill (size, 'w');
  guint count = 64;

  /* 16 MiB to a peer that does not read: the kernel's buffers fill, the
   * rest waits in the queue, and nothing is lost once it reads again. */
  metered_websocket_set_reading (f->server.ws, FALSE);
  for (guint i = 0; i < count; i++)
    metered_websocket_send_binary (f->client.ws, chunk, size);

  iterate_for (300);
  g_assert_cmpuint (metered_websocket_get_pending_output (f->client.ws), >, 0);
  g_assert_cmpuint (f->client.drained, ==, 0);

  metered_websocket_set_reading (f->server.ws, TRUE);
  WAIT_UNTIL (f->server.messages->len == count && f->client.drained == 1);
  g_assert_cmpuint (metered_websocket_get_pending_output (f->client.ws), ==, 0);
  for (guint i = 0; i < count; i++)
    g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (f->server.messages, i)), ==, size);
}

static void
test_close_timeout (Fixture       *f,
                    gconstpointer  data)
{
  gint64 start = g_get_monotonic_time ();

  /* The client never reads the close frame, so never answers: the server
   * hangs up on its own after the timeout. */
  metered_websocket_set_reading (f->client.ws, FALSE);
  metered_websocket_close (f->server.ws, 1001, "going away");

  WAIT_UNTIL (f->server.closed == 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (metered_websocket_get_close_code (f->server.ws), ==, 0);
  g_assert_cmpuint (f->server.errors, ==, 0);
}

static void
answer_without_code (MeteredWebsocket *ws)
{
  metered_websocket_close (ws, 0, NULL);
}

static void
test_closing_handler_answers (Fixture       *f,
                              gconstpointer  data)
{
  /* A ::closing handler may answer with its own close frame, not the echo. */
  g_signal_connect (f->server.ws, "closing", G_CALLBACK (answer_without_code), NULL);
  metered_websocket_close (f->client.ws, 4000, "idle");

  wait_closed (f);
  g_assert_cmpuint (metered_websocket_get_close_code (f->server.ws), ==, 4000);
  g_assert_cmpuint (metered_websocket_get_close_code (f->client.ws), ==, 1005);
}

/* The inspector runs its client on a worker thread with its own context:
 * every source is attached to the context that was the thread default at
 * construction, and the global default context is never needed. */
static gpointer
run_on_worker (gpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSocketConnection) client = NULL;
  g_autoptr(GSocketConnection) server = NULL;
  g_autoptr(GSource) ticker = g_timeout_source_new (50);
  Peer a = { 0 };
  Peer b = { 0 };

  g_main_context_push_thread_default (context);
  g_source_set_callback (ticker, tick, NULL, NULL);
  g_source_attach (ticker, context);

  connect_pair (&client, &server);
  peer_init (&a, client, METERED_WEBSOCKET_ROLE_CLIENT, NULL);
  peer_init (&b, server, METERED_WEBSOCKET_ROLE_SERVER, NULL);

  metered_websocket_send_text (a.ws, "from the worker", -1);
  WAIT_UNTIL_IN (context, b.messages->len == 1);
  assert_message (&b, 0, "from the worker");

  metered_websocket_close (b.ws, 1001, NULL);
  WAIT_UNTIL_IN (context, a.closed == 1 && b.closed == 1);
  g_assert_cmpuint (metered_websocket_get_close_code (a.ws), ==, 1001);

  peer_clear (&a);
  peer_clear (&b);
  g_source_destroy (ticker);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  return NULL;
}

static void
test_worker_thread (void)
{
  GThread *thread = g_thread_new ("websocket-worker", run_on_worker, NULL);

  g_thread_join (thread);
  g_assert_false (g_main_context_pending (NULL));
}

static void
test_leftover_bytes (void)
{
  g_autoptr(GByteArray) frame = build_frame (0x81, "early", 5, FALSE);
  g_autoptr(GBytes) leftover = g_bytes_new (frame->data, frame->len);
  Fixture f = { 0 };

  fixture_set_up_with (&f, leftover);
  metered_websocket_send_text (f.server.ws, "later", -1);
  WAIT_UNTIL (f.client.messages->len == 2);
  assert_message (&f.client, 0, "early");
  assert_message (&f.client, 1, "later");
  fixture_tear_down (&f, NULL);
}

static void
test_unref_in_handler (Fixture       *f,
                       gconstpointer  data)
{
  f->server.unref_on_message = TRUE;
  metered_websocket_send_text (f->client.ws, "one", -1);
  metered_websocket_send_text (f->client.ws, "two", -1);

  WAIT_UNTIL (f->server.ws == NULL);
  /* The server hung up without a handshake when dropped. */
  WAIT_UNTIL (f->client.closed == 1);
  g_assert_cmpuint (f->server.closed, ==, 0);
}

static void
test_dispose_open (Fixture       *f,
                   gconstpointer  data)
{
  metered_websocket_send_text (f->server.ws, "queued, never written", -1);
  g_clear_object (&f->server.ws);

  WAIT_UNTIL (f->client.closed == 1);
  g_assert_cmpuint (metered_websocket_get_close_code (f->client.ws), ==, 0);
}

/* Output queue: frames cross the transport's fixed-size output blocks
 * (16 KiB); the sizes below straddle them. */

static void
fill_pattern (guint8 *data,
              gsize   length,
              guint   seed)
{
  for (gsize i = 0; i < length; i++)
    data[i] = (guint8) (seed * 131 + i * 31 + (i >> 8));
}

static gsize
queue_size (guint i)
{
  static const gsize sizes[] = { 1, 125, 126, 16383, 16384, 16385, 65535, 65536, 100003, 7 };

  return sizes[i % G_N_ELEMENTS (sizes)] + i;
}

static void
test_queue_many_blocks (Fixture       *f,
                        gconstpointer  data)
{
  const guint count = 60;
  gsize expected_pending = 0;

  /* Everything is queued inside one dispatch, well past WRITE_NOW_BYTES,
   * to a peer that is not reading: most of it stays queued over many
   * blocks, then arrives whole and in order. */
  metered_websocket_set_reading (f->server.ws, FALSE);
  for (guint i = 0; i < count; i++)
    {
      gsize size = queue_size (i);
      g_autofree guint8 *payload = g_malloc (size);

      fill_pattern (payload, size, i);
      metered_websocket_send_binary (f->client.ws, payload, size);
      metered_websocket_send_binary (f->server.ws, payload, size);
      expected_pending += size + (size < 126 ? 2 : size < 65536 ? 4 : 10);
    }

  g_assert_cmpuint (metered_websocket_get_pending_output (f->server.ws), <=, expected_pending);
  g_assert_cmpuint (metered_websocket_get_pending_output (f->server.ws), >, 0);

  metered_websocket_set_reading (f->server.ws, TRUE);
  WAIT_UNTIL (f->server.messages->len == count && f->client.messages->len == count);
  WAIT_UNTIL (metered_websocket_get_pending_output (f->client.ws) == 0 &&
              metered_websocket_get_pending_output (f->server.ws) == 0);

  for (guint i = 0; i < count; i++)
    {
      gsize size = queue_size (i);
      g_autofree guint8 *payload = g_malloc (size);

      fill_pattern (payload, size, i);
      g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->server.messages, i), NULL),
                       g_bytes_get_size (g_ptr_array_index (f->server.messages, i)), payload, size);
      g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->client.messages, i), NULL),
                       g_bytes_get_size (g_ptr_array_index (f->client.messages, i)), payload, size);
    }
  g_assert_cmpuint (f->client.errors + f->server.errors, ==, 0);
}

static void
test_queue_pending_exact (Fixture       *f,
                          gconstpointer  data)
{
  gsize size = 3 * 16384 + 7;
  g_autofree guint8 *payload = g_malloc (size);
  gsize pending;

  /* Nothing is written inside the calls, so the count is exact: a frame
   * larger than a block, raw bytes, and a small frame after them. */
  fill_pattern (payload, size, 1);
  metered_websocket_send_binary (f->server.ws, payload, size);
  pending = size + 4;
  g_assert_cmpuint (metered_websocket_get_pending_output (f->server.ws), ==, pending);
  send_hand_frame (f->server.ws, METERED_WEBSOCKET_ROLE_SERVER, 0x81, "raw", 3);
  pending += 5;
  g_assert_cmpuint (metered_websocket_get_pending_output (f->server.ws), ==, pending);
  metered_websocket_send_text (f->server.ws, "last", -1);
  pending += 6;
  g_assert_cmpuint (metered_websocket_get_pending_output (f->server.ws), ==, pending);

  WAIT_UNTIL (f->client.messages->len == 3);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->client.messages, 0), NULL),
                   g_bytes_get_size (g_ptr_array_index (f->client.messages, 0)), payload, size);
  assert_message (&f->client, 1, "raw");
  assert_message (&f->client, 2, "last");
  WAIT_UNTIL (f->server.drained == 1);
  g_assert_cmpuint (metered_websocket_get_pending_output (f->server.ws), ==, 0);
}

/* A server-role connection (it writes unmasked frames, so the bytes on the
 * wire are known in advance) to a plain socket read by hand. */
typedef struct {
  GSocketConnection *raw;
  Peer               server;
  GSource           *ticker;
} RawFixture;

static void
raw_fixture_set_up (RawFixture *f)
{
  g_autoptr(GSocketConnection) server = NULL;
  g_autoptr(GError) error = NULL;

  connect_pair (&f->raw, &server);

  /* Small kernel buffers, so the queue is written in many partial writes. */
  g_socket_set_option (g_socket_connection_get_socket (server), SOL_SOCKET, SO_SNDBUF, 8192, &error);
  g_assert_no_error (error);
  g_socket_set_option (g_socket_connection_get_socket (f->raw), SOL_SOCKET, SO_RCVBUF, 8192, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (g_socket_connection_get_socket (f->raw), FALSE);

  peer_init (&f->server, server, METERED_WEBSOCKET_ROLE_SERVER, NULL);

  f->ticker = g_timeout_source_new (50);
  g_source_set_callback (f->ticker, tick, NULL, NULL);
  g_source_attach (f->ticker, NULL);
}

static void
raw_fixture_tear_down (RawFixture *f)
{
  peer_clear (&f->server);
  g_clear_object (&f->raw);
  g_source_destroy (f->ticker);
  g_source_unref (f->ticker);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Reads @length bytes at most @chunk at a time, one read per main-loop
 * iteration, and returns how many reads found the sender with output
 * still queued. */
static guint
raw_read (RawFixture *f,
          GByteArray *into,
          gsize       length,
          gsize       chunk)
{
  GSocket *socket = g_socket_connection_get_socket (f->raw);
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  gsize goal = into->len + length;
  guint partial = 0;

  while (into->len < goal)
    {
      g_autoptr(GError) error = NULL;
      gsize at = into->len;
      gssize n;

      if (g_get_monotonic_time () > deadline)
        g_error ("timed out reading %" G_GSIZE_FORMAT " bytes", length);

      g_byte_array_set_size (into, at + MIN (chunk, goal - at));
      n = g_socket_receive (socket, (char *) into->data + at, into->len - at, NULL, &error);
      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          n = 0;
        }
      else if (n == 0)
        {
          g_error ("end of stream after %u bytes", into->len);
        }
      g_byte_array_set_size (into, at + n);

      if (metered_websocket_get_pending_output (f->server.ws) > 0)
        partial++;

      g_main_context_iteration (NULL, n == 0);
    }

  return partial;
}

static void
test_queue_slow_reader (void)
{
  RawFixture f = { 0 };
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GByteArray) received = g_byte_array_new ();
  const guint count = 40;
  guint partial;

  raw_fixture_set_up (&f);

  for (guint i = 0; i < count; i++)
    {
      gsize size = queue_size (i);
      g_autofree guint8 *payload = g_malloc (size);
      g_autoptr(GByteArray) frame = NULL;

      fill_pattern (payload, size, i);
      frame = build_frame (0x82, payload, size, FALSE);
      g_byte_array_append (expected, frame->data, frame->len);
      metered_websocket_send_binary (f.server.ws, payload, size);

      /* Raw bytes keep their place between frames. */
      if (i == count / 2)
        {
          g_autoptr(GByteArray) raw = build_frame (0x81, "in order", 8, FALSE);

          g_byte_array_append (expected, raw->data, raw->len);
          metered_websocket_send_raw (f.server.ws, raw->data, raw->len);
        }
    }

  partial = raw_read (&f, received, expected->len, 1000);
  g_assert_cmpmem (received->data, received->len, expected->data, expected->len);
  g_assert_cmpuint (partial, >, 0);
  WAIT_UNTIL (f.server.drained >= 1 && metered_websocket_get_pending_output (f.server.ws) == 0);
  g_assert_cmpuint (f.server.errors, ==, 0);

  raw_fixture_tear_down (&f);
}

static void
test_queue_recycled_blocks (void)
{
  RawFixture f = { 0 };
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GByteArray) received = g_byte_array_new ();
  gsize size = 5 * 16384 + 100;
  g_autofree guint8 *filler = g_malloc (size);

  raw_fixture_set_up (&f);

  /* Blocks full of 0xA5, written and handed back for reuse ... */
  memset (filler, 0xA5, size);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GByteArray) frame = build_frame (0x82, filler, size, FALSE);

      g_byte_array_append (expected, frame->data, frame->len);
      metered_websocket_send_binary (f.server.ws, filler, size);
    }
  raw_read (&f, received, expected->len, 64 * 1024);
  g_assert_cmpmem (received->data, received->len, expected->data, expected->len);
  WAIT_UNTIL (metered_websocket_get_pending_output (f.server.ws) == 0);

  /* ... carry exactly the small frames queued next, one per dispatch. */
  g_byte_array_set_size (expected, 0);
  g_byte_array_set_size (received, 0);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *text = g_strdup_printf ("small %u", i);
      g_autoptr(GByteArray) frame = build_frame (0x81, text, strlen (text), FALSE);

      g_byte_array_append (expected, frame->data, frame->len);
      metered_websocket_send_text (f.server.ws, text, -1);
      raw_read (&f, received, frame->len, 4096);
    }
  g_assert_cmpmem (received->data, received->len, expected->data, expected->len);

  /* Nothing else follows them. */
  WAIT_UNTIL (metered_websocket_get_pending_output (f.server.ws) == 0);
  iterate_for (100);
  {
    g_autoptr(GError) error = NULL;
    char extra[16];

    g_assert_cmpint (g_socket_receive (g_socket_connection_get_socket (f.raw), extra, sizeof extra,
                                       NULL, &error), ==, -1);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  }

  raw_fixture_tear_down (&f);
}

static void
test_queue_recycled_masked (Fixture       *f,
                            gconstpointer  data)
{
  gsize size = 3 * 16384;
  g_autofree guint8 *filler = g_malloc (size);

  /* The client masks in place in reused blocks. */
  memset (filler, 0x5A, size);
  metered_websocket_send_binary (f->client.ws, filler, size);
  WAIT_UNTIL (f->server.messages->len == 1);

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("masked %u", i);

      metered_websocket_send_text (f->client.ws, text, -1);
      WAIT_UNTIL (f->server.messages->len == i + 2);
      assert_message (&f->server, i + 1, text);
    }
  g_assert_cmpuint (f->server.errors, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/websocket/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("text-both-ways", test_text_both_ways, NULL);
  ADD ("many-messages", test_many_messages, NULL);
  ADD ("large-message", test_large_message, NULL);
  ADD ("fragmented", test_fragmented, NULL);
  ADD ("fragmented-utf8-split", test_fragmented_utf8_split, NULL);
  ADD ("ping-pong", test_ping_pong, NULL);
  ADD ("keepalive", test_keepalive, NULL);
  ADD ("close/from-client", test_close_from_client, NULL);
  ADD ("close/from-server", test_close_from_server, NULL);
  ADD ("close/no-code", test_close_no_code, NULL);
  ADD ("close/reason-cut", test_close_reason_cut, NULL);
  ADD ("too-big/single", test_too_big, NULL);
  ADD ("too-big/fragmented", test_too_big_fragmented, NULL);
  ADD ("too-big/header-only", test_too_big_header_only, NULL);
  ADD ("bad-utf8", test_bad_utf8, NULL);
  ADD ("protocol/unmasked-to-server", test_unmasked_to_server, NULL);
  ADD ("protocol/masked-to-client", test_masked_to_client, NULL);
  ADD ("protocol/reserved-bits", test_reserved_bits, NULL);
  ADD ("protocol/continuation-without-start", test_continuation_without_start, NULL);
  ADD ("protocol/new-message-inside-fragmented", test_new_message_inside_fragmented, NULL);
  ADD ("protocol/close-one-byte", test_bad_close_frames, "\x03");
  ADD ("protocol/close-reserved-code", test_bad_close_frames, "\x03\xed");
  ADD ("protocol/close-code-999", test_bad_close_frames, "\x03\xe7");
  ADD ("protocol/close-code-5000", test_bad_close_frames, "\x13\x88");
  ADD ("protocol/close-bad-reason", test_bad_close_frames, "\x03\xe8\xc3");
  ADD ("abrupt-disconnect", test_abrupt_disconnect, NULL);
  ADD ("set-reading", test_set_reading, NULL);
  ADD ("batching", test_batching, NULL);
  ADD ("output-blocked", test_output_blocked, NULL);
  ADD ("close/timeout", test_close_timeout, NULL);
  ADD ("close/closing-handler-answers", test_closing_handler_answers, NULL);
  ADD ("unref-in-handler", test_unref_in_handler, NULL);
  ADD ("dispose-open", test_dispose_open, NULL);
  g_test_add_func ("/websocket/leftover", test_leftover_bytes);
  g_test_add_func ("/websocket/worker-thread", test_worker_thread);
  ADD ("queue/many-blocks", test_queue_many_blocks, NULL);
  ADD ("queue/pending-exact", test_queue_pending_exact, NULL);
  ADD ("queue/recycled-masked", test_queue_recycled_masked, NULL);
  g_test_add_func ("/websocket/queue/slow-reader", test_queue_slow_reader);
  g_test_add_func ("/websocket/queue/recycled-blocks", test_queue_recycled_blocks);

#undef ADD

  return g_test_run ();
}
