/* test-client-reconnect.c: close-code policy, backoff, resubscription
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-client"

#include <string.h>

#include "client-test-util.h"

static double
recorded_delay (TestRecorder *rec,
                guint         i)
{
  return *(double *) g_ptr_array_index (rec->reconnects, i);
}

static MeteredDisconnectedEvent *
last_disconnected (TestRecorder *rec)
{
  g_assert_cmpuint (rec->disconnected->len, >, 0);
  return g_ptr_array_index (rec->disconnected, rec->disconnected->len - 1);
}

/* Every close code gets the policy of §17: terminal codes stop, 4010 waits
 * at least 30 s, everything else reconnects with the normal backoff. */
static void
test_close_codes (void)
{
  const struct {
    int      code;
    gboolean reconnects;
  } cases[] = {
    { 1000, TRUE }, { 1001, TRUE }, { 1008, TRUE }, { 1009, TRUE }, { 1011, TRUE },
    { 3000, TRUE }, { 4000, TRUE }, { 4002, TRUE }, { 4011, TRUE }, { 4999, TRUE },
    { 4001, FALSE }, { 4003, FALSE }, { 4012, FALSE }, { 4020, FALSE },
  };
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MeteredClient) client = test_client_new (server, NULL);
      g_autoptr(TestRecorder) rec = test_recorder_new (client);
      MeteredDisconnectedEvent *event;

      test_connect_ok (client);
      g_assert_cmpuint (metered_dev_server_hook_close (server, metered_client_get_peer_id (client),
                                                       cases[i].code, "test close"), ==, 1);
      test_wait_for (rec->disconnected->len == 1, 5);

      event = g_ptr_array_index (rec->disconnected, 0);
      g_assert_cmpint (metered_disconnected_event_get_code (event), ==, cases[i].code);
      g_assert_cmpstr (metered_disconnected_event_get_reason (event), ==, "test close");
      g_assert_cmpint (metered_disconnected_event_get_will_reconnect (event), ==, cases[i].reconnects);

      if (cases[i].reconnects)
        {
          MeteredConnectedEvent *connected;

          test_wait_for (rec->connected->len == 2, 5);
          connected = g_ptr_array_index (rec->connected, 1);
          g_assert_true (metered_connected_event_get_is_reconnect (connected));
          g_assert_cmpuint (rec->reconnects->len, ==, 1);
          g_assert_cmpfloat (recorded_delay (rec, 0), ==, 0.05);
          g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
          test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
        }
      else
        {
          test_run_for (0.2);
          g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
          g_assert_cmpuint (rec->reconnects->len, ==, 0);
          g_assert_cmpuint (rec->connected->len, ==, 1);
        }
    }
}

