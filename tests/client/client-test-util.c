/* client-test-util.c: shared fixtures of the client tests
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-client"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gobject/gvaluecollector.h>

#include "client-test-util.h"

static gboolean
on_wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
test_iterate (void)
{
  g_autoptr(GSource) wake = g_timeout_source_new (10);

  g_source_set_callback (wake, on_wake, NULL, NULL);
  g_source_attach (wake, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_source_destroy (wake);
}

void
test_run_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    test_iterate ();
}

MeteredDevServer *
test_server_new (MeteredDevConfig *config)
{
  g_autoptr(GError) error = NULL;
  MeteredDevServer *server = metered_dev_server_new (config);

  metered_dev_server_listen (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);

  return server;
}

char *
test_server_url (MeteredDevServer *server)
{
  return metered_dev_server_dup_url (server);
}

/* Secrets the log guard looks for; minted tokens join the list. */
static GPtrArray *guarded_secrets;

char *
test_mint_token (const char         *sub,
                 gint64              exp_in,
                 const char * const *channels,
                 const char         *peer_metadata_json,
                 const char         *metadata_json)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  char *token;

  json_object_set_string_member (claims, "sub", sub);
  json_object_set_int_member (claims, "iat", g_get_real_time () / G_USEC_PER_SEC);
  if (exp_in != 0)
    json_object_set_int_member (claims, "exp", g_get_real_time () / G_USEC_PER_SEC + exp_in);

  if (channels != NULL)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; channels[i] != NULL; i++)
        json_array_add_string_element (array, channels[i]);
      json_object_set_array_member (claims, "channels", array);
    }

  if (peer_metadata_json != NULL)
    json_object_set_member (claims, "peerMetadata", json_from_string (peer_metadata_json, NULL));
  if (metadata_json != NULL)
    json_object_set_member (claims, "metadata", json_from_string (metadata_json, NULL));

  token = metered_jwt_sign (TEST_SECRET_KEY_ID, TEST_SECRET, claims);
  g_assert_nonnull (token);

  if (guarded_secrets != NULL)
    g_ptr_array_add (guarded_secrets, g_strdup (token));

  return token;
}

typedef struct {
  GPtrArray *names;   /* const char *, interned by the pspecs */
  GArray    *values;  /* GValue */
} PropList;

static void
prop_list_set (PropList     *list,
               GParamSpec   *pspec,
               const GValue *value)
{
  for (guint i = 0; i < list->names->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (list->names, i), pspec->name))
        {
          GValue *slot = &g_array_index (list->values, GValue, i);

          g_value_unset (slot);
          g_value_init (slot, pspec->value_type);
          g_value_copy (value, slot);
          return;
        }
    }

  g_ptr_array_add (list->names, (gpointer) pspec->name);
  g_array_set_size (list->values, list->values->len + 1);
  g_value_init (&g_array_index (list->values, GValue, list->values->len - 1), pspec->value_type);
  g_value_copy (value, &g_array_index (list->values, GValue, list->values->len - 1));
}

static void
prop_list_set_literal (PropList   *list,
                       GObjectClass *klass,
                       const char *name,
                       ...)
{
  GParamSpec *pspec = g_object_class_find_property (klass, name);
  GValue value = G_VALUE_INIT;
  g_autofree char *error = NULL;
  va_list args;

  g_assert_nonnull (pspec);
  va_start (args, name);
  G_VALUE_COLLECT_INIT (&value, pspec->value_type, args, 0, &error);
  va_end (args);
  g_assert_null (error);

  prop_list_set (list, pspec, &value);
  g_value_unset (&value);
}

