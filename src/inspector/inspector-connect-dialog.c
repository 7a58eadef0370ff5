/* inspector-connect-dialog.c: where to connect and how to authenticate
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-connect-dialog"

#include <math.h>

#include <glib/gi18n.h>

#include "metered-url.h"

#include "inspector-config.h"

#include "inspector-connect-dialog.h"
#include "inspector-profile-store.h"

enum {
  SERVER_SANDBOX,
  SERVER_REMOTE,
};

enum {
  METHOD_API_KEY,
  METHOD_TOKEN,
  METHOD_SIGNED,
};

struct _InspectorConnectDialog
{
  AdwWindow                parent_instance;

  char                    *error;
  /* Profiles: where to save, and the profile edited or just saved. */
  InspectorProfileStore   *store;
  InspectorProfile        *profile;
  gboolean                 profile_mode;
  gboolean                 busy;
  GCancellable            *cancellable;
  InspectorConnectOptions *pending;

  GtkWidget               *page;
  GtkWidget               *save_button;
  GtkWidget               *connect_button;
  GtkWidget               *profile_group;
  AdwEntryRow             *name_row;

  AdwComboRow             *server_row;
  AdwEntryRow             *url_row;
  GtkLabel                *url_error;
  GtkWidget               *auth_group;
  AdwComboRow             *method_row;
  GtkWidget               *api_key_row;
  GtkWidget               *token_row;
  GtkWidget               *key_id_row;
  GtkWidget               *secret_row;
  GtkWidget               *subject_row;
  GtkWidget               *channels_row;
  GtkWidget               *permissions_row;
  GtkCheckButton          *perm_subscribe;
  GtkCheckButton          *perm_publish;
  GtkCheckButton          *perm_presence;
  GtkCheckButton          *perm_send;
  GtkWidget               *metadata_row;
  GtkWidget               *lifetime_row;
  GtkSpinButton           *lifetime_spin;
  AdwEntryRow             *subscribe_row;
  GtkSpinButton           *initial_delay_spin;
  GtkSpinButton           *multiplier_spin;
  GtkSpinButton           *max_delay_spin;
  GtkSpinButton           *jitter_spin;
  GtkSpinButton           *attempts_spin;
  GtkSpinButton           *inactivity_spin;
  GtkSwitch               *resubscribe_switch;
  GtkLabel                *error_label;
};

G_DEFINE_FINAL_TYPE (InspectorConnectDialog, inspector_connect_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_CONNECT,
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
text_of (gpointer editable)
{
  return gtk_editable_get_text (GTK_EDITABLE (editable));
}

static void
set_text (gpointer    editable,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text != NULL ? text : "");
}

static void
show_error (InspectorConnectDialog *self,
            const char             *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* While the keyring is read or written, the form waits for it. */
static void
set_busy (InspectorConnectDialog *self,
          gboolean                busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (self->page, !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", !busy);
}

static void
on_form_changed (InspectorConnectDialog *self)
{
  g_autoptr(GError) error = NULL;
  gboolean remote = adw_combo_row_get_selected (self->server_row) == SERVER_REMOTE;
  guint method = adw_combo_row_get_selected (self->method_row);
  gboolean signing = method == METHOD_SIGNED;
  gboolean url_ok;

  gtk_widget_set_visible (GTK_WIDGET (self->url_row), remote);
  gtk_widget_set_visible (self->auth_group, remote);
  gtk_widget_set_visible (self->api_key_row, method == METHOD_API_KEY);
  gtk_widget_set_visible (self->token_row, method == METHOD_TOKEN);
  gtk_widget_set_visible (self->key_id_row, signing);
  gtk_widget_set_visible (self->secret_row, signing);
  gtk_widget_set_visible (self->subject_row, signing);
  gtk_widget_set_visible (self->channels_row, signing);
  gtk_widget_set_visible (self->permissions_row, signing);
  gtk_widget_set_visible (self->metadata_row, signing);
  gtk_widget_set_visible (self->lifetime_row, signing);

  /* The URL is checked as it is typed, with the reason inline. */
  url_ok = !remote || metered_url_validate_base (text_of (self->url_row), &error);
  gtk_label_set_label (self->url_error, url_ok ? "" : error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->url_error), !url_ok);
  if (url_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->url_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->url_row), "error");

  show_error (self, NULL);
}

