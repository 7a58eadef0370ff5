/* inspector-window.c: a window of connections, one per tab
 *
 * Each tab is an InspectorConnectionPage that owns its connection. The
 * window offers the selected page's `inspector` actions to its menus and
 * to the application's accelerators, opens the profiles of its sidebar
 * in new tabs, and remembers its size.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-window"

#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-application.h"
#include "inspector-connect-dialog.h"
#include "inspector-profile-list.h"
#include "inspector-window.h"

struct _InspectorWindow
{
  AdwApplicationWindow     parent_instance;

  GSettings               *settings;
  GCancellable            *cancellable;
  /* The selected page, whose title the window shows. */
  InspectorConnectionPage *page;

  AdwToastOverlay         *toast_overlay;
  AdwWindowTitle          *window_title;
  AdwFlap                 *flap;
  InspectorProfileList    *profile_list;
  AdwTabView              *tab_view;
};

G_DEFINE_FINAL_TYPE (InspectorWindow, inspector_window, ADW_TYPE_APPLICATION_WINDOW)

static void
update_title (InspectorWindow *self)
{
  InspectorConnection *connection = self->page != NULL ? inspector_connection_page_get_connection (self->page) : NULL;
  const char *label = connection != NULL ? inspector_connection_get_label (connection) : NULL;
  g_autofree char *title = NULL;

  adw_window_title_set_subtitle (self->window_title, self->page != NULL ? inspector_connection_page_get_title (self->page) : NULL);

  /* Translators: the window title, with where the selected tab is connected */
  title = label != NULL ? g_strdup_printf (_("%s — Metered Inspector"), label) : g_strdup (_("Metered Inspector"));
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
on_selected_page_changed (InspectorWindow *self)
{
  AdwTabPage *tab_page = adw_tab_view_get_selected_page (self->tab_view);
  InspectorConnectionPage *page = tab_page != NULL ? INSPECTOR_CONNECTION_PAGE (adw_tab_page_get_child (tab_page)) : NULL;

  if (self->page == page)
    return;

  if (self->page != NULL)
    g_signal_handlers_disconnect_by_data (self->page, self);

  self->page = page;

  if (page != NULL)
    g_signal_connect_object (page, "notify::title", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);

  gtk_widget_insert_action_group (GTK_WIDGET (self), "inspector",
                                  page != NULL ? inspector_connection_page_get_actions (page) : NULL);
  update_title (self);
}

static void
on_page_read_only (InspectorConnectionPage *page,
                   GParamSpec              *pspec,
                   AdwTabPage              *tab_page)
{
  if (inspector_connection_page_get_read_only (page))
    {
      g_autoptr(GIcon) icon = g_themed_icon_new ("changes-prevent-symbolic");

      adw_tab_page_set_indicator_icon (tab_page, icon);
      adw_tab_page_set_indicator_tooltip (tab_page, _("Imported log, read only"));
    }
  else
    adw_tab_page_set_indicator_icon (tab_page, NULL);
}

static InspectorConnectionPage *
add_page (InspectorWindow *self)
{
  InspectorConnectionPage *page = inspector_connection_page_new ();
  AdwTabPage *tab_page = adw_tab_view_append (self->tab_view, GTK_WIDGET (page));

  g_object_bind_property (page, "title", tab_page, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (page, "title", tab_page, "tooltip", G_BINDING_SYNC_CREATE);
  g_object_bind_property (page, "loading", tab_page, "loading", G_BINDING_SYNC_CREATE);
  g_object_bind_property (page, "needs-attention", tab_page, "needs-attention", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (page, "notify::read-only", G_CALLBACK (on_page_read_only), tab_page, 0);

  adw_tab_view_set_selected_page (self->tab_view, tab_page);

  return page;
}

/**
 * inspector_window_open_tab:
 * @options: the connection to open
 * @profile: (nullable): the saved profile @options come from
 *
 * Opens @options in a new tab, selected and connecting.
 *
 * Returns: (transfer none): the new tab's page
 */
InspectorConnectionPage *
inspector_window_open_tab (InspectorWindow               *self,
                           const InspectorConnectOptions *options,
                           InspectorProfile              *profile)
{
  InspectorConnectionPage *page;

  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (profile == NULL || INSPECTOR_IS_PROFILE (profile), NULL);

  page = add_page (self);
  if (profile != NULL)
    inspector_connection_page_set_profile (page, profile);
  inspector_connection_page_connect (page, options);

  return page;
}

static void
on_profile_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(InspectorWindow) self = user_data;
  InspectorProfile *profile = INSPECTOR_PROFILE (source);
  g_autoptr(InspectorConnectOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  if ((options = inspector_profile_load_options_finish (profile, result, &error)) == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: a profile's name, then why it could not be opened */
      message = g_strdup_printf (_("“%s” could not be opened: %s"), inspector_profile_get_name (profile), error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  inspector_window_open_tab (self, options, profile);
}

/* The secrets come from the keyring, which may take a moment (or ask to
 * be unlocked). */
static void
on_open_profile (InspectorWindow  *self,
                 InspectorProfile *profile)
{
  if (profile == NULL)
    {
      g_autoptr(InspectorConnectOptions) sandbox = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);

      inspector_window_open_tab (self, sandbox, NULL);
    }
  else
    inspector_profile_load_options_async (profile, self->cancellable, on_profile_loaded, g_object_ref (self));

  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

/**
 * inspector_window_import_log:
 * @file: a JSON Lines log export
 *
 * Opens @file in a new, read-only tab; see inspector_connection_page_import().
 *
 * Returns: (transfer none): the new tab's page
 */
InspectorConnectionPage *
inspector_window_import_log (InspectorWindow *self,
                             GFile           *file)
{
  InspectorConnectionPage *page;

  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  page = add_page (self);
  inspector_connection_page_import (page, file);

  return page;
}

/* The last tab closed, or dragged to another window, takes the window
 * with it. */
static void
on_page_detached (InspectorWindow *self)
{
  if (adw_tab_view_get_n_pages (self->tab_view) == 0)
    gtk_window_close (GTK_WINDOW (self));
}

/* A tab dragged out of every window gets a window of its own. */
static AdwTabView *
on_create_window (InspectorWindow *self)
{
  InspectorWindow *window = inspector_window_new (gtk_window_get_application (GTK_WINDOW (self)), NULL);

  gtk_window_present (GTK_WINDOW (window));

  return window->tab_view;
}

static void
on_dialog_connect (InspectorWindow               *self,
                   const InspectorConnectOptions *options)
{
  inspector_window_open_tab (self, options, NULL);
}

static void
new_tab_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  InspectorWindow *self = user_data;
  g_autoptr(InspectorConnectOptions) defaults = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  InspectorConnection *connection = inspector_window_get_connection (self);
  InspectorConnectDialog *dialog;

  /* Starts from the selected tab's settings: a second identity on the
   * same server is the common case. Imported logs have none. */
  if (connection != NULL && !inspector_connection_get_offline (connection))
    dialog = inspector_connect_dialog_new (GTK_WINDOW (self), inspector_connection_get_options (connection));
  else
    dialog = inspector_connect_dialog_new (GTK_WINDOW (self), defaults);

  g_signal_connect_object (dialog, "connect", G_CALLBACK (on_dialog_connect), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
close_tab_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  InspectorWindow *self = user_data;
  AdwTabPage *tab_page = adw_tab_view_get_selected_page (self->tab_view);

  if (tab_page != NULL)
    adw_tab_view_close_page (self->tab_view, tab_page);
}

static void
next_tab_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  InspectorWindow *self = user_data;

  if (!adw_tab_view_select_next_page (self->tab_view))
    adw_tab_view_set_selected_page (self->tab_view, adw_tab_view_get_nth_page (self->tab_view, 0));
}

static void
previous_tab_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  InspectorWindow *self = user_data;
  int n_pages = adw_tab_view_get_n_pages (self->tab_view);

  if (!adw_tab_view_select_previous_page (self->tab_view) && n_pages > 0)
    adw_tab_view_set_selected_page (self->tab_view, adw_tab_view_get_nth_page (self->tab_view, n_pages - 1));
}

static void
on_import_response (GtkNativeDialog *chooser,
                    int              response,
                    InspectorWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        inspector_window_import_log (self, file);
    }

  g_object_unref (chooser);
}

static void
import_log_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  InspectorWindow *self = user_data;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) jsonl = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (jsonl, _("JSON Lines logs"));
  gtk_file_filter_add_pattern (jsonl, "*.jsonl");
  gtk_file_filter_add_pattern (jsonl, "*.ndjson");
  gtk_file_filter_add_mime_type (jsonl, "application/jsonl");
  gtk_file_filter_add_mime_type (jsonl, "application/x-ndjson");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  chooser = gtk_file_chooser_native_new (_("Import Log"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), jsonl);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (chooser), jsonl);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_import_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* A stateful action rather than a GPropertyAction, which would keep the
 * sidebar (and every tab) alive as long as the window's action group. */
