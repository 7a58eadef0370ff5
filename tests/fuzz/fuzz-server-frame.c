/* fuzz-server-frame.c: the client's parser of inbound (server) frames
 *
 * Whatever the server sends, the parser either refuses it with a protocol
 * error or returns a frame that the builders write back out and the parser
 * reads again to the same fields. The client-side follow-ups of a frame
 * (ICE servers of `welcome`, the GError of `error`) keep their rules too.
 * The client's own parse mode (UTF-8 already checked by its WebSocket,
 * payload node built later from the payload text) takes and refuses
 * exactly the same frames, to the same fields and payload.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-server-frame"

#include <string.h>

#include "metered-client-private.h"
#include "metered-error.h"
#include "metered-frame-private.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static char *
object_text_or_null (JsonObject *object)
{
  return object != NULL ? fuzz_object_to_text (object) : NULL;
}

static char *
rebuild (const MeteredFrame *frame)
{
  g_autofree char *data = metered_frame_dup_data_text (frame);
  g_autofree char *metadata = object_text_or_null (frame->metadata);

  switch (frame->type)
    {
    case METERED_FRAME_WELCOME:
      return metered_frame_build_welcome (frame->peer_id,
                                          frame->has_expires_at ? frame->expires_at : -1,
                                          frame->server_time, frame->max_message_size, metadata);
    case METERED_FRAME_ACK:
      return metered_frame_build_ack (frame->request_id);
    case METERED_FRAME_ERROR:
      return metered_frame_build_error (frame->code, frame->message, frame->request_id);
    case METERED_FRAME_MESSAGE:
      return metered_frame_build_message (frame->channel, frame->peer_id, data, metadata);
    case METERED_FRAME_DIRECT:
      return metered_frame_build_direct (frame->peer_id, data, metadata);
    case METERED_FRAME_PRESENCE:
      return metered_frame_build_presence (frame->channel, frame->joined, frame->left);
    case METERED_FRAME_GOING_AWAY:
      return metered_frame_build_going_away (frame->retry_after_ms);
    case METERED_FRAME_PONG:
      return metered_frame_build_pong ();
    case METERED_FRAME_INVALID:
    case METERED_FRAME_SUBSCRIBE:
    case METERED_FRAME_UNSUBSCRIBE:
    case METERED_FRAME_PUBLISH:
    case METERED_FRAME_SEND:
    case METERED_FRAME_PING:
    default:
      g_error ("the server-frame parser returned frame type %d", frame->type);
    }
}

static void
assert_peers_equal (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (a->len, ==, b->len);

  for (guint i = 0; i < a->len; i++)
    {
      const MeteredFramePeer *pa = g_ptr_array_index (a, i);
      const MeteredFramePeer *pb = g_ptr_array_index (b, i);

      g_assert_cmpstr (pa->peer_id, ==, pb->peer_id);
      g_assert_true (fuzz_objects_equal (pa->metadata, pb->metadata));
    }
}

static void
assert_frames_equal (const MeteredFrame *a,
                     const MeteredFrame *b)
{
  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpstr (a->request_id, ==, b->request_id);
  g_assert_cmpstr (a->channel, ==, b->channel);
  g_assert_cmpstr (a->peer_id, ==, b->peer_id);
  g_assert_cmpstr (a->code, ==, b->code);
  g_assert_cmpstr (a->message, ==, b->message);
  g_assert_true (fuzz_objects_equal (a->metadata, b->metadata));
  g_assert_cmpint (a->server_time, ==, b->server_time);
  g_assert_cmpint (a->max_message_size, ==, b->max_message_size);
  g_assert_cmpint (a->retry_after_ms, ==, b->retry_after_ms);

  /* A negative expiresAt is written as null, which reads back as "no expiry". */
  if (a->has_expires_at && a->expires_at >= 0)
    {
      g_assert_true (b->has_expires_at);
      g_assert_cmpint (a->expires_at, ==, b->expires_at);
    }
  else
    {
      g_assert_false (b->has_expires_at);
    }

  if (a->data == NULL || b->data == NULL)
    g_assert_true (a->data == b->data);
  else
    g_assert_true (json_node_equal (a->data, b->data));

  if (a->type == METERED_FRAME_PRESENCE)
    {
      assert_peers_equal (a->joined, b->joined);
      assert_peers_equal (a->left, b->left);
    }
}

