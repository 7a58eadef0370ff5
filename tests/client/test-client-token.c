/* test-client-token.c: the asynchronous token provider
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-client"

#include <string.h>

#include "client-test-util.h"

typedef enum {
  ANSWER_TOKEN_LATER,   /* from an idle callback */
  ANSWER_TOKEN_AT_ONCE, /* inside the provider call */
  ANSWER_ERROR,
  ANSWER_EMPTY,
  ANSWER_NEVER,
} AnswerMode;

typedef struct {
  AnswerMode           mode;
  guint                calls;
  gint64               exp_in;
  char                *sub;
  MeteredTokenRequest *last_request;
  char                *last_token;
} Provider;

static void
provider_clear (Provider *provider)
{
  g_clear_object (&provider->last_request);
  g_clear_pointer (&provider->last_token, g_free);
  g_clear_pointer (&provider->sub, g_free);
}

static gboolean
answer_later (gpointer data)
{
  Provider *provider = data;

  metered_token_request_return_token (provider->last_request, provider->last_token);
  return G_SOURCE_REMOVE;
}

static void
provider_func (MeteredClient       *client,
               MeteredTokenRequest *request,
               gpointer             user_data)
{
  Provider *provider = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (METERED_IS_CLIENT (client));
  g_assert_false (g_cancellable_is_cancelled (metered_token_request_get_cancellable (request)));

  provider->calls++;
  g_set_object (&provider->last_request, request);
  g_free (provider->last_token);
  provider->last_token = test_mint_token (provider->sub != NULL ? provider->sub : "token-peer",
                                          provider->exp_in != 0 ? provider->exp_in : 600, NULL, NULL, NULL);

  switch (provider->mode)
    {
    case ANSWER_TOKEN_LATER:
      g_idle_add (answer_later, provider);
      break;

    case ANSWER_TOKEN_AT_ONCE:
      metered_token_request_return_token (request, provider->last_token);
      break;

    case ANSWER_ERROR:
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "backend unreachable");
      metered_token_request_return_error (request, error);
      break;

    case ANSWER_EMPTY:
      metered_token_request_return_token (request, "");
      break;

    case ANSWER_NEVER:
    default:
      break;
    }
}

static void
test_success (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  Provider provider = { ANSWER_TOKEN_LATER, 0 };
  g_autoptr(MeteredClient) client = test_client_new_with_provider (server, provider_func, &provider, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);

  test_connect_ok (client);
  g_assert_cmpuint (provider.calls, ==, 1);
  g_assert_cmpstr (metered_client_get_peer_id (client), ==, "token-peer");

  /* Every reconnect asks again. */
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (rec->connected->len == 2, 5);
  g_assert_cmpuint (provider.calls, ==, 2);
  g_assert_cmpuint (rec->token_errors->len, ==, 0);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  provider_clear (&provider);
}

static void
test_answer_at_once_and_twice (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  Provider provider = { ANSWER_TOKEN_AT_ONCE, 0 };
  g_autoptr(MeteredClient) client = test_client_new_with_provider (server, provider_func, &provider, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "too late");

  test_connect_ok (client);

  /* Later answers to a completed request are ignored. */
  metered_token_request_return_token (provider.last_request, "another-token");
  metered_token_request_return_error (provider.last_request, error);
  test_run_for (0.2);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
  g_assert_cmpuint (rec->connected->len, ==, 1);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 1);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  provider_clear (&provider);
}

