/* inspector-profile-store.c: the saved connection profiles, in order
 *
 * The main schema's "profiles" key lists the ids; each profile keeps its
 * settings at profiles/ID/ under the main schema's path and its secrets
 * in the keyring. The list is read again whenever the key changes, so
 * two windows (or two stores) agree; profile objects are kept by id.
 *
 * A profile is listed only once its settings and secrets are written, and
 * unlisted before its secrets are cleared, so a failing keyring never
 * leaves a listed profile half made.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-profile-store"

#include <glib/gi18n.h>

#include "inspector-error.h"
#include "inspector-profile-store.h"

struct _InspectorProfileStore
{
  GObject               parent_instance;

  GSettings            *settings;
  GSettingsSchema      *profile_schema;
  InspectorSecretStore *secrets;
  GPtrArray            *profiles;
  char                 *problem;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (InspectorProfileStore, inspector_profile_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct {
  InspectorProfile        *profile;
  InspectorProfile        *source;
  char                    *name;
  InspectorConnectOptions *options;
} Op;

static void
op_free (Op *op)
{
  g_clear_object (&op->profile);
  g_clear_object (&op->source);
  g_clear_pointer (&op->name, g_free);
  g_clear_pointer (&op->options, inspector_connect_options_free);
  g_free (op);
}

static GType
inspector_profile_store_get_item_type (GListModel *model)
{
  return INSPECTOR_TYPE_PROFILE;
}

static guint
inspector_profile_store_get_n_items (GListModel *model)
{
  return INSPECTOR_PROFILE_STORE (model)->profiles->len;
}

static gpointer
inspector_profile_store_get_item (GListModel *model,
                                  guint       position)
{
  InspectorProfileStore *self = INSPECTOR_PROFILE_STORE (model);

  if (position >= self->profiles->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->profiles, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = inspector_profile_store_get_item_type;
  iface->get_n_items = inspector_profile_store_get_n_items;
  iface->get_item = inspector_profile_store_get_item;
}

static void
set_problem (InspectorProfileStore *self,
             const char            *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;

  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static InspectorProfile *
profile_new (InspectorProfileStore *self,
             const char            *id)
{
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *main_path = NULL;
  g_autofree char *path = NULL;

  g_object_get (self->settings, "backend", &backend, "path", &main_path, NULL);
  path = g_strconcat (main_path, "profiles/", id, "/", NULL);
  settings = g_settings_new_full (self->profile_schema, backend, path);

  return inspector_profile_new (id, settings, self->secrets);
}

static InspectorProfile *
find_in (GPtrArray  *profiles,
         const char *id)
{
  for (guint i = 0; i < profiles->len; i++)
    if (g_str_equal (inspector_profile_get_id (g_ptr_array_index (profiles, i)), id))
      return g_ptr_array_index (profiles, i);

  return NULL;
}

/* An id from the stored list, safe to show. */
static char *
shown_id (const char *id)
{
  g_autofree char *valid = g_utf8_make_valid (id, -1);

  if (g_utf8_strlen (valid, -1) > 40)
    *g_utf8_offset_to_pointer (valid, 40) = '\0';

  return g_steal_pointer (&valid);
}

/* Reads the list of ids, keeping the objects of ids still listed. */
static void
reload (InspectorProfileStore *self)
{
  g_auto(GStrv) ids = g_settings_get_strv (self->settings, "profiles");
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) ignored = g_string_new (NULL);
  guint n_ignored = 0;
  gboolean changed;
  guint old_len;

  if (self->profile_schema == NULL)
    {
      set_problem (self, _("Profiles cannot be used: the profile settings schema is not installed."));
      return;
    }

  for (guint i = 0; ids[i] != NULL; i++)
    {
      InspectorProfile *existing;

      if (!inspector_profile_id_is_valid (ids[i]) || find_in (profiles, ids[i]) != NULL)
        {
          g_autofree char *shown = shown_id (ids[i]);

          g_string_append_printf (ignored, "%s“%s”", n_ignored > 0 ? ", " : "", shown);
          n_ignored++;
          continue;
        }

      if ((existing = find_in (self->profiles, ids[i])) != NULL)
        g_ptr_array_add (profiles, g_object_ref (existing));
      else
        g_ptr_array_add (profiles, profile_new (self, ids[i]));
    }

  changed = profiles->len != self->profiles->len;
  for (guint i = 0; !changed && i < profiles->len; i++)
    changed = g_ptr_array_index (profiles, i) != g_ptr_array_index (self->profiles, i);

  if (n_ignored > 0)
    {
      g_autofree char *problem =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Ignored %u stored profile id that is not valid or listed twice: %s",
                                      "Ignored %u stored profile ids that are not valid or listed twice: %s",
                                      n_ignored),
                         n_ignored, ignored->str);

      set_problem (self, problem);
    }
  else
    set_problem (self, NULL);

  if (!changed)
    return;

  old_len = self->profiles->len;
  g_ptr_array_unref (self->profiles);
  self->profiles = g_steal_pointer (&profiles);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->profiles->len);
}

