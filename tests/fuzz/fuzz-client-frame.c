/* fuzz-client-frame.c: the server's parser of client frames
 *
 * A frame is either refused with one of the codes the server answers with
 * (keeping only a valid requestId to echo), or accepted with a channel,
 * peer id and request id that obey the rules of protocol §8, and the
 * client-side builders write it back to a frame that parses the same.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-client-frame"

#include <string.h>

#include "metered-channel.h"
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
rebuild (const MeteredFrame *frame)
{
  g_autofree char *data = metered_frame_dup_data_text (frame);

  switch (frame->type)
    {
    case METERED_FRAME_SUBSCRIBE:
      return metered_frame_build_subscribe (frame->channel, frame->include_sender_metadata,
                                            frame->request_id);
    case METERED_FRAME_UNSUBSCRIBE:
      return metered_frame_build_unsubscribe (frame->channel, frame->request_id);
    case METERED_FRAME_PUBLISH:
      return metered_frame_build_publish (frame->channel, data, frame->request_id);
    case METERED_FRAME_SEND:
      return metered_frame_build_send (frame->peer_id, data, frame->request_id);
    case METERED_FRAME_PING:
      {
        GString *out;

        /* The client's keepalive carries no requestId; a ping may. */
        if (frame->request_id == NULL)
          return metered_frame_build_ping ();

        out = g_string_new ("{\"type\":\"ping\",\"requestId\":");
        metered_json_append_string (out, frame->request_id);
        g_string_append_c (out, '}');
        return g_string_free (out, FALSE);
      }
    case METERED_FRAME_INVALID:
    case METERED_FRAME_WELCOME:
    case METERED_FRAME_ACK:
    case METERED_FRAME_ERROR:
    case METERED_FRAME_MESSAGE:
    case METERED_FRAME_DIRECT:
    case METERED_FRAME_PRESENCE:
    case METERED_FRAME_GOING_AWAY:
    case METERED_FRAME_PONG:
    default:
      g_error ("the client-frame parser returned frame type %d", frame->type);
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
  g_assert_cmpint (a->include_sender_metadata, ==, b->include_sender_metadata);

  if (a->data == NULL || b->data == NULL)
    g_assert_true (a->data == b->data);
  else
    g_assert_true (json_node_equal (a->data, b->data));
}

/* The rules of protocol §8, restated independently of metered-channel.c. */
static void
assert_valid_channel (const char *channel)
{
  g_assert_nonnull (channel);
  g_assert_cmpuint (strlen (channel), >, 0);
  g_assert_cmpuint (strlen (channel), <=, METERED_CHANNEL_MAX_BYTES);
  g_assert_true (g_utf8_validate (channel, -1, NULL));
  g_assert_false (fuzz_has_control_char (channel));
}

static void
assert_valid_peer_id (const char *peer_id)
{
  g_assert_nonnull (peer_id);
  g_assert_cmpuint (strlen (peer_id), >, 0);
  g_assert_cmpuint (strlen (peer_id), <=, METERED_PEER_ID_MAX_BYTES);
  for (const char *p = peer_id; *p != '\0'; p++)
    g_assert_true (*p >= 0x20 && *p <= 0x7E);
}

static void
assert_valid_request_id (const char *request_id)
{
  g_assert_cmpuint (strlen (request_id), >, 0);
  g_assert_cmpuint (strlen (request_id), <=, METERED_REQUEST_ID_MAX_BYTES);
  g_assert_true (g_utf8_validate (request_id, -1, NULL));
  g_assert_false (fuzz_has_control_char (request_id));
}

static void
check_refusal (const MeteredFrame *frame,
               const GError       *error)
{
  const char *code;

  g_assert_nonnull (error);
  g_assert_true (error->domain == METERED_SERVER_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));

  /* The code goes back to the client in an error frame. */
  code = metered_server_error_get_code (error);
  g_assert_nonnull (code);
  g_assert_true (g_str_equal (code, "malformed_message") ||
                 g_str_equal (code, "unknown_type") ||
                 g_str_equal (code, "invalid_channel") ||
                 g_str_equal (code, "invalid_peer_id") ||
                 g_str_equal (code, "missing_data"));

  g_assert_cmpint (frame->type, ==, METERED_FRAME_INVALID);
  g_assert_null (frame->channel);
  g_assert_null (frame->peer_id);
  g_assert_null (frame->data);
  if (frame->request_id != NULL)
    assert_valid_request_id (frame->request_id);
}

static void
check_accepted (const MeteredFrame *frame)
{
  if (frame->request_id != NULL)
    assert_valid_request_id (frame->request_id);

  switch (frame->type)
    {
    case METERED_FRAME_SUBSCRIBE:
    case METERED_FRAME_UNSUBSCRIBE:
      assert_valid_channel (frame->channel);
      g_assert_null (frame->data);
      break;
    case METERED_FRAME_PUBLISH:
      assert_valid_channel (frame->channel);
      g_assert_nonnull (frame->data);
      break;
    case METERED_FRAME_SEND:
      assert_valid_peer_id (frame->peer_id);
      g_assert_nonnull (frame->data);
      break;
    case METERED_FRAME_PING:
      g_assert_null (frame->channel);
      g_assert_null (frame->data);
      break;
    case METERED_FRAME_INVALID:
    case METERED_FRAME_WELCOME:
    case METERED_FRAME_ACK:
    case METERED_FRAME_ERROR:
    case METERED_FRAME_MESSAGE:
    case METERED_FRAME_DIRECT:
    case METERED_FRAME_PRESENCE:
    case METERED_FRAME_GOING_AWAY:
    case METERED_FRAME_PONG:
    default:
      g_error ("the client-frame parser returned frame type %d", frame->type);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = fuzz_dup_input (data, size);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rebuilt = NULL;
  MeteredFrame frame;
  MeteredFrame reparsed;

  json = fuzz_check_json_round_trip (text, size);

  memset (&frame, 0x5A, sizeof frame);
  if (!metered_frame_parse_client_frame (text, (gssize) size, &frame, &error))
    {
      check_refusal (&frame, error);
      metered_frame_clear (&frame);
      return 0;
    }

  g_assert_nonnull (json);
  check_accepted (&frame);

  rebuilt = rebuild (&frame);
  if (!metered_frame_parse_client_frame (rebuilt, -1, &reparsed, &error))
    g_error ("rebuilt frame refused (%s):\n%s", error->message, rebuilt);
  assert_frames_equal (&frame, &reparsed);

  metered_frame_clear (&frame);
  metered_frame_clear (&reparsed);

  return 0;
}