static void
assert_frame_shape (const MeteredFrame *frame)
{
  switch (frame->type)
    {
    case METERED_FRAME_WELCOME:
      g_assert_nonnull (frame->peer_id);
      break;
    case METERED_FRAME_ACK:
      g_assert_nonnull (frame->request_id);
      break;
    case METERED_FRAME_ERROR:
      g_assert_nonnull (frame->code);
      g_assert_cmpstr (frame->code, !=, "");
      break;
    case METERED_FRAME_MESSAGE:
      g_assert_nonnull (frame->channel);
      g_assert_nonnull (frame->peer_id);
      g_assert_nonnull (frame->data);
      break;
    case METERED_FRAME_DIRECT:
      g_assert_nonnull (frame->peer_id);
      g_assert_nonnull (frame->data);
      break;
    case METERED_FRAME_PRESENCE:
      g_assert_nonnull (frame->channel);
      g_assert_nonnull (frame->joined);
      g_assert_nonnull (frame->left);
      break;
    case METERED_FRAME_GOING_AWAY:
      g_assert_cmpint (frame->retry_after_ms, >, 0);
      break;
    case METERED_FRAME_PONG:
      break;
    case METERED_FRAME_INVALID:
    case METERED_FRAME_SUBSCRIBE:
    case METERED_FRAME_UNSUBSCRIBE:
    case METERED_FRAME_PUBLISH:
    case METERED_FRAME_SEND:
    case METERED_FRAME_PING:
    default:
      g_error ("the server-frame parser returned frame type %d", frame->type);
    }
}

/* The payload text of message and direct frames is compact JSON (no
 * whitespace outside strings) that reads back as the payload node. */
static void
check_data_text (const MeteredFrame *frame)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gboolean in_string = FALSE;

  if (frame->type != METERED_FRAME_MESSAGE && frame->type != METERED_FRAME_DIRECT)
    {
      g_assert_null (frame->data_text);
      return;
    }

  g_assert_nonnull (frame->data_text);
  node = metered_json_parse_untrusted (frame->data_text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (node, frame->data));

  for (const char *p = frame->data_text; *p != '\0'; p++)
    {
      if (in_string && *p == '\\')
        p++;
      else if (*p == '"')
        in_string = !in_string;
      else if (!in_string)
        g_assert_true (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r');
    }
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

/* @eager is what the default parse made of @text, NULL if it refused it. */
static void
check_lazy_mode (const char             *text,
                 gsize                   size,
                 MeteredFrameParseFlags  flags,
                 const MeteredFrame     *eager)
{
  g_autoptr(GError) error = NULL;
  MeteredFrame lazy;

  memset (&lazy, 0x5A, sizeof lazy);
  if (!metered_frame_parse_server_frame_full (text, (gssize) size, flags | METERED_FRAME_PARSE_LAZY_DATA,
                                              &lazy, &error))
    {
      if (eager != NULL)
        g_error ("the lazy parse (%d) refused what the default took (%s):\n%s", flags, error->message, text);
      g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_PROTOCOL);
      g_assert_cmpint (lazy.type, ==, METERED_FRAME_INVALID);
      g_assert_null (lazy.data_text);
      g_assert_null (lazy.peer_id);
      return;
    }

  if (eager == NULL)
    g_error ("the lazy parse (%d) took what the default refused:\n%s", flags, text);

  /* The payload node, built later, is the one the default parse built. */
  g_assert_null (lazy.data);
  g_assert_cmpstr (lazy.data_text, ==, eager->data_text);
  if (lazy.data_text != NULL)
    lazy.data = metered_json_parse_validated (lazy.data_text);
  assert_frames_equal (eager, &lazy);

  metered_frame_clear (&lazy);
}

static void
check_lazy_modes (const char         *text,
                  gsize               size,
                  const MeteredFrame *eager)
{
  check_lazy_mode (text, size, METERED_FRAME_PARSE_DEFAULT, eager);
  if (utf8_valid_with_nuls (text, size))
    check_lazy_mode (text, size, METERED_FRAME_PARSE_UTF8_VALID, eager);
}

/* Schemes are case-insensitive (RFC 3986 §3.1). */
static gboolean
is_ice_url (const char *url)
{
  const char * const schemes[] = { "stun:", "stuns:", "turn:", "turns:" };

  for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      if (g_ascii_strncasecmp (url, schemes[i], strlen (schemes[i])) == 0)
        return TRUE;
    }

  return FALSE;
}

