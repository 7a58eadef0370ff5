/* test-window.c: the inspector's window, driven like a user would
 *
 * Runs on a display (Xvfb in CI). Every test opens a window on the local
 * sandbox, works through its widgets, and saves a screenshot of the window
 * into the build directory.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-window"

#include <string.h>

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "metered-close-code.h"
#include "metered-dev-server.h"

#include "inspector-application.h"
#include "inspector-connect-dialog.h"
#include "inspector-error.h"
#include "inspector-log-filter-model.h"
#include "inspector-window.h"

#include "inspector-test-util.h"

static InspectorApplication *application;
/* The first label under @root whose text starts with @prefix. */
static GtkLabel *
find_label (GtkWidget  *root,
            const char *prefix)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child)), prefix))
        return GTK_LABEL (child);
      if ((found = find_label (child, prefix)) != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_connected (gpointer data)
{
  InspectorWindow *window = data;

  return inspector_connection_get_state (inspector_window_get_connection (window)) == METERED_CLIENT_STATE_CONNECTED;
}

static InspectorWindow *
open_sandbox_window (void)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  InspectorWindow *window;

  window = inspector_window_new (GTK_APPLICATION (application), options);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (inspector_test_wait_until (is_connected, window));

  return window;
}

static void
close_window (InspectorWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  inspector_test_spin (50);
}

typedef struct {
  InspectorWindow  *window;
  InspectorLogKind  kind;
  InspectorLogStatus status;
} RowQuery;

/* Position in the log view's (filtered) model of the first matching row. */
static guint
find_shown_row (InspectorWindow    *window,
                InspectorLogKind    kind,
                InspectorLogStatus  status)
{
  GListModel *model = inspector_log_view_get_model (inspector_window_get_log_view (window));
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (model, i);

      if (inspector_log_entry_get_kind (entry) == kind &&
          (status == INSPECTOR_LOG_STATUS_NONE || inspector_log_entry_get_status (entry) == status))
        return i;
    }

  return G_MAXUINT;
}

static gboolean
row_shown (gpointer data)
{
  RowQuery *query = data;

  return find_shown_row (query->window, query->kind, query->status) != G_MAXUINT;
}

static guint
wait_for_shown_row (InspectorWindow    *window,
                    InspectorLogKind    kind,
                    InspectorLogStatus  status)
{
  RowQuery query = { window, kind, status };

  if (!inspector_test_wait_until (row_shown, &query))
    g_error ("no %s row shown", inspector_log_kind_to_string (kind));

  return find_shown_row (window, kind, status);
}

/* Something a demo peer did: a chat line, or a bot joining or leaving. */
static gboolean
has_live_traffic (gpointer data)
{
  GListModel *model = inspector_log_view_get_model (inspector_window_get_log_view (data));
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (model, i);

      if (inspector_log_entry_get_kind (entry) == INSPECTOR_LOG_KIND_MESSAGE ||
          (inspector_log_entry_get_kind (entry) == INSPECTOR_LOG_KIND_PRESENCE &&
           inspector_log_entry_get_peer (entry) != NULL))
        return TRUE;
    }

  return FALSE;
}

static void
test_sandbox_live (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorConnection *connection = inspector_window_get_connection (window);
  InspectorChannel *chat;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Local sandbox — Metered Inspector");

  /* The chat room is subscribed and its presence snapshot arrived. */
  chat = inspector_connection_find_channel (connection, "demo/chat");
  g_assert_nonnull (chat);
  wait_for_shown_row (window, INSPECTOR_LOG_KIND_WELCOME, INSPECTOR_LOG_STATUS_NONE);
  wait_for_shown_row (window, INSPECTOR_LOG_KIND_SUBSCRIBE, INSPECTOR_LOG_STATUS_ACKED);
  wait_for_shown_row (window, INSPECTOR_LOG_KIND_PRESENCE, INSPECTOR_LOG_STATUS_NONE);

  /* Live traffic from the demo peers. */
  g_assert_true (inspector_test_wait_until (has_live_traffic, window));
  g_assert_true (inspector_channels_pane_get_selected_channel (inspector_window_get_channels_pane (window)) != NULL);

  inspector_test_save_screenshot (window, "inspector-sandbox-live.png");
  close_window (window);
}

