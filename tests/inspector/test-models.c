/* test-models.c: the inspector's models, without widgets
 *
 * The log store and its search on their own, then the connection model
 * against an in-process metered-devserver on a loopback port, with a
 * second, plain MeteredClient as the other peer.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-models"

#include <string.h>

#include <metered.h>
#include "metered-client-private.h"
#include "metered-dev-server.h"

#include "inspector-connection.h"
#include "inspector-error.h"
#include "inspector-json.h"
#include "inspector-log-entry.h"
#include "inspector-log-filter.h"
#include "inspector-log-filter-model.h"
#include "inspector-log-store-private.h"
#include "inspector-channel-node.h"

#include "inspector-test-util.h"

#define DEV_API_KEY   "pk_live_dev"
#define DEV_KEY_ID    "sk_id_dev"
#define DEV_SECRET    "sk_secret_dev"

/* Log store. */

typedef struct {
  guint n_signals;
  guint last_position;
  guint last_removed;
  guint last_added;
  guint n_items;      /* after the last signal */
  gboolean known;
} ItemsChanged;

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *changes)
{
  /* The model already is as the change says, as GTK's views expect. */
  g_assert_cmpuint (position + added, <=, g_list_model_get_n_items (model));
  if (changes->known)
    g_assert_cmpuint (changes->n_items - removed + added, ==, g_list_model_get_n_items (model));
  changes->n_items = g_list_model_get_n_items (model);
  changes->known = TRUE;
  changes->n_signals++;
  changes->last_position = position;
  changes->last_removed = removed;
  changes->last_added = added;
}

static void
count_notify (guint *count)
{
  (*count)++;
}

static void
test_log_store_batches (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogEntry) entry = NULL;
  ItemsChanged changes = { 0 };
  g_autofree char *preview = NULL;
  g_autofree char *text = NULL;
  guint n_notifies = 0;
  guint64 seq;

  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), &changes);

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"n\":%u}", i);
      g_autofree char *frame = g_strdup_printf ("{\"type\":\"message\",\"channel\":\"c\",\"from\":\"p\",\"data\":%s}", payload);

      inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "c", "p", payload, -1, NULL, NULL, frame);
    }

  /* Nothing is visible before the flush, then all of it at once. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_cmpuint (changes.n_signals, ==, 0);

  inspector_test_spin (50);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpuint (changes.last_position, ==, 0);
  g_assert_cmpuint (changes.last_added, ==, 10000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 10000);

  entry = g_list_model_get_item (G_LIST_MODEL (store), 4321);
  g_assert_nonnull (entry);
  g_assert_cmpstr (inspector_log_entry_get_kind_name (entry), ==, "message");
  g_assert_cmpstr (inspector_log_entry_get_channel (entry), ==, "c");
  g_assert_cmpstr (inspector_log_entry_get_peer (entry), ==, "p");
  text = inspector_log_entry_dup_text (entry);
  g_assert_cmpstr (text, ==, "{\"n\":4321}");
  g_assert_cmpuint (inspector_log_entry_get_size (entry), ==, strlen ("{\"n\":4321}"));
  g_assert_true (g_str_has_prefix (inspector_log_entry_get_frame (entry), "{\"type\":\"message\""));
  preview = inspector_log_entry_dup_preview (entry);
  g_assert_cmpstr (preview, ==, "{\"n\":4321}");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (store), 10000));

  /* A request's outcome updates its row in place. */
  seq = inspector_log_store_append (store, INSPECTOR_LOG_KIND_PUBLISH, "c", NULL, "{}", -1, NULL, NULL, NULL);
  inspector_log_store_set_status (store, seq, INSPECTOR_LOG_STATUS_PENDING, 0, NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (inspector_log_store_get_position (store, seq), ==, 10000);
  changes.n_signals = 0;
  g_clear_object (&entry);
  entry = g_list_model_get_item (G_LIST_MODEL (store), 10000);
  g_signal_connect_swapped (entry, "notify::preview", G_CALLBACK (count_notify), &n_notifies);
  inspector_log_store_set_status (store, seq, INSPECTOR_LOG_STATUS_ACKED, 2500, NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpuint (n_notifies, ==, 1);
  /* The same object while it is held: selections keep their row. */
  {
    g_autoptr(InspectorLogEntry) again = g_list_model_get_item (G_LIST_MODEL (store), 10000);

    g_assert_true (again == entry);
  }
  g_assert_cmpuint (changes.last_position, ==, 10000);
  g_assert_cmpuint (changes.last_removed, ==, 1);
  g_assert_cmpuint (changes.last_added, ==, 1);
  g_clear_object (&entry);
  g_clear_pointer (&preview, g_free);
  entry = g_list_model_get_item (G_LIST_MODEL (store), 10000);
  g_assert_cmpint (inspector_log_entry_get_status (entry), ==, INSPECTOR_LOG_STATUS_ACKED);
  preview = inspector_log_entry_dup_preview (entry);
  g_assert_cmpstr (preview, ==, "acked in 2.5 ms · {}");

  /* Clearing keeps handed-out rows readable. */
  inspector_log_store_clear (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_cmpstr (inspector_log_entry_get_channel (entry), ==, "c");
  g_assert_cmpuint (inspector_log_store_get_position (store, seq), ==, G_MAXUINT);
}

static void
test_log_store_pause_and_retention (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogEntry) first = NULL;
  ItemsChanged changes = { 0 };

  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), &changes);

  inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "one", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  inspector_log_store_set_paused (store, TRUE);
  inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "two", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_cmpuint (inspector_log_store_get_n_held (store), ==, 1);

  inspector_log_store_set_paused (store, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_cmpuint (inspector_log_store_get_n_held (store), ==, 0);

  /* Retention drops the oldest rows, down to 10% below a cap this small
   * (the least of 10,000 rows a drop takes, held to a tenth of the cap),
   * and says so. */
  inspector_log_store_set_max_entries (store, 5000);
  for (guint i = 0; i < 20000; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "x", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4500);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store) + g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 20002);

  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpuint (inspector_log_entry_get_seq (first), ==, inspector_log_store_get_n_dropped (store));
}

/* The scale a busy inspector reaches: a million retained rows, shown with
 * one model change. */
static void
test_log_store_million (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogEntry) last = NULL;
  ItemsChanged changes = { 0 };
  gint64 start;

  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), &changes);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES; i++)
    {
      char frame[128];
      const char *payload;

      g_snprintf (frame, sizeof frame,
                  "{\"type\":\"message\",\"channel\":\"demo/sensors/%u\",\"from\":\"s%u\",\"data\":{\"seq\":%u}}",
                  i % 8, i % 8, i);
      payload = strstr (frame, "{\"seq\"");
      inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "demo/sensors/1", "s1",
                                  payload, strlen (payload) - 1, NULL, NULL, frame);
    }
  inspector_log_store_flush (store);
  g_test_message ("appended %u rows in %.0f ms", INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES,
                  (g_get_monotonic_time () - start) / 1000.0);

  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 0);

  last = g_list_model_get_item (G_LIST_MODEL (store), INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES - 1);
  {
    g_autofree char *text = inspector_log_entry_dup_text (last);
    g_autofree char *expected = g_strdup_printf ("{\"seq\":%u}", INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES - 1);

    g_assert_cmpstr (text, ==, expected);
  }
}

static InspectorLogEntry *
make_entry (InspectorLogStore *store,
            InspectorLogKind   kind,
            const char        *channel,
            const char        *peer,
            const char        *text)
{
  inspector_log_store_append (store, kind, channel, peer, text, -1, NULL, NULL, NULL);
  inspector_log_store_flush (store);

  return g_list_model_get_item (G_LIST_MODEL (store), g_list_model_get_n_items (G_LIST_MODEL (store)) - 1);
}

