/* inspector-profile.c: a saved connection and its saved payloads
 *
 * A profile is one instance of the relocatable Profile schema. Everything
 * but the secrets lives there; the secrets live in the keyring under the
 * profile's id (see InspectorSecretStore). Stored values are not trusted:
 * GSettings checks their types and ranges, this checks their meaning and
 * says what it ignored.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-profile"

#include <math.h>

#include <glib/gi18n.h>

#include "metered-url.h"

#include "inspector-error.h"
#include "inspector-profile.h"

/* Longest id accepted from the stored list: ids become settings paths. */
#define MAX_ID_LENGTH 64

/* Settings are not a database: a library larger than this is a mistake. */
#define MAX_SAVED_PAYLOADS 500

struct _InspectorProfile
{
  GObject               parent_instance;

  char                 *id;
  char                 *name;
  char                 *subtitle;
  char                 *problem;
  GSettings            *settings;
  InspectorSecretStore *secrets;
  GListStore           *payloads;
};

G_DEFINE_FINAL_TYPE (InspectorProfile, inspector_profile, G_TYPE_OBJECT)

G_DEFINE_QUARK (inspector-profile-error-quark, inspector_profile_error)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SUBTITLE,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * inspector_profile_id_is_valid:
 *
 * Ids are made by the store, but read back from settings anyone can edit;
 * only ids that make a plain settings path are used.
 */
gboolean
inspector_profile_id_is_valid (const char *id)
{
  gsize length = 0;

  if (id == NULL)
    return FALSE;

  for (const char *p = id; *p != '\0'; p++, length++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;

  return length > 0 && length <= MAX_ID_LENGTH;
}

static void
set_string (char       **field,
            const char  *value,
            GObject     *object,
            GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (object, pspec);
}

static void
update_labels (InspectorProfile *self)
{
  g_autofree char *name = g_settings_get_string (self->settings, "name");
  g_autoptr(InspectorConnectOptions) options = inspector_profile_dup_options (self);
  g_autofree char *subtitle = inspector_connect_options_dup_label (options);

  g_strstrip (name);
  set_string (&self->name, name[0] != '\0' ? name : _("Unnamed profile"),
              G_OBJECT (self), properties[PROP_NAME]);
  set_string (&self->subtitle, subtitle, G_OBJECT (self), properties[PROP_SUBTITLE]);
}

static gboolean
same_payload (InspectorSavedPayload *a,
              InspectorSavedPayload *b)
{
  return g_str_equal (inspector_saved_payload_get_name (a), inspector_saved_payload_get_name (b)) &&
         inspector_saved_payload_get_peer (a) == inspector_saved_payload_get_peer (b) &&
         g_str_equal (inspector_saved_payload_get_target (a), inspector_saved_payload_get_target (b)) &&
         g_str_equal (inspector_saved_payload_get_json (a), inspector_saved_payload_get_json (b));
}

/* Reads saved-payloads, skipping entries that could not be sent as they
 * are, and replaces the list only if it changed, so that rows showing it
 * are not rebuilt by our own writes. */
static void
load_payloads (InspectorProfile *self)
{
  g_autoptr(GVariant) stored = g_settings_get_value (self->settings, "saved-payloads");
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_ignored = 0;
  guint n_items;
  gboolean changed;
  GVariantIter iter;
  const char *name, *kind, *target, *json;

  g_variant_iter_init (&iter, stored);
  while (g_variant_iter_next (&iter, "(&s&s&s&s)", &name, &kind, &target, &json))
    {
      g_autoptr(InspectorSavedPayload) payload = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = g_utf8_make_valid (name, -1);

      if (g_utf8_strlen (shown, -1) > 40)
        {
          char *cut = g_utf8_offset_to_pointer (shown, 40);

          *cut = '\0';
        }

      if (!g_str_equal (kind, "publish") && !g_str_equal (kind, "send"))
        g_set_error (&error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID,
                     _("unknown kind “%s”; expected “publish” or “send”"),
                     g_utf8_validate (kind, -1, NULL) ? kind : "?");
      else if ((payload = inspector_saved_payload_new (name, g_str_equal (kind, "send"), target, json, &error)) != NULL &&
               g_hash_table_contains (names, inspector_saved_payload_get_name (payload)))
        {
          g_set_error_literal (&error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_EXISTS,
                               _("another saved payload has the same name"));
          g_clear_object (&payload);
        }

      if (payload == NULL)
        {
          n_ignored++;
          /* Translators: a saved payload's name, then why it was ignored */
          g_string_append_printf (problems, _("“%s”: %s"), shown, error->message);
          g_string_append_c (problems, '\n');
          continue;
        }

      g_hash_table_add (names, (gpointer) inspector_saved_payload_get_name (payload));
      g_ptr_array_add (loaded, g_steal_pointer (&payload));
    }

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->payloads));
  changed = n_items != loaded->len;
  for (guint i = 0; !changed && i < n_items; i++)
    {
      g_autoptr(InspectorSavedPayload) current = g_list_model_get_item (G_LIST_MODEL (self->payloads), i);

      changed = !same_payload (current, g_ptr_array_index (loaded, i));
    }

  if (changed)
    g_list_store_splice (self->payloads, 0, n_items, loaded->pdata, loaded->len);

  if (n_ignored > 0)
    {
      g_autofree char *problem = NULL;

      g_strchomp (problems->str);
      problem = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Ignored %u stored payload that is not valid:\n%s",
                                              "Ignored %u stored payloads that are not valid:\n%s",
                                              n_ignored),
                                 n_ignored, problems->str);
      set_string (&self->problem, problem, G_OBJECT (self), properties[PROP_PROBLEM]);
    }
  else
    set_string (&self->problem, NULL, G_OBJECT (self), properties[PROP_PROBLEM]);
}

