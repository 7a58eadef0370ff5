/* metered-cli-token-command.c: a token provider that runs a shell command
 *
 * `--token-command CMD` runs `/bin/sh -c CMD` before the first connect and
 * before every reconnect, so a wrapper around the application's backend
 * (`curl …/token`, a password manager, `metered token …`) hands the client
 * a fresh token each time. The command's trimmed standard output is the
 * token; its standard error passes through to ours so the user sees why it
 * failed, and its standard input is /dev/null so it never eats the input
 * of `pub --lines`. Nothing the command prints is ever quoted back.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <string.h>

#include "metered-cli-log.h"
#include "metered-cli-token-command.h"

typedef struct {
  MeteredTokenRequest *request;
  GSubprocess         *process;
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->request);
  g_clear_object (&run->process);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static void
fail (MeteredTokenRequest *request,
      const char          *message)
{
  g_autoptr(GError) error = g_error_new_literal (METERED_CLIENT_ERROR,
                                                 METERED_CLIENT_ERROR_TOKEN_PROVIDER,
                                                 message);

  g_debug ("token command failed: %s", message);
  metered_token_request_return_error (request, error);
}

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *message = NULL;

  if (!g_subprocess_communicate_utf8_finish (run->process, result, &output, NULL, &error))
    {
      /* The client stopped waiting (timeout or close): do not leave the
       * command running behind it. */
      g_subprocess_force_exit (run->process);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          message = g_strdup_printf ("could not read the token command's output: %s", error->message);
          fail (run->request, message);
        }
      return;
    }

  if (!g_subprocess_get_if_exited (run->process))
    {
      message = g_strdup_printf ("the token command was killed by signal %d",
                                 g_subprocess_get_term_sig (run->process));
      fail (run->request, message);
    }
  else if (g_subprocess_get_exit_status (run->process) != 0)
    {
      message = g_strdup_printf ("the token command exited with status %d",
                                 g_subprocess_get_exit_status (run->process));
      fail (run->request, message);
    }
  else if (*g_strstrip (output) == '\0')
    {
      fail (run->request, "the token command printed nothing");
    }
  else
    {
      metered_cli_log_add_secret (output);
      g_debug ("token command succeeded");
      metered_token_request_return_token (run->request, output);
    }

  if (output != NULL)
    memset (output, 0, strlen (output));
}

void
metered_cli_token_command_provide (MeteredClient       *client,
                                   MeteredTokenRequest *request,
                                   gpointer             user_data)
{
  const char *command = user_data;
  g_autoptr(GError) error = NULL;
  Run *run;

  g_debug ("running the token command");

  run = g_new0 (Run, 1);
  run->request = g_object_ref (request);
  run->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                   "/bin/sh", "-c", command, NULL);
  if (run->process == NULL)
    {
      g_autofree char *message = g_strdup_printf ("could not run the token command: %s", error->message);

      fail (request, message);
      run_free (run);
      return;
    }

  g_subprocess_communicate_utf8_async (run->process, NULL,
                                       metered_token_request_get_cancellable (request),
                                       on_communicated, run);
}