static void
test_log_filter (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogFilter) filter = inspector_log_filter_new ();
  g_autoptr(InspectorLogEntry) chat = make_entry (store, INSPECTOR_LOG_KIND_MESSAGE, "demo/chat", "Ada-1", "{\"text\":\"Hello World\"}");
  g_autoptr(InspectorLogEntry) sensor = make_entry (store, INSPECTOR_LOG_KIND_MESSAGE, "demo/sensors/1", "s1", "{\"temperature\":21.5}");
  g_autoptr(InspectorLogEntry) direct = make_entry (store, INSPECTOR_LOG_KIND_DIRECT, NULL, "echo", "{\"ping\":1}");
  GtkFilter *f = GTK_FILTER (filter);

  g_assert_cmpint (gtk_filter_get_strictness (f), ==, GTK_FILTER_MATCH_ALL);

  inspector_log_filter_set_search (filter, "hello");
  g_assert_true (gtk_filter_match (f, chat));
  g_assert_false (gtk_filter_match (f, sensor));

  inspector_log_filter_set_search (filter, "kind:dir");
  g_assert_false (gtk_filter_match (f, chat));
  g_assert_true (gtk_filter_match (f, direct));

  inspector_log_filter_set_search (filter, "channel:SENSORS temperature");
  g_assert_false (gtk_filter_match (f, chat));
  g_assert_true (gtk_filter_match (f, sensor));

  inspector_log_filter_set_search (filter, "peer:ada");
  g_assert_true (gtk_filter_match (f, chat));
  g_assert_false (gtk_filter_match (f, direct));

  inspector_log_filter_set_search (filter, "kind:message kind:direct");
  g_assert_true (gtk_filter_match (f, chat));
  g_assert_true (gtk_filter_match (f, direct));

  inspector_log_filter_set_search (filter, "channel:");
  g_assert_cmpint (gtk_filter_get_strictness (f), ==, GTK_FILTER_MATCH_ALL);
}


/* Retention by count waits for the log to go over the cap, then drops the
 * oldest rows down to 10% below it (a drop takes at least 10,000 rows, but
 * never more than a tenth of the cap), and counts them exactly. */
static void
test_log_store_retention_exact (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogEntry) first = NULL;
  g_autoptr(InspectorLogEntry) kept = NULL;
  ItemsChanged changes = { 0 };
  guint n_dropped_notifies = 0;

  inspector_log_store_set_retention (store, 100, INSPECTOR_LOG_STORE_DEFAULT_MAX_BYTES);
  g_assert_cmpuint (inspector_log_store_get_max_entries (store), ==, 100);
  g_signal_connect_swapped (store, "notify::n-dropped", G_CALLBACK (count_notify), &n_dropped_notifies);

  for (guint i = 0; i < 100; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "x", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 100);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 0);

  /* A row held across the drop stays the same object at its new place. */
  kept = g_list_model_get_item (G_LIST_MODEL (store), 50);
  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), &changes);

  for (guint i = 0; i < 37; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "y", NULL);
  inspector_log_store_flush (store);

  /* 137 rows: down to 90. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 90);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 47);
  g_assert_cmpuint (n_dropped_notifies, ==, 1);
  /* Removal at the front, then the new rows at the end. */
  g_assert_cmpuint (changes.n_signals, ==, 2);
  g_assert_cmpuint (changes.last_position, ==, 53);
  g_assert_cmpuint (changes.last_added, ==, 37);
  g_assert_cmpuint (inspector_log_store_get_position (store, inspector_log_entry_get_seq (kept)), ==, 50 - 47);
  {
    g_autoptr(InspectorLogEntry) again = g_list_model_get_item (G_LIST_MODEL (store), 50 - 47);

    g_assert_true (again == kept);
  }

  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpuint (inspector_log_entry_get_seq (first), ==, 47);

  /* Up to the cap nothing goes; one row over, the front goes again. */
  changes.n_signals = 0;
  for (guint i = 0; i < 10; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "y", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 100);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 47);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "y", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 90);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 58);
  g_assert_cmpuint (n_dropped_notifies, ==, 2);

  /* Across a segment boundary too. */
  for (guint i = 0; i < 10000; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "z", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 90);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 10058);
  g_clear_object (&first);
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpuint (inspector_log_entry_get_seq (first), ==, 10058);
  g_assert_cmpstr (inspector_log_entry_get_note (first), ==, "z");
}

/* Retention by bytes: payloads, frames and notes plus the row itself. */
static void
test_log_store_retention_bytes (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autofree char *payload = g_strnfill (99, 'p');
  guint64 row_bytes;

  inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "c", "p", payload, -1, NULL, NULL, NULL);
  inspector_log_store_flush (store);
  row_bytes = inspector_log_store_get_n_bytes (store);
  g_assert_cmpuint (row_bytes, ==, sizeof (InspectorLogRecord) + 100);

  /* Room for exactly ten such rows; once over, down by a tenth (10,000
   * rows' worth is more than a tenth of so small a cap): nine. */
  inspector_log_store_set_retention (store, INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES, 10 * row_bytes);
  for (guint i = 0; i < 9; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "c", "p", payload, -1, NULL, NULL, NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 10);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 0);

  for (guint i = 0; i < 15; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "c", "p", payload, -1, NULL, NULL, NULL);
  inspector_log_store_flush (store);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 9);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 16);
  g_assert_cmpuint (inspector_log_store_get_n_bytes (store), ==, 9 * row_bytes);
  g_assert_cmpuint (inspector_log_store_get_max_bytes (store), ==, 10 * row_bytes);

  /* Payloads inside their frame are stored, and counted, once. */
  inspector_log_store_clear (store);
  g_assert_cmpuint (inspector_log_store_get_n_bytes (store), ==, 0);
  inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "c", "p", "{\"a\":1}", -1, NULL, NULL,
                              "{\"type\":\"message\",\"data\":{\"a\":1}}");
  inspector_log_store_flush (store);
  g_assert_cmpuint (inspector_log_store_get_n_bytes (store), ==,
                    sizeof (InspectorLogRecord) + strlen ("{\"type\":\"message\",\"data\":{\"a\":1}}") + 1);
}

static guint64
entry_seq_at (GListModel *model,
              guint       position)
{
  g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (model, position);

  return entry != NULL ? inspector_log_entry_get_seq (entry) : G_MAXUINT64;
}

/* The search model: worker-thread search, live rows, drops. */
static void
test_log_filter_model (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogFilter) filter = inspector_log_filter_new ();
  g_autoptr(InspectorLogFilterModel) model = inspector_log_filter_model_new (filter);
  ItemsChanged changes = { 0 };
  guint n_resets = 0;

  inspector_log_store_set_max_entries (store, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"n\":%u,\"tag\":\"%s\"}", i, i % 10 == 0 ? "Ten" : "other");

      inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, i % 2 ? "odd/a" : "even/b", "p", payload, -1, NULL, NULL, NULL);
    }
  inspector_log_store_flush (store);

  inspector_log_filter_model_set_store (model, store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1000);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_signal_connect_swapped (model, "resetting", G_CALLBACK (count_notify), &n_resets);

  inspector_log_filter_set_search (filter, "tag\":\"ten");
  g_assert_true (inspector_log_filter_model_get_pending (model));
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));
  g_assert_cmpuint (n_resets, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100);
  g_assert_cmpuint (entry_seq_at (G_LIST_MODEL (model), 3), ==, 30);
  g_assert_cmpuint (inspector_log_filter_model_find_seq (model, 30), ==, 3);
  g_assert_cmpuint (inspector_log_filter_model_find_seq (model, 31), ==, G_MAXUINT);

  /* New rows are matched as they are shown; old ones go with retention,
   * 1100 rows down to 900 (a drop takes a tenth of a cap this small):
   * seqs 200 to 1099. */
  changes.n_signals = 0;
  for (guint i = 1000; i < 1100; i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"n\":%u,\"tag\":\"%s\"}", i, i % 10 == 0 ? "TEN" : "other");

      inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "odd/a", "p", payload, -1, NULL, NULL, NULL);
    }
  inspector_log_store_flush (store);
  g_assert_cmpuint (changes.n_signals, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 90);
  g_assert_cmpuint (entry_seq_at (G_LIST_MODEL (model), 0), ==, 200);
  g_assert_cmpuint (entry_seq_at (G_LIST_MODEL (model), 89), ==, 1090);

  /* Column words, alone. */
  inspector_log_filter_set_search (filter, "channel:even kind:mess");
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 400);

  /* An empty search shows everything again, at once. */
  inspector_log_filter_set_search (filter, "");
  g_assert_false (inspector_log_filter_model_get_pending (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 900);
}

