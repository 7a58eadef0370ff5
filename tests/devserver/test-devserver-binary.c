/* test-devserver-binary.c: the metered-devserver program
 *
 * Runs the built binary (its path is the first argument): the listening
 * line, SIGTERM and SIGINT shutdown, --test-hooks on stdin, --demo, exit
 * codes for bad arguments and configurations, and logs free of secrets.
 *
 * SPDX-License-Identifier: MIT
 */

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "devserver-test-util.h"

static const char *binary_path;

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *err;        /* a copy of everything on stderr */
  guint             port;
  gboolean          exited;
} Server;

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

static gboolean
line_done (gpointer data)
{
  return ((LineRead *)data)->done;
}

/* The next stdout line (asserted within the timeout). */
static char *
server_read_line (Server *server)
{
  LineRead read = { NULL, FALSE };

  g_data_input_stream_read_line_async (server->out, G_PRIORITY_DEFAULT, NULL, on_line, &read);
  g_assert_true (test_wait_until (line_done, &read, TEST_TIMEOUT_MS));
  g_assert_nonnull (read.line);

  return read.line;
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Server *server = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  server->exited = TRUE;
}

static gboolean
exited (gpointer data)
{
  return ((Server *)data)->exited;
}

/* A failed assertion aborts this process without freeing the Server: the
 * kernel then kills the child, which would otherwise keep running (and keep
 * the test's output pipes open). Runs in the child between fork and exec. */
static void
die_with_parent (gpointer data)
{
  pid_t parent = GPOINTER_TO_INT (data);

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid () != parent)
    _exit (127);
}

static Server *
server_spawn (const char * const *args,
              const char         *messages_debug)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Server *server = g_new0 (Server, 1);

  g_ptr_array_add (argv, (char *)binary_path);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (messages_debug != NULL)
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", messages_debug, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, GINT_TO_POINTER (getpid ()), NULL);

  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  server->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));

  /* Drain stderr as it comes, so a chatty child never blocks on it. */
  server->err = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (server->err, g_subprocess_get_stderr_pipe (server->process),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT,
                                NULL, NULL, NULL);

  g_subprocess_wait_async (server->process, NULL, on_exited, server);

  return server;
}

/* Spawns, reads the listening line and checks its exact shape. */
static Server *
server_start (const char * const *args,
              const char         *messages_debug)
{
  Server *server = server_spawn (args, messages_debug);
  g_autofree char *line = server_read_line (server);
  static const char prefix[] = "metered-devserver listening on ws://127.0.0.1:";
  guint64 port = 0;

  g_assert_true (g_str_has_prefix (line, prefix));
  g_assert_true (g_ascii_string_to_unsigned (line + strlen (prefix), 10, 1, 65535, &port, NULL));
  server->port = port;

  return server;
}

/* Waits for the exit and returns the exit status (asserted normal). */
static int
server_wait (Server *server)
{
  g_assert_true (test_wait_until (exited, server, test_scale_ms (10000)));
  g_assert_true (g_subprocess_get_if_exited (server->process));

  return g_subprocess_get_exit_status (server->process);
}

static char *
server_dup_stderr (Server *server)
{
  test_spin (50);
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (server->err)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (server->err)));
}

