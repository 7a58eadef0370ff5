/* test-reliability-hostile.c: a malicious server against the client
 *
 * The devserver's raw-frame hooks send what a hostile or broken server
 * could: frames over the client's 1 MiB cap, JSON nested hundreds of
 * thousands deep, presence rosters of tens of thousands of peers, text
 * frames that are not UTF-8, binary frames, every frame type with forged
 * field types, a second welcome, answers to requests nobody made. The
 * client must do what protocol §17 documents: drop a frame it cannot
 * parse (the connection stays), close with 1009 on an oversized frame and
 * reconnect, never crash, and stay usable. The inspector's connection
 * model gets the same input and its main loop must keep iterating.
 *
 * Each hostile frame is followed by a harmless "sentinel" message: when
 * the sentinel arrives, the client has dealt with the frame before it.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-reliability"

#include <string.h>

#include "reliability-util.h"

#include "inspector-connection.h"

typedef enum {
  EXPECT_DROP,      /* no event; the connection stays */
  EXPECT_EVENT,     /* some event (a server error, presence, ...); the connection stays */
  EXPECT_ANY,       /* dropped or an event; the connection stays */
  EXPECT_CLOSE,     /* the connection closes with @code; the client reconnects */
} Expectation;

typedef struct {
  const char  *name;
  char        *text;        /* a text frame, or NULL for @bytes */
  GBytes      *bytes;       /* sent unchecked */
  gboolean     binary;
  Expectation  expect;
  int          code;
} HostileFrame;

static void
hostile_frame_free (gpointer data)
{
  HostileFrame *frame = data;

  g_free (frame->text);
  g_clear_pointer (&frame->bytes, g_bytes_unref);
  g_free (frame);
}

static void
add_text (GPtrArray   *frames,
          const char  *name,
          char        *text,
          Expectation  expect,
          int          code)
{
  HostileFrame *frame = g_new0 (HostileFrame, 1);

  frame->name = name;
  frame->text = text;
  frame->expect = expect;
  frame->code = code;
  g_ptr_array_add (frames, frame);
}

static void
add_bytes (GPtrArray   *frames,
           const char  *name,
           const void  *data,
           gsize        len,
           gboolean     binary,
           Expectation  expect,
           int          code)
{
  HostileFrame *frame = g_new0 (HostileFrame, 1);

  frame->name = name;
  frame->bytes = g_bytes_new (data, len);
  frame->binary = binary;
  frame->expect = expect;
  frame->code = code;
  g_ptr_array_add (frames, frame);
}

/* A presence frame whose @list holds @n peers. */
static char *
huge_presence (const char *list,
               guint       n)
{
  GString *out = g_string_new ("{\"type\":\"presence\",\"channel\":\"hostile/huge\",");

  g_string_append_printf (out, "\"%s\":[", list);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s{\"peerId\":\"p%05u\"}", i > 0 ? "," : "", i);
  g_string_append_printf (out, "],\"%s\":[]}", g_str_equal (list, "joined") ? "left" : "joined");

  return g_string_free (out, FALSE);
}

