/* metered-cli-options.c: the connection and output options every command shares
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <string.h>

#include "metered.h"
#include "metered-cli-error.h"
#include "metered-cli-log.h"
#include "metered-cli-options.h"

/* The options are accepted before the command and after it, so each
 * context gets its own copy of the entries pointing at @self. */
void
metered_cli_options_add_entries (MeteredCliOptions *self,
                                 GOptionContext    *context)
{
  const GOptionEntry entries[] = {
    { "url", 'u', 0, G_OPTION_ARG_STRING, &self->url,
      "Service base URL (default $METERED_URL, else " METERED_DEFAULT_URL ")", "URL" },
    { "api-key", 'k', 0, G_OPTION_ARG_STRING, &self->api_key,
      "Publishable key pk_live_… (default $METERED_API_KEY)", "KEY" },
    { "token", 't', 0, G_OPTION_ARG_STRING, &self->token,
      "Signed JWT (default $METERED_TOKEN)", "JWT" },
    { "token-command", 0, 0, G_OPTION_ARG_STRING, &self->token_command,
      "Shell command that prints a fresh JWT, run for every (re)connect", "CMD" },
    { "pretty", 'p', 0, G_OPTION_ARG_NONE, &self->pretty,
      "Indented JSON for humans instead of JSON Lines", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &self->verbose,
      "Log connection progress to stderr (never credentials)", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
}

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
take_string (char **slot,
             char **later)
{
  if (*later == NULL)
    return;

  clear_secret (slot);
  *slot = g_steal_pointer (later);
}

/* Options given after the command override those given before it. */
void
metered_cli_options_merge (MeteredCliOptions *self,
                           MeteredCliOptions *later)
{
  take_string (&self->url, &later->url);
  take_string (&self->api_key, &later->api_key);
  take_string (&self->token, &later->token);
  take_string (&self->token_command, &later->token_command);
  self->pretty |= later->pretty;
  self->verbose |= later->verbose;
}

static gboolean
usage_error (GError     **error,
             const char  *message)
{
  g_set_error_literal (error, METERED_CLI_ERROR, METERED_CLI_EXIT_USAGE, message);
  return FALSE;
}

/* Strips the value in place; an empty value is an error rather than
 * "not given", so a typo like `--api-key "$UNSET"` is noticed. */
static gboolean
check_given (char       *value,
             const char *option,
             GError    **error)
{
  g_autofree char *message = NULL;

  if (value == NULL)
    return TRUE;

  g_strstrip (value);
  if (*value != '\0')
    return TRUE;

  message = g_strdup_printf ("%s is empty", option);
  return usage_error (error, message);
}

static char *
dup_env (const char *name)
{
  const char *value = g_getenv (name);
  g_autofree char *stripped = NULL;

  if (value == NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (value));
  if (*stripped == '\0')
    return NULL;

  return g_steal_pointer (&stripped);
}

static gboolean
resolve_credential (MeteredCliOptions  *self,
                    GError            **error)
{
  guint n_given = (self->api_key != NULL) + (self->token != NULL) + (self->token_command != NULL);

  if (!check_given (self->api_key, "--api-key", error) ||
      !check_given (self->token, "--token", error) ||
      !check_given (self->token_command, "--token-command", error))
    return FALSE;

  if (n_given > 1)
    return usage_error (error, "--api-key, --token and --token-command cannot be combined; give one");

  if (n_given == 0)
    {
      self->api_key = dup_env ("METERED_API_KEY");
      self->token = dup_env ("METERED_TOKEN");

      if (self->api_key != NULL && self->token != NULL)
        return usage_error (error, "both METERED_API_KEY and METERED_TOKEN are set; unset one, "
                                   "or choose with --api-key or --token");
      if (self->api_key == NULL && self->token == NULL)
        return usage_error (error, "no credentials: give --api-key, --token or --token-command, "
                                   "or set METERED_API_KEY or METERED_TOKEN");
    }

  if (self->api_key != NULL)
    self->credential = METERED_CLI_CREDENTIAL_API_KEY;
  else if (self->token != NULL)
    self->credential = METERED_CLI_CREDENTIAL_TOKEN;
  else
    self->credential = METERED_CLI_CREDENTIAL_TOKEN_COMMAND;

  /* A command line may embed a secret (a curl call with a bearer key). */
  metered_cli_log_add_secret (self->api_key);
  metered_cli_log_add_secret (self->token);
  metered_cli_log_add_secret (self->token_command);

  return TRUE;
}

static gboolean
resolve_url (MeteredCliOptions  *self,
             GError            **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!check_given (self->url, "--url", error))
    return FALSE;

  if (self->url == NULL)
    self->url = dup_env ("METERED_URL");
  if (self->url == NULL)
    self->url = g_strdup (METERED_DEFAULT_URL);

  /* The URL is not quoted back: a mistyped one may hold userinfo or a
   * pasted credential. */
  if (!metered_url_validate_base (self->url, &local_error))
    {
      g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_USAGE,
                   "invalid service URL: %s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* Fills in what the command line left out from the environment, then
 * checks that exactly one credential and a usable URL remain. */
gboolean
metered_cli_options_resolve (MeteredCliOptions  *self,
                             GError            **error)
{
  return resolve_credential (self, error) && resolve_url (self, error);
}

void
metered_cli_options_clear (MeteredCliOptions *self)
{
  g_clear_pointer (&self->url, g_free);
  clear_secret (&self->api_key);
  clear_secret (&self->token);
  clear_secret (&self->token_command);
  self->credential = METERED_CLI_CREDENTIAL_NONE;
}
