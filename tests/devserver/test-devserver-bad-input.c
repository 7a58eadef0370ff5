/* test-devserver-bad-input.c: garbage from raw sockets never disturbs the
 * server or other connections
 *
 * A raw client speaks WebSocket by hand, so it can send what no library
 * would: invalid UTF-8, unmasked or truncated frames, huge fragments. After
 * each barrage, two well-behaved libsoup clients must still complete a
 * round trip.
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "devserver-test-util.h"
#include "raw-client.h"

static void
raw_expect_code (RawClient  *raw,
                 const char *text,
                 gsize       len,
                 const char *code)
{
  g_autofree char *reply = NULL;
  g_autofree char *expected = g_strdup_printf ("\"code\":\"%s\"", code);

  g_assert_true (raw_send_text (raw, text, len));
  reply = raw_next_text (raw, NULL);
  g_assert_nonnull (reply);
  if (strstr (reply, expected) == NULL)
    g_error ("%.60s...: expected %s, got %s", text, code, reply);
}

/* Sends a frame that draws a known answer and skips everything up to it:
 * whatever was sent before got its answers (or none). */
static void
raw_drain_to_marker (RawClient *raw)
{
  static const char marker[] = "{\"type\":\"unsubscribe\",\"channel\":\"x\",\"requestId\":\"marker\"}";

  g_assert_true (raw_send_text (raw, marker, strlen (marker)));
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *reply = raw_next_text (raw, NULL);

      g_assert_nonnull (reply);
      if (strstr (reply, "\"requestId\":\"marker\"") != NULL)
        return;
    }

  g_error ("the marker's answer never came");
}

static void
raw_expect_close (RawClient *raw,
                  gushort    code)
{
  gushort got = 0;
  g_autofree char *text = raw_next_text (raw, &got);

  g_assert_null (text);
  g_assert_cmpuint (got, ==, code);
}

typedef struct {
  MeteredDevServer *server;
  TestClient       *a;
  TestClient       *b;
  guint             n;
} Pair;

/* The well-behaved clients still work: a publish fans out, a ping is
 * answered. */
static void
round_trip (Pair *pair)
{
  g_autofree char *publish = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"room\",\"data\":{\"n\":%u},\"requestId\":\"p\"}", ++pair->n);
  g_autoptr(JsonObject) message = NULL;

  test_client_send (pair->b, publish);
  json_object_unref (test_client_expect (pair->b, "ack"));
  message = test_client_expect (pair->a, "message");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (message, "data"), "n"), ==, pair->n);

  test_client_send (pair->a, "{\"type\":\"ping\"}");
  json_object_unref (test_client_expect (pair->a, "pong"));
}

static void
pair_init (Pair       *pair,
           const char *config)
{
  pair->server = test_server_new (config);
  pair->a = test_client_connect (pair->server, "key=pk_live_dev");
  pair->b = test_client_connect (pair->server, "key=pk_live_dev");
  pair->n = 0;
  json_object_unref (test_client_subscribe (pair->a, "room", FALSE));
  round_trip (pair);
}

static void
pair_clear (Pair *pair)
{
  g_clear_pointer (&pair->a, test_client_free);
  g_clear_pointer (&pair->b, test_client_free);
  g_clear_object (&pair->server);
}

static char *
nested (guint       depth,
        const char *open,
        const char *inner,
        const char *close)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (out, open);
  g_string_append (out, inner);
  for (guint i = 0; i < depth; i++)
    g_string_append (out, close);

  return g_string_free (out, FALSE);
}