static char *
nested (const char *open,
        const char *close,
        guint       depth,
        gboolean    closed)
{
  GString *out = g_string_new ("{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":");

  for (guint i = 0; i < depth; i++)
    g_string_append (out, open);
  g_string_append (out, "1");
  for (guint i = 0; closed && i < depth; i++)
    g_string_append (out, close);
  g_string_append (out, "}");

  return g_string_free (out, FALSE);
}

static GPtrArray *
build_frames (void)
{
  static const char * const dropped[] = {
    /* Forged field types, frame by frame: a required field of the wrong
   * type drops the frame (an optional one is ignored, see below), as in
   * the official SDK's parser. */
    "{\"type\":\"welcome\",\"peerId\":5,\"serverTime\":1,\"maxMessageSize\":1,\"expiresAt\":null}",
    "{\"type\":\"welcome\",\"peerId\":\"x\",\"serverTime\":\"now\",\"maxMessageSize\":1,\"expiresAt\":null}",
    "{\"type\":\"welcome\",\"peerId\":\"x\",\"serverTime\":1,\"maxMessageSize\":-1,\"expiresAt\":\"never\"}",
    "{\"type\":\"ack\",\"requestId\":5}",
    "{\"type\":\"ack\",\"requestId\":null}",
    "{\"type\":\"ack\",\"requestId\":{\"id\":\"x\"}}",
    "{\"type\":\"error\",\"code\":5}",
    "{\"type\":\"error\",\"code\":\"\"}",
    "{\"type\":\"message\",\"channel\":5,\"from\":\"p\",\"data\":1}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":null,\"data\":1}",
    "{\"type\":\"direct\",\"from\":5,\"data\":1}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":{},\"left\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[],\"left\":null}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[{\"peerId\":5}],\"left\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[\"p\"],\"left\":[]}",
    "{\"type\":\"presence\",\"channel\":7,\"joined\":[],\"left\":[]}",
    "{\"type\":[\"message\"]}",
    "{\"type\":\"welcome\\u0000\"}",
    "{\"type\":\"MESSAGE\",\"channel\":\"c\",\"from\":\"p\",\"data\":1}",
    /* Not frames at all. */
    "",
    " ",
    "null",
    "[]",
    "\"message\"",
    "{\"type\":\"message\"",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":1}garbage",
    "{'type':'ack'}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":NaN}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":01}",
    /* Answers to requests never made. */
    "{\"type\":\"ack\",\"requestId\":\"never-sent\"}",
    /* pong with extras is still a pong: nothing to report. */
    "{\"type\":\"pong\",\"extra\":[1,2,3]}",
    /* The second welcome of a connection. */
    "{\"type\":\"welcome\",\"peerId\":\"intruder\",\"serverTime\":1,\"maxMessageSize\":5,\"expiresAt\":null}",
  };
  /* Accepted: optional fields of the wrong type are ignored, unknown
   * error codes and odd going_away hints still count. */
  static const char * const evented[] = {
    "{\"type\":\"error\",\"code\":\"x\",\"requestId\":[1]}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":1,\"fromMetadata\":\"admin\"}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":1,\"fromMetadata\":[1]}",
    "{\"type\":\"direct\",\"from\":\"p\",\"data\":1,\"fromMetadata\":7}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[{\"peerId\":\"p\",\"metadata\":\"m\"}],\"left\":[]}",
    "{\"type\":\"error\",\"requestId\":\"never-sent\",\"code\":\"internal_error\",\"message\":\"boom\"}",
    "{\"type\":\"error\",\"code\":\"made_up_code\",\"message\":\"\\u0007\\u001b[31mred\"}",
    "{\"type\":\"going_away\",\"retryAfterMs\":\"soon\"}",
    "{\"type\":\"going_away\",\"retryAfterMs\":-5}",
    "{\"type\":\"going_away\",\"retryAfterMs\":1e308}",
    "{\"type\":\"direct\",\"from\":\"\",\"data\":{\"__proto__\":{\"x\":1}}}",
  };
  /* Where JSON.parse() and a C parser may reasonably differ: U+0000 and
   * lone surrogates in strings, numbers beyond a double or 64 bits,
   * duplicate keys. (This client drops the first four: json-glib cannot
   * hold them faithfully.) Any outcome but a crash or a lost connection
   * will do. */
  static const char * const either[] = {
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":\"\\u0000\\u001f\\u007f\"}",
    "{\"type\":\"message\",\"channel\":\"\\ud800\",\"from\":\"p\",\"data\":1}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":\"\\udfff\\ud800\"}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":1e400}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":-123456789012345678901234567890}",
    "{\"type\":\"message\",\"type\":\"direct\",\"from\":\"p\",\"data\":1}",
  };
  static const char invalid_utf8[] = "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":\"\xff\xfe\xc0\x80\"}";
  static const char binary[] = "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":1}";
  GPtrArray *frames = g_ptr_array_new_with_free_func (hostile_frame_free);

  for (guint i = 0; i < G_N_ELEMENTS (dropped); i++)
    add_text (frames, dropped[i], g_strdup (dropped[i]), EXPECT_DROP, 0);
  for (guint i = 0; i < G_N_ELEMENTS (evented); i++)
    add_text (frames, evented[i], g_strdup (evented[i]), EXPECT_EVENT, 0);
  for (guint i = 0; i < G_N_ELEMENTS (either); i++)
    add_text (frames, either[i], g_strdup (either[i]), EXPECT_ANY, 0);

  /* Depth bombs: far past the parser's limit, closed and unclosed. */
  add_text (frames, "depth bomb: 200000 arrays", nested ("[", "]", 200000, TRUE), EXPECT_DROP, 0);
  add_text (frames, "depth bomb: 100000 objects", nested ("{\"a\":", "}", 100000, TRUE), EXPECT_DROP, 0);
  add_text (frames, "depth bomb: unclosed", nested ("[", "]", 300000, FALSE), EXPECT_DROP, 0);

  /* Rosters of 45,000 peers (about 900 KB, under the 1 MiB cap). */
  add_text (frames, "huge presence: joined", huge_presence ("joined", 45000), EXPECT_EVENT, 0);
  add_text (frames, "huge presence: left", huge_presence ("left", 45000), EXPECT_EVENT, 0);

  /* Long strings in every field, under the cap. */
  {
    g_autofree char *long_text = g_strnfill (900 * 1024, 'x');

    add_text (frames, "900 KB channel name",
              g_strdup_printf ("{\"type\":\"message\",\"channel\":\"%s\",\"from\":\"p\",\"data\":1}", long_text),
              EXPECT_EVENT, 0);
  }

  /* Not UTF-8, and binary: the WebSocket fails invalid text with 1007
   * (RFC 6455 §8.1; the client reconnects); binary frames are dropped by
   * the client. */
  add_bytes (frames, "invalid UTF-8 text frame", invalid_utf8, sizeof invalid_utf8 - 1, FALSE, EXPECT_CLOSE, 1007);
  add_bytes (frames, "binary frame", binary, sizeof binary - 1, TRUE, EXPECT_DROP, 0);

  /* Just over the client's 1 MiB cap, and far over it (refused on the
   * frame header, before the payload is read): 1009 either way. */
  {
    g_autofree char *big = g_strnfill (1024 * 1024 + 1 - strlen ("{\"type\":\"pong\",\"x\":\"\"}"), 'x');
    g_autofree char *huge = g_strnfill (3 * 1024 * 1024, 'x');

    add_text (frames, "1 MiB + 1 frame", g_strdup_printf ("{\"type\":\"pong\",\"x\":\"%s\"}", big), EXPECT_CLOSE, 1009);
    add_text (frames, "3 MiB frame", g_strdup_printf ("{\"type\":\"pong\",\"x\":\"%s\"}", huge), EXPECT_CLOSE, 1009);
  }

  return frames;
}