/* A million rows: the search answers off the main thread. */
static void
test_log_filter_model_million (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogFilter) filter = inspector_log_filter_new ();
  g_autoptr(InspectorLogFilterModel) model = inspector_log_filter_model_new (filter);
  g_autofree char *pad = g_strnfill (150, 'x');
  gint64 start;

  for (guint i = 0; i < INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES; i++)
    {
      char frame[512];
      const char *payload;

      g_snprintf (frame, sizeof frame,
                  "{\"type\":\"message\",\"channel\":\"bench/flood\",\"from\":\"flood\",\"data\":{\"seq\":%u,\"pad\":\"%s\"}}",
                  i, pad);
      payload = strstr (frame, "{\"seq\"");
      inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "bench/flood", "flood",
                                  payload, strlen (payload) - 1, NULL, NULL, frame);
    }
  inspector_log_store_flush (store);
  inspector_log_filter_model_set_store (model, store);

  start = g_get_monotonic_time ();
  inspector_log_filter_set_search (filter, "\"seq\":777777,");
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));
  g_test_message ("one match in a million rows: %.1f ms (model says %.1f ms)",
                  (g_get_monotonic_time () - start) / 1000.0,
                  inspector_log_filter_model_get_last_search_time (model) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpuint (entry_seq_at (G_LIST_MODEL (model), 0), ==, 777777);

  start = g_get_monotonic_time ();
  inspector_log_filter_set_search (filter, "PAD");
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));
  g_test_message ("every row of a million: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES);
}


/* What the log view stacks: a selection over the search model over the
 * store. The selected row stays selected while rows arrive and old ones
 * are dropped. */
static void
test_log_selection_stable (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogFilter) filter = inspector_log_filter_new ();
  g_autoptr(InspectorLogFilterModel) model = inspector_log_filter_model_new (filter);
  g_autoptr(GtkSingleSelection) selection = NULL;
  g_autoptr(InspectorLogEntry) selected = NULL;

  inspector_log_store_set_max_entries (store, 200);
  inspector_log_filter_model_set_store (model, store);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (model)));
  gtk_single_selection_set_autoselect (selection, FALSE);

  for (guint i = 0; i < 200; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, i % 2 ? "odd" : "even", NULL);
  inspector_log_store_flush (store);

  gtk_single_selection_set_selected (selection, 180);
  selected = g_object_ref (gtk_single_selection_get_selected_item (selection));
  g_assert_cmpuint (inspector_log_entry_get_seq (selected), ==, 180);

  /* 120 new rows push 140 old ones out (down to 10% below a cap this
   * small); the selection moves with its row. */
  for (guint i = 0; i < 120; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "new", NULL);
  inspector_log_store_flush (store);
  g_assert_true (gtk_single_selection_get_selected_item (selection) == selected);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 40);

  /* The same through a search. */
  inspector_log_filter_set_search (filter, "even");
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 30);
  gtk_single_selection_set_selected (selection, inspector_log_filter_model_find_seq (model, 180));
  g_assert_true (gtk_single_selection_get_selected_item (selection) == selected);
  /* Rows 140 to 169 go; 180 stays. */
  for (guint i = 0; i < 30; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "even later", NULL);
  inspector_log_store_flush (store);
  g_assert_true (gtk_single_selection_get_selected_item (selection) == selected);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 170);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, inspector_log_filter_model_find_seq (model, 180));
}

/* A cap below a few million rows would lose its 1% every few frames in a
 * flood, and each drop costs the list view a relayout: a drop takes at
 * least 10,000 rows, by count and by bytes, held to a tenth of the cap. */
static void
test_log_store_retention_chunk (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogEntry) first = NULL;
  guint64 row_bytes;
  guint64 n_dropped;

  inspector_log_store_set_max_entries (store, 200000);
  for (guint i = 0; i < 200001; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "x", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 190000);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store), ==, 10001);
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpuint (inspector_log_entry_get_seq (first), ==, 10001);

  /* The same cap in bytes: 10,000 rows' worth goes. */
  row_bytes = inspector_log_store_get_n_bytes (store) / 190000;
  inspector_log_store_clear (store);
  n_dropped = inspector_log_store_get_n_dropped (store);
  inspector_log_store_set_retention (store, INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES, 200000 * row_bytes);
  for (guint i = 0; i < 200001; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_STATE, NULL, NULL, NULL, -1, NULL, "x", NULL);
  inspector_log_store_flush (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 190000);
  g_assert_cmpuint (inspector_log_store_get_n_bytes (store), ==, 190000 * row_bytes);
  g_assert_cmpuint (inspector_log_store_get_n_dropped (store) - n_dropped, ==, 10001);
}

static void
test_channel_tree (void)
{
  g_autoptr(GListStore) channels = g_list_store_new (INSPECTOR_TYPE_CHANNEL);
  g_autoptr(InspectorChannelNode) root = NULL;
  g_autoptr(InspectorChannelNode) sensors = NULL;
  g_autoptr(InspectorChannelNode) one = NULL;
  const char * const names[] = { "sensors/2", "chat", "sensors/1", "sensors", "sensors/1/raw" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(InspectorChannel) channel = inspector_channel_new (names[i], FALSE);

      for (guint j = 0; j <= i; j++)
        inspector_channel_count_message (channel);
      inspector_channel_update_stats (channel, G_USEC_PER_SEC);
      g_list_store_append (channels, channel);
    }

  root = inspector_channel_node_build_tree (G_LIST_MODEL (channels));
  g_assert_cmpuint (g_list_model_get_n_items (inspector_channel_node_get_children (root)), ==, 2);
  g_assert_cmpuint (inspector_channel_node_get_message_count (root), ==, 1 + 2 + 3 + 4 + 5);

  sensors = g_list_model_get_item (inspector_channel_node_get_children (root), 1);
  g_assert_cmpstr (inspector_channel_node_get_label (sensors), ==, "sensors");
  g_assert_cmpstr (inspector_channel_get_name (inspector_channel_node_get_channel (sensors)), ==, "sensors");
  g_assert_cmpuint (inspector_channel_node_get_message_count (sensors), ==, 1 + 3 + 4 + 5);

  one = g_list_model_get_item (inspector_channel_node_get_children (sensors), 0);
  g_assert_cmpstr (inspector_channel_node_get_path (one), ==, "sensors/1");
  g_assert_cmpuint (inspector_channel_node_get_message_count (one), ==, 3 + 5);
  g_assert_cmpuint (g_list_model_get_n_items (inspector_channel_node_get_children (one)), ==, 1);
}

static void
test_timestamp_formats (void)
{
  /* 2026-11-29 08:35:18.123456 UTC */
  gint64 time = G_GINT64_CONSTANT (1795941318123456);
  g_autofree char *relative = inspector_log_format_time (time, INSPECTOR_TIMESTAMP_RELATIVE, time - 12345678);
  g_autofree char *iso = NULL;
  g_autofree char *ms = NULL;
  g_autofree char *seconds = NULL;

  iso = inspector_log_format_time (time, INSPECTOR_TIMESTAMP_ISO8601, 0);
  ms = inspector_log_format_time (time, INSPECTOR_TIMESTAMP_TIME_MS, 0);
  seconds = inspector_log_format_time (time, INSPECTOR_TIMESTAMP_TIME, 0);

  g_assert_cmpstr (relative, ==, "+12.345 s");
  g_assert_true (g_str_has_suffix (ms, ":18.123"));
  g_assert_true (g_str_has_suffix (seconds, ":18"));
  g_assert_true (strstr (iso, ":18.123456") != NULL);
}

/* Connection model. */

typedef struct {
  MeteredDevServer    *server;
  InspectorConnection *connection;
  MeteredClient       *other;
  GPtrArray           *notices;
} Fixture;

static void
on_notice (InspectorConnection *connection,
           const char          *message,
           gboolean             persistent,
           Fixture             *fixture)
{
  g_ptr_array_add (fixture->notices, g_strdup (message));
}

static InspectorConnectOptions *
signed_options (const char *subject)
{
  InspectorConnectOptions *options = inspector_connect_options_new (INSPECTOR_AUTH_SIGNED_TOKEN);

  options->key_id = g_strdup (DEV_KEY_ID);
  options->secret = g_strdup (DEV_SECRET);
  options->subject = g_strdup (subject);
  options->peer_metadata = g_strdup ("{\"name\":\"Inspector Test\"}");
  options->reconnect.initial_delay = 0.05;
  options->reconnect.max_delay = 0.2;

  return options;
}