/* Lists @profiles, these very objects, and writes their ids; ids the
 * stored list had but we ignored are dropped. */
static void
write_ids (InspectorProfileStore *self,
           GPtrArray             *profiles)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;
  guint old_len = self->profiles->len;

  for (guint i = 0; i < profiles->len; i++)
    g_strv_builder_add (builder, inspector_profile_get_id (g_ptr_array_index (profiles, i)));
  ids = g_strv_builder_end (builder);

  g_ptr_array_unref (self->profiles);
  self->profiles = g_ptr_array_ref (profiles);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, profiles->len);

  /* Our own change notification then finds nothing new. */
  g_settings_set_strv (self->settings, "profiles", (const char * const *) ids);
  reload (self);
}

static GPtrArray *
dup_profiles (InspectorProfileStore *self)
{
  return g_ptr_array_copy (self->profiles, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

static void
inspector_profile_store_dispose (GObject *object)
{
  InspectorProfileStore *self = (InspectorProfileStore *)object;

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (inspector_profile_store_parent_class)->dispose (object);
}

static void
inspector_profile_store_finalize (GObject *object)
{
  InspectorProfileStore *self = (InspectorProfileStore *)object;

  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  g_clear_pointer (&self->profile_schema, g_settings_schema_unref);
  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (inspector_profile_store_parent_class)->finalize (object);
}

static void
inspector_profile_store_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  InspectorProfileStore *self = INSPECTOR_PROFILE_STORE (object);

  switch (prop_id)
    {
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_profile_store_class_init (InspectorProfileStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = inspector_profile_store_dispose;
  object_class->finalize = inspector_profile_store_finalize;
  object_class->get_property = inspector_profile_store_get_property;

  /**
   * InspectorProfileStore:problem:
   *
   * What was wrong with the stored list of profiles, for the user; %NULL
   * when nothing was.
   */
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_profile_store_init (InspectorProfileStore *self)
{
  self->profiles = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * inspector_profile_store_new_with_secret_store:
 * @main_settings: the main schema, whose backend and path the profiles share
 * @secrets: where the profiles' secrets are kept
 *
 * Returns: (transfer full): the store
 */
InspectorProfileStore *
inspector_profile_store_new_with_secret_store (GSettings            *main_settings,
                                               InspectorSecretStore *secrets)
{
  InspectorProfileStore *self;
  GSettingsSchemaSource *source;

  g_return_val_if_fail (G_IS_SETTINGS (main_settings), NULL);
  g_return_val_if_fail (INSPECTOR_IS_SECRET_STORE (secrets), NULL);

  self = g_object_new (INSPECTOR_TYPE_PROFILE_STORE, NULL);
  self->settings = g_object_ref (main_settings);
  self->secrets = g_object_ref (secrets);

  if ((source = g_settings_schema_source_get_default ()) != NULL)
    self->profile_schema = g_settings_schema_source_lookup (source, INSPECTOR_PROFILE_SCHEMA_ID, TRUE);

  g_signal_connect_object (main_settings, "changed::profiles", G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
  reload (self);

  return self;
}

/**
 * inspector_profile_store_new:
 * @main_settings: the main schema, whose backend and path the profiles share
 *
 * Returns: (transfer full): the store, with secrets in the user's keyring
 */
InspectorProfileStore *
inspector_profile_store_new (GSettings *main_settings)
{
  g_autoptr(InspectorSecretStore) secrets = inspector_secret_store_new ();

  g_return_val_if_fail (G_IS_SETTINGS (main_settings), NULL);

  return inspector_profile_store_new_with_secret_store (main_settings, secrets);
}

/**
 * inspector_profile_store_get_problem:
 *
 * Returns: (nullable): see #InspectorProfileStore:problem
 */
const char *
inspector_profile_store_get_problem (InspectorProfileStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_STORE (self), NULL);

  return self->problem;
}

/**
 * inspector_profile_store_find:
 *
 * Returns: (transfer none) (nullable): the listed profile with @id
 */
InspectorProfile *
inspector_profile_store_find (InspectorProfileStore *self,
                              const char            *id)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return find_in (self->profiles, id);
}

static gboolean
is_listed (InspectorProfileStore  *self,
           InspectorProfile       *profile,
           guint                  *position)
{
  return g_ptr_array_find (self->profiles, profile, position);
}

/**
 * inspector_profile_store_move:
 * @position: where @profile goes, counted in the list without it
 *
 * Returns: whether @profile is listed (and so was moved)
 */
gboolean
inspector_profile_store_move (InspectorProfileStore *self,
                              InspectorProfile      *profile,
                              guint                  position)
{
  g_autoptr(GPtrArray) profiles = NULL;
  guint current;

  g_return_val_if_fail (INSPECTOR_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (INSPECTOR_IS_PROFILE (profile), FALSE);

  if (!is_listed (self, profile, &current))
    return FALSE;

  profiles = dup_profiles (self);
  g_ptr_array_remove_index (profiles, current);
  g_ptr_array_insert (profiles, MIN (position, profiles->len), g_object_ref (profile));
  write_ids (self, profiles);

  return TRUE;
}

static gboolean
return_invalid (GTask                         *task,
                const InspectorConnectOptions *options)
{
  g_autoptr(GError) error = NULL;

  if (inspector_connect_options_validate (options, &error))
    return FALSE;

  g_task_return_new_error (task, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID,
                           "%s", error->message);
  return TRUE;
}

static GTask *
op_task_new (InspectorProfileStore *self,
             GCancellable          *cancellable,
             GAsyncReadyCallback    callback,
             gpointer               user_data,
             gpointer               source_tag,
             Op                   **op)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  *op = g_new0 (Op, 1);
  g_task_set_task_data (task, *op, (GDestroyNotify) op_free);

  return task;
}

static void
on_add_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  InspectorProfileStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;

  if (!inspector_secret_store_save_finish (INSPECTOR_SECRET_STORE (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Checked before the keyring was touched, so this cannot fail. */
  if (!inspector_profile_write (op->profile, op->name, op->options, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  profiles = dup_profiles (self);
  g_ptr_array_add (profiles, g_object_ref (op->profile));
  write_ids (self, profiles);

  g_task_return_pointer (task, g_object_ref (find_in (self->profiles, inspector_profile_get_id (op->profile))),
                         g_object_unref);
}

/**
 * inspector_profile_store_add_async:
 * @name: the new profile's name
 * @options: the options, secrets included; they must validate
 *
 * Saves a new profile at the end of the list: its secret into the keyring,
 * the rest into settings.
 */
void
inspector_profile_store_add_async (InspectorProfileStore         *self,
                                   const char                    *name,
                                   const InspectorConnectOptions *options,
                                   GCancellable                  *cancellable,
                                   GAsyncReadyCallback            callback,
                                   gpointer                       user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  Op *op;

  g_return_if_fail (INSPECTOR_IS_PROFILE_STORE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, callback, user_data, inspector_profile_store_add_async, &op);

  if (self->profile_schema == NULL)
    {
      g_task_return_new_error (task, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_INVALID,
                               "%s", self->problem);
      return;
    }

  if (return_invalid (task, options))
    return;

  do
    {
      g_free (id);
      id = g_uuid_string_random ();
    }
  while (find_in (self->profiles, id) != NULL);

  op->profile = profile_new (self, id);
  op->name = g_strdup (name);
  op->options = inspector_connect_options_copy (options);

  if (!inspector_profile_check (op->profile, name, options, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  inspector_secret_store_save_async (self->secrets, id, name, options, cancellable,
                                     on_add_saved, g_steal_pointer (&task));
}

/**
 * inspector_profile_store_add_finish:
 *
 * Returns: (transfer full) (nullable): the new profile, listed
 */
InspectorProfile *
inspector_profile_store_add_finish (InspectorProfileStore  *self,
                                    GAsyncResult           *result,
                                    GError                **error)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_update_saved (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!inspector_secret_store_save_finish (INSPECTOR_SECRET_STORE (source), result, &error) ||
      !inspector_profile_write (op->profile, op->name, op->options, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * inspector_profile_store_update_async:
 * @profile: a listed profile
 * @name: its new name
 * @options: its new options, secrets included; they must validate
 *
 * Replaces the profile's settings and secret; a secret the new options do
 * not use is removed from the keyring.
 */
void
inspector_profile_store_update_async (InspectorProfileStore         *self,
                                      InspectorProfile              *profile,
                                      const char                    *name,
                                      const InspectorConnectOptions *options,
                                      GCancellable                  *cancellable,
                                      GAsyncReadyCallback            callback,
                                      gpointer                       user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Op *op;

  g_return_if_fail (INSPECTOR_IS_PROFILE_STORE (self));
  g_return_if_fail (INSPECTOR_IS_PROFILE (profile));
  g_return_if_fail (name != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, callback, user_data, inspector_profile_store_update_async, &op);

  if (!is_listed (self, profile, NULL))
    {
      g_task_return_new_error (task, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_NOT_FOUND,
                               _("The profile “%s” no longer exists."), inspector_profile_get_name (profile));
      return;
    }

  if (return_invalid (task, options))
    return;

  if (!inspector_profile_check (profile, name, options, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  op->profile = g_object_ref (profile);
  op->name = g_strdup (name);
  op->options = inspector_connect_options_copy (options);

  inspector_secret_store_save_async (self->secrets, inspector_profile_get_id (profile), name, options,
                                     cancellable, on_update_saved, g_steal_pointer (&task));
}

gboolean
inspector_profile_store_update_finish (InspectorProfileStore  *self,
                                       GAsyncResult           *result,
                                       GError                **error)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_duplicate_copied (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  InspectorProfileStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;
  guint position;

  if (!inspector_secret_store_copy_finish (INSPECTOR_SECRET_STORE (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Right after the original, wherever it is now. */
  inspector_profile_copy_from (op->profile, op->source, op->name);
  profiles = dup_profiles (self);
  if (!is_listed (self, op->source, &position))
    position = profiles->len - 1;
  g_ptr_array_insert (profiles, position + 1, g_object_ref (op->profile));
  write_ids (self, profiles);

  g_task_return_pointer (task, g_object_ref (find_in (self->profiles, inspector_profile_get_id (op->profile))),
                         g_object_unref);
}

/**
 * inspector_profile_store_duplicate_async:
 * @profile: a listed profile
 *
 * Copies the profile, saved payloads and secrets included, under a new
 * name right after it.
 */
void
inspector_profile_store_duplicate_async (InspectorProfileStore *self,
                                         InspectorProfile      *profile,
                                         GCancellable          *cancellable,
                                         GAsyncReadyCallback    callback,
                                         gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;
  Op *op;

  g_return_if_fail (INSPECTOR_IS_PROFILE_STORE (self));
  g_return_if_fail (INSPECTOR_IS_PROFILE (profile));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, callback, user_data, inspector_profile_store_duplicate_async, &op);

  if (!is_listed (self, profile, NULL))
    {
      g_task_return_new_error (task, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_NOT_FOUND,
                               _("The profile “%s” no longer exists."), inspector_profile_get_name (profile));
      return;
    }

  do
    {
      g_free (id);
      id = g_uuid_string_random ();
    }
  while (find_in (self->profiles, id) != NULL);

  op->source = g_object_ref (profile);
  op->profile = profile_new (self, id);
  /* Translators: the name of a duplicated profile */
  op->name = g_strdup_printf (_("%s (copy)"), inspector_profile_get_name (profile));

  inspector_secret_store_copy_async (self->secrets, inspector_profile_get_id (profile), id, op->name,
                                     cancellable, on_duplicate_copied, g_steal_pointer (&task));
}

/**
 * inspector_profile_store_duplicate_finish:
 *
 * Returns: (transfer full) (nullable): the copy, listed
 */
InspectorProfile *
inspector_profile_store_duplicate_finish (InspectorProfileStore  *self,
                                          GAsyncResult           *result,
                                          GError                **error)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_delete_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!inspector_secret_store_clear_finish (INSPECTOR_SECRET_STORE (source), result, &error))
    {
      /* Translators: a profile's name, then why the keyring failed */
      g_task_return_new_error (task, error->domain, error->code,
                               _("“%s” was deleted, but its secrets could not be removed from the keyring: %s"),
                               op->name, error->message);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * inspector_profile_store_delete_async:
 * @profile: a listed profile
 *
 * Unlists the profile, resets its settings and removes its secrets from
 * the keyring. The profile is gone even if the keyring fails; the error
 * then says that its secrets are left.
 */
void
inspector_profile_store_delete_async (InspectorProfileStore *self,
                                      InspectorProfile      *profile,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  guint position;
  Op *op;

  g_return_if_fail (INSPECTOR_IS_PROFILE_STORE (self));
  g_return_if_fail (INSPECTOR_IS_PROFILE (profile));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, callback, user_data, inspector_profile_store_delete_async, &op);

  if (!is_listed (self, profile, &position))
    {
      g_task_return_new_error (task, INSPECTOR_PROFILE_ERROR, INSPECTOR_PROFILE_ERROR_NOT_FOUND,
                               _("The profile “%s” no longer exists."), inspector_profile_get_name (profile));
      return;
    }

  op->profile = g_object_ref (profile);
  op->name = g_strdup (inspector_profile_get_name (profile));

  profiles = dup_profiles (self);
  g_ptr_array_remove_index (profiles, position);
  write_ids (self, profiles);
  inspector_profile_reset (profile);

  inspector_secret_store_clear_async (self->secrets, inspector_profile_get_id (profile), cancellable,
                                      on_delete_cleared, g_steal_pointer (&task));
}

gboolean
inspector_profile_store_delete_finish (InspectorProfileStore  *self,
                                       GAsyncResult           *result,
                                       GError                **error)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
