/* metered-cli-log.c: everything the CLI writes to stderr, with secrets scrubbed
 *
 * The library and this program never put a credential into a message on
 * purpose. The scrubber is the second line of defence: every line written
 * to stderr (errors, warnings and --verbose logs, ours and the library's)
 * has each credential the process holds replaced, raw and percent-encoded,
 * so a message that quotes a URL or a server reason cannot leak one.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <stdio.h>
#include <string.h>

#include "metered-cli-log.h"

/* Shorter strings would mangle ordinary words; no credential is that short. */
#define MIN_SECRET_LENGTH 4
/* Tokens from --token-command change on each reconnect: keep the recent ones. */
#define MAX_SECRETS 32

static GPtrArray *secrets;
static gboolean verbose;

static void
secret_free (gpointer data)
{
  char *secret = data;

  memset (secret, 0, strlen (secret));
  g_free (secret);
}

static void
remember (const char *text)
{
  for (guint i = 0; i < secrets->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (secrets, i), text))
        return;
    }

  if (secrets->len == MAX_SECRETS)
    g_ptr_array_remove_index (secrets, 0);
  g_ptr_array_add (secrets, g_strdup (text));
}

/**
 * metered_cli_log_add_secret:
 * @secret: (nullable): a credential the process holds
 *
 * From now on @secret, and its percent-encoded form, are replaced by
 * `[redacted]` in everything written to stderr.
 */
void
metered_cli_log_add_secret (const char *secret)
{
  g_autofree char *escaped = NULL;

  if (secret == NULL || strlen (secret) < MIN_SECRET_LENGTH)
    return;

  if (secrets == NULL)
    secrets = g_ptr_array_new_with_free_func (secret_free);

  remember (secret);
  escaped = g_uri_escape_string (secret, NULL, FALSE);
  remember (escaped);
}

/* Returns: (transfer full): @text with every known secret replaced */
static char *
scrub (const char *text)
{
  GString *scrubbed = g_string_new (text);

  for (guint i = 0; secrets != NULL && i < secrets->len; i++)
    g_string_replace (scrubbed, g_ptr_array_index (secrets, i), "[redacted]", 0);

  return g_string_free (scrubbed, FALSE);
}

static void
write_line (const char *prefix,
            const char *message)
{
  g_autofree char *scrubbed = scrub (message);

  fprintf (stderr, "metered: %s%s\n", prefix, scrubbed);
  fflush (stderr);
}

void
metered_cli_log_error (const char *format,
                       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  write_line ("", message);
}

void
metered_cli_log_warning (const char *format,
                         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  write_line ("warning: ", message);
}

static const char *
level_prefix (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error: ";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical: ";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning: ";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "";
  return "debug: ";
}

/* Log lines go to stderr whatever their level: stdout carries only JSON.
 * Debug and info lines appear with --verbose, and only from our own
 * domains (libmetered's and the CLI's), which never log secrets. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].length < 0 ? g_strdup (fields[i].value)
                                       : g_strndup (fields[i].value, fields[i].length);
    }

  if ((log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 &&
      (!verbose || domain == NULL || !g_str_has_prefix (domain, "metered")))
    return G_LOG_WRITER_HANDLED;

  line = g_strdup_printf ("%s: %s", domain != NULL ? domain : "metered", message != NULL ? message : "");
  write_line (level_prefix (log_level), line);

  return G_LOG_WRITER_HANDLED;
}

void
metered_cli_log_init (void)
{
  g_log_set_writer_func (log_writer, NULL, NULL);
}

void
metered_cli_log_set_verbose (gboolean enabled)
{
  verbose = !!enabled;
}
