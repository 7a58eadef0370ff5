/* inspector-secret-store.c: a profile's secrets, in the keyring
 *
 * Every profile has at most one secret per kind, found by the attributes
 * "profile-id" and "kind". Operations are short sequences of libsecret
 * calls run one after the other; each sequence has a deadline, so a
 * keyring that never answers (locked, waiting for a prompt nobody sees)
 * turns into an error instead of a hang. The deadline returns the error
 * itself: libsecret 0.20 may never complete a call whose unlock prompt
 * was cancelled.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-secret-store"

#include <string.h>

#include <glib/gi18n.h>

#include "inspector-secret-store.h"

struct _InspectorSecretStore
{
  GObject parent_instance;

  guint   timeout_ms;
};

G_DEFINE_FINAL_TYPE (InspectorSecretStore, inspector_secret_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (inspector-keyring-error-quark, inspector_keyring_error)

enum {
  PROP_0,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const kind_names[INSPECTOR_N_SECRET_KINDS] = {
  "api-key",
  "token",
  "signing-secret",
};

typedef enum {
  STEP_STORE,
  STEP_LOOKUP,
  STEP_CLEAR,
  /* Whether a secret the lookup did not return is there but locked. */
  STEP_FIND_LOCKED,
} StepAction;

typedef struct {
  StepAction action;
  /* -1 with STEP_CLEAR: every kind */
  int        kind;
  char      *profile_id;
  char      *profile_name;
  /* STEP_STORE: the secret; NULL to store what an earlier lookup found */
  char      *value;
} Step;

typedef struct {
  GArray                  *steps;
  guint                    next;
  char                    *found[INSPECTOR_N_SECRET_KINDS];
  InspectorConnectOptions *options;
  GCancellable            *cancellable;
  GCancellable            *caller_cancellable;
  gulong                   caller_handler;
  GSource                 *timeout_source;
  /* Returned by the deadline: late libsecret answers are dropped. */
  gboolean                 returned;
  gboolean                 locked;
  guint                    timeout_ms;
} Op;

static void run_next_step (GTask *task);

/**
 * inspector_secret_store_get_schema:
 *
 * Returns: (transfer none): the schema the inspector's secrets use
 */
const SecretSchema *
inspector_secret_store_get_schema (void)
{
  static const SecretSchema schema = {
    INSPECTOR_SECRET_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "profile-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static const char *
kind_description (InspectorSecretKind kind)
{
  switch (kind)
    {
    case INSPECTOR_SECRET_API_KEY:
      return _("publishable key");
    case INSPECTOR_SECRET_TOKEN:
      return _("token");
    case INSPECTOR_SECRET_SIGNING_SECRET:
    default:
      return _("signing secret");
    }
}

/* The kind of secret @mode needs, or -1. */
static int
kind_for_mode (InspectorAuthMode mode)
{
  switch (mode)
    {
    case INSPECTOR_AUTH_API_KEY:
      return INSPECTOR_SECRET_API_KEY;
    case INSPECTOR_AUTH_TOKEN:
      return INSPECTOR_SECRET_TOKEN;
    case INSPECTOR_AUTH_SIGNED_TOKEN:
      return INSPECTOR_SECRET_SIGNING_SECRET;
    case INSPECTOR_AUTH_SANDBOX:
    default:
      return -1;
    }
}

static char **
options_field (InspectorConnectOptions *options,
               InspectorSecretKind      kind)
{
  switch (kind)
    {
    case INSPECTOR_SECRET_API_KEY:
      return &options->api_key;
    case INSPECTOR_SECRET_TOKEN:
      return &options->token;
    case INSPECTOR_SECRET_SIGNING_SECRET:
    default:
      return &options->secret;
    }
}

static void
wipe (char **secret)
{
  if (*secret != NULL)
    {
      explicit_bzero (*secret, strlen (*secret));
      g_clear_pointer (secret, g_free);
    }
}

static void
step_clear (Step *step)
{
  g_free (step->profile_id);
  g_free (step->profile_name);
  wipe (&step->value);
}

static void
op_free (Op *op)
{
  if (op->caller_cancellable != NULL)
    g_cancellable_disconnect (op->caller_cancellable, op->caller_handler);
  g_clear_object (&op->caller_cancellable);

  if (op->timeout_source != NULL)
    g_source_destroy (op->timeout_source);
  g_clear_pointer (&op->timeout_source, g_source_unref);

  g_clear_object (&op->cancellable);
  g_clear_pointer (&op->steps, g_array_unref);
  for (guint i = 0; i < INSPECTOR_N_SECRET_KINDS; i++)
    wipe (&op->found[i]);
  g_clear_pointer (&op->options, inspector_connect_options_free);
  g_free (op);
}

static void
on_caller_cancelled (GCancellable *caller,
                     GCancellable *own)
{
  g_cancellable_cancel (own);
}

static gboolean
on_timeout (gpointer user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  guint seconds;

  op->returned = TRUE;
  g_clear_pointer (&op->timeout_source, g_source_unref);
  g_cancellable_cancel (op->cancellable);
  seconds = MAX (1, (op->timeout_ms + 500) / 1000);
  g_task_return_new_error (task, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_TIMED_OUT,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "The keyring did not answer within %u second. It may be locked and waiting for its password.",
                                        "The keyring did not answer within %u seconds. It may be locked and waiting for its password.",
                                        seconds),
                           seconds);

  return G_SOURCE_REMOVE;
}

static GTask *
op_task_new (InspectorSecretStore *self,
             GCancellable         *cancellable,
             GAsyncReadyCallback   callback,
             gpointer              user_data,
             gpointer              source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);

  op->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (op->steps, (GDestroyNotify) step_clear);
  op->cancellable = g_cancellable_new ();
  op->timeout_ms = self->timeout_ms;

  if (cancellable != NULL)
    {
      op->caller_cancellable = g_object_ref (cancellable);
      op->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                  op->cancellable, NULL);
    }

  g_task_set_task_data (task, op, (GDestroyNotify) op_free);

  return task;
}

