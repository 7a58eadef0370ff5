/* test-reliability-partition.c: partitions, timeouts and a memory soak
 *
 * The metered-devserver binary plays a broken network through its test
 * hooks (a stalled, half-open connection; requests answered late or never;
 * a cut TCP connection) and through SIGSTOP (the whole server frozen: the
 * kernel still accepts connections, nobody answers). The client's timers
 * must fire as protocol §17 documents them: a request fails with
 * %METERED_CLIENT_ERROR_ACK_TIMEOUT after ack-timeout, the inactivity
 * watchdog closes a silent link with 4000 ("inactivity timeout"), a
 * connection that gets no welcome is closed with 4000 ("welcome timeout"),
 * and the client reconnects once the server is back. Nothing hangs: every
 * wait has a deadline.
 *
 * /reliability/partition/soak repeats all of it next to steady traffic
 * and samples the resident memory of this process (the clients) and of
 * the server; it fails when memory keeps growing. It runs 20 s by default;
 * METERED_SOAK_SECONDS=600 is the ten-minute soak.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-reliability"

#include <signal.h>
#include <stdlib.h>

#include "reliability-util.h"

/* Keepalive pings go every max(1 s, inactivity / 3): with 3 s, an idle but
 * healthy link is probed every second, and a server slowed down by a busy
 * machine has two seconds to answer. */
#define INACTIVITY      3.0
#define ACK_TIMEOUT     0.4
#define WELCOME_TIMEOUT 1.0
#define SLACK           1.5

/* AddressSanitizer keeps freed memory in quarantine (256 MiB by default)
 * before reusing it, so resident memory grows under it whatever the code
 * does. */
#if defined(__SANITIZE_ADDRESS__)
# define UNDER_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define UNDER_ASAN 1
# endif
#endif
#ifndef UNDER_ASAN
# define UNDER_ASAN 0
#endif

typedef struct {
  RelServer     *server;
  MeteredClient *client;
  TestRecorder  *rec;
} Fixture;

static double
seconds_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static void
fixture_set_up (Fixture *fixture)
{
  fixture->server = rel_server_start (NULL, NULL);
  fixture->client = rel_client_new (fixture->server->url, INACTIVITY, ACK_TIMEOUT, WELCOME_TIMEOUT);
  fixture->rec = test_recorder_new (fixture->client);
  test_connect_ok (fixture->client);
}

static void
fixture_tear_down (Fixture *fixture)
{
  test_close (fixture->client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  g_clear_pointer (&fixture->rec, test_recorder_free);
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->server, rel_server_free);
}

/* A hook aimed at the fixture's client (its peer id changes with every
 * connect of a publishable key). */
static guint
hook (Fixture    *fixture,
      const char *name,
      const char *extra)
{
  g_autofree char *line = g_strdup_printf ("{\"hook\":\"%s\",\"peerId\":\"%s\"%s%s}",
                                           name, metered_client_get_peer_id (fixture->client),
                                           extra != NULL ? "," : "", extra != NULL ? extra : "");

  return rel_server_hook_affected (fixture->server, line);
}

/* Publishes and returns the error (NULL when acked) and the time taken. */
static GError *
publish (Fixture *fixture,
         double  *elapsed)
{
  g_autoptr(TestCall) call = test_call_new ();
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  metered_client_publish_text_async (fixture->client, "partition/probe", "{\"probe\":true}",
                                     NULL, test_call_cb, call);
  metered_client_publish_text_finish (fixture->client, test_call_wait (call), &error);
  if (elapsed != NULL)
    *elapsed = seconds_since (start);

  return error;
}

static void
assert_publish_ok (Fixture *fixture)
{
  g_autoptr(GError) error = publish (fixture, NULL);

  g_assert_no_error (error);
}

