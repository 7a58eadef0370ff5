/* test-shell.c: tabs, preferences and window state of the inspector
 *
 * Runs on a display (Xvfb in CI): two sandbox tabs talk to each other as
 * two identities, tabs close their clients, the preferences change what
 * the tabs show, and an exported log comes back as a read-only tab.
 * Screenshots go into the build directory.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-shell"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "metered-dev-server.h"

#include "inspector-application.h"
#include "inspector-connect-dialog.h"
#include "inspector-log-io.h"
#include "inspector-preferences-window.h"
#include "inspector-profile-list.h"
#include "inspector-window.h"

#include "inspector-test-util.h"

static InspectorApplication *application;
static gboolean
page_connected (gpointer data)
{
  InspectorConnection *connection = inspector_connection_page_get_connection (data);

  return connection != NULL && inspector_connection_get_state (connection) == METERED_CLIENT_STATE_CONNECTED;
}

static InspectorWindow *
open_sandbox_window (void)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  InspectorWindow *window;

  window = inspector_window_new (GTK_APPLICATION (application), options);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (inspector_test_wait_until (page_connected, inspector_window_get_page (window)));

  return window;
}

static InspectorConnectionPage *
open_sandbox_tab (InspectorWindow *window)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  InspectorConnectionPage *page = inspector_window_open_tab (window, options, NULL);

  g_assert_true (inspector_window_get_page (window) == page);
  g_assert_true (inspector_test_wait_until (page_connected, page));

  return page;
}

static void
close_window (InspectorWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  inspector_test_spin (50);
}

typedef struct {
  InspectorConnectionPage *page;
  const char              *from;
  const char              *text;
} DirectQuery;

/* A direct from @from whose payload holds @text, in the page's log. */
static gboolean
has_direct (gpointer data)
{
  DirectQuery *query = data;
  GListModel *log = G_LIST_MODEL (inspector_connection_get_log (inspector_connection_page_get_connection (query->page)));
  guint n = g_list_model_get_n_items (log);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (log, i);
      g_autofree char *payload = NULL;

      if (inspector_log_entry_get_kind (entry) != INSPECTOR_LOG_KIND_DIRECT ||
          g_strcmp0 (inspector_log_entry_get_peer (entry), query->from) != 0)
        continue;

      payload = inspector_log_entry_dup_text (entry);
      if (payload != NULL && strstr (payload, query->text) != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
compose_acked (gpointer data)
{
  const char *result = inspector_compose_pane_get_result (data);

  return result != NULL && g_str_has_prefix (result, "Acked in");
}

static void
test_two_identities (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorConnectionPage *first = inspector_window_get_page (window);
  InspectorConnectionPage *second = open_sandbox_tab (window);
  InspectorConnection *first_connection = inspector_connection_page_get_connection (first);
  InspectorConnection *second_connection = inspector_connection_page_get_connection (second);
  AdwTabView *tab_view = inspector_window_get_tab_view (window);
  InspectorComposePane *compose;
  DirectQuery query = { second, "inspector", "hello, other me" };

  /* One server, two peers. */
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  g_assert_true (inspector_connection_get_sandbox (first_connection) == inspector_connection_get_sandbox (second_connection));
  g_assert_cmpstr (inspector_connection_get_peer_id (first_connection), ==, "inspector");
  g_assert_cmpstr (inspector_connection_get_peer_id (second_connection), ==, "inspector-2");
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_page (tab_view, GTK_WIDGET (first))), ==, "Local sandbox · inspector");
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_page (tab_view, GTK_WIDGET (second))), ==, "Local sandbox · inspector-2");
  g_assert_false (adw_tab_page_get_loading (adw_tab_view_get_page (tab_view, GTK_WIDGET (second))));

  /* The window's getters follow the selected tab. */
  g_assert_true (inspector_window_get_connection (window) == second_connection);
  adw_tab_view_set_selected_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (first)));
  g_assert_true (inspector_window_get_connection (window) == first_connection);
  g_assert_true (inspector_window_get_log_view (window) == inspector_connection_page_get_log_view (first));

  /* The first identity writes to the second through its compose pane. */
  compose = inspector_connection_page_get_compose_pane (first);
  inspector_compose_pane_set_target (compose, TRUE, "inspector-2");
  inspector_compose_pane_set_payload (compose, "{\"text\": \"hello, other me\"}");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (compose), "compose.send", NULL));
  g_assert_true (inspector_test_wait_until (compose_acked, compose));

  /* …and it arrives in the second tab's log only. */
  g_assert_true (inspector_test_wait_until (has_direct, &query));
  query.page = first;
  g_assert_false (has_direct (&query));

  /* Next and previous tab go round. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "next-tab", NULL);
  g_assert_true (inspector_window_get_page (window) == second);
  g_action_group_activate_action (G_ACTION_GROUP (window), "next-tab", NULL);
  g_assert_true (inspector_window_get_page (window) == first);
  g_action_group_activate_action (G_ACTION_GROUP (window), "previous-tab", NULL);
  g_assert_true (inspector_window_get_page (window) == second);

  inspector_test_save_screenshot (window, "inspector-two-tabs.png");
  close_window (window);
}

typedef struct {
  MeteredDevServer *server;
  const char       *peer_id;
} PeerQuery;

static guint
count_peer_connections (PeerQuery *query)
{
  g_autoptr(JsonNode) list = metered_dev_server_hook_list_connections (query->server, query->peer_id);

  return json_array_get_length (json_node_get_array (list));
}

static gboolean
peer_gone (gpointer data)
{
  return count_peer_connections (data) == 0;
}

static void
test_close_tab (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorConnection *first_connection = inspector_window_get_connection (window);
  g_autoptr(InspectorSandbox) sandbox = g_object_ref (inspector_connection_get_sandbox (first_connection));
  PeerQuery query = { inspector_sandbox_get_server (sandbox), "inspector-2" };
  AdwTabView *tab_view = inspector_window_get_tab_view (window);
  InspectorConnectDialog *dialog;
  InspectorConnectionPage *second;
  GtkWidget *weak_page;

  /* Ctrl+T asks where to connect, starting from the selected tab's
   * settings: the sandbox again, as a second identity. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-tab", NULL));
  dialog = INSPECTOR_CONNECT_DIALOG (inspector_test_find_toplevel (INSPECTOR_TYPE_CONNECT_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (inspector_connect_dialog_submit (dialog));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (INSPECTOR_TYPE_CONNECT_DIALOG)));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  second = inspector_window_get_page (window);
  g_assert_true (inspector_test_wait_until (page_connected, second));
  g_assert_cmpuint (count_peer_connections (&query), ==, 1);

  /* Ctrl+W closes the tab, and its client with it. */
  weak_page = GTK_WIDGET (second);
  g_object_add_weak_pointer (G_OBJECT (second), (gpointer *) &weak_page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.close-tab", NULL));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  g_assert_true (inspector_test_wait_until (peer_gone, &query));
  inspector_test_spin (50);
  g_assert_null (weak_page);

  /* The other tab is untouched. */
  g_assert_true (inspector_window_get_connection (window) == first_connection);
  g_assert_cmpint (inspector_connection_get_state (first_connection), ==, METERED_CLIENT_STATE_CONNECTED);

  /* Closing the last tab closes the window. */
  query.peer_id = "inspector";
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.close-tab", NULL));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (INSPECTOR_TYPE_WINDOW)));
  g_assert_true (inspector_test_wait_until (peer_gone, &query));
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.metered_inspector.Inspector");
  AdwStyleManager *style = adw_style_manager_get_default ();
  InspectorWindow *window = open_sandbox_window ();
  InspectorLogStore *store = inspector_connection_get_log (inspector_window_get_connection (window));
  InspectorLogView *log_view = inspector_window_get_log_view (window);
  GtkWindow *preferences;
  GtkWidget *count_spin;
  AdwComboRow *timestamp_row;
  AdwComboRow *scheme_row;
  GtkWidget *row;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.preferences", NULL));
  inspector_test_spin (100);
  preferences = inspector_test_find_toplevel (INSPECTOR_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);

  /* Retention: the spin button writes the key, the tab's store follows. */
  count_spin = inspector_test_find_descendant (GTK_WIDGET (preferences), GTK_TYPE_SPIN_BUTTON);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (count_spin)), ==, 1000000);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (count_spin), 5000);
  g_assert_cmpuint (g_settings_get_uint (settings, "retention-count"), ==, 5000);
  g_assert_cmpuint (inspector_log_store_get_max_entries (store), ==, 5000);
  g_settings_set_uint (settings, "retention-megabytes", 64);
  g_assert_cmpuint (inspector_log_store_get_max_bytes (store), ==, 64 * 1024 * 1024);

  /* The combo rows: timestamps first, then the style. */
  row = inspector_test_find_descendant (GTK_WIDGET (preferences), ADW_TYPE_COMBO_ROW);
  timestamp_row = ADW_COMBO_ROW (row);
  g_assert_cmpuint (adw_combo_row_get_selected (timestamp_row), ==, 1);
  g_assert_cmpint (inspector_log_view_get_timestamp_format (log_view), ==, INSPECTOR_TIMESTAMP_TIME_MS);
  adw_combo_row_set_selected (timestamp_row, 2);
  g_assert_cmpint (g_settings_get_enum (settings, "timestamp-format"), ==, INSPECTOR_TIMESTAMP_ISO8601);
  g_assert_cmpint (inspector_log_view_get_timestamp_format (log_view), ==, INSPECTOR_TIMESTAMP_ISO8601);
  g_settings_set_enum (settings, "timestamp-format", INSPECTOR_TIMESTAMP_RELATIVE);
  g_assert_cmpuint (adw_combo_row_get_selected (timestamp_row), ==, 3);
  g_assert_cmpint (inspector_log_view_get_timestamp_format (log_view), ==, INSPECTOR_TIMESTAMP_RELATIVE);

  scheme_row = NULL;
  for (GtkWidget *w = gtk_widget_get_parent (row); w != NULL && scheme_row == NULL; w = gtk_widget_get_parent (w))
    {
      GtkWidget *group = gtk_widget_get_next_sibling (w);

      if (group != NULL && (row = inspector_test_find_descendant (group, ADW_TYPE_COMBO_ROW)) != NULL)
        scheme_row = ADW_COMBO_ROW (row);
    }
  g_assert_nonnull (scheme_row);
  g_assert_cmpuint (adw_combo_row_get_selected (scheme_row), ==, 0);

  adw_combo_row_set_selected (scheme_row, 2);
  g_assert_cmpstr (g_settings_get_string (settings, "color-scheme"), ==, "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  inspector_test_save_screenshot (preferences, "inspector-preferences.png");

  adw_combo_row_set_selected (scheme_row, 1);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_false (adw_style_manager_get_dark (style));

  /* A second request shows the same window. */
  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  g_assert_true (inspector_test_find_toplevel (INSPECTOR_TYPE_PREFERENCES_WINDOW) == preferences);

  gtk_window_destroy (preferences);
  g_settings_reset (settings, "color-scheme");
  g_settings_reset (settings, "retention-count");
  g_settings_reset (settings, "retention-megabytes");
  g_settings_reset (settings, "timestamp-format");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  g_assert_cmpuint (inspector_log_store_get_max_entries (store), ==, 1000000);

  close_window (window);
}