static void
on_settings_changed (InspectorProfile *self,
                     const char       *key)
{
  if (g_str_equal (key, "saved-payloads"))
    load_payloads (self);
  else
    update_labels (self);
}

static void
inspector_profile_finalize (GObject *object)
{
  InspectorProfile *self = (InspectorProfile *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->subtitle, g_free);
  g_clear_pointer (&self->problem, g_free);
  g_clear_object (&self->settings);
  g_clear_object (&self->secrets);
  g_clear_object (&self->payloads);

  G_OBJECT_CLASS (inspector_profile_parent_class)->finalize (object);
}

static void
inspector_profile_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  InspectorProfile *self = INSPECTOR_PROFILE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;

    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_profile_class_init (InspectorProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = inspector_profile_finalize;
  object_class->get_property = inspector_profile_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Where the profile connects and how, never a secret. */
  properties[PROP_SUBTITLE] =
    g_param_spec_string ("subtitle", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* What was ignored in the stored saved payloads, or %NULL. */
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_profile_init (InspectorProfile *self)
{
  self->payloads = g_list_store_new (INSPECTOR_TYPE_SAVED_PAYLOAD);
}

/**
 * inspector_profile_new:
 * @id: the profile's id, see inspector_profile_id_is_valid()
 * @settings: the Profile schema at the profile's path
 * @secrets: where the profile's secrets are kept
 *
 * Profiles are made by #InspectorProfileStore; this only wraps settings
 * that exist.
 *
 * Returns: (transfer full): the profile
 */
InspectorProfile *
inspector_profile_new (const char           *id,
                       GSettings            *settings,
                       InspectorSecretStore *secrets)
{
  InspectorProfile *self;

  g_return_val_if_fail (inspector_profile_id_is_valid (id), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (INSPECTOR_IS_SECRET_STORE (secrets), NULL);

  self = g_object_new (INSPECTOR_TYPE_PROFILE, NULL);
  self->id = g_strdup (id);
  self->settings = g_object_ref (settings);
  self->secrets = g_object_ref (secrets);

  g_signal_connect_object (settings, "changed", G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
  update_labels (self);
  load_payloads (self);

  return self;
}

const char *
inspector_profile_get_id (InspectorProfile *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);

  return self->id;
}

const char *
inspector_profile_get_name (InspectorProfile *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);

  return self->name;
}

const char *
inspector_profile_get_subtitle (InspectorProfile *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);

  return self->subtitle;
}

/**
 * inspector_profile_get_settings:
 *
 * Returns: (transfer none): the profile's settings
 */
GSettings *
inspector_profile_get_settings (InspectorProfile *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);

  return self->settings;
}

