/* test-frame.c: the JSON frame codec
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-client-private.h"
#include "metered-error.h"
#include "metered-frame-private.h"

/* Helpers */

static void
parse_server_ok (const char   *text,
                 MeteredFrame *frame)
{
  g_autoptr(GError) error = NULL;

  if (!metered_frame_parse_server_frame (text, -1, frame, &error))
    g_error ("server frame %s refused: %s", text, error->message);
}

static void
parse_client_ok (const char   *text,
                 MeteredFrame *frame)
{
  g_autoptr(GError) error = NULL;

  if (!metered_frame_parse_client_frame (text, -1, frame, &error))
    g_error ("client frame %s refused: %s", text, error->message);
}

/* UTF-8 as a WebSocket checks it: NUL bytes allowed. */
static gboolean
utf8_valid_with_nuls (const char *text,
                      gsize       len)
{
  const char *end = text + len;

  while (text < end)
    {
      const char *stop;

      if (g_utf8_validate_len (text, (gsize) (end - text), &stop))
        return TRUE;
      if (*stop != '\0')
        return FALSE;
      text = stop + 1;
    }

  return TRUE;
}

static void
assert_server_refused_with (const char             *text,
                            gssize                  len,
                            MeteredFrameParseFlags  flags)
{
  MeteredFrame frame;
  g_autoptr(GError) error = NULL;

  /* Garbage in the frame must not matter: the parser overwrites it. */
  memset (&frame, 0xAA, sizeof frame);
  if (metered_frame_parse_server_frame_full (text, len, flags, &frame, &error))
    g_error ("server frame %s accepted with flags %d", text, flags);
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_PROTOCOL);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_INVALID);
  g_assert_null (frame.peer_id);
  g_assert_null (frame.channel);
  g_assert_null (frame.data);
  g_assert_null (frame.data_text);
  g_assert_null (frame.request_id);
  g_assert_null (frame.joined);
  metered_frame_clear (&frame);
}

/* Refused by every parse mode; the client's (UTF-8 already checked, lazy
 * data) only gets text its WebSocket lets through. */
static void
assert_server_refused (const char *text,
                       gssize      len)
{
  MeteredFrame frame;
  g_autoptr(GError) error = NULL;

  memset (&frame, 0xAA, sizeof frame);
  if (metered_frame_parse_server_frame (text, len, &frame, &error))
    g_error ("server frame %s accepted", text);
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_PROTOCOL);
  metered_frame_clear (&frame);

  assert_server_refused_with (text, len, METERED_FRAME_PARSE_DEFAULT);
  assert_server_refused_with (text, len, METERED_FRAME_PARSE_LAZY_DATA);
  if (utf8_valid_with_nuls (text, len < 0 ? strlen (text) : (gsize) len))
    assert_server_refused_with (text, len, METERED_FRAME_PARSE_UTF8_VALID | METERED_FRAME_PARSE_LAZY_DATA);
}

/* Returns the request id left for the error reply, if any. */
static char *
assert_client_refused (const char *text,
                       gssize      len,
                       int         code)
{
  MeteredFrame frame;
  g_autoptr(GError) error = NULL;
  char *request_id;

  memset (&frame, 0xAA, sizeof frame);
  if (metered_frame_parse_client_frame (text, len, &frame, &error))
    g_error ("client frame %s accepted", text);
  if (!g_error_matches (error, METERED_SERVER_ERROR, code))
    g_error ("client frame %s: expected code %s, got %s (%s)", text,
             metered_server_error_to_string (code),
             metered_server_error_get_code (error), error->message);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_INVALID);
  g_assert_null (frame.channel);
  g_assert_null (frame.peer_id);
  g_assert_null (frame.data);

  request_id = g_steal_pointer (&frame.request_id);
  metered_frame_clear (&frame);
  return request_id;
}

static char *
data_text (const MeteredFrame *frame)
{
  return metered_frame_dup_data_text (frame);
}

/* Client frames: build, then parse as the server */

static void
test_client_round_trip (void)
{
  MeteredFrame frame;
  g_autofree char *subscribe = metered_frame_build_subscribe ("app_abc/room-1", FALSE, "sub-1");
  g_autofree char *subscribe_meta = metered_frame_build_subscribe ("app_abc/room-1", TRUE, "sub-2");
  g_autofree char *subscribe_bare = metered_frame_build_subscribe ("r", FALSE, NULL);
  g_autofree char *unsubscribe = metered_frame_build_unsubscribe ("app_abc/room-1", "unsub-1");
  g_autofree char *publish = metered_frame_build_publish ("app_abc/room-1", "{\"anything\":[1,2.5,\"x\"]}", "pub-1");
  g_autofree char *publish_null = metered_frame_build_publish ("c", "null", "pub-2");
  g_autofree char *send = metered_frame_build_send ("u_bob_456", "{\"sdp\":\"v=0\\r\\n\"}", "send-1");
  g_autofree char *ping = metered_frame_build_ping ();
  char *text;

  /* The wire text itself, as the JS SDK writes it. */
  g_assert_cmpstr (subscribe, ==, "{\"type\":\"subscribe\",\"channel\":\"app_abc/room-1\",\"requestId\":\"sub-1\"}");
  g_assert_cmpstr (subscribe_meta, ==,
                   "{\"type\":\"subscribe\",\"channel\":\"app_abc/room-1\",\"includeSenderMetadata\":true,\"requestId\":\"sub-2\"}");
  g_assert_cmpstr (ping, ==, "{\"type\":\"ping\"}");

  parse_client_ok (subscribe, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_SUBSCRIBE);
  g_assert_cmpstr (frame.channel, ==, "app_abc/room-1");
  g_assert_cmpstr (frame.request_id, ==, "sub-1");
  g_assert_false (frame.include_sender_metadata);
  metered_frame_clear (&frame);

  parse_client_ok (subscribe_meta, &frame);
  g_assert_true (frame.include_sender_metadata);
  g_assert_cmpstr (frame.request_id, ==, "sub-2");
  metered_frame_clear (&frame);

  parse_client_ok (subscribe_bare, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_SUBSCRIBE);
  g_assert_null (frame.request_id);
  metered_frame_clear (&frame);

  parse_client_ok (unsubscribe, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_UNSUBSCRIBE);
  g_assert_cmpstr (frame.channel, ==, "app_abc/room-1");
  g_assert_cmpstr (frame.request_id, ==, "unsub-1");
  metered_frame_clear (&frame);

  parse_client_ok (publish, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_PUBLISH);
  g_assert_cmpstr (frame.channel, ==, "app_abc/room-1");
  g_assert_cmpstr (frame.request_id, ==, "pub-1");
  text = data_text (&frame);
  g_assert_cmpstr (text, ==, "{\"anything\":[1,2.5,\"x\"]}");
  g_free (text);
  metered_frame_clear (&frame);

  parse_client_ok (publish_null, &frame);
  g_assert_nonnull (frame.data);
  g_assert_true (JSON_NODE_HOLDS_NULL (frame.data));
  text = data_text (&frame);
  g_assert_cmpstr (text, ==, "null");
  g_free (text);
  metered_frame_clear (&frame);

  parse_client_ok (send, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_SEND);
  g_assert_cmpstr (frame.peer_id, ==, "u_bob_456");
  g_assert_cmpstr (frame.request_id, ==, "send-1");
  text = data_text (&frame);
  g_assert_cmpstr (text, ==, "{\"sdp\":\"v=0\\r\\n\"}");
  g_free (text);
  metered_frame_clear (&frame);

  parse_client_ok (ping, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_PING);
  metered_frame_clear (&frame);

  /* Clearing twice is harmless. */
  metered_frame_clear (&frame);
}

