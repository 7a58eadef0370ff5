/* metered-cli-presence.c: `metered presence CHANNEL [--follow]`
 *
 * The protocol has no "who is here" request over the WebSocket: the roster
 * is the presence snapshot the server sends right after a subscribe. So
 * this command subscribes, prints that snapshot, and leaves (or keeps
 * printing the changes with --follow).
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include "metered-cli-command.h"
#include "metered-cli-error.h"
#include "metered-cli-output.h"
#include "metered-cli-session.h"

/* The snapshot follows the subscribe ack at once; a server that does not
 * send one must not leave the command hanging. */
#define SNAPSHOT_TIMEOUT_SECONDS 10

typedef struct {
  MeteredCliSession *session;
  gboolean           timed_out;
} Watch;

static gboolean
on_snapshot_timeout (gpointer user_data)
{
  Watch *watch = user_data;

  watch->timed_out = TRUE;
  g_cancellable_cancel (metered_cli_session_get_cancellable (watch->session));

  return G_SOURCE_REMOVE;
}

static gboolean
is_presence_of (GObject    *event,
                const char *channel)
{
  return METERED_IS_PRESENCE_EVENT (event) &&
         g_str_equal (metered_presence_event_get_channel (METERED_PRESENCE_EVENT (event)), channel);
}

static gboolean
print_snapshot (MeteredCliSession  *session,
                const char         *channel,
                gboolean            pretty,
                GError            **error)
{
  Watch watch = { session, FALSE };
  guint timeout = g_timeout_add_seconds (SNAPSHOT_TIMEOUT_SECONDS, on_snapshot_timeout, &watch);

  for (;;)
    {
      g_autoptr(GObject) event = metered_cli_session_next_event (session, error);

      if (event == NULL)
        break;

      if (is_presence_of (event, channel))
        {
          g_source_remove (timeout);
          metered_cli_output_print_event (event, pretty);
          return TRUE;
        }
    }

  if (watch.timed_out)
    {
      g_clear_error (error);
      g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_FAILURE,
                   "no presence snapshot for \"%s\" arrived within %d s",
                   channel, SNAPSHOT_TIMEOUT_SECONDS);
    }
  else
    {
      g_source_remove (timeout);
    }

  return FALSE;
}

static gboolean
is_followed (GObject    *event,
             const char *channel)
{
  return is_presence_of (event, channel) || METERED_IS_STATE_CHANGED_EVENT (event);
}

static gboolean
follow (MeteredCliSession  *session,
        const char         *channel,
        gboolean            pretty,
        GError            **error)
{
  for (;;)
    {
      g_autoptr(GObject) event = metered_cli_session_next_event (session, error);

      if (event == NULL)
        return FALSE;

      if (is_followed (event, channel))
        metered_cli_output_print_event (event, pretty);
    }
}

/* After the close: the last state change, and anything queued before it. */
static void
print_queued_events (MeteredCliSession *session,
                     const char        *channel,
                     gboolean           pretty)
{
  GObject *event;

  while ((event = metered_cli_session_try_next_event (session)) != NULL)
    {
      if (is_followed (event, channel))
        metered_cli_output_print_event (event, pretty);
      g_object_unref (event);
    }
}

static gboolean
run (MeteredCliSession  *session,
     const char         *channel,
     gboolean            keep_following,
     gboolean            pretty,
     GError            **error)
{
  if (!metered_cli_session_connect (session, error) ||
      !metered_cli_session_subscribe (session, channel, METERED_SUBSCRIBE_FLAGS_NONE, error) ||
      !print_snapshot (session, channel, pretty, error))
    return FALSE;

  return !keep_following || follow (session, channel, pretty, error);
}

int
metered_cli_presence (MeteredCliOptions *options,
                      int                argc,
                      char             **argv)
{
  g_autoptr(MeteredCliSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) channel_error = NULL;
  g_auto(GStrv) arguments = NULL;
  const char *channel;
  gboolean keep_following = FALSE;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &keep_following,
      "Keep printing presence and state changes until interrupted", NULL },
    { NULL }
  };

  if (!metered_cli_command_parse (metered_cli_command_lookup ("presence"), options, entries, argc, argv,
                                  &arguments, &error))
    return metered_cli_command_report (error);

  channel = arguments[0];
  if (channel == NULL || arguments[1] != NULL)
    metered_cli_command_usage (&error, "give exactly one channel");
  else if (!metered_channel_validate (channel, &channel_error))
    metered_cli_command_usage (&error, "invalid channel \"%s\": %s", channel, channel_error->message);
  if (error != NULL)
    return metered_cli_command_report (error);

  session = metered_cli_session_new (options, &error);
  if (session == NULL)
    return metered_cli_command_report (error);

  run (session, channel, keep_following, options->pretty, &error);

  /* With --follow, being interrupted is the normal end. */
  if (keep_following && metered_cli_session_is_interrupted (session))
    g_clear_error (&error);

  metered_cli_session_close (session);
  if (keep_following && error == NULL)
    print_queued_events (session, channel, options->pretty);

  return metered_cli_command_report (error);
}