/* No close frame at all reads as 1006, and reconnects. */
static void
test_dropped (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autofree char *first_peer = NULL;
  const MeteredClientState expected[] = {
    METERED_CLIENT_STATE_CONNECTING, METERED_CLIENT_STATE_CONNECTED,
    METERED_CLIENT_STATE_RECONNECTING, METERED_CLIENT_STATE_CONNECTED,
  };

  test_connect_ok (client);
  first_peer = g_strdup (metered_client_get_peer_id (client));
  g_assert_cmpuint (metered_dev_server_hook_drop (server, NULL), ==, 1);

  test_wait_for (rec->connected->len == 2, 5);
  g_assert_cmpint (metered_disconnected_event_get_code (g_ptr_array_index (rec->disconnected, 0)), ==, 1006);
  g_assert_true (metered_disconnected_event_get_will_reconnect (g_ptr_array_index (rec->disconnected, 0)));

  /* A publishable key gets a new peer id on every connect. */
  g_assert_cmpstr (metered_client_get_peer_id (client), !=, first_peer);

  g_assert_cmpuint (rec->states->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (g_array_index (rec->states, MeteredClientState, i), ==, expected[i]);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static MeteredReconnectOptions *
options_new (double initial,
             double multiplier,
             double max,
             double jitter,
             double attempts)
{
  MeteredReconnectOptions *options = metered_reconnect_options_new ();

  options->initial_delay = initial;
  options->multiplier = multiplier;
  options->max_delay = max;
  options->jitter_ratio = jitter;
  options->max_attempts = attempts;

  return options;
}

/* The delay sequence, then the terminal disconnected event once the
 * attempts run out. */
static void
test_backoff_and_max_attempts (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredReconnectOptions) options = options_new (0.01, 2, 0.08, 0, 6);
  g_autoptr(MeteredClient) client = test_client_new (server, "reconnect-options", options, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  const double expected[] = { 0.01, 0.02, 0.04, 0.08, 0.08, 0.08 };
  MeteredDisconnectedEvent *event;

  test_connect_ok (client);
  metered_dev_server_hook_reject_connections (server, METERED_CLOSE_CODE_OVER_MESSAGE_RATE);
  metered_dev_server_hook_drop (server, NULL);

  test_wait_for (metered_client_get_state (client) == METERED_CLIENT_STATE_CLOSED, 10);

  g_assert_cmpuint (rec->reconnects->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpfloat_with_epsilon (recorded_delay (rec, i), expected[i], 1e-12);

  /* The drop, then one event per failed attempt; only the last gives up. */
  g_assert_cmpuint (rec->disconnected->len, ==, 1 + G_N_ELEMENTS (expected));
  for (guint i = 1; i < rec->disconnected->len; i++)
    {
      event = g_ptr_array_index (rec->disconnected, i);
      g_assert_cmpint (metered_disconnected_event_get_code (event), ==, METERED_CLOSE_CODE_OVER_MESSAGE_RATE);
      g_assert_cmpint (metered_disconnected_event_get_will_reconnect (event), ==, i < rec->disconnected->len - 1);
    }

  test_run_for (0.3);
  g_assert_cmpuint (rec->reconnects->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (rec->connected->len, ==, 1);

  /* A connect after the give-up starts afresh. */
  metered_dev_server_hook_reject_connections (server, 0);
  test_connect_ok (client);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* Jitter comes from the client's random source: with a known seed the
 * delays are exactly the formula's, and within ±ratio of the base. */
static void
test_jitter (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredReconnectOptions) options = options_new (0.01, 2, 0.04, 0.5, 8);
  g_autoptr(MeteredClient) client = test_client_new (server, "reconnect-options", options, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GRand) expected_rand = g_rand_new_with_seed (4242);
  gboolean varied = FALSE;

  metered_client_set_random_seed (client, 4242);
  test_connect_ok (client);
  metered_dev_server_hook_reject_connections (server, METERED_CLOSE_CODE_GOING_AWAY);
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (metered_client_get_state (client) == METERED_CLIENT_STATE_CLOSED, 10);
  metered_dev_server_hook_reject_connections (server, 0);

  g_assert_cmpuint (rec->reconnects->len, ==, 8);
  for (guint i = 0; i < rec->reconnects->len; i++)
    {
      double base = MIN (0.01 * (1 << i), 0.04);
      double delay = recorded_delay (rec, i);
      double formula = metered_reconnect_options_get_delay (options, i + 1, 0, g_rand_double (expected_rand));

      g_assert_cmpfloat (delay, ==, formula);
      g_assert_cmpfloat (delay, >=, base * 0.5);
      g_assert_cmpfloat (delay, <=, base * 1.5);
      if (ABS (delay - base) > 1e-9)
        varied = TRUE;
    }
  g_assert_true (varied);
}

/* 4010 raises the next delay to at least 30 s. */
static void
test_slow_floor (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);

  test_connect_ok (client);
  metered_dev_server_hook_close (server, NULL, METERED_CLOSE_CODE_OVER_CONCURRENT_LIMIT, "full");
  test_wait_for (rec->reconnects->len == 1, 5);

  g_assert_cmpfloat (recorded_delay (rec, 0), ==, 30.0);
  g_assert_true (metered_disconnected_event_get_will_reconnect (last_disconnected (rec)));
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_RECONNECTING);

  /* Closing while waiting cancels the reconnect; there is no link to
   * report, so no second disconnected event. */
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
  g_assert_cmpuint (rec->disconnected->len, ==, 1);
}

static void
test_reconnect_disabled (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "auto-reconnect", FALSE, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);

  test_connect_ok (client);
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (rec->disconnected->len == 1, 5);

  g_assert_false (metered_disconnected_event_get_will_reconnect (last_disconnected (rec)));
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
  test_run_for (0.2);
  g_assert_cmpuint (rec->reconnects->len, ==, 0);
}

static void
test_first_connect_no_retry (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;

  metered_dev_server_hook_reject_connections (server, METERED_CLOSE_CODE_GOING_AWAY);
  g_assert_false (test_connect (client, &error));
  g_assert_error (error, METERED_CLOSE_ERROR, METERED_CLOSE_CODE_GOING_AWAY);
  test_run_for (0.3);
  g_assert_cmpuint (rec->reconnects->len, ==, 0);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
}

/* Requests in flight when the link drops fail with DISCONNECTED. */
static void
test_pending_fail_on_drop (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(TestCall) publish = test_call_new ();
  g_autoptr(TestCall) subscribe = test_call_new ();
  g_autoptr(GError) error = NULL;

  test_connect_ok (client);
  metered_dev_server_hook_set_ack_mode (server, NULL, METERED_DEV_ACKS_SWALLOW, 0);
  metered_client_publish_text_async (client, "room", "1", NULL, test_call_cb, publish);
  metered_client_subscribe_async (client, "room", 0, NULL, test_call_cb, subscribe);
  test_run_for (0.05);
  metered_dev_server_hook_drop (server, NULL);

  g_assert_false (metered_client_publish_text_finish (client, test_call_wait (publish), &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_DISCONNECTED);
  g_clear_error (&error);
  g_assert_false (metered_client_subscribe_finish (client, test_call_wait (subscribe), &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_DISCONNECTED);

  /* The subscribe may have reached the server: it stays tracked and is
   * replayed on the new connection. */
  test_wait_for (rec->connected->len == 2, 5);
  test_wait_for (test_recorder_count_out (rec, "\"subscribe\"") == 2, 5);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_resubscribe (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(MeteredClient) publisher = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;
  g_autofree char *old_peer = NULL;

  test_connect_ok (client);
  test_connect_ok (publisher);
  g_assert_true (test_subscribe (client, "room/a", METERED_SUBSCRIBE_FLAGS_INCLUDE_SENDER_METADATA, &error));
  g_assert_no_error (error);
  g_assert_true (test_subscribe (client, "room/b", 0, &error));
  g_assert_no_error (error);
  g_assert_true (test_subscribe (client, "room/gone", 0, &error));
  g_assert_no_error (error);
  g_assert_true (test_unsubscribe (client, "room/gone", &error));
  g_assert_no_error (error);

  old_peer = g_strdup (metered_client_get_peer_id (client));
  metered_dev_server_hook_drop (server, old_peer);
  test_wait_for (rec->connected->len == 2, 5);

  /* Both tracked channels come back, with their flags; the unsubscribed
   * one does not. */
  test_wait_for (test_recorder_count_out (rec, "\"subscribe\"") == 5, 5);
  g_assert_cmpuint (test_recorder_count_out (rec, "\"channel\":\"room/a\",\"includeSenderMetadata\":true"), ==, 2);
  g_assert_cmpuint (test_recorder_count_out (rec, "{\"type\":\"subscribe\",\"channel\":\"room/gone\""), ==, 1);

  /* And messages flow on them again. */
  test_wait_for (rec->presences->len == 5, 5);
  g_assert_true (test_publish (publisher, "room/b", "\"again\"", &error));
  g_assert_no_error (error);
  test_wait_for (rec->messages->len == 1, 5);
  g_assert_cmpstr (metered_message_event_get_data_text (g_ptr_array_index (rec->messages, 0)), ==, "\"again\"");

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  test_close (publisher, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_resubscribe_disabled (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "auto-resubscribe", FALSE, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;

  test_connect_ok (client);
  g_assert_true (test_subscribe (client, "room", 0, &error));
  g_assert_no_error (error);
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (rec->connected->len == 2, 5);
  test_run_for (0.2);
  g_assert_cmpuint (test_recorder_count_out (rec, "\"subscribe\""), ==, 1);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* Tokens handed out one after the other, so each reconnect can carry a
 * different channel scope. */
typedef struct {
  GPtrArray *tokens;
  guint      next;
} TokenQueue;

static void
queued_token_provider (MeteredClient       *client,
                       MeteredTokenRequest *request,
                       gpointer             user_data)
{
  TokenQueue *queue = user_data;
  guint i = MIN (queue->next, queue->tokens->len - 1);

  queue->next++;
  metered_token_request_return_token (request, g_ptr_array_index (queue->tokens, i));
}

/* A resubscribe the server refuses is retried 3 times, replay-retry-delay
 * apart; then the channel stays tracked and the next reconnect tries it
 * again with a fresh budget. */
static void
test_replay_retries (void)
{
  const char * const room[] = { "room/**", NULL };
  const char * const other[] = { "other/**", NULL };
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  TokenQueue queue = { g_ptr_array_new_with_free_func (g_free), 0 };
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(TestRecorder) rec = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) subscriptions = NULL;
  gint64 start;
  double elapsed;

  g_ptr_array_add (queue.tokens, test_mint_token ("replayer", 600, room, NULL, NULL));
  g_ptr_array_add (queue.tokens, test_mint_token ("replayer", 600, other, NULL, NULL));
  g_ptr_array_add (queue.tokens, test_mint_token ("replayer", 600, room, NULL, NULL));

  client = test_client_new_with_provider (server, queued_token_provider, &queue,
                                          "replay-retry-delay", 0.1, NULL);
  rec = test_recorder_new (client);

  test_connect_ok (client);
  g_assert_true (test_subscribe (client, "room/x", 0, &error));
  g_assert_no_error (error);

  /* The second token does not cover room/x. */
  start = g_get_monotonic_time ();
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (rec->connected->len == 2, 5);
  test_wait_for (test_recorder_count_out (rec, "\"subscribe\"") == 5, 5);
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_assert_cmpfloat (elapsed, >=, 0.3);

  test_run_for (0.4);
  g_assert_cmpuint (test_recorder_count_out (rec, "\"subscribe\""), ==, 5);
  subscriptions = metered_client_dup_subscriptions (client);
  g_assert_cmpstrv (subscriptions, ((const char * const[]) { "room/x", NULL }));
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);

  /* The third token covers it again; the replay succeeds at once. */
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (rec->connected->len == 3, 5);
  test_wait_for (test_recorder_count_out (rec, "\"subscribe\"") == 6, 5);
  test_wait_for (rec->presences->len == 2, 5);
  test_run_for (0.3);
  g_assert_cmpuint (test_recorder_count_out (rec, "\"subscribe\""), ==, 6);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  g_ptr_array_unref (queue.tokens);
}

/* A lost resubscribe answer is retried too. */
static void
swallow_on_reconnect (MeteredClient         *client,
                      MeteredConnectedEvent *event,
                      gpointer               data)
{
  MeteredDevServer *server = data;

  /* Connected handlers run before the resubscribe goes out. */
  if (metered_connected_event_get_is_reconnect (event))
    g_assert_cmpuint (metered_dev_server_hook_set_ack_mode (server, metered_connected_event_get_peer_id (event),
                                                            METERED_DEV_ACKS_SWALLOW, 0), ==, 1);
}

static void
test_replay_ack_lost (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, "ack-timeout", 0.2, "replay-retry-delay", 0.05, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;

  test_connect_ok (client);
  g_assert_true (test_subscribe (client, "room", 0, &error));
  g_assert_no_error (error);
  g_signal_connect (client, "connected", G_CALLBACK (swallow_on_reconnect), server);

  /* Every try on the new connection times out: 1 + 3 retries. */
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (rec->connected->len == 2, 5);
  test_wait_for (test_recorder_count_out (rec, "\"subscribe\"") == 5, 5);
  test_run_for (0.6);
  g_assert_cmpuint (test_recorder_count_out (rec, "\"subscribe\""), ==, 5);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);

  g_signal_handlers_disconnect_by_data (client, server);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

static void
test_going_away (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredClient) client = test_client_new (server, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  MeteredDisconnectedEvent *event;

  test_connect_ok (client);
  metered_dev_server_stop (server, 2500);

  test_wait_for (rec->disconnected->len >= 1, 5);
  g_assert_cmpuint (rec->going_aways->len, ==, 1);
  g_assert_cmpfloat (metered_going_away_event_get_retry_after (g_ptr_array_index (rec->going_aways, 0)), ==, 2.5);

  /* Informational: the client reconnects on its own schedule. */
  event = g_ptr_array_index (rec->disconnected, 0);
  g_assert_cmpint (metered_disconnected_event_get_code (event), ==, METERED_CLOSE_CODE_GOING_AWAY);
  g_assert_true (metered_disconnected_event_get_will_reconnect (event));
  test_wait_for (rec->reconnects->len >= 1, 5);
  g_assert_cmpfloat (recorded_delay (rec, 0), ==, 0.05);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add_func ("/client/reconnect/close-codes", test_close_codes);
  g_test_add_func ("/client/reconnect/dropped", test_dropped);
  g_test_add_func ("/client/reconnect/backoff-and-max-attempts", test_backoff_and_max_attempts);
  g_test_add_func ("/client/reconnect/jitter", test_jitter);
  g_test_add_func ("/client/reconnect/slow-floor", test_slow_floor);
  g_test_add_func ("/client/reconnect/disabled", test_reconnect_disabled);
  g_test_add_func ("/client/reconnect/first-connect-no-retry", test_first_connect_no_retry);
  g_test_add_func ("/client/reconnect/pending-fail-on-drop", test_pending_fail_on_drop);
  g_test_add_func ("/client/reconnect/resubscribe", test_resubscribe);
  g_test_add_func ("/client/reconnect/resubscribe-disabled", test_resubscribe_disabled);
  g_test_add_func ("/client/reconnect/replay-retries", test_replay_retries);
  g_test_add_func ("/client/reconnect/replay-ack-lost", test_replay_ack_lost);
  g_test_add_func ("/client/reconnect/going-away", test_going_away);

  return g_test_run ();
}