/**
 * inspector_profile_get_problem:
 *
 * Returns: (nullable): what was wrong with the stored saved payloads
 */
const char *
inspector_profile_get_problem (InspectorProfile *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);

  return self->problem;
}

static char **
dup_list (GSettings  *settings,
          const char *key)
{
  g_auto(GStrv) items = g_settings_get_strv (settings, key);

  return items[0] != NULL ? g_steal_pointer (&items) : NULL;
}

/**
 * inspector_profile_dup_options:
 *
 * Returns: (transfer full): the stored options, without any secret
 */
InspectorConnectOptions *
inspector_profile_dup_options (InspectorProfile *self)
{
  InspectorConnectOptions *options;
  g_autofree char *url = NULL;
  g_autofree char *metadata = NULL;
  double attempts;

  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);

  options = inspector_connect_options_new (g_settings_get_enum (self->settings, "auth-mode"));

  url = g_settings_get_string (self->settings, "url");
  if (url[0] != '\0')
    {
      g_free (options->url);
      options->url = g_steal_pointer (&url);
    }

  options->key_id = g_settings_get_string (self->settings, "key-id");
  options->subject = g_settings_get_string (self->settings, "subject");
  options->channels = dup_list (self->settings, "channels");
  options->permissions = dup_list (self->settings, "permissions");
  metadata = g_settings_get_string (self->settings, "peer-metadata");
  options->peer_metadata = metadata[0] != '\0' ? g_steal_pointer (&metadata) : NULL;
  options->lifetime = g_settings_get_uint (self->settings, "token-lifetime");
  options->reconnect.initial_delay = g_settings_get_double (self->settings, "reconnect-initial-delay");
  options->reconnect.multiplier = g_settings_get_double (self->settings, "reconnect-multiplier");
  options->reconnect.max_delay = g_settings_get_double (self->settings, "reconnect-max-delay");
  options->reconnect.jitter_ratio = g_settings_get_double (self->settings, "reconnect-jitter");
  attempts = g_settings_get_double (self->settings, "reconnect-max-attempts");
  options->reconnect.max_attempts = attempts == 0 ? INFINITY : attempts;
  options->inactivity_timeout = g_settings_get_double (self->settings, "inactivity-timeout");
  options->auto_resubscribe = g_settings_get_boolean (self->settings, "auto-resubscribe");
  options->subscribe = dup_list (self->settings, "subscribe");

  return options;
}

static GVariant *
strv_variant (char **strv)
{
  return g_variant_new_strv ((const char * const *) strv, -1);
}

/* Checks every value against the schema's types and ranges and, if
 * @writer is given, sets it there. */