/* A main loop that keeps iterating: the longest gap between ticks of a
 * 20 ms timer. */
typedef struct {
  gint64 last;
  gint64 worst;
} Ticker;

static gboolean
on_tick (gpointer data)
{
  Ticker *ticker = data;
  gint64 now = g_get_monotonic_time ();

  if (ticker->last != 0)
    ticker->worst = MAX (ticker->worst, now - ticker->last);
  ticker->last = now;

  return G_SOURCE_CONTINUE;
}

typedef struct {
  MeteredDevServer *server;
  MeteredClient    *client;
  TestRecorder     *rec;
  guint             sentinels;
} Fixture;

static guint
count_events (TestRecorder *rec)
{
  return rec->directs->len + rec->presences->len + rec->server_errors->len +
         rec->going_aways->len + rec->messages->len;
}

static gboolean
newest_is_sentinel (TestRecorder *rec)
{
  return rec->messages->len > 0 &&
         g_strcmp0 (metered_message_event_get_channel (g_ptr_array_index (rec->messages, rec->messages->len - 1)),
                    "sentinel") == 0;
}

/* Sends a sentinel to every connection and waits until @client got it.
 * Frames go out in order, so everything sent before it has been handled
 * then; a long frame may still be arriving when this starts (the client
 * reads a few hundred KiB per main-loop dispatch), so the wait is for the
 * sentinel itself, not for any new message. */
static void
sync_sentinel (Fixture *fixture)
{
  g_autofree char *text = NULL;
  guint wanted = ++fixture->sentinels;
  guint before = fixture->rec->messages->len;

  text = g_strdup_printf ("{\"type\":\"message\",\"channel\":\"sentinel\",\"from\":\"srv\",\"data\":%u}", wanted);
  g_assert_cmpuint (metered_dev_server_hook_send_raw (fixture->server, NULL, text), >=, 1);
  test_wait_for (fixture->rec->messages->len > before && newest_is_sentinel (fixture->rec), 15);

  g_ptr_array_remove_index (fixture->rec->messages, fixture->rec->messages->len - 1);
}

static void
send_frame (MeteredDevServer   *server,
            const HostileFrame *frame)
{
  if (frame->text != NULL)
    g_assert_cmpuint (metered_dev_server_hook_send_raw (server, NULL, frame->text), >=, 1);
  else
    g_assert_cmpuint (metered_dev_server_hook_send_bytes (server, NULL, frame->bytes, frame->binary), >=, 1);
}