static void
fixture_set_up (Fixture                 *fixture,
                InspectorConnectOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  fixture->notices = g_ptr_array_new_with_free_func (g_free);
  fixture->server = metered_dev_server_new (NULL);
  g_assert_true (metered_dev_server_listen (fixture->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  url = metered_dev_server_dup_url (fixture->server);
  g_free (options->url);
  options->url = g_strdup (url);

  fixture->connection = inspector_connection_new (options);
  g_signal_connect (fixture->connection, "notice", G_CALLBACK (on_notice), fixture);
}

static void
fixture_start (Fixture *fixture)
{
  inspector_connection_start (fixture->connection);
  g_assert_true (inspector_test_wait_until (inspector_test_is_connected, fixture->connection));
}

static void
on_other_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (metered_client_connect_finish (METERED_CLIENT (source), result, NULL));
  *done = TRUE;
}

static void
on_other_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (g_task_propagate_boolean (G_TASK (result), NULL));
  *done = TRUE;
}

static void
fixture_connect_other (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = metered_dev_server_dup_url (fixture->server);
  gboolean done = FALSE;

  fixture->other = metered_client_new (DEV_API_KEY, url, &error);
  g_assert_no_error (error);
  metered_client_connect_async (fixture->other, NULL, on_other_connected, &done);
  g_assert_true (inspector_test_wait_until (inspector_test_is_true, &done));
}

static void
other_subscribe (Fixture    *fixture,
                 const char *channel)
{
  gboolean done = FALSE;

  metered_client_subscribe_async (fixture->other, channel, METERED_SUBSCRIBE_FLAGS_NONE, NULL, on_other_done, &done);
  g_assert_true (inspector_test_wait_until (inspector_test_is_true, &done));
}

static void
fixture_tear_down (Fixture *fixture)
{
  g_clear_object (&fixture->other);
  g_clear_object (&fixture->connection);
  inspector_test_spin (20);
  g_clear_object (&fixture->server);
  g_clear_pointer (&fixture->notices, g_ptr_array_unref);
}

typedef struct {
  Fixture          *fixture;
  InspectorLogKind  kind;
  const char       *needle;    /* nullable: in the note or text */
  InspectorLogStatus status;   /* NONE: any */
} RowQuery;

static InspectorLogEntry *
find_row (Fixture          *fixture,
          InspectorLogKind  kind,
          const char       *needle,
          InspectorLogStatus status)
{
  InspectorLogStore *log = inspector_connection_get_log (fixture->connection);
  guint n;

  inspector_log_store_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *text = inspector_log_entry_dup_text (entry);
      const char *note = inspector_log_entry_get_note (entry);

      if (inspector_log_entry_get_kind (entry) != kind)
        continue;
      if (status != INSPECTOR_LOG_STATUS_NONE && inspector_log_entry_get_status (entry) != status)
        continue;
      if (needle != NULL &&
          (text == NULL || strstr (text, needle) == NULL) &&
          (note == NULL || strstr (note, needle) == NULL) &&
          g_strcmp0 (inspector_log_entry_get_channel (entry), needle) != 0)
        continue;

      return g_steal_pointer (&entry);
    }

  return NULL;
}

static gboolean
row_exists (gpointer data)
{
  RowQuery *query = data;
  g_autoptr(InspectorLogEntry) entry = find_row (query->fixture, query->kind, query->needle, query->status);

  return entry != NULL;
}

static InspectorLogEntry *
wait_for_row (Fixture            *fixture,
              InspectorLogKind    kind,
              const char         *needle,
              InspectorLogStatus  status)
{
  RowQuery query = { fixture, kind, needle, status };

  if (!inspector_test_wait_until (row_exists, &query))
    g_error ("no %s row matching “%s” appeared", inspector_log_kind_to_string (kind), needle ? needle : "");

  return find_row (fixture, kind, needle, status);
}

typedef struct {
  InspectorConnection   *connection;
  const char            *channel;
  InspectorChannelState  state;
  guint                  n_peers;
} ChannelQuery;

static gboolean
channel_matches (gpointer data)
{
  ChannelQuery *query = data;
  InspectorChannel *channel = inspector_connection_find_channel (query->connection, query->channel);

  return channel != NULL &&
         inspector_channel_get_state (channel) == query->state &&
         inspector_channel_get_n_peers (channel) == query->n_peers;
}

static void
wait_for_channel (Fixture               *fixture,
                  const char            *name,
                  InspectorChannelState  state,
                  guint                  n_peers)
{
  ChannelQuery query = { fixture->connection, name, state, n_peers };

  if (!inspector_test_wait_until (channel_matches, &query))
    {
      InspectorChannel *channel = inspector_connection_find_channel (fixture->connection, name);

      g_error ("channel %s: state %d with %u peers, expected %d with %u", name,
               channel ? (int) inspector_channel_get_state (channel) : -1,
               channel ? inspector_channel_get_n_peers (channel) : 0, state, n_peers);
    }
}

static void
assert_no_secret_in_log (Fixture    *fixture,
                         const char *secret)
{
  InspectorLogStore *log = inspector_connection_get_log (fixture->connection);
  guint n;

  inspector_log_store_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  g_assert_cmpuint (n, >, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *text = inspector_log_entry_dup_text (entry);
      g_autofree char *preview = inspector_log_entry_dup_preview (entry);

      g_assert_null (text != NULL ? strstr (text, secret) : NULL);
      g_assert_null (strstr (preview, secret));
      g_assert_null (inspector_log_entry_get_note (entry) ? strstr (inspector_log_entry_get_note (entry), secret) : NULL);
      g_assert_null (inspector_log_entry_get_frame (entry) ? strstr (inspector_log_entry_get_frame (entry), secret) : NULL);
    }

  for (guint i = 0; i < fixture->notices->len; i++)
    g_assert_null (strstr (g_ptr_array_index (fixture->notices, i), secret));

  g_assert_null (strstr (inspector_connection_get_label (fixture->connection), secret));
}

static void
test_connection_subscribe_and_presence (void)
{
  g_autoptr(InspectorConnectOptions) options = signed_options ("inspector-test");
  g_autoptr(InspectorLogEntry) row = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  InspectorChannel *channel;
  g_autoptr(InspectorPeer) peer = NULL;
  gboolean done = FALSE;

  options->subscribe = g_strsplit ("room/early", ",", -1);
  fixture_set_up (&fixture, options);

  /* Someone is there before us: the snapshot lists them. */
  fixture_connect_other (&fixture);
  other_subscribe (&fixture, "room/early");

  fixture_start (&fixture);
  g_assert_cmpstr (inspector_connection_get_peer_id (fixture.connection), ==, "inspector-test");
  g_assert_cmpint (inspector_connection_get_max_message_size (fixture.connection), ==, 65536);
  g_assert_cmpint (ABS (inspector_connection_get_clock_skew (fixture.connection)), <=, 1);
  g_assert_cmpint (inspector_connection_get_expires_at (fixture.connection), >, g_get_real_time () / G_USEC_PER_SEC);

  wait_for_channel (&fixture, "room/early", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 1);
  channel = inspector_connection_find_channel (fixture.connection, "room/early");
  peer = g_list_model_get_item (inspector_channel_get_roster (channel), 0);
  g_assert_cmpstr (inspector_peer_get_peer_id (peer), ==, metered_client_get_peer_id (fixture.other));
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_SUBSCRIBE, "room/early", INSPECTOR_LOG_STATUS_ACKED);
  g_assert_cmpstr (inspector_log_entry_get_channel (row), ==, "room/early");
  g_clear_object (&row);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_PRESENCE, "Snapshot: 1 peer", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_WELCOME, "inspector-test", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_STATE, "Connected", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);

  /* Subscribing through the model: validation first. */
  g_assert_false (inspector_connection_subscribe (fixture.connection, "", FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (inspector_connection_subscribe (fixture.connection, "_metered/x", FALSE, &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  g_clear_error (&error);
  g_assert_false (inspector_connection_subscribe (fixture.connection, "room/early", FALSE, &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_DUPLICATE);
  g_clear_error (&error);

  g_assert_true (inspector_connection_subscribe (fixture.connection, "room/late", TRUE, &error));
  g_assert_no_error (error);
  wait_for_channel (&fixture, "room/late", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 0);
  g_assert_cmpuint (g_list_model_get_n_items (inspector_connection_get_channels (fixture.connection)), ==, 2);

  /* Deltas: the other peer joins, then leaves. */
  other_subscribe (&fixture, "room/late");
  wait_for_channel (&fixture, "room/late", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 1);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_PRESENCE, "Joined: ", INSPECTOR_LOG_STATUS_NONE);
  g_assert_cmpstr (inspector_log_entry_get_peer (row), ==, metered_client_get_peer_id (fixture.other));
  g_clear_object (&row);

  metered_client_unsubscribe_async (fixture.other, "room/late", NULL, on_other_done, &done);
  g_assert_true (inspector_test_wait_until (inspector_test_is_true, &done));
  wait_for_channel (&fixture, "room/late", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 0);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_PRESENCE, "Left: ", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);

  /* Unsubscribing removes the channel and logs the request. */
  inspector_connection_unsubscribe (fixture.connection, "room/late");
  g_assert_null (inspector_connection_find_channel (fixture.connection, "room/late"));
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_UNSUBSCRIBE, NULL, INSPECTOR_LOG_STATUS_ACKED);
  g_clear_object (&row);

  assert_no_secret_in_log (&fixture, DEV_SECRET);
  fixture_tear_down (&fixture);
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  gint64    rtt;
  GError   *error;
} Outcome;

static void
on_payload_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = inspector_connection_publish_finish (INSPECTOR_CONNECTION (source), result,
                                                     &outcome->rtt, &outcome->error);
  outcome->done = TRUE;
}