static void
fill (InspectorConnectDialog        *self,
      const InspectorConnectOptions *options)
{
  guint method;

  switch (options->mode)
    {
    case INSPECTOR_AUTH_TOKEN:
      method = METHOD_TOKEN;
      break;
    case INSPECTOR_AUTH_SIGNED_TOKEN:
      method = METHOD_SIGNED;
      break;
    case INSPECTOR_AUTH_API_KEY:
    case INSPECTOR_AUTH_SANDBOX:
    default:
      method = METHOD_API_KEY;
      break;
    }

  adw_combo_row_set_selected (self->server_row, options->mode == INSPECTOR_AUTH_SANDBOX ? SERVER_SANDBOX : SERVER_REMOTE);
  adw_combo_row_set_selected (self->method_row, method);
  set_text (self->url_row, options->mode == INSPECTOR_AUTH_SANDBOX ? METERED_DEFAULT_URL : options->url);
  set_text (self->api_key_row, options->api_key);
  set_text (self->token_row, options->token);
  set_text (self->key_id_row, options->key_id);
  set_text (self->secret_row, options->secret);
  set_text (self->subject_row, options->subject);
  set_text (self->metadata_row, options->peer_metadata);

  if (options->channels != NULL)
    {
      g_autofree char *channels = g_strjoinv (", ", options->channels);

      set_text (self->channels_row, channels);
    }

  if (options->subscribe != NULL)
    {
      g_autofree char *subscribe = g_strjoinv (", ", options->subscribe);

      set_text (self->subscribe_row, subscribe);
    }

  gtk_check_button_set_active (self->perm_subscribe, options->permissions != NULL && g_strv_contains ((const char * const *) options->permissions, "subscribe"));
  gtk_check_button_set_active (self->perm_publish, options->permissions != NULL && g_strv_contains ((const char * const *) options->permissions, "publish"));
  gtk_check_button_set_active (self->perm_presence, options->permissions != NULL && g_strv_contains ((const char * const *) options->permissions, "presence"));
  gtk_check_button_set_active (self->perm_send, options->permissions != NULL && g_strv_contains ((const char * const *) options->permissions, "send"));

  gtk_spin_button_set_value (self->lifetime_spin, MAX (1, options->lifetime / 60));
  gtk_spin_button_set_value (self->initial_delay_spin, options->reconnect.initial_delay);
  gtk_spin_button_set_value (self->multiplier_spin, options->reconnect.multiplier);
  gtk_spin_button_set_value (self->max_delay_spin, options->reconnect.max_delay);
  gtk_spin_button_set_value (self->jitter_spin, options->reconnect.jitter_ratio);
  gtk_spin_button_set_value (self->attempts_spin, isinf (options->reconnect.max_attempts) ? 0 : options->reconnect.max_attempts);
  gtk_spin_button_set_value (self->inactivity_spin, options->inactivity_timeout);
  gtk_switch_set_active (self->resubscribe_switch, options->auto_resubscribe);

  on_form_changed (self);
}

static void
add_permission (GStrvBuilder   *builder,
                GtkCheckButton *check,
                const char     *name)
{
  if (gtk_check_button_get_active (check))
    g_strv_builder_add (builder, name);
}

/**
 * inspector_connect_dialog_dup_options:
 *
 * Returns: (transfer full): the options as filled in, not validated
 */