static gboolean
set_options (GSettings                      *writer,
             GSettingsSchema                *schema,
             const char                     *name,
             const InspectorConnectOptions  *options,
             GError                        **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name));
  char *empty[] = { NULL };
  const char *url;
  /* With what the dialog calls each value: compiled schemas carry no summaries. */
  struct {
    const char *key;
    const char *label;
    GVariant   *value;
  } values[] = {
    { "name", N_("Profile name"), g_variant_new_string (stripped) },
    { "url", N_("Base URL"), NULL },
    { "key-id", N_("Secret key id"), g_variant_new_string (options->key_id != NULL ? options->key_id : "") },
    { "subject", N_("Peer id"), g_variant_new_string (options->subject != NULL ? options->subject : "") },
    { "channels", N_("Channel patterns"), strv_variant (options->channels != NULL ? options->channels : empty) },
    { "permissions", N_("Permissions"), strv_variant (options->permissions != NULL ? options->permissions : empty) },
    { "peer-metadata", N_("Peer metadata"), g_variant_new_string (options->peer_metadata != NULL ? options->peer_metadata : "") },
    { "token-lifetime", N_("Token lifetime"), g_variant_new_uint32 (options->lifetime) },
    { "reconnect-initial-delay", N_("Initial delay"), g_variant_new_double (options->reconnect.initial_delay) },
    { "reconnect-multiplier", N_("Multiplier"), g_variant_new_double (options->reconnect.multiplier) },
    { "reconnect-max-delay", N_("Maximum delay"), g_variant_new_double (options->reconnect.max_delay) },
    { "reconnect-jitter", N_("Jitter"), g_variant_new_double (options->reconnect.jitter_ratio) },
    { "reconnect-max-attempts", N_("Attempts"),
      g_variant_new_double (isinf (options->reconnect.max_attempts) ? 0 : options->reconnect.max_attempts) },
    { "inactivity-timeout", N_("Inactivity timeout"), g_variant_new_double (options->inactivity_timeout) },
    { "auto-resubscribe", N_("Resubscribe after reconnecting"), g_variant_new_boolean (options->auto_resubscribe) },
    { "subscribe", N_("Subscribe on connect"), strv_variant (options->subscribe != NULL ? options->subscribe : empty) },
  };
  gboolean ok = TRUE;

  /* The default URL is stored as "", so that it follows the library. */
  url = options->url != NULL && !g_str_equal (options->url, METERED_DEFAULT_URL) ? options->url : "";
  values[1].value = g_variant_new_string (url);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_variant_ref_sink (values[i].value);

  if (stripped[0] == '\0')
    {
      g_set_error_literal (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID,
                           _("Give the profile a name."));
      ok = FALSE;
    }
  else if ((guint) options->mode > INSPECTOR_AUTH_SIGNED_TOKEN)
    {
      g_set_error_literal (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID,
                           _("Unknown authentication method."));
      ok = FALSE;
    }

  for (guint i = 0; ok && i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GSettingsSchemaKey) schema_key = g_settings_schema_get_key (schema, values[i].key);

      if (!g_settings_schema_key_range_check (schema_key, values[i].value))
        {
          g_set_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID,
                       /* Translators: a field of the connect dialog, such as “Token lifetime” */
                       _("“%s” is out of the range a profile can keep."),
                       _(values[i].label));
          ok = FALSE;
        }
    }

  if (ok && writer != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        g_settings_set_value (writer, values[i].key, values[i].value);

      /* By value: the schema's nicks are InspectorAuthMode's. */
      g_settings_set_enum (writer, "auth-mode", options->mode);
    }

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_variant_unref (values[i].value);

  return ok;
}

/**
 * inspector_profile_check:
 * @name: the profile's name
 * @options: the options to keep; their secrets are ignored
 *
 * Checks that inspector_profile_write() would accept @name and @options,
 * so that callers can check before they touch the keyring.
 */
gboolean
inspector_profile_check (InspectorProfile               *self,
                         const char                     *name,
                         const InspectorConnectOptions  *options,
                         GError                        **error)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  g_object_get (self->settings, "settings-schema", &schema, NULL);

  return set_options (NULL, schema, name, options, error);
}

/**
 * inspector_profile_write:
 * @name: the profile's new name
 * @options: the options to keep; their secrets are ignored
 *
 * Writes the name and every option but the secrets in one change. Secrets
 * are the store's job: see inspector_profile_store_update_async().
 *
 * Returns: whether every value fit the schema; if not, nothing changed
 */
gboolean
inspector_profile_write (InspectorProfile               *self,
                         const char                     *name,
                         const InspectorConnectOptions  *options,
                         GError                        **error)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettings) writer = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  /* A separate, delayed writer: readers see one change, or none on error. */
  g_object_get (self->settings, "settings-schema", &schema, "backend", &backend, "path", &path, NULL);
  writer = g_settings_new_full (schema, backend, path);
  g_settings_delay (writer);

  if (!set_options (writer, schema, name, options, error))
    return FALSE;

  g_settings_apply (writer);
  update_labels (self);

  return TRUE;
}