static void
op_add (GTask       *task,
        StepAction   action,
        int          kind,
        const char  *profile_id,
        const char  *profile_name,
        const char  *value)
{
  Op *op = g_task_get_task_data (task);
  Step step = { action, kind, g_strdup (profile_id), g_strdup (profile_name), g_strdup (value) };

  g_array_append_val (op->steps, step);
}

static void
op_start (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  /* The task outlives the source: the pending step holds a reference. */
  op->timeout_source = g_timeout_source_new (op->timeout_ms);
  g_source_set_callback (op->timeout_source, on_timeout, task, NULL);
  g_source_set_static_name (op->timeout_source, "[inspector] keyring deadline");
  g_source_attach (op->timeout_source, g_task_get_context (task));

  run_next_step (task);
}

static GHashTable *
attributes_new (const char *profile_id,
                int         kind)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (gpointer) "profile-id", (gpointer) profile_id);
  if (kind >= 0)
    g_hash_table_insert (attributes, (gpointer) "kind", (gpointer) kind_names[kind]);

  return attributes;
}

/* Turns a libsecret or D-Bus failure into words for the UI. None of these
 * messages can hold a secret: they come from the transport, never from the
 * values sent. */
static void
return_keyring_error (GTask  *task,
                      GError *error)
{
  Op *op = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (op->caller_cancellable))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
  else
    {
      if (g_dbus_error_is_remote_error (error))
        g_dbus_error_strip_remote_error (error);
      g_task_return_new_error (task, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_UNAVAILABLE,
                               _("The keyring could not be used: %s"), error->message);
    }
}

static void
on_step_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);
  Step *step = &g_array_index (op->steps, Step, op->next);

  if (op->returned)
    return;

  switch (step->action)
    {
    case STEP_STORE:
      secret_password_store_finish (result, &error);
      break;

    case STEP_LOOKUP:
      {
        char *secret = secret_password_lookup_finish (result, &error);

        if (secret != NULL)
          {
            wipe (&op->found[step->kind]);
            op->found[step->kind] = g_strdup (secret);
            secret_password_free (secret);
          }
      }
      break;

    case STEP_FIND_LOCKED:
      {
        GList *items = secret_service_search_finish (NULL, result, &error);

        for (GList *l = items; l != NULL; l = l->next)
          op->locked |= secret_item_get_locked (l->data);
        g_list_free_full (items, g_object_unref);
      }
      break;

    case STEP_CLEAR:
    default:
      secret_password_clear_finish (result, &error);
      break;
    }

  if (error != NULL)
    {
      return_keyring_error (task, error);
      return;
    }

  op->next++;
  run_next_step (g_steal_pointer (&task));
}