static void
show_profiles_change_state (GSimpleAction *action,
                            GVariant      *state,
                            gpointer       user_data)
{
  InspectorWindow *self = user_data;

  adw_flap_set_reveal_flap (self->flap, g_variant_get_boolean (state));
}

static void
on_reveal_flap (InspectorWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "show-profiles");

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (adw_flap_get_reveal_flap (self->flap)));
}

static const GActionEntry window_actions[] = {
  { "show-profiles", NULL, NULL, "false", show_profiles_change_state },
  { "new-tab", new_tab_action },
  { "close-tab", close_tab_action },
  { "next-tab", next_tab_action },
  { "previous-tab", previous_tab_action },
  { "import-log", import_log_action },
};

static gboolean
inspector_window_close_request (GtkWindow *window)
{
  InspectorWindow *self = INSPECTOR_WINDOW (window);
  int width, height;

  /* The default size follows the window while it is not maximized, so it
   * is what to restore after a maximized session too. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (inspector_window_parent_class)->close_request (window);
}

/* The application is set after construction. */
static void
on_application_changed (InspectorWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (INSPECTOR_IS_APPLICATION (application))
    inspector_profile_list_set_store (self->profile_list,
                                      inspector_application_get_profile_store (INSPECTOR_APPLICATION (application)));
}

static void
inspector_window_dispose (GObject *object)
{
  InspectorWindow *self = (InspectorWindow *)object;

  g_cancellable_cancel (self->cancellable);

  /* Closing the tabs as the window goes must not close it again. */
  if (self->tab_view != NULL)
    g_signal_handlers_disconnect_by_data (self->tab_view, self);
  if (self->page != NULL)
    g_signal_handlers_disconnect_by_data (self->page, self);
  self->page = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (inspector_window_parent_class)->dispose (object);
}

static void
inspector_window_class_init (InspectorWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = inspector_window_dispose;
  window_class->close_request = inspector_window_close_request;

  g_type_ensure (INSPECTOR_TYPE_CONNECTION_PAGE);
  g_type_ensure (INSPECTOR_TYPE_PROFILE_LIST);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-window.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, profile_list);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, tab_view);
}

