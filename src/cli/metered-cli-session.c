/* metered-cli-session.c: one client connection, driven step by step
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <glib-unix.h>
#include <signal.h>

#include "metered-cli-async.h"
#include "metered-cli-error.h"
#include "metered-cli-log.h"
#include "metered-cli-session.h"
#include "metered-cli-token-command.h"

/* Seconds close() may take before the process goes anyway; the client
 * itself gives the server at most one second to answer the close frame. */
#define CLOSE_TIMEOUT_SECONDS 3

/**
 * MeteredCliSession:
 *
 * A [class@Metered.Client] built from the command line's credentials, with
 * a blocking-style API for the commands: each call runs the main loop until
 * its answer arrives, so a command reads as the script it is.
 *
 * SIGINT and SIGTERM do not kill the process while a session exists: they
 * cancel the call in progress (the command then closes the connection
 * cleanly) and make metered_cli_session_is_interrupted() true.
 *
 * Every client event passes through an event stream created before the
 * connect, so none is missed; metered_cli_session_next_event() hands them
 * to the command and writes the diagnostic ones (disconnects, server
 * errors, token provider errors) to stderr.
 */
struct _MeteredCliSession
{
  GObject             parent_instance;

  MeteredClient      *client;
  MeteredEventStream *events;
  GCancellable       *cancellable;
  char               *display_url;
  guint               sigint_source;
  guint               sigterm_source;
  gboolean            interrupted;
  gboolean            closing;
  guint64             n_dropped_reported;

  /* The last disconnect, to explain a close the server made final. */
  int                 close_code;
  char               *close_reason;
};

G_DEFINE_FINAL_TYPE (MeteredCliSession, metered_cli_session, G_TYPE_OBJECT)

/* Servers may close with any code from 3000 to 4999, most of them unnamed. */
static const char *
close_code_name (int code)
{
  const char *name = metered_close_code_get_name (code);

  return name != NULL ? name : "unknown";
}

static void
metered_cli_session_dispose (GObject *object)
{
  MeteredCliSession *self = (MeteredCliSession *) object;

  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);
  if (self->events != NULL)
    metered_event_stream_close (self->events);
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (metered_cli_session_parent_class)->dispose (object);
}

static void
metered_cli_session_finalize (GObject *object)
{
  MeteredCliSession *self = (MeteredCliSession *) object;

  g_clear_pointer (&self->display_url, g_free);
  g_clear_pointer (&self->close_reason, g_free);

  G_OBJECT_CLASS (metered_cli_session_parent_class)->finalize (object);
}

static void
metered_cli_session_class_init (MeteredCliSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_cli_session_dispose;
  object_class->finalize = metered_cli_session_finalize;
}

static void
metered_cli_session_init (MeteredCliSession *self)
{
  self->cancellable = g_cancellable_new ();
}

static gboolean
on_signal (gpointer user_data)
{
  MeteredCliSession *self = user_data;

  g_debug ("interrupted");
  self->interrupted = TRUE;
  g_cancellable_cancel (self->cancellable);

  return G_SOURCE_CONTINUE;
}

static void
provide_fixed_token (MeteredClient       *client,
                     MeteredTokenRequest *request,
                     gpointer             user_data)
{
  metered_token_request_return_token (request, user_data);
}

static MeteredClient *
create_client (const MeteredCliOptions  *options,
               GError                  **error)
{
  switch (options->credential)
    {
    case METERED_CLI_CREDENTIAL_API_KEY:
      return metered_client_new (options->api_key, options->url, error);

    case METERED_CLI_CREDENTIAL_TOKEN:
      return metered_client_new_with_token_provider (options->url, provide_fixed_token,
                                                     g_strdup (options->token), g_free,
                                                     error);

    case METERED_CLI_CREDENTIAL_TOKEN_COMMAND:
      return metered_client_new_with_token_provider (options->url, metered_cli_token_command_provide,
                                                     g_strdup (options->token_command), g_free,
                                                     error);

    case METERED_CLI_CREDENTIAL_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* @options must have been resolved with metered_cli_options_resolve(). */
MeteredCliSession *
metered_cli_session_new (const MeteredCliOptions  *options,
                         GError                  **error)
{
  g_autoptr(MeteredCliSession) self = g_object_new (METERED_TYPE_CLI_SESSION, NULL);
  g_autoptr(GError) local_error = NULL;

  self->client = create_client (options, &local_error);
  if (self->client == NULL)
    {
      g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_USAGE, "%s", local_error->message);
      return NULL;
    }

  self->display_url = metered_url_redact (options->url);
  self->events = metered_client_create_event_stream (self->client, G_TYPE_OBJECT,
                                                     METERED_EVENT_STREAM_DEFAULT_MAX_SIZE);
  self->sigint_source = g_unix_signal_add (SIGINT, on_signal, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, on_signal, self);

  return g_steal_pointer (&self);
}

static gboolean
set_interrupted (GError **error)
{
  g_set_error_literal (error, METERED_CLI_ERROR, METERED_CLI_EXIT_FAILURE, "interrupted");
  return FALSE;
}

gboolean
metered_cli_session_connect (MeteredCliSession  *self,
                             GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (METERED_IS_CLI_SESSION (self), FALSE);

  g_debug ("connecting to %s", self->display_url);
  metered_client_connect_async (self->client, self->cancellable, metered_cli_async_store, &result);
  metered_cli_async_wait (&result);
  if (metered_client_connect_finish (self->client, result, &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return set_interrupted (error);

  if (local_error->domain == METERED_CLOSE_ERROR)
    {
      /* The message describes the code and carries the server's reason. */
      g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_CONNECT,
                   "cannot connect to %s: %d %s: %s",
                   self->display_url, local_error->code,
                   close_code_name (local_error->code),
                   local_error->message);
    }
  else if (g_error_matches (local_error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT))
    {
      g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_USAGE, "%s", local_error->message);
    }
  else
    {
      g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_CONNECT,
                   "cannot connect to %s: %s", self->display_url, local_error->message);
    }

  return FALSE;
}

