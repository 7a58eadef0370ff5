/* test-log-io.c: export and import of the message log
 *
 * Rows with awkward content (quotes, commas, line breaks, control
 * characters, non-ASCII, missing fields) go to JSON Lines and CSV, which
 * must match golden text byte for byte, and back from JSON Lines into an
 * offline connection, which must give the same rows. Bad lines in an
 * import are reported by number and skipped.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-log-io"

#include <string.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "inspector-channels-pane.h"
#include "inspector-connection.h"
#include "inspector-connection-header.h"
#include "inspector-log-filter-model.h"
#include "inspector-log-io.h"
#include "inspector-log-store-private.h"
#include "inspector-log-view.h"

#include "inspector-test-util.h"

/* 2026-11-29T08:35:18.123456Z */
#define T0 G_GINT64_CONSTANT (1795941318123456)

#define GOLDEN_JSONL \
  "{\"time\":1795941318123456,\"timestamp\":\"2026-11-29T08:35:18.123456Z\",\"kind\":\"message\",\"status\":\"none\",\"rtt\":0," \
  "\"channel\":\"demo/chat\",\"peer\":\"Ada-1\",\"text\":\"{\\\"text\\\":\\\"Hello, \\\\\\\"World\\\\\\\"\\\"}\"," \
  "\"metadata\":\"{\\\"name\\\":\\\"Ada\\\"}\",\"note\":null," \
  "\"frame\":\"{\\\"type\\\":\\\"message\\\",\\\"data\\\":{\\\"text\\\":\\\"Hello, \\\\\\\"World\\\\\\\"\\\"}}\"}\n" \
  "{\"time\":1795941318223456,\"timestamp\":\"2026-11-29T08:35:18.223456Z\",\"kind\":\"publish\",\"status\":\"acked\",\"rtt\":2500," \
  "\"channel\":\"demo/sensors/1\",\"peer\":null,\"text\":\"{\\\"t\\\":\\\"a\\\\nb\\\\tc\\\"}\"," \
  "\"metadata\":null,\"note\":null,\"frame\":null}\n" \
  "{\"time\":1795941318323456,\"timestamp\":\"2026-11-29T08:35:18.323456Z\",\"kind\":\"state\",\"status\":\"none\",\"rtt\":0," \
  "\"channel\":null,\"peer\":null,\"text\":null,\"metadata\":null,\"note\":\"Connecting → Connected\",\"frame\":null}\n" \
  "{\"time\":1795941318423456,\"timestamp\":\"2026-11-29T08:35:18.423456Z\",\"kind\":\"send\",\"status\":\"failed\",\"rtt\":0," \
  "\"channel\":null,\"peer\":\"echo\",\"text\":\"\\\"multi\\nline\\r\\u0001\\\"\",\"metadata\":null," \
  "\"note\":\"not_allowed: nope\",\"frame\":null}\n"

