/* metered-cli-publish.c: `metered pub CHANNEL [DATA]` and `metered send PEER [DATA]`
 *
 * Both deliver JSON values to one target: from the command line, from the
 * whole of stdin, or one per stdin line (--lines). Values are checked
 * locally, so malformed input is a usage error (exit 2) that never reaches
 * the server, and a publish counts as done only when the server acked it.
 *
 * With --lines the input may be a live producer, so lines are read ahead
 * while the connection is made and the earlier lines are delivered: an
 * invalid line stops the command before anything after the last delivered
 * line goes out. When the whole input is at hand (a file, a finished
 * pipe), the bad line is usually found before anything was sent.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <stdio.h>
#include <unistd.h>
#include <gio/gunixinputstream.h>

#include "metered-frame-private.h"

#include "metered-cli-async.h"
#include "metered-cli-command.h"
#include "metered-cli-error.h"
#include "metered-cli-input.h"
#include "metered-cli-session.h"

/* Lines read ahead of the one being delivered, at most. */
#define MAX_LINES_AHEAD 1024
/* The hosted service closes a connection sending more than 100 messages
 * per second sustained (4011), so that is the default pace. */
#define DEFAULT_RATE 100

typedef gboolean (*DeliverFunc) (MeteredCliSession  *session,
                                 const char         *target,
                                 const char         *json,
                                 GError            **error);

typedef struct {
  const char  *name;
  const char  *target_kind;    /* "channel" or "peer id" */
  gboolean   (*validate_target) (const char *target, GError **error);
  DeliverFunc  deliver;
} Kind;

static const Kind publish_kind = {
  "pub", "channel", metered_channel_validate, metered_cli_session_publish,
};

static const Kind send_kind = {
  "send", "peer id", metered_peer_id_validate, metered_cli_session_send,
};

/* @where names the input for the message ("DATA", "stdin", "stdin line 3"). */
static gboolean
check_json (const char  *text,
            const char  *where,
            GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *p = text;

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '\0')
    return metered_cli_command_usage (error, "%s: no JSON value", where);

  /* As strict as the client: json-glib alone has no nesting limit (deep
   * input overflows the stack) and takes some text that is not JSON. */
  root = metered_json_parse_untrusted (text, -1, &local_error);
  if (root == NULL)
    return metered_cli_command_usage (error, "%s: invalid JSON: %s", where, local_error->message);

  return TRUE;
}

typedef struct {
  GMainContext *context;
  double        rate;
  double        tokens;
  gint64        last;
} Pacer;

static gboolean
on_pace_elapsed (gpointer user_data)
{
  gboolean *elapsed = user_data;

  *elapsed = TRUE;
  return G_SOURCE_REMOVE;
}

/* A token bucket holding one second's worth of messages: the first burst
 * goes at once, then one message every 1/rate seconds. */
static void
pacer_wait (Pacer             *pacer,
            MeteredCliSession *session)
{
  gint64 now = g_get_monotonic_time ();

  if (pacer->rate <= 0)
    return;

  if (pacer->last == 0)
    pacer->tokens = pacer->rate;
  else
    pacer->tokens = MIN (pacer->rate, pacer->tokens + (now - pacer->last) * pacer->rate / G_USEC_PER_SEC);
  pacer->last = now;

  if (pacer->tokens < 1)
    {
      gboolean elapsed = FALSE;
      guint wait_ms = (guint) ((1 - pacer->tokens) * 1000 / pacer->rate) + 1;
      guint source = g_timeout_add (wait_ms, on_pace_elapsed, &elapsed);

      while (!elapsed && !metered_cli_session_is_interrupted (session))
        g_main_context_iteration (NULL, TRUE);
      if (!elapsed)
        g_source_remove (source);

      pacer->tokens = 1;
      pacer->last = g_get_monotonic_time ();
    }

  pacer->tokens -= 1;
}

typedef struct {
  guint  number;
  char  *text;
} Line;

static void
line_free (Line *line)
{
  g_free (line->text);
  g_free (line);
}

/* Reads stdin ahead of the deliveries, checking each line. */
typedef struct {
  MeteredCliLineReader *reader;
  GCancellable         *cancellable;
  GQueue                lines;       /* Line */
  gboolean              reading;
  gboolean              at_end;
  GError               *failure;     /* an invalid line, or a read error */
} Feeder;

