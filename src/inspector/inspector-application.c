/* inspector-application.c: the Metered Inspector application
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-application"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "inspector-config.h"

#include "inspector-application.h"
#include "inspector-error.h"
#include "inspector-preferences-window.h"
#include "inspector-window.h"

struct _InspectorApplication
{
  AdwApplication         parent_instance;

  GSettings             *settings;
  InspectorProfileStore *profile_store;
};

G_DEFINE_FINAL_TYPE (InspectorApplication, inspector_application, ADW_TYPE_APPLICATION)

static const GOptionEntry main_entries[] = {
  { "sandbox", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Connect to a local sandbox server with demo traffic (the default)"), NULL },
  { "url", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Connect to the server at this base URL"), N_("URL") },
  { "api-key", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Authenticate with a publishable key"), N_("KEY") },
  { "token", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Authenticate with a token (JWT)"), N_("JWT") },
  { "subscribe", 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Subscribe to a channel once connected; may be repeated"), N_("CHANNEL") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

/* Accelerators of actions the menus and buttons name. */
static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.new-window", { "<Control><Shift>n", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "win.new-tab", { "<Control>t", NULL } },
  { "win.close-tab", { "<Control>w", NULL } },
  { "win.next-tab", { "<Control>Page_Down", NULL } },
  { "win.previous-tab", { "<Control>Page_Up", NULL } },
  { "win.import-log", { "<Control>o", NULL } },
  { "win.show-profiles", { "F9", NULL } },
  { "window.close", { "<Control><Shift>w", NULL } },
  { "inspector.connect", { "<Control>n", NULL } },
  { "inspector.reconnect", { "<Control>r", NULL } },
  { "inspector.disconnect", { "<Control><Shift>d", NULL } },
  { "inspector.search", { "<Control>f", NULL } },
  { "inspector.subscribe", { "<Control><Shift>s", NULL } },
  { "inspector.compose", { "<Control>m", NULL } },
  { "inspector.toggle-pause", { "<Control>p", NULL } },
  { "inspector.clear-log", { "<Control>l", NULL } },
};

/**
 * inspector_application_options_from_command_line:
 * @options: the parsed command line
 *
 * Returns: (transfer full) (nullable): the connection the command line
 *   asks for, validated; the sandbox when it asks for nothing
 */
InspectorConnectOptions *
inspector_application_options_from_command_line (GVariantDict  *options,
                                                 GError       **error)
{
  g_autoptr(InspectorConnectOptions) result = NULL;
  const char *url = NULL;
  const char *api_key = NULL;
  const char *token = NULL;
  g_autofree const char **subscribe = NULL;
  gboolean sandbox = FALSE;

  g_variant_dict_lookup (options, "sandbox", "b", &sandbox);
  g_variant_dict_lookup (options, "url", "&s", &url);
  g_variant_dict_lookup (options, "api-key", "&s", &api_key);
  g_variant_dict_lookup (options, "token", "&s", &token);
  g_variant_dict_lookup (options, "subscribe", "^a&s", &subscribe);

  if (api_key != NULL && token != NULL)
    {
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                           _("Use either --api-key or --token, not both"));
      return NULL;
    }

  if (sandbox && (url != NULL || api_key != NULL || token != NULL))
    {
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                           _("--sandbox cannot be combined with --url, --api-key or --token"));
      return NULL;
    }

  if (api_key != NULL)
    result = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
  else if (token != NULL)
    result = inspector_connect_options_new (INSPECTOR_AUTH_TOKEN);
  else if (url != NULL)
    {
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                           _("--url needs --api-key or --token"));
      return NULL;
    }
  else
    result = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);

  if (url != NULL)
    {
      g_free (result->url);
      result->url = g_strdup (url);
    }
  result->api_key = g_strdup (api_key);
  result->token = g_strdup (token);
  result->subscribe = g_strdupv ((char **) subscribe);

  if (!inspector_connect_options_validate (result, error))
    return NULL;

  return g_steal_pointer (&result);
}

static void
open_window (InspectorApplication          *self,
             const InspectorConnectOptions *options)
{
  InspectorWindow *window = inspector_window_new (GTK_APPLICATION (self), options);

  gtk_window_present (GTK_WINDOW (window));
}

/* Another `metered-inspector --url …` adds a tab to the window in use. */
static void
open_tab (InspectorApplication          *self,
          const InspectorConnectOptions *options)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (INSPECTOR_IS_WINDOW (window))
    {
      inspector_window_open_tab (INSPECTOR_WINDOW (window), options, NULL);
      gtk_window_present (window);
    }
  else
    open_window (self, options);
}

