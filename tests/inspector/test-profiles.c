/* test-profiles.c: connection profiles, their secrets, saved payloads
 *
 * Runs inside tests/inspector/keyring-run.sh: a private session bus with a
 * real gnome-keyring, unlocked, in a temporary home. Settings use a fresh
 * memory backend per test, or a keyfile in a temporary directory where a
 * "restart" is tested. Saved payloads are sent over the local sandbox.
 *
 * The widget tests at the end skip themselves without a display.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-profiles"

#include <math.h>
#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gmodule.h>
#include <gdk/x11/gdkx.h>
#include <gtksourceview/gtksource.h>
#include <metered.h>

#include "inspector-compose-pane.h"
#include "inspector-connect-dialog.h"
#include "inspector-connection.h"
#include "inspector-error.h"
#include "inspector-log-entry.h"
#include "inspector-profile-list.h"
#include "inspector-profile-store.h"

#include "inspector-test-util.h"

#define MAIN_SCHEMA   "io.github.metered_inspector.Inspector"

/* Recognizable values, to look for where they must not be. */
#define API_KEY       "pk_live_TESTSECRETapikey0123456789"
#define TOKEN_SECRET  "sk_secret_TESTSECRETsigning0123456789"

static gboolean have_display;

static GSettings *
memory_settings (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();

  return g_settings_new_with_backend (MAIN_SCHEMA, backend);
}

/* Async results, waited for. */

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  g_assert_true (inspector_test_wait_until (inspector_test_is_set, slot));

  return g_steal_pointer (slot);
}

static InspectorProfile *
add_profile (InspectorProfileStore          *store,
             const char                     *name,
             const InspectorConnectOptions  *options,
             GError                        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  inspector_profile_store_add_async (store, name, options, NULL, on_result, &slot);
  result = wait_result (&slot);

  return inspector_profile_store_add_finish (store, result, error);
}

static InspectorConnectOptions *
load_options (InspectorProfile  *profile,
              GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  inspector_profile_load_options_async (profile, NULL, on_result, &slot);
  result = wait_result (&slot);

  return inspector_profile_load_options_finish (profile, result, error);
}

static gboolean
update_profile (InspectorProfileStore          *store,
                InspectorProfile               *profile,
                const char                     *name,
                const InspectorConnectOptions  *options,
                GError                        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  inspector_profile_store_update_async (store, profile, name, options, NULL, on_result, &slot);
  result = wait_result (&slot);

  return inspector_profile_store_update_finish (store, result, error);
}

static InspectorProfile *
duplicate_profile (InspectorProfileStore  *store,
                   InspectorProfile       *profile,
                   GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  inspector_profile_store_duplicate_async (store, profile, NULL, on_result, &slot);
  result = wait_result (&slot);

  return inspector_profile_store_duplicate_finish (store, result, error);
}

static gboolean
delete_profile (InspectorProfileStore  *store,
                InspectorProfile       *profile,
                GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  inspector_profile_store_delete_async (store, profile, NULL, on_result, &slot);
  result = wait_result (&slot);

  return inspector_profile_store_delete_finish (store, result, error);
}

/* The keyring, read directly. */

static char *
keyring_lookup (const char *profile_id,
                const char *kind)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_sync (inspector_secret_store_get_schema (), NULL, &error,
                                        "profile-id", profile_id, "kind", kind, NULL);
  g_assert_no_error (error);

  return secret;
}

static GList *
keyring_items (const char *profile_id)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  GList *items;

  g_hash_table_insert (attributes, (gpointer) "profile-id", (gpointer) profile_id);
  items = secret_service_search_sync (NULL, inspector_secret_store_get_schema (), attributes,
                                      SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                      NULL, &error);
  g_assert_no_error (error);

  return items;
}

static gboolean
keyring_empty (gpointer profile_id)
{
  GList *items = keyring_items (profile_id);

  g_list_free_full (items, g_object_unref);

  return items == NULL;
}

/* Every value of every key, main schema and each profile, as text. */
static char *
dump_settings (GSettings             *main_settings,
               InspectorProfileStore *store)
{
  GString *dump = g_string_new (NULL);
  GSettings *all[64] = { main_settings };
  guint n = 1;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)) && n < G_N_ELEMENTS (all); i++)
    {
      g_autoptr(InspectorProfile) profile = g_list_model_get_item (G_LIST_MODEL (store), i);

      all[n++] = inspector_profile_get_settings (profile);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GSettingsSchema) schema = NULL;
      g_auto(GStrv) keys = NULL;

      g_object_get (all[i], "settings-schema", &schema, NULL);
      keys = g_settings_schema_list_keys (schema);
      for (guint k = 0; keys[k] != NULL; k++)
        {
          g_autoptr(GVariant) value = g_settings_get_value (all[i], keys[k]);
          g_autofree char *text = g_variant_print (value, FALSE);

          g_string_append_printf (dump, "%s=%s\n", keys[k], text);
        }
    }

  return g_string_free (dump, FALSE);
}

static gboolean
strv_equal (char **a,
            char **b)
{
  guint n_a = a != NULL ? g_strv_length (a) : 0;
  guint n_b = b != NULL ? g_strv_length (b) : 0;

  if (n_a != n_b)
    return FALSE;

  for (guint i = 0; i < n_a; i++)
    if (!g_str_equal (a[i], b[i]))
      return FALSE;

  return TRUE;
}

static InspectorConnectOptions *
signed_options (void)
{
  InspectorConnectOptions *options = inspector_connect_options_new (INSPECTOR_AUTH_SIGNED_TOKEN);

  g_free (options->url);
  options->url = g_strdup ("ws://127.0.0.1:45678");
  options->key_id = g_strdup ("sk_id_profiles");
  options->secret = g_strdup (TOKEN_SECRET);
  options->subject = g_strdup ("profile-peer");
  options->channels = g_strsplit ("room/*,alerts", ",", -1);
  options->permissions = g_strsplit ("subscribe,publish", ",", -1);
  options->peer_metadata = g_strdup ("{\"name\":\"Profile Test\"}");
  options->lifetime = 7200;
  options->reconnect.initial_delay = 0.25;
  options->reconnect.multiplier = 3.0;
  options->reconnect.max_delay = 12.5;
  options->reconnect.jitter_ratio = 0.1;
  options->reconnect.max_attempts = 42;
  options->inactivity_timeout = 90;
  options->auto_resubscribe = FALSE;
  options->subscribe = g_strsplit ("room/1,alerts", ",", -1);

  return options;
}

static InspectorConnectOptions *
api_key_options (void)
{
  InspectorConnectOptions *options = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);

  options->api_key = g_strdup (API_KEY);
  options->reconnect.max_attempts = INFINITY;

  return options;
}