static void feeder_pump (Feeder *feeder);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Feeder *feeder = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *where = NULL;
  guint number = 0;

  feeder->reading = FALSE;
  text = metered_cli_line_reader_read_line_finish (feeder->reader, result, &number, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      if (error->domain == METERED_CLI_ERROR)
        g_propagate_prefixed_error (&feeder->failure, g_steal_pointer (&error), "stdin: ");
      else
        g_propagate_prefixed_error (&feeder->failure, g_steal_pointer (&error), "reading stdin: ");
      return;
    }

  if (text == NULL)
    {
      feeder->at_end = TRUE;
      return;
    }

  if (*g_strstrip (text) != '\0')
    {
      Line *line;

      where = g_strdup_printf ("stdin line %u", number);
      if (!check_json (text, where, &feeder->failure))
        return;

      line = g_new0 (Line, 1);
      line->number = number;
      line->text = g_steal_pointer (&text);
      g_queue_push_tail (&feeder->lines, line);
    }

  feeder_pump (feeder);
}

static void
feeder_pump (Feeder *feeder)
{
  if (feeder->reading || feeder->at_end || feeder->failure != NULL ||
      feeder->lines.length >= MAX_LINES_AHEAD)
    return;

  feeder->reading = TRUE;
  metered_cli_line_reader_read_line_async (feeder->reader, feeder->cancellable, on_line, feeder);
}

/* Waits until a checked line is queued, the input ended, or it failed.
 * Returns: (transfer full) (nullable): the next line, or %NULL. */
static Line *
feeder_next (Feeder            *feeder,
             MeteredCliSession *session)
{
  Line *line;

  while (g_queue_is_empty (&feeder->lines) && !feeder->at_end && feeder->failure == NULL &&
         (session == NULL || !metered_cli_session_is_interrupted (session)))
    g_main_context_iteration (NULL, TRUE);

  if (feeder->failure != NULL)
    return NULL;

  line = g_queue_pop_head (&feeder->lines);
  feeder_pump (feeder);
  return line;
}

static void
feeder_finish (Feeder *feeder)
{
  g_cancellable_cancel (feeder->cancellable);
  /* Let a cancelled read call back before the feeder goes away. */
  while (feeder->reading)
    g_main_context_iteration (NULL, TRUE);

  g_queue_clear_full (&feeder->lines, (GDestroyNotify) line_free);
  g_clear_object (&feeder->reader);
  g_clear_object (&feeder->cancellable);
  g_clear_error (&feeder->failure);
}

static gboolean
deliver_lines (const Kind        *kind,
               MeteredCliSession *session,
               Feeder            *feeder,
               Line              *first,
               const char        *target,
               double             rate,
               GError           **error)
{
  Pacer pacer = { .rate = rate };
  Line *line = first;
  guint n_delivered = 0;

  if (!metered_cli_session_connect (session, error))
    {
      line_free (line);
      return FALSE;
    }

  /* Nothing after an invalid line is sent, even lines read before it. */
  while (line != NULL && feeder->failure == NULL)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean delivered;

      pacer_wait (&pacer, session);
      delivered = kind->deliver (session, target, line->text, &local_error);
      if (!delivered)
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "stdin line %u: ", line->number);
      line_free (line);
      if (!delivered)
        return FALSE;

      n_delivered++;
      line = feeder_next (feeder, session);
    }
  g_clear_pointer (&line, line_free);

  if (metered_cli_session_is_interrupted (session))
    {
      g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_FAILURE,
                   "interrupted after %u line(s) were sent", n_delivered);
      return FALSE;
    }

  if (feeder->failure != NULL)
    {
      if (n_delivered == 0)
        g_set_error (error, feeder->failure->domain, feeder->failure->code,
                     "%s (nothing was sent)", feeder->failure->message);
      else
        g_set_error (error, feeder->failure->domain, feeder->failure->code,
                     "%s (the %u line(s) before it were sent)", feeder->failure->message, n_delivered);
      return FALSE;
    }

  g_debug ("%u line(s) delivered", n_delivered);
  return TRUE;
}