#define GOLDEN_CSV \
  "timestamp,time_us,kind,status,rtt_us,channel,peer,size,text,note,metadata\r\n" \
  "2026-11-29T08:35:18.123456Z,1795941318123456,message,none,0,demo/chat,Ada-1,27,\"{\"\"text\"\":\"\"Hello, \\\"\"World\\\"\"\"\"}\",,\"{\"\"name\"\":\"\"Ada\"\"}\"\r\n" \
  "2026-11-29T08:35:18.223456Z,1795941318223456,publish,acked,2500,demo/sensors/1,,15,\"{\"\"t\"\":\"\"a\\nb\\tc\"\"}\",,\r\n" \
  "2026-11-29T08:35:18.323456Z,1795941318323456,state,none,0,,,0,,Connecting → Connected,\r\n" \
  "2026-11-29T08:35:18.423456Z,1795941318423456,send,failed,0,,echo,14,\"\"\"multi\nline\r\001\"\"\",not_allowed: nope,\r\n"

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static InspectorLogStore *
make_store (void)
{
  InspectorLogStore *store = inspector_log_store_new ();

  inspector_log_store_append_at (store, T0, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "demo/chat", "Ada-1", "{\"text\":\"Hello, \\\"World\\\"\"}", -1,
                                 "{\"name\":\"Ada\"}", NULL,
                                 "{\"type\":\"message\",\"data\":{\"text\":\"Hello, \\\"World\\\"\"}}");
  inspector_log_store_append_at (store, T0 + 100000, INSPECTOR_LOG_KIND_PUBLISH, INSPECTOR_LOG_STATUS_ACKED, 2500,
                                 "demo/sensors/1", NULL, "{\"t\":\"a\\nb\\tc\"}", -1, NULL, NULL, NULL);
  inspector_log_store_append_at (store, T0 + 200000, INSPECTOR_LOG_KIND_STATE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 NULL, NULL, NULL, -1, NULL, "Connecting → Connected", NULL);
  inspector_log_store_append_at (store, T0 + 300000, INSPECTOR_LOG_KIND_SEND, INSPECTOR_LOG_STATUS_FAILED, 0,
                                 NULL, "echo", "\"multi\nline\r\001\"", -1, NULL, "not_allowed: nope", NULL);
  inspector_log_store_flush (store);

  return store;
}

/* The async calls share their user data between progress and result:
 * the result goes first, where store_result() puts it. */
typedef struct {
  GAsyncResult *result;
  guint   n_calls;
  guint64 last_done;
  guint64 last_total;
} ProgressSeen;

static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  ProgressSeen *seen = user_data;

  seen->n_calls++;
  seen->last_done = done;
  seen->last_total = total;
}

static char *
export_to_text (GListModel         *rows,
                InspectorLogFormat  format,
                guint64            *n_rows)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GError) error = NULL;
  ProgressSeen seen = { 0 };
  char *contents = NULL;

  file = g_file_new_tmp ("test-log-io-XXXXXX", &io, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (io), NULL, NULL);

  inspector_log_export_async (rows, file, format, NULL, on_progress, store_result, &seen);
  g_assert_true (inspector_test_wait_until (inspector_test_is_set, &seen.result));
  g_assert_true (inspector_log_export_finish (seen.result, n_rows, &error));
  g_clear_object (&seen.result);
  g_assert_no_error (error);

  /* The last word is always "all of it". */
  g_assert_cmpuint (seen.n_calls, >=, 1);
  g_assert_cmpuint (seen.last_done, ==, seen.last_total);

  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, &error));
  g_file_delete (file, NULL, NULL);

  return contents;
}

static void
test_export_jsonl_golden (void)
{
  g_autoptr(InspectorLogStore) store = make_store ();
  g_autofree char *text = NULL;
  guint64 n_rows = 0;

  text = export_to_text (G_LIST_MODEL (store), INSPECTOR_LOG_FORMAT_JSON_LINES, &n_rows);
  g_assert_cmpuint (n_rows, ==, 4);
  g_assert_cmpstr (text, ==, GOLDEN_JSONL);
}

static void
test_export_csv_golden (void)
{
  g_autoptr(InspectorLogStore) store = make_store ();
  g_autofree char *text = NULL;
  guint64 n_rows = 0;

  text = export_to_text (G_LIST_MODEL (store), INSPECTOR_LOG_FORMAT_CSV, &n_rows);
  g_assert_cmpuint (n_rows, ==, 4);
  g_assert_cmpstr (text, ==, GOLDEN_CSV);
}

/* What the view shows after a search is what gets written. */
static void
test_export_filtered (void)
{
  g_autoptr(InspectorLogStore) store = make_store ();
  g_autoptr(InspectorLogFilter) filter = inspector_log_filter_new ();
  g_autoptr(InspectorLogFilterModel) model = inspector_log_filter_model_new (filter);
  g_autofree char *text = NULL;
  guint64 n_rows = 0;

  inspector_log_filter_model_set_store (model, store);
  inspector_log_filter_set_search (filter, "kind:publish");
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));

  text = export_to_text (G_LIST_MODEL (model), INSPECTOR_LOG_FORMAT_JSON_LINES, &n_rows);
  g_assert_cmpuint (n_rows, ==, 1);
  g_assert_true (g_str_has_prefix (text, "{\"time\":1795941318223456,"));
  g_assert_cmpuint (strlen (text), ==, strchr (text, '\n') - text + 1);
}