/**
 * inspector_profile_copy_from:
 * @other: the profile to copy
 * @name: the copy's name
 *
 * Gives @self every setting @other has, saved payloads included, in one
 * change; secrets are the store's job.
 */
void
inspector_profile_copy_from (InspectorProfile *self,
                             InspectorProfile *other,
                             const char       *name)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettings) writer = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) keys = NULL;

  g_return_if_fail (INSPECTOR_IS_PROFILE (self));
  g_return_if_fail (INSPECTOR_IS_PROFILE (other));
  g_return_if_fail (name != NULL);

  g_object_get (self->settings, "settings-schema", &schema, "backend", &backend, "path", &path, NULL);
  writer = g_settings_new_full (schema, backend, path);
  g_settings_delay (writer);

  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_user_value (other->settings, keys[i]);

      if (value != NULL)
        g_settings_set_value (writer, keys[i], value);
      else
        g_settings_reset (writer, keys[i]);
    }
  g_settings_set_string (writer, "name", name);

  g_settings_apply (writer);
  update_labels (self);
  load_payloads (self);
}

/**
 * inspector_profile_reset:
 *
 * Resets every key of the profile, so that a deleted profile leaves
 * nothing behind in the settings.
 */
void
inspector_profile_reset (InspectorProfile *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_return_if_fail (INSPECTOR_IS_PROFILE (self));

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);

  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (self->settings, keys[i]);
}

static void
on_filled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  InspectorProfile *self = g_task_get_source_object (task);
  g_autoptr(InspectorConnectOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  options = inspector_secret_store_fill_finish (INSPECTOR_SECRET_STORE (source), result, &error);
  if (options == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Settings can be edited behind our back: the stored values must still
   * make a connection the dialog would accept. */
  if (!inspector_connect_options_validate (options, &error))
    {
      /* Translators: a profile's name, then what is wrong with it */
      g_task_return_new_error (task, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID,
                               _("The profile “%s” cannot be used: %s"), self->name, error->message);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&options), (GDestroyNotify) inspector_connect_options_free);
}

/**
 * inspector_profile_load_options_async:
 *
 * Reads the profile's options and its secret from the keyring.
 */
void
inspector_profile_load_options_async (InspectorProfile    *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(InspectorConnectOptions) options = NULL;
  GTask *task;

  g_return_if_fail (INSPECTOR_IS_PROFILE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, inspector_profile_load_options_async);

  options = inspector_profile_dup_options (self);
  inspector_secret_store_fill_async (self->secrets, self->id, options, cancellable, on_filled, task);
}

/**
 * inspector_profile_load_options_finish:
 *
 * Returns: (transfer full) (nullable): the options with their secret, ready
 *   for inspector_connection_new()
 */
InspectorConnectOptions *
inspector_profile_load_options_finish (InspectorProfile  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * inspector_profile_get_payloads:
 *
 * Returns: (transfer none): the saved payloads, #InspectorSavedPayload
 *   items in the order they were saved
 */
GListModel *
inspector_profile_get_payloads (InspectorProfile *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);

  return G_LIST_MODEL (self->payloads);
}

static guint
find_position (InspectorProfile *self,
               const char       *name)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->payloads));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(InspectorSavedPayload) payload = g_list_model_get_item (G_LIST_MODEL (self->payloads), i);

      if (g_str_equal (inspector_saved_payload_get_name (payload), name))
        return i;
    }

  return G_MAXUINT;
}

/**
 * inspector_profile_find_payload:
 *
 * Returns: (transfer none) (nullable): the saved payload called @name
 */
InspectorSavedPayload *
inspector_profile_find_payload (InspectorProfile *self,
                                const char       *name)
{
  InspectorSavedPayload *payload;
  guint position;

  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if ((position = find_position (self, name)) == G_MAXUINT)
    return NULL;

  /* The list keeps it alive until the list next changes. */
  payload = g_list_model_get_item (G_LIST_MODEL (self->payloads), position);
  g_object_unref (payload);

  return payload;
}