static void
test_client_escaping (void)
{
  MeteredFrame frame;
  const char *channel = "quote\" back\\slash /caf\xc3\xa9 \xe2\x80\xa8";
  g_autofree char *subscribe = metered_frame_build_subscribe (channel, FALSE, "id \"1\"");

  g_assert_true (g_str_has_prefix (subscribe, "{\"type\":\"subscribe\",\"channel\":\"quote\\\" back\\\\slash /caf\xc3\xa9 \\u2028\""));

  parse_client_ok (subscribe, &frame);
  g_assert_cmpstr (frame.channel, ==, channel);
  g_assert_cmpstr (frame.request_id, ==, "id \"1\"");
  metered_frame_clear (&frame);
}

static void
test_client_shapes (void)
{
  MeteredFrame frame;

  /* Unknown members are ignored; whitespace is fine. */
  parse_client_ok (" {\n\t\"type\" : \"publish\", \"channel\":\"c\", \"data\": {\"a\":{}}, \"extra\": [1] }\r\n", &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_PUBLISH);
  metered_frame_clear (&frame);

  /* data may be any JSON value. */
  parse_client_ok ("{\"type\":\"send\",\"to\":\"p\",\"data\":false}", &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_SEND);
  g_assert_true (JSON_NODE_HOLDS_VALUE (frame.data));
  metered_frame_clear (&frame);

  parse_client_ok ("{\"type\":\"subscribe\",\"channel\":\"c\",\"includeSenderMetadata\":false}", &frame);
  g_assert_false (frame.include_sender_metadata);
  metered_frame_clear (&frame);

  /* The codec leaves reserved prefixes and patterns to the server. */
  parse_client_ok ("{\"type\":\"subscribe\",\"channel\":\"_system/x\"}", &frame);
  g_assert_cmpstr (frame.channel, ==, "_system/x");
  metered_frame_clear (&frame);
  parse_client_ok ("{\"type\":\"subscribe\",\"channel\":\"devices/*/events\"}", &frame);
  metered_frame_clear (&frame);

  /* Only subscribe reads includeSenderMetadata. */
  parse_client_ok ("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"includeSenderMetadata\":\"yes\"}", &frame);
  metered_frame_clear (&frame);

  /* An explicit length lets the text carry trailing bytes. */
  g_assert_true (metered_frame_parse_client_frame ("{\"type\":\"ping\"}GARBAGE", 15, &frame, NULL));
  g_assert_cmpint (frame.type, ==, METERED_FRAME_PING);
  metered_frame_clear (&frame);
}

static void
test_client_rejections (void)
{
  g_autofree char *long_channel = g_strnfill (257, 'c');
  g_autofree char *long_peer = g_strnfill (129, 'p');
  g_autofree char *long_request = g_strnfill (129, 'r');
  g_autofree char *frame_long_channel = g_strdup_printf ("{\"type\":\"subscribe\",\"channel\":\"%s\"}", long_channel);
  g_autofree char *frame_long_peer = g_strdup_printf ("{\"type\":\"send\",\"to\":\"%s\",\"data\":1}", long_peer);
  g_autofree char *frame_long_request = g_strdup_printf ("{\"type\":\"ping\",\"requestId\":\"%s\"}", long_request);
  const struct {
    const char *text;
    int         code;
  } cases[] = {
    /* malformed_message */
    { "", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "   ", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "not json", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"ping\"", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"ping\",}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"ping\"} {}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{'type':'ping'}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "/* c */ {\"type\":\"ping\"}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":0x10}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":01}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":1.}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":NaN}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":1e999}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":99999999999999999999}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\\ud800\"}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\\x41\"}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"tab\there\"}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\\u0000\"}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"publish\",\"channel\":\"c\\u0000evil\",\"data\":1}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "[\"type\",\"ping\"]", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "\"ping\"", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "null", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":null}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":7}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"ping\",\"requestId\":7}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"ping\",\"requestId\":\"\"}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"ping\",\"requestId\":null}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"ping\",\"requestId\":\"a\\nb\"}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { frame_long_request, METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"subscribe\",\"channel\":\"c\",\"includeSenderMetadata\":\"true\"}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"subscribe\",\"channel\":\"c\",\"includeSenderMetadata\":1}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },
    { "{\"type\":\"subscribe\",\"channel\":\"c\",\"includeSenderMetadata\":null}", METERED_SERVER_ERROR_MALFORMED_MESSAGE },

    /* unknown_type */
    { "{\"type\":\"\"}", METERED_SERVER_ERROR_UNKNOWN_TYPE },
    { "{\"type\":\"Subscribe\"}", METERED_SERVER_ERROR_UNKNOWN_TYPE },
    { "{\"type\":\"pong\"}", METERED_SERVER_ERROR_UNKNOWN_TYPE },
    { "{\"type\":\"welcome\",\"peerId\":\"x\"}", METERED_SERVER_ERROR_UNKNOWN_TYPE },
    { "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"x\",\"data\":1}", METERED_SERVER_ERROR_UNKNOWN_TYPE },
    { "{\"type\":\"hello\",\"channel\":\"\"}", METERED_SERVER_ERROR_UNKNOWN_TYPE },

    /* invalid_channel */
    { "{\"type\":\"subscribe\"}", METERED_SERVER_ERROR_INVALID_CHANNEL },
    { "{\"type\":\"subscribe\",\"channel\":\"\"}", METERED_SERVER_ERROR_INVALID_CHANNEL },
    { "{\"type\":\"subscribe\",\"channel\":null}", METERED_SERVER_ERROR_INVALID_CHANNEL },
    { "{\"type\":\"subscribe\",\"channel\":[\"c\"]}", METERED_SERVER_ERROR_INVALID_CHANNEL },
    { "{\"type\":\"unsubscribe\",\"channel\":42}", METERED_SERVER_ERROR_INVALID_CHANNEL },
    { "{\"type\":\"publish\",\"channel\":\"a\\nb\",\"data\":1}", METERED_SERVER_ERROR_INVALID_CHANNEL },
    { "{\"type\":\"publish\",\"channel\":\"a\\u0085b\",\"data\":1}", METERED_SERVER_ERROR_INVALID_CHANNEL },
    { "{\"type\":\"publish\",\"data\":1}", METERED_SERVER_ERROR_INVALID_CHANNEL },
    { frame_long_channel, METERED_SERVER_ERROR_INVALID_CHANNEL },

    /* missing_data */
    { "{\"type\":\"publish\",\"channel\":\"c\"}", METERED_SERVER_ERROR_MISSING_DATA },
    { "{\"type\":\"send\",\"to\":\"p\"}", METERED_SERVER_ERROR_MISSING_DATA },

    /* invalid_peer_id */
    { "{\"type\":\"send\",\"data\":1}", METERED_SERVER_ERROR_INVALID_PEER_ID },
    { "{\"type\":\"send\",\"to\":\"\",\"data\":1}", METERED_SERVER_ERROR_INVALID_PEER_ID },
    { "{\"type\":\"send\",\"to\":5,\"data\":1}", METERED_SERVER_ERROR_INVALID_PEER_ID },
    { "{\"type\":\"send\",\"to\":\"caf\xc3\xa9\",\"data\":1}", METERED_SERVER_ERROR_INVALID_PEER_ID },
    { "{\"type\":\"send\",\"to\":\"a\\tb\",\"data\":1}", METERED_SERVER_ERROR_INVALID_PEER_ID },
    { frame_long_peer, METERED_SERVER_ERROR_INVALID_PEER_ID },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_free (assert_client_refused (cases[i].text, -1, cases[i].code));
}