static void
publish (Fixture    *fixture,
         const char *channel,
         const char *json,
         Outcome    *outcome)
{
  g_clear_error (&outcome->error);
  outcome->done = FALSE;
  inspector_connection_publish_async (fixture->connection, channel, json, NULL, on_payload_done, outcome);
  g_assert_true (inspector_test_wait_until (inspector_test_is_true, &outcome->done));
}

static void
send_direct (Fixture    *fixture,
             const char *peer_id,
             const char *json,
             Outcome    *outcome)
{
  g_clear_error (&outcome->error);
  outcome->done = FALSE;
  inspector_connection_send_async (fixture->connection, peer_id, json, NULL, on_payload_done, outcome);
  g_assert_true (inspector_test_wait_until (inspector_test_is_true, &outcome->done));
}

static void
on_other_message (MeteredClient       *client,
                  MeteredMessageEvent *event,
                  char               **received)
{
  g_free (*received);
  *received = g_strdup (metered_message_event_get_data_text (event));
}

static void
test_connection_traffic (void)
{
  g_autoptr(InspectorConnectOptions) options = signed_options ("inspector-test");
  g_autoptr(InspectorLogEntry) row = NULL;
  g_autofree char *received = NULL;
  g_autofree char *big = NULL;
  g_autofree char *text = NULL;
  Fixture fixture = { 0 };
  Outcome outcome = { 0 };
  gboolean done = FALSE;

  options->subscribe = g_strsplit ("room/1", ",", -1);
  fixture_set_up (&fixture, options);
  fixture_start (&fixture);
  wait_for_channel (&fixture, "room/1", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 0);

  fixture_connect_other (&fixture);
  other_subscribe (&fixture, "room/1");
  g_signal_connect (fixture.other, "message", G_CALLBACK (on_other_message), &received);

  /* Incoming message, with its frame and counters. */
  metered_client_publish_text_async (fixture.other, "room/1", "{\"hello\": \"world\"}", NULL, on_other_done, &done);
  g_assert_true (inspector_test_wait_until (inspector_test_is_true, &done));
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_MESSAGE, "hello", INSPECTOR_LOG_STATUS_NONE);
  text = inspector_log_entry_dup_text (row);
  g_assert_cmpstr (text, ==, "{\"hello\":\"world\"}");
  g_assert_cmpstr (inspector_log_entry_get_channel (row), ==, "room/1");
  g_assert_cmpstr (inspector_log_entry_get_peer (row), ==, metered_client_get_peer_id (fixture.other));
  g_assert_nonnull (strstr (inspector_log_entry_get_frame (row), "\"type\":\"message\""));
  g_clear_object (&row);
  g_clear_pointer (&text, g_free);
  inspector_test_spin (300);
  g_assert_cmpuint (inspector_channel_get_message_count (inspector_connection_find_channel (fixture.connection, "room/1")), ==, 1);
  g_assert_cmpuint (inspector_channel_get_unread (inspector_connection_find_channel (fixture.connection, "room/1")), ==, 1);
  inspector_channel_set_active (inspector_connection_find_channel (fixture.connection, "room/1"), TRUE);
  g_assert_cmpuint (inspector_channel_get_unread (inspector_connection_find_channel (fixture.connection, "room/1")), ==, 0);

  /* Incoming direct. */
  done = FALSE;
  metered_client_send_text_async (fixture.other, "inspector-test", "{\"direct\":true}", NULL, on_other_done, &done);
  g_assert_true (inspector_test_wait_until (inspector_test_is_true, &done));
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_DIRECT, "direct", INSPECTOR_LOG_STATUS_NONE);
  g_assert_cmpstr (inspector_log_entry_get_peer (row), ==, metered_client_get_peer_id (fixture.other));
  g_clear_object (&row);

  /* Our own publish: acked, with a round trip, and received. */
  publish (&fixture, "room/1", "{ \"n\": 1 }", &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  g_assert_cmpint (outcome.rtt, >, 0);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_PUBLISH, "{\"n\":1}", INSPECTOR_LOG_STATUS_ACKED);
  g_assert_cmpint (inspector_log_entry_get_rtt (row), >, 0);
  g_assert_nonnull (strstr (inspector_log_entry_get_frame (row), "\"type\":\"publish\""));
  g_clear_object (&row);
  g_assert_true (inspector_test_wait_until (inspector_test_is_set, &received));
  g_assert_cmpstr (received, ==, "{\"n\":1}");

  /* Our own direct. */
  send_direct (&fixture, metered_client_get_peer_id (fixture.other), "[1,2,3]", &outcome);
  g_assert_no_error (outcome.error);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_SEND, "[1,2,3]", INSPECTOR_LOG_STATUS_ACKED);
  g_clear_object (&row);

  /* Each failure, logged in words. */
  send_direct (&fixture, "nobody-here", "{}", &outcome);
  g_assert_error (outcome.error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_PEER_NOT_FOUND);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_SEND, "peer_not_found: ", INSPECTOR_LOG_STATUS_FAILED);
  g_clear_object (&row);

  publish (&fixture, "_metered/secret", "{}", &outcome);
  g_assert_error (outcome.error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_CHANNEL_RESERVED);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_PUBLISH,
                      metered_server_error_describe (METERED_SERVER_ERROR_CHANNEL_RESERVED),
                      INSPECTOR_LOG_STATUS_FAILED);
  g_clear_object (&row);

  publish (&fixture, "room/1", "{not json", &outcome);
  g_assert_error (outcome.error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_PUBLISH, "{not json", INSPECTOR_LOG_STATUS_FAILED);
  g_clear_object (&row);

  big = g_strdup_printf ("\"%0*d\"", 70000, 0);
  publish (&fixture, "room/1", big, &outcome);
  g_assert_error (outcome.error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_OVERSIZED_PAYLOAD);

  /* An error that answers no request reaches the log and a toast. */
  g_assert_cmpuint (metered_dev_server_hook_send_raw (fixture.server, "inspector-test",
                                                       "{\"type\":\"error\",\"code\":\"internal_error\",\"message\":\"boom\"}"), ==, 1);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_SERVER_ERROR, "internal_error", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);
  g_assert_cmpuint (fixture.notices->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture.notices, 0), "internal_error"));

  g_clear_error (&outcome.error);
  assert_no_secret_in_log (&fixture, DEV_SECRET);
  fixture_tear_down (&fixture);
}

static void
test_connection_permissions (void)
{
  g_autoptr(InspectorConnectOptions) options = signed_options ("reader");
  g_autoptr(InspectorLogEntry) row = NULL;
  Fixture fixture = { 0 };
  Outcome outcome = { 0 };

  options->permissions = g_strsplit ("subscribe,presence", ",", -1);
  fixture_set_up (&fixture, options);
  fixture_start (&fixture);

  publish (&fixture, "room/1", "{}", &outcome);
  g_assert_error (outcome.error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_ACTION_NOT_PERMITTED);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_PUBLISH, "action_not_permitted", INSPECTOR_LOG_STATUS_FAILED);
  g_clear_object (&row);

  g_clear_error (&outcome.error);
  fixture_tear_down (&fixture);
}

