/* inspector-profile-list.c: the sandbox and the saved profiles, to open
 *
 * The local sandbox always comes first; the store's profiles follow in
 * their saved order, each with a menu to edit, duplicate or delete it.
 * Activating a row emits InspectorProfileList::open-profile; connecting
 * is the window's job.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-profile-list"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-connect-dialog.h"
#include "inspector-profile-list.h"

struct _InspectorProfileList
{
  GtkWidget              parent_instance;

  InspectorProfileStore *store;
  GListStore            *sections;
  GCancellable          *cancellable;
  char                  *error;

  /* The template's one direct child, disposed with it. */
  GtkWidget             *box;
  GtkLabel              *problem_label;
  GtkListBox            *list_box;
  GtkLabel              *error_label;
};

G_DEFINE_FINAL_TYPE (InspectorProfileList, inspector_profile_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_ERROR,
  N_PROPS
};

enum {
  SIGNAL_OPEN_PROFILE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_error (InspectorProfileList *self,
           const char           *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;

  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
update_problem (InspectorProfileList *self)
{
  const char *problem = self->store != NULL ? inspector_profile_store_get_problem (self->store) : NULL;

  gtk_label_set_label (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
}

static GtkWindow *
parent_window (InspectorProfileList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  if (INSPECTOR_IS_PROFILE (item))
    {
      InspectorProfile *profile = item;
      g_autoptr(GMenu) menu = g_menu_new ();
      g_autoptr(GMenuItem) edit = g_menu_item_new (_("_Edit…"), NULL);
      g_autoptr(GMenuItem) duplicate = g_menu_item_new (_("D_uplicate"), NULL);
      g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete"), NULL);
      g_autofree char *menu_label = NULL;
      GtkWidget *button;

      g_object_bind_property (profile, "name", row, "title", G_BINDING_SYNC_CREATE);
      g_object_bind_property (profile, "subtitle", row, "subtitle", G_BINDING_SYNC_CREATE);
      g_object_set_data_full (G_OBJECT (row), "profile-id", g_strdup (inspector_profile_get_id (profile)), g_free);
      icon = gtk_image_new_from_icon_name ("network-server-symbolic");

      g_menu_item_set_action_and_target (edit, "profiles.edit", "s", inspector_profile_get_id (profile));
      g_menu_item_set_action_and_target (duplicate, "profiles.duplicate", "s", inspector_profile_get_id (profile));
      g_menu_item_set_action_and_target (delete, "profiles.delete", "s", inspector_profile_get_id (profile));
      g_menu_append_item (menu, edit);
      g_menu_append_item (menu, duplicate);
      g_menu_append_item (menu, delete);

      button = gtk_menu_button_new ();
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      /* Translators: the menu of the profile named %s */
      menu_label = g_strdup_printf (_("Menu of “%s”"), inspector_profile_get_name (profile));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, menu_label, -1);
      gtk_widget_set_tooltip_text (button, _("Edit, duplicate or delete"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Local sandbox"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("A local server with demo traffic"));
      g_object_set_data_full (G_OBJECT (row), "profile-id", g_strdup (""), g_free);
      icon = gtk_image_new_from_icon_name ("computer-symbolic");
    }

  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  return row;
}

static void
on_row_activated (InspectorProfileList *self,
                  GtkListBoxRow        *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), "profile-id");

  gtk_widget_activate_action (GTK_WIDGET (self), "profiles.open", "s", id != NULL ? id : "");
}

static InspectorProfile *
lookup (InspectorProfileList *self,
        GVariant             *parameter)
{
  if (self->store == NULL)
    return NULL;

  return inspector_profile_store_find (self->store, g_variant_get_string (parameter, NULL));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  InspectorProfileList *self = INSPECTOR_PROFILE_LIST (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  InspectorProfile *profile = NULL;

  if (id[0] != '\0' && (profile = lookup (self, parameter)) == NULL)
    return;

  set_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_OPEN_PROFILE], 0, profile);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  InspectorProfileList *self = INSPECTOR_PROFILE_LIST (widget);
  InspectorProfile *profile = NULL;
  InspectorConnectDialog *dialog;

  if (self->store == NULL)
    return;

  if (parameter != NULL && (profile = lookup (self, parameter)) == NULL)
    return;

  set_error (self, NULL);
  dialog = inspector_connect_dialog_new_for_profile (parent_window (self), self->store, profile);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_duplicated (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(InspectorProfileList) self = user_data;
  g_autoptr(InspectorProfile) copy = NULL;
  g_autoptr(GError) error = NULL;

  copy = inspector_profile_store_duplicate_finish (INSPECTOR_PROFILE_STORE (source), result, &error);
  if (copy == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_error (self, error->message);
}

static void
duplicate_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  InspectorProfileList *self = INSPECTOR_PROFILE_LIST (widget);
  InspectorProfile *profile = lookup (self, parameter);

  if (profile == NULL)
    return;

  set_error (self, NULL);
  inspector_profile_store_duplicate_async (self->store, profile, self->cancellable,
                                           on_duplicated, g_object_ref (self));
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(InspectorProfileList) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!inspector_profile_store_delete_finish (INSPECTOR_PROFILE_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_error (self, error->message);
}

static void
on_delete_response (AdwMessageDialog     *dialog,
                    const char           *response,
                    InspectorProfileList *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "profile-id");
  InspectorProfile *profile;

  if (self->store == NULL || (profile = inspector_profile_store_find (self->store, id)) == NULL)
    return;

  inspector_profile_store_delete_async (self->store, profile, self->cancellable,
                                        on_deleted, g_object_ref (self));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  InspectorProfileList *self = INSPECTOR_PROFILE_LIST (widget);
  InspectorProfile *profile = lookup (self, parameter);
  GtkWidget *dialog;

  if (profile == NULL)
    return;

  set_error (self, NULL);

  dialog = adw_message_dialog_new (parent_window (self), NULL, NULL);
  /* Translators: %s is a profile's name */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Delete “%s”?"),
                                     inspector_profile_get_name (profile));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("Its settings and saved payloads are deleted and its secrets are removed from the keyring."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "profile-id", g_strdup (inspector_profile_get_id (profile)), g_free);
  g_signal_connect_object (dialog, "response::delete", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
inspector_profile_list_dispose (GObject *object)
{
  InspectorProfileList *self = (InspectorProfileList *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_object (&self->sections);
  g_clear_pointer (&self->error, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_PROFILE_LIST);

  G_OBJECT_CLASS (inspector_profile_list_parent_class)->dispose (object);
}

static void
inspector_profile_list_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  InspectorProfileList *self = INSPECTOR_PROFILE_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_profile_list_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  InspectorProfileList *self = INSPECTOR_PROFILE_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      inspector_profile_list_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_profile_list_class_init (InspectorProfileListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_profile_list_dispose;
  object_class->get_property = inspector_profile_list_get_property;
  object_class->set_property = inspector_profile_list_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         INSPECTOR_TYPE_PROFILE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Why the last duplicate or delete failed, or %NULL. */
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * InspectorProfileList::open-profile:
   * @profile: (nullable): the profile to open, or %NULL for the local sandbox
   */
  signals[SIGNAL_OPEN_PROFILE] =
    g_signal_new ("open-profile",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, INSPECTOR_TYPE_PROFILE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-profile-list.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorProfileList, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorProfileList, problem_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorProfileList, list_box);
  gtk_widget_class_bind_template_child (widget_class, InspectorProfileList, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "profiles.open", "s", open_action);
  gtk_widget_class_install_action (widget_class, "profiles.new", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "profiles.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "profiles.duplicate", "s", duplicate_action);
  gtk_widget_class_install_action (widget_class, "profiles.delete", "s", delete_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "profilelist");
}

static void
inspector_profile_list_init (InspectorProfileList *self)
{
  g_autoptr(GListStore) sandbox = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_autoptr(GtkStringObject) sandbox_item = gtk_string_object_new ("sandbox");
  g_autoptr(GtkFlattenListModel) rows = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* The sandbox first, then the store's profiles once there is a store. */
  g_list_store_append (sandbox, sandbox_item);
  self->sections = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (self->sections, sandbox);
  rows = gtk_flatten_list_model_new (G_LIST_MODEL (g_object_ref (self->sections)));
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (rows), create_row, self, NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profiles.new", FALSE);
}

/**
 * inspector_profile_list_get_store:
 *
 * Returns: (transfer none) (nullable): the listed store
 */
InspectorProfileStore *
inspector_profile_list_get_store (InspectorProfileList *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_LIST (self), NULL);

  return self->store;
}

/**
 * inspector_profile_list_set_store:
 * @store: (nullable): the profiles to list after the sandbox
 */
void
inspector_profile_list_set_store (InspectorProfileList  *self,
                                  InspectorProfileStore *store)
{
  g_return_if_fail (INSPECTOR_IS_PROFILE_LIST (self));
  g_return_if_fail (store == NULL || INSPECTOR_IS_PROFILE_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->store, self);
      g_list_store_remove (self->sections, 1);
    }

  g_set_object (&self->store, store);

  if (store != NULL)
    {
      g_list_store_append (self->sections, store);
      g_signal_connect_object (store, "notify::problem", G_CALLBACK (update_problem), self, G_CONNECT_SWAPPED);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profiles.new", store != NULL);
  update_problem (self);
  set_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * inspector_profile_list_get_error:
 *
 * Returns: (nullable): see #InspectorProfileList:error
 */
const char *
inspector_profile_list_get_error (InspectorProfileList *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROFILE_LIST (self), NULL);

  return self->error;
}