InspectorConnectOptions *
inspector_connect_dialog_dup_options (InspectorConnectDialog *self)
{
  InspectorConnectOptions *options;
  g_autoptr(GStrvBuilder) permissions = g_strv_builder_new ();
  InspectorAuthMode mode;

  g_return_val_if_fail (INSPECTOR_IS_CONNECT_DIALOG (self), NULL);

  if (adw_combo_row_get_selected (self->server_row) == SERVER_SANDBOX)
    mode = INSPECTOR_AUTH_SANDBOX;
  else if (adw_combo_row_get_selected (self->method_row) == METHOD_TOKEN)
    mode = INSPECTOR_AUTH_TOKEN;
  else if (adw_combo_row_get_selected (self->method_row) == METHOD_SIGNED)
    mode = INSPECTOR_AUTH_SIGNED_TOKEN;
  else
    mode = INSPECTOR_AUTH_API_KEY;

  options = inspector_connect_options_new (mode);
  g_free (options->url);
  options->url = g_strstrip (g_strdup (text_of (self->url_row)));
  options->subscribe = inspector_split_list (text_of (self->subscribe_row));

  switch (mode)
    {
    case INSPECTOR_AUTH_API_KEY:
      options->api_key = g_strstrip (g_strdup (text_of (self->api_key_row)));
      break;

    case INSPECTOR_AUTH_TOKEN:
      options->token = g_strstrip (g_strdup (text_of (self->token_row)));
      break;

    case INSPECTOR_AUTH_SIGNED_TOKEN:
      options->key_id = g_strstrip (g_strdup (text_of (self->key_id_row)));
      options->secret = g_strdup (text_of (self->secret_row));
      options->subject = g_strstrip (g_strdup (text_of (self->subject_row)));
      options->channels = inspector_split_list (text_of (self->channels_row));
      add_permission (permissions, self->perm_subscribe, "subscribe");
      add_permission (permissions, self->perm_publish, "publish");
      add_permission (permissions, self->perm_presence, "presence");
      add_permission (permissions, self->perm_send, "send");
      options->permissions = g_strv_builder_end (permissions);
      options->peer_metadata = g_strstrip (g_strdup (text_of (self->metadata_row)));
      options->lifetime = (guint) gtk_spin_button_get_value_as_int (self->lifetime_spin) * 60;
      break;

    case INSPECTOR_AUTH_SANDBOX:
    default:
      break;
    }

  options->reconnect.initial_delay = gtk_spin_button_get_value (self->initial_delay_spin);
  options->reconnect.multiplier = gtk_spin_button_get_value (self->multiplier_spin);
  options->reconnect.max_delay = gtk_spin_button_get_value (self->max_delay_spin);
  options->reconnect.jitter_ratio = gtk_spin_button_get_value (self->jitter_spin);
  options->reconnect.max_attempts = gtk_spin_button_get_value_as_int (self->attempts_spin) == 0
                                    ? INFINITY : gtk_spin_button_get_value (self->attempts_spin);
  options->inactivity_timeout = gtk_spin_button_get_value (self->inactivity_spin);
  options->auto_resubscribe = gtk_switch_get_active (self->resubscribe_switch);

  return options;
}

static void
on_profile_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(InspectorConnectDialog) self = user_data;
  g_autoptr(InspectorConnectOptions) options = g_steal_pointer (&self->pending);
  g_autoptr(InspectorProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  InspectorProfileStore *store = INSPECTOR_PROFILE_STORE (source);

  if (g_task_get_source_tag (G_TASK (result)) == inspector_profile_store_update_async)
    {
      if (inspector_profile_store_update_finish (store, result, &error))
        profile = g_object_ref (self->profile);
    }
  else
    profile = inspector_profile_store_add_finish (store, result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (profile == NULL)
    {
      show_error (self, error->message);
      return;
    }

  g_set_object (&self->profile, profile);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, profile);
  if (!self->profile_mode)
    g_signal_emit (self, signals[SIGNAL_CONNECT], 0, options);
  gtk_window_close (GTK_WINDOW (self));
}

/**
 * inspector_connect_dialog_submit:
 *
 * Validates the form. If it is fine and a profile is to be saved, saves it
 * (its secret into the keyring), emits #InspectorConnectDialog::saved and,
 * unless the dialog only edits profiles, #InspectorConnectDialog::connect,
 * then closes; without a profile to save it connects and closes at once.
 * Otherwise, or if saving fails, it shows why and stays open.
 *
 * Returns: whether the options were accepted; saving may still fail
 */