static void
assert_options_equal (const InspectorConnectOptions *a,
                      const InspectorConnectOptions *b)
{
  g_assert_cmpint (a->mode, ==, b->mode);
  g_assert_cmpstr (a->url, ==, b->url);
  g_assert_cmpstr (a->api_key, ==, b->api_key);
  g_assert_cmpstr (a->token, ==, b->token);
  g_assert_cmpstr (a->secret, ==, b->secret);
  g_assert_cmpstr (a->key_id != NULL && a->key_id[0] != '\0' ? a->key_id : NULL, ==,
                   b->key_id != NULL && b->key_id[0] != '\0' ? b->key_id : NULL);
  g_assert_cmpstr (a->subject != NULL && a->subject[0] != '\0' ? a->subject : NULL, ==,
                   b->subject != NULL && b->subject[0] != '\0' ? b->subject : NULL);
  g_assert_true (strv_equal (a->channels, b->channels));
  g_assert_true (strv_equal (a->permissions, b->permissions));
  g_assert_cmpstr (a->peer_metadata, ==, b->peer_metadata);
  g_assert_cmpuint (a->lifetime, ==, b->lifetime);
  g_assert_cmpfloat (a->reconnect.initial_delay, ==, b->reconnect.initial_delay);
  g_assert_cmpfloat (a->reconnect.multiplier, ==, b->reconnect.multiplier);
  g_assert_cmpfloat (a->reconnect.max_delay, ==, b->reconnect.max_delay);
  g_assert_cmpfloat (a->reconnect.jitter_ratio, ==, b->reconnect.jitter_ratio);
  g_assert_cmpfloat (a->reconnect.max_attempts, ==, b->reconnect.max_attempts);
  g_assert_cmpfloat (a->inactivity_timeout, ==, b->inactivity_timeout);
  g_assert_cmpint (a->auto_resubscribe, ==, b->auto_resubscribe);
  g_assert_true (strv_equal (a->subscribe, b->subscribe));
}

/* Model tests. */

static void
test_round_trip (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(InspectorProfileStore) store = inspector_profile_store_new (settings);
  g_autoptr(InspectorConnectOptions) signing = signed_options ();
  g_autoptr(InspectorConnectOptions) keyed = api_key_options ();
  g_autoptr(InspectorConnectOptions) token = inspector_connect_options_new (INSPECTOR_AUTH_TOKEN);
  g_autoptr(InspectorConnectOptions) loaded = NULL;
  g_autoptr(InspectorProfile) first = NULL;
  g_autoptr(InspectorProfile) second = NULL;
  g_autoptr(InspectorProfile) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *dump = NULL;
  g_autofree char *minted = NULL;
  g_auto(GStrv) ids = NULL;
  GList *items;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_null (inspector_profile_store_get_problem (store));

  first = add_profile (store, "  Signed <&> profile ", signing, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpstr (inspector_profile_get_name (first), ==, "Signed <&> profile");
  g_assert_cmpstr (inspector_profile_get_subtitle (first), ==, "127.0.0.1:45678 · signed token for profile-peer");

  loaded = load_options (first, &error);
  g_assert_no_error (error);
  assert_options_equal (loaded, signing);
  g_clear_pointer (&loaded, inspector_connect_options_free);

  second = add_profile (store, "Keyed", keyed, &error);
  g_assert_no_error (error);
  loaded = load_options (second, &error);
  g_assert_no_error (error);
  assert_options_equal (loaded, keyed);
  g_assert_cmpstr (loaded->url, ==, METERED_DEFAULT_URL);
  g_clear_pointer (&loaded, inspector_connect_options_free);

  /* A token profile, with a token minted from the first one's secret. */
  minted = inspector_connect_options_mint_token (signing, g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  token->token = g_strdup (minted);
  third = add_profile (store, "Token", token, &error);
  g_assert_no_error (error);
  loaded = load_options (third, &error);
  g_assert_no_error (error);
  assert_options_equal (loaded, token);
  g_clear_pointer (&loaded, inspector_connect_options_free);

  /* Listed in order, under the main schema's key. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  ids = g_settings_get_strv (settings, "profiles");
  g_assert_cmpuint (g_strv_length (ids), ==, 3);
  g_assert_cmpstr (ids[0], ==, inspector_profile_get_id (first));
  g_assert_cmpstr (ids[1], ==, inspector_profile_get_id (second));
  g_assert_cmpstr (ids[2], ==, inspector_profile_get_id (third));

  /* The secrets are in the keyring, one item each, labelled without them. */
  stored = keyring_lookup (inspector_profile_get_id (first), "signing-secret");
  g_assert_cmpstr (stored, ==, TOKEN_SECRET);
  g_clear_pointer (&stored, secret_password_free);
  stored = keyring_lookup (inspector_profile_get_id (second), "api-key");
  g_assert_cmpstr (stored, ==, API_KEY);
  g_clear_pointer (&stored, secret_password_free);
  stored = keyring_lookup (inspector_profile_get_id (third), "token");
  g_assert_cmpstr (stored, ==, minted);
  g_clear_pointer (&stored, secret_password_free);

  items = keyring_items (inspector_profile_get_id (second));
  g_assert_cmpuint (g_list_length (items), ==, 1);
  {
    g_autofree char *label = secret_item_get_label (items->data);

    g_assert_cmpstr (label, ==, "Metered Inspector publishable key for “Keyed”");
  }
  g_list_free_full (items, g_object_unref);

  /* ...and in no setting. */
  dump = dump_settings (settings, store);
  g_assert_nonnull (strstr (dump, "sk_id_profiles"));
  g_assert_null (strstr (dump, API_KEY));
  g_assert_null (strstr (dump, TOKEN_SECRET));
  g_assert_null (strstr (dump, minted));

  /* Updating to another method replaces the secret and drops the old one. */
  g_assert_true (update_profile (store, second, "Keyed, now signed", signing, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (inspector_profile_get_name (second), ==, "Keyed, now signed");
  stored = keyring_lookup (inspector_profile_get_id (second), "api-key");
  g_assert_null (stored);
  stored = keyring_lookup (inspector_profile_get_id (second), "signing-secret");
  g_assert_cmpstr (stored, ==, TOKEN_SECRET);
  g_clear_pointer (&stored, secret_password_free);
  loaded = load_options (second, &error);
  g_assert_no_error (error);
  assert_options_equal (loaded, signing);
  g_clear_pointer (&loaded, inspector_connect_options_free);

  /* Invalid options are refused before anything is written. */
  g_free (keyed->api_key);
  keyed->api_key = g_strdup ("  ");
  g_assert_null (add_profile (store, "Blank key", keyed, &error));
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (add_profile (store, "  ", signing, &error));
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID);
  g_clear_error (&error);
  signing->lifetime = 30;
  g_assert_false (update_profile (store, first, "Too short", signing, &error));
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "“Token lifetime” is out of the range a profile can keep.");
  g_clear_error (&error);
  g_assert_cmpstr (inspector_profile_get_name (first), ==, "Signed <&> profile");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);

  /* Reordering. */
  g_assert_true (inspector_profile_store_move (store, third, 0));
  g_clear_pointer (&ids, g_strfreev);
  ids = g_settings_get_strv (settings, "profiles");
  g_assert_cmpstr (ids[0], ==, inspector_profile_get_id (third));
  g_assert_cmpstr (ids[1], ==, inspector_profile_get_id (first));
  g_assert_cmpstr (ids[2], ==, inspector_profile_get_id (second));

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(InspectorProfile) profile = g_list_model_get_item (G_LIST_MODEL (store), 0);

      g_assert_true (delete_profile (store, profile, &error));
      g_assert_no_error (error);
    }
}