static void
assert_same_record (const InspectorLogRecord *a,
                    const InspectorLogRecord *b)
{
  g_assert_cmpint (a->time, ==, b->time);
  g_assert_cmpuint (a->kind, ==, b->kind);
  g_assert_cmpuint (a->status, ==, b->status);
  g_assert_cmpuint (a->rtt, ==, b->rtt);
  g_assert_cmpstr (a->channel, ==, b->channel);
  g_assert_cmpstr (a->peer, ==, b->peer);
  g_assert_cmpuint (a->size, ==, b->size);
  g_assert_true ((a->text == NULL) == (b->text == NULL));
  if (a->text != NULL)
    g_assert_cmpmem (a->text, a->size, b->text, b->size);
  g_assert_cmpstr (a->metadata, ==, b->metadata);
  g_assert_cmpstr (a->note, ==, b->note);
  g_assert_cmpstr (a->frame, ==, b->frame);
}

static GFile *
write_tmp (const char *contents)
{
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GError) error = NULL;
  GFile *file = g_file_new_tmp ("test-log-io-XXXXXX.jsonl", &io, &error);

  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (io), NULL, NULL);
  g_assert_true (g_file_replace_contents (file, contents, strlen (contents), NULL, FALSE,
                                          G_FILE_CREATE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);

  return file;
}

static void
test_import_round_trip (void)
{
  g_autoptr(InspectorLogStore) store = make_store ();
  g_autoptr(InspectorConnection) offline = inspector_connection_new_offline ("round-trip.jsonl");
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = write_tmp (GOLDEN_JSONL);
  InspectorLogStore *imported = inspector_connection_get_log (offline);
  ProgressSeen seen = { 0 };
  g_autofree char *again = NULL;
  guint64 n_rows = 0;

  inspector_log_import_async (file, offline, NULL, on_progress, store_result, &seen);
  g_assert_true (inspector_test_wait_until (inspector_test_is_set, &seen.result));
  g_assert_true (inspector_log_import_finish (seen.result, &n_rows, &error));
  g_clear_object (&seen.result);
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, 4);
  g_assert_cmpuint (seen.last_done, ==, strlen (GOLDEN_JSONL));
  g_assert_cmpuint (seen.last_total, ==, strlen (GOLDEN_JSONL));

  inspector_log_store_flush (imported);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (imported)), ==, 4);
  for (guint i = 0; i < 4; i++)
    assert_same_record (inspector_log_store_lookup (store, inspector_log_store_get_first_seq (store) + i),
                        inspector_log_store_lookup (imported, inspector_log_store_get_first_seq (imported) + i));

  /* The channel list counts the imported messages. */
  g_assert_nonnull (inspector_connection_find_channel (offline, "demo/chat"));
  g_assert_null (inspector_connection_find_channel (offline, "demo/sensors/1"));

  /* And out again, the same bytes. */
  again = export_to_text (G_LIST_MODEL (imported), INSPECTOR_LOG_FORMAT_JSON_LINES, NULL);
  g_assert_cmpstr (again, ==, GOLDEN_JSONL);

  g_file_delete (file, NULL, NULL);
}

