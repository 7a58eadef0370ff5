/* metered-cli-sub.c: `metered sub CHANNEL…`
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include "metered-cli-command.h"
#include "metered-cli-error.h"
#include "metered-cli-output.h"
#include "metered-cli-session.h"

static gboolean
validate_channels (char    **channels,
                   GError  **error)
{
  if (channels[0] == NULL)
    return metered_cli_command_usage (error, "give at least one channel to subscribe to");

  for (gsize i = 0; channels[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!metered_channel_validate (channels[i], &local_error))
        return metered_cli_command_usage (error, "invalid channel \"%s\": %s", channels[i], local_error->message);
    }

  return TRUE;
}

/* Prints events until the user interrupts (the normal end) or the
 * connection is closed for good. */
static gboolean
print_events (MeteredCliSession  *session,
              gboolean            pretty,
              GError            **error)
{
  for (;;)
    {
      g_autoptr(GObject) event = metered_cli_session_next_event (session, error);

      if (event == NULL)
        return FALSE;

      metered_cli_output_print_event (event, pretty);
    }
}

static void
print_queued_events (MeteredCliSession *session,
                     gboolean           pretty)
{
  GObject *event;

  while ((event = metered_cli_session_try_next_event (session)) != NULL)
    {
      metered_cli_output_print_event (event, pretty);
      g_object_unref (event);
    }
}

static gboolean
run (MeteredCliSession      *session,
     char                  **channels,
     MeteredSubscribeFlags   flags,
     gboolean                pretty,
     GError                **error)
{
  if (!metered_cli_session_connect (session, error))
    return FALSE;

  for (gsize i = 0; channels[i] != NULL; i++)
    {
      if (!metered_cli_session_subscribe (session, channels[i], flags, error))
        return FALSE;
    }

  return print_events (session, pretty, error);
}

int
metered_cli_sub (MeteredCliOptions *options,
                 int                argc,
                 char             **argv)
{
  g_autoptr(MeteredCliSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) channels = NULL;
  gboolean sender_metadata = FALSE;
  const GOptionEntry entries[] = {
    { "sender-metadata", 'm', 0, G_OPTION_ARG_NONE, &sender_metadata,
      "Ask for the sender's peerMetadata on each message (as fromMetadata)", NULL },
    { NULL }
  };

  if (!metered_cli_command_parse (metered_cli_command_lookup ("sub"), options, entries, argc, argv, &channels, &error) ||
      !validate_channels (channels, &error))
    return metered_cli_command_report (error);

  session = metered_cli_session_new (options, &error);
  if (session == NULL)
    return metered_cli_command_report (error);

  run (session, channels,
       sender_metadata ? METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA : METERED_SUBSCRIBE_FLAGS_NONE,
       options->pretty, &error);

  /* Being interrupted is how `sub` is meant to end. */
  if (metered_cli_session_is_interrupted (session))
    g_clear_error (&error);

  metered_cli_session_close (session);
  print_queued_events (session, options->pretty);

  return metered_cli_command_report (error);
}
