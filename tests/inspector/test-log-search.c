/* test-log-search.c: how the message log announces a new search, and
 * the cells its rows are drawn with
 *
 * SPDX-License-Identifier: MIT
 */

#include <gtk/gtk.h>

#include "inspector-connection.h"
#include "inspector-log-cell.h"
#include "inspector-log-view.h"
#include "inspector-log-filter.h"
#include "inspector-log-filter-model.h"
#include "inspector-log-store-private.h"

#include "inspector-test-util.h"

static gboolean have_display;

typedef struct {
  guint    position;
  guint    removed;
  guint    added;
  guint    n_items;   /* the model's length during the signal */
  gboolean swapping;
  guint    found;     /* where seq 500 was during the signal */
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  Change change = {
    position, removed, added,
    g_list_model_get_n_items (model),
    inspector_log_filter_model_get_swapping (INSPECTOR_LOG_FILTER_MODEL (model)),
    inspector_log_filter_model_find_seq (INSPECTOR_LOG_FILTER_MODEL (model), 500),
  };

  g_array_append_val (changes, change);
}

static void
fill (InspectorLogStore *store,
      guint              n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"n\":%u,\"pad\":\"x\"}", i);

      inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "bench/flood", "flood",
                                  payload, -1, NULL, NULL, NULL);
    }
  inspector_log_store_flush (store);
}

static guint64
seq_at (GListModel *model,
        guint       position)
{
  g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (model, position);

  return entry != NULL ? inspector_log_entry_get_seq (entry) : G_MAXUINT64;
}

/* A result that replaces the rows shown goes out as two changes, the old
 * rows first: a GTK 4.8 list view that loses the row it scrolls by looks
 * for it among the rows the same change adds, one item at a time. */
static void
test_swap_in_two_steps (void)
{
  g_autoptr(InspectorLogStore) store = inspector_log_store_new ();
  g_autoptr(InspectorLogFilter) filter = inspector_log_filter_new ();
  g_autoptr(InspectorLogFilterModel) model = inspector_log_filter_model_new (filter);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  Change *change;

  fill (store, 1000);
  inspector_log_filter_model_set_store (model, store);

  inspector_log_filter_set_search (filter, "\"n\":500,");
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpuint (seq_at (G_LIST_MODEL (model), 0), ==, 500);

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), changes);
  inspector_log_filter_set_search (filter, "pad");
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));

  g_assert_cmpuint (changes->len, ==, 2);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 1);
  g_assert_cmpuint (change->added, ==, 0);
  g_assert_cmpuint (change->n_items, ==, 0);
  g_assert_true (change->swapping);
  g_assert_cmpuint (change->found, ==, G_MAXUINT);

  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 1000);
  g_assert_cmpuint (change->n_items, ==, 1000);
  g_assert_false (change->swapping);
  g_assert_cmpuint (change->found, ==, 500);

  g_assert_cmpuint (seq_at (G_LIST_MODEL (model), 999), ==, 999);

  /* Rows on both sides of the change stay where they are: only the
   * middle goes, then comes back narrower. */
  g_array_set_size (changes, 0);
  inspector_log_filter_set_search (filter, "\"n\":5");
  g_assert_true (inspector_test_wait_until (inspector_test_search_done, model));
  /* 5, 50-59 and 500-599. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 111);
  g_assert_cmpuint (changes->len, ==, 2);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 1000);
  g_assert_cmpuint (change->n_items, ==, 0);
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->added, ==, 111);
  g_assert_cmpuint (change->found, ==, 11);
  g_assert_cmpuint (seq_at (G_LIST_MODEL (model), 11), ==, 500);

  /* Only removing, or only adding, stays one change. */
  g_array_set_size (changes, 0);
  inspector_log_filter_set_search (filter, NULL);
  g_assert_false (inspector_log_filter_model_get_swapping (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1000);
  g_assert_cmpuint (changes->len, ==, 2);

  g_signal_handlers_disconnect_by_func (model, on_items_changed, changes);
}