static void
test_duplicate_and_delete (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(InspectorProfileStore) store = inspector_profile_store_new (settings);
  g_autoptr(InspectorConnectOptions) keyed = api_key_options ();
  g_autoptr(InspectorConnectOptions) loaded = NULL;
  g_autoptr(InspectorProfile) original = NULL;
  g_autoptr(InspectorProfile) other = NULL;
  g_autoptr(InspectorProfile) copy = NULL;
  g_autoptr(InspectorSavedPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *copy_id = NULL;
  g_autofree char *original_id = NULL;
  GSettings *profile_settings;
  GList *items;

  original = add_profile (store, "Original", keyed, &error);
  g_assert_no_error (error);
  other = add_profile (store, "Other", keyed, &error);
  g_assert_no_error (error);
  payload = inspector_saved_payload_new ("hello", FALSE, "room/1", "{\"a\":1}", &error);
  g_assert_no_error (error);
  g_assert_true (inspector_profile_save_payload (original, payload, &error));

  /* The copy comes right after the original, secrets and payloads too. */
  copy = duplicate_profile (store, original, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  g_assert_cmpstr (inspector_profile_get_name (copy), ==, "Original (copy)");
  g_assert_cmpstr (inspector_profile_get_id (copy), !=, inspector_profile_get_id (original));
  {
    g_autoptr(InspectorProfile) at_1 = g_list_model_get_item (G_LIST_MODEL (store), 1);

    g_assert_true (at_1 == copy);
  }
  g_assert_cmpuint (g_list_model_get_n_items (inspector_profile_get_payloads (copy)), ==, 1);
  g_assert_nonnull (inspector_profile_find_payload (copy, "hello"));

  stored = keyring_lookup (inspector_profile_get_id (copy), "api-key");
  g_assert_cmpstr (stored, ==, API_KEY);
  g_clear_pointer (&stored, secret_password_free);
  items = keyring_items (inspector_profile_get_id (copy));
  g_assert_cmpuint (g_list_length (items), ==, 1);
  {
    g_autofree char *label = secret_item_get_label (items->data);

    g_assert_cmpstr (label, ==, "Metered Inspector publishable key for “Original (copy)”");
  }
  g_list_free_full (items, g_object_unref);
  loaded = load_options (copy, &error);
  g_assert_no_error (error);
  assert_options_equal (loaded, keyed);

  /* Deleting the original leaves the copy whole. */
  original_id = g_strdup (inspector_profile_get_id (original));
  profile_settings = inspector_profile_get_settings (original);
  g_assert_true (delete_profile (store, original, &error));
  g_assert_no_error (error);
  g_assert_null (inspector_profile_store_find (store, original_id));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  items = keyring_items (original_id);
  g_assert_null (items);
  {
    g_autoptr(GVariant) name = g_settings_get_user_value (profile_settings, "name");
    g_autoptr(GVariant) payloads = g_settings_get_user_value (profile_settings, "saved-payloads");

    g_assert_null (name);
    g_assert_null (payloads);
  }
  stored = keyring_lookup (inspector_profile_get_id (copy), "api-key");
  g_assert_cmpstr (stored, ==, API_KEY);
  g_clear_pointer (&stored, secret_password_free);

  /* Deleting the copy clears its secret too. */
  copy_id = g_strdup (inspector_profile_get_id (copy));
  g_assert_true (delete_profile (store, copy, &error));
  g_assert_no_error (error);
  stored = keyring_lookup (copy_id, "api-key");
  g_assert_null (stored);

  /* Gone profiles cannot be changed. */
  g_assert_false (delete_profile (store, copy, &error));
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (duplicate_profile (store, copy, &error));
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (delete_profile (store, other, &error));
  g_assert_no_error (error);
}

static void
test_bad_stored_values (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(InspectorProfileStore) store = NULL;
  g_autoptr(InspectorProfileStore) again = NULL;
  g_autoptr(InspectorConnectOptions) keyed = api_key_options ();
  g_autoptr(InspectorConnectOptions) loaded = NULL;
  g_autoptr(InspectorProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariantBuilder) payloads = NULL;
  const char *bad_ids[] = { "ok-1", "bad/id", "", "ok-1", "../up", "ok-2", NULL };
  InspectorProfile *first;
  InspectorProfile *second;
  const char *problem;

  /* Ids that cannot be paths, or listed twice, are ignored and named. */
  g_settings_set_strv (settings, "profiles", bad_ids);
  store = inspector_profile_store_new (settings);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  problem = inspector_profile_store_get_problem (store);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "Ignored 4 stored profile ids"));
  g_assert_nonnull (strstr (problem, "“bad/id”"));
  g_assert_nonnull (strstr (problem, "“../up”"));

  /* A listed profile whose secret is not in the keyring: a clear error. */
  first = inspector_profile_store_find (store, "ok-1");
  g_assert_nonnull (first);
  g_settings_set_enum (inspector_profile_get_settings (first), "auth-mode", INSPECTOR_AUTH_TOKEN);
  g_settings_set_string (inspector_profile_get_settings (first), "name", "No secret");
  g_assert_cmpstr (inspector_profile_get_name (first), ==, "No secret");
  loaded = load_options (first, &error);
  g_assert_null (loaded);
  g_assert_error (error, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "token"));
  g_clear_error (&error);

  /* Settings edited into something the dialog would refuse. */
  second = inspector_profile_store_find (store, "ok-2");
  g_settings_set_enum (inspector_profile_get_settings (second), "auth-mode", INSPECTOR_AUTH_SANDBOX);
  g_settings_set_string (inspector_profile_get_settings (second), "name", "Odd");
  g_settings_set_strv (inspector_profile_get_settings (second), "subscribe",
                       (const char * const[]) { "room\tbad", NULL });
  loaded = load_options (second, &error);
  g_assert_null (loaded);
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“Odd”"));
  g_assert_nonnull (strstr (error->message, "Cannot subscribe to “room\tbad”"));
  g_clear_error (&error);

  /* Saved payloads that could not be sent as stored are ignored, named. */
  payloads = g_variant_builder_new (G_VARIANT_TYPE ("a(ssss)"));
  g_variant_builder_add (payloads, "(ssss)", "good", "publish", "room/1", "{\"ok\":true}");
  g_variant_builder_add (payloads, "(ssss)", "weird kind", "shout", "room/1", "{}");
  g_variant_builder_add (payloads, "(ssss)", "not json", "send", "peer-1", "{nope");
  g_variant_builder_add (payloads, "(ssss)", "good", "send", "peer-1", "[]");
  g_variant_builder_add (payloads, "(ssss)", "", "publish", "room/1", "{}");
  g_variant_builder_add (payloads, "(ssss)", "bad channel", "publish", "bad\x01channel", "{}");
  g_variant_builder_add (payloads, "(ssss)", "direct", "send", "peer-1", "[1, 2]");
  g_settings_set_value (inspector_profile_get_settings (second), "saved-payloads",
                        g_variant_builder_end (payloads));
  g_assert_cmpuint (g_list_model_get_n_items (inspector_profile_get_payloads (second)), ==, 2);
  problem = inspector_profile_get_problem (second);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "Ignored 5 stored payloads"));
  g_assert_nonnull (strstr (problem, "“weird kind”: unknown kind “shout”"));
  g_assert_nonnull (strstr (problem, "“not json”: Not JSON"));
  g_assert_nonnull (strstr (problem, "“good”: another saved payload has the same name"));
  g_assert_nonnull (strstr (problem, "“bad channel”"));
  g_assert_true (inspector_saved_payload_get_peer (inspector_profile_find_payload (second, "direct")));

  /* Saving writes back only what was valid, and the problem goes. */
  g_assert_true (inspector_profile_delete_payload (second, "good", &error));
  g_assert_no_error (error);
  g_assert_null (inspector_profile_get_problem (second));
  g_assert_cmpuint (g_list_model_get_n_items (inspector_profile_get_payloads (second)), ==, 1);

  /* A new profile rewrites the list without the ignored ids. */
  profile = add_profile (store, "Fresh", keyed, &error);
  g_assert_no_error (error);
  g_assert_null (inspector_profile_store_get_problem (store));
  {
    g_auto(GStrv) ids = g_settings_get_strv (settings, "profiles");

    g_assert_cmpuint (g_strv_length (ids), ==, 3);
    g_assert_cmpstr (ids[0], ==, "ok-1");
    g_assert_cmpstr (ids[1], ==, "ok-2");
  }

  /* A second store on the same settings agrees, and follows changes. */
  again = inspector_profile_store_new (settings);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);
  g_assert_true (inspector_profile_store_move (store, profile, 0));
  {
    g_autoptr(InspectorProfile) head = g_list_model_get_item (G_LIST_MODEL (again), 0);

    g_assert_cmpstr (inspector_profile_get_id (head), ==, inspector_profile_get_id (profile));
  }

  g_assert_true (delete_profile (store, profile, &error));
  g_assert_no_error (error);
}