static void
test_client_request_id_echo (void)
{
  char *request_id;

  /* A valid requestId survives the failure so the error can echo it. */
  request_id = assert_client_refused ("{\"type\":\"nope\",\"requestId\":\"r-1\"}", -1,
                                      METERED_SERVER_ERROR_UNKNOWN_TYPE);
  g_assert_cmpstr (request_id, ==, "r-1");
  g_free (request_id);

  request_id = assert_client_refused ("{\"requestId\":\"r-2\"}", -1, METERED_SERVER_ERROR_MALFORMED_MESSAGE);
  g_assert_cmpstr (request_id, ==, "r-2");
  g_free (request_id);

  request_id = assert_client_refused ("{\"type\":\"publish\",\"channel\":\"\",\"requestId\":\"r-3\"}", -1,
                                      METERED_SERVER_ERROR_INVALID_CHANNEL);
  g_assert_cmpstr (request_id, ==, "r-3");
  g_free (request_id);

  request_id = assert_client_refused ("{\"type\":\"publish\",\"channel\":\"c\",\"requestId\":\"r-4\"}", -1,
                                      METERED_SERVER_ERROR_MISSING_DATA);
  g_assert_cmpstr (request_id, ==, "r-4");
  g_free (request_id);

  /* An invalid one is not kept, so it is never echoed. */
  request_id = assert_client_refused ("{\"type\":\"ping\",\"requestId\":\"bad\\u0001id\"}", -1,
                                      METERED_SERVER_ERROR_MALFORMED_MESSAGE);
  g_assert_null (request_id);

  request_id = assert_client_refused ("not json \"requestId\":\"r\"", -1, METERED_SERVER_ERROR_MALFORMED_MESSAGE);
  g_assert_null (request_id);
}

static void
test_client_error_messages_do_not_echo (void)
{
  const char *secret_channel = "secret-channel\n";
  g_autofree char *text = g_strdup_printf ("{\"type\":\"subscribe\",\"channel\":\"secret-channel\\n\"}");
  MeteredFrame frame;
  g_autoptr(GError) error = NULL;

  g_assert_false (metered_frame_parse_client_frame (text, -1, &frame, &error));
  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_INVALID_CHANNEL);
  g_assert_null (strstr (error->message, "secret-channel"));
  g_assert_null (strstr (error->message, secret_channel));
  metered_frame_clear (&frame);
  g_clear_error (&error);

  g_assert_false (metered_frame_parse_client_frame ("{\"type\":\"mystery-type\"}", -1, &frame, &error));
  g_assert_null (strstr (error->message, "mystery"));
  metered_frame_clear (&frame);
  g_clear_error (&error);

  g_assert_false (metered_frame_parse_client_frame ("{\"type\":\"ping\",\"requestId\":\"\\u0001hidden\"}", -1,
                                                    &frame, &error));
  g_assert_null (strstr (error->message, "hidden"));
  metered_frame_clear (&frame);
  g_clear_error (&error);

  g_assert_false (metered_frame_parse_client_frame ("{'leaky': 1}", -1, &frame, &error));
  g_assert_null (strstr (error->message, "leaky"));
  metered_frame_clear (&frame);
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
test_depth_limit (void)
{
  /* The frame object is level 1, so data may nest 63 more levels. */
  g_autofree char *data_ok = nested (METERED_JSON_MAX_DEPTH - 1, "[", "1", "]");
  g_autofree char *data_deep = nested (METERED_JSON_MAX_DEPTH, "[", "1", "]");
  g_autofree char *objects_ok = nested (METERED_JSON_MAX_DEPTH - 1, "{\"a\":", "1", "}");
  g_autofree char *objects_deep = nested (METERED_JSON_MAX_DEPTH, "{\"a\":", "1", "}");
  g_autofree char *frame_ok = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"c\",\"data\":%s}", data_ok);
  g_autofree char *frame_deep = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"c\",\"data\":%s}", data_deep);
  g_autofree char *objects_frame_ok = g_strdup_printf ("{\"type\":\"send\",\"to\":\"p\",\"data\":%s}", objects_ok);
  g_autofree char *objects_frame_deep = g_strdup_printf ("{\"type\":\"send\",\"to\":\"p\",\"data\":%s}", objects_deep);
  g_autofree char *server_deep = g_strdup_printf ("{\"type\":\"direct\",\"from\":\"p\",\"data\":%s}", data_deep);
  g_autofree char *bomb = g_strnfill (1000000, '[');
  g_autofree char *closed_bomb = nested (200000, "[", "", "]");
  g_autofree char *in_string = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"%s\"}", bomb);
  MeteredFrame frame;
  char *text;

  parse_client_ok (frame_ok, &frame);
  text = data_text (&frame);
  g_assert_cmpstr (text, ==, data_ok);
  g_free (text);
  metered_frame_clear (&frame);

  parse_client_ok (objects_frame_ok, &frame);
  metered_frame_clear (&frame);

  g_free (assert_client_refused (frame_deep, -1, METERED_SERVER_ERROR_MALFORMED_MESSAGE));
  g_free (assert_client_refused (objects_frame_deep, -1, METERED_SERVER_ERROR_MALFORMED_MESSAGE));
  g_free (assert_client_refused (bomb, -1, METERED_SERVER_ERROR_MALFORMED_MESSAGE));
  g_free (assert_client_refused (closed_bomb, -1, METERED_SERVER_ERROR_MALFORMED_MESSAGE));
  assert_server_refused (server_deep, -1);
  assert_server_refused (bomb, -1);

  /* Brackets inside a string are not nesting. */
  parse_client_ok (in_string, &frame);
  metered_frame_clear (&frame);
}

