/* main.c: the `metered` command-line tool
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <locale.h>
#include <stdio.h>

#include "metered-cli-command.h"
#include "metered-cli-error.h"
#include "metered-cli-log.h"

static const char exit_statuses[] =
  "Exit status:\n"
  "  0  success (sub and presence --follow: stopped by SIGINT or SIGTERM)\n"
  "  1  failure: connection lost, no answer in time, interrupted, I/O error\n"
  "  2  usage error: bad arguments, bad URL, missing or conflicting credentials,\n"
  "     invalid JSON; nothing was sent\n"
  "  3  could not connect, or the server closed the connection for good;\n"
  "     the message names the close code (e.g. 4001 invalid-token)\n"
  "  4  the server refused a request; the message has the server's code\n"
  "     (e.g. channel_reserved)\n";

static const char environment[] =
  "Environment:\n"
  "  METERED_URL      base URL, like --url\n"
  "  METERED_API_KEY  publishable key, like --api-key\n"
  "  METERED_TOKEN    JWT, like --token\n"
  "  METERED_SECRET   signing secret for 'metered token', like --secret\n"
  "Credentials from the environment stay out of the shell history. They are\n"
  "never printed, not even with --verbose.\n";

static char *
describe_commands (void)
{
  GString *text = g_string_new ("Commands:\n");
  const MeteredCliCommand *commands;
  guint n_commands;

  commands = metered_cli_command_list (&n_commands);
  for (guint i = 0; i < n_commands; i++)
    g_string_append_printf (text, "  %-10s %s\n", commands[i].name, commands[i].summary);

  g_string_append (text, "\n'metered COMMAND --help' describes a command. The connection options may\n"
                         "also follow the command. Events are printed as JSON Lines; see metered(1).\n\n");
  g_string_append (text, environment);
  g_string_append_c (text, '\n');
  g_string_append (text, exit_statuses);

  return g_string_free (text, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_auto(MeteredCliOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  const MeteredCliCommand *command;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  g_set_prgname ("metered");
  metered_cli_log_init ();

  description = describe_commands ();
  context = g_option_context_new ("COMMAND [ARG…]");
  g_option_context_set_summary (context, "Publish, subscribe and send direct messages on the Metered Realtime "
                                         "Messaging service (or the local devserver) from the shell.");
  g_option_context_set_description (context, description);
  metered_cli_options_add_entries (&options, context);
  g_option_context_add_main_entries (context, entries, NULL);
  /* Stop at the command: what follows belongs to it. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      metered_cli_log_error ("%s", error->message);
      return METERED_CLI_EXIT_USAGE;
    }

  if (version)
    {
      printf ("metered %s\n", METERED_CLI_VERSION);
      return METERED_CLI_EXIT_OK;
    }

  metered_cli_log_set_verbose (options.verbose);

  if (argc < 2)
    {
      metered_cli_log_error ("no command given; see 'metered --help'");
      return METERED_CLI_EXIT_USAGE;
    }

  command = metered_cli_command_lookup (argv[1]);
  if (command == NULL)
    {
      metered_cli_log_error ("unknown command \"%s\"; see 'metered --help'", argv[1]);
      return METERED_CLI_EXIT_USAGE;
    }

  return command->run (&options, argc - 1, argv + 1);
}