static void
test_window_state (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.metered_inspector.Inspector");
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  InspectorWindow *window = inspector_window_new (GTK_APPLICATION (application), options);
  int width, height;

  /* As if the user had made it that size. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (inspector_test_wait_until (page_connected, inspector_window_get_page (window)));
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (inspector_test_wait_until (inspector_test_toplevel_gone, GSIZE_TO_POINTER (INSPECTOR_TYPE_WINDOW)));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* The next window starts that size. */
  window = inspector_window_new (GTK_APPLICATION (application), options);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1000);
  g_assert_cmpint (height, ==, 700);
  close_window (window);

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

typedef struct {
  gboolean done;
  guint64  n_rows;
  GError  *error;
} ExportResult;

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExportResult *export = user_data;

  inspector_log_export_finish (result, &export->n_rows, &export->error);
  export->done = TRUE;
}

static gboolean
export_done (gpointer data)
{
  return ((ExportResult *) data)->done;
}

static gboolean
page_loaded (gpointer data)
{
  return !inspector_connection_page_get_loading (data);
}

/* The welcome, the subscriptions and their presence snapshots, with
 * every subscription answered: rows that will not change under the
 * export. */
static gboolean
has_rows (gpointer data)
{
  guint n = g_list_model_get_n_items (data);

  if (n < 6)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (data, i);

      if (inspector_log_entry_get_status (entry) == INSPECTOR_LOG_STATUS_PENDING)
        return FALSE;
    }

  return TRUE;
}