static void
test_invalid_utf8 (void)
{
  const char * const texts[] = {
    "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\xff\"}",
    "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\xc3\"}",
    "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\xc0\xaf\"}",
    "{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"\xed\xa0\x80\"}",
    "{\"type\":\"publish\",\"channel\":\"c\xfe\",\"data\":1}",
    "\xef\xbb\xbf{\"type\":\"ping\"}",
  };
  const char with_nul[] = "{\"type\":\"ping\"}\0";

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_free (assert_client_refused (texts[i], -1, METERED_SERVER_ERROR_MALFORMED_MESSAGE));
      assert_server_refused (texts[i], -1);
    }

  /* A NUL byte inside the counted text is not JSON. */
  g_free (assert_client_refused (with_nul, sizeof with_nul - 1, METERED_SERVER_ERROR_MALFORMED_MESSAGE));
}

/* Server frames: build, then parse as the client */

static void
test_server_welcome (void)
{
  g_autofree char *full = metered_frame_build_welcome ("alice", 1715539200, 1715535600, 65536,
                                                       "{\"iceServers\":[{\"urls\":[\"stun:x:80\"]}]}");
  g_autofree char *pk = metered_frame_build_welcome ("2c5ea4c0", -1, 1715535600, 65536, NULL);
  MeteredFrame frame;
  g_autoptr(JsonNode) metadata_node = NULL;
  g_autoptr(GString) metadata_text = g_string_new (NULL);

  g_assert_cmpstr (pk, ==,
                   "{\"type\":\"welcome\",\"peerId\":\"2c5ea4c0\",\"expiresAt\":null,\"serverTime\":1715535600,\"maxMessageSize\":65536}");

  parse_server_ok (full, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_WELCOME);
  g_assert_cmpstr (frame.peer_id, ==, "alice");
  g_assert_true (frame.has_expires_at);
  g_assert_cmpint (frame.expires_at, ==, 1715539200);
  g_assert_cmpint (frame.server_time, ==, 1715535600);
  g_assert_cmpint (frame.max_message_size, ==, 65536);
  g_assert_nonnull (frame.metadata);
  metadata_node = json_node_init_object (json_node_alloc (), frame.metadata);
  metered_json_append_node (metadata_text, metadata_node);
  g_assert_cmpstr (metadata_text->str, ==, "{\"iceServers\":[{\"urls\":[\"stun:x:80\"]}]}");
  metered_frame_clear (&frame);

  parse_server_ok (pk, &frame);
  g_assert_false (frame.has_expires_at);
  g_assert_null (frame.metadata);
  metered_frame_clear (&frame);

  /* Numbers may come as doubles. */
  parse_server_ok ("{\"type\":\"welcome\",\"peerId\":\"p\",\"expiresAt\":1.7e9,\"serverTime\":1715535600.75,"
                   "\"maxMessageSize\":65536.0}", &frame);
  g_assert_cmpint (frame.expires_at, ==, 1700000000);
  g_assert_cmpint (frame.server_time, ==, 1715535600);
  g_assert_cmpint (frame.max_message_size, ==, 65536);
  metered_frame_clear (&frame);

  /* An optional metadata of the wrong type is dropped, as the JS SDK does. */
  parse_server_ok ("{\"type\":\"welcome\",\"peerId\":\"p\",\"expiresAt\":null,\"serverTime\":1,"
                   "\"maxMessageSize\":2,\"metadata\":[1]}", &frame);
  g_assert_null (frame.metadata);
  metered_frame_clear (&frame);
}

static void
test_server_ack_error (void)
{
  g_autofree char *ack = metered_frame_build_ack ("sub-1");
  g_autofree char *error_full = metered_frame_build_error ("channel_not_authorized", "not authorized: x", "pub-2");
  g_autofree char *error_bare = metered_frame_build_error ("malformed_message", NULL, NULL);
  MeteredFrame frame;

  g_assert_cmpstr (ack, ==, "{\"type\":\"ack\",\"requestId\":\"sub-1\"}");
  g_assert_cmpstr (error_bare, ==, "{\"type\":\"error\",\"code\":\"malformed_message\"}");

  parse_server_ok (ack, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_ACK);
  g_assert_cmpstr (frame.request_id, ==, "sub-1");
  metered_frame_clear (&frame);

  parse_server_ok (error_full, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_ERROR);
  g_assert_cmpstr (frame.code, ==, "channel_not_authorized");
  g_assert_cmpstr (frame.message, ==, "not authorized: x");
  g_assert_cmpstr (frame.request_id, ==, "pub-2");
  metered_frame_clear (&frame);

  parse_server_ok (error_bare, &frame);
  g_assert_cmpstr (frame.code, ==, "malformed_message");
  g_assert_null (frame.message);
  g_assert_null (frame.request_id);
  metered_frame_clear (&frame);

  /* Unknown codes are accepted so pending requests still fail fast;
   * optional fields of the wrong type are ignored. */
  parse_server_ok ("{\"type\":\"error\",\"code\":\"from_the_future\",\"requestId\":5,\"message\":{}}", &frame);
  g_assert_cmpstr (frame.code, ==, "from_the_future");
  g_assert_null (frame.request_id);
  g_assert_null (frame.message);
  metered_frame_clear (&frame);
}

static void
test_server_message_direct (void)
{
  g_autofree char *message = metered_frame_build_message ("app_abc/room-1", "u_alice_123", "{\"text\":\"hi\"}",
                                                          "{\"username\":\"Alice\"}");
  g_autofree char *message_bare = metered_frame_build_message ("c", "p", "null", NULL);
  g_autofree char *direct = metered_frame_build_direct ("u_alice_123", "[1,\"two\"]", "{\"userId\":\"u\"}");
  g_autofree char *direct_bare = metered_frame_build_direct ("p", "\"s\"", NULL);
  MeteredFrame frame;
  char *text;

  g_assert_cmpstr (message_bare, ==, "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":null}");

  parse_server_ok (message, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_MESSAGE);
  g_assert_cmpstr (frame.channel, ==, "app_abc/room-1");
  g_assert_cmpstr (frame.peer_id, ==, "u_alice_123");
  text = data_text (&frame);
  g_assert_cmpstr (text, ==, "{\"text\":\"hi\"}");
  g_free (text);
  g_assert_nonnull (frame.metadata);
  g_assert_cmpstr (json_object_get_string_member (frame.metadata, "username"), ==, "Alice");
  metered_frame_clear (&frame);

  parse_server_ok (message_bare, &frame);
  g_assert_true (JSON_NODE_HOLDS_NULL (frame.data));
  g_assert_null (frame.metadata);
  metered_frame_clear (&frame);

  parse_server_ok (direct, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_DIRECT);
  g_assert_null (frame.channel);
  g_assert_cmpstr (frame.peer_id, ==, "u_alice_123");
  text = data_text (&frame);
  g_assert_cmpstr (text, ==, "[1,\"two\"]");
  g_free (text);
  g_assert_cmpstr (json_object_get_string_member (frame.metadata, "userId"), ==, "u");
  metered_frame_clear (&frame);

  parse_server_ok (direct_bare, &frame);
  text = data_text (&frame);
  g_assert_cmpstr (text, ==, "\"s\"");
  g_free (text);
  metered_frame_clear (&frame);
}