static int
run_lines (const Kind        *kind,
           MeteredCliOptions *options,
           const char        *target,
           double             rate)
{
  g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(MeteredCliSession) session = NULL;
  g_autoptr(GError) error = NULL;
  Feeder feeder = { 0 };
  Line *first;

  feeder.reader = metered_cli_line_reader_new (input);
  feeder.cancellable = g_cancellable_new ();
  feeder_pump (&feeder);

  /* Connect only once there is something valid to deliver. */
  first = feeder_next (&feeder, NULL);
  if (first == NULL)
    {
      if (feeder.failure != NULL)
        g_propagate_error (&error, g_steal_pointer (&feeder.failure));
      feeder_finish (&feeder);
      return metered_cli_command_report (error);
    }

  session = metered_cli_session_new (options, &error);
  if (session == NULL)
    line_free (first);
  else
    deliver_lines (kind, session, &feeder, first, target, rate, &error);

  feeder_finish (&feeder);
  if (session != NULL)
    metered_cli_session_close (session);

  return metered_cli_command_report (error);
}

static char *
read_stdin (GError **error)
{
  g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GError) local_error = NULL;
  char *text;

  if (isatty (STDIN_FILENO))
    fprintf (stderr, "metered: reading one JSON value from stdin (end it with Ctrl-D)\n");

  text = metered_cli_input_read_all (input, &local_error);
  if (text == NULL)
    {
      if (local_error->domain == METERED_CLI_ERROR)
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "stdin: ");
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "reading stdin: ");
    }

  return text;
}

static int
run_single (const Kind        *kind,
            MeteredCliOptions *options,
            const char        *target,
            const char        *data)
{
  g_autoptr(MeteredCliSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;

  if (data == NULL)
    {
      input = read_stdin (&error);
      if (input == NULL)
        return metered_cli_command_report (error);
      data = g_strstrip (input);
    }

  if (!check_json (data, input != NULL ? "stdin" : "DATA", &error))
    return metered_cli_command_report (error);

  session = metered_cli_session_new (options, &error);
  if (session == NULL)
    return metered_cli_command_report (error);

  if (metered_cli_session_connect (session, &error))
    kind->deliver (session, target, data, &error);

  metered_cli_session_close (session);

  return metered_cli_command_report (error);
}

static int
run (const Kind         *kind,
     MeteredCliOptions  *options,
     int                 argc,
     char              **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) target_error = NULL;
  g_auto(GStrv) arguments = NULL;
  guint n_arguments;
  gboolean lines = FALSE;
  double rate = DEFAULT_RATE;
  const GOptionEntry entries[] = {
    { "lines", 'l', 0, G_OPTION_ARG_NONE, &lines,
      "Read stdin as JSON Lines: one message per line", NULL },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &rate,
      "With --lines, send at most N messages per second (default 100; 0: no limit)", "N" },
    { NULL }
  };

  if (!metered_cli_command_parse (metered_cli_command_lookup (kind->name), options, entries, argc, argv,
                                  &arguments, &error))
    return metered_cli_command_report (error);

  n_arguments = g_strv_length (arguments);
  if (n_arguments < 1)
    metered_cli_command_usage (&error, "give the %s to deliver to", kind->target_kind);
  else if (n_arguments > 2)
    metered_cli_command_usage (&error, "unexpected argument \"%s\" (DATA is one argument: quote it)", arguments[2]);
  else if (!kind->validate_target (arguments[0], &target_error))
    metered_cli_command_usage (&error, "invalid %s \"%s\": %s", kind->target_kind, arguments[0], target_error->message);
  else if (lines && n_arguments == 2)
    metered_cli_command_usage (&error, "--lines reads stdin: give no DATA");
  else if (!(rate >= 0))
    metered_cli_command_usage (&error, "--rate must be 0 or more");
  if (error != NULL)
    return metered_cli_command_report (error);

  if (lines)
    return run_lines (kind, options, arguments[0], rate);

  return run_single (kind, options, arguments[0], arguments[1]);
}

int
metered_cli_pub (MeteredCliOptions *options,
                 int                argc,
                 char             **argv)
{
  return run (&publish_kind, options, argc, argv);
}

int
metered_cli_send (MeteredCliOptions *options,
                  int                argc,
                  char             **argv)
{
  return run (&send_kind, options, argc, argv);
}