static gboolean
channel_subscribed (gpointer data)
{
  InspectorWindow *window = data;
  InspectorChannel *channel = inspector_connection_find_channel (inspector_window_get_connection (window), "room/ui");

  return channel != NULL && inspector_channel_get_state (channel) == INSPECTOR_CHANNEL_STATE_SUBSCRIBED;
}

static void
test_subscribe_through_ui (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorChannelsPane *pane = inspector_window_get_channels_pane (window);
  GtkWidget *entry = inspector_test_find_descendant (GTK_WIDGET (pane), GTK_TYPE_ENTRY);
  GtkWidget *check = inspector_test_find_descendant (GTK_WIDGET (pane), GTK_TYPE_CHECK_BUTTON);

  g_assert_nonnull (entry);

  /* An invalid name is refused inline, before anything is sent. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "_system/x");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_signal_emit_by_name (entry, "activate");
  g_assert_null (inspector_connection_find_channel (inspector_window_get_connection (window), "_system/x"));

  gtk_editable_set_text (GTK_EDITABLE (entry), "room/ui");
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  g_signal_emit_by_name (entry, "activate");

  g_assert_true (inspector_test_wait_until (channel_subscribed, window));
  g_assert_true (inspector_channel_get_include_sender_metadata (inspector_connection_find_channel (inspector_window_get_connection (window), "room/ui")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");

  inspector_test_save_screenshot (window, "inspector-subscribe.png");
  close_window (window);
}

static gboolean
has_result (gpointer data)
{
  return inspector_compose_pane_get_result (data) != NULL &&
         g_str_has_prefix (inspector_compose_pane_get_result (data), "Acked in");
}

static void
compose (InspectorWindow *window,
         const char      *target,
         const char      *payload)
{
  InspectorComposePane *pane = inspector_window_get_compose_pane (window);
  GtkWidget *entry = inspector_test_find_descendant (GTK_WIDGET (pane), GTK_TYPE_ENTRY);
  GtkWidget *editor = inspector_test_find_descendant (GTK_WIDGET (pane), GTK_SOURCE_TYPE_VIEW);

  gtk_editable_set_text (GTK_EDITABLE (entry), target);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (editor)), payload, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.send", NULL));
  g_assert_true (inspector_test_wait_until (has_result, pane));
}

static void
test_publish_from_compose (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorComposePane *pane = inspector_window_get_compose_pane (window);
  GtkWidget *editor = inspector_test_find_descendant (GTK_WIDGET (pane), GTK_SOURCE_TYPE_VIEW);
  guint position;

  /* Not JSON: the send action is disabled. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (editor)), "{oops", -1);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (pane), "compose.send", NULL) &&
                  inspector_compose_pane_get_result (pane) != NULL);

  compose (window, "demo/chat", "{\"text\": \"hello from the test\"}");
  position = wait_for_shown_row (window, INSPECTOR_LOG_KIND_PUBLISH, INSPECTOR_LOG_STATUS_ACKED);
  g_assert_cmpuint (position, !=, G_MAXUINT);

  inspector_test_save_screenshot (window, "inspector-compose.png");

  /* Nested 100,000 deep: an error to read, not a stack overflow. In lines
   * of 100 brackets, as the source view would rather not highlight one
   * line of 200 KB. */
  {
    g_autoptr(GString) deep = g_string_new (NULL);
    GtkLabel *label;

    for (guint i = 1; i <= 100000; i++)
      g_string_append (deep, i % 100 == 0 ? "[\n" : "[");
    for (guint i = 1; i <= 100000; i++)
      g_string_append (deep, i % 100 == 0 ? "]\n" : "]");
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (editor)), deep->str, -1);
    inspector_test_spin (50);

    label = find_label (GTK_WIDGET (pane), "Not JSON: ");
    g_assert_nonnull (label);
    g_assert_nonnull (strstr (gtk_label_get_label (label), "nested deeper than"));
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "error"));
  }

  close_window (window);
}

