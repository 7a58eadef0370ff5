/* client-test-util.h: shared fixtures of the client tests
 *
 * Each test runs a real local server (the devserver, in-process, on a
 * loopback port picked by the kernel) and real clients against it, all on
 * the default main context of the test thread.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered.h"
#include "metered-client-private.h"
#include "metered-dev-server.h"

/* test_timeout_scale() stretches the suite's failure deadlines and its
 * default welcome and ack timeouts. Timers a test exercises are not
 * stretched. */
#include "test-timeout.h"

G_BEGIN_DECLS

#define TEST_API_KEY       "pk_live_dev"
#define TEST_SECRET_KEY_ID "sk_id_dev"
#define TEST_SECRET        "sk_secret_dev"

/* Iterates the default main context until @cond holds; fails the test
 * after @seconds (times the timeout scale). */
#define test_wait_for(cond, seconds)                                         \
  G_STMT_START {                                                             \
    gint64 _deadline = g_get_monotonic_time () +                             \
      (gint64) ((seconds) * test_timeout_scale () * G_USEC_PER_SEC);         \
    while (!(cond))                                                          \
      {                                                                      \
        if (g_get_monotonic_time () > _deadline)                             \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #cond); \
        test_iterate ();                                                     \
      }                                                                      \
  } G_STMT_END

/* Runs the default main context for @seconds. */
void              test_run_for              (double             seconds);
/* One blocking iteration, woken at least every 10 ms. */
void              test_iterate              (void);

MeteredDevServer *test_server_new           (MeteredDevConfig  *config);
char             *test_server_url           (MeteredDevServer  *server);

/* A JWT from the dev secret key. @exp_in is seconds from now; 0 leaves `exp`
 * out. @channels (a NULL-terminated list) and @peer_metadata_json are
 * nullable. */
char             *test_mint_token           (const char         *sub,
                                             gint64              exp_in,
                                             const char * const *channels,
                                             const char         *peer_metadata_json,
                                             const char         *metadata_json);

/* A client with the dev publishable key and short timers, initialized; extra
 * properties follow as name/value pairs ending with NULL. */
MeteredClient    *test_client_new           (MeteredDevServer  *server,
                                             const char        *first_property,
                                             ...);
/* The same with a token provider instead of the key. */
MeteredClient    *test_client_new_with_provider (MeteredDevServer         *server,
                                                 MeteredTokenProviderFunc  provider,
                                                 gpointer                  user_data,
                                                 const char               *first_property,
                                                 ...);

/* Blocking wrappers of the client's async methods. */
gboolean test_connect     (MeteredClient  *client,
                           GError        **error);
gboolean test_close       (MeteredClient  *client,
                           int             code,
                           const char     *reason,
                           GError        **error);
gboolean test_subscribe   (MeteredClient  *client,
                           const char     *channel,
                           MeteredSubscribeFlags flags,
                           GError        **error);
gboolean test_unsubscribe (MeteredClient  *client,
                           const char     *channel,
                           GError        **error);
gboolean test_publish     (MeteredClient  *client,
                           const char     *channel,
                           const char     *json,
                           GError        **error);
gboolean test_send        (MeteredClient  *client,
                           const char     *to,
                           const char     *json,
                           GError        **error);

/* Connects and asserts success. */
void     test_connect_ok  (MeteredClient  *client);

/* A pending async call: started with test_call_new() as the callback data,
 * then awaited with test_call_wait(). */
typedef struct {
  GAsyncResult *result;
} TestCall;

TestCall     *test_call_new  (void);
void          test_call_cb   (GObject      *source,
                              GAsyncResult *result,
                              gpointer      data);
GAsyncResult *test_call_wait (TestCall     *call);
void          test_call_free (TestCall     *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestCall, test_call_free)

/* Records everything a client emits. */
typedef struct {
  MeteredClient *client;
  GArray        *states;        /* MeteredClientState entered, in order */
  GPtrArray     *connected;
  GPtrArray     *disconnected;
  GPtrArray     *messages;
  GPtrArray     *directs;
  GPtrArray     *presences;
  GPtrArray     *server_errors;
  GPtrArray     *going_aways;
  GPtrArray     *token_errors;
  GPtrArray     *reconnects;    /* double delays, boxed */
  GPtrArray     *frames_out;    /* char*, text of frames sent */
  GPtrArray     *frames_in;     /* char*, text of frames received */
} TestRecorder;

TestRecorder *test_recorder_new       (MeteredClient *client);
void          test_recorder_free      (TestRecorder  *recorder);
guint         test_recorder_count_out (TestRecorder  *recorder,
                                       const char    *substring);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestRecorder, test_recorder_free)

/* Fails the test if any log message contains one of @secrets (a
 * NULL-terminated list, copied). Messages still reach the default writer. */
void test_guard_logs (const char * const *secrets);

/* g_test_init() plus the log guard for the dev credentials. */
void test_init (int    *argc,
                char ***argv);

G_END_DECLS