static void
server_free (Server *server)
{
  if (!server->exited)
    {
      g_subprocess_force_exit (server->process);
      test_wait_until (exited, server, TEST_TIMEOUT_MS);
    }

  g_clear_object (&server->out);
  g_clear_object (&server->err);
  g_clear_object (&server->process);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static void
server_write_line (Server     *server,
                   const char *line)
{
  GOutputStream *in = g_subprocess_get_stdin_pipe (server->process);
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (in, line, strlen (line), NULL, NULL, &error);
  g_output_stream_write_all (in, "\n", 1, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_sigterm (void)
{
  const char * const args[] = { "--port", "0", NULL };
  g_autoptr(Server) server = server_start (args, NULL);
  g_autofree char *err = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_cmpint (server_wait (server), ==, 0);

  /* Without --config, the development keys are shown for copying. */
  err = server_dup_stderr (server);
  g_assert_nonnull (strstr (err, "pk_live_dev"));
  g_assert_nonnull (strstr (err, "sk_id_dev / sk_secret_dev"));
}

static void
test_sigint_with_clients (void)
{
  const char * const args[] = { "--port", "0", NULL };
  g_autoptr(Server) server = server_start (args, NULL);
  g_autoptr(TestClient) client = test_client_connect_port (server->port, "key=pk_live_dev");
  g_autoptr(JsonObject) going_away = NULL;

  g_subprocess_send_signal (server->process, SIGINT);
  going_away = test_client_expect (client, "going_away");
  g_assert_cmpint (json_object_get_int_member (going_away, "retryAfterMs"), >, 0);
  g_assert_cmpuint (test_client_wait_closed (client), ==, 1001);
  g_assert_cmpint (server_wait (server), ==, 0);
}

static void
test_hooks_on_stdin (void)
{
  const char * const args[] = { "--port", "0", "--test-hooks", NULL };
  g_autoptr(Server) server = server_start (args, NULL);
  g_autoptr(TestClient) client = NULL;
  g_autofree char *line = NULL;
  g_autofree char *close_line = NULL;

  server_write_line (server, "{\"hook\":\"connections\"}");
  line = server_read_line (server);
  g_assert_cmpstr (line, ==, "{\"hook\":\"connections\",\"affected\":0,\"connections\":[]}");
  g_clear_pointer (&line, g_free);

  server_write_line (server, "this is not json");
  line = server_read_line (server);
  g_assert_true (g_str_has_prefix (line, "{\"hook\":null,\"error\":"));
  g_clear_pointer (&line, g_free);

  client = test_client_connect_port (server->port, "key=pk_live_dev");
  json_object_unref (test_client_subscribe (client, "room", FALSE));

  server_write_line (server, "{\"hook\":\"connections\"}");
  line = server_read_line (server);
  g_assert_nonnull (strstr (line, client->peer_id));
  g_assert_nonnull (strstr (line, "\"channels\":[\"room\"]"));
  g_clear_pointer (&line, g_free);

  close_line = g_strdup_printf ("{\"hook\":\"close\",\"peerId\":\"%s\",\"code\":4011,\"reason\":\"r\"}", client->peer_id);
  server_write_line (server, close_line);
  line = server_read_line (server);
  g_assert_cmpstr (line, ==, "{\"hook\":\"close\",\"affected\":1}");
  g_assert_cmpuint (test_client_wait_closed (client), ==, 4011);

  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_cmpint (server_wait (server), ==, 0);
}

static void
test_demo (void)
{
  const char * const args[] = { "--port", "0", "--demo", NULL };
  g_autoptr(Server) server = server_start (args, NULL);
  g_autoptr(TestClient) client = test_client_connect_port (server->port, "key=pk_live_dev");
  g_autoptr(JsonObject) direct = NULL;

  test_client_send (client, "{\"type\":\"send\",\"to\":\"echo\",\"data\":\"hello\",\"requestId\":\"e\"}");
  json_object_unref (test_client_expect (client, "ack"));
  direct = test_client_expect (client, "direct");
  g_assert_cmpstr (json_object_get_string_member (direct, "from"), ==, "echo");
  g_assert_cmpstr (json_object_get_string_member (direct, "data"), ==, "hello");

  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_cmpint (server_wait (server), ==, 0);
}

static char *
write_config (const char *json)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("devserver-binary-XXXXXX.json", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);

  return path;
}

/* Runs to completion and returns the exit status and stderr. */
static int
run_to_exit (const char * const  *args,
             char               **err)
{
  g_autoptr(Server) server = server_spawn (args, NULL);
  int status = server_wait (server);

  *err = server_dup_stderr (server);
  return status;
}

static void
test_bad_arguments (void)
{
  g_autofree char *bad = write_config ("{\"limits\":{\"messageBurst\":\"many\"}}");
  g_autofree char *unknown = write_config ("{\"secretKeys\":[{\"id\":\"a\",\"secret\":\"shh-do-not-tell\",\"colour\":1}]}");
  const char * const bad_config[] = { "--port", "0", "--config", bad, NULL };
  const char * const unknown_field[] = { "--port", "0", "--config", unknown, NULL };
  const char * const missing[] = { "--port", "0", "--config", "/nonexistent/config.json", NULL };
  const char * const bad_port[] = { "--port", "70000", NULL };
  const char * const bad_option[] = { "--frobnicate", NULL };
  const char * const stray[] = { "--port", "0", "extra", NULL };
  char *err = NULL;

  g_assert_cmpint (run_to_exit (bad_config, &err), ==, 2);
  g_assert_nonnull (strstr (err, "limits.messageBurst"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_to_exit (unknown_field, &err), ==, 2);
  g_assert_nonnull (strstr (err, "secretKeys[0].colour"));
  g_assert_null (strstr (err, "shh-do-not-tell"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_to_exit (missing, &err), ==, 2);
  g_assert_nonnull (strstr (err, "/nonexistent/config.json"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_to_exit (bad_port, &err), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_to_exit (bad_option, &err), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_to_exit (stray, &err), ==, 2);
  g_clear_pointer (&err, g_free);

  g_unlink (bad);
  g_unlink (unknown);
}

/* Every kind of traffic with every log domain on: no key, secret or token
 * may show up in the logs. */
static void
test_logs_keep_secrets (void)
{
  g_autofree char *path = write_config (
    "{\"publishableKeys\":[{\"key\":\"pk_live_Zq9SecretPublishable\"}],"
    " \"secretKeys\":[{\"id\":\"sk_id_visible\",\"secret\":\"sk_secret_Zq9Hidden\"}]}");
  const char * const args[] = { "--port", "0", "--config", path, NULL };
  g_autoptr(Server) server = server_start (args, "all");
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"alice\",\"exp\":%" G_GINT64_FORMAT "}",
                                             g_get_real_time () / G_USEC_PER_SEC + 600);
  g_autofree char *token = test_make_token ("sk_id_visible", "sk_secret_Zq9Hidden", claims);
  g_autofree char *token_query = test_token_query (token);
  g_autofree char *bad_token = test_make_token ("sk_id_visible", "wrong", claims);
  g_autofree char *bad_token_query = test_token_query (bad_token);
  g_autoptr(TestClient) pk = test_client_connect_port (server->port, "key=pk_live_Zq9SecretPublishable");
  g_autoptr(TestClient) jwt = test_client_connect_port (server->port, token_query);
  g_autoptr(TestClient) refused = test_client_open_port (server->port, bad_token_query);
  g_autoptr(TestClient) unknown = test_client_open_port (server->port, "key=pk_live_Zq9UnknownKey");
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) minted = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"peerId\":\"bob\"}", 16);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/v1/tokens", server->port);
  g_autofree char *err = NULL;
  g_autofree char *minted_text = NULL;

  test_client_wait_closed (refused);
  test_client_wait_closed (unknown);
  json_object_unref (test_client_subscribe (pk, "room", FALSE));
  test_client_send (jwt, "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1,\"requestId\":\"p\"}");
  json_object_unref (test_client_expect (jwt, "ack"));

  msg = soup_message_new ("POST", url);
  soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization",
                               "Bearer sk_id_visible:sk_secret_Zq9Hidden");
  /* The message takes its own reference to the body. */
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  minted = soup_session_send_and_read (session, msg, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  minted_text = g_strndup (g_bytes_get_data (minted, NULL), g_bytes_get_size (minted));

  g_clear_pointer (&pk, test_client_free);
  g_clear_pointer (&jwt, test_client_free);
  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_cmpint (server_wait (server), ==, 0);

  err = server_dup_stderr (server);
  g_assert_nonnull (strstr (err, "sk_id_visible"));   /* ids are fine */
  g_assert_null (strstr (err, "Zq9SecretPublishable"));
  g_assert_null (strstr (err, "Zq9UnknownKey"));
  g_assert_null (strstr (err, "sk_secret_Zq9Hidden"));
  g_assert_null (strstr (err, token));
  g_assert_null (strstr (err, strrchr (token, '.') + 1));   /* not even the signature */
  g_assert_null (strstr (err, strrchr (bad_token, '.') + 1));
  g_assert_null (strstr (err, "sk_secret_dev"));           /* no dev keys with --config */
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (argc < 2)
    g_error ("usage: %s PATH-TO-metered-devserver", argv[0]);
  binary_path = argv[1];

  g_test_add_func ("/devserver/binary/sigterm", test_sigterm);
  g_test_add_func ("/devserver/binary/sigint-with-clients", test_sigint_with_clients);
  g_test_add_func ("/devserver/binary/hooks-on-stdin", test_hooks_on_stdin);
  g_test_add_func ("/devserver/binary/demo", test_demo);
  g_test_add_func ("/devserver/binary/bad-arguments", test_bad_arguments);
  g_test_add_func ("/devserver/binary/logs-keep-secrets", test_logs_keep_secrets);

  return g_test_run ();
}