/* Parses @text (of @len bytes, not NUL-terminated when @len >= 0) and checks
 * that the frame's data_text is @expected and reads back as frame.data. */
static void
assert_data_text (const char   *text,
                  gssize        len,
                  const char   *expected,
                  MeteredFrame *frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) again = NULL;

  if (!metered_frame_parse_server_frame (text, len, frame, &error))
    g_error ("server frame %s refused: %s", text, error->message);
  g_assert_cmpstr (frame->data_text, ==, expected);

  again = metered_json_parse_untrusted (frame->data_text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (again, frame->data));
}

static void
test_server_data_text (void)
{
  /* Compact but not how metered_json_append_node() writes it: escapes that
   * need not be, raw non-ASCII and U+2028, numbers spelled 1.0, 1E3, -0. */
  static const char exact[] =
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\","
    "\"data\":{\"s\":\"caf\\u00e9 \\\"q\\\" \\/ é 😀 \u2028 \\ud83d\\ude00\",\"n\":1.0,\"e\":1E3,\"z\":-0,\"t\":true},"
    "\"fromMetadata\":{}}";
  /* Whitespace between tokens goes, inside strings it stays. */
  static const char spaced[] =
    "{ \"type\" : \"direct\" ,\n \"from\":\"p\", \"data\" :\t[ 1 , { \"a b\" : \"x  \\\\\\\" y\" } ,\r\n\"  \" ] }";
  g_autofree char *normalized = NULL;
  /* A frame inside a larger buffer, as a transport hands it over. */
  g_autofree char *buffer = g_strdup ("{\"type\":\"direct\",\"from\":\"p\",\"data\":-12.5e-1}GARBAGE");
  MeteredFrame frame;
  JsonObject *object;
  JsonArray *array;

  assert_data_text (exact, -1,
                    "{\"s\":\"caf\\u00e9 \\\"q\\\" \\/ é 😀 \u2028 \\ud83d\\ude00\",\"n\":1.0,\"e\":1E3,\"z\":-0,\"t\":true}",
                    &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_MESSAGE);
  object = json_node_get_object (frame.data);
  g_assert_cmpstr (json_object_get_string_member (object, "s"), ==, "café \"q\" / é 😀 \u2028 😀");
  g_assert_cmpfloat (json_object_get_double_member (object, "n"), ==, 1.0);
  g_assert_cmpfloat (json_object_get_double_member (object, "e"), ==, 1000.0);
  g_assert_cmpint (json_object_get_int_member (object, "z"), ==, 0);
  g_assert_true (json_object_get_boolean_member (object, "t"));
  /* Not what writing the node again gives. */
  normalized = metered_frame_dup_data_text (&frame);
  g_assert_cmpstr (normalized, !=, frame.data_text);
  metered_frame_clear (&frame);

  assert_data_text (spaced, -1, "[1,{\"a b\":\"x  \\\\\\\" y\"},\"  \"]", &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_DIRECT);
  array = json_node_get_array (frame.data);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "a b"), ==,
                   "x  \\\" y");
  g_assert_cmpstr (json_array_get_string_element (array, 2), ==, "  ");
  metered_frame_clear (&frame);

  assert_data_text (buffer, (gssize) (strlen (buffer) - strlen ("GARBAGE")), "-12.5e-1", &frame);
  g_assert_cmpfloat (json_node_get_double (frame.data), ==, -1.25);
  metered_frame_clear (&frame);

  /* Scalars at the end of the frame, null, a `data` member inside data, data
   * before the type, and a repeated member (the last one counts, as for the
   * node). */
  assert_data_text ("{\"type\":\"direct\",\"from\":\"p\",\"data\":7 }", -1, "7", &frame);
  metered_frame_clear (&frame);
  assert_data_text ("{\"type\":\"direct\",\"from\":\"p\",\"data\": null}", -1, "null", &frame);
  g_assert_true (JSON_NODE_HOLDS_NULL (frame.data));
  metered_frame_clear (&frame);
  assert_data_text ("{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":{\"data\":[{\"data\":1}]}}", -1,
                    "{\"data\":[{\"data\":1}]}", &frame);
  metered_frame_clear (&frame);
  assert_data_text ("{\"data\":\"first\",\"type\":\"direct\",\"from\":\"p\"}", -1, "\"first\"", &frame);
  metered_frame_clear (&frame);
  assert_data_text ("{\"type\":\"direct\",\"from\":\"p\",\"data\":1,\"data\": {\"x\" : 2}}", -1, "{\"x\":2}",
                    &frame);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (frame.data));
  metered_frame_clear (&frame);

  /* Only message and direct frames carry it; the server side never does. */
  parse_server_ok ("{\"type\":\"ack\",\"requestId\":\"r\",\"data\":1}", &frame);
  g_assert_null (frame.data_text);
  metered_frame_clear (&frame);
  parse_client_ok ("{\"type\":\"publish\",\"channel\":\"c\",\"data\":{ \"a\": 1 }}", &frame);
  g_assert_null (frame.data_text);
  metered_frame_clear (&frame);
}