/* §17: ICE servers are accepted all or nothing, each within its limits. */
static void
check_ice_servers (JsonObject *metadata)
{
  g_autoptr(GPtrArray) servers = metered_ice_servers_from_metadata (metadata);

  if (servers == NULL)
    return;

  g_assert_cmpuint (servers->len, <=, 16);
  for (guint i = 0; i < servers->len; i++)
    {
      MeteredIceServer *server = g_ptr_array_index (servers, i);
      const char * const *urls = metered_ice_server_get_urls (server);
      const char *username = metered_ice_server_get_username (server);
      const char *credential = metered_ice_server_get_credential (server);

      g_assert_nonnull (urls);
      g_assert_nonnull (urls[0]);
      for (gsize j = 0; urls[j] != NULL; j++)
        {
          g_assert_true (is_ice_url (urls[j]));
          g_assert_cmpuint (g_utf8_strlen (urls[j], -1), <=, 512);
        }
      g_assert_true (username == NULL || g_utf8_strlen (username, -1) <= 1024);
      g_assert_true (credential == NULL || g_utf8_strlen (credential, -1) <= 1024);
    }
}

/* The error the client fails a request with carries the wire code as sent. */
static void
check_server_error (const MeteredFrame *frame)
{
  g_autoptr(GError) error = metered_server_error_new (frame->code, frame->message);

  g_assert_true (error->domain == METERED_SERVER_ERROR);
  g_assert_cmpint (error->code, ==, metered_server_error_from_string (frame->code));
  g_assert_cmpstr (metered_server_error_get_code (error), ==, frame->code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_true (g_str_has_prefix (error->message, frame->code));
}

/* The builders take any string: whatever the bytes, the frame is JSON
 * that reads back as the (UTF-8 repaired) string. */
static void
check_builder_escaping (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *built = NULL;
  g_autoptr(GError) error = NULL;
  MeteredFrame frame;

  if (text[0] == '\0')
    return;

  built = metered_frame_build_error (text, text, text);
  if (!metered_frame_parse_server_frame (built, -1, &frame, &error))
    g_error ("a built error frame is refused (%s):\n%s", error->message, built);

  g_assert_cmpstr (frame.code, ==, valid);
  g_assert_cmpstr (frame.message, ==, valid);
  g_assert_cmpstr (frame.request_id, ==, valid);
  metered_frame_clear (&frame);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = fuzz_dup_input (data, size);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rebuilt = NULL;
  g_autofree char *rebuilt_again = NULL;
  MeteredFrame frame;
  MeteredFrame reparsed;
  MeteredFrame third;

  check_builder_escaping (text);
  json = fuzz_check_json_round_trip (text, size);

  /* The parser must not read what @frame held before. */
  memset (&frame, 0xA5, sizeof frame);
  if (!metered_frame_parse_server_frame (text, (gssize) size, &frame, &error))
    {
      g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_PROTOCOL);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpint (frame.type, ==, METERED_FRAME_INVALID);
      g_assert_null (frame.request_id);
      g_assert_null (frame.channel);
      g_assert_null (frame.peer_id);
      g_assert_null (frame.data);
      g_assert_null (frame.metadata);
      g_assert_null (frame.joined);
      g_assert_null (frame.left);
      metered_frame_clear (&frame);
      check_lazy_modes (text, size, NULL);
      return 0;
    }

  /* Whatever the parser takes, the strict JSON reader took too. */
  g_assert_nonnull (json);
  assert_frame_shape (&frame);
  check_data_text (&frame);
  check_lazy_modes (text, size, &frame);

  if (frame.type == METERED_FRAME_WELCOME)
    check_ice_servers (frame.metadata);
  else if (frame.type == METERED_FRAME_ERROR)
    check_server_error (&frame);

  rebuilt = rebuild (&frame);
  if (!metered_frame_parse_server_frame (rebuilt, -1, &reparsed, &error))
    g_error ("rebuilt frame refused (%s):\n%s", error->message, rebuilt);
  assert_frames_equal (&frame, &reparsed);

  /* The builders' output is a fixed point. */
  rebuilt_again = rebuild (&reparsed);
  if (!metered_frame_parse_server_frame (rebuilt_again, -1, &third, &error))
    g_error ("rebuilt frame refused (%s):\n%s", error->message, rebuilt_again);
  assert_frames_equal (&reparsed, &third);

  metered_frame_clear (&frame);
  metered_frame_clear (&reparsed);
  metered_frame_clear (&third);

  return 0;
}