/* @what names the request for the message, e.g. `publish to "room"`. */
static gboolean
request_failed (GError     *cause,
                const char *what,
                GError    **error)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return set_interrupted (error);

  /* The message starts with the server's code (e.g. "channel_reserved: …"). */
  if (cause->domain == METERED_SERVER_ERROR)
    g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_REQUEST,
                 "%s refused by the server: %s", what, cause->message);
  else if (g_error_matches (cause, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT) ||
           g_error_matches (cause, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD))
    g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_USAGE, "%s: %s", what, cause->message);
  else
    g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_FAILURE, "%s failed: %s", what, cause->message);

  return FALSE;
}

gboolean
metered_cli_session_subscribe (MeteredCliSession      *self,
                               const char             *channel,
                               MeteredSubscribeFlags   flags,
                               GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (METERED_IS_CLI_SESSION (self), FALSE);

  metered_client_subscribe_async (self->client, channel, flags, self->cancellable,
                                  metered_cli_async_store, &result);
  metered_cli_async_wait (&result);
  if (metered_client_subscribe_finish (self->client, result, &local_error))
    {
      g_debug ("subscribed to \"%s\"", channel);
      return TRUE;
    }

  what = g_strdup_printf ("subscribe to \"%s\"", channel);
  return request_failed (local_error, what, error);
}

gboolean
metered_cli_session_publish (MeteredCliSession  *self,
                             const char         *channel,
                             const char         *json,
                             GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (METERED_IS_CLI_SESSION (self), FALSE);

  metered_client_publish_text_async (self->client, channel, json, self->cancellable,
                                     metered_cli_async_store, &result);
  metered_cli_async_wait (&result);
  if (metered_client_publish_text_finish (self->client, result, &local_error))
    return TRUE;

  what = g_strdup_printf ("publish to \"%s\"", channel);
  return request_failed (local_error, what, error);
}

gboolean
metered_cli_session_send (MeteredCliSession  *self,
                          const char         *peer_id,
                          const char         *json,
                          GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (METERED_IS_CLI_SESSION (self), FALSE);

  metered_client_send_text_async (self->client, peer_id, json, self->cancellable,
                                  metered_cli_async_store, &result);
  metered_cli_async_wait (&result);
  if (metered_client_send_text_finish (self->client, result, &local_error))
    return TRUE;

  what = g_strdup_printf ("send to \"%s\"", peer_id);
  return request_failed (local_error, what, error);
}

/* Diagnostic events go to stderr; the command decides what to print of
 * the others. */
static void
observe (MeteredCliSession *self,
         GObject           *event)
{
  if (METERED_IS_DISCONNECTED_EVENT (event))
    {
      MeteredDisconnectedEvent *disconnected = METERED_DISCONNECTED_EVENT (event);
      int code = metered_disconnected_event_get_code (disconnected);

      self->close_code = code;
      g_free (self->close_reason);
      self->close_reason = g_strdup (metered_disconnected_event_get_reason (disconnected));
      g_debug ("disconnected: %d %s (%s)%s", code, close_code_name (code),
               self->close_reason != NULL ? self->close_reason : "",
               metered_disconnected_event_get_will_reconnect (disconnected) ? ", reconnecting" : "");
    }
  else if (METERED_IS_CONNECTED_EVENT (event))
    {
      MeteredConnectedEvent *connected = METERED_CONNECTED_EVENT (event);

      g_debug ("%s as peer %s",
               metered_connected_event_get_is_reconnect (connected) ? "reconnected" : "connected",
               metered_connected_event_get_peer_id (connected));
    }
  else if (METERED_IS_SERVER_ERROR_EVENT (event))
    {
      MeteredServerErrorEvent *server_error = METERED_SERVER_ERROR_EVENT (event);

      metered_cli_log_warning ("the server reported an error: %s: %s",
                               metered_server_error_event_get_code (server_error),
                               metered_server_error_event_get_message (server_error));
    }
  else if (METERED_IS_TOKEN_PROVIDER_ERROR_EVENT (event))
    {
      MeteredTokenProviderErrorEvent *provider_error = METERED_TOKEN_PROVIDER_ERROR_EVENT (event);

      metered_cli_log_warning ("no token for reconnecting (%u failures in a row): %s",
                               metered_token_provider_error_event_get_consecutive_failures (provider_error),
                               metered_token_provider_error_event_get_error (provider_error)->message);
    }
  else if (METERED_IS_GOING_AWAY_EVENT (event))
    {
      g_debug ("the server is going away; retry after %.1f s",
               metered_going_away_event_get_retry_after (METERED_GOING_AWAY_EVENT (event)));
    }
}