static void
test_server_presence (void)
{
  g_autoptr(GPtrArray) joined = g_ptr_array_new_with_free_func ((GDestroyNotify) metered_frame_peer_free);
  g_autoptr(GPtrArray) left = g_ptr_array_new_with_free_func ((GDestroyNotify) metered_frame_peer_free);
  g_autoptr(JsonObject) bob_metadata = json_object_new ();
  g_autofree char *presence = NULL;
  g_autofree char *empty = metered_frame_build_presence ("c", NULL, NULL);
  MeteredFrame frame;
  MeteredFramePeer *peer;

  json_object_set_string_member (bob_metadata, "username", "Bob");
  json_object_set_double_member (bob_metadata, "score", 0.1);
  g_ptr_array_add (joined, metered_frame_peer_new ("u_bob_456", bob_metadata));
  g_ptr_array_add (joined, metered_frame_peer_new ("u_carol_789", NULL));
  g_ptr_array_add (left, metered_frame_peer_new ("u_dave_000", NULL));

  presence = metered_frame_build_presence ("app_abc/room-1", joined, left);
  g_assert_cmpstr (presence, ==,
                   "{\"type\":\"presence\",\"channel\":\"app_abc/room-1\","
                   "\"joined\":[{\"peerId\":\"u_bob_456\",\"metadata\":{\"username\":\"Bob\",\"score\":0.1}},"
                   "{\"peerId\":\"u_carol_789\"}],\"left\":[{\"peerId\":\"u_dave_000\"}]}");
  g_assert_cmpstr (empty, ==, "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[],\"left\":[]}");

  parse_server_ok (presence, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_PRESENCE);
  g_assert_cmpstr (frame.channel, ==, "app_abc/room-1");
  g_assert_cmpuint (frame.joined->len, ==, 2);
  g_assert_cmpuint (frame.left->len, ==, 1);
  peer = g_ptr_array_index (frame.joined, 0);
  g_assert_cmpstr (peer->peer_id, ==, "u_bob_456");
  g_assert_cmpstr (json_object_get_string_member (peer->metadata, "username"), ==, "Bob");
  g_assert_cmpfloat (json_object_get_double_member (peer->metadata, "score"), ==, 0.1);
  peer = g_ptr_array_index (frame.joined, 1);
  g_assert_cmpstr (peer->peer_id, ==, "u_carol_789");
  g_assert_null (peer->metadata);
  peer = g_ptr_array_index (frame.left, 0);
  g_assert_cmpstr (peer->peer_id, ==, "u_dave_000");
  metered_frame_clear (&frame);

  parse_server_ok (empty, &frame);
  g_assert_cmpuint (frame.joined->len, ==, 0);
  g_assert_cmpuint (frame.left->len, ==, 0);
  metered_frame_clear (&frame);
}

static void
test_server_going_away_pong (void)
{
  g_autofree char *going_away = metered_frame_build_going_away (5000);
  g_autofree char *pong = metered_frame_build_pong ();
  const struct {
    const char *text;
    gint64      retry;
  } retries[] = {
    { "{\"type\":\"going_away\"}", 1000 },
    { "{\"type\":\"going_away\",\"retryAfterMs\":0}", 1000 },
    { "{\"type\":\"going_away\",\"retryAfterMs\":-5}", 1000 },
    { "{\"type\":\"going_away\",\"retryAfterMs\":\"5000\"}", 1000 },
    { "{\"type\":\"going_away\",\"retryAfterMs\":null}", 1000 },
    { "{\"type\":\"going_away\",\"retryAfterMs\":2500.0}", 2500 },
    { "{\"type\":\"going_away\",\"retryAfterMs\":0.25}", 1 },
    { "{\"type\":\"going_away\",\"retryAfterMs\":1e300}", G_MAXINT64 },
  };
  MeteredFrame frame;

  g_assert_cmpstr (going_away, ==, "{\"type\":\"going_away\",\"retryAfterMs\":5000}");
  g_assert_cmpstr (pong, ==, "{\"type\":\"pong\"}");

  parse_server_ok (going_away, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_GOING_AWAY);
  g_assert_cmpint (frame.retry_after_ms, ==, 5000);
  metered_frame_clear (&frame);

  for (gsize i = 0; i < G_N_ELEMENTS (retries); i++)
    {
      parse_server_ok (retries[i].text, &frame);
      g_assert_cmpint (frame.retry_after_ms, ==, retries[i].retry);
      metered_frame_clear (&frame);
    }

  parse_server_ok (pong, &frame);
  g_assert_cmpint (frame.type, ==, METERED_FRAME_PONG);
  metered_frame_clear (&frame);
}

static void
test_server_rejections (void)
{
  const char * const refused[] = {
    "",
    "nope",
    "[]",
    "null",
    "{}",
    "{\"type\":1}",
    "{\"type\":\"unknown\"}",
    "{\"type\":\"ping\"}",
    "{\"type\":\"subscribe\",\"channel\":\"c\"}",
    "{\"type\":\"pong\"} trailing",

    /* welcome */
    "{\"type\":\"welcome\",\"expiresAt\":null,\"serverTime\":1,\"maxMessageSize\":2}",
    "{\"type\":\"welcome\",\"peerId\":7,\"expiresAt\":null,\"serverTime\":1,\"maxMessageSize\":2}",
    "{\"type\":\"welcome\",\"peerId\":\"p\",\"serverTime\":1,\"maxMessageSize\":2}",
    "{\"type\":\"welcome\",\"peerId\":\"p\",\"expiresAt\":\"never\",\"serverTime\":1,\"maxMessageSize\":2}",
    "{\"type\":\"welcome\",\"peerId\":\"p\",\"expiresAt\":null,\"maxMessageSize\":2}",
    "{\"type\":\"welcome\",\"peerId\":\"p\",\"expiresAt\":null,\"serverTime\":\"1\",\"maxMessageSize\":2}",
    "{\"type\":\"welcome\",\"peerId\":\"p\",\"expiresAt\":null,\"serverTime\":1}",
    "{\"type\":\"welcome\",\"peerId\":\"p\",\"expiresAt\":null,\"serverTime\":1,\"maxMessageSize\":true}",

    /* ack */
    "{\"type\":\"ack\"}",
    "{\"type\":\"ack\",\"requestId\":1}",

    /* error */
    "{\"type\":\"error\"}",
    "{\"type\":\"error\",\"code\":\"\"}",
    "{\"type\":\"error\",\"code\":3}",

    /* message */
    "{\"type\":\"message\",\"from\":\"p\",\"data\":1}",
    "{\"type\":\"message\",\"channel\":\"c\",\"data\":1}",
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\"}",
    "{\"type\":\"message\",\"channel\":1,\"from\":\"p\",\"data\":1}",

    /* direct */
    "{\"type\":\"direct\",\"data\":1}",
    "{\"type\":\"direct\",\"from\":\"p\"}",
    "{\"type\":\"direct\",\"from\":null,\"data\":1}",

    /* presence */
    "{\"type\":\"presence\",\"joined\":[],\"left\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"left\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":{},\"left\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[],\"left\":null}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[\"p\"],\"left\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[{}],\"left\":[]}",
    "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[],\"left\":[{\"peerId\":1}]}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    assert_server_refused (refused[i], -1);
}

static void
test_json_append_string (void)
{
  const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "", "\"\"" },
    { "plain", "\"plain\"" },
    { "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
    { "\n\r\t", "\"\\n\\r\\t\"" },
    { "\x01\x1f\b\f", "\"\\u0001\\u001f\\u0008\\u000c\"" },
    { "\x7f", "\"\x7f\"" },
    { "caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"" },
    { "\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"" },
    { "\xe2\x80\xa7", "\"\xe2\x80\xa7\"" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new ("x");

      metered_json_append_string (out, cases[i].in);
      g_assert_cmpstr (out->str + 1, ==, cases[i].out);
    }

  /* Invalid UTF-8 never reaches the wire. */
  {
    g_autoptr(GString) out = g_string_new (NULL);

    metered_json_append_string (out, "bad\xff");
    g_assert_true (g_utf8_validate (out->str, -1, NULL));
    g_assert_true (g_str_has_prefix (out->str, "\"bad"));
  }
}

static void
test_json_append_node (void)
{
  const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "0.1", "0.1" },
    { "1.5", "1.5" },
    { "-0.0", "-0" },
    { "100.0", "100" },
    { "1e20", "1e+20" },
    { "0.30000000000000004", "0.30000000000000004" },
    { "9223372036854775807", "9223372036854775807" },
    { "-9223372036854775808", "-9223372036854775808" },
    { "{\"b\":1,\"a\":2,\"c\":{\"z\":[],\"y\":{}}}", "{\"b\":1,\"a\":2,\"c\":{\"z\":[],\"y\":{}}}" },
    { " [ true , false , null , \"\\u00e9\\ud83d\\ude00\\/\" ] ", "[true,false,null,\"\xc3\xa9\xf0\x9f\x98\x80/\"]" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = metered_json_parse_untrusted (cases[i].in, -1, &error);
      g_autoptr(GString) out = g_string_new (NULL);

      g_assert_no_error (error);
      metered_json_append_node (out, node);
      g_assert_cmpstr (out->str, ==, cases[i].out);
    }

  {
    g_autoptr(GString) out = g_string_new (NULL);
    g_autoptr(JsonNode) inf = json_node_init_double (json_node_alloc (), 1.0 / 0.0);

    /* JSON has no infinity: never write the invalid "inf". */
    metered_json_append_node (out, inf);
    metered_json_append_node (out, NULL);
    g_assert_cmpstr (out->str, ==, "nullnull");
  }
}

static void
test_json_parse_untrusted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = metered_json_parse_untrusted ("{\"a\":\"secret-value\" oops}", -1, &error);
  g_assert_null (node);
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
  g_assert_null (strstr (error->message, "secret"));
  g_assert_null (strstr (error->message, "oops"));
  g_clear_error (&error);

  node = metered_json_parse_untrusted ("\"\\ud83d\\ude00\"", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (node), ==, "\xf0\x9f\x98\x80");
  g_clear_pointer (&node, json_node_unref);

  /* Scalars at the top level are JSON too. */
  node = metered_json_parse_untrusted ("42", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (node), ==, 42);
}

static void
test_build_is_compact_json (void)
{
  /* Every builder's output parses back as a JSON object with its type. */
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (texts, metered_frame_build_subscribe ("c", TRUE, "r"));
  g_ptr_array_add (texts, metered_frame_build_unsubscribe ("c", NULL));
  g_ptr_array_add (texts, metered_frame_build_publish ("c", "{}", NULL));
  g_ptr_array_add (texts, metered_frame_build_send ("p", "[]", NULL));
  g_ptr_array_add (texts, metered_frame_build_ping ());
  g_ptr_array_add (texts, metered_frame_build_welcome ("p", 0, 0, 0, "{}"));
  g_ptr_array_add (texts, metered_frame_build_ack ("r"));
  g_ptr_array_add (texts, metered_frame_build_error ("c", "m\n", "r"));
  g_ptr_array_add (texts, metered_frame_build_message ("c", "p", "1", "{}"));
  g_ptr_array_add (texts, metered_frame_build_direct ("p", "1", NULL));
  g_ptr_array_add (texts, metered_frame_build_presence ("c", NULL, NULL));
  g_ptr_array_add (texts, metered_frame_build_going_away (1));
  g_ptr_array_add (texts, metered_frame_build_pong ());

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);
      g_autoptr(JsonNode) node = metered_json_parse_untrusted (text, -1, NULL);

      g_assert_nonnull (node);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      g_assert_nonnull (json_object_get_string_member (json_node_get_object (node), "type"));
      g_assert_null (strchr (text, ' '));
      g_assert_null (strchr (text, '\n'));
    }
}