static GPtrArray *
dup_payloads (InspectorProfile *self)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->payloads));

  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (self->payloads), i));

  return items;
}

static void
write_payloads (InspectorProfile *self,
                GPtrArray        *items)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ssss)"));

  for (guint i = 0; i < items->len; i++)
    {
      InspectorSavedPayload *item = g_ptr_array_index (items, i);

      g_variant_builder_add (&builder, "(ssss)",
                             inspector_saved_payload_get_name (item),
                             inspector_saved_payload_get_peer (item) ? "send" : "publish",
                             inspector_saved_payload_get_target (item),
                             inspector_saved_payload_get_json (item));
    }

  g_settings_set_value (self->settings, "saved-payloads", g_variant_builder_end (&builder));
  load_payloads (self);
}

/**
 * inspector_profile_save_payload:
 *
 * Adds @payload to the end of the list, or replaces the saved payload of
 * the same name where it is.
 *
 * Returns: whether it was saved; only a full library refuses
 */
gboolean
inspector_profile_save_payload (InspectorProfile       *self,
                                InspectorSavedPayload  *payload,
                                GError                **error)
{
  g_autoptr(GPtrArray) items = NULL;
  guint position;

  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (payload), FALSE);

  items = dup_payloads (self);
  position = find_position (self, inspector_saved_payload_get_name (payload));
  if (position == G_MAXUINT && items->len >= MAX_SAVED_PAYLOADS)
    {
      g_set_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID,
                   _("A profile keeps at most %d saved payloads; delete some first."),
                   MAX_SAVED_PAYLOADS);
      return FALSE;
    }

  if (position == G_MAXUINT)
    g_ptr_array_add (items, g_object_ref (payload));
  else
    g_set_object ((InspectorSavedPayload **) &items->pdata[position], payload);

  write_payloads (self, items);

  return TRUE;
}

static gboolean
not_found (GError     **error,
           const char  *name)
{
  g_set_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_NOT_FOUND,
               _("There is no saved payload called “%s”."), name);
  return FALSE;
}

/**
 * inspector_profile_rename_payload:
 *
 * Renames the saved payload @name in place. Fails if another saved payload
 * is already called @new_name.
 */
gboolean
inspector_profile_rename_payload (InspectorProfile  *self,
                                  const char        *name,
                                  const char        *new_name,
                                  GError           **error)
{
  g_autoptr(InspectorSavedPayload) current = NULL;
  g_autoptr(InspectorSavedPayload) renamed = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint position;
  guint existing;

  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (new_name != NULL, FALSE);

  if ((position = find_position (self, name)) == G_MAXUINT)
    return not_found (error, name);

  current = g_list_model_get_item (G_LIST_MODEL (self->payloads), position);
  if ((renamed = inspector_saved_payload_new_renamed (current, new_name, error)) == NULL)
    return FALSE;

  existing = find_position (self, inspector_saved_payload_get_name (renamed));
  if (existing != G_MAXUINT && existing != position)
    {
      g_set_error (error, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_EXISTS,
                   _("A saved payload is already called “%s”."),
                   inspector_saved_payload_get_name (renamed));
      return FALSE;
    }

  items = dup_payloads (self);
  g_set_object ((InspectorSavedPayload **) &items->pdata[position], renamed);
  write_payloads (self, items);

  return TRUE;
}

gboolean
inspector_profile_delete_payload (InspectorProfile  *self,
                                  const char        *name,
                                  GError           **error)
{
  g_autoptr(GPtrArray) items = NULL;
  guint position;

  g_return_val_if_fail (INSPECTOR_IS_PROFILE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if ((position = find_position (self, name)) == G_MAXUINT)
    return not_found (error, name);

  items = dup_payloads (self);
  g_ptr_array_remove_index (items, position);
  write_payloads (self, items);

  return TRUE;
}