/* Saved payloads, sent over the sandbox. */

typedef struct {
  InspectorConnection *connection;
  InspectorLogKind     kind;
  const char          *text;
} RowQuery;

static gboolean
row_arrived (gpointer data)
{
  RowQuery *query = data;
  InspectorLogStore *log = inspector_connection_get_log (query->connection);
  guint n;

  inspector_log_store_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *text = inspector_log_entry_dup_text (entry);

      if (inspector_log_entry_get_kind (entry) == query->kind && g_strcmp0 (text, query->text) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_subscribed (gpointer data)
{
  InspectorChannel *channel = inspector_connection_find_channel (data, "room/saved");

  return channel != NULL && inspector_channel_get_state (channel) == INSPECTOR_CHANNEL_STATE_SUBSCRIBED;
}

typedef struct {
  InspectorConnection *sender;
  InspectorConnection *listener;
} Sandbox;

static void
sandbox_start (Sandbox *sandbox)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  g_autoptr(InspectorConnectOptions) listener = NULL;

  sandbox->sender = inspector_connection_new (options);
  inspector_connection_start (sandbox->sender);
  g_assert_true (inspector_test_wait_until (inspector_test_is_connected, sandbox->sender));

  /* A second peer on the same sandbox, subscribed where we publish. */
  g_strfreev (options->subscribe);
  options->subscribe = g_strsplit ("room/saved", ",", -1);
  listener = inspector_sandbox_dup_connect_options (inspector_connection_get_sandbox (sandbox->sender), options);
  g_free (listener->subject);
  listener->subject = g_strdup ("listener");
  sandbox->listener = inspector_connection_new (listener);
  inspector_connection_start (sandbox->listener);
  g_assert_true (inspector_test_wait_until (inspector_test_is_connected, sandbox->listener));
  g_assert_true (inspector_test_wait_until (is_subscribed, sandbox->listener));
}

static void
sandbox_stop (Sandbox *sandbox)
{
  g_object_run_dispose (G_OBJECT (sandbox->listener));
  g_object_run_dispose (G_OBJECT (sandbox->sender));
  g_clear_object (&sandbox->listener);
  g_clear_object (&sandbox->sender);
}

static void
resend (InspectorSavedPayload  *payload,
        InspectorConnection    *connection,
        GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  gint64 rtt = -1;

  inspector_saved_payload_send_async (payload, connection, NULL, on_result, &slot);
  result = wait_result (&slot);
  if (inspector_saved_payload_send_finish (payload, result, &rtt, error))
    g_assert_cmpint (rtt, >=, 0);
}

static void
test_saved_payloads (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(InspectorProfileStore) store = inspector_profile_store_new (settings);
  g_autoptr(InspectorConnectOptions) sandbox_options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  g_autoptr(InspectorProfile) profile = NULL;
  g_autoptr(InspectorSavedPayload) greeting = NULL;
  g_autoptr(InspectorSavedPayload) direct = NULL;
  g_autoptr(InspectorSavedPayload) replaced = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *payloads;
  Sandbox sandbox = { 0 };
  RowQuery query;

  profile = add_profile (store, "Sandbox", sandbox_options, &error);
  g_assert_no_error (error);
  payloads = inspector_profile_get_payloads (profile);

  /* What cannot be sent cannot be saved. */
  g_assert_null (inspector_saved_payload_new ("  ", FALSE, "room/1", "{}", &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  g_clear_error (&error);
  g_assert_null (inspector_saved_payload_new ("x", FALSE, "bad\nchannel", "{}", &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  g_clear_error (&error);
  g_assert_null (inspector_saved_payload_new ("x", TRUE, "not a péer", "{}", &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  g_clear_error (&error);
  g_assert_null (inspector_saved_payload_new ("x", FALSE, "room/1", "{\"open\":", &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_JSON);
  g_clear_error (&error);

  /* Add, in order. */
  greeting = inspector_saved_payload_new (" Greeting ", FALSE, "room/saved", "{\"hello\": \"saved\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (inspector_saved_payload_get_name (greeting), ==, "Greeting");
  g_assert_true (inspector_profile_save_payload (profile, greeting, &error));
  direct = inspector_saved_payload_new ("Ping listener", TRUE, "listener", "[1,2,3]", &error);
  g_assert_no_error (error);
  g_assert_true (inspector_profile_save_payload (profile, direct, &error));
  g_assert_cmpuint (g_list_model_get_n_items (payloads), ==, 2);
  {
    g_autoptr(InspectorSavedPayload) at_0 = g_list_model_get_item (payloads, 0);
    g_autofree char *summary = inspector_saved_payload_dup_summary (at_0);

    g_assert_cmpstr (inspector_saved_payload_get_name (at_0), ==, "Greeting");
    g_assert_cmpstr (summary, ==, "Publish to room/saved");
  }

  /* Saving under an existing name replaces it in place. */
  replaced = inspector_saved_payload_new ("Greeting", FALSE, "room/saved", "{\"hello\":\"again\"}", &error);
  g_assert_no_error (error);
  g_assert_true (inspector_profile_save_payload (profile, replaced, &error));
  g_assert_cmpuint (g_list_model_get_n_items (payloads), ==, 2);
  g_assert_cmpstr (inspector_saved_payload_get_json (inspector_profile_find_payload (profile, "Greeting")), ==,
                   "{\"hello\":\"again\"}");

  /* Resend with one call: both arrive at the other peer. */
  sandbox_start (&sandbox);

  resend (inspector_profile_find_payload (profile, "Greeting"), sandbox.sender, &error);
  g_assert_no_error (error);
  query = (RowQuery) { sandbox.listener, INSPECTOR_LOG_KIND_MESSAGE, "{\"hello\":\"again\"}" };
  g_assert_true (inspector_test_wait_until (row_arrived, &query));

  resend (inspector_profile_find_payload (profile, "Ping listener"), sandbox.sender, &error);
  g_assert_no_error (error);
  query = (RowQuery) { sandbox.listener, INSPECTOR_LOG_KIND_DIRECT, "[1,2,3]" };
  g_assert_true (inspector_test_wait_until (row_arrived, &query));

  /* A server refusal comes back as an error, not silence. */
  {
    g_autoptr(InspectorSavedPayload) nobody = inspector_saved_payload_new ("Nobody", TRUE, "nobody-here", "{}", &error);

    g_assert_no_error (error);
    resend (nobody, sandbox.sender, &error);
    g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_PEER_NOT_FOUND);
    g_clear_error (&error);
  }

  sandbox_stop (&sandbox);

  /* Rename: in place; names stay unique. */
  g_assert_true (inspector_profile_rename_payload (profile, "Greeting", "Hello room", &error));
  g_assert_no_error (error);
  {
    g_autoptr(InspectorSavedPayload) at_0 = g_list_model_get_item (payloads, 0);

    g_assert_cmpstr (inspector_saved_payload_get_name (at_0), ==, "Hello room");
  }
  g_assert_false (inspector_profile_rename_payload (profile, "Hello room", "Ping listener", &error));
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (inspector_profile_rename_payload (profile, "Hello room", " ", &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  g_clear_error (&error);
  g_assert_false (inspector_profile_rename_payload (profile, "Missing", "Other", &error));
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Stored as (name, kind, target, json). */
  {
    g_autoptr(GVariant) stored = g_settings_get_value (inspector_profile_get_settings (profile), "saved-payloads");
    g_autofree char *text = g_variant_print (stored, FALSE);

    g_assert_cmpstr (text, ==,
                     "[('Hello room', 'publish', 'room/saved', '{\"hello\":\"again\"}'), "
                     "('Ping listener', 'send', 'listener', '[1,2,3]')]");
  }

  /* Delete. */
  g_assert_true (inspector_profile_delete_payload (profile, "Hello room", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (payloads), ==, 1);
  g_assert_false (inspector_profile_delete_payload (profile, "Hello room", &error));
  g_assert_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (delete_profile (store, profile, &error));
  g_assert_no_error (error);
}

static void
test_persistence (void)
{
  g_autofree char *dir = g_dir_make_tmp ("inspector-profiles-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "settings.ini", NULL);
  g_autoptr(InspectorConnectOptions) signing = signed_options ();
  g_autoptr(InspectorConnectOptions) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *broken = NULL;

  g_assert_nonnull (dir);

  /* First run. */
  {
    g_autoptr(GSettingsBackend) backend = g_keyfile_settings_backend_new (path, "/", NULL);
    g_autoptr(GSettings) settings = g_settings_new_with_backend (MAIN_SCHEMA, backend);
    g_autoptr(InspectorProfileStore) store = inspector_profile_store_new (settings);
    g_autoptr(InspectorProfile) profile = NULL;
    g_autoptr(InspectorSavedPayload) payload = NULL;

    profile = add_profile (store, "Kept", signing, &error);
    g_assert_no_error (error);
    id = g_strdup (inspector_profile_get_id (profile));
    payload = inspector_saved_payload_new ("kept payload", FALSE, "room/1", "{\"k\":1}", &error);
    g_assert_no_error (error);
    g_assert_true (inspector_profile_save_payload (profile, payload, &error));
    g_settings_sync ();
  }

  /* What reached the disk has no secret in it. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, id));
  g_assert_nonnull (strstr (contents, "kept payload"));
  g_assert_null (strstr (contents, TOKEN_SECRET));

  /* Second run: everything is back, the secret from the keyring. */
  {
    g_autoptr(GSettingsBackend) backend = g_keyfile_settings_backend_new (path, "/", NULL);
    g_autoptr(GSettings) settings = g_settings_new_with_backend (MAIN_SCHEMA, backend);
    g_autoptr(InspectorProfileStore) store = inspector_profile_store_new (settings);
    InspectorProfile *profile = inspector_profile_store_find (store, id);

    g_assert_nonnull (profile);
    g_assert_cmpstr (inspector_profile_get_name (profile), ==, "Kept");
    loaded = load_options (profile, &error);
    g_assert_no_error (error);
    assert_options_equal (loaded, signing);
    g_assert_nonnull (inspector_profile_find_payload (profile, "kept payload"));
  }

  /* Third run, after the file was edited by hand into nonsense: wrong
   * types and out of range values fall back to defaults, no crash. */
  broken = g_strdup_printf ("[io/github/metered_inspector/Inspector]\n"
                            "profiles=['%s', 42\n"
                            "[io/github/metered_inspector/Inspector/profiles/%s]\n"
                            "name='Edited'\n"
                            "token-lifetime='soon'\n"
                            "reconnect-multiplier=1000.0\n"
                            "auth-mode='telepathy'\n"
                            "saved-payloads=[('only', 'two')]\n",
                            id, id);
  g_assert_true (g_file_set_contents (path, broken, -1, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GSettingsBackend) backend = g_keyfile_settings_backend_new (path, "/", NULL);
    g_autoptr(GSettings) settings = g_settings_new_with_backend (MAIN_SCHEMA, backend);
    g_autoptr(InspectorProfileStore) store = inspector_profile_store_new (settings);

    /* The list itself did not parse: no profiles, nothing to crash on. */
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
    g_settings_set_strv (settings, "profiles", (const char * const[]) { id, NULL });
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

    {
      InspectorProfile *profile = inspector_profile_store_find (store, id);
      g_autoptr(InspectorConnectOptions) fallback = inspector_profile_dup_options (profile);

      g_assert_cmpstr (inspector_profile_get_name (profile), ==, "Edited");
      g_assert_cmpuint (fallback->lifetime, ==, 3600);
      g_assert_cmpint (fallback->mode, ==, INSPECTOR_AUTH_API_KEY);
      g_assert_cmpfloat (fallback->reconnect.multiplier, <=, 100.0);
      g_assert_cmpuint (g_list_model_get_n_items (inspector_profile_get_payloads (profile)), ==, 0);

      /* An api-key profile with only a signing secret stored. */
      g_clear_pointer (&loaded, inspector_connect_options_free);
      loaded = load_options (profile, &error);
      g_assert_error (error, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_MISSING);
      g_clear_error (&error);

      g_assert_true (delete_profile (store, profile, &error));
      g_assert_no_error (error);
    }
  }

  g_assert_null (keyring_items (id));
  g_remove (path);
  g_rmdir (dir);
}

static void
test_keyring_unavailable (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GSettings) settings = memory_settings ();
      g_autoptr(InspectorProfileStore) store = NULL;
      g_autoptr(InspectorConnectOptions) keyed = api_key_options ();
      g_autoptr(InspectorProfile) profile = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      /* No session bus, so no secret service. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/inspector-test-bus", TRUE);
      store = inspector_profile_store_new (settings);

      profile = add_profile (store, "Nowhere", keyed, &error);
      g_assert_null (profile);
      g_assert_error (error, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_UNAVAILABLE);
      g_assert_true (g_str_has_prefix (error->message, "The keyring could not be used: "));
      g_assert_null (strstr (error->message, API_KEY));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
      g_printerr ("%s\n", error->message);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*The keyring could not be used*");
}

/* The stub secret service takes every call and never answers. */
static GDBusMessage *
drop_method_calls (GDBusConnection *connection,
                   GDBusMessage    *message,
                   gboolean         incoming,
                   gpointer         user_data)
{
  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      g_object_unref (message);
      return NULL;
    }

  return message;
}

static void
test_keyring_silent (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_autoptr(GDBusConnection) stub = NULL;
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GSettings) settings = memory_settings ();
      g_autoptr(InspectorSecretStore) secrets = inspector_secret_store_new ();
      g_autoptr(InspectorProfileStore) store = NULL;
      g_autoptr(InspectorConnectOptions) keyed = api_key_options ();
      g_autoptr(InspectorProfile) profile = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start;

      /* A bus of our own, where the secret service's name belongs to a
       * peer that never replies. */
      g_test_dbus_up (bus);
      stub = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
      g_assert_no_error (error);
      g_dbus_connection_add_filter (stub, drop_method_calls, NULL, NULL);
      reply = g_dbus_connection_call_sync (stub, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "RequestName",
                                           g_variant_new ("(su)", "org.freedesktop.secrets", 4),
                                           G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);

      inspector_secret_store_set_timeout (secrets, 500);
      store = inspector_profile_store_new_with_secret_store (settings, secrets);
      start = g_get_monotonic_time ();
      profile = add_profile (store, "Silence", keyed, &error);
      g_assert_null (profile);
      g_assert_error (error, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_TIMED_OUT);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
      g_printerr ("%s\n", error->message);

      /* The singleton connection stays busy with libsecret's calls. */
      g_test_dbus_stop (bus);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*The keyring did not answer within 1 second. It may be locked*");
}

static gboolean
on_deadline (gpointer data)
{
  g_error ("the keyring operation hung past its own deadline");
  return G_SOURCE_REMOVE;
}

/* Last: it leaves the keyring locked. A locked keyring asks for its
 * password through a prompt no one answers here; the operation must end
 * in an error of its own, not hang. */
static void
test_keyring_locked (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(InspectorSecretStore) secrets = inspector_secret_store_new ();
  g_autoptr(InspectorProfileStore) store = inspector_profile_store_new_with_secret_store (settings, secrets);
  g_autoptr(InspectorConnectOptions) keyed = api_key_options ();
  g_autoptr(InspectorConnectOptions) loaded = NULL;
  g_autoptr(InspectorProfile) profile = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  GList *objects = NULL;
  guint deadline;

  profile = add_profile (store, "Locked away", keyed, &error);
  g_assert_no_error (error);

  service = secret_service_get_sync (SECRET_SERVICE_LOAD_COLLECTIONS, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  objects = g_list_append (objects, collection);
  secret_service_lock_sync (service, objects, NULL, NULL, &error);
  g_list_free (objects);
  g_assert_no_error (error);
  g_assert_true (secret_collection_get_locked (collection));

  inspector_secret_store_set_timeout (secrets, 2000);
  deadline = g_timeout_add_seconds (20, on_deadline, NULL);
  loaded = load_options (profile, &error);
  g_source_remove (deadline);

  /* keyring-run.sh hides the display from the prompter: the unlock
   * prompt fails at once and the item stays locked. */
  g_assert_null (loaded);
  g_assert_error (error, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_LOCKED);
  g_assert_cmpstr (error->message, ==, "The keyring that holds this profile’s publishable key is locked. Unlock it and try again.");
  g_clear_error (&error);

  /* Saving into a locked keyring fails as clearly, and lists nothing. */
  g_clear_object (&profile);
  deadline = g_timeout_add_seconds (20, on_deadline, NULL);
  profile = add_profile (store, "Not saved", keyed, &error);
  g_source_remove (deadline);
  g_assert_null (profile);
  g_assert_error (error, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, "The keyring could not be used: Cannot create an item in a locked collection");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
}

/* Widget tests, on a display. */

static gboolean
find_label_text (GtkWidget  *widget,
                 const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0 &&
      gtk_widget_get_mapped (widget))
    return TRUE;

  if (GTK_IS_EDITABLE (widget) && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (find_label_text (child, text))
      return TRUE;

  return FALSE;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
count_rows (GtkListBox *list_box)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list_box, n) != NULL)
    n++;

  return n;
}

typedef struct {
  GtkListBox *list_box;
  guint       n_rows;
} RowCount;

static gboolean
has_rows (gpointer data)
{
  RowCount *count = data;

  return count_rows (count->list_box) == count->n_rows;
}

static void
on_open_profile (InspectorProfileList  *list,
                 InspectorProfile      *profile,
                 InspectorProfile     **opened)
{
  *opened = profile;
  g_object_set_data (G_OBJECT (list), "opened", GINT_TO_POINTER (1));
}

static void
on_dialog_connect (InspectorConnectDialog         *dialog,
                   const InspectorConnectOptions  *options,
                   InspectorConnectOptions       **connected)
{
  *connected = inspector_connect_options_copy (options);
}

static void
on_dialog_saved (InspectorConnectDialog  *dialog,
                 InspectorProfile        *profile,
                 InspectorProfile       **saved)
{
  g_set_object (saved, profile);
}

static gboolean
has_store_items (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) == 2;
}

static gboolean
dialog_shows_key (gpointer data)
{
  g_autoptr(InspectorConnectOptions) shown = inspector_connect_dialog_dup_options (data);

  return g_strcmp0 (shown->api_key, API_KEY) == 0;
}

static void
test_ui_profile_list (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(InspectorProfileStore) store = inspector_profile_store_new (settings);
  g_autoptr(InspectorConnectOptions) keyed = api_key_options ();
  g_autoptr(InspectorConnectOptions) loaded = NULL;
  g_autoptr(InspectorProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  InspectorProfile *opened = NULL;
  InspectorConnectOptions *connected = NULL;
  InspectorProfile *saved = NULL;
  InspectorConnectDialog *dialog;
  InspectorProfileList *list;
  GtkListBox *list_box;
  GtkWindow *window;
  GtkWindow *confirm;
  RowCount count;

  if (!have_display)
    {
      g_test_skip ("no display; run under xvfb-run");
      return;
    }

  profile = add_profile (store, "Staging", keyed, &error);
  g_assert_no_error (error);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 320, 480);
  list = g_object_new (INSPECTOR_TYPE_PROFILE_LIST, "store", store, NULL);
  gtk_window_set_child (window, GTK_WIDGET (list));
  gtk_window_present (window);
  list_box = GTK_LIST_BOX (inspector_test_find_descendant (GTK_WIDGET (list), GTK_TYPE_LIST_BOX));

  /* The sandbox first, then the profile, named and described. */
  count = (RowCount) { list_box, 2 };
  g_assert_true (inspector_test_wait_until (has_rows, &count));
  g_assert_true (find_label_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 0)), "Local sandbox"));
  g_assert_true (find_label_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 1)), "Staging"));
  g_assert_true (find_label_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 1)),
                                  "metered.live · publishable key") ||
                 find_label_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 1)),
                                  inspector_profile_get_subtitle (profile)));

  /* Activating rows opens them. */
  g_signal_connect (list, "open-profile", G_CALLBACK (on_open_profile), &opened);
  g_signal_emit_by_name (list_box, "row-activated", gtk_list_box_get_row_at_index (list_box, 1));
  g_assert_true (opened == profile);
  g_signal_emit_by_name (list_box, "row-activated", gtk_list_box_get_row_at_index (list_box, 0));
  g_assert_null (opened);

  /* Duplicate, from the row menu's action. */
  gtk_widget_activate_action (GTK_WIDGET (list), "profiles.duplicate", "s", inspector_profile_get_id (profile));
  g_assert_true (inspector_test_wait_until (has_store_items, store));
  count.n_rows = 3;
  g_assert_true (inspector_test_wait_until (has_rows, &count));
  g_assert_true (find_label_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 2)), "Staging (copy)"));

  /* Edit: the dialog reads the key back from the keyring and saves. */
  gtk_widget_activate_action (GTK_WIDGET (list), "profiles.edit", "s", inspector_profile_get_id (profile));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_shown, GSIZE_TO_POINTER (INSPECTOR_TYPE_CONNECT_DIALOG)));
  dialog = INSPECTOR_CONNECT_DIALOG (inspector_test_find_toplevel (INSPECTOR_TYPE_CONNECT_DIALOG));
  g_assert_true (inspector_connect_dialog_get_profile (dialog) == profile);
  {
    g_autoptr(InspectorConnectOptions) shown = NULL;

    inspector_test_wait_until (dialog_shows_key, dialog);
    shown = inspector_connect_dialog_dup_options (dialog);
    g_assert_cmpstr (shown->api_key, ==, API_KEY);
  }
  inspector_connect_dialog_set_profile_name (dialog, "Staging, edited");
  g_assert_true (inspector_connect_dialog_submit (dialog));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (INSPECTOR_TYPE_CONNECT_DIALOG)));
  g_assert_cmpstr (inspector_profile_get_name (profile), ==, "Staging, edited");
  g_assert_true (find_label_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 1)), "Staging, edited"));

  /* New Profile…: a name is required, then it is listed. */
  gtk_widget_activate_action (GTK_WIDGET (list), "profiles.new", NULL);
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_shown, GSIZE_TO_POINTER (INSPECTOR_TYPE_CONNECT_DIALOG)));
  dialog = INSPECTOR_CONNECT_DIALOG (inspector_test_find_toplevel (INSPECTOR_TYPE_CONNECT_DIALOG));
  gtk_editable_set_text (GTK_EDITABLE (inspector_test_find_descendant (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW)), API_KEY);
  g_assert_false (inspector_connect_dialog_submit (dialog));
  g_assert_cmpstr (inspector_connect_dialog_get_error (dialog), ==, "Give the profile a name.");
  inspector_connect_dialog_set_profile_name (dialog, "Brand new");
  g_assert_true (inspector_connect_dialog_submit (dialog));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (INSPECTOR_TYPE_CONNECT_DIALOG)));
  count.n_rows = 4;
  g_assert_true (inspector_test_wait_until (has_rows, &count));
  g_assert_true (find_label_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 3)), "Brand new"));

  /* The plain connect dialog: a name saves the connection as a profile
   * first, then connects; without a name it only connects. */
  dialog = inspector_connect_dialog_new (window, keyed);
  inspector_connect_dialog_set_profile_store (dialog, store);
  g_signal_connect (dialog, "connect", G_CALLBACK (on_dialog_connect), &connected);
  g_signal_connect (dialog, "saved", G_CALLBACK (on_dialog_saved), &saved);
  inspector_connect_dialog_set_profile_name (dialog, "Saved on connect");
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (inspector_connect_dialog_submit (dialog));
  g_assert_true (inspector_test_wait_until (inspector_test_is_set, &connected));
  g_assert_nonnull (saved);
  g_assert_cmpstr (inspector_profile_get_name (saved), ==, "Saved on connect");
  g_assert_cmpstr (connected->api_key, ==, API_KEY);
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (INSPECTOR_TYPE_CONNECT_DIALOG)));
  count.n_rows = 5;
  g_assert_true (inspector_test_wait_until (has_rows, &count));
  g_clear_pointer (&connected, inspector_connect_options_free);
  g_clear_object (&saved);

  dialog = inspector_connect_dialog_new (window, keyed);
  inspector_connect_dialog_set_profile_store (dialog, store);
  g_signal_connect (dialog, "connect", G_CALLBACK (on_dialog_connect), &connected);
  g_signal_connect (dialog, "saved", G_CALLBACK (on_dialog_saved), &saved);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (inspector_connect_dialog_submit (dialog));
  g_assert_nonnull (connected);
  g_assert_null (saved);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4);
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (INSPECTOR_TYPE_CONNECT_DIALOG)));
  g_clear_pointer (&connected, inspector_connect_options_free);

  /* Delete asks first; cancelling keeps the profile. */
  gtk_widget_activate_action (GTK_WIDGET (list), "profiles.delete", "s", inspector_profile_get_id (profile));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG)));
  confirm = inspector_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (confirm)), ==, "Delete “Staging, edited”?");
  g_signal_emit_by_name (find_button (GTK_WIDGET (confirm), "_Cancel"), "clicked");
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4);

  gtk_widget_activate_action (GTK_WIDGET (list), "profiles.delete", "s", inspector_profile_get_id (profile));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG)));
  confirm = inspector_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_signal_emit_by_name (find_button (GTK_WIDGET (confirm), "_Delete"), "clicked");
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG)));
  count.n_rows = 4;
  g_assert_true (inspector_test_wait_until (has_rows, &count));
  g_assert_null (inspector_profile_store_find (store, inspector_profile_get_id (profile)));
  g_assert_null (inspector_profile_list_get_error (list));
  g_assert_true (inspector_test_wait_until (keyring_empty, (gpointer) inspector_profile_get_id (profile)));

  gtk_window_destroy (window);

  while (g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
    {
      g_autoptr(InspectorProfile) rest = g_list_model_get_item (G_LIST_MODEL (store), 0);

      g_assert_true (delete_profile (store, rest, &error));
      g_assert_no_error (error);
    }
}