static void
assert_ack_timeout (Fixture *fixture)
{
  guint drops = fixture->rec->disconnected->len;
  double elapsed;
  g_autoptr(GError) error = publish (fixture, &elapsed);

  if (error == NULL)
    g_error ("a request was acked after %.3f s where no answer could come (%u drops before, %u after, state %d)",
             elapsed, drops, fixture->rec->disconnected->len, metered_client_get_state (fixture->client));

  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_ACK_TIMEOUT);
  g_assert_cmpfloat (elapsed, >=, ACK_TIMEOUT - 0.05);
  g_assert_cmpfloat (elapsed, <, ACK_TIMEOUT + SLACK);
}

static MeteredDisconnectedEvent *
last_disconnect (Fixture *fixture)
{
  return g_ptr_array_index (fixture->rec->disconnected, fixture->rec->disconnected->len - 1);
}

static void
wait_reconnected (Fixture *fixture,
                  guint    welcomes)
{
  test_wait_for (fixture->rec->connected->len >= welcomes &&
                 metered_client_get_state (fixture->client) == METERED_CLIENT_STATE_CONNECTED, 15);
}

/* Half-open: the server neither reads nor writes on this connection. The
 * request times out, then the watchdog closes the link with 4000. */
static void
scenario_stall (Fixture *fixture)
{
  guint drops = fixture->rec->disconnected->len;
  guint welcomes = fixture->rec->connected->len;
  MeteredDisconnectedEvent *event;
  gint64 start;

  g_assert_cmpuint (hook (fixture, "stall", "\"stalled\":true"), ==, 1);
  start = g_get_monotonic_time ();
  assert_ack_timeout (fixture);

  test_wait_for (fixture->rec->disconnected->len == drops + 1, INACTIVITY + 5);
  g_assert_cmpfloat (seconds_since (start), >=, INACTIVITY - ACK_TIMEOUT);
  g_assert_cmpfloat (seconds_since (start), <, INACTIVITY + SLACK);
  event = last_disconnect (fixture);
  g_assert_cmpint (metered_disconnected_event_get_code (event), ==, METERED_CLOSE_CODE_CLIENT_INACTIVITY);
  g_assert_cmpstr (metered_disconnected_event_get_reason (event), ==, "inactivity timeout");
  g_assert_true (metered_disconnected_event_get_will_reconnect (event));

  wait_reconnected (fixture, welcomes + 1);
  assert_publish_ok (fixture);
}

/* Requests are never answered, but the link is alive (pongs still come):
 * each request times out and the connection stays. */
static void
scenario_swallow (Fixture *fixture)
{
  guint drops = fixture->rec->disconnected->len;

  g_assert_cmpuint (hook (fixture, "ackMode", "\"mode\":\"swallow\""), ==, 1);
  assert_ack_timeout (fixture);
  assert_ack_timeout (fixture);

  /* Longer than the inactivity timeout: the keepalive holds the link. */
  test_run_for (INACTIVITY + 0.5);
  g_assert_cmpuint (fixture->rec->disconnected->len, ==, drops);
  g_assert_cmpint (metered_client_get_state (fixture->client), ==, METERED_CLIENT_STATE_CONNECTED);

  g_assert_cmpuint (hook (fixture, "ackMode", "\"mode\":\"normal\""), ==, 1);
  assert_publish_ok (fixture);
}

/* Late answers: within ack-timeout they count; after it the request has
 * already failed and the late ack is ignored (each callback runs once). */