/* Lazy payload nodes */

static const char * const lazy_payloads[] = {
  "{\"seq\":1,\"sentUs\":1700000000000000,\"pad\":\"xxxxxxxxxxxxxxxx\"}",
  "null",
  "true",
  "false",
  "0",
  "-0",
  "7",
  "-12.5e-1",
  "1E3",
  "1.0",
  "9223372036854775807",
  "-9223372036854775808",
  "123456789012345678901234567890.5",
  "1e308",
  "\"\"",
  "\"caf\\u00e9 \\\"q\\\" \\/ é 😀 \u2028 \\ud83d\\ude00\"",
  "[]",
  "{}",
  "[1,[2,[3,{\"a\":[]}]],\"x\"]",
  "{\"a\":1,\"a\":2,\"b\":{\"a\":{\"a\":null}}}",
  "{\"data\":[{\"data\":1}],\"type\":\"ack\"}",
  "{\"k\\u0065y\":\"\\t\\n\\r\\b\\f\\\\\"}",
  "[ 1 , { \"a b\" : \"x  \\\\\\\" y\" } ,\r\n\"  \" ]",
};

static void
assert_same_frame (const MeteredFrame *a,
                   const MeteredFrame *b)
{
  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpstr (a->channel, ==, b->channel);
  g_assert_cmpstr (a->peer_id, ==, b->peer_id);
  g_assert_cmpstr (a->data_text, ==, b->data_text);
  g_assert_cmpstr (a->request_id, ==, b->request_id);
  g_assert_true ((a->metadata == NULL) == (b->metadata == NULL));
  if (a->metadata != NULL)
    g_assert_true (json_object_equal (a->metadata, b->metadata));
}

static void
test_server_lazy_data (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (lazy_payloads); i++)
    {
      const char *payload = lazy_payloads[i];
      g_autofree char *message = g_strdup_printf ("{\"type\":\"message\",\"channel\":\"c/1\",\"from\":\"u_\\u0061\","
                                                  "\"data\":%s,\"fromMetadata\":{\"n\":[1.5]}}", payload);
      g_autofree char *direct = g_strdup_printf ("{ \"data\" : %s , \"type\" : \"direct\", \"from\" : \"p\" }", payload);
      const char *frames[] = { message, direct };

      for (gsize j = 0; j < G_N_ELEMENTS (frames); j++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) lazy_node = NULL;
          g_autoptr(JsonNode) untrusted = NULL;
          MeteredFrame eager;
          MeteredFrame lazy;

          if (!metered_frame_parse_server_frame (frames[j], -1, &eager, &error))
            g_error ("%s refused: %s", frames[j], error->message);
          if (!metered_frame_parse_server_frame_full (frames[j], -1,
                                                      METERED_FRAME_PARSE_UTF8_VALID | METERED_FRAME_PARSE_LAZY_DATA,
                                                      &lazy, &error))
            g_error ("%s refused lazily: %s", frames[j], error->message);

          assert_same_frame (&eager, &lazy);
          g_assert_nonnull (eager.data);
          g_assert_null (lazy.data);

          /* The node built later from the text is the one the eager parse
           * builds, and the one a full parse of the text builds. */
          lazy_node = metered_json_parse_validated (lazy.data_text);
          g_assert_true (json_node_is_immutable (lazy_node));
          g_assert_true (json_node_equal (lazy_node, eager.data));
          untrusted = metered_json_parse_untrusted (lazy.data_text, -1, &error);
          g_assert_no_error (error);
          g_assert_true (json_node_equal (lazy_node, untrusted));
          if (JSON_NODE_HOLDS_VALUE (lazy_node))
            g_assert_true (json_node_get_value_type (lazy_node) == json_node_get_value_type (eager.data));

          metered_frame_clear (&eager);
          metered_frame_clear (&lazy);
        }
    }
}

