/* test-readme-example.c: runs the README example against the local server
 *
 * The example publishes a greeting and exits after printing the first
 * message it receives; this test answers its greeting from a second peer.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-client"

#include <string.h>

#include "client-test-util.h"

static const char *example_path;

static void
answer_greeting (MeteredClient       *client,
                 MeteredMessageEvent *event,
                 gpointer             data)
{
  if (strstr (metered_message_event_get_data_text (event), "hello from C") != NULL)
    metered_client_publish_text_async (client, "demo/chat", "{\"text\":\"hello from the test\"}",
                                       NULL, NULL, NULL);
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  gboolean *done = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static void
test_readme_example (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) responder = test_client_new (server, NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) example = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = test_server_url (server);
  GInputStream *stdout_pipe;
  gboolean done = FALSE;
  char buffer[4096];
  gsize n_read = 0;

  test_connect_ok (responder);
  g_assert_true (test_subscribe (responder, "demo/chat", 0, &error));
  g_assert_no_error (error);
  g_signal_connect (responder, "message", G_CALLBACK (answer_greeting), NULL);

  g_subprocess_launcher_setenv (launcher, "METERED_API_KEY", TEST_API_KEY, TRUE);
  example = g_subprocess_launcher_spawn (launcher, &error, example_path, url, NULL);
  g_assert_no_error (error);

  g_subprocess_wait_async (example, NULL, on_exited, &done);
  test_wait_for (done, 20);

  stdout_pipe = g_subprocess_get_stdout_pipe (example);
  g_input_stream_read_all (stdout_pipe, buffer, sizeof buffer - 1, &n_read, NULL, &error);
  g_assert_no_error (error);
  buffer[n_read] = '\0';
  g_test_message ("example printed: %s", buffer);

  g_assert_true (g_subprocess_get_if_exited (example));
  g_assert_cmpint (g_subprocess_get_exit_status (example), ==, 0);
  g_assert_true (g_str_has_prefix (buffer, "connected as "));
  g_assert_nonnull (strstr (buffer, " says {\"text\":\"hello from the test\"}\n"));

  test_close (responder, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_assert_cmpint (argc, ==, 2);
  example_path = argv[1];

  g_test_add_func ("/client/readme-example", test_readme_example);

  return g_test_run ();
}