static void
scenario_delay (Fixture *fixture)
{
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(GError) error = NULL;
  guint drops = fixture->rec->disconnected->len;
  double elapsed;

  g_assert_cmpuint (hook (fixture, "ackMode", "\"mode\":\"delay\",\"delayMs\":150"), ==, 1);
  error = publish (fixture, &elapsed);
  g_assert_no_error (error);
  g_assert_cmpfloat (elapsed, >=, 0.14);

  g_assert_cmpuint (hook (fixture, "ackMode", "\"mode\":\"delay\",\"delayMs\":700"), ==, 1);
  metered_client_publish_text_async (fixture->client, "partition/probe", "1", NULL, test_call_cb, call);
  g_assert_false (metered_client_publish_text_finish (fixture->client, test_call_wait (call), &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_ACK_TIMEOUT);
  /* The late ack arrives meanwhile; test_call_cb asserts a single call. */
  test_run_for (0.7 - ACK_TIMEOUT + 0.2);
  g_assert_cmpuint (fixture->rec->disconnected->len, ==, drops);

  g_assert_cmpuint (hook (fixture, "ackMode", "\"mode\":\"normal\""), ==, 1);
  assert_publish_ok (fixture);
}

/* The TCP connection is cut: 1006 and a reconnect. */
static void
scenario_drop (Fixture *fixture)
{
  guint drops = fixture->rec->disconnected->len;
  guint welcomes = fixture->rec->connected->len;

  g_assert_cmpuint (hook (fixture, "drop", NULL), ==, 1);
  test_wait_for (fixture->rec->disconnected->len == drops + 1, 5);
  g_assert_cmpint (metered_disconnected_event_get_code (last_disconnect (fixture)), ==, METERED_CLOSE_CODE_ABNORMAL);
  wait_reconnected (fixture, welcomes + 1);
  assert_publish_ok (fixture);
}

static gboolean
welcome_timeouts_since (Fixture *fixture,
                        guint    from,
                        guint    wanted)
{
  guint n = 0;

  for (guint i = from; i < fixture->rec->disconnected->len; i++)
    {
      MeteredDisconnectedEvent *event = g_ptr_array_index (fixture->rec->disconnected, i);

      if (metered_disconnected_event_get_code (event) == METERED_CLOSE_CODE_CLIENT_INACTIVITY &&
          g_strcmp0 (metered_disconnected_event_get_reason (event), "welcome timeout") == 0)
        n++;
    }

  return n >= wanted;
}

/* The whole server frozen: the watchdog fires, then every reconnect gets
 * a TCP connection but no answer, and ends with the welcome timeout; the
 * client keeps trying and is back soon after the server thaws. */
static void
scenario_sigstop (Fixture *fixture)
{
  guint drops = fixture->rec->disconnected->len;
  guint welcomes = fixture->rec->connected->len;
  MeteredDisconnectedEvent *event;
  gint64 start;

  rel_server_signal (fixture->server, SIGSTOP);
  start = g_get_monotonic_time ();
  assert_ack_timeout (fixture);

  test_wait_for (fixture->rec->disconnected->len >= drops + 1, INACTIVITY + 5);
  g_assert_cmpfloat (seconds_since (start), <, INACTIVITY + SLACK);
  event = g_ptr_array_index (fixture->rec->disconnected, drops);
  g_assert_cmpint (metered_disconnected_event_get_code (event), ==, METERED_CLOSE_CODE_CLIENT_INACTIVITY);
  g_assert_cmpstr (metered_disconnected_event_get_reason (event), ==, "inactivity timeout");

  test_wait_for (welcome_timeouts_since (fixture, drops + 1, 2), 2 * (WELCOME_TIMEOUT + 0.2) + 5);
  g_assert_cmpint (metered_client_get_state (fixture->client), ==, METERED_CLIENT_STATE_RECONNECTING);
  g_assert_cmpuint (fixture->rec->connected->len, ==, welcomes);

  rel_server_signal (fixture->server, SIGCONT);
  wait_reconnected (fixture, welcomes + 1);
  assert_publish_ok (fixture);
}

typedef void (*Scenario) (Fixture *fixture);

static void
run_scenario (Scenario scenario)
{
  Fixture fixture = { 0 };

  fixture_set_up (&fixture);
  scenario (&fixture);
  fixture_tear_down (&fixture);
}

static void test_stall (void) { run_scenario (scenario_stall); }
static void test_swallow (void) { run_scenario (scenario_swallow); }
static void test_delay (void) { run_scenario (scenario_delay); }
static void test_drop (void) { run_scenario (scenario_drop); }
static void test_sigstop (void) { run_scenario (scenario_sigstop); }

/* Soak. */

typedef struct {
  MeteredClient *publisher;
  MeteredClient *subscriber;
  guint          sent;
  guint          completed;
  guint          received;
} Load;

static void
on_load_published (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  Load *load = data;
  g_autoptr(GError) error = NULL;

  /* Partitions hit this traffic too: only connection errors may come. */
  if (!metered_client_publish_text_finish (METERED_CLIENT (source), result, &error) &&
      !g_error_matches (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_DISCONNECTED) &&
      !g_error_matches (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_NOT_CONNECTED) &&
      !g_error_matches (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_ACK_TIMEOUT))
    g_error ("background publish failed: %s", error->message);

  load->completed++;
}

static gboolean
on_load_tick (gpointer data)
{
  Load *load = data;
  g_autofree char *json = g_strdup_printf ("{\"n\":%u,\"pad\":\"%0200d\"}", load->sent, 0);

  load->sent++;
  metered_client_publish_text_async (load->publisher, "partition/load", json, NULL, on_load_published, load);

  return G_SOURCE_CONTINUE;
}

static void
on_load_message (MeteredClient *client,
                 GObject       *event,
                 Load          *load)
{
  load->received++;
}

typedef struct {
  double seconds;
  gsize  client_kib;
  gsize  server_kib;
} Sample;

static int
compare_gsize (gconstpointer a,
               gconstpointer b)
{
  gsize x = *(const gsize *) a;
  gsize y = *(const gsize *) b;

  return x < y ? -1 : x > y;
}

static gsize
median_of (GArray *samples,
           double  from,
           double  to,
           double  duration,
           gsize   offset)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (guint i = 0; i < samples->len; i++)
    {
      Sample *sample = &g_array_index (samples, Sample, i);

      if (sample->seconds >= from * duration && sample->seconds <= to * duration)
        g_array_append_val (values, G_STRUCT_MEMBER (gsize, sample, offset));
    }

  g_assert_cmpuint (values->len, >, 0);
  g_array_sort (values, compare_gsize);

  return g_array_index (values, gsize, values->len / 2);
}