static MeteredClient *
new_client_valist (MeteredDevServer         *server,
                   MeteredTokenProviderFunc  provider,
                   gpointer                  user_data,
                   const char               *first_property,
                   va_list                   args)
{
  g_autoptr(GTypeClass) type_class = g_type_class_ref (METERED_TYPE_CLIENT);
  GObjectClass *klass = G_OBJECT_CLASS (type_class);
  g_autoptr(MeteredReconnectOptions) reconnect = metered_reconnect_options_new ();
  g_autoptr(MeteredClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = test_server_url (server);
  PropList list;

  list.names = g_ptr_array_new ();
  list.values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (list.values, (GDestroyNotify) g_value_unset);

  /* Short timers keep the suite fast; tests override what they exercise. */
  reconnect->initial_delay = 0.05;
  reconnect->max_delay = 0.2;
  reconnect->jitter_ratio = 0;

  prop_list_set_literal (&list, klass, "url", url);
  if (provider == NULL)
    prop_list_set_literal (&list, klass, "api-key", TEST_API_KEY);
  prop_list_set_literal (&list, klass, "welcome-timeout", 3.0 * test_timeout_scale ());
  prop_list_set_literal (&list, klass, "ack-timeout", 3.0 * test_timeout_scale ());
  prop_list_set_literal (&list, klass, "replay-retry-delay", 0.05);
  prop_list_set_literal (&list, klass, "reconnect-options", reconnect);

  for (const char *name = first_property; name != NULL; name = va_arg (args, const char *))
    {
      GParamSpec *pspec = g_object_class_find_property (klass, name);
      GValue value = G_VALUE_INIT;
      g_autofree char *collect_error = NULL;

      g_assert_nonnull (pspec);
      G_VALUE_COLLECT_INIT (&value, pspec->value_type, args, 0, &collect_error);
      g_assert_null (collect_error);
      prop_list_set (&list, pspec, &value);
      g_value_unset (&value);
    }

  client = (MeteredClient *) g_object_new_with_properties (METERED_TYPE_CLIENT, list.names->len,
                                                           (const char **) list.names->pdata,
                                                           (const GValue *) list.values->data);
  g_ptr_array_unref (list.names);
  g_array_unref (list.values);

  if (provider != NULL)
    metered_client_set_token_provider (client, provider, user_data, NULL);

  g_initable_init (G_INITABLE (client), NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&client);
}

MeteredClient *
test_client_new (MeteredDevServer *server,
                 const char       *first_property,
                 ...)
{
  MeteredClient *client;
  va_list args;

  va_start (args, first_property);
  client = new_client_valist (server, NULL, NULL, first_property, args);
  va_end (args);

  return client;
}

MeteredClient *
test_client_new_with_provider (MeteredDevServer         *server,
                               MeteredTokenProviderFunc  provider,
                               gpointer                  user_data,
                               const char               *first_property,
                               ...)
{
  MeteredClient *client;
  va_list args;

  va_start (args, first_property);
  client = new_client_valist (server, provider, user_data, first_property, args);
  va_end (args);

  return client;
}

TestCall *
test_call_new (void)
{
  return g_new0 (TestCall, 1);
}

void
test_call_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  TestCall *call = data;

  g_assert_null (call->result);
  call->result = g_object_ref (result);
}

GAsyncResult *
test_call_wait (TestCall *call)
{
  test_wait_for (call->result != NULL, 30);
  return call->result;
}

void
test_call_free (TestCall *call)
{
  g_clear_object (&call->result);
  g_free (call);
}

gboolean
test_connect (MeteredClient  *client,
              GError        **error)
{
  g_autoptr(TestCall) call = test_call_new ();

  metered_client_connect_async (client, NULL, test_call_cb, call);
  return metered_client_connect_finish (client, test_call_wait (call), error);
}

void
test_connect_ok (MeteredClient *client)
{
  g_autoptr(GError) error = NULL;

  test_connect (client, &error);
  g_assert_no_error (error);
  g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CONNECTED);
}

gboolean
test_close (MeteredClient  *client,
            int             code,
            const char     *reason,
            GError        **error)
{
  g_autoptr(TestCall) call = test_call_new ();

  metered_client_close_async (client, code, reason, NULL, test_call_cb, call);
  return metered_client_close_finish (client, test_call_wait (call), error);
}

gboolean
test_subscribe (MeteredClient          *client,
                const char             *channel,
                MeteredSubscribeFlags   flags,
                GError                **error)
{
  g_autoptr(TestCall) call = test_call_new ();

  metered_client_subscribe_async (client, channel, flags, NULL, test_call_cb, call);
  return metered_client_subscribe_finish (client, test_call_wait (call), error);
}

gboolean
test_unsubscribe (MeteredClient  *client,
                  const char     *channel,
                  GError        **error)
{
  g_autoptr(TestCall) call = test_call_new ();

  metered_client_unsubscribe_async (client, channel, NULL, test_call_cb, call);
  return metered_client_unsubscribe_finish (client, test_call_wait (call), error);
}

gboolean
test_publish (MeteredClient  *client,
              const char     *channel,
              const char     *json,
              GError        **error)
{
  g_autoptr(TestCall) call = test_call_new ();

  metered_client_publish_text_async (client, channel, json, NULL, test_call_cb, call);
  return metered_client_publish_text_finish (client, test_call_wait (call), error);
}

gboolean
test_send (MeteredClient  *client,
           const char     *to,
           const char     *json,
           GError        **error)
{
  g_autoptr(TestCall) call = test_call_new ();

  metered_client_send_text_async (client, to, json, NULL, test_call_cb, call);
  return metered_client_send_text_finish (client, test_call_wait (call), error);
}

/* Recorder. */

static void
on_state_changed (MeteredClient      *client,
                  MeteredClientState  from,
                  MeteredClientState  to,
                  TestRecorder       *recorder)
{
  g_assert_cmpint (from, !=, to);
  if (recorder->states->len > 0)
    g_assert_cmpint (g_array_index (recorder->states, MeteredClientState, recorder->states->len - 1), ==, from);
  g_array_append_val (recorder->states, to);
}

static void
on_event (MeteredClient *client,
          GObject       *event,
          GPtrArray     *into)
{
  g_ptr_array_add (into, g_object_ref (event));
}

static void
on_reconnect (MeteredClient *client,
              guint          attempt,
              double         delay,
              gpointer       data)
{
  TestRecorder *recorder = data;
  double *boxed = g_new (double, 1);

  *boxed = delay;
  g_assert_cmpuint (attempt, >=, 1);
  g_ptr_array_add (recorder->reconnects, boxed);
}