gboolean
inspector_connect_dialog_submit (InspectorConnectDialog *self)
{
  g_autoptr(InspectorConnectOptions) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (INSPECTOR_IS_CONNECT_DIALOG (self), FALSE);

  if (self->busy)
    return FALSE;

  options = inspector_connect_dialog_dup_options (self);

  if (!inspector_connect_options_validate (options, &error))
    {
      show_error (self, error->message);
      return FALSE;
    }

  name = g_strstrip (g_strdup (text_of (self->name_row)));

  if (self->profile_mode && name[0] == '\0')
    {
      show_error (self, _("Give the profile a name."));
      return FALSE;
    }

  if (self->store != NULL && name[0] != '\0')
    {
      set_busy (self, TRUE);
      show_error (self, NULL);
      self->pending = inspector_connect_options_copy (options);

      if (self->profile != NULL)
        inspector_profile_store_update_async (self->store, self->profile, name, options, self->cancellable,
                                              on_profile_saved, g_object_ref (self));
      else
        inspector_profile_store_add_async (self->store, name, options, self->cancellable,
                                           on_profile_saved, g_object_ref (self));
      return TRUE;
    }

  g_signal_emit (self, signals[SIGNAL_CONNECT], 0, options);
  gtk_window_close (GTK_WINDOW (self));

  return TRUE;
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  inspector_connect_dialog_submit (INSPECTOR_CONNECT_DIALOG (widget));
}

/* The message shown for invalid options, if any. */
const char *
inspector_connect_dialog_get_error (InspectorConnectDialog *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECT_DIALOG (self), NULL);

  return self->error;
}

static void
inspector_connect_dialog_finalize (GObject *object)
{
  InspectorConnectDialog *self = (InspectorConnectDialog *)object;

  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->pending, inspector_connect_options_free);

  G_OBJECT_CLASS (inspector_connect_dialog_parent_class)->finalize (object);
}

static void
inspector_connect_dialog_dispose (GObject *object)
{
  InspectorConnectDialog *self = (InspectorConnectDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->profile);
  gtk_widget_dispose_template (GTK_WIDGET (object), INSPECTOR_TYPE_CONNECT_DIALOG);

  G_OBJECT_CLASS (inspector_connect_dialog_parent_class)->dispose (object);
}