typedef struct {
  GArray  *samples;
  Fixture *fixture;
  gint64   start;
} Sampler;

static gboolean
on_sample (gpointer data)
{
  Sampler *sampler = data;
  Sample sample;

  sample.seconds = seconds_since (sampler->start);
  sample.client_kib = rel_rss_kib (0);
  sample.server_kib = rel_rss_kib (rel_server_get_pid (sampler->fixture->server));
  g_array_append_val (sampler->samples, sample);

  return G_SOURCE_CONTINUE;
}

/* Growth allowed between the start of the measured window and the end:
 * allocator noise, not a trend. */
#define GROWTH_ALLOWANCE_KIB 3072

static void
assert_flat (const char *who,
             GArray     *samples,
             double      duration,
             gsize       offset)
{
  /* The first quarter warms up caches and allocator arenas. */
  gsize early = median_of (samples, 0.25, 0.4, duration, offset);
  gsize late = median_of (samples, 0.85, 1.0, duration, offset);
  gssize growth = (gssize) late - (gssize) early;

  g_test_message ("%s RSS: %" G_GSIZE_FORMAT " KiB after warm-up, %" G_GSIZE_FORMAT
                  " KiB at the end (%+" G_GSSIZE_FORMAT " KiB)", who, early, late, growth);
  if (UNDER_ASAN)
    {
      g_test_message ("%s: not checking that memory stays flat: AddressSanitizer keeps "
                      "freed memory in quarantine, so RSS grows regardless", who);
      return;
    }
  if (growth > GROWTH_ALLOWANCE_KIB + (gssize) early / 10)
    g_error ("%s memory grew from %" G_GSIZE_FORMAT " KiB to %" G_GSIZE_FORMAT " KiB",
             who, early, late);
}

