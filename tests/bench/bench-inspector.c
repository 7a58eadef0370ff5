/* bench-inspector.c: the inspector's window under a message flood
 *
 * Opens a real InspectorWindow (on a display: Xvfb in CI) subscribed to a
 * channel of an in-process metered-devserver, which runs on its own thread
 * and floods the channel with ~200-byte JSON payloads at the given rate
 * (metered_dev_server_start_flood). The log follows new rows (auto-scroll
 * on). Measured on the window's main thread:
 *
 *   delivered rate    messages in the log per second, and whether every
 *                     message sent arrived (nothing dropped below the cap)
 *   max stall         the longest main loop iteration, seen by a 2 ms
 *                     heartbeat at default priority
 *   longest iteration each iteration timed directly, less the time it
 *                     slept in poll(), and the main thread's CPU time in it:
 *                     on a machine shared with other work the wall clock
 *                     also counts the time others ran. The iterations over
 *                     50 ms are listed with their CLOCK_MONOTONIC start, to
 *                     cut a `perf record -k CLOCK_MONOTONIC` profile to them
 *   frame rate        paints per second (GdkFrameClock::after-paint) and
 *                     the longest gap between two paints
 *   RSS per message   resident memory growth over retained rows, after the
 *                     flood and again with the log filled to --retained rows
 *   filter time       a search over all retained rows, from the keystroke
 *                     to the answer, and the longest stall meanwhile
 *
 * --retention N caps the log at N rows during the flood, to reach the cap
 * in seconds; --retained 0 leaves out the memory and search figures.
 *
 * Usage: bench-inspector [--quick] [--rate N] [--seconds S] [--retained N] [--retention N]
 *                        [--json FILE] [--devserver PATH (ignored)]
 * The last line of stdout is one JSON object (see /tmp contract in
 * tests/bench/run-bench.py). Asserts nothing about speed; exits 77 without
 * a display.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "bench-inspector"

#include <malloc.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <adwaita.h>

#include "metered-dev-server.h"

#include "inspector-application.h"
#include "inspector-log-store-private.h"
#include "inspector-window.h"

#define CHANNEL       "bench/flood"
#define PAYLOAD_SIZE  200
#define API_KEY       "pk_live_dev"
#define HEARTBEAT_MS  2
#define DRAIN_SECONDS 30
/* The target: no main loop iteration longer than this. */
#define LONG_ITERATION_US (50 * 1000)

/* The server thread. */

typedef struct {
  GThread          *thread;
  GMainContext     *context;
  GMainLoop        *loop;
  MeteredDevServer *server;
  char             *url;
  GMutex            mutex;
  GCond             cond;
  gboolean          ready;
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *server = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (server->context);

  server->server = metered_dev_server_new (NULL);
  if (!metered_dev_server_listen (server->server, "127.0.0.1", 0, &error))
    g_error ("the devserver could not listen: %s", error->message);

  g_mutex_lock (&server->mutex);
  server->url = metered_dev_server_dup_url (server->server);
  server->ready = TRUE;
  g_cond_signal (&server->cond);
  g_mutex_unlock (&server->mutex);

  g_main_loop_run (server->loop);

  g_clear_object (&server->server);
  g_main_context_pop_thread_default (server->context);

  return NULL;
}

static void
server_start (Server *server)
{
  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("devserver", server_thread, server);

  g_mutex_lock (&server->mutex);
  while (!server->ready)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);
}

/* Runs @func on the server thread and waits for it. */
typedef struct {
  Server     *server;
  GSourceFunc func;
  gpointer    data;
  gboolean    done;
} Call;

static gboolean
run_call (gpointer user_data)
{
  Call *call = user_data;

  call->func (call->data);

  g_mutex_lock (&call->server->mutex);
  call->done = TRUE;
  g_cond_broadcast (&call->server->cond);
  g_mutex_unlock (&call->server->mutex);

  return G_SOURCE_REMOVE;
}

static void
server_call (Server      *server,
             GSourceFunc  func,
             gpointer     data)
{
  Call call = { server, func, data, FALSE };

  g_main_context_invoke (server->context, run_call, &call);

  g_mutex_lock (&server->mutex);
  while (!call.done)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);
}

typedef struct {
  Server  *server;
  guint    rate;
  guint64  count;
  guint    id;
  guint64  sent;
  gboolean finished;
} Flood;