static void
test_client (void)
{
  g_autoptr(GPtrArray) frames = build_frames ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSource) tick_source = g_timeout_source_new (20);
  Ticker ticker = { 0 };
  Fixture fixture = { 0 };

  fixture.server = test_server_new (NULL);
  fixture.client = test_client_new (fixture.server, NULL);
  fixture.rec = test_recorder_new (fixture.client);
  test_connect_ok (fixture.client);

  g_source_set_callback (tick_source, on_tick, &ticker, NULL);
  g_source_attach (tick_source, NULL);

  for (guint i = 0; i < frames->len; i++)
    {
      HostileFrame *frame = g_ptr_array_index (frames, i);
      guint drops = fixture.rec->disconnected->len;
      guint welcomes = fixture.rec->connected->len;
      guint events = count_events (fixture.rec);
      const char *peer = metered_client_get_peer_id (fixture.client);

      g_test_message ("hostile frame: %.80s", frame->name);
      send_frame (fixture.server, frame);

      if (frame->expect == EXPECT_CLOSE)
        {
          MeteredDisconnectedEvent *event;

          test_wait_for (fixture.rec->disconnected->len == drops + 1, 15);
          event = g_ptr_array_index (fixture.rec->disconnected, drops);
          g_assert_cmpint (metered_disconnected_event_get_code (event), ==, frame->code);
          g_assert_true (metered_disconnected_event_get_will_reconnect (event));
          test_wait_for (fixture.rec->connected->len == welcomes + 1 &&
                         metered_client_get_state (fixture.client) == METERED_CLIENT_STATE_CONNECTED, 15);
          sync_sentinel (&fixture);
          continue;
        }

      sync_sentinel (&fixture);
      g_assert_cmpuint (fixture.rec->disconnected->len, ==, drops);
      g_assert_cmpuint (fixture.rec->connected->len, ==, welcomes);
      g_assert_cmpstr (metered_client_get_peer_id (fixture.client), ==, peer);
      g_assert_cmpint (metered_client_get_max_message_size (fixture.client), ==, 65536);
      if (frame->expect == EXPECT_DROP)
        g_assert_cmpuint (count_events (fixture.rec), ==, events);
      else if (frame->expect == EXPECT_EVENT)
        g_assert_cmpuint (count_events (fixture.rec), >, events);
    }

  /* Still usable, and the loop never stalled for long. */
  g_assert_true (test_subscribe (fixture.client, "hostile/after", 0, &error));
  g_assert_no_error (error);
  g_assert_true (test_publish (fixture.client, "hostile/after", "\"ok\"", &error));
  g_assert_no_error (error);
  g_test_message ("longest main loop gap: %" G_GINT64_FORMAT " ms", ticker.worst / 1000);
  g_assert_cmpint (ticker.worst, <, 2 * G_USEC_PER_SEC);

  g_source_destroy (tick_source);
  test_close (fixture.client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  g_clear_pointer (&fixture.rec, test_recorder_free);
  g_clear_object (&fixture.client);
  g_clear_object (&fixture.server);
}

/* Acks are matched by request id: answers to other ids leave a pending
 * request pending, the right id completes it once, a repeat is ignored. */