static void
test_connection_reconnect_restores (void)
{
  g_autoptr(InspectorConnectOptions) options = signed_options ("inspector-test");
  g_autoptr(InspectorLogEntry) row = NULL;
  Fixture fixture = { 0 };

  options->subscribe = g_strsplit ("room/a,room/b", ",", -1);
  fixture_set_up (&fixture, options);
  fixture_start (&fixture);
  wait_for_channel (&fixture, "room/a", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 0);
  wait_for_channel (&fixture, "room/b", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 0);

  g_assert_cmpuint (metered_dev_server_hook_drop (fixture.server, "inspector-test"), ==, 1);

  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_CLOSE, "1006", INSPECTOR_LOG_STATUS_NONE);
  g_assert_nonnull (strstr (inspector_log_entry_get_note (row), metered_close_code_describe (1006)));
  g_clear_object (&row);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_STATE, "Reconnect attempt 1", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);

  wait_for_channel (&fixture, "room/a", INSPECTOR_CHANNEL_STATE_RESTORED, 0);
  wait_for_channel (&fixture, "room/b", INSPECTOR_CHANNEL_STATE_RESTORED, 0);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_WELCOME, "Reconnected", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);
  g_assert_cmpuint (inspector_connection_get_reconnect_attempt (fixture.connection), ==, 0);

  /* "Reconnect now" closes and connects afresh, subscribing again itself. */
  inspector_connection_reconnect (fixture.connection);
  wait_for_channel (&fixture, "room/a", INSPECTOR_CHANNEL_STATE_OFFLINE, 0);
  wait_for_channel (&fixture, "room/a", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 0);
  wait_for_channel (&fixture, "room/b", INSPECTOR_CHANNEL_STATE_SUBSCRIBED, 0);
  g_assert_cmpuint (fixture.notices->len, ==, 0);

  fixture_tear_down (&fixture);
}

static gboolean
has_last_error (gpointer data)
{
  Fixture *fixture = data;

  return inspector_connection_get_last_error (fixture->connection) != NULL;
}

static void
test_connection_close_codes (void)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
  g_autoptr(InspectorLogEntry) row = NULL;
  Fixture fixture = { 0 };
  const char *last_error;

  options->api_key = g_strdup (DEV_API_KEY);
  fixture_set_up (&fixture, options);

  /* Refused before welcome: the failure says what 4012 means. */
  metered_dev_server_hook_reject_connections (fixture.server, METERED_CLOSE_CODE_ACCOUNT_SUSPENDED);
  inspector_connection_start (fixture.connection);
  g_assert_true (inspector_test_wait_until (has_last_error, &fixture));
  last_error = inspector_connection_get_last_error (fixture.connection);
  g_assert_nonnull (strstr (last_error, metered_close_code_describe (METERED_CLOSE_CODE_ACCOUNT_SUSPENDED)));
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_CLOSE, "Could not connect", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);
  g_assert_cmpuint (fixture.notices->len, ==, 1);

  /* Connected, then closed with a terminal code. */
  metered_dev_server_hook_reject_connections (fixture.server, 0);
  inspector_connection_reconnect (fixture.connection);
  g_assert_true (inspector_test_wait_until (inspector_test_is_connected, fixture.connection));
  g_assert_null (inspector_connection_get_last_error (fixture.connection));

  g_assert_cmpuint (metered_dev_server_hook_close (fixture.server, NULL, METERED_CLOSE_CODE_ADMIN_DISCONNECT, "kicked"), ==, 1);
  g_assert_true (inspector_test_wait_until (has_last_error, &fixture));
  last_error = inspector_connection_get_last_error (fixture.connection);
  g_assert_nonnull (strstr (last_error, metered_close_code_describe (METERED_CLOSE_CODE_ADMIN_DISCONNECT)));
  g_assert_nonnull (strstr (last_error, "4020"));
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_CLOSE, "not reconnecting", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);
  g_assert_cmpint (inspector_connection_get_state (fixture.connection), ==, METERED_CLIENT_STATE_CLOSED);

  assert_no_secret_in_log (&fixture, DEV_API_KEY);
  fixture_tear_down (&fixture);
}

static void
on_stopped (MeteredDevServer *server,
            gboolean         *stopped)
{
  *stopped = TRUE;
}

static void
test_connection_going_away (void)
{
  g_autoptr(InspectorConnectOptions) options = signed_options ("inspector-test");
  g_autoptr(InspectorLogEntry) row = NULL;
  Fixture fixture = { 0 };
  gboolean stopped = FALSE;

  fixture_set_up (&fixture, options);
  fixture_start (&fixture);

  g_signal_connect (fixture.server, "stopped", G_CALLBACK (on_stopped), &stopped);
  metered_dev_server_stop (fixture.server, 250);

  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_GOING_AWAY, "shutting down", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_CLOSE, "1001", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);
  g_assert_cmpuint (fixture.notices->len, >=, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture.notices, 0), "shutting down"));
  g_assert_true (inspector_test_wait_until (inspector_test_is_true, &stopped));

  fixture_tear_down (&fixture);
}

/* A pasted token that expires: the server closes with 4002, and the
 * token cannot be refreshed, so the provider fails until the event fires. */
static void
test_connection_token_provider_error (void)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_TOKEN);
  g_autoptr(InspectorConnectOptions) signing = signed_options ("short-lived");
  g_autoptr(InspectorLogEntry) row = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  signing->lifetime = 2;
  options->token = inspector_connect_options_mint_token (signing, now, &error);
  g_assert_no_error (error);
  options->reconnect.initial_delay = 0.05;
  options->reconnect.max_delay = 0.1;

  fixture_set_up (&fixture, options);
  fixture_start (&fixture);

  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_TOKEN_ERROR, "has expired", INSPECTOR_LOG_STATUS_NONE);
  g_assert_nonnull (strstr (inspector_log_entry_get_note (row), "3 times in a row"));
  g_clear_object (&row);
  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_CLOSE, "4002", INSPECTOR_LOG_STATUS_NONE);
  g_clear_object (&row);

  g_assert_cmpuint (fixture.notices->len, >=, 1);
  assert_no_secret_in_log (&fixture, options->token);
  fixture_tear_down (&fixture);
}

/* The welcome's frame is logged with its TURN credentials hidden, and
 * otherwise as it came. */
static void
test_connection_welcome_hides_credentials (void)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_TOKEN);
  g_autoptr(InspectorLogEntry) row = NULL;
  g_autoptr(JsonNode) claims = NULL;
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *claims_text = NULL;
  JsonObject *metadata;
  JsonArray *servers;
  Fixture fixture = { 0 };

  claims_text = g_strdup_printf ("{\"sub\":\"ice\",\"exp\":%" G_GINT64_FORMAT ","
                                 "\"metadata\":{\"region\":\"eu\",\"iceServers\":["
                                 "{\"urls\":\"turn:turn.example:3478\",\"username\":\"u\",\"credential\":\"turn-pass-1\"},"
                                 "{\"urls\":[\"stun:stun.example\"]}],\"after\":[1,2]}}",
                                 g_get_real_time () / G_USEC_PER_SEC + 600);
  claims = json_from_string (claims_text, &error);
  g_assert_no_error (error);
  options->token = metered_jwt_sign (DEV_KEY_ID, DEV_SECRET, json_node_get_object (claims));

  fixture_set_up (&fixture, options);
  fixture_start (&fixture);
  g_assert_cmpstr (inspector_connection_get_ice_servers (fixture.connection), ==,
                   "turn:turn.example:3478, stun:stun.example");

  row = wait_for_row (&fixture, INSPECTOR_LOG_KIND_WELCOME, "ice", INSPECTOR_LOG_STATUS_NONE);
  g_assert_nonnull (inspector_log_entry_get_frame (row));
  frame = inspector_json_parse (inspector_log_entry_get_frame (row), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (frame), "type"), ==, "welcome");
  metadata = json_object_get_object_member (json_node_get_object (frame), "metadata");
  g_assert_cmpstr (json_object_get_string_member (metadata, "region"), ==, "eu");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (metadata, "after")), ==, 2);
  servers = json_object_get_array_member (metadata, "iceServers");
  g_assert_cmpuint (json_array_get_length (servers), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (servers, 0), "credential"),
                   ==, "[hidden]");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (servers, 0), "username"), ==, "u");
  g_assert_false (json_object_has_member (json_array_get_object_element (servers, 1), "credential"));

  assert_no_secret_in_log (&fixture, "turn-pass-1");
  assert_no_secret_in_log (&fixture, options->token);
  fixture_tear_down (&fixture);
}

static char *
dup_nested_arrays (guint depth)
{
  GString *text = g_string_sized_new (2 * depth);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');

  return g_string_free (text, FALSE);
}

/* Text from the network or a paste goes through the strict parser: a
 * 100,000-deep payload is an error to show, not a stack overflow. */