static void
assert_same_entries (GListModel *expected,
                     GListModel *actual)
{
  guint n = g_list_model_get_n_items (expected);

  g_assert_cmpuint (g_list_model_get_n_items (actual), ==, n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) a = g_list_model_get_item (expected, i);
      g_autoptr(InspectorLogEntry) b = g_list_model_get_item (actual, i);
      g_autofree char *text_a = inspector_log_entry_dup_text (a);
      g_autofree char *text_b = inspector_log_entry_dup_text (b);

      g_assert_cmpint (inspector_log_entry_get_kind (a), ==, inspector_log_entry_get_kind (b));
      g_assert_cmpint (inspector_log_entry_get_status (a), ==, inspector_log_entry_get_status (b));
      g_assert_cmpint (inspector_log_entry_get_time (a), ==, inspector_log_entry_get_time (b));
      g_assert_cmpstr (inspector_log_entry_get_channel (a), ==, inspector_log_entry_get_channel (b));
      g_assert_cmpstr (inspector_log_entry_get_peer (a), ==, inspector_log_entry_get_peer (b));
      g_assert_cmpstr (text_a, ==, text_b);
    }
}

static void
test_import (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-shell-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "sandbox.jsonl", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "broken.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad_path);
  InspectorWindow *window = open_sandbox_window ();
  InspectorConnectionPage *live = inspector_window_get_page (window);
  InspectorLogStore *store = inspector_connection_get_log (inspector_connection_page_get_connection (live));
  AdwTabView *tab_view = inspector_window_get_tab_view (window);
  ExportResult export = { FALSE, 0, NULL };
  InspectorConnectionPage *page;
  AdwTabPage *tab_page;
  GListModel *imported;

  g_assert_no_error (error);

  /* A recording of the live tab, with some traffic in it. */
  g_assert_true (inspector_test_wait_until (has_rows, store));
  inspector_log_store_set_paused (store, TRUE);
  inspector_log_export_async (G_LIST_MODEL (store), file, INSPECTOR_LOG_FORMAT_JSON_LINES, NULL, NULL, on_exported, &export);
  g_assert_true (inspector_test_wait_until (export_done, &export));
  g_assert_no_error (export.error);
  g_assert_cmpuint (export.n_rows, >, 0);
  g_assert_cmpuint (export.n_rows, ==, g_list_model_get_n_items (G_LIST_MODEL (store)));

  page = inspector_window_import_log (window, file);
  g_assert_true (inspector_window_get_page (window) == page);
  g_assert_true (inspector_test_wait_until (page_loaded, page));
  g_assert_null (inspector_connection_page_get_banner (page));

  /* Exactly the rows exported, and nothing can be sent from here. */
  imported = G_LIST_MODEL (inspector_connection_get_log (inspector_connection_page_get_connection (page)));
  inspector_log_store_flush (INSPECTOR_LOG_STORE (imported));
  assert_same_entries (G_LIST_MODEL (store), imported);
  g_assert_true (inspector_connection_page_get_read_only (page));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "inspector.compose") &&
                  g_action_group_get_action_enabled (inspector_connection_page_get_actions (page), "compose"));
  g_assert_false (g_action_group_get_action_enabled (inspector_connection_page_get_actions (page), "subscribe"));
  g_assert_false (g_action_group_get_action_enabled (inspector_connection_page_get_actions (page), "reconnect"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (inspector_connection_page_get_compose_pane (page))));

  tab_page = adw_tab_view_get_page (tab_view, GTK_WIDGET (page));
  g_assert_cmpstr (adw_tab_page_get_title (tab_page), ==, "sandbox.jsonl");
  g_assert_nonnull (adw_tab_page_get_indicator_icon (tab_page));
  inspector_test_save_screenshot (window, "inspector-imported.png");

  /* A file that is not a log: said in words, in the tab. */
  g_assert_true (g_file_set_contents (bad_path, "{\"kind\": \"message\"\nnot json at all\n", -1, &error));
  g_assert_no_error (error);
  page = inspector_window_import_log (window, bad_file);
  g_assert_true (inspector_test_wait_until (page_loaded, page));
  g_assert_nonnull (inspector_connection_page_get_banner (page));
  g_assert_true (g_str_has_prefix (inspector_connection_page_get_banner (page), "The log could not be imported: "));
  g_assert_true (adw_tab_page_get_needs_attention (adw_tab_view_get_page (tab_view, GTK_WIDGET (page))));

  inspector_log_store_set_paused (store, FALSE);
  close_window (window);

  g_unlink (path);
  g_unlink (bad_path);
  g_rmdir (dir);
}