static gboolean
flood_start (gpointer data)
{
  Flood *flood = data;

  flood->id = metered_dev_server_start_flood (flood->server->server, CHANNEL, flood->rate, flood->count, PAYLOAD_SIZE);

  return G_SOURCE_REMOVE;
}

static gboolean
flood_poll (gpointer data)
{
  Flood *flood = data;

  metered_dev_server_get_flood_sent (flood->server->server, flood->id, &flood->sent, &flood->finished);

  return G_SOURCE_REMOVE;
}

static gboolean
flood_stop (gpointer data)
{
  Flood *flood = data;

  metered_dev_server_stop_flood (flood->server->server, flood->id);

  return G_SOURCE_REMOVE;
}

static gboolean
server_quit (gpointer data)
{
  Server *server = data;

  g_main_loop_quit (server->loop);

  return G_SOURCE_REMOVE;
}

static void
server_stop (Server *server)
{
  g_main_context_invoke (server->context, server_quit, server);
  g_thread_join (server->thread);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_free (server->url);
}

/* Measuring the main thread. */

typedef struct {
  gint64  start;         /* monotonic µs */
  gint64  work;          /* µs */
  gint64  cpu;           /* µs the thread ran */
} LongIteration;

typedef struct {
  gint64  last_beat;
  gint64  max_stall;      /* µs, of the main loop */
  gint64  last_paint;
  gint64  max_paint_gap;  /* µs */
  guint   n_paints;
  gint64  max_work;       /* µs, of one iteration less its poll */
  gint64  max_cpu;        /* µs the main thread ran in one iteration */
  GArray *long_iterations; /* LongIteration */
} Probe;

static Probe probe;

/* Time spent waiting in poll() during the current iteration. */
static GPollFunc default_poll;
static gint64 poll_time;

static gint
timed_poll (GPollFD *fds,
            guint    nfds,
            gint     timeout)
{
  gint64 start = g_get_monotonic_time ();
  gint result = default_poll (fds, nfds, timeout);

  poll_time += g_get_monotonic_time () - start;

  return result;
}

/* One main loop iteration, timed: what it did, less what it slept. */
/* The main thread's CPU time: on a machine shared with other work, the
 * wall-clock length of an iteration also counts the time others ran. */
static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);

  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
iterate (gboolean may_block)
{
  gint64 start = g_get_monotonic_time ();
  gint64 start_cpu = thread_cpu_time ();
  gint64 work;
  gint64 cpu;

  poll_time = 0;
  g_main_context_iteration (NULL, may_block);
  work = g_get_monotonic_time () - start - poll_time;
  cpu = thread_cpu_time () - start_cpu;

  probe.max_work = MAX (probe.max_work, work);
  probe.max_cpu = MAX (probe.max_cpu, cpu);
  if (work > LONG_ITERATION_US)
    {
      LongIteration long_iteration = { start, work, cpu };

      g_array_append_val (probe.long_iterations, long_iteration);
    }
}

static gboolean
on_heartbeat (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (probe.last_beat != 0)
    probe.max_stall = MAX (probe.max_stall, now - probe.last_beat - HEARTBEAT_MS * 1000);
  probe.last_beat = now;

  return G_SOURCE_CONTINUE;
}

static void
on_after_paint (GdkFrameClock *clock)
{
  gint64 now = g_get_monotonic_time ();

  if (probe.last_paint != 0)
    probe.max_paint_gap = MAX (probe.max_paint_gap, now - probe.last_paint);
  probe.last_paint = now;
  probe.n_paints++;
}

static void
probe_reset (void)
{
  probe.max_stall = 0;
  probe.max_paint_gap = 0;
  probe.n_paints = 0;
  probe.max_work = 0;
  probe.max_cpu = 0;
  g_array_set_size (probe.long_iterations, 0);
  probe.last_beat = g_get_monotonic_time ();
  probe.last_paint = g_get_monotonic_time ();
}

static gint64
rss_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0;
  unsigned long resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return -1;

  return (gint64) resident * sysconf (_SC_PAGESIZE);
}

static gint64
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return -1;

  return g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10);
}

/* The other processes the figures shared the cores with. */
static char *
read_load_average (void)
{
  g_autofree char *loadavg = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    return g_strdup ("unknown");

  fields = g_strsplit (g_strstrip (loadavg), " ", 4);
  if (g_strv_length (fields) < 3)
    return g_strdup ("unknown");

  return g_strjoin (" ", fields[0], fields[1], fields[2], NULL);
}