/* Made on first use rather than at construction, so that --help and
 * --version work without the schema installed. */
static GSettings *
get_settings (InspectorApplication *self)
{
  if (self->settings == NULL)
    self->settings = g_settings_new (SCHEMA_ID);

  return self->settings;
}

static void
apply_color_scheme (InspectorApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");

  if (g_str_equal (scheme, "light"))
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_str_equal (scheme, "dark"))
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
}

/* Mistakes on the command line are reported here, before a display or
 * the primary instance is needed. */
static int
inspector_application_handle_local_options (GApplication *application,
                                            GVariantDict *options)
{
  g_autoptr(InspectorConnectOptions) connect_options = NULL;
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("metered-inspector %s\n", PACKAGE_VERSION);
      return 0;
    }

  if ((connect_options = inspector_application_options_from_command_line (options, &error)) == NULL)
    {
      g_printerr ("metered-inspector: %s\n", error->message);
      return 1;
    }

  return -1;
}

static int
inspector_application_command_line (GApplication            *application,
                                    GApplicationCommandLine *command_line)
{
  InspectorApplication *self = INSPECTOR_APPLICATION (application);
  GVariantDict *dict = g_application_command_line_get_options_dict (command_line);
  g_autoptr(InspectorConnectOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  if ((options = inspector_application_options_from_command_line (dict, &error)) == NULL)
    {
      g_application_command_line_printerr (command_line, "metered-inspector: %s\n", error->message);
      return 1;
    }

  open_tab (self, options);

  return 0;
}

static void
inspector_application_activate (GApplication *application)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);

  open_window (INSPECTOR_APPLICATION (application), options);
}

static void
inspector_application_startup (GApplication *application)
{
  InspectorApplication *self = INSPECTOR_APPLICATION (application);

  G_APPLICATION_CLASS (inspector_application_parent_class)->startup (application);

  g_signal_connect_object (get_settings (self), "changed::color-scheme", G_CALLBACK (apply_color_scheme), self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);

  gtk_source_init ();
  /* The icon ships in the resources, found through the resource base path. */
  gtk_window_set_default_icon_name (APP_ID);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (application), accels[i].action, accels[i].accels);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *application = user_data;
  static const char *developers[] = { "Metered Inspector contributors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (application),
                        "application-name", _("Metered Inspector"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", developers[0],
                        "developers", developers,
                        "comments", _("Watch and talk to channels of the Metered Realtime Messaging service"),
                        "license-type", GTK_LICENSE_MIT_X11,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *application = user_data;
  GtkWindow *parent = gtk_application_get_active_window (application);
  GList *windows = gtk_application_get_windows (application);

  /* One preferences window is enough. */
  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (INSPECTOR_IS_PREFERENCES_WINDOW (l->data))
        {
          gtk_window_present (l->data);
          return;
        }
    }

  gtk_window_present (GTK_WINDOW (inspector_preferences_window_new (parent)));
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *application = user_data;
  GList *windows;

  /* Closing every window lets each one close its connection cleanly. */
  while ((windows = gtk_application_get_windows (application)) != NULL)
    gtk_window_destroy (windows->data);
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "new-window", new_window_action },
  { "preferences", preferences_action },
  { "quit", quit_action },
};

static void
inspector_application_dispose (GObject *object)
{
  InspectorApplication *self = (InspectorApplication *)object;

  g_clear_object (&self->profile_store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (inspector_application_parent_class)->dispose (object);
}

static void
inspector_application_class_init (InspectorApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = inspector_application_dispose;

  application_class->handle_local_options = inspector_application_handle_local_options;
  application_class->command_line = inspector_application_command_line;
  application_class->activate = inspector_application_activate;
  application_class->startup = inspector_application_startup;
}

static void
inspector_application_init (InspectorApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Inspect channels of the Metered Realtime Messaging service."));
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
}

/**
 * inspector_application_new:
 * @flags: extra flags; tests pass %G_APPLICATION_NON_UNIQUE
 */
InspectorApplication *
inspector_application_new (GApplicationFlags flags)
{
  return g_object_new (INSPECTOR_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", flags | G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

/**
 * inspector_application_get_profile_store:
 *
 * Every window's profile list shows the same profiles.
 *
 * Returns: (transfer none): the saved connection profiles
 */
InspectorProfileStore *
inspector_application_get_profile_store (InspectorApplication *self)
{
  g_return_val_if_fail (INSPECTOR_IS_APPLICATION (self), NULL);

  if (self->profile_store == NULL)
    self->profile_store = inspector_profile_store_new (get_settings (self));

  return self->profile_store;
}