/* A failing provider fails the first connect, which is not retried. */
static void
test_failure_first_connect (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  Provider provider = { ANSWER_ERROR, 0 };
  g_autoptr(MeteredClient) client = test_client_new_with_provider (server, provider_func, &provider, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;

  g_assert_false (test_connect (client, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_TOKEN_PROVIDER);
  g_assert_nonnull (strstr (error->message, "backend unreachable"));
  g_clear_error (&error);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
  test_run_for (0.2);
  g_assert_cmpuint (provider.calls, ==, 1);
  g_assert_cmpuint (rec->reconnects->len, ==, 0);
  g_assert_cmpuint (rec->disconnected->len, ==, 0);

  /* An empty token is a failure too. */
  provider.mode = ANSWER_EMPTY;
  g_assert_false (test_connect (client, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_TOKEN_PROVIDER);
  g_clear_error (&error);

  /* The third failure in a row is reported as an event as well. */
  provider.mode = ANSWER_ERROR;
  g_assert_false (test_connect (client, &error));
  g_assert_cmpuint (rec->token_errors->len, ==, 1);
  g_assert_cmpuint (metered_token_provider_error_event_get_consecutive_failures (g_ptr_array_index (rec->token_errors, 0)),
                    ==, 3);

  provider_clear (&provider);
}

/* A provider that never answers is cut off by the timeout; its request is
 * cancelled and a late answer changes nothing. */
static void
test_timeout (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  Provider provider = { ANSWER_NEVER, 0 };
  g_autoptr(MeteredClient) client = test_client_new_with_provider (server, provider_func, &provider,
                                                                   "token-provider-timeout", 0.2, NULL);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (test_connect (client, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_TOKEN_PROVIDER);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
  g_assert_true (g_cancellable_is_cancelled (metered_token_request_get_cancellable (provider.last_request)));

  metered_token_request_return_token (provider.last_request, provider.last_token);
  test_run_for (0.2);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 0);

  provider_clear (&provider);
}

/* After a connect, a failing provider makes the client retry on its
 * backoff schedule, with an event from the third failure on, until the
 * attempts run out. */
static void
test_three_failures_event (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(MeteredReconnectOptions) options = metered_reconnect_options_new ();
  Provider provider = { ANSWER_TOKEN_AT_ONCE, 0 };
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(TestRecorder) rec = NULL;
  MeteredTokenProviderErrorEvent *event;
  MeteredDisconnectedEvent *last;

  options->initial_delay = 0.01;
  options->max_delay = 0.02;
  options->jitter_ratio = 0;
  options->max_attempts = 5;
  client = test_client_new_with_provider (server, provider_func, &provider, "reconnect-options", options, NULL);
  rec = test_recorder_new (client);

  test_connect_ok (client);
  provider.mode = ANSWER_ERROR;
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (metered_client_get_state (client) == METERED_CLIENT_STATE_CLOSED, 5);

  g_assert_cmpuint (provider.calls, ==, 1 + 5);
  g_assert_cmpuint (rec->reconnects->len, ==, 5);
  g_assert_cmpuint (rec->token_errors->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      event = g_ptr_array_index (rec->token_errors, i);
      g_assert_cmpuint (metered_token_provider_error_event_get_consecutive_failures (event), ==, 3 + i);
      g_assert_error (metered_token_provider_error_event_get_error (event), G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
    }

  /* The drop, then the give-up. */
  g_assert_cmpuint (rec->disconnected->len, ==, 2);
  last = g_ptr_array_index (rec->disconnected, 1);
  g_assert_false (metered_disconnected_event_get_will_reconnect (last));

  /* A success resets the count. */
  provider.mode = ANSWER_TOKEN_AT_ONCE;
  test_connect_ok (client);
  provider.mode = ANSWER_ERROR;
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (rec->reconnects->len >= 5 + 2, 5);
  g_assert_cmpuint (rec->token_errors->len, ==, 3);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  provider_clear (&provider);
}

/* 4002 is not terminal: the reconnect gets a fresh token. */
static void
test_refresh_on_4002 (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  Provider provider = { ANSWER_TOKEN_LATER, 0 };
  g_autoptr(MeteredClient) client = test_client_new_with_provider (server, provider_func, &provider, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  MeteredDisconnectedEvent *event;
  gint64 first_expiry = 0;

  /* The server closes 4002 shortly before the token expires. */
  provider.exp_in = 2;
  test_connect_ok (client);
  g_assert_true (metered_connected_event_get_expires_at (g_ptr_array_index (rec->connected, 0), &first_expiry));

  provider.exp_in = 600;
  test_wait_for (rec->connected->len == 2, 5);
  event = g_ptr_array_index (rec->disconnected, 0);
  g_assert_cmpint (metered_disconnected_event_get_code (event), ==, METERED_CLOSE_CODE_TOKEN_EXPIRED);
  g_assert_true (metered_disconnected_event_get_will_reconnect (event));
  g_assert_cmpuint (provider.calls, ==, 2);

  /* And on demand. */
  metered_dev_server_hook_close (server, NULL, METERED_CLOSE_CODE_TOKEN_EXPIRED, "expired");
  test_wait_for (rec->connected->len == 3, 5);
  g_assert_cmpuint (provider.calls, ==, 3);

  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  provider_clear (&provider);
}

static void
fixed_token_provider (MeteredClient       *client,
                      MeteredTokenRequest *request,
                      gpointer             user_data)
{
  metered_token_request_return_token (request, user_data);
}

static void
test_rejected_tokens (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autofree char *expired = test_mint_token ("late", -60, NULL, NULL, NULL);
  g_autofree char *forged = NULL;
  const char *garbage = "not-a-jwt";
  g_autoptr(GError) error = NULL;
  const char * const guarded[] = { garbage, NULL };
  struct {
    const char *token;
    GQuark      domain;
    int         code;
  } cases[] = {
    { expired, METERED_CLOSE_ERROR, METERED_CLOSE_CODE_TOKEN_EXPIRED },
    { NULL, METERED_CLOSE_ERROR, METERED_CLOSE_CODE_INVALID_TOKEN },
    /* Refused at the HTTP upgrade: there is no close code. */
    { garbage, METERED_CLOSE_ERROR, METERED_CLOSE_CODE_ABNORMAL },
  };

  json_object_set_string_member (claims, "sub", "forger");
  forged = metered_jwt_sign (TEST_SECRET_KEY_ID, "wrong-secret", claims);
  cases[1].token = forged;
  test_guard_logs (guarded);
  {
    const char * const more[] = { forged, NULL };

    test_guard_logs (more);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MeteredClient) client = test_client_new_with_provider (server, fixed_token_provider,
                                                                       (gpointer) cases[i].token, NULL);

      g_assert_false (test_connect (client, &error));
      g_assert_error (error, cases[i].domain, cases[i].code);
      g_test_message ("rejected: %s", error->message);
      g_assert_null (strstr (error->message, cases[i].token));
      g_clear_error (&error);
      g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
    }
}

/* Closing while the provider works: the connect fails, the request is
 * cancelled, its late answer is ignored. */
static void
test_close_during_resolution (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  Provider provider = { ANSWER_NEVER, 0 };
  g_autoptr(MeteredClient) client = test_client_new_with_provider (server, provider_func, &provider, NULL);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(GError) error = NULL;

  metered_client_connect_async (client, NULL, test_call_cb, call);
  test_wait_for (provider.calls == 1, 5);
  g_assert_true (test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (metered_client_connect_finish (client, test_call_wait (call), &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_CLOSED);
  g_assert_true (g_cancellable_is_cancelled (metered_token_request_get_cancellable (provider.last_request)));

  metered_token_request_return_token (provider.last_request, provider.last_token);
  test_run_for (0.2);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 0);
  g_assert_cmpuint (rec->connected->len, ==, 0);

  /* The same while reconnecting. */
  provider.mode = ANSWER_TOKEN_AT_ONCE;
  test_connect_ok (client);
  provider.mode = ANSWER_NEVER;
  metered_dev_server_hook_drop (server, NULL);
  test_wait_for (provider.calls == 3, 5);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_RECONNECTING);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  metered_token_request_return_token (provider.last_request, provider.last_token);
  test_run_for (0.2);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
  g_assert_cmpuint (metered_dev_server_get_n_connections (server), ==, 0);

  provider_clear (&provider);
}

/* A provider may answer from another thread. */
static gpointer
answer_from_thread (gpointer data)
{
  Provider *provider = data;

  metered_token_request_return_token (provider->last_request, provider->last_token);
  return NULL;
}

static void
threaded_provider (MeteredClient       *client,
                   MeteredTokenRequest *request,
                   gpointer             user_data)
{
  Provider *provider = user_data;

  provider->calls++;
  g_set_object (&provider->last_request, request);
  g_free (provider->last_token);
  provider->last_token = test_mint_token ("threaded", 600, NULL, NULL, NULL);
  g_thread_unref (g_thread_new ("token", answer_from_thread, provider));
}

static void
test_answer_from_thread (void)
{
  g_autoptr(MeteredDevServer) server = test_server_new (NULL);
  Provider provider = { ANSWER_NEVER, 0 };
  g_autoptr(MeteredClient) client = test_client_new_with_provider (server, threaded_provider, &provider, NULL);

  test_connect_ok (client);
  g_assert_cmpstr (metered_client_get_peer_id (client), ==, "threaded");
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  provider_clear (&provider);
}

static void
count_destroy (gpointer data)
{
  guint *n = data;

  (*n)++;
}

static void
test_constructor_and_destroy (void)
{
  g_autoptr(GError) error = NULL;
  MeteredClient *client;
  guint destroyed = 0;

  client = metered_client_new_with_token_provider ("ws://localhost:1", fixed_token_provider,
                                                   &destroyed, count_destroy, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (metered_client_get_url (client), ==, "ws://localhost:1");
  g_object_unref (client);
  g_assert_cmpuint (destroyed, ==, 1);

  client = metered_client_new_with_token_provider ("ws://example.com", fixed_token_provider,
                                                   &destroyed, count_destroy, &error);
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_URL);
  g_assert_null (client);
  g_assert_cmpuint (destroyed, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add_func ("/client/token/success", test_success);
  g_test_add_func ("/client/token/answer-at-once-and-twice", test_answer_at_once_and_twice);
  g_test_add_func ("/client/token/failure-first-connect", test_failure_first_connect);
  g_test_add_func ("/client/token/timeout", test_timeout);
  g_test_add_func ("/client/token/three-failures-event", test_three_failures_event);
  g_test_add_func ("/client/token/refresh-on-4002", test_refresh_on_4002);
  g_test_add_func ("/client/token/rejected-tokens", test_rejected_tokens);
  g_test_add_func ("/client/token/close-during-resolution", test_close_during_resolution);
  g_test_add_func ("/client/token/answer-from-thread", test_answer_from_thread);
  g_test_add_func ("/client/token/constructor-and-destroy", test_constructor_and_destroy);

  return g_test_run ();
}