static void
test_forged_acks (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "ack-timeout", 10.0, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autofree char *ack = NULL;
  const char *request_id;
  Fixture fixture = { 0 };

  test_connect_ok (client);
  fixture.server = server;
  fixture.client = client;
  fixture.rec = rec;

  g_assert_cmpuint (metered_dev_server_hook_set_ack_mode (server, NULL, METERED_DEV_ACKS_SWALLOW, 0), ==, 1);
  metered_client_publish_text_async (client, "acks", "1", NULL, test_call_cb, call);
  test_wait_for (rec->frames_out->len > 0, 5);
  sent = json_from_string (g_ptr_array_index (rec->frames_out, rec->frames_out->len - 1), NULL);
  request_id = json_object_get_string_member (json_node_get_object (sent), "requestId");

  metered_dev_server_hook_send_raw (server, NULL, "{\"type\":\"ack\",\"requestId\":\"someone-else\"}");
  metered_dev_server_hook_send_raw (server, NULL, "{\"type\":\"ack\",\"requestId\":\"\"}");
  sync_sentinel (&fixture);
  g_assert_null (call->result);

  ack = g_strdup_printf ("{\"type\":\"ack\",\"requestId\":\"%s\"}", request_id);
  metered_dev_server_hook_send_raw (server, NULL, ack);
  metered_dev_server_hook_send_raw (server, NULL, ack);
  sync_sentinel (&fixture);
  g_assert_true (metered_client_publish_text_finish (client, test_call_wait (call), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec->server_errors->len, ==, 0);
  g_assert_cmpuint (rec->disconnected->len, ==, 0);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* ICE server lists that fail validation reach the client in a real
 * welcome (the token's metadata): the connection works, the list is
 * refused as a whole. */
typedef struct {
  const char *metadata;
} TokenCase;

static void
provide_token (MeteredClient       *client,
               MeteredTokenRequest *request,
               gpointer             data)
{
  TokenCase *token_case = data;
  g_autofree char *token = test_mint_token ("ice-peer", 3600, NULL, NULL, token_case->metadata);

  metered_token_request_return_token (request, token);
}

static void
test_bad_ice_servers (void)
{
  g_autofree char *long_url = g_strnfill (600, 'a');
  g_autofree char *long_name = g_strnfill (1100, 'n');
  g_autofree char *too_long = g_strdup_printf ("{\"iceServers\":[{\"urls\":\"turn:%s\"}]}", long_url);
  g_autofree char *name_long = g_strdup_printf ("{\"iceServers\":[{\"urls\":\"turn:x\",\"username\":\"%s\"}]}", long_name);
  GString *many = g_string_new ("{\"iceServers\":[");
  g_autofree char *too_many = NULL;
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  const char *cases[8];

  for (guint i = 0; i < 17; i++)
    g_string_append_printf (many, "%s{\"urls\":\"stun:s%u\"}", i > 0 ? "," : "", i);
  g_string_append (many, "]}");
  too_many = g_string_free (many, FALSE);

  cases[0] = too_many;
  cases[1] = too_long;
  cases[2] = name_long;
  cases[3] = "{\"iceServers\":[{\"urls\":\"https://turn.example\"}]}";
  cases[4] = "{\"iceServers\":[{\"urls\":[]}]}";
  cases[5] = "{\"iceServers\":[{\"urls\":[\"stun:a\",{\"evil\":1}]}]}";
  cases[6] = "{\"iceServers\":\"stun:a\"}";
  cases[7] = "{\"iceServers\":[{\"urls\":\"stun:a\"},null]}";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TokenCase token_case = { cases[i] };
      g_autoptr(MeteredClient) client = test_client_new_with_provider (server, provide_token, &token_case, NULL);
      g_autoptr(TestRecorder) rec = test_recorder_new (client);
      g_autoptr(GError) error = NULL;

      test_connect_ok (client);
      g_assert_null (metered_connected_event_get_ice_servers (g_ptr_array_index (rec->connected, 0)));
      g_assert_true (test_publish (client, "ice", "1", &error));
      g_assert_no_error (error);
      test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
    }
}

/* The same through the binary's --test-hooks line protocol: sendBytes
 * carries any bytes, base64-encoded, and refuses what is not base64. */
static void
test_binary_hooks (void)
{
  static const char invalid_utf8[] = "{\"type\":\"pong\",\"x\":\"\xff\xfe\xc0\x80\"}";
  g_autoptr(RelServer) server = rel_server_start (NULL, NULL);
  g_autoptr(MeteredClient) client = rel_client_new (server->url, 5.0, 3.0, 3.0);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autofree char *encoded = g_base64_encode ((const guchar *) invalid_utf8, sizeof invalid_utf8 - 1);
  g_autofree char *line = g_strdup_printf ("{\"hook\":\"sendBytes\",\"base64\":\"%s\"}", encoded);
  g_autofree char *bad = NULL;
  g_autoptr(GError) error = NULL;

  test_connect_ok (client);

  bad = rel_server_hook (server, "{\"hook\":\"sendBytes\",\"base64\":\"not base64!\"}");
  g_assert_nonnull (strstr (bad, "\"error\""));
  g_assert_cmpuint (rel_server_hook_affected (server, "{\"hook\":\"sendBytes\",\"base64\":\"AAEC\",\"binary\":true}"), ==, 1);

  /* Text that is not UTF-8 fails with 1007; the client comes back. */
  g_assert_cmpuint (rel_server_hook_affected (server, line), ==, 1);
  test_wait_for (rec->disconnected->len == 1, 10);
  g_assert_cmpint (metered_disconnected_event_get_code (g_ptr_array_index (rec->disconnected, 0)), ==, 1007);
  test_wait_for (rec->connected->len == 2 && metered_client_get_state (client) == METERED_CLIENT_STATE_CONNECTED, 10);
  g_assert_true (test_publish (client, "after/bytes", "1", &error));
  g_assert_no_error (error);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* The inspector. */

static gboolean
inspector_connected (InspectorConnection *connection)
{
  return inspector_connection_get_state (connection) == METERED_CLIENT_STATE_CONNECTED;
}

static void
on_inspector_published (GObject      *source,
                        GAsyncResult *result,
                        gpointer      data)
{
  gboolean *done = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (inspector_connection_publish_finish (INSPECTOR_CONNECTION (source), result, NULL, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_inspector (void)
{
  g_autoptr(GPtrArray) frames = build_frames ();
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
  g_autoptr(InspectorConnection) connection = NULL;
  g_autoptr(GSource) tick_source = g_timeout_source_new (20);
  g_autoptr(GError) error = NULL;
  Ticker ticker = { 0 };
  Fixture fixture = { 0 };
  gboolean published = FALSE;
  gint64 worst_frame = 0;
  const char *worst_name = NULL;

  /* A plain client paces the frames with sentinels; the inspector's
   * connection gets everything too. */
  fixture.server = test_server_new (NULL);
  fixture.client = test_client_new (fixture.server, NULL);
  fixture.rec = test_recorder_new (fixture.client);
  test_connect_ok (fixture.client);

  options->url = test_server_url (fixture.server);
  options->api_key = g_strdup (TEST_API_KEY);
  options->reconnect.initial_delay = 0.05;
  options->reconnect.max_delay = 0.2;
  connection = inspector_connection_new (options);
  inspector_connection_start (connection);
  test_wait_for (inspector_connected (connection), 15);
  g_assert_true (inspector_connection_subscribe (connection, "hostile/huge", FALSE, &error));
  g_assert_no_error (error);
  test_run_for (0.2);

  g_source_set_callback (tick_source, on_tick, &ticker, NULL);
  g_source_attach (tick_source, NULL);

  for (guint i = 0; i < frames->len; i++)
    {
      HostileFrame *frame = g_ptr_array_index (frames, i);
      guint welcomes = fixture.rec->connected->len;
      g_autofree char *inspector_peer = g_strdup (inspector_connection_get_peer_id (connection));

      ticker.worst = 0;
      send_frame (fixture.server, frame);
      if (frame->expect == EXPECT_CLOSE)
        test_wait_for (fixture.rec->connected->len == welcomes + 1 &&
                       metered_client_get_state (fixture.client) == METERED_CLIENT_STATE_CONNECTED, 15);
      sync_sentinel (&fixture);
      /* The inspector back on its feet too, before the next frame. Its
       * worker may run behind the plain client (huge frames fill its
       * queue to the UI thread): after a closing frame, "connected" only
       * counts on a new connection. */
      if (frame->expect == EXPECT_CLOSE)
        test_wait_for (inspector_connected (connection) &&
                       g_strcmp0 (inspector_connection_get_peer_id (connection), inspector_peer) != 0, 15);
      else
        test_wait_for (inspector_connected (connection), 15);
      test_run_for (0.05);

      if (ticker.worst > worst_frame)
        {
          worst_frame = ticker.worst;
          worst_name = frame->name;
        }
    }

  g_test_message ("inspector: longest main loop gap %" G_GINT64_FORMAT " ms (after %.60s)",
                  worst_frame / 1000, worst_name);
  g_assert_cmpint (worst_frame, <, 2 * G_USEC_PER_SEC);

  inspector_connection_publish_async (connection, "hostile/after", "{\"still\":\"alive\"}", NULL,
                                      on_inspector_published, &published);
  test_wait_for (published, 15);
  g_assert_true (inspector_connected (connection));

  g_source_destroy (tick_source);
  inspector_connection_disconnect (connection);
  test_close (fixture.client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  g_clear_object (&connection);
  test_run_for (0.05);
  g_clear_pointer (&fixture.rec, test_recorder_free);
  g_clear_object (&fixture.client);
  g_clear_object (&fixture.server);
}

int
main (int   argc,
      char *argv[])
{
  rel_init (&argc, &argv);

  g_test_add_func ("/reliability/hostile/client", test_client);
  g_test_add_func ("/reliability/hostile/forged-acks", test_forged_acks);
  g_test_add_func ("/reliability/hostile/bad-ice-servers", test_bad_ice_servers);
  g_test_add_func ("/reliability/hostile/binary-hooks", test_binary_hooks);
  g_test_add_func ("/reliability/hostile/inspector", test_inspector);

  return g_test_run ();
}