static gboolean
result_is (gpointer data)
{
  InspectorComposePane *pane = g_object_get_data (data, "pane");
  const char *result = inspector_compose_pane_get_result (pane);

  return result != NULL && g_str_has_prefix (result, g_object_get_data (data, "prefix"));
}

static void
wait_result_prefix (InspectorComposePane *pane,
                    const char           *prefix)
{
  g_autoptr(GObject) query = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data (query, "pane", pane);
  g_object_set_data (query, "prefix", (gpointer) prefix);
  if (!inspector_test_wait_until (result_is, query))
    g_error ("compose result “%s”, expected “%s…”", inspector_compose_pane_get_result (pane), prefix);
}

/* XTest, loaded at run time: real key presses through the X server. */
typedef int (*FakeKeyEvent) (Display *display, unsigned int keycode, int is_press, unsigned long delay);

static gboolean
press_ctrl_enter (GtkWidget *widget)
{
  static GModule *xtst;
  static FakeKeyEvent fake_key_event;
  GdkDisplay *display = gtk_widget_get_display (widget);
  Display *xdisplay;
  KeyCode control;
  KeyCode enter;

  if (!GDK_IS_X11_DISPLAY (display))
    return FALSE;

  if (xtst == NULL && (xtst = g_module_open ("libXtst.so.6", G_MODULE_BIND_LAZY)) != NULL)
    g_module_symbol (xtst, "XTestFakeKeyEvent", (gpointer *) &fake_key_event);
  if (fake_key_event == NULL)
    return FALSE;

  xdisplay = gdk_x11_display_get_xdisplay (display);
  control = XKeysymToKeycode (xdisplay, XK_Control_L);
  enter = XKeysymToKeycode (xdisplay, XK_Return);
  fake_key_event (xdisplay, control, True, 0);
  fake_key_event (xdisplay, enter, True, 0);
  fake_key_event (xdisplay, enter, False, 0);
  fake_key_event (xdisplay, control, False, 0);
  XFlush (xdisplay);

  return TRUE;
}