static void
inspector_connect_dialog_class_init (InspectorConnectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_connect_dialog_dispose;
  object_class->finalize = inspector_connect_dialog_finalize;

  /**
   * InspectorConnectDialog::connect:
   * @options: the validated options
   */
  signals[SIGNAL_CONNECT] =
    g_signal_new ("connect",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, INSPECTOR_TYPE_CONNECT_OPTIONS | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * InspectorConnectDialog::saved:
   * @profile: the profile just added or updated, secrets in the keyring
   *
   * Emitted before #InspectorConnectDialog::connect when the form was
   * saved as a profile.
   */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, INSPECTOR_TYPE_PROFILE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, page);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, profile_group);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, url_error);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, auth_group);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, method_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, key_id_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, secret_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, subject_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, channels_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, permissions_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, perm_subscribe);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, perm_publish);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, perm_presence);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, perm_send);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, metadata_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, lifetime_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, lifetime_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, subscribe_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, initial_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, multiplier_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, max_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, jitter_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, attempts_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, inactivity_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, resubscribe_switch);
  gtk_widget_class_bind_template_child (widget_class, InspectorConnectDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed);

  gtk_widget_class_install_action (widget_class, "dialog.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, connect_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
inspector_connect_dialog_init (InspectorConnectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

/**
 * inspector_connect_dialog_new:
 * @options: what to fill the form with
 *
 * Returns: (transfer none): a modal dialog, owned by GTK like every
 * toplevel; connect to
 *   #InspectorConnectDialog::connect and present it
 */
InspectorConnectDialog *
inspector_connect_dialog_new (GtkWindow                     *parent,
                              const InspectorConnectOptions *options)
{
  InspectorConnectDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (INSPECTOR_TYPE_CONNECT_DIALOG,
                       "transient-for", parent,
                       NULL);
  fill (self, options);

  return self;
}

/**
 * inspector_connect_dialog_set_profile_store:
 * @store: (nullable): where to save profiles
 *
 * Offers to save the connection as a profile: a name entered in the
 * dialog saves it to @store before connecting.
 */
void
inspector_connect_dialog_set_profile_store (InspectorConnectDialog *self,
                                            InspectorProfileStore  *store)
{
  g_return_if_fail (INSPECTOR_IS_CONNECT_DIALOG (self));
  g_return_if_fail (store == NULL || INSPECTOR_IS_PROFILE_STORE (store));

  g_set_object (&self->store, store);
  gtk_widget_set_visible (self->profile_group, store != NULL);
}

/**
 * inspector_connect_dialog_get_profile:
 *
 * Returns: (transfer none) (nullable): the profile edited, or saved by
 *   the last submit
 */
InspectorProfile *
inspector_connect_dialog_get_profile (InspectorConnectDialog *self)
{
  g_return_val_if_fail (INSPECTOR_IS_CONNECT_DIALOG (self), NULL);

  return self->profile;
}

/**
 * inspector_connect_dialog_set_profile_name:
 *
 * Fills in the name a profile is saved under.
 */
void
inspector_connect_dialog_set_profile_name (InspectorConnectDialog *self,
                                           const char             *name)
{
  g_return_if_fail (INSPECTOR_IS_CONNECT_DIALOG (self));

  set_text (self->name_row, name);
}

static void
on_profile_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(InspectorConnectDialog) self = user_data;
  g_autoptr(InspectorConnectOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  options = inspector_profile_load_options_finish (INSPECTOR_PROFILE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  /* Without its secret, the form still shows the rest; the secret can be
   * entered again. */
  if (options != NULL)
    fill (self, options);
  else
    show_error (self, error->message);
}

/**
 * inspector_connect_dialog_new_for_profile:
 * @store: where to save
 * @profile: (nullable): the profile to edit, or %NULL for a new one
 *
 * A dialog that edits a profile instead of connecting: its button saves,
 * emits #InspectorConnectDialog::saved and closes. An existing profile's
 * secret is read from the keyring into the form; if that fails, the form
 * says why and the secret can be entered again.
 *
 * Returns: (transfer none): a modal dialog, owned by GTK like every toplevel
 */
InspectorConnectDialog *
inspector_connect_dialog_new_for_profile (GtkWindow             *parent,
                                          InspectorProfileStore *store,
                                          InspectorProfile      *profile)
{
  g_autoptr(InspectorConnectOptions) options = NULL;
  InspectorConnectDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_STORE (store), NULL);
  g_return_val_if_fail (profile == NULL || INSPECTOR_IS_PROFILE (profile), NULL);

  self = g_object_new (INSPECTOR_TYPE_CONNECT_DIALOG,
                       "transient-for", parent,
                       "title", profile != NULL ? _("Edit Profile") : _("New Profile"),
                       NULL);
  self->profile_mode = TRUE;
  g_set_object (&self->profile, profile);
  inspector_connect_dialog_set_profile_store (self, store);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->profile_group), _("Profile"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->profile_group),
                                         _("Keys, tokens and secrets are kept in the keyring."));
  gtk_widget_set_visible (self->connect_button, FALSE);
  gtk_widget_set_visible (self->save_button, TRUE);

  if (profile == NULL)
    {
      options = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
      fill (self, options);
      return self;
    }

  options = inspector_profile_dup_options (profile);
  fill (self, options);
  set_text (self->name_row, inspector_profile_get_name (profile));

  set_busy (self, TRUE);
  inspector_profile_load_options_async (profile, self->cancellable, on_profile_loaded, g_object_ref (self));

  return self;
}
