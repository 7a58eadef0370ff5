/* fuzz-dev-dispatch.c: the local server's handling of client text frames
 *
 * Two in-process peers of one server: "A", whose credential the first
 * input byte picks (all rights, a restricted publishable key, or a token
 * with `channels`/`permissions` claims), and "peer-b" with all rights.
 * The rest of the input is one text frame per line, sent by A, or by B
 * when the line starts with '>'. Every frame the server sends must be one
 * a client accepts; a request with a requestId gets exactly one ack or
 * error echoing it, one without gets an error or nothing, a malformed one
 * an error, a ping a pong; and once both peers are gone the server holds
 * no channel.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-dev-dispatch"

#include <string.h>

#include "metered-error.h"
#include "metered-frame-private.h"
#include "metered-jwt.h"
#include "metered-dev-dispatch.h"
#include "fuzz-common.h"

#define FUZZ_KEY_ID "sk_id_fuzz"
#define FUZZ_SECRET "sk_secret_fuzz_9f2c41"

static const char config_text[] =
  "{\"publishableKeys\":[{\"key\":\"pk_live_fuzz\",\"channelPatterns\":[\"room/*\",\"lit\\\\*\"],"
  "\"actions\":[\"subscribe\",\"publish\"]}],"
  "\"secretKeys\":[{\"id\":\"" FUZZ_KEY_ID "\",\"secret\":\"" FUZZ_SECRET "\","
  "\"channelPatterns\":[\"app/**\",\"room/*\"]}],"
  "\"limits\":{\"maxMessageSize\":1024,\"maxChannelsPerConnection\":4,"
  "\"messageRatePerSecond\":1000,\"messageBurst\":40}}";

typedef struct {
  MeteredDevConnection *connection;
  guint                 n_answers;   /* ack and error frames */
  MeteredFrameType      last_answer_type;
  char                 *last_answer_request_id;
  guint                 n_pongs;
} Peer;

static MeteredDevServer *server;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(MeteredDevConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();

  config = metered_dev_config_new_from_data (config_text, -1, &error);
  g_assert_no_error (error);
  server = metered_dev_server_new (config);

  return 0;
}

static void
on_frame (MeteredDevConnection *connection,
          const char           *text,
          gpointer              user_data)
{
  Peer *peer = user_data;
  g_autoptr(GError) error = NULL;
  MeteredFrame frame;

  if (!metered_frame_parse_server_frame (text, -1, &frame, &error))
    g_error ("the server sent a frame clients refuse (%s):\n%s", error->message, text);

  switch (frame.type)
    {
    case METERED_FRAME_ACK:
    case METERED_FRAME_ERROR:
      peer->n_answers++;
      peer->last_answer_type = frame.type;
      g_free (peer->last_answer_request_id);
      peer->last_answer_request_id = g_strdup (frame.request_id);
      break;
    case METERED_FRAME_PONG:
      peer->n_pongs++;
      break;
    case METERED_FRAME_MESSAGE:
    case METERED_FRAME_DIRECT:
    case METERED_FRAME_PRESENCE:
      break;
    case METERED_FRAME_WELCOME:
    case METERED_FRAME_GOING_AWAY:
    case METERED_FRAME_INVALID:
    case METERED_FRAME_SUBSCRIBE:
    case METERED_FRAME_UNSUBSCRIBE:
    case METERED_FRAME_PUBLISH:
    case METERED_FRAME_SEND:
    case METERED_FRAME_PING:
    default:
      g_error ("the server answered a request with:\n%s", text);
    }

  metered_frame_clear (&frame);
}