static void
warn_dropped (MeteredCliSession *self)
{
  guint64 dropped = metered_event_stream_get_n_dropped (self->events);

  if (dropped > self->n_dropped_reported)
    {
      metered_cli_log_warning ("output too slow: %" G_GUINT64_FORMAT " events dropped",
                               dropped - self->n_dropped_reported);
      self->n_dropped_reported = dropped;
    }
}

/* The client gave up on the connection (terminal close code, or the
 * reconnect attempts ran out) without being asked to. */
static gboolean
closed_by_server (MeteredCliSession  *self,
                  GError            **error)
{
  if (self->closing || metered_client_get_state (self->client) != METERED_CLIENT_STATE_CLOSED)
    return FALSE;

  g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_CONNECT,
               "the connection to %s was closed for good with %d %s: %s",
               self->display_url, self->close_code,
               close_code_name (self->close_code),
               metered_close_code_describe (self->close_code));
  return TRUE;
}

/**
 * metered_cli_session_next_event:
 *
 * Waits for the next client event of any kind.
 *
 * Returns: (transfer full) (nullable): the event, or %NULL with @error set
 *   when the session was interrupted or the client closed for good
 */
GObject *
metered_cli_session_next_event (MeteredCliSession  *self,
                                GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  GObject *event;

  g_return_val_if_fail (METERED_IS_CLI_SESSION (self), NULL);

  if (self->interrupted)
    {
      set_interrupted (error);
      return NULL;
    }

  event = metered_event_stream_try_next (self->events);
  if (event == NULL)
    {
      if (closed_by_server (self, error))
        return NULL;

      metered_event_stream_next_async (self->events, self->cancellable, metered_cli_async_store, &result);
      metered_cli_async_wait (&result);
      event = metered_event_stream_next_finish (self->events, result, &local_error);
      if (event == NULL)
        {
          if (local_error == NULL || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            set_interrupted (error);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  warn_dropped (self);
  observe (self, event);
  return event;
}

/* Returns: (transfer full) (nullable): an event already queued, or %NULL */
GObject *
metered_cli_session_try_next_event (MeteredCliSession *self)
{
  GObject *event;

  g_return_val_if_fail (METERED_IS_CLI_SESSION (self), NULL);

  event = metered_event_stream_try_next (self->events);
  if (event != NULL)
    observe (self, event);

  return event;
}

gboolean
metered_cli_session_is_interrupted (MeteredCliSession *self)
{
  g_return_val_if_fail (METERED_IS_CLI_SESSION (self), FALSE);

  return self->interrupted;
}

GCancellable *
metered_cli_session_get_cancellable (MeteredCliSession *self)
{
  g_return_val_if_fail (METERED_IS_CLI_SESSION (self), NULL);

  return self->cancellable;
}

static gboolean
on_close_timeout (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/* Closes with 1000 and waits for the close handshake (bounded), so the
 * server sees a clean goodbye and peers get their presence `left`. */
void
metered_cli_session_close (MeteredCliSession *self)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint timeout;
  MeteredClientState state;

  g_return_if_fail (METERED_IS_CLI_SESSION (self));

  state = metered_client_get_state (self->client);
  if (self->closing || state == METERED_CLIENT_STATE_IDLE || state == METERED_CLIENT_STATE_CLOSED)
    return;

  self->closing = TRUE;
  timeout = g_timeout_add_seconds (CLOSE_TIMEOUT_SECONDS, on_close_timeout, cancellable);
  metered_client_close_async (self->client, METERED_CLOSE_CODE_NORMAL, NULL, cancellable,
                              metered_cli_async_store, &result);
  metered_cli_async_wait (&result);
  /* Only the timeout cancels: if it fired, its source is gone already. */
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);

  if (!metered_client_close_finish (self->client, result, &error))
    g_debug ("close: %s", error->message);
}