/* A cell is one line high whatever its text, and asks for no width. */
static void
test_cell (void)
{
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *short_cell;
  GtkWidget *long_cell;
  g_autofree char *long_text = g_strnfill (2000, 'w');
  int minimum;
  int natural;
  int short_height;

  if (!have_display)
    {
      g_test_skip ("no display; run under xvfb-run");
      return;
    }

  window = gtk_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  short_cell = inspector_log_cell_new (0.0f, PANGO_ELLIPSIZE_END);
  long_cell = inspector_log_cell_new (1.0f, PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (box), short_cell);
  gtk_box_append (GTK_BOX (box), long_cell);
  gtk_window_set_child (GTK_WINDOW (window), box);

  inspector_log_cell_set_text (INSPECTOR_LOG_CELL (short_cell), "abc");
  inspector_log_cell_take_text (INSPECTOR_LOG_CELL (long_cell), g_strdup (long_text));
  g_assert_cmpstr (inspector_log_cell_get_text (INSPECTOR_LOG_CELL (short_cell)), ==, "abc");
  g_assert_cmpstr (inspector_log_cell_get_text (INSPECTOR_LOG_CELL (long_cell)), ==, long_text);

  gtk_widget_measure (short_cell, GTK_ORIENTATION_VERTICAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, >, 0);
  g_assert_cmpint (minimum, ==, natural);
  short_height = minimum;
  gtk_widget_measure (long_cell, GTK_ORIENTATION_VERTICAL, 100, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, ==, short_height);
  gtk_widget_measure (long_cell, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (natural, ==, 0);

  /* It draws: the window shows and paints with it. */
  gtk_window_present (GTK_WINDOW (window));
  inspector_test_wait_frames (window);

  /* A bigger font, once styles are updated, is a taller line. */
  gtk_widget_add_css_class (short_cell, "title-1");
  inspector_test_wait_frames (window);
  gtk_widget_measure (short_cell, GTK_ORIENTATION_VERTICAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, >, short_height);
  g_assert_cmpint (gtk_widget_get_height (short_cell), ==, minimum);

  inspector_log_cell_set_text (INSPECTOR_LOG_CELL (short_cell), NULL);
  g_assert_null (inspector_log_cell_get_text (INSPECTOR_LOG_CELL (short_cell)));
  inspector_test_wait_frames (window);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_cell_text (GtkWidget  *widget,
               const char *text)
{
  if (INSPECTOR_IS_LOG_CELL (widget) &&
      g_strcmp0 (inspector_log_cell_get_text (INSPECTOR_LOG_CELL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (has_cell_text (child, text))
      return TRUE;

  return FALSE;
}

static gboolean
has_cell_class (GtkWidget  *widget,
                const char *css_class)
{
  if (INSPECTOR_IS_LOG_CELL (widget) && gtk_widget_has_css_class (widget, css_class))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (has_cell_class (child, css_class))
      return TRUE;

  return FALSE;
}

static void
count_paint (guint *n_paints)
{
  (*n_paints)++;
}

/* The log view's rows: every column filled, and a request's outcome shown
 * when it comes. */
static void
test_view (void)
{
  g_autoptr(InspectorConnection) connection = NULL;
  InspectorLogStore *store;
  GtkWidget *window;
  GtkWidget *view;
  GdkFrameClock *clock;
  guint n_paints = 0;
  guint64 seq;

  if (!have_display)
    {
      g_test_skip ("no display; run under xvfb-run");
      return;
    }

  connection = inspector_connection_new_offline ("cells");
  store = inspector_connection_get_log (connection);
  inspector_log_store_append (store, INSPECTOR_LOG_KIND_MESSAGE, "room/a", "peer-1",
                              "{\"t\":21.5}", -1, NULL, NULL, NULL);
  seq = inspector_log_store_append (store, INSPECTOR_LOG_KIND_PUBLISH, "room/b", NULL,
                                    "{\"hello\":true}", -1, NULL, NULL, NULL);
  inspector_log_store_flush (store);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 400);
  view = g_object_new (INSPECTOR_TYPE_LOG_VIEW, "connection", connection, NULL);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  inspector_test_wait_frames (window);

  g_assert_true (has_cell_text (view, "room/a"));
  g_assert_true (has_cell_text (view, "peer-1"));
  g_assert_true (has_cell_text (view, "message"));
  g_assert_true (has_cell_text (view, "{\"t\":21.5}"));
  g_assert_true (has_cell_text (view, "publish"));
  g_assert_true (has_cell_class (view, "kind-message"));
  g_assert_false (has_cell_class (view, "failed"));

  inspector_log_store_set_status (store, seq, INSPECTOR_LOG_STATUS_FAILED, 0, "rate limited");
  inspector_log_store_flush (store);
  inspector_test_wait_frames (window);
  g_assert_true (has_cell_class (view, "failed"));
  g_assert_true (has_cell_class (view, "error"));
  g_assert_true (has_cell_text (view, "rate limited · {\"hello\":true}"));
  inspector_test_save_screenshot (window, "log-view-cells.png");

  /* Drawn once, the rows stay still: nothing queues a redraw or a resize
   * from a redraw or a restyle. (Without focus in the search entry, whose
   * blinking cursor animates every frame.) */
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  inspector_test_spin (1000);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (count_paint), &n_paints);
  inspector_test_spin (500);
  g_signal_handlers_disconnect_by_func (clock, count_paint, &n_paints);
  g_assert_cmpuint (n_paints, ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTestDBus) bus = NULL;
  int status;

  inspector_test_init (&argc, &argv);

  /* The models need no display; the cell does, and GTK a session bus. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  have_display = gtk_init_check ();
  if (have_display)
    {
      bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_test_dbus_up (bus);
    }

  g_test_add_func ("/inspector/log-search/swap-in-two-steps", test_swap_in_two_steps);
  g_test_add_func ("/inspector/log-search/cell", test_cell);
  g_test_add_func ("/inspector/log-search/view", test_view);

  status = g_test_run ();

  if (bus != NULL)
    g_test_dbus_down (bus);

  return status;
}