static void
test_import_bad_lines (void)
{
  g_autoptr(InspectorConnection) offline = inspector_connection_new_offline ("bad.jsonl");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *contents = NULL;
  const char *lines[] = {
    "{\"time\":1,\"kind\":\"message\",\"channel\":\"a\",\"text\":\"{}\"}",
    "{\"time\":2,\"kind\":\"message\"",                 /* not JSON */
    "[1,2,3]",                                          /* not an object */
    "{\"time\":3,\"kind\":\"telepathy\"}",              /* unknown kind */
    "",                                                 /* blank: skipped quietly */
    "{\"kind\":\"state\"}",                             /* no time */
    "{\"time\":4,\"kind\":\"state\",\"note\":5}",       /* note not a string */
    "{\"time\":5,\"kind\":\"direct\",\"peer\":\"p\",\"text\":\"1\",\"status\":\"none\"}",
    NULL
  };
  InspectorLogStore *imported = inspector_connection_get_log (offline);
  guint64 n_rows = 0;

  contents = g_strjoinv ("\n", (char **) lines);
  file = write_tmp (contents);

  inspector_log_import_async (file, offline, NULL, NULL, store_result, &result);
  g_assert_true (inspector_test_wait_until (inspector_test_is_set, &result));
  g_assert_false (inspector_log_import_finish (result, &n_rows, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "5 lines could not be read"));
  g_assert_nonnull (strstr (error->message, "line 2: not JSON"));
  g_assert_nonnull (strstr (error->message, "line 3: not a JSON object"));
  g_assert_nonnull (strstr (error->message, "line 4: unknown kind “telepathy”"));
  g_assert_nonnull (strstr (error->message, "line 6: “time” is missing"));
  g_assert_nonnull (strstr (error->message, "line 7: “note” is not a string"));

  /* The good rows are kept. */
  g_assert_cmpuint (n_rows, ==, 2);
  inspector_log_store_flush (imported);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (imported)), ==, 2);

  g_file_delete (file, NULL, NULL);
}