static void
iterate_for (gint64 us)
{
  gint64 until = g_get_monotonic_time () + us;

  while (g_get_monotonic_time () < until)
    iterate (TRUE);
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Fills @store to @retained rows shaped like the flood's, without the
 * network: the memory a long session reaches. */
static void
fill_store (InspectorLogStore *store,
            guint64            retained,
            guint64            from_seq)
{
  g_autofree char *pad = g_strnfill (PAYLOAD_SIZE - 40, 'x');
  guint64 have = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint64 i = have; i < retained; i++)
    {
      char frame[512];
      const char *payload;

      g_snprintf (frame, sizeof frame,
                  "{\"type\":\"message\",\"channel\":\"" CHANNEL "\",\"from\":\"flood\",\"data\":"
                  "{\"seq\":%" G_GUINT64_FORMAT ",\"sentUs\":%" G_GINT64_FORMAT ",\"pad\":\"%s\"}}",
                  from_seq + i, g_get_real_time (), pad);
      payload = strstr (frame, "{\"seq\"");
      inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, CHANNEL, "flood",
                                  payload, strlen (payload) - 1, NULL, NULL, frame);

      /* Keep the window alive while filling. */
      if (i % 50000 == 0)
        {
          inspector_log_store_flush (store);
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
    }

  inspector_log_store_flush (store);
}

/* Where the iterations over the target were, in CLOCK_MONOTONIC
 * microseconds (as `perf record -k CLOCK_MONOTONIC` stamps samples), so a
 * profile can be cut to them. */
static void
print_long_iterations (const char *what,
                       gint64      origin)
{
  g_print ("%s: longest iteration %.1f ms (%.1f ms of CPU at most); %u over %d ms\n",
           what, probe.max_work / 1000.0, probe.max_cpu / 1000.0, probe.long_iterations->len, LONG_ITERATION_US / 1000);

  for (guint i = 0; i < probe.long_iterations->len && i < 20; i++)
    {
      LongIteration *long_iteration = &g_array_index (probe.long_iterations, LongIteration, i);

      g_print ("    at t=%.3f s (monotonic %.6f): %.1f ms, %.1f ms of CPU\n",
               (long_iteration->start - origin) / (double) G_USEC_PER_SEC,
               long_iteration->start / (double) G_USEC_PER_SEC, long_iteration->work / 1000.0,
               long_iteration->cpu / 1000.0);
    }
}

typedef struct {
  double search_ms;
  double model_ms;
  double stall_ms;
  double work_ms;
  double cpu_ms;
  guint  matches;
} SearchResult;

