/* metered-dev-main.c: the metered-devserver program, callable in-process
 *
 * `metered devserver` and the metered-devserver binary are the same
 * program: the same options, the same "listening on" line, the same
 * shutdown. This is that program as a function.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-devserver"

#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>

#include "metered-dev-hooks.h"
#include "metered-dev-server.h"
#include "metered-dev-main.h"

#define EXIT_USAGE 2
/* What going_away tells clients to wait before reconnecting. */
#define SHUTDOWN_RETRY_AFTER_MS 1000

typedef struct {
  GMainLoop        *loop;
  MeteredDevServer *server;
  gboolean          stopping;
} App;

static gboolean
on_signal (gpointer user_data)
{
  App *app = user_data;

  /* A second signal does not wait for the goodbyes. */
  if (app->stopping)
    {
      g_main_loop_quit (app->loop);
      return G_SOURCE_CONTINUE;
    }

  app->stopping = TRUE;
  metered_dev_server_stop (app->server, SHUTDOWN_RETRY_AFTER_MS);
  return G_SOURCE_CONTINUE;
}

static void
on_stopped (MeteredDevServer *server,
            gpointer          user_data)
{
  App *app = user_data;

  g_main_loop_quit (app->loop);
}

/* Many connections need many descriptors: take what the hard limit allows. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

int
metered_dev_main (const char  *prgname,
                  int          argc,
                  char       **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *tls_certificate_path = NULL;
  g_autofree char *tls_key_path = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(MeteredDevConfig) config = NULL;
  g_autoptr(MeteredDevHooks) hooks = NULL;
  g_autoptr(GTlsCertificate) tls_certificate = NULL;
  g_autoptr(GError) error = NULL;
  gboolean demo = FALSE;
  gboolean test_hooks = FALSE;
  int port = 8787;
  guint sigint_source;
  guint sigterm_source;
  App app = { 0 };
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Address to listen on (default 127.0.0.1)", "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on, 0 for any free port (default 8787)", "PORT" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "JSON configuration: keys, limits, account state", "FILE" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, "Run simulated peers (sensors, chat bots, an echo peer)", NULL },
    { "test-hooks", 0, 0, G_OPTION_ARG_NONE, &test_hooks, "Read test hook commands, one JSON object per line, from stdin", NULL },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &tls_certificate_path, "Serve wss:// with this PEM certificate (chain)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key_path, "The PEM private key of --tls-certificate", "FILE" },
    { NULL }
  };

  /* stdout carries the listening line and hook answers only; GLib would
   * print info and debug messages there. */
  g_log_writer_default_set_use_stderr (TRUE);
  /* A test driver that goes away must not kill us through a pipe. */
  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "A local server speaking the Metered Realtime Messaging protocol.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", prgname, error->message);
      return EXIT_USAGE;
    }

  if (argc > 1)
    {
      g_printerr ("%s: unexpected argument: %s\n", prgname, argv[1]);
      return EXIT_USAGE;
    }

  if (host == NULL)
    host = g_strdup ("127.0.0.1");

  if (port < 0 || port > G_MAXUINT16)
    {
      g_printerr ("%s: --port must be from 0 to 65535\n", prgname);
      return EXIT_USAGE;
    }

  if (config_path != NULL)
    {
      config = metered_dev_config_new_from_file (config_path, &error);
      if (config == NULL)
        {
          g_printerr ("%s: %s: %s\n", prgname, config_path, error->message);
          return EXIT_USAGE;
        }
    }

  /* The options win over the configuration file's `tls`. */
  if (tls_certificate_path == NULL && tls_key_path == NULL && config != NULL &&
      metered_dev_config_get_tls_certificate_file (config) != NULL)
    {
      tls_certificate_path = g_strdup (metered_dev_config_get_tls_certificate_file (config));
      tls_key_path = g_strdup (metered_dev_config_get_tls_key_file (config));
    }

  if ((tls_certificate_path == NULL) != (tls_key_path == NULL))
    {
      g_printerr ("%s: --tls-certificate and --tls-key go together\n", prgname);
      return EXIT_USAGE;
    }

  if (tls_certificate_path != NULL)
    {
      tls_certificate = g_tls_certificate_new_from_files (tls_certificate_path, tls_key_path, &error);
      if (tls_certificate == NULL)
        {
          g_printerr ("%s: cannot load the TLS certificate: %s\n", prgname, error->message);
          return EXIT_USAGE;
        }
    }

  raise_file_limit ();

  app.loop = g_main_loop_new (NULL, FALSE);
  app.server = metered_dev_server_new (config);
  metered_dev_server_set_tls_certificate (app.server, tls_certificate);
  g_signal_connect (app.server, "stopped", G_CALLBACK (on_stopped), &app);

  if (!metered_dev_server_listen (app.server, host, port, &error))
    {
      g_printerr ("%s: cannot listen on %s:%d: %s\n", prgname, host, port, error->message);
      g_clear_object (&app.server);
      g_main_loop_unref (app.loop);
      return EXIT_FAILURE;
    }

  /* Before the listening line: whoever reads it may signal us at once. */
  sigint_source = g_unix_signal_add (SIGINT, on_signal, &app);
  sigterm_source = g_unix_signal_add (SIGTERM, on_signal, &app);

  url = metered_dev_server_dup_url (app.server);
  printf ("metered-devserver listening on %s\n", url);
  fflush (stdout);

  if (config_path == NULL)
    {
      /* Printed, not logged: these are the well-known development keys,
       * shown so a user can copy them. */
      g_printerr ("Built-in development keys (any channel, every action):\n"
                  "  publishable key: pk_live_dev\n"
                  "  secret key:      sk_id_dev / sk_secret_dev\n");
    }

  if (demo)
    metered_dev_server_set_demo (app.server, TRUE);

  if (test_hooks)
    {
      g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GOutputStream) output = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      hooks = metered_dev_hooks_new (app.server, input, output);
    }

  g_main_loop_run (app.loop);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  g_clear_object (&hooks);
  g_clear_object (&app.server);
  g_main_loop_unref (app.loop);

  return EXIT_SUCCESS;
}
