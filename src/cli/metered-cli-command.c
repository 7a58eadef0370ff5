/* metered-cli-command.c: what every `metered` command shares
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include "metered-cli-command.h"
#include "metered-cli-error.h"
#include "metered-cli-log.h"

static const MeteredCliCommand commands[] = {
  { "sub", "CHANNEL…",
    "Print every event of one or more channels as JSON Lines until interrupted.",
    "Each line is one JSON object with an \"event\" member: message, direct (messages sent\n"
    "to this peer), presence, or state (connection state changes). SIGINT or SIGTERM\n"
    "closes the connection cleanly and exits with status 0.",
    TRUE, metered_cli_sub },
  { "pub", "CHANNEL [DATA]",
    "Publish a JSON value on a channel.",
    "Without DATA the JSON value is read from stdin: the whole input as one value,\n"
    "or one value per line with --lines (blank lines are skipped). Every value is\n"
    "checked before it is sent, and every publish is acknowledged before the command\n"
    "exits. An invalid line stops the command with status 2 before anything after it\n"
    "is sent. DATA starting with '-' goes after '--'.",
    TRUE, metered_cli_pub },
  { "send", "PEER [DATA]",
    "Send a direct message (a JSON value) to one peer.",
    "DATA and stdin are read as for 'metered pub'.",
    TRUE, metered_cli_send },
  { "presence", "CHANNEL",
    "Print who is in a channel: one presence line with the roster, then exit.",
    "The roster is the channel's presence snapshot:\n"
    "  {\"event\":\"presence\",\"channel\":C,\"joined\":[{\"peerId\":P,\"metadata\":{…}}],\"left\":[]}\n"
    "This joins the channel for a moment, so the others see this peer come and go.\n"
    "With --follow, presence changes and state changes follow until SIGINT or SIGTERM.",
    TRUE, metered_cli_presence },
  { "token", NULL,
    "Mint an HS256 JWT locally and print it (a development convenience).",
    "The signing secret may come from $METERED_SECRET instead of --secret, which keeps\n"
    "it out of the shell history and the process list. Production tokens belong on\n"
    "your backend.",
    FALSE, metered_cli_token },
  { "devserver", NULL,
    "Run the local Metered server (the same server as metered-devserver).",
    "Prints \"metered-devserver listening on ws://HOST:PORT\" on stdout once it listens.\n"
    "Without --config the keys are pk_live_dev and sk_id_dev / sk_secret_dev.",
    FALSE, metered_cli_devserver },
};

const MeteredCliCommand *
metered_cli_command_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, name))
        return &commands[i];
    }

  return NULL;
}

const MeteredCliCommand *
metered_cli_command_list (guint *n_commands)
{
  *n_commands = G_N_ELEMENTS (commands);
  return commands;
}

gboolean
metered_cli_command_usage (GError     **error,
                           const char  *format,
                           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (METERED_CLI_ERROR, METERED_CLI_EXIT_USAGE, format, args));
  va_end (args);

  return FALSE;
}

/* Parses the command's own options (plus, for commands that connect, the
 * connection options again: they may come after the command too), then
 * completes the connection options from the environment. @arguments gets
 * the positional arguments, "--" handled (so `pub room -- -1` works). */
gboolean
metered_cli_command_parse (const MeteredCliCommand  *command,
                           MeteredCliOptions        *options,
                           const GOptionEntry       *entries,
                           int                       argc,
                           char                    **argv,
                           GStrv                    *arguments,
                           GError                  **error)
{
  g_auto(MeteredCliOptions) later = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *prgname = g_strdup_printf ("metered %s", command->name);
  g_auto(GStrv) remaining = NULL;
  const GOptionEntry remaining_entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &remaining, NULL, NULL },
    { NULL }
  };

  /* The usage line of --help reads "metered pub [OPTION…] CHANNEL [DATA]". */
  g_set_prgname (prgname);

  context = g_option_context_new (command->parameters);
  g_option_context_set_summary (context, command->summary);
  g_option_context_set_description (context, command->description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  if (command->connects)
    metered_cli_options_add_entries (&later, context);
  g_option_context_add_main_entries (context, remaining_entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &local_error))
    return metered_cli_command_usage (error, "%s", local_error->message);

  metered_cli_options_merge (options, &later);
  metered_cli_log_set_verbose (options->verbose);

  if (command->connects && !metered_cli_options_resolve (options, error))
    return FALSE;

  *arguments = remaining != NULL ? g_steal_pointer (&remaining) : g_new0 (char *, 1);
  return TRUE;
}

/* Prints @error (if any) and returns the exit status that goes with it. */
int
metered_cli_command_report (GError *error)
{
  if (error == NULL)
    return METERED_CLI_EXIT_OK;

  metered_cli_log_error ("%s", error->message);
  return metered_cli_exit_for_error (error);
}