static void
test_import_missing_file (void)
{
  g_autoptr(InspectorConnection) offline = inspector_connection_new_offline ("missing.jsonl");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/log.jsonl");
  guint64 n_rows = 1;

  inspector_log_import_async (file, offline, NULL, NULL, store_result, &result);
  g_assert_true (inspector_test_wait_until (inspector_test_is_set, &result));
  g_assert_false (inspector_log_import_finish (result, &n_rows, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (n_rows, ==, 0);
}

/* A cancelled export leaves the destination as it was. */
static void
test_export_cancelled (void)
{
  g_autoptr(InspectorLogStore) store = make_store ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = write_tmp ("before\n");
  g_autofree char *contents = NULL;

  g_cancellable_cancel (cancellable);
  inspector_log_export_async (G_LIST_MODEL (store), file, INSPECTOR_LOG_FORMAT_CSV, cancellable, NULL,
                              store_result, &result);
  g_assert_true (inspector_test_wait_until (inspector_test_is_set, &result));
  g_assert_false (inspector_log_export_finish (result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, NULL));
  g_assert_cmpstr (contents, ==, "before\n");
  g_file_delete (file, NULL, NULL);
}

static void
test_offline_connection (void)
{
  g_autoptr(InspectorConnection) connection = inspector_connection_new_offline ("saved.jsonl");
  g_autoptr(GError) error = NULL;

  g_assert_true (inspector_connection_get_offline (connection));
  g_assert_cmpstr (inspector_connection_get_label (connection), ==, "saved.jsonl");
  g_assert_cmpint (inspector_connection_get_state (connection), ==, METERED_CLIENT_STATE_CLOSED);

  /* Starting does nothing; subscribing is refused. */
  inspector_connection_start (connection);
  g_assert_false (inspector_connection_subscribe (connection, "demo/chat", FALSE, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (g_list_model_get_n_items (inspector_connection_get_channels (connection)), ==, 0);
}


static gboolean
not_exporting (gpointer data)
{
  return !inspector_log_view_get_exporting (data);
}

/* The log view's export: a progress bar while the worker writes, then
 * the outcome in words. Needs a display. */
static void
test_view_export (void)
{
  g_autoptr(InspectorConnection) offline = inspector_connection_new_offline ("view.jsonl");
  InspectorLogStore *store = inspector_connection_get_log (offline);
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  GtkWidget *window = gtk_window_new ();
  InspectorLogView *view = g_object_new (INSPECTOR_TYPE_LOG_VIEW, NULL);
  gsize length = 0;
  guint lines = 0;

  for (guint i = 0; i < 200000; i++)
    inspector_log_store_append_at (store, T0 + i, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                   "bench/flood", "flood", "{\"seq\":1,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}", -1,
                                   NULL, NULL, NULL);
  inspector_log_store_flush (store);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 600);
  inspector_log_view_set_connection (view, offline);
  gtk_window_present (GTK_WINDOW (window));

  file = g_file_new_tmp ("test-log-io-XXXXXX.jsonl", &io, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (io), NULL, NULL);

  inspector_log_view_export (view, file, INSPECTOR_LOG_FORMAT_JSON_LINES);
  g_assert_true (inspector_log_view_get_exporting (view));
  g_assert_true (inspector_test_wait_until (not_exporting, view));

  g_assert_true (g_file_load_contents (file, NULL, &contents, &length, NULL, &error));
  for (gsize i = 0; i < length; i++)
    lines += contents[i] == '\n';
  g_assert_cmpuint (lines, ==, 200000);

  g_file_delete (file, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             gboolean (*matches) (GtkWidget *widget))
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && matches (root))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, matches);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_subscribe_entry (GtkWidget *widget)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  return tooltip != NULL && strstr (tooltip, "subscribe") != NULL;
}

static gboolean
is_state_label (GtkWidget *widget)
{
  return g_str_equal (gtk_label_get_label (GTK_LABEL (widget)), "Imported log");
}

/* An imported log's tab says what it is and offers no subscribing. */
static void
test_offline_widgets (void)
{
  g_autoptr(InspectorConnection) offline = inspector_connection_new_offline ("widgets.jsonl");
  InspectorChannelsPane *pane = g_object_ref_sink (g_object_new (INSPECTOR_TYPE_CHANNELS_PANE, NULL));
  InspectorConnectionHeader *header = g_object_ref_sink (g_object_new (INSPECTOR_TYPE_CONNECTION_HEADER, NULL));
  GtkWidget *entry = find_widget (GTK_WIDGET (pane), GTK_TYPE_ENTRY, is_subscribe_entry);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "demo/chat");
  g_assert_true (gtk_widget_get_sensitive (entry));

  inspector_channels_pane_set_connection (pane, offline);
  g_assert_false (gtk_widget_get_sensitive (entry));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  inspector_channels_pane_focus_entry (pane);
  g_assert_false (gtk_widget_has_focus (entry));
  g_assert_cmpuint (g_list_model_get_n_items (inspector_connection_get_channels (offline)), ==, 0);

  inspector_channels_pane_set_connection (pane, NULL);
  g_assert_true (gtk_widget_get_sensitive (entry));

  g_assert_null (find_widget (GTK_WIDGET (header), GTK_TYPE_LABEL, is_state_label));
  inspector_connection_header_set_connection (header, offline);
  g_assert_nonnull (find_widget (GTK_WIDGET (header), GTK_TYPE_LABEL, is_state_label));

  g_object_unref (pane);
  g_object_unref (header);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  inspector_test_init (&argc, &argv);

  g_test_add_func ("/inspector/log-io/export-jsonl", test_export_jsonl_golden);
  g_test_add_func ("/inspector/log-io/export-csv", test_export_csv_golden);
  g_test_add_func ("/inspector/log-io/export-filtered", test_export_filtered);
  g_test_add_func ("/inspector/log-io/export-cancelled", test_export_cancelled);
  g_test_add_func ("/inspector/log-io/import-round-trip", test_import_round_trip);
  g_test_add_func ("/inspector/log-io/import-bad-lines", test_import_bad_lines);
  g_test_add_func ("/inspector/log-io/import-missing-file", test_import_missing_file);
  g_test_add_func ("/inspector/log-io/offline-connection", test_offline_connection);

  /* Without a display the widget test is left out. */
  if (gtk_init_check ())
    {
      adw_init ();
      g_test_add_func ("/inspector/log-io/view-export", test_view_export);
      g_test_add_func ("/inspector/log-io/offline-widgets", test_offline_widgets);
    }

  return g_test_run ();
}
