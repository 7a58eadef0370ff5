/* reliability-util.c: the devserver as a real process, and memory figures
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-reliability"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "reliability-util.h"

#define LINE_TIMEOUT 15

typedef struct {
  char     *line;
  gboolean  done;
} LineRead;

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  LineRead *read = data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  read->done = TRUE;
}

/* The next stdout line, or NULL at the end of output. */
static char *
read_line (RelServer *server)
{
  LineRead read = { NULL, FALSE };

  g_data_input_stream_read_line_async (server->out, G_PRIORITY_DEFAULT, NULL, on_line, &read);
  test_wait_for (read.done, LINE_TIMEOUT);

  return read.line;
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  gboolean *exited = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

void
rel_child_setup (gpointer data)
{
  /* A test that aborts must not leave its servers and workers behind. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static RelServer *
spawn (const char * const *args,
       const char         *messages_debug)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  RelServer *server = g_new0 (RelServer, 1);

  g_ptr_array_add (argv, (char *) DEVSERVER_PATH);
  g_ptr_array_add (argv, (char *) "--test-hooks");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, rel_child_setup, NULL, NULL);
  if (messages_debug != NULL)
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", messages_debug, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");

  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  server->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));

  /* Drained as it comes, so a chatty server never blocks on stderr. */
  server->err = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (server->err, g_subprocess_get_stderr_pipe (server->process),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT,
                                NULL, NULL, NULL);
  g_subprocess_wait_async (server->process, NULL, on_exited, &server->exited);

  return server;
}

/* Reads the listening line; FALSE when the server ended without one. */
static gboolean
read_listening_line (RelServer *server)
{
  static const char prefix[] = "metered-devserver listening on ";
  g_autofree char *line = read_line (server);
  const char *port;
  guint64 value = 0;

  if (line == NULL)
    return FALSE;

  g_assert_true (g_str_has_prefix (line, prefix));
  server->url = g_strdup (line + strlen (prefix));
  port = strrchr (server->url, ':');
  g_assert_nonnull (port);
  g_assert_true (g_ascii_string_to_unsigned (port + 1, 10, 1, 65535, &value, NULL));
  server->port = value;

  return TRUE;
}

RelServer *
rel_server_start (const char * const *args,
                  const char         *messages_debug)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  RelServer *server;

  g_ptr_array_add (all, (char *) "--port");
  g_ptr_array_add (all, (char *) "0");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (all, (char *) args[i]);
  g_ptr_array_add (all, NULL);

  server = spawn ((const char * const *) all->pdata, messages_debug);
  if (!read_listening_line (server))
    {
      g_autofree char *err = rel_server_dup_stderr (server);

      g_error ("the devserver did not start: %s", err);
    }

  return server;
}

RelServer *
rel_server_start_port (guint               port,
                       const char * const *args,
                       double              seconds)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  for (;;)
    {
      g_autoptr(GPtrArray) all = g_ptr_array_new ();
      RelServer *server;

      g_ptr_array_add (all, (char *) "--port");
      g_ptr_array_add (all, port_text);
      for (guint i = 0; args != NULL && args[i] != NULL; i++)
        g_ptr_array_add (all, (char *) args[i]);
      g_ptr_array_add (all, NULL);

      server = spawn ((const char * const *) all->pdata, NULL);
      if (read_listening_line (server))
        {
          g_assert_cmpuint (server->port, ==, port);
          return server;
        }

      rel_server_wait_exit (server, LINE_TIMEOUT);
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *err = rel_server_dup_stderr (server);

          g_error ("the devserver did not restart on port %u: %s", port, err);
        }
      rel_server_free (server);
      test_run_for (0.05);
    }
}

char *
rel_server_hook (RelServer  *server,
                 const char *line)
{
  GOutputStream *in = g_subprocess_get_stdin_pipe (server->process);
  g_autoptr(GError) error = NULL;
  char *answer;

  g_output_stream_write_all (in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (in, "\n", 1, NULL, NULL, &error);
  g_assert_no_error (error);

  answer = read_line (server);
  g_assert_nonnull (answer);

  return answer;
}

guint
rel_server_hook_affected (RelServer  *server,
                          const char *line)
{
  g_autofree char *answer = rel_server_hook (server, line);
  g_autoptr(JsonNode) root = json_from_string (answer, NULL);
  JsonObject *object;

  g_assert_nonnull (root);
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "affected"))
    g_error ("hook %s failed: %s", line, answer);

  return json_object_get_int_member (object, "affected");
}

