/* test-reliability-audit.c: delivery audit under load
 *
 * 100 publishers and 100 subscribers on 10 channels (10 of each per
 * channel), each client a real connection to the metered-devserver binary,
 * spread over four worker processes (reliability-audit-worker). Payloads
 * carry the publisher's index and a sequence number; each subscriber
 * checks that it gets every message of every publisher on its channel
 * exactly once and in order, and every worker counts dropped connections:
 * there must be none, and nothing lost, duplicated or reordered.
 *
 * METERED_AUDIT_MESSAGES sets the number of messages published in all
 * (default 10000; the full audit is 1000000, each delivered to 10
 * subscribers). The figures (time, rates, server memory) go to the test
 * log.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-reliability"

#include <string.h>

#include <glib/gstdio.h>

#include "reliability-util.h"

#define PUBLISHERS         100
#define SUBSCRIBERS        100
#define CHANNELS           10
#define WORKERS_PER_ROLE   2

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  gboolean          exited;
} Worker;

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

static char *
worker_read_line (Worker *worker,
                  double  seconds)
{
  LineRead read = { NULL, FALSE };

  g_data_input_stream_read_line_async (worker->out, G_PRIORITY_DEFAULT, NULL, on_line, &read);
  test_wait_for (read.done, seconds);
  g_assert_nonnull (read.line);

  return read.line;
}

static void
worker_write_line (Worker     *worker,
                   const char *line)
{
  GOutputStream *in = g_subprocess_get_stdin_pipe (worker->process);
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (in, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
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

static Worker *
worker_start (const char *role,
              const char *url,
              guint       first,
              guint       count,
              guint       per_publisher)
{
  g_autofree char *first_text = g_strdup_printf ("%u", first);
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  g_autofree char *channels_text = g_strdup_printf ("%u", CHANNELS);
  g_autofree char *publishers_text = g_strdup_printf ("%u", PUBLISHERS);
  g_autofree char *per_text = g_strdup_printf ("%u", per_publisher);
  const char * const argv[] = {
    AUDIT_WORKER_PATH, role, url, first_text, count_text, channels_text, publishers_text, per_text, NULL
  };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  Worker *worker = g_new0 (Worker, 1);

  /* stderr is inherited: a worker's complaints land in the test log. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, rel_child_setup, NULL, NULL);
  worker->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  worker->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (worker->process));
  g_subprocess_wait_async (worker->process, NULL, on_exited, &worker->exited);

  return worker;
}

/* Workers end by themselves after their result line. */
static void
worker_free (Worker *worker)
{
  test_wait_for (worker->exited, 60);
  g_assert_true (g_subprocess_get_if_exited (worker->process));
  g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 0);
  g_clear_object (&worker->out);
  g_clear_object (&worker->process);
  g_free (worker);
}

static gint64
member (JsonObject *object,
        const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return json_object_get_int_member (object, name);
}