static void
test_json_untrusted (void)
{
  g_autofree char *deep = dup_nested_arrays (100000);
  g_autofree char *deep_member = g_strdup_printf ("{\"fromMetadata\":%s}", deep);
  g_autofree char *shallow = dup_nested_arrays (METERED_JSON_MAX_DEPTH);
  g_autofree char *pretty = NULL;
  g_autoptr(GError) error = NULL;
  /* json-glib alone takes all of these. */
  const char * const not_json[] = { "{'a':1}", "0x10", "/* c */ 1", "01", "[.5]", "'x'", "\"a\tb\"", "", "  " };
  gsize size = 1;

  /* The compose pane shows the message (“Not JSON: …”) and sends nothing. */
  g_assert_false (inspector_json_measure (deep, &size, &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_JSON);
  g_assert_nonnull (strstr (error->message, "nested deeper than"));
  g_assert_cmpuint (size, ==, 0);
  g_clear_error (&error);

  /* The detail pane shows the text as it came. */
  pretty = inspector_json_pretty (deep, -1);
  g_assert_cmpstr (pretty, ==, deep);
  g_clear_pointer (&pretty, g_free);
  pretty = inspector_json_pretty (deep, 1000);
  g_assert_cmpuint (strlen (pretty), ==, 1000);
  g_clear_pointer (&pretty, g_free);
  g_assert_null (inspector_json_dup_member (deep_member, "fromMetadata"));
  g_assert_null (inspector_json_parse (deep, -1, NULL));

  /* Up to the limit, all is well. */
  g_assert_true (inspector_json_measure (shallow, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 2 * METERED_JSON_MAX_DEPTH);

  for (guint i = 0; i < G_N_ELEMENTS (not_json); i++)
    {
      g_assert_false (inspector_json_measure (not_json[i], &size, &error));
      g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_JSON);
      g_clear_error (&error);
      pretty = inspector_json_pretty (not_json[i], -1);
      g_assert_cmpstr (pretty, ==, not_json[i]);
      g_clear_pointer (&pretty, g_free);
    }

  /* The same for peer metadata typed into the connect dialog: within the
   * 4 KB cap, but 1,000 levels deep. */
  {
    g_autoptr(InspectorConnectOptions) options = signed_options ("deep");
    g_autofree char *levels = dup_nested_arrays (1000);

    g_free (options->peer_metadata);
    options->peer_metadata = g_strdup_printf ("{\"a\":%s}", levels);
    g_assert_false (inspector_connect_options_validate (options, &error));
    g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
    g_assert_nonnull (strstr (error->message, "nested deeper than"));
    g_clear_error (&error);
    g_assert_null (inspector_connect_options_mint_token (options, 1000, &error));
    g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  }
}

static void
test_connect_options (void)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *token = NULL;
  g_autoptr(MeteredJwt) jwt = NULL;

  /* The library's defaults. */
  g_assert_cmpfloat (options->reconnect.initial_delay, ==, 0.5);
  g_assert_cmpfloat (options->inactivity_timeout, ==, 60.0);
  g_assert_true (options->auto_resubscribe);
  g_assert_cmpstr (options->url, ==, "wss://rms.metered.ca");

  g_assert_false (inspector_connect_options_validate (options, &error));
  g_assert_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION);
  g_clear_error (&error);

  options->api_key = g_strdup ("pk_live_abc");
  g_assert_true (inspector_connect_options_validate (options, &error));
  g_assert_no_error (error);

  g_free (options->url);
  options->url = g_strdup ("http://example.com/path");
  g_assert_false (inspector_connect_options_validate (options, &error));
  g_clear_error (&error);

  g_free (options->url);
  options->url = g_strdup ("wss://rms.metered.ca");
  label = inspector_connect_options_dup_label (options);
  g_assert_cmpstr (label, ==, "rms.metered.ca · publishable key");

  options->mode = INSPECTOR_AUTH_SIGNED_TOKEN;
  options->key_id = g_strdup (DEV_KEY_ID);
  options->secret = g_strdup (DEV_SECRET);
  options->subject = g_strdup ("alice");
  options->peer_metadata = g_strdup ("[1]");
  g_assert_false (inspector_connect_options_validate (options, &error));
  g_assert_null (strstr (error->message, DEV_SECRET));
  g_clear_error (&error);

  g_free (options->peer_metadata);
  options->peer_metadata = g_strdup ("{\"name\":\"Alice\"}");
  options->channels = g_strsplit ("app/*", ",", -1);
  options->permissions = g_strsplit ("subscribe,publish", ",", -1);
  g_assert_true (inspector_connect_options_validate (options, &error));

  token = inspector_connect_options_mint_token (options, 1000, &error);
  g_assert_no_error (error);
  jwt = metered_jwt_parse (token, &error);
  g_assert_no_error (error);
  g_assert_true (metered_jwt_verify (jwt, DEV_SECRET, 1001, &error));
  g_assert_cmpstr (json_object_get_string_member (metered_jwt_get_claims (jwt), "sub"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (metered_jwt_get_claims (jwt), "exp"), ==, 1000 + 3600);
  g_assert_true (json_object_has_member (metered_jwt_get_claims (jwt), "peerMetadata"));
}

typedef struct {
  InspectorLogStore *store;
  GString           *seen;
  guint              n_calls;
  guint              remove_after;   /* remove own watch after this many, 0 never */
  guint              id;
  guint              n_destroyed;
} WatchLog;

static void
on_watch (gint64      time_us,
          const char *text,
          gsize       len,
          gpointer    user_data)
{
  WatchLog *log = user_data;

  log->n_calls++;
  g_string_append_printf (log->seen, "%" G_GINT64_FORMAT ":", time_us);
  g_string_append_len (log->seen, text, len);
  g_string_append_c (log->seen, ' ');

  if (log->remove_after != 0 && log->n_calls == log->remove_after)
    inspector_log_store_remove_channel_watch (log->store, log->id);
}

static void
on_watch_destroyed (gpointer user_data)
{
  WatchLog *log = user_data;

  log->n_destroyed++;
}

/* A watch sees its channel's messages as they are appended, in order,
 * paused or not, flushed or not; other channels and other kinds never. */
static void
test_log_store_channel_watch (void)
{
  InspectorLogStore *store = inspector_log_store_new ();
  WatchLog a = { store, g_string_new (NULL), 0, 0, 0, 0 };
  WatchLog b = { store, g_string_new (NULL), 0, 2, 0, 0 };
  WatchLog c = { store, g_string_new (NULL), 0, 0, 0, 0 };

  a.id = inspector_log_store_add_channel_watch (store, "sensors/a", on_watch, &a, on_watch_destroyed);
  b.id = inspector_log_store_add_channel_watch (store, "sensors/a", on_watch, &b, on_watch_destroyed);
  c.id = inspector_log_store_add_channel_watch (store, "sensors/c", on_watch, &c, on_watch_destroyed);
  g_assert_cmpuint (a.id, !=, 0);
  g_assert_cmpuint (a.id, !=, b.id);

  inspector_log_store_set_paused (store, TRUE);
  inspector_log_store_append_at (store, 1, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "sensors/a", "p", "{\"v\":1}", -1, NULL, NULL, NULL);
  inspector_log_store_append_at (store, 2, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "sensors/b", "p", "{\"v\":2}", -1, NULL, NULL, NULL);
  inspector_log_store_append_at (store, 3, INSPECTOR_LOG_KIND_PUBLISH, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "sensors/a", NULL, "{\"v\":3}", -1, NULL, NULL, NULL);
  /* The payload inside its frame: the watch gets just the payload. */
  inspector_log_store_append_at (store, 4, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "sensors/a", "p", "{\"v\":4}", -1, NULL, NULL,
                                 "{\"type\":\"message\",\"data\":{\"v\":4},\"x\":1}");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_cmpstr (a.seen->str, ==, "1:{\"v\":1} 4:{\"v\":4} ");
  /* b removed itself while being called; a, called in the same loop, kept going. */
  g_assert_cmpstr (b.seen->str, ==, "1:{\"v\":1} 4:{\"v\":4} ");
  g_assert_cmpuint (b.n_destroyed, ==, 1);
  g_assert_cmpuint (a.n_destroyed, ==, 0);
  g_assert_cmpstr (c.seen->str, ==, "");

  inspector_log_store_append_at (store, 5, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "sensors/a", "p", "5", -1, NULL, NULL, NULL);
  g_assert_cmpuint (b.n_calls, ==, 2);

  /* A clear keeps the watches. */
  inspector_log_store_clear (store);
  inspector_log_store_set_paused (store, FALSE);
  inspector_log_store_append_at (store, 6, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "sensors/a", "p", "6", -1, NULL, NULL, NULL);
  inspector_log_store_append_at (store, 7, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "sensors/c", "p", "7", -1, NULL, NULL, NULL);
  g_assert_cmpstr (a.seen->str, ==, "1:{\"v\":1} 4:{\"v\":4} 5:5 6:6 ");
  g_assert_cmpstr (c.seen->str, ==, "7:7 ");
  inspector_log_store_flush (store);
  {
    g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (store), 0);

    g_assert_cmpstr (inspector_log_entry_get_channel (entry), ==, "sensors/a");
  }

  inspector_log_store_remove_channel_watch (store, a.id);
  g_assert_cmpuint (a.n_destroyed, ==, 1);
  inspector_log_store_append_at (store, 8, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0,
                                 "sensors/a", "p", "8", -1, NULL, NULL, NULL);
  g_assert_cmpuint (a.n_calls, ==, 4);

  /* The store's end ends the last watch. */
  g_object_unref (store);
  g_assert_cmpuint (c.n_destroyed, ==, 1);
  g_assert_cmpuint (a.n_destroyed, ==, 1);
  g_assert_cmpuint (b.n_destroyed, ==, 1);

  g_string_free (a.seen, TRUE);
  g_string_free (b.seen, TRUE);
  g_string_free (c.seen, TRUE);
}