static void
on_frame (MeteredClient *client,
          gboolean       outgoing,
          const char    *text,
          gpointer       data)
{
  TestRecorder *recorder = data;

  g_ptr_array_add (outgoing ? recorder->frames_out : recorder->frames_in, g_strdup (text));
}

TestRecorder *
test_recorder_new (MeteredClient *client)
{
  TestRecorder *recorder = g_new0 (TestRecorder, 1);
  struct {
    const char  *signal;
    GPtrArray  **array;
  } events[] = {
    { "connected", &recorder->connected },
    { "disconnected", &recorder->disconnected },
    { "message", &recorder->messages },
    { "direct", &recorder->directs },
    { "presence", &recorder->presences },
    { "server-error", &recorder->server_errors },
    { "going-away", &recorder->going_aways },
    { "token-provider-error", &recorder->token_errors },
  };

  recorder->client = g_object_ref (client);
  recorder->states = g_array_new (FALSE, FALSE, sizeof (MeteredClientState));
  recorder->reconnects = g_ptr_array_new_with_free_func (g_free);
  recorder->frames_out = g_ptr_array_new_with_free_func (g_free);
  recorder->frames_in = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (client, "state-changed", G_CALLBACK (on_state_changed), recorder);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      *events[i].array = g_ptr_array_new_with_free_func (g_object_unref);
      g_signal_connect (client, events[i].signal, G_CALLBACK (on_event), *events[i].array);
    }

  metered_client_set_reconnect_observer (client, on_reconnect, recorder);
  metered_client_set_frame_observer (client, on_frame, recorder);

  return recorder;
}

void
test_recorder_free (TestRecorder *recorder)
{
  g_signal_handlers_disconnect_by_data (recorder->client, recorder);
  g_signal_handlers_disconnect_by_data (recorder->client, recorder->connected);
  g_signal_handlers_disconnect_by_data (recorder->client, recorder->disconnected);
  g_signal_handlers_disconnect_by_data (recorder->client, recorder->messages);
  g_signal_handlers_disconnect_by_data (recorder->client, recorder->directs);
  g_signal_handlers_disconnect_by_data (recorder->client, recorder->presences);
  g_signal_handlers_disconnect_by_data (recorder->client, recorder->server_errors);
  g_signal_handlers_disconnect_by_data (recorder->client, recorder->going_aways);
  g_signal_handlers_disconnect_by_data (recorder->client, recorder->token_errors);
  metered_client_set_reconnect_observer (recorder->client, NULL, NULL);
  metered_client_set_frame_observer (recorder->client, NULL, NULL);

  g_array_unref (recorder->states);
  g_ptr_array_unref (recorder->connected);
  g_ptr_array_unref (recorder->disconnected);
  g_ptr_array_unref (recorder->messages);
  g_ptr_array_unref (recorder->directs);
  g_ptr_array_unref (recorder->presences);
  g_ptr_array_unref (recorder->server_errors);
  g_ptr_array_unref (recorder->going_aways);
  g_ptr_array_unref (recorder->token_errors);
  g_ptr_array_unref (recorder->reconnects);
  g_ptr_array_unref (recorder->frames_out);
  g_ptr_array_unref (recorder->frames_in);
  g_object_unref (recorder->client);
  g_free (recorder);
}

guint
test_recorder_count_out (TestRecorder *recorder,
                         const char   *substring)
{
  guint n = 0;

  for (guint i = 0; i < recorder->frames_out->len; i++)
    {
      if (strstr (g_ptr_array_index (recorder->frames_out, i), substring) != NULL)
        n++;
    }

  return n;
}

/* Log guard. */

static GLogWriterOutput
guard_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  /* The library's own domains: the local server is tested on its own. */
  if (message != NULL && domain != NULL &&
      g_str_has_prefix (domain, "metered-") && !g_str_has_prefix (domain, "metered-dev"))
    {
      for (guint i = 0; i < guarded_secrets->len; i++)
        {
          if (strstr (message, g_ptr_array_index (guarded_secrets, i)) != NULL)
            {
              fprintf (stderr, "A secret leaked into a log message of domain %s\n", domain);
              abort ();
            }
        }
    }

  return g_log_writer_default (log_level, fields, n_fields, data);
}

void
test_guard_logs (const char * const *secrets)
{
  if (guarded_secrets == NULL)
    {
      guarded_secrets = g_ptr_array_new_with_free_func (g_free);
      g_log_set_writer_func (guard_writer, NULL, NULL);
    }

  for (guint i = 0; secrets != NULL && secrets[i] != NULL; i++)
    g_ptr_array_add (guarded_secrets, g_strdup (secrets[i]));
}

void
test_init (int    *argc,
           char ***argv)
{
  const char * const secrets[] = { TEST_API_KEY, TEST_SECRET, NULL };

  g_test_init (argc, argv, NULL);
  test_guard_logs (secrets);
}