static void
test_soak (void)
{
  static const Scenario scenarios[] = {
    scenario_stall, scenario_swallow, scenario_delay, scenario_drop, scenario_sigstop,
  };
  static const char * const names[] = { "stall", "swallow", "delay", "drop", "sigstop" };
  double duration = rel_env_number ("METERED_SOAK_SECONDS", 20);
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  g_autoptr(GSource) sampler_source = NULL;
  g_autoptr(GSource) ticker = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  Load load = { 0 };
  Sampler sampler = { samples, &fixture, 0 };
  gint64 start;
  guint cycles = 0;

  fixture_set_up (&fixture);

  load.publisher = rel_client_new (fixture.server->url, INACTIVITY, ACK_TIMEOUT, WELCOME_TIMEOUT);
  load.subscriber = rel_client_new (fixture.server->url, INACTIVITY, ACK_TIMEOUT, WELCOME_TIMEOUT);
  g_signal_connect (load.subscriber, "message", G_CALLBACK (on_load_message), &load);
  test_connect_ok (load.publisher);
  test_connect_ok (load.subscriber);
  g_assert_true (test_subscribe (load.subscriber, "partition/load", 0, &error));
  g_assert_no_error (error);

  /* 100 messages a second: the server's default rate limit. */
  ticker = g_timeout_source_new (10);
  g_source_set_callback (ticker, on_load_tick, &load, NULL);
  g_source_attach (ticker, NULL);

  start = g_get_monotonic_time ();
  sampler.start = start;
  sampler_source = g_timeout_source_new (250);
  g_source_set_callback (sampler_source, on_sample, &sampler, NULL);
  g_source_attach (sampler_source, NULL);

  while (seconds_since (start) < duration)
    {
      guint i = cycles++ % G_N_ELEMENTS (scenarios);

      g_test_message ("%.1f s: scenario %s", seconds_since (start), names[i]);
      scenarios[i] (&fixture);
    }

  g_source_destroy (ticker);
  g_source_destroy (sampler_source);
  /* Both clients recover from the partitions too. */
  test_wait_for (load.completed == load.sent, 10);
  test_wait_for (metered_client_get_state (load.subscriber) == METERED_CLIENT_STATE_CONNECTED &&
                 metered_client_get_state (load.publisher) == METERED_CLIENT_STATE_CONNECTED, 15);
  /* And traffic flows again. */
  load.received = 0;
  for (guint i = 0; i < 300 && load.received == 0; i++)
    {
      on_load_tick (&load);
      test_run_for (0.05);
    }
  g_assert_cmpuint (load.received, >, 0);
  test_wait_for (load.completed == load.sent, 10);

  g_test_message ("soak: %.0f s, %u scenarios, %u background publishes, %u RSS samples",
                  seconds_since (start), cycles, load.sent, samples->len);
  assert_flat ("client process", samples, duration, G_STRUCT_OFFSET (Sample, client_kib));
  assert_flat ("server process", samples, duration, G_STRUCT_OFFSET (Sample, server_kib));

  test_close (load.publisher, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  test_close (load.subscriber, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  g_object_unref (load.publisher);
  g_object_unref (load.subscriber);
  fixture_tear_down (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  rel_init (&argc, &argv);

  g_test_add_func ("/reliability/partition/stall", test_stall);
  g_test_add_func ("/reliability/partition/ack-swallow", test_swallow);
  g_test_add_func ("/reliability/partition/ack-delay", test_delay);
  g_test_add_func ("/reliability/partition/drop", test_drop);
  g_test_add_func ("/reliability/partition/sigstop", test_sigstop);
  g_test_add_func ("/reliability/partition/soak", test_soak);

  return g_test_run ();
}