/* Position in the log view of a sensor reading, or G_MAXUINT. */
static guint
find_sensor_row (InspectorLogView *log_view)
{
  GListModel *model = inspector_log_view_get_model (log_view);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (model, i);

      if (inspector_log_entry_get_kind (entry) == INSPECTOR_LOG_KIND_MESSAGE &&
          g_str_has_prefix (inspector_log_entry_get_channel (entry), "demo/sensors/"))
        return i;
    }

  return G_MAXUINT;
}

static gboolean
has_sensor_row (gpointer data)
{
  return find_sensor_row (data) != G_MAXUINT;
}

static void
test_plot_requested (void)
{
  InspectorWindow *window = open_sandbox_window ();
  InspectorConnectionPage *page = inspector_window_get_page (window);
  InspectorLogView *log_view = inspector_connection_page_get_log_view (page);
  InspectorDetailPane *detail = inspector_connection_page_get_detail_pane (page);
  GListModel *series = inspector_plot_get_series (inspector_plot_view_get_plot (inspector_connection_page_get_plot_view (page)));

  g_assert_cmpstr (inspector_connection_page_get_view (page), ==, "log");
  g_assert_cmpuint (g_list_model_get_n_items (series), ==, 0);

  /* Picking a field of a selected reading plots it, and shows the chart. */
  g_assert_true (inspector_test_wait_until (has_sensor_row, log_view));
  inspector_log_view_select (log_view, find_sensor_row (log_view));
  inspector_test_spin (50);
  inspector_detail_pane_request_plot (detail, "temperature");

  g_assert_cmpstr (inspector_connection_page_get_view (page), ==, "plot");
  g_assert_cmpuint (g_list_model_get_n_items (series), ==, 1);

  /* The search shortcut goes back to the log. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "inspector.search", NULL));
  g_assert_cmpstr (inspector_connection_page_get_view (page), ==, "log");

  close_window (window);
}

static void
test_profiles_sidebar (void)
{
  InspectorWindow *window = open_sandbox_window ();
  AdwTabView *tab_view = inspector_window_get_tab_view (window);
  AdwFlap *flap = ADW_FLAP (inspector_test_find_descendant (GTK_WIDGET (window), ADW_TYPE_FLAP));
  GtkWidget *list = inspector_test_find_descendant (GTK_WIDGET (window), INSPECTOR_TYPE_PROFILE_LIST);
  InspectorConnectionPage *page;

  g_assert_nonnull (list);
  g_assert_true (inspector_profile_list_get_store (INSPECTOR_PROFILE_LIST (list)) ==
                 inspector_application_get_profile_store (application));

  /* F9 shows the sidebar, over the tabs. */
  g_assert_false (adw_flap_get_reveal_flap (flap));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-profiles", NULL);
  g_assert_true (adw_flap_get_reveal_flap (flap));
  inspector_test_save_screenshot (window, "inspector-profiles.png");

  /* Its "Local sandbox" row opens another identity in a new tab, and the
   * sidebar makes way. */
  g_signal_emit_by_name (list, "open-profile", NULL);
  g_assert_false (adw_flap_get_reveal_flap (flap));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  page = inspector_window_get_page (window);
  g_assert_true (inspector_test_wait_until (page_connected, page));
  g_assert_cmpstr (inspector_connection_get_peer_id (inspector_connection_page_get_connection (page)), ==, "inspector-2");
  g_assert_null (inspector_connection_page_get_profile (page));

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

  g_test_add_func ("/inspector/shell/two-identities", test_two_identities);
  g_test_add_func ("/inspector/shell/close-tab", test_close_tab);
  g_test_add_func ("/inspector/shell/preferences", test_preferences);
  g_test_add_func ("/inspector/shell/window-state", test_window_state);
  g_test_add_func ("/inspector/shell/import", test_import);
  g_test_add_func ("/inspector/shell/plot-requested", test_plot_requested);
  g_test_add_func ("/inspector/shell/profiles-sidebar", test_profiles_sidebar);

  status = g_test_run ();

  g_clear_object (&application);
  g_test_dbus_stop (bus);

  return status;
}