static void
test_garbage_json (void)
{
  Pair pair;
  g_autoptr(RawClient) raw = NULL;
  g_autofree char *deep_array = nested (30000, "[", "", "]");
  g_autofree char *deep_object = nested (10000, "{\"a\":", "1", "}");
  g_autofree char *deep_payload = nested (20000, "[", "", "]");
  g_autofree char *deep_data = NULL;
  g_autofree char *pad = g_strnfill (60000, 'x');
  g_autofree char *huge_channel = g_strdup_printf ("{\"type\":\"subscribe\",\"channel\":\"%s\",\"requestId\":\"r\"}", pad);
  g_autofree char *huge_request_id = g_strdup_printf ("{\"type\":\"ping\",\"requestId\":\"%s\"}", pad);
  g_autofree char *huge_type = g_strdup_printf ("{\"type\":\"%s\"}", pad);
  g_autofree char *huge_data = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"room\",\"data\":\"%s\"}", pad);
  g_autoptr(GString) many_keys = g_string_new ("{\"type\":\"ping\"");
  static const struct {
    const char *text;
    const char *code;
  } cases[] = {
    { "", "malformed_message" },
    { "{", "malformed_message" },
    { "}", "malformed_message" },
    { "[]", "malformed_message" },
    { "null", "malformed_message" },
    { "true", "malformed_message" },
    { "12", "malformed_message" },
    { "\"subscribe\"", "malformed_message" },
    { "{\"type\":null}", "malformed_message" },
    { "{\"type\":[]}", "malformed_message" },
    { "{\"type\":{\"type\":\"ping\"}}", "malformed_message" },
    { "{\"type\":\"ping\"} {}", "malformed_message" },
    { "{\"type\":\"ping\",}", "malformed_message" },
    { "{'type':'ping'}", "malformed_message" },
    { "{\"type\":\"subscribe\",\"channel\":null,\"requestId\":\"r\"}", "invalid_channel" },
    { "{\"type\":\"subscribe\",\"channel\":{},\"requestId\":\"r\"}", "invalid_channel" },
    { "{\"type\":\"subscribe\",\"channel\":[\"a\"],\"requestId\":\"r\"}", "invalid_channel" },
    { "{\"type\":\"send\",\"to\":{},\"data\":1}", "invalid_peer_id" },
    { "{\"type\":\"send\",\"to\":\"a b\\u0000\",\"data\":1}", "malformed_message" },
    { "{\"type\":\"send\",\"to\":\"a\\tb\",\"data\":1}", "invalid_peer_id" },
    { "{\"type\":\"subscribe\",\"channel\":\"a\x01" "b\"}", "malformed_message" },
    { "{\"type\":\"subscribe\",\"channel\":\"a\\u0000b\"}", "malformed_message" },
    { "{\"type\":\"subscribe\",\"channel\":\"a\\u001fb\"}", "invalid_channel" },
    { "{\"type\":\"subscribe\",\"channel\":\"a\\u007fb\"}", "invalid_channel" },
    { "{\"type\":\"subscribe\",\"channel\":\"a\\u0085b\"}", "invalid_channel" },
    { "{\"type\":\"subscribe\",\"channel\":\"\\n\"}", "invalid_channel" },
    { "{\"type\":\"subscribe\",\"channel\":\"\\ud800\"}", NULL },
    { "{\"type\":\"ping\",\"type\":\"subscribe\"}", NULL },
    { "{\"type\":\"publish\",\"channel\":\"junk\",\"data\":1e999999}", NULL },
    { "{\"type\":\"publish\",\"channel\":\"junk\",\"data\":-0.0000000000000000000001e-400}", NULL },
    { "{\"type\":\"publish\",\"channel\":\"junk\",\"data\":123456789012345678901234567890}", NULL },
    { "{\"type\":\"subscribe\",\"channel\":\"room\",\"includeSenderMetadata\":1}", "malformed_message" },
  };

  pair_init (&pair, NULL);
  raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

  /* Shapes, types and control characters: one error each. */
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      if (cases[i].code != NULL)
        {
          raw_expect_code (raw, cases[i].text, strlen (cases[i].text), cases[i].code);
        }
      else
        {
          /* Odd but harmless: any answer (or none) will do. */
          g_assert_true (raw_send_text (raw, cases[i].text, strlen (cases[i].text)));
          raw_drain_to_marker (raw);
        }
    }
  round_trip (&pair);

  /* A NUL byte inside the frame. */
  raw_expect_code (raw, "{\"type\":\"ping\"}\0{}", 18, "malformed_message");

  /* Deep nesting must not exhaust the stack. */
  raw_expect_code (raw, deep_array, strlen (deep_array), "malformed_message");
  raw_expect_code (raw, deep_object, strlen (deep_object), "malformed_message");
  deep_data = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"junk\",\"requestId\":\"d\",\"data\":%s}",
                               deep_payload);
  g_assert_true (raw_send_text (raw, deep_data, strlen (deep_data)));
  raw_drain_to_marker (raw);
  round_trip (&pair);

  /* Huge fields, just under the frame limit. */
  raw_expect_code (raw, huge_channel, strlen (huge_channel), "invalid_channel");
  raw_expect_code (raw, huge_request_id, strlen (huge_request_id), "malformed_message");
  raw_expect_code (raw, huge_type, strlen (huge_type), "unknown_type");
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (many_keys, ",\"k%u\":%u", i, i);
  g_string_append_c (many_keys, '}');
  g_assert_true (raw_send_text (raw, many_keys->str, many_keys->len));
  g_assert_true (raw_send_text (raw, huge_data, strlen (huge_data)));
  raw_drain_to_marker (raw);

  /* The big payload reached the subscriber intact. */
  {
    g_autoptr(JsonObject) message = test_client_expect (pair.a, "message");

    g_assert_cmpuint (strlen (json_object_get_string_member (message, "data")), ==, 60000);
  }
  round_trip (&pair);

  pair_clear (&pair);
}