static void
test_audit (void)
{
  guint total = rel_env_number ("METERED_AUDIT_MESSAGES", 10000);
  guint per_publisher = total / PUBLISHERS;
  /* About 20,000 deliveries a second on a loaded 2-core machine, and a
   * generous margin on top. */
  double budget = 60 + (double) per_publisher * PUBLISHERS * (SUBSCRIBERS / CHANNELS) / 5000.0;
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  g_autoptr(RelServer) server = NULL;
  g_autoptr(GError) error = NULL;
  Worker *subscribers[WORKERS_PER_ROLE];
  Worker *publishers[WORKERS_PER_ROLE];
  const char *args[3];
  guint64 published = 0, acked = 0, received = 0, expected = 0;
  gsize server_peak = 0;
  gint64 go;
  double seconds;

  g_assert_cmpuint (per_publisher, >, 0);

  /* No per-connection rate limit: the publishers go as fast as acks come. */
  dir = g_dir_make_tmp ("metered-audit-XXXXXX", &error);
  g_assert_no_error (error);
  config = g_build_filename (dir, "config.json", NULL);
  g_file_set_contents (config, "{\"limits\":{\"messageRatePerSecond\":0,\"messageBurst\":0}}", -1, &error);
  g_assert_no_error (error);
  args[0] = "--config";
  args[1] = config;
  args[2] = NULL;
  server = rel_server_start (args, NULL);

  for (guint i = 0; i < WORKERS_PER_ROLE; i++)
    {
      guint count = SUBSCRIBERS / WORKERS_PER_ROLE;

      subscribers[i] = worker_start ("sub", server->url, i * count, count, per_publisher);
    }
  for (guint i = 0; i < WORKERS_PER_ROLE; i++)
    {
      g_autofree char *line = worker_read_line (subscribers[i], 60);

      g_assert_cmpstr (line, ==, "ready");
    }
  for (guint i = 0; i < WORKERS_PER_ROLE; i++)
    {
      guint count = PUBLISHERS / WORKERS_PER_ROLE;

      publishers[i] = worker_start ("pub", server->url, i * count, count, per_publisher);
    }
  for (guint i = 0; i < WORKERS_PER_ROLE; i++)
    {
      g_autofree char *line = worker_read_line (publishers[i], 60);

      g_assert_cmpstr (line, ==, "ready");
    }
  g_assert_cmpuint (rel_server_hook_affected (server, "{\"hook\":\"connections\"}"), ==, PUBLISHERS + SUBSCRIBERS);

  go = g_get_monotonic_time ();
  for (guint i = 0; i < WORKERS_PER_ROLE; i++)
    worker_write_line (publishers[i], "go");

  for (guint i = 0; i < WORKERS_PER_ROLE; i++)
    {
      g_autofree char *line = worker_read_line (publishers[i], budget);
      g_autoptr(JsonNode) node = json_from_string (line, NULL);
      JsonObject *result = json_node_get_object (node);

      g_test_message ("publisher worker %u: %s", i, line);
      published += member (result, "published");
      acked += member (result, "acked");
      g_assert_cmpint (member (result, "failed"), ==, 0);
      g_assert_cmpint (member (result, "drops"), ==, 0);
      server_peak = MAX (server_peak, rel_rss_kib (rel_server_get_pid (server)));
    }

  for (guint i = 0; i < WORKERS_PER_ROLE; i++)
    {
      g_autofree char *line = worker_read_line (subscribers[i], budget);
      g_autoptr(JsonNode) node = json_from_string (line, NULL);
      JsonObject *result = json_node_get_object (node);

      g_test_message ("subscriber worker %u: %s", i, line);
      received += member (result, "received");
      expected += member (result, "expected");
      g_assert_cmpint (member (result, "lost"), ==, 0);
      g_assert_cmpint (member (result, "duplicated"), ==, 0);
      g_assert_cmpint (member (result, "reordered"), ==, 0);
      g_assert_cmpint (member (result, "misrouted"), ==, 0);
      g_assert_cmpint (member (result, "drops"), ==, 0);
    }
  seconds = (double) (g_get_monotonic_time () - go) / G_USEC_PER_SEC;

  g_assert_cmpuint (published, ==, (guint64) per_publisher * PUBLISHERS);
  g_assert_cmpuint (acked, ==, published);
  g_assert_cmpuint (expected, ==, published * (SUBSCRIBERS / CHANNELS));
  g_assert_cmpuint (received, ==, expected);

  g_test_message ("audit: %" G_GUINT64_FORMAT " messages published, %" G_GUINT64_FORMAT
                  " delivered, in %.1f s: %.0f publishes/s, %.0f deliveries/s; "
                  "server RSS %" G_GSIZE_FORMAT " KiB; 0 lost, 0 duplicated, 0 reordered, 0 drops",
                  published, received, seconds, published / seconds, received / seconds, server_peak);

  for (guint i = 0; i < WORKERS_PER_ROLE; i++)
    {
      worker_free (publishers[i]);
      worker_free (subscribers[i]);
    }

  g_unlink (config);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  rel_init (&argc, &argv);

  g_test_add_func ("/reliability/audit/100x100", test_audit);

  return g_test_run ();
}