static void
finish_op (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (op->options != NULL)
    {
      int kind = kind_for_mode (op->options->mode);

      if (kind >= 0)
        {
          char **field = options_field (op->options, kind);

          if (op->found[kind] == NULL && op->locked)
            {
              g_task_return_new_error (task, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_LOCKED,
                                       _("The keyring that holds this profile’s %s is locked. Unlock it and try again."),
                                       kind_description (kind));
              return;
            }

          if (op->found[kind] == NULL)
            {
              g_task_return_new_error (task, INSPECTOR_KEYRING_ERROR, INSPECTOR_KEYRING_ERROR_MISSING,
                                       _("The keyring holds no %s for this profile. Edit the profile to enter it again."),
                                       kind_description (kind));
              return;
            }

          wipe (field);
          *field = g_steal_pointer (&op->found[kind]);
        }

      g_task_return_pointer (task, g_steal_pointer (&op->options),
                             (GDestroyNotify) inspector_connect_options_free);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
run_next_step (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = NULL;
  Step *step;

  /* Skips stores of secrets an earlier lookup did not find, and the
   * check for locked items when the lookup found what it looked for. */
  while (op->next < op->steps->len)
    {
      step = &g_array_index (op->steps, Step, op->next);
      if (step->action == STEP_STORE && step->value == NULL && op->found[step->kind] == NULL)
        op->next++;
      else if (step->action == STEP_FIND_LOCKED && op->found[step->kind] != NULL)
        op->next++;
      else
        break;
    }

  if (op->next >= op->steps->len)
    {
      finish_op (task);
      g_object_unref (task);
      return;
    }

  step = &g_array_index (op->steps, Step, op->next);
  attributes = attributes_new (step->profile_id, step->kind);

  switch (step->action)
    {
    case STEP_STORE:
      {
        /* Translators: the secret's kind, then the profile's name; the
         * keyring shows this, never the secret itself */
        g_autofree char *label = g_strdup_printf (_("Metered Inspector %s for “%s”"),
                                                  kind_description (step->kind),
                                                  step->profile_name);

        secret_password_storev (inspector_secret_store_get_schema (), attributes,
                                SECRET_COLLECTION_DEFAULT, label,
                                step->value != NULL ? step->value : op->found[step->kind],
                                op->cancellable, on_step_done, task);
      }
      break;

    case STEP_LOOKUP:
      secret_password_lookupv (inspector_secret_store_get_schema (), attributes,
                               op->cancellable, on_step_done, task);
      break;

    case STEP_FIND_LOCKED:
      secret_service_search (NULL, inspector_secret_store_get_schema (), attributes, SECRET_SEARCH_ALL,
                             op->cancellable, on_step_done, task);
      break;

    case STEP_CLEAR:
    default:
      secret_password_clearv (inspector_secret_store_get_schema (), attributes,
                              op->cancellable, on_step_done, task);
      break;
    }
}

static void
inspector_secret_store_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  InspectorSecretStore *self = INSPECTOR_SECRET_STORE (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_secret_store_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  InspectorSecretStore *self = INSPECTOR_SECRET_STORE (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT:
      inspector_secret_store_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_secret_store_class_init (InspectorSecretStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = inspector_secret_store_get_property;
  object_class->set_property = inspector_secret_store_set_property;

  /**
   * InspectorSecretStore:timeout:
   *
   * Milliseconds an operation may take before it fails with
   * %INSPECTOR_KEYRING_ERROR_TIMED_OUT.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       1, G_MAXUINT, INSPECTOR_SECRET_STORE_DEFAULT_TIMEOUT_MS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_secret_store_init (InspectorSecretStore *self)
{
  self->timeout_ms = INSPECTOR_SECRET_STORE_DEFAULT_TIMEOUT_MS;
}

InspectorSecretStore *
inspector_secret_store_new (void)
{
  return g_object_new (INSPECTOR_TYPE_SECRET_STORE, NULL);
}

guint
inspector_secret_store_get_timeout (InspectorSecretStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_SECRET_STORE (self), 0);

  return self->timeout_ms;
}

void
inspector_secret_store_set_timeout (InspectorSecretStore *self,
                                    guint                 timeout_ms)
{
  g_return_if_fail (INSPECTOR_IS_SECRET_STORE (self));
  g_return_if_fail (timeout_ms > 0);

  if (self->timeout_ms == timeout_ms)
    return;

  self->timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * inspector_secret_store_save_async:
 * @profile_id: the profile the secret belongs to
 * @profile_name: the profile's name, for the keyring item's label
 * @options: the options whose secret to keep
 *
 * Stores the one secret @options' mode uses and removes the profile's
 * other secrets, so a profile switched from a key to a token does not
 * leave the key behind.
 */
void
inspector_secret_store_save_async (InspectorSecretStore          *self,
                                   const char                    *profile_id,
                                   const char                    *profile_name,
                                   const InspectorConnectOptions *options,
                                   GCancellable                  *cancellable,
                                   GAsyncReadyCallback            callback,
                                   gpointer                       user_data)
{
  GTask *task;
  int kind;

  g_return_if_fail (INSPECTOR_IS_SECRET_STORE (self));
  g_return_if_fail (profile_id != NULL);
  g_return_if_fail (profile_name != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, callback, user_data, inspector_secret_store_save_async);
  kind = kind_for_mode (options->mode);

  if (kind >= 0)
    {
      const char *value = *options_field ((InspectorConnectOptions *) options, kind);

      op_add (task, STEP_STORE, kind, profile_id, profile_name, value != NULL ? value : "");
    }

  for (int other = 0; other < INSPECTOR_N_SECRET_KINDS; other++)
    if (other != kind)
      op_add (task, STEP_CLEAR, other, profile_id, NULL, NULL);

  op_start (task);
}

gboolean
inspector_secret_store_save_finish (InspectorSecretStore  *self,
                                    GAsyncResult          *result,
                                    GError               **error)
{
  g_return_val_if_fail (INSPECTOR_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * inspector_secret_store_fill_async:
 * @options: options without their secret
 *
 * Looks up the secret @options' mode needs. Fails with
 * %INSPECTOR_KEYRING_ERROR_MISSING if the keyring does not hold it.
 */
void
inspector_secret_store_fill_async (InspectorSecretStore          *self,
                                   const char                    *profile_id,
                                   const InspectorConnectOptions *options,
                                   GCancellable                  *cancellable,
                                   GAsyncReadyCallback            callback,
                                   gpointer                       user_data)
{
  GTask *task;
  Op *op;
  int kind;

  g_return_if_fail (INSPECTOR_IS_SECRET_STORE (self));
  g_return_if_fail (profile_id != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, callback, user_data, inspector_secret_store_fill_async);
  op = g_task_get_task_data (task);
  op->options = inspector_connect_options_copy (options);

  if ((kind = kind_for_mode (options->mode)) >= 0)
    {
      op_add (task, STEP_LOOKUP, kind, profile_id, NULL, NULL);
      op_add (task, STEP_FIND_LOCKED, kind, profile_id, NULL, NULL);
    }

  op_start (task);
}

/**
 * inspector_secret_store_fill_finish:
 *
 * Returns: (transfer full) (nullable): a copy of the options with the
 *   secret filled in
 */
InspectorConnectOptions *
inspector_secret_store_fill_finish (InspectorSecretStore  *self,
                                    GAsyncResult          *result,
                                    GError               **error)
{
  g_return_val_if_fail (INSPECTOR_IS_SECRET_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * inspector_secret_store_copy_async:
 *
 * Gives the profile @to_profile_id every secret @from_profile_id has.
 */
void
inspector_secret_store_copy_async (InspectorSecretStore *self,
                                   const char           *from_profile_id,
                                   const char           *to_profile_id,
                                   const char           *to_profile_name,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  GTask *task;

  g_return_if_fail (INSPECTOR_IS_SECRET_STORE (self));
  g_return_if_fail (from_profile_id != NULL);
  g_return_if_fail (to_profile_id != NULL);
  g_return_if_fail (to_profile_name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, callback, user_data, inspector_secret_store_copy_async);

  for (int kind = 0; kind < INSPECTOR_N_SECRET_KINDS; kind++)
    op_add (task, STEP_LOOKUP, kind, from_profile_id, NULL, NULL);
  for (int kind = 0; kind < INSPECTOR_N_SECRET_KINDS; kind++)
    op_add (task, STEP_STORE, kind, to_profile_id, to_profile_name, NULL);

  op_start (task);
}

gboolean
inspector_secret_store_copy_finish (InspectorSecretStore  *self,
                                    GAsyncResult          *result,
                                    GError               **error)
{
  g_return_val_if_fail (INSPECTOR_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * inspector_secret_store_clear_async:
 *
 * Removes every secret of the profile.
 */
void
inspector_secret_store_clear_async (InspectorSecretStore *self,
                                    const char           *profile_id,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  GTask *task;

  g_return_if_fail (INSPECTOR_IS_SECRET_STORE (self));
  g_return_if_fail (profile_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, cancellable, callback, user_data, inspector_secret_store_clear_async);
  op_add (task, STEP_CLEAR, -1, profile_id, NULL, NULL);
  op_start (task);
}

gboolean
inspector_secret_store_clear_finish (InspectorSecretStore  *self,
                                     GAsyncResult          *result,
                                     GError               **error)
{
  g_return_val_if_fail (INSPECTOR_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