/* Frames a WebSocket lets through but JSON does not: NUL bytes. */
static void
test_server_lazy_nul (void)
{
  static const char with_nul[] = "{\"type\":\"direct\",\"from\":\"p\\0\",\"data\":1}";
  static const char nul_between[] = "{\"type\":\"pong\"}\0";
  static const char nul_in_data[] = "{\"type\":\"direct\",\"from\":\"p\",\"data\":[1,\0]}";

  assert_server_refused (with_nul, sizeof with_nul - 1);
  assert_server_refused (nul_between, sizeof nul_between - 1);
  assert_server_refused (nul_in_data, sizeof nul_in_data - 1);
}

static void
test_event_lazy_data (void)
{
  static const char frame_text[] =
    "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":{\"seq\":42,\"pad\":\"x\"}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(MeteredMessageEvent) message = NULL;
  g_autoptr(MeteredDirectEvent) direct = NULL;
  g_autoptr(JsonNode) from_property = NULL;
  MeteredFrame frame;
  JsonNode *node;

  g_assert_true (metered_frame_parse_server_frame_full (frame_text, -1, METERED_FRAME_PARSE_LAZY_DATA,
                                                        &frame, &error));
  message = metered_message_event_new_take (frame.channel, frame.peer_id, g_strdup (frame.data_text),
                                            frame.metadata);
  direct = metered_direct_event_new_take (frame.peer_id, g_steal_pointer (&frame.data_text), NULL);
  metered_frame_clear (&frame);

  /* Built once: every call and the property give the same node. */
  node = metered_message_event_get_data (message);
  g_assert_nonnull (node);
  g_assert_true (json_node_is_immutable (node));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "seq"), ==, 42);
  g_assert_true (metered_message_event_get_data (message) == node);
  g_object_get (message, "data", &from_property, NULL);
  g_assert_true (json_node_equal (from_property, node));
  g_assert_cmpstr (metered_message_event_get_data_text (message), ==, "{\"seq\":42,\"pad\":\"x\"}");

  node = metered_direct_event_get_data (direct);
  g_assert_true (json_node_is_immutable (node));
  g_assert_true (metered_direct_event_get_data (direct) == node);
  g_assert_true (json_node_equal (node, metered_message_event_get_data (message)));
}

#define N_RACERS 4
#define N_RACE_EVENTS 2000

typedef struct {
  GPtrArray *events;
  JsonNode  *seen[N_RACE_EVENTS];
  gint      *start;
} Racer;

static gpointer
race_get_data (gpointer data)
{
  Racer *racer = data;

  /* All racers start together so that they do meet on the first call. */
  g_atomic_int_dec_and_test (racer->start);
  while (g_atomic_int_get (racer->start) > 0)
    ;

  for (guint i = 0; i < racer->events->len; i++)
    {
      GObject *event = g_ptr_array_index (racer->events, i);

      if (METERED_IS_MESSAGE_EVENT (event))
        racer->seen[i] = metered_message_event_get_data (METERED_MESSAGE_EVENT (event));
      else
        racer->seen[i] = metered_direct_event_get_data (METERED_DIRECT_EVENT (event));
    }

  return NULL;
}

static void
test_event_lazy_data_threads (void)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  Racer racers[N_RACERS];
  GThread *threads[N_RACERS];
  gint start = N_RACERS;

  for (guint i = 0; i < N_RACE_EVENTS; i++)
    {
      char *text = g_strdup_printf ("{\"seq\":%u,\"a\":[%u,{\"b\":\"%u\"}]}", i, i, i);

      if (i % 2 == 0)
        g_ptr_array_add (events, metered_message_event_new_take ("c", "p", text, NULL));
      else
        g_ptr_array_add (events, metered_direct_event_new_take ("p", text, NULL));
    }

  for (guint t = 0; t < N_RACERS; t++)
    {
      racers[t].events = events;
      racers[t].start = &start;
      threads[t] = g_thread_new ("racer", race_get_data, &racers[t]);
    }
  for (guint t = 0; t < N_RACERS; t++)
    g_thread_join (threads[t]);

  /* Every thread got the same node, and it is the event's node. */
  for (guint i = 0; i < N_RACE_EVENTS; i++)
    {
      JsonNode *node = racers[0].seen[i];
      GObject *event = g_ptr_array_index (events, i);

      g_assert_nonnull (node);
      for (guint t = 1; t < N_RACERS; t++)
        g_assert_true (racers[t].seen[i] == node);
      if (METERED_IS_MESSAGE_EVENT (event))
        g_assert_true (metered_message_event_get_data (METERED_MESSAGE_EVENT (event)) == node);
      else
        g_assert_true (metered_direct_event_get_data (METERED_DIRECT_EVENT (event)) == node);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "seq"), ==, i);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/frame/client/round-trip", test_client_round_trip);
  g_test_add_func ("/frame/client/escaping", test_client_escaping);
  g_test_add_func ("/frame/client/shapes", test_client_shapes);
  g_test_add_func ("/frame/client/rejections", test_client_rejections);
  g_test_add_func ("/frame/client/request-id-echo", test_client_request_id_echo);
  g_test_add_func ("/frame/client/no-echo", test_client_error_messages_do_not_echo);
  g_test_add_func ("/frame/depth-limit", test_depth_limit);
  g_test_add_func ("/frame/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/frame/server/welcome", test_server_welcome);
  g_test_add_func ("/frame/server/ack-error", test_server_ack_error);
  g_test_add_func ("/frame/server/message-direct", test_server_message_direct);
  g_test_add_func ("/frame/server/data-text", test_server_data_text);
  g_test_add_func ("/frame/server/lazy-data", test_server_lazy_data);
  g_test_add_func ("/frame/server/lazy-nul", test_server_lazy_nul);
  g_test_add_func ("/frame/server/presence", test_server_presence);
  g_test_add_func ("/event/lazy-data", test_event_lazy_data);
  g_test_add_func ("/event/lazy-data-threads", test_event_lazy_data_threads);
  g_test_add_func ("/frame/server/going-away-pong", test_server_going_away_pong);
  g_test_add_func ("/frame/server/rejections", test_server_rejections);
  g_test_add_func ("/frame/json/append-string", test_json_append_string);
  g_test_add_func ("/frame/json/append-node", test_json_append_node);
  g_test_add_func ("/frame/json/parse-untrusted", test_json_parse_untrusted);
  g_test_add_func ("/frame/build/compact", test_build_is_compact_json);

  return g_test_run ();
}