static void
test_broken_frames (void)
{
  Pair pair;
  g_autofree guint8 *big = g_malloc0 (70000);
  g_autofree guint8 *fragment = g_malloc (40000);

  pair_init (&pair, NULL);
  memset (fragment, 'x', 40000);

  /* Invalid UTF-8 in a text frame: 1007, from libsoup. */
  {
    g_autoptr(RawClient) raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

    g_assert_true (raw_send_text (raw, "{\"type\":\"ping\",\"x\":\"\xff\xfe\"}", 24));
    raw_expect_close (raw, 1007);
  }
  round_trip (&pair);

  /* Binary: 1008. */
  {
    g_autoptr(RawClient) raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

    g_assert_true (raw_send_frame_full (raw, 0x82, (const guint8 *)"{}", 2, TRUE));
    raw_expect_close (raw, 1008);
  }
  round_trip (&pair);

  /* One frame over the limit: 1009. */
  {
    g_autoptr(RawClient) raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

    raw_send_frame_full (raw, 0x81, big, 70000, TRUE);
    raw_expect_close (raw, 1009);
  }
  round_trip (&pair);

  /* Fragments each under the limit, together over it: 1009. */
  {
    g_autoptr(RawClient) raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

    raw_send_frame_full (raw, 0x01, fragment, 40000, TRUE);
    raw_send_frame_full (raw, 0x00, fragment, 40000, TRUE);
    raw_send_frame_full (raw, 0x80, fragment, 40000, TRUE);
    raw_expect_close (raw, 1009);
  }
  round_trip (&pair);

  /* An unmasked client frame is a protocol error. */
  {
    g_autoptr(RawClient) raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

    raw_send_frame_full (raw, 0x81, (const guint8 *)"{}", 2, FALSE);
    raw_expect_close (raw, 1002);
  }
  round_trip (&pair);

  /* Bytes that are not WebSocket at all. */
  {
    g_autoptr(RawClient) raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);
    const char noise[] = "\x13\x37GET / HTTP/1.1\r\n\r\n\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff";

    raw_write (raw, (const guint8 *)noise, sizeof noise - 1);
    test_spin (100);
  }
  round_trip (&pair);

  /* Half a frame, then the socket goes away. */
  {
    g_autoptr(RawClient) raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

    raw_write (raw, (const guint8 *)"\x81\xfe\x10\x00\x12\x34", 6);
    raw_write (raw, fragment, 100);
  }
  test_spin (100);
  round_trip (&pair);

  /* Connects that never finish the upgrade, or hang up right after it. */
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;

      connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1",
                                                    metered_dev_server_get_port (pair.server), NULL, NULL);
      g_assert_nonnull (connection);
      if (i % 2 == 0)
        g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                   "GET /v1?key=pk_live_dev HTTP/1.1\r\nUpgr", 38, NULL, NULL, NULL);
      else
        raw_free (raw_connect (pair.server, "key=pk_live_dev", 0));
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
  test_spin (200);
  round_trip (&pair);
  g_assert_cmpuint (metered_dev_server_get_n_connections (pair.server), ==, 2);

  pair_clear (&pair);
}