void
rel_server_signal (RelServer *server,
                   int        signum)
{
  /* Not g_subprocess_send_signal(): it signals later, from GLib's worker
   * thread, and a test must know that the server is frozen before it goes
   * on. The process cannot be reaped meanwhile: it has not exited. */
  g_assert_false (server->exited);
  g_assert_cmpint (kill (rel_server_get_pid (server), signum), ==, 0);
}

void
rel_server_wait_exit (RelServer *server,
                      double     seconds)
{
  test_wait_for (server->exited, seconds);
}

GPid
rel_server_get_pid (RelServer *server)
{
  const char *id = g_subprocess_get_identifier (server->process);

  g_assert_nonnull (id);
  return (GPid) atoi (id);
}

char *
rel_server_dup_stderr (RelServer *server)
{
  /* Let the splice catch up with what was written so far. */
  test_run_for (0.05);
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (server->err)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (server->err)));
}

void
rel_server_free (RelServer *server)
{
  if (!server->exited)
    {
      /* A stopped server must be woken to die of SIGTERM; SIGKILL needs no
       * cooperation. */
      g_subprocess_force_exit (server->process);
      test_wait_for (server->exited, LINE_TIMEOUT);
    }

  g_clear_object (&server->out);
  g_clear_object (&server->err);
  g_clear_object (&server->process);
  g_free (server->url);
  g_free (server);
}

gsize
rel_rss_kib (GPid pid)
{
  g_autofree char *path = pid == 0 ? g_strdup ("/proc/self/status")
                                   : g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  line = strstr (contents, "\nVmRSS:");
  if (line == NULL)
    return 0;

  return (gsize) g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

guint64
rel_env_number (const char *name,
                guint64     fallback)
{
  const char *value = g_getenv (name);
  guint64 number;

  if (value == NULL || value[0] == '\0')
    return fallback;

  if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT32, &number, NULL))
    g_error ("%s must be a positive whole number", name);

  return number;
}

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
} Communicated;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Communicated *c = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err, &error);
  g_assert_no_error (error);
  c->done = TRUE;
}

int
rel_run_command (const char * const *argv,
                 const char * const *envp_extra,
                 double              seconds,
                 char              **out,
                 char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Communicated c = { FALSE, NULL, NULL };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, rel_child_setup, NULL, NULL);
  for (guint i = 0; envp_extra != NULL && envp_extra[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, envp_extra[i], envp_extra[i + 1], TRUE);

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &c);
  test_wait_for (c.done, seconds);
  test_wait_for (g_subprocess_get_identifier (process) == NULL, seconds);

  g_assert_true (g_subprocess_get_if_exited (process));
  *out = c.out;
  *err = c.err;

  return g_subprocess_get_exit_status (process);
}

void
rel_init (int    *argc,
          char ***argv)
{
  signal (SIGPIPE, SIG_IGN);
  test_init (argc, argv);
}

MeteredClient *
rel_client_new (const char *url,
                double      inactivity_timeout,
                double      ack_timeout,
                double      welcome_timeout)
{
  g_autoptr(MeteredReconnectOptions) reconnect = metered_reconnect_options_new ();
  g_autoptr(GError) error = NULL;
  MeteredClient *client;

  reconnect->initial_delay = 0.05;
  reconnect->max_delay = 0.2;
  reconnect->jitter_ratio = 0;

  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error,
                           "url", url,
                           "api-key", TEST_API_KEY,
                           "inactivity-timeout", inactivity_timeout,
                           "ack-timeout", ack_timeout,
                           "welcome-timeout", welcome_timeout,
                           "replay-retry-delay", 0.05,
                           "reconnect-options", reconnect,
                           NULL);
  g_assert_no_error (error);

  return client;
}