static void
test_select_row_shows_pretty_json (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorLogView *log_view = inspector_window_get_log_view (window);
  InspectorDetailPane *detail = inspector_window_get_detail_pane (window);
  g_autofree char *shown = NULL;
  guint position;

  /* A direct to the echo peer comes back. */
  inspector_compose_pane_set_target (inspector_window_get_compose_pane (window), TRUE, "echo");
  compose (window, "echo", "{\"ping\":{\"n\":1,\"tags\":[\"a\",\"b\"]}}");
  position = wait_for_shown_row (window, INSPECTOR_LOG_KIND_DIRECT, INSPECTOR_LOG_STATUS_NONE);

  inspector_log_view_select (log_view, position);
  inspector_test_spin (50);
  g_assert_nonnull (inspector_detail_pane_get_entry (detail));
  g_assert_cmpint (inspector_log_entry_get_kind (inspector_detail_pane_get_entry (detail)), ==, INSPECTOR_LOG_KIND_DIRECT);

  shown = inspector_detail_pane_dup_payload_text (detail);
  g_assert_cmpstr (shown, ==,
                   "{\n"
                   "  \"ping\" : {\n"
                   "    \"n\" : 1,\n"
                   "    \"tags\" : [\n"
                   "      \"a\",\n"
                   "      \"b\"\n"
                   "    ]\n"
                   "  }\n"
                   "}");

  inspector_test_save_screenshot (window, "inspector-detail.png");
  close_window (window);
}

static gboolean
filter_settled (gpointer data)
{
  GListModel *model = data;

  return !inspector_log_filter_model_get_pending (INSPECTOR_LOG_FILTER_MODEL (model));
}

typedef struct {
  GListModel *model;
  guint       n_items;
} FilterQuery;

/* The search entry waits for typing to pause before searching, and the
 * filter works incrementally. */
static gboolean
filter_shows (gpointer data)
{
  FilterQuery *query = data;

  return filter_settled (query->model) && g_list_model_get_n_items (query->model) == query->n_items;
}

static void
test_filter_log (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorLogView *log_view = inspector_window_get_log_view (window);
  GListModel *model = inspector_log_view_get_model (log_view);
  GtkWidget *search = inspector_test_find_descendant (GTK_WIDGET (log_view), GTK_TYPE_SEARCH_ENTRY);

  compose (window, "demo/chat", "{\"needle\": 42}");
  wait_for_shown_row (window, INSPECTOR_LOG_KIND_PUBLISH, INSPECTOR_LOG_STATUS_ACKED);

  gtk_editable_set_text (GTK_EDITABLE (search), "kind:publish needle");
  {
    FilterQuery query = { model, 1 };

    g_assert_true (inspector_test_wait_until (filter_shows, &query));
  }
  {
    g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (model, 0);

    g_assert_cmpint (inspector_log_entry_get_kind (entry), ==, INSPECTOR_LOG_KIND_PUBLISH);
  }

  inspector_test_save_screenshot (window, "inspector-filter.png");

  gtk_editable_set_text (GTK_EDITABLE (search), "channel:demo/chat");
  inspector_test_spin (400);
  g_assert_true (inspector_test_wait_until (filter_settled, model));
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 1);

  close_window (window);
}

static gboolean
has_banner (gpointer data)
{
  return inspector_window_get_banner (data) != NULL;
}