/* Sends @n subscribes in one burst and counts the answers by type. */
static void
subscribe_flood (RawClient  *raw,
                 guint       n,
                 gboolean    same_channel,
                 guint      *acks,
                 guint      *snapshots,
                 guint      *errors)
{
  guint expected;

  *acks = *snapshots = *errors = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"type\":\"subscribe\",\"channel\":\"flood/%u\",\"requestId\":\"%u\"}",
                                               same_channel ? 0 : i, i);

      g_assert_true (raw_send_text (raw, text, strlen (text)));
    }

  /* Every subscribe gets an answer; each ack is followed by a snapshot. */
  expected = n;
  while (*acks + *errors < expected || *snapshots < *acks)
    {
      g_autofree char *reply = raw_next_text (raw, NULL);

      g_assert_nonnull (reply);
      if (strstr (reply, "\"type\":\"ack\"") != NULL)
        (*acks)++;
      else if (strstr (reply, "\"type\":\"presence\"") != NULL)
        (*snapshots)++;
      else if (strstr (reply, "\"code\":\"channel_limit_exceeded\"") != NULL)
        (*errors)++;
      else
        g_error ("unexpected answer: %s", reply);
    }
}

static void
test_subscribe_flood (void)
{
  Pair pair;
  g_autoptr(RawClient) raw = NULL;
  g_autoptr(JsonNode) list = NULL;
  guint acks, snapshots, errors;

  pair_init (&pair, NULL);
  raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

  /* 10,000 channels: the first 100 fit. */
  subscribe_flood (raw, 10000, FALSE, &acks, &snapshots, &errors);
  g_assert_cmpuint (acks, ==, 100);
  g_assert_cmpuint (snapshots, ==, 100);
  g_assert_cmpuint (errors, ==, 9900);
  round_trip (&pair);

  /* 10,000 times the same channel: all fine, one presence entry. */
  subscribe_flood (raw, 10000, TRUE, &acks, &snapshots, &errors);
  g_assert_cmpuint (acks, ==, 10000);
  g_assert_cmpuint (errors, ==, 0);
  round_trip (&pair);

  list = metered_dev_server_hook_list_connections (pair.server, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 3);

  g_clear_pointer (&raw, raw_free);
  test_spin (100);
  round_trip (&pair);
  pair_clear (&pair);
}

static void
test_subscribe_flood_unlimited (void)
{
  Pair pair;
  g_autoptr(RawClient) raw = NULL;
  guint acks, snapshots, errors;

  pair_init (&pair, "{\"limits\":{\"maxChannelsPerConnection\":0}}");
  raw = raw_connect_welcomed (pair.server, "key=pk_live_dev", 0);

  subscribe_flood (raw, 10000, FALSE, &acks, &snapshots, &errors);
  g_assert_cmpuint (acks, ==, 10000);
  g_assert_cmpuint (snapshots, ==, 10000);
  round_trip (&pair);

  /* Leaving 10,000 channels at once on disconnect. */
  g_clear_pointer (&raw, raw_free);
  test_spin (200);
  round_trip (&pair);
  pair_clear (&pair);
}

static gboolean
raw_is_eof (gpointer data)
{
  RawClient *raw = data;

  raw_pump (raw);
  return raw->eof;
}

static void
test_idle_drop (void)
{
  Pair pair;
  g_autoptr(RawClient) silent = NULL;
  gint64 start;

  /* Pings every second; silent for 1 + 1.5 s means gone. */
  pair_init (&pair, "{\"limits\":{\"pingIntervalSeconds\":1}}");
  metered_dev_server_set_idle_grace (pair.server, 1500);

  silent = raw_connect (pair.server, "key=pk_live_dev", 0);
  start = g_get_monotonic_time ();
  g_assert_cmpuint (metered_dev_server_get_n_connections (pair.server), ==, 3);

  /* The raw client never answers the pings; libsoup clients do. */
  g_assert_true (test_wait_until (raw_is_eof, silent, test_scale_ms (6000)));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2000 * 1000);
  g_assert_cmpuint (metered_dev_server_get_n_connections (pair.server), ==, 2);

  round_trip (&pair);
  pair_clear (&pair);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/devserver/bad-input/garbage-json", test_garbage_json);
  g_test_add_func ("/devserver/bad-input/broken-frames", test_broken_frames);
  g_test_add_func ("/devserver/bad-input/subscribe-flood", test_subscribe_flood);
  g_test_add_func ("/devserver/bad-input/subscribe-flood-unlimited", test_subscribe_flood_unlimited);
  g_test_add_func ("/devserver/bad-input/idle-drop", test_idle_drop);

  return g_test_run ();
}