static MeteredDevIdentity *
identity_for_a (guint8 selector)
{
  g_autoptr(MeteredDevIdentity) identity = NULL;
  g_autoptr(JsonNode) claims = NULL;
  g_autofree char *token = NULL;
  g_autofree char *claims_text = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now_ms = g_get_real_time () / 1000;

  switch (selector % 3)
    {
    case 0:
      {
        g_autoptr(JsonNode) metadata = metered_json_parse_untrusted ("{\"name\":\"A\"}", -1, NULL);

        return metered_dev_identity_new ("peer-a", json_node_get_object (metadata));
      }

    case 1:
      identity = metered_dev_identity_authenticate (metered_dev_server_get_config (server),
                                                    "pk_live_fuzz", NULL, now_ms, &error);
      break;

    default:
      claims_text = g_strdup_printf ("{\"sub\":\"peer-a\",\"exp\":%" G_GINT64_FORMAT ","
                                     "\"channels\":[\"room/*\",\"app/x/**\"],"
                                     "\"permissions\":[\"subscribe\",\"publish\",\"send\"],"
                                     "\"peerMetadata\":{\"name\":\"A\",\"n\":1.5}}",
                                     now_ms / 1000 + 3600);
      claims = metered_json_parse_untrusted (claims_text, -1, NULL);
      token = metered_jwt_sign (FUZZ_KEY_ID, FUZZ_SECRET, json_node_get_object (claims));
      identity = metered_dev_identity_authenticate (metered_dev_server_get_config (server),
                                                    NULL, token, now_ms, &error);
      break;
    }

  g_assert_no_error (error);
  return g_steal_pointer (&identity);
}

static void
dispatch_line (Peer       *peer,
               const char *line,
               gsize       len)
{
  g_autoptr(GError) error = NULL;
  MeteredFrame frame;
  gboolean parsed;
  guint answers = peer->n_answers;
  guint pongs = peer->n_pongs;

  if (!metered_dev_connection_is_open (peer->connection))
    return;

  parsed = metered_frame_parse_client_frame (line, (gssize) len, &frame, &error);
  metered_dev_dispatch_text (server, peer->connection, line, len);

  /* Closed for its rate or size: nothing more is owed. */
  if (!metered_dev_connection_is_open (peer->connection))
    {
      metered_frame_clear (&frame);
      return;
    }

  if (parsed && frame.type == METERED_FRAME_PING)
    {
      g_assert_cmpuint (peer->n_pongs, ==, pongs + 1);
      g_assert_cmpuint (peer->n_answers, ==, answers);
    }
  else if (parsed && frame.request_id == NULL)
    {
      /* Success is silent without a requestId; failure is not. */
      g_assert_cmpuint (peer->n_answers, <=, answers + 1);
      if (peer->n_answers > answers)
        {
          g_assert_cmpint (peer->last_answer_type, ==, METERED_FRAME_ERROR);
          g_assert_null (peer->last_answer_request_id);
        }
      g_assert_cmpuint (peer->n_pongs, ==, pongs);
    }
  else
    {
      g_assert_cmpuint (peer->n_answers, ==, answers + 1);
      g_assert_cmpstr (peer->last_answer_request_id, ==, frame.request_id);
      if (!parsed)
        g_assert_cmpint (peer->last_answer_type, ==, METERED_FRAME_ERROR);
      g_assert_cmpuint (peer->n_pongs, ==, pongs);
    }

  metered_frame_clear (&frame);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = NULL;
  Peer a = { 0 };
  Peer b = { 0 };
  const char *p;
  const char *end;

  if (size == 0)
    return 0;

  text = fuzz_dup_input (data + 1, size - 1);
  end = text + size - 1;

  a.connection = metered_dev_connection_new_virtual (identity_for_a (data[0]), on_frame, &a);
  b.connection = metered_dev_connection_new_virtual (metered_dev_identity_new ("peer-b", NULL),
                                                     on_frame, &b);
  metered_dev_server_attach_virtual (server, a.connection);
  metered_dev_server_attach_virtual (server, b.connection);

  for (p = text; p < end;)
    {
      const char *newline = memchr (p, '\n', (gsize) (end - p));
      const char *stop = newline != NULL ? newline : end;

      if (stop > p && p[0] == '>')
        dispatch_line (&b, p + 1, (gsize) (stop - p - 1));
      else
        dispatch_line (&a, p, (gsize) (stop - p));

      p = stop + 1;
    }

  metered_dev_connection_close (a.connection, 1000, NULL);
  metered_dev_connection_close (b.connection, 1000, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* Gone peers leave nothing behind. */
  g_assert_cmpuint (metered_dev_registry_get_n_channels (metered_dev_server_get_registry (server)), ==, 0);
  g_assert_false (metered_dev_server_peer_is_online (server, "peer-b"));
  g_assert_false (metered_dev_server_peer_is_online (server,
                                                     metered_dev_connection_get_peer_id (a.connection)));

  g_clear_object (&a.connection);
  g_clear_object (&b.connection);
  g_free (a.last_answer_request_id);
  g_free (b.last_answer_request_id);

  return 0;
}