static guint64
previous_seq (InspectorLogStore *store,
              guint64            seq)
{
  g_autoptr(InspectorLogEntry) previous = inspector_log_store_find_previous (store, seq);

  return previous != NULL ? inspector_log_entry_get_seq (previous) : G_MAXUINT64;
}

/* The previous message of a channel is one link away however far back,
 * and gone with retention or a clear. */
static void
test_log_store_find_previous (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  guint64 first, second, publish, third, last;

  first = inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "far", "p", "1", -1, NULL, NULL, NULL);
  for (guint i = 0; i < 250000; i++)
    inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "busy", "p", "0", -1, NULL, NULL, NULL);
  second = inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "far", "p", "2", -1, NULL, NULL, NULL);
  /* Our own publish is not a message, but it has a previous one. */
  publish = inspector_log_store_append (store, INSPECTOR_LOG_KIND_PUBLISH, "far", NULL, "3", -1, NULL, NULL, NULL);
  third = inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "far", "p", "4", -1, NULL, NULL, NULL);
  inspector_log_store_flush (store);

  g_assert_cmpuint (previous_seq (store, first), ==, G_MAXUINT64);
  g_assert_cmpuint (previous_seq (store, second), ==, first);
  g_assert_cmpuint (previous_seq (store, publish), ==, second);
  g_assert_cmpuint (previous_seq (store, third), ==, second);
  g_assert_cmpuint (previous_seq (store, first + 2), ==, first + 1);
  g_assert_cmpuint (previous_seq (store, first + 1), ==, G_MAXUINT64);
  g_assert_cmpuint (previous_seq (store, third + 1), ==, G_MAXUINT64);
  {
    /* The same object a view holds for that row. */
    g_autoptr(InspectorLogEntry) held = g_list_model_get_item (G_LIST_MODEL (store),
                                                               inspector_log_store_get_position (store, second));
    g_autoptr(InspectorLogEntry) found = inspector_log_store_find_previous (store, third);

    g_autofree char *text = inspector_log_entry_dup_text (found);

    g_assert_true (held == found);
    g_assert_cmpstr (text, ==, "2");
  }

  /* Retention drops the first message: the link leads nowhere. */
  inspector_log_store_set_max_entries (store, 100000);
  inspector_log_store_flush (store);
  g_assert_cmpuint (previous_seq (store, second), ==, G_MAXUINT64);
  g_assert_cmpuint (previous_seq (store, third), ==, second);

  /* A clear starts every channel afresh. */
  inspector_log_store_clear (store);
  last = inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "far", "p", "5", -1, NULL, NULL, NULL);
  g_assert_cmpuint (previous_seq (store, last), ==, G_MAXUINT64);
  g_assert_cmpuint (previous_seq (store, third), ==, G_MAXUINT64);
  last = inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "far", "p", "6", -1, NULL, NULL, NULL);
  g_assert_cmpuint (previous_seq (store, last), ==, last - 1);
}

/* Numbers read the way they were sent: json-glib's generator would print
 * 21.6 as 21.600000000000001. */
static void
test_json_pretty (void)
{
  static const struct {
    const char *text;
    const char *pretty;
  } cases[] = {
    { "21.6", "21.6" },
    { "0.1", "0.1" },
    { "1e300", "1e+300" },
    { "0.30000000000000004", "0.30000000000000004" },
    { "-7", "-7" },
    { "{}", "{}" },
    { "[]", "[]" },
    { "\"a\\\"b\"", "\"a\\\"b\"" },
    { "{\"temperature\":21.6,\"humidity\":40.1,\"seq\":7,\"ok\":true,\"none\":null,\"tags\":[\"x\",2.5,[],{}],\"in\":{\"v\":0.1}}",
      "{\n"
      "  \"temperature\" : 21.6,\n"
      "  \"humidity\" : 40.1,\n"
      "  \"seq\" : 7,\n"
      "  \"ok\" : true,\n"
      "  \"none\" : null,\n"
      "  \"tags\" : [\n"
      "    \"x\",\n"
      "    2.5,\n"
      "    [],\n"
      "    {}\n"
      "  ],\n"
      "  \"in\" : {\n"
      "    \"v\" : 0.1\n"
      "  }\n"
      "}" },
  };
  g_autofree char *member = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *pretty = inspector_json_pretty (cases[i].text, -1);

      g_assert_cmpstr (pretty, ==, cases[i].pretty);
    }

  member = inspector_json_dup_member ("{\"m\":{\"t\":21.6,\"l\":[1.1]}}", "m");
  g_assert_cmpstr (member, ==, "{\n  \"t\" : 21.6,\n  \"l\" : [\n    1.1\n  ]\n}");
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread: the timestamp test reads local time as UTC. */
  g_setenv ("TZ", "UTC", TRUE);
  inspector_test_init (&argc, &argv);

  g_test_add_func ("/inspector/log-store/batches", test_log_store_batches);
  g_test_add_func ("/inspector/log-store/pause-and-retention", test_log_store_pause_and_retention);
  g_test_add_func ("/inspector/log-store/million", test_log_store_million);
  g_test_add_func ("/inspector/log-store/channel-watch", test_log_store_channel_watch);
  g_test_add_func ("/inspector/log-store/find-previous", test_log_store_find_previous);
  g_test_add_func ("/inspector/log-filter", test_log_filter);
  g_test_add_func ("/inspector/log-store/retention-exact", test_log_store_retention_exact);
  g_test_add_func ("/inspector/log-store/retention-bytes", test_log_store_retention_bytes);
  g_test_add_func ("/inspector/log-store/retention-chunk", test_log_store_retention_chunk);
  g_test_add_func ("/inspector/log-filter-model", test_log_filter_model);
  g_test_add_func ("/inspector/log-filter-model/million", test_log_filter_model_million);
  g_test_add_func ("/inspector/channel-tree", test_channel_tree);
  g_test_add_func ("/inspector/log-selection-stable", test_log_selection_stable);
  g_test_add_func ("/inspector/timestamp-formats", test_timestamp_formats);
  g_test_add_func ("/inspector/connect-options", test_connect_options);
  g_test_add_func ("/inspector/json/untrusted", test_json_untrusted);
  g_test_add_func ("/inspector/json/pretty", test_json_pretty);
  g_test_add_func ("/inspector/connection/subscribe-and-presence", test_connection_subscribe_and_presence);
  g_test_add_func ("/inspector/connection/traffic", test_connection_traffic);
  g_test_add_func ("/inspector/connection/permissions", test_connection_permissions);
  g_test_add_func ("/inspector/connection/reconnect-restores", test_connection_reconnect_restores);
  g_test_add_func ("/inspector/connection/close-codes", test_connection_close_codes);
  g_test_add_func ("/inspector/connection/going-away", test_connection_going_away);
  g_test_add_func ("/inspector/connection/token-provider-error", test_connection_token_provider_error);
  g_test_add_func ("/inspector/connection/welcome-hides-credentials", test_connection_welcome_hides_credentials);

  return g_test_run ();
}