static void
inspector_window_init (InspectorWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  self->cancellable = g_cancellable_new ();

  self->settings = g_settings_new (SCHEMA_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions, G_N_ELEMENTS (window_actions), self);
  g_signal_connect_object (self->flap, "notify::reveal-flap", G_CALLBACK (on_reveal_flap), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->profile_list, "open-profile", G_CALLBACK (on_open_profile), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);

  g_signal_connect_object (self->tab_view, "notify::selected-page", G_CALLBACK (on_selected_page_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "page-detached", G_CALLBACK (on_page_detached), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "create-window", G_CALLBACK (on_create_window), self, G_CONNECT_SWAPPED);

  update_title (self);
}

/**
 * inspector_window_new:
 * @application: (nullable): the application
 * @options: (nullable): the connection to open in the first tab; %NULL
 *   for a window without tabs, which closes when its last tab does
 *
 * Returns: (transfer none): a new window
 */
InspectorWindow *
inspector_window_new (GtkApplication                *application,
                      const InspectorConnectOptions *options)
{
  InspectorWindow *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  self = g_object_new (INSPECTOR_TYPE_WINDOW,
                       "application", application,
                       NULL);
  if (options != NULL)
    inspector_window_open_tab (self, options, NULL);

  return self;
}

/**
 * inspector_window_get_tab_view:
 *
 * Returns: (transfer none): the view whose pages are the window's
 *   #InspectorConnectionPage tabs
 */
AdwTabView *
inspector_window_get_tab_view (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->tab_view;
}

/**
 * inspector_window_get_page:
 *
 * Returns: (transfer none) (nullable): the selected tab's page
 */
InspectorConnectionPage *
inspector_window_get_page (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->page;
}

/**
 * inspector_window_get_connection:
 *
 * Returns: (transfer none) (nullable): the selected tab's connection
 */
InspectorConnection *
inspector_window_get_connection (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->page != NULL ? inspector_connection_page_get_connection (self->page) : NULL;
}

InspectorChannelsPane *
inspector_window_get_channels_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->page != NULL ? inspector_connection_page_get_channels_pane (self->page) : NULL;
}

InspectorRosterPane *
inspector_window_get_roster_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->page != NULL ? inspector_connection_page_get_roster_pane (self->page) : NULL;
}

InspectorLogView *
inspector_window_get_log_view (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->page != NULL ? inspector_connection_page_get_log_view (self->page) : NULL;
}

InspectorDetailPane *
inspector_window_get_detail_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->page != NULL ? inspector_connection_page_get_detail_pane (self->page) : NULL;
}

InspectorComposePane *
inspector_window_get_compose_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->page != NULL ? inspector_connection_page_get_compose_pane (self->page) : NULL;
}

/* The selected tab's banner text while one is shown. */
const char *
inspector_window_get_banner (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->page != NULL ? inspector_connection_page_get_banner (self->page) : NULL;
}
