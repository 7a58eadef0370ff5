/* metered-dev-dispatch.c: the requests a connected peer sends
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-dispatch"

#include "metered-channel.h"
#include "metered-close-code.h"
#include "metered-error.h"
#include "metered-frame-private.h"
#include "metered-dev-dispatch.h"

typedef struct {
  MeteredDevConnection *connection;
  char                 *answer;
  char                 *follow_up;
} DelayedReply;

static void
delayed_reply_free (gpointer data)
{
  DelayedReply *reply = data;

  g_object_unref (reply->connection);
  g_free (reply->answer);
  g_free (reply->follow_up);
  g_free (reply);
}

static gboolean
on_delayed_reply (gpointer data)
{
  DelayedReply *reply = data;

  if (reply->answer != NULL)
    metered_dev_connection_send_text (reply->connection, reply->answer);
  if (reply->follow_up != NULL)
    metered_dev_connection_send_text (reply->connection, reply->follow_up);

  return G_SOURCE_REMOVE;
}

/* Sends the answer to a request (an ack or an error, nullable) and what
 * follows it (a subscribe's presence snapshot, nullable), as the
 * connection's ack mode says: at once, later, or the answer not at all. */
static void
reply (MeteredDevConnection *connection,
       char                 *answer,
       char                 *follow_up)
{
  g_autofree char *owned_answer = answer;
  g_autofree char *owned_follow_up = follow_up;
  guint delay_ms = 0;

  switch (metered_dev_connection_get_ack_mode (connection, &delay_ms))
    {
    case METERED_DEV_ACKS_SWALLOW:
      g_clear_pointer (&owned_answer, g_free);
      G_GNUC_FALLTHROUGH;

    case METERED_DEV_ACKS_NORMAL:
      if (owned_answer != NULL)
        metered_dev_connection_send_text (connection, owned_answer);
      if (owned_follow_up != NULL)
        metered_dev_connection_send_text (connection, owned_follow_up);
      break;

    case METERED_DEV_ACKS_DELAY:
      {
        g_autoptr(GSource) source = g_timeout_source_new (delay_ms);
        DelayedReply *delayed = g_new0 (DelayedReply, 1);

        delayed->connection = g_object_ref (connection);
        delayed->answer = g_steal_pointer (&owned_answer);
        delayed->follow_up = g_steal_pointer (&owned_follow_up);
        g_source_set_callback (source, on_delayed_reply, delayed, delayed_reply_free);
        g_source_attach (source, g_main_context_get_thread_default ());
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
reply_ack (MeteredDevConnection *connection,
           const MeteredFrame   *frame,
           char                 *follow_up)
{
  reply (connection,
         frame->request_id != NULL ? metered_frame_build_ack (frame->request_id) : NULL,
         follow_up);
}

static void
reply_error (MeteredDevConnection *connection,
             const char           *request_id,
             const GError         *error)
{
  const char *code = metered_server_error_get_code (error);

  reply (connection,
         metered_frame_build_error (code != NULL ? code : "internal_error", error->message, request_id),
         NULL);
}

static void
reply_error_literal (MeteredDevConnection *connection,
                     const char           *request_id,
                     MeteredServerError    code,
                     const char           *message)
{
  reply (connection,
         metered_frame_build_error (metered_server_error_to_string (code), message, request_id),
         NULL);
}

static void
handle_subscribe (MeteredDevServer     *server,
                  MeteredDevConnection *connection,
                  const MeteredFrame   *frame)
{
  const MeteredDevIdentity *identity = metered_dev_connection_get_identity (connection);
  MeteredDevLimits *limits = metered_dev_server_get_limits (server);
  g_autoptr(GError) error = NULL;
  char *snapshot;

  if (!metered_dev_identity_authorize (identity, METERED_DEV_ACTION_SUBSCRIBE, frame->channel, &error))
    {
      reply_error (connection, frame->request_id, error);
      return;
    }

  snapshot = metered_dev_registry_subscribe (metered_dev_server_get_registry (server),
                                             connection, frame->channel,
                                             frame->include_sender_metadata,
                                             limits->max_channels_per_connection);
  if (snapshot == NULL)
    {
      g_autofree char *message = g_strdup_printf ("the connection already holds %u channels",
                                                  limits->max_channels_per_connection);

      reply_error_literal (connection, frame->request_id,
                           METERED_SERVER_ERROR_CHANNEL_LIMIT_EXCEEDED, message);
      return;
    }

  reply_ack (connection, frame, snapshot);
}

static void
handle_unsubscribe (MeteredDevServer     *server,
                    MeteredDevConnection *connection,
                    const MeteredFrame   *frame)
{
  /* No action guards leaving a channel; only the name rules apply. */
  if (metered_channel_is_reserved (frame->channel))
    {
      reply_error_literal (connection, frame->request_id,
                           METERED_SERVER_ERROR_CHANNEL_RESERVED, "channel uses a reserved prefix");
      return;
    }

  /* Leaving a channel one is not in is not an error: the result is the same. */
  metered_dev_registry_unsubscribe (metered_dev_server_get_registry (server),
                                    connection, frame->channel);
  reply_ack (connection, frame, NULL);
}

/* The per-connection token bucket over publish + send; an empty bucket
 * closes the connection (protocol §11). */
static gboolean
take_rate_token (MeteredDevServer     *server,
                 MeteredDevConnection *connection)
{
  MeteredDevLimits *limits = metered_dev_server_get_limits (server);

  if (metered_dev_connection_take_token (connection, limits->message_rate_per_second,
                                         limits->message_burst))
    return TRUE;

  g_info ("peer %s exceeded the message rate", metered_dev_connection_get_peer_id (connection));
  metered_dev_connection_close (connection, METERED_CLOSE_CODE_OVER_MESSAGE_RATE,
                                "message rate exceeded");
  return FALSE;
}

static void
handle_publish (MeteredDevServer     *server,
                MeteredDevConnection *connection,
                const MeteredFrame   *frame)
{
  const MeteredDevIdentity *identity = metered_dev_connection_get_identity (connection);
  g_autoptr(GError) error = NULL;
  g_autofree char *data_json = NULL;

  if (!take_rate_token (server, connection))
    return;

  if (!metered_dev_identity_authorize (identity, METERED_DEV_ACTION_PUBLISH, frame->channel, &error))
    {
      reply_error (connection, frame->request_id, error);
      return;
    }

  if (!metered_dev_server_take_message_quota (server))
    {
      reply_error_literal (connection, frame->request_id,
                           METERED_SERVER_ERROR_OVER_MESSAGE_QUOTA, "message quota used up");
      return;
    }

  data_json = metered_frame_dup_data_text (frame);
  metered_dev_registry_publish (metered_dev_server_get_registry (server),
                                frame->channel, connection, identity->peer_id,
                                data_json, identity->peer_metadata_json);
  reply_ack (connection, frame, NULL);
}

static void
handle_send (MeteredDevServer     *server,
             MeteredDevConnection *connection,
             const MeteredFrame   *frame)
{
  const MeteredDevIdentity *identity = metered_dev_connection_get_identity (connection);
  g_autoptr(GError) error = NULL;
  g_autofree char *data_json = NULL;

  if (!take_rate_token (server, connection))
    return;

  /* `send` is not channel-scoped: the action is all it needs. */
  if (!metered_dev_identity_authorize (identity, METERED_DEV_ACTION_SEND, NULL, &error))
    {
      reply_error (connection, frame->request_id, error);
      return;
    }

  if (!metered_dev_server_peer_is_online (server, frame->peer_id))
    {
      reply_error_literal (connection, frame->request_id,
                           METERED_SERVER_ERROR_PEER_NOT_FOUND, "peer is not online");
      return;
    }

  if (!metered_dev_server_take_message_quota (server))
    {
      reply_error_literal (connection, frame->request_id,
                           METERED_SERVER_ERROR_OVER_MESSAGE_QUOTA, "message quota used up");
      return;
    }

  data_json = metered_frame_dup_data_text (frame);
  metered_dev_server_send_direct (server, identity->peer_id, identity->peer_metadata_json,
                                  frame->peer_id, data_json);
  reply_ack (connection, frame, NULL);
}

void
metered_dev_dispatch_text (MeteredDevServer     *server,
                           MeteredDevConnection *connection,
                           const char           *text,
                           gsize                 len)
{
  MeteredDevLimits *limits = metered_dev_server_get_limits (server);
  g_autoptr(GError) error = NULL;
  MeteredFrame frame;

  g_return_if_fail (METERED_IS_DEV_SERVER (server));
  g_return_if_fail (METERED_IS_DEV_CONNECTION (connection));
  g_return_if_fail (text != NULL);

  /* The transport already caps what it reads from a socket; this guards
   * the other callers (the fuzzer) alike. */
  if (len > limits->max_message_size)
    {
      metered_dev_connection_close (connection, METERED_CLOSE_CODE_MESSAGE_TOO_BIG,
                                    "message too big");
      return;
    }

  if (!metered_frame_parse_client_frame (text, len, &frame, &error))
    {
      reply_error (connection, frame.request_id, error);
      metered_frame_clear (&frame);
      return;
    }

  switch (frame.type)
    {
    case METERED_FRAME_PING:
      {
        g_autofree char *pong = metered_frame_build_pong ();

        /* A keepalive answer, not a request's: ack modes leave it alone. */
        metered_dev_connection_send_text (connection, pong);
      }
      break;

    case METERED_FRAME_SUBSCRIBE:
      handle_subscribe (server, connection, &frame);
      break;

    case METERED_FRAME_UNSUBSCRIBE:
      handle_unsubscribe (server, connection, &frame);
      break;

    case METERED_FRAME_PUBLISH:
      handle_publish (server, connection, &frame);
      break;

    case METERED_FRAME_SEND:
      handle_send (server, connection, &frame);
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
      /* The codec only returns client frame types. */
      g_assert_not_reached ();
    }

  metered_frame_clear (&frame);
}