static SearchResult
time_search (InspectorLogView *view,
             const char       *search)
{
  InspectorLogFilterModel *model = inspector_log_view_get_filter_model (view);
  SearchResult result = { 0 };
  gint64 start;
  gint64 deadline;

  probe_reset ();
  start = g_get_monotonic_time ();
  /* The filter directly: the search entry waits for typing to pause. */
  inspector_log_filter_set_search (inspector_log_filter_model_get_filter (model), search);

  deadline = start + 30 * G_USEC_PER_SEC;
  while (inspector_log_filter_model_get_pending (model) && g_get_monotonic_time () < deadline)
    iterate (TRUE);

  result.search_ms = (g_get_monotonic_time () - start) / 1000.0;
  result.model_ms = inspector_log_filter_model_get_last_search_time (model) / 1000.0;
  iterate_for (200000);
  result.stall_ms = probe.max_stall / 1000.0;
  result.work_ms = probe.max_work / 1000.0;
  result.cpu_ms = probe.max_cpu / 1000.0;
  result.matches = g_list_model_get_n_items (G_LIST_MODEL (model));

  return result;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GTestDBus *bus;
  g_autoptr(InspectorApplication) application = NULL;
  g_autoptr(InspectorConnectOptions) options = NULL;
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *json_path = NULL;
  g_autofree char *devserver_path = NULL;
  g_autofree char *dbus_daemon = NULL;
  gboolean quick = FALSE;
  int rate = 50000;
  int seconds = 30;
  gint64 retained_target = 1000000;
  int retention = INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES;
  Server server = { 0 };
  Flood flood = { 0 };
  InspectorWindow *window;
  InspectorConnection *connection;
  InspectorLogStore *store;
  InspectorLogView *view;
  GdkFrameClock *clock;
  guint64 appended_before;
  guint64 delivered;
  gint64 rss_before;
  gint64 rss_after_flood;
  gint64 rss_full = 0;
  gint64 rss_empty = 0;
  gint64 rss_refilled = 0;
  gint64 flood_start_time;
  gint64 flood_end_time;
  gint64 deadline;
  gint64 last_report;
  guint64 last_appended;
  double seconds_taken;
  double delivered_rate;
  double fps;
  double flood_stall_ms;
  double flood_paint_gap_ms;
  double flood_work_ms;
  double flood_cpu_ms;
  guint n_long_iterations;
  g_autofree char *load_average = NULL;
  guint64 retained_after_flood;
  guint64 dropped_by_retention;
  SearchResult rare = { 0 };
  SearchResult common = { 0 };
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A few seconds, to prove the benchmark works", NULL },
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Messages per second (default 50000)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "How long to flood (default 30)", "S" },
    { "retained", 0, 0, G_OPTION_ARG_INT64, &retained_target, "Rows to fill the log to for the memory and search figures (default 1000000; 0: leave those out)", "N" },
    { "retention", 0, 0, G_OPTION_ARG_INT, &retention, "The log's retention cap in rows during the flood (default 1000000), to reach it sooner", "N" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "Also write the results to FILE", "FILE" },
    { "devserver", 0, 0, G_OPTION_ARG_FILENAME, &devserver_path, "Ignored: the server runs in-process", "PATH" },
    { NULL }
  };

  context = g_option_context_new ("- the inspector window under a message flood");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (quick)
    {
      rate = MIN (rate, 5000);
      seconds = MIN (seconds, 3);
      retained_target = MIN (retained_target, 50000);
    }
  rate = CLAMP (rate, 1, 10000000);
  seconds = CLAMP (seconds, 1, 3600);
  retained_target = CLAMP (retained_target, 0, INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES);
  retention = CLAMP (retention, 1, G_MAXINT);
  probe.long_iterations = g_array_new (FALSE, FALSE, sizeof (LongIteration));
  default_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, timed_poll);

  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  /* Xvfb has no GPU: GL would be llvmpipe, whose rasterizer threads take
   * the cores the measurement is about. Set GSK_RENDERER to override. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);

  if (!gtk_init_check ())
    {
      g_printerr ("bench-inspector: no display; run under xvfb-run\n");
      return 77;
    }

  if ((dbus_daemon = g_find_program_in_path ("dbus-daemon")) == NULL)
    {
      g_printerr ("bench-inspector: dbus-daemon is not installed\n");
      return 77;
    }
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);

  application = inspector_application_new (G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (application), NULL, &error))
    g_error ("could not register the application: %s", error->message);

  server_start (&server);

  options = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
  g_free (options->url);
  options->url = g_strdup (server.url);
  options->api_key = g_strdup (API_KEY);
  g_strfreev (options->subscribe);
  options->subscribe = g_strsplit (CHANNEL, ",", -1);

  window = inspector_window_new (GTK_APPLICATION (application), options);
  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  gtk_window_present (GTK_WINDOW (window));

  connection = inspector_window_get_connection (window);
  store = inspector_connection_get_log (connection);
  view = inspector_window_get_log_view (window);
  inspector_log_store_set_max_entries (store, (guint) retention);

  /* Connected and subscribed, and the window drawn. */
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while ((inspector_connection_find_channel (connection, CHANNEL) == NULL ||
          inspector_channel_get_state (inspector_connection_find_channel (connection, CHANNEL)) != INSPECTOR_CHANNEL_STATE_SUBSCRIBED) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (inspector_connection_get_state (connection) != METERED_CLIENT_STATE_CONNECTED)
    g_error ("the inspector did not connect to %s", server.url);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  g_timeout_add (HEARTBEAT_MS, on_heartbeat, NULL);
  /* So the loop never sleeps past a deadline of ours. */
  g_timeout_add (50, wake_up, NULL);
  iterate_for (500000);

  rss_before = rss_bytes ();
  appended_before = inspector_log_store_get_n_appended (store);

  /* The flood. */
  flood.server = &server;
  flood.rate = rate;
  flood.count = (guint64) rate * seconds;
  server_call (&server, flood_start, &flood);

  g_print ("renderer: %s\n", g_getenv ("GSK_RENDERER"));
  g_print ("flooding %s at %d msg/s for %d s (%" G_GUINT64_FORMAT " messages of %d bytes), retention %d rows\n",
           CHANNEL, rate, seconds, flood.count, PAYLOAD_SIZE, retention);

  probe_reset ();
  flood_start_time = g_get_monotonic_time ();
  last_report = flood_start_time;
  last_appended = appended_before;
  deadline = flood_start_time + (gint64) (seconds + DRAIN_SECONDS) * G_USEC_PER_SEC;

  for (;;)
    {
      gint64 now;

      iterate (TRUE);
      now = g_get_monotonic_time ();

      if (inspector_log_store_get_n_appended (store) - appended_before >= flood.count || now > deadline)
        break;

      if (now - last_report >= G_USEC_PER_SEC)
        {
          guint64 appended = inspector_log_store_get_n_appended (store);

          g_print ("  t=%4.1f s  %8.0f msg/s  stall so far %.1f ms  paints %u\n",
                   (now - flood_start_time) / (double) G_USEC_PER_SEC,
                   (appended - last_appended) * (double) G_USEC_PER_SEC / (now - last_report),
                   probe.max_stall / 1000.0, probe.n_paints);
          last_report = now;
          last_appended = appended;
        }
    }

  flood_end_time = g_get_monotonic_time ();
  flood_stall_ms = probe.max_stall / 1000.0;
  flood_paint_gap_ms = probe.max_paint_gap / 1000.0;
  flood_work_ms = probe.max_work / 1000.0;
  flood_cpu_ms = probe.max_cpu / 1000.0;
  n_long_iterations = probe.long_iterations->len;
  print_long_iterations ("flood", flood_start_time);
  seconds_taken = (flood_end_time - flood_start_time) / (double) G_USEC_PER_SEC;
  fps = probe.n_paints / seconds_taken;

  /* Let the last frame's rows in. */
  iterate_for (100000);
  server_call (&server, flood_poll, &flood);
  server_call (&server, flood_stop, &flood);

  delivered = inspector_log_store_get_n_appended (store) - appended_before;
  delivered_rate = delivered / seconds_taken;
  retained_after_flood = g_list_model_get_n_items (G_LIST_MODEL (store));
  dropped_by_retention = inspector_log_store_get_n_dropped (store);
  rss_after_flood = rss_bytes ();

  g_print ("delivered: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " sent in %.2f s = %.0f msg/s (target rate %d)\n",
           delivered, flood.sent, seconds_taken, delivered_rate, rate);
  g_print ("retained: %" G_GUINT64_FORMAT " rows, %" G_GUINT64_FORMAT " dropped by retention\n",
           retained_after_flood, dropped_by_retention);
  g_print ("max main-loop stall: %.1f ms (longest iteration %.1f ms); frames: %.1f/s, longest gap between frames %.1f ms\n",
           flood_stall_ms, flood_work_ms, fps, flood_paint_gap_ms);
  g_print ("RSS after the flood: %.1f MiB (+%.1f MiB, %.0f bytes per retained row)\n",
           rss_after_flood / 1048576.0, (rss_after_flood - rss_before) / 1048576.0,
           (double) (rss_after_flood - rss_before) / MAX (retained_after_flood, 1));

  /* A long session: the log full to the retained target, under the
   * default cap. */
  if (retained_target > 0)
    {
      inspector_log_store_set_max_entries (store, INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES);
      fill_store (store, retained_target, flood.count);
      iterate_for (300000);
      rss_full = rss_bytes ();
      g_print ("RSS with %" G_GINT64_FORMAT " rows retained: %.1f MiB (%.0f bytes per row over the empty window)\n",
               retained_target, rss_full / 1048576.0, (double) (rss_full - rss_before) / retained_target);

      /* Searching all of it, for the last message of the flood. */
      {
        g_autofree char *needle = g_strdup_printf ("\"seq\":%" G_GUINT64_FORMAT ",", flood.count - 1);

        rare = time_search (view, needle);
      }
      g_print ("search for one row over %" G_GINT64_FORMAT " rows: %.1f ms (%u match; the model %.1f ms), "
               "max stall %.1f ms, longest iteration %.1f ms (%.1f ms of CPU)\n",
               retained_target, rare.search_ms, rare.matches, rare.model_ms, rare.stall_ms, rare.work_ms, rare.cpu_ms);
      common = time_search (view, "pad");
      g_print ("search matching every row: %.1f ms (%u matches; the model %.1f ms), "
               "max stall %.1f ms, longest iteration %.1f ms (%.1f ms of CPU)\n",
               common.search_ms, common.matches, common.model_ms, common.stall_ms, common.work_ms, common.cpu_ms);
      inspector_log_filter_set_search (inspector_log_filter_model_get_filter (inspector_log_view_get_filter_model (view)), NULL);
      iterate_for (200000);

      /* The log's own cost, without what the flood left behind (socket
       * buffers of the in-process server, freed but unreturned memory): an
       * empty log filled again. */
      inspector_log_store_clear (store);
      iterate_for (200000);
      malloc_trim (0);
      rss_empty = rss_bytes ();
      fill_store (store, retained_target, 0);
      iterate_for (300000);
      rss_refilled = rss_bytes ();
      g_print ("RSS per row of an empty log filled to %" G_GINT64_FORMAT " rows: %.0f bytes\n",
               retained_target, (double) (rss_refilled - rss_empty) / retained_target);
    }

  load_average = read_load_average ();
  g_string_append_printf (json,
                          "{\"rate\":%d,\"seconds\":%d,\"messages\":%" G_GUINT64_FORMAT
                          ",\"sent\":%" G_GUINT64_FORMAT ",\"lost\":%" G_GINT64_FORMAT
                          ",\"deliveredPerSecond\":%.1f,\"maxStallMs\":%.1f,\"maxIterationMs\":%.1f,\"maxIterationCpuMs\":%.1f"
                          ",\"longIterations\":%u,\"retention\":%d"
                          ",\"framesPerSecond\":%.1f,\"maxFrameGapMs\":%.1f"
                          ",\"retainedAfterFlood\":%" G_GUINT64_FORMAT ",\"droppedByRetention\":%" G_GUINT64_FORMAT
                          ",\"rssBytesPerMessage\":%.1f,\"retained\":%" G_GINT64_FORMAT
                          ",\"rssBytesPerMessageRetained\":%.1f,\"rssRetainedKb\":%" G_GINT64_FORMAT
                          ",\"searchOneMs\":%.1f,\"searchOneModelMs\":%.1f,\"searchOneStallMs\":%.1f"
                          ",\"searchAllMs\":%.1f,\"searchAllModelMs\":%.1f,\"searchAllStallMs\":%.1f"
                          ",\"rssBytesPerRowRefilled\":%.1f"
                          ",\"rssPeakKb\":%" G_GINT64_FORMAT ",\"renderer\":\"%s\",\"loadAverage\":\"%s\"}",
                          rate, seconds, delivered, flood.sent, (gint64) flood.sent - (gint64) delivered,
                          delivered_rate, flood_stall_ms, flood_work_ms, flood_cpu_ms, n_long_iterations, retention,
                          fps, flood_paint_gap_ms,
                          retained_after_flood, dropped_by_retention,
                          (double) (rss_after_flood - rss_before) / MAX (retained_after_flood, 1),
                          retained_target, retained_target > 0 ? (double) (rss_full - rss_before) / retained_target : 0.0,
                          rss_full / 1024,
                          rare.search_ms, rare.model_ms, rare.stall_ms, common.search_ms, common.model_ms, common.stall_ms,
                          retained_target > 0 ? (double) (rss_refilled - rss_empty) / retained_target : 0.0,
                          peak_rss_kb (), g_getenv ("GSK_RENDERER"), load_average);

  g_print ("load average: %s\n", load_average);

  if (json_path != NULL && !g_file_set_contents (json_path, json->str, -1, &error))
    g_printerr ("could not write %s: %s\n", json_path, error->message);

  gtk_window_destroy (GTK_WINDOW (window));
  iterate_for (100000);
  server_stop (&server);

  g_clear_object (&application);
  /* Stops the daemon without waiting for the bus singletons GTK keeps;
   * finalizing @bus would wait for them, so it is left to the exit. */
  g_test_dbus_stop (bus);

  g_print ("%s\n", json->str);

  return 0;
}