static void
test_connect_dialog (void)
{
  g_autoptr(MeteredDevServer) server = metered_dev_server_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  InspectorWindow *window = open_sandbox_window ();
  InspectorConnectDialog *dialog;
  GtkWidget *server_row;
  GtkWidget *url_row;
  GtkWidget *key_row;
  const char *banner;

  g_assert_true (metered_dev_server_listen (server, "127.0.0.1", 0, &error));
  url = metered_dev_server_dup_url (server);
  /* The server refuses the key, as the service does with a revoked one. */
  metered_dev_server_hook_reject_connections (server, 4001);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "inspector.connect", NULL));
  dialog = INSPECTOR_CONNECT_DIALOG (inspector_test_find_toplevel (INSPECTOR_TYPE_CONNECT_DIALOG));
  g_assert_nonnull (dialog);

  server_row = inspector_test_find_descendant (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW);
  url_row = inspector_test_find_descendant (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);
  key_row = inspector_test_find_descendant (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_nonnull (server_row);
  g_assert_nonnull (url_row);
  g_assert_nonnull (key_row);

  /* A URL the client would refuse is flagged as it is typed. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (server_row), 1);
  gtk_editable_set_text (GTK_EDITABLE (url_row), "http://example.com/v1");
  g_assert_true (gtk_widget_has_css_class (url_row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (key_row), "pk_live_dev");
  g_assert_false (inspector_connect_dialog_submit (dialog));
  g_assert_nonnull (strstr (inspector_connect_dialog_get_error (dialog), "URL"));

  gtk_editable_set_text (GTK_EDITABLE (url_row), url);
  g_assert_false (gtk_widget_has_css_class (url_row, "error"));
  inspector_test_save_screenshot (dialog, "inspector-connect-dialog.png");

  g_assert_true (inspector_connect_dialog_submit (dialog));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (INSPECTOR_TYPE_CONNECT_DIALOG)));

  /* The refusal is explained in words, not just a number. */
  g_assert_true (inspector_test_wait_until (has_banner, window));
  banner = inspector_window_get_banner (window);
  g_assert_nonnull (strstr (banner, metered_close_code_describe (4001)));
  g_assert_null (strstr (banner, "pk_live_dev"));
  g_assert_null (strstr (gtk_window_get_title (GTK_WINDOW (window)), "pk_live_dev"));

  inspector_test_save_screenshot (window, "inspector-connect-failed.png");
  close_window (window);
}

static InspectorConnectOptions *
parse_command_line (const char * const *argv,
                    GError            **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);
  g_auto(GStrv) args = g_strdupv ((char **) argv);
  g_autofree char *url = NULL;
  g_autofree char *api_key = NULL;
  g_autofree char *token = NULL;
  g_auto(GStrv) subscribe = NULL;
  gboolean sandbox = FALSE;
  GOptionEntry entries[] = {
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, &sandbox, NULL, NULL },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, NULL, NULL },
    { "api-key", 0, 0, G_OPTION_ARG_STRING, &api_key, NULL, NULL },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token, NULL, NULL },
    { "subscribe", 0, 0, G_OPTION_ARG_STRING_ARRAY, &subscribe, NULL, NULL },
    { NULL }
  };
  char **argv_copy = args;
  int argc = g_strv_length (args);

  g_option_context_add_main_entries (context, entries, NULL);
  g_assert_true (g_option_context_parse (context, &argc, &argv_copy, NULL));

  if (sandbox)
    g_variant_dict_insert (dict, "sandbox", "b", TRUE);
  if (url != NULL)
    g_variant_dict_insert (dict, "url", "s", url);
  if (api_key != NULL)
    g_variant_dict_insert (dict, "api-key", "s", api_key);
  if (token != NULL)
    g_variant_dict_insert (dict, "token", "s", token);
  if (subscribe != NULL)
    g_variant_dict_insert_value (dict, "subscribe", g_variant_new_strv ((const char * const *) subscribe, -1));

  return inspector_application_options_from_command_line (dict, error);
}