static gboolean
is_active (gpointer data)
{
  return gtk_window_is_active (data);
}

static void
test_ui_compose_saved (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(InspectorProfileStore) store = inspector_profile_store_new (settings);
  g_autoptr(InspectorConnectOptions) sandbox_options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  g_autoptr(InspectorProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  InspectorComposePane *pane;
  GtkMenuButton *menu_button;
  GtkWidget *popover;
  GtkWidget *editor;
  GtkWindow *window;
  Sandbox sandbox = { 0 };
  RowQuery query;

  if (!have_display)
    {
      g_test_skip ("no display; run under xvfb-run");
      return;
    }

  profile = add_profile (store, "Sandbox", sandbox_options, &error);
  g_assert_no_error (error);
  sandbox_start (&sandbox);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 480, 400);
  pane = g_object_new (INSPECTOR_TYPE_COMPOSE_PANE, NULL);
  gtk_window_set_child (window, GTK_WIDGET (pane));
  gtk_window_present (window);
  inspector_compose_pane_set_connection (pane, sandbox.sender);

  menu_button = GTK_MENU_BUTTON (inspector_test_find_descendant (GTK_WIDGET (pane), GTK_TYPE_MENU_BUTTON));
  popover = GTK_WIDGET (gtk_menu_button_get_popover (menu_button));

  /* Without a profile, saving does nothing and the popover says why. */
  gtk_widget_activate_action (GTK_WIDGET (pane), "compose.save-payload", NULL);
  g_assert_null (inspector_compose_pane_get_result (pane));
  gtk_menu_button_popup (menu_button);
  g_assert_true (inspector_test_wait_until ((InspectorTestCondition) gtk_widget_get_mapped, popover));
  g_assert_true (find_label_text (popover, "Saved payloads belong to a connection profile. Open a saved profile, or save this connection as one, to keep payloads here."));
  g_assert_false (gtk_widget_get_mapped (inspector_test_find_descendant (popover, GTK_TYPE_ENTRY)));
  gtk_menu_button_popdown (menu_button);

  inspector_compose_pane_set_profile (pane, profile);

  /* Save what is in the editor under a name. */
  inspector_compose_pane_set_target (pane, FALSE, "room/saved");
  inspector_compose_pane_set_payload (pane, "{\"from\": \"the pane\"}");
  gtk_editable_set_text (GTK_EDITABLE (inspector_test_find_descendant (popover, GTK_TYPE_ENTRY)), "From the pane");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.save-payload", NULL));
  g_assert_cmpstr (inspector_compose_pane_get_result (pane), ==, "Saved “From the pane”");
  g_assert_nonnull (inspector_profile_find_payload (profile, "From the pane"));

  /* A name is needed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.save-payload", NULL));
  g_assert_cmpstr (inspector_compose_pane_get_result (pane), ==, "Give the payload a name.");

  /* The popover lists it. */
  gtk_menu_button_popup (menu_button);
  g_assert_true (inspector_test_wait_until ((InspectorTestCondition) gtk_widget_get_mapped, popover));
  g_assert_true (find_label_text (popover, "From the pane"));

  /* Change the editor, then resend the saved one with one click. */
  inspector_compose_pane_set_payload (pane, "{\"other\": true}");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.resend-payload", "s", "From the pane"));
  wait_result_prefix (pane, "“From the pane” acked in");
  query = (RowQuery) { sandbox.listener, INSPECTOR_LOG_KIND_MESSAGE, "{\"from\":\"the pane\"}" };
  g_assert_true (inspector_test_wait_until (row_arrived, &query));

  /* Rename, refused on a clash, then load into the editor and delete. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.rename-payload", "(ss)", "From the pane", "Renamed"));
  g_assert_nonnull (inspector_profile_find_payload (profile, "Renamed"));
  gtk_menu_button_popdown (menu_button);
  inspector_compose_pane_set_target (pane, TRUE, "listener");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.load-payload", "s", "Renamed"));
  editor = inspector_test_find_descendant (GTK_WIDGET (pane), GTK_SOURCE_TYPE_VIEW);
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (editor));
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "{\"from\": \"the pane\"}");
    g_assert_true (find_label_text (GTK_WIDGET (pane), "room/saved"));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.delete-payload", "s", "Renamed"));
  g_assert_null (inspector_profile_find_payload (profile, "Renamed"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.resend-payload", "s", "Renamed"));
  g_assert_cmpstr (inspector_compose_pane_get_result (pane), ==, "There is no saved payload called “Renamed”.");

  /* Ctrl+Enter in the payload editor sends what it holds: a real key
   * press through the X server. */
  inspector_compose_pane_set_payload (pane, "{\"key\": \"ctrl-enter\"}");
  gtk_window_present (window);
  g_assert_true (inspector_test_wait_until (is_active, window));
  gtk_widget_grab_focus (editor);
  g_assert_true (gtk_widget_has_focus (editor));
  if (!press_ctrl_enter (editor))
    g_test_message ("no XTest: Ctrl+Enter not pressed for real");
  else
    {
      wait_result_prefix (pane, "Acked in");
      query = (RowQuery) { sandbox.listener, INSPECTOR_LOG_KIND_MESSAGE, "{\"key\":\"ctrl-enter\"}" };
      g_assert_true (inspector_test_wait_until (row_arrived, &query));
    }

  /* Without a profile again, nothing is offered. */
  inspector_compose_pane_set_profile (pane, NULL);
  g_assert_null (inspector_compose_pane_get_profile (pane));

  gtk_window_destroy (window);
  sandbox_stop (&sandbox);
  g_assert_true (delete_profile (store, profile, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  inspector_test_init (&argc, &argv);

  /* The keyring-unavailable child must make the first session bus
   * connection itself, after pointing it nowhere: GTK would connect first. */
  have_display = !g_test_subprocess () && gtk_init_check ();
  if (have_display)
    adw_init ();

  g_test_add_func ("/profiles/round-trip", test_round_trip);
  g_test_add_func ("/profiles/duplicate-and-delete", test_duplicate_and_delete);
  g_test_add_func ("/profiles/bad-stored-values", test_bad_stored_values);
  g_test_add_func ("/profiles/saved-payloads", test_saved_payloads);
  g_test_add_func ("/profiles/persistence", test_persistence);
  g_test_add_func ("/profiles/keyring-unavailable", test_keyring_unavailable);
  g_test_add_func ("/profiles/keyring-silent", test_keyring_silent);
  g_test_add_func ("/profiles/ui/profile-list", test_ui_profile_list);
  g_test_add_func ("/profiles/ui/compose-saved", test_ui_compose_saved);
  /* Last, in a suite of its own: it leaves the keyring locked. */
  g_test_add_func ("/profiles/locked/keyring", test_keyring_locked);

  return g_test_run ();
}