static void
test_command_line (void)
{
  const char *sandbox_argv[] = { "metered-inspector", "--subscribe", "a/b", "--subscribe", "c", NULL };
  const char *key_argv[] = { "metered-inspector", "--url", "wss://rms.metered.ca", "--api-key", "pk_live_x", NULL };
  const char *both_argv[] = { "metered-inspector", "--api-key", "k", "--token", "t", NULL };
  const char *url_only_argv[] = { "metered-inspector", "--url", "wss://rms.metered.ca", NULL };
  const char *bad_url_argv[] = { "metered-inspector", "--url", "http://example.com", "--api-key", "k", NULL };
  g_autoptr(InspectorConnectOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  options = parse_command_line (sandbox_argv, &error);
  g_assert_no_error (error);
  g_assert_cmpint (options->mode, ==, INSPECTOR_AUTH_SANDBOX);
  g_assert_cmpuint (g_strv_length (options->subscribe), ==, 2);
  g_assert_cmpstr (options->subscribe[1], ==, "c");
  g_clear_pointer (&options, inspector_connect_options_free);

  options = parse_command_line (key_argv, &error);
  g_assert_no_error (error);
  g_assert_cmpint (options->mode, ==, INSPECTOR_AUTH_API_KEY);
  g_assert_cmpstr (options->api_key, ==, "pk_live_x");
  g_clear_pointer (&options, inspector_connect_options_free);

  g_assert_null (parse_command_line (both_argv, &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  g_assert_null (parse_command_line (url_only_argv, &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  g_assert_null (parse_command_line (bad_url_argv, &error));
  g_assert_nonnull (strstr (error->message, "URL"));
}

static gboolean
chat_restored (gpointer data)
{
  InspectorChannel *chat = inspector_connection_find_channel (inspector_window_get_connection (data), "demo/chat");

  return inspector_channel_get_state (chat) == INSPECTOR_CHANNEL_STATE_RESTORED;
}

static void
test_reconnect_restores (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorConnection *connection = inspector_window_get_connection (window);
  MeteredDevServer *server = inspector_sandbox_get_server (inspector_connection_get_sandbox (connection));

  wait_for_shown_row (window, INSPECTOR_LOG_KIND_SUBSCRIBE, INSPECTOR_LOG_STATUS_ACKED);
  g_assert_cmpuint (metered_dev_server_hook_drop (server, "inspector"), ==, 1);

  g_assert_true (inspector_test_wait_until (chat_restored, window));
  g_assert_true (is_connected (window));
  wait_for_shown_row (window, INSPECTOR_LOG_KIND_CLOSE, INSPECTOR_LOG_STATUS_NONE);

  inspector_test_save_screenshot (window, "inspector-restored.png");
  close_window (window);
}

static void
test_shortcuts_and_about (void)
{
  InspectorWindow *window = open_sandbox_window ();
  GtkWindow *shortcuts;
  GtkWindow *about;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  inspector_test_spin (100);
  shortcuts = inspector_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  inspector_test_save_screenshot (shortcuts, "inspector-shortcuts.png");
  gtk_window_close (shortcuts);

  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  inspector_test_spin (100);
  about = inspector_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  inspector_test_save_screenshot (about, "inspector-about.png");
  gtk_window_destroy (about);

  /* Every command has an accelerator the shortcuts window can show. */
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application), "inspector.reconnect");

    g_assert_cmpstr (accels[0], ==, "<Control>r");
  }

  close_window (window);
}

/* The README's pictures: the sandbox after a few seconds of traffic, with
 * a row selected, in both styles. */
static void
test_readme_screenshots (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  InspectorWindow *window = open_sandbox_window ();
  InspectorLogView *log_view = inspector_window_get_log_view (window);
  guint position;

  compose (window, "demo/chat", "{\n  \"text\": \"hello from the inspector\"\n}");
  g_assert_true (inspector_test_wait_until (has_live_traffic, window));
  inspector_test_spin (3000);
  position = find_shown_row (window, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE);
  if (position == G_MAXUINT)
    position = find_shown_row (window, INSPECTOR_LOG_KIND_PUBLISH, INSPECTOR_LOG_STATUS_NONE);
  inspector_log_view_select (log_view, position);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  inspector_test_save_screenshot (window, "inspector-light.png");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  inspector_test_save_screenshot (window, "inspector-dark.png");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  GTestDBus *bus;
  int status;

  inspector_test_init (&argc, &argv);
  bus = inspector_test_start_desktop ();

  application = inspector_application_new (G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (application), NULL, &error))
    g_error ("could not register the application: %s", error->message);

  g_test_add_func ("/inspector/window/sandbox-live", test_sandbox_live);
  g_test_add_func ("/inspector/window/subscribe", test_subscribe_through_ui);
  g_test_add_func ("/inspector/window/publish-from-compose", test_publish_from_compose);
  g_test_add_func ("/inspector/window/select-row", test_select_row_shows_pretty_json);
  g_test_add_func ("/inspector/window/filter", test_filter_log);
  g_test_add_func ("/inspector/window/connect-dialog", test_connect_dialog);
  g_test_add_func ("/inspector/window/reconnect-restores", test_reconnect_restores);
  g_test_add_func ("/inspector/window/shortcuts-and-about", test_shortcuts_and_about);
  g_test_add_func ("/inspector/window/readme-screenshots", test_readme_screenshots);
  g_test_add_func ("/inspector/command-line", test_command_line);

  status = g_test_run ();

  g_clear_object (&application);
  /* Stops the daemon without waiting for the bus singletons GTK keeps;
   * finalizing @bus would wait for them, so it is left to the exit. */
  g_test_dbus_stop (bus);

  return status;
}
